/* SPDX-License-Identifier: MIT */
/*
 * refmpu.c - reference model of Tock's Cortex-M MPU region allocation
 * (arch/cortex-m/src/mpu.rs at HEAD, with the release-2.2 differences as
 * options). Every step names the upstream function it follows.
 *
 * usize is 32 bits on the target, so every upstream usize is a uint32_t
 * here and C's unsigned wrap-around is the release build's wrap-around.
 * Nothing is clever on purpose: this code checks the kernel's driver, so it
 * follows upstream's order of operations, including the steps that wrap.
 */
#include <assert.h>

#include "refmpu.h"

/* CORTEXM_MIN_REGION_SIZE (arch/cortex-m/src/mpu.rs): smallest logical region. */
#define REF_CORTEXM_MIN_REGION_SIZE 32u

/* APP_MEMORY_REGION_MAX_NUM (arch/cortex-m/src/mpu.rs): regions 0..1 are app RAM. */
#define REF_APP_MEMORY_REGION_MAX_NUM 1u

/* RegionBaseAddress fields (register_bitfields! in arch/cortex-m/src/mpu.rs). */
#define REF_RBAR_ADDR_SHIFT 5u        /* ADDR OFFSET(5) NUMBITS(27) */
#define REF_RBAR_VALID      (1u << 4) /* VALID OFFSET(4), UseRBAR = 1 */
#define REF_RBAR_REGION_MSK 0xFu      /* REGION OFFSET(0) NUMBITS(4) */

/* RegionAttributes fields (same file). */
#define REF_RASR_ENABLE   1u /* ENABLE OFFSET(0) NUMBITS(1) */
#define REF_RASR_SIZE_SH  1u /* SIZE OFFSET(1) NUMBITS(5) */
#define REF_RASR_SIZE_MSK 0x1Fu
#define REF_RASR_SRD_SH   8u  /* SRD OFFSET(8) NUMBITS(8) */
#define REF_RASR_AP_SH    24u /* AP OFFSET(24) NUMBITS(3) */
#define REF_RASR_XN_SH    28u /* XN OFFSET(28): Enable (may execute) = 0, Disable = 1 */
#define REF_AP_PRIV_ONLY  1u  /* AP::PrivilegedOnly */
#define REF_AP_UNPRIV_RO  2u  /* AP::UnprivilegedReadOnly */
#define REF_AP_READ_WRITE 3u  /* AP::ReadWrite */

static void ref_check_mpu(const struct gs_ref_mpu *m)
{
    assert(m->num_regions >= 2 && m->num_regions <= GS_REF_MPU_MAX_REGIONS);
    assert(m->min_region_size != 0);
    (void)m;
}

/* u32::trailing_zeros: 32 for 0. */
static uint32_t ref_trailing_zeros(uint32_t x)
{
    uint32_t n = 0;

    if (x == 0)
        return 32;
    while ((x & 1u) == 0) {
        x >>= 1;
        n++;
    }
    return n;
}

/* u32::count_ones. */
static unsigned ref_count_ones(uint32_t x)
{
    unsigned n = 0;

    for (; x != 0; x >>= 1)
        n += x & 1u;
    return n;
}

/* All bits below and including the highest set bit of x. */
static uint32_t ref_smear(uint32_t x)
{
    x |= x >> 1;
    x |= x >> 2;
    x |= x >> 4;
    x |= x >> 8;
    x |= x >> 16;
    return x;
}

/*
 * u32::next_power_of_two with overflow checks off (core): 1 for 0 and 1,
 * wraps to 0 above 2^31.
 */
static uint32_t ref_next_power_of_two(uint32_t x)
{
    if (x <= 1)
        return 1;
    return ref_smear(x - 1) + 1;
}

/*
 * math::closest_power_of_two at release-2.2 (kernel/src/utilities/math.rs):
 * decrement, smear, increment, all wrapping: 0 gives 0.
 */
static uint32_t ref_closest_power_of_two(uint32_t x)
{
    return ref_smear(x - 1) + 1;
}

