/* SPDX-License-Identifier: MIT */
/*
 * kernel.h - the simulated kernel object: board options, the grant registry
 * (Kernel::create_grant), process slots, the process-identifier counter, the
 * MPU driver, observers, findings and the panic state.
 *
 * A kernel panic does not abort the simulator: gs_kernel_panic() records
 * the message, reports GS_EV_PANIC and a GS_FIND_PANIC finding, and sets
 * `panicked`; from then on every kernel operation returns GS_E_PANIC and the
 * run is over.
 */
#ifndef GS_KERNEL_H
#define GS_KERNEL_H

#include <stdbool.h>
#include <stdint.h>

#include "arch.h"
#include "mpu.h"
#include "observer.h"
#include "tmem.h"

#define GS_MAX_OBSERVERS 6

enum gs_profile {
    GS_PROFILE_HEAD = 0, /* tock HEAD 65608d717 (2026-08-22) */
    GS_PROFILE_2_2 = 1,  /* tock release-2.2 (9554639b1750) */
};

struct gs_kernel_config {
    enum gs_profile profile;
    unsigned num_procs;           /* process slots, 1..GS_MAX_PROCS (IPC's NUM_PROCS) */
    uint32_t pcb_size;            /* size_of::<ProcessStandard>(); default 920 */
    uint32_t pcb_align;           /* align_of::<ProcessStandard>(); default 4 */
    unsigned mpu_regions;         /* 8 or 16 */
    uint32_t mpu_min_region_size; /* 32, or 256 for Cortex-M0+ */
};

/* Fills a config with the defaults above (HEAD, 4 slots, 920/4, 8 regions, 32). */
void gs_kernel_config_default(struct gs_kernel_config *cfg);

/* ProcessId: slot index + identifier (kernel counter at creation/restart). */
struct gs_pid {
    uint32_t index;
    uint32_t id;
};

struct gs_kernel;
static inline uint64_t gs_pid_pack(struct gs_pid pid)
{
    return ((uint64_t)pid.id << 32) | pid.index;
}
static inline struct gs_pid gs_pid_unpack(uint64_t v)
{
    struct gs_pid pid = {(uint32_t)v, (uint32_t)(v >> 32)};
    return pid;
}

struct gs_grant;
struct gs_process;
struct gs_driver;
struct gs_syscall;
struct gs_arch;
struct gs_task;
struct gs_refcheck;

/*
 * Kernel work (deferred calls, alarms): run at `at` (instructions since
 * boot). Capsules pass the ProcessId the work is for (gs_pid_pack), so that
 * work for a process that restarted meanwhile finds no process, as upstream
 * capsules that keep a ProcessId do.
 */
typedef void (*gs_work_fn)(struct gs_kernel *k, void *ctx, uint64_t arg);

struct gs_work {
    uint64_t at;
    uint64_t seq; /* FIFO among equal times */
    gs_work_fn fn;
    void *ctx;
    uint64_t arg;
};

/* Round-robin scheduler state (capsules/system/src/scheduler/round_robin.rs). */
struct gs_rr {
    unsigned order[GS_MAX_PROCS]; /* slot indices, head first */
    uint64_t time_remaining;
    bool last_rescheduled;
};

struct gs_observer {
    gs_observer_fn fn;
    void *ctx;
};

struct gs_kernel {
    struct gs_kernel_config cfg;
    struct gs_mem *mem;
    struct gs_mpu mpu;

    struct gs_grant **grants; /* in creation order: grants[i]->num == i */
    unsigned grant_count, grant_cap;
    bool grants_finalized;

    struct gs_process *procs[GS_MAX_PROCS]; /* slots; NULL when empty */
    uint32_t next_process_id;               /* create_process_identifier() */

    struct gs_observer observers[GS_MAX_OBSERVERS];
    unsigned nobservers;

    bool panicked;
    char panic_msg[256];

    struct gs_driver **drivers; /* syscall_driver_lookup, in registration order */
    unsigned ndrivers, drivers_cap;
    int (*filter)(void *ctx, const struct gs_process *p, const struct gs_syscall *sc);
    void *filter_ctx;

