/* SPDX-License-Identifier: MIT */
/*
 * Tock's Cortex-M MPU driver, arch/cortex-m/src/mpu.rs (tock HEAD 65608d717,
 * TOCK-REFERENCE section 6). All arithmetic is 32-bit and wraps as a release
 * build does; see mpu.h.
 */
#include "mpu.h"

#include <string.h>

#include "errors.h"

/* CORTEXM_MIN_REGION_SIZE (arch/cortex-m/src/mpu.rs). */
#define CORTEXM_MIN_REGION_SIZE 32u
/* APP_MEMORY_REGION_MAX_NUM: regions 0 and 1 hold app RAM. */
#define APP_MEMORY_REGION_MAX_NUM 1u

#define PANIC(mpu, msg)                                                                            \
    do {                                                                                           \
        (mpu)->panic_msg = (msg);                                                                  \
        return GS_E_PANIC;                                                                         \
    } while (0)

/* u32::next_power_of_two in release: 0 and 1 give 1, overflow wraps to 0. */
static uint32_t np2(uint32_t x)
{
    uint32_t p = 1;

    if (x > 0x80000000u)
        return 0;
    while (p < x)
        p <<= 1;
    return p;
}

/*
 * release-2.2's math::closest_power_of_two (kernel/src/utilities/math.rs at
 * release-2.2): decrement, smear the bits right, increment, all wrapping in
 * release. Equal to np2 except for 0, which gives 0 (np2 gives 1).
 */
static uint32_t closest_po2(uint32_t x)
{
    x -= 1;
    x |= x >> 1;
    x |= x >> 2;
    x |= x >> 4;
    x |= x >> 8;
    x |= x >> 16;
    return x + 1;
}

/* checked_ilog2().unwrap_or(0) (kernel/src/utilities/math.rs log_base_two). */
static uint32_t ilog2(uint32_t x)
{
    uint32_t r = 0;

    while (x >>= 1)
        r++;
    return r;
}

static unsigned popcount(uint32_t x)
{
    unsigned n = 0;

    for (; x; x &= x - 1)
        n++;
    return n;
}

static unsigned ctz(uint32_t x)
{
    unsigned n = 0;

    if (x == 0)
        return 32;
    while (!(x & 1)) {
        x >>= 1;
        n++;
    }
    return n;
}

/* usize::next_multiple_of(m) in release: wraps; the caller ensures m != 0. */
static uint32_t next_mult(uint32_t x, uint32_t m)
{
    uint32_t r = x % m;

    return r == 0 ? x : x + (m - r);
}

/*
 * The SRD mask of CortexMRegion::new for subregions [lo..=hi]: starting from
 * 0xFF, toggle bit (i & 7) for every i in the range (`1 << i` on a u8 masks
 * the shift amount in release). Computed in closed form because the range can
 * hold 2^32 values (see gs_mpu_update_app_memory_region).
 */
static uint32_t srd_fold(uint32_t lo, uint32_t hi)
{
    uint32_t mask = 0xFF;

    if (lo > hi)
        return mask;
    for (unsigned bit = 0; bit < 8; bit++) {
        /* How many i in [lo, hi] have (i & 7) == bit? */
        uint64_t first = lo + ((bit - (lo & 7)) & 7);
        uint64_t n = first > hi ? 0 : ((uint64_t)hi - first) / 8 + 1;
        if (n & 1)
            mask ^= 1u << bit;
    }
    return mask;
}

/* The region-number field of RBAR and the permissions (AP, XN) of a perm value. */
static void perm_bits(enum gs_mpu_perm perm, uint32_t *ap, uint32_t *xn)
{
    switch (perm) {
    case GS_PERM_RWX:
        *ap = 3, *xn = 0;
        break;
    case GS_PERM_RW:
        *ap = 3, *xn = 1;
        break;
    case GS_PERM_RX:
        *ap = 2, *xn = 0;
        break;
    case GS_PERM_R:
        *ap = 2, *xn = 1;
        break;
    case GS_PERM_X:
    default:
        *ap = 1, *xn = 0;
        break;
    }
}

/*
 * CortexMRegion::new. Returns false (None) if the logical size is under 32
 * or larger than the physical region.
 */
