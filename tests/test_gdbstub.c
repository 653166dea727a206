/* SPDX-License-Identifier: MIT */
/*
 * The gdb stub's packet layer (checksums, framing, escapes, hex, the byte
 * parser fed good, bad and random input) and the machine's debugger
 * interface under it (machine.h, Debugging): steps, breakpoints changed
 * while stopped, watchpoints and kill on our apps, with the rule that a
 * debugged run keeps the time and the output of an undebugged one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "board_helpers.h"
#include "gdbstub.h"
#include "helpers.h"
#include "machine.h"

/* ------------------------------------------------------------ packets */

START_TEST(checksum_and_frame)
{
    char out[32];
    size_t n;

    ck_assert_uint_eq(gs_gdb_checksum("", 0), 0);
    /* "OK": 0x4f + 0x4b = 0x9a */
    ck_assert_uint_eq(gs_gdb_checksum("OK", 2), 0x9a);
    /* the sum is modulo 256 */
    ck_assert_uint_eq(gs_gdb_checksum("\xff\xff", 2), 0xfe);
    n = gs_gdb_frame("OK", 2, out);
    ck_assert_uint_eq(n, 6);
    ck_assert(memcmp(out, "$OK#9a", 6) == 0);
    n = gs_gdb_frame("", 0, out);
    ck_assert(memcmp(out, "$#00", n) == 0);
}
END_TEST

START_TEST(escape_round_trip)
{
    uint8_t in[256], back[256];
    char esc[600];
    size_t used;
    size_t n;
    long m;

    for (unsigned i = 0; i < 256; i++)
        in[i] = (uint8_t)i;
    n = gs_gdb_escape(in, 256, esc, sizeof(esc), &used);
    ck_assert_uint_eq(used, 256);
    ck_assert_uint_eq(n, 256 + 4); /* '#', '$', '}', '*' take two bytes each */
    for (size_t i = 0; i < n; i++)
        ck_assert((esc[i] != '#' && esc[i] != '$' && esc[i] != '*') ||
                  (i > 0 && esc[i - 1] == '}'));
    m = gs_gdb_unescape(esc, n, back, sizeof(back));
    ck_assert_int_eq(m, 256);
    ck_assert(memcmp(in, back, 256) == 0);
    /* never half an escape: "a#" into 2 bytes gives "a" only */
    n = gs_gdb_escape((const uint8_t *)"a#", 2, esc, 2, &used);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(used, 1);
    /* a dangling '}' and too little room are errors */
    ck_assert_int_eq(gs_gdb_unescape("ab}", 3, back, sizeof(back)), -1);
    ck_assert_int_eq(gs_gdb_unescape("abc", 3, back, 2), -1);
    ck_assert_int_eq(gs_gdb_unescape("}]", 2, back, 1), 1);
    ck_assert_uint_eq(back[0], '}');
}
END_TEST

START_TEST(hex_round_trip_and_errors)
{
    uint8_t b[4] = {0x00, 0x7f, 0x80, 0xff}, back[4];
    char h[9];

    ck_assert_uint_eq(gs_gdb_hex_encode(b, 4, h), 8);
    h[8] = '\0';
    ck_assert_str_eq(h, "007f80ff");
    ck_assert_int_eq(gs_gdb_hex_decode("007F80fF", 8, back, 4), 4);
    ck_assert(memcmp(b, back, 4) == 0);
    ck_assert_int_eq(gs_gdb_hex_decode("abc", 3, back, 4), -1);         /* odd */
    ck_assert_int_eq(gs_gdb_hex_decode("zz", 2, back, 4), -1);          /* not hex */
    ck_assert_int_eq(gs_gdb_hex_decode("0011223344", 10, back, 4), -1); /* over cap */
    ck_assert_int_eq(gs_gdb_hex_decode("", 0, back, 4), 0);
}
END_TEST

/* Feeds a string; returns the last non-NONE kind (NONE if none). */
static enum gs_gdb_rx_kind feed(struct gs_gdb_rx *rx, const char *s, size_t n, unsigned *count)
{
    enum gs_gdb_rx_kind last = GS_GDB_RX_NONE;

