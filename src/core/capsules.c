/* SPDX-License-Identifier: MIT */
/*
 * Board capsules. Numbers and semantics from tock HEAD 65608d717
 * (capsules/core/src/{console,alarm,led,rng}.rs, low_level_debug) as
 * summarized in TOCK-REFERENCE 11.4.2; docs/drivers.md is the contract.
 * They are simplified where hardware would add timing detail: a console
 * write completes `latency` instructions later in one piece. Console input
 * reaches the UART at simulated times (gs_console_set_input).
 */
#include "capsules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "sched.h"

/* Enters d's grant for the process a piece of kernel work is for (NoSuchApp after a restart). */
static bool enter_for_work(struct gs_driver *d, uint64_t arg, struct gs_grant_ctx *g)
{
    return gs_grant_enter(d->grant, gs_pid_unpack(arg), g) == GS_OK;
}

static int enter_alloc(struct gs_driver *d, struct gs_pid pid)
{
    struct gs_grant_ctx ctx;
    int e = gs_grant_enter(d->grant, pid, &ctx);

    if (e == GS_OK)
        gs_grant_leave(&ctx);
    return e;
}

/* Enters d's grant for pid; returns the CommandReturn failure when that fails. */
static bool enter_or_fail(struct gs_driver *d, struct gs_pid pid, struct gs_grant_ctx *ctx,
                          struct gs_ret *fail)
{
    int e = gs_grant_enter(d->grant, pid, ctx);

    if (e == GS_OK)
        return true;
    *fail = gs_ret_failure(gs_err_to_ecode(e));
    return false;
}

static int make_grant(struct gs_kernel *k, struct gs_driver *d, uint32_t num, uint32_t t_size,
                      uint32_t nu, uint32_t nro, uint32_t nrw)
{
    struct gs_grant_shape s = {
        .t_size = t_size, .t_align = t_size ? 4 : 1, .n_upcalls = nu, .n_ro = nro, .n_rw = nrw};

    return gs_grant_create(k, num, &s, NULL, &d->grant);
}

/* Names a driver and hands it to the kernel (its grant, if any, already created). */
static int add_driver(struct gs_kernel *k, struct gs_driver *d, uint32_t num, const char *name,
                      const struct gs_driver_ops *ops, void *state)
{
    d->num = num;
    d->name = name;
    d->ops = ops;
    d->state = state;
    return gs_kernel_add_driver(k, d);
}

/* ================= Console ================= */
/* T = App {write_len, write_remaining, pending_write, read_len}: 16 bytes, align 4. */
#define CON_WRITE_LEN 0
#define CON_READ_LEN  8
#define CON_PENDING   12

static void console_write_done(struct gs_kernel *k, void *ctx, uint64_t pid)
{
    struct gs_console *c = ctx;
    struct gs_grant_ctx g;
    uint32_t written = 0;

    (void)k;
    if (!enter_for_work(&c->drv, pid, &g))
        return;
    gs_grant_t_load32(&g, CON_WRITE_LEN, &written);
    gs_grant_t_store32(&g, CON_WRITE_LEN, 0);
    gs_grant_t_store32(&g, CON_PENDING, 0);
    /* The kernel's write-done upcall is (bytes_written, 0, 0). */
    gs_grant_schedule_upcall(&g, 1, written, 0, 0);
    gs_grant_leave(&g);
}

static struct gs_ret console_write(struct gs_console *c, struct gs_grant_ctx *g, uint32_t len)
{
    struct gs_process *p = g->p;
    uint32_t ptr, alen, pending = 0, n, got = 0;
    char *buf;
    struct gs_event ev;

