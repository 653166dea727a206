/* SPDX-License-Identifier: MIT */
/*
 * mpu.h - Tock's Cortex-M MPU driver: the region allocation algorithm of
 * arch/cortex-m/src/mpu.rs (trait kernel/src/platform/mpu.rs), computing the
 * exact RBAR/RASR values upstream computes, and writing them to the PMSAv7
 * hardware model (pmsav7.h) the way `configure_mpu` does.
 *
 * A gs_mpu_config is upstream's CortexMConfig: one per process, holding the
 * regions as computed (logical location + register values). The hardware is
 * only touched by gs_mpu_configure(), gs_mpu_enable() and gs_mpu_disable().
 *
 * Arithmetic follows upstream on the 32-bit target as a release build runs
 * it (Tock's [profile.release] leaves overflow checks off): usize sums wrap,
 * `next_power_of_two` wraps to 0, shifts are masked. What panics even in
 * release (a remainder or division by zero, `next_multiple_of(0)`) makes the
 * function return GS_E_PANIC with the panic message in mpu->panic_msg; the
 * kernel turns it into a kernel-panic event. Every function leaves the config
 * unchanged when it fails.
 */
#ifndef GS_MPU_H
#define GS_MPU_H

#include <stdbool.h>
#include <stdint.h>

#include "pmsav7.h"

/* mpu::Permissions (kernel/src/platform/mpu.rs). */
enum gs_mpu_perm {
    GS_PERM_RWX, /* ReadWriteExecute */
    GS_PERM_RW,  /* ReadWriteOnly: app RAM and IPC regions */
    GS_PERM_RX,  /* ReadExecuteOnly: app flash */
    GS_PERM_R,   /* ReadOnly */
    GS_PERM_X,   /* ExecuteOnly */
};

/* CortexMRegion: logical location (None when !used) + register values. */
struct gs_mpu_region {
    bool used;
    uint32_t start, size; /* logical location */
    uint32_t rbar, rasr;
};

/* CortexMConfig. */
struct gs_mpu_config {
    uint32_t id;
    bool dirty;
    unsigned num_regions;
    struct gs_mpu_region regions[GS_PMSAV7_MAX_REGIONS];
};

/*
 * One call of the region-allocation functions below, as an oracle sees it
 * (gs_mpu_set_check): what was asked, the config before and after, and what
 * the call answered. The reference oracle (refcheck.h) recomputes the answer
 * independently and compares.
 */
enum gs_mpu_op_kind {
    GS_MPU_OP_ALLOCATE_REGION,     /* args: start, avail, min_size */
    GS_MPU_OP_REMOVE_REGION,       /* args: start, size */
    GS_MPU_OP_ALLOCATE_APP_MEMORY, /* args: start, avail, min_mem, init_app, init_kernel */
    GS_MPU_OP_UPDATE_APP_MEMORY,   /* args: app_break, kernel_break */
};

struct gs_mpu_config;

struct gs_mpu_op {
    enum gs_mpu_op_kind kind;
    uint32_t args[5];
    enum gs_mpu_perm perm;              /* not used by GS_MPU_OP_REMOVE_REGION */
    const struct gs_mpu_config *before; /* the config as the call found it */
    const struct gs_mpu_config *after;  /* the config as the call left it */
    int err;                            /* the call's result (GS_OK or a gs_err) */
    uint32_t out_start, out_size;       /* its results when err == GS_OK (allocations) */
};

/* Called after every call of the four functions, with the call (ctx as given). */
typedef void (*gs_mpu_check_fn)(void *ctx, const struct gs_mpu_op *op);

/* The MPU driver state (struct MPU<NUM_REGIONS, MIN_REGION_SIZE>) + hardware. */
struct gs_mpu {
    unsigned num_regions;     /* 8 (Cortex-M3/M4) or 16 (Cortex-M7) */
    uint32_t min_region_size; /* 32 (M3/M4/M7) or 256 (M0+) */
    bool bug_4366;            /* release-2.2: doubling path forgets memory_size_po2 */
    bool closest_po2;         /* release-2.2: allocate_region rounds with closest_power_of_two */
    uint32_t config_count;    /* next config id; starts at 1 (NonZeroUsize::MIN) */
    bool hw_has_config;
    uint32_t hw_config_id;     /* hardware_is_configured_for */
    uint64_t configure_writes; /* configure_mpu calls that wrote the hardware */
    const char *panic_msg;     /* set when a function returns GS_E_PANIC */
    struct gs_pmsav7 hw;
    gs_mpu_check_fn check; /* oracle hook (gs_mpu_set_check); NULL: none */
    void *check_ctx;
};

