#!/usr/bin/env bash
# Runs every throughput benchmark and prints one table: synack's figure beside Linux's, both from
# this run, and their ratio. See bench/README.md for what each figure means.
#
# Usage: bash bench/run.sh [BUILD_DIR]     (default: build; needs BUILD_DIR/synack and
#                                           BUILD_DIR/bench/sim_throughput; root for the TAP part)
# Environment: BENCH_MB (TAP/veth payload, MB, default 500), BENCH_SIM_BYTES (sim payload,
# default 1G), BENCH_RUNS (runs per case, median reported, default 3), BENCH_VETH_NOGSO=1 (also
# Linux -> Linux with one frame per skb), BENCH_PERF=1 (perf stat around one sim run),
# BENCH_IMPAIR_MB (payload of the goodput-under-loss part, default 10 or BENCH_MB if smaller),
# BENCH_IMPAIR (its --impair spec, default loss=1%,delay=25; "off" skips the part),
# BENCH_IMPAIR_CC (default "cubic reno"), BENCH_IMPAIR_SEED (first seed, default 1),
# BENCH_IDLE_CONNS (idle connections for the memory figures, default 100000; 0 skips them).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${1:-build}
SYNACK="$BUILD/synack"
SIM="$BUILD/bench/sim_throughput"
RUNS=${BENCH_RUNS:-3}
SIM_BYTES=${BENCH_SIM_BYTES:-1G}
[[ -x "$SYNACK" && -x "$SIM" ]] || { echo "run.sh: build first: $SYNACK and $SIM are needed" >&2; exit 1; }
[[ "$RUNS" =~ ^[0-9]+$ && "$RUNS" -ge 1 && "$RUNS" -le 20 ]] || { echo "run.sh: BENCH_RUNS 1..20" >&2; exit 1; }

OUT=$(mktemp /tmp/synack-bench-run.XXXXXX)
trap 'rm -f "$OUT"' EXIT

# 1. TAP and veth (the Linux figures come from here).
tap_rc=0
timeout 1800 bash "$HERE/tap_throughput.sh" "$SYNACK" >"$OUT" || tap_rc=$?
if ((tap_rc == 77)); then
    echo "run.sh: TAP/veth part skipped (needs root); the sim figure has no Linux peer to compare with" >&2
elif ((tap_rc != 0)); then
    echo "run.sh: tap_throughput.sh failed (exit $tap_rc)" >&2
    exit 1
fi
# 1b. Goodput of one connection over synack's impaired path (loss and delay), synack sending beside
# Linux sending through the same impaired TAP.
if [[ "${BENCH_IMPAIR:-}" != off ]]; then
    MB=${BENCH_MB:-500}
    export BENCH_IMPAIR_MB=${BENCH_IMPAIR_MB:-$((MB < 10 ? MB : 10))}
    imp_rc=0
    timeout 1800 bash "$HERE/impaired_goodput.sh" "$SYNACK" >>"$OUT" || imp_rc=$?
    if ((imp_rc == 77)); then
        echo "run.sh: goodput-under-loss part skipped (needs root)" >&2
    elif ((imp_rc != 0)); then
        echo "run.sh: impaired_goodput.sh failed (exit $imp_rc)" >&2
        exit 1
    fi
fi
get() {   # get KEY FIELD -> value from a RESULT line, or empty
    awk -v k="$1" -v f="$2" '$1 == "RESULT" && $2 == k { for (i = 3; i <= NF; i++) { e = index($i, "="); if (substr($i, 1, e - 1) == f) print substr($i, e + 1) } }' "$OUT"
}
VETH_GBPS=$(get veth_linux_to_linux gbps)
VETH_CPU=$(get veth_linux_to_linux gbps_cpu)

