/* SPDX-License-Identifier: MIT */
/*
 * The memory-map model, its renderers and explain. The board is the worked
 * example of TOCK-REFERENCE 1.4 (G = 15, PCB 920, 4 KiB minimum RAM at
 * 0x20004000) with the break at 0x20005100 and three objects in the grant
 * region, every address below computed by hand from sections 1.5, 2.1 and
 * 6.4-6.6:
 *
 *   grant 3 (generic: T 8/4, 1 upcall, 1 RO, 1 RW) = 36 bytes:
 *     0x20005AB0 - 36 = 0x20005A8C (aligned to 4)
 *       hdr 0x20005A8C, upcalls 0x20005A90, RO 0x20005A98, RW 0x20005AA0,
 *       no padding, T 0x20005AA8..0x20005AB0
 *   grant 0 (driver 0x1: T 8/8, 1 upcall, 2 RO, 1 RW): kms 36, pad 4, 48 bytes:
 *     0x20005A8C - 48 = 0x20005A5C, rounded down to 8 = 0x20005A58
 *       hdr 0x20005A58, upcalls 0x20005A5C, RO 0x20005A64, RW 0x20005A74,
 *       pad 0x20005A7C, T 0x20005A80..0x20005A88; slack 0x20005A88..0x20005A8C
 *   custom grant #1 (10 bytes, align 16): 0x20005A58 - 10 = 0x20005A4E,
 *     rounded down to 16 = 0x20005A40; slack 0x20005A4A..0x20005A58
 *   kernel break 0x20005A40; app break 0x20005100 -> region 1 subregion 0
 *   enabled: [0x20005000, 0x20005200), so [0x20005100, 0x20005200) is the
 *   expected slack.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "layout.h"
#include "printer.h"
#include "render.h"

static struct tboard tb;
static struct gs_process *P;
static struct gs_ipc ipc; /* the kernel keeps a pointer to it until teardown */

static void setup(void)
{
    tb_init(&tb, NULL);
    P = NULL;
}

static void teardown(void)
{
    tb_free(&tb);
}

/* Grant 0: driver 0x1 with padding; grants 1..14: generic shape, drivers 0x1001.. */
static void make_grants(struct tboard *b)
{
    struct gs_grant_shape pad = {.t_size = 8, .t_align = 8, .n_upcalls = 1, .n_ro = 2, .n_rw = 1};
    struct gs_grant_shape gen = {.t_size = 8, .t_align = 4, .n_upcalls = 1, .n_ro = 1, .n_rw = 1};
    struct gs_grant *g;

    ck_assert_int_eq(gs_grant_create(b->k, 0x1, &pad, NULL, &g), GS_OK);
    for (unsigned i = 1; i < 15; i++)
        ck_assert_int_eq(gs_grant_create(b->k, 0x1000 + i, &gen, NULL, &g), GS_OK);
}

/* The board of the header comment, with slots set in grants 0 and 3. */
static struct gs_process *worked_example(void)
{
    struct gs_app_info a;
    struct gs_process *p = NULL;
    struct gs_grant_ctx c;
    struct gs_custom_grant cg;
    uint32_t old;

    make_grants(&tb);
    tb.pool_start = 0x20004000;
    a = tb_app(&tb, 0x2000, 4096, "blink");
    a.binary_end = 0x1F00; /* 256 bytes of footers */
    ck_assert_int_eq(gs_process_create(tb.k, &a, &tb.pool_start, &tb.pool_len, &p), GS_OK);
    ck_assert_int_eq(gs_process_brk(p, 0x20005100, &old), GS_OK);

    ck_assert_int_eq(gs_grant_enter(gs_kernel_grant(tb.k, 3), p->pid, &c), GS_OK);
    ck_assert_uint_eq(c.base, 0x20005A8C);
    ck_assert_int_eq(gs_grant_set_upcall(&c, 0, 0, 0x20005A80), GS_OK);       /* kernel memory */
    ck_assert_int_eq(gs_grant_set_allow(&c, false, 0, 0x20004000, 0), GS_OK); /* empty */
    ck_assert_int_eq(gs_grant_set_allow(&c, true, 0, 0x20005A00, 4), GS_OK);  /* past the break */
    gs_grant_leave(&c);

    ck_assert_int_eq(gs_grant_enter(gs_kernel_grant(tb.k, 0), p->pid, &c), GS_OK);
    ck_assert_uint_eq(c.base, 0x20005A58);
    ck_assert_int_eq(gs_grant_set_upcall(&c, 0, 0xABCD, 0x00030101), GS_OK);
    ck_assert_int_eq(gs_grant_set_allow(&c, false, 0, 0x20004100, 12), GS_OK);
    ck_assert_int_eq(gs_grant_set_allow(&c, false, 1, 0x00030200, 16), GS_OK);
    ck_assert_int_eq(gs_grant_set_allow(&c, true, 0, 0x20005080, 4), GS_OK);
    ck_assert_int_eq(gs_grant_t_store32(&c, 0, 0x11223344), GS_OK);
    gs_grant_leave(&c);

    ck_assert_int_eq(gs_grant_enter_with_allocator(gs_kernel_grant(tb.k, 3), p->pid, &c), GS_OK);
    ck_assert_int_eq(gs_grant_alloc_custom(&c, 1, 10, 16, NULL, &cg), GS_OK);
    gs_grant_leave(&c);
    ck_assert_uint_eq(p->kernel_break, 0x20005A40);
    return p;
}

static struct gs_layout *build(const struct gs_process *p)
{
    struct gs_layout *l = NULL;

    ck_assert_int_eq(gs_layout_build(tb.k, p, &l), GS_OK);
    ck_assert_ptr_nonnull(l);
    return l;
}

struct want_region {
    uint32_t start, size;
    enum gs_owner_kind kind;
    int grant, custom, mpu, lo, hi;
    unsigned rights;
};

