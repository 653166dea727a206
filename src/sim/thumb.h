/* SPDX-License-Identifier: MIT */
/*
 * thumb.h - a tiny Thumb / Thumb-2 (ARMv7-M) instruction encoder.
 *
 * Just the instructions grantsim's generated guest code needs (the scripted
 * process interpreter in script.c) plus a few obvious neighbours. Every
 * encoder fills a struct gs_thumb_insn and returns 0, or returns GS_E_ARG
 * (and leaves *out untouched) when an operand does not fit the encoding.
 * Encodings and their names (T1, T2, ...) are those of the ARMv7-M
 * Architecture Reference Manual (DDI 0403), section A7.7.
 *
 * Conventions:
 *  - Registers are numbers 0..15 (13 = SP, 14 = LR, 15 = PC). "Low" means
 *    r0..r7, which is all most 16-bit encodings can name.
 *  - A 32-bit instruction is two halfwords, hw[0] first in memory. Each
 *    halfword is stored little-endian (gs_thumb_put).
 *  - Branch and literal offsets are relative to the architectural PC of the
 *    instruction, i.e. its address + 4: off = target - (insn_addr + 4).
 *    Literal loads use Align(PC, 4) instead, as the architecture does.
 *  - Flag-setting is explicit in the name: `movs`, `adds`, `lsls` set flags
 *    (as all 16-bit data-processing forms do outside an IT block); the `_w`
 *    forms do not, except cmp which always does.
 */
#ifndef GS_THUMB_H
#define GS_THUMB_H

#include <stddef.h>
#include <stdint.h>

#define GS_THUMB_SP 13u
#define GS_THUMB_LR 14u
#define GS_THUMB_PC 15u

/* One encoded instruction: n = 1 (16-bit) or 2 (32-bit) halfwords. */
struct gs_thumb_insn {
    uint16_t hw[2];
    unsigned n;
};

/* Condition codes (ARMv7-M ARM A7.3). */
enum gs_thumb_cond {
    GS_CC_EQ = 0,
    GS_CC_NE = 1,
    GS_CC_HS = 2, /* CS: unsigned >= */
    GS_CC_LO = 3, /* CC: unsigned < */
    GS_CC_MI = 4,
    GS_CC_PL = 5,
    GS_CC_VS = 6,
    GS_CC_VC = 7,
    GS_CC_HI = 8, /* unsigned > */
    GS_CC_LS = 9, /* unsigned <= */
    GS_CC_GE = 10,
    GS_CC_LT = 11,
    GS_CC_GT = 12,
    GS_CC_LE = 13,
};

/*
 * Writes the instruction at buf in target byte order (little-endian
 * halfwords, hw[0] first) and returns its size in bytes (2 or 4).
 */
size_t gs_thumb_put(uint8_t *buf, const struct gs_thumb_insn *insn);

/*
 * Encodes `value` as a Thumb-2 modified immediate (A5.3.2, ThumbExpandImm
 * inverse): 0x000000XY, 0x00XY00XY, 0xXY00XY00, 0xXYXYXYXY, or an 8-bit
 * value with its top bit set rotated right by 8..31. On success writes the
 * 12-bit i:imm3:imm8 field to *imm12. Errors: GS_E_ARG if not encodable.
 */
int gs_thumb_modimm(uint32_t value, uint32_t *imm12);

/* ---- moves ---- */

/* MOVS Rd, #imm8 (T1, 16-bit): 00100 Rd imm8. Rd low, imm <= 255. */
int gs_thumb_movs_imm(struct gs_thumb_insn *out, unsigned rd, uint32_t imm);

/* MOV Rd, Rm (T1, 16-bit): 01000110 D Rm Rd[2:0]. Any registers; no flags. */
int gs_thumb_mov_reg(struct gs_thumb_insn *out, unsigned rd, unsigned rm);

/*
 * MOV.W Rd, #const (T2, 32-bit): 11110 i 0 0010 0 1111 | 0 imm3 Rd imm8,
 * const a modified immediate. Rd not SP/PC.
 */
int gs_thumb_mov_w_imm(struct gs_thumb_insn *out, unsigned rd, uint32_t value);

/* MOVW Rd, #imm16 (T3, 32-bit): 11110 i 100100 imm4 | 0 imm3 Rd imm8. Rd not SP/PC. */
int gs_thumb_movw(struct gs_thumb_insn *out, unsigned rd, uint32_t imm16);

