/* SPDX-License-Identifier: MIT */
/*
 * ipc.h - the IPC driver, kernel/src/ipc.rs (TOCK-REFERENCE section 5).
 *
 * Grant: T = IPCData (zero-sized), NUM_PROCS upcalls, 1 RO allow (the name
 * searched by discover), NUM_PROCS RW allows (buffers shared with the
 * process of that index). Commands: 0 exists, 1 discover, 2 notify service,
 * 3 notify client. Task::IPC is dispatched by schedule_upcall when the target
 * is Yielded; shared buffers are mapped into the target's MPU with
 * add_mpu_region and never removed.
 */
#ifndef GS_IPC_H
#define GS_IPC_H

#include <stdint.h>

#include "driver.h"
#include "grant.h"

#define GS_IPC_DRIVER_NUM 0x10000u

struct gs_ipc {
    struct gs_driver drv;
    unsigned num_procs; /* NUM_PROCS */
};

/*
 * IPC::new(kernel, driver_num): creates the grant (NUM_PROCS = the kernel's
 * process slot count) and registers the driver and the Task::IPC dispatcher.
 * Errors: as gs_grant_create and gs_kernel_add_driver; GS_E_ARG when the
 * kernel has more than 255 slots (counts are u8).
 */
int gs_ipc_init(struct gs_kernel *k, struct gs_ipc *ipc, uint32_t driver_num);

#endif
