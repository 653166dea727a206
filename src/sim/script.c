/* SPDX-License-Identifier: MIT */
/*
 * script.c - the scripted-process interpreter (generated Thumb code), the
 * table builder and the result reader. The layout and the guarantees are in
 * script.h; this file says how the code achieves them.
 *
 * The code is produced by a two-pass assembler over the encoders of thumb.h:
 * pass 1 records label positions (branches encode a zero offset, which every
 * form accepts), pass 2 emits with the real offsets. Every instruction's size
 * is chosen explicitly (narrow or .w), so both passes lay out the same bytes
 * and the fixed offsets of script.h are checked with as_org().
 *
 * Why the code looks the way it does:
 *  - Non-recording mode must not touch the stack: with the kernel's initial
 *    sp = memory_start + 32, an svc frame already fills [memory_start,
 *    memory_start + 32) on hardware, so any push would put the next frame
 *    below memory_start. Hence no push/pop in the step loop and a
 *    register-only argument resolver reached with `bl`.
 *  - Upcalls are delivered by rewriting the svc's frame so that the svc
 *    "becomes bl fn" (TOCK-REFERENCE 4.4): the handler returns with
 *    lr = the halfword after the svc. The svc stubs therefore end in a direct
 *    branch to after_svc rather than `bx lr`, so nothing depends on lr after
 *    an svc.
 *  - The image base comes from `mov r12, pc` at a known offset, so the code
 *    is position independent and does not depend on the r0 the kernel passes
 *    (which the header records for checking).
 */
#include "script.h"

#include <string.h>

#include "errors.h"
#include "tmem.h"
#include "thumb.h"

/* Interpreter registers (see script.h "Guarantees"). */
enum {
    R_STEP = 4, /* current step (flash address) */
    R_IDX = 5,  /* step index */
    R_END = 6,  /* end of the steps */
    R_MEM = 7,  /* memory_start */
    R_IMG = 8,  /* image start */
    R_HDR = 9,  /* result header, 0 when not recording */
    R_LIM = 10, /* memory_start + P, 0 when not recording */
    R_SLOT = 11 /* next result slot */
};
#define R_IP 12u
#define R_SP GS_THUMB_SP
#define R_LR GS_THUMB_LR
#define R_PC GS_THUMB_PC

#define PAD_HALFWORD 0xDEDEu /* udf #0xde */

enum label {
    L_NO_REC,
    L_LOOP_INIT,
    L_CAP_OK,
    L_LOOP,
    L_RESOLVE,
    L_RES_FLASH,
    L_RES_UPCALL,
    L_RES_RESULT,
    L_RES_ABS,
    L_PSEUDO,
    L_STORE,
    L_LOAD,
    L_FILL,
    L_FILL_LOOP,
    L_FILL_DONE,
    L_SPIN,
    L_SPIN_DONE,
    L_FINAL,
    L_FINAL_GO,
    L_YIELD_FOREVER,
    L_HCOMMON,
    L_HDONE,
    L_HRET,
    L_AFTER_SVC,
    L_NO_SLOT,
    L_NO_HDR,
    L_COUNT
};

struct as {
    uint8_t *buf; /* GS_SCRIPT_CODE_SIZE bytes */
    uint32_t pos;
    int pass; /* 1: collect labels, 2: emit final offsets */
    int err;
    uint32_t label[L_COUNT];
    struct gs_thumb_insn t;
};

static void as_emit(struct as *a, int rc)
{
    if (a->err != GS_OK)
        return;
    if (rc != GS_OK || a->pos + 2u * a->t.n > GS_SCRIPT_CODE_SIZE) {
        a->err = GS_E_INTERNAL;
        return;
    }
    a->pos += (uint32_t)gs_thumb_put(a->buf + a->pos, &a->t);
}

/* Branch offset to a label from the instruction about to be emitted. */
static int32_t as_off(const struct as *a, enum label l)
{
    if (a->pass == 1)
        return 0;
    return (int32_t)a->label[l] - (int32_t)(a->pos + 4);
}

static void as_label(struct as *a, enum label l)
{
    if (a->pass == 1)
        a->label[l] = a->pos;
    else if (a->label[l] != a->pos)
        a->err = GS_E_INTERNAL;
}

