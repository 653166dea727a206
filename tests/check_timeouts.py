#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Fails when a Check test file makes a test case without tb_tcase (helpers.h),
sets its own timeout, or runs its suite without tb_run: every test case gets
TB_TEST_TIMEOUT, so a loaded machine slows tests down without failing them."""
import os
import re
import sys

d = sys.argv[1]
bad = []
files = sorted(f for f in os.listdir(d) if f.startswith("test_") and f.endswith(".c"))
for f in files:
    text = open(os.path.join(d, f)).read()
    for n, line in enumerate(text.splitlines(), 1):
        if re.search(r"\b(tcase_create|tcase_set_timeout|srunner_create)\s*\(", line):
            bad.append(f"tests/{f}:{n}: {line.strip()} (use tb_tcase and tb_run from helpers.h)")
    if "tb_tcase(" not in text or "tb_run(" not in text:
        bad.append(f"tests/{f}: its suite does not use tb_tcase and tb_run")
for b in bad:
    print(b)
print(f"{len(files)} Check test files, {len(bad)} problems")
sys.exit(1 if bad else 0)
