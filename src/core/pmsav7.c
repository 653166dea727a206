/* SPDX-License-Identifier: MIT */
#include "pmsav7.h"

#include <stdlib.h>
#include <string.h>

/*
 * AP encoding (ARMv7-M ARM, Table B3-15), rights as GS_ACC_* bits:
 *
 *   AP    privileged  unprivileged
 *   000   --          --
 *   001   RW          --
 *   010   RW          R-
 *   011   RW          RW
 *   100   (reserved: UNPREDICTABLE, modelled as no access)
 *   101   R-          --
 *   110   R-          R-
 *   111   R-          R-
 */
static const unsigned ap_priv[8] = {0, 3, 3, 3, 0, 1, 1, 1};
static const unsigned ap_unpriv[8] = {0, 0, 1, 3, 0, 0, 1, 1};

void gs_pmsav7_init(struct gs_pmsav7 *hw, unsigned num_regions)
{
    memset(hw, 0, sizeof(*hw));
    if (num_regions == 0 || num_regions > GS_PMSAV7_MAX_REGIONS)
        num_regions = 8;
    hw->num_regions = num_regions;
}

bool gs_pmsav7_write(struct gs_pmsav7 *hw, uint32_t addr, uint32_t value)
{
    hw->writes++;
    switch (addr) {
    case GS_MPU_TYPE:
        return true;
    case GS_MPU_CTRL:
        hw->ctrl = value & 0x7;
        return true;
    case GS_MPU_RNR:
        if ((value & 0xFF) >= hw->num_regions) {
            hw->unpredictable = true;
            return true;
        }
        hw->rnr = value & 0xFF;
        return true;
    case GS_MPU_RBAR:
        if (value & GS_RBAR_VALID) {
            if ((value & 0xF) >= hw->num_regions) {
                hw->unpredictable = true;
                return true;
            }
            hw->rnr = value & 0xF;
        }
        hw->rbar[hw->rnr] = value & ~0x1Fu;
        return true;
    case GS_MPU_RASR:
        hw->rasr[hw->rnr] = value;
        return true;
    default:
        hw->writes--;
        return false;
    }
}

uint32_t gs_pmsav7_read(const struct gs_pmsav7 *hw, uint32_t addr)
{
    switch (addr) {
    case GS_MPU_TYPE:
        return (uint32_t)hw->num_regions << 8;
    case GS_MPU_CTRL:
        return hw->ctrl;
    case GS_MPU_RNR:
        return hw->rnr;
    case GS_MPU_RBAR:
        /* REGION reads as the current RNR; VALID reads as zero. */
        return hw->rbar[hw->rnr] | hw->rnr;
    case GS_MPU_RASR:
        return hw->rasr[hw->rnr];
    default:
        return 0;
    }
}

/* Size in bytes of region i (64-bit: SIZE = 31 gives 4 GiB). */
static uint64_t region_bytes(uint32_t rasr)
{
    unsigned sz = gs_rasr_size_field(rasr);

    if (sz < 4)
        sz = 4; /* UNPREDICTABLE; model as the 32-byte minimum */
    return (uint64_t)1 << (sz + 1);
}

static uint32_t region_base(const struct gs_pmsav7 *hw, int i)
{
    uint64_t bytes = region_bytes(hw->rasr[i]);

    return (uint32_t)(hw->rbar[i] & ~(uint32_t)(bytes - 1));
}

/* Does enabled region i, with its subregions, contain the byte addr? */
static bool region_matches(const struct gs_pmsav7 *hw, int i, uint32_t addr)
{
    uint32_t rasr = hw->rasr[i];
    uint64_t bytes, off;
    uint32_t base;

    if (!(rasr & GS_RASR_ENABLE))
        return false;
    bytes = region_bytes(rasr);
    base = region_base(hw, i);
    if (addr < base || (uint64_t)addr - base >= bytes)
        return false;
    off = (uint64_t)addr - base;
    /* Subregions exist only for regions of 256 bytes or more. */
    if (bytes >= 256) {
        unsigned sub = (unsigned)(off / (bytes / 8));
        if (gs_rasr_srd(rasr) & (1u << sub))
            return false;
    }
    return true;
}

int gs_pmsav7_region_for(const struct gs_pmsav7 *hw, uint32_t addr)
{
    for (int i = (int)hw->num_regions - 1; i >= 0; i--)
        if (region_matches(hw, i, addr))
            return i;
    return -1;
}

/*
 * Default memory map execute-never areas (ARMv7-M ARM B3.1): Peripheral
 * 0x40000000-0x5FFFFFFF, Device 0xA0000000-0xDFFFFFFF and System
 * 0xE0000000-0xFFFFFFFF.
 */
