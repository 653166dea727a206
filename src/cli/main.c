/* SPDX-License-Identifier: MIT */
/*
 * grantsim: the command-line front end. main() takes the global options
 * (-h/--help, -V/--version), finds the command in gs_commands and hands it
 * the rest of the line. The table below is the one list of commands: the
 * top-level usage, `grantsim help`, the man page (`grantsim help --man`,
 * which help2man reads at build time) and the bash completion (which reads
 * the help) are made from it and from each command's usage function.
 *
 * Exit codes (DESIGN.md): 0 success, 1 an expectation failed, 2 bad input or
 * usage, 3 an oracle finding or kernel panic.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"

#ifndef GS_VERSION
#define GS_VERSION "unknown"
#endif

static void help_usage(struct gs_usage *u);
static int cmd_help(int argc, char **argv);
static void version_usage(struct gs_usage *u);
static int cmd_version(int argc, char **argv);

/* In the order the usage lists them. */
const struct gs_command gs_commands[] = {
    {"run", "run scenario files and check them, or run apps on a default board", gs_cmd_run_usage,
     gs_cmd_run},
    {"trace", "print one line per event of one scenario case (or a timeline)", gs_cmd_trace_usage,
     gs_cmd_trace},
    {"gdb", "debug a scenario's processes, or apps, with gdb (a GDB remote stub)", gs_cmd_gdb_usage,
     gs_cmd_gdb},
    {"layout", "print the memory map of one process at one moment", gs_cmd_layout_usage,
     gs_cmd_layout},
    {"explain", "say what lives at an address and which process can reach it", gs_cmd_explain_usage,
     gs_cmd_explain},
    {"tab", "pack a libtock-c ELF as a TAB, as elf2tab does", gs_cmd_tab_usage, gs_cmd_tab},
    {"repro", "turn a fuzz input into a scenario that replays its finding", gs_cmd_repro_usage,
     gs_cmd_repro},
    {"help", "print this usage, or a command's", help_usage, cmd_help},
    {"version", "print grantsim's version", version_usage, cmd_version},
};
const unsigned gs_ncommands = sizeof(gs_commands) / sizeof(gs_commands[0]);

/* The top-level usage: every command's synopsis, then the commands and the global options. */
static void top_usage(struct gs_usage *u)
{
    struct gs_usage syn = *u;
    FILE *f = u->f;

    syn.full = false;
    gs_usage_synopsis(&syn, "COMMAND", "[OPTION]... [ARG]...");
    for (unsigned i = 0; i < gs_ncommands; i++)
        gs_commands[i].usage(&syn);
    gs_usage_synopsis(&syn, "", "(-h | --help | -V | --version)");
    if (!u->full)
        return;
    fputs("A simulator and fuzzing harness, on a desktop, for the grant and IPC core of the\n"
          "Tock kernel: scenario files and Tock apps (libtock-c ELFs, TBFs, TABs) run on a\n"
          "simulated Cortex-M board with oracles checking the kernel's memory, and process\n"
          "memory is printed the way Tock's process printer prints it.\n"
          "\n"
          "Commands:\n",
          f);
    for (unsigned i = 0; i < gs_ncommands; i++)
        fprintf(f, "  %-9s %s\n", gs_commands[i].name, gs_commands[i].summary);
    fputs("\n"
          "'grantsim help COMMAND' or 'grantsim COMMAND --help' prints a command's usage and\n"
          "options.\n"
          "\n"
          "Exit status:\n"
          "  0  success\n"
          "  1  an expectation of a scenario failed\n"
          "  2  bad input or usage\n"
          "  3  an oracle finding or an unexpected kernel panic\n"
          "\n"
          "Options:\n"
          "  -h, --help     print this help and exit\n"
          "  -V, --version  print the version and exit\n"
          "\n"
          "Environment:\n"
          "  GRANTSIM_APPS  the directory where a scenario's \"app\": NAME finds NAME.elf\n"
          "                 (--apps overrides it)\n"
          "\n"
          "Files:\n"
          "  PREFIX/share/grantsim/apps\n"
          "                    the bundled apps (NAME.elf, tab/NAME.tab) an installed\n"
          "                    grantsim uses when neither --apps nor GRANTSIM_APPS is given;\n"
          "                    PREFIX is the directory above the one that holds the binary;\n"
          "                    the binary in its build tree uses the build's apps instead\n"
          "  PREFIX/share/grantsim/schema.json\n"
          "                    the JSON Schema of scenario files, for editors\n"
          "  PREFIX/share/bash-completion/completions/grantsim\n"
          "                    the bash completion (commands, options, formats, files)\n",
          f);
}

static void help_usage(struct gs_usage *u)
{
    gs_usage_synopsis(u, "help", "[--man | COMMAND]");
    if (!u->full)
        return;
    fputs("Print grantsim's usage, or COMMAND's (the same as 'grantsim COMMAND --help').\n"
          "\n"
          "      --man      every command's usage in the form help2man reads (the source\n"
          "                 of the grantsim(1) man page)\n"
          "  -h, --help     print this help and exit\n",
          u->f);
}

