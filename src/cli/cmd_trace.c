/* SPDX-License-Identifier: MIT */
/*
 * grantsim trace [--case ID] [--apps DIR] [--output FILE] [--format text|chrome] FILE
 *
 * Runs one scenario case and prints its trace: one line per syscall, return,
 * upcall, IPC dispatch, grant allocation, MPU reconfiguration and fault (and
 * console output, exits, findings, panics), deterministic so that two traces
 * can be diffed; or, with --format chrome, the same events as a timeline in
 * the Trace Event Format, which Perfetto (ui.perfetto.dev) and
 * chrome://tracing open. The verdict goes to stderr; the exit code is run's.
 */
#include <stdio.h>
#include <string.h>

#include "cmds.h"
#include "errors.h"
#include "scenario.h"

static int usage(FILE *f)
{
    fprintf(f, "usage: grantsim trace [--case ID] [--apps DIR] [--output FILE] "
               "[--format text|chrome] FILE\n"
               "  prints one line per syscall, upcall, IPC dispatch, grant allocation, MPU\n"
               "  reconfiguration and fault of one scenario case (deterministic: diff two runs);\n"
               "  --format chrome: a timeline in the Trace Event Format (Perfetto, "
               "chrome://tracing)\n");
    return GS_EXIT_INPUT;
}

int gs_cmd_trace(int argc, char **argv)
{
    const char *case_id = NULL, *apps = NULL, *file = NULL, *output = NULL;
    struct gs_scn_file *f = NULL;
    struct gs_scenario *s = NULL;
    struct gs_scn_run_opts ro = {.maps = false, .trace = stdout};
    struct gs_scn_result r;
    FILE *out = NULL;
    int code;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--case") == 0 && i + 1 < argc) {
            case_id = argv[++i];
        } else if (strcmp(argv[i], "--apps") == 0 && i + 1 < argc) {
            apps = argv[++i];
        } else if ((strcmp(argv[i], "--output") == 0 || strcmp(argv[i], "-o") == 0) &&
                   i + 1 < argc) {
            output = argv[++i];
        } else if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
            const char *v = argv[++i];
            if (strcmp(v, "chrome") && strcmp(v, "text")) {
                fprintf(stderr, "grantsim trace: unknown format \"%s\" (text, chrome)\n", v);
                return GS_EXIT_INPUT;
            }
            ro.trace_chrome = strcmp(v, "chrome") == 0;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return GS_EXIT_PASS;
        } else if (argv[i][0] == '-' || file) {
            fprintf(stderr, "grantsim trace: unexpected argument %s\n", argv[i]);
            return usage(stderr);
        } else {
            file = argv[i];
        }
    }
    if (!file)
        return usage(stderr);
    code = gs_cmd_load_case("trace", file, case_id, apps, &f, &s);
    if (code != GS_EXIT_PASS)
        return code;
    if (output) {
        out = fopen(output, "w");
        if (!out) {
            fprintf(stderr, "grantsim trace: cannot write %s\n", output);
            gs_scenario_free(s);
            gs_scn_file_free(f);
            return GS_EXIT_INPUT;
        }
        ro.trace = out;
    }
    if (gs_scn_run(s, &ro, &r) != GS_OK) {
        fprintf(stderr, "grantsim trace: out of host memory\n");
        code = GS_EXIT_INPUT;
    } else {
        gs_scn_report_text(stderr, s, &r, "grantsim", false);
        code = gs_scn_result_exit(&r);
        gs_scn_result_free(&r);
    }
    if (out && fclose(out) != 0) {
        fprintf(stderr, "grantsim trace: cannot write %s\n", output);
        code = GS_EXIT_INPUT;
    }
    gs_scenario_free(s);
    gs_scn_file_free(f);
    return code;
}
