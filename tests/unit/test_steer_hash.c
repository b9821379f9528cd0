/* The shards' steering hash (src/os/steer_hash.h), which user space (synack_shards_owner) and the
 * kernel's steering program both compute: the definition in its header comment, checked on values
 * computed from that definition by another implementation (Python, three tuples); stable (the
 * same tuple and key, the same shard, whatever was hashed between); every input bit matters
 * (flipping any one bit of either address, either port or the key changes the 64-bit hash always
 * and the shard of 2 for about half of random tuples); and the shards are evenly loaded, for random
 * tuples and for the common case of one client's consecutive ports (a chi-square bound), for N
 * from 2 to 64. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "os/steer_hash.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

struct tuple {
    uint8_t l[16], r[16];
    uint16_t lp, rp;
};

static void v4(uint8_t out[16], uint32_t a)
{
    memset(out, 0, 10);
    out[10] = out[11] = 0xff;
    out[12] = (uint8_t)(a >> 24);
    out[13] = (uint8_t)(a >> 16);
    out[14] = (uint8_t)(a >> 8);
    out[15] = (uint8_t)a;
}

static void random_tuple(struct tuple *t)
{
    if (rnd() & 1) {
        v4(t->l, (uint32_t)rnd());
        v4(t->r, (uint32_t)rnd());
    } else {
        for (int i = 0; i < 16; i++) {
            t->l[i] = (uint8_t)rnd();
            t->r[i] = (uint8_t)rnd();
        }
    }
    t->lp = (uint16_t)rnd();
    t->rp = (uint16_t)rnd();
}

static uint64_t hash(const uint64_t key[2], const struct tuple *t) { return steer_hash(key, t->l, t->lp, t->r, t->rp); }

static void test_definition(void **state)
{
    (void)state;
    const uint64_t key[2] = { 0x0123456789abcdefull, 0xfedcba9876543210ull }, zero[2] = { 0, 0 };
    struct tuple t;
    memset(&t, 0, sizeof(t));
    v4(t.l, 0xc0000202u);
    v4(t.r, 0xc0000201u);
    t.lp = 80;
    t.rp = 40000;
    assert_int_equal(hash(key, &t), 0x15abe671b3698fdbull);
    memset(&t, 0, sizeof(t));
    const uint8_t net[4] = { 0x20, 0x01, 0x0d, 0xb8 };
    memcpy(t.l, net, 4);
    memcpy(t.r, net, 4);
    t.l[15] = 2;
    t.r[15] = 1;
    t.lp = 443;
    t.rp = 51234;
    assert_int_equal(hash(key, &t), 0x1fbbde98771fa4c6ull);
    memset(&t, 0, sizeof(t));
    v4(t.l, 0);
    v4(t.r, 0);
    assert_int_equal(hash(zero, &t), 0xf0002d2b598c1de7ull);
    /* The shard is the top half scaled: the extremes map to the first and the last shard. */
    assert_int_equal(steer_shard(0, 7), 0);
    assert_int_equal(steer_shard(UINT64_MAX, 7), 6);
    assert_int_equal(steer_shard(UINT64_MAX, 64), 63);
    assert_int_equal(steer_shard(0x8000000000000000ull, 2), 1);
    assert_int_equal(steer_shard(0x7fffffffffffffffull, 2), 0);
}

static void test_stable(void **state)
{
    (void)state;
    uint64_t key[2] = { rnd(), rnd() };
    struct tuple t[64];
    uint64_t first[64];
    for (int i = 0; i < 64; i++) {
        random_tuple(&t[i]);
        first[i] = hash(key, &t[i]);
    }
    for (int round = 0; round < 3; round++)
        for (int i = 63; i >= 0; i--) {
            assert_int_equal(hash(key, &t[i]), first[i]);
            for (unsigned n = 1; n <= 64; n++)
                assert_int_equal(steer_shard(hash(key, &t[i]), n), steer_shard(first[i], n));
        }
    /* Another key, another map: most tuples change shard among 64. */
    uint64_t other[2] = { key[0] ^ 1, key[1] };
    int moved = 0;
    for (int i = 0; i < 64; i++)
        moved += steer_shard(hash(other, &t[i]), 64) != steer_shard(first[i], 64);
    assert_true(moved > 48);
}

