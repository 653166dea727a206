/* SPDX-License-Identifier: MIT */
#include "board.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "process.h"
#include "sched.h"

#define KIB 1024u

void gs_board_config_default(struct gs_board_config *c)
{
    memset(c, 0, sizeof(*c));
    c->ram_base = 0x20000000;
    c->ram_size = 128 * KIB;
    c->flash_base = 0x00000000;
    c->flash_size = 512 * KIB;
    c->app_flash_start = 0x00030000;
    c->app_ram_start = c->ram_base;
    gs_kernel_config_default(&c->kernel);
    c->inline_svc = true;
}

static void free_capsules(struct gs_board *b);

int gs_board_new(const struct gs_board_config *cfg, struct gs_board **out)
{
    struct gs_board *b;
    int err;

    if (!cfg || !out || cfg->app_flash_start < cfg->flash_base ||
        cfg->app_flash_start - cfg->flash_base >= cfg->flash_size || cfg->app_flash_start % KIB ||
        cfg->app_ram_start < cfg->ram_base || cfg->app_ram_start - cfg->ram_base >= cfg->ram_size)
        return GS_E_ARG;
    b = calloc(1, sizeof(*b));
    if (!b)
        return GS_E_NOMEM_HOST;
    b->cfg = *cfg;
    err = gs_mem_init(&b->mem, cfg->ram_base, cfg->ram_size, cfg->flash_base, cfg->flash_size);
    if (!err)
        err = gs_kernel_new(&b->mem, &cfg->kernel, &b->k);
    if (!err)
        err = gs_machine_new(b->k, &b->machine);
    if (!err)
        err = gs_kernel_set_timeslice(b->k, cfg->timeslice);
    if (err) {
        gs_board_free(b);
        return err;
    }
    gs_machine_set_inline(b->machine, cfg->inline_svc);
    b->flash_next = cfg->app_flash_start;
    *out = b;
    return GS_OK;
}

void gs_board_free(struct gs_board *b)
{
    if (!b)
        return;
    gs_machine_free(b->machine);
    gs_kernel_free(b->k); /* runs the capsules' destroy hooks */
    free_capsules(b);
    gs_mem_free(&b->mem);
    free(b->flash_seen);
    free(b);
}

/*
 * Tells the machine which app-flash pages differ from what its engines last
 * ran (after a reset, new apps may sit where others were), so that no stale
 * translation of old code runs. Unchanged pages keep their translations.
 */
static void code_changed(struct gs_board *b)
{
    uint32_t start = b->cfg.app_flash_start;
    uint32_t end = b->flash_next > b->seen_end ? b->flash_next : b->seen_end;
    const uint8_t *now = gs_mem_host_ptr(&b->mem, start, 1);

    if (!b->flash_seen) {
        uint32_t size = b->cfg.flash_base + b->cfg.flash_size - start;
        b->flash_seen = malloc(size);
        if (!b->flash_seen)
            return;
        memcpy(b->flash_seen, now, size); /* first load: nothing translated yet */
        b->seen_end = b->flash_next;
        return;
    }
    for (uint32_t a = start; a < end; a += KIB) {
        uint32_t off = a - start, first = 0, last = KIB;
        if (memcmp(b->flash_seen + off, now + off, KIB) == 0)
            continue;
        /* Only the bytes that differ: code around them keeps its translations. */
        while (b->flash_seen[off + first] == now[off + first])
            first++;
        while (b->flash_seen[off + last - 1] == now[off + last - 1])
            last--;
        gs_machine_code_changed(b->machine, a + first, last - first);
        memcpy(b->flash_seen + off, now + off, KIB);
    }
    b->seen_end = b->flash_next;
}

void gs_board_reset(struct gs_board *b)
{
    uint32_t from = b->cfg.app_flash_start, to = b->flash_next;
    uint32_t ram_to = b->ram_used_end ? b->ram_used_end : UINT32_MAX; /* clamped */

    /* Processes only ever touch their blocks, which the loader took from
     * the pool in order: clearing up to the pool's end clears all of it. */
    gs_kernel_reset(b->k);
    gs_mem_reset(&b->mem, b->cfg.ram_base, ram_to, from, to);
    gs_machine_reset(b->machine);
    memset(b->apps, 0, sizeof(b->apps));
    b->napps = 0;
    b->flash_next = b->cfg.app_flash_start;
    b->loaded = false;
}

