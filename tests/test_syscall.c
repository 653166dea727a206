/* SPDX-License-Identifier: MIT */
/*
 * The 8 syscall classes through the kernel loop and the fake arch: return
 * encodings, order of checks, the bad-buffer matrix, memop, exit, yield,
 * the filter, and faults for undecodable syscalls (TOCK-REFERENCE 3, 1.10-1.13).
 */
#include <string.h>

#include "helpers.h"

#define MEM      GS_FB_MEM
#define APP      GS_FB_APP
#define UPC      GS_FB_UPCALL
#define ABS      GS_FB_ABS
#define TEST     GS_TEST_CAPSULE_NUM
#define BRK(off) SVCB(5, 0, (off), 0, 0, ABS, MEM, ABS, ABS)

static struct fboard fb;

static void setup(void)
{
    fb_init(&fb, NULL, true);
}

static void teardown(void)
{
    fb_free(&fb);
}

static enum gs_run_end run(void)
{
    return gs_kernel_run(fb.tb.k, 2000000);
}

/* Asserts the registers after svc k: all four. */
#define ASSERT_REGS(p, k, a, b, c, d)                                                              \
    do {                                                                                           \
        const struct gs_fake_record *r_ = fb_svc(&fb, (p), (k));                                   \
        ck_assert_msg(r_->r[0] == (uint32_t)(a) && r_->r[1] == (uint32_t)(b) &&                    \
                          r_->r[2] == (uint32_t)(c) && r_->r[3] == (uint32_t)(d),                  \
                      "svc %u (class %u): got %u 0x%x 0x%x 0x%x, want %u 0x%x 0x%x 0x%x",          \
                      (unsigned)(k), r_->cls, r_->r[0], r_->r[1], r_->r[2], r_->r[3],              \
                      (unsigned)(a), (unsigned)(b), (unsigned)(c), (unsigned)(d));                 \
    } while (0)

START_TEST(subscribe_rules)
{
    const struct gs_fake_action a[] = {
        /* 0: first subscribe returns (0, 0); r3 keeps the appdata passed. */
        SVCB(1, TEST, 0, 3, 0xAA, ABS, ABS, UPC, ABS),
        /* 1: swap returns the previous (fn, appdata). */
        SVCB(1, TEST, 0, 4, 0xBB, ABS, ABS, UPC, ABS),
        /* 2: a bad function pointer is refused before the driver is looked up. */
        SVC(1, 0x777, 0, 0x10000001, 0xCC),
        /* 3: missing driver, valid (null) pointer. */
        SVC(1, 0x777, 0, 0, 0xCC),
        /* 4: subscribe number beyond the grant's upcall count. */
        SVCB(1, TEST, 2, 3, 0xDD, ABS, ABS, UPC, ABS),
        /* 5: a function pointer in the TBF header (protected flash) is invalid. */
        SVCB(1, TEST, 0, 0x10, 0xEE, ABS, ABS, ABS, ABS),
    };
    struct gs_process *p = fb_proc(&fb, 1024, "sub", a, NACT(a));
    uint32_t f3 = gs_fake_upcall_fn(p, 3), f4 = gs_fake_upcall_fn(p, 4);

    run();
    ASSERT_REGS(p, 0, 130, 0, 0, 0xAA);
    ASSERT_REGS(p, 1, 130, f3, 0xAA, 0xBB);
    ASSERT_REGS(p, 2, 2, GS_EC_INVAL, 0x10000001, 0xCC);
    ASSERT_REGS(p, 3, 2, GS_EC_NODEVICE, 0, 0xCC);
    ASSERT_REGS(p, 4, 2, GS_EC_NOSUPPORT, f3, 0xDD);
    ck_assert_uint_eq(fb_svc(&fb, p, 5)->r[1], GS_EC_INVAL);
    (void)f4;
    /* The grant was allocated on first use. */
    ck_assert_int_eq(gs_process_lookup_grant(p, TEST), (int)fb.caps.test.drv.grant->num);
    ck_assert_uint_eq(fb.tb.k->findings, 0);
}
END_TEST

