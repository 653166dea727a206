/* SPDX-License-Identifier: MIT */
/*
 * The scenario format's keys (keys.h). One row per key of each object kind,
 * in the order the loader reads them and lists them in its messages
 * ("allowed keys in a process: name, app, ..."); scenarios/README.md is the
 * manual these descriptions summarise.
 *
 * A key has a constant default (GS_KF_DEF: the loader stores it when the key
 * is absent, and the schema states it), or says in `dflt` what happens
 * without it, or is required (`need`), or is one of a group of which
 * exactly one is given (GS_KF_ONE_OF); test_scenario checks that every key
 * is one of these and has a description and an example.
 */
#include "keys.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "capsules.h"
#include "ipc.h"
#include "kernel.h"
#include "process.h"
#include "sched.h"
#include "scenario.h"
#include "script.h"
#include "tab.h"

#define N(a)     .names = a, .nnames = sizeof(a) / sizeof(a[0])
#define KEYS(a)  .keys = a, .nkeys = sizeof(a) / sizeof(a[0])
#define V(i)     (1u << (i))
#define STR_(x)  #x
#define STR(x)   STR_(x)
#define MAX_SIZE GS_SCN_MAX_SIZE
#define MAX_NAME GS_SCN_MAX_NAME
#define REQUIRED "a required argument" /* the loader's word for a missing step argument */

/* ------------------------------------------------------------------ names */

const char *const gs_scn_policy_names[7] = {"panic",
                                            "stop",
                                            "stop-debug",
                                            "restart",
                                            "restart-debug",
                                            "threshold-restart",
                                            "threshold-restart-then-panic"};
const char *const gs_scn_regs_names[11] = {
    "Failure",       "FailureU32", "FailureU32U32",    "FailureU64",    "Success", "SuccessU32",
    "SuccessU32U32", "SuccessU64", "SuccessU32U32U32", "SuccessU32U64", "never"};
/* ErrorCode (kernel/src/errorcode.rs): FAIL = 1 ... NOACK = 13. */
const char *const gs_scn_ecode_names[14] = {
    NULL,   "FAIL",   "BUSY",  "ALREADY",   "OFF",      "RESERVE",     "INVAL",
    "SIZE", "CANCEL", "NOMEM", "NOSUPPORT", "NODEVICE", "UNINSTALLED", "NOACK"};
/* gs_fault_kind_name() of each kind (test_scenario checks that they agree). */
const char *const gs_scn_fault_names[12] = {NULL,
                                            "data read",
                                            "data write",
                                            "instruction fetch",
                                            "stacking",
                                            "unstacking",
                                            "undefined instruction",
                                            "invalid state",
                                            "breakpoint",
                                            "bad stack pointer",
                                            "bad syscall",
                                            "other"};
const char *const gs_scn_oracle_names[4] = {"ownership", "layout", "isolation", "panic"};
const char *const gs_scn_state_names[6] = {"Running", "Yielded", "YieldedFor",
                                           "Stopped", "Faulted", "Terminated"};
const char *const gs_scn_run_end_names[5] = {"idle", "limit", "panic", "error", "time-limit"};
const char *const gs_scn_driver_types[7] = {"console", "alarm", "led", "rng", "lld", "ipc", "test"};
/* memop operations 0-11 (kernel/src/memop.rs; TOCK-REFERENCE 1.12). */
const char *const gs_scn_memop_ops[12] = {"brk",         "sbrk",      "memory_start", "memory_end",
                                          "flash_start", "flash_end", "grant_start",  "wfr_count",
                                          "wfr_start",   "wfr_end",   "stack_start",  "heap_start"};
const char *const gs_scn_process_srcs[5] = {"app", "elf", "tbf", "tab", "script"};

static const char *const profiles[] = {"head", "2.2"};
static const char *const mpu_models[] = {"pmsav7"};
static const char *const yield_modes[] = {"no-wait", "wait", "wait-for"};
static const char *const exit_modes[] = {"terminate", "restart"};
static const char *const thens[] = {"exit", "restart", "yield"};
static const char *const completions[] = {"None", "Faulted"};

/* The variants of a process (gs_scn_process_srcs), as `only` masks. */
enum { P_APP = V(0), P_ELF = V(1), P_TBF = V(2), P_TAB = V(3), P_SCRIPT = V(4) };

/* The default driver number of each type (index = enum gs_scn_drv_type). */
static const uint32_t driver_numbers[7] = {
    0x1,                 /* console (capsules/core/src/console.rs) */
    0x0,                 /* alarm (capsules/core/src/alarm.rs) */
    0x2,                 /* led (capsules/core/src/led.rs) */
    0x40001,             /* rng (capsules/core/src/rng.rs) */
    0x8,                 /* lld (capsules/core/src/low_level_debug/mod.rs) */
    GS_IPC_DRIVER_NUM,   /* ipc (kernel/src/ipc.rs) */
    GS_TEST_CAPSULE_NUM, /* test: grantsim's own */
};

/* ------------------------------------------------------ shared key shapes */

/* A relative value ({"ram": N}, ...) or a register value. */
#define VALUE(nm, wh, d, ex)                                                                       \
    {                                                                                              \
        .name = nm, .forms = GS_F_VALUE, .obj = &gs_scn_value_obj, .what = wh, .desc = d,          \
        .example = ex                                                                              \
    }
/* The same with the default 0 (a step argument not given). */
#define ARG(nm, d, ex)                                                                             \
    {                                                                                              \
        .name = nm, .forms = GS_F_VALUE, .obj = &gs_scn_value_obj, .flags = GS_KF_DEF,             \
        .what = "a register value", .desc = d, .example = ex                                       \
    }
/* A count expectation. */
#define COUNT(nm, d, ex)                                                                           \
    {                                                                                              \
        .name = nm, .forms = GS_F_NUM, .max = UINT32_MAX, .what = "a count", .desc = d,            \
        .example = ex                                                                              \
    }
/* An exact text or {"contains": TEXT}. */
#define TEXT(nm, d, ex)                                                                            \
    {                                                                                              \
        .name = nm, .forms = GS_F_STR | GS_F_OBJ, .obj = &gs_scn_text, .desc = d, .example = ex    \
    }

/* -------------------------------------------------------------- scenario */

static const struct gs_scn_key driver_item = {.forms = GS_F_OBJ, .obj = &gs_scn_driver};
static const struct gs_scn_key process_item = {.forms = GS_F_OBJ, .obj = &gs_scn_process};
static const struct gs_scn_key case_item = {.forms = GS_F_OBJ, .obj = &gs_scn_case};

static const struct gs_scn_key scenario_keys[] = {
    {.name = "$schema",
     .forms = GS_F_STR,
     .desc = "The JSON Schema an editor checks the file against; grantsim ignores it.",
     .example = "\"./schema.json\"",
     .dflt = "none"},
    {.name = "grantsim",
     .forms = GS_F_NUM,
     .flags = GS_KF_INT,
     .min = GS_SCN_VERSION,
     .max = GS_SCN_VERSION,
     .desc = "The scenario format version.",
     .example = STR(GS_SCN_VERSION),
     .need = "the format version: \"grantsim\": " STR(GS_SCN_VERSION)},
    {.name = "name",
     .forms = GS_F_STR,
     .what = "a scenario name",
     .desc = "The scenario's name in reports.",
     .example = "\"yield-wait\"",
     .dflt = "the file name without .json"},
    {.name = "description",
     .forms = GS_F_STR,
     .what = "a description",
     .desc = "What the scenario shows, and the reference sections its expectations follow.",
     .example = "\"Command (svc 2): every return shape of a capsule. TOCK-REFERENCE 3.2.\"",
     .dflt = "none"},
    {.name = "known_divergence",
     .forms = GS_F_STR,
     .what = "why this scenario is expected to fail",
     .desc = "The scenario is expected to fail, and why (the simulator against upstream): it is "
             "reported as a known divergence, and fails when it passes.",
     .example = "\"grantsim does not model X yet (section 2.3)\"",
     .dflt = "none: the scenario must pass"},
    {.name = "board",
     .forms = GS_F_OBJ,
     .flags = GS_KF_DEF,
     .obj = &gs_scn_board,
     .desc = "The board: memory, MPU, Tock profile, fault policy, limits.",
     .example = "{\"profile\": \"2.2\"}"},
    {.name = "drivers",
     .forms = GS_F_ARR,
     .flags = GS_KF_DEF,
     .max = 64,
     .item = &driver_item,
     .djson = "[]",
     .desc = "The capsules, in grant-creation order (grant numbers 0, 1, ... go to those that have "
             "a grant).",
     .example = "[{\"type\": \"console\"}, {\"type\": \"test\"}]"},
    {.name = "processes",
     .forms = GS_F_ARR,
     .min = 1,
     .max = GS_BOARD_MAX_APPS,
     .item = &process_item,
     .desc = "The processes, loaded in this order: apps, ELF, TBF or TAB files, or scripts of "
             "syscalls.",
     .example = "[{\"name\": \"s\", \"script\": [{\"spin\": {\"count\": 1}}]}]",
     .need = "the apps or scripts to run"},
    {.name = "expect",
     .forms = GS_F_OBJ,
     .obj = &gs_scn_expect,
     .desc = "What must hold at the end of the run.",
     .example = "{\"run_end\": \"idle\"}",
     .dflt = "every process loads; no oracle finding, no kernel panic"},
    {.name = "cases",
     .forms = GS_F_ARR,
     .min = 1,
     .item = &case_item,
     .desc = "Variations of the scenario, each a JSON Merge Patch over it with an id (grantsim run "
             "--case ID).",
     .example = "[{\"id\": \"head\"}, {\"id\": \"2.2\", \"board\": {\"profile\": \"2.2\"}}]",
     .dflt = "none: the scenario runs once, as written"},
};
const struct gs_scn_obj gs_scn_scenario = {
    .name = "scenario",
    .what = "a scenario",
    KEYS(scenario_keys),
    .desc = "A grantsim scenario file: board, drivers, processes and expectations "
            "(scenarios/README.md). grantsim itself checks more than this schema can say (value "
            "ranges that depend on the board, names that must exist, one base per relative value, "
            "rules between keys) and names the file, line, column and JSON path of each problem."};

