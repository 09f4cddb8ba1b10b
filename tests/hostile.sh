#!/bin/sh
# evack against hostile and broken targets, servers and clients
# (tests/hostile/hostile_peer.c):
# every run ends within its bound, evack's memory stays within 64 MB of a
# normal run, nothing crashes, and the verdict names what happened.
#   hostile.sh EVACK HOSTILE_PEER
set -u
evack=${1:?usage: hostile.sh EVACK HOSTILE_PEER}
peer=${2:?usage: hostile.sh EVACK HOSTILE_PEER}
work=$(mktemp -d "${TMPDIR:-/tmp}/evk-hostile.XXXXXX")
. "$(dirname "$0")/check.sh"
at_exit 'rm -rf "$work"'
san_watch "$work"
cases='handshake.ack,event.acked-once'
# Under AddressSanitizer, freed memory waits in a quarantine (256 MB by
# default) and counts as RSS: keep it small so the bound measures evack, not
# ASan. Ignored by plain builds; a caller's own ASAN_OPTIONS come last and win.
export ASAN_OPTIONS="quarantine_size_mb=16${ASAN_OPTIONS:+:$ASAN_OPTIONS}"

# peak_kb CMD...: run it, leave its output in $work/out, its exit in $rc and
# its peak RSS (KiB) in $kb, its wall time (s) in $secs.
run_measured() {
    start=$(date +%s)
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f '%M' -o "$work/rss" "$@" >"$work/out" 2>&1
        rc=$?
        kb=$(tail -n 1 "$work/rss")
    else
        "$@" >"$work/out" 2>&1
        rc=$?
        kb=0
    fi
    secs=$(($(date +%s) - start))
}

# judge LABEL LIMIT_KB WANT MAXS PATTERN: checks the run just measured.
judge() {
    problem=""
    [ $rc -eq "$3" ] || problem="exit $rc, expected $3"
    [ $secs -le "$4" ] || problem="$problem; took $secs s (bound $4 s)"
    [ "$kb" -le "$2" ] || problem="$problem; peak RSS $kb KiB over the limit"
    grep -q -- "$5" "$work/out" || problem="$problem; no '$5' in the verdicts"
    if [ -z "$problem" ]; then
        echo "ok   $1: exit $rc in $secs s, peak RSS $kb KiB: $(grep -m1 -o -- "$5[^;]*" "$work/out" | cut -c1-90)"
    else
        echo "FAIL $1:$problem"
        sed 's/^/    /' "$work/out" | head -n 8
        fails=$((fails + 1))
    fi
}

# The baseline: the same cases against the correct reference server.
bg_start ref 0 "$work/ref.log" "$evack" ref server --port 0 --port-file "$work/ref.port" --ack-timeout 1
wait_file "$work/ref.port" 5
run_measured "$evack" "ws://127.0.0.1:$(cat "$work/ref.port")/" --cases "$cases" --timeout 1000 --color never
bg_stop ref
base=$kb
[ $rc -eq 0 ] || { echo "FAIL baseline: the reference should pass: $(cat "$work/out")"; exit 1; }
limit=$((base + 65536))
echo "baseline: peak RSS $base KiB; limit $limit KiB"

# mode  expected-exit  max-seconds  --timeout  text-the-verdict-must-contain
# (the big messages get 5 s: a verdict waits up to --timeout for a message
# still arriving, and 16 MiB take seconds on a loaded machine under ASan)
# against_peer MODE CASES TIMEOUT: evack against hostile_peer serving MODE,
# measured (run_measured). The peer accepts forever and does not handle
# SIGTERM: our SIGTERM is the death it is expected to die.
against_peer() {
    rm -f "$work/p.port"
    bg_start peer TERM "$work/peer.log" "$peer" "$1" "$work/p.port"
    wait_file "$work/p.port" 5
    run_measured timeout 120 "$evack" "ws://127.0.0.1:$(cat "$work/p.port")/" --cases "$2" --timeout "$3" --color never
    bg_end peer TERM || { echo "FAIL $1: the hostile server: $bg_problem"; fails=$((fails + 1)); }
}
while read -r mode want maxs wait pattern; do
    against_peer "$mode" "$cases" "$wait"
    judge "$mode" $limit "$want" "$maxs" "$pattern"
done <<'MODES'
flood 1 30 1000 flooded
big 1 30 5000 larger than 16777216 bytes
big-trickle 1 30 5000 larger than 16777216 bytes
event-storm 1 40 1000 never acked
slowloris 1 15 1000 no response within 1000 ms
never-close 1 30 1000 never acked
drop 1 15 1000 dropped without a close frame
garbage-frames 1 15 1000 no handshake Event: the connection dropped first
close-1005 1 15 1000 close 1002
close-5000 1 15 1000 close 5000
close-long-reason 1 15 1000 dropped without a close frame
no-upgrade 2 15 1000 no answer within 5 s
http500 2 15 1000 refused with HTTP 500
redirect 2 15 1000 refused with HTTP 302
garbage-upgrade 2 15 1000 the WebSocket upgrade failed
MODES

# Not hostile: a correct server on a slow link, whose Ack's last frame comes
# 1.4 s after its first (limit 1 s). A message is timed by its first piece,
# so the verdict must wait for the rest of it and pass.
against_peer ack-trickle handshake.ack 1000
judge ack-trickle $limit 0 15 "PASS *handshake.ack"

# Nor this: a correct server whose application reads each frame 150 ms late,
# limit 0.5 s. evack acks its Event at 80% of the limit, the server sees the
# Ack after it and closes 4007, as it must. The judge cannot tell that from
# a server that ignores Acks: skip, never fail (PASS only if evack's own Ack
# left after the limit on a loaded machine: then the close was due).
against_peer slow-reader deadline.respected 1000
judge slow-reader $limit 0 15 "\(SKIP\|PASS\) *deadline.respected"

# The same behaviours from a client (evack as the server, --client), with
# the client-role cases. The baseline is a client-role run against the
# reference client.
ccases='handshake.client-ack,event.acked-once'
run_measured "$evack" --client "$evack ref client {url}" --cases "$ccases" --timeout 1000 --color never
[ $rc -eq 0 ] || { echo "FAIL client baseline: the reference client should pass: $(cat "$work/out")"; exit 1; }
climit=$((kb + 65536))
echo "client baseline: peak RSS $kb KiB; limit $climit KiB"
while read -r mode want maxs wait pattern; do
    run_measured timeout 120 "$evack" --client "$peer --client $mode {url}" --cases "$ccases" --timeout "$wait" \
        --color never
    judge "client $mode" $climit "$want" "$maxs" "$pattern"
done <<'MODES'
flood 1 30 1000 flooded
big 1 30 5000 larger than 16777216 bytes
event-storm 1 40 1000 5000 Event(s) before acking the handshake
slowloris 1 15 1000 never acked
never-close 1 30 1000 never acked
drop 1 15 1000 dropped without a close frame
garbage-frames 1 15 1000 never acked
close-1005 1 15 1000 close 1002
close-5000 1 15 1000 close 5000
close-long-reason 1 15 1000 dropped without a close frame
no-upgrade 1 15 1000 client did not connect within 5 s (it is still running)
garbage-upgrade 1 15 1000 client did not connect within 5 s (it exited
MODES
# No hostile client may outlive its case.
if command -v pgrep >/dev/null && pgrep -f "hostile_peer --client" >/dev/null; then
    echo "FAIL a hostile client survived its run: $(pgrep -af 'hostile_peer --client' | head -n 3)"
    fails=$((fails + 1))
fi
[ $fails -eq 0 ]
