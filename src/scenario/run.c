/* SPDX-License-Identifier: MIT */
/*
 * The scenario runner: builds a board from a validated scenario, runs it
 * with the oracles on, and turns every check into a pass or a failure with
 * the expected value, the actual value and a memory map.
 *
 * A board per scenario (and per case): boards are cheap (about 2 ms with
 * their Unicorn engines, bench_scenarios measures it) and nothing is shared
 * between runs, so a run cannot leak into the next one.
 *
 * "The memory map at that moment": checks on the final state show each
 * process's map at the end of the run. A failed step check shows the map
 * right after that step: runs are deterministic, so the runner replays the
 * scenario on a fresh board with an observer that prints the map when the
 * process makes its next syscall (or faults, or exits) after the step. One
 * replay serves every failed step (a replay per step made a file with many
 * failing steps quadratic: each replay runs all of them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "invariants.h"
#include "layout.h"
#include "printer.h"
#include "render.h"
#include "scn_internal.h"
#include "tasks.h"

#define MAX_FINDINGS    64
#define MAX_FAULTS      64 /* recorded per process slot */
#define TEXT_SHOW_LIMIT 2000

struct fault_rec {
    uint32_t kind, addr, pc;
};

/* What the collector observer saw. */
struct collect {
    struct gs_scn_finding findings[MAX_FINDINGS];
    unsigned nfindings;
    bool findings_overflow;
    struct fault_rec faults[GS_MAX_PROCS][MAX_FAULTS];
    unsigned nfaults[GS_MAX_PROCS];
    struct gs_strbuf debug; /* the kernel's debug output, one line per event */
};

/* A moment a replay waits for (see above), and the snapshot function it calls. */
struct moment {
    struct gs_scn_moment m;
    bool done;
    bool missing; /* its process was not loaded: no snapshot */
    gs_scn_snap_fn fn;
    void *ctx;
};

/*
 * Calls each moment's snapshot function when its process reaches it. The
 * moments of a kernel slot are in order[first[slot] .. first[slot + 1]),
 * sorted by incarnation and syscall count, so an event looks at the next
 * ones only (next[slot]; faults and exits, a few per incarnation, look at
 * all of their incarnation's).
 */
struct capture {
    struct moment *m;
    unsigned n;
    unsigned *order;
    unsigned first[GS_MAX_PROCS + 1];
    unsigned next[GS_MAX_PROCS];
    unsigned cur_restarts[GS_MAX_PROCS]; /* incarnation being counted, per slot */
    uint32_t count[GS_MAX_PROCS];        /* syscalls entered in it */
    const struct gs_kernel *k;
};

struct run {
    const struct gs_scenario *s;
    struct gs_board *b;
    struct collect col;
    struct capture cap;
    struct gs_trace *trace;
    enum gs_run_end end;
    struct gs_script_report **reports; /* per process, NULL until read */
    bool *report_ok;
    char **end_maps; /* per process */
    struct gs_scn_result *r;
    unsigned failures_cap;      /* r->failures has room for this many */
    struct gs_scn_reuse *reuse; /* the board belongs to it (not freed with the run) */
    void (*attach)(void *ctx, struct gs_kernel *k);
    void (*attach_board)(void *ctx, struct gs_board *b);
    void *attach_ctx;
};

/* ------------------------------------------------------------- observers */

static void collect_event(void *ctx, const struct gs_event *ev)
{
    struct collect *c = ctx;

    if (ev->kind == GS_EV_FINDING && ev->finding) {
        char id[128];
        gs_finding_id(ev->finding, id, sizeof(id));
        for (unsigned i = 0; i < c->nfindings; i++) {
            if (strcmp(c->findings[i].id, id) == 0) {
                c->findings[i].count++;
                return;
            }
        }
        if (c->nfindings == MAX_FINDINGS) {
            c->findings_overflow = true;
            return;
        }
        snprintf(c->findings[c->nfindings].id, sizeof(c->findings[0].id), "%s", id);
        snprintf(c->findings[c->nfindings].text, sizeof(c->findings[0].text), "%s",
                 ev->finding->text);
        c->findings[c->nfindings].count = 1;
        c->nfindings++;
    } else if (ev->kind == GS_EV_DEBUG && ev->text) {
        uint32_t n = (uint32_t)strlen(ev->text);
        gs_strbuf_append(&c->debug, ev->text, n);
        if (n == 0 || ev->text[n - 1] != '\n')
            gs_strbuf_append(&c->debug, "\n", 1);
    } else if (ev->kind == GS_EV_FAULT && ev->p && ev->p->index < GS_MAX_PROCS) {
        unsigned s = ev->p->index;
        if (c->nfaults[s] < MAX_FAULTS) {
            struct fault_rec *f = &c->faults[s][c->nfaults[s]];
            f->kind = ev->a;
            f->addr = ev->b;
            f->pc = ev->c;
        }
        c->nfaults[s]++;
    }
}

/*
 * The map a failure report shows: upstream's memory-map overview, then
 * grantsim's layout (map with MPU decisions, grant internals, MPU regions,
 * access comparison). Upstream's register dump is left out (the fault
 * report has it); `grantsim layout FILE --step N` prints everything.
 */
static void print_map(const struct gs_kernel *k, const struct gs_process *p, struct gs_strbuf *sb)
{
    struct gs_sink sink;
    struct gs_layout *l;

    gs_strbuf_sink(sb, &sink, false);
    gs_print_overview(p, &sink);
    if (gs_layout_build(k, p, &l) == GS_OK) {
        gs_layout_print_extended(l, &sink);
        gs_layout_free(l);
    } else {
        gs_print_full_process(p, &sink);
    }
}

/* Takes moment mo's snapshot; count: the syscalls its process made (when reached). */
static void snap(struct moment *mo, const struct gs_kernel *k, const struct gs_process *p,
                 bool reached, uint32_t count)
{
    char when[160];

    if (mo->m.at_end)
        snprintf(when, sizeof(when), "at the end of the run");
    else if (reached)
        snprintf(when, sizeof(when), "after %u syscalls of incarnation %u", (unsigned)count,
                 mo->m.restarts);
    else
        snprintf(when, sizeof(when),
                 "at the end of the run (the moment asked for, after %u syscalls of "
                 "incarnation %u, never came)",
                 (unsigned)mo->m.after, mo->m.restarts);
    mo->fn(mo->ctx, k, p, when);
    mo->done = true;
}

static void capture_event(void *ctx, const struct gs_event *ev)
{
    struct capture *c = ctx;
    const struct gs_process *p = ev->p;
    unsigned slot, i, end;

    if (!p || p->index >= GS_MAX_PROCS ||
        (ev->kind != GS_EV_SYSCALL && ev->kind != GS_EV_FAULT && ev->kind != GS_EV_TERMINATED))
        return;
    slot = p->index;
    if (p->restart_count != c->cur_restarts[slot]) {
        c->cur_restarts[slot] = p->restart_count;
        c->count[slot] = 0;
    }
    /* Skip what was taken and the moments of incarnations gone by. */
    end = c->first[slot + 1];
    i = c->next[slot];
    while (i < end && (c->m[c->order[i]].done || c->m[c->order[i]].m.restarts < p->restart_count))
        i++;
    c->next[slot] = i;
    if (ev->kind == GS_EV_SYSCALL) {
        /* The moments right after count syscalls, at the next one. */
        for (; i < end; i++) {
            struct moment *mo = &c->m[c->order[i]];
            if (mo->m.restarts != p->restart_count || mo->m.after > c->count[slot])
                break;
            if (!mo->done && mo->m.after == c->count[slot])
                snap(mo, c->k, p, true, c->count[slot]);
        }
        c->count[slot]++;
        return;
    }
    /* A fault or an exit: every moment of this incarnation at least `before` syscalls in. */
    for (; i < end && c->m[c->order[i]].m.restarts == p->restart_count; i++) {
        struct moment *mo = &c->m[c->order[i]];
        if (!mo->done && c->count[slot] >= mo->m.before)
            snap(mo, c->k, p, true, c->count[slot]);
    }
}

/* "not loaded: <the board's reason>" for scenario process proc (static buffer). */
static const char *not_loaded(const struct gs_board *b, int proc)
{
    static char buf[192];
    const char *why = proc >= 0 && (unsigned)proc < b->napps ? b->apps[proc].why : "";

    snprintf(buf, sizeof(buf), "not loaded%s%s", why[0] ? ": " : "", why);
    return buf;
}

/* ---------------------------------------------------------------- results */

static char *dupstr(const char *s)
{
    return s ? strdup(s) : NULL;
}

/*
 * Adds a failure; takes ownership of nothing (copies). Returns it, or NULL on
 * OOM. The array grows geometrically: a file with many failing expectations
 * would otherwise copy it once per failure (every realloc moves under ASan).
 */
