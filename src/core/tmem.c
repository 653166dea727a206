/* SPDX-License-Identifier: MIT */
#include "tmem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"

static const char *const kind_names[GS_OWN_KIND_COUNT] = {
    [GS_OWN_NONE] = "none",
    [GS_OWN_APP] = "app",
    [GS_OWN_UNUSED] = "unused",
    [GS_OWN_GRANT_TABLE] = "grant-table",
    [GS_OWN_TASKQ] = "task-queue",
    [GS_OWN_PCB] = "pcb",
    [GS_OWN_KERNEL_SLACK] = "kernel-slack",
    [GS_OWN_GRANT_HDR] = "grant-header",
    [GS_OWN_GRANT_UPCALLS] = "grant-upcalls",
    [GS_OWN_GRANT_RO] = "grant-ro-allows",
    [GS_OWN_GRANT_RW] = "grant-rw-allows",
    [GS_OWN_GRANT_PAD] = "grant-padding",
    [GS_OWN_GRANT_T] = "grant-data",
    [GS_OWN_CUSTOM] = "custom-grant",
    [GS_OWN_FREED] = "freed",
};

const char *gs_owner_kind_name(enum gs_owner_kind kind)
{
    if ((unsigned)kind >= GS_OWN_KIND_COUNT)
        return "invalid";
    return kind_names[kind];
}

char *gs_owner_describe(gs_owner o, char *buf, size_t n)
{
    enum gs_owner_kind k = gs_owner_kind(o);
    unsigned p = gs_owner_proc(o), id = gs_owner_id(o);

    if (n == 0)
        return buf;
    switch (k) {
    case GS_OWN_NONE:
        snprintf(buf, n, "no process (unallocated)");
        break;
    case GS_OWN_APP:
        snprintf(buf, n, "process %u: app memory", p);
        break;
    case GS_OWN_UNUSED:
        snprintf(buf, n, "process %u: unused (between app break and kernel break)", p);
        break;
    case GS_OWN_GRANT_TABLE:
        snprintf(buf, n, "process %u: grant pointer table", p);
        break;
    case GS_OWN_TASKQ:
        snprintf(buf, n, "process %u: task queue", p);
        break;
    case GS_OWN_PCB:
        snprintf(buf, n, "process %u: process control block", p);
        break;
    case GS_OWN_KERNEL_SLACK:
        snprintf(buf, n, "process %u: kernel alignment slack", p);
        break;
    case GS_OWN_GRANT_HDR:
        snprintf(buf, n, "process %u: grant %u counters", p, id);
        break;
    case GS_OWN_GRANT_UPCALLS:
        snprintf(buf, n, "process %u: grant %u upcall slots", p, id);
        break;
    case GS_OWN_GRANT_RO:
        snprintf(buf, n, "process %u: grant %u read-only allow slots", p, id);
        break;
    case GS_OWN_GRANT_RW:
        snprintf(buf, n, "process %u: grant %u read-write allow slots", p, id);
        break;
    case GS_OWN_GRANT_PAD:
        snprintf(buf, n, "process %u: grant %u padding", p, id);
        break;
    case GS_OWN_GRANT_T:
        snprintf(buf, n, "process %u: grant %u data (T)", p, id);
        break;
    case GS_OWN_CUSTOM:
        snprintf(buf, n, "process %u: custom grant #%u", p, id);
        break;
    case GS_OWN_FREED:
        snprintf(buf, n, "process %u: released kernel memory (freed by terminate)", p);
        break;
    default:
        snprintf(buf, n, "invalid owner 0x%08x", (unsigned)o);
        break;
    }
    return buf;
}

int gs_mem_init(struct gs_mem *m, uint32_t ram_base, uint32_t ram_size, uint32_t flash_base,
                uint32_t flash_size)
{
    uint32_t ram_last, flash_last;

    if (!m)
        return GS_E_ARG;
    memset(m, 0, sizeof(*m));
    if (ram_size == 0 || flash_size == 0)
        return GS_E_ARG;
    if (!gs_add_ok(ram_base, ram_size - 1, &ram_last) ||
        !gs_add_ok(flash_base, flash_size - 1, &flash_last))
        return GS_E_ARG;
    if (ram_base <= flash_last && flash_base <= ram_last)
        return GS_E_ARG;

    m->ram = calloc(ram_size, 1);
    m->flash = malloc(flash_size);
    m->shadow = calloc(ram_size, sizeof(gs_owner));
    if (!m->ram || !m->flash || !m->shadow) {
        gs_mem_free(m);
        return GS_E_NOMEM_HOST;
    }
    memset(m->flash, 0xFF, flash_size);
    m->ram_base = ram_base;
    m->ram_size = ram_size;
    m->flash_base = flash_base;
    m->flash_size = flash_size;
    return GS_OK;
}

