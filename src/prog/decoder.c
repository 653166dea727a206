/* SPDX-License-Identifier: MIT */
/*
 * The decoder from fuzz input bytes to a program (format in decoder.h).
 *
 * Every argument is drawn from a small menu of values that matter to the
 * kernel, so that random bytes hit the interesting cases often: the board's
 * driver numbers, subscribe and allow numbers around the grant's counts,
 * buffers at the edges of the process's memory and flash, sizes around MPU
 * region boundaries. Each menu is one byte (index modulo the menu length);
 * the last entry of a menu (written LIT) means "read the next 4 bytes as a
 * u32", so every other entry, 0xFFFFFFFF included, is a plain value.
 */
#include "decoder.h"

#include <string.h>

#include "errors.h"
#include "capsules.h"
#include "ipc.h"
#include "syscall.h"

#define LIT  0u /* the last entry of every menu: a literal u32 follows (gs_fz_menu) */
#define N(a) ((unsigned)(sizeof(a) / sizeof((a)[0])))

uint8_t gs_fz_u8(struct gs_fz_bytes *b)
{
    if (b->pos >= b->len)
        return 0;
    return b->data[b->pos++];
}

uint32_t gs_fz_u32(struct gs_fz_bytes *b)
{
    uint32_t v = 0;

    for (unsigned i = 0; i < 4; i++)
        v |= (uint32_t)gs_fz_u8(b) << (8 * i);
    return v;
}

uint32_t gs_fz_menu(struct gs_fz_bytes *b, const uint32_t *menu, unsigned n)
{
    unsigned i = gs_fz_u8(b) % n;

    return i == n - 1 ? gs_fz_u32(b) : menu[i];
}

const char *const gs_prog_names[GS_PROG_NAMES] = {
    "org.tock.svc",  "client", "", "svc", "org.tock.svc", "c", "x.y.z.a.very.long.name.0123456",
    "org.tock.svc2",
};

/* ---- menus ---- */

/* Mostly small (2 KiB blocks keep runs fast), sometimes large. */
static const uint32_t min_ram_menu[16] = {0,   32,  64,   256, 500,  512,  0,    100,
                                          700, 740, 1000, 768, 1500, 2048, 4096, 8192};
static const uint32_t timeslice_menu[4] = {640000, 10000, 2000, 500};

uint32_t gs_prog_count_menu(uint8_t b)
{
    static const uint32_t big[32] = {5,   6,   7,   8,   9,   15,  16,  17,  31,  32,  33,
                                     63,  64,  65,  100, 127, 128, 129, 200, 250, 251, 252,
                                     253, 254, 255, 255, 255, 3,   2,   1,   0,   4};
    return b < 0xE0 ? b % 5u : big[b - 0xE0];
}

static const uint32_t driver_menu[16] = {0x0,     0x1,     0x2,        0x8,     0x40001, 0x10000,
                                         0x90000, 0x90000, 0x90000,    0x10000, 0x1,     0x0,
                                         0x777,   0x90001, 0xFFFFFFFF, LIT};
static const uint32_t small_menu[16] = {0, 0, 1,  1,  2,   3,   4,          5,
                                        7, 8, 15, 16, 255, 256, 0xFFFFFFFE, LIT};
static const uint32_t len_menu[16] = {0,      1,          4,          0x10, 0x20,  0x1F,
                                      0x21,   0x40,       0x100,      0xFF, 0x101, 0x400,
                                      0x1000, 0xFFFFFFF0, 0x80000000, LIT};
static const uint32_t cmd_menu[16] = {0, 1, 1, 2, 2, 3, 4, 5, 5, 6, 6, 7, 8, 9, 99, LIT};
static const uint32_t val_menu[14] = {
    0, 1, 2, 3, 4, 8, 12, 16, 0x100, 0x7FFFFFFF, 0xFFFFFFFE, 0xFFFFFFFC, 0x80000000, LIT};
static const uint32_t memop_menu[16] = {0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, LIT};
static const uint32_t sbrk_menu[16] = {0,
                                       32,
                                       (uint32_t)-32,
                                       256,
                                       (uint32_t)-256,
                                       1024,
                                       (uint32_t)-1024,
                                       4096,
                                       0x7FFFFFFF,
                                       0x80000000,
                                       (uint32_t)-1,
                                       1,
                                       4,
                                       (uint32_t)-4,
                                       0x40,
                                       LIT};
