#!/bin/sh
# ci/evack-gate.sh end to end against the reference server started the way a
# CI job starts its implementation (in the background, port from a file):
# exit status, reports, summary, baseline, waiting for a late server, headers
# from the environment kept secret, and its refusals.
#   ci_gate.sh EVACK SOURCE_DIR
set -u
evack=${1:?usage: ci_gate.sh EVACK SOURCE_DIR}
src=${2:?usage: ci_gate.sh EVACK SOURCE_DIR}
gate="$src/ci/evack-gate.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/evk-gate.XXXXXX")
. "$(dirname "$0")/check.sh"
at_exit 'rm -rf "$work"'
trap 'exit 130' INT TERM
san_watch "$work"
serve() { # serve NAME [ref server options]: start a reference server, set $port
    name=$1
    shift
    # Each one is stopped with SIGTERM (by stop, or at exit): exit 0.
    bg_start "$name" 0 "$work/$name.log" "$evack" ref server --port 0 --port-file "$work/$name.port" "$@"
    wait_file "$work/$name.port" 10
    port=$(cat "$work/$name.port" 2>/dev/null)
    [ -n "$port" ] || { echo "FAIL the reference server did not start: $(cat "$work/$name.log")"; exit 1; }
}
stop() { # stop NAME: end one server we started, check its exit status
    bg_stop "$1"
}
gate() { # gate NAME ARGS...: run the gate script, set $rc; output in $work/NAME.out
    name=$1
    shift
    EVACK="$evack" sh "$gate" "$@" >"$work/$name.out" 2>&1
    rc=$?
}
reports_ok() { # reports_ok DIR: every report file exists and is not empty
    for f in report.json junit.xml report.html summary.md evack.log; do [ -s "$1/$f" ] || return 1; done
}

# 1. A conforming server: exit 0, every report, a "passed" summary.
serve good
gate pass "ws://127.0.0.1:$port/" --report "$work/pass"
[ $rc -eq 0 ] && r=ok || r=bad
check "conforming server: exit 0" "$r" "exit $rc: $(tail -n 3 "$work/pass.out")"
reports_ok "$work/pass" && r=ok || r=bad
check "report.json, junit.xml, report.html, summary.md and evack.log written" "$r" "$(ls "$work/pass")"
grep -q '^### evack conformance: passed' "$work/pass/summary.md" &&
    grep -Eq '^[0-9]+ passed, 0 failed' "$work/pass/summary.md" && r=ok || r=bad
check "summary.md says passed, 0 failed" "$r" "$(cat "$work/pass/summary.md")"
grep -q 'failures="0"' "$work/pass/junit.xml" && grep -q '"fail":[[:space:]]*0,' "$work/pass/report.json" &&
    r=ok || r=bad
check "junit.xml and report.json agree: no failure" "$r" "$(head -n 2 "$work/pass/junit.xml")"
grep -q "\"target\":[[:space:]]*\"ws://127.0.0.1:$port/\"" "$work/pass/report.json" && r=ok || r=bad
check "report.json names the target" "$r" "$(grep '"target"' "$work/pass/report.json")"

# 2. A server with a bug (every Event acked twice), options from the environment.
serve bad --fault ack-twice
bad_port=$port
EVACK_REPORT="$work/fail" EVACK_CASES='event.*,frame.binary' gate fail "ws://127.0.0.1:$bad_port/"
[ $rc -eq 1 ] && r=ok || r=bad
check "faulty server: exit 1" "$r" "exit $rc: $(tail -n 3 "$work/fail.out")"
reports_ok "$work/fail" && grep -q '^### evack conformance: failed' "$work/fail/summary.md" &&
    grep -q '^| `event.acked-once` | fail | ' "$work/fail/summary.md" && r=ok || r=bad
check "summary.md lists the failed cases" "$r" "$(cat "$work/fail/summary.md")"
grep -Eq '<testsuites [^>]*failures="[1-9]' "$work/fail/junit.xml" && r=ok || r=bad
check "junit.xml counts the failures" "$r" "$(head -n 2 "$work/fail/junit.xml")"
sed -n 's/^| `\([^`]*\)` | fail | .*/\1/p' "$work/fail/summary.md" >"$work/baseline"

# 3. A baseline listing those failures: the gate passes, the failures stay visible.
gate base "ws://127.0.0.1:$bad_port/" --cases 'event.*,frame.binary' --baseline "$work/baseline" \
    --report "$work/base"
[ $rc -eq 0 ] && [ -s "$work/baseline" ] && r=ok || r=bad
check "baseline of the known failures: exit 0" "$r" "exit $rc: $(tail -n 3 "$work/base.out")"
grep -q '| known failure |' "$work/base/summary.md" && grep -q 'baseline: [1-9]' "$work/base/summary.md" &&
    r=ok || r=bad