START_TEST(model_worked_example)
{
    static const struct want_region want[] = {
        {0x20004000, 4096, GS_OWN_APP, -1, -1, 0, 0, 7, 3},
        {0x20005000, 256, GS_OWN_APP, -1, -1, 1, 0, 0, 3},
        {0x20005100, 256, GS_OWN_UNUSED, -1, -1, 1, 0, 0, 3},
        {0x20005200, 0x840, GS_OWN_UNUSED, -1, -1, -1, -1, -1, 0},
        {0x20005A40, 10, GS_OWN_CUSTOM, -1, 1, -1, -1, -1, 0},
        {0x20005A4A, 14, GS_OWN_KERNEL_SLACK, -1, -1, -1, -1, -1, 0},
        {0x20005A58, 4, GS_OWN_GRANT_HDR, 0, -1, -1, -1, -1, 0},
        {0x20005A5C, 8, GS_OWN_GRANT_UPCALLS, 0, -1, -1, -1, -1, 0},
        {0x20005A64, 16, GS_OWN_GRANT_RO, 0, -1, -1, -1, -1, 0},
        {0x20005A74, 8, GS_OWN_GRANT_RW, 0, -1, -1, -1, -1, 0},
        {0x20005A7C, 4, GS_OWN_GRANT_PAD, 0, -1, -1, -1, -1, 0},
        {0x20005A80, 8, GS_OWN_GRANT_T, 0, -1, -1, -1, -1, 0},
        {0x20005A88, 4, GS_OWN_KERNEL_SLACK, -1, -1, -1, -1, -1, 0},
        {0x20005A8C, 4, GS_OWN_GRANT_HDR, 3, -1, -1, -1, -1, 0},
        {0x20005A90, 8, GS_OWN_GRANT_UPCALLS, 3, -1, -1, -1, -1, 0},
        {0x20005A98, 8, GS_OWN_GRANT_RO, 3, -1, -1, -1, -1, 0},
        {0x20005AA0, 8, GS_OWN_GRANT_RW, 3, -1, -1, -1, -1, 0},
        {0x20005AA8, 8, GS_OWN_GRANT_T, 3, -1, -1, -1, -1, 0},
        {0x20005AB0, 920, GS_OWN_PCB, -1, -1, -1, -1, -1, 0},
        {0x20005E48, 320, GS_OWN_TASKQ, -1, -1, -1, -1, -1, 0},
        {0x20005F88, 120, GS_OWN_GRANT_TABLE, -1, -1, -1, -1, -1, 0},
    };
    struct gs_layout *l;
    const struct gs_layout_grant *g;

    P = worked_example();
    l = build(P);
    /* Process summary. */
    ck_assert_uint_eq(l->index, 0);
    ck_assert_str_eq(l->name, "blink");
    ck_assert_str_eq(l->state, "Yielded");
    ck_assert(l->running);
    ck_assert_uint_eq(l->memory_start, 0x20004000);
    ck_assert_uint_eq(l->memory_len, 0x2000);
    ck_assert_uint_eq(l->app_break, 0x20005100);
    ck_assert_uint_eq(l->kernel_break, 0x20005A40);
    ck_assert_uint_eq(l->grant_table, 0x20005F88);
    ck_assert_uint_eq(l->grant_table_size, 120);
    ck_assert_uint_eq(l->taskq, 0x20005E48);
    ck_assert_uint_eq(l->pcb, 0x20005AB0);
    ck_assert_uint_eq(l->flash_start, 0x00030000);
    ck_assert_uint_eq(l->flash_end, 0x00032000);
    ck_assert_uint_eq(l->flash_np, 0x00030060);

    /* Regions, field by field. */
    ck_assert_uint_eq(l->nregions, sizeof(want) / sizeof(want[0]));
    for (unsigned i = 0; i < l->nregions; i++) {
        const struct gs_layout_region *r = &l->regions[i];
        ck_assert_msg(r->start == want[i].start && r->size == want[i].size,
                      "region %u: [0x%08x, +%u), want [0x%08x, +%u)", i, r->start, r->size,
                      want[i].start, want[i].size);
        ck_assert_msg(r->kind == want[i].kind, "region %u kind %s", i, gs_owner_kind_name(r->kind));
        ck_assert_int_eq(r->grant, want[i].grant);
        ck_assert_int_eq(r->custom, want[i].custom);
        ck_assert_msg(r->mpu_region == want[i].mpu && r->sub_lo == want[i].lo &&
                          r->sub_hi == want[i].hi,
                      "region %u MPU R%d s%d-%d", i, r->mpu_region, r->sub_lo, r->sub_hi);
        ck_assert_uint_eq(r->rights, want[i].rights);
        ck_assert(!r->foreign);
        ck_assert_uint_eq(gs_owner_proc(r->owner), 0);
        if (r->grant >= 0)
            ck_assert_uint_eq(r->driver, r->grant == 0 ? 0x1 : 0x1003);
    }

    /* Grant 0: decoded contents. */
    ck_assert_uint_eq(l->ngrants, 15);
    g = &l->grants[0];
    ck_assert(g->allocated && g->decoded && !g->entered);
    ck_assert_uint_eq(g->driver, 0x1);
    ck_assert_ptr_null(g->driver_name);
    ck_assert_uint_eq(g->entry_driver, 0x1);
    ck_assert_uint_eq(g->base, 0x20005A58);
    ck_assert_uint_eq(g->size, 48);
    ck_assert_uint_eq(g->align, 8);
    ck_assert_uint_eq(g->counters, 0x00010201);
    ck_assert(g->counters_ok);
    ck_assert_uint_eq(g->c_upcalls, 1);
    ck_assert_uint_eq(g->c_ro, 2);
    ck_assert_uint_eq(g->c_rw, 1);
    ck_assert_uint_eq(g->upcalls_addr, 0x20005A5C);
    ck_assert_uint_eq(g->ro_addr, 0x20005A64);
    ck_assert_uint_eq(g->rw_addr, 0x20005A74);
    ck_assert_uint_eq(g->pad_addr, 0x20005A7C);
    ck_assert_uint_eq(g->pad_size, 4);
    ck_assert_uint_eq(g->t_addr, 0x20005A80);
    ck_assert_uint_eq(g->upcalls[0].addr, 0x20005A5C);
    ck_assert_uint_eq(g->upcalls[0].appdata, 0xABCD);
    ck_assert_uint_eq(g->upcalls[0].fn, 0x00030101);
    ck_assert_int_eq(g->upcalls[0].target, GS_LT_FLASH);
    ck_assert_uint_eq(g->ro[0].addr, 0x20005A64);
    ck_assert_uint_eq(g->ro[0].ptr, 0x20004100);
    ck_assert_uint_eq(g->ro[0].len, 12);
    ck_assert_int_eq(g->ro[0].target, GS_LT_APP);
    ck_assert_uint_eq(g->ro[1].ptr, 0x00030200);
    ck_assert_int_eq(g->ro[1].target, GS_LT_FLASH);
    ck_assert_uint_eq(g->rw[0].addr, 0x20005A74);
    ck_assert_int_eq(g->rw[0].target, GS_LT_APP);
    ck_assert_uint_eq(g->t_peek, 8);
    ck_assert_mem_eq(g->t_bytes, "\x44\x33\x22\x11\0\0\0\0", 8);
    /* Grant 3: pointers that are not where they should be. */
    g = &l->grants[3];
    ck_assert(g->allocated && g->decoded);
    ck_assert_uint_eq(g->driver, 0x1003);
    ck_assert_uint_eq(g->base, 0x20005A8C);
    ck_assert_uint_eq(g->pad_size, 0);
    ck_assert_int_eq(g->upcalls[0].target, GS_LT_INVALID);
    ck_assert_int_eq(g->ro[0].target, GS_LT_EMPTY);
    ck_assert_int_eq(g->rw[0].target, GS_LT_INVALID);
    for (unsigned i = 0; i < 15; i++)
        ck_assert(l->grants[i].allocated == (i == 0 || i == 3));

    /* Custom grant. */
    ck_assert_uint_eq(l->ncustom, 1);
    ck_assert_uint_eq(l->custom[0].serial, 1);
    ck_assert_uint_eq(l->custom[0].start, 0x20005A40);
    ck_assert_uint_eq(l->custom[0].size, 10);
    ck_assert_uint_eq(l->custom[0].offset, 0x20006000 - 0x20005A40);

    /* Flash: header, binary, footers, all under region 2. */
    ck_assert_uint_eq(l->nflash, 3);
    ck_assert_str_eq(l->flash[0].name, "TBF header");
    ck_assert_uint_eq(l->flash[0].start, 0x00030000);
    ck_assert_uint_eq(l->flash[0].size, 0x60);
    ck_assert_int_eq(l->flash[0].mpu_region, 2);
    ck_assert_int_eq(l->flash[0].sub_hi, 0);
    ck_assert_str_eq(l->flash[1].name, "binary");
    ck_assert_uint_eq(l->flash[1].size, 0x1F00 - 0x60);
    ck_assert_int_eq(l->flash[1].sub_lo, 0);
    ck_assert_int_eq(l->flash[1].sub_hi, 7);
    ck_assert_str_eq(l->flash[2].name, "footers");
    ck_assert_uint_eq(l->flash[2].start, 0x00031F00);
    ck_assert_uint_eq(l->flash[2].rights, GS_ACC_READ | GS_ACC_EXEC);

    /* MPU regions (TOCK-REFERENCE 1.4, 6.6). */
    ck_assert(l->has_mpu);
    ck_assert_uint_eq(l->mpu_num_regions, 8);
    ck_assert_str_eq(l->mpu[0].role, "app RAM");
    ck_assert_uint_eq(l->mpu[0].rbar, 0x20004010);
    ck_assert_uint_eq(l->mpu[0].rasr, 0x13000017);
    ck_assert_uint_eq(l->mpu[0].nruns, 1);
    ck_assert_uint_eq(l->mpu[0].runs[0].start, 0x20004000);
    ck_assert_uint_eq(l->mpu[0].runs[0].end, 0x20005000);
    ck_assert_uint_eq(l->mpu[0].rights, GS_ACC_READ | GS_ACC_WRITE);
    ck_assert_uint_eq(l->mpu[1].rbar, 0x20005011);
    ck_assert_uint_eq(l->mpu[1].rasr, 0x1300FE17);
    ck_assert_uint_eq(l->mpu[1].start, 0x20005000);
    ck_assert_uint_eq(l->mpu[1].size, 0x1000);
    ck_assert_uint_eq(l->mpu[1].srd, 0xFE);
    ck_assert_uint_eq(l->mpu[1].nruns, 1);
    ck_assert_uint_eq(l->mpu[1].run_first[0], 0);
    ck_assert_uint_eq(l->mpu[1].run_last[0], 0);
    ck_assert_uint_eq(l->mpu[1].runs[0].end, 0x20005200);
    ck_assert_str_eq(l->mpu[2].role, "flash");
    ck_assert_uint_eq(l->mpu[2].rbar, 0x00030012);
    ck_assert_uint_eq(l->mpu[2].rasr, 0x02000019);
    ck_assert_uint_eq(l->mpu[2].ap, 2);
    ck_assert(!l->mpu[2].xn);
    ck_assert_uint_eq(l->mpu[2].rights, GS_ACC_READ | GS_ACC_EXEC);
    for (unsigned i = 3; i < 8; i++) {
        ck_assert_str_eq(l->mpu[i].role, "unused");
        ck_assert_uint_eq(l->mpu[i].rbar, 0x10 | i);
        ck_assert_uint_eq(l->mpu[i].rasr, 0);
    }
    ck_assert_uint_eq(l->slack_end, 0x20005200);
    ck_assert_uint_eq(l->nanomalies, 0);
    gs_layout_free(l);
}
END_TEST