static struct gs_scn_failure *add_failure(struct run *R, const char *where, const char *what,
                                          const char *expected, const char *actual, int proc)
{
    struct gs_scn_result *r = R->r;
    struct gs_scn_failure *f;

    if (r->nfailures == R->failures_cap) {
        unsigned cap = R->failures_cap ? 2 * R->failures_cap : 16;
        struct gs_scn_failure *nf = realloc(r->failures, cap * sizeof(*nf));
        if (!nf)
            return NULL;
        r->failures = nf;
        R->failures_cap = cap;
    }
    f = &r->failures[r->nfailures++];
    memset(f, 0, sizeof(*f));
    f->where = dupstr(where ? where : "");
    f->what = dupstr(what ? what : "");
    f->expected = dupstr(expected ? expected : "");
    f->actual = dupstr(actual ? actual : "");
    f->proc = proc;
    f->step = -1;
    return f;
}

/* --------------------------------------------------------------- building */

static uint16_t kernel_minor(const struct gs_scenario *s)
{
    /* As board.c: the board's TBFs carry the kernel's own version. */
    return s->board.kernel.profile == GS_PROFILE_2_2 ? 1 : 3;
}

static uint8_t script_base(uint8_t b)
{
    switch (b) {
    case GS_SB_RAM:
    case GS_SB_BUF:
        return GS_SCRIPT_BASE_RAM;
    case GS_SB_FLASH:
        return GS_SCRIPT_BASE_FLASH;
    case GS_SB_UPCALL:
        return GS_SCRIPT_BASE_UPCALL;
    case GS_SB_RESULT:
        return GS_SCRIPT_BASE_RESULT;
    default:
        return GS_SCRIPT_BASE_ABS;
    }
}

/* Does the interpreter resolve this value itself (else the runner patches it)? */
static bool native(const struct gs_scn_value *v)
{
    return v->of < 0 && v->base != GS_SB_END && v->base != GS_SB_DATA && v->base != GS_SB_TBF &&
           v->base != GS_SB_TBF_END;
}

static int add_script(struct run *R, const struct gs_scn_proc *p, struct gs_load_error *le)
{
    struct gs_script sc;
    struct gs_script_step *steps = calloc(p->nsteps ? p->nsteps : 1, sizeof(*steps));
    int e;

    if (!steps)
        return GS_E_NOMEM_HOST;
    for (unsigned i = 0; i < p->nsteps; i++) {
        steps[i].kind = p->steps[i].kind;
        for (unsigned r = 0; r < 4; r++) {
            const struct gs_scn_value *v = &p->steps[i].a[r];
            if (!native(v)) {
                steps[i].a[r] = gs_sarg_abs(0); /* patched after loading */
            } else {
                steps[i].a[r].base = script_base(v->base);
                steps[i].a[r].value = v->base == GS_SB_BUF ? p->buf_off + v->v : v->v;
            }
        }
    }
    memset(&sc, 0, sizeof(sc));
    sc.prologue = p->prologue;
    sc.final = p->final;
    sc.final_code = p->final_code;
    sc.nsteps = p->nsteps;
    sc.steps = steps;
    sc.data = p->data;
    sc.data_len = p->data_len;
    sc.protected_size = p->protected_size;
    e = gs_board_add_script(R->b, &sc, p->package ? p->package : p->name, p->min_ram, le);
    free(steps);
    return e;
}

/* An ELF with its minimum RAM overridden: elf2tab's TBF with that value. */
static int add_elf_min_ram(struct run *R, const struct gs_scn_proc *p, struct gs_load_error *le)
{
    struct gs_elf_image img;
    struct gs_tbf_synth syn;
    uint8_t *tbf = NULL;
    size_t tlen = 0;
    int e = gs_elf_to_image(p->image, p->image_len, NULL, &img, le);

    if (e)
        return e;
    gs_tbf_synth_from_image(&syn, &img, p->name);
    syn.kernel_minor = kernel_minor(R->s);
    syn.minimum_ram_size = p->min_ram;
    e = gs_tbf_synthesize(&syn, &tbf, &tlen, le);
    gs_elf_image_free(&img);
    if (e)
        return e;
    e = gs_board_add_tbf(R->b, tbf, tlen, le);
    free(tbf);
    return e;
}

/* Resolves a value for process `self` (index); false with *why when it cannot. */
static bool resolve(const struct run *R, const struct gs_scn_value *v, int self, uint32_t *out,
                    char *why, size_t n)
{
    int target = v->of >= 0 ? v->of : self;
    const struct gs_process *p;
    const struct gs_scn_proc *sp;

    if (v->base == GS_SB_ABS) {
        *out = v->v;
        return true;
    }
    if (target < 0 || (unsigned)target >= R->s->nprocs) {
        snprintf(why, n, "a relative value without a process");
        return false;
    }
    p = gs_board_process(R->b, (unsigned)target);
    sp = &R->s->procs[target];
    if (!p) {
        snprintf(why, n, "process \"%s\" was %s", sp->name, not_loaded(R->b, target));
        return false;
    }
    switch (v->base) {
    case GS_SB_RAM:
        *out = p->memory_start + v->v;
        break;
    case GS_SB_FLASH:
        *out = gs_process_app_start(p) + v->v;
        break;
    case GS_SB_UPCALL:
        *out = gs_script_resolve(gs_sarg_upcall(v->v), gs_process_app_start(p), p->memory_start);
        break;
    case GS_SB_RESULT:
        *out = gs_script_resolve(gs_sarg_result(v->v), gs_process_app_start(p), p->memory_start);
        break;
    case GS_SB_BUF:
        *out = p->memory_start + sp->buf_off + v->v;
        break;
    case GS_SB_END:
        *out = gs_process_mem_end(p) + v->v;
        break;
    case GS_SB_TBF:
        *out = p->app.flash_start + v->v;
        break;
    case GS_SB_TBF_END:
        *out = gs_process_flash_end(p) + v->v;
        break;
    case GS_SB_DATA: /* right after the step table (gs_script_image) */
        *out = gs_process_app_start(p) + (uint32_t)gs_script_image_size(sp->nsteps) + v->v;
        break;
    default:
        *out = v->v;
        break;
    }
    return true;
}

/* Writes the runner-resolved step arguments into the loaded scripts' tables. */
static void patch_scripts(struct run *R)
{
    const struct gs_scenario *s = R->s;

    for (unsigned i = 0; i < s->nprocs; i++) {
        const struct gs_scn_proc *sp = &s->procs[i];
        struct gs_process *p = gs_board_process(R->b, i);
        if (sp->src != GS_SRC_SCRIPT || !p)
            continue;
        for (unsigned j = 0; j < sp->nsteps; j++) {
            uint32_t at = gs_process_app_start(p) + GS_SCRIPT_TABLE_OFF + GS_SCRIPT_T_STEPS +
                          j * GS_SCRIPT_STEP_SIZE;
            for (unsigned r = 0; r < 4; r++) {
                const struct gs_scn_value *v = &sp->steps[j].a[r];
                uint32_t val = 0;
                uint8_t *w;
                char why[320];
                if (native(v))
                    continue;
                if (!resolve(R, v, (int)i, &val, why, sizeof(why))) {
                    char *text = gs_scn_step_text(&sp->steps[j], s);
                    char *what = gs_scn_asprintf("process \"%s\" step %u: %s", sp->name, j,
                                                 text ? text : "?");
                    free(text);
                    add_failure(R, sp->steps[j].where, what, "an argument it can resolve", why, -1);
                    free(what);
                    continue;
                }
                w = gs_mem_host_ptr(&R->b->mem, at + 8 + 4 * r, 4);
                if (w) {
                    w[0] = (uint8_t)val;
                    w[1] = (uint8_t)(val >> 8);
                    w[2] = (uint8_t)(val >> 16);
                    w[3] = (uint8_t)(val >> 24);
                }
            }
        }
    }
}

/* What makes two runs' boards interchangeable: the board config and the drivers. */
static void board_key(const struct gs_scenario *s, char *key, size_t n)
{
    const struct gs_board_config *c = &s->board;
    size_t at;

    at = (size_t)snprintf(
        key, n, "%x/%x %x/%x %x %x k%d,%u,%x,%x,%u,%x t%llu i%d", c->ram_base, c->ram_size,
        c->flash_base, c->flash_size, c->app_flash_start, c->app_ram_start, (int)c->kernel.profile,
        c->kernel.num_procs, c->kernel.pcb_size, c->kernel.pcb_align, c->kernel.mpu_regions,
        c->kernel.mpu_min_region_size, (unsigned long long)c->timeslice, (int)c->inline_svc);
    for (unsigned i = 0; i < s->ndrivers && at < n; i++) {
        const struct gs_scn_driver *d = &s->drivers[i];
        at += (size_t)snprintf(key + at, n - at, " d%d,%x,%u,%llx,%u,%u,%u,%u,%u,%d,%u,%llu",
                               (int)d->type, d->num, d->led_count, (unsigned long long)d->rng_seed,
                               d->shape.t_size, d->shape.t_align, d->shape.n_upcalls, d->shape.n_ro,
                               d->shape.n_rw, (int)d->check_t_bounds, d->alarm_freq,
                               (unsigned long long)d->cpu_hz);
    }
    if (at >= n)
        key[0] = '\0'; /* too long to compare: never reused */
}

