/* SPDX-License-Identifier: MIT */
/*
 * System call wrappers (Thumb). Register use per class is in TOCK-REFERENCE
 * 11.3.1 and tock kernel/src/utilities/arch_helpers.rs; the kernel writes only
 * the registers a return variant mentions, so r0-r3 are in/out operands.
 *
 * Yield is special: the kernel may deliver an upcall by rewriting the
 * exception frame so that the `svc` returns into the upcall with lr = the
 * instruction after it (tock arch/cortex-m/src/syscall.rs
 * set_process_function). The upcall is an ordinary AAPCS call, so across a
 * yield everything caller-saved (r0-r3, r12, lr, flags, memory) is clobbered.
 * r9 is the PIC base (-msingle-pic-base) and never changed by compiled code.
 */
#include "tock.h"

void tock_yield(void)
{
    register uint32_t r0 __asm__("r0") = 1; /* Yield-Wait */
    register uint32_t r1 __asm__("r1") = 0;
    __asm__ volatile("svc 0" : "+r"(r0), "+r"(r1) : : "r2", "r3", "r12", "lr", "cc", "memory");
}

int tock_yield_no_wait(void)
{
    volatile uint8_t ran = 0;
    register uint32_t r0 __asm__("r0") = 0; /* Yield-NoWait */
    register volatile uint8_t *r1 __asm__("r1") = &ran;
    __asm__ volatile("svc 0" : "+r"(r0), "+r"(r1) : : "r2", "r3", "r12", "lr", "cc", "memory");
    return ran;
}

tock_upcall_args_t tock_yield_wait_for(uint32_t driver, uint32_t subscribe)
{
    register uint32_t r0 __asm__("r0") = 2; /* Yield-WaitFor */
    register uint32_t r1 __asm__("r1") = driver;
    register uint32_t r2 __asm__("r2") = subscribe;
    __asm__ volatile("svc 0" : "+r"(r0), "+r"(r1), "+r"(r2) : : "r3", "r12", "lr", "cc", "memory");
    tock_upcall_args_t a = {r0, r1, r2};
    return a;
}

void tock_yield_for(volatile bool *cond)
{
    while (!*cond) {
        tock_yield();
    }
}

void tock_upcall_set_flag(uint32_t arg0, uint32_t arg1, uint32_t arg2, void *appdata)
{
    (void)arg0;
    (void)arg1;
    (void)arg2;
    *(volatile bool *)appdata = true;
}

/* Decodes the answer of subscribe and the allows: SuccessU32U32(old ptr, old
 * value) or FailureU32U32(err, passed ptr, passed value). */
static tock_swap_t swap_result(uint32_t variant, uint32_t r1, uint32_t r2, uint32_t r3)
{
    tock_swap_t s;
    if (variant == TOCK_SUCCESS_U32_U32) {
        s.status = TOCK_OK;
        s.ptr = r1;
        s.val = r2;
    } else if (variant == TOCK_FAILURE_U32_U32) {
        s.status = -(int)r1;
        s.ptr = r2;
        s.val = r3;
    } else {
        s.status = TOCK_EBADRVAL;
        s.ptr = r1;
        s.val = r2;
    }
    return s;
}

tock_swap_t tock_subscribe(uint32_t driver, uint32_t subscribe, tock_upcall_fn *fn, void *appdata)
{
    register uint32_t r0 __asm__("r0") = driver;
    register uint32_t r1 __asm__("r1") = subscribe;
    register uint32_t r2 __asm__("r2") = (uint32_t)fn;
    register uint32_t r3 __asm__("r3") = (uint32_t)appdata;
    __asm__ volatile("svc 1" : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3) : : "memory");
    return swap_result(r0, r1, r2, r3);
}

tock_ret_t tock_command(uint32_t driver, uint32_t command, uint32_t arg0, uint32_t arg1)
{
    register uint32_t r0 __asm__("r0") = driver;
    register uint32_t r1 __asm__("r1") = command;
    register uint32_t r2 __asm__("r2") = arg0;
    register uint32_t r3 __asm__("r3") = arg1;
    __asm__ volatile("svc 2" : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3) : : "memory");
    tock_ret_t r = {r0, {r1, r2, r3}};
    return r;
}

