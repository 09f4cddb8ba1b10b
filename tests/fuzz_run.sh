#!/bin/sh
# fuzz/run.sh overnight (make fuzz-overnight) judges its fuzzer processes:
# run with fake libFuzzer binaries (shell scripts: no clang needed), a clean
# run succeeds, and a fuzzer that exits 1 at once, one killed by a signal,
# one that is not executable, one that cannot start, one whose merge fails
# and one that saves a crash each make it fail, naming the target, what
# happened and the log.
#   fuzz_run.sh SOURCE_DIR
set -u
src=${1:?usage: fuzz_run.sh SOURCE_DIR}
work=$(mktemp -d "${TMPDIR:-/tmp}/evk-fuzzrun.XXXXXX")
. "$(dirname "$0")/check.sh"
at_exit 'rm -rf "$work"'
mkdir -p "$work/build/fuzz"

# fake NAME BEHAVIOUR: a libFuzzer look-alike. BEHAVIOUR: clean (a normal
# end at -max_total_time), exit1 (exits 1 at once), signal (killed by
# SIGSEGV), merge-fails (fuzzes cleanly, its -merge=1 exits 1), crash (saves
# a crash input under -artifact_prefix, as -fork -ignore_crashes=1 does, and
# ends normally).
fake() {
    cat >"$work/build/fuzz/fuzz_$1" <<EOF
#!/bin/sh
behaviour=$2
EOF
    cat >>"$work/build/fuzz/fuzz_$1" <<'EOF'
prefix= merge=0 runs= dirs=
for a in "$@"; do
    case $a in
    -artifact_prefix=*) prefix=${a#-artifact_prefix=} ;;
    -merge=1) merge=1 ;;
    -runs=*) runs=${a#-runs=} ;;
    -*) ;;
    *) dirs="$dirs $a" ;;
    esac
done
if [ "$merge" = 1 ]; then
    [ "$behaviour" = merge-fails ] && { echo "==1== ERROR: libFuzzer: merge went wrong"; exit 1; }
    set -- $dirs
    out=$1
    shift
    for d in "$@"; do cp "$d"/* "$out"/ 2>/dev/null; done
    echo "MERGE-OUTER: $(ls "$out" | wc -l) new files"
    exit 0
fi
if [ -n "$runs" ]; then
    echo "#2	INITED cov: 12 ft: 34 corp: 1/1b exec/s: 0 rss: 30Mb"
    exit 0
fi
case $behaviour in
exit1) echo "fake fuzzer: giving up at once"; exit 1 ;;
signal) echo "fake fuzzer: about to die"; kill -SEGV $$; sleep 5; exit 0 ;;
crash) printf 'boom' >"${prefix}crash-0123456789abcdef" ;;
esac
echo "#100: cov: 12 ft: 34 corp: 1 exec/s: 50 oom/timeout/crash: 0/0/0 time: 2s job: 1 dft_time: 0"
echo "INFO: fuzzed for 2 seconds, wrapping up soon"
echo "INFO: exiting: 0 time: 2s"
exit 0
EOF
    chmod +x "$work/build/fuzz/fuzz_$1"
}
fake ok clean
fake ok2 clean
fake exits exit1
fake dies signal
fake mergebad merge-fails
fake crashes crash
fake noexec clean
chmod -x "$work/build/fuzz/fuzz_noexec"
# Executable, but its interpreter does not exist: the process cannot start.
printf '#!/nonexistent/interpreter\n' >"$work/build/fuzz/fuzz_nostart"
chmod +x "$work/build/fuzz/fuzz_nostart"

# overnight NAME TARGET...: fuzz/run.sh overnight with the fakes; $rc, $out.
overnight() {
    name=$1
    shift
    FUZZ_NICE='' sh "$src/fuzz/run.sh" overnight "$work/build" 20s 2 "$work/$name.work" "$work/$name.findings" "$@" \
        >"$work/$name.out" 2>&1
    rc=$?
    out=$(cat "$work/$name.out")
}

overnight clean ok ok2
[ $rc -eq 0 ] && echo "$out" | grep -q '^fuzz: ok  *exec/s 50 ' && r=ok || r=bad
check "a clean night (normal end at -max_total_time): exit 0 with a summary per target" $r "exit $rc:
$out"

# expect_failure NAME TEXT TARGET...: exit 1 and TEXT in the output.
expect_failure() {
    name=$1 text=$2
    shift 2
    overnight "$name" "$@"
    [ $rc -eq 1 ] && echo "$out" | grep -qF -- "$text" && r=ok || r=bad
    check "$name: exit 1 and '$text'" $r "exit $rc:
$out"
}
expect_failure exits "fuzz: exits: the fuzzer exited with status 1 (log: $work/exits.work/exits/fuzz.log)" exits ok
expect_failure dies "fuzz: dies: the fuzzer was killed by signal 11 (status 139) (log: $work/dies.work/dies/fuzz.log)" dies
expect_failure nostart "fuzz: nostart: the fuzzer could not start (status 12" nostart
expect_failure mergebad "fuzz: mergebad: the corpus merge exited with status 1 (log: $work/mergebad.work/mergebad/merge.log)" mergebad
expect_failure crashes "fuzz: crashes: FINDING crash: $work/crashes.findings/crashes/crash-0123456789abcdef" crashes
# The other targets still run after a bad one, and their summaries are printed.
grep -q '^fuzz: ok  *exec/s' "$work/exits.out" && r=ok || r=bad
check "a failing target does not hide the others" $r "$(cat "$work/exits.out")"

overnight noexec noexec
[ $rc -ne 0 ] && echo "$out" | grep -qF "fuzz: noexec: $work/build/fuzz/fuzz_noexec is not built (or not executable)" &&
    r=ok || r=bad
check "a fuzzer that is not executable: failure naming it" $r "exit $rc:
$out"
[ $fails -eq 0 ]
