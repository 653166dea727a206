/* SPDX-License-Identifier: MIT */
/*
 * The Cortex-M machine: our apps (apps/) and scripted processes run on
 * Unicorn with the MPU enforced, through the real kernel loop.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "board_helpers.h"
#include "helpers.h"
#include "machine.h"
#include "printer.h"
#include "thumb.h"

static struct gs_board *b;
static struct recorder rec;
static struct gs_fault last_fault;
static unsigned nfaults;

static void on_event(void *ctx, const struct gs_event *ev)
{
    struct recorder *r = ctx;

    if ((unsigned)ev->kind < 32)
        r->events[ev->kind]++;
    if (ev->kind == GS_EV_FINDING) {
        r->findings[ev->finding->kind]++;
        snprintf(r->last_finding_text, sizeof(r->last_finding_text), "%s", ev->finding->text);
    }
    if (ev->kind == GS_EV_PANIC)
        snprintf(r->last_panic, sizeof(r->last_panic), "%s", ev->text);
}

/* The arch reports faults through the kernel's fault event: a = kind, b = addr, c = pc. */
static void on_fault(void *ctx, const struct gs_event *ev)
{
    (void)ctx;
    if (ev->kind != GS_EV_FAULT)
        return;
    nfaults++;
    memset(&last_fault, 0, sizeof(last_fault));
    last_fault.kind = (enum gs_fault_kind)ev->a;
    last_fault.addr = ev->b;
    last_fault.pc = ev->c;
}

static void board_up(bool inline_svc, uint64_t timeslice)
{
    struct gs_board_config c;
    struct gs_grant_shape ts = {.t_size = 16, .t_align = 4, .n_upcalls = 2, .n_ro = 2, .n_rw = 2};

    gs_board_config_default(&c);
    c.inline_svc = inline_svc;
    c.timeslice = timeslice;
    ck_assert_int_eq(gs_board_new(&c, &b), GS_OK);
    ck_assert_int_eq(gs_board_add_console(b, 0x1), GS_OK);
    ck_assert_int_eq(gs_board_add_alarm(b, 0x0), GS_OK);
    ck_assert_int_eq(gs_board_add_led(b, 0x2, 4), GS_OK);
    ck_assert_int_eq(gs_board_add_lld(b, 0x8), GS_OK);
    ck_assert_int_eq(gs_board_add_ipc(b, GS_IPC_DRIVER_NUM), GS_OK);
    ck_assert_int_eq(gs_board_add_test(b, GS_TEST_CAPSULE_NUM, &ts, true), GS_OK);
    memset(&rec, 0, sizeof(rec));
    nfaults = 0;
    gs_kernel_add_observer(b->k, on_event, &rec);
    gs_kernel_add_observer(b->k, on_fault, NULL);
    b->k->check_invariants = true;
}

static void setup(void)
{
    board_up(true, 0);
}

static void teardown(void)
{
    gs_board_free(b);
    b = NULL;
}

static const char *console(void)
{
    return b->console->out.data ? b->console->out.data : "";
}

START_TEST(hello_prints_and_exits)
{
    struct gs_process *p;

    tb_board_add_app(b, "hello", "hello");
    ck_assert_int_eq(gs_board_load(b, NULL), GS_OK);
    ck_assert_int_eq(gs_board_run(b, 50000000), GS_RUN_IDLE);
    p = gs_board_process(b, 0);
    ck_assert_str_eq(console(), "Hello from grantsim, the answer is 42\n");
    ck_assert_int_eq(p->state, GS_ST_TERMINATED);
    ck_assert(p->completion_some);
    ck_assert_uint_eq(p->completion_code, 0);
    ck_assert_uint_eq(b->k->findings, 0);
    ck_assert_uint_gt(gs_machine_stats(b->machine)->inline_svcs, 0);
}
END_TEST

START_TEST(grant_peek_faults_at_the_load)
{
    struct gs_process *p;
    uint32_t grant_start = 0;
    uint16_t insn;
    const char *at;

    tb_board_add_app(b, "grant_peek", "grant_peek");
    ck_assert_int_eq(gs_board_load(b, NULL), GS_OK);
    p = gs_board_process(b, 0);
    gs_board_run(b, 50000000);
    ck_assert_int_eq(p->state, GS_ST_FAULTED);
    ck_assert_uint_eq(nfaults, 1);
    ck_assert_int_eq(last_fault.kind, GS_FAULT_DATA_READ);
    /* The address memop 6 gave (printed) is where the load faults: kernel memory. */
    at = strstr(console(), "grant region starts at 0x");
    ck_assert_ptr_nonnull(at);
    grant_start = (uint32_t)strtoul(at + strlen("grant region starts at "), NULL, 16);
    ck_assert_ptr_nonnull(strstr(console(), "grant_peek: reading it\n"));
    ck_assert_uint_eq(last_fault.addr, grant_start);
    ck_assert_uint_ge(grant_start, p->kernel_break);
    /* The exact faulting instruction: inside the app's flash, and a load. */
    ck_assert_uint_ge(last_fault.pc, gs_process_app_start(p));
    ck_assert_uint_lt(last_fault.pc, gs_process_flash_end(p));
    ck_assert_int_eq(gs_mem_load16(&b->mem, last_fault.pc, &insn), GS_OK);
    /* 16-bit LDR (imm) 0b01101..., LDR (reg) 0b0101100..., or a 32-bit LDR.W 0xF8D_/0xF85_. */
    ck_assert_msg((insn & 0xF800) == 0x6800 || (insn & 0xFE00) == 0x5800 ||
                      (insn & 0xFFF0) == 0xF8D0 || (insn & 0xFFF0) == 0xF850,
                  "pc 0x%x holds 0x%04x", last_fault.pc, insn);
    /* The stacked frame shows that PC. */
    ck_assert_uint_eq(gs_kload32(b->k, p->ss.psp + 24), last_fault.pc);
    /* The upstream-style report: fault status, then the process printouts. */
    {
        struct gs_strbuf sb = {0};
        struct gs_sink sk;
        char want[128];
        gs_strbuf_sink(&sb, &sk, false);
        gs_print_fault_report(p, &sk);
        ck_assert_ptr_nonnull(strstr(sb.data, "Data Access Violation:              true\n"));
        snprintf(want, sizeof(want), "Faulting Memory Address:            0x%08X\n", grant_start);
        ck_assert_ptr_nonnull(strstr(sb.data, want));
        snprintf(want, sizeof(want), "  PC : 0x%08X\n", last_fault.pc);
        ck_assert_msg(strstr(sb.data, want), "%s", sb.data);
        ck_assert_ptr_nonnull(strstr(sb.data, "[Faulted]"));
        ck_assert_ptr_nonnull(strstr(sb.data, " Cortex-M MPU\n"));
        gs_strbuf_free(&sb);
    }
}
END_TEST