static bool region_new(struct gs_mpu_region *out, uint32_t logical_start, uint32_t logical_size,
                       uint32_t region_start, uint32_t region_size, unsigned num, bool has_sub,
                       uint32_t sub_lo, uint32_t sub_hi, enum gs_mpu_perm perm)
{
    uint32_t ap, xn, size_value, rasr;

    if (logical_size < CORTEXM_MIN_REGION_SIZE || region_size < logical_size)
        return false;
    perm_bits(perm, &ap, &xn);
    size_value = (ilog2(region_size) - 1) & 0x1F;
    rasr = 1u | (size_value << 1) | (ap << 24) | (xn << 28);
    if (has_sub)
        rasr |= srd_fold(sub_lo, sub_hi) << 8;
    out->used = true;
    out->start = logical_start;
    out->size = logical_size;
    out->rbar = (region_start & ~0x1Fu) | GS_RBAR_VALID | (num & 0xF);
    out->rasr = rasr;
    return true;
}

/* CortexMRegion::empty. */
static void region_empty(struct gs_mpu_region *r, unsigned num)
{
    r->used = false;
    r->start = r->size = 0;
    r->rbar = GS_RBAR_VALID | (num & 0xF);
    r->rasr = 0;
}

/* CortexMRegion::overlaps, with usize sums wrapping as in release. */
static bool region_overlaps(const struct gs_mpu_region *r, uint32_t start, uint32_t size)
{
    uint32_t other_end = start + size;
    uint32_t region_end = r->start + r->size;

    if (!r->used)
        return false;
    return r->start < other_end && start < region_end;
}

static bool any_overlap(const struct gs_mpu_config *cfg, uint32_t start, uint32_t size)
{
    for (unsigned i = 0; i < cfg->num_regions; i++)
        if (region_overlaps(&cfg->regions[i], start, size))
            return true;
    return false;
}

int gs_mpu_init(struct gs_mpu *mpu, unsigned num_regions, uint32_t min_region_size, bool release_22)
{
    if (!mpu || (num_regions != 8 && num_regions != 16) || min_region_size < 32 ||
        popcount(min_region_size) != 1)
        return GS_E_ARG;
    memset(mpu, 0, sizeof(*mpu));
    mpu->num_regions = num_regions;
    mpu->min_region_size = min_region_size;
    mpu->bug_4366 = release_22;
    mpu->closest_po2 = release_22;
    mpu->config_count = 1;
    gs_pmsav7_init(&mpu->hw, num_regions);
    return GS_OK;
}

int gs_mpu_new_config(struct gs_mpu *mpu, struct gs_mpu_config *cfg)
{
    /* config_count.checked_add(1)? */
    if (mpu->config_count == UINT32_MAX)
        return GS_E_MPU_CONFIG;
    memset(cfg, 0, sizeof(*cfg));
    cfg->id = mpu->config_count++;
    cfg->num_regions = mpu->num_regions;
    gs_mpu_reset_config(mpu, cfg);
    return GS_OK;
}

void gs_mpu_reset_config(struct gs_mpu *mpu, struct gs_mpu_config *cfg)
{
    (void)mpu;
    for (unsigned i = 0; i < cfg->num_regions; i++)
        region_empty(&cfg->regions[i], i);
    cfg->dirty = true;
}