/* Flips bit b of the tuple's 36 bytes (local, remote, local port, remote port) or of the key. */
static void flip(struct tuple *t, uint64_t key[2], int b)
{
    if (b < 128)
        t->l[b / 8] ^= (uint8_t)(1 << (b % 8));
    else if (b < 256)
        t->r[(b - 128) / 8] ^= (uint8_t)(1 << (b % 8));
    else if (b < 272)
        t->lp ^= (uint16_t)(1 << (b - 256));
    else if (b < 288)
        t->rp ^= (uint16_t)(1 << (b - 272));
    else
        key[(b - 288) / 64] ^= 1ull << ((b - 288) % 64);
}

static void test_every_bit(void **state)
{
    (void)state;
    enum { BITS = 288 + 128, SAMPLES = 2000 };
    for (int b = 0; b < BITS; b++) {
        int changed = 0;
        for (int s = 0; s < SAMPLES; s++) {
            uint64_t key[2] = { rnd(), rnd() };
            struct tuple t;
            random_tuple(&t);
            uint64_t h0 = hash(key, &t);
            flip(&t, key, b);
            uint64_t h1 = hash(key, &t);
            if (h0 == h1)
                fail_msg("bit %d does not change the hash", b);
            changed += steer_shard(h0, 2) != steer_shard(h1, 2);
        }
        if (changed < SAMPLES * 40 / 100 || changed > SAMPLES * 60 / 100)
            fail_msg("bit %d changes the shard of 2 for %d of %d tuples", b, changed, SAMPLES);
    }
}

static double root(double x)
{
    double r = x > 1 ? x : 1;
    for (int i = 0; i < 60; i++)
        r = (r + x / r) / 2;
    return r;
}

/* Chi-square of `count` over n shards against the uniform: at most its mean (n - 1) plus ten
 * standard deviations (a sound hash exceeds that with odds far below 1e-9). */
static void assert_even(const unsigned *count, unsigned n, unsigned total, const char *what)
{
    double e = (double)total / n, chi = 0;
    for (unsigned k = 0; k < n; k++)
        chi += ((double)count[k] - e) * ((double)count[k] - e) / e;
    double df = n - 1, bound = df + 10 * root(2 * df);
    if (chi > bound)
        fail_msg("%s over %u shards: chi-square %.1f > %.1f", what, n, chi, bound);
}

static void test_even(void **state)
{
    (void)state;
    const unsigned ns[] = { 2, 3, 4, 5, 7, 8, 16, 64 };
    for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
        unsigned n = ns[i], count[64] = { 0 }, seq[64] = { 0 }, total = 50000;
        uint64_t key[2] = { rnd(), rnd() };
        for (unsigned s = 0; s < total; s++) {
            struct tuple t;
            random_tuple(&t);
            count[steer_shard(hash(key, &t), n)]++;
        }
        assert_even(count, n, total, "random tuples");
        /* One client, consecutive ports, to one server port: a load generator's flows. */
        struct tuple t;
        memset(&t, 0, sizeof(t));
        v4(t.l, 0xc0000202u);
        v4(t.r, 0xc0000201u);
        t.lp = 80;
        for (unsigned p = 0; p < total; p++) {
            t.rp = (uint16_t)(10000 + p);
            seq[steer_shard(hash(key, &t), n)]++;
        }
        assert_even(seq, n, total, "consecutive ports");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_definition),
        cmocka_unit_test(test_stable),
        cmocka_unit_test(test_every_bit),
        cmocka_unit_test(test_even),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
