/* SPDX-License-Identifier: MIT */
/*
 * Scenario loading and validation (scenarios/README.md is the manual).
 *
 * jansson parses the text (and reports syntax errors with a position); this
 * file walks the resulting tree with a JSON path kept alongside. The keys
 * of every object, their types, ranges and constant defaults come from the
 * format's table (keys.h, which scenarios/schema.json is generated from);
 * the rules no table states (geometry, alignment, names that must exist,
 * keys that exclude each other) are checked here by code. Each error is
 * formatted once, with the position gs_jpath_locate() finds for the path, as
 *
 *   FILE:LINE:COL: PATH: expected WHAT, got VALUE
 *
 * A case is a JSON Merge Patch (RFC 7386) over the file: its keys are merged
 * into a copy of the document before validation, and an error is located in
 * the case when the case holds the offending value, else in the base.
 */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "jpath.h"
#include "keys.h"
#include "scn_internal.h"

#define MAX_FILE_BYTES (16u << 20) /* scenario, ELF and TBF files */
#define MAX_NAME       GS_SCN_MAX_NAME

struct gs_scn_file {
    char *path;
    char *dir; /* directory of path ("." if none), for relative app files */
    char *text;
    size_t len;
    json_t *root;
    unsigned ncases;
    json_t **cases;   /* borrowed from root */
    const char **ids; /* borrowed */
};

/* A step argument naming another process, resolved once all are known. */
struct pending {
    struct gs_scn_value *v;
    char *name;
    unsigned line, col; /* of the "of" value */
    char path[160];
    bool script; /* the base needs a script process */
};

struct ld {
    const struct gs_scn_file *f;
    int ci; /* case index, -1 for the base document */
    struct gs_jpath path;
    struct gs_scn_err *err;
    bool failed;
    bool oom;
    struct gs_scenario *s;
    struct gs_scn_arena *a;
    const struct gs_scn_opts *o;
    struct pending *pend;
    unsigned npend, cappend;
    struct gs_scn_check *checks;
    unsigned nchecks, capchecks;
    /* Where the last paths were found, in the base and in the case (locate()). */
    struct gs_jpath_memo memo[2];
};

enum { ABSENT = 0, GOOD = 1, BAD = -1 };

/* ---------------------------------------------------------------- errors */

/*
 * Locates the current path (in the case when the case holds it). The memos
 * make locating the paths of a file in order linear in its size (each
 * search resumes where the previous one of the same kind was found).
 */
static void locate(struct ld *l, bool at_key, unsigned *line, unsigned *col, char *path, size_t pn)
{
    const struct gs_scn_file *f = l->f;
    struct gs_jcomp full[GS_JPATH_MAX + 2];
    struct gs_jpos pb, pc;
    unsigned n = l->path.n;
    bool fb, in_case = false;

    if (!f->text) { /* built in memory (gs_scn_file_from_json): no positions */
        *line = *col = 0;
        gs_jpath_format(l->path.c, n, path, pn);
        return;
    }
    fb = gs_jpath_locate_memo(f->text, f->len, l->path.c, n, at_key, &l->memo[0], &pb);
    if (l->ci >= 0) {
        bool fc;
        full[0].key = "cases";
        full[0].index = 0;
        full[1].key = NULL;
        full[1].index = (size_t)l->ci;
        memcpy(full + 2, l->path.c, n * sizeof(full[0]));
        fc = gs_jpath_locate_memo(f->text, f->len, full, n + 2, at_key, &l->memo[1], &pc);
        if (fc || (!fb && pc.depth >= 2 && pc.depth - 2 > pb.depth))
            in_case = true;
    }
    if (in_case) {
        *line = pc.line;
        *col = pc.col;
        gs_jpath_format(full, n + 2, path, pn);
    } else {
        *line = pb.line;
        *col = pb.col;
        gs_jpath_format(l->path.c, n, path, pn);
    }
}

/* Records the first error, at the current path (at its key with at_key). Returns false. */
static bool failv(struct ld *l, bool at_key, const char *fmt, va_list ap)
{
    struct gs_scn_err *e = l->err;
    char what[768];
    unsigned line, col;

    if (l->failed)
        return false;
    l->failed = true;
    if (!e)
        return false;
    vsnprintf(what, sizeof(what), fmt, ap);
    locate(l, at_key, &line, &col, e->path, sizeof(e->path));
    e->line = line;
    e->col = col;
    snprintf(e->msg, sizeof(e->msg), "%s:%u:%u: %s: %s", l->f->path, line, col, e->path, what);
    return false;
}

static bool fail(struct ld *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool fail(struct ld *l, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    failv(l, false, fmt, ap);
    va_end(ap);
    return false;
}

static bool fail_key(struct ld *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool fail_key(struct ld *l, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    failv(l, true, fmt, ap);
    va_end(ap);
    return false;
}

static bool oom(struct ld *l)
{
    if (!l->oom) {
        l->oom = true;
        fail(l, "out of host memory");
    }
    return false;
}

/* "FILE:LINE:COL: PATH" of the current path, in the arena (for checks). */
static const char *where(struct ld *l)
{
    char path[160];
    unsigned line, col;
    char *w;

    if (l->o && l->o->no_positions) {
        /* Generated files (fuzzers): the JSON path only, no line:column search. */
        gs_jpath_format(l->path.c, l->path.n, path, sizeof(path));
        w = gs_arena_printf(l->a, "%s: %s", l->f->path, path);
        if (!w)
            oom(l);
        return w ? w : "?";
    }
    locate(l, false, &line, &col, path, sizeof(path));
    w = gs_arena_printf(l->a, "%s:%u:%u: %s", l->f->path, line, col, path);
    if (!w)
        oom(l);
    return w ? w : "?";
}

/* A short text of a JSON value for "got ...". */
static void got(const json_t *v, char *buf, size_t n)
{
    char *d;

    if (!v) {
        snprintf(buf, n, "nothing");
        return;
    }
    if (json_is_object(v)) {
        snprintf(buf, n, "an object");
        return;
    }
    if (json_is_array(v)) {
        snprintf(buf, n, "an array");
        return;
    }
    d = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    if (!d) {
        snprintf(buf, n, "a value");
        return;
    }
    if (strlen(d) > 60)
        snprintf(buf, n, "%.57s...", d);
    else
        snprintf(buf, n, "%s", d);
    free(d);
}

#define GOT(v) got_buf(v, (char[96]){0}, 96)
static const char *got_buf(const json_t *v, char *buf, size_t n)
{
    got(v, buf, n);
    return buf;
}

/* ------------------------------------------------------------ key checks */

static size_t min3(size_t a, size_t b, size_t c)
{
    return a < b ? (a < c ? a : c) : (b < c ? b : c);
}

/* Levenshtein distance of two short strings (bounded: longer ones give a large value). */
static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), row[40];

    if (la >= 39 || lb >= 39)
        return 99;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t prev = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t cur = row[j];
            row[j] = min3(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] != b[j - 1]));
            prev = cur;
        }
    }
    return row[lb];
}

/* Is every character of a found in b, in order (an abbreviation)? */
static bool subsequence(const char *a, const char *b)
{
    for (; *a && *b; b++)
        if (*a == *b)
            a++;
    return *a == '\0';
}

/* The key `name` of o. The loader asks only for keys its table has. */
static const struct gs_scn_key *key(const struct gs_scn_obj *o, const char *name)
{
    const struct gs_scn_key *k = gs_scn_key_find(o, name);

    if (!k) {
        /* A programming error (a key renamed in keys.c, not here): every test loading o finds it. */
        fprintf(stderr, "grantsim: internal error: the table of %s has no key \"%s\"\n", o->name,
                name);
        abort();
    }
    return k;
}

/* "a, b, c": the keys of o allowed in variant v. */
static void join(const struct gs_scn_obj *o, int v, char *buf, size_t n)
{
    size_t at = 0;

    buf[0] = '\0';
    for (unsigned i = 0; i < o->nkeys && at + 1 < n; i++) {
        int w;
        if (!gs_scn_key_in(&o->keys[i], v))
            continue;
        w = snprintf(buf + at, n - at, "%s%s", at ? ", " : "", o->keys[i].name);
        if (w < 0)
            break;
        at += (size_t)w;
    }
}

/* The allowed key nearest to a misspelt one, or NULL. */
static const char *suggest(const struct gs_scn_obj *o, int v, const char *key)
{
    const char *best = NULL;
    size_t bd = 99;

    for (unsigned i = 0; i < o->nkeys; i++) {
        size_t d;
        if (!gs_scn_key_in(&o->keys[i], v))
            continue;
        d = distance(key, o->keys[i].name);
        if (d < bd) {
            bd = d;
            best = o->keys[i].name;
        }
    }
    if (best && bd <= 2 && bd < strlen(key))
        return best;
    /* No near spelling: an abbreviation ("procs" for "processes")? */
    for (unsigned i = 0; i < o->nkeys; i++)
        if (gs_scn_key_in(&o->keys[i], v) && strlen(key) >= 3 && subsequence(key, o->keys[i].name))
            return o->keys[i].name;
    return NULL;
}

/*
 * obj must be an object whose keys are all keys of o (of its variant v, or
 * of any variant for v < 0). `what` names it in messages (NULL: o's noun).
 */
static bool check_object(struct ld *l, json_t *obj, const struct gs_scn_obj *o, int v,
                         const char *what)
{
    const char *key;
    json_t *x;

    if (!what)
        what = o->what;
    if (!json_is_object(obj))
        return fail(l, "expected %s (an object), got %s", what, GOT(obj));
    json_object_foreach(obj, key, x)
    {
        const struct gs_scn_key *k = gs_scn_key_find(o, key);
        if (!k || !gs_scn_key_in(k, v)) {
            char list[512], hint[96] = "";
            const char *best = suggest(o, v, key);
            if (best)
                snprintf(hint, sizeof(hint), " (did you mean \"%s\"?)", best);
            join(o, v, list, sizeof(list));
            gs_jpath_push_key(&l->path, key);
            fail_key(l, "unknown key \"%s\"%s; allowed keys in %s: %s", key, hint, what, list);
            gs_jpath_pop(&l->path);
            return false;
        }
    }
    return true;
}

/* A key the table marks required (its `need` says why) must be in obj. */
static bool require(struct ld *l, json_t *obj, const struct gs_scn_key *k)
{
    if (json_object_get(obj, k->name))
        return true;
    return fail(l, "missing key \"%s\" (%s)", k->name, k->need);
}

/* A key required here by a rule between keys (the table cannot say it). */
static bool require_for(struct ld *l, json_t *obj, const char *key, const char *what)
{
    if (json_object_get(obj, key))
        return true;
    return fail(l, "missing key \"%s\" (%s)", key, what);
}

/* --------------------------------------------------------------- numbers */

/* A number: a JSON integer, or a "0x..." (or "-0x...") string. */
static bool get_number(struct ld *l, json_t *v, bool *neg, uint64_t *mag, const char *what)
{
    if (json_is_integer(v)) {
        json_int_t x = json_integer_value(v);
        *neg = x < 0;
        *mag = x < 0 ? (uint64_t)(-(x + 1)) + 1 : (uint64_t)x;
        return true;
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        size_t n = json_string_length(v), i = 0, digits = 0;
        uint64_t m = 0;
        bool ng = false, ok = true;
        if (i < n && s[i] == '-') {
            ng = true;
            i++;
        }
        if (i + 2 > n || s[i] != '0' || (s[i + 1] != 'x' && s[i + 1] != 'X'))
            ok = false;
        for (i += 2; ok && i < n; i++) {
            int h = (s[i] >= '0' && s[i] <= '9')   ? s[i] - '0'
                    : (s[i] >= 'a' && s[i] <= 'f') ? s[i] - 'a' + 10
                    : (s[i] >= 'A' && s[i] <= 'F') ? s[i] - 'A' + 10
                                                   : -1;
            if (h < 0 || m > (UINT64_MAX >> 4)) {
                ok = false;
                break;
            }
            m = m * 16 + (uint64_t)h;
            digits++;
        }
        if (ok && digits > 0) {
            *neg = ng && m != 0;
            *mag = m;
            return true;
        }
    }
    if (json_is_real(v))
        return fail(l, "expected %s (an integer, or a \"0x...\" string), got %s: not an integer",
                    what, GOT(v));
    return fail(l, "expected %s (an integer, or a \"0x...\" string), got %s", what, GOT(v));
}

static void fmt_num(uint64_t x, char *buf, size_t n)
{
    if (x > 4096)
        snprintf(buf, n, "0x%llx", (unsigned long long)x);
    else
        snprintf(buf, n, "%llu", (unsigned long long)x);
}

static bool num_u64(struct ld *l, json_t *v, uint64_t min, uint64_t max, uint64_t *out,
                    const char *what)
{
    bool neg;
    uint64_t m;
    char a[32], b[32], c[40];

    if (!get_number(l, v, &neg, &m, what))
        return false;
    if (neg || m < min || m > max) {
        fmt_num(min, a, sizeof(a));
        fmt_num(max, b, sizeof(b));
        if (neg)
            snprintf(c, sizeof(c), "-%llu", (unsigned long long)m);
        else
            fmt_num(m, c, sizeof(c));
        return fail(l, "expected %s from %s to %s, got %s", what, a, b, c);
    }
    *out = m;
    return true;
}

static bool num_u32(struct ld *l, json_t *v, uint32_t min, uint32_t max, uint32_t *out,
                    const char *what)
{
    uint64_t x;

    if (!num_u64(l, v, min, max, &x, what))
        return false;
    *out = (uint32_t)x;
    return true;
}

/* A 32-bit register value: -0x80000000 .. 0xFFFFFFFF, stored wrapping. */
static bool num_reg(struct ld *l, json_t *v, uint32_t *out, const char *what)
{
    bool neg;
    uint64_t m;

    if (!get_number(l, v, &neg, &m, what))
        return false;
    if ((neg && m > 0x80000000ull) || (!neg && m > 0xFFFFFFFFull))
        return fail(l, "expected %s from -0x80000000 to 0xffffffff (32 bits), got %s%s", what,
                    neg ? "-" : "", GOT(v));
    *out = neg ? (uint32_t)(0u - (uint32_t)m) : (uint32_t)m;
    return true;
}

static bool is_po2(uint64_t x)
{
    return x && !(x & (x - 1));
}

/*
 * Field helpers: obj[k->name] checked against key k of the table (its
 * range, names and noun), with the path pushed while it is checked.
 * Absent (obj may be NULL: an absent object), the output gets the key's
 * constant default if it has one and is otherwise left alone. Return
 * ABSENT, GOOD or BAD.
 */
static int fld_u64_upto(struct ld *l, json_t *obj, const struct gs_scn_key *k, uint64_t max,
                        uint64_t *out)
{
    json_t *v = json_object_get(obj, k->name);
    bool ok;

    if (!v) {
        if (k->flags & GS_KF_DEF)
            *out = k->dv;
        return ABSENT;
    }
    gs_jpath_push_key(&l->path, k->name);
    ok = num_u64(l, v, k->min, max, out, k->what);
    gs_jpath_pop(&l->path);
    return ok ? GOOD : BAD;
}

static int fld_u64(struct ld *l, json_t *obj, const struct gs_scn_key *k, uint64_t *out)
{
    return fld_u64_upto(l, obj, k, k->max, out);
}

