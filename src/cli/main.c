/* SPDX-License-Identifier: MIT */
/*
 * grantsim: the command-line front end.
 *
 *   grantsim layout --example     memory map of a built-in example process
 *   grantsim run FILE|DIR...      run scenario files (cmd_run.c)
 *   grantsim trace FILE           trace one scenario (cmd_trace.c)
 *   grantsim version
 *
 * Exit codes (DESIGN.md): 0 success, 1 an expectation failed, 2 bad input or
 * usage, 3 an oracle finding or kernel panic.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "errors.h"
#include "grant.h"
#include "invariants.h"
#include "kernel.h"
#include "printer.h"
#include "process.h"
#include "tasks.h"

#define EXIT_EXPECT  1
#define EXIT_USAGE   2
#define EXIT_FINDING 3

static void file_write(void *ctx, const char *s, size_t n)
{
    fwrite(s, 1, n, (FILE *)ctx);
}

static int usage(FILE *f)
{
    fprintf(f, "usage: grantsim layout --example\n"
               "       grantsim run [--case ID] [--json] [--apps DIR] FILE|DIR...\n"
               "       grantsim trace [--case ID] [--apps DIR] FILE\n"
               "       grantsim version\n");
    return EXIT_USAGE;
}

/*
 * The worked example of the Tock reference (G = 15, PCB 920, 4 KiB minimum
 * RAM at 0x20004000), with two grants entered and the break moved up.
 */
static int layout_example(void)
{
    struct gs_mem mem;
    struct gs_kernel *k = NULL;
    struct gs_process *p = NULL;
    struct gs_app_info app;
    struct gs_sink sink = {.write = file_write, .ctx = stdout, .crlf = false};
    uint32_t pool = 0x20004000, pool_len = 0x10000, old;
    int rc = 0;

    if (gs_mem_init(&mem, 0x20000000, 0x20000, 0x00030000, 0x40000) != GS_OK ||
        gs_kernel_new(&mem, NULL, &k) != GS_OK) {
        fprintf(stderr, "grantsim: out of memory\n");
        gs_mem_free(&mem);
        return EXIT_USAGE;
    }
    for (unsigned i = 0; i < 15; i++) {
        struct gs_grant_shape s = {.t_size = i == 1 ? 12 : 8,
                                   .t_align = 4,
                                   .n_upcalls = 1,
                                   .n_ro = i == 1 ? 2 : 1,
                                   .n_rw = 1};
        struct gs_grant *g;
        gs_grant_create(k, i == 1 ? 0x1 : 0x10000 + i, &s, NULL, &g);
    }
    memset(&app, 0, sizeof(app));
    app.flash_start = 0x00030000;
    app.flash_len = 0x2000;
    app.header_size = 0x60;
    app.init_fn_offset = 0x29;
    app.min_ram = 4096;
    app.binary_end = 0x2000;
    app.name = "blink";
    app.name_len = 5;
    if (gs_process_create(k, &app, &pool, &pool_len, &p) != GS_OK ||
        gs_process_brk(p, 0x20005000, &old) != GS_OK) {
        fprintf(stderr, "grantsim: the example failed to build\n");
        rc = EXIT_FINDING;
        goto out;
    }
    for (unsigned n = 1; n <= 2; n++) {
        struct gs_grant_ctx ctx;
        if (gs_grant_enter(gs_kernel_grant(k, n), p->pid, &ctx) == GS_OK)
            gs_grant_leave(&ctx);
    }
    gs_print_overview(p, &sink);
    gs_print_full_process(p, &sink);
    if (gs_invariants_check(k, GS_INV_QUIESCENT | GS_INV_SHADOW) != 0)
        rc = EXIT_FINDING;
out:
    gs_kernel_free(k);
    gs_mem_free(&mem);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage(stderr);
    if (strcmp(argv[1], "version") == 0) {
        printf("grantsim 0.1.0\n");
        return 0;
    }
    if (strcmp(argv[1], "run") == 0)
        return gs_cmd_run(argc - 1, argv + 1);
    if (strcmp(argv[1], "trace") == 0)
        return gs_cmd_trace(argc - 1, argv + 1);
    if (strcmp(argv[1], "layout") == 0) {
        if (argc == 3 && strcmp(argv[2], "--example") == 0)
            return layout_example();
        return usage(stderr);
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    return usage(stderr);
}
