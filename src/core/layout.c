/* SPDX-License-Identifier: MIT */
/*
 * The memory-map model and its renderers (layout.h).
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
 * (kernel/src/grant.rs, EnteredGrantKernelManagedLayout):
 *
 *   base +0            counters word (nU | nRO << 8 | nRW << 16)
 *        +4            SavedUpcall[nU]   {appdata, fn_ptr}
 *        +4+8nU        SavedAllowRo[nRO] {ptr, len}
 *        +4+8nU+8nRO   SavedAllowRw[nRW] {ptr, len}
 *        kms           padding up to align_of(T)
 *        size - |T|    T
 *
 * using the counts of the Grant's shape (what the kernel's type says), not
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
        if (!q || q == p || !gs_process_is_running(q))
            continue;
        if (gs_process_grant_entry(q, g->num, &d, &gp) != GS_OK || gp == 0)
            continue;
        slot = (gp & ~1u) + 4 + 8 * (g->shape.n_upcalls + g->shape.n_ro + p->index);
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
        uint32_t kms, t_off;
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
        kms = 4 + 8 * (s->n_upcalls + s->n_ro + s->n_rw);
        t_off = g->size - s->t_size;
        g->counters = load32(k, g->base);
        g->c_upcalls = g->counters & 0xFF;
        g->c_ro = (g->counters >> 8) & 0xFF;
        g->c_rw = (g->counters >> 16) & 0xFF;
        g->counters_ok = g->counters == (s->n_upcalls | (s->n_ro << 8) | (s->n_rw << 16));
        if (!g->counters_ok)
            anomaly(l, "grant %u counters word 0x%08X does not match its shape (%u, %u, %u)", i,
                    (unsigned)g->counters, (unsigned)s->n_upcalls, (unsigned)s->n_ro,
                    (unsigned)s->n_rw);
        g->upcalls_addr = g->base + 4;
        g->ro_addr = g->upcalls_addr + 8 * s->n_upcalls;
        g->rw_addr = g->ro_addr + 8 * s->n_ro;
        g->pad_addr = g->base + kms;
        g->pad_size = t_off - kms;
        g->t_addr = g->base + t_off;
        g->upcalls = calloc(s->n_upcalls + 1, sizeof(*g->upcalls));
        g->ro = calloc(s->n_ro + 1, sizeof(*g->ro));
        g->rw = calloc(s->n_rw + 1, sizeof(*g->rw));
        if (!g->upcalls || !g->ro || !g->rw)
            return GS_E_NOMEM_HOST;
        for (unsigned j = 0; j < s->n_upcalls; j++) {
            struct gs_layout_upcall *u = &g->upcalls[j];
            u->addr = g->upcalls_addr + 8 * j;
            u->appdata = load32(k, u->addr);
            u->fn = load32(k, u->addr + 4);
            u->target = classify_fn(p, u->fn);
        }
        for (unsigned j = 0; j < s->n_ro + s->n_rw; j++) {
            bool rw = j >= s->n_ro;
            struct gs_layout_allow *a = rw ? &g->rw[j - s->n_ro] : &g->ro[j];
            a->addr = g->ro_addr + 8 * j;
            a->ptr = load32(k, a->addr);
            a->len = load32(k, a->addr + 4);
            a->target = classify_allow(p, a->ptr, a->len, rw);
        }
        g->t_peek = s->t_size < GS_LAYOUT_PEEK ? s->t_size : GS_LAYOUT_PEEK;
        gs_mem_read(k->mem, g->t_addr, g->t_bytes, g->t_peek);
        /* The shadow map must agree with the layout, part by part. */
        expect_tag(l, g->base, 4, gs_powner(p, GS_OWN_GRANT_HDR, i), "grant counters word");
        expect_tag(l, g->upcalls_addr, 8 * s->n_upcalls, gs_powner(p, GS_OWN_GRANT_UPCALLS, i),
                   "grant upcall slots");
        expect_tag(l, g->ro_addr, 8 * s->n_ro, gs_powner(p, GS_OWN_GRANT_RO, i),
                   "grant RO allow slots");
        expect_tag(l, g->rw_addr, 8 * s->n_rw, gs_powner(p, GS_OWN_GRANT_RW, i),
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

/* ================= text ================= */

static const char *part_name(enum gs_owner_kind k)
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

/* "0x1 console" or "0xa0003". */
static void driver_str(const struct gs_layout *l, int grant, char *buf, size_t n)
{
    if (grant < 0 || (unsigned)grant >= l->ngrants) {
        snprintf(buf, n, "?");
        return;
    }
    if (l->grants[grant].driver_name)
        snprintf(buf, n, "0x%x %s", (unsigned)l->grants[grant].driver,
                 l->grants[grant].driver_name);
    else
        snprintf(buf, n, "0x%x", (unsigned)l->grants[grant].driver);
}

/* A short label for a map line. */
static void region_label(const struct gs_layout *l, const struct gs_layout_region *r, char *buf,
                         size_t n)
{
    char d[64];

    if (r->foreign) {
        char o[128];
        snprintf(buf, n, "FOREIGN TAG: %s", gs_owner_describe(r->owner, o, sizeof(o)));
        return;
    }
    switch (r->kind) {
    case GS_OWN_NONE:
        snprintf(buf, n, "no owner");
        break;
    case GS_OWN_APP:
        snprintf(buf, n, "app memory");
        break;
    case GS_OWN_UNUSED:
        snprintf(buf, n, "unused");
        break;
    case GS_OWN_GRANT_TABLE:
        snprintf(buf, n, "grant pointer table (%u entries)", l->ngrants);
        break;
    case GS_OWN_TASKQ:
        snprintf(buf, n, "task ring (%u x %u)", GS_CALLBACK_LEN, GS_TASK_SIZE);
        break;
    case GS_OWN_PCB:
        snprintf(buf, n, "process control block");
        break;
    case GS_OWN_KERNEL_SLACK:
        snprintf(buf, n, "kernel alignment slack");
        break;
    case GS_OWN_CUSTOM:
        snprintf(buf, n, "custom grant #%d", r->custom);
        break;
    case GS_OWN_FREED:
        snprintf(buf, n, "freed (released by terminate)");
        break;
    default:
        driver_str(l, r->grant, d, sizeof(d));
        snprintf(buf, n, "grant %d [%s] %s", r->grant, d, part_name(r->kind));
        break;
    }
}

static void mpu_col(int region, int lo, int hi, unsigned rights, char *buf, size_t n)
{
    char rs[4], where[40];

    if (region < 0)
        snprintf(where, sizeof(where), "--");
    else if (lo < 0)
        snprintf(where, sizeof(where), "R%d", region);
    else if (lo == hi)
        snprintf(where, sizeof(where), "R%d s%d", region, lo);
    else
        snprintf(where, sizeof(where), "R%d s%d-%d", region, lo, hi);
    snprintf(buf, n, "%-9s %s", where, gs_layout_rights_str(rights, rs));
}

/* Flags of the access differences overlapping [a, b). */
static void diff_flags(const struct gs_layout *l, uint32_t a, uint64_t b, char *buf, size_t n)
{
    bool leak = false, forb = false, slack = false;

    for (unsigned i = 0; i < l->ndiffs; i++) {
        const struct gs_layout_diff *d = &l->diffs[i];
        if (d->start >= b || d->end <= a)
            continue;
        leak |= d->kind == GS_DIFF_LEAK;
        forb |= d->kind == GS_DIFF_FORBIDDEN;
        slack |= d->kind == GS_DIFF_SLACK;
    }
    snprintf(buf, n, "%s%s%s", leak ? " LEAK" : "", forb ? " FORBIDDEN" : "",
             slack ? " slack" : "");
}

static void hexbytes(const uint8_t *b, unsigned n, unsigned total, char *buf, size_t cap)
{
    size_t o = 0;

    buf[0] = '\0';
    for (unsigned i = 0; i < n && o + 4 < cap; i++)
        o += (size_t)snprintf(buf + o, cap - o, "%s%02x", i ? " " : "", b[i]);
    if (total > n && o + 4 < cap)
        snprintf(buf + o, cap - o, " ...");
}

static void text_header(const struct gs_layout *l, struct gs_sink *s)
{
    gs_sink_printf(s,
                   "\r\n ---| grantsim layout: process %u \"%s\" |---"
                   "\r\n ProcessId %u.%u, %s%s"
                   "\r\n block [0x%08X, 0x%08llX) %u bytes; app break 0x%08X; kernel break "
                   "0x%08X;"
                   "\r\n allow high-water mark 0x%08X; TBF [0x%08X, 0x%08X), unprotected from "
                   "0x%08X\r\n",
                   l->index, l->name, l->index, (unsigned)l->pid_id, l->state,
                   l->running ? "" : " (not running: its MPU config is not in use)",
                   (unsigned)l->memory_start, (unsigned long long)l->memory_end,
                   (unsigned)l->memory_len, (unsigned)l->app_break, (unsigned)l->kernel_break,
                   (unsigned)l->hwm, (unsigned)l->flash_start, (unsigned)l->flash_end,
                   (unsigned)l->flash_np);
}

static void text_map(const struct gs_layout *l, struct gs_sink *s)
{
    char label[160], mpu[64], flags[40];

    gs_sink_printf(s, "\r\n Memory map, high addresses first. MPU: the region that decides an "
                      "unprivileged"
                      "\r\n access there, the subregions of it the line spans, and the rights "
                      "(r w x)."
                      "\r\n Flags: slack = expected subregion rounding, LEAK / FORBIDDEN = access "
                      "differences."
                      "\r\n"
                      "\r\n   Start       End            Bytes  Owner                          "
                      "              MPU\r\n");
    for (unsigned i = l->nregions; i-- > 0;) {
        const struct gs_layout_region *r = &l->regions[i];
        region_label(l, r, label, sizeof(label));
        mpu_col(r->mpu_region, r->sub_lo, r->sub_hi, r->rights, mpu, sizeof(mpu));
        diff_flags(l, r->start, (uint64_t)r->start + r->size, flags, sizeof(flags));
        gs_sink_printf(s, "   0x%08X  0x%08llX %8u  %-40s %s%s\r\n", (unsigned)r->start,
                       (unsigned long long)r->start + r->size, (unsigned)r->size, label, mpu,
                       flags);
    }
    gs_sink_printf(s, "\r\n Flash: the app's TBF, high addresses first\r\n");
    for (unsigned i = l->nflash; i-- > 0;) {
        const struct gs_layout_flash_part *f = &l->flash[i];
        mpu_col(f->mpu_region, f->sub_lo, f->sub_hi, f->rights, mpu, sizeof(mpu));
        diff_flags(l, f->start, (uint64_t)f->start + f->size, flags, sizeof(flags));
        gs_sink_printf(s, "   0x%08X  0x%08llX %8u  %-40s %s%s\r\n", (unsigned)f->start,
                       (unsigned long long)f->start + f->size, (unsigned)f->size, f->name, mpu,
                       flags);
    }
}

static void text_allow(struct gs_sink *s, const struct gs_layout_grant *g,
                       const struct gs_layout_allow *a, const char *kind, unsigned j)
{
    gs_sink_printf(s, "    +0x%03X 0x%08X  %s allow %-3u ptr 0x%08X  len %-10u -> %s\r\n",
                   (unsigned)(a->addr - g->base), (unsigned)a->addr, kind, j, (unsigned)a->ptr,
                   (unsigned)a->len, gs_layout_target_name(a->target));
}

static void text_grants(const struct gs_layout *l, struct gs_sink *s)
{
    unsigned nalloc = 0, col = 0;
    char d[64], hex[GS_LAYOUT_PEEK * 3 + 8];

    for (unsigned i = 0; i < l->ngrants; i++)
        nalloc += l->grants[i].allocated;
    gs_sink_printf(s, "\r\n Grants: %u defined, %u allocated in this process\r\n", l->ngrants,
                   nalloc);
    for (unsigned i = 0; i < l->ngrants; i++) {
        const struct gs_layout_grant *g = &l->grants[i];
        const struct gs_grant_shape *sh = &g->shape;
        if (!g->allocated)
            continue;
        driver_str(l, (int)i, d, sizeof(d));
        gs_sink_printf(s,
                       "  Grant %u [%s] at [0x%08X, 0x%08llX) %u bytes, align %u; shape: "
                       "upcalls %u, RO %u, RW %u, T %u bytes (align %u)%s\r\n",
                       i, d, (unsigned)g->base, (unsigned long long)g->base + g->size,
                       (unsigned)g->size, (unsigned)g->align, (unsigned)sh->n_upcalls,
                       (unsigned)sh->n_ro, (unsigned)sh->n_rw, (unsigned)sh->t_size,
                       (unsigned)sh->t_align, g->entered ? "; ENTERED (bit 0 set)" : "");
        if (!g->decoded) {
            gs_sink_printf(s, "    (not decoded: outside RAM)\r\n");
            continue;
        }
        gs_sink_printf(s,
                       "    +0x000 0x%08X  counters     0x%08X = %u upcalls, %u RO, %u RW (%s)\r\n",
                       (unsigned)g->base, (unsigned)g->counters, g->c_upcalls, g->c_ro, g->c_rw,
                       g->counters_ok ? "matches the shape" : "DOES NOT MATCH the shape");
        for (unsigned j = 0; j < sh->n_upcalls; j++) {
            const struct gs_layout_upcall *u = &g->upcalls[j];
            gs_sink_printf(
                s, "    +0x%03X 0x%08X  upcall %-5u appdata 0x%08X  fn 0x%08X  -> %s\r\n",
                (unsigned)(u->addr - g->base), (unsigned)u->addr, j, (unsigned)u->appdata,
                (unsigned)u->fn,
                u->target == GS_LT_NULL ? "null upcall" : gs_layout_target_name(u->target));
        }
        for (unsigned j = 0; j < sh->n_ro; j++)
            text_allow(s, g, &g->ro[j], "RO", j);
        for (unsigned j = 0; j < sh->n_rw; j++)
            text_allow(s, g, &g->rw[j], "RW", j);
        gs_sink_printf(s, "    +0x%03X 0x%08X  padding      %u bytes (never written)\r\n",
                       (unsigned)(g->pad_addr - g->base), (unsigned)g->pad_addr,
                       (unsigned)g->pad_size);
        hexbytes(g->t_bytes, g->t_peek, sh->t_size, hex, sizeof(hex));
        gs_sink_printf(s, "    +0x%03X 0x%08X  T            %u bytes%s%s\r\n",
                       (unsigned)(g->t_addr - g->base), (unsigned)g->t_addr, (unsigned)sh->t_size,
                       sh->t_size ? ": " : "", hex);
    }
    for (unsigned i = 0; i < l->ngrants; i++) {
        if (l->grants[i].allocated)
            continue;
        driver_str(l, (int)i, d, sizeof(d));
        if (col % 5 == 0)
            gs_sink_printf(s, "%s", col ? "\r\n                " : "  Not allocated:");
        gs_sink_printf(s, " %u [%s]", i, d);
        col++;
    }
    if (col)
        gs_sink_printf(s, "\r\n");
    gs_sink_printf(s, "\r\n Custom grants: %u\r\n", l->ncustom);
    for (unsigned i = 0; i < l->ncustom; i++) {
        const struct gs_layout_custom *c = &l->custom[i];
        hexbytes(c->bytes, c->peek, c->size, hex, sizeof(hex));
        gs_sink_printf(s,
                       "  #%u at [0x%08X, 0x%08llX) %u bytes, identifier (memory end - start) "
                       "0x%x%s%s\r\n",
                       c->serial, (unsigned)c->start, (unsigned long long)c->start + c->size,
                       (unsigned)c->size, (unsigned)c->offset, c->size ? ": " : "", hex);
    }
}

static void text_mpu(const struct gs_layout *l, struct gs_sink *s)
{
    char rs[4];

    gs_sink_printf(s,
                   "\r\n MPU regions of the process's config (id %u), decided as a PMSAv7 MPU "
                   "programmed"
                   "\r\n with these RBAR/RASR values decides (CTRL = ENABLE | PRIVDEFENA)\r\n",
                   (unsigned)l->mpu_config_id);
    for (unsigned i = 0; i < l->mpu_num_regions; i++) {
        const struct gs_layout_mpu_region *m = &l->mpu[i];
        unsigned j = i;
        if (!m->used && !m->enabled) {
            while (j + 1 < l->mpu_num_regions && !l->mpu[j + 1].used && !l->mpu[j + 1].enabled)
                j++;
            if (j > i)
                gs_sink_printf(s, "  R%u-R%u unused\r\n", i, j);
            else
                gs_sink_printf(s, "  R%u unused\r\n", i);
            i = j;
            continue;
        }
        gs_sink_printf(s, "  R%u %-13s logical [0x%08X, 0x%08llX) %u bytes\r\n", i, m->role,
                       (unsigned)m->start, (unsigned long long)m->start + m->size,
                       (unsigned)m->size);
        gs_sink_printf(s,
                       "     RBAR 0x%08X  RASR 0x%08X: %s, base 0x%08X, %llu bytes, AP %u "
                       "(%s), XN %u -> unprivileged %s\r\n",
                       (unsigned)m->rbar, (unsigned)m->rasr, m->enabled ? "enabled" : "DISABLED",
                       (unsigned)m->base, (unsigned long long)m->bytes, m->ap,
                       gs_pmsav7_ap_name(m->ap), m->xn, gs_layout_rights_str(m->rights, rs));
        if (m->enabled && m->nruns == 0)
            gs_sink_printf(s, "     every subregion disabled (SRD 0x%02X)\r\n", m->srd);
        for (unsigned r = 0; r < m->nruns; r++) {
            if (m->bytes < 256)
                gs_sink_printf(s,
                               "     whole region (no subregions below 256 bytes): "
                               "[0x%08X, 0x%08llX)\r\n",
                               (unsigned)m->runs[r].start, (unsigned long long)m->runs[r].end);
            else
                gs_sink_printf(s, "     enabled subregions %u-%u: [0x%08X, 0x%08llX)\r\n",
                               m->run_first[r], m->run_last[r], (unsigned)m->runs[r].start,
                               (unsigned long long)m->runs[r].end);
        }
    }
    gs_sink_printf(s, "  IPC regions the kernel mapped for it (mpu_regions cache): %u\r\n",
                   l->nipc);
    for (unsigned i = 0; i < l->nipc; i++) {
        const struct gs_layout_ipc *c = &l->ipc[i];
        if (c->sharer >= 0)
            gs_sink_printf(s,
                           "    [0x%08X, 0x%08llX) %u bytes: shared by process %d \"%s\" (its IPC "
                           "RW slot %u)\r\n",
                           (unsigned)c->start, (unsigned long long)c->start + c->size,
                           (unsigned)c->size, c->sharer, gs_process_name(l->k->procs[c->sharer]),
                           c->slot);
        else
            gs_sink_printf(s,
                           "    [0x%08X, 0x%08llX) %u bytes: STALE, no live client shares it "
                           "(tock#4371)\r\n",
                           (unsigned)c->start, (unsigned long long)c->start + c->size,
                           (unsigned)c->size);
    }
}

static void text_access(const struct gs_layout *l, struct gs_sink *s)
{
    char rs[4], rs2[4];

    gs_sink_printf(s, "\r\n Access: the kernel's intent against what the MPU permits "
                      "(unprivileged)\r\n");
    for (unsigned i = 0; i < l->nintended; i++) {
        const struct gs_layout_access *a = &l->intended[i];
        gs_sink_printf(s, "  intended   %s [0x%08X, 0x%08llX) %10llu bytes  %s\r\n",
                       gs_layout_rights_str(a->rights, rs), (unsigned)a->start,
                       (unsigned long long)a->end, (unsigned long long)(a->end - a->start),
                       a->what);
    }
    for (unsigned i = 0; i < l->npermitted; i++) {
        const struct gs_layout_access *a = &l->permitted[i];
        gs_sink_printf(s, "  permitted  %s [0x%08X, 0x%08llX) %10llu bytes\r\n",
                       gs_layout_rights_str(a->rights, rs), (unsigned)a->start,
                       (unsigned long long)a->end, (unsigned long long)(a->end - a->start));
    }
    gs_sink_printf(s, "  differences: %u leak%s, %u forbidden, %u expected slack\r\n", l->leaks,
                   l->leaks == 1 ? "" : "s", l->forbidden, l->slack);
    for (unsigned i = 0; i < l->ndiffs; i++) {
        const struct gs_layout_diff *d = &l->diffs[i];
        char where[16];
        unsigned shown = 0;
        if (d->mpu_region >= 0)
            snprintf(where, sizeof(where), "R%d", d->mpu_region);
        else
            snprintf(where, sizeof(where), "--");
        gs_sink_printf(s,
                       "  %-10s [0x%08X, 0x%08llX) %10llu bytes  %-3s permits %s, intended %s: "
                       "%s\r\n",
                       d->kind == GS_DIFF_LEAK        ? "LEAK"
                       : d->kind == GS_DIFF_FORBIDDEN ? "FORBIDDEN"
                                                      : "slack",
                       (unsigned)d->start, (unsigned long long)d->end,
                       (unsigned long long)(d->end - d->start), where,
                       gs_layout_rights_str(d->permitted, rs),
                       gs_layout_rights_str(d->intended, rs2), d->note);
        if (d->kind == GS_DIFF_SLACK)
            continue;
        /* Which map lines of this process it touches. */
        for (unsigned j = 0; j < l->nregions; j++) {
            const struct gs_layout_region *r = &l->regions[j];
            char label[160];
            if (r->start >= d->end || (uint64_t)r->start + r->size <= d->start)
                continue;
            region_label(l, r, label, sizeof(label));
            if (shown == 8) {
                unsigned more = 0;
                for (unsigned m = j; m < l->nregions; m++)
                    more += l->regions[m].start < d->end;
                gs_sink_printf(s, "               ... and %u more\r\n", more);
                break;
            }
            gs_sink_printf(s, "               touches [0x%08X, 0x%08llX) %s\r\n",
                           (unsigned)r->start, (unsigned long long)r->start + r->size, label);
            shown++;
        }
    }
}

static void text_anomalies(const struct gs_layout *l, struct gs_sink *s)
{
    if (!l->nanomalies) {
        gs_sink_printf(s, "\r\n Anomalies (layout vs shadow map vs grant table): none\r\n");
        return;
    }
    gs_sink_printf(s, "\r\n Anomalies (layout vs shadow map vs grant table): %u\r\n",
                   l->nanomalies);
    for (unsigned i = 0; i < l->nanomalies && i < GS_LAYOUT_MAX_ANOMALIES; i++)
        gs_sink_printf(s, "  %s\r\n", l->anomalies[i]);
    if (l->nanomalies > GS_LAYOUT_MAX_ANOMALIES)
        gs_sink_printf(s, "  ... %u more\r\n", l->nanomalies - GS_LAYOUT_MAX_ANOMALIES);
}

void gs_layout_print_extended(const struct gs_layout *l, struct gs_sink *s)
{
    text_header(l, s);
    text_map(l, s);
    text_grants(l, s);
    text_mpu(l, s);
    text_access(l, s);
    text_anomalies(l, s);
}

void gs_layout_print_text(const struct gs_layout *l, struct gs_sink *s)
{
    gs_print_overview(l->p, s);
    gs_print_full_process(l->p, s);
    gs_layout_print_extended(l, s);
}

/* ================= JSON ================= */

/*
 * A minimal JSON writer: objects and arrays nest, `key` is NULL inside
 * arrays, commas and indentation are handled here. Strings are written as
 * UTF-8; invalid UTF-8 bytes become U+FFFD and control characters \uXXXX.
 */
struct jw {
    struct gs_sink *s;
    unsigned depth;
    bool comma[32];
};

static void jw_raw(struct jw *w, const char *str, size_t n)
{
    w->s->write(w->s->ctx, str, n);
}

static void jw_puts(struct jw *w, const char *str)
{
    jw_raw(w, str, strlen(str));
}

/* Length of the valid UTF-8 sequence at s (0 if invalid), with at most n bytes. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    size_t len;
    uint32_t cp;

    if (s[0] < 0x80)
        return 1;
    if ((s[0] & 0xE0) == 0xC0)
        len = 2, cp = s[0] & 0x1F;
    else if ((s[0] & 0xF0) == 0xE0)
        len = 3, cp = s[0] & 0x0F;
    else if ((s[0] & 0xF8) == 0xF0)
        len = 4, cp = s[0] & 0x07;
    else
        return 0;
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

static void jw_string(struct jw *w, const char *str)
{
    const unsigned char *p = (const unsigned char *)(str ? str : "");
    size_t n = strlen((const char *)p);

    jw_raw(w, "\"", 1);
    for (size_t i = 0; i < n;) {
        char esc[8];
        size_t k;
        if (p[i] == '"' || p[i] == '\\') {
            esc[0] = '\\';
            esc[1] = (char)p[i];
            jw_raw(w, esc, 2);
            i++;
        } else if (p[i] < 0x20) {
            snprintf(esc, sizeof(esc), "\\u%04x", p[i]);
            jw_raw(w, esc, 6);
            i++;
        } else if ((k = utf8_len(p + i, n - i)) == 0) {
            jw_puts(w, "\\ufffd");
            i++;
        } else {
            jw_raw(w, (const char *)p + i, k);
            i += k;
        }
    }
    jw_raw(w, "\"", 1);
}

static void jw_indent(struct jw *w)
{
    static const char spaces[] = "                                                                ";
    unsigned n = 2 * w->depth;

    jw_raw(w, "\n", 1);
    jw_raw(w, spaces, n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1);
}

static void jw_key(struct jw *w, const char *key)
{
    if (w->comma[w->depth])
        jw_raw(w, ",", 1);
    w->comma[w->depth] = true;
    jw_indent(w);
    if (key) {
        jw_string(w, key);
        jw_raw(w, ": ", 2);
    }
}

static void jw_open(struct jw *w, const char *key, char c)
{
    if (w->depth || w->comma[0])
        jw_key(w, key);
    jw_raw(w, &c, 1);
    if (w->depth + 1 < sizeof(w->comma))
        w->depth++;
    w->comma[w->depth] = false;
}

static void jw_close(struct jw *w, char c)
{
    bool had = w->comma[w->depth];

    w->depth--;
    if (had)
        jw_indent(w);
    jw_raw(w, &c, 1);
    if (w->depth == 0)
        jw_raw(w, "\n", 1);
}

static void jw_obj(struct jw *w, const char *key)
{
    jw_open(w, key, '{');
}
static void jw_arr(struct jw *w, const char *key)
{
    jw_open(w, key, '[');
}
static void jw_end_obj(struct jw *w)
{
    jw_close(w, '}');
}
static void jw_end_arr(struct jw *w)
{
    jw_close(w, ']');
}

static void jw_u(struct jw *w, const char *key, uint64_t v)
{
    char b[24];

    jw_key(w, key);
    snprintf(b, sizeof(b), "%llu", (unsigned long long)v);
    jw_puts(w, b);
}

static void jw_i(struct jw *w, const char *key, long long v)
{
    char b[24];

    jw_key(w, key);
    snprintf(b, sizeof(b), "%lld", v);
    jw_puts(w, b);
}

/* An index that may be absent: null when v < 0. */
static void jw_opt(struct jw *w, const char *key, long long v)
{
    if (v < 0) {
        jw_key(w, key);
        jw_puts(w, "null");
    } else {
        jw_i(w, key, v);
    }
}

static void jw_s(struct jw *w, const char *key, const char *v)
{
    jw_key(w, key);
    if (v)
        jw_string(w, v);
    else
        jw_puts(w, "null");
}

static void jw_b(struct jw *w, const char *key, bool v)
{
    jw_key(w, key);
    jw_puts(w, v ? "true" : "false");
}

static void jw_rights(struct jw *w, const char *key, unsigned rights)
{
    char rs[4];

    jw_s(w, key, gs_layout_rights_str(rights, rs));
}

static void jw_hex(struct jw *w, const char *key, const uint8_t *b, unsigned n)
{
    char buf[GS_LAYOUT_PEEK * 2 + 1];

    for (unsigned i = 0; i < n && i < GS_LAYOUT_PEEK; i++)
        snprintf(buf + 2 * i, 3, "%02x", b[i]);
    buf[2 * (n < GS_LAYOUT_PEEK ? n : GS_LAYOUT_PEEK)] = '\0';
    jw_s(w, key, buf);
}

/*
 * JSON shape (addresses and sizes are plain numbers; every range is
 * [start, end) with end exclusive and possibly 4294967296; rights are "rwx"
 * strings with '-' for a missing right; docs/layout.md explains each field):
 *
 * {
 *   "grantsim_layout": 1,
 *   "process": {index, id, name, state, running, memory_start, memory_len,
 *               memory_end, app_break, kernel_break, allow_high_water_mark,
 *               grant_table, grant_table_size, task_ring, task_ring_size,
 *               pcb, pcb_size, flash_start, flash_end, flash_unprotected},
 *   "regions": [{start, end, size, kind, label, owner_tag, owner, grant|null,
 *                driver|null, custom|null, foreign,
 *                mpu: {region|null, subregions: [lo, hi]|null, rights}}],
 *   "flash": [{name, start, end, size, mpu: {...}}],
 *   "grants": [{num, driver, driver_name|null, allocated, entered,
 *               entry: {driver, ptr}, base, size, align,
 *               shape: {upcalls, ro, rw, t_size, t_align},
 *               decoded: false | {counters: {raw, upcalls, ro, rw, matches_shape},
 *                 upcalls: [{index, addr, appdata, fn, target}],
 *                 ro: [{index, addr, ptr, len, target}], rw: [...],
 *                 padding: {addr, size}, t: {addr, size, bytes}}}],
 *   "custom_grants": [{serial, start, end, size, identifier, bytes}],
 *   "mpu": {config_id, has_config, num_regions, slack_end,
 *           regions: [{num, used, role, logical: {start, size}|null, rbar, rasr,
 *                      enabled, base, bytes, srd, ap, ap_name, xn, rights,
 *                      enabled_subregions: [{first, last, start, end}]}],
 *           ipc: [{start, end, size, sharer|null, slot}]},
 *   "access": {intended: [{start, end, rights, what}],
 *              permitted: [{start, end, rights}],
 *              differences: [{kind, start, end, size, intended, permitted,
 *                             mpu_region|null, note}],
 *              leaks, forbidden, slack},
 *   "anomalies": [string]
 * }
 */
static void json_mpu_decision(struct jw *w, int region, int lo, int hi, unsigned rights)
{
    jw_obj(w, "mpu");
    jw_opt(w, "region", region);
    if (lo < 0) {
        jw_key(w, "subregions");
        jw_puts(w, "null");
    } else {
        jw_arr(w, "subregions");
        jw_i(w, NULL, lo);
        jw_i(w, NULL, hi);
        jw_end_arr(w);
    }
    jw_rights(w, "rights", rights);
    jw_end_obj(w);
}

static void json_grant(struct jw *w, const struct gs_layout *l, const struct gs_layout_grant *g)
{
    (void)l;
    jw_obj(w, NULL);
    jw_u(w, "num", g->num);
    jw_u(w, "driver", g->driver);
    jw_s(w, "driver_name", g->driver_name);
    jw_b(w, "allocated", g->allocated);
    jw_b(w, "entered", g->entered);
    jw_obj(w, "entry");
    jw_u(w, "driver", g->entry_driver);
    jw_u(w, "ptr", g->entry_ptr);
    jw_end_obj(w);
    jw_u(w, "base", g->base);
    jw_u(w, "size", g->size);
    jw_u(w, "align", g->align);
    jw_obj(w, "shape");
    jw_u(w, "upcalls", g->shape.n_upcalls);
    jw_u(w, "ro", g->shape.n_ro);
    jw_u(w, "rw", g->shape.n_rw);
    jw_u(w, "t_size", g->shape.t_size);
    jw_u(w, "t_align", g->shape.t_align);
    jw_end_obj(w);
    if (!g->decoded) {
        jw_b(w, "decoded", false);
        jw_end_obj(w);
        return;
    }
    jw_obj(w, "decoded");
    jw_obj(w, "counters");
    jw_u(w, "raw", g->counters);
    jw_u(w, "upcalls", g->c_upcalls);
    jw_u(w, "ro", g->c_ro);
    jw_u(w, "rw", g->c_rw);
    jw_b(w, "matches_shape", g->counters_ok);
    jw_end_obj(w);
    jw_arr(w, "upcalls");
    for (unsigned j = 0; j < g->shape.n_upcalls; j++) {
        jw_obj(w, NULL);
        jw_u(w, "index", j);
        jw_u(w, "addr", g->upcalls[j].addr);
        jw_u(w, "appdata", g->upcalls[j].appdata);
        jw_u(w, "fn", g->upcalls[j].fn);
        jw_s(w, "target", gs_layout_target_name(g->upcalls[j].target));
        jw_end_obj(w);
    }
    jw_end_arr(w);
    for (unsigned k = 0; k < 2; k++) {
        const struct gs_layout_allow *a = k ? g->rw : g->ro;
        unsigned n = k ? g->shape.n_rw : g->shape.n_ro;
        jw_arr(w, k ? "rw" : "ro");
        for (unsigned j = 0; j < n; j++) {
            jw_obj(w, NULL);
            jw_u(w, "index", j);
            jw_u(w, "addr", a[j].addr);
            jw_u(w, "ptr", a[j].ptr);
            jw_u(w, "len", a[j].len);
            jw_s(w, "target", gs_layout_target_name(a[j].target));
            jw_end_obj(w);
        }
        jw_end_arr(w);
    }
    jw_obj(w, "padding");
    jw_u(w, "addr", g->pad_addr);
    jw_u(w, "size", g->pad_size);
    jw_end_obj(w);
    jw_obj(w, "t");
    jw_u(w, "addr", g->t_addr);
    jw_u(w, "size", g->shape.t_size);
    jw_hex(w, "bytes", g->t_bytes, g->t_peek);
    jw_end_obj(w);
    jw_end_obj(w);
    jw_end_obj(w);
}

static void json_mpu(struct jw *w, const struct gs_layout *l)
{
    jw_obj(w, "mpu");
    jw_u(w, "config_id", l->mpu_config_id);
    jw_b(w, "has_config", l->has_mpu);
    jw_u(w, "num_regions", l->mpu_num_regions);
    jw_u(w, "slack_end", l->slack_end);
    jw_arr(w, "regions");
    for (unsigned i = 0; i < l->mpu_num_regions; i++) {
        const struct gs_layout_mpu_region *m = &l->mpu[i];
        jw_obj(w, NULL);
        jw_u(w, "num", m->num);
        jw_b(w, "used", m->used);
        jw_s(w, "role", m->role);
        if (m->used) {
            jw_obj(w, "logical");
            jw_u(w, "start", m->start);
            jw_u(w, "size", m->size);
            jw_end_obj(w);
        } else {
            jw_key(w, "logical");
            jw_puts(w, "null");
        }
        jw_u(w, "rbar", m->rbar);
        jw_u(w, "rasr", m->rasr);
        jw_b(w, "enabled", m->enabled);
        jw_u(w, "base", m->base);
        jw_u(w, "bytes", m->bytes);
        jw_u(w, "srd", m->srd);
        jw_u(w, "ap", m->ap);
        jw_s(w, "ap_name", gs_pmsav7_ap_name(m->ap));
        jw_b(w, "xn", m->xn);
        jw_rights(w, "rights", m->rights);
        jw_arr(w, "enabled_subregions");
        for (unsigned r = 0; r < m->nruns; r++) {
            jw_obj(w, NULL);
            jw_u(w, "first", m->run_first[r]);
            jw_u(w, "last", m->run_last[r]);
            jw_u(w, "start", m->runs[r].start);
            jw_u(w, "end", m->runs[r].end);
            jw_end_obj(w);
        }
        jw_end_arr(w);
        jw_end_obj(w);
    }
    jw_end_arr(w);
    jw_arr(w, "ipc");
    for (unsigned i = 0; i < l->nipc; i++) {
        jw_obj(w, NULL);
        jw_u(w, "start", l->ipc[i].start);
        jw_u(w, "end", (uint64_t)l->ipc[i].start + l->ipc[i].size);
        jw_u(w, "size", l->ipc[i].size);
        jw_opt(w, "sharer", l->ipc[i].sharer);
        jw_u(w, "slot", l->ipc[i].slot);
        jw_end_obj(w);
    }
    jw_end_arr(w);
    jw_end_obj(w);
}

static void json_access(struct jw *w, const struct gs_layout *l)
{
    jw_obj(w, "access");
    jw_arr(w, "intended");
    for (unsigned i = 0; i < l->nintended; i++) {
        jw_obj(w, NULL);
        jw_u(w, "start", l->intended[i].start);
        jw_u(w, "end", l->intended[i].end);
        jw_rights(w, "rights", l->intended[i].rights);
        jw_s(w, "what", l->intended[i].what);
        jw_end_obj(w);
    }
    jw_end_arr(w);
    jw_arr(w, "permitted");
    for (unsigned i = 0; i < l->npermitted; i++) {
        jw_obj(w, NULL);
        jw_u(w, "start", l->permitted[i].start);
        jw_u(w, "end", l->permitted[i].end);
        jw_rights(w, "rights", l->permitted[i].rights);
        jw_end_obj(w);
    }
    jw_end_arr(w);
    jw_arr(w, "differences");
    for (unsigned i = 0; i < l->ndiffs; i++) {
        const struct gs_layout_diff *d = &l->diffs[i];
        jw_obj(w, NULL);
        jw_s(w, "kind", gs_layout_diff_name(d->kind));
        jw_u(w, "start", d->start);
        jw_u(w, "end", d->end);
        jw_u(w, "size", d->end - d->start);
        jw_rights(w, "intended", d->intended);
        jw_rights(w, "permitted", d->permitted);
        jw_opt(w, "mpu_region", d->mpu_region);
        jw_s(w, "note", d->note);
        jw_end_obj(w);
    }
    jw_end_arr(w);
    jw_u(w, "leaks", l->leaks);
    jw_u(w, "forbidden", l->forbidden);
    jw_u(w, "slack", l->slack);
    jw_end_obj(w);
}

void gs_layout_print_json(const struct gs_layout *l, struct gs_sink *s)
{
    struct jw w = {.s = s, .depth = 0};
    char label[160], owner[128];

    jw_obj(&w, NULL);
    jw_u(&w, "grantsim_layout", 1);
    jw_obj(&w, "process");
    jw_u(&w, "index", l->index);
    jw_u(&w, "id", l->pid_id);
    jw_s(&w, "name", l->name);
    jw_s(&w, "state", l->state);
    jw_b(&w, "running", l->running);
    jw_u(&w, "memory_start", l->memory_start);
    jw_u(&w, "memory_len", l->memory_len);
    jw_u(&w, "memory_end", l->memory_end);
    jw_u(&w, "app_break", l->app_break);
    jw_u(&w, "kernel_break", l->kernel_break);
    jw_u(&w, "allow_high_water_mark", l->hwm);
    jw_u(&w, "grant_table", l->grant_table);
    jw_u(&w, "grant_table_size", l->grant_table_size);
    jw_u(&w, "task_ring", l->taskq);
    jw_u(&w, "task_ring_size", l->taskq_size);
    jw_u(&w, "pcb", l->pcb);
    jw_u(&w, "pcb_size", l->pcb_size);
    jw_u(&w, "flash_start", l->flash_start);
    jw_u(&w, "flash_end", l->flash_end);
    jw_u(&w, "flash_unprotected", l->flash_np);
    jw_end_obj(&w);

    jw_arr(&w, "regions");
    for (unsigned i = 0; i < l->nregions; i++) {
        const struct gs_layout_region *r = &l->regions[i];
        region_label(l, r, label, sizeof(label));
        jw_obj(&w, NULL);
        jw_u(&w, "start", r->start);
        jw_u(&w, "end", (uint64_t)r->start + r->size);
        jw_u(&w, "size", r->size);
        jw_s(&w, "kind", gs_owner_kind_name(r->kind));
        jw_s(&w, "label", label);
        jw_u(&w, "owner_tag", r->owner);
        jw_s(&w, "owner", gs_owner_describe(r->owner, owner, sizeof(owner)));
        jw_opt(&w, "grant", r->grant);
        jw_opt(&w, "driver", r->grant >= 0 ? (long long)r->driver : -1);
        jw_opt(&w, "custom", r->custom);
        jw_b(&w, "foreign", r->foreign);
        json_mpu_decision(&w, r->mpu_region, r->sub_lo, r->sub_hi, r->rights);
        jw_end_obj(&w);
    }
    jw_end_arr(&w);

    jw_arr(&w, "flash");
    for (unsigned i = 0; i < l->nflash; i++) {
        const struct gs_layout_flash_part *f = &l->flash[i];
        jw_obj(&w, NULL);
        jw_s(&w, "name", f->name);
        jw_u(&w, "start", f->start);
        jw_u(&w, "end", (uint64_t)f->start + f->size);
        jw_u(&w, "size", f->size);
        json_mpu_decision(&w, f->mpu_region, f->sub_lo, f->sub_hi, f->rights);
        jw_end_obj(&w);
    }
    jw_end_arr(&w);

    jw_arr(&w, "grants");
    for (unsigned i = 0; i < l->ngrants; i++)
        json_grant(&w, l, &l->grants[i]);
    jw_end_arr(&w);

    jw_arr(&w, "custom_grants");
    for (unsigned i = 0; i < l->ncustom; i++) {
        const struct gs_layout_custom *c = &l->custom[i];
        jw_obj(&w, NULL);
        jw_u(&w, "serial", c->serial);
        jw_u(&w, "start", c->start);
        jw_u(&w, "end", (uint64_t)c->start + c->size);
        jw_u(&w, "size", c->size);
        jw_u(&w, "identifier", c->offset);
        jw_hex(&w, "bytes", c->bytes, c->peek);
        jw_end_obj(&w);
    }
    jw_end_arr(&w);

    json_mpu(&w, l);
    json_access(&w, l);

    jw_arr(&w, "anomalies");
    for (unsigned i = 0; i < l->nanomalies && i < GS_LAYOUT_MAX_ANOMALIES; i++)
        jw_s(&w, NULL, l->anomalies[i]);
    jw_end_arr(&w);
    jw_end_obj(&w);
}

/* ================= SVG ================= */

/*
 * Geometry. Heights are logarithmic so that a 4-byte counters word and a
 * 64 KiB app region are both visible:
 *
 *   height(bytes) = 14 + 6 * L(1 + bytes / 16) px
 *
 * where L is log2, interpolated linearly between powers of two (no libm).
 * Inside one region, addresses map linearly onto its height; the legend of
 * the picture says so.
 */
#define SVG_W       1540
#define SVG_TOP     120
#define SVG_RAM_X   300
#define SVG_RAM_W   150
#define SVG_LBL_X   462 /* address */
#define SVG_SIZE_X  604 /* size, right-aligned */
#define SVG_OWNER_X 614
#define SVG_MPU_X   890
#define SVG_FLAG_X  990
#define SVG_FLASH_X 1130
#define SVG_FLASH_W 110
#define SVG_FLBL_X  1248
#define SVG_BRACKET 18
#define SVG_REACH_H 40

struct bar_item {
    uint32_t start;
    uint64_t end;
    double y0, y1; /* y0: top edge (end address), y1: bottom edge (start address) */
};

struct bar {
    double top, bottom;
    uint32_t lo;
    uint64_t hi;
    unsigned n;
    struct bar_item *it; /* ascending addresses */
};

static double log2_approx(double x)
{
    double e = 0;

    while (x >= 2) {
        x /= 2;
        e += 1;
    }
    return e + (x - 1);
}

static double item_height(uint64_t size)
{
    return 14.0 + 6.0 * log2_approx(1.0 + (double)size / 16.0);
}

/* Lays items (ascending) from `top` down: the highest address at the top. */
static void bar_layout(struct bar *b, double top)
{
    double y = top;

    b->top = top;
    for (unsigned i = b->n; i-- > 0;) {
        double h = item_height(b->it[i].end - b->it[i].start);
        b->it[i].y0 = y;
        b->it[i].y1 = y + h;
        y += h;
    }
    b->bottom = y;
    b->lo = b->n ? b->it[0].start : 0;
    b->hi = b->n ? b->it[b->n - 1].end : 0;
}

static double bar_y(const struct bar *b, uint64_t addr)
{
    if (!b->n || addr <= b->lo)
        return b->bottom;
    if (addr >= b->hi)
        return b->top;
    for (unsigned i = 0; i < b->n; i++) {
        const struct bar_item *it = &b->it[i];
        if (addr >= it->start && addr < it->end)
            return it->y1 -
                   (double)(addr - it->start) / (double)(it->end - it->start) * (it->y1 - it->y0);
    }
    return b->bottom;
}

/* XML text: escapes markup characters, drops control characters and invalid UTF-8. */
static void xml_text(struct gs_sink *s, const char *str)
{
    const unsigned char *p = (const unsigned char *)(str ? str : "");
    size_t n = strlen((const char *)p);

    for (size_t i = 0; i < n;) {
        size_t k;
        const char *rep = NULL;
        switch (p[i]) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&apos;";
            break;
        default:
            break;
        }
        if (rep) {
            s->write(s->ctx, rep, strlen(rep));
            i++;
        } else if (p[i] < 0x20) {
            s->write(s->ctx, "?", 1);
            i++;
        } else if ((k = utf8_len(p + i, n - i)) == 0) {
            s->write(s->ctx, "?", 1);
            i++;
        } else {
            s->write(s->ctx, (const char *)p + i, k);
            i += k;
        }
    }
}

