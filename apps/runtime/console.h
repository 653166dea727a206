/* SPDX-License-Identifier: MIT */
/*
 * Console output for grantsim apps, over the console driver 0x1 the way
 * libtock-sync writes (libtock-sync/interface/console.c,
 * TOCK-REFERENCE 11.4.3): allow_ro(1, 1, buf, n), command(1, 1, n, 0),
 * Yield-WaitFor(1, 1) on the null upcall, then allow_ro(1, 1, NULL, 0).
 *
 * stdout is line buffered like newlib's: one console write per line, or when
 * the buffer fills, or on console_flush()/exit().
 */
#ifndef GRANTSIM_APPS_CONSOLE_H
#define GRANTSIM_APPS_CONSOLE_H

#include <stdarg.h>
#include <stddef.h>

/* Bytes of one console write at most (a longer line is written in pieces). */
#define CONSOLE_BUF_SIZE 128

/* Writes n bytes synchronously, bypassing the line buffer. Returns the number
 * of bytes the kernel reported written, or a negative status (tock.h) if the
 * allow or the command failed. */
int console_write(const char *buf, size_t n);

/* Writes out whatever the line buffer holds. */
void console_flush(void);

/* Buffered output. printf understands %d %i %u %x %X %p %s %c %%, an
 * optional '-' or '0' flag, a field width and the 'l' length modifier (a
 * no-op here: long is 32 bits). Returns the number of characters produced. */
int putchar(int c);
int puts(const char *s);
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* Flushes stdout, then Exit-Terminate with the code (what returning from
 * main does). */
_Noreturn void exit(int code);

#endif
