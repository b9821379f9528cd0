#!/usr/bin/env bash
# Every preset of the lab, run by lab_native (the lab's C layer built for this machine) with two
# seeds and a few of the learner's changes: each run ends with exit 0, draws the ladder, and gives
# the same transcript when run again (a run is a function of preset, seed and changes); a change
# changes the run. A bad preset or change is refused. With the synack binary given too, `synack
# demo --preset` prints the same transcript as lab_native (and so as the page) for every run.
# Usage: native_presets.sh LAB_NATIVE [SYNACK]
set -u
bin=$1
synack=${2:-}
fail=0
presets=$("$bin" --list | grep -o '"name":"[a-z-]*"' | cut -d'"' -f4)
[ "$(wc -w <<<"$presets")" -eq 15 ] || { echo "FAIL expected 15 presets, got: $presets"; exit 1; }
for p in $presets; do
    for seed in 1 42; do
        for spec in "" "f2:drop,f3:delay:50,a1300000:A:send:2000,a1400000:B:close"; do
            a=$("$bin" "$p" "$seed" "$spec") || { echo "FAIL $p seed $seed '$spec': exit $?"; fail=1; continue; }
            b=$("$bin" "$p" "$seed" "$spec")
            [ "$a" = "$b" ] || { echo "FAIL $p seed $seed '$spec': two runs differ"; fail=1; }
            if [ -n "$synack" ]; then
                d=$("$synack" demo --preset "$p" --seed "$seed" --changes "$spec") ||
                    { echo "FAIL synack demo --preset $p --seed $seed --changes '$spec': exit $?"; fail=1; }
                [ "$a" = "$d" ] || { echo "FAIL synack demo --preset $p --seed $seed --changes '$spec' differs from lab_native"; fail=1; }
            fi
            [ "$(grep -c '──' <<<"$a")" -ge 2 ] || { echo "FAIL $p seed $seed '$spec': no ladder"; fail=1; }
        done
        [ "$("$bin" "$p" "$seed")" != "$("$bin" "$p" "$seed" "f1:drop")" ] ||
            { echo "FAIL $p seed $seed: dropping the first frame changed nothing"; fail=1; }
    done
done
for bad in "nonsense" "f0:drop" "f1:explode" "a5:C:send:1" "a5:A:send" "f1:delay"; do
    if "$bin" handshake 1 "$bad" >/dev/null 2>&1; then echo "FAIL the change '$bad' was accepted"; fail=1; fi
done
if "$bin" no-such-preset >/dev/null 2>&1; then echo "FAIL an unknown preset was accepted"; fail=1; fi
if [ -n "$synack" ] && "$synack" demo --preset no-such-preset >/dev/null 2>&1; then
    echo "FAIL synack demo accepted an unknown preset"; fail=1
fi
[ $fail -eq 0 ] && echo "lab_native: 15 presets, deterministic, changes applied, bad input refused"
exit $fail
