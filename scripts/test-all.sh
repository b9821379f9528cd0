#!/usr/bin/env bash
# Builds everything and runs every test tier, as `make test` (the README's test command) does:
#  1. a plain build (gcc, -Werror): unit, script, sim and interop tests;
#  2. an ASan+UBSan build: the same tests again under the sanitizers;
#  3. a clang libFuzzer build: each fuzz target runs briefly.
# Interop tests need root (network namespaces, TAP/TUN); without root they report "skipped".
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=$(nproc)
FUZZ_SECONDS=${FUZZ_SECONDS:-20}

step() { printf '\n=== %s ===\n' "$*"; }

step "plain build"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$JOBS"
step "tests (plain build)"
ctest --test-dir build --output-on-failure -j "$JOBS" -LE interop
ctest --test-dir build --output-on-failure -L interop

step "ASan + UBSan build"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSYNACK_SANITIZE=ON \
      -DCMAKE_C_COMPILER=clang >/dev/null
cmake --build build-asan -j "$JOBS"
step "tests (ASan + UBSan)"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir build-asan --output-on-failure -j "$JOBS" -LE interop
ctest --test-dir build-asan --output-on-failure -L interop

step "fuzz targets (${FUZZ_SECONDS}s each)"
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSYNACK_FUZZ=ON -DCMAKE_C_COMPILER=clang >/dev/null
cmake --build build-fuzz -j "$JOBS"
bash tests/fuzz/run.sh build-fuzz "$FUZZ_SECONDS"

step "all tiers passed"
