/* SPDX-License-Identifier: MIT */
#include "kernel.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "driver.h"
#include "errors.h"
#include "grant.h"
#include "process.h"
#include "refcheck.h"

void gs_kernel_config_default(struct gs_kernel_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->profile = GS_PROFILE_HEAD;
    cfg->num_procs = 4;
    /* One observed size_of::<ProcessStandard>() (PR #3556 printout). */
    cfg->pcb_size = 920;
    cfg->pcb_align = 4;
    cfg->mpu_regions = 8;
    cfg->mpu_min_region_size = 32;
}

/* Routes a shadow-map finding from the memory into the kernel's findings. */
static void on_mem_finding(void *ctx, const struct gs_mem_finding *mf)
{
    struct gs_kernel *k = ctx;
    struct gs_finding f;
    char want[96], got[96];

    memset(&f, 0, sizeof(f));
    f.kind = GS_FIND_OWNERSHIP;
    f.site = k->site ? k->site : "unknown";
    f.syscall_class = k->syscall_class;
    f.addr = mf->bad_addr;
    f.mem = *mf;
    snprintf(f.text, sizeof(f.text),
             "%s wrote %u bytes at 0x%08x meant for [%s] but 0x%08x is [%s]", f.site,
             (unsigned)mf->len, (unsigned)mf->addr,
             gs_owner_describe(mf->intended, want, sizeof(want)), (unsigned)mf->bad_addr,
             gs_owner_describe(mf->actual, got, sizeof(got)));
    gs_kernel_finding(k, &f);
}

int gs_kernel_new(struct gs_mem *mem, const struct gs_kernel_config *cfg, struct gs_kernel **out)
{
    struct gs_kernel *k;
    struct gs_kernel_config c;
    int err;

    if (!mem || !out)
        return GS_E_ARG;
    if (cfg)
        c = *cfg;
    else
        gs_kernel_config_default(&c);
    if (c.num_procs == 0 || c.num_procs > GS_MAX_PROCS || c.pcb_align == 0 ||
        (c.pcb_align & (c.pcb_align - 1)) || c.pcb_size > 0x100000 ||
        (c.profile != GS_PROFILE_HEAD && c.profile != GS_PROFILE_2_2))
        return GS_E_ARG;
    k = calloc(1, sizeof(*k));
    if (!k)
        return GS_E_NOMEM_HOST;
    k->cfg = c;
    k->mem = mem;
    k->syscall_class = -1;
    err = gs_mpu_init(&k->mpu, c.mpu_regions, c.mpu_min_region_size, c.profile == GS_PROFILE_2_2);
    if (err) {
        free(k);
        return err;
    }
    gs_mpu_set_check(&k->mpu, gs_refcheck_mpu_hook, k);
    k->refcheck = gs_refcheck_new();
    if (!k->refcheck) {
        free(k);
        return GS_E_NOMEM_HOST;
    }
    for (unsigned i = 0; i < GS_MAX_PROCS; i++)
        k->rr.order[i] = i;
    gs_mem_set_finding_fn(mem, on_mem_finding, k);
    *out = k;
    return GS_OK;
}

void gs_kernel_free(struct gs_kernel *k)
{
    if (!k)
        return;
    for (unsigned i = 0; i < GS_MAX_PROCS; i++)
        gs_process_free(k->procs[i]);
    for (unsigned i = 0; i < k->grant_count; i++) {
        free(k->grants[i]->t_default);
        free(k->grants[i]);
    }
    free(k->grants);
    for (unsigned i = 0; i < k->ndrivers; i++)
        if (k->drivers[i]->ops->destroy)
            k->drivers[i]->ops->destroy(k->drivers[i]);
    free(k->drivers);
    free(k->work);
    gs_refcheck_free(k->refcheck);
    if (k->mem && k->mem->finding_ctx == k)
        gs_mem_set_finding_fn(k->mem, NULL, NULL);
    free(k);
}

void gs_kernel_reset(struct gs_kernel *k)
{
    uint64_t writes = k->mpu.configure_writes;

    for (unsigned i = 0; i < GS_MAX_PROCS; i++) {
        gs_process_free(k->procs[i]);
        k->procs[i] = NULL;
    }
    k->next_process_id = 0;
    k->panicked = false;
    k->panic_msg[0] = '\0';
    k->now = 0;
    k->idle = 0;
    memset(&k->rr, 0, sizeof(k->rr));
    for (unsigned i = 0; i < GS_MAX_PROCS; i++)
        k->rr.order[i] = i;
    k->nwork = 0;
    k->work_seq = 0;
    k->running = NULL;
    k->run_start = 0;
    k->slice_left = 0;
    k->stop_inline = false;
    k->stop_requested = false;
    memset(&k->inject, 0, sizeof(k->inject));
    k->site = NULL;
    k->syscall_class = -1;
    k->findings = 0;
    /* The config was valid at creation, so this cannot fail. configure_writes
     * stays monotonic: arches compare it to see whether the hardware changed. */
    gs_mpu_init(&k->mpu, k->cfg.mpu_regions, k->cfg.mpu_min_region_size,
                k->cfg.profile == GS_PROFILE_2_2);
    k->mpu.configure_writes = writes + 1;
    gs_mpu_set_check(&k->mpu, gs_refcheck_mpu_hook, k);
    gs_refcheck_reset(k->refcheck);
    memset(k->inv_view, 0, sizeof(k->inv_view));
    k->inv_touched = 0;
    for (unsigned i = 0; i < k->ndrivers; i++)
        if (k->drivers[i]->ops->reset)
            k->drivers[i]->ops->reset(k->drivers[i]);
}

