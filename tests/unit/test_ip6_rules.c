/* Unit tests of IPv6 input's rules (RFC 8200 4 and 4.5, RFC 4443 2.4), one test per rule: crafted
 * frames go into a stack (synack_if_input) and what it transmits is read back.
 *
 *  - an unknown Next Header: Parameter Problem code 1 pointing at the field that named it;
 *  - hop-by-hop options anywhere but first: code 1;
 *  - unknown options by their two high bits: skip, discard, Parameter Problem code 2, and the same
 *    unless the destination is multicast;
 *  - a routing header of type 0 with segments left: code 0 at the Routing Type; with none left the
 *    header is skipped;
 *  - fragments: a non-last fragment not a multiple of 8 (code 0 at Payload Length), offset plus
 *    length beyond 65535 (code 0 at the Fragment Offset), atomic fragments processed alone (RFC
 *    6946/8021), overlaps dropping the whole packet and what comes later (RFC 5722), the timeout's
 *    Time Exceeded code 1 only when the first fragment came;
 *  - ICMPv6 errors: none about an error (also behind extension headers or in a fragment), none to a
 *    multicast destination except Parameter Problem code 2, rate limited; an echo request to a
 *    multicast address answered from our link-local address. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/harness6.h"
#include "/tmp/dbg.h"

static const char payload[24] = "0123456789abcdefghijklm";

/* An echo request body (ICMPv6 header + data) for src -> dst. */
static size_t echo(uint8_t *out, const char *src, const char *dst, uint16_t seq)
{
    return h6_icmp(out, src, dst, ICMP6_ECHO_REQUEST, 0, 0x12340000u | seq, payload, sizeof(payload));
}

/* Sends src -> dst: the extension headers ext (first one's type first_nh; the last one names
 * ICMPv6) and an echo request. */
static void send_ext(struct hx *h, const char *dst, uint8_t first_nh, const uint8_t *ext, size_t ext_len,
                     uint16_t seq)
{
    uint8_t body[512], p[600];
    memcpy(body, ext, ext_len);
    size_t n = ext_len + echo(body + ext_len, H6_PEER, dst, seq);
    size_t pl = h6_pkt(p, H6_PEER, dst, first_nh, 64, body, n);
    h6_input(h, p, pl);
}

/* The next frame must be a Parameter Problem with code and pointer, from us to the peer, quoting
 * the packet. */
static void expect_param_problem(struct hx *h, uint8_t code, uint32_t ptr)
{
    struct ip6_hdr ip;
    struct icmp6_hdr ic;
    assert_non_null(h6_pop_icmp(h, &ip, &ic));
    assert_int_equal(ic.type, ICMP6_PARAM_PROB);
    assert_int_equal(ic.code, code);
    assert_int_equal(ic.word, ptr);
    assert_true(h6_addr_is(ip.src, H6_US));
    assert_true(h6_addr_is(ip.dst, H6_PEER));
    assert_true(ic.body_len >= IP6_HDR_LEN);
    assert_int_equal(ic.body[0] >> 4, 6);
    assert_memory_equal(ic.body + 8, h6_ip(H6_PEER).b, 16);   /* the quote is the offending packet */
}

static void expect_echo_reply(struct hx *h, uint16_t seq)
{
    struct ip6_hdr ip;
    struct icmp6_hdr ic;
    assert_non_null(h6_pop_icmp(h, &ip, &ic));
    assert_int_equal(ic.type, ICMP6_ECHO_REPLY);
    assert_int_equal(ic.word & 0xffff, seq);
    assert_int_equal(ic.body_len, sizeof(payload));
    assert_memory_equal(ic.body, payload, sizeof(payload));
}

static void setup(struct hx *h)
{
    h6_init(h, 0);
    h6_learn(h, H6_PEER);
}

/* RFC 8200 4: "If ... the Next Header value in the current header is unrecognized ... send an ICMP
 * Parameter Problem message ... ICMP Code value of 1 ... pointing to the unrecognized value". */
