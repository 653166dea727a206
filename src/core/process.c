/* SPDX-License-Identifier: MIT */
/*
 * Process memory and lifecycle: kernel/src/process_standard.rs (tock HEAD
 * 65608d717; [2.2 differs] items from release-2.2), TOCK-REFERENCE section 1.
 * Addresses are 32-bit target addresses; sums wrap like the target's usize.
 */
#include "process.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "invariants.h"
#include "tasks.h"

#define XPSR_THUMB 0x01000000u

const char *gs_state_name(enum gs_state s)
{
    switch (s) {
    case GS_ST_RUNNING:
        return "Running";
    case GS_ST_YIELDED:
        return "Yielded";
    case GS_ST_YIELDED_FOR:
        return "YieldedFor";
    case GS_ST_STOPPED:
        return "Stopped";
    case GS_ST_FAULTED:
        return "Faulted";
    case GS_ST_TERMINATED:
        return "Terminated";
    }
    return "Unknown";
}

const char *gs_fault_policy_name(enum gs_fault_policy p)
{
    switch (p) {
    case GS_FP_PANIC:
        return "panic";
    case GS_FP_STOP:
        return "stop";
    case GS_FP_STOP_DEBUG:
        return "stop-debug";
    case GS_FP_RESTART:
        return "restart";
    case GS_FP_RESTART_DEBUG:
        return "restart-debug";
    case GS_FP_THRESHOLD_RESTART:
        return "threshold-restart";
    case GS_FP_THRESHOLD_RESTART_THEN_PANIC:
        return "threshold-restart-then-panic";
    }
    return "?";
}

const char *gs_process_name(const struct gs_process *p)
{
    return p->name ? p->name : "";
}

static bool is_head(const struct gs_kernel *k)
{
    return k->cfg.profile == GS_PROFILE_HEAD;
}

uint32_t gs_process_initial_kernel_size(struct gs_kernel *k, bool for_reset)
{
    uint32_t g = gs_kernel_grant_count_and_finalize(k) * GS_GRANT_ENTRY_SIZE;

    if (is_head(k))
        /* PR #4798: explicit alignment slack for each of the three objects. */
        return g + GS_GRANT_ENTRY_ALIGN + GS_CALLBACKS_SIZE + GS_TASK_ALIGN + k->cfg.pcb_size +
               k->cfg.pcb_align;
    /* release-2.2: one usize of slack at create, none in reset(). */
    return g + GS_CALLBACKS_SIZE + k->cfg.pcb_size + (for_reset ? 0 : 4);
}

uint32_t gs_process_flash_non_protected_start(const struct gs_process *p)
{
    /* TbfHeader::get_protected_size: 0 without a Program or Main TLV. */
    if (p->app.no_main)
        return p->app.flash_start;
    return p->app.flash_start + p->app.header_size + p->app.protected_trailer;
}

uint32_t gs_process_flash_end(const struct gs_process *p)
{
    return p->app.flash_start + p->app.flash_len;
}

uint32_t gs_process_app_start(const struct gs_process *p)
{
    return gs_process_flash_non_protected_start(p);
}

uint32_t gs_process_init_pc(const struct gs_process *p)
{
    /* TbfHeader::get_init_function_offset = init_fn_offset + header_size (0 without Main). */
    if (p->app.no_main)
        return p->app.flash_start;
    return p->app.flash_start + p->app.header_size + p->app.init_fn_offset;
}

bool gs_process_is_running(const struct gs_process *p)
{
    switch (p->state) {
    case GS_ST_RUNNING:
    case GS_ST_YIELDED:
    case GS_ST_YIELDED_FOR:
    case GS_ST_STOPPED:
        return true;
    default:
        return false;
    }
}

bool gs_process_ready(const struct gs_process *p)
{
    if (!is_head(p->k))
        /* release-2.2: ready = queue non-empty || Running. */
        return gs_tasks_has_elements(p) || p->state == GS_ST_RUNNING;
    switch (p->state) {
    case GS_ST_RUNNING:
        return true;
    case GS_ST_YIELDED_FOR:
        return p->yield_for_ready;
    case GS_ST_YIELDED:
        return gs_tasks_has_elements(p);
    default:
        return false;
    }
}

void gs_process_set_state(struct gs_process *p, enum gs_state s)
{
    enum gs_state old = p->state;

    p->state = s;
    if (old != s)
        gs_kernel_event(p->k, GS_EV_STATE, p, old, s, 0, 0);
}

void gs_process_set_yielded(struct gs_process *p)
{
    if (p->state == GS_ST_RUNNING)
        gs_process_set_state(p, GS_ST_YIELDED);
}

