/* SPDX-License-Identifier: MIT */
/* IPC driver wrappers (see ipc.h). */
#include "ipc.h"

#define IPC_CMD_DISCOVER       1u
#define IPC_CMD_NOTIFY_SERVICE 2u
#define IPC_CMD_NOTIFY_CLIENT  3u
#define IPC_ALLOW_RO_NAME      0u

int ipc_discover(const char *name, uint32_t *id)
{
    tock_swap_t prev = tock_allow_ro(DRIVER_IPC, IPC_ALLOW_RO_NAME, name, strlen(name));
    if (prev.status != TOCK_OK) {
        return prev.status;
    }
    int st = tock_ret_u32(tock_command(DRIVER_IPC, IPC_CMD_DISCOVER, 0, 0), id);
    tock_allow_ro(DRIVER_IPC, IPC_ALLOW_RO_NAME, (const void *)prev.ptr, prev.val);
    return st;
}

int ipc_register_service(const char *own_name, tock_upcall_fn *fn, void *appdata)
{
    uint32_t self;
    int st = ipc_discover(own_name, &self);
    if (st != TOCK_OK) {
        return st;
    }
    return tock_subscribe(DRIVER_IPC, self, fn, appdata).status;
}

int ipc_register_client(uint32_t svc, tock_upcall_fn *fn, void *appdata)
{
    return tock_subscribe(DRIVER_IPC, svc, fn, appdata).status;
}

int ipc_share(uint32_t to, void *buf, size_t len)
{
    return tock_allow_rw(DRIVER_IPC, to, buf, len).status;
}

int ipc_notify_service(uint32_t svc)
{
    return tock_ret_none(tock_command(DRIVER_IPC, IPC_CMD_NOTIFY_SERVICE, svc, 0));
}

int ipc_notify_client(uint32_t client)
{
    return tock_ret_none(tock_command(DRIVER_IPC, IPC_CMD_NOTIFY_CLIENT, client, 0));
}