static void svg_text(struct gs_sink *s, double x, double y, const char *attrs, const char *str)
{
    gs_sink_printf(s, "<text x=\"%.1f\" y=\"%.1f\"%s%s>", x, y, attrs ? " " : "",
                   attrs ? attrs : "");
    xml_text(s, str);
    gs_sink_printf(s, "</text>\n");
}

static const char *kind_color(enum gs_owner_kind k)
{
    switch (k) {
    case GS_OWN_APP:
        return "#8fd18f";
    case GS_OWN_UNUSED:
        return "#f4f4f4";
    case GS_OWN_GRANT_TABLE:
        return "#9db4d9";
    case GS_OWN_TASKQ:
        return "#b3a2dc";
    case GS_OWN_PCB:
        return "#cfcfe8";
    case GS_OWN_KERNEL_SLACK:
        return "#d4d4d4";
    case GS_OWN_GRANT_HDR:
        return "#e0943a";
    case GS_OWN_GRANT_UPCALLS:
        return "#f5b461";
    case GS_OWN_GRANT_RO:
        return "#f7d774";
    case GS_OWN_GRANT_RW:
        return "#eec35a";
    case GS_OWN_GRANT_PAD:
        return "#fbead0";
    case GS_OWN_GRANT_T:
        return "#ee8a63";
    case GS_OWN_CUSTOM:
        return "#e58fc0";
    case GS_OWN_FREED:
        return "#b8b8b8";
    default:
        return "#ffffff";
    }
}

