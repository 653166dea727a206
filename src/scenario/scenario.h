/* SPDX-License-Identifier: MIT */
/*
 * scenario.h - scenario files: load and validate (jansson), run on a
 * simulated board, check expectations, report (text, JSON) and trace.
 *
 * One JSON file is a test, a fuzz seed and a reproducer; scenarios/README.md
 * is the format's manual and keys.h its table (every key, its type, range,
 * default and description), from which scenarios/schema.json is generated.
 * This header is the model the loader produces and the runner consumes:
 *
 *   gs_scn_file_open   reads a file, checks its JSON syntax and its "cases"
 *                      (ids), without building anything
 *   gs_scn_load        validates one case of it (the base merged with the
 *                      case's patch, RFC 7386) into a struct gs_scenario:
 *                      board, drivers, processes (with their app files read
 *                      and script steps decoded) and a flat list of checks
 *   gs_scn_run         builds the board, runs it, evaluates every check and
 *                      the oracles, and fills a struct gs_scn_result
 *   gs_scn_report_*    prints a result for people or as JSON
 *
 * Errors in a file are values (struct gs_scn_err), never aborts: each names
 * the file, line, column and JSON path and says what was expected. The
 * loader never reads outside its input, whatever the bytes are.
 */
#ifndef GS_SCENARIO_H
#define GS_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "board.h"

#define GS_SCN_VERSION 1

/* Exit codes of `grantsim run` (DESIGN.md decision 7). */
enum gs_scn_exit {
    GS_EXIT_PASS = 0,    /* every expectation held */
    GS_EXIT_FAIL = 1,    /* an expectation failed */
    GS_EXIT_INPUT = 2,   /* bad input or usage */
    GS_EXIT_FINDING = 3, /* an oracle finding or an unexpected kernel panic */
};

/* ------------------------------------------------------------------ errors */

struct gs_scn_err {
    unsigned line, col; /* 0 when the error has no position (unreadable file) */
    char path[160];     /* JSON path ("processes[2].script[5].command.driver"), or "" */
    char msg[1024];     /* the whole message: "FILE:LINE:COL: PATH: what was expected, got ..." */
};

/* ------------------------------------------------------------------ values */

/*
 * What a number in a scenario is relative to. ABS is a plain number; the
 * others name a place in a process (the process itself, or `of`):
 *   RAM     memory_start + v          FLASH   app start (r0 at entry) + v
 *   UPCALL  the script's upcall handler v (a function pointer, Thumb bit set)
 *   RESULT  the spare word of the script's result slot v (script.h)
 *   BUF     memory_start + first byte after the script's result area + v
 *   END     memory_start + memory_len + v (v usually negative)
 * RAM, FLASH, UPCALL, RESULT and BUF without `of` are what the script
 * interpreter itself resolves (script.h bases); END and anything with `of`
 * are resolved by the runner once the board is loaded.
 */
enum gs_scn_base {
    GS_SB_ABS,
    GS_SB_RAM,
    GS_SB_FLASH,
    GS_SB_UPCALL,
    GS_SB_RESULT,
    GS_SB_BUF,
    GS_SB_END,
    GS_SB_DATA,
    GS_SB_TBF,     /* the process's TBF start (its protected header) */
    GS_SB_TBF_END, /* the end of its TBF (total_size) */
};

struct gs_scn_value {
    uint8_t base; /* enum gs_scn_base */
    int of;       /* process index the base refers to; -1 = the process itself */
    uint32_t v;   /* the number, or the offset from the base (wrapping) */
};

/* ----------------------------------------------------------------- drivers */

enum gs_scn_drv_type {
    GS_SD_CONSOLE,
    GS_SD_ALARM,
    GS_SD_LED,
    GS_SD_RNG,
    GS_SD_LLD,
    GS_SD_IPC,
    GS_SD_TEST,
};

