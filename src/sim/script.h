/* SPDX-License-Identifier: MIT */
/*
 * script.h - scripted process images: a fixed Thumb "syscall interpreter"
 * program plus a data table of steps, so scenarios and fuzzers can drive any
 * syscall sequence through real `svc` instructions without a cross compiler.
 *
 * The image has two parts, built separately:
 *  (a) the CODE (gs_script_code): the same GS_SCRIPT_CODE_SIZE bytes for every
 *      script. It never changes, so an emulator translates it once; a fuzzer
 *      that runs a new script per input changes only data (UNICORN-NOTES.md:
 *      retranslating guest code per input eventually crashes Unicorn 2.0.1).
 *  (b) the TABLE (gs_script_table): the steps, the prologue size and the final
 *      action. Changing the script changes only these bytes.
 * The process image (the "app binary" that follows the TBF header, whose
 * first byte is the app start the kernel passes in r0) is CODE at offset 0
 * followed by TABLE at GS_SCRIPT_TABLE_OFF; gs_script_image writes both.
 *
 * Flash, offsets from the app start (image byte 0):
 *
 *   0x000 +------------------------------+ <- entry point (Thumb: app start | 1)
 *         | interpreter: prologue, step  |
 *         | loop, argument resolver,     |
 *         | pseudo steps, final action,  |
 *         | common upcall handler        |
 *         | udf #0xde padding            |
 *   0x200 +------------------------------+ GS_SCRIPT_HANDLERS_OFF
 *         | 8 upcall handler entries,    |   handler N at 0x200 + 8*N:
 *         | 8 bytes each                 |   mov.w r12, #N ; b.w common
 *   0x240 +------------------------------+ GS_SCRIPT_SVC_STUBS_OFF
 *         | 256 svc stubs, 4 bytes each  |   stub n at 0x240 + 4*n:
 *         |                              |   svc #n ; b.n after_svc
 *   0x640 +------------------------------+
 *         | after_svc: record r0..r3,    |
 *         | next step                    |
 *         | udf #0xde padding            |
 *   0x800 +------------------------------+ GS_SCRIPT_TABLE_OFF = GS_SCRIPT_CODE_SIZE
 *         | table header (32 bytes)      |   +0 magic "GSST"  +4 version (1)
 *         |                              |   +8 prologue P    +12 number of steps
 *         |                              |   +16 final action +20 final code
 *         |                              |   +24, +28 zero
 *   0x820 +------------------------------+
 *         | steps, 24 bytes each         |   +0 kind (0..255: svc class; 0x100+: pseudo)
 *         |                              |   +4 base of arg 0..3, one byte each
 *         |                              |   +8, +12, +16, +20: value of arg 0..3
 *         +------------------------------+
 *
 * RAM, offsets from memory_start (recording mode; see "Prologue"):
 *
 *   0x000 +------------------------------+
 *         | the initial 32 bytes         |   where the first svc frame goes on hardware
 *   0x020 +------------------------------+
 *         | stack, 128 bytes             |
 *   0x0a0 +------------------------------+ GS_SCRIPT_STACK_TOP: sp; GS_SCRIPT_HDR_OFF
 *         | result header (64 bytes)     |   +0 magic "GSSR"
 *         |                              |   +4..+16 entry r0..r3, +20 entry sp, +24 entry lr
 *         |                              |   +28 steps done, +32 upcalls seen (may
 *         |                              |   exceed the log), +36 final action reached (1)
 *         |                              |   +40 prologue P, +44..+63 unused
 *   0x0e0 +------------------------------+ GS_SCRIPT_LOG_OFF
 *         | upcall log, 16 x 32 bytes    |   r0, r1, r2, r3 (appdata), handler N,
 *         |                              |   step index, sp at entry, lr at entry
 *   0x2e0 +------------------------------+ GS_SCRIPT_RESULTS_OFF
 *         | step results, 32 bytes each  |   r0..r3 after the step, seq (= index + 1),
 *         |                              |   upcalls seen so far, sp, spare (never written)
 *         +------------------------------+ GS_SCRIPT_RESULTS_OFF + 32 * steps
 *         | free for the script's own    |
 *         | buffers (up to P)            |
 *         +------------------------------+ memory_start + P = the break
 *
 * Runtime behaviour:
 *  - Entry (TOCK-REFERENCE 11.1.1; upstream kernel/src/process_standard.rs
 *    create()/reset()): r0 = app start, r1 = memory_start, r2 = memory_len,
 *    r3 = initial break, sp, lr as the kernel sets them.
 *    The interpreter finds its own image PC-relatively (it does not trust r0)
 *    and takes memory_start from r1.
 *  - Prologue: if P >= GS_SCRIPT_RESULTS_OFF it issues memop brk
 *    (svc 5, r0 = 0, r1 = memory_start + P). If that returns Success (r0 ==
 *    128) it writes the result header, sets sp = memory_start +
 *    GS_SCRIPT_STACK_TOP and records from then on ("recording mode"). If P is
 *    0 (or smaller than GS_SCRIPT_RESULTS_OFF, which the builder refuses), no
 *    svc is issued; if the brk fails, the interpreter goes on. In both cases
 *    it runs without recording: it writes no RAM at all, keeps the sp the
 *    kernel gave it (memory_start + 32) and pushes nothing, so only the
 *    initial 32 bytes are ever needed; upcall handlers return at once.
 *  - Steps: for each step, the four arguments are resolved (enum
 *    gs_script_base) into r0..r3, then the step is executed: kinds 0..255
 *    issue `svc #kind` (8..255 are invalid classes, issued as is); pseudo
 *    kinds (enum gs_script_op) run in user code. Afterwards r0..r3 and the
 *    step's sequence number are recorded in the step's result slot, if it
 *    lies entirely below memory_start + P. Steps that do not fit still run.
 *  - A yield that the kernel turns into an upcall (TOCK-REFERENCE 4.4;
 *    upstream arch/cortex-m/src/syscall.rs set_process_function) returns, after the
 *    handler's `bx lr`, to the stub's branch, so the yield's result shows r0..r3
 *    as the upcall left them (the handler does not change them).
 *  - Upcall handler N appends (r0, r1, r2, r3, N, step index, sp, lr) to the
 *    upcall log, counts the upcall, and returns with `bx lr`. It uses only
 *    r12 and 8 bytes of stack (pushed and popped r4, r6).
 *  - After the last step: "final action reached" is set in the header, then
 *    the final action runs: GS_SCRIPT_EXIT_TERMINATE (svc 6, r0 = 0, r1 =
 *    code), GS_SCRIPT_EXIT_RESTART (svc 6, r0 = 1, r1 = code), or
 *    GS_SCRIPT_YIELD_WAIT (svc 0 with r0 = 1, forever; upcalls are logged).
 *    An exit that returns reaches `udf #0xe1` (GS_SCRIPT_EXIT_RETURNED_UDF);
 *    any other final value in a table behaves as GS_SCRIPT_YIELD_WAIT.
 *
 * Guarantees a simulator can rely on:
 *  - The code is position independent: it runs from any 4-byte aligned app
 *    start and the same bytes serve every script. It never branches to RAM
 *    nor outside [app start, app start + GS_SCRIPT_CODE_SIZE) by itself; only
 *    the kernel can send it elsewhere (an upcall to a pointer a step passed).
 *    The only indirect branches go to an svc stub (kind < 256 is checked
 *    first) or, via `bx lr` in a handler, back to wherever the kernel pointed lr.
 *  - It issues exactly: the prologue brk (only if P >= GS_SCRIPT_RESULTS_OFF),
 *    one svc per syscall step, then the final action's svc(s). Pseudo steps
 *    issue none.
 *  - Interpreter state lives in r4..r11, which Tock preserves across svc:
 *    r4 current step (flash address), r5 step index, r6 end of the steps,
 *    r7 memory_start, r8 image start, r9 result header (0 if not
 *    recording), r10 recording limit memory_start + P (0 if not recording),
 *    r11 next result slot. r0..r3 and r12 are scratch; lr is clobbered by
 *    the internal `bl` to the argument resolver and never relied on across
 *    an svc.
 *  - It reads flash only in [app start, app start +
 *    gs_script_image_size(GS_SCRIPT_MAX_STEPS)): the code, the table header
 *    and at most GS_SCRIPT_MAX_STEPS steps even if the header says more (a
 *    builder-made table is read only within gs_script_image_size(n)), and it
 *    writes RAM only in [memory_start + 0x20, memory_start + P) in recording
 *    mode, plus what STORE32/FILL8 steps ask for. The spare word of every
 *    result slot is never written by the interpreter.
 *
 * Unused code is udf #0xde (halfword 0xDEDE), so a stray jump faults at once.
 */