static const uint32_t brk_menu[16] = {0x20,   0x40, 0x100, 0x200, 0x400, 0x800, 0xC00,  0x1000,
                                      0x2000, 0,    0x1F,  0x21,  0x3E0, 0x600, 0x4000, LIT};
static const uint32_t off_menu[16] = {0,
                                      4,
                                      0x10,
                                      0x40,
                                      0x100,
                                      0x200,
                                      0x3F0,
                                      0x400,
                                      (uint32_t)-1,
                                      (uint32_t)-4,
                                      (uint32_t)-0x10,
                                      (uint32_t)-0x20,
                                      (uint32_t)-0x40,
                                      (uint32_t)-0x100,
                                      0x20,
                                      LIT};
static const uint32_t exit_menu[6] = {0, 1, 1, 2, 0xFFFFFFFE, LIT};
static const uint32_t bad_yield_menu[4] = {3, 4, 0xFFFFFFFE, LIT};
static const uint32_t target_menu[8] = {0, 1, 2, 3, 4, 5, 0xFFFFFFFE, LIT};
static const uint32_t dt_menu[8] = {0, 1, 2, 10, 100, 1000, 0xFFFFFFF0, LIT};

/* ---- decoding state ---- */

struct dec {
    struct gs_fz_bytes b;
    struct gs_prog *prog;
    struct gs_prog_proc *pp;
    uint32_t brk_off; /* the app break this script last asked for, from memory_start */
};

static struct gs_prog_arg abs_arg(uint32_t v)
{
    struct gs_prog_arg a = {GS_PB_ABS, 0, v};
    return a;
}

static struct gs_prog_arg base_arg(enum gs_prog_base base, uint32_t v)
{
    struct gs_prog_arg a = {base, 0, v};
    return a;
}

static uint32_t menu(struct dec *d, const uint32_t *m, unsigned n)
{
    return gs_fz_menu(&d->b, m, n);
}

/* A buffer or pointer: a base at a memory edge plus an offset around it. */
static struct gs_prog_arg pick_ptr(struct dec *d)
{
    uint8_t s = gs_fz_u8(&d->b);
    uint32_t off = menu(d, off_menu, N(off_menu));
    struct gs_prog_arg a = abs_arg(0);

    switch (s & 15) {
    case 0:
    case 1:
    case 14:
        a = base_arg(GS_PB_MEM, off);
        break;
    case 2:
    case 3:
    case 13: /* around the app break this script asked for */
        a = base_arg(GS_PB_MEM, d->brk_off + off);
        break;
    case 4:
        a = base_arg(GS_PB_KBRK, off);
        break;
    case 5:
        a = base_arg(GS_PB_END, off);
        break;
    case 6:
        a = base_arg(GS_PB_PROC, off);
        a.proc = (uint8_t)((s >> 4) % GS_PROG_MAX_PROCS);
        break;
    case 7:
    case 15:
        a = base_arg(GS_PB_APP, off);
        break;
    case 8:
        a = base_arg(GS_PB_FLASH, off);
        break;
    case 9:
        a = base_arg(GS_PB_FLASH_END, off);
        break;
    case 10:
        a = abs_arg(off);
        break;
    case 11:
        a = abs_arg(gs_fz_u32(&d->b));
        break;
    case 12:
        a = base_arg(GS_PB_NAME, (s >> 4) % GS_PROG_NAMES);
        break;
    }
    return a;
}

/* A value for a command argument: small numbers, boundaries, or a pointer. */
static struct gs_prog_arg pick_val(struct dec *d)
{
    uint8_t s = gs_fz_u8(&d->b);
    uint32_t v;

    if (s >= 0xF0)
        return pick_ptr(d);
    if (s >= 0xE0)
        return abs_arg(gs_fz_u8(&d->b));
    v = s % N(val_menu);
    return abs_arg(v == N(val_menu) - 1 ? gs_fz_u32(&d->b) : val_menu[v]);
}

/* An upcall function pointer: null, an entry point, or something invalid. */
static struct gs_prog_arg pick_fn(struct dec *d)
{
    uint8_t s = gs_fz_u8(&d->b);

