#!/usr/bin/env bash
# DNS against real programs, in a namespace of its own, TEST-NET-1 only:
#  (a) our authoritative server: `synack serve --dns-zone FILE` answers dig (BIND's client) with
#      the zone's A records (authoritative, AA), follows a CNAME inside the zone, says NXDOMAIN
#      and NODATA with the SOA (RFC 2308), REFUSED outside the zone, answers with and without
#      EDNS, answers malformed queries with FORMERR, and answers over TCP (dig +tcp, and three
#      queries on one connection with +keepopen);
#  (b) our stub resolver: `synack resolve` against dnsmasq listening on the kernel's side of a
#      TAP, for a name dnsmasq answers (192.0.2.77), a name it says does not exist (NXDOMAIN), a
#      hosts-file name (no DNS query at all), an address literal, and a server that is not there
#      (timeout). dnsmasq logs every query: ours come from 192.0.2.2, each from its own port.
#      Then a name with 100 addresses, whose UDP answer dnsmasq truncates: asked again over TCP;
#      and the cache: a name asked twice within its TTL (2 s) sends one query, after it two.
#  (c) every way a lookup fails, each reported by the resolver as its own outcome and printed as
#      host(1) prints it (and, where host(1) is installed, checked against host's own line for the
#      same name and server): NXDOMAIN and NODATA and REFUSED from dnsmasq, SERVFAIL and FORMERR
#      from a small server of the test's own, an ICMP port unreachable where nothing listens,
#      silence (timeout), a truncated answer whose query over TCP is refused, and two servers
#      failing differently, each named.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_init "${1:-}" dig dnsmasq socat tshark python3

# ---------------- (a) dig against synack serve --dns-zone ----------------
# (the help through a file: grep -q stops reading at the match, and under pipefail the writer's
# SIGPIPE would read as "no such option")
"$SYNACK" serve --help >"$TMPD/serve-help.txt"
grep -q -- '--dns-zone' "$TMPD/serve-help.txt" || skip "this synack serve has no --dns-zone"
ZONE="$TMPD/example.test.zone"
cat >"$ZONE" <<'EOF'
; the zone synack serves in this test
$ORIGIN example.test.
$TTL 300
@       IN SOA ns hostmaster (
            2024010101 3600 600 86400 60 )
        IN NS  ns
ns      IN A   192.0.2.2
www     IN A   192.0.2.77
        IN A   192.0.2.78
alias   IN CNAME www
EOF
start_serve tap sd-dns0 --dns-zone "$ZONE" --pcap "$TMPD/dns.pcap"

digq() {   # digq NAME TYPE [dig options...]: full answer text in $TMPD/dig.out
    local name=$1 type=$2
    shift 2
    nsx timeout 10 dig @"$SYNACK_ADDR" -p 53 +time=2 +tries=2 "$@" "$name" "$type" >"$TMPD/dig.out" 2>&1 ||
        { cat "$TMPD/dig.out" >&2; fail "dig $name $type $* failed"; }
}
expect_status() {   # expect_status STATUS WHAT
    grep -q "status: $1" "$TMPD/dig.out" || { cat "$TMPD/dig.out" >&2; fail "$2: expected status $1"; }
}

digq www.example.test A
expect_status NOERROR "www A"
grep -qE 'flags: qr aa( |;)' "$TMPD/dig.out" || { cat "$TMPD/dig.out" >&2; fail "www A: not authoritative (no aa)"; }
got=$(awk '$4 == "A" {print $5}' "$TMPD/dig.out" | sort | tr '\n' ' ')
[[ "$got" == "192.0.2.77 192.0.2.78 " ]] || { cat "$TMPD/dig.out" >&2; fail "www A: got '$got'"; }
grep -q 'EDNS: version: 0' "$TMPD/dig.out" || fail "www A: no EDNS OPT in the answer to an EDNS query"
log "dig www.example.test A: $got(NOERROR, aa, EDNS)"

