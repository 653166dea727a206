/* SPDX-License-Identifier: MIT */
/*
 * Scenario files: the JSON path locator, the format's key table (complete,
 * every example and default accepted by the loader, the defaults the
 * board's), every class of loader error (each with its file:line:col:
 * path: message), robustness against truncated and garbled input, and the
 * runner (pass, a wrong expectation with its map,
 * findings, panics, known divergences, ELF/TBF files, deterministic traces).
 */
#include <check.h>
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errors.h"
#include "helpers.h"
#include "jpath.h"
#include "keys.h"
#include "loader.h"
#include "machine.h"
#include "scenario.h"
#include "sched.h"

/* ---------------------------------------------------------------- jpath */

START_TEST(jpath_locates_values_and_keys)
{
    const char *t = "{\n  \"a\": [1, {\"b\\u0063\": \"x\"}],\n  \"é\": {\"k\": 7}\n}";
    struct gs_jcomp c[3] = {{"a", 0}, {NULL, 1}, {"bc", 0}};
    struct gs_jpos pos;

    ck_assert(gs_jpath_locate(t, strlen(t), c, 3, false, &pos));
    ck_assert_uint_eq(pos.line, 2);
    ck_assert_uint_eq(pos.col, 24); /* the value "x" (escaped key matched) */
    ck_assert(gs_jpath_locate(t, strlen(t), c, 3, true, &pos));
    ck_assert_uint_eq(pos.col, 13); /* the key */
    /* Columns count characters: "é" is one. */
    c[0].key = "é";
    c[1].key = "k";
    ck_assert(gs_jpath_locate(t, strlen(t), c, 2, false, &pos));
    ck_assert_uint_eq(pos.line, 3);
    ck_assert_uint_eq(pos.col, 14);
    /* A missing component: the deepest prefix found. */
    c[1].key = "zz";
    ck_assert(!gs_jpath_locate(t, strlen(t), c, 2, false, &pos));
    ck_assert_uint_eq(pos.depth, 1);
    ck_assert_uint_eq(pos.line, 3);
    ck_assert_uint_eq(pos.col, 8);
    /* Index out of range. */
    c[0].key = "a";
    c[1].key = NULL;
    c[1].index = 5;
    ck_assert(!gs_jpath_locate(t, strlen(t), c, 2, false, &pos));
    ck_assert_uint_eq(pos.depth, 1);
}
END_TEST

START_TEST(jpath_formats_paths)
{
    struct gs_jcomp c[4] = {{"processes", 0}, {NULL, 2}, {"org.x", 0}, {"a\"b", 0}};
    char buf[64];

    ck_assert_str_eq(gs_jpath_format(c, 2, buf, sizeof(buf)), "processes[2]");
    ck_assert_str_eq(gs_jpath_format(c, 3, buf, sizeof(buf)), "processes[2][\"org.x\"]");
    ck_assert_str_eq(gs_jpath_format(c, 4, buf, sizeof(buf)),
                     "processes[2][\"org.x\"][\"a\\\"b\"]");
    ck_assert_str_eq(gs_jpath_format(c, 0, buf, sizeof(buf)), "(top level)");
    ck_assert_str_eq(gs_jpath_format(c, 4, buf, 8), "process"); /* truncated, terminated */
}
END_TEST

/* Every prefix and many garbled copies of a text: the locator never reads outside. */
START_TEST(jpath_survives_garbage)
{
    const char *t = "{\"a\": [1, {\"b\": \"x\\\"y\"}, [[]]], \"c\": {\"d\": -1.5e3}}";
    size_t n = strlen(t);
    struct gs_jcomp c[3] = {{"a", 0}, {NULL, 1}, {"b", 0}};
    struct gs_jpos pos;
    unsigned seed = 1;

    for (size_t k = 0; k <= n; k++) {
        char *p = malloc(k ? k : 1);
        memcpy(p, t, k);
        gs_jpath_locate(p, k, c, 3, false, &pos);
        ck_assert_uint_le(pos.offset, k);
        free(p);
    }
    for (unsigned r = 0; r < 2000; r++) {
        char buf[128];
        memcpy(buf, t, n);
        for (unsigned f = 0; f < 3; f++) {
            seed = seed * 1103515245u + 12345u;
            buf[(seed >> 8) % n] = (char)(seed >> 16);
        }
        gs_jpath_locate(buf, n, c, 3, true, &pos);
        ck_assert_uint_le(pos.offset, n);
    }
}
END_TEST

/*
 * gs_jpath_locate_memo gives exactly gs_jpath_locate's answers, whatever the
 * order of the paths: every path of every bundled scenario (and paths one
 * step off: the next index, an unknown key), at the value and at the key, in
 * document order (as the loader asks), in reverse, and shuffled; and the
 * same paths on garbled copies of the text.
 */
#define MEMO_PATHS 20000
struct memo_paths {
    struct gs_jcomp c[MEMO_PATHS][GS_JPATH_MAX];
    unsigned n[MEMO_PATHS];
    unsigned count;
};

static void memo_add(struct memo_paths *mp, const struct gs_jcomp *c, unsigned n)
{
    if (mp->count < MEMO_PATHS) {
        memcpy(mp->c[mp->count], c, n * sizeof(*c));
        mp->n[mp->count++] = n;
    }
}

static void memo_walk(struct memo_paths *mp, json_t *v, struct gs_jcomp *c, unsigned n)
{
    memo_add(mp, c, n);
    if (n + 1 >= GS_JPATH_MAX)
        return;
    if (json_is_object(v)) {
        const char *k;
        json_t *e;
        json_object_foreach(v, k, e)
        {
            c[n].key = k;
            c[n].index = 0;
            memo_walk(mp, e, c, n + 1);
        }
        c[n].key = "no-such-key";
        memo_add(mp, c, n + 1);
    } else if (json_is_array(v)) {
        for (size_t i = 0; i <= json_array_size(v); i++) {
            c[n].key = NULL;
            c[n].index = i;
            if (i < json_array_size(v))
                memo_walk(mp, json_array_get(v, i), c, n + 1);
            else
                memo_add(mp, c, n + 1); /* one past the end */
        }
    }
}

static void memo_compare(const char *text, size_t len, const struct memo_paths *mp,
                         const unsigned *order, const char *what)
{
    struct gs_jpath_memo *m = calloc(1, sizeof(*m));

    ck_assert_ptr_nonnull(m);
    for (unsigned j = 0; j < 2 * mp->count; j++) {
        unsigned k = order[j / 2];
        bool at_key = j % 2, r1, r2;
        struct gs_jpos p1, p2;
        r1 = gs_jpath_locate(text, len, mp->c[k], mp->n[k], at_key, &p1);
        r2 = gs_jpath_locate_memo(text, len, mp->c[k], mp->n[k], at_key, m, &p2);
        ck_assert_msg(
            r1 == r2 && p1.offset == p2.offset && p1.line == p2.line && p1.col == p2.col &&
                p1.depth == p2.depth,
            "%s: path %u (%u components): %d %zu %u:%u d%u, with the memo %d %zu %u:%u d%u", what,
            k, mp->n[k], r1, p1.offset, p1.line, p1.col, p1.depth, r2, p2.offset, p2.line, p2.col,
            p2.depth);
    }
    free(m);
}