static const struct gs_scn_key case_keys[] = {
    {.name = "id",
     .forms = GS_F_STR,
     .pattern = "^[A-Za-z0-9._-]+$",
     .what = "a case id",
     .desc = "The case's name: letters, digits, '.', '_' and '-', unique in the file.",
     .example = "\"2.2\"",
     .need = "each case has an id, used by --case ID"},
    {.name = "description",
     .forms = GS_F_STR,
     .what = "a description",
     .desc = "What this case shows (replaces the scenario's).",
     .example = "\"the same on release 2.2\"",
     .dflt = "the scenario's"},
    {.name = "known_divergence",
     .forms = GS_F_STR | GS_F_NULL,
     .desc = "Merged into the scenario's known_divergence (null: this case must pass).",
     .example = "null",
     .dflt = "the scenario's"},
    {.name = "board",
     .forms = GS_F_OBJ | GS_F_NULL,
     .desc = "Merged into the scenario's board (RFC 7386: objects merge, other values replace, "
             "null deletes).",
     .example = "{\"profile\": \"2.2\"}",
     .dflt = "the scenario's"},
    {.name = "drivers",
     .forms = GS_F_ARR | GS_F_NULL,
     .desc = "Replaces the scenario's drivers (null: none).",
     .example = "[{\"type\": \"test\", \"grant\": {\"t_size\": 0}}]",
     .dflt = "the scenario's"},
    {.name = "processes",
     .forms = GS_F_ARR,
     .desc = "Replaces the scenario's processes.",
     .example = "[{\"name\": \"s\", \"then\": \"yield\", \"script\": []}]",
     .dflt = "the scenario's"},
    {.name = "expect",
     .forms = GS_F_OBJ | GS_F_NULL,
     .desc = "Merged into the scenario's expectations (a relative value replaces the one it "
             "patches whole).",
     .example = "{\"processes\": {\"s\": {\"kernel_break\": {\"end\": \"-0x524\"}}}}",
     .dflt = "the scenario's"},
};
const struct gs_scn_obj gs_scn_case = {
    .name = "case",
    .what = "a case",
    KEYS(case_keys),
    .desc = "A variation: a JSON Merge Patch (RFC 7386) over the scenario, with an id for --case. "
            "The merged scenario is checked like the file."};

/* ----------------------------------------------------------------- board */

static const struct gs_scn_key board_keys[] = {
    {.name = "ram",
     .forms = GS_F_OBJ,
     .flags = GS_KF_DEF,
     .obj = &gs_scn_ram,
     .desc = "The RAM: where the process memory pool is.",
     .example = "{\"base\": \"0x20000000\", \"size\": \"0x40000\"}"},
    {.name = "flash",
     .forms = GS_F_OBJ,
     .flags = GS_KF_DEF,
     .obj = &gs_scn_flash,
     .desc = "The flash, where apps are placed; it must not overlap RAM.",
     .example = "{\"base\": 0, \"size\": \"0x100000\"}"},
    {.name = "app_flash_start",
     .forms = GS_F_NUM,
     .flags = GS_KF_HEX,
     .max = UINT32_MAX,
     .what = "an address in flash",
     .desc = "Where apps are placed in flash (on a 1 KiB boundary), each at the next address "
             "aligned to max(1 KiB, its size).",
     .example = "\"0x40000\"",
     .dflt = "flash base + 0x30000 (the flash base when flash is 0x30000 bytes or less)"},
    {.name = "app_ram_start",
     .forms = GS_F_NUM,
     .flags = GS_KF_HEX,
     .max = UINT32_MAX,
     .what = "an address in RAM",
     .desc = "The start of the process memory pool, inside RAM.",
     .example = "\"0x20004000\"",
     .dflt = "the RAM base"},
    {.name = "profile",
     .forms = GS_F_ENUM,
     .flags = GS_KF_DEF,
     N(profiles),
     .dv = 0,
     .what = "a Tock profile",
     .desc = "The kernel modelled: \"head\" (upstream tock at 65608d717), or \"2.2\" (release 2.2, "
             "with its documented differences, including the MPU sizing bug of issue #4366).",
     .example = "\"2.2\""},
    {.name = "num_procs",
     .forms = GS_F_NUM,
     .flags = GS_KF_DEF,
     .min = 1,
     .max = GS_MAX_PROCS,
     .dv = 4,
     .what = "a number of process slots",
     .desc = "Process slots (the board's NUM_PROCS, which IPC sizes its grant by).",
     .example = "2"},
    {.name = "pcb_size",
     .forms = GS_F_NUM,
     .flags = GS_KF_DEF,
     .max = 0x10000,
     .dv = 920,
     .what = "a size in bytes of the process struct",
     .desc = "size_of::<ProcessStandard>(): the kernel's reserve at the top of each process block.",
     .example = "1024"},
    {.name = "pcb_align",
     .forms = GS_F_NUM,
     .flags = GS_KF_DEF | GS_KF_PO2,
     .min = 1,
     .max = 4096,
     .dv = 4,
     .what = "an alignment",
     .desc = "align_of::<ProcessStandard>(), a power of two.",
     .example = "8"},
    {.name = "mpu",
     .forms = GS_F_OBJ,
     .flags = GS_KF_DEF,
     .obj = &gs_scn_mpu,
     .desc = "The MPU (a PMSAv7 model).",
     .example = "{\"regions\": 16}"},
    {.name = "fault_policy",
     .forms = GS_F_ENUM,
     .flags = GS_KF_DEF,
     N(gs_scn_policy_names),
     .dv = GS_FP_STOP,
     .what = "a fault policy",
     .desc = "What the kernel does with a process that faults (kernel/src/process_policies.rs), "
             "unless the process sets its own.",
     .example = "\"threshold-restart\""},
    {.name = "fault_threshold",
     .forms = GS_F_NUM,
     .flags = GS_KF_DEF,
     .max = 1000000,
     .dv = 0,
     .what = "a restart threshold",
     .desc = "The restart count the threshold policies allow.",
     .example = "3"},
    {.name = "timeslice",
     .forms = GS_F_NUM,
     .flags = GS_KF_DEF,
     .min = 20,
     .max = 1ull << 40,
     .dv = GS_DEFAULT_TIMESLICE,
     .what = "a timeslice in instructions",
     .desc = "Instructions per timeslice (time is counted in guest instructions).",
     .example = "10000"},
    {.name = "max_instructions",
     .forms = GS_F_NUM,
     .flags = GS_KF_DEF,
     .min = 1,
     .max = 1000000000000ull,
     .dv = GS_SCN_DEFAULT_MAX_INSTRUCTIONS,
     .what = "an instruction budget",
     .desc = "The run's busy-time budget: instructions executed plus the kernel passes charged "
             "when they repeat, not idle time.",
     .example = "1000000"},
    {.name = "max_time_us",
     .forms = GS_F_NUM,
     .flags = GS_KF_DEF,
     .min = 1,
     .max = 1ull << 50,
     .dv = GS_SCN_DEFAULT_MAX_TIME_US,
     .what = "a simulated-time limit in microseconds",
     .desc = "The run's simulated-time limit in microseconds, idle time included (the run then "
             "ends with time-limit).",
     .example = "5000000"},
    {.name = "clock_hz",
     .forms = GS_F_NUM,
     .flags = GS_KF_DEF,
     .min = 1000,
     .max = 1ull << 40,
     .dv = GS_SCN_DEFAULT_CLOCK_HZ,
     .what = "a clock rate in instructions per second",
     .desc = "Instructions per simulated second: converts max_time_us, and is the alarm's cpu_hz "
             "unless the alarm sets its own.",
     .example = "16000000"},
    {.name = "rng_seed",
     .forms = GS_F_NUM,
     .flags = GS_KF_DEF,
     .max = UINT64_MAX,
     .dv = 0,
     .what = "a seed",
     .desc = "The RNG driver's seed unless it sets its own.",
     .example = "42"},
    {.name = "inline_svc",
     .forms = GS_F_BOOL,
     .flags = GS_KF_DEF,
     .dv = 1,
     .desc = "Handle syscalls inside the CPU hook; false returns to the kernel loop for each one "
             "(same results, slower).",
     .example = "false"},
    {.name = "inject",
     .forms = GS_F_OBJ,
     .flags = GS_KF_DEF,
     .obj = &gs_scn_inject,
     .desc = "Fault injection: make the Nth allocation of a kind fail (the fuzzers' reproducers "
             "use it).",
     .example = "{\"grant_alloc_at\": 1}"},
};
const struct gs_scn_obj gs_scn_board = {
    .name = "board",
    .what = "board",
    KEYS(board_keys),
    .desc = "The board: memory, MPU, Tock profile, fault policy and the run's limits. grantsim "
            "checks that RAM and flash do not overlap and that the app areas lie inside them."};

