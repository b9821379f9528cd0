#!/usr/bin/env bash
# `synack ss` keeps ss's habits: no device needed (every synack process of the namespace), -l
# (listening only), -H, -s (a count per state), -4/-6, ss's
# filter words (state NAME, exclude, sport/dport comparisons, src/dst), and -i's line of a
# connection's internals in Linux's words, each checked against a connection whose bytes we know:
# the kernel sends 3000 bytes to synack's echo service and reads them back, so synack's side has
# bytes_received 3000 and bytes_sent/bytes_acked 3000; its wscale pair is the kernel's own `ss -ti`
# pair the other way round, and its MSS the kernel's advmss. Bad filters are refused (exit 2).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_init "${1:-}" python3 ss

DEV=ssopt0
start_serve tap "$DEV"
serve_alive

# A connection to the echo port (7) that moved 3000 bytes each way, and one to discard (9); both held.
timeout -s TERM 60 ip netns exec "$NS" python3 -c '
import socket, sys, time
e = socket.create_connection((sys.argv[1], 7), timeout=5)
e.sendall(b"x" * 3000)
got = b""
while len(got) < 3000:
    c = e.recv(65536)
    if not c:
        sys.exit("echo closed early")
    got += c
d = socket.create_connection((sys.argv[1], 9), timeout=5)
print("ready", e.getsockname()[1], flush=True)
time.sleep(50)' "$SYNACK_ADDR" >"$TMPD/client.out" 2>&1 &
BG_PIDS+=("$!")
for ((i = 0; i < 100; i++)); do grep -q ready "$TMPD/client.out" && break; sleep 0.05; done
grep -q ready "$TMPD/client.out" || { cat "$TMPD/client.out" >&2; fail "the kernel's client did not connect"; }
EPORT=$(awk '/^ready/ { print $2 }' "$TMPD/client.out")
sleep 0.3   # the last ACK of the echoed bytes reaches synack

ss_() { nsx "$SYNACK" ss --dev "$DEV" "$@"; }
rows() { grep -v '^State' | grep -v $'^\t'; }

# Plain: every state, as ss -tan (the two connections and the listeners).
ss_ >"$TMPD/all"
[[ "$(rows <"$TMPD/all" | grep -c '^ESTABLISHED')" == 2 ]] || { cat "$TMPD/all" >&2; fail "ss: not 2 ESTABLISHED rows"; }
nl=$(rows <"$TMPD/all" | grep -c '^LISTEN')
((nl >= 2)) || { cat "$TMPD/all" >&2; fail "ss: fewer than 2 LISTEN rows"; }

# -l: the listeners only; -H: no header.
ss_ -l >"$TMPD/l"
[[ "$(rows <"$TMPD/l" | grep -vc '^LISTEN' || true)" == 0 && "$(rows <"$TMPD/l" | grep -c '^LISTEN')" == "$nl" ]] ||
    { cat "$TMPD/l" >&2; fail "ss -l: not exactly the $nl listeners"; }
head -1 "$TMPD/l" | grep -q '^State' || fail "ss -l: no header"
ss_ -tlnH >"$TMPD/lH"
grep -q '^State' "$TMPD/lH" && fail "ss -H: a header"
[[ "$(grep -c '^LISTEN' "$TMPD/lH")" == "$nl" ]] || { cat "$TMPD/lH" >&2; fail "ss -tlnH: not the listeners"; }
log "ss -l lists the $nl listeners only; -H leaves the header out"

# -s: a count per state.
ss_ -s >"$TMPD/s"
grep -Eq "^TCP: +$((nl + 2)) \(estab 2, .*listen $nl," "$TMPD/s" || { cat "$TMPD/s" >&2; fail "ss -s: wrong counts"; }
log "ss -s: $(cat "$TMPD/s")"

# Filters.
ss_ state established sport = :7 >"$TMPD/f1"
[[ "$(rows <"$TMPD/f1" | wc -l)" == 1 ]] && rows <"$TMPD/f1" | grep -q "^ESTABLISHED .*$SYNACK_ADDR:7 .*$HOST_ADDR:$EPORT " ||
    { cat "$TMPD/f1" >&2; fail "ss state established sport = :7: not the echo connection alone"; }
ss_ exclude listening dport != :$EPORT >"$TMPD/f2"
[[ "$(rows <"$TMPD/f2" | wc -l)" == 1 ]] && rows <"$TMPD/f2" | grep -q ":9 " ||
    { cat "$TMPD/f2" >&2; fail "ss exclude listening dport != :$EPORT: not the discard connection alone"; }
