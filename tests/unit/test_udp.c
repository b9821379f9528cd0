/* Unit tests of UDP (src/net/udp.c; RFC 768, RFC 1122 4.1) through the socket API: binding
 * (ephemeral ports in the configured range and random, RFC 6056; EADDRINUSE), sendto/recvfrom,
 * the receive queue limit, checksum 0 ("not computed") accepted, bad checksums and lengths
 * counted, and which socket gets a datagram when several could. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>

#include "lib/harness.h"
#include "socket/sock.h"
#include "udp/udp.h"

static void setup_hx(struct hx *h, const struct synack_config *cfg)
{
    hx_init(h, cfg);
    hx_learn(h, HX_PEER, hx_mac_peer);
}

static int udp_sock(struct hx *h, uint32_t addr, uint16_t port)
{
    int s = synack_socket(h->st, SYNACK_SOCK_DGRAM);
    assert_true(s >= 0);
    struct synack_sockaddr a = synack_sockaddr_from_v4(addr, port);
    int r = synack_bind(h->st, s, &a);
    return r < 0 ? r : s;
}

static void test_ephemeral_ports(void **state)
{
    struct synack_config cfg;
    synack_config_init(&cfg);
    synack_config_seed_u64(&cfg, 1);
    cfg.eph_port_min = 40000;
    cfg.eph_port_max = 40009;
    struct hx h;
    setup_hx(&h, &cfg);
    int seen[10] = { 0 };
    uint16_t first = 0;
    for (int i = 0; i < 10; i++) {
        int s = udp_sock(&h, 0, 0);
        assert_true(s >= 0);
        struct synack_sockaddr a;
        synack_getsockname(h.st, s, &a);
        assert_in_range(a.port, 40000, 40009);
        assert_false(seen[a.port - 40000]);
        seen[a.port - 40000] = 1;
        if (i == 0)
            first = a.port;
    }
    /* The range is exhausted. */
    assert_int_equal(udp_sock(&h, 0, 0), -EADDRINUSE);
    hx_free(&h);

    /* Random (RFC 6056 3.3.1): over many seeds the first port is spread over the default range,
     * and the same seed picks the same port. */
    synack_config_init(&cfg);
    unsigned distinct = 0;
    uint16_t ports[32];
    for (uint64_t seed = 0; seed < 32; seed++) {
        synack_config_seed_u64(&cfg, seed);
        setup_hx(&h, &cfg);
        int s = udp_sock(&h, 0, 0);
        struct synack_sockaddr a;
        synack_getsockname(h.st, s, &a);
        assert_true(a.port >= 49152);
        ports[seed] = a.port;
        int dup = 0;
        for (uint64_t k = 0; k < seed; k++)
            dup |= ports[k] == a.port;
        distinct += !dup;
        hx_free(&h);
    }
    assert_true(distinct >= 28);
    synack_config_seed_u64(&cfg, 1);
    cfg.eph_port_min = 40000;
    cfg.eph_port_max = 40009;
    setup_hx(&h, &cfg);
    struct synack_sockaddr a;
    synack_getsockname(h.st, udp_sock(&h, 0, 0), &a);
    assert_int_equal(a.port, first);
    hx_free(&h);
}

static void test_bind_errors(void **state)
{
    struct hx h;
    setup_hx(&h, NULL);
    assert_true(udp_sock(&h, 0, 53) >= 0);
    assert_int_equal(udp_sock(&h, 0, 53), -EADDRINUSE);
    assert_int_equal(udp_sock(&h, HX_US, 53), -EADDRINUSE);   /* the wildcard covers it */
    assert_true(udp_sock(&h, HX_US, 54) >= 0);
    assert_int_equal(udp_sock(&h, 0, 54), -EADDRINUSE);
    assert_int_equal(udp_sock(&h, HX_PEER, 55), -EADDRNOTAVAIL);
    int s = udp_sock(&h, 0, 56);
    struct synack_sockaddr a = { synack_ip_any6(), 57 };
    assert_int_equal(synack_bind(h.st, s, &a), -EINVAL);   /* already bound */
    /* A closed socket's port is free again. */
    synack_close(h.st, s, h.now);
    assert_true(udp_sock(&h, 0, 56) >= 0);
    hx_free(&h);
}

