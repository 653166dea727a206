/* SPDX-License-Identifier: MIT */
/*
 * fuzz-grants: grant allocation and layout through the core API directly.
 *
 * Board (from the first bytes): profile, MPU geometry, PCB size and
 * alignment, 0-8 grants of random shapes (align(T) 1..4096, |T| 0..3 x
 * align, upcall/RO/RW counts 0..255, optional T::default pattern, sometimes
 * a driver number shared with the previous grant), each behind a minimal
 * driver, and 1-4 processes with RAM sizes from a menu.
 *
 * Then up to 128 operations: enter, try_enter, enter_with_allocator, leave,
 * custom allocations inside an entered grant, entering custom-grant handles
 * (also stale ones), T stores, upcall slots and scheduling, brk and sbrk to
 * the edges of the process's memory, allow and subscribe syscalls (so the
 * allow high-water mark matters), restart, terminate, start, faults, grant
 * iteration, fault injection of the Nth grant-region allocation, and a
 * deliberate re-entry (the one expected kernel panic).
 *
 * Oracles: the kernel's (check_invariants on; final quiescent check with the
 * shadow map), plus this target's: every error is one the contract names,
 * a new grant's T holds T::default(), custom grants are aligned and lie in
 * the grant region, a live custom-grant handle points at its own bytes and
 * a stale one is refused, try_enter of an entered grant says so, iteration
 * visits exactly the processes with the grant allocated.
 */
#include <stdio.h>
#include <string.h>

#include "errors.h"
#include "fuzz.h"
#include "harness.h"
#include "invariants.h"
#include "syscall.h"
#include "tasks.h"

#define MAX_GRANTS 8
#define MAX_CTX    8
#define MAX_CUSTOM 32
#define MAX_OPS    128
#define LIT        0u /* last entry of a menu: a literal follows (gs_fz_menu) */
#define N(a)       ((unsigned)(sizeof(a) / sizeof((a)[0])))

struct custom {
    struct gs_custom_grant cg;
    unsigned proc;
    uint32_t ptr, align;
    unsigned serial;
};

struct st {
    struct gs_fz_watch w;
    struct gs_kernel *k;
    struct gs_fz_bytes b;
    struct gs_grant *g[MAX_GRANTS];
    struct gs_driver drv[MAX_GRANTS];
    bool has_default[MAX_GRANTS];
    unsigned ng;
    struct gs_process *p[GS_PROG_MAX_PROCS];
    unsigned np;
    struct gs_grant_ctx ctx[MAX_CTX];
    struct custom cus[MAX_CUSTOM];
    unsigned ncus;
    struct gs_pid old_pid[GS_PROG_MAX_PROCS];
    bool has_old[GS_PROG_MAX_PROCS];
    uint32_t pool_start, pool_len, next_flash;
};

static uint8_t pattern[3 * 4096];

static const uint32_t pcb_menu[8] = {920, 0, 4, 100, 1200, 3000, 1, 512};
static const uint32_t pcb_align_menu[4] = {4, 8, 1, 16};
static const uint32_t ram_menu[16] = {0,    17,   100,  512,  1000, 1024, 2000,  2048,
                                      4096, 6000, 8192, 9000, 3000, 0,    16384, 0x10000};
static const uint32_t off_menu[16] = {0,
                                      1,
                                      4,
                                      32,
                                      0x100,
                                      0x400,
                                      (uint32_t)-1,
                                      (uint32_t)-4,
                                      (uint32_t)-32,
                                      (uint32_t)-0x100,
                                      (uint32_t)-0x400,
                                      0x20,
                                      0x200,
                                      0x1000,
                                      (uint32_t)-0x1000,
                                      LIT};
static const uint32_t len_menu[12] = {0, 1, 4, 16, 32, 64, 256, 1024, 0xFFFFFFF0, 0x100, 0x21, LIT};
static const uint32_t size_menu[12] = {0, 1, 4, 8, 12, 16, 64, 100, 256, 1024, 4096, LIT};
static const uint32_t sub_menu[8] = {0, 1, 2, 3, 4, 254, 255, LIT};

/* A minimal driver per grant: allocate_grant enters (and so allocates) it. */
static int drv_alloc(struct gs_driver *d, struct gs_pid pid)
{
    struct gs_grant_ctx c;
    int e = gs_grant_enter(d->grant, pid, &c);

    if (e == GS_OK)
        gs_grant_leave(&c);
    return e;
}

