/* SPDX-License-Identifier: MIT */
/*
 * machine.h - the Cortex-M machine: Unicorn runs each process's Thumb code
 * unprivileged, `svc` traps into the core inside Unicorn's interrupt hook,
 * and a PMSAv7 MPU (the core's register model, programmed by Tock's
 * algorithm) is enforced on every load, store and instruction fetch.
 *
 * Design (UNICORN-NOTES.md gives the costs behind each choice):
 *  - One Unicorn engine per process slot, created once with the machine and
 *    reused for every run. Each engine maps only what its process may reach:
 *    RAM and flash are mapped with uc_mem_map_ptr over the core's buffers, page
 *    by page (1 KiB), with the rights the MPU registers give unprivileged code.
 *    No global memory hook is installed (one would slow every access).
 *  - A page that an MPU region edge cuts (rights differ inside it) is handled
 *    exactly: RAM pages become MMIO pages whose callbacks check each access
 *    against the MPU model. Flash pages cannot be MMIO (Unicorn 2.0.1 cannot
 *    fetch from MMIO), so a cut flash page is mapped read+execute and only the
 *    execute side is exact (a code hook covers its forbidden part); reads of
 *    another app's flash in the same page are counted in `inexact_pages` and
 *    reported by gs_machine_limits(). Boards can avoid such pages by aligning
 *    apps to 1 KiB.
 *  - Time is guest instructions, counted per translated block by a block
 *    hook (the count of a block is its number of Thumb instructions); a run
 *    stops at the first block that would exceed its budget.
 *  - Exception entry and return are modelled as on ARMv7-M with
 *    CCR.STKALIGN = 1: the 8-word frame (plus alignment padding, xPSR bit 9)
 *    is pushed and popped through the MPU check; a failing push is MSTKERR,
 *    a failing pop MUNSTKERR.
 *  - Fault PCs: Unicorn reports the start of the translated block after a
 *    memory fault, with the registers as they were just before the faulting
 *    instruction. The machine finds the instruction by re-executing each
 *    instruction of that block from those registers in a scratch engine and
 *    keeping the one whose access hits the fault address; if two match, the
 *    fault is flagged `pc_ambiguous`.
 */
#ifndef GS_MACHINE_H
#define GS_MACHINE_H

#include <stdbool.h>
#include <stdint.h>

#include "arch.h"
#include "kernel.h"

struct gs_machine;

/*
 * An engine is recreated once this many of its flash pages had their
 * translations dropped (gs_machine_code_changed): bounds Unicorn's code
 * buffer, which dropped translations do not free.
 */
#define GS_MACHINE_FLUSH_PAGES 512u

struct gs_machine_stats {
    uint64_t runs;          /* arch->run calls */
    uint64_t svcs;          /* svc exceptions */
    uint64_t inline_svcs;   /* svcs the kernel handled without leaving Unicorn */
    uint64_t remaps;        /* MPU changes applied to an engine's mapping */
    uint64_t page_ops;      /* map/unmap calls */
    uint64_t mmio_accesses; /* checked accesses to cut RAM pages */
    uint64_t faults;
    uint64_t inexact_pages;        /* cut flash pages whose reads are not checked */
    uint64_t code_pages_changed;   /* flash pages rewritten (gs_machine_code_changed) */
    uint64_t translations_dropped; /* of those, pages whose old translations an engine dropped
                                      (the bytes differed from what they were made from) */
    uint64_t engines_recreated;    /* engines remade to empty their code buffer */
};

/*
 * Creates the machine for kernel k (one engine per process slot) and
 * installs it as the kernel's arch. RAM and flash must start and end on
 * 1 KiB boundaries. Errors: GS_E_ARG (geometry), GS_E_NOMEM_HOST, GS_E_INTERNAL
 * (Unicorn refused to start).
 */
int gs_machine_new(struct gs_kernel *k, struct gs_machine **out);

/* Frees the engines. Accepts NULL. */
void gs_machine_free(struct gs_machine *m);

/* The arch object (already installed in the kernel by gs_machine_new). */
const struct gs_arch *gs_machine_arch(struct gs_machine *m);

/* Handle svcs inside the interrupt hook (default true) or return each one. */
void gs_machine_set_inline(struct gs_machine *m, bool on);

/*
 * Enforce the MPU (default true). False maps all RAM read-write and all
 * flash read-execute for every process: the baseline of the enforcement
 * benchmark, and a way to see whether a failure is an isolation fault.
 */
void gs_machine_set_enforce(struct gs_machine *m, bool on);

/* Counters since creation. */
const struct gs_machine_stats *gs_machine_stats(const struct gs_machine *m);

/*
 * Moves the machine to kernel k, which runs on the same memory as its
 * current kernel (k->mem): the engines and their mappings are kept (more are
 * made if k has more process slots), every engine re-reads the MPU at its
 * next run. The caller frees the old kernel afterwards. For boards that run
 * differently configured kernels on one set of engines.
 * Errors: GS_E_ARG (other memory), GS_E_NOMEM_HOST (an engine).
 */
int gs_machine_rebind(struct gs_machine *m, struct gs_kernel *k);

/*
 * After the board's memory was reset: every engine re-reads the MPU
 * registers at its next run. Engines, mappings and hooks are kept.
 */
void gs_machine_reset(struct gs_machine *m);

/*
 * Flash [addr, addr + len) was rewritten through the host buffer: drops the
 * translations of code in that range in every engine that maps its pages
 * (Unicorn does not see host writes to code); translations of the rest of
 * those pages stay. An engine that does not map a page drops all of the
 * page's translations when it maps it again. Retranslating the same code
 * again and again eventually crashes Unicorn 2.0.1 (UNICORN-NOTES.md), so
 * callers should pass exactly the bytes that changed and change data, not
 * code: scripts keep their interpreter code fixed.
 */
void gs_machine_code_changed(struct gs_machine *m, uint32_t addr, uint32_t len);

/* Name of a fault kind ("data read", "stacking", ...). */
const char *gs_fault_kind_name(enum gs_fault_kind k);

#endif
