#!/bin/sh
# The reports and the baseline, as HARNESS.md promises them.
#   reports.sh EVACK
set -u
evack=${1:?usage: reports.sh EVACK}
work=$(mktemp -d "${TMPDIR:-/tmp}/evk-reports.XXXXXX")
. "$(dirname "$0")/check.sh"
at_exit 'rm -rf "$work"'
san_watch "$work"

# A run with failures (an injected bug in the embedded reference server).
"$evack" --fault ack-twice --ack-timeout 0.5 --report "$work/r" --color never >"$work/out" 2>&1
rc=$?
[ $rc -eq 1 ] && r=ok || r=bad
check "failures make the exit status 1" $r "exit $rc"
python3 - "$work/r" <<'PY' >"$work/py" 2>&1
import json, sys, xml.etree.ElementTree as ET
d = sys.argv[1]
r = json.load(open(d + "/report.json"))
for k in ("target", "role", "profile", "summary", "cases"):
    assert k in r, "report.json lacks " + k
assert r["role"] == "server" and r["profile"] == "seed"
s = r["summary"]
for k in ("total", "pass", "fail", "non_strict", "informational", "skip"):
    assert isinstance(s[k], int), "summary." + k
assert s["total"] == len(r["cases"]) == s["pass"] + s["fail"] + s["non_strict"] + s["informational"] + s["skip"] + s["known_failures"]
assert s["fail"] > 0
verdicts = {"pass", "fail", "non-strict", "informational", "skip"}
for c in r["cases"]:
    for k in ("id", "verdict", "expected", "observed", "spec", "duration_ms", "transcript"):
        assert k in c, c.get("id", "?") + " lacks " + k
    assert c["verdict"] in verdicts, c["verdict"]
    for e in c["transcript"]:
        assert e["dir"] in ("out", "in", "note") and isinstance(e["t_ms"], (int, float))
        assert e["kind"] in ("text", "binary", "ping", "pong", "close", "drop", "note")
        if e["kind"] == "close": assert isinstance(e["code"], int)
pip = [c for c in r["cases"] if c["id"] == "event.pipelined"][0]
assert pip["latency_ms"]["samples"] > 0 and pip["latency_ms"]["p99"] >= pip["latency_ms"]["p50"]
t = ET.parse(d + "/junit.xml").getroot()
cases = t.findall(".//testcase")
assert len(cases) == s["total"], (len(cases), s["total"])
for tc in cases:
    assert tc.get("classname") == tc.get("name").split(".")[0], tc.get("name")
failed = [tc for tc in cases if tc.find("failure") is not None]
assert len(failed) == s["fail"], (len(failed), s["fail"])
for tc in failed:
    m = tc.find("failure").get("message")
    assert m.startswith("expected ") and ", observed " in m, m
assert len([tc for tc in cases if tc.find("skipped") is not None]) == s["skip"]
open(d + "/failed.txt", "w").write("\n".join(c["id"] for c in r["cases"] if c["verdict"] == "fail") + "\n")
print("report.json and junit.xml agree:", s)
PY
[ $? -eq 0 ] && r=ok || r=bad
check "report.json has HARNESS.md's fields, junit.xml agrees with it" $r "$(cat "$work/py")"
head -c 15 "$work/r/report.html" | grep -q '<!DOCTYPE html>' && ! grep -q 'src="http' "$work/r/report.html" && r=ok || r=bad
check "report.html is one self-contained page" $r "$(head -c 200 "$work/r/report.html")"

# BASELINE: the same failures listed -> exit 0, reported as known.
{ echo "# known failures of the ack-twice mutant"; cat "$work/r/failed.txt"; echo "json.trailing  # passes: reported as fixed"; } >"$work/baseline"
"$evack" --fault ack-twice --ack-timeout 0.5 --baseline "$work/baseline" --report "$work/b" --color never >"$work/out2" 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q 'baseline: [0-9]* known failure(s), 1 fixed' "$work/out2" && r=ok || r=bad
check "listed failures do not fail the run; a listed pass is reported as fixed" $r "exit $rc: $(tail -n 2 "$work/out2")"
grep -q "\"baseline\":[[:space:]]*\"fixed\"" "$work/b/report.json" && grep -q "\"baseline\":[[:space:]]*\"known failure\"" "$work/b/report.json" && r=ok || r=bad
check "report.json marks known failures and fixes" $r "no baseline fields"
# A failure not in the baseline still fails the run.
grep -v 'event.acked-once' "$work/baseline" >"$work/baseline2"
"$evack" --fault ack-twice --ack-timeout 0.5 --baseline "$work/baseline2" --color never >"$work/out3" 2>&1
rc=$?
[ $rc -eq 1 ] && r=ok || r=bad
check "an unlisted failure still fails the run" $r "exit $rc"
# A typo in the baseline is an error, not a silent pass.
echo "event.acked-twice" >"$work/baseline3"
"$evack" --cases handshake.ack --baseline "$work/baseline3" --color never >"$work/out4" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q "not a case id" "$work/out4" && r=ok || r=bad
check "an unknown id in the baseline is exit 2" $r "exit $rc: $(cat "$work/out4")"

# Usage errors: one line, exit 2.
for args in "--profile nosuch" "--cases 'zzz.*'" "ws://" "http://x/" "--jobs 0" "--color purple" "--bogus"; do
    eval "\"\$evack\" $args" >"$work/u" 2>&1
    rc=$?
    lines=$(wc -l <"$work/u")
    [ $rc -eq 2 ] && [ "$lines" -eq 1 ] && grep -q '^evack: ' "$work/u" && r=ok || r=bad
    check "evack $args: exit 2 with one line" $r "exit $rc: $(cat "$work/u")"
done
[ $fails -eq 0 ]
