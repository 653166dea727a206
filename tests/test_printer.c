/* SPDX-License-Identifier: MIT */
/*
 * Upstream printouts. The overview is compared byte for byte with the sample of
 * TOCK-REFERENCE 7.2 (tests/data/overview-blink.txt, rendered from upstream's
 * format strings); the full dump with the fields of the 7.3 sample.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "printer.h"

static struct tboard tb;

static void setup(void)
{
    tb_init(&tb, NULL);
}

static void teardown(void)
{
    tb_free(&tb);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = calloc(1, (size_t)n + 1);
    ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    return buf;
}

/* The 7.2 sample state: G = 15, one 12-byte grant, heap 0x20004800, stack 0x20004400/0x180. */
static struct gs_process *sample(void)
{
    struct gs_grant_shape one = {.t_size = 0, .t_align = 1, .n_upcalls = 1};
    struct gs_grant *g;
    struct gs_app_info a;
    struct gs_process *p = NULL;
    struct gs_grant_ctx ctx;
    uint32_t old;

    ck_assert_int_eq(gs_grant_create(tb.k, 0x1, &one, NULL, &g), GS_OK);
    tb_grants(&tb, 14);
    tb.pool_start = 0x20004000;
    a = tb_app(&tb, 0x2000, 4096, "blink");
    ck_assert_int_eq(gs_process_create(tb.k, &a, &tb.pool_start, &tb.pool_len, &p), GS_OK);
    ck_assert_int_eq(gs_process_brk(p, 0x20005000, &old), GS_OK);
    ck_assert_int_eq(gs_grant_enter(g, p->pid, &ctx), GS_OK);
    gs_grant_leave(&ctx);
    gs_tasks_empty(p);
    p->restart_count = 0;
    p->has_completion = false;
    p->syscall_count = 6;
    p->has_last_syscall = true;
    p->last_syscall[0] = 0; /* Yield Wait */
    p->last_syscall[1] = 1;
    p->has_heap_start = p->has_stack_start = p->has_stack_min = true;
    p->heap_start = 0x20004800;
    p->stack_start = 0x20004400;
    p->stack_min = 0x20004180;
    return p;
}

START_TEST(overview_matches_upstream_sample)
{
    struct gs_process *p = sample();
    struct gs_strbuf b = {0};
    struct gs_sink s;
    char *want = slurp(GS_TEST_DATA "/overview-blink.txt");

    ck_assert_uint_eq(p->kernel_break, 0x20005AA4);
    gs_strbuf_sink(&b, &s, false);
    gs_print_overview(p, &s);
    if (strcmp(b.data, want) != 0) {
        size_t i = 0;
        while (b.data[i] && b.data[i] == want[i])
            i++;
        ck_abort_msg("differs at byte %zu: got \"%.60s\" want \"%.60s\"", i, b.data + i, want + i);
    }
    free(want);
    gs_strbuf_free(&b);
}
END_TEST

START_TEST(overview_unknowns_and_crlf)
{
    struct gs_process *p = sample();
    struct gs_strbuf b = {0};
    struct gs_sink s;

    p->has_heap_start = false;
    p->has_stack_min = false;
    p->state = GS_ST_YIELDED_FOR;
    p->wait_for.driver = 0x40001;
    p->wait_for.subscribe = 0;
    p->has_completion = true;
    p->completion_some = true;
    p->completion_code = 0xFFFFFFFF;
    gs_strbuf_sink(&b, &s, true);
    gs_print_overview(p, &s);
    ck_assert_ptr_nonnull(
        strstr(b.data, "[YieldedFor(UpcallId { driver_num: 0x40001, subscribe_num: 0 })]\r\n"));
    ck_assert_ptr_nonnull(strstr(b.data, " Completion Code: -1\r\n"));
    ck_assert_ptr_nonnull(
        strstr(b.data, "\xe2\x96\xb2 Heap            ? |      ?               S"));
    ck_assert_ptr_nonnull(strstr(b.data, "\r\n  ?????????? \xe2\x94\xbc"));
    ck_assert_ptr_nonnull(strstr(b.data, "\xe2\x96\xbc Stack           ? |      ?\r\n"));
    ck_assert_ptr_nonnull(strstr(b.data, "\r\n  0x00000000 \xe2\x94\xbc")); /* stack min unknown */
    /* Stack used > allocated prints EXCEEDED!. */
    gs_strbuf_free(&b);
    p->has_stack_min = true;
    p->stack_min = 0x20003F00; /* below memory_start */
    gs_strbuf_sink(&b, &s, false);
    gs_print_overview(p, &s);
    ck_assert_ptr_nonnull(strstr(b.data, "\xe2\x96\xbc Stack        1280 |   1024 EXCEEDED!"));
    gs_strbuf_free(&b);
}
END_TEST