digq WWW.Example.Test A +noedns
got=$(awk '$4 == "A" {print $5}' "$TMPD/dig.out" | sort | tr '\n' ' ')
[[ "$got" == "192.0.2.77 192.0.2.78 " ]] || { cat "$TMPD/dig.out" >&2; fail "WWW.Example.Test A +noedns: got '$got'"; }
grep -q 'EDNS' "$TMPD/dig.out" && fail "an answer to a query without EDNS carried an OPT"
log "dig WWW.Example.Test A +noedns: same answer, no OPT"

digq alias.example.test A
expect_status NOERROR "alias A"
grep -qE '^alias\.example\.test\.\s+300\s+IN\s+CNAME\s+www\.example\.test\.' "$TMPD/dig.out" ||
    { cat "$TMPD/dig.out" >&2; fail "alias A: no CNAME to www"; }
n=$(awk '$4 == "A"' "$TMPD/dig.out" | wc -l)
((n == 2)) || { cat "$TMPD/dig.out" >&2; fail "alias A: $n A records after the CNAME, expected 2"; }
log "dig alias.example.test A: CNAME www, then its 2 A records"

digq missing.example.test A
expect_status NXDOMAIN "missing A"
grep -qE '^example\.test\.\s+60\s+IN\s+SOA\s' "$TMPD/dig.out" ||
    { cat "$TMPD/dig.out" >&2; fail "missing A: no SOA with the negative TTL (60) in authority"; }
log "dig missing.example.test A: NXDOMAIN, SOA in authority with TTL 60 (RFC 2308)"

digq www.example.test NS
expect_status NOERROR "www NS"
grep -q 'ANSWER: 0' "$TMPD/dig.out" || fail "www NS: expected no answer (NODATA)"
grep -qE 'IN\s+SOA' "$TMPD/dig.out" || fail "www NS: no SOA in authority"
log "dig www.example.test NS: NODATA (NOERROR, no answer, SOA)"

digq example.test SOA
expect_status NOERROR "SOA"
grep -qE '^example\.test\.\s+300\s+IN\s+SOA\s+ns\.example\.test\.\s+hostmaster\.example\.test\.\s+2024010101 3600 600 86400 60' \
    "$TMPD/dig.out" || { cat "$TMPD/dig.out" >&2; fail "the SOA came back wrong"; }

digq www.example.com A
expect_status REFUSED "out-of-zone name"
log "dig www.example.com A: REFUSED (not our zone)"

# The queries of an EDNS compliance report (RFC 6891), as dig sends them.
digq example.test SOA +norec +edns=1 +noednsneg
expect_status BADVERS "EDNS version 1"
grep -q 'EDNS: version: 0' "$TMPD/dig.out" || fail "BADVERS without our OPT at version 0"
digq example.test SOA +norec +edns=1 +noednsneg +ednsopt=100:01020304
expect_status BADVERS "EDNS version 1 with an unknown option"
digq example.test SOA +norec +ednsopt=100:01020304
expect_status NOERROR "an unknown EDNS option"
grep -q '^; OPT=100' "$TMPD/dig.out" && { cat "$TMPD/dig.out" >&2; fail "the unknown EDNS option was echoed"; }
digq example.test SOA +norec +ednsflags=0x80
expect_status NOERROR "an unknown EDNS flag"
grep -qE 'EDNS: version: 0, flags:.*(MBZ|0x)' "$TMPD/dig.out" && fail "the unknown EDNS flag was echoed"
digq example.test SOA +norec +dnssec
grep -qE 'EDNS: version: 0, flags: do;' "$TMPD/dig.out" || fail "DO not echoed"
digq example.test SOA +norec +zflag
expect_status NOERROR "the header's Z bit"
grep -q 'MBZ' "$TMPD/dig.out" && fail "the Z bit came back set"
digq example.test TYPE65280 +norec
expect_status NOERROR "an unknown type"
grep -q 'ANSWER: 0, AUTHORITY: 1' "$TMPD/dig.out" || fail "an unknown type: not NODATA with the SOA"
for cls in CH ANY; do
    digq www.example.test A -c "$cls"
    expect_status REFUSED "class $cls"
