/* SPDX-License-Identifier: MIT */
/*
 * Cost growth (meson suite "bench"): the cost of one syscall as the number
 * of processes grows. Prints figures; asserts nothing about time.
 *
 * Every process runs the same script: one brk (app memory for the buffers
 * below), then MIX_ITERS times the mix
 *
 *   subscribe   test capsule upcall 0 to upcall entry 0
 *   command     test capsule 1: schedule upcall 0 (a task in the queue)
 *   yield       no-wait, the byte in app memory; delivers that upcall
 *   allow       read-write allow 0 of the test capsule, 32 bytes of app memory
 *   command     test capsule 3: load a word of T
 *   memop       sbrk(0)
 *
 * then Yield-Wait, so a run ends idle once every process has waited. With N
 * processes a run makes N times as many syscalls; the cost of one should not
 * depend on N. Two paths, each with N = 1, 2, 4, 8, 16 processes in N
 * process slots and every kernel oracle on (check_invariants), as the
 * fuzzers run them:
 *
 *   fake arch   a board as gs_fz_board_build (src/prog/prog-run.c) builds
 *               one (every capsule, the fake arch with inline svc, the fuzz
 *               watcher as observer), built here because the decoder's programs have at
 *               most GS_PROG_MAX_PROCS processes; run in GS_FZ_CHUNK
 *               instruction chunks as gs_fz_board_run does, without its step
 *               budget (which would cap the syscalls whatever N is)
 *   machine     a gs_board with N scripted Thumb processes (script.h, not
 *               recording, so the guest makes no stores of its own) making
 *               real svc calls under the Cortex-M machine, reset and reloaded
 *               between runs as fuzz-machine's reused boards are
 *
 * Only the runs are timed (not building or resetting the board), after one
 * untimed run of each N (the engines' first translation of the code). The N
 * values are measured in interleaved rounds, so that a slow moment of a
 * shared machine spreads over all of them. An observer counts every run's
 * syscalls, the ones that returned a Failure variant, and the upcalls
 * delivered (the mix is meant to have no failure, and one upcall per
 * iteration plus each process's first function call).
 *
 *   bench_cost [--oracles-off] [SECONDS]
 *       the table; SECONDS of runs per path (default 2). --oracles-off runs
 *       the same with check_invariants off (no layout, shadow or reference
 *       oracle after each operation): the kernel's own cost.
 *   bench_cost [--oracles-off] fake|machine N [RUNS]
 *       only RUNS runs (default 200) of one path with N processes, for a
 *       profiler. Exact instruction counts of the runs alone:
 *       valgrind --tool=callgrind --toggle-collect=gs_kernel_run (fake) or
 *       --toggle-collect=gs_board_run (machine), divided by the syscalls
 *       printed; give each N the same number of syscalls (RUNS = 320 / N).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "board.h"
#include "capsules.h"
#include "errors.h"
#include "fake_arch.h"
#include "harness.h"
#include "ipc.h"
#include "kernel.h"
#include "process.h"
#include "sched.h"
#include "script.h"
#include "syscall.h"

#define MIX_ITERS  40u
#define MIX_LEN    6u
#define SCRIPT_LEN (1u + MIX_LEN * MIX_ITERS) /* brk, the mixes; then Yield-Wait */
#define MAX_N      16u
#define NSIZES     5u
#define ROUNDS     8u
#define MIN_RAM    1024u
#define BRK_OFF    0x400u /* the brk: app memory up to memory_start + BRK_OFF */
#define BYTE_OFF   0x60u  /* the yield-no-wait byte */
#define BUF_OFF    0x80u  /* the allowed buffer */
#define BUF_LEN    32u
#define GOAL       1.5

/* The fake path's memory: the harness's RAM, flash for 16 apps of GS_FZ_APP_FLASH. */
#define FAKE_FLASH_SIZE (MAX_N * GS_FZ_APP_FLASH)

static const unsigned sizes[NSIZES] = {1, 2, 4, 8, 16};

/* k->check_invariants of every kernel built here (--oracles-off clears it). */
static bool oracles = true;

/* An argument of the mix, in terms both script formats have. */
enum base { ABS, MEM, UPCALL };

struct step {
    uint32_t cls;
    enum base base[4];
    uint32_t v[4];
};

static const struct step brk_step = {GS_SYS_MEMOP, {ABS, MEM, ABS, ABS}, {0, BRK_OFF, 0, 0}};