/* Subscribe drops pending FunctionCalls of its id on success only; ReturnValues stay. */
START_TEST(subscribe_removes_pending_upcalls)
{
    const struct gs_fake_action a[] = {
        SVCB(1, TEST, 0, 1, 0, ABS, ABS, UPC, ABS), /* 0 */
        SVC(2, TEST, 1, 0, 7),                      /* 1: queue upcall 0 (FunctionCall) */
        SVC(1, TEST, 1, 0, 0),                      /* 2: null upcall 1 */
        SVC(2, TEST, 1, 1, 8),                      /* 3: queue upcall 1 (ReturnValue) */
        SVCB(1, TEST, 5, 1, 0, ABS, ABS, UPC, ABS), /* 4: fails (NOSUPPORT): queue unchanged */
        SVCB(1, TEST, 0, 2, 0, ABS, ABS, UPC, ABS), /* 5: success: FunctionCall removed */
        SVC(0, 2, TEST, 1, 0),                      /* 6: wait-for (TEST,1): the ReturnValue */
    };
    struct gs_process *p = fb_proc(&fb, 1024, "rm", a, NACT(a));

    run();
    ASSERT_REGS(p, 4, 2, GS_EC_NOSUPPORT, gs_fake_upcall_fn(p, 1), 0);
    ASSERT_REGS(p, 5, 130, gs_fake_upcall_fn(p, 1), 0, 0);
    /* The ReturnValue (v = 8, i = 1) survived both subscribes. */
    ck_assert_uint_eq(fb_svc(&fb, p, 6)->r[0], 8);
    ck_assert_uint_eq(fb_svc(&fb, p, 6)->r[1], 1);
    /* No upcall function was ever called. */
    {
        unsigned n;
        const struct gs_fake_record *r = fb_recs(&fb, p, &n);
        for (unsigned i = 0; i < n; i++)
            ck_assert(!r[i].upcall);
    }
}
END_TEST

START_TEST(command_results)
{
    const struct gs_fake_action a[] = {
        SVC(2, 0x777, 0, 1, 2),         /* 0: NODEVICE, r2 r3 untouched */
        SVC(2, TEST, 0, 5, 6),          /* 1: Success: only r0 written */
        SVC(2, TEST, 2, 4, 0xABCD1234), /* 2: store into T */
        SVC(2, TEST, 3, 4, 9),          /* 3: SuccessU32 */
        SVC(2, TEST, 3, 16, 9),         /* 4: out of T: INVAL */
        SVC(2, TEST, 99, 0, 0),         /* 5: NOSUPPORT */
        SVC(2, 0x2, 0, 0, 0),           /* 6: LED count */
        SVC(2, 0x2, 1, 7, 0),           /* 7: bad LED index */
        SVC(2, 0x2, 3, 2, 0),           /* 8: toggle LED 2 */
    };
    struct gs_process *p = fb_proc(&fb, 1024, "cmd", a, NACT(a));

    run();
    ASSERT_REGS(p, 0, 0, GS_EC_NODEVICE, 1, 2);
    ASSERT_REGS(p, 1, 128, 0, 5, 6);
    ASSERT_REGS(p, 3, 129, 0xABCD1234, 4, 9);
    ASSERT_REGS(p, 4, 0, GS_EC_INVAL, 16, 9);
    ASSERT_REGS(p, 5, 0, GS_EC_NOSUPPORT, 0, 0);
    ASSERT_REGS(p, 6, 129, 4, 0, 0);
    ASSERT_REGS(p, 7, 0, GS_EC_INVAL, 7, 0);
    ck_assert(fb.caps.led.on[2]);
}
END_TEST

/*
 * The bad-buffer matrix for RW and RO allow: another process's memory, the
 * grant region, straddling the app break, wrapping, length 0 with a bogus
 * pointer, flash for RW, flash header for RO, and good buffers.
 */
