/* SPDX-License-Identifier: MIT */
/*
 * The reference MPU model (refmpu.h) against the worked examples of
 * TOCK-REFERENCE 1.4 and 6.6 and against register values derived by hand
 * from arch/cortex-m/src/mpu.rs. Every derivation is spelled out next to
 * its expected value.
 *
 * RASR reminders used below (RegionAttributes in arch/cortex-m/src/mpu.rs):
 * ENABLE bit 0, SIZE bits 1-5 = log2(size) - 1, SRD bits 8-15, AP bits
 * 24-26, XN bit 28. ReadWriteOnly = AP 3 + XN 1 = 0x13000000,
 * ReadExecuteOnly = AP 2 + XN 0 = 0x02000000. RBAR = address | 0x10 | num.
 */
#include "helpers.h"
#include "refmpu.h"

/* Cortex-M4: 8 regions, 32-byte minimum; HEAD. */
static const struct gs_ref_mpu m4 = {.num_regions = 8, .min_region_size = 32};
/* Cortex-M4 with the release-2.2 code (both 2.2 differences). */
static const struct gs_ref_mpu m4_22 = {
    .num_regions = 8, .min_region_size = 32, .bug_4366 = true, .closest_po2 = true};
/* Cortex-M7: 16 regions. */
static const struct gs_ref_mpu m7 = {.num_regions = 16, .min_region_size = 32};
/* Cortex-M0+: 8 regions, 256-byte minimum. */
static const struct gs_ref_mpu m0p = {.num_regions = 8, .min_region_size = 256};

static struct gs_ref_region regs[GS_REF_MPU_MAX_REGIONS];
static struct gs_ref_region saved[GS_REF_MPU_MAX_REGIONS];

static void save_regs(void)
{
    unsigned i;

    for (i = 0; i < GS_REF_MPU_MAX_REGIONS; i++)
        saved[i] = regs[i];
}

/* Field by field (no memcmp: the struct has padding). */
static void assert_regs_unchanged(void)
{
    unsigned i;

    for (i = 0; i < GS_REF_MPU_MAX_REGIONS; i++) {
        ck_assert_msg(regs[i].used == saved[i].used, "region %u used changed", i);
        ck_assert_uint_eq(regs[i].rbar, saved[i].rbar);
        ck_assert_uint_eq(regs[i].rasr, saved[i].rasr);
        if (regs[i].used) {
            ck_assert_uint_eq(regs[i].start, saved[i].start);
            ck_assert_uint_eq(regs[i].size, saved[i].size);
        }
    }
}

static void assert_region(unsigned n, uint32_t start, uint32_t size, uint32_t rbar, uint32_t rasr)
{
    ck_assert_msg(regs[n].used, "region %u unused", n);
    ck_assert_uint_eq(regs[n].start, start);
    ck_assert_uint_eq(regs[n].size, size);
    ck_assert_uint_eq(regs[n].rbar, rbar);
    ck_assert_uint_eq(regs[n].rasr, rasr);
}

static void assert_empty(unsigned n)
{
    ck_assert_msg(!regs[n].used, "region %u used", n);
    ck_assert_uint_eq(regs[n].rbar, 0x10u | n);
    ck_assert_uint_eq(regs[n].rasr, 0);
}

/* allocate_region expected to succeed; returns the logical start. */
static uint32_t alloc_ok(const struct gs_ref_mpu *m, uint32_t start, uint32_t avail,
                         uint32_t min_size, enum gs_ref_perm perm, uint32_t exp_size)
{
    uint32_t s = 0xDEAD, z = 0xBEEF;

    ck_assert_int_eq(gs_ref_allocate_region(m, regs, start, avail, min_size, perm, &s, &z),
                     GS_REF_OK);
    ck_assert_uint_eq(z, exp_size);
    return s;
}

/* allocate_region expected to fail with res, leaving regs and out-params alone. */
static void alloc_fails(const struct gs_ref_mpu *m, uint32_t start, uint32_t avail,
                        uint32_t min_size, enum gs_ref_result res)
{
    uint32_t s = 0xDEAD, z = 0xBEEF;

    save_regs();
    ck_assert_int_eq(gs_ref_allocate_region(m, regs, start, avail, min_size, GS_REF_RW, &s, &z),
                     res);
    ck_assert_uint_eq(s, 0xDEAD);
    ck_assert_uint_eq(z, 0xBEEF);
    assert_regs_unchanged();
}

/* The TOCK-REFERENCE 1.4 process: pool 0x20004000 + 0x10000, min_total 5468, kernel 1372. */
static void alloc_example_1_4(const struct gs_ref_mpu *m)
{
    uint32_t s = 0, z = 0;

    ck_assert_int_eq(gs_ref_allocate_app_memory_region(m, regs, 0x20004000, 0x10000, 5468, 32, 1372,
                                                       GS_REF_RW, &s, &z),
                     GS_REF_OK);
    ck_assert_uint_eq(s, 0x20004000);
    ck_assert_uint_eq(z, 0x2000);
}

/* The flash region of TOCK-REFERENCE 6.6 (0x00030000, 0x8000) as region 2. */
static void alloc_flash(const struct gs_ref_mpu *m)
{
    ck_assert_uint_eq(alloc_ok(m, 0x00030000, 0x8000, 0x8000, GS_REF_RX, 0x8000), 0x00030000);
    /* SIZE = log2(0x8000) - 1 = 14 -> 0x1C; | ENABLE | RX 0x02000000. */
    assert_region(2, 0x00030000, 0x8000, 0x00030012, 0x0200001D);
}

