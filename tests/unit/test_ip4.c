/* Unit tests of IPv4 input and output (src/net/ip4_in.c, ip4_out.c) against RFC 791 and RFC 1122
 * 3.2.1: every malformed header dropped and counted under the right counter, the address rules
 * (martian sources, destinations that are not ours, link-layer broadcasts), delivery of what is
 * good, and the header and fragments we send. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>

#include "lib/harness.h"
#include "net/ip4.h"
#include "core/ctx.h"

#define PORT 5000

struct ctx {
    struct hx h;
    int s;   /* UDP socket bound to *:5000 */
};

static int setup(void **state)
{
    struct ctx *c = calloc(1, sizeof(*c));
    hx_init(&c->h, NULL);
    hx_learn(&c->h, HX_PEER, hx_mac_peer);
    c->s = synack_socket(c->h.st, SYNACK_SOCK_DGRAM);
    struct synack_sockaddr a = { synack_ip_any6(), PORT };
    assert_int_equal(synack_bind(c->h.st, c->s, &a), 0);
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    struct ctx *c = *state;
    hx_free(&c->h);
    free(c);
    return 0;
}

/* A valid UDP-in-IPv4 packet from src to dst:5000 with payload "hello"; returns its length. */
static size_t good_packet(uint8_t *out, uint32_t src, uint32_t dst)
{
    uint8_t u[64];
    size_t ul = hx_udp(u, src, dst, 1234, PORT, "hello", 5);
    return hx_ip(out, src, dst, IP4_PROTO_UDP, 1, 0, u, ul);
}

static int received(struct ctx *c)
{
    char buf[64];
    int n = synack_recvfrom(c->h.st, c->s, buf, sizeof(buf), NULL, c->h.now);
    if (n < 0)
        return 0;
    assert_int_equal(n, 5);
    assert_memory_equal(buf, "hello", 5);
    return 1;
}

static void test_good_packet_delivered(void **state)
{
    struct ctx *c = *state;
    uint8_t p[128];
    size_t n = good_packet(p, HX_PEER, HX_US);
    hx_input_ip(&c->h, p, n);
    assert_true(received(c));
    assert_int_equal(CTR(c->h.st, InReceives), 1);
    assert_int_equal(CTR(c->h.st, InDelivers), 1);
    /* Ethernet pads short frames: bytes beyond the total length are ignored. */
    uint8_t padded[128] = { 0 };
    memcpy(padded, p, n);
    hx_input_ip(&c->h, padded, n + 20);
    assert_true(received(c));
    /* RFC 1122 3.2.1.7: a host MUST NOT discard a datagram because its TTL is below 2. */
    p[8] = 0;
    hx_ip_fix_csum(p);
    hx_input_ip(&c->h, p, n);
    assert_true(received(c));
    assert_int_equal(CTR(c->h.st, InHdrErrors), 0);
}

static void test_bad_headers_counted(void **state)
{
    struct ctx *c = *state;
    uint8_t p[128];
    size_t n;
    struct { const char *what; int field; uint8_t value; int fix; enum synack_counter ctr; } cases[] = {
        { "version 6", 0, 0x65, 1, SYNACK_C_InHdrErrors },          /* RFC 1122 3.2.1.1 */
        { "IHL 4", 0, 0x44, 1, SYNACK_C_InHdrErrors },
        { "bad checksum", 10, 0x00, 0, SYNACK_C_InHdrErrors },      /* RFC 1122 3.2.1.2 */
        { "total length < IHL", 3, 10, 1, SYNACK_C_InHdrErrors },
        { "total length > frame", 3, 200, 1, SYNACK_C_InTruncatedPkts },
        { "IHL > frame", 0, 0x4f, 1, SYNACK_C_InHdrErrors },
    };
    uint64_t want[SYNACK_C_COUNT] = { 0 };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        n = good_packet(p, HX_PEER, HX_US);
        p[cases[i].field] = cases[i].value;
        if (cases[i].field == 10)
            p[11] ^= 0x5a;
        if (cases[i].fix && cases[i].field != 0)
            hx_ip_fix_csum(p);
        else if (cases[i].fix)
            wire_put16(p + 10, 0), wire_put16(p + 10, wire_csum(p, 20));
        hx_input_ip(&c->h, p, n);
        want[cases[i].ctr]++;
        if (CTR(c->h.st, InHdrErrors) != want[SYNACK_C_InHdrErrors] ||
            CTR(c->h.st, InTruncatedPkts) != want[SYNACK_C_InTruncatedPkts])
            fail_msg("case '%s' counted wrongly", cases[i].what);
        assert_false(received(c));
    }
    /* Shorter than a header. */
    n = good_packet(p, HX_PEER, HX_US);
    hx_input_ip(&c->h, p, 19);
    assert_int_equal(CTR(c->h.st, InHdrErrors), want[SYNACK_C_InHdrErrors] + 1);
    /* An option whose length runs past the header (RFC 791 3.1). */
    uint8_t q[128];
    size_t ql = good_packet(q, HX_PEER, HX_US);
    memmove(q + 24, q + 20, ql - 20);
    q[0] = 0x46;
    wire_put16(q + 2, (uint16_t)(ql + 4));
    q[20] = 7;    /* record route */
    q[21] = 8;    /* longer than the 4 option bytes */
    q[22] = 4;
    q[23] = 0;
    hx_ip_fix_csum(q);
    hx_input_ip(&c->h, q, ql + 4);
    assert_int_equal(CTR(c->h.st, InHdrErrors), want[SYNACK_C_InHdrErrors] + 2);
    assert_false(received(c));
    /* Valid options (NOP, NOP, NOP, EOL) are skipped and the datagram delivered; the UDP
     * checksum does not cover IP options. */
    q[20] = 1;
    q[21] = 1;
    q[22] = 1;
    q[23] = 0;
    hx_ip_fix_csum(q);
    hx_input_ip(&c->h, q, ql + 4);
    assert_true(received(c));
    /* Nothing answered any of it. */
    assert_int_equal(hx_pending(&c->h), 0);
}

