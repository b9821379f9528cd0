#!/usr/bin/env bash
# Regenerates linux_frames6.h: IPv6 frames the Linux kernel sent between two network namespaces
# joined by a veth pair, documentation prefix 2001:db8::/32 only (RFC 3849).
#
#   sudo bash tests/unit/vectors/gen6.sh
#
# Needs root, iproute2, tcpdump, python3. Nothing is configured in the root namespace and no packet
# leaves the two namespaces; both are removed on every exit path. Captured: neighbour discovery
# (NS, NA), ping -6 (echo request and reply), ping -6 -s 3000 (fragments both ways), UDP to a
# closed port (port unreachable), and the MLDv2 reports and DAD solicitation of an address added
# while the capture runs. Transmit checksum offload is off (gen.py csum-off) so every checksum in
# the capture is the kernel's finished one.
set -euo pipefail
source "$(dirname "$0")/veth.sh"
vec_init gen6.sh synv6 v6
ip -n "$A" addr add 2001:db8::1/64 dev va nodad
ip -n "$B" addr add 2001:db8::2/64 dev vb nodad
sleep 2.5   # link-local DAD and the first MLD reports are over before the capture

vec_capture_start ip6
sleep 1.5
inA ping -6 -c 1 -W 2 -s 56 2001:db8::2 >/dev/null        # NS/NA, echo request/reply
inA ping -6 -c 1 -W 2 -s 3000 2001:db8::2 >/dev/null      # fragments each way
inA python3 -c 'import socket; s=socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.sendto(b"hello", ("2001:db8::2", 9))'
ip -n "$A" addr add 2001:db8::a:b/64 dev va               # DAD NS, MLDv2 report
sleep 2
vec_capture_stop
python3 "$here/gen6.py" "$work/cap.pcap" "$here/linux_frames6.h" "$here/../../fuzz/corpus"
echo "gen6.sh: wrote $here/linux_frames6.h"
