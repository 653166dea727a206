/* SPDX-License-Identifier: MIT */
/*
 * allow_brk: the allow high-water mark (tock#1141, fixed by PR #1144; tock
 * kernel/src/process_standard.rs brk). Once a heap buffer has been allowed
 * read-write, brk may never go below its end again, even after the buffer
 * is withdrawn; only a restart resets the mark.
 *
 * Uses RW allow 0 of the test capsule (0x90000). Offsets are printed
 * relative to the initial break (`heap`). Exit code 0 if every step gave the
 * expected answer, else the number of the first step that did not.
 */
#include "console.h"
#include "tock.h"

static int step_no;
static int first_bad;

/* Prints one step: what was asked, what came back, what was expected. */
static void step(const char *what, int got, int want)
{
    step_no++;
    printf("allow_brk: %d %s: %s (expected %s)\n", step_no, what, tock_strerror(got),
           tock_strerror(want));
    if (got != want && first_bad == 0) {
        first_bad = step_no;
    }
}

int main(void)
{
    uint32_t heap = 0;
    uint32_t now = 0;
    int st = tock_sbrk(0, &heap);
    if (st != TOCK_OK) {
        printf("allow_brk: sbrk(0) failed: %s\n", tock_strerror(st));
        return 100;
    }
    uint8_t *buf = (uint8_t *)(heap + 128);
    const uint32_t len = 128; /* the buffer is [heap+128, heap+256) */

    step("brk(heap+512)", tock_brk((void *)(heap + 512)), TOCK_OK);
    step("allow_rw(0x90000, 0, heap+128, 128)", tock_allow_rw(DRIVER_TESTCAP, 0, buf, len).status,
         TOCK_OK);
    step("brk(heap+192), below the buffer end", tock_brk((void *)(heap + 192)), TOCK_ENOMEM);
    st = tock_sbrk(0, &now);
    step("break unchanged after the refused brk", st == TOCK_OK && now == heap + 512 ? 0 : -1,
         TOCK_OK);
    step("brk(heap+256), at the buffer end", tock_brk((void *)(heap + 256)), TOCK_OK);
    step("brk(heap+260), just above it", tock_brk((void *)(heap + 260)), TOCK_OK);
    tock_swap_t sw = tock_allow_rw(DRIVER_TESTCAP, 0, NULL, 0);
    step("un-allow returns the buffer",
         sw.status == TOCK_OK && sw.ptr == (uint32_t)buf && sw.val == len ? 0 : -1, TOCK_OK);
    step("brk(heap+192) after the un-allow", tock_brk((void *)(heap + 192)), TOCK_ENOMEM);
    step("brk(heap+256) after the un-allow", tock_brk((void *)(heap + 256)), TOCK_OK);

    printf("allow_brk: %s\n", first_bad == 0 ? "PASS" : "FAIL");
    return first_bad;
}