static const char *flash_color(const char *name)
{
    if (!strcmp(name, "TBF header"))
        return "#9fc0f0";
    if (!strcmp(name, "protected trailer"))
        return "#c6d6f2";
    if (!strcmp(name, "binary"))
        return "#6f9de0";
    return "#b9c9e4";
}

static const char *mpu_color(unsigned region)
{
    static const char *const c[8] = {"#1f5fa8", "#2b8a3e", "#7b3fa0", "#c2410c",
                                     "#0e7490", "#a16207", "#be185d", "#4d7c0f"};
    return c[region % 8];
}

static const char *diff_color(enum gs_layout_diff_kind k)
{
    return k == GS_DIFF_LEAK ? "#d00000" : k == GS_DIFF_FORBIDDEN ? "#6a1b9a" : "#b08800";
}

/* MPU brackets for every enabled region that touches the bar, right-aligned at x_right. */
static void svg_brackets(struct gs_sink *s, const struct gs_layout *l, const struct bar *b,
                         double x_right)
{
    unsigned col = 0;
    char rs[4], lbl[64];

    for (unsigned i = 0; i < l->mpu_num_regions; i++) {
        const struct gs_layout_mpu_region *m = &l->mpu[i];
        uint64_t pe = (uint64_t)m->base + m->bytes, lo, hi;
        double x, ya, yb;
        bool any = false;
        if (!m->enabled || m->base >= b->hi || pe <= b->lo)
            continue;
        for (unsigned r = 0; r < m->nruns; r++)
            any |= m->runs[r].start < b->hi && m->runs[r].end > b->lo;
        x = x_right - SVG_BRACKET * col++;
        lo = m->base > b->lo ? m->base : b->lo;
        hi = pe < b->hi ? pe : b->hi;
        /* The physical region (all subregions), clipped to the bar: dashed. */
        gs_sink_printf(s,
                       "<line class=\"mpu-extent\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                       "stroke=\"%s\" stroke-width=\"1\" stroke-dasharray=\"3,3\"/>\n",
                       x, bar_y(b, hi), x, bar_y(b, lo), mpu_color(i));
        for (unsigned r = 0; r < m->nruns; r++) {
            uint64_t a = m->runs[r].start > b->lo ? m->runs[r].start : b->lo;
            uint64_t e = m->runs[r].end < b->hi ? m->runs[r].end : b->hi;
            if (a >= e)
                continue;
            ya = bar_y(b, e);
            yb = bar_y(b, a);
            gs_sink_printf(s,
                           "<path class=\"mpu-run\" d=\"M%.1f %.1f H%.1f V%.1f H%.1f\" "
                           "fill=\"none\" stroke=\"%s\" stroke-width=\"3\"><title>",
                           x + 7, ya, x, yb, x + 7, mpu_color(i));
            if (m->bytes >= 256)
                snprintf(lbl, sizeof(lbl), "R%u subregions %u-%u [0x%08X, 0x%08llX) %s", i,
                         m->run_first[r], m->run_last[r], (unsigned)m->runs[r].start,
                         (unsigned long long)m->runs[r].end, gs_layout_rights_str(m->rights, rs));
            else
                snprintf(lbl, sizeof(lbl), "R%u [0x%08X, 0x%08llX) %s", i,
                         (unsigned)m->runs[r].start, (unsigned long long)m->runs[r].end,
                         gs_layout_rights_str(m->rights, rs));
            xml_text(s, lbl);
            gs_sink_printf(s, "</title></path>\n");
            /* Subregion edges inside the run. */
            if (m->bytes >= 256) {
                for (unsigned k = m->run_first[r] + 1; k <= m->run_last[r]; k++) {
                    uint64_t edge = m->base + m->bytes / 8 * k;
                    if (edge <= b->lo || edge >= b->hi)
                        continue;
                    gs_sink_printf(s,
                                   "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                                   "stroke=\"%s\" stroke-width=\"1\"/>\n",
                                   x, bar_y(b, edge), x + 4, bar_y(b, edge), mpu_color(i));
                }
            }
        }
        (void)any;
        ya = bar_y(b, hi);
        yb = bar_y(b, lo);
        snprintf(lbl, sizeof(lbl), "R%u %s %s", i, m->role, gs_layout_rights_str(m->rights, rs));
        gs_sink_printf(s,
                       "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" fill=\"%s\" "
                       "text-anchor=\"middle\" transform=\"rotate(-90 %.1f %.1f)\">",
                       x - 4, (ya + yb) / 2, mpu_color(i), x - 4, (ya + yb) / 2);
        xml_text(s, lbl);
        gs_sink_printf(s, "</text>\n");
    }
}

