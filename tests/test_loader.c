/* SPDX-License-Identifier: MIT */
/*
 * The TBF parser, the flash scan, ELF -> image and TBF synthesis
 * (TOCK-REFERENCE 8 and 11.2). Every input is built here byte by byte.
 */
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "loader.h"

/* ------------------------------------------------------------ byte helpers */

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)v);
    put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)get16(p) | ((uint32_t)get16(p + 2) << 16);
}

/* Recomputes the header checksum (XOR of the header's whole words but word 3). */
static void fix_checksum(uint8_t *b)
{
    uint32_t x = 0;

    for (unsigned i = 0; i < get16(b + 2) / 4u; i++) {
        if (i != 3)
            x ^= get32(b + 4 * i);
    }
    put32(b + 12, x);
}

/* -------------------------------------------------------------- TBF builder */

struct tbfb {
    uint8_t b[8192];
    size_t at; /* where the next TLV goes */
};

static void tb_begin(struct tbfb *t)
{
    memset(t->b, 0, sizeof(t->b));
    put16(t->b, 2);
    t->at = 16;
}

/* A TLV declaring `len`, followed by n data bytes padded with zeros to 4. */
static void tb_tlv(struct tbfb *t, uint16_t type, uint16_t len, const void *data, size_t n)
{
    put16(t->b + t->at, type);
    put16(t->b + t->at + 2, len);
    if (n)
        memcpy(t->b + t->at + 4, data, n);
    t->at += 4 + ((n + 3) & ~(size_t)3);
}

static void tb_words(struct tbfb *t, uint16_t type, const uint32_t *w, unsigned n)
{
    uint8_t d[64];

    for (unsigned i = 0; i < n; i++)
        put32(d + 4 * i, w[i]);
    tb_tlv(t, type, (uint16_t)(4 * n), d, 4 * n);
}

static void tb_main(struct tbfb *t, uint32_t init, uint32_t trailer, uint32_t ram)
{
    uint32_t w[3] = {init, trailer, ram};

    tb_words(t, GS_TLV_MAIN, w, 3);
}

static void tb_program(struct tbfb *t, uint32_t init, uint32_t trailer, uint32_t ram, uint32_t end,
                       uint32_t version)
{
    uint32_t w[5] = {init, trailer, ram, end, version};

    tb_words(t, GS_TLV_PROGRAM, w, 5);
}

static void tb_name(struct tbfb *t, const char *name)
{
    tb_tlv(t, GS_TLV_PACKAGE_NAME, (uint16_t)strlen(name), name, strlen(name));
}

static void tb_kv(struct tbfb *t, uint16_t major, uint16_t minor)
{
    uint8_t d[4];

    put16(d, major);
    put16(d + 2, minor);
    tb_tlv(t, GS_TLV_KERNEL_VERSION, 4, d, 4);
}

static void tb_fixed(struct tbfb *t, uint32_t ram, uint32_t flash)
{
    uint32_t w[2] = {ram, flash};

    tb_words(t, GS_TLV_FIXED_ADDRESSES, w, 2);
}

/* Permissions TLV: count at +0, entries from +2 (n_written may differ from count). */
/* One Permissions entry as the TLV stores it (driver, offset, allowed commands). */
struct perm_entry {
    uint32_t driver;
    uint32_t offset;
    uint64_t mask;
};

static void tb_perms(struct tbfb *t, uint16_t count, const struct perm_entry *e, unsigned n_written)
{
    uint8_t d[2 + 16 * 8];

    put16(d, count);
    for (unsigned i = 0; i < n_written; i++) {
        put32(d + 2 + 16 * i, e[i].driver);
        put32(d + 6 + 16 * i, e[i].offset);
        put64(d + 10 + 16 * i, e[i].mask);
    }
    tb_tlv(t, GS_TLV_PERMISSIONS, (uint16_t)(2 + 16 * n_written), d, 2 + 16 * n_written);
}

/* Sets header_size = t->at, total_size and flags, and the checksum. */
static void tb_end(struct tbfb *t, uint32_t total, uint32_t flags)
{
    put16(t->b + 2, (uint16_t)t->at);
    put32(t->b + 4, total);
    put32(t->b + 8, flags);
    fix_checksum(t->b);
}

/* A Credentials footer TLV at off: format, data_len bytes; returns the next offset. */
static size_t put_footer(uint8_t *b, size_t off, uint32_t format, uint16_t data_len)
{
    put16(b + off, GS_TLV_CREDENTIALS);
    put16(b + off + 2, (uint16_t)(4 + data_len));
    put32(b + off + 4, format);
    for (unsigned i = 0; i < data_len; i++)
        b[off + 8 + i] = (uint8_t)(0x5A + i);
    return off + 8 + data_len;
}

static const struct perm_entry full_perms[2] = {
    {.driver = 1, .offset = 0, .mask = 0x3},
    {.driver = 0x10000, .offset = 1, .mask = 0xF0},
};

/*
 * A 4096-byte TBF with every TLV type: tlv[0] Main, [1] Program, [2] WFR,
 * [3] PackageName, [4] FixedAddresses, [5] Permissions, [6]
 * StoragePermissions, [7] KernelVersion, [8] ShortId, [9] unknown 0x8001,
 * [10] PicOption1, [11] a Credentials TLV inside the header. binary_end 2048;
 * footers: SHA256 (40 bytes), then Reserved up to total_size.
 */
static void build_full(struct tbfb *t)
{
    uint32_t wfr[4] = {0x100, 0x40, 0x200, 0x80};
    uint8_t storage[20], junk[4] = {1, 2, 3, 4};
    size_t off;

    tb_begin(t);
    tb_main(t, 0x29, 0, 4096);
    tb_program(t, 0x31, 0x20, 8192, 2048, 7);
    tb_words(t, GS_TLV_WFR, wfr, 4);
    tb_name(t, "blink");
    tb_fixed(t, 0xFFFFFFFF, 0xFFFFFFFF);
    tb_perms(t, 2, full_perms, 2);
    put32(storage, 5);        /* write_id */
    put16(storage + 4, 2);    /* read count */
    put32(storage + 6, 0x11); /* read ids */
    put32(storage + 10, 0x22);
    put16(storage + 14, 1); /* modify count */
    put32(storage + 16, 0x33);
    tb_tlv(t, GS_TLV_STORAGE_PERMISSIONS, 20, storage, 20);
    tb_kv(t, 2, 2);
    tb_words(t, GS_TLV_SHORT_ID, (uint32_t[]){0x1234}, 1);
    tb_tlv(t, 0x8001, 3, junk, 3);
    tb_tlv(t, GS_TLV_PIC_OPTION1, 4, junk, 4);
    tb_tlv(t, GS_TLV_CREDENTIALS, 4, junk, 4);
    tb_end(t, 4096, GS_TBF_FLAG_ENABLED | GS_TBF_FLAG_STICKY);
    off = put_footer(t->b, 2048, GS_CRED_SHA256, 32);
    put_footer(t->b, off, GS_CRED_RESERVED, (uint16_t)(4096 - off - 8));
}

/* ----------------------------------------------------------- TBF: valid */

START_TEST(full_tbf_parses)
{
    static struct tbfb t;
    struct gs_tbf h;
    struct gs_tbf_footers f;
    struct gs_tbf_storage st;
    struct gs_load_error e;
    uint32_t a = 0;

    build_full(&t);
    ck_assert_int_eq(gs_tbf_parse(t.b, 4096, &h, &e), GS_OK);
    ck_assert_ptr_eq(h.buf, t.b);
    ck_assert_uint_eq(h.version, 2);
    ck_assert_uint_eq(h.header_size, t.at);
    ck_assert_uint_eq(h.total_size, 4096);
    ck_assert_uint_eq(h.flags, 3);
    ck_assert(!h.padding);
    ck_assert_uint_eq(h.ntlv, 12);
    ck_assert(h.has_main && h.has_program);
    ck_assert_uint_eq(h.main_init_fn_offset, 0x29);
    ck_assert_uint_eq(h.main_min_ram, 4096);
    ck_assert_uint_eq(h.prog_binary_end, 2048);
    /* Derived values come from Program, which is preferred over Main. */
    ck_assert_uint_eq(gs_tbf_min_ram(&h), 8192);
    ck_assert_uint_eq(gs_tbf_protected_size(&h), t.at + 0x20);
    ck_assert_uint_eq(gs_tbf_init_offset(&h), 0x31 + t.at); /* + header_size, not protected */
    ck_assert_uint_eq(gs_tbf_binary_end(&h), 2048);
    ck_assert_uint_eq(gs_tbf_binary_version(&h), 7);
    ck_assert(gs_tbf_enabled(&h));
    /* 0xFFFFFFFF means "not fixed". */
    ck_assert(h.has_fixed);
    ck_assert(!gs_tbf_fixed_ram(&h, &a));
    ck_assert(!gs_tbf_fixed_flash(&h, &a));
    ck_assert_uint_eq(gs_tbf_wfr_count(&h), 2);
    ck_assert_uint_eq(gs_tbf_wfr_at(&h, 1).offset, 0x200);
    ck_assert_uint_eq(gs_tbf_wfr_at(&h, 1).size, 0x80);
    ck_assert_uint_eq(gs_tbf_wfr_at(&h, 2).size, 0); /* out of range: {0, 0} */
    ck_assert_uint_eq(h.name_len, 5);
    ck_assert_int_eq(memcmp(h.name, "blink", 5), 0);
    ck_assert(h.has_kernel_version);
    ck_assert_uint_eq(h.kv_major, 2);
    ck_assert_uint_eq(h.kv_minor, 2);
    ck_assert(h.has_short_id);
    ck_assert_uint_eq(h.short_id, 0x1234);
    ck_assert_int_eq(gs_tbf_storage_permissions(&h, &st, &e), GS_OK);
    ck_assert_uint_eq(st.write_id, 5);
    ck_assert_uint_eq(st.nread, 2);
    ck_assert_uint_eq(st.read_ids[1], 0x22);
    ck_assert_uint_eq(st.nmodify, 1);
    ck_assert_uint_eq(st.modify_ids[0], 0x33);
    ck_assert_int_eq(gs_tbf_footers(&h, &f, &e), GS_OK);
    ck_assert_uint_eq(f.count, 2);
    ck_assert_uint_eq(f.first_format, GS_CRED_SHA256);
    ck_assert_uint_eq(f.count_by_format[GS_CRED_SHA256], 1);
    ck_assert_uint_eq(f.count_by_format[GS_CRED_RESERVED], 1);
    ck_assert_uint_eq(f.end, 4096);
    ck_assert_int_eq(gs_tbf_load_check(&h, 0x40000, NULL), GS_SCAN_LOADABLE);
}
END_TEST

START_TEST(app_info_from_tbf)
{
    static struct tbfb t;
    struct gs_tbf h;
    struct gs_tbf_app a;

    build_full(&t);
    ck_assert_int_eq(gs_tbf_parse(t.b, 4096, &h, NULL), GS_OK);
    ck_assert_int_eq(gs_tbf_app_info(&h, 0x40000, &a), GS_OK);
    ck_assert_uint_eq(a.info.flash_start, 0x40000);
    ck_assert_uint_eq(a.info.flash_len, 4096);
    ck_assert_uint_eq(a.info.header_size, t.at);
    ck_assert_uint_eq(a.info.protected_trailer, 0x20);
    ck_assert_uint_eq(a.info.init_fn_offset, 0x31);
    ck_assert_uint_eq(a.info.min_ram, 8192);
    ck_assert_uint_eq(a.info.binary_end, 2048);
    ck_assert(!a.info.has_fixed_ram && !a.info.has_fixed_flash);
    ck_assert_uint_eq(a.info.name_len, 5);
    ck_assert_ptr_eq(a.info.name, (const char *)h.name); /* borrowed from the TBF */
    ck_assert(a.info.has_perms);
    ck_assert_ptr_eq(a.info.perms, h.perms); /* raw TLV data, borrowed */
    ck_assert_uint_eq(a.info.perms_len, 2 + 2 * 16);
    ck_assert_uint_eq(a.info.nwfr, 2);
    ck_assert_uint_eq(a.info.wfr[0].offset, 0x100);
    gs_tbf_app_free(&a);
    gs_tbf_app_free(&a); /* idempotent */
    gs_tbf_app_free(NULL);
}
END_TEST

/* ----------------------------------------------------- TBF: malformed cases */

/* Builds bytes into t, sets the length to parse and the expected error offset. */
typedef void (*bad_build)(struct tbfb *t, size_t *len, size_t *off);

struct bad_tbf {
    const char *id;
    bad_build build;
    int code;
    const char *field;
    uint32_t value;
};

static void b_version(struct tbfb *t, size_t *len, size_t *off)
{
    tb_begin(t);
    tb_main(t, 0, 0, 0);
    tb_end(t, 256, 1);
    put16(t->b, 3);
    *len = 256;
    *off = 0;
}

static void b_short(struct tbfb *t, size_t *len, size_t *off)
{
    b_version(t, len, off);
    put16(t->b, 2);
    *len = 7;
}

static void b_hs_small(struct tbfb *t, size_t *len, size_t *off)
{
    tb_begin(t);
    tb_end(t, 256, 1);
    put16(t->b + 2, 12);
    *len = 256;
    *off = 2;
}

static void b_hs_big(struct tbfb *t, size_t *len, size_t *off)
{
    b_hs_small(t, len, off);
    put16(t->b + 2, 300);
}

static void b_total_past(struct tbfb *t, size_t *len, size_t *off)
{
    tb_begin(t);
    tb_main(t, 0, 0, 0);
    tb_end(t, 512, 1);
    *len = 256;
    *off = 4;
}

static void b_tlv_head_cut(struct tbfb *t, size_t *len, size_t *off)
{
    tb_begin(t);
    t->at = 18; /* two bytes after the base header: no room for a TLV header */
    tb_end(t, 64, 1);
    *len = 64;
    *off = 16;
}

static void b_overrun(struct tbfb *t, size_t *len, size_t *off)
{
    tb_begin(t);
    tb_tlv(t, GS_TLV_PACKAGE_NAME, 200, "abcdefgh", 8);
    tb_end(t, 256, 1);
    *len = 256;
    *off = 18;
}

static void b_pad_overrun(struct tbfb *t, size_t *len, size_t *off)
{
    tb_begin(t);
    tb_name(t, "abcde");
    t->at = 16 + 4 + 5; /* the data fits, its padding to 8 does not */
    tb_end(t, 256, 1);
    *len = 256;
    *off = 18;
}

static void b_unknown_overrun(struct tbfb *t, size_t *len, size_t *off)
{
    tb_begin(t);
    tb_tlv(t, 0x8001, 100, "abcd", 4);
    tb_end(t, 256, 1);
    *len = 256;
    *off = 18;
}

