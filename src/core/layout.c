/* SPDX-License-Identifier: MIT */
/*
 * The memory-map model (layout.h); its renderers are in src/report.
 *
 * Sources of truth, in the order the model is built:
 *   1. the process's fields (breaks, kernel objects) and the grant table in
 *      simulated RAM (process.h, TOCK-REFERENCE 1.1, 1.8);
 *   2. the shadow ownership map (tmem.h): the owner of every byte;
 *   3. the process's MPU config (p->mpu_cfg): its RBAR/RASR values are
 *      written, in configure_mpu's order, into a private PMSAv7 model
 *      (pmsav7.h), and every access question is answered by that model. The
 *      real hardware registers are never read, so any process of any kernel
 *      can be shown, scheduled or not.
 *
 * Grant contents are decoded with the layout of TOCK-REFERENCE 2.1
 * (kernel/src/grant.rs, EnteredGrantKernelManagedLayout) as grant.c states
 * it, gs_grant_offsets() (diagram in grant.h: counters word, upcall slots,
 * RO and RW allow slots, padding, T), using the counts of the Grant's shape (what the kernel's type says), not
 * those of the counters word, so a corrupted word cannot make the decoder
 * read outside the grant; the word is shown and compared with the shape.
 */
#include "layout.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "errors.h"
#include "invariants.h"
#include "ipc.h"
#include "printer.h"
#include "refmodel.h"

#define RW  (GS_ACC_READ | GS_ACC_WRITE)
#define RX  (GS_ACC_READ | GS_ACC_EXEC)
#define TOP 0x100000000ull

/* ================= small helpers ================= */

const char *gs_layout_rights_str(unsigned rights, char buf[4])
{
    buf[0] = (rights & GS_ACC_READ) ? 'r' : '-';
    buf[1] = (rights & GS_ACC_WRITE) ? 'w' : '-';
    buf[2] = (rights & GS_ACC_EXEC) ? 'x' : '-';
    buf[3] = '\0';
    return buf;
}

const char *gs_layout_target_name(enum gs_layout_target t)
{
    switch (t) {
    case GS_LT_NULL:
        return "unset";
    case GS_LT_EMPTY:
        return "empty";
    case GS_LT_APP:
        return "app memory";
    case GS_LT_FLASH:
        return "app flash";
    case GS_LT_INVALID:
        return "invalid";
    }
    return "invalid";
}

const char *gs_layout_diff_name(enum gs_layout_diff_kind k)
{
    switch (k) {
    case GS_DIFF_LEAK:
        return "leak";
    case GS_DIFF_FORBIDDEN:
        return "forbidden";
    case GS_DIFF_SLACK:
        return "slack";
    }
    return "leak";
}

/* Grows *arr (of elements of `elem` bytes) so that it holds n + 1 elements. */
static int grow(void **arr, unsigned *cap, unsigned n, size_t elem)
{
    void *d;
    unsigned c;

    if (n < *cap)
        return GS_OK;
    c = *cap ? *cap * 2 : 16;
    d = realloc(*arr, (size_t)c * elem);
    if (!d)
        return GS_E_NOMEM_HOST;
    *arr = d;
    *cap = c;
    return GS_OK;
}

/* Size in bytes of a PMSAv7 region (as pmsav7.c decides it: SIZE < 4 counts as 4). */
static uint64_t rasr_bytes(uint32_t rasr)
{
    unsigned sz = gs_rasr_size_field(rasr);

    return (uint64_t)1 << ((sz < 4 ? 4 : sz) + 1);
}

static uint32_t hw_base(const struct gs_pmsav7 *hw, int i)
{
    return (uint32_t)(hw->rbar[i] & ~(uint32_t)(rasr_bytes(hw->rasr[i]) - 1));
}

/*
 * The hardware the process's config describes: configure_mpu's writes
 * (RBAR then RASR of every region, arch/cortex-m/src/mpu.rs) into a fresh
 * PMSAv7 model, then enable_app_mpu (CTRL = ENABLE | PRIVDEFENA). A process
 * without a config gets an enabled MPU with no region (no unprivileged
 * access at all).
 */