/* The same fold CortexMRegion::new runs, as a plain loop on a u8 with masked shifts. */
static uint8_t srd_by_loop(uint32_t lo, uint32_t hi)
{
    uint8_t res = 0xFF;
    uint32_t i;

    if (lo > hi)
        return res;
    for (i = lo;; i++) {
        res ^= (uint8_t)(1u << (i & 7u));
        if (i == hi)
            break;
    }
    return res;
}

START_TEST(srd_mask_matches_the_fold)
{
    uint32_t lo, hi, k;

    for (lo = 0; lo < 24; lo++)
        for (hi = 0; hi < 300; hi++)
            ck_assert_msg(gs_ref_srd_mask(lo, hi) == srd_by_loop(lo, hi), "lo %u hi %u", lo, hi);
    /* Near the top, where the count no longer fits in 32 bits minus one. */
    for (k = 0; k < 0x100; k += 0x11) {
        lo = 0xFFFFFF00u + k;
        ck_assert_msg(gs_ref_srd_mask(lo, 0xFFFFFFFFu) == srd_by_loop(lo, 0xFFFFFFFFu), "lo %x",
                      lo);
    }
    /* Subregions 1..2 enabled: 0xFF ^ 0x02 ^ 0x04. */
    ck_assert_uint_eq(gs_ref_srd_mask(1, 2), 0xF9);
    /* 0..8: bit 0 flipped twice (0 and 8), bits 1..7 once. */
    ck_assert_uint_eq(gs_ref_srd_mask(0, 8), 0x01);
    /* Empty ranges fold nothing. */
    ck_assert_uint_eq(gs_ref_srd_mask(3, 2), 0xFF);
    ck_assert_uint_eq(gs_ref_srd_mask(0xFFFFFFFFu, 0), 0xFF);
    /* 0..=u32::MAX: 2^32 indices, 2^29 flips per bit, all even. */
    ck_assert_uint_eq(gs_ref_srd_mask(0, 0xFFFFFFFFu), 0xFF);
    /* 7..=u32::MAX: 2^32 - 7 indices = 1 (index 7) + 8 * (2^29 - 1): bits 0-6 odd, bit 7 even. */
    ck_assert_uint_eq(gs_ref_srd_mask(7, 0xFFFFFFFFu), 0x80);
    /* 5..=0x10000004: 2^28 indices, an even number (2^25) of full runs. */
    ck_assert_uint_eq(gs_ref_srd_mask(5, 0x10000004u), 0xFF);
    /* 0..=0x7FFFF7: 0x7FFFF8 indices = 0xFFFFF runs (odd): every bit flipped. */
    ck_assert_uint_eq(gs_ref_srd_mask(0, 0x7FFFF7u), 0x00);
}
END_TEST

START_TEST(empty_config)
{
    unsigned i;

    gs_ref_mpu_empty(&m4, regs);
    for (i = 0; i < 8; i++)
        assert_empty(i);
    for (i = 8; i < GS_REF_MPU_MAX_REGIONS; i++) {
        ck_assert(!regs[i].used);
        ck_assert_uint_eq(regs[i].rbar, 0);
        ck_assert_uint_eq(regs[i].rasr, 0);
    }
    gs_ref_mpu_empty(&m7, regs);
    for (i = 0; i < 16; i++)
        assert_empty(i);
    ck_assert_uint_eq(regs[15].rbar, 0x1F);
}
END_TEST

/* TOCK-REFERENCE 1.4: the app memory regions and the brk sequence. */
START_TEST(worked_example_1_4)
{
    gs_ref_mpu_empty(&m4, regs);
    alloc_example_1_4(&m4);
    /*
     * po2 = 8192, region 4096 at 0x20004000; n = 32 * 8 / 4096 + 1 = 1.
     * SIZE = 11 -> 0x16 | ENABLE = 0x17; SRD = 0xFE; RW.
     */
    assert_region(0, 0x20004000, 0x1000, 0x20004010, 0x1300FE17);
    assert_empty(1);

    /* brk(0x20005000): ceil(0x1000 / 0x200) = 8 -> SRD 0x00. */
    ck_assert_int_eq(gs_ref_update_app_memory_region(&m4, regs, 0x20005000, 0x20005AB0, GS_REF_RW),
                     GS_REF_OK);
    assert_region(0, 0x20004000, 0x1000, 0x20004010, 0x13000017);
    assert_empty(1);

    /* brk(0x20005400): 10 subregions, region 1 gets 2: SRD 0xFC. */
    ck_assert_int_eq(gs_ref_update_app_memory_region(&m4, regs, 0x20005400, 0x20005AB0, GS_REF_RW),
                     GS_REF_OK);
    assert_region(1, 0x20005000, 0x1000, 0x20005011, 0x1300FC17);

    /* brk(0x20005A00): 13 subregions, region 1 gets 5: SRD 0xE0. */
    ck_assert_int_eq(gs_ref_update_app_memory_region(&m4, regs, 0x20005A00, 0x20005AB0, GS_REF_RW),
                     GS_REF_OK);
    assert_region(0, 0x20004000, 0x1000, 0x20004010, 0x13000017);
    assert_region(1, 0x20005000, 0x1000, 0x20005011, 0x1300E017);

    /* brk(0x20005A10): 14 subregions end at 0x20005C00 > 0x20005AB0. */
    save_regs();
    ck_assert_int_eq(gs_ref_update_app_memory_region(&m4, regs, 0x20005A10, 0x20005AB0, GS_REF_RW),
                     GS_REF_NONE);
    assert_regs_unchanged();

    /* Back down to 0x20004400: 2 subregions, region 1 emptied again. */
    ck_assert_int_eq(gs_ref_update_app_memory_region(&m4, regs, 0x20004400, 0x20005AB0, GS_REF_RW),
                     GS_REF_OK);
    assert_region(0, 0x20004000, 0x1000, 0x20004010, 0x1300FC17);
    assert_empty(1);
}
END_TEST

