#!/usr/bin/env bash
# DNS over IPv6 and AAAA records against real programs, in a namespace of its own (2001:db8::/32
# and TEST-NET-1 only):
#  (a) our authoritative server (`synack serve --dns-zone`, its sockets bound to ::) answers dig over
#      IPv6: AAAA (authoritative, with the address), A, a name with AAAA only asked for A (NODATA
#      with the SOA), and AAAA over TCP (dig +tcp);
#  (b) our stub resolver (`synack resolve`) against dnsmasq listening on the kernel's 2001:db8::1
#      only, so every query travels over IPv6: a name with both records (both printed, IPv6 first:
#      the stack has a global IPv6 address), a name with A only and one with AAAA only (each an
#      answer, not a failure; dnsmasq is local for test., so the other type is NODATA), -4 and -6,
#      -6 for a name without AAAA (NODATA, worded as host(1)), and a missing name (NXDOMAIN);
#      dnsmasq logs A and AAAA queries from 2001:db8::2;
#  (c) `synack get` by name: a host with an AAAA record only (the kernel's HTTP server on
#      [2001:db8::1]), and a name whose first address refuses the connection (IPv6, nothing
#      listening) and whose second (IPv4) serves: the next address is tried; `synack nc` the same
#      (a kernel listener on IPv6 only for an AAAA-only name; -4 to the IPv4 one; fallback).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_init "${1:-}" dig dnsmasq python3

nsx sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0
S6=2001:db8::2
H6=2001:db8::1

# ---------------- (a) dig over IPv6 against synack serve --dns-zone ----------------
ZONE="$TMPD/example.test.zone"
cat >"$ZONE" <<'Z'
$ORIGIN example.test.
$TTL 300
@       IN SOA ns hostmaster 2024010101 3600 600 86400 60
        IN NS  ns
ns      IN A   192.0.2.2
www     IN A   192.0.2.77
        IN AAAA 2001:db8::77
v6only  IN AAAA 2001:db8::66
Z
start_serve tap sd6-dns --addr "$S6/64" --host-addr "$H6/64" --dns-zone "$ZONE"
digq() {   # digq NAME TYPE [dig options...]: answer in $TMPD/dig.out
    local name=$1 type=$2
    shift 2
    nsx timeout 10 dig @"$S6" -p 53 +time=2 +tries=2 "$@" "$name" "$type" >"$TMPD/dig.out" 2>&1 ||
        { cat "$TMPD/dig.out" >&2; fail "dig @$S6 $name $type $* failed"; }
}
digq www.example.test AAAA
grep -q 'status: NOERROR' "$TMPD/dig.out" && grep -qE 'flags: qr aa' "$TMPD/dig.out" ||
    { cat "$TMPD/dig.out" >&2; fail "www AAAA over IPv6: not an authoritative NOERROR"; }
grep -qE '^www\.example\.test\.\s+300\s+IN\s+AAAA\s+2001:db8::77$' "$TMPD/dig.out" ||
    { cat "$TMPD/dig.out" >&2; fail "www AAAA over IPv6: no AAAA 2001:db8::77"; }
grep -q "SERVER: $S6#53" "$TMPD/dig.out" || fail "dig's answer did not come from $S6"
digq www.example.test A
grep -qE '^www\.example\.test\.\s+300\s+IN\s+A\s+192\.0\.2\.77$' "$TMPD/dig.out" || fail "www A over IPv6: no A record"
digq v6only.example.test A
grep -q 'status: NOERROR' "$TMPD/dig.out" && grep -q 'ANSWER: 0' "$TMPD/dig.out" && grep -qE 'IN\s+SOA' "$TMPD/dig.out" ||
    { cat "$TMPD/dig.out" >&2; fail "v6only A: expected NODATA with the SOA"; }
digq www.example.test AAAA +tcp
grep -qE '^www\.example\.test\.\s+300\s+IN\s+AAAA\s+2001:db8::77$' "$TMPD/dig.out" && grep -q '(TCP)' "$TMPD/dig.out" ||
    { cat "$TMPD/dig.out" >&2; fail "dig +tcp AAAA over IPv6 failed"; }
log "dig @$S6: AAAA (aa), A, NODATA for an AAAA-only name, and AAAA over TCP"
stop_serve

