/* SPDX-License-Identifier: MIT */
/*
 * The Cortex-M machine over Unicorn 2.0.1. See machine.h for the design;
 * exception entry/return follow the ARMv7-M ARM (PushStack / PopStack with
 * CCR.STKALIGN = 1); fault status values follow the CFSR/HFSR layouts.
 */
#include "machine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicorn/unicorn.h>

#include "errors.h"
#include "pmsav7.h"
#include "tmem.h"

#define PAGE      1024u
#define UNTIL     0xFFFFFFFEu /* never a Thumb PC: emulation stops only when we say so */
#define MAX_SPANS 200

/* Fault status bits (ARMv7-M ARM B3.2.15-17). */
#define CFSR_IACCVIOL   (1u << 0)
#define CFSR_DACCVIOL   (1u << 1)
#define CFSR_MUNSTKERR  (1u << 3)
#define CFSR_MSTKERR    (1u << 4)
#define CFSR_MMARVALID  (1u << 7)
#define CFSR_UNDEFINSTR (1u << 16)
#define CFSR_INVSTATE   (1u << 17)
#define HFSR_FORCED     (1u << 30)
#define HFSR_DEBUGEVT   (1u << 31)

/* QEMU's exception numbers as Unicorn passes them to the interrupt hook. */
#define EXCP_UDEF     1
#define EXCP_SWI      2
#define EXCP_PREFETCH 3
#define EXCP_DATA     4
#define EXCP_BKPT     7
#define EXCP_INVSTATE 18

/* Page states: GS_ACC_* rights as Unicorn protections, or one of these. */
#define PG_MMIO     0x10 /* RAM page cut by the MPU: every access checked */
#define PG_CUTFLASH 0x20 /* flash page cut by the MPU: mapped R+X, exec checked */
#define PG_RWIO     0x40 /* RAM page the process may read and write whole: MMIO, see below */

/*
 * RAM pages the MPU makes readable and writable (and not executable) as a
 * whole are mapped one of two ways, which the guest cannot tell apart: both
 * are exact, only their costs differ. In Unicorn 2.0.1 every store to
 * mapped RAM takes the slow "not dirty" path of code-page tracking
 * (unicorn#1970, fixed in 2.1.0): ~100 ns, while a load is ~2 ns. A page
 * mapped as MMIO costs ~35 ns per access, loads and stores alike. So a page
 * starts as MMIO (PG_RWIO: no check needed, the whole page is allowed) and
 * counts its accesses; once a window of RWIO_WINDOW accesses has fewer than
 * one store in RWIO_STORE_SHARE, it is marked direct and mapped as RAM
 * (state GS_ACC_READ | GS_ACC_WRITE) from the engine's next sync on (the
 * break even is near one store in three accesses). A stack page (pushes and
 * pops) stays MMIO, its stores ~3x cheaper; a table the code reads becomes
 * RAM. A page that changes between cut (PG_MMIO) and whole (PG_RWIO), as
 * the app break moves, keeps its mapping: only its state changes, which the
 * callbacks read (a restart then remaps nothing). gs_machine_reset forgets
 * what was learnt, so every fuzz input starts alike.
 */
#define RWIO_WINDOW      4096u
#define RWIO_STORE_SHARE 3u

enum stop {
    STOP_NONE,
    STOP_SVC,         /* return GS_TRAP_SVC */
    STOP_SVC_HANDLED, /* return GS_TRAP_SVC_HANDLED */
    STOP_BUDGET,
    STOP_FAULT,
    STOP_DEBUG,   /* the debugger needs the emulation started again (dbg_restart) */
    STOP_MACHINE, /* a Unicorn call failed (uc_ok): the run is abandoned */
};

struct access {
    unsigned n;
    bool write[16];
    uint32_t addr[16], size[16];
};

struct engine;

/*
 * A debugger's view of one engine (machine.h, Debugging): the hooks
 * installed for it and where a stop at an instruction left things.
 */
struct engine_dbg {
    uc_hook hooks[GS_DBG_MAX_BREAKS + GS_DBG_MAX_WATCHES + 1];
    unsigned nhooks;
    uint64_t gen;  /* the debugger's generation the hooks were checked against */
    uint64_t hash; /* what they were made for (dbg_config_hash) */
    bool in_insn;  /* the debugger is stopped at insn_pc of this engine */
    uint32_t insn_pc;
    bool pc_set; /* the debugger wrote the PC there: continue at new_pc */
    uint32_t new_pc;
    bool restart; /* code changed while stopped: start the emulation again */
    bool skip;    /* the first hook call after a restart, if at skip_pc, is that instruction's */
    uint32_t skip_pc;
    uint64_t exec_at_stop; /* e->executed when the debugger stopped at insn_pc */
    bool watch_hit;        /* an instruction accessed a watched byte: stop before the next one */
    uint32_t watch_addr;
    unsigned watch_acc, watch_kind;
};

struct mmio_page {
    struct engine *e;
    uint32_t base;
    uint32_t loads, stores; /* PG_RWIO: accesses in the current window */
    bool direct;            /* PG_RWIO learnt: map this page as RAM */
};

struct engine {
    struct gs_machine *m;
    uc_engine *uc;
    unsigned index;
    /* Pages: RAM pages first, then flash pages. */
    uint8_t *state;
    /*
     * Per page, what the engine's translations were made from: the page's
     * content hash (`seen`, valid when `known`) and the bytes rewritten since
     * ([lo, hi) within the page; hi == 0: none). Code changes are settled
     * when the engine next runs or maps the page (settle_page): translations
     * go only if the content differs from what they were made from, and then
     * only those of the rewritten bytes.
     */
    struct page_seen {
        uint64_t seen;
        uint16_t lo, hi;
        bool known;
    } * pages;
    unsigned npending;      /* pages with rewritten bytes not settled yet */
    bool mode_changed;      /* a PG_RWIO page became direct since the last sync */
    struct mmio_page *mmio; /* per RAM page */
    uc_hook *code_hooks;    /* exec checks of cut flash pages */
    unsigned ncode_hooks;
    bool synced;
    uint32_t sync_rbar[GS_PMSAV7_MAX_REGIONS], sync_rasr[GS_PMSAV7_MAX_REGIONS], sync_ctrl;
    uint64_t sync_cfg_writes; /* the MPU driver's configure_writes at the last sync */
    /* Unprivileged rights over RAM and flash as of the last sync, for fast checks. */
    struct gs_pmsav7_span spans[MAX_SPANS];
    unsigned nspans;
    /* The flash spans the code hooks of cut flash pages were made for: while
     * they hold, those pages and hooks stay (remapping a page drops its
     * translations, and retranslating again and again crashes Unicorn). */
    struct gs_pmsav7_span hook_spans[MAX_SPANS / 2];
    unsigned nhook_spans; /* MAX_SPANS: none valid */
    /* Instructions per translated block, by block address (direct mapped). */
    struct {
        uint32_t key; /* block address + 1; 0 = empty */
        uint32_t n;
    } bcache[4096];
    unsigned dropped; /* pages whose translations were dropped since the engine was made */
    /* The current run. */
    struct gs_process *p;
    struct gs_stored_state *ss; /* p's (gs_arch_stored_state) */
    struct gs_trap_info *out;
    uint64_t budget, executed;
    enum stop stop;
    uint32_t block, block_size; /* last translated block entered */
    /* Where a budget stop resumes: the block on_block refused. Unicorn does not
     * set the PC to a block refused that way when the engine has a code hook
     * (it leaves the PC of the last hooked instruction), so run_process does. */
    uint32_t budget_pc;
    bool in_emulation; /* inside uc_emu_start (a hook may stop it) */
    /* A fault seen by a hook: registers saved there (stale PC). */
    struct gs_fault fault;
    bool fault_has_ctx;
    uc_context *fault_ctx;
    struct engine_dbg dbg; /* unused without a debugger */
};

/* The attached debugger (gs_machine_debug_attach). */
struct gs_machine_dbg {
    gs_dbg_fn fn;
    void *ctx;
    bool detached, kill;
    uint32_t breaks[GS_DBG_MAX_BREAKS]; /* ascending */
    unsigned break_count[GS_DBG_MAX_BREAKS];
    unsigned nbreaks;
    struct {
        uint32_t addr, len;
        unsigned acc;
    } watches[GS_DBG_MAX_WATCHES];
    unsigned nwatches;
    int step;     /* slot of the process being stepped, -1: none */
    uint64_t gen; /* incremented by every change of the above */
};

struct gs_machine {
    struct gs_kernel *k;
    struct gs_mem *mem;         /* k's memory (gs_arch_memory) */
    const struct gs_pmsav7 *hw; /* k's MPU registers (gs_arch_mpu) */
    struct gs_arch arch;
    bool inline_svc;
    bool enforce;          /* false: map everything (benchmark baseline, debugging) */
    bool adaptive_rw;      /* PG_RWIO pages (gs_machine_set_adaptive_rw) */
    unsigned nram, nflash; /* pages */
    struct engine engines[GS_MAX_PROCS];
    uint64_t *flash_hash; /* per flash page: its content hash (0: not computed yet) */
    struct gs_machine_stats stats;
    /* Scratch engine to find the faulting instruction. */
    uc_engine *scratch;
    uint8_t *scratch_ram;
    struct access scratch_acc;       /* the scratch engine's hooks record here */
    unsigned scratch_dropped;        /* its pages whose translations were dropped */
    struct page_seen *scratch_pages; /* as an engine's pages (it maps all of flash) */
    unsigned scratch_npending;
    struct gs_machine_dbg *dbg; /* NULL: no debugger (the normal case) */
    /* A Unicorn call failed (uc_ok): every run from then on is refused. */
    bool broken;
    uint64_t uc_calls; /* checked calls since gs_machine_inject_uc_failure */
    uint64_t fail_at;  /* that call fails (1 = the next one); 0: none */
};

/* Everything the scratch engine needs to replay one instruction. */
static const int all_regs[] = {UC_ARM_REG_R0,  UC_ARM_REG_R1, UC_ARM_REG_R2,  UC_ARM_REG_R3,
                               UC_ARM_REG_R4,  UC_ARM_REG_R5, UC_ARM_REG_R6,  UC_ARM_REG_R7,
                               UC_ARM_REG_R8,  UC_ARM_REG_R9, UC_ARM_REG_R10, UC_ARM_REG_R11,
                               UC_ARM_REG_R12, UC_ARM_REG_SP, UC_ARM_REG_LR,  UC_ARM_REG_XPSR};
#define NALL ((int)(sizeof(all_regs) / sizeof(all_regs[0])))

/* ---------------------------------------------------------------- Unicorn calls */

/*
 * Every Unicorn call's result is looked at. A call whose failure is an
 * outcome of the guest (uc_emu_start's fault codes, a replay on the scratch
 * engine) is handled where it is made; every other call goes through UC()
 * or UCM(): if it fails, the machine's view of memory and registers may no
 * longer be the MPU model's (a page not mapped, a register not written), so
 * the failure is reported once as a "machine" finding naming the call
 * (gs_kernel_machine_error), the engine stops, and this and every later run
 * returns GS_E_INTERNAL. Never silent, never a wrong run.
 */
