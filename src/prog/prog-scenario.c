/* SPDX-License-Identifier: MIT */
/* A fuzz program as a scenario file (contract in prog-scenario.h). */
#include "prog-scenario.h"

#include <stdio.h>
#include <string.h>

#include "arch.h"
#include "capsules.h"
#include "errors.h"
#include "ipc.h"
#include "machine.h"
#include "process.h"
#include "prog-run.h"
#include "script.h"
#include "syscall.h"

/* The fake arch's board (prog-run.c gs_fz_board_build), in create_grant order. */
#define DRIVERS_WITH_GRANTS 5u /* console, alarm, rng, ipc, test */
#define PCB_SIZE            920u

static const char hexdig[] = "0123456789abcdef";

/*
 * Writes "0x%x" of v (with a leading '-' when neg) into buf (at least 12
 * bytes); returns its length. By hand: fuzz-machine writes a scenario per
 * input, and snprintf was a measurable part of it.
 */
static size_t hex(char *buf, uint32_t v, bool neg)
{
    char *p = buf;
    unsigned d = 1;

    if (neg)
        *p++ = '-';
    *p++ = '0';
    *p++ = 'x';
    while (d < 8 && (v >> (4 * d)) != 0)
        d++;
    for (unsigned i = d; i-- > 0;)
        *p++ = hexdig[(v >> (4 * i)) & 0xF];
    *p = '\0';
    return (size_t)(p - buf);
}

/* A number as JSON: small ones as integers, the rest as "0x..." strings. */
static json_t *num(uint32_t v)
{
    char buf[16];

    if (v < 10)
        return json_integer(v);
    return json_stringn(buf, hex(buf, v, false));
}

/* An offset that may be negative ({"end": -4}), as the loader reads it. */
static json_t *off(uint32_t v)
{
    int32_t s = (int32_t)v;
    char buf[16];

    if (s < 0 && s > -0x1000000)
        return json_stringn(buf, hex(buf, (uint32_t)-s, true));
    return num(v);
}

static json_t *rel(const char *base, json_t *v)
{
    json_t *o = json_object();

    json_object_set_new(o, base, v);
    return o;
}

/* The scenario names of the processes: unique, never empty (prog-scenario.h). */
static void proc_names(const struct gs_prog *p, char names[][40])
{
    for (unsigned i = 0; i < p->nprocs; i++) {
        const char *n = gs_prog_names[p->proc[i].name];
        bool taken = !*n;
        for (unsigned j = 0; j < i && !taken; j++)
            taken = strcmp(names[j], n) == 0;
        if (taken)
            snprintf(names[i], 40, "p%u", i);
        else
            snprintf(names[i], 40, "%s", n);
    }
}

/* An argument, relative to its process as the fake resolves it (gs_prog_resolve). */
static json_t *arg(const struct gs_prog *p, const struct gs_prog_arg *a, char names[][40])
{
    uint32_t kernel = DRIVERS_WITH_GRANTS * GS_GRANT_ENTRY_SIZE + GS_CALLBACKS_SIZE + PCB_SIZE;
    json_t *o;

    switch (a->base) {
    case GS_PB_ABS:
        return num(a->v);
    case GS_PB_MEM:
        return rel("ram", off(a->v));
    case GS_PB_END:
        return rel("end", off(a->v));
    case GS_PB_KBRK: /* the first kernel break: end - (8 G + 320 + PCB) */
        return rel("end", off(a->v - kernel));
    case GS_PB_PROC:
        if (a->proc >= p->nprocs) /* no such process: the fake takes the RAM base */
            return num(GS_FZ_RAM_BASE + a->v);
        o = rel("ram", off(a->v));
        json_object_set_new(o, "of", json_string(names[a->proc]));
        return o;
    case GS_PB_APP:
        return rel("flash", off(a->v));
    case GS_PB_FLASH:
        return rel("tbf", off(a->v));
    case GS_PB_FLASH_END:
        return rel("tbf_end", off(a->v));
    case GS_PB_UPCALL:
        return rel("upcall", json_integer(a->v % GS_SCRIPT_HANDLERS));
    case GS_PB_NAME:
        return rel("data", num(32 * (a->v % GS_PROG_NAMES)));
    }
    return num(a->v);
}

