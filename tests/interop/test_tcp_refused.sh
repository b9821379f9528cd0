#!/usr/bin/env bash
# A connection from the kernel to a port where synack does not listen is refused: synack answers
# the SYN with <SEQ=0><ACK=SEG.SEQ+1><CTL=RST,ACK> (RFC 9293 3.10.7.1) and Linux's connect() fails
# with ECONNREFUSED; synack counts the reset.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_init "${1:-}" nc

start_serve tap rf-tap0 --ctl "$TMPD/ctl.sock"
rc=0
nsx timeout 10 nc -z -v "$SYNACK_ADDR" 4444 >"$TMPD/nc.out" 2>&1 || rc=$?
((rc != 0)) || fail "connect to a closed port succeeded"
grep -q "refused" "$TMPD/nc.out" || { cat "$TMPD/nc.out" >&2; fail "no 'Connection refused' from nc (exit $rc)"; }
"$SYNACK" ss --ctl "$TMPD/ctl.sock" --counters >"$TMPD/counters"
rsts=$(awk '$1 == "TcpOutRsts" {print $2}' "$TMPD/counters")
((rsts >= 1)) || fail "synack counted $rsts resets sent"
log "closed port: Linux saw 'Connection refused'; synack TcpOutRsts=$rsts"
stop_serve
pass