static bool uc_ok(struct gs_machine *m, struct engine *e, uc_err err, const char *call)
{
    m->uc_calls++;
    if (m->fail_at && m->uc_calls == m->fail_at && err == UC_ERR_OK)
        err = UC_ERR_NOMEM; /* gs_machine_inject_uc_failure */
    if (err == UC_ERR_OK)
        return true;
    if (!m->broken) {
        m->broken = true;
        m->stats.machine_errors++;
        gs_kernel_machine_error(m->k, call, uc_strerror(err));
    }
    if (e && e->stop != STOP_MACHINE) {
        e->stop = STOP_MACHINE;
        if (e->in_emulation)
            (void)uc_emu_stop(e->uc); /* the stop is what matters; its own error changes nothing */
    }
    return false;
}
#define UC(e, fn, ...)  uc_ok((e)->m, (e), fn(__VA_ARGS__), #fn)
#define UCM(m, fn, ...) uc_ok((m), NULL, fn(__VA_ARGS__), #fn)

/* ---------------------------------------------------------------- helpers */

static struct gs_mem *mem(const struct engine *e)
{
    return e->m->mem;
}

static const struct gs_pmsav7 *hw(const struct engine *e)
{
    return e->m->hw;
}

/*
 * An unprivileged access as the MPU and the simulated memory decide it. The
 * rights come from the spans computed at the last sync (the registers have
 * not changed since); an access that straddles spans falls back to the model.
 */
static bool allowed(const struct engine *e, uint32_t addr, uint32_t len, enum gs_access acc,
                    uint32_t *bad)
{
    uint64_t end = (uint64_t)addr + len;
    bool in_mem = gs_mem_in_ram(mem(e), addr, len) ||
                  (acc != GS_ACC_WRITE && gs_mem_in_flash(mem(e), addr, len));

    if (!in_mem) {
        *bad = addr;
        return false;
    }
    if (!e->m->enforce)
        return true;
    for (unsigned i = 0; i < e->nspans; i++) {
        const struct gs_pmsav7_span *sp = &e->spans[i];
        if (addr >= sp->start && addr < sp->end) {
            if (end <= sp->end) {
                if (sp->rights & (unsigned)acc)
                    return true;
                *bad = addr;
                return false;
            }
            break;
        }
    }
    return gs_pmsav7_allows(hw(e), addr, len, acc, false, bad);
}

/*
 * PushStack: the 8-word frame below sp, 8-byte aligned (xPSR bit 9 records
 * the padding). psp moves to the frame even if a store faults.
 */
static bool push_frame(struct engine *e, uint32_t sp, const uint32_t f[8], uint32_t *frameptr,
                       uint32_t *bad)
{
    uint32_t align = (sp >> 2) & 1;
    uint32_t fp = (sp - 32) & ~(align << 2);
    uint8_t *host;

    *frameptr = fp;
    if (!allowed(e, fp, 32, GS_ACC_WRITE, bad))
        return false;
    host = gs_mem_host_ptr(mem(e), fp, 32);
    for (unsigned i = 0; i < 7; i++)
        gs_put_le32(host + 4 * i, f[i]);
    gs_put_le32(host + 28, (f[7] & ~(1u << 9)) | (align << 9));
    return true;
}

/* PopStack: the frame at psp; *sp_out is the stack pointer after it. */
static bool pop_frame(struct engine *e, uint32_t psp, uint32_t f[8], uint32_t *sp_out,
                      uint32_t *bad)
{
    const uint8_t *h;

    if (!allowed(e, psp, 32, GS_ACC_READ, bad))
        return false;
    h = gs_mem_host_ptr(mem(e), psp, 32);
    for (unsigned i = 0; i < 8; i++)
        f[i] = (uint32_t)h[4 * i] | ((uint32_t)h[4 * i + 1] << 8) | ((uint32_t)h[4 * i + 2] << 16) |
               ((uint32_t)h[4 * i + 3] << 24);
    *sp_out = psp + 32 + (((f[7] >> 9) & 1) << 2);
    return true;
}

/* The registers of a frame, then sp, then r4-r11: one batch for the hot paths. */
static const int cpu_regs[] = {
    UC_ARM_REG_R0, UC_ARM_REG_R1,   UC_ARM_REG_R2, UC_ARM_REG_R3,  UC_ARM_REG_R12, UC_ARM_REG_LR,
    UC_ARM_REG_PC, UC_ARM_REG_XPSR, UC_ARM_REG_SP, UC_ARM_REG_R4,  UC_ARM_REG_R5,  UC_ARM_REG_R6,
    UC_ARM_REG_R7, UC_ARM_REG_R8,   UC_ARM_REG_R9, UC_ARM_REG_R10, UC_ARM_REG_R11};

/*
 * Exception return: loads the CPU from a frame. With callee = true also
 * r4-r11 from the stored state (needed when the engine last ran something
 * else, e.g. at the start of a run; an inline svc leaves them untouched).
 */
static void load_cpu(struct engine *e, const uint32_t f[8], uint32_t sp, bool callee)
{
    uint32_t v[17];
    void *pv[17];

    memcpy(v, f, 8 * sizeof(uint32_t));
    v[6] = f[6] & ~1u;
    v[7] = f[7] & ~(1u << 9);
    v[8] = sp;
    memcpy(v + 9, e->ss->regs, 8 * sizeof(uint32_t));
    for (unsigned i = 0; i < 17; i++)
        pv[i] = &v[i];
    UC(e, uc_reg_write_batch, e->uc, (int *)cpu_regs, pv, callee ? 17 : 9);
}

/* Reads r0-r3, r12, lr, pc, xpsr into f[] and sp into *sp. */
static void read_frame_regs(struct engine *e, uint32_t f[8], uint32_t *sp)
{
    uint32_t v[9];
    void *pv[9];

    for (unsigned i = 0; i < 9; i++)
        pv[i] = &v[i];
    if (!UC(e, uc_reg_read_batch, e->uc, (int *)cpu_regs, pv, 9))
        memset(v, 0, sizeof(v));
    memcpy(f, v, 8 * sizeof(uint32_t));
    *sp = v[8];
}

/* Saves r4-r11 into the stored state (what the kernel keeps at each trap). */
static void read_callee(struct engine *e)
{
    void *pv[8];

    for (unsigned i = 0; i < 8; i++)
        pv[i] = &e->ss->regs[i];
    UC(e, uc_reg_read_batch, e->uc, (int *)cpu_regs + 9, pv, 8);
}

/* Reads the whole context: the frame registers, sp and r4-r11. */
static void read_cpu(struct engine *e, uint32_t f[8], uint32_t *sp)
{
    read_frame_regs(e, f, sp);
    read_callee(e);
}

/* ----------------------------------------------------- page mapping */

static uint32_t page_addr(const struct gs_machine *m, unsigned i)
{
    const struct gs_mem *mm = m->mem;

    return i < m->nram ? mm->ram_base + i * PAGE : mm->flash_base + (i - m->nram) * PAGE;
}

static uint8_t *page_host(const struct gs_machine *m, unsigned i)
{
    return gs_mem_host_ptr(m->mem, page_addr(m, i), PAGE);
}

/*
 * Desired state of every page of [first, first + n) from unprivileged rights
 * spans. Spans are maximal and tile the range, so a page is cut exactly when
 * a span starts inside it; every other page takes the rights of the span
 * that covers it. O(pages + spans): it runs at every MPU reconfiguration.
 */
static void desired(const struct engine *e, unsigned first, unsigned n, bool flash, uint8_t *out)
{
    struct gs_pmsav7_span spans[MAX_SPANS];
    uint32_t lo = page_addr(e->m, first);
    uint64_t hi = (uint64_t)lo + (uint64_t)n * PAGE;
    unsigned ns = gs_pmsav7_unpriv_spans(hw(e), lo, hi, spans, MAX_SPANS);

    if (ns > MAX_SPANS)
        ns = MAX_SPANS; /* cannot happen with 16 regions; pages past the last span stay unmapped */
    memset(out, 0, n);
    for (unsigned s = 0; s < ns; s++) {
        uint64_t a = spans[s].start > lo ? spans[s].start : lo;
        uint64_t b = spans[s].end < hi ? spans[s].end : hi;
        uint64_t p0 = (a - lo + PAGE - 1) / PAGE, p1 = b > a ? (b - lo) / PAGE : p0;
        if (p1 > p0)
            memset(out + p0, (int)spans[s].rights, (size_t)(p1 - p0));
    }
    for (unsigned s = 1; s < ns; s++)
        if (spans[s].start > lo && spans[s].start < hi && (spans[s].start - lo) % PAGE)
            out[(spans[s].start - lo) / PAGE] = flash ? PG_CUTFLASH : PG_MMIO;
}

/*
 * A RAM page that is MMIO now and that the process may no longer touch at
 * all stays MMIO, as PG_MMIO: every access to it then fails allowed() and
 * faults exactly as the forbidden bytes of a cut page do, and as an access
 * to an unmapped page would. Unmapping it and mapping it again when the
 * process regains it (a brk back and forth, a restart, the next fuzz input
 * on a reset board) would cost two Unicorn calls, each rebuilding the
 * engine's whole memory map. Pages never mapped stay unmapped, so a new
 * board maps no more than before.
 */
static void keep_io_pages(const struct engine *e, uint8_t *want, unsigned nram)
{
    for (unsigned i = 0; i < nram; i++)
        if (want[i] == 0 && (e->state[i] == PG_MMIO || e->state[i] == PG_RWIO))
            want[i] = PG_MMIO;
}

/* How a page the MPU makes wholly read-write is mapped (see PG_RWIO). */
static void choose_rw_mapping(const struct engine *e, uint8_t *want, unsigned nram)
{
    for (unsigned i = 0; e->m->adaptive_rw && i < nram; i++)
        if (want[i] == (GS_ACC_READ | GS_ACC_WRITE) && !e->mmio[i].direct)
            want[i] = PG_RWIO;
}

static uint64_t mmio_read(uc_engine *uc, uint64_t off, unsigned size, void *user);
static int engine_init(struct gs_machine *m, struct engine *e, unsigned index);
static void engine_free(struct engine *e);
static void mmio_write(uc_engine *uc, uint64_t off, unsigned size, uint64_t v, void *user);
static void on_forbidden_code(uc_engine *uc, uint64_t addr, uint32_t size, void *user);

/* Installs exec-fault code hooks over the non-executable parts of a cut flash page. */
static void hook_cut_flash(struct engine *e, uint32_t base)
{
    struct gs_pmsav7_span spans[24];
    unsigned n = gs_pmsav7_unpriv_spans(hw(e), base, (uint64_t)base + PAGE, spans, 24);

    for (unsigned i = 0; i < n && i < 24; i++) {
        uc_hook h;
        if (spans[i].rights & GS_ACC_EXEC)
            continue;
        if (!UC(e, uc_hook_add, e->uc, &h, UC_HOOK_CODE, (void *)on_forbidden_code, e,
                spans[i].start, (uint64_t)spans[i].end - 1))
            return;
        uc_hook *v = realloc(e->code_hooks, (e->ncode_hooks + 1) * sizeof(*v));
        if (!v) {
            /* Without its hook the page's exec check would be missing: refuse to run. */
            UC(e, uc_hook_del, e->uc, h);
            uc_ok(e->m, e, UC_ERR_NOMEM, "uc_hook_add");
            return;
        }
        e->code_hooks = v;
        e->code_hooks[e->ncode_hooks++] = h;
    }
    UC(e, uc_ctl_remove_cache, e->uc, (uint64_t)base, (uint64_t)base + PAGE);
}

