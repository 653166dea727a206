/* SPDX-License-Identifier: MIT */
/*
 * thumb.c - encoders for the Thumb / Thumb-2 instructions listed in thumb.h.
 *
 * Every function checks its operands against the encoding's field widths and
 * the register restrictions the ARMv7-M ARM marks UNPREDICTABLE, so a caller
 * cannot silently produce an instruction that means something else.
 */
#include "thumb.h"

#include "errors.h"

static int is_low(unsigned r)
{
    return r < 8;
}

static int set16(struct gs_thumb_insn *out, uint32_t hw)
{
    out->hw[0] = (uint16_t)hw;
    out->hw[1] = 0;
    out->n = 1;
    return GS_OK;
}

static int set32(struct gs_thumb_insn *out, uint32_t hw1, uint32_t hw2)
{
    out->hw[0] = (uint16_t)hw1;
    out->hw[1] = (uint16_t)hw2;
    out->n = 2;
    return GS_OK;
}

size_t gs_thumb_put(uint8_t *buf, const struct gs_thumb_insn *insn)
{
    for (unsigned i = 0; i < insn->n; i++) {
        buf[2 * i] = (uint8_t)(insn->hw[i] & 0xFF);
        buf[2 * i + 1] = (uint8_t)(insn->hw[i] >> 8);
    }
    return 2u * insn->n;
}

int gs_thumb_modimm(uint32_t value, uint32_t *imm12)
{
    uint32_t b = value & 0xFF;

    if (value <= 0xFF) {
        *imm12 = value;
        return GS_OK;
    }
    if (b != 0 && value == (b | b << 16)) {
        *imm12 = 0x100 | b;
        return GS_OK;
    }
    b = (value >> 8) & 0xFF;
    if (b != 0 && value == (b << 8 | b << 24)) {
        *imm12 = 0x200 | b;
        return GS_OK;
    }
    b = value & 0xFF;
    if (value == b * 0x01010101u) {
        *imm12 = 0x300 | b;
        return GS_OK;
    }
    /* value = ROR(0b1bcdefgh, rot), rot in 8..31: undo the rotation. */
    for (uint32_t rot = 8; rot < 32; rot++) {
        uint32_t unrot = (value << rot) | (value >> (32 - rot));
        if (unrot >= 0x80 && unrot <= 0xFF) {
            *imm12 = rot << 7 | (unrot & 0x7F);
            return GS_OK;
        }
    }
    return GS_E_ARG;
}

/* Places a 12-bit i:imm3:imm8 field into the two halfwords of a T2/T3/T4 form. */
static int set32_imm12(struct gs_thumb_insn *out, uint32_t hw1, uint32_t hw2, uint32_t imm12)
{
    hw1 |= ((imm12 >> 11) & 1) << 10;
    hw2 |= ((imm12 >> 8) & 7) << 12 | (imm12 & 0xFF);
    return set32(out, hw1, hw2);
}

/* Places a 16-bit imm4:i:imm3:imm8 field (MOVW/MOVT). */
static int set32_imm16(struct gs_thumb_insn *out, uint32_t hw1, uint32_t hw2, uint32_t imm16)
{
    hw1 |= (imm16 >> 12) & 0xF;
    return set32_imm12(out, hw1, hw2, imm16 & 0xFFF);
}

/* A general-purpose register a 32-bit data-processing form accepts (not SP, not PC). */
static int is_gp(unsigned r)
{
    return r < 13 || r == GS_THUMB_LR;
}

int gs_thumb_movs_imm(struct gs_thumb_insn *out, unsigned rd, uint32_t imm)
{
    if (!is_low(rd) || imm > 0xFF)
        return GS_E_ARG;
    return set16(out, 0x2000 | rd << 8 | imm);
}

int gs_thumb_mov_reg(struct gs_thumb_insn *out, unsigned rd, unsigned rm)
{
    if (rd > 15 || rm > 15)
        return GS_E_ARG;
    return set16(out, 0x4600 | (rd & 8) << 4 | rm << 3 | (rd & 7));
}