/* Hatched overlays for the differences that touch the bar. */
static void svg_diff_overlays(struct gs_sink *s, const struct gs_layout *l, const struct bar *b,
                              double x, double w)
{
    for (unsigned i = 0; i < l->ndiffs; i++) {
        const struct gs_layout_diff *d = &l->diffs[i];
        uint64_t a = d->start > b->lo ? d->start : b->lo, e = d->end < b->hi ? d->end : b->hi;
        double ya, yb;
        char t[200];
        if (a >= e)
            continue;
        ya = bar_y(b, e);
        yb = bar_y(b, a);
        gs_sink_printf(s,
                       "<rect class=\"diff diff-%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                       "height=\"%.1f\" fill=\"url(#hatch-%s)\" stroke=\"%s\" stroke-width=\"2\"%s>"
                       "<title>",
                       gs_layout_diff_name(d->kind), x - 3, ya, w + 6, yb - ya,
                       gs_layout_diff_name(d->kind), diff_color(d->kind),
                       d->kind == GS_DIFF_SLACK ? " stroke-dasharray=\"4,2\"" : "");
        snprintf(t, sizeof(t), "%s [0x%08X, 0x%08llX): %s", gs_layout_diff_name(d->kind),
                 (unsigned)d->start, (unsigned long long)d->end, d->note);
        xml_text(s, t);
        gs_sink_printf(s, "</title></rect>\n");
        svg_text(s, x + w - 4, (ya + yb) / 2 + 4,
                 d->kind == GS_DIFF_SLACK
                     ? "text-anchor=\"end\" font-size=\"10\" fill=\"#6b5200\""
                     : "text-anchor=\"end\" font-weight=\"bold\" fill=\"#5a0000\"",
                 d->kind == GS_DIFF_LEAK        ? "LEAK"
                 : d->kind == GS_DIFF_FORBIDDEN ? "FORBIDDEN"
                                                : "slack");
    }
}

