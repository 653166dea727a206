/* SPDX-License-Identifier: MIT */
/*
 * gen-schema: writes the scenario format's JSON Schema (draft 7) from the
 * key table (keys.h), for editors and for scenarios/schema.json.
 *
 *   gen-schema [FILE]           write the schema to FILE (default: stdout)
 *   gen-schema --check FILE     exit 1, naming the first differing line,
 *                               when FILE is not what the table gives
 *
 * Each key becomes a property with its description (and, when it has no
 * constant default, what happens without it), its default, an example, and
 * its forms (several: anyOf). A number is an integer with the key's range,
 * or a "0x..." string (whose range a schema cannot state: grantsim checks
 * it); variants (a driver's type, a process's source) become if/then rules
 * on the keys each allows. The output is formatted for diffs: a value
 * stays on one line when it fits in 100 columns.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "scenario.h"

#define WIDTH 100

static void die(const char *what)
{
    fprintf(stderr, "gen-schema: %s\n", what);
    exit(1);
}

/* Adds v to o under key (o takes the reference). */
static void put(json_t *o, const char *key, json_t *v)
{
    if (!v || json_object_set_new(o, key, v) != 0)
        die("out of memory");
}

static void push(json_t *a, json_t *v)
{
    if (!v || json_array_append_new(a, v) != 0)
        die("out of memory");
}

static json_t *ref(const char *def)
{
    char buf[128];
    json_t *o = json_object();

    snprintf(buf, sizeof(buf), "#/definitions/%s", def);
    put(o, "$ref", json_string(buf));
    return o;
}

static json_t *names_of(const struct gs_scn_key *k)
{
    json_t *a = json_array();

    for (unsigned i = 0; i < k->nnames; i++)
        if (k->names[i])
            push(a, json_string(k->names[i]));
    return a;
}

/* JSON integers are 64-bit signed in jansson: a larger maximum is that. */
static json_t *integer(uint64_t x)
{
    return json_integer(x > (uint64_t)INT64_MAX ? INT64_MAX : (json_int_t)x);
}

static json_t *num_branch(const struct gs_scn_key *k)
{
    json_t *b = json_object();

    put(b, "type", json_string("integer"));
    if ((k->flags & GS_KF_INT) && k->min == k->max) {
        put(b, "const", integer(k->min));
    } else if (k->flags & GS_KF_PO2) {
        json_t *e = json_array();
        for (uint64_t x = 1; x && x <= k->max; x <<= 1)
            if (x >= k->min)
                push(e, integer(x));
        put(b, "enum", e);
    } else {
        put(b, "minimum", integer(k->min));
        put(b, "maximum", integer(k->max));
    }
    return b;
}

static json_t *key_schema(const struct gs_scn_key *k);

/* The schemas of the forms of k, in the order an editor offers them. */
static json_t *branches(const struct gs_scn_key *k)
{
    json_t *a = json_array(), *b;

    if (k->forms & GS_F_ENUM) {
        b = json_object();
        put(b, "enum", names_of(k));
        push(a, b);
    }
    if (k->forms & GS_F_BOOL) {
        b = json_object();
        put(b, "type", json_string("boolean"));
        push(a, b);
    }
    if (k->forms & GS_F_NUM) {
        push(a, num_branch(k));
        if (!(k->flags & GS_KF_INT))
            push(a, ref("hex"));
    }
    if (k->forms & GS_F_REG) {
        b = json_object();
        put(b, "type", json_string("integer"));
        put(b, "minimum", json_integer(-0x80000000ll));
        put(b, "maximum", json_integer(0xFFFFFFFFll));
        push(a, b);
        push(a, ref("reg_hex"));
    }
    if (k->forms & GS_F_STR) {
        b = json_object();
        put(b, "type", json_string("string"));
        if (k->min && !(k->forms & (GS_F_NUM | GS_F_ARR)))
            put(b, "minLength", integer(k->min));
        if (k->max && !(k->forms & (GS_F_NUM | GS_F_ARR)))
            put(b, "maxLength", integer(k->max));
        if (k->pattern)
            put(b, "pattern", json_string(k->pattern));
        push(a, b);
    }
    if (k->forms & GS_F_OBJ) {
        if (k->obj) {
            push(a, ref(k->obj->name));
        } else {
            b = json_object();
            put(b, "type", json_string("object"));
            push(a, b);
        }
    }
    if (k->forms & GS_F_ARR) {
        b = json_object();
        put(b, "type", json_string("array"));
        if (k->item)
            put(b, "items", key_schema(k->item));
        if (k->min)
            put(b, "minItems", integer(k->min));
        if (k->max)
            put(b, "maxItems", integer(k->max));
        push(a, b);
    }
    if (k->forms & GS_F_MAP) {
        b = json_object();
        put(b, "type", json_string("object"));
        put(b, "additionalProperties", key_schema(k->item));
        push(a, b);
    }
    if (k->forms & GS_F_NULL) {
        b = json_object();
        put(b, "type", json_string("null"));
        push(a, b);
    }
    return a;
}