void gs_process_set_yielded_for(struct gs_process *p, struct gs_upcall_id id)
{
    bool resuming = p->state == GS_ST_STOPPED && p->stopped_prev == GS_ST_YIELDED_FOR &&
                    p->wait_for.driver == id.driver && p->wait_for.subscribe == id.subscribe;

    if (p->state != GS_ST_RUNNING && !resuming)
        return;
    p->wait_for = id;
    gs_process_set_state(p, GS_ST_YIELDED_FOR);
    p->yield_for_ready = gs_tasks_has_match(p, id);
}

void gs_process_stop(struct gs_process *p)
{
    switch (p->state) {
    case GS_ST_RUNNING:
    case GS_ST_YIELDED:
    case GS_ST_YIELDED_FOR:
        p->stopped_prev = p->state;
        gs_process_set_state(p, GS_ST_STOPPED);
        break;
    default:
        break;
    }
}

void gs_process_resume(struct gs_process *p)
{
    if (p->state != GS_ST_STOPPED)
        return;
    if (p->stopped_prev == GS_ST_YIELDED_FOR)
        gs_process_set_yielded_for(p, p->wait_for);
    else
        gs_process_set_state(p, p->stopped_prev);
}

int gs_process_initialize_ukb(struct gs_process *p, uint32_t start, uint32_t app_brk)
{
    /* arch/cortex-m/src/syscall.rs initialize_process (the subtraction wraps as upstream). */
    memset(p->ss.regs, 0, sizeof(p->ss.regs));
    p->ss_gen++;
    p->ss.yield_pc = 0;
    p->ss.psr = XPSR_THUMB;
    p->ss.psp = app_brk;
    if (app_brk - start < GS_INITIAL_APP_BRK_SIZE)
        return GS_E_ARG;
    p->ss.psp -= GS_INITIAL_APP_BRK_SIZE;
    return GS_OK;
}

/* The init FunctionCall (create step 16 and reset step 10). */
static void init_task(const struct gs_process *p, struct gs_task *t)
{
    memset(t, 0, sizeof(*t));
    t->kind = GS_TASK_FUNCTION_CALL;
    t->from_driver = false;
    t->pc = gs_process_init_pc(p);
    t->a[0] = gs_process_app_start(p);
    t->a[1] = p->memory_start;
    t->a[2] = p->memory_len;
    t->a[3] = p->app_break;
}

/*
 * Shadow tags of a fresh block: app memory up to app_break, unused up to the
 * kernel break, slack up to the PCB, then PCB, task ring and grant table.
 */
static void tag_block(struct gs_process *p)
{
    struct gs_mem *m = p->k->mem;
    uint32_t end = gs_process_mem_end(p);
    uint32_t g = p->k->grant_count * GS_GRANT_ENTRY_SIZE;

    gs_mem_tag(m, p->memory_start, p->memory_len, gs_powner(p, GS_OWN_KERNEL_SLACK, 0));
    gs_mem_tag(m, p->memory_start, p->app_break - p->memory_start, gs_powner(p, GS_OWN_APP, 0));
    gs_mem_tag(m, p->app_break, p->kernel_break - p->app_break, gs_powner(p, GS_OWN_UNUSED, 0));
    gs_mem_tag(m, p->pcb, p->k->cfg.pcb_size, gs_powner(p, GS_OWN_PCB, 0));
    gs_mem_tag(m, p->taskq, GS_CALLBACKS_SIZE, gs_powner(p, GS_OWN_TASKQ, 0));
    gs_mem_tag(m, p->grant_table, g, gs_powner(p, GS_OWN_GRANT_TABLE, 0));
    (void)end;
}

static void write_grant_entry(struct gs_process *p, unsigned n, uint32_t driver, uint32_t ptr)
{
    uint32_t a = p->grant_table + n * GS_GRANT_ENTRY_SIZE;

    gs_kstore32(p->k, a, driver, gs_powner(p, GS_OWN_GRANT_TABLE, 0));
    gs_kstore32(p->k, a + 4, ptr, gs_powner(p, GS_OWN_GRANT_TABLE, 0));
}

int gs_process_grant_entry(const struct gs_process *p, unsigned grant_num, uint32_t *driver,
                           uint32_t *ptr)
{
    uint32_t a;

    if (grant_num >= p->k->grant_count)
        return GS_E_ARG;
    a = p->grant_table + grant_num * GS_GRANT_ENTRY_SIZE;
    *driver = gs_kload32(p->k, a);
    *ptr = gs_kload32(p->k, a + 4);
    return GS_OK;
}

