#!/usr/bin/env bash
# Runs every libFuzzer target in BUILD_DIR for SECONDS each, starting from its seed corpus in
# tests/fuzz/corpus/NAME (copied to a scratch dir so runs never write into the tree). Prints
# execs/s and total execs per target; fails if any target finds a crash, leak or timeout.
set -euo pipefail
build=${1:?usage: run.sh BUILD_DIR SECONDS}
secs=${2:-20}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
for bin in "$build"/tests/fuzz/fuzz_*; do
  [ -x "$bin" ] || continue
  name=$(basename "$bin")
  mkdir -p "$work/$name"
  [ -d "$here/corpus/$name" ] && cp -r "$here/corpus/$name/." "$work/$name/"
  if ! "$bin" -max_total_time="$secs" -print_final_stats=1 -artifact_prefix="$work/" \
        -rss_limit_mb=2048 -timeout=10 "$work/$name" >"$work/$name.log" 2>&1; then
    echo "FAIL $name"; tail -50 "$work/$name.log"; status=1; continue
  fi
  execs=$(grep -m1 'stat::number_of_executed_units' "$work/$name.log" | awk '{print $2}')
  rate=$(grep -m1 'stat::average_exec_per_sec' "$work/$name.log" | awk '{print $2}')
  echo "ok   $name: ${execs:-?} execs in ${secs}s (${rate:-?} execs/s)"
done
exit $status
