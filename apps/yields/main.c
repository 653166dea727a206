/* SPDX-License-Identifier: MIT */
/*
 * yields: the three Yield variants against the alarm driver (0x0).
 *
 *  1. Yield-NoWait returns 0 while nothing is queued and 1 once the alarm's
 *     upcall has run (libtock-c examples/tests/yield spins the same way).
 *  2. Yield-Wait with the alarm upcall subscribed returns after it ran.
 *  3. Yield-WaitFor(0, 0) with the null upcall returns the alarm's arguments.
 *  4. Yield-WaitFor(0, 0) with the upcall subscribed returns the arguments
 *     and does NOT run the upcall.
 * The alarm upcall's arguments are (now, expiration, 0), and expiration is
 * what command 5 returned (docs/drivers.md).
 *
 * Exit code 0 if every check held, else the number of the first failed check.
 */
#include "console.h"
#include "tock.h"

static volatile uint32_t fired;
static volatile uint32_t fired_expiration;

static void on_alarm(uint32_t now, uint32_t expiration, uint32_t unused, void *appdata)
{
    (void)now;
    (void)unused;
    (void)appdata;
    fired++;
    fired_expiration = expiration;
}

static int check_no;

static void check(int ok, const char *what)
{
    check_no++;
    if (!ok) {
        printf("yields: FAIL check %d: %s\n", check_no, what);
        exit(check_no);
    }
}

/* Arms the alarm dt ticks from now; returns its expiration (0 on failure). */
static uint32_t arm(uint32_t dt)
{
    uint32_t expiration = 0;
    int st = tock_ret_u32(tock_command(DRIVER_ALARM, ALARM_CMD_RELATIVE, dt, 0), &expiration);
    check(st == TOCK_OK, "alarm command 5 (relative)");
    return expiration;
}

int main(void)
{
    uint32_t hz = 0;
    check(tock_ret_u32(tock_command(DRIVER_ALARM, ALARM_CMD_FREQUENCY, 0, 0), &hz) == TOCK_OK &&
              hz > 0,
          "alarm frequency");
    const uint32_t dt = hz / 100 > 0 ? hz / 100 : 1; /* 10 ms */

    tock_swap_t sw = tock_subscribe(DRIVER_ALARM, 0, on_alarm, NULL);
    check(sw.status == TOCK_OK, "subscribe alarm upcall");

    /* 1: no-wait spin. */
    uint32_t exp = arm(dt);
    uint32_t zeros = 0;
    while (tock_yield_no_wait() == 0) {
        zeros++;
    }
    check(zeros > 0, "Yield-NoWait returned 0 before the alarm fired");
    check(fired == 1 && fired_expiration == exp, "Yield-NoWait returned 1 after the upcall ran");
    printf("yields: no-wait: 0 while idle, 1 after the alarm upcall ran\n");

    /* 2: wait. */
    exp = arm(dt);
    tock_yield();
    check(fired == 2 && fired_expiration == exp, "Yield-Wait returned after the upcall ran");
    printf("yields: wait: returned after the alarm upcall ran\n");

    /* 3: wait-for with the null upcall. */
    sw = tock_subscribe(DRIVER_ALARM, 0, NULL, NULL);
    check(sw.status == TOCK_OK && sw.ptr == (uint32_t)on_alarm,
          "subscribe null returns old upcall");
    exp = arm(dt);
    tock_upcall_args_t a = tock_yield_wait_for(DRIVER_ALARM, 0);
    check(a.arg1 == exp && a.arg2 == 0 && fired == 2, "Yield-WaitFor (null upcall) got the args");
    printf("yields: wait-for (null upcall): got the alarm's arguments\n");

    /* 4: wait-for with the upcall subscribed: the upcall must not run. */
    sw = tock_subscribe(DRIVER_ALARM, 0, on_alarm, NULL);
    check(sw.status == TOCK_OK && sw.ptr == 0, "resubscribe returns the null upcall");
    exp = arm(dt);
    a = tock_yield_wait_for(DRIVER_ALARM, 0);
    check(a.arg1 == exp && a.arg2 == 0 && fired == 2, "Yield-WaitFor did not run the upcall");
    printf("yields: wait-for (upcall subscribed): got the arguments, upcall not run\n");

    tock_subscribe(DRIVER_ALARM, 0, NULL, NULL);
    printf("yields: PASS\n");
    return 0;
}