static const struct step mix[MIX_LEN] = {
    {GS_SYS_SUBSCRIBE, {ABS, ABS, UPCALL, ABS}, {GS_TEST_CAPSULE_NUM, 0, 0, 0x1234}},
    {GS_SYS_COMMAND, {ABS, ABS, ABS, ABS}, {GS_TEST_CAPSULE_NUM, 1, 0, 7}},
    {GS_SYS_YIELD, {ABS, MEM, ABS, ABS}, {0, BYTE_OFF, 0, 0}},
    {GS_SYS_RW_ALLOW, {ABS, ABS, MEM, ABS}, {GS_TEST_CAPSULE_NUM, 0, BUF_OFF, BUF_LEN}},
    {GS_SYS_COMMAND, {ABS, ABS, ABS, ABS}, {GS_TEST_CAPSULE_NUM, 3, 0, 0}},
    {GS_SYS_MEMOP, {ABS, ABS, ABS, ABS}, {1, 0, 0, 0}},
};

/* The test capsule's grant shape (tests/helpers.c fb_init's). */
static const struct gs_grant_shape test_shape = {
    .t_size = 16, .t_align = 4, .n_upcalls = 2, .n_ro = 2, .n_rw = 2};

static const struct step *script_step(unsigned i)
{
    return i == 0 ? &brk_step : &mix[(i - 1) % MIX_LEN];
}

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, int e)
{
    fprintf(stderr, "bench_cost: %s (%s)\n", what, gs_err_name(e));
    exit(2);
}

/* What the observer counts during runs. */
struct counts {
    uint64_t syscalls, failures, upcalls;
};

static void count_event(void *ctx, const struct gs_event *ev)
{
    struct counts *c = ctx;

    if (ev->kind == GS_EV_SYSCALL)
        c->syscalls++;
    else if (ev->kind == GS_EV_SYSCALL_RETURN && ev->a < GS_RET_SUCCESS)
        c->failures++;
    else if (ev->kind == GS_EV_UPCALL_DELIVERED)
        c->upcalls++;
}

/* ---- the fake arch, as the fuzz harness runs it ---- */

struct fake_board {
    struct gs_mem mem;
    struct gs_kernel *k;
    struct gs_fake *fake;
    struct gs_capsule_set caps;
    struct gs_fz_watch w;
    uint32_t pool_start, pool_len, next_flash;
};

static void fake_action(const struct step *s, struct gs_fake_action *a)
{
    static const enum gs_fake_base fb[] = {GS_FB_ABS, GS_FB_MEM, GS_FB_UPCALL};

    memset(a, 0, sizeof(*a));
    a->op = GS_FAKE_SVC;
    a->n = s->cls;
    for (unsigned j = 0; j < 4; j++) {
        a->r[j] = s->v[j];
        a->base[j] = fb[s->base[j]];
    }
}

/* gs_fz_board_build's board with n copies of the script (gs_fz_mem's geometry). */
static void fake_build(struct fake_board *b, unsigned n, struct counts *c)
{
    static struct gs_fake_action acts[SCRIPT_LEN];
    struct gs_kernel_config cfg;
    struct gs_kernel *k;
    int e;

    for (unsigned i = 0; i < SCRIPT_LEN; i++)
        fake_action(script_step(i), &acts[i]);
    gs_kernel_config_default(&cfg);
    cfg.num_procs = n;
    if ((e = gs_kernel_new(&b->mem, &cfg, &b->k)) != GS_OK)
        die("no kernel", e);
    k = b->k;
    gs_fz_watch_init_env(&b->w, false);
    b->w.k = k;
    if ((e = gs_kernel_add_observer(k, gs_fz_watch_event, &b->w)) != GS_OK ||
        (e = gs_kernel_add_observer(k, count_event, c)) != GS_OK)
        die("no observer", e);
    k->check_invariants = oracles;
    if ((e = gs_kernel_set_timeslice(k, GS_DEFAULT_TIMESLICE)) != GS_OK ||
        (e = gs_fake_new(k, true, &b->fake)) != GS_OK)
        die("no fake arch", e);
    if ((e = gs_capsule_set_init(k, &b->caps, &test_shape)) != GS_OK)
        die("no capsules", e);
    b->pool_start = GS_FZ_RAM_BASE;
    b->pool_len = GS_FZ_RAM_SIZE;
    b->next_flash = GS_FZ_FLASH_BASE;
    for (unsigned i = 0; i < n; i++) {
        struct gs_app_info app;
        struct gs_process *p = NULL;

        gs_fz_app_info(&b->next_flash, MIN_RAM, "cost", &app);
        if ((e = gs_fake_app_image(k, app.flash_start + app.header_size)) != GS_OK)
            die("no fake image", e);
        if ((e = gs_process_create(k, &app, &b->pool_start, &b->pool_len, &p)) != GS_OK)
            die("a process was not created", e);
        p->fault_policy = GS_FP_STOP;
        if ((e = gs_fake_script(b->fake, p->index, acts, SCRIPT_LEN)) != GS_OK)
            die("no script", e);
    }
}