START_TEST(update_refusals)
{
    gs_ref_mpu_empty(&m4, regs);
    /* Region 0 unset. */
    save_regs();
    ck_assert_int_eq(gs_ref_update_app_memory_region(&m4, regs, 0x20004020, 0x20005000, GS_REF_RW),
                     GS_REF_NONE);
    assert_regs_unchanged();

    alloc_example_1_4(&m4);
    /* app_break > kernel_break. */
    save_regs();
    ck_assert_int_eq(gs_ref_update_app_memory_region(&m4, regs, 0x20005001, 0x20005000, GS_REF_RW),
                     GS_REF_NONE);
    assert_regs_unchanged();
    /* Equal breaks on a subregion boundary are fine: 8 subregions end at 0x20005000. */
    ck_assert_int_eq(gs_ref_update_app_memory_region(&m4, regs, 0x20005000, 0x20005000, GS_REF_RW),
                     GS_REF_OK);
}
END_TEST

/*
 * update_app_memory_region(region start, ...): app_memory_size = 0, so 0
 * subregions; region 0 gets Some((0, 0 - 1)) = Some((0, u32::MAX)), whose
 * fold over 2^32 indices flips each bit 2^29 times: SRD = 0xFF. Region 0
 * stays enabled (ENABLE = 1) with no subregion accessible.
 */
START_TEST(update_at_region_start_wraps)
{
    gs_ref_mpu_empty(&m4, regs);
    alloc_example_1_4(&m4);
    ck_assert_int_eq(gs_ref_update_app_memory_region(&m4, regs, 0x20004000, 0x20005AB0, GS_REF_RW),
                     GS_REF_OK);
    assert_region(0, 0x20004000, 0x1000, 0x20004010, 0x1300FF17);
    assert_empty(1);
}
END_TEST

/*
 * update_app_memory_region below the region start (never done by brk,
 * which checks the high-water mark): app_memory_size = 0x20003FF0 -
 * 0x20004000 wraps to 0xFFFFFFF0; div_ceil by 0x200 = 0x800000; 0x200 *
 * 0x800000 = 2^32 wraps to 0, so the end check passes. n0 = 8 (SRD 0x00);
 * n1 = 0x7FFFF8, range 0..=0x7FFFF7 flips every bit an odd number of times
 * (0xFFFFF runs of 8): SRD 0x00. Both halves are fully enabled.
 */
START_TEST(update_below_region_start_wraps)
{
    gs_ref_mpu_empty(&m4, regs);
    alloc_example_1_4(&m4);
    ck_assert_int_eq(gs_ref_update_app_memory_region(&m4, regs, 0x20003FF0, 0x20005AB0, GS_REF_RW),
                     GS_REF_OK);
    assert_region(0, 0x20004000, 0x1000, 0x20004010, 0x13000017);
    assert_region(1, 0x20005000, 0x1000, 0x20005011, 0x13000017);
}
END_TEST

/*
 * Allocation counts floor(init_app * 8 / region) + 1 subregions, update
 * counts ceil(app / subregion). init_app = 32, init_kernel = 100: mem 132
 * -> po2 256, log2 8 < 9 -> 512; region 256, subregion 32; allocation n =
 * 256 / 256 + 1 = 2 (SRD 0xFC), update to start + 32 gives ceil(1) = 1
 * (SRD 0xFE). SIZE = log2(256) - 1 = 7 -> 0x0E | ENABLE = 0x0F.
 */
/*
 * update_app_memory_region past the block (brk never asks for it: it
 * checks app_break < mem_end): 0x20006200 from 0x20004000 is 0x2200 / 0x200
 * = 17 subregions, ending at 0x20006200 <= 0x20007000. n1 = 9 gives region
 * 1 Some((0, 8)); index 8 shifts a u8 by 8 & 7 = 0, so bit 0 flips twice:
 * SRD 0x01, region 1's first subregion disabled.
 */
START_TEST(update_past_block_masks_shift)
{
    gs_ref_mpu_empty(&m4, regs);
    alloc_example_1_4(&m4);
    ck_assert_int_eq(gs_ref_update_app_memory_region(&m4, regs, 0x20006200, 0x20007000, GS_REF_RW),
                     GS_REF_OK);
    assert_region(0, 0x20004000, 0x1000, 0x20004010, 0x13000017);
    assert_region(1, 0x20005000, 0x1000, 0x20005011, 0x13000117);
}
END_TEST

START_TEST(floor_plus_one_versus_ceil_and_512_minimum)
{
    uint32_t s = 0, z = 0;

    gs_ref_mpu_empty(&m4, regs);
    ck_assert_int_eq(gs_ref_allocate_app_memory_region(&m4, regs, 0x20000000, 0x1000, 0, 32, 100,
                                                       GS_REF_RW, &s, &z),
                     GS_REF_OK);
    ck_assert_uint_eq(s, 0x20000000);
    ck_assert_uint_eq(z, 512);
    assert_region(0, 0x20000000, 256, 0x20000010, 0x1300FC0F);
    assert_empty(1);
    ck_assert_int_eq(
        gs_ref_update_app_memory_region(&m4, regs, 0x20000020, 0x20000000 + 412, GS_REF_RW),
        GS_REF_OK);
    assert_region(0, 0x20000000, 256, 0x20000010, 0x1300FE0F);

    /*
     * No doubling when the enabled subregions end exactly at the initial
     * kernel break: init_kernel 448, po2 512, end start + 64 = start + 512 - 448.
     */
    gs_ref_mpu_empty(&m4, regs);
    ck_assert_int_eq(gs_ref_allocate_app_memory_region(&m4, regs, 0x20000000, 0x1000, 0, 32, 448,
                                                       GS_REF_RW, &s, &z),
                     GS_REF_OK);
    ck_assert_uint_eq(z, 512);
    assert_region(0, 0x20000000, 256, 0x20000010, 0x1300FC0F);
    /* One byte more of kernel memory doubles: po2 1024, region 512, n = 1: SIZE 8 -> 0x11. */
    gs_ref_mpu_empty(&m4, regs);
    ck_assert_int_eq(gs_ref_allocate_app_memory_region(&m4, regs, 0x20000000, 0x1000, 0, 32, 449,
                                                       GS_REF_RW, &s, &z),
                     GS_REF_OK);
    ck_assert_uint_eq(z, 1024);
    assert_region(0, 0x20000000, 512, 0x20000010, 0x1300FE11);
}
END_TEST