static int copy_app(struct gs_process *p, const struct gs_app_info *app)
{
    p->app = *app;
    p->app.perms = NULL;
    p->app.perms_len = 0;
    p->app.wfr = NULL;
    p->name = malloc((size_t)app->name_len + 1);
    if (!p->name)
        return GS_E_NOMEM_HOST;
    if (app->name_len)
        memcpy(p->name, app->name, app->name_len);
    p->name[app->name_len] = '\0';
    p->app.name = p->name;
    if (app->has_perms && app->perms_len) {
        uint8_t *pe = malloc(app->perms_len);
        if (!pe)
            return GS_E_NOMEM_HOST;
        memcpy(pe, app->perms, app->perms_len);
        p->app.perms = pe;
        p->app.perms_len = app->perms_len;
    }
    if (app->nwfr > 0) {
        struct gs_wfr *w = calloc(app->nwfr, sizeof(*w));
        if (!w)
            return GS_E_NOMEM_HOST;
        memcpy(w, app->wfr, app->nwfr * sizeof(*w));
        p->app.wfr = w;
    }
    return GS_OK;
}

enum gs_cmd_perms_kind gs_process_command_permissions(const struct gs_process *p, uint32_t driver,
                                                      uint32_t offset, uint64_t *mask)
{
    const uint8_t *t = p->app.perms;
    uint32_t len = p->app.perms_len, count;
    bool found = false;

    if (!p->app.has_perms)
        return GS_PERMS_NONE_AT_ALL;
    if (len < 2)
        return GS_PERMS_NONE_AT_ALL; /* malformed */
    count = (uint32_t)t[0] | ((uint32_t)t[1] << 8);
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *e = t + 2 + 16 * i;
        if ((uint64_t)2 + 16 * (uint64_t)(i + 1) > len)
            return GS_PERMS_NONE_AT_ALL; /* malformed entry reached */
        if (gs_get_le32(e) == driver) {
            found = true;
            if (gs_get_le32(e + 4) == offset) {
                *mask = (uint64_t)gs_get_le32(e + 8) | ((uint64_t)gs_get_le32(e + 12) << 32);
                return GS_PERMS_MASK;
            }
        }
    }
    if (found) {
        *mask = 0;
        return GS_PERMS_MASK;
    }
    return GS_PERMS_NONE_THIS_DRIVER;
}

void gs_process_free(struct gs_process *p)
{
    if (!p)
        return;
    free(p->name);
    free((void *)p->app.perms);
    free((void *)p->app.wfr);
    free(p);
}

