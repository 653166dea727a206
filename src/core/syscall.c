/* SPDX-License-Identifier: MIT */
/*
 * Syscall handling: kernel/src/kernel.rs handle_syscall (the swaps of
 * kernel/src/grant.rs are in grant.c, memop.rs in memop.c), the buffer checks of
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

/* encode_syscall_return_trd104 (kernel/src/utilities/arch_helpers.rs). */
static const struct gs_ret_layout ret_layouts[] = {
    {GS_RET_FAILURE, "Failure", {GS_RS_VARIANT, GS_RS_ERR}},
    {GS_RET_FAILURE_U32, "FailureU32", {GS_RS_VARIANT, GS_RS_ERR, GS_RS_A}},
    {GS_RET_FAILURE_U32_U32, "FailureU32U32", {GS_RS_VARIANT, GS_RS_ERR, GS_RS_A, GS_RS_B}},
    /* 64-bit payloads: a = low word, b = high word (b, c for SuccessU32U64). */
    {GS_RET_FAILURE_U64, "FailureU64", {GS_RS_VARIANT, GS_RS_ERR, GS_RS_A, GS_RS_B}},
    {GS_RET_SUCCESS, "Success", {GS_RS_VARIANT}},
    {GS_RET_SUCCESS_U32, "SuccessU32", {GS_RS_VARIANT, GS_RS_A}},
    {GS_RET_SUCCESS_U32_U32, "SuccessU32U32", {GS_RS_VARIANT, GS_RS_A, GS_RS_B}},
    {GS_RET_SUCCESS_U64, "SuccessU64", {GS_RS_VARIANT, GS_RS_A, GS_RS_B}},
    {GS_RET_SUCCESS_U32_U32_U32, "SuccessU32U32U32", {GS_RS_VARIANT, GS_RS_A, GS_RS_B, GS_RS_C}},
    {GS_RET_SUCCESS_U32_U64, "SuccessU32U64", {GS_RS_VARIANT, GS_RS_A, GS_RS_B, GS_RS_C}},
    /* No variant code: r0..r2 are the upcall's arguments. */
    {GS_RET_YIELD_WAIT_FOR, "YieldWaitFor", {GS_RS_A, GS_RS_B, GS_RS_C}},
};

const struct gs_ret_layout *gs_ret_layout(enum gs_ret_variant v)
{
    for (size_t i = 0; i < sizeof(ret_layouts) / sizeof(ret_layouts[0]); i++)
        if (ret_layouts[i].v == v)
            return &ret_layouts[i];
    return NULL;
}

unsigned gs_ret_written(enum gs_ret_variant v)
{
    const struct gs_ret_layout *l = gs_ret_layout(v);
    unsigned mask = 0;

    for (unsigned i = 0; l && i < 4; i++)
        if (l->reg[i] != GS_RS_NONE)
            mask |= 1u << i;
    return mask;
}

const char *gs_ret_variant_name(enum gs_ret_variant v)
{
    const struct gs_ret_layout *l = gs_ret_layout(v);

    return l ? l->name : "Unknown";
}

void gs_ret_encode(const struct gs_ret *ret, uint32_t r[4])
{
    const struct gs_ret_layout *l = gs_ret_layout(ret->v);

    for (unsigned i = 0; l && i < 4; i++) {
        switch ((enum gs_ret_src)l->reg[i]) {
        case GS_RS_NONE:
            break;
        case GS_RS_VARIANT:
            r[i] = (uint32_t)ret->v;
            break;
        case GS_RS_ERR:
            r[i] = ret->err;
            break;
        case GS_RS_A:
            r[i] = ret->a;
            break;
        case GS_RS_B:
            r[i] = ret->b;
            break;
        case GS_RS_C:
            r[i] = ret->c;
            break;
        }
    }
}

