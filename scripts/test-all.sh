#!/usr/bin/env bash
# Builds everything and runs every test tier, as `make test` (the README's test command) does:
#  1. a plain build (gcc, -Werror): unit, script, sim and interop tests;
#  2. an ASan+UBSan build (clang): the same tests again under the sanitizers;
#  3. a clang libFuzzer build: each fuzz target runs briefly (FUZZ_SECONDS, default 20).
# Interop tests need root (network namespaces, TAP/TUN); without root they report "skipped".
# The last line sums up every ctest run: "synack: N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=$(nproc)
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
LOGDIR=$(mktemp -d)
trap 'rm -rf "$LOGDIR"' EXIT
passed=0
failed=0
status=0

step() { printf '\n=== %s ===\n' "$*"; }

# run_ctest NAME BUILD_DIR: runs every test of a build; tallies its result line.
run_ctest() {
    local name=$1 dir=$2 log="$LOGDIR/$1.log" rc=0
    ctest --test-dir "$dir" --output-on-failure -j "$JOBS" 2>&1 | tee "$log" || rc=$?
    local line total nfail
    line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1 || true)
    total=$(sed -nE 's/.*out of ([0-9]+).*/\1/p' <<<"$line")
    nfail=$(sed -nE 's/.* ([0-9]+) tests? failed out of.*/\1/p' <<<"$line")
    if [[ -z "$total" ]]; then
        echo "test-all: ctest ($name) printed no result line" >&2
        failed=$((failed + 1))
        status=1
        return
    fi
    passed=$((passed + total - nfail))
    failed=$((failed + nfail))
    ((rc == 0 && nfail == 0)) || status=1
}

step "plain build"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$JOBS"
step "tests (plain build)"
run_ctest plain build

step "ASan + UBSan build"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSYNACK_SANITIZE=ON \
      -DCMAKE_C_COMPILER=clang >/dev/null
cmake --build build-asan -j "$JOBS"
step "tests (ASan + UBSan)"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
run_ctest asan build-asan

step "fuzz targets (${FUZZ_SECONDS}s each)"
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSYNACK_FUZZ=ON -DCMAKE_C_COMPILER=clang >/dev/null
cmake --build build-fuzz -j "$JOBS"
if bash tests/fuzz/run.sh build-fuzz "$FUZZ_SECONDS"; then
    passed=$((passed + 1))
else
    failed=$((failed + 1))
    status=1
fi

step "summary"
echo "synack: $passed passed, $failed failed"
exit $status