static void unmap_page(struct engine *e, unsigned i)
{
    if (e->state[i] == 0)
        return;
    UC(e, uc_mem_unmap, e->uc, page_addr(e->m, i), PAGE);
    e->state[i] = 0;
    e->m->stats.page_ops++;
}

/*
 * Drops the engine's translations of code in [lo, hi) of mapped page i (its
 * bytes were rewritten; lo = hi = 0: the whole page). Translations of the
 * page's other bytes stay valid: their code did not change.
 */
static void drop_translations_in(struct engine *e, unsigned i, uint64_t lo, uint64_t hi)
{
    uint64_t a = page_addr(e->m, i);

    if (lo >= hi) {
        lo = a;
        hi = a + PAGE;
    }
    UC(e, uc_ctl_remove_cache, e->uc, lo, hi);
    e->dropped++;
    e->m->stats.translations_dropped++;
    for (unsigned j = 0; j < sizeof(e->bcache) / sizeof(e->bcache[0]); j++)
        if (e->bcache[j].key && e->bcache[j].key - 1 >= a && e->bcache[j].key - 1 < a + PAGE)
            e->bcache[j].key = 0;
}

/* A hash of flash page i's bytes now (64-bit FNV-1a over words), cached until it changes. */
static uint64_t flash_hash(struct gs_machine *m, unsigned i, bool fresh)
{
    uint64_t *h = &m->flash_hash[i - m->nram];

    if (fresh || *h == 0) {
        const uint8_t *b = page_host(m, i);
        uint64_t x = 0xcbf29ce484222325ull, w;
        for (unsigned o = 0; o < PAGE; o += 8) {
            memcpy(&w, b + o, 8);
            x = (x ^ w) * 0x100000001b3ull;
        }
        *h = x ? x : 1; /* 0 means "not computed" */
    }
    return *h;
}

/*
 * Settles flash page i of the engine, which maps it now: translations made
 * from other bytes than the page holds go (only those of the bytes rewritten
 * since); the page is then known as it is.
 */
static void settle_page(struct engine *e, unsigned i)
{
    struct page_seen *ps = &e->pages[i];
    uint64_t now = flash_hash(e->m, i, false);

    if (ps->known && ps->hi) {
        if (ps->seen != now) {
            uint64_t a = page_addr(e->m, i);
            drop_translations_in(e, i, a + ps->lo, a + ps->hi);
        }
        e->npending--;
    }
    ps->known = true;
    ps->seen = now;
    ps->lo = ps->hi = 0;
}

/* Settles every mapped flash page with rewritten bytes (before the engine runs). */
static void settle_pending(struct engine *e)
{
    struct gs_machine *m = e->m;

    for (unsigned i = m->nram; e->npending && i < m->nram + m->nflash; i++)
        if (e->pages[i].hi && e->state[i] != 0)
            settle_page(e, i);
}

/* Maps a run of pages [i, i + n) that all want state `st` (none mapped now). */
static void map_run(struct engine *e, unsigned i, unsigned n, uint8_t st)
{
    struct gs_machine *m = e->m;

    if (st == 0)
        return;
    if (st == PG_MMIO || st == PG_RWIO) {
        for (unsigned j = i; j < i + n; j++) {
            e->mmio[j].e = e;
            e->mmio[j].base = page_addr(m, j);
            e->mmio[j].loads = e->mmio[j].stores = 0;
            if (!UC(e, uc_mmio_map, e->uc, page_addr(m, j), PAGE, mmio_read, &e->mmio[j],
                    mmio_write, &e->mmio[j]))
                return;
            e->state[j] = st;
            m->stats.page_ops++;
        }
        return;
    }
    uint32_t prot = st == PG_CUTFLASH ? (UC_PROT_READ | UC_PROT_EXEC) : st;
    if (!UC(e, uc_mem_map_ptr, e->uc, page_addr(m, i), (size_t)n * PAGE, prot, page_host(m, i)))
        return;
    m->stats.page_ops++;
    for (unsigned j = i; j < i + n; j++) {
        e->state[j] = st;
        if (j >= m->nram)
            settle_page(e, j);
        if (st == PG_CUTFLASH) {
            hook_cut_flash(e, page_addr(m, j));
            m->stats.inexact_pages++;
        }
    }
}

/* Is a page in this state mapped as MMIO (mmio_read, mmio_write)? */
static bool is_io(uint8_t st)
{
    return st == PG_MMIO || st == PG_RWIO;
}

/* Are the next 8 page states equal (and are there 8)? Most pages keep their state. */
static bool same8(const uint8_t *a, const uint8_t *b, unsigned left)
{
    uint64_t x, y;

    if (left < 8)
        return false;
    memcpy(&x, a, 8);
    memcpy(&y, b, 8);
    return x == y;
}

/* Makes the engine's mapping match the MPU registers (if they changed). */
static void sync_pages(struct engine *e)
{
    struct gs_machine *m = e->m;
    const struct gs_pmsav7 *h = hw(e);
    unsigned total = m->nram + m->nflash;
    uint8_t *want;

    /* Region registers only change when configure_mpu writes them. */
    if (e->synced && !e->mode_changed && h->ctrl == e->sync_ctrl &&
        e->sync_cfg_writes == gs_arch_mpu_writes(m->k))
        return;
    e->sync_cfg_writes = gs_arch_mpu_writes(m->k);
    if (e->synced && !e->mode_changed && h->ctrl == e->sync_ctrl &&
        !memcmp(h->rbar, e->sync_rbar, sizeof(h->rbar)) &&
        !memcmp(h->rasr, e->sync_rasr, sizeof(h->rasr)))
        return;
    e->mode_changed = false;
    want = malloc(total);
    if (!want)
        return;
    if (m->enforce) {
        desired(e, 0, m->nram, false, want);
        desired(e, m->nram, m->nflash, true, want + m->nram);
    } else {
        memset(want, GS_ACC_READ | GS_ACC_WRITE, m->nram);
        memset(want + m->nram, GS_ACC_READ | GS_ACC_EXEC, m->nflash);
    }
    choose_rw_mapping(e, want, m->nram);
    keep_io_pages(e, want, m->nram);
    {
        /* Spans over RAM and flash (RAM first when it is lower), for allowed(). */
        const struct gs_mem *mm = mem(e);
        unsigned n1 = gs_pmsav7_unpriv_spans(h, mm->ram_base, (uint64_t)mm->ram_base + mm->ram_size,
                                             e->spans, MAX_SPANS / 2);
        unsigned n2;
        if (n1 > MAX_SPANS / 2)
            n1 = 0; /* too fragmented to cache: allowed() falls back to the model */
        n2 = gs_pmsav7_unpriv_spans(h, mm->flash_base, (uint64_t)mm->flash_base + mm->flash_size,
                                    e->spans + n1, MAX_SPANS / 2);
        e->nspans = n1 + (n2 > MAX_SPANS / 2 ? 0 : n2);
    }
    {
        /* Code hooks of cut flash pages: kept while the flash rights are. */
        const struct gs_mem *mm = mem(e);
        struct gs_pmsav7_span fs[MAX_SPANS / 2];
        unsigned nf = gs_pmsav7_unpriv_spans(
            h, mm->flash_base, (uint64_t)mm->flash_base + mm->flash_size, fs, MAX_SPANS / 2);
        bool same = m->enforce && nf <= MAX_SPANS / 2 && nf == e->nhook_spans;
        for (unsigned i = 0; same && i < nf; i++)
            same = fs[i].start == e->hook_spans[i].start && fs[i].end == e->hook_spans[i].end &&
                   fs[i].rights == e->hook_spans[i].rights;
        if (!same) {
            for (unsigned i = 0; i < e->ncode_hooks; i++)
                UC(e, uc_hook_del, e->uc, e->code_hooks[i]);
            e->ncode_hooks = 0;
            /* Cut flash pages are remapped below, which installs new hooks. */
            for (unsigned i = m->nram; i < total; i++)
                if (e->state[i] == PG_CUTFLASH)
                    unmap_page(e, i);
            e->nhook_spans = nf <= MAX_SPANS / 2 && m->enforce ? nf : MAX_SPANS;
            if (e->nhook_spans != MAX_SPANS)
                memcpy(e->hook_spans, fs, nf * sizeof(fs[0]));
        }
    }
    /* Unmap what changes, then map runs of equal state (split at the RAM/flash seam).
     * PG_MMIO and PG_RWIO pages are the same MMIO mapping: between them only
     * the state changes, which the callbacks read. */
    for (unsigned i = 0; i < total; i++) {
        if (same8(e->state + i, want + i, total - i)) {
            i += 7;
            continue;
        }
        if (e->state[i] != want[i] && is_io(e->state[i]) && is_io(want[i]))
            e->state[i] = want[i];
        else if (e->state[i] != want[i])
            unmap_page(e, i);
    }
    for (unsigned i = 0; i < total;) {
        unsigned j = i + 1;
        if (same8(e->state + i, want + i, total - i)) {
            i += 8;
            continue;
        }
        if (e->state[i] == want[i] || want[i] == 0) {
            i++;
            continue;
        }
        while (j < total && j != m->nram && want[j] == want[i] && e->state[j] != want[j])
            j++;
        map_run(e, i, j - i, want[i]);
        i = j;
    }
    free(want);
    memcpy(e->sync_rbar, h->rbar, sizeof(h->rbar));
    memcpy(e->sync_rasr, h->rasr, sizeof(h->rasr));
    e->sync_ctrl = h->ctrl;
    e->synced = true;
    m->stats.remaps++;
}

/* ---------------------------------------------------------------- faults */

static void note_fault(struct engine *e, enum gs_fault_kind kind, uint32_t addr, bool save_ctx)
{
    if (e->stop == STOP_FAULT || e->stop == STOP_MACHINE)
        return; /* the first fault wins; a machine error ends the run anyway */
    memset(&e->fault, 0, sizeof(e->fault));
    e->fault.kind = kind;
    e->fault.addr = addr;
    e->fault.addr_valid = kind == GS_FAULT_DATA_READ || kind == GS_FAULT_DATA_WRITE;
    e->fault_has_ctx = save_ctx && UC(e, uc_context_save, e->uc, e->fault_ctx);
    e->stop = STOP_FAULT;
}

static bool on_mem_fault(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t v,
                         void *user)
{
    struct engine *e = user;
    enum gs_fault_kind kind;

    (void)uc;
    (void)size;
    (void)v;
    switch (type) {
    case UC_MEM_WRITE_UNMAPPED:
    case UC_MEM_WRITE_PROT:
        kind = GS_FAULT_DATA_WRITE;
        break;
    case UC_MEM_FETCH_UNMAPPED:
    case UC_MEM_FETCH_PROT:
        kind = GS_FAULT_EXEC;
        break;
    default:
        kind = GS_FAULT_DATA_READ;
        break;
    }
    note_fault(e, kind, (uint32_t)addr, true);
    return false;
}

