/* ICMP, RFC 792 with the host rules of RFC 1122 3.2.2. */
#include "net/icmp.h"

#include "base/errno.h"
#include "base/mem.h"

#include "core/buf.h"
#include "core/ctx.h"
#include "net/ip4.h"
#include "net/net.h"

static int icmp_is_error_type(uint8_t t)
{
    return t == ICMP_DEST_UNREACH || t == ICMP_TIME_EXCEEDED || t == 4 /* source quench */ ||
           t == 5 /* redirect */ || t == 12 /* parameter problem */;
}

static int icmp_rate_ok(synack_stack_t *st, synack_time_t now)
{
    return net_icmp_rate_ok(st, &st->net->icmp_tokens, &st->net->icmp_refill_at, now);
}

/* Sends `ic`; with `echo_reply` set, `ic` is a parsed echo request and the reply to it is sent. */
static void icmp_send(synack_stack_t *st, uint32_t dst, uint32_t src, const struct icmp_hdr *ic, int echo_reply,
                      synack_time_t now)
{
    struct buf *b = buf_alloc(&st->cfg.alloc, BUF_HEADROOM, ICMP_HDR_LEN + ic->body_len);
    if (!b) {
        stack_count(st, SYNACK_C_BufAllocFails);
        return;
    }
    b->len = echo_reply ? icmp_build_echo_reply(b->data, ic) : icmp_build(b->data, ic);
    stack_count(st, SYNACK_C_IcmpOutMsgs);
    struct ip4_out o = { .src = src, .dst = dst, .proto = IP4_PROTO_ICMP };
    ip4_output(st, &o, b, now);
}

void icmp_input(synack_stack_t *st, struct iface *ifc, const struct ip4_hdr *h, const uint8_t *pkt,
                const uint8_t *p, size_t len, synack_time_t now)
{
    int ifindex = if_index(st, ifc);
    struct icmp_hdr ic;
    stack_count(st, SYNACK_C_IcmpInMsgs);
    if (icmp_parse(p, len, &ic) != 0) {
        stack_drop(st, SYNACK_C_IcmpInErrors, ifindex, SYNACK_IF_RAWIP, pkt, h->total_len);
        return;
    }
    switch (ic.type) {
    case ICMP_ECHO_REQUEST: {
        stack_count(st, SYNACK_C_IcmpInEchos);
        /* RFC 1122 3.2.2.6: an echo request to a broadcast address MAY be silently discarded; we
         * answer only our own unicast address (no smurf amplification). */
        if (!if_for_local(st, h->dst))
            return;
        stack_count(st, SYNACK_C_IcmpOutEchoReps);
        /* RFC 1122 3.2.2.6: the reply's source is the request's specific destination. */
        icmp_send(st, h->src, h->dst, &ic, 1, now);
        break;
    }
    case ICMP_ECHO_REPLY: {
        stack_count(st, SYNACK_C_IcmpInEchoReps);
        struct synack_trace_event ev = { .kind = SYNACK_TR_ICMP_ECHO_REPLY, .ifindex = ifindex,
                                         .link_kind = SYNACK_IF_RAWIP, .data = pkt, .len = h->total_len,
                                         .echo_id = ic.id, .echo_seq = ic.seq };
        ev.remote.addr = synack_ip_from_v4(h->src);
        stack_trace(st, &ev);
        break;
    }
    case ICMP_DEST_UNREACH:
    case ICMP_TIME_EXCEEDED: {
        stack_count(st, ic.type == ICMP_DEST_UNREACH ? SYNACK_C_IcmpInDestUnreachs : SYNACK_C_IcmpInTimeExcds);
        /* RFC 1122 3.2.2: pass the error to the transport, identified by the quoted header. */
        struct ip4_hdr inner;
        unsigned ihl = ic.body_len ? (ic.body[0] & 0x0fu) * 4u : 0;
        if (ic.body_len < IP4_HDR_MIN || (ic.body[0] >> 4) != 4 || ihl < IP4_HDR_MIN ||
            ihl + 8 > ic.body_len) {
            /* RFC 792: the quote is the internet header plus 64 bits of data; without them we
             * cannot tell whom the error concerns. */
            stack_drop(st, SYNACK_C_IcmpInErrors, ifindex, SYNACK_IF_RAWIP, pkt, h->total_len);
            return;
        }
        memset(&inner, 0, sizeof(inner));
        inner.ihl = (uint8_t)ihl;
        inner.proto = ic.body[9];
        inner.src = ((uint32_t)ic.body[12] << 24) | ((uint32_t)ic.body[13] << 16) | ((uint32_t)ic.body[14] << 8) | ic.body[15];
        inner.dst = ((uint32_t)ic.body[16] << 24) | ((uint32_t)ic.body[17] << 16) | ((uint32_t)ic.body[18] << 8) | ic.body[19];
        const struct net_proto *tp = net_proto_find(st, inner.proto);
        if (!tp || !tp->error)
            break;
        struct net_err e = { .kind = NET_ERR_UNREACH, .family = NET_AF_INET, .src = synack_ip_from_v4(inner.src),
                             .dst = synack_ip_from_v4(inner.dst), .hdr = ic.body + ihl, .len = ic.body_len - ihl };
        if (ic.type == ICMP_TIME_EXCEEDED)
            e.kind = NET_ERR_TIME_EXCEEDED;
        else if (ic.code == ICMP_UNREACH_PORT)
            e.kind = NET_ERR_PORT_UNREACH;
        else if (ic.code == ICMP_UNREACH_PROTO)
            e.kind = NET_ERR_PROTO_UNREACH;
        else if (ic.code == ICMP_UNREACH_FRAG_NEEDED) {
            e.kind = NET_ERR_PKT_TOO_BIG;
            e.mtu = ic.next_mtu;
        }
        tp->error(st, &e, now);
        break;
    }
    default:
        break;
    }
}

