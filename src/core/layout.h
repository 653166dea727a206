/* SPDX-License-Identifier: MIT */
/*
 * layout.h - the memory-map model behind `grantsim layout` and
 * `grantsim explain`. It is data only: the renderers (text, JSON, SVG and
 * the explanations) are in src/report (render.h).
 *
 * gs_layout_build() takes a snapshot of one process of one kernel, at any
 * moment between kernel operations, and describes it as data:
 *
 *   - regions: the process block [memory_start, memory_start + memory_len)
 *     cut into maximal address ranges with one owner tag of the shadow map
 *     (tmem.h) and one MPU decision (the region that decides an
 *     unprivileged access there, and the rights it grants). Every byte of the
 *     block is in exactly one region; regions are sorted by address.
 *   - grants: every grant of the kernel, and for the allocated ones the
 *     decoded contents (counters word, upcall slots {appdata, fn}, RO/RW
 *     allow slots {ptr, len} with what each pointer points at, padding, T).
 *   - custom grants, the TBF parts in flash, the MPU regions of the
 *     process's config (logical range, RBAR/RASR, enabled subregions as
 *     address ranges, rights), the IPC regions the kernel mapped for it.
 *   - the access comparison: the set of addresses the kernel intends the
 *     process to reach (RW [memory_start, app_break), RX its TBF, RW the IPC
 *     buffers still shared with it) against what a PMSAv7 MPU programmed
 *     with the config's RBAR/RASR values lets unprivileged code do, over the
 *     whole 4 GiB address space. Every difference is listed:
 *       leak       the MPU permits what the kernel did not intend
 *       forbidden  the kernel intends what the MPU forbids
 *       slack      the expected part of a leak: regions 0/1 enabling RW
 *                  from app_break up to the end of its subregion (the
 *                  rounding of section 6.5), as long as that stays below
 *                  the kernel break. Anything beyond is a leak.
 *   - anomalies: places where the shadow map, the grant table and the
 *     process's breaks disagree (a layout bug shows up here first).
 *
 * The model is computed from the config (p->mpu_cfg), not from the MPU
 * hardware registers, so it works for any process, scheduled or not.
 *
 * This module does no I/O and prints nothing. The model keeps pointers to the
 * kernel and the process (the text renderer prints upstream's printouts of
 * the live process first), so render it before the kernel changes, and free
 * it before the kernel.
 */
#ifndef GS_LAYOUT_H
#define GS_LAYOUT_H

#include <stdbool.h>
#include <stdint.h>

#include "grant.h"
#include "kernel.h"
#include "process.h"

/* How many leading bytes of T and of custom grants the model keeps. */
#define GS_LAYOUT_PEEK 32u

/* What a saved pointer points at (from the process's point of view). */
enum gs_layout_target {
    GS_LT_NULL,    /* upcall fn 0 (the null upcall), or an allow slot (0, 0) */
    GS_LT_EMPTY,   /* allow with length 0 and a non-null pointer (accepted upstream) */
    GS_LT_APP,     /* [ptr, ptr+len) (fn: [fn, fn+4)) inside the app-owned memory */
    GS_LT_FLASH,   /* inside the app's non-protected flash */
    GS_LT_INVALID, /* anything else: kernel memory, another process, past the break */
};

/* "unset", "empty", "app memory", "app flash", "invalid". */
const char *gs_layout_target_name(enum gs_layout_target t);

/* One address range of the process block with one owner and one MPU decision. */
struct gs_layout_region {
    uint32_t start, size;
    gs_owner owner;          /* shadow tag of every byte */
    enum gs_owner_kind kind; /* gs_owner_kind(owner) */
    int grant;               /* grant number for the grant-part kinds, else -1 */
    uint32_t driver;         /* that grant's driver number (0 otherwise) */
    int custom;              /* custom-grant serial for GS_OWN_CUSTOM, else -1 */
    bool foreign;            /* the tag names another process: a layout anomaly */
    int mpu_region;          /* region deciding unprivileged access here; -1: none */
    int sub_lo, sub_hi;      /* its subregions spanned by the range; -1 without subregions */
    unsigned rights;         /* unprivileged GS_ACC_* rights */
};

struct gs_layout_upcall {
    uint32_t addr; /* of the slot */
    uint32_t appdata, fn;
    enum gs_layout_target target; /* of fn */
};

struct gs_layout_allow {
    uint32_t addr; /* of the slot */
    uint32_t ptr, len;
    enum gs_layout_target target;
};

