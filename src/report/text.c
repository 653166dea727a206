/* SPDX-License-Identifier: MIT */
/*
 * The text renderer of the memory-map model (render.h): upstream's
 * printouts of the live process, then grantsim's sections.
 */
#include <stdio.h>

#include "labels.h"
#include "render.h"

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
        rpt_region_label(l, r, label, sizeof(label));
        rpt_mpu_col(r->mpu_region, r->sub_lo, r->sub_hi, r->rights, mpu, sizeof(mpu));
        rpt_diff_flags(l, r->start, (uint64_t)r->start + r->size, flags, sizeof(flags));
        gs_sink_printf(s, "   0x%08X  0x%08llX %8u  %-40s %s%s\r\n", (unsigned)r->start,
                       (unsigned long long)r->start + r->size, (unsigned)r->size, label, mpu,
                       flags);
    }
    gs_sink_printf(s, "\r\n Flash: the app's TBF, high addresses first\r\n");
    for (unsigned i = l->nflash; i-- > 0;) {
        const struct gs_layout_flash_part *f = &l->flash[i];
        rpt_mpu_col(f->mpu_region, f->sub_lo, f->sub_hi, f->rights, mpu, sizeof(mpu));
        rpt_diff_flags(l, f->start, (uint64_t)f->start + f->size, flags, sizeof(flags));
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
        rpt_driver_str(l, (int)i, d, sizeof(d));
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
        rpt_hexbytes(g->t_bytes, g->t_peek, sh->t_size, hex, sizeof(hex));
        gs_sink_printf(s, "    +0x%03X 0x%08X  T            %u bytes%s%s\r\n",
                       (unsigned)(g->t_addr - g->base), (unsigned)g->t_addr, (unsigned)sh->t_size,
                       sh->t_size ? ": " : "", hex);
    }
    for (unsigned i = 0; i < l->ngrants; i++) {
        if (l->grants[i].allocated)
            continue;
        rpt_driver_str(l, (int)i, d, sizeof(d));
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
        rpt_hexbytes(c->bytes, c->peek, c->size, hex, sizeof(hex));
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
            rpt_region_label(l, r, label, sizeof(label));
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
