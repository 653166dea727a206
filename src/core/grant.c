/* SPDX-License-Identifier: MIT */
/*
 * Grants: kernel/src/grant.rs (tock HEAD 65608d717), TOCK-REFERENCE
 * section 2. Layout diagram in grant.h.
 */
#include "grant.h"

#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "invariants.h"
#include "tasks.h"

#define COUNTERS_SIZE 4u /* the counters word: one usize on the 32-bit target */
#define SLOT_SIZE     8u /* SavedUpcall, SavedAllowRo, SavedAllowRw: two usize each */

/*
 * EnteredGrantKernelManagedLayout: the counters word, then the arrays in
 * the order upcalls, RO, RW (initialize_from_counts, read_from_base), then
 * grant_size's padding, (align - (kms & (align - 1))) & (align - 1), so a
 * kernel-managed size already aligned gets none, then T
 * (offset_of_grant_data_t = grant_size - size_of(T)).
 */
struct gs_grant_offsets gs_grant_offsets(const struct gs_grant_shape *s)
{
    struct gs_grant_offsets o;
    uint32_t a = s->t_align ? s->t_align : 1;
    uint32_t kms, pad;

    o.counters = 0;
    o.upcalls = COUNTERS_SIZE;
    o.ro = o.upcalls + SLOT_SIZE * s->n_upcalls;
    o.rw = o.ro + SLOT_SIZE * s->n_ro;
    kms = o.rw + SLOT_SIZE * s->n_rw;
    pad = (a - (kms % a)) % a;
    o.pad = kms;
    o.t = kms + pad;
    o.size = o.t + s->t_size;
    return o;
}

uint32_t gs_grant_layout_size(const struct gs_grant_shape *s)
{
    return gs_grant_offsets(s).size;
}

uint32_t gs_grant_layout_align(const struct gs_grant_shape *s)
{
    /* EnteredGrantKernelManagedLayout::grant_align: max(align_of::<usize>(), align_of::<T>()). */
    return s->t_align > 4 ? s->t_align : 4;
}

uint32_t gs_grant_layout_t_offset(const struct gs_grant_shape *s)
{
    return gs_grant_offsets(s).t;
}

uint32_t gs_grant_slot_offset(const struct gs_grant_offsets *o, enum gs_grant_slot_kind kind,
                              uint32_t i)
{
    uint32_t first = kind == GS_GRANT_UPCALL ? o->upcalls : kind == GS_GRANT_RO ? o->ro : o->rw;

    return first + SLOT_SIZE * i;
}

/* The counters word's bytes: # upcalls, # RO allows, # RW allows, unused (grant.rs). */
uint32_t gs_grant_counters_word(const struct gs_grant_shape *s)
{
    return s->n_upcalls | (s->n_ro << 8) | (s->n_rw << 16);
}

void gs_grant_counts_from_word(uint32_t word, struct gs_grant_shape *s)
{
    s->n_upcalls = word & 0xFF;
    s->n_ro = (word >> 8) & 0xFF;
    s->n_rw = (word >> 16) & 0xFF;
}

/* Slot i of an array that starts at `first`: which slot, which word, which byte. */
static struct gs_grant_place in_slots(enum gs_grant_part part, uint32_t first, uint32_t off)
{
    struct gs_grant_place pl = {part, (off - first) / SLOT_SIZE, 0, 0};
    uint32_t in_slot = (off - first) % SLOT_SIZE;

    pl.word = in_slot / 4;
    pl.byte = in_slot % 4;
    return pl;
}

struct gs_grant_place gs_grant_locate(const struct gs_grant_offsets *o, uint32_t off)
{
    struct gs_grant_place pl = {GS_GRANT_PART_PAST, 0, 0, off};

    if (off < o->upcalls)
        pl = (struct gs_grant_place){GS_GRANT_PART_COUNTERS, 0, 0, off - o->counters};
    else if (off < o->ro)
        pl = in_slots(GS_GRANT_PART_UPCALL, o->upcalls, off);
    else if (off < o->rw)
        pl = in_slots(GS_GRANT_PART_RO, o->ro, off);
    else if (off < o->pad)
        pl = in_slots(GS_GRANT_PART_RW, o->rw, off);
    else if (off < o->t)
        pl = (struct gs_grant_place){GS_GRANT_PART_PAD, 0, 0, off - o->pad};
    else if (off < o->size)
        pl = (struct gs_grant_place){GS_GRANT_PART_T, 0, 0, off - o->t};
    return pl;
}