/* A 32-bit one, up to max (below the table's when the board narrows it). */
static int fld_u32_upto(struct ld *l, json_t *obj, const struct gs_scn_key *k, uint32_t max,
                        uint32_t *out)
{
    uint64_t x = 0;
    int r = fld_u64_upto(l, obj, k, max, &x);

    if (r == GOOD || (r == ABSENT && (k->flags & GS_KF_DEF)))
        *out = (uint32_t)x;
    return r;
}

static int fld_u32(struct ld *l, json_t *obj, const struct gs_scn_key *k, uint32_t *out)
{
    return fld_u32_upto(l, obj, k, (uint32_t)(k->max > UINT32_MAX ? UINT32_MAX : k->max), out);
}

static int fld_uint(struct ld *l, json_t *obj, const struct gs_scn_key *k, unsigned *out)
{
    uint32_t x = 0;
    int r = fld_u32(l, obj, k, &x);

    if (r == GOOD || (r == ABSENT && (k->flags & GS_KF_DEF)))
        *out = x;
    return r;
}

static int fld_reg(struct ld *l, json_t *obj, const struct gs_scn_key *k, uint32_t *out)
{
    json_t *v = json_object_get(obj, k->name);
    bool ok;

    if (!v) {
        if (k->flags & GS_KF_DEF)
            *out = (uint32_t)k->dv;
        return ABSENT;
    }
    gs_jpath_push_key(&l->path, k->name);
    ok = num_reg(l, v, out, k->what);
    gs_jpath_pop(&l->path);
    return ok ? GOOD : BAD;
}

static int fld_bool(struct ld *l, json_t *obj, const struct gs_scn_key *k, bool *out)
{
    json_t *v = json_object_get(obj, k->name);

    if (!v) {
        if (k->flags & GS_KF_DEF)
            *out = k->dv != 0;
        return ABSENT;
    }
    if (!json_is_boolean(v)) {
        gs_jpath_push_key(&l->path, k->name);
        fail(l, "expected true or false, got %s", GOT(v));
        gs_jpath_pop(&l->path);
        return BAD;
    }
    *out = json_is_true(v);
    return GOOD;
}

static int fld_str(struct ld *l, json_t *obj, const struct gs_scn_key *k, const char **out)
{
    json_t *v = json_object_get(obj, k->name);

    if (!v) {
        if (k->flags & GS_KF_DEF)
            *out = k->dstr;
        return ABSENT;
    }
    if (!json_is_string(v)) {
        gs_jpath_push_key(&l->path, k->name);
        fail(l, "expected %s (a string), got %s", k->what, GOT(v));
        gs_jpath_pop(&l->path);
        return BAD;
    }
    *out = json_string_value(v);
    return GOOD;
}

/* A string that must be one of names[0..n) (NULL entries are skipped). */
static bool enum_value(struct ld *l, json_t *v, const char *const *names, unsigned n, unsigned *out,
                       const char *what)
{
    char list[512];
    size_t at = 0;

    if (json_is_string(v)) {
        for (unsigned i = 0; i < n; i++) {
            if (names[i] && strcmp(names[i], json_string_value(v)) == 0) {
                *out = i;
                return true;
            }
        }
    }
    list[0] = '\0';
    for (unsigned i = 0; i < n && at + 1 < sizeof(list); i++) {
        int w;
        if (!names[i])
            continue;
        w = snprintf(list + at, sizeof(list) - at, "%s\"%s\"", at ? ", " : "", names[i]);
        if (w < 0)
            break;
        at += (size_t)w;
    }
    return fail(l, "expected %s: one of %s; got %s", what, list, GOT(v));
}

/* One of the key's names; *out is its index. */
static int fld_enum(struct ld *l, json_t *obj, const struct gs_scn_key *k, unsigned *out)
{
    json_t *v = json_object_get(obj, k->name);
    bool ok;

    if (!v) {
        if (k->flags & GS_KF_DEF)
            *out = (unsigned)k->dv;
        return ABSENT;
    }
    gs_jpath_push_key(&l->path, k->name);
    ok = enum_value(l, v, k->names, k->nnames, out, k->what);
    gs_jpath_pop(&l->path);
    return ok ? GOOD : BAD;
}

/* ------------------------------------------------------------------ files */

static char *dirname_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *d;

    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    d = malloc((size_t)(slash - path) + 1);
    if (d) {
        memcpy(d, path, (size_t)(slash - path));
        d[slash - path] = '\0';
    }
    return d;
}

/* Reads a whole file (at most MAX_FILE_BYTES). Returns 0 or an errno value. */
static int read_file(const char *path, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 0;

    if (!f)
        return errno ? errno : EIO;
    for (;;) {
        size_t r;
        if (n == cap) {
            char *nb;
            if (cap >= MAX_FILE_BYTES) {
                free(buf);
                fclose(f);
                return EFBIG;
            }
            cap = cap ? cap * 2 : 4096;
            nb = realloc(buf, cap + 1);
            if (!nb) {
                free(buf);
                fclose(f);
                return ENOMEM;
            }
            buf = nb;
        }
        r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0) {
            if (ferror(f)) {
                int e = errno ? errno : EIO;
                free(buf);
                fclose(f);
                return e;
            }
            break;
        }
    }
    fclose(f);
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}

static bool valid_case_id(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '.' || *s == '_' || *s == '-'))
            return false;
    return true;
}

/*
 * The case ids seen so far, for the duplicate check: an open-addressing hash
 * table of case indices (a file of small cases has thousands of ids, and
 * comparing each with every earlier one took seconds under the sanitizers).
 */
struct id_set {
    unsigned *slot; /* case index + 1; 0 = empty */
    size_t mask;
};

static size_t id_hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return (size_t)h;
}

static bool id_set_init(struct id_set *t, unsigned n)
{
    size_t cap = 16;

    while (cap < 2 * (size_t)n)
        cap *= 2;
    t->slot = calloc(cap, sizeof(*t->slot));
    t->mask = cap - 1;
    return t->slot != NULL;
}

/* Adds case i with id `id`; returns the index of an earlier case with that id, or -1. */
static long id_set_add(struct id_set *t, const char *const *ids, unsigned i, const char *id)
{
    size_t k = id_hash(id) & t->mask;

    while (t->slot[k]) {
        unsigned j = t->slot[k] - 1;
        if (strcmp(ids[j], id) == 0)
            return (long)j;
        k = (k + 1) & t->mask;
    }
    t->slot[k] = i + 1;
    return -1;
}

/* The checks that need no case: the top level, the version and the cases list. */
static bool check_file(struct ld *l, struct gs_scn_file *f)
{
    json_t *root = f->root, *ver, *cases;
    struct id_set seen = {NULL, 0};
    bool ok = false;

    if (!json_is_object(root))
        return fail(l, "expected a scenario (a JSON object with \"grantsim\": %d), got %s",
                    GS_SCN_VERSION, GOT(root));
    if (!check_object(l, root, &gs_scn_scenario, -1, NULL) ||
        !require(l, root, key(&gs_scn_scenario, "grantsim")))
        return false;
    ver = json_object_get(root, "grantsim");
    gs_jpath_push_key(&l->path, "grantsim");
    if (!json_is_integer(ver) || json_integer_value(ver) != GS_SCN_VERSION) {
        fail(l, "expected %d (the scenario format version this grantsim reads), got %s",
             GS_SCN_VERSION, GOT(ver));
        gs_jpath_pop(&l->path);
        return false;
    }
    gs_jpath_pop(&l->path);
    cases = json_object_get(root, "cases");
    if (!cases)
        return true;
    gs_jpath_push_key(&l->path, "cases");
    if (!json_is_array(cases) || json_array_size(cases) == 0) {
        fail(l, "expected a non-empty array of cases ({\"id\": ..., ...}), got %s", GOT(cases));
        gs_jpath_pop(&l->path);
        return false;
    }
    f->ncases = (unsigned)json_array_size(cases);
    f->cases = calloc(f->ncases, sizeof(*f->cases));
    f->ids = calloc(f->ncases, sizeof(*f->ids));
    if (!f->cases || !f->ids || !id_set_init(&seen, f->ncases)) {
        oom(l);
        goto out;
    }
    for (unsigned i = 0; i < f->ncases; i++) {
        json_t *c = json_array_get(cases, i);
        const char *id = NULL;
        long dup;
        gs_jpath_push_index(&l->path, i);
        if (!check_object(l, c, &gs_scn_case, -1, NULL) ||
            !require(l, c, key(&gs_scn_case, "id")) ||
            fld_str(l, c, key(&gs_scn_case, "id"), &id) != GOOD) {
            gs_jpath_pop(&l->path);
            goto out;
        }
        gs_jpath_push_key(&l->path, "id");
        if (!valid_case_id(id)) {
            fail(l, "expected a case id made of letters, digits, '.', '_' and '-', got %s",
                 GOT(json_object_get(c, "id")));
            goto bad;
        }
        f->ids[i] = id;
        dup = id_set_add(&seen, f->ids, i, id);
        if (dup >= 0) {
            fail(l, "case id \"%s\" is already used by cases[%ld]", id, dup);
            goto bad;
        }
        gs_jpath_pop(&l->path);
        if (json_object_get(c, "description") &&
            fld_str(l, c, key(&gs_scn_case, "description"), &(const char *){NULL}) != GOOD) {
            gs_jpath_pop(&l->path);
            goto out;
        }
        gs_jpath_pop(&l->path);
        f->cases[i] = c;
    }
    ok = true;
    goto out;
bad:
    gs_jpath_pop(&l->path);
    gs_jpath_pop(&l->path);
out:
    gs_jpath_pop(&l->path);
    free(seen.slot);
    return ok;
}

/* Validates a parsed file; *out = f on success, else f is freed. */
static int check_parsed(struct gs_scn_file *f, struct gs_scn_file **out, struct gs_scn_err *err)
{
    struct ld l;

    memset(&l, 0, sizeof(l));
    l.f = f;
    l.ci = -1;
    l.err = err;
    if (err)
        memset(err, 0, sizeof(*err));
    if (!check_file(&l, f)) {
        bool was_oom = l.oom;
        gs_scn_file_free(f);
        return was_oom ? GS_E_NOMEM_HOST : GS_E_ARG;
    }
    *out = f;
    return GS_OK;
}

static int file_from_text(const char *name, char *text, size_t len, struct gs_scn_file **out,
                          struct gs_scn_err *err)
{
    struct gs_scn_file *f = calloc(1, sizeof(*f));
    json_error_t je;

    if (!f) {
        free(text);
        return GS_E_NOMEM_HOST;
    }
    f->text = text;
    f->len = len;
    f->path = strdup(name);
    f->dir = dirname_of(name);
    if (!f->path || !f->dir) {
        gs_scn_file_free(f);
        return GS_E_NOMEM_HOST;
    }
    f->root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!f->root) {
        if (err) {
            unsigned line = je.line > 0 ? (unsigned)je.line : 1;
            unsigned col = je.column > 0 ? (unsigned)je.column : 1;
            memset(err, 0, sizeof(*err));
            err->line = line;
            err->col = col;
            if (len == 0)
                snprintf(err->msg, sizeof(err->msg),
                         "%s:1:1: the file is empty (expected a scenario object)", name);
            else
                snprintf(err->msg, sizeof(err->msg), "%s:%u:%u: invalid JSON: %s", name, line, col,
                         je.text);
        }
        gs_scn_file_free(f);
        return GS_E_ARG;
    }
    return check_parsed(f, out, err);
}

int gs_scn_file_from_json(const char *name, void *root, struct gs_scn_file **out,
                          struct gs_scn_err *err)
{
    struct gs_scn_file *f = calloc(1, sizeof(*f));

    if (!f) {
        json_decref(root);
        return GS_E_NOMEM_HOST;
    }
    f->root = root;
    f->path = strdup(name);
    f->dir = dirname_of(name);
    if (!f->path || !f->dir || !root) {
        gs_scn_file_free(f);
        return GS_E_NOMEM_HOST;
    }
    return check_parsed(f, out, err);
}

int gs_scn_file_open(const char *path, struct gs_scn_file **out, struct gs_scn_err *err)
{
    char *text = NULL;
    size_t len = 0;
    int e = read_file(path, &text, &len);

    if (e) {
        if (err) {
            memset(err, 0, sizeof(*err));
            if (e == EFBIG)
                snprintf(err->msg, sizeof(err->msg), "%s: too large (over %u MiB)", path,
                         MAX_FILE_BYTES >> 20);
            else
                snprintf(err->msg, sizeof(err->msg), "%s: cannot read: %s", path, strerror(e));
        }
        return e == ENOMEM ? GS_E_NOMEM_HOST : GS_E_ARG;
    }
    return file_from_text(path, text, len, out, err);
}

int gs_scn_file_from_string(const char *name, const char *text, size_t len,
                            struct gs_scn_file **out, struct gs_scn_err *err)
{
    char *copy = malloc(len + 1);

    if (!copy)
        return GS_E_NOMEM_HOST;
    memcpy(copy, text, len);
    copy[len] = '\0';
    return file_from_text(name, copy, len, out, err);
}

void gs_scn_file_free(struct gs_scn_file *f)
{
    if (!f)
        return;
    json_decref(f->root);
    free(f->cases);
    free(f->ids);
    free(f->text);
    free(f->path);
    free(f->dir);
    free(f);
}

unsigned gs_scn_file_ncases(const struct gs_scn_file *f)
{
    return f->ncases;
}

const char *gs_scn_file_case_id(const struct gs_scn_file *f, unsigned i)
{
    return i < f->ncases ? f->ids[i] : NULL;
}

int gs_scn_file_find_case(const struct gs_scn_file *f, const char *id)
{
    for (unsigned i = 0; i < f->ncases; i++)
        if (strcmp(f->ids[i], id) == 0)
            return (int)i;
    return -1;
}

const char *gs_scn_file_path(const struct gs_scn_file *f)
{
    return f->path;
}

/* Is o a relative value ({"ram": N}, ...)? Those are replaced whole by a case. */
static bool is_value_object(json_t *o)
{
    const struct gs_scn_obj *vo = &gs_scn_value_obj;

    for (unsigned i = 0; i < vo->nkeys; i++)
        if ((vo->keys[i].flags & GS_KF_ONE_OF) && json_object_get(o, vo->keys[i].name))
            return true;
    return false;
}

/*
 * RFC 7386 JSON Merge Patch: returns the merged value (a new reference). One
 * refinement: a relative value ({"ram": N}, ...) in the patch replaces the
 * target's value instead of merging into it (so {"end": -4} over {"ram": 8}
 * does not become an object with two bases).
 */
static json_t *merge_patch(json_t *target, json_t *patch)
{
    json_t *res;
    const char *key;
    json_t *v;

    if (!json_is_object(patch) || is_value_object(patch))
        return json_incref(patch);
    res = json_is_object(target) ? json_copy(target) : json_object();
    if (!res)
        return NULL;
    json_object_foreach(patch, key, v)
    {
        if (json_is_null(v)) {
            json_object_del(res, key);
        } else {
            json_t *m = merge_patch(json_object_get(res, key), v);
            if (!m || json_object_set_new(res, key, m) != 0) {
                json_decref(res);
                return NULL;
            }
        }
    }
    return res;
}

