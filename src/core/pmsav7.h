/* SPDX-License-Identifier: MIT */
/*
 * pmsav7.h - a model of the ARMv7-M Protected Memory System Architecture
 * (PMSAv7) MPU hardware: its registers and the access decision it makes.
 *
 * This is the *hardware*: it knows nothing about Tock. Tock's region
 * allocation algorithm (mpu.h) programs it through gs_pmsav7_write(), exactly
 * as arch/cortex-m/src/mpu.rs writes MPU_RBAR and MPU_RASR, and every access
 * decision below is answered from the register values alone.
 *
 * Rules (ARMv7-M Architecture Reference Manual, B3.5):
 *  - CTRL.ENABLE = 0: no MPU checks (default memory map).
 *  - Otherwise the highest-numbered enabled region containing the address,
 *    with the address's subregion enabled, decides. No region matches:
 *    privileged accesses use the default map if CTRL.PRIVDEFENA = 1, every
 *    other access faults.
 *  - RASR.AP gives read/write rights per privilege level (table in
 *    pmsav7.c); RASR.XN = 1 forbids instruction fetch; a fetch also needs
 *    read permission.
 *  - Regions are 2^(SIZE+1) bytes, SIZE >= 4; the base is RBAR.ADDR with the
 *    bits below the size ignored. Subregion disable bits (SRD) split a region
 *    of 256 bytes or more into eighths.
 * UNPREDICTABLE programming (SIZE < 4, SRD set on a region under 256 bytes,
 * AP = 0b100) is decided conservatively and flagged in `unpredictable`.
 */
#ifndef GS_PMSAV7_H
#define GS_PMSAV7_H

#include <stdbool.h>
#include <stdint.h>

#define GS_PMSAV7_MAX_REGIONS 16

/* Register addresses (System Control Space). */
#define GS_MPU_TYPE 0xE000ED90u
#define GS_MPU_CTRL 0xE000ED94u
#define GS_MPU_RNR  0xE000ED98u
#define GS_MPU_RBAR 0xE000ED9Cu
#define GS_MPU_RASR 0xE000EDA0u

#define GS_MPU_CTRL_ENABLE     0x1u
#define GS_MPU_CTRL_HFNMIENA   0x2u
#define GS_MPU_CTRL_PRIVDEFENA 0x4u

#define GS_RBAR_VALID  0x10u
#define GS_RASR_ENABLE 0x1u
#define GS_RASR_XN     (1u << 28)

static inline unsigned gs_rasr_size_field(uint32_t rasr)
{
    return (rasr >> 1) & 0x1F;
}
static inline unsigned gs_rasr_srd(uint32_t rasr)
{
    return (rasr >> 8) & 0xFF;
}
static inline unsigned gs_rasr_ap(uint32_t rasr)
{
    return (rasr >> 24) & 0x7;
}

enum gs_access { GS_ACC_READ = 1, GS_ACC_WRITE = 2, GS_ACC_EXEC = 4 };

struct gs_pmsav7 {
    unsigned num_regions; /* 8 or 16: MPU_TYPE.DREGION */
    uint32_t ctrl;
    uint32_t rnr;
    uint32_t rbar[GS_PMSAV7_MAX_REGIONS]; /* address bits only (VALID/REGION stripped) */
    uint32_t rasr[GS_PMSAV7_MAX_REGIONS];
    uint64_t writes;    /* register writes so far (for benchmarks and traces) */
    bool unpredictable; /* some write or decision hit UNPREDICTABLE behaviour */
};

/* Resets the hardware: MPU disabled, every region 0. num_regions 1..16. */
void gs_pmsav7_init(struct gs_pmsav7 *hw, unsigned num_regions);

/*
 * A 32-bit register write at `addr` (one of GS_MPU_*). Writes to TYPE are
 * ignored. An RBAR write with VALID = 1 also selects region RBAR.REGION.
 * Returns false for an address that is not an MPU register.
 */
bool gs_pmsav7_write(struct gs_pmsav7 *hw, uint32_t addr, uint32_t value);

/* A 32-bit register read, as the hardware answers it; 0 for unknown addresses. */
uint32_t gs_pmsav7_read(const struct gs_pmsav7 *hw, uint32_t addr);

/*
 * The region that decides an access to the single byte `addr`: its number,
 * or -1 when no enabled region (with enabled subregion) contains it.
 */
int gs_pmsav7_region_for(const struct gs_pmsav7 *hw, uint32_t addr);

/*
 * Would an access of `size` bytes at `addr` of kind `acc` (one
 * GS_ACC_* value) at the given privilege be permitted? Every byte is checked
 * (an access that straddles regions is decided per byte, as the hardware
 * checks each part). Addresses past 0xFFFFFFFF are refused. When refused and
 * fault_addr is not NULL, *fault_addr is the first refused byte.
 */
bool gs_pmsav7_allows(const struct gs_pmsav7 *hw, uint32_t addr, uint32_t size, enum gs_access acc,
                      bool privileged, uint32_t *fault_addr);

/* Rights (GS_ACC_* bits) one byte has at a privilege level. */
unsigned gs_pmsav7_rights(const struct gs_pmsav7 *hw, uint32_t addr, bool privileged);

/* One maximal run of addresses with identical unprivileged rights. */
struct gs_pmsav7_span {
    uint32_t start;
    uint64_t end;    /* exclusive; up to 2^32 */
    unsigned rights; /* GS_ACC_* bits for unprivileged code */
};

/*
 * Splits [lo, hi) into spans of constant unprivileged rights, writing at
 * most `max` spans into out (spans with no rights are included). Returns the
 * number of spans the full answer needs (may exceed max).
 */
unsigned gs_pmsav7_unpriv_spans(const struct gs_pmsav7 *hw, uint32_t lo, uint64_t hi,
                                struct gs_pmsav7_span *out, unsigned max);

/* Tock's names for AP values (CortexMConfig Display): "ReadWrite", ... */
const char *gs_pmsav7_ap_name(unsigned ap);

#endif