static void b_main_len(struct tbfb *t, size_t *len, size_t *off)
{
    tb_begin(t);
    tb_tlv(t, GS_TLV_MAIN, 8, "12345678", 8);
    tb_end(t, 256, 1);
    *len = 256;
    *off = 18;
}

static void b_main_cut(struct tbfb *t, size_t *len, size_t *off)
{
    tb_begin(t);
    tb_tlv(t, GS_TLV_MAIN, 12, "12345678", 8); /* length right, data cut by the header end */
    tb_end(t, 256, 1);
    *len = 256;
    *off = 18;
}

static void b_second_main_overrun(struct tbfb *t, size_t *len, size_t *off)
{
    tb_begin(t);
    tb_main(t, 1, 2, 3);
    tb_tlv(t, GS_TLV_MAIN, 40, "12345678", 8); /* ignored, but still skipped */
    tb_end(t, 256, 1);
    *len = 256;
    *off = 34;
}

static void b_prog_len(struct tbfb *t, size_t *len, size_t *off)
{
    tb_begin(t);
    tb_main(t, 0, 0, 0);
    tb_tlv(t, GS_TLV_PROGRAM, 16, "0123456789abcdef", 16);
    tb_end(t, 256, 1);
    *len = 256;
    *off = 34;
}

static void b_wfr_len(struct tbfb *t, size_t *len, size_t *off)
{
    tb_begin(t);
    tb_tlv(t, GS_TLV_WFR, 12, "0123456789ab", 12);
    tb_end(t, 256, 1);
    *len = 256;
    *off = 18;
}

static void b_fixed_len(struct tbfb *t, size_t *len, size_t *off)
{
    tb_begin(t);
    tb_tlv(t, GS_TLV_FIXED_ADDRESSES, 4, "0123", 4);
    tb_end(t, 256, 1);
    *len = 256;
    *off = 18;
}

static void b_kv_len(struct tbfb *t, size_t *len, size_t *off)
{
    tb_begin(t);
    tb_tlv(t, GS_TLV_KERNEL_VERSION, 8, "01234567", 8);
    tb_end(t, 256, 1);
    *len = 256;
    *off = 18;
}

static void b_sid_len(struct tbfb *t, size_t *len, size_t *off)
{
    tb_begin(t);
    tb_tlv(t, GS_TLV_SHORT_ID, 2, "01", 2);
    tb_end(t, 256, 1);
    *len = 256;
    *off = 18;
}

static void name_case(struct tbfb *t, const char *bad, size_t bad_at, size_t *len, size_t *off)
{
    tb_begin(t);
    tb_main(t, 0, 0, 0);
    tb_name(t, bad); /* tlv[1], data at 36 */
    tb_end(t, 256, 1);
    *len = 256;
    *off = 36 + bad_at;
}

static void b_name_overlong(struct tbfb *t, size_t *len, size_t *off)
{
    name_case(t, "ab\xC0\xAFz", 2, len, off);
}

static void b_name_surrogate(struct tbfb *t, size_t *len, size_t *off)
{
    name_case(t, "x\xED\xA0\x80", 1, len, off);
}

static void b_name_cut(struct tbfb *t, size_t *len, size_t *off)
{
    name_case(t, "ok\xE2\x82", 2, len, off);
}

static void b_name_too_high(struct tbfb *t, size_t *len, size_t *off)
{
    name_case(t, "\xF4\x90\x80\x80", 0, len, off);
}

static void b_name_first_bad(struct tbfb *t, size_t *len, size_t *off)
{
    tb_begin(t);
    tb_tlv(t, GS_TLV_PACKAGE_NAME, 1, "\xFF", 1); /* invalid, even though ... */
    tb_name(t, "good");                           /* ... a valid one follows */
    tb_end(t, 256, 1);
    *len = 256;
    *off = 20;
}

static void b_checksum(struct tbfb *t, size_t *len, size_t *off)
{
    tb_begin(t);
    tb_main(t, 0, 0, 0);
    tb_end(t, 256, 1);
    t->b[8] ^= 0x80; /* flags changed after the checksum was computed */
    *len = 256;
    *off = 12;
}

static const struct bad_tbf bad_tbfs[] = {
    {"version-3", b_version, GS_LE_UNABLE_TO_PARSE, "version", 3},
    {"shorter-than-8", b_short, GS_LE_NOT_ENOUGH_FLASH, "version", 7},
    {"header-size-below-16", b_hs_small, GS_LE_INVALID_HEADER, "header_size", 256},
    {"header-size-above-total", b_hs_big, GS_LE_INVALID_HEADER, "header_size", 256},
    {"total-size-past-buffer", b_total_past, GS_LE_NOT_ENOUGH_FLASH, "total_size", 512},
    {"tlv-header-cut", b_tlv_head_cut, GS_LE_NOT_ENOUGH_FLASH, "tlv[0].type", 2},
    {"tlv-overrun", b_overrun, GS_LE_NOT_ENOUGH_FLASH, "tlv[0].length", 200},
    {"tlv-padding-overrun", b_pad_overrun, GS_LE_NOT_ENOUGH_FLASH, "tlv[0].length", 5},
    {"unknown-tlv-overrun", b_unknown_overrun, GS_LE_NOT_ENOUGH_FLASH, "tlv[0].length", 100},
    {"main-length-8", b_main_len, GS_LE_BAD_TLV, "tlv[0].length", 1},
    {"main-data-cut", b_main_cut, GS_LE_NOT_ENOUGH_FLASH, "tlv[0].length", 12},
    {"second-main-overrun", b_second_main_overrun, GS_LE_NOT_ENOUGH_FLASH, "tlv[1].length", 40},
    {"program-length-16", b_prog_len, GS_LE_BAD_TLV, "tlv[1].length", 9},
    {"wfr-length-12", b_wfr_len, GS_LE_BAD_TLV, "tlv[0].length", 2},
    {"fixed-length-4", b_fixed_len, GS_LE_BAD_TLV, "tlv[0].length", 5},
    {"kernel-version-length-8", b_kv_len, GS_LE_BAD_TLV, "tlv[0].length", 8},
    {"short-id-length-2", b_sid_len, GS_LE_BAD_TLV, "tlv[0].length", 10},
    {"name-overlong", b_name_overlong, GS_LE_BAD_NAME, "tlv[1].data", 0xC0},
    {"name-surrogate", b_name_surrogate, GS_LE_BAD_NAME, "tlv[1].data", 0xED},
    {"name-cut-sequence", b_name_cut, GS_LE_BAD_NAME, "tlv[1].data", 0xE2},
    {"name-above-10ffff", b_name_too_high, GS_LE_BAD_NAME, "tlv[1].data", 0xF4},
    {"first-name-invalid", b_name_first_bad, GS_LE_BAD_NAME, "tlv[0].data", 0xFF},
    {"checksum-mismatch", b_checksum, GS_LE_CHECKSUM, "checksum", 0},
};

START_TEST(malformed_tbf)
{
    static struct tbfb t;
    const struct bad_tbf *c = &bad_tbfs[_i];
    struct gs_tbf h;
    struct gs_load_error e;
    size_t len = 0, off = 0;
    int r;

    memset(&h, 0x5A, sizeof(h));
    c->build(&t, &len, &off);
    r = gs_tbf_parse(t.b, len, &h, &e);
    ck_assert_msg(r == c->code, "case %s: got %d (%s), want %d", c->id, r, gs_load_code_name(r),
                  c->code);
    ck_assert_int_eq(e.code, c->code);
    ck_assert_str_eq(e.name, gs_load_code_name(c->code));
    ck_assert_msg(strcmp(e.field, c->field) == 0, "case %s: field %s", c->id, e.field);
    ck_assert_msg(e.offset == off, "case %s: offset %zu, want %zu", c->id, e.offset, off);
    if (c->code != GS_LE_CHECKSUM)
        ck_assert_msg(e.value == c->value, "case %s: value %u", c->id, (unsigned)e.value);
    ck_assert(e.message[0] != '\0');
    ck_assert_uint_eq(h.version, 0x5A5A); /* out-parameter untouched on error */
}
END_TEST

START_TEST(checksum_mismatch_values)
{
    static struct tbfb t;
    struct gs_load_error e;
    struct gs_tbf h;
    uint32_t stored;

    tb_begin(&t);
    tb_main(&t, 0x29, 0, 1024);
    tb_end(&t, 256, 1);
    stored = get32(t.b + 12);
    t.b[20] ^= 0x01; /* Main's init_fn_offset: one bit of word 5 */
    ck_assert_int_eq(gs_tbf_parse(t.b, 256, &h, &e), GS_LE_CHECKSUM);
    ck_assert_uint_eq(e.stored, stored);
    ck_assert_uint_eq(e.computed, stored ^ 0x01);
    ck_assert_uint_eq(e.value, stored);
    ck_assert_str_eq(e.name, "ChecksumMismatch");
    /* Word 3 itself is not part of the checksum. */
    t.b[20] ^= 0x01;
    ck_assert_int_eq(gs_tbf_parse(t.b, 256, &h, &e), GS_OK);
}
END_TEST

START_TEST(checksum_ignores_trailing_bytes)
{
    static struct tbfb t;
    struct gs_load_error e;
    struct gs_tbf h;

    /* header_size 18: the checksum covers the 4 complete words; bytes 16-17
     * do not count, so the parser gets past the checksum to the TLV. */
    tb_begin(&t);
    t.at = 18;
    t.b[16] = 0xAB;
    t.b[17] = 0xCD;
    tb_end(&t, 64, 1);
    ck_assert_int_eq(gs_tbf_parse(t.b, 64, &h, &e), GS_LE_NOT_ENOUGH_FLASH);
    ck_assert_str_eq(e.field, "tlv[0].type");
}
END_TEST

/* ----------------------------------------------------------- TBF: rules */

START_TEST(padding_header)
{
    static struct tbfb t;
    struct gs_tbf h;
    struct gs_load_error e;
    struct gs_tbf_app a;
    uint32_t x;

    tb_begin(&t);
    tb_end(&t, 1024, 1); /* header of exactly 16 bytes */
    ck_assert_int_eq(gs_tbf_parse(t.b, 1024, &h, NULL), GS_OK);
    ck_assert(h.padding);
    ck_assert(!gs_tbf_enabled(&h)); /* even with flags bit 0 set */
    ck_assert_uint_eq(gs_tbf_min_ram(&h), 0);
    ck_assert_uint_eq(gs_tbf_protected_size(&h), 0);
    ck_assert_uint_eq(gs_tbf_init_offset(&h), 0);
    ck_assert_uint_eq(gs_tbf_binary_end(&h), 0);
    ck_assert(!gs_tbf_fixed_flash(&h, &x));
    ck_assert_int_eq(gs_tbf_load_check(&h, 0, NULL), GS_SCAN_PADDING);
    ck_assert_int_eq(gs_tbf_app_info(&h, 0, &a), GS_E_ARG);
    /* A padding header is still checksummed. */
    t.b[5] ^= 0x10;
    ck_assert_int_eq(gs_tbf_parse(t.b, 8192, &h, &e), GS_LE_CHECKSUM);
}
END_TEST

START_TEST(first_main_and_program_win)
{
    static struct tbfb t;
    struct gs_tbf h;

    tb_begin(&t);
    tb_main(&t, 0x11, 1, 100);
    tb_tlv(&t, GS_TLV_MAIN, 8, "12345678", 8); /* a bad length, but ignored */
    tb_main(&t, 0x22, 2, 200);
    tb_program(&t, 0x33, 3, 300, 256, 1);
    tb_tlv(&t, GS_TLV_PROGRAM, 4, "1234", 4);
    tb_program(&t, 0x44, 4, 400, 128, 2);
    tb_end(&t, 256, 1);
    ck_assert_int_eq(gs_tbf_parse(t.b, 256, &h, NULL), GS_OK);
    ck_assert_uint_eq(h.main_init_fn_offset, 0x11);
    ck_assert_uint_eq(h.main_min_ram, 100);
    ck_assert_uint_eq(h.prog_init_fn_offset, 0x33);
    ck_assert_uint_eq(h.prog_binary_end, 256);
    ck_assert_uint_eq(gs_tbf_min_ram(&h), 300);
    ck_assert_uint_eq(gs_tbf_binary_version(&h), 1);
}
END_TEST

START_TEST(main_only_and_neither)
{
    static struct tbfb t;
    struct gs_tbf h;

    tb_begin(&t);
    tb_main(&t, 0x29, 0x10, 2048);
    tb_end(&t, 512, 1);
    ck_assert_int_eq(gs_tbf_parse(t.b, 512, &h, NULL), GS_OK);
    ck_assert_uint_eq(gs_tbf_min_ram(&h), 2048);
    ck_assert_uint_eq(gs_tbf_protected_size(&h), 32 + 0x10);
    ck_assert_uint_eq(gs_tbf_init_offset(&h), 0x29 + 32);
    ck_assert_uint_eq(gs_tbf_binary_end(&h), 512); /* no Program: total_size */
    ck_assert_uint_eq(gs_tbf_binary_version(&h), 0);

    /* Neither Main nor Program: still an app, with zero values. */
    tb_begin(&t);
    tb_kv(&t, 2, 0);
    tb_end(&t, 512, 1);
    ck_assert_int_eq(gs_tbf_parse(t.b, 512, &h, NULL), GS_OK);
    ck_assert(!h.padding);
    ck_assert_uint_eq(gs_tbf_min_ram(&h), 0);
    ck_assert_uint_eq(gs_tbf_protected_size(&h), 0);
    ck_assert_uint_eq(gs_tbf_init_offset(&h), 0);
    ck_assert_uint_eq(gs_tbf_binary_end(&h), 512);
    ck_assert_int_eq(gs_tbf_load_check(&h, 0, NULL), GS_SCAN_LOADABLE);
}
END_TEST

