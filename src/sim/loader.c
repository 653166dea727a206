/* SPDX-License-Identifier: MIT */
/*
 * loader.c - TBF parsing, the flash scan, ELF -> image and TBF synthesis.
 *
 * Every read from an input buffer goes through an explicit range check first;
 * the ld*_unchecked helpers are only called after one. Offsets and sizes read
 * from input are widened to 64 bits before they are added, so no sum wraps.
 */
#include "loader.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"

#if defined(__GNUC__)
#define GS_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define GS_PRINTF(f, a)
#endif

#define FIELD_LEN 48

/* ---------------------------------------------------------------- helpers */

/* Little-endian loads; the caller has checked that the bytes exist. */
static uint64_t ld64_unchecked(const uint8_t *p)
{
    return (uint64_t)gs_get_le32(p) | ((uint64_t)gs_get_le32(p + 4) << 32);
}

static void st16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void st32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* True when [off, off + n) lies inside a buffer of len bytes. */
static bool span_ok(size_t len, uint64_t off, uint64_t n)
{
    return off <= len && n <= (uint64_t)len - off;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) / a * a;
}

/* "table[i].member" into buf (FIELD_LEN bytes). */
static const char *ifield(char *buf, const char *table, unsigned i, const char *member)
{
    snprintf(buf, FIELD_LEN, "%s[%u].%s", table, i, member);
    return buf;
}

/* Fills *e (when given) and returns code. */
GS_PRINTF(6, 7)
static int fail(struct gs_load_error *e, int code, size_t off, uint32_t value, const char *field,
                const char *fmt, ...)
{
    va_list ap;

    if (!e)
        return code;
    memset(e, 0, sizeof(*e));
    e->code = code;
    e->name = gs_load_code_name(code);
    snprintf(e->field, sizeof(e->field), "%s", field);
    e->offset = off;
    e->value = value;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof(e->message), fmt, ap);
    va_end(ap);
    return code;
}

/*
 * Rust's str::from_utf8 rules: shortest form only, no surrogates, nothing
 * above U+10FFFF. Returns true when valid, else false and *bad = the index of
 * the first byte of the first invalid sequence.
 */
static bool utf8_valid(const uint8_t *s, size_t n, size_t *bad)
{
    size_t i = 0;

    while (i < n) {
        uint8_t c = s[i], lo = 0x80, hi = 0xBF;
        size_t need;

        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            lo = c == 0xE0 ? 0xA0 : 0x80; /* no overlong forms */
            hi = c == 0xED ? 0x9F : 0xBF; /* no surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            lo = c == 0xF0 ? 0x90 : 0x80;
            hi = c == 0xF4 ? 0x8F : 0xBF; /* <= U+10FFFF */
        } else {
            *bad = i;
            return false;
        }
        if (n - i - 1 < need || s[i + 1] < lo || s[i + 1] > hi) {
            *bad = i;
            return false;
        }
        for (size_t k = 2; k <= need; k++) {
            if ((s[i + k] & 0xC0) != 0x80) {
                *bad = i;
                return false;
            }
        }
        i += need + 1;
    }
    return true;
}

const char *gs_load_code_name(int code)
{
    switch (code) {
    case GS_LE_UNABLE_TO_PARSE:
        return "UnableToParse";
    case GS_LE_INVALID_HEADER:
        return "InvalidHeader";
    case GS_LE_NOT_ENOUGH_FLASH:
        return "NotEnoughFlash";
    case GS_LE_CHECKSUM:
        return "ChecksumMismatch";
    case GS_LE_BAD_TLV:
        return "BadTlvEntry";
    case GS_LE_BAD_NAME:
        return "BadProcessName";
    case GS_LE_TBF_INTERNAL:
        return "InternalError";
    case GS_LE_ELF_HEADER:
        return "BadElfHeader";
    case GS_LE_ELF_BOUNDS:
        return "ElfOutOfBounds";
    case GS_LE_ELF_LAYOUT:
        return "BadElfLayout";
    case GS_LE_TOO_LARGE:
        return "TooLarge";
    default:
        return gs_err_name(code);
    }
}

/* ------------------------------------------------------------- TBF header */

/*
 * XOR of every complete little-endian word of [0, n), skipping word 3 (the
 * checksum field); trailing bytes are ignored.
 * libraries/tock-tbf/src/parse.rs parse_tbf_header (as_chunks::<4>, i == 3).
 */
static uint32_t tbf_checksum(const uint8_t *h, size_t n)
{
    uint32_t x = 0;

    for (size_t i = 0; i < n / 4; i++) {
        if (i != 3)
            x ^= gs_get_le32(h + 4 * i);
    }
    return x;
}

int gs_tbf_lengths(const uint8_t *buf, size_t len, uint16_t *version, uint16_t *header_size,
                   uint32_t *total_size, struct gs_load_error *err)
{
    uint16_t v, hs;
    uint32_t ts;

    if ((!buf && len) || !version || !header_size || !total_size)
        return fail(err, GS_E_ARG, 0, 0, "", "bad arguments");
    /* kernel/src/process_loading.rs discover_process_binary: flash.get(0..8) */
    if (len < 8)
        return fail(err, GS_LE_NOT_ENOUGH_FLASH, 0, (uint32_t)len, "version",
                    "only %zu bytes left: the TBF lengths need 8", len);
    v = gs_get_le16(buf);
    /* libraries/tock-tbf/src/parse.rs parse_tbf_header_lengths: only version 2 */
    if (v != GS_TBF_VERSION)
        return fail(err, GS_LE_UNABLE_TO_PARSE, 0, v, "version",
                    "version %u is not 2: no TBF here (end of the app list)", (unsigned)v);
    hs = gs_get_le16(buf + 2);
    ts = gs_get_le32(buf + 4);
    /* parse_tbf_header_lengths: header_size > total_size or < 16 -> InvalidHeader(total_size) */
    if (hs > ts || hs < GS_TBF_BASE_SIZE)
        return fail(err, GS_LE_INVALID_HEADER, 2, ts, "header_size",
                    "header_size %u is %s; the scan skips total_size = %u bytes", (unsigned)hs,
                    hs < GS_TBF_BASE_SIZE ? "below 16" : "above total_size", (unsigned)ts);
    *version = v;
    *header_size = hs;
    *total_size = ts;
    return GS_OK;
}

/* Position of one TLV while walking a header. */
struct tlv_walk {
    const uint8_t *h; /* header bytes */
    size_t hs;        /* header_size */
    size_t base;      /* offset of h in the caller's input, for errors */
    size_t at;        /* offset of the TLV's type field */
    unsigned index;
    uint16_t type, len;
    size_t data;  /* offset of its data */
    size_t avail; /* header bytes from data to the end */
};

static int tlv_bad_length(const struct tlv_walk *w, struct gs_load_error *e, const char *rule)
{
    char f[FIELD_LEN];

    /* parse.rs: a fixed-size TLV of another length -> BadTlvEntry(type) */
    return fail(e, GS_LE_BAD_TLV, w->base + w->at + 2, w->type,
                ifield(f, "tlv", w->index, "length"),
                "TLV %u (type %u) has length %u; it must be %s", w->index, (unsigned)w->type,
                (unsigned)w->len, rule);
}

/* parse.rs: remaining.get(0..n) -> NotEnoughFlash. */
static int tlv_need(const struct tlv_walk *w, size_t n, struct gs_load_error *e)
{
    char f[FIELD_LEN];

    if (n <= w->avail)
        return GS_OK;
    return fail(e, GS_LE_NOT_ENOUGH_FLASH, w->base + w->at + 2, w->len,
                ifield(f, "tlv", w->index, "length"),
                "TLV %u (type %u) needs %zu data bytes, the header has %zu left", w->index,
                (unsigned)w->type, n, w->avail);
}

/* Main: length 12, the first one wins; later ones are skipped without a
 * length check (libraries/tock-tbf/src/parse.rs, TbfHeaderMain arm). */
static int tlv_main(const struct tlv_walk *w, struct gs_tbf *t, struct gs_load_error *e)
{
    const uint8_t *d = w->h + w->data;
    int r;

    if (t->has_main)
        return GS_OK;
    if (w->len != 12)
        return tlv_bad_length(w, e, "12");
    if ((r = tlv_need(w, 12, e)))
        return r;
    t->has_main = true;
    t->main_init_fn_offset = gs_get_le32(d);
    t->main_protected_trailer = gs_get_le32(d + 4);
    t->main_min_ram = gs_get_le32(d + 8);
    return GS_OK;
}

/* Program: length 20, the first one wins (parse.rs, TbfHeaderProgram arm). */
static int tlv_program(const struct tlv_walk *w, struct gs_tbf *t, struct gs_load_error *e)
{
    const uint8_t *d = w->h + w->data;
    int r;

    if (t->has_program)
        return GS_OK;
    if (w->len != 20)
        return tlv_bad_length(w, e, "20");
    if ((r = tlv_need(w, 20, e)))
        return r;
    t->has_program = true;
    t->program_at = (uint16_t)w->data;
    t->prog_init_fn_offset = gs_get_le32(d);
    t->prog_protected_trailer = gs_get_le32(d + 4);
    t->prog_min_ram = gs_get_le32(d + 8);
    t->prog_binary_end = gs_get_le32(d + 12);
    t->prog_version = gs_get_le32(d + 16);
    return GS_OK;
}

/* PackageName: data first, then str::from_utf8 (BadProcessName); the last
 * one wins (parse.rs, TbfHeaderPackageName arm). */
static int tlv_name(const struct tlv_walk *w, struct gs_tbf *t, struct gs_load_error *e)
{
    char f[FIELD_LEN];
    size_t bad;
    int r;

    if ((r = tlv_need(w, w->len, e)))
        return r;
    if (!utf8_valid(w->h + w->data, w->len, &bad))
        return fail(e, GS_LE_BAD_NAME, w->base + w->data + bad, w->h[w->data + bad],
                    ifield(f, "tlv", w->index, "data"),
                    "package name (TLV %u) is not UTF-8: byte 0x%02x at name offset %zu", w->index,
                    (unsigned)w->h[w->data + bad], bad);
    t->name = w->h + w->data;
    t->name_len = w->len;
    return GS_OK;
}

