/* SPDX-License-Identifier: MIT */
/*
 * grant.h - grants, kernel/src/grant.rs (TOCK-REFERENCE section 2).
 *
 * Layout of one grant allocation, from its base (the grant pointer) up:
 *
 *   base +0                 counters word: byte0 = #upcalls, byte1 = #RO,
 *                           byte2 = #RW, byte3 = 0
 *        +4                 SavedUpcall[nU]   {appdata, fn_ptr}   8 bytes each
 *        +4+8nU             SavedAllowRo[nRO] {ptr, len}          8 bytes each
 *        +4+8nU+8nRO        SavedAllowRw[nRW] {ptr, len}          8 bytes each
 *        kms = 4+8(nU+nRO+nRW)
 *        kms ... size-|T|   padding up to align_of(T) (never written)
 *        size - |T|         T, initialised from the capsule's default
 *
 *   size  = kms + (align_T - kms % align_T) % align_T + |T|   (not rounded)
 *   align = max(4, align_T)
 *
 * C has no closures, so entering is an explicit pair: gs_grant_enter()
 * fills a gs_grant_ctx and sets the entered bit, gs_grant_leave() clears it.
 * Entering an entered grant panics the simulated kernel, exactly like
 * upstream's "Attempted to re-enter a grant region."
 */
#ifndef GS_GRANT_H
#define GS_GRANT_H

#include <stdbool.h>
#include <stdint.h>

#include "errors.h"
#include "kernel.h"
#include "process.h"

/* A capsule's grant type: Grant<T, UpcallCount<nU>, AllowRoCount<nRO>, AllowRwCount<nRW>>. */
struct gs_grant_shape {
    uint32_t t_size;
    uint32_t t_align;               /* power of two, 1..65536 */
    uint32_t n_upcalls, n_ro, n_rw; /* each 0..255 (u8 const generics) */
};

struct gs_grant {
    struct gs_kernel *k;
    unsigned num; /* grant_num: creation order */
    uint32_t driver_num;
    struct gs_grant_shape shape;
    uint32_t size;      /* grant_size */
    uint32_t align;     /* grant_align */
    uint8_t *t_default; /* T::default() bytes (t_size of them); NULL = zeros */
};

/* An entered grant (ProcessGrant inside enter()). */
struct gs_grant_ctx {
    const struct gs_grant *g;
    struct gs_process *p;
    uint32_t base;                  /* grant pointer (entered bit clear) */
    uint32_t t_addr;                /* address of T */
    uint32_t n_upcalls, n_ro, n_rw; /* from the counters word */
    bool with_allocator;
    bool active;
};

/* A custom grant handle (CustomGrant<T>): the process and mem_end - ptr. */
struct gs_custom_grant {
    struct gs_pid pid;
    uint32_t offset;
    uint32_t size;
};

/*
 * Where the parts of a grant lie, in bytes from its base (the diagram
 * above). Every module that reads or writes a grant's bytes takes them from
 * gs_grant_offsets(), so there is one statement of the layout; only the
 * oracles (refmodel.h, invariants.c) keep their own, to check this one.
 *
 *   counters = 0 < upcalls = 4 <= ro <= rw <= pad <= t <= size
 */
struct gs_grant_offsets {
    uint32_t counters; /* the counters word (one usize) */
    uint32_t upcalls;  /* SavedUpcall[nU] */
    uint32_t ro;       /* SavedAllowRo[nRO] */
    uint32_t rw;       /* SavedAllowRw[nRW] */
    uint32_t pad;      /* kernel_managed_size: the end of the slots, padding up to T */
    uint32_t t;        /* offset_of_grant_data_t: size - |T| */
    uint32_t size;     /* grant_size (not rounded to the alignment) */
};

/* The offsets of a grant of shape s (no validation; t_align 0 counts as 1). */
struct gs_grant_offsets gs_grant_offsets(const struct gs_grant_shape *s);

/* grant_size, grant_align and the offset of T for a shape (no validation). */
uint32_t gs_grant_layout_size(const struct gs_grant_shape *s);
uint32_t gs_grant_layout_align(const struct gs_grant_shape *s);
uint32_t gs_grant_layout_t_offset(const struct gs_grant_shape *s);

/* The three slot arrays, in the order they follow each other in a grant. */
enum gs_grant_slot_kind {
    GS_GRANT_UPCALL = 0, /* SavedUpcall {appdata, fn_ptr} */
    GS_GRANT_RO = 1,     /* SavedAllowRo {ptr, len} */
    GS_GRANT_RW = 2,     /* SavedAllowRw {ptr, len} */
};

/* Offset of slot i of an array (i is not checked against the count). */
uint32_t gs_grant_slot_offset(const struct gs_grant_offsets *o, enum gs_grant_slot_kind kind,
                              uint32_t i);

