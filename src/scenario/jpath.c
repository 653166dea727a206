/* SPDX-License-Identifier: MIT */
#include "jpath.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

void gs_jpath_push_key(struct gs_jpath *p, const char *key)
{
    if (p->n >= GS_JPATH_MAX) {
        p->dropped++;
        return;
    }
    p->c[p->n].key = key;
    p->c[p->n].index = 0;
    p->n++;
}

void gs_jpath_push_index(struct gs_jpath *p, size_t index)
{
    if (p->n >= GS_JPATH_MAX) {
        p->dropped++;
        return;
    }
    p->c[p->n].key = NULL;
    p->c[p->n].index = index;
    p->n++;
}

void gs_jpath_pop(struct gs_jpath *p)
{
    if (p->dropped)
        p->dropped--;
    else if (p->n)
        p->n--;
}

static bool is_ident(const char *s)
{
    if (!(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
        return false;
    for (s++; *s; s++)
        if (!(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9')))
            return false;
    return true;
}

/* Appends to buf[*at..n), keeping it NUL-terminated and never overflowing. */
static void put(char *buf, size_t n, size_t *at, const char *s)
{
    size_t l = strlen(s);

    if (*at + 1 >= n)
        return;
    if (l > n - 1 - *at)
        l = n - 1 - *at;
    memcpy(buf + *at, s, l);
    *at += l;
    buf[*at] = '\0';
}

char *gs_jpath_format(const struct gs_jcomp *c, unsigned nc, char *buf, size_t n)
{
    size_t at = 0;
    char tmp[32];

    if (n == 0)
        return buf;
    buf[0] = '\0';
    if (nc == 0) {
        put(buf, n, &at, "(top level)");
        return buf;
    }
    for (unsigned i = 0; i < nc; i++) {
        if (!c[i].key) {
            snprintf(tmp, sizeof(tmp), "[%zu]", c[i].index);
            put(buf, n, &at, tmp);
        } else if (is_ident(c[i].key)) {
            if (i)
                put(buf, n, &at, ".");
            put(buf, n, &at, c[i].key);
        } else {
            put(buf, n, &at, "[\"");
            for (const unsigned char *s = (const unsigned char *)c[i].key; *s; s++) {
                if (*s == '"' || *s == '\\') {
                    tmp[0] = '\\';
                    tmp[1] = (char)*s;
                    tmp[2] = '\0';
                } else if (*s < 0x20) {
                    snprintf(tmp, sizeof(tmp), "\\u%04x", *s);
                } else {
                    tmp[0] = (char)*s;
                    tmp[1] = '\0';
                }
                put(buf, n, &at, tmp);
            }
            put(buf, n, &at, "\"]");
        }
    }
    return buf;
}

void gs_jpath_linecol(const char *text, size_t len, size_t offset, unsigned *line, unsigned *col)
{
    unsigned l = 1, c = 1;

    if (offset > len)
        offset = len;
    for (size_t i = 0; i < offset; i++) {
        unsigned char ch = (unsigned char)text[i];
        if (ch == '\n') {
            l++;
            c = 1;
        } else if ((ch & 0xC0) != 0x80) {
            c++; /* count characters, not UTF-8 continuation bytes */
        }
    }
    *line = l;
    *col = c;
}

/* ---- the scanner ---- */

static size_t skip_ws(const char *t, size_t len, size_t i)
{
    while (i < len && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r'))
        i++;
    return i;
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Reads 4 hex digits at t[i..i+4); -1 if malformed or short. */
static long hex4(const char *t, size_t len, size_t i)
{
    long v = 0;

    if (i + 4 > len)
        return -1;
    for (size_t k = 0; k < 4; k++) {
        int h = hexval(t[i + k]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

/* Appends code point cp as UTF-8 to out (bounded; sets *over when it does not fit). */
static void put_utf8(char *out, size_t cap, size_t *n, bool *over, unsigned long cp)
{
    unsigned char b[4];
    size_t k;

    if (cp < 0x80) {
        b[0] = (unsigned char)cp;
        k = 1;
    } else if (cp < 0x800) {
        b[0] = (unsigned char)(0xC0 | (cp >> 6));
        b[1] = (unsigned char)(0x80 | (cp & 0x3F));
        k = 2;
    } else if (cp < 0x10000) {
        b[0] = (unsigned char)(0xE0 | (cp >> 12));
        b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (unsigned char)(0x80 | (cp & 0x3F));
        k = 3;
    } else {
        b[0] = (unsigned char)(0xF0 | (cp >> 18));
        b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (unsigned char)(0x80 | (cp & 0x3F));
        k = 4;
    }
    if (*n + k > cap) {
        *over = true;
        return;
    }
    memcpy(out + *n, b, k);
    *n += k;
}

/*
 * Scans the string starting at t[*i] == '"', decoding it into out (when out
 * is not NULL). On success *i is just past the closing quote. Returns false
 * for malformed text (then *i is unspecified but <= len).
 */
static bool scan_string(const char *t, size_t len, size_t *i, char *out, size_t cap, size_t *outlen,
                        bool *over)
{
    size_t k = *i, n = 0;

    if (k >= len || t[k] != '"')
        return false;
    k++;
    while (k < len) {
        char ch = t[k];
        if (ch == '"') {
            *i = k + 1;
            if (outlen)
                *outlen = n;
            return true;
        }
        if (ch == '\\') {
            unsigned long cp;
            if (k + 1 >= len)
                return false;
            switch (t[k + 1]) {
            case '"':
            case '\\':
            case '/':
                cp = (unsigned char)t[k + 1];
                break;
            case 'b':
                cp = '\b';
                break;
            case 'f':
                cp = '\f';
                break;
            case 'n':
                cp = '\n';
                break;
            case 'r':
                cp = '\r';
                break;
            case 't':
                cp = '\t';
                break;
            case 'u': {
                long h = hex4(t, len, k + 2);
                if (h < 0)
                    return false;
                cp = (unsigned long)h;
                k += 4;
                if (cp >= 0xD800 && cp < 0xDC00 && k + 7 < len && t[k + 2] == '\\' &&
                    t[k + 3] == 'u') {
                    long lo = hex4(t, len, k + 4);
                    if (lo >= 0xDC00 && lo < 0xE000) {
                        cp = 0x10000 + ((cp - 0xD800) << 10) + ((unsigned long)lo - 0xDC00);
                        k += 6;
                    }
                }
                break;
            }
            default:
                return false;
            }
            if (out)
                put_utf8(out, cap, &n, over, cp);
            k += 2;
            continue;
        }
        if (out) {
            if (n < cap)
                out[n++] = ch;
            else
                *over = true;
        }
        k++;
    }
    return false;
}

/* Skips one value (any nesting, iteratively). Returns false on malformed text. */
static bool skip_value(const char *t, size_t len, size_t *i)
{
    size_t k = skip_ws(t, len, *i);
    unsigned long depth = 0;

    if (k >= len)
        return false;
    do {
        k = skip_ws(t, len, k);
        if (k >= len)
            return false;
        if (t[k] == '"') {
            if (!scan_string(t, len, &k, NULL, 0, NULL, NULL))
                return false;
        } else if (t[k] == '{' || t[k] == '[') {
            depth++;
            k++;
        } else if (t[k] == '}' || t[k] == ']') {
            if (depth == 0)
                return false;
            depth--;
            k++;
        } else if (t[k] == ',' || t[k] == ':') {
            if (depth == 0)
                return false;
            k++;
        } else {
            /* A scalar: up to the next delimiter. */
            size_t s = k;
            while (k < len && t[k] != ',' && t[k] != ']' && t[k] != '}' && t[k] != ':' &&
                   t[k] != ' ' && t[k] != '\t' && t[k] != '\n' && t[k] != '\r' && t[k] != '"' &&
                   t[k] != '[' && t[k] != '{')
                k++;
            if (k == s)
                return false;
        }
    } while (depth > 0);
    *i = k;
    return true;
}

/* Does memo component k equal c? */
static bool memo_comp_eq(const struct gs_jpath_memo *m, unsigned k, const struct gs_jcomp *c)
{
    if (!c->key)
        return !m->c[k].is_key && m->c[k].index == c->index;
    return m->c[k].is_key && strcmp(m->c[k].key, c->key) == 0;
}

/* Line and column of offset, counting on from the memo's last position when it is not past it. */
static void memo_linecol(const char *text, size_t len, size_t offset, struct gs_jpath_memo *m,
                         unsigned *line, unsigned *col)
{
    unsigned l = 1, c = 1;
    size_t i = 0;

    if (offset > len)
        offset = len;
    if (m && m->lc_line && m->lc_off <= offset) {
        i = m->lc_off;
        l = m->lc_line;
        c = m->lc_col;
    }
    for (; i < offset; i++) {
        unsigned char ch = (unsigned char)text[i];
        if (ch == '\n') {
            l++;
            c = 1;
        } else if ((ch & 0xC0) != 0x80) {
            c++; /* count characters, not UTF-8 continuation bytes */
        }
    }
    if (m) {
        m->lc_off = offset;
        m->lc_line = l;
        m->lc_col = c;
    }
    *line = l;
    *col = c;
}

bool gs_jpath_locate_memo(const char *text, size_t len, const struct gs_jcomp *c, unsigned nc,
                          bool at_key, struct gs_jpath_memo *m, struct gs_jpos *out)
{
    /* Along the path (as deep as a memo goes): where each value and each key starts. */
    size_t voff[GS_JPATH_MEMO_DEPTH + 1], koff[GS_JPATH_MEMO_DEPTH];
    size_t i = skip_ws(text, len, 0), best, ks = 0, deep;
    unsigned depth = 0, memo_n;
    bool resume_elem = false, from_memo;
    char key[256];

    if (m && (m->text != text || m->len != len)) {
        memset(m, 0, sizeof(*m));
        m->text = text;
        m->len = len;
    }
    voff[0] = i;
    if (m && m->n > 0) {
        /* The longest prefix shared with the memo: its value is where the memo found it. */
        while (depth < m->n && depth < nc && memo_comp_eq(m, depth, &c[depth]))
            depth++;
        memcpy(voff, m->off, (depth + 1) * sizeof(voff[0]));
        memcpy(koff, m->koff, depth * sizeof(koff[0]));
        i = voff[depth];
        /* The next component: a later element of the array the memo went into. */
        if (depth < nc && depth < m->n && !c[depth].key && !m->c[depth].is_key &&
            m->c[depth].index < c[depth].index)
            resume_elem = true;
    }
    from_memo = depth == nc;
    deep = i; /* the start of the deepest value found */
    while (depth < nc && i < len) {
        bool found = false;
        if (c[depth].key && text[i] == '{') {
            size_t want = strlen(c[depth].key);
            i++;
            for (;;) {
                size_t klen = 0;
                bool over = false;
                i = skip_ws(text, len, i);
                if (i >= len || text[i] != '"')
                    break;
                ks = i;
                if (!scan_string(text, len, &i, key, sizeof(key), &klen, &over))
                    break;
                i = skip_ws(text, len, i);
                if (i >= len || text[i] != ':')
                    break;
                i = skip_ws(text, len, i + 1);
                if (!over && klen == want && memcmp(key, c[depth].key, klen) == 0) {
                    found = true;
                    break;
                }
                if (!skip_value(text, len, &i))
                    break;
                i = skip_ws(text, len, i);
                if (i >= len || text[i] != ',')
                    break;
                i++;
            }
        } else if (!c[depth].key && text[i] == '[') {
            size_t idx = 0;
            if (resume_elem) {
                idx = m->c[depth].index;
                i = m->off[depth + 1];
            } else {
                i++;
            }
            for (;;) {
                i = skip_ws(text, len, i);
                if (i >= len || text[i] == ']')
                    break;
                if (idx == c[depth].index) {
                    found = true;
                    break;
                }
                if (!skip_value(text, len, &i))
                    break;
                i = skip_ws(text, len, i);
                if (i >= len || text[i] != ',')
                    break;
                i++;
                idx++;
            }
        }
        resume_elem = false;
        if (!found)
            break;
        if (depth < GS_JPATH_MEMO_DEPTH) {
            koff[depth] = ks;
            voff[depth + 1] = i;
        }
        deep = i;
        depth++;
    }
    /* The value found deepest (or, with at_key, the key of a last component found). */
    best = deep;
    if (at_key && depth == nc && nc > 0 && c[nc - 1].key)
        best = nc - 1 < GS_JPATH_MEMO_DEPTH ? koff[nc - 1] : ks;
    /* A path inside the memo's keeps the memo (it goes deeper). */
    if (m && !from_memo) {
        memo_n = depth < GS_JPATH_MEMO_DEPTH ? depth : GS_JPATH_MEMO_DEPTH;
        for (unsigned k = 0; k < memo_n; k++) {
            m->c[k].is_key = c[k].key != NULL;
            m->c[k].index = c[k].index;
            if (c[k].key) {
                size_t kl = strlen(c[k].key);
                if (kl >= GS_JPATH_MEMO_KEY) {
                    memo_n = k;
                    break;
                }
                memcpy(m->c[k].key, c[k].key, kl + 1);
            }
        }
        memcpy(m->off, voff, (memo_n + 1) * sizeof(voff[0]));
        memcpy(m->koff, koff, memo_n * sizeof(koff[0]));
        m->n = memo_n;
    }
    if (out) {
        out->offset = best;
        out->depth = depth;
        memo_linecol(text, len, best, m, &out->line, &out->col);
    }
    return depth == nc;
}

bool gs_jpath_locate(const char *text, size_t len, const struct gs_jcomp *c, unsigned nc,
                     bool at_key, struct gs_jpos *out)
{
    return gs_jpath_locate_memo(text, len, c, nc, at_key, NULL, out);
}
