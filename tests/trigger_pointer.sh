#!/bin/sh
# A custom profile whose trigger lies deeper than /payload/<key>: the cases
# that need several Events of the target build the trigger at the full
# pointer, so they run (and pass) against the reference server reading it
# there, instead of being skipped for want of Events.
#   trigger_pointer.sh EVACK
set -u
evack=${1:?usage: trigger_pointer.sh EVACK}
work=$(mktemp -d "${TMPDIR:-/tmp}/evk-trigger.XXXXXX")
. "$(dirname "$0")/check.sh"
at_exit 'rm -rf "$work"'
trap 'exit 130' INT TERM
san_watch "$work"

for ptr in /payload/control/emit /emit; do
    name=$(echo "$ptr" | tr -c 'a-z\n' '_')
    "$evack" profile show seed | sed -e "s|\"/payload/emit\"|\"$ptr\"|" -e 's/"name": "seed"/"name": "custom"/' \
        >"$work/$name.json"
    grep -q "\"$ptr\"" "$work/$name.json" && r=ok || r=bad
    check "profile with the trigger at $ptr" "$r" "$(grep trigger "$work/$name.json")"
    bg_start "srv$name" 0 "$work/$name.log" "$evack" ref server --port 0 --port-file "$work/$name.port" \
        --profile "$work/$name.json"
    wait_file "$work/$name.port" 10
    "$evack" "ws://127.0.0.1:$(cat "$work/$name.port")/" --profile "$work/$name.json" \
        --cases 'ack.out-of-order,ack.duplicate,deadline.*' --color never >"$work/$name.out" 2>&1
    rc=$?
    grep -Eq '^[0-9]+ passed, 0 failed, 0 non-strict, 0 informational, 0 skipped' "$work/$name.out" && [ $rc -eq 0 ] &&
        r=ok || r=bad
    check "trigger at $ptr: the cases needing the target's Events run and pass" "$r" "exit $rc: $(tail -n 4 "$work/$name.out")"
    bg_stop "srv$name"
done
[ $fails -eq 0 ]
