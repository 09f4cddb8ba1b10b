#!/bin/sh
# Runs ci/oss-fuzz/build.sh the way the OSS-Fuzz builder runs it (clang,
# the builder's CFLAGS, LIB_FUZZING_ENGINE, SRC, OUT, WORK), then checks what
# lands in $OUT: for every fuzz/fuzz_<name>.c an executable fuzzer that runs
# its own seed corpus cleanly, a seed corpus zip, a dictionary and options.
#
# Usage: test-build.sh SCRATCH_DIR [CJSON_CACHE_DIR]
# Exit: 0 passed, 1 failed, 77 skipped (no clang/libFuzzer/zip, or cJSON's
# source cannot be fetched), so ctest can report a skip. `scripts/ensure-deps.sh
# fuzz` installs every tool it needs; in CI (.ci/run) a skip is a failure.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:?usage: test-build.sh SCRATCH_DIR [CJSON_CACHE_DIR]}
cache=${2:-$dir/cjson-src}

skip() { echo "test-build: SKIP: $* (scripts/ensure-deps.sh fuzz installs the tools)"; exit 77; }
fail() { echo "test-build: FAIL: $*" >&2; exit 1; }
command -v clang >/dev/null && command -v clang++ >/dev/null || skip "no clang"
[ -n "$(find /usr/lib/llvm-*/lib/clang -name 'libclang_rt.fuzzer-x86_64.a' 2>/dev/null | head -n 1)" ] ||
    skip "no libFuzzer runtime (libclang-rt-14-dev)"
command -v zip >/dev/null && command -v unzip >/dev/null || skip "no zip/unzip"
command -v cmake >/dev/null || skip "no cmake"
rc=0
sh "$root/scripts/fetch-cjson-src.sh" "$cache" || rc=$?
[ "$rc" = 77 ] && skip "cJSON's source cannot be fetched"
[ "$rc" = 0 ] || fail "fetching cJSON's source"

rm -rf "$dir/src" "$dir/out" "$dir/work"
mkdir -p "$dir/src/cjson" "$dir/out" "$dir/work"
ln -s "$root" "$dir/src/evack"
cp "$cache/cJSON.c" "$cache/cJSON.h" "$dir/src/cjson/"

# What the OSS-Fuzz base-builder image sets for an ASan libFuzzer build.
flags="-O1 -fno-omit-frame-pointer -gline-tables-only -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION -fsanitize=address -fsanitize-address-use-after-scope -fsanitize=fuzzer-no-link"
env SRC="$dir/src" OUT="$dir/out" WORK="$dir/work" CC=clang CXX=clang++ \
    CFLAGS="$flags" CXXFLAGS="$flags" LIB_FUZZING_ENGINE=-fsanitize=fuzzer \
    SANITIZER=address FUZZING_ENGINE=libfuzzer ARCHITECTURE=x86_64 FUZZING_LANGUAGE=c \
    bash "$root/ci/oss-fuzz/build.sh" > "$dir/build.log" 2>&1 ||
    { tail -n 30 "$dir/build.log" >&2; fail "build.sh failed (log: $dir/build.log)"; }

n=0
for src in "$root"/fuzz/fuzz_*.c; do
    name=$(basename "${src%.c}")
    out="$dir/out/$name"
    [ -x "$out" ] || fail "$name: no executable in \$OUT"
    [ -s "$out.dict" ] || fail "$name: no dictionary"
    grep -q '^\[libfuzzer\]' "$out.options" && grep -q "^dict = $name.dict\$" "$out.options" ||
        fail "$name: options do not name the dictionary"
    seeds=$(unzip -Z1 "${out}_seed_corpus.zip" 2>/dev/null | wc -l) || true
    [ "$seeds" -gt 0 ] || fail "$name: empty or missing seed corpus zip"
    rm -rf "$dir/work/seeds"
    mkdir -p "$dir/work/seeds"
    unzip -q "${out}_seed_corpus.zip" -d "$dir/work/seeds"
    # It is a working fuzzer: it replays its seeds and fuzzs a little, cleanly.
    "$out" -runs=0 -artifact_prefix="$dir/work/" "$dir/work/seeds" > "$dir/work/$name.log" 2>&1 ||
        { tail -n 20 "$dir/work/$name.log" >&2; fail "$name: its own seed corpus crashes it"; }
    "$out" -runs=2000 -seed=1 "-dict=$out.dict" -artifact_prefix="$dir/work/" > "$dir/work/$name.log" 2>&1 ||
        { tail -n 20 "$dir/work/$name.log" >&2; fail "$name: crashed in 2000 runs"; }
    echo "test-build: $name: binary, $seeds seeds, dict, options: ok"
    n=$((n + 1))
done
[ "$n" -gt 0 ] || fail "no fuzz targets found"
echo "test-build: $n targets built the OSS-Fuzz way"
