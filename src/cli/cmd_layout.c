/* SPDX-License-Identifier: MIT */
/*
 * grantsim layout (--example | FILE) [options]
 * grantsim explain (--example | FILE) [options] ADDR
 *
 * layout prints one process's memory at one moment: upstream's printouts
 * and grantsim's map, grants, MPU regions and access comparison
 * (src/core/layout.h, docs/layout.md); explain says what lives at ADDR and
 * which process can reach it. Both look at the built-in example
 * (cmd_example.c) or at a scenario FILE run up to a moment
 * (cmd_snapshot.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "errors.h"
#include "kernel.h"
#include "layout.h"
#include "printer.h"
#include "process.h"
#include "render.h"

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
    bool example, crlf;
    const char *format;
    const char *process; /* example: an index; scenario: a name or an index */
    struct gs_snap_args a;
};

enum {
    O_EXAMPLE = 256,
    O_FORMAT,
    O_PROCESS,
    O_STEP,
    O_SYSCALLS,
    O_RESTARTS,
    O_CRLF,
};

/* layout's options; explain takes the same but --crlf (its output is grantsim's own). */
static const struct option layout_longs[] = {
    {"example", no_argument, NULL, O_EXAMPLE},
    {"format", required_argument, NULL, O_FORMAT},
    {"crlf", no_argument, NULL, O_CRLF},
    {"process", required_argument, NULL, O_PROCESS},
    GS_CLI_CASE_OPTIONS,
    {"step", required_argument, NULL, O_STEP},
    {"syscalls", required_argument, NULL, O_SYSCALLS},
    {"restarts", required_argument, NULL, O_RESTARTS},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/*
 * explain's options: layout_longs without --crlf, in the same order (an
 * ambiguous abbreviation's message lists the candidates in table order).
 */
static const struct option *explain_longs(void)
{
    static struct option t[sizeof(layout_longs) / sizeof(layout_longs[0])];

    if (!t[0].name) {
        unsigned n = 0;
        for (const struct option *o = layout_longs;; o++) {
            if (o->val != O_CRLF)
                t[n++] = *o;
            if (!o->name)
                break; /* the terminator is copied too */
        }
    }
    return t;
}

static void snap_opts_init(struct snap_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->format = "text";
    o->a.step = -1;
    o->a.syscalls = -1;
}

/*
 * Parses the options into o; the operands are left at argv[optind..argc).
 * Returns -1 to go on, or an exit code (help printed, or an error).
 */
static int snap_parse(const char *cmd, int argc, char **argv, const struct option *longs,
                      struct snap_opts *o)
{
    int opt;
    uint32_t n;

    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
        if (gs_cli_case_option(&o->a.sel, opt, optarg))
            continue;
        switch (opt) {
        case O_EXAMPLE:
            o->example = true;
            break;
        case O_CRLF:
            o->crlf = true;
            break;
        case O_FORMAT:
            o->format = optarg;
            break;
        case O_PROCESS:
            o->process = optarg;
            break;
        case O_STEP:
        case O_SYSCALLS:
        case O_RESTARTS:
            if (!parse_u32(optarg, &n) || n > 0x7FFFFFFF)
                return gs_cli_error(cmd, "--%s needs a number, got \"%s\"",
                                    opt == O_STEP       ? "step"
                                    : opt == O_SYSCALLS ? "syscalls"
                                                        : "restarts",
                                    optarg);
            if (opt == O_STEP)
                o->a.step = (long)n;
            else if (opt == O_SYSCALLS)
                o->a.syscalls = (long)n;
            else
                o->a.restarts = n;
            break;
        case 'h':
            return gs_cli_help(cmd);
        default:
            return gs_cli_option_error(cmd, opt, argv, longs);
        }
    }
    return -1;
}

