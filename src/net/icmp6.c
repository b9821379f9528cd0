/* ICMPv6 (RFC 4443): echo, the error messages a host sends (rate-limited, with the exceptions of
 * 2.4 (e)), errors received handed to the transport they concern (Packet Too Big also to the path
 * MTU cache, RFC 8201), and the dispatch of Neighbor Discovery and MLD messages. */
#include "net/ip6.h"

#include "base/errno.h"
#include "base/mem.h"

#include "core/buf.h"
#include "core/ctx.h"
#include "net/iface.h"
#include "net/net.h"
#include "wire/csum.h"
#include "wire/icmp6.h"

int icmp6_send(synack_stack_t *st, const uint8_t *src, const uint8_t *dst, uint8_t type, uint8_t code,
               uint32_t word, const void *body, size_t body_len, int ifindex, uint8_t hlim, synack_time_t now)
{
    struct buf *b = buf_alloc(&st->cfg.alloc, BUF_HEADROOM, ICMP6_HDR_LEN + body_len);
    if (!b) {
        stack_count(st, SYNACK_C_BufAllocFails);
        return -ENOBUFS;
    }
    /* The checksum covers the source, which ip6_output would choose: choose it here first. */
    uint8_t from[16] = { 0 };
    if (src && (ifindex >= 0 || !ip6_is_unspecified(src))) {
        memcpy(from, src, 16);
    } else {
        uint8_t nh[16];
        struct iface *ifc = ifindex >= 0 ? &st->net->ifs[ifindex] : ip6_route(st, dst, nh);
        if (!ifc || ip6_source_select(st, if_index(st, ifc), dst, from) != 0) {
            stack_count(st, SYNACK_C_Ip6OutNoRoutes);
            buf_free(b);
            return ifc ? -EADDRNOTAVAIL : -ENETUNREACH;
        }
    }
    struct icmp6_hdr ic = { .type = type, .code = code, .word = word, .body = body, .body_len = body_len };
    uint64_t ph = wire_csum_pseudo6(from, dst, IP6_NH_ICMP6, (uint32_t)(ICMP6_HDR_LEN + body_len));
    b->len = icmp6_build(b->data, &ic, ph);
    stack_count(st, SYNACK_C_Icmp6OutMsgs);
    struct ip6_out o = { .src = from, .dst = dst, .next = IP6_NH_ICMP6, .hlim = hlim, .ifindex = ifindex,
                         .ra = type == ICMP6_MLD2_REPORT };
    return ip6_output(st, &o, b, now);
}

static int is_error_type(uint8_t t) { return t < 128; }

/* RFC 4443 2.4 (e.1): whether pkt carries an ICMPv6 error or a redirect, behind whatever extension
 * headers precede it. A non-first fragment hides its upper-layer header: it is taken as not one. */
static int about_icmp_error(const uint8_t *pkt, size_t len)
{
    uint8_t nh = pkt[6];
    size_t off = IP6_HDR_LEN;
    for (;;) {
        size_t n = IP6_FRAG_HDR_LEN;
        if (nh == IP6_NH_ICMP6)
            return len > off && (is_error_type(pkt[off]) || pkt[off] == ICMP6_ND_REDIRECT);
        if (nh == IP6_NH_FRAGMENT) {
            struct ip6_frag fh;
            if (ip6_frag_parse(pkt + off, len - off, &fh) != WIRE_OK || fh.offset != 0)
                return 0;
        } else if (nh != IP6_NH_HOPOPTS && nh != IP6_NH_DSTOPTS && nh != IP6_NH_ROUTING) {
            return 0;
        } else if (ip6_ext_len(pkt + off, len - off, &n) != WIRE_OK) {
            return 0;
        }
        nh = pkt[off];
        off += n;
    }
}

