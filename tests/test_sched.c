/* SPDX-License-Identifier: MIT */
/* The kernel loop and round-robin scheduling (TOCK-REFERENCE 4.6) with the fake arch. */
#include <string.h>

#include "helpers.h"

#define MEM  GS_FB_MEM
#define UPC  GS_FB_UPCALL
#define ABS  GS_FB_ABS
#define TEST GS_TEST_CAPSULE_NUM

static struct fboard fb;

static void teardown(void)
{
    fb_free(&fb);
}

/* Order in which processes issued their svcs, recorded through the observer. */
struct order {
    unsigned n;
    unsigned who[64];
};

static void on_event(void *ctx, const struct gs_event *ev)
{
    struct order *o = ctx;

    if (ev->kind == GS_EV_SYSCALL && o->n < 64)
        o->who[o->n++] = ev->p->index;
}

START_TEST(round_robin_with_timeslices)
{
    const struct gs_fake_action a[] = {SPIN(250), SVC(2, TEST, 0, 0, 0), SPIN(250),
                                       SVC(2, TEST, 0, 0, 0)};
    struct order o = {0};
    struct gs_process *p, *q;

    fb_init(&fb, NULL, true);
    gs_kernel_set_timeslice(fb.tb.k, 100); /* min quanta 5 */
    gs_kernel_add_observer(fb.tb.k, on_event, &o);
    p = fb_proc(&fb, 1024, "a", a, NACT(a));
    q = fb_proc(&fb, 1024, "b", a, NACT(a));
    ck_assert_int_eq(gs_kernel_run(fb.tb.k, 100000), GS_RUN_IDLE);
    /* Each spin of 250 needs three slices: the processes alternate. */
    ck_assert_uint_ge(p->timeslice_expirations, 4);
    ck_assert_uint_ge(q->timeslice_expirations, 4);
    ck_assert_uint_eq(o.n, 6); /* 2 commands + the final yield, each */
    /* a cmd, b cmd, then a's second cmd and its final yield in one slice, then b's. */
    {
        static const unsigned want[6] = {0, 1, 0, 0, 1, 1};
        for (unsigned i = 0; i < 6; i++)
            ck_assert_uint_eq(o.who[i], want[i]);
    }
    ck_assert_uint_eq(fb_svc(&fb, p, 1)->r[0], 128);
}
END_TEST

/* The same program gives the same records and the same time, inline or not. */
static uint64_t run_once(bool inline_svc, struct gs_fake_record *out, unsigned *nout)
{
    const struct gs_fake_action a[] = {
        SVCB(1, TEST, 0, 1, 3, ABS, ABS, UPC, ABS),
        SVC(2, TEST, 1, 0, 5),
        SVC(2, TEST, 2, 0, 0xFEED),
        SVC(2, 0x0, 5, 100, 0), /* alarm in 100 ticks */
        SVC(0, 1, 0, 0, 0),
        SVC(2, TEST, 3, 0, 0),
        SVC(0, 2, 0x0, 0, 0),
    };
    const struct gs_fake_record *r;
    struct gs_process *p;
    uint64_t now;
    unsigned n;

    fb_init(&fb, NULL, inline_svc);
    p = fb_proc(&fb, 1024, "x", a, NACT(a));
    fb_proc(&fb, 1024, "y", a, NACT(a));
    gs_kernel_run(fb.tb.k, 10000000);
    r = fb_recs(&fb, p, &n);
    memcpy(out, r, n * sizeof(*r));
    *nout = n;
    now = gs_kernel_now(fb.tb.k);
    fb_free(&fb);
    return now;
}

START_TEST(inline_and_trapping_paths_agree)
{
    static struct gs_fake_record a[64], b[64];
    unsigned na, nb;
    uint64_t ta = run_once(true, a, &na), tb2 = run_once(false, b, &nb);

    ck_assert_uint_gt(na, 4);
    ck_assert_uint_eq(na, nb);
    ck_assert_mem_eq(a, b, na * sizeof(a[0]));
    ck_assert_uint_eq(ta, tb2);
    /* Deterministic: a second identical run is identical too. */
    ck_assert_uint_eq(run_once(true, b, &nb), ta);
    ck_assert_mem_eq(a, b, na * sizeof(a[0]));
    fb_init(&fb, NULL, true); /* for the teardown */
}
END_TEST