check "summary.md marks them as known failures" "$r" "$(cat "$work/base/summary.md")"
echo 'event.no-such-case' >>"$work/baseline"
gate badbase "ws://127.0.0.1:$bad_port/" --cases 'event.*' --baseline "$work/baseline" --report "$work/badbase"
[ $rc -eq 2 ] && grep -q "'event.no-such-case' is not a case id" "$work/badbase.out" && r=ok || r=bad
check "a baseline naming an unknown case: exit 2" "$r" "exit $rc: $(tail -n 3 "$work/badbase.out")"

# 4. A server that starts late: --wait polls until it accepts connections.
stop good
late_port=$(cat "$work/good.port")
late_server() { sleep 2 && exec "$evack" ref server --port "$late_port"; }
bg_start late 0 "$work/late.log" late_server
start=$(date +%s)
gate late "ws://127.0.0.1:$late_port/" --wait 20 --cases 'frame.*' --report "$work/late"
took=$(($(date +%s) - start))
[ $rc -eq 0 ] && [ "$took" -ge 2 ] && r=ok || r=bad
check "a server that starts 2 s late is waited for (${took} s)" "$r" "exit $rc: $(tail -n 3 "$work/late.out")"

# 5. Nobody listening: exit 2 after the wait, a one-line reason.
closed_port=$(cat "$work/bad.port")
serve spare
stop spare
gate closed "ws://127.0.0.1:$(cat "$work/spare.port")/" --wait 1 --report "$work/closed"
[ $rc -eq 2 ] && grep -q 'cannot connect' "$work/closed.out" && r=ok || r=bad
check "unreachable server: exit 2 with the reason" "$r" "exit $rc: $(tail -n 3 "$work/closed.out")"
grep -q 'could not run (exit 2)' "$work/closed/summary.md" && r=ok || r=bad
check "summary.md says the run could not be made" "$r" "$(cat "$work/closed/summary.md" 2>&1)"

# 6. A bearer token from EVACK_HEADERS: the upgrade cases run, the token is nowhere.
token="gate-secret-$$"
serve tok --token "$token"
EVACK_HEADERS="Authorization: Bearer $token" gate token "ws://127.0.0.1:$port/" --cases 'upgrade.*,handshake.*' \
    --report "$work/token"
[ $rc -eq 0 ] && grep -q 'upgrade.second-connection' "$work/token/evack.log" &&
    ! grep -q '"verdict":[[:space:]]*"skip"' "$work/token/report.json" && r=ok || r=bad
check "EVACK_HEADERS carries the token: upgrade cases run and pass" "$r" "exit $rc: $(tail -n 5 "$work/token.out")"
if grep -rqF "$token" "$work/token" "$work/token.out"; then r=bad; else r=ok; fi
check "the token appears in no report, log or output" "$r" "$(grep -rlF "$token" "$work/token" "$work/token.out")"

# 7. Refusals: no target, two targets, an unknown option, an unreadable baseline.
gate u1
[ $rc -eq 2 ] && grep -q 'no target' "$work/u1.out" && r=ok || r=bad
check "no target: exit 2" "$r" "exit $rc: $(cat "$work/u1.out")"
gate u2 ws://127.0.0.1:1/ ws://127.0.0.1:2/
[ $rc -eq 2 ] && r=ok || r=bad
check "two targets: exit 2" "$r" "exit $rc: $(cat "$work/u2.out")"
gate u3 --frobnicate ws://127.0.0.1:1/
[ $rc -eq 2 ] && grep -q "unknown option '--frobnicate'" "$work/u3.out" && r=ok || r=bad
check "unknown option: exit 2" "$r" "exit $rc: $(cat "$work/u3.out")"
gate u4 --baseline "$work/missing" "ws://127.0.0.1:$closed_port/"
[ $rc -eq 2 ] && grep -q 'cannot be read' "$work/u4.out" && r=ok || r=bad
check "unreadable baseline: exit 2" "$r" "exit $rc: $(cat "$work/u4.out")"

# 8. The script itself is POSIX sh: dash parses it (and runs it above, as sh).
dash -n "$gate" 2>"$work/dash.err" && r=ok || r=bad
check "dash -n ci/evack-gate.sh" "$r" "$(cat "$work/dash.err")"

# 9. Every server this test started ends cleanly on SIGTERM.
for name in bad late tok; do stop "$name"; done

[ $fails -eq 0 ] && echo "all gate checks passed" || echo "$fails check(s) failed"
[ $fails -eq 0 ]