/* The scenario's simulated-time limit in instructions (its clock), saturating. */
static uint64_t max_time(const struct gs_scenario *s)
{
    unsigned __int128 t = (unsigned __int128)s->max_time_us * s->clock_hz / 1000000u;

    return t > UINT64_MAX ? UINT64_MAX : (uint64_t)t;
}

static bool build_board(struct run *R, char *err, size_t n);
static bool add_drivers(struct run *R, char *err, size_t n);
static bool add_processes(struct run *R, char *err, size_t n);

/* Do two board configs describe the same memory (what a board's Unicorn engines map)? */
static bool same_memory(const struct gs_board_config *a, const struct gs_board_config *b)
{
    return a->ram_base == b->ram_base && a->ram_size == b->ram_size &&
           a->flash_base == b->flash_base && a->flash_size == b->flash_size;
}

/* Builds the board, or takes the reused one; then adds the processes. */
static bool build(struct run *R, char *err, size_t n)
{
    const struct gs_scenario *s = R->s;
    struct gs_scn_reuse *ru = R->reuse;
    char key[sizeof(ru->slot[0].key)];

    if (ru) {
        unsigned i, lru = 0, same = GS_SCN_REUSE_BOARDS;
        board_key(s, key, sizeof(key));
        for (i = 0; i < GS_SCN_REUSE_BOARDS; i++) {
            if (ru->slot[i].b && key[0] && strcmp(key, ru->slot[i].key) == 0)
                break;
            if (ru->slot[i].last < ru->slot[lru].last)
                lru = i;
            if (ru->slot[i].b && same_memory(&ru->slot[i].b->cfg, &s->board) &&
                (same == GS_SCN_REUSE_BOARDS || ru->slot[i].last < ru->slot[same].last))
                same = i;
        }
        if (i < GS_SCN_REUSE_BOARDS) {
            gs_board_reset(ru->slot[i].b);
            gs_kernel_clear_observers(ru->slot[i].b->k);
            R->b = ru->slot[i].b;
            ru->reused++;
        } else {
            bool ok, reconf = same < GS_SCN_REUSE_BOARDS && key[0];
            if (reconf && gs_board_reconfigure(ru->slot[same].b, &s->board) == GS_OK) {
                /* The same memory, another kernel or other drivers: keep the engines. */
                i = same;
                R->b = ru->slot[i].b;
                ok = add_drivers(R, err, n);
                ru->reconfigured++;
            } else {
                i = reconf ? same : lru; /* a board that failed to reconfigure may only be freed */
                gs_board_free(ru->slot[i].b);
                ru->slot[i].b = NULL;
                ok = build_board(R, err, n);
                ru->built++;
            }
            /* The slot keeps the board even when a driver was refused (with no key, it is
             * only ever reconfigured), so that it is freed with the others. */
            ru->slot[i].b = R->b;
            ru->slot[i].key[0] = '\0';
            if (!ok)
                return false;
            snprintf(ru->slot[i].key, sizeof(ru->slot[i].key), "%s", key);
        }
        ru->slot[i].last = ++ru->uses;
    } else if (!build_board(R, err, n)) {
        return false;
    }
    gs_machine_set_enforce(R->b->machine, s->enforce_mpu);
    for (unsigned i = 0; i < s->ndrivers; i++) {
        /* Console input lives in the scenario: point at this one's. */
        const struct gs_scn_driver *d = &s->drivers[i];
        if (d->type == GS_SD_CONSOLE && R->b->console) {
            R->b->console->latency = d->latency;
            gs_console_set_input(R->b->console, (const uint8_t *)d->input, d->input_len, d->inputs,
                                 d->ninputs);
        }
    }
    return add_processes(R, err, n);
}

void gs_scn_reuse_free(struct gs_scn_reuse *r)
{
    if (!r)
        return;
    for (unsigned i = 0; i < GS_SCN_REUSE_BOARDS; i++)
        gs_board_free(r->slot[i].b);
    memset(r, 0, sizeof(*r));
}

/* A new board with the scenario's drivers; on failure a message (with the position). */
static bool build_board(struct run *R, char *err, size_t n)
{
    const struct gs_scenario *s = R->s;
    struct gs_board_config cfg = s->board;
    int e;

    e = gs_board_new(&cfg, &R->b);
    if (e) {
        snprintf(err, n, "%s: board: the board cannot be built: %s", s->where, gs_err_name(e));
        return false;
    }
    return add_drivers(R, err, n);
}

/* Adds the scenario's drivers to a board that has none; on failure a message. */
static bool add_drivers(struct run *R, char *err, size_t n)
{
    const struct gs_scenario *s = R->s;
    int e = GS_OK;

    for (unsigned i = 0; i < s->ndrivers; i++) {
        const struct gs_scn_driver *d = &s->drivers[i];
        switch (d->type) {
        case GS_SD_CONSOLE:
            e = gs_board_add_console(R->b, d->num);
            if (!e) {
                R->b->console->latency = d->latency;
                gs_console_set_input(R->b->console, (const uint8_t *)d->input, d->input_len,
                                     d->inputs, d->ninputs);
            }
            break;
        case GS_SD_ALARM:
            e = gs_board_add_alarm(R->b, d->num);
            if (!e && d->alarm_freq)
                R->b->alarm->freq = d->alarm_freq;
            if (!e && d->cpu_hz)
                R->b->alarm->cpu_hz = d->cpu_hz;
            break;
        case GS_SD_LED:
            e = gs_board_add_led(R->b, d->num, d->led_count);
            break;
        case GS_SD_RNG:
            e = gs_board_add_rng(R->b, d->num, d->rng_seed);
            break;
        case GS_SD_LLD:
            e = gs_board_add_lld(R->b, d->num);
            break;
        case GS_SD_IPC:
            e = gs_board_add_ipc(R->b, d->num);
            break;
        case GS_SD_TEST:
            e = gs_board_add_test(R->b, d->num, &d->shape, d->check_t_bounds);
            break;
        }
        if (e) {
            snprintf(err, n, "%s: drivers[%u]: the board refused this driver: %s", s->where, i,
                     gs_err_name(e));
            return false;
        }
    }
    return true;
}

/* Adds the scenario's processes to the board (in order: app i is process i). */
static bool add_processes(struct run *R, char *err, size_t n)
{
    const struct gs_scenario *s = R->s;
    int e;

    for (unsigned i = 0; i < s->nprocs; i++) {
        const struct gs_scn_proc *p = &s->procs[i];
        struct gs_load_error le;
        memset(&le, 0, sizeof(le));
        switch (p->src) {
        case GS_SRC_SCRIPT:
            e = add_script(R, p, &le);
            break;
        case GS_SRC_TBF:
            e = gs_board_add_tbf(R->b, p->image, p->image_len, &le);
            break;
        default:
            e = p->has_min_ram
                    ? add_elf_min_ram(R, p, &le)
                    : gs_board_add_elf(R->b, p->image, p->image_len, p->name, &p->elf_opts, &le);
            break;
        }
        if (e) {
            snprintf(err, n, "%s: the board cannot take this process: %s%s%s", p->where,
                     e == GS_E_BOUNDS    ? "the app flash is full"
                     : e == GS_E_NO_SLOT ? "too many apps"
                                         : gs_load_code_name(e),
                     le.message[0] ? ": " : "", le.message);
            return false;
        }
        gs_board_set_policy(R->b, i, p->has_policy ? p->policy : s->policy,
                            p->has_policy ? p->threshold : s->threshold);
    }
    return true;
}

/* Loads the processes (the observers are attached: creation is traced and checked). */
static bool load(struct run *R, char *err, size_t n)
{
    struct gs_flash_scan scan;
    int e = gs_board_load(R->b, &scan);

    if (e) {
        snprintf(err, n, "%s: loading the processes failed: %s", R->s->where, gs_load_code_name(e));
        return false;
    }
    gs_flash_scan_free(&scan);
    for (unsigned i = 0; R->trace && i < R->s->nprocs && i < R->b->napps; i++)
        if (R->b->apps[i].slot < 0)
            gs_trace_not_loaded(R->trace, R->s->procs[i].name, R->b->apps[i].why);
    patch_scripts(R);
    return true;
}

/* ------------------------------------------------------------------ checks */