START_TEST(idle_jumps_to_alarm)
{
    const struct gs_fake_action a[] = {
        SVCB(1, 0x0, 0, 0, 0x5, ABS, ABS, UPC, ABS), SVC(2, 0x0, 5, 32768, 0), /* one second */
        SVC(0, 1, 0, 0, 0), SVC(2, 0x0, 2, 0, 0),                              /* now */
    };
    struct gs_process *p;
    const struct gs_fake_record *r, *up = NULL;
    unsigned n;

    fb_init(&fb, NULL, true);
    p = fb_proc(&fb, 1024, "alarm", a, NACT(a));
    ck_assert_int_eq(gs_kernel_run(fb.tb.k, 200000000), GS_RUN_IDLE);
    /* Time jumped to the alarm: 64 M instructions (one second at 64 MHz). */
    ck_assert_uint_ge(gs_kernel_now(fb.tb.k), 64000000);
    ck_assert_uint_lt(gs_kernel_now(fb.tb.k), 64001000);
    r = fb_recs(&fb, p, &n);
    for (unsigned i = 0; i < n; i++)
        if (r[i].upcall)
            up = &r[i];
    ck_assert_ptr_nonnull(up);
    /* Upcall (now, reference + dt, 0) with appdata 5. */
    ck_assert_uint_ge(up->r[0], up->r[1]);
    ck_assert_uint_eq(up->r[1], fb_svc(&fb, p, 1)->r[1]);
    ck_assert_uint_eq(up->r[3], 5);
    ck_assert_uint_ge(fb_svc(&fb, p, 3)->r[1], 32768);
}
END_TEST

START_TEST(limit_stops_a_busy_system)
{
    const struct gs_fake_action a[] = {SPIN(1000000)};

    fb_init(&fb, NULL, true);
    fb_proc(&fb, 1024, "busy", a, NACT(a));
    ck_assert_int_eq(gs_kernel_run(fb.tb.k, 5000), GS_RUN_LIMIT);
    ck_assert_uint_eq(gs_kernel_now(fb.tb.k), 5000);
}
END_TEST

/*
 * Two limits (gs_kernel_run_for): a sleep of one simulated second fits a
 * budget of 100000 instructions, because the idle jump is simulated time
 * only; the same sleep under a 0.5 s time limit ends at the limit, with the
 * clock exactly there and the jump counted as idle time.
 */
START_TEST(sleep_counts_toward_time_not_budget)
{
    const struct gs_fake_action a[] = {
        SVCB(1, 0x0, 0, 0, 0x5, ABS, ABS, UPC, ABS),
        SVC(2, 0x0, 5, 32768, 0), /* one second */
        SVC(0, 1, 0, 0, 0),
    };
    uint64_t busy;

    fb_init(&fb, NULL, true);
    fb_proc(&fb, 1024, "sleeper", a, NACT(a));
    ck_assert_int_eq(gs_kernel_run_for(fb.tb.k, 100000, 64000000ull * 10), GS_RUN_IDLE);
    ck_assert_uint_ge(gs_kernel_now(fb.tb.k), 64000000);
    busy = gs_kernel_now(fb.tb.k) - gs_kernel_idle_time(fb.tb.k);
    ck_assert_uint_lt(busy, 100000);
    ck_assert_uint_gt(gs_kernel_idle_time(fb.tb.k), 63000000);
    /* The old single limit counts the jump: the same run ends at it. */
    fb_free(&fb);
    fb_init(&fb, NULL, true);
    fb_proc(&fb, 1024, "sleeper", a, NACT(a));
    ck_assert_int_eq(gs_kernel_run(fb.tb.k, 100000), GS_RUN_LIMIT);
    ck_assert_uint_eq(gs_kernel_now(fb.tb.k), 100000);
    /* A time limit before the alarm. */
    fb_free(&fb);
    fb_init(&fb, NULL, true);
    fb_proc(&fb, 1024, "sleeper", a, NACT(a));
    ck_assert_int_eq(gs_kernel_run_for(fb.tb.k, 100000, 32000000), GS_RUN_TIME);
    ck_assert_uint_eq(gs_kernel_now(fb.tb.k), 32000000);
    ck_assert_uint_lt(gs_kernel_now(fb.tb.k) - gs_kernel_idle_time(fb.tb.k), busy);
}
END_TEST