done
log "EDNS: version 1 BADVERS (with an option too), unknown option and flag not echoed, DO echoed, Z clear; unknown type NODATA; classes CH and ANY REFUSED"

# Malformed queries get FORMERR, the header alone with the query's ID (RFC 1035 4.1.1): a question
# that is not there, two questions (RFC 9619), a label of 64 octets, a name of 321 octets.
formerr() {   # formerr WHAT HEX-BYTES
    printf '%b' "$2" | nsx timeout 5 socat -T 1 - "UDP:$SYNACK_ADDR:53" >"$TMPD/bad.out" 2>/dev/null || true
    [[ "$(od -An -tx1 -N4 "$TMPD/bad.out" | tr -d ' \n')" == 12348101 ]] ||
        fail "$1: no FORMERR answer (got $(od -An -tx1 "$TMPD/bad.out" | tr -d '\n'))"
}
formerr "a missing question" '\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x03ww'
q='\x03www\x07example\x04test\x00\x00\x01\x00\x01'
formerr "two questions" "\x12\x34\x01\x00\x00\x02\x00\x00\x00\x00\x00\x00$q$q"
l64=$(printf 'a%.0s' $(seq 64))
formerr "a label of 64 octets" "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x40$l64\x00\x00\x01\x00\x01"
l63=$(printf 'b%.0s' $(seq 63))
formerr "a name of 321 octets" "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00$(printf '\\x3f%s' $l63 $l63 $l63 $l63 $l63)\x00\x00\x01\x00\x01"
log "malformed queries (no question, two questions, a 64-octet label, a 321-octet name): FORMERR"

# Over TCP (RFC 7766): dig +tcp, and two names on one connection with +keepopen.
digq www.example.test A +tcp
got=$(awk '$4 == "A" {print $5}' "$TMPD/dig.out" | sort | tr '\n' ' ')
[[ "$got" == "192.0.2.77 192.0.2.78 " ]] || { cat "$TMPD/dig.out" >&2; fail "dig +tcp www A: got '$got'"; }
grep -q 'TCP' "$TMPD/dig.out" || fail "dig +tcp did not use TCP"
nsx timeout 10 dig @"$SYNACK_ADDR" +tcp +keepopen +time=2 +tries=1 www.example.test A alias.example.test A \
    missing.example.test A >"$TMPD/keep.out" 2>&1 || { cat "$TMPD/keep.out" >&2; fail "dig +tcp +keepopen failed"; }
n=$(grep -c 'status: NOERROR' "$TMPD/keep.out" || true)
((n == 2)) && grep -q 'status: NXDOMAIN' "$TMPD/keep.out" || { cat "$TMPD/keep.out" >&2; fail "dig +keepopen: wrong answers"; }
syns=$( (timeout 60 tshark -n -r "$TMPD/dns.pcap" -Y 'tcp.dstport == 53 && tcp.flags.syn == 1 && tcp.flags.ack == 0' 2>/dev/null || true) | wc -l)
((syns == 2)) || fail "two dig +tcp runs made $syns TCP connections, expected 2 (one per dig)"
log "dig +tcp: the A records; dig +tcp +keepopen: 3 queries answered on 1 connection"

serve_alive
stop_serve
line=$(grep 'synack serve: DNS:' "$SERVE_LOG" || true)
[[ "$line" =~ ([0-9]+)\ queries\ answered,\ ([0-9]+)\ dropped ]] || fail "serve did not report its DNS counters"
((BASH_REMATCH[1] >= 15 && BASH_REMATCH[2] == 0)) || fail "serve counted: $line (expected >= 15 answered, 0 dropped)"
log "serve: ${BASH_REMATCH[1]} answered, ${BASH_REMATCH[2]} dropped"

