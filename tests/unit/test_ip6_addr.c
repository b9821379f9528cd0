/* Unit tests of IPv6 addressing and paths on crafted frames, one test per rule:
 *
 *  - RFC 4862 5.4 DAD: a tentative address sends a solicitation from ::, answers nothing and
 *    receives nothing; an NS from :: or an NA for it makes it duplicate; else it becomes preferred;
 *  - RFC 4862 5.5 SLAAC: router solicitations, an address formed from an autonomous /64 prefix and
 *    the EUI-64, its preferred and valid lifetimes, the two-hour rule; an RA from a source that is
 *    not link-local is ignored; the RA's MTU option lowers the link MTU (within limits);
 *  - RFC 8201: a Packet Too Big lowers the path MTU of that destination only, never below 1280;
 *    UDP then fragments to it and TCP's MSS drops;
 *  - RFC 3810: MLDv2 reports on joining (to ff02::16, hop limit 1, Router Alert, CHANGE_TO_EXCLUDE
 *    records of the solicited-node groups) and in answer to a query. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/harness6.h"
#include "wire/tcp.h"

#define ROUTER_LL "fe80::1"
static const uint8_t mac_router[6] = { 2, 0, 0, 0, 0, 0xfe };
static const uint8_t mac_other[6] = { 2, 0, 0, 0, 0, 0x22 };

static int addr_state(struct hx *h, const char *text)
{
    struct synack_if_addr v[8];
    int n = synack_if_addrs(h->st, h->ifi, v, 8);
    struct synack_ip want = h6_ip(text);
    for (int i = 0; i < n && i < 8; i++)
        if (synack_ip_equal(&v[i].addr, &want))
            return (int)v[i].state;
    return 0;
}

/* The DAD solicitation whose target is `target` among what the stack sent (both of the test
 * stack's addresses share the solicited-node group ff02::1:ff00:1). */
static void pop_dad_probe(struct hx *h, const char *target, struct ip6_hdr *ip, struct icmp6_hdr *ic)
{
    for (;;) {
        assert_non_null(h6_pop_type(h, ICMP6_ND_NS, ip, ic));
        if (ic->body_len >= 16 && h6_addr_is(ic->body, target))
            return;
    }
}

