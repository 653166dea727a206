/* SPDX-License-Identifier: MIT */
/*
 * Syscall handling: kernel/src/kernel.rs handle_syscall (memop.rs is in
 * memop.c), kernel/src/grant.rs subscribe/allow_ro/allow_rw, the buffer checks of
 * kernel/src/process_standard.rs and the Cortex-M frame writes of
 * arch/cortex-m/src/syscall.rs (tock HEAD 65608d717). TOCK-REFERENCE 3, 1.10-1.13.
 */
#include "syscall.h"

#include <string.h>

#include "arch.h"
#include "driver.h"
#include "errors.h"
#include "grant.h"
#include "invariants.h"
#include "memop.h"

#define SVC_FRAME_SIZE 32u

bool gs_ret_is_success(const struct gs_ret *r)
{
    return r->v >= GS_RET_SUCCESS;
}

const char *gs_syscall_class_name(unsigned cls)
{
    static const char *const names[] = {
        "Yield",         "Subscribe", "Command", "ReadWriteAllow",
        "ReadOnlyAllow", "Memop",     "Exit",    "UserspaceReadableAllow"};
    return cls < 8 ? names[cls] : "Invalid";
}

const char *gs_ret_variant_name(enum gs_ret_variant v)
{
    switch (v) {
    case GS_RET_FAILURE:
        return "Failure";
    case GS_RET_FAILURE_U32:
        return "FailureU32";
    case GS_RET_FAILURE_U32_U32:
        return "FailureU32U32";
    case GS_RET_FAILURE_U64:
        return "FailureU64";
    case GS_RET_SUCCESS:
        return "Success";
    case GS_RET_SUCCESS_U32:
        return "SuccessU32";
    case GS_RET_SUCCESS_U32_U32:
        return "SuccessU32U32";
    case GS_RET_SUCCESS_U64:
        return "SuccessU64";
    case GS_RET_SUCCESS_U32_U32_U32:
        return "SuccessU32U32U32";
    case GS_RET_SUCCESS_U32_U64:
        return "SuccessU32U64";
    case GS_RET_YIELD_WAIT_FOR:
        return "YieldWaitFor";
    }
    return "Unknown";
}

bool gs_syscall_decode(bool profile_22, uint8_t svc, const uint32_t r[4], struct gs_syscall *out)
{
    if (svc > GS_SYS_UR_ALLOW)
        return false;
    /* HEAD (PR #4902): an unknown yield variant does not decode; 2.2 decoded anything. */
    if (svc == GS_SYS_YIELD && r[0] > 2 && !profile_22)
        return false;
    out->cls = (enum gs_syscall_class)svc;
    memcpy(out->r, r, sizeof(out->r));
    return true;
}

void gs_ret_encode(const struct gs_ret *ret, uint32_t r[4])
{
    switch (ret->v) {
    case GS_RET_FAILURE:
        r[0] = 0;
        r[1] = ret->err;
        break;
    case GS_RET_FAILURE_U32:
        r[0] = 1;
        r[1] = ret->err;
        r[2] = ret->a;
        break;
    case GS_RET_FAILURE_U32_U32:
    case GS_RET_FAILURE_U64: /* a = low word, b = high word */
        r[0] = ret->v;
        r[1] = ret->err;
        r[2] = ret->a;
        r[3] = ret->b;
        break;
    case GS_RET_SUCCESS:
        r[0] = 128;
        break;
    case GS_RET_SUCCESS_U32:
        r[0] = 129;
        r[1] = ret->a;
        break;
    case GS_RET_SUCCESS_U32_U32:
    case GS_RET_SUCCESS_U64:
        r[0] = ret->v;
        r[1] = ret->a;
        r[2] = ret->b;
        break;
    case GS_RET_SUCCESS_U32_U32_U32:
    case GS_RET_SUCCESS_U32_U64:
        r[0] = ret->v;
        r[1] = ret->a;
        r[2] = ret->b;
        r[3] = ret->c;
        break;
    case GS_RET_YIELD_WAIT_FOR:
        r[0] = ret->a;
        r[1] = ret->b;
        r[2] = ret->c;
        break;
    }
}