int gs_thumb_mov_w_imm(struct gs_thumb_insn *out, unsigned rd, uint32_t value)
{
    uint32_t imm12;

    if (!is_gp(rd) || gs_thumb_modimm(value, &imm12) != GS_OK)
        return GS_E_ARG;
    return set32_imm12(out, 0xF04F, (uint32_t)rd << 8, imm12);
}

int gs_thumb_movw(struct gs_thumb_insn *out, unsigned rd, uint32_t imm16)
{
    if (!is_gp(rd) || imm16 > 0xFFFF)
        return GS_E_ARG;
    return set32_imm16(out, 0xF240, (uint32_t)rd << 8, imm16);
}

int gs_thumb_movt(struct gs_thumb_insn *out, unsigned rd, uint32_t imm16)
{
    if (!is_gp(rd) || imm16 > 0xFFFF)
        return GS_E_ARG;
    return set32_imm16(out, 0xF2C0, (uint32_t)rd << 8, imm16);
}

int gs_thumb_adds_imm(struct gs_thumb_insn *out, unsigned rd, unsigned rn, uint32_t imm)
{
    if (!is_low(rd) || !is_low(rn))
        return GS_E_ARG;
    if (rd == rn)
        return imm <= 0xFF ? set16(out, 0x3000 | rd << 8 | imm) : GS_E_ARG;
    if (imm > 7)
        return GS_E_ARG;
    return set16(out, 0x1C00 | imm << 6 | rn << 3 | rd);
}

int gs_thumb_subs_imm(struct gs_thumb_insn *out, unsigned rd, unsigned rn, uint32_t imm)
{
    if (!is_low(rd) || !is_low(rn))
        return GS_E_ARG;
    if (rd == rn)
        return imm <= 0xFF ? set16(out, 0x3800 | rd << 8 | imm) : GS_E_ARG;
    if (imm > 7)
        return GS_E_ARG;
    return set16(out, 0x1E00 | imm << 6 | rn << 3 | rd);
}

int gs_thumb_adds_reg(struct gs_thumb_insn *out, unsigned rd, unsigned rn, unsigned rm)
{
    if (!is_low(rd) || !is_low(rn) || !is_low(rm))
        return GS_E_ARG;
    return set16(out, 0x1800 | rm << 6 | rn << 3 | rd);
}

int gs_thumb_add_reg(struct gs_thumb_insn *out, unsigned rdn, unsigned rm)
{
    if (rdn > 15 || rm > 15 || rdn == GS_THUMB_SP || rdn == GS_THUMB_PC)
        return GS_E_ARG;
    return set16(out, 0x4400 | (rdn & 8) << 4 | rm << 3 | (rdn & 7));
}

int gs_thumb_add_w_lsl(struct gs_thumb_insn *out, unsigned rd, unsigned rn, unsigned rm,
                       unsigned shift)
{
    if (!is_gp(rd) || !is_gp(rn) || !is_gp(rm) || shift > 31)
        return GS_E_ARG;
    return set32(out, 0xEB00 | rn, (shift >> 2) << 12 | (uint32_t)rd << 8 | (shift & 3) << 6 | rm);
}

int gs_thumb_addw(struct gs_thumb_insn *out, unsigned rd, unsigned rn, uint32_t imm12)
{
    if (!is_gp(rd) || !is_gp(rn) || imm12 > 0xFFF)
        return GS_E_ARG;
    return set32_imm12(out, 0xF200 | rn, (uint32_t)rd << 8, imm12);
}

int gs_thumb_subw(struct gs_thumb_insn *out, unsigned rd, unsigned rn, uint32_t imm12)
{
    if (!is_gp(rd) || !is_gp(rn) || imm12 > 0xFFF)
        return GS_E_ARG;
    return set32_imm12(out, 0xF2A0 | rn, (uint32_t)rd << 8, imm12);
}

