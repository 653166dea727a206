/* SPDX-License-Identifier: MIT */
/*
 * grantsim: the command-line front end.
 *
 *   grantsim layout (--example | FILE) [--format text|json|svg] [--process P]
 *                   [--case ID] [--step N | --syscalls N] [--restarts N]
 *                                 memory map of one process at one moment
 *   grantsim explain (--example | FILE) [options as layout] ADDR
 *                                 what lives at ADDR and who can reach it
 *   grantsim run FILE|DIR...      run scenario files (cmd_run.c)
 *   grantsim run APP...           run ELF, TBF or TAB files on a default board (cmd_app.c)
 *   grantsim tab ELF -o FILE.tab  pack an ELF as elf2tab does (cmd_tab.c)
 *   grantsim trace FILE           trace one scenario (cmd_trace.c)
 *   grantsim gdb FILE|APP...     a scenario, or app files, under a GDB remote stub (cmd_gdb.c)
 *   grantsim repro TARGET INPUT   a fuzz input as a scenario (cmd_repro.c)
 *   grantsim version
 *
 * Exit codes (DESIGN.md): 0 success, 1 an expectation failed, 2 bad input or
 * usage, 3 an oracle finding or kernel panic.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capsules.h"
#include "cmds.h"
#include "errors.h"
#include "grant.h"
#include "invariants.h"
#include "ipc.h"
#include "kernel.h"
#include "layout.h"
#include "printer.h"
#include "process.h"
#include "syscall.h"
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
    fprintf(f, "usage: grantsim layout (--example | FILE) [--format text|json|svg] [--process P]\n"
               "                      [--case ID] [--apps DIR] [--step N | --syscalls N] "
               "[--restarts N]\n"
               "       grantsim explain (--example | FILE) [same options] ADDR\n"
               "       grantsim run [--case ID] [--json] [--apps DIR] FILE|DIR...\n"
               "       grantsim run [board options] [--json] APP.elf|APP.tbf|APP.tab...\n"
               "       grantsim tab ELF -o FILE.tab [--name NAME] [sizes]\n"
               "       grantsim trace [--case ID] [--apps DIR] FILE\n"
               "       grantsim gdb [--case ID] [--apps DIR] [--port N] [--process P] FILE|APP...\n"
               "                      debug a scenario's processes with gdb (docs/gdb.md)\n"
               "       grantsim repro TARGET INPUT [-o FILE] [--runs N] [--no-minimize]\n"
               "       grantsim version\n");
    return EXIT_USAGE;
}

/* The built-in example board and its objects (they must outlive the kernel). */
struct example {
    struct gs_mem mem;
    struct gs_kernel *k;
    struct gs_console con;
    struct gs_alarm alarm;
    struct gs_rng rng;
    struct gs_ipc ipc;
    struct gs_test_capsule test;
    struct gs_process *blink, *client;
};

/* One syscall through the kernel's syscall layer; the result must be a success. */
static int sys(struct example *ex, struct gs_process *p, enum gs_syscall_class cls, uint32_t r0,
               uint32_t r1, uint32_t r2, uint32_t r3)
{
    struct gs_syscall sc = {.cls = cls, .r = {r0, r1, r2, r3}};
    uint32_t rv;

    gs_handle_syscall(ex->k, p, &sc);
    /* set_syscall_return wrote r0 (the variant) into the stacked frame at psp. */
    rv = gs_kload32(ex->k, p->ss.psp);
    if (ex->k->panicked || rv < GS_RET_SUCCESS) {
        fprintf(stderr, "grantsim: example syscall %s(0x%x, %u, 0x%x, 0x%x) of %s failed\n",
                gs_syscall_class_name(cls), (unsigned)r0, (unsigned)r1, (unsigned)r2, (unsigned)r3,
                gs_process_name(p));
        return -1;
    }
    return 0;
}

static void example_free(struct example *ex)
{
    gs_kernel_free(ex->k);
    gs_mem_free(&ex->mem);
}