/* Pads with udf up to the fixed offset `off`; an error if already past it. */
static void as_org(struct as *a, uint32_t off)
{
    if (a->pos > off || off > GS_SCRIPT_CODE_SIZE) {
        a->err = GS_E_INTERNAL;
        return;
    }
    while (a->pos < off) {
        a->buf[a->pos++] = PAD_HALFWORD & 0xFF;
        a->buf[a->pos++] = PAD_HALFWORD >> 8;
    }
}

#define I(fn, ...)   as_emit(a, gs_thumb_##fn(&a->t, __VA_ARGS__))
#define B(fn, l)     as_emit(a, gs_thumb_##fn(&a->t, as_off(a, l)))
#define BC(fn, c, l) as_emit(a, gs_thumb_##fn(&a->t, c, as_off(a, l)))
#define LABEL(l)     as_label(a, l)
#define HLOG(field)  (GS_SCRIPT_LOG_OFF - GS_SCRIPT_HDR_OFF + (field))

/*
 * Entry and prologue. Saves the entry registers (r0 -> r4, r2 -> r5,
 * r3 -> r6, sp -> r9, lr -> r10, r1 is memory_start in r7), grows the break
 * and, if that worked, writes the header and moves sp.
 */
static void gen_prologue(struct as *a)
{
    I(mov_reg, R_IP, R_PC); /* r12 = image + 4 (this is offset 0) */
    I(subw, R_IMG, R_IP, 4);
    I(mov_reg, R_MEM, 1);
    I(mov_reg, 4, 0);
    I(mov_reg, 5, 2);
    I(mov_reg, 6, 3);
    I(mov_reg, R_HDR, R_SP);
    I(mov_reg, R_LIM, R_LR);
    I(addw, R_IP, R_IMG, GS_SCRIPT_TABLE_OFF);
    I(ldr_w, 1, R_IP, GS_SCRIPT_T_PROLOGUE);
    I(movw, 0, GS_SCRIPT_RESULTS_OFF);
    I(cmp_reg, 1, 0);
    BC(b_cond, GS_CC_LO, L_NO_REC); /* P < RESULTS_OFF (including 0): no brk */
    I(add_reg, 1, R_MEM);
    I(movs_imm, 0, 0);
    I(svc, 5); /* memop brk(memory_start + P) */
    I(cmp_imm, 0, 128);
    BC(b_cond, GS_CC_NE, L_NO_REC);

    I(addw, 0, R_MEM, GS_SCRIPT_HDR_OFF);
    I(movw, 1, GS_SCRIPT_RESULT_MAGIC & 0xFFFF);
    I(movt, 1, GS_SCRIPT_RESULT_MAGIC >> 16);
    I(str_imm, 1, 0, 0);
    I(str_imm, 4, 0, 4);
    I(str_imm, R_MEM, 0, 8);
    I(str_imm, 5, 0, 12);
    I(str_imm, 6, 0, 16);
    I(mov_reg, 1, R_HDR);
    I(str_imm, 1, 0, 20);
    I(mov_reg, 1, R_LIM);
    I(str_imm, 1, 0, 24);
    I(addw, R_IP, R_IMG, GS_SCRIPT_TABLE_OFF);
    I(ldr_w, 1, R_IP, GS_SCRIPT_T_PROLOGUE);
    I(str_imm, 1, 0, GS_SCRIPT_H_PROLOGUE);
    I(add_reg, 1, R_MEM);
    I(mov_reg, R_LIM, 1);
    I(mov_reg, R_HDR, 0);
    I(addw, 1, R_MEM, GS_SCRIPT_STACK_TOP);
    I(mov_reg, R_SP, 1);
    B(b, L_LOOP_INIT);

    LABEL(L_NO_REC);
    I(movs_imm, 0, 0);
    I(mov_reg, R_HDR, 0);
    I(mov_reg, R_LIM, 0);

    LABEL(L_LOOP_INIT);
    I(addw, R_IP, R_IMG, GS_SCRIPT_TABLE_OFF);
    I(ldr_w, 1, R_IP, GS_SCRIPT_T_NSTEPS);
    I(movw, 0, GS_SCRIPT_MAX_STEPS);
    I(cmp_reg, 1, 0);
    BC(b_cond, GS_CC_LS, L_CAP_OK);
    I(mov_reg, 1, 0);
    LABEL(L_CAP_OK);
    I(addw, R_STEP, R_IP, GS_SCRIPT_T_STEPS);
    I(add_w_lsl, R_END, R_STEP, 1, 4); /* + 16 * n */
    I(add_w_lsl, R_END, R_END, 1, 3);  /* + 8 * n = 24 * n */
    I(movs_imm, R_IDX, 0);
    I(addw, R_SLOT, R_MEM, GS_SCRIPT_RESULTS_OFF);
}

