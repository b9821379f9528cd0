#!/usr/bin/env bash
# HTTP figures of issue 11, each beside its reference measured in this run:
#
#   (a) keep-alive: `wrk -t1 -c50` for a 100-byte file against synack's HTTP server over a TAP, an
#       lwIP raw-API server of our own (bench/lwip_httpd.c, Debian's liblwip-dev) over a TAP, and
#       nginx with one worker over a veth pair; requests per second, the median of the runs, and
#       requests per second of the server's own CPU time (user+system of its processes, all
#       threads: steadier than wall-clock figures on a shared machine). No server keeps an access
#       log: synack runs with `--http-log off`, nginx with `access_log off`, and lwIP's server
#       logs nothing.
#   (b) new connections: `ab -c50` without keep-alive, BENCH_AB_CONNS connections (default
#       500,000) against synack (TAP) and nginx with one worker (veth); connections per second,
#       and whether the rate is flat: the rate over the last tenth of the connections against the
#       first tenth (from the client namespace's TcpActiveOpens, sampled every 0.2 s), within 10 %;
#       and connections per second of the server's CPU time, flat or not by the same rule (the
#       machine's other load moves the wall-clock rate; the CPU time a connection costs it does
#       not, unless something in the server grows with the connections it has seen).
#   (c) idle keep-alive connections: BENCH_HTTP_IDLE connections (default 10,000) held open from a
#       Linux client (Python, one request each, then idle) to synack's HTTP server; the growth per
#       connection of the server's heap in use (the C allocator's count, which `synack serve`
#       prints on SIGUSR1), against issue 11's target of 1.5 KB, and of its RSS beside it (RSS
#       keeps what a connection's request needed for a moment: the allocator does not hand freed
#       pages back).
#
# Usage: bash bench/http_bench.sh /path/to/synack [/path/to/lwip_httpd]
# Environment: BENCH_HTTP_QUICK=1 (short: 3 s per wrk run, 20,000 connections, 1,000 idle; one
# run), BENCH_HTTP_SECONDS (per wrk run, default 10), BENCH_RUNS (wrk runs per server, default 3),
# BENCH_AB_CONNS, BENCH_HTTP_IDLE (0 skips a part).
#
# Output: RESULT lines (http_keepalive, http_newconn, http_idle) on stdout, progress on stderr.
# Every server runs in namespaces this script creates (deleted on every exit path): synack and lwIP
# each behind a TAP of their own (server 192.0.2.2, kernel and client 192.0.2.1, TEST-NET-1),
# nginx on a veth pair (client 198.51.100.1, nginx 198.51.100.2, TEST-NET-2). Every command that
# could wait is bounded by `timeout`. Exit: 0 done, 1 failure, 77 not root.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"

SYNACK=${1:-}
LWIP=${2:-}
QUICK=${BENCH_HTTP_QUICK:-0}
if [[ "$QUICK" == 1 ]]; then
    SECS=${BENCH_HTTP_SECONDS:-3} RUNS=${BENCH_RUNS:-1} AB_N=${BENCH_AB_CONNS:-20000} IDLE_N=${BENCH_HTTP_IDLE:-1000}
else
    SECS=${BENCH_HTTP_SECONDS:-10} RUNS=${BENCH_RUNS:-3} AB_N=${BENCH_AB_CONNS:-500000} IDLE_N=${BENCH_HTTP_IDLE:-10000}
fi
[[ -n "$SYNACK" && -x "$SYNACK" ]] || { echo "usage: bash $0 /path/to/synack [/path/to/lwip_httpd]" >&2; exit 1; }
SYNACK=$(readlink -f "$SYNACK")
[[ -n "$LWIP" && -x "$LWIP" ]] && LWIP=$(readlink -f "$LWIP") || LWIP=""
bench_init http_bench wrk ab nginx python3 curl ss
for v in "$SECS" "$RUNS" "$AB_N" "$IDLE_N"; do [[ "$v" =~ ^[0-9]+$ ]] || die "numbers only in BENCH_*"; done
((SECS >= 1 && SECS <= 120 && RUNS >= 1 && RUNS <= 20 && AB_N <= 2000000 && IDLE_N <= 50000)) ||
    die "BENCH_HTTP_SECONDS 1..120, BENCH_RUNS 1..20, BENCH_AB_CONNS <= 2000000, BENCH_HTTP_IDLE <= 50000"