/* MOVT Rd, #imm16 (T1, 32-bit): 11110 i 101100 imm4 | 0 imm3 Rd imm8. Rd not SP/PC. */
int gs_thumb_movt(struct gs_thumb_insn *out, unsigned rd, uint32_t imm16);

/* ---- arithmetic ---- */

/*
 * ADDS Rd, Rn, #imm (16-bit). Rd == Rn: T2 00110 Rdn imm8 (imm <= 255);
 * otherwise T1 0001110 imm3 Rn Rd (imm <= 7). Low registers.
 */
int gs_thumb_adds_imm(struct gs_thumb_insn *out, unsigned rd, unsigned rn, uint32_t imm);

/*
 * SUBS Rd, Rn, #imm (16-bit). Rd == Rn: T2 00111 Rdn imm8 (imm <= 255);
 * otherwise T1 0001111 imm3 Rn Rd (imm <= 7). Low registers.
 */
int gs_thumb_subs_imm(struct gs_thumb_insn *out, unsigned rd, unsigned rn, uint32_t imm);

/* ADDS Rd, Rn, Rm (T1, 16-bit): 0001100 Rm Rn Rd. Low registers. */
int gs_thumb_adds_reg(struct gs_thumb_insn *out, unsigned rd, unsigned rn, unsigned rm);

/*
 * ADD Rdn, Rm (T2, 16-bit): 01000100 DN Rm Rdn[2:0]. Any registers except
 * both PC, and Rdn = SP/PC; no flags.
 */
int gs_thumb_add_reg(struct gs_thumb_insn *out, unsigned rdn, unsigned rm);

/*
 * ADD.W Rd, Rn, Rm, LSL #shift (T3, 32-bit):
 * 11101011000 0 Rn | 0 imm3 Rd imm2 00 Rm, shift = imm3:imm2 (0..31).
 * No register may be SP or PC.
 */
int gs_thumb_add_w_lsl(struct gs_thumb_insn *out, unsigned rd, unsigned rn, unsigned rm,
                       unsigned shift);

/* ADDW Rd, Rn, #imm12 (T4, 32-bit): 11110 i 100000 Rn | 0 imm3 Rd imm8. Rd, Rn not SP/PC. */
int gs_thumb_addw(struct gs_thumb_insn *out, unsigned rd, unsigned rn, uint32_t imm12);

/* SUBW Rd, Rn, #imm12 (T4, 32-bit): 11110 i 101010 Rn | 0 imm3 Rd imm8. Rd, Rn not SP/PC. */
int gs_thumb_subw(struct gs_thumb_insn *out, unsigned rd, unsigned rn, uint32_t imm12);

/* ADD Rd, SP, #imm (T1, 16-bit): 10101 Rd imm8, imm = imm8 * 4 (0..1020). Rd low. */
int gs_thumb_add_sp_imm(struct gs_thumb_insn *out, unsigned rd, uint32_t imm);

/* LSLS Rd, Rm, #imm5 (T1, 16-bit): 00000 imm5 Rm Rd, imm 1..31. Low registers. */
int gs_thumb_lsls_imm(struct gs_thumb_insn *out, unsigned rd, unsigned rm, unsigned imm);

/* ---- compare ---- */

/* CMP Rn, #imm8 (T1, 16-bit): 00101 Rn imm8. Rn low. */
int gs_thumb_cmp_imm(struct gs_thumb_insn *out, unsigned rn, uint32_t imm);

/*
 * CMP Rn, Rm (16-bit). Both low: T1 0100001010 Rm Rn; otherwise
 * T2 01000101 N Rm Rn[2:0]. Neither may be PC.
 */
int gs_thumb_cmp_reg(struct gs_thumb_insn *out, unsigned rn, unsigned rm);

/*
 * CMP.W Rn, #const (T2, 32-bit): 11110 i 011011 Rn | 0 imm3 1111 imm8,
 * const a modified immediate. Rn not PC.
 */
int gs_thumb_cmp_w_imm(struct gs_thumb_insn *out, unsigned rn, uint32_t value);

/* ---- loads and stores, immediate offset ---- */

/* LDR Rt, [Rn, #off] (T1, 16-bit): 01101 imm5 Rn Rt, off = imm5 * 4 (0..124). Low regs. */
int gs_thumb_ldr_imm(struct gs_thumb_insn *out, unsigned rt, unsigned rn, uint32_t off);

/* STR Rt, [Rn, #off] (T1, 16-bit): 01100 imm5 Rn Rt, off = imm5 * 4 (0..124). Low regs. */
int gs_thumb_str_imm(struct gs_thumb_insn *out, unsigned rt, unsigned rn, uint32_t off);