static const struct gs_scn_key ram_keys[] = {
    {.name = "base",
     .forms = GS_F_NUM,
     .flags = GS_KF_DEF | GS_KF_HEX,
     .max = UINT32_MAX,
     .dv = 0x20000000,
     .what = "a base address",
     .desc = "The first RAM address, a multiple of 1 KiB.",
     .example = "\"0x20000000\""},
    {.name = "size",
     .forms = GS_F_NUM,
     .flags = GS_KF_DEF | GS_KF_HEX,
     .min = 1024,
     .max = MAX_SIZE,
     .dv = 0x20000,
     .what = "a size in bytes",
     .desc = "The RAM size, a multiple of 1 KiB ending below 4 GiB.",
     .example = "\"0x40000\""},
};
const struct gs_scn_obj gs_scn_ram = {
    .name = "ram",
    .what = "board RAM ({\"base\", \"size\"})",
    KEYS(ram_keys),
    .desc = "A memory region: base and size, both multiples of 1 KiB."};

static const struct gs_scn_key flash_keys[] = {
    {.name = "base",
     .forms = GS_F_NUM,
     .flags = GS_KF_DEF | GS_KF_HEX,
     .max = UINT32_MAX,
     .dv = 0,
     .what = "a base address",
     .desc = "The first flash address, a multiple of 1 KiB.",
     .example = "\"0x00000000\""},
    {.name = "size",
     .forms = GS_F_NUM,
     .flags = GS_KF_DEF | GS_KF_HEX,
     .min = 1024,
     .max = MAX_SIZE,
     .dv = 0x80000,
     .what = "a size in bytes",
     .desc = "The flash size, a multiple of 1 KiB ending below 4 GiB.",
     .example = "\"0x100000\""},
};
const struct gs_scn_obj gs_scn_flash = {
    .name = "flash",
    .what = "board flash ({\"base\", \"size\"})",
    KEYS(flash_keys),
    .desc = "A memory region: base and size, both multiples of 1 KiB."};

static const struct gs_scn_key mpu_keys[] = {
    {.name = "model",
     .forms = GS_F_ENUM,
     .flags = GS_KF_DEF,
     N(mpu_models),
     .dv = 0,
     .what = "an MPU model",
     .desc = "The MPU architecture: the ARMv7-M PMSAv7 MPU (arch/cortex-m/src/mpu.rs).",
     .example = "\"pmsav7\""},
    {.name = "regions",
     .forms = GS_F_NUM,
     .flags = GS_KF_DEF | GS_KF_PO2,
     .min = 8,
     .max = 16,
     .dv = 8,
     .what = "a number of MPU regions (8 or 16)",
     .desc = "MPU regions: 8 (Cortex-M3/M4) or 16 (Cortex-M7).",
     .example = "16"},
    {.name = "min_region_size",
     .forms = GS_F_NUM,
     .flags = GS_KF_DEF | GS_KF_PO2,
     .min = 32,
     .max = 0x10000,
     .dv = 32,
     .what = "a minimum region size",
     .desc = "The smallest region the MPU supports, a power of two (256 on a Cortex-M0+).",
     .example = "256"},
    {.name = "enforce",
     .forms = GS_F_BOOL,
     .flags = GS_KF_DEF,
     .dv = 1,
     .desc = "Enforce the MPU on guest accesses; false maps everything (the kernel and the "
             "isolation oracle still see the registers).",
     .example = "false"},
};
const struct gs_scn_obj gs_scn_mpu = {
    .name = "mpu", .what = "the MPU", KEYS(mpu_keys), .desc = "The MPU model and its geometry."};

static const struct gs_scn_key inject_keys[] = {
    {.name = "grant_alloc_at",
     .forms = GS_F_NUM,
     .flags = GS_KF_DEF,
     .max = UINT32_MAX,
     .dv = 0,
     .what = "the number of the grant-region allocation that fails (1 = the first)",
     .desc = "The Nth allocation in a grant region (grants and custom grants, from 1) fails as if "
             "memory ran out; 0: none.",
     .example = "1"},
    {.name = "mpu_region_at",
     .forms = GS_F_NUM,
     .flags = GS_KF_DEF,
     .max = UINT32_MAX,
     .dv = 0,
     .what = "the number of the IPC MPU region allocation that fails (1 = the first)",
     .desc = "The Nth MPU region IPC asks for (from 1) cannot be allocated; 0: none.",
     .example = "2"},
};
const struct gs_scn_obj gs_scn_inject = {.name = "inject",
                                         .what = "an injection",
                                         KEYS(inject_keys),
                                         .desc = "The kernel's fault injection counters."};

/* --------------------------------------------------------------- drivers */

enum { D_CONSOLE = V(0), D_ALARM = V(1), D_LED = V(2), D_RNG = V(3), D_TEST = V(6) };

static const struct gs_scn_key input_item = {.forms = GS_F_OBJ, .obj = &gs_scn_input};

static const struct gs_scn_key driver_keys[] = {
    {.name = "type",
     .forms = GS_F_ENUM,
     N(gs_scn_driver_types),
     .what = "a driver type",
     .desc = "The capsule: console, alarm, led, rng, lld (low-level debug), ipc, or test (a "
             "capsule with a grant of any shape).",
     .example = "\"console\"",
     .need = "one of \"console\", \"alarm\", \"led\", \"rng\", \"lld\", \"ipc\", \"test\""},
    {.name = "driver",
     .forms = GS_F_NUM,
     .flags = GS_KF_HEX,
     .max = UINT32_MAX,
     .vdef = driver_numbers,
     .what = "a driver number",
     .desc = "The driver number; two drivers may not share one.",
     .example = "\"0x90001\"",
     .dflt = "the type's upstream number"},
    {.name = "input",
     .forms = GS_F_STR | GS_F_ARR,
     .max = 4096,
     .item = &input_item,
     .only = D_CONSOLE,
     .desc = "Console input: a string (a stream the sender holds from time 0, handed over as reads "
             "want it), or bursts that reach the UART at their times (instructions, in order); "
             "bytes no pending read takes are lost.",
     .example = "[{\"at\": 100000, \"bytes\": \"hi\\n\"}]",
     .dflt = "none: no byte ever arrives"},
    {.name = "latency",
     .forms = GS_F_NUM,
     .flags = GS_KF_DEF,
     .max = 1ull << 40,
     .dv = 0,
     .only = D_CONSOLE,
     .what = "a latency in instructions",
     .desc = "Instructions from a write to its upcall, and from a read to the stream's bytes.",
     .example = "500"},
    {.name = "frequency",
     .forms = GS_F_NUM,
     .flags = GS_KF_DEF,
     .min = 1,
     .max = UINT32_MAX,
     .dv = GS_SCN_ALARM_HZ,
     .only = D_ALARM,
     .what = "a frequency in Hz",
     .desc = "The alarm's tick rate in Hz (a 32 kHz RTC by default).",
     .example = "1000000"},
    {.name = "cpu_hz",
     .forms = GS_F_NUM,
     .min = 1,
     .max = 1ull << 40,
     .only = D_ALARM,
     .what = "instructions per second",
     .desc = "Instructions per second, which converts ticks to instructions.",
     .example = "16000000",
     .dflt = "the board's clock_hz"},
    {.name = "count",
     .forms = GS_F_NUM,
     .flags = GS_KF_DEF,
     .max = GS_MAX_LEDS,
     .dv = 4,
     .only = D_LED,
     .what = "a number of LEDs",
     .desc = "The number of LEDs.",
     .example = "2"},
    {.name = "seed",
     .forms = GS_F_NUM,
     .max = UINT64_MAX,
     .only = D_RNG,
     .what = "a seed",
     .desc = "The RNG's seed.",
     .example = "7",
     .dflt = "the board's rng_seed"},
    {.name = "grant",
     .forms = GS_F_OBJ,
     .flags = GS_KF_DEF,
     .obj = &gs_scn_shape,
     .only = D_TEST,
     .desc = "The shape of the test capsule's grant.",
     .example = "{\"t_size\": 64, \"t_align\": 8}"},
    {.name = "check_t_bounds",
     .forms = GS_F_BOOL,
     .flags = GS_KF_DEF,
     .dv = 1,
     .only = D_TEST,
     .desc = "The test capsule checks its writes against T's bounds; false models a capsule that "
             "writes past T.",
     .example = "false"},
};
const struct gs_scn_obj gs_scn_driver = {
    .name = "driver",
    .what = "this driver",
    KEYS(driver_keys),
    .variants = gs_scn_driver_types,
    .nvariants = 7,
    .variant_key = "type",
    .desc =
        "A capsule on the board. A board has at most one driver of each type but test (up to 4)."};

