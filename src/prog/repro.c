/* SPDX-License-Identifier: MIT */
/* From a fuzz input to a scenario that replays its finding (contract in repro.h). */
#include "repro.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "errors.h"
#include "prog-run.h"
#include "prog-scenario.h"
#include "scenario.h"

#define MAX_RUNS 4000u /* machine runs a minimization may take */

static const struct gs_repro_target targets[] = {
    {"fuzz-syscalls", GS_PROG_SYSCALLS, true},
    {"fuzz-ipc", GS_PROG_IPC, true},
    {"fuzz-machine", GS_PROG_SYSCALLS, false},
};

const struct gs_repro_target *gs_repro_target(const char *name)
{
    for (unsigned i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
        if (strcmp(targets[i].name, name) == 0)
            return &targets[i];
    return NULL;
}

/* What one machine run of a scenario showed. */
struct mrun {
    struct gs_fz_watch w; /* the watcher (prog-run.h): ids of the findings that count */
    enum gs_scn_status status;
    char raw[8][128]; /* the runner's kernel findings */
    unsigned nraw;
    bool loaded[GS_PROG_MAX_PROCS];
    char why[1200];
};

static void attach(void *ctx, struct gs_kernel *k)
{
    struct gs_fz_watch *w = ctx;

    w->k = k;
    gs_kernel_add_observer(k, gs_fz_watch_event, w);
}

/* Runs a scenario file with the watcher attached; false if it could not run. */
static bool run_file(struct gs_scn_file *f, struct gs_scn_reuse *reuse, unsigned nprocs,
                     struct mrun *m)
{
    struct gs_scn_opts so = {.apps_dir = NULL, .no_positions = true};
    struct gs_scn_run_opts ro = {.maps = false, .reuse = reuse, .attach = attach};
    struct gs_scenario *s = NULL;
    struct gs_scn_result r;
    struct gs_scn_err err;

    memset(m, 0, sizeof(*m));
    gs_fz_watch_init(&m->w, false);
    m->w.strict = true; /* a known upstream behaviour is what the input may be about */
    ro.attach_ctx = &m->w;
    if (gs_scn_load(f, -1, &so, &s, &err) != GS_OK) {
        snprintf(m->why, sizeof(m->why), "the scenario does not load: %s", err.msg);
        return false;
    }
    if (gs_scn_run(s, &ro, &r) != GS_OK) {
        gs_scenario_free(s);
        snprintf(m->why, sizeof(m->why), "out of host memory");
        return false;
    }
    m->status = r.status;
    for (unsigned i = 0; i < r.nfindings && m->nraw < 8; i++)
        snprintf(m->raw[m->nraw++], sizeof(m->raw[0]), "%s", r.findings[i].id);
    if (r.status == GS_SCN_ERROR)
        snprintf(m->why, sizeof(m->why), "%s", r.error);
    else if (r.nfailures)
        snprintf(m->why, sizeof(m->why), "%s: expected %s, got %s", r.failures[0].what,
                 r.failures[0].expected, r.failures[0].actual);
    else if (r.unexpected)
        snprintf(m->why, sizeof(m->why), "an unexpected finding: %s",
                 r.nfindings ? r.findings[0].id : "(panic)");
    /*
     * Which processes loaded: the board's load report (the loader skips a
     * process it cannot create and goes on, so slot i need not be process
     * i). Only a kept board is still there to ask.
     */
    for (unsigned j = 0; reuse && m->w.k && j < GS_SCN_REUSE_BOARDS; j++) {
        const struct gs_board *b = reuse->slot[j].b;
        if (!b || b->k != m->w.k)
            continue;
        for (unsigned i = 0; i < nprocs && i < b->napps; i++)
            m->loaded[i] = b->apps[i].slot >= 0;
    }
    gs_scn_result_free(&r);
    gs_scenario_free(s);
    return m->status != GS_SCN_ERROR;
}

/* Runs program p as a scenario (reusing boards). */
static bool run_prog(const struct gs_prog *p, struct gs_scn_reuse *reuse, struct mrun *m)
{
    struct gs_scn_file *f = NULL;
    struct gs_scn_err err;
    json_t *doc = gs_prog_scenario(p, false, NULL, NULL, 0);
    bool ok;

    if (gs_scn_file_from_json("repro.json", doc, &f, &err) != GS_OK) {
        memset(m, 0, sizeof(*m));
        snprintf(m->why, sizeof(m->why), "%s", err.msg);
        return false;
    }
    ok = run_file(f, reuse, p->nprocs, m);
    gs_scn_file_free(f);
    return ok;
}

static bool has_id(const struct gs_fz_watch *w, const char *id)
{
    for (unsigned i = 0; i < w->nids; i++)
        if (strcmp(w->ids[i], id) == 0)
            return true;
    return false;
}

/* Does program p still show finding `id` on the machine? */
static bool still(struct gs_repro *r, const struct gs_prog *p, struct gs_scn_reuse *reuse)
{
    struct mrun m;

    r->runs++;
    return run_prog(p, reuse, &m) && has_id(&m.w, r->id);
}

static unsigned count_actions(const struct gs_prog *p)
{
    unsigned n = 0;

    for (unsigned i = 0; i < p->nprocs; i++)
        n += p->proc[i].nact;
    return n;
}

static void minimize(struct gs_repro *r, struct gs_scn_reuse *reuse)
{
    static struct gs_prog q;
    bool changed = true;

    while (changed && r->runs < MAX_RUNS) {
        changed = false;
        /* Remove actions, the last first (later actions depend on earlier ones). */
        for (unsigned i = 0; i < r->prog.nprocs; i++) {
            for (unsigned j = r->prog.proc[i].nact; j-- > 0 && r->runs < MAX_RUNS;) {
                struct gs_prog_proc *qp;
                q = r->prog;
                qp = &q.proc[i];
                memmove(&qp->act[j], &qp->act[j + 1], (qp->nact - j - 1) * sizeof(qp->act[0]));
                qp->nact--;
                if (still(r, &q, reuse)) {
                    r->prog = q;
                    changed = true;
                }
            }
        }
        /* Board options back to their defaults. */
        for (unsigned k = 0; k < 4 && r->runs < MAX_RUNS; k++) {
            q = r->prog;
            if (k == 0 && q.inject_grant_at)
                q.inject_grant_at = 0;
            else if (k == 1 && q.inject_mpu_at)
                q.inject_mpu_at = 0;
            else if (k == 2 && q.timeslice != 640000)
                q.timeslice = 640000;
            else if (k == 3 && q.mpu_regions != 8)
                q.mpu_regions = 8;
            else
                continue;
            if (still(r, &q, reuse)) {
                r->prog = q;
                changed = true;
            }
        }
        /* Absolute arguments to 0. */
        for (unsigned i = 0; i < r->prog.nprocs; i++)
            for (unsigned j = 0; j < r->prog.proc[i].nact; j++)
                for (unsigned a = 0; a < 4 && r->runs < MAX_RUNS; a++) {
                    const struct gs_prog_arg *x = &r->prog.proc[i].act[j].r[a];
                    if (r->prog.proc[i].act[j].op != GS_FAKE_SVC || x->base != GS_PB_ABS ||
                        x->v == 0)
                        continue;
                    q = r->prog;
                    q.proc[i].act[j].r[a].v = 0;
                    if (still(r, &q, reuse)) {
                        r->prog = q;
                        changed = true;
                    }
                }
    }
}

int gs_repro_find(const uint8_t *data, size_t len, const struct gs_repro_target *t,
                  bool minimize_it, struct gs_repro *r)
{
    struct gs_scn_reuse *reuse = calloc(1, sizeof(*reuse));
    struct mrun m;

    memset(r, 0, sizeof(*r));
    r->t = t;
    if (!reuse || gs_prog_decode(data, len, t->mode, &r->prog) != 0) {
        free(reuse);
        return -1;
    }
    r->actions_in = count_actions(&r->prog);
    if (t->fake) {
        struct gs_fz_watch w;
        gs_fz_watch_init(&w, false);
        w.strict = true;
        gs_fz_run_prog(&r->prog, &w);
        snprintf(r->fake_id, sizeof(r->fake_id), "%s", w.first_id);
    }
    r->runs++;
    if (run_prog(&r->prog, reuse, &m) && m.w.nids) {
        if (r->fake_id[0] && has_id(&m.w, r->fake_id))
            snprintf(r->id, sizeof(r->id), "%s", r->fake_id);
        else
            snprintf(r->id, sizeof(r->id), "%s", m.w.ids[0]);
        if (minimize_it)
            minimize(r, reuse);
    }
    /* The final run: the kernel findings to expect, the processes that load. */
    r->runs++;
    run_prog(&r->prog, reuse, &m);
    memcpy(r->raw, m.raw, sizeof(r->raw));
    r->nraw = m.nraw;
    memcpy(r->loaded, m.loaded, sizeof(r->loaded));
    r->actions_out = count_actions(&r->prog);
    gs_scn_reuse_free(reuse);
    free(reuse);
    return 0;
}

json_t *gs_repro_scenario(const struct gs_repro *r, const char *input)
{
    const char *ids[8];
    char desc[1024];
    json_t *doc, *procs, *ex, *pe;
    size_t at;

    for (unsigned i = 0; i < r->nraw; i++)
        ids[i] = r->raw[i];
    at = (size_t)snprintf(desc, sizeof(desc),
                          "Reproducer written by grantsim repro from %s input %s", r->t->name,
                          input);
    if (r->id[0])
        at += (size_t)snprintf(desc + at, sizeof(desc) - at, ": finding %s on the Cortex-M machine",
                               r->id);
    else
        at += (size_t)snprintf(desc + at, sizeof(desc) - at,
                               ": the machine reports no finding for it");
    if (r->fake_id[0] && strcmp(r->fake_id, r->id) != 0)
        at += (size_t)snprintf(desc + at, sizeof(desc) - at, " (the fake arch reported %s)",
                               r->fake_id);
    snprintf(desc + at, sizeof(desc) - at,
             "; %u of its %u actions kept. Each process is a script of the program's actions "
             "(src/prog/prog-scenario.h says how they translate).",
             r->actions_out, r->actions_in);
    doc = gs_prog_scenario(&r->prog, true, desc, ids, r->nraw);
    if (!doc)
        return NULL;
    /* Processes that do not load are part of what happened. */
    procs = json_object_get(doc, "processes");
    ex = json_object_get(doc, "expect");
    pe = json_object();
    for (unsigned i = 0; i < r->prog.nprocs; i++)
        if (!r->loaded[i])
            json_object_set_new(
                pe, json_string_value(json_object_get(json_array_get(procs, i), "name")),
                json_pack("{s:b}", "loaded", 0));
    if (json_object_size(pe))
        json_object_set_new(ex, "processes", pe);
    else
        json_decref(pe);
    return doc;
}

unsigned gs_repro_verify(const char *text, const char *id, unsigned n, char *why, size_t wn)
{
    unsigned ok = 0;

    if (wn)
        why[0] = '\0';
    for (unsigned i = 0; i < n; i++) {
        struct gs_scn_file *f = NULL;
        struct gs_scn_err err;
        struct mrun m;
        bool good;
        if (gs_scn_file_from_string("repro.json", text, strlen(text), &f, &err) != GS_OK) {
            snprintf(why, wn, "%s", err.msg);
            return ok;
        }
        /* A fresh board each time: nothing carries over from the minimization. */
        good = run_file(f, NULL, GS_PROG_MAX_PROCS, &m) && m.status == GS_SCN_PASS &&
               (!*id || has_id(&m.w, id));
        gs_scn_file_free(f);
        if (good)
            ok++;
        else if (wn && !why[0])
            snprintf(why, wn, "%s",
                     m.why[0] ? m.why
                     : *id    ? "the finding was not reported"
                              : "the scenario did not pass");
    }
    return ok;
}