/*
 * The doubling step. init_app 32, init_kernel 7900, min 0: mem 7932 -> po2
 * 8192, region 4096, subregion 512, n = 1; enabled end = start + 512 >
 * kernel break = start + 8192 - 7900 = start + 292, so double.
 * HEAD: po2 16384, region 8192, start 0x20003000 realigned up to
 * 0x20004000, n = 256 / 8192 + 1 = 1; block 0x20004000 + 0x4000.
 * 2.2 (tock#4366): region 8192 but po2 stays 8192, so the block is
 * 0x20004000 + 0x2000 while region 0 alone is 8192 bytes; its enabled
 * subregion 0 (1024 bytes, to 0x20004400) reaches past the block's kernel
 * memory start 0x20006000 - 7900 = 0x20004124.
 * Region 0 either way: SIZE = 12 -> 0x18 | 1 = 0x19, SRD 0xFE.
 */
START_TEST(doubling_head_versus_2_2)
{
    uint32_t s = 0, z = 0;

    gs_ref_mpu_empty(&m4, regs);
    ck_assert_int_eq(gs_ref_allocate_app_memory_region(&m4, regs, 0x20003000, 0x10000, 0, 32, 7900,
                                                       GS_REF_RW, &s, &z),
                     GS_REF_OK);
    ck_assert_uint_eq(s, 0x20004000);
    ck_assert_uint_eq(z, 0x4000);
    assert_region(0, 0x20004000, 0x2000, 0x20004010, 0x1300FE19);
    assert_empty(1);

    gs_ref_mpu_empty(&m4_22, regs);
    ck_assert_int_eq(gs_ref_allocate_app_memory_region(&m4_22, regs, 0x20003000, 0x10000, 0, 32,
                                                       7900, GS_REF_RW, &s, &z),
                     GS_REF_OK);
    ck_assert_uint_eq(s, 0x20004000);
    ck_assert_uint_eq(z, 0x2000);
    assert_region(0, 0x20004000, 0x2000, 0x20004010, 0x1300FE19);
    assert_empty(1);
    ck_assert_uint_gt(0x20004000u + 0x2000u / 8u, s + z - 7900u);

    /*
     * The fit check sees the block size: with 0x4000 bytes available from
     * 0x20003000 (to 0x20007000) HEAD's block would end at 0x20008000
     * (None); 2.2's ends at 0x20006000 (Some).
     */
    gs_ref_mpu_empty(&m4, regs);
    save_regs();
    ck_assert_int_eq(gs_ref_allocate_app_memory_region(&m4, regs, 0x20003000, 0x4000, 0, 32, 7900,
                                                       GS_REF_RW, &s, &z),
                     GS_REF_NONE);
    assert_regs_unchanged();
    gs_ref_mpu_empty(&m4_22, regs);
    ck_assert_int_eq(gs_ref_allocate_app_memory_region(&m4_22, regs, 0x20003000, 0x4000, 0, 32,
                                                       7900, GS_REF_RW, &s, &z),
                     GS_REF_OK);
    ck_assert_uint_eq(z, 0x2000);

    /* bug_4366 alone (closest_po2 off) is what changes this result. */
    {
        const struct gs_ref_mpu only_4366 = {
            .num_regions = 8, .min_region_size = 32, .bug_4366 = true};

        gs_ref_mpu_empty(&only_4366, regs);
        ck_assert_int_eq(gs_ref_allocate_app_memory_region(&only_4366, regs, 0x20003000, 0x4000, 0,
                                                           32, 7900, GS_REF_RW, &s, &z),
                         GS_REF_OK);
        ck_assert_uint_eq(z, 0x2000);
    }
}
END_TEST

/*
 * HEAD's doubling of a 2^31 block wraps memory_size_po2 to 0. init_app 32,
 * init_kernel 0x7FFFFF00: mem 0x7FFFFF20 -> po2 2^31, region 2^30, n = 1,
 * subregion 2^27; kernel break = 2^31 - 0x7FFFFF00 = 0x100 < 2^27, double:
 * po2 0, region 2^31 at 0. Fit: 0 + 0 > 0 + 0 is false: Some((0, 0)).
 * Region 0: SIZE = 30 -> 0x3C | 1 = 0x3D, SRD 0xFE. 2.2 keeps po2 = 2^31
 * and fails the fit check with nothing available.
 */
START_TEST(doubling_wraps_block_size_to_zero)
{
    uint32_t s = 1, z = 1;

    gs_ref_mpu_empty(&m4, regs);
    ck_assert_int_eq(
        gs_ref_allocate_app_memory_region(&m4, regs, 0, 0, 0, 32, 0x7FFFFF00, GS_REF_RW, &s, &z),
        GS_REF_OK);
    ck_assert_uint_eq(s, 0);
    ck_assert_uint_eq(z, 0);
    assert_region(0, 0, 0x80000000u, 0x00000010, 0x1300FE3D);

    gs_ref_mpu_empty(&m4_22, regs);
    ck_assert_int_eq(
        gs_ref_allocate_app_memory_region(&m4_22, regs, 0, 0, 0, 32, 0x7FFFFF00, GS_REF_RW, &s, &z),
        GS_REF_NONE);
}
END_TEST

