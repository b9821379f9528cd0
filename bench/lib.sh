# Shared helpers for the benchmark scripts that need network namespaces (source it, then call
# bench_init NAME). One copy of what every such script needs:
#
#   bench_init NAME       say/die for "[NAME] ...", root and /dev/net/tun checks (exit 77 without),
#                         a temporary directory in $TMPD, and the clean-up on every exit path
#   bench_ns NS           a namespace, deleted at exit with everything still running in it
#                         (only ever processes this script started: the namespace is its own);
#                         loopback up, IPv6 off
#   bench_veth NS1 IF1 A1/P NS2 IF2 A2/P   a veth pair between two namespaces, addressed and up
#   bench_tap NS DEV A/P  a persistent TAP in NS with the kernel's side at A/P, up
#   bench_bg NAME CMD...  CMD in the background, output in $TMPD/NAME.out, PID in BG_PID (ended
#                         at exit)
#   wait_listen NS PORT   until a kernel socket listens on PORT in NS (10 s at most)
#   ns_pid_of NS COMM     the PID of the process named COMM running in NS
#   median VALUES...      the median (the lower middle one for an even count)
#
# Namespaces are named after the script and its PID, so runs never collide; every address is from
# TEST-NET-1/2/3 (RFC 5737). Exit codes: 0 done, 1 failure, 77 skipped.

source "$(dirname "${BASH_SOURCE[0]}")/../tests/lib/netns.sh"   # ns_new, ns_teardown (shared with the tests)

BENCH_NAME=bench
BENCH_NSLIST=()
PIDS=()
TMPD=""
BG_PID=""

say() { printf '[%s] %s\n' "$BENCH_NAME" "$*" >&2; }
die() {
    say "FAIL: $*"
    exit 1
}

bench_cleanup() {
    local rc=$?
    trap - EXIT INT TERM HUP
    local p ns
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    # Whatever still runs in our namespaces was started by this script: ns_teardown ends it by its id.
    for ns in "${BENCH_NSLIST[@]}"; do ns_teardown "$ns"; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    [[ -n "$TMPD" && -d "$TMPD" ]] && rm -rf "$TMPD"
    exit "$rc"
}

# bench_init NAME [TOOLS...]: the checks, the temporary directory and the traps.
bench_init() {
    BENCH_NAME=$1
    shift
    ((EUID == 0)) || { say "SKIP: needs root (network namespaces, TAP)"; exit 77; }
    [[ -c /dev/net/tun ]] || { say "SKIP: no /dev/net/tun"; exit 77; }
    local t
    for t in ip timeout awk "$@"; do
        command -v "$t" >/dev/null 2>&1 || die "tool '$t' not found"
    done
    trap bench_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    trap 'exit 129' HUP
    trap 'exit 141' PIPE
    TMPD=$(mktemp -d "/tmp/synack-$BENCH_NAME.XXXXXX")
}

bench_ns() {
    BENCH_NSLIST+=("$1")
    ns_new "$1" || die "cannot create network namespace $1"
}

bench_veth() {   # NS1 IF1 A1/P NS2 IF2 A2/P
    ip link add "$2" netns "$1" type veth peer name "$5" netns "$4"
    ip -n "$1" addr add "$3" dev "$2"
    ip -n "$4" addr add "$6" dev "$5"
    ip -n "$1" link set "$2" up
    ip -n "$4" link set "$5" up
}

bench_tap() {   # NS DEV A/P
    ip -n "$1" tuntap add dev "$2" mode tap
    ip -n "$1" addr add "$3" dev "$2"
    ip -n "$1" link set "$2" up
}

bench_bg() {   # NAME CMD...
    local name=$1
    shift
    : >"$TMPD/$name.out"
    "$@" >"$TMPD/$name.out" 2>&1 &
    BG_PID=$!
    PIDS+=("$BG_PID")
}

wait_listen() {   # NS PORT
    local i
    for ((i = 0; i < 1000; i++)); do
        [[ -n "$(ip netns exec "$1" ss -Hltn "sport = :$2" 2>/dev/null)" ]] && return 0
        sleep 0.01
    done
    die "nothing listens on port $2 in $1 after 10 s"
}

ns_pid_of() {   # NS COMM
    local p
    for p in $(ip netns pids "$1" 2>/dev/null); do
        [[ "$(cat "/proc/$p/comm" 2>/dev/null)" == "$2" ]] && { echo "$p"; return 0; }
    done
    return 1
}

median() { printf '%s\n' "$@" | sort -g | awk -v n=$# 'NR == int((n + 1) / 2)'; }
