/* SPDX-License-Identifier: MIT */
/* IPC: kernel/src/ipc.rs (tock HEAD 65608d717), TOCK-REFERENCE section 5. */
#include "ipc.h"

#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "tasks.h"

/* ProcessId::index(): the index if the identifier is still current. */
static bool pid_index(const struct gs_kernel *k, struct gs_pid pid, uint32_t *index)
{
    if (!gs_kernel_get_process(k, pid))
        return false;
    *index = pid.index;
    return true;
}

/* Command 1: discover by package name (byte-exact, process-array order). */
static struct gs_ret discover(struct gs_ipc *ipc, struct gs_pid caller)
{
    struct gs_kernel *k = ipc->drv.k;
    struct gs_grant_ctx ctx;
    struct gs_ret ret = gs_ret_failure(GS_EC_NODEVICE);
    uint32_t ptr, len;
    uint8_t *name;

    if (gs_grant_enter(ipc->drv.grant, caller, &ctx) != GS_OK)
        return gs_ret_failure(GS_EC_NOMEM);
    gs_grant_get_allow(&ctx, false, 0, &ptr, &len);
    name = malloc(len ? len : 1);
    if (!name || (len && gs_mem_read(k->mem, ptr, name, len) != GS_OK)) {
        /* search.enter() failed */
        ret = gs_ret_failure(GS_EC_INVAL);
    } else {
        for (unsigned i = 0; i < k->cfg.num_procs; i++) {
            const struct gs_process *p = k->procs[i];
            if (p && p->app.name_len == len && memcmp(gs_process_name(p), name, len) == 0) {
                ret = gs_ret_u32(p->pid.index);
                break;
            }
        }
    }
    free(name);
    gs_grant_leave(&ctx);
    return ret;
}

/* Commands 2 and 3: enqueue Task::IPC on the process whose index is target. */
static struct gs_ret notify(struct gs_ipc *ipc, struct gs_pid caller, uint32_t target,
                            enum gs_ipc_type type)
{
    struct gs_process *t = gs_kernel_process_at(ipc->drv.k, target);
    struct gs_task task;
    int e;

    if (!t)
        return gs_ret_failure(GS_EC_INVAL);
    memset(&task, 0, sizeof(task));
    task.kind = GS_TASK_IPC;
    task.ipc_from = caller;
    task.ipc_type = type;
    e = gs_tasks_enqueue(t, &task);
    return e ? gs_ret_failure((uint32_t)e) : gs_ret_success();
}

static struct gs_ret ipc_command(struct gs_driver *d, uint32_t cmd, uint32_t arg0, uint32_t arg1,
                                 struct gs_pid pid)
{
    struct gs_ipc *ipc = d->state;

    (void)arg1;
    switch (cmd) {
    case 0:
        return gs_ret_success();
    case 1:
        return discover(ipc, pid);
    case 2:
        return notify(ipc, pid, arg0, GS_IPC_SERVICE);
    case 3:
        return notify(ipc, pid, arg0, GS_IPC_CLIENT);
    default:
        return gs_ret_failure(GS_EC_NOSUPPORT);
    }
}

static int ipc_allocate_grant(struct gs_driver *d, struct gs_pid pid)
{
    struct gs_grant_ctx ctx;
    int e = gs_grant_enter(d->grant, pid, &ctx);

    if (e == GS_OK)
        gs_grant_leave(&ctx);
    return e;
}

/* IPC::schedule_upcall(schedule_on, called_from, type); every error is ignored upstream. */
static void ipc_dispatch(struct gs_kernel *k, struct gs_process *target, const struct gs_task *t)
{
    struct gs_ipc *ipc = k->ipc;
    uint32_t on, from, ptr = 0, len = 0, upcall, s, z, slot_ptr, slot_len;
    struct gs_grant_ctx tc, fc;

    if (!pid_index(k, target->pid, &on) || !pid_index(k, t->ipc_from, &from))
        return; /* NoSuchApp */
    if (on == from)
        return; /* AlreadyInUse: a self-notify would enter the same grant twice */
    if (gs_grant_enter(ipc->drv.grant, target->pid, &tc) != GS_OK)
        return;
    if (gs_grant_enter(ipc->drv.grant, t->ipc_from, &fc) == GS_OK) {
        if (gs_grant_get_allow(&fc, true, on, &slot_ptr, &slot_len) == GS_OK) {
            /* A zero-length buffer reads as (NULL, 0); the MPU call then fails harmlessly. */
            len = slot_len;
            ptr = slot_len ? slot_ptr : 0;
            gs_process_add_mpu_region(target, ptr, len, len, &s, &z);
        }
        upcall = t->ipc_type == GS_IPC_SERVICE ? on : from;
        gs_kernel_event(k, GS_EV_IPC_DISPATCH, target, from, t->ipc_type, len, ptr);
        gs_grant_schedule_upcall(&tc, upcall, from, len, ptr);
        gs_grant_leave(&fc);
    }
    gs_grant_leave(&tc);
}

static const struct gs_driver_ops ipc_ops = {
    .command = ipc_command,
    .allocate_grant = ipc_allocate_grant,
};

int gs_ipc_init(struct gs_kernel *k, struct gs_ipc *ipc, uint32_t driver_num)
{
    struct gs_grant_shape s;
    int e;

    if (k->cfg.num_procs > 255)
        return GS_E_ARG;
    memset(ipc, 0, sizeof(*ipc));
    memset(&s, 0, sizeof(s));
    s.t_align = 1;
    s.n_upcalls = s.n_rw = k->cfg.num_procs;
    s.n_ro = 1;
    e = gs_grant_create(k, driver_num, &s, NULL, &ipc->drv.grant);
    if (e)
        return e;
    ipc->num_procs = k->cfg.num_procs;
    ipc->drv.num = driver_num;
    ipc->drv.name = "ipc";
    ipc->drv.ops = &ipc_ops;
    ipc->drv.state = ipc;
    e = gs_kernel_add_driver(k, &ipc->drv);
    if (e)
        return e;
    k->ipc = ipc;
    k->ipc_dispatch = ipc_dispatch;
    return GS_OK;
}