/* FixedAddresses (8), KernelVersion (4), ShortId (4): fixed length, the last
 * one wins (parse.rs, the matching arms). */
static int tlv_fixed_size(const struct tlv_walk *w, struct gs_tbf *t, struct gs_load_error *e)
{
    const uint8_t *d = w->h + w->data;
    int r;

    if (w->len != (w->type == GS_TLV_FIXED_ADDRESSES ? 8 : 4))
        return tlv_bad_length(w, e, w->type == GS_TLV_FIXED_ADDRESSES ? "8" : "4");
    if ((r = tlv_need(w, w->len, e)))
        return r;
    if (w->type == GS_TLV_FIXED_ADDRESSES) {
        t->has_fixed = true;
        t->fixed_ram = gs_get_le32(d);
        t->fixed_flash = gs_get_le32(d + 4);
    } else if (w->type == GS_TLV_KERNEL_VERSION) {
        t->has_kernel_version = true;
        t->kv_major = gs_get_le16(d);
        t->kv_minor = gs_get_le16(d + 2);
    } else {
        t->has_short_id = true;
        t->short_id = gs_get_le32(d);
    }
    return GS_OK;
}

/* Kept raw, the last one wins: WFR (length a multiple of 8), Permissions and
 * StoragePermissions (any length) (parse.rs, the matching arms). */
static int tlv_raw(const struct tlv_walk *w, struct gs_tbf *t, struct gs_load_error *e)
{
    const uint8_t *d = w->h + w->data;
    int r;

    if (w->type == GS_TLV_WFR && w->len % 8 != 0)
        return tlv_bad_length(w, e, "a multiple of 8");
    if ((r = tlv_need(w, w->len, e)))
        return r;
    if (w->type == GS_TLV_WFR) {
        t->wfr = d;
        t->wfr_len = w->len;
    } else if (w->type == GS_TLV_PERMISSIONS) {
        t->has_perms = true;
        t->perms = d;
        t->perms_len = w->len;
    } else {
        t->has_storage = true;
        t->storage = d;
        t->storage_len = w->len;
    }
    return GS_OK;
}

/*
 * One TLV at w->at: the 4-byte type/length, the type's own rules, then the
 * skip of round_up(length, 4) bytes. Unknown types (PicOption1, bit-15 types,
 * Credentials) are only skipped. libraries/tock-tbf/src/parse.rs
 * parse_tbf_header, the `while remaining.len() > 0` loop.
 */
static int parse_tlv(struct tlv_walk *w, struct gs_tbf *t, struct gs_load_error *e)
{
    char f[FIELD_LEN];
    size_t skip;
    int r = GS_OK;

    if (w->hs - w->at < 4)
        return fail(e, GS_LE_NOT_ENOUGH_FLASH, w->base + w->at, (uint32_t)(w->hs - w->at),
                    ifield(f, "tlv", w->index, "type"),
                    "TLV %u needs a 4-byte type and length, the header has %zu bytes left",
                    w->index, w->hs - w->at);
    w->type = gs_get_le16(w->h + w->at);
    w->len = gs_get_le16(w->h + w->at + 2);
    w->data = w->at + 4;
    w->avail = w->hs - w->data;
    switch (w->type) {
    case GS_TLV_MAIN:
        r = tlv_main(w, t, e);
        break;
    case GS_TLV_PROGRAM:
        r = tlv_program(w, t, e);
        break;
    case GS_TLV_PACKAGE_NAME:
        r = tlv_name(w, t, e);
        break;
    case GS_TLV_FIXED_ADDRESSES:
    case GS_TLV_KERNEL_VERSION:
    case GS_TLV_SHORT_ID:
        r = tlv_fixed_size(w, t, e);
        break;
    case GS_TLV_WFR:
    case GS_TLV_PERMISSIONS:
    case GS_TLV_STORAGE_PERMISSIONS:
        r = tlv_raw(w, t, e);
        break;
    default:
        break;
    }
    if (r)
        return r;
    /* All TLV data is padded to 4 bytes. */
    skip = (size_t)align_up(w->len, 4);
    if (skip > w->avail)
        return fail(e, GS_LE_NOT_ENOUGH_FLASH, w->base + w->at + 2, w->len,
                    ifield(f, "tlv", w->index, "length"),
                    "TLV %u (type %u): length %u, padded to %zu, runs past the header end (%zu "
                    "bytes left)",
                    w->index, (unsigned)w->type, (unsigned)w->len, skip, w->avail);
    w->at = w->data + skip;
    return GS_OK;
}

/*
 * parse_tbf_header on [0, header_size) of h; the lengths are already valid
 * (gs_tbf_lengths). base is h's offset in the caller's input.
 */
static int parse_header(const uint8_t *h, size_t base, struct gs_tbf *out, struct gs_load_error *e)
{
    struct gs_tbf t;
    struct tlv_walk w;
    uint32_t computed;
    int r;

    memset(&t, 0, sizeof(t));
    t.buf = h;
    t.version = gs_get_le16(h);
    t.header_size = gs_get_le16(h + 2);
    t.total_size = gs_get_le32(h + 4);
    t.flags = gs_get_le32(h + 8);
    t.checksum = gs_get_le32(h + 12);
    computed = tbf_checksum(h, t.header_size);
    if (computed != t.checksum) {
        r = fail(e, GS_LE_CHECKSUM, base + 12, t.checksum, "checksum",
                 "header checksum mismatch: stored 0x%08x, computed 0x%08x", (unsigned)t.checksum,
                 (unsigned)computed);
        if (e) {
            e->stored = t.checksum;
            e->computed = computed;
        }
        return r;
    }
    /* parse.rs: nothing after the base header -> TbfHeader::Padding */
    if (t.header_size == GS_TBF_BASE_SIZE) {
        t.padding = true;
        *out = t;
        return GS_OK;
    }
    memset(&w, 0, sizeof(w));
    w.h = h;
    w.hs = t.header_size;
    w.base = base;
    w.at = GS_TBF_BASE_SIZE;
    while (w.at < w.hs) {
        if ((r = parse_tlv(&w, &t, e)))
            return r;
        w.index++;
    }
    t.ntlv = w.index;
    *out = t;
    return GS_OK;
}

int gs_tbf_parse(const uint8_t *buf, size_t len, struct gs_tbf *out, struct gs_load_error *err)
{
    uint16_t v, hs;
    uint32_t ts;
    int r;

    if (!out || (!buf && len))
        return fail(err, GS_E_ARG, 0, 0, "", "bad arguments");
    if ((r = gs_tbf_lengths(buf, len, &v, &hs, &ts, err)))
        return r;
    /* discover_process_binary: flash.get(0..total_size) -> NotEnoughFlash */
    if (ts > len)
        return fail(err, GS_LE_NOT_ENOUGH_FLASH, 4, ts, "total_size",
                    "total_size %u runs past the end of the %zu-byte buffer", (unsigned)ts, len);
    return parse_header(buf, 0, out, err);
}

/* ---------------------------------------------------------- derived values */

/* Which of Program (preferred) and Main gives init/trailer/min RAM:
 * libraries/tock-tbf/src/types.rs get_minimum_app_ram_size & co. */
static bool pick(const struct gs_tbf *t, uint32_t *init, uint32_t *trailer, uint32_t *ram)
{
    if (t->padding)
        return false;
    if (t->has_program) {
        *init = t->prog_init_fn_offset;
        *trailer = t->prog_protected_trailer;
        *ram = t->prog_min_ram;
        return true;
    }
    if (t->has_main) {
        *init = t->main_init_fn_offset;
        *trailer = t->main_protected_trailer;
        *ram = t->main_min_ram;
        return true;
    }
    return false;
}

uint32_t gs_tbf_min_ram(const struct gs_tbf *t)
{
    uint32_t init, trailer, ram;

    return pick(t, &init, &trailer, &ram) ? ram : 0;
}

/* types.rs get_protected_size: header_size + protected_trailer_size. */
uint32_t gs_tbf_protected_size(const struct gs_tbf *t)
{
    uint32_t init, trailer, ram;

    return pick(t, &init, &trailer, &ram) ? (uint32_t)(t->header_size + trailer) : 0;
}

/* types.rs get_init_function_offset: init_fn_offset + header_size. */
uint32_t gs_tbf_init_offset(const struct gs_tbf *t)
{
    uint32_t init, trailer, ram;

    return pick(t, &init, &trailer, &ram) ? (uint32_t)(init + t->header_size) : 0;
}

/* types.rs get_binary_end: Program's binary_end_offset, else total_size. */
uint32_t gs_tbf_binary_end(const struct gs_tbf *t)
{
    if (t->padding)
        return 0;
    return t->has_program ? t->prog_binary_end : t->total_size;
}

uint32_t gs_tbf_binary_version(const struct gs_tbf *t)
{
    return !t->padding && t->has_program ? t->prog_version : 0;
}

/* types.rs enabled(): bit 0 of flags, never for Padding. */
bool gs_tbf_enabled(const struct gs_tbf *t)
{
    return !t->padding && (t->flags & GS_TBF_FLAG_ENABLED);
}

/* types.rs get_fixed_address_ram/flash: 0xFFFFFFFF means "not fixed". */
bool gs_tbf_fixed_ram(const struct gs_tbf *t, uint32_t *addr)
{
    if (t->padding || !t->has_fixed || t->fixed_ram == 0xFFFFFFFFu)
        return false;
    *addr = t->fixed_ram;
    return true;
}

bool gs_tbf_fixed_flash(const struct gs_tbf *t, uint32_t *addr)
{
    if (t->padding || !t->has_fixed || t->fixed_flash == 0xFFFFFFFFu)
        return false;
    *addr = t->fixed_flash;
    return true;
}

/* types.rs number_writeable_flash_regions / get_writeable_flash_region. */
unsigned gs_tbf_wfr_count(const struct gs_tbf *t)
{
    return t->padding || !t->wfr ? 0 : t->wfr_len / 8u;
}

