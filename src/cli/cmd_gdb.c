/* SPDX-License-Identifier: MIT */
/*
 * grantsim gdb [--case ID] [--apps DIR] [--port N] [--process P] FILE
 * grantsim gdb [--port N] [--process P] APP...   (APP: an ELF, TBF or TAB file)
 *
 * Runs one scenario case, or app files on the default board of `grantsim
 * run APP...` (cmd_app.c), under a GDB remote stub (src/sim/gdbstub.h,
 * docs/gdb.md): before the first instruction it prints, on stderr, an
 * add-symbol-file command for each process that runs an ELF and
 * "grantsim: gdb stub listening on 127.0.0.1:PORT", then waits for gdb
 * (target remote :PORT). The processes are gdb's threads. When the run
 * ends, the verdict goes to gdb's console and to stdout, and gdb sees the
 * target exit with the scenario's exit code.
 *
 * The input side is load_input(): one call that yields a loaded scenario,
 * so that other inputs (an app file run on a default board) plug in there.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"
#include "errors.h"
#include "gdbstub.h"
#include "scenario.h"

#define DEFAULT_PORT 3333

void gs_cmd_gdb_usage(struct gs_usage *u)
{
    gs_usage_synopsis(u, "gdb", "[--case=ID] [--apps=DIR] [--port=N] [--process=NAME|N] FILE");
    gs_usage_synopsis(u, "gdb", "[--port=N] [--process=NAME|N] APP...");
    if (!u->full)
        return;
    fprintf(
        u->f,
        "Run a scenario case, or app files (ELF, TBF, TAB) on the default board of\n"
        "'grantsim run APP...', under a GDB remote stub on 127.0.0.1 (docs/gdb.md): it\n"
        "prints an add-symbol-file command for each process, then waits for\n"
        "gdb-multiarch or arm-none-eabi-gdb (target remote :PORT). The processes are\n"
        "gdb's threads.\n"
        "\n"
        "      --case=ID          the case of FILE to run (a file with cases needs one)\n"
        "      --apps=DIR         where \"app\": NAME finds NAME.elf (default: $GRANTSIM_APPS,\n"
        "                         then the bundled apps)\n"
        "      --port=N           TCP port (default %d; 0: a free one, printed)\n"
        "      --process=NAME|N   whose offsets qOffsets gives gdb's `file` (package name\n"
        "                         or index; default: the first process with an ELF)\n"
        "  -h, --help             print this help and exit\n",
        DEFAULT_PORT);
}

/*
 * The scenario to run (the one place where the input is read): a scenario
 * file's case, or app files on the default board. *f stays NULL for apps.
 */
static int load_input(char **files, int n, const struct gs_case_sel *sel, struct gs_scn_file **f,
                      struct gs_scenario **s)
{
    struct gs_app_opts ao;
    int napps = gs_cmd_count_apps("gdb", files, n, "one scenario file", sel);

    *f = NULL;
    *s = NULL;
    if (napps < 0)
        return GS_EXIT_INPUT;
    if (napps == 0) {
        if (n != 1) {
            fprintf(stderr, "grantsim gdb: one scenario file, or app files\n");
            return GS_EXIT_INPUT;
        }
        return gs_cmd_load_case("gdb", files[0], sel, f, s);
    }
    gs_app_opts_default(&ao);
    return gs_cmd_apps_scenario(&ao, files, n, s);
}

static void attach_board(void *ctx, struct gs_board *b)
{
    struct gs_gdb *g = ctx;
    int r = gs_gdb_attach(g, b);

    if (r)
        fprintf(stderr, "grantsim gdb: the stub cannot attach: %s\n", gs_err_name(r));
}