static void test_unknown_next_header(void **state)
{
    (void)state;
    struct hx h;
    setup(&h);
    uint8_t data[16] = { 0 }, p[100];
    size_t n = h6_pkt(p, H6_PEER, H6_US, 253, 64, data, sizeof(data));
    h6_input(&h, p, n);
    expect_param_problem(&h, ICMP6_PARAM_NEXTHDR, 6);
    assert_int_equal(CTR(h.st, Ip6InUnknownProtos), 1);
    /* Behind a destination options header: the pointer is that header's Next Header field. */
    uint8_t ext[8] = { 253, 0, 1, 4, 0, 0, 0, 0 };
    memcpy(data, ext, 8);
    n = h6_pkt(p, H6_PEER, H6_US, IP6_NH_DSTOPTS, 64, data, sizeof(data));
    h6_input(&h, p, n);
    expect_param_problem(&h, ICMP6_PARAM_NEXTHDR, 40);
    assert_null(hx_pop(&h));
    hx_free(&h);
}

/* RFC 8200 4.1: hop-by-hop options only right after the IPv6 header. */
static void test_hop_by_hop_not_first(void **state)
{
    (void)state;
    struct hx h;
    setup(&h);
    uint8_t ext[16] = { IP6_NH_HOPOPTS, 0, 1, 4, 0, 0, 0, 0, IP6_NH_ICMP6, 0, 1, 4, 0, 0, 0, 0 };
    send_ext(&h, H6_US, IP6_NH_DSTOPTS, ext, sizeof(ext), 1);
    expect_param_problem(&h, ICMP6_PARAM_NEXTHDR, 40);
    assert_null(hx_pop(&h));
    /* First, it is processed and the echo answered. */
    ext[0] = IP6_NH_DSTOPTS;
    send_ext(&h, H6_US, IP6_NH_HOPOPTS, ext, sizeof(ext), 2);
    expect_echo_reply(&h, 2);
    hx_free(&h);
}

/* An options header of type nh (hop-by-hop or destination) holding one option of `type` with 2
 * bytes of data, naming ICMPv6 next. The option is at offset 2 of the header. */
static void opt_hdr(uint8_t ext[8], uint8_t type)
{
    const uint8_t x[8] = { IP6_NH_ICMP6, 0, type, 2, 0xaa, 0xbb, 1, 0 };
    memcpy(ext, x, 8);
}

/* RFC 8200 4.2: the action of an unrecognized option is in the two high bits of its type. */
static void test_unknown_option_actions(void **state)
{
    (void)state;
    static const uint8_t nhs[2] = { IP6_NH_HOPOPTS, IP6_NH_DSTOPTS };
    for (int k = 0; k < 2; k++) {
        struct hx h;
        setup(&h);
        uint8_t ext[8];
        /* 00: skip over the option and go on. */
        opt_hdr(ext, 0x1e);
        send_ext(&h, H6_US, nhs[k], ext, 8, 1);
        expect_echo_reply(&h, 1);
        /* 01: discard, nothing sent. */
        opt_hdr(ext, 0x5e);
        send_ext(&h, H6_US, nhs[k], ext, 8, 2);
        assert_null(hx_pop(&h));
        /* 10: discard and Parameter Problem code 2 pointing at the option's type... */
        opt_hdr(ext, 0x9e);
        send_ext(&h, H6_US, nhs[k], ext, 8, 3);
        expect_param_problem(&h, ICMP6_PARAM_OPTION, 42);
        assert_null(hx_pop(&h));
        /* ... even to a multicast destination (RFC 4443 2.4 (e.3)). */
        send_ext(&h, "ff02::1", nhs[k], ext, 8, 4);
        expect_param_problem(&h, ICMP6_PARAM_OPTION, 42);
        assert_null(hx_pop(&h));
        /* 11: the same, but only if the destination was not multicast. */
        opt_hdr(ext, 0xde);
        send_ext(&h, H6_US, nhs[k], ext, 8, 5);
        expect_param_problem(&h, ICMP6_PARAM_OPTION, 42);
        send_ext(&h, "ff02::1", nhs[k], ext, 8, 6);
        assert_null(hx_pop(&h));
        assert_int_equal(CTR(h.st, Ip6InHdrErrors), 5);
        hx_free(&h);
    }
}

