/* SPDX-License-Identifier: MIT */
/*
 * The trace: an observer that writes one line per kernel event of interest.
 *
 *   TIME pSLOT:NAME EVENT DETAILS
 *
 * TIME is the kernel's clock in guest instructions (DESIGN.md decision 5),
 * right-aligned in 10 columns; SLOT and NAME identify the process ("-" for
 * kernel-wide events). Every value printed comes from the simulated target,
 * never from the host, so the same scenario gives the same bytes: diff two
 * traces (two runs, two profiles, two cases) to see where they part.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "arch.h"
#include "process.h"
#include "scn_internal.h"
#include "sched.h"
#include "syscall.h"
#include "tasks.h"
#include "timeline.h"

/* A syscall of a process between its entry and its return (chrome format). */
struct pending {
    bool open;
    uint64_t at;
    uint32_t cls;
    char call[160];
};

struct gs_trace {
    FILE *out;
    const struct gs_kernel *k;
    /* The Trace Event Format (gs_trace_new_chrome). */
    bool chrome;
    bool any;                          /* an event was written: the next needs a comma */
    uint64_t clock_hz;                 /* simulated time to microseconds */
    bool named[GS_MAX_PROCS + 1];      /* pid 0 (kernel) and 1 + slot: metadata written */
    struct pending open[GS_MAX_PROCS]; /* by process slot */
    /* The same events drawn as an SVG timeline (gs_trace_new_svg), not written. */
    struct gs_timeline *svg;
    char title[200];
};

struct gs_trace *gs_trace_new(FILE *out)
{
    struct gs_trace *t = calloc(1, sizeof(*t));

    if (t)
        t->out = out;
    return t;
}

struct gs_trace *gs_trace_new_chrome(FILE *out, uint64_t clock_hz)
{
    struct gs_trace *t = gs_trace_new(out);

    if (t) {
        t->chrome = true;
        t->clock_hz = clock_hz ? clock_hz : 64000000u;
        fputs("{\"displayTimeUnit\": \"ns\", \"otherData\": {\"producer\": \"grantsim trace\", "
              "\"clock\": \"simulated time\"}, \"traceEvents\": [\n",
              out);
    }
    return t;
}

struct gs_trace *gs_trace_new_svg(FILE *out, uint64_t clock_hz, const char *title)
{
    struct gs_trace *t = gs_trace_new(out);

    if (!t)
        return NULL;
    t->chrome = true;
    t->clock_hz = clock_hz ? clock_hz : 64000000u;
    t->svg = gs_timeline_new();
    if (!t->svg) {
        free(t);
        return NULL;
    }
    snprintf(t->title, sizeof(t->title), "%s", title ? title : "grantsim trace");
    return t;
}

static void chrome_finish(struct gs_trace *t);

void gs_trace_free(struct gs_trace *t)
{
    if (t && t->chrome)
        chrome_finish(t);
    free(t);
}

void gs_trace_set_kernel(struct gs_trace *t, const struct gs_kernel *k)
{
    t->k = k;
}

void gs_trace_not_loaded(struct gs_trace *t, const char *name, const char *why)
{
    fprintf(t->out, "%10llu - not loaded %s: %s\n",
            t->k ? (unsigned long long)gs_kernel_now(t->k) : 0ull, name, why);
}