static const struct gs_scn_key input_keys[] = {
    {.name = "at",
     .forms = GS_F_NUM,
     .max = 1ull << 62,
     .what = "a time in instructions",
     .desc = "When the bytes arrive, in instructions since boot; not before the previous input's.",
     .example = "100000",
     .need = "the time the bytes arrive (instructions)"},
    {.name = "bytes",
     .forms = GS_F_STR,
     .what = "the bytes that arrive",
     .desc = "The bytes that arrive, in order.",
     .example = "\"hello\\n\"",
     .need = "the bytes that arrive (a string)"},
};
const struct gs_scn_obj gs_scn_input = {
    .name = "input", .what = "an input", KEYS(input_keys), .desc = "A burst of console input."};

static const struct gs_scn_key shape_keys[] = {
    {.name = "t_size",
     .forms = GS_F_NUM,
     .flags = GS_KF_DEF,
     .max = 0x10000,
     .dv = 16,
     .what = "the size of T in bytes",
     .desc = "size_of::<T>() of the grant's type, a multiple of its alignment.",
     .example = "64"},
    {.name = "t_align",
     .forms = GS_F_NUM,
     .flags = GS_KF_DEF | GS_KF_PO2,
     .min = 1,
     .max = 65536,
     .dv = 4,
     .what = "the alignment of T",
     .desc = "align_of::<T>(), a power of two.",
     .example = "8"},
    {.name = "upcalls",
     .forms = GS_F_NUM,
     .flags = GS_KF_DEF,
     .max = 255,
     .dv = 2,
     .what = "an upcall count (u8)",
     .desc = "The grant's upcall count (UpcallSize).",
     .example = "1"},
    {.name = "ro",
     .forms = GS_F_NUM,
     .flags = GS_KF_DEF,
     .max = 255,
     .dv = 2,
     .what = "a read-only allow count (u8)",
     .desc = "The grant's read-only allow count (AllowRoSize).",
     .example = "0"},
    {.name = "rw",
     .forms = GS_F_NUM,
     .flags = GS_KF_DEF,
     .max = 255,
     .dv = 2,
     .what = "a read-write allow count (u8)",
     .desc = "The grant's read-write allow count (AllowRwSize).",
     .example = "1"},
};
const struct gs_scn_obj gs_scn_shape = {
    .name = "grant_shape",
    .what = "a grant shape",
    KEYS(shape_keys),
    .desc =
        "A grant's shape: Grant<T, UpcallSize, AllowRoSize, AllowRwSize> (kernel/src/grant.rs)."};

/* ------------------------------------------------------------- processes */

static const struct gs_scn_key step_item = {.forms = GS_F_OBJ, .obj = &gs_scn_step};

static const struct gs_scn_key process_keys[] = {
    {.name = "name",
     .forms = GS_F_STR,
     .min = 1,
     .max = MAX_NAME,
     .what = "a package name",
     .desc = "The package name: what IPC discovery compares, and the key of the process's "
             "expectations; unique. Required for elf and script processes.",
     .example = "\"org.tockos.client\"",
     .dflt = "an app's name; a TBF's (tbf, tab) own package name"},
    {.name = "app",
     .forms = GS_F_STR,
     .flags = GS_KF_ONE_OF,
     .only = P_APP,
     .what = "an app name or a file path",
     .desc = "One of grantsim's apps, as built (apps/NAME: build/apps/NAME.elf; --apps DIR or "
             "$GRANTSIM_APPS to look elsewhere).",
     .example = "\"hello\""},
    {.name = "elf",
     .forms = GS_F_STR,
     .flags = GS_KF_ONE_OF,
     .only = P_ELF,
     .what = "an app name or a file path",
     .desc = "A libtock-c ELF, relative to the scenario file, sized as elf2tab sizes it.",
     .example = "\"apps/hello.elf\""},
    {.name = "tbf",
     .forms = GS_F_STR,
     .flags = GS_KF_ONE_OF,
     .only = P_TBF,
     .what = "an app name or a file path",
     .desc = "A TBF, relative to the scenario file; it keeps its own package name and minimum RAM.",
     .example = "\"hello.tbf\""},
    {.name = "tab",
     .forms = GS_F_STR,
     .flags = GS_KF_ONE_OF,
     .only = P_TAB,
     .what = "an app name or a file path",
     .desc = "A TAB (the tar of TBFs elf2tab writes and tockloader installs), relative to the "
             "scenario file; its TBF for \"arch\" is loaded as a tbf.",
     .example = "\"hello.tab\""},
    {.name = "arch",
     .forms = GS_F_STR,
     .flags = GS_KF_DEF,
     .dstr = GS_TAB_DEFAULT_ARCH,
     .only = P_TAB,
     .what = "an architecture (a TBF name in the TAB, such as \"cortex-m4\")",
     .desc = "The TBF a tab's process takes: ARCH.tbf, else the first ARCH.*.tbf.",
     .example = "\"cortex-m0\""},
    {.name = "script",
     .forms = GS_F_ARR,
     .flags = GS_KF_ONE_OF,
     .max = GS_SCRIPT_MAX_STEPS,
     .item = &step_item,
     .only = P_SCRIPT,
     .desc = "A scripted process: its syscalls and memory accesses, run by a Thumb interpreter "
             "through real svc instructions.",
     .example = "[{\"command\": {\"driver\": 1, \"cmd\": 0}}, {\"yield\": {\"mode\": \"wait\"}}]"},
    {.name = "min_ram",
     .forms = GS_F_NUM,
     .flags = GS_KF_HEX,
     .max = MAX_SIZE,
     .only = P_APP | P_ELF | P_SCRIPT,
     .what = "a minimum RAM size",
     .desc = "The minimum RAM (the TBF's minimum_ram_size); instead of stack, app_heap and "
             "kernel_heap.",
     .example = "\"0x1000\"",
     .dflt = "a script's " STR(GS_SCN_DEFAULT_SCRIPT_RAM) "; an ELF's from elf2tab's computation"},
    {.name = "stack",
     .forms = GS_F_NUM,
     .max = MAX_SIZE,
     .only = P_APP | P_ELF,
     .what = "a size in bytes",
     .desc = "elf2tab's --stack, from which the minimum RAM is computed (elf2tab src/convert.rs).",
     .example = "2048",
     .dflt = "the crt0 header's stack size, else the ELF's STACK_SIZE symbol, else 2048"},
    {.name = "app_heap",
     .forms = GS_F_NUM,
     .max = MAX_SIZE,
     .only = P_APP | P_ELF,
     .what = "a size in bytes",
     .desc = "elf2tab's --app-heap, from which the minimum RAM is computed.",
     .example = "4096",
     .dflt = "the ELF's APP_HEAP_SIZE symbol, else 1024"},
    {.name = "kernel_heap",
     .forms = GS_F_NUM,
     .max = MAX_SIZE,
     .only = P_APP | P_ELF,
     .what = "a size in bytes",
     .desc = "elf2tab's --kernel-heap, from which the minimum RAM is computed.",
     .example = "1024",
     .dflt = "the ELF's KERNEL_HEAP_SIZE symbol, else 1024"},
    {.name = "fault_policy",
     .forms = GS_F_ENUM,
     N(gs_scn_policy_names),
     .what = "a fault policy",
     .desc = "The process's own fault policy.",
     .example = "\"restart\"",
     .dflt = "the board's"},
    {.name = "fault_threshold",
     .forms = GS_F_NUM,
     .max = 1000000,
     .what = "a restart threshold",
     .desc = "The restart count its threshold policy allows.",
     .example = "2",
     .dflt = "the board's"},
    {.name = "then",
     .forms = GS_F_ENUM,
     .flags = GS_KF_DEF,
     N(thens),
     .dv = 0,
     .only = P_SCRIPT,
     .what = "what the script does after its steps",
     .desc = "After the last step: exit (Exit-Terminate with exit_code), restart (Exit-Restart), "
             "yield (Yield-Wait forever; upcalls are still logged).",
     .example = "\"yield\""},
    {.name = "exit_code",
     .forms = GS_F_REG,
     .flags = GS_KF_DEF,
     .dv = 0,
     .only = P_SCRIPT,
     .what = "a completion code",
     .desc = "The completion code of the final exit or restart.",
     .example = "7"},
    {.name = "record",
     .forms = GS_F_BOOL,
     .flags = GS_KF_DEF,
     .dv = 1,
     .only = P_SCRIPT,
     .desc = "Record r0-r3 after each step and every upcall; false: no prologue, nothing to check, "
             "the process uses only its first 32 bytes.",
     .example = "false"},
    {.name = "buf_size",
     .forms = GS_F_NUM,
     .flags = GS_KF_DEF,
     .max = MAX_SIZE,
     .dv = GS_SCN_DEFAULT_BUF_SIZE,
     .only = P_SCRIPT,
     .what = "a buffer size in bytes",
     .desc = "Bytes of buffer space after the result area ({\"buf\": N} points into it).",
     .example = "1024"},
    {.name = "data",
     .forms = GS_F_STR,
     .min = 2,
     .max = 2 * GS_SCRIPT_MAX_DATA,
     .pattern = "^([0-9a-fA-F]{2})+$",
     .only = P_SCRIPT,
     .what = "hex bytes (\"0a1b...\")",
     .desc = "Bytes (pairs of hex digits, up to 4096 bytes) placed in flash after the step table, "
             "read-only; {\"data\": N} points at them.",
     .example = "\"6f72672e746f636b6f732e736572766963650a\"",
     .dflt = "none"},
    {.name = "package_name",
     .forms = GS_F_STR,
     .max = MAX_NAME,
     .only = P_SCRIPT,
     .what = "a package name (may be empty)",
     .desc = "The package name in the script's TBF when it must differ from name: \"\" for none, "
             "or another process's name.",
     .example = "\"\"",
     .dflt = "the process's name"},
    {.name = "protected_size",
     .forms = GS_F_NUM,
     .flags = GS_KF_DEF,
     .max = 0x10000,
     .dv = 0,
     .only = P_SCRIPT,
     .what = "a protected region size in bytes (0, or at least the TBF header)",
     .desc = "The TBF's protected region, header included (elf2tab's --protected-region-size); 0: "
             "the image starts right after the header.",
     .example = "256"},
};
const struct gs_scn_obj gs_scn_process = {
    .name = "process",
    .what = "a process",
    KEYS(process_keys),
    .variants = gs_scn_process_srcs,
    .nvariants = 5,
    .desc = "A process: exactly one of app, elf, tbf, tab or script, and its options."};

