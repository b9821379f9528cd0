#!/usr/bin/env bash
# `synack serve` usage errors: each bad invocation prints exactly one line on stderr, nothing on
# stdout, and exits non-zero (2 for a usage error, 1 for a device that cannot be had); --help
# exits 0. A TAP already held by another synack serve is refused with a clear message (and the
# first one keeps working); a device deleted under a running serve stops it with a clear message.
# `serve --help` lists every service serve runs: a serve with every optional service on is asked
# what it opened (its TCP listeners from `synack ss`; its UDP ports found from the kernel's side by
# sending datagrams to sets of ports 1-1024 and reading how many the stack delivered to a socket,
# UdpInDatagrams, against how many had none, UdpNoPorts), and each protocol and port must be on a
# line of the help's list of services, and each listed there must be open. Every invocation runs
# inside the test's namespace, bounded in time, so one that wrongly starts can create nothing
# outside it.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_init "${1:-}" ping python3
SRC=${SYNACK_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}

run() {   # run WANT_STATUS GREP_PATTERN ARGS...: one line on stderr matching the pattern
    local want=$1 pat=$2 rc=0
    shift 2
    nsx timeout 10 "$SYNACK" "$@" >"$TMPD/out" 2>"$TMPD/err" || rc=$?
    local lines
    lines=$(wc -l <"$TMPD/err")
    if ((rc != want)) || ((lines != 1)) || [[ -s "$TMPD/out" ]] || ! grep -qE -- "$pat" "$TMPD/err"; then
        echo "--- stdout:" >&2; cat "$TMPD/out" >&2
        echo "--- stderr:" >&2; cat "$TMPD/err" >&2
        fail "synack $*: exit $rc (want $want), $lines stderr lines (want 1 matching '$pat')"
    fi
    log "synack $*: exit $rc: $(cat "$TMPD/err")"
}

A=(--addr "$SYNACK_ADDR/24")
run 2 "device is needed" serve "${A[@]}"
run 2 "--addr .* is needed" serve --tap sa-e0
run 2 "bad --addr '192.0.2.2'" serve --tap sa-e0 --addr 192.0.2.2
run 2 "bad --addr '192.0.2.300/24'" serve --tap sa-e0 --addr 192.0.2.300/24
run 2 "bad --addr '192.0.2.2/33'" serve --tap sa-e0 --addr 192.0.2.2/33
run 2 "bad --addr 'not-an-address/24'" serve --tap sa-e0 --addr not-an-address/24
run 2 "network's own address" serve --tap sa-e0 --addr 192.0.2.0/24
run 2 "broadcast address" serve --tap sa-e0 --addr 192.0.2.255/24
run 2 "this network" serve --tap sa-e0 --addr 0.0.0.0/24
run 2 "bad --host-addr '192.0.2.1'" serve --tap sa-e0 "${A[@]}" --host-addr 192.0.2.1
run 2 "must differ" serve --tap sa-e0 "${A[@]}" --host-addr "$SYNACK_ADDR/24"
run 2 "not on --addr's network" serve --tap sa-e0 --addr 192.0.2.2/25 --host-addr 192.0.2.129/25
run 2 "--gateway 192.0.2.200 is not on" serve --tap sa-e0 --addr 192.0.2.2/25 --gateway 192.0.2.200
run 2 "bad --gateway" serve --tap sa-e0 "${A[@]}" --gateway 192.0.2
run 2 "bad --mtu '100'" serve --tap sa-e0 "${A[@]}" --mtu 100
run 2 "bad --mtu 'abc'" serve --tap sa-e0 "${A[@]}" --mtu abc
run 2 "bad --mtu '70000'" serve --tap sa-e0 "${A[@]}" --mtu 70000
run 2 "at most 65521" serve --tap sa-e0 "${A[@]}" --mtu 65535
run 2 "bad device name" serve --tap sa-name-of-16-ch "${A[@]}"
run 2 "one of --tap or --tun" serve --tap sa-e0 --tun sa-e1 "${A[@]}"
run 2 "unknown option '--bogus'" serve --tap sa-e0 "${A[@]}" --bogus
run 2 "unknown option '-x'" serve --tap sa-e0 "${A[@]}" -x
run 2 "option '--tap' needs a value" serve "${A[@]}" --tap
run 2 "option '--verbose' takes no value" serve --tap sa-e0 "${A[@]}" --verbose=yes
run 2 "unexpected argument 'extra'" serve --tap sa-e0 "${A[@]}" extra
run 2 "unknown command 'bogus'" bogus
run 1 "cannot write pcap file '/nonexistent/dir/x.pcap'" serve --tap sa-e0 "${A[@]}" --pcap /nonexistent/dir/x.pcap
run 1 "not a usable device name" serve --tap 'sa e0' "${A[@]}"
# None of the failed runs left a device behind.
left=$(nsx ip -o link show | grep -v ': lo:' || true)
[[ -z "$left" ]] || fail "devices left in the namespace after failed runs: $left"

for args in "--help" "serve --help" "serve -h"; do
    rc=0
    # shellcheck disable=SC2086
    nsx timeout 10 "$SYNACK" $args >"$TMPD/out" 2>"$TMPD/err" || rc=$?
    ((rc == 0)) && grep -q '^usage: synack' "$TMPD/out" || fail "synack $args: exit $rc, no usage on stdout"
    log "synack $args: exit 0 with usage on stdout"
done