# ---------------- (b) synack resolve against dnsmasq ----------------
# A persistent TAP with the kernel's address, so dnsmasq can bind to 192.0.2.1 before any synack
# process attaches; each `synack resolve` then attaches, asks, and leaves.
DEV=sd-res0
nsx ip tuntap add dev "$DEV" mode tap
nsx ip addr add "$HOST_ADDR/$NET_PREFIX" dev "$DEV"
nsx ip link set "$DEV" up
DNSMASQ_LOG="$TMPD/dnsmasq.log"
# big.test has 100 addresses: more than 1232 bytes, so dnsmasq truncates its UDP answer.
# txt.nd.test has a TXT record only, in a domain dnsmasq answers for itself: an A query gets NODATA.
for ((i = 1; i <= 100; i++)); do echo "10.9.0.$i big.test"; done >"$TMPD/big.hosts"
start_bg dnsmasq dnsmasq --no-daemon --no-resolv --no-hosts --port=53 --listen-address="$HOST_ADDR" \
    --address=/example.test/192.0.2.77 --address=/nx.test/ --bind-interfaces -C /dev/null \
    --addn-hosts="$TMPD/big.hosts" --local-ttl=2 --local=/nd.test/ --txt-record=txt.nd.test,hello \
    --pid-file= --log-queries --log-facility="$DNSMASQ_LOG"
DNSMASQ_PID=$BG_PID
for ((i = 0; i < 50; i++)); do
    nsx timeout 2 dig @"$HOST_ADDR" +time=1 +tries=1 +short www.example.test A 2>/dev/null | grep -q 192.0.2.77 && break
    kill -0 "$DNSMASQ_PID" 2>/dev/null || { cat "$TMPD/dnsmasq.out" >&2; fail "dnsmasq exited during start-up"; }
    sleep 0.1
done
((i < 50)) || { cat "$TMPD/dnsmasq.out" >&2; fail "dnsmasq did not answer within 5 s"; }
log "dnsmasq up on $HOST_ADDR:53"

NRES=0
# resolve NAME [options...]: stdout in $TMPD/res.out, stderr in $TMPD/res.err, exit in RES_RC.
# A records only (-4: this test counts A queries, ports, IDs and TCP connections; test_dns6.sh
# covers AAAA); RES_FAMILY= (empty) asks for both.
RES_FAMILY=-4
resolve() {
    local name=$1
    shift
    RES_RC=0
    NRES=$((NRES + 1))
    nsx timeout 30 "$SYNACK" resolve "$name" $RES_FAMILY --tap "$DEV" --addr "$SYNACK_ADDR/$NET_PREFIX" \
        --ctl "$TMPD/res.sock" --pcap "$TMPD/res$NRES.pcap" "$@" >"$TMPD/res.out" 2>"$TMPD/res.err" || RES_RC=$?
}

resolve www.example.test --dns "$HOST_ADDR" -v
((RES_RC == 0)) || { cat "$TMPD/res.err" >&2; fail "resolve www.example.test exited $RES_RC"; }
[[ "$(cat "$TMPD/res.out")" == "192.0.2.77" ]] || fail "resolve www.example.test printed '$(cat "$TMPD/res.out")'"
log "resolve www.example.test via dnsmasq: 192.0.2.77"

resolve Deep.Name.Example.Test --dns "$HOST_ADDR"
((RES_RC == 0)) && [[ "$(cat "$TMPD/res.out")" == "192.0.2.77" ]] ||
    { cat "$TMPD/res.err" >&2; fail "resolve Deep.Name.Example.Test: exit $RES_RC, '$(cat "$TMPD/res.out")'"; }

resolve gone.nx.test --dns "$HOST_ADDR"
((RES_RC == 1)) || fail "resolve gone.nx.test exited $RES_RC, expected 1"
grep -qxF 'synack resolve: Host gone.nx.test not found: 3(NXDOMAIN)' "$TMPD/res.err" ||
    { cat "$TMPD/res.err" >&2; fail "resolve gone.nx.test: no NXDOMAIN message"; }
[[ ! -s "$TMPD/res.out" ]] || fail "resolve gone.nx.test printed an address"
(($(wc -l <"$TMPD/res.err") == 1)) || { cat "$TMPD/res.err" >&2; fail "resolve's error is not one line"; }
log "resolve gone.nx.test: '$(cat "$TMPD/res.err")' (exit 1)"