START_TEST(grant_stress_passes)
{
    struct gs_process *p;

    tb_board_add_app(b, "grant_stress", "grant_stress");
    ck_assert_int_eq(gs_board_load(b, NULL), GS_OK);
    gs_board_run(b, 200000000);
    p = gs_board_process(b, 0);
    ck_assert_msg(strstr(console(), "grant_stress: PASS (32 checks)\n"), "%s", console());
    ck_assert_int_eq(p->state, GS_ST_TERMINATED);
    ck_assert_uint_eq(p->completion_code, 0);
    ck_assert_uint_eq(b->k->findings, 0);
}
END_TEST

START_TEST(allow_brk_passes)
{
    struct gs_process *p;

    tb_board_add_app(b, "allow_brk", "allow_brk");
    ck_assert_int_eq(gs_board_load(b, NULL), GS_OK);
    gs_board_run(b, 100000000);
    p = gs_board_process(b, 0);
    ck_assert_msg(strstr(console(), "allow_brk: PASS\n"), "%s", console());
    ck_assert_uint_eq(p->completion_code, 0);
    ck_assert_uint_eq(b->k->findings, 0);
}
END_TEST

START_TEST(yields_pass)
{
    struct gs_process *p;

    tb_board_add_app(b, "yields", "yields");
    ck_assert_int_eq(gs_board_load(b, NULL), GS_OK);
    gs_board_run(b, 400000000);
    p = gs_board_process(b, 0);
    ck_assert_msg(strstr(console(), "yields: PASS\n"), "%s", console());
    ck_assert_uint_eq(p->completion_code, 0);
}
END_TEST

START_TEST(ipc_pair_runs_rot13)
{
    tb_board_add_app(b, "ipc_service", "org.grantsim.rot13");
    tb_board_add_app(b, "ipc_client", "ipc_client");
    ck_assert_int_eq(gs_board_load(b, NULL), GS_OK);
    gs_board_run(b, 400000000);
    ck_assert_msg(strstr(console(), "rot13 1: Uryyb Jbeyq!\nrot13 2: Hello World!\n"
                                    "rot13 3: Uryyb Jbeyq!\nrot13 client done\n"),
                  "%s", console());
    ck_assert_uint_eq(gs_board_process(b, 1)->completion_code, 0);
    ck_assert_uint_eq(b->k->findings, 0);
}
END_TEST

START_TEST(restart_loop_and_bare_bones)
{
    struct gs_process *r, *bb;

    tb_board_add_app(b, "restart_loop", "restart_loop");
    tb_board_add_app(b, "bare_bones", "bare_bones");
    ck_assert_int_eq(gs_board_load(b, NULL), GS_OK);
    gs_board_run(b, 20000000);
    r = gs_board_process(b, 0);
    bb = gs_board_process(b, 1);
    ck_assert_uint_ge(r->restart_count, 3);
    ck_assert_ptr_null(strstr(console(), "stale"));
    ck_assert_ptr_nonnull(strstr(console(), "start\nstart\nstart\n"));
    ck_assert_int_eq(bb->state, GS_ST_YIELDED);
    ck_assert_uint_eq(bb->syscall_count, 1);
}
END_TEST

/* A reset board runs the same apps to the same end, time included. */
START_TEST(reset_reruns_identically)
{
    uint64_t t1, t2;
    char *out1;

    tb_board_add_app(b, "hello", "hello");
    tb_board_add_app(b, "yields", "yields");
    ck_assert_int_eq(gs_board_load(b, NULL), GS_OK);
    gs_board_run(b, 50000000);
    t1 = gs_kernel_now(b->k);
    out1 = strdup(console());
    ck_assert_ptr_nonnull(strstr(out1, "Hello from grantsim"));
    for (int round = 0; round < 3; round++) {
        gs_board_reset(b);
        ck_assert_ptr_null(gs_board_process(b, 0));
        ck_assert_str_eq(console(), "");
        ck_assert_uint_eq(gs_kernel_now(b->k), 0);
        tb_board_add_app(b, "hello", "hello");
        tb_board_add_app(b, "yields", "yields");
        ck_assert_int_eq(gs_board_load(b, NULL), GS_OK);
        gs_board_run(b, 50000000);
        t2 = gs_kernel_now(b->k);
        ck_assert_uint_eq(t1, t2);
        ck_assert_str_eq(console(), out1);
        ck_assert_uint_eq(b->k->findings, 0);
    }
    /* Same code at the same places: no translation was dropped. */
    ck_assert_uint_eq(gs_machine_stats(b->machine)->code_pages_changed, 0);
    free(out1);
}
END_TEST