struct gs_scn_driver {
    enum gs_scn_drv_type type;
    uint32_t num;                /* driver number */
    unsigned led_count;          /* LED */
    uint64_t rng_seed;           /* RNG */
    struct gs_grant_shape shape; /* test capsule */
    bool check_t_bounds;         /* test capsule */
    const char *input;           /* console: the input stream's bytes (may contain NUL) */
    uint32_t input_len;
    struct gs_console_input *inputs; /* console: timed input, in order of time */
    unsigned ninputs;
    uint64_t latency;    /* console: instructions from a write to its upcall */
    uint32_t alarm_freq; /* alarm: ticks per second (0 = default) */
    uint64_t cpu_hz;     /* alarm: instructions per second (0 = default) */
};

/* ------------------------------------------------------------------- steps */

/* An expectation on the registers a step leaves (script.h records r0..r3). */
struct gs_scn_regs {
    bool present;
    bool never; /* "never": the step must not complete (the process stops before) */
    bool has_variant;
    uint32_t variant; /* r0: a TRD104 variant code (0..3, 128..133) */
    bool any_failure; /* "error" without "variant": r0 must be a failure variant */
    bool has[4];
    struct gs_scn_value r[4];
    const char *where; /* "FILE:LINE:COL: PATH" of the expectation */
};

struct gs_scn_step {
    uint32_t kind;               /* svc class 0..255, or enum gs_script_op */
    struct gs_scn_value a[4];    /* r0..r3 */
    const char *id;              /* optional name (NULL) */
    const char *where;           /* position and path of the step */
    struct gs_scn_regs expect;   /* inline expectation */
    const struct gs_scn_regs *x; /* the expectation in force (inline or from expect.processes) */
};

/* --------------------------------------------------------------- processes */

enum gs_scn_src { GS_SRC_APP, GS_SRC_ELF, GS_SRC_TBF, GS_SRC_SCRIPT };

struct gs_scn_proc {
    const char *name;    /* package name (the key of its expectations) */
    const char *package; /* scripts: the TBF's package name ("package_name"; default name) */
    enum gs_scn_src src;
    const char *path;      /* app, elf, tbf, tab: the file read */
    const char *tab_entry; /* tab: the member taken ("cortex-m4.tbf"); else NULL */
    uint8_t *image;        /* its bytes */
    size_t image_len;
    bool has_min_ram;
    uint32_t min_ram;
    struct gs_elf_opts
        elf_opts; /* app, elf: "stack", "app_heap", "kernel_heap" (elf2tab's flags) */
    bool has_policy;
    enum gs_fault_policy policy;
    unsigned threshold;
    /* Scripts. */
    struct gs_scn_step *steps;
    unsigned nsteps;
    enum gs_script_final final;
    uint32_t final_code;
    bool record;         /* recording mode (prologue != 0) */
    const uint8_t *data; /* "data": bytes placed in flash after the step table */
    size_t data_len;
    uint32_t protected_size; /* "protected_size": the TBF's protected region (0: the header) */
    uint32_t prologue;       /* P: the break the prologue asks for (offset from memory_start) */
    uint32_t buf_off;        /* first byte after the result area (the BUF base) */
    const char *where;
};

/* ------------------------------------------------------------------ checks */

/*
 * Expectations compile into a flat list of checks, each with the position
 * of the JSON it came from. `proc` is a process index (or -1 for board-wide
 * checks); the meaning of the other fields depends on the kind.
 */
