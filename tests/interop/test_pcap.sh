#!/usr/bin/env bash
# synack serve --pcap over TAP (Ethernet link type) and TUN (raw IP link type): ARP, ping (plain
# and fragmented), UDP echo and UDP to a closed port, then SIGTERM. tshark must read the file,
# find each kind of frame, see nothing malformed and no expert error, and find every IP, ICMP and
# UDP checksum good (checksum validation switched on). The same
# traffic captured by tcpdump on the kernel's side of the device must hold exactly the same frames,
# byte for byte, and the timestamps must be wall-clock time (like tcpdump's), in order. The device
# runs without offloads (--no-tso): with them the kernel hands over frames whose checksums are
# still partial on its side of the capture, as with any NIC offload, and the bytes would differ.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_init "${1:-}" ping socat tshark tcpdump sha256sum

pcap_case() {
    local KIND=$1
    local DEV=sa-pcap-$1
    PCAP="$TMPD/synack-$KIND.pcap"
    KPCAP="$TMPD/kernel-$KIND.pcap"
    log "--- $KIND ---"
    start_serve "$KIND" "$DEV" --pcap "$PCAP" --no-tso

    # The kernel's view of the same link, for comparison.
    start_bg "tcpdump-$KIND" tcpdump -i "$DEV" -n -U --immediate-mode -Z root -s 0 -w "$KPCAP"
    TCPDUMP_PID=$BG_PID
    for ((i = 0; i < 100; i++)); do
        grep -q 'listening on' "$TMPD/tcpdump-$KIND.out" 2>/dev/null && break
        kill -0 "$TCPDUMP_PID" 2>/dev/null || { cat "$TMPD/tcpdump-$KIND.out" >&2; fail "tcpdump did not start"; }
        sleep 0.05
    done

    ping_check 3 -i 0.2
    ping_check 2 -i 0.2 -s 3000
    head -c 100 /dev/urandom >"$TMPD/u.in"
    nsx timeout 10 socat -T 1 - "UDP:$SYNACK_ADDR:7" <"$TMPD/u.in" >"$TMPD/u.out"
    cmp -s "$TMPD/u.in" "$TMPD/u.out" || fail "UDP echo did not return the bytes sent"
    echo closed | nsx timeout 10 socat -T 1 - "UDP:$SYNACK_ADDR:5555" >/dev/null 2>&1 || true
    sleep 0.3
    serve_alive
    # tcpdump first, while the device still exists (it goes away with synack).
    kill -INT "$TCPDUMP_PID" 2>/dev/null || true
    wait "$TCPDUMP_PID" 2>/dev/null || true
    stop_serve

    [[ -s "$PCAP" ]] || fail "synack wrote no pcap file"
    out=$(timeout 60 tshark -n -r "$PCAP" 2>&1) || { echo "$out" >&2; fail "tshark cannot read synack's pcap"; }
    nframes=$(timeout 60 tshark -n -r "$PCAP" 2>/dev/null | wc -l)
    log "tshark reads $nframes frames"

    expect() {   # expect MIN FILTER DESCRIPTION
        local n
        n=$(tshark_count "$PCAP" "$2")
        ((n >= $1)) || fail "capture holds $n $3 ($2), expected at least $1"
        log "  $n $3"
}
if [[ $KIND == tap ]]; then
    expect 1 "arp.opcode == 1 && arp.dst.proto_ipv4 == $SYNACK_ADDR" "ARP requests for synack"
    expect 1 "arp.opcode == 2 && arp.src.proto_ipv4 == $SYNACK_ADDR" "ARP replies from synack"
fi
expect 5 "icmp.type == 8 && ip.dst == $SYNACK_ADDR" "ICMP echo requests"
expect 5 "icmp.type == 0 && ip.src == $SYNACK_ADDR" "ICMP echo replies"
expect 2 "ip.src == $SYNACK_ADDR && ip.flags.mf == 1" "fragments from synack"
expect 1 "udp.dstport == 7 && ip.dst == $SYNACK_ADDR" "UDP datagrams to echo"
expect 1 "udp.srcport == 7 && ip.src == $SYNACK_ADDR" "UDP echo replies"
expect 1 "icmp.type == 3 && icmp.code == 3" "ICMP port unreachables"

CHECKS=(-o ip.check_checksum:TRUE -o udp.check_checksum:TRUE)
bad=$(timeout 60 tshark -n -r "$PCAP" "${CHECKS[@]}" \
    -Y '_ws.malformed || _ws.expert.severity >= 8388608 || ip.checksum.status == 0 || udp.checksum.status == 0 || icmp.checksum.status == 0' 2>/dev/null)
[[ -z "$bad" ]] || { echo "$bad" >&2; fail "tshark finds malformed frames, expert errors or bad checksums"; }
good_ip=$(timeout 60 tshark -n -r "$PCAP" "${CHECKS[@]}" -Y 'ip.checksum.status == 1' 2>/dev/null | wc -l)
good_udp=$(timeout 60 tshark -n -r "$PCAP" "${CHECKS[@]}" -Y 'udp.checksum.status == 1' 2>/dev/null | wc -l)
good_icmp=$(timeout 60 tshark -n -r "$PCAP" "${CHECKS[@]}" -Y 'icmp.checksum.status == 1' 2>/dev/null | wc -l)
n_ip=$(tshark_count "$PCAP" ip)
((good_ip == n_ip && good_udp >= 2 && good_icmp >= 10)) ||
    fail "checksums verified good: IP $good_ip of $n_ip, UDP $good_udp, ICMP $good_icmp"
log "nothing malformed; checksums verified good: IP $good_ip/$n_ip, UDP $good_udp, ICMP $good_icmp"

# Timestamps: wall clock (within the last 10 minutes) and never going back.
now=$(date +%s)
mapfile -t ts < <(timeout 60 tshark -n -r "$PCAP" -T fields -e frame.time_epoch 2>/dev/null)
first=${ts[0]%.*}
((first > now - 600 && first <= now)) || fail "first pcap timestamp $first is not wall-clock time (now $now)"
prev=0
for t in "${ts[@]}"; do
    [[ "$(printf '%s\n%s\n' "$prev" "$t" | sort -g | head -1)" == "$prev" ]] || fail "timestamps go back: $prev then $t"
    prev=$t
done
log "timestamps are wall-clock time and in order"

# Same frames as the kernel saw (tcpdump), byte for byte: per-frame hashes, sorted.
frame_hashes() {
    timeout 60 tcpdump -r "$1" -nn -xx 2>/dev/null | awk '
        /^[^\t ]/ { if (hex != "") print hex; hex = ""; next }
        { sub(/^[\t ]*0x[0-9a-f]+:[ ]*/, ""); gsub(/ /, ""); hex = hex $0 }
        END { if (hex != "") print hex }' | while read -r h; do printf '%s' "$h" | sha256sum | cut -c1-16; done | sort
}
frame_hashes "$PCAP" >"$TMPD/h.synack"
frame_hashes "$KPCAP" >"$TMPD/h.kernel"
if ! diff -q "$TMPD/h.synack" "$TMPD/h.kernel" >/dev/null; then
    echo "synack pcap: $(wc -l <"$TMPD/h.synack") frames, tcpdump: $(wc -l <"$TMPD/h.kernel") frames" >&2
    timeout 60 tcpdump -r "$KPCAP" -nn 2>/dev/null | head -40 >&2
    fail "synack's capture and tcpdump's capture of the same link differ"
fi
log "the $(wc -l <"$TMPD/h.synack") frames match tcpdump's capture of the kernel side byte for byte"
}

pcap_case tap
pcap_case tun
pass
