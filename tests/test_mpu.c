/* SPDX-License-Identifier: MIT */
/*
 * Tock's Cortex-M MPU algorithm (TOCK-REFERENCE section 6) and the PMSAv7
 * hardware model. Register values are the ones the reference gives.
 */
#include <string.h>

#include "helpers.h"
#include "mpu.h"
#include "pmsav7.h"

static struct gs_mpu mpu;
static struct gs_mpu_config cfg;

static void setup(void)
{
    ck_assert_int_eq(gs_mpu_init(&mpu, 8, 32, false), GS_OK);
    ck_assert_int_eq(gs_mpu_new_config(&mpu, &cfg), GS_OK);
}

START_TEST(init_rejects_bad_geometry)
{
    struct gs_mpu x;

    ck_assert_int_eq(gs_mpu_init(&x, 7, 32, false), GS_E_ARG);
    ck_assert_int_eq(gs_mpu_init(&x, 8, 48, false), GS_E_ARG);
    ck_assert_int_eq(gs_mpu_init(&x, 8, 16, false), GS_E_ARG);
    ck_assert_int_eq(gs_mpu_init(&x, 16, 256, false), GS_OK);
}
END_TEST

START_TEST(new_config_ids_and_empty_regions)
{
    struct gs_mpu_config c2;

    ck_assert_uint_eq(cfg.id, 1); /* config_count starts at NonZeroUsize::MIN */
    ck_assert_int_eq(gs_mpu_new_config(&mpu, &c2), GS_OK);
    ck_assert_uint_eq(c2.id, 2);
    for (unsigned i = 0; i < 8; i++) {
        ck_assert(!cfg.regions[i].used);
        ck_assert_uint_eq(cfg.regions[i].rbar, 0x10 | i);
        ck_assert_uint_eq(cfg.regions[i].rasr, 0);
    }
}
END_TEST

/* TOCK-REFERENCE 1.4: the worked example, register by register. */
START_TEST(worked_example_app_region)
{
    uint32_t start, size, fs, fz;
    /* G = 15, PCB 920: initial kernel memory 1372. */
    ck_assert_int_eq(
        gs_mpu_allocate_region(&mpu, &cfg, 0x30000, 0x2000, 0x2000, GS_PERM_RX, &fs, &fz), GS_OK);
    ck_assert_int_eq(gs_mpu_allocate_app_memory_region(&mpu, &cfg, 0x20004000, 0x10000, 4096 + 1372,
                                                       32, 1372, GS_PERM_RW, &start, &size),
                     GS_OK);
    ck_assert_uint_eq(start, 0x20004000);
    ck_assert_uint_eq(size, 8192);
    ck_assert_uint_eq(cfg.regions[0].rbar, 0x20004010);
    ck_assert_uint_eq(cfg.regions[0].rasr, 0x1300FE17);
    ck_assert_uint_eq(cfg.regions[1].rbar, 0x00000011);
    ck_assert_uint_eq(cfg.regions[1].rasr, 0);
    ck_assert_uint_eq(gs_mpu_app_subregions(&cfg), 1);

    ck_assert_int_eq(
        gs_mpu_update_app_memory_region(&mpu, &cfg, 0x20005000, 0x20005AB0, GS_PERM_RW, NULL),
        GS_OK);
    ck_assert_uint_eq(cfg.regions[0].rasr, 0x13000017);
    ck_assert_int_eq(
        gs_mpu_update_app_memory_region(&mpu, &cfg, 0x20005400, 0x20005AB0, GS_PERM_RW, NULL),
        GS_OK);
    ck_assert_uint_eq(cfg.regions[1].rbar, 0x20005011);
    ck_assert_uint_eq(cfg.regions[1].rasr, 0x1300FC17);
    ck_assert_int_eq(
        gs_mpu_update_app_memory_region(&mpu, &cfg, 0x20005A00, 0x20005AB0, GS_PERM_RW, NULL),
        GS_OK);
    ck_assert_uint_eq(cfg.regions[1].rasr, 0x1300E017);
    ck_assert_uint_eq(gs_mpu_app_subregions(&cfg), 13);
    /* 14 subregions would end at 0x20005C00, above the kernel break: refused, unchanged. */
    ck_assert_int_eq(
        gs_mpu_update_app_memory_region(&mpu, &cfg, 0x20005A10, 0x20005AB0, GS_PERM_RW, NULL),
        GS_E_OUT_OF_MEMORY);
    ck_assert_uint_eq(cfg.regions[1].rasr, 0x1300E017);
    /* app break above kernel break is refused too. */
    ck_assert_int_eq(
        gs_mpu_update_app_memory_region(&mpu, &cfg, 0x20005AB4, 0x20005AB0, GS_PERM_RW, NULL),
        GS_E_OUT_OF_MEMORY);
}
END_TEST

