/* SPDX-License-Identifier: MIT */
/*
 * restart_loop: prints "start" and exits with restart (Exit class, r0 = 1,
 * completion code 0). The kernel re-runs it from _start forever, so the
 * console shows "start" once per run.
 *
 * crt0 must re-initialise .data and .bss on every run: if `x` (.data) or `z`
 * (.bss) still holds the previous run's value, the app prints
 *   restart_loop: stale data x=2 z=1
 * and terminates with code 1 instead of restarting.
 */
#include "console.h"
#include "tock.h"

int x = 1;
int z;

int main(void)
{
    printf("start\n");
    if (x != 1 || z != 0) {
        printf("restart_loop: stale data x=%d z=%d\n", x, z);
        return 1;
    }
    x++;
    z++;
    console_flush();
    tock_restart(0);
}
