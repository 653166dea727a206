/* SPDX-License-Identifier: MIT */
/*
 * fuzz.h - the entry point every target defines (libFuzzer's convention).
 * Built with -fsanitize=fuzzer it is driven by libFuzzer; built without, by
 * replay-main.c, which runs it on the files named on the command line.
 */
#ifndef GS_FUZZ_H
#define GS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Runs one input. Returns 0 (inputs are never rejected from the corpus). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Optional: what the last input did, as text (its run's end, time, finding
 * counts...). replay-main.c runs every input twice on the state the first
 * run left (boards and memory are reused between inputs) and fails when the
 * two outcomes differ: state that leaks across the reset shows there. A
 * target without it is still run twice (a crash or sanitizer report the
 * second time fails the test). The program targets get it from the
 * harness; fuzz-scenario defines its own.
 */
const char *gs_fuzz_outcome(void);

#endif