    for (size_t i = 0; i < n; i++) {
        enum gs_gdb_rx_kind k = gs_gdb_rx_byte(rx, (uint8_t)s[i]);
        if (k != GS_GDB_RX_NONE) {
            last = k;
            if (count)
                (*count)++;
        }
    }
    return last;
}

START_TEST(rx_parses_packets_and_control_bytes)
{
    static struct gs_gdb_rx rx;
    char big[GS_GDB_PACKET_MAX + 16];
    unsigned count = 0;

    gs_gdb_rx_init(&rx);
    ck_assert_int_eq(feed(&rx, "$qC#b4", 6, NULL), GS_GDB_RX_PACKET);
    ck_assert_uint_eq(rx.len, 2);
    ck_assert_str_eq(rx.buf, "qC");
    ck_assert_int_eq(feed(&rx, "$qC#00", 6, NULL), GS_GDB_RX_BAD_SUM);
    ck_assert_int_eq(feed(&rx, "$qC#zz", 6, &count), GS_GDB_RX_BAD_SUM);
    ck_assert_int_eq(feed(&rx, "\x03", 1, NULL), GS_GDB_RX_INTERRUPT);
    ck_assert_int_eq(feed(&rx, "+", 1, NULL), GS_GDB_RX_ACK);
    ck_assert_int_eq(feed(&rx, "-", 1, NULL), GS_GDB_RX_NACK);
    /* noise between packets is ignored */
    count = 0;
    ck_assert_int_eq(feed(&rx, "garbage\n\r#12", 12, &count), GS_GDB_RX_NONE);
    ck_assert_uint_eq(count, 0);
    /* a '$' restarts a packet cut short */
    ck_assert_int_eq(feed(&rx, "$m0,4$qC#b4", 11, NULL), GS_GDB_RX_PACKET);
    ck_assert_str_eq(rx.buf, "qC");
    /* 0x03 inside a packet is data (the escape of '#'), and escapes stay as sent */
    ck_assert_int_eq(feed(&rx, "$X0,1:}\x03#", 9, NULL), GS_GDB_RX_NONE);
    {
        char cs[3];
        snprintf(cs, sizeof(cs), "%02x", gs_gdb_checksum("X0,1:}\x03", 7));
        ck_assert_int_eq(feed(&rx, cs, 2, NULL), GS_GDB_RX_PACKET);
    }
    ck_assert_uint_eq(rx.len, 7);
    ck_assert(memcmp(rx.buf, "X0,1:}\x03", 7) == 0);
    /* a packet over the maximum is reported, not stored past the buffer */
    big[0] = '$';
    memset(big + 1, 'A', GS_GDB_PACKET_MAX + 5);
    big[GS_GDB_PACKET_MAX + 6] = '#';
    {
        uint8_t s = 0;
        for (unsigned i = 0; i < GS_GDB_PACKET_MAX + 5; i++)
            s = (uint8_t)(s + 'A');
        snprintf(big + GS_GDB_PACKET_MAX + 7, 3, "%02x", s);
    }
    ck_assert_int_eq(feed(&rx, big, GS_GDB_PACKET_MAX + 9, NULL), GS_GDB_RX_TOO_LONG);
    ck_assert_uint_eq(rx.len, GS_GDB_PACKET_MAX);
    /* and the parser is usable afterwards */
    ck_assert_int_eq(feed(&rx, "$?#3f", 5, NULL), GS_GDB_RX_PACKET);
    ck_assert_str_eq(rx.buf, "?");
}
END_TEST

START_TEST(rx_survives_random_bytes)
{
    static struct gs_gdb_rx rx;
    uint32_t x = 0x12345678;
    unsigned packets = 0;

    gs_gdb_rx_init(&rx);
    for (unsigned i = 0; i < 2000000; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        /* mostly the bytes that matter to the parser */
        uint8_t c = (x & 3) ? "$#}+-\x03"[(x >> 8) % 6] : (uint8_t)(x >> 16);
        if (gs_gdb_rx_byte(&rx, c) == GS_GDB_RX_PACKET) {
            ck_assert_uint_le(rx.len, GS_GDB_PACKET_MAX);
            ck_assert_uint_eq(gs_gdb_checksum(rx.buf, rx.len), rx.sum);
        }
        ck_assert_uint_le(rx.len, GS_GDB_PACKET_MAX);
        /* Whatever state the noise left, "##" ends it and a good packet parses. */
        if (i % 10000 == 9999) {
            ck_assert_int_eq(feed(&rx, "##$qC#b4", 8, NULL), GS_GDB_RX_PACKET);
            ck_assert_str_eq(rx.buf, "qC");
            packets++;
        }
    }
    ck_assert_uint_eq(packets, 200);
}
END_TEST

