#!/usr/bin/env bash
# UDP against the kernel over TAP: echo (port 7, RFC 862) returns the same bytes for 1, 1472 (the
# largest unfragmented), 4000 (fragmented both ways), 8000 and 65507 (the largest) bytes, with
# socat and with nc -u, compared by SHA-256; discard (port 9, RFC 863) answers nothing; a
# datagram to a closed port draws an ICMP port unreachable that the kernel delivers to the
# connected socket as "Connection refused".
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_init "${1:-}" socat nc tshark sha256sum

PCAP="$TMPD/udp.pcap"
start_serve tap sa-udp0 --pcap "$PCAP"

echo_check() {   # echo_check TOOL SIZE
    local tool=$1 size=$2 in="$TMPD/in.$2" out="$TMPD/out.$1.$2" rc=0
    [[ -f "$in" ]] || head -c "$size" /dev/urandom >"$in"
    case $tool in
    socat) nsx timeout 10 socat -b 65536 -T 2 - "UDP:$SYNACK_ADDR:7" <"$in" >"$out" 2>"$out.err" || rc=$? ;;
    nc) nsx timeout 10 nc -u -w 2 "$SYNACK_ADDR" 7 <"$in" >"$out" 2>"$out.err" || rc=$? ;;
    esac
    local got
    got=$(stat -c %s "$out")
    if ((rc != 0)) || [[ "$(sha256 "$in")" != "$(sha256 "$out")" ]]; then
        cat "$out.err" >&2
        fail "UDP echo with $tool, $size bytes: got $got bytes back (exit $rc), SHA-256 differs"
    fi
    log "echo $tool $size bytes: sha256 $(sha256 "$out" | cut -c1-16)... matches"
}

for size in 1 1472 4000 8000 65507; do echo_check socat "$size"; done
for size in 1 1472 4000; do echo_check nc "$size"; done

# Discard: nothing comes back, not even an ICMP error.
unreach0=$(kernel_snmp Icmp InDestUnreachs)
head -c 1000 /dev/urandom >"$TMPD/discard.in"
rc=0
nsx timeout 10 socat -T 1 - "UDP:$SYNACK_ADDR:9" <"$TMPD/discard.in" >"$TMPD/discard.out" 2>"$TMPD/discard.err" || rc=$?
((rc == 0)) || { cat "$TMPD/discard.err" >&2; fail "socat to the discard port failed (exit $rc)"; }
[[ ! -s "$TMPD/discard.out" ]] || fail "discard port answered $(stat -c %s "$TMPD/discard.out") bytes"
unreach1=$(kernel_snmp Icmp InDestUnreachs)
((unreach1 == unreach0)) || fail "the discard port drew an ICMP destination unreachable"
log "discard: 1000 bytes swallowed, no answer"

# Closed port: ICMP port unreachable -> ECONNREFUSED on the connected socket.
rc=0
echo "anyone there?" | nsx timeout 10 socat -T 2 - "UDP:$SYNACK_ADDR:5555" >"$TMPD/closed.out" 2>"$TMPD/closed.err" || rc=$?
grep -q 'Connection refused' "$TMPD/closed.err" ||
    { cat "$TMPD/closed.err" >&2; fail "UDP to closed port 5555: no 'Connection refused' (socat exit $rc)"; }
unreach2=$(kernel_snmp Icmp InDestUnreachs)
((unreach2 == unreach1 + 1)) || fail "kernel counted $((unreach2 - unreach1)) ICMP destination unreachables, expected 1"
log "closed port: socat saw 'Connection refused', kernel Icmp InDestUnreachs +1"

serve_alive
stop_serve

# The capture: the 4000-byte echo was fragmented both ways, the port unreachable quotes our
# datagram, and port 9 never answered.
n=$(tshark_count "$PCAP" "ip.src == $SYNACK_ADDR && ip.frag_offset > 0 && udp.srcport == 7")
((n >= 4)) || fail "too few fragmented UDP echo replies (4000, 8000, 65507 with socat, 4000 with nc): $n from synack in the capture"
n=$(tshark_count "$PCAP" "ip.src == $SYNACK_ADDR && icmp.type == 3 && icmp.code == 3 && udp.dstport == 5555")
((n == 1)) || fail "capture holds $n ICMP port unreachables quoting the datagram to 5555, expected 1"
n=$(tshark_count "$PCAP" "udp.srcport == 9 || (icmp.type == 3 && udp.dstport == 9)")
((n == 0)) || fail "capture holds $n frames answering the discard port"
pass