/* PR #2435: an exact subregion boundary does not pull in the next subregion. */
START_TEST(update_exact_boundary_uses_ceiling)
{
    uint32_t start, size;

    ck_assert_int_eq(gs_mpu_allocate_app_memory_region(&mpu, &cfg, 0x20004000, 0x10000, 5468, 32,
                                                       1372, GS_PERM_RW, &start, &size),
                     GS_OK);
    /* 0x20004200 is exactly one 512-byte subregion: 1 enabled, not 2. */
    ck_assert_int_eq(
        gs_mpu_update_app_memory_region(&mpu, &cfg, 0x20004200, 0x20004200, GS_PERM_RW, NULL),
        GS_OK);
    ck_assert_uint_eq(gs_mpu_app_subregions(&cfg), 1);
    ck_assert_int_eq(
        gs_mpu_update_app_memory_region(&mpu, &cfg, 0x20004201, 0x20004400, GS_PERM_RW, NULL),
        GS_OK);
    ck_assert_uint_eq(gs_mpu_app_subregions(&cfg), 2);
}
END_TEST

/* brk(memory_start): upstream's `0 - 1` wraps and the fold leaves SRD = 0xFF. */
START_TEST(update_with_zero_subregions_reproduces_wrap)
{
    uint32_t start, size;
    bool wrapped = false;

    ck_assert_int_eq(gs_mpu_allocate_app_memory_region(&mpu, &cfg, 0x20004000, 0x10000, 5468, 32,
                                                       1372, GS_PERM_RW, &start, &size),
                     GS_OK);
    ck_assert_int_eq(
        gs_mpu_update_app_memory_region(&mpu, &cfg, 0x20004000, 0x20005000, GS_PERM_RW, &wrapped),
        GS_OK);
    ck_assert(wrapped);
    ck_assert_uint_eq(cfg.regions[0].rasr, 0x1300FF17);
    ck_assert_uint_eq(gs_mpu_app_subregions(&cfg), 0);
    ck_assert(!cfg.regions[1].used);
}
END_TEST

START_TEST(small_blocks_round_up_to_512)
{
    uint32_t start, size;

    ck_assert_int_eq(gs_mpu_allocate_app_memory_region(&mpu, &cfg, 0x20000100, 0x1000, 100, 32, 40,
                                                       GS_PERM_RW, &start, &size),
                     GS_OK);
    ck_assert_uint_eq(size, 512);
    ck_assert_uint_eq(start, 0x20000100); /* aligned to region_size = 256 */
    /* n = 32 * 8 / 256 + 1 = 2: floor + 1, not ceil. */
    ck_assert_uint_eq(gs_mpu_app_subregions(&cfg), 2);
    ck_assert_uint_eq(cfg.regions[0].rasr & 0xFF00, 0xFC00);
}
END_TEST

