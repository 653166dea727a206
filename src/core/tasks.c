/* SPDX-License-Identifier: MIT */
/*
 * The task ring: kernel/src/collections/ring_buffer.rs (RingBuffer) over the
 * 10 slots ProcessStandard::create places in process RAM, and the task
 * methods of process_standard.rs (enqueue_task, remove_upcall,
 * remove_pending_upcalls). Slot encoding: see tasks.h.
 */
#include "tasks.h"

#include <string.h>

#include "errors.h"

#define TAG_FC_KERNEL 0u
#define TAG_FC_DRIVER 1u
#define TAG_RETURN    2u
#define TAG_IPC       3u

static uint32_t slot_addr(const struct gs_process *p, unsigned slot)
{
    return p->taskq + slot * GS_TASK_SIZE;
}

static void write_slot(struct gs_process *p, unsigned slot, const struct gs_task *t)
{
    uint32_t w[8];
    unsigned n;

    memset(w, 0, sizeof(w));
    switch (t->kind) {
    case GS_TASK_FUNCTION_CALL:
        w[0] = t->from_driver ? TAG_FC_DRIVER : TAG_FC_KERNEL;
        w[1] = t->id.driver;
        w[2] = t->id.subscribe;
        w[3] = t->a[0];
        w[4] = t->a[1];
        w[5] = t->a[2];
        w[6] = t->a[3];
        w[7] = t->pc;
        n = 8;
        break;
    case GS_TASK_RETURN_VALUE:
        w[0] = TAG_RETURN;
        w[1] = t->id.driver;
        w[2] = t->id.subscribe;
        w[3] = t->a[0];
        w[4] = t->a[1];
        w[5] = t->a[2];
        n = 6;
        break;
    case GS_TASK_IPC:
    default:
        w[0] = TAG_IPC;
        w[1] = 0;
        w[2] = t->ipc_from.index;
        w[3] = t->ipc_from.id;
        w[4] = (uint32_t)t->ipc_type;
        n = 5;
        break;
    }
    for (unsigned i = 0; i < n; i++)
        gs_kstore32(p->k, slot_addr(p, slot) + 4 * i, w[i], gs_powner(p, GS_OWN_TASKQ, 0));
}

static void read_slot(const struct gs_process *p, unsigned slot, struct gs_task *t)
{
    uint32_t w[8];

    for (unsigned i = 0; i < 8; i++)
        w[i] = gs_kload32(p->k, slot_addr(p, slot) + 4 * i);
    memset(t, 0, sizeof(*t));
    switch (w[0]) {
    case TAG_FC_KERNEL:
    case TAG_FC_DRIVER:
        t->kind = GS_TASK_FUNCTION_CALL;
        t->from_driver = (w[0] == TAG_FC_DRIVER);
        t->id.driver = w[1];
        t->id.subscribe = w[2];
        memcpy(t->a, &w[3], 4 * sizeof(uint32_t));
        t->pc = w[7];
        break;
    case TAG_RETURN:
        t->kind = GS_TASK_RETURN_VALUE;
        t->id.driver = w[1];
        t->id.subscribe = w[2];
        t->a[0] = w[3];
        t->a[1] = w[4];
        t->a[2] = w[5];
        break;
    default:
        /* TAG_IPC; anything else would be corruption, read as IPC. */
        t->kind = GS_TASK_IPC;
        t->ipc_from.index = w[2];
        t->ipc_from.id = w[3];
        t->ipc_type = w[4] ? GS_IPC_CLIENT : GS_IPC_SERVICE;
        break;
    }
}

/*
 * The kind and upcall id of a slot (its first three words), for the scans
 * that only match: whether it is a FunctionCall(Driver(id)) or a
 * ReturnValue(id) is all remove_upcall, remove_pending_upcalls and has_match
 * need to know of most slots.
 */
static void read_id(const struct gs_process *p, unsigned slot, struct gs_task *t)
{
    uint32_t tag = gs_kload32(p->k, slot_addr(p, slot));

    memset(t, 0, sizeof(*t));
    switch (tag) {
    case TAG_FC_KERNEL:
    case TAG_FC_DRIVER:
        t->kind = GS_TASK_FUNCTION_CALL;
        t->from_driver = tag == TAG_FC_DRIVER;
        break;
    case TAG_RETURN:
        t->kind = GS_TASK_RETURN_VALUE;
        break;
    default:
        t->kind = GS_TASK_IPC; /* as read_slot reads it */
        return;
    }
    t->id.driver = gs_kload32(p->k, slot_addr(p, slot) + 4);
    t->id.subscribe = gs_kload32(p->k, slot_addr(p, slot) + 8);
}

/* Copies a slot's 32 bytes to another slot (ring shifting in retain/remove). */
static void move_slot(struct gs_process *p, unsigned from, unsigned to)
{
    uint8_t buf[GS_TASK_SIZE];

    (void)gs_mem_read(p->k->mem, slot_addr(p, from), buf, GS_TASK_SIZE);
    gs_kwrite(p->k, slot_addr(p, to), buf, GS_TASK_SIZE, gs_powner(p, GS_OWN_TASKQ, 0));
}

unsigned gs_tasks_len(const struct gs_process *p)
{
    if (p->tq_tail > p->tq_head)
        return p->tq_tail - p->tq_head;
    if (p->tq_tail < p->tq_head)
        return (GS_CALLBACK_LEN - p->tq_head) + p->tq_tail;
    return 0;
}

bool gs_tasks_has_elements(const struct gs_process *p)
{
    return p->tq_head != p->tq_tail;
}

static bool is_full(const struct gs_process *p)
{
    return p->tq_head == (p->tq_tail + 1) % GS_CALLBACK_LEN;
}

