#!/usr/bin/env bash
# The public headers compile cleanly for every program that may include them: each header alone
# (it includes what it needs), under -Wall -Wextra -pedantic -Werror, in the language standard
# given (C99, C11, C++17). For C++ it also links a program that takes the address of every
# SYNACK_API function against the libraries: a header without its extern "C" guard would leave a
# C++-mangled name undefined.
# Usage: check_headers.sh COMPILER STD INCLUDE_DIR [LIB...]   (STD: c99, c11, c++17, ...)
set -u
cc=$1
std=$2
inc=$3
shift 3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
flags=(-std="$std" -Wall -Wextra -pedantic -Werror -I"$inc")
# C also gets the project's own warnings. Not C++'s -Wshadow: it flags a function named like the
# struct it fills (synack_tcp_info, as POSIX has stat), which is the C API's shape.
case $std in
    c++*) ext=cpp; lang=c++ ;;
    *) ext=c; lang=c; flags+=(-Wshadow -Wstrict-prototypes -Wmissing-prototypes) ;;
esac
fail=0
n=0
for h in "$inc"/synack/*.h; do
    name=synack/$(basename "$h")
    # Twice, for the include guard; then a declaration, as a header of macros only (errno.h) would
    # leave an empty translation unit, which -pedantic rejects.
    printf '#include <%s>\n#include <%s>\ntypedef int header_check_t;\n' "$name" "$name" >"$tmp/one.$ext"
    if ! out=$("$cc" -x "$lang" "${flags[@]}" -fsyntax-only "$tmp/one.$ext" 2>&1); then
        echo "FAIL $name does not compile alone as $std:"
        printf '%s\n' "$out" | head -20
        fail=1
    fi
    n=$((n + 1))
done
if [ "$lang" = c++ ] && [ $# -gt 0 ]; then
    fns=$(grep -h '^SYNACK_API' "$inc"/synack/*.h | grep -o 'synack_[a-z0-9_]*(' | sed 's/($//' | sort -u)
    {
        echo '#include <synack/synack.h>'
        echo '#include <synack/os.h>'
        echo 'typedef void (*any_fn)();'
        echo 'static const any_fn every_fn[] = {'
        for f in $fns; do echo "    reinterpret_cast<any_fn>(&$f),"; done
        echo '};'
        echo 'int main() { return every_fn[0] == nullptr; }'
    } >"$tmp/link.$ext"
    if ! out=$("$cc" -x "$lang" "${flags[@]}" "$tmp/link.$ext" -x none "$@" -o "$tmp/link" 2>&1); then
        echo "FAIL a C++ program cannot link every SYNACK_API function (extern \"C\" missing?):"
        printf '%s\n' "$out" | grep -v '^/usr/bin/ld: .*in function' | head -20
        fail=1
    elif ! "$tmp/link"; then
        echo "FAIL the C++ link probe did not run"
        fail=1
    else
        echo "headers: $(printf '%s\n' $fns | wc -l) SYNACK_API functions linked from C++"
    fi
fi
[ $fail -eq 0 ] && echo "headers: $n public headers compile alone as $std with -Wall -Wextra -pedantic -Werror"
exit $fail
