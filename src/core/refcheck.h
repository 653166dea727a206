/* SPDX-License-Identifier: MIT */
/*
 * refcheck.h - the reference oracles: the kernel's MPU driver calls, grant
 * allocations and task queues compared, as they happen, with the
 * independent models of refmpu.h and refmodel.h. Those are written from
 * TOCK-REFERENCE and upstream and share no code with mpu.c, grant.c,
 * process.c or tasks.c; this file only feeds them the inputs the kernel was
 * given (call arguments, the config before a call, a grant's declared shape,
 * the tasks it queued) and compares what they answer with what the kernel
 * did. Every disagreement is a finding (observer.h) whose site says which
 * model disagreed:
 *
 *   isolation:mpu-model-allocate_region        an MPU driver call returned
 *   isolation:mpu-model-allocate_app_memory_region  or left its config
 *   isolation:mpu-model-update_app_memory_region    different from the model:
 *   isolation:mpu-model-remove_memory_region   success or error, logical
 *                                              region, RBAR/RASR (and so the
 *                                              subregion mask) of any region
 *   layout:grant-model          a new grant's size, alignment or address is
 *                               not the layout (grant.rs) placed by the
 *                               allocator (process_standard.rs) says
 *   layout:grant-region-model   allocate_in_grant_region_internal answered
 *                               differently from the allocator model (and,
 *                               for a refusal the allocator model would not
 *                               make, the MPU model accepts the new break)
 *   layout:task-queue           a process's task ring in RAM differs from
 *                               the queue model after a task operation
 *                               (enqueue, dequeue, remove_upcall), a
 *                               subscribe (which must drop exactly the queued
 *                               FunctionCalls of its upcall id, and only when
 *                               it succeeds), terminate (empty) or restart
 *   layout:task-dropped-with-room  a task was dropped for a full queue that
 *                               the model says had room
 *
 * The kernel runs these whenever k->check_invariants is set: the MPU hook is
 * installed at kernel creation (gs_refcheck_mpu_hook), the rest sees every
 * event the kernel emits (gs_refcheck_event). A process's queue model starts
 * from what its ring holds the first time an event names it, so a process
 * created before the oracles were on is adopted, not misjudged.
 */
#ifndef GS_REFCHECK_H
#define GS_REFCHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "kernel.h"
#include "mpu.h"

struct gs_refcheck;

/* A fresh oracle state (no process known). NULL on host OOM. */
struct gs_refcheck *gs_refcheck_new(void);

/* Frees it. Accepts NULL. */
void gs_refcheck_free(struct gs_refcheck *rc);

/* Forgets every process (the kernel was reset). Accepts NULL. */
void gs_refcheck_reset(struct gs_refcheck *rc);

/*
 * Compares one MPU driver call with the MPU model. Returns true when they
 * agree; otherwise false, with the first difference described in why[n].
 * The model runs with the driver's constants (regions, minimum size) and
 * profile (release-2.2's bug_4366 and closest_po2). For any caller: the kernel's hook
 * below, fuzz-mpu.
 */
bool gs_refcheck_mpu_op(const struct gs_mpu *mpu, const struct gs_mpu_op *op, char *why, size_t n);

/*
 * The kernel's MPU hook (gs_mpu_set_check with ctx = the kernel): when
 * check_invariants is set, reports an isolation:mpu-model-* finding for
 * every call gs_refcheck_mpu_op says differs.
 */
void gs_refcheck_mpu_hook(void *kernel, const struct gs_mpu_op *op);

/* Sees one kernel event (called by gs_kernel_emit when check_invariants is set). */
void gs_refcheck_event(struct gs_kernel *k, const struct gs_event *ev);

#endif