/* RFC 4862 5.4: DAD. */
static void test_dad(void **state)
{
    (void)state;
    struct hx h;
    h6_init(&h, 1);
    assert_int_equal(addr_state(&h, H6_US), SYNACK_ADDR_TENTATIVE);
    assert_int_equal(addr_state(&h, H6_US_LL), SYNACK_ADDR_TENTATIVE);
    hx_advance(&h, 0);
    /* 5.4.2: a solicitation from :: to the solicited-node group, no source option, hop limit 255. */
    struct ip6_hdr ip;
    struct icmp6_hdr ic;
    pop_dad_probe(&h, H6_US, &ip, &ic);
    assert_true(h6_addr_is(ip.src, "::"));
    assert_true(h6_addr_is(ip.dst, "ff02::1:ff00:1"));
    assert_int_equal(ip.hlim, 255);
    /* RFC 7527 4.1: the target, then only a Nonce option (RFC 3971 5.3.2: type 14, length 1). */
    assert_int_equal(ic.body_len, 24);
    assert_int_equal(ic.body[16], ND_OPT_NONCE);
    assert_int_equal(ic.body[17], 1);
    uint8_t looped[24];
    memcpy(looped, ic.body, sizeof(looped));
    hx_drain(&h);
    /* RFC 7527 4.2: our own probe looped back (same nonce) is not another node's DAD. */
    h6_input_icmp(&h, "::", "ff02::1:ff00:1", 255, ICMP6_ND_NS, 0, 0, looped, sizeof(looped));
    assert_int_equal(CTR(h.st, Ip6DadLoopedBack), 1);
    assert_int_equal(addr_state(&h, H6_US), SYNACK_ADDR_TENTATIVE);
    assert_int_equal(CTR(h.st, Ip6DadDuplicates), 0);
    /* 5.4.3: a solicitation for it from a unicast source is not answered; 5.4: packets to it are
     * not ours. */
    h6_input_ns(&h, H6_PEER, "ff02::1:ff00:1", H6_US, 255);
    uint8_t e[64], p[128];
    size_t el = h6_icmp(e, H6_PEER, H6_US, ICMP6_ECHO_REQUEST, 0, 1, "x", 1);
    size_t n = h6_pkt(p, H6_PEER, H6_US, IP6_NH_ICMP6, 64, e, el);
    h6_input(&h, p, n);
    assert_int_equal(h6_count_type(&h, ICMP6_ND_NA), 0);
    assert_int_equal(h6_count_type(&h, ICMP6_ECHO_REPLY), 0);
    /* 5.4.3: another node's DAD (an NS from ::) for it: duplicate. */
    h6_input_ns(&h, "::", "ff02::1:ff00:1", H6_US, 255);
    assert_int_equal(addr_state(&h, H6_US), SYNACK_ADDR_DUPLICATE);
    assert_int_equal(CTR(h.st, Ip6DadDuplicates), 1);
    /* The link-local address, unchallenged, is preferred after a second. */
    hx_advance(&h, SYNACK_MS(1100));
    assert_int_equal(addr_state(&h, H6_US_LL), SYNACK_ADDR_PREFERRED);
    assert_int_equal(addr_state(&h, H6_US), SYNACK_ADDR_DUPLICATE);
    /* A duplicate address is never used: no echo reply from it. */
    hx_drain(&h);
    h6_input(&h, p, n);
    assert_int_equal(h6_count_type(&h, ICMP6_ECHO_REPLY), 0);
    hx_free(&h);
    /* Another node's probe with another nonce: duplicate. */
    h6_init(&h, 1);
    hx_advance(&h, 0);
    pop_dad_probe(&h, H6_US, &ip, &ic);
    memcpy(looped, ic.body, sizeof(looped));
    looped[18] ^= 1;
    h6_input_icmp(&h, "::", "ff02::1:ff00:1", 255, ICMP6_ND_NS, 0, 0, looped, sizeof(looped));
    assert_int_equal(CTR(h.st, Ip6DadLoopedBack), 0);
    assert_int_equal(addr_state(&h, H6_US), SYNACK_ADDR_DUPLICATE);
    hx_free(&h);
    /* 5.4.4: an NA for the tentative address: duplicate too. */
    h6_init(&h, 1);
    h6_input_na(&h, H6_PEER, "ff02::1", H6_US, ND_NA_OVERRIDE, mac_other);
    assert_int_equal(addr_state(&h, H6_US), SYNACK_ADDR_DUPLICATE);
    hx_free(&h);
    /* Unchallenged: preferred after DupAddrDetectTransmits * RetransTimer, and answering. */
    h6_init(&h, 1);
    hx_advance(&h, SYNACK_MS(999));
    assert_int_equal(addr_state(&h, H6_US), SYNACK_ADDR_TENTATIVE);
    hx_advance(&h, SYNACK_MS(1));
    assert_int_equal(addr_state(&h, H6_US), SYNACK_ADDR_PREFERRED);
    hx_drain(&h);
    h6_input_ns(&h, H6_PEER, "ff02::1:ff00:1", H6_US, 255);
    assert_int_equal(h6_count_type(&h, ICMP6_ND_NA), 1);
    hx_free(&h);
}

/* RFC 4862 5.4.5: a duplicate link-local address formed from the MAC disables IPv6 on the
 * interface: it is listed as DUPLICATE, counted, and the interface sends and answers nothing. */
static void test_dad_linklocal_disables(void **state)
{
    (void)state;
    struct hx h;
    h6_init(&h, 1);
    h6_input_ns(&h, "::", "ff02::1:ff00:1", H6_US_LL, 255);
    assert_int_equal(addr_state(&h, H6_US_LL), SYNACK_ADDR_DUPLICATE);
    assert_int_equal(CTR(h.st, Ip6IfDisabledByDad), 1);
    hx_advance(&h, SYNACK_SEC(3));
    assert_int_not_equal(addr_state(&h, H6_US), SYNACK_ADDR_PREFERRED);
    hx_drain(&h);
    uint8_t e[64], p[128];
    size_t el = h6_icmp(e, H6_PEER, H6_US, ICMP6_ECHO_REQUEST, 0, 1, "x", 1);
    size_t n = h6_pkt(p, H6_PEER, H6_US, IP6_NH_ICMP6, 64, e, el);
    h6_input(&h, p, n);
    h6_input_ns(&h, H6_PEER, "ff02::1:ff00:1", H6_US, 255);
    hx_advance(&h, SYNACK_SEC(5));
    assert_null(hx_pop(&h));
    hx_free(&h);
    /* Another address's duplicate leaves the interface on. */
    h6_init(&h, 1);
    h6_input_ns(&h, "::", "ff02::1:ff00:1", H6_US, 255);
    assert_int_equal(CTR(h.st, Ip6IfDisabledByDad), 0);
    hx_advance(&h, SYNACK_SEC(3));
    assert_int_equal(addr_state(&h, H6_US_LL), SYNACK_ADDR_PREFERRED);
    hx_free(&h);
}

