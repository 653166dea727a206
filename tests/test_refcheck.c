/* SPDX-License-Identifier: MIT */
/*
 * The reference oracles (refcheck.h): they stay silent on the kernel's own
 * behaviour and report each kind of disagreement with the models.
 */
#include <string.h>

#include "helpers.h"
#include "refcheck.h"
#include "refmodel.h"

static struct fboard fb;

static void setup(void)
{
    fb_init(&fb, NULL, true);
}

static void teardown(void)
{
    fb_free(&fb);
}

static struct gs_kernel *K(void)
{
    return fb.tb.k;
}

static unsigned findings(void)
{
    return fb.tb.rec.findings[GS_FIND_LAYOUT] + fb.tb.rec.findings[GS_FIND_ISOLATION];
}

static struct gs_task fc(uint32_t driver, uint32_t sub, uint32_t a0)
{
    struct gs_task t;

    memset(&t, 0, sizeof(t));
    t.kind = GS_TASK_FUNCTION_CALL;
    t.from_driver = true;
    t.id.driver = driver;
    t.id.subscribe = sub;
    t.a[0] = a0;
    t.pc = 0x30101;
    return t;
}

static struct gs_task rv(uint32_t driver, uint32_t sub, uint32_t a0)
{
    struct gs_task t;

    memset(&t, 0, sizeof(t));
    t.kind = GS_TASK_RETURN_VALUE;
    t.id.driver = driver;
    t.id.subscribe = sub;
    t.a[0] = a0;
    return t;
}

/* A real process lifetime with the oracles on: allocations, a subscribe, a restart. */
START_TEST(silent_on_the_kernel)
{
    struct gs_fake_action a[] = {
        SVC(GS_SYS_MEMOP, 1, 0x400, 0, 0),                   /* sbrk: update_app_memory_region */
        SVC(GS_SYS_COMMAND, GS_TEST_CAPSULE_NUM, 0, 0, 0),   /* allocates the test grant */
        SVC(GS_SYS_SUBSCRIBE, GS_TEST_CAPSULE_NUM, 0, 0, 0), /* null upcall: success */
        SVC(GS_SYS_EXIT, 1, 0, 0, 0),                        /* restart */
    };
    struct gs_process *p = fb_proc(&fb, 2048, "p", a, NACT(a));

    gs_kernel_run(K(), 100000);
    ck_assert_uint_ge(p->restart_count, 1);
    ck_assert_uint_ge(fb.tb.rec.events[GS_EV_GRANT_ALLOCATED], 1);
    ck_assert_uint_eq(findings(), 0);
}
END_TEST

/* A subscribe drops the FunctionCalls of its id and nothing else. */
START_TEST(subscribe_keeps_return_values)
{
    struct gs_process *p = tb_proc(&fb.tb, 2048, "p");
    struct gs_task t1 = fc(GS_TEST_CAPSULE_NUM, 0, 1), t2 = rv(GS_TEST_CAPSULE_NUM, 0, 2);
    struct gs_syscall sc = {.cls = GS_SYS_SUBSCRIBE, .r = {GS_TEST_CAPSULE_NUM, 0, 0, 0}};
    struct gs_task got;

    ck_assert_int_eq(gs_tasks_enqueue(p, &t1), 0);
    ck_assert_int_eq(gs_tasks_enqueue(p, &t2), 0);
    p->ss.psp = p->memory_start; /* a frame for the return value */
    gs_handle_syscall(K(), p, &sc);
    ck_assert_uint_eq(findings(), 0);
    ck_assert_uint_eq(gs_tasks_len(p), 2); /* the init task and the ReturnValue */
    ck_assert(gs_tasks_peek(p, 1, &got));
    ck_assert_int_eq(got.kind, GS_TASK_RETURN_VALUE);

    /* A kernel that had also dropped the ReturnValue: the next syscall sees it. */
    p->tq_tail = (p->tq_tail + GS_CALLBACK_LEN - 1) % GS_CALLBACK_LEN;
    sc.cls = GS_SYS_MEMOP;
    sc.r[0] = 2;
    gs_handle_syscall(K(), p, &sc);
    ck_assert_uint_eq(fb.tb.rec.findings[GS_FIND_LAYOUT], 1);
    ck_assert_str_eq(fb.tb.rec.last_finding_site, "task-queue");
    ck_assert_msg(strstr(fb.tb.rec.last_finding_text, "holds 1 tasks, the model 2"), "%s",
                  fb.tb.rec.last_finding_text);
}
END_TEST

/* A dequeue that takes the wrong task, and a drop from a queue with room. */
START_TEST(wrong_dequeue_and_drop)
{
    struct gs_process *p = tb_proc(&fb.tb, 2048, "p");
    struct gs_task t = fc(0x1, 2, 3), other = rv(0x1, 2, 9);
    struct gs_event ev = {.kind = GS_EV_TASK_DEQUEUED, .p = p, .task = &other};

    ck_assert_int_eq(gs_tasks_enqueue(p, &t), 0);
    gs_kernel_emit(K(), &ev); /* claims to have dequeued a task that is not the head */
    ck_assert_str_eq(fb.tb.rec.last_finding_site, "task-queue");
    ck_assert_msg(strstr(fb.tb.rec.last_finding_text, "dequeued ReturnValue"), "%s",
                  fb.tb.rec.last_finding_text);

    ev.kind = GS_EV_TASK_DROPPED;
    ev.task = &t;
    ev.d = GS_EC_NOMEM;
    gs_kernel_emit(K(), &ev);
    ck_assert_str_eq(fb.tb.rec.last_finding_site, "task-dropped-with-room");
}
END_TEST

