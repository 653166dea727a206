/* SPDX-License-Identifier: MIT */
/*
 * fuzz-syscalls: multi-process syscall sequences through the kernel loop
 * (gs_kernel_run) with the fake arch and every board capsule. The input is
 * a program (decoder.h, mode GS_PROG_SYSCALLS): 1-4 processes, each a script
 * of up to 48 actions of every syscall class, with bad buffers, bad upcall
 * pointers, brk/sbrk, exits, yields (valid and not), faults and spins;
 * inline or trapping svc handling, both profiles, fault injection.
 * Oracles: every kernel oracle with check_invariants on, a final quiescent
 * check with the shadow map, the harness's contracts (harness.h), ASan/UBSan.
 */
#include "fuzz.h"
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct gs_prog prog;
    struct gs_fz_watch w;

    if (gs_prog_decode(data, size, GS_PROG_SYSCALLS, &prog) != 0)
        return 0;
    gs_fz_watch_init_env(&w, true);
    gs_fz_fuzz_prog(&prog, &w);
    return 0;
}