/* A tiny app that exits (terminate) with completion code `code`, as a TBF. */
static void add_exit_app(uint32_t code)
{
    uint8_t img[32];
    size_t n = 0;
    struct gs_thumb_insn i;
    struct gs_tbf_synth s;
    uint8_t *tbf;
    size_t tlen;

    memset(img, 0, sizeof(img));
    ck_assert_int_eq(gs_thumb_movs_imm(&i, 0, 0), 0);
    n += gs_thumb_put(img + n, &i);
    ck_assert_int_eq(gs_thumb_movs_imm(&i, 1, code), 0);
    n += gs_thumb_put(img + n, &i);
    ck_assert_int_eq(gs_thumb_svc(&i, 6), 0);
    n += gs_thumb_put(img + n, &i);
    ck_assert_int_eq(gs_thumb_udf(&i, 0), 0);
    n += gs_thumb_put(img + n, &i);
    n += 4; /* the relocation-length word (0) */
    memset(&s, 0, sizeof(s));
    s.image = img;
    s.image_len = (uint32_t)n;
    s.init_fn_offset = 1;
    s.minimum_ram_size = 1024;
    s.package_name = "exit";
    s.kernel_major = 2;
    s.kernel_minor = 3;
    ck_assert_int_eq(gs_tbf_synthesize(&s, &tbf, &tlen, NULL), GS_OK);
    ck_assert_int_eq(gs_board_add_tbf(b, tbf, tlen, NULL), GS_OK);
    free(tbf);
}

/*
 * After a reset, new code at the same flash address runs, not the old
 * translations: two apps of the same size, so the mapping does not change
 * and only dropping the translations makes the second one run.
 */
START_TEST(reset_runs_new_code_in_place)
{
    add_exit_app(11);
    ck_assert_int_eq(gs_board_load(b, NULL), GS_OK);
    gs_board_run(b, 100000);
    ck_assert_uint_eq(gs_board_process(b, 0)->completion_code, 11);
    gs_board_reset(b);
    add_exit_app(22);
    ck_assert_int_eq(gs_board_load(b, NULL), GS_OK);
    gs_board_run(b, 100000);
    ck_assert_int_eq(gs_board_process(b, 0)->state, GS_ST_TERMINATED);
    ck_assert_uint_eq(gs_board_process(b, 0)->completion_code, 22);
    ck_assert_uint_eq(gs_machine_stats(b->machine)->code_pages_changed, 1);
    ck_assert_uint_eq(gs_machine_stats(b->machine)->translations_dropped, 1);
}
END_TEST

/* Code rewritten run after run: the engine is recreated (its code buffer emptied) and
 * every run still executes the code of its own load. */
START_TEST(rewritten_code_recreates_the_engine)
{
    unsigned runs = GS_MACHINE_FLUSH_PAGES + 3;

    for (unsigned i = 0; i < runs; i++) {
        if (i)
            gs_board_reset(b);
        add_exit_app(i % 2 ? 33 : 44);
        ck_assert_int_eq(gs_board_load(b, NULL), GS_OK);
        gs_board_run(b, 100000);
        ck_assert_int_eq(gs_board_process(b, 0)->state, GS_ST_TERMINATED);
        ck_assert_uint_eq(gs_board_process(b, 0)->completion_code, i % 2 ? 33 : 44);
    }
    ck_assert_uint_eq(gs_machine_stats(b->machine)->code_pages_changed, runs - 1);
    ck_assert_uint_ge(gs_machine_stats(b->machine)->engines_recreated, 1);
    ck_assert_uint_eq(nfaults, 0);
}
END_TEST

/*
 * Code that comes back unchanged keeps its translations: a second script
 * appears and goes between loads (its flash is erased, then written again
 * with the same bytes), yet no engine drops any. A table that changes is
 * settled too: its bytes' translations (there are none) go, the code's stay.
 */
START_TEST(unchanged_code_keeps_translations)
{
    struct gs_script_step st[] = {{.kind = 5, .a = {{GS_SCRIPT_BASE_ABS, 2}}}};
    struct gs_script s;
    struct gs_load_error err;

    memset(&s, 0, sizeof(s));
    s.final = GS_SCRIPT_EXIT_TERMINATE;
    s.steps = st;
    for (unsigned i = 0; i < 6; i++) {
        if (i)
            gs_board_reset(b);
        s.nsteps = 1;
        s.final_code = 5;
        ck_assert_int_eq(gs_board_add_script(b, &s, "a", 2048, &err), GS_OK);
        if (i % 2 == 0)
            ck_assert_int_eq(gs_board_add_script(b, &s, "b", 2048, &err), GS_OK);
        ck_assert_int_eq(gs_board_load(b, NULL), GS_OK);
        gs_board_run(b, 1000000);
        ck_assert_int_eq(gs_board_process(b, 0)->state, GS_ST_TERMINATED);
        ck_assert_uint_eq(gs_board_process(b, 0)->completion_code, 5);
    }
    ck_assert_uint_gt(gs_machine_stats(b->machine)->code_pages_changed, 0);
    ck_assert_uint_eq(gs_machine_stats(b->machine)->translations_dropped, 0);
    /* Now the table of "a" changes: the new completion code runs. */
    gs_board_reset(b);
    s.final_code = 9;
    ck_assert_int_eq(gs_board_add_script(b, &s, "a", 2048, &err), GS_OK);
    ck_assert_int_eq(gs_board_load(b, NULL), GS_OK);
    gs_board_run(b, 1000000);
    ck_assert_uint_eq(gs_board_process(b, 0)->completion_code, 9);
    ck_assert_uint_ge(gs_machine_stats(b->machine)->translations_dropped, 1);
    ck_assert_uint_eq(nfaults, 0);
}
END_TEST

