#!/usr/bin/env bash
# Goodput of one TCP connection over a lossy, long path: synack sending against Linux sending,
# through the same impaired TAP, in the same run.
#
# For each congestion control CC (default: cubic and reno) two transfers of the same payload, each
# in a network namespace of its own (so that each Linux side's counters see one connection):
#
#   synack sends   `synack nc --cc CC --impair SPEC` reads the payload and sends it over a TAP;
#                  Linux `nc -l` receives it and pipes it to sha256sum.
#   Linux sends    Linux `nc -N` (CC set by the route to synack: `congctl CC`, checked with ss -i)
#                  sends it to `synack nc -l --impair SPEC`, whose output goes to sha256sum.
#
# The impairment is synack's own (`--impair`, the kernel has no netem): every frame between the
# TAP and the stack passes it, both ways, so data and ACKs see the same loss and delay whichever
# side sends. Every transfer of a run uses the same seed (run r: seed BASE + r - 1). All transfers of
# a run go at once: each is bound by loss and RTT at a few Mbit/s, not by CPU, and all then see the
# same load from the rest of the machine. A transfer counts only if the receiver's SHA-256 equals
# the payload's; otherwise the script fails.
#
# Usage: bash bench/impaired_goodput.sh /path/to/synack
# Environment: BENCH_IMPAIR_MB (payload, decimal MB, default 10), BENCH_RUNS (runs, default 3; the
# median is reported), BENCH_IMPAIR (the --impair spec, default loss=1%,delay=25: 50 ms RTT),
# BENCH_IMPAIR_CC (default "cubic reno"), BENCH_IMPAIR_SEED (first seed, default 1).
#
# Output: one line per CC,
#   RESULT impaired_CC bytes= runs= spec= synack_mbps= linux_mbps= ratio= (medians; ratio = the
#   median of the runs' synack/Linux ratios) and, medians too, for each sender S (synack, linux):
#   S_lost (data frames the impaired path dropped), S_retrans (segments retransmitted),
#   S_recoveries (SACK recoveries), S_rtos (retransmission timeouts), S_dsacks (D-SACKs the
#   receiver sent: retransmissions that were not needed), S_undos (window reductions undone).
#
# Wall time runs from the moment the connection shows ESTABLISHED (ss, ~2 ms polling) to the
# receiver's exit. All traffic stays in the namespaces this script creates (two per CC) (deleted on every exit
# path) on TEST-NET-1: synack 192.0.2.2, kernel 192.0.2.1 in each. Every command that could wait
# is bounded by `timeout`. Exit: 0 done, 1 failure, 77 not root.
set -euo pipefail

SYNACK=${1:-${SYNACK:-}}
MB=${BENCH_IMPAIR_MB:-10}
RUNS=${BENCH_RUNS:-3}
SPEC=${BENCH_IMPAIR:-loss=1%,delay=25}
CCS=${BENCH_IMPAIR_CC:-cubic reno}
SEED0=${BENCH_IMPAIR_SEED:-1}
BYTES=$((MB * 1000000))
XFER_TIMEOUT=$((60 + MB * 8))     # seconds per transfer: generous even at 1 Mbit/s

HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"
BENCH_NAME=impaired_goodput

[[ -n "$SYNACK" && -x "$SYNACK" ]] || die "usage: bash $0 /path/to/synack"
SYNACK=$(readlink -f "$SYNACK")
[[ "$MB" =~ ^[0-9]+$ && "$MB" -ge 1 && "$RUNS" =~ ^[0-9]+$ && "$RUNS" -ge 1 && "$RUNS" -le 20 &&
    "$SEED0" =~ ^[0-9]+$ ]] || die "BENCH_IMPAIR_MB must be a positive integer, BENCH_RUNS 1..20, BENCH_IMPAIR_SEED a number"
[[ "$SPEC" =~ ^[a-z0-9.%=,]+$ ]] || die "BENCH_IMPAIR '$SPEC': only keys and values as --impair takes them"
for cc in $CCS; do
    [[ "$cc" == cubic || "$cc" == reno ]] || die "BENCH_IMPAIR_CC: '$cc' (synack has cubic and reno)"
    grep -qw "$cc" /proc/sys/net/ipv4/tcp_available_congestion_control ||
        die "Linux has no '$cc' congestion control available"
