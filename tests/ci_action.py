#!/usr/bin/env python3
"""The GitHub Action (action.yml) run end to end against the reference server,
the way the runner runs a composite action: its steps in order, each run:
step with its shell, its env: expressions evaluated, $GITHUB_OUTPUT,
$GITHUB_STEP_SUMMARY and $GITHUB_ACTION_PATH set, `if:` and
`continue-on-error` honoured; actions/upload-artifact is recorded (its path
must exist). The build step really builds evack, into a scratch directory.

    ci_action.py SOURCE_DIR EVACK

EVACK (the tested build) only starts the reference servers. Exit 0 when
every check holds; otherwise one line per broken check, exit 1.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import yaml

bad = []


def check(ok, what, detail=""):
    print(("ok   " if ok else "FAIL ") + what + ("" if ok else f": {detail}"))
    if not ok:
        bad.append(what)


class Action:
    """Runs action.yml's steps like the GitHub runner (the parts it uses)."""

    def __init__(self, src, work, build_dir):
        self.src = src
        self.work = work
        self.build_dir = build_dir
        with open(os.path.join(src, "action.yml"), encoding="utf-8") as f:
            self.doc = yaml.safe_load(f)

    def run(self, name, inputs, before=None):
        """before: {step name prefix: function called just before that step}."""
        ws = os.path.join(self.work, name)  # the workspace (steps' working directory)
        os.makedirs(ws)
        declared = self.doc["inputs"]
        unknown = set(inputs) - set(declared)
        if unknown:
            raise ValueError(f"not inputs of action.yml: {unknown}")
        values = {k: str(v.get("default", "")) for k, v in declared.items()}
        values.update(inputs)
        steps = {}
        res = {"steps": [], "uploads": [], "log": "", "ws": ws, "failed": False}
        summary = os.path.join(ws, ".step_summary")
        open(summary, "w").close()

        def expr(text):
            def sub(m):
                e = m.group(1).strip()
                if e.startswith("inputs."):
                    return values[e[len("inputs."):]]
                if e == "github.action_path":
                    return self.src
                so = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", e)
                if so:
                    return steps.get(so.group(1), {}).get(so.group(2), "")
                raise ValueError(f"expression not emulated: {e}")
            return re.sub(r"\$\{\{(.*?)\}\}", sub, str(text))

        def should_run(step):
            cond = str(step.get("if", "success()")).strip()
            cond = re.sub(r"^\$\{\{(.*)\}\}$", r"\1", cond).strip()
            if cond in ("always()", "!cancelled()"):
                return True
            if cond == "success()":
                return not res["failed"]
            if cond == "failure()":
                return res["failed"]
            raise ValueError(f"if: not emulated: {cond}")

        for i, step in enumerate(self.doc["runs"]["steps"]):
            label = step.get("name", f"step {i}")
            for prefix, fn in (before or {}).items():
                if label.startswith(prefix):
                    fn()
            if not should_run(step):
                res["steps"].append((label, "skipped", None))
                continue
            if "uses" in step:
                if not step["uses"].startswith("actions/upload-artifact@"):
                    raise ValueError(f"uses: not emulated: {step['uses']}")
                w = {k: expr(v) for k, v in step.get("with", {}).items()}
                res["uploads"].append((w, os.path.isdir(os.path.join(ws, w.get("path", "")))))
                res["steps"].append((label, "success", 0))
                continue
            out_file = os.path.join(ws, f".output{i}")
            open(out_file, "w").close()
            script = os.path.join(ws, f".step{i}.sh")
            with open(script, "w", encoding="utf-8") as f:
                f.write(step["run"])
            shell = {"sh": ["sh", "-e"], "bash": ["bash", "--noprofile", "--norc", "-eo", "pipefail"]}[step["shell"]]
            env = dict(os.environ, GITHUB_ACTION_PATH=self.src, GITHUB_OUTPUT=out_file,
                       GITHUB_STEP_SUMMARY=summary, GITHUB_WORKSPACE=ws, EVACK_BUILD_DIR=self.build_dir)
            env.update({k: expr(v) for k, v in step.get("env", {}).items()})
            t0 = time.monotonic()
            p = subprocess.run(shell + [script], cwd=ws, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, timeout=900)
            took = time.monotonic() - t0
            res["log"] += f"--- {label} (exit {p.returncode}, {took:.1f} s)\n{p.stdout}"
            outputs = {}
            with open(out_file, encoding="utf-8") as f:
                for line in f.read().splitlines():
                    if "=" in line:
                        k, v = line.split("=", 1)
                        outputs[k] = v
            if "id" in step:
                steps[step["id"]] = outputs
            status = "success" if p.returncode == 0 else "failure"
            res["steps"].append((label, status, p.returncode, took))
            if status == "failure" and not step.get("continue-on-error", False):
                res["failed"] = True
        res["outputs"] = {k: expr(v["value"]) for k, v in self.doc.get("outputs", {}).items()}
        with open(summary, encoding="utf-8") as f:
            res["summary"] = f.read()
        return res


