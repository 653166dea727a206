/* SPDX-License-Identifier: MIT */
#include "invariants.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grant.h"
#include "process.h"
#include "refmodel.h"
#include "tasks.h"

struct checker {
    struct gs_kernel *k;
    unsigned flags;
    unsigned violations;
};

static void report(struct checker *c, enum gs_finding_kind kind, const char *site, uint32_t addr,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void report(struct checker *c, enum gs_finding_kind kind, const char *site, uint32_t addr,
                   const char *fmt, ...)
{
    struct gs_finding f;
    va_list ap;

    memset(&f, 0, sizeof(f));
    f.kind = kind;
    f.site = site;
    f.syscall_class = c->k->syscall_class;
    f.addr = addr;
    va_start(ap, fmt);
    vsnprintf(f.text, sizeof(f.text), fmt, ap);
    va_end(ap);
    c->violations++;
    gs_kernel_finding(c->k, &f);
}

static void check_order(struct checker *c, const struct gs_process *p)
{
    uint32_t end = gs_process_mem_end(p);
    uint32_t g = c->k->grant_count * GS_GRANT_ENTRY_SIZE;

    if (!gs_mem_in_ram(c->k->mem, p->memory_start, p->memory_len))
        report(c, GS_FIND_LAYOUT, "memory-order", p->memory_start,
               "process %u block [0x%08x, +0x%x) is not inside RAM", p->index,
               (unsigned)p->memory_start, (unsigned)p->memory_len);
    if (!(p->memory_start <= p->hwm && p->hwm <= p->app_break && p->app_break <= p->kernel_break &&
          p->kernel_break <= p->pcb && (uint64_t)p->pcb + c->k->cfg.pcb_size <= p->taskq &&
          (uint64_t)p->taskq + GS_CALLBACKS_SIZE <= p->grant_table &&
          (uint64_t)p->grant_table + g <= end))
        report(c, GS_FIND_LAYOUT, "memory-order", p->app_break,
               "process %u: start 0x%08x hwm 0x%08x app_break 0x%08x kernel_break 0x%08x "
               "pcb 0x%08x ring 0x%08x table 0x%08x end 0x%08x out of order",
               p->index, (unsigned)p->memory_start, (unsigned)p->hwm, (unsigned)p->app_break,
               (unsigned)p->kernel_break, (unsigned)p->pcb, (unsigned)p->taskq,
               (unsigned)p->grant_table, (unsigned)end);
    if (p->tq_head >= GS_CALLBACK_LEN || p->tq_tail >= GS_CALLBACK_LEN)
        report(c, GS_FIND_LAYOUT, "task-ring", p->taskq, "process %u: ring head %u tail %u",
               p->index, p->tq_head, p->tq_tail);
}

struct span {
    uint32_t lo, hi;
    unsigned grant;
};

static int cmp_span(const void *a, const void *b)
{
    const struct span *x = a, *y = b;

    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/*
 * The oracles judge the kernel's objects with their own arithmetic: the
 * layout of a grant, its slots and its counters word from the reference
 * model (refmodel.h, written from grant.rs, not grant.c; these checks never
 * call gs_grant_offsets()), buffer bounds and table entries computed here,
 * so that a bug in the kernel's own helpers cannot hide itself.
 */

void gs_invariants_flash_readable(const struct gs_process *p, uint32_t *start, uint64_t *end)
{
    *start = gs_ref_flash_readable_start(p->app.flash_start, p->app.header_size,
                                         p->app.protected_trailer, p->app.no_main);
    *end = (uint64_t)p->app.flash_start + p->app.flash_len;
}

/* Grant table entry i of p: {driver_num, grant pointer} (TOCK-REFERENCE 1.1). */
static void table_entry(const struct gs_kernel *k, const struct gs_process *p, unsigned i,
                        uint32_t *driver, uint32_t *ptr)
{
    uint32_t a = p->grant_table + i * GS_GRANT_ENTRY_SIZE;

    *driver = gs_kload32(k, a);
    *ptr = gs_kload32(k, a + 4);
}

/* The reference layout of grant g; false if the model refuses its shape. */
static bool ref_layout(const struct gs_grant *g, struct gs_ref_grant_layout *l)
{
    const struct gs_grant_shape *s = &g->shape;

    return gs_ref_grant_layout(s->t_size, s->t_align, s->n_upcalls, s->n_ro, s->n_rw, l);
}

/* Checks one allow slot array of an allocated grant (layout l, at base). */
static void check_allows(struct checker *c, const struct gs_process *p, const struct gs_grant *g,
                         const struct gs_ref_grant_layout *l, uint32_t base, bool rw)
{
    const struct gs_grant_shape *s = &g->shape;
    uint32_t n = rw ? s->n_rw : s->n_ro;
    uint32_t first = rw ? l->rw_off : l->ro_off;
    uint32_t limit = p->hwm < p->app_break ? p->hwm : p->app_break;
    uint32_t fstart;
    uint64_t fend;

    gs_invariants_flash_readable(p, &fstart, &fend);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t ptr = gs_kload32(c->k, base + gs_ref_grant_slot(first, i));
        uint32_t len = gs_kload32(c->k, base + gs_ref_grant_slot(first, i) + 4);
        if (len == 0)
            continue;
        if (!rw && ptr >= fstart && (uint64_t)ptr + len <= fend)
            continue;
        if (!(ptr >= p->memory_start && (uint64_t)ptr + len <= limit))
            report(c, GS_FIND_LAYOUT, "allow-bounds", ptr,
                   "process %u grant %u %s allow %u = [0x%08x, +%u) is not below "
                   "min(hwm 0x%08x, app_break 0x%08x)",
                   p->index, g->num, rw ? "RW" : "RO", (unsigned)i, (unsigned)ptr, (unsigned)len,
                   (unsigned)p->hwm, (unsigned)p->app_break);
    }
}

/* Grants a board usually has: their table entries and spans live on the stack. */
#define STACK_GRANTS 32

static void check_grants(struct checker *c, const struct gs_process *p)
{
    struct gs_kernel *k = c->k;
    struct span sbuf[STACK_GRANTS], *spans = sbuf;
    uint32_t ebuf[2 * STACK_GRANTS], *ent = ebuf; /* driver, pointer of each table entry */
    unsigned n = 0;

    if (k->grant_count == 0)
        return;
    if (k->grant_count > STACK_GRANTS) {
        spans = calloc(k->grant_count, sizeof(*spans));
        ent = calloc(k->grant_count, 2 * sizeof(*ent));
        if (!spans || !ent)
            goto out;
    }
    /* The table is read once; the checks below compare entries among themselves. */
    for (unsigned i = 0; i < k->grant_count; i++)
        table_entry(k, p, i, &ent[2 * i], &ent[2 * i + 1]);
    for (unsigned i = 0; i < k->grant_count; i++) {
        const struct gs_grant *g = k->grants[i];
        uint32_t driver = ent[2 * i], ptr = ent[2 * i + 1], base, counters, want;
        struct gs_ref_grant_layout l;
        if (ptr == 0)
            continue;
        base = ptr & ~1u;
        if ((ptr & 1) && (c->flags & GS_INV_QUIESCENT))
            report(c, GS_FIND_LAYOUT, "grant-entered", base, "process %u grant %u is still entered",
                   p->index, i);
        if (driver != g->driver_num)
            report(c, GS_FIND_LAYOUT, "grant-driver", base,
                   "process %u grant %u entry names driver 0x%x, grant is for 0x%x", p->index, i,
                   (unsigned)driver, (unsigned)g->driver_num);
        for (unsigned j = 0; j < i; j++)
            if (ent[2 * j + 1] != 0 && ent[2 * j] == driver)
                report(c, GS_FIND_LAYOUT, "grant-driver", base,
                       "process %u grants %u and %u both allocated for driver 0x%x", p->index, j, i,
                       (unsigned)driver);
        if (!ref_layout(g, &l)) {
            report(c, GS_FIND_LAYOUT, "grant-bounds", base,
                   "process %u grant %u allocated for a shape the layout model refuses", p->index,
                   i);
            continue;
        }
        if (base < p->kernel_break || (uint64_t)base + l.size > p->pcb || base % l.align) {
            report(c, GS_FIND_LAYOUT, "grant-bounds", base,
                   "process %u grant %u at 0x%08x size %u align %u outside [0x%08x, 0x%08x) "
                   "or misaligned",
                   p->index, i, (unsigned)base, (unsigned)l.size, (unsigned)l.align,
                   (unsigned)p->kernel_break, (unsigned)p->pcb);
            continue;
        }
        counters = gs_kload32(k, base);
        want = gs_ref_grant_counters(g->shape.n_upcalls, g->shape.n_ro, g->shape.n_rw);
        if (counters != want)
            report(c, GS_FIND_LAYOUT, "grant-bounds", base,
                   "process %u grant %u counters word 0x%08x, shape says 0x%08x", p->index, i,
                   (unsigned)counters, (unsigned)want);
        spans[n].lo = base;
        spans[n].hi = base + l.size;
        spans[n].grant = i;
        n++;
        check_allows(c, p, g, &l, base, false);
        check_allows(c, p, g, &l, base, true);
    }
    if (n > STACK_GRANTS)
        qsort(spans, n, sizeof(*spans), cmp_span);
    else
        for (unsigned i = 1; i < n; i++) /* insertion sort: a few grants */
            for (unsigned j = i; j > 0 && cmp_span(&spans[j - 1], &spans[j]) > 0; j--) {
                struct span t = spans[j];
                spans[j] = spans[j - 1];
                spans[j - 1] = t;
            }
    for (unsigned i = 1; i < n; i++)
        if (spans[i].lo < spans[i - 1].hi)
            report(c, GS_FIND_LAYOUT, "grant-overlap", spans[i].lo,
                   "process %u grants %u and %u overlap", p->index, spans[i - 1].grant,
                   spans[i].grant);
out:
    if (spans != sbuf)
        free(spans);
    if (ent != ebuf)
        free(ent);
}

/* Enabled byte ranges of one region, from its register values. */
static unsigned region_ranges(const struct gs_mpu_region *r, uint32_t lo[8], uint64_t hi[8])
{
    unsigned size_field = gs_rasr_size_field(r->rasr), n = 0;
    uint64_t bytes, sub;
    uint32_t base;

    if (!(r->rasr & GS_RASR_ENABLE))
        return 0;
    bytes = (uint64_t)1 << ((size_field < 4 ? 4 : size_field) + 1);
    base = (uint32_t)(r->rbar & ~(uint32_t)(bytes - 1));
    if (bytes < 256) {
        lo[0] = base;
        hi[0] = base + bytes;
        return 1;
    }
    sub = bytes / 8;
    for (unsigned b = 0; b < 8; b++) {
        if (gs_rasr_srd(r->rasr) & (1u << b))
            continue;
        lo[n] = (uint32_t)(base + b * sub);
        hi[n] = base + (b + 1) * sub;
        n++;
    }
    return n;
}

static bool inside_some_app(const struct gs_kernel *k, uint32_t lo, uint64_t hi)
{
    for (unsigned i = 0; i < k->cfg.num_procs; i++) {
        const struct gs_process *q = k->procs[i];
        if (q && lo >= q->memory_start && hi <= q->app_break)
            return true;
    }
    return false;
}

/* is_running(): Running, Yielded, YieldedFor or Stopped (TOCK-REFERENCE 1.11). */
static bool running(const struct gs_process *p)
{
    return p->state == GS_ST_RUNNING || p->state == GS_ST_YIELDED ||
           p->state == GS_ST_YIELDED_FOR || p->state == GS_ST_STOPPED;
}

/*
 * How far regions 0 and 1 may enable app memory: to the end of the
 * subregion that holds the byte at app_break, and never past the kernel
 * break. Upstream enables ceil((app_break - start) / sub) subregions after a
 * brk or a grant allocation and floor(init_app / sub) + 1 at creation
 * (TOCK-REFERENCE 6.4, 6.5), both within this limit. The block is the
 * power of two memory_len = 2 x region size, so a subregion is
 * memory_len / 16 (release-2.2's doubling bug breaks that, and is reported
 * as mpu-app-exceeds).
 */
static uint64_t app_slack_end(const struct gs_process *p)
{
    uint64_t sub = p->memory_len / 16, end;

    if (sub == 0 || p->app_break < p->memory_start)
        return p->kernel_break;
    end = p->memory_start + ((p->app_break - p->memory_start) / sub + 1) * sub;
    return end < p->kernel_break ? end : p->kernel_break;
}

/*
 * The upstream cause of an isolation finding, where the state shows it: the
 * finding's site then names the known behaviour instead of the invariant, so
 * the fuzzers, the reproducer and a scenario all report the same id.
 *   mpu-region-doubling-4366     an app-region finding (mpu-app-*) of a process
 *                                whose region 0 is as large as its whole block
 *                                in profile 2.2: release-2.2's
 *                                allocate_app_memory_region doubles the region
 *                                but not the block (tock#4366)
 *   ipc-region-outlives-restart  an IPC region (mpu-ipc-exceeds) in the block
 *                                of a process that has restarted: ipc.rs adds
 *                                the region and never removes it (tock#4371)
 */
static const char *app_site(const struct checker *c, const struct gs_process *p, const char *site)
{
    const struct gs_mpu_region *r0 = &p->mpu_cfg.regions[0];

    if (c->k->cfg.profile == GS_PROFILE_2_2 && r0->used &&
        ((uint64_t)1 << (gs_rasr_size_field(r0->rasr) + 1)) == p->memory_len)
        return "mpu-region-doubling-4366";
    return site;
}

static const char *ipc_site(const struct checker *c, uint32_t lo)
{
    for (unsigned i = 0; i < c->k->cfg.num_procs; i++) {
        const struct gs_process *q = c->k->procs[i];
        if (q && q->restart_count > 0 && lo >= q->memory_start && lo < gs_process_mem_end(q))
            return "ipc-region-outlives-restart";
    }
    return "mpu-ipc-exceeds";
}

static void check_mpu(struct checker *c, const struct gs_process *p)
{
    const struct gs_mpu_config *cfg = &p->mpu_cfg;
    uint32_t lo[8], fstart = p->app.flash_start; /* the flash region: the whole TBF */
    uint64_t hi[8], fend = (uint64_t)p->app.flash_start + p->app.flash_len;
    uint64_t slack_end = app_slack_end(p);
    uint64_t covered = p->memory_start; /* app memory enabled contiguously from the start */

    if (!p->has_mpu_config || !running(p))
        return;
    for (unsigned r = 0; r < cfg->num_regions; r++) {
        const struct gs_mpu_region *reg = &cfg->regions[r];
        unsigned n = region_ranges(reg, lo, hi);
        unsigned ap = gs_rasr_ap(reg->rasr);
        bool xn = reg->rasr & GS_RASR_XN, slack_seen = false;
        for (unsigned i = 0; i < n; i++) {
            if (r <= 1) {
                if (lo[i] < p->memory_start || hi[i] > p->kernel_break)
                    report(c, GS_FIND_ISOLATION, app_site(c, p, "mpu-app-exceeds"), lo[i],
                           "process %u region %u enables [0x%08x, 0x%08llx), beyond app memory "
                           "[0x%08x, kernel break 0x%08x)",
                           p->index, r, (unsigned)lo[i], (unsigned long long)hi[i],
                           (unsigned)p->memory_start, (unsigned)p->kernel_break);
                else if (hi[i] > slack_end && !slack_seen) {
                    slack_seen = true; /* once per region */
                    report(c, GS_FIND_ISOLATION, app_site(c, p, "mpu-app-slack"), lo[i],
                           "process %u region %u enables [0x%08x, 0x%08llx), past 0x%08llx, the "
                           "end of the subregion holding the app break 0x%08x",
                           p->index, r, (unsigned)lo[i], (unsigned long long)hi[i],
                           (unsigned long long)slack_end, (unsigned)p->app_break);
                }
                if (lo[i] <= covered && hi[i] > covered)
                    covered = hi[i];
            } else if (ap == 2 && !xn) {
                if (lo[i] < fstart || hi[i] > fend)
                    report(c, GS_FIND_ISOLATION, "mpu-flash-exceeds", lo[i],
                           "process %u region %u enables [0x%08x, 0x%08llx) outside its TBF "
                           "[0x%08x, 0x%08llx)",
                           p->index, r, (unsigned)lo[i], (unsigned long long)hi[i],
                           (unsigned)fstart, (unsigned long long)fend);
            } else if (ap == 3) {
                if (!inside_some_app(c->k, lo[i], hi[i]))
                    report(c, GS_FIND_ISOLATION, ipc_site(c, lo[i]), lo[i],
                           "process %u region %u enables RW [0x%08x, 0x%08llx) outside every "
                           "process's app-owned memory",
                           p->index, r, (unsigned)lo[i], (unsigned long long)hi[i]);
            }
        }
    }
    if (covered < p->app_break)
        report(c, GS_FIND_ISOLATION, app_site(c, p, "mpu-app-short"), (uint32_t)covered,
               "process %u: MPU enables app memory only up to 0x%08llx, app break is 0x%08x",
               p->index, (unsigned long long)covered, (unsigned)p->app_break);
}

static void expect_tags(struct checker *c, const struct gs_process *p, uint32_t addr, uint32_t len,
                        gs_owner want, const char *what)
{
    uint32_t i = len ? gs_mem_first_other(c->k->mem, addr, len, want) : 0;

    if (i < len) {
        gs_owner got = gs_mem_owner_at(c->k->mem, addr + i);
        char a[96], b[96];
        report(c, GS_FIND_LAYOUT, "shadow", addr + i,
               "process %u %s: byte 0x%08x tagged [%s], expected [%s]", p->index, what,
               (unsigned)(addr + i), gs_owner_describe(got, a, sizeof(a)),
               gs_owner_describe(want, b, sizeof(b)));
    }
}

static void check_shadow(struct checker *c, const struct gs_process *p)
{
    struct gs_kernel *k = c->k;

    expect_tags(c, p, p->memory_start, p->app_break - p->memory_start, gs_powner(p, GS_OWN_APP, 0),
                "app memory");
    expect_tags(c, p, p->app_break, p->kernel_break - p->app_break, gs_powner(p, GS_OWN_UNUSED, 0),
                "unused memory");
    expect_tags(c, p, p->pcb, k->cfg.pcb_size, gs_powner(p, GS_OWN_PCB, 0), "PCB");
    expect_tags(c, p, p->taskq, GS_CALLBACKS_SIZE, gs_powner(p, GS_OWN_TASKQ, 0), "task ring");
    expect_tags(c, p, p->grant_table, k->grant_count * GS_GRANT_ENTRY_SIZE,
                gs_powner(p, GS_OWN_GRANT_TABLE, 0), "grant table");
    for (unsigned i = 0; i < k->grant_count; i++) {
        const struct gs_grant *g = k->grants[i];
        struct gs_ref_grant_layout l;
        uint32_t driver, ptr, base;
        table_entry(k, p, i, &driver, &ptr);
        if (ptr == 0 || !ref_layout(g, &l))
            continue;
        base = ptr & ~1u;
        if (base < p->kernel_break || (uint64_t)base + l.size > p->pcb)
            continue; /* reported by grant-bounds */
        /* Every part where the layout model puts it (TOCK-REFERENCE 2.1). */
        expect_tags(c, p, base, l.upcalls_off, gs_powner(p, GS_OWN_GRANT_HDR, i), "grant counters");
        expect_tags(c, p, base + l.upcalls_off, l.ro_off - l.upcalls_off,
                    gs_powner(p, GS_OWN_GRANT_UPCALLS, i), "grant upcall slots");
        expect_tags(c, p, base + l.ro_off, l.rw_off - l.ro_off, gs_powner(p, GS_OWN_GRANT_RO, i),
                    "grant read-only allow slots");
        expect_tags(c, p, base + l.rw_off, l.kernel_managed - l.rw_off,
                    gs_powner(p, GS_OWN_GRANT_RW, i), "grant read-write allow slots");
        expect_tags(c, p, base + l.kernel_managed, l.pad_len, gs_powner(p, GS_OWN_GRANT_PAD, i),
                    "grant padding");
        expect_tags(c, p, base + l.t_off, l.size - l.t_off, gs_powner(p, GS_OWN_GRANT_T, i),
                    "grant T");
    }
}

/*
 * Every check of process i (slot order matters: once an earlier process had
 * a violation in this pass, later ones get only the order check, as the rest
 * assumes a sane layout). Returns true when all of them ran.
 */
static bool check_process(struct checker *c, unsigned i)
{
    struct gs_kernel *k = c->k;
    const struct gs_process *p = k->procs[i];

    check_order(c, p);
    if (c->violations)
        return false; /* the rest assumes a sane order */
    check_grants(c, p);
    check_mpu(c, p);
    if (c->flags & GS_INV_SHADOW)
        check_shadow(c, p);
    for (unsigned j = 0; j < i; j++) {
        const struct gs_process *q = k->procs[j];
        if (q && p->memory_start < gs_process_mem_end(q) && q->memory_start < gs_process_mem_end(p))
            report(c, GS_FIND_LAYOUT, "blocks-disjoint", p->memory_start,
                   "process blocks %u and %u overlap", j, i);
    }
    return true;
}

unsigned gs_invariants_check(struct gs_kernel *k, unsigned flags)
{
    struct checker c = {.k = k, .flags = flags, .violations = 0};

    for (unsigned i = 0; i < k->cfg.num_procs; i++)
        if (k->procs[i])
            check_process(&c, i);
    return c.violations;
}

/*
 * Everything the checks of one process read, but for kernel objects in RAM
 * (counted by kobj_writes) and what never changes after creation (the
 * grants' shapes, the app's TBF, the board): recorded after a check, and
 * compared field by field before the next.
 */
static uint32_t kobj_writes(const struct gs_kernel *k, const struct gs_process *p)
{
    return k->mem->kobj_writes[p->index & GS_OWNER_MAX_PROC];
}

static void fields_of(const struct gs_process *p, uint32_t f[12])
{
    f[0] = p->app_break;
    f[1] = p->kernel_break;
    f[2] = p->hwm;
    f[3] = p->grant_table;
    f[4] = p->taskq;
    f[5] = p->pcb;
    f[6] = p->tq_head;
    f[7] = p->tq_tail;
    f[8] = (uint32_t)p->state;
    f[9] = p->has_mpu_config;
    f[10] = p->mpu_cfg.num_regions;
    f[11] = p->app.flash_start;
}

static void record_view(const struct gs_kernel *k, const struct gs_process *p,
                        struct gs_inv_view *v, bool clean)
{
    unsigned n = p->mpu_cfg.num_regions;

    v->p = p;
    v->clean = clean;
    v->kobj_writes = kobj_writes(k, p);
    fields_of(p, v->fields);
    for (unsigned r = 0; r < n && r < GS_PMSAV7_MAX_REGIONS; r++)
        v->regions[r] = p->mpu_cfg.regions[r];
    v->block[0] = p->memory_start;
    v->block[1] = p->memory_len;
    v->block[2] = p->app_break;
}

/* Is p's view the recorded one (a clean check of it would find nothing new)? */
static bool view_same(const struct gs_kernel *k, const struct gs_process *p,
                      const struct gs_inv_view *v)
{
    const uint32_t *f = v->fields;
    unsigned n = p->mpu_cfg.num_regions;

    if (!v->clean || v->p != p || v->kobj_writes != kobj_writes(k, p))
        return false;
    /* fields_of's order, compared in place. */
    if (f[0] != p->app_break || f[1] != p->kernel_break || f[2] != p->hwm ||
        f[3] != p->grant_table || f[4] != p->taskq || f[5] != p->pcb || f[6] != p->tq_head ||
        f[7] != p->tq_tail || f[8] != (uint32_t)p->state || f[9] != p->has_mpu_config ||
        f[10] != n || f[11] != p->app.flash_start)
        return false;
    /* Field by field, in a loop (a memcmp call would go through the sanitizers'
     * interceptors, whose range checks cost more than the compare). */
    for (unsigned r = 0; r < n && r < GS_PMSAV7_MAX_REGIONS; r++) {
        const struct gs_mpu_region *a = &p->mpu_cfg.regions[r], *b = &v->regions[r];
        if (a->used != b->used || a->start != b->start || a->size != b->size ||
            a->rbar != b->rbar || a->rasr != b->rasr)
            return false;
    }
    return true;
}

/*
 * After an operation: the checks of gs_invariants_check(k, 0), run only for
 * the processes whose view changed since a check found them clean. Other
 * processes' blocks and app breaks enter every process's checks (IPC regions
 * must lie in some app's memory, blocks must be disjoint), so a change there
 * re-checks all. A process that no event named since the last check and
 * whose kernel objects no kernel store touched is not even compared: every
 * kernel path that changes a process names it in an event (its state, a
 * brk, an allocation, a task, a syscall, an IPC dispatch, a restart), which
 * keeps the cost per operation flat in the number of processes. Findings are
 * those a full check would report; the quiescent check at the end of a run
 * looks at everything whatever the events said.
 */
void gs_invariants_after_op(struct gs_kernel *k)
{
    struct checker c = {.k = k, .flags = 0, .violations = 0};
    uint32_t touched = k->inv_touched;
    bool world = false;

    if (!k->check_invariants || k->panicked)
        return;
    k->inv_touched = 0;
    for (unsigned i = 0; i < k->cfg.num_procs && !world; i++) {
        const struct gs_process *p = k->procs[i];
        const struct gs_inv_view *v = &k->inv_view[i];
        world = p ? v->p != p || v->block[0] != p->memory_start || v->block[1] != p->memory_len ||
                        v->block[2] != p->app_break
                  : v->p != NULL;
    }
    for (unsigned i = 0; i < k->cfg.num_procs; i++) {
        const struct gs_process *p = k->procs[i];
        const struct gs_inv_view *v = &k->inv_view[i];
        unsigned before = c.violations;
        bool all;
        if (!p) {
            k->inv_view[i].p = NULL;
            continue;
        }
        if (!world && !(touched & (1u << i)) && v->clean && v->p == p &&
            v->kobj_writes == kobj_writes(k, p))
            continue; /* nothing named it, nothing wrote its objects */
        if (!world && view_same(k, p, v))
            continue;
        all = check_process(&c, i);
        record_view(k, p, &k->inv_view[i], all && c.violations == before);
    }
}