int gs_process_create(struct gs_kernel *k, const struct gs_app_info *app, uint32_t *pool_start,
                      uint32_t *pool_len, struct gs_process **out)
{
    struct gs_process *p;
    struct gs_task t;
    uint32_t rs, rl, init_kernel, min_ram, min_total, alloc_start, alloc_size, fs, fsz, kb, offset;
    int index = -1, err;

    if (!k || !app || !pool_start || !pool_len || !out)
        return GS_E_ARG;
    if (k->panicked)
        return GS_E_PANIC;
    if (!gs_mem_in_flash(k->mem, app->flash_start, app->flash_len) || app->flash_len == 0 ||
        app->header_size > app->flash_len || (app->name_len && !app->name) ||
        app->name_len > 0xFFFF || (app->has_perms && app->perms_len && !app->perms) ||
        (app->nwfr && !app->wfr))
        return GS_E_ARG;
    for (unsigned i = 0; i < k->cfg.num_procs; i++) {
        if (!k->procs[i]) {
            index = (int)i;
            break;
        }
    }
    if (index < 0)
        return GS_E_NO_SLOT;
    p = calloc(1, sizeof(*p));
    if (!p)
        return GS_E_NOMEM_HOST;
    p->k = k;
    p->index = (unsigned)index;
    err = copy_app(p, app);
    if (err)
        goto fail;

    /* Steps 2-3: a fresh MPU config and the flash region (region 2). */
    err = gs_mpu_new_config(&k->mpu, &p->mpu_cfg);
    if (err)
        goto fail;
    err = gs_mpu_allocate_region(&k->mpu, &p->mpu_cfg, app->flash_start, app->flash_len,
                                 app->flash_len, GS_PERM_RX, &fs, &fsz);
    if (err == GS_E_PANIC) {
        err = gs_kernel_panic(k, "ProcessStandard::create", "%s", k->mpu.panic_msg);
        goto fail;
    }
    if (err) {
        err = GS_E_MPU_FLASH_LEN;
        goto fail;
    }

    /* Steps 4-7: sizes. */
    init_kernel = gs_process_initial_kernel_size(k, false);
    min_ram = app->min_ram > GS_INITIAL_APP_BRK_SIZE ? app->min_ram : GS_INITIAL_APP_BRK_SIZE;
    min_total = min_ram + init_kernel;

    /* Step 8: a fixed RAM address moves the pool start up, never down. */
    rs = *pool_start;
    rl = *pool_len;
    if (app->has_fixed_ram && app->fixed_ram != rs) {
        if (app->fixed_ram > rs) {
            uint32_t diff = app->fixed_ram - rs;
            if (diff > rl) {
                err = GS_E_ADDRESS_MISMATCH;
                goto fail;
            }
            rs += diff;
            rl -= diff;
        } else {
            err = GS_E_ADDRESS_MISMATCH;
            goto fail;
        }
    }

    /* Steps 9-10. */
    err = gs_mpu_allocate_app_memory_region(&k->mpu, &p->mpu_cfg, rs, rl, min_total,
                                            GS_INITIAL_APP_BRK_SIZE, init_kernel, GS_PERM_RW,
                                            &alloc_start, &alloc_size);
    if (err == GS_E_PANIC) {
        err = gs_kernel_panic(k, "ProcessStandard::create", "%s", k->mpu.panic_msg);
        goto fail;
    }
    if (err) {
        /* Upstream hands back the pool as adjusted for the fixed address. */
        *pool_start = rs;
        *pool_len = rl;
        err = GS_E_NOT_ENOUGH_MEMORY;
        goto fail;
    }
    if (app->has_fixed_ram && alloc_start != app->fixed_ram) {
        *pool_start = rs;
        *pool_len = rl;
        err = GS_E_ADDRESS_MISMATCH;
        goto fail;
    }
    if (!gs_mem_in_ram(k->mem, alloc_start, alloc_size)) {
        /* The pool the caller gave is not simulated RAM: a board bug, not a Tock outcome. */
        err = GS_E_ARG;
        goto fail;
    }

    /* Step 11: split the pool; the padding before the block is lost. */
    offset = alloc_start - rs;
    p->memory_start = alloc_start;
    p->memory_len = alloc_size;
    p->init_kernel_size = init_kernel;

    /* Steps 12-13: app memory, then the kernel objects from the top down. */
    p->app_break = alloc_start + GS_INITIAL_APP_BRK_SIZE;
    p->hwm = alloc_start;
    kb = alloc_start + alloc_size;
    kb -= k->grant_count * GS_GRANT_ENTRY_SIZE;
    kb -= kb % GS_GRANT_ENTRY_ALIGN;
    p->grant_table = kb;
    kb -= GS_CALLBACKS_SIZE;
    kb -= kb % GS_TASK_ALIGN;
    p->taskq = kb;
    kb -= k->cfg.pcb_size;
    kb -= kb % k->cfg.pcb_align;
    p->pcb = kb;
    p->kernel_break = kb;
    if (p->kernel_break < p->app_break) {
        /* Cannot happen with a correct MPU allocation: report, don't corrupt. */
        err = gs_kernel_panic(k, "ProcessStandard::create",
                              "kernel objects overlap app memory (break 0x%08x < 0x%08x)",
                              (unsigned)p->kernel_break, (unsigned)p->app_break);
        goto fail;
    }
    tag_block(p);
    if (is_head(k)) /* PR #4717 (2026): zero the initially accessible memory. */
        gs_kfill(k, alloc_start, 0, GS_INITIAL_APP_BRK_SIZE, gs_powner(p, GS_OWN_APP, 0));
    for (unsigned i = 0; i < k->grant_count; i++)
        write_grant_entry(p, i, 0, 0);
    p->tq_head = p->tq_tail = 0;

    /* Step 14: PCB initial values. */
    p->pid.index = (uint32_t)index;
    p->pid.id = gs_kernel_create_process_identifier(k);
    p->state = GS_ST_YIELDED;
    p->has_mpu_config = true;
    p->fault_policy = GS_FP_PANIC;

    /* Step 15. */
    if (gs_process_initialize_ukb(p, alloc_start, p->app_break) != GS_OK) {
        err = GS_E_INTERNAL;
        goto fail;
    }

    k->procs[index] = p;
    *pool_start = alloc_start + alloc_size;
    *pool_len = rl - offset - alloc_size;

    /* Step 16: the init task goes straight into the ring (tasks.enqueue). */
    init_task(p, &t);
    gs_tasks_enqueue(p, &t);

    gs_kernel_event(k, GS_EV_PROCESS_CREATED, p, p->memory_start, p->memory_len, 0, 0);
    gs_invariants_after_op(k);
    *out = p;
    return GS_OK;

fail:
    gs_process_free(p);
    return err;
}

/* GS_EV_GRANT_REGION_ALLOC, before the kernel break moves (observer.h). */
static void alloc_event(struct gs_process *p, uint32_t size, uint32_t align, uint32_t new_break,
                        bool ok)
{
    struct gs_event ev = {.kind = GS_EV_GRANT_REGION_ALLOC,
                          .p = p,
                          .a = size,
                          .b = align,
                          .c = new_break,
                          .d = ok,
                          .r = {p->kernel_break, p->app_break}};

    if (gs_kernel_observed(p->k))
        gs_kernel_emit(p->k, &ev);
}

