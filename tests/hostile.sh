#!/bin/sh
# evack against hostile and broken targets (tests/hostile/hostile_peer.c):
# every run ends within its bound, evack's memory stays within 64 MB of a
# normal run, nothing crashes, and the verdict names what happened.
#   hostile.sh EVACK HOSTILE_PEER
set -u
evack=${1:?usage: hostile.sh EVACK HOSTILE_PEER}
peer=${2:?usage: hostile.sh EVACK HOSTILE_PEER}
work=$(mktemp -d "${TMPDIR:-/tmp}/evk-hostile.XXXXXX")
trap 'rm -rf "$work"' EXIT
cases='handshake.ack,event.acked-once'
# Under AddressSanitizer, freed memory waits in a quarantine (256 MB by
# default) and counts as RSS: keep it small so the bound measures evack, not
# ASan. Ignored by plain builds; a caller's own ASAN_OPTIONS come last and win.
export ASAN_OPTIONS="quarantine_size_mb=16${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
fails=0

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

# The baseline: the same cases against the correct reference server.
"$evack" ref server --port 0 --port-file "$work/ref.port" --ack-timeout 1 >/dev/null 2>&1 &
ref=$!
i=0
while [ ! -s "$work/ref.port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
run_measured "$evack" "ws://127.0.0.1:$(cat "$work/ref.port")/" --cases "$cases" --timeout 1000 --color never
kill $ref
wait $ref 2>/dev/null
base=$kb
[ $rc -eq 0 ] || { echo "FAIL baseline: the reference should pass: $(cat "$work/out")"; exit 1; }
limit=$((base + 65536))
echo "baseline: peak RSS $base KiB; limit $limit KiB"

# mode  expected-exit  max-seconds  text-the-verdict-must-contain
while read -r mode want maxs pattern; do
    rm -f "$work/p.port"
    "$peer" "$mode" "$work/p.port" >/dev/null 2>&1 &
    hp=$!
    i=0
    while [ ! -s "$work/p.port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
    run_measured timeout 120 "$evack" "ws://127.0.0.1:$(cat "$work/p.port")/" --cases "$cases" --timeout 1000 --color never
    kill $hp 2>/dev/null
    wait $hp 2>/dev/null
    problem=""
    [ $rc -eq "$want" ] || problem="exit $rc, expected $want"
    [ $secs -le "$maxs" ] || problem="$problem; took $secs s (bound $maxs s)"
    [ "$kb" -le $limit ] || problem="$problem; peak RSS $kb KiB over the limit"
    grep -q -- "$pattern" "$work/out" || problem="$problem; no '$pattern' in the verdicts"
    if [ -z "$problem" ]; then
        echo "ok   $mode: exit $rc in $secs s, peak RSS $kb KiB: $(grep -m1 -o -- "$pattern[^;]*" "$work/out" | cut -c1-90)"
    else
        echo "FAIL $mode:$problem"
        sed 's/^/    /' "$work/out" | head -n 8
        fails=$((fails + 1))
    fi
done <<'MODES'
flood 1 30 flooded
big 1 30 larger than 16777216 bytes
event-storm 1 40 never acked
slowloris 1 15 no response within 1000 ms
never-close 1 30 never acked
drop 1 15 dropped without a close frame
garbage-frames 1 15 no handshake Event: the connection dropped first
close-1005 1 15 close 1002
close-5000 1 15 close 5000
close-long-reason 1 15 dropped without a close frame
no-upgrade 2 15 no answer within 5 s
http500 2 15 refused with HTTP 500
redirect 2 15 refused with HTTP 302
garbage-upgrade 2 15 the WebSocket upgrade failed
MODES
[ $fails -eq 0 ]
