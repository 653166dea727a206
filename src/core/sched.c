/* SPDX-License-Identifier: MIT */
/*
 * The kernel loop (kernel/src/kernel.rs kernel_loop_operation, do_process)
 * and RoundRobinSched (capsules/system/src/scheduler/round_robin.rs). The
 * Cortex-M switch_to_process decoding is cortexm.c's.
 */
#include "sched.h"

#include <stdlib.h>
#include <string.h>

#include "cortexm.h"
#include "errors.h"
#include "invariants.h"
#include "process.h"
#include "syscall.h"
#include "tasks.h"

enum stop_reason { NO_WORK, TIMESLICE_EXPIRED, KERNEL_PREEMPTION, STOPPED, LIMIT, FAILED };

const char *gs_run_end_name(enum gs_run_end e)
{
    switch (e) {
    case GS_RUN_IDLE:
        return "idle";
    case GS_RUN_LIMIT:
        return "limit";
    case GS_RUN_PANIC:
        return "panic";
    case GS_RUN_ERROR:
        return "error";
    case GS_RUN_TIME:
        return "time-limit";
    }
    return "unknown";
}

void gs_kernel_set_arch(struct gs_kernel *k, const struct gs_arch *arch)
{
    k->arch = arch;
}

int gs_kernel_set_timeslice(struct gs_kernel *k, uint64_t timeslice)
{
    if (timeslice == 0)
        timeslice = GS_DEFAULT_TIMESLICE;
    if (timeslice < 20)
        return GS_E_ARG;
    k->timeslice = timeslice;
    k->min_quanta = timeslice / 20;
    return GS_OK;
}

uint64_t gs_kernel_now(const struct gs_kernel *k)
{
    return k->now;
}

uint64_t gs_kernel_idle_time(const struct gs_kernel *k)
{
    return k->idle;
}

int gs_kernel_defer(struct gs_kernel *k, uint64_t at, gs_work_fn fn, void *ctx, uint64_t arg)
{
    if (k->nwork == k->work_cap) {
        unsigned cap = k->work_cap ? 2 * k->work_cap : 16;
        struct gs_work *w = realloc(k->work, cap * sizeof(*w));
        if (!w)
            return GS_E_NOMEM_HOST;
        k->work = w;
        k->work_cap = cap;
    }
    k->work[k->nwork].at = at;
    k->work[k->nwork].seq = k->work_seq++;
    k->work[k->nwork].fn = fn;
    k->work[k->nwork].ctx = ctx;
    k->work[k->nwork].arg = arg;
    k->nwork++;
    if (at <= k->now)
        k->stop_inline = true; /* due now: the running process yields the CPU to kernel work */
    return GS_OK;
}

unsigned gs_kernel_cancel(struct gs_kernel *k, gs_work_fn fn, void *ctx, uint64_t arg)
{
    unsigned n = 0;

    for (unsigned i = 0; i < k->nwork;) {
        if (k->work[i].fn == fn && k->work[i].ctx == ctx && k->work[i].arg == arg) {
            k->work[i] = k->work[--k->nwork];
            n++;
        } else {
            i++;
        }
    }
    return n;
}

/* Index of the earliest item (by time, then queueing order), or -1. */
static int earliest(const struct gs_kernel *k)
{
    int best = -1;

    for (unsigned i = 0; i < k->nwork; i++)
        if (best < 0 || k->work[i].at < k->work[best].at ||
            (k->work[i].at == k->work[best].at && k->work[i].seq < k->work[best].seq))
            best = (int)i;
    return best;
}

bool gs_kernel_next_work(const struct gs_kernel *k, uint64_t *at)
{
    int i = earliest(k);

    if (i < 0)
        return false;
    *at = k->work[i].at;
    return true;
}

static bool work_due(const struct gs_kernel *k)
{
    uint64_t at;

    return gs_kernel_next_work(k, &at) && at <= k->now;
}

/* ---- the bound on passes that leave the clock where it was ---- */

/* Passes of one gs_kernel_run since its clock last moved (GS_KERNEL_STALL_PASSES). */
struct stall {
    uint64_t at; /* the clock when the count began */
    unsigned passes;
};