/* A string for people: escapes, cut after TEXT_SHOW_LIMIT bytes. */
static char *quote(const char *s, size_t len)
{
    size_t cap = (len > TEXT_SHOW_LIMIT ? TEXT_SHOW_LIMIT : len) * 6 + 32, at = 0;
    char *q = malloc(cap);

    if (!q)
        return NULL;
    q[at++] = '"';
    for (size_t i = 0; i < len && i < TEXT_SHOW_LIMIT; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '\n') {
            q[at++] = '\\';
            q[at++] = 'n';
        } else if (ch == '"' || ch == '\\') {
            q[at++] = '\\';
            q[at++] = (char)ch;
        } else if (ch < 0x20 || ch == 0x7F) {
            at += (size_t)snprintf(q + at, cap - at, "\\x%02x", ch);
        } else {
            q[at++] = (char)ch;
        }
    }
    q[at++] = '"';
    if (len > TEXT_SHOW_LIMIT)
        at += (size_t)snprintf(q + at, cap - at, "... (%zu bytes)", len);
    q[at] = '\0';
    return q;
}

static bool text_matches(const char *got_s, size_t got_len, const struct gs_scn_check *c)
{
    if (!c->flag)
        return got_len == c->len && memcmp(got_s, c->str, got_len) == 0;
    if (c->len == 0)
        return true;
    for (size_t i = 0; i + c->len <= got_len; i++)
        if (memcmp(got_s + i, c->str, c->len) == 0)
            return true;
    return false;
}

static void check_text(struct run *R, const struct gs_scn_check *c, const char *what,
                       const char *got_s, size_t got_len)
{
    char *e, *a, *e2;

    if (text_matches(got_s ? got_s : "", got_s ? got_len : 0, c))
        return;
    e = quote(c->str, c->len);
    a = quote(got_s ? got_s : "", got_s ? got_len : 0);
    e2 = c->flag ? gs_scn_asprintf("output containing %s", e ? e : "") : NULL;
    add_failure(R, c->where, what, c->flag ? e2 : e, a, c->proc);
    free(e);
    free(a);
    free(e2);
}

static const struct gs_script_report *report_of(struct run *R, unsigned i)
{
    if (!R->reports[i] && !R->report_ok[i]) {
        R->reports[i] = calloc(1, sizeof(*R->reports[i]));
        if (R->reports[i] && gs_board_script_report(R->b, i, R->reports[i]) != GS_OK) {
            free(R->reports[i]);
            R->reports[i] = NULL;
        }
        R->report_ok[i] = true;
    }
    return R->reports[i];
}

static void fmt_faults(const struct run *R, unsigned slot, char *buf, size_t n)
{
    size_t at = 0;
    unsigned nf = R->col.nfaults[slot];

    buf[0] = '\0';
    if (nf == 0) {
        snprintf(buf, n, "no fault");
        return;
    }
    for (unsigned i = 0; i < nf && i < MAX_FAULTS && at + 1 < n; i++) {
        const struct fault_rec *f = &R->col.faults[slot][i];
        int w = snprintf(buf + at, n - at, "%s%s at 0x%08x", i ? "; " : "",
                         gs_fault_kind_name((enum gs_fault_kind)f->kind), f->addr);
        if (w < 0)
            break;
        at += (size_t)w;
    }
}

/* "Failure NOMEM (r0 0x0, r1 0x9, r2 0x..., r3 0x...)" */
static void fmt_regs(const uint32_t r[4], char *buf, size_t n)
{
    const char *v = gs_scn_variant_name(r[0]);

    if (v && gs_scn_variant_is_failure(r[0]))
        snprintf(buf, n, "%s %s (r0 0x%x, r1 0x%x, r2 0x%x, r3 0x%x)", v, gs_ecode_name((int)r[1]),
                 r[0], r[1], r[2], r[3]);
    else if (v)
        snprintf(buf, n, "%s (r0 0x%x, r1 0x%x, r2 0x%x, r3 0x%x)", v, r[0], r[1], r[2], r[3]);
    else
        snprintf(buf, n, "r0 0x%x, r1 0x%x, r2 0x%x, r3 0x%x", r[0], r[1], r[2], r[3]);
}

static void check_step(struct run *R, const struct gs_scn_check *c)
{
    const struct gs_scenario *s = R->s;
    const struct gs_scn_proc *sp = &s->procs[c->proc];
    const struct gs_scn_step *st = &sp->steps[c->index];
    const struct gs_scn_regs *x = st->x;
    const struct gs_script_report *rep = report_of(R, (unsigned)c->proc);
    char exp[512], act[512], what[512];
    struct gs_scn_failure *f;
    size_t at = 0;
    bool ok = true;
    const struct gs_process *p = gs_board_process(R->b, (unsigned)c->proc);

    char *text = gs_scn_step_text(st, s);

    snprintf(what, sizeof(what), "process \"%s\" step %u%s%s%s: %s", sp->name, c->index,
             st->id ? " (" : "", st->id ? st->id : "", st->id ? ")" : "", text ? text : "?");
    free(text);
    /* What was expected. */
    exp[0] = '\0';
    if (x->never)
        at += (size_t)snprintf(exp, sizeof(exp), "the step never completes");
    else if (x->has_variant)
        at += (size_t)snprintf(exp + at, sizeof(exp) - at, "%s", gs_scn_variant_name(x->variant));
    else if (x->any_failure)
        at += (size_t)snprintf(exp + at, sizeof(exp) - at, "a Failure variant");
    for (unsigned r = 0; r < 4; r++) {
        char vt[96], rv[48] = "";
        uint32_t val;
        char why[320];
        if (!x->has[r])
            continue;
        gs_scn_value_text(&x->r[r], s, vt, sizeof(vt));
        if (x->r[r].base != GS_SB_ABS && resolve(R, &x->r[r], c->proc, &val, why, sizeof(why)))
            snprintf(rv, sizeof(rv), " = 0x%x", val);
        if (r == 1 && (x->any_failure || (x->has_variant && gs_scn_variant_is_failure(x->variant))))
            at += (size_t)snprintf(exp + at, at < sizeof(exp) ? sizeof(exp) - at : 0,
                                   "%sr1 %s (%u)", at ? ", " : "", gs_ecode_name((int)x->r[1].v),
                                   (unsigned)x->r[1].v);
        else
            at += (size_t)snprintf(exp + at, at < sizeof(exp) ? sizeof(exp) - at : 0, "%sr%u %s%s",
                                   at ? ", " : "", r, vt, rv);
    }
    if (!p) {
        add_failure(R, c->where, what, exp, not_loaded(R->b, c->proc), -1);
        return;
    }
    if (!rep) {
        if (!x->never)
            add_failure(R, c->where, what, exp,
                        "nothing was recorded (the script's prologue brk failed or never ran)",
                        c->proc);
        return;
    }
    if (x->never) {
        if (c->index >= rep->nresults || rep->results[c->index].seq != c->index + 1)
            return;
        fmt_regs(rep->results[c->index].r, act, sizeof(act));
        f = add_failure(R, c->where, what, exp, act, c->proc);
        if (f)
            f->step = (int)c->index;
        return;
    }
    if (c->index >= rep->nresults || rep->results[c->index].seq != c->index + 1) {
        char faults[256];
        fmt_faults(R, p->index, faults, sizeof(faults));
        snprintf(act, sizeof(act), "the step never completed (%u of %u steps done; process %s; %s)",
                 rep->steps_done, sp->nsteps, gs_state_name(p->state), faults);
        add_failure(R, c->where, what, exp, act, c->proc);
        return;
    }
    {
        const uint32_t *reg = rep->results[c->index].r;
        if (x->has_variant && reg[0] != x->variant)
            ok = false;
        if (x->any_failure && !gs_scn_variant_is_failure(reg[0]))
            ok = false;
        for (unsigned r = 0; r < 4 && ok; r++) {
            uint32_t val;
            char why[320];
            if (!x->has[r])
                continue;
            if (!resolve(R, &x->r[r], c->proc, &val, why, sizeof(why)) || reg[r] != val)
                ok = false;
        }
        if (ok)
            return;
        fmt_regs(reg, act, sizeof(act));
        /* The map right after the step: filled in by a replay (see the top). */
        f = add_failure(R, c->where, what, exp, act, c->proc);
        if (f)
            f->step = (int)c->index;
    }
}

/*
 * The named places of a process at one moment: the block (memory_start,
 * memory_end), the breaks and the allow high-water mark, and its flash (tbf,
 * flash = app start, tbf_end).
 */
struct places {
    uint32_t at[8];
};

static const char *const place_names[8] = {
    "memory_start", "app_break", "high_water_mark", "kernel_break",
    "memory_end",   "tbf",       "flash",           "tbf_end",
};

static void places_of(const struct gs_process *p, struct places *pl)
{
    const uint32_t at[8] = {
        p->memory_start,
        p->app_break,
        p->hwm,
        p->kernel_break,
        p->memory_start + p->memory_len,
        p->app.flash_start,
        gs_process_app_start(p),
        gs_process_flash_end(p),
    };
    memcpy(pl->at, at, sizeof(at));
}

/*
 * v against the nearest named place, as "kernel_break-0x600". False when v
 * is not within 64 KiB of any of them.
 */