    gs_grant_t_load32(g, CON_PENDING, &pending);
    if (pending)
        return gs_ret_failure(GS_EC_BUSY);
    gs_grant_get_allow(g, false, 1, &ptr, &alen);
    n = len < alen ? len : alen;
    buf = malloc(n ? n : 1);
    if (!buf)
        return gs_ret_failure(GS_EC_NOMEM);
    gs_grant_allow_read(g, false, 1, 0, buf, n, &got);
    gs_strbuf_append(&c->out, buf, got);
    if (p->index < 16)
        gs_strbuf_append(&c->per[p->index], buf, got);
    memset(&ev, 0, sizeof(ev));
    ev.kind = GS_EV_CONSOLE;
    ev.p = p;
    ev.a = got;
    ev.text = buf;
    gs_kernel_emit(c->drv.k, &ev);
    free(buf);
    gs_grant_t_store32(g, CON_WRITE_LEN, got);
    gs_grant_t_store32(g, CON_PENDING, 1);
    gs_kernel_defer(c->drv.k, gs_kernel_now(c->drv.k) + c->latency, console_write_done, c,
                    gs_pid_pack(p->pid));
    return gs_ret_success();
}

/*
 * ---- Receive ----
 *
 * console.rs over a UART that keeps the hil::uart::Receive contract
 * (kernel/src/hil/uart.rs): receive_buffer(len) completes once len bytes
 * have arrived, receive_abort completes a pending receive with CANCEL and
 * what came so far, and with none pending does nothing. A receive of 0
 * bytes has all it asked for at once: it completes `latency` later with
 * (Ok, 0). (Chips differ there: some refuse rx_len 0 with SIZE.) The UART
 * receives only while the console has a receive pending, as the virtual
 * UART (capsules/core/src/virtualizers/virtual_uart.rs) starts the
 * hardware only for a pending read: bytes arriving at another time are
 * lost, not queued.
 */

static void console_rx_pump(struct gs_kernel *k, void *ctx, uint64_t arg);

#define RX_PUMP  0 /* the stream hands over bytes, or a receive of 0 bytes completes */
#define RX_ABORT 1 /* the UART's abort completes */

/* console.rs received_buffer: the receive ends, the process gets (status, count, 0). */
static void console_rx_complete(struct gs_console *c, int status)
{
    struct gs_grant_ctx g;
    uint32_t ptr = 0, blen = 0, put = 0, n;
    int code = status;

    c->rx_busy = false;
    c->rx_aborting = false;
    gs_kernel_cancel(c->drv.k, console_rx_pump, c, RX_PUMP);
    gs_kernel_cancel(c->drv.k, console_rx_pump, c, RX_ABORT);
    /* A process gone since (exit, restart) finds no grant: the bytes are dropped. */
    if (!enter_for_work(&c->drv, c->rx_pid, &g))
        return;
    gs_grant_get_allow(&g, true, 1, &ptr, &blen);
    n = c->rx_pos < blen ? c->rx_pos : blen;
    gs_grant_allow_write(&g, 1, 0, c->rx_buf, n, &put);
    /*
     * More received than the buffer now holds (the process allowed a
     * smaller one meanwhile): SIZE with the buffer's length, as
     * received_buffer does; otherwise the UART's result and its count.
     */
    if (c->rx_pos > blen) {
        code = GS_EC_SIZE;
        n = blen;
    } else {
        n = c->rx_pos;
    }
    /* kernel::errorcode::into_statuscode: Ok is 0, an error its ErrorCode. */
    gs_grant_schedule_upcall(&g, 2, (uint32_t)code, n, 0);
    gs_grant_leave(&g);
}

/* Bytes reach the UART: the pending receive takes what it still wants. Returns how many it took. */
static uint32_t console_rx_deliver(struct gs_console *c, const uint8_t *bytes, uint32_t n)
{
    uint32_t take = 0;

    if (c->rx_busy) {
        take = c->rx_len - c->rx_pos;
        if (take > n)
            take = n;
        memcpy(c->rx_buf + c->rx_pos, bytes, take);
        c->rx_pos += take;
        if (c->rx_pos == c->rx_len)
            console_rx_complete(c, 0);
    }
    return take;
}

