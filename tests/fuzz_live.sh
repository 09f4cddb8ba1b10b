#!/bin/sh
# The live fuzzer against the reference server.
#
#   fuzz_live.sh EVACK client-clean PROFILE | client-fault NAME PROFILE
#       the same against the reference client (evack listens; every session
#       starts `evack ref client {url} [--fault NAME]`).
#   fuzz_live.sh EVACK cli
#       usage errors and an unreachable target end with exit 2 and one line
#       on stderr; replay says "not reproduced" (exit 0) for a finding the
#       correct server does not show.
#   fuzz_live.sh EVACK clean PROFILE
#       a fault-free reference server: a run of EVK_FL_CLEAN_S seconds
#       (default 5) must find nothing (exit 0, no finding files).
#   fuzz_live.sh EVACK fault NAME PROFILE
#       the reference server with fault NAME: a run of at most EVK_FL_FAULT_S
#       seconds (default 30; the required bound is 60) must find it (exit 1,
#       a finding saved), and the saved finding, minimised when minimisation
#       succeeded, must replay as "reproduced" against a fresh faulty server
#       and as "not reproduced" against a correct one.
#
# Environment: EVK_FL_CLEAN_S, EVK_FL_FAULT_S, EVK_FL_SEED (default 1),
# EVK_FL_JOBS (sessions at once, default 64), EVK_FL_ACK (the servers' ack
# limit, default 0.5 s), EVK_FL_KEEP=1 keeps the work directory.
# Prints one line "fuzz-live <fault> <profile>: found <sig> after <s> s,
# minimised <a> -> <b> steps, replay ok" (or why not). Exit 0 = as required.
set -u

evack=${1:?usage: fuzz_live.sh EVACK clean|fault ...}
mode=${2:?usage: fuzz_live.sh EVACK clean PROFILE | fault NAME PROFILE}
extra_opts=""
if [ "$mode" = clean ] || [ "$mode" = cli ] || [ "$mode" = client-clean ]; then
    fault=none profile=${3:-seed}
elif [ "$mode" = variant ] || [ "$mode" = client-variant ]; then
    # A correct peer that behaves as other implementations do (variants.tsv):
    # the fuzzer must find nothing there either.
    fault=none variant=${3:?variant name} profile=${4:-seed}
    extra_opts=$(awk -F'\t' -v n="$variant" '!/^#/ && $1 == n { print $4 }' \
        "$(dirname "$0")/../conformance/variants.tsv")
    [ -n "$extra_opts" ] || { echo "fuzz_live.sh: no variant $variant in conformance/variants.tsv"; exit 2; }
    mode=${mode%variant}clean
else
    fault=${3:?fault name} profile=${4:-seed}
fi
ack=${EVK_FL_ACK:-0.5}
seed=${EVK_FL_SEED:-1}
jobs=${EVK_FL_JOBS:-64}
work=$(mktemp -d "${TMPDIR:-/tmp}/evk-fuzzlive.XXXXXX")
. "$(dirname "$0")/check.sh"
cleanup() {
    if [ "${EVK_FL_KEEP:-0}" = 1 ]; then echo "work directory kept: $work"; else rm -rf "$work"; fi
}
# At exit check.sh stops and checks every server still running; supervised
# ones first, so that no restart races the stop.
before_exit 'for s in ${supervised:-}; do stop_supervised "$s" || echo "FAIL $stop_problem"; done'
at_exit cleanup
trap 'exit 2' INT TERM HUP PIPE
san_watch "$work"

# The deaths a server may die on purpose: its injected fault's, stated here
# one by one. Any other death, or a status other than 0 after our SIGTERM,
# fails the test.
death_of() {
    case $1 in
    crash-on-deep-nesting | crash-on-duplicate-key | crash-on-lone-surrogate) echo 0,ABRT ;; # abort(), by design
    *) echo 0 ;;
    esac
}

# start_server NAME FAULT: a reference server on a free port; sets $url.
# Stopped (and its exit status checked) with stop_server NAME.
start_server() {
    pf=$work/$1.port
    rm -f "$pf"
    deaths=$(death_of "$2")
    set -- "$1" ref server --port 0 --port-file "$pf" --ack-timeout "$ack" --profile "$profile" $extra_opts \
        $( [ "$2" != none ] && echo --fault "$2" )
    name=$1
    shift
    bg_start "$name" "$deaths" "$work/$name.log" "$evack" "$@"
    wait_file "$pf" 10
    if [ ! -s "$pf" ]; then
        echo "fuzz-live $fault $profile: the reference server did not start"
        cat "$work/$name.log"
        exit 1
    fi
    url="ws://127.0.0.1:$(cat "$pf")/"
}
stop_server() { # NAME
    bg_end "$1" TERM || fail "the reference server $1: $bg_problem"
}