static char *hex(uint64_t x)
{
    static char buf[32];

    snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)x);
    return buf;
}

/* The constant default of k as JSON (gs_scn_key_default's text), or NULL. */
static json_t *default_of(const struct gs_scn_key *k)
{
    char text[1024];
    json_error_t je;
    json_t *v;

    if (!(k->flags & GS_KF_DEF))
        return NULL;
    if (!gs_scn_key_default(k, text, sizeof(text)) ||
        !(v = json_loads(text, JSON_DECODE_ANY, &je))) {
        fprintf(stderr, "gen-schema: the default of \"%s\" is not JSON\n", k->name);
        exit(1);
    }
    return v;
}

/* The description of k (with what happens when it is absent, if no constant says it). */
static json_t *describe(const struct gs_scn_key *k, const struct gs_scn_obj *o)
{
    char buf[1024], vd[256] = "";
    const char *absent = k->dflt ? k->dflt : o && !k->need ? o->absent : NULL;

    if (k->vdef && o) {
        size_t at = 0;
        for (unsigned v = 0; v < o->nvariants && at < sizeof(vd); v++)
            at += (size_t)snprintf(vd + at, sizeof(vd) - at, "%s%s %s", v ? ", " : " (",
                                   o->variants[v], hex(k->vdef[v]));
        if (at < sizeof(vd))
            snprintf(vd + at, sizeof(vd) - at, ")");
    }
    if ((k->flags & GS_KF_DEF) || !absent)
        snprintf(buf, sizeof(buf), "%s", k->desc);
    else
        snprintf(buf, sizeof(buf), "%s Default: %s%s.", k->desc, absent, vd);
    return json_string(buf);
}

/* The forms of k as one schema (an item of an array or map: no annotations). */
static json_t *key_schema(const struct gs_scn_key *k)
{
    json_t *b = branches(k), *one;

    if (json_array_size(b) != 1) {
        json_t *o = json_object();
        put(o, "anyOf", b);
        return o;
    }
    one = json_incref(json_array_get(b, 0));
    json_decref(b);
    return one;
}

/* A property: k's description, default, example and forms. */
static json_t *property(const struct gs_scn_key *k, const struct gs_scn_obj *o)
{
    json_t *p = json_object(), *f = key_schema(k), *d, *ex, *exs = json_array();
    json_error_t je;

    put(p, "description", describe(k, o));
    d = default_of(k);
    if (d)
        put(p, "default", d);
    ex = json_loads(k->example, JSON_DECODE_ANY, &je);
    if (!ex) {
        fprintf(stderr, "gen-schema: %s.%s: the example is not JSON: %s\n", o->name, k->name,
                je.text);
        exit(1);
    }
    push(exs, ex);
    put(p, "examples", exs);
    if (json_object_get(f, "$ref")) {
        /* Draft 7 ignores what stands beside a $ref: wrap it. */
        json_t *all = json_array();
        push(all, f);
        put(p, "allOf", all);
    } else {
        json_object_update(p, f);
        json_decref(f);
    }
    return p;
}

/* The if/then rule of variant v of o: the keys it allows (and its defaults). */
static json_t *variant_rule(const struct gs_scn_obj *o, unsigned v)
{
    json_t *r = json_object(), *cond = json_object(), *then = json_object(), *req = json_array();
    json_t *allowed = json_array(), *props = json_object();

    if (o->variant_key) {
        json_t *c = json_object(), *p = json_object();
        put(c, "const", json_string(o->variants[v]));
        put(p, o->variant_key, c);
        put(cond, "properties", p);
        push(req, json_string(o->variant_key));
    } else {
        push(req, json_string(o->variants[v]));
    }
    put(cond, "required", req);
    for (unsigned i = 0; i < o->nkeys; i++) {
        const struct gs_scn_key *k = &o->keys[i];
        if (!gs_scn_key_in(k, (int)v))
            continue;
        push(allowed, json_string(k->name));
        if (k->vdef) {
            json_t *d = json_object();
            put(d, "default", json_string(hex(k->vdef[v])));
            put(props, k->name, d);
        }
    }
    put(r, "if", cond);
    if (json_object_size(props))
        put(then, "properties", props);
    else
        json_decref(props);
    {
        json_t *pn = json_object();
        put(pn, "enum", allowed);
        put(then, "propertyNames", pn);
    }
    put(r, "then", then);
    return r;
}

