#!/usr/bin/env bash
# synack nc keeps OpenBSD nc's habits, against Linux's nc and sockets:
#  - -z: a port that answers gives exit 0 (with -v, nc's "Connection to ... succeeded!") and no
#    data; a closed one exit 1; the listener sees a connection opened and closed with no byte;
#  - -p PORT: the connection leaves from that port (the kernel's listener sees it);
#  - -n: a name is refused (exit 2), an address taken;
#  - -l -k: three connections from Linux in turn, each one's bytes printed, the listener still
#    there after each; without -k the command ends after its one connection;
#  - -N is accepted, and -k without -l, -z with -l, -p with -l are usage errors (exit 2).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_init "${1:-}" nc python3

DEV=ncopt0
host_tap "$DEV"
snc() { nsx timeout 30 "$SYNACK" nc --tap "$DEV" --addr "$SYNACK_ADDR/$NET_PREFIX" "$@"; }

# A listener on the kernel's side that records each connection's peer port and bytes.
start_bg rec python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 7100)); s.listen(8)
print("ready", flush=True)
while True:
    c, a = s.accept()
    data = b""
    while True:
        b = c.recv(65536)
        if not b:
            break
        data += b
    print("conn", a[1], len(data), flush=True)
    c.close()' "$HOST_ADDR"
for ((i = 0; i < 50; i++)); do grep -q ready "$TMPD/rec.out" && break; sleep 0.1; done
grep -q ready "$TMPD/rec.out" || fail "the recording listener did not start"

# -z on a port that answers, and on one that does not.
rc=0
echo "not sent" | snc -zv "$HOST_ADDR" 7100 >"$TMPD/z.out" 2>"$TMPD/z.err" || rc=$?
((rc == 0)) || { cat "$TMPD/z.err" >&2; fail "-z on a listening port: exit $rc"; }
grep -q "Connection to $HOST_ADDR 7100 port \[tcp/\*\] succeeded!" "$TMPD/z.err" || { cat "$TMPD/z.err" >&2; fail "-zv: no success line"; }
[[ ! -s "$TMPD/z.out" ]] || fail "-z printed data"
for ((i = 0; i < 50; i++)); do grep -q '^conn ' "$TMPD/rec.out" && break; sleep 0.1; done
grep -q '^conn [0-9]* 0$' "$TMPD/rec.out" || { cat "$TMPD/rec.out" >&2; fail "-z: the listener saw data or no connection"; }
rc=0
snc -z "$HOST_ADDR" 7101 </dev/null >/dev/null 2>"$TMPD/z2.err" || rc=$?
((rc == 1)) || { cat "$TMPD/z2.err" >&2; fail "-z on a closed port: exit $rc, expected 1"; }
log "-z: an open port exits 0 with nc's words and sends nothing; a closed one exits 1"

# -p: the source port.
echo "from 4444" | snc -N -p 4444 "$HOST_ADDR" 7100 >/dev/null 2>"$TMPD/p.err" || { cat "$TMPD/p.err" >&2; fail "-p 4444 failed"; }
for ((i = 0; i < 50; i++)); do grep -q '^conn 4444 10$' "$TMPD/rec.out" && break; sleep 0.1; done
grep -q '^conn 4444 10$' "$TMPD/rec.out" || { cat "$TMPD/rec.out" >&2; fail "-p 4444: the listener saw no connection from port 4444 with 10 bytes"; }
log "-p 4444: the connection came from port 4444 (-N taken)"

# -n: names refused, addresses taken.
rc=0
snc -n -z linux.test 7100 </dev/null 2>"$TMPD/n.err" || rc=$?
((rc == 2)) && grep -q 'not an address' "$TMPD/n.err" || { cat "$TMPD/n.err" >&2; fail "-n with a name: exit $rc"; }
snc -n -z "$HOST_ADDR" 7100 </dev/null 2>/dev/null || fail "-n with an address failed"
log "-n: a name is refused (exit 2), an address taken"

# -l -k: three connections in turn.
# (timeout first, not through a shell function: the background job must be the process itself,
# so the kill below reaches synack and the device is free for the next command)
timeout -s TERM 60 ip netns exec "$NS" "$SYNACK" nc --tap "$DEV" --addr "$SYNACK_ADDR/$NET_PREFIX" -l -k 7200 </dev/null >"$TMPD/k.out" 2>"$TMPD/k.err" &
KPID=$!
BG_PIDS+=("$KPID")
for i in 1 2 3; do
    ok=0
    for ((j = 0; j < 50; j++)); do
        if echo "message $i" | nsx timeout 10 nc -N "$SYNACK_ADDR" 7200 >/dev/null 2>&1; then ok=1; break; fi
        sleep 0.1
    done
    ((ok)) || { cat "$TMPD/k.err" >&2; fail "-l -k: connection $i failed"; }
    for ((j = 0; j < 50; j++)); do grep -q "^message $i$" "$TMPD/k.out" && break; sleep 0.1; done
    grep -q "^message $i$" "$TMPD/k.out" || { cat "$TMPD/k.out" >&2; fail "-l -k: connection $i's bytes not printed"; }
done
kill -0 "$KPID" 2>/dev/null || fail "-l -k ended after its connections"
kill "$KPID" 2>/dev/null || true
wait "$KPID" 2>/dev/null || true
log "-l -k: three connections in turn, each one's bytes printed, still listening"

# Without -k, one connection only: the second is refused.
timeout -s TERM 60 ip netns exec "$NS" "$SYNACK" nc --tap "$DEV" --addr "$SYNACK_ADDR/$NET_PREFIX" -l 7300 </dev/null >"$TMPD/l.out" 2>"$TMPD/l.err" &
LPID=$!
BG_PIDS+=("$LPID")
ok=0
for ((j = 0; j < 50; j++)); do
    if echo one | nsx timeout 10 nc -N "$SYNACK_ADDR" 7300 >/dev/null 2>&1; then ok=1; break; fi
    sleep 0.1
done
((ok)) || { cat "$TMPD/l.err" >&2; fail "-l: the first connection failed"; }
wait "$LPID" 2>/dev/null || true
[[ "$(cat "$TMPD/l.out")" == one ]] || fail "-l: got '$(cat "$TMPD/l.out")'"
log "-l without -k: one connection, then the command ends"

# Usage errors.
for bad in "-k $HOST_ADDR 7100" "-l -z 7100" "-l -p 5 7100" "-p 0 $HOST_ADDR 7100"; do
    rc=0
    # shellcheck disable=SC2086
    snc $bad </dev/null >/dev/null 2>"$TMPD/bad.err" || rc=$?
    ((rc == 2)) || { cat "$TMPD/bad.err" >&2; fail "nc $bad: exit $rc, expected 2"; }
done
log "usage errors: -k without -l, -z or -p with -l, -p 0 (exit 2)"
pass
