/* SPDX-License-Identifier: MIT */
/*
 * The Thumb encoder (thumb.h) and scripted process images (script.h).
 *
 * The "run" cases execute generated images under raw Unicorn with a minimal
 * fake kernel (struct fk below): flash and RAM mapped with uc_mem_map_ptr,
 * every svc handled in the INTR hook (intno 2, PC already past the svc, the
 * class read from the host copy of the halfword at PC - 2), canned returns,
 * memop brk, a test-capsule command that queues upcalls, and upcall delivery
 * the way Tock's Cortex-M set_process_function does it (lr = pc | 1 after the
 * svc, pc = fn | 1, r0..r3 = args, appdata).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unicorn/unicorn.h>

#include "errors.h"
#include "helpers.h"
#include "script.h"
#include "thumb.h"

/* ======================================================================
 * Thumb encoder: expected halfwords are from the ARMv7-M ARM and were
 * cross-checked with a disassembler; the disassembly is in the comment.
 * ====================================================================== */

static void expect16(int rc, const struct gs_thumb_insn *i, uint16_t hw, const char *what)
{
    ck_assert_msg(rc == GS_OK, "%s: rc %d", what, rc);
    ck_assert_msg(i->n == 1 && i->hw[0] == hw, "%s: got %u halfwords %04x %04x, want %04x", what,
                  i->n, i->hw[0], i->hw[1], hw);
}

static void expect32(int rc, const struct gs_thumb_insn *i, uint16_t hw1, uint16_t hw2,
                     const char *what)
{
    ck_assert_msg(rc == GS_OK, "%s: rc %d", what, rc);
    ck_assert_msg(i->n == 2 && i->hw[0] == hw1 && i->hw[1] == hw2,
                  "%s: got %u halfwords %04x %04x, want %04x %04x", what, i->n, i->hw[0], i->hw[1],
                  hw1, hw2);
}

#define E16(call, hw)       expect16(gs_thumb_##call, &i, hw, #call)
#define E32(call, hw1, hw2) expect32(gs_thumb_##call, &i, hw1, hw2, #call)

START_TEST(thumb_moves_and_arithmetic)
{
    struct gs_thumb_insn i;

    E16(movs_imm(&i, 3, 0xAB), 0x23AB);                /* movs r3, #171 */
    E16(mov_reg(&i, 8, 1), 0x4688);                    /* mov r8, r1 */
    E16(mov_reg(&i, 1, 13), 0x4669);                   /* mov r1, sp */
    E16(mov_reg(&i, 13, 1), 0x468D);                   /* mov sp, r1 */
    E16(mov_reg(&i, 12, 15), 0x46FC);                  /* mov ip, pc */
    E32(mov_w_imm(&i, 12, 7), 0xF04F, 0x0C07);         /* mov.w ip, #7 */
    E32(mov_w_imm(&i, 0, 0x00AB00AB), 0xF04F, 0x10AB); /* mov.w r0, #0xab00ab */
    E32(mov_w_imm(&i, 0, 0xAB00AB00), 0xF04F, 0x20AB); /* mov.w r0, #0xab00ab00 */
    E32(mov_w_imm(&i, 0, 0xABABABAB), 0xF04F, 0x30AB); /* mov.w r0, #0xabababab */
    E32(mov_w_imm(&i, 1, 0x3FC00), 0xF44F, 0x317F);    /* mov.w r1, #0x3fc00 */
    E32(mov_w_imm(&i, 2, 0x80000000), 0xF04F, 0x4200); /* mov.w r2, #0x80000000 */
    E32(movw(&i, 1, 0xBEEF), 0xF64B, 0x61EF);          /* movw r1, #0xbeef */
    E32(movt(&i, 2, 0xDEAD), 0xF6CD, 0x62AD);          /* movt r2, #0xdead */
    E16(adds_imm(&i, 1, 2, 7), 0x1DD1);                /* adds r1, r2, #7 */
    E16(adds_imm(&i, 3, 3, 200), 0x33C8);              /* adds r3, #200 */
    E16(subs_imm(&i, 1, 2, 3), 0x1ED1);                /* subs r1, r2, #3 */
    E16(subs_imm(&i, 4, 4, 1), 0x3C01);                /* subs r4, #1 */
    E16(adds_reg(&i, 0, 1, 2), 0x1888);                /* adds r0, r1, r2 */
    E16(add_reg(&i, 1, 7), 0x4439);                    /* add r1, r7 */
    E16(add_reg(&i, 4, 9), 0x444C);                    /* add r4, r9 */
    E32(add_w_lsl(&i, 6, 4, 1, 4), 0xEB04, 0x1601);    /* add.w r6, r4, r1, lsl #4 */
    E32(add_w_lsl(&i, 12, 0, 2, 0), 0xEB00, 0x0C02);   /* add.w ip, r0, r2 */
    E32(addw(&i, 11, 7, 0x2E0), 0xF207, 0x2BE0);       /* addw fp, r7, #736 */
    E32(subw(&i, 8, 12, 4), 0xF2AC, 0x0804);           /* subw r8, ip, #4 */
    E16(add_sp_imm(&i, 6, 8), 0xAE02);                 /* add r6, sp, #8 */
    E16(lsls_imm(&i, 1, 1, 5), 0x0149);                /* lsls r1, r1, #5 */
    E16(cmp_imm(&i, 0, 128), 0x2880);                  /* cmp r0, #128 */
    E16(cmp_reg(&i, 1, 0), 0x4281);                    /* cmp r1, r0 */
    E16(cmp_reg(&i, 12, 10), 0x45D4);                  /* cmp ip, sl */
    E32(cmp_w_imm(&i, 12, 0x100), 0xF5BC, 0x7F80);     /* cmp.w ip, #256 */
    E32(cmp_w_imm(&i, 9, 0), 0xF1B9, 0x0F00);          /* cmp.w r9, #0 */
}
END_TEST

START_TEST(thumb_memory_and_control)
{
    struct gs_thumb_insn i;

    E16(ldr_imm(&i, 1, 4, 20), 0x6961);          /* ldr r1, [r4, #20] */
    E16(str_imm(&i, 6, 4, 92), 0x65E6);          /* str r6, [r4, #92] */
    E16(ldrb_imm(&i, 0, 4, 7), 0x79E0);          /* ldrb r0, [r4, #7] */
    E16(strb_imm(&i, 1, 3, 0), 0x7019);          /* strb r1, [r3, #0] */
    E32(ldr_w(&i, 12, 4, 0), 0xF8D4, 0xC000);    /* ldr.w ip, [r4] */
    E32(ldr_w(&i, 1, 12, 2060), 0xF8DC, 0x180C); /* ldr.w r1, [ip, #2060] */
    E32(str_w(&i, 0, 9, 36), 0xF8C9, 0x0024);    /* str.w r0, [r9, #36] */
    E32(str_w(&i, 3, 11, 4095), 0xF8CB, 0x3FFF); /* str.w r3, [fp, #4095] */
    E16(ldr_lit(&i, 2, 1020), 0x4AFF);           /* ldr r2, [pc, #1020] */
    E16(push(&i, 1u << 4 | 1u << 6), 0xB450);    /* push {r4, r6} */
    E16(push(&i, 1u << 0 | 1u << 14), 0xB501);   /* push {r0, lr} */
    E16(pop(&i, 1u << 4 | 1u << 6), 0xBC50);     /* pop {r4, r6} */
    E16(pop(&i, 1u << 1 | 1u << 15), 0xBD02);    /* pop {r1, pc} */
    E16(bx(&i, 14), 0x4770);                     /* bx lr */
    E16(bx(&i, 12), 0x4760);                     /* bx ip */
    E16(blx(&i, 3), 0x4798);                     /* blx r3 */
    E16(svc(&i, 5), 0xDF05);                     /* svc 5 */
    E16(svc(&i, 255), 0xDFFF);                   /* svc 255 */
    E16(udf(&i, 0xDE), 0xDEDE);                  /* udf #222 */
    E16(nop(&i), 0xBF00);                        /* nop */
    /* Branches: off = target - (address + 4). */
    E16(b_cond(&i, GS_CC_NE, -256), 0xD180);                /* bne.n .-252 */
    E16(b_cond(&i, GS_CC_EQ, 254), 0xD07F);                 /* beq.n .+258 */
    E16(b_cond(&i, GS_CC_HI, 0), 0xD800);                   /* bhi.n .+4 */
    E32(b_cond_w(&i, GS_CC_HS, 0x1000), 0xF081, 0x8000);    /* bcs.w .+0x1004 */
    E32(b_cond_w(&i, GS_CC_LO, -0x1000), 0xF4FF, 0xA800);   /* bcc.w .-0xffc */
    E32(b_cond_w(&i, GS_CC_LE, 0xFFFFE), 0xF37F, 0xAFFF);   /* ble.w .+0x100002 */
    E32(b_cond_w(&i, GS_CC_GT, -0x100000), 0xF700, 0x8000); /* bgt.w .-0xffffc */
    E16(b(&i, -2048), 0xE400);                              /* b.n .-2044 */
    E16(b(&i, 2046), 0xE3FF);                               /* b.n .+2050 */
    E32(b_w(&i, 0x123456), 0xF123, 0xBA2B);                 /* b.w .+0x12345a */
    E32(b_w(&i, -0x700000), 0xF500, 0xB000);                /* b.w .-0x6ffffc */
    E32(bl(&i, 0xFFFFFE), 0xF3FF, 0xD7FF);                  /* bl .+0x1000002 */
    E32(bl(&i, -0x1000000), 0xF400, 0xD000);                /* bl .-0xfffffc */
    E32(bl(&i, -2), 0xF7FF, 0xFFFF);                        /* bl .+2 */
}
END_TEST

