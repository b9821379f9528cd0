/* IPv4 output: route (connected networks, then the default gateway), header, fragmentation of
 * datagrams larger than the MTU (RFC 791 3.2 "Fragmentation"). */
#include "base/errno.h"
#include "base/mem.h"

#include "net/ip4.h"
#include "core/ctx.h"
#include "net/net.h"

/* The interface and next hop toward dst. */
static struct iface *ip4_route(synack_stack_t *st, uint32_t dst, uint32_t *next_hop)
{
    struct iface *ifc = if_for_local(st, dst);
    if (ifc) {
        /* Sending to ourselves would need a loopback path we do not model; refuse clearly. */
        return NULL;
    }
    if (dst == 0xffffffffu && st->net->nifs > 0) {
        *next_hop = dst;
        return &st->net->ifs[0];
    }
    ifc = if_for_network(st, dst);
    if (ifc) {
        *next_hop = dst;
        return ifc;
    }
    if (st->net->gateway) {
        *next_hop = st->net->gateway;
        return if_for_network(st, st->net->gateway);
    }
    return NULL;
}

uint32_t ip4_source_for(synack_stack_t *st, uint32_t dst)
{
    uint32_t nh;
    struct iface *ifc = ip4_route(st, dst, &nh);
    return ifc ? ifc->addr : 0;
}

unsigned ip4_tso_max_for(synack_stack_t *st, uint32_t dst)
{
    uint32_t nh;
    struct iface *ifc = ip4_route(st, dst, &nh);
    return ifc ? ifc->tso_max : 0;
}

unsigned ip4_mtu_for(synack_stack_t *st, uint32_t dst)
{
    uint32_t nh;
    struct iface *ifc = ip4_route(st, dst, &nh);
    return ifc ? ifc->mtu : 0;
}

static void ip4_fill(synack_stack_t *st, const struct ip4_out *o, struct ip4_hdr *h, uint32_t src)
{
    memset(h, 0, sizeof(*h));
    h->ihl = IP4_HDR_MIN;
    h->tos = o->tos;
    h->id = st->net->ip_id++;
    h->frag = o->df ? IP4_FLAG_DF : 0;
    h->ttl = o->ttl ? o->ttl : st->cfg.default_ttl;
    h->proto = o->proto;
    h->src = src;
    h->dst = o->dst;
}

int ip4_output(synack_stack_t *st, const struct ip4_out *o, struct buf *b, synack_time_t now)
{
    uint32_t nh = 0;
    struct iface *ifc = ip4_route(st, o->dst, &nh);
    if (!ifc) {
        stack_count(st, SYNACK_C_OutNoRoutes);
        buf_free(b);
        return -ENETUNREACH;
    }
    stack_count(st, SYNACK_C_OutRequests);
    struct ip4_hdr h;
    ip4_fill(st, o, &h, o->src ? o->src : ifc->addr);
    size_t plen = b->len;
    if (plen + IP4_HDR_MIN <= ifc->mtu || (o->gso_size && ifc->tso_max && plen + IP4_HDR_MIN <= 0xffff)) {
        /* Within the MTU, or a large TCP frame the link will cut into segments itself. The
         * transport asks for a cut whenever the payload exceeds its segment size, which a peer's
         * small MSS can make smaller than what the MTU allows: a frame within the MTU is cut too. */
        b->gso_size = ifc->tso_max ? o->gso_size : 0;
        if (b->gso_size && plen >= 20) {
            /* The link gives each segment it cuts the next ID (the IDs Linux's GSO writes): keep
             * them for this frame, so no later datagram reuses one within the window. The payload
             * is what follows the TCP header, whose length if_transmit reads the same way. */
            size_t thl = (size_t)(b->data[12] >> 4) * 4u;
            size_t segs = plen > thl ? (plen - thl + b->gso_size - 1u) / b->gso_size : 1u;
            st->net->ip_id = (uint16_t)(st->net->ip_id + segs - 1u);
        }
        h.total_len = (uint16_t)(plen + IP4_HDR_MIN);
        ip4_build(buf_push(b, IP4_HDR_MIN), &h);
        if_output_ip(st, ifc, nh, b, now);
        return 0;
    }
    if (o->df || plen + IP4_HDR_MIN > 0xffff) {
        stack_count(st, SYNACK_C_FragFails);
        stack_count(st, SYNACK_C_OutDiscards);
        buf_free(b);
        return -EMSGSIZE;
    }
    /* RFC 791 3.2: every fragment but the last carries a multiple of 8 payload bytes and MF. */
    size_t per = ((ifc->mtu - IP4_HDR_MIN) / 8u) * 8u;
    for (size_t off = 0; off < plen; off += per) {
        size_t n = plen - off < per ? plen - off : per;
        struct buf *f = buf_alloc(&st->cfg.alloc, BUF_HEADROOM, n);
        if (!f) {
            stack_count(st, SYNACK_C_BufAllocFails);
            stack_count(st, SYNACK_C_OutDiscards);
            buf_free(b);
            return -ENOBUFS;
        }
        memcpy(f->data, b->data + off, n);
        f->len = n;
        struct ip4_hdr fh = h;
        fh.total_len = (uint16_t)(n + IP4_HDR_MIN);
        fh.frag = (uint16_t)((off / 8u) | (off + n < plen ? IP4_FLAG_MF : 0));
        ip4_build(buf_push(f, IP4_HDR_MIN), &fh);
        stack_count(st, SYNACK_C_FragCreates);
        if_output_ip(st, ifc, nh, f, now);
    }
    stack_count(st, SYNACK_C_FragOKs);
    buf_free(b);
    return 0;
}
