#!/usr/bin/env bash
# The one list of Debian packages synack needs, for building, the README's walkthrough and every
# test tier. Idempotent: installs only what is missing. Run as root on Debian 12 (the README's
# commands call it). `--list GROUP` prints a group's packages, one a line, and installs nothing.
set -euo pipefail

# What building everything needs (make demo): compilers, CMake, the test framework the tests
# link against, libpcap for `synack ladder`, liburing for the driver loop's io_uring back end.
BUILD_PKGS=(
  build-essential cmake ninja-build pkg-config libcmocka-dev libpcap-dev liburing-dev
)
# The API reference (make docs; unit/apidoc runs it, so make test needs it too).
DOC_PKGS=(
  doxygen groff-base   # groff-base: unit/install checks the man pages
)
# The TCP lab (make lab): clang, wasm-ld and the C library for WebAssembly (wasi-libc), with the
# compiler's runtime for wasm32.
LAB_PKGS=(
  clang lld wasi-libc libclang-rt-14-dev-wasm32
)
# What the README's walkthrough runs beyond `make demo` on a bare Debian 12: ping and curl (its
# first line installs them when they are missing), ip for the network namespace it suggests.
WALK_PKGS=(
  iproute2 iputils-ping curl
)
# What running every test tier adds (make test), beside the walkthrough's.
TEST_PKGS=(
  # sanitizer and libFuzzer builds
  clang llvm libclang-rt-14-dev
  # interop tier: the kernel-side peers and tools
  arping socat netcat-openbsd tcpdump tshark hping3 wget procps python3
  # the application tier's real peers: web servers and clients, DNS, a browser
  nginx-light dnsmasq apache2-utils wrk bind9-dnsutils chromium
  # IPv6 router advertisements for the SLAAC test
  radvd
)
# What bench/run.sh's rows add (bench/http_bench.sh): lwIP for the reference raw-API HTTP server
# (bench/lwip_httpd.c, built when lwIP is installed), the load generators and nginx.
BENCH_PKGS=(
  liblwip-dev apache2-utils wrk nginx-light python3 curl netcat-openbsd
)

# `install-deps.sh build` installs only what building needs, `docs` that and Doxygen, `walkthrough`
# what the README's walkthrough adds to the build, `bench` what building and bench/run.sh need,
# `lab` what the lab adds to the build; no argument (or `all`) installs all.
list=0
if [ "${1:-}" = --list ]; then
  list=1
  shift
fi
case "${1:-all}" in
  build) PKGS=("${BUILD_PKGS[@]}") ;;
  docs) PKGS=("${BUILD_PKGS[@]}" "${DOC_PKGS[@]}") ;;
  walkthrough) PKGS=("${WALK_PKGS[@]}") ;;
  bench) PKGS=("${BUILD_PKGS[@]}" "${BENCH_PKGS[@]}") ;;
  lab) PKGS=("${BUILD_PKGS[@]}" "${LAB_PKGS[@]}") ;;
  all) PKGS=("${BUILD_PKGS[@]}" "${DOC_PKGS[@]}" "${WALK_PKGS[@]}" "${TEST_PKGS[@]}" "${BENCH_PKGS[@]}" "${LAB_PKGS[@]}") ;;
  *) echo "usage: install-deps.sh [--list] [build|docs|walkthrough|bench|lab|all]" >&2; exit 2 ;;
esac
if [ "$list" = 1 ]; then
  printf '%s\n' "${PKGS[@]}"
  exit 0
fi

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]} (run as root to install them)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
# nginx and dnsmasq would start as services in the root namespace on install: forbid service starts
# while installing (tests start their own servers inside the namespaces they create).
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod +x "$policy"
  trap 'rm -f "$policy"' EXIT
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