START_TEST(thumb_rejects_what_does_not_fit)
{
    struct gs_thumb_insn i = {{0x1111, 0x2222}, 7};
    uint32_t imm12 = 0x5A5A;

    ck_assert_int_eq(gs_thumb_movs_imm(&i, 8, 1), GS_E_ARG);   /* high register */
    ck_assert_int_eq(gs_thumb_movs_imm(&i, 0, 256), GS_E_ARG); /* imm8 */
    ck_assert_int_eq(gs_thumb_mov_w_imm(&i, 0, 0x101), GS_E_ARG);
    ck_assert_int_eq(gs_thumb_mov_w_imm(&i, 13, 1), GS_E_ARG);
    ck_assert_int_eq(gs_thumb_movw(&i, 0, 0x10000), GS_E_ARG);
    ck_assert_int_eq(gs_thumb_adds_imm(&i, 1, 2, 8), GS_E_ARG); /* imm3 */
    ck_assert_int_eq(gs_thumb_subs_imm(&i, 1, 1, 256), GS_E_ARG);
    ck_assert_int_eq(gs_thumb_add_reg(&i, 13, 1), GS_E_ARG);
    ck_assert_int_eq(gs_thumb_add_w_lsl(&i, 0, 1, 2, 32), GS_E_ARG);
    ck_assert_int_eq(gs_thumb_add_w_lsl(&i, 15, 1, 2, 0), GS_E_ARG);
    ck_assert_int_eq(gs_thumb_addw(&i, 0, 1, 0x1000), GS_E_ARG);
    ck_assert_int_eq(gs_thumb_add_sp_imm(&i, 0, 6), GS_E_ARG);
    ck_assert_int_eq(gs_thumb_lsls_imm(&i, 0, 1, 0), GS_E_ARG);
    ck_assert_int_eq(gs_thumb_cmp_reg(&i, 15, 1), GS_E_ARG);
    ck_assert_int_eq(gs_thumb_cmp_w_imm(&i, 1, 0x12345678), GS_E_ARG);
    ck_assert_int_eq(gs_thumb_ldr_imm(&i, 0, 1, 2), GS_E_ARG);   /* not a multiple of 4 */
    ck_assert_int_eq(gs_thumb_ldr_imm(&i, 0, 1, 128), GS_E_ARG); /* imm5 * 4 */
    ck_assert_int_eq(gs_thumb_strb_imm(&i, 0, 1, 32), GS_E_ARG);
    ck_assert_int_eq(gs_thumb_ldr_w(&i, 0, 15, 0), GS_E_ARG); /* literal form */
    ck_assert_int_eq(gs_thumb_str_w(&i, 0, 1, 4096), GS_E_ARG);
    ck_assert_int_eq(gs_thumb_ldr_lit(&i, 0, 1024), GS_E_ARG);
    ck_assert_int_eq(gs_thumb_push(&i, 0), GS_E_ARG);
    ck_assert_int_eq(gs_thumb_push(&i, 1u << 15), GS_E_ARG); /* pc cannot be pushed */
    ck_assert_int_eq(gs_thumb_pop(&i, 1u << 14), GS_E_ARG);  /* nor lr popped */
    ck_assert_int_eq(gs_thumb_b_cond(&i, GS_CC_EQ, 256), GS_E_ARG);
    ck_assert_int_eq(gs_thumb_b_cond(&i, GS_CC_EQ, 3), GS_E_ARG); /* odd */
    ck_assert_int_eq(gs_thumb_b_cond(&i, (enum gs_thumb_cond)14, 0), GS_E_ARG);
    ck_assert_int_eq(gs_thumb_b_cond_w(&i, GS_CC_EQ, 1 << 20), GS_E_ARG);
    ck_assert_int_eq(gs_thumb_b(&i, 2048), GS_E_ARG);
    ck_assert_int_eq(gs_thumb_b_w(&i, 1 << 24), GS_E_ARG);
    ck_assert_int_eq(gs_thumb_bl(&i, -(1 << 24) - 2), GS_E_ARG);
    ck_assert_int_eq(gs_thumb_blx(&i, 15), GS_E_ARG);
    ck_assert_int_eq(gs_thumb_svc(&i, 256), GS_E_ARG);
    ck_assert_int_eq(gs_thumb_udf(&i, 256), GS_E_ARG);
    /* Nothing was written on error. */
    ck_assert_uint_eq(i.hw[0], 0x1111);
    ck_assert_uint_eq(i.hw[1], 0x2222);
    ck_assert_uint_eq(i.n, 7);
    ck_assert_int_eq(gs_thumb_modimm(0x1FE, &imm12), GS_OK); /* 0xFF ror 31 */
    ck_assert_uint_eq(imm12, 0xFFF);                         /* mov.w r0, #510 = f44f 70ff */
    imm12 = 0x5A5A;
    ck_assert_int_eq(gs_thumb_modimm(0x00010001 * 0x100, &imm12), GS_OK);
    ck_assert_uint_eq(imm12, 0x201);
    ck_assert_int_eq(gs_thumb_modimm(0x1FF, &imm12), GS_E_ARG);
    ck_assert_uint_eq(imm12, 0x201);
}
END_TEST

START_TEST(thumb_put_is_little_endian_halfwords)
{
    struct gs_thumb_insn i;
    uint8_t b[4] = {0, 0, 0, 0};

    ck_assert_int_eq(gs_thumb_bl(&i, -2), GS_OK);
    ck_assert_uint_eq(gs_thumb_put(b, &i), 4);
    ck_assert(b[0] == 0xFF && b[1] == 0xF7 && b[2] == 0xFF && b[3] == 0xFF);
    ck_assert_int_eq(gs_thumb_svc(&i, 0x12), GS_OK);
    ck_assert_uint_eq(gs_thumb_put(b, &i), 2);
    ck_assert(b[0] == 0x12 && b[1] == 0xDF && b[2] == 0xFF);
}
END_TEST

/* ======================================================================
 * Image layout, table encoding, validation, resolver mirror, reader.
 * ====================================================================== */

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static void wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static struct gs_script_step step(uint32_t kind, struct gs_script_arg a0, struct gs_script_arg a1,
                                  struct gs_script_arg a2, struct gs_script_arg a3)
{
    struct gs_script_step s = {kind, {a0, a1, a2, a3}};
    return s;
}

#define A0 gs_sarg_abs(0)

START_TEST(code_is_fixed_and_laid_out_as_documented)
{
    static uint8_t c1[GS_SCRIPT_CODE_SIZE], c2[GS_SCRIPT_CODE_SIZE];
    uint32_t after_svc = GS_SCRIPT_SVC_STUBS_OFF + 256 * GS_SCRIPT_SVC_STUB_SIZE;

    memset(c2, 0x55, sizeof(c2));
    ck_assert_int_eq(gs_script_code(c1, sizeof(c1)), GS_OK);
    ck_assert_int_eq(gs_script_code(c2, sizeof(c2)), GS_OK);
    ck_assert_mem_eq(c1, c2, sizeof(c1));
    ck_assert_int_eq(gs_script_code(c1, sizeof(c1) - 1), GS_E_ARG);
    ck_assert_int_eq(gs_script_code(NULL, sizeof(c1)), GS_E_ARG);

    /* Entry: mov ip, pc. */
    ck_assert_uint_eq(rd16(c1 + GS_SCRIPT_ENTRY_OFF), 0x46FC);
    /* The main code is followed by udf padding up to the handlers. */
    ck_assert_uint_eq(rd16(c1 + GS_SCRIPT_HANDLERS_OFF - 2), 0xDEDE);
    for (uint32_t n = 0; n < GS_SCRIPT_HANDLERS; n++) {
        const uint8_t *h = c1 + GS_SCRIPT_HANDLERS_OFF + n * GS_SCRIPT_HANDLER_STRIDE;
        ck_assert_uint_eq(rd16(h), 0xF04F); /* mov.w ip, #n */
        ck_assert_uint_eq(rd16(h + 2), 0x0C00 | n);
        ck_assert_uint_eq(rd16(h + 4) & 0xF800, 0xF000); /* b.w */
    }
    for (uint32_t n = 0; n < 256; n++) {
        const uint8_t *s = c1 + GS_SCRIPT_SVC_STUBS_OFF + n * GS_SCRIPT_SVC_STUB_SIZE;
        uint32_t b = rd16(s + 2), at = GS_SCRIPT_SVC_STUBS_OFF + n * 4 + 2;
        int32_t off = (int32_t)((b & 0x7FF) << 21) >> 20; /* sign-extended imm11 * 2 */

        ck_assert_uint_eq(rd16(s), 0xDF00 | n);               /* svc #n */
        ck_assert_uint_eq(b & 0xF800, 0xE000);                /* b.n ... */
        ck_assert_uint_eq(at + 4 + (uint32_t)off, after_svc); /* ... after_svc */
    }
    /* The code ends in padding. */
    ck_assert_uint_eq(rd16(c1 + GS_SCRIPT_CODE_SIZE - 2), 0xDEDE);
    ck_assert_uint_eq(rd16(c1 + after_svc), 0xF20B); /* addw ip, fp, #32 */
}
END_TEST