START_TEST(app_region_needs_room_and_no_overlap)
{
    uint32_t start, size;

    /* Block would end past the pool. */
    ck_assert_int_eq(gs_mpu_allocate_app_memory_region(&mpu, &cfg, 0x20004000, 0x1000, 5468, 32,
                                                       1372, GS_PERM_RW, &start, &size),
                     GS_E_OUT_OF_MEMORY);
    ck_assert(!cfg.regions[0].used);
    /* A region overlapping the pool blocks the allocation. */
    ck_assert_int_eq(
        gs_mpu_allocate_region(&mpu, &cfg, 0x20008000, 0x100, 0x100, GS_PERM_RW, &start, &size),
        GS_OK);
    ck_assert_int_eq(gs_mpu_allocate_app_memory_region(&mpu, &cfg, 0x20004000, 0x10000, 5468, 32,
                                                       1372, GS_PERM_RW, &start, &size),
                     GS_E_OUT_OF_MEMORY);
}
END_TEST

/* TOCK-REFERENCE 6.6 examples. */
START_TEST(allocate_region_examples)
{
    uint32_t s, z;

    ck_assert_int_eq(
        gs_mpu_allocate_region(&mpu, &cfg, 0x00030000, 0x8000, 0x8000, GS_PERM_RX, &s, &z), GS_OK);
    ck_assert_uint_eq(cfg.regions[2].rbar, 0x00030012);
    ck_assert_uint_eq(cfg.regions[2].rasr, 0x0200001D);
    ck_assert_uint_eq(s, 0x30000);
    ck_assert_uint_eq(z, 0x8000);

    ck_assert_int_eq(gs_mpu_allocate_region(&mpu, &cfg, 0x20004100, 64, 64, GS_PERM_RW, &s, &z),
                     GS_OK);
    ck_assert_uint_eq(cfg.regions[3].rbar, 0x20004113);
    ck_assert_uint_eq(cfg.regions[3].rasr, 0x1300000B);

    /* Subregions of a 256-byte physical region. */
    ck_assert_int_eq(gs_mpu_allocate_region(&mpu, &cfg, 0x20005120, 64, 64, GS_PERM_RW, &s, &z),
                     GS_OK);
    ck_assert_uint_eq(cfg.regions[4].rbar, 0x20005114);
    ck_assert_uint_eq(cfg.regions[4].rasr, 0x1300F90F);
    ck_assert_uint_eq(s, 0x20005120);
    ck_assert_uint_eq(z, 64);

    /* Unaligned 10-byte buffer: the 32-byte region cannot fit in [start, start+10). */
    ck_assert_int_eq(gs_mpu_allocate_region(&mpu, &cfg, 0x20004104, 10, 10, GS_PERM_RW, &s, &z),
                     GS_E_OUT_OF_MEMORY);
    /* An identical region overlaps an existing one and fails. */
    ck_assert_int_eq(gs_mpu_allocate_region(&mpu, &cfg, 0x20004100, 64, 64, GS_PERM_RW, &s, &z),
                     GS_E_OUT_OF_MEMORY);
}
END_TEST

START_TEST(allocate_region_advances_a_full_size)
{
    uint32_t s, z;

    /*
     * 96 bytes at 0x20004040: sub = 64, region 512 at 0x20004000 ends at 0x20004200 >= end
     * -> subregions 1..2 (size rounded to 128).
     */
    ck_assert_int_eq(gs_mpu_allocate_region(&mpu, &cfg, 0x20004040, 0x200, 96, GS_PERM_RW, &s, &z),
                     GS_OK);
    ck_assert_uint_eq(s, 0x20004040);
    ck_assert_uint_eq(z, 128);
    ck_assert_uint_eq((cfg.regions[2].rasr >> 8) & 0xFF, 0xF9);
    /*
     * 48 bytes at 0x20006020 (sub = 32 -> region 256 at 0x20006000, enough) -> subregions;
     * 48 bytes at 0x200070E0: sub = 32, region 256 ends at 0x20007100 < 0x20007140, so the
     * po2 path: size 64, start += 64 - (0x200070E0 % 64) = 0x20007100.
     */
    ck_assert_int_eq(gs_mpu_allocate_region(&mpu, &cfg, 0x200070E0, 0x100, 48, GS_PERM_RW, &s, &z),
                     GS_OK);
    ck_assert_uint_eq(s, 0x20007100);
    ck_assert_uint_eq(z, 64);
    /*
     * 256 bytes at 0x20009020: not size-aligned, and the 256-byte region at 0x20009000
     * cannot hold it, so the po2 path moves the start up to 0x20009100.
     * (TOCK-REFERENCE 6.6's "advances by a full size even when aligned" cannot happen:
     * an aligned start implies sub >= size, so the subregion path always fits.)
     */
    ck_assert_int_eq(
        gs_mpu_allocate_region(&mpu, &cfg, 0x20009020, 0x1000, 0x100, GS_PERM_RW, &s, &z), GS_OK);
    ck_assert_uint_eq(s, 0x20009100);
    ck_assert_uint_eq(z, 0x100);
}
END_TEST

