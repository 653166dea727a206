/* SPDX-License-Identifier: MIT */
/*
 * decoder.h - the one decoder from fuzz input bytes to a program: a board
 * shape plus, per process, a script of fake-arch actions (fake_arch.h).
 * fuzz-syscalls and fuzz-ipc decode their inputs with gs_prog_decode();
 * fuzz-grants and fuzz-mpu use the same byte reader (struct gs_fz_bytes) for
 * their own operation lists.
 *
 * A program is plain data (struct gs_prog, below): no pointers, fixed-size
 * arrays, every value resolved by gs_prog_resolve() at board-build time. It
 * prints as text (gs_prog_print) and as a scenario file (prog-scenario.h),
 * which is what fuzz-machine runs and what `grantsim repro` writes.
 *
 * Input format (every read past the end of the input gives 0, so every byte
 * string decodes, and truncating an input only drops actions from the end):
 *
 *   byte 0  board flags
 *             bit 0      profile: 0 head, 1 release-2.2
 *             bit 1      svc path: 0 inline (gs_kernel_svc_inline, as the
 *                        Unicorn machine), 1 trap per svc (GS_TRAP_SVC)
 *             bits 2-3   processes - 1 (fuzz-ipc: at least 2)
 *             bit 4      kernel slots: 0 = as many as processes, 1 = 4
 *             bit 5      MPU regions: 0 = 8, 1 = 16
 *             bits 6-7   timeslice: 640000 (default), 10000, 2000, 500
 *   byte 1  test capsule T: bits 0-3 log2(align(T)) (mod 13: 1..4096),
 *           bits 4-5 |T| in units of align(T) (0..3), bits 6-7 ignored
 *   byte 2  test capsule upcall count  \
 *   byte 3  test capsule RO allow count }  count menu (gs_prog_count_menu)
 *   byte 4  test capsule RW allow count /
 *   byte 5  fault injection: bits 0-3 fail the Nth grant-region allocation
 *           (0 = never), bits 4-7 fail the Nth IPC MPU region (0 = never)
 *   then, for each process:
 *   byte    bits 0-3 minimum RAM (menu), bits 4-6 fault policy (menu; never
 *           Panic: see prog-run.h), bit 7 keep the task queue full
 *           (filled before the run and topped up between runs: prog-run.h)
 *   byte    bits 0-2 package name (menu, gs_prog_names), bits 3-7 unused
 *   byte    number of actions (mod GS_PROG_MAX_ACTIONS + 1)
 *   then, for each process in turn, its actions. An action is an opcode
 *   byte (op % 32 indexes the mode's table of action kinds, e.g. "command",
 *   "rw-allow", "brk", "notify-service") followed by the selector bytes of
 *   that kind: one byte per argument chosen from a menu of interesting
 *   values (driver numbers of the board's capsules, valid and invalid
 *   subscribe/allow numbers, buffers at memory start / app break / kernel
 *   break / memory end / another process / flash boundaries, boundary sizes,
 *   memop 0-12, exit and yield variants including invalid ones, IPC
 *   commands and target indices); the last entry of every menu reads the
 *   next 4 bytes as a little-endian u32 instead. decoder.c lists every menu.
 *
 * Limits: inputs longer than GS_PROG_MAX_INPUT bytes are refused (the
 * fuzzers return early); at most GS_PROG_MAX_ACTIONS actions per process.
 */
#ifndef GS_PROG_DECODER_H
#define GS_PROG_DECODER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fake_arch.h"
#include "grant.h"
#include "kernel.h"
#include "process.h"

#define GS_PROG_MAX_INPUT   4096u
#define GS_PROG_MAX_PROCS   4u
#define GS_PROG_MAX_ACTIONS 48u
#define GS_PROG_NAMES       8u

/* ---- the byte reader shared by every kernel target ---- */

struct gs_fz_bytes {
    const uint8_t *data;
    size_t len, pos;
};

static inline void gs_fz_bytes_init(struct gs_fz_bytes *b, const uint8_t *data, size_t len)
{
    b->data = data;
    b->len = len;
    b->pos = 0;
}

/* True when every byte has been read. */
static inline bool gs_fz_done(const struct gs_fz_bytes *b)
{
    return b->pos >= b->len;
}

/* The next byte, or 0 past the end. */
uint8_t gs_fz_u8(struct gs_fz_bytes *b);
/* The next 4 bytes as a little-endian u32 (missing bytes read as 0). */
uint32_t gs_fz_u32(struct gs_fz_bytes *b);
/*
 * One of menu[0..n-2] chosen by the next byte (modulo n); index n-1 means
 * "a literal": the value is the next 4 bytes (gs_fz_u32).
 */
