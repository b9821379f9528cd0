/* TCP's per-stack state and segment input. Until connections exist every port is closed, and
 * RFC 9293 3.10.7.1 ("If the state is CLOSED") says exactly what to answer. */
#include <errno.h>
#include <stdlib.h>

#include "net/ip4.h"
#include "net/stack_impl.h"
#include "socket/sock.h"
#include "tcp/tcp.h"
#include "wire/tcp.h"

struct tcp_table {
    int unused;
};

int tcp_table_new(synack_stack_t *st)
{
    st->tcp = calloc(1, sizeof(*st->tcp));
    return st->tcp ? 0 : -ENOMEM;
}

void tcp_table_free(synack_stack_t *st)
{
    free(st->tcp);
    st->tcp = NULL;
}

/* RFC 9293 3.10.7.1: a reset for a segment that reaches no connection. */
static void tcp_reset_closed(synack_stack_t *st, const struct ip4_hdr *h, const struct tcp_hdr *t, synack_time_t now)
{
    if (t->flags & TCP_RST)
        return;   /* "An incoming segment containing a RST is discarded." */
    struct tcp_hdr r = { .sport = t->dport, .dport = t->sport };
    if (t->flags & TCP_ACK) {
        r.seq = t->ack;   /* <SEQ=SEG.ACK><CTL=RST> */
        r.flags = TCP_RST;
    } else {
        /* <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>; SYN and FIN each count one. */
        uint32_t seglen = (uint32_t)t->data_len + !!(t->flags & TCP_SYN) + !!(t->flags & TCP_FIN);
        r.seq = 0;
        r.ack = t->seq + seglen;
        r.flags = TCP_RST | TCP_ACK;
    }
    struct buf *b = buf_alloc(BUF_HEADROOM, TCP_HDR_MIN);
    if (!b) {
        stack_count(st, SYNACK_C_BufAllocFails);
        return;
    }
    b->len = tcp_build(b->data, &r, 0, h->dst, h->src);
    stack_count(st, SYNACK_C_TcpOutRsts);
    stack_count(st, SYNACK_C_TcpOutSegs);
    struct ip4_out o = { .src = h->dst, .dst = h->src, .proto = IP4_PROTO_TCP };
    ip4_output(st, &o, b, now);
}

void tcp_input(synack_stack_t *st, struct iface *ifc, const struct ip4_hdr *h, const uint8_t *pkt,
               const uint8_t *p, size_t len, synack_time_t now)
{
    int ifindex = if_index(st, ifc);
    struct tcp_hdr t;
    int r = tcp_parse(p, len, h->src, h->dst, 1, &t);
    if (r != TCP_OK) {
        if (r == TCP_ERR_CSUM)
            stack_count(st, SYNACK_C_TcpInCsumErrors);
        stack_drop(st, SYNACK_C_TcpInErrs, ifindex, SYNACK_IF_RAWIP, pkt, h->total_len);
        return;
    }
    stack_count(st, SYNACK_C_TcpInSegs);
    /* Only unicast to our own address can reach a connection (RFC 1122 4.2.3.10). */
    if (!if_for_local(st, h->dst)) {
        stack_drop(st, SYNACK_C_TcpInErrs, ifindex, SYNACK_IF_RAWIP, pkt, h->total_len);
        return;
    }
    stack_drop(st, SYNACK_C_TcpNoSocket, ifindex, SYNACK_IF_RAWIP, pkt, h->total_len);
    tcp_reset_closed(st, h, &t, now);
}

void tcp_icmp_error(synack_stack_t *st, uint8_t type, uint8_t code, uint16_t mtu, const struct ip4_hdr *inner,
                    const uint8_t *hdr8, size_t len, synack_time_t now)
{
}

int tcp_sock_bind(synack_stack_t *st, struct sock *s, const struct synack_sockaddr *local)
{
    return -EOPNOTSUPP;
}

void tcp_sock_close(synack_stack_t *st, struct sock *s, synack_time_t now)
{
}

int tcp_sock_connected(const struct sock *s)
{
    return 0;
}

unsigned tcp_sock_events(synack_stack_t *st, struct sock *s)
{
    return SYNACK_EV_ERR;
}