/* The counters word of a shape (initialize_from_counts): nU | nRO << 8 | nRW << 16. */
uint32_t gs_grant_counters_word(const struct gs_grant_shape *s);

/*
 * read_from_base: the counts a counters word holds, written into the n_*
 * fields of *s (its T fields are left as they are).
 */
void gs_grant_counts_from_word(uint32_t word, struct gs_grant_shape *s);

/* The part of a grant that holds one of its bytes (gs_grant_locate). */
enum gs_grant_part {
    GS_GRANT_PART_COUNTERS,
    GS_GRANT_PART_UPCALL,
    GS_GRANT_PART_RO,
    GS_GRANT_PART_RW,
    GS_GRANT_PART_PAD,
    GS_GRANT_PART_T,
    GS_GRANT_PART_PAST, /* at or past the end of the grant */
};

struct gs_grant_place {
    enum gs_grant_part part;
    uint32_t slot; /* slot parts: the slot's index */
    uint32_t word; /* slot parts: 0 = appdata / ptr, 1 = fn_ptr / len */
    uint32_t byte; /* slot parts: byte in that word; else the byte from the part's start
                      (COUNTERS, PAD, T) or the offset itself (PAST) */
};

/* Which part, slot, word and byte hold byte `off` of a grant laid out as o. */
struct gs_grant_place gs_grant_locate(const struct gs_grant_offsets *o, uint32_t off);

/* Is the shape valid (counts <= 255, align a power of two <= 65536, sizes fit)? */
bool gs_grant_shape_valid(const struct gs_grant_shape *s);

/*
 * Kernel::create_grant(driver_num, shape): numbered in creation order.
 * t_default: t_size bytes copied (NULL = zero T). Errors: GS_E_FINALIZED
 * after the first process exists (upstream panics "Grants finalized. Cannot
 * create a new grant."; grantsim refuses instead, as this is board setup),
 * GS_E_ARG (bad shape), GS_E_NOMEM_HOST.
 */
int gs_grant_create(struct gs_kernel *k, uint32_t driver_num, const struct gs_grant_shape *shape,
                    const void *t_default, struct gs_grant **out);

/*
 * Grant::enter(pid): allocates and initialises the grant on first use
 * (ProcessGrant::new), then enters it. Errors: GS_E_NO_SUCH_APP (stale or
 * unknown pid), GS_E_INACTIVE_APP (not running), GS_E_OUT_OF_MEMORY
 * (allocation failed), GS_E_PANIC (already entered: the kernel panics).
 */
int gs_grant_enter(const struct gs_grant *g, struct gs_pid pid, struct gs_grant_ctx *out);

/* try_enter: as enter, but an entered grant gives GS_E_ALREADY_IN_USE without a panic. */
int gs_grant_try_enter(const struct gs_grant *g, struct gs_pid pid, struct gs_grant_ctx *out);

/* enter_with_allocator: as enter, and the ctx may allocate custom grants. */
int gs_grant_enter_with_allocator(const struct gs_grant *g, struct gs_pid pid,
                                  struct gs_grant_ctx *out);

/* Leaves an entered grant (clears the entered bit). No-op on an inactive ctx. */
void gs_grant_leave(struct gs_grant_ctx *ctx);

/*
 * Grant::iter(): the next process index >= *cursor whose grant is already
 * allocated (never allocates). Returns false at the end. Start with 0.
 */
bool gs_grant_iter_next(const struct gs_grant *g, unsigned *cursor, struct gs_pid *pid);

/*
 * Grant::each(fn): enters the grant of every process that has it allocated,
 * in slot order, calls fn, leaves. Stops early when fn returns false or the
 * kernel panics. Returns GS_E_PANIC if entering panicked, else 0.
 */
int gs_grant_each(const struct gs_grant *g, bool (*fn)(struct gs_grant_ctx *ctx, void *arg),
                  void *arg);

/* T access inside an entered grant: stores are checked against the grant's T tag. */
int gs_grant_t_load32(const struct gs_grant_ctx *ctx, uint32_t off, uint32_t *out);
int gs_grant_t_store32(struct gs_grant_ctx *ctx, uint32_t off, uint32_t v);
int gs_grant_t_write(struct gs_grant_ctx *ctx, uint32_t off, const void *src, uint32_t len);

/* Saved slots (kernel side). Index must be < the count; else GS_E_ARG. */
int gs_grant_get_upcall(const struct gs_grant_ctx *ctx, uint32_t i, uint32_t *appdata,
                        uint32_t *fn);
int gs_grant_set_upcall(struct gs_grant_ctx *ctx, uint32_t i, uint32_t appdata, uint32_t fn);
int gs_grant_get_allow(const struct gs_grant_ctx *ctx, bool rw, uint32_t i, uint32_t *ptr,
                       uint32_t *len);
int gs_grant_set_allow(struct gs_grant_ctx *ctx, bool rw, uint32_t i, uint32_t ptr, uint32_t len);