static int allocate_region(struct gs_mpu *mpu, struct gs_mpu_config *cfg, uint32_t mem_start,
                           uint32_t mem_size, uint32_t min_size, enum gs_mpu_perm perm,
                           uint32_t *out_start, uint32_t *out_size)
{
    const uint32_t MIN = mpu->min_region_size;
    uint32_t start, size, region_start, region_size, sub_lo = 0, sub_hi = 0;
    bool has_sub = false;
    int num = -1;
    struct gs_mpu_region r;

    if (any_overlap(cfg, mem_start, mem_size))
        return GS_E_OUT_OF_MEMORY;
    /* unused_region_number(): first region > APP_MEMORY_REGION_MAX_NUM without a location. */
    for (unsigned i = APP_MEMORY_REGION_MAX_NUM + 1; i < cfg->num_regions; i++) {
        if (!cfg->regions[i].used) {
            num = (int)i;
            break;
        }
    }
    if (num < 0)
        return GS_E_OUT_OF_MEMORY;

    start = next_mult(mem_start, MIN);
    size = min_size < MIN ? MIN : min_size;
    region_start = start;
    region_size = size;

    if (popcount(size) > 1 || start % size != 0) {
        /* Subregion size: the largest power of two dividing start. */
        uint32_t sub, ureg, ustart, end, uend;
        if (start != 0) {
            sub = 1u << ctz(start);
        } else {
            uint32_t ceil = np2(size);
            if (ceil < 256)
                ceil = 256;
            sub = ceil / 8;
        }
        ureg = sub * 8; /* wraps to 0 when sub = 2^29 or more */
        if (ureg == 0)
            PANIC(mpu, "attempt to calculate the remainder with a divisor of zero "
                       "(allocate_region: underlying region size wrapped to 0)");
        ustart = start - (start % ureg);
        size = next_mult(size, sub);
        end = start + size;
        uend = ustart + ureg;
        if (sub >= 32 && uend >= end) {
            sub_lo = (start - ustart) / sub;
            sub_hi = sub_lo + size / sub - 1;
            region_start = ustart;
            region_size = ureg;
            has_sub = true;
        } else {
            /* Quirk kept: start advances by a full size even when aligned. */
            size = mpu->closest_po2 ? closest_po2(size) : np2(size);
            if (size == 0)
                PANIC(mpu, "attempt to calculate the remainder with a divisor of zero "
                           "(allocate_region: size rounded to a power of two wrapped to 0)");
            start += size - (start % size);
            region_start = start;
            region_size = size;
        }
    }

    if (start + size > mem_start + mem_size)
        return GS_E_OUT_OF_MEMORY;
    if (!region_new(&r, start, size, region_start, region_size, (unsigned)num, has_sub, sub_lo,
                    sub_hi, perm))
        return GS_E_OUT_OF_MEMORY;
    cfg->regions[num] = r;
    cfg->dirty = true;
    *out_start = start;
    *out_size = size;
    return GS_OK;
}

static int remove_region(struct gs_mpu *mpu, struct gs_mpu_config *cfg, uint32_t start,
                         uint32_t size)
{
    (void)mpu;
    for (unsigned i = 0; i < cfg->num_regions; i++) {
        const struct gs_mpu_region *r = &cfg->regions[i];
        if (r->used && r->start == start && r->size == size) {
            if (i <= APP_MEMORY_REGION_MAX_NUM)
                return GS_E_ARG;
            region_empty(&cfg->regions[i], i);
            cfg->dirty = true;
            return GS_OK;
        }
    }
    return GS_E_ARG;
}

/* Builds regions 0 and 1 for `n` enabled subregions; false if either fails. */
static bool app_regions(struct gs_mpu_region *r0, struct gs_mpu_region *r1, uint32_t region_start,
                        uint32_t region_size, uint32_t n, enum gs_mpu_perm perm)
{
    uint32_t n0 = n < 8 ? n : 8;
    uint32_t n1 = n > 8 ? n - 8 : 0;

    /* `n0 - 1` wraps when n == 0; srd_fold then reproduces upstream's result. */
    if (!region_new(r0, region_start, region_size, region_start, region_size, 0, true, 0, n0 - 1,
                    perm))
        return false;
    if (n1 == 0) {
        region_empty(r1, 1);
        return true;
    }
    return region_new(r1, region_start + region_size, region_size, region_start + region_size,
                      region_size, 1, true, 0, n1 - 1, perm);
}

