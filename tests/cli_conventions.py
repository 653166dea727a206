#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The grantsim command behaves as getopt_long tools do, on every command:
-h/--help print the usage on stdout and exit 0, `grantsim help CMD` prints
the same, --version/-V/version agree, --opt=value means --opt value, an
unknown option or command exits 2 with one line and a hint on stderr, and
the top-level usage names every long option of every command.

    cli_conventions.py GRANTSIM
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


def long_options(text):
    """The long options of a usage's option list (the lines that start with one)."""
    return set(re.findall(r"^ {2,10}(?:-\w, )?--([a-z][a-z0-9-]*)", text, re.M))


# The commands, from the top-level usage (the table's one list).
rc, top, err = run("--help")
check(rc == 0 and err == "" and top.startswith("Usage: grantsim "), "grantsim --help", top + err)
m = re.search(r"^Commands:\n((?:  \S.*\n)+)", top, re.M)
commands = [l.split()[0] for l in m.group(1).splitlines()] if m else []
check({"run", "trace", "layout", "explain", "tab", "repro", "help", "version"} <= set(commands),
      "the usage lists the commands: %r" % commands, top)
for args in (["-h"], ["help"]):
    rc, out, err = run(*args)
    check(rc == 0 and out == top and err == "", "grantsim %s is grantsim --help" % args[0], out)

rc, v1, _ = run("--version")
rc2, v2, _ = run("-V")
rc3, v3, _ = run("version")
check(rc == rc2 == rc3 == 0 and v1 == v2 == v3 and re.fullmatch(r"grantsim \d+\.\d+\.\d+\n", v1),
      "--version, -V and version print the version", v1 + v2 + v3)

every = set()
for c in commands:
    rc, out, err = run(c, "--help")
    check(rc == 0 and err == "" and out.startswith("Usage: grantsim " + c),
          "grantsim %s --help: exit 0, usage on stdout" % c, out + err)
    rc2, out2, _ = run(c, "-h")
    rc3, out3, _ = run("help", c)
    check(rc2 == rc3 == 0 and out2 == out == out3, "%s: -h, --help and help %s agree" % (c, c),
          out2 + out3)
    check("-h, --help" in out, "%s --help lists -h, --help" % c, out)
    opts = long_options(out) - {"help"}
    every |= {(c, o) for o in opts}
    # Every option of the command is in the top-level usage (its synopsis lines).
    synopsis = top.split("\n\n")[0]
    # The command's own synopsis lines in the top-level usage name its options.
    mine = "\n".join(re.findall(r"grantsim %s .*(?:\n {20,}.*)*" % c, synopsis))
    missing = sorted(o for o in opts if "--" + o not in mine)
    check(not missing, "the top-level usage lists %s's options; missing: %s" % (c, missing), mine)

    # An unknown option: exit 2, one line naming it, and the hint; nothing on stdout.
    rc, out, err = run(c, "--frobnicate")
    lines = err.splitlines()
    check(rc == 2 and out == "" and len(lines) == 2 and
          lines[0] == "grantsim %s: unknown option '--frobnicate'" % c and
          lines[1] == "Try 'grantsim %s --help' for more information." % c,
          "%s --frobnicate: one line and a hint" % c, err)
    rc, out, err = run(c, "-Q")
    check(rc == 2 and err.startswith("grantsim %s: unknown option '-Q'\n" % c),
          "%s -Q: an unknown short option" % c, err)

# The options named in the old top-level usage's complaint are there now.
for c, o in (("run", "no-maps"), ("run", "verbose"), ("trace", "output"), ("run", "format"),
             ("layout", "format"), ("trace", "format"), ("explain", "format")):
    check((c, o) in every, "%s --help documents --%s" % (c, o))

rc, out, err = run("help", "frobnicate")
check(rc == 2 and "unknown command \"frobnicate\"" in err, "help of an unknown command", err)
rc, out, err = run("layuot", "--example")
check(rc == 2 and "unknown command \"layuot\" (did you mean \"layout\"?)" in err and
      "grantsim --help" in err, "an unknown command: a suggestion and the hint", err)
