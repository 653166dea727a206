/* SPDX-License-Identifier: MIT */
/*
 * prog-run.h - a program (decoder.h) on the fake arch: the simulated memory,
 * the board a program runs on, the watcher (an observer that names, counts
 * and classifies findings), and the run with its budgets. The kernel fuzz
 * targets and `grantsim repro` (repro.h) both run programs through here;
 * what only a fuzzing run needs (settings from the environment, the outcome
 * of an input) is the fuzz targets' own.
 *
 * Fresh state per program: the kernel, its processes, capsules and fake
 * machine are created for every run and freed after it. The RAM and flash
 * buffers are allocated once and reset after each run (every byte a run
 * may have touched goes back to zero / erased flash / "no owner"), which is
 * the same as new buffers but far cheaper.
 *
 * What counts as a finding (and, with abort_on_finding, aborts, printing
 * "grantsim-finding: ID" and the finding's text to stderr, then the
 * program):
 *   - every oracle finding of kind ownership, layout or isolation;
 *   - every kernel panic. No panic is expected: the board configures every
 *     process with the Stop, Restart or ThresholdRestart fault policy, never
 *     Panic or ThresholdRestartThenPanic (a fault that panics the kernel
 *     under those two is the policy doing its job, not a bug), and the
 *     board never enters a grant twice (only fuzz-grants does, on purpose,
 *     and it declares that panic as expected first);
 *   - a broken contract of fault injection: a syscall during which an
 *     injected grant-allocation failure happened must return a Failure
 *     variant with NOMEM; a test-capsule "schedule upcall" or IPC notify
 *     whose task was dropped because the queue was full must return
 *     Failure(NOMEM) ("contract:..." ids);
 *   - the machine failing (GS_RUN_ERROR).
 *
 * Known upstream behaviours (gs_fz_known) are counted apart (w->known) and
 * do not count as findings unless the watcher is strict. Every entry cites
 * the upstream behaviour and a reproducer under fuzz/regress/.
 */
#ifndef GS_PROG_RUN_H
#define GS_PROG_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capsules.h"
#include "decoder.h"
#include "fake_arch.h"
#include "ipc.h"
#include "kernel.h"
#include "sched.h"

/* The board's memory map (the first process starts at the RAM base). */
#define GS_FZ_RAM_BASE   0x20004000u
#define GS_FZ_RAM_SIZE   0x20000u
#define GS_FZ_FLASH_BASE 0x00030000u
#define GS_FZ_FLASH_SIZE 0x10000u
#define GS_FZ_APP_FLASH  0x2000u /* each app's TBF: 0x60 header + the fake image + names */
#define GS_FZ_APP_HEADER 0x60u

/*
 * Budgets of one input. gs_kernel_run cannot be stopped from inside, so the
 * board runs in chunks of GS_FZ_CHUNK instructions (fewer as the step budget
 * runs out: every step costs the fake arch at least one instruction), each
 * chunk end acting like a timer interrupt (the round robin moves on).
 */
#define GS_FZ_BUDGET       200000u /* guest instructions in total */
#define GS_FZ_CHUNK        4000u   /* gs_kernel_run is called with this limit, repeatedly */
#define GS_FZ_MAX_STEPS    300u    /* syscalls + faults: stop after about this many */
#define GS_FZ_MAX_RESTARTS 12u     /* process restarts (each re-tags the whole block) */
/*
 * A process whose queue is kept full (the program's prefill flag) has it
 * filled before the run, and topped up (ReturnValues of a driver no process
 * has) after each of the first GS_FZ_MAX_REFILLS runs, which are
 * GS_FZ_REFILL_CHUNK instructions long.
 */
#define GS_FZ_REFILL_CHUNK 500u
#define GS_FZ_MAX_REFILLS  16u

/* The shared simulated memory (allocated on first use, reset by gs_fz_mem_reset). */
struct gs_mem *gs_fz_mem(void);
/*
 * Resets RAM below ram_used bytes from the base (all of it when `all`), and
 * flash below flash_used bytes, to their initial state.
 */
void gs_fz_mem_reset(uint32_t ram_used, uint32_t flash_used, bool all);

/*
 * Fills p's task queue behind what is already in it (the init task) with
 * ReturnValues of a driver no process has; returns how many it queued.
 */
unsigned gs_fz_prefill(struct gs_process *p);

/* The watcher: counts what happened and decides what is a finding. */
#define GS_FZ_MAX_IDS 8

struct gs_fz_watch;

/*
 * Called with every finding's id and text before the watcher classifies it
 * (known, expected, counted); it may end the process (a test that
 * expects a finding ends there when it comes).
 */