struct gs_wfr gs_tbf_wfr_at(const struct gs_tbf *t, unsigned i)
{
    struct gs_wfr w = {0, 0};

    if (i < gs_tbf_wfr_count(t)) {
        w.offset = gs_get_le32(t->wfr + 8u * i);
        w.size = gs_get_le32(t->wfr + 8u * i + 4);
    }
    return w;
}

/* types.rs get_command_permissions: count at +0, 16-byte entries from +2. */
enum gs_cmd_perm gs_tbf_command_permissions(const struct gs_tbf *t, uint32_t driver,
                                            uint32_t offset, uint64_t *mask)
{
    bool found = false;
    uint16_t n;

    if (!t || t->padding || !t->has_perms || t->perms_len < 2)
        return GS_PERM_NONE_AT_ALL;
    n = gs_get_le16(t->perms);
    for (unsigned i = 0; i < n; i++) {
        const uint8_t *p;

        /* A missing entry makes the whole lookup fail -> NoPermsAtAll. */
        if (!span_ok(t->perms_len, 2 + 16u * (uint64_t)i, 16))
            return GS_PERM_NONE_AT_ALL;
        p = t->perms + 2 + 16u * i;
        if (gs_get_le32(p) == driver) {
            found = true;
            if (gs_get_le32(p + 4) == offset) {
                if (mask)
                    *mask = ld64_unchecked(p + 8);
                return GS_PERM_MASK;
            }
        }
    }
    if (!found)
        return GS_PERM_NONE_THIS_DRIVER;
    if (mask)
        *mask = 0; /* the driver is listed, this offset is not: default off */
    return GS_PERM_MASK;
}

/* Reads one id list (count at *at, ids after it) of StoragePermissions. */
static int storage_list(const struct gs_tbf *t, size_t *at, uint16_t *count, uint32_t *ids,
                        const char *what, struct gs_load_error *e)
{
    char f[FIELD_LEN];
    size_t base = (size_t)(t->storage - t->buf); /* TLV data offset in the TBF */
    uint16_t n;

    if (!span_ok(t->storage_len, *at, 2))
        return fail(e, GS_LE_NOT_ENOUGH_FLASH, base + *at, t->storage_len, what,
                    "StoragePermissions: no room for the %s count", what);
    n = gs_get_le16(t->storage + *at);
    for (unsigned i = 0; i < n; i++) {
        size_t start = *at + 2 + 4u * i;

        /* types.rs: an index past the fixed-size array -> BadTlvEntry(7) */
        if (i >= GS_TBF_MAX_STORAGE_IDS)
            return fail(e, GS_LE_BAD_TLV, base + *at, GS_TLV_STORAGE_PERMISSIONS, what,
                        "StoragePermissions: %u %s ids, at most %u are supported", (unsigned)n,
                        what, GS_TBF_MAX_STORAGE_IDS);
        if (!span_ok(t->storage_len, start, 4))
            return fail(e, GS_LE_NOT_ENOUGH_FLASH, base + start, t->storage_len,
                        ifield(f, what, i, "id"), "StoragePermissions: %s id %u past the TLV", what,
                        i);
        ids[i] = gs_get_le32(t->storage + start);
    }
    *count = n;
    *at += 2 + 4u * n;
    return GS_OK;
}

/* types.rs TryFrom<&[u8]> for TbfHeaderV2StoragePermissions. */
int gs_tbf_storage_permissions(const struct gs_tbf *t, struct gs_tbf_storage *out,
                               struct gs_load_error *err)
{
    struct gs_tbf_storage s;
    size_t at = 4;
    int r;

    if (!t || !out || t->padding || !t->has_storage)
        return fail(err, GS_E_ARG, 0, 0, "", "no StoragePermissions TLV");
    memset(&s, 0, sizeof(s));
    if (t->storage_len < 4)
        return fail(err, GS_LE_NOT_ENOUGH_FLASH, (size_t)(t->storage - t->buf), t->storage_len,
                    "write_id", "StoragePermissions: %u bytes, write_id needs 4",
                    (unsigned)t->storage_len);
    s.write_id = gs_get_le32(t->storage);
    if ((r = storage_list(t, &at, &s.nread, s.read_ids, "read", err)))
        return r;
    if ((r = storage_list(t, &at, &s.nmodify, s.modify_ids, "modify", err)))
        return r;
    *out = s;
    return GS_OK;
}

/* ---------------------------------------------------------------- footers */

/* Data bytes after the format word, by format (types.rs TbfFooterV2Credentials). */
static const uint32_t cred_len[7] = {0, 768, 1024, 32, 48, 64, 64};

int gs_tbf_footers(const struct gs_tbf *t, struct gs_tbf_footers *out, struct gs_load_error *err)
{
    struct gs_tbf_footers r;
    const uint8_t *f;
    size_t n, pos = 0, be;
    char fld[FIELD_LEN];

    if (!t || !out || t->padding)
        return fail(err, GS_E_ARG, 0, 0, "", "bad arguments");
    be = gs_tbf_binary_end(t);
    /* kernel/src/process_binary.rs create: app_flash.get(binary_end..total_size) */
    if (be > t->total_size)
        return fail(err, GS_LE_NOT_ENOUGH_FLASH, t->program_at + 12u, (uint32_t)be,
                    "program.binary_end_offset", "binary_end_offset %zu is past total_size %u", be,
                    (unsigned)t->total_size);
    memset(&r, 0, sizeof(r));
    f = t->buf + be;
    n = t->total_size - be;
    /* kernel/src/process_checker.rs: parse_tbf_footer, then advance length + 4. */
    for (unsigned k = 0;; k++) {
        uint16_t type, len;
        uint32_t format;

        if (n - pos < 4)
            break; /* NotEnoughFlash: past the last footer */
        type = gs_get_le16(f + pos);
        len = gs_get_le16(f + pos + 2);
        /* libraries/tock-tbf/src/parse.rs parse_tbf_footer: only Credentials */
        if (type != GS_TLV_CREDENTIALS)
            return fail(err, GS_LE_BAD_TLV, be + pos, type, ifield(fld, "footer", k, "type"),
                        "footer %u has type %u; footers must be Credentials (128)", k,
                        (unsigned)type);
        if (len > n - pos - 4)
            break; /* NotEnoughFlash */
        if (len < 4)
            return fail(err, GS_LE_TBF_INTERNAL, be + pos + 2, len,
                        ifield(fld, "footer", k, "length"),
                        "footer %u length %u leaves no room for its format word", k, (unsigned)len);
        format = gs_get_le32(f + pos + 4);
        if (format > GS_CRED_ECDSA_P256)
            return fail(err, GS_LE_BAD_TLV, be + pos + 4, GS_TLV_CREDENTIALS,
                        ifield(fld, "footer", k, "format"), "footer %u has unknown format %u", k,
                        (unsigned)format);
        if (cred_len[format] > (uint32_t)len - 4)
            break; /* NotEnoughFlash for the credential's data */
        if (r.count == 0)
            r.first_format = format;
        r.count++;
        r.count_by_format[format]++;
        pos += (size_t)len + 4;
    }
    r.end = (uint32_t)(be + pos);
    *out = r;
    return GS_OK;
}

/* ------------------------------------------------------- to gs_app_info */

/*
 * Permissions: the raw TLV data, pointing into the caller's buffer like the
 * name; the core decodes it exactly as get_command_permissions does.
 */
static void app_perms(const struct gs_tbf *t, struct gs_tbf_app *a)
{
    a->info.has_perms = t->has_perms;
    a->info.perms = t->has_perms ? t->perms : NULL;
    a->info.perms_len = t->has_perms ? t->perms_len : 0;
}

static int app_wfr(const struct gs_tbf *t, struct gs_tbf_app *a)
{
    unsigned n = gs_tbf_wfr_count(t);

    a->info.nwfr = n;
    if (n == 0)
        return GS_OK;
    a->wfr = calloc(n, sizeof(*a->wfr));
    if (!a->wfr)
        return GS_E_NOMEM_HOST;
    for (unsigned i = 0; i < n; i++)
        a->wfr[i] = gs_tbf_wfr_at(t, i);
    a->info.wfr = a->wfr;
    return GS_OK;
}

int gs_tbf_app_info(const struct gs_tbf *t, uint32_t flash_start, struct gs_tbf_app *out)
{
    struct gs_tbf_app a;
    uint32_t init = 0, trailer = 0, ram = 0;
    int r;

    if (!t || !out || t->padding)
        return GS_E_ARG;
    memset(&a, 0, sizeof(a));
    a.info.no_main = !pick(t, &init, &trailer, &ram);
    a.info.flash_start = flash_start;
    a.info.flash_len = t->total_size;
    a.info.header_size = t->header_size;
    a.info.protected_trailer = trailer;
    a.info.init_fn_offset = init;
    a.info.min_ram = ram;
    a.info.binary_end = gs_tbf_binary_end(t);
    a.info.has_fixed_ram = gs_tbf_fixed_ram(t, &a.info.fixed_ram);
    a.info.has_fixed_flash = gs_tbf_fixed_flash(t, &a.info.fixed_flash);
    a.info.name = (const char *)t->name;
    a.info.name_len = t->name_len;
    app_perms(t, &a);
    if ((r = app_wfr(t, &a))) {
        gs_tbf_app_free(&a);
        return r;
    }
    *out = a;
    return GS_OK;
}

void gs_tbf_app_free(struct gs_tbf_app *a)
{
    if (!a)
        return;
    free(a->wfr);
    a->wfr = NULL;
    a->info.perms = NULL;
    a->info.wfr = NULL;
}

/* ------------------------------------------------------------ flash scan */

