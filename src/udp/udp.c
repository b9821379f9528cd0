/* UDP, RFC 768 and RFC 1122 4.1 (see udp.h). */
#include "udp/udp.h"

#include "base/errno.h"
#include "core/alloc.h"
#include "base/mem.h"

#include "core/ctx.h"
#include "net/net.h"
#include "net/ports.h"
#include "wire/bytes.h"
#include "wire/udp.h"

#define UDP_SRC_TAG 20   /* bytes kept in front of each queued datagram: source address, port, pad */

int udp_table_new(synack_stack_t *st)
{
    st->udp = mem_calloc(&st->cfg.alloc, 1, sizeof(*st->udp));
    return st->udp ? 0 : -ENOMEM;
}

void udp_table_free(synack_stack_t *st)
{
    struct udp_table *t = st->udp;
    if (!t)
        return;
    while (t->head)
        udp_close(st, t->head);
    mem_free(&st->cfg.alloc, t);
    st->udp = NULL;
}

void udp_set_upcalls(synack_stack_t *st, const struct udp_upcalls *up) { st->udp->up = up; }

struct udp_pcb *udp_open(synack_stack_t *st, void *owner)
{
    struct udp_pcb *pcb = mem_calloc(&st->cfg.alloc, 1, sizeof(*pcb));
    if (!pcb)
        return NULL;
    pcb->owner = owner;
    buf_queue_init(&pcb->rxq);
    pcb->next = st->udp->head;
    st->udp->head = pcb;
    return pcb;
}

void udp_close(synack_stack_t *st, struct udp_pcb *pcb)
{
    struct udp_pcb **pp = &st->udp->head;
    while (*pp && *pp != pcb)
        pp = &(*pp)->next;
    if (*pp)
        *pp = pcb->next;
    buf_queue_purge(&pcb->rxq);
    mem_free(&st->cfg.alloc, pcb);
}

static int udp_specificity(const struct udp_pcb *p)
{
    return (p->connected ? 2 : 0) + (synack_ip_is_unspecified(&p->laddr) ? 0 : 1);
}

static struct udp_pcb *udp_lookup(synack_stack_t *st, const struct synack_ip *dst, uint16_t dport,
                                  const struct synack_ip *src, uint16_t sport)
{
    struct udp_pcb *best = NULL;
    for (struct udp_pcb *p = st->udp->head; p; p = p->next) {
        if (!p->bound || p->lport != dport)
            continue;
        if (!synack_ip_is_unspecified(&p->laddr) ? !synack_ip_equal(&p->laddr, dst)
            : synack_ip_is_v4(&p->laddr) ? !synack_ip_is_v4(dst) : (p->v6only && synack_ip_is_v4(dst)))
            continue;   /* a wildcard takes its own family; :: IPv4 too unless IPV6_V6ONLY */
        if (p->connected && (p->rport != sport || !synack_ip_equal(&p->raddr, src)))
            continue;
        /* Most specific wins: a connected endpoint, then one bound to the address (a connected
         * endpoint bound to any address still beats an unconnected one bound to this address). */
        if (!best || udp_specificity(p) > udp_specificity(best))
            best = p;
    }
    return best;
}

static int udp_port_used(synack_stack_t *st, const struct synack_ip *addr, uint16_t port)
{
    for (struct udp_pcb *p = st->udp->head; p; p = p->next)
        if (p->bound && p->lport == port &&
            (synack_ip_is_unspecified(&p->laddr) || synack_ip_is_unspecified(addr) || synack_ip_equal(&p->laddr, addr)))
            return 1;
    return 0;
}

static int udp_port_used_cb(synack_stack_t *st, uint16_t port, const void *ctx)
{
    return udp_port_used(st, ctx, port);
}

int udp_bind(synack_stack_t *st, struct udp_pcb *pcb, const struct synack_sockaddr *local)
{
    if (pcb->bound)
        return -EINVAL;
    const struct synack_ip *la = &local->addr;
    if (!synack_ip_is_unspecified(la)) {
        const struct net_family *nf = net_family_for(la);
        if (!nf || !nf->is_local(st, la))
            return -EADDRNOTAVAIL;
    }
    uint16_t port = local->port;
    if (port == 0) {
        port = port_pick_ephemeral(st, udp_port_used_cb, la);
        if (port == 0)
            return -EADDRINUSE;
    } else if (udp_port_used(st, la, port)) {
        return -EADDRINUSE;
    }
    pcb->laddr = *la;
    pcb->lport = port;
    pcb->bound = 1;
    return 0;
}

