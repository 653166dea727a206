/* SPDX-License-Identifier: MIT */
/* Scenario results for people (text) and for machines (JSON). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "scn_internal.h"

void gs_scn_rerun_args(const struct gs_scenario *s, char *buf, size_t n)
{
    if (s->case_id)
        snprintf(buf, n, "%s --case %s", s->file, s->case_id);
    else
        snprintf(buf, n, "%s", s->file);
}

static const char *status_word(const struct gs_scn_result *r)
{
    switch (r->status) {
    case GS_SCN_PASS:
        return r->known_divergence ? "UNEXPECTED PASS" : "PASS";
    case GS_SCN_FAIL:
        return r->known_divergence ? "KNOWN DIVERGENCE" : "FAIL";
    case GS_SCN_FINDING:
        return r->known_divergence ? "KNOWN DIVERGENCE" : "FINDING";
    case GS_SCN_ERROR:
        return "ERROR";
    }
    return "?";
}

static const char *status_json(const struct gs_scn_result *r)
{
    switch (r->status) {
    case GS_SCN_PASS:
        return "pass";
    case GS_SCN_FAIL:
        return "fail";
    case GS_SCN_FINDING:
        return "finding";
    case GS_SCN_ERROR:
        return "error";
    }
    return "?";
}

/* Prints text with every line indented. */
static void indented(FILE *f, const char *text, const char *pad)
{
    const char *s = text;

    while (*s) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        fprintf(f, "%s%.*s\n", pad, (int)n, s);
        s += n + (nl ? 1 : 0);
    }
}

static bool finding_expected(const struct gs_scenario *s, const char *id)
{
    size_t n;

    for (unsigned j = 0; j < s->nfindings; j++) {
        n = strlen(s->findings[j]);
        if (n && s->findings[j][n - 1] == '*' ? strncmp(s->findings[j], id, n - 1) == 0
                                              : strcmp(s->findings[j], id) == 0)
            return true;
    }
    if (strncmp(id, "panic:", 6) == 0 && s->panic == 1)
        return true;
    for (unsigned k = 0; k < 4; k++) {
        static const char *const kinds[] = {"ownership:", "layout:", "isolation:", "panic:"};
        if (strncmp(id, kinds[k], strlen(kinds[k])) == 0 && !(s->silent & (1u << k)))
            return true;
    }
    return false;
}

/*
 * The line of a grantsim layout memory map ("  0xSTART  0xEND  BYTES  OWNER
 * ...") whose [START, END) holds addr; false when there is none.
 */
static bool map_line(const char *map, uint32_t addr, char *buf, size_t n)
{
    const char *s = map;

    while (s && *s) {
        const char *nl = strchr(s, '\n');
        size_t len = nl ? (size_t)(nl - s) : strlen(s);
        unsigned long lo, hi;
        int used = 0;
        if (sscanf(s, " 0x%lx 0x%lx%n", &lo, &hi, &used) == 2 && used > 0 && (size_t)used <= len &&
            lo <= addr && addr < hi) {
            while (len && (*s == ' ')) {
                s++;
                len--;
            }
            snprintf(buf, n, "%.*s", (int)len, s);
            return true;
        }
        s = nl ? nl + 1 : NULL;
    }
    return false;
}

