/* SPDX-License-Identifier: MIT */
/* Target memory: little-endian accessors, bounds, and the shadow ownership map. */
#include <string.h>

#include "helpers.h"

static struct gs_mem_finding last;
static unsigned nfind;

static void on_find(void *ctx, const struct gs_mem_finding *f)
{
    (void)ctx;
    last = *f;
    nfind++;
}

static struct gs_mem m;

static void setup(void)
{
    ck_assert_int_eq(gs_mem_init(&m, 0x20000000, 0x1000, 0x1000, 0x800), GS_OK);
    gs_mem_set_finding_fn(&m, on_find, NULL);
    nfind = 0;
    memset(&last, 0, sizeof(last));
}

static void teardown(void)
{
    gs_mem_free(&m);
}

START_TEST(little_endian_round_trip)
{
    uint32_t w;
    uint16_t h;
    uint8_t b;

    ck_assert_int_eq(gs_mem_store32(&m, 0x20000010, 0x11223344, 0), GS_OK);
    ck_assert_uint_eq(m.ram[0x10], 0x44);
    ck_assert_uint_eq(m.ram[0x13], 0x11);
    ck_assert_int_eq(gs_mem_load32(&m, 0x20000010, &w), GS_OK);
    ck_assert_uint_eq(w, 0x11223344);
    ck_assert_int_eq(gs_mem_load16(&m, 0x20000012, &h), GS_OK);
    ck_assert_uint_eq(h, 0x1122);
    ck_assert_int_eq(gs_mem_load8(&m, 0x20000011, &b), GS_OK);
    ck_assert_uint_eq(b, 0x33);
    /* Unaligned word stores are allowed (Cortex-M normal memory). */
    ck_assert_int_eq(gs_mem_store32(&m, 0x20000021, 0xA1B2C3D4, 0), GS_OK);
    ck_assert_int_eq(gs_mem_load32(&m, 0x20000021, &w), GS_OK);
    ck_assert_uint_eq(w, 0xA1B2C3D4);
    ck_assert_uint_eq(nfind, 0);
}
END_TEST

START_TEST(bounds_are_checked)
{
    uint32_t w = 0xDEAD;

    /* Last word fits, one byte further does not, and nothing is written. */
    ck_assert_int_eq(gs_mem_store32(&m, 0x20000FFC, 1, 0), GS_OK);
    ck_assert_int_eq(gs_mem_store32(&m, 0x20000FFD, 1, 0), GS_E_BOUNDS);
    ck_assert_int_eq(gs_mem_load32(&m, 0x20000FFD, &w), GS_E_BOUNDS);
    ck_assert_uint_eq(w, 0xDEAD); /* out-parameter untouched on error */
    ck_assert_int_eq(gs_mem_load32(&m, 0x1FFFFFFF, &w), GS_E_BOUNDS);
    ck_assert_int_eq(gs_mem_load32(&m, 0xFFFFFFFE, &w), GS_E_BOUNDS);
    ck_assert_int_eq(gs_mem_fill(&m, 0x20000000, 0, 0x1001, 0), GS_E_BOUNDS);
    ck_assert_int_eq(gs_mem_fill(&m, 0xFFFFFFFF, 0, 2, 0), GS_E_BOUNDS);
    /* Flash reads work, flash is erased (0xFF), and kernel stores to flash are refused. */
    ck_assert_int_eq(gs_mem_load32(&m, 0x1000, &w), GS_OK);
    ck_assert_uint_eq(w, 0xFFFFFFFF);
    ck_assert_int_eq(gs_mem_store32(&m, 0x1000, 0, 0), GS_E_BOUNDS);
    /* A read that straddles the end of flash fails. */
    ck_assert_int_eq(gs_mem_load32(&m, 0x17FE, &w), GS_E_BOUNDS);
    ck_assert_ptr_null(gs_mem_host_ptr(&m, 0x17FE, 4));
    ck_assert_ptr_nonnull(gs_mem_host_ptr(&m, 0x17FC, 4));
}
END_TEST