/* ---------------------------------------------------------------- values */

/* The base a key of a relative value names (its name is the base's). */
static uint8_t base_of(const char *key)
{
    for (unsigned b = GS_SB_RAM; b <= GS_SB_TBF_END; b++)
        if (strcmp(gs_scn_base_name((enum gs_scn_base)b), key) == 0)
            return (uint8_t)b;
    return GS_SB_ABS;
}

static int find_proc(const struct gs_scenario *s, const char *name)
{
    for (unsigned i = 0; i < s->nprocs; i++)
        if (s->procs[i].name && strcmp(s->procs[i].name, name) == 0)
            return (int)i;
    return -1;
}

static void proc_names(const struct gs_scenario *s, char *buf, size_t n)
{
    size_t at = 0;

    buf[0] = '\0';
    for (unsigned i = 0; i < s->nprocs && at + 1 < n; i++) {
        int w;
        if (!s->procs[i].name)
            continue;
        w = snprintf(buf + at, n - at, "%s\"%s\"", at ? ", " : "", s->procs[i].name);
        if (w < 0)
            break;
        at += (size_t)w;
    }
}

static bool script_only_base(uint8_t b)
{
    return b == GS_SB_UPCALL || b == GS_SB_RESULT || b == GS_SB_BUF || b == GS_SB_DATA;
}

/*
 * A value: a number, or an object {"ram": N} (or flash, upcall, result,
 * buf, end) with an optional "of": NAME. `self` is the process the value
 * belongs to (-1 for board-wide values, which then need "of"). In steps
 * (defer) "of" names are resolved when every process is known.
 */
static bool parse_value(struct ld *l, json_t *v, int self, bool defer, struct gs_scn_value *out,
                        const char *what)
{
    const struct gs_scn_obj *vo = &gs_scn_value_obj;
    const struct gs_scn_key *bk = NULL;
    const char *key;
    json_t *x, *ofv;
    int nbase = 0;
    uint8_t base = GS_SB_ABS;
    const char *bkey = NULL;

    out->base = GS_SB_ABS;
    out->of = -1;
    out->v = 0;
    if (!json_is_object(v))
        return num_reg(l, v, &out->v, what);
    if (!check_object(l, v, vo, -1, NULL))
        return false;
    json_object_foreach(v, key, x)
    {
        const struct gs_scn_key *k = gs_scn_key_find(vo, key);
        if (k && (k->flags & GS_KF_ONE_OF)) {
            nbase++;
            base = base_of(key);
            bkey = key;
            bk = k;
        }
    }
    if (nbase != 1)
        return fail(l,
                    "expected %s relative to exactly one of \"ram\", \"flash\", \"upcall\", "
                    "\"result\", \"buf\", \"end\", \"data\", \"tbf\", \"tbf_end\"; got %d of "
                    "them",
                    what, nbase);
    gs_jpath_push_key(&l->path, bkey);
    x = json_object_get(v, bkey);
    if (bk->forms & GS_F_NUM) { /* a handler or step number */
        if (!num_u32(l, x, (uint32_t)bk->min, (uint32_t)bk->max, &out->v, bk->what))
            goto bad;
    } else if (!num_reg(l, x, &out->v, bk->what)) {
        goto bad;
    }
    gs_jpath_pop(&l->path);
    out->base = base;
    ofv = json_object_get(v, "of");
    if (ofv) {
        gs_jpath_push_key(&l->path, "of");
        if (!json_is_string(ofv)) {
            fail(l, "expected the name of a process, got %s", GOT(ofv));
            goto bad;
        }
        if (defer) {
            struct pending *p;
            if (l->npend == l->cappend) {
                unsigned cap = l->cappend ? 2 * l->cappend : 16;
                struct pending *np = realloc(l->pend, cap * sizeof(*np));
                if (!np) {
                    oom(l);
                    goto bad;
                }
                l->pend = np;
                l->cappend = cap;
            }
            p = &l->pend[l->npend++];
            p->v = out;
            p->name = gs_arena_strdup(l->a, json_string_value(ofv));
            locate(l, false, &p->line, &p->col, p->path, sizeof(p->path));
            p->script = script_only_base(base);
            if (!p->name) {
                oom(l);
                goto bad;
            }
        } else {
            char names[256];
            int i = find_proc(l->s, json_string_value(ofv));
            if (i < 0) {
                proc_names(l->s, names, sizeof(names));
                fail(l, "no process named %s (processes: %s)", GOT(ofv), names);
                goto bad;
            }
            if (script_only_base(base) && l->s->procs[i].src != GS_SRC_SCRIPT) {
                fail(l, "\"%s\" is an address in a script process; \"%s\" is not one",
                     gs_scn_base_name((enum gs_scn_base)base), l->s->procs[i].name);
                goto bad;
            }
            out->of = i;
        }
        gs_jpath_pop(&l->path);
    } else if (self < 0) {
        return fail(l, "expected %s: a value relative to a process needs \"of\": NAME", what);
    } else if (script_only_base(base) && l->s->procs[self].src != GS_SRC_SCRIPT) {
        return fail(l, "\"%s\" is an address in a script process; \"%s\" is not one",
                    gs_scn_base_name((enum gs_scn_base)base), l->s->procs[self].name);
    }
    return true;
bad:
    gs_jpath_pop(&l->path);
    return false;
}

/* A value at obj[k->name] (parse_value); absent, the key's default as a plain number. */
static int fld_value(struct ld *l, json_t *obj, const struct gs_scn_key *k, int self, bool defer,
                     struct gs_scn_value *out)
{
    json_t *v = json_object_get(obj, k->name);
    bool ok;

    if (!v) {
        if (k->flags & GS_KF_DEF) {
            out->base = GS_SB_ABS;
            out->of = -1;
            out->v = (uint32_t)k->dv;
        }
        return ABSENT;
    }
    gs_jpath_push_key(&l->path, k->name);
    ok = parse_value(l, v, self, defer, out, k->what);
    gs_jpath_pop(&l->path);
    return ok ? GOOD : BAD;
}

/* ----------------------------------------------------------------- board */

/* board.ram or board.flash ({"base", "size"}, kind o); absent: the table's defaults. */
static bool parse_region(struct ld *l, json_t *b, const char *name, const struct gs_scn_obj *o,
                         uint32_t *base, uint32_t *size)
{
    json_t *r = json_object_get(b, name);
    bool ok = false;
    uint32_t x;

    gs_jpath_push_key(&l->path, name);
    if (r && !check_object(l, r, o, -1, NULL))
        goto out;
    if (fld_u32(l, r, key(o, "base"), base) == BAD || fld_u32(l, r, key(o, "size"), size) == BAD)
        goto out;
    gs_jpath_push_key(&l->path, "base");
    if (*base % 1024) {
        fail(l, "expected a base address that is a multiple of 1 KiB (0x400), got 0x%x", *base);
        gs_jpath_pop(&l->path);
        goto out;
    }
    gs_jpath_pop(&l->path);
    gs_jpath_push_key(&l->path, "size");
    x = *size;
    if (x % 1024 || (uint64_t)*base + x > 0x100000000ull) {
        fail(l, "expected a size that is a multiple of 1 KiB and ends below 4 GiB, got 0x%x", x);
        gs_jpath_pop(&l->path);
        goto out;
    }
    gs_jpath_pop(&l->path);
    ok = true;
out:
    gs_jpath_pop(&l->path);
    return ok;
}

/* RAM, flash and the app areas in them: each region, then how they lie. */
static bool board_memory(struct ld *l, json_t *b, struct gs_board_config *c)
{
    const struct gs_scn_obj *o = &gs_scn_board;
    bool has_afs, has_ars;
    int r;

    if (!parse_region(l, b, "ram", &gs_scn_ram, &c->ram_base, &c->ram_size) ||
        !parse_region(l, b, "flash", &gs_scn_flash, &c->flash_base, &c->flash_size))
        return false;
    /* Defaults that follow the regions. */
    c->app_ram_start = c->ram_base;
    c->app_flash_start = c->flash_size > 0x30000 ? c->flash_base + 0x30000 : c->flash_base;
    if ((r = fld_u32(l, b, key(o, "app_flash_start"), &c->app_flash_start)) == BAD)
        return false;
    has_afs = r == GOOD;
    if ((r = fld_u32(l, b, key(o, "app_ram_start"), &c->app_ram_start)) == BAD)
        return false;
    has_ars = r == GOOD;
    if (c->ram_base < c->flash_base + (uint64_t)c->flash_size &&
        c->flash_base < c->ram_base + (uint64_t)c->ram_size) {
        gs_jpath_push_key(&l->path, "ram");
        fail(l, "RAM [0x%x, 0x%llx) overlaps flash [0x%x, 0x%llx)", c->ram_base,
             (unsigned long long)c->ram_base + c->ram_size, c->flash_base,
             (unsigned long long)c->flash_base + c->flash_size);
        gs_jpath_pop(&l->path);
        return false;
    }
    if (c->app_flash_start < c->flash_base || c->app_flash_start - c->flash_base >= c->flash_size ||
        c->app_flash_start % 1024) {
        gs_jpath_push_key(&l->path, has_afs ? "app_flash_start" : "flash");
        fail(l,
             "expected the app flash start (0x%x) inside flash [0x%x, 0x%llx) on a 1 KiB "
             "boundary",
             c->app_flash_start, c->flash_base, (unsigned long long)c->flash_base + c->flash_size);
        gs_jpath_pop(&l->path);
        return false;
    }
    if (c->app_ram_start < c->ram_base || c->app_ram_start - c->ram_base >= c->ram_size) {
        gs_jpath_push_key(&l->path, has_ars ? "app_ram_start" : "ram");
        fail(l, "expected the app RAM start (0x%x) inside RAM [0x%x, 0x%llx)", c->app_ram_start,
             c->ram_base, (unsigned long long)c->ram_base + c->ram_size);
        gs_jpath_pop(&l->path);
        return false;
    }
    return true;
}

/* A power-of-two check on obj[name] after its range check (the table's GS_KF_PO2). */
static bool po2_or_fail(struct ld *l, const char *name, uint32_t x, const char *fmt)
{
    if (is_po2(x))
        return true;
    gs_jpath_push_key(&l->path, name);
    fail(l, fmt, x);
    gs_jpath_pop(&l->path);
    return false;
}

/* The kernel's configuration: profile, process slots and the process struct. */
static bool board_kernel(struct ld *l, json_t *b, struct gs_kernel_config *k)
{
    const struct gs_scn_obj *o = &gs_scn_board;
    unsigned u = 0;
    int r = ABSENT;

    if (fld_enum(l, b, key(o, "profile"), &u) == BAD)
        return false;
    k->profile = u == 1 ? GS_PROFILE_2_2 : GS_PROFILE_HEAD;
    if (fld_uint(l, b, key(o, "num_procs"), &k->num_procs) == BAD ||
        fld_u32(l, b, key(o, "pcb_size"), &k->pcb_size) == BAD ||
        (r = fld_u32(l, b, key(o, "pcb_align"), &k->pcb_align)) == BAD)
        return false;
    return r != GOOD || po2_or_fail(l, "pcb_align", k->pcb_align,
                                    "expected an alignment that is a power of two, got %u");
}

/* board.mpu; absent: the table's defaults. */
static bool board_mpu(struct ld *l, json_t *b, struct gs_scenario *s)
{
    const struct gs_scn_obj *o = &gs_scn_mpu;
    struct gs_kernel_config *k = &s->board.kernel;
    json_t *m = json_object_get(b, "mpu");
    bool ok = false;
    unsigned u = 0;
    int r;

    gs_jpath_push_key(&l->path, "mpu");
    if ((m && !check_object(l, m, o, -1, NULL)) || fld_enum(l, m, key(o, "model"), &u) == BAD ||
        fld_bool(l, m, key(o, "enforce"), &s->enforce_mpu) == BAD)
        goto out;
    if ((r = fld_uint(l, m, key(o, "regions"), &k->mpu_regions)) == BAD)
        goto out;
    if (r == GOOD && k->mpu_regions != 8 && k->mpu_regions != 16) {
        gs_jpath_push_key(&l->path, "regions");
        fail(l, "expected 8 (Cortex-M3/M4) or 16 (Cortex-M7) MPU regions, got %u", k->mpu_regions);
        gs_jpath_pop(&l->path);
        goto out;
    }
    if ((r = fld_u32(l, m, key(o, "min_region_size"), &k->mpu_min_region_size)) == BAD)
        goto out;
    ok = r != GOOD || po2_or_fail(l, "min_region_size", k->mpu_min_region_size,
                                  "expected a power of two (32, or 256 for a Cortex-M0+), got %u");
out:
    gs_jpath_pop(&l->path);
    return ok;
}

/* board.inject: the kernel's fault injection counters (kernel.h). */
static bool board_inject(struct ld *l, json_t *b, struct gs_scenario *s)
{
    const struct gs_scn_obj *o = &gs_scn_inject;
    json_t *in = json_object_get(b, "inject");
    bool ok;

    gs_jpath_push_key(&l->path, "inject");
    ok = (!in || check_object(l, in, o, -1, NULL)) &&
         fld_u32(l, in, key(o, "grant_alloc_at"), &s->inject_grant_alloc_at) != BAD &&
         fld_u32(l, in, key(o, "mpu_region_at"), &s->inject_mpu_region_at) != BAD;
    gs_jpath_pop(&l->path);
    return ok;
}

/* The board (b may be NULL: every key takes its default). */
static bool parse_board(struct ld *l, json_t *b)
{
    const struct gs_scn_obj *o = &gs_scn_board;
    struct gs_scenario *s = l->s;
    struct gs_board_config *c = &s->board;
    unsigned u = 0;
    bool ok = false;

    gs_board_config_default(c);
    gs_jpath_push_key(&l->path, "board");
    if (b && !check_object(l, b, o, -1, NULL))
        goto out;
    if (!board_memory(l, b, c) || !board_kernel(l, b, &c->kernel) || !board_mpu(l, b, s))
        goto out;
    if (fld_enum(l, b, key(o, "fault_policy"), &u) == BAD)
        goto out;
    s->policy = (enum gs_fault_policy)u;
    if (fld_uint(l, b, key(o, "fault_threshold"), &s->threshold) == BAD ||
        fld_u64(l, b, key(o, "timeslice"), &c->timeslice) == BAD ||
        fld_u64(l, b, key(o, "max_instructions"), &s->max_instructions) == BAD ||
        fld_u64(l, b, key(o, "max_time_us"), &s->max_time_us) == BAD ||
        fld_u64(l, b, key(o, "clock_hz"), &s->clock_hz) == BAD ||
        fld_u64(l, b, key(o, "rng_seed"), &s->rng_seed) == BAD ||
        fld_bool(l, b, key(o, "inline_svc"), &c->inline_svc) == BAD || !board_inject(l, b, s))
        goto out;
    ok = true;
out:
    gs_jpath_pop(&l->path);
    return ok;
}

/* --------------------------------------------------------------- drivers */