void gs_scn_report_text(FILE *f, const struct gs_scenario *s, const struct gs_scn_result *r,
                        const char *prog, bool verbose)
{
    char rerun[512], label[600];
    bool shown_maps = !r->known_divergence || verbose;

    gs_scn_rerun_args(s, rerun, sizeof(rerun));
    if (s->case_id)
        snprintf(label, sizeof(label), "%s [case %s]", s->file, s->case_id);
    else
        snprintf(label, sizeof(label), "%s", s->file);
    if (r->status == GS_SCN_PASS && !r->known_divergence) {
        fprintf(f, "PASS  %s\n", label);
        return;
    }
    if (r->status == GS_SCN_ERROR) {
        fprintf(f, "ERROR %s\n  %s\n", label, r->error);
        return;
    }
    fprintf(f, "%s %s", status_word(r), label);
    if (r->nfailures)
        fprintf(f, ": %u expectation%s failed", r->nfailures, r->nfailures == 1 ? "" : "s");
    if (r->unexpected)
        fprintf(f, "%s%u unexpected oracle finding%s", r->nfailures ? ", " : ": ", r->unexpected,
                r->unexpected == 1 ? "" : "s");
    fputc('\n', f);
    if (r->known_divergence)
        fprintf(f, "  known divergence (the scenario is expected to fail): %s\n",
                s->known_divergence);
    if (r->status == GS_SCN_PASS)
        fprintf(f, "  every expectation held: the divergence seems fixed; remove "
                   "\"known_divergence\"\n");
    for (unsigned i = 0; i < r->nfailures; i++) {
        const struct gs_scn_failure *fl = &r->failures[i];
        bool dup = false;
        fprintf(f, "  %s\n", fl->where);
        fprintf(f, "    %s\n", fl->what);
        fprintf(f, "      expected: %s\n", fl->expected);
        fprintf(f, "      actual:   %s\n", fl->actual);
        if (!fl->map || !shown_maps)
            continue;
        if (!verbose) {
            /* Compact: the one line of the map that holds the address, if any. */
            char line[256];
            if (fl->has_addr && map_line(fl->map, fl->addr, line, sizeof(line)))
                fprintf(f, "      at 0x%08X: %s\n", fl->addr, line);
            continue;
        }
        /* A map identical to one shown for this case is not repeated. */
        for (unsigned j = 0; j < i && !dup; j++)
            dup = r->failures[j].map && r->failures[j].proc == fl->proc &&
                  strcmp(r->failures[j].map, fl->map) == 0;
        if (dup) {
            fprintf(f, "    memory map of \"%s\" %s: as above\n", s->procs[fl->proc].name,
                    fl->map_when ? fl->map_when : "");
            continue;
        }
        fprintf(f, "    memory map of \"%s\" %s:\n", s->procs[fl->proc].name,
                fl->map_when ? fl->map_when : "");
        indented(f, fl->map, "    | ");
    }
    for (unsigned i = 0; !verbose && shown_maps && i < r->nfailures; i++) {
        if (r->failures[i].map) {
            fprintf(f, "  memory maps at each failure: rerun with --verbose\n");
            break;
        }
    }
    if (r->nfindings && (r->unexpected || verbose)) {
        fprintf(f, "  oracle findings:\n");
        for (unsigned i = 0; i < r->nfindings; i++)
            fprintf(f, "    %s %s (x%u): %s\n",
                    finding_expected(s, r->findings[i].id) ? "expected  " : "UNEXPECTED",
                    r->findings[i].id, r->findings[i].count, r->findings[i].text);
    }
    if (r->panic[0])
        fprintf(f, "  kernel panic: %s\n", r->panic);
    fprintf(f, "  run ended: %s after %llu instructions, %.6f s of simulated time\n",
            gs_run_end_name(r->run_end), (unsigned long long)r->instructions,
            r->clock_hz ? (double)r->time / (double)r->clock_hz : 0.0);
    fprintf(f, "  rerun: %s run %s\n", prog, rerun);
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

void *gs_scn_report_json(const struct gs_scenario *s, const struct gs_scn_result *r)
{
    json_t *o = json_object(), *fails = json_array(), *finds = json_array();
    char rerun[512];

    if (!o || !fails || !finds) {
        json_decref(o);
        json_decref(fails);
        json_decref(finds);
        return NULL;
    }
    gs_scn_rerun_args(s, rerun, sizeof(rerun));
    json_object_set_new(o, "file", json_string(s->file));
    json_object_set_new(o, "case", str_or_null(s->case_id));
    json_object_set_new(o, "name", str_or_null(s->name));
    json_object_set_new(o, "status", json_string(status_json(r)));
    json_object_set_new(o, "exit", json_integer(gs_scn_result_exit(r)));
    json_object_set_new(o, "known_divergence", str_or_null(s->known_divergence));
    json_object_set_new(o, "rerun", json_string(rerun));
    if (r->status == GS_SCN_ERROR) {
        json_object_set_new(o, "error", json_string(r->error));
    } else {
        json_object_set_new(o, "run_end", json_string(gs_run_end_name(r->run_end)));
        json_object_set_new(o, "instructions", json_integer((json_int_t)r->instructions));
        json_object_set_new(o, "time", json_integer((json_int_t)r->time));
        json_object_set_new(o, "clock_hz", json_integer((json_int_t)r->clock_hz));
        json_object_set_new(o, "panic", r->panic[0] ? json_string(r->panic) : json_null());
    }
    for (unsigned i = 0; i < r->nfailures; i++) {
        const struct gs_scn_failure *fl = &r->failures[i];
        json_t *x = json_object();
        if (!x)
            continue;
        json_object_set_new(x, "where", json_string(fl->where));
        json_object_set_new(x, "what", json_string(fl->what));
        json_object_set_new(x, "expected", json_string(fl->expected));
        json_object_set_new(x, "actual", json_string(fl->actual));
        json_object_set_new(x, "process",
                            fl->proc >= 0 ? json_string(s->procs[fl->proc].name) : json_null());
        json_object_set_new(x, "memory_map", str_or_null(fl->map));
        json_object_set_new(x, "memory_map_when", str_or_null(fl->map_when));
        json_array_append_new(fails, x);
    }
    for (unsigned i = 0; i < r->nfindings; i++) {
        json_t *x = json_object();
        if (!x)
            continue;
        json_object_set_new(x, "id", json_string(r->findings[i].id));
        json_object_set_new(x, "text", json_string(r->findings[i].text));
        json_object_set_new(x, "count", json_integer(r->findings[i].count));
        json_object_set_new(x, "expected", json_boolean(finding_expected(s, r->findings[i].id)));
        json_array_append_new(finds, x);
    }
    json_object_set_new(o, "failures", fails);
    json_object_set_new(o, "findings", finds);
    return o;
}