const char *gs_scan_reason_name(enum gs_scan_reason r)
{
    switch (r) {
    case GS_SCAN_LOADABLE:
        return "Loadable";
    case GS_SCAN_PADDING:
        return "Padding";
    case GS_SCAN_NOT_ENABLED:
        return "NotEnabledProcess";
    case GS_SCAN_KERNEL_VERSION:
        return "IncompatibleKernelVersion";
    case GS_SCAN_NO_KERNEL_VERSION:
        return "NoKernelVersion";
    case GS_SCAN_FOOTER_OVERRUN:
        return "NotEnoughFlash";
    case GS_SCAN_FLASH_ADDRESS:
        return "IncorrectFlashAddress";
    case GS_SCAN_INVALID_HEADER:
        return "InvalidHeader";
    case GS_SCAN_PARSE_FAILURE:
        return "TbfHeaderParseFailure";
    }
    return "Unknown";
}

const char *gs_scan_stop_name(enum gs_scan_stop s)
{
    switch (s) {
    case GS_STOP_END:
        return "EndOfFlash";
    case GS_STOP_UNABLE_TO_PARSE:
        return "UnableToParse";
    case GS_STOP_NOT_ENOUGH_FLASH:
        return "NotEnoughFlash";
    case GS_STOP_ZERO_SIZE:
        return "ZeroSizeEntry";
    case GS_STOP_TOO_MANY:
        return "TooManyEntries";
    }
    return "Unknown";
}

void gs_scan_opts_default(struct gs_scan_opts *o)
{
    o->kernel_major = GS_KERNEL_MAJOR;
    o->kernel_minor = GS_KERNEL_MINOR_HEAD;
    o->require_kernel_version = true;
    o->max_entries = GS_SCAN_DEFAULT_MAX;
}

/* kernel/src/process_binary.rs ProcessBinary::create, checks in its order. */
enum gs_scan_reason gs_tbf_load_check(const struct gs_tbf *t, uint32_t addr,
                                      const struct gs_scan_opts *o)
{
    struct gs_scan_opts d;
    uint32_t fixed;

    if (!o) {
        gs_scan_opts_default(&d);
        o = &d;
    }
    if (!t)
        return GS_SCAN_PARSE_FAILURE;
    if (t->padding)
        return GS_SCAN_PADDING;
    if (!gs_tbf_enabled(t))
        return GS_SCAN_NOT_ENABLED;
    if (t->has_kernel_version) {
        /* compatible: same major and minor <= the kernel's */
        if (t->kv_major != o->kernel_major || t->kv_minor > o->kernel_minor)
            return GS_SCAN_KERNEL_VERSION;
    } else if (o->require_kernel_version) {
        return GS_SCAN_NO_KERNEL_VERSION;
    }
    /* app_flash.get(binary_end..total_size) -> NotEnoughFlash */
    if (gs_tbf_binary_end(t) > t->total_size)
        return GS_SCAN_FOOTER_OVERRUN;
    /* The fixed flash address names the app binary, i.e. after the protected region. */
    if (gs_tbf_fixed_flash(t, &fixed) && (uint32_t)(addr + gs_tbf_protected_size(t)) != fixed)
        return GS_SCAN_FLASH_ADDRESS;
    return GS_SCAN_LOADABLE;
}

static void rebase(struct gs_load_error *e, size_t by)
{
    e->offset += by;
}

static struct gs_scan_entry *scan_push(struct gs_flash_scan *s, unsigned *cap)
{
    struct gs_scan_entry *e;

    if (s->count == *cap) {
        unsigned ncap = *cap ? *cap * 2 : 8;
        struct gs_scan_entry *n = realloc(s->entries, ncap * sizeof(*n));

        if (!n)
            return NULL;
        s->entries = n;
        *cap = ncap;
    }
    e = &s->entries[s->count++];
    memset(e, 0, sizeof(*e));
    return e;
}

/* Ends the walk at byte pos with reason stop (and the error behind it). */
static int scan_stop(struct gs_flash_scan *s, uint32_t flash_start, size_t pos,
                     enum gs_scan_stop stop, const struct gs_load_error *why)
{
    s->stop = stop;
    s->stop_addr = flash_start + (uint32_t)pos;
    if (why) {
        s->stop_error = *why;
        rebase(&s->stop_error, pos);
    }
    return 1;
}

/*
 * One step of load_processes_from_flash + discover_process_binary
 * (kernel/src/process_loading.rs) at byte pos. Returns 0 with *next set to
 * continue, 1 when the walk ends (s->stop set), or a negative host error.
 */
static int scan_step(struct gs_flash_scan *s, unsigned *cap, const uint8_t *flash, size_t len,
                     size_t pos, uint32_t flash_start, const struct gs_scan_opts *o, size_t *next)
{
    const uint8_t *p = flash + pos;
    size_t left = len - pos;
    struct gs_load_error le;
    struct gs_scan_entry *e;
    uint16_t v, hs;
    uint32_t ts = 0;
    int r;

    r = gs_tbf_lengths(p, left, &v, &hs, &ts, &le);
    if (r == GS_LE_NOT_ENOUGH_FLASH)
        return scan_stop(s, flash_start, pos, GS_STOP_NOT_ENOUGH_FLASH, &le);
    if (r == GS_LE_UNABLE_TO_PARSE)
        return scan_stop(s, flash_start, pos, GS_STOP_UNABLE_TO_PARSE, &le);
    if (r == GS_LE_INVALID_HEADER)
        ts = le.value; /* InvalidHeader(total_size): skip it */
    if (ts > left) {
        fail(&le, GS_LE_NOT_ENOUGH_FLASH, 4, ts, "total_size",
             "total_size %u runs past the end of flash (%zu bytes left)", (unsigned)ts, left);
        return scan_stop(s, flash_start, pos, GS_STOP_NOT_ENOUGH_FLASH, &le);
    }
    /* Upstream would look at the same address again forever. */
    if (ts == 0)
        return scan_stop(s, flash_start, pos, GS_STOP_ZERO_SIZE, &le);
    if (!(e = scan_push(s, cap)))
        return GS_E_NOMEM_HOST;
    e->addr = flash_start + (uint32_t)pos;
    e->size = ts;
    *next = pos + ts;
    if (r == GS_LE_INVALID_HEADER) {
        e->reason = GS_SCAN_INVALID_HEADER;
        e->error = le;
        rebase(&e->error, pos);
        return 0;
    }
    if (parse_header(p, pos, &e->tbf, &e->error)) {
        e->reason = GS_SCAN_PARSE_FAILURE;
        return 0;
    }
    e->parsed = true;
    e->reason = gs_tbf_load_check(&e->tbf, e->addr, o);
    e->loadable = e->reason == GS_SCAN_LOADABLE;
    if (e->reason == GS_SCAN_FOOTER_OVERRUN) {
        /* ProcessBinaryError::NotEnoughFlash ends load_processes_from_flash. */
        fail(&e->error, GS_LE_NOT_ENOUGH_FLASH, pos + e->tbf.program_at + 12u,
             e->tbf.prog_binary_end, "program.binary_end_offset",
             "binary_end_offset %u is past total_size %u", (unsigned)e->tbf.prog_binary_end,
             (unsigned)ts);
        s->stop_error = e->error;
        s->stop = GS_STOP_NOT_ENOUGH_FLASH;
        s->stop_addr = e->addr;
        return 1;
    }
    return 0;
}

int gs_flash_scan(uint32_t flash_start, const uint8_t *flash, size_t len,
                  const struct gs_scan_opts *o, struct gs_flash_scan *out)
{
    struct gs_flash_scan s;
    struct gs_scan_opts d;
    unsigned cap = 0, max;
    size_t pos = 0;

    if (!out || (!flash && len) || (uint64_t)len > (uint64_t)UINT32_MAX + 1 - flash_start)
        return GS_E_ARG;
    if (!o) {
        gs_scan_opts_default(&d);
        o = &d;
    }
    max = o->max_entries ? o->max_entries : GS_SCAN_DEFAULT_MAX;
    memset(&s, 0, sizeof(s));
    for (;;) {
        size_t next = pos;
        int r;

        if (pos == len) {
            scan_stop(&s, flash_start, pos, GS_STOP_END, NULL);
            break;
        }
        if (s.count >= max) {
            scan_stop(&s, flash_start, pos, GS_STOP_TOO_MANY, NULL);
            break;
        }
        r = scan_step(&s, &cap, flash, len, pos, flash_start, o, &next);
        if (r < 0) {
            free(s.entries);
            return r;
        }
        if (r > 0)
            break;
        pos = next;
    }
    *out = s;
    return GS_OK;
}

void gs_flash_scan_free(struct gs_flash_scan *s)
{
    if (!s)
        return;
    free(s->entries);
    s->entries = NULL;
    s->count = 0;
}

/* ------------------------------------------------------------------ ELF */

#define EHDR_SIZE 52u
#define PHDR_SIZE 32u
#define SHDR_SIZE 40u

#define ELFCLASS32  1
#define ELFDATA2LSB 1
#define EV_CURRENT  1
#define ET_EXEC     2
#define EM_ARM      40

#define PT_LOAD         1u
#define PT_DYNAMIC      2u
#define PT_TLS          7u
#define PT_GNU_EH_FRAME 0x6474e550u
#define PT_GNU_STACK    0x6474e551u
#define PT_GNU_RELRO    0x6474e552u
#define PF_W            2u

#define SHT_SYMTAB 2u
#define SHT_STRTAB 3u
#define SHN_ABS    0xfff1u
#define SHT_NOBITS 8u
#define SHF_WRITE  0x1u
#define SHF_ALLOC  0x2u
#define SHF_TLS    0x400u

struct phdr {
    uint32_t type, offset, vaddr, paddr, filesz, memsz, flags;
};

struct shdr {
    uint32_t name, type, flags, addr, offset, size;
};

/* One ELF file being converted; every table in it was validated on entry. */
struct elf {
    const uint8_t *f;
    size_t len;
    uint32_t entry, phoff, shoff;
    uint16_t phnum, shnum, shstrndx;
    struct shdr strtab; /* the section-name string table */
    struct gs_load_error *err;
};

static struct phdr phdr_unchecked(const struct elf *x, unsigned i)
{
    const uint8_t *p = x->f + x->phoff + (size_t)PHDR_SIZE * i;
    struct phdr h;

