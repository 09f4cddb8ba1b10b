#!/bin/sh
# The harness as a server, against clients that misbehave as processes:
# every promise of the client role about bad input and process hygiene.
#   client_role.sh EVACK
set -u
evack=${1:?usage: client_role.sh EVACK}
work=$(mktemp -d "${TMPDIR:-/tmp}/evk-client.XXXXXX")
. "$(dirname "$0")/check.sh"
at_exit 'rm -rf "$work"'
san_watch "$work"
survivors() { # processes whose command line holds the marker
    ps -eo pid=,stat=,args= | grep -F "$1" | grep -v grep
}

# 1. A command without {url} is refused before anything runs.
"$evack" --client 'true' >"$work/1.out" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q 'has no {url}' "$work/1.out" && r=ok || r=bad
check "--client without {url}: exit 2 with a reason" $r "exit $rc: $(cat "$work/1.out")"

# 2. A client that exits at once: the case fails with its exit status, fast.
start=$(date +%s)
"$evack" --client 'echo "boom on stderr" >&2; exit 3 # {url}' --cases handshake.client-ack \
    --color never >"$work/2.out" 2>&1
rc=$?
took=$(($(date +%s) - start))
[ $rc -eq 1 ] && grep -q 'client did not connect within 5 s (it exited with status 3)' "$work/2.out" &&
    [ "$took" -lt 5 ] && r=ok || r=bad
check "a client that exits at once fails in ${took} s, naming its status" $r "exit $rc: $(cat "$work/2.out")"
"$evack" --client 'echo "boom on stderr" >&2; exit 3 # {url}' --cases handshake.client-ack \
    --color never --report "$work/rep2" >/dev/null 2>&1
grep -q 'boom on stderr' "$work/rep2/report.json" && r=ok || r=bad
check "its output is in the transcript" $r "no client output in report.json"

# 3. A client that never connects, and ignores SIGTERM: the case fails at the
#    connect timeout, the client is killed, the run goes on and ends.
marker="31.$$"
start=$(date +%s)
"$evack" --client "trap '' TERM; sleep $marker # {url}" --cases 'handshake.client-ack,event.acked-once' \
    --connect-timeout 1 --color never >"$work/3.out" 2>&1
rc=$?
took=$(($(date +%s) - start))
[ $rc -eq 1 ] && [ "$(grep -c 'client did not connect within 1 s' "$work/3.out")" -eq 2 ] && r=ok || r=bad
check "a client that never connects fails each case at the timeout" $r "exit $rc: $(cat "$work/3.out")"
[ "$took" -lt 10 ] && r=ok || r=bad
check "the run still ends (${took} s)" $r "took $took s"
sleep 0.2
[ -z "$(survivors "sleep $marker")" ] && r=ok || r=bad
check "a client ignoring SIGTERM was killed" $r "$(survivors "sleep $marker")"

# 4. A client that leaves a helper behind in its process group: it goes too,
#    and no zombie is left.
marker2="32.$$"
"$evack" --client "sleep $marker2 & exec $evack ref client {url}" --cases 'frame.*,event.acked-once' \
    --color never >"$work/4.out" 2>&1
rc=$?
[ $rc -eq 0 ] && r=ok || r=bad
check "the reference client passes with a helper in its group" $r "exit $rc: $(tail -n 3 "$work/4.out")"
sleep 0.2
[ -z "$(survivors "sleep $marker2")" ] && r=ok || r=bad
check "no stray process survives the run" $r "$(survivors "sleep $marker2")"
# Zombies: sampled while evack runs, none of *its* children stays a zombie
# (one may be for up to a 50 ms poll; other processes' zombies do not count:
# this machine's init may never reap orphans).
bg_start zombies 0 "$work/z.out" "$evack" --client "$evack ref client {url}" --cases 'frame.*,json.*,event.acked-once' \
    --jobs 2 --color never
pid=$bg_pid
streak=0
worst=0
while kill -0 $pid 2>/dev/null; do
    if ps -o stat= --ppid $pid 2>/dev/null | grep -q '^Z'; then streak=$((streak + 1)); else streak=0; fi
    [ $streak -gt $worst ] && worst=$streak
    sleep 0.05
done
bg_wait zombies
[ $worst -le 20 ] && r=ok || r=bad
check "evack reaps its clients: no child of it stays a zombie (longest: $worst samples of 50 ms)" $r \
    "a zombie child for $worst samples"

# 5. Clients connecting by hand: --list-urls names every case's URL.
"$evack" --listen --list-urls --port 9 --cases 'json.*' >"$work/5.out" 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q '^ws://127.0.0.1:9/case/json.trailing$' "$work/5.out" && r=ok || r=bad
check "--list-urls prints the case URLs" $r "exit $rc: $(cat "$work/5.out")"
"$evack" --listen --list-urls --cases 'json.*' >"$work/6.out" 2>&1
[ $? -eq 2 ] && r=ok || r=bad
check "--list-urls without --port is refused" $r "$(cat "$work/6.out")"

[ $fails -eq 0 ]