/* Writes s[0..n) escaped, in quotes. */
static void put_quoted(FILE *f, const char *s, size_t n)
{
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '\n')
            fputs("\\n", f);
        else if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch < 0x20 || ch >= 0x7F)
            fprintf(f, "\\x%02x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

static void syscall_text(const struct gs_event *ev, char *buf, size_t n)
{
    struct gs_scn_step st;
    char *s;

    memset(&st, 0, sizeof(st));
    st.kind = ev->a;
    for (unsigned i = 0; i < 4; i++) {
        st.a[i].base = GS_SB_ABS;
        st.a[i].of = -1;
        st.a[i].v = ev->r[i];
    }
    s = gs_scn_step_text(&st, NULL);
    snprintf(buf, n, "%s", s ? s : "?");
    free(s);
}

/* A return as the registers its variant wrote (gs_ret_layout): the ErrorCode by name. */
static void return_text(const struct gs_event *ev, char *buf, size_t n)
{
    const struct gs_ret_layout *l = gs_ret_layout((enum gs_ret_variant)ev->a);
    const uint32_t *r = ev->r;
    size_t at;

    if (ev->a == GS_RET_YIELD_WAIT_FOR) {
        snprintf(buf, n, "wait-for result (0x%x, 0x%x, 0x%x)", r[0], r[1], r[2]);
        return;
    }
    if (!l) {
        snprintf(buf, n, "? 0x%x 0x%x 0x%x", r[1], r[2], r[3]);
        return;
    }
    at = (size_t)snprintf(buf, n, "%s", l->name);
    for (unsigned i = 1; i < 4 && at < n; i++) {
        if (l->reg[i] == GS_RS_ERR)
            at += (size_t)snprintf(buf + at, n - at, " %s", gs_ecode_name((int)r[i]));
        else if (l->reg[i] != GS_RS_NONE)
            at += (size_t)snprintf(buf + at, n - at, " 0x%x", r[i]);
    }
}

/* Whether an event is traced at all (both formats). */
static bool traced(enum gs_event_kind kind)
{
    switch (kind) {
    case GS_EV_SYSCALL:
    case GS_EV_SYSCALL_RETURN:
    case GS_EV_UPCALL_DELIVERED:
    case GS_EV_IPC_DISPATCH:
    case GS_EV_GRANT_ALLOCATED:
    case GS_EV_CUSTOM_ALLOCATED:
    case GS_EV_MPU_CONFIGURED:
    case GS_EV_FAULT:
    case GS_EV_BRK:
    case GS_EV_PROCESS_CREATED:
    case GS_EV_TERMINATED:
    case GS_EV_RESTARTED:
    case GS_EV_TASK_DROPPED:
    case GS_EV_CONSOLE:
    case GS_EV_CONSOLE_INPUT:
    case GS_EV_DEBUG:
    case GS_EV_QUIRK:
    case GS_EV_PANIC:
    case GS_EV_FINDING:
        return true;
    default:
        return false; /* state changes, queueing, grant enter/leave: implied by the others */
    }
}

/* What happened, as the text line says it after the time and the process (with '\n'). */
static void describe(const struct gs_event *ev, FILE *f)
{
    const struct gs_process *p = ev->p;
    char buf[256];

    switch (ev->kind) {
    case GS_EV_SYSCALL:
        syscall_text(ev, buf, sizeof(buf));
        fprintf(f, "syscall %s\n", buf);
        break;
    case GS_EV_SYSCALL_RETURN:
        return_text(ev, buf, sizeof(buf));
        fprintf(f, "return %s\n", buf);
        break;
    case GS_EV_UPCALL_DELIVERED:
        if (ev->b)
            fprintf(f, "upcall driver 0x%x sub %u fn 0x%x (0x%x, 0x%x, 0x%x) appdata 0x%x\n", ev->c,
                    ev->d, ev->a, ev->r[0], ev->r[1], ev->r[2], ev->r[3]);
        else
            fprintf(f, "upcall kernel fn 0x%x (0x%x, 0x%x, 0x%x, 0x%x)\n", ev->a, ev->r[0],
                    ev->r[1], ev->r[2], ev->r[3]);
        break;
    case GS_EV_IPC_DISPATCH:
        fprintf(f, "ipc %s notification from p%u: buffer 0x%x len %u\n",
                ev->b == GS_IPC_CLIENT ? "client" : "service", ev->a, ev->d, ev->c);
        break;
    case GS_EV_GRANT_ALLOCATED:
        fprintf(f, "grant %u (driver 0x%x) allocated at 0x%08x size %u\n", ev->a, ev->d, ev->b,
                ev->c);
        break;
    case GS_EV_CUSTOM_ALLOCATED:
        fprintf(f, "custom grant %u allocated at 0x%08x size %u\n", ev->a, ev->b, ev->c);
        break;
    case GS_EV_MPU_CONFIGURED:
        fprintf(f, "mpu config %u:", ev->a);
        if (p) {
            for (unsigned i = 0; i < p->mpu_cfg.num_regions && i < GS_PMSAV7_MAX_REGIONS; i++) {
                const struct gs_mpu_region *r = &p->mpu_cfg.regions[i];
                if (r->used)
                    fprintf(f, " r%u 0x%08x/0x%08x", i, r->rbar, r->rasr);
            }
        }
        fputc('\n', f);
        break;
    case GS_EV_FAULT:
        fprintf(f, "fault %s at 0x%08x", gs_fault_kind_name((enum gs_fault_kind)ev->a), ev->b);
        if (ev->c)
            fprintf(f, " pc 0x%08x", ev->c);
        fputc('\n', f);
        break;
    case GS_EV_BRK:
        fprintf(f, "brk 0x%08x -> 0x%08x\n", ev->a, ev->b);
        break;
    case GS_EV_PROCESS_CREATED:
        fprintf(f, "created memory 0x%08x len 0x%x\n", ev->a, ev->b);
        break;
    case GS_EV_TERMINATED:
        if (ev->b)
            fprintf(f, "terminated completion code %d\n", (int32_t)ev->a);
        else
            fprintf(f, "terminated\n");
        break;
    case GS_EV_RESTARTED:
        fprintf(f, "restarted (restart count %u)\n", ev->a);
        break;
    case GS_EV_TASK_DROPPED:
        fprintf(f, "task dropped (%s, driver 0x%x sub %u): %s\n",
                gs_task_kind_name((enum gs_task_kind)ev->a), ev->b, ev->c,
                gs_ecode_name((int)ev->d));
        break;
    case GS_EV_CONSOLE:
        fputs("console ", f);
        put_quoted(f, ev->text ? ev->text : "", ev->text ? ev->a : 0);
        fputc('\n', f);
        break;
    case GS_EV_CONSOLE_INPUT:
        fputs("console input ", f);
        put_quoted(f, ev->text ? ev->text : "", ev->text ? ev->a : 0);
        fprintf(f, ": %u received, %u lost\n", ev->b, ev->a - ev->b);
        break;
    case GS_EV_DEBUG:
        fputs("debug ", f);
        put_quoted(f, ev->text ? ev->text : "", ev->text ? strlen(ev->text) : 0);
        fputc('\n', f);
        break;
    case GS_EV_QUIRK:
        fprintf(f, "quirk %s\n", ev->text ? ev->text : "(upstream quirk exercised)");
        break;
    case GS_EV_PANIC:
        fprintf(f, "KERNEL PANIC %s\n", ev->text ? ev->text : "");
        break;
    case GS_EV_FINDING:
        if (ev->finding) {
            gs_finding_id(ev->finding, buf, sizeof(buf));
            fprintf(f, "FINDING %s: %s\n", buf, ev->finding->text);
        } else {
            fputs("FINDING\n", f);
        }
        break;
    default:
        break;
    }
}

/* ------------------------------------------------- Trace Event Format */

/*
 * The Trace Event Format (the JSON that chrome://tracing and Perfetto
 * open): pid 0 is the kernel, pid 1 + SLOT the process in slot SLOT (named
 * "pSLOT:NAME" by a process_name metadata event); ts and dur are simulated
 * microseconds (the kernel clock at the scenario's clock_hz). A syscall is a
 * complete event ("X") from its entry to its return value, or, for one that
 * returns none (Yield-Wait, exit), to the process's next event; everything
 * else is an instant event ("i") whose args.detail is the text trace's line.
 */
static double micros(const struct gs_trace *t, uint64_t at)
{
    return (double)at * 1e6 / (double)t->clock_hz;
}

/* A string member of o, or "". */
static const char *member(const json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));

    return v ? v : "";
}