    h.type = gs_get_le32(p);
    h.offset = gs_get_le32(p + 4);
    h.vaddr = gs_get_le32(p + 8);
    h.paddr = gs_get_le32(p + 12);
    h.filesz = gs_get_le32(p + 16);
    h.memsz = gs_get_le32(p + 20);
    h.flags = gs_get_le32(p + 24);
    return h;
}

static struct shdr shdr_unchecked(const struct elf *x, unsigned i)
{
    const uint8_t *p = x->f + x->shoff + (size_t)SHDR_SIZE * i;
    struct shdr h;

    h.name = gs_get_le32(p);
    h.type = gs_get_le32(p + 4);
    h.flags = gs_get_le32(p + 8);
    h.addr = gs_get_le32(p + 12);
    h.offset = gs_get_le32(p + 16);
    h.size = gs_get_le32(p + 20);
    return h;
}

/* Byte offset of a program/section header field, for errors. */
static size_t ph_at(const struct elf *x, unsigned i, unsigned field)
{
    return x->phoff + (size_t)PHDR_SIZE * i + field;
}

static size_t sh_at(const struct elf *x, unsigned i, unsigned field)
{
    return x->shoff + (size_t)SHDR_SIZE * i + field;
}

/* NUL-terminated name of a section; elf_sections checked it ends in the table. */
static const char *sec_name_unchecked(const struct elf *x, const struct shdr *s)
{
    return (const char *)x->f + x->strtab.offset + s->name;
}

static bool is_load(const struct phdr *p)
{
    return p->type == PT_LOAD && p->filesz > 0;
}

/* e_ident, e_type, e_machine, e_version, e_ehsize. */
static int elf_ident(struct elf *x)
{
    const uint8_t *f = x->f;

    if (x->len < 4 || f[0] != 0x7F || f[1] != 'E' || f[2] != 'L' || f[3] != 'F')
        return fail(x->err, GS_LE_ELF_HEADER, 0, 0, "e_ident[EI_MAG]",
                    "not an ELF file (no \\x7fELF magic)");
    if (x->len < EHDR_SIZE)
        return fail(x->err, GS_LE_ELF_BOUNDS, 0, (uint32_t)x->len, "e_ehsize",
                    "file of %zu bytes is shorter than an ELF32 header (52)", x->len);
    if (f[4] != ELFCLASS32)
        return fail(x->err, GS_LE_ELF_HEADER, 4, f[4], "e_ident[EI_CLASS]",
                    "EI_CLASS %u: only ELF32 (1) is supported", (unsigned)f[4]);
    if (f[5] != ELFDATA2LSB)
        return fail(x->err, GS_LE_ELF_HEADER, 5, f[5], "e_ident[EI_DATA]",
                    "EI_DATA %u: only little-endian (1) is supported", (unsigned)f[5]);
    if (f[6] != EV_CURRENT)
        return fail(x->err, GS_LE_ELF_HEADER, 6, f[6], "e_ident[EI_VERSION]",
                    "EI_VERSION %u is not 1", (unsigned)f[6]);
    if (gs_get_le16(f + 16) != ET_EXEC)
        return fail(x->err, GS_LE_ELF_HEADER, 16, gs_get_le16(f + 16), "e_type",
                    "e_type %u: a linked executable (ET_EXEC = 2) is required",
                    (unsigned)gs_get_le16(f + 16));
    if (gs_get_le16(f + 18) != EM_ARM)
        return fail(x->err, GS_LE_ELF_HEADER, 18, gs_get_le16(f + 18), "e_machine",
                    "e_machine %u: only ARM (40) is supported", (unsigned)gs_get_le16(f + 18));
    if (gs_get_le32(f + 20) != EV_CURRENT)
        return fail(x->err, GS_LE_ELF_HEADER, 20, gs_get_le32(f + 20), "e_version",
                    "e_version %u is not 1", (unsigned)gs_get_le32(f + 20));
    if (gs_get_le16(f + 40) != EHDR_SIZE)
        return fail(x->err, GS_LE_ELF_HEADER, 40, gs_get_le16(f + 40), "e_ehsize",
                    "e_ehsize %u is not 52", (unsigned)gs_get_le16(f + 40));
    return GS_OK;
}

/* A table of n entries of es bytes at off: inside the file, after the ELF header. */
static int elf_table(struct elf *x, uint32_t off, uint32_t n, uint32_t es, size_t off_at,
                     const char *name)
{
    if (off < EHDR_SIZE)
        return fail(x->err, GS_LE_ELF_LAYOUT, off_at, off, name, "%s 0x%x overlaps the ELF header",
                    name, (unsigned)off);
    if (!span_ok(x->len, off, (uint64_t)n * es))
        return fail(x->err, GS_LE_ELF_BOUNDS, off_at, off, name,
                    "%s 0x%x: %u entries of %u bytes run past the %zu-byte file", name,
                    (unsigned)off, (unsigned)n, (unsigned)es, x->len);
    return GS_OK;
}

/* Program and section header tables. */
static int elf_tables(struct elf *x)
{
    const uint8_t *f = x->f;
    uint64_t ph_end, sh_end;
    int r;

    x->entry = gs_get_le32(f + 24);
    x->phoff = gs_get_le32(f + 28);
    x->shoff = gs_get_le32(f + 32);
    x->phnum = gs_get_le16(f + 44);
    x->shnum = gs_get_le16(f + 48);
    x->shstrndx = gs_get_le16(f + 50);
    if (x->phnum == 0)
        return fail(x->err, GS_LE_ELF_LAYOUT, 44, 0, "e_phnum", "no program headers");
    /* The section walk is phnum x shnum x shnum: keep it bounded. */
    if (x->phnum > GS_ELF_MAX_PHNUM)
        return fail(x->err, GS_LE_TOO_LARGE, 44, x->phnum, "e_phnum",
                    "e_phnum %u: more than %u program headers", (unsigned)x->phnum,
                    GS_ELF_MAX_PHNUM);
    if (gs_get_le16(f + 42) != PHDR_SIZE)
        return fail(x->err, GS_LE_ELF_HEADER, 42, gs_get_le16(f + 42), "e_phentsize",
                    "e_phentsize %u is not 32", (unsigned)gs_get_le16(f + 42));
    if ((r = elf_table(x, x->phoff, x->phnum, PHDR_SIZE, 28, "e_phoff")))
        return r;
    /* elf2tab needs section headers (.rel.*, .wfr*): "no section headers" is refused. */
    if (x->shnum == 0)
        return fail(x->err, GS_LE_ELF_HEADER, 48, 0, "e_shnum",
                    "no section headers (extended numbering is not supported)");
    if (x->shnum > GS_ELF_MAX_SHNUM)
        return fail(x->err, GS_LE_TOO_LARGE, 48, x->shnum, "e_shnum",
                    "e_shnum %u: more than %u sections", (unsigned)x->shnum, GS_ELF_MAX_SHNUM);
    if (gs_get_le16(f + 46) != SHDR_SIZE)
        return fail(x->err, GS_LE_ELF_HEADER, 46, gs_get_le16(f + 46), "e_shentsize",
                    "e_shentsize %u is not 40", (unsigned)gs_get_le16(f + 46));
    if ((r = elf_table(x, x->shoff, x->shnum, SHDR_SIZE, 32, "e_shoff")))
        return r;
    ph_end = (uint64_t)x->phoff + (uint64_t)PHDR_SIZE * x->phnum;
    sh_end = (uint64_t)x->shoff + (uint64_t)SHDR_SIZE * x->shnum;
    if (x->shoff < ph_end && x->phoff < sh_end)
        return fail(x->err, GS_LE_ELF_LAYOUT, 32, x->shoff, "e_shoff",
                    "section header table overlaps the program header table");
    if (x->shstrndx == 0 || x->shstrndx >= x->shnum)
        return fail(x->err, GS_LE_ELF_HEADER, 50, x->shstrndx, "e_shstrndx",
                    "e_shstrndx %u is not a section index below e_shnum %u", (unsigned)x->shstrndx,
                    (unsigned)x->shnum);
    return GS_OK;
}

/* Section i's file range and name. */
static int elf_section(struct elf *x, unsigned i)
{
    struct shdr s = shdr_unchecked(x, i);
    char f[FIELD_LEN];
    const uint8_t *names = x->f + x->strtab.offset;

    if (s.type != SHT_NOBITS && !span_ok(x->len, s.offset, s.size)) {
        bool off_bad = s.offset > x->len;

        return fail(x->err, GS_LE_ELF_BOUNDS, sh_at(x, i, off_bad ? 16 : 20),
                    off_bad ? s.offset : s.size,
                    ifield(f, "section_header", i, off_bad ? "sh_offset" : "sh_size"),
                    "section %u: bytes [0x%x, +0x%x) run past the %zu-byte file", i,
                    (unsigned)s.offset, (unsigned)s.size, x->len);
    }
    if (s.name >= x->strtab.size || !memchr(names + s.name, 0, x->strtab.size - s.name))
        return fail(x->err, GS_LE_ELF_BOUNDS, sh_at(x, i, 0), s.name,
                    ifield(f, "section_header", i, "sh_name"),
                    "section %u: name offset %u is not a string in the %u-byte name table", i,
                    (unsigned)s.name, (unsigned)x->strtab.size);
    return GS_OK;
}

static int elf_sections(struct elf *x)
{
    char f[FIELD_LEN];
    unsigned k = x->shstrndx;
    int r;

    x->strtab = shdr_unchecked(x, k);
    if (x->strtab.type != SHT_STRTAB)
        return fail(x->err, GS_LE_ELF_HEADER, sh_at(x, k, 4), x->strtab.type,
                    ifield(f, "section_header", k, "sh_type"),
                    "section %u (e_shstrndx) has type %u, not SHT_STRTAB", k,
                    (unsigned)x->strtab.type);
    if (!span_ok(x->len, x->strtab.offset, x->strtab.size))
        return fail(x->err, GS_LE_ELF_BOUNDS, sh_at(x, k, 16), x->strtab.offset,
                    ifield(f, "section_header", k, "sh_offset"),
                    "section name table [0x%x, +0x%x) runs past the %zu-byte file",
                    (unsigned)x->strtab.offset, (unsigned)x->strtab.size, x->len);
    for (unsigned i = 0; i < x->shnum; i++) {
        if ((r = elf_section(x, i)))
            return r;
    }
    return GS_OK;
}

