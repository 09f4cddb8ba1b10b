#!/bin/sh
# The fault matrix: the suite must pass the reference peer and catch every
# injected fault of conformance/faults.tsv.
#
#   fault_matrix.sh EVACK TABLE [server|client]
#
# For the role, it runs the whole suite against the fault-free reference peer
# under seed and strict, and as each variant of variants.tsv beside TABLE
# (correct behaviours of other peers: late, random or batched Acks, other
# duplicate-key readings, ...; EVK_MATRIX_VARIANTS names another table)
# under the row's profiles (zero failures allowed: a failure there is a false
# positive), then against the peer with each fault of TABLE under the row's
# profile (at least one listed case must fail, else the fault survived).
# Rows run in parallel (EVK_MATRIX_JOBS, default 4) with a short ack limit
# (EVK_MATRIX_ACK seconds, default 0.5: the deadline tolerance is
# max(150 ms, 10%), so a much shorter limit could not tell "at half the limit"
# from "on time"). Rows about the HTTP upgrade run with a bearer token, which
# serialises connections; the others run their cases concurrently. It also reports the cases that no
# fault made fail. Exit 0 only with every fault caught and no false positive.
set -u

if [ "${1:-}" = "--row" ]; then
    # One row: --row EVACK WORK ID ROLE FAULT PROFILE CASES
    evack=$2 work=$3 id=$4 role=$5 fault=$6 profile=$7 cases=$8
    ack=${EVK_MATRIX_ACK:-0.5} token=evack-matrix-token
    out=$work/$id.out
    . "$(dirname "$0")/check.sh"
    # "variant:NAME": the correct peer with the options of that variant.
    extra="" variant="" server_problem=""
    case "$fault" in
    variant:*)
        variant=${fault#variant:}
        fault=none
        extra=$(awk -F'\t' -v n="$variant" '!/^#/ && $1 == n { print $4 }' "$EVK_MATRIX_VARIANTS")
        ;;
    esac
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
        i=0
        while [ ! -s "$pf" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
        if [ ! -s "$pf" ]; then
            bg_end server TERM
            echo "$id error $fault $profile reference server did not start: $(evk_status_text "$bg_status"): $(tail -n 1 "$work/$id.server.log")"
            exit 0
        fi
        set -- "ws://127.0.0.1:$(cat "$pf")/" --profile "$profile" --color never --report "$work/$id.report"
        $upgrade && set -- "$@" --cases 'upgrade.*' --header "Authorization: Bearer $token"
        "$evack" "$@" >"$out" 2>&1
        rc=$?
        bg_end server TERM || server_problem=$bg_problem
    else
        client="$evack ref client {url} --profile $profile $extra"
        [ "$fault" != none ] && client="$client --fault $fault"
        "$evack" --client "$client" --profile "$profile" --ack-timeout "$ack" --color never --report "$work/$id.report" \
            >"$out" 2>&1
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
        else echo "$id false-positive ${variant:-$fault} $profile rc=$rc failed: $failed"; fi
    elif [ $rc -eq 2 ] || [ $rc -gt 2 ]; then
        echo "$id error $fault $profile evack exited $rc: $(tail -n 1 "$out")"
    else
        hit=""
        for c in $(echo "$cases" | tr ',' ' '); do
            case " $failed " in *" $c "*) hit="$hit $c" ;; esac
        done
        if [ -n "$hit" ]; then echo "$id caught $fault $profile by$hit"
        else echo "$id survived $fault $profile listed: $cases; failed instead: ${failed:-nothing}"; fi
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
# then every fault of this role.
{
    echo "ref-seed none seed all"
    echo "ref-strict none strict all"
    [ "$role" = server ] && echo "ref-token none seed upgrade.*"
    if [ -f "$EVK_MATRIX_VARIANTS" ]; then
        awk -F'\t' -v role="$role" '!/^#/ && NF >= 4 && index("," $2 ",", "," role ",") {
            n = split($3, prof, ",")
            for (i = 1; i <= n; i++) printf "v-%s-%s variant:%s %s all\n", $1, prof[i], $1, prof[i] }' \
            "$EVK_MATRIX_VARIANTS"
    fi
    awk -F'\t' -v role="$role" '!/^#/ && NF >= 4 && $2 == role { printf "f%03d %s %s %s\n", NR, $1, $3, $4 }' "$table"
} >"$work/rows"
nfaults=$(grep -c '^f' "$work/rows")
if [ "$nfaults" -eq 0 ]; then
    echo "fault matrix: no $role faults in $table" >&2
    exit 1
fi
nvariants=$(grep -c '^v-' "$work/rows")
echo "fault matrix ($role): the reference under seed and strict, $nvariants variant runs, then $nfaults faults, $jobs at a time, ack limit ${EVK_MATRIX_ACK:-0.5} s"

while read -r id fault profile cases; do
    printf '%s\n' "$id" "$role" "$fault" "$profile" "$cases"
done <"$work/rows" | xargs -n 5 -P "$jobs" sh "$0" --row "$evack" "$work" >"$work/results"

sort "$work/results" >"$work/sorted"
caught=$(grep -c ' caught ' "$work/sorted")
grep -E ' (survived|false-positive|error) ' "$work/sorted" | sed 's/^[^ ]* /  /'
for p in "$work"/*.problem; do [ -f "$p" ] && sed 's/^/    /' "$p"; done
grep ' ok ' "$work/sorted" | sed 's/^[^ ]* /  /'

# Coverage: cases that some fault made fail (informational ones never can).
cat "$work"/f*.failed 2>/dev/null | sort -u >"$work/covered"
"$evack" list --role "$role" | awk '{print $1}' >"$work/all"
uncovered=$(grep -vxF -f "$work/covered" "$work/all" | grep -vE '^(json\.duplicate-key|schema\.sent_at-lenient)$' | tr '\n' ' ')
echo "cases that failed against some fault: $(wc -l <"$work/covered") of $(wc -l <"$work/all")"
[ -n "$uncovered" ] && echo "cases no fault made fail: $uncovered"

bad=$(grep -cE ' (survived|false-positive|error) ' "$work/sorted")
echo "faults caught $caught/$nfaults; $(grep -c ' false-positive ' "$work/sorted") false positive(s); $(($(date +%s) - start)) s"
[ "$bad" -eq 0 ]
