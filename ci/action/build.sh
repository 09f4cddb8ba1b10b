#!/bin/sh
# The GitHub Action's first step (action.yml): installs evack's build
# dependencies (scripts/ensure-deps.sh build; with sudo when not root) and
# builds evack from the action's own checkout. Writes evack=PATH to
# $GITHUB_OUTPUT for the steps after it.
#   sh ci/action/build.sh        [EVACK_BUILD_DIR: where to build; default build-action/]
# Exit status: 0 built; non-zero when the dependencies or the build failed.
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
bld=${EVACK_BUILD_DIR:-$src/build-action}
deps="$src/scripts/ensure-deps.sh"

# ensure-deps installs with apt-get as root and only checks otherwise.
if [ "$(id -u)" = 0 ]; then
    sh "$deps" build
elif sh "$deps" build 2>/dev/null; then
    : # everything is installed already
elif command -v sudo >/dev/null 2>&1; then
    sudo -n sh "$deps" build
else
    sh "$deps" build # prints the one apt-get command to run, and fails
fi

# A user's compiler may warn where evack's own CI does not: warnings are not
# errors here. Only the evack program is built (no tests, fuzzers, benches).
cmake -S "$src" -B "$bld" -DCMAKE_BUILD_TYPE=Release -DEVK_WERROR=OFF >/dev/null
cmake --build "$bld" --target evack -j "$(nproc 2>/dev/null || echo 2)"
evack="$bld/evack"
"$evack" --version
if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "evack=$evack" >>"$GITHUB_OUTPUT"; fi
