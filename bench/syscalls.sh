#!/usr/bin/env bash
# System calls synack pays over TAP, per MB and per HTTP request, beside Linux's figure for the same
# job from this run, and what the kernel allows to batch (bench/tap_limits.py, checked here).
#
#   rx   Linux `nc -N` sends BENCH_SYS_MB to `synack serve`'s TCP discard (port 9) over the TAP;
#        Linux: the same to `nc -l` over a veth pair. Counted: the receiving process.
#   tx   curl downloads a BENCH_SYS_MB file from `synack serve --http-root` over the TAP; Linux:
#        from nginx (one process, sendfile) over the veth pair. Counted: the serving process.
#   req  wrk keep-alive GETs of a 1 KB file for BENCH_SYS_SECS s (8 connections); synack serve
#        vs nginx. Counted: the serving process, per request.
#
# Counting: `perf stat -e raw_syscalls:sys_enter,...` attached to the process (a tracepoint count
# in the kernel: no ptrace, so the run's batching is not changed by the counting, as it would be
# under strace). synack serve runs --threads 1 here. Frames: synack's IP datagrams in and out
# (InReceives, OutRequests; with offloads one datagram may be up to 64 KB) from `synack ss --counters`.
#
# Usage: bash bench/syscalls.sh /path/to/synack     (root; nc, curl, wrk, nginx, perf)
# Prints RESULT lines: RESULT sys_<case> synack_per_<unit>=.. linux_per_<unit>=.. and a breakdown.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib_tap.sh"
MB=${BENCH_SYS_MB:-200}
SECS=${BENCH_SYS_SECS:-3}
BYTES=$((MB * 1000000))
tap_bench_init syscalls "${1:-}" nc curl wrk nginx perf python3 truncate

EVENTS=raw_syscalls:sys_enter,syscalls:sys_enter_read,syscalls:sys_enter_write,syscalls:sys_enter_writev
EVENTS+=,syscalls:sys_enter_epoll_pwait2,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_sendfile64
EVENTS+=,syscalls:sys_enter_recvfrom,syscalls:sys_enter_sendto,syscalls:sys_enter_pread64,syscalls:sys_enter_io_uring_enter

# perf_start PID: counts the events of PID until perf_stop.
perf_start() {
    perf stat -x, -e "$EVENTS" -p "$1" -o "$TMPD/perf.out" &
    PERF_PID=$!
    sleep 0.3   # attached
}
perf_stop() {
    kill -INT "$PERF_PID" 2>/dev/null || true
    wait "$PERF_PID" 2>/dev/null || true
}
# ev NAME: the count of event NAME (e.g. sys_enter_read) from the last perf run.
ev() { awk -F, -v e="$1" '$3 ~ e"$" { print $1 + 0 }' "$TMPD/perf.out" | head -1; }
total() { ev raw_syscalls:sys_enter; }

counter() { ip netns exec "$NS1" "$SYNACK" ss --dev bsys0 --counters | awk -v k="$1" '$1 == k { print $2 }'; }

# The kernel's limits, checked rather than assumed.
ip netns exec "$NS2" timeout 30 python3 "$HERE/tap_limits.py" | tee "$TMPD/limits" >&2 || die "tap_limits.py failed"
grep -q 'FACT read_one_frame: .*one frame per read' "$TMPD/limits" || die "the kernel's limits changed: see above"

mkdir -p "$TMPD/www"
truncate -s "$BYTES" "$TMPD/www/big.bin"
head -c 1024 /dev/zero | tr '\0' 'x' >"$TMPD/www/small.html"
truncate -s "$BYTES" "$TMPD/payload"
start_serve bsys0 --threads 1 --http-root "$TMPD/www" --http-log /dev/null
start_nginx "$TMPD/www"

# `timeout` runs the command as its child: count the command, not timeout.
SERVE_PID=$(pgrep -P "$SERVE_PID" | head -1)
NGINX_PID=$(pgrep -P "$NGINX_PID" | head -1)
[[ -n "$SERVE_PID" && -n "$NGINX_PID" ]] || die "cannot find the synack and nginx processes"

# result KEY SYNACK_PER LINUX_PER UNITS UNIT BREAKDOWN: the RESULT line.
result() {
    echo "RESULT sys_$1 synack_per_$4=$2 linux_per_$4=$3 $6"
}
per() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

