/* SPDX-License-Identifier: MIT */
/*
 * The core's side of arch.h: what a machine may see of the kernel and its
 * processes, and the names of the seam's enums (so that reports need no
 * machine to print them).
 */
#include "arch.h"

#include "kernel.h"
#include "process.h"

const char *gs_fault_kind_name(enum gs_fault_kind k)
{
    switch (k) {
    case GS_FAULT_NONE:
        return "none";
    case GS_FAULT_DATA_READ:
        return "data read";
    case GS_FAULT_DATA_WRITE:
        return "data write";
    case GS_FAULT_EXEC:
        return "instruction fetch";
    case GS_FAULT_STACKING:
        return "stacking";
    case GS_FAULT_UNSTACKING:
        return "unstacking";
    case GS_FAULT_UNDEFINED:
        return "undefined instruction";
    case GS_FAULT_INVALID_STATE:
        return "invalid state";
    case GS_FAULT_BKPT:
        return "breakpoint";
    case GS_FAULT_BAD_STACK:
        return "bad stack pointer";
    case GS_FAULT_BAD_SYSCALL:
        return "bad syscall";
    case GS_FAULT_OTHER:
        return "other";
    }
    return "unknown";
}

const struct gs_arch *gs_kernel_arch(const struct gs_kernel *k)
{
    return k->arch;
}

struct gs_mem *gs_arch_memory(const struct gs_kernel *k)
{
    return k->mem;
}

const struct gs_pmsav7 *gs_arch_mpu(const struct gs_kernel *k)
{
    return &k->mpu.hw;
}

uint64_t gs_arch_mpu_writes(const struct gs_kernel *k)
{
    return k->mpu.configure_writes;
}

unsigned gs_arch_slots(const struct gs_kernel *k)
{
    return k->cfg.num_procs;
}

unsigned gs_arch_slot(const struct gs_process *p)
{
    return p->index;
}

struct gs_stored_state *gs_arch_stored_state(struct gs_process *p)
{
    return &p->ss;
}

const struct gs_stored_state *gs_arch_stored_state_ro(const struct gs_process *p)
{
    return &p->ss;
}

uint32_t gs_arch_state_gen(const struct gs_process *p)
{
    return p->ss_gen;
}
