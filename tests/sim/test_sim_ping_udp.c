/* Sim tier: two stacks over a simulated Ethernet link with loss, duplication, reordering, jitter
 * and corruption, under virtual time, for several seeds. Stack 0 pings stack 1 (some pings larger
 * than the MTU, so fragments are lost, duplicated and reordered too) and sends datagrams to a UDP
 * echo server on stack 1.
 *
 * Checked for every seed:
 *  - everything that arrives is correct: each echo reply and each UDP reply carries exactly the
 *    bytes that were sent (a corrupted frame is dropped by a checksum and counted, never
 *    delivered wrong);
 *  - the stacks' frame counters agree with the link's statistics (frames sent, delivered);
 *  - corrupted frames were dropped and counted under some drop counter;
 *  - the same seed gives the identical trace (every event's kind, time, length, bytes and drop
 *    reason) and a different seed a different one.
 * Stack and link are freed at the end; the ASan build checks that nothing leaks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>

#include "lib/simpair.h"

#define ECHO_PORT 7
#define CLIENT_PORT 5555
#define ROUNDS 300
#define BIG 2000      /* ping payload that needs two fragments */

struct result {
    uint64_t trace_hash[2];
    size_t events[2];
    unsigned udp_sent, udp_replies, udp_distinct, pings_sent, ping_replies, ping_distinct;
    uint64_t counters[2][SYNACK_C_COUNT];
    struct synack_simlink_stats link[2];
};

struct app {
    struct simpair *p;
    int srv, cli;
    unsigned replies;
    unsigned char got[ROUNDS];
};

/* Message n: 4-byte number, then a pattern that depends on n, 20..219 bytes long. */
static size_t make_msg(uint8_t *out, unsigned n)
{
    size_t len = 4 + 20 + (n * 37u) % 200u;
    out[0] = (uint8_t)(n >> 24);
    out[1] = (uint8_t)(n >> 16);
    out[2] = (uint8_t)(n >> 8);
    out[3] = (uint8_t)n;
    for (size_t i = 4; i < len; i++)
        out[i] = (uint8_t)(n * 131u + i * 7u);
    return len;
}

static void make_ping(uint8_t *out, size_t len, unsigned seq)
{
    for (size_t i = 0; i < len; i++)
        out[i] = (uint8_t)(seq + i * 3u + (i >> 8));
}

/* The echo server on stack 1: sends every datagram back to where it came from. */
static void server_fn(synack_stack_t *st, int sock, unsigned events, void *arg, synack_time_t now)
{
    uint8_t buf[512];
    struct synack_sockaddr from;
    int n;
    while ((n = synack_recvfrom(st, sock, buf, sizeof(buf), &from, now)) >= 0)
        synack_sendto(st, sock, buf, (size_t)n, &from, now);
}

/* The client on stack 0: each reply must be a message it sent, byte for byte. */
static void client_fn(synack_stack_t *st, int sock, unsigned events, void *arg, synack_time_t now)
{
    struct app *a = arg;
    uint8_t buf[512], want[512];
    struct synack_sockaddr from;
    int n;
    while ((n = synack_recvfrom(st, sock, buf, sizeof(buf), &from, now)) >= 0) {
        assert_true(n >= 4);
        unsigned k = (unsigned)buf[0] << 24 | (unsigned)buf[1] << 16 | (unsigned)buf[2] << 8 | buf[3];
        assert_true(k < ROUNDS);
        size_t wl = make_msg(want, k);
        assert_int_equal((size_t)n, wl);
        assert_memory_equal(buf, want, wl);
        assert_int_equal(synack_ip_to_v4(&from.addr), 0x0a000002u);
        assert_int_equal(from.port, ECHO_PORT);
        a->replies++;
        a->got[k] = 1;
    }
}

