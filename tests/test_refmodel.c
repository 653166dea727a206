/* SPDX-License-Identifier: MIT */
/*
 * The reference models (refmodel.h) against hand-computed values from
 * TOCK-REFERENCE 1.5, 2.1 and 4.3 and the upstream files they cite, and the
 * ring decoder against bytes laid out by hand per tasks.h.
 */
#include <string.h>

#include "helpers.h"
#include "refmodel.h"

/* ---------------------------------------------------------------------- */
/* Grant layout (kernel/src/grant.rs)                                      */
/* ---------------------------------------------------------------------- */

struct layout_case {
    uint32_t t_size, t_align, nu, nro, nrw;
    struct gs_ref_grant_layout want;
};

/* Every row computed by hand: kms = 4 + 8(nU + nRO + nRW), pad to align(T). */
static const struct layout_case layout_table[] = {
    /* t_size align nU nRO nRW   size  align upc  ro    rw    kms   pad   t_off */
    {0, 1, 0, 0, 0, {4, 4, 4, 4, 4, 4, 0, 4}},          /* zero-sized T, no slots */
    {1, 1, 0, 0, 0, {5, 4, 4, 4, 4, 4, 0, 4}},          /* total not rounded */
    {3, 2, 0, 0, 1, {15, 4, 4, 4, 4, 12, 0, 12}},       /* odd |T| */
    {4, 4, 1, 0, 0, {16, 4, 4, 12, 12, 12, 0, 12}},     /* kms multiple of 4: pad 0 */
    {12, 4, 3, 2, 1, {64, 4, 4, 28, 44, 52, 0, 52}},    /* pad 0, not 4 */
    {6, 2, 1, 1, 1, {34, 4, 4, 12, 20, 28, 0, 28}},     /* align 2: pad 0 */
    {8, 8, 0, 0, 0, {16, 8, 4, 4, 4, 4, 4, 8}},         /* kms 4 -> pad 4 */
    {8, 8, 1, 0, 0, {24, 8, 4, 12, 12, 12, 4, 16}},     /* kms 12 -> pad 4 */
    {0, 8, 1, 0, 0, {16, 8, 4, 12, 12, 12, 4, 16}},     /* ZST with align: at the end */
    {16, 16, 1, 1, 0, {48, 16, 4, 12, 20, 20, 12, 32}}, /* pad 12 */
    {4096, 4096, 2, 1, 1, {8192, 4096, 4, 20, 28, 36, 4060, 4096}},
    {0, 4096, 0, 0, 0, {4096, 4096, 4, 4, 4, 4, 4092, 4096}},
    {0, 1, 255, 0, 0, {2044, 4, 4, 2044, 2044, 2044, 0, 2044}},
    {4, 4, 255, 255, 255, {6128, 4, 4, 2044, 4084, 6124, 0, 6124}},
    {32, 32, 255, 255, 255, {6176, 32, 4, 2044, 4084, 6124, 20, 6144}},
    /* IPC with NUM_PROCS = 4 (TOCK-REFERENCE 5.1): 4 + 8*4 + 8 + 8*4 = 76. */
    {0, 1, 4, 1, 4, {76, 4, 4, 36, 44, 76, 0, 76}},
};

static void assert_layout_eq(const struct gs_ref_grant_layout *got,
                             const struct gs_ref_grant_layout *want, unsigned row)
{
    ck_assert_msg(got->size == want->size, "row %u size %u != %u", row, got->size, want->size);
    ck_assert_msg(got->align == want->align, "row %u align %u", row, got->align);
    ck_assert_msg(got->upcalls_off == want->upcalls_off, "row %u upcalls_off", row);
    ck_assert_msg(got->ro_off == want->ro_off, "row %u ro_off %u", row, got->ro_off);
    ck_assert_msg(got->rw_off == want->rw_off, "row %u rw_off %u", row, got->rw_off);
    ck_assert_msg(got->kernel_managed == want->kernel_managed, "row %u kms", row);
    ck_assert_msg(got->pad_len == want->pad_len, "row %u pad %u != %u", row, got->pad_len,
                  want->pad_len);
    ck_assert_msg(got->t_off == want->t_off, "row %u t_off %u != %u", row, got->t_off, want->t_off);
}

START_TEST(layout_hand_table)
{
    for (unsigned i = 0; i < sizeof(layout_table) / sizeof(layout_table[0]); i++) {
        const struct layout_case *c = &layout_table[i];
        struct gs_ref_grant_layout l;

        ck_assert_msg(gs_ref_grant_layout(c->t_size, c->t_align, c->nu, c->nro, c->nrw, &l),
                      "row %u refused", i);
        assert_layout_eq(&l, &c->want, i);
        ck_assert_uint_eq(l.t_off, l.size - c->t_size);
    }
}
END_TEST