/* connect and sendto on an unbound endpoint bind it to any address and an ephemeral port first
 * (BSD's implicit bind). */
static int udp_autobind(synack_stack_t *st, struct udp_pcb *pcb)
{
    if (pcb->bound)
        return 0;
    struct synack_sockaddr any = { synack_ip_any6(), 0 };
    return udp_bind(st, pcb, &any);
}

int udp_connect(synack_stack_t *st, struct udp_pcb *pcb, const struct synack_sockaddr *peer)
{
    if (synack_ip_is_unspecified(&peer->addr) || peer->port == 0)
        return -EINVAL;
    const struct net_family *nf = net_family_for(&peer->addr);
    struct synack_ip src;
    if (!nf || nf->source_for(st, &peer->addr, &src) != 0)
        return -ENETUNREACH;
    int r = udp_autobind(st, pcb);
    if (r)
        return r;
    pcb->raddr = peer->addr;
    pcb->rport = peer->port;
    pcb->connected = 1;
    return 0;
}

void udp_input(synack_stack_t *st, const struct net_rx *rx, const uint8_t *p, size_t len, synack_time_t now)
{
    int ifindex = rx->ifindex;
    const struct net_family *nf = net_family_for(&rx->src);
    struct udp_hdr u;
    int r = udp_parse_ph(p, len, nf->pseudo_sum(&rx->src, &rx->dst, UDP_IPPROTO), !rx->csum_ok, &u);
    if (r == WIRE_OK && u.csum == 0 && nf->family == NET_AF_INET6)
        r = WIRE_ERR_CSUM;   /* RFC 8200 8.1: over IPv6 a zero checksum is not "none" but an error */
    if (r != WIRE_OK) {
        if (r == WIRE_ERR_CSUM)
            stack_count(st, SYNACK_C_UdpInCsumErrors);
        stack_drop(st, SYNACK_C_UdpInErrors, ifindex, SYNACK_IF_RAWIP, rx->pkt, rx->pkt_len);
        return;
    }
    struct udp_pcb *pcb = udp_lookup(st, &rx->dst, u.dport, &rx->src, u.sport);
    if (!pcb) {
        stack_drop(st, SYNACK_C_UdpNoPorts, ifindex, SYNACK_IF_RAWIP, rx->pkt, rx->pkt_len);
        /* RFC 1122 4.1.3.1: SHOULD send port unreachable (never about a broadcast: the network
         * layer checks). */
        nf->unreachable(st, rx, NET_UNREACH_PORT, now);
        return;
    }
    if (pcb->rxq.count >= st->cfg.udp_rcvq_len) {
        stack_drop(st, SYNACK_C_UdpRcvbufErrors, ifindex, SYNACK_IF_RAWIP, rx->pkt, rx->pkt_len);
        return;
    }
    struct buf *b = buf_alloc(&st->cfg.alloc, 0, UDP_SRC_TAG + u.data_len);
    if (!b) {
        stack_count(st, SYNACK_C_BufAllocFails);
        stack_drop(st, SYNACK_C_UdpRcvbufErrors, ifindex, SYNACK_IF_RAWIP, rx->pkt, rx->pkt_len);
        return;
    }
    memcpy(b->data, rx->src.b, 16);
    wire_put16(b->data + 16, u.sport);
    wire_put16(b->data + 18, 0);
    memcpy(b->data + UDP_SRC_TAG, u.data, u.data_len);
    b->len = UDP_SRC_TAG + u.data_len;
    buf_queue_push(&pcb->rxq, b);
    stack_count(st, SYNACK_C_UdpInDatagrams);
    st->udp->up->event(st, pcb->owner);
}