static void console_rx_pump(struct gs_kernel *k, void *ctx, uint64_t arg)
{
    struct gs_console *c = ctx;

    (void)k;
    if (!c->rx_busy)
        return;
    if (arg == RX_ABORT) {
        console_rx_complete(c, GS_EC_CANCEL);
        return;
    }
    if (c->rx_len == c->rx_pos) {
        console_rx_complete(c, 0); /* a receive of 0 bytes */
        return;
    }
    if (c->input_pos < c->input_len)
        c->input_pos += console_rx_deliver(c, c->input + c->input_pos, c->input_len - c->input_pos);
}

static void console_schedule_timed(struct gs_console *c);

/* A timed burst arrives (kernel work at its time). */
static void console_rx_arrive(struct gs_kernel *k, void *ctx, uint64_t idx)
{
    struct gs_console *c = ctx;
    const struct gs_console_input *in;
    uint32_t took;
    struct gs_event ev;

    if (idx >= c->ntimed)
        return;
    in = &c->timed[idx];
    took = console_rx_deliver(c, in->bytes, in->len);
    c->rx_arrived += in->len;
    c->rx_lost += in->len - took;
    memset(&ev, 0, sizeof(ev));
    ev.kind = GS_EV_CONSOLE_INPUT;
    ev.a = in->len;
    ev.b = took;
    ev.text = (const char *)in->bytes;
    gs_kernel_emit(k, &ev);
    c->timed_next = (unsigned)idx + 1;
    console_schedule_timed(c);
}

static void console_schedule_timed(struct gs_console *c)
{
    uint64_t now = gs_kernel_now(c->drv.k), at;

    if (c->timed_next >= c->ntimed)
        return;
    at = c->timed[c->timed_next].at;
    gs_kernel_defer(c->drv.k, at > now ? at : now, console_rx_arrive, c, c->timed_next);
}

void gs_console_set_input(struct gs_console *c, const uint8_t *stream, uint32_t len,
                          const struct gs_console_input *timed, unsigned n)
{
    gs_kernel_cancel(c->drv.k, console_rx_arrive, c, c->timed_next);
    c->input = stream;
    c->input_len = stream ? len : 0;
    c->input_pos = 0;
    c->timed = timed;
    c->ntimed = timed ? n : 0;
    c->timed_next = 0;
    c->rx_arrived = c->rx_lost = 0;
    console_schedule_timed(c);
}

/* console.rs receive_new: one receive for the whole console. */
static struct gs_ret console_read(struct gs_console *c, struct gs_grant_ctx *g, uint32_t len)
{
    uint32_t ptr = 0, alen = 0, n;

    if (c->rx_busy)
        return gs_ret_failure(GS_EC_BUSY); /* whichever process's receive it is */
    /* min(allowed length, len); no buffer is length 0. */
    gs_grant_get_allow(g, true, 1, &ptr, &alen);
    n = len < alen ? len : alen;
    if (n > GS_CONSOLE_RX_BUF)
        return gs_ret_failure(GS_EC_INVAL); /* "a small maximum receive length" */
    gs_grant_t_store32(g, CON_READ_LEN, n);
    c->rx_busy = true;
    c->rx_aborting = false;
    c->rx_pid = gs_pid_pack(g->p->pid);
    c->rx_len = n;
    c->rx_pos = 0;
    if (n == 0 || c->input_pos < c->input_len)
        gs_kernel_defer(c->drv.k, gs_kernel_now(c->drv.k) + c->latency, console_rx_pump, c,
                        RX_PUMP);
    return gs_ret_success();
}

static struct gs_ret console_command(struct gs_driver *d, uint32_t cmd, uint32_t a0, uint32_t a1,
                                     struct gs_pid pid)
{
    struct gs_console *c = d->state;
    struct gs_grant_ctx g;
    struct gs_ret r;

