#!/bin/sh
# Makes sure the Debian packages evack builds with are installed: installs
# them when running as root with apt-get, otherwise prints the one command
# to run and fails. Usage: ensure-deps.sh [build|fuzz|browser|test|package]
set -eu
what=${1:-build}
case $what in
build) pkgs="gcc make cmake pkg-config libwebsockets-dev libcjson-dev check"
       have() { command -v cmake >/dev/null && command -v cc >/dev/null &&
                command -v pkg-config >/dev/null &&
                pkg-config --exists libwebsockets libcjson check; } ;;
# zip/unzip: the OSS-Fuzz build test (ci/oss-fuzz/test-build.sh) packs and
# checks the seed corpora; dpkg-dev: apt-get source, for cJSON's source.
fuzz)  pkgs="clang libclang-rt-14-dev dpkg-dev zip unzip"
       have() { command -v clang >/dev/null && command -v clang++ >/dev/null &&
                command -v dpkg-source >/dev/null && command -v zip >/dev/null && command -v unzip >/dev/null &&
                [ -n "$(find /usr/lib/llvm-*/lib/clang -name 'libclang_rt.fuzzer-x86_64.a' 2>/dev/null | head -n 1)" ]; } ;;
browser) pkgs="chromium"
       have() { command -v chromium >/dev/null; } ;;
# procps: ps and pgrep, with which the tests look for stray processes;
# mandoc lints the man page; dpkg-dev, file and binutils build and inspect the .deb.
test)  pkgs="chromium python3 python3-yaml time valgrind openssl procps mandoc dpkg-dev file binutils"
       have() { command -v chromium >/dev/null && python3 -c "import yaml" 2>/dev/null && [ -x /usr/bin/time ] &&
                command -v valgrind >/dev/null && command -v openssl >/dev/null &&
                command -v ps >/dev/null && command -v pgrep >/dev/null &&
                command -v mandoc >/dev/null && command -v dpkg-shlibdeps >/dev/null && command -v file >/dev/null &&
                command -v strings >/dev/null; } ;;
# make package: CPack's DEB generator runs file(1) and dpkg-shlibdeps on the binary.
package) pkgs="dpkg-dev file"
       have() { command -v dpkg-deb >/dev/null && command -v dpkg-shlibdeps >/dev/null && command -v file >/dev/null; } ;;
*) echo "ensure-deps.sh: unknown set '$what' (build, fuzz, browser, test, package)" >&2; exit 2 ;;
esac

have && exit 0
cmd="apt-get install -y --no-install-recommends $pkgs"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "evack: installing $what dependencies: $pkgs" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
    have || { echo "evack: '$cmd' ran but the $what dependencies are still missing" >&2; exit 1; }
else
    echo "evack: missing $what dependencies; run: sudo $cmd" >&2
    exit 1
fi
