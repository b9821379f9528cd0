# What gen.sh and gen6.sh share: source it, then call vec_init NAME PREFIX v4|v6.
#
#   vec_init NAME PREFIX v4|v6   root checked (NAME says who needs it); namespaces $A and $B
#                  (PREFIX, A or B and our PID: new, so all that runs there is ours; v4: IPv6 off)
#                  joined by a veth pair, va (02:00:00:00:00:01) in A and vb (..:02) in B, with
#                  transmit checksum offload off and up; $work, a temporary directory. All of it
#                  is removed on every exit path, with whatever still runs in the namespaces and
#                  the background jobs whose PIDs the caller adds to `pids`.
#   vec_capture_start [FILTER]   tcpdump on vb, into $work/cap.pcap
#   vec_capture_stop             ends the capture once tcpdump has written every frame
#
# Why transmit checksum offload is turned off: a veth passes CHECKSUM_PARTIAL skbs through, so a
# capture would show unfinished TCP/UDP checksums. gen.py turns it off with the same SIOCETHTOOL
# ioctl ethtool uses (ETHTOOL_STXCSUM), so the kernel completes every checksum before tcpdump sees
# the frame. Nothing is configured in the root namespace and no packet leaves the two namespaces.
source "$(dirname "${BASH_SOURCE[0]}")/../../lib/netns.sh"   # ns_new, ns_teardown

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
A=""
B=""
work=""
pids=()

vec_cleanup() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    [ -n "$A" ] && ns_teardown "$A"
    [ -n "$B" ] && ns_teardown "$B"
    wait 2>/dev/null || true
    [ -n "$work" ] && rm -rf "$work"
}

inA() { ip netns exec "$A" "$@"; }
inB() { ip netns exec "$B" "$@"; }

vec_init() {
    [ "$(id -u)" = 0 ] || { echo "$1: needs root (network namespaces)" >&2; exit 1; }
    trap vec_cleanup EXIT
    trap 'exit 130' INT TERM HUP
    work=$(mktemp -d)
    A=$2A$$
    B=$2B$$
    local ns
    for ns in "$A" "$B"; do
        if [ "$3" = v4 ]; then
            ns_new "$ns"   # no IPv6 chatter (MLD, neighbour discovery) in the capture
        else
            ip netns add "$ns"
        fi
    done
    ip -n "$A" link add va address 02:00:00:00:00:01 type veth peer name vb netns "$B" address 02:00:00:00:00:02
    inA python3 "$here/gen.py" csum-off va
    inB python3 "$here/gen.py" csum-off vb
    ip -n "$A" link set va up
    ip -n "$B" link set vb up
}

vec_capture_start() {
    # `ip netns exec` may fork, so the capture records its own pid to be stopped exactly.
    inB sh -c 'echo $$ >"$1"; out=$2; shift 2; exec tcpdump -i vb -U -s 0 -w "$out" "$@" 2>"$out.log"' sh \
        "$work/tcpdump.pid" "$work/cap.pcap" "$@" &
    pids+=($!)
}

vec_capture_stop() {
    local tpid
    tpid=$(cat "$work/tcpdump.pid")
    kill "$tpid"
    while kill -0 "$tpid" 2>/dev/null; do sleep 0.1; done
    [ -n "${SYNVEC_KEEP:-}" ] && cp "$work/cap.pcap" "$SYNVEC_KEEP"   # for debugging gen.py
    return 0
}
