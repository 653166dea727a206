/* SPDX-License-Identifier: MIT */
/*
 * The reference oracles (contract in refcheck.h). This file converts what
 * the kernel did into the models' terms and compares; the rules themselves
 * live in refmpu.c and refmodel.c. It reads kernel state only as data
 * (fields, RAM through tmem.h) and calls none of the functions it checks.
 */
#include "refcheck.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "grant.h"
#include "process.h"
#include "refmodel.h"
#include "refmpu.h"
#include "syscall.h"
#include "tasks.h"

/* What the oracle knows of one process slot. */
struct slot {
    const struct gs_process *p; /* whose model this is; NULL: none yet */
    struct gs_ref_queue q;      /* the queue as it must be */
    bool in_syscall;            /* between GS_EV_SYSCALL and its return */
    unsigned sc_cls;
    uint32_t sc_regs[4];
    /*
     * The ring as last compared: the kernel's stores to p's objects
     * (gs_mem kobj_writes) and the ring indices then. While they and the
     * model are unchanged, the ring needs no new decoding.
     */
    bool synced, model_changed;
    uint32_t seen_writes;
    unsigned seen_head, seen_tail;
};

struct gs_refcheck {
    struct slot slot[GS_MAX_PROCS];
};

struct gs_refcheck *gs_refcheck_new(void)
{
    return calloc(1, sizeof(struct gs_refcheck));
}

void gs_refcheck_free(struct gs_refcheck *rc)
{
    free(rc);
}

void gs_refcheck_reset(struct gs_refcheck *rc)
{
    if (rc)
        memset(rc, 0, sizeof(*rc));
}