/* A router advertisement from src: router lifetime, then options (prefix /plen with flags and
 * lifetimes, MTU if nonzero, the router's SLLA). */
static void send_ra(struct hx *h, const char *src, uint16_t lifetime, const char *prefix, uint8_t plen,
                    uint8_t flags, uint32_t valid, uint32_t pref, uint32_t mtu)
{
    uint8_t body[8 + 32 + 8 + 8] = { 0 }, *o = body + 8;
    size_t n = 8;
    if (prefix) {
        o[0] = ND_OPT_PREFIX;
        o[1] = 4;
        o[2] = plen;
        o[3] = flags;
        wire_put32(o + 4, valid);
        wire_put32(o + 8, pref);
        memcpy(o + 16, h6_ip(prefix).b, 16);
        n += 32;
        o += 32;
    }
    if (mtu) {
        o[0] = ND_OPT_MTU;
        o[1] = 1;
        wire_put32(o + 4, mtu);
        n += 8;
        o += 8;
    }
    n += nd_opt_lla_build(o, ND_OPT_SLLA, mac_router);
    uint8_t ic[128], p[200];
    size_t il = h6_icmp(ic, src, "ff02::1", ICMP6_ND_RA, 0, 64u << 24 | lifetime, body, n);
    size_t pn = h6_pkt(p, src, "ff02::1", IP6_NH_ICMP6, 255, ic, il);
    h6_input_from(h, mac_router, p, pn);
}

/* A stack whose interface autoconfigures (no DAD, so its link-local address is usable at once). */
static void slaac_init(struct hx *h)
{
    struct synack_config c;
    synack_config_init(&c);
    synack_config_seed_u64(&c, 1);
    c.ip6_dad_transmits = -1;
    assert_true(hx_init(h, &c) >= 0);
    assert_int_equal(synack_if_enable_ipv6(h->st, h->ifi, SYNACK_IF6_SLAAC, h->now), 0);
}

#define SLAAC_ADDR "2001:db8:1::ff:fe00:1"   /* the prefix and the EUI-64 of 02:00:00:00:00:01 */