# A busy device: the TAP is held by a running synack serve.
start_serve tap sa-busy0
run 1 "cannot open TAP device 'sa-busy0'.*in use by another process" serve --tap sa-busy0 --addr 192.0.2.3/24
run 1 "cannot open TUN device 'sa-busy0'.*exists but is not a single-queue TUN device" serve --tun sa-busy0 --addr 192.0.2.3/24
ping_check 2 -i 0.2
serve_alive
stop_serve

# What serve runs against what `serve --help` says it runs: every optional service on (HTTP and the
# status page, DNS), then its ports found from outside.
start_serve tap sa-svc0 --http-root "$SRC/examples/www" --dns-zone "$SRC/examples/demo.zone" --ctl "$TMPD/svc.sock"
ping_check 1   # the kernel knows synack's MAC: no datagram waits for ARP
"$SYNACK" serve --help >"$TMPD/serve.help"
cat >"$TMPD/services.py" <<'PY'
# services.py SYNACK CTL ADDR HELP: compares the ports serve opened with its --help's services.
import re, socket, subprocess, sys, time
synack, ctl, addr, help_path = sys.argv[1:5]

def ss(*args):
    return subprocess.run([synack, "ss", "--ctl", ctl, *args], capture_output=True, text=True,
                          timeout=10, check=True).stdout

def counters():
    c = {}
    for line in ss("--counters").splitlines():
        f = line.split()
        if len(f) == 2:
            c[f[0]] = int(f[1])
    return c

tcp = {int(m) for m in re.findall(r"^LISTEN .*?:(\d+) ", ss(), re.M)}

# open_count(ports): sends one datagram to each, waits until the stack has counted every one (as
# delivered, refused for a full queue, or with no socket), and returns how many found a socket.
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
def open_count(ports):
    before = counters()
    for i, p in enumerate(ports):
        sock.sendto(b"probe", (addr, p))
        if i % 64 == 63:
            time.sleep(0.005)   # the TAP's queue is never the one that drops them
    keys = ("UdpInDatagrams", "UdpRcvbufErrors", "UdpNoPorts")
    for _ in range(100):
        now = counters()
        d = {k: now[k] - before[k] for k in keys}
        if sum(d.values()) >= len(ports):
            return d["UdpInDatagrams"] + d["UdpRcvbufErrors"]
        time.sleep(0.05)
    sys.exit(f"FAIL: the stack counted {sum(d.values())} of {len(ports)} datagrams sent: {d}")

udp = set()
def find(ports):   # halves a set of ports until each open one stands alone
    n = open_count(ports)
    if n == 0:
        return
    if len(ports) == 1 or n == len(ports):
        udp.update(ports)
        return
    find(ports[:len(ports) // 2])
    find(ports[len(ports) // 2:])
find(list(range(1, 1025)))

# The help's list of services: the lines after "Runs the stack" up to "Stop with". A line offers
# its protocols (UDP; TCP, or HTTP, which is TCP) on each "port N" it names.
lines = open(help_path).read().splitlines()
start = next(i for i, l in enumerate(lines) if "Runs the stack" in l)
end = next(i for i, l in enumerate(lines) if "Stop with" in l)
listed = set()
for l in lines[start + 1:end]:
    protos = ({"udp"} if "UDP" in l else set()) | ({"tcp"} if re.search(r"TCP|HTTP", l) else set())
    for p in re.findall(r"\bports? (\d+)", l):
        listed |= {(proto, int(p)) for proto in protos}
opened = {("tcp", p) for p in tcp} | {("udp", p) for p in udp}
print("opened:", " ".join(f"{p}/{n}" for p, n in sorted(opened)))
print("listed:", " ".join(f"{p}/{n}" for p, n in sorted(listed)))
bad = 0
for p, n in sorted(opened - listed):
    print(f"FAIL: serve runs {p.upper()} port {n}, which `serve --help` does not list")
    bad = 1
for p, n in sorted(listed - opened):
    print(f"FAIL: `serve --help` lists {p.upper()} port {n}, which serve did not open")
    bad = 1
if len(opened) < 5:
    print(f"FAIL: found only {sorted(opened)} open")
    bad = 1
sys.exit(bad)
PY
rc=0
nsx timeout 120 python3 "$TMPD/services.py" "$SYNACK" "$TMPD/svc.sock" "$SYNACK_ADDR" "$TMPD/serve.help" \
    >"$TMPD/services.out" 2>&1 || rc=$?
sed "s/^/[$INTEROP_NAME]   /" "$TMPD/services.out"
((rc == 0)) || fail "serve --help does not list what serve runs (above)"
serve_alive
stop_serve
log "serve --help lists every port serve opened, and serve opened every port it lists"

# The device deleted under a running serve: it stops with a clear message and exit status 1.
start_serve tap sa-del0
nsx ip link del sa-del0
for ((i = 0; i < 50; i++)); do kill -0 "$SERVE_PID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$SERVE_PID" 2>/dev/null && fail "synack serve still runs 5 s after its device was deleted"
rc=0
wait "$SERVE_PID" || rc=$?
SERVE_PID=""
((rc == 1)) || fail "synack serve exited $rc after its device was deleted, expected 1"
grep -q "driver stopped: No such device" "$SERVE_LOG" || { cat "$SERVE_LOG" >&2; fail "no clear message after the device was deleted"; }
log "device deleted under serve: exit 1, '$(grep 'driver stopped' "$SERVE_LOG")'"
pass
