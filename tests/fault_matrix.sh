#!/bin/sh
# The fault matrix: the suite must pass the reference peer and catch every
# injected fault of conformance/faults.tsv.
#
#   fault_matrix.sh EVACK TABLE [server|client]
#
# For the role, it runs the whole suite against the fault-free reference peer
# under seed, latest and strict, and as each variant of variants.tsv beside
# TABLE (correct behaviours of other peers: late, random or batched Acks,
# other duplicate-key readings, ...; EVK_MATRIX_VARIANTS names another table)
# under the row's profiles (zero failures allowed: a failure there is a false
# positive), then against the peer with each fault of TABLE under each of its
# profiles, and again with lazy acking on top (EVK_MATRIX_LAZY=0 leaves that
# out): a fault is caught only when a listed case fails for the problem the
# row names (report.json's problems), not because the peer broke some other
# way. Rows run in parallel (EVK_MATRIX_JOBS, default 4) with a short ack
# limit (EVK_MATRIX_ACK seconds, default 0.5: the deadline tolerance is
# max(150 ms, 10%), so a much shorter limit could not tell "at half the
# limit" from "on time"). Rows about the HTTP upgrade run with a bearer token,
# which serialises connections; the others run their cases concurrently. It
# also fails on a judged case that no fault of TABLE (either role) targets.
# Exit 0 only with every fault caught for its reason, no false positive and
# no untargeted case.
# EVK_MATRIX_SCOPE (the sanitizer build's setting: there the matrix checks
# the memory of evack and the reference, not the verdicts the plain build
# already proves): all (the default), once (each variant and fault under its
# first profile only, no lazy rows) or kinds (the reference under seed, no
# variants, and the first fault of each problem kind under its first
# profile: one fault row per path of the judge).
set -u

if [ "${1:-}" = "--row" ]; then
    # One row: --row EVACK WORK ID ROLE FAULT PROFILE CASES PROBLEMS [EXTRA]
    # (PROBLEMS: what a listed case must fail for, '|' between alternatives;
    # EXTRA: more options for the peer, e.g. lazy acking on top of a fault)
    evack=$2 work=$3 id=$4 role=$5 fault=$6 profile=$7 cases=$8 problems=$9
    shift 9
    more=$(echo "${1:-}" | tr '+' ' ')
    ack=${EVK_MATRIX_ACK:-0.5} token=evack-matrix-token
    out=$work/$id.out
    . "$(dirname "$0")/check.sh"
    # "variant:NAME": the correct peer with the options of that variant.
    extra=$more variant="" server_problem=""
    case "$fault" in
    variant:*)
        variant=${fault#variant:}
        fault=none
        extra=$(awk -F'\t' -v n="$variant" '!/^#/ && $1 == n { print $4 }' "$EVK_MATRIX_VARIANTS")
        ;;
    esac
    # A fault row runs its listed cases only: the catch is judged on them,
    # and every case is checked for false positives by the fault-free rows
    # (the reference and each variant run the whole suite).
    only=""
    [ "$fault" != none ] && only="--cases $cases"
    if [ "$role" = server ]; then
        pf=$work/$id.port
        # Only the upgrade rows need the token (it allows one connection at a time).
        upgrade=false
        case "$cases" in upgrade.*) upgrade=true ;; esac
        set -- ref server --port 0 --port-file "$pf" --ack-timeout "$ack" --profile "$profile" $extra
        $upgrade && set -- "$@" --token "$token"
        [ "$fault" != none ] && set -- "$@" --fault "$fault"
        # The server must end with exit 0 when we stop it (SIGTERM), except
        # where its fault kills it on purpose: stated here, one by one.
        case $fault in
        crash-on-deep-nesting | crash-on-duplicate-key | crash-on-lone-surrogate) death=ABRT ;; # abort(), by design
        *) death=0 ;;
        esac
        bg_start server "$death" "$work/$id.server.log" "$evack" "$@"
        wait_file "$pf" 10
        if [ ! -s "$pf" ]; then
            bg_end server TERM
            echo "$id error $fault $profile reference server did not start: $(evk_status_text "$bg_status"): $(tail -n 1 "$work/$id.server.log")"
            exit 0
        fi
        set -- "ws://127.0.0.1:$(cat "$pf")/" --profile "$profile" --color never --report "$work/$id.report" $only
        $upgrade && set -- "$@" --cases 'upgrade.*' --header "Authorization: Bearer $token"
        "$evack" "$@" >"$out" 2>&1
        rc=$?
        bg_end server TERM || server_problem=$bg_problem
    else
        client="$evack ref client {url} --profile $profile $extra"
        [ "$fault" != none ] && client="$client --fault $fault"
        # A client process per case, several rows at once: under ASan 40
        # clients starting together took more than the default 5 s to
        # connect (the matrix judges the protocol, not start-up time).
        "$evack" --client "$client" --profile "$profile" --ack-timeout "$ack" --color never --report "$work/$id.report" \
            --connect-timeout 20 $only >"$out" 2>&1
        rc=$?
    fi
    failed=$(sed -nE 's/^\[ *[0-9]+\/[0-9]+\] FAIL +([^ ]+).*/\1/p' "$out" | tr '\n' ' ')
    if [ -n "$server_problem" ]; then
        # Its details (log tail, sanitizer report) for the summary below.
        echo "$server_problem" >"$work/$id.problem"
        echo "$id error ${variant:-$fault} $profile the reference server: $(echo "$server_problem" | head -n 1)"
    elif [ "$fault" = none ]; then
        as=${variant:+ as variant $variant}
        if [ $rc -eq 0 ]; then echo "$id ok: the reference passes$as ($profile, cases $cases)"
        else # the first failure's own line, so a CI log shows why
            why=$(grep -m1 -E '^\[ *[0-9]+/[0-9]+\] FAIL' "$out" | sed -E 's/^\[[^]]*\] FAIL +[^ ]+ +//' | cut -c1-300)
            echo "$id false-positive ${variant:-$fault} $profile rc=$rc failed: $failed(first: $why)"
        fi
    elif [ $rc -eq 2 ] || [ $rc -gt 2 ]; then
        echo "$id error $fault $profile evack exited $rc: $(tail -n 1 "$out")"
    else
        # Caught only for the right reason: a listed case failed with one of
        # the listed problems (report.json's "problems" of that case).
        hit=$(python3 - "$work/$id.report/report.json" "$cases" "$problems" <<'PY'
import json, sys
want = set(sys.argv[3].split("|"))
listed = set(sys.argv[2].split(","))
try:
    cases = json.load(open(sys.argv[1]))["cases"]
except (OSError, ValueError):
    cases = []
for c in cases:
    if c["id"] in listed and c["verdict"] == "fail":
        got = set(c.get("problems", []))
        print(c["id"] + (":" + "+".join(sorted(got & want)) if got & want else ":other:" + "+".join(sorted(got))))
PY
)
        right=$(echo "$hit" | grep -v ':other:' | tr '\n' ' ' | sed 's/ $//')
        wrong=$(echo "$hit" | grep ':other:' | tr '\n' ' ' | sed 's/ $//')
        as=${more:+ with $more}
        if [ -n "$right" ]; then echo "$id caught $fault $profile$as by $right"
        elif [ -n "$wrong" ]; then echo "$id wrong-reason $fault $profile$as listed: $cases for $problems; failed for: $wrong"
        else echo "$id survived $fault $profile$as listed: $cases; failed instead: ${failed:-nothing}"; fi
    fi
    echo "$failed" | tr ' ' '\n' | sed '/^$/d' >"$work/$id.failed"
    exit 0
