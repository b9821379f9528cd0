/* TCP header and options (RFC 9293 3.1, RFC 7323, RFC 2018): every malformed case is rejected,
 * unknown options are skipped, and build -> parse gives back every field for random headers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "unit/vectors/build.h"
#include "unit/vectors/linux_frames.h"

static const uint8_t *vec_seg(const struct wire_vec *v, size_t *len)
{
    *len = (size_t)v->ip_len - v->ip_ihl;
    return v->bytes + ETH_HDR_LEN + v->ip_ihl;
}

/* The one's complement sum of pseudo-header and segment, 16 bits at a time (RFC 1071 1). */
static uint32_t naive_tcp_sum(const uint8_t *p, size_t n, uint32_t src, uint32_t dst)
{
    uint32_t s = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + IP4_PROTO_TCP + (uint32_t)n;
    for (size_t i = 0; i < n; i += 2)
        s += (uint32_t)(p[i] << 8) + (i + 1 < n ? p[i + 1] : 0);
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return s;
}

/* Every prefix of every Linux segment: too short for the header or its data offset is SHORT; a
 * prefix that holds the header fails the checksum (the pseudo-header length differs). */
static void test_truncated_at_every_length(void **state)
{
    for (size_t i = 0; i < LINUX_FRAMES_N; i++) {
        const struct wire_vec *v = &linux_frames[i];
        if (!v->has_tcp)
            continue;
        size_t len;
        const uint8_t *p = vec_seg(v, &len);
        for (size_t n = 0; n < len; n++) {
            uint8_t *q = malloc(n ? n : 1);   /* exact size: ASan sees any read past n */
            memcpy(q, p, n);
            struct tcp_hdr t;
            int r = tcp_parse(q, n, v->ip_src, v->ip_dst, 1, &t);
            if (n < v->tcp_doff)
                assert_int_equal(r, WIRE_ERR_SHORT);
            else if (naive_tcp_sum(q, n, v->ip_src, v->ip_dst) != 0xffff)
                assert_int_equal(r, WIRE_ERR_CSUM);
            else
                assert_int_equal(r, WIRE_OK);   /* a prefix that happens to sum right */
            /* Without the checksum a prefix past the options is a shorter segment. */
            r = tcp_parse(q, n, v->ip_src, v->ip_dst, 0, &t);
            if (n < v->tcp_doff) {
                assert_int_equal(r, WIRE_ERR_SHORT);
            } else {
                assert_int_equal(r, WIRE_OK);
                assert_int_equal(t.data_len, n - v->tcp_doff);
            }
            free(q);
        }
    }
}

static void test_data_offset(void **state)
{
    size_t len;
    const uint8_t *v = vec_seg(VEC_TCP_HTTP_C2S_DATA, &len);
    uint8_t p[2048];
    struct tcp_hdr t;
    for (unsigned d = 0; d < 16; d++) {
        memcpy(p, v, len);
        p[12] = (uint8_t)((d << 4) | (p[12] & 0x0f));
        vt_tcp_fix_csum(p, len, TADDR_A, TADDR_B);
        int r = tcp_parse(p, len, TADDR_A, TADDR_B, 1, &t);
        if (d < 5)
            assert_int_equal(r, WIRE_ERR_HDRLEN);           /* RFC 9293 3.1: at least 5 words */
        else if (d * 4 > len)
            assert_int_equal(r, WIRE_ERR_SHORT);          /* data offset past the segment */
        else if (r == WIRE_OK)
            assert_int_equal(t.data_len, len - d * 4);   /* data bytes read as options may be bad */
    }
}