START_TEST(allocate_region_runs_out_of_numbers)
{
    uint32_t s, z;

    for (unsigned i = 0; i < 6; i++)
        ck_assert_int_eq(gs_mpu_allocate_region(&mpu, &cfg, 0x20010000 + i * 0x100, 0x100, 0x100,
                                                GS_PERM_RW, &s, &z),
                         GS_OK);
    ck_assert_int_eq(
        gs_mpu_allocate_region(&mpu, &cfg, 0x20020000, 0x100, 0x100, GS_PERM_RW, &s, &z),
        GS_E_OUT_OF_MEMORY);
    /* Removing one frees its number; regions 0 and 1 cannot be removed. */
    ck_assert_int_eq(gs_mpu_remove_region(&mpu, &cfg, 0x20010300, 0x100), GS_OK);
    ck_assert(!cfg.regions[5].used);
    ck_assert_int_eq(
        gs_mpu_allocate_region(&mpu, &cfg, 0x20020000, 0x100, 0x100, GS_PERM_RW, &s, &z), GS_OK);
    ck_assert(cfg.regions[5].used);
    ck_assert_int_eq(gs_mpu_remove_region(&mpu, &cfg, 0x1, 0x100), GS_E_ARG);
}
END_TEST

/* An underlying region of 2^32 bytes wraps to 0 and upstream panics on `% 0`. */
START_TEST(allocate_region_wrap_panics)
{
    uint32_t s = 0, z = 0;

    ck_assert_int_eq(gs_mpu_allocate_region(&mpu, &cfg, 0x20000000, 0x1000, 48, GS_PERM_RW, &s, &z),
                     GS_E_PANIC);
    ck_assert_ptr_nonnull(mpu.panic_msg);
    ck_assert_ptr_nonnull(strstr(mpu.panic_msg, "divisor of zero"));
    ck_assert(!cfg.regions[2].used);
}
END_TEST

/*
 * A size that wraps to 0 at the top of the address space reaches the
 * power-of-two fallback with 0: HEAD's next_power_of_two(0) = 1 and the
 * region is refused; release-2.2's closest_power_of_two(0) = 0 and
 * `start % 0` panics. start 0xFFFFFF00: sub 0x100, underlying region
 * 0xFFFFF800 + 0x800 wraps to 0 < end, so the subregion path is not taken.
 */
START_TEST(allocate_region_po2_of_zero_head_vs_2_2)
{
    struct gs_mpu m22;
    struct gs_mpu_config c22;
    uint32_t s = 0, z = 0;

    ck_assert_int_eq(
        gs_mpu_allocate_region(&mpu, &cfg, 0xFFFFFF00, 0x100, 0xFFFFFFF0, GS_PERM_RW, &s, &z),
        GS_E_OUT_OF_MEMORY);
    ck_assert_int_eq(gs_mpu_init(&m22, 8, 32, true), GS_OK);
    ck_assert_int_eq(gs_mpu_new_config(&m22, &c22), GS_OK);
    ck_assert_int_eq(
        gs_mpu_allocate_region(&m22, &c22, 0xFFFFFF00, 0x100, 0xFFFFFFF0, GS_PERM_RW, &s, &z),
        GS_E_PANIC);
    ck_assert_ptr_nonnull(strstr(m22.panic_msg, "divisor of zero"));
    ck_assert(!c22.regions[2].used);
}
END_TEST

