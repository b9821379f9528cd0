#!/usr/bin/env bash
# The options of a modern TCP against the Linux kernel over TAP (RFC 7323, RFC 2018): both ways of
# opening a connection (Linux's SYN to synack serve; synack nc's SYN to Linux) agree on timestamps and
# window scaling as the kernel reports them (`ss -ti`: "wscale:7,R" with synack's shift 7, and the
# kernel's MSS 1448 = 1460 less the 12-byte timestamp option, which it takes off only once
# timestamps are agreed; this kernel's tcp_info does not reach ss 6.1's "ts sack" words). Then a
# transfer from Linux into synack over a path that loses 1 % of frames (--impair) must be recovered
# by Linux with SACK (TcpExt TCPSackRecovery grows, TCPRenoRecovery does not): the proof that the
# kernel reads synack's SACK blocks; synack's capture shows them, and TSopt on every segment it
# sent.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_init "${1:-}" nc ss sha256sum tshark

# tcpext FIELD: a counter of the namespace's TcpExt MIB (/proc/net/netstat).
tcpext() {
    nsx awk -v f="$1" '$1 == "TcpExt:" { if (!n) { for (i = 2; i <= NF; i++) h[i] = $i; n = 1 } else { for (i = 2; i <= NF; i++) if (h[i] == f) print $i } }' /proc/net/netstat
}

# check_ss WHAT FILTER...: the kernel's view of one established connection must show every option.
check_ss() {
    local what=$1 out
    shift
    out=$(nsx ss -tin state established "$@" | tr '\n' ' ')
    [[ -n "$out" ]] || fail "$what: the kernel shows no such connection"
    for want in ' wscale:7,' ' mss:1448 '; do
        [[ "$out" == *"$want"* ]] || fail "$what: ss -ti lacks '${want# }': $out"
    done
    log "$what: kernel reports wscale:7,* and mss:1448 (timestamps on)"
}

# 1. Linux opens (synack's SYN-ACK answers the options), over a lossy path for part 3.
start_serve tap opt-tap0 --impair loss=1,delay=5 --impair-seed 11 --ctl "$TMPD/ctl.sock" --pcap "$TMPD/opt.pcap"
start_bg idle bash -c "sleep 3 | nc '$SYNACK_ADDR' 7"
sleep 0.5
check_ss "Linux -> synack" dst "$SYNACK_ADDR"

# 3. Linux sends 4 MB to the discard service through 1 % loss: recovery must be SACK-based.
sack0=$(tcpext TCPSackRecovery)
reno0=$(tcpext TCPRenoRecovery)
head -c 4000000 /dev/urandom >"$TMPD/blob"
rc=0
nsx timeout 120 nc -N "$SYNACK_ADDR" 9 <"$TMPD/blob" >/dev/null || rc=$?
((rc == 0)) || fail "Linux -> synack discard over 1 % loss: nc exit $rc"
sack=$(($(tcpext TCPSackRecovery) - sack0))
reno=$(($(tcpext TCPRenoRecovery) - reno0))
((sack > 0)) || fail "Linux recovered from loss without SACK (TCPSackRecovery +$sack, TCPRenoRecovery +$reno)"
((reno == 0)) || fail "Linux fell back to Reno recovery $reno times: it did not take synack's SACK blocks"
stop_serve
blocks=$(tshark_count "$TMPD/opt.pcap" "ip.src == $SYNACK_ADDR && tcp.options.sack_le")
nots=$(tshark_count "$TMPD/opt.pcap" "ip.src == $SYNACK_ADDR && tcp && !tcp.options.timestamp.tsval")
bad=$(tshark_count "$TMPD/opt.pcap" '_ws.malformed || tcp.checksum.status == 0')
((blocks > 0)) || fail "synack sent no SACK block although frames were lost"
((nots == 0)) || fail "synack sent $nots segments without the timestamp option"
((bad == 0)) || fail "tshark flags $bad frames of synack's capture as malformed or with a bad checksum"
log "Linux -> synack, 4 MB through 1 % loss: $sack SACK recoveries, 0 Reno; synack sent $blocks ACKs with SACK blocks, every segment with TSopt"

# 2. synack opens (its SYN offers the options; Linux's SYN-ACK answers them).
timeout 60 ip netns exec "$NS" bash -c "nc -l 5000 < /dev/null > '$TMPD/got'" &
LPID=$!
BG_PIDS+=("$LPID")
sleep 0.3
head -c 300000 /dev/urandom >"$TMPD/small"
timeout 60 ip netns exec "$NS" bash -c "(cat '$TMPD/small'; sleep 2) | '$SYNACK' nc --tap opt-tap1 \
    --addr '$SYNACK_ADDR/24' --host-addr '$HOST_ADDR/24' '$HOST_ADDR' 5000" >/dev/null 2>"$TMPD/nc.err" &
NPID=$!
BG_PIDS+=("$NPID")
sleep 1
check_ss "synack -> Linux" sport = :5000
rc=0
wait "$NPID" || rc=$?
((rc == 0)) || { cat "$TMPD/nc.err" >&2; fail "synack nc -> Linux: exit $rc"; }
wait "$LPID" 2>/dev/null || true
[[ "$(sha256 "$TMPD/got")" == "$(sha256 "$TMPD/small")" ]] || fail "synack nc -> Linux: the bytes differ"
log "synack -> Linux: 300 kB with timestamps and SACK, sha256 matches"
pass