ss_ dst "$HOST_ADDR:$EPORT" >"$TMPD/f3"
[[ "$(rows <"$TMPD/f3" | wc -l)" == 1 ]] || { cat "$TMPD/f3" >&2; fail "ss dst $HOST_ADDR:$EPORT: not one row"; }
ss_ -6 state established >"$TMPD/f4"
[[ "$(rows <"$TMPD/f4" | wc -l)" == 0 ]] || { cat "$TMPD/f4" >&2; fail "ss -6: IPv4 connections listed"; }
[[ "$(ss_ -4 state established | rows | wc -l)" == 2 ]] || fail "ss -4 state established: not the 2 connections"
log "filters: state/exclude/sport/dport/dst/-4/-6 pick the rows ss would"

# -i: the internals line after each connection's row.
ss_ -ti state established sport = :7 >"$TMPD/i"
info=$(grep $'^\t' "$TMPD/i") || { cat "$TMPD/i" >&2; fail "ss -ti: no internals line"; }
for w in ' ts ' ' sack ' ' cubic ' ' wscale:' ' rto:' ' rtt:' ' mss:' ' cwnd:' ' bytes_received:3000 ' \
    ' bytes_sent:3000 ' ' bytes_acked:3000 ' ' snd_wnd:' ' id:'; do
    [[ "$info" == *"$w"* ]] || { cat "$TMPD/i" >&2; fail "ss -ti: '$w' missing"; }
done
# The kernel's view of the same connection, from its end.
kinfo=$(nsx ss -tinH state established dport = :7 | tr '\n' ' ')
kws=$(grep -o 'wscale:[0-9]*,[0-9]*' <<<"$kinfo") || fail "kernel ss -ti: no wscale: $kinfo"
ours=$(grep -o 'wscale:[0-9]*,[0-9]*' <<<"$info")
[[ "$ours" == "wscale:${kws#wscale:*,},$(cut -d, -f1 <<<"${kws#wscale:}")" ]] ||
    fail "ss -ti: $ours is not the kernel's $kws the other way round"
kadv=$(grep -o 'advmss:[0-9]*' <<<"$kinfo") || fail "kernel ss -ti: no advmss: $kinfo"
[[ "$info" == *" mss:${kadv#advmss:} "* ]] || fail "ss -ti: our mss is not the kernel's ${kadv}: $info"
log "ss -ti: $info"

# Without --dev: every synack process of this namespace (found by its @synack-DEV socket), here
# the one; in a namespace with none, an empty listing (as ss on a host with no connection), exit 0,
# and why on stderr.
nsx "$SYNACK" ss -l >"$TMPD/nodev"
cmp -s "$TMPD/l" "$TMPD/nodev" || { diff "$TMPD/l" "$TMPD/nodev" >&2; fail "ss -l without --dev differs from --dev $DEV"; }
add_ns empty
rc=0
ip netns exec "$NEW_NS" "$SYNACK" ss >"$TMPD/none" 2>"$TMPD/none.err" || rc=$?
((rc == 0)) && grep -q 'no synack process in this network namespace' "$TMPD/none.err" &&
    [[ "$(wc -l <"$TMPD/none")" == 1 ]] && grep -q '^State ' "$TMPD/none" ||
    { cat "$TMPD/none" "$TMPD/none.err" >&2; fail "ss in a namespace with no synack: exit $rc, or not the header alone"; }
grep -q '^TCP: *0 (estab 0' <(ip netns exec "$NEW_NS" "$SYNACK" ss -s 2>/dev/null) || fail "ss -s with no synack: not 0"
log "without --dev: the namespace's synack process is found; none: the header alone, and why on stderr"

# Bad filters are refused with a reason.
for bad in "state nosuch" "sport = :99999" "src 192.0.2.300" "sport = :1 or sport = :2"; do
    rc=0
    ss_ $bad >"$TMPD/bad" 2>&1 || rc=$?
    ((rc == 2)) || { cat "$TMPD/bad" >&2; fail "ss $bad: exit $rc, expected 2"; }
done
rc=0
ss_ --counters state established >"$TMPD/bad" 2>&1 || rc=$?
((rc == 2)) || fail "ss --counters with a filter: exit $rc, expected 2"
log "bad filters refused (exit 2)"
pass
