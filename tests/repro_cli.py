#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""grantsim repro from the outside: every program input kept in
fuzz/regress/ as known-SITE becomes a scenario that `grantsim run` passes,
that expects a finding at SITE, and that replays 10 of 10; an input with no
finding exits 1 and still writes a scenario that runs clean; bad targets and
missing inputs exit 2.

    repro_cli.py GRANTSIM FUZZDIR
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import check, finish, run_cmd  # noqa: E402

G = os.path.abspath(sys.argv[1])
FUZZ = os.path.abspath(sys.argv[2])


def run(*args):
    code, out, err = run_cmd([G] + list(args))
    return code, out + err


def site(finding_id):
    parts = finding_id.split(":")
    return parts[1] if len(parts) > 2 else ""


with tempfile.TemporaryDirectory() as d:
    inputs = []
    for target in ("fuzz-syscalls", "fuzz-ipc", "fuzz-machine"):
        rd = os.path.join(FUZZ, "regress", target)
        if os.path.isdir(rd):
            inputs += [(target, os.path.join(rd, f)) for f in sorted(os.listdir(rd))
                       if f.startswith("known-") and not f.endswith(".json")]
    check(len(inputs) >= 2, "at least two known program inputs in fuzz/regress")

    for target, path in inputs:
        want = os.path.basename(path)[len("known-"):]
        out_json = os.path.join(d, target + "-" + os.path.basename(path) + ".json")
        rc, out = run("repro", target, path, "-o", out_json)
        what = "repro %s %s" % (target, os.path.basename(path))
        check(rc == 0, what + ": exit 0", out)
        check("replays:     10 of 10" in out, what + ": replays 10 of 10", out)
        if not os.path.exists(out_json):
            check(False, what + ": wrote " + out_json, out)
            continue
        with open(out_json) as f:
            doc = json.load(f)
        expected = doc.get("expect", {}).get("findings", [])
        check(expected != [], what + ": the scenario expects findings", json.dumps(doc)[:400])
        # The finding the fuzzer saw is named in repro's output, and the
        # scenario expects that same id (one id in the fuzzer's output, the
        # reproducer and the scenario).
        line = [l for l in out.splitlines() if l.startswith("machine:")]
        check(line and site(line[0].split()[-1]) == want,
              what + ": the machine finding is at site " + want, out)
        check(line and line[0].split()[-1] in expected,
              what + ": the scenario expects the id repro printed", "%s / %s" % (line, expected))
        rc, rout = run("run", out_json)
        check(rc == 0 and "1 passed, 0 failed" in rout, what + ": grantsim run passes it", rout)
        # Without its expectations the scenario must fail with an oracle finding
        # (exit 3): the expectations are not vacuous.
        doc["expect"].pop("findings", None)
        bare = os.path.join(d, "bare.json")
        with open(bare, "w") as f:
            json.dump(doc, f)
        rc, rout = run("run", bare)
        check(rc == 3, what + ": without expect.findings the run reports a finding (exit 3)", rout)

    # A seed that finds nothing: exit 1, but the scenario is written and runs clean.
    seed = os.path.join(FUZZ, "seeds", "fuzz-syscalls", "allow-matrix")
    out_json = os.path.join(d, "seed.json")
    rc, out = run("repro", "fuzz-syscalls", seed, "-o", out_json)
    check(rc == 1 and "machine:     no finding" in out, "repro of a clean seed exits 1", out)
    rc, rout = run("run", out_json)
    check(rc == 0, "the clean seed's scenario passes", rout)

    # Without -o the scenario goes to the current directory, never next to the input;
    # --regress stores the input and the scenario in a source tree, and never overwrites.
    target, path = inputs[0]
    cwd = os.path.join(d, "cwd")
    os.makedirs(os.path.join(cwd, "scenarios"))
    os.makedirs(os.path.join(cwd, "fuzz", "regress"))
    for f in ("scenarios/meson.build", "fuzz/meson.build"):
        open(os.path.join(cwd, f), "w").close()
    before = sorted(os.listdir(os.path.dirname(path)))
    p = subprocess.run([G, "repro", target, path, "--runs", "1"], cwd=cwd, capture_output=True,
                       text=True, timeout=300)
    check(p.returncode == 0 and os.path.exists(os.path.join(cwd, os.path.basename(path) + ".json")),
          "plain repro writes INPUT's name + .json in the current directory", p.stdout + p.stderr)
    check(sorted(os.listdir(os.path.dirname(path))) == before, "nothing is written next to the input")
    p = subprocess.run([G, "repro", target, path, "--runs", "1", "--regress", "reg-test"], cwd=cwd,
                       capture_output=True, text=True, timeout=300)
    stored = os.path.join(cwd, "fuzz", "regress", target, "reg-test")
    check(p.returncode == 0 and open(stored, "rb").read() == open(path, "rb").read() and
          os.path.exists(os.path.join(cwd, "scenarios", "reg-test.json")) and
          "scenario_files" in p.stdout, "--regress stores the input and the scenario",
          p.stdout + p.stderr)
    p = subprocess.run([G, "repro", target, path, "--regress", "reg-test"], cwd=cwd,
                       capture_output=True, text=True, timeout=300)
    check(p.returncode == 2 and "already exists" in p.stderr, "--regress does not overwrite",
          p.stdout + p.stderr)
    p = subprocess.run([G, "repro", target, path, "--regress", "x"], cwd=d, capture_output=True,
                       text=True, timeout=300)
    check(p.returncode == 2 and "source tree" in p.stderr, "--regress outside a source tree",
          p.stdout + p.stderr)

    rc, out = run("repro", "fuzz-grants", seed)
    check(rc == 2 and "fuzz-grants" in out, "repro of a non-program target exits 2", out)
    rc, out = run("repro", "fuzz-syscalls", os.path.join(d, "missing"))
    check(rc == 2 and "missing" in out, "repro of a missing input exits 2 naming it", out)

finish()