    (void)a1;
    if (!enter_or_fail(d, pid, &g, &r))
        return r;
    switch (cmd) {
    case 0:
        r = gs_ret_success();
        break;
    case 1:
        r = console_write(c, &g, a0);
        break;
    case 2:
        r = console_read(c, &g, a0);
        break;
    case 3:
        /*
         * Abort: the UART's receive_abort, whatever it returns, and Ok.
         * It aborts the console's receive whichever process started it;
         * the CANCEL upcall with the bytes so far follows as kernel work.
         * With no receive pending nothing follows.
         */
        if (c->rx_busy && !c->rx_aborting) {
            c->rx_aborting = true;
            gs_kernel_defer(d->k, gs_kernel_now(d->k) + c->latency, console_rx_pump, c, RX_ABORT);
        }
        r = gs_ret_success();
        break;
    default:
        r = gs_ret_failure(GS_EC_NOSUPPORT);
        break;
    }
    gs_grant_leave(&g);
    return r;
}

static void console_destroy(struct gs_driver *d)
{
    struct gs_console *c = d->state;

    gs_strbuf_free(&c->out);
    for (unsigned i = 0; i < 16; i++)
        gs_strbuf_free(&c->per[i]);
}

static void console_reset(struct gs_driver *d)
{
    struct gs_console *c = d->state;

    gs_strbuf_clear(&c->out);
    for (unsigned i = 0; i < 16; i++)
        gs_strbuf_clear(&c->per[i]);
    c->rx_busy = c->rx_aborting = false;
    c->rx_len = c->rx_pos = 0;
    /* The input belonged to the last run (its owner may have freed it): none until set again. */
    c->input = NULL;
    c->input_len = c->input_pos = 0;
    c->timed = NULL;
    c->ntimed = c->timed_next = 0;
    c->rx_arrived = c->rx_lost = 0;
}

static const struct gs_driver_ops console_ops = {
    .command = console_command,
    .allocate_grant = enter_alloc,
    .destroy = console_destroy,
    .reset = console_reset,
};

int gs_console_init(struct gs_kernel *k, struct gs_console *c, uint32_t driver_num)
{
    int e;

    memset(c, 0, sizeof(*c));
    c->latency = 1;
    e = make_grant(k, &c->drv, driver_num, 16, 3, 2, 2);
    if (e)
        return e;
    return add_driver(k, &c->drv, driver_num, "console", &console_ops, c);
}

/* ================= Alarm ================= */
/* T = AlarmData {expiration: Option<{reference, dt}>}: {enabled, reference, dt}. */
#define AL_ENABLED 0
#define AL_REF     4
#define AL_DT      8

uint32_t gs_alarm_ticks(const struct gs_alarm *a, uint64_t t)
{
    return (uint32_t)((unsigned __int128)t * a->freq / a->cpu_hz);
}

/* First instruction time >= now at which the tick counter reaches `tick` (mod 2^32). */
static uint64_t time_of_tick(const struct gs_alarm *a, uint64_t now, uint32_t ticks_ahead)
{
    uint64_t now_ticks = (uint64_t)((unsigned __int128)now * a->freq / a->cpu_hz);
    uint64_t target = now_ticks + ticks_ahead;

    /* ceil(target * cpu_hz / freq) */
    return (uint64_t)(((unsigned __int128)target * a->cpu_hz + a->freq - 1) / a->freq);
}

static void alarm_fire(struct gs_kernel *k, void *ctx, uint64_t pid);

/* (Re)arms the kernel work item for one process's alarm. */
static void alarm_arm(struct gs_alarm *a, struct gs_grant_ctx *g)
{
    uint32_t enabled = 0, ref = 0, dt = 0, now_t, elapsed;
    uint64_t now = gs_kernel_now(a->drv.k);

    gs_kernel_cancel(a->drv.k, alarm_fire, a, gs_pid_pack(g->p->pid));
    gs_grant_t_load32(g, AL_ENABLED, &enabled);
    if (!enabled)
        return;
    gs_grant_t_load32(g, AL_REF, &ref);
    gs_grant_t_load32(g, AL_DT, &dt);
    now_t = gs_alarm_ticks(a, now);
    elapsed = now_t - ref; /* wrapping, as Ticks arithmetic */
    gs_kernel_defer(a->drv.k, elapsed >= dt ? now : time_of_tick(a, now, dt - elapsed), alarm_fire,
                    a, gs_pid_pack(g->p->pid));
}