START_TEST(allow_buffer_matrix)
{
    const struct gs_fake_action a[] = {
        BRK(0x400),                                             /* 0 */
        SVCB(3, TEST, 0, 0x100, 0x40, ABS, ABS, MEM, ABS),      /* 1: good RW */
        SVCB(3, TEST, 0, 0x3F0, 0x20, ABS, ABS, MEM, ABS),      /* 2: straddles the break */
        SVCB(3, TEST, 0, 0x3F0, 0x10, ABS, ABS, MEM, ABS),      /* 3: ends at the break: ok */
        SVCB(3, TEST, 1, 0xFFFFFFF0, 0x20, ABS, ABS, ABS, ABS), /* 4: wraps */
        SVCB(3, TEST, 1, 0x12345, 0, ABS, ABS, ABS, ABS),       /* 5: len 0, any pointer */
        SVCB(3, TEST, 1, 0, 0, ABS, ABS, ABS, ABS),      /* 6: returns the stored bogus ptr */
        SVCB(3, TEST, 0, 0x0, 0x10, ABS, ABS, APP, ABS), /* 7: RW in flash: INVAL */
        SVCB(4, TEST, 0, 0x0, 0x10, ABS, ABS, APP, ABS), /* 8: RO in app flash: ok */
        SVCB(4, TEST, 0, (uint32_t)-0x10, 0x10, ABS, ABS, APP, ABS), /* 9: RO in header */
        SVCB(4, TEST, 1, 0x200, 0x10, ABS, ABS, MEM, ABS),           /* 10: RO in RAM */
        SVCB(3, TEST, 1, 0xA00, 0x10, ABS, ABS, MEM, ABS),           /* 11: grant region */
        SVCB(3, TEST, 1, 0x1000, 0x10, ABS, ABS, MEM, ABS),          /* 12: next process's memory */
        SVCB(3, 0x777, 0, 0x100, 0x10, ABS, ABS, MEM, ABS),          /* 13: no driver */
        SVCB(3, TEST, 2, 0x380, 0x10, ABS, ABS, MEM, ABS),           /* 14: bad allow number */
        SVCB(7, TEST, 0, 0x100, 0x10, ABS, ABS, MEM, ABS),           /* 15: userspace readable */
        SVCB(7, 0x777, 0, 0x100, 0x10, ABS, ABS, MEM, ABS),          /* 16 */
        SVCB(7, TEST, 0, 0x500, 0x10, ABS, ABS, MEM, ABS),           /* 17 */
    };
    const struct gs_fake_action b[] = {SVC(0, 1, 0, 0, 0)};
    struct gs_process *p = fb_proc(&fb, 1024, "allow", a, NACT(a));
    struct gs_process *q = fb_proc(&fb, 1024, "other", b, NACT(b));
    uint32_t m = p->memory_start, app = gs_process_app_start(p);

    ck_assert_uint_eq(q->memory_start, m + 0x1000);
    run();
    ASSERT_REGS(p, 1, 130, 0, 0, 0x40);
    ASSERT_REGS(p, 2, 2, GS_EC_INVAL, m + 0x3F0, 0x20);
    ASSERT_REGS(p, 3, 130, m + 0x100, 0x40, 0x10);
    ASSERT_REGS(p, 4, 2, GS_EC_INVAL, 0xFFFFFFF0, 0x20);
    ASSERT_REGS(p, 5, 130, 0, 0, 0);
    ASSERT_REGS(p, 6, 130, 0x12345, 0, 0);
    ASSERT_REGS(p, 7, 2, GS_EC_INVAL, app, 0x10);
    ASSERT_REGS(p, 8, 130, 0, 0, 0x10);
    ASSERT_REGS(p, 9, 2, GS_EC_INVAL, app - 0x10, 0x10);
    ASSERT_REGS(p, 10, 130, 0, 0, 0x10);
    ASSERT_REGS(p, 11, 2, GS_EC_INVAL, m + 0xA00, 0x10);
    ASSERT_REGS(p, 12, 2, GS_EC_INVAL, m + 0x1000, 0x10);
    ASSERT_REGS(p, 13, 2, GS_EC_NODEVICE, m + 0x100, 0x10);
    ASSERT_REGS(p, 14, 2, GS_EC_NOSUPPORT, m + 0x380, 0x10);
    ASSERT_REGS(p, 15, 2, GS_EC_NOSUPPORT, m + 0x100, 0x10);
    ASSERT_REGS(p, 16, 2, GS_EC_NODEVICE, m + 0x100, 0x10);
    ASSERT_REGS(p, 17, 2, GS_EC_INVAL, m + 0x500, 0x10);
    /* The high-water mark: raised by the allow that then failed with NOSUPPORT (14)... */
    ck_assert_uint_eq(p->hwm, m + 0x400);
    ck_assert_uint_eq(fb.tb.k->findings, 0);
}
END_TEST