static void fake_free(struct fake_board *b)
{
    gs_fake_free(b->fake);
    gs_kernel_free(b->k);
    gs_mem_reset(&b->mem, GS_FZ_RAM_BASE, b->pool_start, GS_FZ_FLASH_BASE, b->next_flash);
    b->fake = NULL;
    b->k = NULL;
}

/* One run of n processes; returns its seconds. */
static double fake_run(struct fake_board *b, unsigned n, struct counts *c, unsigned *findings)
{
    double t0, t;

    fake_build(b, n, c);
    t0 = now();
    for (uint64_t ran = 0; ran < GS_FZ_BUDGET * MAX_N; ran += GS_FZ_CHUNK)
        if (gs_kernel_run(b->k, GS_FZ_CHUNK) != GS_RUN_LIMIT)
            break;
    t = now() - t0;
    *findings += b->w.findings + b->w.known;
    fake_free(b);
    return t;
}

/* ---- the Cortex-M machine ---- */

static struct gs_board *machine_new(unsigned n, struct counts *c)
{
    struct gs_board_config cfg;
    struct gs_board *b;
    int e;

    gs_board_config_default(&cfg);
    cfg.kernel.num_procs = n;
    if ((e = gs_board_new(&cfg, &b)) != GS_OK)
        die("no board", e);
    if ((e = gs_board_add_capsule_set(b, &test_shape)) != GS_OK)
        die("no capsules", e);
    if ((e = gs_kernel_add_observer(b->k, count_event, c)) != GS_OK)
        die("no observer", e);
    b->k->check_invariants = oracles;
    return b;
}

static void machine_load(struct gs_board *b, unsigned n)
{
    static const uint8_t sb[] = {GS_SCRIPT_BASE_ABS, GS_SCRIPT_BASE_RAM, GS_SCRIPT_BASE_UPCALL};
    static struct gs_script_step steps[SCRIPT_LEN];
    struct gs_script s;
    struct gs_load_error err;
    int e;

    for (unsigned i = 0; i < SCRIPT_LEN; i++) {
        const struct step *st = script_step(i);
        steps[i].kind = st->cls;
        for (unsigned j = 0; j < 4; j++)
            steps[i].a[j] = (struct gs_script_arg){sb[st->base[j]], st->v[j]};
    }
    memset(&s, 0, sizeof(s));
    s.prologue = 0; /* not recording: the interpreter stores nothing */
    s.final = GS_SCRIPT_YIELD_WAIT;
    s.nsteps = SCRIPT_LEN;
    s.steps = steps;
    for (unsigned i = 0; i < n; i++)
        if ((e = gs_board_add_script(b, &s, "cost", MIN_RAM, &err)) != GS_OK)
            die("no script app", e);
    if ((e = gs_board_load(b, NULL)) != GS_OK)
        die("not loaded", e);
    for (unsigned i = 0; i < n; i++)
        if (!gs_board_process(b, i))
            die("a process was not created", GS_E_NO_SLOT);
}

static double machine_run(struct gs_board *b, unsigned n, unsigned *findings)
{
    uint64_t f0;
    double t0, t;

    gs_board_reset(b);
    machine_load(b, n);
    f0 = b->k->findings;
    t0 = now();
    gs_board_run(b, UINT64_MAX / 4);
    t = now() - t0;
    *findings += (unsigned)(b->k->findings - f0);
    return t;
}

/* ---- the table ---- */

struct cell {
    struct counts c;
    double secs;
    unsigned runs, findings;
};

struct path {
    const char *name;
    struct cell cell[NSIZES];
    struct gs_board *boards[NSIZES]; /* machine: one board per N, reused */
    struct fake_board *fb;
};

/* One run of path `m` (0 fake, 1 machine) with sizes[i] processes. */
static void run_once(struct path *pa, int m, unsigned i)
{
    struct cell *ce = &pa->cell[i];
    unsigned n = sizes[i];

    if (m == 0) {
        ce->secs += fake_run(pa->fb, n, &ce->c, &ce->findings);
    } else {
        if (!pa->boards[i])
            pa->boards[i] = machine_new(n, &ce->c);
        ce->secs += machine_run(pa->boards[i], n, &ce->findings);
    }
    ce->runs++;
}

static double ns_per_syscall(const struct cell *ce)
{
    return ce->c.syscalls ? ce->secs * 1e9 / (double)ce->c.syscalls : 0;
}

