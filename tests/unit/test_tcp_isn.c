/* Initial sequence numbers (RFC 9293 3.4.1, MUST-8, SHLD-1, MUST-9; RFC 6528): clock-driven, the
 * clock's low bit ticking every 4 microseconds, so one 4-tuple's ISNs advance with time across its
 * incarnations; offset by a keyed hash of the 4-tuple, so ISNs of other 4-tuples at the same moment
 * say nothing about each other and a stack with another secret picks others. Checked on the SYNs
 * a stack sends (the wire), and on tcp_isn itself for the arithmetic. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/ctx.h"
#include "synack/synack.h"
#include "tcp/tcp_int.h"
#include "wire/bytes.h"
#include "wire/ip4.h"

#define US 0xC0000201u
#define PEER 0xC0000202u

struct cap {
    uint32_t syn_seq;
    int syns;
};

static int tx(void *ctx, const uint8_t *f, size_t len, synack_time_t now)
{
    (void)now;
    struct cap *c = ctx;
    struct ip4_hdr ip;
    if (ip4_parse(f, len, &ip) != WIRE_OK || ip.proto != IP4_PROTO_TCP)
        return 0;
    const uint8_t *t = f + ip.ihl;
    if (t[13] & 0x02) {   /* SYN */
        c->syn_seq = wire_get32(t + 4);
        c->syns++;
    }
    return 0;
}

static synack_stack_t *stack(uint64_t seed, struct cap *cap)
{
    struct synack_config cfg;
    synack_config_init(&cfg);
    synack_config_seed_u64(&cfg, seed);
    synack_stack_t *st = synack_stack_new(&cfg);
    struct synack_if_config ic = { .name = "t", .kind = SYNACK_IF_RAWIP, .addr = US, .prefix_len = 24, .mtu = 1500,
                                   .tx = tx, .tx_ctx = cap };
    assert_true(synack_if_add(st, &ic) >= 0);
    return st;
}

/* The ISN of the SYN a connect from lport to PEER:rport sends at `now`. */
static uint32_t syn_isn(synack_stack_t *st, struct cap *cap, uint16_t lport, uint16_t rport, synack_time_t now)
{
    int s = synack_socket(st, SYNACK_SOCK_STREAM);
    struct synack_sockaddr la = synack_sockaddr_from_v4(US, lport), pa = synack_sockaddr_from_v4(PEER, rport);
    assert_int_equal(synack_bind(st, s, &la), 0);
    int n = cap->syns;
    assert_int_equal(synack_connect(st, s, &pa, now), -SYNACK_EINPROGRESS);
    assert_int_equal(cap->syns, n + 1);
    uint32_t isn = cap->syn_seq;
    synack_close(st, s, now);   /* a SYN-SENT connection goes at once: the 4-tuple is free again */
    return isn;
}

/* One 4-tuple across incarnations: the ISN moves with the clock, one per 4 microseconds. */
static void clock_driven(void **state)
{
    (void)state;
    struct cap cap = { 0 };
    synack_stack_t *st = stack(7, &cap);
    synack_time_t t0 = 1000000;
    uint32_t a = syn_isn(st, &cap, 40000, 80, t0);
    uint32_t b = syn_isn(st, &cap, 40000, 80, t0 + 4000);        /* 4 ms later */
    uint32_t c = syn_isn(st, &cap, 40000, 80, t0 + 4000 + 40);   /* and 40 us */
    assert_int_equal(b - a, 1000u);
    assert_int_equal(c - b, 10u);
    /* over the wrap of 32 bits (4.77 hours of 4 us ticks) it keeps counting, modulo 2^32 */
    uint32_t d = syn_isn(st, &cap, 40000, 80, t0 + (synack_time_t)4 * 0x100000000ull + 8);
    assert_int_equal(d - a, 2u);
    synack_stack_free(st);
}

/* Other 4-tuples at the same moment: the keyed hash, not a counter, tells them apart. */
static void keyed_per_tuple(void **state)
{
    (void)state;
    struct cap cap = { 0 };
    synack_stack_t *st = stack(7, &cap);
    uint32_t isn[16];
    for (int i = 0; i < 16; i++)
        isn[i] = syn_isn(st, &cap, (uint16_t)(41000 + i), 80, 5000000);
    int close_pairs = 0;
    for (int i = 0; i < 16; i++)
        for (int j = i + 1; j < 16; j++) {
            assert_true(isn[i] != isn[j]);
            uint32_t d = isn[i] - isn[j];
            if (d < 65536 || d > 0xffffffffu - 65536)
                close_pairs++;
        }
    /* 120 pairs of random 32-bit values: two within 64 Ki of each other is a 1-in-270 event each
     * (6e-3 in all); a counter or a weak mix (ports added in) would put them all within 16 */
    assert_true(close_pairs <= 1);
    synack_stack_free(st);
}

/* The secret is the stack's own (from its seed): another stack picks other ISNs for the same
 * 4-tuple at the same moment; the same seed, the same ones (a simulated run is a function of it). */
static void secret_per_stack(void **state)
{
    (void)state;
    struct cap c1 = { 0 }, c2 = { 0 }, c3 = { 0 };
    synack_stack_t *s1 = stack(7, &c1), *s2 = stack(8, &c2), *s3 = stack(7, &c3);
    uint32_t a = syn_isn(s1, &c1, 42000, 443, 9000000);
    uint32_t b = syn_isn(s2, &c2, 42000, 443, 9000000);
    uint32_t c = syn_isn(s3, &c3, 42000, 443, 9000000);
    assert_true(a != b);
    assert_int_equal(a, c);
    /* and tcp_isn is what the wire showed */
    struct tcp_end l = { synack_ip_from_v4(US), 42000 }, r = { synack_ip_from_v4(PEER), 443 };
    assert_int_equal(tcp_isn(s1, &l, &r, 9000000), a);
    synack_stack_free(s1);
    synack_stack_free(s2);
    synack_stack_free(s3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(clock_driven),
        cmocka_unit_test(keyed_per_tuple),
        cmocka_unit_test(secret_per_stack),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
