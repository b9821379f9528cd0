/* IPv6 input (RFC 8200): the fixed header, the destination (our addresses and groups), the chain
 * of extension headers in the order RFC 8200 4.1 gives them, reassembly, and delivery to ICMPv6 or
 * the transport registered for the upper-layer protocol. */
#include "net/ip6.h"

#include "base/mem.h"
#include "core/alloc.h"

#include "core/ctx.h"
#include "net/iface.h"
#include "net/net.h"
#include "wire/icmp6.h"

static void param_problem(synack_stack_t *st, uint8_t code, size_t ptr, const uint8_t *pkt, size_t len, int ll_mcast,
                          synack_time_t now)
{
    icmp6_send_error(st, ICMP6_PARAM_PROB, code, (uint32_t)ptr, pkt, len, ll_mcast, now);
}

/* RFC 8200 4.2: the two high bits of an unrecognized option's type say what to do. Returns 1 to
 * go on (skip it), 0 if the packet was discarded. */
static int unknown_option(synack_stack_t *st, struct iface *ifc, uint8_t type, size_t ptr, const uint8_t *pkt,
                          size_t len, const struct ip6_hdr *h, int ll_mcast, synack_time_t now)
{
    switch (type >> 6) {
    case 0:
        return 1;
    case 1:
        break;
    case 2:
        param_problem(st, ICMP6_PARAM_OPTION, ptr, pkt, len, ll_mcast, now);
        break;
    default:
        if (!ip6_is_multicast(h->dst))
            param_problem(st, ICMP6_PARAM_OPTION, ptr, pkt, len, ll_mcast, now);
        break;
    }
    stack_drop(st, SYNACK_C_Ip6InHdrErrors, if_index(st, ifc), SYNACK_IF_RAWIP, pkt, len);
    return 0;
}

static void ip6_process(synack_stack_t *st, struct iface *ifc, const uint8_t *pkt, size_t len,
                        const struct ip6_hdr *h, int ll_mcast, synack_time_t now);

static void deliver(synack_stack_t *st, struct iface *ifc, const uint8_t *pkt, size_t len, const struct ip6_hdr *h,
                    uint8_t nh, size_t nh_field, size_t off, int ll_mcast, synack_time_t now)
{
    int ifindex = if_index(st, ifc);
    if (nh == IP6_NH_NONE)
        return;   /* RFC 8200 4.7: nothing follows */
    if (nh == IP6_NH_ICMP6) {
        stack_count(st, SYNACK_C_Ip6InDelivers);
        icmp6_input(st, ifc, h, pkt, len, pkt + off, len - off, ip6_is_multicast(h->dst) || ll_mcast, now);
        return;
    }
    const struct net_proto *tp = net_proto_find(st, nh);
    if (!tp) {
        /* RFC 8200 4: an unrecognized Next Header: Parameter Problem code 1 pointing at it. */
        stack_drop(st, SYNACK_C_Ip6InUnknownProtos, ifindex, SYNACK_IF_RAWIP, pkt, len);
        param_problem(st, ICMP6_PARAM_NEXTHDR, nh_field, pkt, len, ll_mcast, now);
        return;
    }
    stack_count(st, SYNACK_C_Ip6InDelivers);
    struct net_rx rx = { .family = NET_AF_INET6, .ifindex = ifindex,
                         .dst_unicast = !ip6_is_multicast(h->dst) && !ll_mcast, .pkt = pkt, .pkt_len = len,
                         .l3 = NULL, .csum_ok = st->net->rx_csum_ok };
    memcpy(rx.src.b, h->src, 16);
    memcpy(rx.dst.b, h->dst, 16);
    tp->input(st, &rx, pkt + off, len - off, now);
}

/* RFC 8200 4.5, RFC 7112 5: whether a first fragment (its fragmentable part at pkt[off..len), the
 * first header's type nh) holds the whole chain of extension headers and the upper-layer header's
 * fixed part (the transports' headers: TCP 20 bytes, UDP and ICMPv6 8; one byte of another). */