/* Memory the process can reach (or is meant to) outside its block and its TBF. */
struct reach {
    uint32_t start;
    uint64_t end;
    unsigned rights, intended;
    int region;
};

static unsigned svg_reach_list(const struct gs_layout *l, struct reach *out, unsigned max)
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

static void svg_legend_item(struct gs_sink *s, double x, double y, const char *fill,
                            const char *stroke, const char *label)
{
    gs_sink_printf(s,
                   "<rect x=\"%.1f\" y=\"%.1f\" width=\"16\" height=\"11\" fill=\"%s\" "
                   "stroke=\"%s\" stroke-width=\"%s\"/>\n",
                   x, y - 9, fill, stroke ? stroke : "#555", stroke ? "1.5" : "0.6");
    svg_text(s, x + 22, y, NULL, label);
}

void gs_layout_print_svg(const struct gs_layout *l, struct gs_sink *s)
{
    struct bar ram = {0}, fl = {0};
    struct reach reach[32];
    unsigned nreach = svg_reach_list(l, reach, 32);
    char t[320], lbl[160], mpu[64], flags[40], rs[4], rs2[4];
    double flash_bottom, reach_top, body_bottom, y;
    unsigned nkinds, height;
    bool used_kind[GS_OWN_KIND_COUNT] = {false};

    ram.n = l->nregions;
    ram.it = calloc(ram.n + 1, sizeof(*ram.it));
    fl.n = l->nflash;
    fl.it = calloc(fl.n + 1, sizeof(*fl.it));
    if (!ram.it || !fl.it) {
        free(ram.it);
        free(fl.it);
        gs_sink_printf(s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg "
                          "xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>\n");
        return;
    }
    for (unsigned i = 0; i < ram.n; i++) {
        ram.it[i].start = l->regions[i].start;
        ram.it[i].end = (uint64_t)l->regions[i].start + l->regions[i].size;
        used_kind[l->regions[i].kind] = true;
    }
    for (unsigned i = 0; i < fl.n; i++) {
        fl.it[i].start = l->flash[i].start;
        fl.it[i].end = (uint64_t)l->flash[i].start + l->flash[i].size;
    }
    bar_layout(&ram, SVG_TOP);
    bar_layout(&fl, SVG_TOP);
    flash_bottom = fl.n ? fl.bottom : SVG_TOP;
    reach_top = flash_bottom + 56;
    body_bottom = ram.bottom;
    if (reach_top + nreach * (SVG_REACH_H + 10) > body_bottom)
        body_bottom = reach_top + nreach * (SVG_REACH_H + 10);
    /* Everything below the bars: the lists, then the legend (see the drawing code). */
    nkinds = 0;
    for (unsigned k = 0; k < GS_OWN_KIND_COUNT; k++)
        nkinds += used_kind[k] || k == GS_OWN_APP || k == GS_OWN_UNUSED;
    height = (unsigned)(body_bottom + 40 + 16 * l->ndiffs +
                        (l->nanomalies ? 22 + 16 * (l->nanomalies < GS_LAYOUT_MAX_ANOMALIES
                                                        ? l->nanomalies
                                                        : GS_LAYOUT_MAX_ANOMALIES)
                                       : 0) +
                        34 + 18 + 18 * ((nkinds + 5) / 6) + 18 * 2 + 16 + 24);

    gs_sink_printf(s,
                   "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                   "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%u\" height=\"%u\" "
                   "viewBox=\"0 0 %u %u\" font-family=\"DejaVu Sans Mono, Menlo, Consolas, "
                   "monospace\" font-size=\"11\">\n",
                   SVG_W, height, SVG_W, height);
    snprintf(t, sizeof(t), "grantsim layout: process %u \"%s\"", l->index, l->name);
    gs_sink_printf(s, "<title>");
    xml_text(s, t);
    gs_sink_printf(s, "</title>\n<defs>\n");
    for (unsigned k = 0; k < 3; k++)
        gs_sink_printf(s,
                       "<pattern id=\"hatch-%s\" width=\"8\" height=\"8\" "
                       "patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
                       "<rect width=\"8\" height=\"8\" fill=\"%s\" fill-opacity=\"0.15\"/>"
                       "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"8\" stroke=\"%s\" "
                       "stroke-width=\"3\" stroke-opacity=\"0.55\"/></pattern>\n",
                       gs_layout_diff_name((enum gs_layout_diff_kind)k),
                       diff_color((enum gs_layout_diff_kind)k),
                       diff_color((enum gs_layout_diff_kind)k));
    gs_sink_printf(s, "</defs>\n<rect width=\"%u\" height=\"%u\" fill=\"#ffffff\"/>\n", SVG_W,
                   height);

    /* Title. */
    svg_text(s, 20, 26, "font-size=\"16\" font-weight=\"bold\"", t);
    snprintf(t, sizeof(t),
             "ProcessId %u.%u, %s. Block [0x%08X, 0x%08llX) %u bytes, app break 0x%08X, kernel "
             "break 0x%08X.",
             l->index, (unsigned)l->pid_id, l->state, (unsigned)l->memory_start,
             (unsigned long long)l->memory_end, (unsigned)l->memory_len, (unsigned)l->app_break,
             (unsigned)l->kernel_break);
    svg_text(s, 20, 46, NULL, t);
    snprintf(t, sizeof(t),
             "Access differences: %u leak%s, %u forbidden, %u expected slack. Anomalies: %u.",
             l->leaks, l->leaks == 1 ? "" : "s", l->forbidden, l->slack, l->nanomalies);
    svg_text(s, 20, 62,
             l->leaks || l->forbidden || l->nanomalies ? "fill=\"#d00000\" font-weight=\"bold\""
                                                       : "fill=\"#2b8a3e\"",
             t);
    svg_text(s, SVG_RAM_X, SVG_TOP - 36, "font-weight=\"bold\"", "RAM: the process block");
    svg_text(s, SVG_RAM_X - 8, SVG_TOP - 16, "font-weight=\"bold\" text-anchor=\"end\"",
             "MPU regions");
    svg_text(s, SVG_FLASH_X, SVG_TOP - 36, "font-weight=\"bold\"", "Flash: the app's TBF");

    /* RAM regions: one rect each. */
    for (unsigned i = 0; i < l->nregions; i++) {
        const struct gs_layout_region *r = &l->regions[i];
        const struct bar_item *it = &ram.it[i];
        char o[128];
        region_label(l, r, lbl, sizeof(lbl));
        gs_sink_printf(s,
                       "<rect class=\"region k-%s\" data-start=\"0x%08X\" data-end=\"0x%08llX\" "
                       "x=\"%u\" y=\"%.1f\" width=\"%u\" height=\"%.1f\" fill=\"%s\" "
                       "stroke=\"#444\" stroke-width=\"0.6\"><title>",
                       gs_owner_kind_name(r->kind), (unsigned)r->start, (unsigned long long)it->end,
                       SVG_RAM_X, it->y0, SVG_RAM_W, it->y1 - it->y0,
                       r->foreign ? "#ff4040" : kind_color(r->kind));
        snprintf(t, sizeof(t), "[0x%08X, 0x%08llX) %u bytes: %s (%s)", (unsigned)r->start,
                 (unsigned long long)it->end, (unsigned)r->size, lbl,
                 gs_owner_describe(r->owner, o, sizeof(o)));
        xml_text(s, t);
        gs_sink_printf(s, "</title></rect>\n");
    }
    /* Grants as outlined groups of their parts. */
    for (unsigned i = 0; i < l->nregions;) {
        unsigned j = i;
        int g = l->regions[i].grant;
        if (g < 0 || l->regions[i].foreign) {
            i++;
            continue;
        }
        while (j + 1 < l->nregions && l->regions[j + 1].grant == g && !l->regions[j + 1].foreign)
            j++;
        gs_sink_printf(s,
                       "<rect class=\"grant-outline\" x=\"%u\" y=\"%.1f\" width=\"%u\" "
                       "height=\"%.1f\" fill=\"none\" stroke=\"#6b3d00\" stroke-width=\"2\"/>\n",
                       SVG_RAM_X, ram.it[j].y0, SVG_RAM_W, ram.it[i].y1 - ram.it[j].y0);
        i = j + 1;
    }
    /* Breaks. */
    for (unsigned k = 0; k < 2; k++) {
        uint32_t a = k ? l->kernel_break : l->app_break;
        double yb = bar_y(&ram, a);
        if (a < l->memory_start || a > l->memory_end)
            continue;
        gs_sink_printf(s,
                       "<line class=\"break\" x1=\"%u\" y1=\"%.1f\" x2=\"%u\" y2=\"%.1f\" "
                       "stroke=\"%s\" stroke-width=\"2\" stroke-dasharray=\"6,3\"/>\n",
                       SVG_RAM_X - 6, yb, SVG_RAM_X + SVG_RAM_W + 6, yb, k ? "#c00000" : "#1f5fa8");
        svg_text(s, SVG_RAM_X + 3, yb - 3,
                 k ? "font-size=\"9\" fill=\"#c00000\"" : "font-size=\"9\" fill=\"#1f5fa8\"",
                 k ? "kernel break" : "app break");
    }
    svg_diff_overlays(s, l, &ram, SVG_RAM_X, SVG_RAM_W);
    svg_brackets(s, l, &ram, SVG_RAM_X - 22);
    svg_text(s, SVG_LBL_X, SVG_TOP - 16, "fill=\"#555\"", "start");
    svg_text(s, SVG_SIZE_X, SVG_TOP - 16, "fill=\"#555\" text-anchor=\"end\"", "bytes");
    svg_text(s, SVG_OWNER_X, SVG_TOP - 16, "fill=\"#555\"", "owner");
    svg_text(s, SVG_MPU_X, SVG_TOP - 16, "fill=\"#555\"", "MPU");
    for (unsigned i = 0; i < l->nregions; i++) {
        const struct gs_layout_region *r = &l->regions[i];
        const struct bar_item *it = &ram.it[i];
        double ym = (it->y0 + it->y1) / 2 + 4;
        const char *attr;
        region_label(l, r, lbl, sizeof(lbl));
        mpu_col(r->mpu_region, r->sub_lo, r->sub_hi, r->rights, mpu, sizeof(mpu));
        diff_flags(l, r->start, it->end, flags, sizeof(flags));
        attr = strstr(flags, "LEAK") || strstr(flags, "FORBIDDEN") ? "fill=\"#d00000\"" : NULL;
        gs_sink_printf(s,
                       "<line x1=\"%u\" y1=\"%.1f\" x2=\"%u\" y2=\"%.1f\" stroke=\"#bbb\" "
                       "stroke-width=\"0.5\"/>\n",
                       SVG_RAM_X + SVG_RAM_W, it->y1, SVG_FLAG_X + 120, it->y1);
        snprintf(t, sizeof(t), "0x%08X", (unsigned)r->start);
        svg_text(s, SVG_LBL_X, ym, attr, t);
        snprintf(t, sizeof(t), "%u", (unsigned)r->size);
        svg_text(s, SVG_SIZE_X, ym, "text-anchor=\"end\"", t);
        svg_text(s, SVG_OWNER_X, ym, attr, lbl);
        svg_text(s, SVG_MPU_X, ym, "fill=\"#444\" xml:space=\"preserve\"", mpu);
        if (flags[0])
            svg_text(s, SVG_FLAG_X, ym,
                     attr ? "fill=\"#d00000\" font-weight=\"bold\"" : "fill=\"#8a6d00\"",
                     flags + 1);
    }
    snprintf(t, sizeof(t), "0x%08llX (memory end)", (unsigned long long)l->memory_end);
    svg_text(s, SVG_LBL_X, SVG_TOP - 3, "fill=\"#555\" font-size=\"10\"", t);

    /* Flash. */
    for (unsigned i = 0; i < l->nflash; i++) {
        const struct gs_layout_flash_part *f = &l->flash[i];
        const struct bar_item *it = &fl.it[i];
        gs_sink_printf(s,
                       "<rect class=\"flash-part\" data-start=\"0x%08X\" data-end=\"0x%08llX\" "
                       "x=\"%u\" y=\"%.1f\" width=\"%u\" height=\"%.1f\" fill=\"%s\" "
                       "stroke=\"#444\" stroke-width=\"0.6\"><title>",
                       (unsigned)f->start, (unsigned long long)it->end, SVG_FLASH_X, it->y0,
                       SVG_FLASH_W, it->y1 - it->y0, flash_color(f->name));
        snprintf(t, sizeof(t), "[0x%08X, 0x%08llX) %u bytes: %s", (unsigned)f->start,
                 (unsigned long long)it->end, (unsigned)f->size, f->name);
        xml_text(s, t);
        gs_sink_printf(s, "</title></rect>\n");
        mpu_col(f->mpu_region, f->sub_lo, f->sub_hi, f->rights, mpu, sizeof(mpu));
        snprintf(t, sizeof(t), "0x%08X %6u B %s", (unsigned)f->start, (unsigned)f->size, f->name);
        svg_text(s, SVG_FLBL_X, (it->y0 + it->y1) / 2, NULL, t);
        svg_text(s, SVG_FLBL_X, (it->y0 + it->y1) / 2 + 12, "fill=\"#555\"", mpu);
    }
    svg_diff_overlays(s, l, &fl, SVG_FLASH_X, SVG_FLASH_W);
    svg_brackets(s, l, &fl, SVG_FLASH_X - 10);
    snprintf(t, sizeof(t), "0x%08X (TBF end)", (unsigned)l->flash_end);
    svg_text(s, SVG_FLBL_X, SVG_TOP - 3, "fill=\"#555\" font-size=\"10\"", t);

    /* Other memory this process reaches or is meant to reach. */
    svg_text(s, SVG_FLASH_X, reach_top - 14, "font-weight=\"bold\"",
             nreach ? "Reachable elsewhere (IPC buffers, leaks)" : "Reachable elsewhere: nothing");
    for (unsigned q = 0; q < nreach; q++) {
        const struct reach *r = &reach[q];
        double yq = reach_top + q * (SVG_REACH_H + 10);
        bool leak = r->rights & ~r->intended, forb = r->intended & ~r->rights;
        char o[128];
        const char *where;
        if (gs_mem_in_ram(l->k->mem, r->start, 1))
            where = gs_owner_describe(gs_mem_owner_at(l->k->mem, r->start), o, sizeof(o));
        else if (gs_mem_in_flash(l->k->mem, r->start, 1))
            where = "flash";
        else
            where = "outside RAM and flash";
        gs_sink_printf(s,
                       "<rect class=\"reach\" x=\"%u\" y=\"%.1f\" width=\"%u\" height=\"%u\" "
                       "fill=\"%s\" stroke=\"%s\" stroke-width=\"%s\"%s/>\n",
                       SVG_FLASH_X, yq, SVG_FLASH_W, SVG_REACH_H,
                       leak   ? "url(#hatch-leak)"
                       : forb ? "url(#hatch-forbidden)"
                              : "#8fd18f",
                       leak   ? "#d00000"
                       : forb ? "#6a1b9a"
                              : "#444",
                       leak || forb ? "2" : "0.6", forb ? " stroke-dasharray=\"4,2\"" : "");
        if (r->region >= 0)
            snprintf(t, sizeof(t), "R%d", r->region);
        else
            snprintf(t, sizeof(t), "no region");
        svg_text(s, SVG_FLASH_X + 4, yq + 24, "font-size=\"10\"", t);
        snprintf(t, sizeof(t), "[0x%08X, 0x%08llX) %llu B", (unsigned)r->start,
                 (unsigned long long)r->end, (unsigned long long)(r->end - r->start));
        svg_text(s, SVG_FLBL_X, yq + 10, NULL, t);
        snprintf(t, sizeof(t), "permits %s, intended %s%s", gs_layout_rights_str(r->rights, rs),
                 gs_layout_rights_str(r->intended, rs2),
                 leak   ? "  LEAK"
                 : forb ? "  FORBIDDEN"
                        : "");
        svg_text(s, SVG_FLBL_X, yq + 23,
                 leak || forb ? "fill=\"#d00000\" font-weight=\"bold\"" : NULL, t);
        svg_text(s, SVG_FLBL_X, yq + 36, "fill=\"#555\" font-size=\"10\"", where);
    }

    /* Differences and anomalies, listed. */
    y = body_bottom + 40;
    snprintf(t, sizeof(t),
             "Kernel intent vs MPU (unprivileged): %u leak%s, %u forbidden, %u expected slack",
             l->leaks, l->leaks == 1 ? "" : "s", l->forbidden, l->slack);
    svg_text(s, 20, y, "font-weight=\"bold\"", t);
    for (unsigned i = 0; i < l->ndiffs; i++) {
        const struct gs_layout_diff *d = &l->diffs[i];
        y += 16;
        gs_sink_printf(
            s,
            "<rect x=\"20\" y=\"%.1f\" width=\"16\" height=\"11\" fill=\"url(#hatch-%s)\" "
            "stroke=\"%s\"/>\n",
            y - 9, gs_layout_diff_name(d->kind), diff_color(d->kind));
        snprintf(t, sizeof(t), "%-9s [0x%08X, 0x%08llX) %8llu B  permits %s, intended %s: %s",
                 gs_layout_diff_name(d->kind), (unsigned)d->start, (unsigned long long)d->end,
                 (unsigned long long)(d->end - d->start), gs_layout_rights_str(d->permitted, rs),
                 gs_layout_rights_str(d->intended, rs2), d->note);
        svg_text(s, 42, y, NULL, t);
    }
    if (l->nanomalies) {
        y += 22;
        svg_text(s, 20, y, "font-weight=\"bold\" fill=\"#d00000\"",
                 "Anomalies (layout vs shadow map vs grant table)");
        for (unsigned i = 0; i < l->nanomalies && i < GS_LAYOUT_MAX_ANOMALIES; i++) {
            y += 16;
            svg_text(s, 42, y, NULL, l->anomalies[i]);
        }
    }

    /* Legend. */
    y += 34;
    svg_text(s, 20, y, "font-weight=\"bold\"", "Legend");
    {
        unsigned col = 0;
        double x0 = 20;
        y += 18;
        for (unsigned k = 0; k < GS_OWN_KIND_COUNT; k++) {
            if (!used_kind[k] && k != GS_OWN_APP && k != GS_OWN_UNUSED)
                continue;
            svg_legend_item(s, x0 + 230 * col, y, kind_color((enum gs_owner_kind)k), NULL,
                            gs_owner_kind_name((enum gs_owner_kind)k));
            if (++col == 6) {
                col = 0;
                y += 18;
            }
        }
        if (col)
            y += 18;
        svg_legend_item(s, x0, y, "#9fc0f0", NULL, "TBF header");
        svg_legend_item(s, x0 + 230, y, "#6f9de0", NULL, "binary");
        svg_legend_item(s, x0 + 460, y, "#b9c9e4", NULL, "footers");
        svg_legend_item(s, x0 + 690, y, "url(#hatch-leak)", "#d00000",
                        "leak: MPU permits, kernel did not intend");
        y += 18;
        svg_legend_item(s, x0, y, "url(#hatch-forbidden)", "#6a1b9a",
                        "forbidden: kernel intends, MPU forbids");
        svg_legend_item(s, x0 + 460, y, "url(#hatch-slack)", "#b08800",
                        "slack: subregion rounding above the app break (expected)");
        y += 18;
        svg_text(s, x0, y, NULL,
                 "Brackets left of a bar: MPU regions (Rn). Thick: enabled subregions (ticks at "
                 "subregion edges); dashed: the whole physical region. Outlined groups: one "
                 "grant.");
        y += 16;
        svg_text(s, x0, y, NULL,
                 "Scale: heights are logarithmic, 14 + 6*log2(1 + bytes/16) px (log2 linear "
                 "between powers of two); equal heights do not mean equal sizes. Addresses grow "
                 "upwards.");
    }
    gs_sink_printf(s, "</svg>\n");
    free(ram.it);
    free(fl.it);
}