/* A script in a TBF with a protected region: its image starts that far in, whatever its name. */
START_TEST(script_protected_region_places_the_image)
{
    struct gs_script_step st[] = {{.kind = 5, .a = {{GS_SCRIPT_BASE_ABS, 2}}}};
    struct gs_script s;
    struct gs_load_error err;
    struct gs_script_report *r = calloc(1, sizeof(*r));

    memset(&s, 0, sizeof(s));
    s.prologue = gs_script_prologue(1);
    s.final = GS_SCRIPT_EXIT_TERMINATE;
    s.final_code = 7;
    s.nsteps = 1;
    s.steps = st;
    s.protected_size = 0x20; /* smaller than the header: refused, as elf2tab refuses it */
    ck_assert_int_eq(gs_board_add_script(b, &s, "x", 2048, &err), GS_E_ARG);
    s.protected_size = 0x100;
    ck_assert_int_eq(gs_board_add_script(b, &s, "x", 2048, &err), GS_OK);
    ck_assert_int_eq(gs_board_add_script(b, &s, "a-much-longer-package-name", 2048, &err), GS_OK);
    ck_assert_int_eq(gs_board_load(b, NULL), GS_OK);
    gs_board_run(b, 1000000);
    for (unsigned i = 0; i < 2; i++) {
        const struct gs_process *p = gs_board_process(b, i);
        ck_assert_uint_eq(p->app.header_size + p->app.protected_trailer, 0x100);
        ck_assert_uint_eq(gs_process_app_start(p), b->apps[i].addr + 0x100);
        ck_assert_int_eq(p->state, GS_ST_TERMINATED);
        ck_assert_uint_eq(p->completion_code, 7);
        ck_assert_int_eq(gs_board_script_report(b, i, r), GS_OK);
        ck_assert_uint_eq(r->entry_r[0], b->apps[i].addr + 0x100);
        ck_assert_uint_eq(r->results[0].r[1], p->memory_start);
    }
    free(r);
}
END_TEST

/* After a reset, other code at the same flash address runs, not the old translations. */
START_TEST(reset_runs_new_code_at_the_same_address)
{
    struct gs_process *p;
    uint32_t start;

    tb_board_add_app(b, "hello", "hello");
    ck_assert_int_eq(gs_board_load(b, NULL), GS_OK);
    gs_board_run(b, 50000000);
    start = b->apps[0].addr;
    ck_assert_ptr_nonnull(strstr(console(), "Hello from grantsim"));
    gs_board_reset(b);
    tb_board_add_app(b, "bare_bones", "bare_bones");
    ck_assert_int_eq(gs_board_load(b, NULL), GS_OK);
    gs_board_run(b, 20000000);
    p = gs_board_process(b, 0);
    ck_assert_uint_eq(b->apps[0].addr, start); /* its TBF where hello's was */
    ck_assert_str_eq(console(), "");
    ck_assert_int_eq(p->state, GS_ST_YIELDED);
    ck_assert_uint_eq(p->syscall_count, 1);
    ck_assert_uint_eq(nfaults, 0);
    ck_assert_uint_gt(gs_machine_stats(b->machine)->code_pages_changed, 0);
}
END_TEST

/* ---- scripted processes ---- */

#define STEP(k, a0, a1, a2, a3)                                                                    \
    {                                                                                              \
        .kind = (k), .a = { a0, a1, a2, a3 }                                                       \
    }
#define ABS(v) gs_sarg_abs(v)
#define RAM(v) gs_sarg_ram(v)

static void script_add(const struct gs_script_step *st, unsigned n, uint32_t extra,
                       enum gs_script_final fin)
{
    struct gs_script s;
    struct gs_load_error err;

    memset(&s, 0, sizeof(s));
    s.prologue = gs_script_prologue(n) + extra;
    s.final = fin;
    s.nsteps = n;
    s.steps = st;
    ck_assert_int_eq(gs_board_add_script(b, &s, "script", 2048, &err), GS_OK);
}

/* Adds one script, loads the board, returns its process. */
static struct gs_process *script_proc(const struct gs_script_step *st, unsigned n, uint32_t extra,
                                      enum gs_script_final fin)
{
    script_add(st, n, extra, fin);
    ck_assert_int_eq(gs_board_load(b, NULL), GS_OK);
    return gs_board_process(b, b->napps - 1);
}

