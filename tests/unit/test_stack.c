/* Unit tests of the stack object (src/net/stack.c, iface.c): configuration defaults, interface
 * validation, Ethernet demultiplexing with every drop counted and traced with its reason, the
 * counter table, and the rules of docs/ARCHITECTURE.md that two stacks never see each other and
 * that a seed fixes the run. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>

#include "lib/harness.h"

static int null_tx(void *ctx, const uint8_t *frame, size_t len, synack_time_t now) { return 0; }

static void test_config_defaults(void **state)
{
    struct synack_config c;
    synack_config_init(&c);
    assert_int_equal(c.arp_timeout, SYNACK_SEC(60));
    assert_int_equal(c.arp_max_tries, 3);
    assert_int_equal(c.reasm_timeout, SYNACK_SEC(30));
    assert_int_equal(c.default_ttl, 64);
    assert_true(c.eph_port_min >= 1024 && c.eph_port_min <= c.eph_port_max);
    /* Different u64 seeds give different keys; seed 0 is not the all-zero key. */
    struct synack_config d = c;
    synack_config_seed_u64(&c, 0);
    synack_config_seed_u64(&d, 1);
    assert_memory_not_equal(c.seed, d.seed, 32);
    static const uint8_t zero[32];
    assert_memory_not_equal(c.seed, zero, 32);
}

static void test_if_add_validation(void **state)
{
    struct synack_config c;
    synack_config_init(&c);
    synack_stack_t *st = synack_stack_new(&c);
    struct synack_if_config ic = { .name = "x", .kind = SYNACK_IF_ETHERNET, .addr = HX_US, .prefix_len = 24,
                                   .mtu = 1500, .tx = null_tx };
    struct synack_if_config bad = ic;
    bad.mtu = 67;   /* RFC 791: every host must handle 68 */
    assert_int_equal(synack_if_add(st, &bad), -EINVAL);
    bad = ic;
    bad.prefix_len = 33;
    assert_int_equal(synack_if_add(st, &bad), -EINVAL);
    bad = ic;
    bad.kind = 7;
    assert_int_equal(synack_if_add(st, &bad), -EINVAL);
    bad = ic;
    bad.tx = NULL;
    assert_int_equal(synack_if_add(st, &bad), -EINVAL);
    for (int i = 0; i < 8; i++) {
        ic.addr = HX_US + ((uint32_t)i << 8);
        assert_int_equal(synack_if_add(st, &ic), i);
    }
    assert_int_equal(synack_if_add(st, &ic), -ENOSPC);
    assert_int_equal(synack_if_input(st, 8, (const uint8_t *)"x", 1, 0), -EINVAL);
    assert_int_equal(synack_if_input(st, -1, (const uint8_t *)"x", 1, 0), -EINVAL);
    assert_int_equal(synack_if_kind(st, 3), SYNACK_IF_ETHERNET);
    assert_int_equal(synack_if_kind(st, 9), 0);
    synack_stack_free(st);
}

struct trace_log {
    int kinds[16];
    int counters[16];
    int n;
};

static void trace_fn(void *ctx, const struct synack_trace_event *e)
{
    struct trace_log *t = ctx;
    if (t->n < 16) {
        t->kinds[t->n] = e->kind;
        t->counters[t->n] = e->counter;
        t->n++;
    }
}

