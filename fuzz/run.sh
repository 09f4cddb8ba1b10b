#!/bin/sh
# Runs the libFuzzer binaries of a fuzz build (docs/fuzzing.md); used by
# `make fuzz` and `make fuzz-overnight` (fuzz/fuzz.mk).
#
#   run.sh short     BUILD SECONDS WORK FINDINGS TARGET...
#   run.sh overnight BUILD DURATION JOBS WORK FINDINGS TARGET...
#
# short: each target in turn for SECONDS on one core, from a fresh copy of
#   corpus/<t>/ and fuzz/regressions/<t>/ (the committed corpus is never
#   written to).
# overnight: DURATION (e.g. 8h, 90m, 600s) shared between the targets, each
#   with -fork=JOBS; the corpus lives on in WORK/<t>/corpus between runs and
#   is merged and minimised (-merge=1) at the end.
# Either way a crash, leak, timeout or out-of-memory input is saved under
# FINDINGS/<t>/, printed with the command that reproduces it, and makes the
# exit status 1. So does a fuzzer process (the run, and overnight also the
# merge and the coverage replay) that cannot start or ends with a status
# other than 0: the target, the status and the log are printed. The normal
# end of a run, at -max_total_time, is status 0. A summary line per target
# gives exec/s, coverage (cov/ft), corpus size and findings.
set -eu
mode=$1
shift
root=$(cd "$(dirname "$0")/.." && pwd)
nice_cmd=${FUZZ_NICE-nice -n 10}

max_len() {
    case $1 in profile) echo 8192 ;; uuid|iso8601) echo 128 ;; *) echo 4096 ;; esac
}

seconds_of() {
    case $1 in
    *h) echo $((${1%h} * 3600)) ;;
    *m) echo $((${1%m} * 60)) ;;
    *s) echo "${1%s}" ;;
    *) echo "$1" ;;
    esac
}

# Copies the committed seeds and past findings into a corpus directory.
seed_corpus() {
    mkdir -p "$2"
    for d in "$root/corpus/$1" "$root/fuzz/regressions/$1"; do
        [ -d "$d" ] || continue
        find "$d" -maxdepth 1 -type f ! -name '.*' -exec cp {} "$2/" \;
    done
}

# Prints what a finding is and how to reproduce it; every new artifact counts.
report_findings() { # target bin findings-dir stamp-file
    found=0
    for f in $(find "$3" -maxdepth 1 -type f -newer "$4" 2>/dev/null | sort); do
        found=$((found + 1))
        echo "fuzz: $1: FINDING $(basename "$f" | cut -d- -f1): $f"
        echo "fuzz:   reproduce:  $2 $f"
        echo "fuzz:   replay:     $root/build/fuzz/replay_$1 $f   (any build, gcc included)"
        echo "fuzz:   once fixed, keep it: cp $f $root/fuzz/regressions/$1/<what-it-was>"
    done
    return 0
}

summary() { # target log corpus-dir findings
    line=$(grep -E '(#[0-9]+|INITED|DONE).*cov: ' "$2" | tail -n 1 || true)
    cov=$(echo "$line" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
    ft=$(echo "$line" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
    eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$2" | tail -n 1)
    [ -n "$eps" ] || eps=$(echo "$line" | sed -n 's/.*exec\/s: \([0-9]*\).*/\1/p')
    files=$(find "$3" -maxdepth 1 -type f | wc -l)
    printf 'fuzz: %-8s exec/s %-7s cov %-5s ft %-6s corpus %-5s files findings %s\n' \
        "$1" "${eps:-?}" "${cov:-?}" "${ft:-?}" "$files" "$4"
}

# abnormal TARGET STEP STATUS LOG: a fuzzer process that did not end well.
abnormal() {
    case $3 in
    126|127) how="could not start (status $3)" ;;
    *) if [ "$3" -gt 128 ]; then how="was killed by signal $(($3 - 128)) (status $3)"
       else how="exited with status $3"; fi ;;
    esac
    echo "fuzz: $1: the $2 $how (log: $4)"
    tail -n 5 "$4" 2>/dev/null | sed 's/^/fuzz:   | /'
}

# Absolute paths: the overnight runs change directory.
absdir() {
    mkdir -p "$1" && (cd "$1" && pwd)
}

