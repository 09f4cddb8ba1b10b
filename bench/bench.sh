#!/bin/sh
# make bench: every figure of the project, one line each,
#   name: value unit (goal ...)
# Figures are ratios or counts measured side by side in one run, medians of
# several repetitions where a run is short. Usage: bench.sh BUILD_DIR
set -u
build=${1:-build}
evack=$build/evack
here=$(dirname "$0")
work=$(mktemp -d "${TMPDIR:-/tmp}/evk-bench.XXXXXX")
trap 'kill $srv 2>/dev/null; rm -rf "$work"' EXIT
srv=""
start=$(date +%s)

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

start_server() { # ACK_SECONDS [extra args]: starts the reference server, sets $url
    rm -f "$work/port"
    "$evack" ref server --port 0 --port-file "$work/port" --ack-timeout "$@" >/dev/null 2>&1 &
    srv=$!
    i=0
    while [ ! -s "$work/port" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
    url="ws://127.0.0.1:$(cat "$work/port")/"
}
stop_server() { kill "$srv" 2>/dev/null; wait "$srv" 2>/dev/null; srv=""; }

# 1, 2: the core, in process.
"$build/bench/evk_bench" all

# 3: the full server-role catalogue against the reference server, 1 s limit.
ncases=$("$evack" list --role server 2>/dev/null | wc -l)
start_server 1
for i in 1 2 3; do
    "$evack" "$url" --quiet --color never | sed -nE 's/.*profile seed, ([0-9.]+) s\).*/\1/p'
done | median >"$work/wall"
"$evack" "$url" --quiet --color never --jobs 1 | sed -nE 's/.*profile seed, ([0-9.]+) s\).*/\1/p' >"$work/wall1"
echo "suite_wall_concurrent: $(cat "$work/wall") s ($ncases server cases, ack limit 1 s; goal <= 2.5 s = limit + 1.5 s)"
echo "suite_wall_jobs1: $(cat "$work/wall1") s (the same, one case at a time)"
stop_server

# 4: evack as a load generator; the reference server acks.
start_server 10
for conns in 1 100; do
    for i in 1 2 3; do "$build/bench/evk_loadgen" "$url" $conns 2 32; done >"$work/lg$conns"
    acked=$(sed -n 's/^acked: //p' "$work/lg$conns" | median)
    cpu=$(sed -n 's/^cpu_per_million: //p' "$work/lg$conns" | median)
    echo "load_${conns}conn: $acked Events/s acked by the reference server ($conns connection(s), 32 in flight each)"
    echo "load_${conns}conn_cpu: $cpu evack CPU seconds per million Events"
done
stop_server

# 7: peak RSS of a full run, and while a target sends a 100 MB message.
if [ -x /usr/bin/time ]; then
    start_server 1
    /usr/bin/time -f '%M' -o "$work/rss" "$evack" "$url" --quiet --color never >/dev/null 2>&1
    echo "rss_full_run: $(( $(tail -n 1 "$work/rss") / 1024 )) MiB peak ($ncases cases against the reference server)"
    stop_server
    if [ -x "$build/tests/hostile_peer" ]; then
        "$build/tests/hostile_peer" big "$work/hp" >/dev/null 2>&1 &
        hp=$!
        i=0
        while [ ! -s "$work/hp" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
        /usr/bin/time -f '%M' -o "$work/rss2" "$evack" "ws://127.0.0.1:$(cat "$work/hp")/" \
            --cases handshake.ack --timeout 2000 --color never >/dev/null 2>&1
        kill $hp 2>/dev/null
        echo "rss_100mb_target: $(( $(tail -n 1 "$work/rss2") / 1024 )) MiB peak (the target sends one 100 MB message; goal <= baseline + 64 MiB)"
    fi
fi

# 6: the live fuzzer against the reference server, and the ceiling it runs
#    under: connections opened (TCP + upgrade) and closed per second with
#    libwebsockets on loopback, as many at a time as the fuzzer runs, against a
#    bare listener and against the reference server (which sends its handshake).
if "$evack" fuzz-live --help >/dev/null 2>&1; then
    jobs=128
    "$build/bench/evk_churn" $jobs 5 >"$work/churn" 2>&1
    ceiling=$(sed -n 's/^churn: //p' "$work/churn")
    echo "live_fuzzer_ceiling: ${ceiling:-?} connections/s (connect, upgrade, close; $jobs at a time, a bare libwebsockets listener)"
    start_server 0.5
    "$build/bench/evk_churn" "$url" $jobs 5 >"$work/churn_ref" 2>&1
    echo "live_fuzzer_ceiling_ref: $(sed -n 's/^churn: //p' "$work/churn_ref") connections/s (the same against the reference server)"
    "$evack" fuzz-live "$url" --duration 10s --jobs $jobs --findings "$work/findings" >"$work/fl" 2>&1
    # "  N sessions (S/s), A messages sent + B received (M/s); ..."
    line=$(grep -E '^ +[0-9]+ sessions \(' "$work/fl" | tail -n 1)
    if [ -n "$line" ]; then
        echo "$line" | sed -E "s/^ +([0-9]+) sessions \(([0-9]+)\/s\).*/live_fuzzer_sessions: \2 sessions\/s (\1 in 10 s, $jobs at a time; goal >= 1000)/"
        rate=$(echo "$line" | sed -E 's/^ +[0-9]+ sessions \(([0-9]+)\/s\).*/\1/')
        if [ -n "$ceiling" ] && [ "$ceiling" -gt 0 ] 2>/dev/null; then
            echo "live_fuzzer_ratio: $(awk -v r="$rate" -v c="$ceiling" 'BEGIN { printf "%.2f", r / c }') of the ceiling (sessions/s over bare connections/s)"
        fi
        echo "$line" | sed -E 's/.*, ([0-9]+) messages sent \+ ([0-9]+) received \(([0-9]+)\/s\).*/live_fuzzer_messages: \3 messages\/s (judged, \1 sent + \2 received; goal >= 10000)/'
        grep -E '^ +findings:' "$work/fl" | sed -E 's/^ +findings: /live_fuzzer_findings: /'
    else
        echo "live_fuzzer: no summary (see its output below)"
        tail -n 5 "$work/fl"
    fi
    stop_server
else
    echo "live_fuzzer: not built (harness/fuzzlive)"
fi

# 5: libFuzzer exec/s per target (ASan build, 10 s each).
if sh "$here/../scripts/ensure-deps.sh" fuzz >/dev/null 2>&1; then
    make -s -C "$here/.." fuzz FUZZ_SECONDS=10 2>/dev/null | sed -nE \
        's/^fuzz: ([a-z0-9]+) +exec\/s ([0-9]+) +cov ([0-9]+).*/libfuzzer_\1: \2 exec\/s (ASan, 10 s; coverage \3)/p' |
        sed 's/^\(libfuzzer_message: .*\))$/\1; goal >= 50000)/'
else
    echo "libfuzzer: clang not available (scripts/ensure-deps.sh fuzz)"
fi
echo "bench_time: $(( $(date +%s) - start )) s (goal < 300 s)"