bool gs_grant_shape_valid(const struct gs_grant_shape *s)
{
    if (!s || s->n_upcalls > 255 || s->n_ro > 255 || s->n_rw > 255)
        return false;
    if (s->t_align == 0 || (s->t_align & (s->t_align - 1)) || s->t_align > 65536)
        return false;
    /* Rust: size is a multiple of align. Keep T well inside 32-bit arithmetic. */
    if (s->t_size % s->t_align || s->t_size > 0x10000000u)
        return false;
    return true;
}

int gs_grant_create(struct gs_kernel *k, uint32_t driver_num, const struct gs_grant_shape *shape,
                    const void *t_default, struct gs_grant **out)
{
    struct gs_grant *g, **grants;

    if (!k || !out || !gs_grant_shape_valid(shape))
        return GS_E_ARG;
    if (k->grants_finalized)
        return GS_E_FINALIZED;
    if (k->grant_count == k->grant_cap) {
        unsigned cap = k->grant_cap ? 2 * k->grant_cap : 8;
        grants = realloc(k->grants, cap * sizeof(*grants));
        if (!grants)
            return GS_E_NOMEM_HOST;
        k->grants = grants;
        k->grant_cap = cap;
    }
    g = calloc(1, sizeof(*g));
    if (!g)
        return GS_E_NOMEM_HOST;
    if (t_default && shape->t_size) {
        g->t_default = malloc(shape->t_size);
        if (!g->t_default) {
            free(g);
            return GS_E_NOMEM_HOST;
        }
        memcpy(g->t_default, t_default, shape->t_size);
    }
    g->k = k;
    g->num = k->grant_count;
    g->driver_num = driver_num;
    g->shape = *shape;
    g->size = gs_grant_layout_size(shape);
    g->align = gs_grant_layout_align(shape);
    k->grants[k->grant_count++] = g;
    *out = g;
    return GS_OK;
}

struct gs_grant *gs_kernel_grant(const struct gs_kernel *k, unsigned num)
{
    return num < k->grant_count ? k->grants[num] : NULL;
}

struct gs_grant *gs_kernel_grant_for_driver(const struct gs_kernel *k, uint32_t driver_num)
{
    for (unsigned i = 0; i < k->grant_count; i++)
        if (k->grants[i]->driver_num == driver_num)
            return k->grants[i];
    return NULL;
}

/* Tags the parts of a freshly allocated grant in the shadow map. */
static void tag_grant(const struct gs_grant *g, struct gs_process *p, uint32_t base)
{
    struct gs_mem *m = p->k->mem;
    struct gs_grant_offsets o = gs_grant_offsets(&g->shape);
    unsigned id = g->num;

    gs_mem_tag(m, base + o.counters, o.upcalls - o.counters, gs_powner(p, GS_OWN_GRANT_HDR, id));
    gs_mem_tag(m, base + o.upcalls, o.ro - o.upcalls, gs_powner(p, GS_OWN_GRANT_UPCALLS, id));
    gs_mem_tag(m, base + o.ro, o.rw - o.ro, gs_powner(p, GS_OWN_GRANT_RO, id));
    gs_mem_tag(m, base + o.rw, o.pad - o.rw, gs_powner(p, GS_OWN_GRANT_RW, id));
    gs_mem_tag(m, base + o.pad, o.t - o.pad, gs_powner(p, GS_OWN_GRANT_PAD, id));
    gs_mem_tag(m, base + o.t, o.size - o.t, gs_powner(p, GS_OWN_GRANT_T, id));
}

/*
 * EnteredGrantKernelManagedLayout::initialize_from_counts: the counters word
 * and every slot set to zero (SavedUpcall/SavedAllowRo/SavedAllowRw default).
 */