/* The members of an object kind's schema (added to `d`). */
static void object_schema(json_t *d, const struct gs_scn_obj *o)
{
    json_t *props = json_object(), *req = json_array(), *one = json_array(), *rules;

    put(d, "description", json_string(o->desc));
    put(d, "type", json_string("object"));
    put(d, "additionalProperties", json_false());
    for (unsigned i = 0; i < o->nkeys; i++) {
        const struct gs_scn_key *k = &o->keys[i];
        put(props, k->name, property(k, o));
        if (k->need)
            push(req, json_string(k->name));
        if (k->flags & GS_KF_ONE_OF) {
            json_t *r = json_object(), *n = json_array();
            push(n, json_string(k->name));
            put(r, "required", n);
            push(one, r);
        }
    }
    if (json_array_size(req))
        put(d, "required", req);
    else
        json_decref(req);
    if (o->nonempty)
        put(d, "minProperties", json_integer(1));
    if (json_array_size(one))
        put(d, "oneOf", one);
    else
        json_decref(one);
    put(d, "properties", props);
    if (!o->nvariants)
        return;
    rules = json_array();
    for (unsigned v = 0; v < o->nvariants; v++)
        push(rules, variant_rule(o, v));
    put(d, "allOf", rules);
}

static json_t *schema(void)
{
    json_t *s = json_object(), *defs = json_object(), *h;
    char title[64];

    put(s, "$schema", json_string("http://json-schema.org/draft-07/schema#"));
    put(s, "$id", json_string("https://grantsim.invalid/scenario-1.schema.json"));
    snprintf(title, sizeof(title), "grantsim scenario, format version %d", GS_SCN_VERSION);
    put(s, "title", json_string(title));
    object_schema(s, gs_scn_objs[0]);
    h = json_object();
    put(h, "description",
        json_string("A number as a hex string: \"0x...\" (its range is "
                    "the integer's; grantsim checks it)."));
    put(h, "type", json_string("string"));
    put(h, "pattern", json_string("^0[xX][0-9a-fA-F]+$"));
    put(defs, "hex", h);
    h = json_object();
    put(h, "description",
        json_string("A 32-bit register value as a hex string: \"0x...\" up to "
                    "0xffffffff, or \"-0x...\" down to -0x80000000."));
    put(h, "type", json_string("string"));
    put(h, "pattern", json_string("^-?0[xX]0*[0-9a-fA-F]{1,8}$"));
    put(defs, "reg_hex", h);
    for (unsigned i = 1; i < gs_scn_nobjs; i++) {
        json_t *d = json_object();
        object_schema(d, gs_scn_objs[i]);
        put(defs, gs_scn_objs[i]->name, d);
    }
    put(s, "definitions", defs);
    return s;
}

/* ------------------------------------------------------------ formatting */

static void dump(FILE *f, const json_t *v, unsigned indent, unsigned used);

/* Is v an array of strings and numbers only? */
static bool scalars(const json_t *v)
{
    for (size_t i = 0; i < json_array_size(v); i++) {
        const json_t *e = json_array_get(v, i);
        if (!json_is_string(e) && !json_is_integer(e))
            return false;
    }
    return true;
}

static void dump_key(FILE *f, const char *key, unsigned indent)
{
    json_t *k = json_string(key);
    char *s = json_dumps(k, JSON_ENCODE_ANY);

    if (!s)
        die("out of memory");
    fprintf(f, "%*s%s: ", (int)indent, "", s);
    free(s);
    json_decref(k);
}

