/* SPDX-License-Identifier: MIT */
/* IPC (TOCK-REFERENCE section 5) through the kernel loop and the fake arch. */
#include <string.h>

#include "helpers.h"

#define MEM      GS_FB_MEM
#define APP      GS_FB_APP
#define UPC      GS_FB_UPCALL
#define ABS      GS_FB_ABS
#define IPC      GS_IPC_DRIVER_NUM
#define BRK(off) SVCB(5, 0, (off), 0, 0, ABS, MEM, ABS, ABS)
/* Names live in each app's flash at app_start + NAME_OFF. */
#define NAME_OFF 0x300
/* Sleep: a 1-tick alarm, then wait-for it (null upcall): the others get the CPU. */
#define SLEEP SVC(2, 0x0, 5, 1, 0), SVC(0, 2, 0x0, 0, 0)

static struct fboard fb;

static void setup(void)
{
    fb_init(&fb, NULL, true);
}

static void teardown(void)
{
    fb_free(&fb);
}

static unsigned upcalls(const struct gs_process *p, const struct gs_fake_record **first)
{
    unsigned n, k = 0;
    const struct gs_fake_record *r = fb_recs(&fb, p, &n);

    *first = NULL;
    for (unsigned i = 0; i < n; i++) {
        if (r[i].upcall) {
            if (!*first)
                *first = &r[i];
            k++;
        }
    }
    return k;
}

START_TEST(discover_by_name)
{
    const struct gs_fake_action svc[] = {SVC(0, 1, 0, 0, 0)};
    const struct gs_fake_action cli[] = {
        SVCB(4, IPC, 0, NAME_OFF, 11, ABS, ABS, APP, ABS),     /* "org.example" */
        SVC(2, IPC, 1, 0, 0),                                  /* 1: the service */
        SVCB(4, IPC, 0, NAME_OFF, 3, ABS, ABS, APP, ABS),      /* "org": no such name */
        SVC(2, IPC, 1, 0, 0),                                  /* 3 */
        SVCB(4, IPC, 0, NAME_OFF + 16, 6, ABS, ABS, APP, ABS), /* "client": itself */
        SVC(2, IPC, 1, 0, 0),                                  /* 5 */
        SVCB(4, IPC, 0, 0, 0, ABS, ABS, ABS, ABS),             /* empty */
        SVC(2, IPC, 1, 0, 0),                                  /* 7: matches the nameless */
        SVC(2, IPC, 0, 0, 0),                                  /* 9 exists */
        SVC(2, IPC, 9, 0, 0),                                  /* 10 */
    };
    struct gs_process *s = fb_proc(&fb, 1024, "org.example", svc, NACT(svc));
    struct gs_process *c = fb_proc(&fb, 1024, "client", cli, NACT(cli));
    struct gs_process *z = fb_proc(&fb, 1024, NULL, svc, NACT(svc));
    uint8_t *f = gs_mem_host_ptr(&fb.tb.mem, gs_process_app_start(c) + NAME_OFF, 32);

    (void)s;
    memcpy(f, "org.example\0\0\0\0\0client", 22);
    gs_kernel_run(fb.tb.k, 1000000);
    ck_assert_uint_eq(fb_svc(&fb, c, 1)->r[0], 129);
    ck_assert_uint_eq(fb_svc(&fb, c, 1)->r[1], 0);
    ck_assert_uint_eq(fb_svc(&fb, c, 3)->r[0], 0);
    ck_assert_uint_eq(fb_svc(&fb, c, 3)->r[1], GS_EC_NODEVICE);
    ck_assert_uint_eq(fb_svc(&fb, c, 5)->r[1], 1);
    ck_assert_uint_eq(fb_svc(&fb, c, 7)->r[0], 129);
    ck_assert_uint_eq(fb_svc(&fb, c, 7)->r[1], z->index);
    ck_assert_uint_eq(fb_svc(&fb, c, 8)->r[0], 128);
    ck_assert_uint_eq(fb_svc(&fb, c, 9)->r[1], GS_EC_NOSUPPORT);
}
END_TEST

/*
 * Client 1 shares a 64-byte buffer with service 0 and notifies it; the service's
 * upcall gets (client index, len, ptr) and the buffer is mapped into the service's
 * MPU config (region 3) and never removed.
 */
