/* SPDX-License-Identifier: MIT */
/* Process memory and lifecycle (TOCK-REFERENCE section 1). */
#include <string.h>

#include "helpers.h"

static struct tboard tb;

static void setup_head(void)
{
    tb_init(&tb, NULL);
}

static void teardown(void)
{
    tb_free(&tb);
}

/* The worked example of TOCK-REFERENCE 1.4: G = 15, PCB 920, min RAM 4096. */
static struct gs_process *worked_example(void)
{
    struct gs_app_info a;
    struct gs_process *p = NULL;

    tb_grants(&tb, 15);
    tb.pool_start = 0x20004000;
    tb.pool_len = 0x10000;
    a = tb_app(&tb, 0x2000, 4096, "blink");
    ck_assert_int_eq(gs_process_create(tb.k, &a, &tb.pool_start, &tb.pool_len, &p), GS_OK);
    return p;
}

START_TEST(worked_example_layout)
{
    struct gs_process *p = worked_example();
    struct gs_task t;
    uint32_t d, ptr;

    ck_assert_uint_eq(gs_process_initial_kernel_size(tb.k, false), 1372);
    ck_assert_uint_eq(p->memory_start, 0x20004000);
    ck_assert_uint_eq(p->memory_len, 0x2000);
    ck_assert_uint_eq(p->grant_table, 0x20005F88);
    ck_assert_uint_eq(p->taskq, 0x20005E48);
    ck_assert_uint_eq(p->pcb, 0x20005AB0);
    ck_assert_uint_eq(p->kernel_break, 0x20005AB0);
    ck_assert_uint_eq(p->app_break, 0x20004020);
    ck_assert_uint_eq(p->hwm, 0x20004000);
    ck_assert_uint_eq(p->ss.psp, 0x20004000);
    ck_assert_uint_eq(p->ss.psr, 0x01000000);
    ck_assert_uint_eq(p->ss.yield_pc, 0);
    /* MPU: region 0 = 1 subregion, region 1 empty, flash in region 2. */
    ck_assert_uint_eq(p->mpu_cfg.regions[0].rbar, 0x20004010);
    ck_assert_uint_eq(p->mpu_cfg.regions[0].rasr, 0x1300FE17);
    ck_assert_uint_eq(p->mpu_cfg.regions[1].rbar, 0x00000011);
    ck_assert_uint_eq(p->mpu_cfg.regions[1].rasr, 0);
    ck_assert_uint_eq(p->mpu_cfg.regions[2].rbar, 0x00030012);
    ck_assert_uint_eq(p->mpu_cfg.regions[2].rasr, 0x02000019); /* 8 KiB: SIZE 12 */
    /* The pool continues after the block. */
    ck_assert_uint_eq(tb.pool_start, 0x20006000);
    ck_assert_uint_eq(tb.pool_len, 0xE000);
    /* PCB values. */
    ck_assert_int_eq(p->state, GS_ST_YIELDED);
    ck_assert_uint_eq(p->pid.id, 0);
    ck_assert_uint_eq(p->pid.index, 0);
    ck_assert_uint_eq(p->restart_count, 0);
    ck_assert(!p->has_completion);
    /* Every grant table entry {0, NULL}, in RAM at the real address. */
    for (unsigned i = 0; i < 15; i++) {
        ck_assert_int_eq(gs_process_grant_entry(p, i, &d, &ptr), GS_OK);
        ck_assert_uint_eq(d, 0);
        ck_assert_uint_eq(ptr, 0);
    }
    ck_assert_int_eq(gs_process_grant_entry(p, 15, &d, &ptr), GS_E_ARG);
    /* The init task: pc = flash + header + init offset, r0..r3 per 1.3 step 16. */
    ck_assert_uint_eq(gs_tasks_len(p), 1);
    ck_assert(gs_tasks_peek(p, 0, &t));
    ck_assert_int_eq(t.kind, GS_TASK_FUNCTION_CALL);
    ck_assert(!t.from_driver);
    ck_assert_uint_eq(t.pc, 0x30000 + 0x60 + 0x29);
    ck_assert_uint_eq(t.a[0], 0x30060);
    ck_assert_uint_eq(t.a[1], 0x20004000);
    ck_assert_uint_eq(t.a[2], 0x2000);
    ck_assert_uint_eq(t.a[3], 0x20004020);
    /* The task's bytes really are in process RAM at the ring's address. */
    ck_assert_uint_eq(gs_kload32(tb.k, 0x20005E48 + 28), 0x30089);
    ck_assert_uint_eq(tb_check(&tb), 0);
    ck_assert_uint_eq(tb.rec.findings[GS_FIND_OWNERSHIP], 0);
}
END_TEST

