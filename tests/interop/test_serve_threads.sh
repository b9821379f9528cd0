#!/usr/bin/env bash
# `synack serve --threads 2` on a multi-queue TAP: the kernel's clients reach every port whatever
# shard their flow lands on. 24 connections held open to the discard port are all listed by one
# `synack ss` (merged over the shards) and spread over both shards (`synack ss --shards`; with a
# keyed hash the chance that 24 flows all land on one shard is 2^-23); 24 parallel curl downloads
# of a 1 MB file arrive whole (SHA-256); wrk's keep-alive requests get no errors; the counters
# are summed over the shards; the device really has two queues.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_init "${1:-}" curl python3 sha256sum

DEV=mqtap0
mkdir -p "$TMPD/www"
head -c 1000000 /dev/urandom >"$TMPD/www/f.bin"
WANT=$(sha256sum <"$TMPD/www/f.bin" | cut -d' ' -f1)

start_serve tap "$DEV" --threads 2 --http-root "$TMPD/www" --http-log /dev/null
grep -q '2 threads' "$SERVE_LOG" || fail "serve did not report 2 threads: $(cat "$SERVE_LOG")"
# The kernel's view: a TAP with IFF_MULTI_QUEUE (0x100) and two queues.
flags=$(nsx cat "/sys/class/net/$DEV/tun_flags" 2>/dev/null || echo "")
if [[ -n "$flags" ]]; then
    ((flags & 0x100)) || fail "$DEV is not multi-queue (tun_flags $flags)"
fi

# 24 held connections to discard (port 9).
start_bg hold python3 -c '
import socket, time
socks = [socket.create_connection(("192.0.2.2", 9), timeout=5) for _ in range(24)]
print("connected", len(socks), flush=True)
time.sleep(60)'
for ((i = 0; i < 200; i++)); do grep -q connected "$TMPD/hold.out" && break; sleep 0.05; done
grep -q 'connected 24' "$TMPD/hold.out" || fail "the kernel could not open 24 connections: $(cat "$TMPD/hold.out")"
sleep 0.3
nsx "$SYNACK" ss --dev "$DEV" >"$TMPD/ss" || fail "synack ss failed"
n=$(grep -c '^ESTABLISHED .*192.0.2.2:9 ' "$TMPD/ss" || true)
((n == 24)) || { cat "$TMPD/ss" >&2; fail "synack ss lists $n of the 24 connections to port 9"; }
# Every shard listens on each port: 3 TCP ports (7, 9, 80) per shard.
l=$(grep -c '^LISTEN ' "$TMPD/ss" || true)
((l == 6)) || { cat "$TMPD/ss" >&2; fail "expected 6 listeners (3 ports x 2 shards), got $l"; }
nsx "$SYNACK" ss --dev "$DEV" --shards >"$TMPD/shards" || fail "synack ss --shards failed"
cat "$TMPD/shards"
[[ $(grep -c '^shard ' "$TMPD/shards") == 2 ]] || fail "expected two shards: $(cat "$TMPD/shards")"
# Each shard holds its 3 listeners and at least one of the held connections.
while read -r _ k _ tcp _; do
    ((tcp >= 4)) || fail "shard ${k%:} carries no connection ($tcp TCP sockets): $(cat "$TMPD/shards")"
done <"$TMPD/shards"

# 24 parallel downloads, each checked.
for ((i = 0; i < 24; i++)); do
    nsx timeout 30 curl -sS -o "$TMPD/got.$i" "http://$SYNACK_ADDR/f.bin" &
    BG_PIDS+=("$!")
done
for ((i = 0; i < 24; i++)); do wait "${BG_PIDS[-1 - i]}" || fail "a curl download failed"; done
for ((i = 0; i < 24; i++)); do
    got=$(sha256sum <"$TMPD/got.$i" | cut -d' ' -f1)
    [[ "$got" == "$WANT" ]] || fail "download $i differs (sha256 $got)"
done
log "24 parallel downloads of 1 MB arrived whole"

if command -v wrk >/dev/null 2>&1; then
    nsx timeout 20 wrk -t 2 -c 16 -d 2s "http://$SYNACK_ADDR/f.bin" >"$TMPD/wrk" 2>&1 || fail "wrk failed: $(cat "$TMPD/wrk")"
    grep -q 'requests in' "$TMPD/wrk" || fail "wrk made no requests: $(cat "$TMPD/wrk")"
    grep -qE 'Socket errors|Non-2xx' "$TMPD/wrk" && fail "wrk saw errors: $(cat "$TMPD/wrk")"
    log "wrk: $(grep 'requests in' "$TMPD/wrk" | sed 's/^ *//')"
fi

# The counters are the sum of both shards: at least every connection made above was accepted.
nsx "$SYNACK" ss --dev "$DEV" --counters >"$TMPD/counters" || fail "synack ss --counters failed"
est=$(awk '$1 == "TcpPassiveOpens" { print $2 }' "$TMPD/counters")
[[ -n "$est" ]] && ((est >= 48)) || fail "TcpPassiveOpens $est < 48: $(cat "$TMPD/counters")"

serve_alive
stop_serve
pass
