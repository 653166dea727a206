/* SPDX-License-Identifier: MIT */
/*
 * fuzz-mpu: Tock's Cortex-M MPU driver (mpu.h) against the PMSAv7 hardware
 * model (pmsav7.h). The input is a sequence of the operations the kernel
 * performs, with random inputs in the range the kernel can produce them:
 *
 *   create   new config, allocate_region for the app's flash (ReadExecute),
 *            allocate_app_memory_region (ProcessStandard::create)
 *   brk      update_app_memory_region with a new app break (brk/sbrk)
 *   grant    update_app_memory_region with a lower kernel break
 *            (allocate_in_grant_region_internal)
 *   ipc      allocate_region of a buffer outside the block, ReadWrite (IPC's
 *            add_mpu_region: the buffers are other processes' memory)
 *   remove   remove_memory_region of one of those
 *   reset    reset_config, flash region, allocate_app_memory_region over the
 *            same block (ProcessStandard::reset on restart)
 *
 * After each operation the config is written to the hardware model and the
 * kernel's *intended* access set is compared with what the hardware permits
 * unprivileged code, byte-exactly (over spans of equal rights):
 *   - [memory_start, app_break) must be readable and writable;
 *   - the TBF [flash_start, flash_start + flash_len) readable and executable,
 *     not writable;
 *   - every IPC region's logical range readable and writable, and inside
 *     the buffer it was asked for;
 *   - nothing else: no byte of [kernel_break, memory end) (grants, task
 *     queue, PCB, grant table), nothing outside the block, flash and IPC
 *     regions ([app_break, kernel_break) may be reachable: upstream rounds
 *     the app's access up to a subregion edge below the kernel break).
 * Also: an allocated block lies inside the pool it was carved from and is at
 * least the size asked for; a failed operation leaves the config unchanged.
 * The release-2.2 profile (issue #4366: the doubling path doubles the
 * region but not the block) must be found by this target; HEAD is clean.
 */
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "fuzz.h"
#include "harness.h"
#include "mpu.h"
#include "pmsav7.h"
#include "refcheck.h"

#define MAX_OPS  64
#define MAX_IPC  16
#define MAX_SPAN 512
#define LIT      0u /* last entry of a menu: a literal follows (gs_fz_menu) */
#define RAM      0x20000000u
#define N(a)     ((unsigned)(sizeof(a) / sizeof((a)[0])))

struct range {
    uint64_t lo, hi;
};

struct model {
    bool valid; /* a process block exists (create or reset succeeded) */
    uint32_t mem_start, mem_len, app_break, kernel_break, init_kernel;
    uint32_t flash_start, flash_len;
    unsigned nipc;
    struct range ipc[MAX_IPC];
};

struct st {
    struct gs_fz_watch w;
    struct gs_fz_bytes b;
    struct gs_mpu mpu;
    struct gs_mpu_config cfg;
    struct model m;
    bool head;
};

static const uint32_t start_menu[16] = {0,      0x20,    0x100,  0x200,  0x400,  0x1000,
                                        0x1234, 0x2000,  0x4000, 0x8000, 0x3000, 0x5460,
                                        0x800,  0x10000, 0xC0,   LIT};
static const uint32_t avail_menu[8] = {0x1000,   0x4000, 0x10000, 0x20000,
                                       0x100000, 0x800,  0x2400,  LIT};
static const uint32_t min_ram_menu[16] = {0,    32,   100,  256,  480,  512,   1000, 1024,
                                          2000, 2048, 4096, 6000, 8192, 16384, 3000, LIT};
static const uint32_t pcb_menu[8] = {920, 1200, 0, 100, 460, 3000, 512, LIT};
static const uint32_t init_app_menu[8] = {32, 32, 32, 32, 0, 64, 256, 1024};
static const uint32_t flash_start_menu[8] = {0x30000, 0x32000, 0x40000, 0x30800,
                                             0x31000, 0x34000, 0x30060, LIT};