# ---------------- (b) synack resolve against dnsmasq over IPv6 ----------------
DEV=sd6-res
nsx ip tuntap add dev "$DEV" mode tap
nsx ip addr add "$HOST_ADDR/$NET_PREFIX" dev "$DEV"
nsx ip -6 addr add "$H6/64" dev "$DEV" nodad
nsx ip link set "$DEV" up
DNSMASQ_LOG="$TMPD/dnsmasq.log"
start_bg dnsmasq dnsmasq --no-daemon --no-resolv --no-hosts --port=53 --listen-address="$H6" --bind-interfaces \
    -C /dev/null --pid-file= --log-queries --log-facility="$DNSMASQ_LOG" --local-ttl=60 \
    --host-record=both.test,192.0.2.77,2001:db8::77 --host-record=v4.test,192.0.2.44 \
    --host-record=v6.test,2001:db8::66 --host-record=web6.test,"$H6" \
    --host-record=fallback.test,"$HOST_ADDR","$H6" --local=/test/
DNSMASQ_PID=$BG_PID
for ((i = 0; i < 50; i++)); do
    nsx timeout 2 dig @"$H6" +time=1 +tries=1 +short both.test AAAA 2>/dev/null | grep -q 2001:db8::77 && break
    kill -0 "$DNSMASQ_PID" 2>/dev/null || { cat "$TMPD/dnsmasq.out" >&2; fail "dnsmasq exited during start-up"; }
    sleep 0.1
done
((i < 50)) || { cat "$TMPD/dnsmasq.out" >&2; fail "dnsmasq did not answer on $H6 within 5 s"; }
log "dnsmasq up on [$H6]:53"

resolve() {   # resolve NAME [options...]: stdout in $TMPD/res.out, stderr in $TMPD/res.err, exit in RES_RC
    local name=$1
    shift
    RES_RC=0
    nsx timeout 30 "$SYNACK" resolve "$name" --tap "$DEV" --addr "$SYNACK_ADDR/$NET_PREFIX" --addr "$S6/64" \
        --dns "$H6" --ctl "$TMPD/res.sock" "$@" >"$TMPD/res.out" 2>"$TMPD/res.err" || RES_RC=$?
}
expect() {   # expect WHAT LINES...: exit 0 and exactly LINES on stdout
    local what=$1
    shift
    local want
    want=$(printf '%s\n' "$@")
    ((RES_RC == 0)) && [[ "$(cat "$TMPD/res.out")" == "$want" ]] ||
        { cat "$TMPD/res.err" >&2; fail "resolve $what: exit $RES_RC, printed '$(tr '\n' ' ' <"$TMPD/res.out")', want '$*'"; }
    log "resolve $what: $*"
}
resolve both.test -v
expect both.test 2001:db8::77 192.0.2.77
resolve v4.test
expect "v4.test (A only)" 192.0.2.44
resolve v6.test
expect "v6.test (AAAA only)" 2001:db8::66
resolve both.test -4
expect "-4 both.test" 192.0.2.77
resolve both.test -6
expect "-6 both.test" 2001:db8::77
resolve v4.test -6
((RES_RC == 1)) && grep -qxF 'synack resolve: v4.test has no AAAA record' "$TMPD/res.err" ||
    { cat "$TMPD/res.err" >&2; fail "resolve -6 v4.test: exit $RES_RC, want 1 and 'v4.test has no AAAA record'"; }
log "resolve -6 v4.test: '$(cat "$TMPD/res.err")'"
resolve nowhere.test
((RES_RC == 1)) && grep -qxF 'synack resolve: Host nowhere.test not found: 3(NXDOMAIN)' "$TMPD/res.err" ||
    { cat "$TMPD/res.err" >&2; fail "resolve nowhere.test: exit $RES_RC"; }
for t in A AAAA; do
    grep -qE "query\[$t\] both\.test from $S6" "$DNSMASQ_LOG" ||
        { cat "$DNSMASQ_LOG" >&2; fail "dnsmasq logged no $t query for both.test from $S6"; }
done
log "dnsmasq saw A and AAAA queries from $S6"

# ---------------- (c) synack get by name over IPv6 ----------------
mkdir -p "$TMPD/www"
echo "served over ipv6" >"$TMPD/www/six.txt"
echo "served over ipv4" >"$TMPD/www/four.txt"
start_bg http6 python3 -m http.server 8080 --bind "$H6" --directory "$TMPD/www"
start_bg http4 python3 -m http.server 8081 --bind "$HOST_ADDR" --directory "$TMPD/www"
for ((i = 0; i < 50; i++)); do
    nsx timeout 2 python3 -c "import socket; socket.create_connection(('$H6', 8080), 1); socket.create_connection(('$HOST_ADDR', 8081), 1)" 2>/dev/null && break
    sleep 0.1
