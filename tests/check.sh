# Sourced by the end-to-end test scripts (tests/*.sh): one way to record a
# check, to run a process in the background, and to catch sanitizer reports.
#
#   check NAME ok|bad DETAIL   prints "ok   NAME" or "FAIL NAME: DETAIL"
#                              and counts failures in $fails; a script ends
#                              with [ $fails -eq 0 ].
#   skip REASON                the test cannot run here: prints why, exit 77
#                              (ctest's SKIP_RETURN_CODE; .ci/run fails a
#                              skip unless it is on its allow-list)
#   at_exit 'COMMAND'          run COMMAND when the script exits (this file
#                              owns the EXIT trap: use this, not trap ... EXIT),
#                              after the checks below
#   before_exit 'COMMAND'      the same, before them (e.g. stop a supervisor
#                              before its server is stopped)
#
# Background processes: every one is waited for and its exit status checked.
#   bg_start NAME EXPECT LOG CMD...   start CMD (a command or a shell function)
#            in the background, stdout and stderr to LOG; sets $bg_pid.
#            EXPECT lists the statuses it may end with, comma-separated:
#            numbers (0, 130) and signal names for a death the test causes or
#            allows on purpose (ABRT: an injected crash; TERM: our SIGTERM to
#            a process known not to handle it). NAME: letters, digits, _.
#   bg_stop NAME [SIG]  send SIG (default TERM), wait (at most $EVK_BG_STOP_S
#            seconds, default 30, then SIGKILL and fail), check the status
#   bg_wait NAME        wait for it to end on its own, check the status
#   bg_end NAME [SIG]   the same without printing: sets $bg_status and
#            $bg_problem (empty when all is as expected), returns 0 if so
# "Checking" a status prints a check line: an unexpected status, a death by
# a signal nobody expected, or a sanitizer report in the process's log or
# sanitizer log file fails the test. Processes still running when the script
# exits are stopped with SIGTERM and checked the same way.
#
# Sanitizers (make test-asan): every process started under this script (its
# children and theirs, e.g. the clients `evack --client` starts) exits with
# status $EVK_SAN_EXIT (86) on an ASan, UBSan or LSan report, and writes
# ASan/LSan reports into a directory this file watches: any report there
# fails the test at exit, with the report printed. UBSan prints to stderr:
# `san_watch DIR` makes the exit check grep DIR's files (the outputs the
# script captured, the reports' transcripts) for sanitizer reports too.
# (An abort() is not a report: an injected crash stays an expected ABRT.)
fails=0
check() {
    if [ "$2" = ok ]; then echo "ok   $1"; else echo "FAIL $1: $3"; fails=$((fails + 1)); fi
}
skip() {
    echo "SKIP: $*"
    [ "${CI:-}" = true ] && echo "SKIP in CI (CI=true): .ci/run fails it unless the test is on its allow-list"
    exit 77
}

EVK_SAN_EXIT=86
EVK_SAN_PATTERN='ERROR: (AddressSanitizer|LeakSanitizer)|[^ ]+:[0-9]+:[0-9]+: runtime error: |SUMMARY: (Address|Leak|UndefinedBehavior)Sanitizer'
# One directory for the whole tree of processes: a nested script (a child
# sourcing this file again) reports into its parent's directory.
if [ -n "${EVK_SAN_DIR:-}" ] && [ -d "$EVK_SAN_DIR" ]; then
    evk_san_owner=false
else
    EVK_SAN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/evk-san.XXXXXX")
    export EVK_SAN_DIR
    evk_san_owner=true
    # A caller's own options come last and win.
    export ASAN_OPTIONS="exitcode=$EVK_SAN_EXIT:log_path=$EVK_SAN_DIR/asan${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
    export UBSAN_OPTIONS="exitcode=$EVK_SAN_EXIT:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
fi
evk_san_watched=""
san_watch() { evk_san_watched="$evk_san_watched $*"; }