static const uint32_t flash_len_menu[8] = {0x2000,  0x1000, 0x800, 0x4000,
                                           0x10000, 0x3000, 0x100, LIT};
static const uint32_t off_menu[16] = {0,     1,     4,     31,     32,   33,    0x100, 0x200,
                                      0x3E0, 0x400, 0x800, 0x1000, 0x60, 0x1FF, 0x201, LIT};
static const uint32_t size_menu[12] = {4, 8, 16, 32, 48, 64, 100, 256, 1024, 6124, 4112, LIT};
static const uint32_t buf_len_menu[12] = {0, 10, 32, 48, 64, 96, 128, 256, 512, 1000, 0x1000, LIT};

static uint32_t menu(struct st *s, const uint32_t *m, unsigned n)
{
    return gs_fz_menu(&s->b, m, n);
}

/* initial_kernel_memory_size for G grants and a PCB (process.c's formulas). */
static uint32_t init_kernel(struct st *s, bool for_reset)
{
    uint32_t g = 8 * (gs_fz_u8(&s->b) % 40), pcb = menu(s, pcb_menu, N(pcb_menu)) & 0xFFFF;

    if (s->head)
        return g + 4 + 320 + 4 + pcb + 4;
    return g + 320 + pcb + (for_reset ? 0 : 4);
}

