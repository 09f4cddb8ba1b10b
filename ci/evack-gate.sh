#!/bin/sh
# evack as the conformance gate of any CI: builds evack if needed, runs the
# suite against your server (or client), writes the reports and exits with
# evack's own status. POSIX sh; needs only what evack's build needs.
#
#   sh evack/ci/evack-gate.sh [options] ws://host:port/path
#
# Options (each also read from the environment variable in brackets):
#   --target URL        the server to test [EVACK_TARGET]; or as the only operand
#   --client 'CMD {url}'  test a client instead: CMD is started per case [EVACK_CLIENT]
#   --report DIR        report.json, junit.xml, report.html, summary.md, evack.log
#                       (default evack-report) [EVACK_REPORT]
#   --profile P         seed (default), strict, or a profile file [EVACK_PROFILE]
#   --cases GLOBS       only these case ids [EVACK_CASES]
#   --exclude GLOBS     not these [EVACK_EXCLUDE]
#   --baseline FILE     known failures: listed failures do not fail the gate,
#                       listed passes are reported as fixed [EVACK_BASELINE]
#   --wait SECONDS      wait up to SECONDS for the server to accept connections
#                       (default 30; 0: do not wait) [EVACK_WAIT]
#   --evack PATH        use this evack binary instead of building one [EVACK]
#   -- ARGS             further options for evack itself (build/evack --help)
# Upgrade headers (e.g. a bearer token) come only from the environment,
# EVACK_HEADERS, one 'Name: value' per line, so that they stay out of CI
# files and logs; evack keeps their values out of every report.
#
# Exit status: evack's: 0 no case failed (known failures and non-strict,
# informational or skipped cases are fine), 1 a case failed, 2 the run could
# not be made (bad option, build failure, target unreachable).
set -u

usage() {
    sed -n '2,/^$/s/^# \{0,1\}//p' "$0" >&2
    exit 2
}
die() {
    echo "evack-gate: $*" >&2
    exit 2
}

target=${EVACK_TARGET:-}
client=${EVACK_CLIENT:-}
report=${EVACK_REPORT:-evack-report}
profile=${EVACK_PROFILE:-seed}
cases=${EVACK_CASES:-}
exclude=${EVACK_EXCLUDE:-}
baseline=${EVACK_BASELINE:-}
wait_s=${EVACK_WAIT:-30}
evack=${EVACK:-}

need() { [ $# -ge 2 ] || die "$1 needs a value"; }
while [ $# -gt 0 ]; do
    case $1 in
    --target) need "$@"; target=$2; shift 2 ;;
    --client) need "$@"; client=$2; shift 2 ;;
    --report) need "$@"; report=$2; shift 2 ;;
    --profile) need "$@"; profile=$2; shift 2 ;;
    --cases) need "$@"; cases=$2; shift 2 ;;
    --exclude) need "$@"; exclude=$2; shift 2 ;;
    --baseline) need "$@"; baseline=$2; shift 2 ;;
    --wait) need "$@"; wait_s=$2; shift 2 ;;
    --evack) need "$@"; evack=$2; shift 2 ;;
    -h | --help) usage ;;
    --) shift; break ;;
    -*) die "unknown option '$1' (evack's own options go after --)" ;;
    *) [ -z "$target" ] || die "one target URL only ('$target', then '$1')"
       target=$1; shift ;;
    esac
done
# What is left in "$@" are evack's own options.

if [ -n "$target" ] && [ -n "$client" ]; then die "--target and --client exclude each other"; fi
if [ -z "$target" ] && [ -z "$client" ]; then
    die "no target: give the server's URL (ws://host:port/path) or --client 'CMD {url}'"
fi
case $wait_s in '' | *[!0-9]*) die "--wait '$wait_s': a whole number of seconds" ;; esac
if [ -n "$baseline" ] && [ ! -r "$baseline" ]; then die "baseline '$baseline' cannot be read"; fi

# Build evack from the checkout this script lives in, unless given one. make
# builds incrementally (and installs the Debian packages it needs as root).
if [ -z "$evack" ]; then
    src=$(cd "$(dirname "$0")/.." && pwd) || die "cannot find evack's source"
    echo "evack-gate: building evack in $src" >&2
    make -C "$src" --no-print-directory build >&2 || die "building evack failed"
    evack=$src/build/evack
fi
[ -x "$evack" ] || die "'$evack' is not an executable"
mkdir -p "$report" || die "cannot create '$report'"
rm -f "$report/summary.md" # evack writes a fresh one; a stale one must not survive a failed start

# Headers first (from the environment, never echoed), then evack's own options.
while IFS= read -r line; do
    [ -n "$line" ] && set -- --header "$line" "$@"
done <<HEADERS
${EVACK_HEADERS:-}
HEADERS
rc_file=$(mktemp "${TMPDIR:-/tmp}/evack-gate.XXXXXX") || die "mktemp failed"
trap 'rm -f "$rc_file"' EXIT
trap 'exit 130' INT TERM

# A server started just before this script may need a moment: probe with one
# short case until the connection is accepted. Only "cannot connect" is worth
# waiting for; any other answer (even a failure) means the server is up.
if [ -n "$target" ] && [ "$wait_s" -gt 0 ]; then
    waited=0
    while [ "$waited" -lt "$wait_s" ] &&
        "$evack" "$@" --profile "$profile" --cases handshake.policy --quiet --color never "$target" \
            2>&1 >/dev/null | grep -q 'cannot connect'; do
        sleep 1
        waited=$((waited + 1))
    done
fi

set -- --profile "$profile" --report "$report" --color never "$@"
[ -n "$cases" ] && set -- --cases "$cases" "$@"
[ -n "$exclude" ] && set -- --exclude "$exclude" "$@"
[ -n "$baseline" ] && set -- --baseline "$baseline" "$@"

# Run the suite: live output, also kept as evack.log; the status survives the pipe.
if [ -n "$target" ]; then set -- "$@" "$target"; else set -- --client "$client" "$@"; fi
{ "$evack" "$@"; echo $? >"$rc_file"; } 2>&1 | tee "$report/evack.log"
rc=$(cat "$rc_file")
[ -n "$rc" ] || rc=2

# summary.md: a few lines for a CI page (GitHub's job summary when it exists).
# evack writes it with the report (counts, shared causes with hints, failed
# cases); when the run could not even start, the gate writes what it knows.
if [ "$rc" -gt 1 ] || [ ! -s "$report/summary.md" ]; then
    {
        case $rc in
        0) echo "### evack conformance: passed" ;;
        1) echo "### evack conformance: failed" ;;
        *) echo "### evack conformance: could not run (exit $rc)" ;;
        esac
        echo
        tail -n 3 "$report/evack.log" | sed 's/^/    /'
    } >"$report/summary.md"
fi
{
    echo
    echo "Reports: report.html (open it in a browser), junit.xml, report.json, evack.log."
} >>"$report/summary.md"
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then cat "$report/summary.md" >>"$GITHUB_STEP_SUMMARY"; fi
echo "evack-gate: exit $rc; reports in $report" >&2
exit "$rc"