def step(res, prefix):
    """The first step whose name starts with prefix: (name, status, exit, ...)."""
    return next((s for s in res["steps"] if s[0].startswith(prefix)), (prefix, "missing", None))


class Servers:
    """Reference servers in the background; each one is stopped with SIGTERM
    and waited for at the end, and must then exit 0 (it stops cleanly)."""

    def __init__(self, evack, work):
        self.evack, self.work, self.procs = evack, work, []

    def start(self, name, *args, port=0, delay=0.0):
        port_file = os.path.join(self.work, name + ".port")
        cmd = [self.evack, "ref", "server", "--port", str(port), "--port-file", port_file, "--ack-timeout", "0.5",
               *args]
        if delay:
            cmd = ["sh", "-c", 'sleep "$0" && exec "$@"', str(delay)] + cmd
        log = open(os.path.join(self.work, name + ".log"), "w")
        p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        self.procs.append((name, p))
        if delay:
            return port
        for _ in range(100):
            if os.path.exists(port_file) and open(port_file).read().strip():
                return int(open(port_file).read())
            time.sleep(0.1)
        raise RuntimeError(f"the reference server {name} did not start")

    def stop(self, name):
        for n, p in self.procs:
            if n == name and p.returncode is None:
                p.send_signal(signal.SIGTERM)
                p.wait(timeout=30)
                check(p.returncode == 0, f"server {name}: SIGTERM, then exit 0", f"exit {p.returncode}")

    def stop_all(self):
        for n, _ in list(self.procs):
            self.stop(n)


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    src, evack = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    work = tempfile.mkdtemp(prefix="evk-action.")
    servers = Servers(evack, work)
    try:
        scenarios(Action(src, work, os.path.join(work, "build")), servers, work)
    finally:
        servers.stop_all()
        shutil.rmtree(work, ignore_errors=True)
    print(f"{len(bad)} check(s) failed" if bad else "all action checks passed")
    return 1 if bad else 0