/* RFC 8200 4.2: options must tile their header; an overrun is a bad header (code 0). */
static void test_option_overrun(void **state)
{
    (void)state;
    struct hx h;
    setup(&h);
    uint8_t ext[8] = { IP6_NH_ICMP6, 0, 1, 5, 0, 0, 0, 0 };   /* PadN claiming 5 of the 4 bytes left */
    send_ext(&h, H6_US, IP6_NH_DSTOPTS, ext, 8, 1);
    expect_param_problem(&h, ICMP6_PARAM_HEADER, 41);
    /* Pad1 and PadN tiling the header exactly are fine. */
    const uint8_t ok[8] = { IP6_NH_ICMP6, 0, 0, 0, 1, 2, 0, 0 };
    send_ext(&h, H6_US, IP6_NH_DSTOPTS, ok, 8, 2);
    expect_echo_reply(&h, 2);
    hx_free(&h);
}

/* RFC 8200 4.4 and RFC 5095 3: a type 0 routing header with segments left is an error (code 0 at
 * the Routing Type); with none left it is ignored and the packet processed. */
static void test_routing_header_type0(void **state)
{
    (void)state;
    struct hx h;
    setup(&h);
    uint8_t ext[24] = { IP6_NH_ICMP6, 2, 0, 1 };   /* one address: 2001:db8::9 */
    memcpy(ext + 8, h6_ip("2001:db8::9").b, 16);
    send_ext(&h, H6_US, IP6_NH_ROUTING, ext, sizeof(ext), 1);
    expect_param_problem(&h, ICMP6_PARAM_HEADER, 42);
    assert_null(hx_pop(&h));
    ext[3] = 0;
    send_ext(&h, H6_US, IP6_NH_ROUTING, ext, sizeof(ext), 2);
    expect_echo_reply(&h, 2);
    hx_free(&h);
}

/* A fragment of an echo request (the whole request is `whole`, wlen bytes, split as the test
 * chooses): 40-byte header, fragment header, bytes [off, off+n). */
static void send_frag(struct hx *h, const uint8_t *whole, size_t off, size_t n, int more, uint32_t id)
{
    uint8_t body[2048], p[2100];
    struct ip6_frag fh = { .next = IP6_NH_ICMP6, .offset = (uint16_t)off, .more = more, .id = id };
    ip6_frag_build(body, &fh);
    memcpy(body + 8, whole + off, n);
    size_t pl = h6_pkt(p, H6_PEER, H6_US, IP6_NH_FRAGMENT, 64, body, 8 + n);
    h6_input(h, p, pl);
}

/* A 1000-byte echo request with its checksum; returns its length. */
static size_t big_echo(uint8_t *out, uint16_t seq)
{
    uint8_t data[992];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i * 7);
    return h6_icmp(out, H6_PEER, H6_US, ICMP6_ECHO_REQUEST, 0, 0x12340000u | seq, data, sizeof(data));
}

static void expect_big_reply(struct hx *h, uint16_t seq)
{
    struct ip6_hdr ip;
    struct icmp6_hdr ic;
    assert_non_null(h6_pop_icmp(h, &ip, &ic));
    assert_int_equal(ic.type, ICMP6_ECHO_REPLY);
    assert_int_equal(ic.word & 0xffff, seq);
    assert_int_equal(ic.body_len, 992);
}

static void test_fragments_reassembled(void **state)
{
    (void)state;
    struct hx h;
    setup(&h);
    uint8_t w[1000];
    big_echo(w, 1);
    /* Out of order, in three pieces. */
    send_frag(&h, w, 800, 200, 0, 7);
    send_frag(&h, w, 0, 400, 1, 7);
    assert_null(hx_pop(&h));
    send_frag(&h, w, 400, 400, 1, 7);
    expect_big_reply(&h, 1);
    assert_int_equal(CTR(h.st, Ip6ReasmOKs), 1);
    /* An exact duplicate of a fragment is harmless. */
    big_echo(w, 2);
    send_frag(&h, w, 0, 400, 1, 8);
    send_frag(&h, w, 0, 400, 1, 8);
    send_frag(&h, w, 400, 600, 0, 8);
    expect_big_reply(&h, 2);
    hx_free(&h);
}