    switch (s & 7) {
    case 0:
        return abs_arg(0);
    case 1:
    case 2:
    case 3:
        return base_arg(GS_PB_UPCALL, (s >> 3) & 15);
    case 4:
        return base_arg(GS_PB_FLASH, 0x10); /* the protected header: invalid */
    case 5:
        return pick_ptr(d);
    case 6:
        return abs_arg(gs_fz_u32(&d->b));
    default:
        return base_arg(GS_PB_APP, 0x200); /* an entry point without the Thumb bit */
    }
}

static struct gs_prog_action *emit(struct dec *d, enum gs_fake_op op, uint32_t n)
{
    struct gs_prog_action *a;

    if (d->pp->nact >= GS_PROG_MAX_ACTIONS)
        return NULL;
    a = &d->pp->act[d->pp->nact++];
    memset(a, 0, sizeof(*a));
    a->op = op;
    a->n = n;
    return a;
}

static void svc(struct dec *d, uint32_t cls, struct gs_prog_arg r0, struct gs_prog_arg r1,
                struct gs_prog_arg r2, struct gs_prog_arg r3)
{
    struct gs_prog_action *a = emit(d, GS_FAKE_SVC, cls);

    if (!a)
        return;
    a->r[0] = r0;
    a->r[1] = r1;
    a->r[2] = r2;
    a->r[3] = r3;
}

static void brk_to(struct dec *d, struct gs_prog_arg p)
{
    if (p.base == GS_PB_MEM)
        d->brk_off = p.v;
    svc(d, GS_SYS_MEMOP, abs_arg(0), p, abs_arg(0), abs_arg(0));
}

enum kind {
    K_YIELD_NOWAIT,
    K_YIELD_WAIT,
    K_YIELD_FOR,
    K_YIELD_BAD,
    K_SUBSCRIBE,
    K_COMMAND,
    K_RW_ALLOW,
    K_RO_ALLOW,
    K_UR_ALLOW,
    K_BRK,
    K_SBRK,
    K_MEMOP,
    K_EXIT,
    K_RESTART,
    K_SPIN,
    K_FAULT,
    K_SET_SP,
    K_BAD_SVC,
    K_SLEEP,
    K_NOTIFY_SVC,
    K_NOTIFY_CLI,
    K_DISCOVER,
    K_IPC_SUBSCRIBE,
    K_IPC_SHARE,
    K_IPC_COMMAND,
};

/* Action kinds by opcode % 32, per mode: the weights are the repetitions. */
static const uint8_t syscalls_table[32] = {
    K_YIELD_NOWAIT, K_YIELD_WAIT, K_YIELD_WAIT, K_YIELD_FOR, K_YIELD_BAD, K_SUBSCRIBE, K_SUBSCRIBE,
    K_SUBSCRIBE,    K_COMMAND,    K_COMMAND,    K_COMMAND,   K_COMMAND,   K_COMMAND,   K_COMMAND,
    K_RW_ALLOW,     K_RW_ALLOW,   K_RW_ALLOW,   K_RO_ALLOW,  K_RO_ALLOW,  K_UR_ALLOW,  K_BRK,
    K_BRK,          K_SBRK,       K_MEMOP,      K_EXIT,      K_SPIN,      K_FAULT,     K_SET_SP,
    K_BAD_SVC,      K_SLEEP,      K_NOTIFY_SVC, K_DISCOVER,
};
static const uint8_t ipc_table[32] = {
    K_IPC_SUBSCRIBE, K_IPC_SUBSCRIBE, K_IPC_SUBSCRIBE, K_IPC_SHARE,  K_IPC_SHARE,  K_IPC_SHARE,
    K_IPC_SHARE,     K_NOTIFY_SVC,    K_NOTIFY_SVC,    K_NOTIFY_SVC, K_NOTIFY_SVC, K_NOTIFY_CLI,
    K_NOTIFY_CLI,    K_NOTIFY_CLI,    K_DISCOVER,      K_DISCOVER,   K_YIELD_WAIT, K_YIELD_WAIT,
    K_YIELD_WAIT,    K_YIELD_FOR,     K_YIELD_NOWAIT,  K_SLEEP,      K_SLEEP,      K_RESTART,
    K_RESTART,       K_EXIT,          K_BRK,           K_BRK,        K_SPIN,       K_FAULT,
    K_COMMAND,       K_IPC_COMMAND,
};