/* Frees a capsule object, unless it is a member of the board's capsule set. */
static void free_capsule(const struct gs_board *b, void *c)
{
    uintptr_t p = (uintptr_t)c, s = (uintptr_t)b->set;

    if (!s || p < s || p >= s + sizeof(*b->set))
        free(c);
}

/* Frees the capsule objects (their kernel, which held them as drivers, is gone). */
static void free_capsules(struct gs_board *b)
{
    free_capsule(b, b->console);
    free_capsule(b, b->alarm);
    free_capsule(b, b->led);
    free_capsule(b, b->rng);
    free_capsule(b, b->lld);
    free_capsule(b, b->ipc);
    for (unsigned i = 0; i < b->ntest; i++)
        free_capsule(b, b->test[i]);
    free(b->set);
    b->set = NULL;
    b->console = NULL;
    b->alarm = NULL;
    b->led = NULL;
    b->rng = NULL;
    b->lld = NULL;
    b->ipc = NULL;
    memset(b->test, 0, sizeof(b->test));
    b->ntest = 0;
}

int gs_board_reconfigure(struct gs_board *b, const struct gs_board_config *cfg)
{
    struct gs_kernel *k;
    int err;

    if (!b || !cfg || cfg->ram_base != b->cfg.ram_base || cfg->ram_size != b->cfg.ram_size ||
        cfg->flash_base != b->cfg.flash_base || cfg->flash_size != b->cfg.flash_size ||
        cfg->app_flash_start < cfg->flash_base ||
        cfg->app_flash_start - cfg->flash_base >= cfg->flash_size || cfg->app_flash_start % KIB ||
        cfg->app_ram_start < cfg->ram_base || cfg->app_ram_start - cfg->ram_base >= cfg->ram_size)
        return GS_E_ARG;
    gs_board_reset(b);
    err = gs_kernel_new(&b->mem, &cfg->kernel, &k);
    if (err)
        return err;
    if ((err = gs_kernel_set_timeslice(k, cfg->timeslice)) != GS_OK ||
        (err = gs_machine_rebind(b->machine, k)) != GS_OK) {
        gs_kernel_free(k); /* the board keeps its old kernel, which lost the memory's findings */
        return err;
    }
    gs_kernel_free(b->k); /* runs the old capsules' destroy hooks */
    free_capsules(b);
    b->k = k;
    b->cfg = *cfg;
    gs_machine_set_inline(b->machine, cfg->inline_svc);
    b->flash_next = cfg->app_flash_start;
    return GS_OK;
}

/* Allocates a capsule object, or reports why not. */
static int alloc_capsule(struct gs_board *b, void **slot, size_t size, void **out)
{
    if (b->loaded)
        return GS_E_STATE;
    if (*slot)
        return GS_E_ARG; /* already added */
    *out = calloc(1, size);
    return *out ? GS_OK : GS_E_NOMEM_HOST;
}

#define ADD_CAPSULE(field, type, init_call)                                                        \
    do {                                                                                           \
        void *obj_;                                                                                \
        int e_ = alloc_capsule(b, (void **)&b->field, sizeof(type), &obj_);                        \
        if (e_)                                                                                    \
            return e_;                                                                             \
        type *c_ = obj_;                                                                           \
        e_ = init_call;                                                                            \
        if (e_) {                                                                                  \
            free(c_);                                                                              \
            return e_;                                                                             \
        }                                                                                          \
        b->field = c_;                                                                             \
        return GS_OK;                                                                              \
    } while (0)

int gs_board_add_console(struct gs_board *b, uint32_t driver)
{
    ADD_CAPSULE(console, struct gs_console, gs_console_init(b->k, c_, driver));
}

int gs_board_add_alarm(struct gs_board *b, uint32_t driver)
{
    ADD_CAPSULE(alarm, struct gs_alarm, gs_alarm_init(b->k, c_, driver));
}

int gs_board_add_led(struct gs_board *b, uint32_t driver, unsigned count)
{
    ADD_CAPSULE(led, struct gs_led, gs_led_init(b->k, c_, driver, count));
}

int gs_board_add_rng(struct gs_board *b, uint32_t driver, uint64_t seed)
{
    ADD_CAPSULE(rng, struct gs_rng, gs_rng_init(b->k, c_, driver, seed));
}

int gs_board_add_lld(struct gs_board *b, uint32_t driver)
{
    ADD_CAPSULE(lld, struct gs_lld, gs_lld_init(b->k, c_, driver));
}

