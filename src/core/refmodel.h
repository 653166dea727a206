/* SPDX-License-Identifier: MIT */
/*
 * refmodel.h - independent reference models of three pieces of the Tock
 * kernel, for use as oracles by the fuzz targets and tests: the grant layout
 * (kernel/src/grant.rs), the grant-region allocator
 * (kernel/src/process_standard.rs) and the per-process task queue
 * (kernel/src/collections/ring_buffer.rs driven by process_standard.rs).
 *
 * They are written from TOCK-REFERENCE and the upstream source, not from
 * grantsim's implementation (grant.c, tasks.c, process.c), so that the two can
 * be compared. They are pure: no kernel state, no allocation, no I/O. The
 * only grantsim-specific knowledge is gs_ref_queue_read_ring(), which decodes
 * the in-RAM slot encoding that tasks.h documents (grantsim's own choice,
 * since Rust fixes no enum layout).
 *
 * Arithmetic is the 32-bit target's (usize = uint32_t) as upstream's release
 * build runs it: no overflow checks, wrapping where upstream says wrapping.
 */
#ifndef GS_REFMODEL_H
#define GS_REFMODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "tmem.h"

/* ---------------------------------------------------------------------- */
/* Grant layout: EnteredGrantKernelManagedLayout (kernel/src/grant.rs)     */
/* ---------------------------------------------------------------------- */

/*
 * Offsets are from the grant's base (the grant pointer), in bytes:
 *
 *   size ->  +------------------------+
 *            | T (t_size bytes)       |
 *   t_off -> +------------------------+  t_off = size - t_size
 *            | padding (pad_len)      |  never written by upstream
 *   kernel_managed -> +---------------+
 *            | SavedAllowRw[n_rw]     |  8 bytes each {ptr, len}
 *   rw_off ->+------------------------+
 *            | SavedAllowRo[n_ro]     |  8 bytes each {ptr, len}
 *   ro_off ->+------------------------+
 *            | SavedUpcall[n_upcalls] |  8 bytes each {appdata, fn_ptr}
 *   upcalls_off = 4 -> +--------------+
 *            | counters word (usize)  |
 *   0 ->     +------------------------+
 */
struct gs_ref_grant_layout {
    uint32_t size;           /* grant_size(): total bytes, not rounded to align */
    uint32_t align;          /* grant_align(): max(4, align_of(T)) */
    uint32_t upcalls_off;    /* first SavedUpcall (always 4) */
    uint32_t ro_off;         /* first SavedAllowRo */
    uint32_t rw_off;         /* first SavedAllowRw */
    uint32_t kernel_managed; /* end of the slots: 4 + 8 * (nU + nRO + nRW) */
    uint32_t pad_len;        /* bytes between kernel_managed and T; 0..align(T)-1 */
    uint32_t t_off;          /* offset_of_grant_data_t(): size - t_size */
};

/*
 * The layout of Grant<T, UpcallCount<nU>, AllowRoCount<nRO>, AllowRwCount<nRW>>
 * for size_of(T) = t_size and align_of(T) = t_align.
 *
 * Computed in 64-bit so that no shape can wrap. Returns true and writes *out
 * on success. Returns false, leaving *out untouched, when:
 *   - t_align is 0 or not a power of two (upstream relies on align_of(T),
 *     which always is one; grant_size's mask trick needs it);
 *   - a count exceeds 255 (each count is a u8 const generic upstream);
 *   - the size does not fit in 32 bits.
 * Any power-of-two alignment up to 2^31 is accepted (upstream has no cap;
 * grantsim's own shape check may be narrower).
 */
bool gs_ref_grant_layout(uint32_t t_size, uint32_t t_align, uint32_t n_upcalls, uint32_t n_ro,
                         uint32_t n_rw, struct gs_ref_grant_layout *out);

/*
 * Offset of saved slot i of the array that starts at offset `first`
 * (upcalls_off, ro_off or rw_off of a layout above); its second word is 4
 * bytes further. i is not checked against the count.
 */
uint32_t gs_ref_grant_slot(uint32_t first, uint32_t i);

/*
 * The counters word initialize_from_counts writes: bytes (# upcalls,
 * # RO allows, # RW allows, 0) from the lowest address, read as one
 * little-endian usize.
 */
uint32_t gs_ref_grant_counters(uint32_t n_upcalls, uint32_t n_ro, uint32_t n_rw);

/* ---------------------------------------------------------------------- */
/* Grant-region allocator (process_standard.rs,                            */
/* allocate_in_grant_region_internal; TOCK-REFERENCE 1.5)                  */
/* ---------------------------------------------------------------------- */