static void initialize_from_counts(const struct gs_grant *g, struct gs_process *p, uint32_t base)
{
    struct gs_grant_offsets o = gs_grant_offsets(&g->shape);
    unsigned id = g->num;

    gs_kstore32(p->k, base + o.counters, gs_grant_counters_word(&g->shape),
                gs_powner(p, GS_OWN_GRANT_HDR, id));
    for (uint32_t a = o.upcalls; a < o.ro; a += 4)
        gs_kstore32(p->k, base + a, 0, gs_powner(p, GS_OWN_GRANT_UPCALLS, id));
    for (uint32_t a = o.ro; a < o.rw; a += 4)
        gs_kstore32(p->k, base + a, 0, gs_powner(p, GS_OWN_GRANT_RO, id));
    for (uint32_t a = o.rw; a < o.pad; a += 4)
        gs_kstore32(p->k, base + a, 0, gs_powner(p, GS_OWN_GRANT_RW, id));
}

/* Writes T::default() at the end of the allocation. */
static void write_t_default(const struct gs_grant *g, struct gs_process *p, uint32_t base)
{
    uint32_t t = base + gs_grant_offsets(&g->shape).t;
    gs_owner o = gs_powner(p, GS_OWN_GRANT_T, g->num);

    if (g->shape.t_size == 0)
        return;
    if (g->t_default)
        gs_kwrite(p->k, t, g->t_default, g->shape.t_size, o);
    else
        gs_kfill(p->k, t, 0, g->shape.t_size, o);
}

/*
 * ProcessGrant::new: look the process up, allocate and initialise the grant
 * if needed. Returns the process through *out.
 */
static int process_grant_new(const struct gs_grant *g, struct gs_pid pid, struct gs_process **out)
{
    struct gs_kernel *k = g->k;
    struct gs_process *p = gs_kernel_get_process(k, pid);
    uint32_t base, entered;
    int alloc, err;

    if (k->panicked)
        return GS_E_PANIC;
    if (!p)
        return GS_E_NO_SUCH_APP;
    alloc = gs_process_grant_is_allocated(p, g->num);
    if (alloc < 0)
        return GS_E_INACTIVE_APP;
    if (alloc == 0) {
        uint32_t kb = p->kernel_break, ab = p->app_break;
        err = gs_process_allocate_grant(p, g->num, g->driver_num, g->size, g->align, &base);
        if (err == GS_E_PANIC)
            return err;
        if (err)
            return GS_E_OUT_OF_MEMORY;
        tag_grant(g, p, base);
        if (gs_kernel_observed(k)) {
            struct gs_event ev = {.kind = GS_EV_GRANT_ALLOCATED,
                                  .p = p,
                                  .a = g->num,
                                  .b = base,
                                  .c = g->size,
                                  .d = g->driver_num,
                                  .r = {kb, ab}};
            gs_kernel_emit(k, &ev);
        }
        /* Enter, initialise the kernel-managed part, leave (the layout guard's Drop). */
        err = gs_process_enter_grant(p, g->num, &entered);
        if (err)
            return err;
        initialize_from_counts(g, p, base);
        gs_process_leave_grant(p, g->num);
        write_t_default(g, p, base);
    }
    *out = p;
    return GS_OK;
}

/* access_grant_with_allocator: enter, read the layout back from memory. */
static int access_grant(const struct gs_grant *g, struct gs_process *p, bool panic_on_reenter,
                        bool with_allocator, struct gs_grant_ctx *ctx)
{
    struct gs_grant_shape in_mem;
    uint32_t base;
    int err = gs_process_enter_grant(p, g->num, &base);

    if (err) {
        /* Upstream panics on any enter error here, whatever its cause. */
        if (panic_on_reenter)
            return gs_kernel_panic(g->k, "Grant::enter", "Attempted to re-enter a grant region.");
        return GS_E_ALREADY_IN_USE;
    }
    /* read_from_base: the slot arrays where the counters word says; T where the type says. */
    in_mem = g->shape;
    gs_grant_counts_from_word(gs_kload32(g->k, base), &in_mem);
    memset(ctx, 0, sizeof(*ctx));
    ctx->g = g;
    ctx->p = p;
    ctx->base = base;
    ctx->t_addr = base + gs_grant_offsets(&g->shape).t;
    ctx->n_upcalls = in_mem.n_upcalls;
    ctx->n_ro = in_mem.n_ro;
    ctx->n_rw = in_mem.n_rw;
    ctx->with_allocator = with_allocator;
    ctx->active = true;
    gs_kernel_event(g->k, GS_EV_GRANT_ENTERED, p, g->num, base, 0, 0);
    return GS_OK;
}