#ifndef GS_SCRIPT_H
#define GS_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- flash layout (offsets from the app start) ---- */
#define GS_SCRIPT_ENTRY_OFF      0x000u /* entry point (odd address: app start + 0 + 1) */
#define GS_SCRIPT_HANDLERS_OFF   0x200u
#define GS_SCRIPT_HANDLER_STRIDE 8u
#define GS_SCRIPT_HANDLERS       8u /* upcall handlers 0..7 */
#define GS_SCRIPT_SVC_STUBS_OFF  0x240u
#define GS_SCRIPT_SVC_STUB_SIZE  4u
#define GS_SCRIPT_CODE_SIZE      0x800u
#define GS_SCRIPT_TABLE_OFF      GS_SCRIPT_CODE_SIZE

/* Table header fields (offsets from the table start) and step encoding. */
#define GS_SCRIPT_TABLE_MAGIC   0x54535347u /* "GSST" little-endian */
#define GS_SCRIPT_TABLE_VERSION 1u
#define GS_SCRIPT_T_MAGIC       0u
#define GS_SCRIPT_T_VERSION     4u
#define GS_SCRIPT_T_PROLOGUE    8u
#define GS_SCRIPT_T_NSTEPS      12u
#define GS_SCRIPT_T_FINAL       16u
#define GS_SCRIPT_T_FINAL_CODE  20u
#define GS_SCRIPT_T_STEPS       32u
#define GS_SCRIPT_STEP_SIZE     24u
#define GS_SCRIPT_MAX_STEPS     256u