/* A test driver's grant shape (g may be NULL: the table's defaults). */
static bool parse_shape(struct ld *l, json_t *g, struct gs_grant_shape *sh)
{
    const struct gs_scn_obj *o = &gs_scn_shape;
    bool ok = false;

    gs_jpath_push_key(&l->path, "grant");
    if (g && !check_object(l, g, o, -1, NULL))
        goto out;
    if (fld_u32(l, g, key(o, "t_size"), &sh->t_size) == BAD ||
        fld_u32(l, g, key(o, "t_align"), &sh->t_align) == BAD ||
        fld_u32(l, g, key(o, "upcalls"), &sh->n_upcalls) == BAD ||
        fld_u32(l, g, key(o, "ro"), &sh->n_ro) == BAD ||
        fld_u32(l, g, key(o, "rw"), &sh->n_rw) == BAD)
        goto out;
    if (!po2_or_fail(l, "t_align", sh->t_align,
                     "expected an alignment that is a power of two from 1 to 65536, got %u"))
        goto out;
    if (sh->t_size % sh->t_align) {
        gs_jpath_push_key(&l->path, "t_size");
        fail(l,
             "expected a size of T that is a multiple of its alignment %u (as every Rust type's "
             "size is), got %u",
             sh->t_align, sh->t_size);
        gs_jpath_pop(&l->path);
        goto out;
    }
    if (!gs_grant_shape_valid(sh)) {
        fail(l, "the grant shape is not one the kernel can lay out");
        goto out;
    }
    ok = true;
out:
    gs_jpath_pop(&l->path);
    return ok;
}

/* A JSON string's bytes (NULs included) in the arena; false after a message. */
static bool arena_bytes(struct ld *l, json_t *str, const char **out, uint32_t *len)
{
    size_t n = json_string_length(str);
    char *b = gs_arena_alloc(l->a, n + 1);

    if (!b)
        return oom(l);
    memcpy(b, json_string_value(str), n);
    *out = b;
    *len = (uint32_t)n;
    return true;
}

/*
 * The console's "input": a string (a stream the sender holds from time 0
 * and hands over as reads want it), or [{"at": TIME, "bytes": "..."}, ...],
 * bursts that reach the UART at their times (kernel clock), in order.
 */
static bool parse_console_input(struct ld *l, json_t *v, struct gs_scn_driver *dr)
{
    const struct gs_scn_obj *io = &gs_scn_input;
    size_t n;
    bool ok = false;

    if (!v)
        return true;
    gs_jpath_push_key(&l->path, "input");
    if (json_is_string(v)) {
        ok = arena_bytes(l, v, &dr->input, &dr->input_len);
        goto out;
    }
    if (!json_is_array(v)) {
        fail(l,
             "expected console input: a string, or a list of {\"at\": TIME, \"bytes\": "
             "\"...\"}; got %s",
             GOT(v));
        goto out;
    }
    n = json_array_size(v);
    if (n > 4096) {
        fail(l, "expected at most 4096 inputs, got %zu", n);
        goto out;
    }
    dr->inputs = gs_arena_alloc(l->a, (n ? n : 1) * sizeof(*dr->inputs));
    if (!dr->inputs) {
        oom(l);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(v, i), *b;
        struct gs_console_input *in = &dr->inputs[i];
        const char *bytes;
        gs_jpath_push_index(&l->path, (unsigned)i);
        if (!json_is_object(e)) {
            fail(l, "expected an input ({\"at\": TIME, \"bytes\": \"...\"}), got %s", GOT(e));
            goto bad_i;
        }
        if (!check_object(l, e, io, -1, NULL) || !require(l, e, key(io, "at")) ||
            !require(l, e, key(io, "bytes")) || fld_u64(l, e, key(io, "at"), &in->at) == BAD ||
            fld_str(l, e, key(io, "bytes"), &bytes) == BAD)
            goto bad_i;
        if (i > 0 && in->at < dr->inputs[i - 1].at) {
            gs_jpath_push_key(&l->path, "at");
            fail(l, "expected inputs in order of time: %llu is before the previous input's %llu",
                 (unsigned long long)in->at, (unsigned long long)dr->inputs[i - 1].at);
            gs_jpath_pop(&l->path);
            goto bad_i;
        }
        b = json_object_get(e, "bytes");
        if (!arena_bytes(l, b, (const char **)&in->bytes, &in->len))
            goto bad_i;
        gs_jpath_pop(&l->path);
    }
    dr->ninputs = (unsigned)n;
    ok = true;
    goto out;
bad_i:
    gs_jpath_pop(&l->path);
out:
    gs_jpath_pop(&l->path);
    return ok;
}

/* A driver's number is its own (two drivers may not share one), its type one of a kind but test. */
static bool driver_unique(struct ld *l, json_t *d, unsigned i)
{
    const struct gs_scenario *s = l->s;
    const struct gs_scn_driver *dr = &s->drivers[i];

    for (unsigned j = 0; j < i; j++) {
        const struct gs_scn_driver *o = &s->drivers[j];
        if (o->num == dr->num) {
            gs_jpath_push_key(&l->path, json_object_get(d, "driver") ? "driver" : "type");
            fail(l, "driver number 0x%x is already used by drivers[%u] (%s)", dr->num, j,
                 gs_scn_driver_types[o->type]);
            gs_jpath_pop(&l->path);
            return false;
        }
        if (o->type == dr->type && dr->type != GS_SD_TEST) {
            gs_jpath_push_key(&l->path, "type");
            fail(l, "a board has at most one %s driver; drivers[%u] is one already",
                 gs_scn_driver_types[dr->type], j);
            gs_jpath_pop(&l->path);
            return false;
        }
    }
    return true;
}

/* The options of driver dr's type (the keys the table allows that type). */
static bool driver_options(struct ld *l, json_t *d, struct gs_scn_driver *dr, unsigned *ntest)
{
    const struct gs_scn_obj *o = &gs_scn_driver;
    struct gs_scenario *s = l->s;

    switch (dr->type) {
    case GS_SD_CONSOLE:
        return parse_console_input(l, json_object_get(d, "input"), dr) &&
               fld_u64(l, d, key(o, "latency"), &dr->latency) != BAD;
    case GS_SD_ALARM:
        dr->cpu_hz = s->clock_hz; /* the board's clock unless the driver says otherwise */
        return fld_u32(l, d, key(o, "frequency"), &dr->alarm_freq) != BAD &&
               fld_u64(l, d, key(o, "cpu_hz"), &dr->cpu_hz) != BAD;
    case GS_SD_LED:
        return fld_uint(l, d, key(o, "count"), &dr->led_count) != BAD;
    case GS_SD_RNG:
        dr->rng_seed = s->rng_seed;
        return fld_u64(l, d, key(o, "seed"), &dr->rng_seed) != BAD;
    case GS_SD_TEST:
        if (++*ntest > GS_BOARD_MAX_TEST)
            return fail(l, "a board has at most %u test drivers", GS_BOARD_MAX_TEST);
        return parse_shape(l, json_object_get(d, "grant"), &dr->shape) &&
               fld_bool(l, d, key(o, "check_t_bounds"), &dr->check_t_bounds) != BAD;
    default:
        return true;
    }
}

/* drivers[i]: its type, the keys that type allows, its number, its options. */
static bool parse_driver(struct ld *l, json_t *d, unsigned i, unsigned *ntest)
{
    const struct gs_scn_obj *o = &gs_scn_driver;
    const struct gs_scn_key *kt = key(o, "type"), *kn = key(o, "driver");
    struct gs_scn_driver *dr = &l->s->drivers[i];
    unsigned type;

    if (!json_is_object(d))
        return fail(l, "expected a driver (an object with a \"type\"), got %s", GOT(d));
    if (!require(l, d, kt) || fld_enum(l, d, kt, &type) != GOOD)
        return false;
    dr->type = (enum gs_scn_drv_type)type;
    if (!check_object(l, d, o, (int)type, type == GS_SD_TEST ? "a test driver" : "this driver"))
        return false;
    dr->num = kn->vdef[type];
    return fld_u32(l, d, kn, &dr->num) != BAD && driver_unique(l, d, i) &&
           driver_options(l, d, dr, ntest);
}

static bool parse_drivers(struct ld *l, json_t *arr)
{
    struct gs_scenario *s = l->s;
    unsigned ntest = 0;
    bool ok = false;

    if (!arr)
        return true;
    gs_jpath_push_key(&l->path, "drivers");
    if (!json_is_array(arr)) {
        fail(l, "expected an array of drivers ({\"type\": \"console\"}, ...), got %s", GOT(arr));
        goto out;
    }
    s->ndrivers = (unsigned)json_array_size(arr);
    if (s->ndrivers > key(&gs_scn_scenario, "drivers")->max) {
        fail(l, "expected at most %u drivers, got %u",
             (unsigned)key(&gs_scn_scenario, "drivers")->max, s->ndrivers);
        goto out;
    }
    s->drivers = gs_arena_alloc(l->a, s->ndrivers * sizeof(*s->drivers));
    if (!s->drivers) {
        oom(l);
        goto out;
    }
    for (unsigned i = 0; i < s->ndrivers; i++) {
        bool r;
        gs_jpath_push_index(&l->path, i);
        r = parse_driver(l, json_array_get(arr, i), i, &ntest);
        gs_jpath_pop(&l->path);
        if (!r)
            goto out;
    }
    ok = true;
out:
    gs_jpath_pop(&l->path);
    return ok;
}

static const struct gs_scn_driver *find_driver_type(const struct gs_scenario *s,
                                                    enum gs_scn_drv_type t)
{
    for (unsigned i = 0; i < s->ndrivers; i++)
        if (s->drivers[i].type == t)
            return &s->drivers[i];
    return NULL;
}

/* ----------------------------------------------------------------- steps */

/*
 * The step kinds: the svc class (or script op) each is, its arguments (an
 * object kind of the table), and the register each argument goes to, in the
 * table's order of its keys (-1: read by the kind's own code below).
 */
struct kindspec {
    const char *name;
    uint32_t kind;
    const struct gs_scn_obj *args;
    signed char reg[5];
};

static const struct kindspec kinds[] = {
    {"command", 2, &gs_scn_command, {0, 1, 2, 3}},
    {"subscribe", 1, &gs_scn_subscribe, {0, 1, 2, 3}},
    {"allow_rw", 3, &gs_scn_allow, {0, 1, 2, 3}},
    {"allow_ro", 4, &gs_scn_allow, {0, 1, 2, 3}},
    {"allow_ur", 7, &gs_scn_allow, {0, 1, 2, 3}},
    {"memop", 5, &gs_scn_memop, {-1, 1}},
    {"yield", 0, &gs_scn_yield, {-1, -1, -1, -1}},
    {"exit", 6, &gs_scn_exit, {-1, 1}},
    {"raw", 0, &gs_scn_raw, {-1, 0, 1, 2, 3}},
    {"store32", GS_SCRIPT_OP_STORE32, &gs_scn_store32, {0, 1}},
    {"fill8", GS_SCRIPT_OP_FILL8, &gs_scn_fill8, {0, 1, 2}},
    {"load32", GS_SCRIPT_OP_LOAD32, &gs_scn_load32, {0}},
    {"spin", GS_SCRIPT_OP_SPIN, &gs_scn_spin, {0}},
};

/* A register expectation: "Variant" or {"variant", "error", "r0".."r3"}. */
static bool parse_regs(struct ld *l, json_t *x, int self, bool defer, struct gs_scn_regs *out)
{
    const struct gs_scn_obj *o = &gs_scn_regs;
    const struct gs_scn_key *kv = key(o, "variant");
    unsigned u;
    static const char *const rk[] = {"r0", "r1", "r2", "r3"};

    memset(out, 0, sizeof(*out));
    out->present = true;
    out->where = where(l);
    if (json_is_string(x) && strcmp(json_string_value(x), "never") == 0) {
        out->never = true;
        return true;
    }
    if (json_is_string(x)) {
        if (!enum_value(l, x, kv->names, kv->nnames, &u, "a return variant (or \"never\")"))
            return false;
        out->has_variant = true;
        out->variant = (uint32_t)gs_scn_variant_from_name(kv->names[u]);
        return true;
    }
    if (!json_is_object(x))
        return fail(l,
                    "expected an expectation: a variant name (\"Success\"), \"never\", or an "
                    "object with \"variant\", \"error\", \"r0\"..\"r3\"; got %s",
                    GOT(x));
    if (!check_object(l, x, o, -1, NULL))
        return false;
    switch (fld_enum(l, x, kv, &u)) {
    case BAD:
        return false;
    case GOOD:
        out->has_variant = true;
        out->variant = (uint32_t)gs_scn_variant_from_name(kv->names[u]);
    }
    for (unsigned r = 0; r < 4; r++) {
        switch (fld_value(l, x, key(o, rk[r]), self, defer, &out->r[r])) {
        case BAD:
            return false;
        case GOOD:
            out->has[r] = true;
        }
    }
    switch (fld_enum(l, x, key(o, "error"), &u)) {
    case BAD:
        return false;
    case GOOD:
        gs_jpath_push_key(&l->path, "error");
        if (out->has[1]) {
            fail(l, "\"error\" is r1; give either \"error\" or \"r1\"");
            gs_jpath_pop(&l->path);
            return false;
        }
        if (out->has_variant && !gs_scn_variant_is_failure(out->variant)) {
            fail(l, "\"error\" needs a Failure variant, not %s", gs_scn_variant_name(out->variant));
            gs_jpath_pop(&l->path);
            return false;
        }
        gs_jpath_pop(&l->path);
        out->has[1] = true;
        out->r[1].base = GS_SB_ABS;
        out->r[1].of = -1;
        out->r[1].v = u;
        if (!out->has_variant)
            out->any_failure = true;
    }
    if (!out->has_variant && !out->any_failure && !out->has[0] && !out->has[1] && !out->has[2] &&
        !out->has[3])
        return fail(l, "an empty expectation checks nothing; give \"variant\", \"error\" or "
                       "a register");
    return true;
}

/* The kind of step js: its one key that names a kind (NULL after a message). */
static const struct kindspec *step_kind(struct ld *l, json_t *js, json_t **args)
{
    const char *key, *kname = NULL;
    json_t *v;

    json_object_foreach(js, key, v)
    {
        const struct gs_scn_key *k = gs_scn_key_find(&gs_scn_step, key);
        if (!k || !(k->flags & GS_KF_ONE_OF))
            continue;
        if (kname) {
            gs_jpath_push_key(&l->path, key);
            fail_key(l, "a step does one thing; it has both \"%s\" and \"%s\"", kname, key);
            gs_jpath_pop(&l->path);
            return NULL;
        }
        kname = key;
        *args = v;
    }
    if (!kname) {
        fail(l, "expected a step kind: one of command, subscribe, allow_rw, allow_ro, "
                "allow_ur, memop, yield, exit, raw, store32, fill8, load32, spin");
        return NULL;
    }
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (strcmp(kinds[i].name, kname) == 0)
            return &kinds[i];
    return NULL; /* not reached: kinds[] has every kind of the table */
}

/* The arguments that go straight to a register (a plain number or a value). */
static bool step_regs(struct ld *l, json_t *args, int self, const struct kindspec *ks,
                      struct gs_scn_step *st)
{
    for (unsigned i = 0; i < ks->args->nkeys; i++) {
        const struct gs_scn_key *k = &ks->args->keys[i];
        struct gs_scn_value *a;
        int r;
        if (ks->reg[i] < 0)
            continue;
        a = &st->a[ks->reg[i]];
        if (k->need && !require(l, args, k))
            return false;
        if (k->forms == GS_F_REG) { /* a driver, command, subscribe or allow number */
            a->base = GS_SB_ABS;
            r = fld_reg(l, args, k, &a->v);
        } else {
            r = fld_value(l, args, k, self, true, a);
        }
        if (r == BAD)
            return false;
    }
    return true;
}