void gs_set_syscall_return(struct gs_process *p, const struct gs_ret *ret)
{
    struct gs_kernel *k = p->k;
    uint32_t psp = p->ss.psp, r[4] = {0, 0, 0, 0};
    unsigned mask = gs_ret_written(ret->v), n = 0;
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

/*
 * ---- handle_syscall, per class: verify, then implement ----
 *
 * As Zephyr splits a syscall into a verify step (every user-supplied value
 * checked) and the implementation, each class below has verify_CLASS,
 * whose checks run in kernel.rs's order and whose failures are an enum of
 * that class, then impl_CLASS, which does the work (for subscribe and the
 * allows, grant.c's swaps). Every error enum is valued as the Tock
 * ErrorCode it returns, so a failure is passed to the process as it is.
 */

/* build_readwrite_process_buffer / build_readonly_process_buffer's failures. */
enum buffer_err {
    BUFFER_OK = 0,
    BUFFER_FAIL = GS_EC_FAIL,   /* the process is not running */
    BUFFER_INVAL = GS_EC_INVAL, /* not app-owned memory (nor, read-only, its readable flash) */
};

/* process_standard.rs: a zero-length buffer takes any pointer; a good one may move the watermark. */
static enum buffer_err build_buffer(struct gs_process *p, uint32_t ptr, uint32_t len, bool ro)
{
    if (!gs_process_is_running(p))
        return BUFFER_FAIL;
    if (len == 0)
        return BUFFER_OK; /* any pointer; the watermark is unchanged */
    if (gs_process_in_app_owned_memory(p, ptr, len)) {
        if (ptr + len > p->hwm)
            p->hwm = ptr + len;
        return BUFFER_OK;
    }
    if (ro && gs_process_in_app_flash_memory(p, ptr, len))
        return BUFFER_OK;
    return BUFFER_INVAL;
}

static bool valid_upcall_pointer(const struct gs_process *p, uint32_t fn)
{
    return gs_process_in_app_flash_memory(p, fn, 4) || gs_process_in_app_owned_memory(p, fn, 4);
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

/*
 * kernel.rs: a swap that failed with NOMEM may be the first use of the
 * grant; the driver is asked to allocate it, and the swap is retried once
 * if that made a new allocation.
 */
static bool retry_after_allocation(struct gs_process *p, struct gs_driver *d,
                                   enum gs_grant_swap_err e)
{
    return e == GS_GRANT_SWAP_NOMEM && !p->k->panicked && try_allocate_grant(d, p) == ALLOC_NEW;
}

/* ---- Subscribe (TOCK-REFERENCE 3.5) ---- */

enum subscribe_err {
    SUBSCRIBE_OK = 0,
    SUBSCRIBE_INVAL = GS_EC_INVAL,       /* fn is outside the process's flash and memory */
    SUBSCRIBE_NODEVICE = GS_EC_NODEVICE, /* no such driver */
};

/* The function pointer is checked before the driver. */
static enum subscribe_err verify_subscribe(const struct gs_process *p, const struct gs_driver *d,
                                           uint32_t fn)
{
    if (fn != 0 && !valid_upcall_pointer(p, fn))
        return SUBSCRIBE_INVAL;
    if (!d)
        return SUBSCRIBE_NODEVICE;
    return SUBSCRIBE_OK;
}

/* grant::subscribe, with the grant allocated on first use. *up: new in, old out on success. */
static enum gs_grant_swap_err impl_subscribe(struct gs_process *p, struct gs_driver *d,
                                             uint32_t driver, uint32_t sub,
                                             struct gs_saved_upcall *up)
{
    enum gs_grant_swap_err e = gs_grant_subscribe(p, driver, sub, up);

    if (retry_after_allocation(p, d, e))
        e = gs_grant_subscribe(p, driver, sub, up);
    /* Only on success: drop queued upcalls of this id (ReturnValues stay). */
    if (e == GS_GRANT_SWAP_OK)
        gs_tasks_remove_pending_upcalls(p, (struct gs_upcall_id){driver, sub});
    return e;
}

static struct gs_ret handle_subscribe(struct gs_process *p, struct gs_driver *d,
                                      const struct gs_syscall *sc)
{
    uint32_t driver = sc->r[0], sub = sc->r[1], fn = sc->r[2], appdata = sc->r[3];
    struct gs_saved_upcall up = {.appdata = appdata, .fn = fn};
    enum subscribe_err v = verify_subscribe(p, d, fn);
    enum gs_grant_swap_err e;

    if (v != SUBSCRIBE_OK)
        return gs_ret_failure_u32_u32(v, fn, appdata);
    e = impl_subscribe(p, d, driver, sub, &up);
    if (e != GS_GRANT_SWAP_OK)
        return gs_ret_failure_u32_u32(e, fn, appdata);
    return gs_ret_u32_u32(up.fn, up.appdata);
}

/* ---- Command ---- */

enum command_err {
    COMMAND_OK = 0,
    COMMAND_NOSUPPORT = GS_EC_NOSUPPORT, /* the driver has no command(): upstream's default */
    COMMAND_NODEVICE = GS_EC_NODEVICE,   /* no such driver */
};

static enum command_err verify_command(const struct gs_driver *d)
{
    if (!d)
        return COMMAND_NODEVICE;
    if (!d->ops->command)
        return COMMAND_NOSUPPORT;
    return COMMAND_OK;
}

static struct gs_ret handle_command(struct gs_process *p, struct gs_driver *d,
                                    const struct gs_syscall *sc)
{
    enum command_err v = verify_command(d);

    if (v != COMMAND_OK)
        return gs_ret_failure(v);
    /* The implementation is the capsule's: its CommandReturn is any variant. */
    return d->ops->command(d, sc->r[1], sc->r[2], sc->r[3], p->pid);
}

/* ---- the three Allows (TOCK-REFERENCE 3.5) ---- */

enum allow_err {
    ALLOW_OK = 0,
    ALLOW_FAIL = BUFFER_FAIL,
    ALLOW_INVAL = BUFFER_INVAL,
    ALLOW_NODEVICE = GS_EC_NODEVICE, /* no such driver */
};

/* The driver is checked before the buffer (the watermark is untouched). */
static enum allow_err verify_allow(struct gs_process *p, const struct gs_driver *d, uint32_t ptr,
                                   uint32_t len, bool ro)
{
    if (!d)
        return ALLOW_NODEVICE;
    return (enum allow_err)build_buffer(p, ptr, len, ro);
}

/* grant::allow_ro / allow_rw, with the grant allocated on first use. */
static enum gs_grant_swap_err impl_allow(struct gs_process *p, struct gs_driver *d, uint32_t driver,
                                         uint32_t num, bool ro, struct gs_saved_allow *buf)
{
    enum gs_grant_swap_err (*swap)(struct gs_process *, uint32_t, uint32_t,
                                   struct gs_saved_allow *) =
        ro ? gs_grant_allow_ro : gs_grant_allow_rw;
    enum gs_grant_swap_err e = swap(p, driver, num, buf);

    if (retry_after_allocation(p, d, e))
        e = swap(p, driver, num, buf);
    return e;
}

/*
 * UserspaceReadableAllow: no grant storage, no automatic allocation; the
 * driver decides. 0 or the driver's ErrorCode (NOSUPPORT without the op).
 */
static int impl_allow_userspace_readable(struct gs_process *p, struct gs_driver *d, uint32_t num,
                                         struct gs_saved_allow *buf)
{
    uint32_t old[2];
    int e;

    if (!d->ops->allow_userspace_readable)
        return GS_EC_NOSUPPORT;
    e = d->ops->allow_userspace_readable(d, p->pid, num, buf->ptr, buf->len, old);
    if (e == 0)
        *buf = (struct gs_saved_allow){.ptr = old[0], .len = old[1]};
    return e;
}

static struct gs_ret handle_allow(struct gs_process *p, struct gs_driver *d,
                                  const struct gs_syscall *sc)
{
    uint32_t driver = sc->r[0], num = sc->r[1], ptr = sc->r[2], len = sc->r[3];
    struct gs_saved_allow buf = {.ptr = ptr, .len = len};
    bool ro = sc->cls == GS_SYS_RO_ALLOW;
    enum allow_err v = verify_allow(p, d, ptr, len, ro);
    int e;

    if (v != ALLOW_OK)
        return gs_ret_failure_u32_u32(v, ptr, len);
    if (sc->cls == GS_SYS_UR_ALLOW)
        e = impl_allow_userspace_readable(p, d, num, &buf);
    else
        e = impl_allow(p, d, driver, num, ro, &buf);
    if (e)
        return gs_ret_failure_u32_u32((uint32_t)e, ptr, len);
    return gs_ret_u32_u32(buf.ptr, buf.len);
}

/* ---- Memop: no check before memop.rs's own (memop.c) ---- */

static struct gs_ret handle_memop(struct gs_process *p, const struct gs_syscall *sc)
{
    struct gs_memop_value out;
    enum gs_memop_err e = gs_memop(p, sc->r[0], sc->r[1], &out);

    if (e != GS_MEMOP_OK)
        return gs_ret_failure(e);
    return out.has_value ? gs_ret_u32(out.value) : gs_ret_success();
}

/* ---- Yield: its variant was verified when it decoded (gs_syscall_decode) ---- */

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

/* ---- Exit (TOCK-REFERENCE 3.7) ---- */

enum exit_err {
    EXIT_OK = 0,
    EXIT_NOSUPPORT = GS_EC_NOSUPPORT, /* neither exit-terminate (0) nor exit-restart (1) */
};

static enum exit_err verify_exit(const struct gs_syscall *sc)
{
    return sc->r[0] <= 1 ? EXIT_OK : EXIT_NOSUPPORT;
}

static void handle_exit(struct gs_process *p, const struct gs_syscall *sc)
{
    enum exit_err v = verify_exit(sc);
    struct gs_ret ret;

    if (v != EXIT_OK) {
        ret = gs_ret_failure(v);
        gs_set_syscall_return(p, &ret);
    } else if (sc->r[0] == 0) {
        gs_process_terminate(p, true, sc->r[1]);
    } else {
        gs_process_try_restart(p, true, sc->r[1]);
    }
}

/* The classes that return a value: memop, subscribe, command and the allows. */
static struct gs_ret handle_returning(struct gs_kernel *k, struct gs_process *p,
                                      const struct gs_syscall *sc)
{
    struct gs_driver *d;

    if (sc->cls == GS_SYS_MEMOP)
        return handle_memop(p, sc);
    d = gs_kernel_driver(k, sc->r[0]); /* Subscribe, Command and the Allows: with_driver(r0) */
    switch (sc->cls) {
    case GS_SYS_SUBSCRIBE:
        return handle_subscribe(p, d, sc);
    case GS_SYS_COMMAND:
        return handle_command(p, d, sc);
    default:
        return handle_allow(p, d, sc);
    }
}

void gs_handle_syscall(struct gs_kernel *k, struct gs_process *p, const struct gs_syscall *sc)
{
    struct gs_event ev;
    struct gs_ret ret;
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
    case GS_SYS_YIELD:
        handle_yield(p, sc);
        break;
    case GS_SYS_EXIT:
        handle_exit(p, sc);
        break;
    default:
        ret = handle_returning(k, p, sc);
        if (!k->panicked)
            gs_set_syscall_return(p, &ret);
        break;
    }
done:
    k->syscall_class = -1;
    gs_invariants_after_op(k);
}
