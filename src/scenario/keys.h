/* SPDX-License-Identifier: MIT */
/*
 * keys.h - the scenario format as data: every object kind of a scenario file
 * and every key of each, with its JSON forms, range or names, default, an
 * example and a one-line description.
 *
 * This table is the format's one source of truth. The loader (load.c)
 * rejects unknown keys with it, reads each key's type and range from it and
 * takes each constant default from it; gen-schema writes
 * scenarios/schema.json (the JSON Schema editors use) from it, and the
 * test scenario_schema_generated fails when the committed schema is not
 * what the table gives. What the table cannot say (geometry, alignment,
 * names that must exist, rules between keys) the loader checks by code, and
 * the schema's descriptions say it in words.
 */
#ifndef GS_SCN_KEYS_H
#define GS_SCN_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Limits and defaults the table states and the loader's code uses too. */
#define GS_SCN_MAX_SIZE                 (64u << 20) /* RAM, flash, RAM sizes: at most 64 MiB */
#define GS_SCN_MAX_NAME                 63u         /* a package name (gs_board_app.name) */
#define GS_SCN_DEFAULT_MAX_INSTRUCTIONS 20000000ull
/* Simulated time: a minute lets an app sleep for tens of seconds; the
 * instruction budget above still ends a spinning app within it. */
#define GS_SCN_DEFAULT_MAX_TIME_US 60000000ull
#define GS_SCN_DEFAULT_CLOCK_HZ    64000000ull /* the alarm's default (capsules.h) */
#define GS_SCN_DEFAULT_SCRIPT_RAM  2048        /* a script's min_ram (no suffix: it is printed) */
#define GS_SCN_DEFAULT_BUF_SIZE    256u
/* The alarm's tick rate: a 32 kHz RTC, as the alarm capsule starts (capsules.c). */
#define GS_SCN_ALARM_HZ 32768u

/* The JSON forms a key accepts (a set: a value may be any of them). */
enum {
    GS_F_NUM = 1u << 0,  /* an integer or a "0x..." string, from min to max */
    GS_F_REG = 1u << 1,  /* a 32-bit register value, -0x80000000 to 0xffffffff (wraps) */
    GS_F_BOOL = 1u << 2, /* true or false */
    GS_F_STR = 1u << 3,  /* a string of min to max bytes (max 0: any), matching pattern */
    GS_F_ENUM = 1u << 4, /* one of names[0..nnames) (NULL entries are not names) */
    GS_F_OBJ = 1u << 5,  /* an object of kind obj (NULL: any object, a merge patch) */
    GS_F_ARR = 1u << 6,  /* an array of min to max items, each an `item` (NULL: anything) */
    GS_F_MAP = 1u << 7,  /* an object keyed by names, each value an `item` */
    GS_F_NULL = 1u << 8, /* null (in a case: delete the key) */
};

/* A relative value: a register value, or {"ram": N, ...} (gs_scn_value_obj). */
#define GS_F_VALUE (GS_F_REG | GS_F_OBJ)

/* Key flags. */
enum {
    GS_KF_DEF = 1u << 0,    /* has a constant default: dv (or dstr, djson; an object: its keys') */
    GS_KF_ONE_OF = 1u << 1, /* exactly one of the object's ONE_OF keys is given */
    GS_KF_HEX = 1u << 2,    /* write the default and ranges as "0x..." (an address or a size) */
    GS_KF_PO2 = 1u << 3,    /* a power of two from min to max */
    GS_KF_INT = 1u << 4,    /* a JSON integer only (no "0x..." string) */
};

struct gs_scn_obj;

