/* SPDX-License-Identifier: MIT */
/*
 * grantsim trace [--case ID] [--apps DIR] [-o|--output FILE] [--format text|chrome|svg] FILE
 *
 * Runs one scenario case and prints its trace: one line per syscall, return,
 * upcall, IPC dispatch, grant allocation, MPU reconfiguration and fault (and
 * console output, exits, findings, panics), deterministic so that two traces
 * can be diffed; or, with --format chrome, the same events as a timeline in
 * the Trace Event Format, which Perfetto (ui.perfetto.dev) and
 * chrome://tracing open; or, with --format svg, drawn as an SVG picture in
 * time (timeline.c). The verdict goes to stderr; the exit code is run's.
 */
#include <stdio.h>
#include <string.h>

#include "cmds.h"
#include "errors.h"
#include "scenario.h"

void gs_cmd_trace_usage(struct gs_usage *u)
{
    gs_usage_synopsis(u, "trace",
                      "[--case=ID] [--apps=DIR] [--output=FILE] [--format=text|chrome|svg] FILE");
    if (!u->full)
        return;
    fputs("Run one scenario case and print one line per syscall, return, upcall, IPC\n"
          "dispatch, grant allocation, MPU reconfiguration and fault (and console output,\n"
          "exits, findings, panics) as TIME pSLOT:NAME EVENT DETAILS, TIME in guest\n"
          "instructions. It is the same byte for byte on every run, so two traces can be\n"
          "diffed. The verdict goes to stderr; the exit status is grantsim run's.\n"
          "\n"
          "      --case=ID          the case to run (a file with cases needs one)\n"
          "      --apps=DIR         where \"app\": NAME finds NAME.elf (default: $GRANTSIM_APPS,\n"
          "                         then the bundled apps)\n"
          "  -o, --output=FILE      write the trace to FILE instead of stdout\n"
          "      --format=FORMAT    text (default), or chrome: a timeline in the Trace Event\n"
          "                         Format, which Perfetto (ui.perfetto.dev) and\n"
          "                         chrome://tracing open, or svg: the same timeline drawn\n"
          "                         as a picture (a lane per process, syscalls as bars,\n"
          "                         the other events as markers, values in tooltips)\n"
          "  -h, --help             print this help and exit\n",
          u->f);
}

int gs_cmd_trace(int argc, char **argv)
{
    enum { O_FORMAT = 256 };
    static const struct option longs[] = {
        GS_CLI_CASE_OPTIONS,
        {"output", required_argument, NULL, 'o'},
        {"format", required_argument, NULL, O_FORMAT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct gs_case_sel sel = {0};
    const char *file = NULL, *output = NULL;
    struct gs_scn_file *f = NULL;
    struct gs_scenario *s = NULL;
    struct gs_scn_run_opts ro = {.maps = false, .trace = stdout};
    struct gs_scn_result r;
    FILE *out = NULL;
    int code, opt;

    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":ho:", longs, NULL)) != -1) {
        if (gs_cli_case_option(&sel, opt, optarg))
            continue;
        switch (opt) {
        case 'o':
            output = optarg;
            break;
        case O_FORMAT:
            if (!gs_cli_format("trace", optarg, "text chrome svg"))
                return GS_EXIT_INPUT;
            ro.trace_chrome = strcmp(optarg, "chrome") == 0;
            ro.trace_svg = strcmp(optarg, "svg") == 0;
            break;
        case 'h':
            return gs_cli_help("trace");
        default:
            return gs_cli_option_error("trace", opt, argv, longs);
        }
    }
    if (optind + 1 < argc)
        return gs_cli_usage_error("trace", "unexpected argument \"%s\" (one FILE at a time)",
                                  argv[optind + 1]);
    if (optind < argc)
        file = argv[optind];
    if (!file)
        return gs_cli_usage_error("trace", "no scenario FILE given");
    code = gs_cmd_load_case("trace", file, &sel, &f, &s);
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
