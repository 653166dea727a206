/* SPDX-License-Identifier: MIT */
/* Shared fixtures for the core unit tests: a board = memory + kernel + a recorder. */
#ifndef GS_TEST_HELPERS_H
#define GS_TEST_HELPERS_H

#include <check.h>
#include <stdbool.h>
#include <stdint.h>

#include "capsules.h"
#include "errors.h"
#include "fake_arch.h"
#include "ipc.h"
#include "sched.h"
#include "syscall.h"
#include "grant.h"
#include "invariants.h"
#include "kernel.h"
#include "process.h"
#include "tasks.h"
#include "tmem.h"

#define TB_RAM_BASE   0x20000000u
#define TB_RAM_SIZE   0x40000u
#define TB_FLASH_BASE 0x00030000u
#define TB_FLASH_SIZE 0x40000u

/* Everything an observer saw, for assertions. */
struct recorder {
    unsigned events[32];              /* count per gs_event_kind */
    unsigned findings[GS_FIND_KINDS]; /* count per gs_finding_kind */
    char last_finding_site[64];
    char last_finding_text[256];
    char last_panic[256];
    char last_quirk[256];
};

struct tboard {
    struct gs_mem mem;
    struct gs_kernel *k;
    struct recorder rec;
    uint32_t pool_start, pool_len;
    uint32_t next_flash;
};

/* Memory + kernel with cfg (NULL = defaults) and a recorder; invariants on. */
void tb_init(struct tboard *tb, const struct gs_kernel_config *cfg);
void tb_free(struct tboard *tb);

/* Creates `n` grants with a generic shape (driver numbers 0x1000 + i). */
void tb_grants(struct tboard *tb, unsigned n);

/* An app of `flash_len` bytes (TBF header 0x60) needing min_ram; next flash slot. */
struct gs_app_info tb_app(struct tboard *tb, uint32_t flash_len, uint32_t min_ram,
                          const char *name);

/* Creates a process from tb_app in the board's pool; asserts success. */
struct gs_process *tb_proc(struct tboard *tb, uint32_t min_ram, const char *name);

/*
 * The per-test timeout of every Check test case, in seconds. Check's default
 * (4 s) fails tests that are merely slow on a loaded machine (a 2-core CI
 * runner, the sanitizer build); a test that hangs still fails, and meson's
 * own timeout bounds the whole executable. CK_TIMEOUT_MULTIPLIER scales it.
 */
#define TB_TEST_TIMEOUT 120

/* A Check test case with the timeout TB_TEST_TIMEOUT: every suite makes its cases with it. */
TCase *tb_tcase(const char *name);

/* Runs the invariant checker (quiescent, with shadow) and returns violations. */
unsigned tb_check(struct tboard *tb);

/* A board with the fake arch and the board capsule set (capsules.h: console
 * 0x1, alarm 0x0, LED 0x2 (no grant), RNG 0x40001, LLD 0x8 (no grant),
 * IPC 0x10000, test capsule 0x90000 with 2 upcalls, 2 RO, 2 RW, T 16 bytes). */
struct fboard {
    struct tboard tb;
    struct gs_fake *fake;
    struct gs_capsule_set caps;
};

void fb_init(struct fboard *fb, const struct gs_kernel_config *cfg, bool inline_svc);
void fb_free(struct fboard *fb);

/* A process running `n` fake actions (flash 0x2000 with the fake image). */
struct gs_process *fb_proc(struct fboard *fb, uint32_t min_ram, const char *name,
                           const struct gs_fake_action *a, unsigned n);

/* Records of a process (asserts there are at least `min`). */
const struct gs_fake_record *fb_recs(struct fboard *fb, const struct gs_process *p, unsigned *n);

/* The k-th svc result record of process p (upcall records skipped); asserts it exists. */
const struct gs_fake_record *fb_svc(struct fboard *fb, const struct gs_process *p, unsigned k);

/* Builders of fake actions. */
#define SVC(c, a, b, x, y)                                                                         \
    {                                                                                              \
        .op = GS_FAKE_SVC, .n = (c), .r = {(a), (b), (x), (y) }                                    \
    }
#define SVCB(c, a, b, x, y, b0, b1, b2, b3)                                                        \
    {                                                                                              \
        .op = GS_FAKE_SVC, .n = (c), .r = {(a), (b), (x), (y)}, .base = {(b0), (b1), (b2), (b3) }  \
    }
#define SPIN(k)                                                                                    \
    {                                                                                              \
        .op = GS_FAKE_SPIN, .n = (k)                                                               \
    }
#define NACT(a) ((unsigned)(sizeof(a) / sizeof((a)[0])))

/* Runs a Check suite; returns the process exit status. */
int tb_run(Suite *s);

#endif