/* A spinning process ends at the busy budget, long before the time limit. */
START_TEST(spin_ends_at_budget_before_time_limit)
{
    const struct gs_fake_action a[] = {SPIN(1000000)};

    fb_init(&fb, NULL, true);
    fb_proc(&fb, 1024, "busy", a, NACT(a));
    ck_assert_int_eq(gs_kernel_run_for(fb.tb.k, 5000, 64000000), GS_RUN_LIMIT);
    ck_assert_uint_eq(gs_kernel_now(fb.tb.k), 5000);
    ck_assert_uint_eq(gs_kernel_idle_time(fb.tb.k), 0);
    /* and at the time limit when that comes first */
    ck_assert_int_eq(gs_kernel_run_for(fb.tb.k, 5000, 3000), GS_RUN_TIME);
    ck_assert_uint_eq(gs_kernel_now(fb.tb.k), 8000);
}
END_TEST

/*
 * 2.2: ready() is "queue non-empty", so a YieldedFor process with only an
 * unrelated task queued is chosen again and again and cannot run. The run
 * must still end at its limit (the spin is charged), the process untouched.
 */
START_TEST(spin_on_unrunnable_ready_process_ends_at_limit)
{
    const struct gs_fake_action a[] = {
        SVC(2, TEST, 1, 0, 1), /* a ReturnValue of (TEST, 0): upcall 0 is null */
        SVC(0, 2, TEST, 1, 0), /* Yield-WaitFor (TEST, 1) */
    };
    struct gs_kernel_config c;
    struct gs_process *p;

    gs_kernel_config_default(&c);
    c.profile = GS_PROFILE_2_2;
    fb_init(&fb, &c, true);
    p = fb_proc(&fb, 1024, "w", a, NACT(a));
    ck_assert_int_eq(gs_kernel_run(fb.tb.k, 50000), GS_RUN_LIMIT);
    ck_assert_uint_eq(gs_kernel_now(fb.tb.k) >= 50000, 1);
    ck_assert_int_eq(p->state, GS_ST_YIELDED_FOR);
    ck_assert_uint_eq(gs_tasks_len(p), 1);
    /* HEAD: ready() is the flag, false here: the run is idle at once. */
    fb_free(&fb);
    fb_init(&fb, NULL, true);
    p = fb_proc(&fb, 1024, "w", a, NACT(a));
    ck_assert_int_eq(gs_kernel_run(fb.tb.k, 50000), GS_RUN_IDLE);
    ck_assert_int_eq(p->state, GS_ST_YIELDED_FOR);
}
END_TEST

/* A machine on which every process faults on its first instruction (none runs). */
static int fault_at_once(void *ctx, struct gs_process *p, uint64_t budget, struct gs_trap_info *out)
{
    (void)p;
    (void)budget;
    (*(unsigned *)ctx)++;
    memset(out, 0, sizeof(*out));
    out->trap = GS_TRAP_FAULT;
    out->fault.kind = GS_FAULT_EXEC;
    return 0;
}

/*
 * A restart policy and a process that faults before its first instruction
 * (an MPU configured without its code, as a kernel bug does it): each
 * switch is charged GS_KERNEL_SPIN_INSTRUCTIONS, so the fault/restart cycle
 * ends at the budget instead of looping at one instant.
 */
