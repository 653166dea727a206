#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Validates every scenario here, and each of its cases merged into it, against
schema.json, so that the schema editors use agrees with the bundled files;
and every property's examples and default against that property's own
schema (they are what editors offer). Skips (exit 77) when the jsonschema
module is missing."""
import json
import os
import sys

try:
    import jsonschema
except ImportError:
    print("python3-jsonschema is not installed: skipped")
    sys.exit(77)

BASES = ("ram", "flash", "upcall", "result", "buf", "end")


def merge(target, patch):
    """RFC 7386, with grantsim's refinement: a relative value replaces whole."""
    if not isinstance(patch, dict) or any(b in patch for b in BASES):
        return patch
    out = dict(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge(out.get(k), v)
    return out


d = sys.argv[1]
schema = json.load(open(os.path.join(d, "schema.json")))
validator = jsonschema.Draft7Validator(schema)
bad = 0
files = sorted(f for f in os.listdir(d) if f.endswith(".json") and f != "schema.json")
for f in files:
    doc = json.load(open(os.path.join(d, f)))
    docs = [("", doc)]
    for c in doc.get("cases", []):
        patch = {k: v for k, v in c.items() if k not in ("id", "description")}
        docs.append((" [case %s]" % c.get("id"), merge(doc, patch)))
    for label, x in docs:
        for e in validator.iter_errors(x):
            path = "".join("[%d]" % p if isinstance(p, int) else "." + p for p in e.path)
            print("scenarios/%s%s: %s: %s" % (f, label, path or "(top level)", e.message))
            bad += 1


def properties(node, path):
    """Every (path, property schema) of the schema, definitions included."""
    if isinstance(node, dict):
        for k, v in node.get("properties", {}).items():
            yield path + "." + k, v
        for k, v in node.items():
            yield from properties(v, path + "/" + k)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from properties(v, "%s[%d]" % (path, i))


nprops = 0
for path, prop in properties(schema, "#"):
    if "examples" not in prop and "default" not in prop:
        continue
    nprops += 1
    sub = dict(prop, definitions=schema["definitions"])
    v = jsonschema.Draft7Validator(sub)
    values = [("example", x) for x in prop.get("examples", [])]
    if "default" in prop:
        values.append(("default", prop["default"]))
    for what, x in values:
        for e in v.iter_errors(x):
            print("schema.json: %s: the %s %s: %s" % (path, what, json.dumps(x), e.message))
            bad += 1
print("%d files and the examples and defaults of %d properties checked against schema.json, "
      "%d problems" % (len(files), nprops, bad))
sys.exit(1 if bad else 0)
