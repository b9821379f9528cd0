#!/usr/bin/env bash
# Fragmented ping in both directions: with -s 3000 the kernel fragments each echo request and
# synack reassembles it; synack's 3008-byte reply is larger than the MTU, so synack fragments it
# and the kernel reassembles it. Run with the kernel's default PMTU mode and with -M dont (DF
# clear), plus other sizes (one byte past the MTU, 8972, the 65507-byte maximum), over TAP and TUN,
# and over TAP with a 576-byte MTU. Fragments are checked in synack's capture (both directions,
# each within the MTU), and the kernel's IP counters show it fragmented and reassembled.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_init "${1:-}" ping tshark

snmp_ip() { kernel_snmp Ip "$1"; }

run_case() {
    local kind=$1 mtu=$2
    local pcap="$TMPD/frag-$kind-$mtu.pcap"
    log "--- $kind, mtu $mtu ---"
    start_serve "$kind" "sa-$kind$mtu" --mtu "$mtu" --pcap "$pcap"
    local frag0 reasm0 frag1 reasm1
    frag0=$(snmp_ip FragCreates)
    reasm0=$(snmp_ip ReasmOKs)

    ping_check 5 -i 0.2 -s 3000
    ping_check 5 -i 0.2 -s 3000 -M dont
    ping_check 2 -i 0.2 -s $((mtu - 28 + 1)) -M dont
    ping_check 2 -i 0.2 -s 8972
    ping_check 2 -i 0.2 -s 65507
    # Sanity: at exactly the MTU nothing is fragmented, and DF is honoured by the kernel.
    ping_check 2 -i 0.2 -s $((mtu - 28)) -M do
    serve_alive
    frag1=$(snmp_ip FragCreates)
    reasm1=$(snmp_ip ReasmOKs)
    stop_serve

    # 16 fragmented requests (5 + 5 + 2 + 2 + 2) went out and 16 fragmented replies came back.
    local frags=$((frag1 - frag0)) reasms=$((reasm1 - reasm0))
    log "kernel: FragCreates +$frags, ReasmOKs +$reasms"
    ((reasms >= 16)) || fail "kernel reassembled $reasms datagrams, expected 16 fragmented echo replies"
    ((frags >= 32)) || fail "kernel created only $frags fragments for 16 fragmented echo requests"

    local fin fout big req rep
    fin=$(tshark_count "$pcap" "ip.src == $HOST_ADDR && (ip.flags.mf == 1 || ip.frag_offset > 0)")
    fout=$(tshark_count "$pcap" "ip.src == $SYNACK_ADDR && (ip.flags.mf == 1 || ip.frag_offset > 0)")
    big=$(tshark_count "$pcap" "ip.len > $mtu")
    req=$(tshark_count "$pcap" "icmp.type == 8 && ip.src == $HOST_ADDR")
    rep=$(tshark_count "$pcap" "icmp.type == 0 && ip.src == $SYNACK_ADDR")
    log "capture: $fin fragments in, $fout fragments out, $req requests and $rep replies reassembled by tshark"
    ((fin >= 32)) || fail "capture shows only $fin fragments from the kernel"
    ((fout == fin)) || fail "synack sent $fout fragments for the $fin it received (same sizes, same MTU: should match)"
    ((big == 0)) || fail "$big IP packets in the capture exceed the MTU of $mtu"
    ((req == 18 && rep == 18)) || fail "tshark sees $req echo requests and $rep replies, expected 18 each"
    # No fragment may carry DF, and offsets must line up (tshark flags overlaps and bad lengths).
    local bad
    bad=$(tshark_count "$pcap" "ip.frag_offset > 0 && ip.flags.df == 1 || ip.fragment.error || _ws.malformed")
    ((bad == 0)) || fail "$bad bad fragments in the capture"
}

run_case tap 1500
run_case tun 1500
run_case tap 576
pass
