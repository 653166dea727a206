/* SPDX-License-Identifier: MIT */
/*
 * driver.h - syscall drivers (capsules) and how the kernel finds them
 * (SyscallDriver in kernel/src/syscall_driver.rs, syscall_driver_lookup).
 *
 * A driver is a number, a table of operations and its state. Missing
 * operations take upstream's defaults: command -> Failure(NOSUPPORT),
 * allow_userspace_readable -> Err(NOSUPPORT). allocate_grant is required by
 * upstream's trait; a NULL one here answers Err (as a capsule without a grant).
 */
#ifndef GS_DRIVER_H
#define GS_DRIVER_H

#include <stdint.h>

#include "kernel.h"
#include "syscall.h"

struct gs_driver;

struct gs_driver_ops {
    /* SyscallDriver::command(cmd, arg0, arg1, pid) -> CommandReturn. */
    struct gs_ret (*command)(struct gs_driver *d, uint32_t cmd, uint32_t arg0, uint32_t arg1,
                             struct gs_pid pid);
    /* SyscallDriver::allocate_grant(pid): 0 or a negative gs_err. */
    int (*allocate_grant)(struct gs_driver *d, struct gs_pid pid);
    /*
     * SyscallDriver::allow_userspace_readable: on success returns 0 and the
     * previous (ptr, len) in *old; on failure a positive ErrorCode (the buffer
     * goes back to the process).
     */
    int (*allow_userspace_readable)(struct gs_driver *d, struct gs_pid pid, uint32_t num,
                                    uint32_t ptr, uint32_t len, uint32_t old[2]);
    /* Called when the kernel is freed. May be NULL. */
    void (*destroy)(struct gs_driver *d);
    /*
     * Called by gs_kernel_reset: forget what runs left behind (captured
     * output, LED states, the RNG's position), as a freshly built capsule.
     * Per-process state lives in grants and goes with the processes. May be NULL.
     */
    void (*reset)(struct gs_driver *d);
};

struct gs_driver {
    uint32_t num;
    const char *name;
    const struct gs_driver_ops *ops;
    void *state;
    struct gs_grant *grant; /* the capsule's grant, if it has one */
    struct gs_kernel *k;
};

/*
 * Registers a driver (board setup). The kernel keeps the pointer; the
 * driver object must outlive the kernel. Errors: GS_E_ARG (number already
 * registered), GS_E_NOMEM_HOST.
 */
int gs_kernel_add_driver(struct gs_kernel *k, struct gs_driver *d);

/* with_driver(num): the driver or NULL. */
struct gs_driver *gs_kernel_driver(const struct gs_kernel *k, uint32_t num);

/*
 * The syscall filter (SyscallFilter::filter_syscall): 0 to allow, or a
 * positive ErrorCode. Applied to every class but Yield, Exit and Memop.
 */
typedef int (*gs_syscall_filter_fn)(void *ctx, const struct gs_process *p,
                                    const struct gs_syscall *sc);

/* Installs a filter (NULL = the default `()` filter, which allows everything). */
void gs_kernel_set_filter(struct gs_kernel *k, gs_syscall_filter_fn fn, void *ctx);

/*
 * TbfHeaderFilterDefaultAllow (capsules/system/src/process_checker... ; TOCK-
 * REFERENCE 3.4): no Permissions TLV -> allow; driver not listed -> NODEVICE;
 * command allowed only if bit (cmd % 64) of the mask for offset cmd / 64 is
 * set, else NODEVICE; subscribe and allows need only the driver listed.
 */
int gs_filter_tbf_permissions(void *ctx, const struct gs_process *p, const struct gs_syscall *sc);

#endif
