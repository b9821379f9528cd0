/* IPv6 as the network layer of transports (struct net_family, net/net.h): output, source
 * selection, the path MTU and offload toward a destination, the RFC 8200 8.1 pseudo-header and
 * ICMPv6 unreachable replies. */
#include "base/errno.h"

#include "core/ctx.h"
#include "net/ip6.h"
#include "net/net.h"
#include "wire/csum.h"
#include "wire/icmp6.h"

static int ip6f_output(synack_stack_t *st, const struct net_tx *tx, struct buf *b, synack_time_t now)
{
    struct ip6_out o = { .src = tx->src.b, .dst = tx->dst.b, .next = tx->proto, .hlim = tx->ttl,
                         .tclass = tx->tos, .df = tx->df, .gso_size = tx->gso_size, .ifindex = -1 };
    return ip6_output(st, &o, b, now);
}

static int ip6f_source_for(synack_stack_t *st, const struct synack_ip *dst, struct synack_ip *src)
{
    uint8_t nh[16];
    struct iface *ifc = ip6_route(st, dst->b, nh);
    if (!ifc)
        return -ENETUNREACH;
    return ip6_source_select(st, if_index(st, ifc), dst->b, src->b);
}

static unsigned ip6f_mtu_for(synack_stack_t *st, const struct synack_ip *dst)
{
    return ip6_mtu_for(st, dst->b);
}

static unsigned ip6f_tso_max_for(synack_stack_t *st, const struct synack_ip *dst)
{
    uint8_t nh[16];
    struct iface *ifc = ip6_route(st, dst->b, nh);
    return ifc ? ifc->tso_max : 0;
}

static int ip6f_is_local(synack_stack_t *st, const struct synack_ip *addr)
{
    return ip6_addr_find(st, addr->b, NULL) != NULL;
}

static int ip6f_is_unicast(synack_stack_t *st, const struct synack_ip *addr)
{
    (void)st;
    return !ip6_is_multicast(addr->b) && !ip6_is_unspecified(addr->b) && !ip6_is_loopback(addr->b);
}

static uint64_t ip6f_pseudo_sum(const struct synack_ip *src, const struct synack_ip *dst, uint8_t proto)
{
    return wire_csum_pseudo6(src->b, dst->b, proto, 0);
}

static void ip6f_unreachable(synack_stack_t *st, const struct net_rx *rx, enum net_unreach why, synack_time_t now)
{
    if (why == NET_UNREACH_PORT)
        icmp6_send_error(st, ICMP6_DEST_UNREACH, ICMP6_UNREACH_PORT, 0, rx->pkt, rx->pkt_len, !rx->dst_unicast, now);
    else
        icmp6_send_error(st, ICMP6_PARAM_PROB, ICMP6_PARAM_NEXTHDR, 6, rx->pkt, rx->pkt_len, !rx->dst_unicast, now);
}

const struct net_family ip6_family = {
    .family = NET_AF_INET6,
    .hdr_len = IP6_HDR_LEN,
    .min_mtu = IP6_MIN_MTU,
    .output = ip6f_output,
    .source_for = ip6f_source_for,
    .mtu_for = ip6f_mtu_for,
    .tso_max_for = ip6f_tso_max_for,
    .is_local = ip6f_is_local,
    .is_unicast = ip6f_is_unicast,
    .pseudo_sum = ip6f_pseudo_sum,
    .unreachable = ip6f_unreachable,
};