void icmp6_send_error(synack_stack_t *st, uint8_t type, uint8_t code, uint32_t word, const uint8_t *pkt,
                      size_t pkt_len, int ll_mcast, synack_time_t now)
{
    if (pkt_len < IP6_HDR_LEN)
        return;
    const uint8_t *src = pkt + 8, *dst = pkt + 24;
    /* RFC 4443 2.4 (e.1): never about an ICMPv6 error or a redirect, also behind extension headers
     * (an unknown option, or the first fragment of an error that never completes). */
    if (about_icmp_error(pkt, pkt_len))
        return;
    /* (e.3, e.4): not about a multicast destination or a link-layer multicast, except Packet Too
     * Big and Parameter Problem code 2 for an option whose type says so (the caller checked). */
    int allowed_mcast = type == ICMP6_PKT_TOO_BIG || (type == ICMP6_PARAM_PROB && code == ICMP6_PARAM_OPTION);
    if ((ip6_is_multicast(dst) || ll_mcast) && !allowed_mcast)
        return;
    /* (e.6): not to a source that names no single node. */
    if (ip6_is_unspecified(src) || ip6_is_multicast(src))
        return;
    if (!net_icmp_rate_ok(st, &st->net->ip6.icmp_tokens, &st->net->ip6.icmp_refill_at, now)) {
        stack_count(st, SYNACK_C_Icmp6OutRateLimited);
        return;
    }
    /* 2.4 (c): as much of the packet as fits in the minimum MTU. */
    size_t quote = pkt_len;
    if (quote > IP6_MIN_MTU - IP6_HDR_LEN - ICMP6_HDR_LEN)
        quote = IP6_MIN_MTU - IP6_HDR_LEN - ICMP6_HDR_LEN;
    switch (type) {
    case ICMP6_DEST_UNREACH:
        stack_count(st, SYNACK_C_Icmp6OutDestUnreachs);
        break;
    case ICMP6_PKT_TOO_BIG:
        stack_count(st, SYNACK_C_Icmp6OutPktTooBigs);
        break;
    case ICMP6_TIME_EXCEEDED:
        stack_count(st, SYNACK_C_Icmp6OutTimeExcds);
        break;
    default:
        stack_count(st, SYNACK_C_Icmp6OutParmProblems);
        break;
    }
    /* 2.2: the source is the destination the packet was sent to, if ours and unicast. */
    const uint8_t *from = ip6_is_multicast(dst) || !ip6_addr_find(st, dst, NULL) ? NULL : dst;
    icmp6_send(st, from, src, type, code, word, pkt, quote, -1, 0, now);
}

int icmp6_send_echo(synack_stack_t *st, const uint8_t *dst, uint16_t id, uint16_t seq, const void *payload,
                    size_t len, synack_time_t now)
{
    if (len > 65535 - ICMP6_HDR_LEN)
        return -EMSGSIZE;
    uint8_t nh[16];
    if (!ip6_route(st, dst, nh))
        return -ENETUNREACH;
    stack_count(st, SYNACK_C_Icmp6OutEchos);
    return icmp6_send(st, NULL, dst, ICMP6_ECHO_REQUEST, 0, ((uint32_t)id << 16) | seq, payload, len, -1, 0, now);
}

/* Whether a is one of our addresses on any interface, in any state but free (a packet may have
 * left before its address went duplicate or deprecated). */
static int ours_any(synack_stack_t *st, const uint8_t *a)
{
    for (int i = 0; i < st->net->nifs; i++)
        if (ip6_addr_on(st, i, a))
            return 1;
    return 0;
}

/* An error about a packet we sent: find the transport header in the quote and tell its transport. */
static void icmp6_error_in(synack_stack_t *st, const struct icmp6_hdr *ic, synack_time_t now)
{
    const uint8_t *q = ic->body;
    size_t qlen = ic->body_len;
    if (qlen < IP6_HDR_LEN + 8 || (q[0] >> 4) != 6)
        return;
    uint8_t nh = q[6];
    size_t off = IP6_HDR_LEN;
    /* Skip extension headers we may have sent (a fragment header; hop-by-hop for MLD). */
    while (nh == IP6_NH_HOPOPTS || nh == IP6_NH_DSTOPTS || nh == IP6_NH_ROUTING || nh == IP6_NH_FRAGMENT) {
        size_t n = IP6_FRAG_HDR_LEN;
        if (nh != IP6_NH_FRAGMENT && ip6_ext_len(q + off, qlen - off, &n) != WIRE_OK)
            return;
        if (nh == IP6_NH_FRAGMENT && (qlen < off + 8 || ((q[off + 2] << 8 | q[off + 3]) & 0xfff8) != 0))
            return;   /* a later fragment quotes no transport header */
        if (qlen < off + n)
            return;
        nh = q[off];
        off += n;
    }
    if (qlen < off + 8)
        return;
    struct net_err e = { .family = NET_AF_INET6, .hdr = q + off, .len = qlen - off };
    memcpy(e.src.b, q + 8, 16);
    memcpy(e.dst.b, q + 24, 16);
    switch (ic->type) {
    case ICMP6_DEST_UNREACH:
        e.kind = ic->code == ICMP6_UNREACH_PORT ? NET_ERR_PORT_UNREACH : NET_ERR_UNREACH;
        break;
    case ICMP6_PKT_TOO_BIG:
        /* RFC 8201 4 / RFC 4443 2.4 (sanity): a packet we sent has one of our addresses as its
         * source; a quote of anything else is forged or misrouted and must not lower a path MTU. */
        if (!ours_any(st, q + 8)) {
            stack_count(st, SYNACK_C_Icmp6InPktTooBigNotOurs);
            return;
        }
        e.kind = NET_ERR_PKT_TOO_BIG;
        e.mtu = ic->word < IP6_MIN_MTU ? IP6_MIN_MTU : (ic->word > 0xffff ? 0xffff : ic->word);
        break;
    case ICMP6_TIME_EXCEEDED:
        e.kind = NET_ERR_TIME_EXCEEDED;
        break;
    default:
        /* Parameter Problem code 1 at the upper-layer Next Header: the protocol is unknown there
         * (RFC 4443 3.4); other problems are soft. */
        e.kind = ic->code == ICMP6_PARAM_NEXTHDR ? NET_ERR_PROTO_UNREACH : NET_ERR_UNREACH;
        break;
    }
    /* The path MTU is lowered only for a packet its transport recognises as one it sent (TCP: a
     * sequence number in flight; RFC 8201 4, RFC 5927 4.1), after the transport has taken the
     * message: a forged Packet Too Big quoting a made-up segment would otherwise lower the path
     * MTU under a connection whose segments keep their size, and IP would drop every one of them. */
    const struct net_proto *tp = net_proto_find(st, nh);
    int vouched = tp && tp->error ? tp->error(st, &e, now) : 0;
    if (e.kind == NET_ERR_PKT_TOO_BIG) {
        if (vouched)
            ip6_pmtu_update(st, q + 24, e.mtu, now);
        else
            stack_count(st, SYNACK_C_Icmp6InPktTooBigNotOurs);
    }
}