/* Checks the combination; returns false after printing why. */
static bool snap_check(const char *cmd, struct snap_opts *o, const char *formats)
{
    if (!gs_cli_format(cmd, o->format, formats))
        return false;
    if (o->crlf && strcmp(o->format, "text") != 0) {
        gs_cli_error(cmd, "--crlf is for the text format");
        return false;
    }
    if (o->example == (o->a.file != NULL)) {
        gs_cli_usage_error(cmd, "%s needs either --example or one scenario FILE", cmd);
        return false;
    }
    if (o->example && (o->a.sel.case_id || o->a.sel.apps || o->a.step >= 0 || o->a.syscalls >= 0 ||
                       o->a.restarts)) {
        gs_cli_error(cmd, "--case, --apps, --step, --syscalls and --restarts are for scenario "
                          "files");
        return false;
    }
    if (o->a.step >= 0 && o->a.syscalls >= 0) {
        gs_cli_error(cmd, "choose --step or --syscalls, not both");
        return false;
    }
    o->a.process = o->process;
    return true;
}

/* Renders the layout of p in a format; false on host OOM. */
static bool print_layout(const struct gs_kernel *k, const struct gs_process *p, const char *format,
                         bool crlf)
{
    struct gs_sink sink = {.write = gs_cli_file_write, .ctx = stdout, .crlf = crlf};
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
    bool crlf, ok;
};

static void layout_snap(void *ctx, const struct gs_kernel *k, const struct gs_process *p,
                        const char *when)
{
    struct snap_ctx *c = ctx;

    fprintf(stderr, "grantsim layout: %s: process %u \"%s\", %s\n", c->file, p->index,
            gs_process_name(p), when);
    c->ok = print_layout(k, p, c->format, c->crlf);
}

