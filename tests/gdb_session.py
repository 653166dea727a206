#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`grantsim gdb` driven by a real gdb (gdb-multiarch or arm-none-eabi-gdb).

  gdb_session.py GRANTSIM SCENARIO GDB_DEMO_ELF

SCENARIO is scenarios/app-gdb-demo.json: apps/gdb_demo (process 0) adds
1..3 into `counter` through bump() and then faults loading kernel memory;
hello (process 1) prints and exits. Session A loads the symbols with the
add-symbol-file line the stub prints and checks breakpoints, arguments,
finish, a watchpoint, variables, threads, monitor output and the SIGSEGV
stop at the faulting instruction with the fault report, then kills. It runs
twice and must give the same stops (nothing in the simulation depends on
the host's clock). Session B loads the ELF with `file` (qOffsets relocates
it), steps with `next` and `step`, and runs to the end: gdb sees the target
exit with the scenario's verdict (0). Session C gives gdb no file at all:
it reads the ELF the stub names (qXfer:exec-file) and relocates it; session
D does that with the app file itself as grantsim's input (the default
board of `grantsim run APP`).

Exits 77 (skipped) only when no gdb for ARM is installed.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

EXE, SCENARIO, ELF = sys.argv[1:4]
TIMEOUT = 300  # gdb and the stub share a loaded machine: be generous
GDB = shutil.which("gdb-multiarch") or shutil.which("arm-none-eabi-gdb")
if not GDB:
    print("gdb_session: no gdb-multiarch or arm-none-eabi-gdb (scripts/setup installs it): skipped")
    sys.exit(77)

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def session(commands, inputs=None):
    """Starts the stub on `inputs` (default: the scenario), runs gdb with
    `commands` (a function of the stub's stderr lines and port), returns
    (gdb output, stub exit, stdout, stderr)."""
    p = subprocess.Popen([EXE, "gdb", *(inputs or [SCENARIO]), "--port", "0"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    lines, port = [], None
    deadline = time.time() + TIMEOUT
    while time.time() < deadline:
        line = p.stderr.readline()
        if not line:
            break
        lines.append(line)
        m = re.search(r"gdb stub listening on 127\.0\.0\.1:(\d+)", line)
        if m:
            port = int(m.group(1))
            break
    if port is None:
        p.kill()
        raise SystemExit("grantsim gdb did not listen:\n" + "".join(lines) + p.stderr.read())
    with tempfile.NamedTemporaryFile("w", suffix=".gdb", delete=False) as f:
        f.write(commands(lines, port))
        script = f.name
    try:
        g = subprocess.run([GDB, "-batch", "-nx", "-x", script], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=TIMEOUT)
        out = g.stdout
    finally:
        os.unlink(script)
    try:
        sout, serr = p.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        p.kill()
        sout, serr = p.communicate()
        failures.append("grantsim gdb did not end after gdb")
    return out, p.returncode, sout, "".join(lines) + serr


def commands_a(lines, port):
    sym = [l.strip() for l in lines if l.startswith("add-symbol-file")]
    check(len(sym) == 2, f"one add-symbol-file line per ELF process: {sym}")
    check(any("gdb_demo.elf -s .text 0x" in s for s in sym), "the line names gdb_demo's .text")
    return "\n".join([
        "set architecture arm",
        "set pagination off",
        f"target remote :{port}",
        sym[0] if sym else "",
        "info threads",
        "break bump",
        "continue",
        "print by",
        "finish",
        "print counter",
        "delete 1",
        "watch counter",
        "continue",
        "delete",
        "print rounds",
        "monitor grants",
        "monitor layout gdb_demo",
        "continue",
        "print/x $pc",
        "info threads",
        "monitor explain 0x20001ad4",
        "kill",
        "",
    ])


def stops(out):
    """The stop lines of a session (what must not differ between two runs)."""
    keep = re.compile(r"hit Breakpoint|hit Hardware|received signal|Old value|New value|^\$\d+ = ")
    return [l for l in out.splitlines() if keep.search(l)]


out, code, sout, serr = session(commands_a)
print(out)
check(re.search(r'Thread 1 "gdb_demo" hit Breakpoint 1, bump \(by=(by@entry=)?1\)', out),
      "break bump: first hit with by = 1")
check(re.search(r"^\$1 = 1$", out, re.M), "print by")
check(re.search(r"^Value returned is \$2 = 1$", out, re.M), "finish returns 1")
check(re.search(r"^\$3 = 1$", out, re.M), "print counter after the first bump")
check("Hardware watchpoint 2: counter" in out and "Old value = 1" in out and
      "New value = 3" in out, "the watchpoint sees counter go from 1 to 3")
check(re.search(r"^\$4 = 3$", out, re.M), "print rounds (.data, relocated to memory_start)")
check('process 0 "gdb_demo"' in out and "grant 0 driver 0x1 (console)" in out, "monitor grants")
check("Memory map, high addresses first" in out and "differences:" in out, "monitor layout")
check(re.search(r'Thread 2 "hello"', out), "info threads lists hello")
m = re.search(r"Process gdb_demo faulted: data read refused by the MPU at 0x([0-9A-F]{8}), "
              r"instruction 0x([0-9A-F]{8})", out)
check(m, "the fault report reaches gdb's console")
check("received signal SIGSEGV" in out, "the MPU fault is a SIGSEGV stop")
pc = re.search(r"^\$5 = (0x[0-9a-f]+)$", out, re.M)
check(m and pc and int(pc.group(1), 16) == int(m.group(2), 16),
      "the SIGSEGV stop is at the faulting instruction of the report")
check(pc and re.search(r"0x0*%x in main \(\) at .*gdb_demo/main\.c:\d+" % int(pc.group(1), 16),
                      out), "the fault is in main")
check(m and m.group(1) == "20001AD4", "the fault address is the grant region's start")
check("grant 0 of driver 0x1 (console)" in out, "monitor explain names the grant")
check("[Inferior 1 (Remote target) killed]" in out, "gdb killed the target")
check(code == 0 and "gdb killed the run" in serr, f"grantsim after kill: exit {code}")

# The same session again: the same stops.
out2, code2, _, _ = session(commands_a)
check(stops(out) == stops(out2) and stops(out), "two runs of the same session stop the same way")


def commands_b(lines, port):
    return "\n".join([
        "set architecture arm",
        "set pagination off",
        f"file {ELF}",
        f"target remote :{port}",
        "break main",
        "continue",
        "next",
        "next",
        "step",
        "bt 1",
        "monitor stop-on-exit off",
        "continue",
        "continue",
        "",
    ])


out, code, sout, serr = session(commands_b)
print(out)
check(re.search(r"hit Breakpoint 1, main \(\) at .*gdb_demo/main\.c", out),
      "qOffsets: break main hits in the relocated ELF")
check(re.search(r"^#0 +bump \(by=", out, re.M), "step enters bump")
check("received signal SIGSEGV" in out, "session B reaches the fault")
check("Hello from grantsim, the answer is 42" in out, "hello's console output reaches gdb")
check("[Inferior 1 (Remote target) exited normally]" in out, "the end of the run is W00")
check(code == 0 and "PASS" in sout, f"the verdict: exit {code}, {sout!r}")



def commands_c(lines, port):
    return "\n".join([
        "set pagination off",
        f"target remote :{port}",
        "info symbol $pc",
        "break bump",
        "continue",
        "print by",
        "kill",
        "",
    ])


out, code, sout, serr = session(commands_c)
print(out)
check(re.search(r"Reading symbols from .*gdb_demo\.elf", out), "exec-file: gdb loads the ELF itself")
check("_start in section .text" in out, "exec-file: symbols relocated (qOffsets)")
check(re.search(r"hit Breakpoint 1, bump \(by=(by@entry=)?1\)", out), "exec-file: break bump")

out, code, sout, serr = session(commands_c, [ELF])
print(out)
check(re.search(r"Breakpoint 1, bump \(by=(by@entry=)?1\)", out), "app file input: break bump")
check(code == 0 and "gdb killed the run" in serr, f"app file input: exit {code}")

print(f"gdb_session: {len(failures)} failure(s)")
sys.exit(1 if failures else 0)