/* memop's "op": a name or a number, into r0. */
static bool step_memop(struct ld *l, json_t *args, struct gs_scn_step *st)
{
    const struct gs_scn_key *k = key(&gs_scn_memop, "op");
    json_t *op;
    unsigned u;
    uint32_t w;
    bool ok;

    if (!require(l, args, k))
        return false;
    op = json_object_get(args, "op");
    gs_jpath_push_key(&l->path, "op");
    if (json_is_string(op) && strncmp(json_string_value(op), "0x", 2) != 0) {
        ok = enum_value(l, op, k->names, k->nnames, &u, "a memop operation (or a number)");
        w = u;
    } else {
        ok = num_reg(l, op, &w, k->what);
    }
    gs_jpath_pop(&l->path);
    if (ok)
        st->a[0].v = w;
    return ok;
}

/* yield: the mode in r0; no-wait's flag in r1; wait-for's driver and number in r1, r2. */
static bool step_yield(struct ld *l, json_t *args, int self, struct gs_scn_step *st)
{
    const struct gs_scn_obj *o = &gs_scn_yield;
    unsigned u;

    if (!require(l, args, key(o, "mode")) || fld_enum(l, args, key(o, "mode"), &u) != GOOD)
        return false;
    st->a[0].v = u;
    if (u != 0 && json_object_get(args, "flag")) {
        gs_jpath_push_key(&l->path, "flag");
        fail_key(l, "\"flag\" (the byte the kernel sets) belongs to a no-wait yield");
        gs_jpath_pop(&l->path);
        return false;
    }
    if (u != 2 && (json_object_get(args, "driver") || json_object_get(args, "num"))) {
        gs_jpath_push_key(&l->path, json_object_get(args, "driver") ? "driver" : "num");
        fail_key(l, "\"driver\" and \"num\" belong to a wait-for yield");
        gs_jpath_pop(&l->path);
        return false;
    }
    if (u == 0 && fld_value(l, args, key(o, "flag"), self, true, &st->a[1]) == BAD)
        return false;
    if (u == 2 && (!require_for(l, args, "driver", "the driver to wait for") ||
                   !require_for(l, args, "num", "the subscribe number to wait for") ||
                   fld_reg(l, args, key(o, "driver"), &st->a[1].v) == BAD ||
                   fld_reg(l, args, key(o, "num"), &st->a[2].v) == BAD))
        return false;
    return true;
}

/* What each kind reads by its own code (its keys with register -1, and checks). */
static bool step_special(struct ld *l, json_t *args, int self, const struct kindspec *ks,
                         struct gs_scn_step *st)
{
    const struct gs_scn_obj *o = ks->args;
    unsigned u;

    if (o == &gs_scn_memop)
        return step_memop(l, args, st);
    if (o == &gs_scn_yield)
        return step_yield(l, args, self, st);
    if (o == &gs_scn_exit) {
        if (!require(l, args, key(o, "mode")) || fld_enum(l, args, key(o, "mode"), &u) != GOOD)
            return false;
        st->a[0].v = u;
    } else if (o == &gs_scn_raw) {
        if (!require(l, args, key(o, "class")) ||
            fld_u32(l, args, key(o, "class"), &st->kind) == BAD)
            return false;
    } else if (o == &gs_scn_fill8) {
        /* "value" is read as a value (its message below), and must be a plain byte. */
        if (st->a[1].base != GS_SB_ABS || st->a[1].v > key(o, "value")->max) {
            gs_jpath_push_key(&l->path, "value");
            fail(l, "expected a byte value from 0 to 255");
            gs_jpath_pop(&l->path);
            return false;
        }
    }
    return true;
}

/* A step id: not empty, not a number (numbers are step indices); copied to the arena. */
static bool step_id(struct ld *l, struct gs_scn_step *st)
{
    bool digits = *st->id != '\0';

    for (const char *c = st->id; *c; c++)
        digits = digits && *c >= '0' && *c <= '9';
    if (!*st->id || digits) {
        gs_jpath_push_key(&l->path, "id");
        fail(l,
             "expected a step id that is not empty and not a number (numbers are step "
             "indices), got \"%s\"",
             st->id);
        gs_jpath_pop(&l->path);
        return false;
    }
    st->id = gs_arena_strdup(l->a, st->id);
    return st->id ? true : oom(l);
}

static bool parse_step(struct ld *l, json_t *js, int self, struct gs_scn_step *st)
{
    const struct gs_scn_obj *o = &gs_scn_step;
    const struct kindspec *ks;
    const char *note;
    json_t *args = NULL, *x;
    bool ok;

    for (unsigned r = 0; r < 4; r++)
        st->a[r].of = -1;
    if (!json_is_object(js))
        return fail(l,
                    "expected a step: an object such as {\"command\": {\"driver\": 1, "
                    "\"cmd\": 0}}, got %s",
                    GOT(js));
    if (!check_object(l, js, o, -1, NULL) || !(ks = step_kind(l, js, &args)))
        return false;
    gs_jpath_push_key(&l->path, ks->name);
    st->kind = ks->kind;
    ok = check_object(l, args, ks->args, -1, ks->name) && step_regs(l, args, self, ks, st) &&
         step_special(l, args, self, ks, st);
    gs_jpath_pop(&l->path);
    if (!ok || fld_str(l, js, key(o, "id"), &st->id) == BAD ||
        fld_str(l, js, key(o, "note"), &note) == BAD || (st->id && !step_id(l, st)))
        return false;
    x = json_object_get(js, "expect");
    if (x) {
        gs_jpath_push_key(&l->path, "expect");
        ok = parse_regs(l, x, self, true, &st->expect);
        gs_jpath_pop(&l->path);
        if (!ok)
            return false;
        st->x = &st->expect;
    }
    return true;
}

static int hexdig(char ch)
{
    return (ch >= '0' && ch <= '9')   ? ch - '0'
           : (ch >= 'a' && ch <= 'f') ? ch - 'a' + 10
           : (ch >= 'A' && ch <= 'F') ? ch - 'A' + 10
                                      : -1;
}

/* obj[k->name]: 1 to k->max / 2 bytes as pairs of hex digits ("0a1b..."), into the arena. */
static bool parse_hex(struct ld *l, json_t *obj, const struct gs_scn_key *k, uint8_t **out,
                      size_t *out_len)
{
    size_t max = k->max / 2; /* the table counts hex digits */
    const char *hex;
    uint8_t *bytes;
    size_t len;

    if (fld_str(l, obj, k, &hex) == BAD)
        return false;
    len = strlen(hex);
    gs_jpath_push_key(&l->path, k->name);
    if (len == 0 || len % 2 || len > 2 * max) {
        fail(l, "expected 1 to %zu bytes as pairs of hex digits, got %zu digits", max, len);
        gs_jpath_pop(&l->path);
        return false;
    }
    bytes = gs_arena_alloc(l->a, len / 2);
    if (!bytes) {
        gs_jpath_pop(&l->path);
        return oom(l);
    }
    for (size_t i = 0; i < len / 2; i++) {
        int h = hexdig(hex[2 * i]), lo = hexdig(hex[2 * i + 1]);
        if (h < 0 || lo < 0) {
            fail(l, "expected hex digits, got '%c%c' at character %zu", hex[2 * i], hex[2 * i + 1],
                 2 * i);
            gs_jpath_pop(&l->path);
            return false;
        }
        bytes[i] = (uint8_t)(h * 16 + lo);
    }
    gs_jpath_pop(&l->path);
    *out = bytes;
    *out_len = len / 2;
    return true;
}

/* ------------------------------------------------------------- processes */

/*
 * "stack", "app_heap", "kernel_heap": elf2tab's --stack, --app-heap and
 * --kernel-heap for an ELF (app or elf); absent, each comes from the ELF as
 * libtock-c linked it, else elf2tab's default (gs_elf_opts). They size
 * minimum_ram_size, which "min_ram" replaces outright: not both.
 */
static bool elf_sizes(struct ld *l, json_t *jp, struct gs_scn_proc *p)
{
    static const char *const keys[] = {"stack", "app_heap", "kernel_heap"};
    uint32_t *dst[] = {&p->elf_opts.stack_size, &p->elf_opts.app_heap_size,
                       &p->elf_opts.kernel_heap_size};
    const struct gs_scn_obj *o = &gs_scn_process;

    gs_elf_opts_default(&p->elf_opts);
    for (unsigned i = 0; i < 3; i++) {
        if (!json_object_get(jp, keys[i]))
            continue;
        if (p->src == GS_SRC_TBF || p->src == GS_SRC_SCRIPT || p->has_min_ram) {
            gs_jpath_push_key(&l->path, keys[i]);
            fail_key(l, "%s",
                     p->has_min_ram ? "\"min_ram\" already gives the minimum RAM: use one or "
                                      "the other"
                     : p->src == GS_SRC_TBF ? "a TBF keeps its own minimum RAM (its Program/Main "
                                              "TLV)"
                                            : "scripts are sized by \"min_ram\"");
            gs_jpath_pop(&l->path);
            return false;
        }
        if (fld_u32(l, jp, key(o, keys[i]), dst[i]) == BAD)
            return false;
    }
    return true;
}

/* Lists the *.elf files of dir as "a, b, c" (sorted). */
static void list_apps(const char *dir, char *buf, size_t n)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char names[64][64];
    unsigned k = 0;
    size_t at = 0;

    buf[0] = '\0';
    if (!d)
        return;
    while ((e = readdir(d)) != NULL && k < 64) {
        size_t len = strlen(e->d_name);
        if (len > 4 && len < 64 && strcmp(e->d_name + len - 4, ".elf") == 0) {
            memcpy(names[k], e->d_name, len - 4);
            names[k][len - 4] = '\0';
            k++;
        }
    }
    closedir(d);
    for (unsigned i = 1; i < k; i++) {
        for (unsigned j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char t[64];
            memcpy(t, names[j], sizeof(t));
            memcpy(names[j], names[j - 1], sizeof(t));
            memcpy(names[j - 1], t, sizeof(t));
        }
    }
    for (unsigned i = 0; i < k && at + 1 < n; i++) {
        int w = snprintf(buf + at, n - at, "%s%s", i ? ", " : "", names[i]);
        if (w < 0)
            break;
        at += (size_t)w;
    }
}

static bool app_name_ok(const char *s)
{
    if (!*s || *s == '.')
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '-' || *s == '.'))
            return false;
    return true;
}

/*
 * Reads the app file of process p at the current path (the "app", "elf",
 * "tbf" or "tab" key); for a TAB (arch not NULL), the TBF for arch in it.
 */
static bool read_app(struct ld *l, struct gs_scn_proc *p, const char *given, const char *what,
                     const char *arch)
{
    char *path, *bytes = NULL;
    size_t len = 0;
    int e;

    /* Before any check of the name: no_files is about what the file asks, not its spelling. */
    if (l->o && l->o->no_files)
        return fail(l, "files are not read here (%s \"%s\"): only script processes load",
                    p->src == GS_SRC_APP   ? "app"
                    : arch                 ? "tab"
                    : p->src == GS_SRC_TBF ? "tbf"
                                           : "elf",
                    given);
    if (p->src == GS_SRC_APP) {
        char known[1024];
        if (!app_name_ok(given))
            return fail(l, "expected an app name (such as \"hello\"), got \"%s\"", given);
        if (!l->o || !l->o->apps_dir)
            return fail(l,
                        "app \"%s\": no apps directory is known (give grantsim --apps DIR or "
                        "set GRANTSIM_APPS; an installed grantsim has them in "
                        "PREFIX/share/grantsim/apps)",
                        given);
        path = gs_arena_printf(l->a, "%s/%s.elf", l->o->apps_dir, given);
        if (!path)
            return oom(l);
        e = read_file(path, &bytes, &len);
        if (e) {
            list_apps(l->o->apps_dir, known, sizeof(known));
            return fail(l, "no app \"%s\" (%s: %s); the apps are: %s", given, path, strerror(e),
                        known[0] ? known : "(none built)");
        }
    } else {
        if (!*given)
            return fail(l, "expected the path of %s file, got \"\"", what);
        path = given[0] == '/' ? gs_arena_strdup(l->a, given)
                               : gs_arena_printf(l->a, "%s/%s", l->f->dir, given);
        if (!path)
            return oom(l);
        e = read_file(path, &bytes, &len);
        if (e)
            return fail(l, "cannot read %s file \"%s\" (%s): %s", what, given, path,
                        e == EFBIG ? "larger than 16 MiB" : strerror(e));
    }
    if (arch) { /* a TAB: keep only the TBF for the architecture */
        uint8_t *tbf = NULL;
        size_t tlen = 0;
        char entry[128] = "", msg[400] = "";
        e = l->o && l->o->read_tab ? l->o->read_tab((const uint8_t *)bytes, len, arch, &tbf, &tlen,
                                                    entry, sizeof(entry), msg, sizeof(msg))
                                   : GS_E_ARG;
        free(bytes);
        if (e == GS_E_NOMEM_HOST)
            return oom(l);
        if (e)
            return fail(l, "\"%s\": %s", given,
                        msg[0] ? msg : "TAB files are not read here (a build without libarchive)");
        bytes = (char *)tbf;
        len = tlen;
        p->tab_entry = gs_arena_strdup(l->a, entry);
        if (!p->tab_entry) {
            free(bytes);
            return oom(l);
        }
    }
    if (!gs_arena_adopt(l->a, bytes))
        return oom(l);
    p->path = path;
    p->image = (uint8_t *)bytes;
    p->image_len = len;
    return true;
}

/* Checks that an ELF converts and a TBF parses, naming the loader's error. */
static bool check_binary(struct ld *l, struct gs_scn_proc *p, const char *given, char *tbf_name,
                         size_t tn)
{
    struct gs_load_error le;
    int e;

    memset(&le, 0, sizeof(le));
    if (p->src == GS_SRC_TBF) {
        struct gs_tbf t;
        e = gs_tbf_parse(p->image, p->image_len, &t, &le);
        if (!e && t.padding)
            return fail(l, "\"%s\" is a padding TBF (a 16-byte header), not an app", given);
        if (!e) {
            size_t n = t.name_len < tn - 1 ? t.name_len : tn - 1;
            memcpy(tbf_name, t.name ? (const char *)t.name : "", t.name ? n : 0);
            tbf_name[t.name ? n : 0] = '\0';
            return true;
        }
    } else {
        struct gs_elf_image img;
        e = gs_elf_to_image(p->image, p->image_len, NULL, &img, &le);
        if (!e) {
            gs_elf_image_free(&img);
            return true;
        }
    }
    if (e == GS_E_NOMEM_HOST)
        return oom(l);
    return fail(l, "\"%s\" is not a loadable %s: %s at %s (byte %zu): %s", given,
                p->src == GS_SRC_TBF ? "TBF" : "libtock-c ELF", le.name ? le.name : "error",
                le.field[0] ? le.field : "?", le.offset, le.message);
}

