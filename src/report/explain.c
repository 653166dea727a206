/* SPDX-License-Identifier: MIT */
/* The renderers of gs_explain (render.h): text lines and one JSON object. */
#include <stdio.h>
#include <string.h>

#include "jw.h"
#include "render.h"

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
