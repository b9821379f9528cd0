/* The Internet checksum (RFC 1071) and its incremental update (RFC 1624) against a naive 16-bit
 * reference: the RFC's examples, every odd length, all-ones carries, random buffers at every
 * alignment, carries that wrap the 64-bit accumulators, copy+checksum (wire_csum_copy) at every source
 * and destination alignment and over several megabytes, chained partial sums, the pseudo-header, and incremental == full
 * recomputation.
 * Prints a throughput figure for 1460-byte buffers (not asserted). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "unit/vectors/build.h"
#include "wire/csum.h"

/* RFC 1071 1: add 16-bit words in network order, fold carries back in; an odd last octet is
 * padded with a zero octet on the right. Returns the folded sum (not complemented). */
static uint16_t ref_sum(const uint8_t *p, size_t n, uint64_t s)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        s += (uint32_t)p[n - 1] << 8;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)s;
}

static uint16_t ref_csum(const uint8_t *p, size_t n) { return (uint16_t)~ref_sum(p, n, 0); }

/* RFC 1071 3 "Numerical Examples": 00 01 f2 03 f4 f5 f6 f7 sums to ddf2. */
static void test_rfc1071_example(void **state)
{
    static const uint8_t b[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
    assert_int_equal(ref_sum(b, 8, 0), 0xddf2);
    assert_int_equal(wire_csum(b, 8), (uint16_t)~0xddf2);
    /* The same sum in two halves, and byte-swapped data sums to the swapped sum (2(B)). */
    assert_int_equal(wire_csum_finish(wire_csum_partial(b + 4, 4, wire_csum_partial(b, 4, 0))), (uint16_t)~0xddf2);
    static const uint8_t sw[] = { 0x01, 0x00, 0x03, 0xf2, 0xf5, 0xf4, 0xf7, 0xf6 };
    assert_int_equal(wire_csum(sw, 8), (uint16_t)~0xf2dd);
    /* A span including its correct checksum sums to zero. */
    uint8_t c[10];
    memcpy(c, b, 8);
    wire_put16(c + 8, wire_csum(b, 8));
    assert_int_equal(wire_csum(c, 10), 0);
    assert_int_equal(wire_csum(c, 0), 0xffff);
}

/* Every length 0..4096 at every alignment 0..7 (the loads are 8 bytes wide: each offset puts the
 * word boundaries elsewhere), on random bytes and on all-0xFF bytes, where every 64-bit add carries. */
static void test_every_length_and_alignment(void **state)
{
    uint64_t seed = 1;
    static uint8_t buf[4096 + 64], ones[4096 + 64];
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)vt_rand(&seed);
    memset(ones, 0xff, sizeof(ones));
    for (size_t off = 0; off < 8; off++)
        for (size_t n = 0; n <= 4096; n++) {
            if (wire_csum(buf + off, n) != ref_csum(buf + off, n))
                fail_msg("random bytes: offset %zu length %zu", off, n);
            if (wire_csum(ones + off, n) != ref_csum(ones + off, n))
                fail_msg("all 0xff: offset %zu length %zu", off, n);
        }
    for (size_t off = 8; off < 16; off++)
        for (size_t n = 0; n <= 600; n++)
            assert_int_equal(wire_csum(buf + off, n), ref_csum(buf + off, n));
}

/* Words chosen so the 64-bit accumulators wrap on almost every add: 0xffff...fe and small values
 * interleaved, runs of 0x80 (each pair of words overflows bit 63), and a buffer whose sum comes out
 * exactly 0xffff before folding (its checksum is 0) next to one that comes out 0 (checksum 0xffff,
 * all-zero data: the fold must not turn +0 into -0). */
static void test_wrapping_carries(void **state)
{
    static uint8_t b[4096 + 8];
    for (size_t i = 0; i < sizeof(b); i++)
        b[i] = (i % 16 < 7) ? 0xff : (i % 16 == 7) ? 0xfe : (uint8_t)(i % 16);
    for (size_t off = 0; off < 8; off++)
        for (size_t n = 4000; n <= 4096; n++)
            assert_int_equal(wire_csum(b + off, n), ref_csum(b + off, n));
    memset(b, 0x80, sizeof(b));
    for (size_t off = 0; off < 8; off++)
        for (size_t n = 0; n <= 300; n++)
            assert_int_equal(wire_csum(b + off, n), ref_csum(b + off, n));
    memset(b, 0, sizeof(b));
    for (size_t n = 0; n <= 64; n++)
        assert_int_equal(wire_csum(b, n), 0xffff);
    /* 0x0001 then 0xfffe: the sum is 0xffff, the checksum 0. */
    b[0] = 0x00, b[1] = 0x01, b[2] = 0xff, b[3] = 0xfe;
    assert_int_equal(wire_csum(b, 4), 0);
}