void icmp6_input(synack_stack_t *st, struct iface *ifc, const struct ip6_hdr *h, const uint8_t *pkt,
                 size_t pkt_len, const uint8_t *p, size_t len, int to_mcast, synack_time_t now)
{
    int ifindex = if_index(st, ifc);
    struct icmp6_hdr ic;
    stack_count(st, SYNACK_C_Icmp6InMsgs);
    uint64_t ph = wire_csum_pseudo6(h->src, h->dst, IP6_NH_ICMP6, (uint32_t)len);
    if (icmp6_parse(p, len, ph, &ic) != WIRE_OK) {
        stack_drop(st, SYNACK_C_Icmp6InErrors, ifindex, SYNACK_IF_RAWIP, pkt, pkt_len);
        return;
    }
    switch (ic.type) {
    case ICMP6_ECHO_REQUEST: {
        stack_count(st, SYNACK_C_Icmp6InEchos);
        if (ip6_is_unspecified(h->src))
            return;
        /* RFC 4443 4.2: a reply to a unicast request comes from the address it was sent to; to a
         * multicast one, from one of ours on the interface (chosen). */
        stack_count(st, SYNACK_C_Icmp6OutEchoReplies);
        icmp6_send(st, to_mcast ? NULL : h->dst, h->src, ICMP6_ECHO_REPLY, 0, ic.word, ic.body, ic.body_len, -1, 0,
                   now);
        break;
    }
    case ICMP6_ECHO_REPLY: {
        stack_count(st, SYNACK_C_Icmp6InEchoReplies);
        struct synack_trace_event ev = { .kind = SYNACK_TR_ICMP_ECHO_REPLY, .ifindex = ifindex,
                                         .link_kind = SYNACK_IF_RAWIP, .data = pkt, .len = pkt_len,
                                         .echo_id = (uint16_t)(ic.word >> 16), .echo_seq = (uint16_t)ic.word };
        memcpy(ev.remote.addr.b, h->src, 16);
        stack_trace(st, &ev);
        break;
    }
    case ICMP6_DEST_UNREACH:
    case ICMP6_PKT_TOO_BIG:
    case ICMP6_TIME_EXCEEDED:
    case ICMP6_PARAM_PROB:
        stack_count(st, ic.type == ICMP6_DEST_UNREACH  ? SYNACK_C_Icmp6InDestUnreachs
                        : ic.type == ICMP6_PKT_TOO_BIG ? SYNACK_C_Icmp6InPktTooBigs
                        : ic.type == ICMP6_TIME_EXCEEDED ? SYNACK_C_Icmp6InTimeExcds
                                                         : SYNACK_C_Icmp6InParmProblems);
        icmp6_error_in(st, &ic, now);
        break;
    case ICMP6_MLD_QUERY:
        /* RFC 3810 6.2: answer with our groups (no delay: a host with a few groups). */
        if (h->hlim == 1 && ip6_is_linklocal(h->src))
            ip6_mld_report(st, ifindex, now);
        break;
    case ICMP6_ND_RS:
    case ICMP6_ND_RA:
    case ICMP6_ND_NS:
    case ICMP6_ND_NA:
    case ICMP6_ND_REDIRECT:
        nd_input(st, ifc, h, ic.type, ic.code, ic.word, ic.body, ic.body_len, now);
        break;
    default:
        break;   /* 2.4 (b): unknown informational messages are discarded */
    }
}
