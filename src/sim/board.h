/* SPDX-License-Identifier: MIT */
/*
 * board.h - a simulated board: memory, kernel, capsules, the Cortex-M
 * machine, and the apps in flash. This is what scenario files, the CLI,
 * tests and CPU-level fuzzers build.
 *
 * Order of use: gs_board_new; add capsules (their order is the grant
 * numbering, as create_grant calls in a board's main.rs); add apps (ELF,
 * TBF or scripted) which are written one after another into the app flash;
 * gs_board_load (the flash scan of process_loading.rs creates the processes
 * in slot order); gs_board_run.
 *
 * Flash layout: each app is placed at the next address aligned to
 * max(1 KiB, its total size) (as tockloader aligns apps for the MPU); the
 * gaps are filled with Padding TBFs, which the kernel skips.
 */
#ifndef GS_BOARD_H
#define GS_BOARD_H

#include <stdbool.h>
#include <stdint.h>

#include "capsules.h"
#include "ipc.h"
#include "kernel.h"
#include "loader.h"
#include "machine.h"
#include "sched.h"
#include "script.h"

#define GS_BOARD_MAX_APPS 16
#define GS_BOARD_MAX_TEST 4

struct gs_board_config {
    uint32_t ram_base, ram_size;     /* default 0x20000000, 128 KiB */
    uint32_t flash_base, flash_size; /* default 0x00000000, 512 KiB */
    uint32_t app_flash_start;        /* where the app area begins; default 0x00030000 */
    uint32_t app_ram_start;          /* first byte of the process RAM pool; default ram_base */
    struct gs_kernel_config kernel;
    uint64_t timeslice; /* instructions; 0 = GS_DEFAULT_TIMESLICE */
    bool inline_svc;    /* handle svcs in the interrupt hook (default true) */
};

void gs_board_config_default(struct gs_board_config *c);

/* One app as placed in flash. */
struct gs_board_app {
    char name[64];
    uint32_t addr, size; /* its TBF */
    enum gs_fault_policy policy;
    unsigned threshold;
    bool scripted;
    int slot;      /* process slot after gs_board_load, -1 if none */
    char why[128]; /* after gs_board_load, when slot is -1: why it has no process */
    /*
     * ... and the name of the error that kept it out: a ProcessLoadError
     * ("NotEnoughMemory", "NoProcessSlot", ...), the flash scan's reason
     * ("Padding", "NotEnabledProcess", ...) or why the scan stopped.
     */
    char error[40];
};

struct gs_board {
    struct gs_board_config cfg;
    struct gs_mem mem;
    struct gs_kernel *k;
    struct gs_machine *machine;
    /* Capsules (NULL when absent). */
    struct gs_console *console;
    struct gs_alarm *alarm;
    struct gs_led *led;
    struct gs_rng *rng;
    struct gs_lld *lld;
    struct gs_ipc *ipc;
    struct gs_test_capsule *test[GS_BOARD_MAX_TEST];
    unsigned ntest;
    struct gs_capsule_set *set; /* gs_board_add_capsule_set's (the pointers above lead into it) */
    /* Apps. */
    struct gs_board_app apps[GS_BOARD_MAX_APPS];
    unsigned napps;
    uint32_t flash_next; /* first free app-flash byte */
    bool loaded;
    /* App flash as the engines last saw it (gs_board_load), to find the
     * pages a reset and new apps rewrote. */
    uint8_t *flash_seen;
    uint32_t seen_end;
    uint32_t ram_used_end; /* end of the process blocks created (0: unknown, all RAM) */
};

/*
 * Creates the board: memory, kernel, machine. Errors: GS_E_ARG (geometry:
 * RAM and flash 1 KiB aligned and disjoint, the app area inside flash),
 * GS_E_NOMEM_HOST, GS_E_INTERNAL (Unicorn).
 */
int gs_board_new(const struct gs_board_config *cfg, struct gs_board **out);
void gs_board_free(struct gs_board *b);

/*
 * Back to the board as gs_board_new and the capsule calls left it: no apps,
 * no processes, RAM zeroed, app flash erased, time 0, capsules reset; the
 * Unicorn engines are kept (a fuzz input or a scenario rerun costs no engine
 * creation). Observers stay installed. Then add apps and load again.
 */
void gs_board_reset(struct gs_board *b);