/* One grant of the kernel, as seen in this process. */
struct gs_layout_grant {
    unsigned num;
    uint32_t driver;                  /* the Grant's driver number */
    const char *driver_name;          /* registered driver's name, or NULL */
    uint32_t entry_driver, entry_ptr; /* raw table entry (ptr bit 0 = entered) */
    bool allocated, entered;
    struct gs_grant_shape shape;
    uint32_t base, size, align;
    /* Decoded only when allocated and inside [kernel_break, PCB): */
    bool decoded;
    uint32_t counters; /* raw word */
    unsigned c_upcalls, c_ro, c_rw;
    bool counters_ok; /* the word matches the shape */
    uint32_t upcalls_addr, ro_addr, rw_addr, pad_addr, pad_size, t_addr;
    struct gs_layout_upcall *upcalls; /* shape.n_upcalls entries */
    struct gs_layout_allow *ro, *rw;  /* shape.n_ro / shape.n_rw entries */
    unsigned t_peek;                  /* min(t_size, GS_LAYOUT_PEEK) */
    uint8_t t_bytes[GS_LAYOUT_PEEK];
};

struct gs_layout_custom {
    unsigned serial;
    uint32_t start, size;
    uint32_t offset; /* identifier: memory end - start */
    unsigned peek;
    uint8_t bytes[GS_LAYOUT_PEEK];
};

/* One part of the app's TBF in flash, with its MPU decision. */
struct gs_layout_flash_part {
    const char *name; /* "TBF header", "protected trailer", "binary", "footers" */
    uint32_t start, size;
    int mpu_region, sub_lo, sub_hi;
    unsigned rights;
};

/* An address range [start, end) (end may be 2^32). */
struct gs_layout_run {
    uint32_t start;
    uint64_t end;
};

/* One MPU region of the config, decoded. */
struct gs_layout_mpu_region {
    unsigned num;
    bool used;            /* the config holds a region (logical location set) */
    uint32_t start, size; /* logical location (upstream's printout) */
    uint32_t rbar, rasr;
    bool enabled; /* RASR.ENABLE */
    uint32_t base;
    uint64_t bytes; /* physical region: base and 2^(SIZE+1) */
    unsigned srd, ap;
    bool xn;
    unsigned rights; /* unprivileged rights it grants where it decides */
    const char
        *role; /* "app RAM", "flash", "IPC", "IPC (stale)", "RW (not IPC)", "other", "unused" */
    unsigned nruns; /* enabled subregions, merged into address ranges */
    struct gs_layout_run runs[4];
    unsigned run_first[4], run_last[4]; /* subregion numbers of each run (0..7) */
};

/* An IPC region the kernel mapped for this process (the mpu_regions cache). */
struct gs_layout_ipc {
    uint32_t start, size;
    int sharer;    /* process index whose IPC RW slot still shares it, or -1 (stale) */
    unsigned slot; /* that RW slot (= this process's index) */
};

/* An entry of the intended or permitted access set. */
struct gs_layout_access {
    uint32_t start;
    uint64_t end;
    unsigned rights; /* GS_ACC_* */
    char what[96];   /* intended: why; permitted: empty */
};

enum gs_layout_diff_kind {
    GS_DIFF_LEAK,      /* MPU permits, kernel did not intend */
    GS_DIFF_FORBIDDEN, /* kernel intends, MPU forbids */
    GS_DIFF_SLACK,     /* expected subregion rounding above app_break */
};

/* "leak", "forbidden", "slack". */
const char *gs_layout_diff_name(enum gs_layout_diff_kind k);

struct gs_layout_diff {
    enum gs_layout_diff_kind kind;
    uint32_t start;
    uint64_t end;
    unsigned intended, permitted; /* rights over the range */
    int mpu_region;               /* deciding region (-1: none) */
    char note[160];
};

#define GS_LAYOUT_MAX_INTENDED  (2 + GS_MPU_REGIONS_CACHE)
#define GS_LAYOUT_MAX_ANOMALIES 16

struct gs_layout {
    const struct gs_kernel *k;
    const struct gs_process *p;

    /* Process summary. */
    unsigned index;
    uint32_t pid_id;
    const char *name;
    char state[160];
    bool running;
    uint32_t memory_start, memory_len;
    uint64_t memory_end;
    uint32_t app_break, kernel_break, hwm;
    uint32_t grant_table, grant_table_size, taskq, taskq_size, pcb, pcb_size;
    uint32_t flash_start, flash_end, flash_np; /* TBF start, end, non-protected start */

    unsigned nregions;
    struct gs_layout_region *regions; /* ascending addresses */
    unsigned ngrants;
    struct gs_layout_grant *grants; /* every grant of the kernel, by number */
    unsigned ncustom;
    struct gs_layout_custom *custom;
    unsigned nflash;
    struct gs_layout_flash_part *flash;

