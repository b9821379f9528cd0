/* Unit tests of ICMP (src/net/icmp.c) against RFC 792 and RFC 1122 3.2.2: echo replies carry the
 * request's data back, port unreachable quotes the header and 64 bits, the error rate limit (a
 * token bucket) holds, and no error is sent about an ICMP error, a broadcast, a non-first
 * fragment or a source that is not one host. Errors received reach the UDP socket they concern. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>

#include "lib/harness.h"
#include "net/icmp.h"
#include "core/ctx.h"
#include "socket/sock.h"

static void setup_hx(struct hx *h, const struct synack_config *cfg)
{
    hx_init(h, cfg);
    hx_learn(h, HX_PEER, hx_mac_peer);
}

/* Sends a UDP datagram from the peer to a closed port (dst may be a broadcast). */
static void udp_to_closed(struct hx *h, uint32_t dst)
{
    static const char data[20] = "0123456789abcdefghij";
    uint8_t u[64], p[128], f[160];
    size_t ul = hx_udp(u, HX_PEER, dst, 1111, 2222, data, sizeof(data));
    size_t n = hx_ip(p, HX_PEER, dst, IP4_PROTO_UDP, 9, 0, u, ul);
    int bc = dst != HX_US;
    size_t fl = hx_eth(f, bc ? hx_mac_bcast : hx_mac_us, hx_mac_peer, ETH_TYPE_IPV4, p, n);
    hx_input(h, f, fl);
}

/* Parses a captured ICMP message; returns its bytes (after the IP header) or NULL. */
static const uint8_t *icmp_of(struct hx *h, const struct hx_frame *f, struct ip4_hdr *ip, struct icmp_hdr *ic)
{
    if (!f)
        return NULL;
    const uint8_t *p = hx_frame_ip(h, f, ip);
    if (!p || ip->proto != IP4_PROTO_ICMP)
        return NULL;
    assert_int_equal(icmp_parse(p + ip->ihl, ip->total_len - ip->ihl, ic), 0);   /* checksum ok */
    return p + ip->ihl;
}

static void test_echo_reply_equals_request(void **state)
{
    struct hx h;
    setup_hx(&h, NULL);
    uint8_t data[300], ic[400], p[500];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(255 - i);
    size_t il = hx_icmp_echo(ic, ICMP_ECHO_REQUEST, 0xbeef, 17, data, sizeof(data));
    size_t n = hx_ip(p, HX_PEER, HX_US, IP4_PROTO_ICMP, 3, 0, ic, il);
    hx_input_ip(&h, p, n);
    struct ip4_hdr ip;
    struct icmp_hdr r;
    assert_non_null(icmp_of(&h, hx_pop(&h), &ip, &r));
    assert_int_equal(ip.src, HX_US);
    assert_int_equal(ip.dst, HX_PEER);
    assert_int_equal(r.type, ICMP_ECHO_REPLY);
    assert_int_equal(r.code, 0);
    assert_int_equal(r.id, 0xbeef);
    assert_int_equal(r.seq, 17);
    assert_int_equal(r.body_len, sizeof(data));
    assert_memory_equal(r.body, data, sizeof(data));
    assert_int_equal(CTR(h.st, IcmpInEchos), 1);
    assert_int_equal(CTR(h.st, IcmpOutEchoReps), 1);
    /* Bad checksum and short messages: counted, not answered. */
    ic[2] ^= 1;
    n = hx_ip(p, HX_PEER, HX_US, IP4_PROTO_ICMP, 4, 0, ic, il);
    hx_input_ip(&h, p, n);
    n = hx_ip(p, HX_PEER, HX_US, IP4_PROTO_ICMP, 5, 0, ic, 4);
    hx_input_ip(&h, p, n);
    assert_int_equal(CTR(h.st, IcmpInErrors), 2);
    assert_null(hx_pop(&h));
    hx_free(&h);
}

static void test_echo_to_broadcast_not_answered(void **state)
{
    struct hx h;
    setup_hx(&h, NULL);
    uint8_t ic[64], p[128], f[160];
    size_t il = hx_icmp_echo(ic, ICMP_ECHO_REQUEST, 1, 1, "x", 1);
    size_t n = hx_ip(p, HX_PEER, HX_BCAST, IP4_PROTO_ICMP, 3, 0, ic, il);
    size_t fl = hx_eth(f, hx_mac_bcast, hx_mac_peer, ETH_TYPE_IPV4, p, n);
    hx_input(&h, f, fl);
    /* RFC 1122 3.2.2.6: MAY be discarded; we do (no smurf amplification). */
    assert_int_equal(CTR(h.st, IcmpInEchos), 1);
    assert_null(hx_pop(&h));
    hx_free(&h);
}

