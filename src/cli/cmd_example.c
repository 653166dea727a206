/* SPDX-License-Identifier: MIT */
/* The built-in example of `grantsim layout --example` and `grantsim explain --example`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capsules.h"
#include "cmds.h"
#include "errors.h"
#include "grant.h"
#include "invariants.h"
#include "ipc.h"
#include "kernel.h"
#include "syscall.h"
#include "tasks.h"

/* The built-in example board and its objects (they must outlive the kernel). */
struct gs_example {
    struct gs_mem mem;
    struct gs_kernel *k;
    struct gs_console con;
    struct gs_alarm alarm;
    struct gs_rng rng;
    struct gs_ipc ipc;
    struct gs_test_capsule test;
    struct gs_process *blink, *client;
};

/* One syscall through the kernel's syscall layer; the result must be a success. */
static int sys(struct gs_example *ex, struct gs_process *p, enum gs_syscall_class cls, uint32_t r0,
               uint32_t r1, uint32_t r2, uint32_t r3)
{
    struct gs_syscall sc = {.cls = cls, .r = {r0, r1, r2, r3}};
    uint32_t rv;

    gs_handle_syscall(ex->k, p, &sc);
    /* set_syscall_return wrote r0 (the variant) into the stacked frame at psp. */
    rv = gs_kload32(ex->k, p->ss.psp);
    if (ex->k->panicked || rv < GS_RET_SUCCESS) {
        fprintf(stderr, "grantsim: example syscall %s(0x%x, %u, 0x%x, 0x%x) of %s failed\n",
                gs_syscall_class_name(cls), (unsigned)r0, (unsigned)r1, (unsigned)r2, (unsigned)r3,
                gs_process_name(p));
        return -1;
    }
    return 0;
}

void gs_example_free(struct gs_example *ex)
{
    if (!ex)
        return;
    gs_kernel_free(ex->k);
    gs_mem_free(&ex->mem);
    free(ex);
}

/*
 * The worked example of the Tock reference (G = 15, PCB 920, 4 KiB minimum
 * RAM at 0x20004000, section 1.4), driven through the syscall layer:
 *  - "blink" (process 0) grows its break to 0x20005100 (one subregion of
 *    region 1 is enabled, so 256 bytes of expected slack), subscribes and
 *    allows buffers to the console and the test capsule (one RO buffer in
 *    flash), writes the test capsule's T and has it allocate a custom grant;
 *  - "client" (process 1) shares a 64-byte buffer with blink through its IPC
 *    grant and notifies it; the kernel's IPC dispatch maps that buffer into
 *    blink's MPU config (region 3).
 * Returns 0, or an exit code after printing why.
 */
