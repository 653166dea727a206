/* SPDX-License-Identifier: MIT */
/* Console output and a small printf (see console.h). */
#include "console.h"

#include <stdint.h>

#include "tock.h"

/* Console driver numbers (tock capsules/core/src/console.rs). */
#define CONSOLE_ALLOW_RO_WRITE 1u
#define CONSOLE_CMD_WRITE      1u
#define CONSOLE_SUB_WRITE_DONE 1u

static char line[CONSOLE_BUF_SIZE];
static size_t line_used;

int console_write(const char *buf, size_t n)
{
    size_t done = 0;
    while (done < n) {
        size_t left = n - done;
        tock_swap_t a = tock_allow_ro(DRIVER_CONSOLE, CONSOLE_ALLOW_RO_WRITE, buf + done, left);
        if (a.status != TOCK_OK) {
            return a.status;
        }
        int st = tock_ret_none(tock_command(DRIVER_CONSOLE, CONSOLE_CMD_WRITE, left, 0));
        tock_upcall_args_t r = {0, 0, 0};
        if (st == TOCK_OK) {
            /* Nothing is subscribed, so the write-done event is a null-upcall
             * result that only Yield-WaitFor picks up. Its arg0 is the number
             * of bytes written (tock capsules/core/src/console.rs). */
            r = tock_yield_wait_for(DRIVER_CONSOLE, CONSOLE_SUB_WRITE_DONE);
        }
        tock_allow_ro(DRIVER_CONSOLE, CONSOLE_ALLOW_RO_WRITE, NULL, 0);
        if (st != TOCK_OK) {
            return st;
        }
        if (r.arg0 == 0 || r.arg0 > left) {
            break; /* no progress, or a count we cannot trust */
        }
        done += r.arg0;
    }
    return (int)done;
}

void console_flush(void)
{
    if (line_used > 0) {
        console_write(line, line_used);
        line_used = 0;
    }
}

int putchar(int c)
{
    line[line_used++] = (char)c;
    if (c == '\n' || line_used == sizeof(line)) {
        console_flush();
    }
    return (unsigned char)c;
}

int puts(const char *s)
{
    while (*s != '\0') {
        putchar(*s++);
    }
    putchar('\n');
    return 0;
}

_Noreturn void exit(int code)
{
    console_flush();
    tock_exit((uint32_t)code);
}

/* One conversion's flags. */
struct spec {
    int left;      /* '-' */
    char pad;      /* ' ' or '0' */
    int width;     /* minimum field width */
    int precision; /* %s: maximum characters; -1 = none */
};

/* Emits s[0..n) inside the field described by sp; counts into *count. */
static void emit_field(const struct spec *sp, const char *prefix, const char *s, int n, int *count)
{
    int plen = (int)strlen(prefix);
    int fill = sp->width > n + plen ? sp->width - n - plen : 0;
    if (!sp->left && sp->pad == ' ') {
        for (; fill > 0; fill--, (*count)++) {
            putchar(' ');
        }
    }
    for (int i = 0; i < plen; i++, (*count)++) {
        putchar(prefix[i]);
    }
    if (!sp->left) {
        for (; fill > 0; fill--, (*count)++) {
            putchar(sp->pad);
        }
    }
    for (int i = 0; i < n; i++, (*count)++) {
        putchar(s[i]);
    }
    for (; fill > 0; fill--, (*count)++) {
        putchar(' ');
    }
}

/* Converts v to digits in base 10 or 16 at the end of buf; returns the start. */
static char *utoa(uint32_t v, unsigned base, int upper, char *end)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char *p = end;
    do {
        *--p = digits[v % base];
        v /= base;
    } while (v != 0);
    return p;
}

int vprintf(const char *fmt, va_list ap)
{
    int count = 0;
    char num[12];
    char *const num_end = num + sizeof(num);

    for (const char *f = fmt; *f != '\0'; f++) {
        if (*f != '%') {
            putchar(*f);
            count++;
            continue;
        }
        struct spec sp = {0, ' ', 0, -1};
        f++;
        for (;; f++) {
            if (*f == '-') {
                sp.left = 1;
            } else if (*f == '0') {
                sp.pad = '0';
            } else {
                break;
            }
        }
        if (*f == '*') {
            sp.width = va_arg(ap, int);
            f++;
        } else {
            while (*f >= '0' && *f <= '9') {
                sp.width = sp.width * 10 + (*f++ - '0');
            }
        }
        if (*f == '.') {
            f++;
            sp.precision = 0;
            if (*f == '*') {
                sp.precision = va_arg(ap, int);
                f++;
            } else {
                while (*f >= '0' && *f <= '9') {
                    sp.precision = sp.precision * 10 + (*f++ - '0');
                }
            }
        }
        while (*f == 'l' || *f == 'z') {
            f++; /* long and size_t are 32 bits */
        }
        if (sp.left) {
            sp.pad = ' ';
        }

        const char *s;
        switch (*f) {
        case 'd':
        case 'i': {
            int32_t v = va_arg(ap, int32_t);
            uint32_t mag = v < 0 ? 0u - (uint32_t)v : (uint32_t)v;
            s = utoa(mag, 10, 0, num_end);
            emit_field(&sp, v < 0 ? "-" : "", s, (int)(num_end - s), &count);
            break;
        }
        case 'u':
            s = utoa(va_arg(ap, uint32_t), 10, 0, num_end);
            emit_field(&sp, "", s, (int)(num_end - s), &count);
            break;
        case 'x':
        case 'X':
            s = utoa(va_arg(ap, uint32_t), 16, *f == 'X', num_end);
            emit_field(&sp, "", s, (int)(num_end - s), &count);
            break;
        case 'p':
            s = utoa((uint32_t)va_arg(ap, void *), 16, 0, num_end);
            emit_field(&sp, "0x", s, (int)(num_end - s), &count);
            break;
        case 'c':
            num[0] = (char)va_arg(ap, int);
            emit_field(&sp, "", num, 1, &count);
            break;
        case 's': {
            s = va_arg(ap, const char *);
            if (s == NULL) {
                s = "(null)";
            }
            int n = 0;
            while (s[n] != '\0' && (sp.precision < 0 || n < sp.precision)) {
                n++;
            }
            emit_field(&sp, "", s, n, &count);
            break;
        }
        case '%':
            putchar('%');
            count++;
            break;
        case '\0':
            return count; /* a lone '%' at the end */
        default:
            putchar('%'); /* unknown conversion: print it as written */
            putchar(*f);
            count += 2;
            break;
        }
    }
    return count;
}

int printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}