START_TEST(access_healthy_has_only_expected_slack)
{
    struct gs_layout *l;

    P = worked_example();
    l = build(P);
    ck_assert_uint_eq(l->nintended, 2);
    ck_assert_uint_eq(l->intended[0].start, 0x20004000);
    ck_assert_uint_eq(l->intended[0].end, 0x20005100);
    ck_assert_uint_eq(l->intended[0].rights, GS_ACC_READ | GS_ACC_WRITE);
    ck_assert_uint_eq(l->intended[1].start, 0x00030000);
    ck_assert_uint_eq(l->intended[1].end, 0x00032000);
    ck_assert_uint_eq(l->intended[1].rights, GS_ACC_READ | GS_ACC_EXEC);
    ck_assert_uint_eq(l->npermitted, 2);
    ck_assert_uint_eq(l->permitted[0].start, 0x00030000);
    ck_assert_uint_eq(l->permitted[0].end, 0x00032000);
    ck_assert_uint_eq(l->permitted[1].start, 0x20004000);
    ck_assert_uint_eq(l->permitted[1].end, 0x20005200);
    ck_assert_uint_eq(l->leaks, 0);
    ck_assert_uint_eq(l->forbidden, 0);
    ck_assert_uint_eq(l->slack, 1);
    ck_assert_uint_eq(l->ndiffs, 1);
    ck_assert_int_eq(l->diffs[0].kind, GS_DIFF_SLACK);
    ck_assert_uint_eq(l->diffs[0].start, 0x20005100);
    ck_assert_uint_eq(l->diffs[0].end, 0x20005200);
    ck_assert_uint_eq(l->diffs[0].intended, 0);
    ck_assert_uint_eq(l->diffs[0].permitted, GS_ACC_READ | GS_ACC_WRITE);
    ck_assert_int_eq(l->diffs[0].mpu_region, 1);
    gs_layout_free(l);
    /* The model never touched the kernel: the invariants still agree with it. */
    ck_assert_uint_eq(tb.rec.findings[GS_FIND_ISOLATION], 0);
}
END_TEST

static const struct gs_layout_diff *find_diff(const struct gs_layout *l, enum gs_layout_diff_kind k,
                                              uint32_t start)
{
    for (unsigned i = 0; i < l->ndiffs; i++)
        if (l->diffs[i].kind == k && l->diffs[i].start == start)
            return &l->diffs[i];
    return NULL;
}