/* Issue #4366: release-2.2 doubles only region_size; HEAD doubles the block too. */
START_TEST(doubling_bug_4366)
{
    struct gs_mpu m22;
    struct gs_mpu_config c22;
    uint32_t s, z;

    /* init_kernel 460: 2 subregions of 32 end at +64 > 512 - 460: the block doubles. */
    ck_assert_int_eq(gs_mpu_allocate_app_memory_region(&mpu, &cfg, 0x20000000, 0x10000, 492, 32,
                                                       460, GS_PERM_RW, &s, &z),
                     GS_OK);
    ck_assert_uint_eq(z, 1024);
    ck_assert_uint_eq(cfg.regions[0].rasr & 0x3E, 8 << 1); /* 512-byte regions */

    ck_assert_int_eq(gs_mpu_init(&m22, 8, 32, true), GS_OK);
    ck_assert_int_eq(gs_mpu_new_config(&m22, &c22), GS_OK);
    ck_assert_int_eq(gs_mpu_allocate_app_memory_region(&m22, &c22, 0x20000000, 0x10000, 492, 32,
                                                       460, GS_PERM_RW, &s, &z),
                     GS_OK);
    /* 2.2: block stays 512 although each region is now 512 bytes. */
    ck_assert_uint_eq(z, 512);
    ck_assert_uint_eq(c22.regions[0].rasr & 0x3E, 8 << 1);
    /* Subregion 0 = [0x20000000, 0x20000040) but the kernel break is 0x20000034. */
}
END_TEST

START_TEST(configure_skips_unchanged_config)
{
    uint32_t s, z;

    ck_assert_int_eq(
        gs_mpu_allocate_region(&mpu, &cfg, 0x00030000, 0x8000, 0x8000, GS_PERM_RX, &s, &z), GS_OK);
    ck_assert(gs_mpu_configure(&mpu, &cfg));
    ck_assert_uint_eq(gs_pmsav7_read(&mpu.hw, GS_MPU_TYPE), 8 << 8);
    ck_assert_uint_eq(mpu.hw.rbar[2], 0x00030000);
    ck_assert_uint_eq(mpu.hw.rasr[2], 0x0200001D);
    ck_assert(!gs_mpu_configure(&mpu, &cfg)); /* same id, not dirty */
    ck_assert_int_eq(gs_mpu_allocate_region(&mpu, &cfg, 0x20004100, 64, 64, GS_PERM_RW, &s, &z),
                     GS_OK);
    ck_assert(gs_mpu_configure(&mpu, &cfg)); /* dirty again */
    gs_mpu_enable(&mpu);
    ck_assert_uint_eq(gs_pmsav7_read(&mpu.hw, GS_MPU_CTRL), 0x5);
    gs_mpu_disable(&mpu);
    ck_assert_uint_eq(gs_pmsav7_read(&mpu.hw, GS_MPU_CTRL), 0);
}
END_TEST

/* --- PMSAv7 hardware decisions --- */

static struct gs_pmsav7 hw;

static void set_region(unsigned n, uint32_t base, unsigned size_log2, unsigned srd, unsigned ap,
                       bool xn)
{
    gs_pmsav7_write(&hw, GS_MPU_RBAR, base | GS_RBAR_VALID | n);
    gs_pmsav7_write(&hw, GS_MPU_RASR,
                    1u | ((size_log2 - 1) << 1) | (srd << 8) | (ap << 24) | (xn ? GS_RASR_XN : 0));
}

static void hw_setup(void)
{
    gs_pmsav7_init(&hw, 8);
}

START_TEST(hw_disabled_allows_everything)
{
    ck_assert(gs_pmsav7_allows(&hw, 0x20000000, 4, GS_ACC_WRITE, false, NULL));
    ck_assert(gs_pmsav7_allows(&hw, 0x1000, 2, GS_ACC_EXEC, false, NULL));
}
END_TEST

