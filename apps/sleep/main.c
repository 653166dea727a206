/* SPDX-License-Identifier: MIT */
/*
 * sleep: prints a line, sleeps one second on the alarm (0x0), five times,
 * then exits 0, like libtock-c's examples/tests/hello_loop and the exit
 * test (which sleep between steps). Five simulated seconds are 320 M
 * instructions of time at 64 MHz but only a few thousand executed: it ends
 * on the default instruction budget only because idle time is simulated
 * time, not budget.
 */
#include "console.h"
#include "tock.h"

static volatile bool fired;

int main(void)
{
    uint32_t hz = 0, exp = 0;

    if (tock_ret_u32(tock_command(DRIVER_ALARM, ALARM_CMD_FREQUENCY, 0, 0), &hz) != TOCK_OK ||
        tock_subscribe(DRIVER_ALARM, 0, tock_upcall_set_flag, (void *)&fired).status != TOCK_OK)
        return 1;
    for (int i = 1; i <= 5; i++) {
        printf("sleep: tick %d\n", i);
        fired = false;
        if (tock_ret_u32(tock_command(DRIVER_ALARM, ALARM_CMD_RELATIVE, hz, 0), &exp) != TOCK_OK)
            return 2;
        tock_yield_for(&fired);
    }
    printf("sleep: done\n");
    return 0;
}
