/* SPDX-License-Identifier: MIT */
/*
 * The layout and isolation oracles: each planted violation must be found,
 * and a healthy board must give none.
 */
#include <string.h>

#include "helpers.h"

static struct tboard tb;

static void setup(void)
{
    tb_init(&tb, NULL);
    tb.k->check_invariants = false; /* these tests call the checker themselves */
}

static void teardown(void)
{
    tb_free(&tb);
}

static struct gs_process *with_grant(struct gs_grant_ctx *ctx)
{
    struct gs_process *p;

    tb_grants(&tb, 2);
    p = tb_proc(&tb, 2048, "inv");
    ck_assert_int_eq(gs_grant_enter(gs_kernel_grant(tb.k, 0), p->pid, ctx), GS_OK);
    gs_grant_leave(ctx);
    return p;
}

START_TEST(healthy_board_is_quiet)
{
    struct gs_grant_ctx ctx;

    with_grant(&ctx);
    tb_proc(&tb, 4096, "second");
    ck_assert_uint_eq(tb_check(&tb), 0);
    ck_assert_uint_eq(tb.k->findings, 0);
}
END_TEST

START_TEST(finds_break_above_kernel_break)
{
    struct gs_grant_ctx ctx;
    struct gs_process *p = with_grant(&ctx);

    p->app_break = p->kernel_break + 4;
    ck_assert_uint_ge(tb_check(&tb), 1);
    ck_assert_str_eq(tb.rec.last_finding_site, "memory-order");
}
END_TEST

START_TEST(finds_allow_above_break_1141)
{
    struct gs_grant_ctx ctx;
    struct gs_process *p = with_grant(&ctx);
    uint32_t old;

    /* An allow of [start+0x100, +0x40) raised the hwm; a brk that ignores it goes below. */
    ck_assert_int_eq(gs_process_brk(p, p->memory_start + 0x400, &old), GS_OK);
    ck_assert_int_eq(gs_grant_enter(gs_kernel_grant(tb.k, 0), p->pid, &ctx), GS_OK);
    ck_assert_int_eq(gs_grant_set_allow(&ctx, true, 0, p->memory_start + 0x100, 0x40), GS_OK);
    gs_grant_leave(&ctx);
    p->hwm = p->memory_start + 0x140;
    ck_assert_uint_eq(tb_check(&tb), 0);
    p->app_break = p->memory_start + 0x120; /* what a brk without the hwm check would do */
    p->hwm = p->memory_start;
    /* ... with the MPU following it, as brk's update_app_memory_region would. */
    ck_assert_int_eq(gs_mpu_update_app_memory_region(&tb.k->mpu, &p->mpu_cfg, p->app_break,
                                                     p->kernel_break, GS_PERM_RW, NULL),
                     GS_OK);
    ck_assert_uint_eq(gs_invariants_check(tb.k, GS_INV_QUIESCENT), 1);
    ck_assert_msg(strstr(tb.rec.last_finding_text, "RW allow 0"), "%s", tb.rec.last_finding_text);
}
END_TEST

START_TEST(finds_grant_out_of_region_and_overlap)
{
    struct gs_grant_ctx ctx, c2;
    struct gs_process *p = with_grant(&ctx);
    uint32_t entry = p->grant_table + 4;

    ck_assert_int_eq(gs_grant_enter(gs_kernel_grant(tb.k, 1), p->pid, &c2), GS_OK);
    gs_grant_leave(&c2);
    /* Point grant 1 into grant 0 (overlap), then below the kernel break. */
    gs_mem_store32(&tb.mem, entry + 8, ctx.base + 4, gs_powner(p, GS_OWN_GRANT_TABLE, 0));
    gs_mem_store32(&tb.mem, ctx.base + 4, gs_kload32(tb.k, c2.base),
                   gs_powner(p, GS_OWN_GRANT_UPCALLS, 0));
    ck_assert_uint_ge(tb_check(&tb), 1);
    gs_mem_store32(&tb.mem, entry + 8, p->kernel_break - 64, gs_powner(p, GS_OWN_GRANT_TABLE, 0));
    tb.rec.last_finding_site[0] = 0;
    ck_assert_uint_ge(tb_check(&tb), 1);
    ck_assert_str_eq(tb.rec.last_finding_site, "grant-bounds");
}
END_TEST

