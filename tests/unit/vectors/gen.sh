#!/usr/bin/env bash
# Regenerates linux_frames.h: real frames from the Linux kernel, captured between two network
# namespaces joined by a veth pair, TEST-NET-1 (192.0.2.0/24, RFC 5737) addresses only.
#
#   sudo bash tests/unit/vectors/gen.sh
#
# Needs root, iproute2, tcpdump, tshark, python3 (all Debian packages). Nothing is configured in the
# root namespace and no packet leaves the two namespaces; both are removed on every exit path.
#
# Why transmit checksum offload is turned off: a veth passes CHECKSUM_PARTIAL skbs through, so a
# capture would show unfinished TCP/UDP checksums. gen.py turns it off with the same SIOCETHTOOL
# ioctl ethtool uses (ETHTOOL_STXCSUM), so the kernel completes every checksum before tcpdump sees
# the frame; tshark then re-verifies every checksum and gen.py refuses to emit a bad one.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ "$(id -u)" = 0 ] || { echo "gen.sh: needs root (network namespaces)" >&2; exit 1; }
A=synvecA$$
B=synvecB$$
work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    # Everything still running inside the two namespaces was started here (servers, capture).
    for ns in "$A" "$B"; do
        ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
    done
    wait 2>/dev/null || true
    ip netns del "$A" 2>/dev/null || true
    ip netns del "$B" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
inA() { ip netns exec "$A" "$@"; }
inB() { ip netns exec "$B" "$@"; }

ip netns add "$A"
ip netns add "$B"
for ns in "$A" "$B"; do   # no IPv6 chatter (MLD, neighbour discovery) in the capture
    ip netns exec "$ns" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
ip -n "$A" link add va address 02:00:00:00:00:01 type veth peer name vb netns "$B" address 02:00:00:00:00:02
ip -n "$A" addr add 192.0.2.1/24 dev va
ip -n "$B" addr add 192.0.2.2/24 dev vb
inA python3 "$here/gen.py" csum-off va
inB python3 "$here/gen.py" csum-off vb
ip -n "$A" link set va up
ip -n "$B" link set vb up
# The SACK probe speaks from 192.0.2.3, a host that exists only as raw frames from gen.py.
ip -n "$B" neigh add 192.0.2.3 lladdr 02:00:00:00:00:03 dev vb nud permanent

# `ip netns exec` may fork, so the capture records its own pid to be stopped exactly.
inB sh -c 'echo $$ >"$1"; exec tcpdump -i vb -U -s 0 -w "$2" 2>"$3"' sh "$work/tcpdump.pid" \
    "$work/cap.pcap" "$work/tcpdump.log" &
pids+=($!)
inB python3 "$here/gen.py" servers & pids+=($!)
sleep 1.5   # tcpdump attached, servers listening, links up

inA ping -c 1 -W 2 -s 56 192.0.2.2 >/dev/null             # ARP request/reply, echo request/reply
inA ping -c 1 -W 2 -s 3000 192.0.2.2 >/dev/null           # 3 fragments each way
inA python3 "$here/gen.py" clients                        # UDP, port unreachable, TCP, RST
inA python3 "$here/gen.py" sack-probe                     # SACK blocks from the kernel
sleep 0.5
tpid=$(cat "$work/tcpdump.pid")
kill "$tpid"
while kill -0 "$tpid" 2>/dev/null; do sleep 0.1; done

[ -n "${SYNVEC_KEEP:-}" ] && cp "$work/cap.pcap" "$SYNVEC_KEEP"   # for debugging gen.py
python3 "$here/gen.py" emit "$work/cap.pcap" "$here/linux_frames.h"
python3 "$here/gen.py" corpus "$work/cap.pcap" "$here/../../fuzz/corpus"
echo "gen.sh: wrote $here/linux_frames.h"