static int allocate_app_memory_region(struct gs_mpu *mpu, struct gs_mpu_config *cfg,
                                      uint32_t mem_start, uint32_t mem_size, uint32_t min_mem,
                                      uint32_t init_app, uint32_t init_kernel,
                                      enum gs_mpu_perm perm, uint32_t *out_start,
                                      uint32_t *out_size)
{
    uint32_t memory_size, po2, exponent, region_size, region_start, n, sub, sub_end, kbreak;
    struct gs_mpu_region r0, r1;

    if (any_overlap(cfg, mem_start, mem_size))
        return GS_E_OUT_OF_MEMORY;

    memory_size = init_app + init_kernel;
    if (min_mem > memory_size)
        memory_size = min_mem;
    po2 = np2(memory_size);
    exponent = ilog2(po2);
    if (exponent < 9)
        po2 = 512; /* two regions of at least 256 bytes, to use subregions */
    /* (exponent > 32 cannot happen with a u32.) */

    region_size = po2 / 2;
    region_start = next_mult(mem_start, region_size);
    n = init_app * 8 / region_size + 1; /* floor + 1, as upstream */
    sub = region_size / 8;
    sub_end = region_start + n * sub;
    kbreak = region_start + po2 - init_kernel;
    if (sub_end > kbreak) {
        /* Double the block. release-2.2 doubled only region_size (#4366). */
        if (!mpu->bug_4366)
            po2 *= 2;
        region_size *= 2;
        if (region_size == 0)
            PANIC(mpu, "attempt to calculate the remainder with a divisor of zero "
                       "(allocate_app_memory_region: region size wrapped to 0)");
        region_start = next_mult(region_start, region_size);
        n = init_app * 8 / region_size + 1;
    }
    if (region_start + po2 > mem_start + mem_size)
        return GS_E_OUT_OF_MEMORY;
    if (!app_regions(&r0, &r1, region_start, region_size, n, perm))
        return GS_E_OUT_OF_MEMORY;
    cfg->regions[0] = r0;
    cfg->regions[1] = r1;
    cfg->dirty = true;
    *out_start = region_start;
    *out_size = po2;
    return GS_OK;
}

static int update_app_memory_region(struct gs_mpu *mpu, struct gs_mpu_config *cfg,
                                    uint32_t app_break, uint32_t kernel_break,
                                    enum gs_mpu_perm perm, bool *wrapped)
{
    const struct gs_mpu_region *reg0 = &cfg->regions[0];
    uint32_t region_start, region_size, app_size, sub, n, sub_end;
    struct gs_mpu_region r0, r1;

    if (!reg0->used)
        return GS_E_OUT_OF_MEMORY;
    region_start = reg0->start;
    region_size = reg0->size;
    if (app_break > kernel_break)
        return GS_E_OUT_OF_MEMORY;
    app_size = app_break - region_start;
    sub = region_size / 8;
    if (sub == 0)
        PANIC(mpu, "attempt to divide by zero (update_app_memory_region: subregion size 0)");
    n = app_size / sub + (app_size % sub != 0); /* div_ceil */
    sub_end = region_start + sub * n;
    if (sub_end > kernel_break)
        return GS_E_OUT_OF_MEMORY;
    if (!app_regions(&r0, &r1, region_start, region_size, n, perm))
        return GS_E_OUT_OF_MEMORY;
    if (wrapped)
        *wrapped = (n == 0);
    cfg->regions[0] = r0;
    cfg->regions[1] = r1;
    cfg->dirty = true;
    return GS_OK;
}

/* ---- the public calls: the functions above, reported to the oracle hook ---- */

void gs_mpu_set_check(struct gs_mpu *mpu, gs_mpu_check_fn fn, void *ctx)
{
    mpu->check = fn;
    mpu->check_ctx = ctx;
}

/* Reports one call to the hook (the caller copied the config before it). */
static void report_op(struct gs_mpu *mpu, struct gs_mpu_op *op, const struct gs_mpu_config *before,
                      const struct gs_mpu_config *after, int err, const uint32_t *out_start,
                      const uint32_t *out_size)
{
    op->before = before;
    op->after = after;
    op->err = err;
    if (err == GS_OK && out_start && out_size) {
        op->out_start = *out_start;
        op->out_size = *out_size;
    }
    mpu->check(mpu->check_ctx, op);
}

int gs_mpu_allocate_region(struct gs_mpu *mpu, struct gs_mpu_config *cfg, uint32_t mem_start,
                           uint32_t mem_size, uint32_t min_size, enum gs_mpu_perm perm,
                           uint32_t *out_start, uint32_t *out_size)
{
    struct gs_mpu_config before;
    struct gs_mpu_op op = {
        .kind = GS_MPU_OP_ALLOCATE_REGION, .args = {mem_start, mem_size, min_size}, .perm = perm};
    int err;

    if (!mpu->check)
        return allocate_region(mpu, cfg, mem_start, mem_size, min_size, perm, out_start, out_size);
    before = *cfg;
    err = allocate_region(mpu, cfg, mem_start, mem_size, min_size, perm, out_start, out_size);
    report_op(mpu, &op, &before, cfg, err, out_start, out_size);
    return err;
}