enum gs_chk_kind {
    /* Board-wide. */
    GS_CHK_RUN_END,     /* num = enum gs_run_end */
    GS_CHK_CONSOLE_ALL, /* str/len; flag = contains */
    GS_CHK_DEBUG,       /* the kernel's debug output (one line per message): str/len; flag */
    GS_CHK_LED,         /* str = "10.." one char per LED, len = count */
    /* Per process. */
    GS_CHK_LOADED,       /* flag */
    GS_CHK_STATE,        /* num = enum gs_state */
    GS_CHK_COMPLETION,   /* num: 0 None, 1 Faulted, 2 code v[0] */
    GS_CHK_RESTARTS,     /* num */
    GS_CHK_CONSOLE,      /* str/len; flag = contains */
    GS_CHK_FAULT_COUNT,  /* num */
    GS_CHK_FAULT,        /* index; num = kind (has[1]); v[0] address (has[0]) */
    GS_CHK_LAYOUT,       /* index = enum gs_chk_layout; v[0] */
    GS_CHK_GRANT,        /* num = driver; flag = allocated; v[0] address (has[0]) */
    GS_CHK_GRANT_COUNT,  /* num */
    GS_CHK_MPU,          /* index = region; has[0] rbar v[0]; has[1] rasr v[1]; flag = unused */
    GS_CHK_UPCALL_COUNT, /* num */
    GS_CHK_UPCALL,       /* index; has[0..2] args v[0..2]; has[3] appdata v[3]; num handler
                            (if has_num), str unused; step in num2 (if has_num2) */
    GS_CHK_STEPS_DONE,   /* num */
    GS_CHK_FINISHED,     /* flag */
    GS_CHK_MEMORY,       /* v[0] address; num = width (1, 4) with v[1]; or str/len bytes */
    GS_CHK_COUNTER,      /* index = enum gs_chk_counter; num */
    GS_CHK_STEP,         /* index = step */
};

enum gs_chk_layout {
    GS_LAY_MEMORY_START,
    GS_LAY_MEMORY_LEN,
    GS_LAY_APP_BREAK,
    GS_LAY_KERNEL_BREAK,
    GS_LAY_HWM,
    GS_LAY_COUNT
};

enum gs_chk_counter { GS_CNT_QUEUED, GS_CNT_DROPPED, GS_CNT_SYSCALLS, GS_CNT_COUNT };

struct gs_scn_check {
    enum gs_chk_kind kind;
    int proc;
    unsigned index;
    uint32_t num;
    bool has_num;
    uint32_t num2;
    bool has_num2;
    bool flag;
    bool has[4];
    struct gs_scn_value v[4];
    const char *str;
    size_t len;
    const char *where;
};

/* Oracle kinds a scenario can keep silent (bit i = enum gs_finding_kind i). */
#define GS_SCN_SILENT_ALL 0xFu

/* ---------------------------------------------------------------- scenario */

struct gs_scn_arena;

struct gs_scenario {
    const char *file;             /* as given on the command line */
    const char *name;             /* "name", or the file's base name */
    const char *description;      /* may be NULL */
    const char *case_id;          /* NULL when the file has no cases */
    const char *known_divergence; /* non-NULL: expected to fail; the text says why */
    const char *where;            /* position of the case (or of the file) */

    struct gs_board_config board;
    enum gs_fault_policy policy; /* default for processes */
    unsigned threshold;
    uint64_t max_instructions; /* busy time: executed instructions and charged kernel passes */
    uint64_t max_time_us; /* simulated time (microseconds), idle included (gs_kernel_run_for) */
    uint64_t clock_hz;    /* instructions per simulated second (the alarm's default cpu_hz) */
    bool enforce_mpu;
    uint64_t rng_seed;
    uint32_t inject_grant_alloc_at; /* board.inject: 0 = off */
    uint32_t inject_mpu_region_at;

    struct gs_scn_driver *drivers;
    unsigned ndrivers;
    struct gs_scn_proc *procs;
    unsigned nprocs;
    struct gs_scn_check *checks;
    unsigned nchecks;

    /* Oracles. */
    const char **findings; /* ids that must be reported (a trailing '*' matches any suffix) */
    const char **findings_where;
    unsigned nfindings;
    unsigned silent; /* GS_SCN_SILENT_ALL by default */
    int panic;       /* -1 none allowed, 1 expected (panic_msg NULL = any message) */
    const char *panic_msg;
    const char *panic_where;

    struct gs_scn_arena *arena;
};

/* ------------------------------------------------------------------ files */

