/* Unit tests of synack_if_input_flags(): what a link vouches for (SYNACK_RX_CSUM_OK) is the
 * transport checksum of that very frame, nothing more. A vouched UDP datagram or TCP segment is not
 * checked (its checksum field may hold only the pseudo-header sum, as virtio-net's NEEDS_CSUM
 * leaves it); the same bytes without the flag are dropped and counted; the IPv4 header checksum is
 * checked either way; a datagram reassembled from vouched fragments is checked whole; and the flag
 * does not outlive its frame. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>

#include "lib/harness.h"
#include "wire/tcp.h"

static int udp_sock(struct hx *h, uint16_t port)
{
    int s = synack_socket(h->st, SYNACK_SOCK_DGRAM);
    assert_true(s >= 0);
    struct synack_sockaddr a = synack_sockaddr_from_v4(0, port);
    assert_int_equal(synack_bind(h->st, s, &a), 0);
    return s;
}

/* Feeds an IPv4 packet in an Ethernet frame from the peer, with `flags`. */
static void input_ip(struct hx *h, const uint8_t *pkt, size_t len, unsigned flags)
{
    uint8_t f[2048];
    size_t n = hx_eth(f, hx_mac_us, hx_mac_peer, ETH_TYPE_IPV4, pkt, len);
    assert_int_equal(synack_if_input_flags(h->st, h->ifi, f, n, flags, h->now), 0);
}

/* A UDP datagram to port 7000 whose checksum field is wrong (a flipped bit). */
static size_t bad_udp(uint8_t *p, const char *text)
{
    uint8_t u[64];
    size_t ul = hx_udp(u, HX_PEER, HX_US, 1, 7000, text, strlen(text));
    u[6] ^= 0x10;
    return hx_ip(p, HX_PEER, HX_US, IP4_PROTO_UDP, 9, 0, u, ul);
}

static void udp_vouched_not_checked(void **state)
{
    (void)state;
    struct hx h;
    hx_init(&h, NULL);
    hx_learn(&h, HX_PEER, hx_mac_peer);
    int s = udp_sock(&h, 7000);
    uint8_t p[128];
    char buf[16];
    size_t n = bad_udp(p, "vouched");
    input_ip(&h, p, n, SYNACK_RX_CSUM_OK);
    assert_int_equal(synack_recvfrom(h.st, s, buf, sizeof(buf), NULL, h.now), 7);
    assert_int_equal(CTR(h.st, UdpInCsumErrors), 0);
    /* The same bytes, not vouched for: dropped and counted. The flag did not outlive its frame. */
    input_ip(&h, p, n, 0);
    assert_int_equal(synack_recvfrom(h.st, s, buf, sizeof(buf), NULL, h.now), -EAGAIN);
    assert_int_equal(CTR(h.st, UdpInCsumErrors), 1);
    hx_input(&h, (const uint8_t[]){ 0 }, 0);   /* plain synack_if_input after a flagged frame */
    input_ip(&h, p, n, 0);
    assert_int_equal(CTR(h.st, UdpInCsumErrors), 2);
    /* The IPv4 header checksum is not the link's to vouch for. */
    p[10] ^= 1;
    input_ip(&h, p, n, SYNACK_RX_CSUM_OK);
    assert_int_equal(CTR(h.st, InHdrErrors), 1);
    assert_int_equal(synack_recvfrom(h.st, s, buf, sizeof(buf), NULL, h.now), -EAGAIN);
    hx_free(&h);
}

static void reassembled_datagram_checked_whole(void **state)
{
    (void)state;
    struct hx h;
    hx_init(&h, NULL);
    hx_learn(&h, HX_PEER, hx_mac_peer);
    int s = udp_sock(&h, 7000);
    /* A 40-byte datagram (8 header + 32 data) with a wrong checksum, in two fragments of 24 and 16
     * bytes, each vouched for by the link. */
    uint8_t u[64], p[128];
    char data[33] = "0123456789abcdef0123456789abcdef";
    size_t ul = hx_udp(u, HX_PEER, HX_US, 1, 7000, data, 32);
    u[6] ^= 0x10;
    size_t n = hx_ip(p, HX_PEER, HX_US, IP4_PROTO_UDP, 55, IP4_FLAG_MF, u, 24);
    input_ip(&h, p, n, SYNACK_RX_CSUM_OK);
    n = hx_ip(p, HX_PEER, HX_US, IP4_PROTO_UDP, 55, 24 / 8, u + 24, ul - 24);
    input_ip(&h, p, n, SYNACK_RX_CSUM_OK);
    char buf[64];
    assert_int_equal(synack_recvfrom(h.st, s, buf, sizeof(buf), NULL, h.now), -EAGAIN);
    assert_int_equal(CTR(h.st, UdpInCsumErrors), 1);
    hx_free(&h);
}

/* A SYN to a closed port with a checksum field holding only the pseudo-header sum (as the kernel
 * hands over a NEEDS_CSUM frame): vouched, TCP answers it with a reset; not vouched, it is a
 * checksum error and nothing is sent. */
static void tcp_partial_checksum_vouched(void **state)
{
    (void)state;
    struct hx h;
    hx_init(&h, NULL);
    hx_learn(&h, HX_PEER, hx_mac_peer);
    hx_drain(&h);
    uint8_t t[64], p[128];
    struct tcp_hdr th = { .sport = 40000, .dport = 9999, .seq = 1000, .flags = TCP_SYN, .win = 65535 };
    size_t tl = tcp_build(t, &th, 0, HX_PEER, HX_US);
    uint64_t pseudo = wire_csum_pseudo(HX_PEER, HX_US, TCP_IPPROTO, 0);
    wire_put16(t + 16, (uint16_t)~wire_csum_finish(pseudo + tl));
    size_t n = hx_ip(p, HX_PEER, HX_US, IP4_PROTO_TCP, 3, 0, t, tl);
    input_ip(&h, p, n, 0);
    assert_int_equal(CTR(h.st, TcpInCsumErrors), 1);
    assert_null(hx_pop(&h));
    input_ip(&h, p, n, SYNACK_RX_CSUM_OK);
    assert_int_equal(CTR(h.st, TcpInCsumErrors), 1);
    assert_int_equal(CTR(h.st, TcpOutRsts), 1);
    assert_non_null(hx_pop(&h));
    hx_free(&h);
}

static void bad_ifindex(void **state)
{
    (void)state;
    struct hx h;
    hx_init(&h, NULL);
    uint8_t f[64] = { 0 };
    assert_int_equal(synack_if_input_flags(h.st, 5, f, sizeof(f), SYNACK_RX_CSUM_OK, h.now), -EINVAL);
    assert_int_equal(synack_if_input_flags(h.st, -1, f, sizeof(f), 0, h.now), -EINVAL);
    hx_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(udp_vouched_not_checked),
        cmocka_unit_test(reassembled_datagram_checked_whole),
        cmocka_unit_test(tcp_partial_checksum_vouched),
        cmocka_unit_test(bad_ifindex),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
