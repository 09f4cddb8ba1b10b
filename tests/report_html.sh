#!/bin/sh
# report.html in a real browser: headless Chromium renders the reports of a
# clean run, a run with failures (an injected fault), a run with a baseline
# and a run whose target prints hostile bytes; the rendered counts, rows and
# details must equal report.json, and the target's bytes must stay text.
# Screenshots are kept in $EVK_ARTIFACTS (default: ./artifacts).
#   report_html.sh EVACK SOURCE_DIR
set -u
evack=${1:?usage: report_html.sh EVACK SOURCE_DIR}
src=${2:?usage: report_html.sh EVACK SOURCE_DIR}
chromium=${CHROMIUM:-chromium}
art=${EVK_ARTIFACTS:-$PWD/artifacts}
if ! command -v "$chromium" >/dev/null 2>&1; then
    echo "FAIL chromium is not installed (scripts/ensure-deps.sh test installs it)"
    exit 1
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/evk-html.XXXXXX")
profile_dir="$work/chromium-profile"
cleanup() {
    # Chromium normally exits with its children; kill any left with our profile dir.
    for pid in $(ps -eo pid=,args= | grep -F -- "$profile_dir" | grep -v grep | awk '{print $1}'); do
        kill "$pid" 2>/dev/null
    done
    rm -rf "$work"
}
. "$(dirname "$0")/check.sh"
at_exit cleanup
trap 'exit 130' INT TERM
san_watch "$work/pass" "$work/fail" "$work/base" "$work/hostile" "$work/pass.out" "$work/fail.out" \
    "$work/base.out" "$work/hostile.out"
mkdir -p "$art"
browse() { # browse MODE(dom|shot) URL OUT
    if [ "$1" = dom ]; then mode=--dump-dom; else mode="--screenshot=$3"; fi
    # A fresh profile per run; every background fetch and update switched off.
    rm -rf "$profile_dir"
    timeout -k 5 60 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --disable-default-apps --disable-extensions --hide-scrollbars --mute-audio \
        --user-data-dir="$profile_dir" --window-size=1280,1700 "$mode" "$2" \
        >"$work/browser.out" 2>"$work/browser.err"
    rc=$?
    if [ "$1" = dom ]; then cp "$work/browser.out" "$3"; fi
    return $rc
}
render() { # render NAME REPORT_DIR [check options]: dump the DOM, compare with report.json
    name=$1 dir=$2
    shift 2
    hash=
    [ "${1:-}" = --open ] && hash="#open=$2"
    if browse dom "file://$dir/report.html$hash" "$work/$name.dom.html" && [ -s "$work/$name.dom.html" ]; then
        out=$(python3 "$src/tests/report_html_check.py" "$work/$name.dom.html" "$dir/report.json" "$@" 2>&1) &&
            r=ok || r=bad
        check "$name: rendered counts, rows and details equal report.json" "$r" "$out"
    else
        check "$name: chromium rendered the page" bad "$(tail -n 3 "$work/browser.err")"
    fi
}

# 1. A clean run against the embedded reference server.
"$evack" --report "$work/pass" --quiet --color never >"$work/pass.out" 2>&1
rc=$?
[ $rc -eq 0 ] && r=ok || r=bad
check "clean run exits 0" "$r" "exit $rc: $(tail -n 2 "$work/pass.out")"
render clean "$work/pass" --open event.pipelined

# 2. The reference server with a bug: failures, skips and informational cases.
"$evack" --fault ack-twice --report "$work/fail" --quiet --color never >"$work/fail.out" 2>&1
rc=$?
[ $rc -eq 1 ] && r=ok || r=bad
check "faulty run exits 1" "$r" "exit $rc: $(tail -n 2 "$work/fail.out")"
render faulty "$work/fail"
render faulty-open "$work/fail" --open event.pipelined