START_TEST(table_encoding)
{
    struct gs_script_step st[2] = {
        step(2, gs_sarg_abs(0x90000), gs_sarg_ram(0x10), gs_sarg_flash(0x20), gs_sarg_upcall(7)),
        step(GS_SCRIPT_OP_SPIN, gs_sarg_result(255), A0, A0, gs_sarg_abs(0xFFFFFFFF)),
    };
    struct gs_script s = {gs_script_prologue(2), GS_SCRIPT_EXIT_RESTART, 0xC0DE, 2, st, NULL, 0, 0};
    static uint8_t img[GS_SCRIPT_CODE_SIZE + 256];
    uint8_t *t = img + GS_SCRIPT_TABLE_OFF;
    size_t len = 0;

    ck_assert_uint_eq(gs_script_table_size(2), 32 + 48);
    ck_assert_uint_eq(gs_script_image_size(2), 0x800 + 80);
    ck_assert_uint_eq(gs_script_prologue(2), 0x2E0 + 64);
    ck_assert_int_eq(gs_script_image(&s, img, sizeof(img), &len), GS_OK);
    ck_assert_uint_eq(len, 0x800 + 80);
    ck_assert_uint_eq(rd32(t + 0), 0x54535347); /* "GSST" */
    ck_assert_uint_eq(rd32(t + 4), 1);
    ck_assert_uint_eq(rd32(t + 8), 0x2E0 + 64);
    ck_assert_uint_eq(rd32(t + 12), 2);
    ck_assert_uint_eq(rd32(t + 16), 1);
    ck_assert_uint_eq(rd32(t + 20), 0xC0DE);
    ck_assert_uint_eq(rd32(t + 24) | rd32(t + 28), 0);
    /* Step 0 at +32. */
    ck_assert_uint_eq(rd32(t + 32), 2);
    ck_assert(t[36] == 0 && t[37] == 1 && t[38] == 2 && t[39] == 3);
    ck_assert_uint_eq(rd32(t + 40), 0x90000);
    ck_assert_uint_eq(rd32(t + 44), 0x10);
    ck_assert_uint_eq(rd32(t + 48), 0x20);
    ck_assert_uint_eq(rd32(t + 52), 7);
    /* Step 1 at +56. */
    ck_assert_uint_eq(rd32(t + 56), 0x103);
    ck_assert(t[60] == 4 && t[61] == 0 && t[62] == 0 && t[63] == 0);
    ck_assert_uint_eq(rd32(t + 64), 255);
    ck_assert_uint_eq(rd32(t + 76), 0xFFFFFFFF);

    /* A table that does not fit writes nothing. */
    memset(img, 0xEE, sizeof(img));
    ck_assert_int_eq(gs_script_table(&s, img, gs_script_table_size(2) - 1), GS_E_ARG);
    ck_assert_uint_eq(img[0], 0xEE);
    ck_assert_int_eq(gs_script_image(&s, img, gs_script_image_size(2) - 1, &len), GS_E_ARG);
    ck_assert_uint_eq(img[0], 0xEE);
}
END_TEST

START_TEST(validation)
{
    struct gs_script_step st = step(255, A0, A0, A0, A0);
    struct gs_script s = {0, GS_SCRIPT_EXIT_TERMINATE, 0, 1, &st, NULL, 0, 0};

    ck_assert_int_eq(gs_script_validate(&s), GS_OK);
    s.prologue = GS_SCRIPT_RESULTS_OFF;
    ck_assert_int_eq(gs_script_validate(&s), GS_OK);
    s.prologue = GS_SCRIPT_RESULTS_OFF - 1;
    ck_assert_int_eq(gs_script_validate(&s), GS_E_ARG);
    s.prologue = 1;
    ck_assert_int_eq(gs_script_validate(&s), GS_E_ARG);
    s.prologue = 0;
    s.final = (enum gs_script_final)3;
    ck_assert_int_eq(gs_script_validate(&s), GS_E_ARG);
    s.final = GS_SCRIPT_YIELD_WAIT;
    st.kind = 0x100;
    ck_assert_int_eq(gs_script_validate(&s), GS_OK);
    st.kind = GS_SCRIPT_OP_END;
    ck_assert_int_eq(gs_script_validate(&s), GS_E_ARG);
    st.kind = 0x1000;
    ck_assert_int_eq(gs_script_validate(&s), GS_E_ARG);
    st.kind = 1;
    st.a[2].base = GS_SCRIPT_BASE_COUNT;
    ck_assert_int_eq(gs_script_validate(&s), GS_E_ARG);
    st.a[2] = gs_sarg_upcall(GS_SCRIPT_HANDLERS - 1);
    ck_assert_int_eq(gs_script_validate(&s), GS_OK);
    st.a[2] = gs_sarg_upcall(GS_SCRIPT_HANDLERS);
    ck_assert_int_eq(gs_script_validate(&s), GS_E_ARG);
    st.a[2] = gs_sarg_result(GS_SCRIPT_MAX_STEPS);
    ck_assert_int_eq(gs_script_validate(&s), GS_E_ARG);
    st.a[2] = A0;
    s.steps = NULL;
    ck_assert_int_eq(gs_script_validate(&s), GS_E_ARG);
    s.nsteps = 0;
    ck_assert_int_eq(gs_script_validate(&s), GS_OK);
    s.steps = &st;
    s.nsteps = GS_SCRIPT_MAX_STEPS + 1;
    ck_assert_int_eq(gs_script_validate(&s), GS_E_ARG);
    ck_assert_int_eq(gs_script_validate(NULL), GS_E_ARG);
}
END_TEST

START_TEST(resolve_mirror)
{
    const uint32_t app = 0x40040, mem = 0x20002000;

    ck_assert_uint_eq(gs_script_resolve(gs_sarg_abs(0x1234), app, mem), 0x1234);
    ck_assert_uint_eq(gs_script_resolve(gs_sarg_ram(0x10), app, mem), 0x20002010);
    ck_assert_uint_eq(gs_script_resolve(gs_sarg_flash(0xFFFFFFF0), app, mem), 0x40030);
    ck_assert_uint_eq(gs_script_resolve(gs_sarg_upcall(2), app, mem), 0x40040 + 0x211);
    ck_assert_uint_eq(gs_script_resolve(gs_sarg_result(3), app, mem), 0x20002000 + 0x2E0 + 0x7C);
    ck_assert_uint_eq(gs_script_resolve((struct gs_script_arg){9, 5}, app, mem), 5);
}
END_TEST

/* A synthetic RAM image for the reader: header, 3 results, 2 log entries. */
#define SR_BASE 0x20000000u
#define SR_MEM  0x20000400u

static void synth(uint8_t *ram, uint32_t steps_done, uint32_t upcalls, uint32_t prologue)
{
    uint8_t *h = ram + (SR_MEM - SR_BASE) + GS_SCRIPT_HDR_OFF;

    wr32(h + 0, GS_SCRIPT_RESULT_MAGIC);
    for (unsigned i = 0; i < 6; i++)
        wr32(h + 4 + 4 * i, 0x100 + i);
    wr32(h + GS_SCRIPT_H_STEPS_DONE, steps_done);
    wr32(h + GS_SCRIPT_H_UPCALLS, upcalls);
    wr32(h + GS_SCRIPT_H_FINISHED, 1);
    wr32(h + GS_SCRIPT_H_PROLOGUE, prologue);
    for (unsigned k = 0; k < 3; k++)
        for (unsigned w = 0; w < 8; w++)
            wr32(ram + (SR_MEM - SR_BASE) + GS_SCRIPT_RESULTS_OFF + 32 * k + 4 * w,
                 0x1000 * (k + 1) + w);
    for (unsigned e = 0; e < 2; e++)
        for (unsigned w = 0; w < 8; w++)
            wr32(ram + (SR_MEM - SR_BASE) + GS_SCRIPT_LOG_OFF + 32 * e + 4 * w,
                 0x50000 * (e + 1) + w);
}