START_TEST(fault_restart_cycle_without_instructions_ends_at_limit)
{
    static const struct gs_arch_ops ops = {.run = fault_at_once};
    unsigned runs = 0;
    struct gs_arch arch = {.ops = &ops, .ctx = &runs};
    const struct gs_fake_action a[] = {SVC(2, TEST, 0, 0, 0)};
    struct gs_process *p;

    fb_init(&fb, NULL, true);
    p = fb_proc(&fb, 1024, "f", a, NACT(a));
    p->fault_policy = GS_FP_RESTART;
    gs_kernel_set_arch(fb.tb.k, &arch);
    ck_assert_int_eq(gs_kernel_run(fb.tb.k, 100 * GS_KERNEL_SPIN_INSTRUCTIONS), GS_RUN_LIMIT);
    ck_assert_uint_eq(gs_kernel_now(fb.tb.k), 100 * GS_KERNEL_SPIN_INSTRUCTIONS);
    /* One switch per spin's worth of time: the run at 0, 100, ... 9900. */
    ck_assert_uint_eq(runs, 100);
    ck_assert_uint_eq(p->restart_count, 100);
    ck_assert_uint_eq(fb.tb.rec.events[GS_EV_FAULT], 100);
    gs_kernel_set_arch(fb.tb.k, NULL);
}
END_TEST

/* Kernel work that queues itself again for the same instant, forever. */
static void requeue_now(struct gs_kernel *k, void *ctx, uint64_t arg)
{
    (*(unsigned *)ctx)++;
    gs_kernel_defer(k, gs_kernel_now(k), requeue_now, ctx, arg);
}

/*
 * The bound on host work (GS_KERNEL_STALL_PASSES): a kernel that livelocks
 * in its own work, running no guest code and never moving the clock, is
 * charged for those passes and its run ends at the budget, after a bounded
 * number of passes.
 */
START_TEST(livelocked_kernel_work_ends_at_limit)
{
    unsigned calls = 0;
    const uint64_t budget = 3ull * GS_KERNEL_STALL_PASSES * GS_KERNEL_SPIN_INSTRUCTIONS;

    fb_init(&fb, NULL, true);
    ck_assert_int_eq(gs_kernel_defer(fb.tb.k, 0, requeue_now, &calls, 0), GS_OK);
    ck_assert_int_eq(gs_kernel_run(fb.tb.k, budget), GS_RUN_LIMIT);
    ck_assert_uint_eq(gs_kernel_now(fb.tb.k), budget);
    /* Each GS_KERNEL_STALL_PASSES passes at one instant are charged as that many spins. */
    ck_assert_uint_le(calls, 3 * GS_KERNEL_STALL_PASSES);
    ck_assert_uint_ge(calls, 2 * GS_KERNEL_STALL_PASSES);
    /* A second run goes on from there and stops at its own budget too. */
    ck_assert_int_eq(gs_kernel_run(fb.tb.k, 1000), GS_RUN_LIMIT);
    ck_assert_uint_eq(gs_kernel_now(fb.tb.k), budget + 1000);
}
END_TEST

START_TEST(stopped_process_is_not_scheduled)
{
    const struct gs_fake_action a[] = {SVC(2, TEST, 0, 0, 0), SVC(2, TEST, 0, 0, 0)};
    struct gs_process *p;
    unsigned n;

    fb_init(&fb, NULL, true);
    p = fb_proc(&fb, 1024, "stop", a, NACT(a));
    gs_process_stop(p);
    ck_assert_int_eq(gs_kernel_run(fb.tb.k, 100000), GS_RUN_IDLE);
    fb_recs(&fb, p, &n);
    ck_assert_uint_eq(n, 0);
    gs_process_resume(p);
    gs_kernel_run(fb.tb.k, 100000);
    fb_recs(&fb, p, &n);
    ck_assert_uint_eq(n, 2);
}
END_TEST