static void test_martian_sources(void **state)
{
    struct ctx *c = *state;
    /* RFC 1122 3.2.1.3: zero network, loopback, multicast, class E, limited broadcast, the
     * directed broadcast of our network and its old {net, 0} form. */
    static const uint32_t bad[] = { 0x00000000u, 0x00000005u, 0x7f000001u, 0xe0000001u, 0xf0000001u,
                                    0xffffffffu, HX_BCAST, 0x0a000000u };
    uint8_t p[128];
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        size_t n = good_packet(p, bad[i], HX_US);
        hx_input_ip(&c->h, p, n);
        assert_int_equal(CTR(c->h.st, InAddrErrors), i + 1);
        assert_false(received(c));
    }
    /* Nothing was delivered or answered. */
    assert_int_equal(hx_pending(&c->h), 0);
    assert_int_equal(CTR(c->h.st, InDelivers), 0);
}

static void test_destinations(void **state)
{
    struct ctx *c = *state;
    uint8_t p[128];
    size_t n;
    /* Not ours: another host, a multicast group we did not join, loopback. */
    static const uint32_t other[] = { 0x0a000007u, 0xe0000001u, 0x7f000001u, 0xc0a80001u };
    for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
        n = good_packet(p, HX_PEER, other[i]);
        hx_input_ip(&c->h, p, n);
        assert_false(received(c));
    }
    assert_int_equal(CTR(c->h.st, InAddrErrors), 4);
    /* Ours: limited broadcast, directed broadcast, and {net, 0} (RFC 1122 3.3.6 SHOULD accept). */
    static const uint32_t bc[] = { 0xffffffffu, HX_BCAST, 0x0a000000u };
    for (size_t i = 0; i < sizeof(bc) / sizeof(bc[0]); i++) {
        n = good_packet(p, HX_PEER, bc[i]);
        uint8_t f[160];
        size_t fl = hx_eth(f, hx_mac_bcast, hx_mac_peer, ETH_TYPE_IPV4, p, n);
        hx_input(&c->h, f, fl);
        assert_true(received(c));
    }
    assert_int_equal(CTR(c->h.st, InAddrErrors), 4);
}

static void test_link_broadcast_unicast_ip_dropped(void **state)
{
    struct ctx *c = *state;
    /* RFC 1122 3.3.6: a unicast IP datagram in a link-layer broadcast frame SHOULD be dropped,
     * and 3.2.2: no ICMP error about it (here: UDP to a closed port). */
    uint8_t p[128], f[160];
    uint8_t u[64];
    size_t ul = hx_udp(u, HX_PEER, HX_US, 1234, 4444, "hello", 5);
    size_t n = hx_ip(p, HX_PEER, HX_US, IP4_PROTO_UDP, 1, 0, u, ul);
    size_t fl = hx_eth(f, hx_mac_bcast, hx_mac_peer, ETH_TYPE_IPV4, p, n);
    hx_input(&c->h, f, fl);
    assert_int_equal(CTR(c->h.st, InAddrErrors), 1);
    assert_int_equal(CTR(c->h.st, UdpNoPorts), 0);
    assert_int_equal(hx_pending(&c->h), 0);
    /* The same datagram sent to our MAC is answered with port unreachable. */
    fl = hx_eth(f, hx_mac_us, hx_mac_peer, ETH_TYPE_IPV4, p, n);
    hx_input(&c->h, f, fl);
    assert_int_equal(CTR(c->h.st, UdpNoPorts), 1);
    assert_int_equal(hx_pending(&c->h), 1);
}