/* One's complement sums catch every single-bit error (RFC 1071 2). */
static void test_every_bit_flip_rejected(void **state)
{
    size_t len;
    const uint8_t *v = vec_seg(VEC_TCP_PROBE_S2C_SACK_2, &len);
    const struct wire_vec *w = VEC_TCP_PROBE_S2C_SACK_2;
    uint8_t p[128];
    struct tcp_hdr t;
    for (size_t bit = 0; bit < len * 8; bit++) {
        memcpy(p, v, len);
        p[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        assert_int_not_equal(tcp_parse(p, len, w->ip_src, w->ip_dst, 1, &t), WIRE_OK);
    }
    /* The pseudo-header is covered too (RFC 9293 3.1): another address or length fails. */
    memcpy(p, v, len);
    assert_int_equal(tcp_parse(p, len, w->ip_src, w->ip_dst, 1, &t), WIRE_OK);
    assert_int_equal(tcp_parse(p, len, w->ip_src ^ 1, w->ip_dst, 1, &t), WIRE_ERR_CSUM);
    assert_int_equal(tcp_parse(p, len, w->ip_src, w->ip_dst + 1, 1, &t), WIRE_ERR_CSUM);
    assert_int_equal(tcp_parse(p, len, w->ip_dst, w->ip_src, 1, &t), WIRE_OK);   /* sum is symmetric */
}

static int opts(const uint8_t *o, size_t len, struct tcp_opts *out)
{
    uint8_t *q = calloc(1, len ? len : 1);   /* exact size: a read past len is an ASan error */
    if (len)
        memcpy(q, o, len);
    int r = tcp_parse_opts(q, len, out);
    free(q);
    return r;
}

#define OPTS(out, ...) opts((const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ }), out)

static void test_option_lengths(void **state)
{
    struct tcp_opts o;
    assert_int_equal(opts(NULL, 0, &o), WIRE_OK);
    assert_false(o.has_mss || o.has_ts || o.has_wscale || o.sack_perm || o.sack_count);

    /* RFC 9293 3.1: a length octet counts kind and length, so 0 and 1 are malformed. */
    assert_int_equal(OPTS(&o, 30, 0, 1, 1), WIRE_ERR_OPTS);
    assert_int_equal(OPTS(&o, 30, 1, 1, 1), WIRE_ERR_OPTS);
    assert_int_equal(OPTS(&o, TCP_OPT_MSS, 0, 5, 0xb4), WIRE_ERR_OPTS);
    assert_int_equal(OPTS(&o, TCP_OPT_TS, 1, 0, 0), WIRE_ERR_OPTS);
    /* A kind with no room for its length octet, and lengths that overrun the area. */
    assert_int_equal(OPTS(&o, 1, 1, 1, TCP_OPT_MSS), WIRE_ERR_OPTS);
    assert_int_equal(OPTS(&o, 1, 1, 1, 30), WIRE_ERR_OPTS);
    assert_int_equal(OPTS(&o, TCP_OPT_MSS, 4, 5), WIRE_ERR_OPTS);
    assert_int_equal(OPTS(&o, 1, 30, 8, 0, 0, 0, 0), WIRE_ERR_OPTS);
    assert_int_equal(OPTS(&o, TCP_OPT_TS, 10, 0, 0, 0, 1, 0, 0, 0), WIRE_ERR_OPTS);
    assert_int_equal(OPTS(&o, 30, 255, 0, 0), WIRE_ERR_OPTS);

    /* Known options with the wrong length (RFC 9293 3.2 MSS 4, RFC 7323 WS 3 / TS 10,
     * RFC 2018 SACK-permitted 2 and SACK 2 + 8n, n >= 1) are skipped by their length, as Linux
     * does (RFC 9293 3.1 MUST-7 allows it): the option is not taken, the rest is still parsed. */
    assert_int_equal(OPTS(&o, TCP_OPT_MSS, 3, 5, 1), WIRE_OK);
    assert_false(o.has_mss);
    assert_int_equal(OPTS(&o, TCP_OPT_MSS, 5, 5, 0xb4, 0, TCP_OPT_WSCALE, 3, 7), WIRE_OK);
    assert_false(o.has_mss);
    assert_true(o.has_wscale);
    assert_int_equal(o.wscale, 7);
    assert_int_equal(OPTS(&o, TCP_OPT_MSS, 2, TCP_OPT_MSS, 4, 0x02, 0x18), WIRE_OK);
    assert_true(o.has_mss);
    assert_int_equal(o.mss, 536);
    assert_int_equal(OPTS(&o, TCP_OPT_WSCALE, 2, 1, 1), WIRE_OK);
    assert_false(o.has_wscale);
    assert_int_equal(OPTS(&o, TCP_OPT_WSCALE, 4, 7, 0, TCP_OPT_MSS, 4, 0x05, 0xb4), WIRE_OK);
    assert_false(o.has_wscale);
    assert_true(o.has_mss);
    assert_int_equal(o.mss, 1460);
    assert_int_equal(OPTS(&o, TCP_OPT_SACK_PERM, 3, 0, 1), WIRE_OK);
    assert_false(o.sack_perm);
    assert_int_equal(OPTS(&o, TCP_OPT_TS, 8, 0, 0, 0, 1, 0, 0), WIRE_OK);
    assert_false(o.has_ts);
    assert_int_equal(OPTS(&o, TCP_OPT_TS, 11, 0, 0, 0, 1, 0, 0, 0, 2, 0, TCP_OPT_SACK_PERM, 2), WIRE_OK);
    assert_false(o.has_ts);
    assert_true(o.sack_perm);
    assert_int_equal(OPTS(&o, TCP_OPT_SACK, 2, 1, 1), WIRE_OK);
    assert_int_equal(OPTS(&o, TCP_OPT_SACK, 9, 0, 0, 0, 1, 0, 0, 0, 1, 1), WIRE_OK);
    assert_int_equal(OPTS(&o, TCP_OPT_SACK, 11, 0, 0, 0, 1, 0, 0, 0, 2, 0, 1, 1, 1), WIRE_OK);
    assert_int_equal(o.sack_count, 0);
    /* A wrong length is still a length: one that overruns the area is malformed whatever the kind. */
    assert_int_equal(OPTS(&o, TCP_OPT_MSS, 5, 5, 0xb4), WIRE_ERR_OPTS);
    assert_int_equal(OPTS(&o, TCP_OPT_WSCALE, 4, 7), WIRE_ERR_OPTS);
    assert_int_equal(OPTS(&o, TCP_OPT_TS, 11, 0, 0, 0, 1, 0, 0, 0, 2), WIRE_ERR_OPTS);
}

static void test_option_values(void **state)
{
    struct tcp_opts o;
    /* Unknown kinds (MPTCP 30, TFO 34, experimental 254) are skipped by their length. */
    assert_int_equal(OPTS(&o, 30, 4, 0xaa, 0xbb, 34, 2, 254, 6, 0xf9, 0x89, 1, 2,
                          TCP_OPT_MSS, 4, 0x05, 0xb4, 1, 1, 1, TCP_OPT_EOL), WIRE_OK);
    assert_true(o.has_mss);
    assert_int_equal(o.mss, 1460);
    assert_false(o.has_ts || o.has_wscale || o.sack_perm || o.sack_count);

    /* EOL ends the list: what follows is padding, even if it looks malformed. */
    assert_int_equal(OPTS(&o, TCP_OPT_EOL, TCP_OPT_MSS, 0, 0xff), WIRE_OK);
    assert_false(o.has_mss);

    /* RFC 7323 2.3: a shift above 14 is used as 14. */
    assert_int_equal(OPTS(&o, 1, TCP_OPT_WSCALE, 3, 14), WIRE_OK);
    assert_int_equal(o.wscale, 14);
    assert_int_equal(OPTS(&o, 1, TCP_OPT_WSCALE, 3, 15), WIRE_OK);
    assert_int_equal(o.wscale, 14);
    assert_int_equal(OPTS(&o, 1, TCP_OPT_WSCALE, 3, 255), WIRE_OK);
    assert_int_equal(o.wscale, 14);
    assert_int_equal(OPTS(&o, 1, TCP_OPT_WSCALE, 3, 0), WIRE_OK);
    assert_true(o.has_wscale);
    assert_int_equal(o.wscale, 0);

    assert_int_equal(OPTS(&o, TCP_OPT_SACK_PERM, 2, TCP_OPT_TS, 10, 1, 2, 3, 4, 0xff, 0xfe, 0xfd, 0xfc), WIRE_OK);
    assert_true(o.sack_perm && o.has_ts);
    assert_int_equal(o.ts_val, 0x01020304u);
    assert_int_equal(o.ts_ecr, 0xfffefdfcu);

    /* Four SACK blocks fill 34 of the 40 option bytes (RFC 2018 3). */
    uint8_t s[36] = { 1, 1, TCP_OPT_SACK, 34 };
    for (int i = 0; i < 32; i++)
        s[4 + i] = (uint8_t)(i + 1);
    assert_int_equal(opts(s, sizeof(s), &o), WIRE_OK);
    assert_int_equal(o.sack_count, 4);
    assert_int_equal(o.sack[0][0], 0x01020304u);
    assert_int_equal(o.sack[3][1], 0x1d1e1f20u);
    /* The same option cut short by the area. */
    assert_int_equal(opts(s, 35, &o), WIRE_ERR_OPTS);

    /* Through tcp_parse: an option error is reported as such. */
    uint8_t p[64];
    struct tcp_hdr t = { .sport = 1, .dport = 2, .flags = TCP_SYN };
    t.opts.has_mss = 1;
    t.opts.mss = 536;
    size_t n = vt_tcp(p, &t, NULL, 0) - IP4_HDR_MIN;
    uint8_t *seg = p + IP4_HDR_MIN;
    seg[21] = 1;   /* MSS length 1 */
    vt_tcp_fix_csum(seg, n, TADDR_A, TADDR_B);
    struct tcp_hdr out;
    assert_int_equal(tcp_parse(seg, n, TADDR_A, TADDR_B, 1, &out), WIRE_ERR_OPTS);
    /* A wrong length for the kind (MSS length 2, then two NOPs) keeps the segment. */
    seg[21] = 2;
    seg[22] = seg[23] = TCP_OPT_NOP;
    vt_tcp_fix_csum(seg, n, TADDR_A, TADDR_B);
    assert_int_equal(tcp_parse(seg, n, TADDR_A, TADDR_B, 1, &out), WIRE_OK);
    assert_false(out.opts.has_mss);
    assert_int_equal(out.sport, 1);
}

/* The SACK blocks tcp_build_opts has room for: three beside timestamps, four without, fewer when
 * other options take the space (40 option bytes in all, RFC 9293 3.1). */
static unsigned sack_room(const struct tcp_opts *o)
{
    unsigned n = o->has_mss ? 4 : 0;
    n += o->has_ts ? 12 : o->sack_perm ? 4 : 0;
    n += o->has_wscale ? 4 : 0;
    unsigned room = (40 - n - 4) / 8, max = o->has_ts ? 3 : 4;
    room = room < max ? room : max;
    return o->sack_count < room ? o->sack_count : room;
}

static void test_build_parse_round_trip(void **state)
{
    uint64_t seed = 0x7c9e3779b97f4a7cull;
    for (int iter = 0; iter < 20000; iter++) {
        struct tcp_hdr h;
        memset(&h, 0, sizeof(h));
        h.sport = (uint16_t)vt_rand(&seed);
        h.dport = (uint16_t)vt_rand(&seed);
        h.seq = vt_rand(&seed);
        h.ack = vt_rand(&seed);
        h.flags = (uint8_t)vt_rand(&seed);
        h.win = (uint16_t)vt_rand(&seed);
        h.urg = (uint16_t)vt_rand(&seed);
        uint32_t pick = vt_rand(&seed);
        h.opts.has_mss = pick & 1;
        h.opts.mss = (uint16_t)vt_rand(&seed);
        h.opts.has_wscale = (pick >> 1) & 1;
        h.opts.wscale = (uint8_t)(vt_rand(&seed) % 15);
        h.opts.sack_perm = (pick >> 2) & 1;
        h.opts.has_ts = (pick >> 3) & 1;
        h.opts.ts_val = vt_rand(&seed);
        h.opts.ts_ecr = vt_rand(&seed);
        h.opts.sack_count = (uint8_t)((pick >> 4) % 6);   /* up to 5: more than fit */
        for (int k = 0; k < TCP_MAX_SACK_BLOCKS; k++) {
            h.opts.sack[k][0] = vt_rand(&seed);
            h.opts.sack[k][1] = vt_rand(&seed);
        }
        size_t dlen = vt_rand(&seed) % 64;
        uint32_t src = vt_rand(&seed), dst = vt_rand(&seed);
        uint8_t p[TCP_HDR_MAX + 64 + 8];
        memset(p, 0xee, sizeof(p));
        size_t hl = tcp_hdr_len(&h.opts);
        assert_true(hl >= TCP_HDR_MIN && hl <= TCP_HDR_MAX && hl % 4 == 0);
        for (size_t k = 0; k < dlen; k++)
            p[hl + k] = (uint8_t)vt_rand(&seed);
        assert_int_equal(tcp_build(p, &h, dlen, src, dst), hl);
        assert_int_equal(p[hl + dlen], 0xee);   /* nothing written past the segment */

        struct tcp_hdr g;
        assert_int_equal(tcp_parse(p, hl + dlen, src, dst, 1, &g), WIRE_OK);
        assert_int_equal(g.sport, h.sport);
        assert_int_equal(g.dport, h.dport);
        assert_int_equal(g.seq, h.seq);
        assert_int_equal(g.ack, h.ack);
        assert_int_equal(g.flags, h.flags);
        assert_int_equal(g.win, h.win);
        assert_int_equal(g.urg, h.urg);
        assert_int_equal(g.doff, hl);
        assert_ptr_equal(g.data, p + hl);
        assert_int_equal(g.data_len, dlen);
        assert_int_equal(g.opts.has_mss, h.opts.has_mss);
        if (h.opts.has_mss)
            assert_int_equal(g.opts.mss, h.opts.mss);
        assert_int_equal(g.opts.has_wscale, h.opts.has_wscale);
        if (h.opts.has_wscale)
            assert_int_equal(g.opts.wscale, h.opts.wscale);
        assert_int_equal(g.opts.sack_perm, h.opts.sack_perm);
        assert_int_equal(g.opts.has_ts, h.opts.has_ts);
        if (h.opts.has_ts) {
            assert_int_equal(g.opts.ts_val, h.opts.ts_val);
            assert_int_equal(g.opts.ts_ecr, h.opts.ts_ecr);
        }
        unsigned want = sack_room(&h.opts);
        assert_int_equal(g.opts.sack_count, want);
        for (unsigned k = 0; k < want; k++) {
            assert_int_equal(g.opts.sack[k][0], h.opts.sack[k][0]);
            assert_int_equal(g.opts.sack[k][1], h.opts.sack[k][1]);
        }
    }
}

/* Linux's layouts (net/ipv4/tcp_output.c tcp_options_write), which middleboxes expect. */
static void test_option_layout_like_linux(void **state)
{
    uint8_t o[40];
    struct tcp_opts t = { .has_mss = 1, .mss = 1460, .sack_perm = 1, .has_ts = 1, .ts_val = 1,
                          .has_wscale = 1, .wscale = 7 };
    static const uint8_t syn[] = { 2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7 };
    assert_int_equal(tcp_build_opts(o, &t), sizeof(syn));
    assert_memory_equal(o, syn, sizeof(syn));

    t = (struct tcp_opts){ .has_mss = 1, .mss = 1460, .sack_perm = 1, .has_wscale = 1, .wscale = 7 };
    static const uint8_t syn_nots[] = { 2, 4, 5, 0xb4, 1, 1, 4, 2, 1, 3, 3, 7 };
    assert_int_equal(tcp_build_opts(o, &t), sizeof(syn_nots));
    assert_memory_equal(o, syn_nots, sizeof(syn_nots));

    t = (struct tcp_opts){ .has_ts = 1, .ts_val = 2, .ts_ecr = 3, .sack_count = 1, .sack = { { 5, 6 } } };
    static const uint8_t ack[] = { 1, 1, 8, 10, 0, 0, 0, 2, 0, 0, 0, 3, 1, 1, 5, 10, 0, 0, 0, 5, 0, 0, 0, 6 };
    assert_int_equal(tcp_build_opts(o, &t), sizeof(ack));
    assert_memory_equal(o, ack, sizeof(ack));

    t = (struct tcp_opts){ 0 };
    assert_int_equal(tcp_build_opts(o, &t), 0);
    assert_int_equal(tcp_hdr_len(&t), TCP_HDR_MIN);
}

/* A span over 65535 bytes cannot be a TCP segment in IPv4; it is refused, not mis-summed. */
static void test_oversized_span(void **state)
{
    size_t n = 70000;
    uint8_t *p = calloc(1, n);
    p[12] = 0x50;
    struct tcp_hdr t;
    assert_int_not_equal(tcp_parse(p, n, TADDR_A, TADDR_B, 1, &t), WIRE_OK);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_truncated_at_every_length),
        cmocka_unit_test(test_data_offset),
        cmocka_unit_test(test_every_bit_flip_rejected),
        cmocka_unit_test(test_option_lengths),
        cmocka_unit_test(test_option_values),
        cmocka_unit_test(test_build_parse_round_trip),
        cmocka_unit_test(test_option_layout_like_linux),
        cmocka_unit_test(test_oversized_span),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