/*
 * The worked example of the Tock reference (G = 15, PCB 920, 4 KiB minimum
 * RAM at 0x20004000, section 1.4), driven through the syscall layer:
 *  - "blink" (process 0) grows its break to 0x20005100 (one subregion of
 *    region 1 is enabled, so 256 bytes of expected slack), subscribes and
 *    allows buffers to the console and the test capsule (one RO buffer in
 *    flash), writes the test capsule's T and has it allocate a custom grant;
 *  - "client" (process 1) shares a 64-byte buffer with blink through its IPC
 *    grant and notifies it; the kernel's IPC dispatch maps that buffer into
 *    blink's MPU config (region 3).
 * Returns 0, or an exit code after printing why.
 */
static int example_build(struct example *ex)
{
    struct gs_grant_shape ts = {.t_size = 16, .t_align = 8, .n_upcalls = 2, .n_ro = 2, .n_rw = 1};
    struct gs_app_info app;
    uint32_t pool = 0x20004000, pool_len = 0x10000;
    struct gs_kernel *k;
    struct gs_task t, keep[GS_CALLBACK_LEN];
    unsigned nkeep = 0;
    static const char hello[] = "hello world\n";

    memset(ex, 0, sizeof(*ex));
    if (gs_mem_init(&ex->mem, 0x20000000, 0x20000, 0x00030000, 0x40000) != GS_OK ||
        gs_kernel_new(&ex->mem, NULL, &ex->k) != GS_OK) {
        fprintf(stderr, "grantsim: out of memory\n");
        gs_mem_free(&ex->mem);
        return EXIT_USAGE;
    }
    k = ex->k;
    /* Grants in board order: console, alarm, RNG, IPC, test capsule, and 10 more drivers. */
    if (gs_console_init(k, &ex->con, 0x1) || gs_alarm_init(k, &ex->alarm, 0x0) ||
        gs_rng_init(k, &ex->rng, 0x40001, 1) || gs_ipc_init(k, &ex->ipc, GS_IPC_DRIVER_NUM) ||
        gs_test_capsule_init(k, &ex->test, GS_TEST_CAPSULE_NUM, &ts))
        goto fail;
    for (unsigned i = 0; i < 10; i++) {
        struct gs_grant_shape s = {.t_size = 8, .t_align = 4, .n_upcalls = 1, .n_ro = 1, .n_rw = 1};
        struct gs_grant *g;
        if (gs_grant_create(k, 0xA0000 + i, &s, NULL, &g) != GS_OK)
            goto fail;
    }
    memset(&app, 0, sizeof(app));
    app.flash_start = 0x00030000;
    app.flash_len = 0x2000;
    app.header_size = 0x60;
    app.init_fn_offset = 0x29;
    app.min_ram = 4096;
    app.binary_end = 0x1F80; /* 128 bytes of footers */
    app.name = "blink";
    app.name_len = 5;
    if (gs_process_create(k, &app, &pool, &pool_len, &ex->blink) != GS_OK)
        goto fail;
    app.flash_start = 0x00032000;
    app.binary_end = 0x2000;
    app.name = "client";
    app.name_len = 6;
    if (gs_process_create(k, &app, &pool, &pool_len, &ex->client) != GS_OK)
        goto fail;

    /* blink */
    if (sys(ex, ex->blink, GS_SYS_MEMOP, 0, 0x20005100, 0, 0) ||
        gs_mem_write(&ex->mem, 0x20004100, hello, sizeof(hello) - 1,
                     gs_powner(ex->blink, GS_OWN_APP, 0)) != GS_OK ||
        sys(ex, ex->blink, GS_SYS_SUBSCRIBE, 0x1, 1, 0x00030101, 0x1234) ||
        sys(ex, ex->blink, GS_SYS_RO_ALLOW, 0x1, 1, 0x20004100, sizeof(hello) - 1) ||
        sys(ex, ex->blink, GS_SYS_SUBSCRIBE, 0x0, 0, 0x00030201, 0) ||
        sys(ex, ex->blink, GS_SYS_SUBSCRIBE, GS_TEST_CAPSULE_NUM, 1, 0x00030301, 7) ||
        sys(ex, ex->blink, GS_SYS_RO_ALLOW, GS_TEST_CAPSULE_NUM, 0, 0x00030400, 16) ||
        sys(ex, ex->blink, GS_SYS_RW_ALLOW, GS_TEST_CAPSULE_NUM, 0, 0x20004200, 32) ||
        sys(ex, ex->blink, GS_SYS_COMMAND, GS_TEST_CAPSULE_NUM, 2, 0, 0xC0FFEE) ||
        sys(ex, ex->blink, GS_SYS_COMMAND, GS_TEST_CAPSULE_NUM, 6, 24, 16))
        goto fail;
    /* client shares [0x20006800, +64) with process 0 and notifies it. */
    if (sys(ex, ex->client, GS_SYS_MEMOP, 0, 0x20007000, 0, 0) ||
        sys(ex, ex->client, GS_SYS_RW_ALLOW, GS_IPC_DRIVER_NUM, ex->blink->index, 0x20006800, 64) ||
        sys(ex, ex->client, GS_SYS_COMMAND, GS_IPC_DRIVER_NUM, 2, ex->blink->index, 0))
        goto fail;
    gs_process_set_yielded(ex->blink);
    gs_process_set_yielded(ex->client);
    /* The kernel loop's part: dispatch blink's Task::IPC, keep its other tasks queued. */
    while (gs_tasks_dequeue(ex->blink, &t)) {
        if (t.kind == GS_TASK_IPC && k->ipc_dispatch)
            k->ipc_dispatch(k, ex->blink, &t);
        else if (nkeep < GS_CALLBACK_LEN)
            keep[nkeep++] = t;
    }
    for (unsigned i = 0; i < nkeep; i++)
        gs_tasks_enqueue(ex->blink, &keep[i]);
    if (k->panicked)
        goto fail;
    return 0;
fail:
    fprintf(stderr, "grantsim: the example failed to build%s%s\n", k->panicked ? ": " : "",
            k->panicked ? k->panic_msg : "");
    example_free(ex);
    return EXIT_FINDING;
}

