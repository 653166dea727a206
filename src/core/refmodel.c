/* SPDX-License-Identifier: MIT */
/*
 * refmodel.c - the reference models of refmodel.h.
 *
 * Written from TOCK-REFERENCE (sections 1.5, 1.6, 1.11, 2.1, 4.1-4.3) and
 * checked against upstream tock/tock at HEAD 65608d717a1d; each block below
 * says what was checked in which file. Deliberately simple: the queue is a
 * plain array in FIFO order (no ring indices), so that the ring arithmetic
 * of the implementation under test is compared against something that has
 * none.
 */
#include <string.h>

#include "errors.h"
#include "refmodel.h"

/* ---------------------------------------------------------------------- */
/* Grant layout                                                            */
/* ---------------------------------------------------------------------- */

/*
 * kernel/src/grant.rs:
 *  - the counters word is one usize (4 bytes on the 32-bit target), at +0;
 *  - SavedUpcall {appdata: MachineRegister, fn_ptr: CapabilityPtr},
 *    SavedAllowRo {ptr, len} and SavedAllowRw {ptr, len} are repr(C) with
 *    two pointer-sized fields each (MachineRegister and CapabilityPtr are
 *    repr(transparent) over a pointer, kernel/src/utilities/), so 8 bytes;
 *  - the arrays follow each other in the order upcalls, RO, RW
 *    (initialize_from_counts, read_from_base);
 *  - grant_size: padding = (align - (kms & (align - 1))) & (align - 1), so a
 *    kms already a multiple of align gives 0 padding, never a whole align;
 *    the total is kms + padding + size_of(T), not rounded further;
 *  - grant_align = max(align_of(usize) = 4, align_of(T));
 *  - offset_of_grant_data_t = grant_size - size_of(T);
 *  - the counts are u8 const generics (UpcallCount<NUM: u8> etc.);
 *  - the counters word is u32::from_be_bytes([0, nRW, nRO, nU]) as a usize,
 *    so nU is its low byte.
 *
 * This arithmetic repeats on purpose what grant.c's gs_grant_offsets()
 * computes: the model is the oracle that checks grant.c's layout (refcheck.c
 * at every grant allocation, the invariants after every operation), and an
 * oracle that called the code it checks would agree with any bug in it.
 */
#define REF_USIZE       4u /* size_of::<usize>() and align_of::<usize>() on thumbv7em */
#define REF_SAVED_SLOT  8u /* SavedUpcall, SavedAllowRo, SavedAllowRw */
#define REF_MAX_COUNT   255u
#define REF_TASK_SLOT   32u /* tasks.h: slot size (size_of(Task), TOCK-REFERENCE 1.2) */
#define REF_TAG_FC_KERN 0u  /* tasks.h tags */
#define REF_TAG_FC_DRV  1u
#define REF_TAG_RETURN  2u
#define REF_TAG_IPC     3u

bool gs_ref_grant_layout(uint32_t t_size, uint32_t t_align, uint32_t n_upcalls, uint32_t n_ro,
                         uint32_t n_rw, struct gs_ref_grant_layout *out)
{
    uint64_t upcalls_off, ro_off, rw_off, kms, mask, pad, size;

    if (t_align == 0 || (t_align & (t_align - 1)) != 0)
        return false;
    if (n_upcalls > REF_MAX_COUNT || n_ro > REF_MAX_COUNT || n_rw > REF_MAX_COUNT)
        return false;

    upcalls_off = REF_USIZE;
    ro_off = upcalls_off + (uint64_t)n_upcalls * REF_SAVED_SLOT;
    rw_off = ro_off + (uint64_t)n_ro * REF_SAVED_SLOT;
    kms = rw_off + (uint64_t)n_rw * REF_SAVED_SLOT;
    mask = (uint64_t)t_align - 1;
    pad = ((uint64_t)t_align - (kms & mask)) & mask;
    size = kms + pad + t_size;
    if (size > UINT32_MAX)
        return false;

    out->size = (uint32_t)size;
    out->align = t_align > REF_USIZE ? t_align : REF_USIZE;
    out->upcalls_off = (uint32_t)upcalls_off;
    out->ro_off = (uint32_t)ro_off;
    out->rw_off = (uint32_t)rw_off;
    out->kernel_managed = (uint32_t)kms;
    out->pad_len = (uint32_t)pad;
    out->t_off = (uint32_t)(size - t_size);
    return true;
}

uint32_t gs_ref_grant_slot(uint32_t first, uint32_t i)
{
    return first + i * REF_SAVED_SLOT;
}

uint32_t gs_ref_grant_counters(uint32_t n_upcalls, uint32_t n_ro, uint32_t n_rw)
{
    uint8_t bytes[4] = {(uint8_t)n_upcalls, (uint8_t)n_ro, (uint8_t)n_rw, 0};

    return gs_get_le32(bytes);
}

