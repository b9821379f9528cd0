#!/usr/bin/env bash
# Every number option of every `synack` command refuses what is not a number in its range, in one
# line: the options are read from each command's --help (an option whose value is written N, MS,
# S, SECS or P), so a number option added later is checked too. Each gets values strtoul/strtod
# would let through (negative, blank-led, overflowing, nan, empty, junk) and must exit 2 with
# "synack CMD: bad OPT 'VALUE'..." as its only line; a good value must not be refused by the
# parser. Needs no root: options are parsed before any device is opened.
set -uo pipefail
SYNACK=${1:?usage: check_number_options.sh /path/to/synack}
fails=0 checked=0
for cmd in demo serve nc get resolve ladder; do
    opts=$("$SYNACK" "$cmd" --help | grep -oE -- '(^|[ ,])(--[a-z-]+|-[a-zA-Z]) (N|MS|S|SECS|P)\b' |
        awk '{ print $(NF-1) }' | sort -u)
    [[ -n "$opts" ]] || { echo "FAIL: synack $cmd --help lists no number option"; fails=$((fails + 1)); }
    for opt in $opts; do
        for val in -5 -0.5 ' 1' 99999999999999999999999 nan inf 1x ''; do
            out=$("$SYNACK" "$cmd" "$opt" "$val" 2>&1 >/dev/null)
            rc=$?
            checked=$((checked + 1))
            if ((rc != 2)) || [[ $(printf '%s\n' "$out" | wc -l) != 1 ]] ||
                [[ "$out" != "synack $cmd: bad $opt '$val'"* ]]; then
                echo "FAIL: synack $cmd $opt '$val': exit $rc, said: $out"
                fails=$((fails + 1))
            fi
        done
        # A good value passes the parser (1, 1500 or 0.5 is in every range): a later error is about
        # something else.
        ok=0
        for val in 1 1500 0.5; do
            out=$("$SYNACK" "$cmd" "$opt" "$val" 2>&1 >/dev/null)
            [[ "$out" == *"bad $opt"* ]] || ok=1
        done
        ((ok)) || { echo "FAIL: synack $cmd $opt: none of 1, 1500, 0.5 accepted"; fails=$((fails + 1)); }
    done
done
echo "number options: $checked bad values tried, $fails failures"
((checked > 100 && fails == 0))