START_TEST(worked_example_brk_sequence)
{
    struct gs_process *p = worked_example();
    uint32_t old = 0;

    ck_assert_int_eq(gs_process_brk(p, 0x20005000, &old), GS_OK);
    ck_assert_uint_eq(old, 0x20004020);
    ck_assert_uint_eq(p->mpu_cfg.regions[0].rasr, 0x13000017);
    ck_assert_int_eq(gs_process_brk(p, 0x20005400, &old), GS_OK);
    ck_assert_uint_eq(p->mpu_cfg.regions[1].rbar, 0x20005011);
    ck_assert_uint_eq(p->mpu_cfg.regions[1].rasr, 0x1300FC17);
    ck_assert_int_eq(gs_process_brk(p, 0x20005A00, &old), GS_OK);
    ck_assert_uint_eq(p->mpu_cfg.regions[1].rasr, 0x1300E017);
    ck_assert_int_eq(gs_process_brk(p, 0x20005A10, &old), GS_E_OUT_OF_MEMORY);
    ck_assert_uint_eq(p->app_break, 0x20005A00);
    /* brk wrote the hardware (configure_mpu). */
    ck_assert_uint_eq(tb.k->mpu.hw.rasr[1], 0x1300E017);
    ck_assert_uint_eq(tb_check(&tb), 0);
}
END_TEST

START_TEST(brk_rules)
{
    struct gs_process *p = worked_example();
    uint32_t old = 0x1234;

    /* Below the high-water mark (memory_start initially) and at/above mem_end. */
    ck_assert_int_eq(gs_process_brk(p, 0x20003FFF, &old), GS_E_ADDRESS_OUT_OF_BOUNDS);
    ck_assert_int_eq(gs_process_brk(p, 0x20006000, &old), GS_E_ADDRESS_OUT_OF_BOUNDS);
    ck_assert_int_eq(gs_process_brk(p, 0xFFFFFFFF, &old), GS_E_ADDRESS_OUT_OF_BOUNDS);
    /* Above the kernel break, below mem_end. */
    ck_assert_int_eq(gs_process_brk(p, 0x20005AB4, &old), GS_E_OUT_OF_MEMORY);
    ck_assert_uint_eq(old, 0x1234); /* out-parameter untouched on error */
    /* The high-water mark blocks shrinking below an allowed buffer (#1141). */
    ck_assert_int_eq(gs_process_brk(p, 0x20004800, &old), GS_OK);
    p->hwm = 0x20004400; /* as allow() would set it */
    ck_assert_int_eq(gs_process_brk(p, 0x200043FF, &old), GS_E_ADDRESS_OUT_OF_BOUNDS);
    ck_assert_int_eq(gs_process_brk(p, 0x20004400, &old), GS_OK);
    /* sbrk returns the old break; negative increments shrink. */
    ck_assert_int_eq(gs_process_sbrk(p, 0x100, &old), GS_OK);
    ck_assert_uint_eq(old, 0x20004400);
    ck_assert_uint_eq(p->app_break, 0x20004500);
    ck_assert_int_eq(gs_process_sbrk(p, -0x80, &old), GS_OK);
    ck_assert_uint_eq(old, 0x20004500);
    ck_assert_uint_eq(p->app_break, 0x20004480);
    ck_assert_int_eq(gs_process_sbrk(p, -0x100, &old), GS_E_ADDRESS_OUT_OF_BOUNDS);
    /* An inactive process. */
    gs_process_terminate(p, true, 0);
    ck_assert_int_eq(gs_process_brk(p, 0x20004800, &old), GS_E_INACTIVE_APP);
    ck_assert_int_eq(gs_process_sbrk(p, 4, &old), GS_E_INACTIVE_APP);
}
END_TEST