/* wire_csum_copy: the copy is exact (and writes nothing outside dst), the sum equals the reference's,
 * for every source and destination alignment 0..7 and lengths 0..300 and around 1460 and 4096. */
static void test_copy_and_sum(void **state)
{
    uint64_t seed = 9;
    static uint8_t src[4200], dst[4200];
    for (size_t i = 0; i < sizeof(src); i++)
        src[i] = (uint8_t)vt_rand(&seed);
    static const size_t extra[] = { 1459, 1460, 1461, 4095, 4096 };
    for (size_t so = 0; so < 8; so++)
        for (size_t d = 0; d < 8; d++)
            for (size_t k = 0; k <= 300 + sizeof(extra) / sizeof(extra[0]); k++) {
                size_t n = k <= 300 ? k : extra[k - 301];
                memset(dst, 0xa5, sizeof(dst));
                uint64_t s = wire_csum_copy(dst + d + 16, src + so, n, 0);
                if (wire_csum_finish(s) != ref_csum(src + so, n))
                    fail_msg("sum: src offset %zu dst offset %zu length %zu", so, d, n);
                if (s != wire_csum_partial(src + so, n, 0))
                    fail_msg("copy's partial sum differs from wire_csum_partial's: length %zu", n);
                if (memcmp(dst + d + 16, src + so, n) != 0)
                    fail_msg("copy: src offset %zu dst offset %zu length %zu", so, d, n);
                for (size_t i = 0; i < d + 16; i++)
                    if (dst[i] != 0xa5)
                        fail_msg("wrote before dst: length %zu", n);
                for (size_t i = d + 16 + n; i < sizeof(dst); i++)
                    if (dst[i] != 0xa5)
                        fail_msg("wrote past dst + len: length %zu", n);
            }
    /* A running sum passed in is added, as by wire_csum_partial (a pseudo-header, then the payload). */
    uint64_t ph = wire_csum_pseudo(0xc0000201u, 0xc0000202u, 6, 1480);
    assert_int_equal(wire_csum_finish(wire_csum_copy(dst, src, 1460, ph)),
                     wire_csum_finish(wire_csum_partial(src, 1460, ph)));
    /* All 0xff over a megabyte: every add carries. */
    size_t big = 1 << 20;
    uint8_t *a = malloc(big + 8), *c = malloc(big + 8);
    memset(a, 0xff, big + 8);
    assert_int_equal(wire_csum_finish(wire_csum_copy(c + 1, a + 3, big, 0)), 0);
    assert_int_equal(wire_csum_finish(wire_csum_copy(c + 1, a + 3, big + 1, 0)), ref_csum(a, big + 1));
    assert_memory_equal(c + 1, a + 3, big + 1);
    free(a);
    free(c);
    /* Past a megabyte the vector loop (x86-64) sums in runs, each of whose 32-bit lanes must not
     * overflow: 3 MB of all-0xff words (the most each adds) and of random bytes, whole and
     * from odd offsets, against the reference. */
    big = 3u << 20;
    a = malloc(big + 64);
    c = malloc(big + 64);
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < big + 64; i++)
            a[i] = pass ? (uint8_t)vt_rand(&seed) : 0xff;
        for (size_t off = 0; off < 3; off++) {
            size_t n = big + 37 - off;
            uint64_t sum = wire_csum_copy(c + off, a + off, n, 0);
            assert_int_equal(wire_csum_finish(sum), ref_csum(a + off, n));
            assert_true(sum == wire_csum_partial(a + off, n, 0));
            assert_memory_equal(c + off, a + off, n);
        }
    }
    free(a);
    free(c);
}

/* All ones: every add carries. 0xffff words sum to 0xffff (-0), so the checksum is 0; large spans
 * overflow any 32-bit accumulator that does not fold. */
