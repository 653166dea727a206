/* SPDX-License-Identifier: MIT */
/*
 * gdb_demo: the app of the gdb stub's worked session (docs/gdb.md) and test
 * (tests/gdb_session.py). It adds 1, 2, ..., `rounds` to a global through a
 * function, prints the sum, then loads a word from the start of its grant
 * region (memop 6): kernel memory above the app break, which the MPU must
 * refuse, so the process faults at that load (as grant_peek does).
 *   gdb_demo: counter 6
 *   gdb_demo: peeking at 0x........
 * If the load succeeds, the app exits with the word it read; exit 2 if
 * memop 6 fails.
 */
#include "console.h"
#include "tock.h"

unsigned counter;    /* .bss: watch it */
unsigned rounds = 3; /* .data */

/* Not static: the compiler keeps one `bump` (no clones) for `break bump` and `finish`. */
unsigned bump(unsigned by);

__attribute__((noinline)) unsigned bump(unsigned by)
{
    counter += by;
    return counter;
}

int main(void)
{
    uint32_t grant_start = 0;

    for (unsigned i = 1; i <= rounds; i++)
        bump(i);
    printf("gdb_demo: counter %u\n", counter);
    if (tock_memop_u32(MEMOP_GRANT_START, 0, &grant_start) != TOCK_OK)
        return 2;
    printf("gdb_demo: peeking at 0x%08x\n", (unsigned)grant_start);
    /* The faulting load: kernel memory. */
    return (int)*(volatile const uint32_t *)grant_start;
}
