/* Unit tests of ARP (src/net/arp.c) against RFC 826 "Packet Reception" and RFC 1122 2.3.2:
 * answering requests for our address, learning and updating (the merge flag), ignoring and
 * counting what is not for us, the queue of packets waiting for resolution, retries and giving
 * up, expiry, and the bounded cache with LRU reuse. One stack, frames captured, virtual time. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>

#include "lib/harness.h"
#include "net/arp.h"

static const uint8_t zero_mac[6];

static void cfg_default(struct synack_config *c)
{
    synack_config_init(c);
    synack_config_seed_u64(c, 7);
}

/* Sends UDP payload "pkt-<n>" to dst:9 through a socket; the stack routes and resolves. */
static void send_udp(struct hx *h, int s, uint32_t dst, int n)
{
    char msg[16];
    int len = snprintf(msg, sizeof(msg), "pkt-%d", n);
    struct synack_sockaddr to = synack_sockaddr_from_v4(dst, 9);
    assert_int_equal(synack_sendto(h->st, s, msg, (size_t)len, &to, h->now), len);
}

/* The UDP payload number of a captured frame (-1 if it is not one of ours). */
static int udp_payload_num(struct hx *h, const struct hx_frame *f)
{
    struct ip4_hdr ip;
    const uint8_t *p = hx_frame_ip(h, f, &ip);
    if (!p || ip.proto != IP4_PROTO_UDP)
        return -1;
    int n = -1;
    char buf[32] = { 0 };
    size_t dl = ip.total_len - ip.ihl - UDP_HDR_LEN;
    memcpy(buf, p + ip.ihl + UDP_HDR_LEN, dl < sizeof(buf) - 1 ? dl : sizeof(buf) - 1);
    sscanf(buf, "pkt-%d", &n);
    return n;
}

static void expect_request(const struct hx_frame *f, uint32_t tpa)
{
    struct arp_pkt a;
    assert_non_null(f);
    assert_int_equal(hx_frame_arp(f, &a), 0);
    assert_memory_equal(f->data, hx_mac_bcast, 6);
    assert_int_equal(a.op, ARP_OP_REQUEST);
    assert_memory_equal(a.sha, hx_mac_us, 6);
    assert_int_equal(a.spa, HX_US);
    assert_memory_equal(a.tha, zero_mac, 6);
    assert_int_equal(a.tpa, tpa);
}

static void test_reply_to_request_for_us(void **state)
{
    struct hx h;
    hx_init(&h, NULL);
    uint8_t f[64];
    size_t n = hx_arp(f, hx_mac_bcast, ARP_OP_REQUEST, hx_mac_peer, HX_PEER, zero_mac, HX_US);
    hx_input(&h, f, n);
    /* RFC 826: swap fields, put our addresses in the sender fields, opcode reply, send it to the
     * requester (unicast). */
    const struct hx_frame *r = hx_pop(&h);
    assert_non_null(r);
    assert_null(hx_pop(&h));
    struct arp_pkt a;
    assert_int_equal(hx_frame_arp(r, &a), 0);
    assert_memory_equal(r->data, hx_mac_peer, 6);
    assert_memory_equal(r->data + 6, hx_mac_us, 6);
    assert_int_equal(a.op, ARP_OP_REPLY);
    assert_memory_equal(a.sha, hx_mac_us, 6);
    assert_int_equal(a.spa, HX_US);
    assert_memory_equal(a.tha, hx_mac_peer, 6);
    assert_int_equal(a.tpa, HX_PEER);
    assert_int_equal(CTR(h.st, ArpInPackets), 1);
    assert_int_equal(CTR(h.st, ArpOutReplies), 1);
    /* "Am I the target? ... add the triplet": the requester is learned. */
    uint8_t mac[6];
    assert_int_equal(arp_lookup(h.st, h.ifi, HX_PEER, mac), 0);
    assert_memory_equal(mac, hx_mac_peer, 6);
    hx_free(&h);
}

