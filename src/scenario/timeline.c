/* SPDX-License-Identifier: MIT */
/*
 * A run as a picture in time (grantsim trace --format svg): the events of
 * the Trace Event Format writer (trace.c), drawn as an SVG that any browser
 * shows, with no trace viewer needed. One lane per process (and one for the
 * kernel); a syscall is a bar from its entry to its return, coloured by
 * class; upcalls, IPC notifications, memory (grants, brk), MPU
 * reconfigurations and faults are markers below it. Each bar and marker has
 * a <title> (a tooltip) with the call and its result or the text trace's
 * line. The time axis is simulated time.
 *
 * A long run has more events than pixels: the plot is TL_COLS columns wide,
 * and the events of one lane, column and class (or category) are drawn as
 * one shape whose title counts them and gives the first one's text. So the
 * picture's size is bounded whatever the run; TL_MAX_EVENTS events are kept
 * (the picture says so when more happened).
 */
#include "timeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TL_COLS       1000u    /* plot width in pixels = columns */
#define TL_LEFT       170u     /* lane labels */
#define TL_LANE       34u      /* lane height */
#define TL_TOP        56u      /* title and axis */
#define TL_MAX_EVENTS 2000000u /* kept events (~24 bytes each) */
#define TL_TEXT       200u     /* bytes of title text kept per shape */
#define TL_LANES      (GS_TL_MAX_PIDS)

struct tl_event {
    double ts, dur; /* simulated microseconds */
    uint8_t pid;
    uint8_t bar; /* 1: a syscall bar (kind = its class), 0: a marker (kind = category) */
    uint8_t kind;
    uint32_t text; /* index into texts + 1, or 0: none kept */
};

struct gs_timeline {
    struct tl_event *ev;
    size_t n, cap;
    unsigned long long dropped;
    char **texts; /* the first texts of every (lane, column, kind) are resolved at the end */
    size_t ntexts, captexts;
    char names[TL_LANES][96];
    bool named[TL_LANES];
};

static const char *const categories[GS_TL_CATEGORIES] = {"upcall", "ipc",   "memory",
                                                         "mpu",    "fault", "process"};
static const char *const cat_colours[GS_TL_CATEGORIES] = {"#2ca02c", "#9467bd", "#8c564b",
                                                          "#1f77b4", "#d62728", "#7f7f7f"};
/* Syscall classes 0-7 (Yield ... UserspaceReadableAllow), then invalid. */
static const char *const class_names[9] = {
    "Yield",         "Subscribe", "Command", "ReadWriteAllow",
    "ReadOnlyAllow", "Memop",     "Exit",    "UserspaceReadableAllow",
    "Invalid"};
static const char *const class_colours[9] = {"#9ecae1", "#a1d99b", "#fdae6b", "#bcbddc", "#dadaeb",
                                             "#fdd0a2", "#fc9272", "#c7e9c0", "#cccccc"};

struct gs_timeline *gs_timeline_new(void)
{
    return calloc(1, sizeof(struct gs_timeline));
}

void gs_timeline_free(struct gs_timeline *tl)
{
    if (!tl)
        return;
    for (size_t i = 0; i < tl->ntexts; i++)
        free(tl->texts[i]);
    free(tl->texts);
    free(tl->ev);
    free(tl);
}

void gs_timeline_name(struct gs_timeline *tl, unsigned pid, const char *name)
{
    if (pid >= TL_LANES)
        return;
    snprintf(tl->names[pid], sizeof(tl->names[pid]), "%s", name);
    tl->named[pid] = true;
}

static uint32_t keep_text(struct gs_timeline *tl, const char *text)
{
    char *c;

    if (!text || !*text)
        return 0;
    if (tl->ntexts == tl->captexts) {
        size_t cap = tl->captexts ? 2 * tl->captexts : 1024;
        char **v = realloc(tl->texts, cap * sizeof(*v));
        if (!v)
            return 0;
        tl->texts = v;
        tl->captexts = cap;
    }
    c = malloc(TL_TEXT);
    if (!c)
        return 0;
    snprintf(c, TL_TEXT, "%s", text);
    tl->texts[tl->ntexts++] = c;
    return (uint32_t)tl->ntexts;
}

void gs_timeline_add(struct gs_timeline *tl, unsigned pid, bool bar, unsigned kind, double ts,
                     double dur, const char *text)
{
    struct tl_event *e;

    if (pid >= TL_LANES)
        return;
    if (tl->n == TL_MAX_EVENTS) {
        tl->dropped++;
        return;
    }
    if (tl->n == tl->cap) {
        size_t cap = tl->cap ? 2 * tl->cap : 4096;
        struct tl_event *v = realloc(tl->ev, cap * sizeof(*v));
        if (!v) {
            tl->dropped++;
            return;
        }
        tl->ev = v;
        tl->cap = cap;
    }
    e = &tl->ev[tl->n++];
    e->ts = ts;
    e->dur = dur > 0 ? dur : 0;
    e->pid = (uint8_t)pid;
    e->bar = bar;
    e->kind = (uint8_t)(bar ? (kind < 8 ? kind : 8) : (kind < GS_TL_CATEGORIES ? kind : 5));
    /* Texts only while they may still be the first of their shape: bounded. */
    e->text = tl->ntexts < 200000 ? keep_text(tl, text) : 0;
}