int gs_mpu_remove_region(struct gs_mpu *mpu, struct gs_mpu_config *cfg, uint32_t start,
                         uint32_t size)
{
    struct gs_mpu_config before;
    struct gs_mpu_op op = {.kind = GS_MPU_OP_REMOVE_REGION, .args = {start, size}};
    int err;

    if (!mpu->check)
        return remove_region(mpu, cfg, start, size);
    before = *cfg;
    err = remove_region(mpu, cfg, start, size);
    report_op(mpu, &op, &before, cfg, err, NULL, NULL);
    return err;
}

int gs_mpu_allocate_app_memory_region(struct gs_mpu *mpu, struct gs_mpu_config *cfg,
                                      uint32_t mem_start, uint32_t mem_size, uint32_t min_mem,
                                      uint32_t init_app, uint32_t init_kernel,
                                      enum gs_mpu_perm perm, uint32_t *out_start,
                                      uint32_t *out_size)
{
    struct gs_mpu_config before;
    struct gs_mpu_op op = {.kind = GS_MPU_OP_ALLOCATE_APP_MEMORY,
                           .args = {mem_start, mem_size, min_mem, init_app, init_kernel},
                           .perm = perm};
    int err;

    if (!mpu->check)
        return allocate_app_memory_region(mpu, cfg, mem_start, mem_size, min_mem, init_app,
                                          init_kernel, perm, out_start, out_size);
    before = *cfg;
    err = allocate_app_memory_region(mpu, cfg, mem_start, mem_size, min_mem, init_app, init_kernel,
                                     perm, out_start, out_size);
    report_op(mpu, &op, &before, cfg, err, out_start, out_size);
    return err;
}

int gs_mpu_update_app_memory_region(struct gs_mpu *mpu, struct gs_mpu_config *cfg,
                                    uint32_t app_break, uint32_t kernel_break,
                                    enum gs_mpu_perm perm, bool *wrapped)
{
    struct gs_mpu_config before;
    struct gs_mpu_op op = {
        .kind = GS_MPU_OP_UPDATE_APP_MEMORY, .args = {app_break, kernel_break}, .perm = perm};
    int err;

    if (!mpu->check)
        return update_app_memory_region(mpu, cfg, app_break, kernel_break, perm, wrapped);
    before = *cfg;
    err = update_app_memory_region(mpu, cfg, app_break, kernel_break, perm, wrapped);
    report_op(mpu, &op, &before, cfg, err, NULL, NULL);
    return err;
}

bool gs_mpu_configure(struct gs_mpu *mpu, struct gs_mpu_config *cfg)
{
    if (mpu->hw_has_config && mpu->hw_config_id == cfg->id && !cfg->dirty)
        return false;
    for (unsigned i = 0; i < cfg->num_regions; i++) {
        gs_pmsav7_write(&mpu->hw, GS_MPU_RBAR, cfg->regions[i].rbar);
        gs_pmsav7_write(&mpu->hw, GS_MPU_RASR, cfg->regions[i].rasr);
    }
    mpu->hw_has_config = true;
    mpu->hw_config_id = cfg->id;
    mpu->configure_writes++;
    cfg->dirty = false;
    return true;
}

void gs_mpu_enable(struct gs_mpu *mpu)
{
    gs_pmsav7_write(&mpu->hw, GS_MPU_CTRL, GS_MPU_CTRL_ENABLE | GS_MPU_CTRL_PRIVDEFENA);
}

void gs_mpu_disable(struct gs_mpu *mpu)
{
    gs_pmsav7_write(&mpu->hw, GS_MPU_CTRL, 0);
}

unsigned gs_mpu_app_subregions(const struct gs_mpu_config *cfg)
{
    unsigned n = 0;

    for (unsigned r = 0; r < 2; r++) {
        if (!cfg->regions[r].used)
            continue;
        for (unsigned b = 0; b < 8; b++)
            if (!(gs_rasr_srd(cfg->regions[r].rasr) & (1u << b)))
                n++;
    }
    return n;
}

const char *gs_mpu_perm_name(enum gs_mpu_perm perm)
{
    switch (perm) {
    case GS_PERM_RWX:
        return "ReadWriteExecute";
    case GS_PERM_RW:
        return "ReadWriteOnly";
    case GS_PERM_RX:
        return "ReadExecuteOnly";
    case GS_PERM_R:
        return "ReadOnly";
    case GS_PERM_X:
        return "ExecuteOnly";
    }
    return "Invalid";
}
