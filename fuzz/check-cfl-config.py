#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks the ClusterFuzzLite configuration without running it.

    python3 fuzz/check-cfl-config.py [ROOT]

ROOT is the source tree (default: the parent of this script's directory).
Neither Docker nor GitHub Actions can run here, so this checks what can be
checked from the files: that .clusterfuzzlite/project.yaml and every
.github/workflows/cflite_*.yml parse as YAML (python3-yaml), and that the
workflows are what fuzz/README.md says:

  - each is a workflow (name, on, jobs; each job runs-on and steps; each step
    uses an action or runs a command);
  - the ClusterFuzzLite steps are google/clusterfuzzlite/actions/build_fuzzers
    and run_fuzzers at @v1, given only inputs those actions have;
  - build_fuzzers builds language project.yaml names;
  - a job's build and run steps use the same sanitizer, which is one of
    project.yaml's sanitizers (or coverage, for the coverage report), and a
    job with a sanitizer matrix lists exactly project.yaml's sanitizers;
  - the four modes are there: code-change (on pull_request), batch, prune,
    coverage (the latter three on a schedule).

Prints one line per file and exits 0, or prints the problems and exits 1.
"""
import os
import sys

import yaml

ACTIONS = "google/clusterfuzzlite/actions/"
# The inputs of ClusterFuzzLite's two actions (their action.yml, v1).
INPUTS = {
    "build_fuzzers": {
        "language", "dry-run", "allowed-broken-targets-percentage", "sanitizer",
        "project-src-path", "bad-build-check", "keep-unaffected-fuzz-targets",
        "storage-repo", "storage-repo-branch", "storage-repo-branch-coverage",
        "upload-build", "github-token",
    },
    "run_fuzzers": {
        "language", "fuzz-seconds", "dry-run", "sanitizer", "mode", "github-token",
        "storage-repo", "storage-repo-branch", "storage-repo-branch-coverage",
        "report-unreproducible-crashes", "minimize-crashes", "parallel-fuzzing",
        "output-sarif", "report-timeouts", "report-ooms",
    },
}
MODES = {"code-change", "batch", "prune", "coverage"}
MATRIX_SANITIZER = "${{ matrix.sanitizer }}"

problems = []


def problem(where, what):
    problems.append(f"{where}: {what}")


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            return yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as e:
        problem(path, f"does not parse: {e}")
        return None


def triggers(doc):
    # YAML 1.1 reads the key "on" as true.
    on = doc.get("on", doc.get(True))
    if isinstance(on, str):
        return {on}
    if isinstance(on, list):
        return set(on)
    if isinstance(on, dict):
        return set(on)
    return set()


def check_job(path, name, job, project, modes):
    where = f"{path}: job {name}"
    if not isinstance(job, dict) or "runs-on" not in job:
        problem(where, "has no runs-on")
        return
    steps = job.get("steps")
    if not isinstance(steps, list) or not steps:
        problem(where, "has no steps")
        return
    matrix = ((job.get("strategy") or {}).get("matrix") or {}).get("sanitizer")
    if matrix is not None and sorted(matrix) != sorted(project["sanitizers"]):
        problem(where, f"sanitizer matrix {matrix} is not project.yaml's "
                f"{project['sanitizers']}")
    sanitizers = {}
    for i, step in enumerate(steps):
        at = f"{where}: step {i + 1}"
        if not isinstance(step, dict) or not ("uses" in step or "run" in step):
            problem(at, "neither uses an action nor runs a command")
            continue
        uses = step.get("uses", "")
        if not uses.startswith(ACTIONS):
            continue
        action, _, version = uses[len(ACTIONS):].partition("@")
        if action not in INPUTS or version != "v1":
            problem(at, f"unknown ClusterFuzzLite action {uses}")
            continue
        inputs = step.get("with") or {}
        for key in sorted(set(inputs) - INPUTS[action]):
            problem(at, f"{action} has no input {key}")
        sanitizer = inputs.get("sanitizer", "address")
        if sanitizer == MATRIX_SANITIZER:
            if matrix is None:
                problem(at, "uses matrix.sanitizer without a sanitizer matrix")
        elif sanitizer != "coverage" and sanitizer not in project["sanitizers"]:
            problem(at, f"sanitizer {sanitizer} is not in project.yaml")
        sanitizers[action] = sanitizer
        if action == "build_fuzzers":
            if inputs.get("language") != project["language"]:
                problem(at, f"language {inputs.get('language')} is not project.yaml's "
                        f"{project['language']}")
        else:
            mode = inputs.get("mode", "code-change")
            if mode not in MODES:
                problem(at, f"unknown mode {mode}")
            modes.add(mode)
            if (mode == "coverage") != (sanitizer == "coverage"):
                problem(at, "mode coverage goes with sanitizer coverage, and only it")
    if set(sanitizers) == {"build_fuzzers", "run_fuzzers"}:
        if sanitizers["build_fuzzers"] != sanitizers["run_fuzzers"]:
            problem(where, "builds with one sanitizer and runs with another")
    elif sanitizers:
        problem(where, "needs both a build_fuzzers and a run_fuzzers step")


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
    os.chdir(root)
    project_path = os.path.join(".clusterfuzzlite", "project.yaml")
    project = load(project_path)
    if not isinstance(project, dict) or not isinstance(project.get("language"), str) \
            or not isinstance(project.get("sanitizers"), list):
        problem(project_path, "needs language and a list of sanitizers")
        project = None
    else:
        print(f"check-cfl-config: {project_path}: language {project['language']}, "
              f"sanitizers {', '.join(project['sanitizers'])}")

    wf_dir = os.path.join(".github", "workflows")
    files = sorted(f for f in os.listdir(wf_dir) if f.startswith("cflite_")
                   and f.endswith((".yml", ".yaml"))) if os.path.isdir(wf_dir) else []
    if not files:
        problem(wf_dir, "has no cflite_*.yml workflow")
    all_modes = set()
    for f in files:
        path = os.path.join(wf_dir, f)
        doc = load(path)
        if doc is None:
            continue
        if not isinstance(doc, dict) or not isinstance(doc.get("name"), str):
            problem(path, "is not a workflow with a name")
            continue
        on = triggers(doc)
        jobs = doc.get("jobs")
        if not on:
            problem(path, "has no trigger (on)")
        if not isinstance(jobs, dict) or not jobs:
            problem(path, "has no jobs")
            continue
        modes = set()
        if project is not None:
            for name, job in jobs.items():
                check_job(path, name, job, project, modes)
        if "code-change" in modes and "pull_request" not in on:
            problem(path, "code-change fuzzing runs on pull_request")
        if modes & {"batch", "prune", "coverage"} and "schedule" not in on:
            problem(path, "batch, prune and coverage run on a schedule")
        all_modes |= modes
        print(f"check-cfl-config: {path}: {len(jobs)} job(s), modes "
              f"{', '.join(sorted(modes)) or 'none'}")
    for mode in sorted(MODES - all_modes):
        problem(wf_dir, f"no workflow runs mode {mode}")

    for p in problems:
        print(f"check-cfl-config: FAIL: {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
