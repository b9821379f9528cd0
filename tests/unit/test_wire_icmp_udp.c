/* ICMP (RFC 792, RFC 1191) and UDP (RFC 768): truncation, lying lengths, checksum errors, the
 * "no checksum" zero and the 0 -> 0xffff rule, build -> parse round trips. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "unit/vectors/build.h"
#include "unit/vectors/linux_frames.h"

static const uint8_t *payload(const struct wire_vec *v, size_t *len)
{
    *len = (size_t)v->ip_len - v->ip_ihl;
    return v->bytes + ETH_HDR_LEN + v->ip_ihl;
}

static uint16_t naive_sum(const uint8_t *p, size_t n, uint32_t s)
{
    for (size_t i = 0; i < n; i += 2)
        s += (uint32_t)(p[i] << 8) + (i + 1 < n ? p[i + 1] : 0);
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)s;
}

static void test_icmp_truncated(void **state)
{
    for (size_t i = 0; i < LINUX_FRAMES_N; i++) {
        const struct wire_vec *v = &linux_frames[i];
        if (!v->has_icmp)
            continue;
        size_t len;
        const uint8_t *p = payload(v, &len);
        for (size_t n = 0; n < len; n++) {
            uint8_t *q = malloc(n ? n : 1);   /* exact size: ASan sees any read past n */
            if (n)
                memcpy(q, p, n);
            struct icmp_hdr ic;
            int r = icmp_parse(q, n, &ic);
            if (n < ICMP_HDR_LEN)
                assert_int_equal(r, WIRE_ERR_SHORT);
            else
                assert_int_equal(r, naive_sum(q, n, 0) == 0xffff ? WIRE_OK : WIRE_ERR_CSUM);
            free(q);
        }
    }
}