static int first_frag_incomplete(const uint8_t *pkt, size_t len, size_t off, uint8_t nh)
{
    while (nh == IP6_NH_HOPOPTS || nh == IP6_NH_DSTOPTS || nh == IP6_NH_ROUTING) {
        size_t n;
        if (ip6_ext_len(pkt + off, len - off, &n) != WIRE_OK)
            return 1;
        nh = pkt[off];
        off += n;
    }
    if (nh == IP6_NH_NONE)
        return 0;
    size_t need = nh == IP6_NH_TCP ? 20u : (nh == IP6_NH_UDP || nh == IP6_NH_ICMP6) ? 8u : 1u;
    return len - off < need;
}

static void ip6_process(synack_stack_t *st, struct iface *ifc, const uint8_t *pkt, size_t len,
                        const struct ip6_hdr *h, int ll_mcast, synack_time_t now)
{
    int ifindex = if_index(st, ifc);
    uint8_t nh = h->next;
    size_t nh_field = 6, off = IP6_HDR_LEN;
    for (;;) {
        size_t n;
        switch (nh) {
        case IP6_NH_HOPOPTS:
        case IP6_NH_DSTOPTS: {
            if (nh == IP6_NH_HOPOPTS && off != IP6_HDR_LEN) {
                /* RFC 8200 4.1: hop-by-hop options only right after the IPv6 header. */
                stack_drop(st, SYNACK_C_Ip6InHdrErrors, ifindex, SYNACK_IF_RAWIP, pkt, len);
                param_problem(st, ICMP6_PARAM_NEXTHDR, nh_field, pkt, len, ll_mcast, now);
                return;
            }
            if (ip6_opts_parse(pkt + off, len - off, &n, NULL, NULL) != WIRE_OK) {
                stack_drop(st, SYNACK_C_Ip6InHdrErrors, ifindex, SYNACK_IF_RAWIP, pkt, len);
                param_problem(st, ICMP6_PARAM_HEADER, off + 1, pkt, len, ll_mcast, now);
                return;
            }
            /* The options tile the header (checked): act on each unrecognized one. PadN (1) is
             * known everywhere, Router Alert (5) on hop-by-hop (RFC 2711; nothing for a host to do). */
            for (size_t i = 2; i < n;) {
                uint8_t t = pkt[off + i];
                if (t == 0) {
                    i++;
                    continue;
                }
                if (t != 1 && !(nh == IP6_NH_HOPOPTS && t == 5) &&
                    !unknown_option(st, ifc, t, off + i, pkt, len, h, ll_mcast, now))
                    return;
                i += 2u + pkt[off + i + 1];
            }
            nh_field = off;
            nh = pkt[off];
            off += n;
            break;
        }
        case IP6_NH_ROUTING: {
            struct ip6_rthdr rt;
            if (ip6_rthdr_parse(pkt + off, len - off, &rt) != WIRE_OK) {
                stack_drop(st, SYNACK_C_Ip6InHdrErrors, ifindex, SYNACK_IF_RAWIP, pkt, len);
                param_problem(st, ICMP6_PARAM_HEADER, off + 1, pkt, len, ll_mcast, now);
                return;
            }
            if (rt.segs_left) {
                /* RFC 8200 4.4: a routing type we do not process with segments left (type 0 is
                 * deprecated and never processed, RFC 5095 3): Parameter Problem code 0 at the
                 * Routing Type field. A host forwards nothing. */
                stack_drop(st, SYNACK_C_Ip6InHdrErrors, ifindex, SYNACK_IF_RAWIP, pkt, len);
                param_problem(st, ICMP6_PARAM_HEADER, off + 2, pkt, len, ll_mcast, now);
                return;
            }
            nh_field = off;
            nh = rt.next;
            off += rt.hdr_len;
            break;
        }
        case IP6_NH_FRAGMENT: {
            struct ip6_frag fh;
            if (ip6_frag_parse(pkt + off, len - off, &fh) != WIRE_OK) {
                stack_drop(st, SYNACK_C_Ip6InHdrErrors, ifindex, SYNACK_IF_RAWIP, pkt, len);
                return;
            }
            size_t flen = len - off - IP6_FRAG_HDR_LEN;
            if (fh.offset == 0 && !fh.more) {
                /* RFC 6946 / RFC 8021: an atomic fragment is processed alone, never with others. */
                stack_count(st, SYNACK_C_Ip6AtomicFrags);
                nh_field = off;
                nh = fh.next;
                off += IP6_FRAG_HDR_LEN;
                break;
            }
            stack_count(st, SYNACK_C_Ip6ReasmReqds);
            if (fh.more && (flen == 0 || flen % 8u)) {
                /* RFC 8200 4.5: not a multiple of 8 bytes and not the last: code 0 at Payload Length. */
                stack_drop(st, SYNACK_C_Ip6ReasmFails, ifindex, SYNACK_IF_RAWIP, pkt, len);
                param_problem(st, ICMP6_PARAM_HEADER, 4, pkt, len, ll_mcast, now);
                return;
            }
            if (fh.offset == 0 && first_frag_incomplete(pkt, len, off + IP6_FRAG_HDR_LEN, fh.next)) {
                /* RFC 7112 5: the first fragment lacks part of the header chain: code 3, pointer 0. */
                stack_drop(st, SYNACK_C_Ip6ReasmFails, ifindex, SYNACK_IF_RAWIP, pkt, len);
                param_problem(st, ICMP6_PARAM_FIRST_FRAG, 0, pkt, len, ll_mcast, now);
                return;
            }
            if ((size_t)fh.offset + flen > 65535u) {
                /* Beyond a packet's maximum: code 0 at the Fragment Offset field. */
                stack_drop(st, SYNACK_C_Ip6ReasmFails, ifindex, SYNACK_IF_RAWIP, pkt, len);
                param_problem(st, ICMP6_PARAM_HEADER, off + 2, pkt, len, ll_mcast, now);
                return;
            }
            uint8_t *whole = NULL;
            size_t whole_len = 0;
            if (reasm6_add(st, ifc, pkt, len, off, &fh, &whole, &whole_len, now) == 1) {
                struct ip6_hdr wh;
                /* What the link vouched for was this fragment, not the datagram: check it whole
                 * (synack_if_input_flags restores the flag after the frame). */
                st->net->rx_csum_ok = 0;
                if (ip6_parse(whole, whole_len, &wh) == WIRE_OK)
                    ip6_process(st, ifc, whole, whole_len, &wh, ll_mcast, now);
                else
                    stack_count(st, SYNACK_C_Ip6ReasmFails);
                mem_free(&st->cfg.alloc, whole);
            }
            return;
        }
        default:
            deliver(st, ifc, pkt, len, h, nh, nh_field, off, ll_mcast, now);
            return;
        }
    }
}

