/* SPDX-License-Identifier: MIT */
/*
 * fuzz-machine: syscall sequences through the Cortex-M machine. The input is
 * decoded exactly as fuzz-syscalls decodes it (decoder.h, GS_PROG_SYSCALLS:
 * 1-4 processes, every syscall class and capsule, both profiles, fault
 * injection), written as a scenario (prog-scenario.h) and run by the
 * scenario runner: scripted Thumb processes under Unicorn, real `svc`
 * instructions, exception frames pushed through the simulated MPU, which is
 * enforced on every access. So a finding replays from its scenario file by
 * construction (`grantsim repro fuzz-machine CRASH`).
 *
 * Oracles: every kernel oracle (check_invariants), the runner's final
 * quiescent and shadow check, and the harness's watcher (harness.h: the
 * contracts, custom grants inside the grant region, known upstream
 * behaviours tolerated unless GRANTSIM_FUZZ_STRICT=1), ASan/UBSan.
 *
 * Bounds: as the core targets, a run ends after GS_FZ_MAX_STEPS syscalls and
 * faults or GS_FZ_MAX_RESTARTS restarts, or GS_PROG_SCENARIO_BUDGET
 * instructions (the scenario's max_instructions). The scenario file has only
 * the instruction budget, so a replay may run on past the point where the
 * fuzzer stopped; what happened before it happens again.
 *
 * Speed: the boards of the last inputs are kept (gs_scn_reuse: a reset, not
 * new Unicorn engines), and the scenario goes to the loader as a JSON value,
 * never as text, and without the steps' notes (the reproducer's scenario has
 * them; the loader checks that they are strings and keeps nothing of them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "fuzz.h"
#include "harness.h"
#include "prog-scenario.h"
#include "scenario.h"

/*
 * The harness's bounds (harness.h): after GS_FZ_MAX_STEPS syscalls and
 * faults or GS_FZ_MAX_RESTARTS restarts the run ends, as in the core targets
 * (a process that faults and restarts forever would otherwise use the whole
 * instruction budget, restart after restart).
 */
static void bound(void *ctx, const struct gs_event *ev)
{
    struct gs_fz_watch *w = ctx;

    (void)ev;
    if (w->steps >= GS_FZ_MAX_STEPS || w->restarts >= GS_FZ_MAX_RESTARTS)
        gs_kernel_request_stop(w->k);
}

static void attach(void *ctx, struct gs_kernel *k)
{
    struct gs_fz_watch *w = ctx;

    w->k = k;
    if (gs_kernel_add_observer(k, gs_fz_watch_event, w) != GS_OK ||
        gs_kernel_add_observer(k, bound, w) != GS_OK)
        gs_fz_report(w, "harness", "no-observer-slot", "the kernel has no room for the watcher");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct gs_prog prog;
    static struct gs_scn_reuse reuse;
    struct gs_fz_watch w;
    struct gs_scn_file *f = NULL;
    struct gs_scenario *s = NULL;
    struct gs_scn_opts so = {.apps_dir = NULL, .no_positions = true};
    struct gs_scn_run_opts ro = {.maps = false, .reuse = &reuse, .attach = attach};
    struct gs_scn_result r;
    struct gs_scn_err err;
    json_t *doc;

    if (gs_prog_decode(data, size, GS_PROG_SYSCALLS, &prog) != 0)
        return 0;
    gs_fz_watch_init_env(&w, true);
    w.prog = &prog;
    ro.attach_ctx = &w;
    if (gs_fz_print_enabled())
        gs_prog_print(&prog, stdout);
    doc = gs_prog_scenario(&prog, false, NULL, NULL, 0); /* notes are for readers */
    if (!doc) {
        fprintf(stderr, "fuzz-machine: out of memory\n");
        abort();
    }
    /* The writer's output must always be a valid scenario (no text: no dump, no parse). */
    if (gs_scn_file_from_json("fuzz-machine.json", doc, &f, &err) != GS_OK ||
        gs_scn_load(f, -1, &so, &s, &err) != GS_OK)
        gs_fz_report(&w, "harness", "scenario-invalid", "%s", err.msg);
    if (s) {
        if (gs_scn_run(s, &ro, &r) != GS_OK) {
            fprintf(stderr, "fuzz-machine: out of memory\n");
            abort();
        }
        if (r.status == GS_SCN_ERROR)
            gs_fz_report(&w, "harness", "scenario-error", "%s", r.error);
        gs_fz_outcome(&w, r.time);
        gs_scn_result_free(&r);
    }
    gs_scenario_free(s);
    gs_scn_file_free(f);
    return 0;
}
