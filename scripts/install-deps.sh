#!/usr/bin/env bash
# The one list of Debian packages synack needs, for building and for every test tier.
# Idempotent: installs only what is missing. Run as root on Debian 12 (the README's commands call it).
set -euo pipefail

PKGS=(
  # build
  build-essential cmake ninja-build pkg-config clang llvm libclang-rt-14-dev
  # unit tests
  libcmocka-dev
  # interop tier: the kernel-side peers and tools
  iproute2 iputils-ping arping socat netcat-openbsd tcpdump tshark hping3 curl wget procps
)

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
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