static const char *arg_value(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc) {
        fprintf(stderr, "grantsim: %s needs a value\n", argv[*i]);
        return NULL;
    }
    return argv[++*i];
}

/* Parses a 32-bit number (decimal or 0x hex); false if it is not one. */
static bool parse_u32(const char *s, uint32_t *out)
{
    char *end;
    unsigned long long v;

    if (!s || !*s || *s == '-')
        return false;
    errno = 0;
    v = strtoull(s, &end, 0);
    if (errno || *end || v > 0xFFFFFFFFull)
        return false;
    *out = (uint32_t)v;
    return true;
}

/* Options layout and explain share. */
struct snap_opts {
    bool example;
    const char *format;
    const char *process; /* example: an index; scenario: a name or an index */
    struct gs_snap_args a;
};

/*
 * Parses one shared option at argv[*i]. Returns 1 if it was one, 0 if not,
 * -1 after printing an error (the caller exits 2).
 */
static int snap_option(int argc, char **argv, int *i, struct snap_opts *o)
{
    const char *opt = argv[*i], *v;
    uint32_t n;

    if (!strcmp(opt, "--example")) {
        o->example = true;
        return 1;
    }
    if (strcmp(opt, "--format") && strcmp(opt, "--process") && strcmp(opt, "--case") &&
        strcmp(opt, "--apps") && strcmp(opt, "--step") && strcmp(opt, "--syscalls") &&
        strcmp(opt, "--restarts"))
        return 0;
    if (!(v = arg_value(argc, argv, i)))
        return -1;
    if (!strcmp(opt, "--format")) {
        o->format = v;
    } else if (!strcmp(opt, "--process")) {
        o->process = v;
    } else if (!strcmp(opt, "--case")) {
        o->a.case_id = v;
    } else if (!strcmp(opt, "--apps")) {
        o->a.apps = v;
    } else {
        if (!parse_u32(v, &n) || n > 0x7FFFFFFF) {
            fprintf(stderr, "grantsim: %s needs a number, got \"%s\"\n", opt, v);
            return -1;
        }
        if (!strcmp(opt, "--step"))
            o->a.step = (long)n;
        else if (!strcmp(opt, "--syscalls"))
            o->a.syscalls = (long)n;
        else
            o->a.restarts = n;
    }
    return 1;
}