int udp_net_error(synack_stack_t *st, const struct net_err *e, synack_time_t now)
{
    if (e->len < 4)
        return 0;
    uint16_t sport = wire_get16(e->hdr), dport = wire_get16(e->hdr + 2);
    /* RFC 1122 4.1.3.3: pass it up; like BSD, only connected endpoints hear of it (ECONNREFUSED
     * for port unreachable), since an unconnected one cannot tell which send it concerns. */
    for (struct udp_pcb *p = st->udp->head; p; p = p->next)
        if (p->connected && p->lport == sport && p->rport == dport && synack_ip_equal(&p->raddr, &e->dst))
            st->udp->up->error(st, p->owner, e->kind == NET_ERR_PORT_UNREACH ? -ECONNREFUSED : -EHOSTUNREACH);
    /* A datagram has no sequence number to check, and a lower path MTU only makes larger
     * datagrams leave in fragments (never lost, as TCP's DF segments would be): a quote from our
     * own address is taken, even after its socket is gone (a resolver's, say). */
    return 1;
}

int udp_sendto(synack_stack_t *st, struct udp_pcb *pcb, const void *data, size_t len,
               const struct synack_sockaddr *dst, synack_time_t now)
{
    if (len > 65507)
        return -EMSGSIZE;
    struct synack_sockaddr to;
    if (dst) {
        to = *dst;
    } else {
        if (!pcb->connected)
            return -EDESTADDRREQ;
        to.addr = pcb->raddr;
        to.port = pcb->rport;
    }
    if (to.port == 0)
        return -EINVAL;
    const struct net_family *nf = net_family_for(&to.addr);
    struct synack_ip src;
    if (!nf)
        return -EAFNOSUPPORT;
    if (nf->source_for(st, &to.addr, &src) != 0)
        return -ENETUNREACH;
    if (!synack_ip_is_unspecified(&pcb->laddr))
        src = pcb->laddr;
    int r = udp_autobind(st, pcb);
    if (r)
        return r;
    struct buf *b = buf_alloc(&st->cfg.alloc, BUF_HEADROOM, UDP_HDR_LEN + len);
    if (!b) {
        stack_count(st, SYNACK_C_BufAllocFails);
        return -ENOBUFS;
    }
    if (len)   /* a zero-length datagram may come with data == NULL */
        memcpy(b->data + UDP_HDR_LEN, data, len);
    b->len = UDP_HDR_LEN + len;
    struct net_tx tx = { .src = src, .dst = to.addr, .proto = UDP_IPPROTO, .tos = pcb->tos };
    udp_build_ph(b->data, pcb->lport, to.port, len, nf->pseudo_sum(&tx.src, &tx.dst, UDP_IPPROTO));
    stack_count(st, SYNACK_C_UdpOutDatagrams);
    r = nf->output(st, &tx, b, now);
    return r < 0 ? r : (int)len;
}

int udp_setopt(struct udp_pcb *pcb, int opt, int v)
{
    if (opt == SYNACK_IPV6_V6ONLY) {
        if (pcb->bound)
            return -EINVAL;
        pcb->v6only = v != 0;
        return 0;
    }
    if (opt != SYNACK_IP_TOS)
        return -ENOPROTOOPT;
    if (v < 0 || v > 255)
        return -EINVAL;
    pcb->tos = (uint8_t)v;   /* the whole byte: UDP leaves ECN to the application (RFC 8085 3.1.5) */
    return 0;
}

int udp_getopt(const struct udp_pcb *pcb, int opt, int *v)
{
    if (opt == SYNACK_IPV6_V6ONLY) {
        *v = pcb->v6only;
        return 0;
    }
    if (opt != SYNACK_IP_TOS)
        return -ENOPROTOOPT;
    *v = pcb->tos;
    return 0;
}

int udp_recvfrom(synack_stack_t *st, struct udp_pcb *pcb, void *out, size_t cap, struct synack_sockaddr *src)
{
    struct buf *b = buf_queue_pop(&pcb->rxq);
    if (!b)
        return -EAGAIN;
    size_t n = b->len - UDP_SRC_TAG;
    if (src) {
        memcpy(src->addr.b, b->data, 16);
        src->port = wire_get16(b->data + 16);
    }
    if (n > cap)
        n = cap;   /* the rest of the datagram is discarded, as recvfrom(2) does */
    if (n)
        memcpy(out, b->data + UDP_SRC_TAG, n);
    buf_free(b);
    return (int)n;
}
