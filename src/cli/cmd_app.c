/* SPDX-License-Identifier: MIT */
/*
 * grantsim run [options] APP...   (APP: an ELF, TBF or TAB file)
 *
 * Runs Tock apps the way a developer has them: libtock-c ELFs, the TBFs
 * elf2tab makes, or the TABs tockloader installs, on a default board with
 * the capsules libtock-c's examples use (console, alarm, LED, RNG, low-level
 * debug, IPC). Underneath it is a scenario built in memory (a JSON document
 * with no expectations), so the board, the loader and every oracle are the
 * ones scenario files use, and a bad option is reported as the scenario
 * key it sets. The console output is streamed while the board runs (with
 * "[NAME] " before each line when there are several processes), faults are
 * reported when they happen, and at the end each process's state, its exit
 * code or fault, and how the run ended. Exit codes as for scenarios: 0, 2
 * bad input, 3 an oracle finding or a kernel panic.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "errors.h"
#include "printer.h"
#include "process.h"
#include "scenario.h"
#ifdef GS_HAVE_TAB
#include "tab.h"
#endif

/*
 * "FILE=NAME" gives an ELF its package name (the name IPC discovery looks
 * for; an ELF does not carry one, elf2tab's -n gives it). Returns the path
 * (malloc'd) and *name (into arg, or NULL) when arg is not itself a file.
 */
static char *split_name(const char *arg, const char **name)
{
    const char *eq = strrchr(arg, '=');

    *name = NULL;
    if (eq && eq != arg && eq[1]) {
        FILE *f = fopen(arg, "rb");
        if (f) {
            fclose(f); /* a file whose name has a '=' */
        } else {
            *name = eq + 1;
            return strndup(arg, (size_t)(eq - arg));
        }
    }
    return strdup(arg);
}

static enum gs_app_kind kind_of(const char *path);

enum gs_app_kind gs_cmd_app_kind(const char *arg)
{
    const char *name;
    char *path = split_name(arg, &name);
    enum gs_app_kind k = path ? kind_of(path) : GS_APP_NONE;

    free(path);
    return k;
}

int gs_cmd_count_apps(const char *cmd, char **files, int n, const char *scenarios,
                      const struct gs_case_sel *sel)
{
    int napps = 0;

    for (int i = 0; i < n; i++)
        napps += gs_cmd_app_kind(files[i]) != GS_APP_NONE;
    if (napps == 0)
        return 0;
    if (napps != n) {
        fprintf(stderr, "grantsim %s: give app files (ELF, TBF, TAB) or %s, not both\n", cmd,
                scenarios);
        return -1;
    }
    if (sel->case_id || sel->apps) {
        fprintf(stderr, "grantsim %s: %s is for scenario files\n", cmd,
                sel->case_id ? "--case" : "--apps");
        return -1;
    }
    return napps;
}

static enum gs_app_kind kind_of(const char *path)
{
    static const struct {
        const char *ext;
        enum gs_app_kind kind;
    } exts[] = {{".elf", GS_APP_ELF}, {".tbf", GS_APP_TBF}, {".tab", GS_APP_TAB}};
    size_t n = strlen(path);
    unsigned char head[262];
    size_t got;
    FILE *f;

    for (unsigned i = 0; i < 3; i++)
        if (n > 4 && strcmp(path + n - 4, exts[i].ext) == 0)
            return exts[i].kind;
    if (n > 5 && strcmp(path + n - 5, ".json") == 0)
        return GS_APP_NONE;
    /* No known extension: look at the bytes (a directory is not opened as a file). */
    f = fopen(path, "rb");
    if (!f)
        return GS_APP_NONE;
    got = fread(head, 1, sizeof(head), f);
    fclose(f);
    if (got >= 4 && memcmp(head, "\177ELF", 4) == 0)
        return GS_APP_ELF;
    if (got >= 262 && memcmp(head + 257, "ustar", 5) == 0)
        return GS_APP_TAB;
    if (got >= 16 && head[0] == 2 && head[1] == 0) /* TBF header version 2 */
        return GS_APP_TBF;
    return GS_APP_NONE;
}