/* RFC 8200 4.5: a fragment that is not the last and not a multiple of 8 bytes long: Parameter
 * Problem code 0 pointing at the Payload Length. */
static void test_fragment_not_multiple_of_8(void **state)
{
    (void)state;
    struct hx h;
    setup(&h);
    uint8_t w[1000];
    big_echo(w, 1);
    send_frag(&h, w, 0, 401, 1, 9);
    expect_param_problem(&h, ICMP6_PARAM_HEADER, 4);
    /* The last fragment may be any length. */
    send_frag(&h, w, 0, 400, 1, 10);
    send_frag(&h, w, 400, 600, 0, 10);
    expect_big_reply(&h, 1);
    hx_free(&h);
}

/* RFC 8200 4.5: offset plus length beyond 65535: Parameter Problem code 0 at the Fragment Offset. */
static void test_fragment_beyond_65535(void **state)
{
    (void)state;
    struct hx h;
    setup(&h);
    uint8_t w[70000] = { 0 };
    send_frag(&h, w, 65528, 16, 1, 11);
    expect_param_problem(&h, ICMP6_PARAM_HEADER, 42);
    send_frag(&h, w, 65528, 8, 0, 12);   /* ends at 65536: still too far */
    expect_param_problem(&h, ICMP6_PARAM_HEADER, 42);
    assert_null(hx_pop(&h));
    hx_free(&h);
}

/* RFC 8200 4.5, RFC 7112 5: a first fragment must hold the whole header chain through the
 * upper-layer header; else Parameter Problem code 3 (pointer 0) and the fragment is discarded. */
static void test_first_fragment_incomplete_chain(void **state)
{
    (void)state;
    struct hx h;
    setup(&h);
    uint8_t w[1000];
    big_echo(w, 1);
    send_frag(&h, w, 0, 0, 1, 17);   /* no ICMPv6 header at all (an empty, non-last fragment) */
    send_frag(&h, w, 0, 8, 1, 18);   /* the 8-byte ICMPv6 header alone: enough */
    send_frag(&h, w, 8, 992, 0, 18);
    expect_param_problem(&h, ICMP6_PARAM_HEADER, 4);   /* the empty one: not a multiple of 8 */
    expect_big_reply(&h, 1);
    /* A destination options header of 16 bytes cut after 8 by the fragment's end. */
    uint8_t body[64], p[128];
    struct ip6_frag fh = { .next = IP6_NH_DSTOPTS, .offset = 0, .more = 1, .id = 19 };
    ip6_frag_build(body, &fh);
    const uint8_t ext[8] = { IP6_NH_ICMP6, 1, 1, 4, 0, 0, 0, 0 };
    memcpy(body + 8, ext, 8);
    size_t n = h6_pkt(p, H6_PEER, H6_US, IP6_NH_FRAGMENT, 64, body, 16);
    h6_input(&h, p, n);
    expect_param_problem(&h, ICMP6_PARAM_FIRST_FRAG, 0);
    /* 16 bytes of a 20-byte TCP header. */
    fh.next = IP6_NH_TCP;
    ip6_frag_build(body, &fh);
    memset(body + 8, 0, 16);
    n = h6_pkt(p, H6_PEER, H6_US, IP6_NH_FRAGMENT, 64, body, 8 + 16);
    h6_input(&h, p, n);
    expect_param_problem(&h, ICMP6_PARAM_FIRST_FRAG, 0);
    assert_null(hx_pop(&h));
    assert_int_equal(CTR(h.st, Ip6ReasmOKs), 1);
    hx_free(&h);
}

