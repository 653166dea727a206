/* SPDX-License-Identifier: MIT */
/* The SVG renderer of the memory-map model (render.h). */
#include <stdarg.h>
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

/*
 * Tooltips. A <title> holds lines separated by literal newlines (browsers
 * show them as a multi-line tooltip); title_line adds one line, escaped.
 */
static void title_line(struct gs_sink *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void title_line(struct gs_sink *s, const char *fmt, ...)
{
    char buf[400];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    s->write(s->ctx, "\n", 1);
    xml_text(s, buf);
}

/* The MPU line of a tooltip: the deciding region's registers, or none. */
static void title_mpu(struct gs_sink *s, const struct gs_layout *l, int region, int lo, int hi,
                      unsigned rights)
{
    char mpu[64];

    rpt_mpu_col(region, lo, hi, rights, mpu, sizeof(mpu));
    if (region < 0 || (unsigned)region >= l->mpu_num_regions)
        title_line(s, "MPU: %s (no region decides: default deny)", mpu);
    else
        title_line(s, "MPU: %s (%s, RBAR 0x%08X, RASR 0x%08X)", mpu, l->mpu[region].role,
                   (unsigned)l->mpu[region].rbar, (unsigned)l->mpu[region].rasr);
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
    char rs[4], lbl[160];

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
            title_line(s, "%s, RBAR 0x%08X, RASR 0x%08X, SRD 0x%02X", m->role, (unsigned)m->rbar,
                       (unsigned)m->rasr, m->srd);
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
    struct gs_sink *s;  /* the body, buffered: the height is known once it is drawn */
    struct bar ram, fl; /* the process block and the TBF */
    struct gs_layout_reach reach[32];
    unsigned nreach;
    double reach_top;   /* top of the "reachable elsewhere" list, under the TBF */
    double body_bottom; /* below both bars and that list */
    bool used_kind[GS_OWN_KIND_COUNT];
};

/* Whether the legend shows kind k: every kind in the block, app memory and unused always. */
static bool legend_has_kind(const struct svg *v, unsigned k)
{
    return v->used_kind[k] || k == GS_OWN_APP || k == GS_OWN_UNUSED;
}

/* Lays the bars out. Returns false when they cannot be allocated. */
static bool svg_plan(struct svg *v)
{
    const struct gs_layout *l = v->l;
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
    return true;
}

/*
 * The XML declaration, the <svg> element, the document's <title>, the
 * patterns. The picture scales: its size is the viewBox (SVG_W x height
 * user units), drawn at 100% of whatever holds it (a browser window, an
 * <img>), aspect ratio kept.
 */
static void svg_header(struct gs_sink *s, const struct gs_layout *l, unsigned height)
{
    char t[320];

    gs_sink_printf(s,
                   "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                   "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100%%\" height=\"100%%\" "
                   "viewBox=\"0 0 %u %u\" preserveAspectRatio=\"xMidYMin meet\" "
                   "font-family=\"DejaVu Sans Mono, Menlo, Consolas, monospace\" "
                   "font-size=\"11\">\n",
                   SVG_W, height);
    snprintf(t, sizeof(t), "grantsim layout: process %u \"%s\"", l->index, l->name);
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
    /* A disabled subregion: thin grey stripes on white. */
    gs_sink_printf(s, "<pattern id=\"hatch-off\" width=\"6\" height=\"6\" "
                      "patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(-45)\">"
                      "<rect width=\"6\" height=\"6\" fill=\"#ffffff\"/>"
                      "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#9a9a9a\" "
                      "stroke-width=\"1.5\"/></pattern>\n");
    gs_sink_printf(s, "</defs>\n<rect width=\"%u\" height=\"%u\" fill=\"#ffffff\"/>\n", SVG_W,
                   height);
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

/* Whether the slot [addr, addr + len) shares a byte with region r. */
static bool in_region(uint32_t addr, uint32_t len, const struct gs_layout_region *r)
{
    return (uint64_t)addr + len > r->start && addr < (uint64_t)r->start + r->size;
}

static void title_allows(struct gs_sink *s, const struct gs_layout_region *r,
                         const struct gs_layout_allow *a, unsigned n, const char *kind)
{
    for (unsigned j = 0; j < n; j++)
        if (in_region(a[j].addr, 8, r))
            title_line(s, "%s allow %u at 0x%08X: ptr 0x%08X, len %u -> %s", kind, j,
                       (unsigned)a[j].addr, (unsigned)a[j].ptr, (unsigned)a[j].len,
                       gs_layout_target_name(a[j].target));
}

/* What a grant part holds, slot by slot: the values the text's grant section shows. */
static void title_grant_part(struct gs_sink *s, const struct gs_layout *l,
                             const struct gs_layout_region *r)
{
    const struct gs_layout_grant *g = &l->grants[r->grant];
    char hex[GS_LAYOUT_PEEK * 3 + 8];

    if (!g->decoded) {
        title_line(s, "(not decoded: outside RAM)");
        return;
    }
    switch (r->kind) {
    case GS_OWN_GRANT_HDR:
        title_line(s, "counters 0x%08X = %u upcalls, %u RO, %u RW (%s)", (unsigned)g->counters,
                   g->c_upcalls, g->c_ro, g->c_rw,
                   g->counters_ok ? "matches the shape" : "DOES NOT MATCH the shape");
        break;
    case GS_OWN_GRANT_UPCALLS:
        for (unsigned j = 0; j < g->shape.n_upcalls; j++) {
            const struct gs_layout_upcall *u = &g->upcalls[j];
            if (in_region(u->addr, 8, r))
                title_line(s, "upcall %u at 0x%08X: appdata 0x%08X, fn 0x%08X -> %s", j,
                           (unsigned)u->addr, (unsigned)u->appdata, (unsigned)u->fn,
                           u->target == GS_LT_NULL ? "null upcall"
                                                   : gs_layout_target_name(u->target));
        }
        break;
    case GS_OWN_GRANT_RO:
        title_allows(s, r, g->ro, g->shape.n_ro, "RO");
        break;
    case GS_OWN_GRANT_RW:
        title_allows(s, r, g->rw, g->shape.n_rw, "RW");
        break;
    case GS_OWN_GRANT_PAD:
        title_line(s, "padding %u bytes (never written)", (unsigned)g->pad_size);
        break;
    case GS_OWN_GRANT_T:
        rpt_hexbytes(g->t_bytes, g->t_peek, g->shape.t_size, hex, sizeof(hex));
        title_line(s, "T %u bytes%s%s", (unsigned)g->shape.t_size, g->shape.t_size ? ": " : "",
                   hex);
        break;
    default:
        break;
    }
}

/* The values a region's tooltip adds: grant slots, table entries, custom grant bytes. */
static void title_contents(struct gs_sink *s, const struct gs_layout *l,
                           const struct gs_layout_region *r)
{
    char hex[GS_LAYOUT_PEEK * 3 + 8];

    if (r->foreign)
        return;
    if (r->kind >= GS_OWN_GRANT_HDR && r->kind <= GS_OWN_GRANT_T && r->grant >= 0 &&
        (unsigned)r->grant < l->ngrants) {
        title_grant_part(s, l, r);
    } else if (r->kind == GS_OWN_GRANT_TABLE) {
        for (unsigned i = 0; i < l->ngrants; i++) {
            const struct gs_layout_grant *g = &l->grants[i];
            if (in_region(l->grant_table + i * GS_GRANT_ENTRY_SIZE, GS_GRANT_ENTRY_SIZE, r))
                title_line(s, "entry %u: driver 0x%x, ptr 0x%08X%s", i, (unsigned)g->entry_driver,
                           (unsigned)g->entry_ptr,
                           g->entered     ? " (entered)"
                           : g->allocated ? ""
                                          : " (not allocated)");
        }
    } else if (r->kind == GS_OWN_CUSTOM) {
        for (unsigned i = 0; i < l->ncustom; i++) {
            const struct gs_layout_custom *c = &l->custom[i];
            if ((int)c->serial != r->custom)
                continue;
            rpt_hexbytes(c->bytes, c->peek, c->size, hex, sizeof(hex));
            title_line(s, "identifier (memory end - start) 0x%x%s%s", (unsigned)c->offset,
                       c->size ? ", bytes: " : "", hex);
        }
    }
}

/* The RAM bar: one rect per region of the model; its tooltip has the owner and the values. */
static void svg_ram_regions(const struct svg *v)
{
    const struct gs_layout *l = v->l;
    struct gs_sink *s = v->s;
    char t[320], lbl[160], o[128], flags[40];

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
        title_contents(s, l, r);
        title_mpu(s, l, r->mpu_region, r->sub_lo, r->sub_hi, r->rights);
        rpt_diff_flags(l, r->start, it->end, flags, sizeof(flags));
        if (flags[0])
            title_line(s, "differences:%s", flags);
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
        title_line(s, "TBF offset 0x%x", (unsigned)(f->start - l->flash_start));
        title_mpu(s, l, f->mpu_region, f->sub_lo, f->sub_hi, f->rights);
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

/* Who owns the memory at addr, for the tooltips of memory outside the block. */
static const char *owner_at(const struct gs_layout *l, uint32_t addr, char *buf, size_t n)
{
    if (gs_mem_in_ram(l->k->mem, addr, 1))
        return gs_owner_describe(gs_mem_owner_at(l->k->mem, addr), buf, n);
    if (gs_mem_in_flash(l->k->mem, addr, 1))
        return "flash";
    return "outside RAM and flash";
}

/* The tooltip of a "reachable elsewhere" box: rights, region, owner, why it is intended. */
static void title_reach(struct gs_sink *s, const struct gs_layout *l,
                        const struct gs_layout_reach *r, const char *where)
{
    char rs[4], rs2[4];

    gs_sink_printf(s, "<title>");
    gs_sink_printf(s, "[0x%08X, 0x%08llX) %llu bytes: permits %s, intended %s", (unsigned)r->start,
                   (unsigned long long)r->end, (unsigned long long)(r->end - r->start),
                   gs_layout_rights_str(r->rights, rs), gs_layout_rights_str(r->intended, rs2));
    title_line(s, "memory: %s", where);
    if (r->region >= 0)
        title_line(s, "MPU: R%d %s, RBAR 0x%08X, RASR 0x%08X", r->region, l->mpu[r->region].role,
                   (unsigned)l->mpu[r->region].rbar, (unsigned)l->mpu[r->region].rasr);
    for (unsigned i = 0; i < l->nintended; i++)
        if (r->start >= l->intended[i].start && r->start < l->intended[i].end)
            title_line(s, "intended: %s", l->intended[i].what);
    for (unsigned i = 0; i < l->nipc; i++) {
        const struct gs_layout_ipc *c = &l->ipc[i];
        if (r->start < c->start || r->start >= (uint64_t)c->start + c->size)
            continue;
        if (c->sharer >= 0)
            title_line(s, "IPC region: shared by process %d \"%s\" (its IPC RW slot %u)", c->sharer,
                       gs_process_name(l->k->procs[c->sharer]), c->slot);
        else
            title_line(s, "IPC region: STALE, no live client shares it");
    }
    gs_sink_printf(s, "</title>");
}

/* One range the process reaches outside its block and TBF (an IPC buffer, a leak). */
static void svg_reach_box(const struct svg *v, unsigned q)
{
    const struct gs_layout *l = v->l;
    struct gs_sink *s = v->s;
    const struct gs_layout_reach *r = &v->reach[q];
    double yq = v->reach_top + q * (SVG_REACH_H + 10);
    bool leak = r->rights & ~r->intended, forb = r->intended & ~r->rights;
    char t[320], o[128], rs[4], rs2[4];
    const char *where = owner_at(l, r->start, o, sizeof(o));

    gs_sink_printf(s,
                   "<rect class=\"reach\" x=\"%u\" y=\"%.1f\" width=\"%u\" height=\"%u\" "
                   "fill=\"%s\" stroke=\"%s\" stroke-width=\"%s\"%s>",
                   SVG_FLASH_X, yq, SVG_FLASH_W, SVG_REACH_H,
                   leak   ? "url(#hatch-leak)"
                   : forb ? "url(#hatch-forbidden)"
                          : "#8fd18f",
                   leak   ? "#d00000"
                   : forb ? "#6a1b9a"
                          : "#444",
                   leak || forb ? "2" : "0.6", forb ? " stroke-dasharray=\"4,2\"" : "");
    title_reach(s, l, r, where);
    gs_sink_printf(s, "</rect>\n");
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
        svg_reach_box(v, q);
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

/* ---- the MPU panel: every region of the config, IPC ones included, by subregion ---- */

#define SVG_CELL_X 150 /* first subregion cell */
#define SVG_CELL_W 56  /* cell pitch; a cell is 4 px narrower */
#define SVG_CELL_H 16
#define SVG_ROW_H  24

/* A class name from a role: "IPC (stale)" -> "ipc-stale", "app RAM" -> "app-ram". */
static void role_class(const char *role, char *buf, size_t n)
{
    size_t o = 0;
    bool dash = false;

    for (const char *p = role; *p && o + 2 < n; p++) {
        char c = *p;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            if (dash && o)
                buf[o++] = '-';
            buf[o++] = c;
            dash = false;
        } else {
            dash = true;
        }
    }
    buf[o] = '\0';
}

/* Which IPC buffer of the model the region maps, or NULL. */
static const struct gs_layout_ipc *ipc_of(const struct gs_layout *l,
                                          const struct gs_layout_mpu_region *m)
{
    for (unsigned i = 0; i < l->nipc; i++)
        if (m->used && l->ipc[i].start == m->start && l->ipc[i].size == m->size)
            return &l->ipc[i];
    return NULL;
}

/*
 * The owners of [a, b) for a cell's tooltip: the block's regions and the
 * TBF's parts there, else (memory of another process, an IPC buffer) the
 * shadow map's owner of its first byte.
 */
static void title_owners(struct gs_sink *s, const struct gs_layout *l, uint64_t a, uint64_t b)
{
    unsigned shown = 0, more = 0;
    char lbl[160], o[128];

    for (unsigned i = 0; i < l->nregions + l->nflash; i++) {
        bool ram = i < l->nregions;
        uint32_t start = ram ? l->regions[i].start : l->flash[i - l->nregions].start;
        uint64_t end =
            (uint64_t)start + (ram ? l->regions[i].size : l->flash[i - l->nregions].size);
        if (start >= b || end <= a)
            continue;
        if (shown == 6) {
            more++;
            continue;
        }
        if (ram)
            rpt_region_label(l, &l->regions[i], lbl, sizeof(lbl));
        else
            snprintf(lbl, sizeof(lbl), "TBF %s", l->flash[i - l->nregions].name);
        title_line(s, "  [0x%08X, 0x%08llX) %s", (unsigned)start, (unsigned long long)end, lbl);
        shown++;
    }
    if (more)
        title_line(s, "  ... and %u more", more);
    if (!shown)
        title_line(s, "  from 0x%08X: %s", (unsigned)a, owner_at(l, (uint32_t)a, o, sizeof(o)));
}

/*
 * Subregion k of region m as one cell: filled with the region's colour when
 * enabled, grey-hatched and dashed when its SRD bit disables it (or the
 * whole region is disabled). k < 0: a region below 256 bytes, which has no
 * subregions (the PMSAv7 rule of pmsav7.h), drawn as one wide cell.
 */
static void svg_subregion(struct gs_sink *s, const struct gs_layout *l, unsigned i, int k, double y)
{
    const struct gs_layout_mpu_region *m = &l->mpu[i];
    uint64_t step = k < 0 ? m->bytes : m->bytes / 8;
    uint64_t a = (uint64_t)m->base + step * (k < 0 ? 0 : (unsigned)k), b = a + step;
    bool on = m->enabled && (k < 0 || !(m->srd & (1u << k)));
    double x = SVG_CELL_X + SVG_CELL_W * (k < 0 ? 0 : k);
    double w = k < 0 ? 8 * SVG_CELL_W - 4 : SVG_CELL_W - 4;
    char flags[40], rs[4], name[16], cell[8];
    bool bad;

    rpt_diff_flags(l, (uint32_t)a, b, flags, sizeof(flags));
    bad = on && (strstr(flags, "LEAK") || strstr(flags, "FORBIDDEN"));
    gs_sink_printf(s,
                   "<rect class=\"subregion %s\" data-region=\"%u\" data-subregion=\"%d\" "
                   "x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%u\" fill=\"%s\" "
                   "fill-opacity=\"%s\" stroke=\"%s\" stroke-width=\"%s\"%s><title>",
                   on ? "on" : "off", i, k, x, y, w, SVG_CELL_H,
                   on ? mpu_color(i) : "url(#hatch-off)", on ? "0.55" : "1",
                   bad  ? "#d00000"
                   : on ? mpu_color(i)
                        : "#888",
                   bad ? "2" : "1", on ? "" : " stroke-dasharray=\"3,2\"");
    snprintf(cell, sizeof(cell), "s%d", k);
    if (k < 0)
        snprintf(name, sizeof(name), "R%u", i);
    else
        snprintf(name, sizeof(name), "R%u %s", i, cell);
    gs_sink_printf(s, "%s [0x%08X, 0x%08llX) %llu bytes: %s", name, (unsigned)a,
                   (unsigned long long)b, (unsigned long long)step,
                   on           ? "enabled"
                   : m->enabled ? "disabled (SRD bit set)"
                                : "region disabled");
    if (k < 0)
        title_line(s, "no subregions below 256 bytes: SRD does not apply");
    if (on)
        title_line(s, "unprivileged %s", gs_layout_rights_str(m->rights, rs));
    title_line(s, "RBAR 0x%08X, RASR 0x%08X, SRD 0x%02X", (unsigned)m->rbar, (unsigned)m->rasr,
               m->srd);
    title_line(s, "memory there:");
    title_owners(s, l, a, b);
    if (flags[0])
        title_line(s, "differences:%s", flags);
    gs_sink_printf(s, "</title></rect>\n");
    svg_text(s, x + w / 2, y + 12,
             on ? "font-size=\"9\" text-anchor=\"middle\" fill=\"#000\""
                : "font-size=\"9\" text-anchor=\"middle\" fill=\"#666\"",
             k < 0 ? "whole region" : cell);
}

/* One region of the config as a row: its name, its eight subregions, its registers. */
static void svg_mpu_region_row(struct gs_sink *s, const struct gs_layout *l, unsigned i, double y)
{
    const struct gs_layout_mpu_region *m = &l->mpu[i];
    const struct gs_layout_ipc *c = ipc_of(l, m);
    char cls[32], t[320], rs[4], ipc[80];

    role_class(m->role, cls, sizeof(cls));
    /* The group's fill is the region's colour: its label inherits it. */
    gs_sink_printf(s, "<g class=\"mpu-region role-%s\" data-region=\"%u\" fill=\"%s\"><title>", cls,
                   i, mpu_color(i));
    gs_sink_printf(s, "R%u %s", i, m->role);
    if (m->used)
        title_line(s, "logical [0x%08X, 0x%08llX) %u bytes", (unsigned)m->start,
                   (unsigned long long)m->start + m->size, (unsigned)m->size);
    title_line(s,
               "RBAR 0x%08X, RASR 0x%08X: %s, base 0x%08X, %llu bytes, SRD 0x%02X, AP %u (%s), "
               "XN %u -> unprivileged %s",
               (unsigned)m->rbar, (unsigned)m->rasr, m->enabled ? "enabled" : "DISABLED",
               (unsigned)m->base, (unsigned long long)m->bytes, m->srd, m->ap,
               gs_pmsav7_ap_name(m->ap), m->xn, gs_layout_rights_str(m->rights, rs));
    if (c && c->sharer >= 0)
        title_line(s, "IPC buffer shared by process %d \"%s\" (its IPC RW slot %u)", c->sharer,
                   gs_process_name(l->k->procs[c->sharer]), c->slot);
    else if (c)
        title_line(s, "IPC buffer: STALE, no live client shares it (tock#4371)");
    gs_sink_printf(s, "</title>\n");
    snprintf(t, sizeof(t), "R%u %s", i, m->role);
    svg_text(s, 20, y + 12, "font-weight=\"bold\"", t);
    if (m->bytes < 256) {
        svg_subregion(s, l, i, -1, y);
    } else {
        for (int k = 0; k < 8; k++)
            svg_subregion(s, l, i, k, y);
    }
    if (c && c->sharer >= 0)
        snprintf(ipc, sizeof(ipc), "  IPC buffer of process %d \"%.40s\"", c->sharer,
                 gs_process_name(l->k->procs[c->sharer]));
    else
        snprintf(ipc, sizeof(ipc), "%s", c ? "  IPC buffer: STALE" : "");
    snprintf(t, sizeof(t), "RBAR 0x%08X  RASR 0x%08X  %sbase 0x%08X  %llu B  SRD 0x%02X  %s%s",
             (unsigned)m->rbar, (unsigned)m->rasr, m->enabled ? "" : "DISABLED ", (unsigned)m->base,
             (unsigned long long)m->bytes, m->srd, gs_layout_rights_str(m->rights, rs), ipc);
    svg_text(s, SVG_CELL_X + 8 * SVG_CELL_W + 8, y + 12, "fill=\"#222\" xml:space=\"preserve\"", t);
    gs_sink_printf(s, "</g>\n");
}

/* The panel under the lists (y: the lists' last line). Returns its last line's y. */
static double svg_mpu_regions(const struct svg *v, double y)
{
    const struct gs_layout *l = v->l;
    struct gs_sink *s = v->s;
    char t[200];
    size_t o = 0;

    y += 34;
    snprintf(t, sizeof(t),
             "MPU regions of the process's config (id %u): RBAR, RASR and the eight subregions%s",
             (unsigned)l->mpu_config_id, l->has_mpu ? "" : " (the process has no MPU config)");
    svg_text(s, 20, y, "font-weight=\"bold\"", t);
    y += 8;
    t[0] = '\0';
    for (unsigned i = 0; i < l->mpu_num_regions; i++) {
        const struct gs_layout_mpu_region *m = &l->mpu[i];
        if (!m->used && !m->enabled) {
            if (o + 8 < sizeof(t))
                o += (size_t)snprintf(t + o, sizeof(t) - o, "%sR%u", o ? ", " : "", i);
            continue;
        }
        svg_mpu_region_row(s, l, i, y);
        y += SVG_ROW_H;
    }
    if (o) {
        y += 12;
        snprintf(t + o, sizeof(t) - o, " unused");
        svg_text(s, 20, y, "fill=\"#555\"", t);
    }
    return y;
}

static void svg_legend_item(struct gs_sink *s, double x, double y, const char *fill,
                            const char *stroke, const char *label)
{
    gs_sink_printf(s,
                   "<rect class=\"legend-swatch\" x=\"%.1f\" y=\"%.1f\" width=\"16\" height=\"11\" "
                   "fill=\"%s\" stroke=\"%s\" stroke-width=\"%s\"/>\n",
                   x, y - 9, fill, stroke ? stroke : "#555", stroke ? "1.5" : "0.6");
    svg_text(s, x + 22, y, NULL, label);
}

/* The legend (y: the last line above it): colours, hatches, brackets, cells, scale. Returns
 * its last line's y. */
static double svg_legend(const struct svg *v, double y)
{
    struct gs_sink *s = v->s;
    unsigned col = 0;
    double x0 = 20;

    gs_sink_printf(s, "<g class=\"legend\">\n");
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
    svg_legend_item(s, x0, y, flash_color("TBF header"), NULL, "TBF header");
    svg_legend_item(s, x0 + 230, y, flash_color("protected trailer"), NULL, "protected trailer");
    svg_legend_item(s, x0 + 460, y, flash_color("binary"), NULL, "binary");
    svg_legend_item(s, x0 + 690, y, flash_color("footers"), NULL, "footers");
    y += 18;
    svg_legend_item(s, x0, y, "url(#hatch-leak)", "#d00000",
                    "leak: MPU permits, kernel did not intend");
    svg_legend_item(s, x0 + 460, y, "url(#hatch-forbidden)", "#6a1b9a",
                    "forbidden: kernel intends, MPU forbids");
    svg_legend_item(s, x0 + 920, y, "url(#hatch-slack)", "#b08800",
                    "slack: subregion rounding above the app break (expected)");
    y += 18;
    svg_legend_item(s, x0, y, "#9bb8dd", mpu_color(0), "enabled subregion (region's colour)");
    svg_legend_item(s, x0 + 460, y, "url(#hatch-off)", "#888",
                    "disabled subregion (its SRD bit set)");
    svg_text(s, x0 + 920, y, NULL, "MPU region colours:");
    for (unsigned i = 0; i < 8; i++) {
        char t[8];
        snprintf(t, sizeof(t), "R%u", i);
        gs_sink_printf(s,
                       "<rect class=\"legend-swatch\" x=\"%u\" y=\"%.1f\" width=\"12\" "
                       "height=\"11\" fill=\"%s\"/>\n",
                       1072 + 50 * i, y - 9, mpu_color(i));
        svg_text(s, 1072 + 50 * i + 15, y, "font-size=\"10\"", t);
    }
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
    y += 16;
    svg_text(s, x0, y, NULL,
             "Tooltips: every region, slot group, bracket, box and subregion cell names its range, "
             "owner and values (slot contents, RBAR/RASR).");
    gs_sink_printf(s, "</g>\n");
    return y;
}

void gs_layout_print_svg(const struct gs_layout *l, struct gs_sink *s)
{
    struct gs_strbuf body = {0};
    struct gs_sink bs;
    struct svg v = {.l = l, .s = &bs};
    bool ok = svg_plan(&v);
    double y = 0;

    /* The body first, into a buffer: the picture's height is where it ends. */
    gs_strbuf_sink(&body, &bs, true);
    if (ok) {
        svg_process_block(&v);
        svg_ram(&v);
        svg_flash(&v);
        svg_elsewhere(&v);
        y = svg_legend(&v, svg_mpu_regions(&v, svg_lists(&v)));
    }
    if (!ok || body.oom || !body.data) {
        gs_sink_printf(s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg "
                          "xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>\n");
    } else {
        svg_header(s, l, (unsigned)(y + 24));
        s->write(s->ctx, body.data, body.len);
        gs_sink_printf(s, "</svg>\n");
    }
    gs_strbuf_free(&body);
    free(v.ram.it);
    free(v.fl.it);
}