START_TEST(brk_zeroes_growth_on_head)
{
    struct gs_process *p = worked_example();
    uint8_t *ram = gs_mem_host_ptr(&tb.mem, 0x20004000, 0x2000);
    uint32_t old;

    memset(ram + 0x20, 0xAB, 0x1000); /* stale data above the break */
    ck_assert_int_eq(gs_process_brk(p, 0x20004800, &old), GS_OK);
    for (unsigned i = 0x20; i < 0x800; i++)
        ck_assert_uint_eq(ram[i], 0);
    ck_assert_uint_eq(ram[0x800], 0xAB); /* beyond the new break: untouched */
    /* Shrinking does not zero. */
    ram[0x400] = 0x5A;
    ck_assert_int_eq(gs_process_brk(p, 0x20004400, &old), GS_OK);
    ck_assert_uint_eq(ram[0x400], 0x5A);
    ck_assert_uint_eq(tb.rec.findings[GS_FIND_OWNERSHIP], 0);
}
END_TEST

/* brk(memory_start): passes the checks; the MPU computation wraps (TOCK-REFERENCE 1.9). */
START_TEST(brk_to_memory_start_quirk)
{
    struct gs_process *p = worked_example();
    uint32_t old;

    ck_assert_int_eq(gs_process_brk(p, 0x20004000, &old), GS_OK);
    ck_assert_uint_eq(tb.rec.events[GS_EV_QUIRK], 1);
    ck_assert_uint_eq(p->mpu_cfg.regions[0].rasr, 0x1300FF17);
    ck_assert_uint_eq(gs_mpu_app_subregions(&p->mpu_cfg), 0);
    ck_assert_uint_eq(tb_check(&tb), 0);
}
END_TEST

START_TEST(allocate_grant_rules)
{
    struct gs_process *p = worked_example();
    uint32_t ptr, d, gp;

    ck_assert_int_eq(gs_process_allocate_grant(p, 15, 0x1, 16, 4, &ptr), GS_E_ARG);
    ck_assert_int_eq(gs_process_allocate_grant(p, 3, 0x77, 16, 4, &ptr), GS_OK);
    ck_assert_uint_eq(ptr, 0x20005AB0 - 16);
    ck_assert_uint_eq(p->kernel_break, ptr);
    gs_process_grant_entry(p, 3, &d, &gp);
    ck_assert_uint_eq(d, 0x77);
    ck_assert_uint_eq(gp, ptr);
    ck_assert_uint_eq(gs_kload32(tb.k, p->grant_table + 3 * 8 + 4), ptr);
    /* Already allocated, and another entry with the same driver number. */
    ck_assert_int_eq(gs_process_allocate_grant(p, 3, 0x78, 16, 4, &ptr), GS_E_ALREADY_IN_USE);
    ck_assert_int_eq(gs_process_allocate_grant(p, 4, 0x77, 16, 4, &ptr), GS_E_ALREADY_IN_USE);
    ck_assert_int_eq(gs_process_grant_is_allocated(p, 3), 1);
    ck_assert_int_eq(gs_process_grant_is_allocated(p, 4), 0);
    ck_assert_int_eq(gs_process_grant_is_allocated(p, 99), -1);
    ck_assert_int_eq(gs_process_grant_allocated_count(p), 1);
    ck_assert_int_eq(gs_process_lookup_grant(p, 0x77), 3);
    ck_assert_int_eq(gs_process_lookup_grant(p, 0x78), GS_E_OUT_OF_MEMORY);
    /* Alignment rounds the break down; align 1 is raised to 2. */
    ck_assert_int_eq(gs_process_allocate_grant(p, 5, 0x79, 13, 1, &ptr), GS_OK);
    ck_assert_uint_eq(ptr, (0x20005AB0 - 16 - 13) & ~1u);
    ck_assert_int_eq(gs_process_allocate_grant(p, 6, 0x7A, 4, 256, &ptr), GS_OK);
    ck_assert_uint_eq(ptr % 256, 0);
    /* Not running. */
    gs_process_terminate(p, false, 0);
    ck_assert_int_eq(gs_process_allocate_grant(p, 7, 0x7B, 4, 4, &ptr), GS_E_INACTIVE_APP);
    ck_assert_int_eq(gs_process_grant_is_allocated(p, 3), -1);
    ck_assert_int_eq(gs_process_grant_allocated_count(p), -1);
}
END_TEST