START_TEST(hw_ap_table)
{
    /* priv rights, unpriv rights for AP 0..7 (R=1, W=2). */
    static const unsigned priv[8] = {0, 3, 3, 3, 0, 1, 1, 1}, unpriv[8] = {0, 0, 1, 3, 0, 0, 1, 1};

    gs_pmsav7_write(&hw, GS_MPU_CTRL, GS_MPU_CTRL_ENABLE);
    for (unsigned ap = 0; ap < 8; ap++) {
        set_region(0, 0x20000000, 10, 0, ap, true);
        ck_assert_uint_eq(gs_pmsav7_rights(&hw, 0x20000010, true), priv[ap]);
        ck_assert_uint_eq(gs_pmsav7_rights(&hw, 0x20000010, false), unpriv[ap]);
    }
    /* Execute needs read permission and XN = 0. */
    set_region(0, 0x20000000, 10, 0, 2, false);
    ck_assert(gs_pmsav7_allows(&hw, 0x20000010, 2, GS_ACC_EXEC, false, NULL));
    set_region(0, 0x20000000, 10, 0, 1, false);
    ck_assert(!gs_pmsav7_allows(&hw, 0x20000010, 2, GS_ACC_EXEC, false, NULL));
    ck_assert(gs_pmsav7_allows(&hw, 0x20000010, 2, GS_ACC_EXEC, true, NULL));
}
END_TEST

START_TEST(hw_subregions_priority_and_background)
{
    uint32_t fault = 0;

    gs_pmsav7_write(&hw, GS_MPU_CTRL, GS_MPU_CTRL_ENABLE | GS_MPU_CTRL_PRIVDEFENA);
    /* Region 0: 4 KiB RW with subregions 0..1 enabled (SRD 0xFC). */
    set_region(0, 0x20004000, 12, 0xFC, 3, true);
    ck_assert(gs_pmsav7_allows(&hw, 0x20004000, 0x400, GS_ACC_WRITE, false, NULL));
    ck_assert(!gs_pmsav7_allows(&hw, 0x200043FE, 4, GS_ACC_WRITE, false, &fault));
    ck_assert_uint_eq(fault, 0x20004400); /* straddling access: the first refused byte */
    /* Background: privileged yes (PRIVDEFENA), unprivileged no. */
    ck_assert(gs_pmsav7_allows(&hw, 0x20004400, 4, GS_ACC_WRITE, true, NULL));
    gs_pmsav7_write(&hw, GS_MPU_CTRL, GS_MPU_CTRL_ENABLE);
    ck_assert(!gs_pmsav7_allows(&hw, 0x20004400, 4, GS_ACC_WRITE, true, NULL));
    /* A higher-numbered read-only region overrides region 0 where it matches. */
    set_region(5, 0x20004100, 8, 0, 6, true);
    ck_assert_int_eq(gs_pmsav7_region_for(&hw, 0x20004180), 5);
    ck_assert(!gs_pmsav7_allows(&hw, 0x20004180, 4, GS_ACC_WRITE, false, NULL));
    ck_assert(gs_pmsav7_allows(&hw, 0x20004180, 4, GS_ACC_READ, false, NULL));
    /* ...but a disabled subregion of the higher region falls through to region 0. */
    set_region(5, 0x20004000, 9, 0x01, 6, true);
    ck_assert_int_eq(gs_pmsav7_region_for(&hw, 0x20004010), 0);
    ck_assert(gs_pmsav7_allows(&hw, 0x20004010, 4, GS_ACC_WRITE, false, NULL));
    /* A base that is not size-aligned is masked as the hardware does. */
    set_region(6, 0x20008020, 8, 0, 3, true);
    ck_assert_int_eq(gs_pmsav7_region_for(&hw, 0x20008000), 6);
    ck_assert(!gs_pmsav7_allows(&hw, 0xFFFFFFFE, 4, GS_ACC_READ, true, NULL)); /* wraps */
}
END_TEST

