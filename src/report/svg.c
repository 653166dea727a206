/* SPDX-License-Identifier: MIT */
/* The SVG renderer of the memory-map model (render.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labels.h"
#include "render.h"

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
        } else if ((k = rpt_utf8_len(p + i, n - i)) == 0) {
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

/* One picture being drawn: the model, the two bars and what the body needs. */
struct svg {
    const struct gs_layout *l;
    struct gs_sink *s;
    struct bar ram, fl; /* the process block and the TBF */
    struct gs_layout_reach reach[32];
    unsigned nreach;
    double reach_top;   /* top of the "reachable elsewhere" list, under the TBF */
    double body_bottom; /* below both bars and that list */
    unsigned height;
    bool used_kind[GS_OWN_KIND_COUNT];
};

/* Whether the legend shows kind k: every kind in the block, app memory and unused always. */
static bool legend_has_kind(const struct svg *v, unsigned k)
{
    return v->used_kind[k] || k == GS_OWN_APP || k == GS_OWN_UNUSED;
}

/*
 * Lays the bars out and sizes the picture. Everything below the bars is
 * the lists, then the legend; the height adds up what svg_lists and
 * svg_legend draw. Returns false when the bars cannot be allocated.
 */
static bool svg_plan(struct svg *v)
{
    const struct gs_layout *l = v->l;
    unsigned nkinds = 0;
    double flash_bottom;

    v->nreach = gs_layout_elsewhere(l, v->reach, 32);
    v->ram.n = l->nregions;
    v->ram.it = calloc(v->ram.n + 1, sizeof(*v->ram.it));
    v->fl.n = l->nflash;
    v->fl.it = calloc(v->fl.n + 1, sizeof(*v->fl.it));
    if (!v->ram.it || !v->fl.it)
        return false;
    for (unsigned i = 0; i < v->ram.n; i++) {
        v->ram.it[i].start = l->regions[i].start;
        v->ram.it[i].end = (uint64_t)l->regions[i].start + l->regions[i].size;
        v->used_kind[l->regions[i].kind] = true;
    }
    for (unsigned i = 0; i < v->fl.n; i++) {
        v->fl.it[i].start = l->flash[i].start;
        v->fl.it[i].end = (uint64_t)l->flash[i].start + l->flash[i].size;
    }
    bar_layout(&v->ram, SVG_TOP);
    bar_layout(&v->fl, SVG_TOP);
    flash_bottom = v->fl.n ? v->fl.bottom : SVG_TOP;
    v->reach_top = flash_bottom + 56;
    v->body_bottom = v->ram.bottom;
    if (v->reach_top + v->nreach * (SVG_REACH_H + 10) > v->body_bottom)
        v->body_bottom = v->reach_top + v->nreach * (SVG_REACH_H + 10);
    for (unsigned k = 0; k < GS_OWN_KIND_COUNT; k++)
        nkinds += legend_has_kind(v, k);
    v->height = (unsigned)(v->body_bottom + 40 + 16 * l->ndiffs +
                           (l->nanomalies ? 22 + 16 * (l->nanomalies < GS_LAYOUT_MAX_ANOMALIES
                                                           ? l->nanomalies
                                                           : GS_LAYOUT_MAX_ANOMALIES)
                                          : 0) +
                           34 + 18 + 18 * ((nkinds + 5) / 6) + 18 * 2 + 16 + 24);
    return true;
}

/* The XML declaration, the <svg> element, the document's <title>, the hatch patterns. */
static void svg_header(const struct svg *v)
{
    struct gs_sink *s = v->s;
    char t[320];

    gs_sink_printf(s,
                   "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                   "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%u\" height=\"%u\" "
                   "viewBox=\"0 0 %u %u\" font-family=\"DejaVu Sans Mono, Menlo, Consolas, "
                   "monospace\" font-size=\"11\">\n",
                   SVG_W, v->height, SVG_W, v->height);
    snprintf(t, sizeof(t), "grantsim layout: process %u \"%s\"", v->l->index, v->l->name);
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
                   v->height);
}

/* The heading: the process, its block and breaks, the verdict; the bars' titles. */
static void svg_process_block(const struct svg *v)
{
    const struct gs_layout *l = v->l;
    struct gs_sink *s = v->s;
    char t[320];

    snprintf(t, sizeof(t), "grantsim layout: process %u \"%s\"", l->index, l->name);
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
}