/* RFC 4862 5.5: router solicitations, then an address from an RA's autonomous /64 prefix. */
static void test_slaac(void **state)
{
    (void)state;
    struct hx h;
    slaac_init(&h);
    assert_int_equal(addr_state(&h, H6_US_LL), SYNACK_ADDR_PREFERRED);
    hx_advance(&h, 0);
    /* RFC 4861 6.3.7: to all-routers from the link-local address, with its SLLA. */
    struct ip6_hdr ip;
    struct icmp6_hdr ic;
    assert_non_null(h6_pop_type(&h, ICMP6_ND_RS, &ip, &ic));
    assert_true(h6_addr_is(ip.src, H6_US_LL));
    assert_true(h6_addr_is(ip.dst, "ff02::2"));
    assert_int_equal(ip.hlim, 255);
    struct nd_opts o;
    assert_int_equal(nd_opts_parse(ic.body, ic.body_len, &o), WIRE_OK);
    assert_memory_equal(o.slla, hx_mac_us, 6);
    hx_advance(&h, SYNACK_SEC(4));
    assert_int_equal(h6_count_type(&h, ICMP6_ND_RS), 1);
    hx_drain(&h);
    send_ra(&h, ROUTER_LL, 1800, "2001:db8:1::", 64, 0xc0, 3600, 1800, 0);
    assert_int_equal(addr_state(&h, SLAAC_ADDR), SYNACK_ADDR_PREFERRED);
    /* No more solicitations once an advertisement came. */
    hx_advance(&h, SYNACK_SEC(20));
    assert_int_equal(h6_count_type(&h, ICMP6_ND_RS), 0);
    /* The router is the default route: off-link packets go to its MAC (learned from the SLLA). */
    hx_drain(&h);
    int s = synack_socket(h.st, SYNACK_SOCK_DGRAM);
    struct synack_sockaddr to = { h6_ip("2001:db8:99::5"), 9 };
    assert_int_equal(synack_sendto(h.st, s, "x", 1, &to, h.now), 1);
    const struct hx_frame *f = hx_pop(&h);
    assert_non_null(h6_frame_ip(f, &ip));
    assert_memory_equal(f->data, mac_router, 6);
    assert_true(h6_addr_is(ip.src, SLAAC_ADDR));
    assert_int_equal(ip.hlim, 64);   /* the RA's Cur Hop Limit was 64 */
    /* RFC 4861 6.3.4: a nonzero Cur Hop Limit becomes our default; ND keeps 255. */
    uint8_t body[8] = { 0 }, icb[64], p[128];
    size_t il = h6_icmp(icb, ROUTER_LL, "ff02::1", ICMP6_ND_RA, 0, 99u << 24 | 1800, body, 8);
    size_t pn = h6_pkt(p, ROUTER_LL, "ff02::1", IP6_NH_ICMP6, 255, icb, il);
    h6_input_from(&h, mac_router, p, pn);
    assert_int_equal(synack_sendto(h.st, s, "x", 1, &to, h.now), 1);
    assert_non_null(h6_frame_ip(hx_pop(&h), &ip));
    assert_int_equal(ip.hlim, 99);
    h6_input_ns(&h, "2001:db8:1::2", "ff02::1:ff00:1", SLAAC_ADDR, 255);
    assert_non_null(h6_pop_type(&h, ICMP6_ND_NA, &ip, &ic));
    assert_int_equal(ip.hlim, 255);
    /* Preferred lifetime over: deprecated; valid lifetime over: gone. */
    hx_advance(&h, SYNACK_SEC(1800));
    assert_int_equal(addr_state(&h, SLAAC_ADDR), SYNACK_ADDR_DEPRECATED);
    hx_advance(&h, SYNACK_SEC(1800));
    assert_int_equal(addr_state(&h, SLAAC_ADDR), 0);
    /* (a)-(d): not autonomous, preferred > valid, not a /64: no address. */
    send_ra(&h, ROUTER_LL, 1800, "2001:db8:2::", 64, 0x80, 3600, 1800, 0);
    send_ra(&h, ROUTER_LL, 1800, "2001:db8:3::", 64, 0xc0, 100, 200, 0);
    send_ra(&h, ROUTER_LL, 1800, "2001:db8:4::", 48, 0xc0, 3600, 1800, 0);
    assert_int_equal(synack_if_addrs(h.st, h.ifi, NULL, 0), 2);   /* IPv4 and the link-local */
    hx_free(&h);
}

/* RFC 4862 5.5.3 (e): the two-hour rule. */
static void test_two_hour_rule(void **state)
{
    (void)state;
    struct hx h;
    slaac_init(&h);
    send_ra(&h, ROUTER_LL, 1800, "2001:db8:1::", 64, 0xc0, 86400, 86400, 0);
    assert_int_equal(addr_state(&h, SLAAC_ADDR), SYNACK_ADDR_PREFERRED);
    /* A valid lifetime of 60 s cannot cut the remaining day below two hours. */
    send_ra(&h, ROUTER_LL, 1800, "2001:db8:1::", 64, 0xc0, 60, 60, 0);
    hx_advance(&h, SYNACK_SEC(7199));
    assert_int_equal(addr_state(&h, SLAAC_ADDR), SYNACK_ADDR_DEPRECATED);
    /* With under two hours left, a shorter lifetime is ignored... */
    send_ra(&h, ROUTER_LL, 1800, "2001:db8:1::", 64, 0xc0, 0, 0, 0);
    hx_advance(&h, SYNACK_SEC(1));
    assert_int_equal(addr_state(&h, SLAAC_ADDR), 0);   /* ... and the two hours ran out here */
    /* A longer one than what remains is taken. */
    send_ra(&h, ROUTER_LL, 1800, "2001:db8:1::", 64, 0xc0, 600, 600, 0);
    send_ra(&h, ROUTER_LL, 1800, "2001:db8:1::", 64, 0xc0, 1200, 1200, 0);
    hx_advance(&h, SYNACK_SEC(1000));
    assert_int_equal(addr_state(&h, SLAAC_ADDR), SYNACK_ADDR_PREFERRED);
    hx_advance(&h, SYNACK_SEC(201));
    assert_int_equal(addr_state(&h, SLAAC_ADDR), 0);
    hx_free(&h);
}