static void run(uint64_t seed, double impair, struct result *res)
{
    memset(res, 0, sizeof(*res));
    struct synack_simlink_config lc;
    synack_simlink_config_init(&lc);
    lc.seed = seed;
    lc.latency = SYNACK_MS(1);
    lc.jitter = 300;
    lc.bandwidth_bps = 100000000;
    lc.loss = impair;
    lc.duplicate = impair * 0.6;
    lc.reorder = impair;
    lc.reorder_delay = SYNACK_MS(4);
    lc.corrupt = impair;
    struct simpair p;
    assert_int_equal(sp_init(&p, &lc, NULL, seed * 1000, 1500), 0);
    struct app a = { .p = &p };
    a.srv = synack_socket(p.st[1], SYNACK_SOCK_DGRAM);
    struct synack_sockaddr sa = { synack_ip_any6(), ECHO_PORT };
    assert_int_equal(synack_bind(p.st[1], a.srv, &sa), 0);
    synack_socket_set_handler(p.st[1], a.srv, server_fn, &a);
    a.cli = synack_socket(p.st[0], SYNACK_SOCK_DGRAM);
    struct synack_sockaddr ca = { synack_ip_any6(), CLIENT_PORT };
    assert_int_equal(synack_bind(p.st[0], a.cli, &ca), 0);
    synack_socket_set_handler(p.st[0], a.cli, client_fn, &a);

    uint8_t msg[512], ping[BIG];
    struct synack_sockaddr to = synack_sockaddr_from_v4(0x0a000002u, ECHO_PORT);
    for (unsigned k = 0; k < ROUNDS; k++) {
        size_t ml = make_msg(msg, k);
        if (synack_sendto(p.st[0], a.cli, msg, ml, &to, sp_now(&p)) == (int)ml)
            res->udp_sent++;
        size_t pl = k % 5 == 0 ? BIG : 56;
        make_ping(ping, pl, k);
        struct synack_ip ping_dst = synack_ip_from_v4(0x0a000002u);
        if (synack_ping(p.st[0], &ping_dst, 0x77, (uint16_t)k, ping, pl, sp_now(&p)) == 0)
            res->pings_sent++;
        sp_run(&p, SYNACK_MS(10));
    }
    /* Let everything in flight land and every timer (ARP, reassembly) run out. */
    sp_run(&p, SYNACK_SEC(120));
    assert_int_equal(synack_simlink_next(p.link), SYNACK_TIME_NEVER);

    /* Every echo reply carries exactly the request's bytes. */
    unsigned char seen[ROUNDS] = { 0 };
    for (size_t i = 0; i < p.tr[0].necho; i++) {
        const struct sp_echo *e = &p.tr[0].echo[i];
        assert_int_equal(e->from, 0x0a000002u);
        assert_int_equal(e->id, 0x77);
        assert_true(e->seq < ROUNDS);
        size_t pl = e->seq % 5 == 0 ? BIG : 56;
        assert_int_equal(e->len, 28 + pl);
        make_ping(ping, pl, e->seq);
        assert_memory_equal(e->pkt + 28, ping, pl);
        res->ping_distinct += !seen[e->seq];
        seen[e->seq] = 1;
    }
    res->ping_replies = (unsigned)p.tr[0].necho;
    res->udp_replies = a.replies;
    for (unsigned k = 0; k < ROUNDS; k++)
        res->udp_distinct += a.got[k];

    for (int side = 0; side < 2; side++) {
        res->trace_hash[side] = sp_trace_hash(&p.tr[side]);
        res->events[side] = p.tr[side].n;
        for (int c = 0; c < SYNACK_C_COUNT; c++)
            res->counters[side][c] = synack_counter_get(p.st[side], (enum synack_counter)c);
        synack_simlink_stats(p.link, side, &res->link[side]);
    }
    sp_free(&p);
}