START_TEST(fault_policy_restart_threshold)
{
    const struct gs_fake_action a[] = {
        {.op = GS_FAKE_FAULT, .n = GS_FAULT_DATA_READ, .r = {0x10}},
    };
    struct gs_process *p;

    fb_init(&fb, NULL, true);
    p = fb_proc(&fb, 1024, "crash", a, NACT(a));
    p->fault_policy = GS_FP_THRESHOLD_RESTART;
    p->fault_threshold = 3;
    ck_assert_int_eq(gs_kernel_run(fb.tb.k, 1000000), GS_RUN_IDLE);
    ck_assert_int_eq(p->state, GS_ST_FAULTED);
    ck_assert_uint_eq(p->restart_count, 4);
    ck_assert_uint_eq(fb.tb.rec.events[GS_EV_FAULT], 5);
}
END_TEST

START_TEST(fault_policy_panic_ends_the_run)
{
    const struct gs_fake_action a[] = {
        {.op = GS_FAKE_FAULT, .n = GS_FAULT_DATA_WRITE, .r = {0x10}},
    };

    fb_init(&fb, NULL, true);
    fb_proc(&fb, 1024, "crash", a, NACT(a));
    ck_assert_int_eq(gs_kernel_run(fb.tb.k, 1000000), GS_RUN_PANIC);
    ck_assert_str_eq(fb.tb.rec.last_panic, "Process crash had a fault");
}
END_TEST

/* Kernel work (the console's write-done) preempts the writer and is delivered in order. */
START_TEST(console_write_and_upcall)
{
    const struct gs_fake_action a[] = {
        SVCB(1, 0x1, 1, 0, 0xC0, ABS, ABS, UPC, ABS),
        SVCB(4, 0x1, 1, 0x300, 5, ABS, ABS, GS_FB_APP, ABS),
        SVC(2, 0x1, 1, 3, 0), /* write 3 of the 5 allowed bytes */
        SVC(2, 0x1, 1, 3, 0), /* busy */
        SVC(0, 1, 0, 0, 0),
        SVC(2, 0x1, 1, 9, 0), /* min(9, 5) */
        SVC(0, 2, 0x1, 1, 0),
    };
    struct gs_process *p;
    const struct gs_fake_record *r;
    unsigned n, ups = 0;

    fb_init(&fb, NULL, true);
    p = fb_proc(&fb, 1024, "con", a, NACT(a));
    memcpy(gs_mem_host_ptr(&fb.tb.mem, gs_process_app_start(p) + 0x300, 5), "hello", 5);
    gs_kernel_run(fb.tb.k, 1000000);
    ck_assert_str_eq(fb.caps.con.out.data, "helhello");
    ck_assert_uint_eq(fb_svc(&fb, p, 3)->r[1], GS_EC_BUSY);
    r = fb_recs(&fb, p, &n);
    for (unsigned i = 0; i < n; i++) {
        if (r[i].upcall) {
            ups++;
            ck_assert_uint_eq(r[i].r[0], 3); /* (written, 0, 0) */
            ck_assert_uint_eq(r[i].r[1], 0);
            ck_assert_uint_eq(r[i].r[3], 0xC0);
        }
    }
    ck_assert_uint_eq(ups, 1);
    /* The second write-done came back through wait-for: (5, 0, 0). */
    ck_assert_uint_eq(fb_svc(&fb, p, 6)->r[0], 5);
}
END_TEST

/*
 * Console read (capsules/core/src/console.rs): it completes when the asked
 * length min(len, allowed) has arrived, over several timed bursts, with
 * (0 = Ok, count, 0); the idle board jumps to each burst's time.
 */
