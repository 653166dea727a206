/* SPDX-License-Identifier: MIT */
/*
 * Machine benchmarks (meson suite "bench"). Prints figures; asserts nothing
 * about time. Ratios are measured in the same run.
 *
 *   enforcement ratio   the same guest loop as a process under the machine
 *                       (MPU-derived mapping, block hook for time) vs a bare
 *                       Unicorn engine with everything mapped and no hook
 *   svc rate            command syscalls handled inside the interrupt hook
 *   yield rate          libtock-c's yield_no_wait in a loop, RW pages adaptive vs RAM
 *   switch rate         runs per second for two processes and small timeslices
 *   board cost          a new board per input vs gs_board_reset (2 apps, short run)
 *   restart cost        a script that only exits with restart: the cost of its first and
 *                       of its last thousand restarts in one run of 20,000
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unicorn/unicorn.h>

#include "board.h"
#include "errors.h"
#include "loader.h"
#include "observer.h"
#include "process.h"
#include "sched.h"
#include "thumb.h"

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A tiny assembler over the project's Thumb encoder. */
struct prog {
    uint8_t code[256];
    size_t len;
};

static void emit(struct prog *p, int rc, const struct gs_thumb_insn *i)
{
    if (rc != 0) {
        fprintf(stderr, "bench: encoding failed\n");
        exit(2);
    }
    p->len += gs_thumb_put(p->code + p->len, i);
}
#define E(call)                                                                                    \
    do {                                                                                           \
        struct gs_thumb_insn i_;                                                                   \
        emit(p, call, &i_);                                                                        \
    } while (0)
#define I (&i_)

enum kind { ALU, MEM, MEM_CUT, SVC, SPIN, YIELD };

/*
 * brk(memory_start + brk_off); r5 = memory_start + data_off; r4 = iterations;
 * the loop body; then exit-terminate. Returns the offset of the final svc
 * (the bare run stops there).
 */
static size_t build(struct prog *p, enum kind k, uint32_t iters)
{
    size_t loop, exit_at;
    /* MEM: data in a fully accessible page; MEM_CUT: in the page the app break cuts. */
    uint32_t brk_off = k == MEM_CUT ? 0x300 : 0x800, data_off = k == MEM_CUT ? 0x200 : 0x400;

    p->len = 0;
    E(gs_thumb_mov_reg(I, 5, 1));
    E(gs_thumb_movs_imm(I, 0, 0));
    E(gs_thumb_movw(I, 1, brk_off));
    E(gs_thumb_adds_reg(I, 1, 1, 5));
    E(gs_thumb_svc(I, 5));
    E(gs_thumb_movw(I, 6, data_off));
    E(gs_thumb_adds_reg(I, 5, 5, 6));
    E(gs_thumb_movw(I, 4, iters & 0xFFFF));
    E(gs_thumb_movt(I, 4, iters >> 16));
    if (k == YIELD) { /* a stack in the data page */
        E(gs_thumb_movw(I, 6, 0x3F0));
        E(gs_thumb_adds_reg(I, 6, 6, 5));
        E(gs_thumb_mov_reg(I, 13, 6));
    }
    loop = p->len;
    switch (k) {
    case ALU:
        E(gs_thumb_adds_reg(I, 0, 0, 1));
        E(gs_thumb_adds_reg(I, 2, 2, 0));
        E(gs_thumb_lsls_imm(I, 3, 2, 1));
        E(gs_thumb_adds_reg(I, 6, 3, 2));
        E(gs_thumb_adds_imm(I, 7, 7, 3));
        break;
    case MEM:
    case MEM_CUT:
        E(gs_thumb_ldr_imm(I, 0, 5, 0));
        E(gs_thumb_adds_imm(I, 0, 0, 1));
        E(gs_thumb_str_imm(I, 0, 5, 4));
        E(gs_thumb_ldr_imm(I, 1, 5, 8));
        E(gs_thumb_ldr_imm(I, 2, 5, 12));
        break;
    case SVC:
        E(gs_thumb_movs_imm(I, 0, 0x10)); /* no driver 0x10: Failure(NODEVICE) */
        E(gs_thumb_movs_imm(I, 1, 0));
        E(gs_thumb_svc(I, 2));
        break;
    case SPIN:
        E(gs_thumb_adds_imm(I, 0, 0, 1));
        break;
    case YIELD: /* libtock-c's yield_no_wait: the flag byte on the stack, Yield-NoWait */
        E(gs_thumb_push(I, 0x4007)); /* push {r0, r1, r2, lr} */
        E(gs_thumb_mov_reg(I, 6, 13));
        E(gs_thumb_movs_imm(I, 0, 0));
        E(gs_thumb_strb_imm(I, 0, 6, 7));
        E(gs_thumb_adds_imm(I, 1, 6, 7));
        E(gs_thumb_svc(I, 0));
        E(gs_thumb_ldrb_imm(I, 0, 6, 7));
        E(gs_thumb_pop(I, 0x000F)); /* pop {r0, r1, r2, r3} */
        break;
    }
    E(gs_thumb_subs_imm(I, 4, 4, 1));
    {
        struct gs_thumb_insn i_;
        int32_t off = (int32_t)loop - (int32_t)(p->len + 4);
        emit(p, gs_thumb_b_cond(&i_, GS_CC_NE, off), &i_);
    }
    exit_at = p->len;
    E(gs_thumb_movs_imm(I, 0, 0));
    E(gs_thumb_movs_imm(I, 1, 0));
    E(gs_thumb_svc(I, 6));
    E(gs_thumb_udf(I, 0));
    while (p->len % 4)
        E(gs_thumb_udf(I, 0));
    /* The 4-byte relocation word a TBF image ends with (none here). */
    memset(p->code + p->len, 0, 4);
    p->len += 4;
    return exit_at;
}