static void alarm_fire(struct gs_kernel *k, void *ctx, uint64_t pid)
{
    struct gs_alarm *a = ctx;
    struct gs_grant_ctx g;
    uint32_t enabled = 0, ref = 0, dt = 0;

    if (!enter_for_work(&a->drv, pid, &g))
        return;
    gs_grant_t_load32(&g, AL_ENABLED, &enabled);
    gs_grant_t_load32(&g, AL_REF, &ref);
    gs_grant_t_load32(&g, AL_DT, &dt);
    if (enabled) {
        gs_grant_t_store32(&g, AL_ENABLED, 0);
        gs_grant_schedule_upcall(&g, 0, gs_alarm_ticks(a, gs_kernel_now(k)), ref + dt, 0);
    }
    gs_grant_leave(&g);
}

static struct gs_ret alarm_command(struct gs_driver *d, uint32_t cmd, uint32_t a0, uint32_t a1,
                                   struct gs_pid pid)
{
    struct gs_alarm *a = d->state;
    struct gs_grant_ctx g;
    struct gs_ret r;
    uint32_t now_t, enabled = 0;

    if (!enter_or_fail(d, pid, &g, &r))
        return r;
    now_t = gs_alarm_ticks(a, gs_kernel_now(d->k));
    switch (cmd) {
    case 0:
        r = gs_ret_success();
        break;
    case 1:
        r = gs_ret_u32(a->freq);
        break;
    case 2:
        r = gs_ret_u32(now_t);
        break;
    case 3:
        gs_grant_t_load32(&g, AL_ENABLED, &enabled);
        if (!enabled) {
            r = gs_ret_failure(GS_EC_ALREADY);
            break;
        }
        gs_grant_t_store32(&g, AL_ENABLED, 0);
        alarm_arm(a, &g);
        r = gs_ret_success();
        break;
    case 5: /* relative: reference = now */
    case 6: /* absolute: (reference, dt) */
        gs_grant_t_store32(&g, AL_ENABLED, 1);
        gs_grant_t_store32(&g, AL_REF, cmd == 5 ? now_t : a0);
        gs_grant_t_store32(&g, AL_DT, cmd == 5 ? a0 : a1);
        alarm_arm(a, &g);
        r = gs_ret_u32(cmd == 5 ? now_t + a0 : a0 + a1);
        break;
    default:
        r = gs_ret_failure(GS_EC_NOSUPPORT);
        break;
    }
    gs_grant_leave(&g);
    return r;
}

static const struct gs_driver_ops alarm_ops = {
    .command = alarm_command,
    .allocate_grant = enter_alloc,
};

int gs_alarm_init(struct gs_kernel *k, struct gs_alarm *a, uint32_t driver_num)
{
    int e;

    memset(a, 0, sizeof(*a));
    a->freq = 32768;
    a->cpu_hz = 64000000;
    e = make_grant(k, &a->drv, driver_num, 12, 1, 0, 0);
    if (e)
        return e;
    return add_driver(k, &a->drv, driver_num, "alarm", &alarm_ops, a);
}

/* ================= LED ================= */

static struct gs_ret led_command(struct gs_driver *d, uint32_t cmd, uint32_t a0, uint32_t a1,
                                 struct gs_pid pid)
{
    struct gs_led *l = d->state;

    (void)a1;
    (void)pid;
    if (cmd == 0)
        return gs_ret_u32(l->count);
    if (cmd > 3)
        return gs_ret_failure(GS_EC_NOSUPPORT);
    if (a0 >= l->count)
        return gs_ret_failure(GS_EC_INVAL);
    l->on[a0] = cmd == 1 ? true : cmd == 2 ? false : !l->on[a0];
    l->toggles++;
    return gs_ret_success();
}

static int no_grant(struct gs_driver *d, struct gs_pid pid)
{
    (void)d;
    (void)pid;
    return GS_OK; /* a capsule without a grant: Ok, nothing allocated */
}

