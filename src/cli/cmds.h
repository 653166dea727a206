/* SPDX-License-Identifier: MIT */
/* cmds.h - the grantsim subcommands that live in their own files. */
#ifndef GS_CMDS_H
#define GS_CMDS_H

/* grantsim run [options] FILE|DIR... (cmd_run.c). Returns the exit code. */
int gs_cmd_run(int argc, char **argv);

/* grantsim trace [options] FILE (cmd_trace.c). Returns the exit code. */
int gs_cmd_trace(int argc, char **argv);

/*
 * The apps directory: --apps DIR if given, else $GRANTSIM_APPS, else the
 * build's apps directory (compiled in), else NULL.
 */
const char *gs_cmd_apps_dir(const char *option);

#endif
