#!/usr/bin/env bash
# synack ladder on captures of two Linux hosts: a client namespace (the test's own, 192.0.2.1) and
# a server namespace (192.0.2.2) joined by a veth pair. Python peers make four connections whose
# ends are known: 8001 the client closes first, 8002 the server closes first, 8003 the client
# aborts (RST), 8009 refused (nothing listens). tcpdump captures them on each host (Ethernet), with
# -i any (Linux cooked SLL and SLL2), and editcap turns one into pcapng. The ladder must find the
# four connections in each file, infer the right final states (the side that closed first in
# TIME-WAIT, the other CLOSED), show the textbook state sequences, and write an SVG that parses.
# Then files that are not usable captures (empty, not pcap, truncated, no packets, no TCP) must get
# one clear line and a non-zero exit.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_init "${1:-}" tcpdump nc python3 editcap

CLIENT=192.0.2.1
SERVER=192.0.2.2
add_ns srv   # the server's namespace, deleted with the test's
NS2=$NEW_NS
ns2x() { ip netns exec "$NS2" "$@"; }

nsx ip link add lad-c type veth peer name lad-s netns "$NS2"
nsx ip addr add "$CLIENT/24" dev lad-c
ns2x ip addr add "$SERVER/24" dev lad-s
nsx ip link set lad-c up
ns2x ip link set lad-s up
for ((i = 0; i < 100; i++)); do
    nsx ping -c 1 -W 1 "$SERVER" >/dev/null 2>&1 && break
    sleep 0.1
done

cat >"$TMPD/peer.py" <<'PY'
import socket, struct, sys, time
SERVER = "192.0.2.2"
if sys.argv[1] == "server":
    ls = {}
    for port in (8001, 8002, 8003):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((SERVER, port))
        s.listen(4)
        ls[port] = s
    print("listening", flush=True)
    c, _ = ls[8001].accept()            # the client closes first
    while c.recv(65536):
        pass
    c.close()
    c, _ = ls[8002].accept()            # the server closes first
    c.recv(100)
    c.sendall(b"bye\n" * 500)
    c.close()
    c, _ = ls[8003].accept()            # the client aborts
    try:
        while c.recv(65536):
            pass
    except ConnectionResetError:
        pass
    c.close()
    print("done", flush=True)
