/* SPDX-License-Identifier: MIT */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void record(void *ctx, const struct gs_event *ev)
{
    struct recorder *r = ctx;

    if ((unsigned)ev->kind < 32)
        r->events[ev->kind]++;
    if (ev->kind == GS_EV_FINDING) {
        r->findings[ev->finding->kind]++;
        snprintf(r->last_finding_site, sizeof(r->last_finding_site), "%s", ev->finding->site);
        snprintf(r->last_finding_text, sizeof(r->last_finding_text), "%s", ev->finding->text);
    }
    if (ev->kind == GS_EV_PANIC)
        snprintf(r->last_panic, sizeof(r->last_panic), "%s", ev->text);
    if (ev->kind == GS_EV_QUIRK)
        snprintf(r->last_quirk, sizeof(r->last_quirk), "%s", ev->text);
}

void tb_init(struct tboard *tb, const struct gs_kernel_config *cfg)
{
    memset(tb, 0, sizeof(*tb));
    ck_assert_int_eq(gs_mem_init(&tb->mem, TB_RAM_BASE, TB_RAM_SIZE, TB_FLASH_BASE, TB_FLASH_SIZE),
                     GS_OK);
    ck_assert_int_eq(gs_kernel_new(&tb->mem, cfg, &tb->k), GS_OK);
    ck_assert_int_eq(gs_kernel_add_observer(tb->k, record, &tb->rec), GS_OK);
    tb->k->check_invariants = true;
    tb->pool_start = TB_RAM_BASE;
    tb->pool_len = TB_RAM_SIZE;
    tb->next_flash = TB_FLASH_BASE;
}

void tb_free(struct tboard *tb)
{
    gs_kernel_free(tb->k);
    gs_mem_free(&tb->mem);
}

void tb_grants(struct tboard *tb, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        struct gs_grant_shape s = {.t_size = 8, .t_align = 4, .n_upcalls = 1, .n_ro = 1, .n_rw = 1};
        struct gs_grant *g;
        ck_assert_int_eq(gs_grant_create(tb->k, 0x1000 + i, &s, NULL, &g), GS_OK);
    }
}

struct gs_app_info tb_app(struct tboard *tb, uint32_t flash_len, uint32_t min_ram, const char *name)
{
    struct gs_app_info a;

    memset(&a, 0, sizeof(a));
    a.flash_start = tb->next_flash;
    a.flash_len = flash_len;
    a.header_size = 0x60;
    a.init_fn_offset = 0x29;
    a.min_ram = min_ram;
    a.binary_end = flash_len;
    a.name = name;
    a.name_len = name ? (uint32_t)strlen(name) : 0;
    tb->next_flash += flash_len;
    return a;
}

struct gs_process *tb_proc(struct tboard *tb, uint32_t min_ram, const char *name)
{
    struct gs_app_info a = tb_app(tb, 0x2000, min_ram, name);
    struct gs_process *p = NULL;

    ck_assert_int_eq(gs_process_create(tb->k, &a, &tb->pool_start, &tb->pool_len, &p), GS_OK);
    ck_assert_ptr_nonnull(p);
    return p;
}

unsigned tb_check(struct tboard *tb)
{
    return gs_invariants_check(tb->k, GS_INV_QUIESCENT | GS_INV_SHADOW);
}

TCase *tb_tcase(const char *name)
{
    TCase *tc = tcase_create(name);

    tcase_set_timeout(tc, TB_TEST_TIMEOUT);
    return tc;
}

int tb_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

void fb_init(struct fboard *fb, const struct gs_kernel_config *cfg, bool inline_svc)
{
    struct gs_grant_shape ts = {.t_size = 16, .t_align = 4, .n_upcalls = 2, .n_ro = 2, .n_rw = 2};
    struct gs_kernel *k;

    memset(fb, 0, sizeof(*fb));
    tb_init(&fb->tb, cfg);
    k = fb->tb.k;
    ck_assert_int_eq(gs_fake_new(k, inline_svc, &fb->fake), GS_OK);
    ck_assert_int_eq(gs_capsule_set_init(k, &fb->caps, &ts), GS_OK);
}

void fb_free(struct fboard *fb)
{
    gs_fake_free(fb->fake);
    tb_free(&fb->tb);
}

struct gs_process *fb_proc(struct fboard *fb, uint32_t min_ram, const char *name,
                           const struct gs_fake_action *a, unsigned n)
{
    struct gs_app_info app = tb_app(&fb->tb, 0x2000, min_ram, name);
    struct gs_process *p = NULL;

    app.init_fn_offset = gs_fake_init_offset(0);
    ck_assert_int_eq(gs_fake_app_image(fb->tb.k, app.flash_start + app.header_size), GS_OK);
    ck_assert_int_eq(gs_process_create(fb->tb.k, &app, &fb->tb.pool_start, &fb->tb.pool_len, &p),
                     GS_OK);
    ck_assert_int_eq(gs_fake_script(fb->fake, p->index, a, n), GS_OK);
    return p;
}

const struct gs_fake_record *fb_recs(struct fboard *fb, const struct gs_process *p, unsigned *n)
{
    return gs_fake_records(fb->fake, p->index, n);
}

const struct gs_fake_record *fb_svc(struct fboard *fb, const struct gs_process *p, unsigned k)
{
    unsigned n, seen = 0;
    const struct gs_fake_record *r = gs_fake_records(fb->fake, p->index, &n);

    for (unsigned i = 0; i < n; i++) {
        if (r[i].upcall)
            continue;
        if (seen++ == k)
            return &r[i];
    }
    ck_abort_msg("process %u has no svc record %u (%u records; state %s; panic \"%s\"; last "
                 "finding \"%s\")",
                 p->index, k, n, gs_state_name(p->state), fb->tb.rec.last_panic,
                 fb->tb.rec.last_finding_text);
    return NULL;
}
