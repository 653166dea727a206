/* SPDX-License-Identifier: MIT */
/* Grants (TOCK-REFERENCE section 2): layout, enter/leave, custom grants, iteration. */
#include <string.h>

#include "helpers.h"

static struct tboard tb;

static void setup(void)
{
    tb_init(&tb, NULL);
}

static void teardown(void)
{
    tb_free(&tb);
}

static struct gs_grant *mkgrant(uint32_t driver, uint32_t nu, uint32_t nro, uint32_t nrw,
                                uint32_t tsize, uint32_t talign, const void *tdef)
{
    struct gs_grant_shape s = {
        .t_size = tsize, .t_align = talign, .n_upcalls = nu, .n_ro = nro, .n_rw = nrw};
    struct gs_grant *g = NULL;

    ck_assert_int_eq(gs_grant_create(tb.k, driver, &s, tdef, &g), GS_OK);
    return g;
}

/* Hand-computed sizes: {nU, nRO, nRW, |T|, align(T)} -> {size, align, offset of T}. */
static const struct {
    uint32_t nu, nro, nrw, t, ta;
    uint32_t size, align, toff;
} layouts[] = {
    {0, 0, 0, 0, 1, 4, 4, 4},     /* counters word only */
    {1, 1, 1, 8, 4, 36, 4, 28},   /* 4 + 24, T at 28 */
    {2, 0, 0, 8, 8, 32, 8, 24},   /* kms 20, 4 bytes of padding */
    {3, 0, 0, 1, 1, 29, 4, 28},   /* total not rounded to the alignment */
    {1, 0, 0, 0, 16, 16, 16, 16}, /* zero-sized T after padding, at the end */
    {0, 0, 0, 16, 4096, 4112, 4096, 4096},
    {0, 0, 0, 4096, 4096, 8192, 4096, 4096},
    {255, 255, 255, 0, 1, 6124, 4, 6124},
    {255, 0, 0, 4, 4, 2048, 4, 2044},
    {4, 1, 4, 0, 1, 76, 4, 76}, /* IPC with NUM_PROCS = 4: 4 + 8NP + 8 + 8NP */
    {0, 2, 0, 12, 2, 32, 4, 20},
};

START_TEST(layout_table)
{
    for (unsigned i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
        struct gs_grant_shape s = {.t_size = layouts[i].t,
                                   .t_align = layouts[i].ta,
                                   .n_upcalls = layouts[i].nu,
                                   .n_ro = layouts[i].nro,
                                   .n_rw = layouts[i].nrw};
        ck_assert_msg(gs_grant_layout_size(&s) == layouts[i].size, "row %u size %u", i,
                      gs_grant_layout_size(&s));
        ck_assert_msg(gs_grant_layout_align(&s) == layouts[i].align, "row %u align", i);
        ck_assert_msg(gs_grant_layout_t_offset(&s) == layouts[i].toff, "row %u offset", i);
    }
}
END_TEST

/* Structural properties over every (counts, |T|, align) in a wide grid. */
START_TEST(layout_properties)
{
    static const uint32_t counts[] = {0, 1, 2, 3, 7, 254, 255};
    for (uint32_t a = 1; a <= 4096; a <<= 1)
        for (unsigned u = 0; u < 7; u++)
            for (unsigned r = 0; r < 7; r += 2)
                for (uint32_t t = 0; t <= 3 * a; t += a) {
                    struct gs_grant_shape s = {.t_size = t,
                                               .t_align = a,
                                               .n_upcalls = counts[u],
                                               .n_ro = counts[r],
                                               .n_rw = counts[6 - r]};
                    uint32_t kms = 4 + 8 * (s.n_upcalls + s.n_ro + s.n_rw);
                    uint32_t size = gs_grant_layout_size(&s), off = gs_grant_layout_t_offset(&s);
                    uint32_t al = gs_grant_layout_align(&s);
                    ck_assert(gs_grant_shape_valid(&s));
                    ck_assert_uint_eq(off + t, size); /* T at the very end */
                    ck_assert_uint_ge(off, kms);      /* after the slots */
                    ck_assert_uint_lt(off - kms, a);  /* less than one alignment of padding */
                    ck_assert_uint_eq(off % a, 0);    /* T aligned when the base is */
                    ck_assert_uint_eq(al % a, 0);
                    ck_assert_uint_ge(al, 4);
                }
}
END_TEST