fi

evack=${1:?usage: fault_matrix.sh EVACK TABLE [server|client]}
table=${2:?usage: fault_matrix.sh EVACK TABLE [server|client]}
role=${3:-server}
jobs=${EVK_MATRIX_JOBS:-4}
EVK_MATRIX_VARIANTS=${EVK_MATRIX_VARIANTS:-$(dirname "$table")/variants.tsv}
export EVK_MATRIX_VARIANTS
work=$(mktemp -d "${TMPDIR:-/tmp}/evk-matrix.XXXXXX")
. "$(dirname "$0")/check.sh"
if [ -n "${EVK_MATRIX_KEEP:-}" ]; then at_exit 'cp -r "$work" "$EVK_MATRIX_KEEP"; rm -rf "$work"'; else at_exit 'rm -rf "$work"'; fi
trap 'exit 130' INT TERM
san_watch "$work"
start=$(date +%s)

# The rows: the reference peer twice, as each variant (once per profile),
# then every fault of this role under each of its profiles, and again with
# lazy acking on top (EVK_MATRIX_LAZY, default on: a fault must be caught
# whatever the peer's Ack timing; "l" rows).
lazy_opts=${EVK_MATRIX_LAZY_OPTS:---ack-delay-random+200}
lazy=${EVK_MATRIX_LAZY:-1} nprof=0 kinds=0 scope="each fault under each of its profiles, and with lazy acking on top"
case ${EVK_MATRIX_SCOPE:-all} in
all) ;;
once) lazy=0 nprof=1 scope="scope once: each variant and fault under its first profile, no lazy rows; the plain build runs them all" ;;
kinds) lazy=0 nprof=1 kinds=1 scope="scope kinds: the reference under seed, no variants, the first fault of each problem kind under its first profile; the plain build runs them all" ;;
*) echo "fault_matrix.sh: EVK_MATRIX_SCOPE must be all, once or kinds, not '$EVK_MATRIX_SCOPE'" >&2; exit 2 ;;
esac
[ "$lazy" = 0 ] && [ "$nprof" = 0 ] && scope="each fault under each of its profiles, no lazy rows"
{
    echo "ref-seed none seed all - -"
    if [ "$kinds" = 0 ]; then
        echo "ref-strict none strict all - -"
        echo "ref-latest none latest all - -"
    fi
    [ "$role" = server ] && echo "ref-token none seed upgrade.* - -"
    if [ -f "$EVK_MATRIX_VARIANTS" ] && [ "$kinds" = 0 ]; then
        awk -F'\t' -v role="$role" -v nprof="$nprof" '!/^#/ && NF >= 4 && index("," $2 ",", "," role ",") {
            n = split($3, prof, ",")
            if (nprof > 0 && n > nprof) n = nprof
            for (i = 1; i <= n; i++) printf "v-%s-%s variant:%s %s all - -\n", $1, prof[i], $1, prof[i] }' \
            "$EVK_MATRIX_VARIANTS"
    fi
    awk -F'\t' -v role="$role" -v lazy="$lazy" -v nprof="$nprof" -v kinds="$kinds" -v lopts="$lazy_opts" '
        !/^#/ && NF >= 5 && $2 == role {
            if (kinds && seen[$5]++) next
            n = split($3, prof, ",")
            if (nprof > 0 && n > nprof) n = nprof
            for (i = 1; i <= n; i++) {
                sfx = i > 1 ? "-" prof[i] : ""
                printf "f%03d%s %s %s %s %s -\n", NR, sfx, $1, prof[i], $4, $5
                # Lazy acking on top.
                if (lazy != "0")
                    printf "l%03d%s %s %s %s %s %s\n", NR, sfx, $1, prof[i], $4, $5, lopts
            }
        }' "$table"
} >"$work/rows"
nfaults=$(grep -c '^[fl]' "$work/rows")
if [ "$nfaults" -eq 0 ]; then
    echo "fault matrix: no $role faults in $table" >&2
    exit 1