static const struct gs_driver_ops drv_ops = {.allocate_grant = drv_alloc};

static uint8_t u8(struct st *s)
{
    return gs_fz_u8(&s->b);
}

static uint32_t menu(struct st *s, const uint32_t *m, unsigned n)
{
    return gs_fz_menu(&s->b, m, n);
}

static struct gs_process *proc(struct st *s, unsigned *index)
{
    unsigned i = s->np ? u8(s) % s->np : 0;

    if (index)
        *index = i;
    return s->np ? s->p[i] : NULL;
}

static struct gs_grant *grant(struct st *s)
{
    return s->ng ? s->g[u8(s) % s->ng] : NULL;
}

static bool entered(const struct st *s, const struct gs_grant *g, const struct gs_process *p)
{
    for (unsigned i = 0; i < MAX_CTX; i++)
        if (s->ctx[i].active && s->ctx[i].g == g && s->ctx[i].p == p)
            return true;
    return false;
}

static void leave_all(struct st *s)
{
    for (unsigned i = 0; i < MAX_CTX; i++)
        gs_grant_leave(&s->ctx[i]);
}

static struct gs_grant_ctx *free_ctx(struct st *s)
{
    for (unsigned i = 0; i < MAX_CTX; i++)
        if (!s->ctx[i].active)
            return &s->ctx[i];
    return NULL;
}

static struct gs_grant_ctx *some_ctx(struct st *s)
{
    struct gs_grant_ctx *c = &s->ctx[u8(s) % MAX_CTX];

    return c->active ? c : NULL;
}

/* A new grant's T must hold T::default() (the pattern) or zeros. */
static void check_t_default(struct st *s, const struct gs_grant_ctx *c)
{
    const struct gs_grant *g = c->g;
    static uint8_t t[3 * 4096];

    if (g->shape.t_size == 0 || gs_mem_read(s->k->mem, c->t_addr, t, g->shape.t_size) != GS_OK)
        return;
    for (uint32_t i = 0; i < g->shape.t_size; i++) {
        uint8_t want = s->has_default[g->num] ? pattern[i] : 0;
        if (t[i] != want) {
            gs_fz_report(&s->w, "grant", "t-default",
                         "grant %u of process %u: byte %u of T is 0x%02x, T::default() has 0x%02x",
                         g->num, c->p->index, (unsigned)i, t[i], want);
            return;
        }
    }
}

static void op_enter(struct st *s, int how)
{
    struct gs_grant *g = grant(s);
    struct gs_process *p = proc(s, NULL);
    struct gs_grant_ctx *c = free_ctx(s), tmp;
    uint64_t allocs = s->w.grant_allocs;
    bool was_entered;
    int e;

    if (!g || !p)
        return;
    was_entered = entered(s, g, p);
    if (was_entered && how != 1)
        return; /* a second enter is a capsule bug: see op_reenter */
    if (!c)
        c = &tmp;
    if (how == 0)
        e = gs_grant_enter(g, p->pid, c);
    else if (how == 1)
        e = gs_grant_try_enter(g, p->pid, c);
    else
        e = gs_grant_enter_with_allocator(g, p->pid, c);
    if (was_entered) {
        if (e != GS_E_ALREADY_IN_USE)
            gs_fz_report(&s->w, "contract", "try-enter-entered",
                         "try_enter of an entered grant %u of process %u gave %s", g->num, p->index,
                         gs_err_name(e));
        return;
    }
    if (e == GS_OK) {
        if (s->w.grant_allocs != allocs)
            check_t_default(s, c);
        if (c == &tmp)
            gs_grant_leave(c);
        return;
    }
    if (e != GS_E_OUT_OF_MEMORY && e != GS_E_INACTIVE_APP && e != GS_E_NO_SUCH_APP &&
        e != GS_E_PANIC)
        gs_fz_report(&s->w, "contract", "grant-enter", "enter of grant %u for process %u gave %s",
                     g->num, p->index, gs_err_name(e));
}

