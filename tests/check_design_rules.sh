#!/usr/bin/env bash
# Checks the rules of docs/ARCHITECTURE.md that a machine can check:
#  1. no clock, sleep or random call in the core (src/ outside the OS library, src/os/);
#  2. apps/ and tools/ include only the public headers (never src/);
#  3. no mutable static (file-scope or function-scope) outside the OS library;
#  4. the layer order and no circle between folders (check_layers.py, with its list of known
#     violations, layering_known_violations.txt);
#  5. memory from the stack's allocator: the default one (mem_*(NULL, ...)) only in src/link/.
# Usage: check_design_rules.sh [ROOT]. check_design_rules_selftest.sh shows that each rule can fail.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=${1:-.}
cd "$root" || exit 2
fail=0

# The OS part: the only code that may read the clock, sleep, draw OS randomness or keep statics.
os_part='^src/os/'

clock=$(grep -rnE '\b(clock_gettime|gettimeofday|usleep|nanosleep|sleep|srand|rand|random|time|getrandom)\s*\(' src \
          --include='*.c' --include='*.h' | grep -vE "$os_part" | grep -vE ':\s*(/\*|\*|//)')
if [ -n "$clock" ]; then echo "FAIL clock/sleep/rand in the core:"; echo "$clock"; fail=1; fi

# Any folder of src/ named in an include ("tcp/...", "src/...", "../src/...").
dirs=$(cd src && ls -d */ 2>/dev/null | tr -d / | paste -sd'|')
up=$(grep -rnE "#include\s+\"(\.\./)*(src/|(${dirs:-core})/)" apps tools 2>/dev/null)
if [ -n "$up" ]; then echo "FAIL apps/ or tools/ include internal headers:"; echo "$up"; fail=1; fi

# A static that is not const, not a function, not inline: "static T name [= ...];"
statics=$(grep -rnE '^\s*static\s+' src --include='*.c' --include='*.h' | grep -vE "$os_part" \
          | grep -vE 'static\s+(inline\s+)?[^=;(]*\(' | grep -vE '\bconst\b' | grep -E ';|=')
if [ -n "$statics" ]; then echo "FAIL mutable statics outside the drivers:"; echo "$statics"; fail=1; fi

# Memory comes from the stack's allocator (synack_config.alloc): the default one (a NULL allocator)
# only for what belongs to no stack, the simulated link and network (src/link/).
defalloc=$(grep -rnE '\bmem_(alloc|calloc|realloc|free)\(\s*NULL' src --include='*.c' --include='*.h' \
             | grep -vE "$os_part|^src/link/")
if [ -n "$defalloc" ]; then echo "FAIL the default allocator used where a stack's is at hand:"; echo "$defalloc"; fail=1; fi

if ! python3 "$here/check_layers.py" . --known "$here/layering_known_violations.txt"; then
    fail=1
fi

if [ $fail -eq 0 ]; then echo "design rules: ok"; fi
exit $fail