# start_supervised NAME FAULT: like start_server, but restarted on the same
# port whenever it dies (as a service manager would), so that the fuzzer can
# find and minimise the session that crashes it. Every death of every server
# it started is checked: each must be one of death_of FAULT's; the supervisor
# exits 1 (and lists them in NAME.deaths) otherwise. stop_supervised NAME ends it.
supervise() { # NAME FAULT PORT-FILE
    name=$1 f=$2 pf=$3 port=0 bad=0
    while [ ! -f "$work/stop" ]; do
        set -- ref server --port "$port" --port-file "$pf" --ack-timeout "$ack" --profile "$profile"
        [ "$f" != none ] && set -- "$@" --fault "$f"
        "$evack" "$@" >>"$work/$name.log" 2>&1 &
        echo $! >"$work/$name.child"
        wait $!
        st=$?
        if ! evk_expected "$st" "$(death_of "$f")" || evk_san_report "$(cat "$work/$name.child")" /dev/null >/dev/null; then
            echo "server $(cat "$work/$name.child"): $(evk_status_text "$st"), expected $(death_of "$f")" >>"$work/$name.deaths"
            bad=1
        fi
        echo "$st" >>"$work/$name.statuses"
        port=$(cat "$pf" 2>/dev/null || echo 0)
        sleep 0.1
    done
    exit $bad
}
start_supervised() {
    rm -f "$work/$1.port" "$work/stop"
    bg_start "sup_$1" 0 "$work/$1.supervisor.log" supervise "$1" "$2" "$work/$1.port"
    supervised="${supervised:-} $1"
    wait_file "$work/$1.port" 10
    [ -s "$work/$1.port" ] || { echo "fuzz-live $fault $profile: the reference server did not start"; exit 1; }
    url="ws://127.0.0.1:$(cat "$work/$1.port")/"
}
# stop_supervised NAME: no more restarts; SIGTERM to its server until the
# supervisor ends (at most 10 s, then check.sh's SIGTERM/SIGKILL). Returns 1
# with $stop_problem set when a server died in a way nobody expected.
stop_supervised() {
    touch "$work/stop"
    eval "sup=\${evk_bg_pid_sup_$1:-}"
    # Once a second (a server the supervisor was starting as the stop came
    # gets its SIGTERM after it had time to install its handler).
    i=0
    while [ -n "$sup" ] && kill -0 "$sup" 2>/dev/null && [ $i -lt 200 ]; do
        [ $((i % 20)) -eq 0 ] && kill -TERM "$(cat "$work/$1.child" 2>/dev/null)" 2>/dev/null
        sleep 0.05
        i=$((i + 1))
    done
    supervised=$(echo "$supervised" | tr ' ' '\n' | grep -vx "$1" | tr '\n' ' ')
    [ -s "$work/$1.statuses" ] && echo "fuzz-live: the supervised server $1 ended $(sort "$work/$1.statuses" |
        uniq -c | awk '{printf "%s%d time(s) with status %s", (NR > 1 ? ", " : ""), $1, $2}')"
    bg_end "sup_$1" && return 0
    stop_problem="the supervised reference server $1: $bg_problem
$(sed 's/^/    /' "$work/$1.deaths" 2>/dev/null)"
    return 1
}

fail() {
    echo "fuzz-live $fault $profile: FAILED: $*"
    [ -f "$work/fuzz.err" ] && sed 's/^/    /' "$work/fuzz.err" | tail -n 30
    exit 1
}