START_TEST(notify_service_shares_buffer)
{
    const struct gs_fake_action svc[] = {
        SVCB(1, IPC, 0, 1, 0x77, ABS, ABS, UPC, ABS), /* subscribe to its own index */
        SVC(0, 1, 0, 0, 0),
        SVC(2, IPC, 3, 1, 0), /* 2: notify the client back */
        SVC(0, 1, 0, 0, 0),
    };
    const struct gs_fake_action cli[] = {
        BRK(0x400),
        SVCB(1, IPC, 0, 2, 0x88, ABS, ABS, UPC, ABS),   /* client upcall for service 0 */
        SVCB(3, IPC, 0, 0x100, 64, ABS, ABS, MEM, ABS), /* share with process 0 */
        SVC(2, IPC, 2, 0, 0),                           /* notify service 0 */
        SVC(0, 1, 0, 0, 0),
    };
    struct gs_process *s = fb_proc(&fb, 1024, "svc", svc, NACT(svc));
    struct gs_process *c = fb_proc(&fb, 1024, "cli", cli, NACT(cli));
    const struct gs_fake_record *u;

    gs_kernel_run(fb.tb.k, 1000000);
    ck_assert_uint_eq(fb_svc(&fb, c, 3)->r[0], 128);
    ck_assert_uint_eq(upcalls(s, &u), 1);
    ck_assert_uint_eq(u->fn, gs_fake_upcall_fn(s, 1));
    ck_assert_uint_eq(u->r[0], c->index);
    ck_assert_uint_eq(u->r[1], 64);
    ck_assert_uint_eq(u->r[2], c->memory_start + 0x100);
    ck_assert_uint_eq(u->r[3], 0x77);
    /* Region 3 of the service maps exactly the client's buffer. */
    ck_assert(s->mpu_cfg.regions[3].used);
    ck_assert_uint_eq(s->mpu_cfg.regions[3].start, c->memory_start + 0x100);
    ck_assert_uint_eq(s->mpu_cfg.regions[3].size, 64);
    /* The client got its upcall: (service index, 0, 0) — the service shared nothing. */
    ck_assert_uint_eq(upcalls(c, &u), 1);
    ck_assert_uint_eq(u->r[0], s->index);
    ck_assert_uint_eq(u->r[1], 0);
    ck_assert_uint_eq(u->r[2], 0);
    ck_assert_uint_eq(u->r[3], 0x88);
    ck_assert_uint_eq(fb.tb.rec.events[GS_EV_IPC_DISPATCH], 2);
    /* Never removed: the client terminating leaves the region in the service's config. */
    gs_process_terminate(c, false, 0);
    ck_assert(s->mpu_cfg.regions[3].used);
    ck_assert_uint_eq(tb_check(&fb.tb), 0);
    /* Restarting the service resets its MPU config, but not the 6-entry cache. */
    gs_process_try_restart(s, false, 0);
    ck_assert(!s->mpu_cfg.regions[3].used);
    ck_assert(s->mpu_region_used[0]);
}
END_TEST

/* A buffer the MPU cannot map (#1993): the notify succeeds, the upcall says so, no region. */
START_TEST(unmappable_and_unshared_buffers)
{
    const struct gs_fake_action svc[] = {
        SVCB(1, IPC, 0, 1, 0, ABS, ABS, UPC, ABS),
        SVC(0, 1, 0, 0, 0),
        SVC(0, 1, 0, 0, 0),
        SVC(0, 1, 0, 0, 0),
    };
    const struct gs_fake_action cli[] = {
        BRK(0x400),
        SVCB(3, IPC, 0, 0x104, 10, ABS, ABS, MEM, ABS), /* unaligned 10 bytes */
        SVC(2, IPC, 2, 0, 0),
        SLEEP,
        SVCB(3, IPC, 0, 0x200, 0, ABS, ABS, MEM, ABS), /* zero-length: (0, 0) */
        SVC(2, IPC, 2, 0, 0),
        SLEEP,
        SVC(2, IPC, 2, 5, 0), /* 9: no process 5: INVAL */
    };
    struct gs_process *s = fb_proc(&fb, 1024, "svc", svc, NACT(svc));
    struct gs_process *c = fb_proc(&fb, 1024, "cli", cli, NACT(cli));
    unsigned n, k = 0;
    const struct gs_fake_record *r;

    gs_kernel_run(fb.tb.k, 1000000);
    r = fb_recs(&fb, s, &n);
    for (unsigned i = 0; i < n; i++) {
        if (!r[i].upcall)
            continue;
        if (k == 0) {
            ck_assert_uint_eq(r[i].r[1], 10);
            ck_assert_uint_eq(r[i].r[2], c->memory_start + 0x104);
        } else {
            ck_assert_uint_eq(r[i].r[1], 0);
            ck_assert_uint_eq(r[i].r[2], 0);
        }
        k++;
    }
    ck_assert_uint_eq(k, 2);
    for (unsigned i = 3; i < 8; i++)
        ck_assert(!s->mpu_cfg.regions[i].used);
    ck_assert_uint_eq(fb_svc(&fb, c, 9)->r[1], GS_EC_INVAL);
}
END_TEST