static int enter_common(const struct gs_grant *g, struct gs_pid pid, bool panic_on_reenter,
                        bool with_allocator, struct gs_grant_ctx *out)
{
    struct gs_process *p;
    int err;

    if (!g || !out)
        return GS_E_ARG;
    err = process_grant_new(g, pid, &p);
    if (err)
        return err;
    return access_grant(g, p, panic_on_reenter, with_allocator, out);
}

int gs_grant_enter(const struct gs_grant *g, struct gs_pid pid, struct gs_grant_ctx *out)
{
    return enter_common(g, pid, true, false, out);
}

int gs_grant_try_enter(const struct gs_grant *g, struct gs_pid pid, struct gs_grant_ctx *out)
{
    return enter_common(g, pid, false, false, out);
}

int gs_grant_enter_with_allocator(const struct gs_grant *g, struct gs_pid pid,
                                  struct gs_grant_ctx *out)
{
    return enter_common(g, pid, true, true, out);
}

void gs_grant_leave(struct gs_grant_ctx *ctx)
{
    if (!ctx || !ctx->active)
        return;
    ctx->active = false;
    gs_process_leave_grant(ctx->p, ctx->g->num);
    gs_kernel_event(ctx->g->k, GS_EV_GRANT_LEFT, ctx->p, ctx->g->num, 0, 0, 0);
    gs_invariants_after_op(ctx->g->k);
}

bool gs_grant_iter_next(const struct gs_grant *g, unsigned *cursor, struct gs_pid *pid)
{
    for (unsigned i = *cursor; i < g->k->cfg.num_procs; i++) {
        struct gs_process *p = g->k->procs[i];
        if (p && gs_process_grant_is_allocated(p, g->num) == 1) {
            *pid = p->pid;
            *cursor = i + 1;
            return true;
        }
    }
    *cursor = g->k->cfg.num_procs;
    return false;
}

int gs_grant_each(const struct gs_grant *g, bool (*fn)(struct gs_grant_ctx *ctx, void *arg),
                  void *arg)
{
    unsigned cursor = 0;
    struct gs_pid pid;

    while (gs_grant_iter_next(g, &cursor, &pid)) {
        struct gs_grant_ctx ctx;
        struct gs_process *p = gs_kernel_get_process(g->k, pid);
        bool more;
        int err = access_grant(g, p, true, false, &ctx);
        if (err)
            return err;
        more = fn(&ctx, arg);
        gs_grant_leave(&ctx);
        if (!more || g->k->panicked)
            break;
    }
    return g->k->panicked ? GS_E_PANIC : GS_OK;
}

int gs_grant_t_load32(const struct gs_grant_ctx *ctx, uint32_t off, uint32_t *out)
{
    if (!ctx->active)
        return GS_E_STATE;
    return gs_mem_load32(ctx->g->k->mem, ctx->t_addr + off, out);
}

int gs_grant_t_write(struct gs_grant_ctx *ctx, uint32_t off, const void *src, uint32_t len)
{
    if (!ctx->active)
        return GS_E_STATE;
    /* No bounds check against |T| on purpose: the shadow map reports overruns. */
    return gs_kstore(ctx->g->k, "GrantData", ctx->t_addr + off, src, len,
                     gs_powner(ctx->p, GS_OWN_GRANT_T, ctx->g->num));
}

int gs_grant_t_store32(struct gs_grant_ctx *ctx, uint32_t off, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};

    return gs_grant_t_write(ctx, off, b, 4);
}

/* Address of slot i of an entered grant, by the counts its counters word held. */
static uint32_t slot_addr(const struct gs_grant_ctx *ctx, enum gs_grant_slot_kind kind, uint32_t i)
{
    struct gs_grant_shape in_mem = {
        .n_upcalls = ctx->n_upcalls, .n_ro = ctx->n_ro, .n_rw = ctx->n_rw};
    struct gs_grant_offsets o = gs_grant_offsets(&in_mem);

    return ctx->base + gs_grant_slot_offset(&o, kind, i);
}

