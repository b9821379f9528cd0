/* The IPv6 and ICMPv6 wire parsers and builders (src/wire/ip6.c, icmp6.c):
 *
 *  - against frames the Linux kernel sent (tests/unit/vectors/gen6.sh: ND, echo, fragments both
 *    ways, port unreachable, DAD, MLDv2): every header parses, every ICMPv6 checksum Linux wrote
 *    verifies over our pseudo-header, and rebuilding the header, the fragment header and the
 *    message with our builders gives Linux's bytes back;
 *  - hand-written bytes from the RFC formats (each says which): the options header's Pad1/PadN
 *    tiling and overruns, routing and fragment headers, ND options (a zero length invalid, the
 *    prefix and MTU options' lengths), the EUI-64 and solicited-node examples of RFC 4291, prefix
 *    matching, the pseudo-header for lengths beyond 16 bits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "synack/types.h"
#include "unit/vectors/linux_frames6.h"
#include "wire/bytes.h"
#include "wire/csum.h"
#include "wire/icmp6.h"
#include "wire/ip6.h"

static struct synack_ip A(const char *s)
{
    struct synack_ip a;
    assert_int_equal(synack_ip_parse(s, &a), 0);
    return a;
}

/* Parses the IPv6 header of a captured frame, checks it rebuilds to the same 40 bytes. */
static const uint8_t *ip_of(const uint8_t *fr, size_t len, struct ip6_hdr *h)
{
    assert_int_equal(wire_get16(fr + 12), 0x86dd);
    const uint8_t *p = fr + 14;
    assert_int_equal(ip6_parse(p, len - 14, h), WIRE_OK);
    uint8_t out[IP6_HDR_LEN];
    ip6_build(out, h);
    assert_memory_equal(out, p, IP6_HDR_LEN);
    return p;
}

/* The ICMPv6 message at p[off..) verifies with our pseudo-header, and rebuilding it from its
 * parsed fields gives Linux's bytes, checksum included. */
static void icmp_of(const uint8_t *p, const struct ip6_hdr *h, size_t off, struct icmp6_hdr *ic)
{
    size_t len = IP6_HDR_LEN + h->plen - off;
    uint64_t ph = wire_csum_pseudo6(h->src, h->dst, IP6_NH_ICMP6, (uint32_t)len);
    assert_int_equal(icmp6_parse(p + off, len, ph, ic), WIRE_OK);
    uint8_t out[1600];
    assert_true(len <= sizeof(out));
    assert_int_equal(icmp6_build(out, ic, ph), len);
    assert_memory_equal(out, p + off, len);
    /* One bit flipped anywhere: the checksum catches it. */
    memcpy(out, p + off, len);
    out[len - 1] ^= 0x10;
    struct icmp6_hdr bad;
    assert_int_equal(icmp6_parse(out, len, ph, &bad), WIRE_ERR_CSUM);
}

