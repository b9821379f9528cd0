/* IPv4 header (RFC 791 3.1): every length checked against the span, IHL < 5, lying total lengths,
 * checksum errors, option lengths; build -> parse round trips. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "unit/vectors/build.h"
#include "unit/vectors/linux_frames.h"

static int parse_exact(const uint8_t *p, size_t len, struct ip4_hdr *h)
{
    uint8_t *q = calloc(1, len ? len : 1);   /* exact size: ASan sees any read past len */
    if (len)
        memcpy(q, p, len);
    int r = ip4_parse(q, len, h);
    free(q);
    return r;
}

static void test_truncated_at_every_length(void **state)
{
    for (size_t i = 0; i < LINUX_FRAMES_N; i++) {
        const struct wire_vec *v = &linux_frames[i];
        if (v->eth_type != ETH_TYPE_IPV4)
            continue;
        const uint8_t *p = v->bytes + ETH_HDR_LEN;
        struct ip4_hdr h;
        for (size_t n = 0; n < v->ip_len; n++)
            assert_int_equal(parse_exact(p, n, &h), n < IP4_HDR_MIN ? WIRE_ERR_SHORT : WIRE_ERR_TRUNC);
        assert_int_equal(parse_exact(p, v->ip_len, &h), WIRE_OK);
    }
}

static void test_version_and_ihl(void **state)
{
    uint8_t p[64];
    struct ip4_hdr h;
    size_t n = vt_ip(p, IP4_PROTO_UDP, 20);
    for (unsigned ver = 0; ver < 16; ver++) {
        p[0] = (uint8_t)(ver << 4 | 5);
        vt_ip_fix_csum(p);
        assert_int_equal(parse_exact(p, n, &h), ver == 4 ? WIRE_OK : WIRE_ERR_VERSION);
    }
    /* IHL counts 32-bit words; under 5 cannot hold the fixed header. */
    for (unsigned ihl = 0; ihl < 5; ihl++) {
        p[0] = (uint8_t)(0x40 | ihl);
        assert_int_equal(parse_exact(p, n, &h), WIRE_ERR_HDRLEN);
    }
    /* IHL past the span (and past the total length). */
    p[0] = 0x4f;
    assert_int_equal(parse_exact(p, 40, &h), WIRE_ERR_SHORT);
    assert_int_equal(parse_exact(p, 59, &h), WIRE_ERR_SHORT);
}

static void test_lying_total_length(void **state)
{
    uint8_t p[128];
    struct ip4_hdr h;
    size_t n = vt_ip(p, IP4_PROTO_UDP, 20);   /* 40 bytes */
    static const uint16_t bad_short[] = { 0, 1, 19 };
    for (size_t i = 0; i < 3; i++) {
        wire_put16(p + 2, bad_short[i]);
        vt_ip_fix_csum(p);
        assert_int_equal(parse_exact(p, n, &h), WIRE_ERR_LEN);
    }
    static const uint16_t bad_long[] = { 41, 1500, 0xffff };
    for (size_t i = 0; i < 3; i++) {
        wire_put16(p + 2, bad_long[i]);
        vt_ip_fix_csum(p);
        assert_int_equal(parse_exact(p, n, &h), WIRE_ERR_TRUNC);
    }
    /* Total length 20: a header and nothing else is a valid datagram. */
    wire_put16(p + 2, 20);
    vt_ip_fix_csum(p);
    assert_int_equal(parse_exact(p, n, &h), WIRE_OK);
    assert_int_equal(h.total_len, 20);
    /* With options the total must still cover the header. */
    memset(p + 20, 1, 8);   /* 8 NOPs */
    p[0] = 0x47;
    wire_put16(p + 2, 24);
    vt_ip_fix_csum(p);
    assert_int_equal(parse_exact(p, n, &h), WIRE_ERR_LEN);
    wire_put16(p + 2, 28);
    vt_ip_fix_csum(p);
    assert_int_equal(parse_exact(p, n, &h), WIRE_OK);
    /* Link padding past the total length is ignored (an Ethernet frame has at least 46 bytes of
     * payload, RFC 894), whatever it holds. */
    memset(p + 28, 0xa5, 40);
    assert_int_equal(parse_exact(p, 68, &h), WIRE_OK);
    assert_int_equal(h.total_len, 28);
    assert_int_equal(h.ihl, 28);
}