static bool default_map_xn(uint32_t addr)
{
    return (addr >= 0x40000000u && addr < 0x60000000u) || addr >= 0xA0000000u;
}

unsigned gs_pmsav7_rights(const struct gs_pmsav7 *hw, uint32_t addr, bool privileged)
{
    unsigned rights;
    int r;

    if (!(hw->ctrl & GS_MPU_CTRL_ENABLE))
        return GS_ACC_READ | GS_ACC_WRITE | (default_map_xn(addr) ? 0 : GS_ACC_EXEC);
    r = gs_pmsav7_region_for(hw, addr);
    if (r < 0) {
        if (privileged && (hw->ctrl & GS_MPU_CTRL_PRIVDEFENA))
            return GS_ACC_READ | GS_ACC_WRITE | (default_map_xn(addr) ? 0 : GS_ACC_EXEC);
        return 0;
    }
    rights = (privileged ? ap_priv : ap_unpriv)[gs_rasr_ap(hw->rasr[r])];
    if ((rights & GS_ACC_READ) && !(hw->rasr[r] & GS_RASR_XN))
        rights |= GS_ACC_EXEC;
    return rights;
}

bool gs_pmsav7_allows(const struct gs_pmsav7 *hw, uint32_t addr, uint32_t size, enum gs_access acc,
                      bool privileged, uint32_t *fault_addr)
{
    uint64_t a = addr, end = (uint64_t)addr + size;

    if (size == 0)
        return true;
    if (end > 0x100000000ull) {
        if (fault_addr)
            *fault_addr = addr;
        return false;
    }
    /*
     * Region bases and sizes, and subregions, are multiples of 32 bytes
     * (SIZE >= 4), so rights are constant inside each aligned 32-byte block:
     * one check per block decides every byte of it.
     */
    while (a < end) {
        if (!(gs_pmsav7_rights(hw, (uint32_t)a, privileged) & (unsigned)acc)) {
            if (fault_addr)
                *fault_addr = (uint32_t)a;
            return false;
        }
        a = (a & ~(uint64_t)31) + 32;
    }
    return true;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

unsigned gs_pmsav7_unpriv_spans(const struct gs_pmsav7 *hw, uint32_t lo, uint64_t hi,
                                struct gs_pmsav7_span *out, unsigned max)
{
    /* Rights can only change at region and subregion edges: 9 per region. */
    uint64_t cuts[2 + GS_PMSAV7_MAX_REGIONS * 9];
    unsigned ncuts = 0, nspans = 0;

    if (hi > 0x100000000ull)
        hi = 0x100000000ull;
    if ((uint64_t)lo >= hi)
        return 0;
    cuts[ncuts++] = lo;
    cuts[ncuts++] = hi;
    if (hw->ctrl & GS_MPU_CTRL_ENABLE) {
        for (unsigned i = 0; i < hw->num_regions; i++) {
            uint64_t bytes, base;
            if (!(hw->rasr[i] & GS_RASR_ENABLE))
                continue;
            bytes = region_bytes(hw->rasr[i]);
            base = region_base(hw, (int)i);
            for (unsigned k = 0; k <= 8; k++) {
                uint64_t c = base + bytes * k / 8;
                if (c > lo && c < hi)
                    cuts[ncuts++] = c;
            }
        }
    }
    qsort(cuts, ncuts, sizeof(cuts[0]), cmp_u64);
    struct gs_pmsav7_span cur = {0, 0, 0};
    for (unsigned i = 0; i + 1 < ncuts; i++) {
        unsigned rights;
        if (cuts[i] == cuts[i + 1])
            continue;
        rights = gs_pmsav7_rights(hw, (uint32_t)cuts[i], false);
        if (cur.end == cuts[i] && cur.end != 0 && cur.rights == rights) {
            cur.end = cuts[i + 1];
            continue;
        }
        if (cur.end != 0) {
            if (nspans < max)
                out[nspans] = cur;
            nspans++;
        }
        cur.start = (uint32_t)cuts[i];
        cur.end = cuts[i + 1];
        cur.rights = rights;
    }
    if (cur.end != 0) {
        if (nspans < max)
            out[nspans] = cur;
        nspans++;
    }
    return nspans;
}

const char *gs_pmsav7_ap_name(unsigned ap)
{
    /* Names as arch/cortex-m/src/mpu.rs prints them (CortexMConfig Display). */
    static const char *const names[8] = {
        "NoAccess",  "PrivilegedOnly", "UnprivilegedReadOnly",
        "ReadWrite", "Reserved",       "PrivilegedOnlyReadOnly",
        "ReadOnly",  "ReadOnlyAlias",
    };
    return names[ap & 7];
}