static void test_request_for_other_ignored(void **state)
{
    struct hx h;
    hx_init(&h, NULL);
    uint8_t f[64];
    size_t n = hx_arp(f, hx_mac_bcast, ARP_OP_REQUEST, hx_mac_peer, HX_PEER, zero_mac, 0x0a000009u);
    hx_input(&h, f, n);
    assert_int_equal(hx_pending(&h), 0);
    assert_int_equal(CTR(h.st, ArpInNotForUs), 1);
    assert_int_equal(CTR(h.st, ArpOutReplies), 0);
    /* Not in the table and not for us: nothing learned (RFC 826: merge only, no add). */
    uint8_t mac[6];
    assert_int_equal(arp_lookup(h.st, h.ifi, HX_PEER, mac), -ENOENT);
    /* A reply for someone else neither answers nor teaches. */
    n = hx_arp(f, hx_mac_us, ARP_OP_REPLY, hx_mac_peer, HX_PEER, zero_mac, 0x0a000009u);
    hx_input(&h, f, n);
    assert_int_equal(hx_pending(&h), 0);
    assert_int_equal(arp_lookup(h.st, h.ifi, HX_PEER, mac), -ENOENT);
    hx_free(&h);
}

static void test_merge_updates_known_sender(void **state)
{
    struct hx h;
    hx_init(&h, NULL);
    hx_learn(&h, HX_PEER, hx_mac_peer);
    /* The peer moves to a new MAC and announces it in a request for someone else: RFC 826 updates
     * a known sender whatever the target. */
    static const uint8_t moved[6] = { 2, 0, 0, 0, 0, 0x22 };
    uint8_t f[64];
    size_t n = hx_arp(f, hx_mac_bcast, ARP_OP_REQUEST, moved, HX_PEER, zero_mac, 0x0a000009u);
    hx_input(&h, f, n);
    uint8_t mac[6];
    assert_int_equal(arp_lookup(h.st, h.ifi, HX_PEER, mac), 0);
    assert_memory_equal(mac, moved, 6);
    int s = synack_socket(h.st, SYNACK_SOCK_DGRAM);
    send_udp(&h, s, HX_PEER, 1);
    const struct hx_frame *o = hx_pop(&h);
    assert_non_null(o);
    assert_memory_equal(o->data, moved, 6);
    assert_int_equal(udp_payload_num(&h, o), 1);
    hx_free(&h);
}

static void test_no_learning_off_network(void **state)
{
    struct hx h;
    hx_init(&h, NULL);
    uint8_t f[64];
    /* A request for us from an address outside 10.0.0.0/24: answered, not learned. */
    size_t n = hx_arp(f, hx_mac_bcast, ARP_OP_REQUEST, hx_mac_peer, 0xc0a80105u, zero_mac, HX_US);
    hx_input(&h, f, n);
    assert_int_equal(CTR(h.st, ArpOutReplies), 1);
    uint8_t mac[6];
    assert_int_equal(arp_lookup(h.st, h.ifi, 0xc0a80105u, mac), -ENOENT);
    hx_free(&h);
}

