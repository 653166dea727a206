/* SPDX-License-Identifier: MIT */
/*
 * grantsim repro TARGET INPUT [-o FILE | --regress NAME] [--runs N] [--no-minimize]
 *
 * Turns a fuzz input (a crash file of fuzz-syscalls, fuzz-ipc or
 * fuzz-machine) into a minimized scenario file that replays its finding on
 * the Cortex-M machine, and checks that it does so N times out of N
 * (src/prog/repro.h has the method). The scenario goes to FILE (default: the
 * input's file name + ".json" in the current directory, so a stored input
 * never gets a file written next to it); the report to stdout. --regress
 * NAME, run from the source tree, makes the finding a regression test: the
 * input is copied to fuzz/regress/TARGET/NAME (a test of suite fuzz) and the
 * scenario written to scenarios/NAME.json; neither may exist yet.
 *
 * Exit: 0 the scenario replays the finding every time; 1 it does not (or the
 * machine reports no finding: the scenario is still written, for a look);
 * 2 usage, an unreadable input, a target whose inputs are not programs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmds.h"
#include "errors.h"
#include "repro.h"
#include "scenario.h"

void gs_cmd_repro_usage(struct gs_usage *u)
{
    gs_usage_synopsis(u, "repro",
                      "[--output=FILE | --regress=NAME] [--runs=N] [--no-minimize] TARGET INPUT");
    if (!u->full)
        return;
    fputs("Turn a fuzz input (a crash file of the fuzz target TARGET: fuzz-syscalls,\n"
          "fuzz-ipc or fuzz-machine) into a minimized scenario file that replays its\n"
          "finding on the Cortex-M machine, and check that it does so N times out of N.\n"
          "The report goes to stdout.\n"
          "\n"
          "  -o, --output=FILE      the scenario file (default: INPUT's file name + .json, in\n"
          "                         the current directory)\n"
          "      --regress=NAME     (from the source tree) store the input as\n"
          "                         fuzz/regress/TARGET/NAME and the scenario as\n"
          "                         scenarios/NAME.json: a regression test\n"
          "      --runs=N           replays to check, 1 to 1000 (default 10)\n"
          "      --no-minimize      keep every action of the input\n"
          "  -h, --help             print this help and exit\n"
          "\n"
          "Exit status: 0 the scenario replays the finding every time; 1 it does not (the\n"
          "scenario is still written); 2 usage, an unreadable input, or a target whose\n"
          "inputs are not syscall programs.\n",
          u->f);
}

static uint8_t *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    long n;

    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return NULL;
    }
    buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* Exists? (so --regress never overwrites a stored input or scenario) */
static bool exists(const char *path)
{
    FILE *f = fopen(path, "rb");

    if (f)
        fclose(f);
    return f != NULL;
}

/*
 * --regress NAME: copies the input to fuzz/regress/TARGET/NAME and names
 * scenarios/NAME.json as the output, both relative to the current
 * directory, which must be the source tree. Returns 0 or an exit code.
 */
static int store_regress(const char *target, const char *name, const uint8_t *data, size_t len,
                         char **input_out, char **scenario_out)
{
    size_t n = strlen(target) + strlen(name) + 32;
    char *in = malloc(n), *sc = malloc(n), dir[256];
    FILE *f;

    *input_out = *scenario_out = NULL;
    snprintf(dir, sizeof(dir), "fuzz/regress/%s", target);
    if (!in || !sc) {
        free(in);
        free(sc);
        fprintf(stderr, "grantsim repro: out of memory\n");
        return GS_EXIT_INPUT;
    }
    snprintf(in, n, "%s/%s", dir, name);
    snprintf(sc, n, "scenarios/%s.json", name);
    if (!exists("scenarios/meson.build") || !exists("fuzz/meson.build")) {
        fprintf(stderr, "grantsim repro: --regress runs from the grantsim source tree (no "
                        "scenarios/ and fuzz/ here)\n");
    } else if (exists(in) || exists(sc)) {
        fprintf(stderr, "grantsim repro: %s already exists; choose another NAME\n",
                exists(in) ? in : sc);
    } else {
        bool ok;
        if (mkdir(dir, 0755) != 0 && errno != EEXIST)
            fprintf(stderr, "grantsim repro: cannot make %s: %s\n", dir, strerror(errno));
        f = fopen(in, "wb");
        ok = f && fwrite(data, 1, len, f) == len;
        if (f && fclose(f) != 0)
            ok = false;
        if (ok) {
            *input_out = in;
            *scenario_out = sc;
            return 0;
        }
        fprintf(stderr, "grantsim repro: cannot write %s: %s\n", in, strerror(errno));
    }
    free(in);
    free(sc);
    return GS_EXIT_INPUT;
}

