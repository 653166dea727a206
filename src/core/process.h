/* SPDX-License-Identifier: MIT */
/*
 * process.h - process memory and lifecycle, kernel/src/process_standard.rs
 * (TOCK-REFERENCE section 1).
 *
 * RAM layout of one process, as created by gs_process_create (HEAD):
 *
 *   mem_end = memory_start + memory_len   (power of two >= 512, section 6.4)
 *     +----------------------------------+
 *     | grant pointer table   8 x G      |  {driver_num, grant_ptr}; bit 0 of
 *     +----------------------------------+  grant_ptr = "entered"
 *     | task ring            10 x 32     |  head/tail live in the PCB (host side)
 *     +----------------------------------+
 *     | PCB reserve          pcb_size    |  the ProcessStandard struct upstream
 *     +----------------------------------+ <- kernel_break (initially)
 *     | grants, custom grants (grow down) |
 *     |               ...                |
 *     | unused                           |
 *     +----------------------------------+ <- app_break (initially start + 32)
 *     | app-owned memory (grows up)      |
 *     +----------------------------------+ <- memory_start (= initial PSP)
 *
 * The PCB itself is this host-side struct (design decision 3); its reserve
 * in RAM keeps the layout and printouts exact. Fields are read-only outside
 * process.c, grant.c and the syscall layer.
 */
#ifndef GS_PROCESS_H
#define GS_PROCESS_H

#include <stdbool.h>
#include <stdint.h>

#include "arch.h"
#include "kernel.h"
#include "mpu.h"

/* Sizes on the 32-bit target (TOCK-REFERENCE 1.2). */
#define GS_GRANT_ENTRY_SIZE     8u /* GrantPointerEntry */
#define GS_GRANT_ENTRY_ALIGN    4u
#define GS_TASK_SIZE            32u /* size_of::<Task>() (measured) */
#define GS_TASK_ALIGN           4u
#define GS_CALLBACK_LEN         10u /* ring slots; 9 usable */
#define GS_CALLBACKS_SIZE       (GS_TASK_SIZE * GS_CALLBACK_LEN)
#define GS_INITIAL_APP_BRK_SIZE 32u /* initial_process_app_brk_size() = SVC frame */
#define GS_MPU_REGIONS_CACHE    6u  /* ProcessStandard::mpu_regions */

enum gs_state {
    GS_ST_RUNNING,
    GS_ST_YIELDED,
    GS_ST_YIELDED_FOR,
    GS_ST_STOPPED,
    GS_ST_FAULTED,
    GS_ST_TERMINATED,
};

struct gs_upcall_id {
    uint32_t driver;
    uint32_t subscribe;
};

/* One writeable flash region (offset from the TBF start, size). */
struct gs_wfr {
    uint32_t offset;
    uint32_t size;
};

/*
 * What the kernel needs from a process binary: the derived TBF values of
 * TOCK-REFERENCE 8.3 plus where the TBF sits in flash.
 */
struct gs_app_info {
    uint32_t flash_start; /* start of the TBF header */
    uint32_t flash_len;   /* TBF total_size (header + binary + footers) */
    uint32_t header_size;
    uint32_t protected_trailer; /* protected_trailer_size */
    uint32_t init_fn_offset;    /* from the Program/Main TLV (relative to header end) */
    uint32_t min_ram;           /* minimum_ram_size */
    uint32_t binary_end;        /* offset of the footers; = flash_len without Program TLV */
    bool no_main;               /* neither Main nor Program TLV: protected size and init offset 0 */
    bool has_fixed_ram;
    uint32_t fixed_ram;
    bool has_fixed_flash;
    uint32_t fixed_flash;
    const char *name; /* package name bytes (not NUL-terminated needed) */
    uint32_t name_len;
    /* The Permissions TLV's data, raw (u16 count, then 16-byte entries from offset 2). */
    bool has_perms;
    const uint8_t *perms;
    uint32_t perms_len;
    unsigned nwfr;
    const struct gs_wfr *wfr;
};

