/* SPDX-License-Identifier: MIT */
/*
 * Tock's Cortex-M userspace-kernel boundary, kernel side
 * (arch/cortex-m/src/syscall.rs): the layout of the exception frame the
 * hardware stacks at psp, and what switch_to_process does with it when the
 * process has trapped: check the stack pointer, read the stacked PC and xPSR
 * into the stored state, and decode an svc into a system call. The kernel
 * loop (sched.c) calls gs_cortexm_switch_back and acts on its answer; the
 * machine (src/sim) stacks and unstacks the same frame (its layout is in
 * arch.h, the seam).
 */
#ifndef GS_CORTEXM_H
#define GS_CORTEXM_H

#include <stdbool.h>
#include <stdint.h>

#include "arch.h"

struct gs_kernel;
struct gs_process;
struct gs_syscall;

/* ContextSwitchReason (kernel/src/syscall.rs). */
enum gs_switch_reason {
    GS_SWITCH_SYSCALL,     /* *sc holds the decoded system call */
    GS_SWITCH_FAULT,       /* *fault says what: the kernel sets the fault state */
    GS_SWITCH_INTERRUPTED, /* the budget (SysTick) ran out */
};

/*
 * syscall_from_register_arguments_trd104 (kernel/src/syscall.rs), which
 * switch_to_process calls: svc number and r0..r3 -> syscall.
 * Returns false when the decode fails (svc >= 8; a Yield whose r0 is not 0,
 * 1 or 2 — except in the 2.2 profile, where any yield decodes).
 */
bool gs_syscall_decode(bool profile_22, uint8_t svc, const uint32_t r[4], struct gs_syscall *out);

/*
 * After arch->run returned trap t for process p: tracks the stack minimum
 * (set_new_app_stack_min_pointer), turns a stack pointer outside
 * [memory_start, app_break - 32] into GS_FAULT_BAD_STACK, and for an svc
 * reads the frame (yield_pc, psr into p's stored state) and decodes the
 * svc's class and registers (an svc >= 8 or an invalid yield variant is
 * GS_FAULT_BAD_SYSCALL at the svc).
 */
enum gs_switch_reason gs_cortexm_switch_back(struct gs_kernel *k, struct gs_process *p,
                                             const struct gs_trap_info *t, struct gs_syscall *sc,
                                             struct gs_fault *fault);

#endif