START_TEST(last_name_wfr_fixed_win)
{
    static struct tbfb t;
    struct gs_tbf h;
    uint32_t w1[2] = {0x10, 0x20}, w2[4] = {0x30, 0x40, 0x50, 0x60}, x = 0;

    tb_begin(&t);
    tb_name(&t, "first");
    tb_words(&t, GS_TLV_WFR, w1, 2);
    tb_fixed(&t, 0x20000000, 0x40030);
    tb_name(&t, "h\xC3\xA9llo \xE6\x97\xA5 \xF0\x9F\x98\x80"); /* valid UTF-8 */
    tb_words(&t, GS_TLV_WFR, w2, 4);
    tb_fixed(&t, 0xFFFFFFFF, 0x40060);
    tb_tlv(&t, GS_TLV_WFR, 0, NULL, 0); /* empty WFR list wins last */
    tb_name(&t, "");
    tb_name(&t, "final");
    tb_end(&t, 512, 1);
    ck_assert_int_eq(gs_tbf_parse(t.b, 512, &h, NULL), GS_OK);
    ck_assert_uint_eq(h.name_len, 5);
    ck_assert_int_eq(memcmp(h.name, "final", 5), 0);
    ck_assert_uint_eq(gs_tbf_wfr_count(&h), 0);
    ck_assert(!gs_tbf_fixed_ram(&h, &x));
    ck_assert(gs_tbf_fixed_flash(&h, &x));
    ck_assert_uint_eq(x, 0x40060);

    /* Without the trailing ones, the second WFR list and name win. */
    tb_begin(&t);
    tb_words(&t, GS_TLV_WFR, w1, 2);
    tb_words(&t, GS_TLV_WFR, w2, 4);
    tb_name(&t, "a");
    tb_name(&t, "\xC3\xA9");
    tb_end(&t, 512, 1);
    ck_assert_int_eq(gs_tbf_parse(t.b, 512, &h, NULL), GS_OK);
    ck_assert_uint_eq(gs_tbf_wfr_count(&h), 2);
    ck_assert_uint_eq(gs_tbf_wfr_at(&h, 1).offset, 0x50);
    ck_assert_uint_eq(h.name_len, 2);
}
END_TEST

START_TEST(kernel_version_rules)
{
    static struct tbfb t;
    struct gs_tbf h;
    struct gs_scan_opts o;

    gs_scan_opts_default(&o);
    ck_assert_uint_eq(o.kernel_minor, 3);
    ck_assert(o.require_kernel_version);
    tb_begin(&t);
    tb_main(&t, 0, 0, 0);
    tb_kv(&t, 2, 3);
    tb_end(&t, 512, 1);
    ck_assert_int_eq(gs_tbf_parse(t.b, 512, &h, NULL), GS_OK);
    ck_assert_int_eq(gs_tbf_load_check(&h, 0, &o), GS_SCAN_LOADABLE); /* 2.3 on 2.3 */
    o.kernel_minor = GS_KERNEL_MINOR_REL_2_2;
    ck_assert_int_eq(gs_tbf_load_check(&h, 0, &o), GS_SCAN_KERNEL_VERSION);
    h.kv_minor = 1;
    ck_assert_int_eq(gs_tbf_load_check(&h, 0, &o), GS_SCAN_LOADABLE); /* minor == kernel's */
    h.kv_minor = 0;
    ck_assert_int_eq(gs_tbf_load_check(&h, 0, &o), GS_SCAN_LOADABLE); /* older minor */
    h.kv_major = 1;
    ck_assert_int_eq(gs_tbf_load_check(&h, 0, &o), GS_SCAN_KERNEL_VERSION);
    h.kv_major = 3;
    ck_assert_int_eq(gs_tbf_load_check(&h, 0, &o), GS_SCAN_KERNEL_VERSION);
    h.has_kernel_version = false;
    ck_assert_int_eq(gs_tbf_load_check(&h, 0, &o), GS_SCAN_NO_KERNEL_VERSION);
    o.require_kernel_version = false;
    ck_assert_int_eq(gs_tbf_load_check(&h, 0, &o), GS_SCAN_LOADABLE);
    /* The last KernelVersion TLV counts. */
    tb_begin(&t);
    tb_kv(&t, 2, 9);
    tb_kv(&t, 2, 1);
    tb_end(&t, 512, 1);
    ck_assert_int_eq(gs_tbf_parse(t.b, 512, &h, NULL), GS_OK);
    ck_assert_uint_eq(h.kv_minor, 1);
    ck_assert_str_eq(gs_scan_reason_name(GS_SCAN_KERNEL_VERSION), "IncompatibleKernelVersion");
    ck_assert_str_eq(gs_scan_reason_name(GS_SCAN_NO_KERNEL_VERSION), "NoKernelVersion");
}
END_TEST

START_TEST(fixed_flash_check)
{
    static struct tbfb t;
    struct gs_tbf h;

    tb_begin(&t);
    tb_main(&t, 0, 0x40, 0); /* protected_size = 52 + 0x40 */
    tb_kv(&t, 2, 0);
    tb_fixed(&t, 0xFFFFFFFF, 0x40000 + 52 + 0x40);
    tb_end(&t, 512, 1);
    ck_assert_uint_eq(t.at, 52);
    ck_assert_int_eq(gs_tbf_parse(t.b, 512, &h, NULL), GS_OK);
    /* The fixed flash address is the app binary's, after the protected region. */
    ck_assert_int_eq(gs_tbf_load_check(&h, 0x40000, NULL), GS_SCAN_LOADABLE);
    ck_assert_int_eq(gs_tbf_load_check(&h, 0x40200, NULL), GS_SCAN_FLASH_ADDRESS);
    ck_assert_int_eq(gs_tbf_load_check(&h, 0x40000 + 0x40, NULL), GS_SCAN_FLASH_ADDRESS);
    h.flags = 0; /* disabled comes before the address check */
    ck_assert_int_eq(gs_tbf_load_check(&h, 0x40200, NULL), GS_SCAN_NOT_ENABLED);
}
END_TEST

START_TEST(command_permissions)
{
    static struct tbfb t;
    struct gs_tbf h;
    struct gs_tbf_app a;
    uint64_t m = 0;
    const struct perm_entry three[3] = {
        {.driver = 5, .offset = 0, .mask = 0x1},
        {.driver = 5, .offset = 2, .mask = 0x4},
        {.driver = 7, .offset = 0, .mask = 0x7},
    };

    /* No Permissions TLV at all. */
    tb_begin(&t);
    tb_main(&t, 0, 0, 0);
    tb_end(&t, 512, 1);
    ck_assert_int_eq(gs_tbf_parse(t.b, 512, &h, NULL), GS_OK);
    ck_assert_int_eq(gs_tbf_command_permissions(&h, 1, 0, &m), GS_PERM_NONE_AT_ALL);
    ck_assert_int_eq(gs_tbf_app_info(&h, 0, &a), GS_OK);
    ck_assert(!a.info.has_perms);
    gs_tbf_app_free(&a);

    /* A well-formed list. */
    tb_begin(&t);
    tb_perms(&t, 3, three, 3);
    tb_end(&t, 512, 1);
    ck_assert_int_eq(gs_tbf_parse(t.b, 512, &h, NULL), GS_OK);
    ck_assert_int_eq(gs_tbf_command_permissions(&h, 5, 2, &m), GS_PERM_MASK);
    ck_assert_uint_eq(m, 0x4);
    m = 99;
    ck_assert_int_eq(gs_tbf_command_permissions(&h, 5, 1, &m), GS_PERM_MASK);
    ck_assert_uint_eq(m, 0); /* driver listed, offset not: everything off */
    ck_assert_int_eq(gs_tbf_command_permissions(&h, 6, 0, &m), GS_PERM_NONE_THIS_DRIVER);
    ck_assert_int_eq(gs_tbf_app_info(&h, 0, &a), GS_OK);
    ck_assert(a.info.has_perms);
    ck_assert_uint_eq(a.info.perms_len, 2 + 3 * 16);
    gs_tbf_app_free(&a);

    /* Count 3, two entries present: a lookup that matches entry 0 succeeds,
     * one that must walk to the missing entry fails as NoPermsAtAll. */
    tb_begin(&t);
    tb_perms(&t, 3, three, 2);
    tb_end(&t, 512, 1);
    ck_assert_int_eq(gs_tbf_parse(t.b, 512, &h, NULL), GS_OK);
    ck_assert_int_eq(gs_tbf_command_permissions(&h, 5, 0, &m), GS_PERM_MASK);
    ck_assert_uint_eq(m, 0x1);
    ck_assert_int_eq(gs_tbf_command_permissions(&h, 7, 0, &m), GS_PERM_NONE_AT_ALL);
    ck_assert_int_eq(gs_tbf_command_permissions(&h, 5, 1, &m), GS_PERM_NONE_AT_ALL);
    ck_assert_int_eq(gs_tbf_app_info(&h, 0, &a), GS_OK);
    /* Malformed: handed over raw; the kernel's lookup decides per query. */
    ck_assert(a.info.has_perms);
    ck_assert_uint_eq(a.info.perms_len, 2 + 2 * 16);
    gs_tbf_app_free(&a);

    /* Count 0: entries exist (none), so every driver is "not this driver". */
    tb_begin(&t);
    tb_perms(&t, 0, three, 0);
    tb_end(&t, 512, 1);
    ck_assert_int_eq(gs_tbf_parse(t.b, 512, &h, NULL), GS_OK);
    ck_assert_int_eq(gs_tbf_command_permissions(&h, 5, 0, &m), GS_PERM_NONE_THIS_DRIVER);
    ck_assert_int_eq(gs_tbf_app_info(&h, 0, &a), GS_OK);
    ck_assert(a.info.has_perms);
    ck_assert_uint_eq(a.info.perms_len, 2);
    gs_tbf_app_free(&a);

    /* A 1-byte TLV cannot even hold the count. */
    tb_begin(&t);
    tb_tlv(&t, GS_TLV_PERMISSIONS, 1, "\x01", 1);
    tb_end(&t, 512, 1);
    ck_assert_int_eq(gs_tbf_parse(t.b, 512, &h, NULL), GS_OK);
    ck_assert(h.has_perms);
    ck_assert_int_eq(gs_tbf_command_permissions(&h, 1, 0, &m), GS_PERM_NONE_AT_ALL);

    /* The last Permissions TLV wins. */
    tb_begin(&t);
    tb_perms(&t, 3, three, 3);
    tb_perms(&t, 1, full_perms, 1);
    tb_end(&t, 512, 1);
    ck_assert_int_eq(gs_tbf_parse(t.b, 512, &h, NULL), GS_OK);
    ck_assert_int_eq(gs_tbf_command_permissions(&h, 5, 0, &m), GS_PERM_NONE_THIS_DRIVER);
    ck_assert_int_eq(gs_tbf_command_permissions(&h, 1, 0, &m), GS_PERM_MASK);
    ck_assert_uint_eq(m, 0x3);
}
END_TEST

START_TEST(storage_permissions)
{
    static struct tbfb t;
    struct gs_tbf h;
    struct gs_tbf_storage s;
    struct gs_load_error e;
    uint8_t d[64];

    memset(d, 0, sizeof(d));
    put32(d, 0);
    put16(d + 4, 9); /* nine read ids: more than 8 */
    tb_begin(&t);
    tb_tlv(&t, GS_TLV_STORAGE_PERMISSIONS, 6 + 36, d, 6 + 36);
    tb_end(&t, 512, 1);
    ck_assert_int_eq(gs_tbf_parse(t.b, 512, &h, NULL), GS_OK);
    ck_assert_int_eq(gs_tbf_storage_permissions(&h, &s, &e), GS_LE_BAD_TLV);
    ck_assert_uint_eq(e.value, GS_TLV_STORAGE_PERMISSIONS);

    put16(d + 4, 2); /* two read ids, but the TLV ends after one */
    tb_begin(&t);
    tb_tlv(&t, GS_TLV_STORAGE_PERMISSIONS, 10, d, 10);
    tb_end(&t, 512, 1);
    ck_assert_int_eq(gs_tbf_parse(t.b, 512, &h, NULL), GS_OK);
    ck_assert_int_eq(gs_tbf_storage_permissions(&h, &s, &e), GS_LE_NOT_ENOUGH_FLASH);
    ck_assert_str_eq(e.field, "read[1].id");

    put16(d + 4, 0); /* no room for the modify count */
    tb_begin(&t);
    tb_tlv(&t, GS_TLV_STORAGE_PERMISSIONS, 6, d, 6);
    tb_end(&t, 512, 1);
    ck_assert_int_eq(gs_tbf_parse(t.b, 512, &h, NULL), GS_OK);
    ck_assert_int_eq(gs_tbf_storage_permissions(&h, &s, &e), GS_LE_NOT_ENOUGH_FLASH);
    ck_assert_str_eq(e.field, "modify");

    tb_begin(&t);
    tb_tlv(&t, GS_TLV_STORAGE_PERMISSIONS, 3, d, 3);
    tb_end(&t, 512, 1);
    ck_assert_int_eq(gs_tbf_parse(t.b, 512, &h, NULL), GS_OK);
    ck_assert_int_eq(gs_tbf_storage_permissions(&h, &s, &e), GS_LE_NOT_ENOUGH_FLASH);
    ck_assert_str_eq(e.field, "write_id");
    h.has_storage = false;
    ck_assert_int_eq(gs_tbf_storage_permissions(&h, &s, &e), GS_E_ARG);
}
END_TEST

START_TEST(footer_walk)
{
    static struct tbfb t;
    struct gs_tbf h;
    struct gs_tbf_footers f;
    struct gs_load_error e;
    size_t off;

    /* Program says the binary ends at 256 of 512. */
    tb_begin(&t);
    tb_program(&t, 0, 0, 0, 256, 0);
    tb_end(&t, 512, 1);
    off = put_footer(t.b, 256, GS_CRED_SHA512, 64);
    off = put_footer(t.b, off, GS_CRED_ECDSA_P256, 64);
    ck_assert_int_eq(gs_tbf_parse(t.b, 512, &h, NULL), GS_OK);
    /* 256 - 2*72 = 112 zero bytes follow: type 0 is not a footer. */
    ck_assert_int_eq(gs_tbf_footers(&h, &f, &e), GS_LE_BAD_TLV);
    ck_assert_uint_eq(e.value, 0);
    ck_assert_str_eq(e.field, "footer[2].type");
    ck_assert_uint_eq(e.offset, off);
    put_footer(t.b, off, GS_CRED_RESERVED, (uint16_t)(512 - off - 8));
    ck_assert_int_eq(gs_tbf_footers(&h, &f, &e), GS_OK);
    ck_assert_uint_eq(f.count, 3);
    ck_assert_uint_eq(f.first_format, GS_CRED_SHA512);
    ck_assert_uint_eq(f.end, 512);

    /* A credential whose data is cut ends the walk quietly (past last footer). */
    put_footer(t.b, off, GS_CRED_RSA4096, (uint16_t)(512 - off - 8)); /* needs 1024 */
    ck_assert_int_eq(gs_tbf_footers(&h, &f, &e), GS_OK);
    ck_assert_uint_eq(f.count, 2);
    ck_assert_uint_eq(f.end, off);

    /* A TLV longer than the region also ends it quietly. */
    put16(t.b + off + 2, 1000);
    ck_assert_int_eq(gs_tbf_footers(&h, &f, &e), GS_OK);
    ck_assert_uint_eq(f.count, 2);

    /* Unknown format -> BadTlvEntry(128); a length below 4 -> InternalError. */
    put_footer(t.b, off, 7, 8);
    ck_assert_int_eq(gs_tbf_footers(&h, &f, &e), GS_LE_BAD_TLV);
    ck_assert_uint_eq(e.value, GS_TLV_CREDENTIALS);
    ck_assert_str_eq(e.field, "footer[2].format");
    put16(t.b + off + 2, 2);
    ck_assert_int_eq(gs_tbf_footers(&h, &f, &e), GS_LE_TBF_INTERNAL);
    ck_assert_str_eq(e.name, "InternalError");

    /* binary_end past total_size. */
    h.prog_binary_end = 513;
    ck_assert_int_eq(gs_tbf_footers(&h, &f, &e), GS_LE_NOT_ENOUGH_FLASH);
    ck_assert_str_eq(e.field, "program.binary_end_offset");
    ck_assert_uint_eq(e.offset, 16 + 4 + 12);
    ck_assert_int_eq(gs_tbf_load_check(&h, 0, &(struct gs_scan_opts){2, 3, false, 0}),
                     GS_SCAN_FOOTER_OVERRUN);
}
END_TEST

