#!/usr/bin/env bash
# Installs synack from a build into an empty temporary prefix and uses it as a stranger would:
# checks the files a C library installs (headers, static and shared libraries with their SONAME,
# pkg-config files, the CMake package, the command and its man pages), builds every example in
# examples/ with pkg-config only (C and C++; shared, and one static), and with find_package(synack),
# and runs those that need no root (sim_pair, socketpair, cpp_udp), checking what they print.
# Usage: check_install.sh BUILD_DIR SOURCE_DIR
set -u
build=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
fail=0
bad() { echo "FAIL $*"; fail=1; }

if ! cmake --install "$build" --prefix "$prefix" >"$tmp/install.log" 2>&1; then
    cat "$tmp/install.log"
    bad "cmake --install failed"
    exit 1
fi
libdir=$(dirname "$(find "$prefix" -name synack.pc -path '*pkgconfig*' | head -1)")/..
libdir=$(cd "$libdir" 2>/dev/null && pwd) || { bad "no synack.pc installed"; exit 1; }
export PKG_CONFIG_PATH=$libdir/pkgconfig
export LD_LIBRARY_PATH=$libdir

# The files.
for h in "$src"/include/synack/*.h; do
    [ -f "$prefix/include/synack/$(basename "$h")" ] || bad "header $(basename "$h") not installed"
done
for lib in synack synack_os; do
    [ -f "$libdir/lib$lib.a" ] || bad "lib$lib.a not installed"
    [ -L "$libdir/lib$lib.so" ] || bad "lib$lib.so (the link for -l$lib) not installed"
    soname=$(readelf -d "$libdir/lib$lib.so" 2>/dev/null | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
    case $soname in
        lib$lib.so.[0-9]*) [ -e "$libdir/$soname" ] || bad "$soname (the SONAME's file) not installed" ;;
        *) bad "lib$lib.so has no versioned SONAME ('$soname')" ;;
    esac
done
for f in cmake/synack/synackConfig.cmake cmake/synack/synackConfigVersion.cmake cmake/synack/synackTargets.cmake; do
    [ -f "$libdir/$f" ] || bad "$f not installed"
done
[ -x "$prefix/bin/synack" ] || bad "bin/synack not installed"
for m in man1/synack.1 man3/synack.3; do
    page=$prefix/share/man/$m
    if [ ! -f "$page" ]; then
        bad "$m not installed"
    elif command -v groff >/dev/null; then
        warn=$(LC_ALL=C groff -man -Tutf8 -ww -z "$page" 2>&1)
        [ -z "$warn" ] || bad "$m: groff warns: $warn"
    fi
done

# One version everywhere: the command, the pkg-config files, the header.
version=$(pkg-config --modversion synack) || bad "pkg-config does not find synack"
[ "$(pkg-config --modversion synack-os)" = "$version" ] || bad "synack-os.pc's version differs from synack.pc's"
[ "$("$prefix/bin/synack" --version)" = "synack $version" ] || bad "synack --version does not print 'synack $version'"
grep -q "#define SYNACK_VERSION_MAJOR ${version%%.*}\$" "$prefix/include/synack/version.h" ||
    bad "version.h's major version differs from $version"
pkg-config --libs synack-os | grep -q -- '-lsynack_os .*-lsynack' || bad "synack-os does not bring in synack"

# The examples with pkg-config only, strict warnings, C and C++.
cp -r "$src/examples" "$tmp/ex"
flags='-O1 -Wall -Wextra -Werror -pedantic'
if ! make -s -C "$tmp/ex" CFLAGS="$flags -std=c11" CXXFLAGS="$flags" >"$tmp/make.log" 2>&1; then
    cat "$tmp/make.log"
    bad "the examples do not build against the installed package"
fi
# run NAME EXPECTED_PATTERN: runs an example that needs no root, checks its output.
run() {
    local out
    if ! out=$(cd "$tmp/ex" && timeout 20 "./$1" 2>&1); then
        bad "example $1 failed: $out"
    elif ! grep -qE "$2" <<<"$out"; then
        bad "example $1 printed '$out', not /$2/"
    else
        echo "example $1: $out" | head -3
    fi
}
run sim_pair '^B accepted 1 and read 8 bytes: hello, B$'
run socketpair '^A sent 100000 bytes over the socket pair and read 100000 back, 100000 matching; closed$'
run cpp_udp "^3 answers; synack $version\$"
for p in sim_pair socketpair tap_echo cpp_udp; do
    readelf -d "$tmp/ex/$p" 2>/dev/null | grep -q 'NEEDED.*libsynack' || bad "$p is not linked with the shared library"
done

# Static: the same program with the archives, needing no libsynack.so at run time.
make -s -C "$tmp/ex" clean >/dev/null
if ! make -s -C "$tmp/ex" STATIC=1 CFLAGS="$flags" CXXFLAGS="$flags" sim_pair tap_echo >"$tmp/make.log" 2>&1; then
    cat "$tmp/make.log"
    bad "the examples do not link statically"
else
    readelf -d "$tmp/ex/sim_pair" | grep -q 'NEEDED.*libsynack' && bad "STATIC=1 sim_pair still needs libsynack.so"
    LD_LIBRARY_PATH= run sim_pair '^B accepted 1 and read 8 bytes: hello, B$'
fi

# find_package(synack) with the imported targets.
if ! { cmake -S "$tmp/ex" -B "$tmp/ex-cmake" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release &&
       cmake --build "$tmp/ex-cmake"; } >"$tmp/cmake.log" 2>&1; then
    cat "$tmp/cmake.log"
    bad "the examples do not build with find_package(synack)"
elif ! "$tmp/ex-cmake/cpp_udp" | grep -q '^3 answers'; then
    bad "cpp_udp built with CMake does not run"
fi

[ $fail -eq 0 ] && echo "install: $prefix holds a working synack $version (pkg-config, CMake, static and shared)"
exit $fail