# 2. Two stacks on the simulated link, one core: MTU-sized frames every one of which is summed and
# checked ("sim"), and with the link's segmentation and checksum offload, as Linux's peer figure
# has over its veth ("sim_offload"). The runs alternate, so the machine's other load falls on both.
sim_lines=()
off_lines=()
for ((r = 1; r <= RUNS; r++)); do
    for mode in plain offload; do
        args=(--bytes "$SIM_BYTES")
        [[ "$mode" == offload ]] && args+=(--offload)
        [[ -n "$VETH_CPU" ]] && args+=(--peer-gbps "$VETH_CPU")
        timeout 300 "$SIM" "${args[@]}" >"$OUT.sim" || { cat "$OUT.sim" >&2; rm -f "$OUT.sim"; echo "run.sh: sim_throughput failed" >&2; exit 1; }
        ((r == 1)) && sed 's/^/  /' "$OUT.sim" | grep -v RESULT >&2
        line=$(grep '^RESULT sim ' "$OUT.sim")
        echo "[sim_throughput $mode] run $r/$RUNS: ${line#RESULT sim }" >&2
        if [[ "$mode" == offload ]]; then off_lines+=("$line"); else sim_lines+=("$line"); fi
    done
done
rm -f "$OUT.sim"
# The median of each figure over the runs: median KEY LINE...
median() {
    local key=$1
    shift
    printf '%s\n' "$@" | awk -v n="$RUNS" -v key="$key" '
    { for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1], NR] = kv[2]; if (NR == 1) keys[++nk] = kv[1] } }
    END {
        m = int((n + 1) / 2); out = "RESULT " key
        for (k = 1; k <= nk; k++) {
            for (r = 1; r <= n; r++) a[r] = v[keys[k], r] + 0
            for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
            out = out " " keys[k] "=" a[m]
        }
        print out " runs=" n
    }'
}
median sim "${sim_lines[@]}" >>"$OUT"
median sim_offload "${off_lines[@]}" >>"$OUT"

# 2a. Instructions per payload byte (issue 10's target: at most 2), counted by callgrind, which is
# deterministic: BENCH_INSTR_BYTES of payload (default 20M; 0 skips the part; needs valgrind), both
# modes. Valgrind counts a `rep movsb` once per byte it moves, and glibc's memcpy uses one for
# blocks of a few KB and more (the application's 64 KB writes and reads, and with offload every
# copy), where the hardware runs it as one instruction; so each mode is also counted with glibc's
# vector-loop memcpy (GLIBC_TUNABLES raising x86_rep_movsb_threshold): the instructions a copy
# takes when it is written as loads and stores. Both are printed.
INSTR_BYTES=${BENCH_INSTR_BYTES:-20M}
if [[ "$INSTR_BYTES" != 0 ]] && command -v valgrind >/dev/null 2>&1; then
    for mode in plain offload; do
        for copy in repmovsb vector; do
            args=(--bytes "$INSTR_BYTES")
            [[ "$mode" == offload ]] && args+=(--offload)
            tun=""
            [[ "$copy" == vector ]] && tun=glibc.cpu.x86_rep_movsb_threshold=4000000000
            n=$(GLIBC_TUNABLES=$tun timeout 600 valgrind --tool=callgrind --callgrind-out-file=/dev/null "$SIM" "${args[@]}" 2>&1 >"$OUT.ir" |
                awk '/Collected :/ { print $4 }')
            bytes=$(awk '$1 == "RESULT" { for (i = 3; i <= NF; i++) if ($i ~ /^bytes=/) print substr($i, 7) }' "$OUT.ir")
            [[ -n "$n" && -n "$bytes" ]] || { echo "run.sh: callgrind run failed ($mode, $copy)" >&2; exit 1; }
            echo "[callgrind] $mode, memcpy $copy: $n instructions for $bytes payload bytes" >&2
            echo "RESULT instr_${mode}_${copy} instr=$n bytes=$bytes per_byte=$(awk -v n="$n" -v b="$bytes" 'BEGIN { printf "%.2f", n / b }')" >>"$OUT"
        done
    done
    rm -f "$OUT.ir"
fi

