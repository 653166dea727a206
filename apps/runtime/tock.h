/* SPDX-License-Identifier: MIT */
/*
 * grantsim app runtime: Tock system calls for Cortex-M user programs.
 *
 * The register ABI is TRD104 as implemented by the Tock kernel
 * (kernel/src/syscall.rs, kernel/src/utilities/arch_helpers.rs): `svc N`
 * selects the class, r0-r3 carry the arguments, and the kernel writes the
 * return variant into r0 and its values into r1-r3. The status convention is
 * libtock-c's (libtock/tock.c): 0 is success, a failure is -ErrorCode, and a
 * variant the caller did not expect is TOCK_EBADRVAL.
 *
 * Unlike libtock-c, nothing here calls exit() on an unexpected variant; the
 * status says so and the caller decides (these apps are tests).
 */
#ifndef GRANTSIM_APPS_TOCK_H
#define GRANTSIM_APPS_TOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Return variants (r0), TRD104 / tock kernel/src/syscall.rs. */
enum tock_variant {
    TOCK_FAILURE = 0,
    TOCK_FAILURE_U32 = 1,
    TOCK_FAILURE_U32_U32 = 2,
    TOCK_FAILURE_U64 = 3,
    TOCK_SUCCESS = 128,
    TOCK_SUCCESS_U32 = 129,
    TOCK_SUCCESS_U32_U32 = 130,
    TOCK_SUCCESS_U64 = 131,
    TOCK_SUCCESS_U32_U32_U32 = 132,
    TOCK_SUCCESS_U32_U64 = 133,
};

/* Statuses: -ErrorCode (tock kernel/src/errorcode.rs), as libtock's returncode_t. */
enum tock_status {
    TOCK_OK = 0,
    TOCK_EFAIL = -1,
    TOCK_EBUSY = -2,
    TOCK_EALREADY = -3,
    TOCK_EOFF = -4,
    TOCK_ERESERVE = -5,
    TOCK_EINVAL = -6,
    TOCK_ESIZE = -7,
    TOCK_ECANCEL = -8,
    TOCK_ENOMEM = -9,
    TOCK_ENOSUPPORT = -10,
    TOCK_ENODEVICE = -11,
    TOCK_EUNINSTALLED = -12,
    TOCK_ENOACK = -13,
    TOCK_EBADRVAL = -1024, /* TRD104: reserved for userspace, "unexpected variant" */
};

/* Driver numbers of the simulated board (docs/drivers.md). */
#define DRIVER_ALARM   0x0u
#define DRIVER_CONSOLE 0x1u
#define DRIVER_LED     0x2u
#define DRIVER_LLDEBUG 0x8u
#define DRIVER_IPC     0x10000u
#define DRIVER_RNG     0x40001u
#define DRIVER_TESTCAP 0x90000u

/* Alarm commands (capsules/core/src/alarm.rs): the frequency, and an alarm
 * `arg` ticks from now (upcall 0 fires then). */
#define ALARM_CMD_FREQUENCY 1u
#define ALARM_CMD_RELATIVE  5u

/* Memop operations (tock kernel/src/memop.rs). */
enum tock_memop {
    MEMOP_BRK = 0,
    MEMOP_SBRK = 1,
    MEMOP_RAM_START = 2,
    MEMOP_RAM_END = 3,
    MEMOP_FLASH_START = 4,
    MEMOP_FLASH_END = 5,
    MEMOP_GRANT_START = 6,
    MEMOP_WFR_COUNT = 7,
    MEMOP_WFR_START = 8,
    MEMOP_WFR_END = 9,
    MEMOP_DEBUG_STACK_START = 10,
    MEMOP_DEBUG_HEAP_START = 11,
};

/* The raw result of a system call: the variant and r1-r3 as the kernel left them. */
typedef struct {
    uint32_t variant;
    uint32_t data[3];
} tock_ret_t;

/* The result of subscribe and the allows, which swap a (pointer, value) pair.
 * On success `ptr`/`val` are the previous upcall and appdata, or the previous
 * buffer and length; on failure they are what the caller passed back. */
typedef struct {
    int status; /* TOCK_OK, -ErrorCode, or TOCK_EBADRVAL */
    uint32_t ptr;
    uint32_t val;
} tock_swap_t;

