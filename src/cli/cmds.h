/* SPDX-License-Identifier: MIT */
/* cmds.h - the grantsim subcommands that live in their own files. */
#ifndef GS_CMDS_H
#define GS_CMDS_H

#include <stdbool.h>
#include <stdint.h>

/* grantsim run [options] FILE|DIR... (cmd_run.c). Returns the exit code. */
int gs_cmd_run(int argc, char **argv);

/* grantsim repro TARGET INPUT [options] (cmd_repro.c). Returns the exit code. */
int gs_cmd_repro(int argc, char **argv);

/* grantsim tab ELF -o FILE.tab [options] (cmd_tab.c). Returns the exit code. */
int gs_cmd_tab(int argc, char **argv);

/* grantsim trace [options] FILE (cmd_trace.c). Returns the exit code. */
int gs_cmd_trace(int argc, char **argv);

/* grantsim gdb [options] FILE (cmd_gdb.c): a scenario under a GDB stub. Returns the exit code. */
int gs_cmd_gdb(int argc, char **argv);

struct gs_kernel;
struct gs_process;
struct gs_scn_file;
struct gs_scenario;

/*
 * Opens FILE and validates its case case_id (NULL: the file must have no
 * cases) into *f and *s (free both). Prints the error and returns the exit
 * code (2) on failure, 0 on success. cmd names the command in messages.
 */
int gs_cmd_load_case(const char *cmd, const char *file, const char *case_id, const char *apps,
                     struct gs_scn_file **f, struct gs_scenario **s);

/* What `grantsim layout FILE` and `grantsim explain FILE` look at. */
struct gs_snap_args {
    const char *file, *case_id, *apps;
    const char *process; /* package name or index; NULL: the only process */
    bool need_process;   /* layout: a process must be chosen (or be the only one) */
    long step;           /* after this script step (0-based), or -1 */
    long syscalls;       /* after this many syscalls, or -1; neither: the end of the run */
    unsigned restarts;   /* the incarnation the moment is in */
};

/* Same signature as gs_scn_snap_fn (scenario.h); p is NULL when no process was chosen. */
typedef void (*gs_cmd_snap_fn)(void *ctx, const struct gs_kernel *k, const struct gs_process *p,
                               const char *when);

/* Runs the case and calls fn at the moment. Returns the exit code (0 or 2). */
int gs_cmd_snapshot(const char *cmd, const struct gs_snap_args *a, gs_cmd_snap_fn fn, void *ctx);

/*
 * The apps directory: --apps DIR if given, else $GRANTSIM_APPS, else the
 * build's apps directory (compiled in), else NULL.
 */
const char *gs_cmd_apps_dir(const char *option);

/* ---- app files (cmd_app.c) ---- */

enum gs_app_kind { GS_APP_NONE, GS_APP_ELF, GS_APP_TBF, GS_APP_TAB };

/* What a command-line path is: by its extension (.elf, .tbf, .tab; .json
 * is a scenario), else by its first bytes; GS_APP_NONE for a scenario file
 * or directory. */
enum gs_app_kind gs_cmd_app_kind(const char *path);

/* The default board's options (NULL: the scenario default); strings are
 * passed to the scenario loader as given, which checks them. */
struct gs_app_opts {
    const char *ram, *flash, *profile, *mpu_regions, *fault_policy;
    const char *min_ram, *stack, *app_heap, *kernel_heap; /* ELF processes */
    const char *max_instructions, *clock_hz, *arch, *input;
    bool has_time;
    uint64_t time_us; /* --time-limit */
};
void gs_app_opts_default(struct gs_app_opts *o);

/* The scenario of the default board running files[0..n) (ELF, TBF or TAB),
 * loaded. Returns an exit code (GS_EXIT_INPUT after printing why). */
int gs_cmd_apps_scenario(const struct gs_app_opts *o, char **files, int n,
                         struct gs_scenario **out);

/* `grantsim run APP...`: runs them, console live, end states. Returns the exit code. */
int gs_cmd_run_apps(const struct gs_app_opts *o, char **files, int n, bool json);

#endif
