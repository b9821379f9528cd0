#!/usr/bin/env bash
# ping over TAP: the kernel pings synack 20 times at 0.2 s intervals and gets 20 replies (which
# needs ARP first). Prints ping's RTT summary.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_init "${1:-}" ping

start_serve tap sa-tap0
ping_check 20 -i 0.2
serve_alive
# The kernel learnt synack's MAC through ARP: a locally administered unicast address (02:...).
neigh=$(nsx ip neigh show "$SYNACK_ADDR" dev sa-tap0)
[[ "$neigh" =~ lladdr\ 02: ]] || fail "kernel has no ARP entry with synack's MAC for $SYNACK_ADDR: '$neigh'"
log "kernel neighbour entry: $neigh"
stop_serve
log "TAP RTT: ${PING_RTT#*= }"
pass