# right_reason ROLE: the finding's tags must name the problem the fault
# introduces (faults.tsv's problem column, the same the fault matrix reads),
# not some other way the peer broke; a crash stands for a drop or no
# connection, a hang for no answer.
# The live fuzzer meets a fault through random traffic, not through the one
# message a scripted case sends, so each problem also stands for the other
# faces the same defect shows there (measured on the reference's faults):
# - no-close (an invalid message accepted): the accepted message is then read
#   as another violation (wrong-code: a comment-laden object closes 4003
#   where 4002 was due) or the close comes later, when a rule the peer does
#   check trips (late-close);
# - closed-on-valid: a close before the deadline of a valid session
#   (early-close: the judge was still waiting for the limit to run out);
# - late-close: no close at all within the tolerance (no-close: the fuzzer
#   stops waiting where a scripted case reads the late close).
# Never missing-ack, duplicate-ack, crash or hang: those stay their own.
right_reason() {
    want=$(awk -F'\t' -v f="$fault" -v r="$1" '!/^#/ && $1 == f && $2 == r { print $5; exit }' \
        "$(dirname "$0")/../conformance/faults.tsv")
    [ -n "$want" ] || fail "no problem column for $fault ($1) in conformance/faults.tsv"
    case "|$want|" in *"|no-close|"*) want="$want|wrong-code|late-close" ;; esac
    case "|$want|" in *"|closed-on-valid|"*) want="$want|early-close" ;; esac
    case "|$want|" in *"|late-close|"*) want="$want|no-close" ;; esac
    tags=$(python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1])).get("tags", [])))' "$orig")
    for t in $tags; do
        case $t in crash) t="drop|connect" ;; hang) t="no-response" ;; esac
        for w in $(echo "$want" | tr '|' ' '); do
            case "|$t|" in *"|$w|"*) return 0 ;; esac
        done
    done
    fail "the finding ($sig; tags: $tags) is not for the fault's problem ($want): caught for another reason"
}

# The finding the run saved: sets orig (the file), min (its minimised copy,
# or orig), sig, after (seconds to find it) and steps ("a -> b").
read_finding() {
    orig=$(find "$work/findings" -maxdepth 1 -name '*.json' ! -name '*.min.json' | head -n 1)
    [ -n "$orig" ] || fail "exit 1 but no finding file"
    min=${orig%.json}.min.json
    [ -f "$min" ] || min=$orig
    sig=$(sed -n 's/^[[:space:]]*"signature":[[:space:]]*"\(.*\)",$/\1/p' "$orig" | head -n 1)
    after=$(sed -n 's/^[[:space:]]*"found_after_s":[[:space:]]*\([0-9.]*\),$/\1/p' "$orig" | head -n 1)
    steps="$(grep -c '"step":' "$orig") -> $(grep -c '"step":' "$min")"
}

if [ "$mode" = cli ]; then
    # expect_2 DESCRIPTION ARGS...: exit 2 with exactly one line on stderr.
    expect_2() {
        what=$1
        shift
        "$evack" "$@" >"$work/out" 2>"$work/err"
        rc=$?
        [ $rc -eq 2 ] || fail "$what: exit $rc (expected 2)"
        [ "$(wc -l <"$work/err")" -eq 1 ] || fail "$what: not one line on stderr: $(cat "$work/err")"
    }
    expect_2 "no target" fuzz-live --duration 1
    expect_2 "a bad duration" fuzz-live ws://127.0.0.1:1/ --duration soon
    expect_2 "a bad seed" fuzz-live ws://127.0.0.1:1/ --seed -3
    expect_2 "an unknown option" fuzz-live ws://127.0.0.1:1/ --frobnicate
    expect_2 "an unknown profile" fuzz-live ws://127.0.0.1:1/ --profile nope
    expect_2 "an unreachable target" fuzz-live ws://127.0.0.1:1/ --duration 1
    expect_2 "replay without a file" replay
    expect_2 "replay of a missing file" replay "$work/nothing.json" ws://127.0.0.1:1/
    printf 'not json' >"$work/bad.json"
    expect_2 "replay of a bad file" replay "$work/bad.json" ws://127.0.0.1:1/
    # A finding by hand: a binary frame must be closed with 4001.
    cat >"$work/handmade.json" <<'JSON'
{ "evack_finding": 1, "signature": "wrong-code:4002", "role": "server", "profile": "seed",
  "steps": [ { "step": "send_binary", "text": "{}" } ] }
JSON
    start_server ref none
    expect_2 "replay against an unreachable target" replay "$work/handmade.json" ws://127.0.0.1:1/
    out=$("$evack" replay "$work/handmade.json" "$url" 2>&1)
    rc=$?
    [ $rc -eq 0 ] && [ "$(echo "$out" | head -n 1)" = "not reproduced" ] ||
        fail "replay of a hand-made finding against the correct server: exit $rc: $out"
    "$evack" fuzz-live --help | grep -q -- '--duration' || fail "fuzz-live --help does not list --duration"
    stop_server ref
    echo "fuzz-live cli: usage errors exit 2 with one line; replay says not reproduced"
    exit 0