/* ---------------------------------------------------- machine debugging */

static struct gs_board *b;

/* What a run produced: the time of every syscall, the console, the end time. */
struct outcome {
    uint64_t times[4096];
    unsigned n;
    uint64_t end;
    char console[512];
};

static void on_syscall(void *ctx, const struct gs_event *ev)
{
    struct outcome *o = ctx;

    if (ev->kind == GS_EV_SYSCALL && o->n < 4096)
        o->times[o->n++] = gs_kernel_now(b->k);
}

/*
 * The timeslice of the boards: the default, or a short one (tests run
 * twice) so that runs end at budget stops between breakpoints and steps.
 */
static uint64_t timeslice;

/* gdb_demo and hello on a board; fn (if any) attached as the debugger. */
static void board_up(struct outcome *o, gs_dbg_fn fn, void *ctx)
{
    struct gs_board_config c;

    gs_board_config_default(&c);
    c.timeslice = timeslice;
    ck_assert_int_eq(gs_board_new(&c, &b), GS_OK);
    ck_assert_int_eq(gs_board_add_console(b, 0x1), GS_OK);
    memset(o, 0, sizeof(*o));
    gs_kernel_add_observer(b->k, on_syscall, o);
    if (fn)
        ck_assert_int_eq(gs_machine_debug_attach(b->machine, fn, ctx), GS_OK);
    tb_board_add_app(b, "gdb_demo", "gdb_demo");
    tb_board_add_app(b, "hello", "hello");
    ck_assert_int_eq(gs_board_load(b, NULL), GS_OK);
}

static void board_run(struct outcome *o)
{
    gs_board_run(b, 50000000);
    o->end = gs_kernel_now(b->k);
    snprintf(o->console, sizeof(o->console), "%s",
             b->console->out.data ? b->console->out.data : "");
}

static void reference(struct outcome *o)
{
    board_up(o, NULL, NULL);
    board_run(o);
    gs_board_free(b);
    b = NULL;
    ck_assert_uint_gt(o->n, 10);
    ck_assert(strstr(o->console, "gdb_demo: counter 6\n") != NULL);
}

static void same_outcome(const struct outcome *a, const struct outcome *d)
{
    ck_assert_str_eq(a->console, d->console);
    ck_assert_uint_eq(a->n, d->n);
    for (unsigned i = 0; i < a->n; i++)
        ck_assert_msg(a->times[i] == d->times[i], "syscall %u at %llu, undebugged %llu", i,
                      (unsigned long long)d->times[i], (unsigned long long)a->times[i]);
    ck_assert_uint_eq(a->end, d->end);
}

/* A debugger that steps process 0 for `steps` instructions, then lets everything run. */
struct stepper {
    unsigned steps, seen, begins;
    uint32_t pcs[4000];
    bool regs_ok;
};

static void step_fn(void *ctx, struct gs_process *p, const struct gs_dbg_event *ev)
{
    struct stepper *s = ctx;
    uint32_t r[GS_DBG_NREGS];

    if (ev->where == GS_DBG_RUN_BEGIN && s->begins++ == 0) {
        ck_assert_uint_eq(p->index, 0);
        gs_machine_debug_resume(b->machine, p);
        return;
    }
    if (ev->where != GS_DBG_INSN)
        return;
    ck_assert_int_eq(ev->reason, GS_DBG_STEP);
    ck_assert_uint_eq(p->index, 0);
    /* Live registers: the PC is the instruction about to run. */
    ck_assert_int_eq(gs_machine_debug_regs(b->machine, p, r), GS_OK);
    s->regs_ok = s->regs_ok && r[GS_DBG_PC] == ev->pc && (r[GS_DBG_XPSR] & (1u << 24));
    if (s->seen < 4000)
        s->pcs[s->seen] = ev->pc;
    s->seen++;
    gs_machine_debug_resume(b->machine, s->seen < s->steps ? p : NULL);
}