done

bench_init impaired_goodput nc ss date head sha256sum
# The payload: random bytes (zeros would hash the same whatever part of them was lost or doubled).
head -c "$BYTES" /dev/urandom >"$TMPD/payload"
SUM=$(sha256sum <"$TMPD/payload" | awk '{ print $1 }')

# ns_of ROLE CC: the namespace where ROLE (s: synack sends, l: Linux sends) runs for CC.
ns_of() { echo "synack-imp-$1-$2-$$"; }
for cc in $CCS; do
    for role in s l; do
        ns=$(ns_of "$role" "$cc")
        bench_ns "$ns"
    done
done
now() { date +%s.%N; }

# wait_estab NS FILTER: prints the time at which a connection matching FILTER shows ESTABLISHED
# (or CLOSE-WAIT: synack nc -l, its stdin empty, sends its FIN at once) in NS (bounded: 30 s: a
# lost SYN costs a second or more).
wait_estab() {
    local i
    for ((i = 0; i < 6000; i++)); do
        if [[ -n "$(ip netns exec "$1" ss -Htn state established state close-wait "$2" 2>/dev/null)" ]]; then
            now
            return 0
        fi
        sleep 0.002
    done
    die "no ESTABLISHED connection ($2) in $1 after 30 s"
}

# Linux's TCP counters in a namespace, "Name value" lines (Tcp* from snmp, TcpExt* from netstat).
linux_counters() {
    ip netns exec "$1" awk '
        $1 == "Tcp:" || $1 == "TcpExt:" {
            p = ($1 == "Tcp:") ? "Tcp" : "TcpExt"
            if (!(p in hdr)) { hdr[p] = 1; for (i = 2; i <= NF; i++) name[p, i] = $i }
            else for (i = 2; i <= NF; i++) print p name[p, i], $i
        }' /proc/net/snmp /proc/net/netstat
}
# delta FILE0 FILE1 NAME: NAME's increase between two counter dumps ("Name value" lines).
delta() {
    awk -v n="$3" 'FNR == 1 { f++ } $1 == n { v[f] = $2 } END { print v[2] - v[1] }' "$1" "$2"
}
# lost_of FILE DIR: frames the impaired path dropped in direction DIR ("in" or "out") per synack -v.
lost_of() {
    awk -v d="$2" '$0 ~ "impaired path " d " " { for (i = 1; i <= NF; i++) if ($(i + 1) ~ /^lost/) print $i }' "$1"
}
check_sum() {   # check_sum FILE WHO
    local got
    got=$(awk '{ print $1 }' "$1" 2>/dev/null || true)
    [[ "$got" == "$SUM" ]] || die "$2: the data did not arrive intact (SHA-256 ${got:-none}, sent $SUM)"
}

