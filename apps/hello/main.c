/* SPDX-License-Identifier: MIT */
/*
 * hello: one printf with a number and a string, then exit(0).
 * Output: "Hello from grantsim, the answer is 42"
 *
 * Both values are reached through pointers stored in initialised data: the
 * ELF then carries .rel.data entries of both kinds crt0 must rebase, one to
 * a flash address (the string) and one to a RAM address (`answer`).
 */
#include "console.h"

/* Not static, so the compiler cannot fold the pointers into the code. */
const char *greeting = "grantsim";
int answer = 42;
int *answer_ptr = &answer;

int main(void)
{
    printf("Hello from %s, the answer is %d\n", greeting, *answer_ptr);
    return 0;
}
