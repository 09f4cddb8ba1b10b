#!/bin/sh
# No leaks, no invalid reads: full conformance runs under valgrind, for the
# harness in both roles and for both reference peers.
#   leaks.sh EVACK
set -u
evack=${1:?usage: leaks.sh EVACK}
command -v valgrind >/dev/null || { echo "SKIP: valgrind is not installed"; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/evk-leaks.XXXXXX")
trap 'rm -rf "$work"' EXIT
supp=$(dirname "$0")/valgrind.supp
vg="valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=3 --suppressions=$supp"
fails=0
verdict() { # NAME EXIT LOG
    if [ "$2" -eq 3 ]; then echo "FAIL $1: valgrind found errors"; sed 's/^/    /' "$3" | head -n 40; fails=$((fails + 1))
    else echo "ok   $1 (exit $2, no valgrind error)"; fi
}

# The harness and the reference server in one process (the embedded server).
$vg "$evack" --ack-timeout 0.5 --color never --quiet --report "$work/r1" >"$work/1" 2>&1
verdict "suite vs the embedded server (seed)" $? "$work/1"
$vg "$evack" --ack-timeout 0.5 --profile strict --color never --quiet >"$work/2" 2>&1
verdict "suite vs the embedded server (strict)" $? "$work/2"

# The reference server on its own, stopped by SIGTERM.
$vg "$evack" ref server --port 0 --port-file "$work/port" --ack-timeout 0.5 >"$work/3" 2>&1 &
srv=$!
i=0
while [ ! -s "$work/port" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
"$evack" "ws://127.0.0.1:$(cat "$work/port")/" --color never --quiet >/dev/null 2>&1
kill -TERM $srv
wait $srv
verdict "reference server, stopped by SIGTERM" $? "$work/3"

# The harness as a server, with reference clients that run under valgrind too.
$vg "$evack" --client "$vg $evack ref client {url}" --ack-timeout 0.5 --jobs 4 --connect-timeout 30 \
    --cases 'handshake.*,frame.*,json.trailing,schema.missing-id,ack.*,event.acked-once,deadline.*,close.*' \
    --color never --report "$work/r4" >"$work/4" 2>&1
verdict "suite vs reference clients" $? "$work/4"
if grep -q 'exited with status 3' "$work/r4/report.json"; then
    echo "FAIL reference client: valgrind found errors (see the client output in report.json)"
    fails=$((fails + 1))
else
    echo "ok   reference clients: no valgrind error in any case"
fi
[ $fails -eq 0 ]