/* A step's "note": which action of the program it is (for a reader of the scenario). */
static json_t *note(const struct gs_prog_action *a, unsigned index)
{
    char text[160];

    if (a->op == GS_FAKE_SVC)
        snprintf(text, sizeof(text), "action %u: svc %u %s", index, (unsigned)a->n,
                 gs_syscall_class_name(a->n));
    else if (a->op == GS_FAKE_SPIN)
        snprintf(text, sizeof(text), "action %u: spin %u", index, (unsigned)a->n);
    else
        snprintf(text, sizeof(text),
                 "action %u: a fault of kind %s here in the fake arch; the machine faults only "
                 "where the MPU forbids",
                 index, gs_fault_kind_name((enum gs_fault_kind)a->n));
    return json_string(text);
}

static json_t *step(const struct gs_prog *p, const struct gs_prog_action *a, char names[][40],
                    unsigned index, bool notes)
{
    json_t *st = json_object(), *k = json_object();

    switch (a->op) {
    case GS_FAKE_SVC:
        json_object_set_new(k, "class", json_integer(a->n & 0xFF));
        for (unsigned r = 0; r < 4; r++) {
            char key[4] = {'r', (char)('0' + r), 0, 0};
            json_object_set_new(k, key, arg(p, &a->r[r], names));
        }
        json_object_set_new(st, "raw", k);
        break;
    case GS_FAKE_SPIN:
        json_object_set_new(k, "count", num((a->n + 3) / 4));
        json_object_set_new(st, "spin", k);
        break;
    case GS_FAKE_FAULT:
        json_object_set_new(k, "addr", arg(p, &a->r[0], names));
        if (a->n == GS_FAULT_DATA_WRITE) {
            json_object_set_new(k, "value", json_integer(0));
            json_object_set_new(st, "store32", k);
        } else {
            json_object_set_new(st, "load32", k);
        }
        break;
    default: /* GS_FAKE_SET_SP: not expressible; the caller skips it */
        json_decref(k);
        json_decref(st);
        return NULL;
    }
    if (notes)
        json_object_set_new(st, "note", note(a, index));
    return st;
}

/* The names table every app of the fake arch's board has in flash: 32 bytes per name, NUL padded. */
static json_t *names_data(void)
{
    char text[2 * 32 * GS_PROG_NAMES + 1];
    size_t at = 0;

    for (unsigned i = 0; i < GS_PROG_NAMES; i++) {
        const char *n = gs_prog_names[i];
        size_t len = strlen(n);
        for (unsigned b = 0; b < 32; b++) {
            unsigned c = b < len ? (unsigned char)n[b] : 0;
            text[at++] = hexdig[c >> 4];
            text[at++] = hexdig[c & 0xF];
        }
    }
    text[at] = '\0';
    return json_stringn(text, at);
}

/* Does a process pass a package name of the table (IPC discovery)? */
static bool uses_names(const struct gs_prog_proc *pp)
{
    for (unsigned j = 0; j < pp->nact; j++)
        for (unsigned r = 0; r < 4; r++)
            if (pp->act[j].r[r].base == GS_PB_NAME)
                return true;
    return false;
}

static json_t *board(const struct gs_prog *p)
{
    json_t *b = json_object(), *ram = json_object(), *mpu = json_object();

    json_object_set_new(ram, "base", num(GS_FZ_RAM_BASE));
    json_object_set_new(ram, "size", num(GS_FZ_RAM_SIZE));
    json_object_set_new(b, "ram", ram);
    json_object_set_new(b, "profile", json_string(gs_profile_name(p->profile)));
    json_object_set_new(b, "num_procs", json_integer(p->slots));
    json_object_set_new(mpu, "regions", json_integer(p->mpu_regions));
    json_object_set_new(b, "mpu", mpu);
    json_object_set_new(b, "timeslice", json_integer(p->timeslice));
    json_object_set_new(b, "max_instructions", json_integer(GS_PROG_SCENARIO_BUDGET));
    json_object_set_new(b, "inline_svc", json_boolean(p->inline_svc));
    if (p->inject_grant_at || p->inject_mpu_at) {
        json_t *in = json_object();
        if (p->inject_grant_at)
            json_object_set_new(in, "grant_alloc_at", json_integer(p->inject_grant_at));
        if (p->inject_mpu_at)
            json_object_set_new(in, "mpu_region_at", json_integer(p->inject_mpu_at));
        json_object_set_new(b, "inject", in);
    }
    return b;
}