/* Registers the encoding writes (bit i = r_i). */
static unsigned encoded_mask(enum gs_ret_variant v)
{
    switch (v) {
    case GS_RET_SUCCESS:
        return 0x1;
    case GS_RET_FAILURE:
    case GS_RET_SUCCESS_U32:
        return 0x3;
    case GS_RET_FAILURE_U32:
    case GS_RET_SUCCESS_U32_U32:
    case GS_RET_SUCCESS_U64:
    case GS_RET_YIELD_WAIT_FOR:
        return 0x7;
    default:
        return 0xF;
    }
}

void gs_set_syscall_return(struct gs_process *p, const struct gs_ret *ret)
{
    struct gs_kernel *k = p->k;
    uint32_t psp = p->ss.psp, r[4] = {0, 0, 0, 0};
    unsigned mask = encoded_mask(ret->v), n = 0;
    uint8_t raw[16];
    struct gs_event ev;

    /* set_syscall_return_value: psp.saturating_add(16) > app_brk is refused. */
    if (psp < p->memory_start || (uint64_t)psp + 16 > p->app_break) {
        struct gs_fault f = {.kind = GS_FAULT_BAD_STACK, .addr = psp, .pc = p->ss.yield_pc};
        gs_process_record_fault(p, &f);
        gs_process_set_fault_state(p);
        return;
    }
    /* The encoding writes r0 .. r(n-1) (every mask is a prefix); the rest stay as stacked. */
    gs_ret_encode(ret, r);
    while (mask & (1u << n))
        n++;
    for (unsigned i = 0; i < n; i++)
        gs_put_le32(raw + 4 * i, r[i]);
    gs_kwrite(k, psp, raw, 4 * n, gs_powner(p, GS_OWN_APP, 0));
    gs_process_set_state(p, GS_ST_RUNNING);
    p->yield_for_ready = false;
    if (gs_kernel_observed(k)) {
        memset(&ev, 0, sizeof(ev));
        ev.kind = GS_EV_SYSCALL_RETURN;
        ev.p = p;
        ev.a = ret->v;
        ev.b = mask;
        for (unsigned i = 0; i < 4; i++)
            ev.r[i] = i < n ? r[i] : gs_kload32(k, psp + 4 * i);
        gs_kernel_emit(k, &ev);
    }
}

void gs_set_process_function(struct gs_process *p, const struct gs_task *t)
{
    struct gs_kernel *k = p->k;
    uint32_t psp = p->ss.psp;
    gs_owner app = gs_powner(p, GS_OWN_APP, 0);
    struct gs_event ev;

    if (psp < p->memory_start || (uint64_t)psp + SVC_FRAME_SIZE > p->app_break) {
        struct gs_fault f = {.kind = GS_FAULT_BAD_STACK, .addr = psp, .pc = p->ss.yield_pc};
        gs_process_record_fault(p, &f);
        gs_process_set_fault_state(p);
        return;
    }
    /* Overwrite the frame: xPSR, PC, LR, then r0..r3; r12 (+16) is not written. */
    gs_kstore32(k, psp + 28, p->ss.psr, app);
    gs_kstore32(k, psp + 24, t->pc | 1, app);
    gs_kstore32(k, psp + 20, p->ss.yield_pc | 1, app);
    for (unsigned i = 0; i < 4; i++)
        gs_kstore32(k, psp + 4 * i, t->a[i], app);
    gs_process_set_state(p, GS_ST_RUNNING);
    memset(&ev, 0, sizeof(ev));
    ev.kind = GS_EV_UPCALL_DELIVERED;
    ev.p = p;
    ev.a = t->pc;
    ev.b = t->from_driver;
    ev.c = t->id.driver;
    ev.d = t->id.subscribe;
    memcpy(ev.r, t->a, sizeof(ev.r));
    gs_kernel_emit(k, &ev);
}

