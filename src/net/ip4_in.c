/* IPv4 input: RFC 1122 3.2.1 checks, local delivery, reassembly, then the transport. */
#include "core/alloc.h"
#include "base/mem.h"

#include "core/ctx.h"
#include "net/icmp.h"
#include "net/ip4.h"
#include "net/net.h"
#include "net/reasm.h"

int ip4_is_bcast_for(const struct iface *ifc, uint32_t addr)
{
    if (addr == 0xffffffffu)
        return 1;
    /* On /31 (RFC 3021) and /32 links every address is a host. */
    if (ifc->prefix_len >= 31)
        return 0;
    return addr == (ifc->addr | ~ifc->mask) || addr == (ifc->addr & ifc->mask);
}

int ip4_src_is_martian(uint32_t s)
{
    /* {0, *}: "this network", only a source while a host learns its address (3.2.1.3 (a), (b));
     * {127, *}: "MUST NOT appear outside a host" (g); 224/4 multicast and 240/4 class E (which
     * includes the limited broadcast {-1, -1}, (c)) do not name a single host (3.2.2). */
    return (s >> 24) == 0 || (s >> 24) == 127 || (s >> 28) >= 0xe;
}

static int is_local_dst(synack_stack_t *st, struct iface *ifc, uint32_t dst)
{
    if (dst == ifc->addr || ip4_is_bcast_for(ifc, dst))
        return 1;
    /* RFC 1122 3.3.4.2: the weak host model; a packet for another of our addresses is ours. */
    return if_for_local(st, dst) != NULL;
}

static void ip4_deliver(synack_stack_t *st, struct iface *ifc, const struct ip4_hdr *h, const uint8_t *pkt,
                        synack_time_t now)
{
    const uint8_t *pl = pkt + h->ihl;
    size_t plen = h->total_len - h->ihl;
    if (h->proto == IP4_PROTO_ICMP) {
        stack_count(st, SYNACK_C_InDelivers);
        icmp_input(st, ifc, h, pkt, pl, plen, now);
        return;
    }
    /* Transports are reached through their registration (net_proto_register), never by name. */
    const struct net_proto *tp = net_proto_find(st, h->proto);
    if (!tp) {
        stack_drop(st, SYNACK_C_InUnknownProtos, if_index(st, ifc), SYNACK_IF_RAWIP, pkt, h->total_len);
        /* RFC 1122 3.2.2.1: a host SHOULD send protocol unreachable. */
        icmp_send_error(st, ICMP_DEST_UNREACH, ICMP_UNREACH_PROTO, 0, h, pkt, now);
        return;
    }
    stack_count(st, SYNACK_C_InDelivers);
    struct net_rx rx = { .family = NET_AF_INET, .src = synack_ip_from_v4(h->src), .dst = synack_ip_from_v4(h->dst),
                         .ifindex = if_index(st, ifc), .dst_unicast = if_for_local(st, h->dst) != NULL,
                         .pkt = pkt, .pkt_len = h->total_len, .l3 = h, .csum_ok = st->net->rx_csum_ok };
    tp->input(st, &rx, pl, plen, now);
}

void ip4_input(synack_stack_t *st, struct iface *ifc, const uint8_t *p, size_t len, synack_time_t now)
{
    ip4_input_ll(st, ifc, p, len, 0, now);
}

void ip4_input_ll(synack_stack_t *st, struct iface *ifc, const uint8_t *p, size_t len, int ll_bcast,
                  synack_time_t now)
{
    int ifindex = if_index(st, ifc);
    struct ip4_hdr h;
    stack_count(st, SYNACK_C_InReceives);
    int r = ip4_parse(p, len, &h);
    if (r == WIRE_ERR_TRUNC) {
        stack_drop(st, SYNACK_C_InTruncatedPkts, ifindex, SYNACK_IF_RAWIP, p, len);
        return;
    }
    if (r != WIRE_OK) {
        stack_drop(st, SYNACK_C_InHdrErrors, ifindex, SYNACK_IF_RAWIP, p, len);
        return;
    }
    /* RFC 1122 3.2.1.3: a host MUST silently discard a datagram whose source is invalid: a
     * broadcast (limited or for our network), multicast, "this network" or loopback address. */
    if (ip4_src_is_martian(h.src) || ip4_is_bcast_for(ifc, h.src)) {
        stack_drop(st, SYNACK_C_InAddrErrors, ifindex, SYNACK_IF_RAWIP, p, len);
        return;
    }
    if (!is_local_dst(st, ifc, h.dst)) {
        /* We are a host, not a router (RFC 1122 3.2.1.3 / 3.3.1.1 "silently discard"). */
        stack_drop(st, SYNACK_C_InAddrErrors, ifindex, SYNACK_IF_RAWIP, p, len);
        return;
    }
    if (ll_bcast && !ip4_is_bcast_for(ifc, h.dst)) {
        /* RFC 1122 3.3.6: "A host SHOULD silently discard a datagram that is received via a
         * link-layer broadcast but does not specify an IP multicast or broadcast destination
         * address." It also keeps us from answering it (3.2.2: no ICMP error about a link-layer
         * broadcast; no echo reply or TCP reset either). */
        stack_drop(st, SYNACK_C_InAddrErrors, ifindex, SYNACK_IF_RAWIP, p, len);
        return;
    }
    if (!ip4_is_fragment(&h)) {
        ip4_deliver(st, ifc, &h, p, now);
        return;
    }
    uint8_t *whole = NULL;
    size_t whole_len = 0;
    if (reasm_add(st, &h, p, &whole, &whole_len, now) == 1) {
        struct ip4_hdr wh;
        /* What the link vouched for was this fragment, not the datagram: check it whole
         * (synack_if_input_flags restores the flag after the frame), as IPv6 does. */
        st->net->rx_csum_ok = 0;
        if (ip4_parse(whole, whole_len, &wh) == WIRE_OK)
            ip4_deliver(st, ifc, &wh, whole, now);
        else
            stack_count(st, SYNACK_C_ReasmFails);
        mem_free(&st->cfg.alloc, whole);
    }
}