static void test_bad_packets_counted(void **state)
{
    struct hx h;
    hx_init(&h, NULL);
    uint8_t f[64];
    size_t n;
    /* short */
    n = hx_arp(f, hx_mac_bcast, ARP_OP_REQUEST, hx_mac_peer, HX_PEER, zero_mac, HX_US);
    hx_input(&h, f, ETH_HDR_LEN + 20);
    /* hardware type 6 (IEEE 802) */
    f[ETH_HDR_LEN + 1] = 6;
    hx_input(&h, f, n);
    /* protocol length 16 */
    n = hx_arp(f, hx_mac_bcast, ARP_OP_REQUEST, hx_mac_peer, HX_PEER, zero_mac, HX_US);
    f[ETH_HDR_LEN + 5] = 16;
    hx_input(&h, f, n);
    /* unknown opcode */
    n = hx_arp(f, hx_mac_bcast, 3, hx_mac_peer, HX_PEER, zero_mac, HX_US);
    hx_input(&h, f, n);
    /* a multicast sender hardware address */
    static const uint8_t mcast[6] = { 1, 0, 0x5e, 0, 0, 1 };
    n = hx_arp(f, hx_mac_bcast, ARP_OP_REQUEST, mcast, HX_PEER, zero_mac, HX_US);
    hx_input(&h, f, n);
    /* someone claiming our own address */
    n = hx_arp(f, hx_mac_bcast, ARP_OP_REQUEST, hx_mac_peer, HX_US, zero_mac, HX_US);
    hx_input(&h, f, n);
    assert_int_equal(CTR(h.st, ArpInPackets), 6);
    assert_int_equal(CTR(h.st, ArpInErrors), 6);
    assert_int_equal(hx_pending(&h), 0);
    uint8_t mac[6];
    assert_int_equal(arp_lookup(h.st, h.ifi, HX_PEER, mac), -ENOENT);
    hx_free(&h);
}

static void test_resolve_queue_flush_in_order(void **state)
{
    struct hx h;
    hx_init(&h, NULL);
    int s = synack_socket(h.st, SYNACK_SOCK_DGRAM);
    for (int i = 1; i <= 3; i++)
        send_udp(&h, s, HX_PEER, i);
    /* One request for the three packets (RFC 1122 2.3.2.1: no flood), nothing else yet. */
    expect_request(hx_pop(&h), HX_PEER);
    assert_null(hx_pop(&h));
    assert_int_equal(CTR(h.st, ArpOutRequests), 1);
    h.now += SYNACK_MS(3);
    uint8_t f[64];
    size_t n = hx_arp(f, hx_mac_us, ARP_OP_REPLY, hx_mac_peer, HX_PEER, hx_mac_us, HX_US);
    hx_input(&h, f, n);
    for (int i = 1; i <= 3; i++) {
        const struct hx_frame *o = hx_pop(&h);
        assert_non_null(o);
        assert_memory_equal(o->data, hx_mac_peer, 6);
        assert_int_equal(udp_payload_num(&h, o), i);
    }
    assert_null(hx_pop(&h));
    /* No more requests once resolved. */
    hx_advance(&h, SYNACK_SEC(10));
    assert_int_equal(CTR(h.st, ArpOutRequests), 1);
    hx_free(&h);
}

static void test_queue_bounded_keeps_latest(void **state)
{
    struct synack_config c;
    cfg_default(&c);
    c.arp_queue_len = 2;
    struct hx h;
    hx_init(&h, &c);
    int s = synack_socket(h.st, SYNACK_SOCK_DGRAM);
    for (int i = 1; i <= 5; i++)
        send_udp(&h, s, HX_PEER, i);
    assert_int_equal(CTR(h.st, ArpQueueDrops), 3);
    hx_drain(&h);
    uint8_t f[64];
    size_t n = hx_arp(f, hx_mac_us, ARP_OP_REPLY, hx_mac_peer, HX_PEER, hx_mac_us, HX_US);
    hx_input(&h, f, n);
    /* RFC 1122 2.3.2.2: SHOULD save "at least one (the latest)": the newest two survive. */
    const struct hx_frame *o = hx_pop(&h);
    assert_non_null(o);
    assert_int_equal(udp_payload_num(&h, o), 4);
    o = hx_pop(&h);
    assert_non_null(o);
    assert_int_equal(udp_payload_num(&h, o), 5);
    assert_null(hx_pop(&h));
    hx_free(&h);
}

