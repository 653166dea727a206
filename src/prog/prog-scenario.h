/* SPDX-License-Identifier: MIT */
/*
 * prog-scenario.h - a decoded fuzz program (decoder.h) as a scenario file
 * (scenarios/README.md): the same board and capsules, each process a script
 * of the same syscalls with the same arguments, on the Cortex-M machine.
 *
 * This is what fuzz-machine runs (so a machine finding replays from its
 * scenario by construction) and what `grantsim repro` writes for every
 * kernel target.
 *
 * The translation, action by action:
 *   svc #n, r0..r3     a "raw" step of class n with the same registers;
 *                      arguments keep their meaning relative to the process:
 *                      mem -> {"ram"}, end -> {"end"}, kbrk -> {"end"} minus
 *                      the kernel's initial objects, procN -> {"ram", "of"},
 *                      app -> {"flash"}, flash -> {"tbf"}, flash_end ->
 *                      {"tbf_end"}, upcall N -> {"upcall": N % 8}, name N ->
 *                      {"data": 32 N} (the names table is the script's
 *                      data, when a step uses it)
 *   spin n             "spin" of ceil(n / 4) loops (4 instructions each)
 *   fault (kind, addr) a store (data write) or a load (every other kind) at
 *                      the address: the machine faults only if the MPU says so
 *   set-sp             dropped (a script cannot move its stack pointer)
 * Processes record nothing ("record": false: only their first 32 bytes are
 * the interpreter's), so the program's buffers keep their addresses, and
 * yield forever after the last step, as the fake arch's processes do.
 *
 * What differs from a run on the fake arch (fuzz-syscalls, fuzz-ipc), so a
 * core-level finding may not replay on the machine, and the repro tool says
 * so: time is real instructions, not the fake's counts; the run is one
 * gs_kernel_run with the board's timeslice, not 4000-instruction chunks;
 * kept-full task queues ("prefill") are not reproduced; the flash layout of
 * scripts differs (their TBFs, not the fake's 8 KiB slots); empty or
 * repeated package names get unique scenario names and keep their package
 * name in "package_name". Both boards skip a process they cannot create
 * and go on with the next, as upstream's loader does.
 */
#ifndef GS_PROG_SCENARIO_H
#define GS_PROG_SCENARIO_H

#include <jansson.h>

#include "decoder.h"

/*
 * Every process's TBF has this protected region ("protected_size"): its
 * image, the interpreter's code, starts at the same offset whatever the
 * length of its package name, and every script's TBF is 4 KiB, so a
 * process's code sits at the same flash address from input to input. Only
 * data changes between inputs then (UNICORN-NOTES.md: retranslating code
 * per input is slow and eventually crashes Unicorn 2.0.1).
 */
#define GS_PROG_PROTECTED_SIZE 0x100u

/* Instructions a machine run of a program may take (the fake arch's budget, prog-run.h). */
#define GS_PROG_SCENARIO_BUDGET 200000u

/*
 * The scenario for program p (a new JSON object; NULL on host OOM).
 * notes: give each step a "note" saying which action it was; notes are for
 * a reader of the reproducer (the loader checks they are strings and keeps
 * nothing), so runs (fuzz-machine, repro's minimizing runs) leave them out.
 * description: the text of its "description" (NULL: a generic one).
 * findings: ids for "expect.findings" (n of them; may be 0).
 */
json_t *gs_prog_scenario(const struct gs_prog *p, bool notes, const char *description,
                         const char *const *findings, unsigned n);

/* Writes gs_prog_scenario(p, true, NULL, NULL, 0) to f, indented. Errors: GS_E_NOMEM_HOST, GS_E_ARG (I/O). */
int gs_prog_write_scenario(const struct gs_prog *p, FILE *f);

#endif
