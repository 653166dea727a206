/* SPDX-License-Identifier: MIT */
/*
 * A program on the fake arch (contract in prog-run.h): memory, board
 * construction from a program, the watcher and the budgets.
 */
#include "prog-run.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "invariants.h"
#include "sched.h"
#include "syscall.h"
#include "tasks.h"

/* ---- memory ---- */

static struct gs_mem fz_mem;
static bool fz_mem_ready;

struct gs_mem *gs_fz_mem(void)
{
    if (!fz_mem_ready) {
        if (gs_mem_init(&fz_mem, GS_FZ_RAM_BASE, GS_FZ_RAM_SIZE, GS_FZ_FLASH_BASE,
                        GS_FZ_FLASH_SIZE) != GS_OK) {
            fprintf(stderr, "grantsim fuzz: cannot allocate the simulated memory\n");
            abort();
        }
        fz_mem_ready = true;
    }
    return &fz_mem;
}

void gs_fz_mem_reset(uint32_t ram_used, uint32_t flash_used, bool all)
{
    struct gs_mem *m = gs_fz_mem();

    if (all || ram_used > m->ram_size)
        ram_used = m->ram_size;
    if (all || flash_used > m->flash_size)
        flash_used = m->flash_size;
    memset(m->ram, 0, ram_used);
    memset(m->shadow, 0, (size_t)ram_used * sizeof(gs_owner));
    memset(m->flash, 0xFF, flash_used);
    m->findings = 0;
    gs_mem_set_finding_fn(m, NULL, NULL);
}

/* ---- known upstream behaviours ---- */

/* An id ending in ':' matches every syscall class. */
static const struct {
    const char *id;
    const char *note;
} known[] = {
    {"isolation:ipc-region-outlives-restart:",
     "kernel/src/ipc.rs maps a shared buffer into the service's MPU config with "
     "add_mpu_region and never removes it; after the client restarts, the service "
     "keeps read-write access to memory the client no longer owns (tock#4371) "
     "(fuzz/regress/fuzz-ipc/known-ipc-region-outlives-restart)"},
    {"isolation:mpu-region-doubling-4366:",
     "release-2.2's allocate_app_memory_region doubles the region size but not the block "
     "(tock issue #4366): the app can reach kernel memory; profile 2.2 only "
     "(fuzz/regress/fuzz-mpu/known-mpu-region-doubling-4366)"},
    {"panic:allocate_region:",
     "allocate_region of a buffer starting at a multiple of 2^29 (e.g. 0x20000000, a common "
     "RAM start): subregion size 2^29 * 8 wraps to 0 and `start % 0` panics even in release "
     "(tests/test_mpu.c allocate_region_wrap_panics; fuzz/regress/fuzz-mpu/known-allocate_region)"},
    {"layout:custom-grant-size-wraps:",
     "allocate_in_grant_region_internal computes kernel_break.wrapping_sub(size), rounds "
     "down to the alignment, and calls a result above the kernel break a wrap; a size "
     "within align - 1 of 2^32 wraps to just above the break, rounds back down to it, and "
     "the allocation succeeds with no memory (upstream: latent, as custom-grant sizes are "
     "compile-time constants there; here the test capsule's command 6 takes the size from "
     "the process) (fuzz/regress/fuzz-grants/known-custom-grant-size-wraps)"},
    {NULL, NULL},
};

const char *gs_fz_known(const char *id)
{
    for (unsigned i = 0; known[i].id; i++) {
        size_t n = strlen(known[i].id);
        if (known[i].id[n - 1] == ':' ? strncmp(known[i].id, id, n) == 0
                                      : strcmp(known[i].id, id) == 0)
            return known[i].note;
    }
    return NULL;
}

/* ---- the watcher ---- */

void gs_fz_watch_init(struct gs_fz_watch *w, bool abort_on_finding)
{
    memset(w, 0, sizeof(*w));
    w->abort_on_finding = abort_on_finding;
}