/* RFC 6946 / RFC 8021: an atomic fragment (offset 0, M clear) is processed at once, alone, even
 * when fragments with its Identification are being reassembled. */
static void test_atomic_fragment_alone(void **state)
{
    (void)state;
    struct hx h;
    setup(&h);
    uint8_t w[1000], e[64];
    big_echo(w, 1);
    send_frag(&h, w, 0, 400, 1, 13);
    size_t el = echo(e, H6_PEER, H6_US, 5);
    send_frag(&h, e, 0, el, 0, 13);
    expect_echo_reply(&h, 5);
    assert_int_equal(CTR(h.st, Ip6AtomicFrags), 1);
    send_frag(&h, w, 400, 600, 0, 13);
    expect_big_reply(&h, 1);   /* the other packet was not disturbed */
    hx_free(&h);
}

/* RFC 5722 3: overlapping fragments discard the whole packet, and the fragments still to come. */
static void test_overlap_drops_packet(void **state)
{
    (void)state;
    struct hx h;
    setup(&h);
    uint8_t w[1000];
    big_echo(w, 1);
    send_frag(&h, w, 0, 400, 1, 14);
    send_frag(&h, w, 392, 208, 1, 14);   /* overlaps the first by 8 bytes */
    send_frag(&h, w, 400, 600, 0, 14);   /* would have completed it */
    send_frag(&h, w, 0, 400, 1, 14);
    assert_null(hx_pop(&h));
    assert_int_equal(CTR(h.st, Ip6ReasmOverlaps), 1);
    assert_int_equal(CTR(h.st, Ip6ReasmOKs), 0);
    /* The swallowed packet's entry ends with its timeout, silently (no Time Exceeded for it). */
    hx_advance(&h, SYNACK_SEC(120));
    assert_null(hx_pop(&h));
    hx_free(&h);
}

/* RFC 8200 4.5: reassembly abandoned after the timeout; Time Exceeded code 1 only if the first
 * fragment (offset 0) came, quoting it. */
static void test_reassembly_timeout(void **state)
{
    (void)state;
    struct hx h;
    setup(&h);
    uint8_t w[1000];
    big_echo(w, 1);
    send_frag(&h, w, 400, 400, 1, 15);   /* no first fragment */
    hx_advance(&h, SYNACK_SEC(120));
    assert_null(hx_pop(&h));
    send_frag(&h, w, 0, 400, 1, 16);
    /* RFC 8200 4.5: 60 seconds from the first-arriving fragment. */
    synack_time_t t0 = h.now;
    hx_run_until(&h, t0 + SYNACK_SEC(60) - 1);
    assert_int_equal(h6_count_type(&h, ICMP6_TIME_EXCEEDED), 0);
    hx_run_until(&h, t0 + SYNACK_SEC(60));
    hx_advance(&h, SYNACK_SEC(1));
    while (hx_pending(&h) && h.out[h.rd].t < t0 + SYNACK_SEC(60))
        h.rd++;   /* ND's probes of the peer's stale entry, before the timeout */
    struct ip6_hdr ip;
    struct icmp6_hdr ic;
    assert_non_null(h6_pop_icmp(&h, &ip, &ic));
    assert_int_equal(ic.type, ICMP6_TIME_EXCEEDED);
    assert_int_equal(ic.code, 1);
    assert_true(h6_addr_is(ip.dst, H6_PEER));
    assert_true(ic.body_len >= IP6_HDR_LEN + 8 + 8);
    assert_int_equal(ic.body[6], IP6_NH_FRAGMENT);
    assert_int_equal(wire_get32(ic.body + IP6_HDR_LEN + 4), 16);   /* the Identification */
    hx_advance(&h, SYNACK_SEC(60));
    assert_int_equal(CTR(h.st, Ip6ReasmTimeout), 2);
    /* (The peer's entry went stale meanwhile: ND probes it, RFC 4861 7.3.3; nothing else.) */
    assert_int_equal(h6_count_type(&h, ICMP6_TIME_EXCEEDED), 0);
    assert_int_equal(h6_count_type(&h, ICMP6_ND_NS), (int)hx_pending(&h));
    hx_free(&h);
}

