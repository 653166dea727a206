/* SPDX-License-Identifier: MIT */
/*
 * memop.h - the Memop syscall class, kernel/src/memop.rs (TOCK-REFERENCE
 * 1.12): operations 0-11 on a process's memory bookkeeping.
 */
#ifndef GS_MEMOP_H
#define GS_MEMOP_H

#include <stdbool.h>
#include <stdint.h>

#include "errors.h"
#include "process.h"

/* Why a memop failed, valued as the Tock ErrorCode it returns (memop.rs). */
enum gs_memop_err {
    GS_MEMOP_OK = 0,
    GS_MEMOP_FAIL = GS_EC_FAIL,           /* 8, 9: no writeable flash region of that index */
    GS_MEMOP_NOMEM = GS_EC_NOMEM,         /* 0, 1: brk or sbrk refused */
    GS_MEMOP_NOSUPPORT = GS_EC_NOSUPPORT, /* an operation number above 11 */
};

/*
 * What a memop gives on success: Success (has_value false), or one word
 * (SuccessU32; upstream's SuccessPtr and SuccessAddr are that on the 32-bit
 * target).
 */
struct gs_memop_value {
    bool has_value;
    uint32_t value;
};

/*
 * memop(op, arg) for p, as memop.rs: 0 brk, 1 sbrk, 2-6 the process's
 * addresses, 7-9 the writeable flash regions, 10 and 11 record the stack
 * and heap start (only inside [memory_start, mem_end)). Returns
 * GS_MEMOP_OK and writes *out, or a failure and leaves *out untouched.
 */
enum gs_memop_err gs_memop(struct gs_process *p, uint32_t op, uint32_t arg,
                           struct gs_memop_value *out);

#endif
