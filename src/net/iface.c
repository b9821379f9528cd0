/* Interfaces: adding them, frame input (Ethernet demux or raw IP) and frame output. */
#include "net/iface.h"

#include "base/errno.h"
#include "base/mem.h"

#include "net/arp.h"
#include "net/ip4.h"
#include "net/ip6.h"
#include "core/ctx.h"
#include "net/net.h"
#include "wire/eth.h"

static uint32_t prefix_mask(uint8_t len) { return len == 0 ? 0 : 0xffffffffu << (32 - len); }

int synack_if_add(synack_stack_t *st, const struct synack_if_config *cfg)
{
    if (!cfg || (!cfg->tx && !cfg->tx_meta) || cfg->prefix_len > 32 || cfg->mtu < IP4_MIN_MTU ||
        (cfg->kind != SYNACK_IF_ETHERNET && cfg->kind != SYNACK_IF_RAWIP))
        return -EINVAL;
    if (st->net->nifs >= IF_MAX)
        return -ENOSPC;
    struct iface *ifc = &st->net->ifs[st->net->nifs];
    memset(ifc, 0, sizeof(*ifc));
    const char *name = cfg->name ? cfg->name : "if";
    for (size_t i = 0; i + 1 < sizeof(ifc->name) && name[i]; i++)
        ifc->name[i] = name[i];
    ifc->kind = cfg->kind;
    memcpy(ifc->mac, cfg->mac, 6);
    ifc->addr = cfg->addr;
    ifc->prefix_len = cfg->prefix_len;
    ifc->mask = prefix_mask(cfg->prefix_len);
    ifc->mtu = cfg->mtu;
    ifc->tx = cfg->tx;
    ifc->tx_ctx = cfg->tx_ctx;
    ifc->tx_meta = cfg->tx_meta;
    ifc->tso_max = cfg->tx_meta ? cfg->tso_max : 0;
    if (ifc->tso_max > 65000)
        ifc->tso_max = 65000;   /* the IPv4 total length must still fit in 16 bits */
    return st->net->nifs++;
}

enum synack_if_kind synack_if_kind(const synack_stack_t *st, int ifindex)
{
    return ifindex >= 0 && ifindex < st->net->nifs ? st->net->ifs[ifindex].kind : 0;
}

void synack_if_tx_lost(synack_stack_t *st, unsigned n)
{
    if (st)
        stack_count_n(st, SYNACK_C_LinkOutErrors, n);
}

int if_index(const synack_stack_t *st, const struct iface *ifc) { return (int)(ifc - st->net->ifs); }

struct iface *if_for_network(synack_stack_t *st, uint32_t addr)
{
    for (int i = 0; i < st->net->nifs; i++)
        if ((addr & st->net->ifs[i].mask) == (st->net->ifs[i].addr & st->net->ifs[i].mask))
            return &st->net->ifs[i];
    return NULL;
}

struct iface *if_for_local(synack_stack_t *st, uint32_t addr)
{
    for (int i = 0; i < st->net->nifs; i++)
        if (st->net->ifs[i].addr == addr)
            return &st->net->ifs[i];
    return NULL;
}

int synack_route_set_gateway(synack_stack_t *st, uint32_t gateway)
{
    if (gateway && !if_for_network(st, gateway))
        return -ENETUNREACH;
    st->net->gateway = gateway;
    return 0;
}

int synack_if_input(synack_stack_t *st, int ifindex, const uint8_t *frame, size_t len, synack_time_t now)
{
    return synack_if_input_flags(st, ifindex, frame, len, 0, now);
}

/* An Ethernet frame: ours (our MAC, broadcast, or IPv6 multicast), then by EtherType. */
static void eth_input(synack_stack_t *st, struct iface *ifc, int ifindex, const uint8_t *frame, size_t len,
                      synack_time_t now)
{
    struct eth_hdr eh;
    stack_count(st, SYNACK_C_EthInFrames);
    if (eth_parse(frame, len, &eh) != WIRE_OK) {
        stack_drop(st, SYNACK_C_EthInErrors, ifindex, ifc->kind, frame, len);
    } else if (memcmp(eh.dst, ifc->mac, 6) != 0 && !eth_is_broadcast(eh.dst) &&
               !(eh.dst[0] == 0x33 && eh.dst[1] == 0x33 && st->net->ip6.ifs[ifindex].on)) {
        /* Unicast for another MAC is not ours, nor multicast but IPv6's (RFC 2464 7), whose
         * groups IPv6 input checks by address. */
        stack_drop(st, SYNACK_C_EthInNotForUs, ifindex, ifc->kind, frame, len);
    } else if (eh.type == ETH_TYPE_IPV6 && st->net->ip6.ifs[ifindex].on) {
        ip6_input(st, ifc, frame + ETH_HDR_LEN, len - ETH_HDR_LEN, eth_is_multicast(eh.dst), now);
    } else if (eh.type == ETH_TYPE_IPV4) {
        ip4_input_ll(st, ifc, frame + ETH_HDR_LEN, len - ETH_HDR_LEN, eth_is_broadcast(eh.dst), now);
    } else if (eh.type == ETH_TYPE_ARP) {
        arp_input(st, ifc, frame + ETH_HDR_LEN, len - ETH_HDR_LEN, now);
    } else {
        stack_drop(st, SYNACK_C_EthInUnknownType, ifindex, ifc->kind, frame, len);
    }
}