START_TEST(reader_decodes_and_clamps)
{
    static uint8_t ram[0x4000];
    static struct gs_script_report r;

    memset(ram, 0, sizeof(ram));
    r.nresults = 999;
    ck_assert_int_eq(gs_script_read_ram(ram, SR_BASE, sizeof(ram), SR_MEM, &r), GS_E_STATE);
    ck_assert_uint_eq(r.nresults, 999); /* untouched on error */

    synth(ram, 3, 2, gs_script_prologue(3));
    ck_assert_int_eq(gs_script_read_ram(ram, SR_BASE, sizeof(ram), SR_MEM, &r), GS_OK);
    ck_assert_uint_eq(r.entry_r[0], 0x100);
    ck_assert_uint_eq(r.entry_r[3], 0x103);
    ck_assert_uint_eq(r.entry_sp, 0x104);
    ck_assert_uint_eq(r.entry_lr, 0x105);
    ck_assert_uint_eq(r.steps_done, 3);
    ck_assert_uint_eq(r.upcalls, 2);
    ck_assert(r.finished);
    ck_assert_uint_eq(r.prologue, gs_script_prologue(3));
    ck_assert_uint_eq(r.nresults, 3);
    ck_assert_uint_eq(r.results[2].r[0], 0x3000);
    ck_assert_uint_eq(r.results[2].r[3], 0x3003);
    ck_assert_uint_eq(r.results[2].seq, 0x3004);
    ck_assert_uint_eq(r.results[2].upcalls, 0x3005);
    ck_assert_uint_eq(r.results[2].sp, 0x3006);
    ck_assert_uint_eq(r.results[2].spare, 0x3007);
    ck_assert_uint_eq(r.nlog, 2);
    ck_assert_uint_eq(r.log[1].r[0], 0xA0000);
    ck_assert_uint_eq(r.log[1].handler, 0xA0004);
    ck_assert_uint_eq(r.log[1].step, 0xA0005);
    ck_assert_uint_eq(r.log[1].sp, 0xA0006);
    ck_assert_uint_eq(r.log[1].lr, 0xA0007);

    /* Only the slots that fit below P are results. */
    synth(ram, 3, 2, gs_script_prologue(2) + 31);
    ck_assert_int_eq(gs_script_read_ram(ram, SR_BASE, sizeof(ram), SR_MEM, &r), GS_OK);
    ck_assert_uint_eq(r.nresults, 2);

    /* Hostile counts are clamped. */
    synth(ram, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF);
    ck_assert_int_eq(gs_script_read_ram(ram, SR_BASE, sizeof(ram), SR_MEM, &r), GS_OK);
    ck_assert_uint_eq(r.nresults, GS_SCRIPT_MAX_STEPS);
    ck_assert_uint_eq(r.nlog, GS_SCRIPT_LOG_CAP);

    /* RAM that ends inside the area read is a bounds error, not a crash. */
    synth(ram, 3, 2, gs_script_prologue(3));
    ck_assert_int_eq(gs_script_read_ram(ram, SR_BASE,
                                        SR_MEM - SR_BASE + GS_SCRIPT_RESULTS_OFF + 2 * 32 + 16,
                                        SR_MEM, &r),
                     GS_E_BOUNDS);
    ck_assert_int_eq(gs_script_read_ram(ram, SR_BASE, sizeof(ram), SR_BASE - 0x1000, &r),
                     GS_E_BOUNDS);
    ck_assert_int_eq(gs_script_read_ram(NULL, SR_BASE, sizeof(ram), SR_MEM, &r), GS_E_ARG);
    ck_assert_int_eq(gs_script_read(NULL, NULL, SR_MEM, &r), GS_E_ARG);
}
END_TEST

/* ======================================================================
 * A minimal fake kernel under Unicorn.
 * ====================================================================== */

#define FLASH_BASE 0x00040000u
#define FLASH_SIZE 0x10000u
#define RAM_BASE   0x20000000u
#define RAM_SIZE   0x10000u
#define APP_OFF    0x40u /* room for a TBF header before the app */
#define APP        (FLASH_BASE + APP_OFF)
#define MEM        (RAM_BASE + 0x2000u)
#define MEM_LEN    0x4000u
#define KBRK_MAX   (MEM + MEM_LEN - 0x800u) /* brk may not pass the "grant region" */
#define BUDGET     200000u
#define TEST_DRV   0x90000u

enum fk_stop { FK_RUNNING, FK_EXIT, FK_BLOCKED, FK_BAD_CLASS, FK_OTHER_INTR };

struct fk_call {
    uint32_t num;    /* svc immediate */
    uint32_t r[4];   /* r0..r3 at the svc */
    uint32_t sp, pc; /* pc: address after the svc */
    uint32_t ret[4]; /* r0..r3 when the hook returned */
};

struct fk_upcall {
    uint32_t fn, r[4];
};

struct fk {
    uc_engine *uc;
    uint8_t *flash, *ram;
    uint32_t app, brk;
    struct fk_call calls[256];
    unsigned ncalls;
    struct {
        int set;
        uint32_t r[4];
    } canned[64]; /* by call index: just return these */
    struct fk_upcall q[32];
    unsigned qlen;
    uint32_t sub_fn[4], sub_appdata[4]; /* test driver subscriptions 0..3 */
    unsigned restarts_left;
    enum fk_stop stop;
    uint32_t intno;
};

static struct fk k;

static const int reg_r[4] = {UC_ARM_REG_R0, UC_ARM_REG_R1, UC_ARM_REG_R2, UC_ARM_REG_R3};

static uint32_t rreg(int id)
{
    uint32_t v = 0;
    ck_assert_int_eq(uc_reg_read(k.uc, id, &v), UC_ERR_OK);
    return v;
}

static void wreg(int id, uint32_t v)
{
    ck_assert_int_eq(uc_reg_write(k.uc, id, &v), UC_ERR_OK);
}

static void fk_queue(uint32_t fn, uint32_t a0, uint32_t a1, uint32_t a2, uint32_t appdata)
{
    ck_assert_uint_lt(k.qlen, 32);
    k.q[k.qlen++] = (struct fk_upcall){fn, {a0, a1, a2, appdata}};
}

/* Tock's set_process_function: the svc "becomes bl fn". */
static void fk_deliver(uint32_t pc_after_svc)
{
    struct fk_upcall u = k.q[0];

    memmove(k.q, k.q + 1, --k.qlen * sizeof(k.q[0]));
    for (unsigned i = 0; i < 4; i++)
        wreg(reg_r[i], u.r[i]);
    wreg(UC_ARM_REG_LR, pc_after_svc | 1);
    wreg(UC_ARM_REG_PC, u.fn | 1);
}

/* The initial frame of a (re)started process (TOCK-REFERENCE 11.1.1). */
static void fk_entry_regs(void)
{
    wreg(UC_ARM_REG_R0, k.app);
    wreg(UC_ARM_REG_R1, MEM);
    wreg(UC_ARM_REG_R2, MEM_LEN);
    wreg(UC_ARM_REG_R3, MEM + 32);
    wreg(UC_ARM_REG_SP, MEM + 32);
    wreg(UC_ARM_REG_LR, 1);
    k.brk = MEM + 32;
}

static void fk_svc(struct fk_call *c, unsigned idx)
{
    uint32_t *r = c->ret;

    memcpy(r, c->r, sizeof(c->r));
    if (idx < 64 && k.canned[idx].set) {
        memcpy(r, k.canned[idx].r, sizeof(c->r));
        goto write;
    }
    switch (c->num) {
    case 0: /* yield */
        if (c->r[0] == 0 && c->r[1] >= MEM && c->r[1] < k.brk)
            k.ram[c->r[1] - RAM_BASE] = k.qlen > 0;
        if ((c->r[0] == 0 || c->r[0] == 1) && k.qlen > 0) {
            fk_deliver(c->pc);
            return;
        }
        if (c->r[0] == 1) {
            k.stop = FK_BLOCKED;
            uc_emu_stop(k.uc);
        }
        return;
    case 1: /* subscribe to the test driver: SubscribeSuccess(old fn, old appdata) */
        if (c->r[0] == TEST_DRV && c->r[1] < 4) {
            r[0] = 130;
            r[1] = k.sub_fn[c->r[1]];
            r[2] = k.sub_appdata[c->r[1]];
            k.sub_fn[c->r[1]] = c->r[2];
            k.sub_appdata[c->r[1]] = c->r[3];
        } else {
            r[0] = 2;
            r[1] = GS_EC_NODEVICE;
        }
        break;
    case 2: /* command: test driver 1 (i, v) schedules upcall i with (v, i, 0) */
        if (c->r[0] == TEST_DRV && c->r[1] == 1 && c->r[2] < 4) {
            if (k.sub_fn[c->r[2]] != 0)
                fk_queue(k.sub_fn[c->r[2]], c->r[3], c->r[2], 0, k.sub_appdata[c->r[2]]);
            r[0] = 128;
        } else {
            r[0] = 0;
            r[1] = GS_EC_NODEVICE;
        }
        break;
    case 5: /* memop: 0 brk (zeroing what it exposes), 2 memory start */
        if (c->r[0] == 0 && c->r[1] >= MEM && c->r[1] <= KBRK_MAX) {
            if (c->r[1] > k.brk)
                memset(k.ram + (k.brk - RAM_BASE), 0, c->r[1] - k.brk);
            k.brk = c->r[1];
            r[0] = 128;
        } else if (c->r[0] == 2) {
            r[0] = 129;
            r[1] = MEM;
        } else {
            r[0] = 0;
            r[1] = GS_EC_NOMEM;
        }
        break;
    case 6: /* exit */
        if (c->r[0] == 1 && k.restarts_left > 0) {
            k.restarts_left--;
            fk_entry_regs();
            wreg(UC_ARM_REG_PC, k.app | 1);
            return;
        }
        k.stop = FK_EXIT;
        uc_emu_stop(k.uc);
        return;
    default:
        if (c->num >= 8) { /* Tock faults the process */
            k.stop = FK_BAD_CLASS;
            uc_emu_stop(k.uc);
            return;
        }
        r[0] = 2; /* allows: AllowFailure(NODEVICE, ptr, len) */
        r[1] = GS_EC_NODEVICE;
        break;
    }
write:
    for (unsigned i = 0; i < 4; i++)
        wreg(reg_r[i], r[i]);
}

