/* SPDX-License-Identifier: MIT */
/*
 * tmem.h - the simulated target memory and its shadow ownership map.
 *
 * The target is a 32-bit little-endian Cortex-M. RAM and flash are host
 * buffers at fixed target addresses; everything the kernel keeps in process
 * RAM (grant pointer table, task ring, PCB reserve, grants, custom grants) is
 * stored in them at the real target address, in the target's byte order. The
 * core never casts host pointers to reach that data: it loads and stores
 * through the bounds-checked accessors below.
 *
 * Shadow ownership map: every RAM byte carries an owner tag (gs_owner). Every
 * kernel store names the owner it means to write; a store whose bytes belong
 * to another owner is a *finding* (an address sanitizer for target memory).
 * The store still happens, as it would on the real kernel, and the finding is
 * handed to the finding callback.
 */
#ifndef GS_TMEM_H
#define GS_TMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Owner kinds. Tags are 32 bits: kind (bits 27..31), process slot index
 * (bits 20..26), object id (bits 0..19: grant number or custom-grant serial).
 */
enum gs_owner_kind {
    GS_OWN_NONE = 0,      /* in no process block: pool, lost padding, board RAM */
    GS_OWN_APP,           /* app-owned memory of P: [memory_start, app_break) */
    GS_OWN_UNUSED,        /* P's block between app_break and kernel_memory_break */
    GS_OWN_GRANT_TABLE,   /* P's grant pointer table */
    GS_OWN_TASKQ,         /* P's upcall/task ring (10 x 32 bytes) */
    GS_OWN_PCB,           /* P's process-control-block reserve */
    GS_OWN_KERNEL_SLACK,  /* kernel-owned bytes of P belonging to no object (alignment) */
    GS_OWN_GRANT_HDR,     /* grant id of P: counters word */
    GS_OWN_GRANT_UPCALLS, /* grant id of P: saved upcall slots */
    GS_OWN_GRANT_RO,      /* grant id of P: read-only allow slots */
    GS_OWN_GRANT_RW,      /* grant id of P: read-write allow slots */
    GS_OWN_GRANT_PAD,     /* grant id of P: padding before T (never written) */
    GS_OWN_GRANT_T,       /* grant id of P: the capsule's T */
    GS_OWN_CUSTOM,        /* custom grant id of P */
    GS_OWN_FREED,         /* kernel memory of P whose object terminate() released */
    GS_OWN_KIND_COUNT
};

typedef uint32_t gs_owner;

#define GS_OWNER_MAX_PROC 127u
#define GS_OWNER_MAX_ID   0xFFFFFu

static inline gs_owner gs_owner_make(enum gs_owner_kind kind, unsigned proc, unsigned id)
{
    return ((gs_owner)kind << 27) | ((gs_owner)(proc & 0x7F) << 20) | (id & 0xFFFFF);
}
static inline enum gs_owner_kind gs_owner_kind(gs_owner o)
{
    return (enum gs_owner_kind)(o >> 27);
}
static inline unsigned gs_owner_proc(gs_owner o)
{
    return (o >> 20) & 0x7F;
}
static inline unsigned gs_owner_id(gs_owner o)
{
    return o & 0xFFFFF;
}

/* Short name of an owner kind ("app", "grant-upcalls", ...); never NULL. */
const char *gs_owner_kind_name(enum gs_owner_kind kind);

/*
 * Writes a human description of an owner ("grant 3 of process 1: upcall
 * slots") into buf (always NUL-terminated when n > 0). Returns buf.
 */
char *gs_owner_describe(gs_owner o, char *buf, size_t n);

/* A kernel store that landed on bytes of another owner. */
struct gs_mem_finding {
    uint32_t addr;     /* start of the store */
    uint32_t len;      /* its length in bytes */
    uint32_t bad_addr; /* first byte whose owner differs */
    gs_owner intended; /* the owner the store named */
    gs_owner actual;   /* the owner of bad_addr */
};

typedef void (*gs_mem_finding_fn)(void *ctx, const struct gs_mem_finding *f);

struct gs_mem {
    uint32_t ram_base, ram_size;
    uint8_t *ram;
    uint32_t flash_base, flash_size;
    uint8_t *flash;
    gs_owner *shadow; /* one tag per RAM byte */
    gs_mem_finding_fn on_finding;
    void *finding_ctx;
    uint64_t findings; /* number of findings reported so far */
    /*
     * Kernel stores per process: kobj_writes[P] counts the stores naming an
     * owner of process P other than its app memory (its grant table, task
     * ring, grants...). The oracles compare it with the count they last saw
     * to skip re-reading kernel objects nothing wrote since.
     */
    uint32_t kobj_writes[GS_OWNER_MAX_PROC + 1];
};

/*
 * True when [addr, addr + len) lies inside [base, base + size) without
 * wrapping. Safe for every input (len 0 is inside when addr is in
 * [base, base + size]).
 *
 *      base                     base+size
 *       |--------------------------|
 *            addr      addr+len
 *             |=========|              inside
 */
static inline bool gs_range_inside(uint32_t base, uint32_t size, uint32_t addr, uint32_t len)
{
    return addr >= base && len <= size && addr - base <= size - len;
}

