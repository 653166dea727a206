#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""grantsim run APP... from the outside: ELF, TBF and TAB files on the
default board, live console output (prefixed when there are several
processes), the end state of each process, FILE=NAME, the TAB member
chosen (--arch), elf2tab sizing from the ELF, the simulated-time limit,
`grantsim tab`, and clear errors for bad input.

    test_cli_apps.py GRANTSIM APPS_DIR TAB_DIR
"""
import io
import os
import subprocess
import sys
import tarfile
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import check, finish, run_cmd  # noqa: E402

G, APPS, TABS = (os.path.abspath(a) for a in sys.argv[1:4])


def run(*args):
    return run_cmd([G] + list(args))


def app(name):
    return os.path.join(APPS, name + ".elf")


def tab(name):
    return os.path.join(TABS, name + ".tab")


# An ELF: its output, its end state, exit 0.
rc, out, err = run("run", app("hello"))
check(rc == 0, "hello.elf exits 0", out + err)
check(out.startswith("Hello from grantsim"), "hello's console output comes first, unprefixed", out)
check("grantsim: hello: Terminated, exit code 0" in out, "hello's end state", out)
check("grantsim: run ended: idle" in out, "how the run ended", out)

# A TAB of our own tooling: the TBF taken is named, its package name is the process name.
rc, out, err = run("run", tab("hello"))
check(rc == 0 and "running cortex-m4.tbf (package hello)" in out, "hello.tab runs its cortex-m4.tbf",
      out + err)

# Several processes: each console line carries its process name; IPC finds the
# service by the package name the TAB gives it, or FILE=NAME gives an ELF.
for args in ([tab("ipc_service"), tab("ipc_client")],
             [app("ipc_service") + "=org.grantsim.rot13", app("ipc_client")]):
    rc, out, err = run("run", *args)
    check(rc == 0, "the rot13 pair exits 0 (%s)" % args[0], out + err)
    check("[org.grantsim.rot13] rot13 service ready\n" in out, "prefixed service line", out)
    check("[ipc_client] rot13 2: Hello World!\n" in out, "prefixed client line", out)
    check("grantsim: ipc_client: Terminated, exit code 0" in out, "client end state", out)
rc, out, err = run("run", app("ipc_service"), app("ipc_client"))
check("[ipc_client] rot13 client: no service org.grantsim.rot13" in out,
      "without its package name the service is not found", out)

# A fault: the report when it happens, the end state after.
rc, out, err = run("run", app("grant_peek"))
check('grantsim: process "grant_peek" faulted' in out, "the fault is reported", out)
check("To debug libtock-c apps, run" in out, "with upstream's fault dump", out)
check("grantsim: grant_peek: Faulted" in out, "the end state is Faulted", out)

# --crlf: the fault report in upstream's bytes (every line "\r\n", as
# kernel/src/debug.rs and capsules/system/src/process_printer.rs write it);
# the app's console output as it wrote it (LF, as the console capsule passes
# it on); without --crlf no CR at all.
raw = subprocess.run([G, "run", "--crlf", app("grant_peek")], capture_output=True).stdout
lf = subprocess.run([G, "run", app("grant_peek")], capture_output=True).stdout
report = raw[raw.find(b"Process grant_peek faulted"):raw.find(b"grantsim: grant_peek: Faulted")]
check(b"\r" not in lf and raw.replace(b"\r\n", b"\n") == lf, "--crlf only adds CRs", lf)
check(report.count(b"\n") > 50 and report.count(b"\n") == report.count(b"\r\n") and
      b"\r\n---| Cortex-M Fault Status |---\r\n" in report,
      "--crlf: the fault report ends its lines CR LF",
      repr(report[:400]))
check(raw.startswith(b"grant_peek: grant region starts at 0x") and b"\r" not in
      raw[:raw.find(b"Process grant_peek faulted")], "--crlf: the console output is unchanged",
      repr(raw[:200]))
rc, out, err = run("run", "--crlf", "--json", app("grant_peek"))
check(rc == 2 and "--crlf is for the text format" in err, "--crlf with --json is refused", err)

# elf2tab sizing from the ELF: bare_bones (STACK_SIZE 1, heaps 0) gets a 0x800 block.
rc, out, err = run("run", app("bare_bones"))
check(rc == 0 and "bare_bones: Yielded (1 syscalls; RAM [0x20000000, 0x20000800))" in out,
      "bare_bones gets libtock-c's 0x800 block", out + err)
rc, out, err = run("run", "--app-heap", "1024", "--kernel-heap", "1024", app("bare_bones"))
check("RAM [0x20000000, 0x20001000))" in out, "with 1 KiB heaps it needs 0x1000", out + err)

# Time: five one-second sleeps fit the default budget; a 2.5 s limit ends the run.
rc, out, err = run("run", app("sleep"))
check(rc == 0 and out.count("sleep: tick") == 5 and "exit code 0" in out, "sleep finishes", out)
check("5.0000" in out, "after five simulated seconds", out)
rc, out, err = run("run", "--time-limit", "2.5", app("sleep"))
check(out.count("sleep: tick") == 3 and "run ended: time-limit" in out, "--time-limit 2.5", out)
rc, out, err = run("run", "--time-limit=soon", app("sleep"))
check(rc == 2 and "--time-limit" in err, "a bad --time-limit is refused", out + err)

# A TAB built here with tar: two architectures and metadata; --arch picks one.
with tempfile.TemporaryDirectory() as d:
    with tarfile.open(tab("hello")) as t:
        tbf = t.extractfile("cortex-m4.tbf").read()
    with tarfile.open(tab("yields")) as t:
        other = t.extractfile("cortex-m4.tbf").read()
    made = os.path.join(d, "two.tab")
    with tarfile.open(made, "w", format=tarfile.USTAR_FORMAT) as t:
        for name, data in (("metadata.toml", b'tab-version = 1\nname = "two"\n'),
                           ("cortex-m0.tbf", other), ("cortex-m4.tbf", tbf)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    rc, out, err = run("run", made)
    check(rc == 0 and "running cortex-m4.tbf (package hello)" in out and "Hello from" in out,
          "a tar-made TAB: cortex-m4 by default", out + err)
    rc, out, err = run("run", "--arch", "cortex-m0", made)
    check("running cortex-m0.tbf (package yields)" in out, "--arch cortex-m0", out + err)
    rc, out, err = run("run", "--arch", "rv32imc", made)
    check(rc == 2 and "no TBF for rv32imc" in err and "cortex-m0.tbf, cortex-m4.tbf" in err,
          "a missing architecture names what the TAB has", out + err)
    # A TBF on its own.
    single = os.path.join(d, "hello.tbf")
    with open(single, "wb") as f:
        f.write(tbf)
    rc, out, err = run("run", single)
    check(rc == 0 and "grantsim: hello: Terminated, exit code 0" in out, "a TBF file runs", out + err)
    # Bad input: an error, never a crash.
    junk = os.path.join(d, "junk.tab")
    with open(junk, "wb") as f:
        f.write(b"\x00" * 100 + b"not a tar archive" * 40)
    rc, out, err = run("run", junk)
    check(rc == 2 and "junk.tab" in err, "a corrupt TAB is a clear error", out + err)
    cut = os.path.join(d, "cut.tab")
    with open(made, "rb") as f:
        data = f.read()
    with open(cut, "wb") as f:
        f.write(data[:1500])
    rc, out, err = run("run", cut)
    check(rc == 2 and "cut.tab" in err, "a truncated TAB is a clear error", out + err)
    # grantsim tab: sizes and name as given.
    mine = os.path.join(d, "mine.tab")
    rc, out, err = run("tab", app("bare_bones"), "-o", mine, "--name", "bb", "--stack", "2048")
    check(rc == 0, "grantsim tab", out + err)
    with tarfile.open(mine) as t:
        names = t.getnames()
        t1 = t.extractfile("cortex-m4.tbf").read()
    check(names == ["metadata.toml", "cortex-m4.tbf"], "TAB members", str(names))
    check(b"bb" in t1[:0x60], "the package name is in the header", "")
    rc, out, err = run("run", mine)
    check(rc == 0 and "package bb" in out, "the TAB made runs", out + err)

# Mixed or wrong arguments.
rc, out, err = run("run", app("hello"), "scenarios/app-hello.json")
check(rc == 2 and "not both" in err, "apps and scenario files are not mixed", out + err)
rc, out, err = run("run", "--ram", "lots", app("hello"))
check(rc == 2 and "board.ram.size" in err, "a bad --ram names the key it sets", out + err)
rc, out, err = run("run", "--case", "x", app("hello"))
check(rc == 2 and "--case is for scenario files" in err, "--case with apps", out + err)
rc, out, err = run("run", os.path.join(APPS, "missing.elf"))
check(rc == 2 and "missing.elf" in err, "a missing file is a clear error", out + err)

finish()