int gs_cmd_repro(int argc, char **argv)
{
    enum { O_REGRESS = 256, O_RUNS, O_NO_MINIMIZE };
    static const struct option longs[] = {
        {"output", required_argument, NULL, 'o'},
        {"regress", required_argument, NULL, O_REGRESS},
        {"runs", required_argument, NULL, O_RUNS},
        {"no-minimize", no_argument, NULL, O_NO_MINIMIZE},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *target = NULL, *input = NULL, *output = NULL, *regress = NULL;
    char *regress_input = NULL;
    const struct gs_repro_target *t;
    static struct gs_repro r;
    unsigned runs = 10, ok;
    bool minimize = true;
    char *outpath = NULL, *text = NULL, why[1024];
    uint8_t *data;
    size_t len = 0;
    json_t *doc;
    FILE *f;
    int opt;

    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":ho:", longs, NULL)) != -1) {
        switch (opt) {
        case 'o':
            output = optarg;
            break;
        case O_REGRESS:
            regress = optarg;
            break;
        case O_RUNS: {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (!*optarg || *end || v < 1 || v > 1000)
                return gs_cli_error("repro", "--runs takes 1 to 1000, got \"%s\"", optarg);
            runs = (unsigned)v;
            break;
        }
        case O_NO_MINIMIZE:
            minimize = false;
            break;
        case 'h':
            return gs_cli_help("repro");
        default:
            return gs_cli_option_error("repro", opt, argv, longs);
        }
    }
    if (argc - optind < 2)
        return gs_cli_usage_error("repro", "give a fuzz TARGET and an INPUT");
    if (argc - optind > 2)
        return gs_cli_usage_error("repro", "unexpected argument \"%s\"", argv[optind + 2]);
    target = argv[optind];
    input = argv[optind + 1];
    if (regress && output) {
        fprintf(stderr, "grantsim repro: --regress writes scenarios/NAME.json; not with -o\n");
        return GS_EXIT_INPUT;
    }
    if (regress && (!*regress || strchr(regress, '/') || regress[0] == '.')) {
        fprintf(stderr,
                "grantsim repro: --regress takes a file name (such as "
                "fuzz-ipc-region-outlives-restart), got \"%s\"\n",
                regress);
        return GS_EXIT_INPUT;
    }
    t = gs_repro_target(target);
    if (!t) {
        fprintf(stderr,
                "grantsim repro: %s inputs are not syscall programs (fuzz-grants, fuzz-mpu and "
                "fuzz-loader drive the core API and the parsers directly): replay them with "
                "build/fuzz/%s INPUT\n",
                target, target);
        return GS_EXIT_INPUT;
    }
    data = read_all(input, &len);
    if (!data) {
        fprintf(stderr, "grantsim repro: cannot read %s: %s\n", input, strerror(errno));
        return GS_EXIT_INPUT;
    }
    if (regress) {
        int e = store_regress(t->name, regress, data, len, &regress_input, &outpath);
        if (e) {
            free(data);
            return e;
        }
        input = regress_input; /* the scenario's description names the stored input */
        output = outpath;
    }
    if (gs_repro_find(data, len, t, minimize, &r) != 0) {
        fprintf(stderr, "grantsim repro: %s: longer than %u bytes, which %s skips\n", input,
                GS_PROG_MAX_INPUT, target);
        free(data);
        return GS_EXIT_INPUT;
    }
    free(data);
    doc = gs_repro_scenario(&r, input);
    text = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(doc);
    if (!text) {
        fprintf(stderr, "grantsim repro: out of memory\n");
        return GS_EXIT_INPUT;
    }
    if (!output) {
        const char *base = strrchr(input, '/') ? strrchr(input, '/') + 1 : input;
        outpath = malloc(strlen(base) + 6);
        if (outpath)
            sprintf(outpath, "%s.json", base);
        output = outpath;
    }
    f = output ? fopen(output, "w") : NULL;
    if (!f || fputs(text, f) < 0 || fputc('\n', f) < 0 || fclose(f) != 0) {
        fprintf(stderr, "grantsim repro: cannot write %s\n", output ? output : "the scenario");
        free(text);
        free(outpath);
        return GS_EXIT_INPUT;
    }
    if (t->fake)
        printf("fake arch:   %s\n", r.fake_id[0] ? r.fake_id : "no finding");
    printf("machine:     %s\n", r.id[0] ? r.id : "no finding");
    printf("actions:     %u of %u kept (%u machine runs)\n", r.actions_out, r.actions_in, r.runs);
    printf("scenario:    %s\n", output);
    ok = gs_repro_verify(text, r.id, runs, why, sizeof(why));
    printf("replays:     %u of %u%s%s\n", ok, runs, ok < runs ? ": " : "", ok < runs ? why : "");
    free(text);
    free(outpath);
    if (regress)
        printf("regression test: %s (suite fuzz once meson reconfigures) and scenarios/%s.json "
               "(add \"%s.json\" to scenario_files in scenarios/meson.build)\n",
               regress_input, regress, regress);
    free(regress_input);
    if (!r.id[0]) {
        printf("grantsim repro: the finding does not replay on the Cortex-M machine; the "
               "scenario shows the program as the machine runs it\n");
        return GS_EXIT_FAIL;
    }
    return ok == runs ? GS_EXIT_PASS : GS_EXIT_FAIL;
}
