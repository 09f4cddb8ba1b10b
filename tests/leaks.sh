#!/bin/sh
# No leaks, no invalid reads: full conformance runs under valgrind, for the
# harness in both roles and for both reference peers.
#   leaks.sh EVACK
# Every run states the exit status it must end with; valgrind's error code
# (3), a death by a signal or any other status fails the test.
set -u
evack=${1:?usage: leaks.sh EVACK}
. "$(dirname "$0")/check.sh"
command -v valgrind >/dev/null || skip "valgrind is not installed (scripts/ensure-deps.sh test installs it)"
work=$(mktemp -d "${TMPDIR:-/tmp}/evk-leaks.XXXXXX")
at_exit 'rm -rf "$work"'
supp=$(dirname "$0")/valgrind.supp
vg="valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=3 --suppressions=$supp"
# The ack limit: valgrind runs a process 20-50 times slower, and make test
# runs four tests at once, so 0.5 s let a correct reference miss its own
# deadlines (1,000 pipelined Events, a 512 KiB message) and fail the run
# (seen once under make test's load); the leak check needs the paths, not the speed.
ack=${EVK_LEAKS_ACK:-2}
verdict() { # NAME EXPECTED-EXIT EXIT LOG
    if [ "$3" -eq 3 ]; then
        check "$1" bad "valgrind found errors (exit 3):
$(sed 's/^/    /' "$4" | head -n 40)"
    elif [ "$3" -gt 128 ]; then
        check "$1" bad "killed by SIG$(kill -l "$3" 2>/dev/null) (status $3), expected exit $2:
$(tail -n 10 "$4" | sed 's/^/    /')"
    elif [ "$3" -ne "$2" ]; then
        check "$1" bad "exit $3, expected $2:
$(tail -n 10 "$4" | sed 's/^/    /')"
    else
        check "$1 (exit $3 as expected, no valgrind error)" ok
    fi
}

# The harness and the reference server in one process (the embedded server).
$vg "$evack" --ack-timeout "$ack" --color never --quiet --report "$work/r1" >"$work/1" 2>&1
verdict "suite vs the embedded server (seed)" 0 $? "$work/1"
$vg "$evack" --ack-timeout "$ack" --profile strict --color never --quiet >"$work/2" 2>&1
verdict "suite vs the embedded server (strict)" 0 $? "$work/2"

# The reference server on its own, stopped by SIGTERM (it handles it: exit 0).
bg_start server 0 "$work/3" $vg "$evack" ref server --port 0 --port-file "$work/port" --ack-timeout "$ack"
wait_file "$work/port" 30
"$evack" "ws://127.0.0.1:$(cat "$work/port")/" --color never --quiet >"$work/3c" 2>&1
verdict "suite vs the reference server under valgrind" 0 $? "$work/3c"
bg_end server TERM
verdict "reference server, stopped by SIGTERM" 0 "$bg_status" "$work/3"

# The harness as a server, with reference clients that run under valgrind too
# (exec: the client's own status, not its shell's, goes into the report).
$vg "$evack" --client "exec $vg $evack ref client {url}" --ack-timeout "$ack" --jobs 4 --connect-timeout 30 \
    --cases 'handshake.*,frame.*,json.trailing,schema.missing-id,ack.*,event.acked-once,deadline.*,close.*' \
    --color never --report "$work/r4" >"$work/4" 2>&1
verdict "suite vs reference clients" 0 $? "$work/4"
# Every case notes how its client ended ("the client exited with status N",
# "killed by signal N", or "still running" when it was SIGKILLed after the
# grace period): valgrind's code or a signal means its check never passed.
grep -o 'the client \(exited with status [0-9]*\|killed by signal [0-9]*\|still running\)' "$work/r4/report.json" |
    sort | uniq -c >"$work/clients"
bad=$(grep -E 'status 3$|signal|still running' "$work/clients")
if [ ! -s "$work/clients" ]; then
    check "reference clients: every one ended cleanly" bad "report.json notes no client status"
elif [ -n "$bad" ]; then
    which=$(python3 - "$work/r4/report.json" <<'PY' 2>&1
import json, re, sys
shown = 0
for c in json.load(open(sys.argv[1]))["cases"]:
    notes = [e["data"] for e in c["transcript"] if e["kind"] == "note"]
    how = [n for n in notes if re.match(r"the client (exited with status 3|killed by signal|still running)", n)]
    if how and shown == 8:
        print("  (more cases: see above for the count)")
        shown += 1
    if how and shown < 8:
        shown += 1
        print("  %s: %s" % (c["id"], how[0]))
        for n in notes:
            if n.startswith("client output"):
                print("\n".join("      " + l for l in n.splitlines()[-25:]))
PY
)
    check "reference clients: every one ended cleanly" bad "valgrind errors or deaths by a signal:
$(sed 's/^ */    /' "$work/clients")
$which"
else
    check "reference clients: every one ended cleanly ($(awk '{n += $1} END {print n}' "$work/clients") clients: $(sed 's/^ *//' "$work/clients" | tr '\n' ';'))" ok
fi
[ $fails -eq 0 ]
