#!/bin/sh
# The Makefiles' defaults, read from dry runs (make -n runs nothing): a bare
# `make` builds evack only (no fuzz build, no clang); fuzz-live runs 60s and
# fuzz-overnight 8h unless DURATION= says otherwise; every fuzz build takes
# its targets from fuzz/targets.txt, which names every fuzz/fuzz_*.c.
#   make_defaults.sh SOURCE_DIR
set -u
src=${1:?usage: make_defaults.sh SOURCE_DIR}
command -v make >/dev/null || { echo "SKIP: no make"; exit 77; }
. "$(dirname "$0")/check.sh"
# Nothing from an enclosing make (ctest run by `make test`) or the caller's
# environment may change the defaults under test.
unset MAKEFLAGS MFLAGS MAKELEVEL GNUMAKEFLAGS MAKEFILES DURATION FUZZ_TARGETS TARGET
dry() { make -s --no-print-directory -C "$src" -n "$@" 2>&1; }

out=$(dry)
case $out in *"cmake --build"*) r=ok ;; *) r=bad ;; esac
check "make builds evack" "$r" "$out"
case $out in *clang* | *fuzz*) r=bad ;; *) r=ok ;; esac
check "make does not build the fuzz targets or install clang" "$r" "$out"

out=$(dry fuzz-live TARGET=ws://127.0.0.1:9/)
case $out in *"--duration '60s'"*) r=ok ;; *) r=bad ;; esac
check "make fuzz-live runs 60s" "$r" "$out"
out=$(dry fuzz-live TARGET=ws://127.0.0.1:9/ DURATION=5m)
case $out in *"--duration '5m'"*) r=ok ;; *) r=bad ;; esac
check "make fuzz-live DURATION=5m runs 5m" "$r" "$out"

out=$(dry fuzz-overnight)
case $out in *"run.sh overnight "*" 8h "*) r=ok ;; *) r=bad ;; esac
check "make fuzz-overnight runs 8h" "$r" "$out"
out=$(dry fuzz-overnight DURATION=90m)
case $out in *"run.sh overnight "*" 90m "*) r=ok ;; *) r=bad ;; esac
check "make fuzz-overnight DURATION=90m runs 90m" "$r" "$out"

# The one list of fuzz targets.
list=$(sed '/^#/d' "$src/fuzz/targets.txt" | tr -s ' \n' '  ' | sed 's/^ //; s/ $//')
files=$(for f in "$src"/fuzz/fuzz_*.c; do t=${f##*/fuzz_}; echo "${t%.c}"; done | sort | tr '\n' ' ' | sed 's/ $//')
sorted=$(echo "$list" | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')
[ -n "$list" ] && [ "$sorted" = "$files" ] && r=ok || r=bad
check "fuzz/targets.txt names every fuzz/fuzz_*.c" "$r" "list '$sorted', files '$files'"
out=$(dry fuzz)
case $out in *"run.sh short "*" $list") r=ok ;; *) r=bad ;; esac
check "make fuzz runs the targets of fuzz/targets.txt" "$r" "$out"
out=$(dry fuzz FUZZ_TARGETS=uuid)
case $out in *"--target fuzz_uuid"*"run.sh short "*" uuid") r=ok ;; *) r=bad ;; esac
check "make fuzz FUZZ_TARGETS=uuid runs only uuid" "$r" "$out"

[ $fails -eq 0 ] && echo "all make checks passed" || echo "$fails check(s) failed"
[ $fails -eq 0 ]
