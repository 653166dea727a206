#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the hand-made seed inputs of every fuzz target into fuzz/seeds/<target>/.

The kernel targets' inputs are encoded here by value: each action names the
values it wants and this script finds their menu indices, mirroring the
tables of src/prog/decoder.c (keep the two in step: a seed that decodes to
something else still works as a seed, but not as the program described
here). Run it from anywhere; it rewrites the files it owns and prints them.

    fuzz/make-seeds.py [--elf-dir BUILD/apps]

With --elf-dir, the loader's seeds also get two real app ELFs (hello,
bare_bones) as built by apps/meson.build.
"""
import os
import shutil
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
LIT = None  # the last entry of every menu: a literal u32 follows

# ---- menus of src/prog/decoder.c (same order) ----
M32 = 0xFFFFFFFF


def neg(x):
    return (-x) & M32


MIN_RAM = [0, 32, 64, 256, 500, 512, 0, 100, 700, 740, 1000, 768, 1500, 2048, 4096, 8192]
TIMESLICE = [640000, 10000, 2000, 500]
DRIVER = [0x0, 0x1, 0x2, 0x8, 0x40001, 0x10000, 0x90000, 0x90000, 0x90000, 0x10000, 0x1, 0x0,
          0x777, 0x90001, 0xFFFFFFFF, LIT]
SMALL = [0, 0, 1, 1, 2, 3, 4, 5, 7, 8, 15, 16, 255, 256, 0xFFFFFFFE, LIT]
LEN = [0, 1, 4, 0x10, 0x20, 0x1F, 0x21, 0x40, 0x100, 0xFF, 0x101, 0x400, 0x1000, 0xFFFFFFF0,
       0x80000000, LIT]
CMD = [0, 1, 1, 2, 2, 3, 4, 5, 5, 6, 6, 7, 8, 9, 99, LIT]
VAL = [0, 1, 2, 3, 4, 8, 12, 16, 0x100, 0x7FFFFFFF, 0xFFFFFFFE, 0xFFFFFFFC, 0x80000000, LIT]
MEMOP = [0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, LIT]
SBRK = [0, 32, neg(32), 256, neg(256), 1024, neg(1024), 4096, 0x7FFFFFFF, 0x80000000, neg(1), 1,
        4, neg(4), 0x40, LIT]
BRK = [0x20, 0x40, 0x100, 0x200, 0x400, 0x800, 0xC00, 0x1000, 0x2000, 0, 0x1F, 0x21, 0x3E0,
       0x600, 0x4000, LIT]
OFF = [0, 4, 0x10, 0x40, 0x100, 0x200, 0x3F0, 0x400, neg(1), neg(4), neg(0x10), neg(0x20),
       neg(0x40), neg(0x100), 0x20, LIT]
EXIT = [0, 1, 1, 2, 0xFFFFFFFE, LIT]
BAD_YIELD = [3, 4, 0xFFFFFFFE, LIT]
TARGET = [0, 1, 2, 3, 4, 5, 0xFFFFFFFE, LIT]
DT = [0, 1, 2, 10, 100, 1000, 0xFFFFFFF0, LIT]
POLICY = ["stop", "stop-debug", "restart", "restart-debug", "restart", "threshold", "threshold",
          "stop"]

BIG_COUNTS = [5, 6, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 127, 128, 129, 200, 250, 251,
              252, 253, 254, 255, 255, 255, 3, 2, 1, 0, 4]


def count(n):
    """The byte gs_prog_count_menu turns into n."""
    return n if n < 5 else 0xE0 + BIG_COUNTS.index(n)


SYSCALLS_TABLE = [
    "yield-nowait", "yield-wait", "yield-wait", "yield-for", "yield-bad", "subscribe",
    "subscribe", "subscribe", "command", "command", "command", "command", "command", "command",
    "rw-allow", "rw-allow", "rw-allow", "ro-allow", "ro-allow", "ur-allow", "brk", "brk", "sbrk",
    "memop", "exit", "spin", "fault", "set-sp", "bad-svc", "sleep", "notify-svc", "discover"]
IPC_TABLE = [
    "ipc-subscribe", "ipc-subscribe", "ipc-subscribe", "ipc-share", "ipc-share", "ipc-share",
    "ipc-share", "notify-svc", "notify-svc", "notify-svc", "notify-svc", "notify-cli",
    "notify-cli", "notify-cli", "discover", "discover", "yield-wait", "yield-wait", "yield-wait",
    "yield-for", "yield-nowait", "sleep", "sleep", "restart", "restart", "exit", "brk", "brk",
    "spin", "fault", "command", "ipc-command"]


def sel(menu, value):
    """The bytes that make gs_fz_menu return value (the last entry means a literal)."""
    if value in menu[:-1]:
        return bytes([menu.index(value)])
    return bytes([len(menu) - 1]) + struct.pack("<I", value & M32)


BASES = {"mem": 0, "brk": 2, "kbrk": 4, "end": 5, "proc": 6, "app": 7, "flash": 8,
         "flash_end": 9, "abs": 10, "name": 12}


def ptr(base, off=0, proc=0):
    """pick_ptr: (base, offset); 'brk' is relative to the break the script asked for."""
    s = BASES[base]
    if base == "proc":
        s |= (proc & 3) << 4
    if base == "name":
        s |= (off & 7) << 4
        return bytes([s]) + sel(OFF, 0)
    return bytes([s]) + sel(OFF, off & M32)


def val(v):
    """pick_val for a plain number."""
    if v in VAL[:-1]:
        return bytes([VAL.index(v)])
    if v < 256:
        return bytes([0xE0, v])
    return bytes([len(VAL) - 1]) + struct.pack("<I", v)


def fn(kind, i=0):
    """pick_fn: 'null', 'upcall' (entry i), 'header' (invalid), 'nothumb'."""
    return bytes([{"null": 0, "upcall": 1 | (i << 3), "header": 4, "nothumb": 7}[kind]])


class Script:
    def __init__(self, mode="syscalls"):
        self.table = SYSCALLS_TABLE if mode == "syscalls" else IPC_TABLE
        self.acts = []  # (bytes, actions it expands to)

    def op(self, kind, body=b"", n=1):
        self.acts.append((bytes([self.table.index(kind)]) + body, n))
        return self

    # syscalls
    def yield_nowait(self, base="mem", off=0):
        return self.op("yield-nowait", ptr(base, off))

    def yield_wait(self):
        return self.op("yield-wait")

    def yield_for(self, driver, sub):
        return self.op("yield-for", sel(DRIVER, driver) + sel(SMALL, sub))

    def yield_bad(self, v):
        return self.op("yield-bad", sel(BAD_YIELD, v))

    def subscribe(self, driver, sub, f, appdata=0):
        return self.op("subscribe", sel(DRIVER, driver) + sel(SMALL, sub) + f + bytes([appdata]))

    def command(self, driver, cmd, a0=0, a1=0):
        return self.op("command", sel(DRIVER, driver) + sel(CMD, cmd) + val(a0) + val(a1))

    def allow(self, kind, driver, num, p, length):
        return self.op(kind + "-allow", sel(DRIVER, driver) + sel(SMALL, num) + p + sel(LEN, length))

    def brk(self, off, rel="mem"):
        s = {"kbrk": 0, "end": 1, "mem": 2}[rel]
        return self.op("brk", bytes([s]) + sel(BRK, off))

    def sbrk(self, inc):
        return self.op("sbrk", sel(SBRK, inc & M32))

    def memop(self, op, arg=b""):
        return self.op("memop", sel(MEMOP, op) + arg)

    def exit(self, variant, code=0):
        return self.op("exit", sel(EXIT, variant) + bytes([code]))

    def restart(self, code=0):
        return self.op("restart", bytes([code]))

    def spin(self, n):
        return self.op("spin", bytes([max(0, n // 8 - 1)]))

    def fault(self, kind, base="mem", off=0):
        return self.op("fault", bytes([kind - 1]) + ptr(base, off))

    def set_sp(self, base, off=0):
        return self.op("set-sp", ptr(base, off))

    def bad_svc(self, n):
        return self.op("bad-svc", bytes([n - 8]))

    def sleep(self, dt=1):
        return self.op("sleep", sel(DT, dt), 2)

    def notify(self, target, client=False):
        return self.op("notify-cli" if client else "notify-svc", sel(TARGET, target))

    def discover(self, name):
        return self.op("discover", bytes([name]), 2)

    # IPC mode
    def ipc_subscribe(self, target, entry=1, appdata=0):
        return self.op("ipc-subscribe", sel(TARGET, target) + fn("upcall", entry) + bytes([appdata]))

    def ipc_share(self, target, off, length):
        """A buffer at mem + off: a 16-byte multiple below 0x400 has its own short form; any
        other offset (unaligned, or far) takes pick_ptr's form."""
        if off % 16 == 0 and off < 0x400:
            return self.op("ipc-share", bytes([off // 16]) + sel(TARGET, target) + sel(LEN, length))
        return self.op("ipc-share", bytes([0xC0]) + sel(TARGET, target) + ptr("mem", off) + sel(LEN, length))

    def ipc_command(self, cmd, a0=0, a1=0):
        return self.op("ipc-command", sel(CMD, cmd) + val(a0) + val(a1))


def program(procs, profile="head", trap=False, slots4=False, mpu16=False, timeslice=640000,
            t_align=8, t_units=2, counts=(2, 2, 2), inject_grant=0, inject_mpu=0):
    """procs: list of (Script, min_ram, policy, name index, keep queue full).
    The test capsule's T is t_units (0..3) x t_align bytes."""
    nprocs = len(procs)
    f = (1 if profile == "2.2" else 0) | (2 if trap else 0) | ((max(nprocs, 1) - 1) << 2)
    f |= (0x10 if slots4 else 0) | (0x20 if mpu16 else 0) | (TIMESLICE.index(timeslice) << 6)
    log2 = t_align.bit_length() - 1
    out = bytes([f, log2 | (t_units << 4)])
    out += bytes(count(c) for c in counts)
    out += bytes([inject_grant | (inject_mpu << 4)])
    for script, ram, policy, name, full in procs:
        out += bytes([MIN_RAM.index(ram) | (POLICY.index(policy) << 4) | (0x80 if full else 0),
                      name])
        assert sum(n for _, n in script.acts) <= 48, "more than GS_PROG_MAX_ACTIONS"
        out += bytes([len(script.acts)])  # opcodes; a few expand to two actions
    for script, *_ in procs:
        for body, _ in script.acts:
            out += body
    assert len(out) <= 4096
    return out


TEST, IPC, CON, ALARM, LED, RNG, LLD = 0x90000, 0x10000, 0x1, 0x0, 0x2, 0x40001, 0x8


def syscalls_seeds():
    seeds = {}
    s = Script()
    s.brk(0x400).allow("rw", TEST, 0, ptr("mem", 0x100), 0x40)
    s.allow("rw", TEST, 0, ptr("brk", neg(0x10)), 0x20).allow("rw", TEST, 1, ptr("brk", neg(0x10)), 0x10)
    s.allow("rw", TEST, 1, ptr("abs", 0), 0).allow("rw", TEST, 1, ptr("kbrk", neg(0x40)), 0x10)
    s.allow("rw", TEST, 1, ptr("end", neg(0x40)), 0x10).allow("rw", TEST, 1, ptr("proc", 0x100, 1), 0x10)
    s.allow("rw", TEST, 0, ptr("app", 0), 0x10).allow("ro", TEST, 0, ptr("app", 0), 0x10)
    s.allow("ro", TEST, 1, ptr("flash", 0x10), 0x10).allow("ro", TEST, 1, ptr("flash_end", neg(0x10)), 0x10)
    s.allow("ro", TEST, 1, ptr("flash_end", neg(4)), 0x10).allow("rw", 0x777, 0, ptr("mem", 0x100), 0x10)
    s.allow("rw", TEST, 2, ptr("mem", 0x200), 0x10).allow("ur", TEST, 0, ptr("mem", 0x100), 0x10)
    s.brk(0x200).brk(0x3E0).command(TEST, 5, 0, 0x5A).command(TEST, 4, 0)
    t = Script().yield_wait()
    seeds["allow-matrix"] = program([(s, 1000, "stop", 0, False), (t, 740, "stop", 1, False)])

    s = Script()
    s.subscribe(TEST, 0, fn("upcall", 3), 0xAA).subscribe(TEST, 0, fn("upcall", 4), 0xBB)
    s.subscribe(TEST, 1, fn("null")).subscribe(TEST, 2, fn("upcall", 1)).subscribe(0x777, 0, fn("null"))
    s.subscribe(TEST, 0, fn("header")).subscribe(TEST, 0, fn("nothumb"))
    s.command(TEST, 1, 0, 7).command(TEST, 1, 1, 8).yield_wait().yield_for(TEST, 1)
    s.command(TEST, 8, 12).yield_wait().command(TEST, 1, 5).yield_nowait("mem", 0x40)
    seeds["subscribe-upcalls"] = program([(s, 512, "stop", 0, False)])

    s = Script()
    for op in range(2, 13):
        s.memop(op, val(0) if op not in (8, 9) else sel(SMALL, 0))
    s.memop(10, b"\xf0" + ptr("mem", 0x10)).memop(11, b"\xf0" + ptr("mem", 0x20))
    s.sbrk(0x40).sbrk(neg(0x20)).sbrk(0x1000).sbrk(0x7FFFFFFF).sbrk(neg(4)).brk(0, "kbrk").brk(0x20, "end")
    s.brk(0).memop(0, ptr("mem", 0x40)).memop(0, ptr("kbrk", 0)).memop(0, ptr("end", neg(4)))
    s.memop(1, sel(SBRK, 32))
    seeds["memops"] = program([(s, 2048, "stop", 0, False)], profile="head")
    seeds["memops-2.2"] = program([(s, 2048, "stop", 0, False)], profile="2.2")

    s = Script()
    s.allow("ro", CON, 1, ptr("app", 0x300), 12).subscribe(CON, 1, fn("upcall", 2))
    s.command(CON, 1, 12).yield_wait().command(CON, 1, 4).command(CON, 1, 4).command(CON, 0)
    s.command(ALARM, 1).command(ALARM, 2).sleep(10).command(ALARM, 3).command(ALARM, 5, 100)
    s.command(ALARM, 3).command(ALARM, 4).subscribe(ALARM, 0, fn("upcall", 5)).command(ALARM, 5, 2)
    s.yield_wait().allow("rw", RNG, 0, ptr("mem", 0x40), 0x10).subscribe(RNG, 0, fn("upcall", 6))
    s.command(RNG, 1, 8).yield_wait().command(LED, 0).command(LED, 1, 2).command(LED, 3, 7)
    s.command(LLD, 1, 3).command(LLD, 2, 0x100).command(LLD, 3, 1, 2).command(0x777, 0)
    s.allow("rw", CON, 1, ptr("mem", 0x80), 0x10).command(CON, 2, 4).command(CON, 3)
    seeds["every-capsule"] = program([(s, 1000, "stop", 0, False)], timeslice=10000)

    s = Script()
    s.command(TEST, 6, 16, 8).command(TEST, 6, 100, 1).command(TEST, 6, 0x100, 256)
    s.command(TEST, 6, 0x7FFFFFFF, 4).command(TEST, 7).command(TEST, 2, 0, 0x1234)
    s.command(TEST, 2, 12, 1).command(TEST, 2, 16, 1).command(TEST, 3, 12).command(TEST, 3, 0xFFFFFFFC)
    s.exit(1, 1)
    seeds["custom-grants"] = program([(s, 500, "restart", 0, False)], t_align=8, t_units=2)

    s = Script()
    s.brk(0x100).fault(1, "mem", 0x40).yield_bad(3).bad_svc(9).set_sp("kbrk", 0)
    s.command(TEST, 0).exit(2).exit(0xFFFFFFFE, 3).exit(0, 5)
    t = Script().spin(800).fault(5, "abs", 0).command(TEST, 0)
    u = Script().command(TEST, 1, 0, 1).spin(64).set_sp("end", neg(0x10)).yield_wait()
    seeds["faults"] = program([(s, 256, "restart", 0, False), (t, 256, "threshold", 1, False),
                               (u, 256, "stop-debug", 2, False)], trap=True, timeslice=2000)

    s = Script()
    s.subscribe(TEST, 254, fn("upcall", 1)).allow("rw", TEST, 254, ptr("mem", 0x100), 0x10)
    s.allow("ro", TEST, 255, ptr("mem", 0x100), 0x10).command(TEST, 7).command(TEST, 1, 254, 1)
    s.yield_wait()
    seeds["big-grant"] = program([(s, 8192, "stop", 0, False)], counts=(255, 255, 254),
                                 t_align=4096, t_units=1, mpu16=True)

    s = Script()
    s.subscribe(TEST, 0, fn("upcall", 1)).command(TEST, 8, 20).command(TEST, 1, 0, 1)
    s.yield_wait().command(IPC, 2, 1).sleep(1)
    t = Script()
    t.subscribe(IPC, 1, fn("upcall", 2)).yield_wait().yield_wait()
    seeds["full-queues"] = program([(s, 500, "stop", 0, True), (t, 500, "restart", 1, True)],
                                   slots4=True, inject_grant=3)

    # Buffers that are not word aligned, in RAM and in flash, lengths that wrap the address
    # space and buffers that straddle the end of flash or the break (TOCK-REFERENCE section 5:
    # an allow is checked by start and length, never by alignment).
    s = Script().brk(0x400)
    s.allow("rw", TEST, 0, ptr("mem", 0x103), 10).allow("ro", TEST, 0, ptr("flash", 0x113), 10)
    s.allow("ro", TEST, 0, ptr("flash", 0x13), 10).allow("ro", TEST, 1, ptr("flash_end", neg(13)), 10)
    s.allow("ur", TEST, 0, ptr("mem", 0x101), 0x1F).allow("ro", TEST, 1, ptr("flash_end", neg(3)), 10)
    s.allow("rw", TEST, 1, ptr("brk", neg(3)), 4).allow("rw", TEST, 0, ptr("brk", neg(3)), 3)
    s.allow("rw", TEST, 0, ptr("mem", 0x100), 0xFFFFFFF0).allow("ro", TEST, 1, ptr("flash", 0x10), 0xFFFFFFF0)
    s.allow("rw", TEST, 1, ptr("end", neg(0x10)), 0x80000000).allow("ro", TEST, 2, ptr("mem", 0x21), 0xFFFFFFF0)
    s.command(TEST, 5, 0, 0x5A).command(TEST, 4, 0).brk(0x100).brk(0x3E0)
    seeds["odd-buffers"] = program([(s, 1000, "stop", 0, False)])

    # A grant whose T is three u16s (6 bytes at alignment 2), then other grants below it: the
    # grant's alignment is max(align_of(usize), align_of(T)) (TOCK-REFERENCE section 2.1), so
    # it starts on a word although kernel_break - size does not (the allocator alone would
    # round to 2: bit 0 is the entered flag), and so does the next grant below it.
    s = Script().command(TEST, 7).command(ALARM, 1).command(TEST, 3, 0)
    s.subscribe(CON, 1, fn("upcall", 2)).command(LED, 0).command(TEST, 7)
    t = Script().subscribe(TEST, 0, fn("upcall", 1)).command(TEST, 1, 0, 5).yield_wait().exit(1, 2)
    seeds["halfword-aligned-t"] = program([(s, 1000, "stop", 0, False), (t, 740, "stop", 1, False)],
                                          t_align=2, t_units=3)

    # A subscribe removes the queued FunctionCalls of its upcall id only (grant.rs,
    # remove_pending_upcalls): the ReturnValue a null upcall queued for the same id, and the
    # tasks of other ids, stay.
    s = Script()
    s.subscribe(TEST, 1, fn("null")).command(TEST, 1, 1, 8).subscribe(TEST, 0, fn("upcall", 1))
    s.command(TEST, 1, 0, 7).command(TEST, 1, 1, 9).subscribe(TEST, 1, fn("upcall", 2))
    s.subscribe(TEST, 1, fn("null")).subscribe(TEST, 0, fn("upcall", 3)).yield_for(TEST, 1)
    s.yield_nowait("mem", 0x40)
    seeds["subscribe-keeps-return-values"] = program([(s, 512, "stop", 0, False)])
    return seeds


def ipc_seeds():
    seeds = {}
    svc = Script("ipc").ipc_subscribe(0, 1, 0x77).yield_wait().yield_wait().notify(1, client=True)
    svc.yield_wait()
    cli = Script("ipc").brk(0x400).discover(0).ipc_subscribe(0, 2, 0x88).ipc_share(0, 0x100, 0x40)
    cli.notify(0).sleep(1).ipc_share(0, 0x200, 0x20).notify(0).yield_wait()
    seeds["exchange"] = program([(svc, 1000, "restart", 0, False), (cli, 1000, "restart", 1, False)],
                                timeslice=2000)

    svc = Script("ipc").ipc_subscribe(1).ipc_subscribe(2).ipc_subscribe(3).yield_wait().yield_wait()
    svc.notify(1, True).notify(2, True).restart(1)
    c1 = Script("ipc").brk(0x400).ipc_subscribe(0).ipc_share(0, 0x100, 0x100).notify(0).sleep(2).restart()
    c2 = Script("ipc").discover(4).discover(2).discover(6).ipc_share(0, 0x40, 0x1F).notify(0)
    c2.notify(5).notify(2).yield_wait()
    c3 = Script("ipc").ipc_share(3, 0, 0x20).notify(3).ipc_command(9).ipc_command(0).spin(100)
    c3.ipc_share(0, 0x300, 0xFFFFFFF0).notify(0).exit(0)
    seeds["four-processes"] = program([(svc, 700, "restart", 0, False), (c1, 1000, "restart", 1, False),
                                       (c2, 256, "stop", 2, False), (c3, 500, "restart-debug", 5, False)],
                                      slots4=True, timeslice=500)
    seeds["four-processes-2.2"] = program(
        [(svc, 700, "restart", 0, False), (c1, 1000, "restart", 1, False),
         (c2, 256, "stop", 2, False), (c3, 500, "restart-debug", 5, False)],
        profile="2.2", slots4=True, timeslice=500)

    svc = Script("ipc").ipc_subscribe(0).yield_wait().yield_wait().yield_wait().yield_wait()
    cli = Script("ipc").brk(0x800)
    for i in range(6):
        cli.ipc_share(0, 0x40 * i, 0x40).notify(0).sleep(1)
    seeds["many-regions"] = program([(svc, 700, "stop", 0, False), (cli, 2048, "stop", 1, False)],
                                    inject_mpu=3)

    # Shares that start off a word or a power of two, or whose length wraps: the service's MPU
    # region must then cover a larger aligned block with subregions (allocate_region).
    svc = Script("ipc").ipc_subscribe(0)
    for _ in range(8):
        svc.yield_wait()
    cli = Script("ipc").brk(0x800).ipc_subscribe(0, 2)
    for off, length in ((0x104, 10), (0x3F1, 0x21), (0x120, 0x60), (0x210, 0x101),
                        (0x100, 0xFFFFFFF0), (0x400, 0x100), (0x7FC, 0x20)):
        cli.ipc_share(0, off, length).notify(0).sleep(1)
    seeds["odd-shares"] = program([(svc, 700, "stop", 0, False), (cli, 2048, "stop", 1, False)])
    return seeds


class Ops:
    """fuzz-grants' and fuzz-mpu's operation bytes (see those files)."""

    def __init__(self):
        self.b = b""

    def raw(self, *xs):
        self.b += bytes(xs)
        return self


GRANT_RAM = [0, 17, 100, 512, 1000, 1024, 2000, 2048, 4096, 6000, 8192, 9000, 3000, 0, 16384,
             0x10000]
GRANT_OFF = [0, 1, 4, 32, 0x100, 0x400, neg(1), neg(4), neg(32), neg(0x100), neg(0x400), 0x20,
             0x200, 0x1000, neg(0x1000), LIT]
GRANT_LEN = [0, 1, 4, 16, 32, 64, 256, 1024, 0xFFFFFFF0, 0x100, 0x21, LIT]
GRANT_SIZE = [0, 1, 4, 8, 12, 16, 64, 100, 256, 1024, 4096, LIT]
GRANT_SUB = [0, 1, 2, 3, 4, 254, 255, LIT]
ADDR_BASE = {"mem": 0, "brk": 1, "kbrk": 2, "hwm": 3, "end": 4, "mem32": 5}


class GrantOps(Ops):
    def addr(self, base, off):
        self.b += bytes([ADDR_BASE[base]]) + sel(GRANT_OFF, off & M32)
        return self

    def enter(self, g, p, how="enter"):
        return self.raw({"enter": 0, "try": 2, "alloc": 3}[how], g, p)

    def leave(self, slot):
        return self.raw(4, slot)

    def custom(self, slot, n, size, align_log2):
        self.raw(5, slot, n - 1)
        self.b += sel(GRANT_SIZE, size)
        return self.raw(align_log2)

    def custom_enter(self, i):
        return self.raw(7, i)

    def slots(self, what, slot, i, v):
        self.raw(8, what, slot)
        self.b += sel(GRANT_SUB, i)
        return self.raw(v)

    def brk(self, p, base, off, sbrk=False):
        return self.raw(10 if sbrk else 9, p).addr(base, off)

    def allow(self, p, g, num, base, off, length, ro=False):
        self.raw(11, 1 if ro else 0, p, g)
        self.b += sel(GRANT_SUB, num)
        self.addr(base, off)
        self.b += sel(GRANT_LEN, length)
        return self

    def subscribe(self, p, g, num, null=False, appdata=0):
        self.raw(13, p, g)
        self.b += sel(GRANT_SUB, num)
        return self.raw(1 if null else 0, appdata)

    def lifecycle(self, p, what):
        """what % 4: 0 restart, 1 terminate, 2 start, 3 fault."""
        return self.raw(14, p, what)

    def stale_enter(self, p, g):
        return self.raw(16, p, g)

    def iterate(self, g):
        return self.raw(17, g)

    def inject(self, n):
        return self.raw(18, n - 1)

    def reenter(self, slot):
        return self.raw(19, 0x5A, slot)


def grants_board(profile22=False, mpu16=False, m0=False, pcb=0, pcb_align=0, grants=(), rams=()):
    f = (1 if profile22 else 0) | (2 if mpu16 else 0) | (4 if m0 else 0) | (pcb << 3) | (pcb_align << 6)
    out = bytes([f, len(grants)])
    for align_log2, units, nu, nro, nrw, default, dup in grants:
        out += bytes([align_log2 | (units << 4) | (0x40 if dup else 0) | (0x80 if default else 0),
                      count(nu), count(nro), count(nrw)])
    out += bytes([len(rams) - 1])
    for ram, restart in rams:
        out += bytes([GRANT_RAM.index(ram) | (0x10 if restart else 0)])
    return out


def grants_seeds():
    seeds = {}
    board = grants_board(grants=[(2, 2, 2, 1, 1, True, False), (3, 1, 0, 0, 0, False, False),
                                 (12, 1, 1, 0, 0, True, False), (0, 0, 254, 254, 254, False, False)],
                         rams=[(1024, True), (2048, False)])
    o = GrantOps()
    o.enter(0, 0).enter(1, 0, "try").enter(1, 0, "alloc").enter(2, 1).enter(3, 1)
    o.custom(2, 1, 16, 3).custom(2, 3, 100, 0).custom(2, 1, 0, 12).custom(0, 1, 8, 2)
    o.enter(0, 0, "try").slots(0, 0, 0, 7).slots(1, 0, 1, 9).slots(2, 0, 1, 0)
    o.custom_enter(0).custom_enter(1).leave(0).leave(1).leave(2).leave(3)
    o.allow(0, 0, 0, "mem", 0x100, 0x40).allow(0, 0, 1, "brk", neg(4), 4, ro=True)
    o.brk(0, "mem", 0x200).brk(0, "hwm", 0).brk(0, "hwm", neg(1)).brk(0, "kbrk", 0)
    o.brk(1, "brk", 0x100, sbrk=True).brk(1, "end", neg(4)).subscribe(0, 0, 1).subscribe(1, 2, 0, True)
    o.iterate(0).iterate(3).inject(1).enter(1, 1).enter(2, 0, "alloc").custom(0, 1, 4, 0)
    o.lifecycle(0, 0).stale_enter(0, 0).custom_enter(0).lifecycle(1, 1).custom_enter(3)
    o.lifecycle(1, 2).lifecycle(0, 3).enter(0, 0).enter(0, 1)
    seeds["shapes-and-customs"] = board + o.b
    seeds["shapes-and-customs-2.2"] = bytes([board[0] | 1]) + board[1:] + o.b

    board = grants_board(mpu16=True, pcb=5, pcb_align=1,
                         grants=[(4, 3, 3, 3, 3, False, False), (0, 0, 1, 1, 1, False, True),
                                 (7, 2, 0, 1, 0, True, False)],
                         rams=[(512, False), (4096, True), (16384, False), (0x10000, False)])
    o = GrantOps()
    o.enter(0, 0, "alloc").custom(0, 1, 64, 6).enter(1, 0).enter(2, 1).enter(2, 2).enter(0, 2)
    o.iterate(2).allow(1, 0, 1, "mem", 0, 0x100).lifecycle(1, 0).stale_enter(1, 0)
    o.enter(2, 1, "try").reenter(1)
    seeds["four-processes-reenter"] = board + o.b

    # allocate_app_memory_region's doubling on HEAD (TOCK-REFERENCE section 6): a 100-byte PCB
    # and three grants make the kernel's initial share 456 bytes of a 512-byte block, so the
    # app's subregions would reach it and the block doubles, at creation and at each restart.
    board = grants_board(pcb=3, grants=[(2, 1, 1, 1, 1, False, False)] * 3,
                         rams=[(0, True), (17, False)])
    o = GrantOps()
    o.enter(0, 0).enter(1, 0).brk(0, "mem", 0x10).brk(0, "kbrk", 0).enter(2, 0).lifecycle(0, 0)
    o.enter(0, 0).enter(0, 1).brk(1, "end", neg(4)).enter(2, 1).iterate(0)
    seeds["doubling-on-head"] = board + o.b
    return seeds


MPU_START = [0, 0x20, 0x100, 0x200, 0x400, 0x1000, 0x1234, 0x2000, 0x4000, 0x8000, 0x3000, 0x5460,
             0x800, 0x10000, 0xC0, LIT]
MPU_AVAIL = [0x1000, 0x4000, 0x10000, 0x20000, 0x100000, 0x800, 0x2400, LIT]
MPU_MIN_RAM = [0, 32, 100, 256, 480, 512, 1000, 1024, 2000, 2048, 4096, 6000, 8192, 16384, 3000, LIT]
MPU_PCB = [920, 1200, 0, 100, 460, 3000, 512, LIT]
MPU_FLASH_START = [0x30000, 0x32000, 0x40000, 0x30800, 0x31000, 0x34000, 0x30060, LIT]
MPU_FLASH_LEN = [0x2000, 0x1000, 0x800, 0x4000, 0x10000, 0x3000, 0x100, LIT]
MPU_OFF = [0, 1, 4, 31, 32, 33, 0x100, 0x200, 0x3E0, 0x400, 0x800, 0x1000, 0x60, 0x1FF, 0x201, LIT]
MPU_SIZE = [4, 8, 16, 32, 48, 64, 100, 256, 1024, 6124, 4112, LIT]
MPU_BUF = [0, 10, 32, 48, 64, 96, 128, 256, 512, 1000, 0x1000, LIT]


class MpuOps(Ops):
    def kernel(self, grants, pcb):
        self.b += bytes([grants]) + sel(MPU_PCB, pcb)
        return self

    def create(self, start, avail, init_app_idx, grants, pcb, min_ram, fstart, flen):
        self.raw(0)
        self.b += sel(MPU_START, start) + sel(MPU_AVAIL, avail) + bytes([init_app_idx])
        self.kernel(grants, pcb)
        self.b += sel(MPU_MIN_RAM, min_ram) + sel(MPU_FLASH_START, fstart) + sel(MPU_FLASH_LEN, flen)
        return self

    def brk(self, base, off, minus=False):
        self.raw(1, {"mem": 0, "app": 1, "kernel": 2}[base] | (0x80 if minus else 0))
        self.b += sel(MPU_OFF, off)
        return self

    def grant(self, size, align_log2):
        self.raw(3)
        self.b += sel(MPU_SIZE, size)
        return self.raw(align_log2)

    def ipc(self, where, off, length):
        """where: 'block' (just past the block), 'other' (RAM + 1 MiB) or 'ram' (0x20000000)."""
        self.raw(4, {"block": 0, "other": 1, "ram": 2}[where])
        self.b += sel(MPU_OFF, off) + sel(MPU_BUF, length)
        return self

    def remove(self, i):
        return self.raw(6, i)

    def reset(self, grants, pcb):
        return self.raw(7).kernel(grants, pcb)


def mpu_seeds():
    seeds = {}
    o = MpuOps()
    o.create(0, 0x10000, 0, 7, 920, 1024, 0x30000, 0x2000)
    o.brk("app", 0x400).grant(32, 2).grant(100, 3).ipc("block", 0x100, 64).ipc("other", 0x200, 96)
    o.brk("kernel", 0, minus=False).brk("mem", 0).brk("app", 33, minus=True).remove(0)
    o.ipc("block", 0x60, 10).reset(7, 920).brk("app", 0x1FF).ipc("ram", 0x100, 64)
    seeds["create-brk-grant-ipc"] = bytes([0]) + o.b
    seeds["create-brk-grant-ipc-2.2"] = bytes([1]) + o.b
    # 23 grants, PCB 460: initial kernel memory 968 (2.2) or 1252 (HEAD); with 32 bytes of app
    # memory the 2.2 block is 1024 bytes and one 64-byte subregion passes its kernel break:
    # the doubling path (tests/test_mpu.c doubling_bug_4366).
    o = MpuOps()
    o.create(0, 0x10000, 0, 23, 460, 0, 0x30000, 0x2000).brk("app", 4)
    seeds["doubling-4366"] = bytes([0]) + o.b
    seeds["doubling-4366-2.2"] = bytes([1]) + o.b
    o = MpuOps()
    o.create(0x1000, 0x20000, 5, 20, 1200, 6000, 0x32000, 0x1000)
    for i in range(8):
        o.ipc(["block", "other"][i % 2], [0, 0x100, 0x200, 0x400, 0x800, 0x1000, 0x201, 0x3E0][i], [32, 64, 256, 48][i % 4])
    o.remove(3).remove(0).brk("app", 0x1000).grant(4112, 12)
    seeds["m0-16-regions"] = bytes([6]) + o.b
    # A 48-byte buffer at 0x20000000: the subregion size 2^29 times 8 wraps to 0 (a panic).
    o = MpuOps()
    o.create(0x1000, 0x10000, 0, 7, 920, 1024, 0x30000, 0x2000).ipc("ram", 0, 48)
    seeds["buffer-at-2-29"] = bytes([0]) + o.b
    return seeds


def tbf(name=b"seed", min_ram=1024, init=0x41, image=b"\x00" * 64, flags=1, extra=b""):
    """A TBF v2 with Main, Program, PackageName and KernelVersion TLVs."""
    def tlv(t, data):
        pad = (-len(data)) % 4
        return struct.pack("<HH", t, len(data)) + data + b"\x00" * pad
    body = tlv(1, struct.pack("<III", init, 0, min_ram))
    hdr_len_guess = 16 + 16 + 24 + 4 + len(name) + ((-len(name)) % 4) + 8 + len(extra)
    total = hdr_len_guess + len(image)
    total = max(512, 1 << (total - 1).bit_length())
    body += tlv(9, struct.pack("<IIIII", init, 0, min_ram, hdr_len_guess + len(image), 0))
    body += tlv(3, name) + tlv(8, struct.pack("<HH", 2, 2)) + extra
    hsize = 16 + len(body)
    assert hsize == hdr_len_guess
    base = struct.pack("<HHIII", 2, hsize, total, flags, 0)
    words = base + body
    ck = 0
    for i in range(0, len(words), 4):
        ck ^= struct.unpack("<I", words[i:i + 4])[0]
    base = struct.pack("<HHIII", 2, hsize, total, flags, ck)
    out = base + body + image
    foot = total - len(out)
    out += struct.pack("<HH", 128, foot - 4) + struct.pack("<I", 0) + b"\x00" * (foot - 8)
    return out


def loader_seeds(elf_dir):
    seeds = {}
    seeds["tbf-basic"] = tbf()
    seeds["tbf-perms-wfr-fixed"] = tbf(
        name=b"perm.app",
        extra=struct.pack("<HH", 6, 18) + struct.pack("<H", 1) + struct.pack("<IIQ", 0x90000, 0, 0xF)
        + b"\x00\x00" + struct.pack("<HH", 2, 8) + struct.pack("<II", 0x100, 0x40)
        + struct.pack("<HH", 5, 8) + struct.pack("<II", 0xFFFFFFFF, 0xFFFFFFFF))
    seeds["flash-two-apps"] = tbf() + tbf(name=b"two", flags=0) + b"\xff" * 16
    if elf_dir:
        for app in ("hello", "bare_bones"):
            p = os.path.join(elf_dir, app + ".elf")
            if os.path.exists(p):
                with open(p, "rb") as f:
                    seeds["elf-" + app] = f.read()
    return seeds


def write(target, seeds):
    d = os.path.join(HERE, "seeds", target)
    os.makedirs(d, exist_ok=True)
    for name, data in sorted(seeds.items()):
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
        print("%s/%s: %d bytes" % (target, name, len(data)))


def main():
    elf_dir = None
    if len(sys.argv) == 3 and sys.argv[1] == "--elf-dir":
        elf_dir = sys.argv[2]
    elif len(sys.argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    write("fuzz-syscalls", syscalls_seeds())
    write("fuzz-ipc", ipc_seeds())
    write("fuzz-grants", grants_seeds())
    write("fuzz-mpu", mpu_seeds())
    write("fuzz-loader", loader_seeds(elf_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
