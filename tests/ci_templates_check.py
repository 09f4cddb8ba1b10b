#!/usr/bin/env python3
"""The CI templates in ci/ parse as YAML and hold together: the keys each CI
reads (JUnit report path, artifact paths, the conformance command, the
baseline), shell that parses, and variables the gate script really reads.

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
    with open(os.path.join(src, "ci/README.md"), encoding="utf-8") as f:
        readme = f.read()
    for name in ("github/evack-conformance.yml", "gitlab/evack.gitlab-ci.yml", "evack-gate.sh",
                 "github/clusterfuzzlite.yml"):
        check(name in readme, f"ci/README.md documents {name}")
    print(f"{len(bad)} check(s) failed" if bad else "all template checks passed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