static void hook_intr(uc_engine *uc, uint32_t intno, void *user)
{
    struct fk_call *c;
    uint32_t pc;

    (void)user;
    if (intno != 2) {
        k.stop = FK_OTHER_INTR;
        k.intno = intno;
        uc_emu_stop(uc);
        return;
    }
    ck_assert_uint_lt(k.ncalls, 256);
    c = &k.calls[k.ncalls];
    pc = rreg(UC_ARM_REG_PC);
    ck_assert(pc - 2 >= FLASH_BASE && pc - 2 < FLASH_BASE + FLASH_SIZE);
    ck_assert_uint_eq(k.flash[pc - 1 - FLASH_BASE], 0xDF); /* it is an svc */
    c->num = k.flash[pc - 2 - FLASH_BASE];                 /* its low byte */
    for (unsigned i = 0; i < 4; i++)
        c->r[i] = rreg(reg_r[i]);
    c->sp = rreg(UC_ARM_REG_SP);
    c->pc = pc;
    fk_svc(c, k.ncalls++);
}

static void fk_setup(void)
{
    uc_hook h;

    memset(&k, 0, sizeof(k));
    k.flash = aligned_alloc(4096, FLASH_SIZE);
    k.ram = aligned_alloc(4096, RAM_SIZE);
    ck_assert(k.flash != NULL && k.ram != NULL);
    memset(k.flash, 0xFF, FLASH_SIZE);
    memset(k.ram, 0, RAM_SIZE);
    k.app = APP;
    ck_assert_int_eq(uc_open(UC_ARCH_ARM, UC_MODE_THUMB, &k.uc), UC_ERR_OK);
    ck_assert_int_eq(uc_ctl_set_cpu_model(k.uc, UC_CPU_ARM_CORTEX_M4), UC_ERR_OK);
    ck_assert_int_eq(
        uc_mem_map_ptr(k.uc, FLASH_BASE, FLASH_SIZE, UC_PROT_READ | UC_PROT_EXEC, k.flash),
        UC_ERR_OK);
    /* RAM is not executable: the interpreter never runs code from it. */
    ck_assert_int_eq(uc_mem_map_ptr(k.uc, RAM_BASE, RAM_SIZE, UC_PROT_READ | UC_PROT_WRITE, k.ram),
                     UC_ERR_OK);
    ck_assert_int_eq(uc_hook_add(k.uc, &h, UC_HOOK_INTR, (void *)hook_intr, NULL, 1, 0), UC_ERR_OK);
}

static void fk_teardown(void)
{
    if (k.uc != NULL)
        uc_close(k.uc);
    free(k.flash);
    free(k.ram);
}

/* Writes the script's image at k.app. */
static void fk_load(const struct gs_script *s)
{
    size_t len = 0;

    ck_assert_int_eq(
        gs_script_image(s, k.flash + (k.app - FLASH_BASE), FLASH_SIZE - (k.app - FLASH_BASE), &len),
        GS_OK);
    ck_assert_uint_eq(len, gs_script_image_size(s->nsteps));
}

/* Starts the process at its entry point; returns Unicorn's verdict. */
static uc_err fk_start(void)
{
    k.stop = FK_RUNNING;
    fk_entry_regs();
    return uc_emu_start(k.uc, (k.app + GS_SCRIPT_ENTRY_OFF) | 1, 0, 0, BUDGET);
}

/* Resumes a blocked process (after FK_BLOCKED) by delivering the queue head. */
static uc_err fk_resume_with_upcall(void)
{
    const struct fk_call *last = &k.calls[k.ncalls - 1];

    ck_assert_int_eq(k.stop, FK_BLOCKED);
    k.stop = FK_RUNNING;
    fk_deliver(last->pc);
    return uc_emu_start(k.uc, rreg(UC_ARM_REG_PC) | 1, 0, 0, BUDGET);
}

static void fk_report(struct gs_script_report *r)
{
    ck_assert_int_eq(gs_script_read_ram(k.ram, RAM_BASE, RAM_SIZE, MEM, r), GS_OK);
}

static void expect_call(unsigned idx, uint32_t num, uint32_t r0, uint32_t r1, uint32_t r2,
                        uint32_t r3)
{
    const struct fk_call *c = &k.calls[idx];

    ck_assert_msg(idx < k.ncalls, "call %u not made (%u calls)", idx, k.ncalls);
    ck_assert_msg(c->num == num && c->r[0] == r0 && c->r[1] == r1 && c->r[2] == r2 && c->r[3] == r3,
                  "call %u: svc %u (%#x %#x %#x %#x), want svc %u (%#x %#x %#x %#x)", idx, c->num,
                  c->r[0], c->r[1], c->r[2], c->r[3], num, r0, r1, r2, r3);
}

/* The prologue's memop brk(memory_start + P). */
static void expect_prologue(unsigned idx, uint32_t p)
{
    ck_assert_uint_eq(k.calls[idx].num, 5);
    ck_assert_uint_eq(k.calls[idx].r[0], 0);
    ck_assert_uint_eq(k.calls[idx].r[1], MEM + p);
    ck_assert_uint_eq(k.calls[idx].sp, MEM + 32);
}

#define SLOT_SPARE(k_) (MEM + 0x2E0 + 32 * (k_) + 28)

/*
 * Every argument base, the exact (svc, r0..r3) sequence, an invalid class
 * (200) issued and answered, results recorded, exit-terminate.
 */
START_TEST(run_every_base_exact_trace)
{
    struct gs_script_step st[] = {
        step(GS_SCRIPT_OP_STORE32, gs_sarg_result(5), gs_sarg_abs(0xFFFFFFFF), A0, A0),
        step(2, gs_sarg_abs(TEST_DRV), gs_sarg_abs(0), gs_sarg_abs(0xDEADBEEF),
             gs_sarg_abs(0xFFFFFFFF)),
        step(3, gs_sarg_abs(TEST_DRV), gs_sarg_abs(0), gs_sarg_ram(0x400), gs_sarg_abs(16)),
        step(4, gs_sarg_abs(TEST_DRV), gs_sarg_abs(1), gs_sarg_flash(0x10), gs_sarg_abs(8)),
        step(1, gs_sarg_abs(TEST_DRV), gs_sarg_abs(0), gs_sarg_upcall(3), gs_sarg_abs(0xAD)),
        step(0, gs_sarg_abs(0), gs_sarg_result(5), A0, A0),
        step(200, gs_sarg_ram(4), gs_sarg_flash(0xFFFFFFF0), gs_sarg_upcall(7),
             gs_sarg_result(255)),
        step(5, gs_sarg_abs(2), A0, A0, A0),
    };
    const unsigned n = sizeof(st) / sizeof(st[0]);
    struct gs_script s = {
        gs_script_prologue(n) + 64, GS_SCRIPT_EXIT_TERMINATE, 42, n, st, NULL, 0, 0};
    static struct gs_script_report r;

    fk_load(&s);
    k.canned[6].set = 1; /* the invalid class: answer instead of faulting */
    k.canned[6].r[0] = 0x11;
    k.canned[6].r[1] = 0x22;
    k.canned[6].r[2] = 0x33;
    k.canned[6].r[3] = 0x44;
    ck_assert_int_eq(fk_start(), UC_ERR_OK);
    ck_assert_int_eq(k.stop, FK_EXIT);
    ck_assert_uint_eq(k.ncalls, 9);
    expect_prologue(0, gs_script_prologue(n) + 64);
    /* (the STORE32 pseudo step issues no svc) */
    expect_call(1, 2, 0x90000, 0, 0xDEADBEEF, 0xFFFFFFFF);
    expect_call(2, 3, 0x90000, 0, 0x20002400, 16);   /* memory_start + 0x400 */
    expect_call(3, 4, 0x90000, 1, 0x00040050, 8);    /* app start + 0x10 */
    expect_call(4, 1, 0x90000, 0, 0x00040259, 0xAD); /* handler 3: app + 0x200 + 24 + 1 */
    expect_call(5, 0, 0, 0x2000239C, 0, 0);          /* &slot[5].spare */
    expect_call(6, 200, 0x20002004, 0x00040030,      /* memory_start + 4; app - 0x10 */
                0x00040279,                          /* handler 7: app + 0x200 + 56 + 1 */
                0x200042DC);                         /* &slot[255].spare */
    expect_call(7, 5, 2, 0, 0, 0);
    expect_call(8, 6, 0, 42, k.calls[8].r[2], k.calls[8].r[3]);
    for (unsigned i = 1; i < 8; i++)
        ck_assert_uint_eq(k.calls[i].sp, MEM + GS_SCRIPT_STACK_TOP);
    /* The host mirror of the resolver agrees with what the guest computed. */
    ck_assert_uint_eq(gs_script_resolve(st[6].a[1], APP, MEM), 0x00040030);
    ck_assert_uint_eq(gs_script_resolve(st[6].a[2], APP, MEM), 0x00040279);
    ck_assert_uint_eq(gs_script_resolve(st[6].a[3], APP, MEM), 0x200042DC);

    fk_report(&r);
    ck_assert_uint_eq(r.entry_r[0], APP);
    ck_assert_uint_eq(r.entry_r[1], MEM);
    ck_assert_uint_eq(r.entry_r[2], MEM_LEN);
    ck_assert_uint_eq(r.entry_r[3], MEM + 32);
    ck_assert_uint_eq(r.entry_sp, MEM + 32);
    ck_assert_uint_eq(r.entry_lr, 1);
    ck_assert_uint_eq(r.prologue, s.prologue);
    ck_assert_uint_eq(r.steps_done, n);
    ck_assert(r.finished);
    ck_assert_uint_eq(r.nresults, n);
    ck_assert_uint_eq(r.upcalls, 0);
    for (unsigned i = 0; i < n; i++) {
        ck_assert_uint_eq(r.results[i].seq, i + 1);
        ck_assert_uint_eq(r.results[i].sp, MEM + GS_SCRIPT_STACK_TOP);
    }
    /* The pseudo step leaves its arguments. */
    ck_assert_uint_eq(r.results[0].r[0], SLOT_SPARE(5));
    ck_assert_uint_eq(r.results[0].r[1], 0xFFFFFFFF);
    /* Syscall steps record exactly what the kernel returned. */
    for (unsigned i = 1; i < n; i++)
        for (unsigned j = 0; j < 4; j++)
            ck_assert_uint_eq(r.results[i].r[j], k.calls[i].ret[j]);
    ck_assert_uint_eq(r.results[1].r[0], 0); /* command 0 of the fake: Failure(NODEVICE) */
    ck_assert_uint_eq(r.results[1].r[1], GS_EC_NODEVICE);
    ck_assert_uint_eq(r.results[4].r[0], 130);
    ck_assert_uint_eq(r.results[6].r[0], 0x11);
    ck_assert_uint_eq(r.results[6].r[3], 0x44);
    ck_assert_uint_eq(r.results[7].r[0], 129);
    ck_assert_uint_eq(r.results[7].r[1], MEM);
    /* Yield-no-wait wrote its byte (0: nothing queued) into the spare word
     * that step 0 had set to all ones; the interpreter left the rest alone. */
    ck_assert_uint_eq(r.results[5].spare, 0xFFFFFF00);
}
END_TEST