static void op_reenter(struct st *s)
{
    struct gs_grant_ctx *c = some_ctx(s), c2;

    if (!c)
        return;
    s->w.expect_panic = true;
    s->w.expect_panic_site = "Grant::enter";
    if (gs_grant_enter(c->g, c->p->pid, &c2) != GS_E_PANIC || !s->k->panicked ||
        s->w.expected_panics != 1)
        gs_fz_report(&s->w, "contract", "reenter", "entering an entered grant did not panic");
}

static void op_custom(struct st *s)
{
    struct gs_grant_ctx *c = some_ctx(s);
    uint32_t n = 1 + u8(s) % 3, size = menu(s, size_menu, N(size_menu));
    uint32_t align = 1u << (u8(s) % 13);
    struct gs_custom_grant cg;
    struct gs_process *p;
    uint32_t ptr;
    int e;

    if (!c)
        return;
    p = c->p;
    e = gs_grant_alloc_custom(c, n, size, align, NULL, &cg);
    if (!c->with_allocator) {
        if (e != GS_E_ARG)
            gs_fz_report(&s->w, "contract", "custom-no-allocator",
                         "custom allocation in a grant entered without the allocator gave %s",
                         gs_err_name(e));
        return;
    }
    if (e != GS_OK) {
        if (e != GS_E_OUT_OF_MEMORY && e != GS_E_NO_SUCH_APP && e != GS_E_PANIC)
            gs_fz_report(&s->w, "contract", "custom-alloc", "custom allocation gave %s",
                         gs_err_name(e));
        return;
    }
    ptr = gs_process_mem_end(p) - cg.offset;
    if (cg.size > ptr)
        return; /* the size wrapped (reported by the watcher): no memory behind the handle */
    /* (The watcher has seen the allocation event and checked the region end already.) */
    if (ptr % align || ptr < p->kernel_break || (uint64_t)ptr + cg.size > p->pcb)
        gs_fz_report(&s->w, "grant", "custom-placement",
                     "custom grant of %u bytes align %u at 0x%08x: kernel break 0x%08x, PCB "
                     "0x%08x",
                     (unsigned)cg.size, (unsigned)align, (unsigned)ptr, (unsigned)p->kernel_break,
                     (unsigned)p->pcb);
    if (s->ncus < MAX_CUSTOM) {
        struct custom *cu = &s->cus[s->ncus++];
        cu->cg = cg;
        cu->proc = p->index;
        cu->ptr = ptr;
        cu->align = align;
        cu->serial = p->custom_serial;
    }
}

static void op_custom_enter(struct st *s)
{
    struct custom *cu;
    struct gs_process *p;
    uint32_t addr = 0;
    int e;

    if (!s->ncus)
        return;
    cu = &s->cus[u8(s) % s->ncus];
    p = gs_kernel_process_at(s->k, cu->proc);
    e = gs_custom_grant_enter(s->k, &cu->cg, &addr);
    if (!p || p->pid.id != cu->cg.pid.id) {
        if (e != GS_E_NO_SUCH_APP)
            gs_fz_report(&s->w, "grant", "custom-stale-handle",
                         "a custom-grant handle of a restarted process gave %s, not NoSuchApp",
                         gs_err_name(e));
        return;
    }
    if (!gs_process_is_running(p)) {
        if (e != GS_E_INACTIVE_APP)
            gs_fz_report(&s->w, "grant", "custom-inactive",
                         "a custom-grant handle of a non-running process gave %s", gs_err_name(e));
        return;
    }
    if (e != GS_OK || addr != cu->ptr) {
        gs_fz_report(&s->w, "grant", "custom-enter",
                     "custom-grant handle gave %s at 0x%08x, allocated at 0x%08x", gs_err_name(e),
                     (unsigned)addr, (unsigned)cu->ptr);
        return;
    }
    if (cu->cg.size &&
        gs_mem_owner_at(s->k->mem, addr) != gs_owner_make(GS_OWN_CUSTOM, p->index, cu->serial)) {
        char d[96];
        gs_fz_report(&s->w, "grant", "custom-owner",
                     "live custom-grant handle #%u of process %u points at 0x%08x owned by [%s]",
                     cu->serial, p->index, (unsigned)addr,
                     gs_owner_describe(gs_mem_owner_at(s->k->mem, addr), d, sizeof(d)));
    }
}

/* Resumes a process as do_process's Yielded arm does, so that it may make a syscall. */
static bool make_running(struct gs_process *p)
{
    struct gs_task t;

    if (p->state == GS_ST_YIELDED && gs_tasks_dequeue(p, &t) && t.kind == GS_TASK_FUNCTION_CALL)
        gs_set_process_function(p, &t);
    return p->state == GS_ST_RUNNING;
}