/* The upcall id a task answers to, for YieldedFor matching (none for IPC and Kernel calls). */
static bool task_upcall_id(const struct gs_task *t, struct gs_upcall_id *id)
{
    if ((t->kind == GS_TASK_FUNCTION_CALL && t->from_driver) || t->kind == GS_TASK_RETURN_VALUE) {
        *id = t->id;
        return true;
    }
    return false;
}

static bool id_eq(struct gs_upcall_id a, struct gs_upcall_id b)
{
    return a.driver == b.driver && a.subscribe == b.subscribe;
}

/* Reports a task event (kind, with the task) when anyone listens. */
static void task_event(struct gs_process *p, enum gs_event_kind kind, const struct gs_task *t,
                       uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
    struct gs_event ev;

    if (!gs_kernel_observed(p->k))
        return;
    memset(&ev, 0, sizeof(ev));
    ev.kind = kind;
    ev.p = p;
    ev.task = t;
    ev.a = a;
    ev.b = b;
    ev.c = c;
    ev.d = d;
    gs_kernel_emit(p->k, &ev);
}

int gs_tasks_enqueue(struct gs_process *p, const struct gs_task *t)
{
    int err = 0;
    struct gs_upcall_id id;

    if (!gs_process_is_running(p)) {
        err = GS_EC_NODEVICE;
    } else if (is_full(p)) {
        err = GS_EC_NOMEM;
    } else {
        write_slot(p, p->tq_tail, t);
        p->tq_tail = (p->tq_tail + 1) % GS_CALLBACK_LEN;
        /* HEAD (PR #4692): the flag is overwritten by every matching-kind task. */
        if (p->state == GS_ST_YIELDED_FOR && task_upcall_id(t, &id))
            p->yield_for_ready = id_eq(id, p->wait_for);
    }
    if (err) {
        p->dropped_upcalls++;
        task_event(p, GS_EV_TASK_DROPPED, t, t->kind, t->id.driver, t->id.subscribe, (uint32_t)err);
        return err;
    }
    task_event(p, GS_EV_TASK_QUEUED, t, t->kind, t->id.driver, t->id.subscribe, 0);
    return 0;
}

bool gs_tasks_dequeue(struct gs_process *p, struct gs_task *out)
{
    if (!gs_tasks_has_elements(p))
        return false;
    read_slot(p, p->tq_head, out);
    p->tq_head = (p->tq_head + 1) % GS_CALLBACK_LEN;
    task_event(p, GS_EV_TASK_DEQUEUED, out, 0, 0, 0, 0);
    return true;
}

/* remove_upcall's predicate: Driver FunctionCall or ReturnValue with that id. */
static bool matches_upcall(const struct gs_task *t, struct gs_upcall_id id)
{
    struct gs_upcall_id tid;

    return task_upcall_id(t, &tid) && id_eq(tid, id);
}

bool gs_tasks_remove_upcall(struct gs_process *p, struct gs_upcall_id id, struct gs_task *out)
{
    unsigned slot = p->tq_head;
    struct gs_task t;

    while (slot != p->tq_tail) {
        read_id(p, slot, &t);
        if (matches_upcall(&t, id)) {
            unsigned next = (slot + 1) % GS_CALLBACK_LEN;
            read_slot(p, slot, &t);
            /* Shift everything after it forward by one slot. */
            while (next != p->tq_tail) {
                move_slot(p, next, slot);
                slot = next;
                next = (next + 1) % GS_CALLBACK_LEN;
            }
            p->tq_tail = slot;
            task_event(p, GS_EV_TASK_REMOVED, &t, id.driver, id.subscribe, 0, 0);
            if (out)
                *out = t;
            return true;
        }
        slot = (slot + 1) % GS_CALLBACK_LEN;
    }
    return false;
}

unsigned gs_tasks_remove_pending_upcalls(struct gs_process *p, struct gs_upcall_id id)
{
    unsigned before = gs_tasks_len(p);
    unsigned src = p->tq_head, dst = p->tq_head;
    struct gs_task t;

    /* retain(): keep everything except FunctionCall(Driver(id)). */
    while (src != p->tq_tail) {
        read_id(p, src, &t);
        bool drop = t.kind == GS_TASK_FUNCTION_CALL && t.from_driver && id_eq(t.id, id);
        if (!drop) {
            if (src != dst)
                move_slot(p, src, dst);
            dst = (dst + 1) % GS_CALLBACK_LEN;
        }
        src = (src + 1) % GS_CALLBACK_LEN;
    }
    p->tq_tail = dst;
    return before - gs_tasks_len(p);
}

bool gs_tasks_has_match(const struct gs_process *p, struct gs_upcall_id id)
{
    struct gs_task t;

    for (unsigned slot = p->tq_head; slot != p->tq_tail; slot = (slot + 1) % GS_CALLBACK_LEN) {
        read_id(p, slot, &t);
        if (matches_upcall(&t, id))
            return true;
    }
    return false;
}

void gs_tasks_empty(struct gs_process *p)
{
    p->tq_head = 0;
    p->tq_tail = 0;
}

bool gs_tasks_peek(const struct gs_process *p, unsigned i, struct gs_task *out)
{
    if (i >= gs_tasks_len(p))
        return false;
    read_slot(p, (p->tq_head + i) % GS_CALLBACK_LEN, out);
    return true;
}

const char *gs_task_kind_name(enum gs_task_kind k)
{
    switch (k) {
    case GS_TASK_FUNCTION_CALL:
        return "FunctionCall";
    case GS_TASK_RETURN_VALUE:
        return "ReturnValue";
    case GS_TASK_IPC:
        return "IPC";
    }
    return "Unknown";
}