done
((i < 50)) || fail "the kernel's HTTP servers did not start"
get() {   # get URL [options...]: body in $TMPD/get.out, stderr in $TMPD/get.err, exit in GET_RC
    local url=$1
    shift
    GET_RC=0
    nsx timeout 60 "$SYNACK" get "$url" --tap "$DEV" --addr "$SYNACK_ADDR/$NET_PREFIX" --addr "$S6/64" \
        --dns "$H6" --hosts /dev/null --ctl "$TMPD/get.sock" -s -S "$@" >"$TMPD/get.out" 2>"$TMPD/get.err" || GET_RC=$?
}
get http://web6.test:8080/six.txt
((GET_RC == 0)) && [[ "$(cat "$TMPD/get.out")" == "served over ipv6" ]] ||
    { cat "$TMPD/get.err" >&2; fail "get http://web6.test:8080/ (AAAA only): exit $GET_RC"; }
log "get http://web6.test:8080/six.txt: a host with only an AAAA record, reached"
# fallback.test: [2001:db8::1] first (nothing on 8081 there: refused), then 192.0.2.1:8081.
get http://fallback.test:8081/four.txt -v
((GET_RC == 0)) && [[ "$(cat "$TMPD/get.out")" == "served over ipv4" ]] ||
    { cat "$TMPD/get.err" >&2; fail "get http://fallback.test:8081/: exit $GET_RC"; }
grep -q "failed to connect to $H6 port 8081" "$TMPD/get.err" ||
    { cat "$TMPD/get.err" >&2; fail "get fallback.test: the IPv6 address was not tried first"; }
log "get http://fallback.test:8081/: IPv6 refused, then IPv4 served"

# ---------------- (d) synack nc by name ----------------
cat >"$TMPD/sink.py" <<'PY'
import socket, sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(1)
print("ready", flush=True)
c, _ = s.accept()
data = b""
while True:
    b = c.recv(4096)
    if not b:
        break
    data += b
print(data.decode().strip(), flush=True)
PY
ncto() {   # ncto NAME PORT LISTEN-ADDR [nc options...]: a line to a kernel listener on LISTEN-ADDR:PORT
    local name=$1 port=$2 laddr=$3
    shift 3
    start_bg "sink$port" python3 "$TMPD/sink.py" "$laddr" "$port"
    for ((i = 0; i < 50; i++)); do grep -q ready "$TMPD/sink$port.out" && break; sleep 0.1; done
    printf 'hello %s\n' "$name" | nsx timeout 30 "$SYNACK" nc --tap "$DEV" --addr "$SYNACK_ADDR/$NET_PREFIX" \
        --addr "$S6/64" --dns "$H6" --hosts /dev/null --ctl "$TMPD/nc.sock" -v "$@" "$name" "$port" \
        2>"$TMPD/nc.err" || { cat "$TMPD/nc.err" >&2; fail "synack nc $* $name $port failed"; }
    for ((i = 0; i < 50; i++)); do grep -q "hello $name" "$TMPD/sink$port.out" && break; sleep 0.1; done
    grep -q "hello $name" "$TMPD/sink$port.out" || { cat "$TMPD/nc.err" >&2; fail "nc $name $port: nothing arrived"; }
}
ncto web6.test 9000 "$H6"
grep -q "connected to $H6 port 9000" "$TMPD/nc.err" || { cat "$TMPD/nc.err" >&2; fail "nc web6.test: not over IPv6"; }
ncto fallback.test 9001 "$HOST_ADDR" -4
grep -q "connecting to $H6" "$TMPD/nc.err" && { cat "$TMPD/nc.err" >&2; fail "nc -4 fallback.test tried the IPv6 address"; }
ncto fallback.test 9002 "$HOST_ADDR"
grep -q "connect to $H6 port 9002 (tcp) failed" "$TMPD/nc.err" && grep -q "connected to $HOST_ADDR port 9002" "$TMPD/nc.err" ||
    { cat "$TMPD/nc.err" >&2; fail "nc fallback.test: not IPv6 refused, then IPv4"; }
log "nc by name: AAAA-only host over IPv6; -4; IPv6 refused, then IPv4"

pass
