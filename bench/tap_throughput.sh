#!/usr/bin/env bash
# Bulk TCP throughput: synack over a TAP device against the Linux kernel, beside Linux -> Linux over
# a veth pair, all measured in this run with the same tools, the same payload and the same clock.
#
#   (a) synack -> Linux   `synack nc` reads the payload and sends it over a TAP; Linux `nc -l` sinks
#                         it to /dev/null.
#   (b) Linux -> synack   Linux `nc -N` sends it to `synack nc -l` (output to /dev/null).
#   (c) Linux -> Linux    `nc -N` -> `nc -l` over a veth pair between two namespaces (the peer).
#   (d) optional, BENCH_VETH_NOGSO=1: (c) with the veth's gso_max_segs at 1, so that Linux too
#                         sends one 1500-byte frame per skb (synack has no GSO on TAP yet).
#   (e) the TAP's ceiling `bench/vnet_writer` (beside the synack binary's build: BUILD/bench/)
#                         sends the payload to Linux `nc -l` over a TAP of its own with offloads,
#                         as synack does in (a) but with no stack at all: the reference for (a).
#                         Its TAP is 203.0.113.1 (kernel) / .2 (the writer), TEST-NET-3.
#
# Usage: bash bench/tap_throughput.sh /path/to/synack
# Environment: BENCH_MB (payload, decimal MB, default 500), BENCH_RUNS (runs of each case, default 3;
# the median run is reported), BENCH_VETH_NOGSO (0/1, default 0).
#
# Wall time runs from the moment the connection shows ESTABLISHED (polled with ss, ~ms resolution)
# to the receiver's exit, so device set-up is not counted. CPU time is user+sys of the two
# processes (getrusage via bash's `time`), which on this kernel (no IRQ time accounting) includes
# the kernel's TCP/IP work done in their context, plus ksoftirqd's time over the run.
#
# All traffic stays in two namespaces this script creates (deleted on every exit path), on
# TEST-NET-1 (TAP: synack 192.0.2.2, kernel 192.0.2.1) and TEST-NET-2 (veth: 198.51.100.1 -> .2).
# Every command that could wait is bounded by `timeout`. Exit: 0 done, 1 failure, 77 not root.
set -euo pipefail

SYNACK=${1:-${SYNACK:-}}
MB=${BENCH_MB:-500}
RUNS=${BENCH_RUNS:-3}
NOGSO=${BENCH_VETH_NOGSO:-0}
BYTES=$((MB * 1000000))
XFER_TIMEOUT=$((30 + MB / 5))     # seconds per transfer: generous even at 40 Mbit/s

HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"
BENCH_NAME=tap_throughput
[[ -n "$SYNACK" && -x "$SYNACK" ]] || die "usage: bash $0 /path/to/synack"
SYNACK=$(readlink -f "$SYNACK")
[[ "$MB" =~ ^[0-9]+$ && "$MB" -ge 1 && "$RUNS" =~ ^[0-9]+$ && "$RUNS" -ge 1 && "$RUNS" -le 20 ]] ||
    die "BENCH_MB must be a positive integer, BENCH_RUNS 1..20"
bench_init tap_throughput nc ss date truncate

NS1="synack-bench1-$$"
NS2="synack-bench2-$$"
# The payload: a sparse file, so reading it costs no disk I/O (pages of zeros from the page cache).
truncate -s "$BYTES" "$TMPD/payload"

bench_ns "$NS1"
bench_ns "$NS2"
bench_veth "$NS1" bveth0 198.51.100.1/24 "$NS2" bveth1 198.51.100.2/24

now() { date +%s.%N; }

# ksoftirqd CPU time in seconds (all CPUs): network work the kernel defers out of process context.
ksoftirqd_cpu() {
    local tck p sum=0
    tck=$(getconf CLK_TCK)
    for p in $(pgrep -x 'ksoftirqd/[0-9]+' 2>/dev/null || true); do
        [[ -r /proc/$p/stat ]] || continue
        sum=$((sum + $(awk '{ print $14 + $15 }' "/proc/$p/stat")))
    done
    awk -v s="$sum" -v t="$tck" 'BEGIN { printf "%.3f", s / t }'
}