/* A grant whose size, alignment or place differ from the models. */
START_TEST(grant_model_mismatch)
{
    struct gs_process *p = tb_proc(&fb.tb, 4096, "p");
    const struct gs_grant *g = gs_kernel_grant_for_driver(K(), GS_TEST_CAPSULE_NUM);
    struct gs_ref_grant_layout l;
    uint32_t kb = p->kernel_break, at;
    struct gs_event ev = {.kind = GS_EV_GRANT_ALLOCATED, .p = p, .a = g->num};

    ck_assert(gs_ref_grant_layout(g->shape.t_size, g->shape.t_align, g->shape.n_upcalls,
                                  g->shape.n_ro, g->shape.n_rw, &l));
    ck_assert(gs_ref_grant_region_alloc(p->app_break, kb, l.size, l.align, &at));
    ev.b = at;
    ev.c = l.size;
    ev.r[0] = kb;
    ev.r[1] = p->app_break;
    gs_kernel_emit(K(), &ev); /* exactly what the models say: silent */
    ck_assert_uint_eq(findings(), 0);

    ev.c = l.size + l.align; /* T one alignment too far */
    gs_kernel_emit(K(), &ev);
    ck_assert_uint_eq(findings(), 1);
    ck_assert_str_eq(fb.tb.rec.last_finding_site, "grant-model");

    ev.c = l.size;
    ev.b = at - 4; /* placed a word too low */
    gs_kernel_emit(K(), &ev);
    ck_assert_uint_eq(findings(), 2);
    ck_assert_str_eq(fb.tb.rec.last_finding_site, "grant-model");

    /* The allocator itself: a refusal of a request the models both accept. */
    ev.kind = GS_EV_GRANT_REGION_ALLOC;
    ev.a = 64;
    ev.b = 4;
    ev.c = 0;
    ev.d = 0;
    gs_kernel_emit(K(), &ev);
    ck_assert_uint_eq(findings(), 3);
    ck_assert_str_eq(fb.tb.rec.last_finding_site, "grant-region-model");
}
END_TEST

/* An MPU call whose result differs from the model's, and one that agrees. */
START_TEST(mpu_model_mismatch)
{
    struct gs_mpu mpu;
    struct gs_mpu_config before, after;
    struct gs_mpu_op op = {.kind = GS_MPU_OP_ALLOCATE_REGION,
                           .args = {0x20004100, 64, 64},
                           .perm = GS_PERM_RW,
                           .before = &before,
                           .after = &after};
    uint32_t s, z;
    char why[256];

    ck_assert_int_eq(gs_mpu_init(&mpu, 8, 32, false), GS_OK);
    ck_assert_int_eq(gs_mpu_new_config(&mpu, &before), GS_OK);
    after = before;
    ck_assert_int_eq(gs_mpu_allocate_region(&mpu, &after, 0x20004100, 64, 64, GS_PERM_RW, &s, &z),
                     GS_OK);
    op.err = GS_OK;
    op.out_start = s;
    op.out_size = z;
    ck_assert_msg(gs_refcheck_mpu_op(&mpu, &op, why, sizeof(why)), "%s", why);

    after.regions[3].rasr ^= 1u << 9; /* one subregion bit flipped */
    ck_assert(!gs_refcheck_mpu_op(&mpu, &op, why, sizeof(why)));
    ck_assert_msg(strstr(why, "region 3"), "%s", why);

    after.regions[3].rasr ^= 1u << 9;
    op.err = GS_E_OUT_OF_MEMORY; /* a refusal where the model allocates */
    ck_assert(!gs_refcheck_mpu_op(&mpu, &op, why, sizeof(why)));
    ck_assert_msg(strstr(why, "gave None, the model Ok"), "%s", why);

    /* Through the kernel's hook: a finding with the call's site. */
    gs_refcheck_mpu_hook(K(), &op);
    ck_assert_str_eq(fb.tb.rec.last_finding_site, "mpu-model-allocate_region");
}
END_TEST

/* Regions 0 and 1 may not enable app memory past the subregion holding the app break. */
START_TEST(mpu_app_slack)
{
    struct gs_process *p = tb_proc(&fb.tb, 2048, "p");
    uint32_t sub = p->memory_len / 16;

    K()->check_invariants = false; /* the checker is called by hand below */
    ck_assert_uint_eq(gs_invariants_check(K(), GS_INV_QUIESCENT), 0);
    /* One subregion more than the app break needs, still below the kernel break. */
    ck_assert_int_eq(gs_mpu_update_app_memory_region(&K()->mpu, &p->mpu_cfg,
                                                     p->memory_start + 2 * sub + 1, p->kernel_break,
                                                     GS_PERM_RW, NULL),
                     GS_OK);
    ck_assert_uint_eq(gs_invariants_check(K(), GS_INV_QUIESCENT), 1);
    ck_assert_str_eq(fb.tb.rec.last_finding_site, "mpu-app-slack");
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("refcheck");
    TCase *tc = tb_tcase("refcheck");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, silent_on_the_kernel);
    tcase_add_test(tc, subscribe_keeps_return_values);
    tcase_add_test(tc, wrong_dequeue_and_drop);
    tcase_add_test(tc, grant_model_mismatch);
    tcase_add_test(tc, mpu_model_mismatch);
    tcase_add_test(tc, mpu_app_slack);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tb_run(suite());
}
