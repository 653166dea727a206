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

#endif