static void test_unknown_protocol(void **state)
{
    struct ctx *c = *state;
    uint8_t p[128];
    size_t n = hx_ip(p, HX_PEER, HX_US, 99, 5, 0, (const uint8_t *)"12345678abcd", 12);
    hx_input_ip(&c->h, p, n);
    assert_int_equal(CTR(c->h.st, InUnknownProtos), 1);
    assert_int_equal(CTR(c->h.st, InDelivers), 0);
    /* RFC 1122 3.2.2.1: protocol unreachable, quoting the header and 8 bytes. */
    const struct hx_frame *f = hx_pop(&c->h);
    assert_non_null(f);
    struct ip4_hdr ip;
    const uint8_t *r = hx_frame_ip(&c->h, f, &ip);
    assert_non_null(r);
    assert_int_equal(ip.proto, IP4_PROTO_ICMP);
    assert_int_equal(r[20], ICMP_DEST_UNREACH);
    assert_int_equal(r[21], ICMP_UNREACH_PROTO);
    assert_int_equal(ip.total_len, 20 + 8 + 20 + 8);
    assert_memory_equal(r + 28, p, 28);
}

static void test_rawip_interface(void **state)
{
    struct hx h;
    hx_init_kind(&h, NULL, SYNACK_IF_RAWIP);
    int s = synack_socket(h.st, SYNACK_SOCK_DGRAM);
    struct synack_sockaddr a = { synack_ip_any6(), PORT };
    synack_bind(h.st, s, &a);
    uint8_t p[128];
    size_t n = good_packet(p, HX_PEER, HX_US);
    hx_input(&h, p, n);
    char buf[16];
    assert_int_equal(synack_recvfrom(h.st, s, buf, sizeof(buf), NULL, h.now), 5);
    assert_int_equal(CTR(h.st, EthInFrames), 0);
    /* Output is a bare IP packet, no ARP. */
    struct synack_sockaddr to = synack_sockaddr_from_v4(HX_PEER, 7);
    assert_int_equal(synack_sendto(h.st, s, "x", 1, &to, h.now), 1);
    const struct hx_frame *f = hx_pop(&h);
    assert_non_null(f);
    assert_int_equal(f->data[0], 0x45);
    assert_int_equal(f->len, 29);
    hx_free(&h);
}

static void test_output_header(void **state)
{
    struct ctx *c = *state;
    struct synack_sockaddr to = synack_sockaddr_from_v4(HX_PEER, 7);
    for (int i = 0; i < 3; i++)
        assert_int_equal(synack_sendto(c->h.st, c->s, "abc", 3, &to, c->h.now), 3);
    uint16_t id0 = 0;
    for (int i = 0; i < 3; i++) {
        const struct hx_frame *f = hx_pop(&c->h);
        struct ip4_hdr ip;
        const uint8_t *p = hx_frame_ip(&c->h, f, &ip);
        assert_non_null(p);   /* parses, so version, IHL and checksum are right */
        assert_int_equal(ip.ihl, 20);
        assert_int_equal(ip.total_len, 20 + 8 + 3);
        assert_int_equal(ip.ttl, 64);
        assert_int_equal(ip.frag, 0);
        assert_int_equal(ip.src, HX_US);
        assert_int_equal(ip.dst, HX_PEER);
        if (i == 0)
            id0 = ip.id;
        else
            assert_int_equal(ip.id, (uint16_t)(id0 + i));   /* RFC 791: unique per datagram */
    }
    assert_int_equal(CTR(c->h.st, OutRequests), 3);
}