failed=0
case $mode in
short)
    build=$1 secs=$2 work=$3 findings=$4
    shift 4
    for t in "$@"; do
        bin=$build/fuzz/fuzz_$t
        [ -x "$bin" ] || { echo "fuzz: $t: $bin is not built (or not executable)" >&2; exit 2; }
        rm -rf "$work/$t"
        seed_corpus "$t" "$work/$t/corpus"
        mkdir -p "$findings/$t"
        touch "$work/$t/start"
        rc=0
        $nice_cmd "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
            -max_len="$(max_len "$t")" -dict="$root/corpus/$t.dict" \
            -artifact_prefix="$findings/$t/" -print_final_stats=1 \
            "$work/$t/corpus" > "$work/$t/log" 2>&1 || rc=$?
        n=$(find "$findings/$t" -maxdepth 1 -type f -newer "$work/$t/start" | wc -l)
        if [ "$rc" != 0 ] || [ "$n" != 0 ]; then
            failed=1
            grep -E 'ERROR|invariant broken|^  ' "$work/$t/log" | head -n 8 | sed 's/^/fuzz:   | /'
            [ "$n" != 0 ] || abnormal "$t" "fuzzer" "$rc" "$work/$t/log"
        fi
        report_findings "$t" "$bin" "$findings/$t" "$work/$t/start"
        summary "$t" "$work/$t/log" "$work/$t/corpus" "$n"
    done
    ;;
overnight)
    build=$(absdir "$1") total=$(seconds_of "$2") jobs=$3 work=$(absdir "$4") findings=$(absdir "$5")
    shift 5
    per=$((total / $#))
    [ "$per" -ge 10 ] || per=10
    for t in "$@"; do
        bin=$build/fuzz/fuzz_$t
        [ -x "$bin" ] || { echo "fuzz: $t: $bin is not built (or not executable)" >&2; exit 2; }
        mkdir -p "$work/$t" "$findings/$t"
        [ -d "$work/$t/corpus" ] || seed_corpus "$t" "$work/$t/corpus"
        touch "$work/$t/start"
        echo "fuzz: $t: ${per}s on $jobs workers, corpus $work/$t/corpus"
        # -fork keeps going after a crash (-ignore_*): every finding of the
        # night is saved, not only the first.
        rc=0
        (cd "$work/$t" && exec $nice_cmd "$bin" -fork="$jobs" -ignore_crashes=1 -ignore_timeouts=1 \
            -ignore_ooms=1 -max_total_time="$per" -timeout=10 -rss_limit_mb=2048 \
            -max_len="$(max_len "$t")" -dict="$root/corpus/$t.dict" \
            -artifact_prefix="$findings/$t/" corpus > fuzz.log 2>&1) || rc=$?
        [ "$rc" = 0 ] || { failed=1; abnormal "$t" "fuzzer" "$rc" "$work/$t/fuzz.log"; }
        rm -rf "$work/$t/merged"
        mkdir -p "$work/$t/merged"
        rc=0
        "$bin" -merge=1 -timeout=10 -rss_limit_mb=2048 "$work/$t/merged" "$work/$t/corpus" \
            > "$work/$t/merge.log" 2>&1 || rc=$?
        [ "$rc" = 0 ] || { failed=1; abnormal "$t" "corpus merge" "$rc" "$work/$t/merge.log"; }
        if [ "$rc" = 0 ] && [ -n "$(ls "$work/$t/merged")" ]; then
            rm -rf "$work/$t/corpus"
            mv "$work/$t/merged" "$work/$t/corpus"
        fi
        # Coverage of the minimised corpus, measured the same way every night.
        rc=0
        "$bin" -runs=0 -rss_limit_mb=2048 "$work/$t/corpus" > "$work/$t/cover.log" 2>&1 || rc=$?
        [ "$rc" = 0 ] || { failed=1; abnormal "$t" "coverage replay of the corpus" "$rc" "$work/$t/cover.log"; }
        n=$(find "$findings/$t" -maxdepth 1 -type f -newer "$work/$t/start" | wc -l)
        [ "$n" = 0 ] || failed=1
        report_findings "$t" "$bin" "$findings/$t" "$work/$t/start"
        # Fork-mode status lines: "#<execs>: cov: .. time: <s>s job: ..".
        eps=$(grep -E '^#[0-9]+: cov: ' "$work/$t/fuzz.log" | tail -n 1 |
              sed -n 's/^#\([0-9]*\):.* time: \([0-9]*\)s.*/\1 \2/p' | awk '$2 > 0 {printf "%d", $1 / $2}')
        line=$(grep -E 'INITED.*cov: ' "$work/$t/cover.log" | tail -n 1 || true)
        printf 'fuzz: %-8s exec/s %-7s cov %-5s ft %-6s corpus %-5s files findings %s\n' "$t" "${eps:-?}" \
            "$(echo "$line" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')" \
            "$(echo "$line" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')" \
            "$(find "$work/$t/corpus" -maxdepth 1 -type f | wc -l)" "$n"
    done
    echo "fuzz: merged corpora in $work/<target>/corpus; to keep new inputs: cp them into corpus/<target>/"
    ;;
*)
    echo "usage: run.sh short|overnight ..." >&2
    exit 2
    ;;
esac
exit "$failed"