/* Checks the combination; returns false after printing why. */
static bool snap_check(const char *cmd, struct snap_opts *o, const char *formats)
{
    char list[64], needle[64];

    snprintf(list, sizeof(list), " %s ", formats);
    snprintf(needle, sizeof(needle), " %s ", o->format);
    if (strlen(o->format) + 2 >= sizeof(needle) || strchr(o->format, ' ') ||
        !strstr(list, needle)) {
        fprintf(stderr, "grantsim: unknown format \"%s\" (%s)\n", o->format, formats);
        return false;
    }
    if (o->example == (o->a.file != NULL)) {
        fprintf(stderr, "grantsim: %s needs either --example or one scenario FILE\n", cmd);
        return false;
    }
    if (o->example &&
        (o->a.case_id || o->a.apps || o->a.step >= 0 || o->a.syscalls >= 0 || o->a.restarts)) {
        fprintf(stderr, "grantsim: --case, --apps, --step, --syscalls and --restarts are for "
                        "scenario files\n");
        return false;
    }
    if (o->a.step >= 0 && o->a.syscalls >= 0) {
        fprintf(stderr, "grantsim: choose --step or --syscalls, not both\n");
        return false;
    }
    o->a.process = o->process;
    return true;
}

static void snap_opts_init(struct snap_opts *o, const char *format)
{
    memset(o, 0, sizeof(*o));
    o->format = format;
    o->a.step = -1;
    o->a.syscalls = -1;
}

/* Renders the layout of p in a format; false on host OOM. */
static bool print_layout(const struct gs_kernel *k, const struct gs_process *p, const char *format)
{
    struct gs_sink sink = {.write = file_write, .ctx = stdout, .crlf = false};
    struct gs_layout *l = NULL;

    if (gs_layout_build(k, p, &l) != GS_OK) {
        fprintf(stderr, "grantsim: out of memory\n");
        return false;
    }
    if (!strcmp(format, "json"))
        gs_layout_print_json(l, &sink);
    else if (!strcmp(format, "svg"))
        gs_layout_print_svg(l, &sink);
    else
        gs_layout_print_text(l, &sink);
    gs_layout_free(l);
    return true;
}

struct snap_ctx {
    const char *format;
    const char *file;
    uint32_t addr;
    bool ok;
};

static void layout_snap(void *ctx, const struct gs_kernel *k, const struct gs_process *p,
                        const char *when)
{
    struct snap_ctx *c = ctx;

    fprintf(stderr, "grantsim layout: %s: process %u \"%s\", %s\n", c->file, p->index,
            gs_process_name(p), when);
    c->ok = print_layout(k, p, c->format);
}

static void print_explain(const struct gs_kernel *k, uint32_t addr, const char *format)
{
    struct gs_sink sink = {.write = file_write, .ctx = stdout, .crlf = false};
    struct gs_explain e;

    gs_explain(k, addr, &e);
    if (!strcmp(format, "json"))
        gs_explain_print_json(&e, &sink);
    else
        gs_explain_print_text(&e, &sink);
}

static void explain_snap(void *ctx, const struct gs_kernel *k, const struct gs_process *p,
                         const char *when)
{
    struct snap_ctx *c = ctx;

    if (p)
        fprintf(stderr, "grantsim explain: %s: when process %u \"%s\" is %s\n", c->file, p->index,
                gs_process_name(p), when);
    else
        fprintf(stderr, "grantsim explain: %s: %s\n", c->file, when);
    print_explain(k, c->addr, c->format);
    c->ok = true;
}