/*
 * Exhaustion at the exact byte. The app break is on a subregion edge, so the MPU limit is
 * the app break itself: an allocation whose new break equals the app break succeeds; one
 * more byte fails.
 */
START_TEST(grant_exhaustion_at_exact_byte)
{
    struct gs_process *p = worked_example();
    uint32_t old, ptr, room;

    ck_assert_int_eq(gs_process_brk(p, 0x20005000, &old), GS_OK); /* end of region 0 */
    room = p->kernel_break - p->app_break;
    ck_assert_int_eq(gs_process_allocate_custom_grant(p, room + 2, 2, &old, &ptr),
                     GS_E_OUT_OF_MEMORY);
    ck_assert_int_eq(gs_process_allocate_custom_grant(p, room + 1, 2, &old, &ptr),
                     GS_E_OUT_OF_MEMORY);
    ck_assert_uint_eq(p->kernel_break, 0x20005AB0); /* failures change nothing */
    ck_assert_int_eq(gs_process_allocate_custom_grant(p, room, 2, &old, &ptr), GS_OK);
    ck_assert_uint_eq(ptr, p->app_break);
    ck_assert_uint_eq(p->kernel_break, p->app_break);
    ck_assert_uint_eq(tb_check(&tb), 0);
}
END_TEST

/* Mid-subregion break: the limit is the end of the break's subregion, not the break. */
START_TEST(grant_exhaustion_respects_subregion)
{
    struct gs_process *p = worked_example();
    uint32_t old, ptr, limit;

    ck_assert_int_eq(gs_process_brk(p, 0x20005410, &old), GS_OK);
    limit = 0x20005600; /* region 1 subregion size 0x200: ceil(0x1410/0x200) * 0x200 */
    ck_assert_int_eq(
        gs_process_allocate_custom_grant(p, p->kernel_break - limit + 2, 2, &old, &ptr),
        GS_E_OUT_OF_MEMORY);
    ck_assert_int_eq(gs_process_allocate_custom_grant(p, p->kernel_break - limit, 2, &old, &ptr),
                     GS_OK);
    ck_assert_uint_eq(ptr, limit);
    ck_assert_uint_eq(old, 0x20006000 - limit); /* identifier = mem_end - ptr */
    /* Nothing left: even 2 bytes fail. */
    ck_assert_int_eq(gs_process_allocate_custom_grant(p, 2, 2, &old, &ptr), GS_E_OUT_OF_MEMORY);
    /* brk can no longer reach into the next subregion. */
    ck_assert_int_eq(gs_process_brk(p, 0x20005601, &old), GS_E_OUT_OF_MEMORY);
    ck_assert_int_eq(gs_process_brk(p, 0x20005600, &old), GS_OK);
    ck_assert_uint_eq(tb_check(&tb), 0);
}
END_TEST