/*
 * The arithmetic and the two address checks of
 * allocate_in_grant_region_internal(size, align), as a pure function of the
 * process's app break and kernel memory break:
 *
 *   candidate = kernel_break - size              (wrapping)
 *   a         = max(align, 2)                    (bit 0 is the entered flag)
 *   new_break = candidate & ~(a - 1)             (round down)
 *   None if new_break < app_break                (no room)
 *   None if new_break > kernel_break             (the subtraction wrapped)
 *
 * Returns true and writes *new_break when both checks pass (upstream goes on
 * to the MPU check), false (None; *new_break untouched) otherwise.
 *
 * Covered: exactly upstream's result for these two checks, including the
 * wrap quirk: a size within (a - 1) of 2^32 makes the candidate land a few
 * bytes *above* kernel_break, and rounding down can bring it back to
 * <= kernel_break, so such a size "succeeds" having allocated fewer than
 * `size` bytes (zero when kernel_break is a-aligned). A non-power-of-two
 * align is applied with the same mask arithmetic upstream would use.
 *
 * Not covered (the caller or the MPU model must add them):
 *   - the third check, mpu.update_app_memory_region(app_break, new_break)
 *     (TOCK-REFERENCE 6.5), which upstream calls only after both checks
 *     passed and which can still turn a true here into None;
 *   - the missing-MPU-config case (mpu_config empty => None);
 *   - the effects of success: kernel_break = new_break, MPU config marked
 *     dirty; no zeroing of the memory;
 *   - the checks allocate_grant() makes before calling it (TOCK-REFERENCE
 *     1.6: process running, grant number in range, entry free, driver
 *     number unique).
 * So: false here means the real allocation must fail without consulting the
 * MPU; true means it must either fail in the MPU check or succeed with
 * exactly *new_break.
 */
bool gs_ref_grant_region_alloc(uint32_t app_break, uint32_t kernel_break, uint32_t size,
                               uint32_t align, uint32_t *new_break);

/* ---------------------------------------------------------------------- */
/* Task queue (collections/ring_buffer.rs over CALLBACK_LEN = 10 slots,    */
/* operations of process_standard.rs; TOCK-REFERENCE 1.11, 4.1-4.3)        */
/* ---------------------------------------------------------------------- */

/* Task variants (kernel/src/process.rs Task and FunctionCallSource). */
enum gs_ref_task_kind {
    GS_REF_FC_KERNEL, /* FunctionCall { source: Kernel, a0..a3, pc } */
    GS_REF_FC_DRIVER, /* FunctionCall { source: Driver(id), a0..a3, pc } */
    GS_REF_RETURN,    /* ReturnValue { upcall_id, a0..a2 } */
    GS_REF_IPC,       /* IPC((ProcessId, IPCUpcallType)) */
};

/*
 * One task. Which fields are meaningful depends on the kind:
 *   FC_KERNEL: a[0..3], pc
 *   FC_DRIVER: driver, subscribe, a[0..3], pc
 *   RETURN:    driver, subscribe, a[0..2]
 *   IPC:       ipc_index, ipc_id (the other process's ProcessId index and
 *              identifier), ipc_type (0 Service, 1 Client)
 * The other fields are ignored by every operation below.
 */
struct gs_ref_task {
    enum gs_ref_task_kind kind;
    uint32_t driver, subscribe;
    uint32_t a[4];
    uint32_t pc;
    uint32_t ipc_index, ipc_id, ipc_type;
};

/* 10 ring slots hold at most 9 tasks (full when head == (tail + 1) % 10). */
#define GS_REF_QUEUE_SLOTS 10
#define GS_REF_QUEUE_CAP   (GS_REF_QUEUE_SLOTS - 1)

/* The queue as its logical content: t[0] is the head, n tasks in FIFO order. */
struct gs_ref_queue {
    struct gs_ref_task t[GS_REF_QUEUE_CAP];
    unsigned n;
};

/* empty() (terminate): no tasks. */
void gs_ref_queue_clear(struct gs_ref_queue *q);

/*
 * enqueue(): appends *t at the tail. Returns false when the queue already
 * holds GS_REF_QUEUE_CAP tasks: the new task is dropped and the queue is
 * unchanged (the oldest task is not evicted). The process-state part of
 * enqueue_task (NODEVICE when not running, dropped_upcall_count, the
 * YieldedFor ready flag) is not modelled here.
 */
bool gs_ref_queue_push(struct gs_ref_queue *q, const struct gs_ref_task *t);