/* ---- RAM layout (offsets from memory_start) ---- */
#define GS_SCRIPT_STACK_TOP    0x0A0u
#define GS_SCRIPT_HDR_OFF      0x0A0u
#define GS_SCRIPT_HDR_SIZE     64u
#define GS_SCRIPT_LOG_OFF      0x0E0u
#define GS_SCRIPT_LOG_CAP      16u
#define GS_SCRIPT_LOG_ENTRY    32u
#define GS_SCRIPT_RESULTS_OFF  0x2E0u
#define GS_SCRIPT_RESULT_SIZE  32u
#define GS_SCRIPT_RESULT_MAGIC 0x52535347u /* "GSSR" little-endian */
#define GS_SCRIPT_H_STEPS_DONE 28u
#define GS_SCRIPT_H_UPCALLS    32u
#define GS_SCRIPT_H_FINISHED   36u
#define GS_SCRIPT_H_PROLOGUE   40u
#define GS_SCRIPT_R_SPARE      28u /* the result slot word GS_SCRIPT_BASE_RESULT points at */

/* The udf immediate reached when an exit final action returns. */
#define GS_SCRIPT_EXIT_RETURNED_UDF 0xE1u

/*
 * Where an argument's value is relative to. The interpreter computes the
 * register value (wrapping 32-bit arithmetic):
 */
enum gs_script_base {
    GS_SCRIPT_BASE_ABS = 0,    /* value */
    GS_SCRIPT_BASE_RAM = 1,    /* memory_start + value */
    GS_SCRIPT_BASE_FLASH = 2,  /* app start + value */
    GS_SCRIPT_BASE_UPCALL = 3, /* handler number value: app start + HANDLERS_OFF + 8*value + 1 */
    GS_SCRIPT_BASE_RESULT = 4, /* step number value: memory_start + RESULTS_OFF + 32*value + 28,
                                  the spare word of that step's result slot (meant for a
                                  yield-no-wait byte or a small buffer); in non-recording
                                  mode it lies beyond the break */
    GS_SCRIPT_BASE_COUNT
};

/*
 * Step kinds that are not syscalls (kind >= 0x100). Arguments a0..a3 are the
 * resolved registers; what the step leaves in r0..r3 is what gets recorded.
 *  STORE32: *(u32 *)a0 = a1 (one str). Leaves r0..r3 unchanged.
 *  FILL8:   stores the byte a1 at a0, a0 + 1, ... below a0 + a2, one strb at
 *           a time (none if a0 + a2 wraps). Leaves r0..r2; r3 = a0 + a2, or
 *           a0 if that wraps.
 *  LOAD32:  r0 = *(u32 *)a0 (one ldr): probes memory, provokes faults.
 *  SPIN:    loops a0 times, 4 instructions per iteration; r0 = 0 after.
 * Other kinds from 0x100 up do nothing (the builder refuses them).
 */