/* LDRB Rt, [Rn, #off] (T1, 16-bit): 01111 imm5 Rn Rt, off 0..31. Low regs. */
int gs_thumb_ldrb_imm(struct gs_thumb_insn *out, unsigned rt, unsigned rn, uint32_t off);

/* STRB Rt, [Rn, #off] (T1, 16-bit): 01110 imm5 Rn Rt, off 0..31. Low regs. */
int gs_thumb_strb_imm(struct gs_thumb_insn *out, unsigned rt, unsigned rn, uint32_t off);

/*
 * LDR.W Rt, [Rn, #off] (T3, 32-bit): 111110001101 Rn | Rt imm12, off 0..4095.
 * Rn not PC (that is the literal form), Rt not SP/PC.
 */
int gs_thumb_ldr_w(struct gs_thumb_insn *out, unsigned rt, unsigned rn, uint32_t off);

/*
 * STR.W Rt, [Rn, #off] (T3, 32-bit): 111110001100 Rn | Rt imm12, off 0..4095.
 * Rn not PC, Rt not PC.
 */
int gs_thumb_str_w(struct gs_thumb_insn *out, unsigned rt, unsigned rn, uint32_t off);

/*
 * LDR Rt, [PC, #off] (literal T1, 16-bit): 01001 Rt imm8, off = imm8 * 4
 * (0..1020) from Align(PC, 4). Rt low.
 */
int gs_thumb_ldr_lit(struct gs_thumb_insn *out, unsigned rt, uint32_t off);

/*
 * PUSH {list} (T1, 16-bit): 1011010 M list8. `regs` is a bit mask of r0..r7
 * plus bit 14 (LR -> M). Must not be empty.
 */
int gs_thumb_push(struct gs_thumb_insn *out, uint32_t regs);

/*
 * POP {list} (T1, 16-bit): 1011110 P list8. `regs` is a bit mask of r0..r7
 * plus bit 15 (PC -> P). Must not be empty.
 */
int gs_thumb_pop(struct gs_thumb_insn *out, uint32_t regs);

/* ---- branches (off = target - (insn address + 4), even) ---- */

/* B<cond> (T1, 16-bit): 1101 cond imm8, off -256..254. cond not AL. */
int gs_thumb_b_cond(struct gs_thumb_insn *out, enum gs_thumb_cond cond, int32_t off);

/*
 * B<cond>.W (T3, 32-bit): 11110 S cond imm6 | 10 J1 0 J2 imm11,
 * off = S:J2:J1:imm6:imm11:0, range -1 MiB .. 1 MiB - 2.
 */
int gs_thumb_b_cond_w(struct gs_thumb_insn *out, enum gs_thumb_cond cond, int32_t off);

/* B (T2, 16-bit): 11100 imm11, off -2048..2046. */
int gs_thumb_b(struct gs_thumb_insn *out, int32_t off);

/*
 * B.W (T4, 32-bit): 11110 S imm10 | 10 J1 1 J2 imm11, with
 * I1 = NOT(J1 XOR S), I2 = NOT(J2 XOR S), off = S:I1:I2:imm10:imm11:0,
 * range -16 MiB .. 16 MiB - 2.
 */
int gs_thumb_b_w(struct gs_thumb_insn *out, int32_t off);

/* BL (T1, 32-bit): as B.W but the second halfword is 11 J1 1 J2 imm11. */
int gs_thumb_bl(struct gs_thumb_insn *out, int32_t off);

/* BX Rm (T1, 16-bit): 010001110 Rm 000. */
int gs_thumb_bx(struct gs_thumb_insn *out, unsigned rm);

/* BLX Rm (T1, 16-bit): 010001111 Rm 000. Rm not PC. */
int gs_thumb_blx(struct gs_thumb_insn *out, unsigned rm);

/* ---- exceptions and padding ---- */

/* SVC #imm8 (T1, 16-bit): 11011111 imm8. The kernel reads imm8 as the syscall class. */
int gs_thumb_svc(struct gs_thumb_insn *out, uint32_t imm);

/* UDF #imm8 (T1, 16-bit): 11011110 imm8. Always undefined; 0xDEDE = udf #0xde is the padding. */
int gs_thumb_udf(struct gs_thumb_insn *out, uint32_t imm);

/* NOP (T1, 16-bit): 0xBF00. */
int gs_thumb_nop(struct gs_thumb_insn *out);

#endif