/*
 * The board rebuilt for cfg, whose memory geometry (RAM and flash base and
 * size) must be the board's: reset as gs_board_reset does, then a new
 * kernel for cfg with no capsules (add them again), and the machine moved
 * to it with its engines kept. The same as gs_board_new(cfg) without new
 * Unicorn engines. Errors: GS_E_ARG (other geometry or app areas),
 * GS_E_NOMEM_HOST, or the kernel's errors for cfg; after an error other than
 * GS_E_ARG the board may only be freed.
 */
int gs_board_reconfigure(struct gs_board *b, const struct gs_board_config *cfg);

/*
 * Capsules. Each may be added once (the test capsule up to GS_BOARD_MAX_TEST
 * times). Errors: GS_E_STATE (after gs_board_load), GS_E_ARG (added
 * already), GS_E_NO_SLOT (test capsules), GS_E_NOMEM_HOST, and the
 * capsule init's (capsules.h).
 */
int gs_board_add_console(struct gs_board *b, uint32_t driver);
int gs_board_add_alarm(struct gs_board *b, uint32_t driver);
int gs_board_add_led(struct gs_board *b, uint32_t driver, unsigned count);
int gs_board_add_rng(struct gs_board *b, uint32_t driver, uint64_t seed);
int gs_board_add_lld(struct gs_board *b, uint32_t driver);
int gs_board_add_ipc(struct gs_board *b, uint32_t driver);
int gs_board_add_test(struct gs_board *b, uint32_t driver, const struct gs_grant_shape *shape,
                      bool check_t_bounds);
/*
 * The board capsule set (capsules.h gs_capsule_set_init: every capsule
 * above with its usual driver number, in the grant order every board
 * shares; the test capsule with test_shape, check_t_bounds true), as the
 * board's capsules. Errors: GS_E_STATE (after gs_board_load), GS_E_ARG (a
 * capsule was added already), GS_E_NOMEM_HOST, and gs_capsule_set_init's;
 * after one of the latter the board may only be freed.
 */
int gs_board_add_capsule_set(struct gs_board *b, const struct gs_grant_shape *test_shape);

/*
 * Apps. Each writes the app's TBF into the next aligned slot of app flash.
 * name: package name (ELF and script; a TBF keeps its own). Errors:
 * GS_E_STATE (after gs_board_load), GS_E_NO_SLOT (too many apps),
 * GS_E_NOMEM_HOST, GS_E_BOUNDS (app flash full), and the loader's errors
 * (with *err filled, which may be NULL).
 */
int gs_board_add_elf(struct gs_board *b, const uint8_t *elf, size_t len, const char *name,
                     const struct gs_elf_opts *opts, struct gs_load_error *err);
int gs_board_add_tbf(struct gs_board *b, const uint8_t *tbf, size_t len, struct gs_load_error *err);
int gs_board_add_script(struct gs_board *b, const struct gs_script *s, const char *name,
                        uint32_t min_ram, struct gs_load_error *err);

/* Fault policy for app i (in order of adding), applied when its process is created. */
void gs_board_set_policy(struct gs_board *b, unsigned app, enum gs_fault_policy p,
                         unsigned threshold);

/*
 * Scans the app flash and creates a process for each loadable TBF, in
 * order, into the kernel's slots (ProcessStandard::create; a failure ends
 * the loading as upstream's synchronous loader does). *scan (optional)
 * receives the scan result (free with gs_flash_scan_free). Errors:
 * GS_E_STATE (loaded twice), the scan's errors.
 */
int gs_board_load(struct gs_board *b, struct gs_flash_scan *scan);

/* The process created for app i, or NULL (not loaded, skipped, or failed). */
struct gs_process *gs_board_process(const struct gs_board *b, unsigned app);

/* Runs the kernel loop for at most max_instructions (gs_kernel_run). */
enum gs_run_end gs_board_run(struct gs_board *b, uint64_t max_instructions);

/* The same with a busy-time budget and a simulated-time limit (gs_kernel_run_for). */
enum gs_run_end gs_board_run_for(struct gs_board *b, uint64_t max_instructions, uint64_t max_time);

/* Reads a script's recorded results for app i (see gs_script_read). */
int gs_board_script_report(const struct gs_board *b, unsigned app, struct gs_script_report *out);

#endif
