/* SPDX-License-Identifier: MIT */
/*
 * invariants.h - the layout-invariant and isolation oracles over the
 * kernel's state (DESIGN.md decision 4). Each violated invariant is reported
 * as a finding (GS_FIND_LAYOUT or GS_FIND_ISOLATION) whose site is the
 * invariant's name, so identical violations deduplicate.
 *
 * Layout invariants, per process:
 *   memory-order    memory_start <= hwm <= app_break <= kernel_break <= PCB
 *                   < task ring < grant table <= mem_end, block inside RAM
 *   grant-bounds    every allocated grant inside [kernel_break, PCB), aligned,
 *                   counters word matching its shape, driver number matching
 *   grant-overlap   allocated grants and custom grants pairwise disjoint
 *   grant-driver    driver numbers unique among allocated entries
 *   grant-entered   (quiescent checks only) no grant left entered
 *   allow-bounds    every non-empty allow in RAM lies in [memory_start,
 *                   min(hwm, app_break)] (upstream #1141)
 *   task-ring       head and tail inside the ring
 *   blocks-disjoint process blocks pairwise disjoint
 *   shadow          (with GS_INV_SHADOW) the shadow map matches the layout
 * Isolation invariants (from the MPU config's register values):
 *   mpu-app-exceeds    regions 0/1 enable bytes outside [memory_start, kernel_break)
 *   mpu-app-slack      regions 0/1 enable bytes past the subregion holding app_break
 *   mpu-app-short      [memory_start, app_break) not fully enabled
 *   mpu-flash-exceeds  a read-execute region enables bytes outside the app's TBF
 *   mpu-ipc-exceeds    another RW region enables bytes outside every
 *                      process's app-owned memory
 * Where the state shows a known upstream cause, the site names it instead
 * (mpu-region-doubling-4366 for an mpu-app-* finding, ipc-region-outlives-
 * restart for mpu-ipc-exceeds; invariants.c, app_site and ipc_site), so every
 * consumer of the finding sees the same id.
 */
#ifndef GS_INVARIANTS_H
#define GS_INVARIANTS_H

#include "kernel.h"

#define GS_INV_QUIESCENT 0x1u /* no kernel operation is in progress */
#define GS_INV_SHADOW    0x2u /* also verify the shadow map (slower) */

/*
 * Checks every invariant; returns the number of violations (each reported
 * as a finding). Never modifies kernel state.
 */
unsigned gs_invariants_check(struct gs_kernel *k, unsigned flags);

/* Runs gs_invariants_check(k, 0) when k->check_invariants is set. */
void gs_invariants_after_op(struct gs_kernel *k);

/*
 * The readable part of p's TBF, [*start, *end): where a read-only allow or
 * an upcall pointer may point in flash, by the oracles' own arithmetic
 * (refmodel.h), not process.c's in_app_flash_memory. Used by the checks
 * here and by the layout's intended access set.
 */
void gs_invariants_flash_readable(const struct gs_process *p, uint32_t *start, uint64_t *end);

#endif