START_TEST(utf8_names_accepted)
{
    static const char *const good[] = {"",
                                       "a",
                                       "\xC2\x80",
                                       "\xDF\xBF",
                                       "\xE0\xA0\x80",
                                       "\xED\x9F\xBF",
                                       "\xEE\x80\x80",
                                       "\xF0\x90\x80\x80",
                                       "\xF4\x8F\xBF\xBF"};
    static const char *const bad[] = {"\x80",         "\xC1\xBF",         "\xE0\x9F\xBF",
                                      "\xED\xBF\xBF", "\xF0\x8F\xBF\xBF", "\xF5\x80\x80\x80",
                                      "\xC2",         "\xE1\x80\x41",     "\xF1\x80\x80\xC0"};
    static struct tbfb t;
    struct gs_tbf h;

    for (unsigned i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        tb_begin(&t);
        tb_name(&t, good[i]);
        tb_end(&t, 256, 1);
        ck_assert_msg(gs_tbf_parse(t.b, 256, &h, NULL) == GS_OK, "good name %u", i);
    }
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        tb_begin(&t);
        tb_name(&t, bad[i]);
        tb_end(&t, 256, 1);
        ck_assert_msg(gs_tbf_parse(t.b, 256, &h, NULL) == GS_LE_BAD_NAME, "bad name %u", i);
    }
}
END_TEST

/* ------------------------------------------------------------- flash scan */

#define FLASH_AT 0x40000u

struct app_spec_tbf {
    uint32_t total;
    uint32_t flags;
    int kv_major, kv_minor; /* kv_major < 0: no KernelVersion TLV */
    bool fixed;
    uint32_t fixed_flash;
    const char *name;
};

/* Writes one TBF at flash[off]; returns its header size. */
static size_t put_tbf(uint8_t *flash, size_t off, const struct app_spec_tbf *s)
{
    static struct tbfb t;

    tb_begin(&t);
    tb_main(&t, 0x29, 0, 1024);
    if (s->name)
        tb_name(&t, s->name);
    if (s->kv_major >= 0)
        tb_kv(&t, (uint16_t)s->kv_major, (uint16_t)s->kv_minor);
    if (s->fixed)
        tb_fixed(&t, 0xFFFFFFFF, s->fixed_flash);
    tb_end(&t, s->total, s->flags);
    memcpy(flash + off, t.b, t.at);
    return t.at;
}

static void put_padding(uint8_t *flash, size_t off, uint32_t total)
{
    static struct tbfb t;

    tb_begin(&t);
    tb_end(&t, total, 0);
    memcpy(flash + off, t.b, 16);
}

static uint8_t flash_img[0x4000];

/* The layout of the scan test: {offset, expected reason}. */
static const struct {
    uint32_t off;
    enum gs_scan_reason head, rel22;
} layout[] = {
    {0x0000, GS_SCAN_LOADABLE, GS_SCAN_KERNEL_VERSION}, /* "a", KV 2.2 */
    {0x0200, GS_SCAN_PADDING, GS_SCAN_PADDING},         /* 256 bytes */
    {0x0300, GS_SCAN_NOT_ENABLED, GS_SCAN_NOT_ENABLED}, /* flags 0 */
    {0x0500, GS_SCAN_NO_KERNEL_VERSION, GS_SCAN_NO_KERNEL_VERSION},
    {0x0700, GS_SCAN_KERNEL_VERSION, GS_SCAN_KERNEL_VERSION}, /* KV 2.4 */
    {0x0900, GS_SCAN_KERNEL_VERSION, GS_SCAN_KERNEL_VERSION}, /* KV 3.0 */
    {0x0B00, GS_SCAN_FLASH_ADDRESS, GS_SCAN_KERNEL_VERSION},  /* fixed elsewhere, KV 2.2 */
    {0x0D00, GS_SCAN_LOADABLE, GS_SCAN_LOADABLE},             /* fixed here, KV 2.0 */
    {0x0F00, GS_SCAN_PARSE_FAILURE, GS_SCAN_PARSE_FAILURE},   /* bad checksum */
    {0x1100, GS_SCAN_INVALID_HEADER, GS_SCAN_INVALID_HEADER}, /* header_size 8, total 128 */
    {0x1180, GS_SCAN_LOADABLE, GS_SCAN_KERNEL_VERSION},       /* "b", KV 2.3 */
};
#define LAYOUT_N   (sizeof(layout) / sizeof(layout[0]))
#define LAYOUT_END 0x1380u

static void build_flash(void)
{
    size_t hs;

    memset(flash_img, 0xFF, sizeof(flash_img)); /* erased flash ends the list */
    put_tbf(flash_img, 0x0000, &(struct app_spec_tbf){0x200, 1, 2, 2, false, 0, "a"});
    put_padding(flash_img, 0x0200, 0x100);
    put_tbf(flash_img, 0x0300, &(struct app_spec_tbf){0x200, 0, 2, 2, false, 0, "off"});
    put_tbf(flash_img, 0x0500, &(struct app_spec_tbf){0x200, 1, -1, 0, false, 0, "nokv"});
    put_tbf(flash_img, 0x0700, &(struct app_spec_tbf){0x200, 1, 2, 4, false, 0, "new"});
    put_tbf(flash_img, 0x0900, &(struct app_spec_tbf){0x200, 1, 3, 0, false, 0, "v3"});
    put_tbf(flash_img, 0x0B00,
            &(struct app_spec_tbf){0x200, 1, 2, 2, true, 0x12345678, "elsewhere"});
    /* Main + KV + Fixed = 16 + 16 + 8 + 12 = 52 bytes of header. */
    hs = put_tbf(flash_img, 0x0D00,
                 &(struct app_spec_tbf){0x200, 1, 2, 0, true, FLASH_AT + 0x0D00 + 52, NULL});
    ck_assert_uint_eq(hs, 52);
    put_tbf(flash_img, 0x0F00, &(struct app_spec_tbf){0x200, 1, 2, 2, false, 0, "bad"});
    flash_img[0x0F00 + 8] ^= 0x02; /* the sticky bit, after the checksum */
    put16(flash_img + 0x1100, 2);
    put16(flash_img + 0x1102, 8);
    put32(flash_img + 0x1104, 0x80);
    put_tbf(flash_img, 0x1180, &(struct app_spec_tbf){0x200, 1, 2, 3, false, 0, "b"});
}

static void check_layout(const struct gs_flash_scan *s, bool rel22)
{
    ck_assert_uint_eq(s->count, LAYOUT_N);
    for (unsigned i = 0; i < LAYOUT_N; i++) {
        const struct gs_scan_entry *e = &s->entries[i];
        enum gs_scan_reason want = rel22 ? layout[i].rel22 : layout[i].head;

        ck_assert_uint_eq(e->addr, FLASH_AT + layout[i].off);
        ck_assert_msg(e->reason == want, "entry %u: %s, want %s", i, gs_scan_reason_name(e->reason),
                      gs_scan_reason_name(want));
        ck_assert(e->loadable == (want == GS_SCAN_LOADABLE));
        ck_assert(e->parsed == (want != GS_SCAN_PARSE_FAILURE && want != GS_SCAN_INVALID_HEADER));
    }
    ck_assert_int_eq(s->stop, GS_STOP_UNABLE_TO_PARSE);
    ck_assert_uint_eq(s->stop_addr, FLASH_AT + LAYOUT_END);
    ck_assert_str_eq(s->stop_error.name, "UnableToParse");
    ck_assert_uint_eq(s->stop_error.offset, LAYOUT_END);
    ck_assert_uint_eq(s->stop_error.value, 0xFFFF);
}

START_TEST(scan_skip_reasons)
{
    struct gs_flash_scan s;
    struct gs_scan_opts o;

    build_flash();
    ck_assert_int_eq(gs_flash_scan(FLASH_AT, flash_img, sizeof(flash_img), NULL, &s), GS_OK);
    check_layout(&s, false);
    ck_assert_uint_eq(s.entries[1].size, 0x100);
    ck_assert_uint_eq(s.entries[9].size, 0x80);
    ck_assert_str_eq(s.entries[8].error.name, "ChecksumMismatch");
    ck_assert_uint_eq(s.entries[8].error.offset, 0x0F00 + 12); /* offsets are in the flash */
    ck_assert_str_eq(s.entries[9].error.name, "InvalidHeader");
    ck_assert_uint_eq(s.entries[9].error.offset, 0x1100 + 2);
    ck_assert_uint_eq(s.entries[0].tbf.name_len, 1);
    ck_assert_uint_eq(s.entries[10].tbf.name[0], 'b');
    ck_assert_str_eq(gs_scan_reason_name(s.entries[6].reason), "IncorrectFlashAddress");
    ck_assert_str_eq(gs_scan_stop_name(s.stop), "UnableToParse");
    gs_flash_scan_free(&s);
    gs_flash_scan_free(&s);
    gs_flash_scan_free(NULL);

    /* The 2.2 profile's kernel says 2.1: libtock-c's KernelVersion 2.2 is too new. */
    gs_scan_opts_default(&o);
    o.kernel_minor = GS_KERNEL_MINOR_REL_2_2;
    ck_assert_int_eq(gs_flash_scan(FLASH_AT, flash_img, sizeof(flash_img), &o, &s), GS_OK);
    check_layout(&s, true);
    gs_flash_scan_free(&s);
}
END_TEST

START_TEST(scan_stops)
{
    struct gs_flash_scan s;
    struct gs_scan_opts o;
    const struct app_spec_tbf app = {0x200, 1, 2, 2, false, 0, "a"};
    static struct tbfb t;

    /* Exactly at the end. */
    memset(flash_img, 0xFF, sizeof(flash_img));
    put_tbf(flash_img, 0, &app);
    put_tbf(flash_img, 0x200, &app);
    ck_assert_int_eq(gs_flash_scan(FLASH_AT, flash_img, 0x400, NULL, &s), GS_OK);
    ck_assert_uint_eq(s.count, 2);
    ck_assert_int_eq(s.stop, GS_STOP_END);
    ck_assert_uint_eq(s.stop_addr, FLASH_AT + 0x400);
    ck_assert_str_eq(gs_scan_stop_name(s.stop), "EndOfFlash");
    gs_flash_scan_free(&s);

    /* Fewer than 8 bytes left. */
    ck_assert_int_eq(gs_flash_scan(FLASH_AT, flash_img, 0x405, NULL, &s), GS_OK);
    ck_assert_uint_eq(s.count, 2);
    ck_assert_int_eq(s.stop, GS_STOP_NOT_ENOUGH_FLASH);
    ck_assert_uint_eq(s.stop_addr, FLASH_AT + 0x400);
    gs_flash_scan_free(&s);

    /* A TBF running past the end: not recorded. */
    ck_assert_int_eq(gs_flash_scan(FLASH_AT, flash_img, 0x300, NULL, &s), GS_OK);
    ck_assert_uint_eq(s.count, 1);
    ck_assert_int_eq(s.stop, GS_STOP_NOT_ENOUGH_FLASH);
    ck_assert_str_eq(s.stop_error.field, "total_size");
    ck_assert_uint_eq(s.stop_error.offset, 0x204);
    gs_flash_scan_free(&s);

    /* Entry limit. */
    gs_scan_opts_default(&o);
    o.max_entries = 1;
    ck_assert_int_eq(gs_flash_scan(FLASH_AT, flash_img, 0x400, &o, &s), GS_OK);
    ck_assert_uint_eq(s.count, 1);
    ck_assert_int_eq(s.stop, GS_STOP_TOO_MANY);
    ck_assert_uint_eq(s.stop_addr, FLASH_AT + 0x200);
    gs_flash_scan_free(&s);

    /* total_size 0 with a bad header: upstream would spin; we stop. */
    put16(flash_img + 0x200, 2);
    put16(flash_img + 0x202, 16);
    put32(flash_img + 0x204, 0);
    ck_assert_int_eq(gs_flash_scan(FLASH_AT, flash_img, 0x400, NULL, &s), GS_OK);
    ck_assert_uint_eq(s.count, 1);
    ck_assert_int_eq(s.stop, GS_STOP_ZERO_SIZE);
    ck_assert_uint_eq(s.stop_addr, FLASH_AT + 0x200);
    gs_flash_scan_free(&s);

    /* binary_end past total_size: recorded, then the scan ends. */
    tb_begin(&t);
    tb_program(&t, 0, 0, 0, 0x201, 0);
    tb_kv(&t, 2, 0);
    tb_end(&t, 0x200, 1);
    memcpy(flash_img + 0x200, t.b, t.at);
    put_tbf(flash_img, 0x400, &app);
    ck_assert_int_eq(gs_flash_scan(FLASH_AT, flash_img, 0x600, NULL, &s), GS_OK);
    ck_assert_uint_eq(s.count, 2);
    ck_assert_int_eq(s.entries[1].reason, GS_SCAN_FOOTER_OVERRUN);
    ck_assert_str_eq(gs_scan_reason_name(s.entries[1].reason), "NotEnoughFlash");
    ck_assert_int_eq(s.stop, GS_STOP_NOT_ENOUGH_FLASH);
    ck_assert_uint_eq(s.stop_addr, FLASH_AT + 0x200);
    ck_assert_str_eq(s.stop_error.field, "program.binary_end_offset");
    ck_assert_uint_eq(s.stop_error.offset, 0x200 + 16 + 4 + 12);
    gs_flash_scan_free(&s);

    /* Empty flash; bad arguments. */
    ck_assert_int_eq(gs_flash_scan(FLASH_AT, NULL, 0, NULL, &s), GS_OK);
    ck_assert_int_eq(s.stop, GS_STOP_END);
    ck_assert_uint_eq(s.count, 0);
    gs_flash_scan_free(&s);
    ck_assert_int_eq(gs_flash_scan(0xFFFFFF00u, flash_img, 0x200, NULL, &s), GS_E_ARG);
    ck_assert_int_eq(gs_flash_scan(0xFFFFFE00u, flash_img, 0x200, NULL, &s), GS_OK);
    gs_flash_scan_free(&s);
    ck_assert_int_eq(gs_flash_scan(FLASH_AT, NULL, 4, NULL, &s), GS_E_ARG);
}
END_TEST

