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
#include "tmem.h"

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
    uint64_t machine_errors;       /* Unicorn calls that failed (at most 1: the machine stops) */
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

/*
 * How RAM pages that the process may read and write as a whole are mapped
 * (machine.c, PG_RWIO). True (the default): each starts as an MMIO page and
 * becomes plain RAM once it is seen to be read far more than written, which
 * makes stores to stacks ~3x cheaper under Unicorn 2.0.1. False: always as
 * RAM, the baseline of the benchmark. Both are exact; only speed differs.
 */
void gs_machine_set_adaptive_rw(struct gs_machine *m, bool on);

/*
 * Every Unicorn call the machine makes is checked: a failure is reported as
 * a "machine" finding (GS_FIND_MACHINE, site = the Unicorn function) and the
 * run, and every later run of this machine, returns GS_E_INTERNAL, so the
 * kernel loop ends with GS_RUN_ERROR. For tests: the nth checked call from
 * now on (1 = the next) fails as if Unicorn had returned UC_ERR_NOMEM (after
 * it was made). 0 cancels.
 */
void gs_machine_inject_uc_failure(struct gs_machine *m, uint64_t n);

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

/* -------------------------------------------------------------- debugging */

/*
 * A debugger (the gdb stub, gdbstub.h) attached to the machine. Nothing of
 * this costs anything until gs_machine_debug_attach: without a debugger the
 * engines carry no hook of its own and a run makes one extra test.
 *
 * With one, the machine calls the debugger's function at three places:
 *   GS_DBG_RUN_BEGIN  before a run of process p, RUN_END after it: outside
 *                     Unicorn, every process's registers are in its stored
 *                     state (the 8-word frame at psp, r4-r11 in ss.regs);
 *   GS_DBG_INSN       inside a run, before the instruction at `pc` executes,
 *                     when it is a breakpoint, when p is the process being
 *                     stepped, or right after an instruction accessed a
 *                     watched byte; p's registers are the live CPU's.
 * The function may block (the stub serves gdb's packets in it) and use
 * every gs_machine_debug_* call; when it returns, p carries on. Code hooks
 * exist only where needed: one per breakpoint address while no process is
 * stepped and no watchpoint is set, else one over all code in the engines
 * that need it (Unicorn calls a code hook per instruction, ~3-4x slower);
 * watchpoints add memory hooks over the watched ranges. A change made while
 * stopped at an instruction restarts the emulation at that instruction
 * (the instruction count is corrected, so a debugged run keeps the time of
 * an undebugged one).
 */
enum gs_dbg_where { GS_DBG_RUN_BEGIN, GS_DBG_RUN_END, GS_DBG_INSN };

enum gs_dbg_reason {
    GS_DBG_NONE,  /* RUN_BEGIN / RUN_END: just the boundary */
    GS_DBG_BREAK, /* a breakpoint address */
    GS_DBG_STEP,  /* the process being stepped is about to execute pc */
    GS_DBG_WATCH, /* the previous instruction accessed a watched byte */
};

struct gs_dbg_event {
    enum gs_dbg_where where;
    enum gs_dbg_reason reason;
    uint32_t pc;         /* GS_DBG_INSN: the next instruction */
    uint32_t watch_addr; /* GS_DBG_WATCH: first watched byte of the access */
    unsigned watch_acc;  /* GS_DBG_WATCH: GS_ACC_READ or GS_ACC_WRITE (the access) */
    unsigned watch_kind; /* GS_DBG_WATCH: the watchpoint's GS_ACC_* set */
};

typedef void (*gs_dbg_fn)(void *ctx, struct gs_process *p, const struct gs_dbg_event *ev);

/* Registers as gdb's Cortex-M target description numbers them. */
#define GS_DBG_NREGS 17 /* r0-r12, sp (psp), lr, pc, xpsr */
#define GS_DBG_SP    13
#define GS_DBG_LR    14
#define GS_DBG_PC    15
#define GS_DBG_XPSR  16

#define GS_DBG_MAX_BREAKS  64
#define GS_DBG_MAX_WATCHES 16

/* Attaches fn (one debugger per machine). Errors: GS_E_STATE (one is attached), GS_E_NOMEM_HOST. */
int gs_machine_debug_attach(struct gs_machine *m, gs_dbg_fn fn, void *ctx);

/*
 * Detaches: no more calls, breakpoints, watchpoints and stepping are
 * dropped; each engine removes its hooks at its next run. For gdb's D, k
 * and a lost connection.
 */
void gs_machine_debug_detach(struct gs_machine *m);

/*
 * Inserts (insert = true) or removes a breakpoint at a code address
 * (counted: two inserts need two removes). Errors: GS_E_NO_SLOT (more than
 * GS_DBG_MAX_BREAKS addresses), GS_E_ARG (removing one that is not there),
 * GS_E_STATE (no debugger).
 */
int gs_machine_debug_break(struct gs_machine *m, uint32_t addr, bool insert);

/*
 * Inserts or removes a watchpoint on [addr, addr + len) for the accesses in
 * `acc` (GS_ACC_READ and/or GS_ACC_WRITE). Processes' own loads and stores
 * are watched; the kernel's stores into process memory (exception frames,
 * allowed buffers) are not. Errors: GS_E_NO_SLOT, GS_E_ARG (len 0 or over
 * 64 KiB, wrapping, or removing one that is not there), GS_E_STATE.
 */
int gs_machine_debug_watch(struct gs_machine *m, uint32_t addr, uint32_t len, unsigned acc,
                           bool insert);

/*
 * Called when the debugger lets the target go: `step` is the process to
 * stop again before its next instruction (NULL: none). Stepping a process
 * that is not the one stopped at an instruction starts at its stored PC:
 * that instruction executes first.
 */
void gs_machine_debug_resume(struct gs_machine *m, const struct gs_process *step);

/*
 * Ends the run in progress as soon as possible (a budget stop at the
 * instruction the debugger is stopped at), for gdb's k; the caller also
 * asks the kernel to stop (gs_kernel_request_stop).
 */
void gs_machine_debug_kill(struct gs_machine *m);

/*
 * Process p's registers in GS_DBG_* order: live while the debugger is
 * stopped at one of p's instructions, otherwise from its stored state (sp
 * is the stack pointer before the exception frame was pushed). An
 * unreadable frame reads as zeros. Errors: GS_E_ARG.
 */
int gs_machine_debug_regs(struct gs_machine *m, const struct gs_process *p,
                          uint32_t r[GS_DBG_NREGS]);

/*
 * Sets register n of p. A live PC takes effect when p continues; a stored
 * sp moves the frame. Errors: GS_E_ARG (n), GS_E_BOUNDS (the frame would
 * leave RAM).
 */
int gs_machine_debug_set_reg(struct gs_machine *m, struct gs_process *p, unsigned n, uint32_t v);

/*
 * Memory as a probe sees it (RAM and flash, whatever the MPU says). Reads
 * copy the readable prefix of [addr, addr + len) and return its length (0:
 * not simulated memory). Writes need the whole range in RAM or in flash;
 * flash writes drop the translations of the changed code. Errors
 * (writes): GS_E_BOUNDS.
 */
uint32_t gs_machine_debug_read(struct gs_machine *m, uint32_t addr, void *buf, uint32_t len);
int gs_machine_debug_write(struct gs_machine *m, uint32_t addr, const void *buf, uint32_t len);

#endif
