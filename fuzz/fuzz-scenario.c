/* SPDX-License-Identifier: MIT */
/*
 * fuzz-scenario: the scenario file parser on arbitrary text, and the runner
 * on whatever loads. The input is the text of a scenario file, named
 * "fuzz-scenario.json": gs_scn_file_from_string (jansson, the version, the
 * cases), then gs_scn_load of every case (or of the file when it has none),
 * with no apps directory and no files (gs_scn_opts.no_files: an "app",
 * "elf" or "tbf" process is a load error, so an input cannot make the
 * loader read /dev/zero or a huge file). Each scenario that loads is run on
 * a kept board (gs_scn_reuse, as fuzz-machine) with a small instruction
 * budget.
 *
 * Oracles (each broken contract prints "fuzz-scenario: ..." and aborts):
 *   - the parser and loader answer GS_OK or GS_E_ARG (a 64 KiB text never
 *     runs the host out of memory);
 *   - every error has a message, NUL-terminated, that starts with
 *     "fuzz-scenario.json:LINE:COL: " (text input always has a position),
 *     followed by "PATH: " when the error names a JSON path;
 *   - LINE and COL are inside the input: 1 <= LINE <= lines + 1 and
 *     1 <= COL <= bytes of that line + 1 (columns count characters, which
 *     are never more than the bytes);
 *   - a scenario that loads has at least one process, and the run returns
 *     GS_OK with a status and a run end of their enums; an error result
 *     (GS_SCN_ERROR: the board refused the scenario) says why;
 *   - ASan/UBSan, and LeakSanitizer for the scenario, file and result
 *     (every one is freed; the kept boards stay reachable).
 * Expectations are not oracles: the bytes are arbitrary, so a scenario may
 * well fail its own expectations, or expect (or provoke) kernel findings.
 *
 * Bounds: inputs over GS_FZ_SCN_MAX_INPUT bytes are skipped. Only the first
 * GS_FZ_SCN_MAX_CASES cases are loaded (and run): every case is a whole
 * scenario, so thousands of small cases in 64 KiB would cost thousands of
 * loads; the file-level checks still see every case. A run gets at
 * most GS_FZ_SCN_MAX_INSTRUCTIONS instructions (the scenario's budget is
 * lowered to it, never raised); the timeslice is left as written (the
 * loader's minimum is 20 instructions, so at most about a thousand
 * timeslices). Scenarios whose RAM or flash is larger than
 * GS_FZ_SCN_MAX_MEMORY are loaded and checked but not run: a board costs its
 * memory in host memory (64 MiB of RAM and flash is about 150 MB and 0.2 s to
 * build), and up to GS_SCN_REUSE_BOARDS boards are kept. That is a limit of
 * this target (partial coverage), not of the format: such boards run only
 * where a scenario file asks for one (grantsim run).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "fuzz.h"
#include "scenario.h"

#define GS_FZ_SCN_NAME             "fuzz-scenario.json"
#define GS_FZ_SCN_MAX_INPUT        (64u * 1024u)
#define GS_FZ_SCN_MAX_INSTRUCTIONS 20000u
#define GS_FZ_SCN_MAX_MEMORY       (1u << 20)
#define GS_FZ_SCN_MAX_CASES        8u

/* GRANTSIM_FUZZ_PRINT=1: print what became of each case (and a broken input's text). */
static bool print_enabled(void)
{
    static int on = -1;

    if (on < 0) {
        const char *v = getenv("GRANTSIM_FUZZ_PRINT");
        on = v && *v && strcmp(v, "0") != 0;
    }
    return on;
}

static void broken(const char *what, const char *detail, const uint8_t *data, size_t size)
{
    fprintf(stderr, "fuzz-scenario: %s\n", what);
    if (detail)
        fprintf(stderr, "  %s\n", detail);
    fprintf(stderr, "  input: %zu bytes\n", size);
    if (print_enabled())
        fprintf(stderr, "%.*s\n", (int)size, (const char *)data);
    abort();
}

/* Bytes of line `line` (1-based) of the input, or -1 when there is no such line. */
static long line_bytes(const uint8_t *data, size_t size, unsigned line)
{
    size_t at = 0;
    const uint8_t *nl;

    for (unsigned l = 1; l < line; l++) {
        nl = memchr(data + at, '\n', size - at);
        if (!nl)
            return -1;
        at = (size_t)(nl - data) + 1;
    }
    nl = memchr(data + at, '\n', size - at);
    return (long)((nl ? (size_t)(nl - data) : size) - at);
}

/* The contract of every error (a text input: always positioned). */
static void check_error(const struct gs_scn_err *err, const uint8_t *data, size_t size)
{
    char prefix[sizeof(GS_FZ_SCN_NAME) + 32];
    size_t n, lines = 1;
    long lb;

    if (!memchr(err->msg, '\0', sizeof(err->msg)) || !memchr(err->path, '\0', sizeof(err->path)))
        broken("an error message or path is not NUL-terminated", NULL, data, size);
    if (err->msg[0] == '\0')
        broken("an error without a message", NULL, data, size);
    if (err->line == 0 || err->col == 0)
        broken("an error without a position", err->msg, data, size);
    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n';
    if (err->line > lines + 1)
        broken("an error's line is past the end of the input", err->msg, data, size);
    lb = line_bytes(data, size, err->line);
    if (lb >= 0 && err->col > (unsigned long)lb + 1)
        broken("an error's column is past the end of its line", err->msg, data, size);
    if (lb < 0 && err->col != 1)
        broken("an error past the last line is not at its column 1", err->msg, data, size);
    n = (size_t)snprintf(prefix, sizeof(prefix), "%s:%u:%u: ", GS_FZ_SCN_NAME, err->line, err->col);
    if (strncmp(err->msg, prefix, n) != 0)
        broken("an error message does not start with NAME:LINE:COL: (its position)", err->msg, data,
               size);
    if (err->path[0] && (strncmp(err->msg + n, err->path, strlen(err->path)) != 0 ||
                         strncmp(err->msg + n + strlen(err->path), ": ", 2) != 0))
        broken("an error message does not name its path after its position", err->msg, data, size);
}

