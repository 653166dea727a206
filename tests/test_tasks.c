/* SPDX-License-Identifier: MIT */
/* The task ring in process RAM (TOCK-REFERENCE 4.1-4.3, 1.11). */
#include <string.h>

#include "helpers.h"

static struct tboard tb;
static struct gs_process *p;

static void setup(void)
{
    tb_init(&tb, NULL);
    p = tb_proc(&tb, 1024, "t");
    gs_tasks_empty(p); /* drop the init task */
}

static void teardown(void)
{
    tb_free(&tb);
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
    t.a[3] = 0xAD;
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

START_TEST(nine_usable_slots_then_drop)
{
    struct gs_task t;

    for (unsigned i = 0; i < 9; i++) {
        struct gs_task x = fc(1, 1, i);
        ck_assert_int_eq(gs_tasks_enqueue(p, &x), 0);
    }
    ck_assert_uint_eq(gs_tasks_len(p), 9);
    t = fc(1, 1, 99);
    ck_assert_int_eq(gs_tasks_enqueue(p, &t), GS_EC_NOMEM);
    ck_assert_uint_eq(p->dropped_upcalls, 1);
    ck_assert_uint_eq(tb.rec.events[GS_EV_TASK_DROPPED], 1);
    /* FIFO, and the oldest was not evicted. */
    for (unsigned i = 0; i < 9; i++) {
        ck_assert(gs_tasks_dequeue(p, &t));
        ck_assert_uint_eq(t.a[0], i);
    }
    ck_assert(!gs_tasks_dequeue(p, &t));
}
END_TEST

START_TEST(slot_encoding_in_ram)
{
    struct gs_task t = fc(0x40001, 3, 7), ipc, back;

    ck_assert_int_eq(gs_tasks_enqueue(p, &t), 0);
    ck_assert_uint_eq(gs_kload32(tb.k, p->taskq + 0), 1); /* Driver FunctionCall tag */
    ck_assert_uint_eq(gs_kload32(tb.k, p->taskq + 4), 0x40001);
    ck_assert_uint_eq(gs_kload32(tb.k, p->taskq + 8), 3);
    ck_assert_uint_eq(gs_kload32(tb.k, p->taskq + 12), 7);
    ck_assert_uint_eq(gs_kload32(tb.k, p->taskq + 24), 0xAD);
    ck_assert_uint_eq(gs_kload32(tb.k, p->taskq + 28), 0x30101);
    memset(&ipc, 0, sizeof(ipc));
    ipc.kind = GS_TASK_IPC;
    ipc.ipc_from.index = 2;
    ipc.ipc_from.id = 5;
    ipc.ipc_type = GS_IPC_CLIENT;
    ck_assert_int_eq(gs_tasks_enqueue(p, &ipc), 0);
    ck_assert_uint_eq(gs_kload32(tb.k, p->taskq + 32), 3);
    ck_assert(gs_tasks_peek(p, 1, &back));
    ck_assert_int_eq(back.kind, GS_TASK_IPC);
    ck_assert_uint_eq(back.ipc_from.index, 2);
    ck_assert_uint_eq(back.ipc_from.id, 5);
    ck_assert_int_eq(back.ipc_type, GS_IPC_CLIENT);
    ck_assert_uint_eq(tb.rec.findings[GS_FIND_OWNERSHIP], 0);
}
END_TEST

START_TEST(remove_upcall_shifts_and_wraps)
{
    struct gs_task t, got;

    /* Move head to slot 7 so the queue wraps around the end of the ring. */
    for (unsigned i = 0; i < 7; i++) {
        t = rv(9, 9, i);
        gs_tasks_enqueue(p, &t);
        gs_tasks_dequeue(p, &t);
    }
    for (unsigned i = 0; i < 6; i++) {
        t = (i == 2 || i == 4) ? rv(1, 2, i) : fc(1, 1, i);
        ck_assert_int_eq(gs_tasks_enqueue(p, &t), 0);
    }
    /* First ReturnValue(1,2) is i = 2. */
    ck_assert(gs_tasks_remove_upcall(p, (struct gs_upcall_id){1, 2}, &got));
    ck_assert_uint_eq(got.a[0], 2);
    ck_assert_uint_eq(gs_tasks_len(p), 5);
    {
        static const uint32_t order[] = {0, 1, 3, 4, 5};
        for (unsigned i = 0; i < 5; i++) {
            ck_assert(gs_tasks_peek(p, i, &t));
            ck_assert_uint_eq(t.a[0], order[i]);
        }
    }
    ck_assert(!gs_tasks_remove_upcall(p, (struct gs_upcall_id){7, 7}, &got));
}
END_TEST

START_TEST(remove_pending_keeps_return_values)
{
    struct gs_task t;
    struct gs_upcall_id id = {1, 1};

    t = fc(1, 1, 0);
    gs_tasks_enqueue(p, &t);
    t = rv(1, 1, 1);
    gs_tasks_enqueue(p, &t);
    t = fc(2, 1, 2);
    gs_tasks_enqueue(p, &t);
    t = fc(1, 1, 3);
    gs_tasks_enqueue(p, &t);
    ck_assert_uint_eq(gs_tasks_remove_pending_upcalls(p, id), 2);
    ck_assert_uint_eq(gs_tasks_len(p), 2);
    ck_assert(gs_tasks_peek(p, 0, &t));
    ck_assert_int_eq(t.kind, GS_TASK_RETURN_VALUE);
    ck_assert(gs_tasks_peek(p, 1, &t));
    ck_assert_uint_eq(t.id.driver, 2);
}
END_TEST

START_TEST(not_running_gives_nodevice)
{
    struct gs_task t = fc(1, 1, 0);

    gs_process_terminate(p, false, 0);
    ck_assert_int_eq(gs_tasks_enqueue(p, &t), GS_EC_NODEVICE);
    ck_assert_uint_eq(p->dropped_upcalls, 1);
}
END_TEST

/* HEAD quirk (PR #4692): the ready flag is overwritten by every later matching-kind task. */
START_TEST(yield_for_flag_overwrite_quirk)
{
    struct gs_task t;
    struct gs_upcall_id want = {1, 1};

    gs_process_set_state(p, GS_ST_RUNNING);
    gs_process_set_yielded_for(p, want);
    ck_assert(!gs_process_ready(p));
    t = rv(1, 1, 0);
    gs_tasks_enqueue(p, &t);
    ck_assert(gs_process_ready(p));
    t = fc(2, 0, 0); /* an unrelated driver upcall clears the flag */
    gs_tasks_enqueue(p, &t);
    ck_assert(!gs_process_ready(p));
    /* An IPC task leaves it alone. */
    memset(&t, 0, sizeof(t));
    t.kind = GS_TASK_IPC;
    gs_tasks_enqueue(p, &t);
    ck_assert(!gs_process_ready(p));
    /* Recomputed on resume from Stopped. */
    gs_process_stop(p);
    gs_process_resume(p);
    ck_assert(gs_process_ready(p));
}
END_TEST

START_TEST(ready_in_22_profile)
{
    struct gs_kernel_config c;
    struct gs_task t;

    tb_free(&tb);
    gs_kernel_config_default(&c);
    c.profile = GS_PROFILE_2_2;
    tb_init(&tb, &c);
    p = tb_proc(&tb, 1024, "t");
    gs_tasks_empty(p);
    gs_process_set_state(p, GS_ST_RUNNING);
    gs_process_set_yielded_for(p, (struct gs_upcall_id){1, 1});
    ck_assert(!gs_process_ready(p));
    t = fc(2, 0, 0); /* 2.2: any queued task makes the process ready */
    gs_tasks_enqueue(p, &t);
    ck_assert(gs_process_ready(p));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("tasks");
    TCase *tc = tb_tcase("tasks");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, nine_usable_slots_then_drop);
    tcase_add_test(tc, slot_encoding_in_ram);
    tcase_add_test(tc, remove_upcall_shifts_and_wraps);
    tcase_add_test(tc, remove_pending_keeps_return_values);
    tcase_add_test(tc, not_running_gives_nodevice);
    tcase_add_test(tc, yield_for_flag_overwrite_quirk);
    tcase_add_test(tc, ready_in_22_profile);
    suite_add_tcase(s, tc);
    return tb_run(s);
}