# synack_sends CC SEED: one transfer; writes "mbps wall lost retrans recoveries rtos dsacks undos"
# to $TMPD/s-CC.res.
synack_sends() {
    local cc=$1 seed=$2 rc=0 t0 t1 sink src
    local ns d=$TMPD/s-$cc
    ns=$(ns_of s "$cc")
    rm -f "$d".*
    linux_counters "$ns" >"$d.c0"
    timeout "$XFER_TIMEOUT" ip netns exec "$ns" bash -c 'nc -l 5000 </dev/null | sha256sum' >"$d.sum" 2>"$d.sink.err" &
    sink=$!
    local i
    for ((i = 0; i < 1000; i++)); do
        [[ -n "$(ip netns exec "$ns" ss -Hltn "sport = :5000" 2>/dev/null)" ]] && break
        sleep 0.01
    done
    # --linger with a short MSL keeps the process (and its counters) a second after the close.
    timeout "$XFER_TIMEOUT" ip netns exec "$ns" "$SYNACK" nc -v --tap isyn0 --addr 192.0.2.2/24 \
        --host-addr 192.0.2.1/24 --ctl "$d.sock" --cc "$cc" --impair "$SPEC" --impair-seed "$seed" \
        --linger --msl 500 192.0.2.1 5000 <"$TMPD/payload" >/dev/null 2>"$d.src.err" &
    src=$!
    t0=$(wait_estab "$ns" "( sport = :5000 )")
    wait "$sink" || rc=$?
    t1=$(now)
    ((rc == 0)) || die "synack sends ($cc): Linux nc -l exited $rc: $(cat "$d.sink.err")"
    ip netns exec "$ns" "$SYNACK" ss --ctl "$d.sock" --counters >"$d.k" 2>&1 || true
    linux_counters "$ns" >"$d.c1"
    rc=0
    wait "$src" || rc=$?
    ((rc == 0)) || die "synack sends ($cc): synack nc exited $rc: $(cat "$d.src.err")"
    check_sum "$d.sum" "synack sends ($cc)"
    grep -q '^TcpRetransSegs ' "$d.k" || die "synack sends ($cc): no counters from synack ss: $(cat "$d.k")"
    k() { awk -v n="$1" '$1 == n { v = $2 } END { print v + 0 }' "$d.k"; }
    awk -v b="$BYTES" -v a="$t0" -v z="$t1" -v l="$(lost_of "$d.src.err" out)" -v r="$(k TcpRetransSegs)" \
        -v s="$(k TcpSackRecovery)" -v t="$(k TcpTimeouts)" \
        -v ds="$(($(delta "$d.c0" "$d.c1" TcpExtTCPDSACKOldSent) + $(delta "$d.c0" "$d.c1" TcpExtTCPDSACKOfoSent)))" \
        -v u="$(($(k TcpTSUndo) + $(k TcpDSackUndo)))" \
        'BEGIN { printf "%.3f %.3f %d %d %d %d %d %d\n", b * 8 / (z - a) / 1e6, z - a, l, r, s, t, ds, u }' >"$d.res"
}

# linux_sends CC SEED: the same with Linux sending; writes $TMPD/l-CC.res.
linux_sends() {
    local cc=$1 seed=$2 rc=0 t0 t1 sink src
    local ns d=$TMPD/l-$cc
    ns=$(ns_of l "$cc")
    rm -f "$d".*
    timeout "$XFER_TIMEOUT" ip netns exec "$ns" bash -c '"$1" nc -l -v --tap isyn1 --addr 192.0.2.2/24 \
        --host-addr 192.0.2.1/24 --ctl "$2" --impair "$3" --impair-seed "$4" 6000 </dev/null 2>"$5" | sha256sum' \
        sh "$SYNACK" "$d.sock" "$SPEC" "$seed" "$d.sink.err" >"$d.sum" &
    sink=$!
    local i
    for ((i = 0; i < 500; i++)); do [[ -S "$d.sock" ]] && break; sleep 0.01; done
    [[ -S "$d.sock" ]] || die "Linux sends ($cc): synack nc -l did not start: $(cat "$d.sink.err")"
    # Linux's congestion control, by a route to synack: the namespace's default (inherited from the
    # root namespace, bbr here) can only be set to what tcp_allowed_congestion_control lists there,
    # and a route's congctl is not so restricted.
    for ((i = 0; i < 500; i++)); do
        ip -n "$ns" route replace 192.0.2.2/32 dev isyn1 congctl "$cc" 2>/dev/null && break
        sleep 0.01
    done
    ((i < 500)) || die "Linux sends ($cc): cannot add the route with congctl $cc"
    linux_counters "$ns" >"$d.c0"
    timeout "$XFER_TIMEOUT" ip netns exec "$ns" nc -N 192.0.2.2 6000 <"$TMPD/payload" >/dev/null 2>"$d.src.err" &
    src=$!
    t0=$(wait_estab "$ns" "( dport = :6000 )")
    ip netns exec "$ns" ss -Htni "( dport = :6000 )" >"$d.ss" 2>&1 || true
    wait "$sink" || rc=$?
    t1=$(now)
    ((rc == 0)) || die "Linux sends ($cc): synack nc -l exited $rc: $(cat "$d.sink.err")"
    rc=0
    wait "$src" || rc=$?
    ((rc == 0)) || die "Linux sends ($cc): Linux nc exited $rc: $(cat "$d.src.err")"
    linux_counters "$ns" >"$d.c1"
    check_sum "$d.sum" "Linux sends ($cc)"
    grep -qw "$cc" "$d.ss" || die "Linux sends ($cc): the connection did not use $cc: $(cat "$d.ss")"
    grep -q "bytes out, $BYTES bytes in" "$d.sink.err" || die "Linux sends ($cc): synack nc -l: $(cat "$d.sink.err")"
    awk -v b="$BYTES" -v a="$t0" -v z="$t1" -v l="$(lost_of "$d.sink.err" in)" \
        -v r="$(delta "$d.c0" "$d.c1" TcpRetransSegs)" -v s="$(delta "$d.c0" "$d.c1" TcpExtTCPSackRecovery)" \
        -v t="$(delta "$d.c0" "$d.c1" TcpExtTCPTimeouts)" -v ds="$(delta "$d.c0" "$d.c1" TcpExtTCPDSACKRecv)" \
        -v u="$(($(delta "$d.c0" "$d.c1" TcpExtTCPFullUndo) + $(delta "$d.c0" "$d.c1" TcpExtTCPPartialUndo) +
            $(delta "$d.c0" "$d.c1" TcpExtTCPDSACKUndo) + $(delta "$d.c0" "$d.c1" TcpExtTCPLossUndo)))" \
        'BEGIN { printf "%.3f %.3f %d %d %d %d %d %d\n", b * 8 / (z - a) / 1e6, z - a, l, r, s, t, ds, u }' >"$d.res"
}