START_TEST(finds_corrupted_counters_and_shadow)
{
    struct gs_grant_ctx ctx;
    struct gs_process *p = with_grant(&ctx);

    gs_mem_store32(&tb.mem, ctx.base, 0x00FF0101, gs_powner(p, GS_OWN_GRANT_HDR, 0));
    ck_assert_uint_ge(tb_check(&tb), 1);
    gs_mem_store32(&tb.mem, ctx.base, 0x00010101, gs_powner(p, GS_OWN_GRANT_HDR, 0));
    ck_assert_uint_eq(tb_check(&tb), 0);
    gs_mem_tag(&tb.mem, p->memory_start + 4, 1, gs_powner(p, GS_OWN_PCB, 0));
    ck_assert_uint_eq(tb_check(&tb), 1);
    ck_assert_str_eq(tb.rec.last_finding_site, "shadow");
}
END_TEST

START_TEST(finds_mpu_exposing_kernel_memory)
{
    struct gs_grant_ctx ctx;
    struct gs_process *p = with_grant(&ctx);

    /* Enable every subregion of region 0 although the kernel break is lower. */
    p->mpu_cfg.regions[0].rasr &= ~0xFF00u;
    p->mpu_cfg.regions[1] = p->mpu_cfg.regions[0];
    p->mpu_cfg.regions[1].rbar = (p->memory_start + p->mpu_cfg.regions[0].size) | 0x11;
    ck_assert_uint_ge(tb_check(&tb), 1);
    ck_assert_str_eq(tb.rec.last_finding_site, "mpu-app-exceeds");
}
END_TEST

START_TEST(finds_mpu_hiding_app_memory)
{
    struct gs_grant_ctx ctx;
    struct gs_process *p = with_grant(&ctx);

    p->app_break += 0x400; /* the MPU was not updated */
    ck_assert_uint_ge(tb_check(&tb), 1);
}
END_TEST

START_TEST(finds_ipc_region_outside_app_memory)
{
    struct gs_grant_ctx ctx;
    struct gs_process *p = with_grant(&ctx);
    uint32_t s, z;

    /* A RW region over the process's own grant region. */
    ck_assert_int_eq(gs_process_add_mpu_region(p, p->kernel_break & ~0xFFu, 0x100, 0x100, &s, &z),
                     GS_OK);
    ck_assert_uint_ge(tb_check(&tb), 1);
    ck_assert_str_eq(tb.rec.last_finding_site, "mpu-ipc-exceeds");
}
END_TEST

/*
 * Issue #4366 at process level: a PCB sized so the block must double. HEAD is clean;
 * release-2.2 lets region 0 reach over the kernel's objects, which the oracle reports.
 */
static unsigned doubling_board(enum gs_profile prof)
{
    struct gs_kernel_config c;
    struct gs_app_info a;
    struct gs_process *p = NULL;
    unsigned v;

    tb_free(&tb);
    gs_kernel_config_default(&c);
    c.profile = prof;
    c.pcb_size = 1668; /* initial kernel memory 2000 (HEAD) / 1992 (2.2) */
    tb_init(&tb, &c);
    tb.k->check_invariants = false;
    a = tb_app(&tb, 0x2000, 0, "dbl");
    ck_assert_int_eq(gs_process_create(tb.k, &a, &tb.pool_start, &tb.pool_len, &p), GS_OK);
    v = tb_check(&tb);
    if (prof == GS_PROFILE_HEAD)
        ck_assert_uint_eq(p->memory_len, 4096);
    else
        ck_assert_uint_eq(p->memory_len, 2048);
    return v;
}

START_TEST(doubling_bug_found_in_22_only)
{
    ck_assert_uint_eq(doubling_board(GS_PROFILE_HEAD), 0);
    ck_assert_uint_ge(doubling_board(GS_PROFILE_2_2), 1);
    /* The oracle names the upstream cause, not only the invariant. */
    ck_assert_str_eq(tb.rec.last_finding_site, "mpu-region-doubling-4366");
    ck_assert_uint_ge(tb.rec.findings[GS_FIND_ISOLATION], 1);
}
END_TEST

/*
 * The check after an operation skips a process only while nothing it reads
 * changed since a check found it clean: a kernel store to its objects, a
 * field of its own changed by a kernel path (which names the process in an
 * event), or another process's block or app break re-check it.
 */