static void decode_action(struct dec *d, enum gs_prog_mode mode)
{
    uint8_t op = gs_fz_u8(&d->b);
    enum kind k = (enum kind)(mode == GS_PROG_IPC ? ipc_table[op % 32] : syscalls_table[op % 32]);
    struct gs_prog_arg r0, r1, r2, r3;
    struct gs_prog_action *a;
    uint32_t v;

    switch (k) {
    case K_YIELD_NOWAIT:
        svc(d, GS_SYS_YIELD, abs_arg(0), pick_ptr(d), abs_arg(0), abs_arg(0));
        break;
    case K_YIELD_WAIT:
        svc(d, GS_SYS_YIELD, abs_arg(1), abs_arg(0), abs_arg(0), abs_arg(0));
        break;
    case K_YIELD_FOR:
        r1 = abs_arg(menu(d, driver_menu, N(driver_menu)));
        r2 = abs_arg(menu(d, small_menu, N(small_menu)));
        svc(d, GS_SYS_YIELD, abs_arg(2), r1, r2, abs_arg(0));
        break;
    case K_YIELD_BAD:
        v = menu(d, bad_yield_menu, N(bad_yield_menu));
        svc(d, GS_SYS_YIELD, abs_arg(v), abs_arg(0), abs_arg(0), abs_arg(0));
        break;
    case K_SUBSCRIBE:
        r0 = abs_arg(menu(d, driver_menu, N(driver_menu)));
        r1 = abs_arg(menu(d, small_menu, N(small_menu)));
        r2 = pick_fn(d);
        r3 = abs_arg(gs_fz_u8(&d->b));
        svc(d, GS_SYS_SUBSCRIBE, r0, r1, r2, r3);
        break;
    case K_COMMAND:
        r0 = abs_arg(menu(d, driver_menu, N(driver_menu)));
        r1 = abs_arg(menu(d, cmd_menu, N(cmd_menu)));
        r2 = pick_val(d);
        r3 = pick_val(d);
        /*
         * The test capsule's queue flood (command 8) tries up to 1024
         * upcalls; the queue holds 9, so larger counts only cost time.
         */
        if (r0.v == GS_TEST_CAPSULE_NUM && r1.v == 8 && (r2.base != GS_PB_ABS || r2.v > 64))
            r2 = abs_arg(r2.v % 65);
        svc(d, GS_SYS_COMMAND, r0, r1, r2, r3);
        break;
    case K_RW_ALLOW:
    case K_RO_ALLOW:
    case K_UR_ALLOW:
        r0 = abs_arg(menu(d, driver_menu, N(driver_menu)));
        r1 = abs_arg(menu(d, small_menu, N(small_menu)));
        r2 = pick_ptr(d);
        r3 = abs_arg(menu(d, len_menu, N(len_menu)));
        svc(d,
            k == K_RW_ALLOW   ? GS_SYS_RW_ALLOW
            : k == K_RO_ALLOW ? GS_SYS_RO_ALLOW
                              : GS_SYS_UR_ALLOW,
            r0, r1, r2, r3);
        break;
    case K_BRK: {
        uint8_t s = gs_fz_u8(&d->b);
        v = menu(d, brk_menu, N(brk_menu));
        if (s % 4 == 0)
            r1 = base_arg(GS_PB_KBRK, (uint32_t) - (int32_t)(v & 0xFFF));
        else if (s % 4 == 1)
            r1 = base_arg(GS_PB_END, (uint32_t) - (int32_t)(v & 0xFFF));
        else
            r1 = base_arg(GS_PB_MEM, v);
        brk_to(d, r1);
        break;
    }
    case K_SBRK:
        v = menu(d, sbrk_menu, N(sbrk_menu));
        d->brk_off += v;
        svc(d, GS_SYS_MEMOP, abs_arg(1), abs_arg(v), abs_arg(0), abs_arg(0));
        break;
    case K_MEMOP:
        v = menu(d, memop_menu, N(memop_menu));
        if (v == 0)
            r1 = pick_ptr(d);
        else if (v == 1)
            r1 = abs_arg(menu(d, sbrk_menu, N(sbrk_menu)));
        else if (v == 8 || v == 9)
            r1 = abs_arg(menu(d, small_menu, N(small_menu)));
        else
            r1 = pick_val(d);
        if (v == 0)
            brk_to(d, r1);
        else
            svc(d, GS_SYS_MEMOP, abs_arg(v), r1, abs_arg(0), abs_arg(0));
        break;
    case K_EXIT:
        v = menu(d, exit_menu, N(exit_menu));
        svc(d, GS_SYS_EXIT, abs_arg(v), abs_arg(gs_fz_u8(&d->b)), abs_arg(0), abs_arg(0));
        break;
    case K_RESTART:
        svc(d, GS_SYS_EXIT, abs_arg(1), abs_arg(gs_fz_u8(&d->b)), abs_arg(0), abs_arg(0));
        break;
    case K_SPIN:
        emit(d, GS_FAKE_SPIN, ((uint32_t)gs_fz_u8(&d->b) + 1) * 8);
        break;
    case K_FAULT:
        v = 1 + gs_fz_u8(&d->b) % (GS_FAULT_OTHER);
        r0 = pick_ptr(d);
        if ((a = emit(d, GS_FAKE_FAULT, v)))
            a->r[0] = r0;
        break;
    case K_SET_SP:
        r0 = pick_ptr(d);
        if ((a = emit(d, GS_FAKE_SET_SP, 0)))
            a->r[0] = r0;
        break;
    case K_BAD_SVC:
        v = 8 + gs_fz_u8(&d->b) % 248;
        svc(d, v, abs_arg(1), abs_arg(0), abs_arg(0), abs_arg(0));
        break;
    case K_SLEEP:
        /* A relative alarm, then wait for it: the other processes get the CPU. */
        v = menu(d, dt_menu, N(dt_menu));
        svc(d, GS_SYS_COMMAND, abs_arg(0x0), abs_arg(5), abs_arg(v), abs_arg(0));
        svc(d, GS_SYS_YIELD, abs_arg(2), abs_arg(0x0), abs_arg(0), abs_arg(0));
        break;
    case K_NOTIFY_SVC:
    case K_NOTIFY_CLI:
        v = menu(d, target_menu, N(target_menu));
        svc(d, GS_SYS_COMMAND, abs_arg(GS_IPC_DRIVER_NUM), abs_arg(k == K_NOTIFY_SVC ? 2 : 3),
            abs_arg(v), abs_arg(0));
        break;
    case K_DISCOVER: {
        uint8_t s = gs_fz_u8(&d->b);
        unsigned name = s % GS_PROG_NAMES;
        uint32_t len = (uint32_t)strlen(gs_prog_names[name]);
        if (s >= 0xC0) /* a wrong length: a prefix, or one byte too many */
            len = s & 0x20 ? len + 1 : len / 2;
        svc(d, GS_SYS_RO_ALLOW, abs_arg(GS_IPC_DRIVER_NUM), abs_arg(0), base_arg(GS_PB_NAME, name),
            abs_arg(len));
        svc(d, GS_SYS_COMMAND, abs_arg(GS_IPC_DRIVER_NUM), abs_arg(1), abs_arg(0), abs_arg(0));
        break;
    }
    case K_IPC_SUBSCRIBE:
        r1 = abs_arg(menu(d, target_menu, N(target_menu)));
        r2 = pick_fn(d);
        svc(d, GS_SYS_SUBSCRIBE, abs_arg(GS_IPC_DRIVER_NUM), r1, r2, abs_arg(gs_fz_u8(&d->b)));
        break;
    case K_IPC_SHARE: {
        uint8_t s = gs_fz_u8(&d->b);
        r1 = abs_arg(menu(d, target_menu, N(target_menu)));
        /* Mostly a buffer in the process's own memory, below the break it asked for. */
        r2 = s < 0xC0 ? base_arg(GS_PB_MEM, (uint32_t)(s & 0x3F) * 0x10) : pick_ptr(d);
        r3 = abs_arg(menu(d, len_menu, N(len_menu)));
        svc(d, GS_SYS_RW_ALLOW, abs_arg(GS_IPC_DRIVER_NUM), r1, r2, r3);
        break;
    }
    case K_IPC_COMMAND:
        r1 = abs_arg(menu(d, cmd_menu, N(cmd_menu)));
        svc(d, GS_SYS_COMMAND, abs_arg(GS_IPC_DRIVER_NUM), r1, pick_val(d), pick_val(d));
        break;
    }
}