START_TEST(script_syscalls_record_results)
{
    const struct gs_script_step st[] = {
        STEP(2, ABS(GS_TEST_CAPSULE_NUM), ABS(2), ABS(0), ABS(0xABCD)), /* store T */
        STEP(2, ABS(GS_TEST_CAPSULE_NUM), ABS(3), ABS(0), ABS(0)),      /* load T */
        STEP(5, ABS(2), ABS(0), ABS(0), ABS(0)),                        /* memory start */
        STEP(2, ABS(0x777), ABS(0), ABS(0), ABS(0)),                    /* no driver */
    };
    struct gs_process *p = script_proc(st, 4, 0, GS_SCRIPT_EXIT_TERMINATE);
    struct gs_script_report *r = calloc(1, sizeof(*r));

    gs_board_run(b, 10000000);
    ck_assert_int_eq(p->state, GS_ST_TERMINATED);
    ck_assert_int_eq(gs_board_script_report(b, 0, r), GS_OK);
    ck_assert_uint_eq(r->steps_done, 4);
    ck_assert_uint_eq(r->results[0].r[0], 128);
    ck_assert_uint_eq(r->results[1].r[0], 129);
    ck_assert_uint_eq(r->results[1].r[1], 0xABCD);
    ck_assert_uint_eq(r->results[2].r[1], p->memory_start);
    ck_assert_uint_eq(r->results[3].r[0], 0);
    ck_assert_uint_eq(r->results[3].r[1], GS_EC_NODEVICE);
    ck_assert_uint_eq(r->entry_r[1], p->memory_start);
    ck_assert_uint_eq(r->entry_r[3], p->memory_start + 32);
    free(r);
}
END_TEST

/* Reading the grant region faults; the report names the exact load instruction. */
START_TEST(script_load_from_kernel_memory_faults)
{
    const struct gs_script_step st[] = {
        STEP(5, ABS(6), ABS(0), ABS(0), ABS(0)),
        STEP(GS_SCRIPT_OP_LOAD32, ABS(0), ABS(0), ABS(0), ABS(0)), /* patched below */
    };
    struct gs_script_step s2[2];
    struct gs_process *p;
    uint16_t insn;

    memcpy(s2, st, sizeof(st));
    /* The grant region of this process: memory_start + block size - what the kernel keeps. */
    p = script_proc(s2, 2, 0, GS_SCRIPT_EXIT_TERMINATE);
    /* Rewrite the LOAD32 argument to the kernel break now that it is known (data only). */
    {
        uint32_t table = gs_process_app_start(p) + GS_SCRIPT_TABLE_OFF;
        uint32_t step1 = table + GS_SCRIPT_T_STEPS + GS_SCRIPT_STEP_SIZE;
        uint8_t *w = gs_mem_host_ptr(&b->mem, step1 + 8, 4);
        uint32_t kb = p->kernel_break;
        w[0] = (uint8_t)kb;
        w[1] = (uint8_t)(kb >> 8);
        w[2] = (uint8_t)(kb >> 16);
        w[3] = (uint8_t)(kb >> 24);
    }
    gs_board_run(b, 10000000);
    ck_assert_int_eq(p->state, GS_ST_FAULTED);
    ck_assert_int_eq(last_fault.kind, GS_FAULT_DATA_READ);
    ck_assert_uint_eq(last_fault.addr, p->kernel_break);
    ck_assert_int_eq(gs_mem_load16(&b->mem, last_fault.pc, &insn), GS_OK);
    ck_assert_msg((insn & 0xF800) == 0x6800 || (insn & 0xFFF0) == 0xF8D0, "0x%04x at 0x%x", insn,
                  last_fault.pc);
}
END_TEST

/*
 * A small process: its app memory ends inside a 1 KiB page, which the
 * machine must check access by access (an MMIO page).
 */
START_TEST(cut_page_is_exact)
{
    const struct gs_script_step st[] = {
        STEP(GS_SCRIPT_OP_STORE32, RAM(0), ABS(0x11223344), ABS(0), ABS(0)), /* patched */
        STEP(GS_SCRIPT_OP_LOAD32, RAM(0), ABS(0), ABS(0), ABS(0)),
        STEP(GS_SCRIPT_OP_STORE32, RAM(0), ABS(0x55667788), ABS(0), ABS(0)), /* patched */
    };
    struct gs_script_step s2[3];
    struct gs_process *p;
    uint32_t enabled_end, value = 0;

    memcpy(s2, st, sizeof(st));
    /* A prologue ending at +0x500: a subregion edge inside a 1 KiB page. */
    p = script_proc(s2, 3, 0x500 - gs_script_prologue(3), GS_SCRIPT_EXIT_TERMINATE);
    /* After the prologue brk the MPU exposes up to a subregion edge E (not page aligned). */
    {
        uint32_t brk = p->memory_start + 0x500;
        uint32_t sub = p->mpu_cfg.regions[0].size / 8;
        enabled_end = p->memory_start + ((brk - p->memory_start + sub - 1) / sub) * sub;
    }
    ck_assert_uint_ne(enabled_end % 1024, 0);
    /* Patch the steps: store at E - 4 (allowed: MPU slack), load it, store at E (forbidden). */
    {
        uint32_t table = gs_process_app_start(p) + GS_SCRIPT_TABLE_OFF + GS_SCRIPT_T_STEPS;
        uint32_t offs[3] = {enabled_end - 4 - p->memory_start, enabled_end - 4 - p->memory_start,
                            enabled_end - p->memory_start};
        for (unsigned i = 0; i < 3; i++) {
            uint8_t *w = gs_mem_host_ptr(&b->mem, table + i * GS_SCRIPT_STEP_SIZE + 8, 4);
            w[0] = (uint8_t)offs[i];
            w[1] = (uint8_t)(offs[i] >> 8);
            w[2] = (uint8_t)(offs[i] >> 16);
            w[3] = (uint8_t)(offs[i] >> 24);
        }
    }
    gs_board_run(b, 10000000);
    ck_assert_int_eq(p->state, GS_ST_FAULTED);
    ck_assert_int_eq(last_fault.kind, GS_FAULT_DATA_WRITE);
    ck_assert_uint_eq(last_fault.addr, enabled_end);
    gs_mem_load32(&b->mem, enabled_end - 4, &value);
    ck_assert_uint_eq(value, 0x11223344);
    gs_mem_load32(&b->mem, enabled_end, &value);
    ck_assert_uint_ne(value, 0x55667788); /* the forbidden store did not happen */
    ck_assert_uint_gt(gs_machine_stats(b->machine)->mmio_accesses, 0);
}
END_TEST