static void test_icmp_bit_flips(void **state)
{
    size_t len;
    const uint8_t *v = payload(VEC_ICMP_PORT_UNREACH, &len);
    uint8_t p[256];
    struct icmp_hdr ic;
    for (size_t bit = 0; bit < len * 8; bit++) {
        memcpy(p, v, len);
        p[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        assert_int_equal(icmp_parse(p, len, &ic), WIRE_ERR_CSUM);
    }
}

static void test_icmp_round_trip(void **state)
{
    uint8_t p[128], body[33];
    for (size_t i = 0; i < sizeof(body); i++)
        body[i] = (uint8_t)(i * 7 + 1);
    struct icmp_hdr ic;
    /* Echo with an odd-length body (RFC 1071: pad with a zero octet for the sum only). */
    struct icmp_hdr e = { .type = ICMP_ECHO_REQUEST, .id = 0xabcd, .seq = 0x1234, .body = body, .body_len = 33 };
    size_t n = icmp_build(p, &e);
    assert_int_equal(n, 41);
    assert_int_equal(icmp_parse(p, n, &ic), 0);
    assert_int_equal(ic.type, ICMP_ECHO_REQUEST);
    assert_int_equal(ic.id, 0xabcd);
    assert_int_equal(ic.seq, 0x1234);
    assert_int_equal(ic.body_len, 33);
    assert_memory_equal(ic.body, body, 33);
    /* An echo reply built in place over the request, as a responder does. */
    e = ic;
    e.type = ICMP_ECHO_REPLY;
    assert_int_equal(icmp_build(p, &e), n);
    assert_int_equal(icmp_parse(p, n, &ic), 0);
    assert_int_equal(ic.type, ICMP_ECHO_REPLY);
    assert_memory_equal(ic.body, body, 33);
    /* The reply with the request's checksum updated (RFC 1624), in place and into another buffer, at
     * every body length up to 64 and with random id/seq: the same bytes icmp_build writes. */
    uint64_t seed = 5;
    for (int iter = 0; iter < 20000; iter++) {
        uint8_t req[8 + 64], rep[8 + 64], full[8 + 64], bd[64];
        size_t bl = (size_t)iter % 65;
        int zero = iter % 7 == 0;   /* all-zero id, seq and body: the reply sums to +0 */
        for (size_t i = 0; i < bl; i++)
            bd[i] = zero ? 0 : (uint8_t)vt_rand(&seed);
        struct icmp_hdr rq = { .type = ICMP_ECHO_REQUEST, .code = (uint8_t)(iter % 5 == 1),
                               .id = zero ? 0 : (uint16_t)vt_rand(&seed), .seq = zero ? 0 : (uint16_t)vt_rand(&seed),
                               .body = bd, .body_len = bl };
        n = icmp_build(req, &rq);
        assert_int_equal(icmp_parse(req, n, &ic), 0);
        struct icmp_hdr want = ic;
        want.type = ICMP_ECHO_REPLY;
        want.code = 0;
        assert_int_equal(icmp_build(full, &want), n);
        assert_int_equal(icmp_build_echo_reply(rep, &ic), n);
        if (memcmp(rep, full, n) != 0)
            fail_msg("echo reply differs from a full build: body %zu, id %04x seq %04x", bl, ic.id, ic.seq);
        assert_int_equal(icmp_build_echo_reply(req, &ic), n);   /* in place: ic.body is req + 8 */
        assert_memory_equal(req, full, n);
    }
    /* RFC 1191: "fragmentation needed" carries the next-hop MTU in the low 16 bits. */
    struct icmp_hdr f = { .type = ICMP_DEST_UNREACH, .code = ICMP_UNREACH_FRAG_NEEDED, .next_mtu = 1280,
                          .body = body, .body_len = 28 };
    n = icmp_build(p, &f);
    assert_int_equal(icmp_parse(p, n, &ic), 0);
    assert_int_equal(ic.next_mtu, 1280);
    assert_int_equal(wire_get16(p + 4), 0);
    /* Other errors: the second word is unused and zero (RFC 792). */
    struct icmp_hdr t = { .type = ICMP_TIME_EXCEEDED, .code = 0, .id = 0xffff, .seq = 0xffff };
    n = icmp_build(p, &t);
    assert_int_equal(n, ICMP_HDR_LEN);
    assert_int_equal(wire_get32(p + 4), 0);
    assert_int_equal(icmp_parse(p, n, &ic), 0);
    /* A body overlapping the header area moves correctly (memmove). */
    memcpy(p + 4, body, 20);
    struct icmp_hdr o = { .type = ICMP_DEST_UNREACH, .code = 3, .body = p + 4, .body_len = 20 };
    n = icmp_build(p, &o);
    assert_int_equal(icmp_parse(p, n, &ic), 0);
    assert_memory_equal(ic.body, body, 20);
}

static void test_udp_truncated(void **state)
{
    for (size_t i = 0; i < LINUX_FRAMES_N; i++) {
        const struct wire_vec *v = &linux_frames[i];
        if (!v->has_udp)
            continue;
        size_t len;
        const uint8_t *p = payload(v, &len);
        for (size_t n = 0; n < len; n++) {
            uint8_t *q = malloc(n ? n : 1);
            if (n)
                memcpy(q, p, n);
            struct udp_hdr u;
            assert_int_equal(udp_parse(q, n, v->ip_src, v->ip_dst, &u), n < UDP_HDR_LEN ? WIRE_ERR_SHORT : WIRE_ERR_TRUNC);
            free(q);
        }
    }
}

static void test_udp_lengths(void **state)
{
    uint8_t p[64];
    struct udp_hdr u;
    size_t n = vt_udp(p, 1000, 2000, "abcdefg", 7) - IP4_HDR_MIN;
    uint8_t *d = p + IP4_HDR_MIN;
    assert_int_equal(udp_parse(d, n, TADDR_A, TADDR_B, &u), 0);
    assert_int_equal(u.data_len, 7);
    /* Length under the header, or past the span: malformed (RFC 768 "Length"). */
    for (uint16_t l = 0; l < UDP_HDR_LEN; l++) {
        wire_put16(d + 4, l);
        assert_int_equal(udp_parse(d, n, TADDR_A, TADDR_B, &u), WIRE_ERR_LEN);
    }
    wire_put16(d + 4, (uint16_t)(n + 1));
    assert_int_equal(udp_parse(d, n, TADDR_A, TADDR_B, &u), WIRE_ERR_TRUNC);
    wire_put16(d + 4, 0xffff);
    assert_int_equal(udp_parse(d, n, TADDR_A, TADDR_B, &u), WIRE_ERR_TRUNC);
    /* Shorter than the span: bytes past it are padding, outside the data and the checksum. */
    size_t m = vt_udp(p, 1000, 2000, "abc", 3) - IP4_HDR_MIN;
    memset(d + m, 0x5a, 6);
    assert_int_equal(udp_parse(d, m + 6, TADDR_A, TADDR_B, &u), 0);
    assert_int_equal(u.len, m);
    assert_int_equal(u.data_len, 3);
    assert_memory_equal(u.data, "abc", 3);
}

static void test_udp_checksum(void **state)
{
    uint8_t p[64];
    struct udp_hdr u;
    size_t n = vt_udp(p, 1000, 2000, "checksum!", 9) - IP4_HDR_MIN;
    uint8_t *d = p + IP4_HDR_MIN;
    for (size_t bit = 0; bit < n * 8; bit++) {
        d[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        int r = udp_parse(d, n, TADDR_A, TADDR_B, &u);
        if (bit / 8 == 4 || bit / 8 == 5)
            assert_true(r == WIRE_ERR_LEN || r == WIRE_ERR_TRUNC || r == WIRE_ERR_CSUM);   /* the length field */
        else if (wire_get16(d + 6) == 0)
            assert_int_equal(r, 0);                       /* flipped into "no checksum" */
        else
            assert_int_equal(r, WIRE_ERR_CSUM);
        d[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    /* Covered by the pseudo-header (RFC 768): other addresses fail. */
    assert_int_equal(udp_parse(d, n, TADDR_A + 1, TADDR_B, &u), WIRE_ERR_CSUM);
    /* A zero checksum means the sender computed none: accepted whatever the data. */
    wire_put16(d + 6, 0);
    d[n - 1] ^= 0xff;
    assert_int_equal(udp_parse(d, n, TADDR_A, TADDR_B, &u), 0);
    assert_int_equal(u.csum, 0);
}

/* RFC 768: "If the computed checksum is zero, it is transmitted as all ones." Pick the data word
 * that makes the sum 0xffff, so the computed checksum is 0. */
static void test_udp_zero_sent_as_ones(void **state)
{
    uint8_t d[16] = { 0 };
    udp_build(d, 7, 9, 2, TADDR_A, TADDR_B);
    uint16_t c = wire_get16(d + 6);
    assert_int_not_equal(c, 0);
    wire_put16(d + 8, c);   /* sum + ~sum = 0xffff */
    udp_build(d, 7, 9, 2, TADDR_A, TADDR_B);
    assert_int_equal(wire_get16(d + 6), 0xffff);
    struct udp_hdr u;
    assert_int_equal(udp_parse(d, 10, TADDR_A, TADDR_B, &u), 0);
    assert_int_equal(u.csum, 0xffff);
}

static void test_udp_round_trip(void **state)
{
    uint64_t seed = 99;
    for (int i = 0; i < 5000; i++) {
        uint8_t d[UDP_HDR_LEN + 300 + 1];
        size_t len = vt_rand(&seed) % 300;
        for (size_t k = 0; k < len; k++)
            d[UDP_HDR_LEN + k] = (uint8_t)vt_rand(&seed);
        uint16_t sp = (uint16_t)vt_rand(&seed), dp = (uint16_t)vt_rand(&seed);
        uint32_t src = vt_rand(&seed), dst = vt_rand(&seed);
        d[UDP_HDR_LEN + len] = 0x77;
        udp_build(d, sp, dp, len, src, dst);
        assert_int_equal(d[UDP_HDR_LEN + len], 0x77);
        struct udp_hdr u;
        assert_int_equal(udp_parse(d, UDP_HDR_LEN + len, src, dst, &u), 0);
        assert_int_equal(u.sport, sp);
        assert_int_equal(u.dport, dp);
        assert_int_equal(u.len, UDP_HDR_LEN + len);
        assert_int_not_equal(u.csum, 0);
        assert_ptr_equal(u.data, d + UDP_HDR_LEN);
        assert_int_equal(u.data_len, len);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_icmp_truncated),
        cmocka_unit_test(test_icmp_bit_flips),
        cmocka_unit_test(test_icmp_round_trip),
        cmocka_unit_test(test_udp_truncated),
        cmocka_unit_test(test_udp_lengths),
        cmocka_unit_test(test_udp_checksum),
        cmocka_unit_test(test_udp_zero_sent_as_ones),
        cmocka_unit_test(test_udp_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