enum gs_script_op {
    GS_SCRIPT_OP_STORE32 = 0x100,
    GS_SCRIPT_OP_FILL8 = 0x101,
    GS_SCRIPT_OP_LOAD32 = 0x102,
    GS_SCRIPT_OP_SPIN = 0x103,
    GS_SCRIPT_OP_END
};

/* What the interpreter does after the last step. */
enum gs_script_final {
    GS_SCRIPT_EXIT_TERMINATE = 0, /* svc 6, r0 = 0, r1 = final_code */
    GS_SCRIPT_EXIT_RESTART = 1,   /* svc 6, r0 = 1, r1 = final_code */
    GS_SCRIPT_YIELD_WAIT = 2,     /* svc 0, r0 = 1, forever */
};

struct gs_script_arg {
    uint8_t base; /* enum gs_script_base */
    uint32_t value;
};

struct gs_script_step {
    uint32_t kind; /* 0..255: svc class; or enum gs_script_op */
    struct gs_script_arg a[4];
};

struct gs_script {
    uint32_t prologue;          /* P: 0, or >= GS_SCRIPT_RESULTS_OFF (see gs_script_prologue) */
    enum gs_script_final final; /* after the last step */
    uint32_t final_code;        /* completion code for the exit finals */
    unsigned nsteps;            /* <= GS_SCRIPT_MAX_STEPS */
    const struct gs_script_step *steps;
    /*
     * Read-only data placed right after the table (the interpreter never
     * reads it; steps pass its address to the kernel, e.g. a package name for
     * IPC discovery). At most GS_SCRIPT_MAX_DATA bytes.
     */
    const uint8_t *data;
    size_t data_len;
    /*
     * The TBF the board packs the script into (gs_board_add_script): its
     * protected region, header included (elf2tab --protected-region-size),
     * so that the image starts this many bytes into the TBF whatever the
     * header's size (its package name); 0: right after the header.
     */
    uint32_t protected_size;
};
#define GS_SCRIPT_MAX_DATA 4096u

/* Argument constructors. */
static inline struct gs_script_arg gs_sarg_abs(uint32_t v)
{
    return (struct gs_script_arg){GS_SCRIPT_BASE_ABS, v};
}
static inline struct gs_script_arg gs_sarg_ram(uint32_t off)
{
    return (struct gs_script_arg){GS_SCRIPT_BASE_RAM, off};
}
static inline struct gs_script_arg gs_sarg_flash(uint32_t off)
{
    return (struct gs_script_arg){GS_SCRIPT_BASE_FLASH, off};
}
static inline struct gs_script_arg gs_sarg_upcall(uint32_t handler)
{
    return (struct gs_script_arg){GS_SCRIPT_BASE_UPCALL, handler};
}
static inline struct gs_script_arg gs_sarg_result(uint32_t step)
{
    return (struct gs_script_arg){GS_SCRIPT_BASE_RESULT, step};
}

/*
 * Smallest P that records all `nsteps` results: GS_SCRIPT_RESULTS_OFF +
 * 32 * nsteps. RAM above it up to P is free for the script's buffers.
 */
uint32_t gs_script_prologue(unsigned nsteps);

/*
 * Checks a script against the contract above: steps != NULL when nsteps > 0,
 * nsteps <= GS_SCRIPT_MAX_STEPS, every kind < 256 or a gs_script_op, every
 * base < GS_SCRIPT_BASE_COUNT, UPCALL values < GS_SCRIPT_HANDLERS, RESULT
 * values < GS_SCRIPT_MAX_STEPS, P == 0 or P >= GS_SCRIPT_RESULTS_OFF, a known
 * final action. Errors: GS_E_ARG.
 */
int gs_script_validate(const struct gs_script *s);

/*
 * Writes the interpreter code, GS_SCRIPT_CODE_SIZE bytes, identical for every
 * script. Errors: GS_E_ARG if buf is NULL or cap < GS_SCRIPT_CODE_SIZE;
 * GS_E_INTERNAL if the generator cannot lay the code out (a grantsim bug).
 * On error buf is unspecified.
 */