/* -------------------------------------------------------------- ELF builder */

#define EB_DATA0 0x200u /* segment and section bytes start here */

struct eb {
    uint8_t f[16384];
    size_t len;
    uint32_t entry;
    uint32_t ph[8][7]; /* type, offset, vaddr, paddr, filesz, memsz, flags */
    unsigned nph;
    uint32_t sh[16][7]; /* name, type, flags, addr, offset, size, link */
    unsigned nsh;
    char str[256];
    size_t nstr;
    size_t shoff;
};

static uint32_t eb_blob(struct eb *e, const void *d, size_t n)
{
    uint32_t off;

    e->len = (e->len + 3) & ~(size_t)3;
    off = (uint32_t)e->len;
    memcpy(e->f + off, d, n);
    e->len += n;
    return off;
}

static void eb_ph(struct eb *e, uint32_t type, uint32_t off, uint32_t vaddr, uint32_t paddr,
                  uint32_t filesz, uint32_t memsz, uint32_t flags)
{
    uint32_t *p = e->ph[e->nph++];

    p[0] = type;
    p[1] = off;
    p[2] = vaddr;
    p[3] = paddr;
    p[4] = filesz;
    p[5] = memsz;
    p[6] = flags;
}

static unsigned eb_sh(struct eb *e, const char *name, uint32_t type, uint32_t flags, uint32_t addr,
                      uint32_t off, uint32_t size)
{
    uint32_t *s = e->sh[e->nsh];

    s[0] = 0;
    if (name[0]) {
        s[0] = (uint32_t)e->nstr;
        memcpy(e->str + e->nstr, name, strlen(name) + 1);
        e->nstr += strlen(name) + 1;
    }
    s[1] = type;
    s[2] = flags;
    s[3] = addr;
    s[4] = off;
    s[5] = size;
    return e->nsh++;
}

static void eb_init(struct eb *e)
{
    memset(e, 0, sizeof(*e));
    e->len = EB_DATA0;
    e->nstr = 1; /* the empty name */
    eb_sh(e, "", 0, 0, 0, 0, 0);
}

/* Name table, section headers, ELF header, program headers. Returns the size. */
static size_t eb_finish(struct eb *e)
{
    unsigned k = eb_sh(e, ".shstrtab", 3, 0, 0, 0, 0);
    uint8_t *f = e->f;

    e->sh[k][4] = eb_blob(e, e->str, e->nstr);
    e->sh[k][5] = (uint32_t)e->nstr;
    e->shoff = (e->len + 3) & ~(size_t)3;
    for (unsigned i = 0; i < e->nsh; i++) {
        for (unsigned j = 0; j < 7; j++)
            put32(f + e->shoff + 40 * i + 4 * j, e->sh[i][j]);
    }
    e->len = e->shoff + 40 * e->nsh;
    memcpy(f,
           "\x7f"
           "ELF\x01\x01\x01",
           7);
    put16(f + 16, 2);  /* ET_EXEC */
    put16(f + 18, 40); /* EM_ARM */
    put32(f + 20, 1);
    put32(f + 24, e->entry);
    put32(f + 28, 52);
    put32(f + 32, (uint32_t)e->shoff);
    put32(f + 36, 0x05000200);
    put16(f + 40, 52);
    put16(f + 42, 32);
    put16(f + 44, (uint16_t)e->nph);
    put16(f + 46, 40);
    put16(f + 48, (uint16_t)e->nsh);
    put16(f + 50, (uint16_t)k);
    for (unsigned i = 0; i < e->nph; i++) {
        for (unsigned j = 0; j < 7; j++)
            put32(f + 52 + 32 * i + 4 * j, e->ph[i][j]);
        put32(f + 52 + 32 * i + 28, 4); /* p_align */
    }
    return e->len;
}

/* A libtock-c-shaped app (TOCK-REFERENCE 11.2.1). */
struct app_spec {
    uint32_t text, gap, got, data, bss, stack;
    unsigned nrel;
    bool wfr;     /* a .wfr.app_state section after the crt0 header */
    bool rel_got; /* .rel.got and .rel.text sections too */
    uint32_t entry;
};

static const struct app_spec app_default = {0x60, 0x10, 8,     0x18,  0x20,
                                            2048, 2,    false, false, 0x80000029};

#define SHF_WA 3u
#define SHF_AX 6u
#define RAM_AT 0x800u

static uint8_t exp_text(uint32_t i)
{
    return (uint8_t)(i * 7 + 1);
}

static uint8_t exp_data(uint32_t i)
{
    return (uint8_t)(0xA0 ^ i);
}

/* The crt0 header (TOCK-REFERENCE 11.1.2) of an app_spec, at p (40 bytes). */
static void crt0_header(const struct app_spec *s, uint8_t *p)
{
    uint32_t got_img = s->text + s->gap;

    put32(p + 0, got_img);
    put32(p + 4, RAM_AT);
    put32(p + 8, s->got);
    put32(p + 12, got_img + s->got);
    put32(p + 16, RAM_AT + s->got);
    put32(p + 20, s->data);
    put32(p + 24, RAM_AT + s->got + s->data);
    put32(p + 28, s->bss);
    put32(p + 32, got_img + s->got + s->data);
    put32(p + 36, s->stack);
}

static void build_app(struct eb *e, const struct app_spec *s)
{
    static uint8_t text[4096], data[1024], rel[256];
    uint32_t t, d, r = 0, hdr = s->wfr ? 48 : 40, got_img = s->text + s->gap;

    for (uint32_t i = 0; i < s->text; i++)
        text[i] = exp_text(i);
    crt0_header(s, text);
    for (uint32_t i = 0; i < s->got + s->data; i++)
        data[i] = exp_data(i);
    for (unsigned i = 0; i < s->nrel + (s->rel_got ? 2 : 0); i++) {
        put32(rel + 8 * i, RAM_AT + s->got + 4 * i);
        put32(rel + 8 * i + 4, 0x100 * i + 2); /* R_ARM_ABS32 */
    }
    eb_init(e);
    t = eb_blob(e, text, s->text);
    d = eb_blob(e, data, s->got + s->data);
    if (s->nrel || s->rel_got)
        r = eb_blob(e, rel, 8 * (s->nrel + (s->rel_got ? 2 : 0)));
    eb_ph(e, 1, t, 0x80000000, 0x80000000, s->text, s->text, 5);
    eb_ph(e, 1, d, RAM_AT, 0x80000000 + got_img, s->got + s->data, s->got + s->data + s->bss, 6);
    eb_ph(e, 1, 0, 0, 0, 0, RAM_AT, 6); /* .stack */
    eb_ph(e, 0x70000001, t + s->text, 0x80000000 + s->text, 0x80000000 + s->text, 0, 0, 4);
    eb_sh(e, ".crt0_header", 1, 2, 0x80000000, t, 40);
    if (s->wfr)
        eb_sh(e, ".wfr.app_state", 1, SHF_WA, 0x80000028, t + 40, 8);
    eb_sh(e, ".text", 1, SHF_AX, 0x80000000 + hdr, t + hdr, s->text - hdr);
    eb_sh(e, ".stack", 8, SHF_WA, 0, d, RAM_AT);
    eb_sh(e, ".got", 1, SHF_WA, RAM_AT, d, s->got);
    eb_sh(e, ".data", 1, SHF_WA, RAM_AT + s->got, d + s->got, s->data);
    eb_sh(e, ".bss", 8, SHF_WA, RAM_AT + s->got + s->data, d + s->got + s->data, s->bss);
    if (s->rel_got) {
        eb_sh(e, ".rel.text", 9, 0x40, 0, r, 8 * s->nrel); /* .text is not writable */
        eb_sh(e, ".rel.got", 9, 0x40, 0, r + 8 * s->nrel, 16);
    }
    if (s->nrel)
        eb_sh(e, ".rel.data", 9, 0x40, 0, r, 8 * s->nrel);
    e->entry = s->entry;
    eb_finish(e);
}

/* The image TOCK-REFERENCE 11.2.3 describes, computed independently. */
static size_t expected_image(const struct app_spec *s, uint8_t *out)
{
    uint32_t seg_end = s->text + s->gap + s->got + s->data;
    uint32_t n;

    memset(out, 0, 8192);
    for (uint32_t i = 0; i < s->text; i++)
        out[i] = exp_text(i);
    crt0_header(s, out);
    for (uint32_t i = 0; i < s->got + s->data; i++)
        out[s->text + s->gap + i] = exp_data(i);
    put32(out + seg_end, 8 * s->nrel);
    for (unsigned i = 0; i < s->nrel; i++) {
        put32(out + seg_end + 4 + 8 * i, RAM_AT + s->got + 4 * i);
        put32(out + seg_end + 8 + 8 * i, 0x100 * i + 2);
    }
    n = seg_end + 4 + 8 * s->nrel;
    return n;
}

/* ------------------------------------------------------------- ELF: valid */

START_TEST(elf_to_image_default)
{
    static struct eb e;
    static uint8_t exp[8192];
    struct gs_elf_image img;
    struct gs_load_error err;
    size_t n;

    build_app(&e, &app_default);
    n = expected_image(&app_default, exp);
    ck_assert_uint_eq(n, 0xA4);
    ck_assert_int_eq(gs_elf_to_image(e.f, e.len, NULL, &img, &err), GS_OK);
    ck_assert_uint_eq(img.len, n);
    ck_assert_int_eq(memcmp(img.bytes, exp, n), 0); /* segments, zero gap, len, .rel.data */
    ck_assert_uint_eq(img.reldata_offset, 0x90);
    ck_assert_uint_eq(img.reldata_offset, get32(img.bytes + 32)); /* crt0 reldata_start */
    ck_assert_uint_eq(get32(img.bytes + 0x90), 16);
    ck_assert_uint_eq(img.rel_len, 16);
    ck_assert_uint_eq(img.entry_offset, 0x29); /* Thumb bit kept */
    ck_assert_uint_eq(img.ram_segments_size, 0x40);
    ck_assert_int_eq(img.stack_source, GS_STACK_CRT0);
    ck_assert_uint_eq(img.stack_size, 2048);
    ck_assert_uint_eq(img.minimum_ram_size, 0x40 + 2048 + 1024 + 1024);
    ck_assert_uint_eq(img.nwfr, 0);
    gs_elf_image_free(&img);
    gs_elf_image_free(&img);
    gs_elf_image_free(NULL);
}
END_TEST

START_TEST(elf_stack_and_heaps)
{
    static struct eb e;
    struct app_spec s = app_default;
    struct gs_elf_opts o;
    struct gs_elf_image img;
    uint8_t text[0x20];

    s.stack = 1234; /* crt0 header: aligned to 8 -> 1240 */
    build_app(&e, &s);
    ck_assert_int_eq(gs_elf_to_image(e.f, e.len, NULL, &img, NULL), GS_OK);
    ck_assert_uint_eq(img.stack_size, 1234);
    ck_assert_uint_eq(img.minimum_ram_size, 0x40 + 1240 + 2048);
    gs_elf_image_free(&img);

    gs_elf_opts_default(&o);
    o.stack_size = 1001;
    o.app_heap_size = 3;
    o.kernel_heap_size = 0;
    ck_assert_int_eq(gs_elf_to_image(e.f, e.len, &o, &img, NULL), GS_OK);
    ck_assert_int_eq(img.stack_source, GS_STACK_EXPLICIT);
    ck_assert_uint_eq(img.minimum_ram_size, 0x40 + 1008 + 4 + 0);
    ck_assert_uint_eq(img.app_heap_size, 3);
    gs_elf_image_free(&img);

    /* An image too short for a crt0 header: elf2tab's default stack, no RAM, no relocations. */
    memset(text, 0x11, sizeof(text));
    eb_init(&e);
    eb_ph(&e, 1, eb_blob(&e, text, sizeof(text)), 0x80000000, 0x80000000, 0x20, 0x20, 5);
    eb_sh(&e, ".text", 1, SHF_AX, 0x80000000, EB_DATA0, 0x20);
    e.entry = 0x80000001;
    eb_finish(&e);
    ck_assert_int_eq(gs_elf_to_image(e.f, e.len, NULL, &img, NULL), GS_OK);
    ck_assert_int_eq(img.stack_source, GS_STACK_DEFAULT);
    ck_assert_uint_eq(img.minimum_ram_size, 2048 + 1024 + 1024);
    ck_assert_uint_eq(img.len, 0x24);
    ck_assert_uint_eq(get32(img.bytes + 0x20), 0);
    ck_assert_uint_eq(img.entry_offset, 1);
    gs_elf_image_free(&img);
}
END_TEST

/* One Elf32_Sym: name offset, value, size 0, info 0, other 0, shndx. */
static void put_sym(uint8_t *p, uint32_t name, uint32_t value, uint16_t shndx)
{
    memset(p, 0, 16);
    put32(p, name);
    put32(p + 4, value);
    p[14] = (uint8_t)shndx;
    p[15] = (uint8_t)(shndx >> 8);
}

/*
 * Without a crt0 header (libtock-c's bare_bones), the sizes come from the
 * absolute symbols libtock-c links in (--defsym STACK_SIZE, APP_HEAP_SIZE,
 * KERNEL_HEAP_SIZE): STACK_SIZE 1, heaps 0 give minimum_ram_size 8. A symbol
 * that is not absolute, or a name that runs off the string table, is not
 * taken; an option still beats a symbol.
 */