START_TEST(hwm_raised_even_when_grant_step_fails)
{
    const struct gs_fake_action a[] = {
        BRK(0x400),
        SVCB(3, TEST, 9, 0x300, 0x10, ABS, ABS, MEM, ABS),  /* NOSUPPORT, hwm -> +0x310 */
        BRK(0x308),                                         /* below the hwm: NOMEM */
        BRK(0x310),                                         /* at the hwm: ok */
        SVCB(3, 0x777, 0, 0x380, 0x10, ABS, ABS, MEM, ABS), /* no driver: hwm unchanged */
    };
    struct gs_process *p = fb_proc(&fb, 1024, "hwm", a, NACT(a));

    run();
    ASSERT_REGS(p, 1, 2, GS_EC_NOSUPPORT, p->memory_start + 0x300, 0x10);
    ck_assert_uint_eq(fb_svc(&fb, p, 2)->r[0], 0);
    ck_assert_uint_eq(fb_svc(&fb, p, 2)->r[1], GS_EC_NOMEM);
    ck_assert_uint_eq(fb_svc(&fb, p, 3)->r[0], 128);
    ck_assert_uint_eq(p->hwm, p->memory_start + 0x310);
}
END_TEST

START_TEST(memop_all)
{
    const struct gs_fake_action a[] = {
        SVC(5, 2, 0, 0, 0),
        SVC(5, 3, 0, 0, 0),
        SVC(5, 4, 0, 0, 0),
        SVC(5, 5, 0, 0, 0),
        SVC(5, 6, 0, 0, 0),
        SVC(5, 7, 0, 0, 0),
        SVC(5, 8, 0, 0, 0),
        SVC(5, 9, 1, 0, 0),
        SVCB(5, 1, 0x100, 0, 0, ABS, ABS, ABS, ABS), /* 8: sbrk returns the old break */
        SVCB(5, 1, (uint32_t)-0x80, 0, 0, ABS, ABS, ABS, ABS),
        SVCB(5, 0, 0x2000, 0, 0, ABS, MEM, ABS, ABS), /* 10: past mem end: NOMEM */
        SVCB(5, 10, 0x200, 0, 0, ABS, MEM, ABS, ABS), /* 11: stack start */
        SVCB(5, 11, 0x300, 0, 0, ABS, MEM, ABS, ABS), /* 12: heap start */
        SVC(5, 12, 0, 0, 0),                          /* 13: NOSUPPORT */
    };
    struct gs_process *p = fb_proc(&fb, 1024, "memop", a, NACT(a));
    uint32_t m = p->memory_start;

    run();
    ck_assert_uint_eq(fb_svc(&fb, p, 0)->r[1], m);
    ck_assert_uint_eq(fb_svc(&fb, p, 1)->r[1], m + p->memory_len);
    ck_assert_uint_eq(fb_svc(&fb, p, 2)->r[1], p->app.flash_start);
    ck_assert_uint_eq(fb_svc(&fb, p, 3)->r[1], p->app.flash_start + 0x2000);
    ck_assert_uint_eq(fb_svc(&fb, p, 4)->r[1], p->kernel_break);
    ASSERT_REGS(p, 5, 129, 0, 0, 0);
    ASSERT_REGS(p, 6, 0, GS_EC_FAIL, 0, 0);
    ASSERT_REGS(p, 7, 0, GS_EC_FAIL, 0, 0);
    ASSERT_REGS(p, 8, 129, m + 32, 0, 0);
    ASSERT_REGS(p, 9, 129, m + 0x120, 0, 0);
    ck_assert_uint_eq(fb_svc(&fb, p, 10)->r[1], GS_EC_NOMEM);
    ck_assert_uint_eq(p->stack_start, m + 0x200);
    ck_assert_uint_eq(p->heap_start, m + 0x300);
    ASSERT_REGS(p, 13, 0, GS_EC_NOSUPPORT, 0, 0);
    ck_assert_uint_eq(p->app_break, m + 0xA0);
}
END_TEST