/* Fault policies (capsules/system/src/process_policies.rs, TOCK-REFERENCE 7.4). */
enum gs_fault_policy {
    GS_FP_PANIC,
    GS_FP_STOP,
    GS_FP_STOP_DEBUG,
    GS_FP_RESTART,
    GS_FP_RESTART_DEBUG,
    GS_FP_THRESHOLD_RESTART,           /* restart while restart_count <= threshold, else stop */
    GS_FP_THRESHOLD_RESTART_THEN_PANIC /* ... else panic */
};

struct gs_process {
    struct gs_kernel *k;
    unsigned index;
    struct gs_pid pid;

    /* Binary (copied at creation; name, perms and wfr owned by the process). */
    struct gs_app_info app;
    char *name;

    /* Memory. */
    uint32_t memory_start, memory_len;
    uint32_t app_break, kernel_break, hwm; /* hwm = allow_high_water_mark */
    uint32_t grant_table, taskq, pcb;      /* addresses of the kernel objects */
    uint32_t init_kernel_size;             /* initial_kernel_memory_size (create) */

    /* Task ring indices (RingBuffer head/tail; the slots are in RAM). */
    unsigned tq_head, tq_tail;

    /* State. */
    enum gs_state state;
    enum gs_state stopped_prev;   /* when Stopped: Running, Yielded or YieldedFor */
    struct gs_upcall_id wait_for; /* YieldedFor / Stopped(YieldedFor) id */
    bool yield_for_ready;         /* is_yield_wait_for_ready */
    unsigned restart_count;
    bool has_completion;  /* completion_code is Some(..) */
    bool completion_some; /* Some(Some(code)) vs Some(None) ("Faulted") */
    uint32_t completion_code;
    enum gs_fault_policy fault_policy;
    unsigned fault_threshold;

    /* MPU. */
    bool has_mpu_config; /* upstream's MapCell can be left empty by a failed reset() */
    struct gs_mpu_config mpu_cfg;
    bool mpu_region_used[GS_MPU_REGIONS_CACHE];
    uint32_t mpu_region_start[GS_MPU_REGIONS_CACHE], mpu_region_size[GS_MPU_REGIONS_CACHE];

    /* Userspace-kernel boundary state. A machine may keep r4-r11 in its CPU
     * while a run is in progress; ss is complete whenever no run is. */
    struct gs_stored_state ss;
    uint32_t ss_gen; /* incremented when the kernel re-initializes ss */

    /* Debug (ProcessStandardDebugFull). */
    uint64_t syscall_count, dropped_upcalls, timeslice_expirations;
    bool has_last_syscall;
    uint32_t last_syscall[5]; /* class, r0..r3 */
    bool has_heap_start, has_stack_start, has_stack_min;
    uint32_t heap_start, stack_start, stack_min;

    unsigned custom_serial; /* numbers custom grants for the shadow map */

    /* The last fault (for reports), and how many faults the process has had. */
    bool has_fault;
    struct gs_fault last_fault;
    unsigned faults;
};

/* Name of a state as upstream's Debug prints it ("Running", "Yielded", ...). */
const char *gs_state_name(enum gs_state s);

/* Name of a fault policy as scenario files spell it ("stop", "threshold-restart", ...). */
const char *gs_fault_policy_name(enum gs_fault_policy p);

/* Shadow owner tag of kind `kind` for p, with object id `id`. */
static inline gs_owner gs_powner(const struct gs_process *p, enum gs_owner_kind kind, unsigned id)
{
    return gs_owner_make(kind, p->index, id);
}

/*
 * initial_kernel_memory_size for the kernel's grant count (HEAD: 8G + 4 +
 * 320 + 4 + PCB + PCB_ALIGN; 2.2: 8G + 320 + PCB + 4 at create and
 * 8G + 320 + PCB at reset).
 */
uint32_t gs_process_initial_kernel_size(struct gs_kernel *k, bool for_reset);

/*
 * ProcessStandard::create (TOCK-REFERENCE 1.3) in the next free slot, from
 * the memory pool [*pool_start, *pool_start + *pool_len). On success the pool
 * is advanced past the block (the padding before the block is lost), *out is
 * the process, and its init task is queued.
 * Errors: GS_E_NO_SLOT, GS_E_MPU_CONFIG, GS_E_MPU_FLASH_LEN,
 * GS_E_ADDRESS_MISMATCH, GS_E_NOT_ENOUGH_MEMORY (the pool is unchanged),
 * GS_E_INTERNAL, GS_E_ARG (app outside flash, or NULL arguments),
 * GS_E_NOMEM_HOST, GS_E_PANIC.
 */
