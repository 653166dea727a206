/* SPDX-License-Identifier: MIT */
/*
 * jw.h - a minimal JSON writer for the report layer (json.c, explain.c).
 *
 * Objects and arrays nest; `key` is NULL inside arrays; commas and the
 * two-space indentation are handled here, and the outermost value ends
 * with a newline. Strings are written as UTF-8; invalid UTF-8 bytes become
 * U+FFFD and control characters \uXXXX.
 */
#ifndef GS_RPT_JW_H
#define GS_RPT_JW_H

#include <stdbool.h>
#include <stdint.h>

#include "printer.h"

struct jw {
    struct gs_sink *s;
    unsigned depth;
    bool comma[32];
};

/* Opens an object or an array as the member `key` (NULL: an array element). */
void jw_obj(struct jw *w, const char *key);
void jw_arr(struct jw *w, const char *key);
void jw_end_obj(struct jw *w);
void jw_end_arr(struct jw *w);

/* Starts the member `key` (the comma, the indentation, the key): a raw value follows. */
void jw_key(struct jw *w, const char *key);
/* Writes str unquoted (a raw value such as null). */
void jw_puts(struct jw *w, const char *str);

void jw_u(struct jw *w, const char *key, uint64_t v);
void jw_i(struct jw *w, const char *key, long long v);
/* An index that may be absent: null when v < 0. */
void jw_opt(struct jw *w, const char *key, long long v);
/* A string, or null for NULL. */
void jw_s(struct jw *w, const char *key, const char *v);
void jw_b(struct jw *w, const char *key, bool v);
/* GS_ACC_* rights as "rwx" with '-' for a missing right. */
void jw_rights(struct jw *w, const char *key, unsigned rights);
/* At most GS_LAYOUT_PEEK bytes as a string of lower-case hex digit pairs. */
void jw_hex(struct jw *w, const char *key, const uint8_t *b, unsigned n);

#endif