# 2b. Memory per idle connection and per TIME-WAIT entry (issue 10): its reference is the issue's
# target, not Linux. BENCH_IDLE_CONNS connections (default 100000; 0 skips the part).
IDLE="$BUILD/bench/idle_conns"
IDLE_N=${BENCH_IDLE_CONNS:-100000}
if [[ "$IDLE_N" != 0 && -x "$IDLE" ]]; then
    timeout 1200 "$IDLE" --conns "$IDLE_N" --quiet >"$OUT.idle" || { cat "$OUT.idle" >&2; rm -f "$OUT.idle"; echo "run.sh: idle_conns failed" >&2; exit 1; }
    grep -v RESULT "$OUT.idle" | sed 's/^/  /' >&2
    grep '^RESULT idle_conns ' "$OUT.idle" >>"$OUT"
    rm -f "$OUT.idle"
fi

if [[ "${BENCH_PERF:-0}" == 1 ]] && command -v perf >/dev/null 2>&1; then
    echo "--- perf stat, one sim run ---" >&2
    perf stat -e task-clock,context-switches,page-faults,cycles,instructions "$SIM" --bytes "$SIM_BYTES" 2>&1 >/dev/null |
        grep -E 'task-clock|context|faults|cycles|instructions|elapsed' >&2 || true
fi

# 3. The table.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "-"; else printf "%.2f", a / b }'; }
fmt() { [[ -n "$1" ]] && printf '%.2f' "$1" || printf -- '-'; }
row() {   # row LABEL KEY
    local g c
    g=$(get "$2" gbps)
    c=$(get "$2" gbps_cpu)
    [[ -n "$g$c" ]] || return 0
    printf '%-44s %9s %9s %7s %11s %11s %7s\n' "$1" "$(fmt "$g")" "$(fmt "$VETH_GBPS")" "$(ratio "$g" "$VETH_GBPS")" \
        "$(fmt "$c")" "$(fmt "$VETH_CPU")" "$(ratio "$c" "$VETH_CPU")"
}
echo
echo "Bulk TCP throughput, one connection, MSS 1460, payload Gbit/s; Linux = nc -> nc -l over a veth pair, same run"
printf '%-44s %9s %9s %7s %11s %11s %7s\n' "" "wall" "" "" "per CPU-s" "per CPU-s" ""
printf '%-44s %9s %9s %7s %11s %11s %7s\n' "benchmark" "synack" "Linux" "ratio" "synack" "Linux" "ratio"
SIM_G=$(get sim gbps_wall)
SIM_C=$(get sim gbps_cpu)
printf '%-44s %9s %9s %7s %11s %11s %7s\n' "sim: stack -> stack, one core, 50 us link" "$(fmt "$SIM_G")" "$(fmt "$VETH_GBPS")" \
    "$(ratio "$SIM_G" "$VETH_GBPS")" "$(fmt "$SIM_C")" "$(fmt "$VETH_CPU")" "$(ratio "$SIM_C" "$VETH_CPU")"
OFF_G=$(get sim_offload gbps_wall)
OFF_C=$(get sim_offload gbps_cpu)
printf '%-44s %9s %9s %7s %11s %11s %7s\n' "sim, offload (64 KB frames, as over veth)" "$(fmt "$OFF_G")" "$(fmt "$VETH_GBPS")" \
    "$(ratio "$OFF_G" "$VETH_GBPS")" "$(fmt "$OFF_C")" "$(fmt "$VETH_CPU")" "$(ratio "$OFF_C" "$VETH_CPU")"
if [[ -n "$OFF_C" ]]; then
    echo "Two stacks, one core, offload: $(fmt "$OFF_C") Gbit/s per CPU-second (issue 10's target >= 40:" \
        "$(awk -v g="$OFF_C" 'BEGIN { print (g + 0 >= 40) ? "met" : "not met" }'))"
fi
for mode in plain offload; do
    a=$(get "instr_${mode}_repmovsb" per_byte)
    b=$(get "instr_${mode}_vector" per_byte)
    [[ -n "$a$b" ]] || continue
    echo "Instructions per payload byte (callgrind), sim $mode: $a with glibc's rep movsb counted per byte," \
        "$b with its vector-loop memcpy (issue 10's target <= 2: $(awk -v x="$b" 'BEGIN { print (x + 0 <= 2) ? "met" : "not met" }')" \
        "counting copies as loads and stores)"
