#!/bin/sh
# The GitHub Action's third step (action.yml): runs the suite through
# ci/evack-gate.sh (reports, summary.md, the job summary) and keeps evack's
# exit status: written as exit-code (and the absolute report-dir) to
# $GITHUB_OUTPUT, and returned.
#   EVACK=path/to/evack INPUT_TARGET=ws://... [INPUT_PROFILE INPUT_BASELINE
#   INPUT_HEADERS INPUT_CASES INPUT_EXCLUDE INPUT_REPORT_DIR] sh ci/action/run.sh
# INPUT_HEADERS (one 'Name: value' a line) reaches evack only through the
# environment (EVACK_HEADERS): never a command line, never printed.
# Exit status: evack's: 0 no case failed, 1 a case failed, 2 the run could
# not be made.
set -u
here=$(cd "$(dirname "$0")" && pwd)
report=${INPUT_REPORT_DIR:-evack-report}
[ -n "${EVACK:-}" ] || { echo "evack-action: EVACK (the built evack) is not set" >&2; exit 2; }
[ -n "${INPUT_TARGET:-}" ] || { echo "evack-action: the target input is empty" >&2; exit 2; }

# Only the inputs decide: none of the gate's EVACK_* twins from the job's environment.
unset EVACK_TARGET EVACK_CLIENT EVACK_REPORT EVACK_PROFILE EVACK_CASES EVACK_EXCLUDE EVACK_BASELINE EVACK_WAIT
set -- --target "$INPUT_TARGET" --report "$report" --profile "${INPUT_PROFILE:-seed}" --wait 0
if [ -n "${INPUT_CASES:-}" ]; then set -- "$@" --cases "$INPUT_CASES"; fi
if [ -n "${INPUT_EXCLUDE:-}" ]; then set -- "$@" --exclude "$INPUT_EXCLUDE"; fi
if [ -n "${INPUT_BASELINE:-}" ]; then set -- "$@" --baseline "$INPUT_BASELINE"; fi
EVACK_HEADERS=${INPUT_HEADERS:-} sh "$here/../evack-gate.sh" --evack "$EVACK" "$@"
rc=$?

# The gate writes summary.md (and appends it to the job summary) whenever
# evack ran; when it could not even start, say so there too.
if [ ! -f "$report/summary.md" ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    printf '### evack conformance: could not run (exit %s)\n' "$rc" >>"$GITHUB_STEP_SUMMARY"
fi
dir=$(cd "$report" 2>/dev/null && pwd) || dir=$report
if [ -n "${GITHUB_OUTPUT:-}" ]; then printf 'exit-code=%s\nreport-dir=%s\n' "$rc" "$dir" >>"$GITHUB_OUTPUT"; fi
exit "$rc"