/* The RAM bar: one rect per region of the model, with its owner in a <title>. */
static void svg_ram_regions(const struct svg *v)
{
    const struct gs_layout *l = v->l;
    struct gs_sink *s = v->s;
    char t[320], lbl[160], o[128];

    for (unsigned i = 0; i < l->nregions; i++) {
        const struct gs_layout_region *r = &l->regions[i];
        const struct bar_item *it = &v->ram.it[i];
        rpt_region_label(l, r, lbl, sizeof(lbl));
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
}

/* Grants as outlined groups of their parts. */
static void svg_grant_outlines(const struct svg *v)
{
    const struct gs_layout *l = v->l;

    for (unsigned i = 0; i < l->nregions;) {
        unsigned j = i;
        int g = l->regions[i].grant;
        if (g < 0 || l->regions[i].foreign) {
            i++;
            continue;
        }
        while (j + 1 < l->nregions && l->regions[j + 1].grant == g && !l->regions[j + 1].foreign)
            j++;
        gs_sink_printf(v->s,
                       "<rect class=\"grant-outline\" x=\"%u\" y=\"%.1f\" width=\"%u\" "
                       "height=\"%.1f\" fill=\"none\" stroke=\"#6b3d00\" stroke-width=\"2\"/>\n",
                       SVG_RAM_X, v->ram.it[j].y0, SVG_RAM_W, v->ram.it[i].y1 - v->ram.it[j].y0);
        i = j + 1;
    }
}

/* The app break and the kernel break across the RAM bar. */
static void svg_breaks(const struct svg *v)
{
    const struct gs_layout *l = v->l;

    for (unsigned k = 0; k < 2; k++) {
        uint32_t a = k ? l->kernel_break : l->app_break;
        double yb = bar_y(&v->ram, a);
        if (a < l->memory_start || a > l->memory_end)
            continue;
        gs_sink_printf(v->s,
                       "<line class=\"break\" x1=\"%u\" y1=\"%.1f\" x2=\"%u\" y2=\"%.1f\" "
                       "stroke=\"%s\" stroke-width=\"2\" stroke-dasharray=\"6,3\"/>\n",
                       SVG_RAM_X - 6, yb, SVG_RAM_X + SVG_RAM_W + 6, yb, k ? "#c00000" : "#1f5fa8");
        svg_text(v->s, SVG_RAM_X + 3, yb - 3,
                 k ? "font-size=\"9\" fill=\"#c00000\"" : "font-size=\"9\" fill=\"#1f5fa8\"",
                 k ? "kernel break" : "app break");
    }
}

/* One line of the table right of the RAM bar: start, size, owner, MPU, flags. */
static void svg_region_row(const struct svg *v, unsigned i)
{
    const struct gs_layout *l = v->l;
    struct gs_sink *s = v->s;
    const struct gs_layout_region *r = &l->regions[i];
    const struct bar_item *it = &v->ram.it[i];
    double ym = (it->y0 + it->y1) / 2 + 4;
    char t[320], lbl[160], mpu[64], flags[40];
    const char *attr;

    rpt_region_label(l, r, lbl, sizeof(lbl));
    rpt_mpu_col(r->mpu_region, r->sub_lo, r->sub_hi, r->rights, mpu, sizeof(mpu));
    rpt_diff_flags(l, r->start, it->end, flags, sizeof(flags));
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
                 attr ? "fill=\"#d00000\" font-weight=\"bold\"" : "fill=\"#8a6d00\"", flags + 1);
}

/* The process block: its bar, grants, breaks, differences, MPU brackets and table. */
static void svg_ram(const struct svg *v)
{
    struct gs_sink *s = v->s;
    char t[64];

    svg_ram_regions(v);
    svg_grant_outlines(v);
    svg_breaks(v);
    svg_diff_overlays(s, v->l, &v->ram, SVG_RAM_X, SVG_RAM_W);
    svg_brackets(s, v->l, &v->ram, SVG_RAM_X - 22);
    svg_text(s, SVG_LBL_X, SVG_TOP - 16, "fill=\"#555\"", "start");
    svg_text(s, SVG_SIZE_X, SVG_TOP - 16, "fill=\"#555\" text-anchor=\"end\"", "bytes");
    svg_text(s, SVG_OWNER_X, SVG_TOP - 16, "fill=\"#555\"", "owner");
    svg_text(s, SVG_MPU_X, SVG_TOP - 16, "fill=\"#555\"", "MPU");
    for (unsigned i = 0; i < v->l->nregions; i++)
        svg_region_row(v, i);
    snprintf(t, sizeof(t), "0x%08llX (memory end)", (unsigned long long)v->l->memory_end);
    svg_text(s, SVG_LBL_X, SVG_TOP - 3, "fill=\"#555\" font-size=\"10\"", t);
}

