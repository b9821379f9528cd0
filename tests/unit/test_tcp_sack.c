/* The sender's SACK scoreboard (src/tcp/tcp_sack.c) against the bitmap model of
 * tests/lib/sack_model.h: hand-written cases first (merging, D-SACK, blocks a hostile peer sends),
 * then 5000 random programs. The model check itself must be able to fail: a scoreboard with one
 * range widened by a byte is caught. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "lib/sack_model.h"

static void blocks(struct tcp_opts *o, unsigned n, const uint32_t (*b)[2])
{
    memset(o, 0, sizeof(*o));
    o->sack_count = (uint8_t)n;
    for (unsigned k = 0; k < n; k++) {
        o->sack[k][0] = b[k][0];
        o->sack[k][1] = b[k][1];
    }
}

static void merging_and_holes(void **state)
{
    (void)state;
    struct tcp_sack_sb sb;
    tcp_sack_clear(&sb);
    struct tcp_opts o;
    struct tcp_sack_news nw;
    const uint32_t una = 1000, max = 11000;
    blocks(&o, 2, (const uint32_t[][2]){ { 3000, 4000 }, { 6000, 7000 } });
    tcp_sack_update(&sb, &o, una, una, max, &nw);
    assert_int_equal(nw.newly, 2000);
    assert_int_equal(sb.n, 2);
    /* Adjacent and overlapping blocks merge; bytes already held are not new. */
    blocks(&o, 2, (const uint32_t[][2]){ { 4000, 5000 }, { 3500, 6500 } });
    tcp_sack_update(&sb, &o, una, una, max, &nw);
    assert_int_equal(nw.newly, 2000);
    assert_int_equal(sb.n, 1);
    assert_int_equal(sb.r[0][0], 3000);
    assert_int_equal(sb.r[0][1], 7000);
    uint32_t s, l;
    assert_true(tcp_sack_next_hole(&sb, una, max, &s, &l));
    assert_int_equal(s, 1000);
    assert_int_equal(l, 2000);
    assert_true(tcp_sack_next_hole(&sb, 3000, max, &s, &l));
    assert_int_equal(s, 7000);
    assert_int_equal(l, 4000);
    /* 4000 bytes SACKed above 1000 (> 2 * MSS of 1000): 1000..3000 is lost (RFC 6675 IsLost). */
    assert_int_equal(tcp_sack_lost_edge(&sb, una, 1000), 3000);
    assert_int_equal(tcp_sack_lost_edge(&sb, una, 3000), una);
    /* Pipe: 7000..11000 in flight as sent, 1000..3000 lost, 1000..2000 retransmitted. */
    assert_int_equal(tcp_sack_pipe(&sb, una, max, 2000, tcp_sack_lost_edge(&sb, una, 1000)), 4000 + 1000);
    tcp_sack_advance(&sb, 5000);
    assert_int_equal(sb.sacked, 2000);
    assert_int_equal(sb.r[0][0], 5000);
}

static void dsack_and_hostile_blocks(void **state)
{
    (void)state;
    struct tcp_sack_sb sb;
    tcp_sack_clear(&sb);
    struct tcp_opts o;
    struct tcp_sack_news nw;
    /* RFC 2883: a first block below the cumulative ACK is a D-SACK. */
    blocks(&o, 1, (const uint32_t[][2]){ { 500, 1000 } });
    tcp_sack_update(&sb, &o, 1000, 1000, 5000, &nw);
    assert_true(nw.dsack);
    assert_int_equal(nw.dsack_l, 500);
    assert_int_equal(sb.n, 0);
    /* ... or one inside the second block. */
    blocks(&o, 2, (const uint32_t[][2]){ { 2000, 2500 }, { 2000, 3000 } });
    tcp_sack_update(&sb, &o, 1000, 1000, 5000, &nw);
    assert_true(nw.dsack);
    assert_int_equal(sb.sacked, 1000);
    /* Reversed, empty, beyond SND.MAX, absurdly long: ignored and counted. */
    blocks(&o, 4, (const uint32_t[][2]){ { 4000, 3000 }, { 3000, 3000 }, { 4000, 6000 }, { 1000, 0x90000000u } });
    tcp_sack_update(&sb, &o, 1000, 1000, 5000, &nw);
    assert_int_equal(nw.invalid, 4);
    assert_int_equal(nw.newly, 0);
    /* Thousands of tiny disjoint blocks: the scoreboard stays at its bound. */
    for (uint32_t k = 0; k < 5000; k++) {
        uint32_t b = 1000 + 2 * (k % 2000);
        blocks(&o, 1, (const uint32_t[][2]){ { b + 100000, b + 100001 } });
        tcp_sack_update(&sb, &o, 1000, 1000, 200000, &nw);
        assert_true(sb.n <= TCP_SACK_MAX_RANGES);
    }
}

/* A connection with no scoreboard (not allocated yet, or given back while idle) asks the same
 * questions in recovery: nothing is SACKed, the whole flight is one hole (a NULL scoreboard once
 * crashed tcp_pipe in serve over TAP). */
static void no_scoreboard(void **state)
{
    (void)state;
    uint32_t start = 0, len = 0;
    assert_int_equal(tcp_sack_next_hole(NULL, 1000, 5000, &start, &len), 1);
    assert_int_equal(start, 1000);
    assert_int_equal(len, 4000);
    assert_int_equal(tcp_sack_next_hole(NULL, 5000, 5000, &start, &len), 0);
    /* in flight: 2000..5000 not lost (above the edge) plus 1000..1500 retransmitted */
    assert_int_equal(tcp_sack_pipe(NULL, 1000, 5000, 1500, 2000), 3000 + 500);
    /* the same answers as an empty scoreboard */
    struct tcp_sack_sb sb;
    tcp_sack_clear(&sb);
    assert_int_equal(tcp_sack_pipe(&sb, 1000, 5000, 1500, 2000), tcp_sack_pipe(NULL, 1000, 5000, 1500, 2000));
}

static void random_programs(void **state)
{
    (void)state;
    uint64_t x = 0x9e3779b97f4a7c15ull;
    uint8_t prog[600];
    for (int run = 0; run < 5000; run++) {
        size_t n = 1 + (size_t)(x % sizeof(prog));
        for (size_t i = 0; i < n; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            prog[i] = (uint8_t)x;
        }
        const char *why = sack_model_run(prog, n);
        if (why) {
            printf("program %d of %zu bytes: %s\n", run, n, why);
            fail();
        }
    }
}

static void model_catches_a_wrong_range(void **state)
{
    (void)state;
    static struct sack_model m;
    memset(&m, 0, sizeof(m));
    m.max = 3000;
    struct tcp_sack_sb sb;
    tcp_sack_clear(&sb);
    struct tcp_opts o;
    blocks(&o, 1, (const uint32_t[][2]){ { sm_seq(100), sm_seq(200) } });
    struct tcp_sack_news nw;
    int d;
    tcp_sack_update(&sb, &o, sm_seq(0), sm_seq(0), sm_seq(3000), &nw);
    sm_update(&m, &o, 0, &d);
    assert_null(sm_check(&m, &sb, 100));
    sb.r[0][1]++;
    sb.sacked++;
    assert_non_null(sm_check(&m, &sb, 100));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(merging_and_holes),
        cmocka_unit_test(dsack_and_hostile_blocks),
        cmocka_unit_test(model_catches_a_wrong_range),
        cmocka_unit_test(random_programs),
        cmocka_unit_test(no_scoreboard),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