/* Upcalls: delivered on yield-wait and yield-no-wait, logged, final yield-wait. */
START_TEST(run_upcalls_logged)
{
    struct gs_script_step st[] = {
        step(1, gs_sarg_abs(TEST_DRV), gs_sarg_abs(1), gs_sarg_upcall(5), gs_sarg_abs(0x1234)),
        step(2, gs_sarg_abs(TEST_DRV), gs_sarg_abs(1), gs_sarg_abs(1), gs_sarg_abs(77)),
        step(0, gs_sarg_abs(1), A0, A0, A0),
        step(2, gs_sarg_abs(TEST_DRV), gs_sarg_abs(1), gs_sarg_abs(1), gs_sarg_abs(78)),
        step(2, gs_sarg_abs(TEST_DRV), gs_sarg_abs(1), gs_sarg_abs(1), gs_sarg_abs(79)),
        step(0, gs_sarg_abs(0), gs_sarg_result(5), A0, A0),
        step(0, gs_sarg_abs(1), A0, A0, A0),
    };
    const unsigned n = sizeof(st) / sizeof(st[0]);
    struct gs_script s = {gs_script_prologue(n), GS_SCRIPT_YIELD_WAIT, 0, n, st, NULL, 0, 0};
    static struct gs_script_report r;
    const uint32_t yield_stub_next = APP + GS_SCRIPT_SVC_STUBS_OFF + 2; /* after svc 0 */

    fk_load(&s);
    ck_assert_int_eq(fk_start(), UC_ERR_OK);
    ck_assert_int_eq(k.stop, FK_BLOCKED);
    /* brk, 7 steps, the final yield. */
    ck_assert_uint_eq(k.ncalls, 9);
    expect_call(1, 1, TEST_DRV, 1, APP + 0x200 + 40 + 1, 0x1234);
    /* The final yield-wait, in the main code: r1 = the final code (0) the
     * interpreter loaded, r2, r3 as the last upcall left them. */
    expect_call(8, 0, 1, 0, 0, 0x1234);
    ck_assert_uint_lt(k.calls[8].pc, APP + GS_SCRIPT_HANDLERS_OFF);
    fk_report(&r);
    ck_assert_uint_eq(r.upcalls, 3);
    ck_assert_uint_eq(r.nlog, 3);
    ck_assert(r.finished);
    for (unsigned i = 0; i < 3; i++) {
        ck_assert_uint_eq(r.log[i].r[0], 77 + i);
        ck_assert_uint_eq(r.log[i].r[1], 1);
        ck_assert_uint_eq(r.log[i].r[2], 0);
        ck_assert_uint_eq(r.log[i].r[3], 0x1234);
        ck_assert_uint_eq(r.log[i].handler, 5);
        ck_assert_uint_eq(r.log[i].sp, MEM + GS_SCRIPT_STACK_TOP);
        ck_assert_uint_eq(r.log[i].lr, yield_stub_next | 1);
    }
    ck_assert_uint_eq(r.log[0].step, 2);
    ck_assert_uint_eq(r.log[1].step, 5);
    ck_assert_uint_eq(r.log[2].step, 6);
    /* A yield that ran an upcall resumes after the svc with the upcall's registers. */
    ck_assert_uint_eq(r.results[2].r[0], 77);
    ck_assert_uint_eq(r.results[2].r[3], 0x1234);
    ck_assert_uint_eq(r.results[2].upcalls, 1);
    ck_assert_uint_eq(r.results[5].r[0], 78);
    ck_assert_uint_eq(r.results[5].spare, 1); /* the no-wait byte: a task was queued */
    ck_assert_uint_eq(r.results[6].r[0], 79);
    ck_assert_uint_eq(r.results[6].upcalls, 3);

    /* The final yield-wait loop takes more upcalls and yields again. */
    fk_queue(APP + 0x200 + 16 + 1, 5, 6, 7, 8); /* handler 2 */
    ck_assert_int_eq(fk_resume_with_upcall(), UC_ERR_OK);
    ck_assert_int_eq(k.stop, FK_BLOCKED);
    ck_assert_uint_eq(k.ncalls, 10);
    expect_call(9, 0, 1, 6, 7, 8); /* r0 = 1 again; r1..r3 as the handler left them */
    fk_report(&r);
    ck_assert_uint_eq(r.nlog, 4);
    ck_assert_uint_eq(r.log[3].handler, 2);
    ck_assert_uint_eq(r.log[3].step, n);
    ck_assert_uint_eq(r.log[3].r[0], 5);
    ck_assert_uint_eq(r.log[3].lr, k.calls[8].pc | 1);
}
END_TEST

/* P = 0: no brk, no RAM writes at all, sp stays at memory_start + 32. */
START_TEST(run_no_prologue_writes_nothing)
{
    struct gs_script_step st[] = {
        step(1, gs_sarg_abs(TEST_DRV), gs_sarg_abs(0), gs_sarg_upcall(1), gs_sarg_abs(9)),
        step(2, gs_sarg_abs(TEST_DRV), gs_sarg_abs(1), gs_sarg_abs(0), gs_sarg_abs(5)),
        step(0, gs_sarg_abs(1), A0, A0, A0),
        step(2, gs_sarg_abs(0x1), gs_sarg_result(0), gs_sarg_ram(0), A0),
    };
    const unsigned n = sizeof(st) / sizeof(st[0]);
    struct gs_script s = {0, GS_SCRIPT_EXIT_TERMINATE, 3, n, st, NULL, 0, 0};
    static uint8_t before[RAM_SIZE];
    static struct gs_script_report r;

    fk_load(&s);
    memset(k.ram, 0xA5, RAM_SIZE);
    memcpy(before, k.ram, RAM_SIZE);
    ck_assert_int_eq(fk_start(), UC_ERR_OK);
    ck_assert_int_eq(k.stop, FK_EXIT);
    ck_assert_uint_eq(k.ncalls, 5); /* 4 steps + exit, no memop */
    expect_call(0, 1, TEST_DRV, 0, APP + 0x209, 9);
    expect_call(2, 0, 1, 0, 0, 0);
    expect_call(3, 2, 1, MEM + 0x2E0 + 28, MEM, 0); /* bases still resolve */
    expect_call(4, 6, 0, 3, k.calls[4].r[2], k.calls[4].r[3]);
    for (unsigned i = 0; i < k.ncalls; i++)
        ck_assert_uint_eq(k.calls[i].sp, MEM + 32);
    ck_assert_mem_eq(k.ram, before, RAM_SIZE);
    ck_assert_int_eq(gs_script_read_ram(k.ram, RAM_BASE, RAM_SIZE, MEM, &r), GS_E_STATE);
}
END_TEST

/* A prologue brk the kernel refuses: no recording, the steps still run. */
START_TEST(run_brk_failure_runs_unrecorded)
{
    struct gs_script_step st[] = {
        step(5, gs_sarg_abs(2), A0, A0, A0),
        step(5, gs_sarg_abs(2), A0, A0, A0),
    };
    struct gs_script s = {MEM_LEN, GS_SCRIPT_EXIT_TERMINATE, 0, 2, st, NULL, 0, 0};
    static struct gs_script_report r;

    fk_load(&s);
    ck_assert_int_eq(fk_start(), UC_ERR_OK);
    ck_assert_int_eq(k.stop, FK_EXIT);
    ck_assert_uint_eq(k.ncalls, 4);
    expect_prologue(0, MEM_LEN);
    ck_assert_uint_eq(k.calls[0].ret[0], 0); /* Failure(NOMEM) */
    expect_call(1, 5, 2, 0, 0, 0);
    expect_call(2, 5, 2, 0, 0, 0);
    ck_assert_uint_eq(k.calls[2].sp, MEM + 32);
    ck_assert_int_eq(gs_script_read_ram(k.ram, RAM_BASE, RAM_SIZE, MEM, &r), GS_E_STATE);
}
END_TEST