START_TEST(access_extra_subregion_over_kernel_break_is_a_leak)
{
    struct gs_layout *l;
    const struct gs_layout_diff *d;

    P = worked_example();
    tb.k->check_invariants = false;
    /* Planted bug: region 1 also enables subregion 5, [0x20005A00, 0x20005C00). */
    P->mpu_cfg.regions[1].rasr = (P->mpu_cfg.regions[1].rasr & ~0xFF00u) | (0xDEu << 8);
    l = build(P);
    ck_assert_uint_eq(l->forbidden, 0);
    ck_assert_uint_eq(l->slack, 1);
    ck_assert_uint_eq(l->leaks, 2);
    ck_assert_ptr_nonnull(find_diff(l, GS_DIFF_SLACK, 0x20005100));
    /* Unused memory beyond the rounding, below the kernel break. */
    d = find_diff(l, GS_DIFF_LEAK, 0x20005A00);
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(d->end, 0x20005A40);
    ck_assert_ptr_nonnull(strstr(d->note, "beyond the subregion rounding"));
    /* Kernel memory above the break: custom grant, grant 0, ..., part of the PCB. */
    d = find_diff(l, GS_DIFF_LEAK, 0x20005A40);
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(d->end, 0x20005C00);
    ck_assert_int_eq(d->mpu_region, 1);
    ck_assert_uint_eq(d->permitted, GS_ACC_READ | GS_ACC_WRITE);
    ck_assert_uint_eq(d->intended, 0);
    ck_assert_ptr_nonnull(strstr(d->note, "kernel memory"));
    /* The map splits the unused memory at the subregion edge and shows the custom grant as
     * reachable. */
    ck_assert_uint_eq(l->regions[3].start, 0x20005200);
    ck_assert_uint_eq(l->regions[3].size, 0x800);
    ck_assert_int_eq(l->regions[3].mpu_region, -1);
    ck_assert_uint_eq(l->regions[4].start, 0x20005A00);
    ck_assert_int_eq(l->regions[4].kind, GS_OWN_UNUSED);
    ck_assert_int_eq(l->regions[4].mpu_region, 1);
    ck_assert_int_eq(l->regions[5].kind, GS_OWN_CUSTOM);
    ck_assert_int_eq(l->regions[5].mpu_region, 1);
    ck_assert_int_eq(l->regions[5].sub_lo, 5);
    ck_assert_uint_eq(l->regions[5].rights, GS_ACC_READ | GS_ACC_WRITE);
    gs_layout_free(l);
}
END_TEST

START_TEST(access_app_memory_hidden_is_forbidden)
{
    struct gs_layout *l;
    const struct gs_layout_diff *d;

    P = worked_example();
    tb.k->check_invariants = false;
    /* Planted bug: subregion 7 of region 0 disabled, below the app break. */
    P->mpu_cfg.regions[0].rasr |= 0x80u << 8;
    l = build(P);
    ck_assert_uint_eq(l->leaks, 0);
    ck_assert_uint_eq(l->forbidden, 1);
    d = find_diff(l, GS_DIFF_FORBIDDEN, 0x20004E00);
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(d->end, 0x20005000);
    ck_assert_uint_eq(d->permitted, 0);
    ck_assert_ptr_nonnull(strstr(d->note, "app memory"));
    gs_layout_free(l);
}
END_TEST

/* test_invariants.c's doubling board: PCB 1668, no grants, 0 minimum RAM. */
static struct gs_layout *doubling(enum gs_profile prof)
{
    struct gs_kernel_config c;
    struct gs_app_info a;
    struct gs_process *p = NULL;

    tb_free(&tb);
    gs_kernel_config_default(&c);
    c.profile = prof;
    c.pcb_size = 1668;
    tb_init(&tb, &c);
    tb.k->check_invariants = false;
    a = tb_app(&tb, 0x2000, 0, "dbl");
    ck_assert_int_eq(gs_process_create(tb.k, &a, &tb.pool_start, &tb.pool_len, &p), GS_OK);
    return build(p);
}

START_TEST(access_doubling_bug_leaks_in_22_only)
{
    struct gs_layout *l = doubling(GS_PROFILE_HEAD);
    const struct gs_layout_diff *d;

    /*
     * HEAD: 4 KiB block; the kernel break is the PCB start, end - 320 - 1668 =
     * +0x83C (the alignment terms of initial_kernel_memory_size are slack);
     * region 0 is 2 KiB with subregion 0 (256 bytes) enabled.
     */
    ck_assert_uint_eq(l->memory_len, 4096);
    ck_assert_uint_eq(l->kernel_break, 0x2000083C);
    ck_assert_uint_eq(l->leaks, 0);
    ck_assert_uint_eq(l->forbidden, 0);
    ck_assert_uint_eq(l->slack, 1);
    ck_assert_uint_eq(l->diffs[0].start, 0x20000020);
    ck_assert_uint_eq(l->diffs[0].end, 0x20000100);
    gs_layout_free(l);

    /* 2.2: 2 KiB block, one 2 KiB region whose subregion 0 covers the kernel break at +0x3C. */
    l = doubling(GS_PROFILE_2_2);
    ck_assert_uint_eq(l->memory_len, 2048);
    ck_assert_uint_eq(l->kernel_break, 0x2000003C);
    ck_assert_uint_eq(l->slack, 1);
    d = find_diff(l, GS_DIFF_SLACK, 0x20000020);
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(d->end, 0x2000003C);
    ck_assert_uint_eq(l->leaks, 1);
    d = find_diff(l, GS_DIFF_LEAK, 0x2000003C);
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(d->end, 0x20000100);
    ck_assert_int_eq(d->mpu_region, 0);
    ck_assert_ptr_nonnull(strstr(d->note, "kernel memory"));
    gs_layout_free(l);
}
END_TEST

/* Two processes; process 1 shares [0x20006800, +64) with process 0 through IPC. */
static void ipc_board(struct gs_process **p0, struct gs_process **p1)
{
    struct gs_grant_ctx c;
    uint32_t old, s, z;

    ck_assert_int_eq(gs_ipc_init(tb.k, &ipc, GS_IPC_DRIVER_NUM), GS_OK);
    tb.pool_start = 0x20004000;
    *p0 = tb_proc(&tb, 4096, "service");
    *p1 = tb_proc(&tb, 4096, "client");
    ck_assert_uint_eq((*p1)->memory_start, 0x20006000);
    ck_assert_int_eq(gs_process_brk(*p1, 0x20007000, &old), GS_OK);
    ck_assert_int_eq(gs_grant_enter(ipc.drv.grant, (*p1)->pid, &c), GS_OK);
    ck_assert_int_eq(gs_grant_set_allow(&c, true, (*p0)->index, 0x20006800, 64), GS_OK);
    gs_grant_leave(&c);
    (*p1)->hwm = 0x20006840;
    ck_assert_int_eq(gs_process_add_mpu_region(*p0, 0x20006800, 64, 64, &s, &z), GS_OK);
}

