/* SPDX-License-Identifier: MIT */
/*
 * cmds.h - the grantsim command table, the helpers every command shares
 * (usage text, option errors), and the commands that live in their own
 * files.
 *
 * Conventions (getopt_long, as the GNU tools and Tock's own tools behave):
 * every command takes -h/--help (its usage on stdout, exit 0), --opt=value
 * and --opt value alike, unambiguous abbreviations of long options, and
 * options before or after operands. A usage error exits 2 with one line on
 * stderr naming the command, then "Try 'grantsim CMD --help' ..." (a
 * missing or extra operand also prints the synopsis).
 */
#ifndef GS_CMDS_H
#define GS_CMDS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Exit codes (DESIGN.md decision 7; the same values as scenario.h's GS_EXIT_*). */
enum { GS_CLI_OK = 0, GS_CLI_FAIL = 1, GS_CLI_USAGE = 2, GS_CLI_FINDING = 3 };

/*
 * Where a usage function writes. full = false: the synopsis lines only (the
 * top-level usage and usage errors collect them); true: synopsis,
 * description, options. man = true: the form help2man reads for the man
 * page (`grantsim help --man`): synopsis lines unwrapped, one paragraph each.
 */
struct gs_usage {
    FILE *f;
    bool full, man;
    bool bare;      /* man page sections: no "Usage:" / "or:", a paragraph per line */
    unsigned lines; /* synopsis lines written: "Usage:" first, "  or:" after */
};

/*
 * One synopsis line: "Usage: grantsim CMD ARGS" (the first), then
 * "  or:  grantsim CMD ARGS", ARGS wrapped at 80 columns between groups
 * ([...] and (...) stay whole), aligned after the command name.
 */
void gs_usage_synopsis(struct gs_usage *u, const char *cmd, const char *args);

/*
 * One command of `grantsim`. Adding a command is one entry of gs_commands
 * (main.c): dispatch, `grantsim help NAME`, the top-level usage, the man
 * page (help2man reads `grantsim help --man`) and the bash completion (it
 * reads the help output) all come from the table.
 *
 * run: argv[0] is the command name, argv[1..argc) its arguments; getopt's
 * state is reset before it is called (optind = 0), so it parses with
 * getopt_long from scratch. Returns the exit code.
 * usage: writes the command's usage (see struct gs_usage).
 */
struct gs_command {
    const char *name;
    const char *summary; /* one line, no final period */
    void (*usage)(struct gs_usage *u);
    int (*run)(int argc, char **argv);
};
extern const struct gs_command gs_commands[];
extern const unsigned gs_ncommands;
const struct gs_command *gs_command_find(const char *name);

/* "grantsim CMD: MESSAGE" and the --help hint on stderr; returns GS_CLI_USAGE. */
int gs_cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The same with the command's synopsis between the message and the hint
 * (a missing or extra operand). */
int gs_cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * The error for what getopt_long returned for an option it could not take
 * (opt is '?' or ':', with an optstring that starts with ':' and opterr = 0):
 * an unknown option (with the closest known one, if any), an ambiguous
 * abbreviation, a missing value, or a value given to an option that takes
 * none. longs is the option table. Returns GS_CLI_USAGE.
 */
int gs_cli_option_error(const char *cmd, int opt, char **argv, const struct option *longs);

/* Prints the full usage of cmd on stdout and returns 0 (-h/--help). */
int gs_cli_help(const char *cmd);

/*
 * Checks a --format value against formats (space separated, such as
 * "text json svg"): true, or false after the error. The message names the
 * choices.
 */
bool gs_cli_format(const char *cmd, const char *value, const char *formats);

/* A sink writer for stdio streams (ctx is the FILE *). */
void gs_cli_file_write(void *ctx, const char *s, size_t n);

/* ---- the commands (each file has its handler and its usage function) ---- */

/* grantsim layout / explain (cmd_layout.c). */
int gs_cmd_layout(int argc, char **argv);
void gs_cmd_layout_usage(struct gs_usage *u);
int gs_cmd_explain(int argc, char **argv);
void gs_cmd_explain_usage(struct gs_usage *u);

/*
 * The built-in example of layout and explain (cmd_example.c): a run on the
 * Cortex-M machine, stopped when nothing can happen any more. On success
 * *k is its kernel, with processes 0 "blink" and 1 "client"; free with
 * gs_example_free (NULL is fine). Returns 0, or an exit code after printing
 * why (3: an oracle finding).
 */
struct gs_example;
struct gs_kernel;
int gs_example_new(struct gs_example **out, struct gs_kernel **k);
void gs_example_free(struct gs_example *ex);

/* grantsim run [options] FILE|DIR... or APP... (cmd_run.c, cmd_app.c). */
int gs_cmd_run(int argc, char **argv);
void gs_cmd_run_usage(struct gs_usage *u);

