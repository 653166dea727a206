/* SPDX-License-Identifier: MIT */
/*
 * bare_bones: no runtime at all, like libtock-c's examples/tests/bare_bones.
 * Its own _start (first in .text) does one Yield-Wait. Nothing ever
 * subscribes, so on a faithful kernel that yield never returns and the
 * process stays Yielded. Should it return, `udf` faults at once.
 * The ELF has no .got, .data or .bss: the crt0 header's sizes are all 0
 * and the relocation block after the image is just len = 0.
 */
void _start(void);

__attribute__((section(".start"), naked, noreturn, used)) void _start(void)
{
    __asm__ volatile("movs r0, #1 \n" /* Yield-Wait */
                     "svc  0      \n"
                     "udf  #0     \n");
}