static bool parse_script(struct ld *l, json_t *arr, int self, struct gs_scn_proc *p)
{
    bool ok = false;

    gs_jpath_push_key(&l->path, "script");
    if (!json_is_array(arr)) {
        fail(l, "expected a script: an array of steps, got %s", GOT(arr));
        goto out;
    }
    p->nsteps = (unsigned)json_array_size(arr);
    if (p->nsteps > GS_SCRIPT_MAX_STEPS) {
        fail(l, "expected at most %u steps, got %u", GS_SCRIPT_MAX_STEPS, p->nsteps);
        goto out;
    }
    p->steps = gs_arena_alloc(l->a, (p->nsteps ? p->nsteps : 1) * sizeof(*p->steps));
    if (!p->steps) {
        oom(l);
        goto out;
    }
    for (unsigned i = 0; i < p->nsteps; i++) {
        struct gs_scn_step *st = &p->steps[i];
        gs_jpath_push_index(&l->path, i);
        st->where = where(l);
        if (!parse_step(l, json_array_get(arr, i), self, st)) {
            gs_jpath_pop(&l->path);
            goto out;
        }
        if (st->id) {
            for (unsigned j = 0; j < i; j++) {
                if (p->steps[j].id && strcmp(p->steps[j].id, st->id) == 0) {
                    gs_jpath_push_key(&l->path, "id");
                    fail(l, "step id \"%s\" is already used by step %u", st->id, j);
                    gs_jpath_pop(&l->path);
                    gs_jpath_pop(&l->path);
                    goto out;
                }
            }
        }
        gs_jpath_pop(&l->path);
    }
    ok = true;
out:
    gs_jpath_pop(&l->path);
    return ok;
}

/*
 * A process's one source (the variants of the table's process: app, elf,
 * tbf, tab, script): p->src, its key, and for a file its name or path. Keys of other sources' variants with a
 * message of their own: "arch" (tab only), the script-only keys.
 */
static bool proc_source(struct ld *l, json_t *jp, struct gs_scn_proc *p, const char **src_key,
                        const char **src_val, const char **arch)
{
    const struct gs_scn_obj *o = &gs_scn_process;
    unsigned script_only = 0;
    int nsrc = 0;

    for (unsigned v = 0; v < o->nvariants; v++) {
        if (strcmp(o->variants[v], "script") == 0)
            script_only = 1u << v;
        if (json_object_get(jp, o->variants[v])) {
            nsrc++;
            *src_key = o->variants[v];
        }
    }
    if (nsrc != 1)
        return fail(l,
                    "a process has exactly one of \"app\" (an app of apps/), \"elf\", "
                    "\"tbf\", \"tab\" (files) or \"script\" (syscall steps); found %d",
                    nsrc);
    p->src = strcmp(*src_key, "app") == 0      ? GS_SRC_APP
             : strcmp(*src_key, "elf") == 0    ? GS_SRC_ELF
             : strcmp(*src_key, "script") == 0 ? GS_SRC_SCRIPT
                                               : GS_SRC_TBF; /* tbf, or the TBF of a tab */
    if (strcmp(*src_key, "tab") == 0) {
        if (fld_str(l, jp, key(o, "arch"), arch) == BAD)
            return false;
    } else if (json_object_get(jp, "arch")) {
        gs_jpath_push_key(&l->path, "arch");
        fail_key(l, "\"arch\" picks the TBF of a \"tab\"; this process has \"%s\"", *src_key);
        gs_jpath_pop(&l->path);
        return false;
    }
    if (p->src == GS_SRC_SCRIPT)
        return true;
    for (unsigned i = 0; i < o->nkeys; i++) {
        const char *k = o->keys[i].name;
        if (o->keys[i].only == script_only && json_object_get(jp, k)) {
            gs_jpath_push_key(&l->path, k);
            fail_key(l, "\"%s\" is for script processes; this one has \"%s\"", k, *src_key);
            gs_jpath_pop(&l->path);
            return false;
        }
    }
    return fld_str(l, jp, key(o, *src_key), src_val) != BAD;
}

/* Reads an app, ELF, TBF or TAB process's file; a TBF keeps its name and minimum RAM. */
static bool proc_file(struct ld *l, json_t *jp, struct gs_scn_proc *p, const char *src_key,
                      const char *src_val, const char *arch, const char **name, char *tbf_name,
                      size_t tn)
{
    bool ok;

    gs_jpath_push_key(&l->path, src_key);
    ok = read_app(l, p, src_val,
                  arch                   ? "a TAB"
                  : p->src == GS_SRC_TBF ? "a TBF"
                                         : "an ELF",
                  arch) &&
         check_binary(l, p, src_val, tbf_name, tn);
    gs_jpath_pop(&l->path);
    if (!ok)
        return false;
    if (p->src != GS_SRC_TBF)
        return true;
    if (*name && strcmp(*name, tbf_name) != 0) {
        gs_jpath_push_key(&l->path, "name");
        fail(l, "the TBF's package name is \"%s\"; a TBF keeps its own name", tbf_name);
        gs_jpath_pop(&l->path);
        return false;
    }
    if (!tbf_name[0])
        return fail(l, "the TBF has no package name; processes need a name");
    *name = tbf_name;
    if (json_object_get(jp, "min_ram")) {
        gs_jpath_push_key(&l->path, "min_ram");
        fail_key(l, "a TBF keeps its own minimum RAM (its Program/Main TLV)");
        gs_jpath_pop(&l->path);
        return false;
    }
    return true;
}

/* "name": given (1 to 63 bytes), else an app's name; a TBF's is its own (proc_file). */
static bool proc_name(struct ld *l, json_t *jp, struct gs_scn_proc *p, const char *src_val,
                      const char **name)
{
    if (fld_str(l, jp, key(&gs_scn_process, "name"), name) == BAD)
        return false;
    if (*name) {
        gs_jpath_push_key(&l->path, "name");
        if (!**name || strlen(*name) > MAX_NAME) {
            fail(l, "expected a package name of 1 to %u bytes, got \"%s\"", MAX_NAME, *name);
            gs_jpath_pop(&l->path);
            return false;
        }
        gs_jpath_pop(&l->path);
    } else if (p->src == GS_SRC_APP) {
        *name = src_val;
    } else if (p->src != GS_SRC_TBF) {
        return fail(l, "missing key \"name\" (the package name: the process's name for IPC "
                       "discovery and for its expectations)");
    }
    return true;
}

/* The RAM it asks for and its fault policy (every kind of process). */
static bool proc_options(struct ld *l, json_t *jp, struct gs_scn_proc *p)
{
    const struct gs_scn_obj *o = &gs_scn_process;
    unsigned u;

    switch (fld_u32(l, jp, key(o, "min_ram"), &p->min_ram)) {
    case BAD:
        return false;
    case GOOD:
        p->has_min_ram = true;
    }
    if (!elf_sizes(l, jp, p))
        return false;
    switch (fld_enum(l, jp, key(o, "fault_policy"), &u)) {
    case BAD:
        return false;
    case GOOD:
        p->has_policy = true;
        p->policy = (enum gs_fault_policy)u;
        p->threshold = l->s->threshold;
    }
    return fld_uint(l, jp, key(o, "fault_threshold"), &p->threshold) != BAD;
}

/* A script process's own keys, then its steps. */
static bool proc_script(struct ld *l, json_t *jp, int self, struct gs_scn_proc *p)
{
    const struct gs_scn_obj *o = &gs_scn_process;
    uint32_t buf_size = 0;
    unsigned u = 0;

    if (fld_enum(l, jp, key(o, "then"), &u) == BAD)
        return false;
    p->final = u == 0   ? GS_SCRIPT_EXIT_TERMINATE
               : u == 1 ? GS_SCRIPT_EXIT_RESTART
                        : GS_SCRIPT_YIELD_WAIT;
    if (fld_reg(l, jp, key(o, "exit_code"), &p->final_code) == BAD ||
        fld_bool(l, jp, key(o, "record"), &p->record) == BAD ||
        fld_u32(l, jp, key(o, "buf_size"), &buf_size) == BAD ||
        fld_u32(l, jp, key(o, "protected_size"), &p->protected_size) == BAD)
        return false;
    if (!p->has_min_ram)
        p->min_ram = GS_SCN_DEFAULT_SCRIPT_RAM;
    p->package = p->name;
    if (json_object_get(jp, "package_name")) {
        const char *pk = NULL;
        if (fld_str(l, jp, key(o, "package_name"), &pk) == BAD)
            return false;
        if (strlen(pk) > MAX_NAME) {
            gs_jpath_push_key(&l->path, "package_name");
            fail(l, "expected a package name of 0 to %u bytes, got \"%s\"", MAX_NAME, pk);
            gs_jpath_pop(&l->path);
            return false;
        }
        if (!(p->package = gs_arena_strdup(l->a, pk)))
            return oom(l);
    }
    if (json_object_get(jp, "data") &&
        !parse_hex(l, jp, key(o, "data"), (uint8_t **)&p->data, &p->data_len))
        return false;
    if (!parse_script(l, json_object_get(jp, "script"), self, p))
        return false;
    p->buf_off = gs_script_prologue(p->nsteps);
    p->prologue = p->record ? p->buf_off + buf_size : 0;
    for (unsigned i = 0; !p->record && i < p->nsteps; i++) {
        if (p->steps[i].x) {
            gs_jpath_push_key(&l->path, "script");
            gs_jpath_push_index(&l->path, i);
            gs_jpath_push_key(&l->path, "expect");
            fail(l, "a script with \"record\": false records no results to check");
            gs_jpath_pop(&l->path);
            gs_jpath_pop(&l->path);
            gs_jpath_pop(&l->path);
            return false;
        }
    }
    return true;
}

static bool parse_process(struct ld *l, json_t *jp, int self)
{
    struct gs_scenario *s = l->s;
    struct gs_scn_proc *p = &s->procs[self];
    const char *name = NULL, *src_val = NULL, *src_key = NULL, *arch = NULL;
    char tbf_name[64] = "";

    p->where = where(l);
    p->final = GS_SCRIPT_EXIT_TERMINATE;
    p->record = true;
    if (!check_object(l, jp, &gs_scn_process, -1, NULL) ||
        !proc_source(l, jp, p, &src_key, &src_val, &arch) || !proc_name(l, jp, p, src_val, &name) ||
        (p->src != GS_SRC_SCRIPT &&
         !proc_file(l, jp, p, src_key, src_val, arch, &name, tbf_name, sizeof(tbf_name))))
        return false;
    for (unsigned i = 0; i < (unsigned)self; i++) {
        if (strcmp(s->procs[i].name, name) == 0) {
            gs_jpath_push_key(&l->path, json_object_get(jp, "name") ? "name" : src_key);
            fail(l, "process name \"%s\" is already used by processes[%u]; names must be unique",
                 name, i);
            gs_jpath_pop(&l->path);
            return false;
        }
    }
    p->name = gs_arena_strdup(l->a, name);
    if (!p->name)
        return oom(l);
    if (!proc_options(l, jp, p))
        return false;
    return p->src != GS_SRC_SCRIPT || proc_script(l, jp, self, p);
}

static bool parse_processes(struct ld *l, json_t *arr)
{
    struct gs_scenario *s = l->s;
    const struct gs_scn_key *kp = key(&gs_scn_scenario, "processes");

    if (!arr)
        return fail(l, "missing key \"%s\" (%s)", kp->name, kp->need);
    gs_jpath_push_key(&l->path, "processes");
    if (!json_is_array(arr) || json_array_size(arr) < kp->min || json_array_size(arr) > kp->max) {
        fail(l, "expected an array of 1 to %u processes, got %s", GS_BOARD_MAX_APPS, GOT(arr));
        goto bad;
    }
    s->nprocs = (unsigned)json_array_size(arr);
    s->procs = gs_arena_alloc(l->a, s->nprocs * sizeof(*s->procs));
    if (!s->procs) {
        oom(l);
        goto bad;
    }
    for (unsigned i = 0; i < s->nprocs; i++) {
        bool ok;
        gs_jpath_push_index(&l->path, i);
        ok = parse_process(l, json_array_get(arr, i), (int)i);
        gs_jpath_pop(&l->path);
        if (!ok)
            goto bad;
    }
    gs_jpath_pop(&l->path);
    /* Step arguments that name other processes. */
    for (unsigned i = 0; i < l->npend; i++) {
        struct pending *pd = &l->pend[i];
        int k = find_proc(s, pd->name);
        if (k < 0 || (pd->script && s->procs[k].src != GS_SRC_SCRIPT)) {
            char names[256];
            proc_names(s, names, sizeof(names));
            if (l->err && !l->failed) {
                struct gs_scn_err *e = l->err;
                e->line = pd->line;
                e->col = pd->col;
                snprintf(e->path, sizeof(e->path), "%s", pd->path);
                if (k < 0)
                    snprintf(e->msg, sizeof(e->msg),
                             "%s:%u:%u: %s: no process named \"%s\" (processes: %s)", l->f->path,
                             pd->line, pd->col, pd->path, pd->name, names);
                else
                    snprintf(e->msg, sizeof(e->msg),
                             "%s:%u:%u: %s: \"%s\" is not a script process (upcall, result and "
                             "buf are addresses in scripts)",
                             l->f->path, pd->line, pd->col, pd->path, pd->name);
            }
            l->failed = true;
            return false;
        }
        pd->v->of = k;
    }
    return true;
bad:
    gs_jpath_pop(&l->path);
    return false;
}

/* ---------------------------------------------------------- expectations */

static struct gs_scn_check *add_check(struct ld *l, enum gs_chk_kind kind, int proc)
{
    struct gs_scn_check *c;

    if (l->nchecks == l->capchecks) {
        unsigned cap = l->capchecks ? 2 * l->capchecks : 32;
        struct gs_scn_check *n = realloc(l->checks, cap * sizeof(*n));
        if (!n) {
            oom(l);
            return NULL;
        }
        l->checks = n;
        l->capchecks = cap;
    }
    c = &l->checks[l->nchecks++];
    memset(c, 0, sizeof(*c));
    c->kind = kind;
    c->proc = proc;
    for (unsigned i = 0; i < 4; i++)
        c->v[i].of = -1;
    c->where = where(l);
    return c;
}

/* "text" (exact) or {"contains": "text"}. */
static bool parse_text(struct ld *l, json_t *obj, const char *name, enum gs_chk_kind kind, int proc)
{
    json_t *v = json_object_get(obj, name), *t;
    struct gs_scn_check *c;
    bool ok = false;

    if (!v)
        return true;
    gs_jpath_push_key(&l->path, name);
    c = add_check(l, kind, proc);
    if (!c)
        goto out;
    t = v;
    if (json_is_object(v)) {
        if (!check_object(l, v, &gs_scn_text, -1, NULL) ||
            !require(l, v, key(&gs_scn_text, "contains")))
            goto out;
        c->flag = true;
        t = json_object_get(v, "contains");
        gs_jpath_push_key(&l->path, "contains");
    }
    if (!json_is_string(t)) {
        fail(l, "expected the exact output (a string) or {\"contains\": \"...\"}, got %s", GOT(t));
        if (c->flag)
            gs_jpath_pop(&l->path);
        goto out;
    }
    if (c->flag)
        gs_jpath_pop(&l->path);
    c->len = json_string_length(t);
    c->str = gs_arena_strdup(l->a, json_string_value(t));
    if (!c->str) {
        oom(l);
        goto out;
    }
    ok = true;
out:
    gs_jpath_pop(&l->path);
    return ok;
}