/* TOCK-REFERENCE 1.3 + 6.3 + 6.6: flash first (region 2), then IPC regions 3, 4, ... */
START_TEST(region_numbers_flash_then_ipc)
{
    gs_ref_mpu_empty(&m4, regs);
    alloc_flash(&m4);
    alloc_example_1_4(&m4);
    /* Another process's buffers (outside this process's block). */
    ck_assert_uint_eq(alloc_ok(&m4, 0x20014100, 64, 64, GS_REF_RW, 64), 0x20014100);
    /* 64 = 2^6, 64-aligned: SIZE 5 -> 0x0A | 1 = 0x0B. */
    assert_region(3, 0x20014100, 64, 0x20014113, 0x1300000B);
    ck_assert_uint_eq(alloc_ok(&m4, 0x20014200, 128, 128, GS_REF_RW, 128), 0x20014200);
    /* 128 = 2^7: SIZE 6 -> 0x0C | 1 = 0x0D; region 4. */
    assert_region(4, 0x20014200, 128, 0x20014214, 0x1300000D);
    /* Removing region 3 frees the lowest number for the next one. */
    ck_assert_int_eq(gs_ref_remove_memory_region(&m4, regs, 0x20014100, 64), GS_REF_OK);
    assert_empty(3);
    ck_assert_uint_eq(alloc_ok(&m4, 0x20014400, 32, 32, GS_REF_RW, 32), 0x20014400);
    /* 32 = 2^5: SIZE 4 -> 0x08 | 1 = 0x09; region 3 again. */
    assert_region(3, 0x20014400, 32, 0x20014413, 0x13000009);
}
END_TEST

/* The four rows of the TOCK-REFERENCE 6.6 table. */
START_TEST(table_6_6)
{
    uint32_t s;

    gs_ref_mpu_empty(&m4, regs);
    alloc_flash(&m4);
    ck_assert_uint_eq(alloc_ok(&m4, 0x20004100, 64, 64, GS_REF_RW, 64), 0x20004100);
    assert_region(3, 0x20004100, 64, 0x20004113, 0x1300000B);

    /*
     * 0x20004120 is not 64-aligned: trailing zeros 5, subregion 32, region
     * 256 at 0x20004100; size 64 stays; end 0x20004160 <= 0x20004200, so
     * subregions (0x20 / 32) = 1 .. 1 + 2 - 1 = 2: SRD 0xF9. SIZE = 7 -> 0x0F.
     * The logical region stays (0x20004120, 64).
     */
    gs_ref_mpu_empty(&m4, regs);
    alloc_flash(&m4);
    s = alloc_ok(&m4, 0x20004120, 64, 64, GS_REF_RW, 64);
    ck_assert_uint_eq(s, 0x20004120);
    assert_region(3, 0x20004120, 64, 0x20004113, 0x1300F90F);

    /*
     * 0x20004104, 10 bytes: start rounded up to 0x20004120, size 32, a
     * power of two dividing it: region (0x20004120, 32), which ends at
     * 0x20004140 > 0x20004104 + 10. None.
     */
    gs_ref_mpu_empty(&m4, regs);
    alloc_flash(&m4);
    alloc_fails(&m4, 0x20004104, 10, 10, GS_REF_NONE);
    assert_empty(3);
}
END_TEST

/*
 * The power-of-two fallback of allocate_region. 0x20004100 with 0x800:
 * trailing zeros 8, subregion 256, region 2048 at 0x20004000 ending
 * 0x20004800 < 0x20004900, so no subregions: size 0x800, start += 0x800 -
 * 0x100 = 0x20004800. SIZE = 10 -> 0x14 | 1 = 0x15.
 * At 0xFFFE4000 with 0x3000 (not a power of two): subregion 0x4000, region
 * 0x20000 at 0xFFFE0000 whose end wraps to 0 < 0xFFFE8000: fallback; size
 * 0x4000 already divides 0xFFFE4000, yet start += 0x4000 - 0 moves it a
 * full size up to 0xFFFE8000 (the TOCK-REFERENCE 6.6 quirk). SIZE 13 -> 0x1B.
 */
START_TEST(power_of_two_fallback)
{
    gs_ref_mpu_empty(&m4, regs);
    ck_assert_uint_eq(alloc_ok(&m4, 0x20004100, 0x1000, 0x800, GS_REF_RW, 0x800), 0x20004800);
    assert_region(2, 0x20004800, 0x800, 0x20004812, 0x13000015);
    /* The moved region would end at 0x20009000, one byte past the room: None. */
    alloc_fails(&m4, 0x20008100, 0xEFF, 0x800, GS_REF_NONE);

    /*
     * Subregions that end exactly at the region end still serve: 0x20004120
     * with 0xE0 bytes ends at 0x20004200 = end of (0x20004100, 256):
     * subregions 1..7, SRD 0x01, SIZE 7 -> 0x0F.
     */
    gs_ref_mpu_empty(&m4, regs);
    ck_assert_uint_eq(alloc_ok(&m4, 0x20004120, 0xE0, 0xE0, GS_REF_RW, 0xE0), 0x20004120);
    assert_region(2, 0x20004120, 0xE0, 0x20004112, 0x1300010F);

    gs_ref_mpu_empty(&m4, regs);
    ck_assert_uint_eq(alloc_ok(&m4, 0xFFFE4000u, 0x8000, 0x3000, GS_REF_RW, 0x4000), 0xFFFE8000u);
    assert_region(2, 0xFFFE8000u, 0x4000, 0xFFFE8012u, 0x1300001B);
}
END_TEST