/* ---- buffers and pointers (process_standard.rs) ---- */

/* build_readwrite_process_buffer / build_readonly_process_buffer: 0 or an ErrorCode. */
static int build_buffer(struct gs_process *p, uint32_t ptr, uint32_t len, bool ro)
{
    if (!gs_process_is_running(p))
        return GS_EC_FAIL;
    if (len == 0)
        return 0; /* any pointer; the watermark is unchanged */
    if (gs_process_in_app_owned_memory(p, ptr, len)) {
        if (ptr + len > p->hwm)
            p->hwm = ptr + len;
        return 0;
    }
    if (ro && gs_process_in_app_flash_memory(p, ptr, len))
        return 0;
    return GS_EC_INVAL;
}

static bool valid_upcall_pointer(const struct gs_process *p, uint32_t fn)
{
    return gs_process_in_app_flash_memory(p, fn, 4) || gs_process_in_app_owned_memory(p, fn, 4);
}

/* ---- grant-side swaps (grant.rs subscribe, allow_ro, allow_rw) ---- */

enum slot_kind { SLOT_UPCALL, SLOT_RO, SLOT_RW };

/*
 * enter_grant_kernel_managed + swap of one slot: writes (w0, w1) into slot
 * `num` of the grant for `driver` and returns the old pair. 0 or an ErrorCode.
 */
static int grant_swap(struct gs_process *p, uint32_t driver, enum slot_kind kind, uint32_t num,
                      uint32_t w0, uint32_t w1, uint32_t old[2])
{
    struct gs_kernel *k = p->k;
    uint32_t base, counters, n, slot;
    int gi = gs_process_lookup_grant(p, driver), alloc;
    static const enum gs_owner_kind owner_kind[] = {GS_OWN_GRANT_UPCALLS, GS_OWN_GRANT_RO,
                                                    GS_OWN_GRANT_RW};

    if (gi < 0)
        return gs_err_to_ecode(gi); /* OutOfMemory -> NOMEM */
    alloc = gs_process_grant_is_allocated(p, (unsigned)gi);
    if (alloc < 0)
        return GS_EC_FAIL;
    if (alloc == 0)
        return GS_EC_NOMEM;
    if (gs_process_enter_grant(p, (unsigned)gi, &base) != GS_OK)
        return GS_EC_NOMEM;
    /* read_from_base: the counts come from the counters word in memory. */
    counters = gs_kload32(k, base);
    n = (counters >> (8 * kind)) & 0xFF;
    if (num >= n) {
        gs_process_leave_grant(p, (unsigned)gi);
        return GS_EC_NOSUPPORT;
    }
    slot = base + 4;
    if (kind >= SLOT_RO)
        slot += 8 * (counters & 0xFF);
    if (kind == SLOT_RW)
        slot += 8 * ((counters >> 8) & 0xFF);
    slot += 8 * num;
    old[0] = gs_kload32(k, slot);
    old[1] = gs_kload32(k, slot + 4);
    gs_kstore32(k, slot, w0, gs_powner(p, owner_kind[kind], (unsigned)gi));
    gs_kstore32(k, slot + 4, w1, gs_powner(p, owner_kind[kind], (unsigned)gi));
    gs_process_leave_grant(p, (unsigned)gi);
    return 0;
}

enum alloc_result { ALLOC_NONE, ALLOC_NEW, ALLOC_SAME };

/* try_allocate_grant (kernel.rs). */
static enum alloc_result try_allocate_grant(struct gs_driver *d, struct gs_process *p)
{
    int before = gs_process_grant_allocated_count(p), after;
    int ok = d->ops->allocate_grant ? d->ops->allocate_grant(d, p->pid) : GS_E_OUT_OF_MEMORY;

    if (ok != GS_OK)
        return ALLOC_NONE;
    after = gs_process_grant_allocated_count(p);
    if ((before < 0 ? 0 : before) == (after < 0 ? 0 : after))
        return ALLOC_SAME;
    return ALLOC_NEW;
}

