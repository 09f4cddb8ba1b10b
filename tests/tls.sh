#!/bin/sh
# wss:// against a TLS reference server with a self-signed certificate: a
# clear certificate error by default; passes with --insecure or --ca.
#   tls.sh EVACK
set -u
evack=${1:?usage: tls.sh EVACK}
. "$(dirname "$0")/check.sh"
command -v openssl >/dev/null || skip "openssl is not installed (scripts/ensure-deps.sh test installs it)"
work=$(mktemp -d "${TMPDIR:-/tmp}/evk-tls.XXXXXX")
at_exit 'rm -rf "$work"'
san_watch "$work"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" -days 2 \
    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1 || { echo "FAIL: openssl req"; exit 1; }
bg_start server 0 "$work/server.log" "$evack" ref server --cert "$work/cert.pem" --key "$work/key.pem" \
    --port 0 --port-file "$work/port" --ack-timeout 0.5
wait_file "$work/port" 5
url="wss://127.0.0.1:$(cat "$work/port")/"

"$evack" "$url" --cases 'handshake.*' --color never >"$work/1" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q "certificate is not trusted" "$work/1" && r=ok || r=bad
check "by default a self-signed certificate is refused with a clear error" $r "exit $rc: $(cat "$work/1")"
"$evack" "$url" --cases 'handshake.*,frame.*,event.acked-once' --insecure --color never >"$work/2" 2>&1
rc=$?
[ $rc -eq 0 ] && r=ok || r=bad
check "--insecure: the suite runs and passes over TLS" $r "exit $rc: $(tail -n 3 "$work/2")"
"$evack" "$url" --cases 'handshake.*,frame.*,event.acked-once' --ca "$work/cert.pem" --color never >"$work/3" 2>&1
rc=$?
[ $rc -eq 0 ] && r=ok || r=bad
check "--ca FILE: the certificate is trusted" $r "exit $rc: $(tail -n 3 "$work/3")"
"$evack" "$url" --ca "$work/missing.pem" --color never >"$work/4" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q "cannot read" "$work/4" && r=ok || r=bad
check "--ca with a missing file: exit 2 naming it" $r "exit $rc: $(cat "$work/4")"
bg_stop server
[ $fails -eq 0 ]
