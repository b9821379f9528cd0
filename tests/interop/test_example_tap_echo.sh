#!/usr/bin/env bash
# examples/tap_echo.c, the echo server an embedder copies, against Linux's nc over its TAP: many
# short exchanges (`echo LINE | nc -N`), each bounded in time, each reply checked. nc sends its
# line and its FIN at once, so they often arrive before the accepted connection has a handler: the
# example must run the handler right after setting it, or such a connection is never echoed nor
# closed and nc hangs. At the end SIGTERM stops the example, which prints its counters and exits 0.
# Usage: test_example_tap_echo.sh /path/to/synack /path/to/tap_echo
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_init "${1:-}" nc
TAP_ECHO=${2:-}
[[ -n "$TAP_ECHO" && -x "$TAP_ECHO" ]] || fail "usage: bash $0 /path/to/synack /path/to/tap_echo (got '$TAP_ECHO')"

DEV=te-tap0
start_bg tap_echo "$TAP_ECHO" "$DEV"
ECHO_PID=$BG_PID
OUT="$TMPD/tap_echo.out"
for ((i = 0; i < 100; i++)); do
    grep -q "^echo on $SYNACK_ADDR:7 via $DEV" "$OUT" && break
    kill -0 "$ECHO_PID" 2>/dev/null || { cat "$OUT" >&2; fail "tap_echo exited during start-up"; }
    sleep 0.05
done
grep -q "^echo on $SYNACK_ADDR:7 via $DEV" "$OUT" || { cat "$OUT" >&2; fail "tap_echo did not report listening within 5 s"; }

N=50
hung=0 wrong=0
start=$(date +%s.%N)
for ((i = 1; i <= N; i++)); do
    line="hello $i from the kernel"
    rc=0
    got=$(printf '%s\n' "$line" | nsx timeout 3 nc -N "$SYNACK_ADDR" 7 2>"$TMPD/nc.err") || rc=$?
    if ((rc == 124)); then
        hung=$((hung + 1))
        log "exchange $i: no reply and no close within 3 s (got '$got')"
    elif ((rc != 0)) || [[ "$got" != "$line" ]]; then
        wrong=$((wrong + 1))
        log "exchange $i: nc exit $rc, got '$got' for '$line' ($(cat "$TMPD/nc.err"))"
    fi
done
end=$(date +%s.%N)
((hung == 0 && wrong == 0)) || fail "$hung of $N exchanges hung, $wrong got a wrong reply or error"
log "$N exchanges echoed and closed in $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }') s"

kill -TERM "$ECHO_PID"
rc=0
for ((i = 0; i < 50; i++)); do kill -0 "$ECHO_PID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$ECHO_PID" 2>/dev/null && fail "tap_echo did not stop within 5 s of SIGTERM"
wait "$ECHO_PID" || rc=$?
((rc == 0)) || { cat "$OUT" >&2; fail "tap_echo exited $rc after SIGTERM"; }
counts=$(grep -E '^tap_echo: stopped; [0-9]+ TCP segments in, [0-9]+ out$' "$OUT") ||
    { cat "$OUT" >&2; fail "tap_echo did not print its counters at the stop"; }
segs_in=$(awk '{ print $3 }' <<<"$counts")
((segs_in >= 4 * N)) || fail "tap_echo counted only $segs_in TCP segments in for $N connections: $counts"
log "$counts"
pass
