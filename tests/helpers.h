/* SPDX-License-Identifier: MIT */
/* Shared fixtures for the core unit tests: a board = memory + kernel + a recorder. */
#ifndef GS_TEST_HELPERS_H
#define GS_TEST_HELPERS_H

#include <check.h>
#include <stdbool.h>
#include <stdint.h>

#include "errors.h"
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
    unsigned events[32];  /* count per gs_event_kind */
    unsigned findings[4]; /* count per gs_finding_kind */
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

/* Runs the invariant checker (quiescent, with shadow) and returns violations. */
unsigned tb_check(struct tboard *tb);

/* Runs a Check suite; returns the process exit status. */
int tb_run(Suite *s);

#endif
