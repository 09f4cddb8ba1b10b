#!/bin/bash -eu
# OSS-Fuzz / ClusterFuzzLite build script for evack (docs/fuzzing.md).
#
# Follows the builder's conventions: compiles with $CC $CFLAGS (the builder
# puts the sanitizer and -fsanitize=fuzzer-no-link there), links with
# $CXX $CXXFLAGS $LIB_FUZZING_ENGINE, and writes into $OUT, for every
# target <name> of fuzz/targets.txt: the binary fuzz_<name>,
# fuzz_<name>_seed_corpus.zip (corpus/<name>/ and fuzz/regressions/<name>/),
# fuzz_<name>.dict and fuzz_<name>.options.
# Expects this repository in $SRC/evack and cJSON's source (cJSON.c,
# cJSON.h) in $SRC/cjson: the Dockerfile clones it. cJSON is compiled from
# source with the same flags so that the fuzzer sees inside it.
EVK=${EVK_SRC:-$SRC/evack}
CJSON=${CJSON_SRC:-$SRC/cjson}
build=${WORK:-/tmp}/evack-build
cflags="$CFLAGS -std=c11 -D_GNU_SOURCE -I$build/include -I$EVK/harness/core -I$EVK/fuzz"

rm -rf "$build"
mkdir -p "$build/include/cjson"
cp "$CJSON/cJSON.h" "$build/include/cjson/cJSON.h"

# The shipped profiles, compiled in (the same generator CMake uses).
cmake -DOUT="$build/evk_profiles_builtin.c" -DDIR="$EVK/conformance/profiles" \
      -P "$EVK/cmake/embed.cmake"

# The core, cJSON, and the fuzz helpers (every fuzz/*.c that is neither a
# target nor the replay driver).
objs=()
for src in "$EVK"/harness/core/*.c "$build/evk_profiles_builtin.c"; do
    obj="$build/core_$(basename "${src%.c}").o"
    $CC $cflags -c "$src" -o "$obj"
    objs+=("$obj")
done
$CC $CFLAGS -w -c "$CJSON/cJSON.c" -o "$build/cJSON.o"
objs+=("$build/cJSON.o")
for src in "$EVK"/fuzz/*.c; do
    case $(basename "$src") in fuzz_*.c|replay_main.c) continue ;; esac
    obj="$build/helper_$(basename "${src%.c}").o"
    # Oracles give no coverage feedback (fuzz/oracles.ignorelist says why).
    $CC $cflags -fsanitize-coverage-ignorelist="$EVK/fuzz/oracles.ignorelist" -c "$src" -o "$obj"
    objs+=("$obj")
done

# Longest input worth generating, per target.
max_len() {
    case $1 in profile) echo 8192 ;; uuid|iso8601) echo 128 ;; *) echo 4096 ;; esac
}

# The targets: fuzz/targets.txt, the list every build reads.
targets=$(sed '/^#/d' "$EVK/fuzz/targets.txt")
for short in $targets; do
    name=fuzz_$short
    src=$EVK/fuzz/$name.c
    $CC $cflags -c "$src" -o "$build/$name.o"
    $CXX $CXXFLAGS "$build/$name.o" "${objs[@]}" $LIB_FUZZING_ENGINE -lm -lpthread -o "$OUT/$name"

    zip_out="$OUT/${name}_seed_corpus.zip"
    rm -f "$zip_out"
    (cd "$EVK/corpus/$short" && zip -q -r "$zip_out" . -x '.*')
    if [ -d "$EVK/fuzz/regressions/$short" ] && [ -n "$(ls "$EVK/fuzz/regressions/$short")" ]; then
        (cd "$EVK/fuzz/regressions/$short" && zip -q -r "$zip_out" . -x '.*')
    fi
    cp "$EVK/corpus/$short.dict" "$OUT/$name.dict"
    printf '[libfuzzer]\ndict = %s.dict\nmax_len = %s\n' "$name" "$(max_len "$short")" > "$OUT/$name.options"
done