START_TEST(range_helper_is_wrap_safe)
{
    ck_assert(gs_range_inside(0x100, 0x100, 0x100, 0x100));
    ck_assert(gs_range_inside(0x100, 0x100, 0x200, 0));
    ck_assert(!gs_range_inside(0x100, 0x100, 0x201, 0));
    ck_assert(!gs_range_inside(0x100, 0x100, 0x1FF, 2));
    ck_assert(!gs_range_inside(0x100, 0x100, 0xFFFFFFFF, 0x102)); /* wraps to 0x101 */
    ck_assert(!gs_range_inside(0x100, 0x100, 0x180, 0xFFFFFFFF));
}
END_TEST

START_TEST(bad_geometry_is_refused)
{
    struct gs_mem x;

    ck_assert_int_eq(gs_mem_init(&x, 0, 0, 0x1000, 0x10), GS_E_ARG);
    ck_assert_int_eq(gs_mem_init(&x, 0xFFFFF000, 0x2000, 0, 0x10), GS_E_ARG);
    ck_assert_int_eq(gs_mem_init(&x, 0x1000, 0x1000, 0x1800, 0x1000), GS_E_ARG); /* overlap */
    ck_assert_int_eq(gs_mem_init(NULL, 0, 1, 2, 1), GS_E_ARG);
    gs_mem_free(NULL);
}
END_TEST

START_TEST(store_to_other_owner_is_a_finding)
{
    gs_owner t = gs_owner_make(GS_OWN_GRANT_T, 1, 3);
    gs_owner up = gs_owner_make(GS_OWN_GRANT_UPCALLS, 1, 3);
    uint32_t w;

    gs_mem_tag(&m, 0x20000100, 8, up);
    gs_mem_tag(&m, 0x20000108, 8, t);
    ck_assert_int_eq(gs_mem_store32(&m, 0x20000108, 7, t), GS_OK);
    ck_assert_uint_eq(nfind, 0);
    /* A store that starts in T and spills past its end. */
    ck_assert_int_eq(gs_mem_store32(&m, 0x2000010E, 9, t), GS_OK);
    ck_assert_uint_eq(nfind, 1);
    ck_assert_uint_eq(last.bad_addr, 0x20000110);
    ck_assert_uint_eq(last.intended, t);
    ck_assert_uint_eq(gs_owner_kind(last.actual), GS_OWN_NONE);
    /* A store into the upcall slots naming T: reported at its first byte. */
    ck_assert_int_eq(gs_mem_store32(&m, 0x20000104, 1, t), GS_OK);
    ck_assert_uint_eq(nfind, 2);
    ck_assert_uint_eq(last.bad_addr, 0x20000104);
    ck_assert_uint_eq(last.actual, up);
    /* The store still happened, as it would on the real kernel. */
    ck_assert_int_eq(gs_mem_load32(&m, 0x20000104, &w), GS_OK);
    ck_assert_uint_eq(w, 1);
    ck_assert_uint_eq(m.findings, 2);
}
END_TEST

START_TEST(owner_encoding_and_retag)
{
    gs_owner o = gs_owner_make(GS_OWN_CUSTOM, 127, 0xFFFFF);
    char buf[96];

    ck_assert_uint_eq(gs_owner_kind(o), GS_OWN_CUSTOM);
    ck_assert_uint_eq(gs_owner_proc(o), 127);
    ck_assert_uint_eq(gs_owner_id(o), 0xFFFFF);
    ck_assert_str_eq(gs_owner_describe(gs_owner_make(GS_OWN_GRANT_RW, 2, 5), buf, sizeof(buf)),
                     "process 2: grant 5 read-write allow slots");
    gs_mem_tag(&m, 0x20000000, 4, gs_owner_make(GS_OWN_GRANT_T, 1, 0));
    gs_mem_tag(&m, 0x20000004, 4, gs_owner_make(GS_OWN_GRANT_T, 2, 0));
    gs_mem_tag(&m, 0x20000008, 4, gs_owner_make(GS_OWN_PCB, 1, 0));
    gs_mem_retag(&m, 0x1FFFFF00, 0x200, GS_OWN_BIT(GS_OWN_GRANT_T), 1,
                 gs_owner_make(GS_OWN_FREED, 1, 0));
    ck_assert_uint_eq(gs_owner_kind(gs_mem_owner_at(&m, 0x20000003)), GS_OWN_FREED);
    ck_assert_uint_eq(gs_owner_kind(gs_mem_owner_at(&m, 0x20000004)), GS_OWN_GRANT_T);
    ck_assert_uint_eq(gs_owner_kind(gs_mem_owner_at(&m, 0x20000008)), GS_OWN_PCB);
    ck_assert_uint_eq(gs_mem_owner_at(&m, 0x10), 0);
    ck_assert_int_eq(gs_mem_tag(&m, 0x20000FFF, 2, 0), GS_E_BOUNDS);
}
END_TEST