/*
 * Initializes the driver and its hardware. num_regions: 8 or 16;
 * min_region_size: a power of two >= 32; release_22: the release-2.2 driver
 * (its doubling bug, tock#4366, and math::closest_power_of_two where HEAD
 * calls next_power_of_two: 0 rounds to 0, so allocate_region's fallback
 * panics on `start % 0` for a size that wrapped to 0, where HEAD returns
 * None). Errors: GS_E_ARG.
 */
int gs_mpu_init(struct gs_mpu *mpu, unsigned num_regions, uint32_t min_region_size,
                bool release_22);

/*
 * Sets the function called after every allocate_region, remove_region,
 * allocate_app_memory_region and update_app_memory_region (NULL: none).
 * gs_mpu_init clears it.
 */
void gs_mpu_set_check(struct gs_mpu *mpu, gs_mpu_check_fn fn, void *ctx);

/* new_config(): a fresh config with every region empty and a new id. Errors: GS_E_MPU_CONFIG. */
int gs_mpu_new_config(struct gs_mpu *mpu, struct gs_mpu_config *cfg);

/* reset_config(): every region empty, config dirty. */
void gs_mpu_reset_config(struct gs_mpu *mpu, struct gs_mpu_config *cfg);

/*
 * allocate_region(start, avail, min_size, perms): the first unused region
 * number > 1 covering at least min_size bytes inside [start, start+avail),
 * possibly via subregions (TOCK-REFERENCE 6.6). On success writes the
 * logical region to *out_start / *out_size.
 * Errors: GS_E_OUT_OF_MEMORY when upstream returns None.
 */
int gs_mpu_allocate_region(struct gs_mpu *mpu, struct gs_mpu_config *cfg, uint32_t start,
                           uint32_t avail, uint32_t min_size, enum gs_mpu_perm perm,
                           uint32_t *out_start, uint32_t *out_size);

/*
 * remove_memory_region(region): empties the region whose logical location is
 * exactly (start, size). Errors: GS_E_ARG if none matches or it is 0 or 1.
 */
int gs_mpu_remove_region(struct gs_mpu *mpu, struct gs_mpu_config *cfg, uint32_t start,
                         uint32_t size);

/*
 * allocate_app_memory_region(start, avail, min_mem, init_app, init_kernel,
 * perms): regions 0 and 1 over a power-of-two block (TOCK-REFERENCE 6.4).
 * Writes the block start and size on success.
 * Errors: GS_E_OUT_OF_MEMORY when upstream returns None.
 */
int gs_mpu_allocate_app_memory_region(struct gs_mpu *mpu, struct gs_mpu_config *cfg, uint32_t start,
                                      uint32_t avail, uint32_t min_mem, uint32_t init_app,
                                      uint32_t init_kernel, enum gs_mpu_perm perm,
                                      uint32_t *out_start, uint32_t *out_size);

/*
 * update_app_memory_region(app_break, kernel_break, perms) (TOCK-REFERENCE
 * 6.5). Errors: GS_E_OUT_OF_MEMORY when upstream returns Err(()).
 *
 * Quirk kept from upstream: app_break == region start gives 0 enabled
 * subregions, and upstream's `num_enabled_subregions0 - 1` wraps to
 * usize::MAX; the subregion fold then runs 2^32 times with masked shifts and
 * leaves SRD = 0xFF, so region 0 is enabled with every subregion disabled.
 * This function reproduces that result and sets *wrapped (when non-NULL).
 */
int gs_mpu_update_app_memory_region(struct gs_mpu *mpu, struct gs_mpu_config *cfg,
                                    uint32_t app_break, uint32_t kernel_break,
                                    enum gs_mpu_perm perm, bool *wrapped);

/*
 * configure_mpu(config): writes RBAR then RASR of every region to the
 * hardware unless it is already configured for this config id and the config
 * is not dirty. Returns true when it wrote.
 */
bool gs_mpu_configure(struct gs_mpu *mpu, struct gs_mpu_config *cfg);

/* enable_app_mpu(): CTRL = ENABLE | PRIVDEFENA (0x5). */
void gs_mpu_enable(struct gs_mpu *mpu);

/* disable_app_mpu(): CTRL = 0. */
void gs_mpu_disable(struct gs_mpu *mpu);

/* Number of the region 0/1 subregions currently enabled for app memory (0..16). */
unsigned gs_mpu_app_subregions(const struct gs_mpu_config *cfg);

/* Name of a permission value ("ReadWriteOnly", ...). */
const char *gs_mpu_perm_name(enum gs_mpu_perm perm);

#endif
