/* SPDX-License-Identifier: MIT */
/* run and trace when grantsim is built without jansson or Unicorn. */
#include <stdio.h>
#include <stdlib.h>

#include "cmds.h"

int gs_cmd_run(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "grantsim run: this grantsim was built without jansson or Unicorn "
                    "(run scripts/setup, then rebuild)\n");
    return 2;
}

int gs_cmd_repro(int argc, char **argv)
{
    return gs_cmd_run(argc, argv);
}

int gs_cmd_trace(int argc, char **argv)
{
    return gs_cmd_run(argc, argv);
}

int gs_cmd_tab(int argc, char **argv)
{
    return gs_cmd_run(argc, argv);
}

int gs_cmd_gdb(int argc, char **argv)
{
    return gs_cmd_run(argc, argv);
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
    return 2;
}

const char *gs_cmd_apps_dir(const char *option)
{
    return option ? option : getenv("GRANTSIM_APPS");
}
