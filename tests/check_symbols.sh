#!/usr/bin/env bash
# Fails if a public static library defines a global symbol outside the synack_ namespace: internal
# names (tcp_input, buf_alloc, ...) must be local so a program can link synack beside another stack.
# With --dynamic it reads a shared library's dynamic symbol table (nm -D): what a program linked
# against libsynack.so can see (unit/exports).
# Usage: check_symbols.sh [--dynamic] NM LIB...
set -u
nm_opts=(-g --defined-only)
if [ "${1:-}" = --dynamic ]; then
    nm_opts=(-D --defined-only)
    shift
fi
nm_tool=$1
shift
fail=0
for lib in "$@"; do
    if ! syms=$("$nm_tool" "${nm_opts[@]}" "$lib"); then
        echo "FAIL cannot read $lib"; fail=1; continue
    fi
    # Lines are "address type name"; archive member headers and blank lines have no type.
    bad=$(printf '%s\n' "$syms" | awk 'NF == 3 && $3 !~ /^synack_/ { print $3 }')
    n=$(printf '%s\n' "$syms" | awk 'NF == 3' | wc -l)
    echo "$lib: $n global symbols"
    if [ "$n" -eq 0 ]; then echo "FAIL $lib defines no global symbol"; fail=1; fi
    if [ -n "$bad" ]; then
        echo "FAIL $lib exports $(printf '%s\n' "$bad" | wc -l) names without the synack_ prefix:"
        printf '%s\n' "$bad" | head -50
        fail=1
    fi
done
if [ $fail -eq 0 ]; then echo "symbols: only synack_* names are global in $*"; fi
exit $fail