static void print_path(const struct path *pa)
{
    double base = ns_per_syscall(&pa->cell[0]), last = 0;

    printf("\n%s\n", pa->name);
    printf("  %5s %6s %10s %12s %12s %9s %9s\n", "N", "runs", "syscalls", "ns/syscall",
           "ratio to 1", "failures", "upcalls");
    for (unsigned i = 0; i < NSIZES; i++) {
        const struct cell *ce = &pa->cell[i];
        double ns = ns_per_syscall(ce);
        last = base > 0 ? ns / base : 0;
        printf("  %5u %6u %10llu %12.1f %11.2fx %9llu %9llu\n", sizes[i], ce->runs,
               (unsigned long long)ce->c.syscalls, ns, last, (unsigned long long)ce->c.failures,
               (unsigned long long)ce->c.upcalls);
        if (ce->findings)
            printf("        (%u oracle findings: the figures are not those of a clean run)\n",
                   ce->findings);
    }
    printf("  cost per syscall must stay flat: <= %.1fx from 1 to 16: %.2fx, %s\n", GOAL, last,
           last <= GOAL ? "met" : "NOT met");
}

static int profile_one(const char *which, unsigned n, unsigned runs)
{
    struct path pa;
    unsigned i = 0;
    int m = strcmp(which, "machine") == 0;

    memset(&pa, 0, sizeof(pa));
    while (i < NSIZES && sizes[i] != n)
        i++;
    if (i == NSIZES || (!m && strcmp(which, "fake") != 0)) {
        fprintf(stderr, "usage: bench_cost [--oracles-off] [SECONDS]\n"
                        "       bench_cost [--oracles-off] fake|machine 1|2|4|8|16 [RUNS]\n");
        return 2;
    }
    pa.fb = calloc(1, sizeof(*pa.fb));
    if (!pa.fb || gs_mem_init(&pa.fb->mem, GS_FZ_RAM_BASE, GS_FZ_RAM_SIZE, GS_FZ_FLASH_BASE,
                              FAKE_FLASH_SIZE) != GS_OK)
        die("no memory", GS_E_NOMEM_HOST);
    for (unsigned r = 0; r < runs; r++)
        run_once(&pa, m, i);
    printf("%s, %u processes: %u runs, %llu syscalls, %.1f ns/syscall\n", which, n, runs,
           (unsigned long long)pa.cell[i].c.syscalls, ns_per_syscall(&pa.cell[i]));
    gs_board_free(pa.boards[i]);
    gs_mem_free(&pa.fb->mem);
    free(pa.fb);
    return 0;
}

int main(int argc, char **argv)
{
    static struct path paths[2];
    double budget = 2.0;

    if (argc > 1 && strcmp(argv[1], "--oracles-off") == 0) {
        oracles = false;
        argc--;
        argv++;
    }
    if (argc > 2)
        return profile_one(argv[1], (unsigned)atoi(argv[2]),
                           argc > 3 ? (unsigned)atoi(argv[3]) : 200);
    if (argc > 1)
        budget = atof(argv[1]);
    if (!(budget > 0))
        budget = 2.0;
    paths[0].name = oracles ? "fake arch, fuzz harness board (kernel loop, every oracle)"
                            : "fake arch, fuzz harness board (kernel loop, oracles off)";
    paths[1].name = oracles ? "Cortex-M machine, scripted processes (every oracle)"
                            : "Cortex-M machine, scripted processes (oracles off)";
    paths[0].fb = calloc(1, sizeof(*paths[0].fb));
    if (!paths[0].fb || gs_mem_init(&paths[0].fb->mem, GS_FZ_RAM_BASE, GS_FZ_RAM_SIZE,
                                    GS_FZ_FLASH_BASE, FAKE_FLASH_SIZE) != GS_OK)
        die("no memory", GS_E_NOMEM_HOST);

    printf("grantsim cost growth: cost per syscall with 1-16 processes (one run; machines are "
           "noisy)\n");
    printf("mix per process: brk, %u x {subscribe, command (schedule upcall), yield-no-wait, "
           "rw allow, command (load T), memop sbrk(0)}, Yield-Wait\n",
           MIX_ITERS);
    for (int m = 0; m < 2; m++) {
        /* Each round gives every N the same share of the path's time. */
        double slice = budget / ROUNDS / NSIZES;
        /* A first run of each N, not counted: the engines translate the code. */
        for (unsigned i = 0; i < NSIZES; i++) {
            run_once(&paths[m], m, i);
            memset(&paths[m].cell[i], 0, sizeof(paths[m].cell[i]));
        }
        for (unsigned r = 0; r < ROUNDS; r++)
            for (unsigned i = 0; i < NSIZES; i++) {
                double t0 = now();
                do
                    run_once(&paths[m], m, i);
                while (now() - t0 < slice);
            }
        print_path(&paths[m]);
    }
    for (unsigned i = 0; i < NSIZES; i++)
        gs_board_free(paths[1].boards[i]);
    gs_mem_free(&paths[0].fb->mem);
    free(paths[0].fb);
    return 0;
}