static const enum gs_fault_policy policy_menu[8] = {
    GS_FP_STOP,    GS_FP_STOP_DEBUG,        GS_FP_RESTART,           GS_FP_RESTART_DEBUG,
    GS_FP_RESTART, GS_FP_THRESHOLD_RESTART, GS_FP_THRESHOLD_RESTART, GS_FP_STOP,
};

int gs_prog_decode(const uint8_t *data, size_t len, enum gs_prog_mode mode, struct gs_prog *out)
{
    struct dec d;
    uint8_t f, t;
    unsigned want[GS_PROG_MAX_PROCS];

    memset(out, 0, sizeof(*out));
    out->nprocs = 1;
    out->slots = 1;
    out->mpu_regions = 8;
    out->timeslice = timeslice_menu[0];
    out->test_shape.t_align = 1;
    if (len > GS_PROG_MAX_INPUT)
        return -1;
    memset(&d, 0, sizeof(d));
    gs_fz_bytes_init(&d.b, data, len);
    d.prog = out;

    f = gs_fz_u8(&d.b);
    out->profile = (f & 1) ? GS_PROFILE_2_2 : GS_PROFILE_HEAD;
    out->inline_svc = !(f & 2);
    out->nprocs = 1 + ((f >> 2) & 3);
    if (mode == GS_PROG_IPC && out->nprocs < 2)
        out->nprocs = 2;
    out->slots = (f & 0x10) ? GS_PROG_MAX_PROCS : out->nprocs;
    out->mpu_regions = (f & 0x20) ? 16 : 8;
    out->timeslice = timeslice_menu[(f >> 6) & 3];

    t = gs_fz_u8(&d.b);
    out->test_shape.t_align = 1u << ((t & 15) % 13);
    out->test_shape.t_size = out->test_shape.t_align * ((t >> 4) & 3);
    out->test_shape.n_upcalls = gs_prog_count_menu(gs_fz_u8(&d.b));
    out->test_shape.n_ro = gs_prog_count_menu(gs_fz_u8(&d.b));
    out->test_shape.n_rw = gs_prog_count_menu(gs_fz_u8(&d.b));
    f = gs_fz_u8(&d.b);
    out->inject_grant_at = f & 15;
    out->inject_mpu_at = f >> 4;

    for (unsigned i = 0; i < out->nprocs; i++) {
        struct gs_prog_proc *pp = &out->proc[i];
        uint8_t a = gs_fz_u8(&d.b), b = gs_fz_u8(&d.b);
        pp->min_ram = min_ram_menu[a & 15];
        pp->policy = policy_menu[(a >> 4) & 7];
        pp->threshold = (a >> 5) & 3;
        pp->prefill = (a & 0x80) != 0;
        pp->name = b % GS_PROG_NAMES;
        want[i] = gs_fz_u8(&d.b) % (GS_PROG_MAX_ACTIONS + 1);
    }
    for (unsigned i = 0; i < out->nprocs; i++) {
        d.pp = &out->proc[i];
        d.brk_off = GS_INITIAL_APP_BRK_SIZE;
        for (unsigned n = 0; n < want[i] && d.pp->nact < GS_PROG_MAX_ACTIONS && !gs_fz_done(&d.b);
             n++)
            decode_action(&d, mode);
    }
    return 0;
}