/* The rounding up to a power of two of this profile (HEAD or release-2.2). */
static uint32_t ref_po2(const struct gs_ref_mpu *m, uint32_t x)
{
    return m->closest_po2 ? ref_closest_power_of_two(x) : ref_next_power_of_two(x);
}

/* math::log_base_two (kernel/src/utilities/math.rs): floor(log2), 0 for 0. */
static uint32_t ref_log_base_two(uint32_t x)
{
    uint32_t n = 0;

    while (x > 1) {
        x >>= 1;
        n++;
    }
    return n;
}

/*
 * u32::next_multiple_of(rhs) with overflow checks off (core): x when rhs
 * divides x, else x + (rhs - x % rhs), wrapping. rhs == 0 panics (remainder
 * by zero); every caller here passes a nonzero rhs, which is asserted.
 */
static uint32_t ref_next_multiple_of(uint32_t x, uint32_t rhs)
{
    assert(rhs != 0);
    if (x % rhs == 0)
        return x;
    return x + (rhs - x % rhs);
}

/* u32::div_ceil (core): rhs != 0 checked by the caller. */
static uint32_t ref_div_ceil(uint32_t x, uint32_t rhs)
{
    return x / rhs + (x % rhs != 0 ? 1u : 0u);
}

uint8_t gs_ref_srd_mask(uint32_t lo, uint32_t hi)
{
    /*
     * CortexMRegion::new folds `res ^ (1 << i)` over i in lo..=hi starting
     * from u8::MAX. The literal 1 is a u8, and a release build masks the
     * shift amount to 3 bits, so index i flips bit (i & 7). Bit j ends up
     * flipped once per index of the range congruent to j mod 8. Split the
     * range into its first (count % 8) indices, lo, lo + 1, ..., and then
     * count / 8 runs of 8 consecutive indices, each flipping every bit once.
     */
    uint8_t mask = 0xFF;
    uint64_t count, runs;
    unsigned head, j;

    if (lo > hi)
        return mask;               /* an empty RangeInclusive folds nothing */
    count = (uint64_t)hi - lo + 1; /* up to 2^32 */
    runs = count / 8;
    head = (unsigned)(count % 8);
    for (j = 0; j < 8; j++) {
        uint64_t flips = runs + (((j - lo) & 7u) < head ? 1u : 0u);

        if (flips & 1u)
            mask ^= (uint8_t)(1u << j);
    }
    return mask;
}

/* CortexMRegion::empty(n). */
static struct gs_ref_region ref_region_empty(unsigned n)
{
    struct gs_ref_region r = {0};

    r.used = false;
    r.rbar = REF_RBAR_VALID | ((uint32_t)n & REF_RBAR_REGION_MSK);
    r.rasr = 0; /* ENABLE::CLEAR */
    return r;
}

/*
 * CortexMRegion::new(logical_start, logical_size, region_start, region_size,
 * region_num, subregions, permissions). Returns false for upstream's None:
 * logical_size < CORTEXM_MIN_REGION_SIZE or region_size < logical_size.
 * subregions is Some((lo, hi)) when has_sub.
 */