/* Advances the clock by up to t, never past end; returns the time charged. */
static uint64_t charge(struct gs_kernel *k, uint64_t t, uint64_t end)
{
    uint64_t room = k->now < end ? end - k->now : 0;

    if (t > room)
        t = room;
    k->now += t;
    return t;
}

/*
 * Counts one pass of a loop of the kernel loop. The GS_KERNEL_STALL_PASSES-th
 * pass in a row at the same time charges all of them as spins (up to end),
 * added to *used when used is not NULL, and returns true; false otherwise.
 */
static bool stall_pass(struct gs_kernel *k, struct stall *st, uint64_t end, uint64_t *used)
{
    uint64_t t;

    if (k->now != st->at) {
        st->at = k->now;
        st->passes = 0;
    }
    if (++st->passes < GS_KERNEL_STALL_PASSES)
        return false;
    st->passes = 0;
    t = charge(k, (uint64_t)GS_KERNEL_STALL_PASSES * GS_KERNEL_SPIN_INSTRUCTIONS, end);
    if (used)
        *used += t;
    return true;
}

/* Runs every item due now (items queued meanwhile for now run too), until end. */
static void run_due_work(struct gs_kernel *k, struct stall *st, uint64_t end)
{
    int i;

    while (!k->panicked && (i = earliest(k)) >= 0 && k->work[i].at <= k->now) {
        struct gs_work w;
        if (stall_pass(k, st, end, NULL) && k->now >= end)
            break; /* items that keep queueing work for now: the budget is spent */
        w = k->work[i];
        k->work[i] = k->work[--k->nwork];
        w.fn(k, w.ctx, w.arg);
    }
    k->stop_inline = false;
}

/* ---- RoundRobinSched ---- */

static void rr_rotate(struct gs_kernel *k)
{
    unsigned n = k->cfg.num_procs, head = k->rr.order[0];

    memmove(&k->rr.order[0], &k->rr.order[1], (n - 1) * sizeof(k->rr.order[0]));
    k->rr.order[n - 1] = head;
}

/* next(): the first ready process, moving empty and unready slots to the back. */
static struct gs_process *rr_next(struct gs_kernel *k, uint64_t *timeslice)
{
    for (unsigned tries = 0; tries < k->cfg.num_procs; tries++) {
        struct gs_process *p = k->procs[k->rr.order[0]];
        if (p && gs_process_ready(p)) {
            if (!k->rr.last_rescheduled)
                k->rr.time_remaining = k->timeslice;
            *timeslice = k->rr.time_remaining;
            return p;
        }
        rr_rotate(k);
    }
    return NULL;
}

/* result(): only a kernel preemption with time left keeps the process at the head. */
static void rr_result(struct gs_kernel *k, enum stop_reason why, uint64_t used)
{
    bool again = why == KERNEL_PREEMPTION && k->rr.time_remaining > used;

    if (again)
        k->rr.time_remaining -= used;
    k->rr.last_rescheduled = again;
    if (!again)
        rr_rotate(k);
}

/* ---- after a switch ---- */

/*
 * What Kernel::do_process does after the process trapped: the Cortex-M
 * switch_to_process decodes the trap (cortexm.c), then the kernel acts on
 * its reason (handle_syscall, or set_fault_state).
 */
static void after_switch(struct gs_kernel *k, struct gs_process *p, const struct gs_trap_info *t)
{
    struct gs_syscall sc;
    struct gs_fault f;

    switch (gs_cortexm_switch_back(k, p, t, &sc, &f)) {
    case GS_SWITCH_SYSCALL:
        gs_handle_syscall(k, p, &sc);
        break;
    case GS_SWITCH_FAULT:
        gs_process_record_fault(p, &f);
        gs_process_set_fault_state(p); /* process_fault_hook () returns Err */
        break;
    case GS_SWITCH_INTERRUPTED:
        break;
    }
}

/*
 * The head of do_process's loop for a process that just ran: may the loop
 * switch straight back to it? (Timeslice left, no kernel work due, ready and
 * Running.) If so, program the MPU as the Running arm does.
 */
