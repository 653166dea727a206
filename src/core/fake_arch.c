/* SPDX-License-Identifier: MIT */
#include "fake_arch.h"

#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "pmsav7.h"
#include "sched.h"

#define FRAME      32u
#define XPSR_THUMB 0x01000000u
/* Where a process interrupted between actions resumes (inside the init area). */
#define IDLE_POINT (GS_FAKE_INIT + 0x10)

struct fake_proc {
    struct gs_fake_action *script;
    unsigned n, pos;
    uint32_t spin_left; /* instructions left of the current SPIN action */
    bool pending;       /* an svc was issued and its return not seen yet */
    struct gs_fake_record cur;
    uint32_t resume_pc; /* pc that means "the pending svc returned" */
    uint32_t sp;
    struct gs_fake_record *rec;
    unsigned nrec, cap;
};

struct gs_fake {
    struct gs_kernel *k;
    bool inline_svc;
    struct gs_arch arch;
    struct fake_proc procs[GS_MAX_PROCS];
};

static int fake_run(void *ctx, struct gs_process *p, uint64_t budget, struct gs_trap_info *out);
static const struct gs_arch_ops fake_ops = {.run = fake_run};

int gs_fake_new(struct gs_kernel *k, bool inline_svc, struct gs_fake **out)
{
    struct gs_fake *f = calloc(1, sizeof(*f));

    if (!f)
        return GS_E_NOMEM_HOST;
    f->k = k;
    f->inline_svc = inline_svc;
    f->arch.ops = &fake_ops;
    f->arch.ctx = f;
    gs_kernel_set_arch(k, &f->arch);
    *out = f;
    return GS_OK;
}

void gs_fake_free(struct gs_fake *f)
{
    if (!f)
        return;
    for (unsigned i = 0; i < GS_MAX_PROCS; i++) {
        free(f->procs[i].script);
        free(f->procs[i].rec);
    }
    free(f);
}

const struct gs_arch *gs_fake_arch(const struct gs_fake *f)
{
    return &f->arch;
}

int gs_fake_app_image(struct gs_kernel *k, uint32_t app_start)
{
    uint8_t *img = gs_mem_host_ptr(k->mem, app_start, GS_FAKE_IMAGE_LEN);

    if (!img)
        return GS_E_BOUNDS;
    for (unsigned n = 0; n < 256; n++) {
        img[GS_FAKE_SVC_BASE + 2 * n] = (uint8_t)n;
        img[GS_FAKE_SVC_BASE + 2 * n + 1] = 0xDF; /* svc #n */
    }
    for (unsigned i = 0; i < 16; i++) {
        img[GS_FAKE_UPCALLS + 4 * i] = 0x70; /* bx lr */
        img[GS_FAKE_UPCALLS + 4 * i + 1] = 0x47;
        img[GS_FAKE_UPCALLS + 4 * i + 2] = 0xDE; /* udf */
        img[GS_FAKE_UPCALLS + 4 * i + 3] = 0xDE;
    }
    for (unsigned i = GS_FAKE_INIT; i < GS_FAKE_IMAGE_LEN; i += 2) {
        img[i] = 0xDE;
        img[i + 1] = 0xDE;
    }
    return GS_OK;
}

uint32_t gs_fake_upcall_fn(const struct gs_process *p, unsigned i)
{
    return (gs_process_app_start(p) + GS_FAKE_UPCALLS + 4 * (i & 15)) | 1;
}

int gs_fake_script(struct gs_fake *f, unsigned index, const struct gs_fake_action *a, unsigned n)
{
    struct fake_proc *fp;
    struct gs_fake_action *copy = NULL;

    if (index >= GS_MAX_PROCS || (n && !a))
        return GS_E_ARG;
    if (n) {
        copy = malloc(n * sizeof(*copy));
        if (!copy)
            return GS_E_NOMEM_HOST;
        memcpy(copy, a, n * sizeof(*copy));
    }
    fp = &f->procs[index];
    free(fp->script);
    fp->script = copy;
    fp->n = n;
    fp->pos = 0;
    fp->pending = false;
    fp->spin_left = 0;
    return GS_OK;
}