NSS="synack-hb-s-$$"   # synack's TAP; the client on the kernel's side
NSL="synack-hb-l-$$"   # lwIP's TAP; the client on the kernel's side
NSC="synack-hb-c-$$"   # the client of nginx
NSN="synack-hb-n-$$"   # nginx
for ns in "$NSS" "$NSL" "$NSC" "$NSN"; do
    bench_ns "$ns"
    # a wide range of client ports: ab opens hundreds of thousands of connections
    ip netns exec "$ns" sysctl -qw net.ipv4.ip_local_port_range="1024 65535"
done
bench_tap "$NSS" hbsyn0 192.0.2.1/24
bench_tap "$NSL" hblwip0 192.0.2.1/24
bench_veth "$NSC" hbv0 198.51.100.1/24 "$NSN" hbv1 198.51.100.2/24

WWW="$TMPD/www"
mkdir -p "$WWW"
head -c 100 /dev/zero | tr '\0' 'x' >"$WWW/f100"
chmod -R a+rX "$TMPD"

# nginx, one worker, as a tuned server would be for this: no access log, sendfile, long keep-alive.
cat >"$TMPD/nginx.conf" <<EOF
user root;
worker_processes 1;
worker_rlimit_nofile 65536;
pid $TMPD/nginx.pid;
error_log $TMPD/nginx.err;
daemon off;
events { worker_connections 65000; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 600;
    keepalive_requests 1000000;
    default_type text/plain;
    server { listen 198.51.100.2:80 backlog=4096; root $WWW; }
}
EOF

start_synack() {   # the HTTP server on synack, in NSS, ready when curl gets the file; one stack,
    # as lwIP's server and nginx's one worker are one thread
    bench_bg synack timeout 3600 ip netns exec "$NSS" "$SYNACK" serve --tap hbsyn0 --threads 1 --addr 192.0.2.2/24 \
        --ctl "$TMPD/serve.sock" --http-root "$WWW" --http-log off --http-keepalive-max 1000000 \
        --http-keepalive-timeout 600 --http-max-conns 60000
    SYNACK_PID=$BG_PID
    wait_http "$NSS" http://192.0.2.2/f100 synack
}
stop_bg() { kill -TERM "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
wait_http() {   # NS URL NAME
    local i
    for ((i = 0; i < 100; i++)); do
        ip netns exec "$1" curl -s -m 1 -o /dev/null "$2" && return 0
        sleep 0.1
    done
    die "$3 does not answer $2 after 10 s: $(tail -5 "$TMPD/$3.out")"
}

# ---------------- (a) keep-alive, wrk -t1 -c50 ----------------
# cpu_ticks NS COMM: user+system clock ticks of every process named COMM in NS (all its threads).
cpu_ticks() {
    local p sum=0
    for p in $(ip netns pids "$1" 2>/dev/null); do
        [[ "$(cat "/proc/$p/comm" 2>/dev/null)" == "$2" ]] || continue
        sum=$((sum + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)))
    done
    echo "$sum"
}
TCK=$(getconf CLK_TCK)
# per_cpu COUNT TICKS0 TICKS1: COUNT per second of the server's CPU time
per_cpu() { awk -v n="$1" -v a="$2" -v b="$3" -v t="$TCK" 'BEGIN { if (b > a) printf "%.0f", n * t / (b - a); else print "-" }'; }
# client_cmd SECONDS NS CMD...: runs the client (bounded by SECONDS), then prints "CLIENT_TIMES"
# and bash's `times` (its second line: the finished child's user and system time, the kernel's
# work in its context included). client_cpu OUTPUT reads it back in seconds. Beside the client's
# wall time it says whether a figure is the client's limit: a client busy all the time on one
# core cannot ask faster, however fast the server.
client_cmd() {
    local t=$1 ns=$2
    shift 2
    # `times` not in a pipeline or a $(...): a subshell would report its own (no) children
    timeout "$t" ip netns exec "$ns" bash -c '"$@"; rc=$?; echo CLIENT_TIMES; times; exit $rc' client "$@"
}
client_cpu() {
    awk '/^CLIENT_TIMES/ { getline; getline; split($1, u, /[ms]/); split($2, s, /[ms]/)
        printf "%.2f\n", u[1] * 60 + u[2] + s[1] * 60 + s[2] }' <<<"$1"
}
# share CPU_SECONDS WALL_SECONDS: the client's busy share of one core
share() { awk -v c="$1" -v w="$2" 'BEGIN { if (w > 0 && c != "") printf "%.2f", c / w; else print "-" }'; }
wrk_rps() {   # NS URL SRV_NS SRV_COMM -> "requests/s requests-per-server-CPU-second client-share" (no errors allowed)
    local out c0 c1
    c0=$(cpu_ticks "$3" "$4")
    out=$(client_cmd $((SECS + 30)) "$1" wrk -t1 -c50 -d"${SECS}s" "$2" 2>&1) || die "wrk $2 failed: $out"
    c1=$(cpu_ticks "$3" "$4")
    grep -q 'Non-2xx\|Socket errors' <<<"$out" && die "wrk $2: errors: $out"
    echo "$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out") $(per_cpu "$(awk '/requests in/ { print $1 }' <<<"$out")" "$c0" "$c1")" \
        "$(share "$(client_cpu "$out")" "$(awk '/requests in/ { sub(/s,$/, "", $4); print $4 }' <<<"$out")")"
}
start_synack
if [[ -n "$LWIP" ]]; then
    bench_bg lwip timeout 3600 ip netns exec "$NSL" "$LWIP" hblwip0 192.0.2.2 255.255.255.0 80
    LWIP_PID=$BG_PID
    wait_http "$NSL" http://192.0.2.2/f100 lwip
