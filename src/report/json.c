/* SPDX-License-Identifier: MIT */
/* The JSON renderer of the memory-map model (render.h). */
#include "jw.h"
#include "labels.h"
#include "render.h"

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
        rpt_region_label(l, r, label, sizeof(label));
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