static uint32_t pick_addr(struct st *s, const struct gs_process *p)
{
    uint8_t b = u8(s);
    uint32_t off = menu(s, off_menu, N(off_menu)), base;

    switch (b % 6) {
    case 0:
        base = p->memory_start;
        break;
    case 1:
        base = p->app_break;
        break;
    case 2:
        base = p->kernel_break;
        break;
    case 3:
        base = p->hwm;
        break;
    case 4:
        base = gs_process_mem_end(p);
        break;
    default:
        base = p->memory_start + 32;
        break;
    }
    return base + off;
}

static void op_syscall(struct st *s, enum gs_syscall_class cls)
{
    struct gs_process *p = proc(s, NULL);
    struct gs_grant *g = grant(s);
    struct gs_syscall sc;

    if (!p)
        return;
    memset(&sc, 0, sizeof(sc));
    sc.cls = cls;
    sc.r[0] = g ? g->driver_num : 0x4242;
    sc.r[1] = menu(s, sub_menu, N(sub_menu));
    if (cls == GS_SYS_SUBSCRIBE) {
        sc.r[2] = u8(s) & 1 ? 0 : (gs_process_app_start(p) + 0x200) | 1;
        sc.r[3] = u8(s);
    } else {
        sc.r[2] = pick_addr(s, p);
        sc.r[3] = menu(s, len_menu, N(len_menu));
    }
    leave_all(s);
    if (!make_running(p))
        return;
    gs_handle_syscall(s->k, p, &sc);
}

static void op_brk(struct st *s, bool sbrk)
{
    struct gs_process *p = proc(s, NULL);
    uint32_t old, target;
    int e;

    if (!p)
        return;
    target = pick_addr(s, p);
    leave_all(s);
    if (sbrk)
        e = gs_process_sbrk(p, (int32_t)(target - p->app_break), &old);
    else
        e = gs_process_brk(p, target, &old);
    if (e != GS_OK && e != GS_E_INACTIVE_APP && e != GS_E_ADDRESS_OUT_OF_BOUNDS &&
        e != GS_E_OUT_OF_MEMORY && e != GS_E_KERNEL_ERROR && e != GS_E_PANIC)
        gs_fz_report(&s->w, "contract", "brk", "brk gave %s", gs_err_name(e));
}

static void op_lifecycle(struct st *s)
{
    unsigned i;
    struct gs_process *p = proc(s, &i);
    uint8_t what = u8(s);

    if (!p)
        return;
    leave_all(s);
    if (what % 4 != 1) {
        s->old_pid[i] = p->pid;
        s->has_old[i] = true;
    }
    switch (what % 4) {
    case 0:
        gs_process_try_restart(p, what & 4, what);
        break;
    case 1:
        gs_process_terminate(p, what & 4, what);
        break;
    case 2:
        gs_process_start(p);
        break;
    default:
        if (gs_process_is_running(p))
            gs_process_set_fault_state(p);
        break;
    }
}

static void op_stale_enter(struct st *s)
{
    unsigned i;
    struct gs_process *p = proc(s, &i);
    struct gs_grant *g = grant(s);
    struct gs_grant_ctx c;
    int e;

    if (!p || !g || !s->has_old[i] || s->old_pid[i].id == p->pid.id)
        return;
    e = gs_grant_enter(g, s->old_pid[i], &c);
    if (e == GS_OK)
        gs_grant_leave(&c);
    if (e != GS_E_NO_SUCH_APP)
        gs_fz_report(&s->w, "grant", "stale-pid",
                     "entering grant %u with a ProcessId from before a restart gave %s", g->num,
                     gs_err_name(e));
}

static bool each_fn(struct gs_grant_ctx *c, void *arg)
{
    unsigned *n = arg;

    (*n)++;
    if (c->g->shape.t_size >= 4)
        gs_grant_t_store32(c, 0, *n);
    return true;
}