void gs_app_opts_default(struct gs_app_opts *o)
{
    memset(o, 0, sizeof(*o));
}

char *gs_cmd_file_stem(const char *path)
{
    const char *b = strrchr(path, '/');
    char *s, *dot;

    s = strdup(b ? b + 1 : path);
    if (s && (dot = strrchr(s, '.')) && dot != s)
        *dot = '\0';
    return s;
}

/* A number option as a JSON value: the string as given (the loader reads
 * "0x..." and decimal and says what it expected), or nothing. */
static int set_num(json_t *o, const char *key, const char *v)
{
    char *end;
    unsigned long long x;

    if (!v)
        return 0;
    errno = 0;
    x = strtoull(v, &end, 10);
    if (v[0] >= '0' && v[0] <= '9' && !*end && !errno && x <= (unsigned long long)LLONG_MAX)
        return json_object_set_new(o, key, json_integer((json_int_t)x)); /* decimal */
    return json_object_set_new(o, key, json_string(v));
}

/* The scenario document for the apps (a new reference, or NULL: out of memory). */
static json_t *apps_doc(const struct gs_app_opts *o, char **files, int n)
{
    json_t *doc = json_object(), *board = json_object(), *drivers = json_array();
    json_t *procs = json_array(), *ram = NULL, *flash = NULL, *mpu = NULL;
    static const char *const types[] = {"console", "alarm", "led", "rng", "lld", "ipc"};
    bool ok = doc && board && drivers && procs;

    for (unsigned i = 0; ok && i < sizeof(types) / sizeof(types[0]); i++) {
        json_t *d = json_pack("{s:s}", "type", types[i]);
        if (d && i == 0 && o->input)
            json_object_set_new(d, "input", json_string(o->input));
        ok = d && json_array_append_new(drivers, d) == 0;
    }
    if (ok && o->ram) {
        ram = json_pack("{s:s,s:s}", "base", "0x20000000", "size", o->ram);
        ok = ram && json_object_set_new(board, "ram", ram) == 0;
    }
    if (ok && o->flash) {
        flash = json_pack("{s:s,s:s}", "base", "0x0", "size", o->flash);
        ok = flash && json_object_set_new(board, "flash", flash) == 0;
    }
    if (ok && o->mpu_regions) {
        char *end;
        long r = strtol(o->mpu_regions, &end, 0);
        mpu = json_object();
        ok = mpu && json_object_set_new(board, "mpu", mpu) == 0 &&
             json_object_set_new(mpu, "regions",
                                 *end || end == o->mpu_regions ? json_string(o->mpu_regions)
                                                               : json_integer(r)) == 0;
    }
    if (ok && o->profile)
        ok = json_object_set_new(board, "profile", json_string(o->profile)) == 0;
    if (ok && o->fault_policy)
        ok = json_object_set_new(board, "fault_policy", json_string(o->fault_policy)) == 0;
    ok = ok && set_num(board, "max_instructions", o->max_instructions) == 0 &&
         set_num(board, "clock_hz", o->clock_hz) == 0;
    if (ok && o->has_time)
        ok = json_object_set_new(board, "max_time_us", json_integer((json_int_t)o->time_us)) == 0;
    for (int i = 0; ok && i < n; i++) {
        const char *given_name;
        char *file = split_name(files[i], &given_name);
        enum gs_app_kind kind = file ? kind_of(file) : GS_APP_NONE;
        json_t *p = json_object();
        char *abs = file ? realpath(file, NULL) : NULL, *name = NULL;
        const char *path = abs ? abs : file; /* unreadable: the loader says why */
        ok = p != NULL && file != NULL;
        if (ok && given_name)
            ok = json_object_set_new(p, "name", json_string(given_name)) == 0;
        if (ok && kind == GS_APP_ELF) {
            name = given_name ? strdup(given_name) : gs_cmd_file_stem(file);
            ok = name && json_object_set_new(p, "elf", json_string(path)) == 0 &&
                 json_object_set_new(p, "name", json_string(name)) == 0 &&
                 set_num(p, "min_ram", o->min_ram) == 0 && set_num(p, "stack", o->stack) == 0 &&
                 set_num(p, "app_heap", o->app_heap) == 0 &&
                 set_num(p, "kernel_heap", o->kernel_heap) == 0;
        } else if (ok) {
            ok = json_object_set_new(p, kind == GS_APP_TAB ? "tab" : "tbf", json_string(path)) == 0;
            if (ok && kind == GS_APP_TAB && o->arch)
                ok = json_object_set_new(p, "arch", json_string(o->arch)) == 0;
        }
        free(abs);
        free(name);
        free(file);
        if (p && json_array_append_new(procs, p) != 0)
            ok = false;
    }
    if (ok) {
        char *name = gs_cmd_file_stem(files[0]);
        ok = name && json_object_set_new(doc, "grantsim", json_integer(GS_SCN_VERSION)) == 0 &&
             json_object_set_new(doc, "name", json_string(name)) == 0;
        free(name);
    }
    if (ok && json_object_set(doc, "board", board) == 0 &&
        json_object_set(doc, "drivers", drivers) == 0 &&
        json_object_set(doc, "processes", procs) == 0) {
        json_decref(board);
        json_decref(drivers);
        json_decref(procs);
        return doc;
    }
    json_decref(doc);
    json_decref(board);
    json_decref(drivers);
    json_decref(procs);
    return NULL;
}