START_TEST(console_read_completes_at_its_length)
{
    static const struct gs_console_input in[] = {
        {.at = 1000, .bytes = (const uint8_t *)"ab", .len = 2},
        {.at = 500000, .bytes = (const uint8_t *)"c\nzz", .len = 4},
    };
    const struct gs_fake_action a[] = {
        SVCB(5, 0, 0x400, 0, 0, ABS, MEM, ABS, ABS),   /* 0: brk, room for the buffer */
        SVCB(3, 0x1, 1, 0x300, 8, ABS, ABS, MEM, ABS), /* 1: allow_rw 1 */
        SVC(2, 0x1, 2, 4, 0),                          /* 2: read 4 */
        SVC(0, 2, 0x1, 2, 0),                          /* 3: Yield-WaitFor(console, 2) */
    };
    struct gs_process *p;

    fb_init(&fb, NULL, true);
    p = fb_proc(&fb, 1024, "rd", a, NACT(a));
    gs_console_set_input(&fb.caps.con, NULL, 0, in, 2);
    ck_assert_int_eq(gs_kernel_run(fb.tb.k, 10000000), GS_RUN_IDLE);
    ck_assert_uint_eq(fb_svc(&fb, p, 2)->r[0], GS_RET_SUCCESS);
    ck_assert_uint_eq(fb_svc(&fb, p, 3)->r[0], 0); /* Ok */
    ck_assert_uint_eq(fb_svc(&fb, p, 3)->r[1], 4);
    ck_assert_uint_eq(fb_svc(&fb, p, 3)->r[2], 0);
    ck_assert_uint_ge(gs_kernel_now(fb.tb.k), 500000);
    ck_assert_mem_eq(gs_mem_host_ptr(&fb.tb.mem, p->memory_start + 0x300, 5), "abc\n\0", 5);
    /* The two bytes past the read's length found no receive: lost. */
    ck_assert_uint_eq(fb.caps.con.rx_arrived, 6);
    ck_assert_uint_eq(fb.caps.con.rx_lost, 2);
    ck_assert(!fb.caps.con.rx_busy);
}
END_TEST

/*
 * Abort (command 3) ends the pending read with CANCEL and the bytes so far;
 * a second read while one is pending is BUSY; abort with none pending is
 * Success and nothing follows; a read of 0 bytes completes at once.
 */
START_TEST(console_abort_busy_and_empty_reads)
{
    static const struct gs_console_input in[] = {
        {.at = 100, .bytes = (const uint8_t *)"xy", .len = 2}};
    const struct gs_fake_action a[] = {
        SVCB(5, 0, 0x400, 0, 0, ABS, MEM, ABS, ABS),   /* 0: brk */
        SVCB(3, 0x1, 1, 0x300, 8, ABS, ABS, MEM, ABS), /* 1: allow_rw 1, 8 bytes */
        SVC(2, 0x1, 2, 8, 0),                          /* 2: read 8 */
        SVC(2, 0x1, 2, 1, 0),                          /* 3: BUSY */
        SPIN(5000),                                    /* "xy" arrives meanwhile */
        SVC(2, 0x1, 3, 0, 0),                          /* 4: abort */
        SVC(0, 2, 0x1, 2, 0),                          /* 5: (CANCEL, 2, 0) */
        SVC(2, 0x1, 3, 0, 0),                          /* 6: abort, nothing pending */
        SVC(2, 0x1, 2, 0, 0),                          /* 7: read 0 */
        SVC(0, 2, 0x1, 2, 0),                          /* 8: (0, 0, 0) */
        SVC(2, 0x1, 2, 65, 0),                         /* 9: min(65, 8) = 8: pending */
        SVC(2, 0x1, 3, 0, 0),                          /* 10: abort */
        SVC(0, 2, 0x1, 2, 0),                          /* 11: (CANCEL, 0, 0) */
    };
    struct gs_process *p;
    const struct gs_fake_record *r;
    unsigned n, ups = 0;

    fb_init(&fb, NULL, true);
    p = fb_proc(&fb, 1024, "ab", a, NACT(a));
    gs_console_set_input(&fb.caps.con, NULL, 0, in, 1);
    ck_assert_int_eq(gs_kernel_run(fb.tb.k, 10000000), GS_RUN_IDLE);
    ck_assert_uint_eq(fb_svc(&fb, p, 2)->r[0], GS_RET_SUCCESS);
    ck_assert_uint_eq(fb_svc(&fb, p, 3)->r[0], GS_RET_FAILURE);
    ck_assert_uint_eq(fb_svc(&fb, p, 3)->r[1], GS_EC_BUSY);
    ck_assert_uint_eq(fb_svc(&fb, p, 4)->r[0], GS_RET_SUCCESS);
    ck_assert_uint_eq(fb_svc(&fb, p, 5)->r[0], GS_EC_CANCEL);
    ck_assert_uint_eq(fb_svc(&fb, p, 5)->r[1], 2);
    ck_assert_uint_eq(fb_svc(&fb, p, 5)->r[2], 0);
    ck_assert_mem_eq(gs_mem_host_ptr(&fb.tb.mem, p->memory_start + 0x300, 3), "xy\0", 3);
    ck_assert_uint_eq(fb_svc(&fb, p, 6)->r[0], GS_RET_SUCCESS);
    ck_assert_uint_eq(fb_svc(&fb, p, 7)->r[0], GS_RET_SUCCESS);
    ck_assert_uint_eq(fb_svc(&fb, p, 8)->r[0], 0);
    ck_assert_uint_eq(fb_svc(&fb, p, 8)->r[1], 0);
    ck_assert_uint_eq(fb_svc(&fb, p, 9)->r[0], GS_RET_SUCCESS);
    ck_assert_uint_eq(fb_svc(&fb, p, 11)->r[0], GS_EC_CANCEL);
    ck_assert_uint_eq(fb_svc(&fb, p, 11)->r[1], 0);
    r = fb_recs(&fb, p, &n);
    for (unsigned i = 0; i < n; i++)
        ups += r[i].upcall;
    ck_assert_uint_eq(ups, 0); /* everything came back through wait-for, nothing else queued */
    ck_assert_uint_eq(gs_tasks_len(p), 0);
}
END_TEST

