/* SPDX-License-Identifier: MIT */
/*
 * printer.h - upstream's process printouts, byte for byte (TOCK-REFERENCE
 * 7.2, 7.3): the memory-map overview of capsules/system/src/process_printer.rs
 * (ProcessPrinterText::print_overview), the full dump of
 * ProcessStandard::print_full_process with the Cortex-M print_context, and
 * the CortexMConfig Display of the MPU.
 *
 * Output goes to a sink. Upstream ends every line with "\r\n"; a sink with
 * crlf = false drops the '\r' for terminals and diffs.
 */
#ifndef GS_PRINTER_H
#define GS_PRINTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpu.h"
#include "process.h"

struct gs_sink {
    void (*write)(void *ctx, const char *s, size_t n);
    void *ctx;
    bool crlf;
};

/* printf into a sink (honouring crlf). */
void gs_sink_printf(struct gs_sink *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A sink that appends to a growing heap string (for tests and JSON). */
struct gs_strbuf {
    char *data;
    size_t len, cap;
    bool oom;
};
void gs_strbuf_sink(struct gs_strbuf *b, struct gs_sink *s, bool crlf);
void gs_strbuf_append(struct gs_strbuf *b, const char *s, size_t n);
void gs_strbuf_free(struct gs_strbuf *b);
/* Empties the buffer, keeping its memory. */
void gs_strbuf_clear(struct gs_strbuf *b);

/* Debug form of the process state ("Yielded", "YieldedFor(UpcallId { ... })"). */
void gs_format_state(const struct gs_process *p, char *buf, size_t n);

/*
 * Debug form of a decoded syscall as upstream's derived Debug prints it;
 * sc = {class, r0, r1, r2, r3}. The 2.2 profile prints Yield the way
 * release-2.2 declared it (`Yield { which, param_a, param_b }`).
 */
void gs_format_syscall(const uint32_t sc[5], bool profile_22, char *buf, size_t n);

/*
 * print_cortexm_state (arch/cortex-m/src/lib.rs, TOCK-REFERENCE 7.1) for the
 * fault status a fault latched: one line per set bit, the fault address,
 * then CFSR and HFSR (or "No Cortex-M faults detected.").
 */
void gs_print_cortexm_state(const struct gs_fault *f, struct gs_sink *s);

/*
 * A fault report: what faulted and where (grantsim's first line, with the
 * exact faulting instruction), the Cortex-M fault status, then upstream's
 * overview and full process dump (the panic output's App Status part).
 */
void gs_print_fault_report(const struct gs_process *p, struct gs_sink *s);

/* The memory-map overview (7.2). */
void gs_print_overview(const struct gs_process *p, struct gs_sink *s);

/* The register block of the Cortex-M print_context (7.3). */
void gs_print_context(const struct gs_process *p, struct gs_sink *s);

/* CortexMConfig Display: "\r\n Cortex-M MPU" and every region. */
void gs_print_mpu_config(const struct gs_mpu_config *cfg, struct gs_sink *s);

/* print_full_process (7.3): context, grant table, MPU, debug hint. */
void gs_print_full_process(const struct gs_process *p, struct gs_sink *s);

#endif