int gs_cmd_gdb(int argc, char **argv)
{
    enum { O_PROCESS = 256, O_PORT };
    static const struct option longs[] = {
        GS_CLI_CASE_OPTIONS,
        {"process", required_argument, NULL, O_PROCESS},
        {"port", required_argument, NULL, O_PORT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct gs_case_sel sel = {0};
    const char *process = NULL;
    char *files[GS_BOARD_MAX_APPS];
    int nfiles = 0;
    unsigned long port = DEFAULT_PORT;
    struct gs_scn_file *f = NULL;
    struct gs_scenario *s = NULL;
    struct gs_gdb_config cfg;
    struct gs_gdb *g = NULL;
    struct gs_scn_run_opts ro = {.maps = false};
    struct gs_scn_result r;
    char err[256], *paths[GS_BOARD_MAX_APPS] = {0};
    unsigned bound = 0;
    int code, opt, lfd = -1;
    const char *trace = getenv("GRANTSIM_GDB_TRACE");

    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
        if (gs_cli_case_option(&sel, opt, optarg))
            continue;
        switch (opt) {
        case O_PROCESS:
            process = optarg;
            break;
        case O_PORT: {
            char *end;
            errno = 0;
            port = strtoul(optarg, &end, 10);
            if (errno || *end || !*optarg || optarg[0] == '-' || port > 65535)
                return gs_cli_error("gdb", "--port needs a TCP port (0-65535), got \"%s\"", optarg);
            break;
        }
        case 'h':
            return gs_cli_help("gdb");
        default:
            return gs_cli_option_error("gdb", opt, argv, longs);
        }
    }
    for (int i = optind; i < argc; i++) {
        if (nfiles == GS_BOARD_MAX_APPS)
            return gs_cli_usage_error("gdb", "at most %d app files", GS_BOARD_MAX_APPS);
        files[nfiles++] = argv[i];
    }
    if (!nfiles)
        return gs_cli_usage_error("gdb", "no scenario FILE or APP given");
    code = load_input(files, nfiles, &sel, &f, &s);
    if (code != GS_EXIT_PASS)
        return code;
    memset(&cfg, 0, sizeof(cfg));
    cfg.offsets_app = -1;
    cfg.log = stderr;
    cfg.trace = trace && *trace && strcmp(trace, "0") != 0;
    if (process) {
        cfg.offsets_app = gs_cmd_find_process(s, process);
        if (cfg.offsets_app < 0) {
            fprintf(stderr, "grantsim gdb: %s has no process \"%s\"\n", s->file, process);
            code = GS_EXIT_INPUT;
            goto out;
        }
    }
    /* Board app i is scenario process i (the runner adds them in order). */
    for (unsigned i = 0; i < s->nprocs && i < GS_BOARD_MAX_APPS; i++) {
        const struct gs_scn_proc *p = &s->procs[i];
        if (p->src != GS_SRC_APP && p->src != GS_SRC_ELF)
            continue;
        /* An absolute path, so that gdb finds the file from any directory. */
        paths[i] = realpath(p->path, NULL);
        cfg.elf_path[i] = paths[i] ? paths[i] : p->path;
        cfg.elf[i] = p->image;
        cfg.elf_len[i] = p->image_len;
    }
    if (cfg.offsets_app >= 0 && !cfg.elf[cfg.offsets_app]) {
        fprintf(stderr, "grantsim gdb: process \"%s\" does not run an ELF (no symbols)\n",
                s->procs[cfg.offsets_app].name);
        code = GS_EXIT_INPUT;
        goto out;
    }
    if (gs_gdb_listen((unsigned)port, &lfd, &bound, err, sizeof(err)) != 0) {
        fprintf(stderr, "grantsim gdb: %s\n", err);
        code = GS_EXIT_INPUT;
        goto out;
    }
    cfg.listen_fd = lfd;
    cfg.port = bound;
    if (gs_gdb_new(&cfg, &g) != GS_OK) {
        fprintf(stderr, "grantsim gdb: out of host memory\n");
        close(lfd);
        code = GS_EXIT_INPUT;
        goto out;
    }
    ro.attach_board = attach_board;
    ro.attach_ctx = g;
    if (gs_scn_run(s, &ro, &r) != GS_OK) {
        fprintf(stderr, "grantsim gdb: out of host memory\n");
        code = GS_EXIT_INPUT;
        goto out;
    }
    code = gs_scn_result_exit(&r);
    {
        /* The verdict, for gdb's console and for stdout. */
        char *text = NULL;
        size_t tlen = 0;
        FILE *mf = open_memstream(&text, &tlen);
        enum gs_gdb_end end;
        if (mf) {
            gs_scn_report_text(mf, s, &r, "grantsim", false);
            fclose(mf);
        }
        end = gs_gdb_finish(g, code, text);
        if (end == GS_GDB_KILLED) {
            code = GS_EXIT_PASS;
        } else {
            if (end == GS_GDB_NEVER)
                fprintf(stderr, "grantsim gdb: no process ran, so gdb had nothing to debug\n");
            if (text)
                fputs(text, stdout);
        }
        free(text);
    }
    gs_scn_result_free(&r);
out:
    gs_gdb_free(g);
    for (unsigned i = 0; i < GS_BOARD_MAX_APPS; i++)
        free(paths[i]);
    gs_scenario_free(s);
    gs_scn_file_free(f);
    return code;
}