/*
 * A RAM page the process used and then loses (brk down) stays mapped as MMIO
 * (machine.c keep_io_pages) instead of being unmapped: an access to it must
 * still fault, exactly, and the page must work again once the process
 * regains it, with its bytes.
 */
START_TEST(lost_page_faults_and_comes_back)
{
    const struct gs_script_step st[] = {
        STEP(5, ABS(0), RAM(0x1C00), ABS(0), ABS(0)), /* brk up */
        STEP(GS_SCRIPT_OP_STORE32, RAM(0x1800), ABS(0x5A5A1234), ABS(0), ABS(0)),
        STEP(5, ABS(0), RAM(0x1000), ABS(0), ABS(0)), /* the page goes */
        STEP(5, ABS(0), RAM(0x1C00), ABS(0), ABS(0)), /* and comes back */
        STEP(GS_SCRIPT_OP_LOAD32, RAM(0x1800), ABS(0), ABS(0), ABS(0)),
        STEP(GS_SCRIPT_OP_STORE32, RAM(0x1800), ABS(0x600DF00D), ABS(0), ABS(0)),
        STEP(GS_SCRIPT_OP_LOAD32, RAM(0x1800), ABS(0), ABS(0), ABS(0)),
        STEP(5, ABS(0), RAM(0x1000), ABS(0), ABS(0)),                       /* it goes again */
        STEP(GS_SCRIPT_OP_STORE32, RAM(0x1804), ABS(0x77), ABS(0), ABS(0)), /* faults */
    };
    const unsigned brks[] = {0, 2, 3, 7};
    struct gs_script_report *r = calloc(1, sizeof(*r));
    struct gs_script s;
    struct gs_load_error err;
    struct gs_process *p;
    uint32_t v = 0;

    memset(&s, 0, sizeof(s));
    s.prologue = gs_script_prologue(9);
    s.final = GS_SCRIPT_EXIT_TERMINATE;
    s.nsteps = 9;
    s.steps = st;
    ck_assert_int_eq(gs_board_add_script(b, &s, "script", 8192, &err), GS_OK);
    ck_assert_int_eq(gs_board_load(b, NULL), GS_OK);
    p = gs_board_process(b, 0);
    ck_assert_uint_lt(s.prologue, 0x1000);
    ck_assert_uint_gt(p->kernel_break, p->memory_start + 0x1C00);
    gs_board_run(b, 10000000);
    ck_assert_int_eq(p->state, GS_ST_FAULTED);
    ck_assert_int_eq(last_fault.kind, GS_FAULT_DATA_WRITE);
    ck_assert_uint_eq(last_fault.addr, p->memory_start + 0x1804);
    ck_assert_int_eq(gs_board_script_report(b, 0, r), GS_OK);
    ck_assert_uint_eq(r->steps_done, 8);
    for (unsigned i = 0; i < sizeof(brks) / sizeof(brks[0]); i++)
        ck_assert_uint_eq(r->results[brks[i]].r[0], GS_RET_SUCCESS);
    ck_assert_uint_eq(r->results[4].r[0], 0); /* HEAD zeroes what brk exposes again (#4717) */
    ck_assert_uint_eq(r->results[6].r[0], 0x600DF00D); /* the regained page holds a store */
    ck_assert_int_eq(gs_mem_load32(&b->mem, p->memory_start + 0x1804, &v), GS_OK);
    ck_assert_uint_ne(v, 0x77); /* the forbidden store did not happen */
    free(r);
}
END_TEST

/* brk below the stack: the next svc's frame is outside app memory: the kernel faults it. */
START_TEST(stack_below_break_faults)
{
    const struct gs_script_step st[] = {
        STEP(5, ABS(0), RAM(0x40), ABS(0), ABS(0)),
        STEP(2, ABS(0x2), ABS(0), ABS(0), ABS(0)),
    };
    struct gs_process *p = script_proc(st, 2, 0, GS_SCRIPT_EXIT_TERMINATE);

    gs_board_run(b, 10000000);
    ck_assert_int_eq(p->state, GS_ST_FAULTED);
    ck_assert_int_eq(last_fault.kind, GS_FAULT_BAD_STACK);
}
END_TEST

/*
 * brk(memory_start) succeeds, but the return value cannot be written: psp + 16 is above
 * the new break, so set_syscall_return_value fails and the kernel faults the process.
 */
START_TEST(brk_to_memory_start_faults_on_return)
{
    const struct gs_script_step st[] = {
        STEP(5, ABS(0), RAM(0), ABS(0), ABS(0)),
        STEP(2, ABS(0x2), ABS(0), ABS(0), ABS(0)),
    };
    struct gs_process *p = script_proc(st, 2, 0, GS_SCRIPT_EXIT_TERMINATE);

    gs_board_run(b, 10000000);
    ck_assert_int_eq(p->state, GS_ST_FAULTED);
    ck_assert_int_eq(last_fault.kind, GS_FAULT_BAD_STACK);
    ck_assert_uint_eq(p->app_break, p->memory_start);
}
END_TEST