static void test_linux_nd(void **state)
{
    (void)state;
    struct ip6_hdr h;
    struct icmp6_hdr ic;
    struct nd_opts o;
    static const uint8_t mac1[6] = { 2, 0, 0, 0, 0, 1 }, mac2[6] = { 2, 0, 0, 0, 0, 2 };
    /* NS: to the solicited-node group, at its multicast MAC (RFC 2464 7), with hop limit 255. */
    const uint8_t *p = ip_of(vec6_ns, sizeof(vec6_ns), &h);
    assert_int_equal(h.next, IP6_NH_ICMP6);
    assert_int_equal(h.hlim, 255);
    assert_memory_equal(h.src, A("2001:db8::1").b, 16);
    uint8_t sn[16], mac[6];
    ip6_solicited_node(A("2001:db8::2").b, sn);
    assert_memory_equal(h.dst, sn, 16);
    ip6_mcast_mac(h.dst, mac);
    assert_memory_equal(vec6_ns, mac, 6);
    icmp_of(p, &h, IP6_HDR_LEN, &ic);
    assert_int_equal(ic.type, ICMP6_ND_NS);
    assert_memory_equal(ic.body, A("2001:db8::2").b, 16);
    assert_int_equal(nd_opts_parse(ic.body + 16, ic.body_len - 16, &o), WIRE_OK);
    assert_memory_equal(o.slla, mac1, 6);
    assert_null(o.tlla);
    uint8_t lla[8];
    assert_int_equal(nd_opt_lla_build(lla, ND_OPT_SLLA, mac1), 8);
    assert_memory_equal(lla, ic.body + 16, 8);
    /* NA: solicited and override, the target's link-layer address. */
    p = ip_of(vec6_na, sizeof(vec6_na), &h);
    icmp_of(p, &h, IP6_HDR_LEN, &ic);
    assert_int_equal(ic.type, ICMP6_ND_NA);
    assert_int_equal(ic.word, ND_NA_SOLICITED | ND_NA_OVERRIDE);
    assert_int_equal(nd_opts_parse(ic.body + 16, ic.body_len - 16, &o), WIRE_OK);
    assert_memory_equal(o.tlla, mac2, 6);
    /* DAD: from ::, no option, to the new address's group. */
    p = ip_of(vec6_ns_dad, sizeof(vec6_ns_dad), &h);
    assert_true(ip6_is_unspecified(h.src));
    ip6_solicited_node(A("2001:db8::a:b").b, sn);
    assert_memory_equal(h.dst, sn, 16);
    assert_memory_equal(h.dst, A("ff02::1:ff0a:b").b, 16);
    icmp_of(p, &h, IP6_HDR_LEN, &ic);
    /* No link-layer option from :: (RFC 4861 4.3); Linux adds a Nonce (RFC 7527, type 14), an
     * option we skip. */
    assert_int_equal(nd_opts_parse(ic.body + 16, ic.body_len - 16, &o), WIRE_OK);
    assert_null(o.slla);
    assert_true(ic.body_len == 16 || (ic.body_len == 24 && ic.body[16] == 14));
    /* RS from the link-local address Linux formed from the MAC: our EUI-64 gives the same. */
    p = ip_of(vec6_rs, sizeof(vec6_rs), &h);
    uint8_t ll[16] = { 0xfe, 0x80 };
    ip6_eui64(vec6_rs + 6, ll + 8);
    assert_memory_equal(h.src, ll, 16);
    assert_true(ip6_is_linklocal(h.src));
    icmp_of(p, &h, IP6_HDR_LEN, &ic);
    assert_int_equal(ic.type, ICMP6_ND_RS);
}

static void test_linux_echo_and_unreach(void **state)
{
    (void)state;
    struct ip6_hdr h;
    struct icmp6_hdr q, r;
    const uint8_t *p = ip_of(vec6_echo_request, sizeof(vec6_echo_request), &h);
    assert_int_equal(h.plen, 64);
    assert_int_equal(h.hlim, 64);
    icmp_of(p, &h, IP6_HDR_LEN, &q);
    assert_int_equal(q.type, ICMP6_ECHO_REQUEST);
    p = ip_of(vec6_echo_reply, sizeof(vec6_echo_reply), &h);
    icmp_of(p, &h, IP6_HDR_LEN, &r);
    assert_int_equal(r.type, ICMP6_ECHO_REPLY);
    assert_int_equal(r.word, q.word);   /* identifier and sequence */
    assert_int_equal(r.body_len, q.body_len);
    /* Port unreachable quotes our UDP datagram whole (it fits the minimum MTU). */
    p = ip_of(vec6_port_unreach, sizeof(vec6_port_unreach), &h);
    icmp_of(p, &h, IP6_HDR_LEN, &r);
    assert_int_equal(r.type, ICMP6_DEST_UNREACH);
    assert_int_equal(r.code, ICMP6_UNREACH_PORT);
    assert_int_equal(r.word, 0);
    struct ip6_hdr in;
    assert_int_equal(ip6_parse(r.body, r.body_len, &in), WIRE_OK);
    assert_int_equal(in.next, IP6_NH_UDP);
    assert_int_equal(wire_get16(r.body + IP6_HDR_LEN + 2), 9);
}

