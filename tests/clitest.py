# SPDX-License-Identifier: MIT
"""What the command-line tests share: running the grantsim binary and
counting failed checks (each prints what failed and the output that shows
it). A test ends with finish(), which exits 1 when a check failed."""
import subprocess
import sys

failures = 0


def run_cmd(cmd, cwd=None, timeout=300):
    """(exit code, stdout, stderr) of cmd; generous timeout for loaded machines."""
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def check(cond, what, out=""):
    global failures
    if not cond:
        failures += 1
        print("FAIL: " + what)
        if out:
            print("  output:\n" + "\n".join("    " + l for l in out.splitlines()[:40]))


def finish():
    print("%d check(s) failed" % failures if failures else "all checks passed")
    sys.exit(1 if failures else 0)