/* Adds `copies` processes running p and loads them. */
static void add_apps(struct gs_board *b, const struct prog *p, unsigned copies)
{
    struct gs_tbf_synth s;
    uint8_t *tbf;
    size_t tlen;

    memset(&s, 0, sizeof(s));
    s.image = p->code;
    s.image_len = (uint32_t)p->len;
    s.init_fn_offset = 1;
    s.minimum_ram_size = 1024;
    s.package_name = "bench";
    s.kernel_major = 2;
    s.kernel_minor = 3;
    if (gs_tbf_synthesize(&s, &tbf, &tlen, NULL) != GS_OK) {
        fprintf(stderr, "bench: no tbf\n");
        exit(2);
    }
    for (unsigned i = 0; i < copies; i++)
        gs_board_add_tbf(b, tbf, tlen, NULL);
    free(tbf);
    gs_board_load(b, NULL);
}

/* The RW page mapping of the boards made next (gs_machine_set_adaptive_rw). */
static bool adaptive_rw = true;

static struct gs_board *board_with(const struct prog *p, unsigned copies, uint64_t timeslice,
                                   bool enforce)
{
    struct gs_board_config c;
    struct gs_board *b;

    gs_board_config_default(&c);
    c.timeslice = timeslice;
    if (gs_board_new(&c, &b) != GS_OK) {
        fprintf(stderr, "bench: no board\n");
        exit(2);
    }
    gs_machine_set_enforce(b->machine, enforce);
    gs_machine_set_adaptive_rw(b->machine, adaptive_rw);
    gs_board_add_console(b, 1);
    add_apps(b, p, copies);
    return b;
}

/* Seconds for the loop as a process under the machine. */
static double machine_time(enum kind k, uint32_t iters, bool enforce, uint64_t *instructions)
{
    struct prog p;
    struct gs_board *b;
    double t0, t;

    build(&p, k, iters);
    b = board_with(&p, 1, 0, enforce);
    t0 = now();
    gs_board_run(b, UINT64_MAX / 4);
    t = now() - t0;
    *instructions = gs_kernel_now(b->k);
    if (gs_board_process(b, 0)->state != GS_ST_TERMINATED)
        fprintf(stderr, "bench: the loop did not finish\n");
    gs_board_free(b);
    return t;
}

