#!/bin/sh
# Header values (a bearer token) never appear in any output of evack: console,
# stderr, report.json, junit.xml, report.html, error messages.
#   secrets.sh EVACK
set -u
evack=${1:?usage: secrets.sh EVACK}
work=$(mktemp -d "${TMPDIR:-/tmp}/evk-secret.XXXXXX")
. "$(dirname "$0")/check.sh"
at_exit 'rm -rf "$work"'
san_watch "$work"
token="evk-secret-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
bg_start server 0 "$work/server.log" "$evack" ref server --token "$token" --port 0 --port-file "$work/port" \
    --ack-timeout 0.5
wait_file "$work/port" 5
url="ws://127.0.0.1:$(cat "$work/port")/"
leaks() { grep -rl -- "$token" "$@" 2>/dev/null; }

# A full run with the token (upgrade cases included), reports written.
"$evack" "$url" --header "Authorization: Bearer $token" --header "X-Trace: $token" \
    --report "$work/report" --color never >"$work/out" 2>"$work/err"
rc=$?
[ $rc -eq 0 ] || { echo "FAIL the run with a token should pass (exit $rc)"; tail -n 5 "$work/out"; fails=$((fails + 1)); }
grep -q 'upgrade.second-connection' "$work/out" || { echo "FAIL upgrade cases did not run"; fails=$((fails + 1)); }
# Error paths: a refused token, a malformed header, an unreachable target.
"$evack" "$url" --header "Authorization: Bearer wrong-$token" --cases handshake.ack >"$work/out2" 2>&1
"$evack" "$url" --header "Broken$token" --cases handshake.ack >"$work/out3" 2>&1
"$evack" "ws://127.0.0.1:1/" --header "Authorization: Bearer $token" >"$work/out4" 2>&1
found=$(leaks "$work/out" "$work/err" "$work/out2" "$work/out3" "$work/out4" "$work/report")
if [ -n "$found" ]; then
    echo "FAIL the token appears in: $found"
    fails=$((fails + 1))
else
    echo "ok   the token appears in no console output, error message or report ($(ls "$work/report" | tr '\n' ' '))"
fi
bg_stop server
[ $fails -eq 0 ]