/*
 * Start 0 (trailing_zeros 32): subregion = max(256, po2(size)) / 8.
 * 100 bytes: max(256, 128) / 8 = 32, region 256 at 0, size 128, subregions
 * 0..3: SRD 0xF0, SIZE 7 -> 0x0F. 0x3000 bytes: po2 0x4000, subregion
 * 0x800, region 0x4000, subregions 0..5: SRD 0xC0, SIZE 13 -> 0x1B.
 * A start within 32 bytes of 2^32 rounds up (wrapping) to 0.
 */
START_TEST(start_zero)
{
    gs_ref_mpu_empty(&m4, regs);
    ck_assert_uint_eq(alloc_ok(&m4, 0, 0x1000, 100, GS_REF_RW, 128), 0);
    assert_region(2, 0, 128, 0x00000012, 0x1300F00F);
    gs_ref_mpu_empty(&m4, regs);
    ck_assert_uint_eq(alloc_ok(&m4, 0, 0x10000, 0x3000, GS_REF_RW, 0x3000), 0);
    assert_region(2, 0, 0x3000, 0x00000012, 0x1300C01B);
    /* 0xFFFFFFF0 -> 0; 64 divides 0: direct (0, 64), ends by 0xFFFFFFF0 + 0x1010 = 0x1000. */
    gs_ref_mpu_empty(&m4, regs);
    ck_assert_uint_eq(alloc_ok(&m4, 0xFFFFFFF0u, 0x1010, 64, GS_REF_RW, 64), 0);
    assert_region(2, 0, 64, 0x00000012, 0x1300000B);
}
END_TEST

/*
 * Remainder by zero: a start with 29 or more trailing zeros and a size that
 * is not a power of two gives subregion 1 << 29 (or more) and region
 * 8 * subregion = 2^32, which wraps to 0: `start % 0` panics. TOCK-REFERENCE
 * discusses 0x20000000.
 */
START_TEST(remainder_by_zero_panics)
{
    gs_ref_mpu_empty(&m4, regs);
    alloc_fails(&m4, 0x20000000, 0x1000, 100, GS_REF_PANIC);
    alloc_fails(&m4, 0x40000000, 0x1000, 0x30, GS_REF_PANIC);
    alloc_fails(&m4, 0x80000000u, 0x1000, 0x50, GS_REF_PANIC);
    /*
     * 28 trailing zeros: subregion 2^28, region 2^31 at 0, no wrap; size 100
     * rounds up to 2^28; subregion 1 of (0, 2^31): SRD 0xFD, SIZE 30 -> 0x3D.
     */
    ck_assert_uint_eq(alloc_ok(&m4, 0x10000000, 0x10000000, 100, GS_REF_RW, 0x10000000),
                      0x10000000);
    assert_region(2, 0x10000000, 0x10000000, 0x00000012, 0x1300FD3D);
    /* A power-of-two size dividing 0x20000000 takes the direct path. */
    gs_ref_mpu_empty(&m4, regs);
    ck_assert_uint_eq(alloc_ok(&m4, 0x20000000, 0x1000, 64, GS_REF_RW, 64), 0x20000000);
    assert_region(2, 0x20000000, 64, 0x20000012, 0x1300000B);
    /* Fallback whose size rounds up past 2^31: next_power_of_two wraps to 0, `start % 0`. */
    gs_ref_mpu_empty(&m4, regs);
    alloc_fails(&m4, 0x20000020, 0x1000, 0x80000010u, GS_REF_PANIC);
    /* No free region number: None comes before the panic. */
    gs_ref_mpu_empty(&m4, regs);
    for (unsigned i = 2; i < 8; i++)
        alloc_ok(&m4, 0x30000000 + i * 0x100, 0x100, 0x100, GS_REF_RW, 0x100);
    alloc_fails(&m4, 0x20000000, 0x1000, 100, GS_REF_NONE);
}
END_TEST

/*
 * 2.2's closest_power_of_two(0) = 0 against HEAD's next_power_of_two(0) = 1.
 * 0xFFFFFF20 with 0xFFFFFFF0 bytes: subregion 32, region 256 at 0xFFFFFF00
 * ending at 0 (wrapped); size rounded up to a multiple of 32 wraps to 0;
 * end = start > 0: fallback. HEAD: size 1, start + 1 - 0 = 0xFFFFFF21,
 * which ends by start + 0x10, so CortexMRegion::new gets to refuse the
 * 1-byte region: None. 2.2: size 0, `start % 0` panics.
 */
START_TEST(po2_of_zero_head_versus_2_2)
{
    gs_ref_mpu_empty(&m4, regs);
    alloc_fails(&m4, 0xFFFFFF20u, 0x10, 0xFFFFFFF0u, GS_REF_NONE);
    gs_ref_mpu_empty(&m4_22, regs);
    alloc_fails(&m4_22, 0xFFFFFF20u, 0x10, 0xFFFFFFF0u, GS_REF_PANIC);
}
END_TEST

/*
 * CortexMRegion::new refuses a logical size below 32: 0x20000020 with
 * 0xFFFFFFF0 bytes rounds the size up to a multiple of 32, which wraps to
 * 0; the region (0x20000000, 256) still contains [start, start + 0), so
 * subregions are used, the fit check passes (0x20000020 <= 0x20000120), and
 * new(size 0) returns None.
 */
START_TEST(region_new_refuses_small_logical_size)
{
    gs_ref_mpu_empty(&m4, regs);
    alloc_fails(&m4, 0x20000020, 0x100, 0xFFFFFFF0u, GS_REF_NONE);
}
END_TEST

