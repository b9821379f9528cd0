#!/usr/bin/env bash
# ping over TUN: the kernel pings synack 20 times at 0.2 s intervals and gets 20 replies (no ARP on
# a TUN device). Prints ping's RTT summary.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_init "${1:-}" ping

start_serve tun sa-tun0
ping_check 20 -i 0.2
serve_alive
stop_serve
log "TUN RTT: ${PING_RTT#*= }"
pass