static void led_reset(struct gs_driver *d)
{
    struct gs_led *l = d->state;

    memset(l->on, 0, sizeof(l->on));
    l->toggles = 0;
}

static const struct gs_driver_ops led_ops = {
    .reset = led_reset,
    .command = led_command,
    .allocate_grant = no_grant,
};

int gs_led_init(struct gs_kernel *k, struct gs_led *l, uint32_t driver_num, unsigned count)
{
    (void)k;
    memset(l, 0, sizeof(*l));
    if (count > GS_MAX_LEDS)
        return GS_E_ARG;
    l->count = count;
    return add_driver(k, &l->drv, driver_num, "led", &led_ops, l);
}

/* ================= RNG ================= */
/* T = {requested}: 4 bytes. */

static uint32_t xorshift(uint64_t *s)
{
    uint64_t x = *s;

    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *s = x;
    return (uint32_t)(x >> 16);
}

static void rng_fill(struct gs_kernel *k, void *ctx, uint64_t pid)
{
    struct gs_rng *r = ctx;
    struct gs_grant_ctx g;
    uint32_t want = 0, ptr, len, n, done = 0;

    (void)k;
    if (!enter_for_work(&r->drv, pid, &g))
        return;
    gs_grant_t_load32(&g, 0, &want);
    gs_grant_get_allow(&g, true, 0, &ptr, &len);
    n = want < len ? want : len;
    for (uint32_t i = 0; i < n; i++) {
        uint8_t b = (uint8_t)xorshift(&r->state);
        uint32_t one = 0;
        gs_grant_allow_write(&g, 0, i, &b, 1, &one);
        done += one;
    }
    gs_grant_t_store32(&g, 0, 0);
    gs_grant_schedule_upcall(&g, 0, 0, done, 0);
    gs_grant_leave(&g);
}

static struct gs_ret rng_command(struct gs_driver *d, uint32_t cmd, uint32_t a0, uint32_t a1,
                                 struct gs_pid pid)
{
    struct gs_grant_ctx g;
    struct gs_ret r;

    (void)a1;
    if (!enter_or_fail(d, pid, &g, &r))
        return r;
    if (cmd == 0) {
        r = gs_ret_success();
    } else if (cmd == 1) {
        gs_grant_t_store32(&g, 0, a0);
        gs_kernel_defer(d->k, gs_kernel_now(d->k) + 1, rng_fill, d->state, gs_pid_pack(g.p->pid));
        r = gs_ret_success();
    } else {
        r = gs_ret_failure(GS_EC_NOSUPPORT);
    }
    gs_grant_leave(&g);
    return r;
}

static void rng_reset(struct gs_driver *d)
{
    struct gs_rng *r = d->state;

    r->state = r->seed;
}

static const struct gs_driver_ops rng_ops = {
    .reset = rng_reset,
    .command = rng_command,
    .allocate_grant = enter_alloc,
};

int gs_rng_init(struct gs_kernel *k, struct gs_rng *r, uint32_t driver_num, uint64_t seed)
{
    int e;

    memset(r, 0, sizeof(*r));
    r->seed = seed ? seed : 0x9E3779B97F4A7C15ull;
    r->state = r->seed;
    e = make_grant(k, &r->drv, driver_num, 4, 1, 0, 1);
    if (e)
        return e;
    return add_driver(k, &r->drv, driver_num, "rng", &rng_ops, r);
}

/* ================= Low-level debug ================= */

static struct gs_ret lld_command(struct gs_driver *d, uint32_t cmd, uint32_t a0, uint32_t a1,
                                 struct gs_pid pid)
{
    struct gs_lld *l = d->state;
    char line[128];
    int n;
    struct gs_event ev;