else:
    s = socket.create_connection((SERVER, 8001), timeout=10)
    s.sendall(b"hello\n" * 100)
    time.sleep(0.1)
    s.close()
    time.sleep(0.3)
    s = socket.create_connection((SERVER, 8002), timeout=10)
    s.sendall(b"hi\n")
    while s.recv(65536):
        pass
    time.sleep(0.1)
    s.close()
    time.sleep(0.3)
    s = socket.create_connection((SERVER, 8003), timeout=10)
    s.sendall(b"x" * 10)
    time.sleep(0.1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
    time.sleep(0.3)
    try:
        socket.create_connection((SERVER, 8009), timeout=10)
        sys.exit("connected to 8009, where nothing listens")
    except ConnectionRefusedError:
        pass
    time.sleep(0.3)
    print("done", flush=True)
PY

# Captures: each host's Ethernet view, and the client's through -i any in both cooked formats.
declare -A CAP_PIDS=()
start_capture() {   # NAME NSCMD tcpdump-args...
    local name=$1 where=$2
    shift 2
    timeout -s TERM 120 $where tcpdump -n -U --immediate-mode -Z root -s 0 "$@" -w "$TMPD/$name.pcap" \
        >"$TMPD/$name.tcpdump" 2>&1 &
    CAP_PIDS[$name]=$!
    BG_PIDS+=("$!")
    for ((i = 0; i < 100; i++)); do
        grep -q 'listening on' "$TMPD/$name.tcpdump" 2>/dev/null && return 0
        kill -0 "${CAP_PIDS[$name]}" 2>/dev/null || { cat "$TMPD/$name.tcpdump" >&2; fail "tcpdump ($name) did not start"; }
        sleep 0.05
    done
    fail "tcpdump ($name) did not start listening"
}
start_capture client "ip netns exec $NS" -i lad-c tcp
start_capture server "ip netns exec $NS2" -i lad-s tcp
start_capture any-sll "ip netns exec $NS" -i any -y LINUX_SLL tcp
SLL2=1
if nsx tcpdump -i any -L 2>&1 | grep -q LINUX_SLL2; then
    start_capture any-sll2 "ip netns exec $NS" -i any -y LINUX_SLL2 tcp
else
    SLL2=0
    log "this tcpdump cannot capture LINUX_SLL2 on 'any': that format is left to the unit tests"
fi

timeout -s TERM 60 ip netns exec "$NS2" python3 "$TMPD/peer.py" server >"$TMPD/server.out" 2>&1 &
SRV=$!
BG_PIDS+=("$SRV")
for ((i = 0; i < 100; i++)); do
    grep -q listening "$TMPD/server.out" 2>/dev/null && break
    kill -0 "$SRV" 2>/dev/null || { cat "$TMPD/server.out" >&2; fail "python server did not start"; }
    sleep 0.05
done
nsx timeout 60 python3 "$TMPD/peer.py" client >"$TMPD/client.out" 2>&1 || { cat "$TMPD/client.out" >&2; fail "python client failed"; }
wait "$SRV" || { cat "$TMPD/server.out" >&2; fail "python server failed"; }
sleep 0.3
for name in "${!CAP_PIDS[@]}"; do
    kill -INT "${CAP_PIDS[$name]}" 2>/dev/null || true
    wait "${CAP_PIDS[$name]}" 2>/dev/null || true
done
editcap -F pcapng "$TMPD/client.pcap" "$TMPD/client.pcapng" || fail "editcap cannot write pcapng"

# The listing's rows: "N  A:p > B:q  segs start end  LEFT / RIGHT".
FILES=(client server any-sll)
((SLL2)) && FILES+=(any-sll2)
for name in "${FILES[@]}" client.pcapng; do
    f="$TMPD/$name"
    [[ $f == *.pcapng ]] || f="$f.pcap"
    rc=0
    "$SYNACK" ladder "$f" --no-color >"$TMPD/$name.out" 2>"$TMPD/$name.err" || rc=$?
    ((rc == 0)) || { cat "$TMPD/$name.err" >&2; fail "synack ladder $name exited $rc"; }
    head -1 "$TMPD/$name.out" | sed "s|$TMPD/||; s/^/[$INTEROP_NAME]   /"
    grep -q '^4 TCP connections:' "$TMPD/$name.out" || { cat "$TMPD/$name.out" >&2; fail "$name: expected 4 TCP connections"; }
    expect_end() {   # PORT LEFT RIGHT
        local row
        row=$(grep -E "^ +[0-9]+  $CLIENT:[0-9]+ > $SERVER:$1 " "$TMPD/$name.out" || true)
        [[ -n "$row" ]] || { cat "$TMPD/$name.out" >&2; fail "$name: no connection to port $1 listed"; }
        [[ "$row" == *"  $2 / $3" ]] || fail "$name: port $1 ends '${row##*  }', expected '$2 / $3'"
    }
    expect_end 8001 TIME-WAIT CLOSED
    expect_end 8002 CLOSED TIME-WAIT
    expect_end 8003 CLOSED CLOSED
    expect_end 8009 CLOSED CLOSED
    # Every file shows the same connections and end states.
    grep -E "^ +[0-9]+  $CLIENT" "$TMPD/$name.out" | awk '{print $1, $2, $4, $NF, $(NF-2)}' | sed 's/:[0-9]* / /' >"$TMPD/$name.rows"
    cmp -s "$TMPD/client.rows" "$TMPD/$name.rows" || { diff "$TMPD/client.rows" "$TMPD/$name.rows" >&2; fail "$name lists other connections than client.pcap"; }
done
log "4 connections with the right end states in ${#FILES[@]} pcaps (Ethernet on each host, SLL$( ((SLL2)) && echo ', SLL2')) and a pcapng"

# The state sequence of each side, from the drawing of one connection: the columns where a
# side's state is shown when it changes.
states() {   # FILE CONN -> "left: A B C | right: D E F"
    "$SYNACK" ladder "$1" --conn "$2" --no-color | python3 -c '
import re, sys
seq = ([], [])
for line in sys.stdin:
    line = line.rstrip("\n")
    if not re.match(r"^ *[0-9]+\.[0-9]{6} ", line):
        continue
    for side, (a, b) in enumerate(((11, 24), (84, 97))):
        s = line[a:b].strip()
        if s and (not seq[side] or seq[side][-1] != s):
            seq[side].append(s)
print("left: " + " ".join(seq[0]) + " | right: " + " ".join(seq[1]))'
}
conn_of() {   # FILE PORT -> its number in the listing
    grep -E "^ +[0-9]+  $CLIENT:[0-9]+ > $SERVER:$2 " "$TMPD/$1.out" | awk '{print $1}'
}
check_states() {   # NAME PORT EXPECTED (an extended regex)
    local name=$1 port=$2 want=$3 got
    got=$(states "$TMPD/$name.pcap" "$(conn_of "$name" "$port")")
    [[ "$got" =~ ^$want$ ]] || { "$SYNACK" ladder "$TMPD/$name.pcap" --conn "$(conn_of "$name" "$port")" --no-color >&2; fail "$name port $port: states '$got', expected '$want'"; }
    log "  $name :$port  $got"
}
for name in client server; do
    # FIN-WAIT-2 shows only when the peer's ACK of the FIN comes before its own FIN (not with it).
    check_states $name 8001 "left: SYN-SENT ESTABLISHED FIN-WAIT-1 (FIN-WAIT-2 )?TIME-WAIT \\| right: SYN-RECEIVED ESTABLISHED CLOSE-WAIT LAST-ACK CLOSED"
    check_states $name 8002 "left: SYN-SENT ESTABLISHED CLOSE-WAIT LAST-ACK CLOSED \\| right: SYN-RECEIVED ESTABLISHED FIN-WAIT-1 (FIN-WAIT-2 )?TIME-WAIT"
    check_states $name 8003 "left: SYN-SENT ESTABLISHED CLOSED \\| right: SYN-RECEIVED ESTABLISHED CLOSED"
    check_states $name 8009 "left: SYN-SENT CLOSED \\| right: CLOSED"
done
grep -q 'reset' "$TMPD/client.out" || fail "no segment marked 'reset'"

# SVG: of one connection and of all; both must parse as XML with an <svg> root.
"$SYNACK" ladder "$TMPD/client.pcap" --conn 1 --svg "$TMPD/one.svg" >/dev/null || fail "ladder --svg failed"
"$SYNACK" ladder "$TMPD/client.pcap" --svg "$TMPD/all.svg" >/dev/null || fail "ladder --svg (all) failed"
for svg in one all; do
    python3 - "$TMPD/$svg.svg" <<'PY' || fail "$svg.svg is not a valid SVG"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "{http://www.w3.org/2000/svg}svg", root.tag
texts = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]
assert any("TIME-WAIT" in t for t in texts), "no TIME-WAIT in the SVG"
assert sum(1 for _ in root.iter("{http://www.w3.org/2000/svg}line")) >= 5
PY
done
log "--svg writes SVG that parses (one connection and all four)"