START_TEST(overlap_refusal)
{
    uint32_t s, z;

    gs_ref_mpu_empty(&m4, regs);
    alloc_flash(&m4);
    alloc_example_1_4(&m4);
    /* Inside region 0's logical location [0x20004000, 0x20005000). */
    alloc_fails(&m4, 0x20004F00, 0x100, 0x100, GS_REF_NONE);
    /* Overlapping the flash region's last byte. */
    alloc_fails(&m4, 0x00037FFF, 0x100, 0x20, GS_REF_NONE);
    /* Adjacent to the flash region on either side (half-open ranges): fine. */
    ck_assert_uint_eq(alloc_ok(&m4, 0x00038000, 0x100, 0x100, GS_REF_RX, 0x100), 0x00038000);
    ck_assert_uint_eq(alloc_ok(&m4, 0x0002FF00, 0x100, 0x100, GS_REF_RX, 0x100), 0x0002FF00);
    /* Region 1 is empty, so the upper half of the block is not checked. */
    ck_assert_uint_eq(alloc_ok(&m4, 0x20005000, 0x100, 0x100, GS_REF_RW, 0x100), 0x20005000);
    /* The app memory allocator checks overlap too. */
    save_regs();
    s = z = 0xDEAD;
    ck_assert_int_eq(gs_ref_allocate_app_memory_region(&m4, regs, 0x00020000, 0x20000, 0x1000, 32,
                                                       0x100, GS_REF_RW, &s, &z),
                     GS_REF_NONE);
    ck_assert_uint_eq(s, 0xDEAD);
    assert_regs_unchanged();

    /*
     * Wrapping sums: a region ending exactly at 2^32 has end 0, and
     * `other_start < 0` never holds, so nothing overlaps it and the same
     * range can be allocated twice.
     */
    gs_ref_mpu_empty(&m4, regs);
    ck_assert_uint_eq(alloc_ok(&m4, 0xFFFFFF00u, 0x100, 0x100, GS_REF_RW, 0x100), 0xFFFFFF00u);
    ck_assert_uint_eq(alloc_ok(&m4, 0xFFFFFF00u, 0x100, 0x100, GS_REF_RW, 0x100), 0xFFFFFF00u);
    /* SIZE 7 -> 0x0F; regions 2 and 3. */
    assert_region(2, 0xFFFFFF00u, 0x100, 0xFFFFFF12u, 0x1300000F);
    assert_region(3, 0xFFFFFF00u, 0x100, 0xFFFFFF13u, 0x1300000F);
    /* Nor does a range inside it: [0xFFFFFF80, 0xFFFFFFC0) vs end 0. SIZE 5 -> 0x0B. */
    ck_assert_uint_eq(alloc_ok(&m4, 0xFFFFFF80u, 0x40, 0x40, GS_REF_RW, 0x40), 0xFFFFFF80u);
    assert_region(4, 0xFFFFFF80u, 0x40, 0xFFFFFF94u, 0x1300000B);

    /*
     * A request whose own range wraps: [0xFFFFF000, +0x2000) has end
     * 0x1000, and region [0xFFFFF800, 0xFFFFF900) starts above 0x1000, so
     * it is not seen as overlapping. The 4 KiB region at 0xFFFFF000 (end
     * 0, which is <= 0x1000) fits and contains region 2. SIZE 11 -> 0x17.
     */
    gs_ref_mpu_empty(&m4, regs);
    ck_assert_uint_eq(alloc_ok(&m4, 0xFFFFF800u, 0x100, 0x100, GS_REF_RW, 0x100), 0xFFFFF800u);
    ck_assert_uint_eq(alloc_ok(&m4, 0xFFFFF000u, 0x2000, 0x1000, GS_REF_RW, 0x1000), 0xFFFFF000u);
    assert_region(3, 0xFFFFF000u, 0x1000, 0xFFFFF013u, 0x13000017);
}
END_TEST

/*
 * The fit checks compare wrapping sums. [0xFFFFF000, +0x2000) wraps its end
 * to 0x1000, so a 256-byte region at 0xFFFFF000 (end 0xFFFFF100) does not
 * "fit", and neither does a 512-byte app block there. With the end exactly
 * at 2^32 both sides are 0 and it fits (overlap_refusal).
 */
START_TEST(fit_check_wraps)
{
    uint32_t s = 0xDEAD, z = 0xDEAD;

    gs_ref_mpu_empty(&m4, regs);
    alloc_fails(&m4, 0xFFFFF000u, 0x2000, 0x100, GS_REF_NONE);
    ck_assert_int_eq(gs_ref_allocate_app_memory_region(&m4, regs, 0xFFFFF000u, 0x2000, 0, 32, 100,
                                                       GS_REF_RW, &s, &z),
                     GS_REF_NONE);
    ck_assert_uint_eq(s, 0xDEAD);
    /* Without the wrap both succeed. */
    ck_assert_uint_eq(alloc_ok(&m4, 0xFFFFE000u, 0x1000, 0x100, GS_REF_RW, 0x100), 0xFFFFE000u);
    ck_assert_int_eq(gs_ref_allocate_app_memory_region(&m4, regs, 0xFFFFF000u, 0x800, 0, 32, 100,
                                                       GS_REF_RW, &s, &z),
                     GS_REF_OK);
    ck_assert_uint_eq(s, 0xFFFFF000u);
    ck_assert_uint_eq(z, 512);
}
END_TEST

START_TEST(running_out_of_regions)
{
    unsigned i;

    /* Cortex-M4: regions 2..7, six allocations. */
    gs_ref_mpu_empty(&m4, regs);
    for (i = 2; i < 8; i++) {
        alloc_ok(&m4, 0x20010000 + i * 0x100, 0x100, 0x100, GS_REF_RW, 0x100);
        ck_assert_uint_eq(regs[i].rbar, (0x20010000 + i * 0x100) | 0x10 | i);
    }
    alloc_fails(&m4, 0x20020000, 0x100, 0x100, GS_REF_NONE);
    /* Cortex-M7: regions 2..15. */
    gs_ref_mpu_empty(&m7, regs);
    for (i = 2; i < 16; i++)
        alloc_ok(&m7, 0x20010000 + i * 0x100, 0x100, 0x100, GS_REF_RW, 0x100);
    ck_assert_uint_eq(regs[15].rbar, (0x20010000 + 15 * 0x100) | 0x10 | 15);
    alloc_fails(&m7, 0x20020000, 0x100, 0x100, GS_REF_NONE);
}
END_TEST