static void test_all_ones_carries(void **state)
{
    size_t big = 1 << 20;
    uint8_t *p = malloc(big + 1);
    memset(p, 0xff, big + 1);
    static const size_t lens[] = { 1, 2, 3, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 1459, 1460, 1461,
                                   65535, 65536, 65537, 1 << 20 };
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        assert_int_equal(wire_csum(p, lens[i]), ref_csum(p, lens[i]));
        assert_int_equal(wire_csum(p + 1, lens[i]), ref_csum(p + 1, lens[i]));
        if (lens[i] % 2 == 0)
            assert_int_equal(wire_csum(p, lens[i]), 0);
    }
    /* Partial sums passed in large (many headers' worth) still fold right. */
    uint64_t s = 0;
    for (int i = 0; i < 1000; i++)
        s = wire_csum_partial(p, 1460, s);
    assert_int_equal(wire_csum_finish(s), 0);
    /* One zero word among ones: the sum is 0xffff - 0 ... = still -0 unless it is all there is. */
    memset(p, 0, 2);
    assert_int_equal(wire_csum(p, 64), ref_csum(p, 64));
    memset(p, 0, 64);
    assert_int_equal(wire_csum(p, 64), 0xffff);   /* all zero: +0, checksum all ones */
    free(p);
}

static void test_random_against_reference(void **state)
{
    uint64_t seed = 0x5eed;
    uint8_t *buf = malloc(9000 + 16);
    for (int iter = 0; iter < 20000; iter++) {
        size_t n = vt_rand(&seed) % (iter < 19000 ? 2000 : 9000);
        size_t off = vt_rand(&seed) % 16;
        /* Biased bytes (mostly 0xff or 0x00) reach the carry corners more often than uniform. */
        unsigned mode = vt_rand(&seed) % 3;
        for (size_t i = 0; i < n; i++) {
            uint8_t r = (uint8_t)vt_rand(&seed);
            buf[off + i] = mode == 0 ? r : mode == 1 ? (r < 240 ? 0xff : r) : (r < 240 ? 0 : r);
        }
        assert_int_equal(wire_csum(buf + off, n), ref_csum(buf + off, n));
    }
    free(buf);
}

/* Chained partial sums: any even-length pieces, then one odd piece last (csum.h). */
static void test_chained_partials(void **state)
{
    uint64_t seed = 7;
    uint8_t buf[3000];
    for (int iter = 0; iter < 5000; iter++) {
        size_t n = vt_rand(&seed) % sizeof(buf);
        for (size_t i = 0; i < n; i++)
            buf[i] = (uint8_t)vt_rand(&seed);
        uint64_t s = 0;
        size_t at = 0;
        while (at < n) {
            size_t piece = (vt_rand(&seed) % 200) & ~(size_t)1;   /* even */
            if (at + piece >= n || piece == 0)
                piece = n - at;                                   /* the last may be odd */
            s = wire_csum_partial(buf + at, piece, s);
            at += piece;
        }
        assert_int_equal(wire_csum_finish(s), ref_csum(buf, n));
    }
}

/* RFC 9293 3.1 / RFC 768: source, destination, zero, protocol, length as 16-bit words. */
static void test_pseudo_header(void **state)
{
    uint64_t seed = 3;
    for (int iter = 0; iter < 10000; iter++) {
        uint32_t src = vt_rand(&seed), dst = vt_rand(&seed);
        uint8_t proto = (uint8_t)vt_rand(&seed);
        uint16_t len = (uint16_t)vt_rand(&seed);
        if (iter == 0) {
            src = dst = 0xffffffffu;
            proto = 0xff;
            len = 0xffff;
        }
        uint8_t ph[12];
        wire_put32(ph, src);
        wire_put32(ph + 4, dst);
        ph[8] = 0;
        ph[9] = proto;
        wire_put16(ph + 10, len);
        uint8_t data[33];
        for (size_t i = 0; i < sizeof(data); i++)
            data[i] = (uint8_t)vt_rand(&seed);
        uint8_t all[12 + 33];
        memcpy(all, ph, 12);
        memcpy(all + 12, data, 33);
        assert_int_equal(wire_csum_finish(wire_csum_pseudo(src, dst, proto, len)), ref_csum(ph, 12));
        assert_int_equal(wire_csum_finish(wire_csum_partial(data, 33, wire_csum_pseudo(src, dst, proto, len))),
                         ref_csum(all, sizeof(all)));
    }
}

/* RFC 1624 3: eqn. 2 gives 0xffff where the right answer is 0x0000; eqn. 3 must not. */
static void test_rfc1624_example(void **state)
{
    /* "the one's complement sum of all other header octets is 0xCD7A", m = 0x5555 -> 0x3285 */
    assert_int_equal(wire_csum_update16(0xdd2f, 0x5555, 0x3285), 0x0000);
    /* And back again. */
    assert_int_equal(wire_csum_update16(0x0000, 0x3285, 0x5555), 0xdd2f);
}