int gs_board_add_ipc(struct gs_board *b, uint32_t driver)
{
    ADD_CAPSULE(ipc, struct gs_ipc, gs_ipc_init(b->k, c_, driver));
}

int gs_board_add_capsule_set(struct gs_board *b, const struct gs_grant_shape *test_shape)
{
    struct gs_capsule_set *s;
    int e;

    if (b->loaded)
        return GS_E_STATE;
    if (b->set || b->console || b->alarm || b->led || b->rng || b->lld || b->ipc || b->ntest)
        return GS_E_ARG; /* one of its capsules is there already */
    s = calloc(1, sizeof(*s));
    if (!s)
        return GS_E_NOMEM_HOST;
    /* The kernel may hold some of its capsules as drivers even after an error: keep it. */
    b->set = s;
    e = gs_capsule_set_init(b->k, s, test_shape);
    if (e)
        return e;
    b->console = &s->con;
    b->alarm = &s->alarm;
    b->led = &s->led;
    b->rng = &s->rng;
    b->lld = &s->lld;
    b->ipc = &s->ipc;
    b->test[b->ntest++] = &s->test;
    return GS_OK;
}

int gs_board_add_test(struct gs_board *b, uint32_t driver, const struct gs_grant_shape *shape,
                      bool check_t_bounds)
{
    struct gs_test_capsule *t;
    int e;

    if (b->loaded)
        return GS_E_STATE;
    if (b->ntest >= GS_BOARD_MAX_TEST)
        return GS_E_NO_SLOT;
    t = calloc(1, sizeof(*t));
    if (!t)
        return GS_E_NOMEM_HOST;
    e = gs_test_capsule_init(b->k, t, driver, shape);
    if (e) {
        free(t);
        return e;
    }
    t->check_t_bounds = check_t_bounds;
    b->test[b->ntest++] = t;
    return GS_OK;
}

/* A Padding TBF: a 16-byte header (libraries/tock-tbf/src/parse.rs: header_size 16). */
static void write_padding(uint8_t *at, uint32_t gap)
{
    uint32_t w0 = 2u | (16u << 16), w2 = 0;

    memset(at, 0xFF, gap);
    gs_put_le32(at, w0);
    gs_put_le32(at + 4, gap);
    gs_put_le32(at + 8, w2);
    gs_put_le32(at + 12, w0 ^ gap ^ w2); /* checksum: XOR of the words but word 3 */
}

/* Places a TBF image in app flash; returns the app index. */
static int place(struct gs_board *b, const uint8_t *tbf, uint32_t size, const char *name,
                 bool scripted)
{
    const struct gs_mem *m = &b->mem;
    uint32_t align = size > KIB ? size : KIB, addr, gap;
    uint64_t end;
    struct gs_board_app *a;

    if (b->loaded)
        return GS_E_STATE;
    if (b->napps >= GS_BOARD_MAX_APPS)
        return GS_E_NO_SLOT;
    /* tockloader-style: align to the power-of-two size (sizes are powers of two, >= 512). */
    if (align & (align - 1))
        align = KIB;
    addr = (b->flash_next + align - 1) & ~(align - 1);
    end = (uint64_t)addr + size;
    if (addr < b->flash_next || end > (uint64_t)m->flash_base + m->flash_size)
        return GS_E_BOUNDS;
    gap = addr - b->flash_next;
    if (gap)
        write_padding(gs_mem_host_ptr(&b->mem, b->flash_next, gap), gap);
    memcpy(gs_mem_host_ptr(&b->mem, addr, size), tbf, size);
    a = &b->apps[b->napps];
    memset(a, 0, sizeof(*a));
    if (name) {
        strncpy(a->name, name, sizeof(a->name) - 1);
    }
    a->addr = addr;
    a->size = size;
    a->policy = GS_FP_STOP;
    a->scripted = scripted;
    a->slot = -1;
    b->flash_next = addr + size;
    return (int)b->napps++;
}

/* The kernel minor version the board's own TBFs carry (the kernel's own). */
static uint16_t kernel_minor(const struct gs_board *b)
{
    return b->k->cfg.profile == GS_PROFILE_2_2 ? 1 : 3;
}