static void check_consistency(const struct result *r, double impair)
{
    for (int side = 0; side < 2; side++) {
        const struct synack_simlink_stats *ls = &r->link[side];
        const uint64_t *mine = r->counters[side], *peer = r->counters[1 - side];
        /* Every frame a stack sent was offered to the link, and every frame the link delivered
         * reached the other stack. */
        assert_int_equal(mine[SYNACK_C_EthOutFrames], ls->sent);
        assert_int_equal(mine[SYNACK_C_LinkOutErrors], 0);
        assert_int_equal(peer[SYNACK_C_EthInFrames], ls->delivered);
        /* With nothing left in flight: delivered = sent - lost - queue drops + duplicates. */
        assert_int_equal(ls->delivered, ls->sent - ls->lost - ls->queue_drops + ls->duplicated);
        /* Each received frame is either an IPv4 or ARP packet or dropped at the Ethernet layer. */
        assert_int_equal(peer[SYNACK_C_EthInFrames],
                         peer[SYNACK_C_InReceives] + peer[SYNACK_C_ArpInPackets] + peer[SYNACK_C_EthInErrors] +
                             peer[SYNACK_C_EthInNotForUs] + peer[SYNACK_C_EthInUnknownType]);
    }
    uint64_t corrupted = r->link[0].corrupted + r->link[1].corrupted;
    uint64_t dropped = 0;
    static const enum synack_counter drops[] = {
        SYNACK_C_EthInNotForUs, SYNACK_C_EthInUnknownType, SYNACK_C_ArpInErrors, SYNACK_C_InHdrErrors,
        SYNACK_C_InTruncatedPkts, SYNACK_C_InAddrErrors, SYNACK_C_InUnknownProtos, SYNACK_C_IcmpInErrors,
        SYNACK_C_UdpInErrors, SYNACK_C_UdpNoPorts, SYNACK_C_ReasmFails,
    };
    for (int side = 0; side < 2; side++)
        for (size_t i = 0; i < sizeof(drops) / sizeof(drops[0]); i++)
            dropped += r->counters[side][drops[i]];
    if (impair > 0) {
        assert_true(corrupted > 10);
        /* Most corrupted frames die on a checksum or an address check; a few flips land where
         * nothing checks (the Ethernet source MAC, ARP fields) or hit a frame that was lost. */
        assert_true(dropped >= corrupted / 2);
        assert_true(r->counters[0][SYNACK_C_UdpInCsumErrors] + r->counters[1][SYNACK_C_UdpInCsumErrors] +
                        r->counters[0][SYNACK_C_InHdrErrors] + r->counters[1][SYNACK_C_InHdrErrors] +
                        r->counters[0][SYNACK_C_IcmpInErrors] + r->counters[1][SYNACK_C_IcmpInErrors] > 0);
    } else {
        assert_int_equal(corrupted, 0);
        assert_int_equal(dropped, 0);
        /* A clean link loses nothing. */
        assert_int_equal(r->udp_distinct, ROUNDS);
        assert_int_equal(r->ping_distinct, ROUNDS);
        assert_int_equal(r->udp_replies, ROUNDS);
        assert_int_equal(r->ping_replies, ROUNDS);
    }
    /* Most exchanges survive: a request and its reply each cross the link once. */
    assert_true(r->udp_sent == ROUNDS && r->pings_sent == ROUNDS);
    assert_true(r->udp_distinct >= ROUNDS / 2);
    assert_true(r->ping_distinct >= ROUNDS / 3);   /* big pings need 4 frames to survive */
    assert_int_equal(r->counters[1][SYNACK_C_UdpInDatagrams], r->counters[1][SYNACK_C_UdpOutDatagrams]);
}

static void test_clean_link(void **state)
{
    struct result *r = calloc(1, sizeof(*r));
    run(1, 0.0, r);
    check_consistency(r, 0.0);
    free(r);
}

static void test_impaired_many_seeds(void **state)
{
    struct result *r = calloc(1, sizeof(*r));
    for (uint64_t seed = 1; seed <= 8; seed++) {
        run(seed, 0.05, r);
        check_consistency(r, 0.05);
    }
    /* A harsher link too. */
    run(99, 0.15, r);
    check_consistency(r, 0.15);
    free(r);
}

static void test_same_seed_same_trace(void **state)
{
    struct result *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b)), *c = calloc(1, sizeof(*c));
    run(42, 0.08, a);
    run(42, 0.08, b);
    run(43, 0.08, c);
    for (int side = 0; side < 2; side++) {
        assert_true(a->events[side] > 1000);
        assert_int_equal(a->events[side], b->events[side]);
        assert_int_equal(a->trace_hash[side], b->trace_hash[side]);
        assert_memory_equal(a->counters[side], b->counters[side], sizeof(a->counters[side]));
        assert_int_not_equal(a->trace_hash[side], c->trace_hash[side]);
    }
    free(a);
    free(b);
    free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clean_link),
        cmocka_unit_test(test_impaired_many_seeds),
        cmocka_unit_test(test_same_seed_same_trace),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
