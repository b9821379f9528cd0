# Network namespaces for the shell scripts that make their own: the interop tests
# (tests/interop/lib.sh), the benchmarks (bench/lib.sh) and the vector generators
# (tests/unit/vectors/). Source it. A namespace here is always new and named after the script and
# its PID, so everything that runs in it was started by that script.
#
#   ns_new NAME        a namespace with loopback up and IPv6 off (no router or neighbour
#                      solicitations in captures); fails if it cannot be created
#   ns_teardown NAME   ends whatever still runs in NAME (TERM after 1 s, KILL after 2 s, 3 s at
#                      most), then deletes it; nothing if it does not exist

ns_new() {
    ip netns add "$1" || return 1
    ip -n "$1" link set lo up || return 1
    ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 2>/dev/null || true
}

ns_teardown() {
    local ns=$1 i pids
    ip netns list 2>/dev/null | grep -qw -- "$ns" || return 0
    for ((i = 0; i < 30; i++)); do
        pids=$(ip netns pids "$ns" 2>/dev/null || true)
        [[ -z "$pids" ]] && break
        case $i in
        10) kill -TERM $pids 2>/dev/null || true ;;
        20) kill -KILL $pids 2>/dev/null || true ;;
        esac
        sleep 0.1
    done
    ip netns del "$ns" 2>/dev/null || true
}