static bool ref_region_new(struct gs_ref_region *out, uint32_t logical_start, uint32_t logical_size,
                           uint32_t region_start, uint32_t region_size, unsigned region_num,
                           bool has_sub, uint32_t lo, uint32_t hi, enum gs_ref_perm perm)
{
    uint32_t ap, xn, size_value;
    struct gs_ref_region r = {0};

    if (logical_size < REF_CORTEXM_MIN_REGION_SIZE || region_size < logical_size)
        return false;

    /* The permissions match of CortexMRegion::new. */
    switch (perm) {
    case GS_REF_RWX:
        ap = REF_AP_READ_WRITE;
        xn = 0;
        break;
    case GS_REF_RW:
        ap = REF_AP_READ_WRITE;
        xn = 1;
        break;
    case GS_REF_RX:
        ap = REF_AP_UNPRIV_RO;
        xn = 0;
        break;
    case GS_REF_R:
        ap = REF_AP_UNPRIV_RO;
        xn = 1;
        break;
    case GS_REF_X:
    default:
        assert(perm == GS_REF_X);
        ap = REF_AP_PRIV_ONLY;
        xn = 0;
        break;
    }

    /* ADDR.val(region_start >> 5) + VALID::UseRBAR + REGION.val(num). */
    r.rbar = ((region_start >> REF_RBAR_ADDR_SHIFT) << REF_RBAR_ADDR_SHIFT) | REF_RBAR_VALID |
             ((uint32_t)region_num & REF_RBAR_REGION_MSK);

    /*
     * SIZE.val(log_base_two(region_size) - 1): FieldValue::new masks the
     * value to the field, so the (unreachable, region_size >= 32) wrap of
     * log 0 - 1 would give 31.
     */
    size_value = ref_log_base_two(region_size) - 1;
    r.rasr = REF_RASR_ENABLE | ((size_value & REF_RASR_SIZE_MSK) << REF_RASR_SIZE_SH) |
             (ap << REF_RASR_AP_SH) | (xn << REF_RASR_XN_SH);
    /* Only Some(subregions) adds an SRD field; None leaves SRD = 0 (all enabled). */
    if (has_sub)
        r.rasr |= (uint32_t)gs_ref_srd_mask(lo, hi) << REF_RASR_SRD_SH;

    r.used = true;
    r.start = logical_start;
    r.size = logical_size;
    *out = r;
    return true;
}

/* CortexMRegion::overlaps(other_start, other_size): half-open, wrapping ends. */
static bool ref_overlaps(const struct gs_ref_region *r, uint32_t other_start, uint32_t other_size)
{
    uint32_t other_end = other_start + other_size;
    uint32_t region_end;

    if (!r->used)
        return false;
    region_end = r->start + r->size;
    return r->start < other_end && other_start < region_end;
}

/* The "no previously allocated region overlaps" loop over config.regions. */
static bool ref_any_overlap(const struct gs_ref_mpu *m, const struct gs_ref_region regs[],
                            uint32_t start, uint32_t size)
{
    unsigned i;

    for (i = 0; i < m->num_regions; i++)
        if (ref_overlaps(&regs[i], start, size))
            return true;
    return false;
}

void gs_ref_mpu_empty(const struct gs_ref_mpu *m, struct gs_ref_region regs[GS_REF_MPU_MAX_REGIONS])
{
    unsigned i;
    struct gs_ref_region zero = {0};

    ref_check_mpu(m);
    for (i = 0; i < GS_REF_MPU_MAX_REGIONS; i++)
        regs[i] = i < m->num_regions ? ref_region_empty(i) : zero;
}