/* ================= explain ================= */

/* Names the field of a grant at byte offset `off` (layout of TOCK-REFERENCE 2.1). */
static void grant_field(const struct gs_grant *g, uint32_t off, char *buf, size_t n)
{
    const struct gs_grant_shape *s = &g->shape;
    uint32_t up = 4, ro = up + 8 * s->n_upcalls, rw = ro + 8 * s->n_ro;
    uint32_t kms = rw + 8 * s->n_rw, t_off = g->size - s->t_size;
    static const char *const counter_bytes[4] = {"number of upcalls", "number of RO allows",
                                                 "number of RW allows", "always 0"};

    if (off < 4)
        snprintf(buf, n, "counters word, byte %u (%s)", (unsigned)off, counter_bytes[off]);
    else if (off < ro)
        snprintf(buf, n, "upcall slot %u, %s, byte %u", (unsigned)((off - up) / 8),
                 (off - up) % 8 < 4 ? "appdata" : "fn_ptr", (unsigned)((off - up) % 4));
    else if (off < rw)
        snprintf(buf, n, "RO allow slot %u, %s, byte %u", (unsigned)((off - ro) / 8),
                 (off - ro) % 8 < 4 ? "ptr" : "len", (unsigned)((off - ro) % 4));
    else if (off < kms)
        snprintf(buf, n, "RW allow slot %u, %s, byte %u", (unsigned)((off - rw) / 8),
                 (off - rw) % 8 < 4 ? "ptr" : "len", (unsigned)((off - rw) % 4));
    else if (off < t_off)
        snprintf(buf, n, "padding before T, byte %u", (unsigned)(off - kms));
    else if (off < g->size)
        snprintf(buf, n, "T, byte %u of %u", (unsigned)(off - t_off), (unsigned)s->t_size);
    else
        snprintf(buf, n, "past the end of the grant (+%u)", (unsigned)off);
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
                     part_name(kind));
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