evk_at_exit="" evk_before_exit=""
at_exit() { evk_at_exit="$evk_at_exit
$1"; }
before_exit() { evk_before_exit="$evk_before_exit
$1"; }

# wait_file FILE SECONDS: until FILE is not empty (a server's port file), at
# most SECONDS; the caller's next step fails on its own if it never came.
wait_file() {
    _wf_i=0
    while [ ! -s "$1" ] && [ $_wf_i -lt $(($2 * 20)) ]; do sleep 0.05; _wf_i=$((_wf_i + 1)); done
}

# --- background processes ------------------------------------------------
evk_bg_names=""
bg_start() {
    case $1 in '' | *[!A-Za-z0-9_]*) echo "bg_start: bad name '$1'" >&2; exit 2 ;; esac
    _bgn=$1 _bge=$2 _bgl=$3
    shift 3
    "$@" >"$_bgl" 2>&1 &
    bg_pid=$!
    eval "evk_bg_pid_$_bgn=\$bg_pid evk_bg_exp_$_bgn=\$_bge evk_bg_log_$_bgn=\$_bgl"
    evk_bg_names="$evk_bg_names $_bgn"
}

# describe STATUS: "exit N", "killed by SIGX", "a sanitizer report (exit 86)"
evk_status_text() {
    if [ "$1" -eq "$EVK_SAN_EXIT" ]; then echo "exit $1 (a sanitizer report)"
    elif [ "$1" -gt 128 ]; then echo "killed by SIG$(kill -l "$1" 2>/dev/null || echo "?") (status $1)"
    else echo "exit $1"; fi
}

# evk_expected STATUS EXPECT: is STATUS one of EXPECT's numbers or signals?
evk_expected() {
    _sname=""
    [ "$1" -gt 128 ] && _sname=$(kill -l "$1" 2>/dev/null)
    for _tok in $(echo "$2" | tr ',' ' '); do
        [ "$_tok" = "$1" ] && return 0
        [ -n "$_sname" ] && { [ "$_tok" = "$_sname" ] || [ "$_tok" = "SIG$_sname" ]; } && return 0
    done
    return 1
}

# The sanitizer report of process PID (its log file) or in LOG, if any.
evk_san_report() { # PID LOG
    for _f in "$EVK_SAN_DIR"/*."$1"; do
        # (reported here: moved aside, so the exit check does not repeat it)
        [ -f "$_f" ] && { echo "$_f:"; head -n 30 "$_f"; mkdir -p "$EVK_SAN_DIR/seen"; mv "$_f" "$EVK_SAN_DIR/seen/"; return 0; }
    done
    [ -f "$2" ] && grep -Eq "$EVK_SAN_PATTERN" "$2" && { grep -E -A 12 "$EVK_SAN_PATTERN" "$2" | head -n 30; return 0; }
    return 1
}

bg_end() {
    _bgn=$1 _sig=${2:-}
    eval "_bgp=\${evk_bg_pid_$_bgn:-} _bge=\${evk_bg_exp_$_bgn:-} _bgl=\${evk_bg_log_$_bgn:-}"
    bg_status="" bg_problem=""
    if [ -z "$_bgp" ]; then bg_problem="no background process named $_bgn"; return 1; fi
    _late=""
    if [ -n "$_sig" ]; then
        kill -"$_sig" "$_bgp" 2>/dev/null
        _i=0 _lim=$((${EVK_BG_STOP_S:-30} * 20))
        while kill -0 "$_bgp" 2>/dev/null && [ $_i -lt $_lim ]; do sleep 0.05; _i=$((_i + 1)); done
        if kill -0 "$_bgp" 2>/dev/null; then
            kill -KILL "$_bgp" 2>/dev/null
            _late="still running ${EVK_BG_STOP_S:-30} s after SIG$_sig (killed); "
        fi
    fi
    wait "$_bgp"
    bg_status=$?
    eval "evk_bg_pid_$_bgn="
    evk_bg_names=$(echo "$evk_bg_names" | tr ' ' '\n' | grep -vx "$_bgn" | tr '\n' ' ')
    _san=$(evk_san_report "$_bgp" "$_bgl") || _san=""
    if [ -n "$_late" ] || [ -n "$_san" ] || ! evk_expected "$bg_status" "$_bge"; then
        bg_problem="$_late$(evk_status_text "$bg_status"), expected $_bge"
        [ -n "$_san" ] && bg_problem="$bg_problem; a sanitizer report:
$(echo "$_san" | sed 's/^/    /')"
        [ -z "$_san" ] && [ -s "$_bgl" ] && bg_problem="$bg_problem; its log ($_bgl) ends:
$(tail -n 8 "$_bgl" | sed 's/^/    /')"
        return 1
    fi
    return 0
}

# bg_stop NAME [SIG] / bg_wait NAME: bg_end, then one check line.
bg_stop() {
    _what="background $1, stopped by SIG${2:-TERM}"
    if bg_end "$1" "${2:-TERM}"; then check "$_what: $(evk_status_text "$bg_status")" ok
    else check "$_what" bad "$bg_problem"; fi
}
bg_wait() {
    _what="background $1, ended on its own"
    if bg_end "$1"; then check "$_what: $(evk_status_text "$bg_status")" ok
    else check "$_what" bad "$bg_problem"; fi
}

# --- at exit: stop what is left, look for sanitizer reports ---------------
evk_exit() {
    _rc=$?
    _before=$fails
    eval "$evk_before_exit"
    for _n in $evk_bg_names; do bg_stop "$_n" TERM; done
    if $evk_san_owner; then
        _reports=$(find "$EVK_SAN_DIR" -maxdepth 1 -type f 2>/dev/null | sort)
        if [ -n "$_reports" ]; then
            check "no sanitizer report from any process this test started" bad \
                "$(echo "$_reports" | wc -l) report(s) (the first 3 below):
$(for _f in $(echo "$_reports" | head -n 3); do echo "  $_f:"; head -n 30 "$_f" | sed 's/^/    /'; done)"
        fi
        rm -rf "$EVK_SAN_DIR"
    fi
    for _d in $evk_san_watched; do
        [ -e "$_d" ] || continue
        _hits=$(grep -rlE "$EVK_SAN_PATTERN" "$_d" 2>/dev/null | head -n 5)
        if [ -n "$_hits" ]; then
            check "no sanitizer report in the outputs under $_d" bad \
                "$(for _f in $_hits; do echo "  $_f:"; grep -E -m 3 "$EVK_SAN_PATTERN" "$_f" | cut -c1-300 | sed 's/^/    /'; done)"
        fi
    done
    eval "$evk_at_exit"
    [ $_rc -eq 0 ] && [ $fails -gt $_before ] && _rc=1
    exit $_rc
}
trap evk_exit EXIT