/* The three fragments of a 3008-byte echo (either way): fragment headers parse and rebuild, all
 * share one Identification, and the reassembled message verifies with the whole length. */
static void check_frags(const uint8_t *const fr[3], const size_t len[3])
{
    uint8_t whole[4000];
    size_t total = 0;
    uint32_t id = 0;
    struct ip6_hdr h;
    for (int i = 0; i < 3; i++) {
        const uint8_t *p = ip_of(fr[i], len[i], &h);
        assert_int_equal(h.next, IP6_NH_FRAGMENT);
        struct ip6_frag f;
        assert_int_equal(ip6_frag_parse(p + IP6_HDR_LEN, h.plen, &f), WIRE_OK);
        assert_int_equal(f.next, IP6_NH_ICMP6);
        assert_int_equal(f.offset, total);
        assert_int_equal(f.more, i < 2);
        if (i == 0)
            id = f.id;
        assert_int_equal(f.id, id);
        uint8_t out[8];
        ip6_frag_build(out, &f);
        assert_memory_equal(out, p + IP6_HDR_LEN, 8);
        size_t n = h.plen - IP6_FRAG_HDR_LEN;
        assert_true(i == 2 || n % 8 == 0);
        memcpy(whole + total, p + IP6_HDR_LEN + 8, n);
        total += n;
    }
    assert_int_equal(total, 3008);
    struct icmp6_hdr ic;
    uint64_t ph = wire_csum_pseudo6(h.src, h.dst, IP6_NH_ICMP6, (uint32_t)total);
    assert_int_equal(icmp6_parse(whole, total, ph, &ic), WIRE_OK);
    assert_int_equal(ic.body_len, 3000);
}

static void test_linux_fragments(void **state)
{
    (void)state;
    const uint8_t *a[3] = { vec6_frag_a2b_0, vec6_frag_a2b_1448, vec6_frag_a2b_2896 };
    const size_t al[3] = { sizeof(vec6_frag_a2b_0), sizeof(vec6_frag_a2b_1448), sizeof(vec6_frag_a2b_2896) };
    check_frags(a, al);
    const uint8_t *b[3] = { vec6_frag_b2a_0, vec6_frag_b2a_1448, vec6_frag_b2a_2896 };
    const size_t bl[3] = { sizeof(vec6_frag_b2a_0), sizeof(vec6_frag_b2a_1448), sizeof(vec6_frag_b2a_2896) };
    check_frags(b, bl);
}

/* MLDv2 report (RFC 3810 5.2) behind a hop-by-hop header with a Router Alert (RFC 2711). */
static void test_linux_mld(void **state)
{
    (void)state;
    struct ip6_hdr h;
    const uint8_t *p = ip_of(vec6_mld2_report, sizeof(vec6_mld2_report), &h);
    assert_int_equal(h.next, IP6_NH_HOPOPTS);
    assert_int_equal(h.hlim, 1);
    assert_memory_equal(h.dst, A("ff02::16").b, 16);
    size_t n, uoff;
    uint8_t utype;
    assert_int_equal(ip6_opts_parse(p + IP6_HDR_LEN, h.plen, &n, &uoff, &utype), WIRE_OK);
    assert_int_equal(n, 8);
    assert_int_equal(uoff, 2);   /* Router Alert is not Pad1/PadN: reported for the caller to judge */
    assert_int_equal(utype, 5);
    assert_int_equal(p[IP6_HDR_LEN], IP6_NH_ICMP6);
    struct icmp6_hdr ic;
    icmp_of(p, &h, IP6_HDR_LEN + n, &ic);
    assert_int_equal(ic.type, ICMP6_MLD2_REPORT);
    unsigned groups = ic.word & 0xffff;
    assert_int_equal(ic.body_len, groups * 20);
}