static void print_explain(const struct gs_kernel *k, uint32_t addr, const char *format)
{
    struct gs_sink sink = {.write = gs_cli_file_write, .ctx = stdout, .crlf = false};
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

/* The options both print, for their usage. */
static void moment_options(FILE *f)
{
    fputs("      --case=ID          the case of FILE to run (a file with cases needs one)\n"
          "      --apps=DIR         where \"app\": NAME finds NAME.elf (default: $GRANTSIM_APPS,\n"
          "                         then the bundled apps)\n"
          "      --step=N           the moment right after step N (0-based) of a script\n"
          "                         process: when it enters its next syscall\n"
          "      --syscalls=N       the moment the process enters its syscall N + 1 (any\n"
          "                         process, apps included)\n"
          "      --restarts=N       count the moment in incarnation N (after N restarts)\n"
          "  -h, --help             print this help and exit\n",
          f);
}

void gs_cmd_layout_usage(struct gs_usage *u)
{
    gs_usage_synopsis(u, "layout", "[--format=text|json|svg] [--crlf] [--process=N] --example");
    gs_usage_synopsis(u, "layout",
                      "[--format=text|json|svg] [--crlf] [--process=NAME|N] [--case=ID] "
                      "[--apps=DIR] [--step=N | --syscalls=N] [--restarts=N] FILE");
    if (!u->full)
        return;
    fputs("Print one process's memory at one moment: upstream's printouts (the memory-map\n"
          "overview and the full process dump, byte for byte), then grantsim's map of every\n"
          "owner in the process block with the MPU regions over it, each grant's counters,\n"
          "upcall and allow slots, padding and T, the custom grants, and what the kernel\n"
          "means the process to reach against what the MPU lets it reach. --example is a\n"
          "built-in board whose two processes run on the Cortex-M machine until nothing\n"
          "is left to do; FILE is a scenario, run up to the moment chosen (default: the end\n"
          "of the run), which is named on stderr.\n"
          "\n"
          "      --example          the built-in example (process 0 \"blink\", 1 \"client\")\n"
          "      --format=FORMAT    text (default), json or svg\n"
          "      --crlf             end the text's lines with CR LF, the bytes upstream's\n"
          "                         debug writer sends, to diff against a board's serial\n"
          "                         capture (default: LF only)\n"
          "      --process=NAME|N   the process: its package name or index (default: the\n"
          "                         only one; process 0 of the example)\n",
          u->f);
    moment_options(u->f);
    fputs("\n"
          "Exit status: 0; 2 bad input or usage; 3 the oracles found something on the\n"
          "example.\n",
          u->f);
}

void gs_cmd_explain_usage(struct gs_usage *u)
{
    gs_usage_synopsis(u, "explain", "[--format=text|json] --example ADDR");
    gs_usage_synopsis(u, "explain",
                      "[--format=text|json] [--process=NAME|N] [--case=ID] [--apps=DIR] "
                      "[--step=N | --syscalls=N] [--restarts=N] FILE ADDR");
    if (!u->full)
        return;
    fputs("Say what lives at the address ADDR (decimal or 0x hex): the owner of the byte\n"
          "(from the shadow ownership map), the object it is part of, the grant field or\n"
          "TBF part, and for every process the MPU region that decides an unprivileged\n"
          "access there, the rights, what the kernel intends, and a verdict (ok, leak,\n"
          "forbidden, slack).\n"
          "\n"
          "      --example          the built-in example of grantsim layout\n"
          "      --format=FORMAT    text (default) or json\n"
          "      --process=NAME|N   with --step or --syscalls: the process whose moment it is\n",
          u->f);
    moment_options(u->f);
}

int gs_cmd_layout(int argc, char **argv)
{
    struct snap_opts o;
    uint32_t proc = 0;
    struct gs_example *ex;
    struct gs_kernel *k;
    struct gs_process *p;
    int rc;

    snap_opts_init(&o);
    if ((rc = snap_parse("layout", argc, argv, layout_longs, &o)) >= 0)
        return rc;
    if (optind < argc)
        o.a.file = argv[optind];
    if (optind + 1 < argc)
        return gs_cli_usage_error("layout", "unexpected argument \"%s\" (one FILE at a time)",
                                  argv[optind + 1]);
    if (!snap_check("layout", &o, "text json svg"))
        return GS_CLI_USAGE;
    if (o.a.file) {
        struct snap_ctx c = {.format = o.format, .file = o.a.file, .crlf = o.crlf};
        o.a.need_process = true;
        rc = gs_cmd_snapshot("layout", &o.a, layout_snap, &c);
        return rc ? rc : c.ok ? 0 : GS_CLI_USAGE;
    }
    if (o.process && !parse_u32(o.process, &proc))
        return gs_cli_error("layout", "--process needs a process index, got \"%s\"", o.process);
    if (proc > 1)
        return gs_cli_error("layout", "the example has no process %u (it has 0 and 1)",
                            (unsigned)proc);
    if ((rc = gs_example_new(&ex, &k)) != 0)
        return rc;
    p = gs_kernel_process_at(k, proc);
    rc = p && print_layout(k, p, o.format, o.crlf) ? 0 : GS_CLI_USAGE;
    gs_example_free(ex);
    return rc;
}

int gs_cmd_explain(int argc, char **argv)
{
    struct snap_opts o;
    const char *addr_s;
    uint32_t addr;
    struct gs_example *ex;
    struct gs_kernel *k;
    int rc, npos;

    snap_opts_init(&o);
    if ((rc = snap_parse("explain", argc, argv, explain_longs(), &o)) >= 0)
        return rc;
    npos = argc - optind;
    /* explain [FILE] ADDR */
    if (npos == 0)
        return gs_cli_usage_error("explain", "explain needs an address");
    if (npos > 2)
        return gs_cli_usage_error("explain", "unexpected argument \"%s\"", argv[optind + 2]);
    if (npos == 2 && o.example)
        return gs_cli_usage_error("explain", "explain --example takes one address");
    if (npos == 1 && !o.example && !parse_u32(argv[optind], &addr))
        return gs_cli_usage_error("explain", "explain %s needs an address after the file",
                                  argv[optind]);
    addr_s = argv[argc - 1];
    o.a.file = npos == 2 ? argv[optind] : NULL;
    if (!snap_check("explain", &o, "text json"))
        return GS_CLI_USAGE;
    if (!parse_u32(addr_s, &addr))
        return gs_cli_error("explain", "\"%s\" is not a 32-bit address (decimal or 0x hex)",
                            addr_s);
    if (o.a.file) {
        struct snap_ctx c = {.format = o.format, .file = o.a.file, .addr = addr};
        return gs_cmd_snapshot("explain", &o.a, explain_snap, &c);
    }
    if (o.process)
        return gs_cli_error("explain",
                            "explain --example looks at the whole example; no --process");
    if ((rc = gs_example_new(&ex, &k)) != 0)
        return rc;
    print_explain(k, addr, o.format);
    gs_example_free(ex);
    return 0;
}