static int cmd_layout(int argc, char **argv)
{
    struct snap_opts o;
    uint32_t proc = 0;
    struct example ex;
    struct gs_process *p;
    int rc;

    snap_opts_init(&o, "text");
    for (int i = 2; i < argc; i++) {
        rc = snap_option(argc, argv, &i, &o);
        if (rc < 0)
            return EXIT_USAGE;
        if (rc > 0)
            continue;
        if (argv[i][0] == '-' || o.a.file) {
            fprintf(stderr, "grantsim: layout: unexpected argument \"%s\"\n", argv[i]);
            return usage(stderr);
        }
        o.a.file = argv[i];
    }
    if (!snap_check("layout", &o, "text json svg"))
        return usage(stderr);
    if (o.a.file) {
        struct snap_ctx c = {.format = o.format, .file = o.a.file};
        o.a.need_process = true;
        rc = gs_cmd_snapshot("layout", &o.a, layout_snap, &c);
        return rc ? rc : c.ok ? 0 : EXIT_USAGE;
    }
    if (o.process && !parse_u32(o.process, &proc)) {
        fprintf(stderr, "grantsim: --process needs a process index, got \"%s\"\n", o.process);
        return EXIT_USAGE;
    }
    if ((rc = example_build(&ex)) != 0)
        return rc;
    p = gs_kernel_process_at(ex.k, proc < GS_MAX_PROCS ? proc : GS_MAX_PROCS);
    if (!p) {
        fprintf(stderr, "grantsim: the example has no process %u (it has 0 and 1)\n",
                (unsigned)proc);
        example_free(&ex);
        return EXIT_USAGE;
    }
    rc = print_layout(ex.k, p, o.format) ? 0 : EXIT_USAGE;
    if (!rc && gs_invariants_check(ex.k, GS_INV_QUIESCENT | GS_INV_SHADOW) != 0)
        rc = EXIT_FINDING;
    example_free(&ex);
    return rc;
}

static int cmd_explain(int argc, char **argv)
{
    struct snap_opts o;
    const char *pos[2] = {NULL, NULL}, *addr_s;
    unsigned npos = 0;
    uint32_t addr;
    struct example ex;
    int rc;

    snap_opts_init(&o, "text");
    for (int i = 2; i < argc; i++) {
        rc = snap_option(argc, argv, &i, &o);
        if (rc < 0)
            return EXIT_USAGE;
        if (rc > 0)
            continue;
        if ((argv[i][0] == '-' && argv[i][1] != '\0') || npos == 2) {
            fprintf(stderr, "grantsim: explain: unexpected argument \"%s\"\n", argv[i]);
            return usage(stderr);
        }
        pos[npos++] = argv[i];
    }
    /* explain [FILE] ADDR */
    if (npos == 0) {
        fprintf(stderr, "grantsim: explain needs an address\n");
        return usage(stderr);
    }
    if (npos == 2 && o.example) {
        fprintf(stderr, "grantsim: explain --example takes one address\n");
        return usage(stderr);
    }
    if (npos == 1 && !o.example && !parse_u32(pos[0], &addr)) {
        fprintf(stderr, "grantsim: explain %s needs an address after the file\n", pos[0]);
        return usage(stderr);
    }
    addr_s = pos[npos - 1];
    o.a.file = npos == 2 ? pos[0] : NULL;
    if (!snap_check("explain", &o, "text json"))
        return usage(stderr);
    if (!parse_u32(addr_s, &addr)) {
        fprintf(stderr, "grantsim: \"%s\" is not a 32-bit address (decimal or 0x hex)\n", addr_s);
        return EXIT_USAGE;
    }
    if (o.a.file) {
        struct snap_ctx c = {.format = o.format, .file = o.a.file, .addr = addr};
        return gs_cmd_snapshot("explain", &o.a, explain_snap, &c);
    }
    if (o.process) {
        fprintf(stderr, "grantsim: explain --example looks at the whole example; no --process\n");
        return EXIT_USAGE;
    }
    if ((rc = example_build(&ex)) != 0)
        return rc;
    print_explain(ex.k, addr, o.format);
    example_free(&ex);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage(stderr);
    if (strcmp(argv[1], "version") == 0) {
        printf("grantsim 0.1.0\n");
        return 0;
    }
    if (strcmp(argv[1], "layout") == 0)
        return cmd_layout(argc, argv);
    if (strcmp(argv[1], "explain") == 0)
        return cmd_explain(argc, argv);
    if (strcmp(argv[1], "run") == 0)
        return gs_cmd_run(argc - 1, argv + 1);
    if (strcmp(argv[1], "trace") == 0)
        return gs_cmd_trace(argc - 1, argv + 1);
    if (strcmp(argv[1], "gdb") == 0)
        return gs_cmd_gdb(argc - 1, argv + 1);
    if (strcmp(argv[1], "repro") == 0)
        return gs_cmd_repro(argc - 1, argv + 1);
    if (strcmp(argv[1], "tab") == 0)
        return gs_cmd_tab(argc - 1, argv + 1);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "grantsim: unknown command \"%s\"\n", argv[1]);
    return usage(stderr);
}
