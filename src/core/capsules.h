/* SPDX-License-Identifier: MIT */
/*
 * capsules.h - the board capsules that real libtock-c apps need, and a
 * configurable test capsule (docs/drivers.md has the syscall ABI of each).
 *
 * Each `*_init` creates the capsule's grant (so the order of the calls is
 * the grant numbering, as the order of create_grant in a board's main.rs)
 * and registers its driver. The objects must outlive the kernel.
 */
#ifndef GS_CAPSULES_H
#define GS_CAPSULES_H

#include <stdbool.h>
#include <stdint.h>

#include "driver.h"
#include "grant.h"
#include "printer.h" /* struct gs_strbuf: the captured output */

/* ---- Console 0x1 (capsules/core/src/console.rs) ---- */
/*
 * The console's receive buffer: a read asks for at most this many bytes
 * (console.rs DEFAULT_BUF_SIZE, the size boards/components/src/console.rs
 * gives the capsule's rx_buffer).
 */
#define GS_CONSOLE_RX_BUF 64u

/* Bytes sent to the board's UART at one moment (kernel clock: instructions). */
struct gs_console_input {
    uint64_t at;
    const uint8_t *bytes;
    uint32_t len;
};

struct gs_console {
    struct gs_driver drv;
    struct gs_strbuf out;     /* everything written, all processes */
    struct gs_strbuf per[16]; /* per process slot */
    uint64_t latency;         /* instructions between a write and its upcall */
    /*
     * Input, two kinds (gs_console_set_input; docs/drivers.md):
     * - the stream: bytes a sender holds from time 0 and hands over as a
     *   receive wants them (a sender behind flow control), `latency` after
     *   the receive starts;
     * - timed bursts: bytes that reach the UART at their time, in order;
     *   those that arrive while no receive is pending are lost, as on a
     *   board whose UART receives only while a read is pending.
     */
    const uint8_t *input;
    uint32_t input_len, input_pos;
    const struct gs_console_input *timed;
    unsigned ntimed, timed_next;
    uint64_t rx_arrived, rx_lost; /* timed bytes so far, and those no receive took */
    /*
     * The one receive in progress (console.rs rx_in_progress / rx_buffer:
     * one for the whole console, whichever process started it). Bytes
     * collect in rx_buf and are copied to the process's buffer when the
     * receive completes.
     */
    bool rx_busy, rx_aborting;
    uint64_t rx_pid; /* gs_pid_pack of the process that started it */
    uint32_t rx_len, rx_pos;
    uint8_t rx_buf[GS_CONSOLE_RX_BUF];
};
int gs_console_init(struct gs_kernel *k, struct gs_console *c, uint32_t driver_num);
/*
 * Sets the console's input: `stream` (len bytes, may be NULL) and `timed`
 * (n bursts in order of time, may be NULL), both kept by pointer; the first
 * burst is scheduled as kernel work. A kernel reset (the driver's reset)
 * forgets the input: set it again after one.
 */
void gs_console_set_input(struct gs_console *c, const uint8_t *stream, uint32_t len,
                          const struct gs_console_input *timed, unsigned n);

/* ---- Alarm 0x0 (capsules/core/src/alarm.rs) ---- */
struct gs_alarm {
    struct gs_driver drv;
    uint32_t freq;   /* ticks per second (default 32768) */
    uint64_t cpu_hz; /* instructions per second (default 64 MHz) */
};
int gs_alarm_init(struct gs_kernel *k, struct gs_alarm *a, uint32_t driver_num);
/* The 32-bit tick counter at instruction time t. */
uint32_t gs_alarm_ticks(const struct gs_alarm *a, uint64_t t);

/* ---- LED 0x2 (capsules/core/src/led.rs) ---- */
#define GS_MAX_LEDS 32
struct gs_led {
    struct gs_driver drv;
    unsigned count;
    bool on[GS_MAX_LEDS];
    uint32_t toggles; /* changes so far */
};
int gs_led_init(struct gs_kernel *k, struct gs_led *l, uint32_t driver_num, unsigned count);

/* ---- RNG 0x40001 (capsules/core/rng.rs), deterministic xorshift ---- */
struct gs_rng {
    struct gs_driver drv;
    uint64_t seed, state;
};
int gs_rng_init(struct gs_kernel *k, struct gs_rng *r, uint32_t driver_num, uint64_t seed);

/* ---- Low-level debug 0x8 (capsules/core/src/low_level_debug) ---- */
struct gs_lld {
    struct gs_driver drv;
    struct gs_strbuf out;
};
int gs_lld_init(struct gs_kernel *k, struct gs_lld *l, uint32_t driver_num);

/* ---- Test capsule (grantsim's own; default driver 0x90000) ---- */
#define GS_TEST_CAPSULE_NUM 0x90000u
#define GS_TEST_FLOOD_MAX   1024u /* command 8 tries at most this many upcalls */
struct gs_test_capsule {
    struct gs_driver drv;
    struct gs_grant_shape shape;
    bool check_t_bounds; /* false models a capsule that writes T unchecked */
    struct gs_custom_grant customs[16];
    unsigned ncustoms;
};
int gs_test_capsule_init(struct gs_kernel *k, struct gs_test_capsule *t, uint32_t driver_num,
                         const struct gs_grant_shape *shape);

#endif