START_TEST(access_ipc_region_intended_then_stale)
{
    struct gs_process *p0, *p1;
    struct gs_grant_ctx c;
    struct gs_layout *l;
    const struct gs_layout_diff *d;

    ipc_board(&p0, &p1);
    l = build(p0);
    ck_assert_uint_eq(l->nipc, 1);
    ck_assert_int_eq(l->ipc[0].sharer, 1);
    ck_assert_str_eq(l->mpu[3].role, "IPC");
    ck_assert_uint_eq(l->mpu[3].rbar, 0x20006813);
    ck_assert_uint_eq(l->mpu[3].rasr, 0x1300000B);
    ck_assert_uint_eq(l->nintended, 3);
    ck_assert_uint_eq(l->intended[2].start, 0x20006800);
    ck_assert_uint_eq(l->intended[2].end, 0x20006840);
    ck_assert_ptr_nonnull(strstr(l->intended[2].what, "client"));
    ck_assert_uint_eq(l->leaks, 0);
    ck_assert_uint_eq(l->forbidden, 0);
    gs_layout_free(l);

    /* The client un-allows: the region stays mapped (tock#4371), now a leak. */
    ck_assert_int_eq(gs_grant_enter(ipc.drv.grant, p1->pid, &c), GS_OK);
    ck_assert_int_eq(gs_grant_set_allow(&c, true, p0->index, 0, 0), GS_OK);
    gs_grant_leave(&c);
    l = build(p0);
    ck_assert_int_eq(l->ipc[0].sharer, -1);
    ck_assert_str_eq(l->mpu[3].role, "IPC (stale)");
    ck_assert_uint_eq(l->nintended, 2);
    ck_assert_uint_eq(l->leaks, 1);
    d = find_diff(l, GS_DIFF_LEAK, 0x20006800);
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(d->end, 0x20006840);
    ck_assert_int_eq(d->mpu_region, 3);
    ck_assert_ptr_nonnull(strstr(d->note, "4371"));
    gs_layout_free(l);
}
END_TEST

START_TEST(anomalies_corrupted_counters_and_no_mpu_config)
{
    struct gs_layout *l;

    P = worked_example();
    tb.k->check_invariants = false;
    ck_assert_int_eq(
        gs_mem_store32(&tb.mem, 0x20005A58, 0x00FF0201, gs_powner(P, GS_OWN_GRANT_HDR, 0)), GS_OK);
    /* A stray tag inside the PCB. */
    ck_assert_int_eq(gs_mem_tag(&tb.mem, 0x20005B00, 4, gs_powner(P, GS_OWN_APP, 0)), GS_OK);
    l = build(P);
    ck_assert(!l->grants[0].counters_ok);
    ck_assert_uint_eq(l->grants[0].c_rw, 0xFF);
    ck_assert_uint_ge(l->nanomalies, 2);
    ck_assert_ptr_nonnull(strstr(l->anomalies[0], "0x20005B00"));
    ck_assert_ptr_nonnull(strstr(l->anomalies[1], "counters word 0x00FF0201"));
    gs_layout_free(l);

    P->has_mpu_config = false;
    l = build(P);
    ck_assert(!l->has_mpu);
    ck_assert_uint_eq(l->npermitted, 0);
    ck_assert_uint_eq(l->leaks, 0);
    ck_assert_uint_eq(l->forbidden, 2); /* app memory and flash */
    ck_assert_ptr_nonnull(strstr(l->anomalies[0], "no MPU config"));
    gs_layout_free(l);
}
END_TEST

START_TEST(build_rejects_bad_arguments)
{
    struct gs_layout *l = NULL;
    struct gs_process fake;

    P = worked_example();
    memset(&fake, 0, sizeof(fake));
    ck_assert_int_eq(gs_layout_build(NULL, P, &l), GS_E_ARG);
    ck_assert_int_eq(gs_layout_build(tb.k, NULL, &l), GS_E_ARG);
    ck_assert_int_eq(gs_layout_build(tb.k, P, NULL), GS_E_ARG);
    ck_assert_int_eq(gs_layout_build(tb.k, &fake, &l), GS_E_ARG);
    ck_assert_ptr_null(l);
    gs_layout_free(NULL);
}
END_TEST

/* ---- renderers ---- */

static char *render(const struct gs_layout *l,
                    void (*fn)(const struct gs_layout *, struct gs_sink *))
{
    struct gs_strbuf b = {0};
    struct gs_sink s;

    gs_strbuf_sink(&b, &s, false);
    fn(l, &s);
    ck_assert(!b.oom);
    ck_assert_ptr_nonnull(b.data);
    return b.data;
}

START_TEST(text_starts_with_upstream_printouts)
{
    struct gs_layout *l;
    struct gs_strbuf up = {0};
    struct gs_sink s;
    char *text;

    P = worked_example();
    l = build(P);
    gs_strbuf_sink(&up, &s, false);
    gs_print_overview(P, &s);
    gs_print_full_process(P, &s);
    text = render(l, gs_layout_print_text);
    ck_assert_msg(strncmp(text, up.data, up.len) == 0, "the text does not start with upstream's");
    /* The detailed map: high addresses first, MPU column, slack flag. */
    ck_assert_ptr_nonnull(strstr(text, "grantsim layout: process 0 \"blink\""));
    ck_assert_ptr_nonnull(strstr(text, "   0x20005F88  0x20006000      120  grant pointer table"));
    ck_assert_ptr_nonnull(
        strstr(text, "   0x20005A58  0x20005A5C        4  grant 0 [0x1] counters"));
    ck_assert_ptr_nonnull(
        strstr(text, "   0x20005100  0x20005200      256  unused                                   "
                     "R1 s0     rw- slack"));
    ck_assert(strstr(text, "0x20005F88  0x20006000") < strstr(text, "0x20004000  0x20005000"));
    /* Grant internals, custom grants, MPU, access. */
    ck_assert_ptr_nonnull(
        strstr(text, "upcall 0     appdata 0x0000ABCD  fn 0x00030101  -> app flash"));
    ck_assert_ptr_nonnull(strstr(text, "RO allow 1   ptr 0x00030200  len 16         -> app flash"));
    ck_assert_ptr_nonnull(strstr(text, "padding      4 bytes"));
    ck_assert_ptr_nonnull(strstr(text, "T            8 bytes: 44 33 22 11 00 00 00 00"));
    ck_assert_ptr_nonnull(strstr(text, "#1 at [0x20005A40, 0x20005A4A) 10 bytes"));
    ck_assert_ptr_nonnull(strstr(text, "RBAR 0x20005011  RASR 0x1300FE17"));
    ck_assert_ptr_nonnull(strstr(text, "differences: 0 leaks, 0 forbidden, 1 expected slack"));
    ck_assert_ptr_nonnull(strstr(text, "Anomalies (layout vs shadow map vs grant table): none"));
    free(text);
    gs_strbuf_free(&up);
    gs_layout_free(l);
}
END_TEST

static json_t *parse_json(const char *text)
{
    json_error_t err;
    json_t *j = json_loads(text, 0, &err);

    ck_assert_msg(j != NULL, "JSON error line %d col %d: %s", err.line, err.column, err.text);
    return j;
}

static json_int_t jint(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);

    ck_assert_msg(json_is_integer(v), "\"%s\" is not an integer", key);
    return json_integer_value(v);
}

static const char *jstr(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);

    ck_assert_msg(json_is_string(v), "\"%s\" is not a string", key);
    return json_string_value(v);
}