START_TEST(self_notify_is_dropped)
{
    const struct gs_fake_action a[] = {
        SVCB(1, IPC, 0, 1, 0, ABS, ABS, UPC, ABS),
        SVC(2, IPC, 2, 0, 0), /* notify itself: Success, but dispatch refuses */
        SVC(0, 1, 0, 0, 0),
    };
    struct gs_process *p = fb_proc(&fb, 1024, "self", a, NACT(a));
    const struct gs_fake_record *u;

    ck_assert_int_eq(gs_kernel_run(fb.tb.k, 1000000), GS_RUN_IDLE);
    ck_assert_uint_eq(fb_svc(&fb, p, 1)->r[0], 128);
    ck_assert_uint_eq(upcalls(p, &u), 0);
    ck_assert_uint_eq(fb.tb.rec.events[GS_EV_IPC_DISPATCH], 0);
    ck_assert(!fb.tb.k->panicked);
}
END_TEST

/* IPC tasks wait while the target is YieldedFor: they never match a wait-for. */
START_TEST(ipc_task_waits_for_yielded_state)
{
    const struct gs_fake_action svc[] = {
        SVCB(1, IPC, 0, 1, 0, ABS, ABS, UPC, ABS),
        SVC(0, 2, 0x1234, 0, 0), /* wait-for something that never comes */
    };
    const struct gs_fake_action cli[] = {SVC(2, IPC, 2, 0, 0), SVC(0, 1, 0, 0, 0)};
    struct gs_process *s = fb_proc(&fb, 1024, "svc", svc, NACT(svc));
    struct gs_process *c = fb_proc(&fb, 1024, "cli", cli, NACT(cli));
    const struct gs_fake_record *u;

    ck_assert_int_eq(gs_kernel_run(fb.tb.k, 1000000), GS_RUN_IDLE);
    ck_assert_int_eq(s->state, GS_ST_YIELDED_FOR);
    ck_assert_uint_eq(gs_tasks_len(s), 1);
    ck_assert_uint_eq(upcalls(s, &u), 0);
    (void)c;
}
END_TEST

START_TEST(notify_terminated_target_nodevice)
{
    const struct gs_fake_action dead[] = {SVC(6, 0, 0, 0, 0)};
    const struct gs_fake_action cli[] = {SPIN(100), SVC(2, IPC, 2, 0, 0), SVC(2, IPC, 3, 0, 0)};
    struct gs_process *d = fb_proc(&fb, 1024, "dead", dead, NACT(dead));
    struct gs_process *c = fb_proc(&fb, 1024, "cli", cli, NACT(cli));

    gs_kernel_run(fb.tb.k, 1000000);
    ck_assert_int_eq(d->state, GS_ST_TERMINATED);
    ck_assert_uint_eq(fb_svc(&fb, c, 0)->r[1], GS_EC_NODEVICE);
    ck_assert_uint_eq(fb_svc(&fb, c, 1)->r[1], GS_EC_NODEVICE);
}
END_TEST

/* Six regions fill regions 3..7 of an 8-region MPU: the sixth buffer is silently unmapped. */
START_TEST(mpu_regions_run_out)
{
    struct gs_fake_action cli[40];
    const struct gs_fake_action svc[] = {
        SVCB(1, IPC, 0, 1, 0, ABS, ABS, UPC, ABS),
        SVC(0, 1, 0, 0, 0),
        SVC(0, 1, 0, 0, 0),
        SVC(0, 1, 0, 0, 0),
        SVC(0, 1, 0, 0, 0),
        SVC(0, 1, 0, 0, 0),
        SVC(0, 1, 0, 0, 0),
        SVC(0, 1, 0, 0, 0),
    };
    struct gs_process *s;
    unsigned n = 0, used = 0;

    cli[n++] = (struct gs_fake_action)BRK(0x800);
    for (unsigned i = 0; i < 6; i++) {
        cli[n++] =
            (struct gs_fake_action)SVCB(3, IPC, 0, 0x100 + 0x100 * i, 64, ABS, ABS, MEM, ABS);
        cli[n++] = (struct gs_fake_action)SVC(2, IPC, 2, 0, 0);
        cli[n++] = (struct gs_fake_action)SVC(2, 0x0, 5, 1, 0);
        cli[n++] = (struct gs_fake_action)SVC(0, 2, 0x0, 0, 0);
    }
    s = fb_proc(&fb, 1024, "svc", svc, NACT(svc));
    fb_proc(&fb, 4096, "cli", cli, n);
    gs_kernel_run(fb.tb.k, 2000000);
    for (unsigned i = 3; i < 8; i++)
        used += s->mpu_cfg.regions[i].used;
    ck_assert_uint_eq(used, 5);
    ck_assert_uint_eq(fb.tb.rec.events[GS_EV_IPC_DISPATCH], 6);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ipc");
    TCase *tc = tb_tcase("ipc");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, discover_by_name);
    tcase_add_test(tc, notify_service_shares_buffer);
    tcase_add_test(tc, unmappable_and_unshared_buffers);
    tcase_add_test(tc, self_notify_is_dropped);
    tcase_add_test(tc, ipc_task_waits_for_yielded_state);
    tcase_add_test(tc, notify_terminated_target_nodevice);
    tcase_add_test(tc, mpu_regions_run_out);
    suite_add_tcase(s, tc);
    return tb_run(s);
}
