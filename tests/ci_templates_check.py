#!/usr/bin/env python3
"""The CI templates in ci/ and the GitHub Action (action.yml) parse as YAML
and hold together: the keys each CI reads (JUnit report path, artifact
paths, the conformance command, the baseline), shell that parses, variables
the gate script really reads, and the action's inputs, scripts and outputs.

    ci_templates_check.py SOURCE_DIR

Exit 0 when every check holds; otherwise one line per broken check, exit 1.
"""
import os
import re
import subprocess
import sys

import yaml

bad = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        bad.append(what)


def shell_ok(script, shell):
    """Does `shell -n` parse the script? (CI expressions replaced first.)"""
    text = re.sub(r"\$\{\{[^}]*\}\}", "X", script)
    p = subprocess.run([shell, "-n"], input=text, text=True, capture_output=True)
    return p.returncode == 0, p.stderr.strip()


def github(path):
    with open(path, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    check(isinstance(doc, dict), f"{path}: a YAML mapping")
    # YAML 1.1 reads the key `on` as true; GitHub reads it as "on".
    on = doc.get("on", doc.get(True))
    check(isinstance(on, dict) and "push" in on and "pull_request" in on,
          "github: runs on push and pull_request")
    check(doc.get("permissions", {}).get("checks") == "write",
          "github: permissions.checks is write (the JUnit check run)")
    env = doc.get("env", {})
    for key in ("TARGET", "PROFILE", "BASELINE", "EVACK_REPOSITORY", "EVACK_REF"):
        check(key in env, f"github: env.{key} is set")
    jobs = doc.get("jobs", {})
    check(len(jobs) == 1, "github: one job")
    job = next(iter(jobs.values()))
    check("runs-on" in job and str(job.get("container", "")).startswith("debian:12"),
          "github: the job runs in debian:12 (where evack is built and tested)")
    steps = job.get("steps", [])
    runs = [s for s in steps if "run" in s]
    uses = [s for s in steps if "uses" in s]
    for s in uses:
        check(re.search(r"@v?\d", s["uses"]) is not None, f"github: {s['uses']} is pinned to a version")
    for s in runs:
        ok, err = shell_ok(s["run"], "bash")
        check(ok, f"github: step '{s.get('name')}' is valid shell {err}")
    conf = [s for s in runs if "make -C .evack conformance" in s["run"]]
    check(len(conf) == 1, "github: one step runs make -C .evack conformance")
    if conf:
        text = conf[0]["run"]
        for var in ("TARGET=", "REPORT=", "PROFILE=", "BASELINE="):
            check(var in text, f"github: the conformance step passes {var}")
        check("$GITHUB_WORKSPACE/evack-report" in text,
              "github: REPORT is $GITHUB_WORKSPACE/evack-report (absolute, right inside a container)")
    checkout = [s for s in uses if s["uses"].startswith("actions/checkout@")]
    check(any(s.get("with", {}).get("path") == ".evack" for s in checkout),
          "github: evack is checked out into .evack")
    check(any("make -C .evack build" in s["run"] for s in runs), "github: evack is built")
    junit = [s for s in uses if s["uses"].startswith("mikepenz/action-junit-report@")]
    check(len(junit) == 1 and junit[0].get("with", {}).get("report_paths") == "evack-report/junit.xml",
          "github: the JUnit report evack-report/junit.xml is published")
    upload = [s for s in uses if s["uses"].startswith("actions/upload-artifact@")]
    paths = upload[0].get("with", {}).get("path", "") if upload else ""
    check("evack-report/report.html" in paths, "github: report.html is uploaded as an artifact")
    for s in junit + upload:
        cond = str(s.get("if", ""))
        check("failure()" in cond or "always()" in cond,
              f"github: '{s.get('name')}' also runs when the suite failed")


def gitlab(path, gate_text):
    with open(path, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    check(isinstance(doc, dict) and list(doc) == ["evack-conformance"],
          f"{path}: one job, evack-conformance")
    job = doc.get("evack-conformance", {})
    check(str(job.get("image", "")).startswith("debian:12"), "gitlab: image debian:12")
    art = job.get("artifacts", {})
    check(art.get("reports", {}).get("junit") == "evack-report/junit.xml",
          "gitlab: artifacts.reports.junit is evack-report/junit.xml")
    check(art.get("when") == "always", "gitlab: artifacts are kept when the job fails")
    check("evack-report/" in art.get("paths", []), "gitlab: evack-report/ (report.html) is an artifact")
    variables = job.get("variables", {})
    check(variables.get("EVACK_REPORT") == "evack-report",
          "gitlab: EVACK_REPORT is the directory the JUnit path names")
    read_by_gate = set(re.findall(r"\$\{(EVACK_[A-Z_]+):-", gate_text))
    for v in variables:
        if v.startswith("EVACK_") and v not in ("EVACK_GIT_URL", "EVACK_REF"):
            check(v in read_by_gate, f"gitlab: variable {v} is read by ci/evack-gate.sh")
    for key in ("before_script", "script"):
        lines = job.get(key, [])
        check(isinstance(lines, list) and all(isinstance(x, str) for x in lines),
              f"gitlab: {key} is a list of commands")
        ok, err = shell_ok("\n".join(lines), "sh")
        check(ok, f"gitlab: {key} is valid sh {err}")
    check(any("ci/evack-gate.sh" in x for x in job.get("script", [])), "gitlab: script runs ci/evack-gate.sh")


def clusterfuzzlite(path, src):
    """The ClusterFuzzLite workflow builds .clusterfuzzlite/ for the language
    and sanitizers the OSS-Fuzz project file declares, and fuzzes changes in
    pull requests and everything on a schedule."""
    with open(path, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    check(isinstance(doc, dict), f"{path}: a YAML mapping")
    on = doc.get("on", doc.get(True)) or {}
    check("pull_request" in on and "schedule" in on, "cflite: runs on pull_request and on a schedule")
    with open(os.path.join(src, "ci/oss-fuzz/project.yaml"), encoding="utf-8") as f:
        project = yaml.safe_load(f)
    jobs = list((doc.get("jobs") or {}).values())
    check(len(jobs) == 1, "cflite: one job")
    job = jobs[0] if jobs else {}
    sans = job.get("strategy", {}).get("matrix", {}).get("sanitizer", [])
    check(sorted(sans) == sorted(project.get("sanitizers", [])),
          "cflite: the sanitizers of ci/oss-fuzz/project.yaml")
    steps = job.get("steps", [])
    build = [s for s in steps if str(s.get("uses", "")).startswith("google/clusterfuzzlite/actions/build_fuzzers@")]
    run = [s for s in steps if str(s.get("uses", "")).startswith("google/clusterfuzzlite/actions/run_fuzzers@")]
    check(len(build) == 1 and len(run) == 1, "cflite: build_fuzzers then run_fuzzers")
    if build and run:
        check(build[0].get("with", {}).get("language") == project.get("language"),
              "cflite: the language of ci/oss-fuzz/project.yaml")
        mode = str(run[0].get("with", {}).get("mode", ""))
        check("code-change" in mode and "batch" in mode, "cflite: code-change on pull requests, batch otherwise")
        check("fuzz-seconds" in run[0].get("with", {}), "cflite: fuzz-seconds is set")
    for name in ("Dockerfile", "build.sh", "project.yaml"):
        check(os.path.exists(os.path.join(src, ".clusterfuzzlite", name)), f"cflite: .clusterfuzzlite/{name} exists")


def action(src):
    """action.yml, the composite GitHub Action: every input it uses exists and
    every input exists for a reason, every run: step names its shell and only
    calls an executable, parsable script of ci/action/ with the variables that
    script reads, step outputs it reads are ones the scripts write, and the
    report is uploaded before the last step fails the action."""
    path = os.path.join(src, "action.yml")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    doc = yaml.safe_load(text)
    check(isinstance(doc, dict) and doc.get("name") and doc.get("description"),
          "action: a mapping with name and description")
    runs = doc.get("runs", {})
    check(runs.get("using") == "composite", "action: runs.using is composite")
    inputs = doc.get("inputs", {}) or {}
    check(inputs.get("target", {}).get("required") is True, "action: input target is required")
    for name, spec in inputs.items():
        check(bool((spec or {}).get("description")), f"action: input {name} has a description")
    used = set(re.findall(r"inputs\.([A-Za-z0-9_-]+)", text))
    for name in sorted(used):
        check(name in inputs, f"action: inputs.{name} is a declared input")
    for name in inputs:
        check(name in used, f"action: input {name} is used")
    for want in ("target", "profile", "baseline", "headers", "cases", "exclude", "report-dir", "wait-timeout"):
        check(want in inputs, f"action: has the input {want}")
    steps = runs.get("steps", []) or []
    ids = {s["id"]: s for s in steps if "id" in s}
    scripts = {}
    for s in steps:
        label = s.get("name", "?")
        if "uses" in s:
            check(re.fullmatch(r"actions/upload-artifact@v4", s["uses"]) is not None,
                  f"action: step '{label}' uses only actions/upload-artifact@v4")
            check(str(s.get("if", "")).replace(" ", "") in ("${{!cancelled()}}", "${{always()}}"),
                  f"action: step '{label}' also runs when the suite failed")
            continue
        check(s.get("shell") in ("sh", "bash"), f"action: step '{label}' has shell: sh or bash")
        run = str(s.get("run", ""))
        check("${{" not in run, f"action: step '{label}' has no expression inside run: (inputs go through env)")
        called = re.findall(r'"\$GITHUB_ACTION_PATH/(ci/action/[a-z-]+\.sh)"', run)
        check(len(called) == 1, f"action: step '{label}' runs one script of ci/action/ from $GITHUB_ACTION_PATH")
        if not called:
            continue
        script = os.path.join(src, called[0])
        ok = os.path.isfile(script) and os.access(script, os.X_OK)
        check(ok, f"action: {called[0]} exists and is executable")
        if not ok:
            continue
        ok, err = shell_ok(open(script, encoding="utf-8").read(), "dash")
        check(ok, f"action: {called[0]} is valid POSIX sh (dash -n) {err}")
        body = open(script, encoding="utf-8").read()
        scripts[s.get("id")] = body
        env = s.get("env", {}) or {}
        reads = set(re.findall(r"\$\{?(INPUT_[A-Z_]+|EVACK_EXIT_CODE|EVACK)\b", body))
        for var in sorted(reads):
            check(var in env, f"action: step '{label}' sets {var}, which {called[0]} reads")
        for var in env:
            check(var in reads, f"action: {called[0]} reads {var}, which step '{label}' sets")
    refs = re.findall(r"steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)", text)
    for sid, out in refs:
        check(sid in ids and f"{out}=" in scripts.get(sid, ""),
              f"action: steps.{sid}.outputs.{out} is written by that step's script")
    outputs = doc.get("outputs", {}) or {}
    for name in ("exit-code", "report-dir"):
        check(name in outputs and "value" in outputs[name], f"action: output {name}")
    run_step = ids.get("run", {})
    check(run_step.get("continue-on-error") is True and "ci/action/run.sh" in str(run_step.get("run")),
          "action: the suite step (id run) runs ci/action/run.sh and lets the upload happen")
    last = steps[-1] if steps else {}
    check("ci/action/finish.sh" in str(last.get("run", "")) and
          str(last.get("if", "")).replace(" ", "") == "${{!cancelled()}}" and
          "steps.run.outputs.exit-code" in str(last.get("env", {})),
          "action: the last step fails the action with the suite's exit-code")
    with open(os.path.join(src, "ci/README.md"), encoding="utf-8") as f:
        readme = f.read()
    check(re.search(r"uses: [^\s/]+/evack@", readme) is not None, "ci/README.md: shows uses: <owner>/evack@<tag>")
    for name in inputs:
        check(f"`{name}`" in readme, f"ci/README.md documents the input {name}")


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    src = sys.argv[1]
    with open(os.path.join(src, "ci/evack-gate.sh"), encoding="utf-8") as f:
        gate_text = f.read()
    github(os.path.join(src, "ci/github/evack-conformance.yml"))
    gitlab(os.path.join(src, "ci/gitlab/evack.gitlab-ci.yml"), gate_text)
    clusterfuzzlite(os.path.join(src, "ci/github/clusterfuzzlite.yml"), src)
    action(src)
    with open(os.path.join(src, "ci/README.md"), encoding="utf-8") as f:
        readme = f.read()
    for name in ("github/evack-conformance.yml", "gitlab/evack.gitlab-ci.yml", "evack-gate.sh",
                 "github/clusterfuzzlite.yml", "action.yml"):
        check(name in readme, f"ci/README.md documents {name}")
    print(f"{len(bad)} check(s) failed" if bad else "all template checks passed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
