#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`grantsim layout --format svg` checked as a document and as a picture.

Two scenarios: an IPC one (ipc-share-subregions.json, process "svc": the
kernel maps the client's buffer as region 3 with subregions 1-2 enabled,
SRD 0xF9) and the release-2.2 doubling one (mpu-doubling-bug-4366.json,
case 2.2: region 0 enables one subregion over the kernel's memory, a leak).

As a document (python's XML parser, independent of grantsim's writer, and
the model's values from `--format json`): a viewBox the drawing fits in and
a size of 100% so it scales; every used MPU region drawn with a <title>
naming its RBAR and RASR, as its eight subregions with exactly the
SRD-disabled ones marked off; slot values in the grant parts' tooltips; a
legend.

As a picture: headless Chromium (Debian's chromium) renders each SVG to a
PNG, decoded with the standard library (tests/picture.py). The screenshot must not be blank,
every legend colour must appear, and inside every subregion cell the
enabled ones must show the region's colour and the disabled ones must not.

    layout_svg.py GRANTSIM SCENARIO_DIR

Exits 77 (skipped) only when no chromium is installed (scripts/setup
installs it).
"""
import json
import os
import struct
import subprocess
import sys
import tempfile
import zlib
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import clitest  # noqa: E402
import picture  # noqa: E402
from clitest import check, finish, run_cmd  # noqa: E402

G = os.path.abspath(sys.argv[1])
SCN = os.path.abspath(sys.argv[2])
NS = "{http://www.w3.org/2000/svg}"
# Chromium on a loaded 2-core machine can take well over 30 s to start.
CHROMIUM_TIMEOUT = 300

CASES = [
    ("ipc", ["--process", "svc", os.path.join(SCN, "ipc-share-subregions.json")]),
    ("doubling-2.2", ["--case", "2.2", os.path.join(SCN, "mpu-doubling-bug-4366.json")]),
]


def title(e):
    t = e.find(NS + "title")
    return (t.text or "") if t is not None else ""


def hex_rgb(colour):
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def over_white(rgb, alpha):
    return tuple(round(c * alpha + 255 * (1 - alpha)) for c in rgb)


def close(a, b, tol=3):
    return all(abs(x - y) <= tol for x, y in zip(a, b))


# ---- the document ----

def check_document(name, root, model):
    view = [float(x) for x in root.get("viewBox", "").split()]
    check(len(view) == 4 and view[0] == 0 and view[1] == 0 and view[2] > 0 and view[3] > 0,
          f"{name}: viewBox 0 0 W H, got {root.get('viewBox')!r}")
    if len(view) != 4:
        return None
    w, h = view[2], view[3]
    check(root.get("width") == "100%" and root.get("height") == "100%",
          f"{name}: the picture scales (width and height 100%), got "
          f"{root.get('width')!r} x {root.get('height')!r}")
    # Nothing drawn below or right of the viewBox (the picture is not cut).
    for e in root.iter():
        if e.tag in (NS + "rect", NS + "text") and e.get("y") and e.get("x"):
            y = float(e.get("y")) + float(e.get("height", "0"))
            x = float(e.get("x")) + float(e.get("width", "0"))
            if y > h or x > w:
                check(False, f"{name}: <{e.tag[len(NS):]}> at ({x}, {y}) outside the "
                      f"viewBox {w}x{h}")
                break

    groups = {int(g.get("data-region")): g for g in root.iter(NS + "g")
              if "mpu-region" in g.get("class", "").split()}
    for m in model["mpu"]["regions"]:
        if not m["used"] and not m["enabled"]:
            check(m["num"] not in groups, f"{name}: unused R{m['num']} is drawn")
            continue
        g = groups.get(m["num"])
        check(g is not None, f"{name}: R{m['num']} ({m['role']}) has no <g class=\"mpu-region\">")
        if g is None:
            continue
        t = title(g)
        check(f"RBAR 0x{m['rbar']:08X}" in t and f"RASR 0x{m['rasr']:08X}" in t,
              f"{name}: R{m['num']}'s title names RBAR 0x{m['rbar']:08X} and RASR "
              f"0x{m['rasr']:08X}", t)
        cells = [c for c in g.iter(NS + "rect") if "subregion" in c.get("class", "").split()]
        if m["bytes"] < 256:
            check(len(cells) == 1,
                  f"{name}: R{m['num']} below 256 bytes is one cell, got {len(cells)}")
            continue
        check(len(cells) == 8, f"{name}: R{m['num']} has {len(cells)} subregion cells, not 8")
        want_on = {k for k in range(8) if m["enabled"] and not m["srd"] >> k & 1}
        got_on = {int(c.get("data-subregion")) for c in cells if "on" in c.get("class").split()}
        check(got_on == want_on, f"{name}: R{m['num']} (SRD 0x{m['srd']:02X}) cells on "
              f"{sorted(got_on)}, want {sorted(want_on)}")
        for c in cells:
            k = int(c.get("data-subregion"))
            lo = m["base"] + m["bytes"] // 8 * k
            check(f"[0x{lo:08X}, 0x{lo + m['bytes'] // 8:08X})" in title(c),
                  f"{name}: R{m['num']} s{k}'s title gives its range", title(c))

    # Grant slot values in the tooltips of the grant parts.
    rects = [e for e in root.iter(NS + "rect") if e.get("class", "").startswith("region ")]
    check(len(rects) == len(model["regions"]),
          f"{name}: {len(rects)} region rects, the model has {len(model['regions'])}")
    for gr in model["grants"]:
        if not gr["allocated"] or not gr["decoded"]:
            continue
        d = gr["decoded"]
        want = [f"counters 0x{d['counters']['raw']:08X}"]
        want += [f"upcall {u['index']} at 0x{u['addr']:08X}: appdata 0x{u['appdata']:08X}, "
                 f"fn 0x{u['fn']:08X}" for u in d["upcalls"]]
        want += [f"{k.upper()} allow {a['index']} at 0x{a['addr']:08X}: ptr 0x{a['ptr']:08X}, "
                 f"len {a['len']}" for k in ("ro", "rw") for a in d[k]]
        titles = "\n".join(title(r) for r in rects)
        for wnt in want:
            check(wnt in titles, f"{name}: grant {gr['num']}: no tooltip says {wnt!r}")

    legend = [g for g in root.iter(NS + "g") if g.get("class") == "legend"]
    check(len(legend) == 1, f"{name}: one <g class=\"legend\">, got {len(legend)}")
    swatches = []
    if legend:
        swatches = [r for r in legend[0].iter(NS + "rect") if r.get("class") == "legend-swatch"]
        words = " ".join(t.text or "" for t in legend[0].iter(NS + "text"))
        for wnt in ("app", "unused", "TBF header", "leak", "disabled subregion",
                    "enabled subregion"):
            check(wnt in words, f"{name}: the legend explains {wnt!r}", words)
    check(len(swatches) >= 10, f"{name}: legend swatches: {len(swatches)}")
    return w, h, groups, swatches


# ---- the picture ----

def screenshot(svg_text, w, h, tmp, name):
    """The PNG bytes of the SVG rendered in a w x h window, or None (a failed check)."""
    svg = os.path.join(tmp, name + ".svg")
    with open(svg, "w", encoding="utf-8") as f:
        f.write(svg_text)
    try:
        return picture.screenshot(svg, int(w), int(h), timeout=CHROMIUM_TIMEOUT)
    except (OSError, subprocess.SubprocessError) as e:
        check(False, f"{name}: chromium --screenshot: {e}")
        return None


def check_picture(name, png, w, h, groups, swatches, model):
    try:
        pw, ph, raw, bpp = picture.pixels(png)
    except (AssertionError, zlib.error, struct.error, UnboundLocalError) as e:
        check(False, f"{name}: the screenshot is not a PNG this test reads: {e}")
        return
    rows = [[tuple(r[x:x + 3]) for x in range(0, pw * bpp, bpp)] for r in raw]
    # The viewBox is drawn at 100% with xMidYMin meet: scale and centre.
    scale = min(pw / w, ph / h)
    x0 = (pw - w * scale) / 2
    check(abs(scale - 1) < 0.01, f"{name}: screenshot {pw}x{ph} for a {w}x{h} window")

    colours = {}
    for row in rows:
        for px in row:
            colours[px] = colours.get(px, 0) + 1
    white = colours.get((255, 255, 255), 0)
    nonwhite = pw * ph - white
    print(f"{name}: {pw}x{ph}, {len(colours)} colours, {100 * nonwhite / (pw * ph):.1f}% not white")
    check(nonwhite > 0.05 * pw * ph, f"{name}: only {nonwhite} of {pw * ph} pixels are not white")
    check(len(colours) >= 30, f"{name}: only {len(colours)} distinct colours")

    def interior(rect):
        """The pixels strictly inside a rect of the document (1 px in from its edges)."""
        x, y = float(rect.get("x")), float(rect.get("y"))
        rw, rh = float(rect.get("width")), float(rect.get("height"))
        out = []
        for py in range(int(y * scale) + 2, int((y + rh) * scale) - 1):
            for px in range(int(x0 + x * scale) + 2, int(x0 + (x + rw) * scale) - 1):
                if 0 <= py < ph and 0 <= px < pw:
                    out.append(rows[py][px])
        return out

    # Every plain-coloured legend swatch shows its colour.
    for r in swatches:
        fill = r.get("fill", "")
        if not fill.startswith("#"):
            continue
        px = interior(r)
        hits = sum(close(p, hex_rgb(fill)) for p in px)
        check(px and hits >= len(px) // 2,
              f"{name}: legend swatch {fill} at ({r.get('x')}, {r.get('y')}): {hits} of {len(px)} "
              "pixels have its colour")

    # Enabled subregions show the region's colour (at its fill opacity), disabled ones do not.
    for num, g in sorted(groups.items()):
        for c in g.iter(NS + "rect"):
            if "subregion" not in c.get("class", "").split():
                continue
            on = "on" in c.get("class").split()
            cell = over_white(hex_rgb(g.get("fill", "#000000")), 0.55)
            px = interior(c)
            hits = sum(close(p, cell) for p in px)
            what = f"{name}: R{num} s{c.get('data-subregion')} ({'on' if on else 'off'})"
            if on:
                check(px and hits >= len(px) // 2,
                      f"{what}: {hits} of {len(px)} pixels in the region's colour {cell}")
            else:
                grey = sum(1 for p in px if p != (255, 255, 255) and max(p) - min(p) < 8)
                check(px and hits == 0 and grey >= len(px) // 10,
                      f"{what}: {hits} pixels in the region's colour, {grey} of {len(px)} grey "
                      "(the hatching)")
    if model["access"]["leaks"]:
        red = colours.get((0xd0, 0, 0), 0)
        check(red > 50, f"{name}: a leak but only {red} pixels of the leak red #d00000")


def main():
    exe = picture.chromium()
    docs = []
    for name, args in CASES:
        rc, js, err = run_cmd([G, "layout", "--format", "json"] + args)
        check(rc == 0, f"{name}: layout --format json exit {rc}", err)
        rc, svg, err = run_cmd([G, "layout", "--format", "svg"] + args)
        check(rc == 0, f"{name}: layout --format svg exit {rc}", err)
        try:
            model, root = json.loads(js), ET.fromstring(svg)
        except (json.JSONDecodeError, ET.ParseError) as e:
            check(False, f"{name}: output does not parse: {e}")
            continue
        got = check_document(name, root, model)
        if got:
            docs.append((name, svg, model, got))

    ipc = [d for d in docs if d[0] == "ipc"]
    if ipc:
        model, (_, _, groups, _) = ipc[0][2], ipc[0][3]
        roles = {n: g.get("class") for n, g in groups.items()}
        check("role-ipc" in roles.get(3, ""), f"ipc: R3 is drawn as an IPC region: {roles}")
        check('shared by process 1 "cli"' in title(groups.get(3, ET.Element("g"))),
              "ipc: R3's title names the client sharing the buffer")
        check(model["mpu"]["regions"][3]["srd"] == 0xF9, "ipc: the scenario maps R3 with SRD 0xF9")
    dbl = [d for d in docs if d[0] == "doubling-2.2"]
    if dbl:
        root = ET.fromstring(dbl[0][1])
        leaks = [r for r in root.iter(NS + "rect") if r.get("class") == "diff diff-leak"]
        check(dbl[0][2]["access"]["leaks"] == 1 and len(leaks) == 1,
              f"doubling-2.2: one leak in the model and one leak overlay, got "
              f"{dbl[0][2]['access']['leaks']} and {len(leaks)}")
        r0 = [g for g in root.iter(NS + "g") if g.get("data-region") == "0"]
        s0 = [c for g in r0 for c in g.iter(NS + "rect") if c.get("data-subregion") == "0"]
        check(len(s0) == 1 and "LEAK" in title(s0[0]) and s0[0].get("stroke") == "#d00000",
              "doubling-2.2: R0's enabled subregion 0 is marked as over the leak",
              title(s0[0]) if s0 else "")

    if not exe:
        print("SKIP: no chromium (scripts/setup installs it); the documents were checked")
        if clitest.failures:
            finish()
        sys.exit(picture.SKIP)
    with tempfile.TemporaryDirectory(prefix="layout-svg-") as tmp:
        for name, svg, model, (w, h, groups, swatches) in docs:
            png = screenshot(svg, w, h, tmp, name)
            if png:
                check_picture(name, png, w, h, groups, swatches, model)
    finish()


if __name__ == "__main__":
    main()
