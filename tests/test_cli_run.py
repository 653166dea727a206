#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""grantsim run / trace from the outside: exit codes (0 pass, 1 expectation
failed, 2 bad input or usage, 3 oracle finding or unexpected panic, the worst
one winning), --case, --json, directories, the summary line, the rerun
command, and byte-identical traces; grantsim layout / explain on a scenario
file at a chosen moment.

    test_cli_run.py GRANTSIM
"""
import json
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import check, finish, run_cmd  # noqa: E402

G = os.path.abspath(sys.argv[1])


def run(*args, cwd=None):
    return run_cmd([G] + list(args), cwd=cwd)


def write(d, name, doc):
    with open(os.path.join(d, name), "w") as f:
        f.write(doc if isinstance(doc, str) else json.dumps(doc, indent=1))


SCRIPT = {"grantsim": 1, "drivers": [{"type": "test"}],
          "processes": [{"name": "s", "script": [
              {"command": {"driver": "0x90000", "cmd": 0}, "expect": "Success"}]}]}
WRONG = json.loads(json.dumps(SCRIPT))
WRONG["processes"][0]["script"][0]["expect"] = {"variant": "Failure", "error": "NODEVICE"}
FINDING = {"grantsim": 1, "drivers": [{"type": "test", "check_t_bounds": False}],
           "processes": [{"name": "s", "script": [
               {"command": {"driver": "0x90000", "cmd": 2, "arg0": 16, "arg1": 1}}]}]}
CASES = json.loads(json.dumps(SCRIPT))
CASES["cases"] = [{"id": "head"}, {"id": "old", "board": {"profile": "2.2", "pcb_size": 600}}]
GRANT = {"grantsim": 1, "drivers": [{"type": "test"}],
         "processes": [{"name": "s", "script": [
             {"command": {"driver": "0x90000", "cmd": 2, "arg0": 0, "arg1": 7}},
             {"command": {"driver": "0x90000", "cmd": 0}}]}]}
KNOWN = json.loads(json.dumps(WRONG))
KNOWN["known_divergence"] = "demonstration: the expectation is wrong on purpose"

with tempfile.TemporaryDirectory() as d:
    write(d, "pass.json", SCRIPT)
    write(d, "wrong.json", WRONG)
    write(d, "finding.json", FINDING)
    write(d, "cases.json", CASES)
    write(d, "known.json", KNOWN)
    write(d, "grant.json", GRANT)
    write(d, "broken.json", '{"grantsim": 1,\n "processes": [\n')
    os.mkdir(os.path.join(d, "lib"))
    write(os.path.join(d, "lib"), "a.json", SCRIPT)
    write(os.path.join(d, "lib"), "b.json", CASES)
    write(os.path.join(d, "lib"), "schema.json", "{\"not\": \"a scenario\"}")

    code, out, err = run("run")
    check(code == 2 and "Usage: grantsim run" in err, "no file is a usage error (2)", err)
    code, out, err = run("run", "--crlf", "pass.json", cwd=d)
    check(code == 2 and "--crlf is for app files" in err, "--crlf with scenario files", err)
    code, out, err = run("run", "--frobnicate", "pass.json", cwd=d)
    check(code == 2 and "unknown option" in err, "an unknown option is a usage error", err)

    code, out, err = run("run", "pass.json", cwd=d)
    check(code == 0 and out.endswith("1 passed, 0 failed\n") and "PASS  pass.json" in out,
          "a passing file exits 0 with the summary line", out)

    code, out, err = run("run", "wrong.json", cwd=d)
    check(code == 1, "a wrong expectation exits 1", out)
    for s in ["FAIL wrong.json: 1 expectation failed",
              ": processes[0].script[0].expect\n",
              "      expected: Failure, r1 NODEVICE (11)",
              "      actual:   Success (r0 0x80",
              "  memory maps at each failure: rerun with --verbose\n",
              "  rerun: grantsim run wrong.json\n",
              "0 passed, 1 failed"]:
        check(s in out, "the failure report shows %r" % s, out)
    check("memory map of" not in out and len(out.splitlines()) < 15,
          "the default failure report is compact", out)
    code, out, err = run("run", "--verbose", "wrong.json", cwd=d)
    for s in ["    memory map of \"s\" after step 0",
              "    |  MPU regions of the process's config"]:
        check(s in out, "--verbose shows the map: %r" % s, out)
    check(re.search(r"^  wrong\.json:\d+:\d+: processes", out, re.M) is not None,
          "the failure names file:line:col", out)
    # A value near the process is said against its nearest named boundary, with
    # the line of the memory map that holds it.
    near = {"grantsim": 1, "drivers": [{"type": "test"}],
            "processes": [{"name": "s", "then": "yield", "script": [
                {"command": {"driver": "0x90000", "cmd": 2, "arg0": 0, "arg1": 7}}]}],
            "expect": {"processes": {"s": {"kernel_break": {"end": "-0x600"}}}}}
    write(d, "near.json", near)
    code, out, err = run("run", "near.json", cwd=d)
    check(code == 1 and "(end-0x600 = kernel_break-0xdc)" in out and
          "(kernel_break; +0xdc from the expected)" in out and
          re.search(r"at 0x20000ADC: 0x20000ADC  0x20000AE0 .*grant 0 \[0x90000 test\] counters",
                    out) is not None, "a value against its nearest boundary, and its map line", out)
    # A failed step's register is said against the boundaries right after the
    # step (the brk moved the app break there), with its map line.
    step = {"grantsim": 1, "processes": [{"name": "s", "then": "yield", "script": [
        {"memop": {"op": "brk", "arg": {"ram": "0x800"}}, "expect": "Success"},
        {"memop": {"op": "sbrk", "arg": 0},
         "expect": {"variant": "SuccessU32", "r1": {"ram": "0x810"}}}]}]}
    write(d, "step.json", step)
    code, out, err = run("run", "step.json", cwd=d)
    check(code == 1 and "(r1 app_break+0x10)" in out and
          "; r1 app_break, -0x10 from the expected" in out and
          re.search(r"at 0x20000800: 0x20000800 ", out) is not None,
          "a step's register against the boundary after the step, and its map line", out)
    code, out, err = run("run", "--no-maps", "wrong.json", cwd=d)
    check(code == 1 and "memory map" not in out, "--no-maps leaves the maps out", out)

    code, out, err = run("run", "finding.json", cwd=d)
    check(code == 3 and "UNEXPECTED ownership:" in out, "an unexpected finding exits 3", out)

    code, out, err = run("run", "broken.json", cwd=d)
    check(code == 2 and "broken.json:3:1: invalid JSON" in out,
          "bad JSON exits 2 with a position", out)
    code, out, err = run("run", "missing.json", cwd=d)
    check(code == 2 and "missing.json: cannot read" in out, "a missing file exits 2", out)

    code, out, err = run("run", "wrong.json", "finding.json", "pass.json", cwd=d)
    check(code == 3 and "1 passed, 2 failed" in out, "a finding outranks a failure", out)
    code, out, err = run("run", "finding.json", "broken.json", cwd=d)
    check(code == 2, "bad input outranks everything", out)

    code, out, err = run("run", "cases.json", cwd=d)
    check(code == 0 and "[case head]" in out and "[case old]" in out and
          "2 passed, 0 failed" in out, "every case runs", out)
    code, out, err = run("run", "--case", "old", "cases.json", cwd=d)
    check(code == 0 and "[case old]" in out and "[case head]" not in out,
          "--case runs one case", out)
    code, out, err = run("run", "--case", "new", "cases.json", cwd=d)
    check(code == 2 and "no case \"new\" (its cases: head, old)" in out,
          "an unknown case is bad input and lists the cases", out)
    code, out, err = run("run", "--case", "x", "pass.json", cwd=d)
    check(code == 2 and "the file has no cases" in out, "--case on a file without cases", out)

    code, out, err = run("run", "known.json", cwd=d)
    check(code == 0 and "KNOWN DIVERGENCE known.json" in out and
          "known divergence (the scenario is expected to fail): demonstration" in out and
          "1 passed, 0 failed (1 of the passed are known divergences" in out,
          "a known divergence is reported apart and exits 0", out)

    code, out, err = run("run", "lib", cwd=d)
    check(code == 0 and "3 passed, 0 failed" in out and "schema.json" not in out,
          "a directory runs every scenario in it but schema.json", out)

    code, out, err = run("run", "--json", "pass.json", "wrong.json", "broken.json", cwd=d)
    try:
        doc = json.loads(out)
    except ValueError:
        doc = None
    check(doc is not None, "--json prints one JSON document", out)
    if doc:
        check(doc["passed"] == 1 and doc["failed"] == 2 and doc["exit"] == 2 and code == 2,
              "--json counts and exit", out)
        st = [r["status"] for r in doc["results"]]
        check(st == ["pass", "fail", "error"], "--json statuses " + repr(st), out)
        fl = doc["results"][1]["failures"][0]
        check(fl["expected"].startswith("Failure") and fl["memory_map"] and
              fl["process"] == "s" and doc["results"][1]["rerun"] == "wrong.json",
              "--json failure fields", out)
        check(doc["results"][2]["line"] == 3 and doc["results"][2]["column"] == 1,
              "--json error position", out)

    code1, t1, e1 = run("trace", "pass.json", cwd=d)
    code2, t2, e2 = run("trace", "pass.json", cwd=d)
    check(code1 == 0 and t1 == t2 and " syscall command(0x90000, 0x0, 0x0, 0x0)\n" in t1 and
          " return Success\n" in t1 and " grant 0 (driver 0x90000) allocated at 0x" in t1,
          "two traces are identical and show the syscalls", t1 + e1)
    check("PASS  pass.json" in e1, "trace reports the verdict on stderr", e1)
    # A process the loader skips (kernel/src/process_loading.rs goes on past
    # NotEnoughMemory) has a line with its reason; the next one is created.
    write(d, "skip.json", {"grantsim": 1, "board": {"ram": {"base": "0x20000000", "size": "0x2000"}},
                           "processes": [{"name": "big", "min_ram": 65536, "script": []},
                                         {"name": "small", "script": []}],
                           "expect": {"processes": {"big": {"load_error": "NotEnoughMemory"}}}})
    code, t, e = run("trace", "skip.json", cwd=d)
    check(code == 0 and
          "- not loaded big: creating its process failed: NotEnoughMemory\n" in t and
          "p0:small created memory 0x20000000 len 0x1000\n" in t,
          "trace names a skipped process and its reason", t + e)
    code, t, e = run("trace", "cases.json", cwd=d)
    check(code == 2 and "choose one with --case: head old" in e, "trace needs --case", e)
    code, ta, e = run("trace", "--case", "head", "cases.json", cwd=d)
    code, tb, e = run("trace", "--case", "old", "cases.json", cwd=d)
    check(ta != tb and ta.count("\n") > 3, "traces of two profiles differ (diffable)", ta)

    # layout / explain of a scenario process at a moment of the run.
    code, out, err = run("layout", "grant.json", cwd=d)
    check(code == 0 and "process 0 \"s\", at the end of the run" in err and
          "[Terminated]" in out and "---| grantsim layout: process 0 \"s\" |---" in out,
          "layout FILE shows the process at the end of the run", out + err)
    code, out, err = run("layout", "--step", "0", "--format", "json", "grant.json", cwd=d)
    try:
        lay = json.loads(out)
    except ValueError:
        lay = None
    check(code == 0 and lay is not None and "after 2 syscalls of incarnation 0" in err,
          "layout --step 0 --format json", out + err)
    g0 = lay["grants"][0] if lay else {}
    check(g0.get("allocated") and g0["decoded"]["t"]["bytes"].startswith("07000000"),
          "after step 0 the test grant is allocated and its T holds 7", out)
    code, out2, err = run("layout", "--syscalls", "2", "--format", "json", "grant.json", cwd=d)
    check(code == 0 and out2 == out, "--syscalls 2 is the moment of --step 0 (prologue brk "
          "+ the command)", err)
    code, out, err = run("layout", "--format", "svg", "--step", "0", "grant.json", cwd=d)
    check(code == 0 and out.startswith("<?xml") and "<rect class=\"region" in out and
          out.rstrip().endswith("</svg>"), "layout --format svg of a scenario", out[:400])
    if g0.get("allocated"):
        code, out, err = run("explain", "--step", "0", "grant.json", "0x%x" % g0["base"], cwd=d)
        check(code == 0 and "grant 0" in out and "counters" in out,
              "explain names the grant header at the grant's base", out + err)
        code, out, err = run("explain", "grant.json", "0x%x" % g0["base"], cwd=d)
        check(code == 0 and "grant 0" not in out and "at the end of the run" in err,
              "at the end of the run (terminated) the grant is gone", out + err)
    for args, msg, what in [
            (["--step", "5", "grant.json"], "has steps 0 to 1, not 5", "a step out of range"),
            (["--process", "t", "grant.json"], "has no process \"t\"; it has: 0 \"s\"",
             "an unknown process"),
            (["--step", "0", "--syscalls", "1", "grant.json"], "not both", "--step and --syscalls"),
            (["--example", "grant.json"], "either --example or one scenario FILE",
             "--example and a file"),
            (["--format", "png", "grant.json"], "unknown format \"png\"", "an unknown format"),
            (["cases.json"], "choose one with --case: head old", "a file with cases"),
            (["broken.json"], "broken.json:3:1", "a broken file")]:
        code, out, err = run("layout", *args, cwd=d)
        check(code == 2 and msg in err, "layout: %s exits 2 and says so" % what, err)
    code, out, err = run("layout", "--syscalls", "999", "grant.json", cwd=d)
    check(code == 0 and "never came" in err, "a moment that never comes is said so", err)
    code, out, err = run("explain", "grant.json", cwd=d)
    check(code == 2 and "needs an address" in err, "explain FILE without an address", err)

finish()
