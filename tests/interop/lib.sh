# Shared helpers for the interop tests. Source it, then call interop_init "$@".
#
# Every test runs in a network namespace it creates itself (named after the test and its PID, so
# parallel runs never collide) and that the EXIT trap deletes, after killing every process the
# test started there. All traffic uses TEST-NET-1 (192.0.2.0/24): synack is 192.0.2.2, the
# kernel's side of the device 192.0.2.1. Every command that could wait is bounded by `timeout`.
#
# Exit codes: 0 pass, 1 fail (with a "FAIL:" line), 77 skipped (not root / no /dev/net/tun).

source "$(dirname "${BASH_SOURCE[0]}")/../lib/netns.sh"   # ns_new, ns_teardown

SYNACK_ADDR=192.0.2.2
HOST_ADDR=192.0.2.1
NET_PREFIX=24

INTEROP_NAME=$(basename "${0%.sh}")
NS=""
TMPD=""
SERVE_PID=""
SERVE_LOG=""
BG_PIDS=()
EXTRA_NS=()

log()  { printf '[%s] %s\n' "$INTEROP_NAME" "$*"; }
fail() {
    printf '[%s] FAIL: %s\n' "$INTEROP_NAME" "$*" >&2
    exit 1
}
skip() {
    printf '[%s] SKIP: %s\n' "$INTEROP_NAME" "$*" >&2
    exit 77
}
pass() {
    log "PASS"
    exit 0
}

# Runs a command inside the test's namespace.
nsx() { ip netns exec "$NS" "$@"; }

interop_cleanup() {
    local rc=$?
    trap - EXIT INT TERM HUP
    local p
    for p in "${BG_PIDS[@]}" $SERVE_PID; do
        kill -TERM "$p" 2>/dev/null || true
    done
    [[ -n "$NS" ]] && ns_teardown "$NS"
    for p in "${EXTRA_NS[@]}"; do ns_teardown "$p"; done
    for p in "${BG_PIDS[@]}" $SERVE_PID; do
        kill -KILL "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    if [[ -n "$TMPD" && -d "$TMPD" ]]; then
        if ((rc != 0 && rc != 77)) && [[ -n "${SERVE_LOG:-}" && -s "$SERVE_LOG" ]]; then
            echo "--- last lines of synack serve's output ---" >&2
            tail -n 30 "$SERVE_LOG" >&2
        fi
        rm -rf "$TMPD"
    fi
    exit "$rc"
}

# interop_init SYNACK_BINARY [TOOL...]: checks root and tools, creates the namespace and TMPD.
interop_init() {
    SYNACK=${1:-}
    shift || true
    [[ -n "$SYNACK" && -x "$SYNACK" ]] || fail "usage: bash $0 /path/to/synack (got '${SYNACK}')"
    SYNACK=$(readlink -f "$SYNACK")
    ((EUID == 0)) || skip "needs root (network namespaces, TAP/TUN)"
    [[ -c /dev/net/tun ]] || skip "no /dev/net/tun"
    local t
    for t in ip timeout "$@"; do
        command -v "$t" >/dev/null 2>&1 || fail "tool '$t' not found (scripts/install-deps.sh installs it)"
    done
    trap interop_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    trap 'exit 129' HUP
    TMPD=$(mktemp -d "/tmp/synack-${INTEROP_NAME}.XXXXXX")
    NS="synack-${INTEROP_NAME#test_}-$$"
    NS=${NS:0:60}
    # No IPv6 on the test devices (ns_new): keeps the kernel's router/neighbour solicitations out
    # of the captures.
    ns_new "$NS" || fail "cannot create network namespace $NS"
}

# add_ns SUFFIX: creates a second namespace (name left in NEW_NS) set up like the first and
# deleted with it at exit.
add_ns() {
    NEW_NS="${NS:0:50}-$1"
    ns_new "$NEW_NS" || fail "cannot create network namespace $NEW_NS"
    EXTRA_NS+=("$NEW_NS")
}

# start_bg NAME CMD...: runs CMD in the namespace in the background (bounded to 120 s), output to
# $TMPD/NAME.out; its PID is recorded for cleanup and left in BG_PID.
start_bg() {
    local name=$1
    shift
    # Truncated here, not only by the background job's redirection (which may run later): a
    # caller polling the file must never see a previous run's output.
    : >"$TMPD/$name.out"
    timeout -s TERM 120 ip netns exec "$NS" "$@" >"$TMPD/$name.out" 2>&1 &
    BG_PID=$!
    BG_PIDS+=("$BG_PID")
}