START_TEST(shape_validation)
{
    struct gs_grant_shape s = {.t_size = 4, .t_align = 4, .n_upcalls = 256};
    struct gs_grant *g;

    ck_assert_int_eq(gs_grant_create(tb.k, 1, &s, NULL, &g), GS_E_ARG);
    s.n_upcalls = 0;
    s.t_align = 3;
    ck_assert_int_eq(gs_grant_create(tb.k, 1, &s, NULL, &g), GS_E_ARG);
    s.t_align = 8; /* |T| must be a multiple of align(T) */
    ck_assert_int_eq(gs_grant_create(tb.k, 1, &s, NULL, &g), GS_E_ARG);
    ck_assert_int_eq(gs_grant_create(tb.k, 1, NULL, NULL, &g), GS_E_ARG);
    ck_assert_int_eq(tb.k->grant_count, 0);
}
END_TEST

START_TEST(create_numbers_in_order)
{
    struct gs_grant *a = mkgrant(0x1, 1, 0, 0, 4, 4, NULL);
    struct gs_grant *b = mkgrant(0x2, 1, 0, 0, 4, 4, NULL);

    ck_assert_uint_eq(a->num, 0);
    ck_assert_uint_eq(b->num, 1);
    ck_assert_ptr_eq(gs_kernel_grant(tb.k, 1), b);
    ck_assert_ptr_eq(gs_kernel_grant_for_driver(tb.k, 0x1), a);
    ck_assert_ptr_null(gs_kernel_grant(tb.k, 2));
}
END_TEST

