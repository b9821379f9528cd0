/* Unit tests of Neighbor Discovery (RFC 4861) on crafted frames, one test per rule: message
 * validity (hop limit 255, an NS from :: carries no source option, a solicited NA is never
 * multicast), the answers (a solicited NA to an NS, an unsolicited one to all-nodes defending an
 * address against another node's DAD), and the neighbour cache's states: INCOMPLETE to REACHABLE
 * on a solicited NA, STALE on unsolicited news, DELAY to PROBE after 5 s, three unicast probes and
 * the entry's removal, and resolution failure after three solicitations reported to a TCP connect
 * as EHOSTUNREACH. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/harness6.h"
#include "synack/errno.h"

#include "core/ctx.h"
#include "net/ip6.h"
#include "net/net.h"
#include "unit/vectors/linux_frames6.h"

static const uint8_t mac_other[6] = { 2, 0, 0, 0, 0, 0x22 };

/* The neighbour cache entry of `ip` (any interface), or NULL. */
static const struct nd_entry *nd_entry_of(struct hx *h, const char *ip)
{
    struct synack_ip a = h6_ip(ip);
    for (unsigned i = 0; i < ND_CACHE; i++) {
        const struct nd_entry *e = &h->st->net->ip6.nd[i];
        if (e->state != ND_FREE && memcmp(e->ip, a.b, 16) == 0)
            return e;
    }
    return NULL;
}

static int nd_state_of(struct hx *h, const char *ip)
{
    const struct nd_entry *e = nd_entry_of(h, ip);
    return e ? e->state : ND_FREE;
}

/* Sends one UDP datagram from a fresh socket to dst port 9. */
static void udp_out(struct hx *h, const char *dst, size_t len)
{
    static uint8_t data[4000];
    int s = synack_socket(h->st, SYNACK_SOCK_DGRAM);
    assert_true(s >= 0);
    struct synack_sockaddr to = { h6_ip(dst), 9 };
    assert_int_equal(synack_sendto(h->st, s, data, len, &to, h->now), (int)len);
    synack_close(h->st, s, h->now);
}

/* The next frame must be a neighbor solicitation for target; unicast says whether to the
 * target itself (a probe) or to its solicited-node group (resolution). */
static void expect_ns(struct hx *h, const char *target, int unicast)
{
    const struct hx_frame *f = hx_pop(h);
    struct ip6_hdr ip;
    struct icmp6_hdr ic;
    assert_non_null(f);
    h->rd--;
    assert_non_null(h6_pop_icmp(h, &ip, &ic));
    assert_int_equal(ic.type, ICMP6_ND_NS);
    assert_int_equal(ic.code, 0);
    assert_int_equal(ip.hlim, 255);
    assert_true(h6_addr_is(ic.body, target));
    assert_true(h6_addr_is(ip.src, H6_US));
    if (unicast) {
        assert_true(h6_addr_is(ip.dst, target));
        assert_memory_equal(f->data, hx_mac_peer, 6);
    } else {
        uint8_t sn[16], mac[6];
        ip6_solicited_node(h6_ip(target).b, sn);
        assert_memory_equal(ip.dst, sn, 16);
        ip6_mcast_mac(sn, mac);
        assert_memory_equal(f->data, mac, 6);
    }
    struct nd_opts o;
    assert_int_equal(nd_opts_parse(ic.body + 16, ic.body_len - 16, &o), WIRE_OK);
    assert_non_null(o.slla);
    assert_memory_equal(o.slla, hx_mac_us, 6);
}

/* The next frame must be a UDP datagram to the peer's MAC (or mac). */
static void expect_udp_to(struct hx *h, const uint8_t *mac)
{
    const struct hx_frame *f = hx_pop(h);
    struct ip6_hdr ip;
    assert_non_null(h6_frame_ip(f, &ip));
    uint8_t proto;
    h6_upper(f->data + ETH_HDR_LEN, &ip, &proto, NULL, NULL);
    assert_int_equal(proto, IP6_NH_UDP);
    assert_memory_equal(f->data, mac, 6);
}

/* RFC 4861 7.1.1, 7.1.2, 6.1.2: ND messages with a hop limit other than 255 came through a router
 * and are dropped, counted. */