/* Loads the base byte and value of argument i into r0, r1 and resolves it into r1. */
static void gen_arg(struct as *a, unsigned i)
{
    I(ldrb_imm, 0, R_STEP, 4 + i);
    I(ldr_imm, 1, R_STEP, 8 + 4 * i);
    B(bl, L_RESOLVE);
}

/* The step loop up to the jump into an svc stub or a pseudo step. */
static void gen_loop(struct as *a)
{
    LABEL(L_LOOP);
    I(cmp_reg, R_STEP, R_END);
    BC(b_cond_w, GS_CC_HS, L_FINAL);
    /* Arguments 3..0: the resolver uses only r0, r1 (and lr), so r2, r3 and
     * r12 keep what is already resolved. */
    gen_arg(a, 3);
    I(mov_reg, 3, 1);
    gen_arg(a, 2);
    I(mov_reg, 2, 1);
    gen_arg(a, 1);
    I(mov_reg, R_IP, 1);
    gen_arg(a, 0);
    I(mov_reg, 0, 1);
    I(mov_reg, 1, R_IP);
    I(ldr_w, R_IP, R_STEP, 0); /* kind */
    I(cmp_w_imm, R_IP, 0x100);
    BC(b_cond_w, GS_CC_HS, L_PSEUDO);
    I(add_w_lsl, R_IP, R_IMG, R_IP, 2);
    I(addw, R_IP, R_IP, GS_SCRIPT_SVC_STUBS_OFF + 1);
    I(bx, R_IP); /* -> svc #kind ; b.n after_svc */
}

/* resolve: r0 = base, r1 = value -> r1 = register value; clobbers r0. */
static void gen_resolver(struct as *a)
{
    LABEL(L_RESOLVE);
    I(cmp_imm, 0, GS_SCRIPT_BASE_RAM);
    BC(b_cond, GS_CC_NE, L_RES_FLASH);
    I(add_reg, 1, R_MEM);
    I(bx, R_LR);
    LABEL(L_RES_FLASH);
    I(cmp_imm, 0, GS_SCRIPT_BASE_FLASH);
    BC(b_cond, GS_CC_NE, L_RES_UPCALL);
    I(add_reg, 1, R_IMG);
    I(bx, R_LR);
    LABEL(L_RES_UPCALL);
    I(cmp_imm, 0, GS_SCRIPT_BASE_UPCALL);
    BC(b_cond, GS_CC_NE, L_RES_RESULT);
    I(lsls_imm, 1, 1, 3); /* * GS_SCRIPT_HANDLER_STRIDE */
    I(add_reg, 1, R_IMG);
    I(movw, 0, GS_SCRIPT_HANDLERS_OFF + 1);
    I(add_reg, 1, 0);
    I(bx, R_LR);
    LABEL(L_RES_RESULT);
    I(cmp_imm, 0, GS_SCRIPT_BASE_RESULT);
    BC(b_cond, GS_CC_NE, L_RES_ABS);
    I(lsls_imm, 1, 1, 5); /* * GS_SCRIPT_RESULT_SIZE */
    I(add_reg, 1, R_MEM);
    I(movw, 0, GS_SCRIPT_RESULTS_OFF + GS_SCRIPT_R_SPARE);
    I(add_reg, 1, 0);
    LABEL(L_RES_ABS);
    I(bx, R_LR);
}