int gs_cmd_apps_scenario(const struct gs_app_opts *o, char **files, int n, struct gs_scenario **out)
{
    struct gs_scn_file *f = NULL;
    struct gs_scn_opts so = {0};
    struct gs_scn_err err;
    json_t *doc = apps_doc(o, files, n);
    int e;

    *out = NULL;
    if (!doc) {
        fprintf(stderr, "grantsim: out of memory\n");
        return GS_EXIT_INPUT;
    }
    so.apps_dir = NULL;
#ifdef GS_HAVE_TAB
    so.read_tab = gs_tab_read;
#endif
    /* The document's name is what error messages start with. */
    if (gs_scn_file_from_json("command line", doc, &f, &err) != GS_OK) {
        fprintf(stderr, "grantsim: %s\n", err.msg);
        return GS_EXIT_INPUT;
    }
    e = gs_scn_load(f, -1, &so, out, &err);
    gs_scn_file_free(f);
    if (e != GS_OK) {
        fprintf(stderr, "grantsim: %s\n", err.msg);
        return GS_EXIT_INPUT;
    }
    return GS_EXIT_PASS;
}

/* ------------------------------------------------------------- the run */

struct live {
    const struct gs_scenario *s;
    bool crlf;   /* fault reports end their lines "\r\n" */
    bool prefix; /* several processes: "[NAME] " at each line start */
    int at_bol[GS_BOARD_MAX_APPS + 1];
    const struct gs_process *last; /* whose line is open */
    unsigned faults;
};

/* Ends the line another process left open, so prefixes stay at line starts. */
static void close_line(struct live *L, const struct gs_process *p)
{
    if (L->last && L->last != p) {
        fputc('\n', stdout);
        L->last = NULL;
    }
}

static void on_event(void *ctx, const struct gs_event *ev)
{
    struct live *L = ctx;
    struct gs_sink sink = {.write = gs_cli_file_write, .ctx = stdout, .crlf = L->crlf};

    switch (ev->kind) {
    case GS_EV_CONSOLE:
        close_line(L, ev->p);
        for (uint32_t i = 0; i < ev->a; i++) {
            char c = ev->text[i];
            if (L->prefix && !L->last)
                printf("[%s] ", ev->p ? gs_process_name(ev->p) : "?");
            L->last = ev->p;
            fputc(c, stdout);
            if (c == '\n')
                L->last = NULL;
        }
        fflush(stdout);
        break;
    case GS_EV_FAULT:
        close_line(L, NULL);
        L->faults++;
        printf("grantsim: process \"%s\" faulted\n", ev->p ? gs_process_name(ev->p) : "?");
        if (ev->p)
            gs_print_fault_report(ev->p, &sink);
        fflush(stdout);
        break;
    case GS_EV_PANIC:
        close_line(L, NULL);
        printf("grantsim: kernel panic: %s\n", ev->text ? ev->text : "");
        break;
    default:
        break;
    }
}