/* Seconds for the same loop on a bare engine: all memory mapped, no hooks. */
static double bare_time(enum kind k, uint32_t iters)
{
    static uint8_t flash[4096], ram[4096];
    struct prog p;
    uc_engine *uc;
    uint32_t r1 = 0x20000000, sp = 0x20000020;
    size_t exit_at = build(&p, k, iters);
    double t0, t;

    memcpy(flash, p.code, p.len);
    uc_open(UC_ARCH_ARM, UC_MODE_THUMB, &uc);
    uc_ctl_set_cpu_model(uc, UC_CPU_ARM_CORTEX_M4);
    uc_mem_map_ptr(uc, 0x30000, sizeof(flash), UC_PROT_READ | UC_PROT_EXEC, flash);
    uc_mem_map_ptr(uc, 0x20000000, sizeof(ram), UC_PROT_ALL, ram);
    /* Skip the brk svc (a bare engine has no kernel): start after it. */
    uc_reg_write(uc, UC_ARM_REG_R1, &r1);
    uc_reg_write(uc, UC_ARM_REG_SP, &sp);
    {
        uint32_t r5 = r1 + (k == MEM_CUT ? 0x200 : 0x400), pc = 0x30000 + 10;
        uint32_t v = (k == MEM_CUT ? 0x200 : 0x400);
        (void)v;
        uc_reg_write(uc, UC_ARM_REG_R5, &r1);
        (void)r5;
        uc_emu_start(uc, 0x30000 | 1, pc, 0, 0); /* mov r5, r1 ... up to the svc */
    }
    {
        uint32_t pc = 0x30000 + 12; /* after the svc */
        t0 = now();
        uc_emu_start(uc, pc | 1, 0x30000 + exit_at, 0, 0);
    }
    t = now() - t0;
    uc_close(uc);
    return t;
}

/*
 * The enforcement ratio: machine with the MPU enforced vs the same machine
 * mapping everything (same block hook for time, same kernel). A bare engine
 * with no hook at all is printed for reference.
 */
static void ratio(const char *name, enum kind k, uint32_t iters)
{
    uint64_t insns = 0, insns2 = 0;
    double te = machine_time(k, iters, true, &insns);
    double tu = machine_time(k, iters, false, &insns2);
    double tb = bare_time(k, iters);

    printf("%-22s %7.1f MIPS enforced, %7.1f unenforced: ratio %.2fx (goal <= 1.3x); "
           "bare engine %.1f MIPS\n",
           name, (double)insns / te / 1e6, (double)insns2 / tu / 1e6, te / tu,
           (double)insns / tb / 1e6);
}

static void svc_rate(void)
{
    uint64_t insns;
    const uint32_t n = 2000000;
    double t = machine_time(SVC, n, true, &insns);

    printf("%-28s %8.2f M svc/s (goal >= 5 M/s)\n", "svc round trips", n / t / 1e6);
}

/*
 * libtock-c's yield_no_wait in a loop (the yield-spin case: a push, a store
 * of the flag byte, the svc, a load and a pop per call), with the stack's
 * page mapped adaptively (MMIO while stores dominate) and always as RAM.
 */
static void yield_rate(void)
{
    uint64_t insns;
    const uint32_t n = 1000000;
    double ta, tr;

    adaptive_rw = true;
    ta = machine_time(YIELD, n, true, &insns);
    adaptive_rw = false;
    tr = machine_time(YIELD, n, true, &insns);
    adaptive_rw = true;
    printf("%-28s %8.2f M yields/s adaptive RW pages, %.2f M/s as RAM: %.2fx\n",
           "yield-no-wait loop", n / ta / 1e6, n / tr / 1e6, tr / ta);
}

static void switch_rate(void)
{
    struct prog p;
    struct gs_board *b;
    double t0, t;
    uint64_t runs;

    build(&p, SPIN, 0xFFFFFFF);
    b = board_with(&p, 2, 200, true); /* 200-instruction timeslices */
    t0 = now();
    gs_board_run(b, 20000000);
    t = now() - t0;
    runs = gs_machine_stats(b->machine)->runs;
    printf("%-28s %8.2f M switches/s (%llu runs of <= 200 instructions)\n", "process switches",
           (double)runs / t / 1e6, (unsigned long long)runs);
    gs_board_free(b);
}