static void test_hop_limit_not_255(void **state)
{
    (void)state;
    struct hx h;
    h6_init(&h, 0);
    h6_input_ns(&h, H6_PEER, "ff02::1:ff00:1", H6_US, 254);
    h6_input_na(&h, H6_PEER, H6_US, H6_PEER, ND_NA_OVERRIDE, hx_mac_peer);   /* 255: valid */
    uint8_t body[32];
    size_t n = h6_nd_body(body, H6_PEER, ND_OPT_TLLA, hx_mac_peer);
    h6_input_icmp(&h, H6_PEER, H6_US, 64, ICMP6_ND_NA, 0, ND_NA_OVERRIDE, body, n);
    assert_null(hx_pop(&h));
    assert_int_equal(CTR(h.st, NdInInvalid), 2);
    assert_null(nd_entry_of(&h, H6_PEER));   /* the valid NA alone creates nothing (7.2.5) */
    /* With 255 the same solicitation is answered. */
    h6_input_ns(&h, H6_PEER, "ff02::1:ff00:1", H6_US, 255);
    struct ip6_hdr ip;
    struct icmp6_hdr ic;
    assert_non_null(h6_pop_type(&h, ICMP6_ND_NA, &ip, &ic));
    assert_int_equal(ic.word, ND_NA_SOLICITED | ND_NA_OVERRIDE);
    assert_true(h6_addr_is(ip.dst, H6_PEER));
    assert_true(h6_addr_is(ip.src, H6_US));
    assert_int_equal(ip.hlim, 255);
    struct nd_opts o;
    assert_int_equal(nd_opts_parse(ic.body + 16, ic.body_len - 16, &o), WIRE_OK);
    assert_memory_equal(o.tlla, hx_mac_us, 6);
    /* 7.2.3: learned STALE from the SLLA; sending the NA to it started DELAY (7.3.3). */
    assert_int_equal(nd_state_of(&h, H6_PEER), ND_DELAY);
    hx_free(&h);
}

/* RFC 4861 7.1.1: an NS from :: must not carry a source link-layer option; without one it is
 * another node's DAD, which we answer for our address with an unsolicited NA to all-nodes
 * (7.2.4). */
static void test_ns_from_unspecified(void **state)
{
    (void)state;
    struct hx h;
    h6_init(&h, 0);
    uint8_t body[32];
    size_t n = h6_nd_body(body, H6_US, ND_OPT_SLLA, hx_mac_peer);
    h6_input_icmp(&h, "::", "ff02::1:ff00:1", 255, ICMP6_ND_NS, 0, 0, body, n);
    assert_null(hx_pop(&h));
    assert_int_equal(CTR(h.st, NdInInvalid), 1);
    /* From :: to a unicast destination, or a multicast group not solicited-node: invalid too. */
    h6_input_icmp(&h, "::", H6_US, 255, ICMP6_ND_NS, 0, 0, body, 16);
    h6_input_icmp(&h, "::", "ff02::1", 255, ICMP6_ND_NS, 0, 0, body, 16);
    assert_null(hx_pop(&h));
    assert_int_equal(CTR(h.st, NdInInvalid), 3);
    h6_input_ns(&h, "::", "ff02::1:ff00:1", H6_US, 255);
    struct ip6_hdr ip;
    struct icmp6_hdr ic;
    assert_non_null(h6_pop_icmp(&h, &ip, &ic));
    assert_int_equal(ic.type, ICMP6_ND_NA);
    assert_true(h6_addr_is(ip.dst, "ff02::1"));
    assert_true(h6_addr_is(ip.src, H6_US));
    assert_int_equal(ic.word & ND_NA_SOLICITED, 0);
    assert_int_equal(ic.word & ND_NA_OVERRIDE, ND_NA_OVERRIDE);
    assert_null(nd_entry_of(&h, "::"));
    hx_free(&h);
}

/* RFC 4861 7.1.2: an NA with the Solicited flag sent to a multicast address is invalid. */
static void test_na_solicited_to_multicast(void **state)
{
    (void)state;
    struct hx h;
    h6_init(&h, 0);
    udp_out(&h, H6_PEER, 10);
    expect_ns(&h, H6_PEER, 0);
    h6_input_na(&h, H6_PEER, "ff02::1", H6_PEER, ND_NA_SOLICITED | ND_NA_OVERRIDE, hx_mac_peer);
    assert_int_equal(CTR(h.st, NdInInvalid), 1);
    assert_int_equal(nd_state_of(&h, H6_PEER), ND_INCOMPLETE);
    assert_null(hx_pop(&h));
    /* Unsolicited to all-nodes (a node announcing its address): accepted, STALE. */
    h6_input_na(&h, H6_PEER, "ff02::1", H6_PEER, ND_NA_OVERRIDE, hx_mac_peer);
    assert_int_equal(nd_state_of(&h, H6_PEER), ND_STALE);
    expect_udp_to(&h, hx_mac_peer);
    hx_free(&h);
}