static void op_iter(struct st *s)
{
    struct gs_grant *g = grant(s);
    unsigned cursor = 0, seen = 0, want = 0, visited = 0;
    struct gs_pid pid;

    if (!g)
        return;
    leave_all(s);
    while (gs_grant_iter_next(g, &cursor, &pid)) {
        struct gs_process *p = gs_kernel_get_process(s->k, pid);
        seen++;
        if (!p || gs_process_grant_is_allocated(p, g->num) != 1)
            gs_fz_report(&s->w, "grant", "iter", "iter() gave process %u without grant %u",
                         (unsigned)pid.index, g->num);
    }
    for (unsigned i = 0; i < s->k->cfg.num_procs; i++) {
        struct gs_process *p = gs_kernel_process_at(s->k, i);
        want += p && gs_process_grant_is_allocated(p, g->num) == 1;
    }
    if (seen != want)
        gs_fz_report(&s->w, "grant", "iter", "iter() visited %u processes, %u have grant %u", seen,
                     want, g->num);
    if (gs_grant_each(g, each_fn, &visited) == GS_OK && visited != want)
        gs_fz_report(&s->w, "grant", "each", "each() visited %u processes, %u have grant %u",
                     visited, want, g->num);
}

static void op_slots(struct st *s, int what)
{
    struct gs_grant_ctx *c = some_ctx(s);
    uint32_t i = menu(s, sub_menu, N(sub_menu)), v = u8(s);

    if (!c)
        return;
    if (what == 0 && c->g->shape.t_size >= 4)
        gs_grant_t_store32(c, (v % (c->g->shape.t_size / 4)) * 4, i);
    else if (what == 1)
        gs_grant_set_upcall(c, i, v, v & 1 ? (gs_process_app_start(c->p) + 0x200) | 1 : 0);
    else if (what == 2)
        gs_grant_schedule_upcall(c, i, v, 0, 0);
}

static bool build(struct st *s)
{
    struct gs_kernel_config cfg;
    uint8_t f = u8(s), ng;
    int e;

    gs_kernel_config_default(&cfg);
    cfg.profile = (f & 1) ? GS_PROFILE_2_2 : GS_PROFILE_HEAD;
    cfg.mpu_regions = (f & 2) ? 16 : 8;
    cfg.mpu_min_region_size = (f & 4) ? 256 : 32;
    cfg.pcb_align = pcb_align_menu[(f >> 6) & 3];
    /*
     * Release-2.2's reset() recomputes the kernel break as mem_end minus
     * 8G + 320 + PCB, without the alignment padding create() may have put
     * below the PCB: with an alignment of 16 the break lands inside the PCB.
     * No 2.2 target aligns ProcessStandard to more than 8, where no padding
     * arises, so 2.2 boards stay in that domain (see fuzz/README.md).
     */
    if (cfg.profile == GS_PROFILE_2_2 && cfg.pcb_align > 8)
        cfg.pcb_align = 8;
    cfg.pcb_size = pcb_menu[(f >> 3) & 7];
    cfg.pcb_size = (cfg.pcb_size + cfg.pcb_align - 1) & ~(cfg.pcb_align - 1);
    if (gs_kernel_new(gs_fz_mem(), &cfg, &s->k) != GS_OK)
        return false;
    s->w.k = s->k;
    gs_kernel_add_observer(s->k, gs_fz_watch_event, &s->w);
    s->k->check_invariants = true;

    ng = u8(s) % (MAX_GRANTS + 1);
    for (unsigned i = 0; i < ng; i++) {
        struct gs_grant_shape sh;
        uint8_t a = u8(s);
        uint32_t driver = 0x1000 + i;
        bool dup = (a & 0x40) && i > 0;
        memset(&sh, 0, sizeof(sh));
        sh.t_align = 1u << ((a & 15) % 13);
        sh.t_size = sh.t_align * ((a >> 4) & 3);
        sh.n_upcalls = gs_prog_count_menu(u8(s));
        sh.n_ro = gs_prog_count_menu(u8(s));
        sh.n_rw = gs_prog_count_menu(u8(s));
        if (dup)
            driver = s->g[s->ng - 1]->driver_num;
        e = gs_grant_create(s->k, driver, &sh, (a & 0x80) ? pattern : NULL, &s->g[s->ng]);
        if (e != GS_OK)
            continue;
        s->has_default[s->ng] = (a & 0x80) && sh.t_size;
        if (!dup) {
            struct gs_driver *d = &s->drv[s->ng];
            d->num = driver;
            d->name = "fuzz";
            d->ops = &drv_ops;
            d->grant = s->g[s->ng];
            gs_kernel_add_driver(s->k, d);
        }
        s->ng++;
    }

    s->pool_start = GS_FZ_RAM_BASE;
    s->pool_len = GS_FZ_RAM_SIZE;
    s->next_flash = GS_FZ_FLASH_BASE;
    for (unsigned i = 0, n = 1 + u8(s) % GS_PROG_MAX_PROCS; i < n; i++) {
        struct gs_app_info app;
        struct gs_process *p = NULL;
        uint8_t r = u8(s);
        memset(&app, 0, sizeof(app));
        app.flash_start = s->next_flash;
        app.flash_len = GS_FZ_APP_FLASH;
        app.header_size = GS_FZ_APP_HEADER;
        app.init_fn_offset = gs_fake_init_offset(0);
        app.binary_end = GS_FZ_APP_FLASH;
        app.min_ram = ram_menu[r & 15];
        s->next_flash += GS_FZ_APP_FLASH;
        if (gs_process_create(s->k, &app, &s->pool_start, &s->pool_len, &p) != GS_OK)
            continue;
        p->fault_policy = (r & 0x10) ? GS_FP_RESTART : GS_FP_STOP;
        s->p[s->np++] = p;
    }
    return true;
}

