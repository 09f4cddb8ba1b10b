#!/bin/sh
# The GitHub Action's second step (action.yml): waits until the target's
# host:port accepts TCP connections, so that a server started by an earlier
# step (in the background) has time to come up.
#   INPUT_TARGET=ws://host:port/path INPUT_WAIT_TIMEOUT=60 sh ci/action/wait.sh
# ws:// defaults to port 80, wss:// to 443; [v6]:port works. Probes with
# bash's /dev/tcp (or nc -z when there is no bash), one per second.
# Exit status: 0 accepted; 2 a bad URL or timeout, or nothing accepted in time.
set -u
target=${INPUT_TARGET:-}
limit=${INPUT_WAIT_TIMEOUT:-60}
die() {
    echo "evack-action: $*" >&2
    exit 2
}

case $limit in '' | *[!0-9]*) die "wait-timeout '$limit': a whole number of seconds" ;; esac
case $target in
ws://*) rest=${target#ws://}; port=80 ;;
wss://*) rest=${target#wss://}; port=443 ;;
*) die "target '$target': expected ws://host:port/path (or wss://)" ;;
esac
hostport=${rest%%/*}
hostport=${hostport%%\?*}
hostport=${hostport%%#*}
hostport=${hostport##*@}
case $hostport in
\[*\]:*) host=${hostport%%\]*}; host=${host#\[}; port=${hostport##*\]:} ;;
\[*\]) host=${hostport#\[}; host=${host%\]} ;;
*:*) host=${hostport%:*}; port=${hostport##*:} ;;
*) host=$hostport ;;
esac
[ -n "$host" ] || die "target '$target': no host"
case $port in '' | *[!0-9]*) die "target '$target': bad port '$port'" ;; esac

probe() {
    if command -v bash >/dev/null 2>&1; then
        # shellcheck disable=SC2016 # $0 and $1 are bash's, not ours
        timeout 3 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$host" "$port" 2>/dev/null
    elif command -v nc >/dev/null 2>&1; then
        nc -z -w 3 "$host" "$port" 2>/dev/null
    else
        die "cannot probe $host:$port: neither bash nor nc is installed"
    fi
}

start=$(date +%s)
while ! probe; do
    waited=$(($(date +%s) - start))
    [ "$waited" -lt "$limit" ] || die "$host:$port ($target) did not accept TCP connections within $limit s"
    sleep 1
done
echo "evack-action: $host:$port accepts connections (after $(($(date +%s) - start)) s)"
