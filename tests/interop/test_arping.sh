#!/usr/bin/env bash
# ARP over TAP: `arping -c 3` for synack's address gets 3 replies; an ARP for another address in
# the subnet gets none; an RFC 5227 probe (sender 0.0.0.0) is answered too. In synack's capture
# every reply says 192.0.2.2 is at the MAC it is sent from, unicast to the asker.
# (Debian's arping is Thomas Habets' ARPing: the interface option is -i, not iputils' -I.)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_init "${1:-}" arping tshark

DEV=sa-arp0
PCAP="$TMPD/arp.pcap"
start_serve tap "$DEV" --pcap "$PCAP"
HOST_MAC=$(nsx cat /sys/class/net/$DEV/address 2>/dev/null || nsx ip -o link show "$DEV" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')

arping_run() {   # arping_run EXPECTED_REPLIES ARGS...: runs arping, checks the reply count
    local want=$1 rc=0 out="$TMPD/arping.out"
    shift
    nsx timeout 20 arping -i "$DEV" -w 5 "$@" >"$out" 2>&1 || rc=$?
    local got
    got=$(sed -n 's/.* transmitted, \([0-9]*\) packets received.*/\1/p' "$out")
    if [[ "$got" != "$want" ]] || { ((want > 0)) && ((rc != 0)); } || { ((want == 0)) && ((rc == 0)); }; then
        cat "$out" >&2
        fail "arping $*: $got replies (exit $rc), expected $want"
    fi
    log "arping $*: $want replies as expected"
}

arping_run 3 -c 3 "$SYNACK_ADDR"
arping_run 0 -c 3 -W 0.3 192.0.2.3
arping_run 2 -c 2 -0 "$SYNACK_ADDR"
serve_alive
stop_serve

# Replies: opcode 2, for 192.0.2.2, sender MAC = Ethernet source = a 02:... address.
mapfile -t replies < <(timeout 60 tshark -n -r "$PCAP" -Y 'arp.opcode == 2' \
    -T fields -e eth.src -e arp.src.hw_mac -e arp.src.proto_ipv4 -e eth.dst -e arp.dst.proto_ipv4 2>/dev/null)
((${#replies[@]} == 5)) || fail "capture holds ${#replies[@]} ARP replies, expected 5"
for r in "${replies[@]}"; do
    read -r esrc asrc aip edst adst <<<"$r"
    [[ "$esrc" == "$asrc" && "$esrc" == 02:* && "$aip" == "$SYNACK_ADDR" ]] ||
        fail "bad ARP reply: eth.src $esrc, sender $asrc is-at $aip"
    [[ "$edst" == "$HOST_MAC" ]] || fail "ARP reply sent to $edst, not to the asker $HOST_MAC"
done
n=$(tshark_count "$PCAP" "arp.opcode == 2 && arp.src.proto_ipv4 != $SYNACK_ADDR")
((n == 0)) || fail "synack answered ARP for an address that is not its own"
log "capture: 5 well-formed replies, unicast to $HOST_MAC"
pass