/* Clamps [*from, *to) to [base, base + size) as offsets; false if empty. */
static bool clamp_range(uint32_t base, uint32_t size, uint32_t from, uint32_t to, size_t *off,
                        size_t *len)
{
    uint64_t lo = from < base ? base : from, hi = to, end = (uint64_t)base + size;

    if (hi > end)
        hi = end;
    if (lo >= hi)
        return false;
    *off = (size_t)(lo - base);
    *len = (size_t)(hi - lo);
    return true;
}

void gs_mem_reset(struct gs_mem *m, uint32_t ram_from, uint32_t ram_to, uint32_t flash_from,
                  uint32_t flash_to)
{
    size_t off, len;

    if (clamp_range(m->ram_base, m->ram_size, ram_from, ram_to, &off, &len)) {
        memset(m->ram + off, 0, len);
        memset(m->shadow + off, 0, len * sizeof(gs_owner));
    }
    if (clamp_range(m->flash_base, m->flash_size, flash_from, flash_to, &off, &len))
        memset(m->flash + off, 0xFF, len);
    m->findings = 0;
}

void gs_mem_free(struct gs_mem *m)
{
    if (!m)
        return;
    free(m->ram);
    free(m->flash);
    free(m->shadow);
    m->ram = m->flash = NULL;
    m->shadow = NULL;
    m->ram_size = m->flash_size = 0;
}

void gs_mem_set_finding_fn(struct gs_mem *m, gs_mem_finding_fn fn, void *ctx)
{
    m->on_finding = fn;
    m->finding_ctx = ctx;
}

uint8_t *gs_mem_host_ptr(struct gs_mem *m, uint32_t addr, uint32_t len)
{
    if (gs_mem_in_ram(m, addr, len))
        return m->ram + (addr - m->ram_base);
    if (gs_mem_in_flash(m, addr, len))
        return m->flash + (addr - m->flash_base);
    return NULL;
}

/* Host pointer for a load, or NULL. Same as gs_mem_host_ptr, but const. */
static const uint8_t *load_ptr(const struct gs_mem *m, uint32_t addr, uint32_t len)
{
    if (gs_mem_in_ram(m, addr, len))
        return m->ram + (addr - m->ram_base);
    if (gs_mem_in_flash(m, addr, len))
        return m->flash + (addr - m->flash_base);
    return NULL;
}

int gs_mem_read(const struct gs_mem *m, uint32_t addr, void *dst, uint32_t len)
{
    const uint8_t *p = load_ptr(m, addr, len);

    if (!p)
        return GS_E_BOUNDS;
    memcpy(dst, p, len);
    return GS_OK;
}

int gs_mem_load8(const struct gs_mem *m, uint32_t addr, uint8_t *out)
{
    const uint8_t *p = load_ptr(m, addr, 1);

    if (!p)
        return GS_E_BOUNDS;
    *out = p[0];
    return GS_OK;
}

int gs_mem_load16(const struct gs_mem *m, uint32_t addr, uint16_t *out)
{
    const uint8_t *p = load_ptr(m, addr, 2);

    if (!p)
        return GS_E_BOUNDS;
    *out = (uint16_t)(p[0] | (p[1] << 8));
    return GS_OK;
}