rc, out, err = run("--frobnicate")
check(rc == 2 and "grantsim: unknown option '--frobnicate'" in err, "an unknown global option",
      err)

# Option errors in words.
rc, out, err = run("layout", "--example", "--format")
check(rc == 2 and "option '--format' needs a value" in err, "a missing value", err)
rc, out, err = run("run", "--json=yes", "x.json")
check(rc == 2 and "option '--json' takes no value" in err, "a value for a flag", err)
rc, out, err = run("run", "--ap=x", "x.json")
check(rc == 2 and "is ambiguous: --apps, --app-heap" in err, "an ambiguous abbreviation", err)
rc, out, err = run("run", "--jsno", "x.json")
check(rc == 2 and "(did you mean '--json'?)" in err, "a misspelt option: a suggestion", err)
rc, out, err = run("run", "--format=yaml", "x.json")
check(rc == 2 and "unknown format \"yaml\" (text json)" in err, "run --format checks", err)

# --opt=value is --opt value; options may follow the operands.
a = run("layout", "--example", "--format", "json", "--process", "1")
b = run("layout", "--example", "--format=json", "--process=1")
c = run("layout", "--format=json", "--example", "--proc=1")
check(a[0] == 0 and a == b == c, "layout: --opt=value, --opt value, abbreviations", b[2])
a = run("explain", "--example", "--format", "json", "0x20006810")
b = run("explain", "0x20006810", "--format=json", "--example")
check(a[0] == 0 and a == b and json.loads(a[1])["address"] == 0x20006810,
      "explain: --opt=value, options after the address", b[2])

SCRIPT = {"grantsim": 1, "drivers": [{"type": "test"}],
          "cases": [{"id": "one"}, {"id": "two", "board": {"profile": "2.2"}}],
          "processes": [{"name": "s", "script": [
              {"command": {"driver": "0x90000", "cmd": 0}, "expect": "Success"}]}]}
with tempfile.TemporaryDirectory() as d:
    with open(os.path.join(d, "s.json"), "w") as f:
        json.dump(SCRIPT, f)
    a = run("run", "--json", "s.json", cwd=d)
    b = run("run", "--format=json", "s.json", cwd=d)
    c = run("run", "s.json", "--format", "json", cwd=d)
    check(a[0] == 0 and a == b == c and json.loads(a[1])["passed"] == 2,
          "run: --json is --format=json, in any place", a[1] + a[2])
    a = run("run", "--case", "two", "s.json", cwd=d)
    b = run("run", "--case=two", "s.json", cwd=d)
    check(a[0] == 0 and a == b and "[case two]" in a[1], "run --case=ID", b[1] + b[2])
    a = run("trace", "--case", "one", "s.json", cwd=d)
    b = run("trace", "s.json", "--case=one", cwd=d)
    check(a[0] == 0 and a == b and "syscall command" in a[1], "trace --case=ID", b[2])
    rc, out, err = run("trace", "--case=one", "--output=t.txt", "s.json", cwd=d)
    with open(os.path.join(d, "t.txt")) as f:
        check(rc == 0 and out == "" and f.read() == a[1], "trace --output=FILE", err)
    rc, out, err = run("trace", "--case=one", "s.json", "s.json", cwd=d)
    check(rc == 2 and "unexpected argument" in err and "Usage: grantsim trace" in err,
          "trace: an extra operand prints the synopsis", err)
    rc, out, err = run("repro", "fuzz-syscalls", cwd=d)
    check(rc == 2 and "give a fuzz TARGET and an INPUT" in err and "Usage: grantsim repro" in err,
          "repro: a missing operand", err)
    rc, out, err = run("repro", "--runs=0", "fuzz-syscalls", "x", cwd=d)
    check(rc == 2 and "--runs takes 1 to 1000" in err, "repro --runs=N is checked", err)

finish()
