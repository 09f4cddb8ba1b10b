#!/bin/sh
# SIGINT/SIGTERM in the middle of a run: the reports written are complete,
# well-formed files marked incomplete, the exit status says interrupted (130),
# and no client process or listener survives.
#   interrupt.sh EVACK
set -u
evack=${1:?usage: interrupt.sh EVACK}
work=$(mktemp -d "${TMPDIR:-/tmp}/evk-int.XXXXXX")
. "$(dirname "$0")/check.sh"
at_exit 'rm -rf "$work"'
san_watch "$work"
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

# interrupt SIG LABEL DIR READY [evack options]: starts evack with a report
# into DIR, sends SIG once the shell test READY holds (the run is under way:
# evack handles the signals from then on; before, a loaded machine could
# deliver it during start-up), and checks the exit status (130) and the
# reports.
interrupt() {
    sig=$1 label=$2 dir=$3 ready=$4
    shift 4
    bg_start run 130 "$dir.out" "$evack" "$@" --report "$dir" --color never
    i=0
    until eval "$ready" || [ $i -ge 600 ]; do sleep 0.05; i=$((i + 1)); done
    bg_end run "$sig" && r=ok || r=bad
    check "SIG$sig ($label): exit 130" $r "$bg_problem"
    out=$(well_formed "$dir" 2>&1) && r=ok || r=bad
    check "SIG$sig ($label): complete reports marked incomplete" $r "$out"
}

for sig in INT TERM; do
    # Server role: the suite against the embedded server, stopped mid-run.
    # (once a first case has passed)
    interrupt "$sig" "server role" "$work/s$sig" "grep -Eq '^\[ *[0-9]+/[0-9]+\] PASS' '$work/s$sig.out'"

    # Client role: clients that would run for a minute must not survive.
    # (The marker is a valid duration, unique to this run and signal: each
    # client really sleeps 41 s.)
    marker="41.$$$(if [ $sig = INT ]; then echo 1; else echo 2; fi)"
    # (once it has started a client)
    interrupt "$sig" "client role" "$work/c$sig" "ps -eo args= | grep -q '^sleep $marker\$'" \
        --client "sleep $marker; $evack ref client {url}" --connect-timeout 60 --port 0
    sleep 0.2
    left=$(ps -eo pid=,args= | grep -F "sleep $marker" | grep -v grep)
    [ -z "$left" ] && r=ok || r=bad
    check "SIG$sig (client role): no client process survives" $r "$left"
    left=$(ps -eo pid=,args= | grep -F -- "--report $work/c$sig" | grep -v grep)
    [ -z "$left" ] && r=ok || r=bad
    check "SIG$sig (client role): evack itself (the listener) is gone" $r "$left"
done
[ $fails -eq 0 ]