/* An MPU config that hides the stack (a kernel bug): the exception return faults. */
START_TEST(hidden_stack_is_an_unstacking_fault)
{
    const struct gs_script_step st[] = {
        STEP(2, ABS(0x2), ABS(0), ABS(0), ABS(0)),
    };
    struct gs_process *p = script_proc(st, 1, 0, GS_SCRIPT_EXIT_TERMINATE);

    /* Let the prologue run, then disable every app subregion behind the kernel's back. */
    b->k->check_invariants = false;
    gs_board_run(b, 50);
    p->mpu_cfg.regions[0].rasr |= 0xFF00;
    p->mpu_cfg.regions[1].rasr = 0;
    p->mpu_cfg.dirty = true;
    gs_board_run(b, 10000000);
    ck_assert_int_eq(p->state, GS_ST_FAULTED);
    ck_assert_int_eq(last_fault.kind, GS_FAULT_UNSTACKING);
}
END_TEST

/* Machine work and kernel state at four restarts of one process. */
struct restart_snap {
    unsigned at[4];
    struct gs_machine_stats st[4];
    unsigned work_cap[4], nwork[4];
};

static void on_restart_snap(void *ctx, const struct gs_event *ev)
{
    struct restart_snap *r = ctx;

    if (ev->kind != GS_EV_RESTARTED)
        return;
    for (unsigned i = 0; i < 4; i++) {
        if (ev->a == r->at[i]) {
            r->st[i] = *gs_machine_stats(b->machine);
            r->work_cap[i] = b->k->work_cap;
            r->nwork[i] = b->k->nwork;
        }
    }
}

/*
 * The 2000th restart does what the 100th does: the same engine runs, svcs,
 * remaps and map/unmap calls per hundred restarts early and late, and no
 * kernel queue grows (bench_machine times it).
 */
START_TEST(restarts_cost_the_same_early_and_late)
{
    const struct gs_script_step st[] = {STEP(6, ABS(1), ABS(0), ABS(0), ABS(0))};
    struct restart_snap r = {.at = {100, 200, 1900, 2000}};
    const struct gs_machine_stats *e = &r.st[0], *f = &r.st[1], *g = &r.st[2], *h = &r.st[3];
    struct gs_process *p;

    p = script_proc(st, 1, 256, GS_SCRIPT_EXIT_TERMINATE);
    gs_kernel_add_observer(b->k, on_restart_snap, &r);
    while (p->restart_count < 2000)
        ck_assert_int_eq(gs_board_run(b, 1000000), GS_RUN_LIMIT);
    ck_assert_uint_gt(f->runs - e->runs, 0);
    ck_assert_uint_eq(f->runs - e->runs, h->runs - g->runs);
    ck_assert_uint_eq(f->svcs - e->svcs, h->svcs - g->svcs);
    ck_assert_uint_eq(f->remaps - e->remaps, h->remaps - g->remaps);
    ck_assert_uint_eq(f->page_ops - e->page_ops, h->page_ops - g->page_ops);
    ck_assert_uint_eq(f->mmio_accesses - e->mmio_accesses, h->mmio_accesses - g->mmio_accesses);
    ck_assert_uint_eq(h->faults, 0);
    ck_assert_uint_eq(h->engines_recreated, 0);
    ck_assert_uint_eq(h->code_pages_changed, 0);
    ck_assert_uint_eq(r.work_cap[3], r.work_cap[0]);
    ck_assert_uint_eq(r.nwork[3], r.nwork[0]);
    ck_assert_uint_eq(b->k->findings, 0);
}
END_TEST

/* Same program inline and trapping, and twice: identical results and identical time. */
static uint64_t spin_run(bool inline_svc, struct gs_script_report *r)
{
    const struct gs_script_step st[] = {
        STEP(GS_SCRIPT_OP_SPIN, ABS(3000), ABS(0), ABS(0), ABS(0)),
        STEP(2, ABS(0), ABS(2), ABS(0), ABS(0)), /* alarm now */
        STEP(GS_SCRIPT_OP_SPIN, ABS(3000), ABS(0), ABS(0), ABS(0)),
        STEP(2, ABS(0), ABS(2), ABS(0), ABS(0)),
    };
    uint64_t now;

    gs_board_free(b);
    board_up(inline_svc, 1000); /* small timeslices: SPINs get interrupted */
    script_add(st, 4, 0, GS_SCRIPT_EXIT_TERMINATE);
    script_add(st, 4, 0, GS_SCRIPT_EXIT_TERMINATE);
    ck_assert_int_eq(gs_board_load(b, NULL), GS_OK);
    gs_board_run(b, 10000000);
    now = gs_kernel_now(b->k);
    ck_assert_int_eq(gs_board_script_report(b, 1, r), GS_OK);
    return now;
}