done
row "TAP: synack nc -> Linux nc -l" tap_synack_to_linux
row "TAP: vnet_writer -> Linux nc -l (ceiling)" tap_ceiling_to_linux
row "TAP: Linux nc -> synack nc -l" tap_linux_to_synack
row "veth: Linux nc -> Linux nc -l (the peer)" veth_linux_to_linux
row "veth, gso_max_segs 1 (one frame per skb)" veth_nogso_linux_to_linux
# Issue 10's target for sending: synack over TAP with offloads at least 0.5x the device's own
# ceiling, the minimal offload-frame writer (bench/vnet_writer.c) over the same kind of TAP.
TAP_TX=$(get tap_synack_to_linux gbps)
TAP_CEIL=$(get tap_ceiling_to_linux gbps)
if [[ -n "$TAP_TX" && -n "$TAP_CEIL" ]]; then
    r=$(ratio "$TAP_TX" "$TAP_CEIL")
    verdict=$(awk -v r="$r" 'BEGIN { print (r + 0 >= 0.5) ? "met" : "not met" }')
    echo "TAP send with offloads (synack -> Linux) / the TAP's ceiling (vnet_writer -> Linux), wall: $r" \
        "(issue 10's target >= 0.50: $verdict); per CPU-second: $(ratio "$(get tap_synack_to_linux gbps_cpu)" "$(get tap_ceiling_to_linux gbps_cpu)")"
fi
# Issue 9's target for receiving: Linux -> synack over TAP (TSO/checksum offload on the TAP, so
# the kernel hands synack up to 64 KB per frame) at least 0.9x Linux -> Linux over veth.
TAP_RX=$(get tap_linux_to_synack gbps)
if [[ -n "$TAP_RX" && -n "$VETH_GBPS" ]]; then
    r=$(ratio "$TAP_RX" "$VETH_GBPS")
    verdict=$(awk -v r="$r" 'BEGIN { print (r + 0 >= 0.9) ? "met" : "not met" }')
    echo "TAP receive with offloads (Linux -> synack) / veth (Linux -> Linux), wall: $r (issue 9's target >= 0.90: $verdict);" \
        "per CPU-second: $(ratio "$(get tap_linux_to_synack gbps_cpu)" "$VETH_CPU")"
fi

# The goodput-under-loss table: synack sending beside Linux sending, same CC, same path, same run.
pair() { printf '%s/%s' "$(get "$1" "synack_$2")" "$(get "$1" "linux_$2")"; }
first=1
for key in $(awk '$1 == "RESULT" && $2 ~ /^impaired_/ { print $2 }' "$OUT"); do
    if ((first)); then
        first=0
        echo
        echo "Goodput of one connection over synack's impaired TAP path, --impair $(get "$key" spec) both ways," \
            "payload Mbit/s; Linux = Linux nc -N -> synack nc -l through the same impaired path, same CC, same run"
        printf '%-32s %8s %8s %7s %10s %10s %10s %8s %10s\n' "" "synack" "Linux" "" "lost" "retrans" "SACK rec" "RTOs" "D-SACKs"
        printf '%-32s %8s %8s %7s %10s %10s %10s %8s %10s\n' "benchmark (median of runs)" "sends" "sends" "ratio" \
            "syn/Lx" "syn/Lx" "syn/Lx" "syn/Lx" "syn/Lx"
    fi
    printf '%-32s %8s %8s %7s %10s %10s %10s %8s %10s\n' "${key#impaired_}: synack vs Linux sending" \
        "$(fmt "$(get "$key" synack_mbps)")" "$(fmt "$(get "$key" linux_mbps)")" "$(fmt "$(get "$key" ratio)")" \
        "$(pair "$key" lost)" "$(pair "$key" retrans)" "$(pair "$key" recoveries)" "$(pair "$key" rtos)" "$(pair "$key" dsacks)"
done
if ((!first)); then
    echo "  ratio: the median of the runs' synack/Linux ratios; lost: data frames the impaired path dropped;" \
        "D-SACKs: retransmissions the receiver already had"
fi