static bool may_continue(struct gs_kernel *k, struct gs_process *p, uint64_t left)
{
    if (k->panicked || k->stop_inline || k->stop_requested || left <= k->min_quanta ||
        work_due(k) || !gs_process_ready(p) || p->state != GS_ST_RUNNING)
        return false;
    gs_process_setup_mpu(p);
    gs_mpu_enable(&k->mpu);
    return true;
}

bool gs_kernel_svc_inline(struct gs_kernel *k, struct gs_process *p, uint64_t executed)
{
    struct gs_trap_info t;

    k->now = k->run_start + executed;
    memset(&t, 0, sizeof(t));
    t.trap = GS_TRAP_SVC;
    after_switch(k, p, &t);
    if (executed >= k->slice_left)
        return false;
    return may_continue(k, p, k->slice_left - executed);
}

/*
 * do_process: returns why the process stopped and the time it used (its
 * instructions and the time charged while it was chosen: k->now advanced by
 * as much). It stops when the clock reaches end.
 */
static enum stop_reason do_process(struct gs_kernel *k, struct gs_process *p, uint64_t timeslice,
                                   uint64_t end, struct stall *st, uint64_t *used_out)
{
    uint64_t used = 0, limit = end - k->now;
    enum stop_reason why = NO_WORK;
    struct gs_task task;

    for (;;) {
        uint64_t left;
        stall_pass(k, st, end, &used);
        /* A machine may overrun its budget by part of a block: never wrap. */
        left = used >= timeslice ? 0 : timeslice - used;
        if (k->panicked) {
            why = FAILED;
            break;
        }
        if (left <= k->min_quanta) {
            p->timeslice_expirations++;
            why = TIMESLICE_EXPIRED;
            break;
        }
        if (used >= limit || k->stop_requested) {
            why = LIMIT;
            break;
        }
        if (work_due(k)) { /* continue_process: kernel work preempts */
            why = KERNEL_PREEMPTION;
            break;
        }
        if (!gs_process_ready(p)) {
            why = NO_WORK;
            break;
        }
        switch (p->state) {
        case GS_ST_RUNNING: {
            struct gs_trap_info t;
            uint64_t room = used >= limit ? 0 : limit - used;
            uint64_t budget = left < room ? left : room;
            int err;
            gs_process_setup_mpu(p);
            gs_mpu_enable(&k->mpu);
            memset(&t, 0, sizeof(t));
            k->running = p;
            k->run_start = k->now;
            k->slice_left = left;
            err = k->arch->ops->run(k->arch->ctx, p, budget, &t);
            k->running = NULL;
            gs_mpu_disable(&k->mpu);
            k->now = k->run_start + t.instructions;
            used += t.instructions;
            if (err) {
                *used_out = used;
                return FAILED;
            }
            if (t.trap == GS_TRAP_SVC_HANDLED)
                continue;
            after_switch(k, p, &t);
            /* No instruction ran (a fault on the first one): the switch and the
             * fault handling still take time, or a fault/restart cycle would not. */
            if (t.instructions == 0)
                used += charge(k, GS_KERNEL_SPIN_INSTRUCTIONS, end);
            if (t.trap == GS_TRAP_BUDGET && used >= timeslice) {
                p->timeslice_expirations++;
                why = TIMESLICE_EXPIRED;
                *used_out = used;
                return why;
            }
            continue;
        }
        case GS_ST_YIELDED:
            if (!gs_tasks_dequeue(p, &task))
                break;
            if (task.kind == GS_TASK_RETURN_VALUE)
                break; /* Yield-Wait does not wake for null upcalls */
            if (task.kind == GS_TASK_FUNCTION_CALL)
                gs_set_process_function(p, &task);
            else if (k->ipc_dispatch)
                k->ipc_dispatch(k, p, &task);
            else
                gs_kernel_panic(k, "do_process", "Kernel consistency error: IPC Task with no IPC");
            continue;
        case GS_ST_YIELDED_FOR:
            if (gs_tasks_remove_upcall(p, p->wait_for, &task)) {
                struct gs_ret r = {GS_RET_YIELD_WAIT_FOR, 0, task.a[0], task.a[1], task.a[2]};
                gs_set_syscall_return(p, &r);
                continue;
            }
            break;
        case GS_ST_STOPPED:
            why = STOPPED;
            break;
        case GS_ST_FAULTED:
        case GS_ST_TERMINATED:
            gs_kernel_panic(k, "do_process", "Attempted to schedule an unrunnable process");
            why = FAILED;
            break;
        }
        break;
    }
    *used_out = used;
    return why;
}