static json_t *drivers(const struct gs_prog *p)
{
    json_t *d = json_array(), *t = json_object(), *g = json_object();

    json_array_append_new(d, json_pack("{s:s}", "type", "console"));
    json_array_append_new(d, json_pack("{s:s}", "type", "alarm"));
    json_array_append_new(d, json_pack("{s:s, s:i}", "type", "led", "count", 4));
    json_array_append_new(d, json_pack("{s:s, s:i}", "type", "rng", "seed", 1));
    json_array_append_new(d, json_pack("{s:s}", "type", "lld"));
    json_array_append_new(d, json_pack("{s:s}", "type", "ipc"));
    json_object_set_new(t, "type", json_string("test"));
    json_object_set_new(g, "t_size", json_integer(p->test_shape.t_size));
    json_object_set_new(g, "t_align", json_integer(p->test_shape.t_align));
    json_object_set_new(g, "upcalls", json_integer(p->test_shape.n_upcalls));
    json_object_set_new(g, "ro", json_integer(p->test_shape.n_ro));
    json_object_set_new(g, "rw", json_integer(p->test_shape.n_rw));
    json_object_set_new(t, "grant", g);
    json_array_append_new(d, t);
    return d;
}

json_t *gs_prog_scenario(const struct gs_prog *p, bool notes, const char *description,
                         const char *const *findings, unsigned n)
{
    char names[GS_PROG_MAX_PROCS][40];
    json_t *doc = json_object(), *procs = json_array(), *expect = json_object();
    unsigned dropped = 0, prefilled = 0;
    char desc[512];

    if (!doc || !procs || !expect) {
        json_decref(doc);
        json_decref(procs);
        json_decref(expect);
        return NULL;
    }
    proc_names(p, names);
    for (unsigned i = 0; i < p->nprocs; i++) {
        const struct gs_prog_proc *pp = &p->proc[i];
        json_t *jp = json_object(), *script = json_array();
        json_object_set_new(jp, "name", json_string(names[i]));
        if (strcmp(names[i], gs_prog_names[pp->name]) != 0)
            json_object_set_new(jp, "package_name", json_string(gs_prog_names[pp->name]));
        json_object_set_new(jp, "min_ram", json_integer(pp->min_ram));
        json_object_set_new(jp, "fault_policy", json_string(gs_fault_policy_name(pp->policy)));
        if (pp->policy == GS_FP_THRESHOLD_RESTART)
            json_object_set_new(jp, "fault_threshold", json_integer(pp->threshold));
        json_object_set_new(jp, "record", json_false());
        json_object_set_new(jp, "then", json_string("yield"));
        json_object_set_new(jp, "protected_size", json_integer(GS_PROG_PROTECTED_SIZE));
        if (uses_names(pp))
            json_object_set_new(jp, "data", names_data());
        for (unsigned j = 0; j < pp->nact; j++) {
            json_t *st = step(p, &pp->act[j], names, j, notes);
            if (st)
                json_array_append_new(script, st);
            else
                dropped++;
        }
        prefilled += pp->prefill;
        json_object_set_new(jp, "script", script);
        json_array_append_new(procs, jp);
    }
    if (!description) {
        snprintf(
            desc, sizeof(desc),
            "A fuzz program (src/prog/decoder.h) as a scenario (src/prog/prog-scenario.h)%s%s.",
            dropped ? "; set-sp actions dropped" : "",
            prefilled ? "; kept-full task queues not reproduced" : "");
        description = desc;
    }
    json_object_set_new(doc, "grantsim", json_integer(1));
    json_object_set_new(doc, "description", json_string(description));
    json_object_set_new(doc, "board", board(p));
    json_object_set_new(doc, "drivers", drivers(p));
    json_object_set_new(doc, "processes", procs);
    if (n) {
        json_t *f = json_array();
        for (unsigned i = 0; i < n; i++)
            json_array_append_new(f, json_string(findings[i]));
        json_object_set_new(expect, "findings", f);
    }
    json_object_set_new(doc, "expect", expect);
    return doc;
}

int gs_prog_write_scenario(const struct gs_prog *p, FILE *f)
{
    json_t *doc = gs_prog_scenario(p, true, NULL, NULL, 0);
    int rc;

    if (!doc)
        return GS_E_NOMEM_HOST;
    rc = json_dumpf(doc, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0 ? GS_OK : GS_E_ARG;
    if (rc == GS_OK)
        fputc('\n', f);
    json_decref(doc);
    return rc;
}