START_TEST(hw_spans)
{
    struct gs_pmsav7_span sp[8];
    unsigned n;

    gs_pmsav7_write(&hw, GS_MPU_CTRL, GS_MPU_CTRL_ENABLE | GS_MPU_CTRL_PRIVDEFENA);
    set_region(0, 0x20004000, 12, 0xFC, 3, true); /* RW [0x20004000, 0x20004400) */
    set_region(2, 0x00030000, 13, 0, 2, false);   /* RX [0x30000, 0x32000) */
    n = gs_pmsav7_unpriv_spans(&hw, 0x20000000, 0x20010000, sp, 8);
    ck_assert_uint_eq(n, 3);
    ck_assert_uint_eq(sp[0].rights, 0);
    ck_assert_uint_eq(sp[1].start, 0x20004000);
    ck_assert_uint_eq(sp[1].end, 0x20004400);
    ck_assert_uint_eq(sp[1].rights, GS_ACC_READ | GS_ACC_WRITE);
    ck_assert_uint_eq(sp[2].rights, 0);
    n = gs_pmsav7_unpriv_spans(&hw, 0, 0x100000000ull, sp, 8);
    ck_assert_uint_eq(n, 5);
    ck_assert_uint_eq(sp[1].start, 0x30000);
    ck_assert_uint_eq(sp[1].rights, GS_ACC_READ | GS_ACC_EXEC);
    /* Too small an output array still returns the full count. */
    ck_assert_uint_eq(gs_pmsav7_unpriv_spans(&hw, 0, 0x100000000ull, sp, 2), 5);
}
END_TEST

START_TEST(hw_register_interface)
{
    ck_assert(!gs_pmsav7_write(&hw, 0xE000E000, 1));
    gs_pmsav7_write(&hw, GS_MPU_RNR, 3);
    gs_pmsav7_write(&hw, GS_MPU_RBAR, 0x20000000); /* VALID = 0: uses RNR */
    gs_pmsav7_write(&hw, GS_MPU_RASR, 0x1300000B);
    ck_assert_uint_eq(hw.rbar[3], 0x20000000);
    ck_assert_uint_eq(gs_pmsav7_read(&hw, GS_MPU_RBAR), 0x20000003);
    gs_pmsav7_write(&hw, GS_MPU_RBAR, 0x20000019); /* VALID, region 9 >= 8: ignored */
    ck_assert(hw.unpredictable);
    ck_assert_uint_eq(hw.rnr, 3);
    ck_assert_str_eq(gs_pmsav7_ap_name(2), "UnprivilegedReadOnly");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("mpu");
    TCase *tc = tb_tcase("tock-mpu");
    TCase *th = tb_tcase("pmsav7");

    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, init_rejects_bad_geometry);
    tcase_add_test(tc, new_config_ids_and_empty_regions);
    tcase_add_test(tc, worked_example_app_region);
    tcase_add_test(tc, update_exact_boundary_uses_ceiling);
    tcase_add_test(tc, update_with_zero_subregions_reproduces_wrap);
    tcase_add_test(tc, small_blocks_round_up_to_512);
    tcase_add_test(tc, app_region_needs_room_and_no_overlap);
    tcase_add_test(tc, allocate_region_examples);
    tcase_add_test(tc, allocate_region_advances_a_full_size);
    tcase_add_test(tc, allocate_region_runs_out_of_numbers);
    tcase_add_test(tc, allocate_region_wrap_panics);
    tcase_add_test(tc, allocate_region_po2_of_zero_head_vs_2_2);
    tcase_add_test(tc, doubling_bug_4366);
    tcase_add_test(tc, configure_skips_unchanged_config);
    suite_add_tcase(s, tc);

    tcase_add_checked_fixture(th, hw_setup, NULL);
    tcase_add_test(th, hw_disabled_allows_everything);
    tcase_add_test(th, hw_ap_table);
    tcase_add_test(th, hw_subregions_priority_and_background);
    tcase_add_test(th, hw_spans);
    tcase_add_test(th, hw_register_interface);
    suite_add_tcase(s, th);
    return tb_run(s);
}