START_TEST(full_process_dump)
{
    struct gs_process *p = sample();
    struct gs_strbuf b = {0};
    struct gs_sink s;
    uint32_t psp = 0x20004360;
    static const uint32_t frame[8] = {0, 0x20004100, 0x20, 0, 0, 0x30441, 0x30452, 0x61000000};

    for (unsigned i = 0; i < 8; i++)
        gs_mem_store32(&tb.mem, psp + 4 * i, frame[i], gs_powner(p, GS_OWN_APP, 0));
    for (unsigned i = 0; i < 8; i++)
        p->ss.regs[i] = i;
    p->ss.regs[5] = 0x20004800;
    p->ss.psp = psp;
    p->ss.yield_pc = 0x30450;
    gs_strbuf_sink(&b, &s, false);
    gs_print_full_process(p, &s);
    ck_assert_ptr_nonnull(strstr(b.data, "\n  R0 : 0x00000000    R6 : 0x00000002"
                                         "\n  R1 : 0x20004100    R7 : 0x00000003"
                                         "\n  R2 : 0x00000020    R8 : 0x00000004"
                                         "\n  R3 : 0x00000000    R10: 0x00000006"
                                         "\n  R4 : 0x00000000    R11: 0x00000007"
                                         "\n  R5 : 0x00000001    R12: 0x00000000"
                                         "\n  R9 : 0x20004800 (Static Base Register)"
                                         "\n  SP : 0x20004360 (Process Stack Pointer)"
                                         "\n  LR : 0x00030441\n  PC : 0x00030452"
                                         "\n YPC : 0x00030450\n"
                                         "\n APSR: N 0 Z 1 C 1 V 0 Q 0\n       GE 0 0 0 0"
                                         "\n EPSR: ICI.IT 0x00\n       ThumbBit true \n"));
    ck_assert_ptr_nonnull(strstr(b.data, "\n Total number of grant regions defined: 15\n"
                                         "  Grant  0 0x1: 0x20005aa4  Grant  5 : --          "
                                         "Grant 10 : --        \n"));
    ck_assert_ptr_nonnull(strstr(b.data, "  Region 0: [0x20004000:0x20005000], length: 4096 "
                                         "bytes; ReadWrite (0x3)\n    Sub-region 0: "
                                         "[0x20004000:0x20004200], Enabled\n"));
    ck_assert_ptr_nonnull(strstr(b.data, "    Sub-region 7: [0x20004E00:0x20005000], Enabled\n"
                                         "  Region 1: Unused\n  Region 2: [0x00030000:0x00032000]"
                                         ", length: 8192 bytes; UnprivilegedReadOnly (0x2)\n"));
    ck_assert_ptr_nonnull(strstr(b.data, "  Region 7: Unused\n\nTo debug libtock-c apps, run\n"
                                         "`make debug RAM_START=0x20004000 FLASH_INIT=0x30089`\n"
                                         "in the app's folder and open the .lst file.\n\n"));
    gs_strbuf_free(&b);
    /* A stack pointer outside app memory prints 0xBAD00BAD for the frame. */
    p->ss.psp = p->app_break - 16;
    gs_strbuf_sink(&b, &s, false);
    gs_print_context(p, &s);
    ck_assert_ptr_nonnull(strstr(b.data, "R0 : 0xBAD00BAD"));
    ck_assert_ptr_nonnull(strstr(b.data, "ThumbBit false !!ERROR - Cortex M Thumb only!"));
    gs_strbuf_free(&b);
}
END_TEST