START_TEST(terminate_drops_grants_only)
{
    struct gs_process *p = worked_example();
    struct gs_grant_ctx ctx;
    uint32_t ptr, d, gp, kb;

    ck_assert_int_eq(gs_grant_enter(gs_kernel_grant(tb.k, 2), p->pid, &ctx), GS_OK);
    ptr = ctx.base;
    gs_grant_leave(&ctx);
    kb = p->kernel_break;
    gs_process_terminate(p, true, 42);
    ck_assert_int_eq(p->state, GS_ST_TERMINATED);
    ck_assert(p->has_completion && p->completion_some);
    ck_assert_uint_eq(p->completion_code, 42);
    ck_assert_uint_eq(gs_tasks_len(p), 0);
    gs_process_grant_entry(p, 2, &d, &gp);
    ck_assert_uint_eq(d, 0);
    ck_assert_uint_eq(gp, 0);
    /* Breaks and the MPU stay where they were. */
    ck_assert_uint_eq(p->kernel_break, kb);
    ck_assert_uint_eq(p->app_break, 0x20004020);
    /* The old grant memory is now tagged as released. */
    ck_assert_uint_eq(gs_owner_kind(gs_mem_owner_at(&tb.mem, ptr)), GS_OWN_FREED);
    /* Terminating again does nothing. */
    gs_process_terminate(p, true, 7);
    ck_assert_uint_eq(p->completion_code, 42);
}
END_TEST

START_TEST(restart_break_positions_head)
{
    struct gs_process *p = worked_example();
    uint32_t ptr, s, z, old;

    ck_assert_int_eq(gs_process_brk(p, 0x20004800, &old), GS_OK);
    p->hwm = 0x20004600;
    ck_assert_int_eq(gs_process_allocate_grant(p, 1, 0x9, 100, 4, &ptr), GS_OK);
    ck_assert_int_eq(gs_process_add_mpu_region(p, 0x20008000, 0x100, 0x100, &s, &z), GS_OK);
    ck_assert(p->mpu_cfg.regions[3].used);
    gs_process_try_restart(p, true, 3);
    ck_assert_int_eq(p->state, GS_ST_YIELDED);
    ck_assert_uint_eq(p->restart_count, 1);
    ck_assert_uint_eq(p->pid.id, 1); /* a new identifier */
    ck_assert_uint_eq(p->app_break, 0x20004020);
    ck_assert_uint_eq(p->hwm, 0x20004000);
    /* HEAD: 12 bytes (4 + 4 + PCB_ALIGN) lower than after the first boot. */
    ck_assert_uint_eq(p->kernel_break, 0x20005AB0 - 12);
    ck_assert_uint_eq(p->pcb, 0x20005AB0); /* PCB, ring and table do not move */
    ck_assert_uint_eq(p->ss.psp, 0x20004000);
    /* The MPU config was reset: the IPC region is gone, the 6-entry cache is not. */
    ck_assert(!p->mpu_cfg.regions[3].used);
    ck_assert(p->mpu_region_used[0]);
    ck_assert_uint_eq(p->mpu_cfg.regions[0].rasr, 0x1300FE17);
    ck_assert_uint_eq(gs_tasks_len(p), 1);
    ck_assert_int_eq(gs_process_grant_is_allocated(p, 1), 0);
    ck_assert_uint_eq(tb_check(&tb), 0);
    /* try_restart of a terminated process is ignored; start() restarts it. */
    gs_process_terminate(p, false, 0);
    gs_process_try_restart(p, false, 0);
    ck_assert_int_eq(p->state, GS_ST_TERMINATED);
    gs_process_start(p);
    ck_assert_int_eq(p->state, GS_ST_YIELDED);
    ck_assert_uint_eq(p->restart_count, 2);
}
END_TEST

