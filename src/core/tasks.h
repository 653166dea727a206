/* SPDX-License-Identifier: MIT */
/*
 * tasks.h - the per-process task queue: kernel/src/collections/ring_buffer.rs
 * over the 10 Task slots that live in process RAM (TOCK-REFERENCE 4.1-4.3).
 *
 * Capacity is 9 tasks (full when head == (tail + 1) mod 10). Slots are 32
 * bytes in the target's memory. Encoding of one slot (our reading of the
 * measured Rust layout; Rust does not fix enum layout, so this is a choice
 * that keeps the size and the niche-tag idea):
 *
 *   +0  tag: 0 FunctionCall(Kernel)  1 FunctionCall(Driver)  2 ReturnValue  3 IPC
 *   FunctionCall: +4 driver  +8 subscribe  +12 a0 +16 a1 +20 a2 +24 a3 +28 pc
 *   ReturnValue:  +4 driver  +8 subscribe  +12 a0 +16 a1 +20 a2
 *   IPC:          +4 0 (kernel ref) +8 index +12 identifier +16 type (0 Service, 1 Client)
 */
#ifndef GS_TASKS_H
#define GS_TASKS_H

#include <stdbool.h>
#include <stdint.h>

#include "process.h"

enum gs_task_kind {
    GS_TASK_FUNCTION_CALL,
    GS_TASK_RETURN_VALUE,
    GS_TASK_IPC,
};

enum gs_ipc_type { GS_IPC_SERVICE = 0, GS_IPC_CLIENT = 1 };

struct gs_task {
    enum gs_task_kind kind;
    bool from_driver;       /* FunctionCall source: Driver(id) vs Kernel */
    struct gs_upcall_id id; /* FunctionCall(Driver) and ReturnValue */
    uint32_t a[4];          /* FunctionCall: a0..a3; ReturnValue: a0..a2 */
    uint32_t pc;            /* FunctionCall */
    struct gs_pid ipc_from; /* IPC: the other process */
    enum gs_ipc_type ipc_type;
};

/* Number of queued tasks (pending_tasks / "Events Queued"). */
unsigned gs_tasks_len(const struct gs_process *p);
bool gs_tasks_has_elements(const struct gs_process *p);

/*
 * enqueue_task(t) (1.11): NODEVICE if the process is not running, NOMEM if
 * the ring is full; either error increments dropped_upcalls and the task is
 * dropped. On success updates the YieldedFor ready flag (overwriting it, the
 * HEAD quirk). Returns 0 or a positive gs_ecode.
 */
int gs_tasks_enqueue(struct gs_process *p, const struct gs_task *t);

/* dequeue_task(): false when empty. */
bool gs_tasks_dequeue(struct gs_process *p, struct gs_task *out);

/* remove_upcall(id): first FunctionCall(Driver(id)) or ReturnValue(id). */
bool gs_tasks_remove_upcall(struct gs_process *p, struct gs_upcall_id id, struct gs_task *out);

/* remove_pending_upcalls(id): drops every FunctionCall(Driver(id)); returns the count. */
unsigned gs_tasks_remove_pending_upcalls(struct gs_process *p, struct gs_upcall_id id);

/* Is there a ReturnValue(id) or FunctionCall(Driver(id)) queued? */
bool gs_tasks_has_match(const struct gs_process *p, struct gs_upcall_id id);

/* empty(): head = tail = 0. */
void gs_tasks_empty(struct gs_process *p);

/* Reads the i-th queued task (0 = head) without removing it. */
bool gs_tasks_peek(const struct gs_process *p, unsigned i, struct gs_task *out);

/* Name of a task kind. */
const char *gs_task_kind_name(enum gs_task_kind k);

#endif