static void report(struct gs_kernel *k, enum gs_finding_kind kind, const char *site, uint32_t addr,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void report(struct gs_kernel *k, enum gs_finding_kind kind, const char *site, uint32_t addr,
                   const char *fmt, ...)
{
    struct gs_finding f;
    va_list ap;

    memset(&f, 0, sizeof(f));
    f.kind = kind;
    f.site = site;
    f.syscall_class = k->syscall_class;
    f.addr = addr;
    va_start(ap, fmt);
    vsnprintf(f.text, sizeof(f.text), fmt, ap);
    va_end(ap);
    gs_kernel_finding(k, &f);
}

/* ---- the MPU driver against refmpu ---- */

static void to_ref_regions(const struct gs_mpu_config *cfg, unsigned n, struct gs_ref_region *out)
{
    memset(out, 0, sizeof(*out) * GS_REF_MPU_MAX_REGIONS);
    for (unsigned i = 0; i < n; i++) {
        out[i].used = cfg->regions[i].used;
        out[i].start = cfg->regions[i].start;
        out[i].size = cfg->regions[i].size;
        out[i].rbar = cfg->regions[i].rbar;
        out[i].rasr = cfg->regions[i].rasr;
    }
}

static enum gs_ref_perm to_ref_perm(enum gs_mpu_perm p)
{
    switch (p) {
    case GS_PERM_RWX:
        return GS_REF_RWX;
    case GS_PERM_RW:
        return GS_REF_RW;
    case GS_PERM_RX:
        return GS_REF_RX;
    case GS_PERM_R:
        return GS_REF_R;
    case GS_PERM_X:
    default:
        return GS_REF_X;
    }
}

static const char *op_name(enum gs_mpu_op_kind kind)
{
    switch (kind) {
    case GS_MPU_OP_ALLOCATE_REGION:
        return "allocate_region";
    case GS_MPU_OP_REMOVE_REGION:
        return "remove_memory_region";
    case GS_MPU_OP_ALLOCATE_APP_MEMORY:
        return "allocate_app_memory_region";
    case GS_MPU_OP_UPDATE_APP_MEMORY:
        return "update_app_memory_region";
    }
    return "?";
}

static const char *result_name(enum gs_ref_result r)
{
    return r == GS_REF_OK ? "Ok" : r == GS_REF_NONE ? "None" : "a panic";
}

bool gs_refcheck_mpu_op(const struct gs_mpu *mpu, const struct gs_mpu_op *op, char *why, size_t n)
{
    struct gs_ref_mpu m = {.num_regions = mpu->num_regions,
                           .min_region_size = mpu->min_region_size,
                           .bug_4366 = mpu->bug_4366,
                           .closest_po2 = mpu->closest_po2};
    struct gs_ref_region regs[GS_REF_MPU_MAX_REGIONS];
    enum gs_ref_result want, got;
    uint32_t s = 0, z = 0;
    const uint32_t *a = op->args;
    unsigned nr = mpu->num_regions;

    to_ref_regions(op->before, nr, regs);
    switch (op->kind) {
    case GS_MPU_OP_ALLOCATE_REGION:
        want = gs_ref_allocate_region(&m, regs, a[0], a[1], a[2], to_ref_perm(op->perm), &s, &z);
        break;
    case GS_MPU_OP_REMOVE_REGION:
        want = gs_ref_remove_memory_region(&m, regs, a[0], a[1]);
        break;
    case GS_MPU_OP_ALLOCATE_APP_MEMORY:
        want = gs_ref_allocate_app_memory_region(&m, regs, a[0], a[1], a[2], a[3], a[4],
                                                 to_ref_perm(op->perm), &s, &z);
        break;
    case GS_MPU_OP_UPDATE_APP_MEMORY:
    default:
        want = gs_ref_update_app_memory_region(&m, regs, a[0], a[1], to_ref_perm(op->perm));
        break;
    }
    got = op->err == GS_OK ? GS_REF_OK : op->err == GS_E_PANIC ? GS_REF_PANIC : GS_REF_NONE;
    if (got != want) {
        snprintf(why, n, "%s(0x%x, 0x%x, 0x%x, 0x%x, 0x%x) gave %s, the model %s",
                 op_name(op->kind), (unsigned)a[0], (unsigned)a[1], (unsigned)a[2], (unsigned)a[3],
                 (unsigned)a[4], result_name(got), result_name(want));
        return false;
    }
    if (want == GS_REF_OK &&
        (op->kind == GS_MPU_OP_ALLOCATE_REGION || op->kind == GS_MPU_OP_ALLOCATE_APP_MEMORY) &&
        (op->out_start != s || op->out_size != z)) {
        snprintf(why, n, "%s(0x%x, 0x%x, 0x%x, ...) gave (0x%08x, 0x%x), the model (0x%08x, 0x%x)",
                 op_name(op->kind), (unsigned)a[0], (unsigned)a[1], (unsigned)a[2],
                 (unsigned)op->out_start, (unsigned)op->out_size, (unsigned)s, (unsigned)z);
        return false;
    }
    for (unsigned i = 0; i < nr; i++) {
        const struct gs_mpu_region *r = &op->after->regions[i];
        const struct gs_ref_region *e = &regs[i];
        if (r->used != e->used || (e->used && (r->start != e->start || r->size != e->size)) ||
            r->rbar != e->rbar || r->rasr != e->rasr) {
            snprintf(why, n,
                     "after %s(0x%x, 0x%x, 0x%x, ...) region %u is %s (0x%08x, 0x%x) RBAR 0x%08x "
                     "RASR 0x%08x, the model's %s (0x%08x, 0x%x) RBAR 0x%08x RASR 0x%08x",
                     op_name(op->kind), (unsigned)a[0], (unsigned)a[1], (unsigned)a[2], i,
                     r->used ? "used" : "unused", (unsigned)r->start, (unsigned)r->size,
                     (unsigned)r->rbar, (unsigned)r->rasr, e->used ? "used" : "unused",
                     (unsigned)e->start, (unsigned)e->size, (unsigned)e->rbar, (unsigned)e->rasr);
            return false;
        }
    }
    return true;
}

void gs_refcheck_mpu_hook(void *kernel, const struct gs_mpu_op *op)
{
    struct gs_kernel *k = kernel;
    char why[sizeof(((struct gs_finding *)0)->text)];
    static const char *const sites[] = {
        [GS_MPU_OP_ALLOCATE_REGION] = "mpu-model-allocate_region",
        [GS_MPU_OP_REMOVE_REGION] = "mpu-model-remove_memory_region",
        [GS_MPU_OP_ALLOCATE_APP_MEMORY] = "mpu-model-allocate_app_memory_region",
        [GS_MPU_OP_UPDATE_APP_MEMORY] = "mpu-model-update_app_memory_region",
    };

    if (!k->check_invariants || k->panicked)
        return;
    if (!gs_refcheck_mpu_op(&k->mpu, op, why, sizeof(why)))
        report(k, GS_FIND_ISOLATION, sites[op->kind], op->args[0], "%s", why);
}

/* ---- grants against refmodel ---- */

static void check_grant_allocated(struct gs_kernel *k, const struct gs_event *ev)
{
    const struct gs_grant *g = ev->a < k->grant_count ? k->grants[ev->a] : NULL;
    const struct gs_grant_shape *s;
    struct gs_ref_grant_layout l;
    uint32_t base = ev->b, at;

    if (!g)
        return;
    s = &g->shape;
    if (!gs_ref_grant_layout(s->t_size, s->t_align, s->n_upcalls, s->n_ro, s->n_rw, &l)) {
        report(k, GS_FIND_LAYOUT, "grant-model", base,
               "grant %u of process %u allocated for a shape the layout model refuses "
               "(|T| %u, align %u, counts %u/%u/%u)",
               g->num, ev->p->index, (unsigned)s->t_size, (unsigned)s->t_align,
               (unsigned)s->n_upcalls, (unsigned)s->n_ro, (unsigned)s->n_rw);
        return;
    }
    if (ev->c != l.size || base % l.align != 0) {
        report(k, GS_FIND_LAYOUT, "grant-model", base,
               "grant %u of process %u: %u bytes at 0x%08x; the layout model says %u bytes "
               "aligned to %u (|T| %u, align %u, counts %u/%u/%u: T at +%u)",
               g->num, ev->p->index, (unsigned)ev->c, (unsigned)base, (unsigned)l.size,
               (unsigned)l.align, (unsigned)s->t_size, (unsigned)s->t_align, (unsigned)s->n_upcalls,
               (unsigned)s->n_ro, (unsigned)s->n_rw, (unsigned)l.t_off);
        return;
    }
    if (!gs_ref_grant_region_alloc(ev->r[1], ev->r[0], l.size, l.align, &at) || at != base)
        report(k, GS_FIND_LAYOUT, "grant-model", base,
               "grant %u of process %u at 0x%08x; from kernel break 0x%08x (app break 0x%08x) "
               "the allocator model places %u bytes aligned to %u at %s0x%08x",
               g->num, ev->p->index, (unsigned)base, (unsigned)ev->r[0], (unsigned)ev->r[1],
               (unsigned)l.size, (unsigned)l.align, at == base ? "no room, not " : "",
               (unsigned)at);
}

static void check_region_alloc(struct gs_kernel *k, const struct gs_event *ev)
{
    const struct gs_process *p = ev->p;
    uint32_t size = ev->a, align = ev->b, kb = ev->r[0], ab = ev->r[1], want = 0;
    bool fits = gs_ref_grant_region_alloc(ab, kb, size, align, &want);

    if (ev->d) {
        if (!fits || want != ev->c)
            report(k, GS_FIND_LAYOUT, "grant-region-model", ev->c,
                   "process %u: allocate_in_grant_region(%u, %u) from kernel break 0x%08x gave "
                   "0x%08x; the allocator model %s0x%08x",
                   p->index, (unsigned)size, (unsigned)align, (unsigned)kb, (unsigned)ev->c,
                   fits ? "says " : "refuses (app break 0x", fits ? want : ab);
        return;
    }
    if (fits) {
        /* Refused although it fits: only the MPU may refuse then (TOCK-REFERENCE 1.5). */
        struct gs_ref_mpu m = {.num_regions = k->mpu.num_regions,
                               .min_region_size = k->mpu.min_region_size,
                               .bug_4366 = k->mpu.bug_4366,
                               .closest_po2 = k->mpu.closest_po2};
        struct gs_ref_region regs[GS_REF_MPU_MAX_REGIONS];
        to_ref_regions(&p->mpu_cfg, k->mpu.num_regions, regs);
        if (gs_ref_update_app_memory_region(&m, regs, ab, want, GS_REF_RW) == GS_REF_OK)
            report(k, GS_FIND_LAYOUT, "grant-region-model", want,
                   "process %u: allocate_in_grant_region(%u, %u) from kernel break 0x%08x was "
                   "refused; the allocator model places it at 0x%08x and the MPU model accepts "
                   "that break",
                   p->index, (unsigned)size, (unsigned)align, (unsigned)kb, (unsigned)want);
    }
}

/* ---- task queues against the queue model ---- */

static void to_ref_task(const struct gs_task *t, struct gs_ref_task *out)
{
    memset(out, 0, sizeof(*out));
    switch (t->kind) {
    case GS_TASK_FUNCTION_CALL:
        out->kind = t->from_driver ? GS_REF_FC_DRIVER : GS_REF_FC_KERNEL;
        out->driver = t->id.driver;
        out->subscribe = t->id.subscribe;
        memcpy(out->a, t->a, sizeof(out->a));
        out->pc = t->pc;
        break;
    case GS_TASK_RETURN_VALUE:
        out->kind = GS_REF_RETURN;
        out->driver = t->id.driver;
        out->subscribe = t->id.subscribe;
        memcpy(out->a, t->a, 3 * sizeof(out->a[0]));
        break;
    case GS_TASK_IPC:
    default:
        out->kind = GS_REF_IPC;
        out->ipc_index = t->ipc_from.index;
        out->ipc_id = t->ipc_from.id;
        out->ipc_type = (uint32_t)t->ipc_type;
        break;
    }
}

static const char *ref_kind_name(enum gs_ref_task_kind kind)
{
    static const char *const names[] = {"FunctionCall(Kernel)", "FunctionCall(Driver)",
                                        "ReturnValue", "IPC"};
    return (unsigned)kind < 4 ? names[kind] : "?";
}

static int describe(const struct gs_ref_task *t, char *buf, size_t n)
{
    if (t->kind == GS_REF_IPC)
        return snprintf(buf, n, "IPC(%u)", (unsigned)t->ipc_index);
    if (t->kind == GS_REF_FC_KERNEL)
        return snprintf(buf, n, "%s", ref_kind_name(t->kind));
    return snprintf(buf, n, "%s(0x%x/%u)", ref_kind_name(t->kind), (unsigned)t->driver,
                    (unsigned)t->subscribe);
}

/* The ring of p as it is in RAM; false (and a finding) when it cannot be read. */
static bool read_ring(struct gs_kernel *k, const struct gs_process *p, struct gs_ref_queue *q)
{
    if (gs_ref_queue_read_ring(k->mem, p->taskq, p->tq_head, p->tq_tail, q))
        return true;
    report(k, GS_FIND_LAYOUT, "task-queue", p->taskq,
           "process %u: task ring (head %u, tail %u) does not decode as a queue", p->index,
           p->tq_head, p->tq_tail);
    return false;
}

/* Notes that the model and p's ring agree as they are now. */
static void synced(struct gs_kernel *k, const struct gs_process *p, struct slot *s)
{
    s->synced = true;
    s->model_changed = false;
    s->seen_writes = k->mem->kobj_writes[p->index & GS_OWNER_MAX_PROC];
    s->seen_head = p->tq_head;
    s->seen_tail = p->tq_tail;
}

/* The model of p's slot, adopting what the ring holds when p is new to it. */
static struct slot *slot_of(struct gs_kernel *k, const struct gs_process *p)
{
    struct slot *s;

    if (!k->refcheck || !p || p->index >= GS_MAX_PROCS)
        return NULL;
    s = &k->refcheck->slot[p->index];
    if (s->p != p) {
        memset(s, 0, sizeof(*s));
        s->p = p;
        if (!gs_ref_queue_read_ring(k->mem, p->taskq, p->tq_head, p->tq_tail, &s->q))
            s->q.n = 0;
        synced(k, p, s);
        return NULL; /* adopted: nothing to compare this time */
    }
    return s;
}

/* Compares p's ring with its model after `what`; resyncs after a finding. */
static void compare(struct gs_kernel *k, const struct gs_process *p, struct slot *s,
                    const char *what)
{
    struct gs_ref_queue actual;
    char a[64], b[64];
    unsigned i;

    if (s->synced && !s->model_changed &&
        s->seen_writes == k->mem->kobj_writes[p->index & GS_OWNER_MAX_PROC] &&
        s->seen_head == p->tq_head && s->seen_tail == p->tq_tail)
        return; /* neither side changed since they last agreed */
    synced(k, p, s);
    if (!read_ring(k, p, &actual))
        return;
    for (i = 0; i < actual.n && i < s->q.n; i++)
        if (!gs_ref_task_eq(&actual.t[i], &s->q.t[i]))
            break;
    if (i == actual.n && i == s->q.n)
        return;
    a[0] = b[0] = '\0';
    if (i < actual.n)
        describe(&actual.t[i], a, sizeof(a));
    if (i < s->q.n)
        describe(&s->q.t[i], b, sizeof(b));
    report(k, GS_FIND_LAYOUT, "task-queue", p->taskq,
           "process %u after %s: its queue holds %u tasks, the model %u; task %u is %s, "
           "the model's %s",
           p->index, what, actual.n, s->q.n, i, i < actual.n ? a : "missing",
           i < s->q.n ? b : "missing");
    s->q = actual;
}

/*
 * After a task event: compare, unless the event itself was just reported
 * (then the model takes the ring as it is, so one fault is one finding).
 */
static void settle(struct gs_kernel *k, const struct gs_process *p, struct slot *s,
                   uint64_t findings_before, const char *what)
{
    if (k->findings != findings_before) {
        struct gs_ref_queue actual;
        if (gs_ref_queue_read_ring(k->mem, p->taskq, p->tq_head, p->tq_tail, &actual))
            s->q = actual;
        synced(k, p, s);
        return;
    }
    compare(k, p, s, what);
}

static bool is_running_state(enum gs_state st)
{
    return st == GS_ST_RUNNING || st == GS_ST_YIELDED || st == GS_ST_YIELDED_FOR ||
           st == GS_ST_STOPPED;
}

static void task_event(struct gs_kernel *k, const struct gs_event *ev)
{
    struct slot *s = slot_of(k, ev->p);
    struct gs_ref_task t, got;
    uint64_t before = k->findings;
    char a[64], b[64];

    if (!s || !ev->task)
        return;
    s->model_changed = true;
    to_ref_task(ev->task, &t);
    switch (ev->kind) {
    case GS_EV_TASK_QUEUED:
        if (!gs_ref_queue_push(&s->q, &t)) {
            describe(&t, a, sizeof(a));
            report(k, GS_FIND_LAYOUT, "task-queue", ev->p->taskq,
                   "process %u queued %s into a queue the model says holds %u tasks already",
                   ev->p->index, a, s->q.n);
        }
        settle(k, ev->p, s, before, "an enqueue");
        break;
    case GS_EV_TASK_DROPPED:
        if (ev->d == GS_EC_NOMEM && s->q.n < GS_REF_QUEUE_CAP)
            report(k, GS_FIND_LAYOUT, "task-dropped-with-room", ev->p->taskq,
                   "process %u dropped a task for a full queue; the model's holds %u of %u",
                   ev->p->index, s->q.n, GS_REF_QUEUE_CAP);
        else if (ev->d == GS_EC_NODEVICE && is_running_state(ev->p->state))
            report(k, GS_FIND_LAYOUT, "task-dropped-with-room", ev->p->taskq,
                   "process %u dropped a task as not running, in state %s", ev->p->index,
                   gs_state_name(ev->p->state));
        settle(k, ev->p, s, before, "a dropped enqueue");
        break;
    case GS_EV_TASK_DEQUEUED: {
        bool had = gs_ref_queue_pop(&s->q, &got);
        if (!had || !gs_ref_task_eq(&got, &t)) {
            describe(&t, a, sizeof(a));
            if (had)
                describe(&got, b, sizeof(b));
            report(k, GS_FIND_LAYOUT, "task-queue", ev->p->taskq,
                   "process %u dequeued %s; the head of the model's queue is %s", ev->p->index, a,
                   had ? b : "nothing");
        }
        settle(k, ev->p, s, before, "a dequeue");
        break;
    }
    case GS_EV_TASK_REMOVED:
        if (!gs_ref_queue_remove_upcall(&s->q, ev->a, ev->b, &got) || !gs_ref_task_eq(&got, &t)) {
            describe(&t, a, sizeof(a));
            report(k, GS_FIND_LAYOUT, "task-queue", ev->p->taskq,
                   "process %u: remove_upcall(0x%x/%u) took %s, not the model's first match",
                   ev->p->index, (unsigned)ev->a, (unsigned)ev->b, a);
        }
        settle(k, ev->p, s, before, "remove_upcall");
        break;
    default:
        break;
    }
}

void gs_refcheck_event(struct gs_kernel *k, const struct gs_event *ev)
{
    struct slot *s;

    if (!k->refcheck || k->panicked)
        return;
    switch (ev->kind) {
    case GS_EV_TASK_QUEUED:
    case GS_EV_TASK_DROPPED:
    case GS_EV_TASK_DEQUEUED:
    case GS_EV_TASK_REMOVED:
        task_event(k, ev);
        break;
    case GS_EV_SYSCALL:
        if ((s = slot_of(k, ev->p))) {
            compare(k, ev->p, s, "the last kernel operation (checked at a syscall)");
            s->in_syscall = true;
            s->sc_cls = ev->a;
            memcpy(s->sc_regs, ev->r, sizeof(s->sc_regs));
        }
        break;
    case GS_EV_SYSCALL_RETURN:
        if ((s = slot_of(k, ev->p))) {
            /* A successful subscribe drops its upcall id's pending FunctionCalls, only those. */
            if (s->in_syscall && k->syscall_class == GS_SYS_SUBSCRIBE &&
                s->sc_cls == GS_SYS_SUBSCRIBE && ev->a >= GS_RET_SUCCESS) {
                gs_ref_queue_remove_pending(&s->q, s->sc_regs[0], s->sc_regs[1]);
                s->model_changed = true;
            }
            s->in_syscall = false;
            compare(k, ev->p, s, k->syscall_class >= 0 ? "a syscall" : "a Yield-WaitFor return");
        }
        break;
    case GS_EV_TERMINATED:
        if ((s = slot_of(k, ev->p))) {
            gs_ref_queue_clear(&s->q);
            s->model_changed = true;
            s->in_syscall = false;
            compare(k, ev->p, s, "terminate");
        }
        break;
    case GS_EV_RESTARTED:
    case GS_EV_PROCESS_CREATED:
        if ((s = slot_of(k, ev->p)))
            compare(k, ev->p, s, ev->kind == GS_EV_RESTARTED ? "a restart" : "creation");
        break;
    case GS_EV_GRANT_ALLOCATED:
        check_grant_allocated(k, ev);
        break;
    case GS_EV_GRANT_REGION_ALLOC:
        check_region_alloc(k, ev);
        break;
    default:
        break;
    }
}