START_TEST(elf_sizes_from_symbols)
{
    static struct eb e;
    static const char names[] = "\0STACK_SIZE\0APP_HEAP_SIZE\0KERNEL_HEAP_SIZE";
    uint8_t text[0x20], syms[5 * 16];
    struct gs_elf_opts o;
    struct gs_elf_image img;
    unsigned str, tab;

    memset(text, 0x11, sizeof(text));
    put_sym(syms, 0, 0, 0);            /* the null symbol */
    put_sym(syms + 16, 1, 1, 0xfff1);  /* STACK_SIZE = 1 */
    put_sym(syms + 32, 12, 0, 0xfff1); /* APP_HEAP_SIZE = 0 */
    put_sym(syms + 48, 26, 0, 0xfff1); /* KERNEL_HEAP_SIZE = 0 */
    put_sym(syms + 64, 12, 0x700, 1);  /* APP_HEAP_SIZE again, not absolute */
    eb_init(&e);
    eb_ph(&e, 1, eb_blob(&e, text, sizeof(text)), 0x80000000, 0x80000000, 0x20, 0x20, 5);
    eb_sh(&e, ".text", 1, SHF_AX, 0x80000000, EB_DATA0, 0x20);
    str = eb_sh(&e, ".strtab", 3, 0, 0, 0, sizeof(names));
    e.sh[str][4] = eb_blob(&e, names, sizeof(names));
    tab = eb_sh(&e, ".symtab", 2, 0, 0, 0, sizeof(syms));
    e.sh[tab][4] = eb_blob(&e, syms, sizeof(syms));
    e.sh[tab][6] = str;
    e.entry = 0x80000001;
    eb_finish(&e);
    ck_assert_int_eq(gs_elf_to_image(e.f, e.len, NULL, &img, NULL), GS_OK);
    ck_assert_int_eq(img.stack_source, GS_STACK_SYMBOL);
    ck_assert_int_eq(img.heap_source, GS_HEAP_SYMBOL);
    ck_assert_uint_eq(img.stack_size, 1);
    ck_assert_uint_eq(img.app_heap_size, 0);
    ck_assert_uint_eq(img.minimum_ram_size, 8);
    gs_elf_image_free(&img);

    gs_elf_opts_default(&o);
    o.kernel_heap_size = 100;
    ck_assert_int_eq(gs_elf_to_image(e.f, e.len, &o, &img, NULL), GS_OK);
    ck_assert_uint_eq(img.minimum_ram_size, 8 + 0 + 100);
    gs_elf_image_free(&img);

    /* The string table cut before KERNEL_HEAP_SIZE's NUL: that name is not read. */
    e.sh[str][5] = sizeof(names) - 1;
    for (unsigned j = 0; j < 7; j++)
        put32(e.f + e.shoff + 40 * str + 4 * j, e.sh[str][j]);
    ck_assert_int_eq(gs_elf_to_image(e.f, e.len, NULL, &img, NULL), GS_OK);
    ck_assert_int_eq(img.heap_source, GS_HEAP_DEFAULT);
    ck_assert_uint_eq(img.kernel_heap_size, 1024);
    ck_assert_uint_eq(img.minimum_ram_size, 8 + 0 + 1024);
    gs_elf_image_free(&img);
}
END_TEST

START_TEST(elf_relocations_of_writable_sections)
{
    static struct eb e;
    struct app_spec s = app_default;
    struct gs_elf_image img;
    uint32_t base;

    /* .rel.got and .rel.data are taken in section order (.got first);
     * .rel.text is not, .text being read-only. */
    s.rel_got = true;
    build_app(&e, &s);
    ck_assert_int_eq(gs_elf_to_image(e.f, e.len, NULL, &img, NULL), GS_OK);
    ck_assert_uint_eq(img.rel_len, 32);
    base = img.reldata_offset + 4;
    ck_assert_uint_eq(get32(img.bytes + img.reldata_offset), 32);
    ck_assert_uint_eq(get32(img.bytes + base + 4), 0x202);  /* .rel.got entry 2 */
    ck_assert_uint_eq(get32(img.bytes + base + 12), 0x302); /* .rel.got entry 3 */
    ck_assert_uint_eq(get32(img.bytes + base + 20), 0x002); /* .rel.data entry 0 */
    ck_assert_uint_eq(get32(img.bytes + base + 28), 0x102); /* .rel.data entry 1 */
    ck_assert_uint_eq(img.len, img.reldata_offset + 4 + 32);
    gs_elf_image_free(&img);

    /* No relocation section at all: the length word is still there, 0. */
    s = app_default;
    s.nrel = 0;
    build_app(&e, &s);
    ck_assert_int_eq(gs_elf_to_image(e.f, e.len, NULL, &img, NULL), GS_OK);
    ck_assert_uint_eq(img.rel_len, 0);
    ck_assert_uint_eq(img.len, 0x94);
    ck_assert_uint_eq(get32(img.bytes + 0x90), 0);
    gs_elf_image_free(&img);
}
END_TEST

START_TEST(elf_writeable_flash_region)
{
    static struct eb e;
    struct app_spec s = app_default;
    struct gs_elf_image img;
    struct gs_tbf_synth sy;
    struct gs_tbf h;
    uint8_t *tbf;
    size_t n;

    s.wfr = true;
    s.entry = 0x80000031;
    build_app(&e, &s);
    ck_assert_int_eq(gs_elf_to_image(e.f, e.len, NULL, &img, NULL), GS_OK);
    ck_assert_uint_eq(img.nwfr, 1);
    ck_assert_uint_eq(img.wfr[0].offset, 0x28);
    ck_assert_uint_eq(img.wfr[0].size, 8);
    ck_assert_uint_eq(img.entry_offset, 0x31);
    /* The TBF's WFR offset counts from the TBF start. */
    gs_tbf_synth_from_image(&sy, &img, "w");
    ck_assert_int_eq(gs_tbf_synthesize(&sy, &tbf, &n, NULL), GS_OK);
    ck_assert_int_eq(gs_tbf_parse(tbf, n, &h, NULL), GS_OK);
    ck_assert_uint_eq(h.header_size, 56 + 8 + 12 + 8);
    ck_assert_uint_eq(gs_tbf_wfr_count(&h), 1);
    ck_assert_uint_eq(gs_tbf_wfr_at(&h, 0).offset, h.header_size + 0x28);
    ck_assert_uint_eq(gs_tbf_wfr_at(&h, 0).size, 8);
    free(tbf);
    gs_elf_image_free(&img);
}
END_TEST

/* ---------------------------------------------------------- ELF: malformed */

/* Mutates a valid ELF; returns the expected error offset. */
typedef size_t (*elf_mut)(struct eb *e, size_t *len);

static size_t ph_f(unsigned i, unsigned f)
{
    return 52 + 32 * i + f;
}

static size_t sh_f(const struct eb *e, unsigned i, unsigned f)
{
    return e->shoff + 40 * i + f;
}

static size_t m_magic(struct eb *e, size_t *len)
{
    (void)len;
    e->f[1] = 'X';
    return 0;
}

static size_t m_short(struct eb *e, size_t *len)
{
    (void)e;
    *len = 40;
    return 0;
}

static size_t m_class(struct eb *e, size_t *len)
{
    (void)len;
    e->f[4] = 2;
    return 4;
}

static size_t m_data(struct eb *e, size_t *len)
{
    (void)len;
    e->f[5] = 2;
    return 5;
}

static size_t m_ident_version(struct eb *e, size_t *len)
{
    (void)len;
    e->f[6] = 0;
    return 6;
}

static size_t m_type(struct eb *e, size_t *len)
{
    (void)len;
    put16(e->f + 16, 1); /* ET_REL: an object file */
    return 16;
}

static size_t m_machine(struct eb *e, size_t *len)
{
    (void)len;
    put16(e->f + 18, 62);
    return 18;
}

static size_t m_version(struct eb *e, size_t *len)
{
    (void)len;
    put32(e->f + 20, 2);
    return 20;
}

static size_t m_ehsize(struct eb *e, size_t *len)
{
    (void)len;
    put16(e->f + 40, 64);
    return 40;
}

static size_t m_phnum0(struct eb *e, size_t *len)
{
    (void)len;
    put16(e->f + 44, 0);
    return 44;
}

static size_t m_phnum_xnum(struct eb *e, size_t *len)
{
    (void)len;
    put16(e->f + 44, 0xFFFF);
    return 44;
}

static size_t m_shnum_big(struct eb *e, size_t *len)
{
    (void)len;
    put16(e->f + 48, GS_ELF_MAX_SHNUM + 1);
    return 48;
}

static size_t m_phentsize(struct eb *e, size_t *len)
{
    (void)len;
    put16(e->f + 42, 56);
    return 42;
}

static size_t m_phoff_out(struct eb *e, size_t *len)
{
    put32(e->f + 28, (uint32_t)*len - 16);
    return 28;
}

static size_t m_phoff_wrap(struct eb *e, size_t *len)
{
    (void)len;
    put32(e->f + 28, 0xFFFFFFF0u);
    return 28;
}

static size_t m_phoff_overlap(struct eb *e, size_t *len)
{
    (void)len;
    put32(e->f + 28, 8);
    return 28;
}

static size_t m_shnum0(struct eb *e, size_t *len)
{
    (void)len;
    put16(e->f + 48, 0);
    return 48;
}

static size_t m_shentsize(struct eb *e, size_t *len)
{
    (void)len;
    put16(e->f + 46, 64);
    return 46;
}

static size_t m_shoff_out(struct eb *e, size_t *len)
{
    put32(e->f + 32, (uint32_t)*len - 40);
    return 32;
}

static size_t m_shoff_overlap(struct eb *e, size_t *len)
{
    (void)len;
    put32(e->f + 32, 52 + 32);
    return 32;
}

static size_t m_shstrndx_big(struct eb *e, size_t *len)
{
    (void)len;
    put16(e->f + 50, (uint16_t)e->nsh);
    return 50;
}

static size_t m_shstrndx_type(struct eb *e, size_t *len)
{
    (void)len;
    put16(e->f + 50, 1);
    return sh_f(e, 1, 4);
}

static size_t m_strtab_out(struct eb *e, size_t *len)
{
    put32(e->f + sh_f(e, e->nsh - 1, 16), (uint32_t)*len);
    return sh_f(e, e->nsh - 1, 16);
}

static size_t m_strtab_no_nul(struct eb *e, size_t *len)
{
    (void)len;
    e->f[e->sh[e->nsh - 1][4] + e->sh[e->nsh - 1][5] - 1] = 'x';
    return sh_f(e, e->nsh - 1, 0); /* the last name, ".shstrtab", is unterminated */
}

static size_t m_sec_offset(struct eb *e, size_t *len)
{
    put32(e->f + sh_f(e, 2, 16), (uint32_t)*len + 4);
    return sh_f(e, 2, 16);
}

static size_t m_sec_size(struct eb *e, size_t *len)
{
    (void)len;
    put32(e->f + sh_f(e, 2, 20), 0x100000);
    return sh_f(e, 2, 20);
}

static size_t m_sec_name(struct eb *e, size_t *len)
{
    (void)len;
    put32(e->f + sh_f(e, 2, 0), 0x1000);
    return sh_f(e, 2, 0);
}

static size_t m_p_offset(struct eb *e, size_t *len)
{
    put32(e->f + ph_f(0, 4), (uint32_t)*len + 1);
    return ph_f(0, 4);
}

static size_t m_p_filesz(struct eb *e, size_t *len)
{
    (void)len;
    put32(e->f + ph_f(0, 16), 0x10000);
    put32(e->f + ph_f(0, 20), 0x10000);
    return ph_f(0, 16);
}

static size_t m_filesz_memsz(struct eb *e, size_t *len)
{
    (void)len;
    put32(e->f + ph_f(1, 20), 4);
    return ph_f(1, 16);
}

static size_t m_paddr_low(struct eb *e, size_t *len)
{
    (void)len;
    put32(e->f + ph_f(0, 8), 0x1000);
    put32(e->f + ph_f(0, 12), 0x1000);
    return ph_f(0, 12);
}

static size_t m_overlap(struct eb *e, size_t *len)
{
    (void)len;
    put32(e->f + ph_f(1, 12), 0x80000050);
    return ph_f(1, 12);
}

static size_t m_order(struct eb *e, size_t *len)
{
    (void)len;
    put32(e->f + ph_f(0, 12), 0x80000100); /* text after the data segment in flash */
    return ph_f(1, 12);
}

static size_t m_too_large(struct eb *e, size_t *len)
{
    (void)len;
    put32(e->f + ph_f(1, 12), 0x80500000);
    return ph_f(1, 12);
}

static size_t m_entry_gap(struct eb *e, size_t *len)
{
    (void)len;
    put32(e->f + 24, 0x80000065); /* between the two segments */
    return 24;
}

static size_t m_entry_ram(struct eb *e, size_t *len)
{
    (void)len;
    put32(e->f + 24, 0x29);
    return 24;
}

static size_t m_ram_overflow(struct eb *e, size_t *len)
{
    (void)len;
    put32(e->f + ph_f(1, 20), 0xFFFFFFF0u);
    put32(e->f + ph_f(2, 8), 0x10); /* the stack segment becomes a RAM segment */
    put32(e->f + ph_f(2, 12), 0x20);
    return ph_f(2, 20);
}

static size_t m_min_ram(struct eb *e, size_t *len)
{
    (void)len;
    put32(e->f + ph_f(1, 20), 0xFFFFF000u);
    return 0;
}

struct bad_elf {
    const char *id;
    elf_mut mut;
    int code;
    const char *field;
};

