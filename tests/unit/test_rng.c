/* Unit tests of the stack's CSPRNG (src/core/rng.c), a ChaCha20 keystream with the block counter
 * in words 12-13 and a zero nonce.
 *
 * The expected bytes come from two places: RFC 8439 appendix A.1 (block-function vectors with a
 * zero nonce, which is exactly this layout while the counter stays below 2^32), and an independent
 * block function written here straight from RFC 8439 2.3, itself checked against the 2.3.2 vector
 * (key 00..1f, counter 1, nonce 00:00:00:09:00:00:00:4a:00:00:00:00). The reference covers seeds
 * the appendix does not and the counter's carry into word 13. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/rng.h"

/* ---- the reference: RFC 8439 2.1-2.3, written independently of src/core/rng.c ---- */

static uint32_t ref_rotl(uint32_t v, int n) { return (v << n) | (v >> (32 - n)); }

static void ref_qr(uint32_t *s, int a, int b, int c, int d)
{
    s[a] += s[b]; s[d] ^= s[a]; s[d] = ref_rotl(s[d], 16);
    s[c] += s[d]; s[b] ^= s[c]; s[b] = ref_rotl(s[b], 12);
    s[a] += s[b]; s[d] ^= s[a]; s[d] = ref_rotl(s[d], 8);
    s[c] += s[d]; s[b] ^= s[c]; s[b] = ref_rotl(s[b], 7);
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* RFC 8439 2.3: state = constants, key, counter, nonce; 10 double rounds; add; serialise LE. */
static void ref_block(const uint8_t key[32], uint32_t counter, const uint8_t nonce[12], uint8_t out[64])
{
    uint32_t init[16] = { 0x61707865, 0x3320646e, 0x79622d32, 0x6b206574 };
    for (int i = 0; i < 8; i++)
        init[4 + i] = le32(key + 4 * i);
    init[12] = counter;
    for (int i = 0; i < 3; i++)
        init[13 + i] = le32(nonce + 4 * i);
    uint32_t s[16];
    memcpy(s, init, sizeof(s));
    for (int r = 0; r < 10; r++) {
        ref_qr(s, 0, 4, 8, 12); ref_qr(s, 1, 5, 9, 13); ref_qr(s, 2, 6, 10, 14); ref_qr(s, 3, 7, 11, 15);
        ref_qr(s, 0, 5, 10, 15); ref_qr(s, 1, 6, 11, 12); ref_qr(s, 2, 7, 8, 13); ref_qr(s, 3, 4, 9, 14);
    }
    for (int i = 0; i < 16; i++) {
        uint32_t v = s[i] + init[i];
        for (int b = 0; b < 4; b++)
            out[4 * i + b] = (uint8_t)(v >> (8 * b));
    }
}

/* The generator's block n for a seed: counter word 12 = low 32 bits, word 13 = high 32 bits,
 * words 14-15 zero, i.e. the RFC 8439 block with nonce = (high word, 0, 0). */
static void ref_stream_block(const uint8_t seed[32], uint64_t n, uint8_t out[64])
{
    uint8_t nonce[12] = { 0 };
    uint32_t hi = (uint32_t)(n >> 32);
    for (int b = 0; b < 4; b++)
        nonce[b] = (uint8_t)(hi >> (8 * b));
    ref_block(seed, (uint32_t)n, nonce, out);
}

static void test_reference_rfc8439_2_3_2(void **state)
{
    /* RFC 8439 2.1.1 quarter-round vector first, then the 2.3.2 block. */
    uint32_t q[16] = { 0 };
    q[0] = 0x11111111; q[1] = 0x01020304; q[2] = 0x9b8d6f43; q[3] = 0x01234567;
    ref_qr(q, 0, 1, 2, 3);
    assert_int_equal(q[0], 0xea2a92f4);
    assert_int_equal(q[1], 0xcb1cf8ce);
    assert_int_equal(q[2], 0x4581472e);
    assert_int_equal(q[3], 0x5881c4bb);

    uint8_t key[32];
    for (int i = 0; i < 32; i++)
        key[i] = (uint8_t)i;
    static const uint8_t nonce[12] = { 0, 0, 0, 0x09, 0, 0, 0, 0x4a, 0, 0, 0, 0 };
    static const uint8_t want[64] = {
        0x10, 0xf1, 0xe7, 0xe4, 0xd1, 0x3b, 0x59, 0x15, 0x50, 0x0f, 0xdd, 0x1f, 0xa3, 0x20, 0x71, 0xc4,
        0xc7, 0xd1, 0xf4, 0xc7, 0x33, 0xc0, 0x68, 0x03, 0x04, 0x22, 0xaa, 0x9a, 0xc3, 0xd4, 0x6c, 0x4e,
        0xd2, 0x82, 0x64, 0x46, 0x07, 0x9f, 0xaa, 0x09, 0x14, 0xc2, 0xd7, 0x05, 0xd9, 0x8b, 0x02, 0xa2,
        0xb5, 0x12, 0x9c, 0xd1, 0xde, 0x16, 0x4e, 0xb9, 0xcb, 0xd0, 0x83, 0xe8, 0xa2, 0x50, 0x3c, 0x4e,
    };
    uint8_t out[64];
    ref_block(key, 1, nonce, out);
    assert_memory_equal(out, want, 64);
}

/* RFC 8439 A.1 test vectors #1 (zero key, counter 0), #2 (zero key, counter 1) and #3 (key ending
 * in 01, counter 1), all with a zero nonce: the generator's first two blocks. */
static const uint8_t a1_v1[64] = {
    0x76, 0xb8, 0xe0, 0xad, 0xa0, 0xf1, 0x3d, 0x90, 0x40, 0x5d, 0x6a, 0xe5, 0x53, 0x86, 0xbd, 0x28,
    0xbd, 0xd2, 0x19, 0xb8, 0xa0, 0x8d, 0xed, 0x1a, 0xa8, 0x36, 0xef, 0xcc, 0x8b, 0x77, 0x0d, 0xc7,
    0xda, 0x41, 0x59, 0x7c, 0x51, 0x57, 0x48, 0x8d, 0x77, 0x24, 0xe0, 0x3f, 0xb8, 0xd8, 0x4a, 0x37,
    0x6a, 0x43, 0xb8, 0xf4, 0x15, 0x18, 0xa1, 0x1c, 0xc3, 0x87, 0xb6, 0x69, 0xb2, 0xee, 0x65, 0x86,
};
static const uint8_t a1_v2[64] = {
    0x9f, 0x07, 0xe7, 0xbe, 0x55, 0x51, 0x38, 0x7a, 0x98, 0xba, 0x97, 0x7c, 0x73, 0x2d, 0x08, 0x0d,
    0xcb, 0x0f, 0x29, 0xa0, 0x48, 0xe3, 0x65, 0x69, 0x12, 0xc6, 0x53, 0x3e, 0x32, 0xee, 0x7a, 0xed,
    0x29, 0xb7, 0x21, 0x76, 0x9c, 0xe6, 0x4e, 0x43, 0xd5, 0x71, 0x33, 0xb0, 0x74, 0xd8, 0x39, 0xd5,
    0x31, 0xed, 0x1f, 0x28, 0x51, 0x0a, 0xfb, 0x45, 0xac, 0xe1, 0x0a, 0x1f, 0x4b, 0x79, 0x4d, 0x6f,
};
static const uint8_t a1_v3[64] = {
    0x3a, 0xeb, 0x52, 0x24, 0xec, 0xf8, 0x49, 0x92, 0x9b, 0x9d, 0x82, 0x8d, 0xb1, 0xce, 0xd4, 0xdd,
    0x83, 0x20, 0x25, 0xe8, 0x01, 0x8b, 0x81, 0x60, 0xb8, 0x22, 0x84, 0xf3, 0xc9, 0x49, 0xaa, 0x5a,
    0x8e, 0xca, 0x00, 0xbb, 0xb4, 0xa7, 0x3b, 0xda, 0xd1, 0x92, 0xb5, 0xc4, 0x2f, 0x73, 0xf2, 0xfd,
    0x4e, 0x27, 0x36, 0x44, 0xc8, 0xb3, 0x61, 0x25, 0xa6, 0x4a, 0xdd, 0xeb, 0x00, 0x6c, 0x13, 0xa0,
};

static void test_rfc8439_a1_vectors(void **state)
{
    uint8_t seed[32] = { 0 };
    struct rng r;
    uint8_t out[128];
    rng_init(&r, seed);
    rng_bytes(&r, out, sizeof(out));
    assert_memory_equal(out, a1_v1, 64);
    assert_memory_equal(out + 64, a1_v2, 64);
    /* The reference agrees with the appendix too. */
    uint8_t b[64];
    ref_stream_block(seed, 1, b);
    assert_memory_equal(b, a1_v2, 64);

    seed[31] = 1;
    rng_init(&r, seed);
    rng_bytes(&r, out, sizeof(out));
    assert_memory_equal(out + 64, a1_v3, 64);
}

static void test_matches_reference_any_seed(void **state)
{
    uint8_t seed[32];
    for (int i = 0; i < 32; i++)
        seed[i] = (uint8_t)(0xa5 ^ (i * 29));
    struct rng r;
    rng_init(&r, seed);
    /* Read in odd-sized pieces so block boundaries fall mid-request. */
    uint8_t got[64 * 5], want[64 * 5];
    size_t off = 0;
    static const size_t pieces[] = { 1, 7, 63, 2, 64, 100, 83 };
    for (size_t i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
        rng_bytes(&r, got + off, pieces[i]);
        off += pieces[i];
    }
    assert_int_equal(off, sizeof(got));
    for (uint64_t n = 0; n < 5; n++)
        ref_stream_block(seed, n, want + 64 * n);
    assert_memory_equal(got, want, sizeof(got));
}

static void test_counter_carries_into_word_13(void **state)
{
    uint8_t seed[32];
    for (int i = 0; i < 32; i++)
        seed[i] = (uint8_t)i;
    struct rng r;
    rng_init(&r, seed);
    r.counter = 0xffffffffull;   /* the next two blocks straddle the 32-bit boundary */
    uint8_t got[128], want[128];
    rng_bytes(&r, got, sizeof(got));
    ref_stream_block(seed, 0xffffffffull, want);
    ref_stream_block(seed, 0x100000000ull, want + 64);
    assert_memory_equal(got, want, sizeof(got));
}

static void test_same_seed_same_stream(void **state)
{
    uint8_t s1[32] = { 1, 2, 3 }, s2[32] = { 1, 2, 4 };
    struct rng a, b, c;
    rng_init(&a, s1);
    rng_init(&b, s1);
    rng_init(&c, s2);
    uint8_t x[1000], y[1000], z[1000];
    rng_bytes(&a, x, sizeof(x));
    rng_bytes(&b, y, sizeof(y));
    rng_bytes(&c, z, sizeof(z));
    assert_memory_equal(x, y, sizeof(x));
    assert_memory_not_equal(x, z, sizeof(x));
}

static void test_u32_u64_are_stream_bytes(void **state)
{
    /* rng_u32 is the next 4 stream bytes little-endian; rng_u64 is two rng_u32 calls, the first
     * one the high half. The order must be fixed by the code, not by the compiler: the stream
     * has to be the same whichever compiler built the stack (same seed, same run). */
    uint8_t seed[32] = { 9 };
    struct rng a, b;
    rng_init(&a, seed);
    rng_init(&b, seed);
    for (int i = 0; i < 40; i++) {
        uint8_t bytes[8];
        rng_bytes(&b, bytes, 8);
        uint32_t hi = le32(bytes), lo = le32(bytes + 4);
        if (i % 2) {
            assert_int_equal(rng_u32(&a), hi);
            assert_int_equal(rng_u32(&a), lo);
        } else {
            uint64_t v = rng_u64(&a);
            assert_int_equal(v >> 32, hi);
            assert_int_equal(v & 0xffffffffu, lo);
        }
    }
}

static void test_below(void **state)
{
    uint8_t seed[32] = { 7 };
    struct rng r;
    rng_init(&r, seed);
    /* Range, and every value reached for a small n. */
    unsigned hist[10] = { 0 };
    for (int i = 0; i < 10000; i++) {
        uint32_t v = rng_below(&r, 10);
        assert_true(v < 10);
        hist[v]++;
    }
    for (int i = 0; i < 10; i++)
        assert_in_range(hist[i], 850, 1150);   /* 1000 +- ~5 sigma */
    for (int i = 0; i < 1000; i++)
        assert_int_equal(rng_below(&r, 1), 0);
    /* A large n that is not a power of two (the rejection path). */
    for (int i = 0; i < 1000; i++)
        assert_true(rng_below(&r, 0x80000001u) < 0x80000001u);
    assert_true(rng_below(&r, 0xffffffffu) < 0xffffffffu);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_rfc8439_2_3_2),
        cmocka_unit_test(test_rfc8439_a1_vectors),
        cmocka_unit_test(test_matches_reference_any_seed),
        cmocka_unit_test(test_counter_carries_into_word_13),
        cmocka_unit_test(test_same_seed_same_stream),
        cmocka_unit_test(test_u32_u64_are_stream_bytes),
        cmocka_unit_test(test_below),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
