/* SPDX-License-Identifier: MIT */
/*
 * The Cortex-M switch_to_process decoding (arch/cortex-m/src/syscall.rs).
 * See cortexm.h.
 */
#include "cortexm.h"

#include <string.h>

#include "errors.h"
#include "kernel.h"
#include "process.h"
#include "syscall.h"

bool gs_syscall_decode(bool profile_22, uint8_t svc, const uint32_t r[4], struct gs_syscall *out)
{
    if (svc > GS_SYS_UR_ALLOW)
        return false;
    /* HEAD (PR #4902): an unknown yield variant does not decode; 2.2 decoded anything. */
    if (svc == GS_SYS_YIELD && r[0] > 2 && !profile_22)
        return false;
    out->cls = (enum gs_syscall_class)svc;
    memcpy(out->r, r, sizeof(out->r));
    return true;
}

static enum gs_switch_reason fault_at(const struct gs_process *p, struct gs_fault *f,
                                      enum gs_fault_kind kind, uint32_t addr)
{
    memset(f, 0, sizeof(*f));
    f->kind = kind;
    f->addr = addr;
    f->pc = p->ss.yield_pc;
    return GS_SWITCH_FAULT;
}

enum gs_switch_reason gs_cortexm_switch_back(struct gs_kernel *k, struct gs_process *p,
                                             const struct gs_trap_info *t, struct gs_syscall *sc,
                                             struct gs_fault *fault)
{
    uint32_t psp = p->ss.psp, frame[GS_FRAME_WORDS];
    bool bad_sp = psp < p->memory_start || (uint64_t)psp + GS_FRAME_SIZE > p->app_break;
    uint16_t insn = 0;

    /* set_new_app_stack_min_pointer. */
    if (!p->has_stack_min || psp < p->stack_min) {
        p->has_stack_min = true;
        p->stack_min = psp;
    }
    if (t->trap == GS_TRAP_FAULT) {
        *fault = t->fault;
        return GS_SWITCH_FAULT;
    }
    if (bad_sp)
        return fault_at(p, fault, GS_FAULT_BAD_STACK, psp);
    if (t->trap != GS_TRAP_SVC)
        return GS_SWITCH_INTERRUPTED;
    {
        uint8_t raw[GS_FRAME_SIZE];
        if (gs_mem_read(k->mem, psp, raw, sizeof(raw)) != GS_OK)
            memset(raw, 0, sizeof(raw));
        for (unsigned i = 0; i < GS_FRAME_WORDS; i++)
            frame[i] = gs_get_le32(raw + 4 * i);
    }
    p->ss.yield_pc = frame[GS_FRAME_PC];
    p->ss.psr = frame[GS_FRAME_XPSR];
    /* The class is the low byte of the svc halfword before the stacked PC. */
    if (gs_mem_load16(k->mem, frame[GS_FRAME_PC] - 2, &insn) != GS_OK ||
        !gs_syscall_decode(k->cfg.profile == GS_PROFILE_2_2, (uint8_t)(insn & 0xFF), frame, sc))
        return fault_at(p, fault, GS_FAULT_BAD_SYSCALL, frame[GS_FRAME_PC] - 2);
    return GS_SWITCH_SYSCALL;
}
