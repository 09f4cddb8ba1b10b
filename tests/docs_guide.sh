#!/bin/sh
# docs/guide.md and ci/README.md stay true: their relative links resolve, the
# example profile in the guide loads and reads the limit it says, and every
# evack option and make variable the guide names exists.
#   docs_guide.sh EVACK SOURCE_DIR
set -u
evack=${1:?usage: docs_guide.sh EVACK SOURCE_DIR}
src=${2:?usage: docs_guide.sh EVACK SOURCE_DIR}
work=$(mktemp -d "${TMPDIR:-/tmp}/evk-guide.XXXXXX")
. "$(dirname "$0")/check.sh"
at_exit 'rm -rf "$work"'
san_watch "$work"
guide="$src/docs/guide.md"

# 1. Relative links ([text](path) and [text](path#anchor)) point at files.
for doc in docs/guide.md docs/catalog.md ci/README.md; do
    [ -f "$src/$doc" ] || { check "$doc exists" bad "missing"; continue; }
    dir=$(dirname "$src/$doc")
    broken=$(grep -o '](\([^)#:]*\)[)#]' "$src/$doc" | sed 's/^](//; s/[)#]$//' | while read -r link; do
        [ -z "$link" ] || [ -e "$dir/$link" ] || echo "$link"
    done)
    [ -z "$broken" ] && r=ok || r=bad
    check "$doc: relative links resolve" "$r" "$broken"
done
# ... and the guide's in-page links name its headings (GitHub's slugs).
grep '^##' "$guide" | sed 's/^#* //' | tr '[:upper:]' '[:lower:]' | sed 's/[^a-z0-9 -]//g; s/ /-/g' >"$work/slugs"
dangling=$(grep -o '](#[^)]*)' "$guide" | sed 's/^](#//; s/)$//' | while read -r a; do
    grep -qx -- "$a" "$work/slugs" || echo "#$a"
done)
[ -s "$work/slugs" ] && [ -z "$dangling" ] && r=ok || r=bad
check "docs/guide.md: in-page links name headings" "$r" "$dangling"

# 2. The guide's example profile (its first json block) loads and declares
#    the limit the guide says it reads.
awk '/^```json$/ {on = 1; next} on && /^```$/ {exit} on {print}' "$guide" >"$work/acme.json"
msg='{"type":"event","id":"6fd41596-2092-4e6a-ae1f-9901bdd0c863","sent_at":"2026-01-05T15:34:02.123456+0000","policy":{"ackTimeoutMs":1500}}'
out=$(printf '%s' "$msg" | "$evack" validate --profile "$work/acme.json" --handshake 2>&1)
rc=$?
[ $rc -eq 0 ] && echo "$out" | grep -q 'ack time limit 1500 ms' && grep -qF "$msg" "$guide" && r=ok || r=bad
check "the guide's example profile loads and reads /policy/ackTimeoutMs in ms" "$r" "exit $rc: $out"
"$evack" --profile "$work/acme.json" --cases schema.missing-id --color never >"$work/run.out" 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q 'close 4003' "$work/run.out" && r=ok || r=bad
check "a run under it expects the exact code 4003" "$r" "exit $rc: $(cat "$work/run.out")"

# 3. Every --option the guide names is one evack (or a subcommand) knows.
#    (Lines about the user's own program, ./my-client, are not evack's.)
{ "$evack" --help; "$evack" list --help; "$evack" validate --help; "$evack" fuzz-live --help; } >"$work/help" 2>&1
unknown=$(grep -v 'my-client' "$guide" | grep -o -- '--[a-z][a-z-]*' | sort -u | while read -r opt; do
    grep -q -- "$opt\\b" "$work/help" || echo "$opt"
done)
[ -z "$unknown" ] && r=ok || r=bad
check "every option the guide names is in evack's help" "$r" "$unknown"

# 4. Every VAR= the guide passes to make is one the Makefiles read.
unread=$(grep -o 'make [a-z-]*\( [A-Z_]*=[^ ]*\)*' "$guide" | grep -o '[A-Z_]*=' | sort -u | while read -r v; do
    grep -q "${v%=}" "$src/Makefile" "$src/fuzz/fuzz.mk" 2>/dev/null || echo "${v%=}"
done)
[ -z "$unread" ] && r=ok || r=bad
check "every make variable the guide names is read by the Makefiles" "$r" "$unread"

[ $fails -eq 0 ] && echo "all guide checks passed" || echo "$fails check(s) failed"
[ $fails -eq 0 ]