/* The class number of a syscall event's name (gs_syscall_class_name), 8 if none. */
static unsigned class_of(const char *name)
{
    unsigned k = 0;

    while (k < 8 && strcmp(name, gs_syscall_class_name(k)) != 0)
        k++;
    return k;
}

/* Hands one Trace Event Format event to the SVG timeline (and frees it). */
static void put_timeline(struct gs_trace *t, json_t *o)
{
    json_t *args = json_object_get(o, "args");
    const char *ph = member(o, "ph");
    unsigned pid = (unsigned)json_integer_value(json_object_get(o, "pid"));
    double ts = json_number_value(json_object_get(o, "ts"));
    char text[400];

    if (strcmp(ph, "M") == 0) {
        gs_timeline_name(t->svg, pid, member(args, "name"));
    } else if (strcmp(ph, "X") == 0) {
        snprintf(text, sizeof(text), "%s -> %s", member(args, "call"), member(args, "result"));
        gs_timeline_add(t->svg, pid, true, class_of(member(o, "name")), ts,
                        json_number_value(json_object_get(o, "dur")), text);
    } else {
        snprintf(text, sizeof(text), "%s: %s", member(o, "name"), member(args, "detail"));
        gs_timeline_add(t->svg, pid, false, gs_timeline_category(member(o, "cat")), ts, 0, text);
    }
    json_decref(o);
}