/* RFC 4861 7.2.2, 7.2.5: a packet to an unknown neighbour creates an INCOMPLETE entry, waits, and
 * solicits to the solicited-node group; the solicited NA makes it REACHABLE and sends what waited.
 * 7.2.5: an unsolicited NA with Override and another address makes it STALE with that address;
 * one without Override leaves the address and only marks a REACHABLE entry STALE. */
static void test_incomplete_to_reachable(void **state)
{
    (void)state;
    struct hx h;
    h6_init(&h, 0);
    udp_out(&h, H6_PEER, 10);
    udp_out(&h, H6_PEER, 20);
    assert_int_equal(nd_state_of(&h, H6_PEER), ND_INCOMPLETE);
    expect_ns(&h, H6_PEER, 0);
    assert_null(hx_pop(&h));   /* one solicitation for both packets */
    h6_input_na(&h, H6_PEER, H6_US, H6_PEER, ND_NA_SOLICITED | ND_NA_OVERRIDE, hx_mac_peer);
    assert_int_equal(nd_state_of(&h, H6_PEER), ND_REACHABLE);
    expect_udp_to(&h, hx_mac_peer);
    expect_udp_to(&h, hx_mac_peer);
    /* While REACHABLE, packets go without any solicitation, even 5 s later. */
    hx_advance(&h, SYNACK_SEC(6));
    udp_out(&h, H6_PEER, 10);
    expect_udp_to(&h, hx_mac_peer);
    hx_advance(&h, SYNACK_SEC(6));
    assert_null(hx_pop(&h));
    /* No Override, another address: the cached one stays, the entry goes STALE. */
    h6_input_na(&h, H6_PEER, H6_US, H6_PEER, 0, mac_other);
    assert_int_equal(nd_state_of(&h, H6_PEER), ND_STALE);
    assert_memory_equal(nd_entry_of(&h, H6_PEER)->mac, hx_mac_peer, 6);
    /* A solicited NA confirms it again; then an unsolicited one with Override moves it. */
    h6_input_na(&h, H6_PEER, H6_US, H6_PEER, ND_NA_SOLICITED, NULL);
    assert_int_equal(nd_state_of(&h, H6_PEER), ND_REACHABLE);
    h6_input_na(&h, H6_PEER, H6_US, H6_PEER, ND_NA_OVERRIDE, mac_other);
    assert_int_equal(nd_state_of(&h, H6_PEER), ND_STALE);
    assert_memory_equal(nd_entry_of(&h, H6_PEER)->mac, mac_other, 6);
    udp_out(&h, H6_PEER, 10);
    expect_udp_to(&h, mac_other);
    hx_free(&h);
}

/* RFC 4861 7.2.3: an NS with a source option creates a STALE entry (no resolution needed to
 * answer it, nor to send to it afterwards). */
static void test_ns_creates_stale(void **state)
{
    (void)state;
    struct hx h;
    h6_init(&h, 0);
    h6_input_ns(&h, H6_PEER, "ff02::1:ff00:1", H6_US, 255);
    /* STALE, and the NA sent to it moved it on to DELAY (7.3.3) without resolution. */
    assert_int_equal(nd_state_of(&h, H6_PEER), ND_DELAY);
    struct ip6_hdr ip;
    struct icmp6_hdr ic;
    assert_non_null(h6_pop_type(&h, ICMP6_ND_NA, &ip, &ic));
    assert_int_equal(h6_count_type(&h, ICMP6_ND_NS), 0);
    hx_free(&h);
}

/* RFC 4861 7.3.3: a packet to a STALE neighbour goes at once and the entry enters DELAY; with no
 * confirmation for DELAY_FIRST_PROBE_TIME (5 s) it goes to PROBE: MAX_UNICAST_SOLICIT (3) unicast
 * solicitations RetransTimer (1 s) apart, then the entry is removed. */