static void test_retry_then_give_up(void **state)
{
    struct synack_config c;
    cfg_default(&c);
    c.arp_retry = SYNACK_SEC(1);
    c.arp_max_tries = 3;
    struct hx h;
    hx_init(&h, &c);
    int s = synack_socket(h.st, SYNACK_SOCK_DGRAM);
    synack_time_t t0 = h.now;
    send_udp(&h, s, HX_PEER, 1);
    send_udp(&h, s, HX_PEER, 2);
    hx_run_until(&h, t0 + SYNACK_SEC(10));
    /* Requests at t0, t0+1 s, t0+2 s; given up at t0+3 s with both packets counted. */
    assert_int_equal(CTR(h.st, ArpOutRequests), 3);
    for (int i = 0; i < 3; i++) {
        const struct hx_frame *r = hx_pop(&h);
        expect_request(r, HX_PEER);
        assert_int_equal(r->t, t0 + SYNACK_SEC((unsigned)i));
    }
    assert_null(hx_pop(&h));
    assert_int_equal(CTR(h.st, ArpResolveFailed), 2);
    assert_int_equal(synack_stack_next_deadline(h.st), SYNACK_TIME_NEVER);
    /* A late reply is not for an entry any more: learned (it is for us), nothing flushed. */
    uint8_t f[64];
    size_t n = hx_arp(f, hx_mac_us, ARP_OP_REPLY, hx_mac_peer, HX_PEER, hx_mac_us, HX_US);
    hx_input(&h, f, n);
    assert_null(hx_pop(&h));
    hx_free(&h);

    /* After giving up, a new packet starts a new resolution. */
    hx_init(&h, &c);
    s = synack_socket(h.st, SYNACK_SOCK_DGRAM);
    send_udp(&h, s, HX_PEER, 1);
    hx_advance(&h, SYNACK_SEC(5));
    send_udp(&h, s, HX_PEER, 2);
    assert_int_equal(CTR(h.st, ArpOutRequests), 4);
    hx_free(&h);
}

static void test_expiry(void **state)
{
    struct synack_config c;
    cfg_default(&c);
    c.arp_timeout = SYNACK_SEC(60);
    struct hx h;
    hx_init(&h, &c);
    synack_time_t t0 = h.now;
    hx_learn(&h, HX_PEER, hx_mac_peer);
    uint8_t mac[6];
    hx_run_until(&h, t0 + SYNACK_SEC(60) - 1);
    assert_int_equal(arp_lookup(h.st, h.ifi, HX_PEER, mac), 0);
    hx_run_until(&h, t0 + SYNACK_SEC(60));
    assert_int_equal(arp_lookup(h.st, h.ifi, HX_PEER, mac), -ENOENT);
    /* The next packet resolves again. */
    int s = synack_socket(h.st, SYNACK_SOCK_DGRAM);
    send_udp(&h, s, HX_PEER, 1);
    expect_request(hx_pop(&h), HX_PEER);
    hx_free(&h);
}

/* An entry in use when it ages out is kept and polled by unicast (RFC 1122 2.3.2.1): traffic keeps
 * flowing without a queue or a broadcast; an answer renews it, silence removes it. */
static void test_refresh_in_use(void **state)
{
    struct synack_config c;
    cfg_default(&c);
    c.arp_timeout = SYNACK_SEC(60);
    c.arp_retry = SYNACK_SEC(1);
    c.arp_max_tries = 3;
    struct hx h;
    hx_init(&h, &c);
    synack_time_t t0 = h.now;
    hx_learn(&h, HX_PEER, hx_mac_peer);
    int s = synack_socket(h.st, SYNACK_SOCK_DGRAM);
    hx_run_until(&h, t0 + SYNACK_SEC(30));
    send_udp(&h, s, HX_PEER, 1);   /* in use */
    while (hx_pop(&h))
        ;
    hx_run_until(&h, t0 + SYNACK_SEC(60));
    const struct hx_frame *f = hx_pop(&h);
    struct arp_pkt a;
    assert_non_null(f);
    assert_int_equal(hx_frame_arp(f, &a), 0);
    assert_memory_equal(f->data, hx_mac_peer, 6);   /* unicast to the known address */
    assert_int_equal(a.op, ARP_OP_REQUEST);
    assert_int_equal(a.tpa, HX_PEER);
    uint8_t mac[6];
    assert_int_equal(arp_lookup(h.st, h.ifi, HX_PEER, mac), 0);
    /* Still used for output while polling: a datagram goes straight out, no request queued. */
    send_udp(&h, s, HX_PEER, 1);
    f = hx_pop(&h);
    assert_non_null(f);
    assert_int_equal(hx_frame_arp(f, &a) == 0, 0);
    /* The answer renews it for a full lifetime. */
    hx_learn(&h, HX_PEER, hx_mac_peer);
    hx_run_until(&h, t0 + SYNACK_SEC(119));
    assert_int_equal(arp_lookup(h.st, h.ifi, HX_PEER, mac), 0);
    /* Not used since 60 s: at the next expiry (120 s) it goes without a poll. */
    while (hx_pop(&h))
        ;
    hx_run_until(&h, t0 + SYNACK_SEC(120));
    assert_int_equal(arp_lookup(h.st, h.ifi, HX_PEER, mac), -ENOENT);
    assert_null(hx_pop(&h));
    hx_free(&h);
}

