#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`meson install` into a temporary DESTDIR, then the installed grantsim on
its own: it runs a bundled scenario that uses an app with GRANTSIM_APPS
unset (so it must find the apps installed beside it, relative to its own
location: the tree is moved before the run), the man page is there and
renders, the schema is there, and the bash completion parses and completes.
Nothing is written outside the temporary directory (and the build
directory's install log).

    install_test.py MESON BUILDDIR PREFIX BINDIR DATADIR MANDIR MAN(true|false) SCENARIO SCHEMA
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import check, finish, run_cmd  # noqa: E402

MESON, BUILD, PREFIX, BINDIR, DATADIR, MANDIR, MAN, SCENARIO, SCHEMA = sys.argv[1:10]
SCENARIO = os.path.abspath(SCENARIO)


def under(root, d, *rest):
    """root + the installed directory d (relative to the prefix, or absolute)."""
    d = d if os.path.isabs(d) else os.path.join(PREFIX, d)
    return os.path.join(root + d, *rest)


env = {k: v for k, v in os.environ.items() if k != "GRANTSIM_APPS"}

with tempfile.TemporaryDirectory() as tmp:
    dest = os.path.join(tmp, "dest")
    rc, out, err = run_cmd([MESON, "install", "-C", BUILD, "--destdir", dest, "--no-rebuild",
                            "--quiet"])
    check(rc == 0, "meson install --destdir", out + err)
    if rc != 0:
        finish()

    # Move the installed tree: the binary must find its apps relative to where
    # it is, not where it was meant to be installed (nor in the build tree).
    moved = os.path.join(tmp, "moved")
    shutil.move(dest, moved)
    exe = under(moved, BINDIR, "grantsim")
    apps = under(moved, DATADIR, "grantsim", "apps")
    check(os.access(exe, os.X_OK), "the binary is installed: " + exe)
    check(os.path.isfile(os.path.join(apps, "hello.elf")) and
          os.path.isfile(os.path.join(apps, "tab", "hello.tab")),
          "the apps are installed (ELF and TAB): " + apps,
          "\n".join(sorted(os.listdir(apps))) if os.path.isdir(apps) else "")
    schema = under(moved, DATADIR, "grantsim", "schema.json")
    with open(SCHEMA, "rb") as f:
        want = f.read()
    check(os.path.isfile(schema) and open(schema, "rb").read() == want and
          json.loads(want), "the JSON Schema is installed: " + schema)

    # The bundled scenario with an app, from a directory of its own.
    work = os.path.join(tmp, "work")
    os.mkdir(work)
    p = subprocess.run([exe, "run", "--no-maps", SCENARIO], cwd=work, env=env,
                       capture_output=True, text=True, timeout=300)
    check(p.returncode == 0 and "1 passed, 0 failed" in p.stdout,
          "the installed grantsim runs %s without GRANTSIM_APPS" % os.path.basename(SCENARIO),
          p.stdout + p.stderr)
    # And the apps it used are the installed ones: a missing app is reported
    # with the installed directory's path.
    with open(SCENARIO) as f:
        doc = json.load(f)
    doc["processes"][0]["app"] = "no_such_app"
    doc["processes"][0]["name"] = "x"
    doc.pop("expect", None)
    doc.pop("$schema", None)
    with open(os.path.join(work, "missing.json"), "w") as f:
        json.dump(doc, f)
    p = subprocess.run([exe, "run", "missing.json"], cwd=work, env=env, capture_output=True,
                       text=True, timeout=300)
    check(p.returncode == 2 and os.path.realpath(apps) + "/no_such_app.elf" in p.stdout and
          "hello" in p.stdout, "the installed grantsim looks in the installed apps", p.stdout)
    rc, out, err = run_cmd([exe, "--version"])
    check(rc == 0 and out.startswith("grantsim "), "the installed grantsim --version", out + err)

    # The man page.
    page = under(moved, MANDIR, "man1", "grantsim.1")
    if MAN != "true":
        print("SKIP: the man page is not built (help2man not found; -Dman=enabled needs it)")
    else:
        check(os.path.isfile(page), "the man page is installed: " + page)
        man, groff = shutil.which("man"), shutil.which("groff")
        if man:
            cmd = [man, "-l", page]
        elif groff:
            cmd = [groff, "-man", "-Tutf8", page]
        else:
            cmd = None
            print("SKIP: neither man nor groff is installed to render the man page")
        if cmd and os.path.isfile(page):
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=120,
                               env=dict(env, MANWIDTH="80", MANPAGER="cat", PAGER="cat"))
            text = p.stdout.replace("\u2010", "-").replace("\u2212", "-")
            text = "".join(c for c in text if c != "\b")
            check(p.returncode == 0 and "GRANTSIM(1)" in text and "SYNOPSIS" in text,
                  "the man page renders", p.stdout[:2000] + p.stderr)
            # One section per command of the table, each with its options.
            rc, top, _ = run_cmd([exe, "--help"])
            commands = [l.split()[0] for l in
                        top.split("Commands:\n", 1)[-1].split("\n\n", 1)[0].splitlines()]
            for c in commands:
                check("GRANTSIM " + c.upper() in text, "the man page has a section for " + c,
                      text[:1500])
            for opt in ("--no-maps", "--crlf", "--time-limit", "--syscalls", "--regress"):
                check(opt in text, "the man page documents " + opt)
        if groff and os.path.isfile(page):
            p = subprocess.run([groff, "-man", "-ww", "-z", page], capture_output=True,
                               text=True, timeout=120)
            check(p.returncode == 0 and p.stderr == "", "groff -ww: no warnings", p.stderr)

    # The bash completion: it parses, and completes from the installed binary.
    comp = under(moved, DATADIR, "bash-completion", "completions", "grantsim")
    check(os.path.isfile(comp), "the bash completion is installed: " + comp)
    bash = shutil.which("bash")
    if bash and os.path.isfile(comp):
        rc, out, err = run_cmd([bash, "-n", comp])
        check(rc == 0 and err == "", "bash -n parses the completion", err)
        script = r'''
source "$1"
t() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _grantsim;
      echo "${COMPREPLY[*]}"; }
t grantsim la
t grantsim layout --fo
t grantsim layout --format ""
t grantsim layout --format = s
t grantsim run --profile ""
t grantsim help ex
t grantsim run mi
'''
        p = subprocess.run([bash, "-c", script, "x", comp], cwd=work, capture_output=True,
                           text=True, timeout=120,
                           env=dict(env, PATH=os.path.dirname(exe) + os.pathsep + env["PATH"]))
        got = p.stdout.splitlines()
        want = ["layout", "--format", "text json svg", "svg", "head 2.2", "explain",
                "missing.json"]
        check(p.returncode == 0 and got == want, "the completion completes: %r" % got,
              p.stdout + p.stderr)

finish()
