/* SPDX-License-Identifier: MIT */
/*
 * refmpu.h - an independent reference model of Tock's Cortex-M MPU region
 * allocation (arch/cortex-m/src/mpu.rs, trait kernel/src/platform/mpu.rs),
 * written from TOCK-REFERENCE section 6 and upstream, for use as an oracle
 * against the kernel's own MPU driver (mpu.h). It shares no code with it.
 *
 * Scope: the pure computations of allocate_region, remove_memory_region,
 * allocate_app_memory_region and update_app_memory_region on one config
 * (an array of regions). No hardware, no config ids, no dirty flag.
 *
 * Arithmetic is that of a Tock release build on a 32-bit target: Tock's
 * [profile.release] (Cargo.toml) sets no overflow-checks, so usize/u32
 * add, sub and mul wrap, `u32::next_power_of_two` wraps to 0 above 2^31, and
 * shifts mask their amount to the operand width. What still panics in a
 * release build (a remainder by zero) is reported as GS_REF_PANIC.
 *
 * Every function takes the MPU constants `m` (num_regions 2..16,
 * min_region_size nonzero: asserted, these are board constants, not input)
 * and a config `regs[]` of at least m->num_regions entries, of which it
 * reads and writes only the first m->num_regions.
 *
 * Error contract shared by every function: on GS_REF_NONE and GS_REF_PANIC
 * the regions and the out-parameters are left unchanged; out-parameters are
 * written only on GS_REF_OK.
 */
#ifndef GS_REFMPU_H
#define GS_REFMPU_H

#include <stdbool.h>
#include <stdint.h>

/* Largest NUM_REGIONS of an MPU<NUM_REGIONS, MIN_REGION_SIZE> (Cortex-M7). */
#define GS_REF_MPU_MAX_REGIONS 16

/*
 * CortexMRegion: `used` is location().is_some(); start/size the logical
 * location (meaningless when !used); rbar/rasr the values configure_mpu would
 * write (base_address() and attributes()).
 */
struct gs_ref_region {
    bool used;
    uint32_t start, size;
    uint32_t rbar, rasr;
};

/* The constants of one MPU<NUM_REGIONS, MIN_REGION_SIZE> instance. */
struct gs_ref_mpu {
    unsigned num_regions;     /* NUM_REGIONS: 8 (M0+/M3/M4) or 16 (M7); 2..16 accepted */
    uint32_t min_region_size; /* MIN_REGION_SIZE: 32 (M3/M4/M7) or 256 (M0+); nonzero */
    /*
     * release-2.2 allocate_app_memory_region (tock#4366, fixed by PR #4384):
     * the doubling step doubles region_size but not memory_size_po2.
     */
    bool bug_4366;
    /*
     * release-2.2 rounds up with math::closest_power_of_two
     * (kernel/src/utilities/math.rs at release-2.2) where HEAD calls
     * u32::next_power_of_two. In a release build the two agree except for
     * an input of 0: 2.2 gives 0, HEAD gives 1. The only place that can see
     * a 0 is allocate_region's power-of-two fallback after its size wrapped
     * to 0, where 2.2 then panics (`start % 0`) and HEAD returns None.
     * A 2.2 profile sets both this and bug_4366.
     */
    bool closest_po2;
};

/* mpu::Permissions (kernel/src/platform/mpu.rs), in declaration order. */
enum gs_ref_perm {
    GS_REF_RWX, /* ReadWriteExecute: AP 0b011, XN 0 */
    GS_REF_RW,  /* ReadWriteOnly:    AP 0b011, XN 1 */
    GS_REF_RX,  /* ReadExecuteOnly:  AP 0b010, XN 0 */
    GS_REF_R,   /* ReadOnly:         AP 0b010, XN 1 */
    GS_REF_X,   /* ExecuteOnly:      AP 0b001, XN 0 */
};

enum gs_ref_result {
    GS_REF_OK,
    GS_REF_NONE,  /* upstream returns None / Err(()) */
    GS_REF_PANIC, /* upstream panics even in a release build (remainder by zero) */
};