static void on_forbidden_code(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
    struct engine *e = user;

    (void)size;
    note_fault(e, GS_FAULT_EXEC, (uint32_t)addr, true);
    e->fault.pc = (uint32_t)addr; /* a code hook sees the exact PC */
    UC(e, uc_emu_stop, uc);
}

static void rwio_count(struct mmio_page *pg, bool store);

static uint64_t mmio_read(uc_engine *uc, uint64_t off, unsigned size, void *user)
{
    struct mmio_page *pg = user;
    struct engine *e = pg->e;
    uint32_t addr = pg->base + (uint32_t)off, bad = 0;
    uint64_t v = 0;
    const uint8_t *h;

    if (e->state[pg - e->mmio] == PG_RWIO) {
        rwio_count(pg, false);
        h = gs_mem_host_ptr(mem(e), addr, size);
        for (unsigned i = 0; h && i < size; i++)
            v |= (uint64_t)h[i] << (8 * i);
        return v;
    }
    e->m->stats.mmio_accesses++;
    if (e->stop == STOP_FAULT)
        return 0;
    if (!allowed(e, addr, size, GS_ACC_READ, &bad)) {
        note_fault(e, GS_FAULT_DATA_READ, bad, true);
        UC(e, uc_emu_stop, uc);
        return 0;
    }
    h = gs_mem_host_ptr(mem(e), addr, size);
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)h[i] << (8 * i);
    return v;
}

static void mmio_write(uc_engine *uc, uint64_t off, unsigned size, uint64_t v, void *user)
{
    struct mmio_page *pg = user;
    struct engine *e = pg->e;
    uint32_t addr = pg->base + (uint32_t)off, bad = 0;
    uint8_t *h;

    if (e->stop == STOP_FAULT)
        return; /* nothing more is stored once a fault is pending */
    if (e->state[pg - e->mmio] == PG_RWIO) {
        rwio_count(pg, true);
        h = gs_mem_host_ptr(mem(e), addr, size);
        for (unsigned i = 0; h && i < size; i++)
            h[i] = (uint8_t)(v >> (8 * i));
        return;
    }
    e->m->stats.mmio_accesses++;
    if (!allowed(e, addr, size, GS_ACC_WRITE, &bad)) {
        note_fault(e, GS_FAULT_DATA_WRITE, bad, true);
        UC(e, uc_emu_stop, uc);
        return;
    }
    h = gs_mem_host_ptr(mem(e), addr, size);
    for (unsigned i = 0; i < size; i++)
        h[i] = (uint8_t)(v >> (8 * i));
}

/*
 * An access to a PG_RWIO page: the MPU allows the whole page, so there is
 * nothing to check (an access that crosses into the next page reaches that
 * page's callback for its own bytes). A window with few stores marks the
 * page direct.
 */
static void rwio_count(struct mmio_page *pg, bool store)
{
    if (store)
        pg->stores++;
    else
        pg->loads++;
    if (pg->loads + pg->stores < RWIO_WINDOW)
        return;
    if (pg->stores * RWIO_STORE_SHARE < RWIO_WINDOW && !pg->direct) {
        pg->direct = true;
        pg->e->mode_changed = true;
    }
    pg->loads = pg->stores = 0;
}

/* ------------------------------------------- finding the faulting instruction */

static void on_scratch_access(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t v,
                              void *user)
{
    struct access *a = user;

    (void)uc;
    (void)v;
    if (a->n < 16) {
        a->write[a->n] = type == UC_MEM_WRITE || type == UC_MEM_WRITE_UNMAPPED;
        a->addr[a->n] = (uint32_t)addr;
        a->size[a->n] = (uint32_t)size;
        a->n++;
    }
}

static bool on_scratch_unmapped(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t v,
                                void *user)
{
    on_scratch_access(uc, type, addr, size, v, user);
    return false;
}

/*
 * The scratch engine: RAM of its own (so replays change nothing) and the real
 * flash. What its RAM holds does not matter: a replay only looks at which
 * addresses an instruction accesses, and those come from the registers.
 */
static bool scratch_ready(struct gs_machine *m, struct access *acc)
{
    const struct gs_mem *mm = m->mem;
    uint32_t control = 3;
    uc_hook h;

    if (m->scratch)
        return true;
    m->scratch_ram = malloc(mm->ram_size);
    m->scratch_pages = calloc(m->nram + m->nflash, sizeof(*m->scratch_pages));
    if (!m->scratch_ram || !m->scratch_pages ||
        uc_open(UC_ARCH_ARM, UC_MODE_THUMB, &m->scratch) != UC_ERR_OK) {
        free(m->scratch_ram);
        free(m->scratch_pages);
        m->scratch_ram = NULL;
        m->scratch_pages = NULL;
        m->scratch = NULL;
        return false;
    }
    m->scratch_npending = 0;
    /* A scratch engine that is not set up would find wrong instructions: all or nothing. */
    if (UCM(m, uc_ctl_set_cpu_model, m->scratch, UC_CPU_ARM_CORTEX_M4) &&
        UCM(m, uc_mem_map_ptr, m->scratch, mm->ram_base, mm->ram_size, UC_PROT_READ | UC_PROT_WRITE,
            m->scratch_ram) &&
        UCM(m, uc_mem_map_ptr, m->scratch, mm->flash_base, mm->flash_size,
            UC_PROT_READ | UC_PROT_EXEC, mm->flash) &&
        UCM(m, uc_hook_add, m->scratch, &h, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE,
            (void *)on_scratch_access, acc, 1, 0) &&
        UCM(m, uc_hook_add, m->scratch, &h, UC_HOOK_MEM_UNMAPPED, (void *)on_scratch_unmapped, acc,
            1, 0) &&
        UCM(m, uc_reg_write, m->scratch, UC_ARM_REG_CONTROL, &control))
        return true;
    return false;
}

/*
 * The scratch engine's side of settle_page, for the flash pages of [lo, hi)
 * it is about to execute (it maps all of flash): translations made from
 * other bytes than the pages hold go, only those of the rewritten bytes.
 */
static void settle_scratch(struct gs_machine *m, uint32_t lo, uint32_t hi)
{
    const struct gs_mem *mm = m->mem;

    if (lo < mm->flash_base || hi <= lo || hi - mm->flash_base > mm->flash_size)
        return; /* not flash: nothing of it was ever translated from flash bytes */
    for (uint32_t a = lo & ~(PAGE - 1); a < hi; a += PAGE) {
        unsigned i = m->nram + (a - mm->flash_base) / PAGE;
        struct page_seen *ps = &m->scratch_pages[i];
        uint64_t now = flash_hash(m, i, false);
        if (ps->known && ps->hi) {
            if (ps->seen != now) {
                UCM(m, uc_ctl_remove_cache, m->scratch, a + ps->lo, a + ps->hi);
                m->scratch_dropped++;
                m->stats.translations_dropped++;
            }
            m->scratch_npending--;
        }
        ps->known = true;
        ps->seen = now;
        ps->lo = ps->hi = 0;
    }
}

/* Length of the Thumb instruction whose first halfword is hw. */
static unsigned insn_len(uint16_t hw16)
{
    return (hw16 >> 11) >= 0x1D ? 4 : 2;
}

/*
 * Which instruction of the faulting block made the access? Replay each
 * instruction from the registers saved at the fault and keep those whose
 * access of the right kind covers the fault address.
 */
static void find_fault_pc(struct engine *e, const uint32_t regs[NALL])
{
    struct access *accp = &e->m->scratch_acc;
#define acc (*accp)
    struct gs_machine *m = e->m;
    uint32_t a = e->block, end = e->block + e->block_size, found = e->block;
    unsigned matches = 0;

    if (!scratch_ready(m, &acc)) {
        e->fault.pc = e->block;
        e->fault.pc_ambiguous = true;
        return;
    }
    settle_scratch(m, e->block, end);
    while (a < end) {
        uint16_t hw16 = 0;
        void *pv[NALL];
        uint32_t vals[NALL];
        bool want_write = e->fault.kind == GS_FAULT_DATA_WRITE;

        if (gs_mem_load16(mem(e), a, &hw16) != GS_OK)
            break;
        for (int i = 0; i < NALL; i++) {
            vals[i] = regs[i];
            pv[i] = &vals[i];
        }
        if (!UCM(m, uc_reg_write_batch, m->scratch, (int *)all_regs, pv, NALL))
            break;
        acc.n = 0;
        /* One instruction; ending at the next one also ends the translated block
         * there, so a long block (code or not) costs one instruction per replay.
         * Its result is not an engine failure: the replayed instruction may
         * fault (that is what is being looked for); the hooks record its
         * accesses either way. */
        (void)uc_emu_start(m->scratch, a | 1, a + insn_len(hw16), 0, 1);
        for (unsigned i = 0; i < acc.n; i++) {
            if (acc.write[i] == want_write && e->fault.addr >= acc.addr[i] &&
                e->fault.addr - acc.addr[i] < acc.size[i]) {
                found = a;
                matches++;
                break;
            }
        }
        a += insn_len(hw16);
    }
    e->fault.pc = found;
    e->fault.pc_ambiguous = matches != 1;
#undef acc
}

/* Builds the fault report and stacks the faulting context (exception entry). */
static void finish_fault(struct engine *e)
{
    struct gs_fault *f = &e->fault;
    uint32_t regs[NALL], fr[8], sp, fp, bad = 0;

    if (e->fault_has_ctx) {
        for (int i = 0; i < NALL; i++)
            if (!UC(e, uc_context_reg_read, e->fault_ctx, all_regs[i], &regs[i]))
                regs[i] = 0;
        if (f->kind == GS_FAULT_DATA_READ || f->kind == GS_FAULT_DATA_WRITE)
            find_fault_pc(e, regs);
        else if (f->kind == GS_FAULT_EXEC && f->pc == 0)
            f->pc = f->addr;
        for (int i = 0; i < 4; i++)
            fr[i] = regs[i];
        fr[4] = regs[12];
        fr[5] = regs[14];
        fr[6] = f->pc;
        fr[7] = regs[15];
        sp = regs[13];
        for (int i = 0; i < 8; i++)
            e->ss->regs[i] = regs[4 + i];
    } else {
        read_cpu(e, fr, &sp);
        if (!f->pc)
            f->pc = fr[6];
        fr[6] = f->pc;
    }
    switch (f->kind) {
    case GS_FAULT_DATA_READ:
    case GS_FAULT_DATA_WRITE:
        f->cfsr = CFSR_DACCVIOL | CFSR_MMARVALID;
        f->mmfar = f->addr;
        break;
    case GS_FAULT_EXEC:
        f->cfsr = CFSR_IACCVIOL;
        break;
    case GS_FAULT_STACKING:
        f->cfsr = CFSR_MSTKERR;
        break;
    case GS_FAULT_UNSTACKING:
        f->cfsr = CFSR_MUNSTKERR;
        break;
    case GS_FAULT_UNDEFINED:
        f->cfsr = CFSR_UNDEFINSTR;
        break;
    case GS_FAULT_INVALID_STATE:
        f->cfsr = CFSR_INVSTATE;
        break;
    default:
        break;
    }
    f->hfsr = f->kind == GS_FAULT_BKPT ? HFSR_DEBUGEVT : HFSR_FORCED;
    /* Fault entry stacks the context too; a stacking failure adds MSTKERR. */
    if (f->kind != GS_FAULT_STACKING && f->kind != GS_FAULT_UNSTACKING) {
        if (!push_frame(e, sp, fr, &fp, &bad))
            f->cfsr |= CFSR_MSTKERR;
        e->ss->psp = fp;
    }
    e->out->trap = GS_TRAP_FAULT;
    e->out->fault = *f;
    e->m->stats.faults++;
}

