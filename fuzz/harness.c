/* SPDX-License-Identifier: MIT */
/*
 * The kernel fuzz targets' settings and outcome (contract in harness.h) on
 * top of src/prog/prog-run.c, which runs the programs.
 */
#include "fuzz.h"
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool gs_fz_print_enabled(void)
{
    const char *e = getenv("GRANTSIM_FUZZ_PRINT");

    return e && strcmp(e, "1") == 0;
}

/* GRANTSIM_FUZZ_EXPECT_SITE: the run must produce a finding at this site (tests). */
static const char *expect_site;
static bool expect_seen;

static void expect_check(void)
{
    if (!expect_seen) {
        fprintf(stderr, "grantsim-fuzz: expected a finding at site \"%s\", none was reported\n",
                expect_site);
        _exit(1);
    }
}

/* Is `site` the site field of `id` ("kind:site:class")? */
static bool id_has_site(const char *id, const char *site)
{
    const char *s = strchr(id, ':');
    size_t n = strlen(site);

    return s && strncmp(s + 1, site, n) == 0 && s[1 + n] == ':';
}

/* The watcher's finding hook while GRANTSIM_FUZZ_EXPECT_SITE is set. */
static void expect_finding(struct gs_fz_watch *w, const char *id, const char *text)
{
    (void)w;
    if (!id_has_site(id, expect_site))
        return;
    /* The test's expected finding: report it and end the run successfully. */
    printf("grantsim-fuzz: expected finding %s\n  %s\n", id, text);
    fflush(stdout);
    expect_seen = true;
    _exit(0); /* not exit(): libFuzzer's atexit handler would call it a failure */
}

void gs_fz_watch_init_env(struct gs_fz_watch *w, bool abort_on_finding)
{
    static bool once;
    const char *e = getenv("GRANTSIM_FUZZ_STRICT");

    gs_fz_watch_init(w, abort_on_finding);
    w->strict = e && strcmp(e, "1") == 0;
    if (!once) {
        once = true;
        expect_site = getenv("GRANTSIM_FUZZ_EXPECT_SITE");
        if (expect_site && *expect_site)
            atexit(expect_check);
        else
            expect_site = NULL;
    }
    if (expect_site)
        w->on_finding = expect_finding;
}

static char outcome[512];

const char *gs_fuzz_outcome(void)
{
    return outcome;
}

void gs_fz_outcome(const struct gs_fz_watch *w, uint64_t time)
{
    snprintf(outcome, sizeof(outcome),
             "time %llu, findings %u (first %s), known %u, steps %llu, syscalls %llu, returns "
             "%llu, faults %llu, restarts %llu, upcalls %llu, ipc %llu, dropped %llu, grants %llu, "
             "mpu %llu",
             (unsigned long long)time, w->findings, w->first_id[0] ? w->first_id : "-", w->known,
             (unsigned long long)w->steps, (unsigned long long)w->syscalls,
             (unsigned long long)w->syscall_returns, (unsigned long long)w->faults,
             (unsigned long long)w->restarts, (unsigned long long)w->upcalls,
             (unsigned long long)w->ipc_dispatches, (unsigned long long)w->tasks_dropped,
             (unsigned long long)w->grant_allocs, (unsigned long long)w->mpu_configs);
}

int gs_fz_fuzz_prog(const struct gs_prog *prog, struct gs_fz_watch *w)
{
    int e;

    if (gs_fz_print_enabled())
        gs_prog_print(prog, stdout);
    e = gs_fz_run_prog(prog, w);
    if (w->ended)
        gs_fz_outcome(w, w->end_time);
    return e;
}
