#!/usr/bin/env bash
# Regenerates linux_frames.h: real frames from the Linux kernel, captured between two network
# namespaces joined by a veth pair, TEST-NET-1 (192.0.2.0/24, RFC 5737) addresses only.
#
#   sudo bash tests/unit/vectors/gen.sh
#
# Needs root, iproute2, tcpdump, tshark, python3 (all Debian packages). Nothing is configured in the
# root namespace and no packet leaves the two namespaces; both are removed on every exit path.
#
# Transmit checksum offload is off (veth.sh says why); tshark then re-verifies every checksum and
# gen.py refuses to emit a bad one.
set -euo pipefail
source "$(dirname "$0")/veth.sh"
vec_init gen.sh synvec v4
ip -n "$A" addr add 192.0.2.1/24 dev va
ip -n "$B" addr add 192.0.2.2/24 dev vb
# The SACK probe speaks from 192.0.2.3, a host that exists only as raw frames from gen.py.
ip -n "$B" neigh add 192.0.2.3 lladdr 02:00:00:00:00:03 dev vb nud permanent

vec_capture_start
inB python3 "$here/gen.py" servers & pids+=($!)
sleep 1.5   # tcpdump attached, servers listening, links up

inA ping -c 1 -W 2 -s 56 192.0.2.2 >/dev/null             # ARP request/reply, echo request/reply
inA ping -c 1 -W 2 -s 3000 192.0.2.2 >/dev/null           # 3 fragments each way
inA python3 "$here/gen.py" clients                        # UDP, port unreachable, TCP, RST
inA python3 "$here/gen.py" sack-probe                     # SACK blocks from the kernel
sleep 0.5
vec_capture_stop

python3 "$here/gen.py" emit "$work/cap.pcap" "$here/linux_frames.h"
python3 "$here/gen.py" corpus "$work/cap.pcap" "$here/../../fuzz/corpus"
echo "gen.sh: wrote $here/linux_frames.h"