static void put_event(struct gs_trace *t, json_t *o)
{
    if (!o)
        return;
    if (t->svg) { /* the picture takes the same event */
        put_timeline(t, o);
        return;
    }
    if (t->any)
        fputs(",\n", t->out);
    json_dumpf(o, t->out, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    t->any = true;
}

static void name_pid(struct gs_trace *t, const struct gs_process *p)
{
    unsigned pid = p ? p->index + 1 : 0;
    char name[96];

    if (pid > GS_MAX_PROCS || t->named[pid])
        return;
    t->named[pid] = true;
    if (p)
        snprintf(name, sizeof(name), "p%u:%s", p->index, gs_process_name(p));
    else
        snprintf(name, sizeof(name), "kernel");
    put_event(t, json_pack("{s:s,s:s,s:I,s:i,s:{s:s}}", "name", "process_name", "ph", "M", "pid",
                           (json_int_t)pid, "tid", 0, "args", "name", name));
}

/* Ends slot's open syscall at `end`, with its result (NULL: it returned none). */
static void close_syscall(struct gs_trace *t, unsigned slot, uint64_t end, const char *result)
{
    struct pending *o = &t->open[slot];

    if (!o->open)
        return;
    o->open = false;
    put_event(t, json_pack("{s:s,s:s,s:s,s:f,s:f,s:I,s:i,s:{s:s,s:s}}", "name",
                           gs_syscall_class_name(o->cls), "cat", "syscall", "ph", "X", "ts",
                           micros(t, o->at), "dur", micros(t, end - o->at), "pid",
                           (json_int_t)slot + 1, "tid", 0, "args", "call", o->call, "result",
                           result ? result : "(no return value)"));
}

static const char *chrome_cat(enum gs_event_kind k)
{
    switch (k) {
    case GS_EV_UPCALL_DELIVERED:
        return "upcall";
    case GS_EV_IPC_DISPATCH:
        return "ipc";
    case GS_EV_GRANT_ALLOCATED:
    case GS_EV_CUSTOM_ALLOCATED:
    case GS_EV_BRK:
        return "memory";
    case GS_EV_MPU_CONFIGURED:
        return "mpu";
    case GS_EV_FAULT:
    case GS_EV_PANIC:
    case GS_EV_FINDING:
        return "fault";
    default:
        return "process";
    }
}

static void chrome_event(struct gs_trace *t, const struct gs_event *ev)
{
    uint64_t now = t->k ? gs_kernel_now(t->k) : 0;
    const struct gs_process *p = ev->p;
    unsigned slot = p ? p->index : 0;
    char *text = NULL, buf[256];
    size_t len = 0;
    FILE *m;

    if (p && slot >= GS_MAX_PROCS)
        return;
    name_pid(t, p);
    if (p && ev->kind == GS_EV_SYSCALL_RETURN) {
        return_text(ev, buf, sizeof(buf));
        close_syscall(t, slot, now, buf);
        return;
    }
    /* A syscall that returned nothing (Yield-Wait, exit) ends when the process
     * runs again or stops; what the kernel does meanwhile (MPU, grants,
     * console, IPC) happens inside it. */
    if (p &&
        (ev->kind == GS_EV_SYSCALL || ev->kind == GS_EV_UPCALL_DELIVERED ||
         ev->kind == GS_EV_TERMINATED || ev->kind == GS_EV_RESTARTED || ev->kind == GS_EV_FAULT))
        close_syscall(t, slot, now, NULL);
    if (p && ev->kind == GS_EV_SYSCALL) {
        struct pending *o = &t->open[slot];
        o->open = true;
        o->at = now;
        o->cls = ev->a;
        syscall_text(ev, o->call, sizeof(o->call));
        return;
    }
    m = open_memstream(&text, &len);
    if (!m)
        return;
    describe(ev, m);
    fclose(m);
    if (len && text[len - 1] == '\n')
        text[--len] = '\0';
    put_event(t,
              json_pack("{s:s,s:s,s:s,s:s,s:f,s:I,s:i,s:{s:s}}", "name",
                        gs_event_kind_name(ev->kind), "cat", chrome_cat(ev->kind), "ph", "i", "s",
                        p ? "p" : "g", "ts", micros(t, now), "pid", (json_int_t)(p ? slot + 1 : 0),
                        "tid", 0, "args", "detail", text ? text : ""));
    free(text);
}

static void chrome_finish(struct gs_trace *t)
{
    uint64_t now = t->k ? gs_kernel_now(t->k) : 0;

    for (unsigned i = 0; i < GS_MAX_PROCS; i++)
        close_syscall(t, i, now, NULL);
    if (t->svg) {
        gs_timeline_write_svg(t->svg, t->out, t->title);
        gs_timeline_free(t->svg);
        t->svg = NULL;
        return;
    }
    fputs("\n]}\n", t->out);
}

void gs_trace_event(void *ctx, const struct gs_event *ev)
{
    struct gs_trace *t = ctx;
    FILE *f = t->out;

    if (!traced(ev->kind))
        return;
    if (t->chrome) {
        chrome_event(t, ev);
        return;
    }
    fprintf(f, "%10llu ", t->k ? (unsigned long long)gs_kernel_now(t->k) : 0ull);
    if (ev->p)
        fprintf(f, "p%u:%s ", ev->p->index, gs_process_name(ev->p));
    else
        fputs("- ", f);
    describe(ev, f);
}
