/* SPDX-License-Identifier: MIT */
/*
 * repro.h - from a fuzz input to a scenario file that replays its finding
 * (`grantsim repro`).
 *
 *  1. The input is decoded as its target decodes it (decoder.h).
 *  2. Core targets (fuzz-syscalls, fuzz-ipc) first run it on the fake arch,
 *     as the fuzzer did, for the finding it reported.
 *  3. The program runs as a scenario on the Cortex-M machine
 *     (prog-scenario.h) with the watcher of prog-run.h; the finding to
 *     replay is the fake arch's when the machine reports it too, else the
 *     machine's first (fuzz-machine: always the machine's).
 *  4. Minimizing: actions are removed one at a time, last first, for as long
 *     as the finding stays; then board options (fault injection, timeslice,
 *     MPU regions) go back to their defaults and absolute arguments become
 *     0, each kept only if the finding stays.
 *  5. The scenario expects the kernel findings of the final run
 *     (expect.findings) and marks the processes that did not load; it is
 *     written out as text, read back and run `runs` times on fresh boards:
 *     a replay counts when the scenario passes and the watcher reports the
 *     finding again.
 *
 * The watchers are strict (prog-run.h): a known upstream behaviour counts as
 * a finding here, whatever GRANTSIM_FUZZ_STRICT says, because an input kept
 * in regress/ as known-SITE is exactly a reproducer of one.
 *
 * Only programs can be turned into scenarios: fuzz-grants, fuzz-mpu and
 * fuzz-loader inputs drive the core API or the parsers directly (replay those
 * with build/fuzz/TARGET FILE).
 */
#ifndef GS_PROG_REPRO_H
#define GS_PROG_REPRO_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decoder.h"

struct gs_repro_target {
    const char *name;       /* "fuzz-syscalls", ... */
    enum gs_prog_mode mode; /* how it decodes */
    bool fake;              /* it runs programs on the fake arch (core target) */
};

/* The target called `name`, or NULL (not a target whose inputs are programs). */
const struct gs_repro_target *gs_repro_target(const char *name);

struct gs_repro {
    const struct gs_repro_target *t;
    struct gs_prog prog; /* decoded, then minimized */
    char fake_id[128];   /* core targets: the fake arch's first finding ("" none) */
    char id[128];        /* the finding the scenario replays ("" none) */
    char raw[8][128];    /* the kernel findings of the final run (expect.findings) */
    unsigned nraw;
    bool loaded[GS_PROG_MAX_PROCS];
    unsigned actions_in, actions_out;
    unsigned runs; /* machine runs it took */
};

/*
 * Steps 1-4. Returns 0, or -1 when the input cannot be decoded (longer than
 * GS_PROG_MAX_INPUT). r->id is "" when the machine reports nothing.
 */
int gs_repro_find(const uint8_t *data, size_t len, const struct gs_repro_target *t, bool minimize,
                  struct gs_repro *r);

/* The scenario of step 5 (a new JSON object, NULL on host OOM); input names the crash file. */
json_t *gs_repro_scenario(const struct gs_repro *r, const char *input);

/*
 * Step 5's check: runs the scenario `text` n times on fresh boards; returns
 * how many runs passed and reported `id` (with id "", how many passed).
 * why gets the reason of the first run that did not.
 */
unsigned gs_repro_verify(const char *text, const char *id, unsigned n, char *why, size_t wn);

#endif