/* More than the capsule's 64-byte rx buffer is INVAL; with no input a read stays pending. */
START_TEST(console_read_limits_and_no_input)
{
    const struct gs_fake_action a[] = {
        SVCB(5, 0, 0x400, 0, 0, ABS, MEM, ABS, ABS),     /* 0: brk */
        SVCB(3, 0x1, 1, 0x300, 100, ABS, ABS, MEM, ABS), /* 1: allow_rw 1, 100 bytes */
        SVC(2, 0x1, 2, 65, 0),                           /* 2: INVAL */
        SVC(2, 0x1, 2, 64, 0),                           /* 3: Success */
        SVC(0, 2, 0x1, 2, 0),                            /* 4: never completes */
    };
    struct gs_process *p;
    unsigned n;

    fb_init(&fb, NULL, true);
    p = fb_proc(&fb, 1024, "lim", a, NACT(a));
    ck_assert_int_eq(gs_kernel_run(fb.tb.k, 10000000), GS_RUN_IDLE);
    ck_assert_uint_eq(fb_svc(&fb, p, 2)->r[0], GS_RET_FAILURE);
    ck_assert_uint_eq(fb_svc(&fb, p, 2)->r[1], GS_EC_INVAL);
    ck_assert_uint_eq(fb_svc(&fb, p, 3)->r[0], GS_RET_SUCCESS);
    fb_recs(&fb, p, &n);
    ck_assert_uint_eq(n, 4); /* the wait-for never returned */
    ck_assert(fb.caps.con.rx_busy);
    ck_assert_uint_eq(fb.caps.con.rx_len, 64);
    ck_assert_uint_lt(gs_kernel_now(fb.tb.k), 100000); /* nothing to jump to */
}
END_TEST