int gs_process_alloc_in_grant_region(struct gs_process *p, uint32_t size, uint32_t align,
                                     uint32_t *out)
{
    struct gs_kernel *k = p->k;
    uint32_t cand, new_break, a;
    int err;

    if (k->panicked)
        return GS_E_PANIC;
    if (!p->has_mpu_config)
        return GS_E_OUT_OF_MEMORY;
    if (k->inject.grant_alloc_at && ++k->inject.grant_allocs == k->inject.grant_alloc_at)
        return GS_E_OUT_OF_MEMORY; /* injected */
    cand = p->kernel_break - size;
    a = align < 2 ? 2 : align; /* bit 0 stays free for the entered flag */
    new_break = cand & ~(a - 1);
    if (new_break < p->app_break || new_break > p->kernel_break) {
        alloc_event(p, size, align, 0, false);
        return GS_E_OUT_OF_MEMORY;
    }
    err = gs_mpu_update_app_memory_region(&k->mpu, &p->mpu_cfg, p->app_break, new_break, GS_PERM_RW,
                                          NULL);
    if (err == GS_E_PANIC)
        return gs_kernel_panic(k, "allocate_in_grant_region_internal", "%s", k->mpu.panic_msg);
    if (err) {
        alloc_event(p, size, align, 0, false);
        return GS_E_OUT_OF_MEMORY;
    }
    alloc_event(p, size, align, new_break, true);
    gs_mem_tag(k->mem, new_break, p->kernel_break - new_break,
               gs_powner(p, GS_OWN_KERNEL_SLACK, 0));
    p->kernel_break = new_break;
    *out = new_break;
    return GS_OK;
}

int gs_process_grant_is_allocated(const struct gs_process *p, unsigned grant_num)
{
    uint32_t driver, ptr;

    if (!gs_process_is_running(p))
        return -1;
    if (gs_process_grant_entry(p, grant_num, &driver, &ptr) != GS_OK)
        return -1;
    return ptr != 0;
}

int gs_process_allocate_grant(struct gs_process *p, unsigned grant_num, uint32_t driver_num,
                              uint32_t size, uint32_t align, uint32_t *out)
{
    uint32_t ptr;
    int err;

    if (p->k->panicked)
        return GS_E_PANIC;
    if (!gs_process_is_running(p))
        return GS_E_INACTIVE_APP;
    if (grant_num >= gs_kernel_grant_count_and_finalize(p->k))
        return GS_E_ARG;
    if (gs_process_grant_is_allocated(p, grant_num) == 1)
        return GS_E_ALREADY_IN_USE;
    for (unsigned i = 0; i < p->k->grant_count; i++) {
        uint32_t d, gp;
        gs_process_grant_entry(p, i, &d, &gp);
        if (gp != 0 && d == driver_num)
            return GS_E_ALREADY_IN_USE;
    }
    err = gs_process_alloc_in_grant_region(p, size, align, &ptr);
    if (err)
        return err;
    write_grant_entry(p, grant_num, driver_num, ptr);
    *out = ptr;
    return GS_OK;
}

int gs_process_allocate_custom_grant(struct gs_process *p, uint32_t size, uint32_t align,
                                     uint32_t *out_offset, uint32_t *out_ptr)
{
    uint32_t ptr;
    int err;

    if (p->k->panicked)
        return GS_E_PANIC;
    if (!gs_process_is_running(p))
        return GS_E_INACTIVE_APP;
    err = gs_process_alloc_in_grant_region(p, size, align, &ptr);
    if (err)
        return err;
    p->custom_serial++;
    if ((uint64_t)ptr + size > p->pcb) {
        /*
         * Oracle: a custom grant must lie in the grant region, below the
         * PCB. Upstream's wrap check runs after the rounding, so a size
         * within align - 1 of 2^32 "fits" at the kernel break (latent
         * upstream: sizes are compile-time constants there).
         */
        struct gs_finding f;
        memset(&f, 0, sizeof(f));
        f.kind = GS_FIND_LAYOUT;
        f.site = size > ptr ? "custom-grant-size-wraps" : "custom-grant-beyond-region";
        f.syscall_class = p->k->syscall_class;
        f.addr = ptr;
        snprintf(f.text, sizeof(f.text),
                 "process %u: custom grant of %u bytes allocated at 0x%08x, but the PCB starts "
                 "at 0x%08x",
                 p->index, (unsigned)size, (unsigned)ptr, (unsigned)p->pcb);
        gs_kernel_finding(p->k, &f);
    }
    gs_mem_tag(p->k->mem, ptr, size, gs_powner(p, GS_OWN_CUSTOM, p->custom_serial));
    gs_kernel_event(p->k, GS_EV_CUSTOM_ALLOCATED, p, p->custom_serial, ptr, size, 0);
    *out_offset = gs_process_mem_end(p) - ptr;
    *out_ptr = ptr;
    return GS_OK;
}