/* The last input's results (fuzz.h): one entry per case run. */
static char outcome[1024];
static size_t outcome_len;

const char *gs_fuzz_outcome(void)
{
    return outcome;
}

static void run_one(struct gs_scenario *s, const uint8_t *data, size_t size)
{
    static struct gs_scn_reuse reuse;
    struct gs_scn_run_opts ro = {.maps = false, .trace = NULL, .reuse = &reuse};
    struct gs_scn_result r;

    if (s->nprocs == 0 || !s->procs)
        broken("a scenario loaded without processes", NULL, data, size);
    if (s->board.ram_size > GS_FZ_SCN_MAX_MEMORY || s->board.flash_size > GS_FZ_SCN_MAX_MEMORY) {
        if (print_enabled())
            printf("  %s: loaded, not run (RAM or flash over %u KiB)\n",
                   s->case_id ? s->case_id : "-", GS_FZ_SCN_MAX_MEMORY >> 10);
        return;
    }
    if (s->max_instructions > GS_FZ_SCN_MAX_INSTRUCTIONS)
        s->max_instructions = GS_FZ_SCN_MAX_INSTRUCTIONS;
    /* And simulated time as before it had a limit of its own: at most as
     * much as the instruction cap at the scenario's clock. */
    if (s->clock_hz &&
        s->max_time_us > (uint64_t)GS_FZ_SCN_MAX_INSTRUCTIONS * 1000000u / s->clock_hz + 1)
        s->max_time_us = (uint64_t)GS_FZ_SCN_MAX_INSTRUCTIONS * 1000000u / s->clock_hz + 1;
    if (gs_scn_run(s, &ro, &r) != GS_OK)
        broken("gs_scn_run failed (out of host memory)", NULL, data, size);
    switch (r.status) {
    case GS_SCN_PASS:
    case GS_SCN_FAIL:
    case GS_SCN_FINDING:
        break;
    case GS_SCN_ERROR:
        if (!memchr(r.error, '\0', sizeof(r.error)) || r.error[0] == '\0')
            broken("an error result without a message", NULL, data, size);
        break;
    default:
        broken("a result status outside enum gs_scn_status", NULL, data, size);
    }
    if (outcome_len < sizeof(outcome))
        outcome_len +=
            (size_t)snprintf(outcome + outcome_len, sizeof(outcome) - outcome_len,
                             "[%s: status %d, end %d, time %llu, %u failures, %u "
                             "findings] ",
                             s->case_id ? s->case_id : "-", (int)r.status, (int)r.run_end,
                             (unsigned long long)r.time, r.nfailures, r.nfindings);
    if (r.status != GS_SCN_ERROR && (unsigned)r.run_end > GS_RUN_TIME)
        broken("a run end outside enum gs_run_end", NULL, data, size);
    if (print_enabled()) {
        static const char *const st[] = {"pass", "fail", "finding", "error"};
        printf("  %s: ran: %s, %s after %llu instructions%s%s\n", s->case_id ? s->case_id : "-",
               st[r.status], gs_run_end_name(r.run_end), (unsigned long long)r.instructions,
               r.status == GS_SCN_ERROR ? ": " : "", r.status == GS_SCN_ERROR ? r.error : "");
    }
    gs_scn_result_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct gs_scn_opts so = {.apps_dir = NULL, .no_positions = false, .no_files = true};
    struct gs_scn_file *f = NULL;
    struct gs_scn_err err;
    unsigned ncases;
    int e;

    outcome[0] = '\0';
    outcome_len = 0;
    if (size > GS_FZ_SCN_MAX_INPUT)
        return 0;
    memset(&err, 0, sizeof(err));
    e = gs_scn_file_from_string(GS_FZ_SCN_NAME, (const char *)data, size, &f, &err);
    if (e == GS_E_ARG) {
        check_error(&err, data, size);
        if (print_enabled())
            printf("  file error: %s\n", err.msg);
        return 0;
    }
    if (e != GS_OK)
        broken("gs_scn_file_from_string: neither GS_OK nor GS_E_ARG", gs_err_name(e), data, size);
    ncases = gs_scn_file_ncases(f);
    if (ncases > GS_FZ_SCN_MAX_CASES)
        ncases = GS_FZ_SCN_MAX_CASES;
    for (unsigned c = 0; c < (ncases ? ncases : 1); c++) {
        struct gs_scenario *s = NULL;
        memset(&err, 0, sizeof(err));
        e = gs_scn_load(f, ncases ? (int)c : -1, &so, &s, &err);
        if (e == GS_E_ARG) {
            if (s)
                broken("gs_scn_load failed and gave a scenario", err.msg, data, size);
            check_error(&err, data, size);
            if (print_enabled())
                printf("  %s: load error: %s\n",
                       gs_scn_file_case_id(f, c) ? gs_scn_file_case_id(f, c) : "-", err.msg);
            continue;
        }
        if (e != GS_OK || !s)
            broken("gs_scn_load: neither GS_OK nor GS_E_ARG", gs_err_name(e), data, size);
        run_one(s, data, size);
        gs_scenario_free(s);
    }
    gs_scn_file_free(f);
    return 0;
}