/* One loaded segment: its bytes, its flash address, its order. */
static int elf_segment(struct elf *x, unsigned i, const struct phdr *p, uint64_t *end)
{
    char f[FIELD_LEN];
    uint64_t start = p->paddr, stop = (uint64_t)p->paddr + p->filesz;

    if (p->filesz > p->memsz)
        return fail(x->err, GS_LE_ELF_LAYOUT, ph_at(x, i, 16), p->filesz,
                    ifield(f, "program_header", i, "p_filesz"),
                    "segment %u: p_filesz 0x%x exceeds p_memsz 0x%x", i, (unsigned)p->filesz,
                    (unsigned)p->memsz);
    if (p->offset > x->len)
        return fail(x->err, GS_LE_ELF_BOUNDS, ph_at(x, i, 4), p->offset,
                    ifield(f, "program_header", i, "p_offset"),
                    "segment %u: p_offset 0x%x is past the %zu-byte file", i, (unsigned)p->offset,
                    x->len);
    if (!span_ok(x->len, p->offset, p->filesz))
        return fail(x->err, GS_LE_ELF_BOUNDS, ph_at(x, i, 16), p->filesz,
                    ifield(f, "program_header", i, "p_filesz"),
                    "segment %u: [0x%x, +0x%x) runs past the %zu-byte file", i, (unsigned)p->offset,
                    (unsigned)p->filesz, x->len);
    /* TOCK-REFERENCE 11.2.1: flash is linked at the 0x80000000 sentinel. */
    if (start < GS_ELF_FLASH_ORIGIN)
        return fail(x->err, GS_LE_ELF_LAYOUT, ph_at(x, i, 12), p->paddr,
                    ifield(f, "program_header", i, "p_paddr"),
                    "segment %u: p_paddr 0x%08x is below the flash origin 0x80000000 (not a "
                    "libtock-c PIC app)",
                    i, (unsigned)p->paddr);
    if (start < *end)
        return fail(x->err, GS_LE_ELF_LAYOUT, ph_at(x, i, 12), p->paddr,
                    ifield(f, "program_header", i, "p_paddr"),
                    "segment %u: p_paddr 0x%08x overlaps or precedes the previous segment "
                    "(ends 0x%08llx)",
                    i, (unsigned)p->paddr, (unsigned long long)*end);
    if (stop - GS_ELF_FLASH_ORIGIN > GS_ELF_MAX_IMAGE)
        return fail(x->err, GS_LE_TOO_LARGE, ph_at(x, i, 12), p->paddr,
                    ifield(f, "program_header", i, "p_paddr"),
                    "segment %u ends 0x%llx bytes after the flash origin; the limit is 0x%x", i,
                    (unsigned long long)(stop - GS_ELF_FLASH_ORIGIN), GS_ELF_MAX_IMAGE);
    *end = stop;
    return GS_OK;
}

/*
 * PT_LOAD headers with p_filesz > 0, in file order, checked; *seg_end is the
 * image offset where they end. The entry point must be in one of them.
 */
static int elf_segments(struct elf *x, uint32_t *seg_end)
{
    uint64_t end = GS_ELF_FLASH_ORIGIN;
    bool entry_found = false;
    int r;

    for (unsigned i = 0; i < x->phnum; i++) {
        struct phdr p = phdr_unchecked(x, i);

        if (!is_load(&p))
            continue;
        if ((r = elf_segment(x, i, &p, &end)))
            return r;
        /* elf2tab convert.rs: the segment holding e_entry gives init_fn_offset */
        if (x->entry >= p.paddr && (uint64_t)x->entry < (uint64_t)p.paddr + p.filesz)
            entry_found = true;
    }
    if (!entry_found)
        return fail(x->err, GS_LE_ELF_LAYOUT, 24, x->entry, "e_entry",
                    "e_entry 0x%08x is not inside any loaded segment", (unsigned)x->entry);
    *seg_end = (uint32_t)(end - GS_ELF_FLASH_ORIGIN);
    return GS_OK;
}

/*
 * elf2tab convert.rs: RAM = p_memsz of PT_LOADs that are writable, non-empty
 * in memory and have p_vaddr != p_paddr (the .got/.data/.bss segment).
 */
static int elf_ram(struct elf *x, uint32_t *ram)
{
    char f[FIELD_LEN];
    uint64_t sum = 0;

    for (unsigned i = 0; i < x->phnum; i++) {
        struct phdr p = phdr_unchecked(x, i);

        if (p.type != PT_LOAD || p.vaddr == p.paddr || p.memsz == 0 || !(p.flags & PF_W))
            continue;
        sum += p.memsz;
        if (sum > UINT32_MAX)
            return fail(x->err, GS_LE_TOO_LARGE, ph_at(x, i, 20), p.memsz,
                        ifield(f, "program_header", i, "p_memsz"),
                        "RAM segments add up to more than 4 GiB");
    }
    *ram = (uint32_t)sum;
    return GS_OK;
}

/*
 * section_in_segment of elf2tab's convert.rs (after pyelftools, strict
 * variant): TLS rules, ALLOC sections by address, non-NOBITS ones by file
 * offset; an empty section never matches at the very end.
 */
static bool section_in_segment(const struct shdr *s, const struct phdr *p)
{
    bool tls = s->flags & SHF_TLS;
    bool tls_seg = p->type == PT_TLS || p->type == PT_GNU_RELRO;
    uint64_t so = s->offset, po = p->offset;

    if (tls ? !(tls_seg || p->type == PT_LOAD) : tls_seg)
        return false;
    if (!(s->flags & SHF_ALLOC) &&
        (p->type == PT_LOAD || p->type == PT_DYNAMIC || p->type == PT_GNU_EH_FRAME ||
         p->type == PT_GNU_RELRO || p->type == PT_GNU_STACK))
        return false;
    if (s->flags & SHF_ALLOC) {
        uint64_t sa = s->addr, va = p->vaddr;

        if (!(sa >= va && sa - va + s->size <= p->memsz && sa - va <= (uint64_t)p->memsz - 1))
            return false;
    }
    if (s->type == SHT_NOBITS)
        return true;
    return so >= po && so - po + s->size <= p->filesz && so - po <= (uint64_t)p->filesz - 1;
}

/* The section named ".rel" + name, or -1. */
static int find_rel(const struct elf *x, const char *name)
{
    size_t n = strlen(name);

    for (unsigned j = 0; j < x->shnum; j++) {
        struct shdr r = shdr_unchecked(x, j);
        const char *rn = sec_name_unchecked(x, &r);

        if (strncmp(rn, ".rel", 4) == 0 && strlen(rn + 4) == n && memcmp(rn + 4, name, n) == 0)
            return (int)j;
    }
    return -1;
}

/*
 * Walks (segment, section) pairs as elf2tab does: for every loaded segment,
 * every non-empty section in it. Writable sections contribute their
 * ".rel<name>" bytes (appended at dst when dst is not NULL; *rel_len counts
 * them); sections whose name contains ".wfr" become writeable flash regions
 * (when img is not NULL).
 */
static int elf_walk_sections(struct elf *x, uint8_t *dst, uint32_t *rel_len,
                             struct gs_elf_image *img)
{
    char f[FIELD_LEN];
    uint64_t total = 0;

    for (unsigned i = 0; i < x->phnum; i++) {
        struct phdr p = phdr_unchecked(x, i);

        if (!is_load(&p))
            continue;
        for (unsigned k = 0; k < x->shnum; k++) {
            struct shdr s = shdr_unchecked(x, k);
            const char *name = sec_name_unchecked(x, &s);
            int j;

            if (s.size == 0 || !section_in_segment(&s, &p))
                continue;
            if ((s.flags & SHF_WRITE) && (j = find_rel(x, name)) >= 0) {
                struct shdr rs = shdr_unchecked(x, (unsigned)j);
                uint32_t n = rs.type == SHT_NOBITS ? 0 : rs.size;

                if (dst)
                    memcpy(dst + total, x->f + rs.offset, n);
                total += n;
                if (total > GS_ELF_MAX_IMAGE)
                    return fail(x->err, GS_LE_TOO_LARGE, sh_at(x, (unsigned)j, 20), rs.size,
                                ifield(f, "section_header", (unsigned)j, "sh_size"),
                                "relocations add up to more than 0x%x bytes", GS_ELF_MAX_IMAGE);
            }
            if (img && strstr(name, ".wfr")) {
                /* elf2tab: binary position of the segment + (sh_addr - p_vaddr) */
                uint64_t off = (uint64_t)(p.paddr - GS_ELF_FLASH_ORIGIN) + (s.addr - p.vaddr);

                if (img->nwfr >= GS_ELF_MAX_WFR || off > UINT32_MAX)
                    return fail(x->err, GS_LE_TOO_LARGE, sh_at(x, k, 0), img->nwfr,
                                ifield(f, "section_header", k, "sh_name"),
                                "writeable flash region %s: more than %u or past 4 GiB", name,
                                GS_ELF_MAX_WFR);
                img->wfr[img->nwfr].offset = (uint32_t)off;
                img->wfr[img->nwfr].size = s.size;
                img->nwfr++;
            }
        }
    }
    *rel_len = (uint32_t)total;
    return GS_OK;
}

/* Segment bytes at p_paddr - 0x80000000 (gaps stay zero from calloc). */
static void elf_copy_segments(const struct elf *x, uint8_t *dst)
{
    for (unsigned i = 0; i < x->phnum; i++) {
        struct phdr p = phdr_unchecked(x, i);

        if (is_load(&p))
            memcpy(dst + (p.paddr - GS_ELF_FLASH_ORIGIN), x->f + p.offset, p.filesz);
    }
}