echo "192.0.2.9   printer.local.test printer" >"$TMPD/hosts"
resolve PRINTER --dns "$HOST_ADDR" --hosts "$TMPD/hosts"
((RES_RC == 0)) && [[ "$(cat "$TMPD/res.out")" == "192.0.2.9" ]] ||
    { cat "$TMPD/res.err" >&2; fail "resolve PRINTER from the hosts file: exit $RES_RC, '$(cat "$TMPD/res.out")'"; }
log "resolve PRINTER: 192.0.2.9 from the hosts file"

resolve 192.0.2.33
((RES_RC == 0)) && [[ "$(cat "$TMPD/res.out")" == "192.0.2.33" ]] || fail "resolve of a literal failed"

# Nobody at 192.0.2.3: ARP goes unanswered, both attempts time out.
resolve www.example.test --dns 192.0.2.3 --timeout 300 --attempts 2
((RES_RC == 1)) && grep -qxF 'synack resolve: www.example.test: connection timed out; no servers could be reached' "$TMPD/res.err" ||
    { cat "$TMPD/res.err" >&2; fail "resolve with a missing server: exit $RES_RC"; }
log "resolve with no server at 192.0.2.3: '$(cat "$TMPD/res.err")'"

# What dnsmasq saw: our three DNS queries (not the hosts-file name), from 192.0.2.2.
grep -i 'printer' "$DNSMASQ_LOG" && fail "the hosts-file name reached DNS"
n=$(grep -cE "query\[A\] .* from $SYNACK_ADDR" "$DNSMASQ_LOG" || true)
((n == 3)) || { cat "$DNSMASQ_LOG" >&2; fail "dnsmasq logged $n A queries from synack, expected 3"; }
# What the captures saw: every query to dnsmasq from a port and with an ID of its own
# (RFC 5452 9.2), each answered to that port with that ID.
for ((k = 1; k <= NRES; k++)); do
    timeout 60 tshark -n -r "$TMPD/res$k.pcap" -Y "dns.flags.response == 0 && ip.dst == $HOST_ADDR" \
        -T fields -e udp.srcport -e dns.id 2>/dev/null
done | sort -u >"$TMPD/queries"
timeout 60 tshark -n -r "$TMPD/res1.pcap" -Y "dns.flags.response == 1" -T fields -e udp.dstport -e dns.id \
    2>/dev/null >"$TMPD/answer1"
nq=$(wc -l <"$TMPD/queries")
((nq == 3)) || { cat "$TMPD/queries" >&2; fail "captures hold $nq distinct queries to dnsmasq, expected 3"; }
(($(cut -f1 "$TMPD/queries" | sort -u | wc -l) == 3)) || fail "queries shared a source port: $(tr '\n' ' ' <"$TMPD/queries")"
(($(cut -f2 "$TMPD/queries" | sort -u | wc -l) == 3)) || fail "queries shared an ID: $(tr '\n' ' ' <"$TMPD/queries")"
grep -qxF "$(head -1 "$TMPD/answer1")" "$TMPD/queries" || fail "dnsmasq's answer went to another port or ID"
log "dnsmasq logged $n queries from $SYNACK_ADDR; ports and IDs: $(tr '\t\n' '/ ' <"$TMPD/queries")"
# Truncation: the UDP answer has TC, the resolver asks again over TCP and gets all 100 (keeps 16).
resolve big.test --dns "$HOST_ADDR" -v
((RES_RC == 0)) || { cat "$TMPD/res.err" >&2; fail "resolve big.test exited $RES_RC"; }
(($(wc -l <"$TMPD/res.out") == 16)) || fail "resolve big.test printed $(wc -l <"$TMPD/res.out") addresses, expected 16"
grep -q 'from DNS over TCP' "$TMPD/res.err" || { cat "$TMPD/res.err" >&2; fail "big.test: not answered over TCP"; }
n=$( (timeout 60 tshark -n -r "$TMPD/res$NRES.pcap" -Y "tcp.dstport == 53 && tcp.flags.syn == 1 && tcp.flags.ack == 0" 2>/dev/null || true) | wc -l)
((n == 1)) || fail "big.test: $n TCP connections to dnsmasq, expected 1"
tc=$( (timeout 60 tshark -n -r "$TMPD/res$NRES.pcap" -Y "udp && dns.flags.truncated == 1" 2>/dev/null || true) | wc -l)
((tc == 1)) || fail "big.test: $tc truncated UDP answers seen, expected 1"
(timeout 60 tshark -n -r "$TMPD/res1.pcap" -Y "udp.dstport == 53" -V 2>/dev/null || true) | grep -q 'Type: OPT' ||
    fail "our queries carry no EDNS OPT record"