START_TEST(memop_writeable_flash_regions)
{
    static const struct gs_wfr w[2] = {{0x1000, 0x200}, {0x1800, 0}};
    const struct gs_fake_action a[] = {SVC(5, 7, 0, 0, 0), SVC(5, 8, 0, 0, 0), SVC(5, 9, 0, 0, 0),
                                       SVC(5, 8, 1, 0, 0)};
    struct gs_app_info app = tb_app(&fb.tb, 0x2000, 1024, "wfr");
    struct gs_process *p = NULL;

    app.init_fn_offset = gs_fake_init_offset(0);
    app.wfr = w;
    app.nwfr = 2;
    gs_fake_app_image(fb.tb.k, app.flash_start + app.header_size);
    ck_assert_int_eq(gs_process_create(fb.tb.k, &app, &fb.tb.pool_start, &fb.tb.pool_len, &p),
                     GS_OK);
    gs_fake_script(fb.fake, p->index, a, NACT(a));
    run();
    ck_assert_uint_eq(fb_svc(&fb, p, 0)->r[1], 2);
    ck_assert_uint_eq(fb_svc(&fb, p, 1)->r[1], app.flash_start + 0x1000); /* from the TBF start */
    ck_assert_uint_eq(fb_svc(&fb, p, 2)->r[1], app.flash_start + 0x1200);
    ASSERT_REGS(p, 3, 0, GS_EC_FAIL, 0, 0); /* size 0; r2 untouched */
}
END_TEST

START_TEST(exit_terminate_restart_and_invalid)
{
    const struct gs_fake_action a[] = {SVC(6, 7, 0, 0, 0), SVC(6, 0, 42, 0, 0)};
    const struct gs_fake_action b[] = {SVC(2, TEST, 0, 0, 0), SVC(6, 1, 5, 0, 0)};
    struct gs_process *p = fb_proc(&fb, 1024, "exit", a, NACT(a));
    struct gs_process *q = fb_proc(&fb, 1024, "restart", b, NACT(b));

    gs_kernel_run(fb.tb.k, 200000);
    ASSERT_REGS(p, 0, 0, GS_EC_NOSUPPORT, 0, 0);
    ck_assert_int_eq(p->state, GS_ST_TERMINATED);
    ck_assert(p->has_completion && p->completion_some);
    ck_assert_uint_eq(p->completion_code, 42);
    /* The restarting process runs its script again and again. */
    ck_assert_uint_gt(q->restart_count, 3);
    ck_assert_uint_eq(q->completion_code, 5);
    ck_assert_int_ne(q->state, GS_ST_TERMINATED);
}
END_TEST

START_TEST(yield_variants)
{
    const struct gs_fake_action a[] = {
        BRK(0x400),
        SVCB(0, 0, 0x100, 0, 0, ABS, MEM, ABS, ABS),   /* 1: no-wait, empty: writes 0, returns */
        SVCB(1, TEST, 0, 2, 0x5A, ABS, ABS, UPC, ABS), /* 2 */
        SVC(2, TEST, 1, 0, 11),                        /* 3: queue an upcall */
        SVCB(0, 0, 0x101, 0, 0, ABS, MEM, ABS, ABS),   /* 4: no-wait, 1 task: writes 1, blocks */
        SVC(2, TEST, 1, 0, 12),                        /* 5 */
        SVC(0, 2, TEST, 0, 0),                         /* 6: wait-for: args, no call */
        SVCB(0, 0, 0x5000, 0, 0, ABS, MEM, ABS, ABS),  /* 7: pointer not app-owned: no write */
        SVC(0, 1, 0, 0, 0),                            /* 8: wait: blocks forever */
    };
    struct gs_process *p = fb_proc(&fb, 1024, "yield", a, NACT(a));
    uint8_t *ram;
    unsigned n, ups = 0;
    const struct gs_fake_record *r;

    run();
    ram = gs_mem_host_ptr(&fb.tb.mem, p->memory_start, 0x200);
    ck_assert_uint_eq(ram[0x100], 0);
    ck_assert_uint_eq(ram[0x101], 1);
    /* No-wait leaves r0..r3 unchanged when nothing was pending. */
    ASSERT_REGS(p, 1, 0, p->memory_start + 0x100, 0, 0);
    /* Wait-for returned the upcall's arguments (v, i, 0) without calling it. */
    ck_assert_uint_eq(fb_svc(&fb, p, 6)->r[0], 12);
    ck_assert_uint_eq(fb_svc(&fb, p, 6)->r[1], 0);
    /* Exactly one upcall was delivered as a function call: during the no-wait (4). */
    r = fb_recs(&fb, p, &n);
    for (unsigned i = 0; i < n; i++) {
        if (!r[i].upcall)
            continue;
        ups++;
        ck_assert_uint_eq(r[i].fn, gs_fake_upcall_fn(p, 2));
        ck_assert_uint_eq(r[i].r[0], 11);
        ck_assert_uint_eq(r[i].r[3], 0x5A);
        ck_assert_uint_eq(r[i].step, 4);
    }
    ck_assert_uint_eq(ups, 1);
    ck_assert_int_eq(p->state, GS_ST_YIELDED);
}
END_TEST