void icmp_send_error(synack_stack_t *st, uint8_t type, uint8_t code, uint16_t mtu, const struct ip4_hdr *h,
                     const uint8_t *pkt, synack_time_t now)
{
    /* RFC 1122 3.2.2: never about an ICMP error, a non-initial fragment, a broadcast or multicast
     * datagram, or a datagram whose source does not define a single host. */
    if (h->proto == IP4_PROTO_ICMP) {
        size_t plen = h->total_len - h->ihl;
        if (plen < 1 || icmp_is_error_type(pkt[h->ihl]))
            return;
    }
    if (ip4_frag_offset(h) != 0 || !if_for_local(st, h->dst) || ip4_src_is_martian(h->src))
        return;
    for (int i = 0; i < st->net->nifs; i++)
        if (ip4_is_bcast_for(&st->net->ifs[i], h->src) || h->src == st->net->ifs[i].addr)
            return;   /* a broadcast source, or our own address (we would be answering ourselves) */
    if (!icmp_rate_ok(st, now)) {
        stack_count(st, SYNACK_C_IcmpOutRateLimited);
        return;
    }
    /* RFC 792: the internet header plus the first 64 bits of the original data. */
    size_t quote = h->ihl + 8u;
    if (quote > h->total_len)
        quote = h->total_len;
    struct icmp_hdr ic = { .type = type, .code = code, .next_mtu = mtu, .body = pkt, .body_len = quote };
    if (type == ICMP_DEST_UNREACH)
        stack_count(st, SYNACK_C_IcmpOutDestUnreachs);
    icmp_send(st, h->src, h->dst, &ic, 0, now);
}

int icmp_send_echo(synack_stack_t *st, uint32_t dst, uint16_t id, uint16_t seq, const void *payload,
                   size_t len, synack_time_t now)
{
    if (len > 65507 - ICMP_HDR_LEN)
        return -EMSGSIZE;
    if (!ip4_source_for(st, dst))
        return -ENETUNREACH;
    struct icmp_hdr ic = { .type = ICMP_ECHO_REQUEST, .id = id, .seq = seq, .body = payload, .body_len = len };
    stack_count(st, SYNACK_C_IcmpOutEchos);
    icmp_send(st, dst, 0, &ic, 0, now);
    return 0;
}