/* A 40-byte header-like buffer with its checksum at offset 10 (as in IPv4). Changing a word or
 * a 32-bit field and updating incrementally equals recomputing from scratch. */
static void test_incremental_equals_full(void **state)
{
    uint64_t seed = 11;
    int zero_hits = 0;
    for (int iter = 0; iter < 200000; iter++) {
        uint8_t h[40];
        for (size_t i = 0; i < sizeof(h); i++)
            h[i] = (uint8_t)vt_rand(&seed);
        h[0] |= 1;   /* never all zero: then the sum is +0 and no update can stay in -0 form */
        wire_put16(h + 10, 0);
        wire_put16(h + 10, wire_csum(h, sizeof(h)));
        uint16_t hc = wire_get16(h + 10);
        size_t w = 2 * (vt_rand(&seed) % 20);
        if (w == 10)
            w = 12;
        uint16_t m = wire_get16(h + w), m2;
        if (iter % 4 == 0) {
            /* Pick m' so the new sum is 0xffff: the checksum becomes 0x0000 (the RFC 1624 case). */
            uint32_t s_other = (uint16_t)~hc;                       /* sum of all words */
            s_other += (uint16_t)~m;                                /* minus m */
            s_other = (s_other & 0xffff) + (s_other >> 16);
            s_other = (s_other & 0xffff) + (s_other >> 16);
            m2 = (uint16_t)~s_other;                                /* other + m2 = 0xffff */
        } else if (iter % 4 == 1) {
            m2 = (uint16_t)(m ^ 0xffff);
        } else {
            m2 = (uint16_t)vt_rand(&seed);
        }
        wire_put16(h + w, m2);
        uint16_t inc = wire_csum_update16(hc, m, m2);
        wire_put16(h + 10, 0);
        uint16_t full = wire_csum(h, sizeof(h));
        if (full == 0)
            zero_hits++;
        if (inc != full)
            fail_msg("update16(%04x, %04x, %04x) = %04x, full %04x", hc, m, m2, inc, full);
        wire_put16(h + 10, full);

        /* A 32-bit field (an address, a sequence number) at a random even offset. */
        size_t a = 2 * (vt_rand(&seed) % 19);
        if (a == 8 || a == 10)
            a = 12;
        uint32_t old = wire_get32(h + a), nw = vt_rand(&seed);
        wire_put32(h + a, nw);
        inc = wire_csum_update32(full, old, nw);
        wire_put16(h + 10, 0);
        full = wire_csum(h, sizeof(h));
        if (inc != full)
            fail_msg("update32(%08x -> %08x) = %04x, full %04x", old, nw, inc, full);
    }
    assert_true(zero_hits > 1000);   /* the corner case was really exercised */
}

static void test_throughput_printed(void **state)
{
    enum { N = 1460, ROUNDS = 400000 };
    static uint8_t buf[N + 8];
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)(i * 31);
    struct timespec a, b;
    volatile uint16_t sink = 0;
    for (int pass = 0; pass < 2; pass++) {
        const uint8_t *p = buf + pass;   /* aligned, then odd-aligned */
        clock_gettime(CLOCK_MONOTONIC, &a);
        for (int i = 0; i < ROUNDS; i++) {
            sink ^= wire_csum(p, N);
            __asm__ volatile("" ::: "memory");   /* keep the loop from being hoisted */
        }
        clock_gettime(CLOCK_MONOTONIC, &b);
        double s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
        printf("csum throughput (%d-byte buffers, %s): %.2f GB/s, %.1f ns per buffer\n", N,
               pass ? "odd address" : "aligned", (double)N * ROUNDS / s / 1e9, s / ROUNDS * 1e9);
    }
    (void)sink;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc1071_example),
        cmocka_unit_test(test_every_length_and_alignment),
        cmocka_unit_test(test_wrapping_carries),
        cmocka_unit_test(test_copy_and_sum),
        cmocka_unit_test(test_all_ones_carries),
        cmocka_unit_test(test_random_against_reference),
        cmocka_unit_test(test_chained_partials),
        cmocka_unit_test(test_pseudo_header),
        cmocka_unit_test(test_rfc1624_example),
        cmocka_unit_test(test_incremental_equals_full),
        cmocka_unit_test(test_throughput_printed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
