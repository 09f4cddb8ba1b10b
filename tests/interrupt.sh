#!/bin/sh
# SIGINT/SIGTERM in the middle of a run: the reports written are complete,
# well-formed files marked incomplete, the exit status says interrupted (130),
# and no client process or listener survives.
#   interrupt.sh EVACK
set -u
evack=${1:?usage: interrupt.sh EVACK}
work=$(mktemp -d "${TMPDIR:-/tmp}/evk-int.XXXXXX")
trap 'rm -rf "$work"' EXIT
fails=0
check() { if [ "$2" = ok ]; then echo "ok   $1"; else echo "FAIL $1: $3"; fails=$((fails + 1)); fi; }
well_formed() { # DIR: parses, marked incomplete, every case has a verdict
    python3 - "$1" <<'PY'
import json, sys, xml.etree.ElementTree as ET
d = sys.argv[1]
r = json.load(open(d + "/report.json"))
assert r["complete"] is False, "not marked incomplete"
assert r["summary"]["total"] == len(r["cases"])
assert any(c["observed"].startswith("interrupted") for c in r["cases"]), "no case says interrupted"
ET.parse(d + "/junit.xml")
html = open(d + "/report.html").read()
assert html.rstrip().endswith("</html>"), "report.html is cut"
PY
}

for sig in INT TERM; do
    # Server role: the suite against the embedded server, stopped mid-run.
    "$evack" --report "$work/s$sig" --color never >"$work/s$sig.out" 2>&1 &
    pid=$!
    sleep 0.7
    kill -$sig $pid
    wait $pid
    rc=$?
    [ $rc -eq 130 ] && r=ok || r=bad
    check "SIG$sig (server role): exit 130" $r "exit $rc: $(tail -n 2 "$work/s$sig.out")"
    out=$(well_formed "$work/s$sig" 2>&1) && r=ok || r=bad
    check "SIG$sig (server role): complete reports marked incomplete" $r "$out"

    # Client role: clients that would run for a minute must not survive.
    marker="41.$$$sig"
    "$evack" --client "sleep $marker; $evack ref client {url}" --connect-timeout 60 --port 0 \
        --report "$work/c$sig" --color never >"$work/c$sig.out" 2>&1 &
    pid=$!
    sleep 1
    kill -$sig $pid
    wait $pid
    rc=$?
    [ $rc -eq 130 ] && r=ok || r=bad
    check "SIG$sig (client role): exit 130" $r "exit $rc: $(tail -n 2 "$work/c$sig.out")"
    out=$(well_formed "$work/c$sig" 2>&1) && r=ok || r=bad
    check "SIG$sig (client role): complete reports marked incomplete" $r "$out"
    sleep 0.2
    left=$(ps -eo pid=,args= | grep -F "sleep $marker" | grep -v grep)
    [ -z "$left" ] && r=ok || r=bad
    check "SIG$sig (client role): no client process survives" $r "$left"
    left=$(ps -eo pid=,args= | grep -F -- "--report $work/c$sig" | grep -v grep)
    [ -z "$left" ] && r=ok || r=bad
    check "SIG$sig (client role): evack itself (the listener) is gone" $r "$left"
done
[ $fails -eq 0 ]