/* ---------------------------------------------------------------- hooks */

/* Number of Thumb instructions in [addr, addr + size). */
static uint32_t count_insns(const struct engine *e, uint32_t addr, uint32_t size)
{
    const uint8_t *code = gs_mem_host_ptr(mem(e), addr, size);
    uint32_t n = 0;

    if (!code)
        return size / 2 ? size / 2 : 1;
    for (uint32_t i = 0; i + 1 < size; n++)
        i += insn_len((uint16_t)(code[i] | (code[i + 1] << 8)));
    return n ? n : 1;
}

static void on_block(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
    struct engine *e = user;
    unsigned slot = ((uint32_t)addr >> 1) & 4095;
    uint32_t n;

    if (e->bcache[slot].key == (uint32_t)addr + 1) {
        n = e->bcache[slot].n;
    } else {
        n = count_insns(e, (uint32_t)addr, size);
        e->bcache[slot].key = (uint32_t)addr + 1;
        e->bcache[slot].n = n;
    }
    /* Always let the first block run, so every run makes progress. */
    if (e->executed && e->executed + n > e->budget) {
        e->stop = STOP_BUDGET;
        e->budget_pc = (uint32_t)addr;
        UC(e, uc_emu_stop, uc);
        return;
    }
    e->executed += n;
    e->block = (uint32_t)addr;
    e->block_size = size;
}

/* svc: exception entry, the kernel, and (inline) exception return. */
static void on_svc(struct engine *e)
{
    struct gs_machine *m = e->m;
    struct gs_process *p = e->p;
    struct gs_stored_state *ss = e->ss;
    uint32_t f[8], g[8], sp, sp2, fp, bad = 0, gen;
    void *pv[8];
    int regs[8];
    int n = 0;

    m->stats.svcs++;
    /* r4-r11 stay in the CPU while the process keeps running; they are saved
     * into the stored state whenever the run stops. */
    read_frame_regs(e, f, &sp);
    if (!push_frame(e, sp, f, &fp, &bad)) {
        ss->psp = fp;
        read_callee(e);
        note_fault(e, GS_FAULT_STACKING, bad, false);
        e->fault.pc = f[6] - 2;
        e->fault.addr_valid = true;
        UC(e, uc_emu_stop, e->uc);
        return;
    }
    ss->psp = fp;
    if (!m->inline_svc) {
        read_callee(e);
        e->stop = STOP_SVC;
        UC(e, uc_emu_stop, e->uc);
        return;
    }
    gen = gs_arch_state_gen(p);
    if (!gs_kernel_svc_inline(m->k, p, e->executed)) {
        if (gs_arch_state_gen(p) == gen) /* unless the kernel re-initialized the context */
            read_callee(e);
        e->stop = STOP_SVC_HANDLED;
        UC(e, uc_emu_stop, e->uc);
        return;
    }
    m->stats.inline_svcs++;
    sync_pages(e);
    if (!pop_frame(e, ss->psp, g, &sp2, &bad)) {
        read_callee(e);
        note_fault(e, GS_FAULT_UNSTACKING, bad, false);
        e->fault.pc = 0;
        UC(e, uc_emu_stop, e->uc);
        return;
    }
    /* Exception return: write only what the kernel changed (usually r0-r3). */
    g[6] &= ~1u;
    g[7] &= ~(1u << 9);
    f[7] &= ~(1u << 9);
    for (int i = 0; i < 8; i++) {
        if (g[i] != f[i] || i < 4) {
            regs[n] = cpu_regs[i];
            pv[n++] = &g[i];
        }
    }
    UC(e, uc_reg_write_batch, e->uc, regs, pv, n);
    if (sp2 != sp)
        UC(e, uc_reg_write, e->uc, UC_ARM_REG_SP, &sp2);
}

static void on_intr(uc_engine *uc, uint32_t intno, void *user)
{
    struct engine *e = user;
    uint32_t pc = 0;

    if (intno == EXCP_SWI) {
        on_svc(e);
        return;
    }
    UC(e, uc_reg_read, uc, UC_ARM_REG_PC, &pc);
    switch (intno) {
    case EXCP_BKPT:
        note_fault(e, GS_FAULT_BKPT, pc, false);
        break;
    case EXCP_PREFETCH:
        note_fault(e, GS_FAULT_EXEC, pc, false);
        break;
    case EXCP_UDEF:
        note_fault(e, GS_FAULT_UNDEFINED, pc, false);
        break;
    case EXCP_INVSTATE:
        note_fault(e, GS_FAULT_INVALID_STATE, pc, false);
        break;
    default:
        note_fault(e, GS_FAULT_OTHER, pc, false);
        break;
    }
    e->fault.pc = pc;
    UC(e, uc_emu_stop,
       uc); /* any exception but svc must stop, or a prefetch abort retries forever */
}

/* ---------------------------------------------------------------- run */

/* Stacks the current context for a budget stop (SysTick) and returns it. */
static void budget_stop(struct engine *e)
{
    uint32_t f[8], sp, fp, bad = 0;

    read_cpu(e, f, &sp);
    e->out->trap = GS_TRAP_BUDGET;
    if (!push_frame(e, sp, f, &fp, &bad)) {
        e->fault.kind = GS_FAULT_STACKING;
        e->out->trap = GS_TRAP_FAULT;
        memset(&e->out->fault, 0, sizeof(e->out->fault));
        e->out->fault.kind = GS_FAULT_STACKING;
        e->out->fault.addr = bad;
        e->out->fault.addr_valid = true;
        e->out->fault.pc = f[6];
        e->out->fault.cfsr = CFSR_MSTKERR;
        e->out->fault.hfsr = HFSR_FORCED;
    }
    e->ss->psp = fp;
}

static void dbg_restart(struct engine *e);
static int debug_run(struct gs_machine *m, struct gs_process *p, uint64_t budget,
                     struct gs_trap_info *out);

static int run_process(struct gs_machine *m, struct gs_process *p, uint64_t budget,
                       struct gs_trap_info *out)
{
    struct engine *e = &m->engines[gs_arch_slot(p)];
    uint32_t f[8], sp, bad = 0, pc;

    memset(out, 0, sizeof(*out));
    m->stats.runs++;
    if (!e->uc)
        return GS_E_NOMEM_HOST; /* its engine could not be recreated */
    if (m->broken)
        return GS_E_INTERNAL; /* a Unicorn call failed before (uc_ok) */
    e->p = p;
    e->ss = gs_arch_stored_state(p);
    e->out = out;
    e->budget = budget ? budget : 1;
    e->executed = 0;
    e->stop = STOP_NONE;
    e->fault_has_ctx = false;
    sync_pages(e);
    settle_pending(e);
    if (m->broken)
        return GS_E_INTERNAL;
    if (!pop_frame(e, e->ss->psp, f, &sp, &bad)) {
        note_fault(e, GS_FAULT_UNSTACKING, bad, false);
        e->fault.pc = 0;
        finish_fault(e);
        return 0;
    }
    load_cpu(e, f, sp, true);
    for (;;) {
        uc_err err;
        if (m->broken || !UC(e, uc_reg_read, e->uc, UC_ARM_REG_PC, &pc))
            return GS_E_INTERNAL;
        e->in_emulation = true;
        /* Its result is the guest's: a fault or an invalid instruction (below). */
        err = uc_emu_start(e->uc, pc | 1, UNTIL, 0, 0);
        e->in_emulation = false;
        out->instructions = e->executed;
        if (m->broken)
            return GS_E_INTERNAL; /* reported as a machine finding (uc_ok) */
        switch (e->stop) {
        case STOP_SVC:
            out->trap = GS_TRAP_SVC;
            return 0;
        case STOP_SVC_HANDLED:
            out->trap = GS_TRAP_SVC_HANDLED;
            return 0;
        case STOP_BUDGET:
            if (!UC(e, uc_reg_write, e->uc, UC_ARM_REG_PC, &e->budget_pc))
                return GS_E_INTERNAL;
            budget_stop(e);
            return m->broken ? GS_E_INTERNAL : 0;
        case STOP_FAULT:
            finish_fault(e);
            return m->broken ? GS_E_INTERNAL : 0;
        case STOP_DEBUG:
            dbg_restart(e);
            continue;
        case STOP_MACHINE: /* m->broken: returned above */
        case STOP_NONE:
            break;
        }
        if (!UC(e, uc_reg_read, e->uc, UC_ARM_REG_PC, &pc))
            return GS_E_INTERNAL;
        if (err == UC_ERR_INSN_INVALID) {
            uint16_t insn = 0;
            gs_mem_load16(mem(e), pc, &insn);
            /* Hints Unicorn 2.0.1 rejects: nop, yield, wfe, sev are no-ops here. */
            if (insn == 0xBF00 || insn == 0xBF10 || insn == 0xBF20 || insn == 0xBF40) {
                pc += 2;
                if (!UC(e, uc_reg_write, e->uc, UC_ARM_REG_PC, &pc))
                    return GS_E_INTERNAL;
                continue;
            }
            note_fault(e, GS_FAULT_UNDEFINED, pc, false);
            e->fault.pc = pc;
            finish_fault(e);
            return 0;
        }
        if (err == UC_ERR_OK) {
            /* wfi: sleeps until the next interrupt, i.e. the end of the timeslice. */
            e->executed = e->budget > e->executed ? e->budget : e->executed;
            out->instructions = e->executed;
            budget_stop(e);
            return 0;
        }
        note_fault(e, GS_FAULT_OTHER, pc, false);
        e->fault.pc = pc;
        finish_fault(e);
        return 0;
    }
}

/* arch->run: with a debugger attached, its run boundaries come around the run. */
static int m_run(void *ctx, struct gs_process *p, uint64_t budget, struct gs_trap_info *out)
{
    struct gs_machine *m = ctx;

    if (m->dbg)
        return debug_run(m, p, budget, out);
    return run_process(m, p, budget, out);
}

static const struct gs_arch_ops machine_ops = {.run = m_run};

/* ---------------------------------------------------------------- setup */

