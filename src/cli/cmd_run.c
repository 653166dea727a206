/* SPDX-License-Identifier: MIT */
/*
 * grantsim run [--case ID] [--json] [--apps DIR] [--no-maps] [--verbose] FILE|DIR...
 *
 * Runs every case of every scenario file (a directory: every *.json below
 * it, in name order, except schema.json), prints each failure with what was
 * expected, what happened, the memory map and the command that reruns the
 * case alone, then "N passed, N failed". --json prints one JSON document
 * instead. Exit codes (DESIGN.md decision 7), the worst one wins in this
 * order: 2 bad input or usage, 3 an unexpected oracle finding or kernel
 * panic, 1 an expectation failed, 0 all passed.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "errors.h"
#include "scenario.h"

#ifndef GS_APPS_DIR
#define GS_APPS_DIR NULL
#endif

const char *gs_cmd_apps_dir(const char *option)
{
    const char *env = getenv("GRANTSIM_APPS");

    if (option)
        return option;
    if (env && *env)
        return env;
    return GS_APPS_DIR;
}

static int usage(FILE *f)
{
    fprintf(f, "usage: grantsim run [--case ID] [--json] [--apps DIR] [--no-maps] [--verbose] "
               "FILE|DIR...\n"
               "  runs scenario files (scenarios/README.md) and checks their expectations\n"
               "  --case ID   run only the case ID of each file\n"
               "  --json      print the results as one JSON document\n"
               "  --apps DIR  where \"app\": NAME finds NAME.elf (default: $GRANTSIM_APPS, "
               "then the build's apps)\n"
               "  --no-maps   do not print memory maps with failures\n"
               "  --verbose   also print the oracle findings that were expected\n"
               "exit: 0 pass, 1 an expectation failed, 2 bad input, 3 an oracle finding or "
               "kernel panic\n");
    return GS_EXIT_INPUT;
}

struct totals {
    unsigned passed, failed, known;
    int worst; /* exit code */
    json_t *results;
};

static int rank(int code)
{
    return code == GS_EXIT_INPUT ? 3 : code == GS_EXIT_FINDING ? 2 : code == GS_EXIT_FAIL ? 1 : 0;
}

static void note_exit(struct totals *t, int code)
{
    if (rank(code) > rank(t->worst))
        t->worst = code;
}

/* A file that could not be loaded (or a case that could not be validated). */
static void input_error(struct totals *t, const char *file, const char *case_id,
                        const struct gs_scn_err *err, bool json)
{
    t->failed++;
    note_exit(t, GS_EXIT_INPUT);
    if (json) {
        json_t *o = json_object();
        if (!o)
            return;
        json_object_set_new(o, "file", json_string(file));
        json_object_set_new(o, "case", case_id ? json_string(case_id) : json_null());
        json_object_set_new(o, "status", json_string("error"));
        json_object_set_new(o, "exit", json_integer(GS_EXIT_INPUT));
        json_object_set_new(o, "error", json_string(err->msg));
        if (err->line) {
            json_object_set_new(o, "line", json_integer(err->line));
            json_object_set_new(o, "column", json_integer(err->col));
        }
        if (err->path[0])
            json_object_set_new(o, "path", json_string(err->path));
        json_array_append_new(t->results, o);
    } else {
        printf("ERROR %s%s%s%s\n  %s\n", file, case_id ? " [case " : "", case_id ? case_id : "",
               case_id ? "]" : "", err->msg);
    }
}

static void run_case(struct totals *t, const struct gs_scn_file *f, int ci,
                     const struct gs_scn_opts *so, const struct gs_scn_run_opts *ro, bool json,
                     bool verbose)
{
    struct gs_scenario *s = NULL;
    struct gs_scn_err err;
    struct gs_scn_result r;
    int code;

    if (gs_scn_load(f, ci, so, &s, &err) != GS_OK) {
        input_error(t, gs_scn_file_path(f), ci >= 0 ? gs_scn_file_case_id(f, (unsigned)ci) : NULL,
                    &err, json);
        return;
    }
    if (gs_scn_run(s, ro, &r) != GS_OK) {
        snprintf(err.msg, sizeof(err.msg), "%s: out of host memory", s->file);
        err.line = 0;
        err.path[0] = '\0';
        input_error(t, s->file, s->case_id, &err, json);
        gs_scenario_free(s);
        return;
    }
    code = gs_scn_result_exit(&r);
    note_exit(t, code);
    if (code == GS_EXIT_PASS)
        t->passed++;
    else
        t->failed++;
    if (code == GS_EXIT_PASS && r.known_divergence)
        t->known++;
    if (json) {
        json_t *o = gs_scn_report_json(s, &r);
        if (o)
            json_array_append_new(t->results, o);
    } else {
        gs_scn_report_text(stdout, s, &r, "grantsim", verbose);
    }
    gs_scn_result_free(&r);
    gs_scenario_free(s);
}