unsigned gs_timeline_category(const char *cat)
{
    for (unsigned i = 0; i < GS_TL_CATEGORIES; i++)
        if (strcmp(cat, categories[i]) == 0)
            return i;
    return GS_TL_CATEGORIES - 1;
}

/* Text as XML character data (the shapes' titles, the lane names). */
static void put_xml(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '&':
            fputs("&amp;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        default:
            if ((unsigned char)*s >= 0x20 || *s == '\n')
                fputc(*s, f);
        }
    }
}

/* A time in simulated microseconds, readable. */
static void put_time(FILE *f, double us)
{
    if (us >= 1e6)
        fprintf(f, "%.6g s", us / 1e6);
    else if (us >= 1e3)
        fprintf(f, "%.6g ms", us / 1e3);
    else
        fprintf(f, "%.6g \xc2\xb5s", us);
}

/* One drawn shape: the events of a lane, column and kind. */
struct shape {
    double ts, end; /* first event's start, last end */
    unsigned long long count;
    uint32_t text; /* the first event's */
};

/* The lanes drawn: the named pids and those with events, in pid order. */
static unsigned lanes_of(const struct gs_timeline *tl, int lane_of[TL_LANES])
{
    bool used[TL_LANES] = {false};
    unsigned n = 0;

    for (size_t i = 0; i < tl->n; i++)
        used[tl->ev[i].pid] = true;
    for (unsigned p = 0; p < TL_LANES; p++) {
        lane_of[p] = -1;
        if (used[p] || tl->named[p])
            lane_of[p] = (int)n++;
    }
    return n;
}

/* A round tick step (1, 2 or 5 times a power of ten) for at most 10 ticks up to t_end. */
static double tick_step(double t_end)
{
    double step = 1e-3;

    while (t_end / step > 10) {
        if (t_end / (step * 2) <= 10)
            return step * 2;
        if (t_end / (step * 5) <= 10)
            return step * 5;
        step *= 10;
    }
    return step;
}

static void draw_axis(FILE *f, double t_end, unsigned height)
{
    double step = tick_step(t_end);

    fprintf(f, "<g class=\"axis\" font-size=\"11\" fill=\"#333\">\n");
    for (unsigned i = 0; i <= 10 && i * step <= t_end * (1 + 1e-9); i++) {
        double x = TL_LEFT + i * step / t_end * TL_COLS;
        fprintf(f, "<line x1=\"%.1f\" y1=\"%u\" x2=\"%.1f\" y2=\"%u\" stroke=\"#ddd\"/>", x,
                TL_TOP - 6, x, height);
        fprintf(f, "<text x=\"%.1f\" y=\"%u\" text-anchor=\"middle\">", x, TL_TOP - 10);
        put_time(f, i * step);
        fputs("</text>\n", f);
    }
    fputs("</g>\n", f);
}

static void draw_shape(FILE *f, const struct gs_timeline *tl, const struct shape *s, bool bar,
                       unsigned kind, double t_end, unsigned y)
{
    double x0 = TL_LEFT + s->ts / t_end * TL_COLS, x1 = TL_LEFT + s->end / t_end * TL_COLS;
    const char *text = s->text ? tl->texts[s->text - 1] : "";

    if (bar) {
        double w = x1 - x0 < 1.5 ? 1.5 : x1 - x0;
        fprintf(f,
                "<rect class=\"syscall\" x=\"%.2f\" y=\"%u\" width=\"%.2f\" height=\"16\" "
                "fill=\"%s\" stroke=\"#555\" stroke-width=\"0.3\"><title>",
                x0, y + 4, w, class_colours[kind]);
    } else {
        fprintf(f, "<path class=\"marker %s\" d=\"M%.2f %u l4 7 h-8 z\" fill=\"%s\"><title>",
                categories[kind], x0, y + 21, cat_colours[kind]);
    }
    if (s->count > 1)
        fprintf(f, "%llu %s events from ", s->count, bar ? class_names[kind] : categories[kind]);
    else
        fprintf(f, "%s at ", bar ? class_names[kind] : categories[kind]);
    put_time(f, s->ts);
    if (bar) {
        fputs(", for ", f);
        put_time(f, s->end - s->ts);
    }
    fputs(s->count > 1 ? "; the first: " : ": ", f);
    put_xml(f, text);
    fputs(bar ? "</title></rect>\n" : "</title></path>\n", f);
}

