/* SPDX-License-Identifier: MIT */
/*
 * The GDB remote serial protocol stub (gdbstub.h). The protocol is gdb's
 * "Remote Protocol" appendix of its manual: packets "$data#cc", '+'/'-'
 * acknowledgements until QStartNoAckMode, 0x03 to interrupt, stop replies
 * as T packets, O packets for console output, qXfer for the target
 * description and the thread list.
 *
 * Control flow: everything runs on the simulator's own thread. The machine
 * calls on_machine() at run boundaries and at instructions that stop (a
 * breakpoint, the stepped process, a watchpoint hit); the kernel's events
 * (faults, exits, restarts, console output) come through on_event(). When
 * the target stops, stop() sends the stop reply and serve() answers packets,
 * blocking on the socket, until gdb resumes (c, s, vCont), detaches or
 * kills; then the hook returns and the simulation continues. While the
 * target runs, the socket is polled for gdb's interrupt at run boundaries
 * only (every POLL_RUNS runs or POLL_INSNS instructions), so a run pays a
 * counter increment, not a system call.
 *
 * Stops that the kernel's events ask for while a process is inside its run
 * (an exit or a restart during an inline syscall, a kernel-detected fault)
 * wait for that run's end, when every process's stored state is complete;
 * exits and restarts always wait for the next run boundary, since the
 * kernel is in the middle of the operation when it reports them. An MPU
 * fault is reported as the kernel records it, before its fault policy runs.
 */
#include "gdbstub.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "errors.h"
#include "layout.h"
#include "printer.h"
#include "process.h"
#include "render.h"

/* GDB's own signal numbers (gdb/signals.def), which the protocol uses. */
#define SIG_INT  2
#define SIG_ILL  4
#define SIG_TRAP 5
#define SIG_SEGV 11
#define SIG_SYS  12

#define POLL_RUNS   32u     /* poll for an interrupt every this many runs ... */
#define POLL_INSNS  200000u /* ... or after this many instructions */
#define MAX_PENDING 32
#define O_CHUNK     1024 /* console bytes per O packet */

/* ------------------------------------------------------------ packets */

uint8_t gs_gdb_checksum(const char *data, size_t n)
{
    uint8_t s = 0;

    for (size_t i = 0; i < n; i++)
        s = (uint8_t)(s + (uint8_t)data[i]);
    return s;
}

static const char hexd[] = "0123456789abcdef";

size_t gs_gdb_frame(const char *data, size_t n, char *out)
{
    uint8_t s = gs_gdb_checksum(data, n);

    out[0] = '$';
    memcpy(out + 1, data, n);
    out[n + 1] = '#';
    out[n + 2] = hexd[s >> 4];
    out[n + 3] = hexd[s & 15];
    return n + 4;
}

static bool needs_escape(uint8_t c)
{
    return c == '#' || c == '$' || c == '}' || c == '*';
}

size_t gs_gdb_escape(const uint8_t *in, size_t n, char *out, size_t cap, size_t *used)
{
    size_t o = 0, i = 0;

    for (; i < n; i++) {
        if (needs_escape(in[i])) {
            if (o + 2 > cap)
                break;
            out[o++] = '}';
            out[o++] = (char)(in[i] ^ 0x20);
        } else {
            if (o + 1 > cap)
                break;
            out[o++] = (char)in[i];
        }
    }
    if (used)
        *used = i;
    return o;
}

long gs_gdb_unescape(const char *in, size_t n, uint8_t *out, size_t cap)
{
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        uint8_t c = (uint8_t)in[i];
        if (c == '}') {
            if (++i == n)
                return -1;
            c = (uint8_t)(in[i] ^ 0x20);
        }
        if (o == cap)
            return -1;
        out[o++] = c;
    }
    return (long)o;
}

size_t gs_gdb_hex_encode(const void *in, size_t n, char *out)
{
    const uint8_t *b = in;

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hexd[b[i] >> 4];
        out[2 * i + 1] = hexd[b[i] & 15];
    }
    return 2 * n;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