static void test_sendto_recvfrom(void **state)
{
    struct hx h;
    setup_hx(&h, NULL);
    int s = udp_sock(&h, 0, 7000);
    hx_input_udp(&h, HX_PEER, HX_US, 1234, 7000, "hello world", 11);
    assert_true(synack_socket_events(h.st, s) & SYNACK_EV_IN);
    char buf[64];
    struct synack_sockaddr from;
    assert_int_equal(synack_recvfrom(h.st, s, buf, sizeof(buf), &from, h.now), 11);
    assert_memory_equal(buf, "hello world", 11);
    assert_int_equal(synack_ip_to_v4(&from.addr), HX_PEER);
    assert_int_equal(from.port, 1234);
    assert_int_equal(synack_recvfrom(h.st, s, buf, sizeof(buf), &from, h.now), -EAGAIN);
    assert_false(synack_socket_events(h.st, s) & SYNACK_EV_IN);
    /* Truncated to the buffer, the rest discarded (recvfrom(2) without MSG_TRUNC). */
    hx_input_udp(&h, HX_PEER, HX_US, 1234, 7000, "0123456789", 10);
    assert_int_equal(synack_recvfrom(h.st, s, buf, 4, NULL, h.now), 4);
    assert_memory_equal(buf, "0123", 4);
    assert_int_equal(synack_recvfrom(h.st, s, buf, sizeof(buf), NULL, h.now), -EAGAIN);
    assert_int_equal(CTR(h.st, UdpInDatagrams), 2);

    /* Sending: the datagram on the wire is what we asked for, with a valid checksum. */
    struct synack_sockaddr to = synack_sockaddr_from_v4(HX_PEER, 9999);
    assert_int_equal(synack_sendto(h.st, s, "reply", 5, &to, h.now), 5);
    struct ip4_hdr ip;
    const uint8_t *p = hx_frame_ip(&h, hx_pop(&h), &ip);
    assert_non_null(p);
    struct udp_hdr u;
    assert_int_equal(udp_parse(p + ip.ihl, ip.total_len - ip.ihl, ip.src, ip.dst, &u), 0);
    assert_int_not_equal(u.csum, 0);
    assert_int_equal(u.sport, 7000);
    assert_int_equal(u.dport, 9999);
    assert_int_equal(u.data_len, 5);
    assert_memory_equal(u.data, "reply", 5);
    assert_int_equal(CTR(h.st, UdpOutDatagrams), 1);
    /* Port 0 is not a destination; an unbound socket binds an ephemeral port on first send. */
    to.port = 0;
    assert_int_equal(synack_sendto(h.st, s, "x", 1, &to, h.now), -EINVAL);
    int t = synack_socket(h.st, SYNACK_SOCK_DGRAM);
    to.port = 9;
    assert_int_equal(synack_sendto(h.st, t, "x", 1, &to, h.now), 1);
    struct synack_sockaddr me;
    synack_getsockname(h.st, t, &me);
    assert_true(me.port >= 49152);
    hx_free(&h);
}

static void test_zero_length_datagrams(void **state)
{
    struct hx h;
    setup_hx(&h, NULL);
    int s = udp_sock(&h, 0, 7000);
    /* An empty datagram, sent with no buffer at all, is a datagram. */
    struct synack_sockaddr to = synack_sockaddr_from_v4(HX_PEER, 9);
    assert_int_equal(synack_sendto(h.st, s, NULL, 0, &to, h.now), 0);
    struct ip4_hdr ip;
    assert_non_null(hx_frame_ip(&h, hx_pop(&h), &ip));
    assert_int_equal(ip.total_len, 28);
    hx_input_udp(&h, HX_PEER, HX_US, 1, 7000, NULL, 0);
    assert_int_equal(synack_recvfrom(h.st, s, NULL, 0, NULL, h.now), 0);
    hx_free(&h);
}