/* dequeue(): removes the head into *out. False (nothing written) when empty. */
bool gs_ref_queue_pop(struct gs_ref_queue *q, struct gs_ref_task *out);

/*
 * remove_upcall(id): removes the first task, from the head, that is a
 * FunctionCall with source Driver(id) or a ReturnValue with upcall_id id,
 * and copies it to *out (if out is not NULL). IPC tasks and Kernel-source
 * FunctionCalls never match. The remaining tasks keep their order. False
 * (queue unchanged, nothing written) when nothing matches.
 */
bool gs_ref_queue_remove_upcall(struct gs_ref_queue *q, uint32_t driver, uint32_t subscribe,
                                struct gs_ref_task *out);

/*
 * remove_pending_upcalls(id): drops every FunctionCall with source
 * Driver(id); keeps everything else (ReturnValues with that id included) in
 * order. Returns the number removed.
 */
unsigned gs_ref_queue_remove_pending(struct gs_ref_queue *q, uint32_t driver, uint32_t subscribe);

/*
 * Is a FunctionCall(Driver(id)) or ReturnValue(id) queued? (The predicate
 * set_yielded_for_state uses for the YieldedFor ready flag; the same set of
 * tasks remove_upcall may take.)
 */
bool gs_ref_queue_has_match(const struct gs_ref_queue *q, uint32_t driver, uint32_t subscribe);

/*
 * Same kind and equal in exactly the fields that kind has (see struct
 * gs_ref_task). For IPC it compares index, identifier and type: stricter
 * than upstream's ProcessId equality (identifier only), as an oracle should.
 */
bool gs_ref_task_eq(const struct gs_ref_task *x, const struct gs_ref_task *y);

/*
 * Decodes the ring as grantsim stores it in target RAM, following the slot
 * encoding documented in tasks.h: GS_REF_QUEUE_SLOTS slots of 32 bytes at
 * `ring` (slot i at ring + 32 * i), little-endian words, the entries being
 * slots head, head+1, ... up to (not including) tail, modulo 10:
 *
 *   +0 tag: 0 FunctionCall(Kernel), 1 FunctionCall(Driver), 2 ReturnValue, 3 IPC
 *   FunctionCall: +4 driver  +8 subscribe  +12 a0  +16 a1  +20 a2  +24 a3  +28 pc
 *                 (driver and subscribe are not read for the Kernel source)
 *   ReturnValue:  +4 driver  +8 subscribe  +12 a0  +16 a1  +20 a2
 *   IPC:          +4 0 (kernel ref)  +8 index  +12 identifier  +16 type
 *
 * Bytes are read with gs_mem_read(). Fields a kind does not have are set to
 * 0 in the output. Returns true and writes *out on success; false (*out
 * untouched) if head or tail is not below 10, the ring does not fit below
 * 2^32, an entry's bytes are not readable, an entry's tag is not one of the
 * four, or an IPC entry's type is not 0/1 or its kernel-ref word is not 0
 * (the latter two are documented values too, so anything else is an
 * encoding the header does not describe). Slots outside head..tail are not
 * read.
 */
bool gs_ref_queue_read_ring(const struct gs_mem *m, uint32_t ring, unsigned head, unsigned tail,
                            struct gs_ref_queue *out);

/* ---------------------------------------------------------------------- */
/* Process memory, as the oracles judge it (process_standard.rs,           */
/* TOCK-REFERENCE 1.10): what an allow or an upcall pointer may name.      */
/* ---------------------------------------------------------------------- */

/*
 * Is [addr, addr + len) inside [lo, hi), without wrapping? len 0 is inside
 * when lo <= addr <= hi. With lo = memory_start and hi = app_break this is
 * in_app_owned_memory (a buffer whose end wraps is refused, as upstream's
 * `end >= start` test refuses it); with the readable part of the TBF it is
 * in_app_flash_memory.
 */
static inline bool gs_ref_span_inside(uint32_t lo, uint32_t hi, uint32_t addr, uint32_t len)
{
    return addr >= lo && (uint64_t)addr + len <= hi;
}

/*
 * The first TBF byte a process may name as a read-only buffer or upcall:
 * the TBF start plus TbfHeader::get_protected_size() (header + protected
 * trailer), which is 0 for a header with neither a Main nor a Program TLV
 * (libraries/tock-tbf/src/types.rs; TOCK-REFERENCE 8.3).
 */
static inline uint32_t gs_ref_flash_readable_start(uint32_t tbf_start, uint32_t header_size,
                                                   uint32_t protected_trailer, bool no_main)
{
    return no_main ? tbf_start : tbf_start + header_size + protected_trailer;
}

#endif