static const struct bad_elf bad_elves[] = {
    {"magic", m_magic, GS_LE_ELF_HEADER, "e_ident[EI_MAG]"},
    {"short", m_short, GS_LE_ELF_BOUNDS, "e_ehsize"},
    {"class64", m_class, GS_LE_ELF_HEADER, "e_ident[EI_CLASS]"},
    {"big-endian", m_data, GS_LE_ELF_HEADER, "e_ident[EI_DATA]"},
    {"ident-version", m_ident_version, GS_LE_ELF_HEADER, "e_ident[EI_VERSION]"},
    {"object-file", m_type, GS_LE_ELF_HEADER, "e_type"},
    {"x86-64", m_machine, GS_LE_ELF_HEADER, "e_machine"},
    {"e-version", m_version, GS_LE_ELF_HEADER, "e_version"},
    {"ehsize", m_ehsize, GS_LE_ELF_HEADER, "e_ehsize"},
    {"no-phdrs", m_phnum0, GS_LE_ELF_LAYOUT, "e_phnum"},
    {"pn-xnum", m_phnum_xnum, GS_LE_TOO_LARGE, "e_phnum"},
    {"too-many-sections", m_shnum_big, GS_LE_TOO_LARGE, "e_shnum"},
    {"phentsize", m_phentsize, GS_LE_ELF_HEADER, "e_phentsize"},
    {"phoff-past-end", m_phoff_out, GS_LE_ELF_BOUNDS, "e_phoff"},
    {"phoff-wraps", m_phoff_wrap, GS_LE_ELF_BOUNDS, "e_phoff"},
    {"phoff-in-header", m_phoff_overlap, GS_LE_ELF_LAYOUT, "e_phoff"},
    {"no-sections", m_shnum0, GS_LE_ELF_HEADER, "e_shnum"},
    {"shentsize", m_shentsize, GS_LE_ELF_HEADER, "e_shentsize"},
    {"shoff-past-end", m_shoff_out, GS_LE_ELF_BOUNDS, "e_shoff"},
    {"shoff-over-phdrs", m_shoff_overlap, GS_LE_ELF_LAYOUT, "e_shoff"},
    {"shstrndx-too-big", m_shstrndx_big, GS_LE_ELF_HEADER, "e_shstrndx"},
    {"shstrndx-not-strtab", m_shstrndx_type, GS_LE_ELF_HEADER, "section_header[1].sh_type"},
    {"strtab-past-end", m_strtab_out, GS_LE_ELF_BOUNDS, "section_header[8].sh_offset"},
    {"strtab-unterminated", m_strtab_no_nul, GS_LE_ELF_BOUNDS, "section_header[8].sh_name"},
    {"section-offset", m_sec_offset, GS_LE_ELF_BOUNDS, "section_header[2].sh_offset"},
    {"section-size", m_sec_size, GS_LE_ELF_BOUNDS, "section_header[2].sh_size"},
    {"section-name", m_sec_name, GS_LE_ELF_BOUNDS, "section_header[2].sh_name"},
    {"p-offset", m_p_offset, GS_LE_ELF_BOUNDS, "program_header[0].p_offset"},
    {"p-filesz-past-end", m_p_filesz, GS_LE_ELF_BOUNDS, "program_header[0].p_filesz"},
    {"filesz-above-memsz", m_filesz_memsz, GS_LE_ELF_LAYOUT, "program_header[1].p_filesz"},
    {"paddr-below-flash", m_paddr_low, GS_LE_ELF_LAYOUT, "program_header[0].p_paddr"},
    {"segments-overlap", m_overlap, GS_LE_ELF_LAYOUT, "program_header[1].p_paddr"},
    {"segments-out-of-order", m_order, GS_LE_ELF_LAYOUT, "program_header[1].p_paddr"},
    {"image-too-large", m_too_large, GS_LE_TOO_LARGE, "program_header[1].p_paddr"},
    {"entry-in-gap", m_entry_gap, GS_LE_ELF_LAYOUT, "e_entry"},
    {"entry-in-ram", m_entry_ram, GS_LE_ELF_LAYOUT, "e_entry"},
    {"ram-overflow", m_ram_overflow, GS_LE_TOO_LARGE, "program_header[2].p_memsz"},
    {"min-ram-overflow", m_min_ram, GS_LE_TOO_LARGE, "minimum_ram_size"},
};

START_TEST(malformed_elf)
{
    static struct eb e;
    const struct bad_elf *c = &bad_elves[_i];
    struct gs_elf_image img;
    struct gs_load_error err;
    size_t len, off;
    int r;

    build_app(&e, &app_default);
    ck_assert_uint_eq(e.nsh, 9);
    len = e.len;
    off = c->mut(&e, &len);
    memset(&img, 0x5A, sizeof(img));
    r = gs_elf_to_image(e.f, len, NULL, &img, &err);
    ck_assert_msg(r == c->code, "case %s: got %d (%s: %s %s), want %d", c->id, r,
                  gs_load_code_name(r), err.field, err.message, c->code);
    ck_assert_msg(strcmp(err.field, c->field) == 0, "case %s: field %s", c->id, err.field);
    ck_assert_msg(err.offset == off, "case %s: offset %zu, want %zu", c->id, err.offset, off);
    ck_assert_str_eq(err.name, gs_load_code_name(c->code));
    ck_assert(err.message[0] != '\0');
    ck_assert_uint_eq(img.len, 0x5A5A5A5A); /* untouched */
}
END_TEST

START_TEST(elf_bad_arguments)
{
    struct gs_elf_image img;
    struct gs_load_error err;

    ck_assert_int_eq(gs_elf_to_image(NULL, 4, NULL, &img, &err), GS_E_ARG);
    ck_assert_str_eq(err.name, "BadArgument");
    ck_assert_int_eq(gs_elf_to_image((const uint8_t *)"", 0, NULL, NULL, NULL), GS_E_ARG);
    ck_assert_int_eq(gs_elf_to_image((const uint8_t *)"\x7f", 1, NULL, &img, &err),
                     GS_LE_ELF_HEADER);
}
END_TEST

/* -------------------------------------------------------------- synthesis */

START_TEST(synthesize_round_trip)
{
    static struct eb e;
    struct gs_elf_image img;
    struct gs_tbf_synth s;
    struct gs_tbf h;
    struct gs_tbf_footers f;
    struct gs_scan_opts o;
    uint8_t *tbf;
    size_t n;

    build_app(&e, &app_default);
    ck_assert_int_eq(gs_elf_to_image(e.f, e.len, NULL, &img, NULL), GS_OK);
    gs_tbf_synth_from_image(&s, &img, "blink");
    ck_assert_int_eq(gs_tbf_synthesize(&s, &tbf, &n, NULL), GS_OK);
    /* 76 + 0xA4 = 240, + 3000 footer = 3240 -> 4096. */
    ck_assert_uint_eq(n, 4096);
    ck_assert_int_eq(gs_tbf_parse(tbf, n, &h, NULL), GS_OK);
    ck_assert_uint_eq(h.header_size, 76);
    ck_assert_uint_eq(h.total_size, 4096);
    ck_assert_uint_eq(h.flags, GS_TBF_FLAG_ENABLED);
    ck_assert(h.has_main && h.has_program);
    ck_assert_uint_eq(h.main_init_fn_offset, 0x29);
    ck_assert_uint_eq(h.prog_init_fn_offset, 0x29);
    ck_assert_uint_eq(h.main_min_ram, img.minimum_ram_size);
    ck_assert_uint_eq(h.prog_min_ram, 4160);
    ck_assert_uint_eq(h.main_protected_trailer, 0);
    ck_assert_uint_eq(h.prog_protected_trailer, 0);
    ck_assert_uint_eq(h.prog_binary_end, 76 + 0xA4);
    ck_assert_uint_eq(h.prog_version, 0);
    ck_assert_uint_eq(h.name_len, 5);
    ck_assert_int_eq(memcmp(h.name, "blink", 5), 0);
    ck_assert(h.has_kernel_version);
    ck_assert_uint_eq(h.kv_major, 2);
    ck_assert_uint_eq(h.kv_minor, 2);
    ck_assert(!h.has_fixed && !h.has_perms && !h.has_short_id);
    ck_assert_uint_eq(h.ntlv, 4);
    ck_assert_uint_eq(gs_tbf_init_offset(&h), 76 + 0x29);
    ck_assert_uint_eq(gs_tbf_protected_size(&h), 76);
    ck_assert_int_eq(memcmp(tbf + 76, img.bytes, img.len), 0);
    ck_assert_int_eq(gs_tbf_footers(&h, &f, NULL), GS_OK);
    ck_assert_uint_eq(f.count, 1);
    ck_assert_uint_eq(f.count_by_format[GS_CRED_RESERVED], 1);
    ck_assert_uint_eq(f.end, 4096);
    ck_assert_uint_eq(get16(tbf + 240 + 2), 4096 - 240 - 4);
    ck_assert_int_eq(gs_tbf_load_check(&h, 0x40000, NULL), GS_SCAN_LOADABLE);
    gs_scan_opts_default(&o);
    o.kernel_minor = GS_KERNEL_MINOR_REL_2_2;
    ck_assert_int_eq(gs_tbf_load_check(&h, 0x40000, &o), GS_SCAN_KERNEL_VERSION);
    free(tbf);
    gs_elf_image_free(&img);
}
END_TEST

/* elf2tab's c_hello numbers (TOCK-REFERENCE 11.2.4). */
START_TEST(c_hello_example)
{
    static struct eb e;
    const struct app_spec s = {0x400, 0, 8, 60, 100, 2048, 5, false, false, 0x80000029};
    struct gs_elf_image img;
    struct gs_tbf_synth sy;
    struct gs_tbf h;
    uint8_t *tbf;
    size_t n;

    build_app(&e, &s);
    ck_assert_int_eq(gs_elf_to_image(e.f, e.len, NULL, &img, NULL), GS_OK);
    ck_assert_uint_eq(img.len, 1136);
    gs_tbf_synth_from_image(&sy, &img, "c_hello");
    ck_assert_int_eq(gs_tbf_synthesize(&sy, &tbf, &n, NULL), GS_OK);
    ck_assert_int_eq(gs_tbf_parse(tbf, n, &h, NULL), GS_OK);
    ck_assert_uint_eq(h.header_size, 76);
    ck_assert_uint_eq(h.prog_init_fn_offset, 0x29);
    ck_assert_uint_eq(h.prog_min_ram, 4264);
    ck_assert_uint_eq(h.prog_binary_end, 0x4bc);
    ck_assert_uint_eq(h.total_size, 8192);
    ck_assert_uint_eq(n, 8192);
    free(tbf);
    gs_elf_image_free(&img);
}
END_TEST

static uint8_t raw_image[4096];

/* A TBF with no name (header 64 bytes) whose binary ends at binary_end. */
static void synth_raw(uint32_t binary_end, uint32_t min_footer, uint8_t **tbf, size_t *n)
{
    struct gs_tbf_synth s;

    memset(&s, 0, sizeof(s));
    for (unsigned i = 0; i < sizeof(raw_image); i++)
        raw_image[i] = (uint8_t)(i | 1);
    s.image = raw_image;
    s.image_len = binary_end - 64;
    s.init_fn_offset = 1;
    s.kernel_major = 2;
    s.minimum_footer_size = min_footer;
    ck_assert_int_eq(gs_tbf_synthesize(&s, tbf, n, NULL), GS_OK);
}

START_TEST(synthesize_padding_rules)
{
    struct gs_tbf h;
    struct gs_tbf_footers f;
    struct gs_load_error e;
    uint8_t *tbf;
    size_t n;

    /* 4 bytes short of 512: too little for a footer TLV, so plain zeros,
     * which the footer walk then refuses (type 0), as with elf2tab. */
    synth_raw(508, 0, &tbf, &n);
    ck_assert_uint_eq(n, 512);
    ck_assert_uint_eq(get32(tbf + 508), 0);
    ck_assert_int_eq(gs_tbf_parse(tbf, n, &h, NULL), GS_OK);
    ck_assert_uint_eq(h.header_size, 64);
    ck_assert_int_eq(gs_tbf_footers(&h, &f, &e), GS_LE_BAD_TLV);
    ck_assert_uint_eq(e.value, 0);
    free(tbf);

    /* Already a power of two: no padding, even below 512. */
    synth_raw(256, 0, &tbf, &n);
    ck_assert_uint_eq(n, 256);
    ck_assert_int_eq(gs_tbf_parse(tbf, n, &h, NULL), GS_OK);
    ck_assert_int_eq(gs_tbf_footers(&h, &f, NULL), GS_OK);
    ck_assert_uint_eq(f.count, 0);
    free(tbf);

    /* 200 would fit in 256, but ARM TBFs are at least 512. */
    synth_raw(200, 0, &tbf, &n);
    ck_assert_uint_eq(n, 512);
    ck_assert_uint_eq(get16(tbf + 202), 512 - 200 - 4);
    free(tbf);

    /* 300 -> 512 with one Reserved footer of 212 bytes. */
    synth_raw(300, 0, &tbf, &n);
    ck_assert_uint_eq(n, 512);
    ck_assert_uint_eq(get16(tbf + 300), GS_TLV_CREDENTIALS);
    ck_assert_uint_eq(get16(tbf + 302), 208);
    ck_assert_int_eq(gs_tbf_parse(tbf, n, &h, NULL), GS_OK);
    ck_assert_int_eq(gs_tbf_footers(&h, &f, NULL), GS_OK);
    ck_assert_uint_eq(f.count, 1);
    free(tbf);

    /* A minimum footer of 5 is rounded up to 8: 1019 + 8 = 1027 -> 2048
     * (with 5 it would have been exactly 1024). */
    synth_raw(1019, 5, &tbf, &n);
    ck_assert_uint_eq(n, 2048);
    free(tbf);
    synth_raw(1016, 8, &tbf, &n);
    ck_assert_uint_eq(n, 1024); /* footer of exactly 8: one empty Reserved TLV */
    ck_assert_uint_eq(get16(tbf + 1018), 4);
    free(tbf);

    /* A footer longer than one TLV can describe: a chain of Reserved TLVs. */
    synth_raw(300, 70000, &tbf, &n);
    ck_assert_uint_eq(n, 131072);
    ck_assert_int_eq(gs_tbf_parse(tbf, n, &h, NULL), GS_OK);
    ck_assert_int_eq(gs_tbf_footers(&h, &f, NULL), GS_OK);
    ck_assert_uint_eq(f.count, 2);
    ck_assert_uint_eq(f.end, 131072);
    ck_assert_uint_eq(get16(tbf + 302), 0xFFF8);
    free(tbf);
}
END_TEST