START_TEST(stepping_keeps_time_and_output)
{
    static struct outcome ref, dbg;
    static struct stepper s;

    timeslice = _i ? 101 : 0;

    reference(&ref);
    memset(&s, 0, sizeof(s));
    s.steps = 3000;
    s.regs_ok = true;
    board_up(&dbg, step_fn, &s);
    board_run(&dbg);
    ck_assert_uint_eq(s.seen, 3000);
    ck_assert(s.regs_ok);
    /* Steps are instructions: consecutive PCs differ (no instruction reported twice). */
    for (unsigned i = 1; i < 3000; i++)
        ck_assert_msg(s.pcs[i] != s.pcs[i - 1] || s.pcs[i] == 0, "step %u repeats 0x%x", i,
                      s.pcs[i]);
    same_outcome(&ref, &dbg);
    gs_board_free(b);
    b = NULL;
}
END_TEST

/*
 * A debugger with breakpoints at some of the PCs process 0 steps through;
 * at each hit it removes that breakpoint and inserts the next, which
 * restarts the emulation there (the hooks changed while stopped).
 */
struct breaker {
    const uint32_t *targets;
    unsigned ntargets, next, hits;
    uint32_t hit_pcs[64];
};

static void break_fn(void *ctx, struct gs_process *p, const struct gs_dbg_event *ev)
{
    struct breaker *k = ctx;

    (void)p;
    if (ev->where != GS_DBG_INSN)
        return;
    ck_assert_int_eq(ev->reason, GS_DBG_BREAK);
    ck_assert_uint_eq(ev->pc, k->targets[k->next]);
    if (k->hits < 64)
        k->hit_pcs[k->hits] = ev->pc;
    k->hits++;
    /* gdb's way: remove and insert again (nothing changes) ... */
    ck_assert_int_eq(gs_machine_debug_break(b->machine, ev->pc, false), GS_OK);
    ck_assert_int_eq(gs_machine_debug_break(b->machine, ev->pc, true), GS_OK);
    ck_assert_int_eq(gs_machine_debug_break(b->machine, ev->pc, false), GS_OK);
    /* ... then a real change: the next target */
    if (++k->next < k->ntargets)
        ck_assert_int_eq(gs_machine_debug_break(b->machine, k->targets[k->next], true), GS_OK);
    gs_machine_debug_resume(b->machine, NULL);
}

START_TEST(breakpoints_changed_while_stopped_keep_time)
{
    static struct outcome ref, dbg;
    static struct stepper s;
    static struct breaker k;
    uint32_t targets[24];
    unsigned n = 0;

    timeslice = _i ? 101 : 0;

    reference(&ref);
    /* PCs process 0 executes, each later than the one before in its first 3000 steps. */
    memset(&s, 0, sizeof(s));
    s.steps = 3000;
    s.regs_ok = true;
    board_up(&dbg, step_fn, &s);
    board_run(&dbg);
    gs_board_free(b);
    b = NULL;
    /* Every 7th PC in order of first execution: each is first reached after the one before. */
    for (unsigned i = 1, uniq = 0; i < 3000 && n < 24; i++) {
        bool first = true;
        for (unsigned j = 0; j < i && first; j++)
            first = s.pcs[j] != s.pcs[i];
        if (first && uniq++ % 7 == 6)
            targets[n++] = s.pcs[i];
    }
    ck_assert_uint_ge(n, 8);
    memset(&k, 0, sizeof(k));
    k.targets = targets;
    k.ntargets = n;
    board_up(&dbg, break_fn, &k);
    ck_assert_int_eq(gs_machine_debug_break(b->machine, targets[0], true), GS_OK);
    board_run(&dbg);
    ck_assert_uint_eq(k.hits, n);
    same_outcome(&ref, &dbg);
    /* errors: removing a breakpoint that is not there */
    ck_assert_int_eq(gs_machine_debug_break(b->machine, 0x12345678, false), GS_E_ARG);
    gs_board_free(b);
    b = NULL;
}
END_TEST

/* A debugger with a write watchpoint on the top of process 0's stack. */
struct watcher {
    unsigned hits, begins;
    uint32_t lo, hi;
    bool in_range;
};

