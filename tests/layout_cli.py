#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks `grantsim layout` and `grantsim explain` on the built-in example.

The JSON is parsed with python's json module and the SVG with its XML
parser (an implementation independent of grantsim's own writers); the number
of region rectangles in the SVG must equal the number of regions in the JSON.
Usage errors must exit with status 2 and say what is wrong.
"""
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

EXE = sys.argv[1]
SVG = "{http://www.w3.org/2000/svg}"
failures = []


def run(*args):
    return subprocess.run([EXE, *args], capture_output=True, text=True, timeout=60)


def check(cond, what):
    if not cond:
        failures.append(what)


for proc in ("0", "1"):
    r = run("layout", "--example", "--format", "json", "--process", proc)
    check(r.returncode == 0, f"layout json --process {proc}: exit {r.returncode} {r.stderr}")
    model = json.loads(r.stdout)
    check(model["process"]["index"] == int(proc), "json process index")
    regions = model["regions"]
    check(regions[0]["start"] == model["process"]["memory_start"], "regions start at memory_start")
    check(regions[-1]["end"] == model["process"]["memory_end"], "regions end at memory_end")
    for a, b in zip(regions, regions[1:]):
        check(a["end"] == b["start"], f"regions not contiguous at {a['end']:#x}")

    r = run("layout", "--example", "--format", "svg", "--process", proc)
    check(r.returncode == 0, f"layout svg --process {proc}: exit {r.returncode}")
    root = ET.fromstring(r.stdout)
    check(root.tag == SVG + "svg", "svg root element")
    rects = [e for e in root.iter(SVG + "rect") if e.get("class", "").startswith("region ")]
    check(len(rects) == len(regions), f"svg has {len(rects)} region rects, json {len(regions)}")
    check(all(e.find(SVG + "title") is not None for e in rects), "every region rect has a title")

r = run("layout", "--example")
check(r.returncode == 0, "layout text exit")
check(r.stdout.startswith("\U0001d400\U0001d429\U0001d429: blink"), "text starts with the overview")
check("IPC buffer shared by process 1 \"client\"" in r.stdout, "text shows the IPC buffer")
check("differences: 0 leaks, 0 forbidden, 1 expected slack" in r.stdout, "text access summary")

model = json.loads(run("layout", "--example", "--format", "json").stdout)
check(model["mpu"]["regions"][3]["role"] == "IPC", "example maps an IPC region")
check(len(model["custom_grants"]) == 1, "example has a custom grant")
check(any(g["allocated"] and any(u["fn"] for u in g["decoded"]["upcalls"])
          for g in model["grants"]), "example has a set upcall slot")

# The example is a real run on the Cortex-M machine: blink sits in its
# Yield-Wait svc, so the stacked frame holds a PC inside its own TBF, the
# xPSR's Thumb bit and a PSP inside its stack (the fake, register-less example
# printed all zeros and "ThumbBit false !!ERROR - Cortex M Thumb only!").
text = run("layout", "--example").stdout
regs = dict(re.findall(r"^ +(PC|SP|LR|YPC) *: (0x[0-9A-F]{8})", text, re.M))
proc = model["process"]
check("ThumbBit true " in text and "!!ERROR" not in text, "example: the Thumb bit is set")
check(set(regs) == {"PC", "SP", "LR", "YPC"}, f"example: registers printed {regs}")
if set(regs) == {"PC", "SP", "LR", "YPC"}:
    pc, sp, lr = (int(regs[k], 16) for k in ("PC", "SP", "LR"))
    check(proc["flash_unprotected"] <= pc < proc["flash_end"] and pc % 2 == 0,
          f"example: PC {pc:#x} is an instruction of blink's binary")
    check(proc["flash_unprotected"] <= lr < proc["flash_end"] and lr % 2 == 1,
          f"example: LR {lr:#x} is a Thumb return address in blink's binary")
    check(proc["memory_start"] <= sp < proc["app_break"], f"example: PSP {sp:#x} in app memory")
    check(int(regs["YPC"], 16) == pc, "example: the yield PC is the stacked PC")
check(re.search(r"Stack +\d+ \| +\d+", text) is not None and "?????" not in text,
      "example: stack and heap are known (memop 10 and 11)")

# --crlf: the same text with every line ended "\r\n" (upstream's writer), and
# only text has it.
lf = subprocess.run([EXE, "layout", "--example"], capture_output=True).stdout
crlf = subprocess.run([EXE, "layout", "--example", "--crlf"], capture_output=True).stdout
check(crlf.replace(b"\r\n", b"\n") == lf and b"\r" not in lf, "--crlf only adds CRs")
check(crlf.count(b"\n") == crlf.count(b"\r\n") and crlf.count(b"\n") > 100,
      "--crlf ends every line with CR LF")
r = run("layout", "--example", "--crlf", "--format", "json")
check(r.returncode == 2 and "--crlf is for the text format" in r.stderr, "--crlf with json")
r = run("explain", "--example", "--crlf", "0x20006810")
check(r.returncode == 2 and "unknown option '--crlf'" in r.stderr, "explain has no --crlf")

r = run("explain", "--example", "0x20006810")
check(r.returncode == 0 and "process 1: app memory" in r.stdout, "explain IPC buffer")
r = run("explain", "--example", "--format", "json", "0x200059F0")
e = json.loads(r.stdout)
check(e["kind"] == "custom-grant", "explain json custom grant")

for args, msg in [
    ((), "Usage: grantsim"),
    (("layout",), "needs either --example or one scenario FILE"),
    (("layout", "--example", "--format", "png"), "unknown format"),
    (("layout", "--example", "--process", "7"), "no process 7"),
    (("layout", "--example", "--process", "x"), "process index"),
    (("layout", "--example", "--bogus"), "unknown option '--bogus'"),
    (("explain", "--example"), "needs an address"),
    (("explain", "--example", "0x1000000000"), "not a 32-bit address"),
    (("explain", "--example", "12zz"), "not a 32-bit address"),
    (("explain", "--example", "1", "2"), "one address"),
    (("frobnicate",), "unknown command"),
]:
    r = run(*args)
    check(r.returncode == 2, f"{args}: exit {r.returncode}, want 2")
    check(msg in r.stderr, f"{args}: stderr {r.stderr!r} lacks {msg!r}")

if failures:
    print("\n".join(failures))
    sys.exit(1)
print("ok")