/* RFC 4861 7.2.2: a solicitation comes from one of our addresses; when the address that matched
 * the target expires during resolution, from the link-local one, never from :: (which would be a
 * DAD probe telling the target its address is duplicate, RFC 4862 5.4.3). */
static void test_ns_source_after_expiry(void **state)
{
    (void)state;
    struct hx h;
    slaac_init(&h);
    send_ra(&h, ROUTER_LL, 1800, "2001:db8:1::", 64, 0xc0, 10, 10, 0);
    hx_advance(&h, SYNACK_MS(9500));
    hx_drain(&h);
    int s = synack_socket(h.st, SYNACK_SOCK_DGRAM);
    struct synack_sockaddr to = { h6_ip("2001:db8:1::2"), 9 };
    assert_int_equal(synack_sendto(h.st, s, "x", 1, &to, h.now), 1);
    struct ip6_hdr ip;
    struct icmp6_hdr ic;
    assert_non_null(h6_pop_type(&h, ICMP6_ND_NS, &ip, &ic));
    assert_true(h6_addr_is(ip.src, SLAAC_ADDR));
    hx_advance(&h, SYNACK_SEC(3));
    assert_int_equal(addr_state(&h, SLAAC_ADDR), 0);
    int n = 0;
    while (h6_pop_type(&h, ICMP6_ND_NS, &ip, &ic)) {
        assert_true(h6_addr_is(ip.src, H6_US_LL));
        n++;
    }
    assert_int_equal(n, 2);
    hx_free(&h);
}

/* RFC 4861 6.1.2: an RA whose source is not link-local is invalid: nothing learned from it. */
static void test_ra_not_link_local(void **state)
{
    (void)state;
    struct hx h;
    slaac_init(&h);
    send_ra(&h, "2001:db8::fe", 1800, "2001:db8:1::", 64, 0xc0, 3600, 1800, 1400);
    assert_int_equal(CTR(h.st, NdInInvalid), 1);
    assert_int_equal(addr_state(&h, SLAAC_ADDR), 0);
    assert_int_equal(CTR(h.st, Icmp6InRouterAdvertisements), 0);
    /* Hop limit below 255: invalid too. */
    uint8_t body[8] = { 0 }, ic[64], p[128];
    size_t il = h6_icmp(ic, ROUTER_LL, "ff02::1", ICMP6_ND_RA, 0, 1800, body, 8);
    size_t n = h6_pkt(p, ROUTER_LL, "ff02::1", IP6_NH_ICMP6, 64, ic, il);
    h6_input(&h, p, n);
    assert_int_equal(CTR(h.st, NdInInvalid), 2);
    hx_free(&h);
}

/* Sends len bytes of UDP to dst and returns how many frames went out, each checked to be at most
 * mtu bytes of IPv6 (plus Ethernet). */
static int udp_frames(struct hx *h, const char *dst, size_t len, unsigned mtu)
{
    static uint8_t data[4000];
    hx_drain(h);
    int s = synack_socket(h->st, SYNACK_SOCK_DGRAM);
    struct synack_sockaddr to = { h6_ip(dst), 9 };
    assert_int_equal(synack_sendto(h->st, s, data, len, &to, h->now), (int)len);
    synack_close(h->st, s, h->now);
    int n = 0;
    const struct hx_frame *f;
    while ((f = hx_pop(h))) {
        struct ip6_hdr ip;
        if (!h6_frame_ip(f, &ip) || !h6_addr_is(ip.dst, dst))
            continue;
        assert_true(f->len - ETH_HDR_LEN <= mtu);
        n++;
    }
    return n;
}