int gs_mem_load32_slow(const struct gs_mem *m, uint32_t addr, uint32_t *out)
{
    const uint8_t *p = load_ptr(m, addr, 4);

    if (!p)
        return GS_E_BOUNDS;
    *out = (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
    return GS_OK;
}

/*
 * Checks the shadow of a store already known to be inside RAM and reports at
 * most one finding for it (the first mismatching byte).
 */
/* Offset of the first of n tags that is not `owner`, or n; eight tags per branch. */
static uint32_t first_other(const gs_owner *s, uint32_t n, gs_owner owner)
{
    uint32_t i = 0;

    for (; n - i >= 8; i += 8) {
        gs_owner d = (s[i] ^ owner) | (s[i + 1] ^ owner) | (s[i + 2] ^ owner) | (s[i + 3] ^ owner) |
                     (s[i + 4] ^ owner) | (s[i + 5] ^ owner) | (s[i + 6] ^ owner) |
                     (s[i + 7] ^ owner);
        if (d)
            break;
    }
    for (; i < n; i++)
        if (s[i] != owner)
            return i;
    return n;
}

/* Stores are bounds-checked by their callers: the scan needs no check of its own. */
static void check_owner(struct gs_mem *m, uint32_t addr, uint32_t len, gs_owner owner)
{
    if (gs_owner_kind(owner) != GS_OWN_APP)
        m->kobj_writes[gs_owner_proc(owner)]++;
    uint32_t i = first_other(m->shadow + (addr - m->ram_base), len, owner);

    if (i < len) {
        struct gs_mem_finding f = {
            .addr = addr,
            .len = len,
            .bad_addr = addr + i,
            .intended = owner,
            .actual = m->shadow[addr + i - m->ram_base],
        };
        m->findings++;
        if (m->on_finding)
            m->on_finding(m->finding_ctx, &f);
    }
}

int gs_mem_write(struct gs_mem *m, uint32_t addr, const void *src, uint32_t len, gs_owner owner)
{
    if (!gs_mem_in_ram(m, addr, len))
        return GS_E_BOUNDS;
    check_owner(m, addr, len, owner);
    memcpy(m->ram + (addr - m->ram_base), src, len);
    return GS_OK;
}

int gs_mem_fill(struct gs_mem *m, uint32_t addr, uint8_t byte, uint32_t len, gs_owner owner)
{
    if (!gs_mem_in_ram(m, addr, len))
        return GS_E_BOUNDS;
    check_owner(m, addr, len, owner);
    memset(m->ram + (addr - m->ram_base), byte, len);
    return GS_OK;
}

int gs_mem_store8(struct gs_mem *m, uint32_t addr, uint8_t v, gs_owner owner)
{
    return gs_mem_write(m, addr, &v, 1, owner);
}

int gs_mem_store16(struct gs_mem *m, uint32_t addr, uint16_t v, gs_owner owner)
{
    uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};

    return gs_mem_write(m, addr, b, 2, owner);
}

int gs_mem_store32(struct gs_mem *m, uint32_t addr, uint32_t v, gs_owner owner)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};

    return gs_mem_write(m, addr, b, 4, owner);
}

int gs_mem_tag(struct gs_mem *m, uint32_t addr, uint32_t len, gs_owner owner)
{
    gs_owner *s;
    uint32_t done;

    if (!gs_mem_in_ram(m, addr, len))
        return GS_E_BOUNDS;
    s = m->shadow + (addr - m->ram_base);
    /* Whole blocks are tagged at every process creation and restart: fill a few
     * tags, then double them with memcpy (the fuzzers' hottest loop otherwise). */
    for (done = 0; done < len && done < 16; done++)
        s[done] = owner;
    while (done < len) {
        uint32_t n = done < len - done ? done : len - done;
        memcpy(s + done, s, (size_t)n * sizeof(*s));
        done += n;
    }
    return GS_OK;
}

uint32_t gs_mem_first_other(const struct gs_mem *m, uint32_t addr, uint32_t len, gs_owner owner)
{
    uint32_t end;

    if (!gs_mem_in_ram(m, addr, 1))
        return 0;
    /* Bytes past the end of RAM belong to nobody: stop the scan there. */
    end = m->ram_size - (addr - m->ram_base);
    return first_other(m->shadow + (addr - m->ram_base), len < end ? len : end, owner);
}

gs_owner gs_mem_owner_at(const struct gs_mem *m, uint32_t addr)
{
    if (!gs_mem_in_ram(m, addr, 1))
        return gs_owner_make(GS_OWN_NONE, 0, 0);
    return m->shadow[addr - m->ram_base];
}

void gs_mem_retag(struct gs_mem *m, uint32_t addr, uint32_t len, uint32_t kind_mask, unsigned proc,
                  gs_owner to)
{
    uint64_t lo = addr, hi = (uint64_t)addr + len;
    uint64_t rlo = m->ram_base, rhi = (uint64_t)m->ram_base + m->ram_size;

    if (lo < rlo)
        lo = rlo;
    if (hi > rhi)
        hi = rhi;
    for (uint64_t a = lo; a < hi; a++) {
        gs_owner *s = &m->shadow[a - rlo];
        if (gs_owner_proc(*s) == proc && (kind_mask & GS_OWN_BIT(gs_owner_kind(*s))))
            *s = to;
    }
}