static void test_every_header_bit_flip_rejected(void **state)
{
    const struct wire_vec *v = VEC_TCP_HTTP_C2S_DATA;
    const uint8_t *orig = v->bytes + ETH_HDR_LEN;
    size_t n = v->len - ETH_HDR_LEN;
    uint8_t p[2048];
    struct ip4_hdr h;
    for (size_t bit = 0; bit < IP4_HDR_MIN * 8; bit++) {
        memcpy(p, orig, n);
        p[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        assert_int_not_equal(parse_exact(p, n, &h), WIRE_OK);
    }
    memcpy(p, orig, n);
    p[11] ^= 0x10;
    assert_int_equal(parse_exact(p, n, &h), WIRE_ERR_CSUM);
}

/* Builds a header with IHL 5 + optlen/4 and the given option bytes. */
static size_t with_options(uint8_t *p, const uint8_t *o, size_t optlen)
{
    vt_ip(p, IP4_PROTO_ICMP, 0);
    p[0] = (uint8_t)(0x40 | ((IP4_HDR_MIN + optlen) / 4));
    memcpy(p + IP4_HDR_MIN, o, optlen);
    wire_put16(p + 2, (uint16_t)(IP4_HDR_MIN + optlen));
    vt_ip_fix_csum(p);
    return IP4_HDR_MIN + optlen;
}

#define WITH_OPTS(p, ...) with_options(p, (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ }))

/* RFC 791 3.1 "Options": EOL and NOP are one octet; every other option has a length octet that
 * counts type and length (>= 2) and must stay within the header. */
static void test_option_lengths(void **state)
{
    uint8_t p[64];
    struct ip4_hdr h;
    size_t n = WITH_OPTS(p, 1, 1, 1, 1);
    assert_int_equal(parse_exact(p, n, &h), WIRE_OK);
    assert_int_equal(h.ihl, 24);
    n = WITH_OPTS(p, 0, 0x44, 0, 1);   /* EOL, then padding that would be malformed */
    assert_int_equal(parse_exact(p, n, &h), WIRE_OK);
    n = WITH_OPTS(p, 7, 7, 4, 0, 0, 0, 0, 0);   /* record route, one slot, + EOL */
    assert_int_equal(parse_exact(p, n, &h), WIRE_OK);
    n = WITH_OPTS(p, 1, 1, 0x94, 4);   /* router alert (RFC 2113) cut short: */
    assert_int_equal(parse_exact(p, n, &h), WIRE_ERR_OPTS);
    n = WITH_OPTS(p, 0x94, 4, 0, 0);   /* router alert */
    assert_int_equal(parse_exact(p, n, &h), WIRE_OK);
    n = WITH_OPTS(p, 7, 0, 0, 0);
    assert_int_equal(parse_exact(p, n, &h), WIRE_ERR_OPTS);
    n = WITH_OPTS(p, 7, 1, 0, 0);
    assert_int_equal(parse_exact(p, n, &h), WIRE_ERR_OPTS);
    n = WITH_OPTS(p, 1, 1, 1, 7);      /* type octet with no room for its length */
    assert_int_equal(parse_exact(p, n, &h), WIRE_ERR_OPTS);
    n = WITH_OPTS(p, 7, 5, 4, 0);      /* length past the header */
    assert_int_equal(parse_exact(p, n, &h), WIRE_ERR_OPTS);
    uint8_t full[40] = { 7, 39, 4 };    /* one option filling all 40 option bytes, + EOL */
    n = with_options(p, full, sizeof(full));
    assert_int_equal(parse_exact(p, n, &h), WIRE_OK);
    assert_int_equal(h.ihl, IP4_HDR_MAX);
    full[1] = 40;
    n = with_options(p, full, sizeof(full));
    assert_int_equal(parse_exact(p, n, &h), WIRE_OK);
    full[1] = 41;
    n = with_options(p, full, sizeof(full));
    assert_int_equal(parse_exact(p, n, &h), WIRE_ERR_OPTS);
}

static void test_build_parse_round_trip(void **state)
{
    uint64_t seed = 42;
    for (int i = 0; i < 20000; i++) {
        struct ip4_hdr b = { .tos = (uint8_t)vt_rand(&seed), .id = (uint16_t)vt_rand(&seed),
                             .frag = (uint16_t)vt_rand(&seed), .ttl = (uint8_t)vt_rand(&seed),
                             .proto = (uint8_t)vt_rand(&seed), .src = vt_rand(&seed), .dst = vt_rand(&seed) };
        b.total_len = (uint16_t)(IP4_HDR_MIN + vt_rand(&seed) % 64);
        uint8_t p[IP4_HDR_MIN + 64];
        memset(p, 0, sizeof(p));
        ip4_build(p, &b);
        struct ip4_hdr h;
        assert_int_equal(ip4_parse(p, b.total_len, &h), WIRE_OK);
        assert_int_equal(h.ihl, IP4_HDR_MIN);
        assert_int_equal(h.tos, b.tos);
        assert_int_equal(h.total_len, b.total_len);
        assert_int_equal(h.id, b.id);
        assert_int_equal(h.frag, b.frag);
        assert_int_equal(h.ttl, b.ttl);
        assert_int_equal(h.proto, b.proto);
        assert_int_equal(h.src, b.src);
        assert_int_equal(h.dst, b.dst);
        assert_int_equal(wire_csum(p, IP4_HDR_MIN), 0);
        assert_int_equal(h.csum, wire_get16(p + 10));
        assert_int_equal(ip4_frag_offset(&h), (b.frag & IP4_FRAG_MASK) * 8u);
        assert_int_equal(ip4_more_frags(&h), (b.frag & IP4_FLAG_MF) != 0);
        assert_int_equal(ip4_is_fragment(&h), (b.frag & (IP4_FLAG_MF | IP4_FRAG_MASK)) != 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_truncated_at_every_length),
        cmocka_unit_test(test_version_and_ihl),
        cmocka_unit_test(test_lying_total_length),
        cmocka_unit_test(test_every_header_bit_flip_rejected),
        cmocka_unit_test(test_option_lengths),
        cmocka_unit_test(test_build_parse_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