/* Counts one finding with its id; aborts when it counts and the watcher is in fuzzing mode. */
static void finding(struct gs_fz_watch *w, const char *id, const char *text)
{
    const char *note = gs_fz_known(id);

    if (w->on_finding)
        w->on_finding(w, id, text);
    if (note && !w->strict) {
        w->known++;
        return;
    }
    w->findings++;
    if (w->findings == 1) {
        snprintf(w->first_id, sizeof(w->first_id), "%s", id);
        snprintf(w->first_text, sizeof(w->first_text), "%s", text);
    }
    {
        bool seen = false;
        for (unsigned i = 0; i < w->nids && !seen; i++)
            seen = strcmp(w->ids[i], id) == 0;
        if (!seen && w->nids < GS_FZ_MAX_IDS)
            snprintf(w->ids[w->nids++], sizeof(w->ids[0]), "%s", id);
    }
    if (!w->abort_on_finding)
        return;
    fprintf(stderr, "grantsim-finding: %s\n  %s\n", id, text);
    if (note)
        fprintf(stderr, "  (known upstream behaviour: %s)\n", note);
    if (w->prog) {
        fprintf(stderr, "decoded program:\n");
        gs_prog_print(w->prog, stderr);
    }
    fflush(stderr);
    abort();
}

void gs_fz_report(struct gs_fz_watch *w, const char *kind, const char *site, const char *fmt, ...)
{
    char id[128], text[256];
    va_list ap;

    snprintf(id, sizeof(id), "%s:%s:-", kind, site);
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    finding(w, id, text);
}

static bool is_failure(uint32_t variant)
{
    return variant < GS_RET_SUCCESS;
}

/* At a syscall's return: the fault-injection and full-queue contracts. */
static void check_contracts(struct gs_fz_watch *w, const struct gs_event *ev)
{
    struct gs_kernel *k = w->k;
    uint64_t at = k->inject.grant_alloc_at;
    char id[128], text[256];

    if (at && w->ga_at_entry < at && k->inject.grant_allocs >= at) {
        w->inject_grant_hits++;
        if (!is_failure(ev->a) || ev->r[1] != GS_EC_NOMEM) {
            snprintf(id, sizeof(id), "contract:inject-grant-alloc:%u", w->sc_cls);
            snprintf(text, sizeof(text),
                     "syscall %s (r0=0x%x r1=0x%x) had its grant allocation failed by injection "
                     "but returned %s r1=0x%x, not Failure(NOMEM)",
                     gs_syscall_class_name(w->sc_cls), (unsigned)w->sc_regs[0],
                     (unsigned)w->sc_regs[1], gs_ret_variant_name((enum gs_ret_variant)ev->a),
                     (unsigned)ev->r[1]);
            finding(w, id, text);
        }
    }
    if (w->sc_dropped_nomem && w->sc_cls == GS_SYS_COMMAND &&
        ((w->sc_regs[0] == GS_TEST_CAPSULE_NUM && w->sc_regs[1] == 1) ||
         (w->sc_regs[0] == GS_IPC_DRIVER_NUM && (w->sc_regs[1] == 2 || w->sc_regs[1] == 3))) &&
        (!is_failure(ev->a) || ev->r[1] != GS_EC_NOMEM)) {
        snprintf(id, sizeof(id), "contract:queue-full:%u", w->sc_cls);
        snprintf(text, sizeof(text),
                 "command 0x%x/%u dropped its task on a full queue but returned %s r1=0x%x, "
                 "not Failure(NOMEM)",
                 (unsigned)w->sc_regs[0], (unsigned)w->sc_regs[1],
                 gs_ret_variant_name((enum gs_ret_variant)ev->a), (unsigned)ev->r[1]);
        finding(w, id, text);
    }
}

void gs_fz_watch_event(void *ctx, const struct gs_event *ev)
{
    struct gs_fz_watch *w = ctx;
    char id[128];

    switch (ev->kind) {
    case GS_EV_SYSCALL:
        w->steps++;
        w->syscalls++;
        w->ga_at_entry = w->k->inject.grant_allocs;
        w->sc_cls = ev->a;
        memcpy(w->sc_regs, ev->r, sizeof(w->sc_regs));
        w->sc_dropped_nomem = false;
        break;
    case GS_EV_SYSCALL_RETURN:
        w->syscall_returns++;
        if (w->k->syscall_class >= 0) /* not a Yield-WaitFor completion */
            check_contracts(w, ev);
        break;
    case GS_EV_FAULT:
        w->steps++;
        w->faults++;
        break;
    case GS_EV_RESTARTED:
        w->restarts++;
        break;
    case GS_EV_UPCALL_DELIVERED:
        w->upcalls++;
        break;
    case GS_EV_IPC_DISPATCH:
        w->ipc_dispatches++;
        break;
    case GS_EV_TASK_DROPPED:
        w->tasks_dropped++;
        if (ev->d == GS_EC_NOMEM) {
            w->tasks_dropped_nomem++;
            w->sc_dropped_nomem = true;
        }
        break;
    case GS_EV_GRANT_ALLOCATED:
        w->grant_allocs++;
        break;
    case GS_EV_MPU_CONFIGURED:
        w->mpu_configs++;
        break;
    case GS_EV_FINDING: {
        gs_finding_id(ev->finding, id, sizeof(id));
        if (ev->finding->kind == GS_FIND_PANIC && w->expect_panic &&
            (!w->expect_panic_site || strcmp(ev->finding->site, w->expect_panic_site) == 0)) {
            w->expected_panics++;
            w->expect_panic = false;
            break;
        }
        finding(w, id, ev->finding->text);
        break;
    }
    default:
        break;
    }
}