/* Pseudo steps: r12 = kind, r0..r3 = resolved arguments. */
static void gen_pseudo(struct as *a)
{
    LABEL(L_PSEUDO);
    I(subw, R_IP, R_IP, 0x100);
    I(cmp_w_imm, R_IP, GS_SCRIPT_OP_STORE32 - 0x100);
    BC(b_cond, GS_CC_EQ, L_STORE);
    I(cmp_w_imm, R_IP, GS_SCRIPT_OP_FILL8 - 0x100);
    BC(b_cond, GS_CC_EQ, L_FILL);
    I(cmp_w_imm, R_IP, GS_SCRIPT_OP_LOAD32 - 0x100);
    BC(b_cond, GS_CC_EQ, L_LOAD);
    I(cmp_w_imm, R_IP, GS_SCRIPT_OP_SPIN - 0x100);
    BC(b_cond, GS_CC_EQ, L_SPIN);
    B(b_w, L_AFTER_SVC); /* unknown pseudo kind: nothing */

    LABEL(L_STORE);
    I(str_imm, 1, 0, 0);
    B(b_w, L_AFTER_SVC);

    LABEL(L_LOAD);
    I(ldr_imm, 0, 0, 0);
    B(b_w, L_AFTER_SVC);

    LABEL(L_FILL);
    I(mov_reg, 3, 0);
    I(add_w_lsl, R_IP, 0, 2, 0); /* end = a0 + a2 */
    LABEL(L_FILL_LOOP);
    I(cmp_reg, 3, R_IP);
    BC(b_cond, GS_CC_HS, L_FILL_DONE);
    I(strb_imm, 1, 3, 0);
    I(adds_imm, 3, 3, 1);
    B(b, L_FILL_LOOP);
    LABEL(L_FILL_DONE);
    B(b_w, L_AFTER_SVC);

    LABEL(L_SPIN);
    I(cmp_imm, 0, 0);
    BC(b_cond, GS_CC_EQ, L_SPIN_DONE);
    I(subs_imm, 0, 0, 1);
    B(b, L_SPIN);
    LABEL(L_SPIN_DONE);
    B(b_w, L_AFTER_SVC);
}

static void gen_final(struct as *a)
{
    LABEL(L_FINAL);
    I(cmp_w_imm, R_HDR, 0);
    BC(b_cond, GS_CC_EQ, L_FINAL_GO);
    I(movs_imm, 0, 1);
    I(str_w, 0, R_HDR, GS_SCRIPT_H_FINISHED);
    LABEL(L_FINAL_GO);
    I(addw, R_IP, R_IMG, GS_SCRIPT_TABLE_OFF);
    I(ldr_w, 1, R_IP, GS_SCRIPT_T_FINAL_CODE);
    I(ldr_w, 0, R_IP, GS_SCRIPT_T_FINAL);
    I(cmp_imm, 0, GS_SCRIPT_YIELD_WAIT);
    BC(b_cond, GS_CC_HS, L_YIELD_FOREVER);
    I(svc, 6); /* exit: r0 = 0 terminate / 1 restart, r1 = code */
    I(udf, GS_SCRIPT_EXIT_RETURNED_UDF);
    LABEL(L_YIELD_FOREVER);
    I(movs_imm, 0, 1);
    I(svc, 0); /* yield-wait */
    B(b, L_YIELD_FOREVER);
}

/*
 * Common upcall handler: r12 = handler number, r0..r3 = upcall arguments,
 * lr = where the kernel resumes the process. Uses r4, r6 (saved) and r12.
 */
static void gen_handler_common(struct as *a)
{
    LABEL(L_HCOMMON);
    I(cmp_w_imm, R_HDR, 0);
    BC(b_cond, GS_CC_EQ, L_HRET);
    I(push, 1u << 4 | 1u << 6);
    I(ldr_w, 4, R_HDR, GS_SCRIPT_H_UPCALLS);
    I(adds_imm, 6, 4, 1);
    I(str_w, 6, R_HDR, GS_SCRIPT_H_UPCALLS);
    I(cmp_imm, 4, GS_SCRIPT_LOG_CAP);
    BC(b_cond, GS_CC_HS, L_HDONE);
    I(lsls_imm, 4, 4, 5); /* * GS_SCRIPT_LOG_ENTRY */
    I(add_reg, 4, R_HDR);
    I(str_imm, 0, 4, HLOG(0));
    I(str_imm, 1, 4, HLOG(4));
    I(str_imm, 2, 4, HLOG(8));
    I(str_imm, 3, 4, HLOG(12));
    I(mov_reg, 6, R_IP);
    I(str_imm, 6, 4, HLOG(16));
    I(str_imm, R_IDX, 4, HLOG(20));
    I(add_sp_imm, 6, 8); /* sp before the push */
    I(str_imm, 6, 4, HLOG(24));
    I(mov_reg, 6, R_LR);
    I(str_imm, 6, 4, HLOG(28));
    LABEL(L_HDONE);
    I(pop, 1u << 4 | 1u << 6);
    LABEL(L_HRET);
    I(bx, R_LR);
}

