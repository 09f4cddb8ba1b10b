#!/bin/sh
# .ci/run's bookkeeping, with a fake `make` (canned ctest and fuzz output)
# and a fake scripts/ensure-deps.sh: the last line counts passed, failed and
# skipped tests of every step; a skip is a failure unless allow-listed; a
# failing step still gets the summary, with its failures, and exit 1.
#   ci_run.sh SOURCE_DIR
set -u
src=${1:?usage: ci_run.sh SOURCE_DIR}
work=$(mktemp -d "${TMPDIR:-/tmp}/evk-cirun.XXXXXX")
. "$(dirname "$0")/check.sh"
at_exit 'rm -rf "$work"'
mkdir -p "$work/repo/.ci" "$work/repo/scripts" "$work/bin"
cp "$src/.ci/run" "$work/repo/.ci/run"
cat >"$work/repo/scripts/ensure-deps.sh" <<'EOF'
#!/bin/sh
[ "${FAKE_DEPS:-ok}" = ok ] || { echo "evack: missing $1 dependencies (fake)" >&2; exit 1; }
exit 0
EOF
# The fake make: FAKE_<TARGET> names the canned outcome of each step.
cat >"$work/bin/make" <<'EOF'
#!/bin/sh
[ "${CI:-}" = true ] || { echo "fake make: CI is not true"; exit 9; }
line() { printf '%3d/%d Test #%d: %s %s %s   0.01 sec\n' "$1" "$2" "$1" "$3" \
         "$(printf '%*s' $((40 - ${#3})) '' | tr ' ' '.')" "$4"; }
ctest_out() { # BUILD-DIR OUTCOME
    mkdir -p "$1/Testing/Temporary"
    case $2 in
    green)
        line 1 3 unit.uuid "  Passed"; line 2 3 harness.tls "  Passed"; line 3 3 docs.guide "  Passed"
        echo "100% tests passed, 0 tests failed out of 3"; return 0 ;;
    skip)
        printf '%s\n' "1/2 Testing: harness.tls" "Output:" "SKIP: openssl is not installed" >"$1/Testing/Temporary/LastTest.log"
        line 1 2 unit.uuid "  Passed"; line 2 2 harness.tls "***Skipped"
        echo "100% tests passed, 0 tests failed out of 2"; return 0 ;;
    fail)
        line 1 2 unit.uuid "  Passed"; line 2 2 harness.hostile "***Failed"
        echo "50% tests passed, 1 tests failed out of 2"; return 2 ;;
    timeout)
        line 1 1 matrix.server "***Timeout"
        echo "0% tests passed, 1 tests failed out of 1"; return 2 ;;
    nobuild)
        echo "evk_runner.c:1: error: oops"; return 2 ;;
    esac
}
case $1 in
test) ctest_out build "${FAKE_TEST:-green}" ;;
test-asan) ctest_out build-asan "${FAKE_ASAN:-green}" ;;
fuzz)
    for t in message uuid; do
        n=0
        if [ "${FAKE_FUZZ:-green}" = finding ] && [ $t = uuid ]; then
            n=1; echo "fuzz: uuid: FINDING crash: findings/fuzz/uuid/crash-1"
        fi
        printf 'fuzz: %-8s exec/s %-7s cov %-5s ft %-6s corpus %-5s files findings %s\n' $t 100 10 20 5 "$n"
    done
    [ "${FAKE_FUZZ:-green}" = green ] ;;
esac
EOF
chmod +x "$work/bin/make" "$work/repo/.ci/run"

# ci NAME [VAR=VALUE...]: run the copy of .ci/run; $rc, $last (its last line), $out.
ci() {
    name=$1
    shift
    env -u CI PATH="$work/bin:$PATH" "$@" sh "$work/repo/.ci/run" >"$work/$name.out" 2>&1
    rc=$?
    out=$(cat "$work/$name.out")
    last=$(tail -n 1 "$work/$name.out")
}
expect() { # NAME RC SUMMARY-REGEX [TEXT-IN-OUTPUT]
    [ "$rc" -eq "$2" ] && echo "$last" | grep -Eq "^$3$" && { [ -z "${4:-}" ] || echo "$out" | grep -qF -- "$4"; } &&
        r=ok || r=bad
    check "$1: exit $2, last line '$last'" $r "exit $rc, output:
$(sed 's/^/    /' "$work/$name.out" | tail -n 25)"
}

ci green
expect "all green" 0 'CI summary: 8 passed, 0 failed, 0 skipped \(allowed: none\) in [0-9]+ s'
ci skip FAKE_TEST=skip
expect "a skip not on the allow-list fails" 1 'CI summary: 6 passed, 1 failed, 0 skipped \(allowed: none\) in [0-9]+ s' \
    "harness.tls [make-test]: skipped, and not on .ci/run's allow-list: SKIP: openssl is not installed"
sed -i "s/^allowed_skips='$/allowed_skips='\\
harness.tls  the fake machine has no openssl/" "$work/repo/.ci/run"
ci allowed FAKE_TEST=skip
expect "an allow-listed skip is counted, not failed" 0 \
    'CI summary: 6 passed, 0 failed, 1 skipped \(allowed: harness.tls\) in [0-9]+ s'
ci failing FAKE_ASAN=fail FAKE_FUZZ=finding
expect "failures in two steps: every step still runs, one summary" 1 \
    'CI summary: 5 passed, 2 failed, 0 skipped \(allowed: none\) in [0-9]+ s' "harness.hostile [make-test-asan]: Failed"
echo "$out" | grep -qF "fuzz.uuid [make-fuzz]: fuzz: uuid: FINDING crash" && r=ok || r=bad
check "the fuzz finding is listed as a failure" $r "$out"
ci timeout FAKE_TEST=timeout
expect "a timeout is a failure" 1 'CI summary: 5 passed, 1 failed, 0 skipped \(allowed: none\) in [0-9]+ s' \
    "matrix.server [make-test]: Timeout"
ci nobuild FAKE_TEST=nobuild
expect "a step that fails before any test ran is a failure" 1 \
    'CI summary: 5 passed, 1 failed, 0 skipped \(allowed: none\) in [0-9]+ s' \
    "(make-test) [make-test]: exit 2; 0 test result(s) read"
ci nodeps FAKE_DEPS=missing
expect "a failed install: summary, exit 1" 1 'CI summary: 0 passed, 1 failed, 0 skipped \(allowed: none\) in [0-9]+ s' \
    "scripts/ensure-deps.sh build failed"
[ $fails -eq 0 ]
