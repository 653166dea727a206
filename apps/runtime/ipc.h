/* SPDX-License-Identifier: MIT */
/*
 * IPC driver 0x10000 (tock kernel/src/ipc.rs; TOCK-REFERENCE 5 and 11.3.3),
 * with the same syscall sequences as libtock-c's libtock/kernel/ipc.c.
 * Process ids here are the kernel's process slot indices: they are the
 * subscribe numbers and the RW-allow numbers of the IPC driver.
 * Every function returns TOCK_OK or a negative status (tock.h).
 */
#ifndef GRANTSIM_APPS_IPC_H
#define GRANTSIM_APPS_IPC_H

#include "tock.h"

/* Finds the process whose package name is exactly `name` (no NUL compared):
 * allow_ro(IPC, 0, name), command(IPC, 1) -> SuccessU32(id), then the
 * previous RO buffer is allowed back. *id is written only on success. */
int ipc_discover(const char *name, uint32_t *id);

/* Registers fn as this service's upcall: discovers its own name, then
 * subscribes with its own id. fn gets (client id, shared len, shared ptr). */
int ipc_register_service(const char *own_name, tock_upcall_fn *fn, void *appdata);

/* Registers fn for notifications from service svc: subscribe(IPC, svc). fn
 * gets (service id, len, ptr) of what the service shared with us, or 0s. */
int ipc_register_client(uint32_t svc, tock_upcall_fn *fn, void *appdata);

/* Shares buf with process `to`: allow_rw(IPC, to, buf, len). */
int ipc_share(uint32_t to, void *buf, size_t len);

/* command(IPC, 2, svc): queues a Service notification on svc. */
int ipc_notify_service(uint32_t svc);

/* command(IPC, 3, client): queues a Client notification on client. */
int ipc_notify_client(uint32_t client);

#endif
