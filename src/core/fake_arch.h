/* SPDX-License-Identifier: MIT */
/*
 * fake_arch.h - a CPU-less machine for tests and core-level fuzzers.
 *
 * Each process runs a script of actions instead of code. The fake does what
 * the hardware does at the boundary and nothing more: exception return pops
 * the 8-word frame at psp, exception entry pushes one at sp - 32 (both
 * checked against the PMSAv7 model's unprivileged rights, so a bad stack is
 * a stacking fault as on hardware), and `svc #n` really is a halfword in the
 * app's flash, so the kernel decodes the class the way it does on Cortex-M.
 *
 * App image written by gs_fake_app_image() at the app start (flash):
 *
 *   app_start + 0x000  256 x `svc #n` (0xDFnn), n = 0..255
 *   app_start + 0x200  16 upcall entry points, 4 bytes apart (gs_fake_upcall_fn)
 *   app_start + 0x240  the init function (the kernel's first FunctionCall)
 *
 * On resume the fake pops the frame: pc = init function starts the script;
 * pc = the address after the last svc records that svc's result registers;
 * pc = an upcall entry records the upcall (fn, r0..r3) and returns from it
 * (pc = lr), which completes the yield that was interrupted.
 */
#ifndef GS_FAKE_ARCH_H
#define GS_FAKE_ARCH_H

#include <stdbool.h>
#include <stdint.h>

#include "arch.h"
#include "kernel.h"
#include "process.h"

#define GS_FAKE_SVC_BASE  0x000u
#define GS_FAKE_UPCALLS   0x200u
#define GS_FAKE_INIT      0x240u
#define GS_FAKE_IMAGE_LEN 0x260u

enum gs_fake_op {
    GS_FAKE_SVC,    /* svc #cls with r0..r3 (values, or relative to a base: see arg_base) */
    GS_FAKE_SPIN,   /* execute `n` instructions of straight-line code */
    GS_FAKE_FAULT,  /* take a fault of kind `n` at address r[0] */
    GS_FAKE_SET_SP, /* move the stack pointer to r[0] (relative to arg_base[0]) */
};

/* How an argument is turned into a value at run time. */
enum gs_fake_base {
    GS_FB_ABS = 0, /* the value itself */
    GS_FB_MEM,     /* memory_start + value */
    GS_FB_APP,     /* app start (flash) + value */
    GS_FB_UPCALL,  /* address of upcall entry point `value` (0..15), Thumb bit set */
};

struct gs_fake_action {
    enum gs_fake_op op;
    uint32_t n; /* class for SVC, count for SPIN, fault kind for FAULT */
    uint32_t r[4];
    enum gs_fake_base base[4];
};

/* One completed svc or delivered upcall, in order. */
struct gs_fake_record {
    bool upcall;      /* false: an svc result; true: an upcall delivery */
    unsigned step;    /* index of the action (for an upcall: the action it interrupted) */
    uint32_t cls;     /* svc class */
    uint32_t args[4]; /* svc: the registers passed */
    uint32_t r[4];    /* svc: registers after return; upcall: r0..r3 delivered */
    uint32_t fn;      /* upcall: function address */
};

struct gs_fake;

/*
 * Creates a fake machine for kernel k and installs it (gs_kernel_set_arch).
 * inline_svc: handle svcs through gs_kernel_svc_inline() like the Unicorn
 * machine does (true), or return GS_TRAP_SVC each time (false).
 * Cost model: every svc costs 1 instruction. Errors: GS_E_NOMEM_HOST.
 */
int gs_fake_new(struct gs_kernel *k, bool inline_svc, struct gs_fake **out);
void gs_fake_free(struct gs_fake *f);

/*
 * Writes the fake's app image into flash at `app_start` (host buffer of k's
 * memory). Errors: GS_E_BOUNDS when it does not fit.
 */
int gs_fake_app_image(struct gs_kernel *k, uint32_t app_start);

/* init_fn_offset to put in the app's TBF values (relative to the header end). */
static inline uint32_t gs_fake_init_offset(uint32_t protected_trailer)
{
    return protected_trailer + GS_FAKE_INIT + 1;
}

/* Address of upcall entry point i (0..15) of a process, Thumb bit set. */
uint32_t gs_fake_upcall_fn(const struct gs_process *p, unsigned i);

/*
 * Sets the script of process slot `index` (copied). When the script ends the
 * process issues Yield-Wait forever. Errors: GS_E_ARG, GS_E_NOMEM_HOST.
 */
int gs_fake_script(struct gs_fake *f, unsigned index, const struct gs_fake_action *a, unsigned n);

/* Records of slot `index`: pointer to *n records (valid until the next run). */
const struct gs_fake_record *gs_fake_records(const struct gs_fake *f, unsigned index, unsigned *n);

/* Index of the next action of slot `index` (how far its script got). */
unsigned gs_fake_position(const struct gs_fake *f, unsigned index);

/* The arch object installed in the kernel (for callers that swap arches). */
const struct gs_arch *gs_fake_arch(const struct gs_fake *f);

#endif