static void test_queue_limit(void **state)
{
    struct synack_config cfg;
    synack_config_init(&cfg);
    cfg.udp_rcvq_len = 4;
    struct hx h;
    setup_hx(&h, &cfg);
    int s = udp_sock(&h, 0, 7000);
    for (int i = 0; i < 6; i++) {
        char m = (char)('a' + i);
        hx_input_udp(&h, HX_PEER, HX_US, 1, 7000, &m, 1);
    }
    assert_int_equal(CTR(h.st, UdpInDatagrams), 4);
    assert_int_equal(CTR(h.st, UdpRcvbufErrors), 2);
    char m;
    for (int i = 0; i < 4; i++) {
        assert_int_equal(synack_recvfrom(h.st, s, &m, 1, NULL, h.now), 1);
        assert_int_equal(m, 'a' + i);   /* the oldest kept, the newest dropped */
    }
    /* Room again. */
    hx_input_udp(&h, HX_PEER, HX_US, 1, 7000, "z", 1);
    assert_int_equal(synack_recvfrom(h.st, s, &m, 1, NULL, h.now), 1);
    assert_int_equal(m, 'z');
    hx_free(&h);
}

static void send_raw_udp(struct hx *h, uint8_t *u, size_t ul)
{
    uint8_t p[128];
    size_t n = hx_ip(p, HX_PEER, HX_US, IP4_PROTO_UDP, 1, 0, u, ul);
    hx_input_ip(h, p, n);
}

static void test_checksums_and_lengths(void **state)
{
    struct hx h;
    setup_hx(&h, NULL);
    int s = udp_sock(&h, 0, 7000);
    uint8_t u[64];
    char buf[16];
    /* RFC 768: checksum 0 means the sender computed none: accepted. */
    size_t ul = hx_udp(u, HX_PEER, HX_US, 1, 7000, "nocsum", 6);
    wire_put16(u + 6, 0);
    send_raw_udp(&h, u, ul);
    assert_int_equal(synack_recvfrom(h.st, s, buf, sizeof(buf), NULL, h.now), 6);
    /* A wrong checksum: dropped, counted under both counters, no ICMP. */
    ul = hx_udp(u, HX_PEER, HX_US, 1, 7000, "badsum", 6);
    u[9] ^= 0x20;
    send_raw_udp(&h, u, ul);
    assert_int_equal(CTR(h.st, UdpInCsumErrors), 1);
    assert_int_equal(CTR(h.st, UdpInErrors), 1);
    assert_int_equal(synack_recvfrom(h.st, s, buf, sizeof(buf), NULL, h.now), -EAGAIN);
    /* UDP length beyond the IP payload, and below the header size. */
    ul = hx_udp(u, HX_PEER, HX_US, 1, 7000, "len", 3);
    wire_put16(u + 4, 40);
    wire_put16(u + 6, 0);
    send_raw_udp(&h, u, ul);
    wire_put16(u + 4, 7);
    send_raw_udp(&h, u, ul);
    assert_int_equal(CTR(h.st, UdpInErrors), 3);
    assert_int_equal(CTR(h.st, UdpInCsumErrors), 1);
    /* Shorter UDP length than the IP payload: the rest is padding, ignored. */
    ul = hx_udp(u, HX_PEER, HX_US, 1, 7000, "abc", 3);
    u[ul] = 'X';
    send_raw_udp(&h, u, ul + 1);
    assert_int_equal(synack_recvfrom(h.st, s, buf, sizeof(buf), NULL, h.now), 3);
    assert_null(hx_pop(&h));
    hx_free(&h);
}