struct gs_scn_key {
    const char *name;
    unsigned forms; /* GS_F_* */
    unsigned flags; /* GS_KF_* */
    /*
     * The noun the loader's messages use ("expected WHAT ..."). Keys read
     * by code of their own (a union, a string with rules) may have none.
     */
    const char *what;
    const char *desc;    /* one line for people and editors */
    const char *example; /* JSON text of a value that loads */
    uint64_t min, max;   /* NUM range; STR lengths; ARR items */
    const char *const *names;
    unsigned nnames;
    const struct gs_scn_obj *obj;
    const struct gs_scn_key *item;
    const char *pattern; /* STR: a regular expression the schema states */
    /* The default: dv (NUM, REG, BOOL, ENUM: the index), dstr or djson (JSON text). */
    uint64_t dv;
    const char *dstr;
    const char *djson;
    const char *dflt; /* no constant default: what happens when the key is absent */
    /* Required: why, for "missing key \"NAME\" (NEED)". NULL: optional. */
    const char *need;
    unsigned only;        /* the variants of the object the key belongs to (bit i); 0: all */
    const uint32_t *vdef; /* a default per variant (the driver number of each type) */
};

struct gs_scn_obj {
    const char *name; /* its definition in the schema */
    const char *what; /* the noun of messages ("allowed keys in WHAT") */
    const char *desc;
    const char *absent; /* the default of its keys that have none ("not checked") */
    const struct gs_scn_key *keys;
    unsigned nkeys;
    /*
     * Variants: what `only` masks refer to. By the value of variant_key
     * (a driver's "type"), or by the presence of the key named (a
     * process's "app", "elf", ...) when variant_key is NULL.
     */
    const char *const *variants;
    unsigned nvariants;
    const char *variant_key;
    bool nonempty; /* at least one key (an empty one would check nothing) */
};

/* The object kinds; gs_scn_objs[0] is the scenario itself. */
extern const struct gs_scn_obj gs_scn_scenario, gs_scn_case, gs_scn_board, gs_scn_ram, gs_scn_flash,
    gs_scn_mpu, gs_scn_inject, gs_scn_driver, gs_scn_input, gs_scn_shape, gs_scn_process,
    gs_scn_step, gs_scn_command, gs_scn_subscribe, gs_scn_allow, gs_scn_memop, gs_scn_yield,
    gs_scn_exit, gs_scn_raw, gs_scn_store32, gs_scn_fill8, gs_scn_load32, gs_scn_spin,
    gs_scn_value_obj, gs_scn_regs, gs_scn_text, gs_scn_expect, gs_scn_pexpect, gs_scn_fault,
    gs_scn_grant, gs_scn_mpu_region, gs_scn_upcall, gs_scn_memory;
extern const struct gs_scn_obj *const gs_scn_objs[];
extern const unsigned gs_scn_nobjs;

/* Names shared by the table and the loader. */
extern const char *const gs_scn_policy_names[7]; /* index = enum gs_fault_policy */
/* The ten TRD104 variants (index order of the loader), then "never". */
extern const char *const gs_scn_regs_names[11];
extern const char *const gs_scn_ecode_names[14];  /* index = ErrorCode (0: none) */
extern const char *const gs_scn_fault_names[12];  /* index = enum gs_fault_kind (0: none) */
extern const char *const gs_scn_oracle_names[4];  /* index = enum gs_finding_kind */
extern const char *const gs_scn_state_names[6];   /* index = enum gs_state */
extern const char *const gs_scn_run_end_names[5]; /* index = enum gs_run_end */
extern const char *const gs_scn_driver_types[7];  /* index = enum gs_scn_drv_type */
extern const char *const gs_scn_memop_ops[12];    /* index = memop operation */
extern const char *const gs_scn_process_srcs[5];  /* the variants of a process */

/* The key `name` of o, or NULL. */
const struct gs_scn_key *gs_scn_key_find(const struct gs_scn_obj *o, const char *name);

/*
 * The constant default of k as JSON text (an object's: its keys' defaults),
 * into buf. False when k has none (or buf is too small).
 */
bool gs_scn_key_default(const struct gs_scn_key *k, char *buf, size_t n);

/* Does key k belong to variant v of its object (v < 0: to any)? */
bool gs_scn_key_in(const struct gs_scn_key *k, int v);

#endif