/* RFC 4861 6.3.4: an RA's MTU option sets the link MTU, between 1280 and the link's own. */
static void test_ra_mtu(void **state)
{
    (void)state;
    struct hx h;
    slaac_init(&h);
    send_ra(&h, ROUTER_LL, 1800, "2001:db8:1::", 64, 0xc0, 3600, 1800, 0);
    h6_input_na(&h, "2001:db8:1::2", SLAAC_ADDR, "2001:db8:1::2", ND_NA_OVERRIDE, hx_mac_peer);
    h6_input_ns(&h, "2001:db8:1::2", SLAAC_ADDR, SLAAC_ADDR, 255);   /* a STALE entry: no resolution */
    assert_int_equal(udp_frames(&h, "2001:db8:1::2", 1400, 1500), 1);
    send_ra(&h, ROUTER_LL, 1800, NULL, 0, 0, 0, 0, 1000);   /* below 1280: ignored */
    assert_int_equal(udp_frames(&h, "2001:db8:1::2", 1400, 1500), 1);
    send_ra(&h, ROUTER_LL, 1800, NULL, 0, 0, 0, 0, 9000);   /* above the link's: ignored */
    assert_int_equal(udp_frames(&h, "2001:db8:1::2", 1400, 1500), 1);
    send_ra(&h, ROUTER_LL, 1800, NULL, 0, 0, 0, 0, 1400);
    assert_int_equal(udp_frames(&h, "2001:db8:1::2", 1400, 1400), 2);
    assert_int_equal(udp_frames(&h, "2001:db8:1::2", 1352, 1400), 1);   /* 40 + 8 + 1352 = 1400 */
    hx_free(&h);
}

/* A Packet Too Big from `from` quoting a packet of ours to dst (its first 48 bytes, a UDP header
 * or the TCP header given). */
static void send_ptb(struct hx *h, const char *from, const char *dst, uint32_t mtu, uint8_t proto,
                     const uint8_t *l4, size_t l4_len)
{
    uint8_t quote[IP6_HDR_LEN + 64];
    size_t n = h6_pkt(quote, H6_US, dst, proto, 64, l4, l4_len);
    wire_put16(quote + 4, 1400);   /* the packet was bigger than what is quoted */
    h6_input_icmp(h, from, H6_US, 64, ICMP6_PKT_TOO_BIG, 0, mtu, quote, n);
}

/* RFC 8201 4, 5: a Packet Too Big lowers the path MTU of its destination, never below 1280. */
static void test_packet_too_big_udp(void **state)
{
    (void)state;
    struct hx h;
    h6_init(&h, 0);
    h6_learn(&h, H6_PEER);
    h6_learn(&h, "2001:db8::3");
    uint8_t udp[8] = { 0x80, 0, 0, 9, 0x05, 0x80, 0, 0 };
    assert_int_equal(udp_frames(&h, H6_PEER, 1400, 1500), 1);
    send_ptb(&h, "2001:db8::fe", H6_PEER, 1300, IP6_NH_UDP, udp, 8);
    assert_int_equal(CTR(h.st, Icmp6InPktTooBigs), 1);
    assert_int_equal(udp_frames(&h, H6_PEER, 1400, 1300), 2);
    assert_int_equal(udp_frames(&h, "2001:db8::3", 1400, 1500), 1);   /* another destination: not */
    /* RFC 8201 4: a quote whose source is not ours is ignored (counted). */
    uint8_t quote[IP6_HDR_LEN + 8];
    size_t qn = h6_pkt(quote, "2001:db8::99", H6_PEER, IP6_NH_UDP, 64, udp, 8);
    h6_input_icmp(&h, "2001:db8::fe", H6_US, 64, ICMP6_PKT_TOO_BIG, 0, 1280, quote, qn);
    assert_int_equal(CTR(h.st, Icmp6InPktTooBigNotOurs), 1);
    assert_int_equal(udp_frames(&h, H6_PEER, 1400, 1300), 2);
    /* A larger value does not raise it. */
    send_ptb(&h, "2001:db8::fe", H6_PEER, 1450, IP6_NH_UDP, udp, 8);
    assert_int_equal(udp_frames(&h, H6_PEER, 1400, 1300), 2);
    /* Below the minimum: 1280 (RFC 8021: no atomic fragments). */
    send_ptb(&h, "2001:db8::fe", H6_PEER, 600, IP6_NH_UDP, udp, 8);
    assert_int_equal(udp_frames(&h, H6_PEER, 1400, 1280), 2);
    assert_int_equal(udp_frames(&h, H6_PEER, 1232, 1280), 1);
    /* After the lifetime (10 minutes, RFC 8201 4), the link MTU again. */
    hx_advance(&h, SYNACK_SEC(601));
    h6_learn(&h, H6_PEER);
    assert_int_equal(udp_frames(&h, H6_PEER, 1400, 1500), 1);
    hx_free(&h);
}