/* An array at obj[key], each element checked by fn (which pushes nothing). */
typedef bool (*elem_fn)(struct ld *l, json_t *e, unsigned i, int proc);

static bool each_elem(struct ld *l, json_t *obj, const char *key, int proc, elem_fn fn,
                      const char *what, struct gs_scn_check **count_check,
                      enum gs_chk_kind count_kind)
{
    json_t *arr = json_object_get(obj, key);
    bool ok = false;

    if (!arr)
        return true;
    gs_jpath_push_key(&l->path, key);
    if (!json_is_array(arr)) {
        fail(l, "expected an array of %s, got %s", what, GOT(arr));
        goto out;
    }
    if (count_check) {
        *count_check = add_check(l, count_kind, proc);
        if (!*count_check)
            goto out;
        (*count_check)->num = (uint32_t)json_array_size(arr);
    }
    for (unsigned i = 0; i < json_array_size(arr); i++) {
        bool r;
        gs_jpath_push_index(&l->path, i);
        r = fn(l, json_array_get(arr, i), i, proc);
        gs_jpath_pop(&l->path);
        if (!r)
            goto out;
    }
    ok = true;
out:
    gs_jpath_pop(&l->path);
    return ok;
}

static bool fault_elem(struct ld *l, json_t *e, unsigned i, int proc)
{
    const struct gs_scn_obj *o = &gs_scn_fault;
    struct gs_scn_check *c;
    unsigned u;

    if (!check_object(l, e, o, -1, NULL))
        return false;
    c = add_check(l, GS_CHK_FAULT, proc);
    if (!c)
        return false;
    c->index = i;
    switch (fld_enum(l, e, key(o, "kind"), &u)) {
    case BAD:
        return false;
    case GOOD:
        c->has_num = true;
        c->num = u;
    }
    switch (fld_value(l, e, key(o, "address"), proc, false, &c->v[0])) {
    case BAD:
        return false;
    case GOOD:
        c->has[0] = true;
    }
    return true;
}

static bool grant_elem(struct ld *l, json_t *e, unsigned i, int proc)
{
    const struct gs_scn_obj *o = &gs_scn_grant;
    struct gs_scn_check *c;

    (void)i;
    if (!check_object(l, e, o, -1, NULL) || !require(l, e, key(o, "driver")))
        return false;
    c = add_check(l, GS_CHK_GRANT, proc);
    if (!c)
        return false;
    if (fld_u32(l, e, key(o, "driver"), &c->num) == BAD ||
        fld_bool(l, e, key(o, "allocated"), &c->flag) == BAD)
        return false;
    switch (fld_value(l, e, key(o, "address"), proc, false, &c->v[0])) {
    case BAD:
        return false;
    case GOOD:
        c->has[0] = true;
        if (!c->flag) {
            gs_jpath_push_key(&l->path, "address");
            fail_key(l, "a grant expected not to be allocated has no address");
            gs_jpath_pop(&l->path);
            return false;
        }
    }
    return true;
}

static bool mpu_elem(struct ld *l, json_t *e, unsigned i, int proc)
{
    const struct gs_scn_obj *o = &gs_scn_mpu_region;
    struct gs_scn_check *c;
    uint32_t r = 0;

    (void)i;
    if (!check_object(l, e, o, -1, NULL) || !require(l, e, key(o, "region")))
        return false;
    c = add_check(l, GS_CHK_MPU, proc);
    if (!c)
        return false;
    /* The region number is below this board's MPU regions (the table says 16). */
    if (fld_u32_upto(l, e, key(o, "region"), l->s->board.kernel.mpu_regions - 1, &r) == BAD ||
        fld_bool(l, e, key(o, "unused"), &c->flag) == BAD)
        return false;
    c->index = r;
    for (unsigned k = 0; k < 2; k++) {
        switch (fld_value(l, e, key(o, k ? "rasr" : "rbar"), proc, false, &c->v[k])) {
        case BAD:
            return false;
        case GOOD:
            c->has[k] = true;
        }
    }
    if (c->flag && (c->has[0] || c->has[1])) {
        gs_jpath_push_key(&l->path, "unused");
        fail_key(l, "an unused region has the empty registers; give \"unused\" or the values");
        gs_jpath_pop(&l->path);
        return false;
    }
    if (!c->flag && !c->has[0] && !c->has[1])
        return fail(l, "an MPU expectation needs \"rbar\", \"rasr\" or \"unused\": true");
    return true;
}

/* An upcall's "args": up to 3 values (r0-r2), into v[0..2]. */
static bool upcall_args(struct ld *l, json_t *args, int proc, struct gs_scn_check *c)
{
    const struct gs_scn_key *k = key(&gs_scn_upcall, "args");
    bool ok = true;

    gs_jpath_push_key(&l->path, "args");
    if (!json_is_array(args) || json_array_size(args) > k->max) {
        fail(l, "expected the upcall's arguments: an array of up to 3 values, got %s", GOT(args));
        ok = false;
    }
    for (unsigned i = 0; ok && i < json_array_size(args); i++) {
        gs_jpath_push_index(&l->path, i);
        ok = parse_value(l, json_array_get(args, i), proc, false, &c->v[i], "an argument");
        gs_jpath_pop(&l->path);
        c->has[i] = ok;
    }
    gs_jpath_pop(&l->path);
    return ok;
}

static bool upcall_elem(struct ld *l, json_t *e, unsigned i, int proc)
{
    const struct gs_scn_obj *o = &gs_scn_upcall;
    struct gs_scn_check *c;
    json_t *args;

    if (!check_object(l, e, o, -1, NULL))
        return false;
    c = add_check(l, GS_CHK_UPCALL, proc);
    if (!c)
        return false;
    c->index = i;
    switch (fld_u32(l, e, key(o, "handler"), &c->num)) {
    case BAD:
        return false;
    case GOOD:
        c->has_num = true;
    }
    switch (fld_u32(l, e, key(o, "step"), &c->num2)) {
    case BAD:
        return false;
    case GOOD:
        c->has_num2 = true;
    }
    switch (fld_value(l, e, key(o, "appdata"), proc, false, &c->v[3])) {
    case BAD:
        return false;
    case GOOD:
        c->has[3] = true;
    }
    args = json_object_get(e, "args");
    return !args || upcall_args(l, args, proc, c);
}

static bool memory_elem(struct ld *l, json_t *e, unsigned i, int proc)
{
    const struct gs_scn_obj *o = &gs_scn_memory;
    struct gs_scn_check *c;
    int n = 0;
    uint32_t b = 0;

    (void)i;
    if (!check_object(l, e, o, -1, NULL) || !require(l, e, key(o, "at")))
        return false;
    n = !!json_object_get(e, "u8") + !!json_object_get(e, "u32") + !!json_object_get(e, "hex");
    if (n != 1)
        return fail(l,
                    "a memory expectation has exactly one of \"u8\", \"u32\", \"hex\"; "
                    "found %d",
                    n);
    c = add_check(l, GS_CHK_MEMORY, proc);
    if (!c || fld_value(l, e, key(o, "at"), proc, false, &c->v[0]) == BAD)
        return false;
    if (json_object_get(e, "u8")) {
        if (fld_u32(l, e, key(o, "u8"), &b) == BAD)
            return false;
        c->num = 1;
        c->v[1].v = b;
    } else if (json_object_get(e, "u32")) {
        if (fld_value(l, e, key(o, "u32"), proc, false, &c->v[1]) == BAD)
            return false;
        c->num = 4;
    } else {
        uint8_t *bytes;
        size_t len;
        if (!parse_hex(l, e, key(o, "hex"), &bytes, &len))
            return false;
        c->num = 0;
        c->str = (const char *)bytes;
        c->len = len;
    }
    return true;
}

/* A numeric key of a process expectation that becomes a check with num. */
static bool count_field(struct ld *l, json_t *obj, const char *name, enum gs_chk_kind kind,
                        unsigned index, int proc)
{
    uint32_t n = 0;
    struct gs_scn_check *c;

    if (!json_object_get(obj, name))
        return true;
    if (fld_u32(l, obj, key(&gs_scn_pexpect, name), &n) == BAD)
        return false;
    gs_jpath_push_key(&l->path, name);
    c = add_check(l, kind, proc);
    gs_jpath_pop(&l->path);
    if (!c)
        return false;
    c->num = n;
    c->index = index;
    return true;
}

static bool needs_script(struct ld *l, json_t *obj, const char *key, int proc)
{
    if (!json_object_get(obj, key) || l->s->procs[proc].src == GS_SRC_SCRIPT)
        return true;
    gs_jpath_push_key(&l->path, key);
    fail_key(l, "\"%s\" is recorded by script processes only; \"%s\" is not one", key,
             l->s->procs[proc].name);
    gs_jpath_pop(&l->path);
    return false;
}

static int find_step(const struct gs_scn_proc *p, const char *key)
{
    char *end;
    unsigned long v;

    for (unsigned i = 0; i < p->nsteps; i++)
        if (p->steps[i].id && strcmp(p->steps[i].id, key) == 0)
            return (int)i;
    if (*key >= '0' && *key <= '9') {
        v = strtoul(key, &end, 10);
        if (*end == '\0' && v < p->nsteps)
            return (int)v;
    }
    return -1;
}

/* "loaded" and "load_error": whether the process is created, and why not. */
static bool pexp_loaded(struct ld *l, json_t *e, int proc, bool *loaded_given)
{
    const struct gs_scn_obj *o = &gs_scn_pexpect;
    json_t *v = json_object_get(e, "loaded"), *le = json_object_get(e, "load_error");
    struct gs_scn_check *c;
    bool b = false;
    const char *err = NULL;

    if (!v && !le)
        return true;
    if ((v && fld_bool(l, e, key(o, "loaded"), &b) == BAD) ||
        fld_str(l, e, key(o, "load_error"), &err) == BAD)
        return false;
    if (le && b) {
        gs_jpath_push_key(&l->path, "load_error");
        fail(l, "a process expected to load has no load error (\"loaded\" is true)");
        gs_jpath_pop(&l->path);
        return false;
    }
    gs_jpath_push_key(&l->path, le ? "load_error" : "loaded");
    c = add_check(l, GS_CHK_LOADED, proc);
    gs_jpath_pop(&l->path);
    if (!c)
        return false;
    c->flag = b;
    if (err) {
        c->str = gs_arena_strdup(l->a, err);
        if (!c->str)
            return oom(l);
        c->len = strlen(c->str);
    }
    *loaded_given = true;
    if (!b && json_object_size(e) > (size_t)(v ? 1 : 0) + (le ? 1 : 0))
        return fail(l, "a process expected not to load has no other expectations");
    return true;
}

/* "state" and "completion_code". */
static bool pexp_state(struct ld *l, json_t *e, int proc)
{
    const struct gs_scn_obj *o = &gs_scn_pexpect;
    struct gs_scn_check *c;
    json_t *v;
    unsigned u;
    bool ok = true;

    if (fld_enum(l, e, key(o, "state"), &u) == BAD)
        return false;
    if (json_object_get(e, "state")) {
        gs_jpath_push_key(&l->path, "state");
        c = add_check(l, GS_CHK_STATE, proc);
        gs_jpath_pop(&l->path);
        if (!c)
            return false;
        c->num = u;
    }
    v = json_object_get(e, "completion_code");
    if (!v)
        return true;
    gs_jpath_push_key(&l->path, "completion_code");
    c = add_check(l, GS_CHK_COMPLETION, proc);
    if (!c) {
        ok = false;
    } else if (json_is_string(v) && strcmp(json_string_value(v), "None") == 0) {
        c->num = 0;
    } else if (json_is_string(v) && strcmp(json_string_value(v), "Faulted") == 0) {
        c->num = 1;
    } else if (json_is_integer(v) || json_is_string(v)) {
        c->num = 2;
        ok = num_reg(l, v, &c->v[0].v, key(o, "completion_code")->what);
    } else {
        fail(l, "expected a completion code: a number, \"None\" or \"Faulted\"; got %s", GOT(v));
        ok = false;
    }
    gs_jpath_pop(&l->path);
    return ok;
}

/* The layout values: memory_start ... high_water_mark. */
static bool pexp_layout(struct ld *l, json_t *e, int proc)
{
    static const char *const layout_keys[GS_LAY_COUNT] = {"memory_start", "memory_len", "app_break",
                                                          "kernel_break", "high_water_mark"};

    for (unsigned k = 0; k < GS_LAY_COUNT; k++) {
        struct gs_scn_value val;
        struct gs_scn_check *c;
        switch (fld_value(l, e, key(&gs_scn_pexpect, layout_keys[k]), proc, false, &val)) {
        case BAD:
            return false;
        case GOOD:
            gs_jpath_push_key(&l->path, layout_keys[k]);
            c = add_check(l, GS_CHK_LAYOUT, proc);
            gs_jpath_pop(&l->path);
            if (!c)
                return false;
            c->index = k;
            c->v[0] = val;
            c->has[0] = true;
        }
    }
    return true;
}

/* "steps": step expectations by id or index, which replace the inline ones. */
static bool pexp_steps(struct ld *l, json_t *v, int proc)
{
    struct gs_scn_proc *p = &l->s->procs[proc];
    const char *key;
    json_t *x;
    bool ok = true;

    gs_jpath_push_key(&l->path, "steps");
    if (!json_is_object(v)) {
        fail(l, "expected an object of step expectations keyed by step id or index, got %s",
             GOT(v));
        ok = false;
    }
    json_object_foreach(v, key, x)
    {
        int i = find_step(p, key);
        struct gs_scn_regs *r = NULL;
        if (!ok)
            break;
        gs_jpath_push_key(&l->path, key);
        if (i < 0)
            fail_key(l,
                     "no step \"%s\" in \"%s\" (steps are named by their \"id\" or their "
                     "index, 0 to %u)",
                     key, p->name, p->nsteps ? p->nsteps - 1 : 0);
        else if (!p->record)
            fail_key(l, "a script with \"record\": false records no results to check");
        else if (!(r = gs_arena_alloc(l->a, sizeof(*r))))
            oom(l);
        ok = r && parse_regs(l, x, proc, false, r);
        if (ok)
            p->steps[i].x = r;
        gs_jpath_pop(&l->path);
    }
    gs_jpath_pop(&l->path);
    return ok;
}