/* One upcall (kms = 12), |T| = align(T), every alignment 1..4096: pad and size by hand. */
START_TEST(layout_every_alignment)
{
    static const struct {
        uint32_t align, pad, size;
    } rows[] = {
        {1, 0, 13},         {2, 0, 14},       {4, 0, 16},         {8, 4, 24},
        {16, 4, 32},        {32, 20, 64},     {64, 52, 128},      {128, 116, 256},
        {256, 244, 512},    {512, 500, 1024}, {1024, 1012, 2048}, {2048, 2036, 4096},
        {4096, 4084, 8192},
    };

    for (unsigned i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct gs_ref_grant_layout l;
        uint32_t a = rows[i].align;

        ck_assert(gs_ref_grant_layout(a, a, 1, 0, 0, &l));
        ck_assert_uint_eq(l.kernel_managed, 12);
        ck_assert_msg(l.pad_len == rows[i].pad, "align %u pad %u", a, l.pad_len);
        ck_assert_msg(l.size == rows[i].size, "align %u size %u", a, l.size);
        ck_assert_uint_eq(l.align, a < 4 ? 4 : a);
        ck_assert_uint_eq(l.t_off, l.size - a);
        ck_assert_uint_eq(l.t_off % a, 0);
    }
}
END_TEST

/* Structural properties over many shapes (a second formulation, by division). */
START_TEST(layout_properties)
{
    static const uint32_t sizes[] = {0, 1, 3, 4, 7, 8, 100, 4095, 4096, 65537};
    static const uint32_t counts[] = {0, 1, 2, 7, 128, 255};

    for (uint32_t a = 1; a <= 65536; a <<= 1) {
        for (unsigned si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
            for (unsigned u = 0; u < 6; u++) {
                for (unsigned r = 0; r < 6; r++) {
                    uint32_t nu = counts[u], nro = counts[r], nrw = counts[5 - r];
                    uint32_t kms = 4 + 8 * (nu + nro + nrw);
                    uint32_t t_at = (kms + a - 1) / a * a; /* first multiple of a >= kms */
                    struct gs_ref_grant_layout l;

                    ck_assert(gs_ref_grant_layout(sizes[si], a, nu, nro, nrw, &l));
                    ck_assert_uint_eq(l.upcalls_off, 4);
                    ck_assert_uint_eq(l.ro_off, 4 + 8 * nu);
                    ck_assert_uint_eq(l.rw_off, 4 + 8 * (nu + nro));
                    ck_assert_uint_eq(l.kernel_managed, kms);
                    ck_assert_uint_eq(l.t_off, t_at);
                    ck_assert_uint_lt(l.pad_len, a);
                    ck_assert_uint_eq(l.kernel_managed + l.pad_len, l.t_off);
                    ck_assert_uint_eq(l.size, l.t_off + sizes[si]);
                    ck_assert_uint_eq(l.align % 4, 0);
                    ck_assert_uint_eq(l.align % a, 0);
                }
            }
        }
    }
}
END_TEST

