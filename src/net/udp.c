/* UDP, RFC 768 and RFC 1122 4.1. */
#include "net/udp.h"

#include <errno.h>
#include <string.h>

#include "core/ctx.h"
#include "net/net.h"
#include "net/ports.h"
#include "socket/sock.h"
#include "wire/bytes.h"
#include "wire/udp.h"

#define UDP_SRC_TAG 8   /* bytes of source address kept in front of each queued datagram */

/* The IPv4 address of a socket address (0 for either family's "any"): the socket layer admits only
 * those two kinds (struct synack_sockaddr is family-neutral; UDP is IPv4 inside for now). */
static uint32_t sa_v4(const struct synack_sockaddr *sa) { return synack_ip_to_v4(&sa->addr); }

static int udp_specificity(const struct sock *s)
{
    return (s->connected ? 2 : 0) + (sa_v4(&s->local) ? 1 : 0);
}

static struct sock *udp_lookup(synack_stack_t *st, uint32_t dst, uint16_t dport, uint32_t src, uint16_t sport)
{
    struct sock *best = NULL;
    for (struct sock *s = sock_next(st, -1); s; s = sock_next(st, s->id)) {
        if (s->type != SYNACK_SOCK_DGRAM || !s->bound || s->local.port != dport)
            continue;
        if (sa_v4(&s->local) && sa_v4(&s->local) != dst)
            continue;
        if (s->connected && (sa_v4(&s->remote) != src || s->remote.port != sport))
            continue;
        /* Most specific wins: a connected socket, then one bound to the address (a connected
         * socket bound to any address still beats an unconnected one bound to this address). */
        if (!best || udp_specificity(s) > udp_specificity(best))
            best = s;
    }
    return best;
}

static int udp_port_used(synack_stack_t *st, uint32_t addr, uint16_t port)
{
    for (struct sock *s = sock_next(st, -1); s; s = sock_next(st, s->id))
        if (s->type == SYNACK_SOCK_DGRAM && s->bound && s->local.port == port &&
            (!sa_v4(&s->local) || !addr || sa_v4(&s->local) == addr))
            return 1;
    return 0;
}

static int udp_port_used_cb(synack_stack_t *st, uint16_t port, const void *ctx)
{
    return udp_port_used(st, *(const uint32_t *)ctx, port);
}

int udp_bind(synack_stack_t *st, struct sock *s, const struct synack_sockaddr *local)
{
    if (s->bound)
        return -EINVAL;
    uint32_t laddr = sa_v4(local);
    struct synack_ip lip = synack_ip_from_v4(laddr);
    if (laddr && !net_family_for(&lip)->is_local(st, &lip))
        return -EADDRNOTAVAIL;
    uint16_t port = local->port;
    if (port == 0) {
        port = port_pick_ephemeral(st, udp_port_used_cb, &laddr);
        if (port == 0)
            return -EADDRINUSE;
    } else if (udp_port_used(st, laddr, port)) {
        return -EADDRINUSE;
    }
    s->local.addr = local->addr;
    s->local.port = port;
    s->bound = 1;
    return 0;
}

void udp_input(synack_stack_t *st, const struct net_rx *rx, const uint8_t *p, size_t len, synack_time_t now)
{
    int ifindex = rx->ifindex;
    uint32_t src = synack_ip_to_v4(&rx->src), dst = synack_ip_to_v4(&rx->dst);
    struct udp_hdr u;
    int r = udp_parse_ph(p, len, net_family_for(&rx->src)->pseudo_sum(&rx->src, &rx->dst, UDP_IPPROTO), &u);
    if (r != 0) {
        if (r == WIRE_ERR_CSUM)
            stack_count(st, SYNACK_C_UdpInCsumErrors);
        stack_drop(st, SYNACK_C_UdpInErrors, ifindex, SYNACK_IF_RAWIP, rx->pkt, rx->pkt_len);
        return;
    }
    struct sock *s = udp_lookup(st, dst, u.dport, src, u.sport);
    if (!s) {
        stack_drop(st, SYNACK_C_UdpNoPorts, ifindex, SYNACK_IF_RAWIP, rx->pkt, rx->pkt_len);
        /* RFC 1122 4.1.3.1: SHOULD send port unreachable (never about a broadcast: the network
         * layer checks). */
        net_family_for(&rx->src)->unreachable(st, rx, NET_UNREACH_PORT, now);
        return;
    }
    if (s->rxq.count >= st->cfg.udp_rcvq_len) {
        stack_drop(st, SYNACK_C_UdpRcvbufErrors, ifindex, SYNACK_IF_RAWIP, rx->pkt, rx->pkt_len);
        return;
    }
    struct buf *b = buf_alloc(0, UDP_SRC_TAG + u.data_len);
    if (!b) {
        stack_count(st, SYNACK_C_BufAllocFails);
        stack_drop(st, SYNACK_C_UdpRcvbufErrors, ifindex, SYNACK_IF_RAWIP, rx->pkt, rx->pkt_len);
        return;
    }
    wire_put32(b->data, src);
    wire_put16(b->data + 4, u.sport);
    wire_put16(b->data + 6, 0);
    memcpy(b->data + UDP_SRC_TAG, u.data, u.data_len);
    b->len = UDP_SRC_TAG + u.data_len;
    buf_queue_push(&s->rxq, b);
    stack_count(st, SYNACK_C_UdpInDatagrams);
    sock_notify(st, s);
}