    switch (cmd) {
    case 0:
        return gs_ret_success();
    case 1:
        n = snprintf(line, sizeof(line), "LowLevelDebug: App 0x%x alert code %u\n",
                     (unsigned)pid.index, (unsigned)a0);
        break;
    case 2:
        n = snprintf(line, sizeof(line), "LowLevelDebug: App 0x%x prints 0x%x\n",
                     (unsigned)pid.index, (unsigned)a0);
        break;
    case 3:
        n = snprintf(line, sizeof(line), "LowLevelDebug: App 0x%x prints 0x%x 0x%x\n",
                     (unsigned)pid.index, (unsigned)a0, (unsigned)a1);
        break;
    default:
        return gs_ret_failure(GS_EC_NOSUPPORT);
    }
    gs_strbuf_append(&l->out, line, (uint32_t)n);
    memset(&ev, 0, sizeof(ev));
    ev.kind = GS_EV_DEBUG;
    ev.p = gs_kernel_process_at(d->k, pid.index);
    ev.text = line;
    gs_kernel_emit(d->k, &ev);
    return gs_ret_success();
}

static void lld_destroy(struct gs_driver *d)
{
    gs_strbuf_free(&((struct gs_lld *)d->state)->out);
}

static void lld_reset(struct gs_driver *d)
{
    gs_strbuf_clear(&((struct gs_lld *)d->state)->out);
}

static const struct gs_driver_ops lld_ops = {
    .reset = lld_reset,
    .command = lld_command,
    .allocate_grant = no_grant,
    .destroy = lld_destroy,
};

int gs_lld_init(struct gs_kernel *k, struct gs_lld *l, uint32_t driver_num)
{
    memset(l, 0, sizeof(*l));
    return add_driver(k, &l->drv, driver_num, "low_level_debug", &lld_ops, l);
}

/* ================= Test capsule ================= */

static struct gs_ret test_command(struct gs_driver *d, uint32_t cmd, uint32_t a0, uint32_t a1,
                                  struct gs_pid pid)
{
    struct gs_test_capsule *t = d->state;
    struct gs_grant_ctx g;
    struct gs_ret r;
    uint32_t v, n, sum, len, ptr;
    int e;

    if (cmd == 6) {
        struct gs_custom_grant cg;
        if ((e = gs_grant_enter_with_allocator(d->grant, pid, &g)) != GS_OK)
            return gs_ret_failure(gs_err_to_ecode(e));
        e = gs_grant_alloc_custom(&g, 1, a0, a1 ? a1 : 1, NULL, &cg);
        gs_grant_leave(&g);
        if (e)
            return gs_ret_failure(e == GS_E_ARG ? GS_EC_INVAL : GS_EC_NOMEM);
        if (t->ncustoms < 16)
            t->customs[t->ncustoms++] = cg;
        return gs_ret_u32(cg.offset);
    }
    if (cmd == 9) {
        /* Like a capsule that notifies every client (Grant::iter, then enter
         * each): the caller is skipped, its grant is not needed. */
        struct gs_pid other;
        unsigned cursor = 0;
        n = 0;
        while (gs_grant_iter_next(d->grant, &cursor, &other)) {
            if (other.index == pid.index)
                continue;
            if (gs_grant_enter(d->grant, other, &g) != GS_OK)
                continue;
            if (gs_grant_schedule_upcall(&g, a0, a1, a0, pid.index) == 0)
                n++;
            gs_grant_leave(&g);
        }
        return gs_ret_u32(n);
    }
    if (!enter_or_fail(d, pid, &g, &r))
        return r;
    switch (cmd) {
    case 0:
        r = gs_ret_success();
        break;
    case 1:
        e = gs_grant_schedule_upcall(&g, a0, a1, a0, 0);
        r = e == 0                             ? gs_ret_success()
            : e == GS_UPCALL_INVALID_SUBSCRIBE ? gs_ret_failure(GS_EC_INVAL)
            : e == GS_UPCALL_QUEUE_FULL        ? gs_ret_failure(GS_EC_NOMEM)
                                               : gs_ret_failure(GS_EC_FAIL);
        break;
    case 2:
        if (t->check_t_bounds && ((uint64_t)a0 + 4 > t->shape.t_size)) {
            r = gs_ret_failure(GS_EC_INVAL);
            break;
        }
        gs_grant_t_store32(&g, a0, a1);
        r = gs_ret_success();
        break;
    case 3:
        if ((uint64_t)a0 + 4 > t->shape.t_size) {
            r = gs_ret_failure(GS_EC_INVAL);
            break;
        }
        gs_grant_t_load32(&g, a0, &v);
        r = gs_ret_u32(v);
        break;
    case 4:
        if (gs_grant_get_allow(&g, false, a0, &ptr, &len) != GS_OK) {
            r = gs_ret_failure(GS_EC_INVAL);
            break;
        }
        sum = 0;
        for (uint32_t i = 0; i < len; i++) {
            uint8_t b = 0;
            gs_grant_allow_read(&g, false, a0, i, &b, 1, &n);
            sum += b;
        }
        r = gs_ret_u32(sum);
        break;
    case 5:
        if (gs_grant_get_allow(&g, true, a0, &ptr, &len) != GS_OK) {
            r = gs_ret_failure(GS_EC_INVAL);
            break;
        }
        for (uint32_t i = 0; i < len; i++) {
            uint8_t b = (uint8_t)a1;
            gs_grant_allow_write(&g, a0, i, &b, 1, &n);
        }
        r = gs_ret_u32(len);
        break;
    case 7:
        r = gs_ret_u32_u32(g.base, g.t_addr);
        break;
    case 8:
        /* At most GS_TEST_FLOOD_MAX tries: a process must not keep the
         * kernel busy for 2^32 iterations (the queue holds 9 anyway). */
        n = 0;
        for (uint32_t i = 0; i < a0 && i < GS_TEST_FLOOD_MAX; i++)
            if (gs_grant_schedule_upcall(&g, 0, i, 0, 0) == 0)
                n++;
        r = gs_ret_u32(n);
        break;
    default:
        r = gs_ret_failure(GS_EC_NOSUPPORT);
        break;
    }
    gs_grant_leave(&g);
    return r;
}