uint32_t gs_fz_menu(struct gs_fz_bytes *b, const uint32_t *menu, unsigned n);

/* A grant count (upcalls, RO or RW allows) from one byte: mostly 0..4, sometimes up to 255. */
uint32_t gs_prog_count_menu(uint8_t b);

/* ---- programs ---- */

/* How an argument becomes a value (resolved once the board exists). */
enum gs_prog_base {
    GS_PB_ABS = 0,   /* v itself */
    GS_PB_MEM,       /* memory_start + v */
    GS_PB_END,       /* memory_start + memory_len + v (v is usually negative) */
    GS_PB_KBRK,      /* the initial kernel break + v (grants are allocated below it) */
    GS_PB_PROC,      /* memory_start of process slot `proc` + v (RAM base if none) */
    GS_PB_APP,       /* app start in flash (after the protected header) + v */
    GS_PB_FLASH,     /* start of the TBF (protected header) + v */
    GS_PB_FLASH_END, /* end of the TBF + v */
    GS_PB_UPCALL,    /* upcall entry point v (0..15) of the fake image, Thumb bit set */
    GS_PB_NAME,      /* package name v of gs_prog_names, stored in each app's flash */
};

struct gs_prog_arg {
    enum gs_prog_base base;
    uint8_t proc; /* GS_PB_PROC only */
    uint32_t v;   /* value or offset (added modulo 2^32) */
};

/* One fake-arch action: op and n as in struct gs_fake_action, r0..r3 unresolved. */
struct gs_prog_action {
    enum gs_fake_op op;
    uint32_t n; /* svc class (may be >= 8: undecodable), spin count, fault kind */
    struct gs_prog_arg r[4];
};

struct gs_prog_proc {
    uint32_t min_ram;
    enum gs_fault_policy policy; /* never GS_FP_PANIC nor ..._THEN_PANIC */
    unsigned threshold;          /* GS_FP_THRESHOLD_RESTART */
    unsigned name;               /* index into gs_prog_names */
    bool prefill;                /* keep the task queue full (prog-run.h) */
    unsigned nact;
    struct gs_prog_action act[GS_PROG_MAX_ACTIONS];
};

struct gs_prog {
    enum gs_profile profile;
    bool inline_svc;
    unsigned nprocs;      /* 1..GS_PROG_MAX_PROCS */
    unsigned slots;       /* kernel process slots, >= nprocs (IPC's NUM_PROCS) */
    unsigned mpu_regions; /* 8 or 16 */
    uint32_t timeslice;   /* instructions */
    struct gs_grant_shape test_shape;
    uint32_t inject_grant_at; /* k->inject.grant_alloc_at (0: off) */
    uint32_t inject_mpu_at;   /* k->inject.mpu_region_at (0: off) */
    struct gs_prog_proc proc[GS_PROG_MAX_PROCS];
};

enum gs_prog_mode {
    GS_PROG_SYSCALLS, /* every syscall class with every capsule */
    GS_PROG_IPC,      /* 2-4 processes, IPC-heavy: discover, share, notify, yield, restart */
};

/* Package names the processes can have and the IPC discover buffers name. */
extern const char *const gs_prog_names[GS_PROG_NAMES];

/* Offset in each app's flash (from the app start) where the names are stored, 32 bytes apart. */
#define GS_PROG_NAME_OFF 0x300u

/*
 * Decodes an input into *out (always fully written). Returns 0, or -1 when
 * the input is longer than GS_PROG_MAX_INPUT (out is then an empty program).
 */
int gs_prog_decode(const uint8_t *data, size_t len, enum gs_prog_mode mode, struct gs_prog *out);

/* Values a resolved argument needs from the board. */
struct gs_prog_env {
    uint32_t ram_base;
    const struct gs_process *self;
    const struct gs_process *procs[GS_PROG_MAX_PROCS]; /* by slot; NULL if absent */
    uint32_t kbrk0;                                    /* self's kernel break at creation */
};

/* The value of an argument for a process. */
uint32_t gs_prog_resolve(const struct gs_prog_arg *a, const struct gs_prog_env *env);

/* Converts an action into a fake-arch action (every base resolved to GS_FB_ABS). */
void gs_prog_to_fake(const struct gs_prog_action *a, const struct gs_prog_env *env,
                     struct gs_fake_action *out);

/*
 * Prints the program as text, one line per board fact, process and action,
 * e.g. "  3: svc 3 ReadWriteAllow r0=0x90000 r1=0 r2=mem+0x100 r3=0x40".
 */
void gs_prog_print(const struct gs_prog *p, FILE *f);

/* Writing a program as a scenario file: prog-scenario.h. */

#endif