/*
 * The value of an absolute symbol (st_shndx SHN_ABS) of the ELF's symbol
 * tables, such as the STACK_SIZE, APP_HEAP_SIZE and KERNEL_HEAP_SIZE that
 * libtock-c defines with --defsym (Configuration.mk). The symbol table is a
 * hint, not part of the format the loader requires: a missing, stripped or
 * malformed one means "no such symbol", never an error. Every read is
 * bounded by the section, which elf_sections checked lies in the file.
 */
static bool elf_abs_symbol(const struct elf *x, const char *want, uint32_t *value)
{
    size_t wlen = strlen(want);

    for (unsigned i = 0; i < x->shnum; i++) {
        struct shdr s = shdr_unchecked(x, i);
        uint32_t link = gs_get_le32(x->f + x->shoff + (size_t)SHDR_SIZE * i + 24);
        struct shdr st;

        if (s.type != SHT_SYMTAB || link >= x->shnum)
            continue;
        st = shdr_unchecked(x, link);
        if (st.type != SHT_STRTAB)
            continue;
        for (uint32_t at = 0; at + 16 <= s.size; at += 16) {
            const uint8_t *e = x->f + s.offset + at;
            uint32_t name = gs_get_le32(e);

            if (gs_get_le16(e + 14) != SHN_ABS || name >= st.size || st.size - name <= wlen)
                continue;
            if (memcmp(x->f + st.offset + name, want, wlen + 1) == 0) {
                *value = gs_get_le32(e + 4);
                return true;
            }
        }
    }
    return false;
}

/* Stack choice (see gs_elf_opts) and elf2tab's minimum_ram_size. */
static int elf_min_ram(struct elf *x, const struct gs_elf_opts *o, uint32_t ram,
                       struct gs_elf_image *img)
{
    uint64_t total;

    img->ram_segments_size = ram;
    if (o->stack_size != GS_ELF_STACK_AUTO) {
        img->stack_size = o->stack_size;
        img->stack_source = GS_STACK_EXPLICIT;
    } else if (img->reldata_offset >= 40) {
        img->stack_size = gs_get_le32(img->bytes + 36); /* crt0 header stack_size */
        img->stack_source = GS_STACK_CRT0;
    } else if (elf_abs_symbol(x, "STACK_SIZE", &img->stack_size)) {
        img->stack_source = GS_STACK_SYMBOL; /* no crt0 header (bare_bones): the --defsym */
    } else {
        img->stack_size = GS_ELF_DEFAULT_STACK;
        img->stack_source = GS_STACK_DEFAULT;
    }
    /* Heaps: as given, else the values libtock-c linked in, else elf2tab's defaults. */
    img->app_heap_size = o->app_heap_size;
    img->kernel_heap_size = o->kernel_heap_size;
    img->heap_source = GS_HEAP_EXPLICIT;
    if (o->app_heap_size == GS_ELF_HEAP_AUTO || o->kernel_heap_size == GS_ELF_HEAP_AUTO) {
        bool app = o->app_heap_size == GS_ELF_HEAP_AUTO,
             kern = o->kernel_heap_size == GS_ELF_HEAP_AUTO;
        bool found = true;
        if (app && !elf_abs_symbol(x, "APP_HEAP_SIZE", &img->app_heap_size)) {
            img->app_heap_size = GS_ELF_DEFAULT_HEAP;
            found = false;
        }
        if (kern && !elf_abs_symbol(x, "KERNEL_HEAP_SIZE", &img->kernel_heap_size)) {
            img->kernel_heap_size = GS_ELF_DEFAULT_HEAP;
            found = false;
        }
        img->heap_source = found ? GS_HEAP_SYMBOL : GS_HEAP_DEFAULT;
    }
    /* elf2tab convert.rs: + align_to(stack, 8) + align_to(app_heap, 4) + align_to(kernel, 4) */
    total = (uint64_t)ram + align_up(img->stack_size, 8) + align_up(img->app_heap_size, 4) +
            align_up(img->kernel_heap_size, 4);
    if (total > UINT32_MAX)
        return fail(x->err, GS_LE_TOO_LARGE, 0, img->stack_size, "minimum_ram_size",
                    "RAM + stack + heaps exceed 4 GiB");
    img->minimum_ram_size = (uint32_t)total;
    return GS_OK;
}

void gs_elf_opts_default(struct gs_elf_opts *o)
{
    o->stack_size = GS_ELF_STACK_AUTO;
    o->app_heap_size = GS_ELF_HEAP_AUTO;
    o->kernel_heap_size = GS_ELF_HEAP_AUTO;
}

/* Checks everything and sizes the image; nothing is allocated. */
static int elf_validate(struct elf *x, uint32_t *seg_end, uint32_t *ram, uint32_t *rel_len)
{
    int r;

    if ((r = elf_ident(x)) || (r = elf_tables(x)) || (r = elf_sections(x)) ||
        (r = elf_segments(x, seg_end)) || (r = elf_ram(x, ram)) ||
        (r = elf_walk_sections(x, NULL, rel_len, NULL)))
        return r;
    if ((uint64_t)*seg_end + 4 + *rel_len > GS_ELF_MAX_IMAGE)
        return fail(x->err, GS_LE_TOO_LARGE, 0, *rel_len, "rel_len",
                    "image (0x%x) + relocations (0x%x) exceed 0x%x bytes", (unsigned)*seg_end,
                    (unsigned)*rel_len, GS_ELF_MAX_IMAGE);
    return GS_OK;
}

int gs_elf_to_image(const uint8_t *elf, size_t len, const struct gs_elf_opts *o,
                    struct gs_elf_image *out, struct gs_load_error *err)
{
    struct elf x;
    struct gs_elf_image img;
    struct gs_elf_opts d;
    uint32_t seg_end = 0, ram = 0, rel_len = 0;
    int r;

    if (!out || (!elf && len))
        return fail(err, GS_E_ARG, 0, 0, "", "bad arguments");
    if (!o) {
        gs_elf_opts_default(&d);
        o = &d;
    }
    memset(&x, 0, sizeof(x));
    x.f = elf;
    x.len = len;
    x.err = err;
    if ((r = elf_validate(&x, &seg_end, &ram, &rel_len)))
        return r;
    memset(&img, 0, sizeof(img));
    img.len = seg_end + 4 + rel_len;
    img.reldata_offset = seg_end;
    img.rel_len = rel_len;
    img.entry_offset = x.entry - GS_ELF_FLASH_ORIGIN;
    img.bytes = calloc(img.len, 1);
    if (!img.bytes)
        return fail(err, GS_E_NOMEM_HOST, 0, img.len, "", "out of host memory");
    elf_copy_segments(&x, img.bytes);
    /* TOCK-REFERENCE 11.2.3 step 2: u32 length, then the relocation bytes */
    st32(img.bytes + seg_end, rel_len);
    if ((r = elf_walk_sections(&x, img.bytes + seg_end + 4, &rel_len, &img)) ||
        (r = elf_min_ram(&x, o, ram, &img))) {
        gs_elf_image_free(&img);
        return r;
    }
    *out = img;
    return GS_OK;
}

int gs_elf_sections(const uint8_t *elf, size_t len, struct gs_elf_section *out, unsigned max,
                    struct gs_load_error *err)
{
    struct elf x;
    uint32_t seg_end = 0, ram = 0, rel_len = 0;
    unsigned n = 0;
    int r;

    if (!elf || (!out && max))
        return fail(err, GS_E_ARG, 0, 0, "", "bad arguments");
    memset(&x, 0, sizeof(x));
    x.f = elf;
    x.len = len;
    x.err = err;
    if ((r = elf_validate(&x, &seg_end, &ram, &rel_len)))
        return r;
    for (unsigned i = 0; i < x.shnum; i++) {
        struct shdr s = shdr_unchecked(&x, i);
        if (!(s.flags & SHF_ALLOC) || s.size == 0)
            continue;
        if (n < max) {
            struct gs_elf_section *o = &out[n];
            memset(o, 0, sizeof(*o));
            snprintf(o->name, sizeof(o->name), "%s", sec_name_unchecked(&x, &s));
            o->addr = s.addr;
            o->size = s.size;
            o->flash = s.addr >= GS_ELF_FLASH_ORIGIN;
        }
        n++;
    }
    return (int)n;
}

void gs_elf_image_free(struct gs_elf_image *img)
{
    if (!img)
        return;
    free(img->bytes);
    img->bytes = NULL;
    img->len = 0;
}

/* ------------------------------------------------------------- synthesis */

void gs_tbf_synth_from_image(struct gs_tbf_synth *s, const struct gs_elf_image *img,
                             const char *package_name)
{
    memset(s, 0, sizeof(*s));
    s->image = img->bytes;
    s->image_len = img->len;
    s->init_fn_offset = img->entry_offset;
    s->minimum_ram_size = img->minimum_ram_size;
    s->wfr = img->wfr;
    s->nwfr = img->nwfr;
    s->package_name = package_name;
    /* libtock-c Configuration.mk: --kernel-major 2 --kernel-minor 2 --minimum-footer-size 3000 */
    s->kernel_major = 2;
    s->kernel_minor = 2;
    s->minimum_footer_size = GS_TBF_LIBTOCK_FOOTER;
}

/*
 * elf2tab header.rs create(): base 16 + Main 16 + Program 24, PackageName
 * 4 + name padded to 4, 12 per WFR, KernelVersion 8.
 */
static uint64_t synth_header_size(size_t name_len, unsigned nwfr)
{
    uint64_t n = GS_TBF_BASE_SIZE + 16 + 24;

    if (name_len)
        n += align_up(4 + (uint64_t)name_len, 4);
    return n + 12u * nwfr + 8;
}

static uint8_t *put_tlv(uint8_t *p, uint16_t type, uint16_t len)
{
    st16(p, type);
    st16(p + 2, len);
    return p + 4;
}