static const char *const op_names[20] = {
    "enter",       "enter",     "try-enter", "enter-with-allocator",
    "leave",       "custom",    "custom",    "custom-enter",
    "slots",       "brk",       "sbrk",      "allow",
    "allow",       "subscribe", "lifecycle", "lifecycle",
    "stale-enter", "iterate",   "inject",    "reenter?",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct st s;
    bool trace = gs_fz_print_enabled();

    if (size > GS_PROG_MAX_INPUT)
        return 0;
    if (pattern[1] == 0)
        for (unsigned i = 0; i < sizeof(pattern); i++)
            pattern[i] = (uint8_t)(0xA5 ^ (i * 13));
    memset(&s, 0, sizeof(s));
    gs_fz_watch_init_env(&s.w, true);
    gs_fz_bytes_init(&s.b, data, size);
    if (build(&s)) {
        if (trace)
            printf("board: %u grants, %u processes, profile %s\n", s.ng, s.np,
                   gs_profile_name(s.k->cfg.profile));
        for (unsigned n = 0; n < MAX_OPS && !gs_fz_done(&s.b) && !s.k->panicked; n++) {
            unsigned op = u8(&s) % 20;
            if (trace)
                printf("op %u: %s\n", n, op_names[op]);
            switch (op) {
            case 0:
            case 1:
                op_enter(&s, 0);
                break;
            case 2:
                op_enter(&s, 1);
                break;
            case 3:
                op_enter(&s, 2);
                break;
            case 4: {
                struct gs_grant_ctx *c = some_ctx(&s);
                if (c)
                    gs_grant_leave(c);
                break;
            }
            case 5:
            case 6:
                op_custom(&s);
                break;
            case 7:
                op_custom_enter(&s);
                break;
            case 8:
                op_slots(&s, u8(&s) % 3);
                break;
            case 9:
                op_brk(&s, false);
                break;
            case 10:
                op_brk(&s, true);
                break;
            case 11:
            case 12:
                op_syscall(&s, u8(&s) & 1 ? GS_SYS_RO_ALLOW : GS_SYS_RW_ALLOW);
                break;
            case 13:
                op_syscall(&s, GS_SYS_SUBSCRIBE);
                break;
            case 14:
            case 15:
                op_lifecycle(&s);
                break;
            case 16:
                op_stale_enter(&s);
                break;
            case 17:
                op_iter(&s);
                break;
            case 18:
                s.k->inject.grant_alloc_at = s.k->inject.grant_allocs + 1 + u8(&s) % 4;
                break;
            default:
                if (u8(&s) == 0x5A) /* rare on purpose: it ends the input */
                    op_reenter(&s);
                break;
            }
        }
        if (!s.k->panicked) {
            leave_all(&s);
            gs_invariants_check(s.k, GS_INV_QUIESCENT | GS_INV_SHADOW);
        }
    }
    gs_kernel_free(s.k);
    gs_fz_mem_reset(s.pool_start - GS_FZ_RAM_BASE, 0, s.w.findings || s.w.known);
    return 0;
}