/* P too small for every slot: later results are not written, steps still run. */
START_TEST(run_partial_recording)
{
    struct gs_script_step st[4];
    struct gs_script s = {
        gs_script_prologue(2) + 16, GS_SCRIPT_EXIT_TERMINATE, 0, 4, st, NULL, 0, 0};
    static struct gs_script_report r;
    const uint8_t *slot2 = k.ram + (MEM - RAM_BASE) + GS_SCRIPT_RESULTS_OFF + 64;

    for (unsigned i = 0; i < 4; i++)
        st[i] = step(5, gs_sarg_abs(2), gs_sarg_abs(i), A0, A0);
    fk_load(&s);
    memset(k.ram, 0xA5, RAM_SIZE); /* brk zeroes only up to memory_start + P */
    ck_assert_int_eq(fk_start(), UC_ERR_OK);
    ck_assert_uint_eq(k.ncalls, 6);
    for (unsigned i = 0; i < 4; i++)
        expect_call(1 + i, 5, 2, i, 0, 0);
    fk_report(&r);
    ck_assert_uint_eq(r.steps_done, 4);
    ck_assert_uint_eq(r.nresults, 2);
    ck_assert_uint_eq(r.results[1].seq, 2);
    /* Slot 2 straddles P: its bytes below P are as brk left them (zero), its
     * bytes at or above P untouched. */
    for (unsigned i = 0; i < 16; i++)
        ck_assert_uint_eq(slot2[i], 0);
    for (unsigned i = 16; i < 64; i++)
        ck_assert_uint_eq(slot2[i], 0xA5);
}
END_TEST

/* Exit-restart: the kernel restarts the process, which runs the script again. */
START_TEST(run_exit_restart)
{
    struct gs_script_step st[] = {
        step(2, gs_sarg_abs(TEST_DRV), gs_sarg_abs(7), A0, A0),
        step(2, gs_sarg_abs(TEST_DRV), gs_sarg_abs(8), A0, A0),
    };
    struct gs_script s = {gs_script_prologue(2), GS_SCRIPT_EXIT_RESTART, 7, 2, st, NULL, 0, 0};
    static struct gs_script_report r;

    fk_load(&s);
    k.restarts_left = 1;
    ck_assert_int_eq(fk_start(), UC_ERR_OK);
    ck_assert_int_eq(k.stop, FK_EXIT);
    ck_assert_uint_eq(k.ncalls, 8);
    for (unsigned run = 0; run < 2; run++) {
        expect_prologue(4 * run, gs_script_prologue(2));
        expect_call(4 * run + 1, 2, TEST_DRV, 7, 0, 0);
        expect_call(4 * run + 2, 2, TEST_DRV, 8, 0, 0);
        expect_call(4 * run + 3, 6, 1, 7, k.calls[4 * run + 3].r[2], k.calls[4 * run + 3].r[3]);
    }
    fk_report(&r);
    ck_assert_uint_eq(r.steps_done, 2);
    ck_assert(r.finished);
}
END_TEST

/* An exit the kernel returns from ends at udf #0xe1. */
START_TEST(run_exit_that_returns_hits_udf)
{
    struct gs_script s = {gs_script_prologue(0), GS_SCRIPT_EXIT_TERMINATE, 5, 0, NULL, NULL, 0, 0};
    uint32_t pc;

    fk_load(&s);
    k.canned[1].set = 1; /* answer the exit instead of ending the process */
    ck_assert_int_eq(fk_start(), UC_ERR_INSN_INVALID);
    ck_assert_uint_eq(k.ncalls, 2);
    expect_call(1, 6, 0, 5, k.calls[1].r[2], k.calls[1].r[3]);
    pc = rreg(UC_ARM_REG_PC);
    ck_assert_uint_eq(rd16(k.flash + (pc - FLASH_BASE)), 0xDE00 | GS_SCRIPT_EXIT_RETURNED_UDF);
}
END_TEST

/* Classes 8..255 are issued as is; the fake kernel faults the process like Tock. */
START_TEST(run_invalid_class_faults)
{
    struct gs_script_step st[] = {
        step(8, gs_sarg_abs(1), gs_sarg_abs(2), gs_sarg_abs(3), gs_sarg_abs(4)),
        step(255, gs_sarg_abs(5), A0, A0, A0),
    };
    struct gs_script s = {gs_script_prologue(2), GS_SCRIPT_EXIT_TERMINATE, 0, 2, st, NULL, 0, 0};
    static struct gs_script_report r;

    fk_load(&s);
    k.canned[1].set = 1;
    k.canned[1].r[0] = 0xBAD;
    ck_assert_int_eq(fk_start(), UC_ERR_OK);
    ck_assert_int_eq(k.stop, FK_BAD_CLASS);
    ck_assert_uint_eq(k.ncalls, 3);
    expect_call(1, 8, 1, 2, 3, 4);
    expect_call(2, 255, 5, 0, 0, 0);
    fk_report(&r);
    ck_assert_uint_eq(r.steps_done, 1);
    ck_assert(!r.finished);
    ck_assert_uint_eq(r.results[0].r[0], 0xBAD);
}
END_TEST

/*
 * Two different scripts have the same code bytes, and the second runs on the
 * same engine after only its table was written: no cache flush needed.
 */
START_TEST(run_two_scripts_same_code)
{
    struct gs_script_step a[] = {step(2, gs_sarg_abs(0x11), gs_sarg_abs(1), A0, A0)};
    struct gs_script_step b[] = {
        step(5, gs_sarg_abs(2), A0, A0, A0),
        step(2, gs_sarg_abs(0x22), gs_sarg_ram(0x40), A0, A0),
        step(9, A0, A0, A0, A0),
    };
    struct gs_script sa = {gs_script_prologue(1), GS_SCRIPT_EXIT_TERMINATE, 1, 1, a, NULL, 0, 0};
    struct gs_script sb = {0, GS_SCRIPT_EXIT_TERMINATE, 2, 3, b, NULL, 0, 0};
    static uint8_t ia[GS_SCRIPT_CODE_SIZE + 256], ib[GS_SCRIPT_CODE_SIZE + 256];
    uint8_t *flash_app = k.flash + (APP - FLASH_BASE);

    ck_assert_int_eq(gs_script_image(&sa, ia, sizeof(ia), NULL), GS_OK);
    ck_assert_int_eq(gs_script_image(&sb, ib, sizeof(ib), NULL), GS_OK);
    ck_assert_mem_eq(ia, ib, GS_SCRIPT_CODE_SIZE);
    ck_assert(memcmp(ia + GS_SCRIPT_TABLE_OFF, ib + GS_SCRIPT_TABLE_OFF, gs_script_table_size(1)) !=
              0);

    memcpy(flash_app, ia, gs_script_image_size(1));
    ck_assert_int_eq(fk_start(), UC_ERR_OK);
    ck_assert_uint_eq(k.ncalls, 3);
    expect_call(1, 2, 0x11, 1, 0, 0);
    expect_call(2, 6, 0, 1, k.calls[2].r[2], k.calls[2].r[3]);

    /* Only the table changes; code in flash is left as it was. */
    ck_assert_int_eq(gs_script_table(&sb, flash_app + GS_SCRIPT_TABLE_OFF, gs_script_table_size(3)),
                     GS_OK);
    ck_assert_mem_eq(flash_app, ib, gs_script_image_size(3));
    k.ncalls = 0;
    memset(k.ram, 0, RAM_SIZE);
    ck_assert_int_eq(fk_start(), UC_ERR_OK);
    ck_assert_int_eq(k.stop, FK_BAD_CLASS);
    ck_assert_uint_eq(k.ncalls, 3);
    expect_call(0, 5, 2, 0, 0, 0);
    expect_call(1, 2, 0x22, MEM + 0x40, 0, 0);
    expect_call(2, 9, 0, 0, 0, 0);
}
END_TEST