/* Header bytes into h (zeroed, hs bytes), in elf2tab's TLV order. */
static void synth_header(const struct gs_tbf_synth *s, uint8_t *h, uint16_t hs, uint32_t trailer,
                         uint32_t total, uint32_t binary_end, const char *name, size_t name_len)
{
    uint8_t *p = h;

    st16(p, GS_TBF_VERSION);
    st16(p + 2, hs);
    st32(p + 4, total);
    st32(p + 8, s->disabled ? 0 : GS_TBF_FLAG_ENABLED);
    /* init_fn_offset counts from the end of the header, past the protected trailer
     * (elf2tab convert.rs); the trailer is 0 unless a protected region was asked for. */
    p = put_tlv(p + 16, GS_TLV_MAIN, 12);
    st32(p, s->init_fn_offset + trailer);
    st32(p + 4, trailer);
    st32(p + 8, s->minimum_ram_size);
    p = put_tlv(p + 12, GS_TLV_PROGRAM, 20);
    st32(p, s->init_fn_offset + trailer);
    st32(p + 4, trailer);
    st32(p + 8, s->minimum_ram_size);
    st32(p + 12, binary_end);
    st32(p + 16, s->app_version);
    p += 20;
    if (name_len) {
        p = put_tlv(p, GS_TLV_PACKAGE_NAME, (uint16_t)name_len);
        memcpy(p, name, name_len);
        p += align_up(name_len, 4); /* zero padding */
    }
    for (unsigned i = 0; i < s->nwfr; i++) {
        p = put_tlv(p, GS_TLV_WFR, 8);
        st32(p, hs + trailer + s->wfr[i].offset); /* from the TBF start */
        st32(p + 4, s->wfr[i].size);
        p += 8;
    }
    p = put_tlv(p, GS_TLV_KERNEL_VERSION, 4);
    st16(p, s->kernel_major);
    st16(p + 2, s->kernel_minor);
    /* elf2tab header.rs inject_checksum: XOR of all words with checksum = 0 */
    st32(h + 12, tbf_checksum(h, hs));
}

/*
 * Reserved Credentials footers filling exactly n >= 8 bytes. One TLV when the
 * u16 length allows it, else a chain of 0xFFFC-byte TLVs (see loader.h).
 */
static void synth_footer(uint8_t *p, size_t n)
{
    while (n > 0xFFFFu + 4) {
        put_tlv(p, GS_TLV_CREDENTIALS, 0xFFFC - 4); /* format word 0 = Reserved */
        p += 0xFFFC;
        n -= 0xFFFC;
    }
    put_tlv(p, GS_TLV_CREDENTIALS, (uint16_t)(n - 4));
}

/*
 * elf2tab convert.rs: footer reservation (at least 8, aligned to 4), then
 * for ARM the next power of two (at least 512) unless already one.
 */
static uint64_t synth_total(uint64_t binary_end, uint32_t min_footer)
{
    uint64_t idx = binary_end, p2 = 1;

    if (min_footer > 0)
        idx += align_up(min_footer < 8 ? 8 : min_footer, 4);
    if ((idx & (idx - 1)) == 0)
        return idx; /* count_ones() <= 1 */
    while (p2 <= idx)
        p2 <<= 1;
    return p2 < 512 ? 512 : p2;
}

static int synth_check(const struct gs_tbf_synth *s, const char *name, size_t name_len,
                       struct gs_load_error *err)
{
    size_t bad;

    if (!s->image || s->image_len < 4 || s->nwfr > GS_ELF_MAX_WFR || (s->nwfr && !s->wfr))
        return fail(err, GS_E_ARG, 0, 0, "", "bad synthesis arguments");
    if (s->image_len > GS_ELF_MAX_IMAGE)
        return fail(err, GS_LE_TOO_LARGE, 0, s->image_len, "image_len",
                    "image of 0x%x bytes exceeds 0x%x", (unsigned)s->image_len, GS_ELF_MAX_IMAGE);
    if (s->minimum_footer_size > GS_TBF_MAX_FOOTER)
        return fail(err, GS_LE_TOO_LARGE, 0, s->minimum_footer_size, "minimum_footer_size",
                    "minimum footer 0x%x exceeds 0x%x", (unsigned)s->minimum_footer_size,
                    GS_TBF_MAX_FOOTER);
    /* The kernel would refuse the TBF (BadProcessName). */
    if (!utf8_valid((const uint8_t *)name, name_len, &bad))
        return fail(err, GS_LE_BAD_NAME, bad, (uint8_t)name[bad], "package_name",
                    "package name is not UTF-8 at byte %zu", bad);
    if (synth_header_size(name_len, s->nwfr) > 0xFFFF)
        return fail(err, GS_LE_TOO_LARGE, 0, (uint32_t)name_len, "package_name",
                    "a %zu-byte name makes the header exceed 65535 bytes", name_len);
    return GS_OK;
}

int gs_tbf_synthesize(const struct gs_tbf_synth *s, uint8_t **out, size_t *out_len,
                      struct gs_load_error *err)
{
    const char *name;
    size_t name_len;
    uint64_t hs, trailer, binary_end, total;
    uint8_t *buf;
    int r;

    if (!s || !out || !out_len)
        return fail(err, GS_E_ARG, 0, 0, "", "bad arguments");
    name = s->package_name ? s->package_name : "";
    name_len = strlen(name);
    if ((r = synth_check(s, name, name_len, err)))
        return r;
    hs = synth_header_size(name_len, s->nwfr);
    /* elf2tab refuses a protected region that does not hold the headers. */
    if (s->protected_size && s->protected_size < hs)
        return fail(err, GS_E_ARG, 0, s->protected_size, "protected_size",
                    "a protected region of %u bytes is too small for the 0x%x-byte header",
                    (unsigned)s->protected_size, (unsigned)hs);
    if (s->protected_size > GS_ELF_MAX_IMAGE)
        return fail(err, GS_LE_TOO_LARGE, 0, s->protected_size, "protected_size",
                    "a protected region of 0x%x bytes exceeds 0x%x", (unsigned)s->protected_size,
                    GS_ELF_MAX_IMAGE);
    trailer = s->protected_size ? s->protected_size - hs : 0;
    for (unsigned i = 0; i < s->nwfr; i++) {
        if (hs + trailer + s->wfr[i].offset > UINT32_MAX)
            return fail(err, GS_LE_TOO_LARGE, 0, s->wfr[i].offset, "wfr.offset",
                        "writeable flash region offset past 4 GiB");
    }
    binary_end = hs + trailer + s->image_len;
    total = synth_total(binary_end, s->minimum_footer_size);
    buf = calloc((size_t)total, 1);
    if (!buf)
        return fail(err, GS_E_NOMEM_HOST, 0, 0, "", "out of host memory");
    synth_header(s, buf, (uint16_t)hs, (uint32_t)trailer, (uint32_t)total, (uint32_t)binary_end,
                 name, name_len);
    memcpy(buf + hs + trailer, s->image, s->image_len);
    /* Less than a TLV's 8 bytes of padding stays plain zeros (elf2tab post_content_pad). */
    if (total - binary_end >= 8)
        synth_footer(buf + binary_end, (size_t)(total - binary_end));
    *out = buf;
    *out_len = (size_t)total;
    return GS_OK;
}

/* ------------------------------------------------------------------ fuzz */

static void fuzz_tbf(const uint8_t *data, size_t len)
{
    struct gs_tbf t;
    struct gs_tbf_footers f;
    struct gs_tbf_storage st;
    struct gs_tbf_app a;
    uint64_t mask;
    uint32_t addr;

    if (gs_tbf_parse(data, len, &t, NULL))
        return;
    (void)gs_tbf_footers(&t, &f, NULL);
    (void)gs_tbf_storage_permissions(&t, &st, NULL);
    for (uint32_t d = 0; d < 4; d++)
        (void)gs_tbf_command_permissions(&t, d, d, &mask);
    for (unsigned i = 0; i <= gs_tbf_wfr_count(&t); i++)
        (void)gs_tbf_wfr_at(&t, i);
    (void)gs_tbf_fixed_ram(&t, &addr);
    (void)gs_tbf_load_check(&t, 0x40000, NULL);
    if (gs_tbf_app_info(&t, 0x40000, &a) == GS_OK)
        gs_tbf_app_free(&a);
}

static void fuzz_scan(const uint8_t *data, size_t len)
{
    struct gs_scan_opts o;
    struct gs_flash_scan s;

    if (len > UINT32_MAX - 0x40000u)
        return;
    gs_scan_opts_default(&o);
    o.kernel_minor = GS_KERNEL_MINOR_REL_2_2;
    if (gs_flash_scan(0x40000, data, len, &o, &s) == GS_OK)
        gs_flash_scan_free(&s);
}

/* The synthesized TBF must parse back to what was put in; abort otherwise. */
static void fuzz_round_trip(const struct gs_elf_image *img, const uint8_t *tbf, size_t n)
{
    struct gs_tbf t;
    struct gs_tbf_footers f;

    if (gs_tbf_parse(tbf, n, &t, NULL) || t.total_size != n || !t.has_program ||
        t.prog_init_fn_offset != img->entry_offset || t.prog_min_ram != img->minimum_ram_size ||
        t.prog_binary_end != t.header_size + img->len ||
        memcmp(tbf + t.header_size, img->bytes, img->len) != 0 || t.name_len != 4 ||
        memcmp(t.name, "fuzz", 4) != 0 ||
        gs_tbf_load_check(&t, 0x40000, NULL) != GS_SCAN_LOADABLE || gs_tbf_footers(&t, &f, NULL) ||
        gs_tbf_wfr_count(&t) != (img->nwfr ? 1u : 0u))
        abort();
}

static void fuzz_elf(const uint8_t *data, size_t len)
{
    struct gs_elf_image img;
    struct gs_tbf_synth s;
    uint8_t *tbf;
    size_t n;

    if (gs_elf_to_image(data, len, NULL, &img, NULL))
        return;
    gs_tbf_synth_from_image(&s, &img, "fuzz");
    if (gs_tbf_synthesize(&s, &tbf, &n, NULL) == GS_OK) {
        fuzz_round_trip(&img, tbf, n);
        free(tbf);
    }
    gs_elf_image_free(&img);
}

int gs_loader_fuzz_one(const uint8_t *data, size_t len)
{
    fuzz_tbf(data, len);
    fuzz_scan(data, len);
    fuzz_elf(data, len);
    return 0;
}