int gs_process_create(struct gs_kernel *k, const struct gs_app_info *app, uint32_t *pool_start,
                      uint32_t *pool_len, struct gs_process **out);

/* Accessors of the derived layout. */
static inline uint32_t gs_process_mem_end(const struct gs_process *p)
{
    return p->memory_start + p->memory_len;
}
uint32_t gs_process_flash_non_protected_start(const struct gs_process *p);
uint32_t gs_process_flash_end(const struct gs_process *p);
uint32_t gs_process_app_start(const struct gs_process *p); /* crt0 header / r0 */
uint32_t gs_process_init_pc(const struct gs_process *p);   /* flash + header + init offset */

/* is_running(): Running, Yielded, YieldedFor or Stopped. */
bool gs_process_is_running(const struct gs_process *p);

/* ready() (HEAD; 2.2: queue non-empty or Running). */
bool gs_process_ready(const struct gs_process *p);

/* State transitions of process_standard.rs. */
void gs_process_set_state(struct gs_process *p, enum gs_state s);
void gs_process_set_yielded(struct gs_process *p); /* Running -> Yielded */
void gs_process_set_yielded_for(struct gs_process *p, struct gs_upcall_id id);
void gs_process_stop(struct gs_process *p);
void gs_process_resume(struct gs_process *p);

/*
 * allocate_in_grant_region_internal(size, align) (TOCK-REFERENCE 1.5): on
 * success writes the new kernel break (the allocation's address) to *out and
 * tags [*out, old break) as kernel slack (the caller tags the object).
 * Errors: GS_E_OUT_OF_MEMORY (upstream's None), GS_E_PANIC.
 */
int gs_process_alloc_in_grant_region(struct gs_process *p, uint32_t size, uint32_t align,
                                     uint32_t *out);

/*
 * allocate_grant(grant_num, driver_num, size, align) (1.6). On success the
 * table entry holds {driver_num, ptr} and *out = ptr.
 * Errors: GS_E_INACTIVE_APP (not running), GS_E_ARG (grant_num >= G),
 * GS_E_ALREADY_IN_USE (already allocated, or another allocated entry has the
 * same driver_num), GS_E_OUT_OF_MEMORY (allocator failed). Upstream returns
 * Err(()) for all of them; the distinction is for tests and traces.
 */
int gs_process_allocate_grant(struct gs_process *p, unsigned grant_num, uint32_t driver_num,
                              uint32_t size, uint32_t align, uint32_t *out);

/*
 * allocate_custom_grant(size, align) (1.7): *out_offset = mem_end - ptr
 * (the identifier), *out_ptr = ptr. The bytes are tagged GS_OWN_CUSTOM.
 * Errors: GS_E_INACTIVE_APP, GS_E_OUT_OF_MEMORY.
 */
int gs_process_allocate_custom_grant(struct gs_process *p, uint32_t size, uint32_t align,
                                     uint32_t *out_offset, uint32_t *out_ptr);

/* enter_custom_grant(identifier): mem_end - offset. Errors: GS_E_INACTIVE_APP. */
int gs_process_enter_custom_grant(struct gs_process *p, uint32_t offset, uint32_t *out_ptr);

/* Grant table accessors (1.8). */
/* grant_is_allocated: -1 (None) if not running or out of range, else 0/1. */
int gs_process_grant_is_allocated(const struct gs_process *p, unsigned grant_num);
/* enter_grant: sets bit 0, writes the clean pointer. Errors per 1.8. */
int gs_process_enter_grant(struct gs_process *p, unsigned grant_num, uint32_t *out_ptr);
void gs_process_leave_grant(struct gs_process *p, unsigned grant_num);
/* grant_allocated_count: -1 (None) if not running. */
int gs_process_grant_allocated_count(const struct gs_process *p);
/* lookup_grant_from_driver_num: grant index, or GS_E_OUT_OF_MEMORY. Ignores the state. */
int gs_process_lookup_grant(const struct gs_process *p, uint32_t driver_num);
/* The raw table entry of grant_num (driver, pointer with the entered bit). */
int gs_process_grant_entry(const struct gs_process *p, unsigned grant_num, uint32_t *driver,
                           uint32_t *ptr);