# wait_listen NS PORT (lib.sh): until something listens on PORT in NS (bounded: 10 s).
# wait_estab NS FILTER T_LAUNCH: prints the time at which a connection matching FILTER (an ss
# filter) shows ESTABLISHED in NS, or CLOSE-WAIT (synack nc -l, its stdin empty, sends its FIN at
# once) (bounded: 20 s). One poll costs a few ms, tens on a loaded machine (a fork of `ip netns
# exec ss`): a small payload can be through before a poll sees it. If the receiver ("sink") has
# already exited, the time is T_LAUNCH (taken just before the sender started, so process start-up
# is counted too: the figure is then a lower bound) and a warning says so.
wait_estab() {
    local end=$((SECONDS + 20))
    while ((SECONDS < end)); do
        if [[ -n "$(ip netns exec "$1" ss -Htn state established state close-wait "$2" 2>/dev/null)" ]]; then
            now
            return 0
        fi
        if [[ -e "$TMPD/sink.done" ]]; then
            say "warning: the transfer was over before a poll saw the connection ($2): timed from the" \
                "sender's launch (a lower bound; raise BENCH_MB for a real figure)"
            echo "$3"
            return 0
        fi
        sleep 0.002
    done
    die "no ESTABLISHED connection ($2) in $1 after 20 s"
}

# timed NAME INPUT CMD...: runs CMD in the background with stdin from INPUT, stdout to /dev/null,
# stderr to $TMPD/NAME.err and its rusage in $TMPD/NAME.time ("real user sys"); creates
# $TMPD/NAME.done when it ends; leaves the PID in TPID. (The redirection is inside: a background
# job's stdin would otherwise be /dev/null.)
timed() {
    local name=$1 input=$2
    shift 2
    rm -f "$TMPD/$name.done"
    (
        TIMEFORMAT='%3R %3U %3S'
        rc=0
        time "$@" <"$input" >/dev/null 2>"$TMPD/$name.err" || rc=$?
        : >"$TMPD/$name.done"
        exit "$rc"
    ) 2>"$TMPD/$name.time" &
    TPID=$!
    PIDS+=("$TPID")
}
cpu_of() { awk '{ printf "%.3f", $2 + $3 }' "$TMPD/$1.time"; }
# wait_ok CASE WHAT PID NAME: waits for PID (the job `timed` started as NAME); dies unless it exited 0.
wait_ok() {
    local rc=0
    wait "$3" || rc=$?
    ((rc == 0)) || die "($1) $2 exited $rc: $(cat "$TMPD/$4.err")"
}
# cpu_sum K0 K1: the sender's and the receiver's CPU time plus ksoftirqd's between K0 and K1.
cpu_sum() {
    awk -v a="$(cpu_of sink)" -v b="$(cpu_of src)" -v k0="$1" -v k1="$2" 'BEGIN { printf "%.3f", a + b + k1 - k0 }'
}

# Each case sets WALL and CPU (seconds) for one run.
case_synack_to_linux() {
    local run=$1
    timed sink /dev/null timeout "$XFER_TIMEOUT" ip netns exec "$NS1" nc -l 5000
    local sink=$TPID
    wait_listen "$NS1" 5000
    local k0 t0 t1 k1 tl F="( sport = :5000 )"
    k0=$(ksoftirqd_cpu)
    tl=$(now)
    timed src "$TMPD/payload" timeout "$XFER_TIMEOUT" ip netns exec "$NS1" "$SYNACK" nc -v --tap bsyn0 --addr 192.0.2.2/24 \
        --host-addr 192.0.2.1/24 --ctl "$TMPD/a.sock" 192.0.2.1 5000
    local src=$TPID
    t0=$(wait_estab "$NS1" "$F" "$tl")
    wait_ok a "Linux nc -l" "$sink" sink
    t1=$(now)
    k1=$(ksoftirqd_cpu)
    wait_ok a "synack nc" "$src" src
    grep -q "synack nc: $BYTES bytes out" "$TMPD/src.err" || die "(a) synack nc did not send $BYTES bytes: $(cat "$TMPD/src.err")"
    WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')
    CPU=$(cpu_sum "$k0" "$k1")
    DETAIL="synack nc $(cpu_of src) s, Linux nc -l $(cpu_of sink) s"
}