/* Pseudo steps: store, fill, load (and a load that faults), spin. */
START_TEST(run_pseudo_steps)
{
    struct gs_script_step st[] = {
        step(GS_SCRIPT_OP_STORE32, gs_sarg_ram(0x600), gs_sarg_abs(0xCAFEF00D), A0, A0),
        step(GS_SCRIPT_OP_FILL8, gs_sarg_ram(0x605), gs_sarg_abs(0x1A7), gs_sarg_abs(6), A0),
        step(GS_SCRIPT_OP_LOAD32, gs_sarg_ram(0x600), A0, A0, A0),
        step(GS_SCRIPT_OP_LOAD32, gs_sarg_flash(GS_SCRIPT_TABLE_OFF), A0, A0, A0),
        step(GS_SCRIPT_OP_SPIN, gs_sarg_abs(1000), A0, A0, A0),
        step(2, gs_sarg_abs(TEST_DRV), A0, A0, A0),
        step(GS_SCRIPT_OP_LOAD32, gs_sarg_abs(0x60000000), A0, A0, A0), /* unmapped */
        step(2, gs_sarg_abs(TEST_DRV), gs_sarg_abs(1), A0, A0),
    };
    const unsigned n = sizeof(st) / sizeof(st[0]);
    struct gs_script s = {
        gs_script_prologue(n) + 0x400, GS_SCRIPT_EXIT_TERMINATE, 0, n, st, NULL, 0, 0};
    static struct gs_script_report r;
    const uint8_t *buf = k.ram + (MEM - RAM_BASE) + 0x600;
    static const uint8_t want[12] = {0x0D, 0xF0, 0xFE, 0xCA, 0,    0xA7,
                                     0xA7, 0xA7, 0xA7, 0xA7, 0xA7, 0};

    fk_load(&s);
    ck_assert_int_eq(fk_start(), UC_ERR_READ_UNMAPPED);
    ck_assert_uint_eq(k.ncalls, 2); /* brk and the one command before the fault */
    expect_call(1, 2, TEST_DRV, 0, 0, 0);
    ck_assert_mem_eq(buf, want, sizeof(want));
    fk_report(&r);
    ck_assert_uint_eq(r.steps_done, 6);
    ck_assert_uint_eq(r.results[0].r[0], MEM + 0x600);
    ck_assert_uint_eq(r.results[0].r[1], 0xCAFEF00D);
    ck_assert_uint_eq(r.results[1].r[3], MEM + 0x605 + 6);
    ck_assert_uint_eq(r.results[2].r[0], 0xCAFEF00D);
    ck_assert_uint_eq(r.results[3].r[0], GS_SCRIPT_TABLE_MAGIC);
    ck_assert_uint_eq(r.results[4].r[0], 0);
}
END_TEST

/* SPIN really loops: with a long spin the budget runs out before the next svc. */
START_TEST(run_spin_consumes_instructions)
{
    struct gs_script_step st[] = {
        step(GS_SCRIPT_OP_SPIN, gs_sarg_abs(BUDGET), A0, A0, A0),
        step(2, gs_sarg_abs(TEST_DRV), A0, A0, A0),
    };
    struct gs_script s = {gs_script_prologue(2), GS_SCRIPT_EXIT_TERMINATE, 0, 2, st, NULL, 0, 0};
    static struct gs_script_report r;

    fk_load(&s);
    ck_assert_int_eq(fk_start(), UC_ERR_OK);
    ck_assert_int_eq(k.stop, FK_RUNNING); /* the instruction budget ended the run */
    ck_assert_uint_eq(k.ncalls, 1);
    fk_report(&r);
    ck_assert_uint_eq(r.steps_done, 0);
}
END_TEST

/* The same image runs from another (4-aligned) app start. */
START_TEST(run_position_independent)
{
    struct gs_script_step st[] = {
        step(1, gs_sarg_abs(TEST_DRV), A0, gs_sarg_upcall(0), A0),
        step(4, gs_sarg_abs(TEST_DRV), A0, gs_sarg_flash(0x20), gs_sarg_abs(4)),
    };
    struct gs_script s = {gs_script_prologue(2), GS_SCRIPT_EXIT_TERMINATE, 0, 2, st, NULL, 0, 0};
    const uint32_t app2 = FLASH_BASE + 0x3004;
    static struct gs_script_report r;

    k.app = app2;
    fk_load(&s);
    ck_assert_int_eq(fk_start(), UC_ERR_OK);
    ck_assert_int_eq(k.stop, FK_EXIT);
    expect_call(1, 1, TEST_DRV, 0, app2 + 0x201, 0);
    expect_call(2, 4, TEST_DRV, 0, app2 + 0x20, 4);
    fk_report(&r);
    ck_assert_uint_eq(r.entry_r[0], app2);
}
END_TEST

/*
 * A table not made by the builder: P below GS_SCRIPT_RESULTS_OFF means no
 * brk, a step count above GS_SCRIPT_MAX_STEPS is capped (the erased flash
 * after the real step reads as unknown pseudo steps, which do nothing), and
 * an unknown final action yields forever.
 */
START_TEST(run_defends_against_bad_header)
{
    struct gs_script_step st[] = {step(2, gs_sarg_abs(TEST_DRV), A0, A0, A0)};
    struct gs_script s = {0, GS_SCRIPT_EXIT_TERMINATE, 0, 1, st, NULL, 0, 0};
    uint8_t *t = k.flash + (APP - FLASH_BASE) + GS_SCRIPT_TABLE_OFF;

    fk_load(&s);
    ck_assert_uint_lt(APP - FLASH_BASE + gs_script_image_size(GS_SCRIPT_MAX_STEPS), FLASH_SIZE);
    wr32(t + GS_SCRIPT_T_PROLOGUE, GS_SCRIPT_RESULTS_OFF - 4);
    wr32(t + GS_SCRIPT_T_NSTEPS, 0xFFFFFFFF);
    wr32(t + GS_SCRIPT_T_FINAL, 7);
    /* Past the capped table: a real svc step the interpreter must not reach. */
    wr32(t + GS_SCRIPT_T_STEPS + GS_SCRIPT_MAX_STEPS * GS_SCRIPT_STEP_SIZE, 3);
    memset(t + GS_SCRIPT_T_STEPS + GS_SCRIPT_MAX_STEPS * GS_SCRIPT_STEP_SIZE + 4, 0, 20);
    ck_assert_int_eq(fk_start(), UC_ERR_OK);
    ck_assert_int_eq(k.stop, FK_BLOCKED);
    ck_assert_uint_eq(k.ncalls, 2);
    expect_call(0, 2, TEST_DRV, 0, 0, 0);
    ck_assert_uint_eq(k.calls[1].num, 0); /* yield-wait, not exit */
    ck_assert_uint_eq(k.calls[1].r[0], 1);
    ck_assert_uint_eq(k.calls[1].sp, MEM + 32);
}
END_TEST

/* The log keeps GS_SCRIPT_LOG_CAP entries and counts the rest. */
START_TEST(run_log_overflow_counts)
{
    struct gs_script s = {gs_script_prologue(0), GS_SCRIPT_YIELD_WAIT, 0, 0, NULL, NULL, 0, 0};
    static struct gs_script_report r;
    const uint8_t *past = k.ram + (MEM - RAM_BASE) + GS_SCRIPT_LOG_OFF + 32 * GS_SCRIPT_LOG_CAP;

    fk_load(&s);
    ck_assert_int_eq(fk_start(), UC_ERR_OK);
    ck_assert_int_eq(k.stop, FK_BLOCKED);
    for (uint32_t i = 0; i < GS_SCRIPT_LOG_CAP + 2; i++) {
        fk_queue(APP + 0x200 + 8 * (i % 8) + 1, i, 0, 0, 0);
        ck_assert_int_eq(fk_resume_with_upcall(), UC_ERR_OK);
    }
    fk_report(&r);
    ck_assert_uint_eq(r.upcalls, GS_SCRIPT_LOG_CAP + 2);
    ck_assert_uint_eq(r.nlog, GS_SCRIPT_LOG_CAP);
    for (uint32_t i = 0; i < GS_SCRIPT_LOG_CAP; i++) {
        ck_assert_uint_eq(r.log[i].r[0], i);
        ck_assert_uint_eq(r.log[i].handler, i % 8);
    }
    /* Nothing written past the log: that is where results start. */
    for (unsigned i = 0; i < 32; i++)
        ck_assert_uint_eq(past[i], 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("script");
    TCase *enc = tb_tcase("thumb");
    TCase *img = tb_tcase("image");
    TCase *run = tb_tcase("run");

    tcase_add_test(enc, thumb_moves_and_arithmetic);
    tcase_add_test(enc, thumb_memory_and_control);
    tcase_add_test(enc, thumb_rejects_what_does_not_fit);
    tcase_add_test(enc, thumb_put_is_little_endian_halfwords);
    suite_add_tcase(s, enc);

    tcase_add_test(img, code_is_fixed_and_laid_out_as_documented);
    tcase_add_test(img, table_encoding);
    tcase_add_test(img, validation);
    tcase_add_test(img, resolve_mirror);
    tcase_add_test(img, reader_decodes_and_clamps);
    suite_add_tcase(s, img);

    tcase_add_checked_fixture(run, fk_setup, fk_teardown);
    tcase_add_test(run, run_every_base_exact_trace);
    tcase_add_test(run, run_upcalls_logged);
    tcase_add_test(run, run_no_prologue_writes_nothing);
    tcase_add_test(run, run_brk_failure_runs_unrecorded);
    tcase_add_test(run, run_partial_recording);
    tcase_add_test(run, run_exit_restart);
    tcase_add_test(run, run_exit_that_returns_hits_udf);
    tcase_add_test(run, run_invalid_class_faults);
    tcase_add_test(run, run_two_scripts_same_code);
    tcase_add_test(run, run_pseudo_steps);
    tcase_add_test(run, run_spin_consumes_instructions);
    tcase_add_test(run, run_position_independent);
    tcase_add_test(run, run_defends_against_bad_header);
    tcase_add_test(run, run_log_overflow_counts);
    suite_add_tcase(s, run);

    return tb_run(s);
}
