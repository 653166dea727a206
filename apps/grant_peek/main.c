/* SPDX-License-Identifier: MIT */
/*
 * grant_peek: asks for the start of the grant region (memop 6) and loads a
 * word from there. That memory belongs to the kernel and lies above the app
 * break, so the MPU must refuse the load: the process faults after printing
 *   grant_peek: grant region starts at 0x........
 *   grant_peek: reading it
 * If the load succeeds, isolation is broken: the app says so and exits 1.
 * Exit 2 if memop 6 itself fails.
 */
#include "console.h"
#include "tock.h"

int main(void)
{
    uint32_t grant_start;
    int st = tock_memop_u32(MEMOP_GRANT_START, 0, &grant_start);
    if (st != TOCK_OK) {
        printf("grant_peek: memop 6 failed: %s\n", tock_strerror(st));
        return 2;
    }
    printf("grant_peek: grant region starts at 0x%08x\n", (unsigned)grant_start);
    printf("grant_peek: reading it\n");
    uint32_t word = *(volatile const uint32_t *)grant_start;
    printf("grant_peek: read 0x%08x: kernel memory is readable\n", (unsigned)word);
    return 1;
}