case_linux_to_synack() {
    local run=$1
    rm -f "$TMPD/b.sock"
    timed sink /dev/null timeout "$XFER_TIMEOUT" ip netns exec "$NS1" "$SYNACK" nc -l -v --tap bsyn1 --addr 192.0.2.2/24 \
        --host-addr 192.0.2.1/24 --ctl "$TMPD/b.sock" 6000
    local sink=$TPID i
    for ((i = 0; i < 500; i++)); do [[ -S "$TMPD/b.sock" ]] && break; sleep 0.01; done
    [[ -S "$TMPD/b.sock" ]] || die "(b) synack nc -l did not start: $(cat "$TMPD/sink.err")"
    local k0 t0 t1 k1 tl F="( dport = :6000 )"
    k0=$(ksoftirqd_cpu)
    tl=$(now)
    timed src "$TMPD/payload" timeout "$XFER_TIMEOUT" ip netns exec "$NS1" nc -N 192.0.2.2 6000
    local src=$TPID
    t0=$(wait_estab "$NS1" "$F" "$tl")
    wait_ok b "synack nc -l" "$sink" sink
    t1=$(now)
    k1=$(ksoftirqd_cpu)
    wait_ok b "Linux nc" "$src" src
    grep -q "bytes out, $BYTES bytes in" "$TMPD/sink.err" || die "(b) synack nc -l did not receive $BYTES bytes: $(cat "$TMPD/sink.err")"
    WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')
    CPU=$(cpu_sum "$k0" "$k1")
    DETAIL="synack nc -l $(cpu_of sink) s, Linux nc $(cpu_of src) s"
}

# IpExt InOctets of a namespace: to check that the veth receiver got the whole payload.
in_octets() {
    ip netns exec "$1" awk '$1 == "IpExt:" { if (!h) { for (i = 2; i <= NF; i++) if ($i == "InOctets") c = i; h = 1 } else print $c }' /proc/net/netstat
}

# (e) The TAP's own ceiling: the minimal offload-frame writer in place of synack nc.
VNET_WRITER=$(dirname "$SYNACK")/bench/vnet_writer
case_ceiling_to_linux() {
    local run=$1
    timed sink /dev/null timeout "$XFER_TIMEOUT" ip netns exec "$NS1" nc -l 203.0.113.1 5001
    local sink=$TPID
    wait_listen "$NS1" 5001
    local k0 k1
    k0=$(ksoftirqd_cpu)
    timed src /dev/null timeout "$XFER_TIMEOUT" ip netns exec "$NS1" "$VNET_WRITER" --tap bvw0 --src 203.0.113.2 \
        --dst 203.0.113.1 --port 5001 --bytes "$BYTES"
    local src=$TPID
    wait_ok e "Linux nc -l" "$sink" sink
    k1=$(ksoftirqd_cpu)
    wait_ok e "vnet_writer" "$src" src
    grep -q "vnet_writer: $BYTES bytes out" "$TMPD/src.err" || die "(e) vnet_writer did not send $BYTES bytes: $(cat "$TMPD/src.err")"
    # The writer times itself, from the handshake's end to the ACK of the last byte: a transfer this
    # fast can be over before a poll of ss sees the connection.
    WALL=$(sed -n 's/.* \([0-9.]*\) s established to last ACK.*/\1/p' "$TMPD/src.err")
    [[ -n "$WALL" ]] || die "(e) vnet_writer printed no time: $(cat "$TMPD/src.err")"
    CPU=$(cpu_sum "$k0" "$k1")
    DETAIL="vnet_writer $(cpu_of src) s, Linux nc -l $(cpu_of sink) s"
}

