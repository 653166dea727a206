/* SPDX-License-Identifier: MIT */
/*
 * gdbstub.h - a GDB remote serial protocol stub for a simulated board
 * (`grantsim gdb`, docs/gdb.md).
 *
 * gdb (gdb-multiarch, arm-none-eabi-gdb) connects over TCP to 127.0.0.1 and
 * sees the board as one Cortex-M target whose threads are the processes:
 * thread id = process slot + 1, named by the package name. Registers are
 * the M-profile set (r0-r12, sp = the process stack pointer, lr, pc, xpsr;
 * target description feature org.gnu.gdb.arm.m-profile); memory is RAM and
 * flash as a debug probe reads them; breakpoints, watchpoints and single
 * steps are the machine's debugger hooks (machine.h, Debugging). The stub
 * serves gdb synchronously: when the simulated CPU stops, the machine calls
 * the stub, which answers packets until gdb resumes; nothing in the
 * simulation depends on the host's clock, so the same gdb commands give the
 * same stops. `monitor` commands print grantsim's own reports of the live
 * kernel: layout, explain, grants, the fault report.
 *
 * Stop replies (T packets, GDB's signal numbers):
 *   SIGTRAP (5)  breakpoint (swbreak / hwbreak), single step, watchpoint
 *                (watch / rwatch / awatch, reported before the instruction
 *                after the access), the first stop, and a process's exit or
 *                restart (its thread, after an O line saying which)
 *   SIGINT (2)   gdb's interrupt (0x03), seen at the next run boundary
 *   SIGSEGV (11) an MPU fault (data, instruction fetch, stacking, the
 *                kernel's stack check), with the fault report first
 *   SIGILL (4)   undefined instruction or invalid state; SIGSYS (12) an
 *                undecodable syscall; SIGTRAP also for a bkpt instruction
 * The end of the whole run is W with the scenario's exit code.
 *
 * The packet layer (framing, checksums, escapes, hex) has no I/O and is
 * tested on its own (tests/test_gdbstub.c).
 */
#ifndef GS_GDBSTUB_H
#define GS_GDBSTUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "board.h"

/* ------------------------------------------------------------ packets */

/* The largest packet (data bytes) either side sends: qSupported's PacketSize. */
#define GS_GDB_PACKET_MAX 16384

/* The modulo-256 sum of the data bytes: the two hex digits after '#'. */
uint8_t gs_gdb_checksum(const char *data, size_t n);

/* Frames data as "$data#cc" into out (n + 4 bytes). Returns the length. */
size_t gs_gdb_frame(const char *data, size_t n, char *out);

/*
 * Binary data in a packet: '#', '$', '}' and '*' are sent as '}' followed
 * by the byte XOR 0x20. gs_gdb_escape writes as much of in as fits in cap
 * bytes (never half an escape) and returns the bytes written; *used gets
 * how many input bytes that took.
 */
size_t gs_gdb_escape(const uint8_t *in, size_t n, char *out, size_t cap, size_t *used);

/* Undoes the escape. Returns the bytes written, or -1 (a '}' at the end, or over cap). */
long gs_gdb_unescape(const char *in, size_t n, uint8_t *out, size_t cap);

/* Lower-case hex of n bytes into out (2n chars, no NUL). Returns 2n. */
size_t gs_gdb_hex_encode(const void *in, size_t n, char *out);

/* Decodes an even number of hex digits. Returns the bytes, or -1 (odd, not hex, over cap). */
long gs_gdb_hex_decode(const char *in, size_t n, uint8_t *out, size_t cap);

/* What a byte from gdb completed. */
enum gs_gdb_rx_kind {
    GS_GDB_RX_NONE,      /* nothing yet (or a byte outside any packet, ignored) */
    GS_GDB_RX_PACKET,    /* a packet with a good checksum: data in buf[0..len) */
    GS_GDB_RX_BAD_SUM,   /* a packet whose checksum does not match (answer '-') */
    GS_GDB_RX_TOO_LONG,  /* a packet over GS_GDB_PACKET_MAX bytes (dropped) */
    GS_GDB_RX_INTERRUPT, /* 0x03 outside a packet */
    GS_GDB_RX_ACK,       /* '+' */
    GS_GDB_RX_NACK,      /* '-': send the last packet again */
};

/* The receiving side of the framing, one byte at a time. */
struct gs_gdb_rx {
    int state;
    char buf[GS_GDB_PACKET_MAX + 1]; /* data of the last packet, NUL after it */
    size_t len;
    uint8_t sum, want;
    bool overflow;
};

void gs_gdb_rx_init(struct gs_gdb_rx *rx);

/* Feeds one byte. A '$' inside a packet starts a new packet (gdb resends whole packets). */
enum gs_gdb_rx_kind gs_gdb_rx_byte(struct gs_gdb_rx *rx, uint8_t c);

/* --------------------------------------------------------------- stub */

/*
 * A listening TCP socket on 127.0.0.1:port (0: the kernel picks one).
 * Returns 0 with *fd and *bound set, or -1 with a message in err.
 */
int gs_gdb_listen(unsigned port, int *fd, unsigned *bound, char *err, size_t n);

struct gs_gdb_config {
    int listen_fd; /* gs_gdb_listen's; the stub accepts one connection on it and closes it */
    unsigned port; /* printed in the "listening" line */
    /*
     * Per board app (the order apps were added): the ELF its process runs
     * (for the add-symbol-file lines and qOffsets), or NULL when it has none
     * (TBF files, scripts). path is printed as given.
     */
    const char *elf_path[GS_BOARD_MAX_APPS];
    const uint8_t *elf[GS_BOARD_MAX_APPS];
    size_t elf_len[GS_BOARD_MAX_APPS];
    int offsets_app; /* the app whose offsets qOffsets gives (-1: the first with an ELF) */
    FILE *log;       /* the stub's messages (stderr) */
    bool trace;      /* also log every packet (GRANTSIM_GDB_TRACE=1) */
};

struct gs_gdb;

/* Errors: GS_E_ARG, GS_E_NOMEM_HOST. The stub owns cfg->listen_fd from here on. */
int gs_gdb_new(const struct gs_gdb_config *cfg, struct gs_gdb **out);

/*
 * Installs the stub on a board that has not loaded its processes yet (the
 * scenario runner's attach_board): the machine's debugger and a kernel
 * observer. At the board's first run the stub prints the add-symbol-file
 * line of each app with an ELF and "grantsim: gdb stub listening on
 * 127.0.0.1:PORT" to the log, waits for gdb and stops there.
 * Errors: GS_E_STATE (installed twice), GS_E_NO_SLOT (observers), GS_E_NOMEM_HOST.
 */
int gs_gdb_attach(struct gs_gdb *g, struct gs_board *b);

enum gs_gdb_end {
    GS_GDB_NEVER,  /* gdb never connected (no process ever ran) */
    GS_GDB_EXITED, /* the run ended; gdb got W (or had detached) */
    GS_GDB_KILLED, /* gdb killed the run (k) */
};

/*
 * The run is over (the board must not run again): if gdb is still there,
 * `text` goes to its console (O packets) and W with exit_code ends the
 * session. Closes the connection.
 */
enum gs_gdb_end gs_gdb_finish(struct gs_gdb *g, int exit_code, const char *text);

/* Frees the stub (closes its sockets). Accepts NULL. */
void gs_gdb_free(struct gs_gdb *g);

#endif
