/* SPDX-License-Identifier: MIT */
/*
 * grantsim run [--case ID] [--format text|json] [--apps DIR] [--no-maps] [--verbose] FILE|DIR...
 * grantsim run [--format text|json] [--crlf] [board options] APP...   (app files: cmd_app.c)
 *
 * Runs every case of every scenario file (a directory: every *.json below
 * it, in name order, except schema.json), prints each failure with what was
 * expected, what happened, the memory map and the command that reruns the
 * case alone, then "N passed, N failed". --json prints one JSON document
 * instead. Exit codes (DESIGN.md decision 7), the worst one wins in this
 * order: 2 bad input or usage, 3 an unexpected oracle finding or kernel
 * panic, 1 an expectation failed, 0 all passed.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmds.h"
#include "errors.h"
#include "scenario.h"
#ifdef GS_HAVE_TAB
#include "tab.h"
#endif

#ifndef GS_APPS_DIR
#define GS_APPS_DIR NULL
#endif

/*
 * The apps an installed grantsim bundles: GS_APPS_INSTALLED is the
 * installed apps directory relative to the directory of the binary
 * ("../share/grantsim/apps" for bindir "bin" and datadir "share"), or an
 * absolute path when the two are not both under the prefix. NULL when
 * this installation has none.
 */
static const char *installed_apps_dir(void)
{
#ifdef GS_APPS_INSTALLED
    static char buf[PATH_MAX];
    static bool done;
    char exe[PATH_MAX], joined[2 * PATH_MAX], *slash;
    ssize_t n;
    struct stat st;

    if (done)
        return buf[0] ? buf : NULL;
    done = true;
    if (GS_APPS_INSTALLED[0] == '/') {
        snprintf(joined, sizeof(joined), "%s", GS_APPS_INSTALLED);
    } else {
        /* The binary's own location: the prefix it was installed (or moved) to. */
        n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        if (n <= 0)
            return NULL;
        exe[n] = '\0';
        slash = strrchr(exe, '/');
        if (!slash)
            return NULL;
        *slash = '\0';
        snprintf(joined, sizeof(joined), "%s/%s", exe, GS_APPS_INSTALLED);
    }
    if (stat(joined, &st) != 0 || !S_ISDIR(st.st_mode) || !realpath(joined, buf))
        buf[0] = '\0';
    return buf[0] ? buf : NULL;
#else
    return NULL;
#endif
}

const char *gs_cmd_apps_dir(const char *option)
{
    const char *env = getenv("GRANTSIM_APPS"), *inst;

    if (option)
        return option;
    if (env && *env)
        return env;
    /* An installed binary finds the apps installed with it; the binary in the
     * build tree has none there and uses the build's apps directory, while
     * that exists. A lone copy of the binary with neither knows no apps
     * directory, and the loader says so (give --apps or GRANTSIM_APPS). */
    if ((inst = installed_apps_dir()) != NULL)
        return inst;
    if (GS_APPS_DIR) {
        struct stat st;
        if (stat(GS_APPS_DIR, &st) == 0 && S_ISDIR(st.st_mode))
            return GS_APPS_DIR;
    }
    return NULL;
}

