#!/bin/sh
# docs/evack.1 stays clean and complete: mandoc reports nothing about it (not
# even a style message), its version is evack's, and every subcommand and
# every long option evack's --help texts print appears in it, so the manual
# cannot drift from the program.
#   docs_manpage.sh EVACK SOURCE_DIR
set -u
evack=${1:?usage: docs_manpage.sh EVACK SOURCE_DIR}
src=${2:?usage: docs_manpage.sh EVACK SOURCE_DIR}
page="$src/docs/evack.1"
work=$(mktemp -d "${TMPDIR:-/tmp}/evk-man.XXXXXX")
trap 'rm -rf "$work"' EXIT
. "$(dirname "$0")/check.sh"

# 1. mandoc's linter, at its most demanding level: any message fails.
mandoc -T lint -W style "$page" >"$work/lint" 2>&1
rc=$?
[ $rc -eq 0 ] && [ ! -s "$work/lint" ] && r=ok || r=bad
check "mandoc -T lint -W style docs/evack.1: no message" "$r" "exit $rc: $(cat "$work/lint")"

# The page as a reader sees it (wide, so nothing wraps; overstrike removed).
bs=$(printf '\b')
mandoc -T ascii -O width=400 "$page" 2>/dev/null | sed "s/.$bs//g" >"$work/page"
sed -n '/^SYNOPSIS$/,/^DESCRIPTION$/p' "$work/page" >"$work/synopsis"
[ -s "$work/synopsis" ] && r=ok || r=bad
check "the page renders, with a SYNOPSIS" "$r" "$(head -n 5 "$work/page")"

# 2. The version in .TH is the binary's.
version=$("$evack" --version 2>&1 | sed -n 's/^evack \([0-9][0-9.]*\)$/\1/p')
th=$(sed -n 's/^\.TH EVACK 1 [^ ]* "evack \([^"]*\)".*/\1/p' "$page")
[ -n "$version" ] && [ "$th" = "$version" ] && r=ok || r=bad
check "the page is of evack $version" "$r" ".TH says '$th', evack --version '$("$evack" --version 2>&1)'"

# 3. Subcommands: every 'evack WORD [WORD]' of evack --help, plus the ones
#    it does not list, has a SYNOPSIS line; each one's own --help is read too.
"$evack" --help >"$work/help" 2>&1
subs=$(sed -n 's/^\(usage:\)\{0,1\} *evack \([a-z][a-z-]*\( [a-z][a-z-]*\)\{0,1\}\).*/\2/p' "$work/help")
[ -n "$subs" ] && r=ok || r=bad
check "evack --help names subcommands" "$r" "$(cat "$work/help")"
subs=$(printf '%s\nfuzz-live\nreplay\n' "$subs" | sort -u)
missing=
for s in $(printf '%s\n' "$subs" | tr ' ' '+'); do
    s=$(echo "$s" | tr '+' ' ')
    grep -q "^ *evack $s\\( \\|$\\)" "$work/synopsis" || missing="$missing '$s'"
    # shellcheck disable=SC2086 # the subcommand's words are separate arguments
    if "$evack" $s --help >"$work/sub" 2>&1; then cat "$work/sub" >>"$work/help"; fi
done
[ -z "$missing" ] && r=ok || r=bad
check "every subcommand ($(echo "$subs" | tr '\n' ' ')) has a SYNOPSIS line" "$r" "missing:$missing"

# 4. Every long option any of those help texts prints is in the page.
opts=$(grep -o -- '--[a-z][a-z-]*' "$work/help" | sort -u)
[ "$(echo "$opts" | wc -l)" -ge 30 ] && r=ok || r=bad
check "the help texts name $(echo "$opts" | wc -l) long options" "$r" "$opts"
missing=$(for o in $opts; do
    grep -Eq -- "(^|[^a-z-])$o([^a-z-]|$)" "$work/page" || echo "$o"
done)
[ -z "$missing" ] && r=ok || r=bad
check "every long option of the help texts is in the page" "$r" "$(echo "$missing" | tr '\n' ' ')"

# 5. What users look up: the profiles, the exit statuses, the report files.
section() { sed -n "/^$1\$/,/^[A-Z][A-Z -]*\$/p" "$work/page" | sed '1d;$d'; }
missing=$(for p in seed latest strict; do section PROFILES | grep -Eq "^ +$p( |\$)" || echo "$p"; done)
[ -z "$missing" ] && r=ok || r=bad
check "PROFILES describes seed, latest and strict" "$r" "missing: $(echo "$missing" | tr '\n' ' ')"
section PROFILES | grep -q '4006' && section PROFILES | grep -q "evack's proposal, not the document's" &&
    r=ok || r=bad
check "PROFILES: strict's own codes are evack's proposal" "$r" "$(section PROFILES)"
missing=$(for c in 0 1 2 130; do section 'EXIT STATUS' | grep -Eq "^ +$c( |\$)" || echo "$c"; done)
[ -z "$missing" ] && r=ok || r=bad
check "EXIT STATUS describes 0, 1, 2 and 130" "$r" "missing: $(echo "$missing" | tr '\n' ' ')"
missing=$(for f in report.json junit.xml report.html; do section FILES | grep -q "$f" || echo "$f"; done)
[ -z "$missing" ] && r=ok || r=bad
check "FILES names what --report writes" "$r" "missing: $(echo "$missing" | tr '\n' ' ')"

[ $fails -eq 0 ] && echo "all manual page checks passed" || echo "$fails check(s) failed"
[ $fails -eq 0 ]