/* Records r0..r3 in the step's slot if it fits below the limit, then the next step. */
static void gen_after_svc(struct as *a)
{
    LABEL(L_AFTER_SVC);
    I(addw, R_IP, R_SLOT, GS_SCRIPT_RESULT_SIZE);
    I(cmp_reg, R_IP, R_LIM);
    BC(b_cond, GS_CC_HI, L_NO_SLOT); /* slot end > limit (always when not recording) */
    I(str_w, 0, R_SLOT, 0);
    I(str_w, 1, R_SLOT, 4);
    I(str_w, 2, R_SLOT, 8);
    I(str_w, 3, R_SLOT, 12);
    I(adds_imm, 0, R_IDX, 1);
    I(str_w, 0, R_SLOT, 16);
    I(ldr_w, 0, R_HDR, GS_SCRIPT_H_UPCALLS);
    I(str_w, 0, R_SLOT, 20);
    I(mov_reg, 0, R_SP);
    I(str_w, 0, R_SLOT, 24);
    LABEL(L_NO_SLOT);
    I(cmp_w_imm, R_HDR, 0);
    BC(b_cond, GS_CC_EQ, L_NO_HDR);
    I(adds_imm, 0, R_IDX, 1);
    I(str_w, 0, R_HDR, GS_SCRIPT_H_STEPS_DONE);
    LABEL(L_NO_HDR);
    I(addw, R_SLOT, R_SLOT, GS_SCRIPT_RESULT_SIZE);
    I(adds_imm, R_IDX, R_IDX, 1);
    I(adds_imm, R_STEP, R_STEP, GS_SCRIPT_STEP_SIZE);
    B(b_w, L_LOOP);
}

static void gen(struct as *a)
{
    gen_prologue(a);
    gen_loop(a);
    gen_resolver(a);
    gen_pseudo(a);
    gen_final(a);
    gen_handler_common(a);

    as_org(a, GS_SCRIPT_HANDLERS_OFF);
    for (uint32_t n = 0; n < GS_SCRIPT_HANDLERS; n++) {
        I(mov_w_imm, R_IP, n);
        B(b_w, L_HCOMMON);
    }
    as_org(a, GS_SCRIPT_SVC_STUBS_OFF);
    for (uint32_t n = 0; n < 256; n++) {
        I(svc, n);
        B(b, L_AFTER_SVC);
    }
    gen_after_svc(a);
    as_org(a, GS_SCRIPT_CODE_SIZE);
}

int gs_script_code(uint8_t *buf, size_t cap)
{
    /* The code is the same for every script: assembled once, then copied
     * (every scripted process of every fuzz input is loaded through here). */
    static uint8_t code[GS_SCRIPT_CODE_SIZE];
    static int assembled; /* 0: not yet, 1: code[] holds it, else the error */
    struct as a;

    if (buf == NULL || cap < GS_SCRIPT_CODE_SIZE)
        return GS_E_ARG;
    if (assembled == 0) {
        memset(&a, 0, sizeof(a));
        a.buf = code;
        assembled = 1;
        for (a.pass = 1; a.pass <= 2 && assembled == 1; a.pass++) {
            a.pos = 0;
            gen(&a);
            if (a.err != GS_OK)
                assembled = a.err;
        }
    }
    if (assembled != 1)
        return assembled;
    memcpy(buf, code, GS_SCRIPT_CODE_SIZE);
    return GS_OK;
}

/* ---- table ---- */

uint32_t gs_script_prologue(unsigned nsteps)
{
    return GS_SCRIPT_RESULTS_OFF + GS_SCRIPT_RESULT_SIZE * (uint32_t)nsteps;
}