/* ---- the board ---- */

/* Writes the fake image and the name table into an app's flash. */
static int write_app(struct gs_kernel *k, uint32_t app_start)
{
    int e = gs_fake_app_image(k, app_start);
    uint8_t *names;

    if (e)
        return e;
    names = gs_mem_host_ptr(k->mem, app_start + GS_PROG_NAME_OFF, 32 * GS_PROG_NAMES);
    if (!names)
        return GS_E_BOUNDS;
    for (unsigned i = 0; i < GS_PROG_NAMES; i++)
        memcpy(names + 32 * i, gs_prog_names[i], strlen(gs_prog_names[i]) + 1);
    return GS_OK;
}

unsigned gs_fz_prefill(struct gs_process *p)
{
    struct gs_task t;
    unsigned n = 0;

    memset(&t, 0, sizeof(t));
    t.kind = GS_TASK_RETURN_VALUE;
    t.id.driver = 0xF111;
    while (gs_tasks_len(p) < GS_CALLBACK_LEN - 1 && gs_tasks_enqueue(p, &t) == GS_OK)
        n++;
    return n;
}

void gs_fz_app_info(uint32_t *next_flash, uint32_t min_ram, const char *name,
                    struct gs_app_info *app)
{
    memset(app, 0, sizeof(*app));
    app->flash_start = *next_flash;
    app->flash_len = GS_FZ_APP_FLASH;
    app->header_size = GS_FZ_APP_HEADER;
    app->init_fn_offset = gs_fake_init_offset(0);
    app->min_ram = min_ram;
    app->binary_end = GS_FZ_APP_FLASH;
    app->name = name;
    app->name_len = (uint32_t)strlen(name);
    *next_flash += GS_FZ_APP_FLASH;
}

int gs_fz_board_build(struct gs_fz_board *b, const struct gs_prog *prog, struct gs_fz_watch *w)
{
    struct gs_kernel_config cfg;
    struct gs_kernel *k;
    int e;

    memset(b, 0, sizeof(*b));
    b->mem = gs_fz_mem();
    b->pool_start = GS_FZ_RAM_BASE;
    b->pool_len = GS_FZ_RAM_SIZE;
    b->next_flash = GS_FZ_FLASH_BASE;
    gs_kernel_config_default(&cfg);
    cfg.profile = prog->profile;
    cfg.num_procs = prog->slots;
    cfg.mpu_regions = prog->mpu_regions;
    if ((e = gs_kernel_new(b->mem, &cfg, &b->k)) != GS_OK)
        return e;
    k = b->k;
    w->k = k;
    w->prog = prog;
    if ((e = gs_kernel_add_observer(k, gs_fz_watch_event, w)) != GS_OK)
        return e;
    k->check_invariants = true;
    if ((e = gs_kernel_set_timeslice(k, prog->timeslice)) != GS_OK)
        return e;
    if ((e = gs_fake_new(k, prog->inline_svc, &b->fake)) != GS_OK)
        return e;
    if ((e = gs_capsule_set_init(k, &b->caps, &prog->test_shape)) != GS_OK)
        return e;

    b->nprocs = prog->nprocs;
    for (unsigned i = 0; i < prog->nprocs; i++) {
        const struct gs_prog_proc *pp = &prog->proc[i];
        struct gs_app_info app;
        struct gs_process *p = NULL;

        gs_fz_app_info(&b->next_flash, pp->min_ram, gs_prog_names[pp->name], &app);
        if ((e = write_app(k, app.flash_start + app.header_size)) != GS_OK)
            return e;
        e = gs_process_create(k, &app, &b->pool_start, &b->pool_len, &p);
        if (e == GS_E_NOMEM_HOST)
            return e;
        if (e != GS_OK)
            continue; /* the board skips an app it cannot load; a panic was reported */
        p->fault_policy = pp->policy;
        p->fault_threshold = pp->threshold;
        b->procs[i] = p;
    }
    k->inject.grant_alloc_at = prog->inject_grant_at;
    k->inject.mpu_region_at = prog->inject_mpu_at;

    /* Scripts: every argument resolved against the board as built. */
    for (unsigned i = 0; i < prog->nprocs; i++) {
        struct gs_fake_action acts[GS_PROG_MAX_ACTIONS];
        struct gs_prog_env env;
        struct gs_process *p = b->procs[i];

        if (!p)
            continue;
        memset(&env, 0, sizeof(env));
        env.ram_base = GS_FZ_RAM_BASE;
        env.self = p;
        env.kbrk0 = p->kernel_break;
        for (unsigned j = 0; j < GS_PROG_MAX_PROCS; j++)
            env.procs[j] = gs_kernel_process_at(k, j);
        for (unsigned j = 0; j < prog->proc[i].nact; j++)
            gs_prog_to_fake(&prog->proc[i].act[j], &env, &acts[j]);
        if ((e = gs_fake_script(b->fake, p->index, acts, prog->proc[i].nact)) != GS_OK)
            return e;
        b->prefill[i] = prog->proc[i].prefill;
        if (b->prefill[i])
            gs_fz_prefill(p);
    }
    return GS_OK;
}