/* RFC 8200 3: the fixed header's errors; link padding after the payload is allowed. */
static void test_ip6_parse_errors(void **state)
{
    (void)state;
    struct ip6_hdr h;
    uint8_t p[64] = { 0x60, 0x12, 0x34, 0x56, 0, 8, 17, 9 };   /* tclass 0x01, flow 0x23456 */
    assert_int_equal(ip6_parse(p, 39, &h), WIRE_ERR_SHORT);
    assert_int_equal(ip6_parse(p, 47, &h), WIRE_ERR_TRUNC);
    assert_int_equal(ip6_parse(p, 48, &h), WIRE_OK);
    assert_int_equal(h.tclass, 0x01);
    assert_int_equal(h.flow, 0x23456);
    assert_int_equal(h.plen, 8);
    assert_int_equal(h.next, 17);
    assert_int_equal(h.hlim, 9);
    assert_int_equal(ip6_parse(p, 64, &h), WIRE_OK);   /* Ethernet padding beyond it */
    uint8_t out[40];
    ip6_build(out, &h);
    assert_memory_equal(out, p, 40);
    p[0] = 0x45;
    assert_int_equal(ip6_parse(p, 64, &h), WIRE_ERR_VERSION);
}

/* RFC 8200 4.2: options are TLVs that tile the header; Pad1 is a lone zero byte. Bytes by hand. */
static void test_options_tiling(void **state)
{
    (void)state;
    size_t n, uoff;
    uint8_t utype;
    static const uint8_t pad1s[8] = { 17, 0, 0, 0, 0, 0, 0, 0 };
    assert_int_equal(ip6_opts_parse(pad1s, 8, &n, &uoff, &utype), WIRE_OK);
    assert_int_equal(n, 8);
    assert_int_equal(uoff, 0);
    static const uint8_t padn4[8] = { 17, 0, 1, 4, 0, 0, 0, 0 };
    assert_int_equal(ip6_opts_parse(padn4, 8, &n, &uoff, &utype), WIRE_OK);
    static const uint8_t padn3_pad1[8] = { 17, 0, 1, 3, 0, 0, 0, 0 };
    assert_int_equal(ip6_opts_parse(padn3_pad1, 8, &n, &uoff, &utype), WIRE_OK);
    /* PadN one byte too long; a lone option type in the last byte (no room for its length). */
    static const uint8_t over[8] = { 17, 0, 1, 5, 0, 0, 0, 0 };
    assert_int_equal(ip6_opts_parse(over, 8, &n, &uoff, &utype), WIRE_ERR_OPTS);
    static const uint8_t lone[8] = { 17, 0, 1, 3, 0, 0, 0, 1 };
    assert_int_equal(ip6_opts_parse(lone, 8, &n, &uoff, &utype), WIRE_ERR_OPTS);
    /* Two 8-byte units (Hdr Ext Len 1), an unknown option in the second; the first unknown counts. */
    static const uint8_t two[16] = { 17, 1, 1, 2, 0, 0, 0xc2, 0, 0x3e, 4, 1, 2, 3, 4, 0x9e, 0 };
    assert_int_equal(ip6_opts_parse(two, 16, &n, &uoff, &utype), WIRE_OK);
    assert_int_equal(n, 16);
    assert_int_equal(uoff, 6);
    assert_int_equal(utype, 0xc2);
    assert_int_equal(ip6_opts_parse(two, 15, &n, &uoff, &utype), WIRE_ERR_TRUNC);
    assert_int_equal(ip6_opts_parse(two, 7, &n, &uoff, &utype), WIRE_ERR_SHORT);
    assert_int_equal(ip6_ext_len(two, 16, &n), WIRE_OK);
    assert_int_equal(n, 16);
}

/* RFC 8200 4.4 (routing header, type 0 of RFC 2460 with one address) and 4.5 (fragment header),
 * bytes by hand. */