static bool parse_proc_expect(struct ld *l, json_t *e, int proc, bool *loaded_given)
{
    struct gs_scn_check *c;
    json_t *v;
    static const char *const counter_keys[GS_CNT_COUNT] = {"queued", "dropped_upcalls",
                                                           "syscall_count"};

    if (!check_object(l, e, &gs_scn_pexpect, -1, NULL) || !pexp_loaded(l, e, proc, loaded_given) ||
        !pexp_state(l, e, proc) || !count_field(l, e, "restart_count", GS_CHK_RESTARTS, 0, proc) ||
        !parse_text(l, e, "console", GS_CHK_CONSOLE, proc) ||
        !each_elem(l, e, "faults", proc, fault_elem, "faults ({\"kind\", \"address\"})", &c,
                   GS_CHK_FAULT_COUNT) ||
        !pexp_layout(l, e, proc))
        return false;
    if (!each_elem(l, e, "grants", proc, grant_elem, "grants ({\"driver\", \"address\"})", NULL,
                   GS_CHK_GRANT) ||
        !count_field(l, e, "grant_count", GS_CHK_GRANT_COUNT, 0, proc) ||
        !each_elem(l, e, "mpu", proc, mpu_elem, "MPU regions ({\"region\", \"rbar\", \"rasr\"})",
                   NULL, GS_CHK_MPU) ||
        !needs_script(l, e, "upcalls", proc) || !needs_script(l, e, "steps_done", proc) ||
        !needs_script(l, e, "finished", proc) || !needs_script(l, e, "steps", proc) ||
        !each_elem(l, e, "upcalls", proc, upcall_elem, "upcalls ({\"handler\", \"args\"})", &c,
                   GS_CHK_UPCALL_COUNT) ||
        !count_field(l, e, "steps_done", GS_CHK_STEPS_DONE, 0, proc) ||
        !each_elem(l, e, "memory", proc, memory_elem, "memory expectations", NULL, GS_CHK_MEMORY))
        return false;
    if (json_object_get(e, "finished")) {
        bool b;
        if (fld_bool(l, e, key(&gs_scn_pexpect, "finished"), &b) == BAD)
            return false;
        gs_jpath_push_key(&l->path, "finished");
        c = add_check(l, GS_CHK_FINISHED, proc);
        gs_jpath_pop(&l->path);
        if (!c)
            return false;
        c->flag = b;
    }
    for (unsigned k = 0; k < GS_CNT_COUNT; k++)
        if (!count_field(l, e, counter_keys[k], GS_CHK_COUNTER, k, proc))
            return false;
    v = json_object_get(e, "steps");
    return !v || pexp_steps(l, v, proc);
}

/* expect.led: one boolean per LED of the board's LED driver. */
static bool expect_led(struct ld *l, json_t *v)
{
    const struct gs_scn_driver *led = find_driver_type(l->s, GS_SD_LED);
    struct gs_scn_check *c;
    char *pat;

    if (!led)
        return fail(l, "the board has no LED driver");
    if (!json_is_array(v) || json_array_size(v) != led->led_count)
        return fail(l, "expected an array of %u booleans (one per LED), got %s", led->led_count,
                    GOT(v));
    c = add_check(l, GS_CHK_LED, -1);
    pat = gs_arena_alloc(l->a, led->led_count + 1);
    if (!c || !pat)
        return oom(l);
    for (unsigned i = 0; i < led->led_count; i++) {
        json_t *b = json_array_get(v, i);
        if (!json_is_boolean(b)) {
            gs_jpath_push_index(&l->path, i);
            fail(l, "expected true (on) or false (off), got %s", GOT(b));
            gs_jpath_pop(&l->path);
            return false;
        }
        pat[i] = json_is_true(b) ? '1' : '0';
    }
    c->str = pat;
    c->len = led->led_count;
    return true;
}

/* expect.kernel_panic: the message (a string), true (any panic) or false (none). */
static bool expect_panic(struct ld *l, json_t *v)
{
    struct gs_scenario *s = l->s;

    s->panic_where = where(l);
    if (json_is_boolean(v)) {
        s->panic = json_is_true(v) ? 1 : -1;
    } else if (json_is_string(v)) {
        s->panic = 1;
        s->panic_msg = gs_arena_strdup(l->a, json_string_value(v));
        if (!s->panic_msg)
            return oom(l);
    } else {
        return fail(l,
                    "expected the panic message (a string), true (any panic) or false (none), "
                    "got %s",
                    GOT(v));
    }
    return true;
}

/* expect.findings: ids "KIND:SITE:CLASS" that must be reported. */
static bool expect_findings(struct ld *l, json_t *v)
{
    struct gs_scenario *s = l->s;

    if (!json_is_array(v))
        return fail(l, "expected an array of finding ids (\"isolation:mpu-app-exceeds:-\"), got %s",
                    GOT(v));
    s->nfindings = (unsigned)json_array_size(v);
    s->findings = gs_arena_alloc(l->a, (s->nfindings + 1) * sizeof(*s->findings));
    s->findings_where = gs_arena_alloc(l->a, (s->nfindings + 1) * sizeof(char *));
    if (!s->findings || !s->findings_where)
        return oom(l);
    for (unsigned i = 0; i < s->nfindings; i++) {
        json_t *f = json_array_get(v, i);
        const char *id = json_is_string(f) ? json_string_value(f) : "";
        bool kind_ok = false;
        gs_jpath_push_index(&l->path, i);
        for (unsigned k = 0; k < 4; k++) {
            size_t kl = strlen(gs_scn_oracle_names[k]);
            if (strncmp(id, gs_scn_oracle_names[k], kl) == 0 && (id[kl] == ':' || id[kl] == '*'))
                kind_ok = true;
        }
        if (!kind_ok) {
            fail(l,
                 "expected a finding id \"KIND:SITE:CLASS\" with KIND one of ownership, "
                 "layout, isolation, panic (a trailing * matches any rest), got %s",
                 GOT(f));
            gs_jpath_pop(&l->path);
            return false;
        }
        s->findings[i] = gs_arena_strdup(l->a, id);
        s->findings_where[i] = where(l);
        gs_jpath_pop(&l->path);
        if (!s->findings[i])
            return oom(l);
    }
    return true;
}

/* expect.silent: the oracles that must stay silent. */
static bool expect_silent(struct ld *l, json_t *v)
{
    struct gs_scenario *s = l->s;
    unsigned u;

    if (!json_is_array(v))
        return fail(l,
                    "expected an array of oracle names (ownership, layout, isolation, panic), "
                    "got %s",
                    GOT(v));
    s->silent = 0;
    for (unsigned i = 0; i < json_array_size(v); i++) {
        bool ok;
        gs_jpath_push_index(&l->path, i);
        ok = enum_value(l, json_array_get(v, i), gs_scn_oracle_names, 4, &u, "an oracle");
        gs_jpath_pop(&l->path);
        if (!ok)
            return false;
        s->silent |= 1u << u;
    }
    return true;
}

/* expect.processes: an object keyed by process name. */
static bool expect_processes(struct ld *l, json_t *v, bool *loaded_given)
{
    const char *key;
    json_t *pe;

    if (!json_is_object(v))
        return fail(l, "expected an object keyed by process name, got %s", GOT(v));
    json_object_foreach(v, key, pe)
    {
        int i = find_proc(l->s, key);
        bool ok;
        gs_jpath_push_key(&l->path, key);
        if (i < 0) {
            char names[256];
            proc_names(l->s, names, sizeof(names));
            fail_key(l, "no process named \"%s\" (processes: %s)", key, names);
            gs_jpath_pop(&l->path);
            return false;
        }
        ok = parse_proc_expect(l, pe, i, &loaded_given[i]);
        gs_jpath_pop(&l->path);
        if (!ok)
            return false;
    }
    return true;
}

/* expect[name], when present, read by fn at its path. */
static bool expect_key(struct ld *l, json_t *e, const char *name, bool (*fn)(struct ld *, json_t *))
{
    json_t *v = json_object_get(e, name);
    bool ok;

    if (!v)
        return true;
    gs_jpath_push_key(&l->path, name);
    ok = fn(l, v);
    gs_jpath_pop(&l->path);
    return ok;
}

static bool parse_expect(struct ld *l, json_t *e, bool *loaded_given)
{
    struct gs_scenario *s = l->s;
    struct gs_scn_check *c;
    json_t *v;
    unsigned u;
    bool ok = false;

    s->silent = GS_SCN_SILENT_ALL;
    s->panic = -1;
    if (!e)
        return true;
    gs_jpath_push_key(&l->path, "expect");
    if (!check_object(l, e, &gs_scn_expect, -1, NULL))
        goto out;
    switch (fld_enum(l, e, key(&gs_scn_expect, "run_end"), &u)) {
    case BAD:
        goto out;
    case GOOD:
        gs_jpath_push_key(&l->path, "run_end");
        c = add_check(l, GS_CHK_RUN_END, -1);
        gs_jpath_pop(&l->path);
        if (!c)
            goto out;
        c->num = u;
    }
    if (!parse_text(l, e, "console", GS_CHK_CONSOLE_ALL, -1) ||
        !parse_text(l, e, "debug", GS_CHK_DEBUG, -1) || !expect_key(l, e, "led", expect_led) ||
        !expect_key(l, e, "kernel_panic", expect_panic) ||
        !expect_key(l, e, "findings", expect_findings) ||
        !expect_key(l, e, "silent", expect_silent))
        goto out;
    v = json_object_get(e, "processes");
    if (v) {
        gs_jpath_push_key(&l->path, "processes");
        ok = expect_processes(l, v, loaded_given);
        gs_jpath_pop(&l->path);
    } else {
        ok = true;
    }
out:
    gs_jpath_pop(&l->path);
    return ok;
}

/* ------------------------------------------------------------------ load */

static const char *base_name(struct gs_scn_arena *a, const char *path)
{
    const char *b = strrchr(path, '/');
    char *n;
    size_t len;

    b = b ? b + 1 : path;
    n = gs_arena_strdup(a, b);
    if (n && (len = strlen(n)) > 5 && strcmp(n + len - 5, ".json") == 0)
        n[len - 5] = '\0';
    return n;
}

/* The document of case ci (the file merged with the case's patch), or of the file (ci < 0). */
static json_t *case_document(const struct gs_scn_file *f, int ci)
{
    json_t *patch, *doc;

    if (ci < 0)
        return json_incref(f->root);
    patch = json_copy(f->cases[ci]);
    if (!patch)
        return NULL;
    json_object_del(patch, "id");
    json_object_del(patch, "description");
    doc = merge_patch(f->root, patch);
    json_decref(patch);
    return doc;
}

/* The scenario's own strings: name, description (a case's replaces it), known_divergence. */
static bool parse_top(struct ld *l, json_t *doc)
{
    const struct gs_scn_obj *o = &gs_scn_scenario;
    struct gs_scenario *s = l->s;
    json_t *cd = l->ci >= 0 ? json_object_get(l->f->cases[l->ci], "description") : NULL;
    const char *str = NULL;

    s->name = base_name(l->a, l->f->path);
    if (fld_str(l, doc, key(o, "name"), &str) == BAD)
        return false;
    if (json_object_get(doc, "name"))
        s->name = gs_arena_strdup(l->a, str);
    str = NULL;
    if (fld_str(l, doc, key(o, "description"), &str) == BAD)
        return false;
    if (cd)
        str = json_string_value(cd);
    if (str)
        s->description = gs_arena_strdup(l->a, str);
    str = NULL;
    if (fld_str(l, doc, key(o, "known_divergence"), &str) == BAD)
        return false;
    if (str)
        s->known_divergence = gs_arena_strdup(l->a, str);
    return s->name ? true : oom(l);
}

/*
 * The checks no key asks for: every process loads unless the scenario says
 * otherwise, and one check per step with an expectation, in step order;
 * and each step's text for reports.
 */
static bool implied_checks(struct ld *l, const bool *loaded_given)
{
    struct gs_scenario *s = l->s;

    for (unsigned i = 0; i < s->nprocs; i++) {
        struct gs_scn_check *c;
        if (loaded_given[i])
            continue;
        gs_jpath_push_key(&l->path, "processes");
        gs_jpath_push_index(&l->path, i);
        c = add_check(l, GS_CHK_LOADED, (int)i);
        gs_jpath_pop(&l->path);
        gs_jpath_pop(&l->path);
        if (!c)
            return false;
        c->flag = true;
    }
    for (unsigned i = 0; i < s->nprocs; i++) {
        struct gs_scn_proc *p = &s->procs[i];
        for (unsigned j = 0; j < p->nsteps; j++) {
            struct gs_scn_check *c;
            if (!p->steps[j].x)
                continue;
            c = add_check(l, GS_CHK_STEP, (int)i);
            if (!c)
                return false;
            c->index = j;
            c->where = p->steps[j].x->where;
        }
    }
    return true;
}

/* Validates the case's document into l->s (false after a message, or out of memory). */
static bool load_doc(struct ld *l, json_t *doc)
{
    struct gs_scenario *s = l->s;
    bool *loaded_given, ok;

    /* The merged document is checked like the file was (a case may not break it). */
    if (!check_object(l, doc, &gs_scn_scenario, -1, NULL) || !parse_top(l, doc) ||
        !parse_board(l, json_object_get(doc, "board")) ||
        !parse_drivers(l, json_object_get(doc, "drivers")) ||
        !parse_processes(l, json_object_get(doc, "processes")))
        return false;
    loaded_given = calloc(s->nprocs, sizeof(*loaded_given));
    if (!loaded_given)
        return oom(l);
    ok = parse_expect(l, json_object_get(doc, "expect"), loaded_given) &&
         implied_checks(l, loaded_given);
    free(loaded_given);
    return ok && !l->failed;
}

int gs_scn_load(const struct gs_scn_file *f, int case_index, const struct gs_scn_opts *o,
                struct gs_scenario **out, struct gs_scn_err *err)
{
    struct gs_scenario *s = calloc(1, sizeof(*s));
    struct ld l;
    json_t *doc = NULL;
    int rc = GS_E_ARG;

    if (err)
        memset(err, 0, sizeof(*err));
    if (!s)
        return GS_E_NOMEM_HOST;
    s->arena = calloc(1, sizeof(*s->arena));
    if (!s->arena) {
        free(s);
        return GS_E_NOMEM_HOST;
    }
    memset(&l, 0, sizeof(l));
    l.f = f;
    l.ci = case_index;
    l.err = err;
    l.s = s;
    l.a = s->arena;
    l.o = o;
    if (case_index >= (int)f->ncases || (case_index < 0 && f->ncases > 0)) {
        if (err)
            snprintf(err->msg, sizeof(err->msg), "%s: no case %d", f->path, case_index);
        goto out;
    }
    doc = case_document(f, case_index);
    if (case_index >= 0)
        s->case_id = gs_arena_strdup(l.a, f->ids[case_index]);
    if (!doc || (case_index >= 0 && !s->case_id)) {
        rc = GS_E_NOMEM_HOST;
        goto out;
    }
    s->file = gs_arena_strdup(l.a, f->path);
    s->where = where(&l);
    if (!s->file) {
        oom(&l);
        goto out;
    }
    if (!load_doc(&l, doc))
        goto out;
    if (l.nchecks && !gs_arena_adopt(l.a, l.checks)) {
        l.checks = NULL;
        oom(&l);
        goto out;
    }
    s->checks = l.checks;
    s->nchecks = l.nchecks;
    l.checks = NULL;
    rc = GS_OK;
out:
    if (l.oom)
        rc = GS_E_NOMEM_HOST;
    json_decref(doc);
    free(l.pend);
    free(l.checks);
    if (rc) {
        gs_scenario_free(s);
        return rc;
    }
    *out = s;
    return GS_OK;
}

void gs_scenario_free(struct gs_scenario *s)
{
    if (!s)
        return;
    gs_arena_free(s->arena);
    free(s->arena);
    free(s);
}