struct gs_scn_file;

/*
 * Reads and parses `path` (JSON syntax, the format version, and the
 * "cases" list with unique ids). Errors: GS_E_ARG with *err filled (the
 * file is unreadable or not a scenario), GS_E_NOMEM_HOST.
 */
int gs_scn_file_open(const char *path, struct gs_scn_file **out, struct gs_scn_err *err);

/* The same from a string (tests, fuzzers); `name` is used in messages. */
int gs_scn_file_from_string(const char *name, const char *text, size_t len,
                            struct gs_scn_file **out, struct gs_scn_err *err);

void gs_scn_file_free(struct gs_scn_file *f); /* accepts NULL */

/*
 * A file from a JSON document built in memory (a jansson json_t *, passed
 * as void * to keep jansson out of this header; the file takes the
 * reference, even on error). Positions in messages are "NAME:0:0: PATH".
 */
int gs_scn_file_from_json(const char *name, void *root, struct gs_scn_file **out,
                          struct gs_scn_err *err);

/* Number of cases (0 when the file has no "cases"), and their ids. */
unsigned gs_scn_file_ncases(const struct gs_scn_file *f);
const char *gs_scn_file_case_id(const struct gs_scn_file *f, unsigned i);
/* Index of case `id`, or -1. */
int gs_scn_file_find_case(const struct gs_scn_file *f, const char *id);
const char *gs_scn_file_path(const struct gs_scn_file *f);

/*
 * Scenario files named on a command line. gs_scn_paths_add adds a file as
 * given, and a directory as every *.json below it except schema.json
 * (sorted per directory, depth-first, at most 16 levels). Returns 0, or -1
 * (a directory that cannot be read, out of host memory). Zero-initialize;
 * free with gs_scn_paths_free.
 */
struct gs_scn_paths {
    char **v;
    size_t n, cap;
};
int gs_scn_paths_add(struct gs_scn_paths *p, const char *path);
void gs_scn_paths_free(struct gs_scn_paths *p);

struct gs_scn_opts {
    const char *apps_dir; /* where "app": NAME finds NAME.elf; NULL = no apps */
    /*
     * Positions of expectations as "FILE: PATH", without LINE:COL (finding
     * them costs a scan of the text per expectation: for generated files
     * run by fuzzers). Errors keep their full position.
     */
    bool no_positions;
    /*
     * Read no files: a process with "app", "elf" or "tbf" is a load error
     * ("files are not read here") at that key. For fuzzers, whose input
     * could otherwise name any file of the host (/dev/zero, a huge file).
     */
    bool no_files;
    /*
     * Takes the TBF for `arch` out of a TAB (gs_tab_read's contract); NULL:
     * "tab" processes are an error (a build without libarchive, fuzzers).
     */
    int (*read_tab)(const uint8_t *tar, size_t len, const char *arch, uint8_t **tbf,
                    size_t *tbf_len, char *entry, size_t entry_n, char *err, size_t err_n);
};

/*
 * Validates case `case_index` of f (-1: the file has no cases) into a
 * scenario. Relative "elf"/"tbf" paths are relative to the file's
 * directory (with o->no_files, no file is read: such a process is an
 * error). Errors: GS_E_ARG with *err filled; GS_E_NOMEM_HOST.
 */
int gs_scn_load(const struct gs_scn_file *f, int case_index, const struct gs_scn_opts *o,
                struct gs_scenario **out, struct gs_scn_err *err);

void gs_scenario_free(struct gs_scenario *s); /* accepts NULL */

/* ----------------------------------------------------------------- running */

enum gs_scn_status {
    GS_SCN_PASS,
    GS_SCN_FAIL,    /* an expectation failed */
    GS_SCN_FINDING, /* an unexpected oracle finding or kernel panic */
    GS_SCN_ERROR,   /* the scenario could not be built (bad input found late) */
};

