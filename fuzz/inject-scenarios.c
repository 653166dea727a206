/* SPDX-License-Identifier: MIT */
/*
 * inject-scenarios: every bundled scenario under every fault-injection
 * schedule (STYLE.md habit 7), as a test in suite 'fuzz'.
 *
 *     inject-scenarios [--apps DIR] FILE|DIR...   (directories as grantsim run lists them)
 *
 * Each case of each scenario runs on the Cortex-M machine, with the fuzz
 * harness's watcher attached (harness.h):
 *   - once as written (the baseline);
 *   - under every N of board.inject.grant_alloc_at (the Nth grant-region
 *     allocation fails), N = 1, 2, ... until the Nth allocation no longer
 *     happens;
 *   - under every N of board.inject.mpu_region_at (the Nth MPU region IPC
 *     asks for cannot be allocated), likewise;
 *   - with every process's task queue filled behind its init task, at
 *     creation and after each restart (ReturnValues of a driver nobody has).
 * The scenario's own expectations are not required to hold under injection
 * (a failed allocation changes what the process sees); what must hold is a
 * clean outcome: the run completes, no finding appears that the baseline
 * did not have (findings the scenario is about, like the fuzz-* scenarios',
 * stay tolerated), no kernel panic unless the baseline panicked, and the
 * documented error reaches the process: the watcher's contracts (a syscall
 * whose grant allocation was failed returns Failure(NOMEM); a task dropped
 * for a full queue during a syscall that reports it gives NOMEM).
 *
 * A scenario that does not load, or whose baseline cannot run, is a
 * failure; only a scenario naming an app when no apps were built (no
 * apps directory) is skipped, and counted. Prints one line per schedule
 * and a summary; exits 77 (meson's skip) when no schedule ran at all, so
 * the test cannot pass having checked nothing.
 */
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "harness.h"
#include "process.h"
#include "scenario.h"
#include "tasks.h"

/* What one run showed. */
struct outcome {
    struct gs_fz_watch w;
    struct gs_kernel *k;
    bool prefill;               /* fill task queues behind the init task */
    bool pending[GS_MAX_PROCS]; /* restarted: its init task is about to be queued */
    enum gs_scn_status status;
    bool ran; /* gs_scn_run built the board and ran it */
    bool panicked;
    bool expectations_held;
    uint64_t grant_allocs, mpu_regions; /* the injectors' counters at the end */
    uint64_t prefilled;                 /* tasks put in queues by the prefill */
    char error[1024];
};

static void observe(void *ctx, const struct gs_event *ev)
{
    struct outcome *o = ctx;
    unsigned i;

    if (!o->prefill || !ev->p)
        return;
    i = ev->p->index;
    if (i >= GS_MAX_PROCS)
        return;
    /* At creation the init task is already queued (process.c); after a restart it comes
     * right after the event. The prefill's own events come back here with pending clear.
     * The process is the kernel's, reached through its table. */
    if (ev->kind == GS_EV_PROCESS_CREATED && o->k->procs[i] == ev->p) {
        o->prefilled += gs_fz_prefill(o->k->procs[i]);
    } else if (ev->kind == GS_EV_RESTARTED) {
        o->pending[i] = true;
    } else if (ev->kind == GS_EV_TASK_QUEUED && o->pending[i]) {
        o->pending[i] = false;
        if (o->k->procs[i] == ev->p)
            o->prefilled += gs_fz_prefill(o->k->procs[i]);
    }
}

static void attach(void *ctx, struct gs_kernel *k)
{
    struct outcome *o = ctx;

    o->k = k;
    o->w.k = k;
    gs_kernel_add_observer(k, gs_fz_watch_event, &o->w);
    gs_kernel_add_observer(k, observe, o);
}

static struct gs_scn_reuse reuse; /* the board survives the run: its counters are read after */

static void run(struct gs_scenario *s, uint32_t grant_at, uint32_t mpu_at, bool fill,
                struct outcome *o)
{
    struct gs_scn_run_opts ro = {.maps = false, .reuse = &reuse, .attach = attach};
    struct gs_scn_result r;

    memset(o, 0, sizeof(*o));
    gs_fz_watch_init_env(&o->w, false);
    o->prefill = fill;
    ro.attach_ctx = o;
    s->inject_grant_alloc_at = grant_at;
    s->inject_mpu_region_at = mpu_at;
    if (gs_scn_run(s, &ro, &r) != GS_OK) {
        snprintf(o->error, sizeof(o->error), "out of host memory");
        return;
    }
    o->status = r.status;
    o->ran = r.status != GS_SCN_ERROR && o->k;
    o->panicked = r.panic[0] != 0;
    o->expectations_held = r.nfailures == 0;
    if (r.status == GS_SCN_ERROR)
        snprintf(o->error, sizeof(o->error), "%s", r.error);
    if (o->ran) {
        o->grant_allocs = o->k->inject.grant_allocs;
        o->mpu_regions = o->k->inject.mpu_regions;
    }
    gs_scn_result_free(&r);
}

static unsigned failures, schedules_run, skipped, held, changed;

static bool has_id(const struct gs_fz_watch *w, const char *id)
{
    for (unsigned i = 0; i < w->nids; i++)
        if (strcmp(w->ids[i], id) == 0)
            return true;
    return false;
}