static bool named_offset(const struct places *pl, uint32_t v, char *buf, size_t n)
{
    unsigned best = 0;
    uint32_t dist = UINT32_MAX;

    for (unsigned i = 0; i < 8; i++) {
        uint32_t d = v >= pl->at[i] ? v - pl->at[i] : pl->at[i] - v;
        if (d < dist) {
            dist = d;
            best = i;
        }
    }
    if (dist > 0x10000)
        return false;
    if (dist == 0)
        snprintf(buf, n, "%s", place_names[best]);
    else
        snprintf(buf, n, "%s%c0x%x", place_names[best], v >= pl->at[best] ? '+' : '-', dist);
    return true;
}

/* How far got is from want, as "+0x10" or "-0x10". */
static void distance(uint32_t got, uint32_t want, char *buf, size_t n)
{
    snprintf(buf, n, "%c0x%x", got >= want ? '+' : '-', got >= want ? got - want : want - got);
}

/* Compares a resolved value; adds a failure when it differs. */
static void check_u32(struct run *R, const struct gs_scn_check *c, const char *what,
                      const struct gs_scn_value *v, uint32_t actual)
{
    uint32_t want;
    char why[320], vt[96], e[256], a[128], ne[64], na[64], d[16];
    const struct gs_process *p;
    struct gs_scn_failure *f;
    struct places pl;

    if (!resolve(R, v, c->proc, &want, why, sizeof(why))) {
        add_failure(R, c->where, what, "a value it can resolve", why, c->proc);
        return;
    }
    if (want == actual)
        return;
    gs_scn_value_text(v, R->s, vt, sizeof(vt));
    p = c->proc >= 0 ? gs_board_process(R->b, (unsigned)c->proc) : NULL;
    if (p)
        places_of(p, &pl);
    if (p && named_offset(&pl, want, ne, sizeof(ne)) && named_offset(&pl, actual, na, sizeof(na))) {
        /* Both near the process: say where they are, and how far apart. */
        if (v->base == GS_SB_ABS)
            snprintf(e, sizeof(e), "0x%x (%s)", want, ne);
        else
            snprintf(e, sizeof(e), "0x%x (%s = %s)", want, vt, ne);
        distance(actual, want, d, sizeof(d));
        snprintf(a, sizeof(a), "0x%x (%s; %s from the expected)", actual, na, d);
        f = add_failure(R, c->where, what, e, a, c->proc);
        if (f) {
            f->has_addr = true;
            f->addr = actual;
        }
        return;
    }
    if (v->base == GS_SB_ABS)
        snprintf(e, sizeof(e), "0x%x (%u)", want, want);
    else
        snprintf(e, sizeof(e), "0x%x (%s)", want, vt);
    snprintf(a, sizeof(a), "0x%x (%u)", actual, actual);
    add_failure(R, c->where, what, e, a, c->proc);
}

static void check_num(struct run *R, const struct gs_scn_check *c, const char *what, uint32_t want,
                      uint32_t actual)
{
    char e[32], a[32];

    if (want == actual)
        return;
    snprintf(e, sizeof(e), "%u", want);
    snprintf(a, sizeof(a), "%u", actual);
    add_failure(R, c->where, what, e, a, c->proc);
}

static void completion_text(const struct gs_process *p, char *buf, size_t n)
{
    if (!p->has_completion)
        snprintf(buf, n, "None");
    else if (!p->completion_some)
        snprintf(buf, n, "Faulted");
    else
        snprintf(buf, n, "%d (0x%x)", (int32_t)p->completion_code, p->completion_code);
}

