/* SPDX-License-Identifier: MIT */
/*
 * What every grantsim command shares: synopsis lines, usage errors with the
 * --help hint, getopt_long's errors in words, --format checking.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"

/* Terminal width the synopsis lines wrap at (the GNU tools' 80 columns). */
#define WRAP_COLUMNS 79

/* Length of the group that starts at s: up to the space that closes it at depth 0. */
static size_t group_len(const char *s)
{
    int depth = 0;
    size_t i;

    for (i = 0; s[i]; i++) {
        if (s[i] == '[' || s[i] == '(')
            depth++;
        else if ((s[i] == ']' || s[i] == ')') && depth > 0)
            depth--;
        else if (s[i] == ' ' && depth == 0)
            break;
    }
    return i;
}

void gs_usage_synopsis(struct gs_usage *u, const char *cmd, const char *args)
{
    char head[64];
    size_t col, indent;
    const char *s = args, *sp = *cmd ? " " : "", *asp = *args ? " " : "";

    if (u->bare) {
        /* A command's section of the man page: one paragraph per form. */
        fprintf(u->f, "grantsim%s%s%s%s\n\n", sp, cmd, asp, args);
        u->lines++;
        return;
    }
    if (u->man) {
        /* help2man takes the "Usage:" and "or:" lines for SYNOPSIS, one line each. */
        fprintf(u->f, "%sgrantsim%s%s%s%s\n", u->lines ? "  or:  " : "Usage: ", sp, cmd, asp, args);
        u->lines++;
        return;
    }
    snprintf(head, sizeof(head), "%sgrantsim%s%s", u->lines ? "  or:  " : "Usage: ", sp, cmd);
    fputs(head, u->f);
    col = indent = strlen(head);
    while (*s) {
        size_t n = group_len(s);
        if (col > indent && col + 1 + n > WRAP_COLUMNS) {
            fprintf(u->f, "\n%*s", (int)indent, "");
            col = indent;
        }
        fprintf(u->f, " %.*s", (int)n, s);
        col += 1 + n;
        s += n;
        while (*s == ' ')
            s++;
    }
    fputc('\n', u->f);
    u->lines++;
}

const struct gs_command *gs_command_find(const char *name)
{
    for (unsigned i = 0; i < gs_ncommands; i++)
        if (strcmp(gs_commands[i].name, name) == 0)
            return &gs_commands[i];
    return NULL;
}

static void hint(const char *cmd)
{
    if (cmd)
        fprintf(stderr, "Try 'grantsim %s --help' for more information.\n", cmd);
    else
        fprintf(stderr, "Try 'grantsim --help' for more information.\n");
}