/* Little-endian words in host byte buffers (target images, frames, tables). */
static inline uint32_t gs_get_le32(const uint8_t *b)
{
    return (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
}
static inline uint16_t gs_get_le16(const uint8_t *b)
{
    return (uint16_t)(b[0] | (b[1] << 8));
}
static inline void gs_put_le32(uint8_t *b, uint32_t v)
{
    b[0] = (uint8_t)v;
    b[1] = (uint8_t)(v >> 8);
    b[2] = (uint8_t)(v >> 16);
    b[3] = (uint8_t)(v >> 24);
}

/* Adds a + b, returning false (and not writing *out) if it wraps 32 bits. */
static inline bool gs_add_ok(uint32_t a, uint32_t b, uint32_t *out)
{
    if (a > UINT32_MAX - b)
        return false;
    *out = a + b;
    return true;
}

/*
 * Allocates zeroed RAM and flash (flash is filled with 0xFF, erased state) and
 * a shadow with every byte GS_OWN_NONE. Sizes must be non-zero, each region
 * must not wrap past 4 GiB and the two must not overlap.
 * Errors: GS_E_ARG (bad geometry), GS_E_NOMEM_HOST. On error *m is untouched
 * except that it may be zeroed.
 */
int gs_mem_init(struct gs_mem *m, uint32_t ram_base, uint32_t ram_size, uint32_t flash_base,
                uint32_t flash_size);

/* Frees the buffers. Accepts NULL and an already freed or zeroed object. */
void gs_mem_free(struct gs_mem *m);

/*
 * Back to the state of gs_mem_init for RAM [ram_from, ram_to) (zeros, every
 * byte unallocated in the shadow map), for flash [flash_from, flash_to)
 * (erased: 0xFF), and no findings. Bounds outside the memories are clamped.
 */
void gs_mem_reset(struct gs_mem *m, uint32_t ram_from, uint32_t ram_to, uint32_t flash_from,
                  uint32_t flash_to);

/* Sets the callback that receives ownership findings (NULL: only counted). */
void gs_mem_set_finding_fn(struct gs_mem *m, gs_mem_finding_fn fn, void *ctx);

/* True when [addr, addr+len) is entirely in RAM / entirely in flash. */
static inline bool gs_mem_in_ram(const struct gs_mem *m, uint32_t addr, uint32_t len)
{
    return gs_range_inside(m->ram_base, m->ram_size, addr, len);
}
static inline bool gs_mem_in_flash(const struct gs_mem *m, uint32_t addr, uint32_t len)
{
    return gs_range_inside(m->flash_base, m->flash_size, addr, len);
}

/*
 * Host pointer to the target bytes [addr, addr+len) in RAM or flash, or NULL
 * when the range is not entirely inside one of them. For loaders and the
 * machine (which maps these buffers into the CPU); the core itself uses the
 * typed accessors.
 */
uint8_t *gs_mem_host_ptr(struct gs_mem *m, uint32_t addr, uint32_t len);

/*
 * Little-endian loads from RAM or flash. Write *out only on success.
 * Errors: GS_E_BOUNDS if any byte is outside RAM and flash.
 */
int gs_mem_load8(const struct gs_mem *m, uint32_t addr, uint8_t *out);
int gs_mem_load16(const struct gs_mem *m, uint32_t addr, uint16_t *out);
int gs_mem_load32_slow(const struct gs_mem *m, uint32_t addr, uint32_t *out);
/* (The RAM case inline: the kernel's hot paths read their own objects in RAM.) */
static inline int gs_mem_load32(const struct gs_mem *m, uint32_t addr, uint32_t *out)
{
    if (gs_mem_in_ram(m, addr, 4)) {
        *out = gs_get_le32(m->ram + (addr - m->ram_base));
        return 0;
    }
    return gs_mem_load32_slow(m, addr, out);
}
int gs_mem_read(const struct gs_mem *m, uint32_t addr, void *dst, uint32_t len);

/*
 * Little-endian kernel stores into RAM, naming the owner they mean to write.
 * Every byte whose shadow tag differs from `owner` produces one finding for
 * the whole store (reported through the finding callback); the store is
 * still performed. Errors: GS_E_BOUNDS if any byte is outside RAM (nothing is
 * written). Flash is not writable through these.
 */
int gs_mem_store8(struct gs_mem *m, uint32_t addr, uint8_t v, gs_owner owner);
int gs_mem_store16(struct gs_mem *m, uint32_t addr, uint16_t v, gs_owner owner);
int gs_mem_store32(struct gs_mem *m, uint32_t addr, uint32_t v, gs_owner owner);
int gs_mem_write(struct gs_mem *m, uint32_t addr, const void *src, uint32_t len, gs_owner owner);
int gs_mem_fill(struct gs_mem *m, uint32_t addr, uint8_t byte, uint32_t len, gs_owner owner);

/*
 * Shadow bookkeeping (not a store: no finding is possible). Tags every byte
 * of [addr, addr+len) with `owner`. Errors: GS_E_BOUNDS outside RAM.
 */
int gs_mem_tag(struct gs_mem *m, uint32_t addr, uint32_t len, gs_owner owner);

/* Owner tag of one RAM byte; GS_OWN_NONE outside RAM. */
gs_owner gs_mem_owner_at(const struct gs_mem *m, uint32_t addr);

/*
 * Offset of the first byte of [addr, addr+len) not tagged `owner`, or len
 * when they all are. Bytes outside RAM are nobody's: the offset of the
 * first one is returned when the bytes before it match. The oracles' range
 * checks go through this.
 */
uint32_t gs_mem_first_other(const struct gs_mem *m, uint32_t addr, uint32_t len, gs_owner owner);

/* Bit mask of one owner kind, for gs_mem_retag(). */
#define GS_OWN_BIT(kind) (1u << (kind))

/*
 * Retags, within [addr, addr+len) clipped to RAM, every byte of process
 * `proc` whose kind is in `kind_mask` to `to`. terminate() uses it to mark
 * the memory of released grants as GS_OWN_FREED.
 */
void gs_mem_retag(struct gs_mem *m, uint32_t addr, uint32_t len, uint32_t kind_mask, unsigned proc,
                  gs_owner to);

#endif