static int engine_init(struct gs_machine *m, struct engine *e, unsigned index)
{
    uint32_t control = 3; /* unprivileged thread mode on PSP, as a Tock process runs */
    uc_hook h;
    unsigned total = m->nram + m->nflash;

    e->m = m;
    e->index = index;
    e->nhook_spans = MAX_SPANS;
    e->state = calloc(total, 1);
    e->pages = calloc(total, sizeof(*e->pages));
    e->mmio = calloc(m->nram ? m->nram : 1, sizeof(*e->mmio));
    if (!e->state || !e->pages || !e->mmio)
        return GS_E_NOMEM_HOST;
    if (uc_open(UC_ARCH_ARM, UC_MODE_THUMB, &e->uc) != UC_ERR_OK)
        return GS_E_INTERNAL;
    /* The model must be set before any map or register access; not UC_MODE_MCLASS. */
    if (uc_ctl_set_cpu_model(e->uc, UC_CPU_ARM_CORTEX_M4) != UC_ERR_OK ||
        uc_context_alloc(e->uc, &e->fault_ctx) != UC_ERR_OK)
        return GS_E_INTERNAL;
    /* Every hook before the first uc_emu_start. */
    if (uc_hook_add(e->uc, &h, UC_HOOK_INTR, (void *)on_intr, e, 1, 0) != UC_ERR_OK ||
        uc_hook_add(e->uc, &h, UC_HOOK_BLOCK, (void *)on_block, e, 1, 0) != UC_ERR_OK ||
        uc_hook_add(e->uc, &h,
                    UC_HOOK_MEM_UNMAPPED | UC_HOOK_MEM_WRITE_PROT | UC_HOOK_MEM_FETCH_PROT |
                        UC_HOOK_MEM_READ_PROT,
                    (void *)on_mem_fault, e, 1, 0) != UC_ERR_OK ||
        uc_reg_write(e->uc, UC_ARM_REG_CONTROL, &control) != UC_ERR_OK)
        return GS_E_INTERNAL;
    return GS_OK;
}

static void engine_free(struct engine *e)
{
    if (e->uc) {
        /* Teardown: a failure here leaks at worst; there is no run left to spoil. */
        if (e->fault_ctx)
            (void)uc_context_free(e->fault_ctx);
        (void)uc_close(e->uc);
    }
    free(e->state);
    free(e->pages);
    free(e->mmio);
    free(e->code_hooks);
    memset(e, 0, sizeof(*e));
}

int gs_machine_new(struct gs_kernel *k, struct gs_machine **out)
{
    struct gs_machine *m;
    const struct gs_mem *mm;
    int err;

    if (!k || !out)
        return GS_E_ARG;
    mm = gs_arch_memory(k);
    if (mm->ram_base % PAGE || mm->ram_size % PAGE || mm->flash_base % PAGE ||
        mm->flash_size % PAGE)
        return GS_E_ARG;
    m = calloc(1, sizeof(*m));
    if (!m)
        return GS_E_NOMEM_HOST;
    m->k = k;
    m->mem = gs_arch_memory(k);
    m->hw = gs_arch_mpu(k);
    m->inline_svc = true;
    m->enforce = true;
    m->adaptive_rw = true;
    m->nram = mm->ram_size / PAGE;
    m->nflash = mm->flash_size / PAGE;
    m->flash_hash = calloc(m->nflash ? m->nflash : 1, sizeof(*m->flash_hash));
    if (!m->flash_hash) {
        free(m);
        return GS_E_NOMEM_HOST;
    }
    for (unsigned i = 0; i < gs_arch_slots(k); i++) {
        err = engine_init(m, &m->engines[i], i);
        if (err) {
            gs_machine_free(m);
            return err;
        }
    }
    m->arch.ops = &machine_ops;
    m->arch.ctx = m;
    gs_kernel_set_arch(k, &m->arch);
    *out = m;
    return GS_OK;
}

int gs_machine_rebind(struct gs_machine *m, struct gs_kernel *k)
{
    if (!m || !k || gs_arch_memory(k) != m->mem)
        return GS_E_ARG;
    for (unsigned i = 0; i < gs_arch_slots(k); i++) {
        if (m->engines[i].uc)
            continue;
        if (engine_init(m, &m->engines[i], i) != GS_OK) {
            engine_free(&m->engines[i]);
            return GS_E_NOMEM_HOST;
        }
    }
    if (gs_kernel_arch(m->k) == &m->arch)
        gs_kernel_set_arch(m->k, NULL);
    m->k = k;
    m->hw = gs_arch_mpu(k);
    gs_kernel_set_arch(k, &m->arch);
    /* The new kernel's MPU counts its configure calls from zero: every engine re-reads. */
    for (unsigned i = 0; i < GS_MAX_PROCS; i++)
        m->engines[i].synced = false;
    return GS_OK;
}

void gs_machine_free(struct gs_machine *m)
{
    if (!m)
        return;
    for (unsigned i = 0; i < GS_MAX_PROCS; i++)
        engine_free(&m->engines[i]);
    if (m->scratch)
        (void)uc_close(m->scratch); /* teardown: nothing left to spoil */
    free(m->scratch_ram);
    free(m->scratch_pages);
    free(m->flash_hash);
    free(m->dbg);
    if (m->k && gs_kernel_arch(m->k) == &m->arch)
        gs_kernel_set_arch(m->k, NULL);
    free(m);
}

const struct gs_arch *gs_machine_arch(struct gs_machine *m)
{
    return &m->arch;
}

void gs_machine_set_inline(struct gs_machine *m, bool on)
{
    m->inline_svc = on;
}

const struct gs_machine_stats *gs_machine_stats(const struct gs_machine *m)
{
    return &m->stats;
}

void gs_machine_reset(struct gs_machine *m)
{
    for (unsigned i = 0; i < GS_MAX_PROCS; i++) {
        struct engine *e = &m->engines[i];
        e->synced = false;
        /* Learnt mappings go too: each input starts alike (PG_RWIO). */
        for (unsigned j = 0; e->mmio && j < m->nram; j++)
            e->mmio[j].direct = false;
    }
}

/*
 * The part of gs_machine_code_changed that only records: each engine (and
 * the scratch engine) that has translations of a changed page drops those
 * of the rewritten bytes when it next runs or maps the page. Safe inside a
 * hook (the debugger's flash writes).
 */
static bool note_code_changed(struct gs_machine *m, uint32_t addr, uint32_t len)
{
    const struct gs_mem *mm = m->mem;
    uint64_t lo = addr, hi = (uint64_t)addr + len;

    if (lo < mm->flash_base)
        lo = mm->flash_base;
    if (hi > (uint64_t)mm->flash_base + mm->flash_size)
        hi = (uint64_t)mm->flash_base + mm->flash_size;
    if (lo >= hi)
        return false;
    for (uint64_t a = lo & ~(uint64_t)(PAGE - 1); a < hi; a += PAGE) {
        unsigned pi = m->nram + (unsigned)((a - mm->flash_base) / PAGE);
        /* The changed bytes of this page: only translations of code there go. */
        uint64_t clo = lo > a ? lo : a, chi = hi < a + PAGE ? hi : a + PAGE;
        m->stats.code_pages_changed++;
        flash_hash(m, pi, true);
        /* Each engine that has seen the page settles it when it next runs or maps it
         * (Unicorn must not be asked about unmapped addresses, and unmapping does not
         * drop translations); until then the rewritten bytes add up. */
        for (unsigned i = 0; i < GS_MAX_PROCS; i++) {
            struct engine *e = &m->engines[i];
            struct page_seen *ps;
            uint16_t o = (uint16_t)(clo - a), oe = (uint16_t)(chi - a);
            if (!e->uc || !e->pages[pi].known) /* no translations of this page */
                continue;
            ps = &e->pages[pi];
            if (!ps->hi) {
                ps->lo = o;
                ps->hi = oe;
                e->npending++;
            } else {
                ps->lo = o < ps->lo ? o : ps->lo;
                ps->hi = oe > ps->hi ? oe : ps->hi;
            }
        }
        if (m->scratch && m->scratch_pages[pi].known) {
            struct page_seen *ps = &m->scratch_pages[pi];
            uint16_t o = (uint16_t)(clo - a), oe = (uint16_t)(chi - a);
            if (!ps->hi) {
                ps->lo = o;
                ps->hi = oe;
                m->scratch_npending++;
            } else {
                ps->lo = o < ps->lo ? o : ps->lo;
                ps->hi = oe > ps->hi ? oe : ps->hi;
            }
        }
    }
    return true;
}

void gs_machine_code_changed(struct gs_machine *m, uint32_t addr, uint32_t len)
{
    if (!note_code_changed(m, addr, len))
        return;
    /*
     * Dropped translations stay in Unicorn's code buffer: code rewritten input
     * after input grows the resident set and, once the 1 GiB buffer is full,
     * crashes 2.0.1 (UNICORN-NOTES.md). Its full flush (UC_CTL_TB_FLUSH) was
     * measured here to touch about 1 GiB of memory, so an engine that has
     * dropped GS_MACHINE_FLUSH_PAGES pages is recreated instead (about 0.3 ms):
     * it maps everything again at its next run. Between runs, never inside one.
     */
    for (unsigned i = 0; i < GS_MAX_PROCS; i++) {
        struct engine *e = &m->engines[i];
        if (!e->uc || e->dropped < GS_MACHINE_FLUSH_PAGES)
            continue;
        engine_free(e);
        if (engine_init(m, e, i) != GS_OK)
            engine_free(e); /* no engine: m_run reports the machine failure */
        m->stats.engines_recreated++;
    }
    /* The scratch engine's code buffer fills the same way: it is made again when next needed. */
    if (m->scratch && m->scratch_dropped >= GS_MACHINE_FLUSH_PAGES) {
        (void)uc_close(m->scratch); /* teardown: nothing left to spoil */
        free(m->scratch_ram);
        free(m->scratch_pages);
        m->scratch = NULL;
        m->scratch_ram = NULL;
        m->scratch_pages = NULL;
        m->scratch_dropped = 0;
        m->scratch_npending = 0;
        m->stats.engines_recreated++;
    }
}

void gs_machine_set_enforce(struct gs_machine *m, bool on)
{
    m->enforce = on;
    for (unsigned i = 0; i < GS_MAX_PROCS; i++)
        m->engines[i].synced = false;
}

void gs_machine_inject_uc_failure(struct gs_machine *m, uint64_t n)
{
    m->uc_calls = 0;
    m->fail_at = n;
}

void gs_machine_set_adaptive_rw(struct gs_machine *m, bool on)
{
    m->adaptive_rw = on;
    for (unsigned i = 0; i < GS_MAX_PROCS; i++)
        m->engines[i].synced = false;
}

/* ---------------------------------------------------------------- debugging */

/*
 * The debugger's side of the machine (machine.h, Debugging). The rules
 * that keep stops exact:
 *  - Hooks are only added, removed and made effective outside Unicorn
 *    (dbg_sync, at the start of a run or of a restart): Unicorn applies a
 *    new code hook only to code translated after it, so the engine's
 *    translations of flash are dropped through the same bookkeeping as
 *    rewritten code (every page it knows is marked rewritten).
 *  - A code hook that stops calls the debugger right there, before its
 *    instruction executes (a code hook sees the exact PC and registers).
 *    If, when the debugger returns, the hooks wanted for the engine are not
 *    the ones installed, or the PC or code was written, the emulation
 *    stops before that instruction (uc_emu_stop in a code hook stops
 *    before it) and starts again there (dbg_restart). The restarted first
 *    instruction reaches the hook a second time; `skip` ignores that call.
 *  - A watchpoint's memory hook runs during the access (PC inexact), so it
 *    only notes the hit; the code hook over all code that every engine has
 *    while a watchpoint is set reports it before the next instruction,
 *    which is where gdb expects a watchpoint stop (as QEMU reports them).
 */