static void check_one(struct run *R, const struct gs_scn_check *c)
{
    const struct gs_scenario *s = R->s;
    struct gs_board *b = R->b;
    const struct gs_process *p = c->proc >= 0 ? gs_board_process(b, (unsigned)c->proc) : NULL;
    const char *pname = c->proc >= 0 ? s->procs[c->proc].name : "";
    char what[256], e[256], a[512];

    if (c->proc >= 0 && !p && c->kind != GS_CHK_LOADED && c->kind != GS_CHK_STEP) {
        snprintf(what, sizeof(what), "process \"%s\"", pname);
        add_failure(R, c->where, what, "the process to be loaded", not_loaded(b, c->proc), -1);
        return;
    }
    switch (c->kind) {
    case GS_CHK_RUN_END:
        if (R->end != (enum gs_run_end)c->num)
            add_failure(R, c->where, "how the run ended", gs_run_end_name((enum gs_run_end)c->num),
                        gs_run_end_name(R->end), -1);
        break;
    case GS_CHK_CONSOLE_ALL:
        check_text(R, c, "console output (all processes)", b->console ? b->console->out.data : "",
                   b->console ? b->console->out.len : 0);
        break;
    case GS_CHK_DEBUG:
        check_text(R, c, "kernel debug output", R->col.debug.data, R->col.debug.len);
        break;
    case GS_CHK_LED: {
        char got_p[GS_MAX_LEDS + 1];
        unsigned n = b->led ? b->led->count : 0;
        for (unsigned i = 0; i < n; i++)
            got_p[i] = b->led->on[i] ? '1' : '0';
        got_p[n] = '\0';
        if (n != c->len || memcmp(got_p, c->str, n) != 0) {
            snprintf(e, sizeof(e), "%.*s (1 = on, LED 0 first)", (int)c->len, c->str);
            add_failure(R, c->where, "LED states", e, got_p, -1);
        }
        break;
    }
    case GS_CHK_LOADED:
        if (!!p != c->flag) {
            snprintf(what, sizeof(what), "process \"%s\" loaded", pname);
            add_failure(R, c->where, what, c->flag ? "loaded" : "not loaded",
                        p ? "loaded" : not_loaded(b, c->proc), -1);
        } else if (!p && c->str &&
                   strcmp(c->str, (unsigned)c->proc < b->napps ? b->apps[c->proc].error : "")) {
            /* "load_error": the name of the error the loader reported for it. */
            snprintf(what, sizeof(what), "process \"%s\" load error", pname);
            snprintf(e, sizeof(e), "not loaded: %s", c->str);
            add_failure(R, c->where, what, e, not_loaded(b, c->proc), -1);
        }
        break;
    case GS_CHK_STATE:
        if (p->state != (enum gs_state)c->num) {
            snprintf(what, sizeof(what), "process \"%s\" state", pname);
            gs_format_state(p, a, sizeof(a));
            add_failure(R, c->where, what, gs_state_name((enum gs_state)c->num), a, c->proc);
        }
        break;
    case GS_CHK_COMPLETION: {
        bool ok = c->num == 0 ? !p->has_completion
                  : c->num == 1
                      ? p->has_completion && !p->completion_some
                      : p->has_completion && p->completion_some && p->completion_code == c->v[0].v;
        if (!ok) {
            snprintf(what, sizeof(what), "process \"%s\" completion code", pname);
            if (c->num == 2)
                snprintf(e, sizeof(e), "%d (0x%x)", (int32_t)c->v[0].v, c->v[0].v);
            else
                snprintf(e, sizeof(e), "%s", c->num ? "Faulted" : "None");
            completion_text(p, a, sizeof(a));
            add_failure(R, c->where, what, e, a, c->proc);
        }
        break;
    }
    case GS_CHK_RESTARTS:
        snprintf(what, sizeof(what), "process \"%s\" restart count", pname);
        check_num(R, c, what, c->num, p->restart_count);
        break;
    case GS_CHK_CONSOLE:
        snprintf(what, sizeof(what), "console output of \"%s\"", pname);
        check_text(R, c, what, b->console && p->index < 16 ? b->console->per[p->index].data : "",
                   b->console && p->index < 16 ? b->console->per[p->index].len : 0);
        break;
    case GS_CHK_FAULT_COUNT:
        if (R->col.nfaults[p->index] != c->num) {
            snprintf(what, sizeof(what), "process \"%s\" faults", pname);
            snprintf(e, sizeof(e), "%u fault%s", c->num, c->num == 1 ? "" : "s");
            fmt_faults(R, p->index, a, sizeof(a));
            add_failure(R, c->where, what, e, a, c->proc);
        }
        break;
    case GS_CHK_FAULT: {
        const struct fault_rec *f;
        snprintf(what, sizeof(what), "process \"%s\" fault %u", pname, c->index);
        if (c->index >= R->col.nfaults[p->index] || c->index >= MAX_FAULTS)
            break; /* the count check reports it */
        f = &R->col.faults[p->index][c->index];
        if (c->has_num && f->kind != c->num)
            add_failure(R, c->where, what, gs_fault_kind_name((enum gs_fault_kind)c->num),
                        gs_fault_kind_name((enum gs_fault_kind)f->kind), c->proc);
        if (c->has[0]) {
            snprintf(what, sizeof(what), "process \"%s\" fault %u address", pname, c->index);
            check_u32(R, c, what, &c->v[0], f->addr);
        }
        break;
    }
    case GS_CHK_LAYOUT: {
        static const char *const names[GS_LAY_COUNT] = {"memory_start", "memory_len", "app_break",
                                                        "kernel_break (grant region start)",
                                                        "allow high-water mark"};
        uint32_t vals[GS_LAY_COUNT] = {p->memory_start, p->memory_len, p->app_break,
                                       p->kernel_break, p->hwm};
        snprintf(what, sizeof(what), "process \"%s\" %s", pname, names[c->index]);
        check_u32(R, c, what, &c->v[0], vals[c->index]);
        break;
    }
    case GS_CHK_GRANT: {
        struct gs_grant *g = gs_kernel_grant_for_driver(b->k, c->num);
        uint32_t drv = 0, ptr = 0;
        snprintf(what, sizeof(what), "process \"%s\" grant of driver 0x%x", pname, c->num);
        if (!g) {
            add_failure(R, c->where, what, "a grant", "the board has no grant for this driver",
                        c->proc);
            break;
        }
        gs_process_grant_entry(p, g->num, &drv, &ptr);
        if ((ptr != 0) != c->flag) {
            snprintf(a, sizeof(a), ptr ? "allocated at 0x%x" : "not allocated", ptr & ~1u);
            add_failure(R, c->where, what, c->flag ? "allocated" : "not allocated", a, c->proc);
            break;
        }
        if (c->has[0]) {
            snprintf(what, sizeof(what), "process \"%s\" grant of driver 0x%x address", pname,
                     c->num);
            check_u32(R, c, what, &c->v[0], ptr & ~1u);
        }
        break;
    }
    case GS_CHK_GRANT_COUNT: {
        int n = gs_process_grant_allocated_count(p);
        snprintf(what, sizeof(what), "process \"%s\" allocated grants", pname);
        if (n < 0)
            add_failure(R, c->where, what, "a count", "None (the process is not running)", c->proc);
        else
            check_num(R, c, what, c->num, (uint32_t)n);
        break;
    }
    case GS_CHK_MPU: {
        const struct gs_mpu_region *rg = &p->mpu_cfg.regions[c->index];
        if (c->flag) {
            if (rg->used) {
                snprintf(what, sizeof(what), "process \"%s\" MPU region %u", pname, c->index);
                snprintf(a, sizeof(a), "used: RBAR 0x%08x RASR 0x%08x", rg->rbar, rg->rasr);
                add_failure(R, c->where, what, "unused", a, c->proc);
            }
            break;
        }
        if (c->has[0]) {
            snprintf(what, sizeof(what), "process \"%s\" MPU region %u RBAR", pname, c->index);
            check_u32(R, c, what, &c->v[0], rg->rbar);
        }
        if (c->has[1]) {
            snprintf(what, sizeof(what), "process \"%s\" MPU region %u RASR", pname, c->index);
            check_u32(R, c, what, &c->v[1], rg->rasr);
        }
        break;
    }
    case GS_CHK_UPCALL_COUNT:
    case GS_CHK_UPCALL:
    case GS_CHK_STEPS_DONE:
    case GS_CHK_FINISHED: {
        const struct gs_script_report *rep = report_of(R, (unsigned)c->proc);
        snprintf(what, sizeof(what), "process \"%s\" %s", pname,
                 c->kind == GS_CHK_UPCALL_COUNT ? "upcalls run"
                 : c->kind == GS_CHK_UPCALL     ? "upcall"
                 : c->kind == GS_CHK_STEPS_DONE ? "steps done"
                                                : "final action reached");
        if (!rep) {
            add_failure(R, c->where, what, "recorded results",
                        "nothing was recorded (the script's prologue brk failed or never ran)",
                        c->proc);
            break;
        }
        if (c->kind == GS_CHK_UPCALL_COUNT) {
            check_num(R, c, what, c->num, rep->upcalls);
        } else if (c->kind == GS_CHK_STEPS_DONE) {
            check_num(R, c, what, c->num, rep->steps_done);
        } else if (c->kind == GS_CHK_FINISHED) {
            if (rep->finished != c->flag)
                add_failure(R, c->where, what, c->flag ? "true" : "false",
                            rep->finished ? "true" : "false", c->proc);
        } else if (c->index < rep->nlog) {
            const struct gs_script_upcall *u = &rep->log[c->index];
            static const char *const argn[4] = {"arg 0", "arg 1", "arg 2", "appdata"};
            if (c->has_num) {
                snprintf(what, sizeof(what), "process \"%s\" upcall %u handler", pname, c->index);
                check_num(R, c, what, c->num, u->handler);
            }
            if (c->has_num2) {
                snprintf(what, sizeof(what), "process \"%s\" upcall %u step", pname, c->index);
                check_num(R, c, what, c->num2, u->step);
            }
            for (unsigned k = 0; k < 4; k++) {
                if (!c->has[k])
                    continue;
                snprintf(what, sizeof(what), "process \"%s\" upcall %u %s", pname, c->index,
                         argn[k]);
                check_u32(R, c, what, &c->v[k], u->r[k]);
            }
        } else if (c->index >= GS_SCRIPT_LOG_CAP) {
            add_failure(R, c->where, what, "an upcall in the log",
                        "the script's upcall log holds only the first 16 upcalls", c->proc);
        }
        /* A missing upcall (index >= count) is reported by the count check. */
        break;
    }
    case GS_CHK_MEMORY: {
        uint32_t addr;
        uint8_t buf[4096];
        uint32_t n = c->num ? c->num : (uint32_t)c->len;
        char why[320];
        snprintf(what, sizeof(what), "process \"%s\" memory", pname);
        if (!resolve(R, &c->v[0], c->proc, &addr, why, sizeof(why))) {
            add_failure(R, c->where, what, "an address it can resolve", why, c->proc);
            break;
        }
        snprintf(what, sizeof(what), "process \"%s\" memory at 0x%08x", pname, addr);
        if (gs_mem_read(&b->mem, addr, buf, n) != GS_OK) {
            add_failure(R, c->where, what, "readable memory", "outside the board's RAM and flash",
                        c->proc);
            break;
        }
        unsigned before = R->r->nfailures;
        if (c->num == 1) {
            check_num(R, c, what, c->v[1].v, buf[0]);
        } else if (c->num == 4) {
            check_u32(R, c, what, &c->v[1],
                      (uint32_t)buf[0] | (uint32_t)buf[1] << 8 | (uint32_t)buf[2] << 16 |
                          (uint32_t)buf[3] << 24);
        } else if (memcmp(buf, c->str, c->len) != 0) {
            char *eh = malloc(2 * c->len + 1), *ah = malloc(2 * c->len + 1);
            if (eh && ah) {
                for (size_t i = 0; i < c->len; i++) {
                    snprintf(eh + 2 * i, 3, "%02x", (uint8_t)c->str[i]);
                    snprintf(ah + 2 * i, 3, "%02x", buf[i]);
                }
                add_failure(R, c->where, what, eh, ah, c->proc);
            }
            free(eh);
            free(ah);
        }
        if (R->r->nfailures > before) { /* the line of the map that matters: the memory's */
            R->r->failures[before].has_addr = true;
            R->r->failures[before].addr = addr;
        }
        break;
    }
    case GS_CHK_COUNTER: {
        static const char *const names[GS_CNT_COUNT] = {"queued tasks", "dropped upcalls",
                                                        "syscall count"};
        uint32_t vals[GS_CNT_COUNT] = {gs_tasks_len(p), (uint32_t)p->dropped_upcalls,
                                       (uint32_t)p->syscall_count};
        snprintf(what, sizeof(what), "process \"%s\" %s", pname, names[c->index]);
        check_num(R, c, what, c->num, vals[c->index]);
        break;
    }
    case GS_CHK_STEP:
        check_step(R, c);
        break;
    }
}

/* Does finding id match the expected pattern (a trailing '*' matches any rest)? */
static bool id_matches(const char *pat, const char *id)
{
    size_t n = strlen(pat);

    if (n && pat[n - 1] == '*')
        return strncmp(pat, id, n - 1) == 0;
    return strcmp(pat, id) == 0;
}

static int finding_kind_of(const char *id)
{
    static const char *const kinds[] = {"ownership", "layout", "isolation", "panic"};

    for (int k = 0; k < 4; k++) {
        size_t n = strlen(kinds[k]);
        if (strncmp(id, kinds[k], n) == 0 && id[n] == ':')
            return k;
    }
    return -1;
}