/* What Yield-WaitFor returns: the three upcall arguments (r0-r2). */
typedef struct {
    uint32_t arg0;
    uint32_t arg1;
    uint32_t arg2;
} tock_upcall_args_t;

/* An upcall as the kernel calls it: r0-r2 arguments, r3 the appdata. */
typedef void tock_upcall_fn(uint32_t arg0, uint32_t arg1, uint32_t arg2, void *appdata);

/* ---- class 0: yield ---------------------------------------------------- */

/* Yield-Wait: sleeps until the kernel delivers an upcall, which runs before
 * this returns. Null-upcall results never wake it (TRD104). */
void tock_yield(void);

/* Yield-NoWait: returns 1 if the kernel had a task (an upcall then ran before
 * the return), 0 if not. */
int tock_yield_no_wait(void);

/* Yield-WaitFor(driver, subscribe): blocks until an event for that upcall id,
 * and returns its arguments without running any registered upcall. */
tock_upcall_args_t tock_yield_wait_for(uint32_t driver, uint32_t subscribe);

/* Yield-Wait until *cond is true (libtock's yield_for). */
void tock_yield_for(volatile bool *cond);

/* An upcall that only sets the flag its appdata points to (a volatile bool):
 * subscribe it with &flag, then wait with tock_yield_for(&flag). */
void tock_upcall_set_flag(uint32_t arg0, uint32_t arg1, uint32_t arg2, void *appdata);

/* ---- classes 1-4, 7: subscribe, command, allows ------------------------ */

/* Subscribe: success is SuccessU32U32(old fn, old appdata), failure
 * FailureU32U32(err, fn, appdata); anything else gives TOCK_EBADRVAL.
 * fn NULL is the null upcall. */
tock_swap_t tock_subscribe(uint32_t driver, uint32_t subscribe, tock_upcall_fn *fn, void *appdata);

/* Command: returns the raw variant; decode with the tock_ret_* helpers. */
tock_ret_t tock_command(uint32_t driver, uint32_t command, uint32_t arg0, uint32_t arg1);

/* Read-write allow (svc 3), read-only allow (svc 4), userspace-readable allow
 * (svc 7). Success SuccessU32U32(old ptr, old len); failure
 * FailureU32U32(err, ptr, len). Allowing (NULL, 0) withdraws a buffer. */
tock_swap_t tock_allow_rw(uint32_t driver, uint32_t allow, void *buf, size_t len);
tock_swap_t tock_allow_ro(uint32_t driver, uint32_t allow, const void *buf, size_t len);
tock_swap_t tock_allow_userspace_r(uint32_t driver, uint32_t allow, void *buf, size_t len);

/* ---- class 5: memop ---------------------------------------------------- */

tock_ret_t tock_memop(uint32_t op, uint32_t arg);

/* memop 0: set the break. TOCK_OK or TOCK_ENOMEM. */
int tock_brk(void *addr);

/* memop 1: move the break by incr bytes; *old_break gets the previous break
 * (only on success). */
int tock_sbrk(int32_t incr, uint32_t *old_break);

/* Memops that answer SuccessU32 (2-9): *out is written only on success. */
int tock_memop_u32(uint32_t op, uint32_t arg, uint32_t *out);

/* ---- class 6: exit ----------------------------------------------------- */

/* Exit-Terminate with a completion code. */
_Noreturn void tock_exit(uint32_t code);

/* Exit-Restart with a completion code: the kernel re-runs the app from _start. */
_Noreturn void tock_restart(uint32_t code);

/* ---- decoding (libtock/tock.c tock_command_return_*_to_returncode) ------- */

/* Each accepts its success variant or plain Failure; any other variant is
 * TOCK_EBADRVAL. Out-parameters are written only on success. */
int tock_ret_none(tock_ret_t r);
int tock_ret_u32(tock_ret_t r, uint32_t *v);
int tock_ret_u32_u32(tock_ret_t r, uint32_t *a, uint32_t *b);

/* A short name for a status ("OK", "NOMEM", "BADRVAL", ...). */
const char *tock_strerror(int status);

/* ---- freestanding C helpers (string.c) ----------------------------------- */

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

#endif