IDLE_SRV=$(get idle_conns server_bytes_per_conn)
if [[ -n "$IDLE_SRV" ]]; then
    echo
    echo "Memory per connection, through the stacks' allocator, $(get idle_conns conns) connections; the reference is" \
        "issue 10's target (not Linux)"
    printf '%-52s %10s %10s %9s\n' "figure" "synack" "target" "verdict"
    mrow() { printf '%-52s %10s %10s %9s\n' "$1" "$2" "$3" "$(awk -v a="$2" -v b="$3" 'BEGIN { print (a + 0 <= b + 0) ? "met" : "not met" }')"; }
    mrow "bytes per idle connection (server stack)" "$IDLE_SRV" 512
    mrow "bytes per idle connection (client stacks)" "$(get idle_conns client_bytes_per_conn)" 512
    mrow "bytes per TIME-WAIT entry" "$(get idle_conns tw_bytes)" 64
    mrow "server stack MB at 1,000,000 idle (from bytes/conn)" "$(awk -v b="$IDLE_SRV" 'BEGIN { printf "%.0f", b * 1e6 / 1048576 }')" 1024
fi

echo
IMP_BYTES=$(awk '$1 == "RESULT" && $2 ~ /^impaired_/ { for (i = 3; i <= NF; i++) if ($i ~ /^bytes=/) { print substr($i, 7); exit } }' "$OUT")
echo "Sizes: TAP/veth $(get veth_linux_to_linux bytes) bytes, sim $(get sim bytes) bytes${IMP_BYTES:+, impaired $IMP_BYTES bytes};" \
    "each figure is the median of $RUNS runs."
echo "Raw results:"
grep '^RESULT' "$OUT" | sed 's/^RESULT /  /'