static void config_hw(const struct gs_kernel *k, const struct gs_process *p, struct gs_pmsav7 *hw)
{
    const struct gs_mpu_config *cfg = &p->mpu_cfg;
    unsigned n = cfg->num_regions ? cfg->num_regions : k->mpu.num_regions;

    gs_pmsav7_init(hw, n);
    if (p->has_mpu_config) {
        for (unsigned i = 0; i < cfg->num_regions && i < GS_PMSAV7_MAX_REGIONS; i++) {
            gs_pmsav7_write(hw, GS_MPU_RBAR, cfg->regions[i].rbar);
            gs_pmsav7_write(hw, GS_MPU_RASR, cfg->regions[i].rasr);
        }
    }
    gs_pmsav7_write(hw, GS_MPU_CTRL, GS_MPU_CTRL_ENABLE | GS_MPU_CTRL_PRIVDEFENA);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

/* Sorts and removes duplicates; returns the new count. */
static unsigned sort_unique(uint64_t *v, unsigned n)
{
    unsigned m = 0;

    qsort(v, n, sizeof(*v), cmp_u64);
    for (unsigned i = 0; i < n; i++)
        if (m == 0 || v[m - 1] != v[i])
            v[m++] = v[i];
    return m;
}

#define MAX_MPU_CUTS (GS_PMSAV7_MAX_REGIONS * 9)

/* Every region and subregion edge of the enabled regions (where a decision can change). */
static unsigned mpu_cuts(const struct gs_pmsav7 *hw, uint64_t *cuts)
{
    unsigned n = 0;

    for (unsigned i = 0; i < hw->num_regions; i++) {
        uint64_t bytes, base;
        if (!(hw->rasr[i] & GS_RASR_ENABLE))
            continue;
        bytes = rasr_bytes(hw->rasr[i]);
        base = hw_base(hw, (int)i);
        for (unsigned j = 0; j <= 8; j++)
            cuts[n++] = base + bytes * j / 8;
    }
    return sort_unique(cuts, n);
}

/* The subregion of region r containing addr, or -1 (no region, or no subregions). */
static int subregion_of(const struct gs_pmsav7 *hw, int r, uint32_t addr)
{
    uint64_t bytes;

    if (r < 0)
        return -1;
    bytes = rasr_bytes(hw->rasr[r]);
    if (bytes < 256)
        return -1;
    return (int)(((uint64_t)addr - hw_base(hw, r)) / (bytes / 8));
}

/* Build context: the process, its MPU model and the model's edges. */
struct bctx {
    const struct gs_kernel *k;
    const struct gs_process *p;
    struct gs_pmsav7 hw;
    uint64_t cuts[MAX_MPU_CUTS];
    unsigned ncuts;
};

static void bctx_init(struct bctx *c, const struct gs_kernel *k, const struct gs_process *p)
{
    c->k = k;
    c->p = p;
    config_hw(k, p, &c->hw);
    c->ncuts = mpu_cuts(&c->hw, c->cuts);
}

static uint64_t next_cut(const struct bctx *c, uint64_t a)
{
    for (unsigned i = 0; i < c->ncuts; i++)
        if (c->cuts[i] > a)
            return c->cuts[i];
    return TOP;
}

/* One piece of a range with a constant MPU decision. */
struct piece {
    uint32_t start;
    uint64_t end;
    int region, sub_lo, sub_hi;
    unsigned rights;
};

/*
 * Splits [a, b) into pieces with one deciding region and one set of
 * unprivileged rights; writes at most `max`, returns the count needed.
 */
static unsigned split_by_mpu(const struct bctx *c, uint32_t a, uint64_t b, struct piece *out,
                             unsigned max)
{
    unsigned n = 0;
    uint64_t x = a;

    while (x < b) {
        int r = gs_pmsav7_region_for(&c->hw, (uint32_t)x);
        unsigned rt = gs_pmsav7_rights(&c->hw, (uint32_t)x, false);
        uint64_t e = next_cut(c, x);
        while (e < b && gs_pmsav7_region_for(&c->hw, (uint32_t)e) == r &&
               gs_pmsav7_rights(&c->hw, (uint32_t)e, false) == rt)
            e = next_cut(c, e);
        if (e > b)
            e = b;
        if (n < max) {
            out[n].start = (uint32_t)x;
            out[n].end = e;
            out[n].region = r;
            out[n].rights = rt;
            out[n].sub_lo = subregion_of(&c->hw, r, (uint32_t)x);
            out[n].sub_hi = subregion_of(&c->hw, r, (uint32_t)(e - 1));
        }
        n++;
        x = e;
    }
    return n;
}

static void anomaly(struct gs_layout *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void anomaly(struct gs_layout *l, const char *fmt, ...)
{
    va_list ap;

    if (l->nanomalies < GS_LAYOUT_MAX_ANOMALIES) {
        va_start(ap, fmt);
        vsnprintf(l->anomalies[l->nanomalies], sizeof(l->anomalies[0]), fmt, ap);
        va_end(ap);
    }
    l->nanomalies++;
}

static uint32_t load32(const struct gs_kernel *k, uint32_t addr)
{
    uint32_t v = 0;

    gs_mem_load32(k->mem, addr, &v);
    return v;
}

static const char *driver_name(const struct gs_kernel *k, const struct gs_grant *g)
{
    const struct gs_driver *d = gs_kernel_driver(k, g->driver_num);

    return d && d->name && d->grant == g ? d->name : NULL;
}

/*
 * What an allow or an upcall pointer may name, with the reference
 * arithmetic (refmodel.h and the invariants: process_standard.rs's
 * in_app_owned_memory and in_app_flash_memory), not the kernel's functions
 * of those names: the intended access set below is their oracle, so it must
 * not call them.
 */
static bool owned_span(const struct gs_process *p, uint32_t addr, uint32_t len)
{
    return gs_ref_span_inside(p->memory_start, p->app_break, addr, len);
}

static bool flash_span(const struct gs_process *p, uint32_t addr, uint32_t len)
{
    uint32_t lo;
    uint64_t hi;

    gs_invariants_flash_readable(p, &lo, &hi);
    return addr >= lo && (uint64_t)addr + len <= hi;
}

static enum gs_layout_target classify_fn(const struct gs_process *p, uint32_t fn)
{
    if (fn == 0)
        return GS_LT_NULL;
    if (flash_span(p, fn, 4))
        return GS_LT_FLASH;
    if (owned_span(p, fn, 4))
        return GS_LT_APP;
    return GS_LT_INVALID;
}

static enum gs_layout_target classify_allow(const struct gs_process *p, uint32_t ptr, uint32_t len,
                                            bool rw)
{
    if (ptr == 0 && len == 0)
        return GS_LT_NULL;
    if (len == 0)
        return GS_LT_EMPTY;
    if (owned_span(p, ptr, len))
        return GS_LT_APP;
    if (!rw && flash_span(p, ptr, len))
        return GS_LT_FLASH;
    return GS_LT_INVALID;
}

/* ================= the intended access set ================= */

static const struct gs_grant *ipc_grant(const struct gs_kernel *k)
{
    const struct gs_ipc *ipc = k->ipc;

    return ipc ? ipc->drv.grant : NULL;
}

/*
 * The process whose IPC grant still shares [start, start+size) with p: its
 * RW allow slot [p's index] covers the range, inside its own app memory,
 * and it is running. -1 when none (the region is stale: upstream never
 * removes IPC regions, TOCK-REFERENCE 5.4, tock#4371).
 */
static int ipc_sharer(const struct gs_kernel *k, const struct gs_process *p, uint32_t start,
                      uint32_t size)
{
    const struct gs_grant *g = ipc_grant(k);

    if (!g || p->index >= g->shape.n_rw)
        return -1;
    for (unsigned i = 0; i < k->cfg.num_procs; i++) {
        const struct gs_process *q = k->procs[i];
        uint32_t d, gp, slot, ptr, len;
        struct gs_grant_offsets o = gs_grant_offsets(&g->shape);
        if (!q || q == p || !gs_process_is_running(q))
            continue;
        if (gs_process_grant_entry(q, g->num, &d, &gp) != GS_OK || gp == 0)
            continue;
        slot = (gp & ~1u) + gs_grant_slot_offset(&o, GS_GRANT_RW, p->index);
        ptr = load32(k, slot);
        len = load32(k, slot + 4);
        if (len && ptr <= start && (uint64_t)start + size <= (uint64_t)ptr + len &&
            owned_span(q, ptr, len))
            return (int)i;
    }
    return -1;
}

/* What the kernel intends p to reach: app memory, its TBF, IPC buffers still shared. */
static unsigned intended_set(const struct gs_kernel *k, const struct gs_process *p,
                             struct gs_layout_access *out)
{
    unsigned n = 0;

    if (p->app_break > p->memory_start) {
        out[n].start = p->memory_start;
        out[n].end = p->app_break;
        out[n].rights = RW;
        snprintf(out[n].what, sizeof(out[n].what), "app memory [memory_start, app_break)");
        n++;
    }
    if (p->app.flash_len) {
        out[n].start = p->app.flash_start;
        out[n].end = (uint64_t)p->app.flash_start + p->app.flash_len;
        out[n].rights = RX;
        snprintf(out[n].what, sizeof(out[n].what), "the app's flash (its whole TBF)");
        n++;
    }
    for (unsigned i = 0; i < GS_MPU_REGIONS_CACHE; i++) {
        int q;
        if (!p->mpu_region_used[i])
            continue;
        q = ipc_sharer(k, p, p->mpu_region_start[i], p->mpu_region_size[i]);
        if (q < 0)
            continue;
        out[n].start = p->mpu_region_start[i];
        out[n].end = (uint64_t)p->mpu_region_start[i] + p->mpu_region_size[i];
        out[n].rights = RW;
        snprintf(out[n].what, sizeof(out[n].what), "IPC buffer shared by process %d \"%.40s\"", q,
                 gs_process_name(k->procs[q]));
        n++;
    }
    return n;
}

static unsigned intended_at(const struct gs_layout_access *set, unsigned n, uint32_t addr,
                            const char **what)
{
    unsigned r = 0;

    *what = NULL;
    for (unsigned i = 0; i < n; i++) {
        if (addr >= set[i].start && addr < set[i].end) {
            r |= set[i].rights;
            if (!*what)
                *what = set[i].what;
        }
    }
    return r;
}

/* ================= building the model ================= */

/*
 * Where the expected rounding of the app break ends: update_app_memory_region
 * (TOCK-REFERENCE 6.5) enables ceil((app_break - region_start) / subregion)
 * subregions of regions 0 and 1, with region 0's logical location giving
 * region_start and region_size.
 */
static uint32_t slack_end_of(const struct gs_process *p)
{
    const struct gs_mpu_region *r0 = &p->mpu_cfg.regions[0];
    uint64_t s, sub, n, e;

    if (!p->has_mpu_config || !r0->used || r0->size < 8 || p->app_break < r0->start)
        return p->app_break;
    s = r0->start;
    sub = r0->size / 8;
    n = ((uint64_t)p->app_break - s + sub - 1) / sub;
    e = s + n * sub;
    return e > UINT32_MAX ? UINT32_MAX : (uint32_t)e;
}

static const char *region_role(const struct gs_layout *l, unsigned i)
{
    const struct gs_layout_mpu_region *m = &l->mpu[i];

    if (!m->used && !m->enabled)
        return "unused";
    if (i <= 1)
        return "app RAM";
    if (m->ap == 2 && !m->xn)
        return "flash";
    if (m->ap == 3) {
        for (unsigned j = 0; j < l->nipc; j++)
            if (l->ipc[j].start == m->start && l->ipc[j].size == m->size)
                return l->ipc[j].sharer >= 0 ? "IPC" : "IPC (stale)";
        return "RW (not IPC)";
    }
    return "other";
}

static void build_mpu(struct gs_layout *l, const struct bctx *c)
{
    const struct gs_process *p = c->p;

    l->has_mpu = p->has_mpu_config;
    l->mpu_config_id = p->mpu_cfg.id;
    l->mpu_num_regions = c->hw.num_regions;
    for (unsigned i = 0; i < GS_MPU_REGIONS_CACHE; i++) {
        if (!p->mpu_region_used[i])
            continue;
        l->ipc[l->nipc].start = p->mpu_region_start[i];
        l->ipc[l->nipc].size = p->mpu_region_size[i];
        l->ipc[l->nipc].sharer = ipc_sharer(c->k, p, p->mpu_region_start[i], p->mpu_region_size[i]);
        l->ipc[l->nipc].slot = p->index;
        l->nipc++;
    }
    for (unsigned i = 0; i < l->mpu_num_regions; i++) {
        struct gs_layout_mpu_region *m = &l->mpu[i];
        const struct gs_mpu_region *r = &p->mpu_cfg.regions[i];
        struct gs_pmsav7 one;
        uint64_t sub;
        m->num = i;
        if (!p->has_mpu_config) {
            m->role = "unused";
            continue;
        }
        m->used = r->used;
        m->start = r->start;
        m->size = r->size;
        m->rbar = r->rbar;
        m->rasr = r->rasr;
        m->enabled = c->hw.rasr[i] & GS_RASR_ENABLE;
        m->bytes = rasr_bytes(c->hw.rasr[i]);
        m->base = hw_base(&c->hw, (int)i);
        m->srd = gs_rasr_srd(c->hw.rasr[i]);
        m->ap = gs_rasr_ap(c->hw.rasr[i]);
        m->xn = c->hw.rasr[i] & GS_RASR_XN;
        /* The rights this region grants where it decides: ask a one-region model. */
        gs_pmsav7_init(&one, 1);
        gs_pmsav7_write(&one, GS_MPU_RBAR, m->base | GS_RBAR_VALID);
        gs_pmsav7_write(&one, GS_MPU_RASR, (c->hw.rasr[i] & ~0xFF00u) | GS_RASR_ENABLE);
        gs_pmsav7_write(&one, GS_MPU_CTRL, GS_MPU_CTRL_ENABLE);
        m->rights = gs_pmsav7_rights(&one, m->base, false);
        if (!m->enabled)
            continue;
        if (m->bytes < 256) {
            /* No subregions below 256 bytes: SRD is ignored. */
            m->runs[0].start = m->base;
            m->runs[0].end = m->base + m->bytes;
            m->run_first[0] = 0;
            m->run_last[0] = 7;
            m->nruns = 1;
            continue;
        }
        sub = m->bytes / 8;
        for (unsigned b = 0; b < 8; b++) {
            if (m->srd & (1u << b))
                continue;
            if (m->nruns && m->run_last[m->nruns - 1] == b - 1) {
                m->run_last[m->nruns - 1] = b;
                m->runs[m->nruns - 1].end = m->base + sub * (b + 1);
                continue;
            }
            m->runs[m->nruns].start = (uint32_t)(m->base + sub * b);
            m->runs[m->nruns].end = m->base + sub * (b + 1);
            m->run_first[m->nruns] = m->run_last[m->nruns] = b;
            m->nruns++;
        }
    }
    for (unsigned i = 0; i < l->mpu_num_regions; i++)
        l->mpu[i].role = region_role(l, i);
    l->slack_end = slack_end_of(p);
    if (!p->has_mpu_config)
        anomaly(l, "the process has no MPU config (a failed reset left it empty): no access shown");
    if (c->hw.unpredictable)
        anomaly(l, "the MPU config programs UNPREDICTABLE values");
}

static int add_region(struct gs_layout *l, unsigned *cap, gs_owner tag, const struct piece *pc)
{
    const struct gs_process *p = l->p;
    struct gs_layout_region *r;
    enum gs_owner_kind kind = gs_owner_kind(tag);

    if (grow((void **)&l->regions, cap, l->nregions, sizeof(*l->regions)) != GS_OK)
        return GS_E_NOMEM_HOST;
    r = &l->regions[l->nregions++];
    memset(r, 0, sizeof(*r));
    r->start = pc->start;
    r->size = (uint32_t)(pc->end - pc->start);
    r->owner = tag;
    r->kind = kind;
    r->grant = -1;
    r->custom = -1;
    if (kind >= GS_OWN_GRANT_HDR && kind <= GS_OWN_GRANT_T) {
        r->grant = (int)gs_owner_id(tag);
        if ((unsigned)r->grant < l->k->grant_count)
            r->driver = l->k->grants[r->grant]->driver_num;
    }
    if (kind == GS_OWN_CUSTOM)
        r->custom = (int)gs_owner_id(tag);
    r->foreign = kind != GS_OWN_NONE && gs_owner_proc(tag) != (p->index & 0x7F);
    r->mpu_region = pc->region;
    r->sub_lo = pc->sub_lo;
    r->sub_hi = pc->sub_hi;
    r->rights = pc->rights;
    return GS_OK;
}

static int add_custom(struct gs_layout *l, unsigned *cap, gs_owner tag, uint32_t start,
                      uint32_t size)
{
    struct gs_layout_custom *cg;

    if (grow((void **)&l->custom, cap, l->ncustom, sizeof(*l->custom)) != GS_OK)
        return GS_E_NOMEM_HOST;
    cg = &l->custom[l->ncustom++];
    memset(cg, 0, sizeof(*cg));
    cg->serial = gs_owner_id(tag);
    cg->start = start;
    cg->size = size;
    cg->offset = (uint32_t)(l->memory_end - start);
    cg->peek = size < GS_LAYOUT_PEEK ? size : GS_LAYOUT_PEEK;
    gs_mem_read(l->k->mem, start, cg->bytes, cg->peek);
    return GS_OK;
}

/* The block, cut at every owner change and MPU decision change. */
static int build_regions(struct gs_layout *l, const struct bctx *c)
{
    const struct gs_mem *m = c->k->mem;
    unsigned cap = 0, ccap = 0;
    uint64_t a = l->memory_start, end = l->memory_end;

    if (!gs_mem_in_ram(m, l->memory_start, l->memory_len)) {
        anomaly(l, "the process block [0x%08X, 0x%08llX) is not inside RAM",
                (unsigned)l->memory_start, (unsigned long long)end);
        return GS_OK;
    }
    while (a < end) {
        gs_owner tag = gs_mem_owner_at(m, (uint32_t)a);
        uint64_t b = a + 1;
        struct piece pcs[2 * MAX_MPU_CUTS + 2];
        unsigned n;
        while (b < end && gs_mem_owner_at(m, (uint32_t)b) == tag)
            b++;
        n = split_by_mpu(c, (uint32_t)a, b, pcs, sizeof(pcs) / sizeof(pcs[0]));
        for (unsigned i = 0; i < n && i < sizeof(pcs) / sizeof(pcs[0]); i++)
            if (add_region(l, &cap, tag, &pcs[i]) != GS_OK)
                return GS_E_NOMEM_HOST;
        if (gs_owner_kind(tag) == GS_OWN_CUSTOM &&
            add_custom(l, &ccap, tag, (uint32_t)a, (uint32_t)(b - a)) != GS_OK)
            return GS_E_NOMEM_HOST;
        if (gs_owner_kind(tag) != GS_OWN_NONE && gs_owner_proc(tag) != (c->p->index & 0x7F)) {
            char d[128];
            anomaly(l, "[0x%08X, 0x%08llX) inside this block is tagged \"%s\"", (unsigned)a,
                    (unsigned long long)b, gs_owner_describe(tag, d, sizeof(d)));
        }
        a = b;
    }
    return GS_OK;
}

/* Reports the first byte of [lo, lo+len) whose tag is not `want`. */
static void expect_tag(struct gs_layout *l, uint32_t lo, uint32_t len, gs_owner want,
                       const char *what)
{
    for (uint32_t i = 0; i < len; i++) {
        gs_owner got = gs_mem_owner_at(l->k->mem, lo + i);
        if (got != want) {
            char d[128];
            anomaly(l, "0x%08X belongs to the %s by the layout, the shadow map says \"%s\"",
                    (unsigned)(lo + i), what, gs_owner_describe(got, d, sizeof(d)));
            return;
        }
    }
}

static int build_grants(struct gs_layout *l, const struct bctx *c)
{
    const struct gs_kernel *k = c->k;
    const struct gs_process *p = c->p;

    l->ngrants = k->grant_count;
    if (!l->ngrants)
        return GS_OK;
    l->grants = calloc(l->ngrants, sizeof(*l->grants));
    if (!l->grants)
        return GS_E_NOMEM_HOST;
    for (unsigned i = 0; i < l->ngrants; i++) {
        struct gs_layout_grant *g = &l->grants[i];
        const struct gs_grant *kg = k->grants[i];
        const struct gs_grant_shape *s = &kg->shape;
        struct gs_grant_offsets o = gs_grant_offsets(s);
        struct gs_grant_shape in_word;
        g->num = i;
        g->driver = kg->driver_num;
        g->driver_name = driver_name(k, kg);
        g->shape = *s;
        g->size = kg->size;
        g->align = kg->align;
        gs_process_grant_entry(p, i, &g->entry_driver, &g->entry_ptr);
        g->allocated = g->entry_ptr != 0;
        g->entered = g->entry_ptr & 1;
        g->base = g->entry_ptr & ~1u;
        if (!g->allocated)
            continue;
        if (g->entry_driver != g->driver)
            anomaly(l, "grant %u: table entry names driver 0x%x, the grant is for 0x%x", i,
                    (unsigned)g->entry_driver, (unsigned)g->driver);
        if (g->base < p->kernel_break || (uint64_t)g->base + g->size > p->pcb || g->base % g->align)
            anomaly(l,
                    "grant %u at 0x%08X (%u bytes, align %u) is not inside [kernel break "
                    "0x%08X, PCB 0x%08X) or is misaligned",
                    i, (unsigned)g->base, (unsigned)g->size, (unsigned)g->align,
                    (unsigned)p->kernel_break, (unsigned)p->pcb);
        if (!gs_mem_in_ram(k->mem, g->base, g->size))
            continue;
        g->decoded = true;
        g->counters = load32(k, g->base + o.counters);
        gs_grant_counts_from_word(g->counters, &in_word);
        g->c_upcalls = in_word.n_upcalls;
        g->c_ro = in_word.n_ro;
        g->c_rw = in_word.n_rw;
        g->counters_ok = g->counters == gs_grant_counters_word(s);
        if (!g->counters_ok)
            anomaly(l, "grant %u counters word 0x%08X does not match its shape (%u, %u, %u)", i,
                    (unsigned)g->counters, (unsigned)s->n_upcalls, (unsigned)s->n_ro,
                    (unsigned)s->n_rw);
        g->upcalls_addr = g->base + o.upcalls;
        g->ro_addr = g->base + o.ro;
        g->rw_addr = g->base + o.rw;
        g->pad_addr = g->base + o.pad;
        g->pad_size = o.t - o.pad;
        g->t_addr = g->base + o.t;
        g->upcalls = calloc(s->n_upcalls + 1, sizeof(*g->upcalls));
        g->ro = calloc(s->n_ro + 1, sizeof(*g->ro));
        g->rw = calloc(s->n_rw + 1, sizeof(*g->rw));
        if (!g->upcalls || !g->ro || !g->rw)
            return GS_E_NOMEM_HOST;
        for (unsigned j = 0; j < s->n_upcalls; j++) {
            struct gs_layout_upcall *u = &g->upcalls[j];
            u->addr = g->base + gs_grant_slot_offset(&o, GS_GRANT_UPCALL, j);
            u->appdata = load32(k, u->addr);
            u->fn = load32(k, u->addr + 4);
            u->target = classify_fn(p, u->fn);
        }
        for (unsigned j = 0; j < s->n_ro + s->n_rw; j++) {
            bool rw = j >= s->n_ro;
            struct gs_layout_allow *a = rw ? &g->rw[j - s->n_ro] : &g->ro[j];
            a->addr = g->base + (rw ? gs_grant_slot_offset(&o, GS_GRANT_RW, j - s->n_ro)
                                    : gs_grant_slot_offset(&o, GS_GRANT_RO, j));
            a->ptr = load32(k, a->addr);
            a->len = load32(k, a->addr + 4);
            a->target = classify_allow(p, a->ptr, a->len, rw);
        }
        g->t_peek = s->t_size < GS_LAYOUT_PEEK ? s->t_size : GS_LAYOUT_PEEK;
        gs_mem_read(k->mem, g->t_addr, g->t_bytes, g->t_peek);
        /* The shadow map must agree with the layout, part by part. */
        expect_tag(l, g->base + o.counters, o.upcalls - o.counters,
                   gs_powner(p, GS_OWN_GRANT_HDR, i), "grant counters word");
        expect_tag(l, g->upcalls_addr, o.ro - o.upcalls, gs_powner(p, GS_OWN_GRANT_UPCALLS, i),
                   "grant upcall slots");
        expect_tag(l, g->ro_addr, o.rw - o.ro, gs_powner(p, GS_OWN_GRANT_RO, i),
                   "grant RO allow slots");
        expect_tag(l, g->rw_addr, o.pad - o.rw, gs_powner(p, GS_OWN_GRANT_RW, i),
                   "grant RW allow slots");
        expect_tag(l, g->pad_addr, g->pad_size, gs_powner(p, GS_OWN_GRANT_PAD, i), "grant padding");
        expect_tag(l, g->t_addr, s->t_size, gs_powner(p, GS_OWN_GRANT_T, i), "grant T");
    }
    return GS_OK;
}

static void check_layout(struct gs_layout *l)
{
    const struct gs_process *p = l->p;

    if (!(p->memory_start <= p->app_break && p->app_break <= p->kernel_break &&
          p->kernel_break <= p->pcb && (uint64_t)p->pcb + l->pcb_size <= p->taskq &&
          (uint64_t)p->taskq + l->taskq_size <= p->grant_table &&
          (uint64_t)p->grant_table + l->grant_table_size <= l->memory_end)) {
        anomaly(l,
                "breaks out of order: start 0x%08X app 0x%08X kernel 0x%08X PCB 0x%08X "
                "ring 0x%08X table 0x%08X end 0x%08llX",
                (unsigned)p->memory_start, (unsigned)p->app_break, (unsigned)p->kernel_break,
                (unsigned)p->pcb, (unsigned)p->taskq, (unsigned)p->grant_table,
                (unsigned long long)l->memory_end);
        return;
    }
    expect_tag(l, p->memory_start, p->app_break - p->memory_start, gs_powner(p, GS_OWN_APP, 0),
               "app memory");
    expect_tag(l, p->app_break, p->kernel_break - p->app_break, gs_powner(p, GS_OWN_UNUSED, 0),
               "unused memory");
    expect_tag(l, p->pcb, l->pcb_size, gs_powner(p, GS_OWN_PCB, 0), "PCB");
    expect_tag(l, p->taskq, l->taskq_size, gs_powner(p, GS_OWN_TASKQ, 0), "task ring");
    expect_tag(l, p->grant_table, l->grant_table_size, gs_powner(p, GS_OWN_GRANT_TABLE, 0),
               "grant pointer table");
}

static int add_flash_part(struct gs_layout *l, unsigned *cap, const struct bctx *c,
                          const char *name, uint32_t start, uint64_t end)
{
    struct piece pcs[2 * MAX_MPU_CUTS + 2];
    unsigned n;

    if (end <= start)
        return GS_OK;
    n = split_by_mpu(c, start, end, pcs, sizeof(pcs) / sizeof(pcs[0]));
    for (unsigned i = 0; i < n && i < sizeof(pcs) / sizeof(pcs[0]); i++) {
        struct gs_layout_flash_part *f;
        if (grow((void **)&l->flash, cap, l->nflash, sizeof(*l->flash)) != GS_OK)
            return GS_E_NOMEM_HOST;
        f = &l->flash[l->nflash++];
        f->name = name;
        f->start = pcs[i].start;
        f->size = (uint32_t)(pcs[i].end - pcs[i].start);
        f->mpu_region = pcs[i].region;
        f->sub_lo = pcs[i].sub_lo;
        f->sub_hi = pcs[i].sub_hi;
        f->rights = pcs[i].rights;
    }
    return GS_OK;
}

/* TBF parts (TOCK-REFERENCE 8.3): header, protected trailer, binary, footers. */
static int build_flash(struct gs_layout *l, const struct bctx *c)
{
    const struct gs_app_info *a = &c->p->app;
    uint64_t fs = a->flash_start, fe = fs + a->flash_len;
    uint64_t h = fs + a->header_size, pt = h + a->protected_trailer, be = fs + a->binary_end;
    unsigned cap = 0;

    if (h > fe)
        h = fe;
    if (pt > fe)
        pt = fe;
    if (be > fe)
        be = fe;
    if (be < pt)
        be = pt;
    if (add_flash_part(l, &cap, c, "TBF header", (uint32_t)fs, h) != GS_OK ||
        add_flash_part(l, &cap, c, "protected trailer", (uint32_t)h, pt) != GS_OK ||
        add_flash_part(l, &cap, c, "binary", (uint32_t)pt, be) != GS_OK ||
        add_flash_part(l, &cap, c, "footers", (uint32_t)be, fe) != GS_OK)
        return GS_E_NOMEM_HOST;
    return GS_OK;
}

/* Why bytes at [a, b) are permitted beyond intent (a leak). */
static void leak_note(const struct gs_layout *l, const struct bctx *c, uint32_t a, int region,
                      char *buf, size_t n)
{
    const struct gs_kernel *k = c->k;
    const struct gs_process *p = c->p;

    if (region >= 2 && !strcmp(l->mpu[region].role, "IPC (stale)")) {
        snprintf(buf, n,
                 "stale IPC region: no live client shares it any more (upstream never "
                 "removes IPC regions, tock#4371)");
        return;
    }
    if (a >= p->memory_start && a < l->memory_end) {
        if (a >= p->kernel_break)
            snprintf(buf, n, "kernel memory of this process (above the kernel break)");
        else if (a >= p->app_break)
            snprintf(buf, n, "unused memory beyond the subregion rounding of the app break");
        else
            snprintf(buf, n, "app memory with more rights than rw-");
        return;
    }
    for (unsigned i = 0; i < k->cfg.num_procs; i++) {
        const struct gs_process *q = k->procs[i];
        if (q && q != p && a >= q->memory_start &&
            (uint64_t)a < (uint64_t)q->memory_start + q->memory_len) {
            char d[128];
            snprintf(buf, n, "memory of process %u \"%.24s\" (%s)", i, gs_process_name(q),
                     gs_owner_describe(gs_mem_owner_at(k->mem, a), d, sizeof(d)));
            return;
        }
    }
    if (gs_mem_in_ram(k->mem, a, 1))
        snprintf(buf, n, "RAM outside every process block");
    else if (a >= p->app.flash_start &&
             (uint64_t)a < (uint64_t)p->app.flash_start + p->app.flash_len)
        snprintf(buf, n, "this app's flash with more rights than r-x");
    else if (gs_mem_in_flash(k->mem, a, 1))
        snprintf(buf, n, "flash outside this app's TBF");
    else
        snprintf(buf, n, "memory outside RAM and flash");
}

static int add_diff(struct gs_layout *l, unsigned *cap, enum gs_layout_diff_kind kind, uint32_t a,
                    uint64_t b, unsigned intended, unsigned permitted, int region, const char *note)
{
    struct gs_layout_diff *d;

    if (l->ndiffs) {
        d = &l->diffs[l->ndiffs - 1];
        if (d->end == a && d->kind == kind && d->intended == intended &&
            d->permitted == permitted && d->mpu_region == region && !strcmp(d->note, note)) {
            d->end = b;
            return GS_OK;
        }
    }
    if (grow((void **)&l->diffs, cap, l->ndiffs, sizeof(*l->diffs)) != GS_OK)
        return GS_E_NOMEM_HOST;
    d = &l->diffs[l->ndiffs++];
    d->kind = kind;
    d->start = a;
    d->end = b;
    d->intended = intended;
    d->permitted = permitted;
    d->mpu_region = region;
    snprintf(d->note, sizeof(d->note), "%s", note);
    return GS_OK;
}

static int build_access(struct gs_layout *l, const struct bctx *c)
{
    const struct gs_process *p = c->p;
    uint64_t cuts[MAX_MPU_CUTS + 2 * GS_LAYOUT_MAX_INTENDED + 8];
    unsigned ncuts = 0, nspans, cap = 0;

    l->nintended = intended_set(c->k, p, l->intended);
    /* Permitted: every span with some unprivileged right. */
    nspans = gs_pmsav7_unpriv_spans(&c->hw, 0, TOP, NULL, 0);
    if (nspans) {
        struct gs_pmsav7_span *sp = calloc(nspans, sizeof(*sp));
        if (!sp)
            return GS_E_NOMEM_HOST;
        gs_pmsav7_unpriv_spans(&c->hw, 0, TOP, sp, nspans);
        l->permitted = calloc(nspans, sizeof(*l->permitted));
        if (!l->permitted) {
            free(sp);
            return GS_E_NOMEM_HOST;
        }
        for (unsigned i = 0; i < nspans; i++) {
            if (!sp[i].rights)
                continue;
            l->permitted[l->npermitted].start = sp[i].start;
            l->permitted[l->npermitted].end = sp[i].end;
            l->permitted[l->npermitted].rights = sp[i].rights;
            l->npermitted++;
        }
        free(sp);
    }
    /* Elementary segments: every edge where intent, rights or the slack rule can change. */
    for (unsigned i = 0; i < c->ncuts; i++)
        cuts[ncuts++] = c->cuts[i];
    for (unsigned i = 0; i < l->nintended; i++) {
        cuts[ncuts++] = l->intended[i].start;
        cuts[ncuts++] = l->intended[i].end;
    }
    cuts[ncuts++] = 0;
    cuts[ncuts++] = TOP;
    cuts[ncuts++] = p->app_break;
    cuts[ncuts++] = l->slack_end;
    cuts[ncuts++] = p->kernel_break;
    ncuts = sort_unique(cuts, ncuts);
    for (unsigned i = 0; i + 1 < ncuts && cuts[i] < TOP; i++) {
        uint32_t a = (uint32_t)cuts[i];
        uint64_t b = cuts[i + 1];
        const char *what;
        unsigned want = intended_at(l->intended, l->nintended, a, &what);
        unsigned got = gs_pmsav7_rights(&c->hw, a, false);
        int r = gs_pmsav7_region_for(&c->hw, a);
        unsigned extra = got & ~want, missing = want & ~got;
        char note[160];
        if (extra) {
            if (a >= p->app_break && b <= l->slack_end && b <= p->kernel_break &&
                (r == 0 || r == 1) && !(extra & ~(unsigned)RW)) {
                if (add_diff(l, &cap, GS_DIFF_SLACK, a, b, want, got, r,
                             "subregion rounding of the app break, below the kernel break "
                             "(expected)") != GS_OK)
                    return GS_E_NOMEM_HOST;
            } else {
                leak_note(l, c, a, r, note, sizeof(note));
                if (add_diff(l, &cap, GS_DIFF_LEAK, a, b, want, got, r, note) != GS_OK)
                    return GS_E_NOMEM_HOST;
            }
        }
        if (missing) {
            snprintf(note, sizeof(note), "the kernel intends %s", what ? what : "access");
            if (add_diff(l, &cap, GS_DIFF_FORBIDDEN, a, b, want, got, r, note) != GS_OK)
                return GS_E_NOMEM_HOST;
        }
    }
    for (unsigned i = 0; i < l->ndiffs; i++) {
        if (l->diffs[i].kind == GS_DIFF_LEAK)
            l->leaks++;
        else if (l->diffs[i].kind == GS_DIFF_FORBIDDEN)
            l->forbidden++;
        else
            l->slack++;
    }
    return GS_OK;
}

static bool proc_in_kernel(const struct gs_kernel *k, const struct gs_process *p)
{
    for (unsigned i = 0; i < GS_MAX_PROCS; i++)
        if (k->procs[i] == p)
            return true;
    return false;
}

int gs_layout_build(const struct gs_kernel *k, const struct gs_process *p, struct gs_layout **out)
{
    struct gs_layout *l;
    struct bctx *c;
    int e;

    if (!k || !p || !out || !proc_in_kernel(k, p))
        return GS_E_ARG;
    l = calloc(1, sizeof(*l));
    c = malloc(sizeof(*c));
    if (!l || !c) {
        free(l);
        free(c);
        return GS_E_NOMEM_HOST;
    }
    l->k = k;
    l->p = p;
    l->index = p->index;
    l->pid_id = p->pid.id;
    l->name = gs_process_name(p);
    gs_format_state(p, l->state, sizeof(l->state));
    l->running = gs_process_is_running(p);
    l->memory_start = p->memory_start;
    l->memory_len = p->memory_len;
    l->memory_end = (uint64_t)p->memory_start + p->memory_len;
    l->app_break = p->app_break;
    l->kernel_break = p->kernel_break;
    l->hwm = p->hwm;
    l->grant_table = p->grant_table;
    l->grant_table_size = k->grant_count * GS_GRANT_ENTRY_SIZE;
    l->taskq = p->taskq;
    l->taskq_size = GS_CALLBACKS_SIZE;
    l->pcb = p->pcb;
    l->pcb_size = k->cfg.pcb_size;
    l->flash_start = p->app.flash_start;
    l->flash_end = p->app.flash_start + p->app.flash_len;
    l->flash_np = gs_process_flash_non_protected_start(p);

    bctx_init(c, k, p);
    build_mpu(l, c);
    check_layout(l);
    e = build_regions(l, c);
    if (e == GS_OK)
        e = build_grants(l, c);
    if (e == GS_OK)
        e = build_flash(l, c);
    if (e == GS_OK)
        e = build_access(l, c);
    free(c);
    if (e != GS_OK) {
        gs_layout_free(l);
        return e;
    }
    *out = l;
    return GS_OK;
}

void gs_layout_free(struct gs_layout *l)
{
    if (!l)
        return;
    for (unsigned i = 0; i < l->ngrants; i++) {
        free(l->grants[i].upcalls);
        free(l->grants[i].ro);
        free(l->grants[i].rw);
    }
    free(l->grants);
    free(l->regions);
    free(l->custom);
    free(l->flash);
    free(l->permitted);
    free(l->diffs);
    free(l);
}

/* ================= queries on the model ================= */

const char *gs_layout_part_name(enum gs_owner_kind k)
{
    switch (k) {
    case GS_OWN_GRANT_HDR:
        return "counters";
    case GS_OWN_GRANT_UPCALLS:
        return "upcall slots";
    case GS_OWN_GRANT_RO:
        return "RO allow slots";
    case GS_OWN_GRANT_RW:
        return "RW allow slots";
    case GS_OWN_GRANT_PAD:
        return "padding";
    case GS_OWN_GRANT_T:
        return "T";
    default:
        return gs_owner_kind_name(k);
    }
}

unsigned gs_layout_elsewhere(const struct gs_layout *l, struct gs_layout_reach *out, unsigned max)
{
    unsigned n = 0;
    const struct gs_layout_access *sets[2] = {l->permitted, l->intended};
    unsigned counts[2] = {l->npermitted, l->nintended};

    for (unsigned k = 0; k < 2; k++) {
        for (unsigned i = 0; i < counts[k]; i++) {
            const struct gs_layout_access *a = &sets[k][i];
            uint64_t cut[6] = {a->start,      a->end,         l->memory_start,
                               l->memory_end, l->flash_start, l->flash_end};
            unsigned nc = sort_unique(cut, 6);
            for (unsigned j = 0; j + 1 < nc; j++) {
                uint64_t x = cut[j], y = cut[j + 1];
                bool dup = false;
                if (x < a->start || y > a->end)
                    continue;
                if ((x >= l->memory_start && y <= l->memory_end) ||
                    (x >= l->flash_start && y <= l->flash_end))
                    continue;
                for (unsigned q = 0; q < n; q++)
                    dup |= out[q].start == x && out[q].end == y;
                if (dup || n >= max)
                    continue;
                out[n].start = (uint32_t)x;
                out[n].end = y;
                out[n].rights = k == 0 ? a->rights : 0;
                out[n].intended = k == 1 ? a->rights : 0;
                out[n].region = -1;
                n++;
            }
        }
    }
    /* Fill in the other side of each entry from the model. */
    for (unsigned q = 0; q < n; q++) {
        const char *what;
        out[q].intended = intended_at(l->intended, l->nintended, out[q].start, &what);
        for (unsigned i = 0; i < l->npermitted; i++)
            if (out[q].start >= l->permitted[i].start && out[q].start < l->permitted[i].end)
                out[q].rights = l->permitted[i].rights;
        for (unsigned i = l->mpu_num_regions; i-- > 0;) {
            const struct gs_layout_mpu_region *m = &l->mpu[i];
            for (unsigned r = 0; r < m->nruns && out[q].region < 0; r++)
                if (out[q].start >= m->runs[r].start && out[q].start < m->runs[r].end)
                    out[q].region = (int)i;
            if (out[q].region >= 0)
                break;
        }
    }
    return n;
}

/* ================= explain ================= */

/* Names the field of a grant at byte offset `off` (layout of TOCK-REFERENCE 2.1). */
static void grant_field(const struct gs_grant *g, uint32_t off, char *buf, size_t n)
{
    struct gs_grant_offsets o = gs_grant_offsets(&g->shape);
    struct gs_grant_place pl = gs_grant_locate(&o, off);
    static const char *const counter_bytes[4] = {"number of upcalls", "number of RO allows",
                                                 "number of RW allows", "always 0"};
    static const char *const words[3][2] = {{"appdata", "fn_ptr"}, {"ptr", "len"}, {"ptr", "len"}};

    switch (pl.part) {
    case GS_GRANT_PART_COUNTERS:
        snprintf(buf, n, "counters word, byte %u (%s)", (unsigned)pl.byte, counter_bytes[pl.byte]);
        break;
    case GS_GRANT_PART_UPCALL:
    case GS_GRANT_PART_RO:
    case GS_GRANT_PART_RW:
        snprintf(buf, n, "%s slot %u, %s, byte %u",
                 pl.part == GS_GRANT_PART_UPCALL ? "upcall"
                 : pl.part == GS_GRANT_PART_RO   ? "RO allow"
                                                 : "RW allow",
                 (unsigned)pl.slot, words[pl.part - GS_GRANT_PART_UPCALL][pl.word],
                 (unsigned)pl.byte);
        break;
    case GS_GRANT_PART_PAD:
        snprintf(buf, n, "padding before T, byte %u", (unsigned)pl.byte);
        break;
    case GS_GRANT_PART_T:
        snprintf(buf, n, "T, byte %u of %u", (unsigned)pl.byte, (unsigned)g->shape.t_size);
        break;
    case GS_GRANT_PART_PAST:
        snprintf(buf, n, "past the end of the grant (+%u)", (unsigned)off);
        break;
    }
}

static void explain_ram(const struct gs_kernel *k, uint32_t addr, struct gs_explain *e)
{
    const struct gs_mem *m = k->mem;
    gs_owner o = gs_mem_owner_at(m, addr);
    enum gs_owner_kind kind = gs_owner_kind(o);
    const struct gs_process *q = NULL;
    uint32_t lo = addr, hi = addr, off;

    e->area = GS_EXPLAIN_RAM;
    e->owner = o;
    gs_owner_describe(o, e->owner_text, sizeof(e->owner_text));
    while (lo > m->ram_base && gs_mem_owner_at(m, lo - 1) == o)
        lo--;
    while ((uint64_t)hi + 1 < (uint64_t)m->ram_base + m->ram_size &&
           gs_mem_owner_at(m, hi + 1) == o)
        hi++;
    e->obj_start = lo;
    e->obj_size = hi - lo + 1;
    off = addr - lo;
    if (kind != GS_OWN_NONE) {
        q = gs_kernel_process_at(k, gs_owner_proc(o));
        e->proc = q ? (int)q->index : -1;
    }
    if (kind >= GS_OWN_GRANT_HDR && kind <= GS_OWN_GRANT_T) {
        const struct gs_grant *g = gs_kernel_grant(k, gs_owner_id(o));
        uint32_t d, ptr;
        e->grant = (int)gs_owner_id(o);
        if (g) {
            e->driver = g->driver_num;
            e->driver_name = driver_name(k, g);
        }
        if (g && q && gs_process_grant_entry(q, g->num, &d, &ptr) == GS_OK && ptr &&
            addr >= (ptr & ~1u) && addr - (ptr & ~1u) < g->size) {
            e->grant_base = ptr & ~1u;
            grant_field(g, addr - e->grant_base, e->detail, sizeof(e->detail));
        } else {
            snprintf(e->detail, sizeof(e->detail),
                     "byte %u of the %s (the grant table has no matching entry)", (unsigned)off,
                     gs_layout_part_name(kind));
        }
        return;
    }
    switch (kind) {
    case GS_OWN_APP:
        if (q)
            snprintf(e->detail, sizeof(e->detail), "memory_start + 0x%x (app break 0x%08X)",
                     (unsigned)(addr - q->memory_start), (unsigned)q->app_break);
        break;
    case GS_OWN_GRANT_TABLE:
        if (q && addr >= q->grant_table)
            snprintf(e->detail, sizeof(e->detail), "entry %u, %s, byte %u",
                     (unsigned)((addr - q->grant_table) / GS_GRANT_ENTRY_SIZE),
                     (addr - q->grant_table) % 8 < 4 ? "driver_num" : "grant_ptr",
                     (unsigned)((addr - q->grant_table) % 4));
        break;
    case GS_OWN_TASKQ:
        if (q && addr >= q->taskq)
            snprintf(e->detail, sizeof(e->detail), "task slot %u, byte %u",
                     (unsigned)((addr - q->taskq) / GS_TASK_SIZE),
                     (unsigned)((addr - q->taskq) % GS_TASK_SIZE));
        break;
    case GS_OWN_CUSTOM:
        snprintf(e->detail, sizeof(e->detail), "custom grant #%u, byte %u of %u", gs_owner_id(o),
                 (unsigned)off, (unsigned)e->obj_size);
        break;
    default:
        snprintf(e->detail, sizeof(e->detail), "byte %u of %u", (unsigned)off,
                 (unsigned)e->obj_size);
        break;
    }
}

static void explain_flash(const struct gs_kernel *k, uint32_t addr, struct gs_explain *e)
{
    e->area = GS_EXPLAIN_FLASH;
    for (unsigned i = 0; i < k->cfg.num_procs; i++) {
        const struct gs_process *q = k->procs[i];
        const struct gs_app_info *a;
        uint32_t off;
        const char *part;
        if (!q)
            continue;
        a = &q->app;
        if (addr < a->flash_start || (uint64_t)addr >= (uint64_t)a->flash_start + a->flash_len)
            continue;
        off = addr - a->flash_start;
        if (off < a->header_size)
            part = "TBF header";
        else if ((uint64_t)off < (uint64_t)a->header_size + a->protected_trailer)
            part = "protected trailer";
        else if (off < a->binary_end)
            part = "binary";
        else
            part = "footers";
        e->proc = (int)i;
        e->tbf_offset = off;
        snprintf(e->flash_part, sizeof(e->flash_part), "%s", part);
        snprintf(e->owner_text, sizeof(e->owner_text), "flash of process %u \"%.40s\": %s", i,
                 gs_process_name(q), part);
        return;
    }
    snprintf(e->owner_text, sizeof(e->owner_text), "flash outside every process's TBF");
}

int gs_explain(const struct gs_kernel *k, uint32_t addr, struct gs_explain *out)
{
    struct gs_explain *e = out;

    if (!k || !out)
        return GS_E_ARG;
    memset(e, 0, sizeof(*e));
    e->addr = addr;
    e->proc = -1;
    e->grant = -1;
    if (gs_mem_in_ram(k->mem, addr, 1)) {
        explain_ram(k, addr, e);
    } else if (gs_mem_in_flash(k->mem, addr, 1)) {
        explain_flash(k, addr, e);
    } else {
        e->area = GS_EXPLAIN_OTHER;
        snprintf(e->owner_text, sizeof(e->owner_text), "outside simulated RAM and flash");
    }
    for (unsigned i = 0; i < k->cfg.num_procs && i < GS_MAX_PROCS; i++) {
        const struct gs_process *q = k->procs[i];
        struct gs_explain_reach *r;
        struct gs_layout_access set[GS_LAYOUT_MAX_INTENDED];
        struct gs_pmsav7 hw;
        const char *what;
        unsigned n;
        if (!q)
            continue;
        r = &e->reach[e->nreach++];
        config_hw(k, q, &hw);
        r->proc = i;
        r->name = gs_process_name(q);
        r->has_mpu = q->has_mpu_config;
        r->mpu_region = gs_pmsav7_region_for(&hw, addr);
        r->subregion = subregion_of(&hw, r->mpu_region, addr);
        r->rights = gs_pmsav7_rights(&hw, addr, false);
        n = intended_set(k, q, set);
        r->intended = intended_at(set, n, addr, &what);
        snprintf(r->intended_what, sizeof(r->intended_what), "%s", what ? what : "");
        if (!r->intended && (r->rights & ~(unsigned)RW) == 0 && r->rights &&
            (r->mpu_region == 0 || r->mpu_region == 1) && addr >= q->app_break &&
            addr < slack_end_of(q) && addr < q->kernel_break)
            snprintf(r->intended_what, sizeof(r->intended_what),
                     "not intended, but expected: subregion rounding of the app break");
    }
    return GS_OK;
}
