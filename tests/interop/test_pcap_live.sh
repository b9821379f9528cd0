#!/usr/bin/env bash
# A capture is readable while synack runs: with `serve --pcap`, a TCP exchange with the kernel is
# drawn by `synack ladder` and read by tshark while serve is still running (the file is flushed
# within 100 ms, not at exit). With --pcap-wire and segmentation offload on, the echo of a large
# message goes out as 64 KB offload frames, yet the capture holds only frames the wire can carry
# (at most 1514 bytes), every IP and TCP checksum good, IP IDs counting up, and exactly the bytes
# sent back; without --pcap-wire the same run records the offload frames (so the test can fail).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_init "${1:-}" python3 tshark

# echo_once N: the kernel sends N bytes to synack's TCP echo port and reads them back.
echo_once() {
    nsx timeout 30 python3 - "$SYNACK_ADDR" "$1" <<'PY' || fail "TCP echo of $1 bytes failed"
import os, socket, sys
data = os.urandom(int(sys.argv[2]))
s = socket.create_connection((sys.argv[1], 7), timeout=10)
s.sendall(data)
s.shutdown(socket.SHUT_WR)
got = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    got += b
s.close()
sys.exit(0 if got == data else 1)
PY
}

# --- live: ladder and tshark on the capture while serve runs ---
PCAP="$TMPD/live.pcap"
start_serve tap pl-tap0 --pcap "$PCAP"
echo_once 3000
sleep 0.3   # well past the 100 ms bound
serve_alive
"$SYNACK" ladder "$PCAP" --no-color >"$TMPD/ladder.out" 2>"$TMPD/ladder.err" ||
    { cat "$TMPD/ladder.err" >&2; fail "synack ladder cannot read the live capture"; }
grep -q "$SYNACK_ADDR:7" "$TMPD/ladder.out" || { cat "$TMPD/ladder.out" >&2; fail "the live ladder lacks the connection to port 7"; }
for s in SYN-SENT ESTABLISHED TIME-WAIT; do
    grep -q "$s" "$TMPD/ladder.out" || { cat "$TMPD/ladder.out" >&2; fail "the live ladder lacks state $s"; }
done
fins=$(tshark_count "$PCAP" "tcp.flags.fin == 1 && tcp.port == 7")
((fins == 2)) || fail "tshark finds $fins FINs in the live capture, expected 2"
log "while serve runs: synack ladder draws the connection, tshark finds both FINs"
stop_serve

# --- wire view of offload frames ---
wire_case() { # NAME [--pcap-wire]
    local name=$1
    shift
    PCAP="$TMPD/$name.pcap"
    start_serve tap "pl-$name" --pcap "$PCAP" "$@"
    echo_once 300000
    stop_serve
    MAXLEN=$(timeout 60 tshark -n -r "$PCAP" -T fields -e frame.len | sort -n | tail -1)
    SENT=$(timeout 60 tshark -n -r "$PCAP" -Y "ip.src == $SYNACK_ADDR && tcp.srcport == 7" -T fields -e tcp.len |
        awk '{ s += $1 } END { print s + 0 }')
}
wire_case off
((MAXLEN > 1514)) || fail "without --pcap-wire the capture shows no offload frame (largest $MAXLEN): the check below could not fail"
((SENT == 300000)) || fail "without --pcap-wire synack's frames carry $SENT bytes, expected 300000"
log "plain --pcap: offload frames up to $MAXLEN bytes"

wire_case wire --pcap-wire
((MAXLEN <= 1514)) || fail "with --pcap-wire the largest frame is $MAXLEN bytes"
((SENT == 300000)) || fail "with --pcap-wire synack's segments carry $SENT bytes, expected 300000"
bad=$(timeout 60 tshark -n -r "$PCAP" -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE \
    -Y "ip.checksum.status == \"Bad\" || tcp.checksum.status == \"Bad\" || _ws.expert.severity >= error" | wc -l)
((bad == 0)) || { timeout 60 tshark -n -r "$PCAP" -o tcp.check_checksum:TRUE -Y "tcp.checksum.status == \"Bad\"" | head >&2; fail "$bad frames with bad checksums or errors"; }
good=$(tshark_count "$PCAP" "tcp.srcport == 7 && tcp.len > 0")
# synack's frames on the connection carry consecutive IP IDs: each cut segment the next one, as
# Linux's GSO writes them, and the stack keeps them for the frame, so none is reused.
python3 - "$PCAP" <<'PY' || fail "IP IDs of cut segments do not count up"
import struct, sys
d = open(sys.argv[1], "rb").read()
off, ids = 24, []
while off + 16 <= len(d):
    _, _, cap, _ = struct.unpack_from("<IIII", d, off)
    f = d[off + 16: off + 16 + cap]
    off += 16 + cap
    if len(f) >= 54 and f[12:14] == b"\x08\x00" and f[23] == 6 and struct.unpack_from(">H", f, 34)[0] == 7:
        ids.append(struct.unpack_from(">H", f, 18)[0])
steps = [(b - a) & 0xffff for a, b in zip(ids, ids[1:])]
bad = [s for s in steps if s != 1]
if len(ids) < 100 or bad:
    print("%d frames from port 7, steps other than 1: %s" % (len(ids), bad[:20]), file=sys.stderr)
    sys.exit(1)
PY
log "--pcap-wire: $good data segments, none over 1514 bytes, every checksum good, IP IDs consecutive"
pass