# 4. HTTP (issue 11, bench/http_bench.sh): keep-alive requests per second against lwIP's raw API
# (TAP) and nginx with one worker (veth), new connections per second against nginx and whether
# that rate stays flat, and the memory of idle keep-alive connections held by a Linux client.
# BENCH_HTTP=off skips it; BENCH_HTTP_QUICK=1 runs it short (3 s per wrk run, 20,000 connections,
# 1,000 idle); BENCH_HTTP_SECONDS, BENCH_AB_CONNS, BENCH_HTTP_IDLE as in http_bench.sh.
if [[ "${BENCH_HTTP:-}" != off ]]; then
    HOUT=$(mktemp /tmp/synack-bench-http.XXXXXX)
    http_rc=0
    timeout 7200 bash "$HERE/http_bench.sh" "$SYNACK" "$BUILD/bench/lwip_httpd" >"$HOUT" || http_rc=$?
    if ((http_rc == 77)); then
        echo "run.sh: HTTP part skipped (needs root)" >&2
    elif ((http_rc != 0)); then
        rm -f "$HOUT"
        echo "run.sh: http_bench.sh failed (exit $http_rc)" >&2
        exit 1
    else
        hget() { awk -v k="$1" -v f="$2" '$1 == "RESULT" && $2 == k { for (i = 3; i <= NF; i++) { e = index($i, "="); if (substr($i, 1, e - 1) == f) print substr($i, e + 1) } }' "$HOUT"; }
        hver() { awk -v r="$1" -v t="$2" -v le="${3:-0}" 'BEGIN { if (r == "-" || r == "") print "-"; else if (le) print (r + 0 <= t + 0) ? "met" : "not met"; else print (r + 0 >= t + 0) ? "met" : "not met" }'; }
        hrow() { printf '%-56s %10s %10s %7s %8s %8s\n' "$@"; }
        echo
        echo "HTTP, 100-byte file (issue 11); every reference measured in this run (wrk/ab on the kernel's side)"
        hrow "benchmark" "synack" "reference" "ratio" "target" "verdict"
        if [[ -n "$(hget http_keepalive synack_rps)" ]]; then
            r=$(hget http_keepalive ratio_lwip)
            hrow "keep-alive req/s, wrk -t1 -c50, vs lwIP raw API (TAP)" "$(hget http_keepalive synack_rps)" \
                "$(hget http_keepalive lwip_rps)" "$r" ">= 1.1" "$(hver "$r" 1.1)"
            r=$(hget http_keepalive ratio_nginx)
            hrow "keep-alive req/s, vs nginx 1 worker (veth)" "$(hget http_keepalive synack_rps)" \
                "$(hget http_keepalive nginx_rps)" "$r" ">= 2" "$(hver "$r" 2)"
            hrow "  per server CPU-second, vs lwIP" "$(hget http_keepalive synack_rpcpu)" \
                "$(hget http_keepalive lwip_rpcpu)" "$(hget http_keepalive ratio_lwip_cpu)" "-" "-"
            hrow "  per server CPU-second, vs nginx" "$(hget http_keepalive synack_rpcpu)" \
                "$(hget http_keepalive nginx_rpcpu)" "$(hget http_keepalive ratio_nginx_cpu)" "-" "-"
            # wrk's busy share of its core: near 1, the row is the client's limit, not the server's
            hrow "  wrk's share of a core, vs lwIP (1.00: client-bound)" "$(hget http_keepalive synack_client_share)" \
                "$(hget http_keepalive lwip_client_share)" "-" "-" "-"
            hrow "  wrk's share of a core, vs nginx" "$(hget http_keepalive synack_client_share)" \
                "$(hget http_keepalive nginx_client_share)" "-" "-" "-"
        fi
        if [[ -n "$(hget http_newconn synack_cps)" ]]; then
            r=$(hget http_newconn ratio)
            hrow "new conn/s, ab -c50 no keep-alive, vs nginx 1 worker" "$(hget http_newconn synack_cps)" \
                "$(hget http_newconn nginx_cps)" "$r" ">= 1.5" "$(hver "$r" 1.5)"
            hrow "  per server CPU-second" "$(hget http_newconn synack_cpcpu)" \
                "$(hget http_newconn nginx_cpcpu)" "$(hget http_newconn ratio_cpu)" "-" "-"
            hrow "  ab's share of a core (1.00: client-bound)" "$(hget http_newconn synack_client_share)" \
                "$(hget http_newconn nginx_client_share)" "-" "-" "-"
            hrow "  per CPU-second, last/first tenth" \
                "$(hget http_newconn synack_cpu_last_first)" "$(hget http_newconn nginx_cpu_last_first)" "-" "0.9-1.1" \
                "$( [[ "$(hget http_newconn synack_cpu_flat)" == yes ]] && echo met || echo "not met")"
            hrow "  rate last/first tenth of $(hget http_newconn conns) connections" \
                "$(hget http_newconn synack_last_first)" "$(hget http_newconn nginx_last_first)" "-" "0.9-1.1" \
                "$( [[ "$(hget http_newconn synack_flat)" == yes ]] && echo met || echo "not met")"
        fi
        if [[ -n "$(hget http_idle bytes_per_conn)" ]]; then
            b=$(hget http_idle bytes_per_conn)
            hrow "idle keep-alive: server heap bytes/conn, $(hget http_idle conns) held" "$b" "-" "-" "<= 1536" "$(hver "$b" 1536 1)"
            hrow "  the same in RSS (freed pages stay with the process)" "$(hget http_idle rss_bytes_per_conn)" "-" "-" "-" "-"
        fi
        echo "Raw HTTP results:"
        grep '^RESULT' "$HOUT" | sed 's/^RESULT /  /'
        rm -f "$HOUT"
    fi
fi

# 5. System calls over TAP (issue 10 item 3): per MB each way and per HTTP request, synack serve
# beside Linux doing the same job (nc -l / nginx over veth), counted with perf's syscall
# tracepoints; then the shards (item 4): serve --threads 1 vs 2. BENCH_SYSCALLS=off and
# BENCH_SHARDS=off skip them (bench/syscalls.sh, bench/shards.sh; see bench/README.md).
SYS_OUT=$(mktemp /tmp/synack-bench-sys.XXXXXX)
trap 'rm -f "$OUT" "$SYS_OUT"' EXIT
if [[ "${BENCH_SYSCALLS:-}" != off ]]; then
    sys_rc=0
    timeout 900 bash "$HERE/syscalls.sh" "$SYNACK" >>"$SYS_OUT" || sys_rc=$?
    ((sys_rc == 0 || sys_rc == 77)) || { echo "run.sh: syscalls.sh failed (exit $sys_rc)" >&2; exit 1; }
