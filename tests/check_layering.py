#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Every dependency of the product points down: fails when src/ uses what it
must not.

    check_layering.py SOURCE_ROOT     check the tree
    check_layering.py --self-test     check that each rule catches its violation

The layers, lowest first: src/core, src/report (the core's models printed),
src/sim, src/scenario, src/prog, src/cli (DESIGN.md, Layers); a directory of
src/ that is not in the list is a violation too, so a new layer gets its place. A header a layer includes (#include "X") must be its own
or a lower layer's; the fuzz targets (fuzz/), the tests and the benchmarks
are above the product, so nothing in src/ includes their headers or names
their files. A src/ meson.build must not use what fuzz/, tests/ or bench/
meson.build define (their libraries and dependencies), nor name files of
those directories. Prints each violation; exit 1 when there is one."""
import os
import re
import sys
import tempfile

LAYERS = ["core", "report", "sim", "scenario", "prog", "cli"]
# Files that may include only these headers of other layers: the machine
# reaches the core through its seam (arch.h), the target memory, the MPU
# model and the error codes (docs/ARCHITECTURE.md).
ONLY = {"src/sim/machine.c": {"arch.h", "tmem.h", "pmsav7.h", "errors.h"}}
ABOVE = ["fuzz", "tests", "bench"]  # not product code: src/ must not use them

INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)
ASSIGN = re.compile(r"^\s*([A-Za-z_]\w*)\s*\+?=(?!=)", re.M)
FOREACH = re.compile(r"^\s*foreach\s+([A-Za-z_]\w*)(?:\s*,\s*([A-Za-z_]\w*))?\s*:", re.M)
STRING = re.compile(r"'(?:[^'\\]|\\.)*'")
# A name used as a value: not a method (.found()) nor a keyword argument (name :).
IDENT = re.compile(r"(?<![.\w])[A-Za-z_]\w*\b(?!\s*:)")


def sources(d):
    for dirpath, _, files in os.walk(d):
        for f in sorted(files):
            if f.endswith((".c", ".h")):
                yield os.path.join(dirpath, f)


def meson_files(d):
    for dirpath, _, files in os.walk(d):
        if "meson.build" in files:
            yield os.path.join(dirpath, "meson.build")


def code_of(meson_text):
    """The meson text without comments; string literals kept apart."""
    lines = []
    for line in meson_text.splitlines():
        out, i, q = [], 0, False
        while i < len(line):
            c = line[i]
            if c == "'" and (i == 0 or line[i - 1] != "\\"):
                q = not q
            if c == "#" and not q:
                break
            out.append(c)
            i += 1
        lines.append("".join(out))
    code = "\n".join(lines)
    strings = [s[1:-1] for s in STRING.findall(code)]
    return STRING.sub("''", code), strings


def defined(path):
    code, _ = code_of(open(path).read())
    names = set(ASSIGN.findall(code))
    for m in FOREACH.findall(code):
        names.update(n for n in m if n)
    return names


def check(root):
    bad = []
    src = os.path.join(root, "src")
    for d in sorted(os.listdir(src)) if os.path.isdir(src) else []:
        if os.path.isdir(os.path.join(src, d)) and d not in LAYERS:
            bad.append(f"src/{d}: not a layer of tests/check_layering.py (LAYERS): give it its place")
    headers = {}  # header name -> set of layers (or outside dirs) that have it
    for layer in LAYERS:
        for p in sources(os.path.join(root, "src", layer)):
            if p.endswith(".h"):
                headers.setdefault(os.path.basename(p), set()).add(layer)
    outside = {}
    for d in ABOVE:
        for p in sources(os.path.join(root, d)):
            if p.endswith(".h"):
                outside.setdefault(os.path.basename(p), set()).add(d)

    for rank, layer in enumerate(LAYERS):
        for p in sources(os.path.join(root, "src", layer)):
            rel = os.path.relpath(p, root)
            text = open(p).read()
            for m in INCLUDE.finditer(text):
                name = m.group(1)
                line = text.count("\n", 0, m.start()) + 1
                base = os.path.basename(name)
                if any(part in ABOVE for part in name.split("/")[:-1]) or name.startswith(".."):
                    bad.append(f"{rel}:{line}: #include \"{name}\" reaches outside src/")
                    continue
                have = headers.get(base, set())
                if not have:
                    where = ", ".join(sorted(outside.get(base, []))) or "nowhere in src/"
                    bad.append(f"{rel}:{line}: #include \"{name}\": a header of {where}, "
                               "not of the product")
                elif min(LAYERS.index(h) for h in have) > rank:
                    bad.append(f"{rel}:{line}: #include \"{name}\" points up "
                               f"(src/{layer} includes src/{sorted(have)[0]})")
                elif rel in ONLY and layer not in have and base not in ONLY[rel]:
                    bad.append(f"{rel}:{line}: #include \"{name}\": this file reaches other "
                               f"layers only through {', '.join(sorted(ONLY[rel]))}")

    src_defs = set()
    for p in [os.path.join(root, "meson.build")] + list(meson_files(os.path.join(root, "src"))):
        if os.path.exists(p):
            src_defs |= defined(p)
    foreign = {}
    for d in ABOVE:
        for p in meson_files(os.path.join(root, d)):
            for n in defined(p) - src_defs:
                foreign.setdefault(n, os.path.relpath(p, root))
    for p in meson_files(os.path.join(root, "src")):
        rel = os.path.relpath(p, root)
        code, strings = code_of(open(p).read())
        for n in sorted(set(IDENT.findall(code)) & set(foreign)):
            bad.append(f"{rel}: uses {n}, which {foreign[n]} defines")
        for s in strings:
            if any(part in ABOVE for part in s.split("/")):
                bad.append(f"{rel}: names '{s}' (outside the product)")
    return bad


def self_test():
    """A tree with one violation of each rule: each must be reported."""
    files = {
        "meson.build": "subdir('src/core')\nsubdir('fuzz')\nsubdir('src/cli')\n",
        "src/core/meson.build": "core_lib = 1\n",
        "src/core/low.h": "",
        "src/core/up.c": '#include "low.h"\n#include "board.h"\n',
        "src/sim/board.h": "",
        "src/sim/machine.c": '#include "board.h"\n#include "low.h"\n',
        "src/extra/x.h": "",
        "src/cli/main.c": '#include "harness.h"\n#include "../../fuzz/decoder.h"\n',
        "src/cli/meson.build": "# fuzz_dep in a comment is fine\n"
                               "exe = [core_lib, fuzz_dep]\n"
                               "inc = include_directories('../../fuzz')\n",
        "fuzz/meson.build": "fuzz_dep = 1\nforeach exe : []\nendforeach\n",
        "fuzz/harness.h": "",
        "fuzz/decoder.h": "",
    }
    want = [
        'src/core/up.c:2: #include "board.h" points up',
        'src/sim/machine.c:2: #include "low.h": this file reaches other layers only through',
        'src/cli/main.c:1: #include "harness.h": a header of fuzz',
        'src/cli/main.c:2: #include "../../fuzz/decoder.h" reaches outside src/',
        "src/cli/meson.build: uses fuzz_dep, which fuzz/meson.build defines",
        "src/cli/meson.build: names '../../fuzz' (outside the product)",
        "src/extra: not a layer",
    ]
    with tempfile.TemporaryDirectory() as root:
        for name, text in files.items():
            os.makedirs(os.path.dirname(os.path.join(root, name)), exist_ok=True)
            with open(os.path.join(root, name), "w") as f:
                f.write(text)
        got = check(root)
    missing = [w for w in want if not any(g.startswith(w) for g in got)]
    extra = [g for g in got if not any(g.startswith(w) for w in want)]
    for m in missing:
        print(f"self-test: not reported: {m}")
    for e in extra:
        print(f"self-test: reported wrongly: {e}")
    print(f"self-test: {len(want) - len(missing)} of {len(want)} violations reported, "
          f"{len(extra)} false")
    return 1 if missing or extra else 0


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    if len(sys.argv) != 2:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    bad = check(sys.argv[1])
    for b in bad:
        print(b)
    print(f"layering: {len(bad)} violations")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