static void test_delay_probe_remove(void **state)
{
    (void)state;
    struct hx h;
    h6_init(&h, 0);
    h6_input_ns(&h, H6_PEER, "ff02::1:ff00:1", H6_US, 255);
    hx_drain(&h);
    synack_time_t t0 = h.now;
    udp_out(&h, H6_PEER, 10);
    expect_udp_to(&h, hx_mac_peer);
    assert_int_equal(nd_state_of(&h, H6_PEER), ND_DELAY);
    hx_run_until(&h, t0 + SYNACK_MS(4999));
    assert_null(hx_pop(&h));
    hx_run_until(&h, t0 + SYNACK_SEC(5));
    assert_int_equal(nd_state_of(&h, H6_PEER), ND_PROBE);
    expect_ns(&h, H6_PEER, 1);
    hx_run_until(&h, t0 + SYNACK_SEC(7));
    expect_ns(&h, H6_PEER, 1);
    expect_ns(&h, H6_PEER, 1);
    assert_null(hx_pop(&h));
    assert_int_equal(nd_state_of(&h, H6_PEER), ND_PROBE);
    hx_run_until(&h, t0 + SYNACK_SEC(8));
    assert_null(hx_pop(&h));
    assert_null(nd_entry_of(&h, H6_PEER));
    /* A solicited NA during PROBE ends the probing: REACHABLE. */
    h6_input_ns(&h, H6_PEER, "ff02::1:ff00:1", H6_US, 255);
    hx_drain(&h);
    t0 = h.now;
    udp_out(&h, H6_PEER, 10);
    hx_run_until(&h, t0 + SYNACK_SEC(5));
    hx_drain(&h);
    h6_input_na(&h, H6_PEER, H6_US, H6_PEER, ND_NA_SOLICITED, NULL);
    assert_int_equal(nd_state_of(&h, H6_PEER), ND_REACHABLE);
    hx_run_until(&h, t0 + SYNACK_SEC(9));
    assert_null(hx_pop(&h));
    hx_free(&h);
}

/* RFC 4861 7.2.2: after MAX_MULTICAST_SOLICIT (3) solicitations unanswered, the packets waiting
 * are dropped and their senders told: a TCP connect fails with EHOSTUNREACH. */
static void test_resolution_failure(void **state)
{
    (void)state;
    struct hx h;
    h6_init(&h, 0);
    int s = synack_socket(h.st, SYNACK_SOCK_STREAM);
    struct synack_sockaddr to = { h6_ip(H6_PEER), 80 };
    synack_time_t t0 = h.now;
    assert_int_equal(synack_connect(h.st, s, &to, h.now), -SYNACK_EINPROGRESS);
    expect_ns(&h, H6_PEER, 0);
    hx_run_until(&h, t0 + SYNACK_MS(2500));
    expect_ns(&h, H6_PEER, 0);
    expect_ns(&h, H6_PEER, 0);
    assert_null(hx_pop(&h));
    assert_int_equal(synack_socket_error(h.st, s), 0);
    hx_run_until(&h, t0 + SYNACK_SEC(3));
    assert_true(CTR(h.st, NdResolveFailed) >= 1);   /* the SYN and its retransmissions */
    assert_int_equal(synack_socket_error(h.st, s), -SYNACK_EHOSTUNREACH);
    assert_null(nd_entry_of(&h, H6_PEER));
    assert_null(hx_pop(&h));
    hx_free(&h);
}

/* Linux's own solicitations (tests/unit/vectors/gen6.sh) for addresses this stack holds: the
 * resolution is answered with a solicited NA, the DAD probe (which carries a Nonce option, RFC
 * 7527) defended with an unsolicited NA to all-nodes. */
static void test_linux_solicitations(void **state)
{
    (void)state;
    struct hx h;
    h6_init(&h, 0);
    struct synack_ip b = h6_ip("2001:db8::2"), ab = h6_ip("2001:db8::a:b");
    assert_int_equal(synack_if_add_addr6(h.st, h.ifi, &b, 64, h.now), 0);
    assert_int_equal(synack_if_add_addr6(h.st, h.ifi, &ab, 64, h.now), 0);
    hx_drain(&h);
    hx_input(&h, vec6_ns, sizeof(vec6_ns));
    struct ip6_hdr ip;
    struct icmp6_hdr ic;
    assert_non_null(h6_pop_type(&h, ICMP6_ND_NA, &ip, &ic));
    assert_true(h6_addr_is(ip.dst, "2001:db8::1"));
    assert_true(h6_addr_is(ic.body, "2001:db8::2"));
    assert_int_equal(ic.word, ND_NA_SOLICITED | ND_NA_OVERRIDE);
    hx_drain(&h);
    hx_input(&h, vec6_ns_dad, sizeof(vec6_ns_dad));
    assert_non_null(h6_pop_type(&h, ICMP6_ND_NA, &ip, &ic));
    assert_true(h6_addr_is(ip.dst, "ff02::1"));
    assert_true(h6_addr_is(ic.body, "2001:db8::a:b"));
    assert_int_equal(ic.word, ND_NA_OVERRIDE);
    assert_int_equal(CTR(h.st, NdInInvalid), 0);
    hx_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hop_limit_not_255),        cmocka_unit_test(test_ns_from_unspecified),
        cmocka_unit_test(test_na_solicited_to_multicast), cmocka_unit_test(test_incomplete_to_reachable),
        cmocka_unit_test(test_ns_creates_stale),         cmocka_unit_test(test_delay_probe_remove),
        cmocka_unit_test(test_resolution_failure),       cmocka_unit_test(test_linux_solicitations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
