/* SPDX-License-Identifier: MIT */
/*
 * Scenario throughput (meson suite "bench"): runs every case of the bundled
 * library (the *.json files of scenarios/) over and over for about two seconds on one core
 * and prints cases per second (validating the case and building, running and
 * checking its board each time), with the slowest cases. The goal is 200
 * scenarios per second per core; nothing here asserts a time.
 *
 *   bench_scenarios SCENARIO_DIR APPS_DIR [SECONDS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "errors.h"
#include "scenario.h"

struct item {
    struct gs_scn_file *f;
    int ci;
    double total; /* seconds spent on it */
    unsigned runs;
};

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_slowest(const void *a, const void *b)
{
    const struct item *x = a, *y = b;
    double ax = x->runs ? x->total / x->runs : 0, ay = y->runs ? y->total / y->runs : 0;

    return ax < ay ? 1 : ax > ay ? -1 : 0;
}

/* Loads, runs and checks one case; returns its exit code (or -1). */
static int run_one(struct item *it, const struct gs_scn_opts *so, struct gs_scn_reuse *reuse)
{
    struct gs_scenario *s = NULL;
    struct gs_scn_err err;
    struct gs_scn_result r;
    struct gs_scn_run_opts ro = {.maps = true, .trace = NULL, .reuse = reuse};
    int code;

    if (gs_scn_load(it->f, it->ci, so, &s, &err) != GS_OK)
        return -1;
    if (gs_scn_run(s, &ro, &r) != GS_OK) {
        gs_scenario_free(s);
        return -1;
    }
    code = gs_scn_result_exit(&r);
    gs_scn_result_free(&r);
    gs_scenario_free(s);
    return code;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "scenarios";
    double budget = argc > 3 ? atof(argv[3]) : 2.0, t0, t1, elapsed;
    struct gs_scn_opts so = {.apps_dir = argc > 2 ? argv[2] : NULL};
    struct gs_scn_paths paths = {0};
    unsigned nnames, nitems = 0, failing = 0;
    unsigned long long runs = 0;
    struct item *items;
    struct rusage ru;
    if (gs_scn_paths_add(&paths, dir) != 0 || paths.n == 0) {
        fprintf(stderr, "bench_scenarios: no scenario files in %s\n", dir);
        gs_scn_paths_free(&paths);
        return 2;
    }
    nnames = (unsigned)paths.n;
    items = calloc(nnames * 16 + 1, sizeof(*items));
    if (!items)
        return 2;
    for (unsigned i = 0; i < nnames; i++) {
        struct gs_scn_file *f;
        struct gs_scn_err err;
        unsigned nc;
        if (gs_scn_file_open(paths.v[i], &f, &err) != GS_OK) {
            printf("  skipped %s\n", err.msg);
            continue;
        }
        nc = gs_scn_file_ncases(f);
        for (unsigned c = 0; c < (nc ? nc : 1) && nitems < nnames * 16; c++) {
            items[nitems].f = f;
            items[nitems].ci = nc ? (int)c : -1;
            nitems++;
        }
    }
    if (nitems == 0) {
        printf("bench_scenarios: no scenario in %s\n", dir);
        return 2;
    }
    /* One pass to check that they pass (the figures are meaningless otherwise). */
    for (unsigned i = 0; i < nitems; i++)
        if (run_one(&items[i], &so, NULL) != 0)
            failing++;
    /*
     * Each case twice more on one reused board (gs_board_reset between
     * runs): a reset board must give the verdict a new one gives.
     */
    char reuse_line[256];
    {
        struct gs_scn_reuse reuse;
        double r0, r1;
        unsigned differ = 0, nruns = 0;
        memset(&reuse, 0, sizeof(reuse));
        r0 = now();
        for (unsigned k = 0; k < 2; k++)
            for (unsigned i = 0; i < nitems; i++, nruns++)
                if (run_one(&items[i], &so, &reuse) != 0)
                    differ++;
        r1 = now();
        snprintf(reuse_line, sizeof(reuse_line),
                 "reused boards: %u runs, %llu boards built, %llu resets, %.0f scenarios/s; "
                 "%u verdicts differ from a new board's\n",
                 nruns, (unsigned long long)reuse.built, (unsigned long long)reuse.reused,
                 nruns / (r1 - r0), differ);
        gs_scn_reuse_free(&reuse);
        failing += differ;
    }
    t0 = now();
    do {
        for (unsigned i = 0; i < nitems; i++) {
            double a = now();
            run_one(&items[i], &so, NULL);
            items[i].total += now() - a;
            items[i].runs++;
            runs++;
        }
        t1 = now();
    } while (t1 - t0 < budget);
    elapsed = t1 - t0;
    getrusage(RUSAGE_SELF, &ru);
    printf("grantsim scenario benchmark (one core, one run; machines are noisy)\n");
    printf("library: %u files, %u cases%s\n", nnames, nitems,
           failing ? " (SOME FAIL: figures are not meaningful)" : ", all passing");
    printf("scenarios per second: %.0f (%llu runs in %.2f s; goal >= 200/s per core)\n",
           (double)runs / elapsed, runs, elapsed);
    printf("whole library: %.1f ms per pass\n", 1000.0 * elapsed * nitems / (double)runs);
    fputs(reuse_line, stdout);
    printf("peak RSS: %ld KiB\n", ru.ru_maxrss);
    qsort(items, nitems, sizeof(items[0]), cmp_slowest);
    printf("slowest cases:\n");
    for (unsigned i = 0; i < nitems && i < 5; i++) {
        const char *id =
            items[i].ci >= 0 ? gs_scn_file_case_id(items[i].f, (unsigned)items[i].ci) : NULL;
        printf("  %7.2f ms  %s%s%s%s\n", 1000.0 * items[i].total / items[i].runs,
               gs_scn_file_path(items[i].f), id ? " [case " : "", id ? id : "", id ? "]" : "");
    }
    /* Each file once (items of one file are adjacent before the sort; free by path). */
    for (unsigned i = 0; i < nitems; i++) {
        bool seen = false;
        for (unsigned j = 0; j < i && !seen; j++)
            seen = items[j].f == items[i].f;
        if (!seen)
            gs_scn_file_free(items[i].f);
    }
    free(items);
    gs_scn_paths_free(&paths);
    return failing ? 1 : 0; /* figures of a failing library are not figures */
}
