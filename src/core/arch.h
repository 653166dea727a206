/* SPDX-License-Identifier: MIT */
/*
 * arch.h - the one seam between the kernel core and a machine.
 *
 * The core keeps Tock's Cortex-M userspace-kernel boundary in portable C:
 * the stored state (r4-r11, yield_pc, psr, psp: struct gs_stored_state) and
 * the 8-word exception frame, which lives in process RAM at psp and which the
 * core reads and writes through target memory (set_syscall_return_value and
 * set_process_function, arch/cortex-m/src/syscall.rs). What only a CPU can do
 * is behind this seam: run the process until it traps.
 *
 * Two implementations: the Unicorn machine (src/sim) and the fake arch
 * (fake_arch.h) that feeds scripted syscalls for tests and core fuzzers.
 *
 * A machine includes nothing else of the core but the target memory
 * (tmem.h), the MPU model (pmsav7.h) and the error codes (errors.h): what it
 * needs of the kernel's and the processes' structures it gets through the
 * accessors at the end of this file (arch.c).
 */
#ifndef GS_ARCH_H
#define GS_ARCH_H

#include <stdbool.h>
#include <stdint.h>

struct gs_kernel;
struct gs_process;
struct gs_mem;
struct gs_pmsav7;

/* Process slots a kernel has at most (a machine serves each with an engine). */
#define GS_MAX_PROCS 16

/* The 8-word exception frame at psp (ARMv7-M ARM B1.5.6, PushStack): word indices, size. */
enum gs_frame_word {
    GS_FRAME_R0,
    GS_FRAME_R1,
    GS_FRAME_R2,
    GS_FRAME_R3,
    GS_FRAME_R12,
    GS_FRAME_LR,
    GS_FRAME_PC,
    GS_FRAME_XPSR,
    GS_FRAME_WORDS
};
#define GS_FRAME_SIZE (4u * GS_FRAME_WORDS)

/* CortexMStoredState (arch/cortex-m/src/syscall.rs): r4..r11, yield_pc, psr, psp. */
struct gs_stored_state {
    uint32_t regs[8];
    uint32_t yield_pc;
    uint32_t psr;
    uint32_t psp;
};

/* Why a run stopped (ContextSwitchReason + grantsim's budget stop). */
enum gs_trap {
    /* The process executed `svc`: the hardware stacked the 8-word frame at the
     * new psp. The core decodes it (switch_to_process) and handles it. */
    GS_TRAP_SVC,
    /* The machine already handed the svc to gs_kernel_svc_inline(), which
     * handled it and said the process must stop running now. */
    GS_TRAP_SVC_HANDLED,
    /* A fault: MemManage (MPU), bus fault, undefined instruction, ... */
    GS_TRAP_FAULT,
    /* The instruction budget ran out (SysTick: ContextSwitchReason::Interrupted
     * with the timeslice over). */
    GS_TRAP_BUDGET,
};

enum gs_fault_kind {
    GS_FAULT_NONE = 0,
    GS_FAULT_DATA_READ,     /* MemManage DACCVIOL on a load (or unmapped) */
    GS_FAULT_DATA_WRITE,    /* MemManage DACCVIOL on a store */
    GS_FAULT_EXEC,          /* MemManage IACCVIOL (instruction fetch) */
    GS_FAULT_STACKING,      /* MSTKERR: exception entry could not push the frame */
    GS_FAULT_UNSTACKING,    /* MUNSTKERR: exception return could not pop it */
    GS_FAULT_UNDEFINED,     /* UsageFault UNDEFINSTR (udf, invalid encodings) */
    GS_FAULT_INVALID_STATE, /* UsageFault INVSTATE (e.g. branch without the Thumb bit) */
    GS_FAULT_BKPT,          /* bkpt in an app without a debugger: HardFault */
    GS_FAULT_BAD_STACK,     /* the kernel found psp outside [memory_start, app_break - 32] */
    GS_FAULT_BAD_SYSCALL,   /* svc >= 8 or an invalid yield variant (decode failed) */
    GS_FAULT_OTHER,
};

struct gs_fault {
    enum gs_fault_kind kind;
    bool addr_valid;   /* MMFAR valid */
    uint32_t addr;     /* faulting data address */
    uint32_t pc;       /* the faulting instruction */
    bool pc_ambiguous; /* more than one instruction of its block could have faulted */
    uint32_t cfsr, hfsr, mmfar, bfar; /* as the hardware would latch them */
};