struct gs_scn_failure {
    char *where;    /* "FILE:LINE:COL: PATH" of the expectation */
    char *what;     /* what was checked ("process \"s\" step 3: command(...)") */
    char *expected; /* text */
    char *actual;   /* text */
    int proc;       /* process whose map is shown, -1 for none */
    int step;       /* the step of a failed step expectation, else -1 */
    char *map;      /* that process's memory map at that moment (may be NULL) */
    bool has_addr;  /* the actual value is an address of the process: */
    uint32_t addr;  /* the compact report shows the map line that holds it */
    char *map_when; /* "after step 3" / "at the end of the run" */
};

struct gs_scn_finding {
    char id[128];
    char text[256];
    unsigned count;
};

struct gs_scn_result {
    enum gs_scn_status status;
    bool known_divergence; /* the scenario is marked; status is what happened */
    enum gs_run_end run_end;
    uint64_t instructions; /* busy time of the run: gs_kernel_now - gs_kernel_idle_time */
    uint64_t time;         /* simulated time at the end, in instructions (gs_kernel_now) */
    uint64_t clock_hz;     /* the scenario's clock, to print time in seconds */
    struct gs_scn_failure *failures;
    unsigned nfailures;
    struct gs_scn_finding *findings; /* every distinct finding reported */
    unsigned nfindings;
    unsigned unexpected; /* how many of them were not expected (or silenced) */
    char panic[256];     /* the kernel panic message, "" if none */
    char error[1024];    /* GS_SCN_ERROR: the message */
};

/*
 * Boards kept between runs (fuzzers, benchmarks): a run whose board and
 * drivers are those of a kept board resets that board (gs_board_reset)
 * instead of building a new one, which saves creating its Unicorn engines.
 * The GS_SCN_REUSE_BOARDS most recently used are kept. Zero-initialize it;
 * free it with gs_scn_reuse_free.
 */
#define GS_SCN_REUSE_BOARDS 16
struct gs_scn_reuse {
    struct {
        struct gs_board *b;
        char key[1024]; /* the board and drivers it was built for */
        uint64_t last;  /* use counter, for least-recently-used eviction */
    } slot[GS_SCN_REUSE_BOARDS];
    uint64_t built, reused, uses;
    uint64_t reconfigured; /* boards of the same memory rebuilt for another kernel or drivers */
};
void gs_scn_reuse_free(struct gs_scn_reuse *r);

struct gs_scn_run_opts {
    bool maps;                  /* capture memory maps for failures (default true in the CLI) */
    FILE *trace;                /* write the trace here (NULL: none) */
    bool trace_chrome;          /* in the Trace Event Format (gs_trace_new_chrome) */
    bool trace_svg;             /* as an SVG timeline (gs_trace_new_svg) */
    struct gs_scn_reuse *reuse; /* NULL: a new board for the run */
    /*
     * Called once the board is built (with the runner's observers
     * installed) and before the processes are loaded, e.g. to add an
     * observer of one's own. May be NULL.
     */
    void (*attach)(void *ctx, struct gs_kernel *k);
    void *attach_ctx;
    /*
     * Called once at the end of a run that was built, with the board as
     * the run left it (its app i is the scenario's process i), e.g. to
     * report each process's end state. May be NULL; gets attach_ctx.
     */
    void (*at_end)(void *ctx, const struct gs_board *b);
    /*
     * Called right after attach (same ctx), with the whole board: for what
     * needs the machine, e.g. a debugger (gdbstub.h). May be NULL.
     */
    void (*attach_board)(void *ctx, struct gs_board *b);
};

/*
 * Builds the board for s, runs it, and evaluates every expectation and the
 * oracles into *r (which the caller frees with gs_scn_result_free). Returns
 * 0, or GS_E_NOMEM_HOST; a scenario that cannot be built is a result with
 * status GS_SCN_ERROR.
 */
int gs_scn_run(const struct gs_scenario *s, const struct gs_scn_run_opts *o,
               struct gs_scn_result *r);