int gs_thumb_add_sp_imm(struct gs_thumb_insn *out, unsigned rd, uint32_t imm)
{
    if (!is_low(rd) || imm > 1020 || imm % 4 != 0)
        return GS_E_ARG;
    return set16(out, 0xA800 | rd << 8 | imm / 4);
}

int gs_thumb_lsls_imm(struct gs_thumb_insn *out, unsigned rd, unsigned rm, unsigned imm)
{
    /* imm5 = 0 would be MOVS Rd, Rm. */
    if (!is_low(rd) || !is_low(rm) || imm < 1 || imm > 31)
        return GS_E_ARG;
    return set16(out, imm << 6 | rm << 3 | rd);
}

int gs_thumb_cmp_imm(struct gs_thumb_insn *out, unsigned rn, uint32_t imm)
{
    if (!is_low(rn) || imm > 0xFF)
        return GS_E_ARG;
    return set16(out, 0x2800 | rn << 8 | imm);
}

int gs_thumb_cmp_reg(struct gs_thumb_insn *out, unsigned rn, unsigned rm)
{
    if (rn > 14 || rm > 14)
        return GS_E_ARG;
    if (is_low(rn) && is_low(rm))
        return set16(out, 0x4280 | rm << 3 | rn);
    return set16(out, 0x4500 | (rn & 8) << 4 | rm << 3 | (rn & 7));
}

int gs_thumb_cmp_w_imm(struct gs_thumb_insn *out, unsigned rn, uint32_t value)
{
    uint32_t imm12;

    if (rn > 14 || gs_thumb_modimm(value, &imm12) != GS_OK)
        return GS_E_ARG;
    return set32_imm12(out, 0xF1B0 | rn, 0x0F00, imm12);
}

/* The four T1 immediate-offset load/store forms: 011 B L imm5 Rn Rt. */
static int ldst16(struct gs_thumb_insn *out, uint32_t op, unsigned rt, unsigned rn, uint32_t off,
                  uint32_t scale)
{
    if (!is_low(rt) || !is_low(rn) || off % scale != 0 || off / scale > 31)
        return GS_E_ARG;
    return set16(out, op | (off / scale) << 6 | rn << 3 | rt);
}

int gs_thumb_ldr_imm(struct gs_thumb_insn *out, unsigned rt, unsigned rn, uint32_t off)
{
    return ldst16(out, 0x6800, rt, rn, off, 4);
}

int gs_thumb_str_imm(struct gs_thumb_insn *out, unsigned rt, unsigned rn, uint32_t off)
{
    return ldst16(out, 0x6000, rt, rn, off, 4);
}

int gs_thumb_ldrb_imm(struct gs_thumb_insn *out, unsigned rt, unsigned rn, uint32_t off)
{
    return ldst16(out, 0x7800, rt, rn, off, 1);
}

int gs_thumb_strb_imm(struct gs_thumb_insn *out, unsigned rt, unsigned rn, uint32_t off)
{
    return ldst16(out, 0x7000, rt, rn, off, 1);
}

int gs_thumb_ldr_w(struct gs_thumb_insn *out, unsigned rt, unsigned rn, uint32_t off)
{
    if (rn > 14 || !is_gp(rt) || off > 0xFFF)
        return GS_E_ARG;
    return set32(out, 0xF8D0 | rn, (uint32_t)rt << 12 | off);
}

int gs_thumb_str_w(struct gs_thumb_insn *out, unsigned rt, unsigned rn, uint32_t off)
{
    if (rn > 14 || rt > 14 || off > 0xFFF)
        return GS_E_ARG;
    return set32(out, 0xF8C0 | rn, (uint32_t)rt << 12 | off);
}

int gs_thumb_ldr_lit(struct gs_thumb_insn *out, unsigned rt, uint32_t off)
{
    if (!is_low(rt) || off % 4 != 0 || off > 1020)
        return GS_E_ARG;
    return set16(out, 0x4800 | rt << 8 | off / 4);
}

int gs_thumb_push(struct gs_thumb_insn *out, uint32_t regs)
{
    if (regs == 0 || (regs & ~(0xFFu | 1u << GS_THUMB_LR)) != 0)
        return GS_E_ARG;
    return set16(out, 0xB400 | ((regs >> GS_THUMB_LR) & 1) << 8 | (regs & 0xFF));
}

