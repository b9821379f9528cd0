#!/usr/bin/env bash
# IPv6 against the Linux kernel over TAP and TUN (documentation prefix 2001:db8::/32 only):
#  - the kernel resolves synack by Neighbor Discovery and pings it (also with 3000-byte payloads,
#    fragmented both ways and reassembled); synack's neighbour entry in the kernel has its MAC;
#  - curl -g http://[2001:db8::2]/ and curl to the IPv4 address reach the same dual-stack listener;
#  - Linux's nc -6 talks to synack's TCP echo (1 MB back whole) and UDP echo;
#  - synack's own client (synack nc, synack get) reaches a kernel server over IPv6, resolving the
#    kernel by ND;
#  - over TUN (raw IPv6, no ND) ping -6 and the echo service work too;
#  - tshark reads synack's captures with no malformed frame and sees ND both ways;
#  - synack ladder draws the TAP capture's connections of both families (IPv6 ends in brackets);
#  - synack ss lists an IPv6 connection and the dual-stack listener as Linux's ss would;
#  - --pcap-wire cuts IPv6 offload frames into wire segments with good TCP checksums.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_init "${1:-}" ping curl nc tshark sha256sum python3

nsx sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0
S6=2001:db8::2
H6=2001:db8::1
WWW="$TMPD/www"
mkdir -p "$WWW"
head -c 200000 /dev/urandom >"$WWW/f.bin"
PCAP="$TMPD/tap.pcap"

start_serve tap s6-tap --addr "$S6/64" --host-addr "$H6/64" --http-root "$WWW" --pcap "$PCAP" \
    --ctl "$TMPD/ctl.sock"
grep -q " $S6/64" "$SERVE_LOG" || fail "serve does not report its IPv6 address: $(grep ' up, ' "$SERVE_LOG")"
grep -q " fe80::" "$SERVE_LOG" || fail "serve does not report a link-local address"

out=$(nsx timeout 20 ping -6 -c 5 -i 0.2 "$S6") || { echo "$out" >&2; fail "ping -6 $S6 failed"; }
echo "$out" | grep -q " 0% packet loss" || { echo "$out" >&2; fail "ping -6 lost replies"; }
neigh=$(nsx ip -6 neigh show "$S6" dev s6-tap)
[[ "$neigh" =~ lladdr\ 02: ]] || fail "kernel has no ND entry with synack's MAC for $S6: '$neigh'"
log "kernel neighbour entry: $neigh"
out=$(nsx timeout 20 ping -6 -c 3 -i 0.2 -s 3000 "$S6") || { echo "$out" >&2; fail "ping -6 -s 3000 failed"; }
echo "$out" | grep -q " 0% packet loss" || { echo "$out" >&2; fail "fragmented ping -6 lost replies"; }
echo "$out" | grep -q "3008 bytes from" || { echo "$out" >&2; fail "fragmented ping -6: no 3008-byte replies"; }
log "ping -6 (56 and 3000 bytes): all replies"

nsx timeout 30 curl -sSf -g -o "$TMPD/c6.bin" "http://[$S6]/f.bin" || fail "curl -g http://[$S6]/f.bin failed"
[[ "$(sha256 "$TMPD/c6.bin")" == "$(sha256 "$WWW/f.bin")" ]] || fail "curl over IPv6: SHA-256 differs"
nsx timeout 30 curl -sSf -o "$TMPD/c4.bin" "http://$SYNACK_ADDR/f.bin" || fail "curl over IPv4 failed"
[[ "$(sha256 "$TMPD/c4.bin")" == "$(sha256 "$WWW/f.bin")" ]] || fail "curl over IPv4: SHA-256 differs"
log "curl over IPv6 and IPv4 to the same listener: SHA-256 match"

head -c 1000000 /dev/urandom >"$TMPD/echo.in"
nsx timeout 30 nc -6 -N "$S6" 7 <"$TMPD/echo.in" >"$TMPD/echo.out" || fail "nc -6 echo failed"
[[ "$(sha256 "$TMPD/echo.in")" == "$(sha256 "$TMPD/echo.out")" ]] || fail "nc -6 TCP echo: $(stat -c %s "$TMPD/echo.out") bytes back"
got=$(nsx timeout 10 python3 - "$S6" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.settimeout(3)
s.sendto(b"hello over ipv6", (sys.argv[1], 7))
print(s.recvfrom(100)[0].decode())
PY
) || fail "UDP echo over IPv6 got no answer"
[[ "$got" == "hello over ipv6" ]] || fail "UDP echo over IPv6 answered '$got'"
log "nc -6 TCP echo 1 MB and UDP echo over IPv6: intact"

# synack as the client: the kernel listens on its IPv6 address; synack nc connects (ND from synack).
"$SYNACK" ss --ctl "$TMPD/ctl.sock" >"$TMPD/ss.out" || fail "synack ss failed"
stop_serve
start_bg ncl sh -c "timeout 20 nc -6 -l -p 9000 > $TMPD/kernel.got"
sleep 0.3
printf 'from synack over ipv6\n' | nsx timeout 30 "$SYNACK" nc --tap s6-tap --addr "$S6/64" --host-addr "$H6/64" \
    --pcap "$TMPD/nc.pcap" "$H6" 9000 || fail "synack nc to [$H6]:9000 failed"
sleep 0.5
grep -q "from synack over ipv6" "$TMPD/kernel.got" || fail "the kernel's nc did not receive synack's line: '$(cat "$TMPD/kernel.got")'"
log "synack nc -> kernel nc over IPv6: delivered"