void gs_scn_result_free(struct gs_scn_result *r);

/* The exit code a result stands for (known divergences: failing is passing). */
enum gs_scn_exit gs_scn_result_exit(const struct gs_scn_result *r);

/*
 * Snapshots: a run that stops to look at one process at one moment (for
 * failure maps, `grantsim layout FILE` and `grantsim explain FILE`). The
 * moment is "after `after` syscalls of incarnation `restarts`": when the
 * process enters its next syscall (it is shown as Last Syscall), or when it
 * faults or exits having made at least `before` syscalls; or the end of the
 * run when at_end is set or the moment never comes (the `when` text says
 * which). Runs are deterministic, so a snapshot replays the scenario on a
 * fresh board.
 */
struct gs_scn_moment {
    int proc;          /* scenario process index; -1 (at_end only): no process */
    bool at_end;       /* at the end of the run */
    unsigned restarts; /* the incarnation (restart_count) */
    uint32_t before, after;
};

/* The moment right after step `step` of a script process. Errors: GS_E_ARG. */
int gs_scn_moment_after_step(const struct gs_scenario *s, int proc, unsigned step,
                             unsigned restarts, struct gs_scn_moment *m);

/* Called once, with the live kernel and process (NULL for proc -1); `when` says when. */
typedef void (*gs_scn_snap_fn)(void *ctx, const struct gs_kernel *k, const struct gs_process *p,
                               const char *when);

/*
 * Runs s and calls fn at moment m. Returns GS_OK, or an error with a message
 * in err (the board cannot be built, the process was not loaded).
 */
int gs_scn_snapshot(const struct gs_scenario *s, const struct gs_scn_moment *m, gs_scn_snap_fn fn,
                    void *ctx, char *err, size_t n);

/* ----------------------------------------------------------------- reports */

/* "file.json" or "file.json --case ID": what to pass to `grantsim run` to rerun it. */
void gs_scn_rerun_args(const struct gs_scenario *s, char *buf, size_t n);

/*
 * Prints a result for people: one line for a pass, and for a failure each
 * failed expectation with what was expected, what happened, the memory map
 * and the command that reruns the case alone. `prog` is the command name.
 */
void gs_scn_report_text(FILE *f, const struct gs_scenario *s, const struct gs_scn_result *r,
                        const char *prog, bool verbose);

/* The result as one JSON object (a jansson json_t *, returned as void * to keep
 * jansson out of this header); NULL on host OOM. */
void *gs_scn_report_json(const struct gs_scenario *s, const struct gs_scn_result *r);

/* ------------------------------------------------------------------- trace */

/*
 * A trace is an observer: one line per syscall, syscall return, upcall, IPC
 * dispatch, grant allocation, MPU reconfiguration, fault (and console output,
 * process exits, findings and panics), prefixed with the time in
 * instructions. Nothing in a line depends on the host, so two runs of the
 * same scenario give byte-identical traces.
 */
struct gs_trace;
struct gs_trace *gs_trace_new(FILE *out);
/* The same events in the Trace Event Format (chrome://tracing, Perfetto):
 * one JSON document, completed by gs_trace_free; times in simulated
 * microseconds at clock_hz (0: 64 MHz). */
struct gs_trace *gs_trace_new_chrome(FILE *out, uint64_t clock_hz);
/* The same events drawn as an SVG timeline (timeline.c), written by
 * gs_trace_free: a lane per process, syscalls as bars, the rest as markers,
 * each with a tooltip. */
struct gs_trace *gs_trace_new_svg(FILE *out, uint64_t clock_hz, const char *title);
void gs_trace_free(struct gs_trace *t);
void gs_trace_event(void *ctx, const struct gs_event *ev); /* the observer function */
void gs_trace_set_kernel(struct gs_trace *t, const struct gs_kernel *k);
/* A line for a process the loader did not create, with the board's reason. */
void gs_trace_not_loaded(struct gs_trace *t, const char *name, const char *why);

#endif