static void test_port_unreachable_quote(void **state)
{
    struct hx h;
    setup_hx(&h, NULL);
    udp_to_closed(&h, HX_US);
    assert_int_equal(CTR(h.st, UdpNoPorts), 1);
    struct ip4_hdr ip;
    struct icmp_hdr r;
    const uint8_t *m = icmp_of(&h, hx_pop(&h), &ip, &r);
    assert_non_null(m);
    assert_int_equal(ip.dst, HX_PEER);
    assert_int_equal(ip.src, HX_US);
    assert_int_equal(r.type, ICMP_DEST_UNREACH);
    assert_int_equal(r.code, ICMP_UNREACH_PORT);
    assert_int_equal(wire_get32(m + 4), 0);   /* RFC 792: unused, zero */
    /* RFC 792: "the internet header plus the first 64 bits of the original datagram's data". */
    assert_int_equal(r.body_len, 20 + 8);
    struct ip4_hdr q;
    assert_int_equal(ip4_parse(r.body, 28, &q), WIRE_ERR_TRUNC);   /* header intact, data cut */
    assert_int_equal(r.body[0], 0x45);
    assert_int_equal(wire_get32(r.body + 12), HX_PEER);
    assert_int_equal(wire_get32(r.body + 16), HX_US);
    assert_int_equal(wire_get16(r.body + 20), 1111);
    assert_int_equal(wire_get16(r.body + 22), 2222);
    assert_int_equal(CTR(h.st, IcmpOutDestUnreachs), 1);
    assert_int_equal(CTR(h.st, IcmpOutMsgs), 1);
    /* Not for a broadcast (RFC 1122 3.2.2, 4.1.3.1). */
    udp_to_closed(&h, HX_BCAST);
    udp_to_closed(&h, 0xffffffffu);
    assert_int_equal(CTR(h.st, UdpNoPorts), 3);
    assert_null(hx_pop(&h));
    hx_free(&h);
}

static void test_rate_limit_holds(void **state)
{
    struct hx h;
    setup_hx(&h, NULL);   /* defaults: 100 per second, bursts of 50 */
    for (int i = 0; i < 200; i++)
        udp_to_closed(&h, HX_US);
    assert_int_equal(hx_pending(&h), 50);
    assert_int_equal(CTR(h.st, IcmpOutRateLimited), 150);
    hx_drain(&h);
    /* 100 ms later, 10 more tokens. */
    h.now += SYNACK_MS(100);
    for (int i = 0; i < 20; i++)
        udp_to_closed(&h, HX_US);
    assert_int_equal(hx_pending(&h), 10);
    hx_drain(&h);
    /* A long quiet period refills to the burst, no more. */
    h.now += SYNACK_SEC(3600);
    for (int i = 0; i < 100; i++)
        udp_to_closed(&h, HX_US);
    assert_int_equal(hx_pending(&h), 50);
    /* Over 10 s of steady overload, no more than burst + rate * time get out. */
    hx_drain(&h);
    synack_time_t t0 = h.now;
    size_t sent = 0;
    for (int i = 0; i < 10000; i++) {
        h.now = t0 + (synack_time_t)i * 1000;
        udp_to_closed(&h, HX_US);
    }
    sent = hx_pending(&h);
    assert_true(sent <= 1000 + 1);
    assert_true(sent >= 1000 - 1);
    hx_free(&h);
}

static void test_rate_limit_from_time_zero(void **state)
{
    /* A run whose clock starts at 0 (as simulations do) refills on time like any other. */
    struct synack_config cfg;
    synack_config_init(&cfg);
    cfg.icmp_err_rate = 1;
    cfg.icmp_err_burst = 2;
    struct hx h;
    setup_hx(&h, &cfg);
    h.now = 0;
    for (int i = 0; i < 3; i++)
        udp_to_closed(&h, HX_US);
    assert_int_equal(hx_pending(&h), 2);
    hx_drain(&h);
    h.now = SYNACK_SEC(1);
    udp_to_closed(&h, HX_US);
    assert_int_equal(hx_pending(&h), 1);
    hx_free(&h);
}

/* Calls icmp_send_error for a datagram described by its header. */
static size_t error_about(struct hx *h, uint32_t src, uint32_t dst, uint8_t proto, uint16_t frag,
                          const uint8_t *payload, size_t len)
{
    uint8_t p[128];
    size_t n = hx_ip(p, src, dst, proto, 1, frag, payload, len);
    struct ip4_hdr ip;
    assert_int_equal(ip4_parse(p, n, &ip), WIRE_OK);
    size_t before = h->nout;
    icmp_send_error(h->st, ICMP_DEST_UNREACH, ICMP_UNREACH_PROTO, 0, &ip, p, h->now);
    return h->nout - before;
}

