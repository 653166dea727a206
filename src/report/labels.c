/* SPDX-License-Identifier: MIT */
/* The labels the layout formats share (labels.h). */
#include "labels.h"

#include <stdio.h>

void rpt_driver_str(const struct gs_layout *l, int grant, char *buf, size_t n)
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

void rpt_region_label(const struct gs_layout *l, const struct gs_layout_region *r, char *buf,
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
        rpt_driver_str(l, r->grant, d, sizeof(d));
        snprintf(buf, n, "grant %d [%s] %s", r->grant, d, gs_layout_part_name(r->kind));
        break;
    }
}

void rpt_mpu_col(int region, int lo, int hi, unsigned rights, char *buf, size_t n)
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

void rpt_diff_flags(const struct gs_layout *l, uint32_t a, uint64_t b, char *buf, size_t n)
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

void rpt_hexbytes(const uint8_t *b, unsigned n, unsigned total, char *buf, size_t cap)
{
    size_t o = 0;

    buf[0] = '\0';
    for (unsigned i = 0; i < n && o + 4 < cap; i++)
        o += (size_t)snprintf(buf + o, cap - o, "%s%02x", i ? " " : "", b[i]);
    if (total > n && o + 4 < cap)
        snprintf(buf + o, cap - o, " ...");
}

size_t rpt_utf8_len(const unsigned char *s, size_t n)
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