/* Registers in GS_DBG_* order, as Unicorn names them. */
static const int dbg_regs[GS_DBG_NREGS] = {
    UC_ARM_REG_R0,  UC_ARM_REG_R1, UC_ARM_REG_R2, UC_ARM_REG_R3, UC_ARM_REG_R4,  UC_ARM_REG_R5,
    UC_ARM_REG_R6,  UC_ARM_REG_R7, UC_ARM_REG_R8, UC_ARM_REG_R9, UC_ARM_REG_R10, UC_ARM_REG_R11,
    UC_ARM_REG_R12, UC_ARM_REG_SP, UC_ARM_REG_LR, UC_ARM_REG_PC, UC_ARM_REG_XPSR};

/* Does this engine need the code hook over all code (else one per breakpoint)? */
static bool dbg_all_code(const struct engine *e)
{
    const struct gs_machine_dbg *d = e->m->dbg;

    return !d->detached && (d->step == (int)e->index || d->nwatches > 0);
}

/* A hash of the hooks the engine needs now (FNV-1a): equal hashes, same hooks. */
static uint64_t dbg_config_hash(const struct engine *e)
{
    const struct gs_machine_dbg *d = e->m->dbg;
    uint64_t h = 0xcbf29ce484222325ull;
    uint32_t w[3];

#define MIX(v) (h = (h ^ (uint64_t)(v)) * 0x100000001b3ull)
    MIX(dbg_all_code(e));
    MIX(d->detached);
    for (unsigned i = 0; !d->detached && i < d->nbreaks; i++)
        MIX(d->breaks[i]);
    MIX(0xB4EA4u);
    for (unsigned i = 0; !d->detached && i < d->nwatches; i++) {
        w[0] = d->watches[i].addr;
        w[1] = d->watches[i].len;
        w[2] = d->watches[i].acc;
        MIX(w[0]);
        MIX(w[1]);
        MIX(w[2]);
    }
#undef MIX
    return h;
}