/* ----------------------------------------------------------------- steps */

static const struct gs_scn_key step_keys[] = {
    {.name = "command",
     .forms = GS_F_OBJ,
     .flags = GS_KF_ONE_OF,
     .obj = &gs_scn_command,
     .desc = "Command (svc 2).",
     .example = "{\"driver\": 1, \"cmd\": 1, \"arg0\": 4}"},
    {.name = "subscribe",
     .forms = GS_F_OBJ,
     .flags = GS_KF_ONE_OF,
     .obj = &gs_scn_subscribe,
     .desc = "Subscribe (svc 1).",
     .example = "{\"driver\": 0, \"num\": 0, \"fn\": {\"upcall\": 0}}"},
    {.name = "allow_rw",
     .forms = GS_F_OBJ,
     .flags = GS_KF_ONE_OF,
     .obj = &gs_scn_allow,
     .desc = "Read-write allow (svc 3).",
     .example = "{\"driver\": 1, \"num\": 1, \"ptr\": {\"buf\": 0}, \"len\": 16}"},
    {.name = "allow_ro",
     .forms = GS_F_OBJ,
     .flags = GS_KF_ONE_OF,
     .obj = &gs_scn_allow,
     .desc = "Read-only allow (svc 4).",
     .example = "{\"driver\": 1, \"num\": 1, \"ptr\": {\"buf\": 0}, \"len\": 16}"},
    {.name = "allow_ur",
     .forms = GS_F_OBJ,
     .flags = GS_KF_ONE_OF,
     .obj = &gs_scn_allow,
     .desc = "Userspace-readable allow (svc 7).",
     .example = "{\"driver\": \"0x90000\", \"num\": 0, \"ptr\": {\"buf\": 0}, \"len\": 8}"},
    {.name = "memop",
     .forms = GS_F_OBJ,
     .flags = GS_KF_ONE_OF,
     .obj = &gs_scn_memop,
     .desc = "Memop (svc 5).",
     .example = "{\"op\": \"sbrk\", \"arg\": 256}"},
    {.name = "yield",
     .forms = GS_F_OBJ,
     .flags = GS_KF_ONE_OF,
     .obj = &gs_scn_yield,
     .desc = "Yield (svc 0).",
     .example = "{\"mode\": \"wait\"}"},
    {.name = "exit",
     .forms = GS_F_OBJ,
     .flags = GS_KF_ONE_OF,
     .obj = &gs_scn_exit,
     .desc = "Exit (svc 6).",
     .example = "{\"mode\": \"restart\", \"code\": 1}"},
    {.name = "raw",
     .forms = GS_F_OBJ,
     .flags = GS_KF_ONE_OF,
     .obj = &gs_scn_raw,
     .desc = "Any svc number with r0-r3 as given (invalid ones included).",
     .example = "{\"class\": 8}"},
    {.name = "store32",
     .forms = GS_F_OBJ,
     .flags = GS_KF_ONE_OF,
     .obj = &gs_scn_store32,
     .desc = "A 32-bit store in user code (no syscall).",
     .example = "{\"addr\": {\"buf\": 0}, \"value\": \"0xdeadbeef\"}"},
    {.name = "fill8",
     .forms = GS_F_OBJ,
     .flags = GS_KF_ONE_OF,
     .obj = &gs_scn_fill8,
     .desc = "Byte stores in user code.",
     .example = "{\"addr\": {\"buf\": 0}, \"value\": 255, \"len\": 16}"},
    {.name = "load32",
     .forms = GS_F_OBJ,
     .flags = GS_KF_ONE_OF,
     .obj = &gs_scn_load32,
     .desc = "A 32-bit load in user code: r0 is the word, or the process faults.",
     .example = "{\"addr\": {\"ram\": 0}}"},
    {.name = "spin",
     .forms = GS_F_OBJ,
     .flags = GS_KF_ONE_OF,
     .obj = &gs_scn_spin,
     .desc = "A busy loop of 4 instructions per count.",
     .example = "{\"count\": 1000}"},
    {.name = "id",
     .forms = GS_F_STR,
     .pattern = "[^0-9]",
     .what = "a step id",
     .desc = "A name for the step (not a number, unique in the script), for "
             "expect.processes.NAME.steps.",
     .example = "\"write\"",
     .dflt = "none: the step is known by its index"},
    {.name = "note",
     .forms = GS_F_STR,
     .what = "a note",
     .desc = "A comment.",
     .example = "\"the buffer is now shared\"",
     .dflt = "none"},
    {.name = "expect",
     .forms = GS_F_ENUM | GS_F_OBJ,
     N(gs_scn_regs_names),
     .obj = &gs_scn_regs,
     .desc = "What the step leaves in r0-r3: a variant name, \"never\" (the step must not "
             "complete), or an object.",
     .example = "{\"variant\": \"Failure\", \"error\": \"NOMEM\"}",
     .dflt = "not checked"},
};
const struct gs_scn_obj gs_scn_step = {.name = "step",
                                       .what = "a step",
                                       KEYS(step_keys),
                                       .desc = "One step of a script: exactly one kind, its "
                                               "arguments, and optionally id, note and expect."};

/* Step arguments: r0..r3 of the syscall, in order, unless said otherwise. */
static const struct gs_scn_key command_keys[] = {
    {.name = "driver",
     .forms = GS_F_REG,
     .what = "a driver number",
     .desc = "r0: the driver number.",
     .example = "\"0x90000\"",
     .need = REQUIRED},
    {.name = "cmd",
     .forms = GS_F_REG,
     .what = "a number",
     .desc = "r1: the command number.",
     .example = "1",
     .need = REQUIRED},
    ARG("arg0", "r2: the first argument.", "{\"buf\": 0}"),
    ARG("arg1", "r3: the second argument.", "16"),
};
const struct gs_scn_obj gs_scn_command = {
    .name = "command",
    .what = "command",
    KEYS(command_keys),
    .desc = "Command: driver and command number are required; the arguments are 0 unless given."};

static const struct gs_scn_key subscribe_keys[] = {
    {.name = "driver",
     .forms = GS_F_REG,
     .what = "a driver number",
     .desc = "r0: the driver number.",
     .example = "0",
     .need = REQUIRED},
    {.name = "num",
     .forms = GS_F_REG,
     .what = "a number",
     .desc = "r1: the subscribe number.",
     .example = "0",
     .need = REQUIRED},
    ARG("fn", "r2: the upcall function (0: the null upcall), usually {\"upcall\": H}.",
        "{\"upcall\": 0}"),
    ARG("appdata", "r3: the application data passed to the upcall.", "\"0x1234\""),
};
const struct gs_scn_obj gs_scn_subscribe = {
    .name = "subscribe",
    .what = "subscribe",
    KEYS(subscribe_keys),
    .desc =
        "Subscribe: driver and subscribe number are required; fn and appdata are 0 unless given."};