/*
 * brk(new_break) / sbrk(increment) (1.9). On success *old_break is the
 * previous break. Errors: GS_E_INACTIVE_APP, GS_E_ADDRESS_OUT_OF_BOUNDS,
 * GS_E_OUT_OF_MEMORY, GS_E_KERNEL_ERROR (no MPU config), GS_E_PANIC.
 */
int gs_process_brk(struct gs_process *p, uint32_t new_break, uint32_t *old_break);
int gs_process_sbrk(struct gs_process *p, int32_t increment, uint32_t *old_break);

/* Buffer checks (1.10). Both are wrap-safe; size 0 at app_break passes. */
bool gs_process_in_app_owned_memory(const struct gs_process *p, uint32_t addr, uint32_t size);
bool gs_process_in_app_flash_memory(const struct gs_process *p, uint32_t addr, uint32_t size);

/*
 * terminate(completion_code) (1.13): allowed when running or Faulted.
 * has_code false = None. Empties the task ring and NULLs every grant entry.
 */
void gs_process_terminate(struct gs_process *p, bool has_code, uint32_t code);

/* try_restart(completion_code): ignored when Terminated; terminate + reset. */
void gs_process_try_restart(struct gs_process *p, bool has_code, uint32_t code);

/* start(): only from Terminated; reset(), then Yielded. */
void gs_process_start(struct gs_process *p);

/*
 * set_fault_state() (1.13, 7.4): applies the fault policy. With the panic
 * action the kernel panics ("Process NAME had a fault").
 */
void gs_process_set_fault_state(struct gs_process *p);

/* setup_mpu(): configure_mpu with this process's config (emits GS_EV_MPU_CONFIGURED). */
void gs_process_setup_mpu(struct gs_process *p);

/*
 * add_mpu_region(start, size, min) (5.3): allocate_region(..., ReadWriteOnly)
 * and record it in the 6-entry cache. Returns 0 and the logical region, or
 * GS_E_OUT_OF_MEMORY when allocation fails, or GS_E_NO_SLOT when the cache
 * is full (the region then stays programmed, as upstream), or GS_E_PANIC.
 */
int gs_process_add_mpu_region(struct gs_process *p, uint32_t start, uint32_t size, uint32_t min,
                              uint32_t *out_start, uint32_t *out_size);

/* TbfHeader::get_command_permissions result. */
enum gs_cmd_perms_kind { GS_PERMS_NONE_AT_ALL, GS_PERMS_NONE_THIS_DRIVER, GS_PERMS_MASK };

/*
 * get_command_permissions(driver, offset) from the raw Permissions TLV
 * (libraries/tock-tbf/src/types.rs): the first entry with this driver and
 * offset gives its mask; entries for the driver but not the offset give
 * mask 0; no entry for the driver gives NONE_THIS_DRIVER; no TLV, or a
 * malformed one reached before a match, gives NONE_AT_ALL.
 */
enum gs_cmd_perms_kind gs_process_command_permissions(const struct gs_process *p, uint32_t driver,
                                                      uint32_t offset, uint64_t *mask);

/*
 * Records a fault of the process (its last_fault) and reports GS_EV_FAULT
 * (a = kind, b = address, c = pc, d = address valid). The caller then
 * applies the fault policy with gs_process_set_fault_state.
 */
void gs_process_record_fault(struct gs_process *p, const struct gs_fault *f);

/* Frees a process object (kernel teardown only). Accepts NULL. */
void gs_process_free(struct gs_process *p);

/* The package name (empty string when absent). */
const char *gs_process_name(const struct gs_process *p);

/* Fills the initial stored state (initialize_process, 4.5). Errors: GS_E_ARG. */
int gs_process_initialize_ukb(struct gs_process *p, uint32_t start, uint32_t app_brk);

#endif