static void test_routing_and_fragment(void **state)
{
    (void)state;
    uint8_t rt[24] = { 58, 2, 0, 1 };
    struct ip6_rthdr r;
    assert_int_equal(ip6_rthdr_parse(rt, 24, &r), WIRE_OK);
    assert_int_equal(r.next, 58);
    assert_int_equal(r.hdr_len, 24);
    assert_int_equal(r.type, 0);
    assert_int_equal(r.segs_left, 1);
    assert_int_equal(ip6_rthdr_parse(rt, 23, &r), WIRE_ERR_TRUNC);
    static const uint8_t fh[8] = { 17, 0, 0x05, 0x01, 0xde, 0xad, 0xbe, 0xef };   /* offset 160, M */
    struct ip6_frag f;
    assert_int_equal(ip6_frag_parse(fh, 8, &f), WIRE_OK);
    assert_int_equal(f.next, 17);
    assert_int_equal(f.offset, 0x0500);
    assert_int_equal(f.more, 1);
    assert_int_equal(f.id, 0xdeadbeef);
    uint8_t out[8];
    ip6_frag_build(out, &f);
    assert_memory_equal(out, fh, 8);
    assert_int_equal(ip6_frag_parse(fh, 7, &f), WIRE_ERR_SHORT);
    static const uint8_t res[8] = { 17, 0xff, 0xff, 0xff, 0, 0, 0, 1 };   /* reserved bits set */
    assert_int_equal(ip6_frag_parse(res, 8, &f), WIRE_OK);
    assert_int_equal(f.offset, 0xfff8);
    assert_int_equal(f.more, 1);
}

/* RFC 4861 4.6: ND options, bytes by hand. */
static void test_nd_options(void **state)
{
    (void)state;
    struct nd_opts o;
    /* SLLA, an unknown option (type 14, skipped), MTU 1400, a prefix 2001:db8:1::/64 L+A. */
    uint8_t b[8 + 16 + 8 + 32] = { 1, 1, 2, 0, 0, 0, 0, 9, 14, 2 };
    uint8_t *m = b + 24, *pi = b + 32;
    m[0] = ND_OPT_MTU;
    m[1] = 1;
    wire_put32(m + 4, 1400);
    pi[0] = ND_OPT_PREFIX;
    pi[1] = 4;
    pi[2] = 64;
    pi[3] = 0xc0;
    wire_put32(pi + 4, 86400);
    wire_put32(pi + 8, 14400);
    memcpy(pi + 16, A("2001:db8:1::").b, 16);
    assert_int_equal(nd_opts_parse(b, sizeof(b), &o), WIRE_OK);
    assert_non_null(o.slla);
    assert_int_equal(o.slla[5], 9);
    assert_int_equal(o.mtu, 1400);
    assert_int_equal(o.nprefix, 1);
    struct nd_prefix px;
    nd_prefix_read(o.prefix[0], &px);
    assert_int_equal(px.len, 64);
    assert_true(px.onlink);
    assert_true(px.autonomous);
    assert_int_equal(px.valid, 86400);
    assert_int_equal(px.preferred, 14400);
    assert_memory_equal(px.prefix, A("2001:db8:1::").b, 16);
    /* 4.6: a length of zero makes the message invalid (also after valid options). */
    uint8_t z[16] = { 1, 1, 2, 0, 0, 0, 0, 9, 14, 0 };
    assert_int_equal(nd_opts_parse(z, 16, &o), WIRE_ERR_OPTS);
    /* 4.6.2: a prefix option's length is 4; 4.6.4: an MTU option's 1. */
    pi[1] = 3;
    assert_int_equal(nd_opts_parse(pi, 24, &o), WIRE_ERR_OPTS);
    m[1] = 2;
    assert_int_equal(nd_opts_parse(m, 16, &o), WIRE_ERR_OPTS);
    /* An option that runs past the end, and a lone trailing byte. */
    assert_int_equal(nd_opts_parse(b, 20, &o), WIRE_ERR_OPTS);
    assert_int_equal(nd_opts_parse(b, 9, &o), WIRE_ERR_OPTS);
    assert_int_equal(nd_opts_parse(b, 0, &o), WIRE_OK);
}