START_TEST(first_enter_allocates_and_initialises)
{
    static const uint8_t tdef[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    struct gs_grant *g = mkgrant(0x42, 2, 1, 3, 8, 8, tdef);
    struct gs_process *p;
    struct gs_grant_ctx ctx;
    uint32_t d, ptr, appdata, fn;
    uint8_t *ram = gs_mem_host_ptr(&tb.mem, TB_RAM_BASE, TB_RAM_SIZE);

    memset(ram, 0xEE, TB_RAM_SIZE);
    p = tb_proc(&tb, 1024, "g");
    ck_assert_uint_eq(g->size, 4 + 8 * 6 + 4 + 8); /* kms 52, pad 4, T 8 */
    ck_assert_int_eq(gs_grant_enter(g, p->pid, &ctx), GS_OK);
    ck_assert_uint_eq(tb.rec.events[GS_EV_GRANT_ALLOCATED], 1);
    ck_assert_uint_eq(ctx.base, p->pcb - 64);
    ck_assert_uint_eq(ctx.base % 8, 0);
    /* Entered: bit 0 of the table pointer is set. */
    gs_process_grant_entry(p, 0, &d, &ptr);
    ck_assert_uint_eq(d, 0x42);
    ck_assert_uint_eq(ptr, ctx.base | 1);
    /* Counters word 0x00030102, slots zero, padding untouched, T from the default. */
    ck_assert_uint_eq(gs_kload32(tb.k, ctx.base), 0x00030102);
    for (uint32_t off = 4; off < 52; off += 4)
        ck_assert_uint_eq(gs_kload32(tb.k, ctx.base + off), 0);
    ck_assert_uint_eq(gs_kload32(tb.k, ctx.base + 52), 0xEEEEEEEE);
    ck_assert_uint_eq(ctx.t_addr, ctx.base + 56);
    ck_assert_uint_eq(gs_kload32(tb.k, ctx.t_addr), 0x04030201);
    ck_assert_uint_eq(ctx.n_upcalls, 2);
    ck_assert_uint_eq(ctx.n_ro, 1);
    ck_assert_uint_eq(ctx.n_rw, 3);
    /* Slots. */
    ck_assert_int_eq(gs_grant_set_upcall(&ctx, 1, 0xAA, 0x30101), GS_OK);
    ck_assert_int_eq(gs_grant_get_upcall(&ctx, 1, &appdata, &fn), GS_OK);
    ck_assert_uint_eq(appdata, 0xAA);
    ck_assert_uint_eq(fn, 0x30101);
    ck_assert_uint_eq(gs_kload32(tb.k, ctx.base + 4 + 8 + 4), 0x30101);
    ck_assert_int_eq(gs_grant_set_upcall(&ctx, 2, 0, 0), GS_E_ARG);
    /* A valid buffer, with the high-water mark raised as allow() does. */
    ck_assert_int_eq(gs_grant_set_allow(&ctx, true, 2, p->memory_start, 16), GS_OK);
    p->hwm = p->memory_start + 16;
    ck_assert_uint_eq(gs_kload32(tb.k, ctx.base + 4 + 16 + 8 + 16), p->memory_start);
    ck_assert_int_eq(gs_grant_set_allow(&ctx, true, 3, 0, 0), GS_E_ARG);
    ck_assert_int_eq(gs_grant_set_allow(&ctx, false, 1, 0, 0), GS_E_ARG);
    gs_grant_leave(&ctx);
    gs_process_grant_entry(p, 0, &d, &ptr);
    ck_assert_uint_eq(ptr, ctx.base);
    /* The second enter does not allocate again and sees the saved slots. */
    ck_assert_int_eq(gs_grant_enter(g, p->pid, &ctx), GS_OK);
    ck_assert_uint_eq(tb.rec.events[GS_EV_GRANT_ALLOCATED], 1);
    ck_assert_int_eq(gs_grant_get_upcall(&ctx, 1, &appdata, &fn), GS_OK);
    ck_assert_uint_eq(fn, 0x30101);
    gs_grant_leave(&ctx);
    {
        unsigned v = tb_check(&tb);
        ck_assert_msg(v == 0, "%u violations, last: %s", v, tb.rec.last_finding_text);
    }
    ck_assert_uint_eq(tb.rec.findings[GS_FIND_OWNERSHIP], 0);
}
END_TEST

START_TEST(reenter_panics_try_enter_does_not)
{
    struct gs_grant *g = mkgrant(0x42, 1, 0, 0, 4, 4, NULL);
    struct gs_process *p = tb_proc(&tb, 1024, "r");
    struct gs_grant_ctx a, b;

    ck_assert_int_eq(gs_grant_enter(g, p->pid, &a), GS_OK);
    ck_assert_int_eq(gs_grant_try_enter(g, p->pid, &b), GS_E_ALREADY_IN_USE);
    ck_assert(!tb.k->panicked);
    /* A quiescent check now sees the grant still entered. */
    ck_assert_uint_eq(gs_invariants_check(tb.k, GS_INV_QUIESCENT), 1);
    ck_assert_str_eq(tb.rec.last_finding_site, "grant-entered");
    ck_assert_int_eq(gs_grant_enter(g, p->pid, &b), GS_E_PANIC);
    ck_assert(tb.k->panicked);
    ck_assert_str_eq(tb.rec.last_panic, "Attempted to re-enter a grant region.");
    ck_assert_uint_eq(tb.rec.findings[GS_FIND_PANIC], 1);
    /* Everything after the panic refuses. */
    ck_assert_int_eq(gs_grant_try_enter(g, p->pid, &b), GS_E_PANIC);
}
END_TEST

START_TEST(enter_errors)
{
    struct gs_grant *g = mkgrant(0x42, 1, 0, 0, 4, 4, NULL);
    struct gs_grant *big = mkgrant(0x43, 0, 0, 0, 0x10000, 4, NULL);
    struct gs_grant *dup = mkgrant(0x42, 0, 0, 0, 0, 1, NULL);
    struct gs_process *p = tb_proc(&tb, 1024, "e");
    struct gs_pid stale = p->pid, nobody = {.index = 3, .id = 0};
    struct gs_grant_ctx ctx;

    ck_assert_int_eq(gs_grant_enter(g, nobody, &ctx), GS_E_NO_SUCH_APP);
    ck_assert_int_eq(gs_grant_enter(big, p->pid, &ctx), GS_E_OUT_OF_MEMORY);
    ck_assert_int_eq(gs_grant_enter(g, p->pid, &ctx), GS_OK);
    gs_grant_leave(&ctx);
    /* A second grant for the same driver number cannot be allocated in the same process. */
    ck_assert_int_eq(gs_grant_enter(dup, p->pid, &ctx), GS_E_OUT_OF_MEMORY);
    gs_process_try_restart(p, false, 0);
    ck_assert_int_eq(gs_grant_enter(g, stale, &ctx), GS_E_NO_SUCH_APP);
    gs_process_terminate(p, false, 0);
    ck_assert_int_eq(gs_grant_enter(g, p->pid, &ctx), GS_E_INACTIVE_APP);
    ck_assert_int_eq(gs_grant_enter(NULL, p->pid, &ctx), GS_E_ARG);
    gs_grant_leave(NULL);
}
END_TEST

struct visit {
    unsigned n;
    unsigned idx[4];
};

static bool visit_fn(struct gs_grant_ctx *ctx, void *arg)
{
    struct visit *v = arg;
    uint32_t d, ptr;

    gs_process_grant_entry(ctx->p, ctx->g->num, &d, &ptr);
    ck_assert_uint_eq(ptr & 1, 1); /* entered during the callback */
    v->idx[v->n++] = ctx->p->index;
    return true;
}

START_TEST(each_visits_allocated_only)
{
    struct gs_grant *g = mkgrant(0x7, 1, 0, 0, 4, 4, NULL);
    struct gs_process *p0 = tb_proc(&tb, 1024, "a");
    struct gs_process *p1 = tb_proc(&tb, 1024, "b");
    struct gs_process *p2 = tb_proc(&tb, 1024, "c");
    struct gs_grant_ctx ctx;
    struct visit v = {0};
    unsigned cursor = 0;
    struct gs_pid pid;

    (void)p1;
    for (unsigned i = 0; i < 2; i++) {
        struct gs_process *p = i ? p0 : p2;
        ck_assert_int_eq(gs_grant_enter(g, p->pid, &ctx), GS_OK);
        gs_grant_leave(&ctx);
    }
    ck_assert_int_eq(gs_grant_each(g, visit_fn, &v), GS_OK);
    ck_assert_uint_eq(v.n, 2);
    ck_assert_uint_eq(v.idx[0], 0);
    ck_assert_uint_eq(v.idx[1], 2);
    ck_assert(gs_grant_iter_next(g, &cursor, &pid));
    ck_assert_uint_eq(pid.index, 0);
    ck_assert(gs_grant_iter_next(g, &cursor, &pid));
    ck_assert_uint_eq(pid.index, 2);
    ck_assert(!gs_grant_iter_next(g, &cursor, &pid));
    /* Iteration never allocated the grant for p1. */
    ck_assert_int_eq(gs_process_grant_is_allocated(p1, 0), 0);
    ck_assert_uint_eq(tb_check(&tb), 0);
}
END_TEST

START_TEST(custom_grants)
{
    struct gs_grant *g = mkgrant(0x7, 1, 0, 0, 4, 4, NULL);
    struct gs_process *p = tb_proc(&tb, 1024, "c");
    struct gs_grant_ctx ctx, plain;
    struct gs_custom_grant cg, cg2;
    static const uint32_t init[3] = {0x11111111, 0x22222222, 0x33333333};
    uint32_t addr;

    ck_assert_int_eq(gs_grant_enter(g, p->pid, &plain), GS_OK);
    ck_assert_int_eq(gs_grant_alloc_custom(&plain, 1, 4, 4, NULL, &cg), GS_E_ARG);
    gs_grant_leave(&plain);
    ck_assert_int_eq(gs_grant_enter_with_allocator(g, p->pid, &ctx), GS_OK);
    ck_assert_int_eq(gs_grant_alloc_custom(&ctx, 3, 4, 4, init, &cg), GS_OK);
    ck_assert_int_eq(gs_grant_alloc_custom(&ctx, 0x40000000, 8, 4, NULL, &cg2),
                     GS_E_OUT_OF_MEMORY); /* n * size overflows */
    ck_assert_int_eq(gs_grant_alloc_custom(&ctx, 1, 0x100000, 4, NULL, &cg2), GS_E_OUT_OF_MEMORY);
    gs_grant_leave(&ctx);
    ck_assert_uint_eq(cg.size, 12);
    ck_assert_int_eq(gs_custom_grant_enter(tb.k, &cg, &addr), GS_OK);
    ck_assert_uint_eq(addr, gs_process_mem_end(p) - cg.offset);
    ck_assert_uint_eq(addr, p->kernel_break);
    ck_assert_uint_eq(gs_kload32(tb.k, addr + 8), 0x33333333);
    ck_assert_uint_eq(gs_owner_kind(gs_mem_owner_at(&tb.mem, addr)), GS_OWN_CUSTOM);
    ck_assert_uint_eq(tb_check(&tb), 0);
    /* After a restart the handle is stale. */
    gs_process_try_restart(p, false, 0);
    ck_assert_int_eq(gs_custom_grant_enter(tb.k, &cg, &addr), GS_E_NO_SUCH_APP);
    /* A terminated process: the handle of the current pid gives InactiveApp. */
    cg.pid = p->pid;
    gs_process_terminate(p, false, 0);
    ck_assert_int_eq(gs_custom_grant_enter(tb.k, &cg, &addr), GS_E_INACTIVE_APP);
}
END_TEST

/* A capsule that writes past its T lands in the next object: the shadow map says so. */
START_TEST(shadow_catches_t_overrun)
{
    struct gs_grant *g1 = mkgrant(0x1, 1, 0, 0, 8, 4, NULL);
    struct gs_grant *g2 = mkgrant(0x2, 1, 0, 0, 8, 4, NULL);
    struct gs_process *p = tb_proc(&tb, 1024, "o");
    struct gs_grant_ctx c1, c2;

    ck_assert_int_eq(gs_grant_enter(g1, p->pid, &c1), GS_OK);
    gs_grant_leave(&c1);
    ck_assert_int_eq(gs_grant_enter(g2, p->pid, &c2), GS_OK);
    ck_assert_int_eq(gs_grant_t_store32(&c2, 4, 1), GS_OK); /* last word of T: fine */
    ck_assert_uint_eq(tb.rec.findings[GS_FIND_OWNERSHIP], 0);
    /* g2 sits just below g1: T of g2 ends where g1's counters begin. */
    ck_assert_uint_eq(c2.t_addr + 8, c1.base);
    ck_assert_int_eq(gs_grant_t_store32(&c2, 8, 0xBAD), GS_OK);
    ck_assert_uint_eq(tb.rec.findings[GS_FIND_OWNERSHIP], 1);
    ck_assert_ptr_nonnull(strstr(tb.rec.last_finding_text, "grant 0 counters"));
    ck_assert_ptr_nonnull(strstr(tb.rec.last_finding_text, "grant 1 data (T)"));
    ck_assert_str_eq(tb.rec.last_finding_site, "GrantData");
    gs_grant_leave(&c2);
    /* ...and the layout oracle sees g1's counters word destroyed. */
    ck_assert_uint_ge(tb_check(&tb), 1);
}
END_TEST

START_TEST(high_alignment_grant)
{
    struct gs_grant *g = mkgrant(0x9, 1, 1, 1, 4096, 4096, NULL);
    struct gs_process *p = tb_proc(&tb, 16384, "al");
    struct gs_grant_ctx ctx;

    ck_assert_int_eq(gs_grant_enter(g, p->pid, &ctx), GS_OK);
    ck_assert_uint_eq(ctx.base % 4096, 0);
    ck_assert_uint_eq(ctx.t_addr % 4096, 0);
    ck_assert_uint_eq(ctx.t_addr, ctx.base + 4096);
    gs_grant_leave(&ctx);
    ck_assert_uint_eq(tb_check(&tb), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("grant");
    TCase *tc = tb_tcase("grant");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, layout_table);
    tcase_add_test(tc, layout_properties);
    tcase_add_test(tc, shape_validation);
    tcase_add_test(tc, create_numbers_in_order);
    tcase_add_test(tc, first_enter_allocates_and_initialises);
    tcase_add_test(tc, reenter_panics_try_enter_does_not);
    tcase_add_test(tc, enter_errors);
    tcase_add_test(tc, each_visits_allocated_only);
    tcase_add_test(tc, custom_grants);
    tcase_add_test(tc, shadow_catches_t_overrun);
    tcase_add_test(tc, high_alignment_grant);
    suite_add_tcase(s, tc);
    return tb_run(s);
}