fi
nvariants=$(grep -c '^v-' "$work/rows")
echo "fault matrix ($role): the reference under $(sed -n 's/^ref-\([a-z]*\) .*/\1/p' "$work/rows" | grep -v token | tr '\n' ' ' | sed 's/ $//'), $nvariants variant runs, then $nfaults fault runs ($scope), $jobs at a time, ack limit ${EVK_MATRIX_ACK:-0.5} s"

while read -r id fault profile cases problems more; do
    [ "$more" = - ] && more=""
    printf '%s\n' "$id" "$role" "$fault" "$profile" "$cases" "$problems" "$more"
done <"$work/rows" | xargs -d '\n' -n 7 -P "$jobs" sh "$0" --row "$evack" "$work" >"$work/results"

sort "$work/results" >"$work/sorted"
caught=$(grep -c ' caught ' "$work/sorted")
grep -E ' (survived|wrong-reason|false-positive|error) ' "$work/sorted" | sed 's/^[^ ]* /  /'
for p in "$work"/*.problem; do [ -f "$p" ] && sed 's/^/    /' "$p"; done
grep ' ok ' "$work/sorted" | sed 's/^[^ ]* /  /'

# Coverage: cases that some fault made fail in this run, and (static, both
# roles) every judged case some fault of the table targets: a judged case no
# fault targets could fail nobody, so it fails the matrix (informational cases
# excepted: their choice is never judged).
cat "$work"/f*.failed 2>/dev/null | sort -u >"$work/covered"
"$evack" list --role "$role" --ids >"$work/all"
echo "cases that failed against some fault: $(grep -cxF -f "$work/all" "$work/covered") of $(wc -l <"$work/all")"
awk -F'\t' '!/^#/ && NF >= 4 { n = split($4, c, ","); for (i = 1; i <= n; i++) print c[i] }' "$table" | sort -u >"$work/targeted"
"$evack" list --informational >"$work/info"
"$evack" list --ids | grep -vxF -f "$work/targeted" | grep -vxF -f "$work/info" >"$work/untargeted"
untargeted=0
if [ -s "$work/untargeted" ]; then
    untargeted=$(wc -l <"$work/untargeted")
    echo "judged cases no fault of $table targets (in either role): $(tr '\n' ' ' <"$work/untargeted")"
fi

bad=$(grep -cE ' (survived|wrong-reason|false-positive|error) ' "$work/sorted")
bad=$((bad + untargeted))
echo "faults caught for the right reason $caught/$nfaults ($(grep -c ' wrong-reason ' "$work/sorted") for another reason); $(grep -c ' false-positive ' "$work/sorted") false positive(s); $(($(date +%s) - start)) s"
[ "$bad" -eq 0 ]