int gs_thumb_pop(struct gs_thumb_insn *out, uint32_t regs)
{
    if (regs == 0 || (regs & ~(0xFFu | 1u << GS_THUMB_PC)) != 0)
        return GS_E_ARG;
    return set16(out, 0xBC00 | ((regs >> GS_THUMB_PC) & 1) << 8 | (regs & 0xFF));
}

int gs_thumb_b_cond(struct gs_thumb_insn *out, enum gs_thumb_cond cond, int32_t off)
{
    if ((unsigned)cond > GS_CC_LE || off % 2 != 0 || off < -256 || off > 254)
        return GS_E_ARG;
    return set16(out, 0xD000 | (uint32_t)cond << 8 | ((uint32_t)off >> 1 & 0xFF));
}

int gs_thumb_b_cond_w(struct gs_thumb_insn *out, enum gs_thumb_cond cond, int32_t off)
{
    uint32_t u = (uint32_t)off;

    if ((unsigned)cond > GS_CC_LE || off % 2 != 0 || off < -(1 << 20) || off > (1 << 20) - 2)
        return GS_E_ARG;
    /* off = S:J2:J1:imm6:imm11:'0' */
    return set32(out, 0xF000 | (u >> 20 & 1) << 10 | (uint32_t)cond << 6 | (u >> 12 & 0x3F),
                 0x8000 | (u >> 18 & 1) << 13 | (u >> 19 & 1) << 11 | (u >> 1 & 0x7FF));
}

int gs_thumb_b(struct gs_thumb_insn *out, int32_t off)
{
    if (off % 2 != 0 || off < -2048 || off > 2046)
        return GS_E_ARG;
    return set16(out, 0xE000 | ((uint32_t)off >> 1 & 0x7FF));
}

/* B.W (T4) and BL (T1) share the offset layout; hw2_op is 0x9000 or 0xD000. */
static int branch24(struct gs_thumb_insn *out, uint32_t hw2_op, int32_t off)
{
    uint32_t u = (uint32_t)off, s, j1, j2;

    if (off % 2 != 0 || off < -(1 << 24) || off > (1 << 24) - 2)
        return GS_E_ARG;
    /* off = S:I1:I2:imm10:imm11:'0', I1 = NOT(J1 XOR S), I2 = NOT(J2 XOR S). */
    s = u >> 24 & 1;
    j1 = (~(u >> 23) ^ s) & 1;
    j2 = (~(u >> 22) ^ s) & 1;
    return set32(out, 0xF000 | s << 10 | (u >> 12 & 0x3FF),
                 hw2_op | j1 << 13 | j2 << 11 | (u >> 1 & 0x7FF));
}

int gs_thumb_b_w(struct gs_thumb_insn *out, int32_t off)
{
    return branch24(out, 0x9000, off);
}

int gs_thumb_bl(struct gs_thumb_insn *out, int32_t off)
{
    return branch24(out, 0xD000, off);
}

int gs_thumb_bx(struct gs_thumb_insn *out, unsigned rm)
{
    if (rm > 15)
        return GS_E_ARG;
    return set16(out, 0x4700 | rm << 3);
}

int gs_thumb_blx(struct gs_thumb_insn *out, unsigned rm)
{
    if (rm > 14)
        return GS_E_ARG;
    return set16(out, 0x4780 | rm << 3);
}

int gs_thumb_svc(struct gs_thumb_insn *out, uint32_t imm)
{
    if (imm > 0xFF)
        return GS_E_ARG;
    return set16(out, 0xDF00 | imm);
}

int gs_thumb_udf(struct gs_thumb_insn *out, uint32_t imm)
{
    if (imm > 0xFF)
        return GS_E_ARG;
    return set16(out, 0xDE00 | imm);
}

int gs_thumb_nop(struct gs_thumb_insn *out)
{
    return set16(out, 0xBF00);
}
