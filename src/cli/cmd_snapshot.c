/* SPDX-License-Identifier: MIT */
/*
 * Scenario cases for the commands that look at a moment of a run:
 * `grantsim layout FILE` and `grantsim explain FILE` (main.c parses their
 * options), and the case loading `grantsim trace` shares with them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "errors.h"
#include "scenario.h"

int gs_cmd_load_case(const char *cmd, const char *file, const struct gs_case_sel *sel,
                     struct gs_scn_file **fp, struct gs_scenario **sp)
{
    const char *case_id = sel->case_id;
    struct gs_scn_file *f = NULL;
    struct gs_scn_opts so = {0};
    struct gs_scn_err err;
    int ci = -1;

    *fp = NULL;
    *sp = NULL;
    if (gs_scn_file_open(file, &f, &err) != GS_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return GS_EXIT_INPUT;
    }
    if (case_id) {
        ci = gs_scn_file_find_case(f, case_id);
        if (ci < 0) {
            fprintf(stderr, "grantsim %s: %s has no case \"%s\"\n", cmd, file, case_id);
            gs_scn_file_free(f);
            return GS_EXIT_INPUT;
        }
    } else if (gs_scn_file_ncases(f) > 0) {
        fprintf(stderr, "grantsim %s: %s has cases; choose one with --case:", cmd, file);
        for (unsigned c = 0; c < gs_scn_file_ncases(f); c++)
            fprintf(stderr, " %s", gs_scn_file_case_id(f, c));
        fputc('\n', stderr);
        gs_scn_file_free(f);
        return GS_EXIT_INPUT;
    }
    so.apps_dir = gs_cmd_apps_dir(sel->apps);
    if (gs_scn_load(f, ci, &so, sp, &err) != GS_OK) {
        fprintf(stderr, "%s\n", err.msg);
        gs_scn_file_free(f);
        return GS_EXIT_INPUT;
    }
    *fp = f;
    return GS_EXIT_PASS;
}

int gs_cmd_find_process(const struct gs_scenario *s, const char *v)
{
    char *end;
    long n;

    for (unsigned i = 0; i < s->nprocs; i++)
        if (s->procs[i].name && strcmp(s->procs[i].name, v) == 0)
            return (int)i;
    errno = 0;
    n = strtol(v, &end, 10);
    if (!errno && *v && !*end && n >= 0 && (unsigned long)n < s->nprocs)
        return (int)n;
    return -1;
}

int gs_cmd_snapshot(const char *cmd, const struct gs_snap_args *a, gs_cmd_snap_fn fn, void *ctx)
{
    struct gs_scn_file *f;
    struct gs_scenario *s;
    struct gs_scn_moment m;
    char err[512];
    int proc = -1, code;

    code = gs_cmd_load_case(cmd, a->file, &a->sel, &f, &s);
    if (code != GS_EXIT_PASS)
        return code;
    code = GS_EXIT_INPUT;
    if (a->process) {
        proc = gs_cmd_find_process(s, a->process);
        if (proc < 0) {
            fprintf(stderr, "grantsim %s: %s has no process \"%s\"; it has:", cmd, a->file,
                    a->process);
            for (unsigned i = 0; i < s->nprocs; i++)
                fprintf(stderr, " %u \"%s\"", i, s->procs[i].name);
            fputc('\n', stderr);
            goto out;
        }
    } else if (a->need_process || a->step >= 0 || a->syscalls >= 0) {
        if (s->nprocs != 1) {
            fprintf(stderr, "grantsim %s: %s has %u processes; choose one with --process\n", cmd,
                    a->file, s->nprocs);
            goto out;
        }
        proc = 0;
    }
    memset(&m, 0, sizeof(m));
    m.proc = proc;
    m.restarts = a->restarts;
    if (a->step >= 0) {
        if (gs_scn_moment_after_step(s, proc, (unsigned)a->step, a->restarts, &m) != GS_OK) {
            if (s->procs[proc].src != GS_SRC_SCRIPT)
                fprintf(stderr,
                        "grantsim %s: process \"%s\" is not a script; use --syscalls N "
                        "(after its Nth syscall)\n",
                        cmd, s->procs[proc].name);
            else
                fprintf(stderr, "grantsim %s: process \"%s\" has steps 0 to %u, not %ld\n", cmd,
                        s->procs[proc].name, s->procs[proc].nsteps - 1, a->step);
            goto out;
        }
    } else if (a->syscalls >= 0) {
        m.before = m.after = (uint32_t)a->syscalls;
    } else {
        m.at_end = true;
    }
    if (gs_scn_snapshot(s, &m, fn, ctx, err, sizeof(err)) != GS_OK) {
        fprintf(stderr, "grantsim %s: %s: %s\n", cmd, a->file, err);
        goto out;
    }
    code = GS_EXIT_PASS;
out:
    gs_scenario_free(s);
    gs_scn_file_free(f);
    return code;
}
