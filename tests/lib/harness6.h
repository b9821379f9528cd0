/* IPv6 helpers for the C tests, beside harness.h: the stack under test gets 2001:db8::1/64 (and
 * its link-local fe80::ff:fe00:1 from MAC 02:00:00:00:00:01); the usual peer is 2001:db8::2,
 * fe80::ff:fe00:2, MAC 02:00:00:00:00:02. Builders for what a peer sends (IPv6 header, extension
 * headers, ICMPv6 and ND messages, UDP over IPv6) made with the wire layer, and parsers for what
 * the stack sent. Documentation prefix 2001:db8::/32 only (RFC 3849). Header-only, static inline. */
#ifndef TESTS_LIB_HARNESS6_H
#define TESTS_LIB_HARNESS6_H

#include "lib/harness.h"
#include "wire/icmp6.h"
#include "wire/ip6.h"

static inline struct synack_ip h6_ip(const char *s)
{
    struct synack_ip a;
    if (synack_ip_parse(s, &a) != 0)
        abort();
    return a;
}

#define H6_US "2001:db8::1"
#define H6_PEER "2001:db8::2"
#define H6_US_LL "fe80::ff:fe00:1"
#define H6_PEER_LL "fe80::ff:fe00:2"

/* A stack with IPv6 on its interface and 2001:db8::1/64 usable at once (no DAD unless `dad`). */
static inline void h6_init(struct hx *h, int dad)
{
    struct synack_config c;
    synack_config_init(&c);
    synack_config_seed_u64(&c, 1);
    if (!dad)
        c.ip6_dad_transmits = -1;
    if (hx_init(h, &c) < 0)
        abort();
    struct synack_ip a = h6_ip(H6_US);
    if (synack_if_add_addr6(h->st, h->ifi, &a, 64, h->now) != 0)
        abort();
    hx_drain(h);   /* the MLD reports of joining the groups */
}

/* An IPv6 packet: the 40-byte header, then payload (which may start with extension headers). */
static inline size_t h6_pkt(uint8_t *out, const char *src, const char *dst, uint8_t next, uint8_t hlim,
                            const void *payload, size_t len)
{
    struct ip6_hdr h = { .plen = (uint16_t)len, .next = next, .hlim = hlim };
    memcpy(h.src, h6_ip(src).b, 16);
    memcpy(h.dst, h6_ip(dst).b, 16);
    if (len)
        memmove(out + IP6_HDR_LEN, payload, len);
    ip6_build(out, &h);
    return IP6_HDR_LEN + len;
}

/* An ICMPv6 message with its checksum over the pseudo-header of src and dst. */
static inline size_t h6_icmp(uint8_t *out, const char *src, const char *dst, uint8_t type, uint8_t code,
                             uint32_t word, const void *body, size_t len)
{
    struct icmp6_hdr ic = { .type = type, .code = code, .word = word, .body = body, .body_len = len };
    uint64_t ph = wire_csum_pseudo6(h6_ip(src).b, h6_ip(dst).b, IP6_NH_ICMP6, (uint32_t)(ICMP6_HDR_LEN + len));
    return icmp6_build(out, &ic, ph);
}

/* A UDP datagram over IPv6 with its checksum (RFC 8200 8.1). */
static inline size_t h6_udp(uint8_t *out, const char *src, const char *dst, uint16_t sport, uint16_t dport,
                            const void *data, size_t len)
{
    if (len)
        memmove(out + 8, data, len);
    wire_put16(out, sport);
    wire_put16(out + 2, dport);
    wire_put16(out + 4, (uint16_t)(8 + len));
    wire_put16(out + 6, 0);
    uint64_t ph = wire_csum_pseudo6(h6_ip(src).b, h6_ip(dst).b, IP6_NH_UDP, (uint32_t)(8 + len));
    uint16_t c = wire_csum_finish(wire_csum_partial(out, 8 + len, ph));
    wire_put16(out + 6, c ? c : 0xffff);
    return 8 + len;
}

