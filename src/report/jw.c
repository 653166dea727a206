/* SPDX-License-Identifier: MIT */
/* A minimal JSON writer (jw.h). */
#include "jw.h"

#include <stdio.h>
#include <string.h>

#include "labels.h"

static void jw_raw(struct jw *w, const char *str, size_t n)
{
    w->s->write(w->s->ctx, str, n);
}

void jw_puts(struct jw *w, const char *str)
{
    jw_raw(w, str, strlen(str));
}

static void jw_string(struct jw *w, const char *str)
{
    const unsigned char *p = (const unsigned char *)(str ? str : "");
    size_t n = strlen((const char *)p);

    jw_raw(w, "\"", 1);
    for (size_t i = 0; i < n;) {
        char esc[8];
        size_t k;
        if (p[i] == '"' || p[i] == '\\') {
            esc[0] = '\\';
            esc[1] = (char)p[i];
            jw_raw(w, esc, 2);
            i++;
        } else if (p[i] < 0x20) {
            snprintf(esc, sizeof(esc), "\\u%04x", p[i]);
            jw_raw(w, esc, 6);
            i++;
        } else if ((k = rpt_utf8_len(p + i, n - i)) == 0) {
            jw_puts(w, "\\ufffd");
            i++;
        } else {
            jw_raw(w, (const char *)p + i, k);
            i += k;
        }
    }
    jw_raw(w, "\"", 1);
}

static void jw_indent(struct jw *w)
{
    static const char spaces[] = "                                                                ";
    unsigned n = 2 * w->depth;

    jw_raw(w, "\n", 1);
    jw_raw(w, spaces, n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1);
}

void jw_key(struct jw *w, const char *key)
{
    if (w->comma[w->depth])
        jw_raw(w, ",", 1);
    w->comma[w->depth] = true;
    jw_indent(w);
    if (key) {
        jw_string(w, key);
        jw_raw(w, ": ", 2);
    }
}

static void jw_open(struct jw *w, const char *key, char c)
{
    if (w->depth || w->comma[0])
        jw_key(w, key);
    jw_raw(w, &c, 1);
    if (w->depth + 1 < sizeof(w->comma))
        w->depth++;
    w->comma[w->depth] = false;
}

static void jw_close(struct jw *w, char c)
{
    bool had = w->comma[w->depth];

    w->depth--;
    if (had)
        jw_indent(w);
    jw_raw(w, &c, 1);
    if (w->depth == 0)
        jw_raw(w, "\n", 1);
}

void jw_obj(struct jw *w, const char *key)
{
    jw_open(w, key, '{');
}
void jw_arr(struct jw *w, const char *key)
{
    jw_open(w, key, '[');
}
void jw_end_obj(struct jw *w)
{
    jw_close(w, '}');
}
void jw_end_arr(struct jw *w)
{
    jw_close(w, ']');
}

void jw_u(struct jw *w, const char *key, uint64_t v)
{
    char b[24];

    jw_key(w, key);
    snprintf(b, sizeof(b), "%llu", (unsigned long long)v);
    jw_puts(w, b);
}

void jw_i(struct jw *w, const char *key, long long v)
{
    char b[24];

    jw_key(w, key);
    snprintf(b, sizeof(b), "%lld", v);
    jw_puts(w, b);
}

void jw_opt(struct jw *w, const char *key, long long v)
{
    if (v < 0) {
        jw_key(w, key);
        jw_puts(w, "null");
    } else {
        jw_i(w, key, v);
    }
}

void jw_s(struct jw *w, const char *key, const char *v)
{
    jw_key(w, key);
    if (v)
        jw_string(w, v);
    else
        jw_puts(w, "null");
}

void jw_b(struct jw *w, const char *key, bool v)
{
    jw_key(w, key);
    jw_puts(w, v ? "true" : "false");
}

void jw_rights(struct jw *w, const char *key, unsigned rights)
{
    char rs[4];

    jw_s(w, key, gs_layout_rights_str(rights, rs));
}

void jw_hex(struct jw *w, const char *key, const uint8_t *b, unsigned n)
{
    char buf[GS_LAYOUT_PEEK * 2 + 1];

    for (unsigned i = 0; i < n && i < GS_LAYOUT_PEEK; i++)
        snprintf(buf + 2 * i, 3, "%02x", b[i]);
    buf[2 * (n < GS_LAYOUT_PEEK ? n : GS_LAYOUT_PEEK)] = '\0';
    jw_s(w, key, buf);
}