START_TEST(profile_22_layout_and_restart)
{
    struct gs_kernel_config c;
    struct gs_process *p;
    uint8_t *ram;
    uint32_t old;

    tb_free(&tb);
    gs_kernel_config_default(&c);
    c.profile = GS_PROFILE_2_2;
    tb_init(&tb, &c);
    ram = gs_mem_host_ptr(&tb.mem, 0x20004000, 0x2000);
    memset(ram, 0xCD, 0x2000);
    p = worked_example();
    /* 2.2: 8G + 320 + PCB + 4 at create. */
    ck_assert_uint_eq(gs_process_initial_kernel_size(tb.k, false), 1364);
    ck_assert_uint_eq(gs_process_initial_kernel_size(tb.k, true), 1360);
    ck_assert_uint_eq(p->kernel_break, 0x20005AB0);
    /* No zeroing at create or on brk growth in 2.2. */
    ck_assert_uint_eq(ram[0], 0xCD);
    ck_assert_int_eq(gs_process_brk(p, 0x20004100, &old), GS_OK);
    ck_assert_uint_eq(ram[0x80], 0xCD);
    gs_process_try_restart(p, false, 0);
    /* 2.2 reset: kernel break back exactly at the PCB. */
    ck_assert_uint_eq(p->kernel_break, 0x20005AB0);
    ck_assert_uint_eq(tb_check(&tb), 0);
}
END_TEST

START_TEST(create_fixed_ram_address)
{
    struct gs_app_info a;
    struct gs_process *p = NULL;
    uint32_t ps = 0x20004000, pl = 0x10000;

    tb_grants(&tb, 2);
    a = tb_app(&tb, 0x2000, 1024, "fixed");
    a.has_fixed_ram = true;
    /* Lower than the pool: mismatch, pool unchanged. */
    a.fixed_ram = 0x20002000;
    ck_assert_int_eq(gs_process_create(tb.k, &a, &ps, &pl, &p), GS_E_ADDRESS_MISMATCH);
    ck_assert_uint_eq(ps, 0x20004000);
    /* Beyond the pool. */
    a.fixed_ram = 0x20014001;
    ck_assert_int_eq(gs_process_create(tb.k, &a, &ps, &pl, &p), GS_E_ADDRESS_MISMATCH);
    /* Higher, but not where the MPU can place the block: mismatch after allocation. */
    a.fixed_ram = 0x20004100;
    ck_assert_int_eq(gs_process_create(tb.k, &a, &ps, &pl, &p), GS_E_ADDRESS_MISMATCH);
    ck_assert_uint_eq(ps, 0x20004100); /* upstream hands back the adjusted pool */
    /* Higher and aligned: the padding before it is lost. */
    ps = 0x20004000;
    pl = 0x10000;
    a.fixed_ram = 0x20008000;
    ck_assert_int_eq(gs_process_create(tb.k, &a, &ps, &pl, &p), GS_OK);
    ck_assert_uint_eq(p->memory_start, 0x20008000);
    ck_assert_uint_eq(ps, 0x20008000 + p->memory_len);
    ck_assert_uint_eq(pl, 0x20014000 - ps);
}
END_TEST

