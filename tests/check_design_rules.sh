#!/usr/bin/env bash
# Checks the rules of docs/ARCHITECTURE.md that a machine can check:
#  1. no clock, sleep or rand call in the core (src/ outside src/link/, where the drivers live);
#  2. apps/ and tools/ include only the public headers (never src/);
#  3. no mutable static (file-scope or function-scope) outside the drivers.
set -u
root=${1:-.}
cd "$root" || exit 2
fail=0

clock=$(grep -rnE '\b(clock_gettime|gettimeofday|usleep|nanosleep|sleep|srand|rand|random|time|getrandom)\s*\(' src \
          --include='*.c' --include='*.h' | grep -v '^src/link/' | grep -vE ':\s*(/\*|\*|//)')
if [ -n "$clock" ]; then echo "FAIL clock/sleep/rand in the core:"; echo "$clock"; fail=1; fi

up=$(grep -rnE '#include\s+"(\.\./)*(src/|core/|net/|tcp/|wire/|socket/|link/)' apps tools 2>/dev/null)
if [ -n "$up" ]; then echo "FAIL apps/ or tools/ include internal headers:"; echo "$up"; fail=1; fi

# A static that is not const, not a function, not inline: "static T name [= ...];"
statics=$(grep -rnE '^\s*static\s+' src --include='*.c' --include='*.h' | grep -v '^src/link/' \
          | grep -vE 'static\s+(inline\s+)?[^=;(]*\(' | grep -vE '\bconst\b' | grep -E ';|=')
if [ -n "$statics" ]; then echo "FAIL mutable statics outside the drivers:"; echo "$statics"; fail=1; fi

if [ $fail -eq 0 ]; then echo "design rules: ok"; fi
exit $fail
