/* SPDX-License-Identifier: MIT */
/*
 * inject-schedules: fault injection on schedules (STYLE.md habit 7), as a
 * test in suite 'fuzz'.
 *
 * A fixed set of representative programs runs on the fuzz harness's board
 * (fake arch, every capsule):
 *   - under every N of k->inject.grant_alloc_at (the Nth grant-region
 *     allocation fails), N = 1, 2, ... until no allocation is failed;
 *   - under every N of k->inject.mpu_region_at (the Nth IPC MPU region
 *     cannot be allocated), likewise;
 *   - with every process's task queue filled before the run.
 * Each run must end clean: no oracle finding, no kernel panic, and the
 * documented error returned to the process. The harness's watcher checks the
 * last part (harness.h): a syscall whose grant allocation was failed returns
 * Failure(NOMEM); a "schedule upcall" or notify on a full queue returns
 * Failure(NOMEM). A failed IPC MPU region is ignored upstream: the service
 * still gets its upcall, so the run must deliver exactly the upcalls and IPC
 * dispatches of the run without injection.
 *
 * Known upstream behaviours (harness.c) are counted and printed, not
 * failures: ipc-restarts restarts a client whose buffer the service has
 * mapped, which upstream never unmaps.
 *
 * Each run prints an id (program, schedule, N) that names it.
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "invariants.h"
#include "ipc.h"
#include "syscall.h"

#define TEST GS_TEST_CAPSULE_NUM
#define IPC  GS_IPC_DRIVER_NUM

static struct gs_prog_arg A(uint32_t v) {
    struct gs_prog_arg a = {GS_PB_ABS, 0, v};
    return a;
}

static struct gs_prog_arg
M(uint32_t off) {
    struct gs_prog_arg a = {GS_PB_MEM, 0, off};
    return a;
}

static struct gs_prog_arg
U(uint32_t i) {
    struct gs_prog_arg a = {GS_PB_UPCALL, 0, i};
    return a;
}

static void
svc(struct gs_prog_proc *pp, uint32_t cls, struct gs_prog_arg r0, struct gs_prog_arg r1,
    struct gs_prog_arg r2, struct gs_prog_arg r3)
{
    struct gs_prog_action *a = &pp->act[pp->nact++];

    memset(a, 0, sizeof(*a));
    a->op = GS_FAKE_SVC;
    a->n = cls;
    a->r[0] = r0;
    a->r[1] = r1;
    a->r[2] = r2;
    a->r[3] = r3;
}

static void sleep_a_bit(struct gs_prog_proc *pp)
{
    svc(pp, GS_SYS_COMMAND, A(0x0), A(5), A(1), A(0));
    svc(pp, GS_SYS_YIELD, A(2), A(0x0), A(0), A(0));
}

static void base(struct gs_prog *p, unsigned nprocs)
{
    memset(p, 0, sizeof(*p));
    p->profile = GS_PROFILE_HEAD;
    p->inline_svc = true;
    p->nprocs = nprocs;
    p->slots = 4;
    p->mpu_regions = 8;
    p->timeslice = 10000;
    p->test_shape =
        (struct gs_grant_shape){.t_size = 16, .t_align = 4, .n_upcalls = 2, .n_ro = 2, .n_rw = 2};
    for (unsigned i = 0; i < nprocs; i++) {
        p->proc[i].min_ram = 2048;
        p->proc[i].policy = GS_FP_RESTART;
        p->proc[i].name = i == 0 ? 0 : 1; /* "org.tock.svc", "client" */
    }
}

/* One process using every capsule with a grant, and custom grants. */
static void every_capsule(struct gs_prog *p)
{
    struct gs_prog_proc *a;

    base(p, 1);
    a = &p->proc[0];
    svc(a, GS_SYS_MEMOP, A(0), M(0x400), A(0), A(0));
    svc(a, GS_SYS_SUBSCRIBE, A(0x1), A(1), U(1), A(7));
    svc(a, GS_SYS_RO_ALLOW, A(0x1), A(1), M(0x100), A(16));
    svc(a, GS_SYS_COMMAND, A(0x1), A(1), A(16), A(0));
    svc(a, GS_SYS_YIELD, A(1), A(0), A(0), A(0));
    sleep_a_bit(a);
    svc(a, GS_SYS_RW_ALLOW, A(0x40001), A(0), M(0x200), A(16));
    svc(a, GS_SYS_COMMAND, A(0x40001), A(1), A(8), A(0));
    svc(a, GS_SYS_YIELD, A(2), A(0x40001), A(0), A(0));
    svc(a, GS_SYS_SUBSCRIBE, A(TEST), A(0), U(2), A(9));
    svc(a, GS_SYS_RW_ALLOW, A(TEST), A(1), M(0x300), A(32));
    for (unsigned i = 0; i < 3; i++)
        svc(a, GS_SYS_COMMAND, A(TEST), A(6), A(24 + 8 * i), A(8));
    svc(a, GS_SYS_COMMAND, A(TEST), A(1), A(0), A(5));
    svc(a, GS_SYS_YIELD, A(1), A(0), A(0), A(0));
    svc(a, GS_SYS_COMMAND, A(TEST), A(2), A(4), A(0x1234));
    svc(a, GS_SYS_SUBSCRIBE, A(IPC), A(0), U(3), A(0));
    svc(a, GS_SYS_COMMAND, A(0x1), A(0), A(0), A(0));
}