/* A swap, with the grant allocated on first use and retried once. */
static int swap_with_alloc(struct gs_process *p, struct gs_driver *d, uint32_t driver,
                           enum slot_kind kind, uint32_t num, uint32_t w0, uint32_t w1,
                           uint32_t old[2])
{
    int e = grant_swap(p, driver, kind, num, w0, w1, old);

    if (e != GS_EC_NOMEM || p->k->panicked)
        return e;
    if (try_allocate_grant(d, p) != ALLOC_NEW)
        return GS_EC_NOMEM;
    return grant_swap(p, driver, kind, num, w0, w1, old);
}

static struct gs_ret handle_subscribe(struct gs_process *p, struct gs_driver *d,
                                      const struct gs_syscall *sc)
{
    uint32_t driver = sc->r[0], sub = sc->r[1], fn = sc->r[2], appdata = sc->r[3], old[2];
    struct gs_ret ret;
    int e;

    /* The function pointer is checked before the driver. */
    if (fn != 0 && !valid_upcall_pointer(p, fn))
        return gs_ret_failure_u32_u32(GS_EC_INVAL, fn, appdata);
    if (!d)
        return gs_ret_failure_u32_u32(GS_EC_NODEVICE, fn, appdata);
    /* SavedUpcall is {appdata, fn_ptr}. */
    e = swap_with_alloc(p, d, driver, SLOT_UPCALL, sub, appdata, fn, old);
    if (e)
        return gs_ret_failure_u32_u32((uint32_t)e, fn, appdata);
    ret = gs_ret_u32_u32(old[1], old[0]);
    /* Only on success: drop queued upcalls of this id (ReturnValues stay). */
    gs_tasks_remove_pending_upcalls(p, (struct gs_upcall_id){driver, sub});
    return ret;
}

static struct gs_ret handle_allow(struct gs_process *p, struct gs_driver *d,
                                  const struct gs_syscall *sc)
{
    uint32_t driver = sc->r[0], num = sc->r[1], ptr = sc->r[2], len = sc->r[3], old[2];
    bool ro = sc->cls == GS_SYS_RO_ALLOW;
    int e;

    /* The driver is checked before the buffer (the watermark is untouched). */
    if (!d)
        return gs_ret_failure_u32_u32(GS_EC_NODEVICE, ptr, len);
    e = build_buffer(p, ptr, len, ro);
    if (e)
        return gs_ret_failure_u32_u32((uint32_t)e, ptr, len);
    if (sc->cls == GS_SYS_UR_ALLOW) {
        /* No grant storage, no automatic allocation: the driver decides. */
        if (!d->ops->allow_userspace_readable)
            return gs_ret_failure_u32_u32(GS_EC_NOSUPPORT, ptr, len);
        e = d->ops->allow_userspace_readable(d, p->pid, num, ptr, len, old);
        if (e)
            return gs_ret_failure_u32_u32((uint32_t)e, ptr, len);
        return gs_ret_u32_u32(old[0], old[1]);
    }
    e = swap_with_alloc(p, d, driver, ro ? SLOT_RO : SLOT_RW, num, ptr, len, old);
    if (e)
        return gs_ret_failure_u32_u32((uint32_t)e, ptr, len);
    return gs_ret_u32_u32(old[0], old[1]);
}

/* Memop: memop.c's typed result as the syscall return. */
static struct gs_ret handle_memop(struct gs_process *p, const struct gs_syscall *sc)
{
    struct gs_memop_value out;
    enum gs_memop_err e = gs_memop(p, sc->r[0], sc->r[1], &out);

    if (e != GS_MEMOP_OK)
        return gs_ret_failure(e);
    return out.has_value ? gs_ret_u32(out.value) : gs_ret_success();
}

