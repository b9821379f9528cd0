#!/usr/bin/env bash
# Self-test of the design-rule check: on a copy of the tree, the check must pass as it is and fail
# on each injected break of a rule (an upward include, a circle between folders, a clock call in
# the core, a stale line in the list of known violations). Usage: check_design_rules_selftest.sh ROOT
set -u
root=$(cd "${1:-.}" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0

fresh() {
    rm -rf "$work/t"
    mkdir -p "$work/t/tests"
    cp -r "$root/src" "$root/apps" "$root/tools" "$root/include" "$work/t/"
    cp "$root/tests/check_design_rules.sh" "$root/tests/check_layers.py" \
       "$root/tests/layering_known_violations.txt" "$work/t/tests/"
}

# expect NAME WANT PATTERN: runs the copy's check; WANT is pass or fail; on fail its output must
# match PATTERN (so it fails for the injected reason, not another).
expect() {
    local name=$1 want=$2 pattern=${3:-} out rc
    out=$(bash "$work/t/tests/check_design_rules.sh" "$work/t" 2>&1)
    rc=$?
    if [ "$want" = pass ] && [ $rc -ne 0 ]; then
        echo "SELFTEST FAIL ($name): the check fails on the unchanged tree:"; echo "$out"; fail=1
    elif [ "$want" = fail ] && [ $rc -eq 0 ]; then
        echo "SELFTEST FAIL ($name): the check passed"; echo "$out"; fail=1
    elif [ "$want" = fail ] && ! grep -qE -- "$pattern" <<<"$out"; then
        echo "SELFTEST FAIL ($name): the check failed, but not with /$pattern/:"; echo "$out"; fail=1
    else
        echo "ok: $name"
    fi
}

fresh
expect "unchanged tree" pass

fresh
sed -i '0,/#include/s//#include "tcp\/tcp.h"\n#include/' "$work/t/src/wire/csum.c"
expect "wire includes tcp/tcp.h" fail 'src/wire/csum.c -> tcp/tcp.h: wire includes the higher layer tcp'

fresh
mkdir -p "$work/t/src/udp"
printf '#include "tcp/tcp.h"\n' >"$work/t/src/udp/udp_probe.c"
expect "udp includes tcp beside it" fail 'udp includes tcp, which sits beside it'

fresh
printf '#include "../dns/name.h"\n' >>"$work/t/apps/http/http_url.c"
printf '#include "../http/http_url.h"\n' >>"$work/t/apps/dns/name.c"
expect "circle apps/http <-> apps/dns" fail 'circle between folders: apps/(dns|http) -> apps/(dns|http) -> apps/'

fresh
printf 'unsigned long long core_probe_now(void);\nunsigned long long core_probe_now(void) { return (unsigned long long)time(0); }\n' \
    >>"$work/t/src/core/buf.c"
expect "clock call in src/core" fail 'clock/sleep/rand in the core'

fresh
printf 'void core_probe_sleep(void);\nvoid core_probe_sleep(void) { usleep(10); }\n' >>"$work/t/src/link/simlink.c"
expect "sleep in the simulated link" fail 'clock/sleep/rand in the core'

fresh
sed -i 's/mem_alloc(m->alloc, cap)/mem_alloc(NULL, cap)/' "$work/t/src/tcp/tcp_buf.c"
expect "default allocator in TCP" fail 'default allocator used where a stack'

fresh
printf '#include "tcp/tcp.h"\n' >>"$work/t/tools/ss.c"
expect "tools include src/" fail 'include internal headers'

# A known violation that is gone: the first listed one's include removed from its file.
fresh
line=$(grep -vE '^\s*(#|$)' "$work/t/tests/layering_known_violations.txt" | head -1)
if [ -n "$line" ]; then
    file=${line%% -> *}
    inc=${line##* -> }
    grep -vF "#include \"$inc\"" "$work/t/$file" >"$work/x" && cp "$work/x" "$work/t/$file"
    expect "stale known violation" fail 'no longer there'
fi

fresh
mkdir -p "$work/t/src/extra"
expect "folder outside the layer order" fail 'src/extra/ has no place in the layer order'

exit $fail