static void verror(const char *cmd, const char *fmt, va_list ap)
{
    fprintf(stderr, "grantsim%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

int gs_cli_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    verror(cmd, fmt, ap);
    va_end(ap);
    hint(cmd);
    return GS_CLI_USAGE;
}

int gs_cli_usage_error(const char *cmd, const char *fmt, ...)
{
    const struct gs_command *c = cmd ? gs_command_find(cmd) : NULL;
    struct gs_usage u = {.f = stderr};
    va_list ap;

    va_start(ap, fmt);
    verror(cmd, fmt, ap);
    va_end(ap);
    if (c)
        c->usage(&u);
    hint(cmd);
    return GS_CLI_USAGE;
}

int gs_cli_help(const char *cmd)
{
    const struct gs_command *c = gs_command_find(cmd);
    struct gs_usage u = {.f = stdout, .full = true};

    if (c)
        c->usage(&u);
    return GS_CLI_OK;
}

/* Levenshtein distance of a and b[0..bn), capped at 3 (only near misses matter). */
static unsigned distance(const char *a, const char *b, size_t bn)
{
    size_t an = strlen(a);
    unsigned row[64], prev, cur;

    if (an >= 63 || bn >= 63)
        return 3;
    for (size_t j = 0; j <= bn; j++)
        row[j] = (unsigned)j;
    for (size_t i = 1; i <= an; i++) {
        prev = row[0];
        row[0] = (unsigned)i;
        for (size_t j = 1; j <= bn; j++) {
            cur = row[j];
            row[j] = a[i - 1] == b[j - 1] ? prev : 1 + (prev < row[j] ? prev : row[j]);
            if (row[j - 1] + 1 < row[j])
                row[j] = row[j - 1] + 1;
            prev = cur;
        }
    }
    return row[bn] < 3 ? row[bn] : 3;
}

/* Is arg ("--name" or "--name=value") the long option whose val is v? */
static bool is_long(const char *arg, int v, const struct option *longs)
{
    size_t n;

    if (strncmp(arg, "--", 2) != 0)
        return false;
    n = strcspn(arg + 2, "=");
    for (const struct option *o = longs; o && o->name; o++)
        if (o->val == v && strncmp(o->name, arg + 2, n) == 0)
            return true;
    return false;
}

int gs_cli_option_error(const char *cmd, int opt, char **argv, const struct option *longs)
{
    /* getopt_long has moved optind past a long option; a short one in a
     * cluster ("-xh") leaves it, so argv[optind - 1] is a long option only
     * when it names the option that failed. */
    const char *arg = optind > 0 ? argv[optind - 1] : "";
    size_t n = strncmp(arg, "--", 2) == 0 ? strcspn(arg + 2, "=") : 0;

    if (optopt && !is_long(arg, optopt, longs)) {
        if (opt == ':')
            return gs_cli_error(cmd, "option '-%c' needs a value", optopt);
        return gs_cli_error(cmd, "unknown option '-%c'", optopt);
    }
    if (strncmp(arg, "--", 2) != 0)
        return gs_cli_error(cmd, "unknown option '%s'", arg);
    if (opt == ':')
        return gs_cli_error(cmd, "option '--%.*s' needs a value", (int)n, arg + 2);
    if (optopt) /* a known long option given "=value" although it takes none */
        return gs_cli_error(cmd, "option '--%.*s' takes no value", (int)n, arg + 2);
    {
        /* Unknown, or an abbreviation of several: list the candidates. */
        char list[256] = "";
        size_t at = 0;
        unsigned matches = 0, best = 3;
        const char *near = NULL;
        for (const struct option *o = longs; o && o->name; o++) {
            unsigned d;
            if (strncmp(o->name, arg + 2, n) == 0 && at + strlen(o->name) + 5 < sizeof(list)) {
                at += (size_t)snprintf(list + at, sizeof(list) - at, "%s--%s", matches ? ", " : "",
                                       o->name);
                matches++;
            }
            d = distance(o->name, arg + 2, n);
            if (d < best) {
                best = d;
                near = o->name;
            }
        }
        if (matches > 1)
            return gs_cli_error(cmd, "option '--%.*s' is ambiguous: %s", (int)n, arg + 2, list);
        if (near && best <= 2)
            return gs_cli_error(cmd, "unknown option '--%.*s' (did you mean '--%s'?)", (int)n,
                                arg + 2, near);
        return gs_cli_error(cmd, "unknown option '--%.*s'", (int)n, arg + 2);
    }
}

bool gs_cli_case_option(struct gs_case_sel *sel, int opt, const char *value)
{
    if (opt == GS_OPT_CASE)
        sel->case_id = value;
    else if (opt == GS_OPT_APPS)
        sel->apps = value;
    else
        return false;
    return true;
}

bool gs_cli_format(const char *cmd, const char *value, const char *formats)
{
    size_t n = strlen(value);
    const char *s = formats;

    while (*s) {
        size_t k = strcspn(s, " ");
        if (k == n && n && strncmp(s, value, n) == 0)
            return true;
        s += k;
        while (*s == ' ')
            s++;
    }
    gs_cli_error(cmd, "unknown format \"%s\" (%s)", value, formats);
    return false;
}

void gs_cli_file_write(void *ctx, const char *s, size_t n)
{
    fwrite(s, 1, n, (FILE *)ctx);
}