/* Is o a clean outcome, measured against the baseline? Prints why not. */
static bool clean(const char *name, const char *sched, const struct outcome *base,
                  const struct outcome *o)
{
    schedules_run++;
    if (!o->ran) {
        printf("FAIL %s %s: the run did not complete: %s\n", name, sched, o->error);
        failures++;
        return false;
    }
    if (o->panicked && !base->panicked) {
        printf("FAIL %s %s: kernel panic (the baseline has none)\n", name, sched);
        failures++;
        return false;
    }
    for (unsigned i = 0; i < o->w.nids; i++) {
        if (has_id(&base->w, o->w.ids[i]))
            continue;
        printf("FAIL %s %s: %s\n", name, sched, o->w.ids[i]);
        if (strcmp(o->w.first_id, o->w.ids[i]) == 0)
            printf("  %s\n", o->w.first_text);
        failures++;
        return false;
    }
    if (o->w.findings > o->w.nids && o->w.nids == GS_FZ_MAX_IDS) {
        printf("FAIL %s %s: more distinct findings than the watcher lists\n", name, sched);
        failures++;
        return false;
    }
    if (o->expectations_held)
        held++;
    else
        changed++;
    return true;
}

static void one_case(const char *name, struct gs_scenario *s)
{
    struct outcome base, o;
    char sched[64];
    uint32_t n;

    run(s, 0, 0, false, &base);
    if (!base.ran) {
        printf("FAIL %s: the baseline does not run: %s\n", name, base.error);
        failures++;
        return;
    }

    for (n = 1;; n++) {
        run(s, n, 0, false, &o);
        if (o.ran && o.grant_allocs < n)
            break; /* the Nth allocation never happened: the schedule is complete */
        snprintf(sched, sizeof(sched), "grant-alloc-at=%u", n);
        clean(name, sched, &base, &o);
        if (!o.ran)
            break;
    }
    if (base.grant_allocs && n == 1) {
        printf("FAIL %s: the baseline allocates but no allocation was injected\n", name);
        failures++;
    }
    printf("ok   %s: %u grant-allocation schedules", name, n - 1);

    for (n = 1;; n++) {
        run(s, 0, n, false, &o);
        if (o.ran && o.mpu_regions < n)
            break;
        snprintf(sched, sizeof(sched), "mpu-region-at=%u", n);
        clean(name, sched, &base, &o);
        if (!o.ran)
            break;
    }
    printf(", %u MPU-region schedules", n - 1);

    run(s, 0, 0, true, &o);
    if (clean(name, "queue-prefilled", &base, &o))
        printf(", queues prefilled (%llu tasks, %llu dropped)\n", (unsigned long long)o.prefilled,
               (unsigned long long)o.w.tasks_dropped);
    else
        printf("\n");
}

static void one_file(const char *path, const char *apps)
{
    struct gs_scn_opts so = {.apps_dir = apps, .no_positions = true};
    struct gs_scn_file *f = NULL;
    struct gs_scn_err err;
    unsigned ncases;

    if (gs_scn_file_open(path, &f, &err) != GS_OK) {
        printf("FAIL %s: %s\n", path, err.msg);
        failures++;
        return;
    }
    ncases = gs_scn_file_ncases(f);
    for (int c = ncases ? 0 : -1; c < (int)ncases; c++) {
        struct gs_scenario *s = NULL;
        char name[512];

        snprintf(name, sizeof(name), "%s%s%s", path, c >= 0 ? " --case " : "",
                 c >= 0 ? gs_scn_file_case_id(f, (unsigned)c) : "");
        if (gs_scn_load(f, c, &so, &s, &err) != GS_OK) {
            struct stat st;
            size_t pl = strlen(err.path);
            /* Apps that were not built (no cross compiler): the scenario suite says so. */
            if (pl >= 4 && strcmp(err.path + pl - 4, ".app") == 0 &&
                (!apps || stat(apps, &st) != 0)) {
                printf("skip %s: no apps were built: %s\n", name, err.msg);
                skipped++;
            } else {
                printf("FAIL %s: does not load: %s\n", name, err.msg);
                failures++;
            }
            continue;
        }
        one_case(name, s);
        gs_scenario_free(s);
    }
    gs_scn_file_free(f);
}

int main(int argc, char **argv)
{
    const char *apps = NULL;
    struct gs_scn_paths paths = {0};

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--apps") == 0 && i + 1 < argc) {
            apps = argv[++i];
            continue;
        }
        if (gs_scn_paths_add(&paths, argv[i]) != 0) {
            printf("FAIL %s: cannot list it\n", argv[i]);
            failures++;
        }
    }
    for (size_t i = 0; i < paths.n; i++)
        one_file(paths.v[i], apps);
    gs_scn_paths_free(&paths);
    gs_scn_reuse_free(&reuse);
    printf("%s: %u schedules run, %u kept every expectation, %u changed what a process saw "
           "(allowed), %u skipped, %u failures\n",
           failures ? "FAIL" : "PASS", schedules_run, held, changed, skipped, failures);
    if (!failures && schedules_run == 0) {
        printf("nothing ran: skipped\n");
        return 77;
    }
    return failures ? 1 : 0;
}