static void test_default_ttl_zero_means_default(void **state)
{
    /* RFC 1122 3.2.1.7: never send TTL 0, even when the config field was left zero. */
    struct synack_config cfg;
    synack_config_init(&cfg);
    cfg.default_ttl = 0;
    struct hx h;
    hx_init(&h, &cfg);
    hx_learn(&h, HX_PEER, hx_mac_peer);
    int s = synack_socket(h.st, SYNACK_SOCK_DGRAM);
    struct synack_sockaddr to = synack_sockaddr_from_v4(HX_PEER, 7);
    synack_sendto(h.st, s, "abc", 3, &to, h.now);
    struct ip4_hdr ip;
    assert_non_null(hx_frame_ip(&h, hx_pop(&h), &ip));
    assert_int_equal(ip.ttl, 64);
    hx_free(&h);
}

static void test_fragmentation(void **state)
{
    struct ctx *c = *state;
    uint8_t data[3000];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i * 7);
    struct synack_sockaddr to = synack_sockaddr_from_v4(HX_PEER, 7);
    assert_int_equal(synack_sendto(c->h.st, c->s, data, sizeof(data), &to, c->h.now), 3000);
    /* 3008 bytes of UDP over a 1500-byte MTU: 1480 + 1480 + 48, offsets in 8-byte units. */
    static const size_t want_len[] = { 1480, 1480, 48 };
    uint8_t whole[3008];
    uint16_t id = 0;
    for (int i = 0; i < 3; i++) {
        const struct hx_frame *f = hx_pop(&c->h);
        struct ip4_hdr ip;
        const uint8_t *p = hx_frame_ip(&c->h, f, &ip);
        assert_non_null(p);
        assert_true(f->len <= 14 + 1500);
        assert_int_equal(ip.total_len - ip.ihl, want_len[i]);
        assert_int_equal(ip4_frag_offset(&ip), 1480u * (unsigned)i);
        assert_int_equal(ip4_more_frags(&ip), i < 2);
        assert_int_equal(ip.frag & IP4_FLAG_DF, 0);
        if (i == 0)
            id = ip.id;
        assert_int_equal(ip.id, id);
        memcpy(whole + ip4_frag_offset(&ip), p + ip.ihl, want_len[i]);
    }
    assert_null(hx_pop(&c->h));
    assert_memory_equal(whole + 8, data, sizeof(data));
    assert_int_equal(CTR(c->h.st, FragOKs), 1);
    assert_int_equal(CTR(c->h.st, FragCreates), 3);
}

static void test_output_refusals(void **state)
{
    struct ctx *c = *state;
    /* DF and too big (TCP's PMTU discovery): refused, counted. */
    struct buf *b = buf_alloc(NULL, BUF_HEADROOM, 2000);
    memset(b->data, 0, 2000);
    b->len = 2000;
    struct ip4_out o = { .dst = HX_PEER, .proto = 253, .df = 1 };
    assert_int_equal(ip4_output(c->h.st, &o, b, c->h.now), -EMSGSIZE);
    assert_int_equal(CTR(c->h.st, FragFails), 1);
    assert_int_equal(CTR(c->h.st, OutDiscards), 1);
    /* No route off-link without a gateway; with one, the gateway's MAC is resolved. */
    struct synack_sockaddr far = synack_sockaddr_from_v4(0x08080808u, 53);
    assert_int_equal(synack_sendto(c->h.st, c->s, "q", 1, &far, c->h.now), -ENETUNREACH);
    assert_int_equal(CTR(c->h.st, OutNoRoutes), 0);   /* refused before a datagram existed */
    assert_int_equal(synack_route_set_gateway(c->h.st, 0xc0a80001u), -ENETUNREACH);
    assert_int_equal(synack_route_set_gateway(c->h.st, HX_PEER), 0);
    assert_int_equal(synack_sendto(c->h.st, c->s, "q", 1, &far, c->h.now), 1);
    const struct hx_frame *f = hx_pop(&c->h);
    assert_non_null(f);
    assert_memory_equal(f->data, hx_mac_peer, 6);
    struct ip4_hdr ip;
    assert_non_null(hx_frame_ip(&c->h, f, &ip));
    assert_int_equal(ip.dst, 0x08080808u);
    assert_int_equal(hx_pending(&c->h), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_good_packet_delivered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_headers_counted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_martian_sources, setup, teardown),
        cmocka_unit_test_setup_teardown(test_destinations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_link_broadcast_unicast_ip_dropped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_protocol, setup, teardown),
        cmocka_unit_test(test_rawip_interface),
        cmocka_unit_test_setup_teardown(test_output_header, setup, teardown),
        cmocka_unit_test(test_default_ttl_zero_means_default),
        cmocka_unit_test_setup_teardown(test_fragmentation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_output_refusals, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