static void handle_yield(struct gs_process *p, const struct gs_syscall *sc)
{
    switch (sc->r[0]) {
    case 0: {
        bool has = gs_tasks_has_elements(p);
        /* set_byte: only if [r1, r1 + 1) is app-owned RAM; otherwise nothing. */
        if (gs_process_in_app_owned_memory(p, sc->r[1], 1))
            gs_kwrite(p->k, sc->r[1], &(uint8_t){has ? 1 : 0}, 1, gs_powner(p, GS_OWN_APP, 0));
        if (has)
            gs_process_set_yielded(p);
        break;
    }
    case 1:
        gs_process_set_yielded(p);
        break;
    case 2:
        gs_process_set_yielded_for(p, (struct gs_upcall_id){sc->r[1], sc->r[2]});
        break;
    default:
        /* Only the 2.2 profile gets here: the process continues, registers untouched. */
        gs_kernel_event(p->k, GS_EV_QUIRK, p, sc->r[0], 0, 0, 0);
        break;
    }
}

void gs_handle_syscall(struct gs_kernel *k, struct gs_process *p, const struct gs_syscall *sc)
{
    struct gs_event ev;
    struct gs_ret ret;
    struct gs_driver *d;
    int e;

    k->syscall_class = (int)sc->cls;
    p->syscall_count++;
    p->has_last_syscall = true;
    p->last_syscall[0] = sc->cls;
    memcpy(&p->last_syscall[1], sc->r, sizeof(sc->r));
    if (gs_kernel_observed(k)) {
        memset(&ev, 0, sizeof(ev));
        ev.kind = GS_EV_SYSCALL;
        ev.p = p;
        ev.a = sc->cls;
        memcpy(ev.r, sc->r, sizeof(ev.r));
        gs_kernel_emit(k, &ev);
    }

    if (sc->cls != GS_SYS_YIELD && sc->cls != GS_SYS_EXIT && sc->cls != GS_SYS_MEMOP && k->filter &&
        (e = k->filter(k->filter_ctx, p, sc)) != 0) {
        /* A filtered call gets a plain Failure, even for subscribe and allow. */
        ret = gs_ret_failure((uint32_t)e);
        gs_set_syscall_return(p, &ret);
        goto done;
    }

    switch (sc->cls) {
    case GS_SYS_MEMOP:
        ret = handle_memop(p, sc);
        if (!k->panicked)
            gs_set_syscall_return(p, &ret);
        break;
    case GS_SYS_YIELD:
        handle_yield(p, sc);
        break;
    case GS_SYS_SUBSCRIBE:
        d = gs_kernel_driver(k, sc->r[0]);
        ret = handle_subscribe(p, d, sc);
        if (!k->panicked)
            gs_set_syscall_return(p, &ret);
        break;
    case GS_SYS_COMMAND:
        d = gs_kernel_driver(k, sc->r[0]);
        if (!d)
            ret = gs_ret_failure(GS_EC_NODEVICE);
        else if (!d->ops->command)
            ret = gs_ret_failure(GS_EC_NOSUPPORT);
        else
            ret = d->ops->command(d, sc->r[1], sc->r[2], sc->r[3], p->pid);
        if (!k->panicked)
            gs_set_syscall_return(p, &ret);
        break;
    case GS_SYS_RW_ALLOW:
    case GS_SYS_RO_ALLOW:
    case GS_SYS_UR_ALLOW:
        d = gs_kernel_driver(k, sc->r[0]);
        ret = handle_allow(p, d, sc);
        if (!k->panicked)
            gs_set_syscall_return(p, &ret);
        break;
    case GS_SYS_EXIT:
        if (sc->r[0] == 0) {
            gs_process_terminate(p, true, sc->r[1]);
        } else if (sc->r[0] == 1) {
            gs_process_try_restart(p, true, sc->r[1]);
        } else {
            ret = gs_ret_failure(GS_EC_NOSUPPORT);
            gs_set_syscall_return(p, &ret);
        }
        break;
    }
done:
    k->syscall_class = -1;
    gs_invariants_after_op(k);
}
