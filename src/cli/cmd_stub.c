/* SPDX-License-Identifier: MIT */
/* The commands that need jansson and Unicorn, when grantsim is built without them. */
#include <stdio.h>
#include <stdlib.h>

#include "cmds.h"

static int missing(const char *cmd)
{
    fprintf(stderr,
            "grantsim %s: this grantsim was built without jansson or Unicorn "
            "(run scripts/setup, then rebuild)\n",
            cmd);
    return GS_CLI_USAGE;
}

static void stub_usage(struct gs_usage *u, const char *cmd)
{
    gs_usage_synopsis(u, cmd, "...");
    if (u->full)
        fputs("Not in this grantsim: it was built without jansson or Unicorn (run\n"
              "scripts/setup, then rebuild).\n",
              u->f);
}

int gs_cmd_run(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return missing("run");
}

void gs_cmd_run_usage(struct gs_usage *u)
{
    stub_usage(u, "run");
}

int gs_cmd_repro(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return missing("repro");
}

void gs_cmd_repro_usage(struct gs_usage *u)
{
    stub_usage(u, "repro");
}

int gs_cmd_trace(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return missing("trace");
}

void gs_cmd_trace_usage(struct gs_usage *u)
{
    stub_usage(u, "trace");
}

int gs_cmd_tab(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return missing("tab");
}

void gs_cmd_tab_usage(struct gs_usage *u)
{
    stub_usage(u, "tab");
}

int gs_cmd_gdb(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return missing("gdb");
}

void gs_cmd_gdb_usage(struct gs_usage *u)
{
    stub_usage(u, "gdb");
}

int gs_cmd_snapshot(const char *cmd, const struct gs_snap_args *a, gs_cmd_snap_fn fn, void *ctx)
{
    (void)a;
    (void)fn;
    (void)ctx;
    fprintf(stderr,
            "grantsim %s: this grantsim was built without jansson or Unicorn, so it "
            "reads no scenario files (run scripts/setup, then rebuild)\n",
            cmd);
    return GS_CLI_USAGE;
}

int gs_example_new(struct gs_example **out, struct gs_kernel **k)
{
    *out = NULL;
    *k = NULL;
    fprintf(stderr, "grantsim: the example runs on the Cortex-M machine, and this grantsim was "
                    "built without Unicorn (run scripts/setup, then rebuild)\n");
    return GS_CLI_USAGE;
}

void gs_example_free(struct gs_example *ex)
{
    (void)ex;
}

const char *gs_cmd_apps_dir(const char *option)
{
    return option ? option : getenv("GRANTSIM_APPS");
}
