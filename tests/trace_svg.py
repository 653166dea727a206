#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""grantsim trace --format svg: the run's timeline as a picture, checked
against the Trace Event Format output of the same run (the SVG is drawn
from the same events): a lane per process that has events; syscall bars and
event markers whose titles count, between them, every complete and instant
event; every shape has a <title>; a viewBox, a time axis and a legend; the
same bytes on every run; and, rendered by headless Chromium, a picture that
is not blank (skipped, exit 77, only without chromium).

    trace_svg.py GRANTSIM SCENARIOS_DIR [APPS_DIR]
"""
import json
import os
import re
import sys
import tempfile
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import check, finish, run_cmd  # noqa: E402
import picture  # noqa: E402

G = os.path.abspath(sys.argv[1])
S = os.path.abspath(sys.argv[2])
APPS = ["--apps", os.path.abspath(sys.argv[3])] if len(sys.argv) > 3 else []
NS = "{http://www.w3.org/2000/svg}"


def title_count(title):
    m = re.match(r"(\d+) \S+ events from ", title)
    return int(m.group(1)) if m else 1


def look(name, scenario):
    rc, out, err = run_cmd([G, "trace", "--format", "svg"] + APPS + [scenario], cwd=S)
    check(rc == 0, "%s: trace --format svg passes" % name, err)
    rc2, chrome, _ = run_cmd([G, "trace", "--format", "chrome"] + APPS + [scenario], cwd=S)
    ev = json.loads(chrome)["traceEvents"]
    try:
        root = ET.fromstring(out)
    except ET.ParseError as e:
        check(False, "%s: the SVG is XML (%s)" % (name, e), out[:400])
        return None
    check(root.tag == NS + "svg" and len(root.get("viewBox", "").split()) == 4,
          "%s: an svg with a viewBox" % name, out[:300])
    lanes = root.findall(".//%sg[@class='lane']" % NS)
    pids_used = {e["pid"] for e in ev if e.get("ph") != "M"}
    check(sorted(int(g.get("data-pid")) for g in lanes) == sorted(pids_used),
          "%s: one lane per pid with events" % name, repr(pids_used))
    bars = root.findall(".//%srect[@class='syscall']" % NS)
    marks = [p for p in root.iter(NS + "path") if (p.get("class") or "").startswith("marker")]
    untitled = [s for s in bars + marks if s.find(NS + "title") is None]
    check(not untitled, "%s: every bar and marker has a title" % name)
    nx = sum(1 for e in ev if e.get("ph") == "X")
    ni = sum(1 for e in ev if e.get("ph") == "i")
    cx = sum(title_count(b.find(NS + "title").text or "") for b in bars)
    ci = sum(title_count(m.find(NS + "title").text or "") for m in marks)
    check(cx == nx and nx > 0, "%s: the bars count every syscall (%d vs %d)" % (name, cx, nx))
    check(ci == ni and ni > 0, "%s: the markers count every instant event (%d vs %d)" %
          (name, ci, ni))
    # A syscall's call and result are in its title, as in the chrome output.
    first = next(e for e in ev if e.get("ph") == "X")
    check(any(first["args"]["call"] in (b.find(NS + "title").text or "") for b in bars),
          "%s: a bar's title has the call" % name, first["args"]["call"])
    legend = root.find(".//%sg[@class='legend']" % NS)
    check(legend is not None and len(legend.findall(NS + "text")) == 2 + 9 + 6,
          "%s: a legend of the 9 syscall kinds and 6 event kinds" % name)
    check(run_cmd([G, "trace", "--format", "svg"] + APPS + [scenario], cwd=S)[1] == out,
          "%s: deterministic" % name)
    return out, int(root.get("width")), int(root.get("height"))


shots = [look("ipc", "ipc-notify-share.json")]
if APPS:
    shots.append(look("rot13 app pair", "app-ipc-rot13.json"))
if picture.chromium() is None:
    print("SKIP: chromium not found (scripts/setup installs it)")
    sys.exit(picture.SKIP)
with tempfile.TemporaryDirectory() as tmp:
    for i, shot in enumerate(shots):
        if not shot:
            continue
        svg, w, h = shot
        path = os.path.join(tmp, "t%d.svg" % i)
        with open(path, "w") as f:
            f.write(svg)
        colours, ink = picture.colour_stats(picture.screenshot(path, w, h))
        check(colours > 20 and 0.05 < ink < 0.9,
              "picture %d is drawn: %d colours, %.0f%% not white" % (i, colours, 100 * ink))
finish()