static void test_most_specific_socket_wins(void **state)
{
    struct hx h;
    setup_hx(&h, NULL);
    /* Three sockets on port 7000 (as SO_REUSEADDR and connect() would allow; set directly):
     * wildcard, bound to our address, and wildcard but connected to the peer's port 1234. */
    int any = udp_sock(&h, 0, 7000);
    int conn = synack_socket(h.st, SYNACK_SOCK_DGRAM);
    int addr = synack_socket(h.st, SYNACK_SOCK_DGRAM);
    struct sock *sa = sock_get(h.st, addr), *sc = sock_get(h.st, conn);
    sa->udp->bound = 1;
    sa->udp->laddr = synack_ip_from_v4(HX_US);
    sa->udp->lport = 7000;
    sc->udp->bound = 1;
    sc->udp->laddr = synack_ip_any4();
    sc->udp->lport = 7000;
    sc->udp->connected = 1;
    sc->udp->raddr = synack_ip_from_v4(HX_PEER);
    sc->udp->rport = 1234;
    char buf[8];
    hx_input_udp(&h, HX_PEER, HX_US, 1234, 7000, "c", 1);
    assert_int_equal(synack_recvfrom(h.st, conn, buf, sizeof(buf), NULL, h.now), 1);
    hx_input_udp(&h, HX_PEER, HX_US, 1235, 7000, "a", 1);
    assert_int_equal(synack_recvfrom(h.st, addr, buf, sizeof(buf), NULL, h.now), 1);
    hx_input_udp(&h, HX_PEER, HX_BCAST, 1235, 7000, "b", 1);
    assert_int_equal(synack_recvfrom(h.st, any, buf, sizeof(buf), NULL, h.now), 1);   /* broadcast */
    assert_int_equal(synack_recvfrom(h.st, addr, buf, sizeof(buf), NULL, h.now), -EAGAIN);
    assert_int_equal(synack_recvfrom(h.st, conn, buf, sizeof(buf), NULL, h.now), -EAGAIN);
    hx_free(&h);
}

/* IP_TOS on a UDP socket: every datagram it sends carries the byte, the whole of it (UDP leaves
 * ECN to the application, RFC 8085 3.1.5); getsockopt says it; out of range is -EINVAL; another
 * socket option is not UDP's. */
static void test_ip_tos(void **state)
{
    struct hx h;
    setup_hx(&h, NULL);
    int s = udp_sock(&h, 0, 7000);
    int v = -1;
    assert_int_equal(synack_getsockopt(h.st, s, SYNACK_IP_TOS, &v), 0);
    assert_int_equal(v, 0);
    struct synack_sockaddr to = synack_sockaddr_from_v4(HX_PEER, 9999);
    struct ip4_hdr ip;
    assert_int_equal(synack_sendto(h.st, s, "a", 1, &to, h.now), 1);
    assert_non_null(hx_frame_ip(&h, hx_pop(&h), &ip));
    assert_int_equal(ip.tos, 0);
    assert_int_equal(synack_setsockopt(h.st, s, SYNACK_IP_TOS, 0xb9, h.now), 0);
    assert_int_equal(synack_getsockopt(h.st, s, SYNACK_IP_TOS, &v), 0);
    assert_int_equal(v, 0xb9);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(synack_sendto(h.st, s, "b", 1, &to, h.now), 1);
        assert_non_null(hx_frame_ip(&h, hx_pop(&h), &ip));
        assert_int_equal(ip.tos, 0xb9);
    }
    assert_int_equal(synack_setsockopt(h.st, s, SYNACK_IP_TOS, 256, h.now), -EINVAL);
    assert_int_equal(synack_setsockopt(h.st, s, SYNACK_IP_TOS, -1, h.now), -EINVAL);
    assert_int_equal(synack_setsockopt(h.st, s, SYNACK_TCP_NODELAY, 1, h.now), -ENOPROTOOPT);
    assert_int_equal(synack_getsockopt(h.st, s, SYNACK_TCP_CORK, &v), -ENOPROTOOPT);
    hx_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ephemeral_ports),
        cmocka_unit_test(test_bind_errors),
        cmocka_unit_test(test_sendto_recvfrom),
        cmocka_unit_test(test_zero_length_datagrams),
        cmocka_unit_test(test_queue_limit),
        cmocka_unit_test(test_checksums_and_lengths),
        cmocka_unit_test(test_most_specific_socket_wins),
        cmocka_unit_test(test_ip_tos),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
