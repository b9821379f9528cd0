# Shared by bench/syscalls.sh and bench/shards.sh, on top of bench/lib.sh: two namespaces, NS1 with
# the kernel's side of synack's TAP (192.0.2.1, synack 192.0.2.2, TEST-NET-1) and a veth pair to
# NS2 (198.51.100.1 -> 198.51.100.2, TEST-NET-2) for the Linux peer, both deleted on every exit
# path with whatever still runs in them (lib.sh); synack serve and nginx started and found there.
# Source it, then call tap_bench_init NAME SYNACK [TOOL...]. Exit: 0 done, 1 failure, 77 not root.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# tap_bench_init NAME SYNACK TOOL...: lib.sh's bench_init, the synack binary, the namespaces.
tap_bench_init() {
    local name=$1
    SYNACK=$2
    shift 2
    bench_init "$name" "$@"
    [[ -n "$SYNACK" && -x "$SYNACK" ]] || die "usage: bash $0 /path/to/synack"
    SYNACK=$(readlink -f "$SYNACK")
    NS1="synack-${name}1-$$"
    NS2="synack-${name}2-$$"
    bench_ns "$NS1"
    bench_ns "$NS2"
    bench_veth "$NS1" bveth0 198.51.100.1/24 "$NS2" bveth1 198.51.100.2/24
}

# start_serve DEV ARGS...: synack serve on TAP DEV in NS1 (log $TMPD/serve.log), waits until up
# (and listening, by its control socket); PID in SERVE_PID.
start_serve() {
    local dev=$1 i
    shift
    : >"$TMPD/serve.log"
    timeout -s TERM 1200 ip netns exec "$NS1" "$SYNACK" serve --tap "$dev" --addr 192.0.2.2/24 \
        --host-addr 192.0.2.1/24 "$@" >"$TMPD/serve.log" 2>&1 &
    SERVE_PID=$!
    SERVE_TIMEOUT_PID=$SERVE_PID
    PIDS+=("$SERVE_PID")
    for ((i = 0; i < 200; i++)); do
        grep -q ' up, address ' "$TMPD/serve.log" && return 0
        kill -0 "$SERVE_PID" 2>/dev/null || die "synack serve exited: $(cat "$TMPD/serve.log")"
        sleep 0.05
    done
    die "synack serve did not come up: $(cat "$TMPD/serve.log")"
}

# stop_serve: SIGTERM (to timeout, which passes it on) and wait.
stop_serve() {
    kill -TERM "$SERVE_TIMEOUT_PID" 2>/dev/null || true
    wait "$SERVE_TIMEOUT_PID" 2>/dev/null || true
}

# start_nginx DIR: nginx in NS2 on 198.51.100.2:80 serving DIR, one process (no master), no
# access log; PID in NGINX_PID.
start_nginx() {
    local i
    cat >"$TMPD/nginx.conf" <<NGINX
daemon off;
master_process off;
worker_processes 1;
pid $TMPD/nginx.pid;
error_log $TMPD/nginx.err warn;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    keepalive_requests 1000000;
    client_body_temp_path $TMPD/nginx-body;
    proxy_temp_path $TMPD/nginx-proxy;
    fastcgi_temp_path $TMPD/nginx-fcgi;
    uwsgi_temp_path $TMPD/nginx-uwsgi;
    scgi_temp_path $TMPD/nginx-scgi;
    server { listen 198.51.100.2:80; root $1; }
}
NGINX
    timeout -s TERM 1200 ip netns exec "$NS2" nginx -c "$TMPD/nginx.conf" -e "$TMPD/nginx.err" >"$TMPD/nginx.out" 2>&1 &
    NGINX_PID=$!
    PIDS+=("$NGINX_PID")
    for ((i = 0; i < 200; i++)); do
        [[ -n "$(ip netns exec "$NS2" ss -Hltn 'sport = :80' 2>/dev/null)" ]] && return 0
        kill -0 "$NGINX_PID" 2>/dev/null || die "nginx exited: $(cat "$TMPD/nginx.out" "$TMPD/nginx.err" 2>/dev/null)"
        sleep 0.05
    done
    die "nginx did not listen"
}

# wrk_rps FILE: requests/s from wrk's output; wrk_reqs FILE: the request count; wrk_bytes FILE:
# bytes read (from "N requests in T, X read", X in B/KB/MB/GB).
wrk_rps() { awk '/^Requests\/sec:/ { print $2 }' "$1"; }
wrk_reqs() { awk '/requests in/ { print $1 }' "$1"; }
wrk_secs() { awk '/requests in/ { t = $4; sub(/,$/, "", t); if (t ~ /ms$/) { sub(/ms$/, "", t); t /= 1000 } else if (t ~ /m$/) { sub(/m$/, "", t); t *= 60 } else sub(/s$/, "", t); print t }' "$1"; }
wrk_bytes() {
    awk '/requests in/ { x = $5; m = 1; if (x ~ /GB$/) m = 1073741824; else if (x ~ /MB$/) m = 1048576; else if (x ~ /KB$/) m = 1024;
                         sub(/[KMG]?B$/, "", x); printf "%.0f", x * m }' "$1"
}