void gs_kernel_request_stop(struct gs_kernel *k)
{
    k->stop_requested = true;
    k->stop_inline = true;
}

void gs_kernel_clear_observers(struct gs_kernel *k)
{
    k->nobservers = 0;
}

int gs_kernel_add_observer(struct gs_kernel *k, gs_observer_fn fn, void *ctx)
{
    if (!fn)
        return GS_E_ARG;
    if (k->nobservers >= GS_MAX_OBSERVERS)
        return GS_E_NO_SLOT;
    k->observers[k->nobservers].fn = fn;
    k->observers[k->nobservers].ctx = ctx;
    k->nobservers++;
    return GS_OK;
}

void gs_kernel_remove_observer(struct gs_kernel *k, gs_observer_fn fn, void *ctx)
{
    for (unsigned i = 0; i < k->nobservers; i++) {
        if (k->observers[i].fn == fn && k->observers[i].ctx == ctx) {
            memmove(&k->observers[i], &k->observers[i + 1],
                    (k->nobservers - i - 1) * sizeof(k->observers[0]));
            k->nobservers--;
            return;
        }
    }
}

void gs_kernel_emit(struct gs_kernel *k, const struct gs_event *ev)
{
    /* The oracles first: an observer may act on the event (queue a task, say), and the
     * models must see what happened in the order it happened. */
    if (ev->p && ev->p->index < 32)
        k->inv_touched |= 1u << ev->p->index;
    if (k->check_invariants && ev->kind != GS_EV_FINDING)
        gs_refcheck_event(k, ev);
    for (unsigned i = 0; i < k->nobservers; i++)
        k->observers[i].fn(k->observers[i].ctx, ev);
}

void gs_kernel_event(struct gs_kernel *k, enum gs_event_kind kind, const struct gs_process *p,
                     uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
    struct gs_event ev;

    if (!gs_kernel_observed(k))
        return;
    memset(&ev, 0, sizeof(ev));
    ev.kind = kind;
    ev.p = p;
    ev.a = a;
    ev.b = b;
    ev.c = c;
    ev.d = d;
    gs_kernel_emit(k, &ev);
}

void gs_kernel_finding(struct gs_kernel *k, const struct gs_finding *f)
{
    struct gs_event ev;

    k->findings++;
    memset(&ev, 0, sizeof(ev));
    ev.kind = GS_EV_FINDING;
    ev.finding = f;
    ev.text = f->text;
    ev.a = f->addr;
    gs_kernel_emit(k, &ev);
}

void gs_kernel_machine_error(struct gs_kernel *k, const char *call, const char *what)
{
    struct gs_finding f;

    memset(&f, 0, sizeof(f));
    f.kind = GS_FIND_MACHINE;
    f.site = call;
    f.syscall_class = -1;
    snprintf(f.text, sizeof(f.text), "machine error: %s failed (%s); the run is abandoned", call,
             what);
    gs_kernel_finding(k, &f);
}

int gs_kernel_panic(struct gs_kernel *k, const char *site, const char *fmt, ...)
{
    struct gs_event ev;
    struct gs_finding f;
    char msg[sizeof(k->panic_msg)];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (k->panicked)
        return GS_E_PANIC; /* only the first panic counts: the kernel has stopped */
    k->panicked = true;
    snprintf(k->panic_msg, sizeof(k->panic_msg), "%s", msg);

    memset(&ev, 0, sizeof(ev));
    ev.kind = GS_EV_PANIC;
    ev.text = k->panic_msg;
    gs_kernel_emit(k, &ev);

    memset(&f, 0, sizeof(f));
    f.kind = GS_FIND_PANIC;
    f.site = site;
    f.syscall_class = k->syscall_class;
    snprintf(f.text, sizeof(f.text), "kernel panic: %.200s", k->panic_msg);
    gs_kernel_finding(k, &f);
    return GS_E_PANIC;
}

unsigned gs_kernel_grant_count_and_finalize(struct gs_kernel *k)
{
    k->grants_finalized = true;
    return k->grant_count;
}

uint32_t gs_kernel_create_process_identifier(struct gs_kernel *k)
{
    return k->next_process_id++;
}

struct gs_process *gs_kernel_get_process(const struct gs_kernel *k, struct gs_pid pid)
{
    struct gs_process *p = gs_kernel_process_at(k, pid.index);

    if (!p || p->pid.id != pid.id)
        return NULL;
    return p;
}

struct gs_process *gs_kernel_process_at(const struct gs_kernel *k, unsigned index)
{
    if (index >= k->cfg.num_procs)
        return NULL;
    return k->procs[index];
}

int gs_kstore(struct gs_kernel *k, const char *site, uint32_t addr, const void *src, uint32_t len,
              gs_owner owner)
{
    k->site = site;
    return gs_mem_write(k->mem, addr, src, len, owner);
}

int gs_kstore32_at(struct gs_kernel *k, const char *site, uint32_t addr, uint32_t v, gs_owner owner)
{
    k->site = site;
    return gs_mem_store32(k->mem, addr, v, owner);
}

int gs_kfill_at(struct gs_kernel *k, const char *site, uint32_t addr, uint8_t byte, uint32_t len,
                gs_owner owner)
{
    k->site = site;
    return gs_mem_fill(k->mem, addr, byte, len, owner);
}

const char *gs_profile_name(enum gs_profile p)
{
    return p == GS_PROFILE_2_2 ? "2.2" : "head";
}

int gs_profile_from_name(const char *name)
{
    if (!name)
        return -1;
    if (strcmp(name, "head") == 0)
        return GS_PROFILE_HEAD;
    if (strcmp(name, "2.2") == 0)
        return GS_PROFILE_2_2;
    return -1;
}