static int example_build(struct gs_example *ex)
{
    struct gs_grant_shape ts = {.t_size = 16, .t_align = 8, .n_upcalls = 2, .n_ro = 2, .n_rw = 1};
    struct gs_app_info app;
    uint32_t pool = 0x20004000, pool_len = 0x10000;
    struct gs_kernel *k;
    struct gs_task t, keep[GS_CALLBACK_LEN];
    unsigned nkeep = 0;
    static const char hello[] = "hello world\n";

    if (gs_mem_init(&ex->mem, 0x20000000, 0x20000, 0x00030000, 0x40000) != GS_OK ||
        gs_kernel_new(&ex->mem, NULL, &ex->k) != GS_OK) {
        fprintf(stderr, "grantsim: out of memory\n");
        gs_mem_free(&ex->mem);
        free(ex);
        return GS_CLI_USAGE;
    }
    k = ex->k;
    /* Grants in board order: console, alarm, RNG, IPC, test capsule, and 10 more drivers. */
    if (gs_console_init(k, &ex->con, 0x1) || gs_alarm_init(k, &ex->alarm, 0x0) ||
        gs_rng_init(k, &ex->rng, 0x40001, 1) || gs_ipc_init(k, &ex->ipc, GS_IPC_DRIVER_NUM) ||
        gs_test_capsule_init(k, &ex->test, GS_TEST_CAPSULE_NUM, &ts))
        goto fail;
    for (unsigned i = 0; i < 10; i++) {
        struct gs_grant_shape s = {.t_size = 8, .t_align = 4, .n_upcalls = 1, .n_ro = 1, .n_rw = 1};
        struct gs_grant *g;
        if (gs_grant_create(k, 0xA0000 + i, &s, NULL, &g) != GS_OK)
            goto fail;
    }
    memset(&app, 0, sizeof(app));
    app.flash_start = 0x00030000;
    app.flash_len = 0x2000;
    app.header_size = 0x60;
    app.init_fn_offset = 0x29;
    app.min_ram = 4096;
    app.binary_end = 0x1F80; /* 128 bytes of footers */
    app.name = "blink";
    app.name_len = 5;
    if (gs_process_create(k, &app, &pool, &pool_len, &ex->blink) != GS_OK)
        goto fail;
    app.flash_start = 0x00032000;
    app.binary_end = 0x2000;
    app.name = "client";
    app.name_len = 6;
    if (gs_process_create(k, &app, &pool, &pool_len, &ex->client) != GS_OK)
        goto fail;

    /* blink */
    if (sys(ex, ex->blink, GS_SYS_MEMOP, 0, 0x20005100, 0, 0) ||
        gs_mem_write(&ex->mem, 0x20004100, hello, sizeof(hello) - 1,
                     gs_powner(ex->blink, GS_OWN_APP, 0)) != GS_OK ||
        sys(ex, ex->blink, GS_SYS_SUBSCRIBE, 0x1, 1, 0x00030101, 0x1234) ||
        sys(ex, ex->blink, GS_SYS_RO_ALLOW, 0x1, 1, 0x20004100, sizeof(hello) - 1) ||
        sys(ex, ex->blink, GS_SYS_SUBSCRIBE, 0x0, 0, 0x00030201, 0) ||
        sys(ex, ex->blink, GS_SYS_SUBSCRIBE, GS_TEST_CAPSULE_NUM, 1, 0x00030301, 7) ||
        sys(ex, ex->blink, GS_SYS_RO_ALLOW, GS_TEST_CAPSULE_NUM, 0, 0x00030400, 16) ||
        sys(ex, ex->blink, GS_SYS_RW_ALLOW, GS_TEST_CAPSULE_NUM, 0, 0x20004200, 32) ||
        sys(ex, ex->blink, GS_SYS_COMMAND, GS_TEST_CAPSULE_NUM, 2, 0, 0xC0FFEE) ||
        sys(ex, ex->blink, GS_SYS_COMMAND, GS_TEST_CAPSULE_NUM, 6, 24, 16))
        goto fail;
    /* client shares [0x20006800, +64) with process 0 and notifies it. */
    if (sys(ex, ex->client, GS_SYS_MEMOP, 0, 0x20007000, 0, 0) ||
        sys(ex, ex->client, GS_SYS_RW_ALLOW, GS_IPC_DRIVER_NUM, ex->blink->index, 0x20006800, 64) ||
        sys(ex, ex->client, GS_SYS_COMMAND, GS_IPC_DRIVER_NUM, 2, ex->blink->index, 0))
        goto fail;
    gs_process_set_yielded(ex->blink);
    gs_process_set_yielded(ex->client);
    /* The kernel loop's part: dispatch blink's Task::IPC, keep its other tasks queued. */
    while (gs_tasks_dequeue(ex->blink, &t)) {
        if (t.kind == GS_TASK_IPC && k->ipc_dispatch)
            k->ipc_dispatch(k, ex->blink, &t);
        else if (nkeep < GS_CALLBACK_LEN)
            keep[nkeep++] = t;
    }
    for (unsigned i = 0; i < nkeep; i++)
        gs_tasks_enqueue(ex->blink, &keep[i]);
    if (k->panicked)
        goto fail;
    return 0;
fail:
    fprintf(stderr, "grantsim: the example failed to build%s%s\n", k->panicked ? ": " : "",
            k->panicked ? k->panic_msg : "");
    gs_example_free(ex);
    return GS_CLI_FINDING;
}

int gs_example_new(struct gs_example **out, struct gs_kernel **k)
{
    struct gs_example *ex = calloc(1, sizeof(*ex));
    int rc;

    *out = NULL;
    if (!ex) {
        fprintf(stderr, "grantsim: out of memory\n");
        return GS_CLI_USAGE;
    }
    if ((rc = example_build(ex)) != 0)
        return rc;
    if (gs_invariants_check(ex->k, GS_INV_QUIESCENT | GS_INV_SHADOW) != 0) {
        gs_example_free(ex);
        return GS_CLI_FINDING;
    }
    *out = ex;
    *k = ex->k;
    return 0;
}