/* Hands an IPv6 packet to the stack in an Ethernet frame from src_mac (NULL: the peer's), to the
 * multicast MAC of a multicast destination, else to ours. */
static inline void h6_input_from(struct hx *h, const uint8_t *src_mac, const uint8_t *pkt, size_t len)
{
    uint8_t *f = malloc(ETH_HDR_LEN + len);
    if (!f)
        abort();
    uint8_t dmac[6];
    if (len >= IP6_HDR_LEN && ip6_is_multicast(pkt + 24))
        ip6_mcast_mac(pkt + 24, dmac);
    else
        memcpy(dmac, hx_mac_us, 6);
    size_t n = hx_eth(f, dmac, src_mac ? src_mac : hx_mac_peer, ETH_TYPE_IPV6, pkt, len);
    hx_input(h, f, n);
    free(f);
}

static inline void h6_input(struct hx *h, const uint8_t *pkt, size_t len) { h6_input_from(h, NULL, pkt, len); }

/* Builds and sends an ICMPv6 message from src to dst with hop limit hlim. */
static inline void h6_input_icmp(struct hx *h, const char *src, const char *dst, uint8_t hlim, uint8_t type,
                                 uint8_t code, uint32_t word, const void *body, size_t len)
{
    uint8_t *ic = malloc(ICMP6_HDR_LEN + len), *p = malloc(IP6_HDR_LEN + ICMP6_HDR_LEN + len);
    if (!ic || !p)
        abort();
    size_t il = h6_icmp(ic, src, dst, type, code, word, body, len);
    size_t n = h6_pkt(p, src, dst, IP6_NH_ICMP6, hlim, ic, il);
    h6_input(h, p, n);
    free(ic);
    free(p);
}

/* The body of an NS or NA: the target, then a link-layer address option of opt_type (0: none). */
static inline size_t h6_nd_body(uint8_t *out, const char *target, uint8_t opt_type, const uint8_t *mac)
{
    memcpy(out, h6_ip(target).b, 16);
    if (!opt_type)
        return 16;
    return 16 + nd_opt_lla_build(out + 16, opt_type, mac);
}

/* The peer solicits `target` from src (SLLA the peer's MAC unless src is ::). */
static inline void h6_input_ns(struct hx *h, const char *src, const char *dst, const char *target, uint8_t hlim)
{
    uint8_t body[32];
    int any = strcmp(src, "::") == 0;
    size_t n = h6_nd_body(body, target, any ? 0 : ND_OPT_SLLA, hx_mac_peer);
    h6_input_icmp(h, src, dst, hlim, ICMP6_ND_NS, 0, 0, body, n);
}

/* The peer advertises `target` at mac with flags (ND_NA_*). */
static inline void h6_input_na(struct hx *h, const char *src, const char *dst, const char *target, uint32_t flags,
                               const uint8_t *mac)
{
    uint8_t body[32];
    size_t n = h6_nd_body(body, target, mac ? ND_OPT_TLLA : 0, mac);
    h6_input_icmp(h, src, dst, 255, ICMP6_ND_NA, 0, flags, body, n);
}

/* Makes the stack know the peer's global address as REACHABLE (a solicited NA answering the
 * resolution a first packet started is not needed: an NS from the peer creates a STALE entry, an
 * NA with S and O then confirms it) and discards what it sent. */
static inline void h6_learn(struct hx *h, const char *peer)
{
    h6_input_ns(h, peer, H6_US, H6_US, 255);
    h6_input_na(h, peer, H6_US, peer, ND_NA_SOLICITED | ND_NA_OVERRIDE, hx_mac_peer);
    hx_drain(h);
}

/* ---- parsing what the stack sent ---- */