void udp_net_error(synack_stack_t *st, const struct net_err *e, synack_time_t now)
{
    if (e->len < 4)
        return;
    uint16_t sport = wire_get16(e->hdr), dport = wire_get16(e->hdr + 2);
    uint32_t dst = synack_ip_to_v4(&e->dst);
    /* RFC 1122 4.1.3.3: pass it up; like BSD, only connected sockets hear of it (ECONNREFUSED for
     * port unreachable), since an unconnected socket cannot tell which send it concerns. */
    for (struct sock *s = sock_next(st, -1); s; s = sock_next(st, s->id)) {
        if (s->type == SYNACK_SOCK_DGRAM && s->connected && s->local.port == sport &&
            sa_v4(&s->remote) == dst && s->remote.port == dport) {
            s->error = e->kind == NET_ERR_PORT_UNREACH ? -ECONNREFUSED : -EHOSTUNREACH;
            sock_notify(st, s);
        }
    }
}

int udp_sendto(synack_stack_t *st, struct sock *s, const void *data, size_t len,
               const struct synack_sockaddr *dst, synack_time_t now)
{
    if (len > 65507)
        return -EMSGSIZE;
    if (!dst) {
        if (!s->connected)
            return -EDESTADDRREQ;
        dst = &s->remote;
    }
    if (dst->port == 0)
        return -EINVAL;
    struct synack_ip rip = synack_ip_from_v4(sa_v4(dst)), lip;
    const struct net_family *nf = net_family_for(&rip);
    if (nf->source_for(st, &rip, &lip) != 0)
        return -ENETUNREACH;
    uint32_t src = sa_v4(&s->local) ? sa_v4(&s->local) : synack_ip_to_v4(&lip);
    if (!s->bound) {
        struct synack_sockaddr any = { synack_ip_any6(), 0 };
        int r = udp_bind(st, s, &any);
        if (r)
            return r;
    }
    struct buf *b = buf_alloc(BUF_HEADROOM, UDP_HDR_LEN + len);
    if (!b) {
        stack_count(st, SYNACK_C_BufAllocFails);
        return -ENOBUFS;
    }
    if (len)   /* a zero-length datagram may come with data == NULL */
        memcpy(b->data + UDP_HDR_LEN, data, len);
    b->len = UDP_HDR_LEN + len;
    struct net_tx tx = { .src = synack_ip_from_v4(src), .dst = rip, .proto = UDP_IPPROTO };
    udp_build_ph(b->data, s->local.port, dst->port, len, nf->pseudo_sum(&tx.src, &tx.dst, UDP_IPPROTO));
    stack_count(st, SYNACK_C_UdpOutDatagrams);
    int r = nf->output(st, &tx, b, now);
    return r < 0 ? r : (int)len;
}

int udp_recvfrom(synack_stack_t *st, struct sock *s, void *out, size_t cap, struct synack_sockaddr *src)
{
    struct buf *b = buf_queue_pop(&s->rxq);
    if (!b)
        return -EAGAIN;
    size_t n = b->len - UDP_SRC_TAG;
    if (src) {
        src->addr = synack_ip_from_v4(wire_get32(b->data));
        src->port = wire_get16(b->data + 4);
    }
    if (n > cap)
        n = cap;   /* the rest of the datagram is discarded, as recvfrom(2) does */
    if (n)
        memcpy(out, b->data + UDP_SRC_TAG, n);
    buf_free(b);
    return (int)n;
}