say "payload $MB MB ($BYTES bytes), --impair $SPEC both ways, CC: $CCS, $RUNS runs, seeds $SEED0..$((SEED0 + RUNS - 1)); synack: $SYNACK"
FIELDS="mbps wall lost retrans recoveries rtos dsacks undos"
for ((r = 1; r <= RUNS; r++)); do
    seed=$((SEED0 + r - 1))
    jobs_=()
    for cc in $CCS; do
        synack_sends "$cc" "$seed" &
        jobs_+=($!) PIDS+=($!)
        linux_sends "$cc" "$seed" &
        jobs_+=($!) PIDS+=($!)
    done
    bad=0
    for p in "${jobs_[@]}"; do wait "$p" || bad=1; done
    ((bad == 0)) || die "run $r failed"
    for cc in $CCS; do
        read -r s_m s_w s_l s_r s_s s_t s_d s_u <"$TMPD/s-$cc.res"
        read -r l_m l_w l_l l_r l_s l_t l_d l_u <"$TMPD/l-$cc.res"
        rat=$(awk -v a="$s_m" -v b="$l_m" 'BEGIN { printf "%.3f", a / b }')
        say "$cc run $r/$RUNS (seed $seed): synack sends $s_m Mbit/s (${s_w} s; $s_l data frames lost, $s_r retransmitted," \
            "$s_s SACK recoveries, $s_t RTOs, $s_d D-SACKs back, $s_u undos) | Linux sends $l_m Mbit/s (${l_w} s; $l_l lost," \
            "$l_r retransmitted, $l_s SACK recoveries, $l_t RTOs, $l_d D-SACKs back, $l_u undos) | ratio $rat"
        echo "$r $rat $s_m $s_w $s_l $s_r $s_s $s_t $s_d $s_u $l_m $l_w $l_l $l_r $l_s $l_t $l_d $l_u" >>"$TMPD/runs-$cc"
    done
done
for cc in $CCS; do
    # The median of each column over the runs.
    line="RESULT impaired_$cc bytes=$BYTES runs=$RUNS spec=$SPEC ratio=$(median $(awk '{ print $2 }' "$TMPD/runs-$cc"))"
    c=3
    for who in synack linux; do
        for f in $FIELDS; do
            [[ "$f" == wall ]] || line+=" ${who}_$f=$(median $(awk -v c=$c '{ print $c }' "$TMPD/runs-$cc"))"
            c=$((c + 1))
        done
    done
    echo "$line"
done