int gs_board_add_elf(struct gs_board *b, const uint8_t *elf, size_t len, const char *name,
                     const struct gs_elf_opts *opts, struct gs_load_error *err)
{
    struct gs_elf_image img;
    struct gs_tbf_synth s;
    struct gs_elf_opts o;
    uint8_t *tbf = NULL;
    size_t tlen = 0;
    int e;

    if (!opts)
        gs_elf_opts_default(&o);
    e = gs_elf_to_image(elf, len, opts ? opts : &o, &img, err);
    if (e)
        return e;
    gs_tbf_synth_from_image(&s, &img, name);
    /* libtock-c writes KernelVersion 2.2; the board writes its kernel's version so
     * its apps load on the 2.2 profile too (whose tag reports 2.1). */
    s.kernel_minor = kernel_minor(b);
    e = gs_tbf_synthesize(&s, &tbf, &tlen, err);
    gs_elf_image_free(&img);
    if (e)
        return e;
    e = place(b, tbf, (uint32_t)tlen, name, false);
    free(tbf);
    return e < 0 ? e : GS_OK;
}

int gs_board_add_tbf(struct gs_board *b, const uint8_t *tbf, size_t len, struct gs_load_error *err)
{
    struct gs_tbf t;
    int e = gs_tbf_parse(tbf, len, &t, err);
    char name[64] = "";

    if (e)
        return e;
    if (t.name_len)
        memcpy(name, t.name, t.name_len < 63 ? t.name_len : 63);
    e = place(b, tbf, t.total_size <= len ? t.total_size : (uint32_t)len, name, false);
    return e < 0 ? e : GS_OK;
}

int gs_board_add_script(struct gs_board *b, const struct gs_script *s, const char *name,
                        uint32_t min_ram, struct gs_load_error *err)
{
    size_t cap = gs_script_image_size(s->nsteps) + s->data_len, len = 0, tlen = 0;
    uint8_t *img = malloc(cap), *tbf = NULL;
    struct gs_tbf_synth syn;
    int e;

    if (!img)
        return GS_E_NOMEM_HOST;
    e = gs_script_image(s, img, cap, &len);
    if (!e) {
        memset(&syn, 0, sizeof(syn));
        syn.image = img;
        syn.image_len = (uint32_t)len;
        syn.init_fn_offset = GS_SCRIPT_ENTRY_OFF | 1;
        syn.minimum_ram_size = min_ram > s->prologue ? min_ram : s->prologue;
        syn.package_name = name;
        syn.protected_size = s->protected_size;
        syn.kernel_major = 2;
        syn.kernel_minor = kernel_minor(b);
        e = gs_tbf_synthesize(&syn, &tbf, &tlen, err);
    }
    free(img);
    if (e)
        return e;
    e = place(b, tbf, (uint32_t)tlen, name, true);
    free(tbf);
    return e < 0 ? e : GS_OK;
}

void gs_board_set_policy(struct gs_board *b, unsigned app, enum gs_fault_policy p,
                         unsigned threshold)
{
    if (app < b->napps) {
        b->apps[app].policy = p;
        b->apps[app].threshold = threshold;
    }
}