case_linux_to_linux() {
    local run=$1
    timed sink /dev/null timeout "$XFER_TIMEOUT" ip netns exec "$NS2" nc -l 7000
    local sink=$TPID
    wait_listen "$NS2" 7000
    local k0 t0 t1 k1 tl F="( dport = :7000 )" o0 o1
    o0=$(in_octets "$NS2")
    k0=$(ksoftirqd_cpu)
    tl=$(now)
    timed src "$TMPD/payload" timeout "$XFER_TIMEOUT" ip netns exec "$NS1" nc -N 198.51.100.2 7000
    local src=$TPID
    t0=$(wait_estab "$NS1" "$F" "$tl")
    wait_ok c "Linux nc -l" "$sink" sink
    t1=$(now)
    k1=$(ksoftirqd_cpu)
    wait_ok c "Linux nc" "$src" src
    o1=$(in_octets "$NS2")
    ((o1 - o0 >= BYTES)) || die "(c) the veth receiver got $((o1 - o0)) IP bytes, less than $BYTES"
    WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')
    CPU=$(cpu_sum "$k0" "$k1")
    DETAIL="nc $(cpu_of src) s, nc -l $(cpu_of sink) s"
}


# measure KEY LABEL FUNCTION: runs FUNCTION $RUNS times, prints each run, then the median of each
# figure over the runs as "RESULT KEY ...".
measure() {
    local key=$1 label=$2 fn=$3 r
    local walls=() cpus=() gs=() gcs=() line
    for ((r = 1; r <= RUNS; r++)); do
        "$fn" "$r"
        line=$(awk -v w="$WALL" -v c="$CPU" -v b="$BYTES" \
            'BEGIN { printf "%.4f %.3f %.3f %.3f", w, c, b * 8 / w / 1e9, b * 8 / c / 1e9 }')
        read -r w c g gc <<<"$line"
        walls+=("$w") cpus+=("$c") gs+=("$g") gcs+=("$gc")
        say "$label run $r/$RUNS: wall ${w} s, CPU ${c} s -> $g Gbit/s, $gc Gbit/s per CPU-second ($DETAIL)"
    done
    echo "RESULT $key bytes=$BYTES runs=$RUNS wall_s=$(median "${walls[@]}") cpu_s=$(median "${cpus[@]}")" \
        "gbps=$(median "${gs[@]}") gbps_cpu=$(median "${gcs[@]}")"
}

say "payload $MB MB ($BYTES bytes), $RUNS runs per case, MTU 1500 everywhere; synack: $SYNACK"
measure tap_synack_to_linux "(a) synack -> Linux over TAP" case_synack_to_linux
measure tap_linux_to_synack "(b) Linux -> synack over TAP" case_linux_to_synack
measure veth_linux_to_linux "(c) Linux -> Linux over veth" case_linux_to_linux
if [[ -x "$VNET_WRITER" ]]; then
    # A TAP of its own, made here: the writer attaches to it (TEST-NET-3), the kernel knows the
    # writer's MAC (no ARP: the writer answers none), and the link is up.
    ip -n "$NS1" tuntap add dev bvw0 mode tap vnet_hdr
    ip -n "$NS1" addr add 203.0.113.1/24 dev bvw0
    ip -n "$NS1" link set bvw0 up
    ip -n "$NS1" neigh replace 203.0.113.2 lladdr 02:00:00:00:00:42 dev bvw0 nud permanent
    measure tap_ceiling_to_linux "(e) TAP ceiling: vnet_writer -> Linux" case_ceiling_to_linux
else
    say "(e) skipped: $VNET_WRITER not built"
fi
if [[ "$NOGSO" == 1 ]]; then
    ip -n "$NS1" link set bveth0 gso_max_segs 1
    ip -n "$NS2" link set bveth1 gso_max_segs 1
    measure veth_nogso_linux_to_linux "(d) Linux -> Linux over veth, gso_max_segs 1" case_linux_to_linux
fi
