#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Fails when a scenario file is not registered in scenarios/meson.build
(or the list names a file that does not exist): every scenario is a test."""
import os
import re
import sys

d = sys.argv[1]
text = open(os.path.join(d, "meson.build")).read()
block = re.search(r"scenario_files = \[(.*?)\]", text, re.S)
listed = set(re.findall(r"'([^']+\.json)'", block.group(1))) if block else set()
present = {f for f in os.listdir(d) if f.endswith(".json") and f != "schema.json"}
missing = sorted(present - listed)
stale = sorted(listed - present)
for f in missing:
    print(f"scenarios/{f}: not listed in scenarios/meson.build (add it to scenario_files)")
for f in stale:
    print(f"scenarios/meson.build: lists {f}, which does not exist")
print(f"{len(present)} scenario files, {len(listed)} listed")
sys.exit(1 if missing or stale else 0)
