#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""grantsim trace --format chrome: a Trace Event Format document that
Perfetto and chrome://tracing open, checked for its structure: one JSON
object with traceEvents; a process_name for the kernel (pid 0) and each
process (pid 1 + slot); syscalls as complete events (ph X, cat syscall)
with the call and the result, never ending before they start; upcalls, IPC
notifications, grant allocations, MPU configurations and faults as
instant events with the text trace's line; times in simulated
microseconds; the same bytes on every run.

    trace_chrome.py GRANTSIM SCENARIOS_DIR
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import check, finish, run_cmd  # noqa: E402

G = os.path.abspath(sys.argv[1])
S = os.path.abspath(sys.argv[2])


def trace(*args):
    return run_cmd([G, "trace", "--format", "chrome"] + list(args), cwd=S)


def events(name, *args):
    rc, out, err = trace(*args)
    try:
        doc = json.loads(out)
    except ValueError as e:
        check(False, "%s: the output is JSON (%s)" % (name, e), out)
        return []
    check(isinstance(doc, dict) and isinstance(doc.get("traceEvents"), list),
          "%s: an object with traceEvents" % name, out[:500])
    ev = doc.get("traceEvents", [])
    for e in ev:
        ok = e.get("ph") in ("X", "i", "M") and isinstance(e.get("pid"), int) and "name" in e
        if e.get("ph") in ("X", "i"):
            ok = ok and isinstance(e.get("ts"), (int, float)) and e["ts"] >= 0
        if e.get("ph") == "X":
            ok = ok and e.get("cat") == "syscall" and e.get("dur", -1) >= 0 and \
                "call" in e.get("args", {}) and "result" in e.get("args", {})
        if e.get("ph") == "i":
            ok = ok and e.get("s") in ("p", "g") and e.get("args", {}).get("detail")
        if not ok:
            check(False, "%s: a well-formed event" % name, json.dumps(e))
            break
    names = {e["pid"]: e["args"]["name"] for e in ev if e.get("ph") == "M"}
    used = {e["pid"] for e in ev if e.get("ph") != "M"}
    check(used <= set(names), "%s: every pid has a process_name" % name, repr((used, names)))
    # The same bytes again.
    check(trace(*args)[1] == out, "%s: deterministic" % name)
    return ev


ev = events("ipc", "ipc-notify-share.json")
cats = {e.get("cat") for e in ev}
check({"syscall", "ipc", "mpu", "memory"} <= cats, "ipc: syscalls, IPC, MPU and grants", repr(cats))
check(any(e.get("ph") == "X" and e["args"]["call"].startswith("command(0x10000") for e in ev),
      "ipc: the IPC commands are syscall slices")
check(any(e.get("name") == "ipc-dispatch" for e in ev), "ipc: the dispatch instant",
      repr({e.get("name") for e in ev}))
check(any(e.get("name") == "upcall-delivered" for e in ev), "ipc: upcalls",
      repr({e.get("name") for e in ev}))

ev = events("fault", "fault-policies.json", "--case", "stop")
check(any(e.get("cat") == "fault" and "fault data read" in e["args"]["detail"] for e in ev),
      "fault: the fault instant", json.dumps([e for e in ev if e.get("ph") == "i"])[:1500])

ev = events("sleep", "driver-alarm.json")
xs = [e for e in ev if e.get("ph") == "X" and e["args"]["call"].startswith("yield")]
check(any(e["dur"] > 0 for e in xs), "a blocking yield has a duration", json.dumps(xs)[:800])

rc, out, err = trace("--format", "png", "yield-wait.json")
check(rc == 2 and "unknown format" in err, "an unknown format is refused", err)

finish()