# host_tap DEV [ADDR/P...]: a TAP for synack to open later, with the kernel's side at
# HOST_ADDR/NET_PREFIX (and each ADDR/P) and up, so servers on the kernel's side can bind first.
host_tap() {
    local dev=$1 a
    shift
    nsx ip tuntap add "$dev" mode tap
    for a in "$HOST_ADDR/$NET_PREFIX" "$@"; do nsx ip addr add "$a" dev "$dev"; done
    nsx ip link set "$dev" up
}

# start_nginx CONNS < HTTP: nginx in the namespace (start_bg nginx): one worker of CONNS
# connections, its pid file, error log and temporary files in TMPD, and the lines read from
# stdin (servers, root, logs) inside its http block; the configuration is $TMPD/nginx.conf.
start_nginx() {
    {
        cat <<EOF
worker_processes 1;
pid $TMPD/nginx.pid;
error_log $TMPD/nginx.err;
events { worker_connections $1; }
http {
    client_body_temp_path $TMPD; proxy_temp_path $TMPD; fastcgi_temp_path $TMPD;
    uwsgi_temp_path $TMPD; scgi_temp_path $TMPD;
EOF
        cat
        echo "}"
    } >"$TMPD/nginx.conf"
    start_bg nginx nginx -c "$TMPD/nginx.conf" -g 'daemon off;'
}

# start_serve KIND DEV [extra serve args...]: runs `synack serve` in the namespace with synack at
# 192.0.2.2/24 and the kernel at 192.0.2.1/24, and waits until it reports the device up (that
# line comes after configure_host has waited for the device to pass traffic).
start_serve() {
    local kind=$1 dev=$2
    shift 2
    # A new log per start: polling a reused file could see the previous run's "up" line before
    # the background job's redirection truncates it, and return before this device exists.
    SERVE_STARTS=$((${SERVE_STARTS:-0} + 1))
    SERVE_LOG="$TMPD/serve.$SERVE_STARTS.log"
    SERVE_DEV=$dev
    : >"$SERVE_LOG"
    timeout -s TERM 300 ip netns exec "$NS" "$SYNACK" serve "--$kind" "$dev" \
        --addr "$SYNACK_ADDR/$NET_PREFIX" --host-addr "$HOST_ADDR/$NET_PREFIX" "$@" >"$SERVE_LOG" 2>&1 &
    SERVE_PID=$!
    local i
    for ((i = 0; i < 100; i++)); do
        grep -q ' up, address ' "$SERVE_LOG" 2>/dev/null && return 0
        kill -0 "$SERVE_PID" 2>/dev/null || {
            cat "$SERVE_LOG" >&2
            SERVE_LOG=""
            fail "synack serve --$kind $dev exited during start-up"
        }
        sleep 0.05
    done
    fail "synack serve --$kind $dev did not report its device up within 5 s"
}

# stop_serve: SIGTERM, then waits (bounded) for a clean exit; fails if it does not exit 0.
stop_serve() {
    [[ -n "$SERVE_PID" ]] || return 0
    kill -TERM "$SERVE_PID" 2>/dev/null || true
    local i rc
    for ((i = 0; i < 50; i++)); do
        kill -0 "$SERVE_PID" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$SERVE_PID" 2>/dev/null && fail "synack serve did not stop within 5 s of SIGTERM"
    rc=0
    wait "$SERVE_PID" || rc=$?
    SERVE_PID=""
    ((rc == 0)) || fail "synack serve exited with status $rc after SIGTERM"
    grep -q 'synack serve: stopping' "$SERVE_LOG" || fail "synack serve did not report stopping"
}

# serve_alive: fails if synack serve has died (e.g. crashed under a sanitizer).
serve_alive() {
    [[ -n "$SERVE_PID" ]] && kill -0 "$SERVE_PID" 2>/dev/null || fail "synack serve is no longer running"
}

# sha256 FILE: prints the hex digest only.
sha256() { sha256sum "$1" | cut -d' ' -f1; }

# seconds T0 T1: the time between two `date +%s.%N` readings, in seconds with two decimals.
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# linux_nc_listen PORT OUT: Linux's nc listens on PORT (any address: synack's TAP may not exist
# yet) and writes what it receives to OUT; its PID is left in LPID.
linux_nc_listen() {
    timeout 150 ip netns exec "$NS" bash -c "nc -l $1 < /dev/null > '$2'" &
    LPID=$!
    BG_PIDS+=("$LPID")
    sleep 0.3
}

# nc_from_linux DEV FILE [ARGS...]: `synack nc -l 6000` on TAP DEV with ARGS (control socket
# $TMPD/nc2.sock, what it receives in $TMPD/got2, its stderr in $TMPD/nc2.err), and Linux's
# `nc -N` sending it FILE; fails unless both exit 0 and FILE arrived whole (SHA-256). Leaves the
# seconds the transfer took in NC_SECS.
nc_from_linux() {
    local dev=$1 file=$2 pid rc=0 t0 t1
    shift 2
    timeout 150 ip netns exec "$NS" "$SYNACK" nc -l --tap "$dev" --addr "$SYNACK_ADDR/$NET_PREFIX" \
        --host-addr "$HOST_ADDR/$NET_PREFIX" --ctl "$TMPD/nc2.sock" "$@" 6000 >"$TMPD/got2" </dev/null 2>"$TMPD/nc2.err" &
    pid=$!
    BG_PIDS+=("$pid")
    wait_socket "$TMPD/nc2.sock" "synack nc -l"
    t0=$(date +%s.%N)
    nsx timeout 120 nc -N "$SYNACK_ADDR" 6000 <"$file" || rc=$?
    ((rc == 0)) || fail "Linux nc -> synack nc -l: nc exit $rc"
    wait "$pid" || rc=$?
    t1=$(date +%s.%N)
    ((rc == 0)) || { cat "$TMPD/nc2.err" >&2; fail "synack nc -l exited $rc"; }
    [[ "$(sha256 "$TMPD/got2")" == "$(sha256 "$file")" ]] ||
        fail "Linux -> synack nc -l: got $(stat -c %s "$TMPD/got2") bytes, SHA-256 differs"
    NC_SECS=$(seconds "$t0" "$t1")
}

# kernel_snmp PROTO FIELD: reads a counter from the namespace's /proc/net/snmp (e.g. Icmp InDestUnreachs).
# wait_socket PATH WHAT: waits up to 5 s for a process to create its control socket at PATH;
# fails the test with "WHAT did not start" if it does not.
wait_socket() {
    local i
    for ((i = 0; i < 100; i++)); do [[ -S "$1" ]] && return 0; sleep 0.05; done
    fail "$2 did not start"
}

kernel_snmp() {
    nsx awk -v p="$1:" -v f="$2" '$1 == p { if (!n) { for (i = 2; i <= NF; i++) h[i] = $i; n = 1 } else { for (i = 2; i <= NF; i++) if (h[i] == f) print $i } }' /proc/net/snmp
}

# tshark_count FILE FILTER: number of frames in FILE matching the display filter.
tshark_count() {
    timeout 60 tshark -n -r "$1" -Y "$2" 2>/dev/null | wc -l
}

# ping_check COUNT PING_ARGS...: pings synack from the kernel side and fails unless all COUNT
# echo requests got exactly one intact reply. Prints ping's summary lines; leaves the RTT line in
# PING_RTT.
ping_check() {
    local count=$1
    shift
    local out="$TMPD/ping.out" rc=0
    nsx timeout $((count * 2 + 20)) ping -n -c "$count" -W 2 "$@" "$SYNACK_ADDR" >"$out" 2>&1 || rc=$?
    PING_RTT=$(grep -E '^(rtt|round-trip)' "$out" || true)
    grep -E 'packets transmitted' "$out" | sed "s/^/[$INTEROP_NAME]   /"
    [[ -n "$PING_RTT" ]] && printf '[%s]   %s\n' "$INTEROP_NAME" "$PING_RTT"
    if grep -qE 'DUP!|wrong data|corrupted' "$out"; then
        cat "$out" >&2
        fail "ping $* saw duplicated or corrupted replies"
    fi
    if ((rc != 0)) || ! grep -qE "^$count packets transmitted, $count received" "$out"; then
        cat "$out" >&2
        fail "ping -c $count $* did not get $count replies (exit $rc)"
    fi
}