struct gs_trap_info {
    enum gs_trap trap;
    uint64_t instructions; /* instructions executed in this run */
    struct gs_fault fault;
};

struct gs_arch_ops {
    /*
     * switch_to_user: run process p unprivileged from its stored state.
     * Entry: psp = p->ss.psp, r4-r11 = p->ss.regs; exception return pops the
     * frame at psp (subject to the MPU; a failure is GS_FAULT_UNSTACKING).
     * Run until svc, a fault, or `budget` instructions. On svc, stack the
     * frame at psp - 32 (MPU-checked; failure = GS_FAULT_STACKING), then
     * either return GS_TRAP_SVC, or call gs_kernel_svc_inline() and continue
     * running if it returns true (GS_TRAP_SVC_HANDLED when it returns false).
     * A budget stop (SysTick) and a fault are exception entries too: the
     * machine stacks the frame as the hardware would (psp -= 32 even when the
     * stacking itself faults), so that the kernel can print the faulting
     * registers and resume an interrupted process by popping the frame.
     * On return p->ss.psp and p->ss.regs hold the process's values; the MPU
     * hardware to enforce is k->mpu.hw (configured by the core before the call
     * and possibly reprogrammed inside gs_kernel_svc_inline()).
     * Returns 0, or a negative gs_err if the machine itself failed (the run is
     * then abandoned; never for anything the process did).
     */
    int (*run)(void *ctx, struct gs_process *p, uint64_t budget, struct gs_trap_info *out);
};

struct gs_arch {
    const struct gs_arch_ops *ops;
    void *ctx;
};

/*
 * Called by a machine from inside run(), right after it stacked the frame
 * for an svc, with the number of instructions executed so far in this run.
 * Handles the syscall exactly as the kernel loop would, then decides whether
 * the loop's next iteration would switch straight back to the same process
 * (timeslice left, no kernel work due, process ready and Running); in that
 * case it reprograms the MPU as setup_mpu does and returns true: the machine
 * pops the frame and continues. Otherwise it returns false and the machine
 * returns GS_TRAP_SVC_HANDLED.
 */
bool gs_kernel_svc_inline(struct gs_kernel *k, struct gs_process *p, uint64_t executed);

/*
 * Called by a machine whose engine failed under it (a call into the CPU
 * emulator returned an error): reports a GS_FIND_MACHINE finding at site
 * `call` (the engine function) with `what` (its error). The machine then
 * returns an error from run(), so the kernel loop ends with GS_RUN_ERROR:
 * such a failure is never silent.
 */
void gs_kernel_machine_error(struct gs_kernel *k, const char *call, const char *what);

/* Sets the machine (not owned). The kernel needs one before gs_kernel_run. */
void gs_kernel_set_arch(struct gs_kernel *k, const struct gs_arch *arch);

/* The machine the kernel runs on (NULL: none). */
const struct gs_arch *gs_kernel_arch(const struct gs_kernel *k);

/* Name of a fault kind ("data read", "stacking", ...), for reports. */
const char *gs_fault_kind_name(enum gs_fault_kind k);

/* ---- What a machine reads and writes of the kernel (arch.c) ---- */

/* The target memory: RAM and flash, their host buffers and owners. */
struct gs_mem *gs_arch_memory(const struct gs_kernel *k);

/* The MPU registers to enforce (configured by the core). */
const struct gs_pmsav7 *gs_arch_mpu(const struct gs_kernel *k);

/* How many times the core has written the MPU registers: unchanged, they are too. */
uint64_t gs_arch_mpu_writes(const struct gs_kernel *k);

/* The kernel's process slots (engines a machine needs). */
unsigned gs_arch_slots(const struct gs_kernel *k);

/* Process p's slot, 0..GS_MAX_PROCS-1. */
unsigned gs_arch_slot(const struct gs_process *p);

/* Process p's stored state (r4-r11, psp, ...), which run() loads and saves. */
struct gs_stored_state *gs_arch_stored_state(struct gs_process *p);
const struct gs_stored_state *gs_arch_stored_state_ro(const struct gs_process *p);

/* Changes whenever the kernel re-initializes p's stored state (a restart). */
uint32_t gs_arch_state_gen(const struct gs_process *p);

#endif