static void check_oracles(struct run *R)
{
    const struct gs_scenario *s = R->s;
    struct gs_scn_result *r = R->r;
    struct gs_kernel *k = R->b->k;

    if (k->panicked)
        snprintf(r->panic, sizeof(r->panic), "%s", k->panic_msg);
    /* Panics. */
    if (s->panic == 1) {
        if (!k->panicked)
            add_failure(R, s->panic_where, "kernel panic",
                        s->panic_msg ? s->panic_msg : "a kernel panic", "no panic", -1);
        else if (s->panic_msg && strcmp(s->panic_msg, k->panic_msg) != 0)
            add_failure(R, s->panic_where, "kernel panic message", s->panic_msg, k->panic_msg, -1);
    }
    /* Findings: each reported one is expected, silenced-off, or unexpected. */
    r->nfindings = R->col.nfindings;
    if (r->nfindings) {
        r->findings = malloc(r->nfindings * sizeof(*r->findings));
        if (r->findings)
            memcpy(r->findings, R->col.findings, r->nfindings * sizeof(*r->findings));
        else
            r->nfindings = 0;
    }
    for (unsigned i = 0; i < R->col.nfindings; i++) {
        const char *id = R->col.findings[i].id;
        int kind = finding_kind_of(id);
        bool ok = false;
        for (unsigned j = 0; j < s->nfindings && !ok; j++)
            ok = id_matches(s->findings[j], id);
        if (kind == 3 && s->panic == 1)
            ok = true; /* the expected panic */
        if (kind >= 0 && !(s->silent & (1u << kind)))
            ok = true;
        if (!ok)
            r->unexpected++;
    }
    if (R->col.findings_overflow)
        r->unexpected++;
    for (unsigned j = 0; j < s->nfindings; j++) {
        bool seen = false;
        for (unsigned i = 0; i < R->col.nfindings && !seen; i++)
            seen = id_matches(s->findings[j], R->col.findings[i].id);
        if (!seen)
            add_failure(R, s->findings_where[j], "oracle finding", s->findings[j],
                        R->col.nfindings ? "not reported (see the findings reported below)"
                                         : "no finding was reported",
                        -1);
    }
}

/* -------------------------------------------------------------------- run */

static void run_free(struct run *R)
{
    if (R->trace) {
        gs_trace_free(R->trace);
        R->trace = NULL;
    }
    if (R->reports) {
        for (unsigned i = 0; i < R->s->nprocs; i++)
            free(R->reports[i]);
        free(R->reports);
    }
    if (R->end_maps) {
        for (unsigned i = 0; i < R->s->nprocs; i++)
            free(R->end_maps[i]);
        free(R->end_maps);
    }
    free(R->report_ok);
    free(R->cap.order);
    R->cap.order = NULL;
    gs_strbuf_free(&R->col.debug);
    if (!R->reuse)
        gs_board_free(R->b);
    R->b = NULL;
}

/* A moment's place in the capture: its process's slot, then incarnation, syscall count. */
struct moment_key {
    unsigned slot, restarts, index;
    uint32_t after;
};