int gs_script_code(uint8_t *buf, size_t cap);

/* Size in bytes of the table for nsteps steps: 32 + 24 * nsteps. */
size_t gs_script_table_size(unsigned nsteps);

/*
 * Writes the table of a validated script, gs_script_table_size(s->nsteps)
 * bytes, little-endian. Errors: GS_E_ARG (invalid script, see
 * gs_script_validate; NULL buf; cap too small); nothing written then.
 */
int gs_script_table(const struct gs_script *s, uint8_t *buf, size_t cap);

/* Size of the whole image: GS_SCRIPT_TABLE_OFF + gs_script_table_size(nsteps). */
size_t gs_script_image_size(unsigned nsteps);

/*
 * Writes code, table and data as one image (the app binary, entry at offset
 * 0; the data at GS_SCRIPT_TABLE_OFF + gs_script_table_size(nsteps)). On
 * success sets *len to gs_script_image_size(s->nsteps) + s->data_len if len
 * != NULL. Errors: as gs_script_table and gs_script_code.
 */
int gs_script_image(const struct gs_script *s, uint8_t *buf, size_t cap, size_t *len);

/*
 * The register value the interpreter computes for `arg` (a host mirror of the
 * resolver, for expectations). Bases outside the enum resolve as ABS, as in
 * the interpreter.
 */
uint32_t gs_script_resolve(struct gs_script_arg arg, uint32_t app_start, uint32_t memory_start);

/* ---- reading what a run recorded ---- */

struct gs_script_result {
    uint32_t r[4];    /* r0..r3 after the step */
    uint32_t seq;     /* step index + 1; 0 if the slot was never written */
    uint32_t upcalls; /* upcalls seen when the step finished */
    uint32_t sp;      /* sp after the step */
    uint32_t spare;   /* never written by the interpreter (see GS_SCRIPT_BASE_RESULT) */
};

struct gs_script_upcall {
    uint32_t r[4];    /* r0..r2 upcall arguments, r3 appdata */
    uint32_t handler; /* handler number N */
    uint32_t step;    /* index of the step in progress (= steps count in the final yield) */
    uint32_t sp;      /* sp at handler entry */
    uint32_t lr;      /* lr at handler entry: where the kernel resumes the process */
};

struct gs_script_report {
    uint32_t entry_r[4]; /* r0..r3 at entry */
    uint32_t entry_sp, entry_lr;
    uint32_t prologue;   /* P as the interpreter recorded it */
    uint32_t steps_done; /* steps completed (recorded or not) */
    uint32_t upcalls;    /* upcalls seen, including those the log had no room for */
    bool finished;       /* the final action was reached */
    unsigned nresults;   /* results[0..nresults) are the recorded slots */
    struct gs_script_result results[GS_SCRIPT_MAX_STEPS];
    unsigned nlog; /* log[0..nlog) */
    struct gs_script_upcall log[GS_SCRIPT_LOG_CAP];
};

/*
 * Reads `len` bytes of target memory at `addr` into dst; 0 on success,
 * negative if any byte is outside what it can read.
 */
typedef int (*gs_script_load_fn)(void *ctx, uint32_t addr, void *dst, uint32_t len);

/*
 * Decodes the result header, the step results and the upcall log of a
 * process whose RAM starts at memory_start. Everything read is process
 * memory, so hostile: counts are clamped to what the layout can hold
 * (results: steps_done, GS_SCRIPT_MAX_STEPS and the slots that fit below P;
 * log: upcalls and GS_SCRIPT_LOG_CAP). The report is written only on success.
 * Errors: GS_E_ARG (NULL load or out); GS_E_STATE if the header magic is
 * absent (nothing was recorded: P = 0, the brk failed, or the interpreter has
 * not run); GS_E_BOUNDS if load fails.
 */
int gs_script_read(gs_script_load_fn load, void *ctx, uint32_t memory_start,
                   struct gs_script_report *out);

/*
 * gs_script_read over a host copy of RAM: `ram` holds ram_len bytes of
 * target memory starting at target address ram_base. Same errors.
 */
int gs_script_read_ram(const uint8_t *ram, uint32_t ram_base, uint32_t ram_len,
                       uint32_t memory_start, struct gs_script_report *out);

#endif
