#!/usr/bin/env bash
# synack nc against Linux's nc, 100 MB each way, checked by SHA-256:
#  - synack nc connects to a Linux listener, named in a hosts file (resolved through apps/dns), and
#    sends (synack closes first: its FIN at stdin EOF,
#    and with --linger it shows its own TIME-WAIT in `synack ss`);
#  - Linux nc connects to `synack nc -l` and sends.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_init "${1:-}" nc sha256sum tshark

SIZE_MB=${SYNACK_NC_MB:-100}
head -c $((SIZE_MB * 1000000)) /dev/urandom >"$TMPD/blob"
want=$(sha256 "$TMPD/blob")

# 1. synack -> Linux. Linux listens on any address (the TAP appears when synack starts).
nsx_out="$TMPD/linux_listen.got"
# The listener is named: synack nc resolves it through a hosts file (apps/dns) before connecting.
echo "$HOST_ADDR linux.test" >"$TMPD/hosts"
linux_nc_listen 5000 "$nsx_out"
t0=$(date +%s.%N)
rc=0
nsx timeout 120 "$SYNACK" nc --tap nc-tap0 --addr "$SYNACK_ADDR/24" --host-addr "$HOST_ADDR/24" \
    --msl 1500 --linger --ctl "$TMPD/nc.sock" -v --hosts "$TMPD/hosts" linux.test 5000 <"$TMPD/blob" >/dev/null 2>"$TMPD/nc1.err" &
NCPID=$!
BG_PIDS+=("$NCPID")
# While it lingers in TIME-WAIT (2 * 1.5 s), synack ss must show it.
seen_tw=0
for ((i = 0; i < 600; i++)); do
    if ! kill -0 "$NCPID" 2>/dev/null; then break; fi
    if "$SYNACK" ss --ctl "$TMPD/nc.sock" 2>/dev/null | grep -q "TIME-WAIT .*$HOST_ADDR:5000"; then
        seen_tw=1
    fi
    sleep 0.2
done
wait "$NCPID" || rc=$?
t1=$(date +%s.%N)
wait "$LPID" 2>/dev/null || true
((rc == 0)) || { cat "$TMPD/nc1.err" >&2; fail "synack nc -> Linux: exit $rc"; }
[[ "$(sha256 "$nsx_out")" == "$want" ]] || fail "synack nc -> Linux: got $(stat -c %s "$nsx_out") bytes, SHA-256 differs"
grep -q "linux.test is $HOST_ADDR" "$TMPD/nc1.err" || { cat "$TMPD/nc1.err" >&2; fail "synack nc did not resolve linux.test"; }
((seen_tw == 1)) || fail "synack closed first but synack ss never showed its TIME-WAIT"
log "synack -> Linux: $SIZE_MB MB, sha256 matches; synack held TIME-WAIT after closing first ($(seconds "$t0" "$t1") s incl. TIME-WAIT)"

# 2. Linux -> synack nc -l.
nc_from_linux nc-tap1 "$TMPD/blob" --pcap "$TMPD/nc2.pcap"
frames=$(tshark_count "$TMPD/nc2.pcap" 'tcp.port == 6000')
((frames > 100)) || fail "synack nc --pcap captured only $frames TCP frames"
log "Linux -> synack: $SIZE_MB MB, sha256 matches; --pcap captured $frames frames ($NC_SECS s)"
pass
