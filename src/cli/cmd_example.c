/* SPDX-License-Identifier: MIT */
/*
 * The built-in example of `grantsim layout --example` and `grantsim explain
 * --example`: the worked example of the Tock reference (G = 15, PCB 920,
 * 4 KiB minimum RAM, the pool at 0x20004000; TOCK-REFERENCE 1.4), run on
 * the Cortex-M machine. Both processes are scripts (src/sim/script.h), so
 * every syscall is a real `svc` from Thumb code in flash, the kernel's
 * exception frames are real, and the printouts show the registers the
 * processes really had when the run stopped (nothing left to do):
 *
 *  - "blink" (process 0) tells the kernel its stack top and heap start
 *    (memop 10 and 11, as libtock-c's crt0 does), grows its break to
 *    0x20005100 (one subregion of region 1 is enabled, so 256 bytes of
 *    expected slack), subscribes to the console, the alarm and the test
 *    capsule, allows a RO buffer in RAM to the console and one in flash to
 *    the test capsule, and a RW buffer to it, writes the test capsule's T
 *    (0xC0FFEE) and has it allocate a 24-byte custom grant; then it waits
 *    (Yield-Wait) for ever;
 *  - "client" (process 1) shares a 64-byte buffer at 0x20006800 with blink
 *    through its IPC grant and notifies it, then waits; the kernel's IPC
 *    dispatch maps that buffer into blink's MPU config (region 3).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "cmds.h"
#include "errors.h"
#include "grant.h"
#include "invariants.h"
#include "script.h"

struct gs_example {
    struct gs_board *b;
};

/* Instructions the run may take; the example needs a few thousand. */
#define EXAMPLE_BUDGET 1000000u

/* Script RAM of blink: its steps' results end at GS_SCRIPT_RESULTS_OFF + 32 * steps. */
#define BLINK_STEPS 14u
#define BLINK_BUF   (GS_SCRIPT_RESULTS_OFF + 32u * BLINK_STEPS)
#define BLINK_P     (BLINK_BUF + 0x100u) /* the break after the prologue: the heap's start */
#define MEMOP_STACK 10u                  /* memop 10, 11: process_standard.rs debug hints */
#define MEMOP_HEAP  11u
#define CLASS_SUB   1u /* syscall classes (TRD104; kernel/src/syscall.rs) */
#define CLASS_CMD   2u
#define CLASS_RW    3u
#define CLASS_RO    4u
#define CLASS_MEMOP 5u
#define TEST_T_CMD  2u /* test capsule: store a word into T (docs/drivers.md) */
#define TEST_CUSTOM 6u /* test capsule: allocate a custom grant */
#define IPC_NOTIFY  2u /* capsules/core/src/ipc.rs: notify the service arg0 */

#define STEP(k, a0, a1, a2, a3)                                                                    \
    {                                                                                              \
        .kind = (k), .a = { a0, a1, a2, a3 }                                                       \
    }

static int fail(struct gs_example *ex, const char *what)
{
    struct gs_kernel *k = ex->b ? ex->b->k : NULL;

    fprintf(stderr, "grantsim: the example failed to build: %s%s%s\n", what,
            k && k->panicked ? ": " : "", k && k->panicked ? k->panic_msg : "");
    gs_example_free(ex);
    return GS_CLI_FINDING;
}