/* "ok", "leak", "forbidden", "slack" for one process's reach. */
static const char *reach_verdict(const struct gs_explain_reach *r)
{
    if (r->rights & ~r->intended) {
        if (!strncmp(r->intended_what, "not intended, but expected", 26))
            return "slack";
        return "leak";
    }
    if (r->intended & ~r->rights)
        return "forbidden";
    return "ok";
}

void gs_explain_print_text(const struct gs_explain *e, struct gs_sink *s)
{
    static const char *const area[] = {"RAM", "flash", "not simulated memory"};
    char rs[4], rs2[4], where[24];

    gs_sink_printf(s, "0x%08X: %s\r\n", (unsigned)e->addr, area[e->area]);
    gs_sink_printf(s, "  owner:   %s\r\n", e->owner_text);
    if (e->area == GS_EXPLAIN_RAM)
        gs_sink_printf(s, "  object:  [0x%08X, 0x%08llX) %u bytes with this owner; offset %u\r\n",
                       (unsigned)e->obj_start, (unsigned long long)e->obj_start + e->obj_size,
                       (unsigned)e->obj_size, (unsigned)(e->addr - e->obj_start));
    if (e->grant >= 0) {
        if (e->driver_name)
            gs_sink_printf(s, "  grant:   grant %d of driver 0x%x (%s)", e->grant,
                           (unsigned)e->driver, e->driver_name);
        else
            gs_sink_printf(s, "  grant:   grant %d of driver 0x%x", e->grant, (unsigned)e->driver);
        if (e->grant_base)
            gs_sink_printf(s, ", based at 0x%08X (+0x%x)", (unsigned)e->grant_base,
                           (unsigned)(e->addr - e->grant_base));
        gs_sink_printf(s, "\r\n");
    }
    if (e->detail[0])
        gs_sink_printf(s, "  field:   %s\r\n", e->detail);
    if (e->area == GS_EXPLAIN_FLASH && e->proc >= 0)
        gs_sink_printf(s, "  TBF:     %s, offset 0x%x from the TBF start\r\n", e->flash_part,
                       (unsigned)e->tbf_offset);
    gs_sink_printf(s, "  reach (unprivileged, from each process's MPU config; intended = the "
                      "kernel's intent):\r\n");
    for (unsigned i = 0; i < e->nreach; i++) {
        const struct gs_explain_reach *r = &e->reach[i];
        const char *v = reach_verdict(r);
        if (!r->has_mpu)
            snprintf(where, sizeof(where), "no config");
        else if (r->mpu_region < 0)
            snprintf(where, sizeof(where), "no region");
        else if (r->subregion < 0)
            snprintf(where, sizeof(where), "R%d", r->mpu_region);
        else
            snprintf(where, sizeof(where), "R%d s%d", r->mpu_region, r->subregion);
        gs_sink_printf(s, "    process %u %-16.16s MPU %-9s %s  intended %s  %s%s%s\r\n", r->proc,
                       r->name, where, gs_layout_rights_str(r->rights, rs),
                       gs_layout_rights_str(r->intended, rs2),
                       !strcmp(v, "leak")        ? "LEAK"
                       : !strcmp(v, "forbidden") ? "FORBIDDEN"
                                                 : v,
                       r->intended_what[0] ? ": " : "", r->intended_what);
    }
}