tock_swap_t tock_allow_rw(uint32_t driver, uint32_t allow, void *buf, size_t len)
{
    register uint32_t r0 __asm__("r0") = driver;
    register uint32_t r1 __asm__("r1") = allow;
    register uint32_t r2 __asm__("r2") = (uint32_t)buf;
    register uint32_t r3 __asm__("r3") = len;
    __asm__ volatile("svc 3" : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3) : : "memory");
    return swap_result(r0, r1, r2, r3);
}

tock_swap_t tock_allow_ro(uint32_t driver, uint32_t allow, const void *buf, size_t len)
{
    register uint32_t r0 __asm__("r0") = driver;
    register uint32_t r1 __asm__("r1") = allow;
    register uint32_t r2 __asm__("r2") = (uint32_t)buf;
    register uint32_t r3 __asm__("r3") = len;
    __asm__ volatile("svc 4" : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3) : : "memory");
    return swap_result(r0, r1, r2, r3);
}

tock_swap_t tock_allow_userspace_r(uint32_t driver, uint32_t allow, void *buf, size_t len)
{
    register uint32_t r0 __asm__("r0") = driver;
    register uint32_t r1 __asm__("r1") = allow;
    register uint32_t r2 __asm__("r2") = (uint32_t)buf;
    register uint32_t r3 __asm__("r3") = len;
    __asm__ volatile("svc 7" : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3) : : "memory");
    return swap_result(r0, r1, r2, r3);
}

tock_ret_t tock_memop(uint32_t op, uint32_t arg)
{
    register uint32_t r0 __asm__("r0") = op;
    register uint32_t r1 __asm__("r1") = arg;
    register uint32_t r2 __asm__("r2") = 0;
    register uint32_t r3 __asm__("r3") = 0;
    __asm__ volatile("svc 5" : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3) : : "memory");
    tock_ret_t r = {r0, {r1, r2, r3}};
    return r;
}

int tock_brk(void *addr)
{
    return tock_ret_none(tock_memop(MEMOP_BRK, (uint32_t)addr));
}

int tock_sbrk(int32_t incr, uint32_t *old_break)
{
    return tock_ret_u32(tock_memop(MEMOP_SBRK, (uint32_t)incr), old_break);
}

int tock_memop_u32(uint32_t op, uint32_t arg, uint32_t *out)
{
    return tock_ret_u32(tock_memop(op, arg), out);
}

/* Exit never returns on a kernel that follows tock kernel/src/kernel.rs; if
 * one does return, the undefined instruction makes that a visible fault. */
_Noreturn static void exit_class(uint32_t how, uint32_t code)
{
    register uint32_t r0 __asm__("r0") = how;
    register uint32_t r1 __asm__("r1") = code;
    __asm__ volatile("svc 6" : "+r"(r0), "+r"(r1) : : "memory");
    __builtin_trap();
}

_Noreturn void tock_exit(uint32_t code)
{
    exit_class(0, code);
}

_Noreturn void tock_restart(uint32_t code)
{
    exit_class(1, code);
}

int tock_ret_none(tock_ret_t r)
{
    if (r.variant == TOCK_SUCCESS) {
        return TOCK_OK;
    }
    if (r.variant == TOCK_FAILURE) {
        return -(int)r.data[0];
    }
    return TOCK_EBADRVAL;
}

int tock_ret_u32(tock_ret_t r, uint32_t *v)
{
    if (r.variant == TOCK_SUCCESS_U32) {
        *v = r.data[0];
        return TOCK_OK;
    }
    if (r.variant == TOCK_FAILURE) {
        return -(int)r.data[0];
    }
    return TOCK_EBADRVAL;
}

int tock_ret_u32_u32(tock_ret_t r, uint32_t *a, uint32_t *b)
{
    if (r.variant == TOCK_SUCCESS_U32_U32) {
        *a = r.data[0];
        *b = r.data[1];
        return TOCK_OK;
    }
    if (r.variant == TOCK_FAILURE) {
        return -(int)r.data[0];
    }
    return TOCK_EBADRVAL;
}

const char *tock_strerror(int status)
{
    static const char *const names[] = {
        "OK",   "FAIL",   "BUSY",  "ALREADY",   "OFF",      "RESERVE",     "INVAL",
        "SIZE", "CANCEL", "NOMEM", "NOSUPPORT", "NODEVICE", "UNINSTALLED", "NOACK",
    };
    if (status == TOCK_EBADRVAL) {
        return "BADRVAL";
    }
    if (status <= 0 && status > -(int)(sizeof(names) / sizeof(names[0]))) {
        return names[-status];
    }
    return "?";
}