START_TEST(after_op_rechecks_what_changed)
{
    struct gs_grant_ctx ctx;
    struct gs_process *p = with_grant(&ctx), *q = tb_proc(&tb, 2048, "other");
    uint32_t entry = p->grant_table + 4, ptr;

    tb.k->check_invariants = true;
    gs_invariants_after_op(tb.k);
    ck_assert_uint_eq(tb.k->findings, 0);
    gs_invariants_after_op(tb.k); /* nothing changed: nothing checked, nothing found */
    ck_assert_uint_eq(tb.k->findings, 0);

    /* A kernel store into p's grant table: p is checked again. */
    ck_assert_int_eq(gs_mem_load32(&tb.mem, entry, &ptr), GS_OK);
    gs_kstore32(tb.k, entry, p->pcb + 8, gs_powner(p, GS_OWN_GRANT_TABLE, 0));
    gs_invariants_after_op(tb.k);
    ck_assert_uint_eq(tb.k->findings, 1);
    ck_assert_str_eq(tb.rec.last_finding_site, "grant-bounds");
    gs_kstore32(tb.k, entry, ptr, gs_powner(p, GS_OWN_GRANT_TABLE, 0));
    gs_invariants_after_op(tb.k);
    ck_assert_uint_eq(tb.k->findings, 1);

    /* A field of q, changed by a kernel path, which names q in an event. */
    q->hwm = q->app_break + 4;
    gs_kernel_event(tb.k, GS_EV_BRK, q, 0, 0, 0, 0);
    gs_invariants_after_op(tb.k);
    ck_assert_uint_eq(tb.k->findings, 2);
    ck_assert_str_eq(tb.rec.last_finding_site, "memory-order");
    /* A violation is reported again at every check until it is gone, as before. */
    gs_invariants_after_op(tb.k);
    ck_assert_uint_eq(tb.k->findings, 3);
    q->hwm = q->memory_start;
    gs_invariants_after_op(tb.k);
    ck_assert_uint_eq(tb.k->findings, 3);

    /* Changed with no event and no store: the check after an operation does not look,
     * the quiescent check at the end of a run does. */
    q->hwm = q->app_break + 4;
    gs_invariants_after_op(tb.k);
    ck_assert_uint_eq(tb.k->findings, 3);
    ck_assert_uint_eq(gs_invariants_check(tb.k, GS_INV_QUIESCENT), 1);
    q->hwm = q->memory_start;

    /* Another process's block: p's IPC-style checks read it, so all are re-checked. */
    q->memory_start = p->memory_start;
    gs_kernel_event(tb.k, GS_EV_PROCESS_CREATED, q, 0, 0, 0, 0);
    gs_invariants_after_op(tb.k);
    ck_assert_uint_ge(tb.k->findings, 5);
}
END_TEST

START_TEST(finding_ids_are_stable)
{
    struct gs_finding f;
    char buf[96];

    memset(&f, 0, sizeof(f));
    f.kind = GS_FIND_OWNERSHIP;
    f.site = "grant_subscribe";
    f.syscall_class = 1;
    gs_finding_id(&f, buf, sizeof(buf));
    ck_assert_str_eq(buf, "ownership:grant_subscribe:1");
    f.kind = GS_FIND_ISOLATION;
    f.site = "mpu-app-exceeds";
    f.syscall_class = -1;
    gs_finding_id(&f, buf, sizeof(buf));
    ck_assert_str_eq(buf, "isolation:mpu-app-exceeds:-");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("invariants");
    TCase *tc = tb_tcase("invariants");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, healthy_board_is_quiet);
    tcase_add_test(tc, finds_break_above_kernel_break);
    tcase_add_test(tc, finds_allow_above_break_1141);
    tcase_add_test(tc, finds_grant_out_of_region_and_overlap);
    tcase_add_test(tc, finds_corrupted_counters_and_shadow);
    tcase_add_test(tc, finds_mpu_exposing_kernel_memory);
    tcase_add_test(tc, finds_mpu_hiding_app_memory);
    tcase_add_test(tc, finds_ipc_region_outside_app_memory);
    tcase_add_test(tc, doubling_bug_found_in_22_only);
    tcase_add_test(tc, after_op_rechecks_what_changed);
    tcase_add_test(tc, finding_ids_are_stable);
    suite_add_tcase(s, tc);
    return tb_run(s);
}