START_TEST(jpath_memo_gives_the_same_positions)
{
    DIR *d = opendir(GS_SCENARIO_DIR);
    struct dirent *e;
    struct memo_paths *mp = malloc(sizeof(*mp));
    unsigned *order = malloc(MEMO_PATHS * sizeof(*order)), files = 0, seed = 3;

    ck_assert_ptr_nonnull(d);
    ck_assert_ptr_nonnull(mp);
    ck_assert_ptr_nonnull(order);
    while ((e = readdir(d)) != NULL) {
        char path[600], *text;
        size_t n = strlen(e->d_name), len;
        struct gs_jcomp c[GS_JPATH_MAX];
        json_t *root;
        FILE *f;
        long sz;

        if (n < 6 || strcmp(e->d_name + n - 5, ".json") != 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", GS_SCENARIO_DIR, e->d_name);
        f = fopen(path, "rb");
        ck_assert_ptr_nonnull(f);
        fseek(f, 0, SEEK_END);
        sz = ftell(f);
        fseek(f, 0, SEEK_SET);
        text = malloc((size_t)sz + 1);
        len = fread(text, 1, (size_t)sz, f);
        fclose(f);
        text[len] = '\0';
        root = json_loadb(text, len, 0, NULL);
        ck_assert_msg(root != NULL, "%s", path);
        mp->count = 0;
        memo_walk(mp, root, c, 0);
        for (unsigned k = 0; k < mp->count; k++)
            order[k] = k;
        memo_compare(text, len, mp, order, e->d_name);
        for (unsigned k = 0; k < mp->count; k++)
            order[k] = mp->count - 1 - k;
        memo_compare(text, len, mp, order, e->d_name);
        for (unsigned k = mp->count; k > 1; k--) {
            unsigned r, t;
            seed = seed * 1103515245u + 12345u;
            r = (seed >> 8) % k;
            t = order[k - 1];
            order[k - 1] = order[r];
            order[r] = t;
        }
        memo_compare(text, len, mp, order, e->d_name);
        for (unsigned g = 0; g < 20; g++) {
            for (unsigned f2 = 0; f2 < 3; f2++) {
                static const char bytes[] = "{}[]\",: \n\\x";
                seed = seed * 1103515245u + 12345u;
                text[(seed >> 8) % len] = bytes[(seed >> 20) % (sizeof(bytes) - 1)];
            }
            memo_compare(text, len, mp, order, e->d_name);
        }
        json_decref(root);
        free(text);
        files++;
    }
    closedir(d);
    ck_assert_uint_gt(files, 10);
    free(order);
    free(mp);
}
END_TEST

/* ------------------------------------------------------------ load errors */

static struct gs_scn_opts opts = {.apps_dir = GS_APP_DIR};

/* Loads text as file "t.json" (all cases); returns 0 or the first error. */
static int load_text(const char *text, struct gs_scn_err *err)
{
    struct gs_scn_file *f = NULL;
    int e = gs_scn_file_from_string("t.json", text, strlen(text), &f, err);

    if (e)
        return e;
    for (unsigned c = 0; c < (gs_scn_file_ncases(f) ? gs_scn_file_ncases(f) : 1); c++) {
        struct gs_scenario *s = NULL;
        e = gs_scn_load(f, gs_scn_file_ncases(f) ? (int)c : -1, &opts, &s, err);
        gs_scenario_free(s);
        if (e)
            break;
    }
    gs_scn_file_free(f);
    return e;
}

/* One bad input: the text, then what the message must contain. */
struct bad {
    const char *text;
    const char *where; /* "t.json:L:C: PATH" prefix, or NULL */
    const char *says;  /* a substring of the message */
};

#define P(body)  "{\"grantsim\": 1, \"processes\": [" body "]}"
#define S(steps) P("{\"name\": \"s\", \"script\": [" steps "]}")
#define CON(input)                                                                                 \
    "{\"grantsim\": 1, \"drivers\": [{\"type\": \"console\", \"input\": " input "}], "             \
    "\"processes\": [{\"name\": \"s\", \"script\": []}]}"
#define E(exp)                                                                                     \
    "{\"grantsim\": 1, \"processes\": [{\"name\": \"s\", \"script\": []}], \"expect\": " exp "}"

static const struct bad bads[] = {
    /* Syntax, and not a scenario at all. */
    {"", "t.json:1:1", "the file is empty"},
    {"{\"grantsim\": 1,", "t.json:1:15", "invalid JSON"},
    {"{\"grantsim\": 1,\n \"processes\": [}\n", "t.json:2:16", "invalid JSON"},
    {"\x01\x02\xff", "t.json:1:1", "invalid JSON"},
    {"{\"grantsim\": 1, \"grantsim\": 1}", "t.json:1:26", "duplicate object key"},
    {"[1, 2]", "t.json:1:1: (top level)", "expected a scenario"},
    {"{\"processes\": []}", "t.json:1:1: (top level)", "missing key \"grantsim\""},
    {"{\"grantsim\": 2}", "t.json:1:14: grantsim", "expected 1 (the scenario format version"},
    {"{\"grantsim\": \"1\"}", "t.json:1:14: grantsim", "got \"1\""},
    /* Unknown keys, with the allowed ones and a suggestion. */
    {"{\"grantsim\": 1, \"procs\": []}", "t.json:1:17: procs",
     "unknown key \"procs\" (did you mean \"processes\"?); allowed keys in a scenario:"},
    {"{\"grantsim\": 1}", "t.json:1:1: (top level)", "missing key \"processes\""},
    {P(""), "t.json:1:30: processes", "expected an array of 1 to 16 processes"},
    {P("{\"name\": \"s\", \"scirpt\": []}"), "t.json:1:45: processes[0].scirpt",
     "unknown key \"scirpt\" (did you mean \"script\"?)"},
    /* Board: keys, types, ranges, geometry. */
    {"{\"grantsim\": 1, \"board\": {\"ram\": {\"base\": 1}}, \"processes\": []}",
     "t.json:1:43: board.ram.base", "multiple of 1 KiB"},
    {"{\"grantsim\": 1, \"board\": {\"ram\": {\"size\": \"big\"}}, \"processes\": []}",
     "board.ram.size", "expected a size in bytes (an integer, or a \"0x...\" string), got \"big\""},
    {"{\"grantsim\": 1, \"board\": {\"ram\": {\"size\": 1.5}}, \"processes\": []}",
     "board.ram.size", "not an integer"},
    {"{\"grantsim\": 1, \"board\": {\"ram\": {\"size\": -1024}}, \"processes\": []}",
     "board.ram.size", "from 1024 to 0x4000000, got -1024"},
    {"{\"grantsim\": 1, \"board\": {\"ram\": {\"size\": \"0x\"}}, \"processes\": []}",
     "board.ram.size", "got \"0x\""},
    {"{\"grantsim\": 1, \"board\": {\"rng_seed\": \"0x1ffffffffffffffff\"}, \"processes\": []}",
     "board.rng_seed", "a seed"},
    {"{\"grantsim\": 1, \"board\": {\"flash\": {\"base\": \"0x20000000\", \"size\": \"0x10000\"}}, "
     "\"processes\": []}",
     "board.ram", "overlaps flash"},
    {"{\"grantsim\": 1, \"board\": {\"app_flash_start\": \"0x90000\"}, \"processes\": []}",
     "board.app_flash_start", "inside flash"},
    {"{\"grantsim\": 1, \"board\": {\"mpu\": {\"regions\": 12}}, \"processes\": []}",
     "t.json:1:46: board.mpu.regions", "8 (Cortex-M3/M4) or 16 (Cortex-M7)"},
    {"{\"grantsim\": 1, \"board\": {\"mpu\": {\"model\": \"v8m\"}}, \"processes\": []}",
     "board.mpu.model", "one of \"pmsav7\""},
    {"{\"grantsim\": 1, \"board\": {\"profile\": \"2.3\"}, \"processes\": []}", "board.profile",
     "one of \"head\", \"2.2\"; got \"2.3\""},
    {"{\"grantsim\": 1, \"board\": {\"num_procs\": 17}, \"processes\": []}", "board.num_procs",
     "from 1 to 16, got 17"},
    {"{\"grantsim\": 1, \"board\": {\"pcb_align\": 3}, \"processes\": []}", "board.pcb_align",
     "power of two"},
    {"{\"grantsim\": 1, \"board\": {\"fault_policy\": \"explode\"}, \"processes\": []}",
     "board.fault_policy", "one of \"panic\", \"stop\""},
    {"{\"grantsim\": 1, \"board\": {\"timeslice\": 5}, \"processes\": []}", "board.timeslice",
     "from 20 to"},
    {"{\"grantsim\": 1, \"board\": {\"inline_svc\": 1}, \"processes\": []}", "board.inline_svc",
     "expected true or false"},
    {"{\"grantsim\": 1, \"board\": [], \"processes\": []}", "t.json:1:26: board",
     "expected board (an object), got an array"},
    /* Drivers. */
    {"{\"grantsim\": 1, \"drivers\": [{\"type\": \"uart\"}], \"processes\": []}",
     "t.json:1:38: drivers[0].type", "one of \"console\", \"alarm\""},
    {"{\"grantsim\": 1, \"drivers\": [{\"driver\": 1}], \"processes\": []}", "drivers[0]",
     "missing key \"type\""},
    {"{\"grantsim\": 1, \"drivers\": [{\"type\": \"console\"}, {\"type\": \"led\", \"driver\": "
     "1}], "
     "\"processes\": []}",
     "t.json:1:76: drivers[1].driver", "driver number 0x1 is already used by drivers[0] (console)"},
    {"{\"grantsim\": 1, \"drivers\": [{\"type\": \"console\"}, {\"type\": \"console\", \"driver\": "
     "5}], "
     "\"processes\": []}",
     "drivers[1].type", "at most one console driver"},
    {"{\"grantsim\": 1, \"drivers\": [{\"type\": \"test\", \"driver\": 1}, {\"type\": \"test\", "
     "\"driver\": 2}, {\"type\": \"test\", \"driver\": 3}, {\"type\": \"test\", \"driver\": 4}, "
     "{\"type\": \"test\", \"driver\": 5}], \"processes\": []}",
     "drivers[4]", "at most 4 test drivers"},
    {"{\"grantsim\": 1, \"drivers\": [{\"type\": \"test\", \"grant\": {\"t_align\": 3}}], "
     "\"processes\": []}",
     "drivers[0].grant.t_align", "power of two"},
    {"{\"grantsim\": 1, \"drivers\": [{\"type\": \"test\", \"grant\": {\"t_size\": 12, "
     "\"t_align\": "
     "8}}], \"processes\": []}",
     "drivers[0].grant.t_size", "multiple of its alignment 8"},
    {"{\"grantsim\": 1, \"drivers\": [{\"type\": \"test\", \"grant\": {\"upcalls\": 256}}], "
     "\"processes\": []}",
     "drivers[0].grant.upcalls", "an upcall count (u8) from 0 to 255, got 256"},
    {"{\"grantsim\": 1, \"drivers\": [{\"type\": \"led\", \"seed\": 1}], \"processes\": []}",
     "drivers[0].seed", "unknown key \"seed\""},
    {"{\"grantsim\": 1, \"board\": {\"inject\": {\"grant_alloc\": 1}}, \"processes\": []}",
     "board.inject.grant_alloc", "unknown key \"grant_alloc\""},
    {"{\"grantsim\": 1, \"board\": {\"inject\": {\"mpu_region_at\": -1}}, \"processes\": []}",
     "board.inject.mpu_region_at", "the number of the IPC MPU region allocation that fails"},
    /* Processes. */
    {P("{\"name\": \"s\"}"), "processes[0]", "exactly one of \"app\""},
    {P("{\"name\": \"s\", \"app\": \"hello\", \"script\": []}"), "processes[0]", "found 2"},
    {P("{\"script\": []}"), "processes[0]", "missing key \"name\""},
    {P("{\"name\": \"s\", \"app\": \"hello\", \"data\": \"00\"}"), "processes[0].data",
     "\"data\" is for script processes"},
    {P("{\"name\": \"s\", \"script\": [], \"data\": \"0g\"}"), "processes[0].data",
     "expected hex digits, got '0g'"},
    {P("{\"name\": \"s\", \"script\": []}, {\"name\": \"s\", \"script\": []}"), "processes[1].name",
     "process name \"s\" is already used by processes[0]"},
    {P("{\"name\": "
       "\"0123456789012345678901234567890123456789012345678901234567890123\", \"script\": []}"),
     "processes[0].name", "1 to 63 bytes"},
    {P("{\"app\": \"../hello\"}"), "processes[0].app", "expected an app name"},
    {P("{\"app\": \"helo\"}"), "t.json:1:39: processes[0].app", "no app \"helo\""},
    {P("{\"name\": \"e\", \"elf\": \"no-such-file.elf\"}"), "processes[0].elf",
     "cannot read an ELF file \"no-such-file.elf\""},
    {P("{\"app\": \"hello\", \"then\": \"exit\"}"), "processes[0].then",
     "\"then\" is for script processes"},
    {P("{\"name\": \"s\", \"script\": [], \"buf_size\": \"0x8000000\"}"), "processes[0].buf_size",
     "from 0 to 0x4000000"},
    {P("{\"name\": \"s\", \"script\": {}}"), "processes[0].script",
     "expected a script: an array of steps"},
    /* Steps. */
    {S("7"), "processes[0].script[0]", "expected a step"},
    {S("{\"note\": \"x\"}"), "processes[0].script[0]", "expected a step kind"},
    {S("{\"command\": {\"driver\": 1, \"cmd\": 0}, \"memop\": {\"op\": 0}}"),
     "processes[0].script[0].memop", "it has both \"command\" and \"memop\""},
    {S("{\"command\": {\"driver\": \"abc\", \"cmd\": 1}}"),
     "t.json:1:79: processes[0].script[0].command.driver",
     "expected a driver number (an integer, or a \"0x...\" string), got \"abc\""},
    {S("{\"command\": {\"cmd\": 1}}"), "processes[0].script[0].command", "missing key \"driver\""},
    {S("{\"command\": {\"driver\": 1, \"cmd\": 0, \"arg2\": 0}}"),
     "processes[0].script[0].command.arg2", "allowed keys in command: driver, cmd, arg0, arg1"},
    {S("{\"memop\": {\"op\": \"brk2\"}}"), "processes[0].script[0].memop.op",
     "one of \"brk\", \"sbrk\""},
    {S("{\"yield\": {\"mode\": \"nowait\"}}"), "processes[0].script[0].yield.mode",
     "one of \"no-wait\", \"wait\", \"wait-for\"; got \"nowait\""},
    {S("{\"yield\": {\"mode\": \"wait\", \"flag\": 0}}"), "processes[0].script[0].yield.flag",
     "belongs to a no-wait yield"},
    {S("{\"yield\": {\"mode\": \"wait-for\", \"driver\": 1}}"), "processes[0].script[0].yield",
     "missing key \"num\""},
    {S("{\"raw\": {\"class\": 256}}"), "processes[0].script[0].raw.class", "from 0 to 255"},
    {S("{\"fill8\": {\"addr\": 0, \"len\": 1, \"value\": 300}}"),
     "processes[0].script[0].fill8.value", "a byte value from 0 to 255"},
    {S("{\"id\": \"3\", \"spin\": {\"count\": 1}}"), "processes[0].script[0].id", "not a number"},
    {S("{\"id\": \"a\", \"spin\": {\"count\": 1}}, {\"id\": \"a\", \"spin\": {\"count\": 1}}"),
     "processes[0].script[1].id", "step id \"a\" is already used by step 0"},
    {S("{\"spin\": {\"count\": 1}, \"expect\": \"Sucess\"}"), "processes[0].script[0].expect",
     "one of \"Failure\""},
    {S("{\"spin\": {\"count\": 1}, \"expect\": {\"variant\": \"Success\", \"error\": \"NOMEM\"}}"),
     "processes[0].script[0].expect.error", "needs a Failure variant, not Success"},
    {S("{\"spin\": {\"count\": 1}, \"expect\": {\"error\": \"NOMEM\", \"r1\": 9}}"),
     "processes[0].script[0].expect.error", "give either \"error\" or \"r1\""},
    {S("{\"spin\": {\"count\": 1}, \"expect\": {\"error\": \"ENOMEM\"}}"),
     "processes[0].script[0].expect.error", "an ErrorCode name"},
    {S("{\"spin\": {\"count\": 1}, \"expect\": {}}"), "processes[0].script[0].expect",
     "an empty expectation checks nothing"},
    {P("{\"name\": \"s\", \"record\": false, \"script\": [{\"spin\": {\"count\": 1}, \"expect\": "
       "\"Success\"}]}"),
     "processes[0].script[0].expect", "records no results"},
    /* Values. */
    {S("{\"load32\": {\"addr\": {\"ram\": 1, \"flash\": 2}}}"),
     "processes[0].script[0].load32.addr", "exactly one of \"ram\""},
    {S("{\"subscribe\": {\"driver\": 1, \"num\": 0, \"fn\": {\"upcall\": 8}}}"),
     "processes[0].script[0].subscribe.fn.upcall", "from 0 to 7, got 8"},
    {S("{\"load32\": {\"addr\": {\"ram\": 0, \"of\": \"nobody\"}}}"),
     "processes[0].script[0].load32.addr.of", "no process named \"nobody\""},
    {S("{\"load32\": {\"addr\": {\"ram\": \"0x100000000\"}}}"),
     "processes[0].script[0].load32.addr.ram", "32 bits"},
    {S("{\"load32\": {\"addr\": {\"ram\": 0, \"at\": 1}}}"),
     "processes[0].script[0].load32.addr.at", "unknown key \"at\""},
    {"{\"grantsim\": 1, \"processes\": [{\"app\": \"hello\"}], \"expect\": {\"processes\": "
     "{\"hello\": {\"memory\": [{\"at\": {\"buf\": 0}, \"u8\": 0}]}}}}",
     "expect.processes.hello.memory[0].at", "\"buf\" is an address in a script process"},
    /* Expectations. */
    {E("{\"consle\": \"x\"}"), "expect.consle", "did you mean \"console\"?"},
    {E("{\"processes\": {\"t\": {}}}"), "expect.processes.t", "no process named \"t\""},
    {E("{\"processes\": {\"s\": {\"state\": \"Dead\"}}}"), "expect.processes.s.state",
     "one of \"Running\", \"Yielded\""},
    {E("{\"processes\": {\"s\": {\"completion_code\": 1.5}}}"),
     "expect.processes.s.completion_code", "expected a completion code"},
    {E("{\"processes\": {\"s\": {\"faults\": [{\"kind\": \"segfault\"}]}}}"),
     "expect.processes.s.faults[0].kind", "one of \"data read\""},
    {E("{\"processes\": {\"s\": {\"grants\": [{\"address\": 0}]}}}"),
     "expect.processes.s.grants[0]", "missing key \"driver\""},
    {E("{\"processes\": {\"s\": {\"mpu\": [{\"region\": 8, \"unused\": true}]}}}"),
     "expect.processes.s.mpu[0].region", "from 0 to 7, got 8"},
    {E("{\"processes\": {\"s\": {\"mpu\": [{\"region\": 3, \"unused\": true, \"rbar\": 0}]}}}"),
     "expect.processes.s.mpu[0].unused", "give \"unused\" or the values"},
    {E("{\"processes\": {\"s\": {\"steps\": {\"x\": \"Success\"}}}}"), "expect.processes.s.steps.x",
     "no step \"x\" in \"s\""},
    {E("{\"processes\": {\"s\": {\"loaded\": false, \"state\": \"Yielded\"}}}"),
     "expect.processes.s", "no other expectations"},
    {E("{\"led\": [true]}"), "expect.led", "the board has no LED driver"},
    {E("{\"findings\": [\"foo:bar:-\"]}"), "expect.findings[0]", "KIND one of ownership"},
    {E("{\"silent\": [\"noise\"]}"), "expect.silent[0]", "one of \"ownership\""},
    {E("{\"kernel_panic\": 5}"), "expect.kernel_panic", "the panic message (a string)"},
    {E("{\"console\": 5}"), "expect.console", "expected the exact output"},
    {E("{\"run_end\": \"done\"}"), "expect.run_end", "one of \"idle\", \"limit\""},
    {"{\"grantsim\": 1, \"processes\": [{\"app\": \"hello\"}], \"expect\": {\"processes\": "
     "{\"hello\": {\"upcalls\": []}}}}",
     "expect.processes.hello.upcalls", "recorded by script processes only"},
    /* Cases. */
    {"{\"grantsim\": 1, \"processes\": [], \"cases\": []}", "t.json:1:43: cases",
     "non-empty array of cases"},
    {"{\"grantsim\": 1, \"processes\": [], \"cases\": [{\"board\": {}}]}", "cases[0]",
     "missing key \"id\""},
    {"{\"grantsim\": 1, \"processes\": [], \"cases\": [{\"id\": \"a b\"}]}", "cases[0].id",
     "letters, digits"},
    {"{\"grantsim\": 1, \"processes\": [], \"cases\": [{\"id\": \"a\"}, {\"id\": \"a\"}]}",
     "cases[1].id", "case id \"a\" is already used by cases[0]"},
    {"{\"grantsim\": 1, \"processes\": [], \"cases\": [{\"id\": \"a\", \"grantsim\": 2}]}",
     "cases[0].grantsim", "unknown key \"grantsim\""},
    {"{\"grantsim\": 1,\n \"processes\": [{\"name\": \"s\", \"script\": []}],\n \"cases\": [\n"
     "  {\"id\": \"ok\"},\n  {\"id\": \"bad\", \"board\": {\"profile\": \"2.3\"}}]}",
     "t.json:5:38: cases[1].board.profile", "got \"2.3\""},
    {"{\"grantsim\": 1, \"board\": {\"num_procs\": 0},\n \"processes\": [{\"name\": \"s\", "
     "\"script\": []}],\n \"cases\": [{\"id\": \"a\", \"board\": {\"profile\": \"2.2\"}}]}",
     "t.json:1:40: board.num_procs", "from 1 to 16, got 0"},
    /* Console input: a string or timed bursts in order of time. */
    {CON("3"), "drivers[0].input", "expected console input: a string, or a list of"},
    {CON("[5]"), "drivers[0].input[0]", "expected an input ({\"at\": TIME"},
    {CON("[{\"at\": 5}]"), "drivers[0].input[0]", "missing key \"bytes\""},
    {CON("[{\"bytes\": \"a\"}]"), "drivers[0].input[0]", "missing key \"at\""},
    {CON("[{\"at\": 5, \"bytes\": 1}]"), "drivers[0].input[0].bytes", "(a string), got 1"},
    {CON("[{\"at\": -1, \"bytes\": \"a\"}]"), "drivers[0].input[0].at", "got -1"},
    {CON("[{\"at\": 5, \"bytes\": \"a\", \"when\": 1}]"), "drivers[0].input[0].when",
     "unknown key \"when\""},
    {CON("[{\"at\": 9, \"bytes\": \"a\"}, {\"at\": 8, \"bytes\": \"b\"}]"),
     "drivers[0].input[1].at", "in order of time: 8 is before the previous input's 9"},
    /* load_error: a string, and only for a process that does not load. */
    {E("{\"processes\": {\"s\": {\"load_error\": 1}}}"), "expect.processes.s.load_error",
     "(a string), got 1"},
    {E("{\"processes\": {\"s\": {\"loaded\": true, \"load_error\": \"NotEnoughMemory\"}}}"),
     "expect.processes.s.load_error", "a process expected to load has no load error"},
    {E("{\"processes\": {\"s\": {\"load_error\": \"NotEnoughMemory\", \"state\": \"Running\"}}}"),
     "expect.processes.s", "a process expected not to load has no other expectations"},
};

/* ------------------------------------------------------------ key table */

/*
 * Every key of every object kind has a description and an example that is
 * JSON, and either a constant default, words for what its absence means, a
 * reason it is required, or a place in an exactly-one group; names are
 * unique, ranges and defaults consistent with the key's forms.
 */
START_TEST(key_table_is_complete)
{
    unsigned nkeys = 0;

    for (unsigned i = 0; i < gs_scn_nobjs; i++) {
        const struct gs_scn_obj *o = gs_scn_objs[i];
        ck_assert_msg(o->name && o->what && o->desc && *o->desc, "object %u", i);
        for (unsigned j = 0; j < i; j++)
            ck_assert_msg(strcmp(gs_scn_objs[j]->name, o->name) != 0, "two objects %s", o->name);
        for (unsigned k = 0; k < o->nkeys; k++) {
            const struct gs_scn_key *key = &o->keys[k];
            json_t *ex = json_loads(key->example ? key->example : "", JSON_DECODE_ANY, NULL);
            char d[1024];
            ck_assert_msg(key->name && *key->name && key->forms, "%s key %u", o->name, k);
            ck_assert_msg(key->desc && strlen(key->desc) > 2, "%s.%s: no description", o->name,
                          key->name);
            ck_assert_msg(ex, "%s.%s: the example is not JSON: %s", o->name, key->name,
                          key->example ? key->example : "(none)");
            json_decref(ex);
            ck_assert_msg((key->flags & GS_KF_DEF) || key->dflt || key->need || key->vdef ||
                              (key->flags & GS_KF_ONE_OF) || o->absent,
                          "%s.%s: neither a default nor what its absence means", o->name,
                          key->name);
            ck_assert_msg(gs_scn_key_find(o, key->name) == key, "%s.%s twice", o->name, key->name);
            ck_assert_msg(!(key->forms & GS_F_NUM) || key->min <= key->max, "%s.%s: range", o->name,
                          key->name);
            ck_assert_msg(!(key->forms & GS_F_ENUM) || (key->names && key->nnames),
                          "%s.%s: no names", o->name, key->name);
            ck_assert_msg(!(key->forms & (GS_F_ARR | GS_F_MAP)) || key->item ||
                              !(key->forms & GS_F_MAP),
                          "%s.%s: a map without items", o->name, key->name);
            ck_assert_msg(!(key->flags & GS_KF_DEF) || gs_scn_key_default(key, d, sizeof(d)),
                          "%s.%s: a default gs_scn_key_default cannot write", o->name, key->name);
            if (key->dstr)
                ck_assert_msg(!strpbrk(key->dstr, "\"\\"), "%s.%s: a default to escape", o->name,
                              key->name);
            if ((key->flags & GS_KF_DEF) && (key->forms & GS_F_NUM) &&
                !(key->forms & (GS_F_BOOL | GS_F_ENUM)))
                ck_assert_msg(key->dv >= key->min && key->dv <= key->max,
                              "%s.%s: the default is out of range", o->name, key->name);
            nkeys++;
        }
    }
    ck_assert_uint_eq(gs_scn_objs[0]->nkeys, 10); /* the scenario itself comes first */
    ck_assert_uint_gt(nkeys, 180);
}
END_TEST

/* The fault kinds the format names are the machine's (gs_fault_kind_name). */
START_TEST(fault_names_are_the_machines)
{
    const struct gs_scn_key *k = gs_scn_key_find(&gs_scn_fault, "kind");

    ck_assert_ptr_nonnull(k);
    ck_assert_uint_eq(k->nnames, GS_FAULT_OTHER + 1);
    ck_assert_ptr_null(k->names[0]);
    for (unsigned i = 1; i <= GS_FAULT_OTHER; i++)
        ck_assert_str_eq(k->names[i], gs_fault_kind_name((enum gs_fault_kind)i));
}
END_TEST

/* The smallest document around an example: a script "s" (a step "write"), a script "client". */
static json_t *host_doc(void)
{
    json_t *d = json_loads("{\"grantsim\": 1, \"drivers\": [{\"type\": \"led\"}], \"processes\": ["
                           "{\"name\": \"s\", \"script\": [{\"id\": \"write\", \"spin\": "
                           "{\"count\": 1}}]}, {\"name\": \"client\", \"script\": []}]}",
                           0, NULL);

    ck_assert_ptr_nonnull(d);
    return d;
}

static json_t *example(const struct gs_scn_key *k)
{
    json_t *v = json_loads(k->example, JSON_DECODE_ANY, NULL);

    ck_assert_ptr_nonnull(v);
    return v;
}

static void set(json_t *o, const char *key, json_t *v)
{
    ck_assert_int_eq(json_object_set_new(o, key, v), 0);
}

/* Does o's ONE_OF key c belong to the variants key k is for? */
static bool one_of_fits(const struct gs_scn_obj *o, const struct gs_scn_key *c,
                        const struct gs_scn_key *k)
{
    for (unsigned v = 0; v < o->nvariants; v++)
        if (strcmp(o->variants[v], c->name) == 0)
            return gs_scn_key_in(k, (int)v);
    return true;
}

/*
 * An object of kind o with k set to val (a reference it takes), and what o
 * needs around it: its required keys, one key of an exactly-one group, the
 * variant k belongs to, and the rules between keys the table cannot state.
 */
static json_t *around(const struct gs_scn_obj *o, const struct gs_scn_key *k, json_t *val)
{
    json_t *x = json_object();
    bool one = (k->flags & GS_KF_ONE_OF) != 0;

    for (unsigned i = 0; i < o->nkeys; i++) {
        const struct gs_scn_key *c = &o->keys[i];
        if (c == k)
            continue;
        if (c->need) {
            set(x, c->name, example(c));
        } else if ((c->flags & GS_KF_ONE_OF) && !one && one_of_fits(o, c, k)) {
            set(x, c->name, example(c));
            one = true;
        }
    }
    if (o->variant_key && k->only) { /* a driver: a type the key is for */
        for (unsigned v = 0; v < o->nvariants; v++) {
            if (gs_scn_key_in(k, (int)v)) {
                set(x, o->variant_key, json_string(o->variants[v]));
                break;
            }
        }
    }
    if (o == &gs_scn_process && strcmp(k->name, "name") != 0)
        set(x, "name", json_string("p"));
    if (o == &gs_scn_yield) {
        bool wait_for = strcmp(k->name, "driver") == 0 || strcmp(k->name, "num") == 0 ||
                        (json_is_string(val) && strcmp(json_string_value(val), "wait-for") == 0);
        set(x, "mode",
            json_string(strcmp(k->name, "flag") == 0 ? "no-wait"
                        : wait_for                   ? "wait-for"
                                                     : "wait"));
        if (wait_for) {
            set(x, "driver", example(gs_scn_key_find(o, "driver")));
            set(x, "num", example(gs_scn_key_find(o, "num")));
        }
    }
    if (o == &gs_scn_mpu_region && strcmp(k->name, "rbar") != 0 && strcmp(k->name, "rasr") != 0 &&
        !(strcmp(k->name, "unused") == 0 && json_is_true(val)))
        set(x, "rbar", example(gs_scn_key_find(o, "rbar")));
    set(x, k->name, val);
    return x;
}

static json_t *wrap(const char *key, json_t *v)
{
    json_t *o = json_object();

    set(o, key, v);
    return o;
}

static json_t *list(json_t *v)
{
    json_t *a = json_array();

    ck_assert_int_eq(json_array_append_new(a, v), 0);
    return a;
}

/* The step kind whose arguments are of kind o ("allow_rw" for the allows), or NULL. */
static const char *step_of(const struct gs_scn_obj *o)
{
    for (unsigned i = 0; i < gs_scn_step.nkeys; i++)
        if ((gs_scn_step.keys[i].flags & GS_KF_ONE_OF) && gs_scn_step.keys[i].obj == o)
            return gs_scn_step.keys[i].name;
    return NULL;
}

/* Puts object x of kind o where that kind goes in the host document d. */
static void place(json_t *d, const struct gs_scn_obj *o, json_t *x)
{
    json_t *procs = json_object_get(d, "processes");
    json_t *s0 = json_array_get(procs, 0);
    const char *step = step_of(o);

    if (o == &gs_scn_case)
        set(d, "cases", list(x));
    else if (o == &gs_scn_board)
        set(d, "board", x);
    else if (o == &gs_scn_ram || o == &gs_scn_flash || o == &gs_scn_mpu || o == &gs_scn_inject)
        set(d, "board", wrap(o->name, x));
    else if (o == &gs_scn_driver)
        set(d, "drivers", list(x));
    else if (o == &gs_scn_input)
        set(d, "drivers",
            list(around(&gs_scn_driver, gs_scn_key_find(&gs_scn_driver, "input"), list(x))));
    else if (o == &gs_scn_shape)
        set(d, "drivers",
            list(around(&gs_scn_driver, gs_scn_key_find(&gs_scn_driver, "grant"), x)));
    else if (o == &gs_scn_process)
        ck_assert_int_eq(json_array_set_new(procs, 0, x), 0);
    else if (o == &gs_scn_step)
        set(s0, "script", list(x));
    else if (step)
        set(s0, "script", list(wrap(step, x)));
    else if (o == &gs_scn_value_obj)
        set(s0, "script", list(wrap("load32", wrap("addr", x))));
    else if (o == &gs_scn_regs)
        set(s0, "script", list(around(&gs_scn_step, gs_scn_key_find(&gs_scn_step, "expect"), x)));
    else if (o == &gs_scn_text)
        set(d, "expect", wrap("console", x));
    else if (o == &gs_scn_expect)
        set(d, "expect", x);
    else if (o == &gs_scn_pexpect)
        set(d, "expect", wrap("processes", wrap("s", x)));
    else if (o == &gs_scn_fault || o == &gs_scn_grant || o == &gs_scn_mpu_region ||
             o == &gs_scn_upcall || o == &gs_scn_memory)
        set(d, "expect",
            wrap("processes", wrap("s", wrap(o == &gs_scn_fault        ? "faults"
                                             : o == &gs_scn_grant      ? "grants"
                                             : o == &gs_scn_mpu_region ? "mpu"
                                             : o == &gs_scn_upcall     ? "upcalls"
                                                                       : "memory",
                                             list(x)))));
    else
        ck_abort_msg("no place for a %s", o->name);
}

/* Loads the host document with o's key k set to val (a JSON text); the message on error. */
static void load_with(const struct gs_scn_obj *o, const struct gs_scn_key *k, const char *val,
                      const char *what)
{
    json_t *d = host_doc(), *v = json_loads(val, JSON_DECODE_ANY, NULL);
    struct gs_scn_err err;
    char *text;
    int e;

    ck_assert_ptr_nonnull(v);
    if (o == &gs_scn_scenario) {
        json_object_del(d, "drivers"); /* so "drivers": [] leaves none */
        set(d, k->name, v);
    } else {
        place(d, o, around(o, k, v));
    }
    text = json_dumps(d, JSON_COMPACT);
    memset(&err, 0, sizeof(err));
    e = load_text(text, &err);
    ck_assert_msg(e == GS_OK, "%s.%s: the %s %s does not load:\n  %s\n  %s", o->name, k->name, what,
                  val, text, err.msg);
    free(text);
    json_decref(d);
}

/*
 * Every key's example and constant default, in the smallest scenario that
 * needs it, loads: what the schema offers an editor is what grantsim
 * accepts. The keys of app, ELF, TBF and TAB processes are left out here
 * (they need files; scenario_schema checks their examples against the
 * schema, and app-*.json and elf_and_tbf_files_relative_to_the_scenario
 * load such processes).
 */
START_TEST(every_example_and_default_loads)
{
    const struct gs_scn_key *script = gs_scn_key_find(&gs_scn_process, "script");
    unsigned loaded = 0, skipped = 0;

    for (unsigned i = 0; i < gs_scn_nobjs; i++) {
        const struct gs_scn_obj *o = gs_scn_objs[i];
        for (unsigned j = 0; j < o->nkeys; j++) {
            const struct gs_scn_key *k = &o->keys[j];
            char d[1024];
            if (o == &gs_scn_process && k->only && !(k->only & script->only)) {
                skipped++;
                continue;
            }
            load_with(o, k, k->example, "example");
            if (gs_scn_key_default(k, d, sizeof(d)))
                load_with(o, k, d, "default");
            loaded++;
        }
    }
    ck_assert_uint_eq(skipped, 8);
    ck_assert_uint_gt(loaded, 170);
}
END_TEST

/* With no board, a scenario's board is the one gs_board_config_default() gives the CLI. */
START_TEST(board_defaults_are_the_boards)
{
    struct gs_scn_file *f = NULL;
    struct gs_scenario *s = NULL;
    struct gs_board_config want;
    struct gs_scn_err err;
    const char *text = "{\"grantsim\": 1, \"processes\": [{\"name\": \"s\", \"script\": []}]}";

    ck_assert_int_eq(gs_scn_file_from_string("t.json", text, strlen(text), &f, &err), GS_OK);
    ck_assert_int_eq(gs_scn_load(f, -1, &opts, &s, &err), GS_OK);
    gs_board_config_default(&want);
    if (want.timeslice == 0) /* 0 means GS_DEFAULT_TIMESLICE, which the table states */
        want.timeslice = GS_DEFAULT_TIMESLICE;
    ck_assert_uint_eq(s->board.ram_base, want.ram_base);
    ck_assert_uint_eq(s->board.ram_size, want.ram_size);
    ck_assert_uint_eq(s->board.flash_base, want.flash_base);
    ck_assert_uint_eq(s->board.flash_size, want.flash_size);
    ck_assert_uint_eq(s->board.app_flash_start, want.app_flash_start);
    ck_assert_uint_eq(s->board.app_ram_start, want.app_ram_start);
    ck_assert_int_eq(s->board.kernel.profile, want.kernel.profile);
    ck_assert_uint_eq(s->board.kernel.num_procs, want.kernel.num_procs);
    ck_assert_uint_eq(s->board.kernel.pcb_size, want.kernel.pcb_size);
    ck_assert_uint_eq(s->board.kernel.pcb_align, want.kernel.pcb_align);
    ck_assert_uint_eq(s->board.kernel.mpu_regions, want.kernel.mpu_regions);
    ck_assert_uint_eq(s->board.kernel.mpu_min_region_size, want.kernel.mpu_min_region_size);
    ck_assert_uint_eq(s->board.timeslice, want.timeslice);
    ck_assert_int_eq(s->board.inline_svc, want.inline_svc);
    gs_scenario_free(s);
    gs_scn_file_free(f);
}
END_TEST

START_TEST(load_error_is_positioned)
{
    const struct bad *b = &bads[_i];
    struct gs_scn_err err;
    int e;

    memset(&err, 0, sizeof(err));
    e = load_text(b->text, &err);
    ck_assert_msg(e == GS_E_ARG, "bad input %d accepted (e = %d): %s", _i, e, b->text);
    if (b->where && strncmp(b->where, "t.json:", 7) == 0) {
        ck_assert_msg(strstr(err.msg, b->where) == err.msg,
                      "input %d: message\n  %s\nshould start with\n  %s", _i, err.msg, b->where);
    } else if (b->where) {
        char path[200];
        snprintf(path, sizeof(path), ": %s: ", b->where);
        ck_assert_msg(strstr(err.msg, path), "input %d: message\n  %s\nshould name the path %s", _i,
                      err.msg, b->where);
    }
    ck_assert_msg(strstr(err.msg, b->says), "input %d: message\n  %s\nshould say\n  %s", _i,
                  err.msg, b->says);
    ck_assert_uint_gt(err.line, 0);
}
END_TEST

/* The bad-app messages list the apps that exist. */
START_TEST(missing_app_lists_the_apps)
{
    struct gs_scn_err err;

    ck_assert_int_eq(load_text(P("{\"app\": \"helo\"}"), &err), GS_E_ARG);
    ck_assert_ptr_nonnull(strstr(err.msg, "the apps are: "));
    ck_assert_ptr_nonnull(strstr(err.msg, "hello"));
}
END_TEST

/* A file that is not there, and a directory. */
START_TEST(unreadable_files)
{
    struct gs_scn_file *f = NULL;
    struct gs_scn_err err;

    ck_assert_int_eq(gs_scn_file_open("no/such/file.json", &f, &err), GS_E_ARG);
    ck_assert_ptr_nonnull(strstr(err.msg, "no/such/file.json: cannot read: "));
    ck_assert_ptr_null(f);
}
END_TEST

/*
 * gs_scn_opts.no_files: "app", "elf" and "tbf" processes are errors at their
 * key, whatever they name (here files that exist and load without the option).
 */
START_TEST(no_files_reads_no_file)
{
    static const char *const texts[] = {
        "{\"grantsim\": 1,\n \"processes\": [{\"name\": \"s\", \"script\": []},\n"
        "  {\"name\": \"e\", \"elf\": \"" GS_APP_DIR "/hello.elf\"}]}",
        "{\"grantsim\": 1,\n \"processes\": [{\"name\": \"s\", \"script\": []},\n"
        "  {\"app\": \"hello\"}]}",
        "{\"grantsim\": 1,\n \"processes\": [{\"name\": \"s\", \"script\": []},\n"
        "  {\"tbf\": \"/dev/zero\"}]}",
    };
    static const char *const wheres[] = {
        "t.json:3:24: processes[1].elf: ", "t.json:3:11: processes[1].app: ",
        "t.json:3:11: processes[1].tbf: "};
    struct gs_scn_opts nf = {.apps_dir = GS_APP_DIR, .no_files = true};

    for (unsigned i = 0; i < 3; i++) {
        struct gs_scn_file *f = NULL;
        struct gs_scenario *s = NULL;
        struct gs_scn_err err;

        ck_assert_int_eq(gs_scn_file_from_string("t.json", texts[i], strlen(texts[i]), &f, &err),
                         GS_OK);
        if (i < 2) { /* the control: these load when files may be read */
            ck_assert_msg(gs_scn_load(f, -1, &opts, &s, &err) == GS_OK, "%s", err.msg);
            gs_scenario_free(s);
            s = NULL;
        }
        ck_assert_int_eq(gs_scn_load(f, -1, &nf, &s, &err), GS_E_ARG);
        ck_assert_ptr_null(s);
        ck_assert_msg(strncmp(err.msg, wheres[i], strlen(wheres[i])) == 0, "%s", err.msg);
        ck_assert_msg(strstr(err.msg, "files are not read here"), "%s", err.msg);
        gs_scn_file_free(f);
    }
}
END_TEST

/*
 * Thousands of cases: the duplicate id is found (a hash set, not a comparison
 * of every pair, which took a second per file under the sanitizers), and it
 * is the first duplicate in file order that is reported, against the first
 * case with that id.
 */
START_TEST(many_case_ids_and_their_duplicates)
{
    size_t cap = 200000, at = 0;
    char *t = malloc(cap);
    struct gs_scn_file *f = NULL;
    struct gs_scn_err err;

    ck_assert_ptr_nonnull(t);
    at += (size_t)snprintf(t + at, cap - at,
                           "{\"grantsim\": 1, \"processes\": [{\"name\": \"s\", \"script\": []}],"
                           "\n \"cases\": [");
    for (unsigned i = 0; i < 5000; i++)
        at += (size_t)snprintf(t + at, cap - at, "%s{\"id\": \"c%u\"}", i ? ", " : "", i);
    snprintf(t + at, cap - at, "]}");
    ck_assert_msg(gs_scn_file_from_string("t.json", t, strlen(t), &f, &err) == GS_OK, "%s",
                  err.msg);
    ck_assert_uint_eq(gs_scn_file_ncases(f), 5000);
    ck_assert_int_eq(gs_scn_file_find_case(f, "c4321"), 4321);
    gs_scn_file_free(f);
    f = NULL;
    /* Two duplicates: c17 at 5000 and c4999 at 5001; the first one is reported. */
    snprintf(t + at, cap - at, ", {\"id\": \"c17\"}, {\"id\": \"c4999\"}]}");
    ck_assert_int_eq(gs_scn_file_from_string("t.json", t, strlen(t), &f, &err), GS_E_ARG);
    ck_assert_ptr_null(f);
    ck_assert_msg(strstr(err.msg, ": cases[5000].id: case id \"c17\" is already used by cases[17]"),
                  "%s", err.msg);
    ck_assert_uint_eq(err.line, 2);
    free(t);
}
END_TEST

/* A valid scenario cut at every byte, and garbled: never a crash, always a clean answer. */
static const char *good =
    "{\"grantsim\": 1, \"board\": {\"profile\": \"2.2\", \"mpu\": {\"regions\": 16}},\n"
    " \"drivers\": [{\"type\": \"console\"}, {\"type\": \"test\", \"grant\": {\"t_size\": 8}}],\n"
    " \"processes\": [{\"name\": \"a\", \"script\": [\n"
    "   {\"id\": \"x\", \"command\": {\"driver\": \"0x90000\", \"cmd\": 3}, \"expect\": "
    "{\"variant\": \"SuccessU32\", \"r1\": {\"end\": -4, \"of\": \"b\"}}},\n"
    "   {\"memop\": {\"op\": \"brk\", \"arg\": {\"buf\": 64}}, \"expect\": \"Success\"}]},\n"
    "  {\"name\": \"b\", \"then\": \"yield\", \"script\": []}],\n"
    " \"expect\": {\"console\": {\"contains\": \"x\"}, \"findings\": [\"layout:*\"],\n"
    "  \"processes\": {\"a\": {\"mpu\": [{\"region\": 0, \"rbar\": {\"ram\": 16}}], "
    "\"steps\": {\"x\": \"never\"}}}},\n"
    " \"cases\": [{\"id\": \"one\"}, {\"id\": \"two\", \"board\": {\"profile\": \"head\"}}]}\n";

START_TEST(good_text_loads)
{
    struct gs_scn_err err;

    ck_assert_msg(load_text(good, &err) == GS_OK, "%s", err.msg);
}
END_TEST

START_TEST(truncated_and_garbled_input_is_an_error_not_a_crash)
{
    size_t n = strlen(good);
    unsigned seed = 7, accepted = 0;
    char *buf = malloc(n + 1);

    for (size_t k = 0; k < n; k++) {
        struct gs_scn_err err;
        memcpy(buf, good, k);
        buf[k] = '\0';
        memset(&err, 0, sizeof(err));
        /* Only cuts in the trailing whitespace can still be valid. */
        if (load_text(buf, &err) == GS_OK) {
            ck_assert_uint_ge(k, n - 1);
        } else {
            ck_assert_msg(strncmp(err.msg, "t.json:", 7) == 0, "cut at %zu: %s", k, err.msg);
        }
    }
    for (unsigned r = 0; r < 3000; r++) {
        struct gs_scn_err err;
        memcpy(buf, good, n + 1);
        for (unsigned f = 0; f < 1 + r % 4; f++) {
            seed = seed * 1103515245u + 12345u;
            static const char bytes[] = "{}[]\":,0x-1aZ \\\n\x80\xff";
            buf[(seed >> 8) % n] = bytes[(seed >> 20) % (sizeof(bytes) - 1)];
        }
        memset(&err, 0, sizeof(err));
        if (load_text(buf, &err) == GS_OK)
            accepted++;
        else
            ck_assert_msg(strncmp(err.msg, "t.json", 6) == 0, "%s", err.msg);
    }
    ck_assert_uint_lt(accepted, 3000);
    free(buf);
}
END_TEST

/* ---------------------------------------------------------------- runner */

struct ran {
    struct gs_scenario *s;
    struct gs_scn_result r;
    char *trace;
    size_t trace_len;
};

/* Loads text (case index ci) and runs it; with trace, captures the trace. */
static void run_text(const char *text, int ci, bool trace, struct ran *out)
{
    struct gs_scn_file *f = NULL;
    struct gs_scn_err err;
    struct gs_scn_run_opts ro = {.maps = true, .trace = NULL};
    FILE *mem = NULL;

    memset(out, 0, sizeof(*out));
    ck_assert_msg(gs_scn_file_from_string("t.json", text, strlen(text), &f, &err) == GS_OK, "%s",
                  err.msg);
    ck_assert_msg(gs_scn_load(f, ci, &opts, &out->s, &err) == GS_OK, "%s", err.msg);
    gs_scn_file_free(f);
    if (trace) {
        mem = open_memstream(&out->trace, &out->trace_len);
        ck_assert_ptr_nonnull(mem);
        ro.trace = mem;
    }
    ck_assert_int_eq(gs_scn_run(out->s, &ro, &out->r), GS_OK);
    if (mem)
        fclose(mem);
}

static void ran_free(struct ran *r)
{
    gs_scn_result_free(&r->r);
    gs_scenario_free(r->s);
    free(r->trace);
}

#define TEST_SCRIPT(steps, expect)                                                                 \
    "{\"grantsim\": 1, \"drivers\": [{\"type\": \"test\"}], \"processes\": [{\"name\": \"s\", "    \
    "\"script\": [" steps "]}], \"expect\": " expect "}"

START_TEST(passing_scenario_passes)
{
    struct ran r;

    run_text(TEST_SCRIPT("{\"command\": {\"driver\": \"0x90000\", \"cmd\": 0}, \"expect\": "
                         "\"Success\"}",
                         "{\"processes\": {\"s\": {\"state\": \"Terminated\", "
                         "\"completion_code\": 0}}}"),
             -1, false, &r);
    ck_assert_int_eq(r.r.status, GS_SCN_PASS);
    ck_assert_uint_eq(r.r.nfailures, 0);
    ck_assert_int_eq(gs_scn_result_exit(&r.r), GS_EXIT_PASS);
    ran_free(&r);
}
END_TEST

/*
 * A process that is not loaded says why. One that cannot be created is
 * skipped and loading goes on (kernel/src/process_loading.rs,
 * load_processes_from_flash): p1 and p2 both find the pool p0 left empty.
 */
START_TEST(not_loaded_says_why)
{
    struct ran r;

    run_text("{\"grantsim\": 1, \"board\": {\"ram\": {\"base\": \"0x20000000\", \"size\": "
             "\"0x4000\"}}, \"processes\": [{\"name\": \"p0\", \"min_ram\": 8000, \"script\": []}, "
             "{\"name\": \"p1\", \"min_ram\": 8000, \"script\": []}, {\"name\": \"p2\", "
             "\"script\": []}], \"expect\": {\"processes\": {\"p1\": {\"loaded\": true}, "
             "\"p2\": {\"loaded\": true}}}}",
             -1, false, &r);
    ck_assert_int_eq(r.r.status, GS_SCN_FAIL);
    ck_assert_uint_eq(r.r.nfailures, 2);
    ck_assert_str_eq(r.r.failures[0].actual,
                     "not loaded: creating its process failed: NotEnoughMemory");
    ck_assert_str_eq(r.r.failures[1].actual,
                     "not loaded: creating its process failed: NotEnoughMemory");
    ran_free(&r);
}
END_TEST

/* A skipped process leaves the pool to the next one; a full process table ends loading. */
START_TEST(loading_skips_failures_and_stops_without_a_slot)
{
    struct ran r;

    /* big does not fit and is skipped; small gets the pool from its start. */
    run_text("{\"grantsim\": 1, \"board\": {\"ram\": {\"base\": \"0x20000000\", \"size\": "
             "\"0x2000\"}}, \"processes\": [{\"name\": \"big\", \"min_ram\": 65536, "
             "\"then\": \"yield\", \"script\": []}, {\"name\": \"small\", \"then\": \"yield\", "
             "\"script\": []}], \"expect\": {\"processes\": {\"big\": {\"load_error\": "
             "\"NotEnoughMemory\"}, \"small\": {\"memory_start\": \"0x20000000\", "
             "\"memory_len\": \"0x1000\"}}}}",
             -1, false, &r);
    ck_assert_int_eq(r.r.status, GS_SCN_PASS);
    ran_free(&r);
    /* Two slots: p2 finds none and the loop ends there; p3 is never looked at. */
    run_text("{\"grantsim\": 1, \"board\": {\"num_procs\": 2}, \"processes\": "
             "[{\"name\": \"p0\", \"script\": []}, {\"name\": \"p1\", \"script\": []}, "
             "{\"name\": \"p2\", \"script\": []}, {\"name\": \"p3\", \"script\": []}], "
             "\"expect\": {\"processes\": {\"p2\": {\"load_error\": \"NotEnoughMemory\"}, "
             "\"p3\": {\"load_error\": \"NoProcessSlot\"}}}}",
             -1, false, &r);
    ck_assert_int_eq(r.r.status, GS_SCN_FAIL);
    ck_assert_uint_eq(r.r.nfailures, 1);
    ck_assert_str_eq(r.r.failures[0].expected, "not loaded: NotEnoughMemory");
    ck_assert_str_eq(r.r.failures[0].actual,
                     "not loaded: creating its process failed: NoProcessSlot");
    ran_free(&r);
}
END_TEST

/* A wrong expectation: what was expected, what happened, where, and the map after the step. */
START_TEST(wrong_expectation_reports_diff_and_map)
{
    struct ran r;
    const struct gs_scn_failure *f;
    char *text = NULL;
    size_t len = 0;
    FILE *out;

    run_text(TEST_SCRIPT("{\"command\": {\"driver\": \"0x90000\", \"cmd\": 2, \"arg0\": 0, "
                         "\"arg1\": 7}},\n"
                         "{\"command\": {\"driver\": \"0x90000\", \"cmd\": 3, \"arg0\": 0}, "
                         "\"expect\": {\"variant\": \"SuccessU32\", \"r1\": 8}},\n"
                         "{\"memop\": {\"op\": \"sbrk\", \"arg\": 0}}",
                         "{\"processes\": {\"s\": {\"state\": \"Yielded\"}}}"),
             -1, false, &r);
    ck_assert_int_eq(r.r.status, GS_SCN_FAIL);
    ck_assert_int_eq(gs_scn_result_exit(&r.r), GS_EXIT_FAIL);
    ck_assert_uint_eq(r.r.nfailures, 2);
    f = &r.r.failures[0];
    ck_assert_str_eq(f->expected, "Yielded");
    ck_assert_str_eq(f->actual, "Terminated");
    ck_assert_str_eq(f->map_when, "at the end of the run");
    ck_assert_ptr_nonnull(strstr(f->map, "[Terminated]"));
    f = &r.r.failures[1];
    ck_assert_ptr_nonnull(strstr(f->where, "t.json:2:"));
    ck_assert_ptr_nonnull(strstr(f->where, "processes[0].script[1].expect"));
    ck_assert_str_eq(f->expected, "SuccessU32, r1 0x8");
    ck_assert_str_eq(f->actual, "SuccessU32 (r0 0x81, r1 0x7, r2 0x0, r3 0x0)");
    ck_assert_int_eq(f->step, 1);
    /* The map right after step 1: taken at the next syscall (the sbrk), which it names. */
    ck_assert_ptr_nonnull(f->map);
    ck_assert_ptr_nonnull(strstr(f->map, "[Running]"));
    ck_assert_ptr_nonnull(strstr(f->map, "Last Syscall: Memop { operand: 1, arg0: 0 }"));
    ck_assert_ptr_nonnull(strstr(f->map, "Grant 0 [0x90000 test] at [0x"));
    /* grantsim's own sections follow: the test grant's T holds the 7 of step 0. */
    ck_assert_ptr_nonnull(strstr(f->map, "---| grantsim layout: process 0 \"s\" |---"));
    ck_assert_ptr_nonnull(strstr(f->map, "T            16 bytes: 07 00 00 00"));
    /* The compact text report: what failed and how to rerun, the maps on request. */
    out = open_memstream(&text, &len);
    gs_scn_report_text(out, r.s, &r.r, "grantsim", false);
    fclose(out);
    ck_assert_ptr_nonnull(strstr(text, "FAIL t.json: 2 expectations failed"));
    ck_assert_ptr_nonnull(strstr(text, "      expected: SuccessU32, r1 0x8\n"));
    ck_assert_ptr_null(strstr(text, "    memory map of \"s\" after step 1"));
    ck_assert_ptr_nonnull(strstr(text, "  memory maps at each failure: rerun with --verbose\n"));
    ck_assert_ptr_nonnull(strstr(text, "  rerun: grantsim run t.json\n"));
    free(text);
    /* The verbose one shows all of it. */
    out = open_memstream(&text, &len);
    gs_scn_report_text(out, r.s, &r.r, "grantsim", true);
    fclose(out);
    ck_assert_ptr_nonnull(strstr(text, "    memory map of \"s\" after step 1"));
    ck_assert_ptr_nonnull(strstr(text, "    |  MPU regions of the process's config"));
    free(text);
    ran_free(&r);
}
END_TEST

/* Each kind of check can fail. */
START_TEST(every_check_kind_can_fail)
{
    struct ran r;

    run_text(
        "{\"grantsim\": 1, \"drivers\": [{\"type\": \"console\"}, {\"type\": \"led\"}, "
        "{\"type\": \"test\"}, {\"type\": \"lld\"}],\n"
        " \"processes\": [{\"name\": \"s\", \"script\": [\n"
        "  {\"subscribe\": {\"driver\": \"0x90000\", \"num\": 0, \"fn\": {\"upcall\": 0}}},\n"
        "  {\"command\": {\"driver\": \"0x90000\", \"cmd\": 1, \"arg0\": 0, \"arg1\": 3}},\n"
        "  {\"yield\": {\"mode\": \"wait\"}}, {\"load32\": {\"addr\": {\"end\": -4}}}]}],\n"
        " \"expect\": {\"run_end\": \"limit\", \"console\": \"x\", \"debug\": \"y\",\n"
        "  \"led\": [true, false, false, false],\n"
        "  \"processes\": {\"s\": {\"state\": \"Running\", \"completion_code\": 3,\n"
        "   \"restart_count\": 1, \"console\": {\"contains\": \"z\"},\n"
        "   \"faults\": [{\"kind\": \"data write\", \"address\": 0}],\n"
        "   \"memory_start\": 1, \"memory_len\": 1, \"app_break\": 1, \"kernel_break\": 1,\n"
        "   \"high_water_mark\": 1, \"grants\": [{\"driver\": \"0x90000\", \"address\": 1}],\n"
        "   \"grant_count\": 0, \"mpu\": [{\"region\": 0, \"rbar\": 0, \"rasr\": 0}, "
        "{\"region\": 1, \"rasr\": 1}],\n"
        "   \"upcalls\": [{\"handler\": 1, \"args\": [4, 1, 1], \"appdata\": 1, \"step\": 0}],\n"
        "   \"steps_done\": 0, \"finished\": true,\n"
        "   \"memory\": [{\"at\": {\"ram\": 0}, \"u32\": 1}, {\"at\": {\"ram\": 0}, \"u8\": 1}, "
        "{\"at\": {\"ram\": 0}, \"hex\": \"01\"}],\n"
        "   \"queued\": 1, \"dropped_upcalls\": 1, \"syscall_count\": 1,\n"
        "   \"steps\": {\"0\": \"Success\", \"3\": {\"r0\": 1}}}}}}",
        -1, false, &r);
    ck_assert_int_eq(r.r.status, GS_SCN_FAIL);
    /*
     * One failure per value above (the upcall's 6 fields, the MPU's 3 registers, the fault's
     * kind and address), except the fault and upcall counts, which are right (1 each).
     */
    ck_assert_uint_eq(r.r.nfailures, 36);
    ran_free(&r);
}
END_TEST

/* A test capsule that writes past T (bounds check off) trips the ownership oracle. */
#define UNCHECKED_T                                                                                \
    "{\"grantsim\": 1, \"drivers\": [{\"type\": \"test\", \"check_t_bounds\": false}],\n"          \
    " \"processes\": [{\"name\": \"s\", \"script\": [\n"                                           \
    "  {\"command\": {\"driver\": \"0x90000\", \"cmd\": 2, \"arg0\": 16, \"arg1\": 1}}]}]"

START_TEST(unexpected_finding_is_exit_3)
{
    struct ran r;

    run_text(UNCHECKED_T "}", -1, false, &r);
    ck_assert_int_eq(r.r.status, GS_SCN_FINDING);
    ck_assert_int_eq(gs_scn_result_exit(&r.r), GS_EXIT_FINDING);
    ck_assert_uint_ge(r.r.nfindings, 1);
    ck_assert_uint_ge(r.r.unexpected, 1);
    ck_assert_msg(strncmp(r.r.findings[0].id, "ownership:", 10) == 0, "%s", r.r.findings[0].id);
    ran_free(&r);
}
END_TEST

START_TEST(expected_finding_passes_and_missing_one_fails)
{
    struct ran r;

    run_text(UNCHECKED_T ", \"expect\": {\"findings\": [\"ownership:*\"]}}", -1, false, &r);
    ck_assert_int_eq(r.r.status, GS_SCN_PASS);
    ran_free(&r);
    run_text(UNCHECKED_T ", \"expect\": {\"silent\": [\"layout\", \"isolation\", \"panic\"]}}", -1,
             false, &r);
    ck_assert_int_eq(r.r.status, GS_SCN_PASS); /* ownership may speak */
    ran_free(&r);
    run_text(TEST_SCRIPT("", "{\"findings\": [\"isolation:mpu-app-exceeds:-\"]}"), -1, false, &r);
    ck_assert_int_eq(r.r.status, GS_SCN_FAIL);
    ck_assert_str_eq(r.r.failures[0].expected, "isolation:mpu-app-exceeds:-");
    ran_free(&r);
}
END_TEST

#define PANICKING                                                                                  \
    "{\"grantsim\": 1, \"processes\": [{\"name\": \"s\", \"fault_policy\": \"panic\", "            \
    "\"script\": [{\"load32\": {\"addr\": {\"end\": -4}}}]}]"

START_TEST(kernel_panic_expected_or_not)
{
    struct ran r;

    run_text(PANICKING "}", -1, false, &r);
    ck_assert_int_eq(r.r.status, GS_SCN_FINDING);
    ck_assert_str_eq(r.r.panic, "Process s had a fault");
    ck_assert_int_eq(gs_scn_result_exit(&r.r), GS_EXIT_FINDING);
    ran_free(&r);
    run_text(PANICKING ", \"expect\": {\"kernel_panic\": \"Process s had a fault\"}}", -1, false,
             &r);
    ck_assert_int_eq(r.r.status, GS_SCN_PASS);
    ran_free(&r);
    run_text(PANICKING ", \"expect\": {\"kernel_panic\": \"other\"}}", -1, false, &r);
    ck_assert_int_eq(r.r.status, GS_SCN_FAIL);
    ck_assert_str_eq(r.r.failures[0].actual, "Process s had a fault");
    ran_free(&r);
}
END_TEST

START_TEST(known_divergence_inverts_the_exit)
{
    struct ran r;

    run_text("{\"grantsim\": 1, \"known_divergence\": \"the simulator does X, upstream Y\",\n"
             " \"processes\": [{\"name\": \"s\", \"script\": []}],\n"
             " \"expect\": {\"processes\": {\"s\": {\"completion_code\": 1}}},\n"
             " \"cases\": [{\"id\": \"fails\"}, {\"id\": \"passes\", \"expect\": {\"processes\": "
             "{\"s\": {\"completion_code\": 0}}}}]}",
             0, false, &r);
    ck_assert_int_eq(r.r.status, GS_SCN_FAIL);
    ck_assert(r.r.known_divergence);
    ck_assert_int_eq(gs_scn_result_exit(&r.r), GS_EXIT_PASS);
    ran_free(&r);
    run_text("{\"grantsim\": 1, \"known_divergence\": \"the simulator does X, upstream Y\",\n"
             " \"processes\": [{\"name\": \"s\", \"script\": []}],\n"
             " \"expect\": {\"processes\": {\"s\": {\"completion_code\": 1}}},\n"
             " \"cases\": [{\"id\": \"fails\"}, {\"id\": \"passes\", \"expect\": {\"processes\": "
             "{\"s\": {\"completion_code\": 0}}}}]}",
             1, false, &r);
    ck_assert_int_eq(r.r.status, GS_SCN_PASS);
    ck_assert_int_eq(gs_scn_result_exit(&r.r), GS_EXIT_FAIL); /* fixed? say so */
    ran_free(&r);
}
END_TEST

/* A case patch replaces a relative value whole, and an unloaded process is reported. */
START_TEST(cases_patch_and_not_loaded)
{
    struct ran r;

    run_text("{\"grantsim\": 1, \"board\": {\"ram\": {\"base\": \"0x20000000\", \"size\": "
             "\"0x1000\"}},\n"
             " \"processes\": [{\"name\": \"a\", \"then\": \"yield\", \"script\": []}, "
             "{\"name\": \"b\", \"script\": []}],\n"
             " \"expect\": {\"processes\": {\"a\": {\"kernel_break\": {\"ram\": 0}}}},\n"
             " \"cases\": [{\"id\": \"c\", \"expect\": {\"processes\": {\"a\": {\"kernel_break\": "
             "{\"end\": -1240}}, \"b\": {\"loaded\": false}}}}]}",
             0, false, &r);
    ck_assert_msg(r.r.status == GS_SCN_PASS, "%s: %s", r.r.nfailures ? r.r.failures[0].what : "",
                  r.r.nfailures ? r.r.failures[0].actual : "");
    ran_free(&r);
}
END_TEST

/* Two runs of the same scenario give byte-identical traces (and the trace has each kind). */
START_TEST(trace_is_deterministic)
{
    char path[512], *text;
    FILE *f;
    long n;
    struct ran a, b;

    snprintf(path, sizeof(path), "%s/ipc-notify-share.json", GS_SCENARIO_DIR);
    f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    text = calloc(1, (size_t)n + 1);
    ck_assert_uint_eq(fread(text, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    run_text(text, -1, true, &a);
    run_text(text, -1, true, &b);
    ck_assert_int_eq(a.r.status, GS_SCN_PASS);
    ck_assert_uint_gt(a.trace_len, 0);
    ck_assert_uint_eq(a.trace_len, b.trace_len);
    ck_assert_mem_eq(a.trace, b.trace, a.trace_len);
    ck_assert_ptr_nonnull(strstr(a.trace, " syscall command(0x10000, 0x2, 0x0, 0x0)\n"));
    ck_assert_ptr_nonnull(strstr(a.trace, " return Success\n"));
    ck_assert_ptr_nonnull(strstr(a.trace, " upcall driver 0x10000 sub 0 fn 0x"));
    ck_assert_ptr_nonnull(strstr(a.trace, " ipc service notification from p1: buffer 0x20001400 "
                                          "len 64\n"));
    ck_assert_ptr_nonnull(strstr(a.trace, " grant 0 (driver 0x10000) allocated at 0x"));
    ck_assert_ptr_nonnull(strstr(a.trace, " mpu config "));
    ck_assert_ptr_nonnull(strstr(a.trace, " r3 0x20001413/0x1300000b"));
    ran_free(&a);
    ran_free(&b);
    free(text);
}
END_TEST

START_TEST(trace_shows_faults)
{
    struct ran r;

    run_text(PANICKING ", \"expect\": {\"kernel_panic\": true}}", -1, true, &r);
    ck_assert_ptr_nonnull(strstr(r.trace, " fault data read at 0x20000ffc pc 0x"));
    ck_assert_ptr_nonnull(strstr(r.trace, " KERNEL PANIC Process s had a fault\n"));
    ran_free(&r);
}
END_TEST

/* "elf" and "tbf" processes, with paths relative to the scenario file. */
START_TEST(elf_and_tbf_files_relative_to_the_scenario)
{
    char dir[] = "/tmp/gs-scn-XXXXXX", path[600], elf_path[600];
    uint8_t *elf, *tbf = NULL;
    size_t tlen = 0;
    long n;
    FILE *f;
    struct gs_elf_image img;
    struct gs_tbf_synth syn;
    struct gs_scn_file *sf = NULL;
    struct gs_scenario *s = NULL;
    struct gs_scn_err err;
    struct gs_scn_result r;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(elf_path, sizeof(elf_path), "%s/hello.elf", GS_APP_DIR);
    f = fopen(elf_path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    elf = malloc((size_t)n);
    ck_assert_uint_eq(fread(elf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    snprintf(path, sizeof(path), "%s/h.elf", dir);
    f = fopen(path, "wb");
    fwrite(elf, 1, (size_t)n, f);
    fclose(f);
    ck_assert_int_eq(gs_elf_to_image(elf, (size_t)n, NULL, &img, NULL), GS_OK);
    gs_tbf_synth_from_image(&syn, &img, "tbfhello");
    syn.kernel_minor = 3;
    ck_assert_int_eq(gs_tbf_synthesize(&syn, &tbf, &tlen, NULL), GS_OK);
    gs_elf_image_free(&img);
    snprintf(path, sizeof(path), "%s/h.tbf", dir);
    f = fopen(path, "wb");
    fwrite(tbf, 1, tlen, f);
    fclose(f);
    snprintf(path, sizeof(path), "%s/s.json", dir);
    f = fopen(path, "w");
    fputs("{\"grantsim\": 1, \"drivers\": [{\"type\": \"console\"}],\n"
          " \"processes\": [{\"name\": \"e\", \"elf\": \"h.elf\", \"min_ram\": 8000}, "
          "{\"tbf\": \"h.tbf\"}],\n"
          " \"expect\": {\"processes\": {\"e\": {\"completion_code\": 0, \"memory_len\": "
          "\"0x4000\", \"console\": \"Hello from grantsim, the answer is 42\\n\"},\n"
          "  \"tbfhello\": {\"completion_code\": 0}}}}",
          f);
    fclose(f);
    ck_assert_msg(gs_scn_file_open(path, &sf, &err) == GS_OK, "%s", err.msg);
    ck_assert_msg(gs_scn_load(sf, -1, &opts, &s, &err) == GS_OK, "%s", err.msg);
    ck_assert_int_eq(gs_scn_run(s, NULL, &r), GS_OK);
    ck_assert_msg(r.status == GS_SCN_PASS, "%s: %s / %s", r.nfailures ? r.failures[0].what : "?",
                  r.nfailures ? r.failures[0].expected : "",
                  r.nfailures ? r.failures[0].actual : "");
    gs_scn_result_free(&r);
    gs_scenario_free(s);
    gs_scn_file_free(sf);
    /* A TBF keeps its own name. */
    f = fopen(path, "w");
    fputs("{\"grantsim\": 1, \"processes\": [{\"name\": \"x\", \"tbf\": \"h.tbf\"}]}", f);
    fclose(f);
    ck_assert_int_eq(gs_scn_file_open(path, &sf, &err), GS_OK);
    ck_assert_int_eq(gs_scn_load(sf, -1, &opts, &s, &err), GS_E_ARG);
    ck_assert_ptr_nonnull(strstr(err.msg, "the TBF's package name is \"tbfhello\""));
    gs_scn_file_free(sf);
    /* Not an ELF. */
    f = fopen(path, "w");
    fputs("{\"grantsim\": 1, \"processes\": [{\"name\": \"x\", \"elf\": \"s.json\"}]}", f);
    fclose(f);
    ck_assert_int_eq(gs_scn_file_open(path, &sf, &err), GS_OK);
    ck_assert_int_eq(gs_scn_load(sf, -1, &opts, &s, &err), GS_E_ARG);
    ck_assert_ptr_nonnull(strstr(err.msg, "is not a loadable libtock-c ELF: BadElfHeader"));
    gs_scn_file_free(sf);
    snprintf(path, sizeof(path), "%s/s.json", dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/h.tbf", dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/h.elf", dir);
    unlink(path);
    rmdir(dir);
    free(elf);
    free(tbf);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("scenario");
    TCase *jp = tb_tcase("jpath");
    TCase *ld = tb_tcase("load");
    TCase *rn = tb_tcase("run");

    tcase_add_test(jp, jpath_locates_values_and_keys);
    tcase_add_test(jp, jpath_formats_paths);
    tcase_add_test(jp, jpath_survives_garbage);
    tcase_add_test(jp, jpath_memo_gives_the_same_positions);
    suite_add_tcase(s, jp);

    tcase_add_test(ld, key_table_is_complete);
    tcase_add_test(ld, fault_names_are_the_machines);
    tcase_add_test(ld, every_example_and_default_loads);
    tcase_add_test(ld, board_defaults_are_the_boards);
    tcase_add_loop_test(ld, load_error_is_positioned, 0, (int)(sizeof(bads) / sizeof(bads[0])));
    tcase_add_test(ld, missing_app_lists_the_apps);
    tcase_add_test(ld, unreadable_files);
    tcase_add_test(ld, no_files_reads_no_file);
    tcase_add_test(ld, many_case_ids_and_their_duplicates);
    tcase_add_test(ld, good_text_loads);
    tcase_add_test(ld, truncated_and_garbled_input_is_an_error_not_a_crash);
    suite_add_tcase(s, ld);

    tcase_add_test(rn, passing_scenario_passes);
    tcase_add_test(rn, wrong_expectation_reports_diff_and_map);
    tcase_add_test(rn, not_loaded_says_why);
    tcase_add_test(rn, loading_skips_failures_and_stops_without_a_slot);
    tcase_add_test(rn, every_check_kind_can_fail);
    tcase_add_test(rn, unexpected_finding_is_exit_3);
    tcase_add_test(rn, expected_finding_passes_and_missing_one_fails);
    tcase_add_test(rn, kernel_panic_expected_or_not);
    tcase_add_test(rn, known_divergence_inverts_the_exit);
    tcase_add_test(rn, cases_patch_and_not_loaded);
    tcase_add_test(rn, trace_is_deterministic);
    tcase_add_test(rn, trace_shows_faults);
    tcase_add_test(rn, elf_and_tbf_files_relative_to_the_scenario);
    suite_add_tcase(s, rn);
    return tb_run(s);
}
