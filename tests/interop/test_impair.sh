#!/usr/bin/env bash
# synack nc against Linux's nc over an impaired path (--impair loss=2,delay=10: 2% loss and 10 ms
# each way, 20 ms round trip; this kernel has no netem), a few MB each way, checked by SHA-256:
#  - synack nc sends to a Linux listener: its capture (taken where the stack sends, before the
#    impaired path) and `synack ladder` of it must show retransmissions, the handshake's round
#    trip must be at least the two delays, and its summary must count frames lost out;
#  - Linux nc sends to `synack nc -l`: the kernel's RetransSegs must grow, and synack's summary
#    must count frames lost in;
#  - each sender's retransmissions stay within twice the frames lost plus ten (no go-back-N
#    storms, and synack's SACK blocks steer Linux to what is missing).
# Both runs use a fixed --impair-seed; the check that frames were really dropped and resent is
# what lets this test fail if the impaired path silently does nothing.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_init "${1:-}" nc sha256sum tshark

SIZE_MB=${SYNACK_IMPAIR_MB:-3}
IMPAIR=${SYNACK_IMPAIR_SPEC:-loss=2,delay=10}   # another spec (keep delay=10) to try a variant by hand
head -c $((SIZE_MB * 1000000)) /dev/urandom >"$TMPD/blob"
want=$(sha256 "$TMPD/blob")

# summary_count FILE DIR FIELD: a number from synack's exit summary, e.g. "out" "lost".
summary_count() {
    sed -n "s/.*impaired path $2 .*[:,] \([0-9][0-9]*\) $3.*/\1/p" "$1" | head -n 1
}

# 1. synack -> Linux.
linux_nc_listen 5000 "$TMPD/linux.got"
t0=$(date +%s.%N)
rc=0
nsx timeout 120 "$SYNACK" nc --tap imp-tap0 --addr "$SYNACK_ADDR/24" --host-addr "$HOST_ADDR/24" \
    --impair "$IMPAIR" --impair-seed 7 --ctl "$TMPD/nc1.sock" --pcap "$TMPD/nc1.pcap" \
    "$HOST_ADDR" 5000 <"$TMPD/blob" >/dev/null 2>"$TMPD/nc1.err" || rc=$?
t1=$(date +%s.%N)
wait "$LPID" 2>/dev/null || true
((rc == 0)) || { cat "$TMPD/nc1.err" >&2; fail "synack nc -> Linux over --impair $IMPAIR: exit $rc"; }
[[ "$(sha256 "$TMPD/linux.got")" == "$want" ]] ||
    fail "synack nc -> Linux: got $(stat -c %s "$TMPD/linux.got") bytes, SHA-256 differs"
lost_out=$(summary_count "$TMPD/nc1.err" out lost)
delayed_out=$(summary_count "$TMPD/nc1.err" out delayed)
[[ -n "$lost_out" && -n "$delayed_out" ]] || { cat "$TMPD/nc1.err" >&2; fail "synack nc printed no impaired-path summary"; }
((lost_out > 0)) || { cat "$TMPD/nc1.err" >&2; fail "the impaired path lost no frame out of synack"; }
((delayed_out > 0)) || { cat "$TMPD/nc1.err" >&2; fail "the impaired path delayed no frame out of synack"; }
retrans=$(tshark_count "$TMPD/nc1.pcap" 'tcp.analysis.retransmission && tcp.srcport != 5000')
((retrans > 0)) || fail "synack's capture shows no retransmission although $lost_out frames were lost"
# Recovery resends what was lost, not whole windows: SACK, RACK-TLP and PRR keep retransmissions
# near the losses (go-back-N after timeouts would send many times more). Linux's bound is the same
# (below).
((retrans <= 2 * lost_out + 10)) || fail "synack retransmitted $retrans segments for $lost_out frames lost out"
# The ladder drawn from the same capture marks them too.
marked=$(timeout 60 "$SYNACK" ladder "$TMPD/nc1.pcap" --conn 1 --no-color 2>&1 | grep -c retransmission || true)
((marked > 0)) || fail "synack ladder marks no retransmission in the capture of an impaired transfer"
# The round trip must include both delays: the SYN's answer comes >= 20 ms after it.
rtt=$(timeout 60 tshark -n -r "$TMPD/nc1.pcap" -Y 'tcp.flags.syn == 1 && tcp.flags.ack == 1' \
    -T fields -e tcp.analysis.ack_rtt 2>/dev/null | head -n 1)
[[ -n "$rtt" ]] && awk -v r="$rtt" 'BEGIN { exit !(r >= 0.020) }' ||
    fail "the handshake's round trip was '${rtt}' s, not the 20 ms two delays of 10 ms make"
log "synack -> Linux: $SIZE_MB MB, sha256 matches; $lost_out frames lost out, $retrans retransmissions captured (bound $((2 * lost_out + 10))) ($marked marked in the ladder), handshake RTT ${rtt} s ($(seconds "$t0" "$t1") s)"
sed -n "s/^/[$INTEROP_NAME]   /; /impaired path/p" "$TMPD/nc1.err"

# 2. Linux -> synack nc -l.
retrans0=$(kernel_snmp Tcp RetransSegs)
nc_from_linux imp-tap1 "$TMPD/blob" --impair "$IMPAIR" --impair-seed 8
lost_in=$(summary_count "$TMPD/nc2.err" in lost)
[[ -n "$lost_in" ]] || { cat "$TMPD/nc2.err" >&2; fail "synack nc -l printed no impaired-path summary"; }
((lost_in > 0)) || { cat "$TMPD/nc2.err" >&2; fail "the impaired path lost no frame into synack"; }
retrans1=$(kernel_snmp Tcp RetransSegs)
((retrans1 > retrans0)) || fail "Linux retransmitted nothing (RetransSegs $retrans0 -> $retrans1) although $lost_in frames were lost"
((retrans1 - retrans0 <= 2 * lost_in + 10)) ||
    fail "Linux retransmitted $((retrans1 - retrans0)) segments for $lost_in frames lost in: synack's ACKs misled it"
log "Linux -> synack: $SIZE_MB MB, sha256 matches; $lost_in frames lost in, Linux retransmitted $((retrans1 - retrans0)) segments ($NC_SECS s)"
sed -n "s/^/[$INTEROP_NAME]   /; /impaired path/p" "$TMPD/nc2.err"
pass