long gs_gdb_hex_decode(const char *in, size_t n, uint8_t *out, size_t cap)
{
    if (n % 2 || n / 2 > cap)
        return -1;
    for (size_t i = 0; i < n; i += 2) {
        int hi = hexval((unsigned char)in[i]), lo = hexval((unsigned char)in[i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i / 2] = (uint8_t)(hi << 4 | lo);
    }
    return (long)(n / 2);
}

enum { RX_IDLE, RX_DATA, RX_SUM1, RX_SUM2 };

void gs_gdb_rx_init(struct gs_gdb_rx *rx)
{
    rx->state = RX_IDLE;
    rx->len = 0;
    rx->sum = rx->want = 0;
    rx->overflow = false;
    rx->buf[0] = '\0';
}

/*
 * The data keeps its escapes ('}' pairs) as received: only X packets carry
 * binary data, and they unescape their own payload; the checksum covers
 * the bytes as sent. A '#' always ends the data: an escaped byte is the
 * original XOR 0x20, so a '#' (0x23) is sent as "}\x03" and never appears
 * raw inside a packet (gdbserver reads packets the same way).
 */
enum gs_gdb_rx_kind gs_gdb_rx_byte(struct gs_gdb_rx *rx, uint8_t c)
{
    int v;

    switch (rx->state) {
    case RX_IDLE:
        if (c == '$') {
            rx->state = RX_DATA;
            rx->len = 0;
            rx->sum = 0;
            rx->overflow = false;
            return GS_GDB_RX_NONE;
        }
        if (c == 0x03)
            return GS_GDB_RX_INTERRUPT;
        if (c == '+')
            return GS_GDB_RX_ACK;
        if (c == '-')
            return GS_GDB_RX_NACK;
        return GS_GDB_RX_NONE; /* noise between packets */
    case RX_DATA:
        if (c == '$') {
            /* A new start: the previous packet was cut short. */
            rx->len = 0;
            rx->sum = 0;
            rx->overflow = false;
            return GS_GDB_RX_NONE;
        }
        if (c == '#') {
            rx->state = RX_SUM1;
            return GS_GDB_RX_NONE;
        }
        rx->sum = (uint8_t)(rx->sum + c);
        if (rx->len < GS_GDB_PACKET_MAX)
            rx->buf[rx->len++] = (char)c;
        else
            rx->overflow = true;
        return GS_GDB_RX_NONE;
    case RX_SUM1:
        v = hexval(c);
        rx->want = (uint8_t)((v < 0 ? 0 : v) << 4);
        rx->state = v < 0 ? RX_IDLE : RX_SUM2;
        if (v < 0)
            return GS_GDB_RX_BAD_SUM;
        return GS_GDB_RX_NONE;
    case RX_SUM2:
        v = hexval(c);
        rx->state = RX_IDLE;
        rx->buf[rx->len] = '\0';
        if (v < 0 || (uint8_t)(rx->want | v) != rx->sum)
            return GS_GDB_RX_BAD_SUM;
        return rx->overflow ? GS_GDB_RX_TOO_LONG : GS_GDB_RX_PACKET;
    }
    rx->state = RX_IDLE;
    return GS_GDB_RX_NONE;
}

/* --------------------------------------------------------------- stub */

/* What a stop reply says (besides the thread): the signal and why. */
enum why { WHY_FIRST, WHY_BREAK, WHY_HWBREAK, WHY_STEP, WHY_WATCH, WHY_INTERRUPT, WHY_KERNEL };

struct stop {
    int slot; /* process slot (thread id - 1) */
    int sig;
    enum why why;
    uint32_t watch_addr;
    unsigned watch_kind; /* GS_ACC_* of the watchpoint */
};

struct pending {
    struct stop st;
    char text[320]; /* the O line before it */
};

struct gs_gdb {
    struct gs_gdb_config cfg;
    struct gs_board *b;
    struct gs_kernel *k;
    struct gs_machine *m;
    int lfd, fd;  /* listening socket, connection (-1: none) */
    bool started; /* the first run boundary was seen (gdb was waited for) */
    bool noack, killed, gone;
    bool waiting; /* gdb waits for a stop reply: the target runs */
    bool stop_on_exit;
    struct stop cur; /* the last stop */
    int g_slot;      /* Hg: registers and memory commands' thread (-1: cur) */
    int c_slot;      /* Hc: the thread `c`/`s` without a thread resume */
    struct gs_gdb_rx rx;
    uint8_t in[4096];
    size_t inpos, inlen;
    char out[GS_GDB_PACKET_MAX + 8]; /* the last packet sent, framed */
    size_t outlen;
    char reply[GS_GDB_PACKET_MAX + 1];
    struct pending pend[MAX_PENDING];
    unsigned npend;
    uint64_t runs, last_poll;
    uint32_t hw_breaks[GS_DBG_MAX_BREAKS]; /* addresses inserted with Z1, for hwbreak */
    unsigned nhw;
};

static void logf_(struct gs_gdb *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(struct gs_gdb *g, const char *fmt, ...)
{
    va_list ap;

    if (!g->cfg.log)
        return;
    va_start(ap, fmt);
    vfprintf(g->cfg.log, fmt, ap);
    va_end(ap);
    fflush(g->cfg.log);
}

int gs_gdb_listen(unsigned port, int *fd, unsigned *bound, char *err, size_t n)
{
    struct sockaddr_in a;
    socklen_t alen = sizeof(a);
    int s, one = 1;

    if (port > 65535) {
        snprintf(err, n, "port %u is not a TCP port (0-65535)", port);
        return -1;
    }
    s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0) {
        snprintf(err, n, "cannot make a socket: %s", strerror(errno));
        return -1;
    }
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK); /* loopback only: no one else can connect */
    if (bind(s, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(s, 1) != 0 ||
        getsockname(s, (struct sockaddr *)&a, &alen) != 0) {
        snprintf(err, n, "cannot listen on 127.0.0.1:%u: %s", port, strerror(errno));
        close(s);
        return -1;
    }
    *fd = s;
    *bound = ntohs(a.sin_port);
    return 0;
}

int gs_gdb_new(const struct gs_gdb_config *cfg, struct gs_gdb **out)
{
    struct gs_gdb *g;

    if (!cfg || !out || cfg->listen_fd < 0)
        return GS_E_ARG;
    g = calloc(1, sizeof(*g));
    if (!g)
        return GS_E_NOMEM_HOST;
    g->cfg = *cfg;
    g->lfd = cfg->listen_fd;
    g->fd = -1;
    g->g_slot = g->c_slot = -1;
    g->stop_on_exit = true;
    gs_gdb_rx_init(&g->rx);
    *out = g;
    return GS_OK;
}

void gs_gdb_free(struct gs_gdb *g)
{
    if (!g)
        return;
    if (g->fd >= 0)
        close(g->fd);
    if (g->lfd >= 0)
        close(g->lfd);
    free(g);
}

/* ------------------------------------------------------------- sending */

static void lost(struct gs_gdb *g);

static bool send_raw(struct gs_gdb *g, const char *s, size_t n)
{
    while (n && g->fd >= 0) {
        ssize_t w = send(g->fd, s, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            lost(g);
            return false;
        }
        s += w;
        n -= (size_t)w;
    }
    return g->fd >= 0;
}

static void send_packet(struct gs_gdb *g, const char *data, size_t n)
{
    if (g->fd < 0)
        return;
    if (n > GS_GDB_PACKET_MAX)
        n = GS_GDB_PACKET_MAX; /* every reply is built to fit; never more than gdb was told */
    g->outlen = gs_gdb_frame(data, n, g->out);
    if (g->cfg.trace)
        logf_(g, "gdb< %.*s\n", (int)(n > 200 ? 200 : n), data);
    send_raw(g, g->out, g->outlen);
}

static void send_str(struct gs_gdb *g, const char *s)
{
    send_packet(g, s, strlen(s));
}

/* Console output: O packets of hex-encoded text (only while gdb waits for a reply). */
static void send_console(struct gs_gdb *g, const char *text, size_t n)
{
    char pkt[1 + 2 * O_CHUNK];

    while (n && g->fd >= 0) {
        size_t c = n > O_CHUNK ? O_CHUNK : n;
        pkt[0] = 'O';
        gs_gdb_hex_encode(text, c, pkt + 1);
        send_packet(g, pkt, 1 + 2 * c);
        text += c;
        n -= c;
    }
}

/* --------------------------------------------------------------- input */

/* The connection ended or failed: gdb is gone, the run goes on without it. */
static void lost(struct gs_gdb *g)
{
    if (g->fd < 0)
        return;
    close(g->fd);
    g->fd = -1;
    g->waiting = false;
    if (!g->killed) {
        g->gone = true;
        gs_machine_debug_detach(g->m);
        logf_(g, "grantsim: gdb disconnected; the run continues to its end\n");
    }
}

enum input { IN_NONE, IN_PACKET, IN_INTERRUPT, IN_CLOSED };

/*
 * Reads until a packet or an interrupt arrives (block) or the bytes at hand
 * are used up (!block). Acknowledges packets in ack mode, answers '-' with
 * the last packet again.
 */
static enum input next_input(struct gs_gdb *g, bool block)
{
    for (;;) {
        while (g->inpos < g->inlen) {
            enum gs_gdb_rx_kind k = gs_gdb_rx_byte(&g->rx, g->in[g->inpos++]);
            switch (k) {
            case GS_GDB_RX_PACKET:
                if (!g->noack)
                    send_raw(g, "+", 1);
                if (g->cfg.trace)
                    logf_(g, "gdb> %.*s\n", (int)(g->rx.len > 200 ? 200 : g->rx.len), g->rx.buf);
                return IN_PACKET;
            case GS_GDB_RX_BAD_SUM:
                if (!g->noack)
                    send_raw(g, "-", 1);
                break;
            case GS_GDB_RX_TOO_LONG:
                if (!g->noack)
                    send_raw(g, "+", 1);
                send_str(g, "E02");
                break;
            case GS_GDB_RX_INTERRUPT:
                return IN_INTERRUPT;
            case GS_GDB_RX_NACK:
                if (g->outlen && !g->noack)
                    send_raw(g, g->out, g->outlen);
                break;
            case GS_GDB_RX_ACK:
            case GS_GDB_RX_NONE:
                break;
            }
            if (g->fd < 0)
                return IN_CLOSED;
        }
        if (g->fd < 0)
            return IN_CLOSED;
        {
            ssize_t r = recv(g->fd, g->in, sizeof(g->in), block ? 0 : MSG_DONTWAIT);
            if (r < 0 && errno == EINTR)
                continue;
            if (r < 0 && !block && (errno == EAGAIN || errno == EWOULDBLOCK))
                return IN_NONE;
            if (r <= 0) {
                lost(g);
                return IN_CLOSED;
            }
            g->inpos = 0;
            g->inlen = (size_t)r;
        }
    }
}

/* ------------------------------------------------------------- threads */

static struct gs_process *proc_at(const struct gs_gdb *g, int slot)
{
    return slot >= 0 ? gs_kernel_process_at(g->k, (unsigned)slot) : NULL;
}

/* The process a register or memory command is about (Hg, else the stopped one). */
static struct gs_process *g_proc(const struct gs_gdb *g)
{
    struct gs_process *p = proc_at(g, g->g_slot);

    return p ? p : proc_at(g, g->cur.slot);
}

/* A thread id: "-1" (all), "0" (any) or hex; *slot gets slot or -1. False if malformed. */
static bool parse_tid(const char *s, const char *end, int *slot)
{
    unsigned long v = 0;

    if (end - s == 2 && s[0] == '-' && s[1] == '1') {
        *slot = -1;
        return true;
    }
    if (s == end || end - s > 8)
        return false;
    for (; s < end; s++) {
        int d = hexval((unsigned char)*s);
        if (d < 0)
            return false;
        v = v * 16 + (unsigned long)d;
    }
    if (v > GS_MAX_PROCS)
        return false;
    *slot = (int)v - 1; /* 0 (any) becomes -1 */
    return true;
}

/* ---------------------------------------------------------- stop replies */

static void put_reg(char **o, unsigned n, uint32_t v)
{
    uint8_t le[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};

    *o += sprintf(*o, "%02x:", n);
    *o += gs_gdb_hex_encode(le, 4, *o);
    *(*o)++ = ';';
}

static void send_stop_reply(struct gs_gdb *g)
{
    char buf[256], *o = buf;
    struct gs_process *p = proc_at(g, g->cur.slot);
    uint32_t r[GS_DBG_NREGS];

    o += sprintf(o, "T%02xthread:%x;", g->cur.sig, g->cur.slot + 1);
    switch (g->cur.why) {
    case WHY_BREAK:
        o += sprintf(o, "swbreak:;");
        break;
    case WHY_HWBREAK:
        o += sprintf(o, "hwbreak:;");
        break;
    case WHY_WATCH:
        o += sprintf(o, "%s:%x;",
                     g->cur.watch_kind == GS_ACC_WRITE  ? "watch"
                     : g->cur.watch_kind == GS_ACC_READ ? "rwatch"
                                                        : "awatch",
                     (unsigned)g->cur.watch_addr);
        break;
    default:
        break;
    }
    if (p && gs_machine_debug_regs(g->m, p, r) == GS_OK) {
        put_reg(&o, GS_DBG_SP, r[GS_DBG_SP]);
        put_reg(&o, GS_DBG_LR, r[GS_DBG_LR]);
        put_reg(&o, GS_DBG_PC, r[GS_DBG_PC]);
    }
    send_packet(g, buf, (size_t)(o - buf));
}

static void serve(struct gs_gdb *g);

/*
 * The target stops: gdb, which waits for a stop reply, gets `text` (if any)
 * on its console and the reply; then its packets are served until it lets
 * the target go again.
 */
static void stop(struct gs_gdb *g, const struct stop *st, const char *text)
{
    if (g->fd < 0 || !g->waiting)
        return;
    g->cur = *st;
    g->g_slot = g->c_slot = -1;
    if (text && *text)
        send_console(g, text, strlen(text));
    send_stop_reply(g);
    g->waiting = false;
    serve(g);
}

/* Queues a stop for the next run boundary. */
static void defer(struct gs_gdb *g, const struct stop *st, const char *text)
{
    struct pending *pd;

    if (g->npend == MAX_PENDING)
        return; /* gdb sees the later ones of a burst in `monitor processes` */
    pd = &g->pend[g->npend++];
    pd->st = *st;
    snprintf(pd->text, sizeof(pd->text), "%s", text ? text : "");
}

static void deliver_pending(struct gs_gdb *g)
{
    while (g->npend && g->fd >= 0 && g->waiting) {
        struct pending pd = g->pend[0];
        memmove(g->pend, g->pend + 1, (g->npend - 1) * sizeof(g->pend[0]));
        g->npend--;
        stop(g, &pd.st, pd.text);
    }
}

/* --------------------------------------------------------- symbol lines */

/* The add-symbol-file command of board app i (into buf), false if it has no ELF or process. */
static bool symbol_line(const struct gs_gdb *g, unsigned i, char *buf, size_t n)
{
    struct gs_elf_section sec[32];
    const struct gs_process *p;
    struct gs_load_error le;
    int ns;
    size_t at;

    if (i >= GS_BOARD_MAX_APPS || !g->cfg.elf[i] || !(p = gs_board_process(g->b, i)))
        return false;
    ns = gs_elf_sections(g->cfg.elf[i], g->cfg.elf_len[i], sec, 32, &le);
    if (ns <= 0)
        return false;
    at = (size_t)snprintf(buf, n, "add-symbol-file %s", g->cfg.elf_path[i]);
    /* .text first: older gdbs take the first address as the text address. */
    for (int pass = 0; pass < 2; pass++) {
        for (int s = 0; s < ns && s < 32 && at < n; s++) {
            uint32_t a;
            if ((strcmp(sec[s].name, ".text") == 0) != (pass == 0))
                continue;
            a = sec[s].flash ? gs_process_app_start(p) + (sec[s].addr - GS_ELF_FLASH_ORIGIN)
                             : p->memory_start + sec[s].addr;
            at += (size_t)snprintf(buf + at, n - at, " -s %s 0x%08x", sec[s].name, (unsigned)a);
        }
    }
    return at < n;
}

/* The app whose ELF qOffsets describes, or -1. */
static int offsets_app(const struct gs_gdb *g)
{
    if (g->cfg.offsets_app >= 0)
        return g->cfg.elf[g->cfg.offsets_app] ? g->cfg.offsets_app : -1;
    for (unsigned i = 0; i < GS_BOARD_MAX_APPS && i < g->b->napps; i++)
        if (g->cfg.elf[i] && gs_board_process(g->b, i))
            return (int)i;
    return -1;
}

/* --------------------------------------------------------------- monitor */

struct mon {
    struct gs_strbuf sb;
    struct gs_sink sink;
};

static void mon_printf(struct mon *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void mon_printf(struct mon *m, const char *fmt, ...)
{
    char small[512], *buf = small;
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof(small)) {
        buf = malloc((size_t)n + 1);
        if (!buf) {
            m->sb.oom = true;
            return;
        }
        va_start(ap, fmt);
        vsnprintf(buf, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    gs_strbuf_append(&m->sb, buf, (size_t)n);
    if (buf != small)
        free(buf);
}

/* A process named by package name or slot number; NULL + message if none. */
static struct gs_process *mon_proc(struct gs_gdb *g, struct mon *m, const char *arg)
{
    struct gs_process *p;
    char *end;
    long v;

    if (!arg || !*arg) {
        p = g_proc(g);
        if (!p)
            mon_printf(m, "no process is selected\n");
        return p;
    }
    for (unsigned i = 0; i < GS_MAX_PROCS; i++) {
        p = gs_kernel_process_at(g->k, i);
        if (p && strcmp(gs_process_name(p), arg) == 0)
            return p;
    }
    v = strtol(arg, &end, 10);
    if (!*end && v >= 0 && v < GS_MAX_PROCS && (p = gs_kernel_process_at(g->k, (unsigned)v)))
        return p;
    mon_printf(m, "no process \"%s\"; the processes are:", arg);
    for (unsigned i = 0; i < GS_MAX_PROCS; i++)
        if ((p = gs_kernel_process_at(g->k, i)))
            mon_printf(m, " %u \"%s\"", i, gs_process_name(p));
    mon_printf(m, "\n");
    return NULL;
}

static void mon_grants(struct gs_gdb *g, struct mon *m, const struct gs_process *only)
{
    for (unsigned i = 0; i < GS_MAX_PROCS; i++) {
        struct gs_process *p = gs_kernel_process_at(g->k, i);
        struct gs_layout *l = NULL;
        unsigned alloc = 0;

        if (!p || (only && p != only))
            continue;
        if (gs_layout_build(g->k, p, &l) != GS_OK) {
            mon_printf(m, "process %u: out of host memory\n", i);
            continue;
        }
        for (unsigned j = 0; j < l->ngrants; j++)
            alloc += l->grants[j].allocated;
        mon_printf(m, "process %u \"%s\" (%s): %u of %u grants allocated, kernel break 0x%08x\n", i,
                   gs_process_name(p), gs_state_name(p->state), alloc, l->ngrants,
                   (unsigned)l->kernel_break);
        for (unsigned j = 0; j < l->ngrants; j++) {
            const struct gs_layout_grant *gr = &l->grants[j];
            unsigned up = 0, ro = 0, rw = 0;
            mon_printf(m, "  grant %u driver 0x%x%s%s%s: ", gr->num, (unsigned)gr->driver,
                       gr->driver_name ? " (" : "", gr->driver_name ? gr->driver_name : "",
                       gr->driver_name ? ")" : "");
            if (!gr->allocated) {
                mon_printf(m, "not allocated\n");
                continue;
            }
            mon_printf(m, "[0x%08x, 0x%08x) %u bytes%s", (unsigned)gr->base,
                       (unsigned)(gr->base + gr->size), (unsigned)gr->size,
                       gr->entered ? ", entered" : "");
            if (gr->decoded) {
                for (unsigned u = 0; u < gr->shape.n_upcalls; u++)
                    up += gr->upcalls[u].target != GS_LT_NULL;
                for (unsigned u = 0; u < gr->shape.n_ro; u++)
                    ro += gr->ro[u].target != GS_LT_NULL;
                for (unsigned u = 0; u < gr->shape.n_rw; u++)
                    rw += gr->rw[u].target != GS_LT_NULL;
                mon_printf(m,
                           "; upcalls %u/%u set, RO allows %u/%u, RW allows %u/%u, T %u bytes at "
                           "0x%08x",
                           up, gr->shape.n_upcalls, ro, gr->shape.n_ro, rw, gr->shape.n_rw,
                           (unsigned)gr->shape.t_size, (unsigned)gr->t_addr);
            }
            mon_printf(m, "\n");
        }
        if (l->ncustom)
            mon_printf(m, "  %u custom grant%s\n", l->ncustom, l->ncustom == 1 ? "" : "s");
        gs_layout_free(l);
    }
}

static void mon_processes(struct gs_gdb *g, struct mon *m)
{
    for (unsigned i = 0; i < GS_MAX_PROCS; i++) {
        struct gs_process *p = gs_kernel_process_at(g->k, i);
        char state[160];
        if (!p)
            continue;
        gs_format_state(p, state, sizeof(state));
        mon_printf(m,
                   "thread %u: process %u \"%s\" %s, flash [0x%08x, 0x%08x), RAM [0x%08x, "
                   "0x%08x), app break 0x%08x, %llu syscalls, %u restarts\n",
                   i + 1, i, gs_process_name(p), state, (unsigned)p->app.flash_start,
                   (unsigned)(p->app.flash_start + p->app.flash_len), (unsigned)p->memory_start,
                   (unsigned)(p->memory_start + p->memory_len), (unsigned)p->app_break,
                   (unsigned long long)p->syscall_count, p->restart_count);
    }
}

static void mon_symbols(struct gs_gdb *g, struct mon *m)
{
    char line[1024];
    bool any = false;

    for (unsigned i = 0; i < g->b->napps; i++) {
        if (symbol_line(g, i, line, sizeof(line))) {
            mon_printf(m, "%s\n", line);
            any = true;
        }
    }
    if (!any)
        mon_printf(m, "no process runs an ELF with symbols\n");
}

static const char mon_help[] =
    "grantsim monitor commands (process: package name or slot; default: the selected thread):\n"
    "  layout [PROCESS]     the memory map (grantsim layout) of the live process\n"
    "  explain ADDR         what lives at ADDR and which process can reach it\n"
    "  grants [PROCESS]     the grants of every process (or one)\n"
    "  fault [PROCESS]      the fault report of the process's last fault\n"
    "  processes            every process: state, memory, syscalls\n"
    "  symbols              the add-symbol-file command of every process with an ELF\n"
    "  stop-on-exit on|off  stop when a process exits or restarts (default on)\n";

static void monitor(struct gs_gdb *g, char *cmd, struct mon *m)
{
    char *arg, *end;

    while (*cmd == ' ')
        cmd++;
    end = cmd + strlen(cmd);
    while (end > cmd && (end[-1] == ' ' || end[-1] == '\n'))
        *--end = '\0';
    arg = strchr(cmd, ' ');
    if (arg) {
        *arg++ = '\0';
        while (*arg == ' ')
            arg++;
    }
    if (!strcmp(cmd, "layout")) {
        struct gs_process *p = mon_proc(g, m, arg);
        struct gs_layout *l = NULL;
        if (!p)
            return;
        if (gs_layout_build(g->k, p, &l) != GS_OK) {
            mon_printf(m, "out of host memory\n");
            return;
        }
        gs_layout_print_text(l, &m->sink);
        gs_layout_free(l);
    } else if (!strcmp(cmd, "explain")) {
        struct gs_explain e;
        unsigned long long v;
        char *e_end;
        if (!arg || !*arg) {
            mon_printf(m, "explain needs an address (decimal or 0x hex)\n");
            return;
        }
        errno = 0;
        v = strtoull(arg, &e_end, 0);
        if (errno || *e_end || v > 0xFFFFFFFFull || *arg == '-') {
            mon_printf(m, "\"%s\" is not a 32-bit address (decimal or 0x hex)\n", arg);
            return;
        }
        gs_explain(g->k, (uint32_t)v, &e);
        gs_explain_print_text(&e, &m->sink);
    } else if (!strcmp(cmd, "grants")) {
        struct gs_process *p = NULL;
        if (arg && *arg && !(p = mon_proc(g, m, arg)))
            return;
        mon_grants(g, m, p);
    } else if (!strcmp(cmd, "fault")) {
        struct gs_process *p = mon_proc(g, m, arg);
        if (p)
            gs_print_fault_report(p, &m->sink);
    } else if (!strcmp(cmd, "processes") || !strcmp(cmd, "ps")) {
        mon_processes(g, m);
    } else if (!strcmp(cmd, "symbols")) {
        mon_symbols(g, m);
    } else if (!strcmp(cmd, "stop-on-exit")) {
        if (arg && !strcmp(arg, "on"))
            g->stop_on_exit = true;
        else if (arg && !strcmp(arg, "off"))
            g->stop_on_exit = false;
        mon_printf(m, "stop-on-exit is %s\n", g->stop_on_exit ? "on" : "off");
    } else if (!strcmp(cmd, "help") || !*cmd) {
        mon_printf(m, "%s", mon_help);
    } else {
        mon_printf(m, "unknown monitor command \"%s\"\n%s", cmd, mon_help);
    }
}

/* qRcmd,HEX: the output as O packets, then OK. */
static void do_rcmd(struct gs_gdb *g, const char *hex, size_t n)
{
    uint8_t cmd[1024];
    long len = gs_gdb_hex_decode(hex, n, cmd, sizeof(cmd) - 1);
    struct mon m;

    if (len < 0) {
        send_str(g, "E01");
        return;
    }
    cmd[len] = '\0';
    if (memchr(cmd, 0, (size_t)len)) {
        send_str(g, "E01");
        return;
    }
    memset(&m, 0, sizeof(m));
    gs_strbuf_sink(&m.sb, &m.sink, false);
    monitor(g, (char *)cmd, &m);
    if (m.sb.oom)
        send_console(g, "grantsim: out of host memory\n", 29);
    else if (m.sb.len)
        send_console(g, m.sb.data, m.sb.len);
    gs_strbuf_free(&m.sb);
    send_str(g, "OK");
}

/* ----------------------------------------------------------------- qXfer */

static const char target_xml[] = "<?xml version=\"1.0\"?>\n"
                                 "<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
                                 "<target version=\"1.0\">\n"
                                 "  <architecture>arm</architecture>\n"
                                 "  <feature name=\"org.gnu.gdb.arm.m-profile\">\n"
                                 "    <reg name=\"r0\" bitsize=\"32\" regnum=\"0\"/>\n"
                                 "    <reg name=\"r1\" bitsize=\"32\"/>\n"
                                 "    <reg name=\"r2\" bitsize=\"32\"/>\n"
                                 "    <reg name=\"r3\" bitsize=\"32\"/>\n"
                                 "    <reg name=\"r4\" bitsize=\"32\"/>\n"
                                 "    <reg name=\"r5\" bitsize=\"32\"/>\n"
                                 "    <reg name=\"r6\" bitsize=\"32\"/>\n"
                                 "    <reg name=\"r7\" bitsize=\"32\"/>\n"
                                 "    <reg name=\"r8\" bitsize=\"32\"/>\n"
                                 "    <reg name=\"r9\" bitsize=\"32\"/>\n"
                                 "    <reg name=\"r10\" bitsize=\"32\"/>\n"
                                 "    <reg name=\"r11\" bitsize=\"32\"/>\n"
                                 "    <reg name=\"r12\" bitsize=\"32\"/>\n"
                                 "    <reg name=\"sp\" bitsize=\"32\" type=\"data_ptr\"/>\n"
                                 "    <reg name=\"lr\" bitsize=\"32\"/>\n"
                                 "    <reg name=\"pc\" bitsize=\"32\" type=\"code_ptr\"/>\n"
                                 "    <reg name=\"xpsr\" bitsize=\"32\" regnum=\"16\"/>\n"
                                 "  </feature>\n"
                                 "</target>\n";

static void xml_escaped(struct gs_strbuf *sb, const char *s)
{
    for (; *s; s++) {
        const char *r = NULL;
        switch (*s) {
        case '&':
            r = "&amp;";
            break;
        case '<':
            r = "&lt;";
            break;
        case '>':
            r = "&gt;";
            break;
        case '"':
            r = "&quot;";
            break;
        default:
            break;
        }
        if (r)
            gs_strbuf_append(sb, r, strlen(r));
        else if ((unsigned char)*s >= 0x20)
            gs_strbuf_append(sb, s, 1);
    }
}

static void threads_xml(struct gs_gdb *g, struct gs_strbuf *sb)
{
    static const char head[] = "<?xml version=\"1.0\"?>\n<threads>\n";
    char buf[64], state[160];

    gs_strbuf_append(sb, head, sizeof(head) - 1);
    for (unsigned i = 0; i < GS_MAX_PROCS; i++) {
        struct gs_process *p = gs_kernel_process_at(g->k, i);
        if (!p)
            continue;
        snprintf(buf, sizeof(buf), "  <thread id=\"%x\" name=\"", i + 1);
        gs_strbuf_append(sb, buf, strlen(buf));
        xml_escaped(sb, gs_process_name(p));
        gs_strbuf_append(sb, "\">", 2);
        gs_format_state(p, state, sizeof(state));
        xml_escaped(sb, state);
        gs_strbuf_append(sb, "</thread>\n", 10);
    }
    gs_strbuf_append(sb, "</threads>\n", 11);
}

/* Sends the [off, off + len) part of doc as qXfer wants it ('m' more, 'l' last). */
static void send_xfer(struct gs_gdb *g, const char *doc, size_t n, unsigned long off,
                      unsigned long len)
{
    size_t used = 0, w;

    if (off >= n) {
        send_str(g, "l");
        return;
    }
    if (len > GS_GDB_PACKET_MAX - 1)
        len = GS_GDB_PACKET_MAX - 1;
    w = gs_gdb_escape((const uint8_t *)doc + off, n - off < len ? n - off : len, g->reply + 1, len,
                      &used);
    g->reply[0] = off + used >= n ? 'l' : 'm';
    send_packet(g, g->reply, w + 1);
}

/* Parses "OFF,LEN" (hex) at s. */
static bool parse_off_len(const char *s, unsigned long *off, unsigned long *len)
{
    char *e;

    errno = 0;
    *off = strtoul(s, &e, 16);
    if (e == s || *e != ',' || errno)
        return false;
    s = e + 1;
    *len = strtoul(s, &e, 16);
    return e != s && *e == '\0' && !errno;
}

static void do_xfer(struct gs_gdb *g, const char *args)
{
    unsigned long off, len;

    if (!strncmp(args, "features:read:target.xml:", 25)) {
        if (!parse_off_len(args + 25, &off, &len)) {
            send_str(g, "E01");
            return;
        }
        send_xfer(g, target_xml, sizeof(target_xml) - 1, off, len);
    } else if (!strncmp(args, "features:read:", 14)) {
        send_str(g, "E00"); /* no other annex */
    } else if (!strncmp(args, "exec-file:read:", 15)) {
        /* The ELF qOffsets describes: gdb loads it when it was given no file. */
        const char *annex = args + 15, *rest = strchr(annex, ':');
        int a = offsets_app(g);
        if (!rest || !parse_off_len(rest + 1, &off, &len)) {
            send_str(g, "E01");
            return;
        }
        if (a < 0) {
            send_str(g, "E00");
            return;
        }
        send_xfer(g, g->cfg.elf_path[a], strlen(g->cfg.elf_path[a]), off, len);
    } else if (!strncmp(args, "threads:read::", 14)) {
        struct gs_strbuf sb;
        if (!parse_off_len(args + 14, &off, &len)) {
            send_str(g, "E01");
            return;
        }
        memset(&sb, 0, sizeof(sb));
        threads_xml(g, &sb);
        if (sb.oom)
            send_str(g, "E01");
        else
            send_xfer(g, sb.data, sb.len, off, len);
        gs_strbuf_free(&sb);
    } else {
        send_str(g, ""); /* not supported */
    }
}

/* ------------------------------------------------------------- commands */

/* "ADDR,LEN" in hex, ending at stop (':' or '\0'); *rest after it. */
static bool parse_addr_len(const char *s, char stopc, uint32_t *addr, uint32_t *len,
                           const char **rest)
{
    unsigned long long a, l;
    char *e;

    errno = 0;
    a = strtoull(s, &e, 16);
    if (e == s || *e != ',' || errno || a > 0xFFFFFFFFull || *s == '-')
        return false;
    s = e + 1;
    l = strtoull(s, &e, 16);
    if (e == s || *e != stopc || errno || l > 0xFFFFFFFFull || *s == '-')
        return false;
    *addr = (uint32_t)a;
    *len = (uint32_t)l;
    if (rest)
        *rest = *e ? e + 1 : e;
    return true;
}

/* A 32-bit register value as gdb sends it: 8 hex digits, target (little-endian) order. */
static bool parse_reg_value(const char *s, size_t n, uint32_t *v)
{
    uint8_t b[4];

    if (n != 8 || gs_gdb_hex_decode(s, 8, b, 4) != 4)
        return false;
    *v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return true;
}

static void do_read_regs(struct gs_gdb *g)
{
    struct gs_process *p = g_proc(g);
    uint32_t r[GS_DBG_NREGS];
    char *o = g->reply;

    if (!p || gs_machine_debug_regs(g->m, p, r) != GS_OK) {
        send_str(g, "E01");
        return;
    }
    for (unsigned i = 0; i < GS_DBG_NREGS; i++) {
        uint8_t le[4] = {(uint8_t)r[i], (uint8_t)(r[i] >> 8), (uint8_t)(r[i] >> 16),
                         (uint8_t)(r[i] >> 24)};
        o += gs_gdb_hex_encode(le, 4, o);
    }
    send_packet(g, g->reply, (size_t)(o - g->reply));
}

static void do_write_regs(struct gs_gdb *g, const char *s, size_t n)
{
    struct gs_process *p = g_proc(g);
    uint32_t cur[GS_DBG_NREGS], v[GS_DBG_NREGS];

    if (!p || n != 8 * GS_DBG_NREGS || gs_machine_debug_regs(g->m, p, cur) != GS_OK) {
        send_str(g, "E01");
        return;
    }
    for (unsigned i = 0; i < GS_DBG_NREGS; i++) {
        if (!parse_reg_value(s + 8 * i, 8, &v[i])) {
            send_str(g, "E01");
            return;
        }
    }
    /* sp first: a stored frame moves with it, and the other writes go to the moved frame. */
    if (v[GS_DBG_SP] != cur[GS_DBG_SP] &&
        gs_machine_debug_set_reg(g->m, p, GS_DBG_SP, v[GS_DBG_SP]) != GS_OK) {
        send_str(g, "E01");
        return;
    }
    for (unsigned i = 0; i < GS_DBG_NREGS; i++) {
        if (i == GS_DBG_SP || v[i] == cur[i])
            continue;
        if (gs_machine_debug_set_reg(g->m, p, i, v[i]) != GS_OK) {
            send_str(g, "E01");
            return;
        }
    }
    send_str(g, "OK");
}

static void do_read_reg(struct gs_gdb *g, const char *s)
{
    struct gs_process *p = g_proc(g);
    uint32_t r[GS_DBG_NREGS];
    unsigned long n;
    char *e;
    uint8_t le[4];

    errno = 0;
    n = strtoul(s, &e, 16);
    if (e == s || *e || errno || !p) {
        send_str(g, "E01");
        return;
    }
    if (n >= GS_DBG_NREGS || gs_machine_debug_regs(g->m, p, r) != GS_OK) {
        send_str(g, "E00"); /* not a register of the description */
        return;
    }
    le[0] = (uint8_t)r[n];
    le[1] = (uint8_t)(r[n] >> 8);
    le[2] = (uint8_t)(r[n] >> 16);
    le[3] = (uint8_t)(r[n] >> 24);
    send_packet(g, g->reply, gs_gdb_hex_encode(le, 4, g->reply));
}

static void do_write_reg(struct gs_gdb *g, const char *s)
{
    struct gs_process *p = g_proc(g);
    unsigned long n;
    uint32_t v;
    char *e;

    errno = 0;
    n = strtoul(s, &e, 16);
    if (e == s || *e != '=' || errno || !p || n >= GS_DBG_NREGS ||
        !parse_reg_value(e + 1, strlen(e + 1), &v) ||
        gs_machine_debug_set_reg(g->m, p, (unsigned)n, v) != GS_OK) {
        send_str(g, "E01");
        return;
    }
    send_str(g, "OK");
}

static void do_read_mem(struct gs_gdb *g, const char *s)
{
    uint8_t buf[(GS_GDB_PACKET_MAX - 1) / 2];
    uint32_t addr, len, got;

    if (!parse_addr_len(s, '\0', &addr, &len, NULL)) {
        send_str(g, "E01");
        return;
    }
    if (len > sizeof(buf))
        len = sizeof(buf); /* a short read is allowed; gdb asks for the rest */
    if (len == 0) {
        send_str(g, "");
        return;
    }
    got = gs_machine_debug_read(g->m, addr, buf, len);
    if (!got) {
        send_str(g, "E01"); /* not simulated memory */
        return;
    }
    send_packet(g, g->reply, gs_gdb_hex_encode(buf, got, g->reply));
}

static void do_write_mem(struct gs_gdb *g, const char *s, size_t n, bool binary)
{
    uint8_t buf[GS_GDB_PACKET_MAX];
    uint32_t addr, len;
    const char *data;
    long got;

    if (!parse_addr_len(s, ':', &addr, &len, &data)) {
        send_str(g, "E01");
        return;
    }
    if (binary)
        got = gs_gdb_unescape(data, n - (size_t)(data - s), buf, sizeof(buf));
    else
        got = gs_gdb_hex_decode(data, n - (size_t)(data - s), buf, sizeof(buf));
    if (got < 0 || (uint32_t)got != len) {
        send_str(g, "E01");
        return;
    }
    send_str(g, gs_machine_debug_write(g->m, addr, buf, len) == GS_OK ? "OK" : "E01");
}

static bool is_hw_break(const struct gs_gdb *g, uint32_t addr)
{
    for (unsigned i = 0; i < g->nhw; i++)
        if (g->hw_breaks[i] == addr)
            return true;
    return false;
}

static void do_point(struct gs_gdb *g, const char *s, bool insert)
{
    uint32_t addr, kind;
    unsigned type = (unsigned)(s[0] - '0');
    int r;

    if (s[0] < '0' || s[0] > '4' || s[1] != ',') {
        send_str(g, ""); /* a kind of point this stub does not have */
        return;
    }
    if (!parse_addr_len(s + 2, '\0', &addr, &kind, NULL)) {
        /* "Z0,addr,kind;cond..." (target-side conditions) are not advertised */
        send_str(g, "E01");
        return;
    }
    if (type <= 1) {
        r = gs_machine_debug_break(g->m, addr & ~1u, insert);
        if (r == GS_OK && type == 1) {
            if (insert && g->nhw < GS_DBG_MAX_BREAKS) {
                g->hw_breaks[g->nhw++] = addr & ~1u;
            } else if (!insert) {
                for (unsigned i = 0; i < g->nhw; i++) {
                    if (g->hw_breaks[i] == (addr & ~1u)) {
                        g->hw_breaks[i] = g->hw_breaks[--g->nhw];
                        break;
                    }
                }
            }
        }
    } else {
        unsigned acc = type == 2   ? GS_ACC_WRITE
                       : type == 3 ? GS_ACC_READ
                                   : GS_ACC_READ | GS_ACC_WRITE;
        r = gs_machine_debug_watch(g->m, addr, kind, acc, insert);
    }
    send_str(g, r == GS_OK ? "OK" : "E01");
}

static void do_query(struct gs_gdb *g, char *q, size_t n)
{
    if (!strncmp(q, "qSupported", 10)) {
        snprintf(g->reply, sizeof(g->reply),
                 "PacketSize=%x;QStartNoAckMode+;qXfer:features:read+;qXfer:threads:read+;"
                 "qXfer:exec-file:read+;vContSupported+;swbreak+;hwbreak+",
                 GS_GDB_PACKET_MAX);
        send_str(g, g->reply);
    } else if (!strcmp(q, "QStartNoAckMode")) {
        send_str(g, "OK"); /* acknowledged in ack mode, then none */
        g->noack = true;
    } else if (!strncmp(q, "qXfer:", 6)) {
        do_xfer(g, q + 6);
    } else if (!strcmp(q, "qC")) {
        snprintf(g->reply, sizeof(g->reply), "QC%x", g->cur.slot + 1);
        send_str(g, g->reply);
    } else if (!strcmp(q, "qfThreadInfo")) {
        char *o = g->reply;
        *o++ = 'm';
        for (unsigned i = 0; i < GS_MAX_PROCS; i++)
            if (gs_kernel_process_at(g->k, i))
                o += sprintf(o, "%s%x", o == g->reply + 1 ? "" : ",", i + 1);
        if (o == g->reply + 1)
            send_str(g, "l");
        else
            send_packet(g, g->reply, (size_t)(o - g->reply));
    } else if (!strcmp(q, "qsThreadInfo")) {
        send_str(g, "l");
    } else if (!strncmp(q, "qThreadExtraInfo,", 17)) {
        int slot;
        struct gs_process *p;
        char state[160];
        if (!parse_tid(q + 17, q + n, &slot) || !(p = proc_at(g, slot))) {
            send_str(g, "E01");
            return;
        }
        gs_format_state(p, state, sizeof(state));
        send_packet(g, g->reply, gs_gdb_hex_encode(state, strlen(state), g->reply));
    } else if (!strcmp(q, "qAttached") || !strncmp(q, "qAttached:", 10)) {
        send_str(g, "1"); /* the target exists without gdb: quitting detaches */
    } else if (!strcmp(q, "qOffsets")) {
        int a = offsets_app(g);
        const struct gs_process *p = a >= 0 ? gs_board_process(g->b, (unsigned)a) : NULL;
        if (!p) {
            send_str(g, "");
            return;
        }
        /* The ELF's flash is linked at 0x80000000, its RAM at 0 (apps/README.md): the
         * text offset is negative, as a 64-bit two's complement (gdb adds offsets in
         * CORE_ADDR, 64 bits, and the sum wraps back to the 32-bit address). */
        snprintf(g->reply, sizeof(g->reply), "Text=%llx;Data=%x;Bss=%x",
                 (unsigned long long)((uint64_t)gs_process_app_start(p) - GS_ELF_FLASH_ORIGIN),
                 (unsigned)p->memory_start, (unsigned)p->memory_start);
        send_str(g, g->reply);
    } else if (!strncmp(q, "qSymbol", 7)) {
        send_str(g, "OK");
    } else if (!strncmp(q, "qRcmd,", 6)) {
        do_rcmd(g, q + 6, n - 6);
    } else {
        send_str(g, ""); /* qTStatus, qL, qHostInfo, ...: not supported */
    }
}

enum act { ACT_STAY, ACT_RESUME, ACT_GONE };

/* Lets the target go; step: the process to stop again before its next instruction. */
static enum act resume(struct gs_gdb *g, struct gs_process *step)
{
    gs_machine_debug_resume(g->m, step);
    g->waiting = true;
    return ACT_RESUME;
}

/* "c [addr]", "s [addr]" and their signal forms: the optional new PC. */
static enum act do_continue(struct gs_gdb *g, const char *s, bool step, bool sig)
{
    struct gs_process *p = proc_at(g, g->c_slot);
    char *e;

    if (!p)
        p = proc_at(g, g->cur.slot);
    if (sig) { /* "Csig[;addr]": the signal is dropped (nothing delivers signals here) */
        if (hexval((unsigned char)s[0]) < 0 || hexval((unsigned char)s[1]) < 0) {
            send_str(g, "E01");
            return ACT_STAY;
        }
        s += 2;
        if (*s == ';')
            s++;
        else if (*s) {
            send_str(g, "E01");
            return ACT_STAY;
        }
    }
    if (*s) {
        unsigned long long a;
        errno = 0;
        a = strtoull(s, &e, 16);
        if (*e || errno || a > 0xFFFFFFFFull || !p ||
            gs_machine_debug_set_reg(g->m, p, GS_DBG_PC, (uint32_t)a) != GS_OK) {
            send_str(g, "E01");
            return ACT_STAY;
        }
    }
    return resume(g, step ? p : NULL);
}

/* vCont;ACTION[:TID]...: the stepped thread (the first s/S); every other one continues. */
static enum act do_vcont(struct gs_gdb *g, char *s)
{
    struct gs_process *step = NULL;
    bool any = false;

    while (*s == ';') {
        char *a = s + 1, *next = strchr(a, ';'), *colon;
        int slot = -1;
        char act;
        if (!next)
            next = a + strlen(a);
        colon = memchr(a, ':', (size_t)(next - a));
        act = *a;
        if (act == 'C' || act == 'S') {
            if (next - a < 3 || hexval((unsigned char)a[1]) < 0 ||
                hexval((unsigned char)a[2]) < 0) {
                send_str(g, "E01");
                return ACT_STAY;
            }
        } else if (act != 'c' && act != 's') {
            send_str(g, "E01"); /* t, r: not offered in vCont? */
            return ACT_STAY;
        }
        if (colon && !parse_tid(colon + 1, next, &slot)) {
            send_str(g, "E01");
            return ACT_STAY;
        }
        if ((act == 's' || act == 'S') && !step) {
            step = slot >= 0 ? proc_at(g, slot) : proc_at(g, g->cur.slot);
            if (!step) {
                send_str(g, "E01");
                return ACT_STAY;
            }
        }
        any = true;
        s = next;
    }
    if (!any || *s) {
        send_str(g, "E01");
        return ACT_STAY;
    }
    return resume(g, step);
}

static void do_kill(struct gs_gdb *g)
{
    g->killed = true;
    gs_machine_debug_kill(g->m);
    gs_machine_debug_detach(g->m);
    gs_kernel_request_stop(g->k);
    logf_(g, "grantsim: gdb killed the run\n");
    if (g->fd >= 0) {
        close(g->fd);
        g->fd = -1;
    }
    g->waiting = false;
}

static enum act handle(struct gs_gdb *g, char *pkt, size_t n)
{
    int slot;

    switch (pkt[0]) {
    case '?':
        send_stop_reply(g);
        return ACT_STAY;
    case 'q':
    case 'Q':
        do_query(g, pkt, n);
        return ACT_STAY;
    case 'H':
        if ((pkt[1] != 'g' && pkt[1] != 'c') || !parse_tid(pkt + 2, pkt + n, &slot) ||
            (slot >= 0 && !proc_at(g, slot))) {
            send_str(g, "E01");
            return ACT_STAY;
        }
        if (pkt[1] == 'g')
            g->g_slot = slot;
        else
            g->c_slot = slot;
        send_str(g, "OK");
        return ACT_STAY;
    case 'T':
        send_str(g, parse_tid(pkt + 1, pkt + n, &slot) && proc_at(g, slot) ? "OK" : "E01");
        return ACT_STAY;
    case 'g':
        if (n != 1) {
            send_str(g, "E01");
            return ACT_STAY;
        }
        do_read_regs(g);
        return ACT_STAY;
    case 'G':
        do_write_regs(g, pkt + 1, n - 1);
        return ACT_STAY;
    case 'p':
        do_read_reg(g, pkt + 1);
        return ACT_STAY;
    case 'P':
        do_write_reg(g, pkt + 1);
        return ACT_STAY;
    case 'm':
        do_read_mem(g, pkt + 1);
        return ACT_STAY;
    case 'M':
        do_write_mem(g, pkt + 1, n - 1, false);
        return ACT_STAY;
    case 'X':
        do_write_mem(g, pkt + 1, n - 1, true);
        return ACT_STAY;
    case 'Z':
    case 'z':
        do_point(g, pkt + 1, pkt[0] == 'Z');
        return ACT_STAY;
    case 'c':
        return do_continue(g, pkt + 1, false, false);
    case 'C':
        return do_continue(g, pkt + 1, false, true);
    case 's':
        return do_continue(g, pkt + 1, true, false);
    case 'S':
        return do_continue(g, pkt + 1, true, true);
    case 'v':
        if (!strcmp(pkt, "vCont?")) {
            send_str(g, "vCont;c;C;s;S");
        } else if (!strncmp(pkt, "vCont;", 6)) {
            return do_vcont(g, pkt + 5);
        } else if (!strncmp(pkt, "vKill", 5)) {
            send_str(g, "OK");
            do_kill(g);
            return ACT_GONE;
        } else {
            send_str(g, ""); /* vMustReplyEmpty, vFile, vRun, ...: not supported */
        }
        return ACT_STAY;
    case 'D':
        send_str(g, "OK");
        logf_(g, "grantsim: gdb detached; the run continues to its end\n");
        gs_machine_debug_detach(g->m);
        g->gone = true;
        if (g->fd >= 0) {
            close(g->fd);
            g->fd = -1;
        }
        g->waiting = false;
        return ACT_GONE;
    case 'k':
        do_kill(g);
        return ACT_GONE;
    default:
        send_str(g, ""); /* unknown: the empty reply says "not supported" */
        return ACT_STAY;
    }
}

static void serve(struct gs_gdb *g)
{
    while (g->fd >= 0) {
        enum input in = next_input(g, true);
        if (in == IN_CLOSED)
            return;
        if (in != IN_PACKET)
            continue; /* an interrupt while stopped means nothing */
        if (g->rx.len == 0) {
            send_str(g, "");
            continue;
        }
        if (handle(g, g->rx.buf, g->rx.len) != ACT_STAY)
            return;
    }
}

/* ------------------------------------------------------------- events */

static int fault_signal(enum gs_fault_kind k)
{
    switch (k) {
    case GS_FAULT_UNDEFINED:
    case GS_FAULT_INVALID_STATE:
        return SIG_ILL;
    case GS_FAULT_BKPT:
        return SIG_TRAP;
    case GS_FAULT_BAD_SYSCALL:
        return SIG_SYS;
    default:
        return SIG_SEGV; /* MemManage: the MPU (and the kernel's stack check) */
    }
}

/* The first run boundary: the symbol lines, the listening line, gdb connects. */
static void first_stop(struct gs_gdb *g, struct gs_process *p)
{
    char line[1024];
    int one = 1;

    g->started = true;
    for (unsigned i = 0; i < g->b->napps; i++)
        if (symbol_line(g, i, line, sizeof(line)))
            logf_(g, "%s\n", line);
    logf_(g, "grantsim: gdb stub listening on 127.0.0.1:%u\n", g->cfg.port);
    for (;;) {
        g->fd = accept(g->lfd, NULL, NULL);
        if (g->fd >= 0 || errno != EINTR)
            break;
    }
    close(g->lfd);
    g->lfd = -1;
    if (g->fd < 0) {
        logf_(g, "grantsim: accepting gdb's connection failed: %s\n", strerror(errno));
        g->gone = true;
        gs_machine_debug_detach(g->m);
        return;
    }
    setsockopt(g->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    logf_(g, "grantsim: gdb connected\n");
    g->cur.slot = (int)p->index;
    g->cur.sig = SIG_TRAP;
    g->cur.why = WHY_FIRST;
    g->waiting = false;
    serve(g);
}

/* While the target runs: gdb's interrupt, looked for now and then. */
static void poll_interrupt(struct gs_gdb *g, struct gs_process *p)
{
    uint64_t now = g->k->now;

    if (++g->runs % POLL_RUNS && now - g->last_poll < POLL_INSNS)
        return;
    g->last_poll = now;
    for (;;) {
        enum input in = next_input(g, false);
        if (in == IN_INTERRUPT) {
            struct stop st = {.slot = (int)p->index, .sig = SIG_INT, .why = WHY_INTERRUPT};
            stop(g, &st, NULL);
            return;
        }
        if (in != IN_PACKET)
            return; /* nothing more, or gdb left */
        /* A packet while running is not all-stop protocol: say so and go on. */
        send_str(g, "E01");
    }
}

static void on_machine(void *ctx, struct gs_process *p, const struct gs_dbg_event *ev)
{
    struct gs_gdb *g = ctx;

    if (!g->started) {
        if (ev->where == GS_DBG_RUN_BEGIN)
            first_stop(g, p);
        return;
    }
    if (g->fd < 0)
        return;
    switch (ev->where) {
    case GS_DBG_INSN: {
        struct stop st = {.slot = (int)p->index, .sig = SIG_TRAP};
        if (ev->reason == GS_DBG_WATCH) {
            st.why = WHY_WATCH;
            st.watch_addr = ev->watch_addr;
            st.watch_kind = ev->watch_kind;
        } else if (ev->reason == GS_DBG_BREAK) {
            st.why = is_hw_break(g, ev->pc) ? WHY_HWBREAK : WHY_BREAK;
        } else {
            st.why = WHY_STEP;
        }
        stop(g, &st, NULL);
        break;
    }
    case GS_DBG_RUN_END:
        if (ev->reason == GS_DBG_WATCH) {
            struct stop st = {.slot = (int)p->index,
                              .sig = SIG_TRAP,
                              .why = WHY_WATCH,
                              .watch_addr = ev->watch_addr,
                              .watch_kind = ev->watch_kind};
            stop(g, &st, NULL);
        }
        deliver_pending(g);
        break;
    case GS_DBG_RUN_BEGIN:
        deliver_pending(g);
        if (g->fd >= 0 && g->waiting)
            poll_interrupt(g, p);
        break;
    }
}

static void on_event(void *ctx, const struct gs_event *ev)
{
    struct gs_gdb *g = ctx;
    const struct gs_process *p = ev->p;
    char text[320];

    if (!g->started || g->fd < 0 || !g->waiting)
        return;
    switch (ev->kind) {
    case GS_EV_CONSOLE:
        if (ev->text)
            send_console(g, ev->text, ev->a);
        break;
    case GS_EV_FAULT: {
        struct stop st;
        struct gs_strbuf sb;
        struct gs_sink sink;
        if (!p)
            break;
        st.slot = (int)p->index;
        st.sig = fault_signal((enum gs_fault_kind)ev->a);
        st.why = WHY_KERNEL;
        st.watch_addr = 0;
        st.watch_kind = 0;
        memset(&sb, 0, sizeof(sb));
        gs_strbuf_sink(&sb, &sink, false);
        gs_print_fault_report(p, &sink);
        if (g->k->running) {
            /* Inside a run (a kernel-detected fault in an inline syscall): at its end. */
            snprintf(text, sizeof(text), "grantsim: process %u \"%s\" faulted (monitor fault)\n",
                     p->index, gs_process_name(p));
            defer(g, &st, text);
        } else {
            stop(g, &st, sb.oom ? NULL : sb.data);
        }
        gs_strbuf_free(&sb);
        break;
    }
    case GS_EV_TERMINATED:
    case GS_EV_RESTARTED: {
        struct stop st = {.slot = p ? (int)p->index : 0, .sig = SIG_TRAP, .why = WHY_KERNEL};
        if (!p || !g->stop_on_exit)
            break;
        if (ev->kind == GS_EV_TERMINATED && ev->b)
            snprintf(text, sizeof(text),
                     "grantsim: process %u \"%s\" terminated, completion code %u\n", p->index,
                     gs_process_name(p), (unsigned)ev->a);
        else if (ev->kind == GS_EV_TERMINATED)
            snprintf(text, sizeof(text), "grantsim: process %u \"%s\" terminated\n", p->index,
                     gs_process_name(p));
        else
            snprintf(text, sizeof(text), "grantsim: process %u \"%s\" restarted (restart %u)\n",
                     p->index, gs_process_name(p), (unsigned)ev->a);
        defer(g, &st, text);
        break;
    }
    case GS_EV_PANIC:
        snprintf(text, sizeof(text), "grantsim: kernel panic: %s\n", ev->text ? ev->text : "");
        send_console(g, text, strlen(text));
        break;
    case GS_EV_FINDING:
        if (ev->finding) {
            snprintf(text, sizeof(text), "grantsim: oracle finding: %s\n", ev->finding->text);
            send_console(g, text, strlen(text));
        }
        break;
    default:
        break;
    }
}

int gs_gdb_attach(struct gs_gdb *g, struct gs_board *b)
{
    int r;

    if (!g || !b)
        return GS_E_ARG;
    if (g->b)
        return GS_E_STATE;
    r = gs_machine_debug_attach(b->machine, on_machine, g);
    if (r)
        return r;
    r = gs_kernel_add_observer(b->k, on_event, g);
    if (r) {
        gs_machine_debug_detach(b->machine);
        return r;
    }
    g->b = b;
    g->k = b->k;
    g->m = b->machine;
    return GS_OK;
}

enum gs_gdb_end gs_gdb_finish(struct gs_gdb *g, int exit_code, const char *text)
{
    char w[8];

    if (!g->started)
        return GS_GDB_NEVER;
    if (g->killed)
        return GS_GDB_KILLED;
    /* Stops still queued (an exit at the very end) come before the end. */
    deliver_pending(g);
    if (g->fd >= 0 && g->waiting) {
        if (text && *text)
            send_console(g, text, strlen(text));
        snprintf(w, sizeof(w), "W%02x", exit_code & 0xFF);
        send_str(g, w);
        /* gdb closes the connection when its inferior exits; give it the chance. */
        if (g->fd >= 0) {
            struct pollfd pf = {.fd = g->fd, .events = POLLIN};
            shutdown(g->fd, SHUT_WR);
            while (poll(&pf, 1, 5000) > 0 && recv(g->fd, g->in, sizeof(g->in), 0) > 0)
                ;
        }
    }
    if (g->fd >= 0) {
        close(g->fd);
        g->fd = -1;
    }
    if (g->killed)
        return GS_GDB_KILLED;
    return GS_GDB_EXITED;
}