else
    say "no lwip_httpd (install liblwip-dev: scripts/install-deps.sh bench, then rebuild): its column stays empty"
fi
bench_bg nginx timeout 3600 ip netns exec "$NSN" nginx -c "$TMPD/nginx.conf"
NGINX_PID=$BG_PID
wait_http "$NSC" http://198.51.100.2/f100 nginx

S=() L=() N=() SC=() LC=() NC=() SU=() LU=() NU=()
for ((r = 1; r <= RUNS; r++)); do
    read -r s sc su <<<"$(wrk_rps "$NSS" http://192.0.2.2/f100 "$NSS" synack)"
    l="" lc="" lu=""
    [[ -n "$LWIP" ]] && read -r l lc lu <<<"$(wrk_rps "$NSL" http://192.0.2.2/f100 "$NSL" lwip_httpd)"
    read -r n nc nu <<<"$(wrk_rps "$NSC" http://198.51.100.2/f100 "$NSN" nginx)"
    [[ -n "$s" && -n "$n" && ( -z "$LWIP" || -n "$l" ) ]] || die "a wrk run failed"
    say "keep-alive run $r/$RUNS: synack $s, lwIP ${l:--}, nginx $n requests/s;" \
        "per server CPU-second: synack $sc, lwIP ${lc:--}, nginx $nc; wrk's share of a core: $su, ${lu:--}, $nu"
    S+=("$s") N+=("$n") SC+=("$sc") NC+=("$nc") SU+=("$su") NU+=("$nu")
    [[ -n "$l" ]] && L+=("$l") LC+=("$lc") LU+=("$lu")