int gs_example_new(struct gs_example **out, struct gs_kernel **kout)
{
    static const uint8_t flash_data[16] = "flash RO buffer";
    struct gs_script_step blink[BLINK_STEPS] = {
        STEP(CLASS_MEMOP, gs_sarg_abs(MEMOP_STACK), gs_sarg_ram(GS_SCRIPT_STACK_TOP),
             gs_sarg_abs(0), gs_sarg_abs(0)),
        STEP(CLASS_MEMOP, gs_sarg_abs(MEMOP_HEAP), gs_sarg_ram(BLINK_P), gs_sarg_abs(0),
             gs_sarg_abs(0)),
        STEP(CLASS_MEMOP, gs_sarg_abs(0), gs_sarg_abs(0x20005100), gs_sarg_abs(0), gs_sarg_abs(0)),
        /* "hello world\n" (little-endian words) for the console's RO allow. */
        STEP(GS_SCRIPT_OP_STORE32, gs_sarg_ram(BLINK_BUF), gs_sarg_abs(0x6c6c6568), gs_sarg_abs(0),
             gs_sarg_abs(0)),
        STEP(GS_SCRIPT_OP_STORE32, gs_sarg_ram(BLINK_BUF + 4), gs_sarg_abs(0x6f77206f),
             gs_sarg_abs(0), gs_sarg_abs(0)),
        STEP(GS_SCRIPT_OP_STORE32, gs_sarg_ram(BLINK_BUF + 8), gs_sarg_abs(0x0a646c72),
             gs_sarg_abs(0), gs_sarg_abs(0)),
        STEP(CLASS_SUB, gs_sarg_abs(GS_CONSOLE_NUM), gs_sarg_abs(1), gs_sarg_upcall(0),
             gs_sarg_abs(0x1234)),
        STEP(CLASS_RO, gs_sarg_abs(GS_CONSOLE_NUM), gs_sarg_abs(1), gs_sarg_ram(BLINK_BUF),
             gs_sarg_abs(12)),
        STEP(CLASS_SUB, gs_sarg_abs(GS_ALARM_NUM), gs_sarg_abs(0), gs_sarg_upcall(1),
             gs_sarg_abs(0)),
        STEP(CLASS_SUB, gs_sarg_abs(GS_TEST_CAPSULE_NUM), gs_sarg_abs(1), gs_sarg_upcall(2),
             gs_sarg_abs(7)),
        STEP(CLASS_RO, gs_sarg_abs(GS_TEST_CAPSULE_NUM), gs_sarg_abs(0),
             gs_sarg_flash(GS_SCRIPT_TABLE_OFF + 32 + 24 * BLINK_STEPS), gs_sarg_abs(16)),
        STEP(CLASS_RW, gs_sarg_abs(GS_TEST_CAPSULE_NUM), gs_sarg_abs(0),
             gs_sarg_ram(BLINK_BUF + 0x20), gs_sarg_abs(32)),
        STEP(CLASS_CMD, gs_sarg_abs(GS_TEST_CAPSULE_NUM), gs_sarg_abs(TEST_T_CMD), gs_sarg_abs(0),
             gs_sarg_abs(0xC0FFEE)),
        STEP(CLASS_CMD, gs_sarg_abs(GS_TEST_CAPSULE_NUM), gs_sarg_abs(TEST_CUSTOM), gs_sarg_abs(24),
             gs_sarg_abs(16)),
    };
    /* Process 1's block is [0x20006000, 0x20008000): the buffer is at +0x800. */
    struct gs_script_step client[3] = {
        STEP(CLASS_MEMOP, gs_sarg_abs(0), gs_sarg_abs(0x20007000), gs_sarg_abs(0), gs_sarg_abs(0)),
        STEP(CLASS_RW, gs_sarg_abs(GS_IPC_DRIVER_NUM), gs_sarg_abs(0), gs_sarg_ram(0x800),
             gs_sarg_abs(64)),
        STEP(CLASS_CMD, gs_sarg_abs(GS_IPC_DRIVER_NUM), gs_sarg_abs(IPC_NOTIFY), gs_sarg_abs(0),
             gs_sarg_abs(0)),
    };
    struct gs_script sb = {.prologue = BLINK_P,
                           .final = GS_SCRIPT_YIELD_WAIT,
                           .nsteps = BLINK_STEPS,
                           .steps = blink,
                           .data = flash_data,
                           .data_len = sizeof(flash_data)};
    struct gs_script sc = {.prologue = gs_script_prologue(3),
                           .final = GS_SCRIPT_YIELD_WAIT,
                           .nsteps = 3,
                           .steps = client};
    struct gs_grant_shape ts = {.t_size = 16, .t_align = 8, .n_upcalls = 2, .n_ro = 2, .n_rw = 1};
    struct gs_board_config cfg;
    struct gs_example *ex = calloc(1, sizeof(*ex));
    struct gs_kernel *k;
    enum gs_run_end end;

    *out = NULL;
    if (!ex) {
        fprintf(stderr, "grantsim: out of memory\n");
        return GS_CLI_USAGE;
    }
    gs_board_config_default(&cfg);
    cfg.app_ram_start = 0x20004000;
    if (gs_board_new(&cfg, &ex->b) != GS_OK) {
        ex->b = NULL;
        return fail(ex, "the board");
    }
    k = ex->b->k;
    /*
     * The board capsule set (capsules.h): its grants in board order are
     * console, alarm, RNG, IPC and the test capsule; then 10 more drivers.
     */
    if (gs_board_add_capsule_set(ex->b, &ts))
        return fail(ex, "its capsules");
    for (unsigned i = 0; i < 10; i++) {
        struct gs_grant_shape s = {.t_size = 8, .t_align = 4, .n_upcalls = 1, .n_ro = 1, .n_rw = 1};
        struct gs_grant *g;
        if (gs_grant_create(k, 0xA0000 + i, &s, NULL, &g) != GS_OK)
            return fail(ex, "its grants");
    }
    if (gs_board_add_script(ex->b, &sb, "blink", 4096, NULL) ||
        gs_board_add_script(ex->b, &sc, "client", 4096, NULL) || gs_board_load(ex->b, NULL) ||
        !gs_board_process(ex->b, 0) || !gs_board_process(ex->b, 1))
        return fail(ex, "its processes");
    k->check_invariants = true;
    end = gs_board_run(ex->b, EXAMPLE_BUDGET);
    if (end != GS_RUN_IDLE)
        return fail(ex, gs_run_end_name(end));
    if (gs_invariants_check(k, GS_INV_QUIESCENT | GS_INV_SHADOW) != 0 || k->findings)
        return fail(ex, "an oracle finding");
    *out = ex;
    *kout = k;
    return 0;
}

void gs_example_free(struct gs_example *ex)
{
    if (!ex)
        return;
    gs_board_free(ex->b);
    free(ex);
}