uint32_t gs_prog_resolve(const struct gs_prog_arg *a, const struct gs_prog_env *env)
{
    const struct gs_process *p = env->self, *q;

    switch (a->base) {
    case GS_PB_ABS:
        return a->v;
    case GS_PB_MEM:
        return p->memory_start + a->v;
    case GS_PB_END:
        return gs_process_mem_end(p) + a->v;
    case GS_PB_KBRK:
        return env->kbrk0 + a->v;
    case GS_PB_PROC:
        q = a->proc < GS_PROG_MAX_PROCS ? env->procs[a->proc] : NULL;
        return (q ? q->memory_start : env->ram_base) + a->v;
    case GS_PB_APP:
        return gs_process_app_start(p) + a->v;
    case GS_PB_FLASH:
        return p->app.flash_start + a->v;
    case GS_PB_FLASH_END:
        return gs_process_flash_end(p) + a->v;
    case GS_PB_UPCALL:
        return gs_fake_upcall_fn(p, a->v & 15);
    case GS_PB_NAME:
        return gs_process_app_start(p) + GS_PROG_NAME_OFF + 32 * (a->v % GS_PROG_NAMES);
    }
    return a->v;
}

void gs_prog_to_fake(const struct gs_prog_action *a, const struct gs_prog_env *env,
                     struct gs_fake_action *out)
{
    memset(out, 0, sizeof(*out));
    out->op = a->op;
    out->n = a->n;
    for (unsigned i = 0; i < 4; i++) {
        out->r[i] = gs_prog_resolve(&a->r[i], env);
        out->base[i] = GS_FB_ABS;
    }
}