static uint32_t upcall_slot(const struct gs_grant_ctx *ctx, uint32_t i)
{
    return slot_addr(ctx, GS_GRANT_UPCALL, i);
}

static uint32_t allow_slot(const struct gs_grant_ctx *ctx, bool rw, uint32_t i)
{
    return slot_addr(ctx, rw ? GS_GRANT_RW : GS_GRANT_RO, i);
}

int gs_grant_get_upcall(const struct gs_grant_ctx *ctx, uint32_t i, uint32_t *appdata, uint32_t *fn)
{
    if (!ctx->active || i >= ctx->n_upcalls)
        return GS_E_ARG;
    *appdata = gs_kload32(ctx->g->k, upcall_slot(ctx, i));
    *fn = gs_kload32(ctx->g->k, upcall_slot(ctx, i) + 4);
    return GS_OK;
}

int gs_grant_set_upcall(struct gs_grant_ctx *ctx, uint32_t i, uint32_t appdata, uint32_t fn)
{
    gs_owner o;

    if (!ctx->active || i >= ctx->n_upcalls)
        return GS_E_ARG;
    o = gs_powner(ctx->p, GS_OWN_GRANT_UPCALLS, ctx->g->num);
    gs_kstore32(ctx->g->k, upcall_slot(ctx, i), appdata, o);
    gs_kstore32(ctx->g->k, upcall_slot(ctx, i) + 4, fn, o);
    return GS_OK;
}

int gs_grant_get_allow(const struct gs_grant_ctx *ctx, bool rw, uint32_t i, uint32_t *ptr,
                       uint32_t *len)
{
    if (!ctx->active || i >= (rw ? ctx->n_rw : ctx->n_ro))
        return GS_E_ARG;
    *ptr = gs_kload32(ctx->g->k, allow_slot(ctx, rw, i));
    *len = gs_kload32(ctx->g->k, allow_slot(ctx, rw, i) + 4);
    return GS_OK;
}

int gs_grant_set_allow(struct gs_grant_ctx *ctx, bool rw, uint32_t i, uint32_t ptr, uint32_t len)
{
    gs_owner o;

    if (!ctx->active || i >= (rw ? ctx->n_rw : ctx->n_ro))
        return GS_E_ARG;
    o = gs_powner(ctx->p, rw ? GS_OWN_GRANT_RW : GS_OWN_GRANT_RO, ctx->g->num);
    gs_kstore32(ctx->g->k, allow_slot(ctx, rw, i), ptr, o);
    gs_kstore32(ctx->g->k, allow_slot(ctx, rw, i) + 4, len, o);
    return GS_OK;
}

/* ---- the kernel's slot swaps (grant.rs subscribe, allow_ro, allow_rw) ---- */

/*
 * enter_grant_kernel_managed: p's grant for `driver`, entered, and the
 * counts its counters word in memory holds (read_from_base), in the n_*
 * fields of *in_mem. The caller leaves the grant.
 */
static enum gs_grant_swap_err enter_kernel_managed(struct gs_process *p, uint32_t driver,
                                                   unsigned *grant_num, uint32_t *base,
                                                   struct gs_grant_shape *in_mem)
{
    int gi = gs_process_lookup_grant(p, driver), alloc;

    if (gi < 0)
        return GS_GRANT_SWAP_NOMEM; /* lookup's only error, OutOfMemory: NOMEM */
    alloc = gs_process_grant_is_allocated(p, (unsigned)gi);
    if (alloc < 0)
        return GS_GRANT_SWAP_FAIL;
    if (alloc == 0)
        return GS_GRANT_SWAP_NOMEM;
    if (gs_process_enter_grant(p, (unsigned)gi, base) != GS_OK)
        return GS_GRANT_SWAP_NOMEM;
    gs_grant_counts_from_word(gs_kload32(p->k, *base), in_mem);
    *grant_num = (unsigned)gi;
    return GS_GRANT_SWAP_OK;
}