/* RFC 4291 Appendix A, 2.7.1, 2.5.6; RFC 2464 7. */
static void test_addresses(void **state)
{
    (void)state;
    /* Appendix A's example: 34-56-78-9A-BC-DE gives 36-56-78-FF-FE-9A-BC-DE. */
    static const uint8_t mac[6] = { 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde };
    static const uint8_t iid[8] = { 0x36, 0x56, 0x78, 0xff, 0xfe, 0x9a, 0xbc, 0xde };
    uint8_t out[8];
    ip6_eui64(mac, out);
    assert_memory_equal(out, iid, 8);
    /* 2.7.1: 4037::01:800:200E:8C6C's solicited-node group is FF02::1:FF0E:8C6C. */
    uint8_t sn[16];
    ip6_solicited_node(A("4037::1:800:200e:8c6c").b, sn);
    assert_memory_equal(sn, A("ff02::1:ff0e:8c6c").b, 16);
    uint8_t mm[6];
    static const uint8_t want_mm[6] = { 0x33, 0x33, 0xff, 0x0e, 0x8c, 0x6c };
    ip6_mcast_mac(sn, mm);
    assert_memory_equal(mm, want_mm, 6);
    assert_true(ip6_is_multicast(sn));
    assert_true(ip6_is_linklocal(A("febf::1").b));
    assert_false(ip6_is_linklocal(A("fec0::1").b));
    assert_true(ip6_is_unspecified(A("::").b));
    assert_true(ip6_is_loopback(A("::1").b));
    assert_false(ip6_is_loopback(A("::2").b));
    /* Prefix matching, at byte and bit boundaries. */
    struct synack_ip x = A("2001:db8:0:1::1"), y = A("2001:db8:0:1:8000::1");
    assert_true(ip6_prefix_match(x.b, y.b, 64));
    assert_false(ip6_prefix_match(x.b, y.b, 65));
    assert_true(ip6_prefix_match(x.b, y.b, 0));
    assert_int_equal(ip6_common_prefix(x.b, y.b), 64);
    assert_int_equal(ip6_common_prefix(x.b, x.b), 128);
    assert_true(ip6_prefix_match(x.b, x.b, 200));   /* clamped to 128 */
    struct synack_ip z = A("2001:db9::");
    assert_int_equal(ip6_common_prefix(x.b, z.b), 31);
    assert_true(ip6_prefix_match(x.b, z.b, 31));
    assert_false(ip6_prefix_match(x.b, z.b, 32));
}

/* RFC 8200 8.1: the pseudo-header's length is 32 bits; compare with a plain 16-bit sum. */
static void test_pseudo_header(void **state)
{
    (void)state;
    struct synack_ip s = A("2001:db8::1"), d = A("2001:db8:ffff::fffe");
    static const uint32_t lens[] = { 0, 8, 0xffff, 0x10000, 0x12345, 0xfffffff0u };
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        uint8_t ph[40];
        memcpy(ph, s.b, 16);
        memcpy(ph + 16, d.b, 16);
        wire_put32(ph + 32, lens[i]);
        wire_put32(ph + 36, 58);
        uint32_t sum = 0;
        for (int k = 0; k < 40; k += 2)
            sum += (uint32_t)(ph[k] << 8 | ph[k + 1]);
        while (sum >> 16)
            sum = (sum & 0xffff) + (sum >> 16);
        uint16_t want = (uint16_t)~sum;
        assert_int_equal(wire_csum_finish(wire_csum_pseudo6(s.b, d.b, 58, lens[i])), want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_linux_nd),         cmocka_unit_test(test_linux_echo_and_unreach),
        cmocka_unit_test(test_linux_fragments),  cmocka_unit_test(test_linux_mld),
        cmocka_unit_test(test_ip6_parse_errors), cmocka_unit_test(test_options_tiling),
        cmocka_unit_test(test_routing_and_fragment), cmocka_unit_test(test_nd_options),
        cmocka_unit_test(test_addresses),        cmocka_unit_test(test_pseudo_header),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