int synack_if_input_flags(synack_stack_t *st, int ifindex, const uint8_t *frame, size_t len, unsigned flags,
                          synack_time_t now)
{
    if (ifindex < 0 || ifindex >= st->net->nifs)
        return -EINVAL;
    struct iface *ifc = &st->net->ifs[ifindex];
    stack_enter(st, now);
    /* What the link vouches for holds for this frame only: a transmit callback may feed another
     * frame in (a loopback link) before this one is done, so the old value comes back after. */
    uint8_t csum_ok_was = st->net->rx_csum_ok;
    st->net->rx_csum_ok = (flags & SYNACK_RX_CSUM_OK) != 0;
    if (st->trace_fn) {
        struct synack_trace_event ev = { .kind = SYNACK_TR_FRAME_IN, .ifindex = ifindex,
                                         .link_kind = ifc->kind, .data = frame, .len = len };
        stack_trace(st, &ev);
    }
    if (ifc->kind != SYNACK_IF_RAWIP)
        eth_input(st, ifc, ifindex, frame, len, now);
    else if (len && (frame[0] >> 4) == 6 && st->net->ip6.ifs[ifindex].on)
        ip6_input(st, ifc, frame, len, 0, now);   /* raw IP says its family in its first nibble (TUN) */
    else
        ip4_input(st, ifc, frame, len, now);
    st->net->rx_csum_ok = csum_ok_was;
    stack_leave(st);
    return 0;
}

void if_transmit(synack_stack_t *st, struct iface *ifc, const uint8_t *frame, size_t len, uint16_t gso_size,
                 synack_time_t now)
{
    if (st->trace_fn) {
        struct synack_trace_event ev = { .kind = SYNACK_TR_FRAME_OUT, .ifindex = if_index(st, ifc),
                                         .link_kind = ifc->kind, .data = frame, .len = len };
        stack_trace(st, &ev);
    }
    if (ifc->kind == SYNACK_IF_ETHERNET)
        stack_count(st, SYNACK_C_EthOutFrames);
    int r;
    if (ifc->tx_meta) {
        struct synack_tx_meta m = { 0, 0, 0, 0 };
        if (gso_size) {
            size_t l2 = ifc->kind == SYNACK_IF_ETHERNET ? ETH_HDR_LEN : 0;
            size_t ihl = (frame[l2] >> 4) == 6 ? 40u : (frame[l2] & 0x0fu) * 4u;   /* no IPv6 extension headers on TCP */
            size_t doff = (frame[l2 + ihl + 12] >> 4) * 4u;
            m.gso_size = gso_size;
            m.csum_start = (uint16_t)(l2 + ihl);
            m.csum_offset = 16;
            m.hdr_len = (uint16_t)(l2 + ihl + doff);
        }
        r = ifc->tx_meta(ifc->tx_ctx, frame, len, &m, now);
    } else {
        r = ifc->tx(ifc->tx_ctx, frame, len, now);
    }
    if (r != 0)
        stack_count(st, SYNACK_C_LinkOutErrors);
}

void if_output_eth(synack_stack_t *st, struct iface *ifc, const uint8_t *dst_mac, uint16_t type,
                   struct buf *b, synack_time_t now)
{
    struct eth_hdr eh;
    memcpy(eh.dst, dst_mac, 6);
    memcpy(eh.src, ifc->mac, 6);
    eh.type = type;
    eth_build(buf_push(b, ETH_HDR_LEN), &eh);
    if_transmit(st, ifc, b->data, b->len, b->gso_size, now);
    buf_pull(b, ETH_HDR_LEN);
}

void if_output_ip(synack_stack_t *st, struct iface *ifc, uint32_t next_hop, struct buf *b, synack_time_t now)
{
    if (ifc->kind == SYNACK_IF_RAWIP) {
        if_transmit(st, ifc, b->data, b->len, b->gso_size, now);
        buf_free(b);
        return;
    }
    arp_output(st, ifc, next_hop, b, now);
}