/* RFC 4443 2.4 (e.1): no error message about an ICMPv6 error message, whether the message follows
 * the IPv6 header, extension headers, or a fragment header. */
static void test_no_error_about_error(void **state)
{
    (void)state;
    struct hx h;
    setup(&h);
    uint8_t quote[48] = { 0x60 }, ic[64], ext[8], p[200];
    size_t il = h6_icmp(ic, H6_PEER, H6_US, ICMP6_DEST_UNREACH, 0, 0, quote, sizeof(quote));
    /* An unknown option of type 10 would draw a Parameter Problem about an echo request... */
    opt_hdr(ext, 0x9e);
    send_ext(&h, H6_US, IP6_NH_DSTOPTS, ext, 8, 1);
    expect_param_problem(&h, ICMP6_PARAM_OPTION, 42);
    /* ... but not about an error message. */
    uint8_t body[100];
    memcpy(body, ext, 8);
    memcpy(body + 8, ic, il);
    size_t n = h6_pkt(p, H6_PEER, H6_US, IP6_NH_DSTOPTS, 64, body, 8 + il);
    h6_input(&h, p, n);
    assert_null(hx_pop(&h));
    /* Nor does a first fragment of an error that never completes draw a Time Exceeded. */
    uint8_t whole[64];
    il = h6_icmp(whole, H6_PEER, H6_US, ICMP6_DEST_UNREACH, 0, 0, quote, sizeof(quote));
    send_frag(&h, whole, 0, 16, 1, 21);
    hx_advance(&h, SYNACK_SEC(120));
    assert_null(hx_pop(&h));
    hx_free(&h);
}

/* RFC 4443 2.4 (e.3): no error to a packet sent to a multicast address (but Packet Too Big and
 * code 2, tested with the options). */
static void test_no_error_to_multicast(void **state)
{
    (void)state;
    struct hx h;
    setup(&h);
    uint8_t data[16] = { 0 }, p[100];
    size_t n = h6_pkt(p, H6_PEER, "ff02::1", 253, 64, data, sizeof(data));
    h6_input(&h, p, n);
    assert_null(hx_pop(&h));
    /* UDP to a closed port, sent to a multicast group: no port unreachable (to unicast: one). */
    uint8_t u[64];
    size_t ul = h6_udp(u, H6_PEER, "ff02::1", 1000, 9, "x", 1);
    n = h6_pkt(p, H6_PEER, "ff02::1", IP6_NH_UDP, 64, u, ul);
    h6_input(&h, p, n);
    assert_null(hx_pop(&h));
    ul = h6_udp(u, H6_PEER, H6_US, 1000, 9, "x", 1);
    n = h6_pkt(p, H6_PEER, H6_US, IP6_NH_UDP, 64, u, ul);
    h6_input(&h, p, n);
    struct ip6_hdr ip;
    struct icmp6_hdr ic;
    assert_non_null(h6_pop_icmp(&h, &ip, &ic));
    assert_int_equal(ic.type, ICMP6_DEST_UNREACH);
    assert_int_equal(ic.code, ICMP6_UNREACH_PORT);
    /* (e.2) A unicast packet in a link-layer multicast frame: none either. */
    n = h6_pkt(p, H6_PEER, H6_US, 253, 64, data, sizeof(data));
    uint8_t f[200], mmac[6] = { 0x33, 0x33, 0, 0, 0, 1 };
    size_t fl = hx_eth(f, mmac, hx_mac_peer, ETH_TYPE_IPV6, p, n);
    hx_input(&h, f, fl);
    assert_null(hx_pop(&h));
    hx_free(&h);
}

