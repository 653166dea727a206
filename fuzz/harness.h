/* SPDX-License-Identifier: MIT */
/*
 * harness.h - what the kernel fuzz targets add to running programs
 * (src/prog/prog-run.h: the memory, the board, the watcher and the budgets,
 * which `grantsim repro` uses too): the settings the environment gives a
 * fuzzing run or a test, and the outcome replay-main compares.
 *
 * In fuzzing mode (gs_fz_watch_init_env(w, true)) a finding aborts the run,
 * printing "grantsim-finding: ID" and the finding's text to stderr, then
 * the decoded program (prog-run.h says what counts). ASan and UBSan abort
 * on their own.
 *
 * Known upstream behaviours (gs_fz_known) are reported but do not abort
 * unless GRANTSIM_FUZZ_STRICT=1 is set in the environment.
 * GRANTSIM_FUZZ_PRINT=1 prints every decoded program before it runs.
 * GRANTSIM_FUZZ_EXPECT_SITE=SITE (for tests of known behaviours) turns the
 * run around: a finding at SITE ends it with status 0, no such finding
 * makes it exit with status 1.
 */
#ifndef GS_FUZZ_HARNESS_H
#define GS_FUZZ_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

#include "decoder.h"
#include "prog-run.h"

/*
 * gs_fz_watch_init, then the environment's settings: strict when
 * GRANTSIM_FUZZ_STRICT=1, and the GRANTSIM_FUZZ_EXPECT_SITE check.
 */
void gs_fz_watch_init_env(struct gs_fz_watch *w, bool abort_on_finding);

/* Records w's counts (and the clock, `time`) as the input's outcome (fuzz.h gs_fuzz_outcome). */
void gs_fz_outcome(const struct gs_fz_watch *w, uint64_t time);

/*
 * A program as the core targets run it: printed first when
 * GRANTSIM_FUZZ_PRINT=1, then gs_fz_run_prog, then its outcome recorded.
 * Returns what gs_fz_run_prog returns.
 */
int gs_fz_fuzz_prog(const struct gs_prog *prog, struct gs_fz_watch *w);

/* True when GRANTSIM_FUZZ_PRINT=1 (print each program before running it). */
bool gs_fz_print_enabled(void);

#endif