void gs_explain_print_json(const struct gs_explain *e, struct gs_sink *s)
{
    static const char *const area[] = {"ram", "flash", "other"};
    struct jw w = {.s = s, .depth = 0};

    jw_obj(&w, NULL);
    jw_u(&w, "address", e->addr);
    jw_s(&w, "area", area[e->area]);
    jw_s(&w, "owner", e->owner_text);
    jw_opt(&w, "process", e->proc);
    if (e->area == GS_EXPLAIN_RAM) {
        jw_s(&w, "kind", gs_owner_kind_name(gs_owner_kind(e->owner)));
        jw_u(&w, "owner_tag", e->owner);
        jw_obj(&w, "object");
        jw_u(&w, "start", e->obj_start);
        jw_u(&w, "size", e->obj_size);
        jw_u(&w, "offset", e->addr - e->obj_start);
        jw_end_obj(&w);
    }
    if (e->grant >= 0) {
        jw_obj(&w, "grant");
        jw_i(&w, "num", e->grant);
        jw_u(&w, "driver", e->driver);
        jw_s(&w, "driver_name", e->driver_name);
        jw_u(&w, "base", e->grant_base);
        jw_end_obj(&w);
    } else {
        jw_key(&w, "grant");
        jw_puts(&w, "null");
    }
    jw_s(&w, "detail", e->detail);
    if (e->area == GS_EXPLAIN_FLASH && e->proc >= 0) {
        jw_obj(&w, "tbf");
        jw_s(&w, "part", e->flash_part);
        jw_u(&w, "offset", e->tbf_offset);
        jw_end_obj(&w);
    }
    jw_arr(&w, "reach");
    for (unsigned i = 0; i < e->nreach; i++) {
        const struct gs_explain_reach *r = &e->reach[i];
        jw_obj(&w, NULL);
        jw_u(&w, "process", r->proc);
        jw_s(&w, "name", r->name);
        jw_b(&w, "has_mpu_config", r->has_mpu);
        jw_opt(&w, "mpu_region", r->mpu_region);
        jw_opt(&w, "subregion", r->subregion);
        jw_rights(&w, "rights", r->rights);
        jw_rights(&w, "intended", r->intended);
        jw_s(&w, "intended_what", r->intended_what);
        jw_s(&w, "verdict", reach_verdict(r));
        jw_end_obj(&w);
    }
    jw_end_arr(&w);
    jw_end_obj(&w);
}