# Not usable captures: one line on stderr, nothing on stdout, a non-zero exit.
bad_case() {   # FILE WORDS DESCRIPTION
    local rc=0
    "$SYNACK" ladder "$1" >"$TMPD/bad.out" 2>"$TMPD/bad.err" || rc=$?
    ((rc != 0)) || fail "$3: exit 0"
    [[ ! -s "$TMPD/bad.out" ]] || fail "$3: printed on stdout"
    (($(wc -l <"$TMPD/bad.err") == 1)) || { cat "$TMPD/bad.err" >&2; fail "$3: not one line on stderr"; }
    grep -qi -- "$2" "$TMPD/bad.err" || { cat "$TMPD/bad.err" >&2; fail "$3: message lacks '$2'"; }
    log "  $3: $(sed "s|$TMPD/||" "$TMPD/bad.err")"
}
: >"$TMPD/empty.pcap"
bad_case "$TMPD/empty.pcap" "empty" "empty file"
cp "$TMPD/peer.py" "$TMPD/text.pcap"
bad_case "$TMPD/text.pcap" "not a pcap" "a text file"
size=$(stat -c %s "$TMPD/client.pcap")
head -c $((size - 10)) "$TMPD/client.pcap" >"$TMPD/cut.pcap"
bad_case "$TMPD/cut.pcap" "truncated" "a pcap cut short"
head -c 30 "$TMPD/client.pcap" >"$TMPD/cuthdr.pcap"
bad_case "$TMPD/cuthdr.pcap" "truncated" "a pcap cut inside its first record"
head -c 24 "$TMPD/client.pcap" >"$TMPD/nopkts.pcap"
bad_case "$TMPD/nopkts.pcap" "no packets" "a pcap with no packets"
start_capture icmp "ip netns exec $NS" -i lad-c icmp
nsx ping -c 2 -i 0.2 -W 1 "$SERVER" >/dev/null || fail "ping failed"
sleep 0.2
kill -INT "${CAP_PIDS[icmp]}" 2>/dev/null || true
wait "${CAP_PIDS[icmp]}" 2>/dev/null || true
bad_case "$TMPD/icmp.pcap" "no TCP" "a pcap of pings"
bad_case "$TMPD/nonexistent.pcap" "No such file" "a missing file"
pass