# --- rx ---
in0=$(counter InReceives)
out0=$(counter OutRequests)
perf_start "$SERVE_PID"
ip netns exec "$NS1" timeout 120 nc -N 192.0.2.2 9 <"$TMPD/payload" || die "rx: nc to synack failed"
sleep 0.2
perf_stop
s_tot=$(total) s_rd=$(ev sys_enter_read) s_wv=$(ev sys_enter_writev) s_wr=$(ev sys_enter_write) s_ep=$(ev sys_enter_epoll_pwait2) s_ur=$(ev sys_enter_io_uring_enter)
din=$(($(counter InReceives) - in0))
dout=$(($(counter OutRequests) - out0))
timeout 120 perf stat -x, -e "$EVENTS" -o "$TMPD/perf.out" -- ip netns exec "$NS2" nc -l 198.51.100.2 7000 >/dev/null &
LPID=$!
PIDS+=("$LPID")
for ((i = 0; i < 200; i++)); do [[ -n "$(ip netns exec "$NS2" ss -Hltn 'sport = :7000')" ]] && break; sleep 0.02; done
ip netns exec "$NS1" timeout 120 nc -N 198.51.100.2 7000 <"$TMPD/payload" || die "rx: nc over veth failed"
wait "$LPID" || true
l_tot=$(total)
say "rx $MB MB: synack serve $s_tot syscalls (read $s_rd, writev $s_wv, write $s_wr, epoll_pwait2 $s_ep, io_uring_enter $s_ur) for $din datagrams in, $dout out; Linux nc -l $l_tot (the ip netns exec wrapper included)"
result rx "$(per "$s_tot" "$MB")" "$(per "$l_tot" "$MB")" MB MB \
    "read=$(per "$s_rd" "$MB") writev=$(per "$s_wv" "$MB") write=$(per "$s_wr" "$MB") epoll=$(per "$s_ep" "$MB") uring=$(per "$s_ur" "$MB") dgrams_in=$(per "$din" "$MB") dgrams_out=$(per "$dout" "$MB") syscalls_per_dgram=$(per "$s_tot" "$((din + dout))")"

# --- tx ---
in0=$(counter InReceives)
out0=$(counter OutRequests)
perf_start "$SERVE_PID"
ip netns exec "$NS1" timeout 120 curl -sS -o /dev/null "http://192.0.2.2/big.bin" || die "tx: curl from synack failed"
sleep 0.2
perf_stop
s_tot=$(total) s_rd=$(ev sys_enter_read) s_wv=$(ev sys_enter_writev) s_wr=$(ev sys_enter_write) s_ep=$(ev sys_enter_epoll_pwait2) s_ur=$(ev sys_enter_io_uring_enter) s_pr=$(ev sys_enter_pread64)
din=$(($(counter InReceives) - in0))
dout=$(($(counter OutRequests) - out0))
perf_start "$NGINX_PID"
ip netns exec "$NS1" timeout 120 curl -sS -o /dev/null "http://198.51.100.2/big.bin" || die "tx: curl from nginx failed"
sleep 0.2
perf_stop
l_tot=$(total)
say "tx $MB MB: synack serve $s_tot syscalls (read $s_rd, pread $s_pr, writev $s_wv, write $s_wr, epoll_pwait2 $s_ep, io_uring_enter $s_ur) for $din datagrams in, $dout out; nginx $l_tot (sendfile $(ev sys_enter_sendfile64))"
result tx "$(per "$s_tot" "$MB")" "$(per "$l_tot" "$MB")" MB MB \
    "read=$(per "$((s_rd + s_pr))" "$MB") writev=$(per "$s_wv" "$MB") write=$(per "$s_wr" "$MB") epoll=$(per "$s_ep" "$MB") uring=$(per "$s_ur" "$MB") dgrams_in=$(per "$din" "$MB") dgrams_out=$(per "$dout" "$MB") syscalls_per_dgram=$(per "$s_tot" "$((din + dout))")"

# --- per request ---
in0=$(counter InReceives)
out0=$(counter OutRequests)
perf_start "$SERVE_PID"
ip netns exec "$NS1" timeout 60 wrk -t 1 -c 8 -d "${SECS}s" "http://192.0.2.2/small.html" >"$TMPD/wrk.s" 2>&1 || die "wrk against synack failed"
perf_stop
s_tot=$(total) s_rd=$(ev sys_enter_read) s_wv=$(ev sys_enter_writev) s_wr=$(ev sys_enter_write) s_ep=$(ev sys_enter_epoll_pwait2) s_ur=$(ev sys_enter_io_uring_enter)
s_req=$(wrk_reqs "$TMPD/wrk.s")
din=$(($(counter InReceives) - in0))
dout=$(($(counter OutRequests) - out0))
perf_start "$NGINX_PID"
ip netns exec "$NS1" timeout 60 wrk -t 1 -c 8 -d "${SECS}s" "http://198.51.100.2/small.html" >"$TMPD/wrk.l" 2>&1 || die "wrk against nginx failed"
perf_stop
l_tot=$(total)
l_req=$(wrk_reqs "$TMPD/wrk.l")
say "req: synack serve $s_tot syscalls for $s_req requests ($(wrk_rps "$TMPD/wrk.s")/s; read $s_rd, writev $s_wv, write $s_wr, epoll_pwait2 $s_ep, io_uring_enter $s_ur; $din datagrams in, $dout out); nginx $l_tot for $l_req ($(wrk_rps "$TMPD/wrk.l")/s)"
result req "$(per "$s_tot" "$s_req")" "$(per "$l_tot" "$l_req")" req req \
    "read=$(per "$s_rd" "$s_req") writev=$(per "$s_wv" "$s_req") write=$(per "$s_wr" "$s_req") epoll=$(per "$s_ep" "$s_req") uring=$(per "$s_ur" "$s_req") dgrams_in=$(per "$din" "$s_req") dgrams_out=$(per "$dout" "$s_req") synack_rps=$(wrk_rps "$TMPD/wrk.s") linux_rps=$(wrk_rps "$TMPD/wrk.l")"
stop_serve