/* One line when it fits in WIDTH columns (from column `used`), else one member per line. */
static void dump(FILE *f, const json_t *v, unsigned indent, unsigned used)
{
    char *s = json_dumps(v, JSON_ENCODE_ANY);
    size_t i = 0, n;

    if (!s)
        die("out of memory");
    if ((!json_is_object(v) && !json_is_array(v)) || used + strlen(s) <= WIDTH ||
        (json_is_object(v) ? json_object_size(v) : json_array_size(v)) == 0) {
        fputs(s, f);
        free(s);
        return;
    }
    free(s);
    n = json_is_object(v) ? json_object_size(v) : json_array_size(v);
    fputs(json_is_object(v) ? "{\n" : "[\n", f);
    if (json_is_object(v)) {
        const char *key;
        json_t *x;
        json_object_foreach((json_t *)v, key, x)
        {
            json_t *ks = json_string(key);
            char *kt = json_dumps(ks, JSON_ENCODE_ANY);
            unsigned klen = kt ? (unsigned)strlen(kt) : 0;
            free(kt);
            json_decref(ks);
            dump_key(f, key, indent + 2);
            dump(f, x, indent + 2, indent + 2 + klen + 2);
            fputs(++i < n ? ",\n" : "\n", f);
        }
    } else if (scalars(v)) {
        /* A list of names or numbers: as many to a line as fit. */
        unsigned col = indent + 2;
        fprintf(f, "%*s", (int)col, "");
        for (i = 0; i < n; i++) {
            char *e = json_dumps(json_array_get(v, i), JSON_ENCODE_ANY);
            size_t w = e ? strlen(e) : 0;
            if (!e)
                die("out of memory");
            if (i && col + 2 + w + 1 > WIDTH) {
                fprintf(f, ",\n%*s", (int)indent + 2, "");
                col = indent + 2;
            } else if (i) {
                fputs(", ", f);
                col += 2;
            }
            fputs(e, f);
            col += (unsigned)w;
            free(e);
        }
        fputc('\n', f);
    } else {
        for (i = 0; i < n; i++) {
            fprintf(f, "%*s", (int)indent + 2, "");
            dump(f, json_array_get(v, i), indent + 2, indent + 2);
            fputs(i + 1 < n ? ",\n" : "\n", f);
        }
    }
    fprintf(f, "%*s%s", (int)indent, "", json_is_object(v) ? "}" : "]");
}

/* The schema's text, malloc'd. */
static char *text(size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    json_t *s = schema();

    if (!f)
        die("out of memory");
    dump(f, s, 0, 0);
    fputc('\n', f);
    fclose(f);
    json_decref(s);
    return buf;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0;

    if (!f)
        return NULL;
    for (;;) {
        if (n == cap) {
            char *nb = realloc(buf, cap = cap ? 2 * cap : 65536);
            if (!nb)
                die("out of memory");
            buf = nb;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    fclose(f);
    *len = n;
    return buf;
}

/* Line `no` (1-based) of t, for the message. */
static void print_line(const char *label, const char *t, size_t len, unsigned no)
{
    const char *p = t, *end = t + len;

    for (unsigned l = 1; l < no && p < end; p++)
        if (*p == '\n')
            l++;
    const char *e = memchr(p, '\n', (size_t)(end - p));
    fprintf(stderr, "  %s: %.*s\n", label, (int)((e ? e : end) - p), p);
}

static int check(const char *path)
{
    size_t glen, flen = 0;
    char *gen = text(&glen), *file = read_all(path, &flen);
    unsigned line = 1;
    size_t i = 0;

    if (!file) {
        fprintf(stderr, "gen-schema: %s: cannot read: %s\n", path, strerror(errno));
        free(gen);
        return 1;
    }
    if (flen == glen && memcmp(gen, file, glen) == 0) {
        printf("%s is what the key table (src/scenario/keys.c) gives\n", path);
        free(gen);
        free(file);
        return 0;
    }
    for (; i < glen && i < flen && gen[i] == file[i]; i++)
        if (gen[i] == '\n')
            line++;
    fprintf(stderr,
            "%s: not what the key table (src/scenario/keys.c) gives; first difference at line "
            "%u:\n",
            path, line);
    print_line("file     ", file, flen, line);
    print_line("generated", gen, glen, line);
    fprintf(stderr, "regenerate it: meson compile -C BUILDDIR update-schema\n");
    free(gen);
    free(file);
    return 1;
}

int main(int argc, char **argv)
{
    size_t len;
    char *t;
    FILE *f = stdout;

    if (argc == 3 && strcmp(argv[1], "--check") == 0)
        return check(argv[2]);
    if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
        fprintf(stderr, "usage: gen-schema [FILE] | gen-schema --check FILE\n");
        return 2;
    }
    t = text(&len);
    if (argc == 2 && !(f = fopen(argv[1], "wb"))) {
        fprintf(stderr, "gen-schema: %s: %s\n", argv[1], strerror(errno));
        free(t);
        return 1;
    }
    if (fwrite(t, 1, len, f) != len || (f != stdout && fclose(f) != 0)) {
        fprintf(stderr, "gen-schema: cannot write the schema\n");
        free(t);
        return 1;
    }
    free(t);
    return 0;
}