/* allocate_region in arch/cortex-m/src/mpu.rs, step by step. */
enum gs_ref_result gs_ref_allocate_region(const struct gs_ref_mpu *m, struct gs_ref_region regs[],
                                          uint32_t start, uint32_t avail, uint32_t min_size,
                                          enum gs_ref_perm perm, uint32_t *out_start,
                                          uint32_t *out_size)
{
    uint32_t s, size, region_start, region_size, lo = 0, hi = 0;
    bool has_sub = false;
    unsigned num, region_num = 0;
    struct gs_ref_region r;

    ref_check_mpu(m);

    /* 1. No used region may overlap [start, start + avail). */
    if (ref_any_overlap(m, regs, start, avail))
        return GS_REF_NONE;

    /* 2. CortexMConfig::unused_region_number: first unused number > 1. */
    for (num = REF_APP_MEMORY_REGION_MAX_NUM + 1; num < m->num_regions; num++) {
        if (!regs[num].used) {
            region_num = num;
            break;
        }
    }
    if (region_num == 0)
        return GS_REF_NONE;

    /* 3. Align the start to MIN_REGION_SIZE (wrapping), size at least it. */
    s = ref_next_multiple_of(start, m->min_region_size);
    size = min_size;
    if (size < m->min_region_size)
        size = m->min_region_size;

    region_start = s;
    region_size = size;

    /*
     * 4. Not a power of two, or start not a multiple of it. size is nonzero
     * here, so `is_multiple_of` (HEAD) and `%` (2.2) agree.
     */
    if (ref_count_ones(size) > 1 || s % size != 0) {
        uint32_t tz = ref_trailing_zeros(s);
        uint32_t sub, under_size, under_start, end, under_end;

        if (tz < 32) {
            sub = 1u << tz; /* largest power of two dividing s */
        } else {
            /* s == 0: ceil = max(256, po2(size)), sub = ceil / 8. */
            uint32_t ceil = ref_po2(m, size);

            if (ceil < 256)
                ceil = 256;
            sub = ceil / 8;
        }
        under_size = sub * 8; /* wraps to 0 when tz >= 29 */
        if (under_size == 0)
            return GS_REF_PANIC; /* `start % underlying_region_size`: remainder by zero */
        under_start = s - (s % under_size);

        size = ref_next_multiple_of(size, sub); /* sub != 0; may wrap */

        end = s + size;
        under_end = under_start + under_size;

        if (sub >= 32 && under_end >= end) {
            /* Subregions [lo, hi] of the underlying region. */
            lo = (s - under_start) / sub;
            hi = lo + size / sub - 1; /* wraps if size wrapped to 0; new() refuses it */
            region_start = under_start;
            region_size = under_size;
            has_sub = true;
        } else {
            /*
             * Round size up to a power of two and move the start up by
             * `size - start % size`: a full size even when s was aligned.
             */
            size = ref_po2(m, size);
            if (size == 0)
                return GS_REF_PANIC; /* `start % size`: remainder by zero */
            s += size - (s % size);
            region_start = s;
            region_size = size;
        }
    }

    /* 5. The logical region must end by start + avail (both sums wrap). */
    if (s + size > start + avail)
        return GS_REF_NONE;

    /* 6. CortexMRegion::new (None refuses), then store it. */
    if (!ref_region_new(&r, s, size, region_start, region_size, region_num, has_sub, lo, hi, perm))
        return GS_REF_NONE;
    regs[region_num] = r;
    *out_start = s;
    *out_size = size;
    return GS_REF_OK;
}

/* remove_memory_region in arch/cortex-m/src/mpu.rs (PartialEq<mpu::Region>). */
enum gs_ref_result gs_ref_remove_memory_region(const struct gs_ref_mpu *m,
                                               struct gs_ref_region regs[], uint32_t start,
                                               uint32_t size)
{
    unsigned i;

    ref_check_mpu(m);
    for (i = 0; i < m->num_regions; i++) {
        if (regs[i].used && regs[i].start == start && regs[i].size == size) {
            if (i <= REF_APP_MEMORY_REGION_MAX_NUM)
                return GS_REF_NONE;
            regs[i] = ref_region_empty(i);
            return GS_REF_OK;
        }
    }
    return GS_REF_NONE;
}

/*
 * Regions 0 and 1 over [region_start, region_start + 2 * region_size) with
 * n subregions enabled from the bottom: the tail shared by
 * allocate_app_memory_region and update_app_memory_region. n0 = min(n, 8)
 * and n1 = n.saturating_sub(8); region 0 always gets Some((0, n0 - 1)) (the
 * subtraction wraps for n0 == 0), region 1 is empty when n1 == 0.
 * Returns false when CortexMRegion::new refuses either region.
 */
static bool ref_app_regions(struct gs_ref_region *r0, struct gs_ref_region *r1,
                            uint32_t region_start, uint32_t region_size, uint32_t n,
                            enum gs_ref_perm perm)
{
    uint32_t n0 = n < 8 ? n : 8;
    uint32_t n1 = n > 8 ? n - 8 : 0;

    if (!ref_region_new(r0, region_start, region_size, region_start, region_size, 0, true, 0,
                        n0 - 1, perm))
        return false;
    if (n1 == 0) {
        *r1 = ref_region_empty(1); /* "We cannot have a completely unused MPU region" */
        return true;
    }
    return ref_region_new(r1, region_start + region_size, region_size, region_start + region_size,
                          region_size, 1, true, 0, n1 - 1, perm);
}

