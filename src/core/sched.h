/* SPDX-License-Identifier: MIT */
/*
 * sched.h - the kernel loop: Kernel::kernel_loop_operation and do_process
 * (kernel/src/kernel.rs, TOCK-REFERENCE 4.6) with the round-robin scheduler
 * (capsules/system/src/scheduler/round_robin.rs), over the arch seam.
 *
 * Time is counted in guest instructions. A timeslice of T instructions
 * stands for RoundRobin's 10 ms, and MIN_QUANTA_THRESHOLD_US (500 us) for
 * T / 20; both are board options. Kernel work (capsule completions, alarms)
 * is queued with a due time and runs between process runs; a due item
 * preempts the running process as DeferredCall::has_tasks() does upstream.
 * When no process is ready the clock jumps to the next piece of work.
 */
#ifndef GS_SCHED_H
#define GS_SCHED_H

#include <stdint.h>

#include "arch.h"
#include "kernel.h"

/* Default timeslice: 10 ms at 64 MHz, one instruction per cycle. */
#define GS_DEFAULT_TIMESLICE 640000u

/*
 * Time charged for one pass of the kernel loop that chose a ready process
 * and could not run it (a spin; see gs_kernel_run), and for a switch to a
 * process that executed no instruction (it faulted on its first one, or on
 * exception return: the exception entry and the kernel's fault handling
 * take time on hardware). A rough cost of kernel_loop_operation on a
 * Cortex-M4; only passes that run no guest code are charged, so it changes
 * no run that makes progress. A switch is charged to the timeslice too:
 * upstream's scheduler timer keeps counting while it is disarmed
 * (kernel/src/platform/scheduler_timer.rs, SchedulerTimer::disarm).
 */
#define GS_KERNEL_SPIN_INSTRUCTIONS 100u

/*
 * The kernel loop's bound on host work: after this many passes in a row
 * (of the kernel loop, of do_process's loop, or items of kernel work) that
 * leave the clock where it was, those passes are charged as spins
 * (GS_KERNEL_SPIN_INSTRUCTIONS each), so a kernel that livelocks without
 * running guest code still reaches the end of its budget, with at most one
 * pass of host work per spin's worth of budget. Legitimate runs make a
 * handful of such passes in a row (a queue drained, work due at one
 * instant), far below it.
 */
#define GS_KERNEL_STALL_PASSES 10000u

enum gs_run_end {
    GS_RUN_IDLE,  /* nothing is ready and no kernel work is pending: nothing can happen */
    GS_RUN_LIMIT, /* the instruction limit of this call was reached */
    GS_RUN_PANIC, /* the kernel panicked */
    GS_RUN_ERROR, /* the machine failed (not the process) */
    GS_RUN_TIME,  /* the simulated-time limit of gs_kernel_run_for was reached */
};

/* Name of a run end ("idle", "limit", "panic", "error", "time-limit"). */
const char *gs_run_end_name(enum gs_run_end e);

/*
 * Sets the timeslice in instructions (min_quanta = timeslice / 20). 0 means
 * the default. Errors: GS_E_ARG for a timeslice under 20.
 */
int gs_kernel_set_timeslice(struct gs_kernel *k, uint64_t timeslice);

/* Current time in instructions (exact even inside a syscall handled inline). */
uint64_t gs_kernel_now(const struct gs_kernel *k);

/*
 * Queues kernel work to run at time `at` (now or later; earlier times run at
 * the next opportunity). Items with equal times run in queueing order.
 * Errors: GS_E_NOMEM_HOST.
 */
int gs_kernel_defer(struct gs_kernel *k, uint64_t at, gs_work_fn fn, void *ctx, uint64_t arg);

/* Removes every queued item with this (fn, ctx, arg); returns how many. */
unsigned gs_kernel_cancel(struct gs_kernel *k, gs_work_fn fn, void *ctx, uint64_t arg);

/* Time of the earliest queued item; false when there is none. */
bool gs_kernel_next_work(const struct gs_kernel *k, uint64_t *at);

/*
 * Runs the kernel loop for at most `max_instructions` of simulated time,
 * and returns when they are spent whatever the kernel and the processes do
 * (passes that run no guest code are charged: GS_KERNEL_SPIN_INSTRUCTIONS,
 * GS_KERNEL_STALL_PASSES). Errors are reported by the return value: see
 * enum gs_run_end.
 */
enum gs_run_end gs_kernel_run(struct gs_kernel *k, uint64_t max_instructions);

/*
 * The same with two limits, as a board runs an app (issue 11): at most
 * `max_instructions` of busy time (guest instructions, and the passes the
 * kernel is charged for) and at most `max_time` of simulated time. Time the
 * kernel skips while every process sleeps (TrySleep to the next alarm or
 * other kernel work) is simulated time but not busy time, so an app can
 * sleep for seconds on a small instruction budget while a spinning app
 * still ends at it. Returns GS_RUN_LIMIT when the budget runs out first and
 * GS_RUN_TIME when the clock reaches now + max_time first.
 * gs_kernel_run(k, n) is gs_kernel_run_for(k, n, n): every skip is charged.
 */
enum gs_run_end gs_kernel_run_for(struct gs_kernel *k, uint64_t max_instructions,
                                  uint64_t max_time);

/* Simulated time skipped while idle since boot (in instructions, as gs_kernel_now). */
uint64_t gs_kernel_idle_time(const struct gs_kernel *k);

#endif