# 3. A baseline: a listed failure is a known failure, a listed pass is fixed.
printf '# known\nevent.acked-once\nframe.binary\n' >"$work/baseline"
"$evack" --fault ack-twice --cases 'event.acked-once,event.reuse-after-ack,frame.binary,frame.binary-empty' \
    --baseline "$work/baseline" --report "$work/base" --quiet --color never >"$work/base.out" 2>&1
rc=$?
[ $rc -eq 1 ] && r=ok || r=bad
check "baseline run exits 1 (one unlisted failure)" "$r" "exit $rc: $(tail -n 2 "$work/base.out")"
render baseline "$work/base"
grep -q '"known_failures":[[:space:]]*1' "$work/base/report.json" &&
    grep -q '"fixed":[[:space:]]*1' "$work/base/report.json" && r=ok || r=bad
check "baseline run has 1 known failure and 1 fixed case" "$r" "$(grep -A9 '"summary"' "$work/base/report.json")"

# 4. A target whose output is markup and script: it must render as text.
hostile='</script><script>document.title="pwned"</script><b id=pwn>x</b>'
"$evack" --client "printf '%s <!-- \\377\\376' '$hostile' >&2; exit 3 # {url}" --cases handshake.client-ack \
    --connect-timeout 1 --report "$work/hostile" --quiet --color never >"$work/hostile.out" 2>&1
rc=$?
[ $rc -eq 1 ] && r=ok || r=bad
check "hostile client run exits 1" "$r" "exit $rc: $(tail -n 2 "$work/hostile.out")"
render hostile "$work/hostile" --hostile "$hostile"

# 4b. A target without a handshake Event: the failures share one cause, said once at the top.
"$evack" --fault handshake-silent --report "$work/cause" --quiet --color never >"$work/cause.out" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q '"groups":[[:space:]]*\[[[:space:]]*{' "$work/cause/report.json" && r=ok || r=bad
check "a run without a handshake Event groups its failures by cause" "$r" "exit $rc: $(tail -n 4 "$work/cause.out")"
render causes "$work/cause"
browse shot "file://$work/cause/report.html#verdict=fail" "$art/report-causes.png" &&
    [ -s "$art/report-causes.png" ] && r=ok || r=bad
check "screenshot $art/report-causes.png (the cause group at the top)" "$r" "$(tail -n 3 "$work/browser.err")"

# 5. No external fetch: the page names no http(s) resource, and a CSP forbids any.
if grep -Eiq '(src|href)=["'"'"']?(https?:)?//' "$work/pass/report.html"; then r=bad; else r=ok; fi
check "report.html loads nothing from outside" "$r" "$(grep -Eio '(src|href)=.{0,40}' "$work/pass/report.html" | head -n 3)"
grep -q "Content-Security-Policy\" content=\"default-src 'none'" "$work/pass/report.html" && r=ok || r=bad
check "report.html carries a CSP that forbids fetches" "$r" "no CSP meta element"

# 6. Screenshots as artifacts: a clean run with event.pipelined's latency chart,
#    and the failing run filtered to failures with one case opened.
browse shot "file://$work/pass/report.html#group=event&open=event.pipelined" "$art/report-clean.png" &&
    [ -s "$art/report-clean.png" ] && r=ok || r=bad
check "screenshot $art/report-clean.png" "$r" "$(tail -n 3 "$work/browser.err")"
browse shot "file://$work/fail/report.html#verdict=fail,skip&open=deadline.expired" "$art/report-faulty.png" &&
    [ -s "$art/report-faulty.png" ] && r=ok || r=bad
check "screenshot $art/report-faulty.png" "$r" "$(tail -n 3 "$work/browser.err")"
cp "$work/pass/report.html" "$art/report-clean.html" 2>/dev/null
cp "$work/fail/report.html" "$art/report-faulty.html" 2>/dev/null

[ $fails -eq 0 ] && echo "all report.html checks passed" || echo "$fails check(s) failed"
[ $fails -eq 0 ]
