#!/usr/bin/env bash
# `synack serve --threads 1` against `--threads 2` on a multi-queue TAP, in one run, with the same
# clients from the kernel's side:
#
#   rps    wrk keep-alive GETs of a 1 KB file, 2 threads, 32 connections, BENCH_SHARDS_SECS s
#   gbps   wrk GETs of a 20 MB file, 2 threads, 8 connections: payload Gbit/s
#   cps    wrk with "Connection: close", 2 threads, 32 at a time: a new connection per request
#          (connections/s)
#
# and, with 2 shards, how much the hand-over carries: frames a shard read for a flow of the other
# shard, per connection accepted (`synack ss --shards`, TcpPassiveOpens from --counters). Two
# shards run twice: as serve runs them (flows steered by the kernel, with synack's eBPF program,
# when it can load it: `t2`) and with SYNACK_KERNEL_STEERING=0 (the kernel picks queues by its
# flow table, the shards hand frames over: `t2u`).
# The clients run on the same machine: on 2 cores, wrk and the kernel's TCP share the cores
# with the shards, so --threads 2 cannot reach 2x here. So the request and connection figures are
# also given per CPU-second of the server (user+system of all its threads): what the work costs
# it with one shard and with two.
#
# Usage: bash bench/shards.sh /path/to/synack     (root; wrk)
# Environment: BENCH_SHARDS_SECS (default 3), BENCH_SHARDS_RUNS (runs per case, median, default 3).
# Prints: RESULT shards_t<N> rps=.. gbps=.. cps=.. rps_cpu=.. cps_cpu=.. [handed_per_conn=..] for t1, t2, t2u
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib_tap.sh"
SECS=${BENCH_SHARDS_SECS:-3}
RUNS=${BENCH_SHARDS_RUNS:-3}
tap_bench_init shards "${1:-}" wrk truncate
[[ "$RUNS" =~ ^[0-9]+$ && "$RUNS" -ge 1 && "$RUNS" -le 20 ]] || die "BENCH_SHARDS_RUNS 1..20"

mkdir -p "$TMPD/www"
head -c 1024 /dev/zero | tr '\0' 'x' >"$TMPD/www/small.html"
head -c 20000000 /dev/urandom >"$TMPD/www/big.bin"
ssx() { ip netns exec "$NS1" "$SYNACK" ss --dev bshd0 "$@"; }

# Runs alternate between --threads 1 and 2, so that the load of other processes on a shared machine
# falls on both alike; each figure is the median of the runs.
declare -A RPS GBPS CPS RPSC CPSC HANDED OPENS STEER
TCK=$(getconf CLK_TCK)
# serve_ticks: user+system clock ticks of synack serve (every thread) in NS1
serve_ticks() {
    local p sum=0
    for p in $(ip netns pids "$NS1" 2>/dev/null); do
        [[ "$(cat "/proc/$p/comm" 2>/dev/null)" == synack ]] || continue
        sum=$((sum + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)))
    done
    echo "$sum"
}
# per_cpu FILE T0 T1: wrk's requests per second of the server's CPU time
per_cpu() { awk -v n="$(wrk_reqs "$1")" -v a="$2" -v b="$3" -v t="$TCK" 'BEGIN { if (b > a) printf "%.0f", n * t / (b - a); else print "-" }'; }
for ((r = 1; r <= RUNS; r++)); do
    for t in 1 2u 2; do
        th=${t%u}
        if [[ "$t" == *u ]]; then export SYNACK_KERNEL_STEERING=0; else unset SYNACK_KERNEL_STEERING; fi
        start_serve bshd0 --threads "$th" --http-root "$TMPD/www" --http-log /dev/null --http-max-conns 1000 \
            --http-keepalive-max 1000000 --msl 1000
        if ((th > 1)); then
            grep -q "$th threads" "$TMPD/serve.log" || die "serve did not start $th threads: $(cat "$TMPD/serve.log")"
        fi
        c0=$(serve_ticks)
        ip netns exec "$NS1" timeout 60 wrk -t 2 -c 32 -d "${SECS}s" "http://192.0.2.2/small.html" >"$TMPD/wrk.rps" 2>&1 ||
            die "wrk failed: $(cat "$TMPD/wrk.rps")"
        c1=$(serve_ticks)
        rps=$(wrk_rps "$TMPD/wrk.rps") rpsc=$(per_cpu "$TMPD/wrk.rps" "$c0" "$c1")
        ip netns exec "$NS1" timeout 60 wrk -t 2 -c 8 -d "${SECS}s" "http://192.0.2.2/big.bin" >"$TMPD/wrk.big" 2>&1 ||
            die "wrk failed: $(cat "$TMPD/wrk.big")"
        gbps=$(awk -v b="$(wrk_bytes "$TMPD/wrk.big")" -v s="$(wrk_secs "$TMPD/wrk.big")" 'BEGIN { printf "%.2f", b * 8 / s / 1e9 }')
        # A new connection per request: wrk with "Connection: close" (ab is one thread, and the
        # limit of its own), 2 threads, 32 at a time.
        c0=$(serve_ticks)
        ip netns exec "$NS1" timeout 60 wrk -t 2 -c 32 -d "${SECS}s" -H 'Connection: close' "http://192.0.2.2/small.html" \
            >"$TMPD/wrk.cps" 2>&1 || die "wrk failed: $(cat "$TMPD/wrk.cps")"
        c1=$(serve_ticks)
        cps=$(wrk_rps "$TMPD/wrk.cps") cpsc=$(per_cpu "$TMPD/wrk.cps" "$c0" "$c1")
        RPS[$t]+=" $rps" GBPS[$t]+=" $gbps" CPS[$t]+=" $cps" RPSC[$t]+=" $rpsc" CPSC[$t]+=" $cpsc"
        note=""
        if ((th > 1)); then
            ssx --shards >"$TMPD/shards"
            sed 's/^/  /' "$TMPD/shards" >&2
            opens=$(ssx --counters | awk '$1 == "TcpPassiveOpens" { print $2 }')
            handed=$(awk '$1 == "shard" { for (i = 3; i < NF; i++) if ($i == "handed_out") s += $(i + 1) } END { print s + 0 }' "$TMPD/shards")
            HANDED[$t]=$((${HANDED[$t]:-0} + handed)) OPENS[$t]=$((${OPENS[$t]:-0} + opens))
            STEER[$t]=$(awk '$1 == "steering:" { print $2 }' "$TMPD/shards")
            note="; $handed frames handed over for $opens connections accepted (steering: ${STEER[$t]})"
        fi
        say "--threads $th$([[ "$t" == *u ]] && echo ' (user-space steering)') run $r/$RUNS: $rps requests/s keep-alive ($rpsc per server CPU-second), $gbps Gbit/s, $cps connections/s ($cpsc per CPU-second)$note"
        stop_serve
    done
done
unset SYNACK_KERNEL_STEERING
for t in 1 2 2u; do
    extra=""
    if [[ "$t" != 1 ]]; then
        h=${HANDED[$t]} o=${OPENS[$t]}
        extra="handed_per_conn=$(awk -v h="$h" -v o="$o" 'BEGIN { printf "%.3f", (o > 0 ? h / o : 0) }') handed=$h opens=$o steering=${STEER[$t]}"
    fi
    # shellcheck disable=SC2086
    echo "RESULT shards_t$t rps=$(median ${RPS[$t]}) gbps=$(median ${GBPS[$t]}) cps=$(median ${CPS[$t]})" \
        "rps_cpu=$(median ${RPSC[$t]}) cps_cpu=$(median ${CPSC[$t]}) runs=$RUNS $extra"
done
