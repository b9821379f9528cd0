#!/usr/bin/env bash
# `synack serve --threads 2` on a multi-queue TAP: the kernel's clients reach every port whatever
# shard their flow lands on. 24 connections held open to the discard port are all listed by one
# `synack ss` (merged over the shards) and spread over both shards (`synack ss --shards`; with a
# keyed hash the chance that 24 flows all land on one shard is 2^-23); 24 parallel curl downloads
# of a 1 MB file arrive whole (SHA-256); wrk's keep-alive requests get no errors; the counters
# are summed over the shards; the device really has two queues. With the kernel steering flows
# (the eBPF program on the device, `steering: kernel` in `synack ss --shards`), after 1,280 more
# short connections, 64 at a time, fewer than 0.05 frames per connection accepted were read by
# the shard that does not own their flow (without the program the kernel's choice sends ~1.)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_init "${1:-}" curl python3 sha256sum

DEV=mqtap0
mkdir -p "$TMPD/www"
head -c 1000000 /dev/urandom >"$TMPD/www/f.bin"
WANT=$(sha256sum <"$TMPD/www/f.bin" | cut -d' ' -f1)

start_serve tap "$DEV" --threads 2 --http-root "$TMPD/www" --http-log /dev/null
grep -q '2 threads' "$SERVE_LOG" || fail "serve did not report 2 threads: $(cat "$SERVE_LOG")"
# Kernel steering: on as root, unless this kernel cannot (then the hand-over alone is checked). A
# program the verifier refused is a bug, never a reason to skip.
KSTEER=1
if grep -q 'no steering in the kernel' "$SERVE_LOG"; then
    grep -q "verifier" "$SERVE_LOG" && fail "the kernel refused the steering program: $(cat "$SERVE_LOG")"
    log "no kernel steering here: $(grep 'no steering in the kernel' "$SERVE_LOG")"
    KSTEER=0
fi
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
# The driver loop's back end: io_uring from Linux 6.7 (its multishot read), else epoll (or when
# this run was given SYNACK_IO_URING=0).
IFS=. read -r kmaj kmin _ <<<"$(uname -r)"
want=epoll
((kmaj > 6 || (kmaj == 6 && kmin >= 7))) && [[ "${SYNACK_IO_URING:-}" != 0 ]] && want=io_uring
grep -q "^driver: $want\$" "$TMPD/shards" || fail "synack ss --shards does not say 'driver: $want': $(cat "$TMPD/shards")"
if ((KSTEER)); then
    grep -q '^steering: kernel' "$TMPD/shards" || fail "synack ss --shards does not say kernel steering: $(cat "$TMPD/shards")"
else
    grep -q '^steering: user space' "$TMPD/shards" || fail "synack ss --shards does not say user-space steering"
fi
# Each shard holds its 3 listeners and at least one of the held connections.
while read -r _ k _ tcp _; do
    ((tcp >= 4)) || fail "shard ${k%:} carries no connection ($tcp TCP sockets): $(cat "$TMPD/shards")"
done < <(grep '^shard ' "$TMPD/shards")

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

# Many short connections in parallel: 64 clients, 20 each, every reply whole.
head -c 1000 /dev/urandom >"$TMPD/www/s.bin"
nsx timeout 60 python3 - "$SYNACK_ADDR" <<'PY' >"$TMPD/burst" 2>&1 || fail "the connection burst failed: $(cat "$TMPD/burst")"
import socket, sys, threading
addr, ok, errs = sys.argv[1], [0], []
def client():
    for _ in range(20):
        try:
            s = socket.create_connection((addr, 80), timeout=10)
            s.sendall(b"GET /s.bin HTTP/1.0\r\nHost: x\r\n\r\n")
            data = b""
            while True:
                b = s.recv(65536)
                if not b:
                    break
                data += b
            s.close()
            if data.startswith(b"HTTP/1.1 200") or data.startswith(b"HTTP/1.0 200"):
                ok[0] += 1
            else:
                errs.append(data[:40])
        except OSError as e:
            errs.append(str(e))
ts = [threading.Thread(target=client) for _ in range(64)]
[t.start() for t in ts]
[t.join() for t in ts]
print("ok", ok[0], "errors", len(errs), errs[:3])
sys.exit(0 if ok[0] == 64 * 20 else 1)
PY
log "connection burst: $(cat "$TMPD/burst")"
nsx "$SYNACK" ss --dev "$DEV" --shards >"$TMPD/shards" || fail "synack ss --shards failed"
handed=$(awk '$1 == "shard" { for (i = 3; i < NF; i++) if ($i == "handed_out") s += $(i + 1) } END { print s + 0 }' "$TMPD/shards")

# The counters are the sum of both shards: at least every connection made above was accepted.
nsx "$SYNACK" ss --dev "$DEV" --counters >"$TMPD/counters" || fail "synack ss --counters failed"
est=$(awk '$1 == "TcpPassiveOpens" { print $2 }' "$TMPD/counters")
[[ -n "$est" ]] && ((est >= 48 + 1280)) || fail "TcpPassiveOpens $est < 1328: $(cat "$TMPD/counters")"
per=$(awk -v h="$handed" -v o="$est" 'BEGIN { printf "%.3f", h / o }')
log "frames handed over: $handed for $est connections accepted ($per per connection)"
if ((KSTEER)); then
    awk -v p="$per" 'BEGIN { exit !(p < 0.05) }' ||
        fail "kernel steering on, yet $per frames per connection were read by the wrong shard: $(cat "$TMPD/shards")"
fi

serve_alive
stop_serve
pass