int gs_process_enter_custom_grant(struct gs_process *p, uint32_t offset, uint32_t *out_ptr)
{
    if (!gs_process_is_running(p))
        return GS_E_INACTIVE_APP;
    *out_ptr = gs_process_mem_end(p) - offset;
    return GS_OK;
}

int gs_process_enter_grant(struct gs_process *p, unsigned grant_num, uint32_t *out_ptr)
{
    uint32_t driver, ptr;

    if (!gs_process_is_running(p))
        return GS_E_INACTIVE_APP;
    if (gs_process_grant_entry(p, grant_num, &driver, &ptr) != GS_OK)
        return GS_E_ADDRESS_OUT_OF_BOUNDS;
    if (ptr == 0)
        return GS_E_OUT_OF_MEMORY;
    if (ptr & 1)
        return GS_E_ALREADY_IN_USE;
    gs_kstore32(p->k, p->grant_table + grant_num * GS_GRANT_ENTRY_SIZE + 4, ptr | 1,
                gs_powner(p, GS_OWN_GRANT_TABLE, 0));
    *out_ptr = ptr;
    return GS_OK;
}

void gs_process_leave_grant(struct gs_process *p, unsigned grant_num)
{
    uint32_t driver, ptr;

    if (!gs_process_is_running(p))
        return;
    if (gs_process_grant_entry(p, grant_num, &driver, &ptr) != GS_OK)
        return;
    gs_kstore32(p->k, p->grant_table + grant_num * GS_GRANT_ENTRY_SIZE + 4, ptr & ~1u,
                gs_powner(p, GS_OWN_GRANT_TABLE, 0));
}

int gs_process_grant_allocated_count(const struct gs_process *p)
{
    int n = 0;

    if (!gs_process_is_running(p))
        return -1;
    for (unsigned i = 0; i < p->k->grant_count; i++) {
        uint32_t d, gp;
        gs_process_grant_entry(p, i, &d, &gp);
        n += gp != 0;
    }
    return n;
}

int gs_process_lookup_grant(const struct gs_process *p, uint32_t driver_num)
{
    for (unsigned i = 0; i < p->k->grant_count; i++) {
        uint32_t d, gp;
        gs_process_grant_entry(p, i, &d, &gp);
        if (gp != 0 && d == driver_num)
            return (int)i;
    }
    return GS_E_OUT_OF_MEMORY;
}

int gs_process_brk(struct gs_process *p, uint32_t new_break, uint32_t *old_break)
{
    struct gs_kernel *k = p->k;
    uint32_t old;
    bool wrapped = false;
    int err;

    if (k->panicked)
        return GS_E_PANIC;
    if (!gs_process_is_running(p))
        return GS_E_INACTIVE_APP;
    if (!p->has_mpu_config)
        return GS_E_KERNEL_ERROR;
    if (new_break < p->hwm || new_break >= gs_process_mem_end(p))
        return GS_E_ADDRESS_OUT_OF_BOUNDS;
    if (new_break > p->kernel_break)
        return GS_E_OUT_OF_MEMORY;
    err = gs_mpu_update_app_memory_region(&k->mpu, &p->mpu_cfg, new_break, p->kernel_break,
                                          GS_PERM_RW, &wrapped);
    if (err == GS_E_PANIC)
        return gs_kernel_panic(k, "brk", "%s", k->mpu.panic_msg);
    if (err)
        return GS_E_OUT_OF_MEMORY;
    if (wrapped) {
        struct gs_event ev = {.kind = GS_EV_QUIRK, .p = p, .a = new_break};
        ev.text = "brk to memory_start: update_app_memory_region computed 0 - 1 subregions "
                  "(usize wrap); region 0 stays enabled with every subregion disabled";
        gs_kernel_emit(k, &ev);
    }
    old = p->app_break;
    p->app_break = new_break;
    gs_process_setup_mpu(p); /* configure_mpu */
    if (new_break > old) {
        gs_mem_tag(k->mem, old, new_break - old, gs_powner(p, GS_OWN_APP, 0));
        if (is_head(k)) /* zero the newly accessible memory (2.2 did not) */
            gs_kfill(k, old, 0, new_break - old, gs_powner(p, GS_OWN_APP, 0));
    } else if (new_break < old) {
        gs_mem_tag(k->mem, new_break, old - new_break, gs_powner(p, GS_OWN_UNUSED, 0));
    }
    gs_kernel_event(k, GS_EV_BRK, p, old, new_break, 0, 0);
    gs_invariants_after_op(k);
    *old_break = old;
    return GS_OK;
}

int gs_process_sbrk(struct gs_process *p, int32_t increment, uint32_t *old_break)
{
    if (!gs_process_is_running(p))
        return GS_E_INACTIVE_APP;
    return gs_process_brk(p, p->app_break + (uint32_t)increment, old_break);
}