START_TEST(create_failures)
{
    struct gs_app_info a;
    struct gs_process *p = NULL;
    uint32_t ps = 0x20004000, pl = 0x1000;

    tb_grants(&tb, 2);
    a = tb_app(&tb, 0x2000, 8192, "big");
    ck_assert_int_eq(gs_process_create(tb.k, &a, &ps, &pl, &p), GS_E_NOT_ENOUGH_MEMORY);
    ck_assert_uint_eq(ps, 0x20004000);
    ck_assert_uint_eq(pl, 0x1000);
    ck_assert_ptr_null(p);
    /* A flash region the MPU cannot cover exactly. */
    a = tb_app(&tb, 0x100, 64, "odd");
    tb.next_flash -= 0x100;
    a.flash_start = 0x30010;
    ck_assert_int_eq(gs_process_create(tb.k, &a, &ps, &pl, &p), GS_E_MPU_FLASH_LEN);
    /* Outside simulated flash, NULL arguments. */
    a.flash_start = 0x10;
    ck_assert_int_eq(gs_process_create(tb.k, &a, &ps, &pl, &p), GS_E_ARG);
    ck_assert_int_eq(gs_process_create(tb.k, NULL, &ps, &pl, &p), GS_E_ARG);
    ck_assert_int_eq(gs_process_create(tb.k, &a, NULL, &pl, &p), GS_E_ARG);
    /* No identifier was consumed by the failures. */
    ck_assert_uint_eq(tb.k->next_process_id, 0);
    /* Grants cannot be created once a process exists (finalized). */
    tb_proc(&tb, 64, "ok");
    {
        struct gs_grant_shape s = {.t_size = 0, .t_align = 1};
        struct gs_grant *g;
        ck_assert_int_eq(gs_grant_create(tb.k, 9, &s, NULL, &g), GS_E_FINALIZED);
    }
}
END_TEST

START_TEST(slots_run_out)
{
    struct gs_kernel_config c;
    struct gs_app_info a;
    struct gs_process *p;

    tb_free(&tb);
    gs_kernel_config_default(&c);
    c.num_procs = 2;
    tb_init(&tb, &c);
    tb_proc(&tb, 64, "a");
    p = tb_proc(&tb, 64, "b");
    ck_assert_uint_eq(p->index, 1);
    ck_assert_uint_eq(p->pid.id, 1);
    a = tb_app(&tb, 0x2000, 64, "c");
    ck_assert_int_eq(gs_process_create(tb.k, &a, &tb.pool_start, &tb.pool_len, &p), GS_E_NO_SLOT);
    ck_assert_uint_eq(tb_check(&tb), 0);
}
END_TEST

START_TEST(states_and_ready)
{
    struct gs_process *p = tb_proc(&tb, 1024, "s");
    struct gs_upcall_id id = {1, 2};

    /* Yielded with the init task queued: ready. */
    ck_assert(gs_process_ready(p));
    gs_tasks_empty(p);
    ck_assert(!gs_process_ready(p));
    gs_process_set_state(p, GS_ST_RUNNING);
    ck_assert(gs_process_ready(p));
    gs_process_set_yielded_for(p, id);
    ck_assert_int_eq(p->state, GS_ST_YIELDED_FOR);
    ck_assert(!gs_process_ready(p));
    gs_process_stop(p);
    ck_assert_int_eq(p->state, GS_ST_STOPPED);
    ck_assert(gs_process_is_running(p));
    ck_assert(!gs_process_ready(p));
    gs_process_resume(p);
    ck_assert_int_eq(p->state, GS_ST_YIELDED_FOR);
    /* set_yielded only from Running. */
    gs_process_set_yielded(p);
    ck_assert_int_eq(p->state, GS_ST_YIELDED_FOR);
}
END_TEST