const struct gs_fake_record *gs_fake_records(const struct gs_fake *f, unsigned index, unsigned *n)
{
    *n = index < GS_MAX_PROCS ? f->procs[index].nrec : 0;
    return index < GS_MAX_PROCS ? f->procs[index].rec : NULL;
}

unsigned gs_fake_position(const struct gs_fake *f, unsigned index)
{
    return index < GS_MAX_PROCS ? f->procs[index].pos : 0;
}

static void record(struct fake_proc *fp, const struct gs_fake_record *r)
{
    if (fp->nrec == fp->cap) {
        unsigned cap = fp->cap ? 2 * fp->cap : 32;
        struct gs_fake_record *v = realloc(fp->rec, cap * sizeof(*v));
        if (!v)
            return; /* out of host memory: records are lost, the run goes on */
        fp->rec = v;
        fp->cap = cap;
    }
    fp->rec[fp->nrec++] = *r;
}

static uint32_t resolve(const struct gs_process *p, enum gs_fake_base b, uint32_t v)
{
    switch (b) {
    case GS_FB_MEM:
        return p->memory_start + v;
    case GS_FB_APP:
        return gs_process_app_start(p) + v;
    case GS_FB_UPCALL:
        return gs_fake_upcall_fn(p, v);
    case GS_FB_ABS:
    default:
        return v;
    }
}

/* The hardware's unprivileged access check, against the MPU registers. */
static bool mpu_ok(const struct gs_fake *f, uint32_t addr, uint32_t len, enum gs_access acc,
                   uint32_t *bad)
{
    return gs_pmsav7_allows(&f->k->mpu.hw, addr, len, acc, false, bad) &&
           gs_mem_in_ram(f->k->mem, addr, len);
}

static void fault_out(struct gs_trap_info *out, enum gs_fault_kind kind, uint32_t addr, uint32_t pc)
{
    out->trap = GS_TRAP_FAULT;
    out->fault.kind = kind;
    out->fault.addr = addr;
    out->fault.addr_valid = true;
    out->fault.pc = pc;
}

/*
 * Exception entry: push the frame at sp - 32 (psp moves even if the push
 * faults, as on hardware). Returns false on a stacking fault.
 */
static bool push_frame(struct gs_fake *f, struct gs_process *p, struct fake_proc *fp,
                       const uint32_t r[4], uint32_t pc, uint32_t *bad)
{
    uint32_t frame[8] = {r[0], r[1], r[2], r[3], 0, 0, pc, XPSR_THUMB};
    uint32_t at = fp->sp - FRAME;

    p->ss.psp = at;
    if (!mpu_ok(f, at, FRAME, GS_ACC_WRITE, bad))
        return false;
    for (unsigned i = 0; i < 8; i++) {
        uint8_t b[4] = {(uint8_t)frame[i], (uint8_t)(frame[i] >> 8), (uint8_t)(frame[i] >> 16),
                        (uint8_t)(frame[i] >> 24)};
        memcpy(gs_mem_host_ptr(f->k->mem, at + 4 * i, 4), b, 4);
    }
    return true;
}

/*
 * Exception return: pop the frame at psp and work out where the process
 * continues. Returns false on an unstacking fault (*bad = address).
 */
static bool pop_frame(struct gs_fake *f, struct gs_process *p, struct fake_proc *fp, uint32_t *bad)
{
    uint32_t fr[8], app = gs_process_app_start(p), pc;
    struct gs_fake_record up;

    if (!mpu_ok(f, p->ss.psp, FRAME, GS_ACC_READ, bad))
        return false;
    for (unsigned i = 0; i < 8; i++)
        gs_mem_load32(f->k->mem, p->ss.psp + 4 * i, &fr[i]);
    fp->sp = p->ss.psp + FRAME;
    pc = fr[6] & ~1u;
    if (pc >= app + GS_FAKE_UPCALLS && pc < app + GS_FAKE_INIT) {
        /* An upcall: log it, then it returns to lr (the instruction after the svc). */
        memset(&up, 0, sizeof(up));
        up.upcall = true;
        up.step = fp->cur.step;
        up.fn = fr[6];
        memcpy(up.r, fr, sizeof(up.r));
        record(fp, &up);
        pc = fr[5] & ~1u;
    }
    if (pc == app + GS_FAKE_INIT) {
        fp->pos = 0; /* (re)started: the script runs from the top */
        fp->pending = false;
        fp->spin_left = 0;
    } else if (fp->pending && pc == fp->resume_pc) {
        memcpy(fp->cur.r, fr, sizeof(fp->cur.r));
        record(fp, &fp->cur);
        fp->pending = false;
    }
    /* IDLE_POINT (an interrupted process) and anything else: continue at pos. */
    return true;
}