/*
 * Swaps the two words of slot `num` of one array with w[0], w[1]: the
 * common body of subscribe, allow_ro and allow_rw. w holds the old words
 * on success, is untouched on failure.
 */
static enum gs_grant_swap_err swap_slot(struct gs_process *p, uint32_t driver,
                                        enum gs_grant_slot_kind kind, uint32_t num, uint32_t w[2])
{
    static const enum gs_owner_kind owner_kind[] = {
        [GS_GRANT_UPCALL] = GS_OWN_GRANT_UPCALLS,
        [GS_GRANT_RO] = GS_OWN_GRANT_RO,
        [GS_GRANT_RW] = GS_OWN_GRANT_RW,
    };
    struct gs_kernel *k = p->k;
    struct gs_grant_shape in_mem = {0};
    struct gs_grant_offsets o;
    uint32_t base, slot, count, old[2];
    unsigned gi;
    enum gs_grant_swap_err e = enter_kernel_managed(p, driver, &gi, &base, &in_mem);
    gs_owner owner;

    if (e)
        return e;
    /* The slice get_*_slice gives: as many slots as the counters word says. */
    count = kind == GS_GRANT_UPCALL ? in_mem.n_upcalls
            : kind == GS_GRANT_RO   ? in_mem.n_ro
                                    : in_mem.n_rw;
    if (num >= count) {
        gs_process_leave_grant(p, gi);
        return GS_GRANT_SWAP_NOSUPPORT;
    }
    o = gs_grant_offsets(&in_mem);
    slot = base + gs_grant_slot_offset(&o, kind, num);
    owner = gs_powner(p, owner_kind[kind], gi);
    old[0] = gs_kload32(k, slot);
    old[1] = gs_kload32(k, slot + 4);
    gs_kstore32(k, slot, w[0], owner);
    gs_kstore32(k, slot + 4, w[1], owner);
    gs_process_leave_grant(p, gi);
    w[0] = old[0];
    w[1] = old[1];
    return GS_GRANT_SWAP_OK;
}

enum gs_grant_swap_err gs_grant_subscribe(struct gs_process *p, uint32_t driver, uint32_t subscribe,
                                          struct gs_saved_upcall *upcall)
{
    uint32_t w[2] = {upcall->appdata, upcall->fn}; /* SavedUpcall is {appdata, fn_ptr} */
    enum gs_grant_swap_err e = swap_slot(p, driver, GS_GRANT_UPCALL, subscribe, w);

    if (e == GS_GRANT_SWAP_OK)
        *upcall = (struct gs_saved_upcall){.appdata = w[0], .fn = w[1]};
    return e;
}

static enum gs_grant_swap_err swap_allow(struct gs_process *p, uint32_t driver,
                                         enum gs_grant_slot_kind kind, uint32_t num,
                                         struct gs_saved_allow *buf)
{
    uint32_t w[2] = {buf->ptr, buf->len};
    enum gs_grant_swap_err e = swap_slot(p, driver, kind, num, w);

    if (e == GS_GRANT_SWAP_OK)
        *buf = (struct gs_saved_allow){.ptr = w[0], .len = w[1]};
    return e;
}

enum gs_grant_swap_err gs_grant_allow_ro(struct gs_process *p, uint32_t driver, uint32_t num,
                                         struct gs_saved_allow *buf)
{
    return swap_allow(p, driver, GS_GRANT_RO, num, buf);
}

enum gs_grant_swap_err gs_grant_allow_rw(struct gs_process *p, uint32_t driver, uint32_t num,
                                         struct gs_saved_allow *buf)
{
    return swap_allow(p, driver, GS_GRANT_RW, num, buf);
}