/* allocate_app_memory_region in arch/cortex-m/src/mpu.rs, step by step. */
enum gs_ref_result gs_ref_allocate_app_memory_region(const struct gs_ref_mpu *m,
                                                     struct gs_ref_region regs[], uint32_t start,
                                                     uint32_t avail, uint32_t min_mem,
                                                     uint32_t init_app, uint32_t init_kernel,
                                                     enum gs_ref_perm perm, uint32_t *out_start,
                                                     uint32_t *out_size)
{
    uint32_t memory_size, po2, exponent, region_size, region_start, n, sub;
    uint32_t enabled_end, kernel_break;
    struct gs_ref_region r0, r1;

    ref_check_mpu(m);

    /* 1. No used region may overlap [start, start + avail). */
    if (ref_any_overlap(m, regs, start, avail))
        return GS_REF_NONE;

    /* 2. memory_size = max(min_mem, init_app + init_kernel) (the sum wraps). */
    memory_size = init_app + init_kernel;
    if (min_mem > memory_size)
        memory_size = min_mem;

    /* 3. A power of two (0 above 2^31); at least 512; log2 > 32 cannot happen. */
    po2 = ref_po2(m, memory_size);
    exponent = ref_log_base_two(po2);
    if (exponent < 9)
        po2 = 512;
    else if (exponent > 32)
        return GS_REF_NONE; /* dead code upstream: log_base_two(u32) <= 31 */

    /* 4. Two regions of half the block each, the start aligned up to one. */
    region_size = po2 / 2;
    region_start = ref_next_multiple_of(start, region_size); /* region_size >= 256 */

    /* 5. floor(init_app * 8 / region_size) + 1 subregions (not a ceil). */
    n = init_app * 8 / region_size + 1;
    sub = region_size / 8;

    /* 6. If they reach the initial kernel break, double the block. */
    enabled_end = region_start + n * sub;
    kernel_break = region_start + po2 - init_kernel;
    if (enabled_end > kernel_break) {
        if (!m->bug_4366)
            po2 *= 2; /* added by PR #4384 (after release-2.2); wraps to 0 for 2^31 */
        region_size *= 2;
        region_start = ref_next_multiple_of(region_start, region_size);
        n = init_app * 8 / region_size + 1;
    }

    /* 7. The block must end by start + avail (both sums wrap). */
    if (region_start + po2 > start + avail)
        return GS_REF_NONE;

    /* 8. Regions 0 and 1, stored only if both are built. */
    if (!ref_app_regions(&r0, &r1, region_start, region_size, n, perm))
        return GS_REF_NONE;
    regs[0] = r0;
    regs[1] = r1;
    *out_start = region_start;
    *out_size = po2;
    return GS_REF_OK;
}

/* update_app_memory_region in arch/cortex-m/src/mpu.rs (same at release-2.2). */
enum gs_ref_result gs_ref_update_app_memory_region(const struct gs_ref_mpu *m,
                                                   struct gs_ref_region regs[], uint32_t app_break,
                                                   uint32_t kernel_break, enum gs_ref_perm perm)
{
    uint32_t region_start, region_size, app_size, sub, n;
    struct gs_ref_region r0, r1;

    ref_check_mpu(m);

    /* 1. Region 0's logical location, or Err. */
    if (!regs[0].used)
        return GS_REF_NONE;
    region_start = regs[0].start;
    region_size = regs[0].size;

    /* 2. Out of memory. */
    if (app_break > kernel_break)
        return GS_REF_NONE;

    /* 3. n = div_ceil(app_break - region_start, region_size / 8) (wrapping difference). */
    app_size = app_break - region_start;
    sub = region_size / 8;
    if (sub == 0)
        return GS_REF_PANIC; /* div_ceil by zero; region 0 is never that small */
    n = ref_div_ceil(app_size, sub);

    /* 4. The enabled subregions must not end above the kernel break (wrapping). */
    if (region_start + sub * n > kernel_break)
        return GS_REF_NONE;

    /* 5. Rebuild regions 0 and 1; n == 0 gives region 0 SRD = 0xFF. */
    if (!ref_app_regions(&r0, &r1, region_start, region_size, n, perm))
        return GS_REF_NONE;
    regs[0] = r0;
    regs[1] = r1;
    return GS_REF_OK;
}