int gs_cmd_run(int argc, char **argv)
{
    const char *case_id = NULL, *apps = NULL;
    bool json = false, verbose = false;
    struct gs_scn_run_opts ro = {.maps = true, .trace = NULL};
    struct gs_scn_opts so = {0};
    struct gs_scn_paths files = {0};
    struct totals t = {0};
    int i;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--case") == 0 && i + 1 < argc) {
            case_id = argv[++i];
        } else if (strcmp(a, "--apps") == 0 && i + 1 < argc) {
            apps = argv[++i];
        } else if (strcmp(a, "--json") == 0) {
            json = true;
        } else if (strcmp(a, "--no-maps") == 0) {
            ro.maps = false;
        } else if (strcmp(a, "--verbose") == 0 || strcmp(a, "-v") == 0) {
            verbose = true;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return GS_EXIT_PASS;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "grantsim run: unknown option %s\n", a);
            return usage(stderr);
        } else {
            size_t before = files.n;
            int rc = gs_scn_paths_add(&files, a);
            if (rc == 0 && files.n == before) {
                fprintf(stderr, "grantsim run: no scenario (*.json) in %s\n", a);
                rc = -1;
            }
            if (rc != 0) {
                if (files.n)
                    fprintf(stderr, "grantsim run: cannot list %s\n", a);
                gs_scn_paths_free(&files);
                return GS_EXIT_INPUT;
            }
        }
    }
    if (files.n == 0) {
        gs_scn_paths_free(&files);
        fprintf(stderr, "grantsim run: no scenario file given\n");
        return usage(stderr);
    }
    so.apps_dir = gs_cmd_apps_dir(apps);
    if (json) {
        t.results = json_array();
        if (!t.results) {
            fprintf(stderr, "grantsim run: out of memory\n");
            return GS_EXIT_INPUT;
        }
    }
    for (size_t k = 0; k < files.n; k++) {
        struct gs_scn_file *f = NULL;
        struct gs_scn_err err;
        if (gs_scn_file_open(files.v[k], &f, &err) != GS_OK) {
            input_error(&t, files.v[k], NULL, &err, json);
            continue;
        }
        if (case_id) {
            int ci = gs_scn_file_find_case(f, case_id);
            if (ci < 0) {
                char list[512] = "";
                size_t at = 0;
                for (unsigned c = 0; c < gs_scn_file_ncases(f) && at + 1 < sizeof(list); c++)
                    at += (size_t)snprintf(list + at, sizeof(list) - at, "%s%s", c ? ", " : "",
                                           gs_scn_file_case_id(f, c));
                memset(&err, 0, sizeof(err));
                snprintf(err.msg, sizeof(err.msg), "%s: no case \"%s\" (%s%s)", files.v[k], case_id,
                         list[0] ? "its cases: " : "the file has no cases", list);
                input_error(&t, files.v[k], case_id, &err, json);
            } else {
                run_case(&t, f, ci, &so, &ro, json, verbose);
            }
        } else if (gs_scn_file_ncases(f) == 0) {
            run_case(&t, f, -1, &so, &ro, json, verbose);
        } else {
            for (unsigned c = 0; c < gs_scn_file_ncases(f); c++)
                run_case(&t, f, (int)c, &so, &ro, json, verbose);
        }
        gs_scn_file_free(f);
    }
    if (json) {
        json_t *doc = json_object();
        char *text;
        json_object_set_new(doc, "grantsim", json_integer(GS_SCN_VERSION));
        json_object_set_new(doc, "results", t.results);
        json_object_set_new(doc, "passed", json_integer(t.passed));
        json_object_set_new(doc, "failed", json_integer(t.failed));
        json_object_set_new(doc, "known_divergences", json_integer(t.known));
        json_object_set_new(doc, "exit", json_integer(t.worst));
        text = json_dumps(doc, JSON_INDENT(2));
        if (text) {
            printf("%s\n", text);
            free(text);
        }
        json_decref(doc);
    } else {
        if (t.known)
            printf("%u passed, %u failed (%u of the passed are known divergences, listed "
                   "above)\n",
                   t.passed, t.failed, t.known);
        else
            printf("%u passed, %u failed\n", t.passed, t.failed);
    }
    gs_scn_paths_free(&files);
    return t.worst;
}