/* A client sharing several buffers with a service, notifying after each. */
static void ipc_shares(struct gs_prog *p)
{
    struct gs_prog_proc *s, *c;

    base(p, 2);
    s = &p->proc[0];
    c = &p->proc[1];
    svc(s, GS_SYS_SUBSCRIBE, A(IPC), A(0), U(1), A(0x77));
    for (unsigned i = 0; i < 8; i++)
        svc(s, GS_SYS_YIELD, A(1), A(0), A(0), A(0));
    svc(c, GS_SYS_MEMOP, A(0), M(0x800), A(0), A(0));
    svc(c, GS_SYS_SUBSCRIBE, A(IPC), A(0), U(2), A(0x88));
    for (unsigned i = 0; i < 6; i++) {
        svc(c, GS_SYS_RW_ALLOW, A(IPC), A(0), M(0x100 + 0x100 * i), A(64));
        svc(c, GS_SYS_COMMAND, A(IPC), A(2), A(0), A(0));
        sleep_a_bit(c);
    }
}

/* Discovery, a shared buffer, then both sides restart in the middle of it. */
static void ipc_restarts(struct gs_prog *p)
{
    struct gs_prog_proc *s, *c;
    struct gs_prog_arg name = {GS_PB_NAME, 0, 0};

    base(p, 2);
    s = &p->proc[0];
    c = &p->proc[1];
    svc(s, GS_SYS_SUBSCRIBE, A(IPC), A(0), U(1), A(0));
    svc(s, GS_SYS_YIELD, A(1), A(0), A(0), A(0));
    svc(s, GS_SYS_COMMAND, A(IPC), A(3), A(1), A(0));
    svc(s, GS_SYS_EXIT, A(1), A(3), A(0), A(0));
    svc(c, GS_SYS_MEMOP, A(0), M(0x400), A(0), A(0));
    svc(c, GS_SYS_RO_ALLOW, A(IPC), A(0), name, A(12));
    svc(c, GS_SYS_COMMAND, A(IPC), A(1), A(0), A(0));
    svc(c, GS_SYS_SUBSCRIBE, A(IPC), A(0), U(2), A(0));
    svc(c, GS_SYS_RW_ALLOW, A(IPC), A(0), M(0x200), A(128));
    svc(c, GS_SYS_COMMAND, A(IPC), A(2), A(0), A(0));
    sleep_a_bit(c);
    svc(c, GS_SYS_COMMAND, A(IPC), A(2), A(0), A(0));
    svc(c, GS_SYS_EXIT, A(1), A(0), A(0), A(0));
}

/* Upcalls until the queue is full, and more. */
static void flood(struct gs_prog *p)
{
    struct gs_prog_proc *a;

    base(p, 2);
    a = &p->proc[0];
    svc(a, GS_SYS_SUBSCRIBE, A(TEST), A(0), U(1), A(0));
    svc(a, GS_SYS_COMMAND, A(TEST), A(8), A(12), A(0));
    svc(a, GS_SYS_COMMAND, A(TEST), A(1), A(0), A(1));
    svc(a, GS_SYS_COMMAND, A(TEST), A(1), A(1), A(2));
    svc(a, GS_SYS_YIELD, A(1), A(0), A(0), A(0));
    svc(a, GS_SYS_COMMAND, A(IPC), A(2), A(1), A(0));
    a = &p->proc[1];
    svc(a, GS_SYS_SUBSCRIBE, A(IPC), A(1), U(1), A(0));
    svc(a, GS_SYS_COMMAND, A(IPC), A(2), A(0), A(0));
    svc(a, GS_SYS_COMMAND, A(TEST), A(1), A(0), A(1));
    svc(a, GS_SYS_YIELD, A(1), A(0), A(0), A(0));
}

struct outcome {
    struct gs_fz_watch w;
    bool panicked;
    uint64_t grant_inject_calls; /* grant allocations counted by the injector */
    uint64_t mpu_inject_calls;
};