/*
 * An empty config (reset_config): regs[n] = CortexMRegion::empty(n) for
 * n < m->num_regions, i.e. used = false, RBAR = VALID | n, RASR = 0. Entries
 * from m->num_regions up to GS_REF_MPU_MAX_REGIONS do not exist upstream;
 * they are zeroed and never read by the other functions.
 */
void gs_ref_mpu_empty(const struct gs_ref_mpu *m,
                      struct gs_ref_region regs[GS_REF_MPU_MAX_REGIONS]);

/*
 * allocate_region(start, avail, min_size, perm): refuses (NONE) when any
 * used region overlaps [start, start + avail) or no region number > 1 is
 * unused; otherwise places a region of at least min_size bytes at or above
 * start (aligned to MIN_REGION_SIZE, through subregions of a larger region
 * if needed) in the first unused number > 1. NONE when the logical region
 * does not end by start + avail (wrapping sums) or CortexMRegion::new
 * refuses it. PANIC when upstream divides by zero: a start whose 8 x
 * (1 << trailing_zeros) wraps to 0 (e.g. 0x20000000) with a size that is not
 * a power of two, or a size rounded up past 2^31.
 * On OK, *out_start / *out_size get the logical region (mpu::Region).
 */
enum gs_ref_result gs_ref_allocate_region(const struct gs_ref_mpu *m, struct gs_ref_region regs[],
                                          uint32_t start, uint32_t avail, uint32_t min_size,
                                          enum gs_ref_perm perm, uint32_t *out_start,
                                          uint32_t *out_size);

/*
 * remove_memory_region(Region(start, size)): the first region (lowest
 * number) whose logical location is exactly (start, size) becomes
 * CortexMRegion::empty. NONE when no region matches or the first match is
 * region 0 or 1 (upstream returns Err(()) then, even if a higher region also
 * matches).
 */
enum gs_ref_result gs_ref_remove_memory_region(const struct gs_ref_mpu *m,
                                               struct gs_ref_region regs[], uint32_t start,
                                               uint32_t size);

/*
 * allocate_app_memory_region(start, avail, min_mem, init_app, init_kernel,
 * perm): regions 0 and 1 over a power-of-two block at or above start
 * (TOCK-REFERENCE 6.4). NONE when a used region overlaps [start, start +
 * avail), the block does not end by start + avail, or CortexMRegion::new
 * refuses a region. On OK, *out_start / *out_size get the block start and
 * size (with HEAD's doubling the size can wrap to 0 for a 2^31 block).
 */
enum gs_ref_result gs_ref_allocate_app_memory_region(const struct gs_ref_mpu *m,
                                                     struct gs_ref_region regs[], uint32_t start,
                                                     uint32_t avail, uint32_t min_mem,
                                                     uint32_t init_app, uint32_t init_kernel,
                                                     enum gs_ref_perm perm, uint32_t *out_start,
                                                     uint32_t *out_size);

/*
 * update_app_memory_region(app_break, kernel_break, perm): rebuilds regions
 * 0 and 1 from region 0's logical location so that ceil((app_break -
 * start) / subregion) subregions are enabled (TOCK-REFERENCE 6.5). NONE when
 * region 0 is unused, app_break > kernel_break, or the enabled subregions
 * would end above kernel_break. PANIC only for a region 0 smaller than 8
 * bytes (division by zero), which upstream never builds.
 * Quirk kept: app_break == region start enables 0 subregions; upstream's
 * `0 - 1` wraps and its mask fold over 2^32 indices leaves SRD = 0xFF, so
 * region 0 is enabled with every subregion disabled.
 */
enum gs_ref_result gs_ref_update_app_memory_region(const struct gs_ref_mpu *m,
                                                   struct gs_ref_region regs[], uint32_t app_break,
                                                   uint32_t kernel_break, enum gs_ref_perm perm);

/*
 * The SRD byte CortexMRegion::new builds for Some((lo, hi)): start from
 * 0xFF and, for every i in lo..=hi, flip bit (i mod 8) (a u8 `1 << i` with
 * the shift amount masked). An empty range (lo > hi) gives 0xFF. Computed in
 * closed form, so hi - lo may be up to 2^32 - 1. Exposed for tests.
 */
uint8_t gs_ref_srd_mask(uint32_t lo, uint32_t hi);

#endif
