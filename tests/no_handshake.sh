#!/bin/sh
# Profiles without a handshake phase (PROTOCOL.md §6, "handshake": null):
# against the reference peers with their handshake switched off, every case
# that is not about the handshake gives the verdict it gives with the
# handshake on, in both roles; the handshake cases are skipped and say why;
# faults are still caught by their own case, and failures that share a cause
# are grouped. Also: the loader and the reference peers refuse the wrong
# pairings with one clear line.
#   no_handshake.sh EVACK
set -u
evack=${1:?usage: no_handshake.sh EVACK}
work=$(mktemp -d "${TMPDIR:-/tmp}/evk-nohs.XXXXXX")
. "$(dirname "$0")/check.sh"
at_exit 'rm -rf "$work"'
trap 'exit 130' INT TERM
san_watch "$work"
ack=0.8

# The worked example of docs/profiles.md: the latest revision without a handshake.
"$evack" profile show latest |
    sed -e 's/"name": "latest"/"name": "nohs"/' -e '/"ack_timeout_policy"/d' -e '/"early_message": "informational"/d' \
        -e 's/^  "trigger"/  "handshake": null,\n  "ack_limit_ms": 800,\n  "trigger"/' >"$work/nohs.json"
out=$("$evack" profile check "$work/nohs.json" 2>&1) && r=ok || r=bad
case $out in *"no handshake phase, ack limit 800 ms"*) ;; *) r=bad ;; esac
check "the worked example's profile loads: $out" "$r" "$out"

serve() { # serve NAME [ref server options]: start a reference server, set $port
    name=$1
    shift
    bg_start "$name" 0 "$work/$name.log" "$evack" ref server --port 0 --port-file "$work/$name.port" "$@"
    wait_file "$work/$name.port" 10
    port=$(cat "$work/$name.port" 2>/dev/null)
    [ -n "$port" ] || { echo "FAIL the reference server did not start: $(cat "$work/$name.log")"; exit 1; }
}

# verdicts REPORT_DIR: "id verdict" per line, sorted
verdicts() {
    python3 -c 'import json,sys
for c in json.load(open(sys.argv[1] + "/report.json"))["cases"]: print(c["id"], c["verdict"])' "$1" | sort
}