    bool has_mpu;
    uint32_t mpu_config_id;
    unsigned mpu_num_regions;
    struct gs_layout_mpu_region mpu[GS_PMSAV7_MAX_REGIONS];
    uint32_t slack_end; /* app_break rounded up to the app regions' subregion size */
    unsigned nipc;
    struct gs_layout_ipc ipc[GS_MPU_REGIONS_CACHE];

    unsigned nintended;
    struct gs_layout_access intended[GS_LAYOUT_MAX_INTENDED];
    unsigned npermitted;
    struct gs_layout_access *permitted; /* spans with some unprivileged right */
    unsigned ndiffs;
    struct gs_layout_diff *diffs; /* ascending addresses */
    unsigned leaks, forbidden, slack;

    unsigned nanomalies; /* may exceed GS_LAYOUT_MAX_ANOMALIES; only that many are kept */
    char anomalies[GS_LAYOUT_MAX_ANOMALIES][160];
};

/*
 * Builds the model of process p of kernel k (p must be one of k's
 * processes). Reads kernel state only. On success *out is a new model to
 * free with gs_layout_free().
 * Errors: GS_E_ARG (NULL argument, p not in k's slots), GS_E_NOMEM_HOST.
 */
int gs_layout_build(const struct gs_kernel *k, const struct gs_process *p, struct gs_layout **out);

/* Frees a model. Accepts NULL. */
void gs_layout_free(struct gs_layout *l);

/*
 * The name of a part of a grant ("counters", "upcall slots", "RO allow
 * slots", "RW allow slots", "padding", "T"); other kinds by gs_owner_kind_name().
 */
const char *gs_layout_part_name(enum gs_owner_kind k);

/* Memory the process can reach, or is meant to, outside its block and its TBF. */
struct gs_layout_reach {
    uint32_t start;
    uint64_t end;
    unsigned rights;   /* what the MPU permits (unprivileged) */
    unsigned intended; /* what the kernel intends */
    int region;        /* the highest enabled region with a subregion run there, or -1 */
};

/*
 * Lists into out (at most max entries, ascending within each access set:
 * the permitted set first, then the intended) every range of the permitted
 * or the intended set outside [memory_start, memory_end) and the TBF, cut at
 * those bounds, each once. Returns how many.
 */
unsigned gs_layout_elsewhere(const struct gs_layout *l, struct gs_layout_reach *out, unsigned max);

/* ---- explain ---- */

enum gs_explain_area { GS_EXPLAIN_RAM, GS_EXPLAIN_FLASH, GS_EXPLAIN_OTHER };

/* What one process can do at the address, and what the kernel intends. */
struct gs_explain_reach {
    unsigned proc;
    const char *name;
    bool has_mpu;
    int mpu_region; /* deciding region in that process's config, -1: none */
    int subregion;  /* its subregion containing the address, -1: none */
    unsigned rights;
    unsigned intended;
    char intended_what[96]; /* which intended entry, or empty */
};

struct gs_explain {
    uint32_t addr;
    enum gs_explain_area area;
    /* RAM */
    gs_owner owner;
    char owner_text[128];
    int proc;                     /* process the byte belongs to (RAM tag or TBF owner), or -1 */
    uint32_t obj_start, obj_size; /* the run of bytes with the same tag around addr */
    int grant;                    /* grant number for grant parts, else -1 */
    uint32_t driver;
    const char *driver_name; /* or NULL */
    uint32_t grant_base;     /* from the owner's grant table (0 if unknown) */
    char detail[128];        /* field inside the object ("upcall slot 1, fn_ptr, byte 0") */
    /* Flash */
    char flash_part[32]; /* "TBF header", "protected trailer", "binary", "footers" */
    uint32_t tbf_offset;
    /* Reach */
    unsigned nreach;
    struct gs_explain_reach reach[GS_MAX_PROCS];
};

/*
 * Explains addr against every process of k: the owner from the shadow map
 * (RAM) or the TBF part (flash), the object and offset, the grant and driver
 * for grant bytes, and per process the MPU region, its rights and whether
 * the kernel intends that process to reach the byte.
 * Errors: GS_E_ARG (NULL argument).
 */
int gs_explain(const struct gs_kernel *k, uint32_t addr, struct gs_explain *out);

/* "rwx" form of GS_ACC_* rights ("rw-", "r-x", "---") into buf[4]. */
const char *gs_layout_rights_str(unsigned rights, char buf[4]);

#endif