START_TEST(tag_and_first_other_every_length_and_position)
{
    /* gs_mem_tag fills by doubling and gs_mem_first_other scans 8 tags per branch:
     * check both against byte-by-byte answers for every length and odd offset. */
    gs_owner a = gs_owner_make(GS_OWN_APP, 1, 0), b = gs_owner_make(GS_OWN_PCB, 1, 0);

    for (uint32_t len = 0; len <= 70; len++) {
        for (uint32_t off = 0; off < 3; off++) {
            uint32_t base = 0x20000200 + off;
            gs_mem_tag(&m, 0x20000100, 0x300, b);
            ck_assert_int_eq(gs_mem_tag(&m, base, len, a), GS_OK);
            for (uint32_t i = 0; i < len + 2; i++)
                ck_assert_uint_eq(gs_mem_owner_at(&m, base - 1 + i), i == 0 || i > len ? b : a);
            ck_assert_uint_eq(gs_mem_first_other(&m, base, len, a), len);
            ck_assert_uint_eq(gs_mem_first_other(&m, base, len + 1, a), len);
            for (uint32_t bad = 0; bad < len; bad += 5) {
                gs_mem_tag(&m, base + bad, 1, b);
                ck_assert_uint_eq(gs_mem_first_other(&m, base, len, a), bad);
                gs_mem_tag(&m, base + bad, 1, a);
            }
        }
    }
    /* A big block: the doubling copies meet the end exactly. */
    ck_assert_int_eq(gs_mem_tag(&m, 0x20000000, 0x1000, a), GS_OK);
    ck_assert_uint_eq(gs_mem_first_other(&m, 0x20000000, 0x1000, a), 0x1000);
    ck_assert_uint_eq(gs_mem_owner_at(&m, 0x20000FFF), a);
    /* Ranges leaving RAM: the first byte outside is the first other one. */
    ck_assert_uint_eq(gs_mem_first_other(&m, 0x20000FF0, 0x20, a), 0x10);
    ck_assert_uint_eq(gs_mem_first_other(&m, 0x1FFFFFF0, 0x20, a), 0);
    ck_assert_uint_eq(gs_mem_first_other(&m, 0x20000FF0, 0xFFFFFFFF, a), 0x10);
}
END_TEST

START_TEST(error_names)
{
    ck_assert_str_eq(gs_ecode_name(GS_EC_NOMEM), "NOMEM");
    ck_assert_str_eq(gs_ecode_name(0), "UNKNOWN");
    ck_assert_int_eq(gs_ecode_from_name("NODEVICE"), 11);
    ck_assert_int_eq(gs_ecode_from_name("nope"), 0);
    ck_assert_int_eq(gs_err_to_ecode(GS_E_OUT_OF_MEMORY), GS_EC_NOMEM);
    ck_assert_int_eq(gs_err_to_ecode(GS_E_ADDRESS_OUT_OF_BOUNDS), GS_EC_INVAL);
    ck_assert_int_eq(gs_err_to_ecode(GS_E_NO_SUCH_APP), GS_EC_INVAL);
    ck_assert_int_eq(gs_err_to_ecode(GS_E_INACTIVE_APP), GS_EC_FAIL);
    ck_assert_int_eq(gs_err_to_ecode(GS_E_ALREADY_IN_USE), GS_EC_FAIL);
    ck_assert_str_eq(gs_err_name(GS_E_ALREADY_IN_USE), "AlreadyInUse");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("tmem");
    TCase *tc = tb_tcase("tmem");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, little_endian_round_trip);
    tcase_add_test(tc, bounds_are_checked);
    tcase_add_test(tc, range_helper_is_wrap_safe);
    tcase_add_test(tc, bad_geometry_is_refused);
    tcase_add_test(tc, store_to_other_owner_is_a_finding);
    tcase_add_test(tc, owner_encoding_and_retag);
    tcase_add_test(tc, tag_and_first_other_every_length_and_position);
    tcase_add_test(tc, error_names);
    suite_add_tcase(s, tc);
    return tb_run(s);
}