/* RFC 4443 2.4 (f): errors are rate-limited (a token bucket, like IPv4's). */
static void test_error_rate_limit(void **state)
{
    (void)state;
    struct hx h;
    setup(&h);
    uint8_t data[16] = { 0 }, p[100];
    size_t n = h6_pkt(p, H6_PEER, H6_US, 253, 64, data, sizeof(data));
    for (int i = 0; i < 200; i++)
        h6_input(&h, p, n);
    size_t sent = hx_pending(&h);
    assert_true(sent > 0 && sent < 200);
    assert_int_equal(CTR(h.st, Icmp6OutRateLimited), 200 - sent);
    hx_drain(&h);
    h.now += SYNACK_SEC(10);
    h6_input(&h, p, n);
    expect_param_problem(&h, ICMP6_PARAM_NEXTHDR, 6);
    hx_free(&h);
}

/* RFC 4443 4.2: an echo request to a multicast address is answered, from one of our unicast
 * addresses (here the link-local one, the group being link-scope). */
static void test_echo_to_multicast(void **state)
{
    (void)state;
    struct hx h;
    h6_init(&h, 0);
    h6_input_ns(&h, H6_PEER_LL, H6_US_LL, H6_US_LL, 255);   /* learn the peer's link-local */
    h6_input_na(&h, H6_PEER_LL, H6_US_LL, H6_PEER_LL, ND_NA_SOLICITED | ND_NA_OVERRIDE, hx_mac_peer);
    hx_drain(&h);
    uint8_t e[64], p[128];
    size_t el = echo(e, H6_PEER_LL, "ff02::1", 3);
    size_t n = h6_pkt(p, H6_PEER_LL, "ff02::1", IP6_NH_ICMP6, 64, e, el);
    h6_input(&h, p, n);
    struct ip6_hdr ip;
    struct icmp6_hdr ic;
    assert_non_null(h6_pop_icmp(&h, &ip, &ic));
    assert_int_equal(ic.type, ICMP6_ECHO_REPLY);
    assert_true(h6_addr_is(ip.src, H6_US_LL));
    assert_true(h6_addr_is(ip.dst, H6_PEER_LL));
    /* A group we did not join is not ours. */
    el = echo(e, H6_PEER_LL, "ff02::1:2", 4);
    n = h6_pkt(p, H6_PEER_LL, "ff02::1:2", IP6_NH_ICMP6, 64, e, el);
    h6_input(&h, p, n);
    assert_null(hx_pop(&h));
    hx_free(&h);
}

/* RFC 4291 2.7, 2.5.3: a multicast or loopback source, or a loopback destination, is dropped. */
static void test_bad_addresses_dropped(void **state)
{
    (void)state;
    struct hx h;
    setup(&h);
    static const char *const bad[][2] = { { "ff02::1", H6_US }, { "::1", H6_US }, { H6_PEER, "::1" },
                                          { H6_PEER, "2001:db8::77" } };
    for (size_t i = 0; i < 4; i++) {
        uint8_t e[64], p[128];
        size_t el = echo(e, bad[i][0], bad[i][1], 1);
        size_t n = h6_pkt(p, bad[i][0], bad[i][1], IP6_NH_ICMP6, 64, e, el);
        h6_input(&h, p, n);
    }
    assert_null(hx_pop(&h));
    assert_int_equal(CTR(h.st, Ip6InAddrErrors), 4);
    hx_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unknown_next_header),    cmocka_unit_test(test_hop_by_hop_not_first),
        cmocka_unit_test(test_unknown_option_actions), cmocka_unit_test(test_option_overrun),
        cmocka_unit_test(test_routing_header_type0),   cmocka_unit_test(test_fragments_reassembled),
        cmocka_unit_test(test_fragment_not_multiple_of_8), cmocka_unit_test(test_fragment_beyond_65535),
        cmocka_unit_test(test_first_fragment_incomplete_chain), cmocka_unit_test(test_atomic_fragment_alone),  cmocka_unit_test(test_overlap_drops_packet),
        cmocka_unit_test(test_reassembly_timeout),     cmocka_unit_test(test_no_error_about_error),
        cmocka_unit_test(test_no_error_to_multicast),  cmocka_unit_test(test_error_rate_limit),
        cmocka_unit_test(test_echo_to_multicast),      cmocka_unit_test(test_bad_addresses_dropped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