START_TEST(synthesize_options_and_errors)
{
    static char long_name[65501];
    struct gs_tbf_synth s;
    struct gs_tbf h;
    struct gs_load_error e;
    struct gs_wfr w = {0x10, 0x20};
    uint8_t *tbf = NULL;
    size_t n = 0;

    memset(&s, 0, sizeof(s));
    s.image = raw_image;
    s.image_len = 100;
    s.kernel_major = 2;
    s.kernel_minor = 3;
    s.disabled = true;
    s.app_version = 9;
    s.nwfr = 1;
    s.wfr = &w;
    s.package_name = "x";
    ck_assert_int_eq(gs_tbf_synthesize(&s, &tbf, &n, NULL), GS_OK);
    ck_assert_int_eq(gs_tbf_parse(tbf, n, &h, NULL), GS_OK);
    ck_assert_uint_eq(h.flags, 0);
    ck_assert_int_eq(gs_tbf_load_check(&h, 0, NULL), GS_SCAN_NOT_ENABLED);
    ck_assert_uint_eq(gs_tbf_binary_version(&h), 9);
    ck_assert_uint_eq(h.header_size, 56 + 8 + 12 + 8);
    ck_assert_uint_eq(gs_tbf_wfr_at(&h, 0).offset, h.header_size + 0x10);
    ck_assert_uint_eq(h.kv_minor, 3);
    free(tbf);

    s.package_name = "\xFF";
    ck_assert_int_eq(gs_tbf_synthesize(&s, &tbf, &n, &e), GS_LE_BAD_NAME);
    ck_assert_str_eq(e.field, "package_name");
    memset(long_name, 'a', sizeof(long_name) - 1);
    s.package_name = long_name;
    ck_assert_int_eq(gs_tbf_synthesize(&s, &tbf, &n, &e), GS_LE_TOO_LARGE);
    ck_assert_str_eq(e.field, "package_name");
    s.package_name = NULL;
    s.minimum_footer_size = GS_TBF_MAX_FOOTER + 1;
    ck_assert_int_eq(gs_tbf_synthesize(&s, &tbf, &n, &e), GS_LE_TOO_LARGE);
    ck_assert_str_eq(e.field, "minimum_footer_size");
    s.minimum_footer_size = 0;
    s.image_len = GS_ELF_MAX_IMAGE + 1; /* refused before the image is read */
    ck_assert_int_eq(gs_tbf_synthesize(&s, &tbf, &n, &e), GS_LE_TOO_LARGE);
    ck_assert_str_eq(e.field, "image_len");
    s.image_len = 3;
    ck_assert_int_eq(gs_tbf_synthesize(&s, &tbf, &n, &e), GS_E_ARG);
    s.image_len = 100;
    s.nwfr = GS_ELF_MAX_WFR + 1;
    ck_assert_int_eq(gs_tbf_synthesize(&s, &tbf, &n, &e), GS_E_ARG);
    s.nwfr = 0;
    ck_assert_int_eq(gs_tbf_synthesize(&s, NULL, &n, &e), GS_E_ARG);
    ck_assert_int_eq(gs_tbf_synthesize(NULL, &tbf, &n, &e), GS_E_ARG);
}
END_TEST

/* ------------------------------------------------- end to end on a board */

START_TEST(scan_and_create_processes)
{
    static struct eb e;
    struct tboard tb;
    struct gs_elf_image img;
    struct gs_tbf_synth s;
    struct gs_flash_scan sc;
    struct gs_process *p[2] = {NULL, NULL};
    const char *names[2] = {"blink", "rot13_service"};
    uint8_t *tbf;
    size_t n, at = 0;
    uint32_t w;

    tb_init(&tb, NULL);
    build_app(&e, &app_default);
    ck_assert_int_eq(gs_elf_to_image(e.f, e.len, NULL, &img, NULL), GS_OK);
    for (unsigned i = 0; i < 2; i++) {
        gs_tbf_synth_from_image(&s, &img, names[i]);
        ck_assert_int_eq(gs_tbf_synthesize(&s, &tbf, &n, NULL), GS_OK);
        memcpy(tb.mem.flash + at, tbf, n);
        at += n;
        free(tbf);
    }
    ck_assert_int_eq(gs_flash_scan(TB_FLASH_BASE, tb.mem.flash, TB_FLASH_SIZE, NULL, &sc), GS_OK);
    ck_assert_uint_eq(sc.count, 2);
    ck_assert_int_eq(sc.stop, GS_STOP_UNABLE_TO_PARSE); /* erased flash: 0xFFFF */
    ck_assert_uint_eq(sc.stop_addr, TB_FLASH_BASE + at);
    for (unsigned i = 0; i < 2; i++) {
        struct gs_tbf_app a;

        ck_assert(sc.entries[i].loadable);
        ck_assert_int_eq(gs_tbf_app_info(&sc.entries[i].tbf, sc.entries[i].addr, &a), GS_OK);
        ck_assert_int_eq(gs_process_create(tb.k, &a.info, &tb.pool_start, &tb.pool_len, &p[i]),
                         GS_OK);
        gs_tbf_app_free(&a); /* the process keeps its own copies */
        ck_assert_str_eq(gs_process_name(p[i]), names[i]);
    }
    /* "rot13_service": 13 bytes of name -> header 56 + 20 + 8 = 84. */
    ck_assert_uint_eq(sc.entries[1].addr, TB_FLASH_BASE + 4096);
    ck_assert_uint_eq(gs_process_app_start(p[1]), TB_FLASH_BASE + 4096 + 84);
    ck_assert_uint_eq(gs_process_init_pc(p[1]), TB_FLASH_BASE + 4096 + 84 + 0x29);
    ck_assert_uint_eq(gs_process_flash_end(p[1]), TB_FLASH_BASE + 8192);
    /* What crt0 will read from simulated flash: its header, then the relocations. */
    ck_assert_int_eq(gs_mem_load32(&tb.mem, gs_process_app_start(p[0]) + 32, &w), GS_OK);
    ck_assert_uint_eq(w, 0x90);
    ck_assert_int_eq(gs_mem_load32(&tb.mem, gs_process_app_start(p[0]) + w, &w), GS_OK);
    ck_assert_uint_eq(w, 16);
    gs_flash_scan_free(&sc);
    gs_elf_image_free(&img);
    tb_free(&tb);
}
END_TEST

/* ----------------------------------------------- hostile input, no crash */

/* A failure must be a named error pointing inside the input. */
static void check_clean(int r, const struct gs_load_error *e, size_t len)
{
    if (r == GS_OK)
        return;
    ck_assert_int_lt(r, 0);
    ck_assert_int_eq(e->code, r);
    ck_assert_str_eq(e->name, gs_load_code_name(r));
    ck_assert_str_ne(e->name, "UnknownError");
    ck_assert_uint_le(e->offset, len);
    ck_assert(e->field[0] != '\0');
}

static void check_scan(const uint8_t *d, size_t n)
{
    struct gs_flash_scan s;
    uint32_t last = 0;

    ck_assert_int_eq(gs_flash_scan(FLASH_AT, d, n, NULL, &s), GS_OK);
    for (unsigned i = 0; i < s.count; i++) {
        const struct gs_scan_entry *e = &s.entries[i];

        ck_assert(i == 0 || e->addr > last);
        ck_assert_uint_ge(e->addr, FLASH_AT);
        ck_assert_uint_le((uint64_t)e->addr - FLASH_AT + e->size, n);
        if (e->reason == GS_SCAN_PARSE_FAILURE || e->reason == GS_SCAN_INVALID_HEADER)
            check_clean(e->error.code, &e->error, n);
        last = e->addr;
    }
    ck_assert_uint_le(s.stop_addr - FLASH_AT, n);
    gs_flash_scan_free(&s);
}

/* Every parser on d[0, n); d is a heap block of exactly n bytes. */
static void run_all(const uint8_t *d, size_t n)
{
    struct gs_load_error e;
    struct gs_tbf t;
    struct gs_tbf_footers f;
    struct gs_elf_image img;
    int r;

    r = gs_tbf_parse(d, n, &t, &e);
    check_clean(r, &e, n);
    if (r == GS_OK && !t.padding) {
        r = gs_tbf_footers(&t, &f, &e);
        check_clean(r, &e, n);
    }
    check_scan(d, n);
    r = gs_elf_to_image(d, n, NULL, &img, &e);
    check_clean(r, &e, n);
    if (r == GS_OK)
        gs_elf_image_free(&img);
    ck_assert_int_eq(gs_loader_fuzz_one(d, n), 0);
}

/* Every prefix, and every single-bit flip of the first `flip_len` bytes. */
static void hammer(const uint8_t *src, size_t n, size_t flip_len)
{
    uint8_t *buf;

    for (size_t k = 0; k <= n; k++) {
        buf = malloc(k ? k : 1);
        ck_assert_ptr_nonnull(buf);
        memcpy(buf, src, k);
        run_all(buf, k);
        free(buf);
    }
    buf = malloc(n);
    ck_assert_ptr_nonnull(buf);
    memcpy(buf, src, n);
    for (size_t i = 0; i < flip_len && i < n; i++) {
        for (unsigned b = 0; b < 8; b++) {
            buf[i] ^= (uint8_t)(1u << b);
            run_all(buf, n);
            buf[i] ^= (uint8_t)(1u << b);
        }
    }
    free(buf);
}

/* Random multi-byte damage, reproducible (xorshift32 from a fixed seed). */
static void scramble(const uint8_t *src, size_t n, unsigned rounds)
{
    uint32_t x = 0x9E3779B9u;
    uint8_t *buf = malloc(n);

    ck_assert_ptr_nonnull(buf);
    for (unsigned r = 0; r < rounds; r++) {
        memcpy(buf, src, n);
        for (unsigned k = 0; k < 1 + r % 6; k++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            buf[x % n] = (uint8_t)(x >> 24);
        }
        run_all(buf, n);
    }
    free(buf);
}

START_TEST(hostile_tbf)
{
    static struct tbfb t;

    build_full(&t);
    hammer(t.b, 4096, 512);
    scramble(t.b, 512, 4000);
}
END_TEST

START_TEST(hostile_flash)
{
    build_flash();
    hammer(flash_img, LAYOUT_END + 16, LAYOUT_END + 16);
}
END_TEST

START_TEST(hostile_elf)
{
    static struct eb e;
    struct app_spec s = app_default;

    build_app(&e, &app_default);
    hammer(e.f, e.len, e.len);
    scramble(e.f, e.len, 6000);
    s.wfr = true;
    s.rel_got = true;
    s.entry = 0x80000031;
    build_app(&e, &s);
    hammer(e.f, e.len, e.len);
}
END_TEST

START_TEST(hostile_synthesized_tbf)
{
    static struct eb e;
    struct gs_elf_image img;
    struct gs_tbf_synth s;
    uint8_t *tbf;
    size_t n;

    build_app(&e, &app_default);
    ck_assert_int_eq(gs_elf_to_image(e.f, e.len, NULL, &img, NULL), GS_OK);
    gs_tbf_synth_from_image(&s, &img, "blink");
    ck_assert_int_eq(gs_tbf_synthesize(&s, &tbf, &n, NULL), GS_OK);
    hammer(tbf, n, 320);
    free(tbf);
    gs_elf_image_free(&img);
}
END_TEST

START_TEST(names_are_stable)
{
    ck_assert_str_eq(gs_load_code_name(GS_LE_UNABLE_TO_PARSE), "UnableToParse");
    ck_assert_str_eq(gs_load_code_name(GS_LE_INVALID_HEADER), "InvalidHeader");
    ck_assert_str_eq(gs_load_code_name(GS_LE_NOT_ENOUGH_FLASH), "NotEnoughFlash");
    ck_assert_str_eq(gs_load_code_name(GS_LE_CHECKSUM), "ChecksumMismatch");
    ck_assert_str_eq(gs_load_code_name(GS_LE_BAD_TLV), "BadTlvEntry");
    ck_assert_str_eq(gs_load_code_name(GS_LE_BAD_NAME), "BadProcessName");
    ck_assert_str_eq(gs_load_code_name(GS_LE_ELF_HEADER), "BadElfHeader");
    ck_assert_str_eq(gs_load_code_name(GS_LE_ELF_BOUNDS), "ElfOutOfBounds");
    ck_assert_str_eq(gs_load_code_name(GS_LE_ELF_LAYOUT), "BadElfLayout");
    ck_assert_str_eq(gs_load_code_name(GS_LE_TOO_LARGE), "TooLarge");
    ck_assert_str_eq(gs_load_code_name(GS_E_NOMEM_HOST), "HostOutOfMemory");
    ck_assert_str_eq(gs_scan_reason_name(GS_SCAN_LOADABLE), "Loadable");
    ck_assert_str_eq(gs_scan_reason_name(GS_SCAN_PADDING), "Padding");
    ck_assert_str_eq(gs_scan_reason_name(GS_SCAN_NOT_ENABLED), "NotEnabledProcess");
    ck_assert_str_eq(gs_scan_reason_name(GS_SCAN_INVALID_HEADER), "InvalidHeader");
    ck_assert_str_eq(gs_scan_reason_name(GS_SCAN_PARSE_FAILURE), "TbfHeaderParseFailure");
    ck_assert_str_eq(gs_scan_stop_name(GS_STOP_NOT_ENOUGH_FLASH), "NotEnoughFlash");
    ck_assert_str_eq(gs_scan_stop_name(GS_STOP_ZERO_SIZE), "ZeroSizeEntry");
    ck_assert_str_eq(gs_scan_stop_name(GS_STOP_TOO_MANY), "TooManyEntries");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("loader");
    TCase *tbf = tb_tcase("tbf");
    TCase *scan = tb_tcase("scan");
    TCase *elf = tb_tcase("elf");
    TCase *synth = tb_tcase("synth");
    TCase *hostile = tb_tcase("hostile");

    tcase_add_test(tbf, full_tbf_parses);
    tcase_add_test(tbf, app_info_from_tbf);
    tcase_add_loop_test(tbf, malformed_tbf, 0, (int)(sizeof(bad_tbfs) / sizeof(bad_tbfs[0])));
    tcase_add_test(tbf, checksum_mismatch_values);
    tcase_add_test(tbf, checksum_ignores_trailing_bytes);
    tcase_add_test(tbf, padding_header);
    tcase_add_test(tbf, first_main_and_program_win);
    tcase_add_test(tbf, main_only_and_neither);
    tcase_add_test(tbf, last_name_wfr_fixed_win);
    tcase_add_test(tbf, kernel_version_rules);
    tcase_add_test(tbf, fixed_flash_check);
    tcase_add_test(tbf, command_permissions);
    tcase_add_test(tbf, storage_permissions);
    tcase_add_test(tbf, footer_walk);
    tcase_add_test(tbf, utf8_names_accepted);
    tcase_add_test(tbf, names_are_stable);
    suite_add_tcase(s, tbf);

    tcase_add_test(scan, scan_skip_reasons);
    tcase_add_test(scan, scan_stops);
    tcase_add_test(scan, scan_and_create_processes);
    suite_add_tcase(s, scan);

    tcase_add_test(elf, elf_to_image_default);
    tcase_add_test(elf, elf_stack_and_heaps);
    tcase_add_test(elf, elf_sizes_from_symbols);
    tcase_add_test(elf, elf_relocations_of_writable_sections);
    tcase_add_test(elf, elf_writeable_flash_region);
    tcase_add_loop_test(elf, malformed_elf, 0, (int)(sizeof(bad_elves) / sizeof(bad_elves[0])));
    tcase_add_test(elf, elf_bad_arguments);
    suite_add_tcase(s, elf);

    tcase_add_test(synth, synthesize_round_trip);
    tcase_add_test(synth, c_hello_example);
    tcase_add_test(synth, synthesize_padding_rules);
    tcase_add_test(synth, synthesize_options_and_errors);
    suite_add_tcase(s, synth);

    tcase_add_test(hostile, hostile_tbf);
    tcase_add_test(hostile, hostile_flash);
    tcase_add_test(hostile, hostile_elf);
    tcase_add_test(hostile, hostile_synthesized_tbf);
    suite_add_tcase(s, hostile);
    return tb_run(s);
}
