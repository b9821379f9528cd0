/* IPv4 as the network layer of transports (struct net_family, net/net.h): the transports' view of
 * ip4_output, routing, MTU and offload toward a destination, the RFC 793/768 pseudo-header, and
 * ICMP unreachable replies. */
#include "base/errno.h"

#include "core/ctx.h"
#include "net/icmp.h"
#include "net/ip4.h"
#include "net/net.h"
#include "wire/csum.h"
#include "wire/icmp.h"

static int ip4f_output(synack_stack_t *st, const struct net_tx *tx, struct buf *b, synack_time_t now)
{
    struct ip4_out o = { .src = synack_ip_to_v4(&tx->src), .dst = synack_ip_to_v4(&tx->dst), .proto = tx->proto,
                         .ttl = tx->ttl, .tos = tx->tos, .df = tx->df, .gso_size = tx->gso_size };
    return ip4_output(st, &o, b, now);
}

static int ip4f_source_for(synack_stack_t *st, const struct synack_ip *dst, struct synack_ip *src)
{
    uint32_t a = ip4_source_for(st, synack_ip_to_v4(dst));
    if (!a)
        return -ENETUNREACH;
    *src = synack_ip_from_v4(a);
    return 0;
}

static unsigned ip4f_mtu_for(synack_stack_t *st, const struct synack_ip *dst)
{
    return ip4_mtu_for(st, synack_ip_to_v4(dst));
}

static unsigned ip4f_tso_max_for(synack_stack_t *st, const struct synack_ip *dst)
{
    return ip4_tso_max_for(st, synack_ip_to_v4(dst));
}

static int ip4f_is_local(synack_stack_t *st, const struct synack_ip *addr)
{
    return if_for_local(st, synack_ip_to_v4(addr)) != NULL;
}

static int ip4f_is_unicast(synack_stack_t *st, const struct synack_ip *addr)
{
    uint32_t a = synack_ip_to_v4(addr);
    /* 0/8 "this network", 224/4 multicast, 240/4 class E with the limited broadcast (RFC 1122 3.2.1.3). */
    if ((a >> 24) == 0 || (a >> 28) >= 0xe)
        return 0;
    struct iface *on = if_for_network(st, a);
    return !(on && ip4_is_bcast_for(on, a));   /* a connected network's directed broadcast */
}

static uint64_t ip4f_pseudo_sum(const struct synack_ip *src, const struct synack_ip *dst, uint8_t proto)
{
    return wire_csum_pseudo(synack_ip_to_v4(src), synack_ip_to_v4(dst), proto, 0);
}

static void ip4f_unreachable(synack_stack_t *st, const struct net_rx *rx, enum net_unreach why, synack_time_t now)
{
    uint8_t code = why == NET_UNREACH_PORT ? ICMP_UNREACH_PORT : ICMP_UNREACH_PROTO;
    icmp_send_error(st, ICMP_DEST_UNREACH, code, 0, rx->l3, rx->pkt, now);
}

const struct net_family ip4_family = {
    .family = NET_AF_INET,
    .hdr_len = IP4_HDR_MIN,
    .min_mtu = IP4_MIN_MTU,
    .output = ip4f_output,
    .source_for = ip4f_source_for,
    .mtu_for = ip4f_mtu_for,
    .tso_max_for = ip4f_tso_max_for,
    .is_local = ip4f_is_local,
    .is_unicast = ip4f_is_unicast,
    .pseudo_sum = ip4f_pseudo_sum,
    .unreachable = ip4f_unreachable,
};