/* ---------------------------------------------------------------------- */
/* Grant-region allocator                                                  */
/* ---------------------------------------------------------------------- */

/*
 * kernel/src/process_standard.rs allocate_in_grant_region_internal, checked
 * at HEAD: kernel_memory_break.wrapping_sub(size); align = cmp::max(align, 2);
 * mask = !(align - 1) (no overflow: align >= 2); then, in this order,
 * new_break < app_break => None, new_break > kernel_memory_break => None,
 * update_app_memory_region(...) Err => None. All in usize = u32 on the
 * target; no other arithmetic can overflow. Matches TOCK-REFERENCE 1.5.
 */
bool gs_ref_grant_region_alloc(uint32_t app_break, uint32_t kernel_break, uint32_t size,
                               uint32_t align, uint32_t *new_break)
{
    uint32_t candidate = kernel_break - size; /* wrapping_sub */
    uint32_t a = align < 2 ? 2 : align;
    uint32_t nb = candidate & ~(a - 1);

    if (nb < app_break)
        return false;
    if (nb > kernel_break)
        return false;
    /* The MPU check would come here; see the contract in refmodel.h. */
    *new_break = nb;
    return true;
}

/* ---------------------------------------------------------------------- */
/* Task queue                                                              */
/* ---------------------------------------------------------------------- */

/*
 * Checked at HEAD:
 *  - process_standard.rs: CALLBACK_LEN = 10 Task slots, wrapped in a
 *    RingBuffer (create()).
 *  - ring_buffer.rs: is_full() is head == (tail + 1) % len, so 9 usable
 *    slots; enqueue() on a full ring returns false without writing (the
 *    evicting variant is push(), which process_standard.rs does not use);
 *    dequeue() takes the head; empty() sets head = tail = 0.
 *  - ring_buffer.rs remove_first_matching(): walks head..tail, takes the
 *    first match and moves every later element one slot towards the head,
 *    so order is preserved; tail moves back by one.
 *  - ring_buffer.rs retain(): compacts the kept elements towards the head in
 *    their original order; tail = the end of the kept ones.
 *  - process_standard.rs remove_upcall(): the predicate is FunctionCall with
 *    source Driver(upid == id), ReturnValue with upcall_id == id; Kernel
 *    source and IPC are false.
 *  - process_standard.rs remove_pending_upcalls(): retain() keeps a task
 *    unless it is FunctionCall with source Driver(id); Kernel source,
 *    ReturnValue and IPC are kept; returns len before - len after.
 *  - process_standard.rs set_yielded_for_state(): find_first_matching with
 *    the same predicate as remove_upcall (has_match below).
 *  - upcall.rs UpcallId: equality is driver_num and subscribe_num.
 * All agree with TOCK-REFERENCE 4.3.
 */

/* remove_upcall's predicate (process_standard.rs remove_upcall). */
static bool upcall_matches(const struct gs_ref_task *t, uint32_t driver, uint32_t subscribe)
{
    switch (t->kind) {
    case GS_REF_FC_DRIVER:
    case GS_REF_RETURN:
        return t->driver == driver && t->subscribe == subscribe;
    case GS_REF_FC_KERNEL:
    case GS_REF_IPC:
    default:
        return false;
    }
}

/* Removes q->t[i], moving the later tasks one place towards the head. */
static void remove_at(struct gs_ref_queue *q, unsigned i)
{
    memmove(&q->t[i], &q->t[i + 1], (q->n - i - 1) * sizeof(q->t[0]));
    q->n--;
}

void gs_ref_queue_clear(struct gs_ref_queue *q)
{
    q->n = 0;
}

bool gs_ref_queue_push(struct gs_ref_queue *q, const struct gs_ref_task *t)
{
    if (q->n >= GS_REF_QUEUE_CAP)
        return false;
    q->t[q->n++] = *t;
    return true;
}

bool gs_ref_queue_pop(struct gs_ref_queue *q, struct gs_ref_task *out)
{
    if (q->n == 0)
        return false;
    *out = q->t[0];
    remove_at(q, 0);
    return true;
}

bool gs_ref_queue_remove_upcall(struct gs_ref_queue *q, uint32_t driver, uint32_t subscribe,
                                struct gs_ref_task *out)
{
    for (unsigned i = 0; i < q->n; i++) {
        if (upcall_matches(&q->t[i], driver, subscribe)) {
            if (out)
                *out = q->t[i];
            remove_at(q, i);
            return true;
        }
    }
    return false;
}

