/* UDP, RFC 768 and RFC 1122 4.1. */
#include "net/udp.h"

#include <errno.h>
#include <string.h>

#include "net/icmp.h"
#include "net/ip4.h"
#include "net/ports.h"
#include "net/stack_impl.h"
#include "socket/sock.h"
#include "wire/bytes.h"
#include "wire/udp.h"

#define UDP_SRC_TAG 8   /* bytes of source address kept in front of each queued datagram */

static int udp_specificity(const struct sock *s)
{
    return (s->connected ? 2 : 0) + (s->local.addr ? 1 : 0);
}

static struct sock *udp_lookup(synack_stack_t *st, uint32_t dst, uint16_t dport, uint32_t src, uint16_t sport)
{
    struct sock *best = NULL;
    for (struct sock *s = sock_next(st, -1); s; s = sock_next(st, s->id)) {
        if (s->type != SYNACK_SOCK_DGRAM || !s->bound || s->local.port != dport)
            continue;
        if (s->local.addr && s->local.addr != dst)
            continue;
        if (s->connected && (s->remote.addr != src || s->remote.port != sport))
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
            (!s->local.addr || !addr || s->local.addr == addr))
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
    if (local->addr && !if_for_local(st, local->addr))
        return -EADDRNOTAVAIL;
    uint16_t port = local->port;
    if (port == 0) {
        port = port_pick_ephemeral(st, udp_port_used_cb, &local->addr);
        if (port == 0)
            return -EADDRINUSE;
    } else if (udp_port_used(st, local->addr, port)) {
        return -EADDRINUSE;
    }
    s->local.addr = local->addr;
    s->local.port = port;
    s->bound = 1;
    return 0;
}

void udp_input(synack_stack_t *st, struct iface *ifc, const struct ip4_hdr *h, const uint8_t *pkt,
               const uint8_t *p, size_t len, synack_time_t now)
{
    int ifindex = if_index(st, ifc);
    struct udp_hdr u;
    int r = udp_parse(p, len, h->src, h->dst, &u);
    if (r != 0) {
        if (r == WIRE_ERR_CSUM)
            stack_count(st, SYNACK_C_UdpInCsumErrors);
        stack_drop(st, SYNACK_C_UdpInErrors, ifindex, SYNACK_IF_RAWIP, pkt, h->total_len);
        return;
    }
    struct sock *s = udp_lookup(st, h->dst, u.dport, h->src, u.sport);
    if (!s) {
        stack_drop(st, SYNACK_C_UdpNoPorts, ifindex, SYNACK_IF_RAWIP, pkt, h->total_len);
        /* RFC 1122 4.1.3.1: SHOULD send port unreachable (not for broadcasts: icmp_send_error checks). */
        icmp_send_error(st, ICMP_DEST_UNREACH, ICMP_UNREACH_PORT, 0, h, pkt, now);
        return;
    }
    if (s->rxq.count >= st->cfg.udp_rcvq_len) {
        stack_drop(st, SYNACK_C_UdpRcvbufErrors, ifindex, SYNACK_IF_RAWIP, pkt, h->total_len);
        return;
    }
    struct buf *b = buf_alloc(0, UDP_SRC_TAG + u.data_len);
    if (!b) {
        stack_count(st, SYNACK_C_BufAllocFails);
        stack_drop(st, SYNACK_C_UdpRcvbufErrors, ifindex, SYNACK_IF_RAWIP, pkt, h->total_len);
        return;
    }
    wire_put32(b->data, h->src);
    wire_put16(b->data + 4, u.sport);
    wire_put16(b->data + 6, 0);
    memcpy(b->data + UDP_SRC_TAG, u.data, u.data_len);
    b->len = UDP_SRC_TAG + u.data_len;
    buf_queue_push(&s->rxq, b);
    stack_count(st, SYNACK_C_UdpInDatagrams);
    sock_notify(st, s);
}

void udp_icmp_error(synack_stack_t *st, uint8_t type, uint8_t code, const struct ip4_hdr *inner,
                    const uint8_t *hdr8, size_t len, synack_time_t now)
{
    if (len < 4)
        return;
    uint16_t sport = wire_get16(hdr8), dport = wire_get16(hdr8 + 2);
    /* RFC 1122 4.1.3.3: pass it up; like BSD, only connected sockets hear of it (ECONNREFUSED for
     * port unreachable), since an unconnected socket cannot tell which send it concerns. */
    for (struct sock *s = sock_next(st, -1); s; s = sock_next(st, s->id)) {
        if (s->type == SYNACK_SOCK_DGRAM && s->connected && s->local.port == sport &&
            s->remote.addr == inner->dst && s->remote.port == dport) {
            s->error = (type == ICMP_DEST_UNREACH && code == ICMP_UNREACH_PORT) ? -ECONNREFUSED : -EHOSTUNREACH;
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
    uint32_t src = s->local.addr ? s->local.addr : ip4_source_for(st, dst->addr);
    if (!src)
        return -ENETUNREACH;
    if (!s->bound) {
        struct synack_sockaddr any = { 0, 0 };
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
    udp_build(b->data, s->local.port, dst->port, len, src, dst->addr);
    stack_count(st, SYNACK_C_UdpOutDatagrams);
    struct ip4_out o = { .src = src, .dst = dst->addr, .proto = IP4_PROTO_UDP };
    int r = ip4_output(st, &o, b, now);
    return r < 0 ? r : (int)len;
}

int udp_recvfrom(synack_stack_t *st, struct sock *s, void *out, size_t cap, struct synack_sockaddr *src)
{
    struct buf *b = buf_queue_pop(&s->rxq);
    if (!b)
        return -EAGAIN;
    size_t n = b->len - UDP_SRC_TAG;
    if (src) {
        src->addr = wire_get32(b->data);
        src->port = wire_get16(b->data + 4);
    }
    if (n > cap)
        n = cap;   /* the rest of the datagram is discarded, as recvfrom(2) does */
    if (n)
        memcpy(out, b->data + UDP_SRC_TAG, n);
    buf_free(b);
    return (int)n;
}
