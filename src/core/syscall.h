/* SPDX-License-Identifier: MIT */
/*
 * syscall.h - the 8 syscall classes: decoding from the stacked registers,
 * the TRD104 return encoding, and the kernel's handling of each class
 * (kernel/src/kernel.rs handle_syscall, kernel/src/utilities/arch_helpers.rs;
 * TOCK-REFERENCE section 3). Memop is memop.h, the grant swaps grant.h.
 */
#ifndef GS_SYSCALL_H
#define GS_SYSCALL_H

#include <stdbool.h>
#include <stdint.h>

#include "process.h"
#include "tasks.h"

enum gs_syscall_class {
    GS_SYS_YIELD = 0,
    GS_SYS_SUBSCRIBE = 1,
    GS_SYS_COMMAND = 2,
    GS_SYS_RW_ALLOW = 3,
    GS_SYS_RO_ALLOW = 4,
    GS_SYS_MEMOP = 5,
    GS_SYS_EXIT = 6,
    GS_SYS_UR_ALLOW = 7,
};

/* A decoded syscall: class and the stacked r0..r3. */
struct gs_syscall {
    enum gs_syscall_class cls;
    uint32_t r[4];
};

/* SyscallReturn variants, by their TRD104 encoding (r0). */
enum gs_ret_variant {
    GS_RET_FAILURE = 0,
    GS_RET_FAILURE_U32 = 1,
    GS_RET_FAILURE_U32_U32 = 2,
    GS_RET_FAILURE_U64 = 3,
    GS_RET_SUCCESS = 128,
    GS_RET_SUCCESS_U32 = 129,
    GS_RET_SUCCESS_U32_U32 = 130,
    GS_RET_SUCCESS_U64 = 131,
    GS_RET_SUCCESS_U32_U32_U32 = 132,
    GS_RET_SUCCESS_U32_U64 = 133,
    GS_RET_YIELD_WAIT_FOR = 0x1000, /* no variant code: r0..r2 = the upcall's arguments */
};

/*
 * A SyscallReturn / CommandReturn. For failures `err` is the ErrorCode and
 * a, b the data words; for successes a, b, c are the data words. 64-bit
 * payloads are split into (low, high) words in a, b (or b, c for
 * SuccessU32U64). Allow and subscribe results are SuccessU32U32 /
 * FailureU32U32 (TRD104 encodes them that way).
 */
struct gs_ret {
    enum gs_ret_variant v;
    uint32_t err;
    uint32_t a, b, c;
};

static inline struct gs_ret gs_ret_success(void)
{
    struct gs_ret r = {GS_RET_SUCCESS, 0, 0, 0, 0};
    return r;
}
static inline struct gs_ret gs_ret_u32(uint32_t a)
{
    struct gs_ret r = {GS_RET_SUCCESS_U32, 0, a, 0, 0};
    return r;
}
static inline struct gs_ret gs_ret_u32_u32(uint32_t a, uint32_t b)
{
    struct gs_ret r = {GS_RET_SUCCESS_U32_U32, 0, a, b, 0};
    return r;
}
static inline struct gs_ret gs_ret_failure(uint32_t err)
{
    struct gs_ret r = {GS_RET_FAILURE, err, 0, 0, 0};
    return r;
}
static inline struct gs_ret gs_ret_failure_u32_u32(uint32_t err, uint32_t a, uint32_t b)
{
    struct gs_ret r = {GS_RET_FAILURE_U32_U32, err, a, b, 0};
    return r;
}

/*
 * Where each register of a return variant comes from: the one table of
 * TRD104's encodings (TOCK-REFERENCE 3.2), read by the encoder, by
 * set_syscall_return_value (which words it stores) and by the trace.
 */
enum gs_ret_src {
    GS_RS_NONE = 0, /* not written: the register keeps its stacked value */
    GS_RS_VARIANT,  /* the variant's code (r0) */
    GS_RS_ERR,      /* the ErrorCode */
    GS_RS_A,        /* the data words of struct gs_ret */
    GS_RS_B,
    GS_RS_C,
};

struct gs_ret_layout {
    enum gs_ret_variant v;
    const char *name; /* "SuccessU32", ... */
    uint8_t reg[4];   /* enum gs_ret_src of r0..r3 */
};

/* The table's row for v, or NULL for a value that is no variant. */
const struct gs_ret_layout *gs_ret_layout(enum gs_ret_variant v);

/* The registers v writes, bit i = r_i (always r0 .. r(n-1)); 0 for no variant. */
unsigned gs_ret_written(enum gs_ret_variant v);

/* Is this a success variant? */
bool gs_ret_is_success(const struct gs_ret *r);

/* Name of a class ("Yield", ...) or "Invalid". */
const char *gs_syscall_class_name(unsigned cls);

/* Name of a return variant ("SuccessU32", ...), "Unknown" for no variant. */
const char *gs_ret_variant_name(enum gs_ret_variant v);

/*
 * encode_syscall_return_trd104 into r[0..3]: registers a variant does not
 * mention are left untouched.
 */
void gs_ret_encode(const struct gs_ret *ret, uint32_t r[4]);

/*
 * set_syscall_return_value: validates the stacked frame (psp >= memory_start
 * and psp + 16 <= app_break), writes the encoded registers into it, and sets
 * the state Running (clearing the YieldedFor flag). An invalid frame faults
 * the process (fault policy).
 */
void gs_set_syscall_return(struct gs_process *p, const struct gs_ret *ret);

/*
 * set_process_function: rewrites the frame at psp so the process calls
 * t->pc (pc = fn | 1, lr = yield_pc | 1, r0..r3, xpsr = stored psr; r12 is
 * not written), state Running. A frame outside [memory_start, app_break -
 * 32] faults the process instead.
 */
void gs_set_process_function(struct gs_process *p, const struct gs_task *t);

/*
 * handle_syscall: records the debug data, applies the syscall filter, then
 * handles the syscall exactly as upstream (TOCK-REFERENCE 3.4-3.7, 1.12).
 */
void gs_handle_syscall(struct gs_kernel *k, struct gs_process *p, const struct gs_syscall *sc);

#endif