static void test_never_error_about(void **state)
{
    struct hx h;
    setup_hx(&h, NULL);
    uint8_t udp[16] = { 0 };
    uint8_t echo[16], unreach[36];
    size_t el = hx_icmp_echo(echo, ICMP_ECHO_REQUEST, 1, 1, "abcdefgh", 8);
    struct icmp_hdr u = { .type = ICMP_DEST_UNREACH, .code = 3, .body = udp, .body_len = 16 };
    size_t ul = icmp_build(unreach, &u);
    /* The control: a plain datagram from the peer gets its error. */
    assert_int_equal(error_about(&h, HX_PEER, HX_US, IP4_PROTO_UDP, 0, udp, 16), 1);
    /* An ICMP query may be answered with an error; an ICMP error never. */
    assert_int_equal(error_about(&h, HX_PEER, HX_US, IP4_PROTO_ICMP, 0, echo, el), 1);
    assert_int_equal(error_about(&h, HX_PEER, HX_US, IP4_PROTO_ICMP, 0, unreach, ul), 0);
    /* A non-initial fragment. */
    assert_int_equal(error_about(&h, HX_PEER, HX_US, IP4_PROTO_UDP, 185, udp, 16), 0);
    /* Broadcast or multicast destinations. */
    assert_int_equal(error_about(&h, HX_PEER, HX_BCAST, IP4_PROTO_UDP, 0, udp, 16), 0);
    assert_int_equal(error_about(&h, HX_PEER, 0xffffffffu, IP4_PROTO_UDP, 0, udp, 16), 0);
    assert_int_equal(error_about(&h, HX_PEER, 0xe0000001u, IP4_PROTO_UDP, 0, udp, 16), 0);
    /* Sources that are not one host: zero, loopback, broadcast, multicast, class E, ourselves. */
    static const uint32_t bad_src[] = { 0, 0x7f000001u, 0xffffffffu, HX_BCAST, 0xe0000005u, 0xf0000001u,
                                        HX_US };
    for (size_t i = 0; i < sizeof(bad_src) / sizeof(bad_src[0]); i++)
        assert_int_equal(error_about(&h, bad_src[i], HX_US, IP4_PROTO_UDP, 0, udp, 16), 0);
    hx_free(&h);
}

static void test_error_received_reaches_udp_socket(void **state)
{
    struct hx h;
    setup_hx(&h, NULL);
    int s = synack_socket(h.st, SYNACK_SOCK_DGRAM);
    struct synack_sockaddr a = { synack_ip_any6(), 4000 };
    synack_bind(h.st, s, &a);
    /* Only a connected socket hears of errors (RFC 1122 4.1.3.3, as BSD does). */
    struct synack_sockaddr peer = { synack_ip_from_v4(HX_PEER), 53 };
    assert_int_equal(synack_connect(h.st, s, &peer, h.now), 0);
    /* The peer says port 53 is closed, quoting our datagram 4000 -> 53. */
    uint8_t orig[64], u[16], ic[128], p[200];
    size_t ul = hx_udp(u, HX_US, HX_PEER, 4000, 53, "", 0);
    size_t ol = hx_ip(orig, HX_US, HX_PEER, IP4_PROTO_UDP, 1, 0, u, ul);
    struct icmp_hdr m = { .type = ICMP_DEST_UNREACH, .code = ICMP_UNREACH_PORT, .body = orig, .body_len = ol };
    size_t ml = icmp_build(ic, &m);
    size_t n = hx_ip(p, HX_PEER, HX_US, IP4_PROTO_ICMP, 2, 0, ic, ml);
    hx_input_ip(&h, p, n);
    assert_int_equal(CTR(h.st, IcmpInDestUnreachs), 1);
    assert_true(synack_socket_events(h.st, s) & SYNACK_EV_ERR);
    char buf[8];
    assert_int_equal(synack_recvfrom(h.st, s, buf, sizeof(buf), NULL, h.now), -ECONNREFUSED);
    /* A quote too short to name a socket is counted. */
    m.body_len = 20;
    ml = icmp_build(ic, &m);
    n = hx_ip(p, HX_PEER, HX_US, IP4_PROTO_ICMP, 3, 0, ic, ml);
    hx_input_ip(&h, p, n);
    assert_int_equal(CTR(h.st, IcmpInErrors), 1);
    assert_int_equal(synack_socket_error(h.st, s), 0);
    /* We answer none of these. */
    assert_null(hx_pop(&h));
    hx_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_echo_reply_equals_request),
        cmocka_unit_test(test_echo_to_broadcast_not_answered),
        cmocka_unit_test(test_port_unreachable_quote),
        cmocka_unit_test(test_rate_limit_holds),
        cmocka_unit_test(test_rate_limit_from_time_zero),
        cmocka_unit_test(test_never_error_about),
        cmocka_unit_test(test_error_received_reaches_udp_socket),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
