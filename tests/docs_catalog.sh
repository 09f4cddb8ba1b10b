#!/bin/sh
# docs/catalog.md is generated from the code (the cases) and from
# conformance/rules.tsv (the rules): it must equal a fresh copy, and the
# generator must refuse a rule list that names a case that does not exist.
#   docs_catalog.sh EVACK SOURCE_DIR
set -u
evack=${1:?usage: docs_catalog.sh EVACK SOURCE_DIR}
src=${2:?usage: docs_catalog.sh EVACK SOURCE_DIR}
work=$(mktemp -d "${TMPDIR:-/tmp}/evk-catalog.XXXXXX")
. "$(dirname "$0")/check.sh"
at_exit 'rm -rf "$work"'
san_watch "$work"

# 1. The committed catalog is what the generator writes today (run from the
#    source directory: the page names the rule file by this relative path).
(cd "$src" && "$evack" list --traceability conformance/rules.tsv) >"$work/catalog.md" 2>"$work/gen.err"
rc=$?
[ $rc -eq 0 ] && r=ok || r=bad
check "the generator accepts conformance/rules.tsv" "$r" "exit $rc: $(cat "$work/gen.err")"
if diff -u "$src/docs/catalog.md" "$work/catalog.md" >"$work/diff"; then r=ok; else r=bad; fi
check "docs/catalog.md is up to date" "$r" "it differs from a fresh copy; regenerate it with
    build/evack list --traceability conformance/rules.tsv > docs/catalog.md
$(head -n 40 "$work/diff")"

# 2. Every case of the binary is in the catalog, under its own id.
"$evack" list | awk '{print $1}' >"$work/ids"
missing=$(while read -r id; do grep -qF "| \`$id\` |" "$work/catalog.md" || echo "$id"; done <"$work/ids")
[ -s "$work/ids" ] && [ -z "$missing" ] && r=ok || r=bad
check "every case of 'evack list' has a row" "$r" "missing: $missing"

# 3. The rule list covers every section of PROTOCOL.md and of the seed.
for s in 1 2 3 4 5 6; do
    grep -q "	PROTOCOL.md §$s	" "$src/conformance/rules.tsv" && r=ok || r=bad
    check "rules.tsv has rules of PROTOCOL.md §$s" "$r" "none"
done
for s in 'Message Flow' 'Message Structure' 'Connection Phases' 'Close Codes'; do
    grep -q "	seed, $s	" "$src/conformance/rules.tsv" && r=ok || r=bad
    check "rules.tsv has rules of the seed's $s" "$r" "none"
done

# 4. The generator's refusals: each exits 2 and names the line.
refuse() { # refuse NAME EXPECTED-TEXT RULE-LINE
    printf '# test\n%s\n' "$3" >"$work/bad.tsv"
    "$evack" list --traceability "$work/bad.tsv" >/dev/null 2>"$work/bad.err"
    rc=$?
    [ $rc -eq 2 ] && grep -q "bad.tsv:2: .*$2" "$work/bad.err" && r=ok || r=bad
    check "refused: $1" "$r" "exit $rc: $(cat "$work/bad.err")"
}
tab=$(printf '\t')
refuse "a case id that does not exist" "'frame.no-such-case', which is not a case id" \
    "x.rule${tab}PROTOCOL.md §2${tab}A rule.${tab}frame.binary, frame.no-such-case"
refuse "a gap without a note" "a gap needs a note" "x.rule${tab}PROTOCOL.md §2${tab}A rule."
refuse "too few fields" "2 fields" "x.rule${tab}PROTOCOL.md §2"
refuse "a case listed twice" "'frame.binary' is listed twice" \
    "x.rule${tab}PROTOCOL.md §2${tab}A rule.${tab}frame.binary,frame.binary"
printf 'x.rule\ts\tA rule.\tframe.binary\nx.rule\ts\tAgain.\tframe.ping\n' >"$work/dup.tsv"
"$evack" list --traceability "$work/dup.tsv" >/dev/null 2>"$work/dup.err"
rc=$?
[ $rc -eq 2 ] && grep -q "dup.tsv:2: rule 'x.rule' is listed twice" "$work/dup.err" && r=ok || r=bad
check "refused: a rule id listed twice" "$r" "exit $rc: $(cat "$work/dup.err")"

[ $fails -eq 0 ] && echo "all catalog checks passed" || echo "$fails check(s) failed"
[ $fails -eq 0 ]