enum gs_run_end gs_kernel_run(struct gs_kernel *k, uint64_t max_instructions)
{
    enum gs_run_end e = gs_kernel_run_for(k, max_instructions, max_instructions);

    /* One limit for both: the clock always reaches it first, and it is "the
     * limit of this call". */
    return e == GS_RUN_TIME ? GS_RUN_LIMIT : e;
}

/*
 * The horizon of the next pass: every function below moves the busy count
 * and the clock together except the idle jump in gs_kernel_run_for, so a
 * pass may run until whichever limit comes first, counted from now.
 */
static uint64_t horizon(const struct gs_kernel *k, uint64_t busy_end, uint64_t time_end)
{
    uint64_t busy = k->now - k->idle;
    uint64_t left = busy < busy_end ? busy_end - busy : 0;
    uint64_t room = k->now < time_end ? time_end - k->now : 0;

    return k->now + (left < room ? left : room);
}

enum gs_run_end gs_kernel_run_for(struct gs_kernel *k, uint64_t max_instructions, uint64_t max_time)
{
    uint64_t time_end = k->now + max_time;
    uint64_t busy_end = k->now - k->idle + max_instructions;
    struct stall st = {k->now, 0};

    if (max_time > UINT64_MAX - k->now)
        time_end = UINT64_MAX;
    if (max_instructions > UINT64_MAX - (k->now - k->idle))
        busy_end = UINT64_MAX;
    if (!k->arch || !k->arch->ops || !k->arch->ops->run)
        return GS_RUN_ERROR;
    if (k->timeslice == 0)
        gs_kernel_set_timeslice(k, 0);
    for (;;) {
        struct gs_process *p;
        uint64_t slice, used, at, end;
        enum stop_reason why;

        if (k->panicked)
            return GS_RUN_PANIC;
        end = horizon(k, busy_end, time_end);
        stall_pass(k, &st, end, NULL);
        run_due_work(k, &st, end);
        if (k->panicked)
            return GS_RUN_PANIC;
        if (k->now >= end || k->stop_requested) {
            k->stop_requested = false;
            return k->now >= time_end ? GS_RUN_TIME : GS_RUN_LIMIT;
        }
        p = rr_next(k, &slice);
        if (!p) {
            /* TrySleep: jump to the next piece of kernel work, if any. The
             * jump is simulated time, not busy time. */
            if (!gs_kernel_next_work(k, &at))
                return GS_RUN_IDLE;
            if (at > time_end) {
                k->idle += time_end - k->now;
                k->now = time_end;
                return GS_RUN_TIME;
            }
            if (at > k->now) {
                k->idle += at - k->now;
                k->now = at;
            }
            continue;
        }
        {
            enum gs_state state = p->state;
            unsigned queued = gs_tasks_len(p);
            why = do_process(k, p, slice, end, &st, &used);
            if (why == FAILED && !k->panicked)
                return GS_RUN_ERROR;
            /*
             * A process the scheduler keeps choosing that cannot run (the
             * 2.2 profile's YieldedFor with only other tasks queued: ready()
             * is "queue non-empty") makes upstream's kernel loop spin while
             * its clock runs. Time here is instructions, so charge the spin,
             * or the loop would never reach `end`.
             */
            if (used == 0 && why == NO_WORK && !k->panicked && p->state == state &&
                gs_tasks_len(p) == queued && gs_process_ready(p))
                charge(k, GS_KERNEL_SPIN_INSTRUCTIONS, end);
        }
        rr_result(k, why, used);
        gs_invariants_after_op(k);
    }
}