static bool dbg_break_at(const struct gs_machine_dbg *d, uint32_t pc)
{
    unsigned lo = 0, hi = d->nbreaks;

    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        if (d->breaks[mid] == pc)
            return true;
        if (d->breaks[mid] < pc)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

static void on_dbg_code(uc_engine *uc, uint64_t addr, uint32_t size, void *user);
static void on_dbg_mem(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t v,
                       void *user);

/*
 * Makes the engine's debugger hooks the ones it needs (outside Unicorn).
 * The engine's flash translations were made without the new hooks: every
 * flash page it knows is marked rewritten, so that settle_pending (and
 * map_run for pages mapped later) drops them.
 */
static void dbg_sync(struct engine *e)
{
    struct gs_machine *m = e->m;
    struct gs_machine_dbg *d = m->dbg;
    struct engine_dbg *x = &e->dbg;
    uint64_t h;
    uc_hook hk;

    if (!d || !e->uc || x->gen == d->gen)
        return;
    x->gen = d->gen;
    h = dbg_config_hash(e);
    if (h == x->hash)
        return; /* the same hooks (gdb removes and inserts its breakpoints at every stop) */
    x->hash = h;
    for (unsigned i = 0; i < x->nhooks; i++)
        UC(e, uc_hook_del, e->uc, x->hooks[i]);
    x->nhooks = 0;
    if (!d->detached) {
        if (dbg_all_code(e)) {
            if (UC(e, uc_hook_add, e->uc, &hk, UC_HOOK_CODE, (void *)on_dbg_code, e, 1, 0))
                x->hooks[x->nhooks++] = hk;
        } else {
            /* Each breakpoint's hook reaches 16 bytes past it: a stop inside an IT block
             * waits for the end of the block (Unicorn 2.0.1 does not stop inside one) and
             * must then come at a hooked instruction, the only place where Unicorn
             * sets the PC (dbg_restart). */
            for (unsigned i = 0; i < d->nbreaks; i++)
                if (UC(e, uc_hook_add, e->uc, &hk, UC_HOOK_CODE, (void *)on_dbg_code, e,
                       d->breaks[i], (uint64_t)d->breaks[i] + 16))
                    x->hooks[x->nhooks++] = hk;
        }
        for (unsigned i = 0; i < d->nwatches; i++) {
            /* Unicorn compares a hook's range with the access's first byte: start 7
             * bytes early to see every access (up to 8 bytes) that overlaps. */
            uint32_t a = d->watches[i].addr, lo = a >= 7 ? a - 7 : 0;
            int type = ((d->watches[i].acc & GS_ACC_READ) ? UC_HOOK_MEM_READ : 0) |
                       ((d->watches[i].acc & GS_ACC_WRITE) ? UC_HOOK_MEM_WRITE : 0);
            if (UC(e, uc_hook_add, e->uc, &hk, type, (void *)on_dbg_mem, e, lo,
                   (uint64_t)a + d->watches[i].len - 1))
                x->hooks[x->nhooks++] = hk;
        }
    }
    for (unsigned i = m->nram; i < m->nram + m->nflash; i++) {
        struct page_seen *ps = &e->pages[i];
        if (!ps->known)
            continue;
        if (!ps->hi)
            e->npending++;
        ps->lo = 0;
        ps->hi = PAGE;
        ps->seen = 0; /* never a page hash: the page is settled as changed */
    }
}

/* The registers of p from its stored state (frame at psp, r4-r11). */
static void dbg_stacked_regs(struct gs_machine *m, const struct gs_process *p,
                             uint32_t r[GS_DBG_NREGS])
{
    const struct gs_stored_state *ss = gs_arch_stored_state_ro(p);
    const uint8_t *f = gs_mem_host_ptr(m->mem, ss->psp, 32);
    uint32_t fr[8] = {0};

    if (f)
        for (unsigned i = 0; i < 8; i++)
            fr[i] = gs_get_le32(f + 4 * i);
    for (unsigned i = 0; i < 4; i++)
        r[i] = fr[i];
    for (unsigned i = 0; i < 8; i++)
        r[4 + i] = ss->regs[i];
    r[12] = fr[4];
    r[GS_DBG_SP] = ss->psp + 32 + (((fr[7] >> 9) & 1) << 2);
    r[GS_DBG_LR] = fr[5];
    r[GS_DBG_PC] = fr[6] & ~1u;
    r[GS_DBG_XPSR] = fr[7] & ~(1u << 9);
}

static void on_dbg_code(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
    struct engine *e = user;
    struct gs_machine_dbg *d = e->m->dbg;
    struct engine_dbg *x = &e->dbg;
    struct gs_dbg_event ev;
    uint32_t pc = (uint32_t)addr;

    (void)size;
    if (!d || d->detached || e->stop != STOP_NONE)
        return;
    if (x->skip) {
        x->skip = false;
        if (pc == x->skip_pc)
            return; /* the instruction the emulation was restarted at */
    }
    memset(&ev, 0, sizeof(ev));
    ev.where = GS_DBG_INSN;
    ev.pc = pc;
    if (x->watch_hit) {
        ev.reason = GS_DBG_WATCH;
        ev.watch_addr = x->watch_addr;
        ev.watch_acc = x->watch_acc;
        ev.watch_kind = x->watch_kind;
        x->watch_hit = false;
    } else if (d->step == (int)e->index) {
        ev.reason = GS_DBG_STEP;
    } else if (dbg_break_at(d, pc)) {
        ev.reason = GS_DBG_BREAK;
    } else {
        return;
    }
    x->in_insn = true;
    x->insn_pc = pc;
    x->pc_set = false;
    x->restart = false;
    d->fn(d->ctx, e->p, &ev);
    x->in_insn = false;
    if (d->kill) {
        /* End the run here as a SysTick would: the instruction has not run. */
        e->stop = STOP_BUDGET;
        e->budget_pc = pc;
        UC(e, uc_emu_stop, uc);
        return;
    }
    if (x->gen != d->gen && dbg_config_hash(e) == x->hash)
        x->gen = d->gen; /* changed and changed back: the installed hooks are still right */
    if (x->pc_set || x->restart || x->gen != d->gen) {
        e->stop = STOP_DEBUG;
        x->exec_at_stop = e->executed;
        UC(e, uc_emu_stop, uc);
    }
}

static void on_dbg_mem(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t v,
                       void *user)
{
    struct engine *e = user;
    struct gs_machine_dbg *d = e->m->dbg;
    unsigned acc = type == UC_MEM_WRITE ? GS_ACC_WRITE : GS_ACC_READ;
    uint64_t a = addr, end = addr + (uint64_t)(size > 0 ? size : 1);

    (void)uc;
    (void)v;
    if (!d || d->detached || e->dbg.watch_hit)
        return;
    for (unsigned i = 0; i < d->nwatches; i++) {
        uint64_t wa = d->watches[i].addr, we = wa + d->watches[i].len;
        if (!(d->watches[i].acc & acc) || end <= wa || a >= we)
            continue;
        e->dbg.watch_hit = true;
        e->dbg.watch_addr = (uint32_t)(a > wa ? a : wa);
        e->dbg.watch_acc = acc;
        e->dbg.watch_kind = d->watches[i].acc;
        return;
    }
}

/*
 * STOP_DEBUG: start the emulation again where it stopped, with the hooks
 * the debugger wants now (or at the PC it wrote). Where it stopped is the
 * instruction the debugger stopped at, except inside an IT block: Unicorn
 * 2.0.1 does not stop between the instructions of an IT block (their
 * condition state lives in the translation), so the rest of the block runs
 * and the emulation stops at the next hooked instruction (breakpoint hooks
 * reach 16 bytes past their address for this), whose PC Unicorn sets, or at
 * the start of the next translated block, which on_block counted and whose
 * address it noted, and where Unicorn leaves the PC as it was. Instructions
 * of the block that were counted but did not run are uncounted: the new
 * block counts them again, so a debugged run keeps its time.
 */
static void dbg_restart(struct engine *e)
{
    struct engine_dbg *x = &e->dbg;
    uint32_t at = 0, pc, end = e->block + e->block_size;

    e->stop = STOP_NONE;
    if (e->executed != x->exec_at_stop) {
        at = e->block; /* stopped at the start of a block on_block had entered */
    } else {
        UC(e, uc_reg_read, e->uc, UC_ARM_REG_PC, &at);
        at &= ~1u;
    }
    if (at >= e->block && at < end) {
        uint32_t n = count_insns(e, at, end - at);
        e->executed = e->executed > n ? e->executed - n : 0;
    }
    pc = x->pc_set ? x->new_pc : at;
    dbg_sync(e);
    settle_pending(e);
    UC(e, uc_reg_write, e->uc, UC_ARM_REG_PC, &pc);
    /* The first instruction is the one the debugger resumes (unless an IT block ran on). */
    x->skip = x->pc_set || at == x->insn_pc;
    x->skip_pc = pc;
    x->pc_set = false;
    x->restart = false;
}

/* arch->run with a debugger: its boundaries, and the watch hit a run may end with. */
static int debug_run(struct gs_machine *m, struct gs_process *p, uint64_t budget,
                     struct gs_trap_info *out)
{
    struct gs_machine_dbg *d = m->dbg;
    struct engine *e = &m->engines[gs_arch_slot(p)];
    struct gs_dbg_event ev;
    int r;

    memset(&ev, 0, sizeof(ev));
    ev.where = GS_DBG_RUN_BEGIN;
    if (!d->detached)
        d->fn(d->ctx, p, &ev);
    dbg_sync(e);
    r = run_process(m, p, budget, out);
    if (e->dbg.pc_set) {
        /* A PC written at an instruction that the run's end overtook (a budget stop
         * right after an IT block): it goes into the stored state instead. */
        e->dbg.pc_set = false;
        gs_machine_debug_set_reg(m, p, GS_DBG_PC, e->dbg.new_pc);
    }
    memset(&ev, 0, sizeof(ev));
    ev.where = GS_DBG_RUN_END;
    /* A hit by the run's last instruction (before a budget stop or a trap). */
    if (e->dbg.watch_hit && out->trap != GS_TRAP_FAULT) {
        uint32_t regs[GS_DBG_NREGS];
        dbg_stacked_regs(m, p, regs);
        ev.reason = GS_DBG_WATCH;
        ev.pc = regs[GS_DBG_PC];
        ev.watch_addr = e->dbg.watch_addr;
        ev.watch_acc = e->dbg.watch_acc;
        ev.watch_kind = e->dbg.watch_kind;
    }
    e->dbg.watch_hit = false;
    if (!d->detached && !d->kill)
        d->fn(d->ctx, p, &ev);
    return r;
}

int gs_machine_debug_attach(struct gs_machine *m, gs_dbg_fn fn, void *ctx)
{
    if (!m || !fn)
        return GS_E_ARG;
    if (m->dbg)
        return GS_E_STATE;
    m->dbg = calloc(1, sizeof(*m->dbg));
    if (!m->dbg)
        return GS_E_NOMEM_HOST;
    m->dbg->fn = fn;
    m->dbg->ctx = ctx;
    m->dbg->step = -1;
    m->dbg->gen = 1;
    return GS_OK;
}

void gs_machine_debug_detach(struct gs_machine *m)
{
    struct gs_machine_dbg *d = m->dbg;

    if (!d || d->detached)
        return;
    d->detached = true;
    d->nbreaks = d->nwatches = 0;
    d->step = -1;
    d->gen++;
}

int gs_machine_debug_break(struct gs_machine *m, uint32_t addr, bool insert)
{
    struct gs_machine_dbg *d = m->dbg;
    unsigned i = 0;

    if (!d || d->detached)
        return GS_E_STATE;
    while (i < d->nbreaks && d->breaks[i] < addr)
        i++;
    if (i < d->nbreaks && d->breaks[i] == addr) {
        if (insert) {
            d->break_count[i]++;
        } else if (--d->break_count[i] == 0) {
            memmove(d->breaks + i, d->breaks + i + 1, (d->nbreaks - i - 1) * sizeof(d->breaks[0]));
            memmove(d->break_count + i, d->break_count + i + 1,
                    (d->nbreaks - i - 1) * sizeof(d->break_count[0]));
            d->nbreaks--;
            d->gen++;
        }
        return GS_OK;
    }
    if (!insert)
        return GS_E_ARG;
    if (d->nbreaks == GS_DBG_MAX_BREAKS)
        return GS_E_NO_SLOT;
    memmove(d->breaks + i + 1, d->breaks + i, (d->nbreaks - i) * sizeof(d->breaks[0]));
    memmove(d->break_count + i + 1, d->break_count + i,
            (d->nbreaks - i) * sizeof(d->break_count[0]));
    d->breaks[i] = addr;
    d->break_count[i] = 1;
    d->nbreaks++;
    d->gen++;
    return GS_OK;
}

int gs_machine_debug_watch(struct gs_machine *m, uint32_t addr, uint32_t len, unsigned acc,
                           bool insert)
{
    struct gs_machine_dbg *d = m->dbg;

    if (!d || d->detached)
        return GS_E_STATE;
    acc &= GS_ACC_READ | GS_ACC_WRITE;
    if (!acc || len == 0 || len > 0x10000 || addr > UINT32_MAX - (len - 1))
        return GS_E_ARG;
    for (unsigned i = 0; i < d->nwatches; i++) {
        if (d->watches[i].addr != addr || d->watches[i].len != len || d->watches[i].acc != acc)
            continue;
        if (insert)
            return GS_OK; /* already watched */
        d->watches[i] = d->watches[--d->nwatches];
        d->gen++;
        return GS_OK;
    }
    if (!insert)
        return GS_E_ARG;
    if (d->nwatches == GS_DBG_MAX_WATCHES)
        return GS_E_NO_SLOT;
    d->watches[d->nwatches].addr = addr;
    d->watches[d->nwatches].len = len;
    d->watches[d->nwatches].acc = acc;
    d->nwatches++;
    d->gen++;
    return GS_OK;
}

void gs_machine_debug_resume(struct gs_machine *m, const struct gs_process *step)
{
    struct gs_machine_dbg *d = m->dbg;
    int slot = step && gs_arch_slot(step) < GS_MAX_PROCS ? (int)gs_arch_slot(step) : -1;

    if (!d || d->detached)
        return;
    if (slot != d->step) {
        d->step = slot;
        d->gen++;
    }
    /* Whatever a restart meant to skip has run by now (this is a new stop's end). */
    for (unsigned i = 0; i < GS_MAX_PROCS; i++)
        m->engines[i].dbg.skip = false;
    /* A process that is not at an instruction in a hook starts its step at its
     * stored PC: that instruction runs first, the step ends before the next. */
    if (slot >= 0 && !m->engines[slot].dbg.in_insn) {
        uint32_t r[GS_DBG_NREGS];
        dbg_stacked_regs(m, step, r);
        m->engines[slot].dbg.skip = true;
        m->engines[slot].dbg.skip_pc = r[GS_DBG_PC];
    }
}

void gs_machine_debug_kill(struct gs_machine *m)
{
    if (m->dbg)
        m->dbg->kill = true;
}

int gs_machine_debug_regs(struct gs_machine *m, const struct gs_process *p,
                          uint32_t r[GS_DBG_NREGS])
{
    struct engine *e;

    if (!m || !p || gs_arch_slot(p) >= GS_MAX_PROCS)
        return GS_E_ARG;
    e = &m->engines[gs_arch_slot(p)];
    if (e->dbg.in_insn && e->p == p && e->uc) {
        void *pv[GS_DBG_NREGS];
        for (unsigned i = 0; i < GS_DBG_NREGS; i++)
            pv[i] = &r[i];
        if (!UC(e, uc_reg_read_batch, e->uc, (int *)dbg_regs, pv, GS_DBG_NREGS))
            return GS_E_INTERNAL;
        /* Inside a code hook the instruction's address is exact (the hook's argument). */
        r[GS_DBG_PC] = e->dbg.pc_set ? e->dbg.new_pc : e->dbg.insn_pc;
        return GS_OK;
    }
    dbg_stacked_regs(m, p, r);
    return GS_OK;
}

int gs_machine_debug_set_reg(struct gs_machine *m, struct gs_process *p, unsigned n, uint32_t v)
{
    struct engine *e;
    uint32_t r[GS_DBG_NREGS], f[8], psp, align;
    uint8_t *host;

    if (!m || !p || gs_arch_slot(p) >= GS_MAX_PROCS || n >= GS_DBG_NREGS)
        return GS_E_ARG;
    e = &m->engines[gs_arch_slot(p)];
    if (e->dbg.in_insn && e->p == p && e->uc) {
        if (n == GS_DBG_PC) {
            /* Writing the PC inside a hook would cancel a uc_emu_stop (UNICORN-NOTES):
             * the restart writes it. */
            e->dbg.pc_set = true;
            e->dbg.new_pc = v & ~1u;
        } else if (!UC(e, uc_reg_write, e->uc, dbg_regs[n], &v)) {
            return GS_E_INTERNAL;
        }
        return GS_OK;
    }
    if (n >= 4 && n <= 11) {
        gs_arch_stored_state(p)->regs[n - 4] = v;
        return GS_OK;
    }
    /* The rest live in the exception frame at psp (PushStack's layout). */
    dbg_stacked_regs(m, p, r);
    f[0] = r[0];
    f[1] = r[1];
    f[2] = r[2];
    f[3] = r[3];
    f[4] = r[12];
    f[5] = r[GS_DBG_LR];
    f[6] = r[GS_DBG_PC];
    f[7] = r[GS_DBG_XPSR];
    psp = gs_arch_stored_state(p)->psp;
    align = (r[GS_DBG_SP] - psp - 32) ? 1u : 0u;
    switch (n) {
    case 12:
        f[4] = v;
        break;
    case GS_DBG_SP:
        /* The frame moves below the new stack pointer, 8-byte aligned as PushStack puts it. */
        align = (v >> 2) & 1;
        psp = (v - 32) & ~(align << 2);
        break;
    case GS_DBG_LR:
        f[5] = v;
        break;
    case GS_DBG_PC:
        f[6] = v & ~1u;
        break;
    case GS_DBG_XPSR:
        f[7] = v;
        break;
    default:
        f[n] = v;
        break;
    }
    host = gs_mem_host_ptr(m->mem, psp, 32);
    if (!host)
        return GS_E_BOUNDS;
    for (unsigned i = 0; i < 7; i++)
        gs_put_le32(host + 4 * i, f[i]);
    gs_put_le32(host + 28, (f[7] & ~(1u << 9)) | (align << 9));
    gs_arch_stored_state(p)->psp = psp;
    return GS_OK;
}

uint32_t gs_machine_debug_read(struct gs_machine *m, uint32_t addr, void *buf, uint32_t len)
{
    const struct gs_mem *mm = m->mem;
    uint32_t n = 0;

    /* The readable prefix: up to the end of the RAM or flash block addr is in. */
    if (len && gs_mem_in_ram(mm, addr, 1))
        n = mm->ram_base + mm->ram_size - addr;
    else if (len && gs_mem_in_flash(mm, addr, 1))
        n = mm->flash_base + mm->flash_size - addr;
    if (n > len)
        n = len;
    if (n)
        memcpy(buf, gs_mem_host_ptr(m->mem, addr, n), n);
    return n;
}

int gs_machine_debug_write(struct gs_machine *m, uint32_t addr, const void *buf, uint32_t len)
{
    struct gs_mem *mm = m->mem;
    uint8_t *host;

    if (!len)
        return GS_OK;
    host = gs_mem_host_ptr(mm, addr, len);
    if (!host)
        return GS_E_BOUNDS;
    if (!memcmp(host, buf, len))
        return GS_OK;
    memcpy(host, buf, len);
    if (gs_mem_in_flash(mm, addr, len)) {
        /* Code may have changed: engines drop its translations when they next run;
         * one stopped at an instruction restarts there to see the new bytes. */
        note_code_changed(m, addr, len);
        for (unsigned i = 0; i < GS_MAX_PROCS; i++)
            if (m->engines[i].dbg.in_insn)
                m->engines[i].dbg.restart = true;
    }
    return GS_OK;
}
