/* SPDX-License-Identifier: MIT */
/*
 * yield_spin: sets a 1.5 s alarm, then calls Yield-NoWait in a loop until
 * the alarm's upcall has run, and prints how many yields it made. This is
 * the shape of libtock-c's yield test (examples/tests/yield: yield-no-wait
 * spinning on a timer), the syscall-heavy case bench/yield-spin.json times:
 * about nine instructions of guest code per system call.
 */
#include "console.h"
#include "tock.h"

static volatile bool fired;

int main(void)
{
    uint32_t hz = 0, exp = 0, spins = 0, ran = 0;

    if (tock_ret_u32(tock_command(DRIVER_ALARM, ALARM_CMD_FREQUENCY, 0, 0), &hz) != TOCK_OK ||
        tock_subscribe(DRIVER_ALARM, 0, tock_upcall_set_flag, (void *)&fired).status != TOCK_OK ||
        tock_ret_u32(tock_command(DRIVER_ALARM, ALARM_CMD_RELATIVE, hz + hz / 2, 0), &exp) !=
            TOCK_OK)
        return 1;
    while (!fired) {
        ran += (uint32_t)tock_yield_no_wait();
        spins++;
    }
    printf("yield_spin: %u yields, %u ran an upcall\n", (unsigned)spins, (unsigned)ran);
    return ran == 1 ? 0 : 2;
}