static const struct gs_scn_key allow_keys[] = {
    {.name = "driver",
     .forms = GS_F_REG,
     .what = "a driver number",
     .desc = "r0: the driver number.",
     .example = "1",
     .need = REQUIRED},
    {.name = "num",
     .forms = GS_F_REG,
     .what = "a number",
     .desc = "r1: the allow number.",
     .example = "1",
     .need = REQUIRED},
    ARG("ptr", "r2: the buffer's address.", "{\"buf\": 0}"),
    ARG("len", "r3: the buffer's length in bytes.", "16"),
};
const struct gs_scn_obj gs_scn_allow = {
    .name = "allow",
    .what = "an allow",
    KEYS(allow_keys),
    .desc = "Allow (read-write, read-only or userspace-readable): driver and allow number are "
            "required; ptr and len are 0 unless given."};

static const struct gs_scn_key memop_keys[] = {
    {.name = "op",
     .forms = GS_F_ENUM | GS_F_REG,
     N(gs_scn_memop_ops),
     .what = "a memop operation (a name or a number)",
     .desc = "r0: the operation, by name (brk = 0 ... heap_start = 11) or number.",
     .example = "\"brk\"",
     .need = "the operation: a name such as \"brk\", or a number"},
    ARG("arg", "r1: its argument (brk: the new break; sbrk: the increment).",
        "{\"ram\": \"0x800\"}"),
};
const struct gs_scn_obj gs_scn_memop = {.name = "memop",
                                        .what = "memop",
                                        KEYS(memop_keys),
                                        .desc = "Memop: op is required; arg is 0 unless given."};

static const struct gs_scn_key yield_keys[] = {
    {.name = "mode",
     .forms = GS_F_ENUM,
     N(yield_modes),
     .what = "a yield mode",
     .desc = "r0: no-wait (0), wait (1) or wait-for (2).",
     .example = "\"wait-for\"",
     .need = "\"no-wait\", \"wait\" or \"wait-for\""},
    {.name = "flag",
     .forms = GS_F_VALUE,
     .obj = &gs_scn_value_obj,
     .flags = GS_KF_DEF,
     .what = "a pointer",
     .desc = "no-wait only: r1, the byte the kernel sets to 1 when an upcall ran, 0 otherwise (0: "
             "none).",
     .example = "{\"result\": 0}"},
    {.name = "driver",
     .forms = GS_F_REG,
     .what = "a driver number",
     .desc = "wait-for only (and required there): r1, the driver to wait for.",
     .example = "\"0x40001\"",
     .dflt = "none (the other modes refuse it)"},
    {.name = "num",
     .forms = GS_F_REG,
     .what = "a subscribe number",
     .desc = "wait-for only (and required there): r2, the subscribe number to wait for.",
     .example = "0",
     .dflt = "none (the other modes refuse it)"},
};
const struct gs_scn_obj gs_scn_yield = {.name = "yield",
                                        .what = "yield",
                                        KEYS(yield_keys),
                                        .desc =
                                            "Yield: mode is required; wait-for needs driver and "
                                            "num; flag belongs to no-wait (0 unless given)."};

static const struct gs_scn_key exit_keys[] = {
    {.name = "mode",
     .forms = GS_F_ENUM,
     N(exit_modes),
     .what = "an exit mode",
     .desc = "r0: terminate (0) or restart (1).",
     .example = "\"terminate\"",
     .need = "\"terminate\" or \"restart\""},
    ARG("code", "r1: the completion code.", "3"),
};
const struct gs_scn_obj gs_scn_exit = {.name = "exit",
                                       .what = "exit",
                                       KEYS(exit_keys),
                                       .desc = "Exit: mode is required; code is 0 unless given."};

static const struct gs_scn_key raw_keys[] = {
    {.name = "class",
     .forms = GS_F_NUM,
     .max = 255,
     .what = "an svc number",
     .desc = "The svc number (0-255; 8 and above are invalid syscall classes).",
     .example = "200",
     .need = "the svc number, 0..255"},
    ARG("r0", "r0.", "1"),
    ARG("r1", "r1.", "0"),
    ARG("r2", "r2.", "{\"buf\": 0}"),
    ARG("r3", "r3.", "4"),
};
const struct gs_scn_obj gs_scn_raw = {
    .name = "raw",
    .what = "raw",
    KEYS(raw_keys),
    .desc = "A raw svc: class is required; r0-r3 are 0 unless given."};

static const struct gs_scn_key store32_keys[] = {
    {.name = "addr",
     .forms = GS_F_VALUE,
     .obj = &gs_scn_value_obj,
     .what = "a register value",
     .desc = "The address stored to.",
     .example = "{\"buf\": 0}",
     .need = REQUIRED},
    ARG("value", "The word stored.", "\"0xdeadbeef\""),
};
const struct gs_scn_obj gs_scn_store32 = {
    .name = "store32",
    .what = "store32",
    KEYS(store32_keys),
    .desc = "A word store: addr is required; value is 0 unless given."};

static const struct gs_scn_key fill8_keys[] = {
    {.name = "addr",
     .forms = GS_F_VALUE,
     .obj = &gs_scn_value_obj,
     .what = "a register value",
     .desc = "The first address stored to.",
     .example = "{\"buf\": 0}",
     .need = REQUIRED},
    {.name = "value",
     .forms = GS_F_NUM,
     .flags = GS_KF_DEF,
     .max = 255,
     .dv = 0,
     .what = "a register value",
     .desc = "The byte stored, 0 to 255.",
     .example = "255"},
    {.name = "len",
     .forms = GS_F_VALUE,
     .obj = &gs_scn_value_obj,
     .what = "a register value",
     .desc = "The number of bytes stored.",
     .example = "16",
     .need = REQUIRED},
};
const struct gs_scn_obj gs_scn_fill8 = {
    .name = "fill8",
    .what = "fill8",
    KEYS(fill8_keys),
    .desc = "Byte stores: addr and len are required; value is 0 unless given."};

static const struct gs_scn_key load32_keys[] = {
    {.name = "addr",
     .forms = GS_F_VALUE,
     .obj = &gs_scn_value_obj,
     .what = "a register value",
     .desc = "The address loaded from.",
     .example = "{\"ram\": 0}",
     .need = REQUIRED},
};
const struct gs_scn_obj gs_scn_load32 = {.name = "load32",
                                         .what = "load32",
                                         KEYS(load32_keys),
                                         .desc = "A word load: addr is required."};

static const struct gs_scn_key spin_keys[] = {
    {.name = "count",
     .forms = GS_F_VALUE,
     .obj = &gs_scn_value_obj,
     .what = "a register value",
     .desc = "Loop iterations (4 instructions each).",
     .example = "1000",
     .need = REQUIRED},
};
const struct gs_scn_obj gs_scn_spin = {
    .name = "spin", .what = "spin", KEYS(spin_keys), .desc = "A busy loop: count is required."};

/* ---------------------------------------------------------------- values */

#define BASE(nm, d, ex)                                                                            \
    {                                                                                              \
        .name = nm, .forms = GS_F_REG, .flags = GS_KF_ONE_OF, .what = "an offset", .desc = d,      \
        .example = ex                                                                              \
    }
static const struct gs_scn_key value_keys[] = {
    BASE("ram", "memory_start + N.", "\"0x400\""),
    BASE("flash",
         "The app's start in flash (r0 at entry; the first byte after the TBF header) + N.", "-4"),
    {.name = "upcall",
     .forms = GS_F_NUM,
     .flags = GS_KF_ONE_OF,
     .max = GS_SCRIPT_HANDLERS - 1,
     .what = "an upcall handler number",
     .desc = "Scripts: the address of upcall handler H (0-7, Thumb bit set).",
     .example = "0"},
    {.name = "result",
     .forms = GS_F_NUM,
     .flags = GS_KF_ONE_OF,
     .max = GS_SCRIPT_MAX_STEPS - 1,
     .what = "a step number",
     .desc =
         "Scripts: the spare word of step S's result slot (a Yield-NoWait flag, a small buffer).",
     .example = "3"},
    BASE("buf",
         "Scripts: the first byte after the script's result area + N (free RAM for buffers).",
         "\"0x10\""),
    BASE("end", "memory_start + memory_len + N: the top of the process's block (N negative).",
         "\"-0x524\""),
    BASE("data", "Scripts: the script's flash data + N.", "0"),
    BASE("tbf", "The process's TBF (its protected header) + N.", "0"),
    BASE("tbf_end", "The end of the process's TBF (its total_size) + N.", "-4"),
    {.name = "of",
     .forms = GS_F_STR,
     .desc = "The process the base refers to, by name.",
     .example = "\"client\"",
     .dflt = "the process the value belongs to (a board-wide value needs one)"},
};
const struct gs_scn_obj gs_scn_value_obj = {.name = "value",
                                            .what = "a value relative to a process",
                                            KEYS(value_keys),
                                            .desc =
                                                "An address in a process: exactly one base and its "
                                                "offset, with an optional \"of\": PROCESS."};

/* ---------------------------------------------------------- expectations */