START_TEST(syscall_debug_forms)
{
    char buf[320];
    const uint32_t sub[5] = {1, 0, 0, 0x30101, 0};
    const uint32_t ro[5] = {4, 1, 1, 0x30200, 12};
    const uint32_t nw[5] = {0, 0, 0, 0, 0};
    const uint32_t wf[5] = {0, 2, 1, 1, 0};
    const uint32_t mo[5] = {5, 0, 536887296, 0, 0};

    gs_format_syscall(sub, false, buf, sizeof(buf));
    ck_assert_str_eq(buf, "Subscribe { driver_number: 0, subdriver_number: 0, upcall_ptr: "
                          "CapabilityPtr { ptr: 0x30101 }, appdata: MachineRegister { value: "
                          "CapabilityPtr { ptr: 0x0 } } }");
    gs_format_syscall(ro, false, buf, sizeof(buf));
    ck_assert_str_eq(buf, "ReadOnlyAllow { driver_number: 1, subdriver_number: 1, allow_address: "
                          "0x30200, allow_size: 12 }");
    gs_format_syscall(nw, false, buf, sizeof(buf));
    ck_assert_str_eq(buf, "Yield { yield_type: NoWait { ptr: 0x0 } }");
    gs_format_syscall(wf, false, buf, sizeof(buf));
    ck_assert_str_eq(buf,
                     "Yield { yield_type: WaitFor { driver_number: 1, subdriver_number: 1 } }");
    gs_format_syscall(mo, false, buf, sizeof(buf));
    ck_assert_str_eq(buf, "Memop { operand: 0, arg0: 536887296 }");
    gs_format_syscall(wf, true, buf, sizeof(buf));
    ck_assert_str_eq(buf, "Yield { which: 2, param_a: 1, param_b: 1 }");
}
END_TEST

START_TEST(cortexm_fault_status)
{
    struct gs_fault f;
    struct gs_strbuf b = {0};
    struct gs_sink s;

    memset(&f, 0, sizeof(f));
    gs_strbuf_sink(&b, &s, false);
    gs_print_cortexm_state(&f, &s);
    ck_assert_str_eq(b.data, "\n---| Cortex-M Fault Status |---\nNo Cortex-M faults detected.\n");
    gs_strbuf_free(&b);
    f.cfsr = 0x82; /* DACCVIOL | MMARVALID */
    f.hfsr = 0x40000000;
    f.mmfar = 0x20005ab0;
    gs_strbuf_sink(&b, &s, false);
    gs_print_cortexm_state(&f, &s);
    ck_assert_str_eq(b.data, "\n---| Cortex-M Fault Status |---\n"
                             "Data Access Violation:              true\n"
                             "Forced Hard Fault:                  true\n"
                             "Faulting Memory Address:            0x20005AB0\n"
                             "Fault Status Register (CFSR):       0x00000082\n"
                             "Hard Fault Status Register (HFSR):  0x40000000\n");
    gs_strbuf_free(&b);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("printer");
    TCase *tc = tb_tcase("printer");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, overview_matches_upstream_sample);
    tcase_add_test(tc, overview_unknowns_and_crlf);
    tcase_add_test(tc, full_process_dump);
    tcase_add_test(tc, syscall_debug_forms);
    tcase_add_test(tc, cortexm_fault_status);
    suite_add_tcase(s, tc);
    return tb_run(s);
}
