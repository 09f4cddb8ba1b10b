#!/bin/sh
# evack installed the two ways a user installs it, into scratch directories
# only (the system is never touched):
#   install.sh destdir SOURCE_DIR BUILD_DIR VERSION
#       make install PREFIX=/opt/evk DESTDIR=scratch, exactly as a user types it
#   install.sh package SOURCE_DIR BUILD_DIR VERSION
#       make package, then dpkg-deb -x of the package into a scratch root
# Either way: exactly bin/evack and share/man/man1/evack.1 (no test, fuzz or
# bench program, no static library), the page is docs/evack.1, and the
# installed binary prints its version and runs the suite from an unrelated
# directory (the profiles are compiled in; no path of the source or build
# tree is left in the binary).
set -u
mode=${1:?usage: install.sh destdir|package SOURCE_DIR BUILD_DIR VERSION}
src=${2:?usage: install.sh destdir|package SOURCE_DIR BUILD_DIR VERSION}
bld=${3:?usage: install.sh destdir|package SOURCE_DIR BUILD_DIR VERSION}
version=${4:?usage: install.sh destdir|package SOURCE_DIR BUILD_DIR VERSION}
work=$(mktemp -d "${TMPDIR:-/tmp}/evk-install.XXXXXX")
trap 'rm -rf "$work"' EXIT
. "$(dirname "$0")/check.sh"
root="$work/root"
elsewhere="$work/elsewhere" # the directory the installed binary runs in
mkdir -p "$root" "$elsewhere"

case $mode in
destdir)
    prefix=/opt/evk
    make -C "$src" --no-print-directory install BUILD="$bld" JOBS=2 PREFIX="$prefix" DESTDIR="$root" \
        >"$work/make.out" 2>&1
    rc=$?
    [ $rc -eq 0 ] && r=ok || r=bad
    check "make install PREFIX=$prefix DESTDIR=scratch" "$r" "exit $rc: $(tail -n 5 "$work/make.out")"
    ;;
package)
    prefix=/usr
    make -C "$src" --no-print-directory package BUILD="$bld" JOBS=2 >"$work/make.out" 2>&1
    rc=$?
    # shellcheck disable=SC2012 # the name is evack_<version>_<arch>.deb
    deb=$(ls "$bld"/evack_"$version"_*.deb 2>/dev/null | head -n 1)
    [ $rc -eq 0 ] && [ -n "$deb" ] && r=ok || r=bad
    check "make package writes evack_${version}_<arch>.deb" "$r" "exit $rc: $(tail -n 5 "$work/make.out")"
    [ -n "$deb" ] || { echo "no package: $fails check(s) failed"; exit 1; }
    field() { dpkg-deb -f "$deb" "$1" 2>&1; }
    [ "$(field Package)" = evack ] && [ "$(field Version)" = "$version" ] && r=ok || r=bad
    check "Package: evack, Version: $version" "$r" "$(dpkg-deb -f "$deb" Package Version 2>&1)"
    depends=$(field Depends)
    echo "$depends" | grep -q 'libwebsockets' && echo "$depends" | grep -q 'libcjson' && r=ok || r=bad
    check "Depends names the runtime libraries ($depends)" "$r" "$depends"
    [ -n "$(field Maintainer)" ] && [ -n "$(field Description)" ] && r=ok || r=bad
    check "Maintainer and Description are set" "$r" "$(dpkg-deb -I "$deb" 2>&1)"
    dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {print $NF}' | sed 's|^\./||' | sort >"$work/contents"
    dpkg-deb -x "$deb" "$root" 2>"$work/x.err"
    rc=$?
    [ $rc -eq 0 ] && r=ok || r=bad
    check "dpkg-deb -x into a scratch root" "$r" "exit $rc: $(cat "$work/x.err")"
    ;;
*) echo "install.sh: unknown mode '$mode'" >&2; exit 2 ;;
esac

# Exactly the binary and the page, nothing else.
p=${prefix#/}
printf '%s\n' "$p/bin/evack" "$p/share/man/man1/evack.1" | sort >"$work/expected"
(cd "$root" && find . ! -type d | sed 's|^\./||' | sort) >"$work/installed"
cmp -s "$work/expected" "$work/installed" && r=ok || r=bad
check "installed: exactly $p/bin/evack and $p/share/man/man1/evack.1" "$r" "$(cat "$work/installed")"
if [ "$mode" = package ]; then
    cmp -s "$work/expected" "$work/contents" && r=ok || r=bad
    check "dpkg-deb -c lists the same two files" "$r" "$(cat "$work/contents")"
fi
cmp -s "$src/docs/evack.1" "$root/$p/share/man/man1/evack.1" && r=ok || r=bad
check "the installed page is docs/evack.1" "$r" "$(ls -l "$root/$p/share/man/man1" 2>&1)"

# The installed binary, run from a directory unrelated to the source tree.
bin="$root/$p/bin/evack"
out=$(cd "$elsewhere" && "$bin" --version 2>&1)
rc=$?
[ $rc -eq 0 ] && [ "$out" = "evack $version" ] && r=ok || r=bad
check "installed evack --version: evack $version" "$r" "exit $rc: $out"
(cd "$elsewhere" && "$bin" --profile strict --cases 'handshake.*,frame.binary' --report rep --color never) \
    >"$work/run.out" 2>&1
rc=$?
[ $rc -eq 0 ] && [ -s "$elsewhere/rep/report.json" ] && [ -s "$elsewhere/rep/junit.xml" ] && r=ok || r=bad
check "installed evack runs the suite (strict, compiled in) from elsewhere" "$r" "exit $rc: $(tail -n 3 "$work/run.out")"
# No path of the source or build tree in the code (debug info stripped first).
strip -o "$work/stripped" "$bin" 2>"$work/strip.err" && r=ok || r=bad
check "strip the installed binary (a copy)" "$r" "$(cat "$work/strip.err")"
leaks=$(strings "$work/stripped" | grep -F -e "$src" -e "$bld" | head -n 3)
[ -z "$leaks" ] && r=ok || r=bad
check "no source or build path in the binary" "$r" "$leaks"

[ $fails -eq 0 ] && echo "all $mode checks passed" || echo "$fails check(s) failed"
[ $fails -eq 0 ]
