#!/usr/bin/env bash
# Compiles every core source as a freestanding program: no C library or OS header reachable, only
# the compiler's own (stdint.h, stddef.h, stdbool.h, limits.h, stdarg.h, ...) and the project's
# include directories. Fails if any file needs anything else: the core must build for a target
# with nothing but a C compiler, memcpy & co. and an allocator.
# Usage: check_freestanding.sh CC SOURCE_DIR FILE...
set -u
cc=$1
root=$2
shift 2
if [ $# -eq 0 ]; then echo "FAIL no files to check"; exit 1; fi
inc=$("$cc" -print-file-name=include)
if [ ! -f "$inc/stddef.h" ]; then echo "FAIL $cc has no freestanding headers in $inc"; exit 1; fi
out=$("$cc" -std=gnu11 -ffreestanding -nostdinc -isystem "$inc" -I "$root/include" -I "$root/src" \
      -DSYNACK_BUILDING=1 -Wall -Wextra -Werror -Wno-unused-parameter -fsyntax-only "$@" 2>&1)
rc=$?
if [ $rc -ne 0 ]; then
    echo "FAIL core sources that do not build freestanding:"
    printf '%s\n' "$out" | grep -E '^[^ ]+:[0-9]+:[0-9]+: (fatal )?error' | awk '!seen[$0]++' | head -40
    exit 1
fi
echo "freestanding: $# core files build with no C library or OS header"