/* grantsim repro TARGET INPUT [options] (cmd_repro.c). */
int gs_cmd_repro(int argc, char **argv);
void gs_cmd_repro_usage(struct gs_usage *u);

/* grantsim tab ELF -o FILE.tab [options] (cmd_tab.c). */
int gs_cmd_tab(int argc, char **argv);
void gs_cmd_tab_usage(struct gs_usage *u);

/* grantsim trace [options] FILE (cmd_trace.c). */
int gs_cmd_trace(int argc, char **argv);
void gs_cmd_trace_usage(struct gs_usage *u);

/* grantsim gdb [options] FILE|APP... (cmd_gdb.c): a scenario under a GDB stub. */
int gs_cmd_gdb(int argc, char **argv);
void gs_cmd_gdb_usage(struct gs_usage *u);

struct gs_kernel;
struct gs_process;
struct gs_scn_file;
struct gs_scenario;

/*
 * --case=ID and --apps=DIR, which every command that loads scenario files
 * takes (run, trace, gdb, layout, explain): which case of a file, and where
 * its "app": NAME processes are found. GS_CLI_CASE_OPTIONS are their
 * getopt_long entries (in this order), with values above every command's
 * own (those start at 256).
 */
enum { GS_OPT_CASE = 512, GS_OPT_APPS };
#define GS_CLI_CASE_OPTIONS                                                                        \
    {"case", required_argument, NULL, GS_OPT_CASE},                                                \
    {                                                                                              \
        "apps", required_argument, NULL, GS_OPT_APPS                                               \
    }

/* Their values (NULL: not given). */
struct gs_case_sel {
    const char *case_id, *apps;
};

/* If opt (what getopt_long returned) is --case or --apps: stores value into *sel, true; else false. */
bool gs_cli_case_option(struct gs_case_sel *sel, int opt, const char *value);

/*
 * Opens FILE and validates its case sel->case_id (NULL: the file must have
 * no cases), apps from gs_cmd_apps_dir(sel->apps), into *f and *s (free
 * both). Prints the error and returns the exit code (2) on failure, 0 on
 * success. cmd names the command in messages.
 */
int gs_cmd_load_case(const char *cmd, const char *file, const struct gs_case_sel *sel,
                     struct gs_scn_file **f, struct gs_scenario **s);

/*
 * The process of s named by v: its package name, else its index in the
 * scenario's order as a decimal number. Returns the index, or -1 if none.
 */
int gs_cmd_find_process(const struct gs_scenario *s, const char *v);

/* What `grantsim layout FILE` and `grantsim explain FILE` look at. */
struct gs_snap_args {
    const char *file;
    struct gs_case_sel sel;
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

/*
 * elf2tab's sizing of an ELF (--stack, --app-heap, --kernel-heap) and the
 * TBF of a TAB (--arch), which `run APP...` and `tab` both take:
 * GS_CLI_ELF_OPTIONS are their getopt_long entries (in this order), with
 * values above every command's own.
 */
enum { GS_OPT_STACK = 520, GS_OPT_APP_HEAP, GS_OPT_KERNEL_HEAP, GS_OPT_ARCH };
/* clang-format off */
#define GS_CLI_ELF_OPTIONS                                                                         \
    {"stack", required_argument, NULL, GS_OPT_STACK},                                              \
    {"app-heap", required_argument, NULL, GS_OPT_APP_HEAP},                                        \
    {"kernel-heap", required_argument, NULL, GS_OPT_KERNEL_HEAP},                                  \
    {"arch", required_argument, NULL, GS_OPT_ARCH}
/* clang-format on */

enum gs_app_kind { GS_APP_NONE, GS_APP_ELF, GS_APP_TBF, GS_APP_TAB };

/* What a command-line path is: by its extension (.elf, .tbf, .tab; .json
 * is a scenario), else by its first bytes; GS_APP_NONE for a scenario file
 * or directory. */
enum gs_app_kind gs_cmd_app_kind(const char *path);

/* The file's name without directories and extension ("build/apps/hello.elf" -> "hello"),
 * malloc'd; NULL when out of memory. */
char *gs_cmd_file_stem(const char *path);

/*
 * The operands of run and gdb, files[0..n), are app files or scenario
 * files (what the command takes of those, such as "scenario files", for
 * the message), never both, and --case and --apps (sel) are for scenario
 * files. Returns the number of app files (0: scenario files), or -1 after
 * printing why the operands are refused.
 */
int gs_cmd_count_apps(const char *cmd, char **files, int n, const char *scenarios,
                      const struct gs_case_sel *sel);

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

/* `grantsim run APP...`: runs them, console live, end states; crlf: fault
 * reports end their lines "\r\n" as upstream's writer does. Returns the exit code. */
int gs_cmd_run_apps(const struct gs_app_opts *o, char **files, int n, bool json, bool crlf);

#endif
