/* SPDX-License-Identifier: MIT */
/*
 * Upstream printouts. Rust formats used upstream and their C forms here:
 * {:#010X} -> "0x%08X", {:6} -> "%6u", {:#x} and {:p} -> "0x%x",
 * {:#04x} -> "0x%02x", {:>2} -> "%2u".
 */
#include "printer.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grant.h"
#include "tasks.h"

void gs_sink_printf(struct gs_sink *s, const char *fmt, ...)
{
    char small[512], *buf = small;
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof(small)) {
        buf = malloc((size_t)n + 1);
        if (!buf)
            return;
        va_start(ap, fmt);
        vsnprintf(buf, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    if (s->crlf) {
        s->write(s->ctx, buf, (size_t)n);
    } else {
        /* Drop every '\r' that precedes '\n'. */
        size_t start = 0;
        for (size_t i = 0; i < (size_t)n; i++) {
            if (buf[i] == '\r' && i + 1 < (size_t)n && buf[i + 1] == '\n') {
                s->write(s->ctx, buf + start, i - start);
                start = i + 1;
            }
        }
        s->write(s->ctx, buf + start, (size_t)n - start);
    }
    if (buf != small)
        free(buf);
}

static void strbuf_write(void *ctx, const char *s, size_t n)
{
    struct gs_strbuf *b = ctx;

    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        char *d;
        while (cap < b->len + n + 1)
            cap *= 2;
        d = realloc(b->data, cap);
        if (!d) {
            b->oom = true;
            return;
        }
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void gs_strbuf_append(struct gs_strbuf *b, const char *s, size_t n)
{
    strbuf_write(b, s, n);
}

void gs_strbuf_sink(struct gs_strbuf *b, struct gs_sink *s, bool crlf)
{
    s->write = strbuf_write;
    s->ctx = b;
    s->crlf = crlf;
}

void gs_strbuf_clear(struct gs_strbuf *b)
{
    b->len = 0;
    b->oom = false;
    if (b->data)
        b->data[0] = '\0';
}

void gs_strbuf_free(struct gs_strbuf *b)
{
    free(b->data);
    memset(b, 0, sizeof(*b));
}

static void format_upcall_id(struct gs_upcall_id id, char *buf, size_t n)
{
    snprintf(buf, n, "UpcallId { driver_num: 0x%x, subscribe_num: %u }", (unsigned)id.driver,
             (unsigned)id.subscribe);
}

void gs_format_state(const struct gs_process *p, char *buf, size_t n)
{
    char id[96];
    enum gs_state st = p->state;

    format_upcall_id(p->wait_for, id, sizeof(id));
    if (st == GS_ST_STOPPED) {
        if (p->stopped_prev == GS_ST_YIELDED_FOR)
            snprintf(buf, n, "Stopped(YieldedFor(%s))", id);
        else
            snprintf(buf, n, "Stopped(%s)", gs_state_name(p->stopped_prev));
    } else if (st == GS_ST_YIELDED_FOR) {
        snprintf(buf, n, "YieldedFor(%s)", id);
    } else {
        snprintf(buf, n, "%s", gs_state_name(st));
    }
}

void gs_format_syscall(const uint32_t sc[5], bool profile_22, char *buf, size_t n)
{
    unsigned r0 = sc[1], r1 = sc[2], r2 = sc[3], r3 = sc[4];
    static const char *const allows[] = {
        [3] = "ReadWriteAllow", [4] = "ReadOnlyAllow", [7] = "UserspaceReadableAllow"};

    switch (sc[0]) {
    case 0:
        if (profile_22) /* release-2.2 kernel/src/syscall.rs: Yield { which, param_a, param_b } */
            snprintf(buf, n, "Yield { which: %u, param_a: %u, param_b: %u }", r0, r1, r2);
        else if (r0 == 0)
            snprintf(buf, n, "Yield { yield_type: NoWait { ptr: 0x%x } }", r1);
        else if (r0 == 1)
            snprintf(buf, n, "Yield { yield_type: Wait }");
        else
            snprintf(buf, n,
                     "Yield { yield_type: WaitFor { driver_number: %u, subdriver_number: %u } }",
                     r1, r2);
        break;
    case 1:
        snprintf(buf, n,
                 "Subscribe { driver_number: %u, subdriver_number: %u, upcall_ptr: CapabilityPtr "
                 "{ ptr: 0x%x }, appdata: MachineRegister { value: CapabilityPtr { ptr: 0x%x } } }",
                 r0, r1, r2, r3);
        break;
    case 2:
        snprintf(buf, n, "Command { driver_number: %u, subdriver_number: %u, arg0: %u, arg1: %u }",
                 r0, r1, r2, r3);
        break;
    case 3:
    case 4:
    case 7:
        snprintf(buf, n,
                 "%s { driver_number: %u, subdriver_number: %u, allow_address: 0x%x, "
                 "allow_size: %u }",
                 allows[sc[0]], r0, r1, r2, r3);
        break;
    case 5:
        snprintf(buf, n, "Memop { operand: %u, arg0: %u }", r0, r1);
        break;
    case 6:
        snprintf(buf, n, "Exit { which: %u, completion_code: %u }", r0, r1);
        break;
    default:
        snprintf(buf, n, "None");
        break;
    }
}

static const char *exceeded(uint32_t size, uint32_t allocated)
{
    return size > allocated ? " EXCEEDED!" : "          ";
}

void gs_print_overview(const struct gs_process *p, struct gs_sink *s)
{
    const struct gs_kernel *k = p->k;
    char state[160], last[320];
    uint32_t sram_end = gs_process_mem_end(p);
    uint32_t gptrs = k->grant_count * GS_GRANT_ENTRY_SIZE, upcalls = GS_CALLBACKS_SIZE;
    uint32_t pcb = k->cfg.pcb_size;
    uint32_t pstruct = sram_end - gptrs - upcalls - pcb; /* alignment padding ignored */
    uint32_t fstart = p->app.flash_start, fnp = gs_process_flash_non_protected_start(p);
    uint32_t fend = gs_process_flash_end(p);

    gs_format_state(p, state, sizeof(state));
    gs_sink_printf(s,
                   "\xF0\x9D\x90\x80\xF0\x9D\x90\xA9\xF0\x9D\x90\xA9: %s   -   [%s]"
                   "\r\n Events Queued: %u   Syscall Count: %llu   Dropped Upcall Count: %llu"
                   "\r\n Restart Count: %u\r\n",
                   gs_process_name(p), state, gs_tasks_len(p), (unsigned long long)p->syscall_count,
                   (unsigned long long)p->dropped_upcalls, p->restart_count);
    if (p->has_last_syscall) {
        gs_format_syscall(p->last_syscall, p->k->cfg.profile == GS_PROFILE_2_2, last, sizeof(last));
        gs_sink_printf(s, " Last Syscall: %s\r\n", last);
    } else {
        gs_sink_printf(s, " Last Syscall: None\r\n");
    }
    if (!p->has_completion)
        gs_sink_printf(s, " Completion Code: None\r\n");
    else if (!p->completion_some)
        gs_sink_printf(s, " Completion Code: Faulted\r\n");
    else
        gs_sink_printf(s, " Completion Code: %d\r\n", (int32_t)p->completion_code);

    gs_sink_printf(s,
                   "\r\n"
                   "\r\n ╔═══════════╤══════════════════════════════════════════╗"
                   "\r\n ║  Address  │ Region Name    Used | Allocated (bytes)  ║"
                   "\r\n ╚0x%08X═╪══════════════════════════════════════════╝"
                   "\r\n             \u2502 Grant Ptrs   %6u"
                   "\r\n             \u2502 Upcalls      %6u"
                   "\r\n             \u2502 Process      %6u",
                   (unsigned)sram_end, (unsigned)gptrs, (unsigned)upcalls, (unsigned)pcb);
#define RULE "───────────────────────────────────────────"
    gs_sink_printf(s,
                   "\r\n  0x%08X \u253c" RULE "\r\n             \u2502 \u25bc Grant      %6u"
                   "\r\n  0x%08X \u253c" RULE "\r\n             \u2502 Unused"
                   "\r\n  0x%08X \u253c" RULE,
                   (unsigned)pstruct, (unsigned)(pstruct - p->kernel_break),
                   (unsigned)p->kernel_break, (unsigned)p->app_break);
    if (p->has_heap_start) {
        uint32_t used = p->app_break - p->heap_start, alloc = p->kernel_break - p->heap_start;
        gs_sink_printf(s,
                       "\r\n             \u2502 \u25b2 Heap       %6u | %6u%s     S"
                       "\r\n  0x%08X \u253c" RULE " R",
                       (unsigned)used, (unsigned)alloc, exceeded(used, alloc),
                       (unsigned)p->heap_start);
    } else {
        gs_sink_printf(s,
                       "\r\n             \u2502 \u25b2 Heap            ? |      ?               S"
                       "\r\n  ?????????? \u253c" RULE " R");
    }
    if (p->has_heap_start && p->has_stack_start) {
        uint32_t data = p->heap_start - p->stack_start;
        gs_sink_printf(s, "\r\n             \u2502 Data         %6u | %6u               A",
                       (unsigned)data, (unsigned)data);
    } else {
        gs_sink_printf(s, "\r\n             \u2502 Data              ? |      ?               A");
    }
    if (p->has_stack_start && p->has_stack_min) {
        uint32_t used = p->stack_start - p->stack_min, alloc = p->stack_start - p->memory_start;
        gs_sink_printf(s,
                       "\r\n  0x%08X \u253c" RULE " M"
                       "\r\n             \u2502 \u25bc Stack      %6u | %6u%s",
                       (unsigned)p->stack_start, (unsigned)used, (unsigned)alloc,
                       exceeded(used, alloc));
    } else {
        gs_sink_printf(s, "\r\n  ?????????? \u253c" RULE " M"
                          "\r\n             \u2502 \u25bc Stack           ? |      ?");
    }
    gs_sink_printf(s,
                   "\r\n  0x%08X \u253c" RULE "\r\n             \u2502 Unused"
                   "\r\n  0x%08X \u2534" RULE "\r\n             ....."
                   "\r\n  0x%08X \u252c" RULE " F"
                   "\r\n             \u2502 App Flash    %6u                        L"
                   "\r\n  0x%08X \u253c" RULE " A"
                   "\r\n             \u2502 Protected    %6u                        S"
                   "\r\n  0x%08X \u2534" RULE " H\r\n",
                   (unsigned)(p->has_stack_min ? p->stack_min : 0), (unsigned)p->memory_start,
                   (unsigned)fend, (unsigned)(fend - fnp), (unsigned)fnp, (unsigned)(fnp - fstart),
                   (unsigned)fstart);
#undef RULE
}

void gs_print_context(const struct gs_process *p, struct gs_sink *s)
{
    const struct gs_stored_state *st = &p->ss;
    uint32_t f[8];
    bool bad = st->psp < p->memory_start || (uint64_t)st->psp + 32 > p->app_break;
    uint32_t xpsr, ici;

    for (unsigned i = 0; i < 8; i++)
        f[i] = bad ? 0xBAD00BAD : gs_kload32(p->k, st->psp + 4 * i);
    gs_sink_printf(s,
                   "\r\n  R0 : 0x%08X    R6 : 0x%08X"
                   "\r\n  R1 : 0x%08X    R7 : 0x%08X"
                   "\r\n  R2 : 0x%08X    R8 : 0x%08X"
                   "\r\n  R3 : 0x%08X    R10: 0x%08X"
                   "\r\n  R4 : 0x%08X    R11: 0x%08X"
                   "\r\n  R5 : 0x%08X    R12: 0x%08X"
                   "\r\n  R9 : 0x%08X (Static Base Register)"
                   "\r\n  SP : 0x%08X (Process Stack Pointer)"
                   "\r\n  LR : 0x%08X"
                   "\r\n  PC : 0x%08X"
                   "\r\n YPC : 0x%08X"
                   "\r\n",
                   f[0], st->regs[2], f[1], st->regs[3], f[2], st->regs[4], f[3], st->regs[6],
                   st->regs[0], st->regs[7], st->regs[1], f[4], st->regs[5], st->psp, f[5], f[6],
                   st->yield_pc);
    xpsr = f[7];
    gs_sink_printf(s, "\r\n APSR: N %u Z %u C %u V %u Q %u\r\n       GE %u %u %u %u",
                   (xpsr >> 31) & 1, (xpsr >> 30) & 1, (xpsr >> 29) & 1, (xpsr >> 28) & 1,
                   (xpsr >> 27) & 1, (xpsr >> 19) & 1, (xpsr >> 18) & 1, (xpsr >> 17) & 1,
                   (xpsr >> 16) & 1);
    ici = (((xpsr >> 25) & 3) << 6) | ((xpsr >> 10) & 0x3F);
    gs_sink_printf(s, "\r\n EPSR: ICI.IT 0x%02x\r\n       ThumbBit %s %s\r\n", ici,
                   ((xpsr >> 24) & 1) ? "true" : "false",
                   ((xpsr >> 24) & 1) ? "" : "!!ERROR - Cortex M Thumb only!");
}

void gs_print_mpu_config(const struct gs_mpu_config *cfg, struct gs_sink *s)
{
    gs_sink_printf(s, "\r\n Cortex-M MPU");
    for (unsigned i = 0; i < cfg->num_regions; i++) {
        const struct gs_mpu_region *r = &cfg->regions[i];
        unsigned ap = gs_rasr_ap(r->rasr), srd = gs_rasr_srd(r->rasr);
        uint32_t sub = r->size / 8;
        if (!r->used) {
            gs_sink_printf(s, "\r\n  Region %u: Unused", i);
            continue;
        }
        gs_sink_printf(s, "\r\n  Region %u: [0x%08X:0x%08X], length: %u bytes; %s (0x%x)", i,
                       (unsigned)r->start, (unsigned)(r->start + r->size), (unsigned)r->size,
                       gs_pmsav7_ap_name(ap), ap);
        for (unsigned j = 0; j < 8; j++)
            gs_sink_printf(s, "\r\n    Sub-region %u: [0x%08X:0x%08X], %s", j,
                           (unsigned)(r->start + j * sub), (unsigned)(r->start + (j + 1) * sub),
                           (srd >> j) & 1 ? "Disabled" : "Enabled");
    }
    gs_sink_printf(s, "\r\n");
}

void gs_print_full_process(const struct gs_process *p, struct gs_sink *s)
{
    unsigned g = p->k->grant_count, rows = (g + 2) / 3;

    gs_print_context(p, s);
    gs_sink_printf(s, "\r\n Total number of grant regions defined: %u\r\n", g);
    for (unsigned i = 0; i < rows; i++) {
        for (unsigned j = 0; j < 3; j++) {
            unsigned idx = i + rows * j;
            uint32_t d, ptr;
            if (idx >= g)
                break;
            gs_process_grant_entry(p, idx, &d, &ptr);
            if (ptr == 0)
                gs_sink_printf(s, "  Grant %2u : --        ", idx);
            else
                gs_sink_printf(s, "  Grant %2u 0x%x: 0x%x", idx, (unsigned)d, (unsigned)ptr);
        }
        gs_sink_printf(s, "\r\n");
    }
    if (p->has_mpu_config)
        gs_print_mpu_config(&p->mpu_cfg, s);
    if (p->app.has_fixed_flash)
        gs_sink_printf(s,
                       "\r\nTo debug libtock-c apps, run `make lst` in the app's"
                       "\r\nfolder and open the arch.0x%x.0x%x.lst file.\r\n\r\n",
                       (unsigned)p->app.fixed_flash,
                       (unsigned)(p->app.has_fixed_ram ? p->app.fixed_ram : 0));
    else
        gs_sink_printf(s,
                       "\r\nTo debug libtock-c apps, run"
                       "\r\n`make debug RAM_START=0x%x FLASH_INIT=0x%x`"
                       "\r\nin the app's folder and open the .lst file.\r\n\r\n",
                       (unsigned)p->memory_start, (unsigned)gs_process_init_pc(p));
}

/* Labels of print_cortexm_state, padded as upstream pads them. */
static const struct {
    unsigned shift; /* bit in CFSR (0..31) or, with hfsr set, in HFSR */
    bool hfsr;
    const char *label;
} fault_bits[] = {
    {0, false, "Instruction Access Violation:       "},
    {1, false, "Data Access Violation:              "},
    {3, false, "Memory Management Unstacking Fault: "},
    {4, false, "Memory Management Stacking Fault:   "},
    {5, false, "Memory Management Lazy FP Fault:    "},
    {8, false, "Instruction Bus Error:              "},
    {9, false, "Precise Data Bus Error:             "},
    {10, false, "Imprecise Data Bus Error:           "},
    {11, false, "Bus Unstacking Fault:               "},
    {12, false, "Bus Stacking Fault:                 "},
    {13, false, "Bus Lazy FP Fault:                  "},
    {16, false, "Undefined Instruction Usage Fault:  "},
    {17, false, "Invalid State Usage Fault:          "},
    {18, false, "Invalid PC Load Usage Fault:        "},
    {19, false, "No Coprocessor Usage Fault:         "},
    {24, false, "Unaligned Access Usage Fault:       "},
    {25, false, "Divide By Zero:                     "},
    {1, true, "Bus Fault on Vector Table Read:     "},
    {30, true, "Forced Hard Fault:                  "},
};

void gs_print_cortexm_state(const struct gs_fault *f, struct gs_sink *s)
{
    gs_sink_printf(s, "\r\n---| Cortex-M Fault Status |---\r\n");
    for (unsigned i = 0; i < sizeof(fault_bits) / sizeof(fault_bits[0]); i++) {
        uint32_t reg = fault_bits[i].hfsr ? f->hfsr : f->cfsr;
        if ((reg >> fault_bits[i].shift) & 1)
            gs_sink_printf(s, "%strue\r\n", fault_bits[i].label);
    }
    if (f->cfsr & 0x80)
        gs_sink_printf(s, "Faulting Memory Address:            0x%08X\r\n", (unsigned)f->mmfar);
    if (f->cfsr & 0x8000)
        gs_sink_printf(s, "Bus Fault Address:                  0x%08X\r\n", (unsigned)f->bfar);
    if (f->cfsr == 0 && f->hfsr == 0) {
        gs_sink_printf(s, "No Cortex-M faults detected.\r\n");
    } else {
        gs_sink_printf(s, "Fault Status Register (CFSR):       0x%08X\r\n", (unsigned)f->cfsr);
        gs_sink_printf(s, "Hard Fault Status Register (HFSR):  0x%08X\r\n", (unsigned)f->hfsr);
    }
}

static const char *fault_kind_text(enum gs_fault_kind k)
{
    switch (k) {
    case GS_FAULT_DATA_READ:
        return "data read refused by the MPU";
    case GS_FAULT_DATA_WRITE:
        return "data write refused by the MPU";
    case GS_FAULT_EXEC:
        return "instruction fetch refused by the MPU";
    case GS_FAULT_STACKING:
        return "exception entry could not stack the frame";
    case GS_FAULT_UNSTACKING:
        return "exception return could not unstack the frame";
    case GS_FAULT_UNDEFINED:
        return "undefined instruction";
    case GS_FAULT_INVALID_STATE:
        return "invalid state (no Thumb bit)";
    case GS_FAULT_BKPT:
        return "breakpoint";
    case GS_FAULT_BAD_STACK:
        return "stack pointer outside the process's memory (kernel check)";
    case GS_FAULT_BAD_SYSCALL:
        return "undecodable system call";
    default:
        return "fault";
    }
}

void gs_print_fault_report(const struct gs_process *p, struct gs_sink *s)
{
    const struct gs_fault *f = &p->last_fault;

    if (!p->has_fault) {
        gs_sink_printf(s, "Process %s has not faulted.\r\n", gs_process_name(p));
        return;
    }
    gs_sink_printf(s, "Process %s faulted: %s", gs_process_name(p), fault_kind_text(f->kind));
    if (f->addr_valid || f->kind == GS_FAULT_BAD_STACK || f->kind == GS_FAULT_EXEC)
        gs_sink_printf(s, " at 0x%08X", (unsigned)f->addr);
    gs_sink_printf(s, ", instruction 0x%08X%s\r\n", (unsigned)f->pc,
                   f->pc_ambiguous ? " (ambiguous: another instruction of its block may be it)"
                                   : "");
    gs_print_cortexm_state(f, s);
    gs_sink_printf(s, "\r\n---| App Status |---\r\n");
    gs_print_overview(p, s);
    gs_print_full_process(p, s);
}