static void attach(void *ctx, struct gs_kernel *k)
{
    gs_kernel_add_observer(k, on_event, ctx);
}

/* Each process at the end: its state, and its exit code, restarts or why it is not there. */
static void at_end(void *ctx, const struct gs_board *b)
{
    struct live *L = ctx;

    close_line(L, NULL);
    for (unsigned i = 0; i < L->s->nprocs && i < b->napps; i++) {
        const struct gs_scn_proc *sp = &L->s->procs[i];
        const struct gs_process *p = gs_board_process(b, i);
        char state[128];
        if (!p) {
            printf("grantsim: %s: not loaded: %s\n", sp->name, b->apps[i].why);
            continue;
        }
        gs_format_state(p, state, sizeof(state));
        printf("grantsim: %s: %s", sp->name, state);
        if (p->has_completion && p->completion_some)
            printf(", exit code %u", (unsigned)p->completion_code);
        else if (p->has_completion)
            printf(", completion: faulted");
        if (p->restart_count)
            printf(", %u restart%s", p->restart_count, p->restart_count == 1 ? "" : "s");
        printf(" (%u syscalls; RAM [0x%08X, 0x%08X))\n", (unsigned)p->syscall_count,
               p->memory_start, p->memory_start + p->memory_len);
    }
}

int gs_cmd_run_apps(const struct gs_app_opts *o, char **files, int n, bool json, bool crlf)
{
    struct gs_scenario *s = NULL;
    struct gs_scn_result r;
    struct live L;
    struct gs_scn_run_opts ro = {.maps = false, .trace = NULL};
    int code = gs_cmd_apps_scenario(o, files, n, &s);

    if (code != GS_EXIT_PASS)
        return code;
    for (unsigned i = 0; !json && i < s->nprocs && i < (unsigned)n; i++)
        if (s->procs[i].tab_entry)
            printf("grantsim: %s: running %s (package %s)\n", files[i], s->procs[i].tab_entry,
                   s->procs[i].name);
    memset(&L, 0, sizeof(L));
    L.s = s;
    L.prefix = s->nprocs > 1;
    L.crlf = crlf;
    if (!json) {
        ro.attach = attach;
        ro.at_end = at_end;
        ro.attach_ctx = &L;
    }
    if (gs_scn_run(s, &ro, &r) != GS_OK) {
        fprintf(stderr, "grantsim: out of host memory\n");
        gs_scenario_free(s);
        return GS_EXIT_INPUT;
    }
    code = gs_scn_result_exit(&r);
    if (json) {
        json_t *doc = gs_scn_report_json(s, &r);
        char *text = doc ? json_dumps(doc, JSON_INDENT(2)) : NULL;
        if (text)
            printf("%s\n", text);
        free(text);
        json_decref(doc);
    } else if (r.status == GS_SCN_ERROR) {
        printf("grantsim: the board could not be built: %s\n", r.error);
    } else {
        for (unsigned i = 0; i < r.nfindings; i++)
            printf("grantsim: oracle finding %s (x%u): %s\n", r.findings[i].id, r.findings[i].count,
                   r.findings[i].text);
        printf("grantsim: run ended: %s after %llu instructions, %.6f s of simulated time\n",
               gs_run_end_name(r.run_end), (unsigned long long)r.instructions,
               r.clock_hz ? (double)r.time / (double)r.clock_hz : 0.0);
    }
    gs_scn_result_free(&r);
    gs_scenario_free(s);
    return code;
}