void ip6_input(synack_stack_t *st, struct iface *ifc, const uint8_t *p, size_t len, int ll_mcast, synack_time_t now)
{
    int ifindex = if_index(st, ifc);
    struct ip6_hdr h;
    stack_count(st, SYNACK_C_Ip6InReceives);
    enum wire_err r = ip6_parse(p, len, &h);
    if (r == WIRE_ERR_TRUNC) {
        stack_drop(st, SYNACK_C_Ip6InTruncatedPkts, ifindex, SYNACK_IF_RAWIP, p, len);
        return;
    }
    if (r != WIRE_OK) {
        stack_drop(st, SYNACK_C_Ip6InHdrErrors, ifindex, SYNACK_IF_RAWIP, p, len);
        return;
    }
    len = IP6_HDR_LEN + (size_t)h.plen;   /* link padding after the packet is not part of it */
    /* RFC 4291 2.7: a multicast source is never valid; ::1 never leaves a host (2.5.3). */
    if (ip6_is_multicast(h.src) || ip6_is_loopback(h.src) || ip6_is_loopback(h.dst) ||
        !ip6_is_for_us(st, ifindex, h.dst)) {
        stack_drop(st, SYNACK_C_Ip6InAddrErrors, ifindex, SYNACK_IF_RAWIP, p, len);
        return;
    }
    ip6_process(st, ifc, p, len, &h, ll_mcast, now);
}