START_TEST(rng_and_low_level_debug)
{
    const struct gs_fake_action a[] = {
        SVCB(5, 0, 0x200, 0, 0, ABS, MEM, ABS, ABS),
        SVCB(3, 0x40001, 0, 0x100, 8, ABS, ABS, MEM, ABS),
        SVC(2, 0x40001, 1, 6, 0),
        SVC(0, 2, 0x40001, 0, 0),
        SVC(2, 0x8, 2, 0x1234, 0),
        SVC(2, 0x8, 3, 1, 2),
    };
    struct gs_process *p;
    uint8_t *buf;

    fb_init(&fb, NULL, true);
    p = fb_proc(&fb, 1024, "rng", a, NACT(a));
    gs_kernel_run(fb.tb.k, 1000000);
    ck_assert_uint_eq(fb_svc(&fb, p, 3)->r[1], 6); /* bytes filled */
    buf = gs_mem_host_ptr(&fb.tb.mem, p->memory_start + 0x100, 8);
    ck_assert(buf[0] | buf[1] | buf[2] | buf[3] | buf[4] | buf[5]);
    ck_assert_uint_eq(buf[6], 0);
    ck_assert_uint_eq(buf[7], 0);
    ck_assert_str_eq(fb.caps.lld.out.data, "LowLevelDebug: App 0x0 prints 0x1234\n"
                                           "LowLevelDebug: App 0x0 prints 0x1 0x2\n");
}
END_TEST

/* Kernel work for a process that restarted meanwhile finds no process (ProcessId changed). */
START_TEST(work_for_restarted_process_is_dropped)
{
    const struct gs_fake_action a[] = {
        SVCB(4, 0x1, 1, 0x300, 5, ABS, ABS, GS_FB_APP, ABS),
        SVC(2, 0x1, 1, 5, 0), /* console write: its completion is kernel work */
        SVC(6, 1, 0, 0, 0),   /* exit-restart before the work runs */
    };
    struct gs_process *p;
    unsigned console_grant;

    fb_init(&fb, NULL, true);
    p = fb_proc(&fb, 1024, "rs", a, NACT(a));
    console_grant = fb.caps.con.drv.grant->num;
    /* Run the first instance only: after its restart nothing else happens but the stale work. */
    gs_fake_script(fb.fake, p->index, a, NACT(a));
    gs_kernel_run(fb.tb.k, 3000);
    ck_assert_uint_ge(p->restart_count, 1);
    /* The stale completion did not allocate a console grant in the new instance... */
    if (p->restart_count == 1)
        ck_assert_int_ne(gs_process_grant_is_allocated(p, console_grant), 1);
    /* ...and never queued a write-done for it. */
    for (unsigned i = 0; i < gs_tasks_len(p); i++) {
        struct gs_task t;
        gs_tasks_peek(p, i, &t);
        ck_assert(!(t.kind != GS_TASK_IPC && t.from_driver && t.id.driver == 0x1));
        ck_assert(!(t.kind == GS_TASK_RETURN_VALUE && t.id.driver == 0x1));
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sched");
    TCase *tc = tb_tcase("sched");

    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_test(tc, round_robin_with_timeslices);
    tcase_add_test(tc, inline_and_trapping_paths_agree);
    tcase_add_test(tc, idle_jumps_to_alarm);
    tcase_add_test(tc, console_read_completes_at_its_length);
    tcase_add_test(tc, console_abort_busy_and_empty_reads);
    tcase_add_test(tc, console_read_limits_and_no_input);
    tcase_add_test(tc, limit_stops_a_busy_system);
    tcase_add_test(tc, spin_on_unrunnable_ready_process_ends_at_limit);
    tcase_add_test(tc, fault_restart_cycle_without_instructions_ends_at_limit);
    tcase_add_test(tc, sleep_counts_toward_time_not_budget);
    tcase_add_test(tc, spin_ends_at_budget_before_time_limit);
    tcase_add_test(tc, livelocked_kernel_work_ends_at_limit);
    tcase_add_test(tc, stopped_process_is_not_scheduled);
    tcase_add_test(tc, fault_policy_restart_threshold);
    tcase_add_test(tc, fault_policy_panic_ends_the_run);
    tcase_add_test(tc, console_write_and_upcall);
    tcase_add_test(tc, rng_and_low_level_debug);
    tcase_add_test(tc, work_for_restarted_process_is_dropped);
    suite_add_tcase(s, tc);
    return tb_run(s);
}
