#!/bin/sh
# Puts cJSON's own source (cJSON.c, cJSON.h) into DEST, for the fuzz builds:
# linked against Debian's binary libcjson the fuzzer is blind inside cJSON,
# so the fuzz build compiles cJSON.c with the fuzzer's instrumentation.
# The source comes from Debian's source package (the same version as the
# installed libcjson-dev); it is fetched at build time, never committed.
#
# Usage: fetch-cjson-src.sh DEST
# Result: DEST/cJSON.c, DEST/cJSON.h, DEST/include/cjson/cJSON.h (so that
# `#include <cjson/cJSON.h>` finds this copy first), DEST/VERSION.
# Exit status: 0 done (or already there), 77 the source cannot be fetched
# (no network, not root, no apt), 1 anything else.
set -eu
dest=${1:?usage: fetch-cjson-src.sh DEST}
[ -f "$dest/cJSON.c" ] && [ -f "$dest/include/cjson/cJSON.h" ] && exit 0

cant() { echo "fetch-cjson-src: $*" >&2; exit 77; }
command -v apt-get >/dev/null || cant "no apt-get: put cJSON.c and cJSON.h into $dest by hand"

# `apt-get source` needs dpkg-source (dpkg-dev) and a deb-src line.
have_src() {
    grep -rqsE '^[[:space:]]*(deb-src[[:space:]]|Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/
}
if ! command -v dpkg-source >/dev/null || ! have_src; then
    [ "$(id -u)" = 0 ] || cant "needs root once: install dpkg-dev and add a deb-src line, or run as root"
    export DEBIAN_FRONTEND=noninteractive
    if ! have_src; then
        # Same mirrors and suites as the binary entries.
        list=/etc/apt/sources.list.d/evack-deb-src.sources
        if [ -f /etc/apt/sources.list.d/debian.sources ]; then
            sed -n 's/^Types:.*deb.*$/Types: deb-src/p; /^URIs:/p; /^Suites:/p; /^Components:/p; /^Signed-By:/p; /^$/p' \
                /etc/apt/sources.list.d/debian.sources > "$list.tmp"
        elif [ -f /etc/apt/sources.list ]; then
            list=/etc/apt/sources.list.d/evack-deb-src.list
            sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' /etc/apt/sources.list > "$list.tmp"
        else
            cant "no Debian sources list found to derive a deb-src line from"
        fi
        echo >> "$list.tmp"
        mv "$list.tmp" "$list"
        echo "fetch-cjson-src: added $list" >&2
    fi
    apt-get update -qq >/dev/null 2>&1 || cant "apt-get update failed (offline?)"
    if ! command -v dpkg-source >/dev/null; then
        apt-get install -y -qq --no-install-recommends dpkg-dev >/dev/null 2>&1 ||
            cant "cannot install dpkg-dev"
    fi
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cjson-src.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# The installed binary package's version, so the fuzzed code is what we ship with.
ver=$(dpkg-query -W -f '${Version}' libcjson-dev 2>/dev/null || true)
spec=cjson${ver:+=$ver}
if ! (cd "$tmp" && apt-get source -qq "$spec" >/dev/null 2>&1) &&
   ! (cd "$tmp" && apt-get source -qq cjson >/dev/null 2>&1); then
    # A stale package list is the usual cause: refresh once and retry.
    [ "$(id -u)" = 0 ] && apt-get update -qq >/dev/null 2>&1 || true
    (cd "$tmp" && apt-get source -qq cjson >/dev/null 2>&1) || cant "apt-get source cjson failed (offline?)"
fi
src=$(find "$tmp" -mindepth 2 -maxdepth 2 -name cJSON.c | head -n 1)
[ -n "$src" ] || { echo "fetch-cjson-src: no cJSON.c in the source package" >&2; exit 1; }
srcdir=$(dirname "$src")

mkdir -p "$dest/include/cjson"
cp "$srcdir/cJSON.c" "$srcdir/cJSON.h" "$dest/"
cp "$srcdir/cJSON.h" "$dest/include/cjson/cJSON.h"
[ -f "$srcdir/fuzzing/json.dict" ] && cp "$srcdir/fuzzing/json.dict" "$dest/json.dict"
basename "$srcdir" > "$dest/VERSION"
echo "fetch-cjson-src: $(cat "$dest/VERSION") -> $dest" >&2