/* The TBF bar: its parts, labels, differences and MPU brackets. */
static void svg_flash(const struct svg *v)
{
    const struct gs_layout *l = v->l;
    struct gs_sink *s = v->s;
    char t[320], mpu[64];

    for (unsigned i = 0; i < l->nflash; i++) {
        const struct gs_layout_flash_part *f = &l->flash[i];
        const struct bar_item *it = &v->fl.it[i];
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
        rpt_mpu_col(f->mpu_region, f->sub_lo, f->sub_hi, f->rights, mpu, sizeof(mpu));
        snprintf(t, sizeof(t), "0x%08X %6u B %s", (unsigned)f->start, (unsigned)f->size, f->name);
        svg_text(s, SVG_FLBL_X, (it->y0 + it->y1) / 2, NULL, t);
        svg_text(s, SVG_FLBL_X, (it->y0 + it->y1) / 2 + 12, "fill=\"#555\"", mpu);
    }
    svg_diff_overlays(s, l, &v->fl, SVG_FLASH_X, SVG_FLASH_W);
    svg_brackets(s, l, &v->fl, SVG_FLASH_X - 10);
    snprintf(t, sizeof(t), "0x%08X (TBF end)", (unsigned)l->flash_end);
    svg_text(s, SVG_FLBL_X, SVG_TOP - 3, "fill=\"#555\" font-size=\"10\"", t);
}

/* One range the process reaches outside its block and TBF (an IPC buffer, a leak). */
static void svg_ipc_region(const struct svg *v, unsigned q)
{
    const struct gs_layout *l = v->l;
    struct gs_sink *s = v->s;
    const struct gs_layout_reach *r = &v->reach[q];
    double yq = v->reach_top + q * (SVG_REACH_H + 10);
    bool leak = r->rights & ~r->intended, forb = r->intended & ~r->rights;
    char t[320], o[128], rs[4], rs2[4];
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
    svg_text(s, SVG_FLBL_X, yq + 23, leak || forb ? "fill=\"#d00000\" font-weight=\"bold\"" : NULL,
             t);
    svg_text(s, SVG_FLBL_X, yq + 36, "fill=\"#555\" font-size=\"10\"", where);
}

/* Other memory this process reaches or is meant to reach. */
static void svg_elsewhere(const struct svg *v)
{
    svg_text(v->s, SVG_FLASH_X, v->reach_top - 14, "font-weight=\"bold\"",
             v->nreach ? "Reachable elsewhere (IPC buffers, leaks)"
                       : "Reachable elsewhere: nothing");
    for (unsigned q = 0; q < v->nreach; q++)
        svg_ipc_region(v, q);
}

/* The differences and anomalies, listed under the bars. Returns the last line's y. */
static double svg_lists(const struct svg *v)
{
    const struct gs_layout *l = v->l;
    struct gs_sink *s = v->s;
    double y = v->body_bottom + 40;
    char t[320], rs[4], rs2[4];

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
    return y;
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

/* The legend under the lists (y: the lists' last line): colours, hatches, brackets, scale. */
static void svg_legend(const struct svg *v, double y)
{
    struct gs_sink *s = v->s;
    unsigned col = 0;
    double x0 = 20;

    y += 34;
    svg_text(s, 20, y, "font-weight=\"bold\"", "Legend");
    y += 18;
    for (unsigned k = 0; k < GS_OWN_KIND_COUNT; k++) {
        if (!legend_has_kind(v, k))
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

static void svg_footer(const struct svg *v)
{
    gs_sink_printf(v->s, "</svg>\n");
}

void gs_layout_print_svg(const struct gs_layout *l, struct gs_sink *s)
{
    struct svg v = {.l = l, .s = s};

    if (!svg_plan(&v)) {
        gs_sink_printf(s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg "
                          "xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>\n");
    } else {
        svg_header(&v);
        svg_process_block(&v);
        svg_ram(&v);
        svg_flash(&v);
        svg_elsewhere(&v);
        svg_legend(&v, svg_lists(&v));
        svg_footer(&v);
    }
    free(v.ram.it);
    free(v.fl.it);
}