/* The man page's text: the top-level usage, then a section per command. */
static void man_text(void)
{
    struct gs_usage u = {.f = stdout, .full = true, .man = true};

    top_usage(&u);
    for (unsigned i = 0; i < gs_ncommands; i++) {
        struct gs_usage c = {.f = stdout, .full = true, .man = true, .bare = true};
        /* "*Title*" starts a section of its own in help2man. */
        printf("\n*grantsim %s*\n", gs_commands[i].name);
        gs_commands[i].usage(&c);
    }
}

static int cmd_help(int argc, char **argv)
{
    static const struct option longs[] = {
        {"man", no_argument, NULL, 'm'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool man = false;
    int opt;

    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
        switch (opt) {
        case 'm':
            man = true;
            break;
        case 'h':
            return gs_cli_help("help");
        default:
            return gs_cli_option_error("help", opt, argv, longs);
        }
    }
    if (optind + 1 < argc)
        return gs_cli_usage_error("help", "one command at a time (got \"%s\" and \"%s\")",
                                  argv[optind], argv[optind + 1]);
    if (man) {
        if (optind < argc)
            return gs_cli_usage_error("help", "--man prints every command; no COMMAND");
        man_text();
        return GS_CLI_OK;
    }
    if (optind < argc) {
        if (!gs_command_find(argv[optind]))
            return gs_cli_error(NULL, "unknown command \"%s\"", argv[optind]);
        return gs_cli_help(argv[optind]);
    }
    {
        struct gs_usage u = {.f = stdout, .full = true};
        top_usage(&u);
    }
    return GS_CLI_OK;
}

static void version_usage(struct gs_usage *u)
{
    gs_usage_synopsis(u, "version", "");
    if (!u->full)
        return;
    fputs("Print grantsim's version (the same as 'grantsim --version').\n"
          "\n"
          "  -h, --help     print this help and exit\n",
          u->f);
}

static int cmd_version(int argc, char **argv)
{
    static const struct option longs[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int opt;

    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
        if (opt == 'h')
            return gs_cli_help("version");
        return gs_cli_option_error("version", opt, argv, longs);
    }
    if (optind < argc)
        return gs_cli_usage_error("version", "unexpected argument \"%s\"", argv[optind]);
    printf("grantsim %s\n", GS_VERSION);
    return GS_CLI_OK;
}

/* The command closest to a mistyped name (at most two edits), for the hint. */
static const char *closest_command(const char *name)
{
    const char *best = NULL;
    unsigned best_d = 3;

    for (unsigned i = 0; i < gs_ncommands; i++) {
        const char *c = gs_commands[i].name;
        size_t n = strlen(name), m = strlen(c);
        unsigned d;
        if (n > 15 || m > 15)
            continue;
        /* Edit distance by the usual table (names are short). */
        {
            unsigned t[16][16];
            for (size_t a = 0; a <= n; a++)
                t[a][0] = (unsigned)a;
            for (size_t b = 0; b <= m; b++)
                t[0][b] = (unsigned)b;
            for (size_t a = 1; a <= n; a++)
                for (size_t b = 1; b <= m; b++) {
                    unsigned sub = t[a - 1][b - 1] + (name[a - 1] != c[b - 1]);
                    unsigned del = t[a - 1][b] + 1, ins = t[a][b - 1] + 1;
                    t[a][b] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
                }
            d = t[n][m];
        }
        if (d < best_d) {
            best_d = d;
            best = c;
        }
    }
    return best;
}

int main(int argc, char **argv)
{
    static const struct option longs[] = {
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    const struct gs_command *c;
    int opt;

    /* "+": the global options end at the command name; the command parses the rest. */
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "+:hV", longs, NULL)) != -1) {
        switch (opt) {
        case 'h': {
            struct gs_usage u = {.f = stdout, .full = true};
            top_usage(&u);
            return GS_CLI_OK;
        }
        case 'V':
            printf("grantsim %s\n", GS_VERSION);
            return GS_CLI_OK;
        default:
            return gs_cli_option_error(NULL, opt, argv, longs);
        }
    }
    if (optind >= argc) {
        struct gs_usage u = {.f = stderr};
        fprintf(stderr, "grantsim: no command given\n");
        top_usage(&u);
        fprintf(stderr, "Try 'grantsim --help' for more information.\n");
        return GS_CLI_USAGE;
    }
    c = gs_command_find(argv[optind]);
    if (!c) {
        const char *near = closest_command(argv[optind]);
        fprintf(stderr, "grantsim: unknown command \"%s\"", argv[optind]);
        if (near)
            fprintf(stderr, " (did you mean \"%s\"?)", near);
        fprintf(stderr, "\nTry 'grantsim --help' for the list of commands.\n");
        return GS_CLI_USAGE;
    }
    argc -= optind;
    argv += optind;
    optind = 0; /* a fresh getopt_long scan (glibc: 0 also re-reads the optstring's mode) */
    return c->run(argc, argv);
}