START_TEST(fault_policies)
{
    struct gs_process *p = tb_proc(&tb, 1024, "f1");
    struct gs_process *q = tb_proc(&tb, 1024, "f2");
    struct gs_process *r = tb_proc(&tb, 1024, "f3");

    p->fault_policy = GS_FP_STOP_DEBUG;
    gs_process_set_fault_state(p);
    ck_assert_int_eq(p->state, GS_ST_FAULTED);
    ck_assert(p->has_completion && !p->completion_some); /* Some(None): "Faulted" */
    ck_assert_uint_eq(tb.rec.events[GS_EV_DEBUG], 1);

    q->fault_policy = GS_FP_THRESHOLD_RESTART;
    q->fault_threshold = 1;
    gs_process_set_fault_state(q);
    gs_process_set_fault_state(q);
    ck_assert_uint_eq(q->restart_count, 2);
    ck_assert_int_eq(q->state, GS_ST_YIELDED);
    gs_process_set_fault_state(q); /* restart_count 2 > 1: stop */
    ck_assert_int_eq(q->state, GS_ST_FAULTED);

    ck_assert(!tb.k->panicked);
    gs_process_set_fault_state(r); /* default policy: panic */
    ck_assert(tb.k->panicked);
    ck_assert_str_eq(tb.rec.last_panic, "Process f3 had a fault");
    ck_assert_int_eq(r->state, GS_ST_FAULTED);
    /* After a panic the kernel refuses to go on. */
    {
        uint32_t old;
        ck_assert_int_eq(gs_process_brk(q, 0, &old), GS_E_PANIC);
    }
}
END_TEST

START_TEST(buffer_checks)
{
    struct gs_process *p = tb_proc(&tb, 1024, "buf");

    ck_assert(gs_process_in_app_owned_memory(p, p->memory_start, 32));
    ck_assert(!gs_process_in_app_owned_memory(p, p->memory_start, 33));
    ck_assert(gs_process_in_app_owned_memory(p, p->app_break, 0));
    ck_assert(!gs_process_in_app_owned_memory(p, p->memory_start - 1, 1));
    ck_assert(!gs_process_in_app_owned_memory(p, 0xFFFFFFF0, 0x20)); /* wraps */
    /* Flash: after the protected header, up to the end of the TBF. */
    ck_assert(!gs_process_in_app_flash_memory(p, p->app.flash_start, 4));
    ck_assert(gs_process_in_app_flash_memory(p, p->app.flash_start + 0x60, 4));
    ck_assert(gs_process_in_app_flash_memory(p, gs_process_flash_end(p) - 4, 4));
    ck_assert(!gs_process_in_app_flash_memory(p, gs_process_flash_end(p) - 3, 4));
}
END_TEST

START_TEST(injected_allocation_failure)
{
    struct gs_process *p = worked_example();
    uint32_t off, ptr;

    tb.k->inject.grant_alloc_at = 2;
    ck_assert_int_eq(gs_process_allocate_custom_grant(p, 16, 4, &off, &ptr), GS_OK);
    ck_assert_int_eq(gs_process_allocate_custom_grant(p, 16, 4, &off, &ptr), GS_E_OUT_OF_MEMORY);
    ck_assert_int_eq(gs_process_allocate_custom_grant(p, 16, 4, &off, &ptr), GS_OK);
    ck_assert_uint_eq(tb.k->inject.grant_allocs, 3);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("process");
    TCase *tc = tb_tcase("process");

    tcase_add_checked_fixture(tc, setup_head, teardown);
    tcase_add_test(tc, worked_example_layout);
    tcase_add_test(tc, worked_example_brk_sequence);
    tcase_add_test(tc, brk_rules);
    tcase_add_test(tc, brk_zeroes_growth_on_head);
    tcase_add_test(tc, brk_to_memory_start_quirk);
    tcase_add_test(tc, allocate_grant_rules);
    tcase_add_test(tc, grant_exhaustion_at_exact_byte);
    tcase_add_test(tc, grant_exhaustion_respects_subregion);
    tcase_add_test(tc, terminate_drops_grants_only);
    tcase_add_test(tc, restart_break_positions_head);
    tcase_add_test(tc, profile_22_layout_and_restart);
    tcase_add_test(tc, create_fixed_ram_address);
    tcase_add_test(tc, create_failures);
    tcase_add_test(tc, slots_run_out);
    tcase_add_test(tc, states_and_ready);
    tcase_add_test(tc, fault_policies);
    tcase_add_test(tc, buffer_checks);
    tcase_add_test(tc, injected_allocation_failure);
    suite_add_tcase(s, tc);
    return tb_run(s);
}