log "resolve big.test: TC over UDP, then TCP: 16 of 100 addresses kept; queries carry EDNS(0)"

# The cache: the same name twice in one process sends one query (dnsmasq's TTL is 2 s); after
# the TTL, asked again.
q0=$(grep -c "query\[A\] www.example.test from $SYNACK_ADDR" "$DNSMASQ_LOG" || true)
resolve www.example.test www.example.test --dns "$HOST_ADDR" -v
((RES_RC == 0)) || { cat "$TMPD/res.err" >&2; fail "resolve twice exited $RES_RC"; }
grep -q 'from the cache' "$TMPD/res.err" || { cat "$TMPD/res.err" >&2; fail "the second lookup did not come from the cache"; }
grep -qE 'cache: www.example.test A 192.0.2.77 ttl [12]s' "$TMPD/res.err" || { cat "$TMPD/res.err" >&2; fail "-v shows no cache entry"; }
q1=$(grep -c "query\[A\] www.example.test from $SYNACK_ADDR" "$DNSMASQ_LOG" || true)
((q1 - q0 == 1)) || fail "two lookups within the TTL sent $((q1 - q0)) queries, expected 1"
resolve www.example.test www.example.test --dns "$HOST_ADDR" --gap 2500 -v
q2=$(grep -c "query\[A\] www.example.test from $SYNACK_ADDR" "$DNSMASQ_LOG" || true)
((q2 - q1 == 2)) || { cat "$TMPD/res.err" >&2; fail "two lookups 2.5 s apart (TTL 2 s) sent $((q2 - q1)) queries, expected 2"; }
log "cache: a second lookup within the TTL sends no query; after the TTL (2 s) it does"

# ---------------- (c) each failure, named as host(1) names it ----------------
# The test's own DNS servers (fakedns.py): RCODE 2, RCODE 1 (with EDNS and without), and TC set
# with no records (nothing listens on TCP 53 there, so the query over TCP is refused).
for a in 192.0.2.5 192.0.2.6 192.0.2.8 192.0.2.9; do nsx ip addr add "$a/32" dev "$DEV"; done
start_bg servfail python3 "$(dirname "$0")/fakedns.py" 192.0.2.6 servfail
start_bg formerr python3 "$(dirname "$0")/fakedns.py" 192.0.2.8 formerr
start_bg tc python3 "$(dirname "$0")/fakedns.py" 192.0.2.9 tc
for ((i = 0; i < 50; i++)); do
    grep -q ready "$TMPD/servfail.out" && grep -q ready "$TMPD/formerr.out" && grep -q ready "$TMPD/tc.out" && break
    sleep 0.1
done
((i < 50)) || fail "the test's own DNS servers did not start"