    /* Scheduling and time: time is guest instructions (DESIGN.md decision 5). */
    const struct gs_arch *arch;
    uint64_t now;        /* instructions executed since boot, plus idle jumps */
    uint64_t idle;       /* the part of `now` that was idle jumps (gs_kernel_idle_time) */
    uint64_t timeslice;  /* instructions per timeslice */
    uint64_t min_quanta; /* MIN_QUANTA_THRESHOLD: stop when this few remain */
    struct gs_rr rr;
    struct gs_work *work; /* pending kernel work, unsorted */
    unsigned nwork, work_cap;
    uint64_t work_seq;
    struct gs_process *running; /* process inside arch->run, or NULL */
    uint64_t run_start;         /* `now` when the current arch->run began */
    uint64_t slice_left;        /* instructions left in the current timeslice at run start */
    bool stop_inline;           /* kernel work became due: leave the process at the next svc */
    bool stop_requested;        /* gs_kernel_request_stop: end gs_kernel_run soon */
    /* IPC's schedule_upcall, for Task::IPC in do_process (set by the IPC driver). */
    void (*ipc_dispatch)(struct gs_kernel *k, struct gs_process *target, const struct gs_task *t);
    void *ipc; /* the IPC driver (struct gs_ipc), if the board has one */
    /*
     * Fault injection (STYLE.md habit 7): when an `*_at` counter is non-zero,
     * the Nth call of that kind fails as upstream's would for lack of memory.
     */
    struct {
        uint64_t grant_alloc_at, grant_allocs; /* allocate_in_grant_region_internal */
        uint64_t mpu_region_at, mpu_regions;   /* add_mpu_region (IPC) */
    } inject;

    const char *site;             /* kernel function doing the current store (findings) */
    int syscall_class;            /* syscall in progress, -1 if none */
    uint64_t findings;            /* findings reported so far (all oracles) */
    bool check_invariants;        /* the oracles: gs_invariants_check after each operation, and the
                              reference oracles (refcheck.h) on every MPU call and event */
    struct gs_refcheck *refcheck; /* the reference oracles' state */
    /*
     * What the last check after an operation saw of each process
     * (invariants.c): a process whose view is unchanged and was found clean
     * is not checked again, which gives the same findings as checking it.
     */
    struct gs_inv_view {
        const struct gs_process *p; /* NULL: nothing recorded */
        bool clean;
        uint32_t kobj_writes; /* the memory's kernel-object stores of the process then */
        uint32_t fields[12];  /* breaks, objects, ring indices, state, MPU config present */
        struct gs_mpu_region regions[GS_PMSAV7_MAX_REGIONS];
        uint32_t block[3]; /* memory_start, memory_len, app_break: others' checks read them */
    } inv_view[GS_MAX_PROCS];
    uint32_t inv_touched; /* process slots an event named since that check (bit = slot) */
};

/*
 * Creates a kernel over `mem` (which the caller owns and must outlive it).
 * The kernel installs itself as mem's finding callback. cfg NULL = defaults.
 * Errors: GS_E_ARG for an invalid config, GS_E_NOMEM_HOST.
 */
int gs_kernel_new(struct gs_mem *mem, const struct gs_kernel_config *cfg, struct gs_kernel **out);

/* Frees the kernel, its grants and its processes. Accepts NULL. */
void gs_kernel_free(struct gs_kernel *k);

/*
 * Returns the kernel to the moment after its board was built: every process
 * freed, time 0, no pending work, no panic, the MPU driver and hardware as
 * new, fault injection off, each driver's reset op called. Grants, drivers,
 * observers, the filter and the config stay. The caller resets the memory
 * (gs_mem_reset) and the arch. For running many inputs on one board.
 */
void gs_kernel_reset(struct gs_kernel *k);

