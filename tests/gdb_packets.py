#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The gdb stub's packet layer, spoken raw over its socket (no gdb needed).

  gdb_packets.py GRANTSIM GDB_DEMO_SCENARIO SPIN_SCENARIO

Checks acks and checksums, the replies' own checksums, garbage between
packets, a '$' that restarts a packet, an oversized packet, malformed
packets of every command (each gets an error or empty reply, and the stub
still answers afterwards), the target description and thread list (parsed
with python's XML parser), unmapped reads (E01), no-ack mode, monitor output
as O packets, the fault stop (T0b) with the report before it, gdb's
interrupt (0x03 -> T02) on a process that never makes a syscall, kill, and
clients that vanish mid-packet or while the target runs: the stub must not
crash or hang, and the run must end as it would without gdb.
"""
import re
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

EXE, DEMO, SPIN = sys.argv[1:4]
TIMEOUT = 120  # generous: the machine may be loaded
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


class Stub:
    """A `grantsim gdb` process on a free port."""

    def __init__(self, scenario, *extra):
        self.p = subprocess.Popen([EXE, "gdb", scenario, "--port", "0", *extra],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.err = []
        self.port = None
        deadline = time.time() + TIMEOUT
        while time.time() < deadline:
            line = self.p.stderr.readline().decode()
            if not line:
                break
            self.err.append(line)
            m = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
            if m:
                self.port = int(m.group(1))
                break
        if self.port is None:
            raise SystemExit("grantsim gdb did not listen: " + "".join(self.err))

    def finish(self):
        try:
            out, err = self.p.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.p.kill()
            out, err = self.p.communicate()
            failures.append("grantsim gdb did not end (hang)")
        self.err.append(err.decode())
        return self.p.returncode, out.decode(), "".join(self.err)


class Client:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        self.buf = b""
        self.ack = True

    def raw(self, b):
        self.s.sendall(b)

    def byte(self):
        while not self.buf:
            d = self.s.recv(65536)
            if not d:
                raise EOFError
            self.buf += d
        c, self.buf = self.buf[:1], self.buf[1:]
        return c

    def frame(self, data):
        return b"$" + data + b"#%02x" % (sum(data) & 0xFF)

    def send(self, data):
        self.raw(self.frame(data))
        if self.ack:
            c = self.byte()
            check(c == b"+", f"no ack for {data[:40]!r}: {c!r}")

    def packet(self):
        """The next packet from the stub (its checksum checked), acked."""
        while self.byte() != b"$":
            pass
        data = b""
        while True:
            c = self.byte()
            if c == b"#":
                break
            data += c
        cs = self.byte() + self.byte()
        check(int(cs, 16) == sum(data) & 0xFF, f"bad checksum from the stub on {data[:40]!r}")
        if self.ack:
            self.raw(b"+")
        return data

    def cmd(self, data):
        """Sends a command; returns (console text of O packets, the reply)."""
        self.send(data)
        text = b""
        while True:
            r = self.packet()
            if r.startswith(b"O") and r != b"OK":
                text += bytes.fromhex(r[1:].decode())
                continue
            return text.decode(errors="replace"), r

    def close(self):
        self.s.close()


def hexs(s):
    return s.encode().hex().encode()


# ---------------------------------------------------------------- session 1
st = Stub(DEMO)
c = Client(st.port)
_, r = c.cmd(b"qSupported:multiprocess+;swbreak+;xmlRegisters=arm")
check(b"PacketSize=4000" in r and b"qXfer:features:read+" in r and b"qXfer:threads:read+" in r
      and b"vContSupported+" in r, f"qSupported: {r!r}")
# A bad checksum is refused with '-'; garbage between packets is ignored.
c.raw(b"$?#00")
check(c.byte() == b"-", "bad checksum not answered with '-'")
c.raw(b"garbage\x00\xff\x7d#1234")
_, r = c.cmd(b"?")
check(r.startswith(b"T05thread:1;"), f"first stop: {r!r}")
stop_pc = re.search(rb"0f:([0-9a-f]{8});", r)
# A '$' inside a packet starts a new one (the first was cut short).
c.raw(b"$qSup" + c.frame(b"qC"))
check(c.byte() == b"+", "no ack after a restarted packet")
r = c.packet()
check(r == b"QC1", f"qC after a restarted packet: {r!r}")
# An oversized packet: acked, refused with E02.
c.send(b"m" + b"0" * 20000)
check(c.packet() == b"E02", "oversized packet not refused with E02")

# Target description in small pieces.
xml, off = b"", 0
while True:
    _, r = c.cmd(b"qXfer:features:read:target.xml:%x,40" % off)
    check(r[:1] in (b"m", b"l"), f"qXfer reply {r[:20]!r}")
    xml += r[1:]
    off += len(r) - 1
    if r[:1] != b"m" or off > 100000:
        break
root = ET.fromstring(xml)
feat = root.find("feature")
check(feat is not None and feat.get("name") == "org.gnu.gdb.arm.m-profile", "m-profile feature")
names = [e.get("name") for e in feat.iter("reg")] if feat is not None else []
check(names == [f"r{i}" for i in range(13)] + ["sp", "lr", "pc", "xpsr"], f"registers {names}")
_, r = c.cmd(b"qXfer:threads:read::0,fff")
check(r[:1] == b"l", "threads in one piece")
threads = ET.fromstring(r[1:])
tn = {t.get("id"): t.get("name") for t in threads.iter("thread")}
check(tn == {"1": "gdb_demo", "2": "hello"}, f"threads {tn}")
_, r = c.cmd(b"qXfer:exec-file:read:1:0,fff")
check(r.startswith(b"l/") and r.endswith(b"/gdb_demo.elf"), f"exec-file {r!r}")
_, r = c.cmd(b"qfThreadInfo")
check(r == b"m1,2", f"qfThreadInfo {r!r}")

# Registers: 17 words; pc matches the stop reply's expedited value.
_, regs = c.cmd(b"g")
check(len(regs) == 17 * 8 and re.fullmatch(rb"[0-9a-f]+", regs), f"g: {regs[:40]!r}")
check(stop_pc and regs[15 * 8:16 * 8] == stop_pc.group(1), "g's pc is the stop reply's")
_, r = c.cmd(b"pf")
check(stop_pc and r == stop_pc.group(1), f"p f: {r!r}")

# Memory: flash reads, unmapped reads are E01, a RAM write reads back.
_, r = c.cmd(b"m30000,8")
check(len(r) == 16, f"flash read: {r!r}")
_, r = c.cmd(b"m10000000,4")
check(r == b"E01", f"unmapped read: {r!r}")
_, r = c.cmd(b"M20001f00,4:11223344")
check(r == b"OK", f"M: {r!r}")
_, r = c.cmd(b"X20001f04,4:" + b"\x7d\x03\x7d\x04\x7d\x5d\x7d\x0a")  # '#', '$', '}', '*'
check(r == b"OK", f"X: {r!r}")
_, r = c.cmd(b"m20001f00,8")
check(r == b"11223344" + b"#$}*".hex().encode(), f"read back: {r!r}")
# Flash writes too (the TBF header, read only at load time), then put back.
_, orig = c.cmd(b"m30000,4")
_, r = c.cmd(b"M30000,4:a1b2c3d4")
check(r == b"OK", f"flash M: {r!r}")
_, r = c.cmd(b"m30000,4")
check(r == b"a1b2c3d4", f"flash read back: {r!r}")
_, r = c.cmd(b"M30000,4:" + orig)
check(r == b"OK" and c.cmd(b"m30000,4")[1] == orig, "flash restored")

# Malformed packets: each gets an error (or "not supported") and nothing breaks.
bad = [b"m", b"mzz,4", b"m1,", b"m-1,4", b"m1,2,3", b"M30000,4:zz", b"M20000000,4:00",
       b"X20000000,2:a", b"X20000000,1:}", b"Z0,", b"Z0,zz,2", b"z0,30000,2", b"Z9,1,2",
       b"Z2,20000000,0", b"Hgz", b"Hg99", b"Hx1", b"pzz", b"P0=zz", b"P0", b"G00", b"gg",
       b"vCont;x", b"vCont;s:99", b"vCont;", b"qXfer:features:read:target.xml:zz",
       b"qXfer:features:read:other.xml:0,10", b"qRcmd,zz", b"qRcmd,0", b"qThreadExtraInfo,zz",
       b"T99", b"Tzz", b"Czz", b"C05;zz", b"S", b"czz", b"s-1", b"c100000000", b"jfoo",
       b"\x00\x01", b"}", b"qXfer:threads:read::,"]
for b in bad:
    _, r = c.cmd(b)
    check(r == b"" or r.startswith(b"E"), f"malformed {b!r} answered {r!r}")
_, r = c.cmd(b"?")
check(r.startswith(b"T05thread:1;"), f"still stopped at the first stop after the bad packets: {r!r}")
_, r = c.cmd(b"p99")
check(r.startswith(b"E"), "p of a register outside the description")

# No-ack mode from here.
_, r = c.cmd(b"QStartNoAckMode")
check(r == b"OK", "QStartNoAckMode")
c.ack = False
text, r = c.cmd(b"qRcmd," + hexs("grants"))
check(r == b"OK" and 'process 0 "gdb_demo"' in text and "driver 0x1 (console)" in text,
      f"monitor grants: {text!r} {r!r}")
text, r = c.cmd(b"qRcmd," + hexs("no-such-command"))
check(r == b"OK" and "unknown monitor command" in text, "unknown monitor command")
text, r = c.cmd(b"qRcmd," + hexs("explain 0x20000000"))
check(r == b"OK" and "0x20000000: RAM" in text, f"monitor explain: {text!r}")
# Run to the fault: the console output and the fault report come first, then T0b.
text, r = c.cmd(b"vCont;c")
check("gdb_demo: counter 6" in text, "console output reaches gdb")
check("Process gdb_demo faulted: data read refused by the MPU" in text, "fault report")
check(r.startswith(b"T0bthread:1;"), f"fault stop: {r!r}")
# A client that disconnects mid-packet: the run goes on to its end.
c.raw(b"$qSupp")
c.close()
code, out, err = st.finish()
check(code == 0 and "PASS" in out, f"after a disconnect the run ends as without gdb: {code} {out!r}")
check("gdb disconnected" in err, "disconnect reported")

# ---------------------------------------------------------------- session 2
# Interrupt a process that never makes a syscall, then kill.
st = Stub(SPIN)
c = Client(st.port)
c.ack = False
c.raw(b"+")
_, r = c.cmd(b"qRcmd," + hexs("stop-on-exit off"))
c.raw(c.frame(b"vCont;c"))
time.sleep(0.5)
c.raw(b"\x03")
r = c.packet()
check(r.startswith(b"T02thread:1;"), f"interrupt: {r!r}")
_, regs = c.cmd(b"g")
check(len(regs) == 17 * 8, "registers after the interrupt")
c.raw(c.frame(b"k"))
code, out, err = st.finish()
check(code == 0 and "killed" in err, f"kill: exit {code}, {err!r}")
c.close()

# ---------------------------------------------------------------- session 3
# A client that vanishes while the target runs.
st = Stub(DEMO)
c = Client(st.port)
c.raw(c.frame(b"c"))
c.close()
code, out, err = st.finish()
check(code == 0 and "PASS" in out, f"gone while running: exit {code} {out!r}")

# ---------------------------------------------------------------- session 4
# Garbage only, then gone: nothing crashes, the run ends.
st = Stub(DEMO)
c = Client(st.port)
c.raw(bytes(range(256)) * 8 + b"$" + b"\xff" * 100)
c.close()
code, out, err = st.finish()
check(code == 0 and "PASS" in out, f"garbage then gone: exit {code} {out!r}")

print(f"gdb_packets: {len(failures)} failure(s)")
sys.exit(1 if failures else 0)