START_TEST(yield_wait_ignores_null_upcalls)
{
    const struct gs_fake_action a[] = {
        SVC(2, TEST, 1, 0, 1), /* null upcall 0: a ReturnValue */
        SVC(0, 1, 0, 0, 0),    /* wait: the ReturnValue is dropped; stays asleep */
    };
    struct gs_process *p = fb_proc(&fb, 1024, "null", a, NACT(a));
    unsigned n;

    ck_assert_int_eq(run(), GS_RUN_IDLE);
    ck_assert_int_eq(p->state, GS_ST_YIELDED);
    ck_assert_uint_eq(gs_tasks_len(p), 0);
    fb_recs(&fb, p, &n);
    ck_assert_uint_eq(n, 1); /* only the command came back */
}
END_TEST

START_TEST(invalid_class_and_yield_variant_fault)
{
    const struct gs_fake_action a[] = {SVC(8, 0, 0, 0, 0)};
    const struct gs_fake_action b[] = {SVC(0, 3, 0, 0, 0)};
    struct gs_process *p = fb_proc(&fb, 1024, "c8", a, NACT(a));
    struct gs_process *q = fb_proc(&fb, 1024, "y3", b, NACT(b));

    p->fault_policy = GS_FP_STOP;
    q->fault_policy = GS_FP_STOP;
    run();
    ck_assert_int_eq(p->state, GS_ST_FAULTED);
    ck_assert_int_eq(q->state, GS_ST_FAULTED);
    ck_assert_uint_eq(fb.tb.rec.events[GS_EV_FAULT], 2);
}
END_TEST

START_TEST(invalid_yield_returns_in_22)
{
    struct gs_kernel_config c;
    const struct gs_fake_action b[] = {SVC(0, 3, 0x11, 0x22, 0x33), SVC(2, TEST, 0, 0, 0)};
    struct gs_process *q;

    fb_free(&fb);
    gs_kernel_config_default(&c);
    c.profile = GS_PROFILE_2_2;
    fb_init(&fb, &c, true);
    q = fb_proc(&fb, 1024, "y3", b, NACT(b));
    q->fault_policy = GS_FP_STOP;
    run();
    ASSERT_REGS(q, 0, 3, 0x11, 0x22, 0x33); /* returned unchanged */
    ck_assert_uint_eq(fb_svc(&fb, q, 1)->r[0], 128);
    ck_assert_int_ne(q->state, GS_ST_FAULTED);
}
END_TEST

START_TEST(queue_full_drops_new_tasks)
{
    const struct gs_fake_action a[] = {
        SVCB(1, TEST, 0, 1, 0, ABS, ABS, UPC, ABS),
        SVC(2, TEST, 8, 12, 0), /* schedule 12 upcalls: 9 fit */
        SVC(2, TEST, 1, 0, 1),  /* one more: NOMEM (QueueFull) */
    };
    struct gs_process *p = fb_proc(&fb, 1024, "flood", a, NACT(a));

    run();
    ASSERT_REGS(p, 1, 129, 9, 12, 0);
    ASSERT_REGS(p, 2, 0, GS_EC_NOMEM, 0, 1);
    ck_assert_uint_eq(p->dropped_upcalls, 4);
}
END_TEST

