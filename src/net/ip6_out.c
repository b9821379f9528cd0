/* IPv6 output: routing (our prefixes, the prefixes routers advertise, then a default router),
 * the path MTU each destination's Packet Too Big messages taught (RFC 8201), the header, and
 * fragmentation at the source (RFC 8200 4.5) for what may be fragmented. */
#include "net/ip6.h"

#include "base/errno.h"
#include "base/mem.h"

#include "core/ctx.h"
#include "net/iface.h"
#include "net/net.h"

#define PMTU_LIFETIME SYNACK_SEC(600)   /* RFC 8201 4: try a larger MTU again after 10 minutes */

static struct iface *first_ip6_if(synack_stack_t *st)
{
    for (int i = 0; i < st->net->nifs; i++)
        if (ip6_if_up(ip6_if(st, i)) && st->net->ifs[i].kind == SYNACK_IF_ETHERNET)
            return &st->net->ifs[i];
    for (int i = 0; i < st->net->nifs; i++)
        if (ip6_if_up(ip6_if(st, i)))
            return &st->net->ifs[i];
    return NULL;
}

struct iface *ip6_route(synack_stack_t *st, const uint8_t *dst, uint8_t next_hop[16])
{
    struct net *n = st->net;
    if (ip6_addr_find(st, dst, NULL))
        return NULL;   /* no loopback path, as for IPv4 */
    memcpy(next_hop, dst, 16);
    if (ip6_is_multicast(dst) || ip6_is_linklocal(dst)) {
        /* No zone in the address: the interface a neighbour entry names, else the first. */
        for (int i = 0; i < n->nifs; i++) {
            uint8_t mac[6];
            if (ip6_if_up(ip6_if(st, i)) && nd_lookup(st, i, dst, mac) == 0)
                return &n->ifs[i];
        }
        return first_ip6_if(st);
    }
    /* On-link: the prefix of one of our addresses (RFC 4861 5.2), or one a router advertised. */
    for (int i = 0; i < n->nifs; i++) {
        struct ip6_if *x = ip6_if(st, i);
        if (!ip6_if_up(x))
            continue;
        for (int k = 0; k < IP6_IF_ADDRS; k++) {
            const struct ip6_addr *ad = &x->addrs[k];
            if (ad->state != IP6A_FREE && ad->state != IP6A_DUPLICATE && !ip6_is_linklocal(ad->a) &&
                ip6_prefix_match(ad->a, dst, ad->plen))
                return &n->ifs[i];
        }
    }
    for (int k = 0; k < IP6_PREFIXES; k++) {
        struct ip6_prefix *p = &n->ip6.prefixes[k];
        if (p->used && p->until <= st->now)
            p->used = 0;
        if (p->used && ip6_prefix_match(p->p, dst, p->plen))
            return &n->ifs[p->ifindex];
    }
    struct ip6_router *r = nd_default_router(st, st->now);
    if (r) {
        memcpy(next_hop, r->a, 16);
        return &n->ifs[r->ifindex];
    }
    /* A point-to-point link with nothing else configured reaches everything. */
    for (int i = 0; i < n->nifs; i++)
        if (ip6_if_up(ip6_if(st, i)) && n->ifs[i].kind == SYNACK_IF_RAWIP)
            return &n->ifs[i];
    return NULL;
}

static struct ip6_dest *pmtu_find(synack_stack_t *st, const uint8_t *dst)
{
    for (int i = 0; i < IP6_DESTS; i++) {
        struct ip6_dest *d = &st->net->ip6.dests[i];
        if (d->mtu && memcmp(d->a, dst, 16) == 0)
            return d;
    }
    return NULL;
}

void ip6_pmtu_update(synack_stack_t *st, const uint8_t *dst, unsigned mtu, synack_time_t now)
{
    /* RFC 8201 4: never below the IPv6 minimum (RFC 8021: and no atomic fragments for a smaller
     * one); only ever lowered by a message. */
    if (mtu < IP6_MIN_MTU)
        mtu = IP6_MIN_MTU;
    struct ip6_dest *d = pmtu_find(st, dst);
    if (!d) {
        d = &st->net->ip6.dests[0];
        for (int i = 0; i < IP6_DESTS; i++) {
            struct ip6_dest *e = &st->net->ip6.dests[i];
            if (!e->mtu || e->until <= now) {
                d = e;
                break;
            }
            if (e->until < d->until)
                d = e;
        }
        memcpy(d->a, dst, 16);
        d->mtu = 0;
    }
    if (!d->mtu || mtu < d->mtu || d->until <= now)
        d->mtu = mtu;
    d->until = now + PMTU_LIFETIME;
}

static unsigned link_mtu(synack_stack_t *st, struct iface *ifc)
{
    unsigned m = ip6_if(st, if_index(st, ifc))->mtu;
    return m ? m : ifc->mtu;
}

/* The MTU toward dst out of ifc: the link's, lowered by what a Packet Too Big taught and has not
 * expired (a multicast destination has no path MTU of its own). */
