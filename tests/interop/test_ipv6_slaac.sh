#!/usr/bin/env bash
# IPv6 stateless autoconfiguration against a real router (radvd on the kernel's side of a TAP):
# synack serve --slaac solicits routers, forms 2001:db8:5::/64 plus its MAC's EUI-64 once the
# advertisement comes (RFC 4862 5.5.3), passes DAD, and answers pings there; its default router is
# the one advertised, so it answers a ping from an address that is not on the link (through the
# router). The router's MTU option (1400) lowers synack's IPv6 link MTU: a 1500-byte ping comes
# back fragmented to 1400.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_init "${1:-}" ping radvd tshark

nsx sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0 net.ipv6.conf.all.forwarding=1
DEV=s6-slaac
PCAP="$TMPD/slaac.pcap"
start_serve tap "$DEV" --slaac --host-addr 2001:db8:5::1/64 --pcap "$PCAP"
# A router's address that is not on the link, behind the kernel (which forwards to itself).
nsx ip -6 addr add 2001:db8:99::1/128 dev lo
cat >"$TMPD/radvd.conf" <<CONF
interface $DEV {
    AdvSendAdvert on;
    MinRtrAdvInterval 3;
    MaxRtrAdvInterval 4;
    AdvLinkMTU 1400;
    prefix 2001:db8:5::/64 { AdvOnLink on; AdvAutonomous on; };
};
CONF
start_bg radvd radvd -n -C "$TMPD/radvd.conf" -p "$TMPD/radvd.pid" -m stderr
# synack's MAC, from the kernel's neighbour table (its link-local address talks first: MLD, RS);
# not the kernel's own (radvd's advertisements put the kernel's link-local there too).
own=$(nsx cat "/sys/class/net/$DEV/address")
mac=""
for ((i = 0; i < 100; i++)); do
    [[ -z "$mac" ]] || break
    sleep 0.1
    mac=$(nsx ip -6 neigh show dev "$DEV" | awk -v own="$own" '/^fe80::/ && /lladdr/ && $3 != own { print $3; exit }')
done
[[ -n "$mac" ]] || { cat "$TMPD/radvd.out" >&2; fail "the kernel never heard synack's link-local address"; }
IFS=: read -r m0 m1 m2 m3 m4 m5 <<<"$mac"
SL=$(printf '2001:db8:5::%x:%x:%x:%x' $(((0x$m0 ^ 2) << 8 | 0x$m1)) $((0x$m2 << 8 | 0xff)) $((0xfe << 8 | 0x$m3)) $((0x$m4 << 8 | 0x$m5)))
log "synack's MAC $mac: expecting the SLAAC address $SL"
ok=0
for ((i = 0; i < 60 && !ok; i++)); do
    nsx timeout 2 ping -6 -c 1 -W 1 "$SL" >/dev/null 2>&1 && ok=1 || sleep 0.2
done
((ok)) || { cat "$TMPD/radvd.out" >&2; fail "synack did not answer on its SLAAC address $SL"; }
out=$(nsx timeout 10 ping -6 -c 3 -i 0.2 -I 2001:db8:99::1 "$SL") || { echo "$out" >&2; fail "no reply to an off-link source: no default router from the advertisement"; }
log "ping from the off-link 2001:db8:99::1 answered through the advertised router"
out=$(nsx timeout 10 ping -6 -c 2 -i 0.2 -s 1452 "$SL") || { echo "$out" >&2; fail "1500-byte ping -6 failed"; }
serve_alive
stop_serve
n=$(tshark_count "$PCAP" "icmpv6.type == 133")
((n >= 1)) || fail "no router solicitation in synack's capture"
n=$(tshark_count "$PCAP" "ipv6.src == $SL && ipv6.fragment && frame.len <= 1414")
((n >= 2)) || fail "the replies to 1500-byte pings were not fragmented to the advertised MTU 1400 ($n fragments)"
n=$(tshark_count "$PCAP" "_ws.malformed")
((n == 0)) || fail "$n malformed frames"
log "router solicitation sent; replies fragmented to the advertised MTU; no malformed frame"
pass