static int cmp_range(const void *a, const void *b)
{
    const struct range *x = a, *y = b;

    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* The first address of [lo, hi) covered by none of r[0..n) (sorted), or false. */
static bool uncovered(uint64_t lo, uint64_t hi, const struct range *r, unsigned n, uint64_t *first)
{
    uint64_t at = lo;

    for (unsigned i = 0; i < n && at < hi; i++) {
        if (r[i].hi <= at)
            continue;
        if (r[i].lo > at)
            break;
        at = r[i].hi;
    }
    if (at < hi) {
        *first = at;
        return true;
    }
    return false;
}

/*
 * The site of an isolation finding: release-2.2's doubling path (#4366)
 * leaves regions 0 and 1 as large as the whole block (HEAD: half of it), so
 * a finding with that signature is named after the issue.
 */
static const char *site(const struct st *s, const char *plain)
{
    const struct gs_mpu_region *r0 = &s->cfg.regions[0];
    uint64_t bytes = (uint64_t)1 << (gs_rasr_size_field(r0->rasr) + 1);

    if (!s->head && s->m.valid && r0->used && bytes == s->m.mem_len)
        return "mpu-region-doubling-4366";
    return plain;
}

/* Every byte of [lo, hi) has all of `need` and none of `deny` (unprivileged). */
static void require(struct st *s, const char *what_site, uint32_t lo, uint64_t hi, unsigned need,
                    unsigned deny, const char *what)
{
    static struct gs_pmsav7_span sp[MAX_SPAN];
    unsigned n = gs_pmsav7_unpriv_spans(&s->mpu.hw, lo, hi, sp, MAX_SPAN);

    for (unsigned i = 0; i < n && i < MAX_SPAN; i++) {
        if ((sp[i].rights & need) != need || (sp[i].rights & deny)) {
            gs_fz_report(&s->w, "isolation", site(s, what_site),
                         "%s [0x%08x, 0x%08llx): unprivileged rights 0x%x on [0x%08x, 0x%08llx) "
                         "(need 0x%x, deny 0x%x)",
                         what, (unsigned)lo, (unsigned long long)hi, sp[i].rights,
                         (unsigned)sp[i].start, (unsigned long long)sp[i].end, need, deny);
            return;
        }
    }
}

static void check(struct st *s)
{
    static struct gs_pmsav7_span sp[MAX_SPAN];
    struct range allowed[MAX_IPC + 2];
    const struct model *m = &s->m;
    uint64_t mem_end = (uint64_t)m->mem_start + m->mem_len, first;
    unsigned na = 0, n;

    gs_mpu_configure(&s->mpu, &s->cfg);
    gs_mpu_enable(&s->mpu);
    if (!m->valid)
        return;
    require(s, "mpu-app-access", m->mem_start, m->app_break, GS_ACC_READ | GS_ACC_WRITE, 0,
            "app memory");
    require(s, "mpu-flash-access", m->flash_start, (uint64_t)m->flash_start + m->flash_len,
            GS_ACC_READ | GS_ACC_EXEC, GS_ACC_WRITE, "the app's TBF");
    for (unsigned i = 0; i < m->nipc; i++)
        require(s, "mpu-ipc-access", (uint32_t)m->ipc[i].lo, m->ipc[i].hi,
                GS_ACC_READ | GS_ACC_WRITE, 0, "an IPC region");

    /* Nothing reachable beyond the intended set. */
    allowed[na++] = (struct range){m->mem_start, m->kernel_break};
    allowed[na++] = (struct range){m->flash_start, (uint64_t)m->flash_start + m->flash_len};
    for (unsigned i = 0; i < m->nipc; i++)
        allowed[na++] = m->ipc[i];
    qsort(allowed, na, sizeof(allowed[0]), cmp_range);
    n = gs_pmsav7_unpriv_spans(&s->mpu.hw, 0, 0x100000000ull, sp, MAX_SPAN);
    for (unsigned i = 0; i < n && i < MAX_SPAN; i++) {
        if (sp[i].rights == 0 || !uncovered(sp[i].start, sp[i].end, allowed, na, &first))
            continue;
        if (first >= m->kernel_break && first < mem_end)
            gs_fz_report(&s->w, "isolation", site(s, "mpu-kernel-memory"),
                         "the app can reach kernel memory at 0x%08llx (rights 0x%x): block "
                         "[0x%08x, 0x%08llx), app break 0x%08x, kernel break 0x%08x",
                         (unsigned long long)first, sp[i].rights, (unsigned)m->mem_start,
                         (unsigned long long)mem_end, (unsigned)m->app_break,
                         (unsigned)m->kernel_break);
        else
            gs_fz_report(&s->w, "isolation", site(s, "mpu-outside-intent"),
                         "the app can reach 0x%08llx (rights 0x%x), outside its block "
                         "[0x%08x, 0x%08llx), flash and IPC regions",
                         (unsigned long long)first, sp[i].rights, (unsigned)m->mem_start,
                         (unsigned long long)mem_end);
        return;
    }
}

/* A failed operation must leave the config as it was. */
static void unchanged(struct st *s, const struct gs_mpu_config *before, const char *op)
{
    if (memcmp(before, &s->cfg, sizeof(*before)) != 0)
        gs_fz_report(&s->w, "contract", "mpu-failure-changes", "a failed %s changed the config",
                     op);
}

/* Flash region then app memory, as ProcessStandard::create and reset do. */
static void create(struct st *s, bool reset)
{
    struct model *m = &s->m;
    uint32_t start, avail, min_mem, init_app = 32, ik, fs, fz, out_start, out_size;
    struct gs_mpu_config before;
    int e;

    if (reset) {
        if (!m->valid)
            return;
        start = m->mem_start;
        avail = min_mem = m->mem_len;
        ik = init_kernel(s, true);
        gs_mpu_reset_config(&s->mpu, &s->cfg);
    } else {
        start = RAM + menu(s, start_menu, N(start_menu)) % 0x100000;
        avail = menu(s, avail_menu, N(avail_menu)) % 0x1000001;
        init_app = init_app_menu[gs_fz_u8(&s->b) % N(init_app_menu)];
        ik = init_kernel(s, false);
        min_mem = (menu(s, min_ram_menu, N(min_ram_menu)) % 0x100001) + ik;
        if (gs_mpu_new_config(&s->mpu, &s->cfg) != GS_OK)
            return;
        m->flash_start = menu(s, flash_start_menu, N(flash_start_menu)) % 0x1000000;
        m->flash_len = menu(s, flash_len_menu, N(flash_len_menu)) % 0x100001;
    }
    memset(m->ipc, 0, sizeof(m->ipc));
    m->nipc = 0;
    m->valid = false;
    e = gs_mpu_allocate_region(&s->mpu, &s->cfg, m->flash_start, m->flash_len, m->flash_len,
                               GS_PERM_RX, &fs, &fz);
    if (e != GS_OK)
        return; /* MpuInvalidFlashLength: the process is not created */
    if (fs != m->flash_start || fz != m->flash_len)
        gs_fz_report(&s->w, "contract", "mpu-flash-region",
                     "flash region for [0x%08x, +0x%x) is [0x%08x, +0x%x)",
                     (unsigned)m->flash_start, (unsigned)m->flash_len, (unsigned)fs, (unsigned)fz);
    before = s->cfg;
    e = gs_mpu_allocate_app_memory_region(&s->mpu, &s->cfg, start, avail, min_mem, init_app, ik,
                                          GS_PERM_RW, &out_start, &out_size);
    if (e != GS_OK) {
        unchanged(s, &before, "allocate_app_memory_region");
        return;
    }
    if (out_start < start || (uint64_t)out_start + out_size > (uint64_t)start + avail ||
        out_size < min_mem || out_size < init_app + ik)
        gs_fz_report(&s->w, "contract", "mpu-app-block",
                     "block [0x%08x, +0x%x) for pool [0x%08x, +0x%x), min %u, app %u, kernel %u",
                     (unsigned)out_start, (unsigned)out_size, (unsigned)start, (unsigned)avail,
                     (unsigned)min_mem, (unsigned)init_app, (unsigned)ik);
    m->valid = true;
    m->mem_start = out_start;
    m->mem_len = out_size;
    m->app_break = out_start + init_app;
    m->kernel_break = out_start + out_size - ik;
    m->init_kernel = ik;
}

static uint32_t pick_break(struct st *s)
{
    uint8_t b = gs_fz_u8(&s->b);
    uint32_t off = menu(s, off_menu, N(off_menu)), base;

    switch (b % 3) {
    case 0:
        base = s->m.mem_start;
        break;
    case 1:
        base = s->m.app_break;
        break;
    default:
        base = s->m.kernel_break;
        break;
    }
    return b & 0x80 ? base - off : base + off;
}

static void op_brk(struct st *s)
{
    struct model *m = &s->m;
    uint32_t nb = pick_break(s);
    struct gs_mpu_config before = s->cfg;

    /* brk's own checks come first (process.c): no MPU call for these. */
    if (!m->valid || nb < m->mem_start || nb >= m->mem_start + m->mem_len || nb > m->kernel_break)
        return;
    if (gs_mpu_update_app_memory_region(&s->mpu, &s->cfg, nb, m->kernel_break, GS_PERM_RW, NULL) !=
        GS_OK) {
        unchanged(s, &before, "update_app_memory_region (brk)");
        return;
    }
    m->app_break = nb;
}

static void op_grant(struct st *s)
{
    struct model *m = &s->m;
    uint32_t size = menu(s, size_menu, N(size_menu)), align = 1u << (gs_fz_u8(&s->b) % 13);
    uint32_t a = align < 2 ? 2 : align, nb = (m->kernel_break - size) & ~(a - 1);
    struct gs_mpu_config before = s->cfg;

    if (!m->valid || nb < m->app_break || nb > m->kernel_break)
        return;
    if (gs_mpu_update_app_memory_region(&s->mpu, &s->cfg, m->app_break, nb, GS_PERM_RW, NULL) !=
        GS_OK) {
        unchanged(s, &before, "update_app_memory_region (grant)");
        return;
    }
    m->kernel_break = nb;
}

static void op_ipc(struct st *s)
{
    struct model *m = &s->m;
    uint8_t b = gs_fz_u8(&s->b);
    /* Right after the block (the next process), further away, or at the RAM base (0x20000000). */
    uint32_t base = b % 3 == 0 && m->valid ? m->mem_start + m->mem_len
                    : b % 3 == 1           ? RAM + 0x100000
                                           : RAM;
    uint32_t start = base + menu(s, off_menu, N(off_menu)) % 0x100000;
    uint32_t len = menu(s, buf_len_menu, N(buf_len_menu)) % 0x100001, rs, rz;
    struct gs_mpu_config before = s->cfg;
    int e;

    /*
     * IPC maps buffers of *other* processes, whose blocks never overlap this
     * one: a request inside the block is outside the kernel's domain (it
     * could later coincide with region 1, which upstream's
     * update_app_memory_region does not check against other regions).
     */
    if (m->valid && start < (uint64_t)m->mem_start + m->mem_len &&
        (uint64_t)start + (len ? len : 1) > m->mem_start)
        return;

    e = gs_mpu_allocate_region(&s->mpu, &s->cfg, start, len, len, GS_PERM_RW, &rs, &rz);
    if (e == GS_E_PANIC) {
        /* Upstream panics too (`% 0` after a wrapping multiply); see harness.c. */
        gs_fz_report(&s->w, "panic", "allocate_region", "allocate_region(0x%08x, %u): %s",
                     (unsigned)start, (unsigned)len, s->mpu.panic_msg);
        return;
    }
    if (e != GS_OK) {
        unchanged(s, &before, "allocate_region");
        return;
    }
    if (rs < start || (uint64_t)rs + rz > (uint64_t)start + len)
        gs_fz_report(&s->w, "isolation", "mpu-ipc-region",
                     "region [0x%08x, +0x%x) for buffer [0x%08x, +0x%x) exceeds it", (unsigned)rs,
                     (unsigned)rz, (unsigned)start, (unsigned)len);
    if (m->nipc < MAX_IPC)
        m->ipc[m->nipc++] = (struct range){rs, (uint64_t)rs + rz};
}

static void op_remove(struct st *s)
{
    struct model *m = &s->m;
    unsigned i;

    if (!m->nipc)
        return;
    i = gs_fz_u8(&s->b) % m->nipc;
    if (gs_mpu_remove_region(&s->mpu, &s->cfg, (uint32_t)m->ipc[i].lo,
                             (uint32_t)(m->ipc[i].hi - m->ipc[i].lo)) != GS_OK) {
        gs_fz_report(&s->w, "contract", "mpu-remove", "removing an allocated region failed");
        return;
    }
    m->ipc[i] = m->ipc[--m->nipc];
}

/* The reference oracle: every driver call against the independent MPU model (refcheck.h). */
static void model_check(void *ctx, const struct gs_mpu_op *op)
{
    struct st *s = ctx;
    char why[256];

    if (!gs_refcheck_mpu_op(&s->mpu, op, why, sizeof(why)))
        gs_fz_report(&s->w, "isolation", "mpu-model", "%s", why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct st s;
    uint8_t f;

    if (size > GS_PROG_MAX_INPUT)
        return 0;
    memset(&s, 0, sizeof(s));
    gs_fz_watch_init_env(&s.w, true);
    gs_fz_bytes_init(&s.b, data, size);
    f = gs_fz_u8(&s.b);
    s.head = !(f & 1);
    if (gs_mpu_init(&s.mpu, (f & 2) ? 16 : 8, (f & 4) ? 256 : 32, !s.head) != GS_OK ||
        gs_mpu_new_config(&s.mpu, &s.cfg) != GS_OK)
        return 0;
    gs_mpu_set_check(&s.mpu, model_check, &s);
    for (unsigned n = 0; n < MAX_OPS && !gs_fz_done(&s.b); n++) {
        switch (gs_fz_u8(&s.b) % 8) {
        case 0:
            create(&s, false);
            break;
        case 1:
        case 2:
            op_brk(&s);
            break;
        case 3:
            op_grant(&s);
            break;
        case 4:
        case 5:
            op_ipc(&s);
            break;
        case 6:
            op_remove(&s);
            break;
        default:
            create(&s, true);
            break;
        }
        check(&s);
    }
    return 0;
}