static void watch_fn(void *ctx, struct gs_process *p, const struct gs_dbg_event *ev)
{
    struct watcher *w = ctx;

    if (ev->where == GS_DBG_RUN_BEGIN && w->begins++ == 0) {
        /* crt0 puts sp at memory_start + STACK_SIZE (2048): the first pushes go below it */
        w->lo = p->memory_start + 2048 - 64;
        w->hi = w->lo + 64;
        ck_assert_int_eq(gs_machine_debug_watch(b->machine, w->lo, 64, GS_ACC_WRITE, true), GS_OK);
        ck_assert_int_eq(gs_machine_debug_watch(b->machine, w->lo, 0, GS_ACC_WRITE, true),
                         GS_E_ARG);
        return;
    }
    if (ev->reason != GS_DBG_WATCH)
        return;
    w->hits++;
    w->in_range = w->in_range && ev->watch_addr >= w->lo && ev->watch_addr < w->hi &&
                  ev->watch_acc == GS_ACC_WRITE && p->index == 0;
    gs_machine_debug_resume(b->machine, NULL);
}

START_TEST(watchpoints_see_stores_and_keep_time)
{
    static struct outcome ref, dbg;
    static struct watcher w;

    timeslice = _i ? 101 : 0;

    reference(&ref);
    memset(&w, 0, sizeof(w));
    w.in_range = true;
    board_up(&dbg, watch_fn, &w);
    board_run(&dbg);
    ck_assert_uint_gt(w.hits, 0);
    ck_assert(w.in_range);
    same_outcome(&ref, &dbg);
    gs_board_free(b);
    b = NULL;
}
END_TEST

/* Kill at the first step: the run ends at once. Memory reads as a probe sees it. */
static void kill_fn(void *ctx, struct gs_process *p, const struct gs_dbg_event *ev)
{
    unsigned *n = ctx;
    uint8_t buf[8], flash[8];

    if (ev->where == GS_DBG_RUN_BEGIN && (*n)++ == 0) {
        gs_machine_debug_resume(b->machine, p);
        return;
    }
    if (ev->where != GS_DBG_INSN)
        return;
    ck_assert_uint_eq(gs_machine_debug_read(b->machine, ev->pc, buf, 8), 8);
    ck_assert_int_eq(gs_mem_read(b->k->mem, ev->pc, flash, 8), GS_OK);
    ck_assert(memcmp(buf, flash, 8) == 0);
    ck_assert_uint_eq(gs_machine_debug_read(b->machine, 0x10000000, buf, 8), 0);
    /* the readable prefix at the end of RAM */
    ck_assert_uint_eq(gs_machine_debug_read(b->machine, 0x20000000 + 0x20000 - 2, buf, 8), 2);
    ck_assert_int_eq(gs_machine_debug_write(b->machine, 0x20000000 + 0x20000 - 2, buf, 8),
                     GS_E_BOUNDS);
    gs_machine_debug_kill(b->machine);
    gs_machine_debug_detach(b->machine);
    gs_kernel_request_stop(b->k);
}

START_TEST(kill_ends_the_run)
{
    static struct outcome dbg;
    unsigned n = 0;

    timeslice = _i ? 101 : 0;

    board_up(&dbg, kill_fn, &n);
    ck_assert_int_eq(gs_board_run(b, 50000000), GS_RUN_LIMIT);
    ck_assert_uint_lt(gs_kernel_now(b->k), 1000);
    gs_board_free(b);
    b = NULL;
}
END_TEST

int main(void)
{
    Suite *s = suite_create("gdbstub");
    TCase *tp = tb_tcase("packets");
    TCase *tm = tb_tcase("machine");

    tcase_add_test(tp, checksum_and_frame);
    tcase_add_test(tp, escape_round_trip);
    tcase_add_test(tp, hex_round_trip_and_errors);
    tcase_add_test(tp, rx_parses_packets_and_control_bytes);
    tcase_add_test(tp, rx_survives_random_bytes);
    suite_add_tcase(s, tp);
    tcase_add_loop_test(tm, stepping_keeps_time_and_output, 0, 2);
    tcase_add_loop_test(tm, breakpoints_changed_while_stopped_keep_time, 0, 2);
    tcase_add_loop_test(tm, watchpoints_see_stores_and_keep_time, 0, 2);
    tcase_add_loop_test(tm, kill_ends_the_run, 0, 2);
    suite_add_tcase(s, tm);
    return tb_run(s);
}