enum gs_run_end gs_fz_board_run(struct gs_fz_board *b, struct gs_fz_watch *w)
{
    enum gs_run_end end = GS_RUN_IDLE;
    uint64_t ran = 0;
    unsigned refills = 0;
    bool keep_full = false;

    for (unsigned i = 0; i < b->nprocs; i++)
        keep_full |= b->procs[i] && b->prefill[i];
    while (ran < GS_FZ_BUDGET && w->steps < GS_FZ_MAX_STEPS && w->restarts < GS_FZ_MAX_RESTARTS) {
        bool refill = keep_full && refills < GS_FZ_MAX_REFILLS;
        /* A step takes at least one instruction: this bounds the steps of one run. */
        uint64_t left = GS_FZ_MAX_STEPS - w->steps, c = refill ? GS_FZ_REFILL_CHUNK : GS_FZ_CHUNK;
        if (c > left)
            c = left < 64 ? 64 : left;
        end = gs_kernel_run(b->k, c);
        ran += c;
        if (end != GS_RUN_LIMIT && end != GS_RUN_IDLE)
            break;
        if (refill) {
            /* Keep the queues full: top them up between runs. */
            for (unsigned i = 0; i < b->nprocs; i++)
                if (b->procs[i] && b->prefill[i] && gs_process_is_running(b->procs[i]))
                    gs_fz_prefill(b->procs[i]);
            refills++;
            continue;
        }
        if (end == GS_RUN_IDLE)
            break;
    }
    if (end == GS_RUN_ERROR)
        gs_fz_report(w, "harness", "run-error", "gs_kernel_run returned GS_RUN_ERROR");
    return end;
}

void gs_fz_board_free(struct gs_fz_board *b, struct gs_fz_watch *w)
{
    bool dirty = b->mem && (b->mem->findings || (w && (w->findings || w->known)));

    if (w && b->k) {
        w->ended = true;
        w->end_time = gs_kernel_now(b->k);
    }
    gs_fake_free(b->fake);
    gs_kernel_free(b->k);
    if (b->mem)
        gs_fz_mem_reset(b->pool_start - GS_FZ_RAM_BASE, b->next_flash - GS_FZ_FLASH_BASE, dirty);
    b->fake = NULL;
    b->k = NULL;
}

int gs_fz_run_prog(const struct gs_prog *prog, struct gs_fz_watch *w)
{
    struct gs_fz_board b;
    int e;

    e = gs_fz_board_build(&b, prog, w);
    if (e == GS_OK) {
        gs_fz_board_run(&b, w);
        if (!b.k->panicked)
            gs_invariants_check(b.k, GS_INV_QUIESCENT | GS_INV_SHADOW);
    }
    gs_fz_board_free(&b, w);
    w->k = NULL;
    return e;
}