int gs_script_validate(const struct gs_script *s)
{
    if (s == NULL || s->nsteps > GS_SCRIPT_MAX_STEPS || (s->nsteps > 0 && s->steps == NULL))
        return GS_E_ARG;
    if (s->prologue != 0 && s->prologue < GS_SCRIPT_RESULTS_OFF)
        return GS_E_ARG;
    if ((unsigned)s->final > GS_SCRIPT_YIELD_WAIT)
        return GS_E_ARG;
    if (s->data_len > GS_SCRIPT_MAX_DATA || (s->data_len && s->data == NULL))
        return GS_E_ARG;
    for (unsigned i = 0; i < s->nsteps; i++) {
        const struct gs_script_step *st = &s->steps[i];

        if (st->kind > 0xFF && (st->kind < GS_SCRIPT_OP_STORE32 || st->kind >= GS_SCRIPT_OP_END))
            return GS_E_ARG;
        for (unsigned j = 0; j < 4; j++) {
            const struct gs_script_arg *ar = &st->a[j];

            if (ar->base >= GS_SCRIPT_BASE_COUNT)
                return GS_E_ARG;
            if (ar->base == GS_SCRIPT_BASE_UPCALL && ar->value >= GS_SCRIPT_HANDLERS)
                return GS_E_ARG;
            if (ar->base == GS_SCRIPT_BASE_RESULT && ar->value >= GS_SCRIPT_MAX_STEPS)
                return GS_E_ARG;
        }
    }
    return GS_OK;
}

size_t gs_script_table_size(unsigned nsteps)
{
    return GS_SCRIPT_T_STEPS + (size_t)GS_SCRIPT_STEP_SIZE * nsteps;
}

size_t gs_script_image_size(unsigned nsteps)
{
    return GS_SCRIPT_TABLE_OFF + gs_script_table_size(nsteps);
}

int gs_script_table(const struct gs_script *s, uint8_t *buf, size_t cap)
{
    if (gs_script_validate(s) != GS_OK || buf == NULL || cap < gs_script_table_size(s->nsteps))
        return GS_E_ARG;
    memset(buf, 0, GS_SCRIPT_T_STEPS);
    gs_put_le32(buf + GS_SCRIPT_T_MAGIC, GS_SCRIPT_TABLE_MAGIC);
    gs_put_le32(buf + GS_SCRIPT_T_VERSION, GS_SCRIPT_TABLE_VERSION);
    gs_put_le32(buf + GS_SCRIPT_T_PROLOGUE, s->prologue);
    gs_put_le32(buf + GS_SCRIPT_T_NSTEPS, s->nsteps);
    gs_put_le32(buf + GS_SCRIPT_T_FINAL, (uint32_t)s->final);
    gs_put_le32(buf + GS_SCRIPT_T_FINAL_CODE, s->final_code);
    for (unsigned i = 0; i < s->nsteps; i++) {
        const struct gs_script_step *st = &s->steps[i];
        uint8_t *p = buf + GS_SCRIPT_T_STEPS + (size_t)GS_SCRIPT_STEP_SIZE * i;

        gs_put_le32(p, st->kind);
        for (unsigned j = 0; j < 4; j++) {
            p[4 + j] = st->a[j].base;
            gs_put_le32(p + 8 + 4 * j, st->a[j].value);
        }
    }
    return GS_OK;
}

int gs_script_image(const struct gs_script *s, uint8_t *buf, size_t cap, size_t *len)
{
    int rc;

    if (gs_script_validate(s) != GS_OK || buf == NULL ||
        cap < gs_script_image_size(s->nsteps) + s->data_len)
        return GS_E_ARG;
    rc = gs_script_code(buf, cap);
    if (rc != GS_OK)
        return rc;
    rc = gs_script_table(s, buf + GS_SCRIPT_TABLE_OFF, cap - GS_SCRIPT_TABLE_OFF);
    if (rc != GS_OK)
        return rc;
    if (s->data_len)
        memcpy(buf + gs_script_image_size(s->nsteps), s->data, s->data_len);
    if (len != NULL)
        *len = gs_script_image_size(s->nsteps) + s->data_len;
    return GS_OK;
}

uint32_t gs_script_resolve(struct gs_script_arg arg, uint32_t app_start, uint32_t memory_start)
{
    switch (arg.base) {
    case GS_SCRIPT_BASE_RAM:
        return memory_start + arg.value;
    case GS_SCRIPT_BASE_FLASH:
        return app_start + arg.value;
    case GS_SCRIPT_BASE_UPCALL:
        return app_start + arg.value * GS_SCRIPT_HANDLER_STRIDE + GS_SCRIPT_HANDLERS_OFF + 1;
    case GS_SCRIPT_BASE_RESULT:
        return memory_start + arg.value * GS_SCRIPT_RESULT_SIZE + GS_SCRIPT_RESULTS_OFF +
               GS_SCRIPT_R_SPARE;
    default:
        return arg.value;
    }
}