void gs_cmd_run_usage(struct gs_usage *u)
{
    gs_usage_synopsis(u, "run",
                      "[--case=ID] [--format=text|json] [--json] [--apps=DIR] [--no-maps] "
                      "[--verbose] FILE|DIR...");
    gs_usage_synopsis(u, "run",
                      "[--format=text|json] [--json] [--crlf] [--ram=SIZE] [--flash=SIZE] "
                      "[--profile=head|2.2] [--mpu-regions=N] [--fault-policy=POLICY] "
                      "[--min-ram=N] [--stack=N] [--app-heap=N] [--kernel-heap=N] [--arch=ARCH] "
                      "[--input=TEXT] [--time-limit=SECONDS] [--max-instructions=N] "
                      "[--clock-hz=N] APP[=NAME]...");
    if (!u->full)
        return;
    fputs("Run scenario files (a directory: every *.json below it but schema.json) and check\n"
          "their expectations, printing each failure with what was expected, what happened\n"
          "and the command that reruns the case alone, then \"N passed, N failed\"; or run\n"
          "apps (libtock-c ELFs, TBFs, TABs) on a default board (console, alarm, LED, RNG,\n"
          "low-level debug, IPC), printing their console output as it comes, each fault\n"
          "with upstream's fault report, and at the end each process's state. NAME after\n"
          "an ELF is its package name (elf2tab's -n), which IPC discovery compares.\n"
          "\n"
          "      --case=ID          run only the case ID of each file\n"
          "      --format=FORMAT    text (default) or json: one JSON document\n"
          "      --json             the same as --format=json\n"
          "      --apps=DIR         where \"app\": NAME finds NAME.elf (default: $GRANTSIM_APPS,\n"
          "                         then the bundled apps)\n"
          "      --no-maps          no memory maps with failures\n"
          "  -v, --verbose          each failure's whole memory map and the oracle findings\n"
          "                         that were expected\n"
          "      --crlf             end the lines of the fault reports with CR LF, the bytes\n"
          "                         upstream's debug writer sends (to diff against a board's\n"
          "                         serial capture); the apps' console output is passed on\n"
          "                         as they wrote it, as upstream's console does\n"
          "  -h, --help             print this help and exit\n"
          "\n"
          "Board options (apps):\n"
          "      --ram=SIZE         RAM at 0x20000000 (default 0x20000)\n"
          "      --flash=SIZE       flash at 0 (default 0x80000; apps from 0x30000)\n"
          "      --profile=P        head (default) or 2.2\n"
          "      --mpu-regions=N    8 (default) or 16\n"
          "      --fault-policy=P   stop (default), panic, restart, stop-debug,\n"
          "                         restart-debug, threshold-restart,\n"
          "                         threshold-restart-then-panic\n"
          "      --min-ram=N        minimum RAM of each ELF (instead of elf2tab's sizing)\n"
          "      --stack=N          elf2tab's --stack for each ELF (default: from the ELF)\n"
          "      --app-heap=N       elf2tab's --app-heap (default: from the ELF, else 1024)\n"
          "      --kernel-heap=N    elf2tab's --kernel-heap (default: from the ELF, else 1024)\n"
          "      --arch=ARCH        the TBF to take from a TAB (default cortex-m4)\n"
          "      --input=TEXT       console input\n"
          "      --time-limit=SECONDS\n"
          "                         simulated time (default 60)\n"
          "      --max-instructions=N\n"
          "                         instructions executed (default 20000000)\n"
          "      --clock-hz=N       instructions per simulated second (default 64000000)\n"
          "\n"
          "Exit status: 0 every expectation held; 1 an expectation failed; 2 bad input or\n"
          "usage; 3 an unexpected oracle finding or kernel panic. With several files the\n"
          "worst wins: 2, then 3, then 1.\n",
          u->f);
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

/* --time-limit SECONDS (a decimal number) in microseconds; false when it is not one. */
static bool parse_seconds(const char *v, uint64_t *us)
{
    char *end;
    double d;

    errno = 0;
    d = strtod(v, &end);
    if (errno || end == v || *end || !(d > 0) || d > 1e9)
        return false;
    *us = (uint64_t)(d * 1e6 + 0.5);
    return *us > 0;
}

int gs_cmd_run(int argc, char **argv)
{
    enum {
        O_JSON = 256,
        O_NO_MAPS,
        O_RAM,
        O_FLASH,
        O_PROFILE,
        O_MPU,
        O_POLICY,
        O_MIN_RAM,
        O_INPUT,
        O_TIME,
        O_MAXI,
        O_CLOCK,
        O_FORMAT,
        O_CRLF
    };
    static const struct option longs[] = {
        GS_CLI_CASE_OPTIONS,
        {"json", no_argument, NULL, O_JSON},
        {"format", required_argument, NULL, O_FORMAT},
        {"crlf", no_argument, NULL, O_CRLF},
        {"no-maps", no_argument, NULL, O_NO_MAPS},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {"ram", required_argument, NULL, O_RAM},
        {"flash", required_argument, NULL, O_FLASH},
        {"profile", required_argument, NULL, O_PROFILE},
        {"mpu-regions", required_argument, NULL, O_MPU},
        {"fault-policy", required_argument, NULL, O_POLICY},
        {"min-ram", required_argument, NULL, O_MIN_RAM},
        GS_CLI_ELF_OPTIONS,
        {"input", required_argument, NULL, O_INPUT},
        {"time-limit", required_argument, NULL, O_TIME},
        {"max-instructions", required_argument, NULL, O_MAXI},
        {"clock-hz", required_argument, NULL, O_CLOCK},
        {NULL, 0, NULL, 0},
    };
    struct gs_case_sel sel = {0};
    const char *board_opt = NULL;
    bool json = false, verbose = false, crlf = false;
    struct gs_scn_run_opts ro = {.maps = true, .trace = NULL};
    struct gs_scn_opts so = {0};
    struct gs_scn_paths files = {0};
    struct gs_app_opts ao;
    struct totals t = {0};
    int opt, li, napps;

    gs_app_opts_default(&ao);
    opterr = 0;
    while ((li = -1, opt = getopt_long(argc, argv, ":hv", longs, &li)) != -1) {
        const char **dst = NULL;
        if (gs_cli_case_option(&sel, opt, optarg))
            continue;
        switch (opt) {
        case O_JSON:
            json = true;
            break;
        case O_FORMAT:
            if (!gs_cli_format("run", optarg, "text json"))
                return GS_EXIT_INPUT;
            json = strcmp(optarg, "json") == 0;
            break;
        case O_CRLF:
            crlf = true;
            break;
        case O_NO_MAPS:
            ro.maps = false;
            break;
        case 'v':
            verbose = true;
            break;
        case 'h':
            return gs_cli_help("run");
        case O_RAM:
            dst = &ao.ram;
            break;
        case O_FLASH:
            dst = &ao.flash;
            break;
        case O_PROFILE:
            dst = &ao.profile;
            break;
        case O_MPU:
            dst = &ao.mpu_regions;
            break;
        case O_POLICY:
            dst = &ao.fault_policy;
            break;
        case O_MIN_RAM:
            dst = &ao.min_ram;
            break;
        case GS_OPT_STACK:
            dst = &ao.stack;
            break;
        case GS_OPT_APP_HEAP:
            dst = &ao.app_heap;
            break;
        case GS_OPT_KERNEL_HEAP:
            dst = &ao.kernel_heap;
            break;
        case GS_OPT_ARCH:
            dst = &ao.arch;
            break;
        case O_INPUT:
            dst = &ao.input;
            break;
        case O_MAXI:
            dst = &ao.max_instructions;
            break;
        case O_CLOCK:
            dst = &ao.clock_hz;
            break;
        case O_TIME:
            if (!parse_seconds(optarg, &ao.time_us))
                return gs_cli_error("run",
                                    "--time-limit: expected seconds (such as 1.5), got "
                                    "\"%s\"",
                                    optarg);
            ao.has_time = true;
            board_opt = "time-limit";
            break;
        default:
            return gs_cli_option_error("run", opt, argv, longs);
        }
        if (dst) {
            *dst = optarg;
            board_opt = li >= 0 ? longs[li].name : "?";
        }
    }
    napps = gs_cmd_count_apps("run", argv + optind, argc - optind, "scenario files", &sel);
    if (napps < 0)
        return GS_EXIT_INPUT;
    if (napps) {
        if (crlf && json)
            return gs_cli_error("run", "--crlf is for the text format");
        return gs_cmd_run_apps(&ao, argv + optind, napps, json, crlf);
    }
    if (board_opt) {
        fprintf(stderr, "grantsim run: --%s is for app files; a scenario file sets its board\n",
                board_opt);
        return GS_EXIT_INPUT;
    }
    if (crlf) {
        fprintf(stderr, "grantsim run: --crlf is for app files (their fault reports); a "
                        "scenario's report is grantsim's own text\n");
        return GS_EXIT_INPUT;
    }
    for (int i = optind; i < argc; i++) {
        const char *a = argv[i];
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
    if (files.n == 0) {
        gs_scn_paths_free(&files);
        return gs_cli_usage_error("run", "no scenario or app file given");
    }
    so.apps_dir = gs_cmd_apps_dir(sel.apps);
#ifdef GS_HAVE_TAB
    so.read_tab = gs_tab_read;
#endif
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
        if (sel.case_id) {
            int ci = gs_scn_file_find_case(f, sel.case_id);
            if (ci < 0) {
                char list[512] = "";
                size_t at = 0;
                for (unsigned c = 0; c < gs_scn_file_ncases(f) && at + 1 < sizeof(list); c++)
                    at += (size_t)snprintf(list + at, sizeof(list) - at, "%s%s", c ? ", " : "",
                                           gs_scn_file_case_id(f, c));
                memset(&err, 0, sizeof(err));
                snprintf(err.msg, sizeof(err.msg), "%s: no case \"%s\" (%s%s)", files.v[k],
                         sel.case_id, list[0] ? "its cases: " : "the file has no cases", list);
                input_error(&t, files.v[k], sel.case_id, &err, json);
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