START_TEST(json_round_trips_the_model)
{
    struct gs_layout *l;
    char *text;
    json_t *j, *regions, *r, *g, *dec, *mpu, *acc, *d;

    P = worked_example();
    l = build(P);
    text = render(l, gs_layout_print_json);
    j = parse_json(text);
    ck_assert_int_eq(jint(j, "grantsim_layout"), 1);
    ck_assert_int_eq(jint(json_object_get(j, "process"), "app_break"), 0x20005100);
    ck_assert_int_eq(jint(json_object_get(j, "process"), "kernel_break"), 0x20005A40);
    ck_assert_str_eq(jstr(json_object_get(j, "process"), "name"), "blink");
    regions = json_object_get(j, "regions");
    ck_assert_uint_eq(json_array_size(regions), l->nregions);
    for (unsigned i = 0; i < l->nregions; i++) {
        r = json_array_get(regions, i);
        ck_assert_int_eq(jint(r, "start"), l->regions[i].start);
        ck_assert_int_eq(jint(r, "size"), l->regions[i].size);
        ck_assert_int_eq(jint(r, "end"), (json_int_t)l->regions[i].start + l->regions[i].size);
        ck_assert_str_eq(jstr(r, "kind"), gs_owner_kind_name(l->regions[i].kind));
        ck_assert_int_eq(jint(r, "owner_tag"), l->regions[i].owner);
    }
    r = json_array_get(regions, 2);
    ck_assert_int_eq(jint(json_object_get(r, "mpu"), "region"), 1);
    ck_assert_str_eq(jstr(json_object_get(r, "mpu"), "rights"), "rw-");
    ck_assert(json_is_null(json_object_get(json_array_get(regions, 3), "grant")));
    ck_assert_int_eq(jint(json_array_get(regions, 6), "grant"), 0);
    ck_assert_int_eq(jint(json_array_get(regions, 6), "driver"), 1);
    ck_assert_int_eq(jint(json_array_get(regions, 4), "custom"), 1);

    g = json_array_get(json_object_get(j, "grants"), 0);
    ck_assert(json_is_true(json_object_get(g, "allocated")));
    ck_assert_int_eq(jint(g, "base"), 0x20005A58);
    dec = json_object_get(g, "decoded");
    ck_assert(json_is_object(dec));
    ck_assert_int_eq(jint(json_object_get(dec, "counters"), "raw"), 0x00010201);
    ck_assert_int_eq(jint(json_array_get(json_object_get(dec, "upcalls"), 0), "fn"), 0x00030101);
    ck_assert_str_eq(jstr(json_array_get(json_object_get(dec, "ro"), 1), "target"), "app flash");
    ck_assert_int_eq(jint(json_object_get(dec, "padding"), "size"), 4);
    ck_assert_str_eq(jstr(json_object_get(dec, "t"), "bytes"), "4433221100000000");
    g = json_array_get(json_object_get(j, "grants"), 1);
    ck_assert(json_is_false(json_object_get(g, "allocated")));
    ck_assert(json_is_false(json_object_get(g, "decoded")));
    ck_assert_int_eq(jint(json_array_get(json_object_get(j, "custom_grants"), 0), "start"),
                     0x20005A40);

    mpu = json_object_get(j, "mpu");
    ck_assert_int_eq(jint(mpu, "slack_end"), 0x20005200);
    r = json_array_get(json_object_get(mpu, "regions"), 1);
    ck_assert_int_eq(jint(r, "rasr"), 0x1300FE17);
    ck_assert_str_eq(jstr(r, "role"), "app RAM");
    ck_assert_int_eq(jint(json_array_get(json_object_get(r, "enabled_subregions"), 0), "end"),
                     0x20005200);
    ck_assert(json_is_null(
        json_object_get(json_array_get(json_object_get(mpu, "regions"), 5), "logical")));

    acc = json_object_get(j, "access");
    ck_assert_int_eq(jint(acc, "leaks"), 0);
    ck_assert_int_eq(jint(acc, "slack"), 1);
    ck_assert_uint_eq(json_array_size(json_object_get(acc, "intended")), 2);
    d = json_array_get(json_object_get(acc, "differences"), 0);
    ck_assert_str_eq(jstr(d, "kind"), "slack");
    ck_assert_int_eq(jint(d, "start"), 0x20005100);
    ck_assert_int_eq(jint(d, "end"), 0x20005200);
    ck_assert_int_eq(jint(d, "mpu_region"), 1);
    ck_assert_uint_eq(json_array_size(json_object_get(j, "anomalies")), 0);
    json_decref(j);
    free(text);
    gs_layout_free(l);
}
END_TEST

START_TEST(json_escapes_hostile_names)
{
    struct gs_app_info a;
    struct gs_process *p = NULL;
    struct gs_layout *l;
    char *text;
    json_t *j;
    static const char name[] = "a\"b\\c\n\x01\xff\xc3\xa9<&>";

    make_grants(&tb);
    a = tb_app(&tb, 0x2000, 4096, name);
    ck_assert_int_eq(gs_process_create(tb.k, &a, &tb.pool_start, &tb.pool_len, &p), GS_OK);
    l = build(p);
    text = render(l, gs_layout_print_json);
    j = parse_json(text);
    /* Valid UTF-8 (é) passes through, the invalid byte becomes U+FFFD. */
    ck_assert_str_eq(jstr(json_object_get(j, "process"), "name"),
                     "a\"b\\c\n\x01\xef\xbf\xbd\xc3\xa9<&>");
    json_decref(j);
    free(text);
    gs_layout_free(l);
}
END_TEST

/*
 * A minimal XML well-formedness check: balanced tags, one root, quoted and
 * unique attributes, known entities, no '<' or '&' loose in text. Returns
 * NULL or what is wrong.
 */
static const char *xml_check(const char *x)
{
    char stack[64][32];
    int depth = 0, roots = 0;
    const char *p = x;

    if (!strncmp(p, "<?xml", 5)) {
        p = strstr(p, "?>");
        if (!p)
            return "unterminated XML declaration";
        p += 2;
    }
    while (*p) {
        if (*p == '&') {
            if (strncmp(p, "&amp;", 5) && strncmp(p, "&lt;", 4) && strncmp(p, "&gt;", 4) &&
                strncmp(p, "&quot;", 6) && strncmp(p, "&apos;", 6))
                return "unknown entity";
            p++;
            continue;
        }
        if (*p != '<') {
            if (*p == '>')
                return "loose '>'";
            p++;
            continue;
        }
        if (p[1] == '/') {
            const char *e = strchr(p, '>');
            size_t n;
            if (!e || depth == 0)
                return "unbalanced close tag";
            n = (size_t)(e - p - 2);
            if (n != strlen(stack[depth - 1]) || strncmp(p + 2, stack[depth - 1], n))
                return "mismatched close tag";
            depth--;
            p = e + 1;
            continue;
        }
        {
            char name[32], attrs[32][32];
            int nattrs = 0;
            size_t n = 0;
            p++;
            while (*p && *p != ' ' && *p != '>' && *p != '/' && *p != '\n' && n < 31)
                name[n++] = *p++;
            name[n] = '\0';
            if (!n)
                return "empty tag name";
            for (;;) {
                char an[32];
                size_t k = 0;
                while (*p == ' ' || *p == '\n')
                    p++;
                if (*p == '>' || (p[0] == '/' && p[1] == '>'))
                    break;
                while (*p && *p != '=' && *p != ' ' && k < 31)
                    an[k++] = *p++;
                an[k] = '\0';
                if (*p != '=' || p[1] != '"')
                    return "attribute without a quoted value";
                p += 2;
                while (*p && *p != '"') {
                    if (*p == '<')
                        return "'<' in an attribute value";
                    p++;
                }
                if (!*p)
                    return "unterminated attribute value";
                p++;
                for (int i = 0; i < nattrs; i++)
                    if (!strcmp(attrs[i], an))
                        return "duplicate attribute";
                if (nattrs < 32)
                    snprintf(attrs[nattrs++], sizeof(attrs[0]), "%s", an);
            }
            if (depth == 0)
                roots++;
            if (*p == '/') {
                p += 2;
                continue;
            }
            p++;
            if (depth == 64)
                return "too deep";
            snprintf(stack[depth++], sizeof(stack[0]), "%s", name);
        }
    }
    if (depth)
        return "unclosed element";
    if (roots != 1)
        return "not exactly one root element";
    return NULL;
}