HAVE_HOST=0
command -v host >/dev/null 2>&1 && HAVE_HOST=1
# fails_as NAME LINE [HOST-SERVER] -- resolve options: exit 1 and exactly "synack resolve: LINE" on
# stderr; with HOST-SERVER, host(1) asked the same prints LINE too.
fails_as() {
    local name=$1 line=$2 hsrv=$3
    shift 4
    resolve "$name" "$@"
    ((RES_RC == 1)) && [[ ! -s "$TMPD/res.out" ]] && grep -qxF "synack resolve: $line" "$TMPD/res.err" ||
        { cat "$TMPD/res.err" >&2; fail "resolve $name $*: exit $RES_RC, want 1 and 'synack resolve: $line'"; }
    if [[ -n "$hsrv" ]] && ((HAVE_HOST)); then
        nsx timeout 20 host -W 2 -t A "$name" "$hsrv" >"$TMPD/host.out" 2>&1 || true
        grep -qxF "$line" "$TMPD/host.out" || { cat "$TMPD/host.out" >&2; fail "host(1) words $name at $hsrv otherwise than '$line'"; }
    fi
    log "resolve $name $*: '$(cat "$TMPD/res.err")'"
}
fails_as gone.nx.test "Host gone.nx.test not found: 3(NXDOMAIN)" "$HOST_ADDR" -- --dns "$HOST_ADDR"
fails_as txt.nd.test "txt.nd.test has no A record" "$HOST_ADDR" -- --dns "$HOST_ADDR"
fails_as other.test "Host other.test not found: 5(REFUSED)" "$HOST_ADDR" -- --dns "$HOST_ADDR"
fails_as other.test "Host other.test not found: 2(SERVFAIL)" 192.0.2.6 -- --dns 192.0.2.6
fails_as other.test "Host other.test not found: 1(FORMERR)" 192.0.2.8 -- --dns 192.0.2.8
fails_as other.test "other.test: communications error to 192.0.2.5#53: connection refused; no servers could be reached" "" \
    -- --dns 192.0.2.5
fails_as other.test "other.test: connection timed out; no servers could be reached" "" -- --dns 192.0.2.3 --timeout 300
fails_as other.test "other.test: truncated answer from 192.0.2.9#53, and the query over TCP failed" "" -- --dns 192.0.2.9
fails_as other.test "Host other.test not found: 5(REFUSED) from $HOST_ADDR#53; 2(SERVFAIL) from 192.0.2.6#53" "" \
    -- --dns "$HOST_ADDR" --dns 192.0.2.6
# Asking for A and AAAA at once (the default): each failure keeps its code, and a name without
# either record says so.
RES_FAMILY=
fails_as gone.nx.test "Host gone.nx.test not found: 3(NXDOMAIN)" "" -- --dns "$HOST_ADDR"
fails_as txt.nd.test "txt.nd.test has no A or AAAA record" "" -- --dns "$HOST_ADDR"
fails_as other.test "Host other.test not found: 5(REFUSED) from $HOST_ADDR#53; 2(SERVFAIL) from 192.0.2.6#53" "" \
    -- --dns "$HOST_ADDR" --dns 192.0.2.6
fails_as other.test "other.test: connection timed out; no servers could be reached" "" -- --dns 192.0.2.3 --timeout 300
resolve www.example.test --dns "$HOST_ADDR"
((RES_RC == 0)) && [[ "$(cat "$TMPD/res.out")" == "192.0.2.77" ]] ||
    { cat "$TMPD/res.err" >&2; fail "resolve www.example.test (A and AAAA): exit $RES_RC, '$(cat "$TMPD/res.out")'"; }
RES_FAMILY=-4
# The FORMERR server was asked again without EDNS before it counted (RFC 6891 7); the TC server
# was asked over TCP once (refused).
n=$( (timeout 60 tshark -n -r "$TMPD/res$((NRES - 9)).pcap" -Y "udp.dstport == 53" 2>/dev/null || true) | wc -l)
((n >= 2)) || fail "FORMERR: $n queries, expected the retry without EDNS"
n=$( (timeout 60 tshark -n -r "$TMPD/res$((NRES - 6)).pcap" -Y "tcp.dstport == 53 && tcp.flags.syn == 1" 2>/dev/null || true) | wc -l)
((n == 1)) || fail "truncated: $n TCP connection attempts to 192.0.2.9, expected 1"
log "each failure named as host(1) names it$( ((HAVE_HOST)) || echo ' (host(1) not installed: its lines not compared)')"

pass
