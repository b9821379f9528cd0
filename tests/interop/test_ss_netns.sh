#!/usr/bin/env bash
# The control socket belongs to its network namespace: two `synack serve` processes on a device of
# the same name in two namespaces each answer `synack ss --dev NAME` run in their own namespace
# (each lists its own connection, not the other's), and the end of one leaves the other reachable.
# A control socket file given with --ctl is never taken from a live process.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_init "${1:-}" python3

DEV=nsdev0
add_ns two
NS2=$NEW_NS
ADDR2=192.0.2.12

start_serve tap "$DEV"
timeout -s TERM 120 ip netns exec "$NS2" "$SYNACK" serve --tap "$DEV" --addr "$ADDR2/24" --host-addr 192.0.2.11/24 \
    >"$TMPD/serve2.log" 2>&1 &
SERVE2=$!
BG_PIDS+=("$SERVE2")
for ((i = 0; i < 100; i++)); do grep -q ' up, address ' "$TMPD/serve2.log" && break; sleep 0.05; done
grep -q ' up, address ' "$TMPD/serve2.log" || { cat "$TMPD/serve2.log" >&2; fail "second serve did not start"; }
serve_alive

# A held connection from each namespace's kernel to its synack's discard port (9).
hold() { # NS ADDR
    timeout -s TERM 60 ip netns exec "$1" python3 -c '
import socket, sys, time
s = socket.create_connection((sys.argv[1], 9), timeout=5)
print("connected", flush=True)
time.sleep(50)' "$2" >"$TMPD/hold-$2.out" 2>&1 &
    BG_PIDS+=("$!")
    for ((i = 0; i < 100; i++)); do grep -q connected "$TMPD/hold-$2.out" && return 0; sleep 0.05; done
    cat "$TMPD/hold-$2.out" >&2
    fail "kernel in $1 could not connect to $2:9"
}
hold "$NS" "$SYNACK_ADDR"
hold "$NS2" "$ADDR2"

nsx "$SYNACK" ss --dev "$DEV" >"$TMPD/ss1" || fail "synack ss --dev $DEV failed in the first namespace"
ip netns exec "$NS2" "$SYNACK" ss --dev "$DEV" >"$TMPD/ss2" || fail "synack ss --dev $DEV failed in the second namespace"
grep -q "ESTABLISHED .*$SYNACK_ADDR:9 " "$TMPD/ss1" || { cat "$TMPD/ss1" >&2; fail "first namespace's ss lacks its connection"; }
grep -q "$ADDR2:9 " "$TMPD/ss1" && { cat "$TMPD/ss1" >&2; fail "first namespace's ss shows the second's connection"; }
grep -q "ESTABLISHED .*$ADDR2:9 " "$TMPD/ss2" || { cat "$TMPD/ss2" >&2; fail "second namespace's ss lacks its connection"; }
grep -q "$SYNACK_ADDR:9 " "$TMPD/ss2" && { cat "$TMPD/ss2" >&2; fail "second namespace's ss shows the first's connection"; }
log "ss --dev $DEV in each namespace lists that namespace's process only"

# The root namespace (or any other) sees neither.
rc=0
"$SYNACK" ss --dev "$DEV" >"$TMPD/ss0" 2>&1 || rc=$?
((rc == 1)) && grep -q "no synack process on device $DEV in this network namespace" "$TMPD/ss0" ||
    { cat "$TMPD/ss0" >&2; fail "ss in the root namespace: exit $rc"; }

# The second process ends; the first is still reachable.
kill -TERM "$SERVE2"
wait "$SERVE2" || fail "second serve exited with an error"
nsx "$SYNACK" ss --dev "$DEV" >"$TMPD/ss1b" || fail "first namespace's ss failed after the second process ended"
grep -q "ESTABLISHED .*$SYNACK_ADDR:9 " "$TMPD/ss1b" || fail "first namespace's listing changed after the second ended"
log "the first process stays reachable after the second ends"

# A control socket file is not taken from a live process: a second process given the same --ctl
# fails at once and the first keeps answering on it.
CTL="$TMPD/shared.sock"
start_bg ctl1 "$SYNACK" serve --tap nsdev1 --addr 192.0.2.22/24 --ctl "$CTL"
wait_socket "$CTL" "serve with --ctl"
rc=0
nsx timeout 20 "$SYNACK" serve --tap nsdev2 --addr 192.0.2.32/24 --ctl "$CTL" >"$TMPD/ctl2.out" 2>&1 || rc=$?
((rc == 1)) && grep -q "in use by another running synack process" "$TMPD/ctl2.out" ||
    { cat "$TMPD/ctl2.out" >&2; fail "a second process on a live --ctl file: exit $rc"; }
[[ -S "$CTL" ]] || fail "the second process removed the first's control socket"
nsx "$SYNACK" ss --ctl "$CTL" >"$TMPD/ssctl" || fail "the first --ctl process no longer answers"
grep -q "LISTEN .*:9 " "$TMPD/ssctl" || { cat "$TMPD/ssctl" >&2; fail "the first --ctl process lists no listener"; }
log "a live --ctl file is refused to a second process and left in place"

stop_serve
pass