static void draw_legend(FILE *f, unsigned y)
{
    unsigned x = TL_LEFT;

    fprintf(f, "<g class=\"legend\" font-size=\"11\" fill=\"#333\">\n");
    fprintf(f, "<text x=\"10\" y=\"%u\">syscalls</text>\n", y + 12);
    for (unsigned k = 0; k < 9; k++) {
        fprintf(f,
                "<rect x=\"%u\" y=\"%u\" width=\"14\" height=\"12\" fill=\"%s\" stroke=\"#555\" "
                "stroke-width=\"0.3\"/><text x=\"%u\" y=\"%u\">%s</text>\n",
                x, y + 2, class_colours[k], x + 18, y + 12, class_names[k]);
        x += 32 + 6 * (unsigned)strlen(class_names[k]); /* about 6 px a character at 11 px */
    }
    x = TL_LEFT;
    fprintf(f, "<text x=\"10\" y=\"%u\">events</text>\n", y + 32);
    for (unsigned k = 0; k < GS_TL_CATEGORIES; k++, x += 90)
        fprintf(f,
                "<path d=\"M%u %u l5 9 h-10 z\" fill=\"%s\"/><text x=\"%u\" y=\"%u\">%s</text>\n",
                x + 6, y + 22, cat_colours[k], x + 18, y + 32, categories[k]);
    fputs("</g>\n", f);
}

/*
 * Draws every kept event of one lane, column by column: consecutive events
 * of one kind in one column merge into a shape.
 */
static void draw_lane(FILE *f, const struct gs_timeline *tl, unsigned pid, double t_end, unsigned y)
{
    /* Per kind (9 classes, then the categories): the shape being gathered. */
    struct shape open[9 + GS_TL_CATEGORIES];
    long col[9 + GS_TL_CATEGORIES];

    for (unsigned k = 0; k < 9 + GS_TL_CATEGORIES; k++)
        col[k] = -1;
    for (size_t i = 0; i <= tl->n; i++) {
        const struct tl_event *e = i < tl->n ? &tl->ev[i] : NULL;
        unsigned k;
        long c;
        if (e && e->pid != pid)
            continue;
        if (!e) { /* the end: draw what is open */
            for (k = 0; k < 9 + GS_TL_CATEGORIES; k++)
                if (col[k] >= 0)
                    draw_shape(f, tl, &open[k], k < 9, k < 9 ? k : k - 9, t_end, y);
            break;
        }
        k = e->bar ? e->kind : 9u + e->kind;
        c = (long)(e->ts / t_end * TL_COLS);
        /* A bar a pixel or more wide is drawn on its own. */
        if (col[k] >= 0 && (c != col[k] || (e->bar && e->dur / t_end * TL_COLS >= 1.0) ||
                            (open[k].end - open[k].ts) / t_end * TL_COLS >= 1.0)) {
            draw_shape(f, tl, &open[k], k < 9, k < 9 ? k : k - 9, t_end, y);
            col[k] = -1;
        }
        if (col[k] < 0) {
            col[k] = c;
            open[k].ts = e->ts;
            open[k].end = e->ts + e->dur;
            open[k].count = 1;
            open[k].text = e->text;
        } else {
            open[k].count++;
            if (e->ts + e->dur > open[k].end)
                open[k].end = e->ts + e->dur;
        }
    }
}

void gs_timeline_write_svg(const struct gs_timeline *tl, FILE *f, const char *title)
{
    int lane_of[TL_LANES];
    unsigned nl = lanes_of(tl, lane_of);
    unsigned plot_end = TL_TOP + nl * TL_LANE, width = TL_LEFT + TL_COLS + 30;
    unsigned height = plot_end + 70;
    double t_end = 0;

    for (size_t i = 0; i < tl->n; i++)
        if (tl->ev[i].ts + tl->ev[i].dur > t_end)
            t_end = tl->ev[i].ts + tl->ev[i].dur;
    if (t_end <= 0)
        t_end = 1;
    fprintf(f,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%u\" height=\"%u\" "
            "viewBox=\"0 0 %u %u\" font-family=\"sans-serif\">\n",
            width, height, width, height);
    fprintf(f, "<rect width=\"%u\" height=\"%u\" fill=\"white\"/>\n", width, height);
    fputs("<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">", f);
    put_xml(f, title);
    fputs("</text>\n<text x=\"10\" y=\"36\" font-size=\"11\" fill=\"#555\">simulated time; hover "
          "a bar or marker for the call, its result or the event",
          f);
    if (tl->dropped)
        fprintf(f, "; only the first %u events are drawn (%llu more happened)", TL_MAX_EVENTS,
                tl->dropped);
    fputs("</text>\n", f);
    draw_axis(f, t_end, plot_end);
    for (unsigned p = 0; p < TL_LANES; p++) {
        unsigned y;
        if (lane_of[p] < 0)
            continue;
        y = TL_TOP + (unsigned)lane_of[p] * TL_LANE;
        fprintf(f, "<g class=\"lane\" data-pid=\"%u\">\n", p);
        fprintf(f,
                "<rect x=\"0\" y=\"%u\" width=\"%u\" height=\"%u\" fill=\"%s\"/>"
                "<text x=\"10\" y=\"%u\" font-size=\"12\">",
                y, width, TL_LANE, lane_of[p] % 2 ? "#f7f7f7" : "#ffffff", y + 21);
        put_xml(f, tl->named[p] ? tl->names[p] : "?");
        fputs("</text>\n", f);
        draw_lane(f, tl, p, t_end, y);
        fputs("</g>\n", f);
    }
    draw_legend(f, plot_end + 12);
    fputs("</svg>\n", f);
}