static unsigned count(const char *hay, const char *needle)
{
    unsigned n = 0;

    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

START_TEST(svg_is_well_formed_with_one_rect_per_region)
{
    struct gs_layout *l;
    char *svg;
    const char *err;

    P = worked_example();
    tb.k->check_invariants = false;
    P->mpu_cfg.regions[1].rasr = (P->mpu_cfg.regions[1].rasr & ~0xFF00u) | (0xDEu << 8);
    l = build(P);
    svg = render(l, gs_layout_print_svg);
    err = xml_check(svg);
    ck_assert_msg(err == NULL, "SVG is not well-formed: %s", err ? err : "");
    ck_assert_ptr_nonnull(strstr(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
    ck_assert_uint_eq(count(svg, "<rect class=\"region "), l->nregions);
    ck_assert_uint_eq(count(svg, "<rect class=\"flash-part\""), l->nflash);
    ck_assert_uint_eq(count(svg, "<rect class=\"diff diff-leak\""), 2);
    ck_assert_uint_eq(count(svg, "<rect class=\"diff diff-slack\""), 1);
    ck_assert_ptr_nonnull(strstr(svg, "data-start=\"0x20005A58\""));
    ck_assert_ptr_nonnull(strstr(svg, "class=\"mpu-run\""));
    ck_assert_ptr_nonnull(strstr(svg, "logarithmic"));
    /* Self-contained: no external references or scripts. */
    ck_assert_ptr_null(strstr(svg, "<script"));
    ck_assert_ptr_null(strstr(svg, "href"));
    free(svg);
    gs_layout_free(l);

    /* The checker itself catches what it claims to. */
    ck_assert_ptr_nonnull(xml_check("<a><b></a></b>"));
    ck_assert_ptr_nonnull(xml_check("<a x=\"1\" x=\"2\"/>"));
    ck_assert_ptr_nonnull(xml_check("<a>&nbsp;</a>"));
    ck_assert_ptr_nonnull(xml_check("<a/><b/>"));
    ck_assert_ptr_null(xml_check("<?xml version=\"1.0\"?>\n<a x=\"&amp;\"><b/>t&lt;</a>\n"));
}
END_TEST

/* ---- explain ---- */

static struct gs_explain ex(uint32_t addr)
{
    struct gs_explain e;

    ck_assert_int_eq(gs_explain(tb.k, addr, &e), GS_OK);
    ck_assert_uint_eq(e.addr, addr);
    return e;
}

struct want_explain {
    uint32_t addr;
    enum gs_owner_kind kind;
    int grant;
    const char *detail; /* substring */
    uint32_t obj_start;
};

START_TEST(explain_names_every_owner_kind)
{
    static const struct want_explain want[] = {
        {0x20004100, GS_OWN_APP, -1, "memory_start + 0x100", 0x20004000},
        {0x20005150, GS_OWN_UNUSED, -1, "byte 80 of 2368", 0x20005100},
        {0x20005A41, GS_OWN_CUSTOM, -1, "custom grant #1, byte 1 of 10", 0x20005A40},
        {0x20005A50, GS_OWN_KERNEL_SLACK, -1, "byte 6 of 14", 0x20005A4A},
        {0x20005A59, GS_OWN_GRANT_HDR, 0, "counters word, byte 1 (number of RO allows)",
         0x20005A58},
        {0x20005A60, GS_OWN_GRANT_UPCALLS, 0, "upcall slot 0, fn_ptr, byte 0", 0x20005A5C},
        {0x20005A6C, GS_OWN_GRANT_RO, 0, "RO allow slot 1, ptr, byte 0", 0x20005A64},
        {0x20005A79, GS_OWN_GRANT_RW, 0, "RW allow slot 0, len, byte 1", 0x20005A74},
        {0x20005A7D, GS_OWN_GRANT_PAD, 0, "padding before T, byte 1", 0x20005A7C},
        {0x20005A82, GS_OWN_GRANT_T, 0, "T, byte 2 of 8", 0x20005A80},
        {0x20005AAC, GS_OWN_GRANT_T, 3, "T, byte 4 of 8", 0x20005AA8},
        {0x20005B00, GS_OWN_PCB, -1, "byte 80 of 920", 0x20005AB0},
        {0x20005E68, GS_OWN_TASKQ, -1, "task slot 1, byte 0", 0x20005E48},
        {0x20005F94, GS_OWN_GRANT_TABLE, -1, "entry 1, grant_ptr, byte 0", 0x20005F88},
        {0x20010000, GS_OWN_NONE, -1, "byte", 0x20006000},
    };

    P = worked_example();
    for (unsigned i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        struct gs_explain e = ex(want[i].addr);
        ck_assert_int_eq(e.area, GS_EXPLAIN_RAM);
        ck_assert_msg(gs_owner_kind(e.owner) == want[i].kind, "0x%08x: kind %s", want[i].addr,
                      gs_owner_kind_name(gs_owner_kind(e.owner)));
        ck_assert_int_eq(e.proc, want[i].kind == GS_OWN_NONE ? -1 : 0);
        ck_assert_int_eq(e.grant, want[i].grant);
        ck_assert_msg(strstr(e.detail, want[i].detail) != NULL, "0x%08x: detail \"%s\"",
                      want[i].addr, e.detail);
        ck_assert_msg(e.obj_start == want[i].obj_start, "0x%08x: object at 0x%08x", want[i].addr,
                      e.obj_start);
        if (want[i].grant >= 0) {
            ck_assert_uint_eq(e.driver, want[i].grant == 0 ? 0x1 : 0x1003);
            ck_assert_uint_eq(e.grant_base, want[i].grant == 0 ? 0x20005A58 : 0x20005A8C);
        }
        ck_assert_uint_eq(e.nreach, 1);
    }
}
END_TEST

START_TEST(explain_reach_and_flash)
{
    struct gs_explain e;

    P = worked_example();
    /* App memory: reachable and intended. */
    e = ex(0x20004100);
    ck_assert_int_eq(e.reach[0].mpu_region, 0);
    ck_assert_int_eq(e.reach[0].subregion, 0);
    ck_assert_uint_eq(e.reach[0].rights, GS_ACC_READ | GS_ACC_WRITE);
    ck_assert_uint_eq(e.reach[0].intended, GS_ACC_READ | GS_ACC_WRITE);
    /* Expected slack: reachable, not intended, labelled. */
    e = ex(0x20005150);
    ck_assert_int_eq(e.reach[0].mpu_region, 1);
    ck_assert_uint_eq(e.reach[0].intended, 0);
    ck_assert_ptr_nonnull(strstr(e.reach[0].intended_what, "subregion rounding"));
    /* A grant: neither. */
    e = ex(0x20005A60);
    ck_assert_int_eq(e.reach[0].mpu_region, -1);
    ck_assert_uint_eq(e.reach[0].rights, 0);
    ck_assert_uint_eq(e.reach[0].intended, 0);
    /* Flash: header, binary, footers, outside every TBF, not memory. */
    e = ex(0x00030010);
    ck_assert_int_eq(e.area, GS_EXPLAIN_FLASH);
    ck_assert_int_eq(e.proc, 0);
    ck_assert_str_eq(e.flash_part, "TBF header");
    ck_assert_uint_eq(e.tbf_offset, 0x10);
    ck_assert_int_eq(e.reach[0].mpu_region, 2);
    ck_assert_uint_eq(e.reach[0].rights, GS_ACC_READ | GS_ACC_EXEC);
    ck_assert_uint_eq(e.reach[0].intended, GS_ACC_READ | GS_ACC_EXEC);
    e = ex(0x00030100);
    ck_assert_str_eq(e.flash_part, "binary");
    e = ex(0x00031F10);
    ck_assert_str_eq(e.flash_part, "footers");
    e = ex(0x00038000);
    ck_assert_int_eq(e.area, GS_EXPLAIN_FLASH);
    ck_assert_int_eq(e.proc, -1);
    ck_assert_uint_eq(e.reach[0].rights, 0);
    e = ex(0x40000000);
    ck_assert_int_eq(e.area, GS_EXPLAIN_OTHER);
    ck_assert_int_eq(e.proc, -1);
    /* A planted leak shows in explain too. */
    tb.k->check_invariants = false;
    P->mpu_cfg.regions[1].rasr = (P->mpu_cfg.regions[1].rasr & ~0xFF00u) | (0xDEu << 8);
    e = ex(0x20005A60);
    ck_assert_int_eq(e.reach[0].mpu_region, 1);
    ck_assert_int_eq(e.reach[0].subregion, 5);
    ck_assert_uint_eq(e.reach[0].rights, GS_ACC_READ | GS_ACC_WRITE);
    ck_assert_uint_eq(e.reach[0].intended, 0);
    ck_assert_str_eq(e.reach[0].intended_what, "");
    ck_assert_int_eq(gs_explain(NULL, 0, &e), GS_E_ARG);
    ck_assert_int_eq(gs_explain(tb.k, 0, NULL), GS_E_ARG);
}
END_TEST

START_TEST(explain_ipc_buffer_and_freed_memory)
{
    struct gs_process *p0, *p1;
    struct gs_explain e;
    struct gs_strbuf b = {0};
    struct gs_sink s;
    json_t *j;
    uint32_t g3;

    ipc_board(&p0, &p1);
    /* The shared buffer: app memory of the client, reachable by both. */
    e = ex(0x20006810);
    ck_assert_int_eq(gs_owner_kind(e.owner), GS_OWN_APP);
    ck_assert_int_eq(e.proc, 1);
    ck_assert_uint_eq(e.nreach, 2);
    ck_assert_int_eq(e.reach[0].mpu_region, 3);
    ck_assert_uint_eq(e.reach[0].rights, GS_ACC_READ | GS_ACC_WRITE);
    ck_assert_uint_eq(e.reach[0].intended, GS_ACC_READ | GS_ACC_WRITE);
    ck_assert_ptr_nonnull(strstr(e.reach[0].intended_what, "IPC buffer"));
    ck_assert_int_eq(e.reach[1].mpu_region, 0);
    ck_assert_uint_eq(e.reach[1].intended, GS_ACC_READ | GS_ACC_WRITE);
    /* Renders as text and as JSON. */
    gs_strbuf_sink(&b, &s, false);
    gs_explain_print_text(&e, &s);
    ck_assert_ptr_nonnull(strstr(b.data, "0x20006810: RAM"));
    ck_assert_ptr_nonnull(strstr(b.data, "process 0 service"));
    gs_strbuf_free(&b);
    gs_strbuf_sink(&b, &s, false);
    gs_explain_print_json(&e, &s);
    j = parse_json(b.data);
    ck_assert_int_eq(jint(j, "address"), 0x20006810);
    ck_assert_str_eq(jstr(j, "kind"), "app");
    ck_assert_str_eq(jstr(json_array_get(json_object_get(j, "reach"), 0), "verdict"), "ok");
    ck_assert_int_eq(jint(json_array_get(json_object_get(j, "reach"), 0), "mpu_region"), 3);
    json_decref(j);
    gs_strbuf_free(&b);

    /* Terminate the client: its IPC grant's memory is released. */
    g3 = 0;
    {
        uint32_t d;
        ck_assert_int_eq(gs_process_grant_entry(p1, ipc.drv.grant->num, &d, &g3), GS_OK);
    }
    ck_assert_uint_ne(g3, 0);
    gs_process_terminate(p1, true, 0);
    e = ex(g3 + 4);
    ck_assert_int_eq(gs_owner_kind(e.owner), GS_OWN_FREED);
    ck_assert_int_eq(e.proc, 1);
    ck_assert_int_eq(e.grant, -1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("layout");
    TCase *tc = tb_tcase("layout");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, model_worked_example);
    tcase_add_test(tc, access_healthy_has_only_expected_slack);
    tcase_add_test(tc, access_extra_subregion_over_kernel_break_is_a_leak);
    tcase_add_test(tc, access_app_memory_hidden_is_forbidden);
    tcase_add_test(tc, access_doubling_bug_leaks_in_22_only);
    tcase_add_test(tc, access_ipc_region_intended_then_stale);
    tcase_add_test(tc, anomalies_corrupted_counters_and_no_mpu_config);
    tcase_add_test(tc, build_rejects_bad_arguments);
    tcase_add_test(tc, text_starts_with_upstream_printouts);
    tcase_add_test(tc, json_round_trips_the_model);
    tcase_add_test(tc, json_escapes_hostile_names);
    tcase_add_test(tc, svg_is_well_formed_with_one_rect_per_region);
    tcase_add_test(tc, explain_names_every_owner_kind);
    tcase_add_test(tc, explain_reach_and_flash);
    tcase_add_test(tc, explain_ipc_buffer_and_freed_memory);
    suite_add_tcase(s, tc);
    return tb_run(s);
}
