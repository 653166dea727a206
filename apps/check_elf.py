#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks that an app ELF has the ABI of a libtock-c app (apps/README.md).

    check_elf.py ELF [--stack N] [--runtime] [--reldata yes|no|any]
                     [--expect ID[,ID...]]
    check_elf.py --self-test ELF

Every finding has an id (see CHECKS). Without --expect the exit status is 0
when there is no finding and 1 otherwise. With --expect, it is 0 exactly when
every listed id was found: that is how a test asserts that a bad ELF is
rejected for the right reason. --self-test corrupts a good ELF in several
ways and requires each corruption to be found. Exit status 2: unusable input.

The facts checked come from libtock-c (userland_generic.ld, libtock/crt0.c,
Configuration.mk, AppMakefile.mk) and elf2tab, as summarised in
TOCK-REFERENCE section 11.
"""

import argparse
import struct
import sys

FLASH = 0x80000000  # link-time flash origin, the "this is flash" marker
SRAM_LEN = 0x20000  # app.ld SRAM length
HEADER_FIELDS = (
    "got_sym_start", "got_start", "got_size",
    "data_sym_start", "data_start", "data_size",
    "bss_start", "bss_size", "reldata_start", "stack_size",
)
PIC_FLAGS = ("-msingle-pic-base", "-mpic-register=r9", "-mno-pic-data-is-text-relative")

# ELF constants (ELF spec, ARM ELF ABI "AAELF32").
SHT_PROGBITS, SHT_SYMTAB, SHT_NOBITS, SHT_REL, SHT_RELA = 1, 2, 8, 9, 4
SHF_WRITE, SHF_ALLOC, SHF_EXECINSTR = 1, 2, 4
PT_LOAD, PT_DYNAMIC, PT_INTERP = 1, 2, 3
EM_ARM = 40
ET_EXEC = 2
EF_ARM_EABI_MASK, EF_ARM_EABI_VER5, EF_ARM_ABI_FLOAT_SOFT = 0xFF000000, 0x05000000, 0x200
R_ARM_ABS32 = 2
# Relocation types that put an absolute address into the place they patch.
ABSOLUTE_RELOCS = {
    2: "R_ARM_ABS32", 5: "R_ARM_ABS16", 6: "R_ARM_ABS12", 7: "R_ARM_THM_ABS5",
    8: "R_ARM_ABS8", 38: "R_ARM_TARGET1", 43: "R_ARM_MOVW_ABS_NC",
    44: "R_ARM_MOVT_ABS", 47: "R_ARM_THM_MOVW_ABS_NC", 48: "R_ARM_THM_MOVT_ABS",
}
ALLOWED_ALLOC = {".crt0_header", ".text", ".stack", ".got", ".data", ".bss"}

CHECKS = {
    "elf-header": "ELF32, little-endian, ARM, executable, EABI 5, soft-float",
    "segments": "flash PT_LOADs form one image from 0x80000000; no dynamic linking",
    "sections": "only the app.ld sections are allocated, in libtock-c's order",
    "crt0-header": ".crt0_header is the first 40 bytes of flash",
    "header-fields": "every crt0 header field agrees with the section it describes",
    "entry": "e_entry is _start, Thumb, first in .text",
    "stack": ".stack is NOBITS at RAM 0 and STACK_SIZE long (rounded up to 16)",
    "ram-order": ".got and .data lie below .bss; .bss ends RAM",
    "got": "every GOT word is a flash address in the image or a RAM offset",
    "reldata": ".rel.data is R_ARM_ABS32 into .data, one entry per pointer",
    "reldata-presence": ".rel.data is there exactly when expected",
    "rel-writable": "no relocation section for a writable section but .rel.data",
    "pic-flags": ".GCC.command.line holds the libtock-c PIC flags",
    "text-abs-reloc": "no absolute relocation is applied to code",
    "runtime": "the runtime's startup is linked and relocations were emitted",
}


class BadElf(Exception):
    """The file cannot be parsed at all."""


class Section:
    def __init__(self, name, sh):
        self.name = name
        (self.name_off, self.type, self.flags, self.addr, self.offset, self.size,
         self.link, self.info, self.align, self.entsize) = sh
        self.lma = None


class Elf:
    def __init__(self, data):
        self.data = bytes(data)
        if len(self.data) < 52 or self.data[:4] != b"\x7fELF":
            raise BadElf("not an ELF file")
        self.ei_class, self.ei_data = self.data[4], self.data[5]
        if self.ei_class != 1 or self.ei_data != 1:
            # Everything below assumes ELF32 little-endian; report and stop.
            self.ok = False
            return
        self.ok = True
        (self.e_type, self.e_machine, _ver, self.e_entry, phoff, shoff, self.e_flags,
         _ehsize, phentsize, phnum, shentsize, shnum, shstrndx) = struct.unpack_from(
             "<HHIIIIIHHHHHH", self.data, 16)
        self.phdrs = [struct.unpack_from("<IIIIIIII", self.data, phoff + i * phentsize)
                      for i in range(phnum)]
        raw = [struct.unpack_from("<IIIIIIIIII", self.data, shoff + i * shentsize)
               for i in range(shnum)]
        if shstrndx >= len(raw):
            raise BadElf("no section name table")
        strtab = raw[shstrndx]
        self.sections = [Section(self._str(strtab[4], sh[0]), sh) for sh in raw]
        self.by_name = {s.name: s for s in self.sections}
        # Load address of each allocated section, from the segment holding it.
        for s in self.sections:
            if not s.flags & SHF_ALLOC:
                continue
            for p in self.phdrs:
                p_type, _off, vaddr, paddr, _filesz, memsz = p[:6]
                if p_type == PT_LOAD and vaddr <= s.addr and s.addr + s.size <= vaddr + memsz:
                    s.lma = paddr + (s.addr - vaddr)
                    break

    def _str(self, off, idx):
        end = self.data.index(b"\0", off + idx)
        return self.data[off + idx:end].decode("ascii", "replace")

    def word(self, sec, addr):
        return struct.unpack_from("<I", self.data, sec.offset + addr - sec.addr)[0]

    def symbols(self):
        syms = {}
        for s in self.sections:
            if s.type != SHT_SYMTAB:
                continue
            names = self.sections[s.link]
            for off in range(s.offset, s.offset + s.size, 16):
                st_name, value, size, info, _other, shndx = struct.unpack_from(
                    "<IIIBBH", self.data, off)
                if st_name:
                    syms.setdefault(self._str(names.offset, st_name), (value, size, info, shndx))
        return syms

    def rels(self, sec):
        return [struct.unpack_from("<II", self.data, off)
                for off in range(sec.offset, sec.offset + sec.size, 8)]


def align16(n):
    return (n + 15) & ~15


def check(data, stack=None, runtime=False, reldata="any"):
    """Returns a list of (id, message) findings for the ELF bytes."""
    out = []

    def bad(cid, msg):
        out.append((cid, msg))

    elf = Elf(data)
    if not elf.ok:
        bad("elf-header", "not ELF32 little-endian")
        return out

    # ELF header.
    if elf.e_machine != EM_ARM:
        bad("elf-header", "e_machine %d is not ARM (40)" % elf.e_machine)
    if elf.e_type != ET_EXEC:
        bad("elf-header", "e_type %d is not EXEC" % elf.e_type)
    if elf.e_flags & EF_ARM_EABI_MASK != EF_ARM_EABI_VER5:
        bad("elf-header", "e_flags 0x%x: not EABI version 5" % elf.e_flags)
    if not elf.e_flags & EF_ARM_ABI_FLOAT_SOFT:
        bad("elf-header", "e_flags 0x%x: not soft-float" % elf.e_flags)

    # Segments: the flash image is the concatenation of the PT_LOADs with file
    # bytes, in file order, starting at 0x80000000 (elf2tab convert.rs).
    loads = [p for p in elf.phdrs if p[0] == PT_LOAD and p[4] > 0]
    if any(p[0] in (PT_DYNAMIC, PT_INTERP) for p in elf.phdrs) or ".dynamic" in elf.by_name:
        bad("segments", "the ELF asks for dynamic linking")
    image_end = None
    if not loads:
        bad("segments", "no PT_LOAD with file bytes")
    else:
        expect = FLASH
        for p in sorted(loads, key=lambda p: p[1]):
            paddr, filesz = p[3], p[4]
            if paddr < expect:
                bad("segments", "PT_LOAD at LMA 0x%x overlaps the one before" % paddr)
            if paddr != expect and expect == FLASH:
                bad("segments", "the flash image starts at 0x%x, not 0x80000000" % paddr)
            expect = paddr + filesz
        image_end = expect - FLASH

    # Allocated sections: names and order.
    alloc = [s for s in elf.sections if s.flags & SHF_ALLOC and (s.size or s.type != SHT_NOBITS)]
    for s in alloc:
        if s.name not in ALLOWED_ALLOC:
            bad("sections", "unexpected allocated section %s" % s.name)
    flash_secs = sorted((s for s in alloc if s.addr >= FLASH), key=lambda s: s.addr)
    if [s.name for s in flash_secs] != [n for n in (".crt0_header", ".text") if n in elf.by_name]:
        bad("sections", "flash sections are %s, expected .crt0_header then .text"
            % [s.name for s in flash_secs])

    hdr = elf.by_name.get(".crt0_header")
    text = elf.by_name.get(".text")
    fields = None
    if hdr is None:
        bad("crt0-header", "no .crt0_header section")
    elif hdr.addr != FLASH or hdr.size != 40 or hdr.type != SHT_PROGBITS:
        bad("crt0-header", ".crt0_header at 0x%x size %d, expected 0x80000000 size 40"
            % (hdr.addr, hdr.size))
    elif not loads or hdr.offset != min(p[1] for p in loads):
        bad("crt0-header", ".crt0_header is not the first byte of the flash image")
    else:
        fields = dict(zip(HEADER_FIELDS, struct.unpack_from("<10I", elf.data, hdr.offset)))

    got = elf.by_name.get(".got")
    dat = elf.by_name.get(".data")
    bss = elf.by_name.get(".bss")
    stk = elf.by_name.get(".stack")
    syms = elf.symbols()

    def ram_sec(sec, sym):
        """(LMA offset, RAM offset, size) of .got/.data; absent = empty at its symbol."""
        if sec is not None:
            return (sec.lma - FLASH if sec.lma is not None else None, sec.addr, sec.size)
        if sym in syms:
            return (None, syms[sym][0], 0)
        return (None, None, 0)

    if fields is not None:
        want = {}
        g_lma, g_ram, g_size = ram_sec(got, "_got")
        d_lma, d_ram, d_size = ram_sec(dat, "_data")
        want["got_start"], want["got_size"] = g_ram, g_size
        want["data_start"], want["data_size"] = d_ram, d_size
        if g_size:
            want["got_sym_start"] = g_lma
        if d_size:
            want["data_sym_start"] = d_lma
        b_ram, b_size = (bss.addr, bss.size) if bss is not None else (
            syms.get("_bss", (None,))[0], 0)
        want["bss_start"], want["bss_size"] = b_ram, b_size
        want["reldata_start"] = image_end
        if stk is not None:
            want["stack_size"] = stk.size
        if stack is not None:
            # app.ld (like libtock-c's userland_generic.ld) rounds .stack to 16.
            if "stack_size" in want and want["stack_size"] != align16(stack):
                bad("stack", ".stack is %d bytes, expected %d" % (stk.size, align16(stack)))
            want["stack_size"] = stack
        for k, v in want.items():
            if v is not None and fields[k] != v:
                bad("header-fields", "%s = 0x%x, expected 0x%x" % (k, fields[k], v))
        # Empty .got/.data: the loader still copies from these offsets.
        for k in ("got_sym_start", "data_sym_start"):
            if image_end is not None and fields[k] > image_end:
                bad("header-fields", "%s 0x%x lies past the image end 0x%x"
                    % (k, fields[k], image_end))

    # Entry: _start, Thumb, at the start of .text.
    start = syms.get("_start")
    if not elf.e_entry & 1:
        bad("entry", "e_entry 0x%x lacks the Thumb bit" % elf.e_entry)
    if start is None or start[0] != elf.e_entry:
        bad("entry", "e_entry 0x%x is not _start" % elf.e_entry)
    if text is None or elf.e_entry & ~1 != text.addr:
        bad("entry", "e_entry 0x%x is not the first byte of .text" % elf.e_entry)

    # Stack at the bottom of RAM.
    if stk is None:
        bad("stack", "no .stack section")
    elif stk.type != SHT_NOBITS or stk.addr != 0 or not stk.flags & SHF_WRITE:
        bad("stack", ".stack must be writable NOBITS at RAM 0")
    if "STACK_SIZE" in syms and stk is not None and align16(syms["STACK_SIZE"][0]) != stk.size:
        bad("stack", "STACK_SIZE symbol %d but .stack %d" % (syms["STACK_SIZE"][0], stk.size))

    # RAM order: .stack, .got, .data, .bss; .bss last.
    ram = [s for s in (stk, got, dat, bss) if s is not None]
    for lo, hi in zip(ram, ram[1:]):
        if lo.addr + lo.size > hi.addr:
            bad("ram-order", "%s overlaps or follows %s" % (lo.name, hi.name))
    for s in alloc:
        if s.addr < FLASH and s.addr + s.size > SRAM_LEN:
            bad("ram-order", "%s ends past the 128 KiB RAM" % s.name)
        if bss is not None and s.addr < FLASH and s.addr + s.size > bss.addr + bss.size:
            bad("ram-order", "%s ends above .bss" % s.name)
    for s in (got, dat):
        if s is not None and s.size and (s.lma is None or s.lma < FLASH):
            bad("ram-order", "%s has no flash load address" % s.name)

    def classify(w):
        if w & FLASH:
            return image_end is not None and w - FLASH < image_end
        return w < SRAM_LEN

    # GOT words: link-time addresses, flash marked by the top bit.
    if got is not None and got.type == SHT_PROGBITS:
        for a in range(got.addr, got.addr + got.size, 4):
            w = elf.word(got, a)
            if not classify(w):
                bad("got", "GOT word at 0x%x = 0x%x is neither flash nor RAM" % (a, w))

    # .rel.data: REL entries (r_offset, r_info), ABS32, each on a word of .data.
    reld = elf.by_name.get(".rel.data")
    covered = set()
    if reld is not None:
        if reld.type != SHT_REL or reld.size % 8:
            bad("reldata", ".rel.data is not a table of Elf32_Rel")
        elif dat is None or elf.sections[reld.info] is not dat:
            bad("reldata", ".rel.data does not apply to .data")
        else:
            for off, info in elf.rels(reld):
                if info & 0xFF != R_ARM_ABS32:
                    bad("reldata", "entry at 0x%x has type %d, not R_ARM_ABS32"
                        % (off, info & 0xFF))
                if off % 4 or not dat.addr <= off < dat.addr + dat.size:
                    bad("reldata", "entry offset 0x%x is not a word of .data" % off)
                    continue
                covered.add(off)
                w = elf.word(dat, off)
                if not classify(w):
                    bad("reldata", "relocated word at 0x%x = 0x%x is neither flash nor RAM"
                        % (off, w))
    if dat is not None and dat.type == SHT_PROGBITS and image_end is not None:
        for a in range(dat.addr, dat.addr + dat.size, 4):
            w = elf.word(dat, a)
            if w & FLASH and w - FLASH < image_end and a not in covered:
                bad("reldata", "word at 0x%x = 0x%x looks like a flash pointer but has no "
                    "relocation" % (a, w))
    has_reldata = reld is not None and reld.size > 0
    if reldata == "yes" and not has_reldata:
        bad("reldata-presence", "expected a .rel.data section")
    if reldata == "no" and has_reldata:
        bad("reldata-presence", "expected no .rel.data section")

    # Relocation sections: for code, no absolute types; for data, only .rel.data.
    for s in elf.sections:
        if s.type == SHT_RELA:
            bad("rel-writable", "%s: RELA is not what the ARM toolchain emits" % s.name)
        if s.type != SHT_REL or s.info >= len(elf.sections):
            continue
        target = elf.sections[s.info]
        if target.flags & SHF_EXECINSTR:
            for off, info in elf.rels(s):
                t = info & 0xFF
                if t in ABSOLUTE_RELOCS:
                    bad("text-abs-reloc", "%s at 0x%x: %s" % (s.name, off, ABSOLUTE_RELOCS[t]))
        elif target.flags & SHF_WRITE and target.flags & SHF_ALLOC and target.name != ".data":
            bad("rel-writable", "%s: the loader only appends .rel.data" % s.name)

    # Compiler flags, recorded by -frecord-gcc-switches.
    cl = elf.by_name.get(".GCC.command.line")
    if cl is None:
        bad("pic-flags", "no .GCC.command.line (built without -frecord-gcc-switches)")
    else:
        switches = set(elf.data[cl.offset:cl.offset + cl.size].decode("ascii", "replace")
                       .replace("\0", " ").split())
        for f in PIC_FLAGS:
            if f not in switches:
                bad("pic-flags", ".GCC.command.line lacks %s" % f)

    if runtime:
        if "_c_start_pic" not in syms:
            bad("runtime", "no _c_start_pic: the runtime's crt0 is not linked")
        if ".rel.text" not in elf.by_name:
            bad("runtime", "no .rel.text: linked without --emit-relocs")
        if got is None or got.size == 0:
            bad("runtime", "no GOT: the code does not reach globals through r9")
    return out


def put32(buf, off, v):
    struct.pack_into("<I", buf, off, v)


def mutations(elf):
    """Yields (description, expected id, corrupted bytes) for a good ELF."""
    base = bytearray(elf.data)
    shoff = struct.unpack_from("<I", base, 32)[0]
    shentsize = struct.unpack_from("<H", base, 46)[0]

    def sh_field(sec, index):
        i = elf.sections.index(sec)
        return shoff + i * shentsize + 4 * index

    b = bytearray(base)
    put32(b, 24, elf.e_entry & ~1)
    yield "entry without the Thumb bit", "entry", b

    b = bytearray(base)
    struct.pack_into("<H", b, 18, 3)
    yield "e_machine x86", "elf-header", b

    b = bytearray(base)
    b[4] = 2
    yield "ELF64 class byte", "elf-header", b

    hdr = elf.by_name[".crt0_header"]
    for i, name in enumerate(HEADER_FIELDS):
        b = bytearray(base)
        put32(b, hdr.offset + 4 * i, struct.unpack_from("<I", base, hdr.offset + 4 * i)[0] + 4)
        yield "crt0 header %s + 4" % name, "header-fields", b

    b = bytearray(base)
    put32(b, sh_field(hdr, 3), FLASH + 0x100)
    yield ".crt0_header not at 0x80000000", "crt0-header", b

    cl = elf.by_name[".GCC.command.line"]
    for flag in PIC_FLAGS:
        b = bytearray(base)
        i = base.find(flag.encode(), cl.offset, cl.offset + cl.size)
        b[i + 2] = ord("X")
        yield "command line without %s" % flag, "pic-flags", b

    rt = elf.by_name[".rel.text"]
    b = bytearray(base)
    off, info = struct.unpack_from("<II", base, rt.offset)
    put32(b, rt.offset + 4, (info & ~0xFF) | R_ARM_ABS32)
    yield "an R_ARM_ABS32 relocation in code", "text-abs-reloc", b

    rd = elf.by_name[".rel.data"]
    b = bytearray(base)
    off, info = struct.unpack_from("<II", base, rd.offset)
    put32(b, rd.offset + 4, (info & ~0xFF) | 3)
    yield ".rel.data entry of type R_ARM_REL32", "reldata", b

    b = bytearray(base)
    put32(b, rd.offset, 0x10)
    yield ".rel.data entry outside .data", "reldata", b

    b = bytearray(base)
    put32(b, sh_field(rd, 5), 0)  # drop every entry: pointers lose their fixup
    yield "empty .rel.data with pointers in .data", "reldata", b

    stk = elf.by_name[".stack"]
    b = bytearray(base)
    put32(b, sh_field(stk, 3), 0x100)
    yield ".stack not at RAM 0", "stack", b

    got = elf.by_name[".got"]
    b = bytearray(base)
    put32(b, got.offset, 0x7FFFFFF0)
    yield "GOT word pointing nowhere", "got", b


def self_test(path):
    good = open(path, "rb").read()
    elf = Elf(good)
    findings = check(good, runtime=True, reldata="yes")
    if findings:
        print("self-test: the good ELF already fails: %s" % findings)
        return 1
    failures = 0
    count = 0
    for desc, cid, data in mutations(elf):
        count += 1
        try:
            ids = {f[0] for f in check(data, runtime=True, reldata="yes")}
        except (BadElf, struct.error, IndexError, ValueError) as e:
            ids = {"<crash: %s>" % e}
        if cid in ids:
            print("ok      %-45s -> %s" % (desc, cid))
        else:
            print("MISSED  %-45s expected %s, got %s" % (desc, cid, sorted(ids) or "nothing"))
            failures += 1
    print("self-test: %d of %d corruptions found" % (count - failures, count))
    return 1 if failures else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("elf")
    ap.add_argument("--stack", type=int, help="expected STACK_SIZE")
    ap.add_argument("--runtime", action="store_true",
                    help="the app links the grantsim runtime (crt0, syscalls)")
    ap.add_argument("--reldata", choices=("yes", "no", "any"), default="any")
    ap.add_argument("--expect", help="comma-separated finding ids that must be reported")
    ap.add_argument("--self-test", action="store_true")
    args = ap.parse_args()

    try:
        if args.self_test:
            return self_test(args.elf)
        data = open(args.elf, "rb").read()
        findings = check(data, stack=args.stack, runtime=args.runtime, reldata=args.reldata)
    except (OSError, BadElf, struct.error) as e:
        print("%s: cannot check: %s" % (args.elf, e))
        return 2

    for cid, msg in findings:
        print("%s: [%s] %s" % (args.elf, cid, msg))
    if args.expect:
        wanted = set(args.expect.split(","))
        unknown = wanted - set(CHECKS)
        if unknown:
            print("unknown ids: %s" % sorted(unknown))
            return 2
        missing = wanted - {f[0] for f in findings}
        if missing:
            print("%s: expected findings not reported: %s" % (args.elf, sorted(missing)))
            return 1
        print("%s: rejected as expected (%s)" % (args.elf, ", ".join(sorted(wanted))))
        return 0
    if not findings:
        print("%s: ABI ok" % args.elf)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