START_TEST(filter_gives_plain_failure)
{
    /* Permissions: driver TEST offset 0 allows command 0 only; driver 1 listed. */
    static const uint8_t perms[2 + 32] = {
        2,    0,                                                    /* count */
        0x00, 0x00, 0x09, 0x00, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, /* TEST, off 0, mask 1 */
        0x01, 0x00, 0x00, 0x00, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* console, off 1 */
    };
    const struct gs_fake_action a[] = {
        SVC(2, TEST, 0, 0, 0),  /* allowed */
        SVC(2, TEST, 1, 5, 6),  /* bit 1 clear: NODEVICE, r2 r3 untouched */
        SVC(2, 0x1, 0, 0, 0),   /* driver listed for offset 1 only: mask 0 -> NODEVICE */
        SVC(1, 0x1, 1, 0, 0x9), /* subscribe: listed -> allowed */
        SVC(1, 0x2, 0, 0, 0x9), /* not listed: plain Failure(NODEVICE) */
        SVC(5, 2, 0, 0, 0),     /* memop is not filtered */
    };
    struct gs_app_info app = tb_app(&fb.tb, 0x2000, 1024, "perm");
    struct gs_process *p = NULL;

    app.init_fn_offset = gs_fake_init_offset(0);
    app.has_perms = true;
    app.perms = perms;
    app.perms_len = sizeof(perms);
    gs_fake_app_image(fb.tb.k, app.flash_start + app.header_size);
    ck_assert_int_eq(gs_process_create(fb.tb.k, &app, &fb.tb.pool_start, &fb.tb.pool_len, &p),
                     GS_OK);
    gs_fake_script(fb.fake, p->index, a, NACT(a));
    gs_kernel_set_filter(fb.tb.k, gs_filter_tbf_permissions, NULL);
    run();
    ASSERT_REGS(p, 0, 128, 0, 0, 0);
    ASSERT_REGS(p, 1, 0, GS_EC_NODEVICE, 5, 6);
    ASSERT_REGS(p, 2, 0, GS_EC_NODEVICE, 0, 0);
    ck_assert_uint_eq(fb_svc(&fb, p, 3)->r[0], 130);
    ASSERT_REGS(p, 4, 0, GS_EC_NODEVICE, 0, 9);
    ck_assert_uint_eq(fb_svc(&fb, p, 5)->r[0], 129);
}
END_TEST

/* A stack pointer below memory_start makes the svc's exception entry fault (MPU). */
START_TEST(bad_stack_faults)
{
    const struct gs_fake_action a[] = {
        {.op = GS_FAKE_SET_SP, .r = {0x10}, .base = {MEM}},
        SVC(2, TEST, 0, 0, 0),
    };
    struct gs_process *p = fb_proc(&fb, 1024, "sp", a, NACT(a));

    p->fault_policy = GS_FP_STOP;
    run();
    ck_assert_int_eq(p->state, GS_ST_FAULTED);
    ck_assert_uint_eq(fb.tb.rec.events[GS_EV_FAULT], 1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("syscall");
    TCase *tc = tb_tcase("syscall");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, subscribe_rules);
    tcase_add_test(tc, subscribe_removes_pending_upcalls);
    tcase_add_test(tc, command_results);
    tcase_add_test(tc, allow_buffer_matrix);
    tcase_add_test(tc, hwm_raised_even_when_grant_step_fails);
    tcase_add_test(tc, memop_all);
    tcase_add_test(tc, memop_writeable_flash_regions);
    tcase_add_test(tc, exit_terminate_restart_and_invalid);
    tcase_add_test(tc, yield_variants);
    tcase_add_test(tc, yield_wait_ignores_null_upcalls);
    tcase_add_test(tc, invalid_class_and_yield_variant_fault);
    tcase_add_test(tc, invalid_yield_returns_in_22);
    tcase_add_test(tc, queue_full_drops_new_tasks);
    tcase_add_test(tc, filter_gives_plain_failure);
    tcase_add_test(tc, bad_stack_faults);
    suite_add_tcase(s, tc);
    return tb_run(s);
}
