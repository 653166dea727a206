/* SPDX-License-Identifier: MIT */
/*
 * fuzz-ipc: IPC interleavings across 2-4 processes. The input is a program
 * (decoder.h, mode GS_PROG_IPC) whose scripts are mostly IPC: discover by
 * name (right, wrong and prefix names), share buffers (RW allow on the IPC
 * driver with any target index), notify service and client, subscribe to
 * IPC upcalls, yield variants, sleeps that hand the CPU over, and restarts
 * and exits mid-exchange; small timeslices interleave the processes. The
 * buffers shared become MPU regions in the target's config, which the
 * isolation oracle checks against every process's app memory.
 */
#include "fuzz.h"
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct gs_prog prog;
    struct gs_fz_watch w;

    if (gs_prog_decode(data, size, GS_PROG_IPC, &prog) != 0)
        return 0;
    gs_fz_watch_init_env(&w, true);
    gs_fz_fuzz_prog(&prog, &w);
    return 0;
}