/* A saved upcall and a saved allow, as the kernel-managed part stores them (grant.rs). */
struct gs_saved_upcall {
    uint32_t appdata, fn;
};
struct gs_saved_allow {
    uint32_t ptr, len;
};

/*
 * Why a swap of grant.rs (subscribe, allow_ro, allow_rw, through
 * enter_grant_kernel_managed) failed, valued as the Tock ErrorCode it
 * returns to the process.
 */
enum gs_grant_swap_err {
    GS_GRANT_SWAP_OK = 0,
    GS_GRANT_SWAP_FAIL = GS_EC_FAIL,           /* the process is not running */
    GS_GRANT_SWAP_NOMEM = GS_EC_NOMEM,         /* no grant for the driver yet, or entering failed */
    GS_GRANT_SWAP_NOSUPPORT = GS_EC_NOSUPPORT, /* the number is >= the counters word's count */
};

/*
 * grant.rs subscribe(process, upcall): enters the kernel-managed part of
 * p's grant for `driver` (without the GRANT_ENTERED/LEFT events a capsule's
 * enter makes), swaps *upcall with saved upcall `subscribe` and leaves. The
 * slot arrays are where the counters word in memory puts them
 * (read_from_base). On success *upcall holds the previous upcall; on
 * failure it is untouched (upstream hands the new upcall back).
 */
enum gs_grant_swap_err gs_grant_subscribe(struct gs_process *p, uint32_t driver, uint32_t subscribe,
                                          struct gs_saved_upcall *upcall);

/* grant.rs allow_ro / allow_rw: as gs_grant_subscribe, for saved allow `num`. */
enum gs_grant_swap_err gs_grant_allow_ro(struct gs_process *p, uint32_t driver, uint32_t num,
                                         struct gs_saved_allow *buf);
enum gs_grant_swap_err gs_grant_allow_rw(struct gs_process *p, uint32_t driver, uint32_t num,
                                         struct gs_saved_allow *buf);

/* UpcallError (kernel/src/upcall.rs), returned as negative values. */
enum gs_upcall_err {
    GS_UPCALL_INVALID_SUBSCRIBE = -100, /* subscribe number >= the grant's upcall count */
    GS_UPCALL_QUEUE_FULL = -101,        /* enqueue_task said NOMEM */
    GS_UPCALL_KERNEL_ERROR = -102,      /* the process is not running, or anything else */
};

/*
 * GrantKernelData::schedule_upcall(n, (a, b, c)): builds the upcall from the
 * saved {appdata, fn} of slot n and schedules it (Upcall::schedule): a null
 * fn queues a ReturnValue, otherwise a FunctionCall with r3 = appdata.
 * Returns 0 or an enum gs_upcall_err.
 */
int gs_grant_schedule_upcall(struct gs_grant_ctx *ctx, uint32_t n, uint32_t a, uint32_t b,
                             uint32_t c);

/*
 * Capsule access to an allowed buffer of the entered process: reads (RO or
 * RW slot i) or writes (RW slot i) up to n bytes at offset off, never outside
 * [ptr, ptr + len) of the slot. *done = bytes copied. Errors: GS_E_ARG (slot
 * out of range: upstream's AddressOutOfBounds), GS_E_NO_SUCH_APP.
 */
int gs_grant_allow_read(const struct gs_grant_ctx *ctx, bool rw, uint32_t i, uint32_t off,
                        void *dst, uint32_t n, uint32_t *done);
int gs_grant_allow_write(struct gs_grant_ctx *ctx, uint32_t i, uint32_t off, const void *src,
                         uint32_t n, uint32_t *done);

/*
 * GrantRegionAllocator::alloc_n_with(n, size, align) inside
 * enter_with_allocator: allocates n * size bytes, writes init (or zeros)
 * into them. Errors: GS_E_ARG (ctx not entered with the allocator),
 * GS_E_OUT_OF_MEMORY (size overflow or allocator failure), GS_E_NO_SUCH_APP.
 */
int gs_grant_alloc_custom(struct gs_grant_ctx *ctx, uint32_t n, uint32_t size, uint32_t align,
                          const void *init, struct gs_custom_grant *out);

/*
 * CustomGrant::enter(): the address of the custom grant. Errors:
 * GS_E_NO_SUCH_APP (stale handle: the process restarted),
 * GS_E_INACTIVE_APP (not running).
 */
int gs_custom_grant_enter(struct gs_kernel *k, const struct gs_custom_grant *cg, uint32_t *addr);

/* The grant with number num, or NULL. */
struct gs_grant *gs_kernel_grant(const struct gs_kernel *k, unsigned num);

/* The first grant created for driver_num, or NULL. */
struct gs_grant *gs_kernel_grant_for_driver(const struct gs_kernel *k, uint32_t driver_num);

#endif