int gs_board_load(struct gs_board *b, struct gs_flash_scan *scan_out)
{
    struct gs_flash_scan scan;
    struct gs_scan_opts o;
    uint32_t pool = b->cfg.app_ram_start;
    uint32_t pool_len = b->cfg.ram_base + b->cfg.ram_size - pool;
    uint32_t start = b->cfg.app_flash_start, len = b->flash_next - start;
    int e;

    if (b->loaded)
        return GS_E_STATE;
    code_changed(b);
    gs_scan_opts_default(&o);
    o.kernel_minor = kernel_minor(b);
    e = gs_flash_scan(start, gs_mem_host_ptr(&b->mem, start, len ? len : 1), len, &o, &scan);
    if (e)
        return e;
    b->loaded = true;
    for (unsigned j = 0; j < b->napps; j++) {
        snprintf(b->apps[j].why, sizeof(b->apps[j].why),
                 "the flash scan stopped before it (%s at 0x%08X)", gs_scan_stop_name(scan.stop),
                 scan.stop_addr);
        snprintf(b->apps[j].error, sizeof(b->apps[j].error), "%s", gs_scan_stop_name(scan.stop));
    }
    for (unsigned i = 0; i < scan.count; i++) {
        const struct gs_scan_entry *en = &scan.entries[i];
        struct gs_board_app *ba = NULL;
        struct gs_tbf_app app;
        struct gs_process *p = NULL;
        for (unsigned j = 0; j < b->napps; j++)
            if (b->apps[j].addr == en->addr)
                ba = &b->apps[j];
        if (!en->loadable) {
            if (ba && en->parsed)
                snprintf(ba->why, sizeof(ba->why), "the flash scan skipped it: %s",
                         gs_scan_reason_name(en->reason));
            else if (ba)
                snprintf(ba->why, sizeof(ba->why), "the flash scan skipped it: %s (%s at %s)",
                         gs_scan_reason_name(en->reason), en->error.name, en->error.field);
            if (ba)
                snprintf(ba->error, sizeof(ba->error), "%s", gs_scan_reason_name(en->reason));
            continue;
        }
        e = gs_tbf_app_info(&en->tbf, en->addr, &app);
        if (e == GS_OK) {
            e = gs_process_create(b->k, &app.info, &pool, &pool_len, &p);
            gs_tbf_app_free(&app);
        } else if (ba) {
            snprintf(ba->why, sizeof(ba->why), "its TBF header gives no app (%s)", gs_err_name(e));
            snprintf(ba->error, sizeof(ba->error), "%s", gs_err_name(e));
            continue;
        }
        if (e == GS_E_NO_SLOT || e == GS_E_PANIC || e == GS_E_NOMEM_HOST) {
            /*
             * The loop ends: upstream's load_processes_from_flash
             * (kernel/src/process_loading.rs, HEAD and release-2.2) breaks
             * when no process slot is free, before it looks at the next
             * TBF; a panicked kernel or a host without memory goes no
             * further either.
             */
            if (ba) {
                snprintf(ba->why, sizeof(ba->why), "creating its process failed: %s",
                         gs_err_name(e));
                snprintf(ba->error, sizeof(ba->error), "%s", gs_err_name(e));
            }
            for (unsigned j = 0; j < b->napps; j++)
                if (b->apps[j].addr > en->addr) {
                    snprintf(b->apps[j].why, sizeof(b->apps[j].why),
                             "loading stopped at an earlier app (0x%08X): %s", en->addr,
                             gs_err_name(e));
                    snprintf(b->apps[j].error, sizeof(b->apps[j].error), "%s", gs_err_name(e));
                }
            break;
        }
        if (e) {
            /*
             * Any other ProcessLoadError (NotEnoughMemory,
             * MemoryAddressMismatch, MpuInvalidFlashLength, ...) is logged
             * and the loop goes on with the next TBF, with the RAM pool
             * ProcessStandard::create handed back (process_loading.rs,
             * load_processes_from_flash: Err((new_mem, err)) keeps
             * new_mem). gs_process_create leaves that pool in pool and
             * pool_len.
             */
            if (ba) {
                snprintf(ba->why, sizeof(ba->why), "creating its process failed: %s",
                         gs_err_name(e));
                snprintf(ba->error, sizeof(ba->error), "%s", gs_err_name(e));
            }
            continue;
        }
        if (ba) {
            ba->slot = (int)p->index;
            ba->why[0] = '\0';
            ba->error[0] = '\0';
            p->fault_policy = ba->policy;
            p->fault_threshold = ba->threshold;
        }
    }
    b->ram_used_end = pool;
    if (scan_out)
        *scan_out = scan;
    else
        gs_flash_scan_free(&scan);
    return GS_OK;
}

struct gs_process *gs_board_process(const struct gs_board *b, unsigned app)
{
    if (app >= b->napps || b->apps[app].slot < 0)
        return NULL;
    return gs_kernel_process_at(b->k, (unsigned)b->apps[app].slot);
}

enum gs_run_end gs_board_run(struct gs_board *b, uint64_t max_instructions)
{
    return gs_kernel_run(b->k, max_instructions);
}

enum gs_run_end gs_board_run_for(struct gs_board *b, uint64_t max_instructions, uint64_t max_time)
{
    return gs_kernel_run_for(b->k, max_instructions, max_time);
}

static int load_fn(void *ctx, uint32_t addr, void *dst, uint32_t len)
{
    return gs_mem_read(ctx, addr, dst, len);
}

int gs_board_script_report(const struct gs_board *b, unsigned app, struct gs_script_report *out)
{
    const struct gs_process *p = gs_board_process(b, app);

    if (!p)
        return GS_E_ARG;
    return gs_script_read(load_fn, (void *)&b->mem, p->memory_start, out);
}
