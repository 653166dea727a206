/* SPDX-License-Identifier: MIT */
/*
 * capsules.h - the board capsules that real libtock-c apps need, and a
 * configurable test capsule (docs/drivers.md has the syscall ABI of each).
 *
 * Each `*_init` creates the capsule's grant (so the order of the calls is
 * the grant numbering, as the order of create_grant in a board's main.rs)
 * and registers its driver. The objects must outlive the kernel.
 *
 * Error contract of every `*_init` (board setup, so each error is the
 * board's bug, never a process's): 0 on success; otherwise a negative
 * gs_err and the capsule is not registered. GS_E_FINALIZED: a process
 * exists already, so no grant can be created (upstream panics "Grants
 * finalized"); GS_E_ARG: driver_num is registered already (or what the
 * init names); GS_E_NOMEM_HOST: host memory. A capsule that has a grant
 * creates it before registering, so after a failed registration the grant
 * stays numbered in the kernel: a board whose capsule init failed is to be
 * freed, not run. gs_capsule_set_init (at the end) builds every board's
 * set of them.
 */
#ifndef GS_CAPSULES_H
#define GS_CAPSULES_H

#include <stdbool.h>
#include <stdint.h>

#include "driver.h"
#include "grant.h"
#include "ipc.h"     /* struct gs_ipc: a member of the capsule set */
#include "printer.h" /* struct gs_strbuf: the captured output */

/* ---- Console 0x1 (capsules/core/src/console.rs) ---- */
#define GS_CONSOLE_NUM 0x1u /* console.rs DRIVER_NUM (capsules/core/src/driver.rs NUM::Console) */
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
/* Grant: T 16 bytes, 3 upcalls, 2 RO and 2 RW allows. Errors: as every init (above). */
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
#define GS_ALARM_NUM 0x0u /* alarm.rs DRIVER_NUM (driver.rs NUM::Alarm) */
struct gs_alarm {
    struct gs_driver drv;
    uint32_t freq;   /* ticks per second (default 32768) */
    uint64_t cpu_hz; /* instructions per second (default 64 MHz) */
};
/* Grant: T 12 bytes, 1 upcall. Errors: as every init (above). */
int gs_alarm_init(struct gs_kernel *k, struct gs_alarm *a, uint32_t driver_num);
/* The 32-bit tick counter at instruction time t. */
uint32_t gs_alarm_ticks(const struct gs_alarm *a, uint64_t t);

/* ---- LED 0x2 (capsules/core/src/led.rs) ---- */
#define GS_LED_NUM  0x2u /* led.rs DRIVER_NUM (driver.rs NUM::Led) */
#define GS_MAX_LEDS 32
struct gs_led {
    struct gs_driver drv;
    unsigned count;
    bool on[GS_MAX_LEDS];
    uint32_t toggles; /* changes so far */
};
/*
 * No grant. Errors: GS_E_ARG also when count > GS_MAX_LEDS (nothing
 * registered); otherwise as every init (above), never GS_E_FINALIZED.
 */
int gs_led_init(struct gs_kernel *k, struct gs_led *l, uint32_t driver_num, unsigned count);

/* ---- RNG 0x40001 (capsules/core/rng.rs), deterministic xorshift ---- */
#define GS_RNG_NUM 0x40001u /* rng.rs DRIVER_NUM (driver.rs NUM::Rng) */
struct gs_rng {
    struct gs_driver drv;
    uint64_t seed, state;
};
/* Grant: T 4 bytes, 1 upcall, 1 RW allow; seed 0 takes a fixed one. Errors: as every init. */
int gs_rng_init(struct gs_kernel *k, struct gs_rng *r, uint32_t driver_num, uint64_t seed);

/* ---- Low-level debug 0x8 (capsules/core/src/low_level_debug) ---- */
#define GS_LLD_NUM 0x8u /* low_level_debug DRIVER_NUM (driver.rs NUM::LowLevelDebug) */
struct gs_lld {
    struct gs_driver drv;
    struct gs_strbuf out;
};
/* No grant. Errors: as every init (above), never GS_E_FINALIZED. */
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
/*
 * Grant: `shape` (copied); check_t_bounds starts true. Errors: GS_E_ARG
 * also when the shape is invalid (gs_grant_shape_valid; nothing created);
 * otherwise as every init (above).
 */
int gs_test_capsule_init(struct gs_kernel *k, struct gs_test_capsule *t, uint32_t driver_num,
                         const struct gs_grant_shape *shape);

/* ---- The board capsule set ---- */
/*
 * Every capsule a grantsim board has, with upstream's driver numbers, in
 * the one grant order (create_grant order) the boards share:
 *
 *   console 0x1, alarm 0x0, LED 0x2 (GS_CAPSULE_SET_LEDS LEDs; no grant),
 *   RNG 0x40001 (seed 1), low-level debug 0x8 (no grant),
 *   IPC 0x10000 (ipc.h), test capsule GS_TEST_CAPSULE_NUM (shape given)
 *
 * The fuzz targets' and `grantsim repro`'s fake-arch board
 * (src/prog/prog-run.h), the unit tests' (tests/helpers.h fboard), the
 * benchmarks', the Cortex-M board's (gs_board_add_capsule_set) and the
 * CLI's built-in example (layout/explain --example) are built by
 * gs_capsule_set_init. Scenario boards, `grantsim run APP...`'s default
 * board among them, add the drivers their scenario lists, one by one.
 */
#define GS_CAPSULE_SET_LEDS 4u

struct gs_capsule_set {
    struct gs_console con;
    struct gs_alarm alarm;
    struct gs_led led;
    struct gs_rng rng;
    struct gs_lld lld;
    struct gs_ipc ipc;
    struct gs_test_capsule test;
};

/*
 * Initialises every capsule of *s for kernel k, in the order above; the
 * test capsule gets test_shape. The set must outlive the kernel. Errors:
 * the first failing init's (each init's contract above, gs_ipc_init's in
 * ipc.h); the capsules initialised before it stay registered with k, so
 * after an error the kernel is to be freed with the set kept until then.
 */
int gs_capsule_set_init(struct gs_kernel *k, struct gs_capsule_set *s,
                        const struct gs_grant_shape *test_shape);

#endif
