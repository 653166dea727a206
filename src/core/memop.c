/* SPDX-License-Identifier: MIT */
/*
 * Memop: kernel/src/memop.rs (tock HEAD 65608d717), TOCK-REFERENCE 1.12.
 * The checks of brk and sbrk are process_standard.rs's, in process.c.
 */
#include "memop.h"

/* get_writeable_flash_region(i): (offset, size), (0, 0) when out of range. */
static void wfr(const struct gs_process *p, uint32_t i, uint32_t *off, uint32_t *size)
{
    if (i < p->app.nwfr) {
        *off = p->app.wfr[i].offset;
        *size = p->app.wfr[i].size;
    } else {
        *off = *size = 0;
    }
}

static enum gs_memop_err value(struct gs_memop_value *out, uint32_t v)
{
    out->has_value = true;
    out->value = v;
    return GS_MEMOP_OK;
}

static enum gs_memop_err success(struct gs_memop_value *out)
{
    out->has_value = false;
    out->value = 0;
    return GS_MEMOP_OK;
}

enum gs_memop_err gs_memop(struct gs_process *p, uint32_t op, uint32_t arg,
                           struct gs_memop_value *out)
{
    uint32_t old, off, size;

    switch (op) {
    case 0:
        return gs_process_brk(p, arg, &old) == GS_OK ? success(out) : GS_MEMOP_NOMEM;
    case 1:
        return gs_process_sbrk(p, (int32_t)arg, &old) == GS_OK ? value(out, old) : GS_MEMOP_NOMEM;
    case 2:
        return value(out, p->memory_start);
    case 3:
        return value(out, gs_process_mem_end(p));
    case 4:
        return value(out, p->app.flash_start);
    case 5:
        return value(out, gs_process_flash_end(p));
    case 6:
        return value(out, p->kernel_break);
    case 7:
        return value(out, p->app.nwfr);
    case 8:
    case 9:
        wfr(p, arg, &off, &size);
        if (size == 0)
            return GS_MEMOP_FAIL;
        return value(out, p->app.flash_start + off + (op == 9 ? size : 0));
    case 10:
        /* update_stack_start_pointer: recorded only inside [memory_start, mem_end). */
        if (arg >= p->memory_start && arg < gs_process_mem_end(p)) {
            p->has_stack_start = p->has_stack_min = true;
            p->stack_start = p->stack_min = arg;
        }
        return success(out);
    case 11:
        if (arg >= p->memory_start && arg < gs_process_mem_end(p)) {
            p->has_heap_start = true;
            p->heap_start = arg;
        }
        return success(out);
    default:
        return GS_MEMOP_NOSUPPORT;
    }
}