unsigned gs_ref_queue_remove_pending(struct gs_ref_queue *q, uint32_t driver, uint32_t subscribe)
{
    unsigned kept = 0, before = q->n;

    for (unsigned i = 0; i < q->n; i++) {
        const struct gs_ref_task *t = &q->t[i];
        bool drop = t->kind == GS_REF_FC_DRIVER && t->driver == driver && t->subscribe == subscribe;

        if (!drop)
            q->t[kept++] = *t;
    }
    q->n = kept;
    return before - kept;
}

bool gs_ref_queue_has_match(const struct gs_ref_queue *q, uint32_t driver, uint32_t subscribe)
{
    for (unsigned i = 0; i < q->n; i++) {
        if (upcall_matches(&q->t[i], driver, subscribe))
            return true;
    }
    return false;
}

/* FunctionCall fields shared by both sources: a0..a3 and pc. */
static bool call_args_eq(const struct gs_ref_task *x, const struct gs_ref_task *y)
{
    return memcmp(x->a, y->a, sizeof(x->a)) == 0 && x->pc == y->pc;
}

bool gs_ref_task_eq(const struct gs_ref_task *x, const struct gs_ref_task *y)
{
    if (x->kind != y->kind)
        return false;
    switch (x->kind) {
    case GS_REF_FC_KERNEL:
        return call_args_eq(x, y);
    case GS_REF_FC_DRIVER:
        return x->driver == y->driver && x->subscribe == y->subscribe && call_args_eq(x, y);
    case GS_REF_RETURN:
        return x->driver == y->driver && x->subscribe == y->subscribe && x->a[0] == y->a[0] &&
               x->a[1] == y->a[1] && x->a[2] == y->a[2];
    case GS_REF_IPC:
        return x->ipc_index == y->ipc_index && x->ipc_id == y->ipc_id && x->ipc_type == y->ipc_type;
    }
    return false; /* a kind outside the enum: never equal */
}

/* Decodes one 32-byte slot (tasks.h encoding). False for an undocumented encoding. */
static bool decode_slot(const uint8_t b[REF_TASK_SLOT], struct gs_ref_task *t)
{
    uint32_t w[REF_TASK_SLOT / 4];

    for (unsigned i = 0; i < REF_TASK_SLOT / 4; i++)
        w[i] = gs_get_le32(b + 4 * i);
    memset(t, 0, sizeof(*t));
    switch (w[0]) {
    case REF_TAG_FC_KERN:
    case REF_TAG_FC_DRV:
        t->kind = w[0] == REF_TAG_FC_DRV ? GS_REF_FC_DRIVER : GS_REF_FC_KERNEL;
        if (t->kind == GS_REF_FC_DRIVER) { /* the Kernel source has no id */
            t->driver = w[1];
            t->subscribe = w[2];
        }
        t->a[0] = w[3];
        t->a[1] = w[4];
        t->a[2] = w[5];
        t->a[3] = w[6];
        t->pc = w[7];
        return true;
    case REF_TAG_RETURN:
        t->kind = GS_REF_RETURN;
        t->driver = w[1];
        t->subscribe = w[2];
        t->a[0] = w[3];
        t->a[1] = w[4];
        t->a[2] = w[5];
        return true;
    case REF_TAG_IPC:
        if (w[1] != 0 || w[4] > 1)
            return false;
        t->kind = GS_REF_IPC;
        t->ipc_index = w[2];
        t->ipc_id = w[3];
        t->ipc_type = w[4];
        return true;
    default:
        return false;
    }
}

bool gs_ref_queue_read_ring(const struct gs_mem *m, uint32_t ring, unsigned head, unsigned tail,
                            struct gs_ref_queue *out)
{
    struct gs_ref_queue q;
    uint8_t slot[REF_TASK_SLOT];

    if (head >= GS_REF_QUEUE_SLOTS || tail >= GS_REF_QUEUE_SLOTS)
        return false;
    if ((uint64_t)ring + (uint64_t)GS_REF_QUEUE_SLOTS * REF_TASK_SLOT > (uint64_t)UINT32_MAX + 1)
        return false;
    q.n = 0; /* decode_slot fills every field of the tasks it decodes */
    for (unsigned i = head; i != tail; i = (i + 1) % GS_REF_QUEUE_SLOTS) {
        /* At most 9 entries: head..tail covers fewer than 10 slots. */
        if (gs_mem_read(m, ring + REF_TASK_SLOT * i, slot, REF_TASK_SLOT) != GS_OK)
            return false;
        if (!decode_slot(slot, &q.t[q.n]))
            return false;
        q.n++;
    }
    /* Only the tasks there are (the checker reads this after every task event). */
    memcpy(out->t, q.t, q.n * sizeof(q.t[0]));
    out->n = q.n;
    return true;
}