static const struct gs_scn_key regs_keys[] = {
    {.name = "variant",
     .forms = GS_F_ENUM,
     .names = gs_scn_regs_names,
     .nnames = 10,
     .what = "a return variant",
     .desc = "r0: the TRD104 return variant.",
     .example = "\"SuccessU32\""},
    {.name = "error",
     .forms = GS_F_ENUM,
     N(gs_scn_ecode_names),
     .what = "an ErrorCode name",
     .desc = "r1 as an ErrorCode name (alone: any Failure variant); not with r1.",
     .example = "\"NOMEM\""},
    VALUE("r0", "a register value", "r0.", "128"),
    VALUE("r1", "a register value", "r1.", "{\"ram\": \"0x800\"}"),
    VALUE("r2", "a register value", "r2.", "0"),
    VALUE("r3", "a register value", "r3.", "0"),
};
const struct gs_scn_obj gs_scn_regs = {.name = "regs",
                                       .what = "a step expectation",
                                       KEYS(regs_keys),
                                       .absent = "not checked",
                                       .nonempty = true,
                                       .desc = "What a step leaves in r0-r3; registers a variant "
                                               "does not write keep what the step passed in."};

static const struct gs_scn_key text_keys[] = {
    {.name = "contains",
     .forms = GS_F_STR,
     .desc = "Text the output must contain.",
     .example = "\"Hello\"",
     .need = "the text that must appear"},
};
const struct gs_scn_obj gs_scn_text = {
    .name = "text",
    .what = "a text expectation",
    KEYS(text_keys),
    .desc = "Output that must contain a text (a string instead is the exact output)."};

static const struct gs_scn_key led_item = {.forms = GS_F_BOOL};
static const struct gs_scn_key finding_item = {
    .forms = GS_F_STR, .pattern = "^(ownership|layout|isolation|panic)[:*]"};
static const struct gs_scn_key oracle_item = {.forms = GS_F_ENUM, N(gs_scn_oracle_names)};
static const struct gs_scn_key pexpect_item = {.forms = GS_F_OBJ, .obj = &gs_scn_pexpect};

static const struct gs_scn_key expect_keys[] = {
    {.name = "run_end",
     .forms = GS_F_ENUM,
     N(gs_scn_run_end_names),
     .what = "how the run ends",
     .desc = "How the run ended: idle (nothing can happen any more), limit (the instruction budget "
             "ran out), time-limit, panic, error.",
     .example = "\"idle\""},
    TEXT("console", "All console output: the exact text, or {\"contains\": TEXT}.",
         "{\"contains\": \"Hello\"}"),
    TEXT("debug",
         "The kernel's debug output (fault-policy messages, low-level-debug lines), one line per "
         "message.",
         "{\"contains\": \"faulted\"}"),
    {.name = "led",
     .forms = GS_F_ARR,
     .item = &led_item,
     .desc = "One boolean per LED (on), as many as the LED driver has.",
     .example = "[true, false, false, false]"},
    {.name = "kernel_panic",
     .forms = GS_F_STR | GS_F_BOOL,
     .flags = GS_KF_DEF,
     .dv = 0,
     .desc = "The kernel panics with this message exactly (a string), with any message (true), or "
             "not (false).",
     .example = "true"},
    {.name = "findings",
     .forms = GS_F_ARR,
     .item = &finding_item,
     .desc = "Oracle findings that must be reported, by id KIND:SITE:CLASS (a trailing * matches "
             "any rest).",
     .example = "[\"isolation:mpu-app-exceeds:*\"]",
     .dflt = "none"},
    {.name = "silent",
     .forms = GS_F_ARR,
     .flags = GS_KF_DEF,
     .item = &oracle_item,
     .djson = "[\"ownership\", \"layout\", \"isolation\", \"panic\"]",
     .desc = "The oracles that must stay silent (findings of the others pass).",
     .example = "[\"ownership\", \"layout\"]"},
    {.name = "processes",
     .forms = GS_F_MAP,
     .item = &pexpect_item,
     .desc = "Per process, by name.",
     .example = "{\"s\": {\"state\": \"Terminated\"}}"},
};
const struct gs_scn_obj gs_scn_expect = {
    .name = "expect",
    .what = "expect",
    KEYS(expect_keys),
    .absent = "not checked",
    .desc = "What must hold once the run is over (with the oracles' verdict)."};

static const struct gs_scn_key fault_item = {.forms = GS_F_OBJ, .obj = &gs_scn_fault};
static const struct gs_scn_key grant_item = {.forms = GS_F_OBJ, .obj = &gs_scn_grant};
static const struct gs_scn_key mpu_region_item = {.forms = GS_F_OBJ, .obj = &gs_scn_mpu_region};
static const struct gs_scn_key upcall_item = {.forms = GS_F_OBJ, .obj = &gs_scn_upcall};
static const struct gs_scn_key memory_item = {.forms = GS_F_OBJ, .obj = &gs_scn_memory};
static const struct gs_scn_key regs_item = {
    .forms = GS_F_ENUM | GS_F_OBJ, N(gs_scn_regs_names), .obj = &gs_scn_regs};

#define LAYOUT(nm, d, ex) VALUE(nm, "an address or size", d, ex)
static const struct gs_scn_key pexpect_keys[] = {
    {.name = "loaded",
     .forms = GS_F_BOOL,
     .flags = GS_KF_DEF,
     .dv = 1,
     .desc = "Whether the process was created; a process expected not to load has no other "
             "expectations.",
     .example = "false"},
    {.name = "load_error",
     .forms = GS_F_STR,
     .what = "the name of the error that keeps it out",
     .desc =
         "The process is not loaded, for this error: a ProcessLoadError (NotEnoughMemory, "
         "NoProcessSlot, ...), the flash scan's reason to skip its TBF, or why the scan stopped.",
     .example = "\"NotEnoughMemory\""},
    {.name = "state",
     .forms = GS_F_ENUM,
     N(gs_scn_state_names),
     .what = "a process state",
     .desc = "The process's state at the end.",
     .example = "\"Terminated\""},
    {.name = "completion_code",
     .forms = GS_F_ENUM | GS_F_REG,
     N(completions),
     .what = "a completion code (a number, \"None\" or \"Faulted\")",
     .desc = "Its completion code: a number, \"Faulted\" (a fault, or a restart after one) or "
             "\"None\".",
     .example = "0"},
    COUNT("restart_count", "How many times it restarted.", "1"),
    TEXT("console", "Its own console output: exact, or {\"contains\": TEXT}.",
         "\"Hello World!\\r\\n\""),
    {.name = "faults",
     .forms = GS_F_ARR,
     .item = &fault_item,
     .desc = "Every fault, in order (the count must match).",
     .example = "[{\"kind\": \"data read\", \"address\": {\"end\": \"-0x400\"}}]"},
    LAYOUT("memory_start", "The start of its memory block.", "\"0x20000000\""),
    LAYOUT("memory_len", "The length of its block.", "\"0x1000\""),
    LAYOUT("app_break", "The app break.", "{\"ram\": \"0x800\"}"),
    LAYOUT("kernel_break", "The kernel break (the grant region's start).", "{\"end\": \"-0x524\"}"),
    LAYOUT("high_water_mark", "The allow high-water mark.", "{\"ram\": \"0x400\"}"),
    {.name = "grants",
     .forms = GS_F_ARR,
     .item = &grant_item,
     .desc = "Grants by driver: where each is, or that it is not allocated.",
     .example = "[{\"driver\": \"0x90000\", \"address\": {\"end\": \"-0x4e0\"}}]"},
    COUNT("grant_count", "Allocated grants (only while the process is running).", "1"),
    {.name = "mpu",
     .forms = GS_F_ARR,
     .item = &mpu_region_item,
     .desc = "The process's MPU configuration as register values.",
     .example = "[{\"region\": 0, \"rbar\": \"0x20000010\"}, {\"region\": 3, \"unused\": true}]"},
    {.name = "upcalls",
     .forms = GS_F_ARR,
     .item = &upcall_item,
     .desc = "Scripts: every upcall the script ran, in order (the count must match).",
     .example = "[{\"handler\": 0, \"args\": [0, 1, 0]}]"},
    COUNT("steps_done", "Scripts: the steps completed.", "3"),
    {.name = "finished",
     .forms = GS_F_BOOL,
     .desc = "Scripts: whether the final action was reached.",
     .example = "true"},
    {.name = "memory",
     .forms = GS_F_ARR,
     .item = &memory_item,
     .desc = "Bytes or words in memory at the end.",
     .example = "[{\"at\": {\"buf\": 0}, \"u32\": 7}]"},
    COUNT("queued", "Tasks in its queue at the end.", "0"),
    COUNT("dropped_upcalls", "Upcalls dropped because its queue was full.", "2"),
    COUNT("syscall_count", "Syscalls it made.", "12"),
    {.name = "steps",
     .forms = GS_F_MAP,
     .item = &regs_item,
     .desc = "Scripts: step expectations by step id or index; they replace the inline ones.",
     .example = "{\"0\": \"Success\", \"write\": {\"error\": \"BUSY\"}}"},
};
const struct gs_scn_obj gs_scn_pexpect = {
    .name = "process_expect",
    .what = "a process expectation",
    KEYS(pexpect_keys),
    .absent = "not checked",
    .desc = "What must hold for one process at the end; values may be relative to it."};

