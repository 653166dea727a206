/* SPDX-License-Identifier: MIT */
/*
 * replay-leak.c - a target that leaks state from one input to the next on
 * purpose (a counter that no reset clears), so that its outcome differs
 * between the two runs of an input. Test replay-main-catches-leaks runs it
 * with replay-main.c and must fail: the run-twice check can fail.
 */
#include <stdio.h>

#include "fuzz.h"

static unsigned runs; /* never reset: the leak */
static char outcome[64];

const char *gs_fuzz_outcome(void)
{
    return outcome;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)data;
    snprintf(outcome, sizeof(outcome), "%zu bytes, run %u", size, ++runs);
    return 0;
}