fi

case "$mode" in client-*)
    client="$evack ref client {url} --profile $profile $extra_opts"
    faulty="$client --fault $fault"
    if [ "$mode" = client-clean ]; then
        secs=${EVK_FL_CLEAN_S:-5}
        "$evack" fuzz-live --client "$client" --duration "$secs" --seed "$seed" --profile "$profile" \
            --findings "$work/findings" 2>"$work/fuzz.err"
        rc=$?
        [ $rc -eq 0 ] || fail "exit $rc against the correct client (expected 0: nothing found)"
        echo "fuzz-live client ${variant:-none} $profile: nothing found in $secs s ($(grep -E 'sessions \(' "$work/fuzz.err" | sed 's/^ *//'))"
        exit 0
    fi
    "$evack" fuzz-live --client "$faulty" --duration "${EVK_FL_FAULT_S:-30}" --seed "$seed" --profile "$profile" \
        --findings "$work/findings" --stop-after 1 --minimise-time 30 2>"$work/fuzz.err"
    rc=$?
    [ $rc -eq 1 ] || fail "exit $rc: the client fault was not found"
    read_finding
    right_reason client
    out=$("$evack" replay "$min" --client "$faulty" --times 3 2>&1)
    rc=$?
    [ $rc -eq 1 ] || { echo "$out" | sed 's/^/    /'; fail "replay against the faulty client: exit $rc (expected 1)"; }
    out=$("$evack" replay "$min" --client "$client" 2>&1)
    rc=$?
    [ $rc -eq 0 ] || { echo "$out" | sed 's/^/    /'; fail "replay against the correct client: exit $rc (expected 0)"; }
    echo "fuzz-live client $fault $profile: found $sig after ${after:-?} s, minimised $steps steps, replay ok"
    exit 0
esac

if [ "$mode" = clean ]; then
    start_server ref none
    secs=${EVK_FL_CLEAN_S:-5}
    "$evack" fuzz-live "$url" --duration "$secs" --seed "$seed" --profile "$profile" --jobs "$jobs" \
        --findings "$work/findings" 2>"$work/fuzz.err"
    rc=$?
    summary=$(grep -E 'sessions \(' "$work/fuzz.err" | sed 's/^ *//')
    [ $rc -eq 0 ] || fail "exit $rc against the correct server (expected 0: nothing found)"
    n=$(find "$work/findings" -maxdepth 1 -name '*.json' 2>/dev/null | wc -l)
    [ "$n" -eq 0 ] || fail "$n finding file(s) against the correct server"
    stop_server ref
    echo "fuzz-live ${variant:-none} $profile: nothing found in $secs s ($summary)"
    exit 0
fi

# A fault: fuzz until the first finding.
start_supervised faulty "$fault"
limit=${EVK_FL_FAULT_S:-30}
"$evack" fuzz-live "$url" --duration "$limit" --seed "$seed" --profile "$profile" --jobs "$jobs" \
    --findings "$work/findings" --stop-after 1 --minimise-time 30 --restart-wait 3 2>"$work/fuzz.err"
rc=$?
[ $rc -eq 1 ] || fail "exit $rc: the fault was not found within $limit s"
read_finding
right_reason server

# The replay reproduces it against a fresh faulty server...
stop_supervised faulty || fail "$stop_problem"
start_server faulty2 "$fault"
# (three tries: a finding about timing can sit near the judge's tolerance)
out=$("$evack" replay "$min" "$url" --times 3 2>&1)
rc=$?
[ $rc -eq 1 ] || { echo "$out" | sed 's/^/    /'; fail "replay of $(basename "$min") against the faulty server: exit $rc (expected 1: reproduced)"; }
stop_server faulty2
# ... and not against a correct one.
start_server ref none
out=$("$evack" replay "$min" "$url" 2>&1)
rc=$?
[ $rc -eq 0 ] || { echo "$out" | sed 's/^/    /'; fail "replay of $(basename "$min") against the correct server: exit $rc (expected 0: not reproduced)"; }
stop_server ref
echo "fuzz-live $fault $profile: found $sig (the fault's problem) after ${after:-?} s, minimised $steps steps, replay ok"
exit 0