def report_json(res, name="evack-report"):
    """The run's report.json; an empty one when there is none (a check then fails)."""
    try:
        with open(os.path.join(res["ws"], name, "report.json"), encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return {"profile": None, "summary": {}, "cases": []}


def scenarios(action, servers, work):
    # 1. A conforming server (strict, so the profile input is used; close.soak
    #    excluded): the action succeeds, every report is there and uploaded.
    port = servers.start("good", "--profile", "strict")
    res = action.run("pass", {"target": f"ws://127.0.0.1:{port}/", "profile": "strict", "exclude": "close.soak"})
    build = step(res, "Build evack")
    check(build[1] == "success", f"pass: the build step builds evack ({build[3] if len(build) > 3 else '?'} s)",
          res["log"][-3000:])
    check(not res["failed"], "pass: the action succeeds", res["log"][-3000:])
    check(res["outputs"].get("exit-code") == "0", "pass: output exit-code is 0", res["outputs"])
    check(res["outputs"].get("report-dir") == os.path.join(res["ws"], "evack-report"),
          "pass: output report-dir is the absolute report directory", res["outputs"])
    files = ("report.json", "junit.xml", "report.html", "summary.md", "evack.log")
    missing = [f for f in files if not os.path.isfile(os.path.join(res["ws"], "evack-report", f))]
    check(not missing, "pass: report.json, junit.xml, report.html, summary.md, evack.log written", missing)
    if not missing:
        rep = report_json(res)
        ids = [c["id"] for c in rep["cases"]]
        check(rep["profile"] == "strict" and rep["summary"].get("fail") == 0 and "close.soak" not in ids and
              len(ids) > 50, "pass: report.json: profile strict, no failure, close.soak excluded",
              f"{rep['profile']} {rep['summary']} {len(ids)} cases")
    check("### evack conformance: passed" in res["summary"], "pass: the job summary says passed", res["summary"])
    check(res["uploads"] and res["uploads"][0][0].get("path") == "evack-report" and res["uploads"][0][1] and
          res["uploads"][0][0].get("name") == "evack-report",
          "pass: the report directory is uploaded as the evack-report artifact", res["uploads"])

    # 2. A faulty server (every violation closed with 1000): the run step
    #    exits 1, the report is still uploaded, the last step fails the action.
    port = servers.start("faulty", "--fault", "close-1000")
    res = action.run("fail", {"target": f"ws://127.0.0.1:{port}/", "cases": "frame.*,json.*", "report-dir": "out"})
    run = step(res, "Run the evack")
    check(run[1] == "failure" and run[2] == 1, "fail: the run step (ci/action/run.sh) exits 1", run)
    check(res["failed"], "fail: the action fails", res["steps"])
    check(step(res, "Fail when")[1:3] == ("failure", 1), "fail: the last step fails with exit 1", res["steps"])
    check(res["outputs"].get("exit-code") == "1", "fail: output exit-code is 1", res["outputs"])
    check(res["uploads"] and res["uploads"][0][1] and res["uploads"][0][0].get("path") == "out",
          "fail: the report (report-dir out) is uploaded anyway", res["uploads"])
    junit = os.path.join(res["ws"], "out", "junit.xml")
    check(os.path.isfile(junit) and re.search(r'<testsuites [^>]*failures="[1-9]', open(junit).read()),
          "fail: junit.xml counts the failures", junit)
    check("### evack conformance: failed" in res["summary"] and "| fail |" in res["summary"],
          "fail: the job summary lists the failed cases", res["summary"])

    # 3. The same failures in a baseline (a file of the workspace): passes.
    failed = [c["id"] for c in report_json(res, "out")["cases"] if c["verdict"] == "fail"]
    base = os.path.join(work, "known.txt")
    with open(base, "w") as f:
        f.write("".join(i + "\n" for i in failed))
    res = action.run("base", {"target": f"ws://127.0.0.1:{port}/", "cases": "frame.*,json.*", "baseline": base})
    check(failed and not res["failed"] and res["outputs"].get("exit-code") == "0",
          f"baseline: {len(failed)} known failures do not fail the action", res["log"][-2000:])

    # 4. A server that comes up 2 s after the wait step starts: waited for.
    spare = servers.start("spare")
    servers.stop("spare")
    res = action.run("late", {"target": f"ws://127.0.0.1:{spare}/path", "cases": "frame.*", "wait-timeout": "30"},
                     before={"Wait for": lambda: servers.start("late", port=spare, delay=2)})
    wait = step(res, "Wait for")
    check(wait[1] == "success" and wait[3] >= 1.0 and not res["failed"],
          f"late: the wait step waits for the server ({wait[3] if len(wait) > 3 else '?'} s), then passes",
          res["log"][-2000:])
    rep = report_json(res)
    check(rep["cases"] and all(c["id"].startswith("frame.") for c in rep["cases"]),
          "late: the cases input selects frame.* only", [c["id"] for c in rep["cases"]])

    # 5. Nobody listening: the wait step fails after wait-timeout, evack never
    #    runs, the action fails.
    closed = servers.start("gone")
    servers.stop("gone")
    res = action.run("closed", {"target": f"ws://127.0.0.1:{closed}/", "wait-timeout": "1"})
    wait = step(res, "Wait for")
    check(wait[1] == "failure" and wait[2] == 2 and "did not accept TCP connections within 1 s" in res["log"],
          "closed: the wait step fails (exit 2) with the reason", res["log"][-1500:])
    check(step(res, "Run the evack")[1] == "skipped" and res["failed"] and
          step(res, "Fail when")[1:3] == ("failure", 2) and res["outputs"].get("exit-code") == "",
          "closed: the suite is skipped, the action fails", res["steps"])

    # 6. A bearer token in the headers input: the upgrade cases run and pass,
    #    and the token appears in no log, output, summary or report.
    token = f"action-secret-{os.getpid()}"
    port = servers.start("token", "--token", token)
    res = action.run("token", {"target": f"ws://127.0.0.1:{port}/", "cases": "upgrade.*,handshake.*",
                               "headers": f"Authorization: Bearer {token}"})
    rep = report_json(res)
    check(not res["failed"] and any(c["id"] == "upgrade.second-connection" and c["verdict"] == "pass"
                                            for c in rep["cases"]),
          "token: the upgrade cases run and pass", res["log"][-2000:])
    leaks = [os.path.relpath(os.path.join(d, f), res["ws"]) for d, _, fs in os.walk(res["ws"]) for f in fs
             if token in open(os.path.join(d, f), errors="replace").read()]
    check(token not in res["log"] and token not in json.dumps(res["outputs"]) and not leaks,
          "token: in no step log, output, summary or report file", f"in the log: {token in res['log']}, files: {leaks}")


if __name__ == "__main__":
    sys.exit(main())