/*
 * Cortex-M0+ (MIN_REGION_SIZE 256): 0x20004120 is rounded up to
 * 0x20004200 and 64 bytes up to 256, a power of two dividing it: region
 * (0x20004200, 256), SIZE 7 -> 0x0F. It needs room to 0x20004300. The M4
 * serves the same request from subregions (table_6_6).
 */
START_TEST(m0plus_minimum_256)
{
    gs_ref_mpu_empty(&m0p, regs);
    alloc_fails(&m0p, 0x20004120, 0x100, 64, GS_REF_NONE);
    ck_assert_uint_eq(alloc_ok(&m0p, 0x20004120, 0x1E0, 64, GS_REF_RW, 256), 0x20004200);
    assert_region(2, 0x20004200, 256, 0x20004212, 0x1300000F);
    /* Flash at 0x00030000 of 0x8000 is the same as on the M4. */
    ck_assert_uint_eq(alloc_ok(&m0p, 0x00030000, 0x8000, 0x8000, GS_REF_RX, 0x8000), 0x00030000);
    assert_region(3, 0x00030000, 0x8000, 0x00030013, 0x0200001D);
    /* A 32-byte request becomes 256 bytes. */
    ck_assert_uint_eq(alloc_ok(&m0p, 0x20008000, 0x100, 32, GS_REF_RW, 256), 0x20008000);
}
END_TEST

START_TEST(permissions_encoding)
{
    static const struct {
        enum gs_ref_perm perm;
        uint32_t bits; /* AP << 24 | XN << 28 */
    } t[] = {
        {GS_REF_RWX, 0x03000000}, {GS_REF_RW, 0x13000000}, {GS_REF_RX, 0x02000000},
        {GS_REF_R, 0x12000000},   {GS_REF_X, 0x01000000},
    };
    unsigned i;

    for (i = 0; i < NACT(t); i++) {
        gs_ref_mpu_empty(&m4, regs);
        alloc_ok(&m4, 0x20004000, 0x100, 0x100, t[i].perm, 0x100);
        /* ENABLE | SIZE 7 << 1 = 0x0F, no SRD. */
        ck_assert_uint_eq(regs[2].rasr, t[i].bits | 0x0F);
    }
}
END_TEST

START_TEST(remove_region_rules)
{
    gs_ref_mpu_empty(&m4, regs);
    alloc_flash(&m4);
    alloc_example_1_4(&m4);
    /* Regions 0 and 1 cannot be removed. */
    save_regs();
    ck_assert_int_eq(gs_ref_remove_memory_region(&m4, regs, 0x20004000, 0x1000), GS_REF_NONE);
    /* No exact match (same start, other size). */
    ck_assert_int_eq(gs_ref_remove_memory_region(&m4, regs, 0x00030000, 0x4000), GS_REF_NONE);
    assert_regs_unchanged();
    /*
     * A region with region 1's future location: region 1 is empty, so the
     * allocation succeeds as region 3; once brk enables region 1 at the same
     * location, remove finds region 1 first and refuses.
     */
    ck_assert_uint_eq(alloc_ok(&m4, 0x20005000, 0x1000, 0x1000, GS_REF_RW, 0x1000), 0x20005000);
    ck_assert_int_eq(gs_ref_update_app_memory_region(&m4, regs, 0x20005400, 0x20005AB0, GS_REF_RW),
                     GS_REF_OK);
    ck_assert_int_eq(gs_ref_remove_memory_region(&m4, regs, 0x20005000, 0x1000), GS_REF_NONE);
    ck_assert(regs[3].used);
    ck_assert_int_eq(gs_ref_remove_memory_region(&m4, regs, 0x00030000, 0x8000), GS_REF_OK);
    assert_empty(2);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("refmpu");
    TCase *tc = tb_tcase("refmpu");

    tcase_add_test(tc, srd_mask_matches_the_fold);
    tcase_add_test(tc, empty_config);
    tcase_add_test(tc, worked_example_1_4);
    tcase_add_test(tc, update_refusals);
    tcase_add_test(tc, update_at_region_start_wraps);
    tcase_add_test(tc, update_below_region_start_wraps);
    tcase_add_test(tc, update_past_block_masks_shift);
    tcase_add_test(tc, floor_plus_one_versus_ceil_and_512_minimum);
    tcase_add_test(tc, doubling_head_versus_2_2);
    tcase_add_test(tc, doubling_wraps_block_size_to_zero);
    tcase_add_test(tc, region_numbers_flash_then_ipc);
    tcase_add_test(tc, table_6_6);
    tcase_add_test(tc, power_of_two_fallback);
    tcase_add_test(tc, start_zero);
    tcase_add_test(tc, remainder_by_zero_panics);
    tcase_add_test(tc, po2_of_zero_head_versus_2_2);
    tcase_add_test(tc, region_new_refuses_small_logical_size);
    tcase_add_test(tc, overlap_refusal);
    tcase_add_test(tc, fit_check_wraps);
    tcase_add_test(tc, running_out_of_regions);
    tcase_add_test(tc, m0plus_minimum_256);
    tcase_add_test(tc, permissions_encoding);
    tcase_add_test(tc, remove_region_rules);
    suite_add_tcase(s, tc);
    return tb_run(s);
}