/*
 * Ends the current gs_kernel_run at the next kernel boundary (the running
 * process stops at its next svc or the end of its run), as if its budget had
 * run out (GS_RUN_LIMIT). For observers that put a bound on a run (fuzzers).
 */
void gs_kernel_request_stop(struct gs_kernel *k);

/* Removes every observer. */
void gs_kernel_clear_observers(struct gs_kernel *k);

/* Adds an observer (at most GS_MAX_OBSERVERS). Errors: GS_E_NO_SLOT. */
int gs_kernel_add_observer(struct gs_kernel *k, gs_observer_fn fn, void *ctx);

/* Removes the observer registered with exactly (fn, ctx); no-op if absent. */
void gs_kernel_remove_observer(struct gs_kernel *k, gs_observer_fn fn, void *ctx);

/*
 * Does anyone listen to events: an observer, or the kernel's own oracles
 * (check_invariants)? Code that builds an event only to emit it asks first.
 */
static inline bool gs_kernel_observed(const struct gs_kernel *k)
{
    return k->nobservers || k->check_invariants;
}

/* Delivers an event to the kernel's oracles (when on), then to every observer. */
void gs_kernel_emit(struct gs_kernel *k, const struct gs_event *ev);

/* Convenience: emits an event of `kind` for p with values a..d. */
void gs_kernel_event(struct gs_kernel *k, enum gs_event_kind kind, const struct gs_process *p,
                     uint32_t a, uint32_t b, uint32_t c, uint32_t d);

/* Reports a finding (counts it and emits GS_EV_FINDING). */
void gs_kernel_finding(struct gs_kernel *k, const struct gs_finding *f);

/*
 * The kernel panics with `msg` (printf format). Records the first message,
 * reports GS_EV_PANIC and a panic finding at `site`. Returns GS_E_PANIC so
 * callers can `return gs_kernel_panic(...)`.
 */
int gs_kernel_panic(struct gs_kernel *k, const char *site, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* get_grant_count_and_finalize(): the number of grants; no more may be created. */
unsigned gs_kernel_grant_count_and_finalize(struct gs_kernel *k);

/* create_process_identifier(): the next identifier (0 for the first). */
uint32_t gs_kernel_create_process_identifier(struct gs_kernel *k);

/*
 * get_process(pid): the process in slot pid.index if its identifier matches
 * (a stale ProcessId after a restart gives NULL).
 */
struct gs_process *gs_kernel_get_process(const struct gs_kernel *k, struct gs_pid pid);

/* The process in a slot, whatever its identifier; NULL if empty or out of range. */
struct gs_process *gs_kernel_process_at(const struct gs_kernel *k, unsigned index);

/*
 * Kernel stores into target RAM: as gs_mem_store*, recording the calling
 * kernel function so that ownership findings name their site.
 */
int gs_kstore(struct gs_kernel *k, const char *site, uint32_t addr, const void *src, uint32_t len,
              gs_owner owner);
int gs_kstore32_at(struct gs_kernel *k, const char *site, uint32_t addr, uint32_t v,
                   gs_owner owner);
int gs_kfill_at(struct gs_kernel *k, const char *site, uint32_t addr, uint8_t byte, uint32_t len,
                gs_owner owner);
#define gs_kstore32(k, addr, v, owner) gs_kstore32_at((k), __func__, (addr), (v), (owner))
#define gs_kfill(k, addr, byte, len, owner)                                                        \
    gs_kfill_at((k), __func__, (addr), (byte), (len), (owner))
#define gs_kwrite(k, addr, src, len, owner) gs_kstore((k), __func__, (addr), (src), (len), (owner))

/* Loads a word of target memory; 0 if out of bounds (the core only reads its own objects). */
static inline uint32_t gs_kload32(const struct gs_kernel *k, uint32_t addr)
{
    uint32_t v = 0;

    (void)gs_mem_load32(k->mem, addr, &v);
    return v;
}

/* Name of a profile ("head" / "2.2") and the parser of those names (-1 if unknown). */
const char *gs_profile_name(enum gs_profile p);
int gs_profile_from_name(const char *name);

#endif