bool gs_process_in_app_owned_memory(const struct gs_process *p, uint32_t addr, uint32_t size)
{
    uint32_t end = addr + size;

    return end >= addr && addr >= p->memory_start && end <= p->app_break;
}

bool gs_process_in_app_flash_memory(const struct gs_process *p, uint32_t addr, uint32_t size)
{
    uint32_t end = addr + size;

    return end >= addr && addr >= gs_process_flash_non_protected_start(p) &&
           end <= gs_process_flash_end(p);
}

/* Grant and custom-grant memory that terminate() releases. */
#define RELEASED_KINDS                                                                             \
    (GS_OWN_BIT(GS_OWN_GRANT_HDR) | GS_OWN_BIT(GS_OWN_GRANT_UPCALLS) |                             \
     GS_OWN_BIT(GS_OWN_GRANT_RO) | GS_OWN_BIT(GS_OWN_GRANT_RW) | GS_OWN_BIT(GS_OWN_GRANT_PAD) |    \
     GS_OWN_BIT(GS_OWN_GRANT_T) | GS_OWN_BIT(GS_OWN_CUSTOM))

void gs_process_terminate(struct gs_process *p, bool has_code, uint32_t code)
{
    if (!gs_process_is_running(p) && p->state != GS_ST_FAULTED)
        return;
    gs_tasks_empty(p);
    for (unsigned i = 0; i < p->k->grant_count; i++)
        write_grant_entry(p, i, 0, 0);
    /* Grant memory stays where it is but belongs to nobody now. */
    gs_mem_retag(p->k->mem, p->kernel_break, p->pcb - p->kernel_break, RELEASED_KINDS, p->index,
                 gs_powner(p, GS_OWN_FREED, 0));
    p->has_completion = true;
    p->completion_some = has_code;
    p->completion_code = has_code ? code : 0;
    gs_process_set_state(p, GS_ST_TERMINATED);
    gs_kernel_event(p->k, GS_EV_TERMINATED, p, code, has_code, 0, 0);
    gs_invariants_after_op(p->k);
}

/* reset() (1.13). Returns 0 or a positive gs_ecode (FAIL, NOMEM, RESERVE). */
static int process_reset(struct gs_process *p)
{
    struct gs_kernel *k = p->k;
    struct gs_task t;
    uint32_t fs, fsz, start, len, init_kernel, old_kb = p->kernel_break;
    int err;

    p->pid.id = gs_kernel_create_process_identifier(k);
    p->has_last_syscall = false;
    p->syscall_count = 0;
    p->dropped_upcalls = 0;
    p->timeslice_expirations = 0;

    /* mpu_config.take(): a failure below leaves the process without a config. */
    if (!p->has_mpu_config)
        return GS_EC_FAIL;
    p->has_mpu_config = false;
    gs_mpu_reset_config(&k->mpu, &p->mpu_cfg);
    err = gs_mpu_allocate_region(&k->mpu, &p->mpu_cfg, p->app.flash_start, p->app.flash_len,
                                 p->app.flash_len, GS_PERM_RX, &fs, &fsz);
    if (err == GS_E_PANIC) {
        gs_kernel_panic(k, "ProcessStandard::reset", "%s", k->mpu.panic_msg);
        return GS_EC_FAIL;
    }
    if (err)
        return GS_EC_FAIL;
    init_kernel = gs_process_initial_kernel_size(k, true);
    err = gs_mpu_allocate_app_memory_region(&k->mpu, &p->mpu_cfg, p->memory_start, p->memory_len,
                                            p->memory_len, GS_INITIAL_APP_BRK_SIZE, init_kernel,
                                            GS_PERM_RW, &start, &len);
    if (err == GS_E_PANIC) {
        gs_kernel_panic(k, "ProcessStandard::reset", "%s", k->mpu.panic_msg);
        return GS_EC_NOMEM;
    }
    if (err)
        return GS_EC_NOMEM;
    p->app_break = start + GS_INITIAL_APP_BRK_SIZE;
    p->kernel_break = start + len - init_kernel;
    p->hwm = start;
    p->has_mpu_config = true;

    /* Shadow: app memory, unused, and slack below the PCB (old grants are gone). */
    gs_mem_tag(k->mem, p->memory_start, p->app_break - p->memory_start,
               gs_powner(p, GS_OWN_APP, 0));
    if (p->kernel_break >= p->app_break && p->kernel_break <= p->pcb) {
        gs_mem_tag(k->mem, p->app_break, p->kernel_break - p->app_break,
                   gs_powner(p, GS_OWN_UNUSED, 0));
        gs_mem_tag(k->mem, p->kernel_break, p->pcb - p->kernel_break,
                   gs_powner(p, GS_OWN_KERNEL_SLACK, 0));
    }
    (void)old_kb;

    if (gs_process_initialize_ukb(p, start, p->app_break) != GS_OK)
        return GS_EC_RESERVE;
    p->restart_count++;
    gs_process_set_state(p, GS_ST_YIELDED);
    gs_kernel_event(k, GS_EV_RESTARTED, p, p->restart_count, 0, 0, 0);
    init_task(p, &t);
    return gs_tasks_enqueue(p, &t);
}