/* RFC 8201 5.2: TCP's segments shrink to the path MTU a Packet Too Big reports. */
static void test_packet_too_big_tcp(void **state)
{
    (void)state;
    struct hx h;
    h6_init(&h, 0);
    h6_learn(&h, H6_PEER);
    int s = synack_socket(h.st, SYNACK_SOCK_STREAM);
    struct synack_sockaddr to = { h6_ip(H6_PEER), 80 };
    assert_int_equal(synack_connect(h.st, s, &to, h.now), -115);   /* EINPROGRESS */
    struct ip6_hdr ip;
    const struct hx_frame *f = hx_pop(&h);
    const uint8_t *p = h6_frame_ip(f, &ip);
    assert_non_null(p);
    assert_int_equal(ip.next, IP6_NH_TCP);
    struct tcp_hdr syn;
    uint64_t ph = wire_csum_pseudo6(ip.src, ip.dst, IP6_NH_TCP, 0);
    assert_int_equal(tcp_parse_ph(p + IP6_HDR_LEN, ip.plen, ph, 1, &syn), WIRE_OK);
    assert_int_equal(syn.opts.mss, 1500 - 40 - 20);   /* RFC 8200 8.3: the IPv6 header's 40 bytes */
    /* SYN-ACK with MSS 1440, then the ACK is ours. */
    uint8_t seg[64], pk[128];
    struct tcp_hdr sa = { .sport = 80, .dport = syn.sport, .seq = 5000, .ack = syn.seq + 1,
                          .flags = TCP_SYN | TCP_ACK, .win = 65535, .opts = { .has_mss = 1, .mss = 1440 } };
    size_t sl = tcp_build_ph(seg, &sa, 0, wire_csum_pseudo6(h6_ip(H6_PEER).b, h6_ip(H6_US).b, IP6_NH_TCP, 0));
    size_t n = h6_pkt(pk, H6_PEER, H6_US, IP6_NH_TCP, 64, seg, sl);
    h6_input(&h, pk, n);
    hx_drain(&h);
    static uint8_t data[6000];
    assert_int_equal(synack_send(h.st, s, data, sizeof(data), h.now), (int)sizeof(data));
    size_t first_len = 0;
    uint8_t first_hdr[20] = { 0 };
    int segs = 0;
    while ((f = hx_pop(&h))) {
        if (!(p = h6_frame_ip(f, &ip)) || ip.next != IP6_NH_TCP)
            continue;
        if (!segs++) {
            first_len = ip.plen;
            memcpy(first_hdr, p + IP6_HDR_LEN, 20);
        }
        assert_true(IP6_HDR_LEN + ip.plen <= 1500);
    }
    assert_true(segs > 0);
    assert_true(first_len > 1300);
    /* A Packet Too Big quoting a sequence number not in flight is forged or stale: counted, and the
     * path MTU stays (lowered under TCP's segments, which keep their size, it would lose them all):
     * a 1400-byte datagram to the peer still leaves whole. */
    uint8_t forged[20];
    memcpy(forged, first_hdr, 20);
    wire_put32(forged + 4, wire_get32(first_hdr + 4) + 1000000);
    send_ptb(&h, "2001:db8::fe", H6_PEER, 1300, IP6_NH_TCP, forged, 20);
    assert_int_equal(CTR(h.st, Icmp6InPktTooBigNotOurs), 1);
    assert_null(hx_pop(&h));   /* nothing resent */
    assert_int_equal(udp_frames(&h, H6_PEER, 1400, 1500), 1);
    /* The path to the peer carries 1300: the segments are resent at most that size. */
    send_ptb(&h, "2001:db8::fe", H6_PEER, 1300, IP6_NH_TCP, first_hdr, 20);
    int resent = 0;
    while ((f = hx_pop(&h))) {
        if (!(p = h6_frame_ip(f, &ip)) || ip.next != IP6_NH_TCP)
            continue;
        assert_true(IP6_HDR_LEN + ip.plen <= 1300);
        resent++;
    }
    assert_true(resent > 0);
    struct synack_tcp_info ti;
    assert_int_equal(synack_tcp_info(h.st, s, &ti), 0);
    hx_free(&h);
}