static const struct gs_scn_key fault_keys[] = {
    {.name = "kind",
     .forms = GS_F_ENUM,
     N(gs_scn_fault_names),
     .what = "a fault kind",
     .desc = "The kind of fault.",
     .example = "\"data write\""},
    VALUE("address", "an address", "The faulting data address.", "{\"end\": \"-0x400\"}"),
};
const struct gs_scn_obj gs_scn_fault = {.name = "fault",
                                        .what = "a fault",
                                        KEYS(fault_keys),
                                        .absent = "not checked",
                                        .desc = "A fault the process took."};

static const struct gs_scn_key grant_keys[] = {
    {.name = "driver",
     .forms = GS_F_NUM,
     .flags = GS_KF_HEX,
     .max = UINT32_MAX,
     .what = "a driver number",
     .desc = "The grant's driver number.",
     .example = "\"0x90000\"",
     .need = "the driver number of the grant"},
    {.name = "allocated",
     .forms = GS_F_BOOL,
     .flags = GS_KF_DEF,
     .dv = 1,
     .desc = "Whether the grant is allocated (one not allocated has no address).",
     .example = "false"},
    VALUE("address", "an address", "The grant's address (its header).", "{\"end\": \"-0x4e0\"}"),
};
const struct gs_scn_obj gs_scn_grant = {.name = "grant",
                                        .what = "a grant",
                                        KEYS(grant_keys),
                                        .absent = "not checked",
                                        .desc = "A grant of the process."};

static const struct gs_scn_key mpu_region_keys[] = {
    {.name = "region",
     .forms = GS_F_NUM,
     .max = 15,
     .what = "a region number of this MPU",
     .desc = "The region number (below the board's MPU regions).",
     .example = "0",
     .need = "the region number"},
    VALUE("rbar", "a register value", "The region's RBAR value.", "\"0x20000010\""),
    VALUE("rasr", "a register value", "The region's RASR value.", "\"0x0307ff13\""),
    {.name = "unused",
     .forms = GS_F_BOOL,
     .flags = GS_KF_DEF,
     .dv = 0,
     .desc = "The region is unused (its registers empty); instead of rbar and rasr.",
     .example = "true"},
};
const struct gs_scn_obj gs_scn_mpu_region = {
    .name = "mpu_region",
    .what = "an MPU region",
    KEYS(mpu_region_keys),
    .absent = "not checked",
    .desc = "An MPU region of the process: rbar, rasr, or unused."};

static const struct gs_scn_key arg_item = {.forms = GS_F_VALUE, .obj = &gs_scn_value_obj};

static const struct gs_scn_key upcall_keys[] = {
    {.name = "handler",
     .forms = GS_F_NUM,
     .max = GS_SCRIPT_HANDLERS - 1,
     .what = "a handler number",
     .desc = "The script's upcall handler that ran (0-7).",
     .example = "0"},
    {.name = "args",
     .forms = GS_F_ARR,
     .max = 3,
     .item = &arg_item,
     .desc = "Its first arguments (r0-r2), up to three.",
     .example = "[0, {\"buf\": 0}, 16]"},
    VALUE("appdata", "the appdata", "Its application data (r3).", "\"0x1234\""),
    {.name = "step",
     .forms = GS_F_NUM,
     .max = GS_SCRIPT_MAX_STEPS,
     .what = "a step index",
     .desc = "The step during which it ran.",
     .example = "2"},
};
const struct gs_scn_obj gs_scn_upcall = {.name = "upcall",
                                         .what = "an upcall",
                                         KEYS(upcall_keys),
                                         .absent = "not checked",
                                         .desc = "An upcall a script ran."};

static const struct gs_scn_key memory_keys[] = {
    {.name = "at",
     .forms = GS_F_VALUE,
     .obj = &gs_scn_value_obj,
     .what = "an address",
     .desc = "The address to read.",
     .example = "{\"buf\": 0}",
     .need = "the address to read"},
    {.name = "u8",
     .forms = GS_F_NUM,
     .flags = GS_KF_ONE_OF,
     .max = 255,
     .what = "a byte",
     .desc = "The byte there.",
     .example = "255"},
    {.name = "u32",
     .forms = GS_F_VALUE,
     .flags = GS_KF_ONE_OF,
     .obj = &gs_scn_value_obj,
     .what = "a word",
     .desc = "The little-endian word there.",
     .example = "\"0xdeadbeef\""},
    {.name = "hex",
     .forms = GS_F_STR,
     .flags = GS_KF_ONE_OF,
     .min = 2,
     .max = 8192,
     .pattern = "^([0-9a-fA-F]{2})+$",
     .what = "hex bytes (\"0a1b...\")",
     .desc = "The bytes there, as pairs of hex digits (up to 4096 bytes).",
     .example = "\"0a0b0c\""},
};
const struct gs_scn_obj gs_scn_memory = {.name = "memory",
                                         .what = "a memory expectation",
                                         KEYS(memory_keys),
                                         .desc =
                                             "Memory at an address: exactly one of u8, u32, hex."};

/* ------------------------------------------------------------------ index */

const struct gs_scn_obj *const gs_scn_objs[] = {
    &gs_scn_scenario,   &gs_scn_case,   &gs_scn_board,   &gs_scn_ram,       &gs_scn_flash,
    &gs_scn_mpu,        &gs_scn_inject, &gs_scn_driver,  &gs_scn_input,     &gs_scn_shape,
    &gs_scn_process,    &gs_scn_step,   &gs_scn_command, &gs_scn_subscribe, &gs_scn_allow,
    &gs_scn_memop,      &gs_scn_yield,  &gs_scn_exit,    &gs_scn_raw,       &gs_scn_store32,
    &gs_scn_fill8,      &gs_scn_load32, &gs_scn_spin,    &gs_scn_value_obj, &gs_scn_regs,
    &gs_scn_text,       &gs_scn_expect, &gs_scn_pexpect, &gs_scn_fault,     &gs_scn_grant,
    &gs_scn_mpu_region, &gs_scn_upcall, &gs_scn_memory,
};
const unsigned gs_scn_nobjs = sizeof(gs_scn_objs) / sizeof(gs_scn_objs[0]);

const struct gs_scn_key *gs_scn_key_find(const struct gs_scn_obj *o, const char *name)
{
    /* The first byte first: most keys differ there, and in a sanitizer build
     * every strcmp is an interceptor call (fuzz-machine loads a scenario per
     * input, and this lookup was 6 % of its time). */
    for (unsigned i = 0; i < o->nkeys; i++)
        if (o->keys[i].name[0] == name[0] && strcmp(o->keys[i].name, name) == 0)
            return &o->keys[i];
    return NULL;
}

bool gs_scn_key_in(const struct gs_scn_key *k, int v)
{
    return v < 0 || !k->only || (k->only & (1u << v));
}

/* Appends fmt to buf at *at (n bytes); false when it does not fit. */
static bool add(char *buf, size_t n, size_t *at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static bool add(char *buf, size_t n, size_t *at, const char *fmt, ...)
{
    va_list ap;
    int w;

    if (*at >= n)
        return false;
    va_start(ap, fmt);
    w = vsnprintf(buf + *at, n - *at, fmt, ap);
    va_end(ap);
    if (w < 0 || (size_t)w >= n - *at)
        return false;
    *at += (size_t)w;
    return true;
}

static bool default_at(const struct gs_scn_key *k, char *buf, size_t n, size_t *at)
{
    if (k->djson)
        return add(buf, n, at, "%s", k->djson);
    if (k->dstr) /* the table's string defaults need no escapes (test_scenario checks) */
        return add(buf, n, at, "\"%s\"", k->dstr);
    if (k->forms & GS_F_BOOL)
        return add(buf, n, at, "%s", k->dv ? "true" : "false");
    if (k->forms & GS_F_ENUM)
        return k->dv < k->nnames && k->names[k->dv] && add(buf, n, at, "\"%s\"", k->names[k->dv]);
    if (k->forms & GS_F_REG)
        return add(buf, n, at, "%d", (int)(int32_t)(uint32_t)k->dv);
    if (k->forms & GS_F_NUM)
        return add(buf, n, at, k->flags & GS_KF_HEX ? "\"0x%llx\"" : "%llu",
                   (unsigned long long)k->dv);
    if ((k->forms & GS_F_OBJ) && k->obj) {
        bool first = true;
        if (!add(buf, n, at, "{"))
            return false;
        for (unsigned i = 0; i < k->obj->nkeys; i++) {
            const struct gs_scn_key *c = &k->obj->keys[i];
            if (!(c->flags & GS_KF_DEF))
                continue;
            if (!add(buf, n, at, "%s\"%s\": ", first ? "" : ", ", c->name) ||
                !default_at(c, buf, n, at))
                return false;
            first = false;
        }
        return add(buf, n, at, "}");
    }
    return false;
}

bool gs_scn_key_default(const struct gs_scn_key *k, char *buf, size_t n)
{
    size_t at = 0;

    if (!(k->flags & GS_KF_DEF) || !n)
        return false;
    buf[0] = '\0';
    return default_at(k, buf, n, &at);
}