/* ---- printing ---- */

static void print_arg(const struct gs_prog_arg *a, FILE *f)
{
    static const char *const names[] = {"",    "mem",   "end",       "kbrk",   "proc",
                                        "app", "flash", "flash_end", "upcall", "name"};
    int32_t s = (int32_t)a->v;

    if (a->base == GS_PB_ABS) {
        fprintf(f, "0x%x", (unsigned)a->v);
    } else if (a->base == GS_PB_UPCALL || a->base == GS_PB_NAME) {
        fprintf(f, "%s%u", names[a->base], (unsigned)a->v);
    } else {
        if (a->base == GS_PB_PROC)
            fprintf(f, "proc%u", a->proc);
        else
            fprintf(f, "%s", names[a->base]);
        if (s < 0 && s > -0x10000)
            fprintf(f, "-0x%x", (unsigned)-s);
        else
            fprintf(f, "+0x%x", (unsigned)a->v);
    }
}

void gs_prog_print(const struct gs_prog *p, FILE *f)
{
    fprintf(f, "board profile=%s svc=%s processes=%u slots=%u mpu-regions=%u timeslice=%u\n",
            gs_profile_name(p->profile), p->inline_svc ? "inline" : "trap", p->nprocs, p->slots,
            p->mpu_regions, (unsigned)p->timeslice);
    fprintf(f, "test-capsule T=%u align=%u upcalls=%u ro=%u rw=%u\n",
            (unsigned)p->test_shape.t_size, (unsigned)p->test_shape.t_align,
            (unsigned)p->test_shape.n_upcalls, (unsigned)p->test_shape.n_ro,
            (unsigned)p->test_shape.n_rw);
    fprintf(f, "inject grant-alloc-at=%u mpu-region-at=%u\n", (unsigned)p->inject_grant_at,
            (unsigned)p->inject_mpu_at);
    for (unsigned i = 0; i < p->nprocs; i++) {
        const struct gs_prog_proc *pp = &p->proc[i];
        fprintf(f, "process %u name=\"%s\" min-ram=%u policy=%s", i, gs_prog_names[pp->name],
                (unsigned)pp->min_ram, gs_fault_policy_name(pp->policy));
        if (pp->policy == GS_FP_THRESHOLD_RESTART)
            fprintf(f, "(%u)", pp->threshold);
        fprintf(f, "%s actions=%u\n", pp->prefill ? " prefill" : "", pp->nact);
        for (unsigned j = 0; j < pp->nact; j++) {
            const struct gs_prog_action *a = &pp->act[j];
            fprintf(f, "  %2u: ", j);
            switch (a->op) {
            case GS_FAKE_SVC:
                fprintf(f, "svc %u %s", (unsigned)a->n, gs_syscall_class_name(a->n));
                for (unsigned r = 0; r < 4; r++) {
                    fprintf(f, " r%u=", r);
                    print_arg(&a->r[r], f);
                }
                break;
            case GS_FAKE_SPIN:
                fprintf(f, "spin %u", (unsigned)a->n);
                break;
            case GS_FAKE_FAULT:
                fprintf(f, "fault kind=%u at ", (unsigned)a->n);
                print_arg(&a->r[0], f);
                break;
            case GS_FAKE_SET_SP:
                fprintf(f, "set-sp ");
                print_arg(&a->r[0], f);
                break;
            }
            fputc('\n', f);
        }
    }
}