static void test_ethernet_drops_counted_and_traced(void **state)
{
    struct hx h;
    hx_init(&h, NULL);
    struct trace_log log = { 0 };
    synack_stack_set_trace(h.st, trace_fn, &log);
    uint8_t f[64] = { 0 };
    hx_input(&h, f, 10);   /* shorter than a header */
    size_t n = hx_eth(f, hx_mac_us, hx_mac_peer, 0x86dd, (const uint8_t *)"v6", 2);
    hx_input(&h, f, n);    /* IPv6: not spoken */
    static const uint8_t other[6] = { 2, 0, 0, 0, 0, 9 }, mcast[6] = { 1, 0, 0x5e, 0, 0, 1 };
    n = hx_eth(f, other, hx_mac_peer, ETH_TYPE_IPV4, (const uint8_t *)"x", 1);
    hx_input(&h, f, n);
    n = hx_eth(f, mcast, hx_mac_peer, ETH_TYPE_IPV4, (const uint8_t *)"x", 1);
    hx_input(&h, f, n);
    assert_int_equal(CTR(h.st, EthInFrames), 4);
    assert_int_equal(CTR(h.st, EthInErrors), 1);
    assert_int_equal(CTR(h.st, EthInUnknownType), 1);
    assert_int_equal(CTR(h.st, EthInNotForUs), 2);
    assert_int_equal(log.n, 8);   /* each frame: FRAME_IN then DROP with its reason */
    static const int reasons[] = { SYNACK_C_EthInErrors, SYNACK_C_EthInUnknownType, SYNACK_C_EthInNotForUs,
                                   SYNACK_C_EthInNotForUs };
    for (int i = 0; i < 4; i++) {
        assert_int_equal(log.kinds[2 * i], SYNACK_TR_FRAME_IN);
        assert_int_equal(log.kinds[2 * i + 1], SYNACK_TR_DROP);
        assert_int_equal(log.counters[2 * i + 1], reasons[i]);
    }
    /* A frame the stack sends is traced too, and a refusing link is counted. */
    log.n = 0;
    h.tx_error = -ENOBUFS;
    hx_learn(&h, HX_PEER, hx_mac_peer);
    assert_int_equal(log.kinds[1], SYNACK_TR_FRAME_OUT);
    assert_int_equal(CTR(h.st, LinkOutErrors), 1);
    assert_int_equal(CTR(h.st, EthOutFrames), 1);
    hx_free(&h);
}

static void test_counter_table(void **state)
{
    assert_string_equal(synack_counter_name(SYNACK_C_InHdrErrors), "InHdrErrors");
    assert_string_equal(synack_counter_name(SYNACK_C_ReasmTimeout), "ReasmTimeout");
    assert_string_equal(synack_counter_name(SYNACK_C_COUNT), "?");
    assert_string_equal(synack_counter_desc((enum synack_counter)-1), "?");
    for (int c = 0; c < SYNACK_C_COUNT; c++) {
        assert_true(strlen(synack_counter_name((enum synack_counter)c)) > 2);
        assert_true(strlen(synack_counter_desc((enum synack_counter)c)) > 5);
    }
}

/* The first ephemeral port and the first IP ID a stack uses with the given seed, plus its
 * counters after one UDP send. */
static void fingerprint(uint64_t seed, uint16_t *port, uint16_t *id, struct hx *keep)
{
    struct synack_config c;
    synack_config_init(&c);
    synack_config_seed_u64(&c, seed);
    hx_init(keep, &c);
    hx_learn(keep, HX_PEER, hx_mac_peer);
    int s = synack_socket(keep->st, SYNACK_SOCK_DGRAM);
    struct synack_sockaddr to = synack_sockaddr_from_v4(HX_PEER, 9);
    synack_sendto(keep->st, s, "x", 1, &to, keep->now);
    struct synack_sockaddr me;
    synack_getsockname(keep->st, s, &me);
    *port = me.port;
    struct ip4_hdr ip;
    assert_non_null(hx_frame_ip(keep, hx_pop(keep), &ip));
    *id = ip.id;
}

static void test_two_stacks_independent_and_seeded(void **state)
{
    struct hx a, b, c;
    uint16_t pa, pb, pc, ia, ib, ic;
    fingerprint(5, &pa, &ia, &a);
    fingerprint(5, &pb, &ib, &b);
    fingerprint(6, &pc, &ic, &c);
    /* Same seed, same numbers, even with another stack alive in the process. */
    assert_int_equal(pa, pb);
    assert_int_equal(ia, ib);
    assert_true(pa != pc || ia != ic);
    /* Work on one stack is invisible to the others. */
    for (int i = 0; i < 10; i++)
        hx_input_udp(&a, HX_PEER, HX_US, 1, 4444, "x", 1);
    assert_int_equal(CTR(a.st, UdpNoPorts), 10);
    assert_int_equal(CTR(b.st, UdpNoPorts), 0);
    assert_int_equal(CTR(c.st, InReceives), 0);
    assert_int_equal(hx_pending(&b), 0);
    hx_free(&a);
    hx_free(&b);
    hx_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_defaults),
        cmocka_unit_test(test_if_add_validation),
        cmocka_unit_test(test_ethernet_drops_counted_and_traced),
        cmocka_unit_test(test_counter_table),
        cmocka_unit_test(test_two_stacks_independent_and_seeded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