/* An entry in use whose polls go unanswered is removed after arp_max_tries polls. */
static void test_refresh_unanswered(void **state)
{
    struct synack_config c;
    cfg_default(&c);
    c.arp_timeout = SYNACK_SEC(60);
    c.arp_retry = SYNACK_SEC(1);
    c.arp_max_tries = 3;
    struct hx h;
    hx_init(&h, &c);
    synack_time_t t0 = h.now;
    hx_learn(&h, HX_PEER, hx_mac_peer);
    int s = synack_socket(h.st, SYNACK_SOCK_DGRAM);
    hx_run_until(&h, t0 + SYNACK_SEC(59));
    send_udp(&h, s, HX_PEER, 1);
    while (hx_pop(&h))
        ;
    uint8_t mac[6];
    int polls = 0;
    for (int sec = 60; sec <= 63; sec++) {
        hx_run_until(&h, t0 + SYNACK_SEC(sec));
        const struct hx_frame *f;
        while ((f = hx_pop(&h)))
            polls++;
        assert_int_equal(arp_lookup(h.st, h.ifi, HX_PEER, mac), sec < 63 ? 0 : -ENOENT);
    }
    assert_int_equal(polls, 3);
    hx_free(&h);
}

static void learn_at(struct hx *h, uint32_t ip, uint8_t last)
{
    uint8_t mac[6] = { 2, 0, 0, 0, 1, last };
    hx_learn(h, ip, mac);
}

static void test_lru_reuse_when_full(void **state)
{
    struct synack_config c;
    cfg_default(&c);
    c.arp_cache_size = 3;
    struct hx h;
    hx_init(&h, &c);
    int s = synack_socket(h.st, SYNACK_SOCK_DGRAM);
    learn_at(&h, 0x0a000002u, 2);
    h.now += SYNACK_MS(10);
    learn_at(&h, 0x0a000003u, 3);
    h.now += SYNACK_MS(10);
    learn_at(&h, 0x0a000004u, 4);
    h.now += SYNACK_MS(10);
    /* Using .2 makes .3 the least recently used. */
    send_udp(&h, s, 0x0a000002u, 1);
    hx_drain(&h);
    h.now += SYNACK_MS(10);
    learn_at(&h, 0x0a000005u, 5);
    uint8_t mac[6];
    assert_int_equal(arp_lookup(h.st, h.ifi, 0x0a000003u, mac), -ENOENT);
    assert_int_equal(arp_lookup(h.st, h.ifi, 0x0a000002u, mac), 0);
    assert_int_equal(arp_lookup(h.st, h.ifi, 0x0a000004u, mac), 0);
    assert_int_equal(arp_lookup(h.st, h.ifi, 0x0a000005u, mac), 0);
    assert_int_equal(mac[5], 5);
    assert_int_equal(CTR(h.st, ArpCacheFull), 0);
    hx_free(&h);
}