typedef void (*gs_fz_finding_fn)(struct gs_fz_watch *w, const char *id, const char *text);

struct gs_fz_watch {
    struct gs_kernel *k;
    const struct gs_prog *prog; /* printed with a finding (may be NULL) */
    bool abort_on_finding;      /* fuzzing: abort() on a finding; tests: count only */
    bool strict;                /* known upstream behaviours count (and abort) too */
    bool expect_panic;          /* the next panic is intended (fuzz-grants re-entry) */
    const char *expect_panic_site;
    gs_fz_finding_fn on_finding; /* NULL: none */

    unsigned findings;        /* findings that count (not known, not expected) */
    unsigned known;           /* known upstream behaviours seen */
    unsigned expected_panics; /* panics declared expected */
    char first_id[128];       /* id of the first finding that counts */
    char first_text[256];
    char ids[GS_FZ_MAX_IDS][128]; /* the distinct ids that counted, in order */
    unsigned nids;

    uint64_t steps; /* syscalls and faults */
    uint64_t syscalls, syscall_returns, faults, restarts, upcalls, ipc_dispatches;
    uint64_t tasks_dropped, tasks_dropped_nomem, grant_allocs, mpu_configs;
    uint64_t inject_grant_hits; /* syscalls in which an injected allocation failure happened */

    /* Per-syscall state for the contracts. */
    uint64_t ga_at_entry;  /* k->inject.grant_allocs when the syscall began */
    uint32_t sc_regs[4];   /* its r0..r3 */
    unsigned sc_cls;       /* its class */
    bool sc_dropped_nomem; /* a task was dropped with NOMEM during it */

    /* Set by gs_fz_board_free when the board had a kernel: its clock then. */
    bool ended;
    uint64_t end_time;
};

/* Zeroes a watcher and sets its mode (not strict, no finding hook). */
void gs_fz_watch_init(struct gs_fz_watch *w, bool abort_on_finding);

/* The observer function (ctx = struct gs_fz_watch *). */
void gs_fz_watch_event(void *ctx, const struct gs_event *ev);

/*
 * Reports a finding found by a target's own oracle (not the kernel's): id
 * "<kind>:<site>:-" and text, counted and aborting like any other.
 */
void gs_fz_report(struct gs_fz_watch *w, const char *kind, const char *site, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Is this finding id a known upstream behaviour? Returns its note or NULL. */
const char *gs_fz_known(const char *id);

/* A board built from a program: every capsule, the fake arch, the processes. */
struct gs_fz_board {
    struct gs_mem *mem;
    struct gs_kernel *k;
    struct gs_fake *fake;
    struct gs_capsule_set caps;                  /* the test capsule with the program's shape */
    struct gs_process *procs[GS_PROG_MAX_PROCS]; /* by program index; NULL if creation failed */
    bool prefill[GS_PROG_MAX_PROCS];             /* keep this process's task queue full */
    unsigned nprocs;
    uint32_t pool_start, pool_len, next_flash;
};

/*
 * Builds the board of `prog` with watcher w attached (w->k is set). Its
 * capsules are the board capsule set (capsules.h gs_capsule_set_init:
 * grant order and driver numbers are every board's).
 * A process whose creation fails is left out (as a board skips it).
 * Returns 0 or a negative gs_err (host memory, or a board bug).
 */
/*
 * The app of a fake-arch board at *next_flash (one GS_FZ_APP_FLASH slot,
 * the fake image's entry point, min_ram, name); advances *next_flash.
 */
struct gs_app_info;
void gs_fz_app_info(uint32_t *next_flash, uint32_t min_ram, const char *name,
                    struct gs_app_info *app);

int gs_fz_board_build(struct gs_fz_board *b, const struct gs_prog *prog, struct gs_fz_watch *w);

/* Runs the board within the budgets; returns how the last gs_kernel_run ended. */
enum gs_run_end gs_fz_board_run(struct gs_fz_board *b, struct gs_fz_watch *w);

/*
 * Frees the board and resets the memory (all of it after a finding or a
 * known behaviour w saw). Sets w->ended and w->end_time when the board had
 * a kernel (w may be NULL). Accepts a board whose build failed.
 */
void gs_fz_board_free(struct gs_fz_board *b, struct gs_fz_watch *w);

/*
 * The whole life of one program: build, run, final quiescent invariant
 * check with the shadow map, free. Returns 0, or a negative gs_err if the
 * board could not be built.
 */
int gs_fz_run_prog(const struct gs_prog *prog, struct gs_fz_watch *w);

#endif