/* Runs one program; the board is freed before returning. */
static int run(const struct gs_prog *prog, struct outcome *o)
{
    struct gs_fz_board b;
    int e;

    memset(o, 0, sizeof(*o));
    gs_fz_watch_init_env(&o->w, false);
    e = gs_fz_board_build(&b, prog, &o->w);
    if (e == 0) {
        gs_fz_board_run(&b, &o->w);
        o->panicked = b.k->panicked;
        if (!o->panicked)
            gs_invariants_check(b.k, GS_INV_QUIESCENT | GS_INV_SHADOW);
        o->grant_inject_calls = b.k->inject.grant_allocs;
        o->mpu_inject_calls = b.k->inject.mpu_regions;
    }
    gs_fz_board_free(&b, &o->w);
    return e;
}

static unsigned failures;

static bool clean(const char *id, const struct gs_prog *prog, const struct outcome *o)
{
    if (o->w.known)
        printf("     %s: %u findings of known upstream behaviour (harness.c)\n", id, o->w.known);
    if (o->w.findings == 0 && !o->panicked)
        return true;
    printf("FAIL %s: %s%s\n", id, o->panicked ? "kernel panic; " : "", o->w.first_id);
    if (o->w.first_text[0])
        printf("  %s\n", o->w.first_text);
    gs_prog_print(prog, stdout);
    failures++;
    return false;
}

static void schedules(const char *name, void (*make)(struct gs_prog *))
{
    static struct gs_prog prog;
    struct outcome base_o, o;
    char id[128];
    unsigned n;

    make(&prog);
    snprintf(id, sizeof(id), "%s/baseline", name);
    if (run(&prog, &base_o) != 0 || !clean(id, &prog, &base_o)) {
        printf("FAIL %s: the program does not run clean without injection\n", id);
        failures++;
        return;
    }
    printf("ok   %s: %llu syscalls, %llu grants, %llu upcalls, %llu IPC dispatches\n", id,
           (unsigned long long)base_o.w.syscalls, (unsigned long long)base_o.w.grant_allocs,
           (unsigned long long)base_o.w.upcalls, (unsigned long long)base_o.w.ipc_dispatches);

    for (n = 1;; n++) {
        prog.inject_grant_at = n;
        snprintf(id, sizeof(id), "%s/grant-alloc-at=%u", name, n);
        run(&prog, &o);
        if (o.grant_inject_calls < n)
            break; /* the Nth allocation never happened: the schedule is complete */
        if (clean(id, &prog, &o))
            printf("ok   %s: %s\n", id,
                   o.w.inject_grant_hits ? "Failure(NOMEM) returned to the process"
                                         : "failed in kernel work (no syscall to answer)");
    }
    prog.inject_grant_at = 0;
    if (n == 1 && base_o.w.grant_allocs) {
        printf("FAIL %s/grant-alloc: no allocation was ever injected\n", name);
        failures++;
    }

    for (n = 1;; n++) {
        prog.inject_mpu_at = n;
        snprintf(id, sizeof(id), "%s/mpu-region-at=%u", name, n);
        run(&prog, &o);
        if (o.mpu_inject_calls < n)
            break;
        if (!clean(id, &prog, &o))
            continue;
        if (o.w.ipc_dispatches != base_o.w.ipc_dispatches || o.w.upcalls != base_o.w.upcalls) {
            printf("FAIL %s: %llu IPC dispatches and %llu upcalls, %llu and %llu without "
                   "injection\n",
                   id, (unsigned long long)o.w.ipc_dispatches, (unsigned long long)o.w.upcalls,
                   (unsigned long long)base_o.w.ipc_dispatches,
                   (unsigned long long)base_o.w.upcalls);
            failures++;
            continue;
        }
        printf("ok   %s: region not mapped, upcall delivered\n", id);
    }
    prog.inject_mpu_at = 0;
    if (n == 1 && base_o.w.ipc_dispatches) {
        printf("FAIL %s/mpu-region: no MPU region was ever injected\n", name);
        failures++;
    }

    for (unsigned i = 0; i < prog.nprocs; i++)
        prog.proc[i].prefill = true;
    snprintf(id, sizeof(id), "%s/queue-prefilled", name);
    run(&prog, &o);
    if (clean(id, &prog, &o))
        printf("ok   %s: %llu tasks dropped (%llu for a full queue)\n", id,
               (unsigned long long)o.w.tasks_dropped, (unsigned long long)o.w.tasks_dropped_nomem);
}

int main(void)
{
    schedules("every-capsule", every_capsule);
    schedules("ipc-shares", ipc_shares);
    schedules("ipc-restarts", ipc_restarts);
    schedules("flood", flood);
    printf("%s: %u failures\n", failures ? "FAIL" : "PASS", failures);
    return failures ? 1 : 0;
}