void gs_process_try_restart(struct gs_process *p, bool has_code, uint32_t code)
{
    if (p->state == GS_ST_TERMINATED)
        return;
    gs_process_terminate(p, has_code, code);
    if (process_reset(p) == 0)
        gs_process_set_state(p, GS_ST_YIELDED);
    gs_invariants_after_op(p->k);
}

void gs_process_start(struct gs_process *p)
{
    if (p->state != GS_ST_TERMINATED)
        return;
    if (process_reset(p) == 0)
        gs_process_set_state(p, GS_ST_YIELDED);
    gs_invariants_after_op(p->k);
}

static void debug_line(struct gs_process *p, const char *fmt_suffix)
{
    char line[160];
    struct gs_event ev = {.kind = GS_EV_DEBUG, .p = p};

    snprintf(line, sizeof(line), "Process %s %s", gs_process_name(p), fmt_suffix);
    ev.text = line;
    gs_kernel_emit(p->k, &ev);
}

void gs_process_set_fault_state(struct gs_process *p)
{
    enum { PANIC, RESTART, STOP } action;

    switch (p->fault_policy) {
    case GS_FP_STOP:
        action = STOP;
        break;
    case GS_FP_STOP_DEBUG:
        debug_line(p, "faulted and was stopped.");
        action = STOP;
        break;
    case GS_FP_RESTART:
        action = RESTART;
        break;
    case GS_FP_RESTART_DEBUG:
        debug_line(p, "faulted and will be restarted.");
        action = RESTART;
        break;
    case GS_FP_THRESHOLD_RESTART:
        action = p->restart_count <= p->fault_threshold ? RESTART : STOP;
        break;
    case GS_FP_THRESHOLD_RESTART_THEN_PANIC:
        action = p->restart_count <= p->fault_threshold ? RESTART : PANIC;
        break;
    case GS_FP_PANIC:
    default:
        action = PANIC;
        break;
    }
    switch (action) {
    case PANIC:
        gs_process_set_state(p, GS_ST_FAULTED);
        gs_kernel_panic(p->k, "set_fault_state", "Process %s had a fault", gs_process_name(p));
        break;
    case RESTART:
        gs_process_try_restart(p, false, 0);
        break;
    case STOP:
        gs_process_terminate(p, false, 0);
        gs_process_set_state(p, GS_ST_FAULTED);
        break;
    }
}

void gs_process_record_fault(struct gs_process *p, const struct gs_fault *f)
{
    struct gs_event ev;

    p->has_fault = true;
    p->last_fault = *f;
    p->faults++;
    memset(&ev, 0, sizeof(ev));
    ev.kind = GS_EV_FAULT;
    ev.p = p;
    ev.a = f->kind;
    ev.b = f->addr;
    ev.c = f->pc;
    ev.d = f->addr_valid;
    gs_kernel_emit(p->k, &ev);
}

void gs_process_setup_mpu(struct gs_process *p)
{
    if (!p->has_mpu_config)
        return;
    if (gs_mpu_configure(&p->k->mpu, &p->mpu_cfg))
        gs_kernel_event(p->k, GS_EV_MPU_CONFIGURED, p, p->mpu_cfg.id, 0, 0, 0);
}

int gs_process_add_mpu_region(struct gs_process *p, uint32_t start, uint32_t size, uint32_t min,
                              uint32_t *out_start, uint32_t *out_size)
{
    uint32_t rs, rsz;
    int err;

    if (!p->has_mpu_config)
        return GS_E_OUT_OF_MEMORY;
    if (p->k->inject.mpu_region_at && ++p->k->inject.mpu_regions == p->k->inject.mpu_region_at)
        return GS_E_OUT_OF_MEMORY; /* injected */
    err = gs_mpu_allocate_region(&p->k->mpu, &p->mpu_cfg, start, size, min, GS_PERM_RW, &rs, &rsz);
    if (err == GS_E_PANIC)
        return gs_kernel_panic(p->k, "add_mpu_region", "%s", p->k->mpu.panic_msg);
    if (err)
        return GS_E_OUT_OF_MEMORY;
    for (unsigned i = 0; i < GS_MPU_REGIONS_CACHE; i++) {
        if (!p->mpu_region_used[i]) {
            p->mpu_region_used[i] = true;
            p->mpu_region_start[i] = rs;
            p->mpu_region_size[i] = rsz;
            *out_start = rs;
            *out_size = rsz;
            return GS_OK;
        }
    }
    return GS_E_NO_SLOT; /* the region stays in the MPU config (upstream) */
}