static void test_reset(struct gs_driver *d)
{
    struct gs_test_capsule *t = d->state;

    memset(t->customs, 0, sizeof(t->customs));
    t->ncustoms = 0;
}

static const struct gs_driver_ops test_ops = {
    .reset = test_reset,
    .command = test_command,
    .allocate_grant = enter_alloc,
};

int gs_test_capsule_init(struct gs_kernel *k, struct gs_test_capsule *t, uint32_t driver_num,
                         const struct gs_grant_shape *shape)
{
    int e;

    memset(t, 0, sizeof(*t));
    t->shape = *shape;
    t->check_t_bounds = true;
    e = gs_grant_create(k, driver_num, shape, NULL, &t->drv.grant);
    if (e)
        return e;
    return add_driver(k, &t->drv, driver_num, "test", &test_ops, t);
}

/* ================= The board capsule set ================= */

int gs_capsule_set_init(struct gs_kernel *k, struct gs_capsule_set *s,
                        const struct gs_grant_shape *test_shape)
{
    int e;

    /* The order is the grant numbering every board shares (capsules.h). */
    if ((e = gs_console_init(k, &s->con, GS_CONSOLE_NUM)) != GS_OK ||
        (e = gs_alarm_init(k, &s->alarm, GS_ALARM_NUM)) != GS_OK ||
        (e = gs_led_init(k, &s->led, GS_LED_NUM, GS_CAPSULE_SET_LEDS)) != GS_OK ||
        (e = gs_rng_init(k, &s->rng, GS_RNG_NUM, 1)) != GS_OK ||
        (e = gs_lld_init(k, &s->lld, GS_LLD_NUM)) != GS_OK ||
        (e = gs_ipc_init(k, &s->ipc, GS_IPC_DRIVER_NUM)) != GS_OK ||
        (e = gs_test_capsule_init(k, &s->test, GS_TEST_CAPSULE_NUM, test_shape)) != GS_OK)
        return e;
    return GS_OK;
}