static int cmp_key(const void *a, const void *b)
{
    const struct moment_key *x = a, *y = b;

    if (x->slot != y->slot)
        return x->slot < y->slot ? -1 : 1;
    if (x->restarts != y->restarts)
        return x->restarts < y->restarts ? -1 : 1;
    if (x->after != y->after)
        return x->after < y->after ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Sorts the moments into per-slot lists once the processes exist. */
static bool capture_prepare(struct capture *c, const struct gs_board *b, char *err, size_t n)
{
    struct moment_key *key = malloc(c->n * sizeof(*key));
    unsigned k = 0, j = 0;

    c->order = malloc(c->n * sizeof(*c->order));
    if (!key || !c->order) {
        free(key);
        snprintf(err, n, "out of host memory");
        return false;
    }
    c->k = b->k;
    for (unsigned i = 0; i < c->n; i++) {
        const struct gs_scn_moment *m = &c->m[i].m;
        const struct gs_process *p =
            m->proc >= 0 && !m->at_end ? gs_board_process(b, (unsigned)m->proc) : NULL;
        if (p && p->index < GS_MAX_PROCS)
            key[k++] = (struct moment_key){p->index, m->restarts, i, m->after};
    }
    qsort(key, k, sizeof(*key), cmp_key);
    for (unsigned slot = 0; slot <= GS_MAX_PROCS; slot++) {
        c->first[slot] = j;
        if (slot < GS_MAX_PROCS)
            c->next[slot] = j;
        for (; j < k && key[j].slot == slot; j++)
            c->order[j] = key[j].index;
    }
    free(key);
    return true;
}

/* Builds and runs once. Returns false (with err) when the board cannot be built. */
/* How execute writes the trace (NULL file: none). */
enum trace_form { TRACE_TEXT, TRACE_CHROME, TRACE_SVG };

static bool execute(struct run *R, FILE *trace, enum trace_form form, char *err, size_t n)
{
    const struct gs_scenario *s = R->s;

    R->reports = calloc(s->nprocs, sizeof(*R->reports));
    R->report_ok = calloc(s->nprocs, sizeof(*R->report_ok));
    R->end_maps = calloc(s->nprocs, sizeof(*R->end_maps));
    if (!R->reports || !R->report_ok || !R->end_maps) {
        snprintf(err, n, "out of host memory");
        return false;
    }
    if (!build(R, err, n))
        return false;
    gs_kernel_add_observer(R->b->k, collect_event, &R->col);
    if (trace) {
        if (form == TRACE_SVG) {
            char title[200];
            snprintf(title, sizeof(title), "grantsim trace: %s", R->s->name ? R->s->name : "");
            R->trace = gs_trace_new_svg(trace, R->s->clock_hz, title);
        } else {
            R->trace = form == TRACE_CHROME ? gs_trace_new_chrome(trace, R->s->clock_hz)
                                            : gs_trace_new(trace);
        }
        if (R->trace) {
            gs_trace_set_kernel(R->trace, R->b->k);
            gs_kernel_add_observer(R->b->k, gs_trace_event, R->trace);
        }
    }
    if (R->attach)
        R->attach(R->attach_ctx, R->b->k);
    if (R->attach_board)
        R->attach_board(R->attach_ctx, R->b);
    R->b->k->check_invariants = true;
    R->b->k->inject.grant_alloc_at = s->inject_grant_alloc_at;
    R->b->k->inject.mpu_region_at = s->inject_mpu_region_at;
    if (!load(R, err, n))
        return false;
    if (R->cap.n) {
        if (!capture_prepare(&R->cap, R->b, err, n))
            return false;
        gs_kernel_add_observer(R->b->k, capture_event, &R->cap);
    }
    R->end = gs_board_run_for(R->b, s->max_instructions, max_time(s));
    if (!R->b->k->panicked)
        gs_invariants_check(R->b->k, GS_INV_QUIESCENT | GS_INV_SHADOW);
    return true;
}

static char *end_map(struct run *R, int proc)
{
    const struct gs_process *p = gs_board_process(R->b, (unsigned)proc);
    struct gs_strbuf sb;

    if (!p)
        return NULL;
    if (!R->end_maps[proc]) {
        memset(&sb, 0, sizeof(sb));
        print_map(R->b->k, p, &sb);
        R->end_maps[proc] = sb.data; /* owned by R */
    }
    return R->end_maps[proc];
}

/* Number of syscalls the script makes up to (and, with inclusive, including) step i. */
static uint32_t syscalls_through(const struct gs_scn_proc *sp, unsigned i, bool inclusive)
{
    uint32_t n = sp->record ? 1 : 0; /* the prologue brk */

    for (unsigned j = 0; j < i + (inclusive ? 1 : 0) && j < sp->nsteps; j++)
        if (sp->steps[j].kind < 256)
            n++;
    return n;
}

int gs_scn_moment_after_step(const struct gs_scenario *s, int proc, unsigned step,
                             unsigned restarts, struct gs_scn_moment *m)
{
    if (proc < 0 || (unsigned)proc >= s->nprocs || s->procs[proc].src != GS_SRC_SCRIPT ||
        step >= s->procs[proc].nsteps)
        return GS_E_ARG;
    memset(m, 0, sizeof(*m));
    m->proc = proc;
    m->restarts = restarts;
    m->before = syscalls_through(&s->procs[proc], step, false);
    m->after = syscalls_through(&s->procs[proc], step, true);
    return GS_OK;
}

/*
 * Replays s once and takes the snapshot of every moment in m[0..n): when its
 * process reaches it, else at the end of the run (at_end, or a moment that
 * never came). A moment whose process was not loaded gets none: missing is
 * set and err says why. Returns false with err when the board cannot be built.
 */
static bool replay(const struct gs_scenario *s, struct moment *m, unsigned n, char *err, size_t en)
{
    struct run R;
    struct gs_scn_result tmp;
    bool ok;

    memset(&R, 0, sizeof(R));
    memset(&tmp, 0, sizeof(tmp));
    R.s = s;
    R.r = &tmp;
    R.cap.m = m;
    R.cap.n = n;
    ok = execute(&R, NULL, TRACE_TEXT, err, en);
    for (unsigned i = 0; ok && i < n; i++) {
        const struct gs_process *p;
        if (m[i].done)
            continue;
        p = m[i].m.proc >= 0 ? gs_board_process(R.b, (unsigned)m[i].m.proc) : NULL;
        if (p || m[i].m.proc < 0) {
            snap(&m[i], R.b->k, p, false, 0);
        } else {
            m[i].missing = true;
            snprintf(err, en, "process \"%s\" was %s", s->procs[m[i].m.proc].name,
                     not_loaded(R.b, m[i].m.proc));
        }
    }
    run_free(&R);
    gs_scn_result_free(&tmp);
    return ok;
}

int gs_scn_snapshot(const struct gs_scenario *s, const struct gs_scn_moment *m, gs_scn_snap_fn fn,
                    void *ctx, char *err, size_t n)
{
    struct moment mo;

    if (m->proc < -1 || m->proc >= (int)s->nprocs || (m->proc < 0 && !m->at_end)) {
        snprintf(err, n, "the scenario has no process %d", m->proc);
        return GS_E_ARG;
    }
    memset(&mo, 0, sizeof(mo));
    mo.m = *m;
    mo.fn = fn;
    mo.ctx = ctx;
    if (!replay(s, &mo, 1, err, n) || mo.missing)
        return GS_E_ARG;
    return GS_OK;
}

/* What a replay takes at a failed step's moment: the map and the named places. */
struct step_snap {
    struct gs_strbuf map;
    struct places pl;
};

static void snap_into(void *ctx, const struct gs_kernel *k, const struct gs_process *p,
                      const char *when)
{
    struct step_snap *ss = ctx;

    (void)when;
    print_map(k, p, &ss->map);
    places_of(p, &ss->pl);
}

/*
 * A failed step's registers against the process's named places right after
 * the step, where both the expected and the actual value are near them:
 * "r1 0x20001a10 (r1 app_break+0x10)" expected, "...; r1 app_break, -0x10
 * from the expected" actual. The compact report then shows the map line
 * that holds the first such actual value.
 */
static void name_step_regs(struct run *R, struct gs_scn_failure *f, const struct places *pl)
{
    const struct gs_scn_regs *x = R->s->procs[f->proc].steps[f->step].x;
    const struct gs_script_report *rep = report_of(R, (unsigned)f->proc);
    bool fail = x->any_failure || (x->has_variant && gs_scn_variant_is_failure(x->variant));
    char e[256], a[256], why[320], *t;
    size_t ne = 0, na = 0;

    if (x->never || !rep || (unsigned)f->step >= rep->nresults)
        return;
    for (unsigned r = 1; r < 4; r++) {
        const uint32_t got = rep->results[f->step].r[r];
        char wn[64], gn[64], d[16];
        uint32_t want;
        if (!x->has[r] || (r == 1 && fail)) /* r1 of a Failure is an error code */
            continue;
        if (!resolve(R, &x->r[r], f->proc, &want, why, sizeof(why)) || want == got)
            continue;
        if (!named_offset(pl, want, wn, sizeof(wn)) || !named_offset(pl, got, gn, sizeof(gn)))
            continue;
        if (ne < sizeof(e))
            ne += (size_t)snprintf(e + ne, sizeof(e) - ne, "%sr%u %s", ne ? ", " : "", r, wn);
        distance(got, want, d, sizeof(d));
        if (na < sizeof(a))
            na += (size_t)snprintf(a + na, sizeof(a) - na, "%sr%u %s, %s from the expected",
                                   na ? "; " : "", r, gn, d);
        if (!f->has_addr) {
            f->has_addr = true;
            f->addr = got;
        }
    }
    if (!ne)
        return;
    if ((t = gs_scn_asprintf("%s (%s)", f->expected, e))) {
        free(f->expected);
        f->expected = t;
    }
    if ((t = gs_scn_asprintf("%s; %s", f->actual, a))) {
        free(f->actual);
        f->actual = t;
    }
}

/*
 * The maps of failed step expectations, right after their steps: one moment
 * per process and step, all taken in one replay (see the top). A map that
 * cannot be had (the process was not loaded in the replay) stays NULL. The
 * same moment names the step's registers against the process's places.
 */
static void step_maps(struct run *R)
{
    const struct gs_scenario *s = R->s;
    struct gs_scn_result *r = R->r;
    struct moment *m = calloc(r->nfailures, sizeof(*m));
    struct step_snap *sb = calloc(r->nfailures, sizeof(*sb));
    unsigned *of = calloc(r->nfailures, sizeof(*of)); /* failure -> moment + 1 (0: none) */
    unsigned *index = calloc((size_t)s->nprocs * GS_SCRIPT_MAX_STEPS, sizeof(*index));
    unsigned n = 0;
    char err[256];

    if (!m || !sb || !of || !index)
        goto out;
    for (unsigned i = 0; i < r->nfailures; i++) {
        const struct gs_scn_failure *f = &r->failures[i];
        const struct gs_process *p;
        unsigned *at;
        if (f->proc < 0 || f->step < 0 || (unsigned)f->step >= GS_SCRIPT_MAX_STEPS)
            continue;
        at = &index[(size_t)f->proc * GS_SCRIPT_MAX_STEPS + (unsigned)f->step];
        if (!*at) {
            p = gs_board_process(R->b, (unsigned)f->proc);
            if (gs_scn_moment_after_step(s, f->proc, (unsigned)f->step, p ? p->restart_count : 0,
                                         &m[n].m) != GS_OK)
                continue;
            m[n].fn = snap_into;
            m[n].ctx = &sb[n];
            *at = ++n;
        }
        of[i] = *at;
    }
    if (!n || !replay(s, m, n, err, sizeof(err)))
        goto out;
    for (unsigned i = 0; i < r->nfailures; i++) {
        const struct moment *mo = of[i] ? &m[of[i] - 1] : NULL;
        const char *map = mo ? sb[of[i] - 1].map.data : NULL;
        if (!map || mo->missing)
            continue;
        r->failures[i].map = strdup(map);
        name_step_regs(R, &r->failures[i], &sb[of[i] - 1].pl);
    }
out:
    for (unsigned i = 0; sb && i < n; i++)
        gs_strbuf_free(&sb[i].map);
    free(m);
    free(sb);
    free(of);
    free(index);
}

int gs_scn_run(const struct gs_scenario *s, const struct gs_scn_run_opts *o,
               struct gs_scn_result *r)
{
    struct run R;
    struct gs_scn_run_opts defaults = {.maps = true, .trace = NULL};

    if (!o)
        o = &defaults;
    memset(r, 0, sizeof(*r));
    memset(&R, 0, sizeof(R));
    R.s = s;
    R.r = r;
    R.reuse = o->reuse;
    R.attach = o->attach;
    R.attach_board = o->attach_board;
    R.attach_ctx = o->attach_ctx;
    r->known_divergence = s->known_divergence != NULL;
    if (!execute(&R, o->trace,
                 o->trace_svg      ? TRACE_SVG
                 : o->trace_chrome ? TRACE_CHROME
                                   : TRACE_TEXT,
                 r->error, sizeof(r->error))) {
        r->status = GS_SCN_ERROR;
        run_free(&R);
        return GS_OK;
    }
    r->run_end = R.end;
    r->time = gs_kernel_now(R.b->k);
    r->instructions = r->time - gs_kernel_idle_time(R.b->k);
    r->clock_hz = s->clock_hz;
    if (o->at_end)
        o->at_end(o->attach_ctx, R.b);
    for (unsigned i = 0; i < s->nchecks; i++)
        check_one(&R, &s->checks[i]);
    check_oracles(&R);
    /* Memory maps. */
    if (o->maps) {
        step_maps(&R);
        for (unsigned i = 0; i < r->nfailures; i++) {
            struct gs_scn_failure *f = &r->failures[i];
            if (f->proc < 0)
                continue;
            if (f->step >= 0) {
                f->map_when = gs_scn_asprintf("after step %d (at its next syscall, shown as Last "
                                              "Syscall, or its fault or exit)",
                                              f->step);
            } else {
                char *m = end_map(&R, f->proc);
                f->map = m ? strdup(m) : NULL;
                f->map_when = strdup("at the end of the run");
            }
        }
    }
    if (r->unexpected || (s->panic != 1 && R.b->k->panicked))
        r->status = GS_SCN_FINDING;
    else if (r->nfailures)
        r->status = GS_SCN_FAIL;
    else
        r->status = GS_SCN_PASS;
    run_free(&R);
    return GS_OK;
}

void gs_scn_result_free(struct gs_scn_result *r)
{
    if (!r)
        return;
    for (unsigned i = 0; i < r->nfailures; i++) {
        struct gs_scn_failure *f = &r->failures[i];
        free(f->where);
        free(f->what);
        free(f->expected);
        free(f->actual);
        free(f->map);
        free(f->map_when);
    }
    free(r->failures);
    free(r->findings);
    memset(r, 0, sizeof(*r));
}

enum gs_scn_exit gs_scn_result_exit(const struct gs_scn_result *r)
{
    switch (r->status) {
    case GS_SCN_ERROR:
        return GS_EXIT_INPUT;
    case GS_SCN_PASS:
        return r->known_divergence ? GS_EXIT_FAIL : GS_EXIT_PASS;
    case GS_SCN_FAIL:
        return r->known_divergence ? GS_EXIT_PASS : GS_EXIT_FAIL;
    case GS_SCN_FINDING:
        return r->known_divergence ? GS_EXIT_PASS : GS_EXIT_FINDING;
    }
    return GS_EXIT_INPUT;
}