fi
if [[ "${BENCH_SHARDS:-}" != off ]]; then
    shd_rc=0
    timeout 900 bash "$HERE/shards.sh" "$SYNACK" >>"$SYS_OUT" || shd_rc=$?
    ((shd_rc == 0 || shd_rc == 77)) || { echo "run.sh: shards.sh failed (exit $shd_rc)" >&2; exit 1; }
fi
sget() { awk -v k="$1" -v f="$2" '$1 == "RESULT" && $2 == k { for (i = 3; i <= NF; i++) { e = index($i, "="); if (substr($i, 1, e - 1) == f) print substr($i, e + 1) } }' "$SYS_OUT"; }
if [[ -n "$(sget sys_rx synack_per_MB)" ]]; then
    echo
    echo "System calls of the process doing the job, over TAP (synack serve --threads 1) and over veth (Linux), same run"
    printf '%-44s %10s %10s %7s   %s\n' "job" "synack" "Linux" "ratio" "synack's: read/writev/epoll/io_uring_enter, datagrams in/out"
    srow() {   # srow LABEL KEY UNIT
        local s l
        s=$(sget "$2" "synack_per_$3")
        l=$(sget "$2" "linux_per_$3")
        printf '%-44s %10s %10s %7s   %s/%s/%s/%s, %s/%s\n' "$1" "$s" "$l" "$(ratio "$s" "$l")" "$(sget "$2" read)" \
            "$(sget "$2" writev)" "$(sget "$2" epoll)" "$(sget "$2" uring)" "$(sget "$2" dgrams_in)" "$(sget "$2" dgrams_out)"
    }
    srow "receive (nc -N -> discard / nc -l), per MB" sys_rx MB
    srow "send (curl <- HTTP / nginx), per MB" sys_tx MB
    srow "keep-alive HTTP GET of 1 KB, per request" sys_req req
    echo "  The kernel's limits (bench/tap_limits.py, this run): one frame per read() and per write(), no recvmmsg/sendmmsg"
    echo "  (ENOTSOCK), no FIONREAD (EINVAL); synack's driver batches them through io_uring; see bench/README.md"
fi
if [[ -n "$(sget shards_t1 rps)" ]]; then
    echo
    echo "synack serve --threads 1 vs 2 on a multi-queue TAP, clients from the kernel (wrk) on the same 2 cores"
    printf '%-44s %12s %12s %7s %14s\n' "figure (median of runs)" "--threads 1" "--threads 2" "ratio" "2, user steer"
    trow() {
        printf '%-44s %12s %12s %7s %14s\n' "$1" "$(sget shards_t1 "$2")" "$(sget shards_t2 "$2")" \
            "$(ratio "$(sget shards_t2 "$2")" "$(sget shards_t1 "$2")")" "$(sget shards_t2u "$2")"
    }
    trow "HTTP requests/s, keep-alive, 1 KB" rps
    trow "Gbit/s, 20 MB GETs, 8 connections" gbps
    trow "new connections/s (wrk, Connection: close)" cps
    trow "  requests per server CPU-second" rps_cpu
    trow "  connections per server CPU-second" cps_cpu
    echo "  (per CPU-second: what the work costs the server; below 1.0 with 2 shards, each shard's rounds carry fewer"
    echo "  frames, so its system calls and wake-ups are shared by fewer requests; wrk and the kernel share the 2 cores)"
    echo "  frames handed between shards per connection: $(sget shards_t2 handed_per_conn) with the kernel steering flows," \
        "$(sget shards_t2u handed_per_conn) without (the last column: SYNACK_KERNEL_STEERING=0); issue 10's target for the ratios: >= 1.7"
fi
if [[ -s "$SYS_OUT" ]]; then
    echo "Raw results (system calls, shards):"
    grep '^RESULT' "$SYS_OUT" | sed 's/^RESULT /  /'
fi