# TUN: raw IPv6 packets, no ND.
start_serve tun s6-tun --addr "$S6/64" --host-addr "$H6/64" --pcap "$TMPD/tun.pcap"
out=$(nsx timeout 20 ping -6 -c 3 -i 0.2 "$S6") || { echo "$out" >&2; fail "ping -6 over TUN failed"; }
nsx timeout 30 nc -6 -N "$S6" 7 <"$TMPD/echo.in" >"$TMPD/echo2.out" || fail "nc -6 echo over TUN failed"
[[ "$(sha256 "$TMPD/echo.in")" == "$(sha256 "$TMPD/echo2.out")" ]] || fail "nc -6 TCP echo over TUN differs"
stop_serve
log "TUN: ping -6 and nc -6 echo"

for f in "$PCAP" "$TMPD/nc.pcap" "$TMPD/tun.pcap"; do
    n=$(tshark_count "$f" "_ws.malformed || _ws.expert.severity == error")
    ((n == 0)) || { timeout 60 tshark -n -r "$f" -Y "_ws.malformed || _ws.expert.severity == error" | head >&2; fail "$f: $n malformed frames"; }
done
ns=$(tshark_count "$PCAP" "icmpv6.type == 135")
na=$(tshark_count "$PCAP" "icmpv6.type == 136")
((ns >= 1 && na >= 1)) || fail "no ND exchange in the TAP capture (NS $ns, NA $na)"
n6=$(tshark_count "$PCAP" "ipv6 && tcp")
((n6 > 10)) || fail "the TAP capture holds only $n6 TCP-over-IPv6 frames"
log "tshark: no malformed frame; ND $ns NS / $na NA; $n6 TCP segments over IPv6"

# synack ladder on the TAP capture: the IPv6 connections (curl -g to :80, nc -6 to :7) and the IPv4
# one to the same dual-stack listener, each with its handshake and states.
"$SYNACK" ladder --conn all --no-color "$PCAP" >"$TMPD/ladder.out" 2>&1 ||
    { cat "$TMPD/ladder.out" >&2; fail "synack ladder $PCAP failed"; }
for want in "\\[$H6\\]:[0-9]+ > \\[$S6\\]:80 " "\\[$H6\\]:[0-9]+ > \\[$S6\\]:7 " "$HOST_ADDR:[0-9]+ > $SYNACK_ADDR:80 "; do
    grep -qE "^ +[0-9]+  $want" "$TMPD/ladder.out" || { head -30 "$TMPD/ladder.out" >&2; fail "synack ladder lists no connection '$want'"; }
done
grep -qE "^── connection [0-9]+: \\[$H6\\]:[0-9]+ > \\[$S6\\]:7, " "$TMPD/ladder.out" || fail "synack ladder draws no IPv6 ladder"
grep -qE "SYN-SENT +──S seq 0 " "$TMPD/ladder.out" || fail "synack ladder draws no handshake"
grep -q "TIME-WAIT" "$TMPD/ladder.out" || fail "synack ladder infers no TIME-WAIT"
log "synack ladder: $(grep -cE '^ +[0-9]+  \[' "$TMPD/ladder.out" || true) IPv6 and $(grep -cE '^ +[0-9]+  [0-9]' "$TMPD/ladder.out" || true) IPv4 connections drawn from the TAP capture"

# synack ss: an IPv6 connection held open by the kernel's nc, beside the dual-stack listener; and
# --pcap-wire: a 1 MB echo over IPv6 recorded as the wire carries it.
WIRE="$TMPD/wire6.pcap"
start_serve tap s6-tap --addr "$S6/64" --host-addr "$H6/64" --ctl "$TMPD/ctl2.sock" --pcap "$WIRE" --pcap-wire
nsx timeout 30 nc -6 -N "$S6" 7 <"$TMPD/echo.in" >"$TMPD/echo3.out" || fail "nc -6 echo with --pcap-wire failed"
[[ "$(sha256 "$TMPD/echo.in")" == "$(sha256 "$TMPD/echo3.out")" ]] || fail "nc -6 TCP echo with --pcap-wire differs"
start_bg hold sh -c "sleep 5 | nc -6 $S6 7"
for ((i = 0; i < 50; i++)); do
    "$SYNACK" ss --ctl "$TMPD/ctl2.sock" >"$TMPD/ss6.out" || fail "synack ss failed"
    grep -qE "^ESTABLISHED .* \\[$S6\\]:7 +\\[$H6\\]:[0-9]+ " "$TMPD/ss6.out" && break
    sleep 0.1
done
grep -qE "^ESTABLISHED .* \\[$S6\\]:7 +\\[$H6\\]:[0-9]+ " "$TMPD/ss6.out" || { cat "$TMPD/ss6.out" >&2; fail "synack ss lists no IPv6 connection"; }
grep -qE "^LISTEN .* \\*:7 +\\*:\\* " "$TMPD/ss6.out" || { cat "$TMPD/ss6.out" >&2; fail "synack ss does not show the dual-stack listener as *:7"; }
stop_serve
log "synack ss: the IPv6 connection [$S6]:7 <- [$H6] and the listener *:7"
big=$(tshark_count "$WIRE" "ipv6 && tcp && frame.len > 1514")
bad=$(timeout 60 tshark -n -o tcp.check_checksum:TRUE -r "$WIRE" -Y "ipv6 && tcp && tcp.checksum.status != 1" 2>/dev/null | wc -l)
full=$(tshark_count "$WIRE" "ipv6 && tcp && ipv6.src == $S6 && frame.len == 1514")
((big == 0 && bad == 0 && full > 100)) ||
    fail "--pcap-wire over IPv6: $big frames beyond the MTU, $bad with a bad TCP checksum, $full full-sized segments"
log "--pcap-wire over IPv6: $full full-sized segments from synack, none beyond the MTU, every TCP checksum good"
pass