/* The IPv6 packet in a captured frame, parsed into *ip; NULL if it is not one. */
static inline const uint8_t *h6_frame_ip(const struct hx_frame *f, struct ip6_hdr *ip)
{
    if (!f || f->len < ETH_HDR_LEN || wire_get16(f->data + 12) != ETH_TYPE_IPV6)
        return NULL;
    if (ip6_parse(f->data + ETH_HDR_LEN, f->len - ETH_HDR_LEN, ip) != WIRE_OK)
        return NULL;
    return f->data + ETH_HDR_LEN;
}

/* Walks the extension headers of the packet p (header *ip): returns the offset of the upper-layer
 * header and its protocol in *proto; *hbh_ra is set if a hop-by-hop header carries a Router
 * Alert (RFC 2711) and *frag to the fragment header's offset (0: none). */
static inline size_t h6_upper(const uint8_t *p, const struct ip6_hdr *ip, uint8_t *proto, int *hbh_ra, size_t *frag)
{
    uint8_t nh = ip->next;
    size_t off = IP6_HDR_LEN, end = IP6_HDR_LEN + ip->plen;
    if (hbh_ra)
        *hbh_ra = 0;
    if (frag)
        *frag = 0;
    while (nh == IP6_NH_HOPOPTS || nh == IP6_NH_DSTOPTS || nh == IP6_NH_ROUTING || nh == IP6_NH_FRAGMENT) {
        if (off + 8 > end)
            break;
        size_t n = nh == IP6_NH_FRAGMENT ? 8u : 8u + 8u * p[off + 1];
        if (nh == IP6_NH_FRAGMENT && frag)
            *frag = off;
        if (nh == IP6_NH_HOPOPTS && hbh_ra) {
            for (size_t i = off + 2; i + 1 < off + n;) {
                if (p[i] == 0) {
                    i++;
                } else if (p[i] == 5) {
                    *hbh_ra = 1;
                    break;
                } else {
                    i += 2u + p[i + 1];
                }
            }
        }
        nh = p[off];
        off += n;
    }
    *proto = nh;
    return off;
}

/* The next captured frame as an ICMPv6 message (checksum verified), or NULL if there is none or it
 * is not one. *ip gets the IPv6 header. */
static inline const uint8_t *h6_pop_icmp(struct hx *h, struct ip6_hdr *ip, struct icmp6_hdr *ic)
{
    const struct hx_frame *f = hx_pop(h);
    const uint8_t *p = h6_frame_ip(f, ip);
    if (!p)
        return NULL;
    uint8_t proto;
    size_t off = h6_upper(p, ip, &proto, NULL, NULL);
    if (proto != IP6_NH_ICMP6)
        return NULL;
    size_t len = IP6_HDR_LEN + ip->plen - off;
    if (icmp6_parse(p + off, len, wire_csum_pseudo6(ip->src, ip->dst, IP6_NH_ICMP6, (uint32_t)len), ic) != WIRE_OK)
        return NULL;
    return p + off;
}

/* Pops frames until an ICMPv6 message of `type` (skipping others, e.g. MLD reports); NULL if none. */
static inline const uint8_t *h6_pop_type(struct hx *h, uint8_t type, struct ip6_hdr *ip, struct icmp6_hdr *ic)
{
    while (hx_pending(h)) {
        const uint8_t *m = h6_pop_icmp(h, ip, ic);
        if (m && ic->type == type)
            return m;
    }
    return NULL;
}

/* How many captured frames not yet popped are ICMPv6 messages of `type` (pops nothing). */
static inline int h6_count_type(struct hx *h, uint8_t type)
{
    size_t rd = h->rd;
    int n = 0;
    struct ip6_hdr ip;
    struct icmp6_hdr ic;
    while (hx_pending(h))
        if (h6_pop_icmp(h, &ip, &ic) && ic.type == type)
            n++;
    h->rd = rd;
    return n;
}

static inline int h6_addr_is(const uint8_t *a, const char *text) { return memcmp(a, h6_ip(text).b, 16) == 0; }

#endif