/* ---- reader ---- */

static int load_words(gs_script_load_fn load, void *ctx, uint32_t addr, uint32_t *w, unsigned n)
{
    uint8_t b[GS_SCRIPT_HDR_SIZE];

    if (n * 4 > sizeof(b) || load(ctx, addr, b, n * 4) != 0)
        return GS_E_BOUNDS;
    for (unsigned i = 0; i < n; i++)
        w[i] = gs_get_le32(b + 4 * i);
    return GS_OK;
}

int gs_script_read(gs_script_load_fn load, void *ctx, uint32_t memory_start,
                   struct gs_script_report *out)
{
    struct gs_script_report r;
    uint32_t h[GS_SCRIPT_HDR_SIZE / 4], w[8], fit, n;

    if (load == NULL || out == NULL)
        return GS_E_ARG;
    memset(&r, 0, sizeof(r));
    if (load_words(load, ctx, memory_start + GS_SCRIPT_HDR_OFF, h, GS_SCRIPT_HDR_SIZE / 4) != GS_OK)
        return GS_E_BOUNDS;
    if (h[0] != GS_SCRIPT_RESULT_MAGIC)
        return GS_E_STATE;
    memcpy(r.entry_r, &h[1], sizeof(r.entry_r));
    r.entry_sp = h[5];
    r.entry_lr = h[6];
    r.steps_done = h[GS_SCRIPT_H_STEPS_DONE / 4];
    r.upcalls = h[GS_SCRIPT_H_UPCALLS / 4];
    r.finished = h[GS_SCRIPT_H_FINISHED / 4] != 0;
    r.prologue = h[GS_SCRIPT_H_PROLOGUE / 4];

    /* Slots that fit below P: the interpreter records slot k iff its end <= P. */
    fit = r.prologue >= GS_SCRIPT_RESULTS_OFF
              ? (r.prologue - GS_SCRIPT_RESULTS_OFF) / GS_SCRIPT_RESULT_SIZE
              : 0;
    n = r.steps_done < fit ? r.steps_done : fit;
    if (n > GS_SCRIPT_MAX_STEPS)
        n = GS_SCRIPT_MAX_STEPS;
    for (uint32_t k = 0; k < n; k++) {
        struct gs_script_result *res = &r.results[k];

        if (load_words(load, ctx, memory_start + GS_SCRIPT_RESULTS_OFF + k * GS_SCRIPT_RESULT_SIZE,
                       w, 8) != GS_OK)
            return GS_E_BOUNDS;
        memcpy(res->r, w, sizeof(res->r));
        res->seq = w[4];
        res->upcalls = w[5];
        res->sp = w[6];
        res->spare = w[7];
    }
    r.nresults = n;

    n = r.upcalls < GS_SCRIPT_LOG_CAP ? r.upcalls : GS_SCRIPT_LOG_CAP;
    for (uint32_t i = 0; i < n; i++) {
        struct gs_script_upcall *u = &r.log[i];

        if (load_words(load, ctx, memory_start + GS_SCRIPT_LOG_OFF + i * GS_SCRIPT_LOG_ENTRY, w,
                       8) != GS_OK)
            return GS_E_BOUNDS;
        memcpy(u->r, w, sizeof(u->r));
        u->handler = w[4];
        u->step = w[5];
        u->sp = w[6];
        u->lr = w[7];
    }
    r.nlog = n;
    *out = r;
    return GS_OK;
}

struct ram_view {
    const uint8_t *ram;
    uint32_t base, len;
};

static int ram_load(void *ctx, uint32_t addr, void *dst, uint32_t len)
{
    const struct ram_view *v = ctx;
    uint32_t off = addr - v->base; /* wraps below base: then off >= len */

    if (off > v->len || len > v->len - off)
        return -1;
    memcpy(dst, v->ram + off, len);
    return 0;
}

int gs_script_read_ram(const uint8_t *ram, uint32_t ram_base, uint32_t ram_len,
                       uint32_t memory_start, struct gs_script_report *out)
{
    struct ram_view v = {ram, ram_base, ram_len};

    if (ram == NULL)
        return GS_E_ARG;
    return gs_script_read(ram_load, &v, memory_start, out);
}