static unsigned path_mtu(synack_stack_t *st, struct iface *ifc, const uint8_t *dst, synack_time_t now)
{
    unsigned m = link_mtu(st, ifc);
    struct ip6_dest *d = ip6_is_multicast(dst) ? NULL : pmtu_find(st, dst);
    if (d && d->until > now && d->mtu < m)
        m = d->mtu;
    return m;
}

unsigned ip6_mtu_for(synack_stack_t *st, const uint8_t *dst)
{
    uint8_t nh[16];
    struct iface *ifc = ip6_route(st, dst, nh);
    return ifc ? path_mtu(st, ifc, dst, st->now) : 0;
}

void ip6_if_output(synack_stack_t *st, struct iface *ifc, const uint8_t *next_hop, struct buf *b, synack_time_t now)
{
    if (ifc->kind == SYNACK_IF_RAWIP) {
        if_transmit(st, ifc, b->data, b->len, b->gso_size, now);
        buf_free(b);
        return;
    }
    nd_output(st, ifc, next_hop, b, now);
}

int ip6_output(synack_stack_t *st, const struct ip6_out *o, struct buf *b, synack_time_t now)
{
    uint8_t nh[16];
    struct iface *ifc;
    if (o->ifindex >= 0) {
        ifc = &st->net->ifs[o->ifindex];
        memcpy(nh, o->dst, 16);
    } else {
        ifc = ip6_route(st, o->dst, nh);
    }
    struct ip6_hdr h;
    memset(&h, 0, sizeof(h));
    int r = ifc ? 0 : -ENETUNREACH;
    if (r == 0) {
        if (o->src && (o->ifindex >= 0 || !ip6_is_unspecified(o->src)))
            memcpy(h.src, o->src, 16);   /* taken as given: ND's own (:: for DAD) or the socket's */
        else
            r = ip6_source_select(st, if_index(st, ifc), o->dst, h.src);
    }
    if (r != 0) {
        stack_count(st, SYNACK_C_Ip6OutNoRoutes);
        buf_free(b);
        return r;
    }
    stack_count(st, SYNACK_C_Ip6OutRequests);
    memcpy(h.dst, o->dst, 16);
    h.tclass = o->tclass;
    uint8_t ra_hlim = ip6_if(st, if_index(st, ifc))->cur_hlim;
    h.hlim = o->hlim ? o->hlim : ra_hlim ? ra_hlim : (st->cfg.default_ttl ? st->cfg.default_ttl : 64);
    h.next = o->next;
    if (o->ra) {
        /* A hop-by-hop header with a Router Alert for MLD (RFC 2711, RFC 3810 5): 8 bytes. */
        uint8_t *x = buf_push(b, 8);
        x[0] = o->next;
        x[1] = 0;
        x[2] = 5;
        x[3] = 2;
        x[4] = 0;
        x[5] = 0;   /* value 0: MLD */
        x[6] = 1;   /* PadN of 0 bytes */
        x[7] = 0;
        h.next = IP6_NH_HOPOPTS;
    }
    unsigned mtu = path_mtu(st, ifc, o->dst, now);
    size_t plen = b->len;
    if (plen + IP6_HDR_LEN <= mtu || (o->gso_size && ifc->tso_max && plen <= 0xffff)) {
        b->gso_size = ifc->tso_max ? o->gso_size : 0;
        h.plen = (uint16_t)plen;
        ip6_build(buf_push(b, IP6_HDR_LEN), &h);
        ip6_if_output(st, ifc, nh, b, now);
        return 0;
    }
    if (o->df || plen > 0xffff) {
        stack_count(st, SYNACK_C_Ip6FragFails);
        buf_free(b);
        return -EMSGSIZE;
    }
    /* RFC 8200 4.5: the fragmentable part in pieces of a multiple of 8 bytes, each behind the
     * header and a fragment header with one Identification, unpredictable (RFC 7739). */
    size_t per = ((mtu - IP6_HDR_LEN - IP6_FRAG_HDR_LEN) / 8u) * 8u;
    struct ip6_frag fh = { .next = h.next, .id = rng_u32(&st->rng) };
    h.next = IP6_NH_FRAGMENT;
    for (size_t off = 0; off < plen; off += per) {
        size_t n = plen - off < per ? plen - off : per;
        struct buf *f = buf_alloc(&st->cfg.alloc, BUF_HEADROOM, n + IP6_FRAG_HDR_LEN);
        if (!f) {
            stack_count(st, SYNACK_C_BufAllocFails);
            buf_free(b);
            return -ENOBUFS;
        }
        fh.offset = (uint16_t)off;
        fh.more = off + n < plen;
        ip6_frag_build(f->data, &fh);
        memcpy(f->data + IP6_FRAG_HDR_LEN, b->data + off, n);
        f->len = n + IP6_FRAG_HDR_LEN;
        h.plen = (uint16_t)f->len;
        ip6_build(buf_push(f, IP6_HDR_LEN), &h);
        stack_count(st, SYNACK_C_Ip6FragCreates);
        ip6_if_output(st, ifc, nh, f, now);
    }
    stack_count(st, SYNACK_C_Ip6FragOKs);
    buf_free(b);
    return 0;
}
