/* SPDX-License-Identifier: MIT */
/*
 * Process entry for grantsim apps, with the entry ABI of libtock-c
 * (libtock/crt0.c at 497ea7cf; TOCK-REFERENCE 11.1).
 *
 * The kernel starts the process at _start with (tock
 * kernel/src/process_standard.rs create/reset):
 *   r0 = app_start   first byte of the flash image = the crt0 header
 *   r1 = mem_start   start of the process RAM block
 *   r2 = memory_len  whole block, kernel-owned grant region included
 *   r3 = app_break   mem_start + 32 on Cortex-M; also sp
 */
#include "console.h"
#include "tock.h"

/* The ten words at app_start, written by app.ld's .crt0_header (field order as
 * in libtock-c's `struct hdr`). *_sym_start and reldata_start are offsets
 * from app_start; *_start offsets from mem_start.
 *
 *   0 got_sym_start   4 got_start    8 got_size
 *  12 data_sym_start 16 data_start  20 data_size
 *  24 bss_start      28 bss_size
 *  32 reldata_start  36 stack_size
 */
struct crt0_header {
    uint32_t got_sym_start;
    uint32_t got_start;
    uint32_t got_size;
    uint32_t data_sym_start;
    uint32_t data_start;
    uint32_t data_size;
    uint32_t bss_start;
    uint32_t bss_size;
    uint32_t reldata_start;
    uint32_t stack_size;
};

_Static_assert(sizeof(struct crt0_header) == 40, "crt0 header is 10 words");

/* Link-time addresses with this bit set are in flash (app.ld FLASH origin). */
#define FLASH_MARK 0x80000000u

int main(void);
void _start(void);
_Noreturn void _c_start_pic(uint32_t app_start, uint32_t mem_start);

/*
 * Entry. Registers (r0-r3 as above):
 *   r4 = stack top = (mem_start + stack_size + 7) & ~7   (AAPCS 8-byte sp)
 *   r5 = initial break = mem_start + bss_start + bss_size (.bss is last)
 *   r6 = app_start, r7 = mem_start (callee-saved across the svcs)
 * Until the brk below succeeds only [mem_start, mem_start + 32) is
 * accessible, so sp stays where the kernel put it unless the kernel already
 * gave us at least the break we want. The brk result is not checked, as in
 * libtock-c: if it failed, the first push on the new stack faults.
 * Then memop 10/11 report the stack and heap starts, r9 becomes the GOT's RAM
 * address (the PIC base, -mpic-register=r9), and C startup runs.
 */
__attribute__((section(".start"), naked, noreturn, weak, used)) void _start(void)
{
    __asm__ volatile("ldr   r4, [r0, #36]   \n" /* stack_size */
                     "adds  r4, r4, r1      \n"
                     "adds  r4, r4, #7      \n"
                     "bic   r4, r4, #7      \n" /* r4 = stack top */
                     "ldr   r5, [r0, #24]   \n" /* bss_start */
                     "ldr   r6, [r0, #28]   \n" /* bss_size */
                     "adds  r5, r5, r6      \n"
                     "adds  r5, r5, r1      \n" /* r5 = initial break */
                     "mov   r6, r0          \n"
                     "mov   r7, r1          \n"
                     "cmp   r5, r3          \n"
                     "bhi   1f              \n" /* break not yet ours: keep sp */
                     "mov   sp, r4          \n"
                     "1:                    \n"
                     "movs  r0, #0          \n" /* memop 0: brk(r5) */
                     "mov   r1, r5          \n"
                     "svc   5               \n"
                     "mov   sp, r4          \n"
                     "movs  r0, #10         \n" /* memop 10: stack start */
                     "mov   r1, r4          \n"
                     "svc   5               \n"
                     "movs  r0, #11         \n" /* memop 11: heap start */
                     "mov   r1, r5          \n"
                     "svc   5               \n"
                     "ldr   r0, [r6, #4]    \n" /* got_start */
                     "add   r0, r0, r7      \n"
                     "mov   r9, r0          \n"
                     "mov   r0, r6          \n"
                     "mov   r1, r7          \n"
                     "bl    _c_start_pic    \n"
                     "udf   #0              \n");
}

/* Rebases one link-time address: flash addresses move to app_start, RAM
 * addresses to mem_start. */
static inline uint32_t rebase(uint32_t v, uint32_t app_start, uint32_t mem_start)
{
    return (v & FLASH_MARK) ? (v ^ FLASH_MARK) + app_start : v + mem_start;
}

/*
 * C startup (libtock/crt0.c _c_start_pic): GOT into RAM with every entry
 * rebased, .data copied, .bss zeroed, then the .rel.data fixups the loader
 * appended after the flash image. That block is `u32 len` (in BYTES) and then
 * len/8 Elf32_Rel pairs (r_offset, r_info); only r_offset is used (a RAM
 * offset of a word to rebase), the type is ignored: the linker emits only
 * R_ARM_ABS32 for .data. It runs before the GOT is valid, so it touches no
 * global; memcpy/memset calls are PC-relative.
 */
__attribute__((used, noreturn)) void _c_start_pic(uint32_t app_start, uint32_t mem_start)
{
    const struct crt0_header *h = (const struct crt0_header *)app_start;

    const uint32_t *got_image = (const uint32_t *)(app_start + h->got_sym_start);
    uint32_t *got = (uint32_t *)(mem_start + h->got_start);
    for (uint32_t i = 0; i < h->got_size / 4; i++) {
        got[i] = rebase(got_image[i], app_start, mem_start);
    }

    memcpy((void *)(mem_start + h->data_start), (const void *)(app_start + h->data_sym_start),
           h->data_size);
    memset((void *)(mem_start + h->bss_start), 0, h->bss_size);

    const uint32_t *rel = (const uint32_t *)(app_start + h->reldata_start);
    uint32_t words = rel[0] / 4;
    for (uint32_t i = 0; i < words; i += 2) {
        uint32_t *target = (uint32_t *)(mem_start + rel[1 + i]);
        *target = rebase(*target, app_start, mem_start);
    }

    exit(main());
}