START_TEST(deterministic_and_inline_equivalent)
{
    struct gs_script_report *a = calloc(1, sizeof(*a)), *c = calloc(1, sizeof(*c));
    uint64_t t1, t2, t3;

    gs_board_free(b);
    b = NULL;
    board_up(true, 0);
    t1 = spin_run(true, a);
    ck_assert_uint_eq(a->steps_done, 4);
    ck_assert_uint_gt(gs_board_process(b, 1)->timeslice_expirations, 0);
    ck_assert_uint_gt(a->results[3].r[1], a->results[1].r[1]);
    t2 = spin_run(false, c);
    ck_assert_uint_eq(t1, t2);
    ck_assert_mem_eq(a->results, c->results, 4 * sizeof(a->results[0]));
    t3 = spin_run(true, c);
    ck_assert_uint_eq(t1, t3);
    ck_assert_mem_eq(a->results, c->results, 4 * sizeof(a->results[0]));
    free(a);
    free(c);
}
END_TEST

/*
 * Every Unicorn call is checked (issue: a failed mapping would make the
 * guest's view of memory differ from the MPU model): make the 1st, 2nd, ...
 * checked call of a run fail, on a fresh board each time, until a run makes
 * fewer calls than that. grant_peek prints, makes syscalls and faults at a
 * load, so the mapping, svc, fault and scratch-engine paths all make calls.
 * Each injected failure must end the run with GS_RUN_ERROR and exactly one
 * "machine" finding naming a Unicorn function, and nothing else may go
 * wrong (no crash, no sanitizer report, no other finding).
 */
START_TEST(every_unicorn_failure_is_a_machine_finding)
{
    static const char *const must[] = {"uc_mmio_map",        "uc_mem_map_ptr",  "uc_reg_read_batch",
                                       "uc_reg_write_batch", "uc_context_save", "uc_emu_stop"};
    char seen[64][32];
    unsigned nseen = 0, n;

    for (n = 1; n < 20000; n++) {
        enum gs_run_end end;
        const struct gs_machine_stats *st;
        teardown();
        board_up(true, 0);
        tb_board_add_app(b, "grant_peek", "grant_peek");
        ck_assert_int_eq(gs_board_load(b, NULL), GS_OK);
        gs_machine_inject_uc_failure(b->machine, n);
        end = gs_board_run(b, 50000000);
        st = gs_machine_stats(b->machine);
        if (st->machine_errors == 0) {
            /* Past the last call: the run is the normal one. */
            ck_assert_int_eq(gs_board_process(b, 0)->state, GS_ST_FAULTED);
            ck_assert_uint_eq(b->k->findings, 0);
            break;
        }
        ck_assert_uint_eq(st->machine_errors, 1);
        ck_assert_int_eq(end, GS_RUN_ERROR);
        ck_assert_uint_eq(rec.findings[GS_FIND_MACHINE], 1);
        ck_assert_uint_eq(b->k->findings, 1);
        ck_assert_msg(strncmp(rec.last_finding_text, "machine error: uc_", 18) == 0, "%s",
                      rec.last_finding_text);
        {
            char name[32];
            unsigned i;
            sscanf(rec.last_finding_text + 15, "%31[a-z_]", name);
            for (i = 0; i < nseen && strcmp(seen[i], name) != 0; i++)
                ;
            if (i == nseen && nseen < 64)
                snprintf(seen[nseen++], sizeof(seen[0]), "%s", name);
        }
        /* The machine stays failed: a further run is refused, not half made. */
        ck_assert_int_eq(gs_board_run(b, 1000), GS_RUN_ERROR);
    }
    ck_assert_uint_lt(n, 20000);
    ck_assert_uint_gt(n, 20);
    for (unsigned j = 0; j < sizeof(must) / sizeof(must[0]); j++) {
        bool found = false;
        for (unsigned i = 0; i < nseen; i++)
            found = found || strcmp(seen[i], must[j]) == 0;
        ck_assert_msg(found, "no injected failure of %s (of %u calls)", must[j], n - 1);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("machine");
    TCase *apps = tb_tcase("apps");
    TCase *scr = tb_tcase("scripts");

    tcase_add_checked_fixture(apps, setup, teardown);
    tcase_add_test(apps, hello_prints_and_exits);
    tcase_add_test(apps, grant_peek_faults_at_the_load);
    tcase_add_test(apps, grant_stress_passes);
    tcase_add_test(apps, allow_brk_passes);
    tcase_add_test(apps, yields_pass);
    tcase_add_test(apps, ipc_pair_runs_rot13);
    tcase_add_test(apps, restart_loop_and_bare_bones);
    tcase_add_test(apps, reset_reruns_identically);
    tcase_add_test(apps, reset_runs_new_code_at_the_same_address);
    tcase_add_test(apps, reset_runs_new_code_in_place);
    tcase_add_test(apps, rewritten_code_recreates_the_engine);
    tcase_add_test(apps, every_unicorn_failure_is_a_machine_finding);
    suite_add_tcase(s, apps);

    tcase_add_checked_fixture(scr, setup, teardown);
    tcase_add_test(scr, script_syscalls_record_results);
    tcase_add_test(scr, script_load_from_kernel_memory_faults);
    tcase_add_test(scr, cut_page_is_exact);
    tcase_add_test(scr, lost_page_faults_and_comes_back);
    tcase_add_test(scr, stack_below_break_faults);
    tcase_add_test(scr, brk_to_memory_start_faults_on_return);
    tcase_add_test(scr, hidden_stack_is_an_unstacking_fault);
    tcase_add_test(scr, deterministic_and_inline_equivalent);
    tcase_add_test(scr, unchanged_code_keeps_translations);
    tcase_add_test(scr, script_protected_region_places_the_image);
    tcase_add_test(scr, restarts_cost_the_same_early_and_late);
    suite_add_tcase(s, scr);
    return tb_run(s);
}