int gs_grant_schedule_upcall(struct gs_grant_ctx *ctx, uint32_t n, uint32_t a, uint32_t b,
                             uint32_t c)
{
    struct gs_task t;
    uint32_t appdata, fn;
    int e;

    if (!ctx->active || n >= ctx->n_upcalls)
        return GS_UPCALL_INVALID_SUBSCRIBE;
    gs_grant_get_upcall(ctx, n, &appdata, &fn);
    memset(&t, 0, sizeof(t));
    t.id.driver = ctx->g->driver_num;
    t.id.subscribe = n;
    t.a[0] = a;
    t.a[1] = b;
    t.a[2] = c;
    if (fn == 0) {
        t.kind = GS_TASK_RETURN_VALUE; /* null upcalls are queued, for Yield-WaitFor */
    } else {
        t.kind = GS_TASK_FUNCTION_CALL;
        t.from_driver = true;
        t.a[3] = appdata;
        t.pc = fn;
    }
    e = gs_tasks_enqueue(ctx->p, &t);
    if (e == 0)
        return 0;
    return e == GS_EC_NOMEM ? GS_UPCALL_QUEUE_FULL : GS_UPCALL_KERNEL_ERROR;
}

/* Clips [off, off + n) to a buffer of `len` bytes. */
static uint32_t clip(uint32_t len, uint32_t off, uint32_t n)
{
    if (off >= len)
        return 0;
    return n < len - off ? n : len - off;
}

int gs_grant_allow_read(const struct gs_grant_ctx *ctx, bool rw, uint32_t i, uint32_t off,
                        void *dst, uint32_t n, uint32_t *done)
{
    uint32_t ptr, len, k;

    if (gs_grant_get_allow(ctx, rw, i, &ptr, &len) != GS_OK)
        return GS_E_ARG;
    if (!gs_kernel_get_process(ctx->g->k, ctx->p->pid))
        return GS_E_NO_SUCH_APP;
    k = clip(len, off, n);
    if (k && gs_mem_read(ctx->g->k->mem, ptr + off, dst, k) != GS_OK)
        k = 0;
    *done = k;
    return GS_OK;
}

int gs_grant_allow_write(struct gs_grant_ctx *ctx, uint32_t i, uint32_t off, const void *src,
                         uint32_t n, uint32_t *done)
{
    uint32_t ptr, len, k;

    if (gs_grant_get_allow(ctx, true, i, &ptr, &len) != GS_OK)
        return GS_E_ARG;
    if (!gs_kernel_get_process(ctx->g->k, ctx->p->pid))
        return GS_E_NO_SUCH_APP;
    k = clip(len, off, n);
    /* The bytes belong to the app: a stale or corrupted slot shows up as a finding. */
    if (k && gs_kstore(ctx->g->k, "ProcessBuffer", ptr + off, src, k,
                       gs_powner(ctx->p, GS_OWN_APP, 0)) != GS_OK)
        k = 0;
    *done = k;
    return GS_OK;
}

int gs_grant_alloc_custom(struct gs_grant_ctx *ctx, uint32_t n, uint32_t size, uint32_t align,
                          const void *init, struct gs_custom_grant *out)
{
    uint64_t total = (uint64_t)n * size;
    uint32_t offset, ptr;
    struct gs_process *p;
    int err;

    if (!ctx || !ctx->active || !ctx->with_allocator || !out)
        return GS_E_ARG;
    if (total > UINT32_MAX) /* checked_mul(...).ok_or(OutOfMemory) */
        return GS_E_OUT_OF_MEMORY;
    p = gs_kernel_get_process(ctx->g->k, ctx->p->pid);
    if (!p)
        return GS_E_NO_SUCH_APP;
    err = gs_process_allocate_custom_grant(p, (uint32_t)total, align, &offset, &ptr);
    if (err == GS_E_PANIC)
        return err;
    if (err)
        return GS_E_OUT_OF_MEMORY;
    if (total) {
        gs_owner o = gs_powner(p, GS_OWN_CUSTOM, p->custom_serial);
        if (init)
            gs_kwrite(p->k, ptr, init, (uint32_t)total, o);
        else
            gs_kfill(p->k, ptr, 0, (uint32_t)total, o);
    }
    out->pid = p->pid;
    out->offset = offset;
    out->size = (uint32_t)total;
    return GS_OK;
}

int gs_custom_grant_enter(struct gs_kernel *k, const struct gs_custom_grant *cg, uint32_t *addr)
{
    struct gs_process *p = gs_kernel_get_process(k, cg->pid);

    if (k->panicked)
        return GS_E_PANIC;
    if (!p)
        return GS_E_NO_SUCH_APP;
    return gs_process_enter_custom_grant(p, cg->offset, addr);
}