static void test_cache_full_of_pending(void **state)
{
    struct synack_config c;
    cfg_default(&c);
    c.arp_cache_size = 2;
    struct hx h;
    hx_init(&h, &c);
    int s = synack_socket(h.st, SYNACK_SOCK_DGRAM);
    send_udp(&h, s, 0x0a000002u, 1);
    send_udp(&h, s, 0x0a000003u, 2);
    /* Entries still resolving are never evicted: the third destination is refused, counted. */
    send_udp(&h, s, 0x0a000004u, 3);
    assert_int_equal(CTR(h.st, ArpCacheFull), 1);
    assert_int_equal(CTR(h.st, ArpOutRequests), 2);
    /* A request for us from a fourth host is still answered, just not learned. */
    hx_drain(&h);
    uint8_t f[64];
    size_t n = hx_arp(f, hx_mac_bcast, ARP_OP_REQUEST, hx_mac_peer, 0x0a000009u, zero_mac, HX_US);
    hx_input(&h, f, n);
    assert_int_equal(CTR(h.st, ArpOutReplies), 1);
    assert_int_equal(CTR(h.st, ArpCacheFull), 2);
    hx_free(&h);
}

static void test_broadcast_needs_no_resolution(void **state)
{
    struct hx h;
    hx_init(&h, NULL);
    int s = synack_socket(h.st, SYNACK_SOCK_DGRAM);
    send_udp(&h, s, HX_BCAST, 1);
    send_udp(&h, s, 0xffffffffu, 2);
    for (int i = 1; i <= 2; i++) {
        const struct hx_frame *o = hx_pop(&h);
        assert_non_null(o);
        assert_memory_equal(o->data, hx_mac_bcast, 6);
        assert_int_equal(udp_payload_num(&h, o), i);
    }
    assert_int_equal(CTR(h.st, ArpOutRequests), 0);
    hx_free(&h);
}

static void test_flood_stays_bounded(void **state)
{
    /* Hostile input: thousands of requests for us from distinct on-link senders. The cache never
     * exceeds its size, each request is answered, and the stack keeps working. */
    struct synack_config c;
    cfg_default(&c);
    c.arp_cache_size = 8;
    struct hx h;
    hx_init(&h, &c);
    uint8_t f[64];
    for (unsigned i = 0; i < 5000; i++) {
        uint8_t mac[6] = { 2, 1, 0, 0, (uint8_t)(i >> 8), (uint8_t)i };
        uint32_t ip = 0x0a000000u | (2 + i % 250);
        size_t n = hx_arp(f, hx_mac_bcast, ARP_OP_REQUEST, mac, ip, zero_mac, HX_US);
        hx_input(&h, f, n);
        h.now += 10;
    }
    assert_int_equal(CTR(h.st, ArpOutReplies), 5000);
    unsigned known = 0;
    uint8_t mac[6];
    for (unsigned i = 2; i < 252; i++)
        known += arp_lookup(h.st, h.ifi, 0x0a000000u | i, mac) == 0;
    assert_int_equal(known, 8);
    hx_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reply_to_request_for_us),
        cmocka_unit_test(test_request_for_other_ignored),
        cmocka_unit_test(test_merge_updates_known_sender),
        cmocka_unit_test(test_no_learning_off_network),
        cmocka_unit_test(test_bad_packets_counted),
        cmocka_unit_test(test_resolve_queue_flush_in_order),
        cmocka_unit_test(test_queue_bounded_keeps_latest),
        cmocka_unit_test(test_retry_then_give_up),
        cmocka_unit_test(test_expiry),
        cmocka_unit_test(test_refresh_in_use),
        cmocka_unit_test(test_refresh_unanswered),
        cmocka_unit_test(test_lru_reuse_when_full),
        cmocka_unit_test(test_cache_full_of_pending),
        cmocka_unit_test(test_broadcast_needs_no_resolution),
        cmocka_unit_test(test_flood_stays_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