done
sm=$(median "${S[@]}") nm=$(median "${N[@]}") scm=$(median "${SC[@]}") ncm=$(median "${NC[@]}")
sum=$(median "${SU[@]}") num=$(median "${NU[@]}")
lm="" lcm="" lum=""
((${#L[@]})) && lm=$(median "${L[@]}") lcm=$(median "${LC[@]}") lum=$(median "${LU[@]}")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }'; }
echo "RESULT http_keepalive synack_rps=$sm lwip_rps=${lm:--} nginx_rps=$nm ratio_lwip=$(ratio "$sm" "$lm")" \
    "ratio_nginx=$(ratio "$sm" "$nm") synack_rpcpu=$scm lwip_rpcpu=${lcm:--} nginx_rpcpu=$ncm" \
    "ratio_lwip_cpu=$(ratio "$scm" "$lcm") ratio_nginx_cpu=$(ratio "$scm" "$ncm")" \
    "synack_client_share=$sum lwip_client_share=${lum:--} nginx_client_share=$num secs=$SECS runs=$RUNS"
[[ -n "$LWIP" ]] && stop_bg "$LWIP_PID"

# ---------------- (b) new connections, ab -c50 without keep-alive ----------------
# sampler NS SRV_NS SRV_COMM: "time ActiveOpens server-CPU-ticks" every 0.2 s until killed: the
# client namespace's connections opened, and the CPU time of the server's processes so far.
sampler() {
    local p pids=""
    for p in $(ip netns pids "$2" 2>/dev/null); do
        [[ "$(cat "/proc/$p/comm" 2>/dev/null)" == "$3" ]] && pids+=" $p"
    done
    bench_bg "sampler" timeout 3600 ip netns exec "$1" env PIDS="$pids" bash -c \
        'while :; do t=0; for p in $PIDS; do read -r -a f <"/proc/$p/stat" && t=$((t + f[13] + f[14])); done
         echo "$EPOCHREALTIME $(awk "/^Tcp:/ { if (h) print \$6; h = 1 }" /proc/net/snmp) $t"; sleep 0.2; done'
    SAMPLER_PID=$BG_PID
}
# flat FILE: from the samples, the rate over the last tenth of the connections / over the first
# tenth, by wall clock and by the server's CPU time: "wall_ratio first/s last/s cpu_ratio".
flat() {
    awk -v tck="$TCK" '{ t[NR] = $1; c[NR] = $2; u[NR] = $3 } END {
        n = NR; c0 = c[1]; tot = c[n] - c0
        if (tot < 100) { print "- - - -"; exit }
        # time and CPU ticks at which the count (from c0) reached x, interpolated between samples
        for (k = 1; k <= 4; k++) { x = (k == 1) ? 1 : (k == 2) ? 0.1 * tot : (k == 3) ? 0.9 * tot : tot
            for (i = 2; i <= n; i++) if (c[i] - c0 >= x) break
            a = c[i - 1] - c0; b = c[i] - c0; w = (b > a) ? (x - a) / (b - a) : 1
            r[k] = t[i - 1] + (t[i] - t[i - 1]) * w; q[k] = u[i - 1] + (u[i] - u[i - 1]) * w }
        first = (0.1 * tot - 1) / (r[2] - r[1]); last = 0.1 * tot / (r[4] - r[3])
        cf = (q[2] > q[1]) ? (0.1 * tot - 1) / (q[2] - q[1]) : 0; cl = (q[4] > q[3]) ? 0.1 * tot / (q[4] - q[3]) : 0
        printf "%.3f %.0f %.0f %s\n", last / first, first, last, (cf > 0 && cl > 0) ? sprintf("%.3f", cl / cf) : "-" }' "$1"
}
ab_cps() {   # NAME NS URL SRV_NS SRV_COMM -> "cps flat first last cpu_flat per-server-CPU-second client-share"
    local out rps f c0 c1
    sampler "$2" "$4" "$5"
    c0=$(cpu_ticks "$4" "$5")
    out=$(client_cmd 1800 "$2" ab -q -r -c50 -n "$AB_N" "$3" 2>&1) || die "ab $3 failed: $(tail -5 <<<"$out")"
    c1=$(cpu_ticks "$4" "$5")
    sleep 0.5
    stop_bg "$SAMPLER_PID"
    cp "$TMPD/sampler.out" "$TMPD/$1.samples"
    grep -q '^Failed requests: *0$' <<<"$out" || die "ab $3: $(grep -A3 '^Failed requests' <<<"$out")"
    grep -q "^Complete requests: *$AB_N$" <<<"$out" || die "ab $3: $(grep '^Complete requests' <<<"$out")"
    rps=$(awk '/^Requests per second:/ { print $4 }' <<<"$out")
    f=$(flat "$TMPD/$1.samples")
    echo "$rps $f $(per_cpu "$AB_N" "$c0" "$c1")" \
        "$(share "$(client_cpu "$out")" "$(awk '/^Time taken for tests:/ { print $5 }' <<<"$out")")"
}
if ((AB_N > 0)); then
    read -r scps sflat sfirst slast scflat scpu scl <<<"$(ab_cps synack "$NSS" http://192.0.2.2/f100 "$NSS" synack)"
    [[ -n "$scps" ]] || die "ab against synack failed"
    say "new connections: synack $scps/s over $AB_N (first tenth $sfirst/s, last $slast/s: $sflat;" \
        "$scpu per server CPU-second, last/first tenth $scflat; ab's share of a core $scl)"
    read -r ncps nflat nfirst nlast ncflat ncpu ncl <<<"$(ab_cps nginx "$NSC" http://198.51.100.2/f100 "$NSN" nginx)"
    [[ -n "$ncps" ]] || die "ab against nginx failed"
    say "new connections: nginx $ncps/s over $AB_N (first tenth $nfirst/s, last $nlast/s: $nflat;" \
        "$ncpu per server CPU-second, last/first tenth $ncflat; ab's share of a core $ncl)"
    isflat() { awk -v f="$1" 'BEGIN { print (f != "-" && f >= 0.9 && f <= 1.1) ? "yes" : "no" }'; }
    echo "RESULT http_newconn conns=$AB_N synack_cps=$scps nginx_cps=$ncps ratio=$(ratio "$scps" "$ncps")" \
        "synack_cpcpu=$scpu nginx_cpcpu=$ncpu ratio_cpu=$(ratio "$scpu" "$ncpu")" \
        "synack_last_first=$sflat synack_flat=$(isflat "$sflat") nginx_last_first=$nflat nginx_flat=$(isflat "$nflat")" \
        "synack_cpu_last_first=$scflat synack_cpu_flat=$(isflat "$scflat") nginx_cpu_last_first=$ncflat" \
        "nginx_cpu_flat=$(isflat "$ncflat") synack_client_share=$scl nginx_client_share=$ncl"
fi
stop_bg "$NGINX_PID"
stop_bg "$SYNACK_PID"

# ---------------- (c) idle keep-alive connections held by a Linux client ----------------
if ((IDLE_N > 0)); then
    cat >"$TMPD/idle.py" <<'PY'
# Opens N connections to ADDR:80, asks each for /f100 once (keep-alive), reads the whole answer,
# then holds them all open until stdin closes; prints "held N" when they are.
import socket, sys
addr, n = sys.argv[1], int(sys.argv[2])
req = b"GET /f100 HTTP/1.1\r\nHost: bench\r\n\r\n"
socks = []
for i in range(n):
    s = socket.create_connection((addr, 80), timeout=10)
    s.sendall(req)
    got = b""
    while b"\r\n\r\n" not in got or len(got.split(b"\r\n\r\n", 1)[1]) < 100:
        chunk = s.recv(4096)
        if not chunk:
            sys.exit("connection %d closed early" % i)
        got += chunk
    if not got.startswith(b"HTTP/1.1 200"):
        sys.exit("connection %d: %r" % (i, got[:40]))
    socks.append(s)
print("held", len(socks), flush=True)
sys.stdin.read()
PY
    start_synack
    pid=$(ns_pid_of "$NSS" synack) || die "no synack process in $NSS"
    rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status"; }
    heap() {   # the allocator's bytes in use, as `synack serve` prints them on SIGUSR1
        local n0 i
        n0=$(grep -c 'heap in use' "$TMPD/synack.out" || true)
        kill -USR1 "$pid"
        for ((i = 0; i < 100; i++)); do
            (($(grep -c 'heap in use' "$TMPD/synack.out" || true) > n0)) && break
            sleep 0.05
        done
        grep 'heap in use' "$TMPD/synack.out" | tail -1 | awk '{ print $(NF - 1) }'
    }
    sleep 2   # the warm-up request's connection is idle and released
    rss0=$(rss)
    heap0=$(heap)
    mkfifo "$TMPD/idle.in"
    bench_bg idle timeout 900 ip netns exec "$NSS" bash -c "ulimit -n $((IDLE_N + 100)); exec python3 '$TMPD/idle.py' 192.0.2.2 $IDLE_N <'$TMPD/idle.in'"
    IDLE_PID=$BG_PID
    exec {hold}>"$TMPD/idle.in"
    for ((i = 0; i < 6000; i++)); do
        grep -q '^held' "$TMPD/idle.out" && break
        kill -0 "$IDLE_PID" 2>/dev/null || die "the idle client failed: $(tail -3 "$TMPD/idle.out")"
        sleep 0.1
    done
    grep -q '^held' "$TMPD/idle.out" || die "the idle client did not open $IDLE_N connections in 600 s"
    sleep 3   # past the stack's idle release (1 s): what an idle connection keeps
    rss1=$(rss)
    heap1=$(heap)
    exec {hold}>&-
    stop_bg "$IDLE_PID"
    [[ -n "$heap0" && -n "$heap1" ]] || die "synack serve printed no heap figure on SIGUSR1"
    per=$(awk -v a="$heap0" -v b="$heap1" -v n="$IDLE_N" 'BEGIN { printf "%.0f", (b - a) / n }')
    rper=$(awk -v a="$rss0" -v b="$rss1" -v n="$IDLE_N" 'BEGIN { printf "%.0f", (b - a) * 1024 / n }')
    say "idle: $IDLE_N connections held: synack serve's heap in use $heap0 -> $heap1 bytes, $per bytes per" \
        "connection; RSS $rss0 -> $rss1 KiB, $rper bytes per connection"
    echo "RESULT http_idle conns=$IDLE_N heap0=$heap0 heap1=$heap1 bytes_per_conn=$per rss0_kib=$rss0" \
        "rss1_kib=$rss1 rss_bytes_per_conn=$rper target=1536"
    stop_bg "$SYNACK_PID"
fi