START_TEST(layout_limits)
{
    struct gs_ref_grant_layout l, sentinel;

    /* Largest sizes that still fit 32 bits, and one byte more. */
    ck_assert(gs_ref_grant_layout(0xFFFFFFFBu, 1, 0, 0, 0, &l));
    ck_assert_uint_eq(l.size, 0xFFFFFFFFu);
    ck_assert_uint_eq(l.t_off, 4);
    ck_assert(!gs_ref_grant_layout(0xFFFFFFFCu, 1, 0, 0, 0, &l));
    ck_assert(gs_ref_grant_layout(0xFFFFFFE0u, 16, 0, 0, 0, &l));
    ck_assert_uint_eq(l.size, 0xFFFFFFF0u);
    ck_assert_uint_eq(l.pad_len, 12);
    ck_assert(!gs_ref_grant_layout(0xFFFFFFF0u, 16, 0, 0, 0, &l)); /* exactly 2^32 */
    ck_assert(!gs_ref_grant_layout(0xFFFFFFFFu, 4, 255, 255, 255, &l));
    /* The largest 32-bit alignment is accepted. */
    ck_assert(gs_ref_grant_layout(0, 0x80000000u, 0, 0, 0, &l));
    ck_assert_uint_eq(l.size, 0x80000000u);
    ck_assert_uint_eq(l.align, 0x80000000u);
    ck_assert_uint_eq(l.pad_len, 0x80000000u - 4);

    /* Refused shapes leave *out untouched. */
    memset(&sentinel, 0xAB, sizeof(sentinel));
    static const uint32_t bad_align[] = {0, 3, 12, 0x80000001u, 0xFFFFFFFFu};
    for (unsigned i = 0; i < 5; i++) {
        l = sentinel;
        ck_assert(!gs_ref_grant_layout(4, bad_align[i], 0, 0, 0, &l));
        ck_assert(memcmp(&l, &sentinel, sizeof(l)) == 0);
    }
    l = sentinel;
    ck_assert(!gs_ref_grant_layout(4, 4, 256, 0, 0, &l));
    ck_assert(!gs_ref_grant_layout(4, 4, 0, 256, 0, &l));
    ck_assert(!gs_ref_grant_layout(4, 4, 0, 0, 256, &l));
    ck_assert(!gs_ref_grant_layout(0xFFFFFFFCu, 1, 0, 0, 0, &l));
    ck_assert(memcmp(&l, &sentinel, sizeof(l)) == 0);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* Grant-region allocator (process_standard.rs; TOCK-REFERENCE 1.5)        */
/* ---------------------------------------------------------------------- */

START_TEST(alloc_rules)
{
    uint32_t nb;

    /* Plain allocation: down from the kernel break. */
    ck_assert(gs_ref_grant_region_alloc(0x20001000, 0x20002000, 0x100, 4, &nb));
    ck_assert_uint_eq(nb, 0x20001F00);
    /* Rounded down, never up. */
    ck_assert(gs_ref_grant_region_alloc(0x20001000, 0x20002000, 0x13, 4, &nb));
    ck_assert_uint_eq(nb, 0x20001FEC);
    ck_assert(gs_ref_grant_region_alloc(0x20001000, 0x20002000, 4, 4096, &nb));
    ck_assert_uint_eq(nb, 0x20001000);
    /* align 0 and 1 are raised to 2 (bit 0 is the entered flag). */
    ck_assert(gs_ref_grant_region_alloc(0x20001000, 0x20002000, 1, 1, &nb));
    ck_assert_uint_eq(nb, 0x20001FFE);
    ck_assert(gs_ref_grant_region_alloc(0x20001000, 0x20002000, 1, 0, &nb));
    ck_assert_uint_eq(nb, 0x20001FFE);
    /* size 0 succeeds, rounding the break itself down. */
    ck_assert(gs_ref_grant_region_alloc(0x20001000, 0x20001FFE, 0, 4, &nb));
    ck_assert_uint_eq(nb, 0x20001FFC);
    ck_assert(gs_ref_grant_region_alloc(0x20001000, 0x20002000, 0, 8, &nb));
    ck_assert_uint_eq(nb, 0x20002000);
}
END_TEST

START_TEST(alloc_exhaustion_at_the_byte)
{
    uint32_t nb = 0x5A5A5A5A;

    /* new_break == app_break is allowed (the check is new_break < app_break). */
    ck_assert(gs_ref_grant_region_alloc(0x20001000, 0x20001100, 0x100, 4, &nb));
    ck_assert_uint_eq(nb, 0x20001000);
    /* One byte more does not fit; *new_break untouched. */
    nb = 0x5A5A5A5A;
    ck_assert(!gs_ref_grant_region_alloc(0x20001000, 0x20001100, 0x101, 4, &nb));
    ck_assert_uint_eq(nb, 0x5A5A5A5A);
    /* Fits by size, but the rounding pushes it below the app break. */
    ck_assert(gs_ref_grant_region_alloc(0x20001000, 0x20001103, 0x100, 4, &nb));
    ck_assert_uint_eq(nb, 0x20001000);
    ck_assert(!gs_ref_grant_region_alloc(0x20001001, 0x20001103, 0x100, 4, &nb));
    /* Everything between the breaks, with app_break == kernel_break: only size 0. */
    ck_assert(gs_ref_grant_region_alloc(0x20001000, 0x20001000, 0, 4, &nb));
    ck_assert_uint_eq(nb, 0x20001000);
    ck_assert(!gs_ref_grant_region_alloc(0x20001000, 0x20001000, 1, 4, &nb));
}
END_TEST

START_TEST(alloc_wrap)
{
    uint32_t nb = 0x5A5A5A5A;

    /* size > kernel_break: the candidate wraps to the top; the second check rejects it
     * even when app_break = 0 lets the first one pass. */
    ck_assert(!gs_ref_grant_region_alloc(0, 0x100, 0x200, 4, &nb));
    ck_assert(!gs_ref_grant_region_alloc(0, 0x20002000, 0x20002001, 4, &nb));
    ck_assert_uint_eq(nb, 0x5A5A5A5A);

    /* The quirk: size = 2^32 - d with 0 < d < align puts the candidate d bytes above an
     * aligned kernel break; rounding down brings it back to the break: "success",
     * nothing allocated. */
    ck_assert(gs_ref_grant_region_alloc(0x20001000, 0x20002000, 0xFFFFFFF9u, 8, &nb));
    ck_assert_uint_eq(nb, 0x20002000);
    ck_assert(gs_ref_grant_region_alloc(0x20001000, 0x20002000, 0xFFFFFFFFu, 2, &nb));
    ck_assert_uint_eq(nb, 0x20002000);
    ck_assert(gs_ref_grant_region_alloc(0x20001000, 0x20002000, 0xFFFFFFFFu, 0, &nb));
    ck_assert_uint_eq(nb, 0x20002000);
    ck_assert(gs_ref_grant_region_alloc(0x20001000, 0x20002000, 0xFFFFF001u, 4096, &nb));
    ck_assert_uint_eq(nb, 0x20002000);
    /* d = align: the candidate is a whole alignment above, so it is rejected. */
    ck_assert(!gs_ref_grant_region_alloc(0x20001000, 0x20002000, 0xFFFFFFF8u, 8, &nb));
    ck_assert(!gs_ref_grant_region_alloc(0x20001000, 0x20002000, 0xFFFFF000u, 4096, &nb));
    /* Unaligned kernel break: d up to align-1-(kb mod align) "succeeds" lower. */
    ck_assert(gs_ref_grant_region_alloc(0x20001000, 0x20002004, 0xFFFFFFFDu, 8, &nb));
    ck_assert_uint_eq(nb, 0x20002000); /* "size 2^32-3" took 4 bytes */
    ck_assert(!gs_ref_grant_region_alloc(0x20001000, 0x20002004, 0xFFFFFFFCu, 8, &nb));
}
END_TEST

/* The same rules as a second formulation in 64-bit with division, over many inputs. */
START_TEST(alloc_against_division)
{
    uint32_t x = 12345;

    for (unsigned it = 0; it < 200000; it++) {
        uint32_t app, kb, size, align, a, nb = 0;
        uint64_t cand, expect;
        bool want, got;

        x = x * 1103515245u + 12345u;
        kb = 0x20000000u + (x >> 12) % 0x10000u;
        x = x * 1103515245u + 12345u;
        app = kb - (x >> 8) % 0x2000u;
        x = x * 1103515245u + 12345u;
        switch ((x >> 28) & 3) {
        case 0:
            size = (x >> 4) % 0x3000u;
            break;
        case 1:
            size = 0u - ((x >> 4) % 0x2000u); /* near 2^32: the quirk region */
            break;
        case 2:
            size = x;
            break;
        default:
            size = kb - app + ((x >> 4) % 9u) - 4u; /* around exhaustion */
            break;
        }
        x = x * 1103515245u + 12345u;
        align = (x >> 20) % 15u;
        align = align == 14 ? 0 : 1u << align; /* 0, 1, 2 .. 8192 */
        a = align < 2 ? 2 : align;

        /* candidate as an unbounded integer in [kb - 2^32 + 1, kb], shifted by 2^32 when
         * the 32-bit subtraction wraps. */
        cand = size <= kb ? (uint64_t)kb - size : (uint64_t)kb + (((uint64_t)1 << 32) - size);
        expect = cand / a * a;
        want = expect >= app && expect <= kb;
        got = gs_ref_grant_region_alloc(app, kb, size, align, &nb);
        ck_assert_msg(got == want, "app %x kb %x size %x align %u", app, kb, size, align);
        if (got) {
            ck_assert_uint_eq(nb, (uint32_t)expect);
            ck_assert_uint_eq(nb % a, 0);
            /* Real room, or the documented quirk. */
            ck_assert(kb - nb >= size || size > 0xFFFFFFFFu - (a - 1));
        }
    }
}
END_TEST

/* ---------------------------------------------------------------------- */
/* Task queue (ring_buffer.rs, process_standard.rs; TOCK-REFERENCE 4.3)    */
/* ---------------------------------------------------------------------- */

static struct gs_ref_task fc(uint32_t d, uint32_t s, uint32_t tag)
{
    struct gs_ref_task t = {.kind = GS_REF_FC_DRIVER, .driver = d, .subscribe = s};

    for (unsigned i = 0; i < 4; i++)
        t.a[i] = tag * 16 + i;
    t.pc = 0x40000 + tag;
    return t;
}

static struct gs_ref_task rv(uint32_t d, uint32_t s, uint32_t tag)
{
    struct gs_ref_task t = fc(d, s, tag);

    t.kind = GS_REF_RETURN;
    return t;
}

/* A Kernel FunctionCall whose (ignored) driver/subscribe fields look like id (d, s). */
static struct gs_ref_task kfc(uint32_t d, uint32_t s, uint32_t tag)
{
    struct gs_ref_task t = fc(d, s, tag);

    t.kind = GS_REF_FC_KERNEL;
    return t;
}

/* An IPC task whose (ignored) driver/subscribe fields look like id (d, s). */
static struct gs_ref_task ipc(uint32_t d, uint32_t s, uint32_t index, uint32_t id, uint32_t type)
{
    struct gs_ref_task t = fc(d, s, index);

    t.kind = GS_REF_IPC;
    t.ipc_index = index;
    t.ipc_id = id;
    t.ipc_type = type;
    return t;
}

static void assert_queue(const struct gs_ref_queue *q, const struct gs_ref_task *want, unsigned n)
{
    ck_assert_uint_eq(q->n, n);
    for (unsigned i = 0; i < n; i++)
        ck_assert_msg(gs_ref_task_eq(&q->t[i], &want[i]), "task %u differs", i);
}

START_TEST(queue_fifo_and_capacity)
{
    struct gs_ref_queue q;
    struct gs_ref_task t, want[GS_REF_QUEUE_CAP];

    ck_assert_uint_eq(GS_REF_QUEUE_CAP, 9);
    gs_ref_queue_clear(&q);
    ck_assert(!gs_ref_queue_pop(&q, &t));
    for (unsigned i = 0; i < 9; i++) {
        want[i] = fc(0x1000, i, i);
        ck_assert(gs_ref_queue_push(&q, &want[i]));
    }
    /* Full: the tenth is dropped, the oldest is not evicted. */
    t = fc(0x2000, 0, 99);
    ck_assert(!gs_ref_queue_push(&q, &t));
    assert_queue(&q, want, 9);
    /* One out, one more fits, at the tail. */
    ck_assert(gs_ref_queue_pop(&q, &t));
    ck_assert(gs_ref_task_eq(&t, &want[0]));
    t = fc(0x2000, 0, 99);
    ck_assert(gs_ref_queue_push(&q, &t));
    ck_assert(!gs_ref_queue_push(&q, &t));
    for (unsigned i = 1; i < 9; i++) {
        ck_assert(gs_ref_queue_pop(&q, &t));
        ck_assert(gs_ref_task_eq(&t, &want[i]));
    }
    ck_assert(gs_ref_queue_pop(&q, &t));
    want[0] = fc(0x2000, 0, 99);
    ck_assert(gs_ref_task_eq(&t, &want[0]));
    ck_assert(!gs_ref_queue_pop(&q, &t));
    /* clear() empties a non-empty queue. */
    ck_assert(gs_ref_queue_push(&q, &want[3]));
    gs_ref_queue_clear(&q);
    ck_assert_uint_eq(q.n, 0);
    ck_assert(!gs_ref_queue_has_match(&q, 0x1000, 3));
}
END_TEST

START_TEST(queue_remove_upcall_middle_keeps_order)
{
    struct gs_ref_queue q;
    struct gs_ref_task t;
    struct gs_ref_task in[] = {fc(1, 0, 0), fc(2, 0, 1), fc(1, 1, 2),
                               rv(2, 0, 3), fc(2, 0, 4), fc(3, 0, 5)};

    gs_ref_queue_clear(&q);
    for (unsigned i = 0; i < 6; i++)
        ck_assert(gs_ref_queue_push(&q, &in[i]));

    /* First match from the head, whichever of FunctionCall/ReturnValue it is. */
    ck_assert(gs_ref_queue_remove_upcall(&q, 2, 0, &t));
    ck_assert(gs_ref_task_eq(&t, &in[1]));
    assert_queue(&q, (struct gs_ref_task[]){in[0], in[2], in[3], in[4], in[5]}, 5);
    ck_assert(gs_ref_queue_remove_upcall(&q, 2, 0, &t));
    ck_assert(gs_ref_task_eq(&t, &in[3])); /* the ReturnValue */
    assert_queue(&q, (struct gs_ref_task[]){in[0], in[2], in[4], in[5]}, 4);
    ck_assert(gs_ref_queue_remove_upcall(&q, 2, 0, NULL));
    assert_queue(&q, (struct gs_ref_task[]){in[0], in[2], in[5]}, 3);
    ck_assert(!gs_ref_queue_remove_upcall(&q, 2, 0, &t));
    /* The id is (driver, subscribe): (1, 1) is not (1, 0). */
    ck_assert(gs_ref_queue_remove_upcall(&q, 1, 1, &t));
    ck_assert(gs_ref_task_eq(&t, &in[2]));
    assert_queue(&q, (struct gs_ref_task[]){in[0], in[5]}, 2);
    /* Removing the tail element. */
    ck_assert(gs_ref_queue_remove_upcall(&q, 3, 0, &t));
    assert_queue(&q, in, 1);
}
END_TEST

START_TEST(queue_remove_upcall_never_ipc_or_kernel)
{
    struct gs_ref_queue q, before;
    struct gs_ref_task t = fc(9, 9, 9), keep = t;
    struct gs_ref_task in[] = {kfc(5, 1, 0), ipc(5, 1, 1, 7, 0), ipc(5, 1, 2, 8, 1)};

    gs_ref_queue_clear(&q);
    for (unsigned i = 0; i < 3; i++)
        ck_assert(gs_ref_queue_push(&q, &in[i]));
    before = q;
    ck_assert(!gs_ref_queue_remove_upcall(&q, 5, 1, &t));
    ck_assert(gs_ref_task_eq(&t, &keep)); /* out untouched */
    assert_queue(&q, before.t, 3);
    ck_assert(!gs_ref_queue_has_match(&q, 5, 1));
    ck_assert_uint_eq(gs_ref_queue_remove_pending(&q, 5, 1), 0);
    assert_queue(&q, before.t, 3);

    /* A Driver FunctionCall behind them is the one taken. */
    t = fc(5, 1, 3);
    ck_assert(gs_ref_queue_push(&q, &t));
    ck_assert(gs_ref_queue_has_match(&q, 5, 1));
    ck_assert(gs_ref_queue_remove_upcall(&q, 5, 1, &t));
    ck_assert_uint_eq(t.kind, GS_REF_FC_DRIVER);
    assert_queue(&q, before.t, 3);
}
END_TEST

START_TEST(queue_remove_pending_retains)
{
    struct gs_ref_queue q;
    struct gs_ref_task in[] = {fc(4, 2, 0),  rv(4, 2, 1), ipc(4, 2, 2, 3, 1),
                               kfc(4, 2, 3), fc(4, 3, 4), fc(4, 2, 5),
                               fc(5, 2, 6),  rv(4, 2, 7), fc(4, 2, 8)};

    gs_ref_queue_clear(&q);
    for (unsigned i = 0; i < 9; i++)
        ck_assert(gs_ref_queue_push(&q, &in[i]));
    ck_assert_uint_eq(gs_ref_queue_remove_pending(&q, 4, 2), 3);
    /* ReturnValues with the id, IPC, Kernel calls and other ids stay, in order. */
    assert_queue(&q, (struct gs_ref_task[]){in[1], in[2], in[3], in[4], in[6], in[7]}, 6);
    ck_assert(gs_ref_queue_has_match(&q, 4, 2)); /* the ReturnValues */
    ck_assert_uint_eq(gs_ref_queue_remove_pending(&q, 4, 2), 0);
    ck_assert_uint_eq(q.n, 6);
    /* remove_upcall still finds the ReturnValue remove_pending kept. */
    ck_assert(gs_ref_queue_remove_upcall(&q, 4, 2, NULL));
    assert_queue(&q, (struct gs_ref_task[]){in[2], in[3], in[4], in[6], in[7]}, 5);
    /* Three freed slots are usable again. */
    for (unsigned i = 0; i < 4; i++)
        ck_assert(gs_ref_queue_push(&q, &in[0]));
    ck_assert(!gs_ref_queue_push(&q, &in[0]));
    ck_assert_uint_eq(gs_ref_queue_remove_pending(&q, 4, 2), 4);
    assert_queue(&q, (struct gs_ref_task[]){in[2], in[3], in[4], in[6], in[7]}, 5);
}
END_TEST

START_TEST(task_eq_fields)
{
    struct gs_ref_task x, y;

    /* Fields outside the variant are ignored. */
    x = rv(1, 2, 3);
    y = x;
    y.a[3] ^= 1;
    y.pc ^= 1;
    y.ipc_id ^= 1;
    ck_assert(gs_ref_task_eq(&x, &y));
    y.a[2] ^= 1;
    ck_assert(!gs_ref_task_eq(&x, &y));
    x = kfc(1, 2, 3);
    y = kfc(7, 8, 3);
    ck_assert(gs_ref_task_eq(&x, &y));
    y.a[3] ^= 1;
    ck_assert(!gs_ref_task_eq(&x, &y));
    y = x;
    y.pc ^= 1;
    ck_assert(!gs_ref_task_eq(&x, &y));
    x = ipc(1, 2, 3, 4, 1);
    y = ipc(9, 9, 3, 4, 1);
    y.a[0] = 77;
    ck_assert(gs_ref_task_eq(&x, &y));
    y.ipc_type = 0;
    ck_assert(!gs_ref_task_eq(&x, &y));
    y = x;
    y.ipc_index ^= 1;
    ck_assert(!gs_ref_task_eq(&x, &y));
    /* Variant fields count; kinds must agree. */
    x = fc(1, 2, 3);
    y = fc(1, 3, 3);
    ck_assert(!gs_ref_task_eq(&x, &y));
    y = fc(2, 2, 3);
    ck_assert(!gs_ref_task_eq(&x, &y));
    y = fc(1, 2, 3);
    y.a[3] ^= 1;
    ck_assert(!gs_ref_task_eq(&x, &y));
    y = rv(1, 2, 3);
    ck_assert(!gs_ref_task_eq(&x, &y));
    y = kfc(1, 2, 3);
    ck_assert(!gs_ref_task_eq(&x, &y));
}
END_TEST

/* ---------------------------------------------------------------------- */
/* read_ring against hand-laid bytes (tasks.h encoding)                    */
/* ---------------------------------------------------------------------- */

#define RR_RAM  0x20000000u
#define RR_SIZE 0x1000u
#define RR_RING 0x20000100u

static struct gs_mem rm;

static void ring_setup(void)
{
    ck_assert_int_eq(gs_mem_init(&rm, RR_RAM, RR_SIZE, 0x00010000u, 0x1000u), GS_OK);
    /* Every slot starts as garbage with an invalid tag. */
    memset(rm.ram, 0xEE, RR_SIZE);
}

static void ring_teardown(void)
{
    gs_mem_free(&rm);
}

/* Writes slot i of the ring at `ring` as eight little-endian words. */
static void put_slot(uint32_t ring, unsigned i, uint32_t w0, uint32_t w1, uint32_t w2, uint32_t w3,
                     uint32_t w4, uint32_t w5, uint32_t w6, uint32_t w7)
{
    uint8_t *b = rm.ram + (ring - RR_RAM) + 32 * i;
    uint32_t w[8] = {w0, w1, w2, w3, w4, w5, w6, w7};

    for (unsigned k = 0; k < 8; k++)
        gs_put_le32(b + 4 * k, w[k]);
}

START_TEST(ring_decodes_each_kind)
{
    struct gs_ref_queue q;

    /* FunctionCall(Driver): tag 1, driver, subscribe, a0..a3, pc. */
    put_slot(RR_RING, 2, 1, 0x30001, 2, 11, 12, 13, 14, 0x40001);
    /* ReturnValue: tag 2, driver, subscribe, a0..a2; +24 and +28 are not its fields. */
    put_slot(RR_RING, 3, 2, 0x30001, 2, 21, 22, 23, 0xDEAD, 0xBEEF);
    /* IPC: tag 3, kernel ref 0, index, identifier, type Client; the rest not fields. */
    put_slot(RR_RING, 4, 3, 0, 1, 7, 1, 0xDEAD, 0xDEAD, 0xDEAD);
    /* FunctionCall(Kernel): +4/+8 are not read. */
    put_slot(RR_RING, 5, 0, 0xDEAD, 0xBEEF, 31, 32, 33, 34, 0x40101);

    ck_assert(gs_ref_queue_read_ring(&rm, RR_RING, 2, 6, &q));
    ck_assert_uint_eq(q.n, 4);

    ck_assert_uint_eq(q.t[0].kind, GS_REF_FC_DRIVER);
    ck_assert_uint_eq(q.t[0].driver, 0x30001);
    ck_assert_uint_eq(q.t[0].subscribe, 2);
    ck_assert_uint_eq(q.t[0].a[0], 11);
    ck_assert_uint_eq(q.t[0].a[3], 14);
    ck_assert_uint_eq(q.t[0].pc, 0x40001);

    ck_assert_uint_eq(q.t[1].kind, GS_REF_RETURN);
    ck_assert_uint_eq(q.t[1].driver, 0x30001);
    ck_assert_uint_eq(q.t[1].subscribe, 2);
    ck_assert_uint_eq(q.t[1].a[0], 21);
    ck_assert_uint_eq(q.t[1].a[1], 22);
    ck_assert_uint_eq(q.t[1].a[2], 23);
    ck_assert_uint_eq(q.t[1].a[3], 0); /* not a field: zeroed */
    ck_assert_uint_eq(q.t[1].pc, 0);

    ck_assert_uint_eq(q.t[2].kind, GS_REF_IPC);
    ck_assert_uint_eq(q.t[2].ipc_index, 1);
    ck_assert_uint_eq(q.t[2].ipc_id, 7);
    ck_assert_uint_eq(q.t[2].ipc_type, 1);
    ck_assert_uint_eq(q.t[2].a[0], 0);

    ck_assert_uint_eq(q.t[3].kind, GS_REF_FC_KERNEL);
    ck_assert_uint_eq(q.t[3].driver, 0);
    ck_assert_uint_eq(q.t[3].subscribe, 0);
    ck_assert_uint_eq(q.t[3].a[0], 31);
    ck_assert_uint_eq(q.t[3].a[3], 34);
    ck_assert_uint_eq(q.t[3].pc, 0x40101);

    /* The decoded tasks compare equal to the model's own. */
    struct gs_ref_task want = {.kind = GS_REF_FC_DRIVER,
                               .driver = 0x30001,
                               .subscribe = 2,
                               .a = {11, 12, 13, 14},
                               .pc = 0x40001};
    ck_assert(gs_ref_task_eq(&q.t[0], &want));
    ck_assert(gs_ref_task_eq(
        &q.t[2],
        &(struct gs_ref_task){.kind = GS_REF_IPC, .ipc_index = 1, .ipc_id = 7, .ipc_type = 1}));

    /* head == tail: empty, and no slot is read (all others are garbage). */
    ck_assert(gs_ref_queue_read_ring(&rm, RR_RING, 7, 7, &q));
    ck_assert_uint_eq(q.n, 0);
}
END_TEST

START_TEST(ring_wraps)
{
    struct gs_ref_queue q;

    /* head 8, tail 2: slots 8, 9, 0, 1 in that order. */
    put_slot(RR_RING, 8, 1, 5, 0, 80, 0, 0, 0, 0);
    put_slot(RR_RING, 9, 2, 5, 0, 90, 0, 0, 0, 0);
    put_slot(RR_RING, 0, 1, 5, 0, 100, 0, 0, 0, 0);
    put_slot(RR_RING, 1, 3, 0, 2, 3, 0, 0, 0, 0);
    ck_assert(gs_ref_queue_read_ring(&rm, RR_RING, 8, 2, &q));
    ck_assert_uint_eq(q.n, 4);
    ck_assert_uint_eq(q.t[0].a[0], 80);
    ck_assert_uint_eq(q.t[1].kind, GS_REF_RETURN);
    ck_assert_uint_eq(q.t[1].a[0], 90);
    ck_assert_uint_eq(q.t[2].a[0], 100);
    ck_assert_uint_eq(q.t[3].kind, GS_REF_IPC);
    ck_assert_uint_eq(q.t[3].ipc_index, 2);
    /* Tail at 0 after the last slot: slots 8, 9. */
    ck_assert(gs_ref_queue_read_ring(&rm, RR_RING, 8, 0, &q));
    ck_assert_uint_eq(q.n, 2);
    ck_assert_uint_eq(q.t[1].a[0], 90);

    /* Full rings: 9 entries, wrapped (head 3, tail 2) and not (head 0, tail 9). */
    for (unsigned i = 0; i < 10; i++)
        put_slot(RR_RING, i, 1, 6, i, i, 0, 0, 0, 0);
    ck_assert(gs_ref_queue_read_ring(&rm, RR_RING, 3, 2, &q));
    ck_assert_uint_eq(q.n, 9);
    for (unsigned k = 0; k < 9; k++)
        ck_assert_uint_eq(q.t[k].subscribe, (3 + k) % 10);
    ck_assert(gs_ref_queue_read_ring(&rm, RR_RING, 0, 9, &q));
    ck_assert_uint_eq(q.n, 9);
    for (unsigned k = 0; k < 9; k++)
        ck_assert_uint_eq(q.t[k].a[0], k);
}
END_TEST

START_TEST(ring_rejects)
{
    struct gs_ref_queue q, sentinel;

    memset(&sentinel, 0x5A, sizeof(sentinel));
    put_slot(RR_RING, 0, 1, 5, 0, 1, 2, 3, 4, 5);
    put_slot(RR_RING, 1, 4, 5, 0, 1, 2, 3, 4, 5); /* tag 4: undocumented */
    put_slot(RR_RING, 2, 2, 5, 0, 1, 2, 3, 4, 5);

    q = sentinel;
    ck_assert(!gs_ref_queue_read_ring(&rm, RR_RING, 0, 3, &q));
    ck_assert(memcmp(&q, &sentinel, sizeof(q)) == 0);
    /* The same bad slot outside head..tail is not looked at. */
    ck_assert(gs_ref_queue_read_ring(&rm, RR_RING, 2, 3, &q));
    ck_assert_uint_eq(q.n, 1);
    ck_assert(gs_ref_queue_read_ring(&rm, RR_RING, 0, 1, &q));
    /* A tag with high bits set is not tag 1. */
    put_slot(RR_RING, 1, 0x101, 5, 0, 1, 2, 3, 4, 5);
    ck_assert(!gs_ref_queue_read_ring(&rm, RR_RING, 1, 2, &q));
    /* IPC: type must be 0 or 1, the kernel-ref word 0. */
    put_slot(RR_RING, 1, 3, 0, 1, 7, 2, 0, 0, 0);
    ck_assert(!gs_ref_queue_read_ring(&rm, RR_RING, 1, 2, &q));
    put_slot(RR_RING, 1, 3, 1, 1, 7, 0, 0, 0, 0);
    ck_assert(!gs_ref_queue_read_ring(&rm, RR_RING, 1, 2, &q));
    put_slot(RR_RING, 1, 3, 0, 1, 7, 0, 0, 0, 0);
    ck_assert(gs_ref_queue_read_ring(&rm, RR_RING, 1, 2, &q));
    ck_assert_uint_eq(q.t[0].ipc_type, 0);

    /* Indices out of range. */
    q = sentinel;
    ck_assert(!gs_ref_queue_read_ring(&rm, RR_RING, 10, 0, &q));
    ck_assert(!gs_ref_queue_read_ring(&rm, RR_RING, 0, 10, &q));
    ck_assert(!gs_ref_queue_read_ring(&rm, RR_RING, 10, 10, &q));
    ck_assert(memcmp(&q, &sentinel, sizeof(q)) == 0);
}
END_TEST

START_TEST(ring_memory_bounds)
{
    struct gs_ref_queue q;
    /* A ring whose slot 9 lies past the end of RAM. */
    uint32_t ring = RR_RAM + RR_SIZE - 9 * 32;

    put_slot(ring, 8, 1, 5, 0, 8, 0, 0, 0, 0);
    ck_assert(gs_ref_queue_read_ring(&rm, ring, 8, 9, &q));
    ck_assert_uint_eq(q.n, 1);
    ck_assert(!gs_ref_queue_read_ring(&rm, ring, 8, 0, &q)); /* reads slot 9 */
    /* Entirely outside memory: empty is fine, any entry is not. */
    ck_assert(gs_ref_queue_read_ring(&rm, 0x30000000u, 4, 4, &q));
    ck_assert(!gs_ref_queue_read_ring(&rm, 0x30000000u, 4, 5, &q));
    /* A ring that would wrap past 2^32 is refused outright. */
    ck_assert(!gs_ref_queue_read_ring(&rm, 0xFFFFFF00u, 0, 0, &q));
    ck_assert(gs_ref_queue_read_ring(&rm, 0xFFFFFEC0u, 0, 0, &q)); /* ends exactly at 2^32 */
}
END_TEST

int main(void)
{
    Suite *s = suite_create("refmodel");
    TCase *tl = tb_tcase("grant-layout");
    TCase *ta = tb_tcase("grant-alloc");
    TCase *tq = tb_tcase("queue");
    TCase *tr = tb_tcase("read-ring");

    tcase_add_test(tl, layout_hand_table);
    tcase_add_test(tl, layout_every_alignment);
    tcase_add_test(tl, layout_properties);
    tcase_add_test(tl, layout_limits);
    tcase_add_test(ta, alloc_rules);
    tcase_add_test(ta, alloc_exhaustion_at_the_byte);
    tcase_add_test(ta, alloc_wrap);
    tcase_add_test(ta, alloc_against_division);
    tcase_add_test(tq, queue_fifo_and_capacity);
    tcase_add_test(tq, queue_remove_upcall_middle_keeps_order);
    tcase_add_test(tq, queue_remove_upcall_never_ipc_or_kernel);
    tcase_add_test(tq, queue_remove_pending_retains);
    tcase_add_test(tq, task_eq_fields);
    tcase_add_checked_fixture(tr, ring_setup, ring_teardown);
    tcase_add_test(tr, ring_decodes_each_kind);
    tcase_add_test(tr, ring_wraps);
    tcase_add_test(tr, ring_rejects);
    tcase_add_test(tr, ring_memory_bounds);
    suite_add_tcase(s, tl);
    suite_add_tcase(s, ta);
    suite_add_tcase(s, tq);
    suite_add_tcase(s, tr);
    return tb_run(s);
}