/* A fresh board per input vs one board reset per input (what the fuzzers do). */
static void board_cost(void)
{
    struct prog p;
    double t0, tnew, treset;
    const int n = 20, m = 2000;
    struct gs_board *b;

    build(&p, SPIN, 10);
    t0 = now();
    for (int i = 0; i < n; i++) {
        b = board_with(&p, 2, 0, true);
        gs_board_run(b, 2000);
        gs_board_free(b);
    }
    tnew = (now() - t0) / n;
    b = board_with(&p, 2, 0, true);
    t0 = now();
    for (int i = 0; i < m; i++) {
        gs_board_reset(b);
        add_apps(b, &p, 2);
        gs_board_run(b, 2000);
    }
    treset = (now() - t0) / m;
    printf("%-28s %8.1f us new board + 2 apps + run, %6.1f us reset + 2 apps + run (%.0fx)\n",
           "board", tnew * 1e6, treset * 1e6, tnew / treset);
    gs_board_free(b);
}

/* CPU seconds of this process: less disturbed than now() on a shared machine. */
static double cpu_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* When each restart happened (GS_EV_RESTARTED), in CPU seconds. */
struct restarts {
    double *t;
    unsigned n, cap;
};

static void on_restart(void *ctx, const struct gs_event *ev)
{
    struct restarts *r = ctx;

    if (ev->kind == GS_EV_RESTARTED && r->n < r->cap)
        r->t[r->n++] = cpu_now();
}

/*
 * Exit-Restart forever, as a scenario runs it (oracles on, the default
 * 256-byte buffer after the result area): does the Nth restart cost what
 * the first does? (Per restart: reset(), the MPU region changes and their
 * remapping, the prologue brk.)
 */
static void restart_cost(void)
{
    const unsigned n = 20000, k = 1000;
    struct gs_script_step st[1];
    struct gs_script s;
    struct gs_board_config c;
    struct gs_board *b;
    struct restarts r = {calloc(n, sizeof(double)), 0, n};
    double first, last;

    memset(st, 0, sizeof(st));
    st[0].kind = 6;              /* exit */
    st[0].a[0] = gs_sarg_abs(1); /* restart */
    memset(&s, 0, sizeof(s));
    s.prologue = gs_script_prologue(1) + 256;
    s.final = GS_SCRIPT_EXIT_TERMINATE;
    s.nsteps = 1;
    s.steps = st;
    gs_board_config_default(&c);
    if (!r.t || gs_board_new(&c, &b) != GS_OK ||
        gs_board_add_script(b, &s, "restart", 2048, NULL) != GS_OK ||
        gs_board_load(b, NULL) != GS_OK || gs_kernel_add_observer(b->k, on_restart, &r) != GS_OK) {
        fprintf(stderr, "bench: no restart board\n");
        exit(2);
    }
    b->k->check_invariants = true;
    while (r.n < n && gs_board_run(b, 1000000) == GS_RUN_LIMIT)
        ;
    if (r.n < n) {
        fprintf(stderr, "bench: only %u restarts\n", r.n);
        exit(2);
    }
    first = (r.t[k] - r.t[0]) / k;
    last = (r.t[n - 1] - r.t[n - 1 - k]) / k;
    printf("%-28s %8.1f us CPU each for the first %u, %6.1f us for the last %u of %u: "
           "ratio %.2f (goal 1)\n",
           "restarts", first * 1e6, k, last * 1e6, k, n, last / first);
    gs_board_free(b);
    free(r.t);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "svc") == 0) { /* one part, for profiling */
        svc_rate();
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "yield") == 0) {
        yield_rate();
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "board") == 0) {
        board_cost();
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "restart") == 0) {
        restart_cost();
        return 0;
    }
    printf("grantsim machine benchmarks (one run; machines are noisy)\n");
    ratio("ALU loop", ALU, 20000000);
    ratio("load/store loop", MEM, 2000000);
    ratio("load/store, cut page", MEM_CUT, 500000);
    svc_rate();
    yield_rate();
    switch_rate();
    board_cost();
    restart_cost();
    return 0;
}