# compare ROLE WITH_DIR WITHOUT_DIR: the same verdict for every other case;
# the handshake cases skipped, saying the profile has no handshake phase
compare() {
    verdicts "$2" | grep -v '^handshake\.' >"$work/with"
    verdicts "$3" | grep -v '^handshake\.' >"$work/without"
    if cmp -s "$work/with" "$work/without"; then r=ok; else r=bad; fi
    check "$1: every non-handshake case has the verdict it has with the handshake ($(wc -l <"$work/with") cases)" "$r" \
        "$(diff "$work/with" "$work/without" | head -n 10)"
    n=$(python3 -c 'import json,sys
cs=[c for c in json.load(open(sys.argv[1] + "/report.json"))["cases"] if c["id"].startswith("handshake.")]
print(sum(1 for c in cs if c["verdict"] == "skip" and "no handshake phase" in c["observed"]), len(cs))' "$3")
    set -- $n
    [ "$1" -gt 0 ] && [ "$1" = "$2" ] && r=ok || r=bad
    check "handshake cases skipped with the reason ($1 of $2)" "$r" "$n"
}

# 1. Server role: the reference server with its handshake and without.
serve with --profile latest --ack-timeout $ack
"$evack" "ws://127.0.0.1:$port/" --profile latest --report "$work/s-with" --color never --quiet >"$work/s-with.out" 2>&1
rc=$?
[ $rc -eq 0 ] && r=ok || r=bad
check "server with a handshake, latest: exit 0" "$r" "exit $rc: $(tail -n 3 "$work/s-with.out")"
bg_stop with
serve without --profile "$work/nohs.json" --no-handshake
"$evack" "ws://127.0.0.1:$port/" --profile "$work/nohs.json" --report "$work/s-without" --color never --quiet \
    >"$work/s-without.out" 2>&1
rc=$?
[ $rc -eq 0 ] && r=ok || r=bad
check "server without a handshake, its profile: exit 0" "$r" "exit $rc: $(tail -n 3 "$work/s-without.out")"
compare server "$work/s-with" "$work/s-without"
bg_stop without

# 2. Client role: evack sends no handshake Event; the client uses the same limit.
"$evack" --client "$evack ref client {url} --profile latest" --profile latest --ack-timeout $ack \
    --report "$work/c-with" --color never --quiet >"$work/c-with.out" 2>&1
rc=$?
[ $rc -eq 0 ] && r=ok || r=bad
check "client with a handshake, latest: exit 0" "$r" "exit $rc: $(tail -n 3 "$work/c-with.out")"
"$evack" --client "$evack ref client {url} --profile $work/nohs.json --no-handshake" --profile "$work/nohs.json" \
    --report "$work/c-without" --color never --quiet >"$work/c-without.out" 2>&1
rc=$?
[ $rc -eq 0 ] && r=ok || r=bad
check "client without a handshake, its profile: exit 0" "$r" "exit $rc: $(tail -n 3 "$work/c-without.out")"
compare client "$work/c-with" "$work/c-without"

# 3. Faults without a handshake: the fault's own case fails, and failures
#    that share a cause are named once with a hint.
for row in "close-1000 json.garbage" "missing-field-code schema.missing-id" "ack-twice event.acked-once"; do
    set -- $row
    fault=$1 case=$2
    serve "f_$(echo "$fault" | tr -c 'a-z0-9\n' '_')" --profile "$work/nohs.json" --no-handshake --fault "$fault"
    "$evack" "ws://127.0.0.1:$port/" --profile "$work/nohs.json" --report "$work/$fault" --color never \
        >"$work/$fault.out" 2>&1
    rc=$?
    grep -Eq "^\[ *[0-9]+/[0-9]+\] FAIL +$case " "$work/$fault.out" && [ $rc -eq 1 ] && r=ok || r=bad
    check "$fault without a handshake: $case fails" "$r" "exit $rc: $(grep -E 'FAIL' "$work/$fault.out" | head -n 3)"
    grep -Eq '^[0-9]+ cases failed for one reason: ' "$work/$fault.out" &&
        grep -q '^    try: ' "$work/$fault.out" && r=ok || r=bad
    check "$fault without a handshake: the summary names the shared cause" "$r" "$(tail -n 5 "$work/$fault.out")"
    bg_stop "f_$(echo "$fault" | tr -c 'a-z0-9\n' '_')"
done

# 4. The wrong pairings are refused, each with one line that names the fix.
refused() { # refused WHAT EXPECTED_TEXT CMD...: exit 2 and the text on stderr
    what=$1 want=$2
    shift 2
    "$@" >"$work/refused.out" 2>&1
    rc=$?
    [ $rc -eq 2 ] && grep -q "$want" "$work/refused.out" && [ "$(wc -l <"$work/refused.out")" -eq 1 ] && r=ok || r=bad
    check "refused: $what" "$r" "exit $rc: $(cat "$work/refused.out")"
}
refused "--no-handshake with a handshake profile" "needs a profile with" \
    "$evack" ref server --port 0 --no-handshake --profile latest
refused "a no-handshake profile without --no-handshake" "add --no-handshake" \
    "$evack" ref server --port 0 --profile "$work/nohs.json"
refused "--ack-timeout with --no-handshake" "does not go with --no-handshake" \
    "$evack" ref server --port 0 --no-handshake --ack-timeout 2 --profile "$work/nohs.json"
refused "validate --handshake without a handshake phase" "no policy to check" \
    "$evack" validate --profile "$work/nohs.json" --handshake /dev/null
sed 's/"handshake": null,/"handshake": null, "ack_timeout_policy": {"pointer": "\/p", "unit": "s"},/' \
    "$work/nohs.json" >"$work/bad.json"
refused "a no-handshake profile with a policy" "ack_timeout_policy: not allowed" \
    "$evack" validate --profile "$work/bad.json" /dev/null

[ $fails -eq 0 ] && echo "all no-handshake checks passed" || echo "$fails check(s) failed"
[ $fails -eq 0 ]