/* The groups of an MLDv2 report (RFC 3810 5.2) in *ic; returns how many records, each checked to
 * be CHANGE_TO_EXCLUDE_MODE with no source, and whether `group` is among them in *found. */
static unsigned mld_groups(const struct icmp6_hdr *ic, const char *group, int *found)
{
    unsigned n = ic->word & 0xffff;
    assert_int_equal(ic->body_len, n * 20);
    *found = 0;
    for (unsigned i = 0; i < n; i++) {
        const uint8_t *r = ic->body + 20 * i;
        assert_int_equal(r[0], 4);
        assert_int_equal(r[1], 0);
        assert_int_equal(wire_get16(r + 2), 0);
        if (h6_addr_is(r + 4, group))
            *found = 1;
    }
    return n;
}

/* The next frame must be an MLDv2 report to ff02::16 with hop limit 1 and a Router Alert. */
static void expect_mld(struct hx *h, struct icmp6_hdr *ic)
{
    struct ip6_hdr ip;
    const struct hx_frame *f = hx_pop(h);
    const uint8_t *p = h6_frame_ip(f, &ip);
    assert_non_null(p);
    h->rd--;
    assert_non_null(h6_pop_icmp(h, &ip, ic));
    assert_int_equal(ic->type, ICMP6_MLD2_REPORT);
    assert_true(h6_addr_is(ip.dst, "ff02::16"));
    assert_int_equal(ip.hlim, 1);
    uint8_t proto;
    int ra;
    h6_upper(p, &ip, &proto, &ra, NULL);
    assert_int_equal(ip.next, IP6_NH_HOPOPTS);
    assert_true(ra);
    const uint8_t mac[6] = { 0x33, 0x33, 0, 0, 0, 0x16 };
    assert_memory_equal(f->data, mac, 6);
}

/* RFC 3810 5.2, 6: reports of the solicited-node groups on joining and to a query. */
static void test_mld(void **state)
{
    (void)state;
    struct hx h;
    struct synack_config c;
    synack_config_init(&c);
    synack_config_seed_u64(&c, 1);
    assert_true(hx_init(&h, &c) >= 0);
    assert_int_equal(synack_if_enable_ipv6(h.st, h.ifi, 0, h.now), 0);
    struct icmp6_hdr ic;
    int found;
    expect_mld(&h, &ic);
    assert_int_equal(mld_groups(&ic, "ff02::1:ff00:1", &found), 1);
    assert_true(found);
    assert_null(hx_pop(&h));
    struct synack_ip a = h6_ip("2001:db8::5:6");
    assert_int_equal(synack_if_add_addr6(h.st, h.ifi, &a, 64, h.now), 0);
    expect_mld(&h, &ic);
    assert_int_equal(mld_groups(&ic, "ff02::1:ff05:6", &found), 2);
    assert_true(found);
    hx_advance(&h, SYNACK_SEC(2));
    hx_drain(&h);
    /* A general query (MLDv2, RFC 3810 5.1) from a link-local router with hop limit 1. */
    uint8_t q[20] = { 0 };
    h6_input_icmp(&h, ROUTER_LL, "ff02::1", 1, ICMP6_MLD_QUERY, 0, 1000u << 16, q, sizeof(q));
    expect_mld(&h, &ic);
    assert_int_equal(mld_groups(&ic, "ff02::1:ff00:1", &found), 2);
    assert_true(found);
    /* A query with another hop limit or from a global source is not valid (5.1.14). */
    h6_input_icmp(&h, ROUTER_LL, "ff02::1", 64, ICMP6_MLD_QUERY, 0, 1000u << 16, q, sizeof(q));
    h6_input_icmp(&h, H6_PEER, "ff02::1", 1, ICMP6_MLD_QUERY, 0, 1000u << 16, q, sizeof(q));
    assert_null(hx_pop(&h));
    hx_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dad),        cmocka_unit_test(test_slaac),
        cmocka_unit_test(test_two_hour_rule), cmocka_unit_test(test_ra_not_link_local),
        cmocka_unit_test(test_ra_mtu),     cmocka_unit_test(test_packet_too_big_udp),
        cmocka_unit_test(test_packet_too_big_tcp), cmocka_unit_test(test_mld),
        cmocka_unit_test(test_ns_source_after_expiry), cmocka_unit_test(test_dad_linklocal_disables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