static int fake_run(void *ctx, struct gs_process *p, uint64_t budget, struct gs_trap_info *out)
{
    struct gs_fake *f = ctx;
    struct fake_proc *fp = &f->procs[p->index];
    uint32_t app = gs_process_app_start(p), bad = 0;
    static const uint32_t none[4] = {0, 0, 0, 0};
    uint64_t executed = 0;

    memset(out, 0, sizeof(*out));
    if (!pop_frame(f, p, fp, &bad)) {
        fault_out(out, GS_FAULT_UNSTACKING, bad, 0);
        return 0;
    }
    for (;;) {
        struct gs_fake_action wait = {.op = GS_FAKE_SVC, .n = 0, .r = {1, 0, 0, 0}};
        const struct gs_fake_action *a = fp->pos < fp->n ? &fp->script[fp->pos] : &wait;
        uint32_t r[4], pc;

        if (executed >= budget) {
            out->trap = GS_TRAP_BUDGET;
            out->instructions = executed;
            if (!push_frame(f, p, fp, none, app + IDLE_POINT, &bad))
                fault_out(out, GS_FAULT_STACKING, bad, app + IDLE_POINT);
            return 0;
        }
        switch (a->op) {
        case GS_FAKE_SPIN:
            if (fp->spin_left == 0)
                fp->spin_left = a->n;
            while (fp->spin_left && executed < budget) {
                fp->spin_left--;
                executed++;
            }
            if (fp->spin_left == 0)
                fp->pos++;
            continue;
        case GS_FAKE_SET_SP:
            fp->sp = resolve(p, a->base[0], a->r[0]);
            fp->pos++;
            continue;
        case GS_FAKE_FAULT:
            executed++;
            out->instructions = executed;
            push_frame(f, p, fp, none, app + IDLE_POINT, &bad);
            fault_out(out, (enum gs_fault_kind)a->n, resolve(p, a->base[0], a->r[0]),
                      app + IDLE_POINT);
            fp->pos++;
            return 0;
        case GS_FAKE_SVC:
            break;
        }
        /* svc #n: the class is the immediate of a real svc halfword in flash. */
        for (unsigned i = 0; i < 4; i++)
            r[i] = resolve(p, a->base[i], a->r[i]);
        pc = app + GS_FAKE_SVC_BASE + 2 * (a->n & 0xFF) + 2;
        executed++;
        memset(&fp->cur, 0, sizeof(fp->cur));
        fp->cur.step = fp->pos;
        fp->cur.cls = a->n & 0xFF;
        memcpy(fp->cur.args, r, sizeof(r));
        fp->pending = true;
        fp->resume_pc = pc;
        if (fp->pos < fp->n)
            fp->pos++;
        if (!push_frame(f, p, fp, r, pc, &bad)) {
            out->instructions = executed;
            fault_out(out, GS_FAULT_STACKING, bad, pc - 2);
            return 0;
        }
        if (!f->inline_svc) {
            out->trap = GS_TRAP_SVC;
            out->instructions = executed;
            return 0;
        }
        if (!gs_kernel_svc_inline(f->k, p, executed)) {
            out->trap = GS_TRAP_SVC_HANDLED;
            out->instructions = executed;
            return 0;
        }
        if (!pop_frame(f, p, fp, &bad)) {
            out->instructions = executed;
            fault_out(out, GS_FAULT_UNSTACKING, bad, pc);
            return 0;
        }
    }
}
