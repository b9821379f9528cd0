/* The wire parsers against frames the Linux kernel sent (tests/unit/vectors/gen.sh): every field
 * of every frame is compared with what tshark decoded from the same capture, then each header is
 * rebuilt with synack's builders and must come out byte for byte as Linux wrote it, and the
 * one-line formatter must print the line gen.py derived (and checked against tcpdump). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "synack/format.h"
#include "synack/stack.h"
#include "unit/vectors/linux_frames.h"
#include "wire/arp.h"
#include "wire/csum.h"
#include "wire/eth.h"
#include "wire/icmp.h"
#include "wire/ip4.h"
#include "wire/tcp.h"
#include "wire/udp.h"

/* cmocka prints only the failing line; say which frame it was. */
#define CHECK(v, cond)                                                                     \
    do {                                                                                   \
        if (!(cond))                                                                       \
            fail_msg("frame %s: %s", (v)->name, #cond);                                    \
    } while (0)

static void check_eth(const struct wire_vec *v)
{
    struct eth_hdr e;
    CHECK(v, eth_parse(v->bytes, v->len, &e) == WIRE_OK);
    CHECK(v, memcmp(e.dst, v->eth_dst, 6) == 0);
    CHECK(v, memcmp(e.src, v->eth_src, 6) == 0);
    CHECK(v, e.type == v->eth_type);
    uint8_t out[ETH_HDR_LEN];
    eth_build(out, &e);
    CHECK(v, memcmp(out, v->bytes, ETH_HDR_LEN) == 0);
}

static void check_arp(const struct wire_vec *v)
{
    struct arp_pkt a;
    const uint8_t *p = v->bytes + ETH_HDR_LEN;
    CHECK(v, arp_parse(p, v->len - ETH_HDR_LEN, &a) == 0);
    CHECK(v, a.op == v->arp_op);
    CHECK(v, memcmp(a.sha, v->arp_sha, 6) == 0);
    CHECK(v, memcmp(a.tha, v->arp_tha, 6) == 0);
    CHECK(v, a.spa == v->arp_spa);
    CHECK(v, a.tpa == v->arp_tpa);
    uint8_t out[ARP_LEN];
    arp_build(out, &a);
    CHECK(v, memcmp(out, p, ARP_LEN) == 0);
}

static void check_icmp(const struct wire_vec *v, const uint8_t *p, size_t len)
{
    struct icmp_hdr ic;
    CHECK(v, icmp_parse(p, len, &ic) == 0);
    CHECK(v, ic.type == v->icmp_type);
    CHECK(v, ic.code == v->icmp_code);
    CHECK(v, ic.csum == v->icmp_csum);
    CHECK(v, ic.body == p + ICMP_HDR_LEN && ic.body_len == v->icmp_len - ICMP_HDR_LEN);
    if (ic.type == ICMP_ECHO_REQUEST || ic.type == ICMP_ECHO_REPLY) {
        CHECK(v, ic.id == v->icmp_id);
        CHECK(v, ic.seq == v->icmp_seq);
    }
    uint8_t out[2048];
    struct icmp_hdr b = ic;
    CHECK(v, icmp_build(out, &b) == len);
    CHECK(v, memcmp(out, p, len) == 0);
}

static void check_udp(const struct wire_vec *v, const uint8_t *p, size_t len)
{
    struct udp_hdr u;
    CHECK(v, udp_parse(p, len, v->ip_src, v->ip_dst, &u) == 0);
    CHECK(v, u.sport == v->udp_sport && u.dport == v->udp_dport);
    CHECK(v, u.len == v->udp_len && u.csum == v->udp_csum);
    CHECK(v, u.data == p + UDP_HDR_LEN && u.data_len == (size_t)v->udp_len - UDP_HDR_LEN);
    uint8_t out[2048];
    memcpy(out + UDP_HDR_LEN, u.data, u.data_len);
    udp_build(out, u.sport, u.dport, u.data_len, v->ip_src, v->ip_dst);
    CHECK(v, memcmp(out, p, len) == 0);
}

static void check_tcp(const struct wire_vec *v, const uint8_t *p, size_t len)
{
    struct tcp_hdr t;
    CHECK(v, tcp_parse(p, len, v->ip_src, v->ip_dst, 1, &t) == WIRE_OK);
    CHECK(v, t.sport == v->tcp_sport && t.dport == v->tcp_dport);
    CHECK(v, t.seq == v->tcp_seq);
    CHECK(v, t.ack == v->tcp_ack);
    CHECK(v, t.doff == v->tcp_doff);
    CHECK(v, t.flags == v->tcp_flags);
    CHECK(v, t.win == v->tcp_win);
    CHECK(v, t.csum == v->tcp_csum);
    CHECK(v, t.urg == v->tcp_urg);
    CHECK(v, t.data == p + t.doff && t.data_len == v->tcp_data_len);
    CHECK(v, t.opts.has_mss == (v->tcp_mss >= 0));
    if (v->tcp_mss >= 0)
        CHECK(v, t.opts.mss == v->tcp_mss);
    CHECK(v, t.opts.has_wscale == (v->tcp_wscale >= 0));
    if (v->tcp_wscale >= 0)
        CHECK(v, t.opts.wscale == v->tcp_wscale);
    CHECK(v, t.opts.sack_perm == (unsigned)v->tcp_sack_perm);
    CHECK(v, t.opts.has_ts == (unsigned)v->tcp_has_ts);
    if (v->tcp_has_ts)
        CHECK(v, t.opts.ts_val == v->tcp_tsval && t.opts.ts_ecr == v->tcp_tsecr);
    CHECK(v, t.opts.sack_count == v->tcp_sack_count);
    for (int i = 0; i < v->tcp_sack_count; i++)
        CHECK(v, t.opts.sack[i][0] == v->tcp_sack[i][0] && t.opts.sack[i][1] == v->tcp_sack[i][1]);

    /* tcp_build lays options out as Linux does (tcp.h), so the whole segment must come back. */
    uint8_t out[2048];
    memcpy(out + t.doff, t.data, t.data_len);
    CHECK(v, tcp_hdr_len(&t.opts) == t.doff);
    CHECK(v, tcp_build(out, &t, t.data_len, v->ip_src, v->ip_dst) == t.doff);
    CHECK(v, memcmp(out, p, len) == 0);
}

static void check_ip(const struct wire_vec *v)
{
    const uint8_t *p = v->bytes + ETH_HDR_LEN;
    size_t len = v->len - ETH_HDR_LEN;
    struct ip4_hdr h;
    CHECK(v, ip4_parse(p, len, &h) == WIRE_OK);
    CHECK(v, h.ihl == v->ip_ihl);
    CHECK(v, h.tos == v->ip_tos);
    CHECK(v, h.total_len == v->ip_len);
    CHECK(v, h.id == v->ip_id);
    CHECK(v, h.frag == v->ip_frag);
    CHECK(v, h.ttl == v->ip_ttl);
    CHECK(v, h.proto == v->ip_proto);
    CHECK(v, h.csum == v->ip_csum);
    CHECK(v, h.src == v->ip_src && h.dst == v->ip_dst);
    CHECK(v, ip4_frag_offset(&h) == (v->ip_frag & 0x1fffu) * 8u);
    CHECK(v, ip4_more_frags(&h) == ((v->ip_frag & 0x2000) != 0));
    if (h.ihl == IP4_HDR_MIN) {
        uint8_t out[IP4_HDR_MIN];
        ip4_build(out, &h);
        CHECK(v, memcmp(out, p, IP4_HDR_MIN) == 0);
    }
    const uint8_t *pl = p + h.ihl;
    size_t plen = h.total_len - h.ihl;
    if (v->has_icmp)
        check_icmp(v, pl, plen);
    if (v->has_udp)
        check_udp(v, pl, plen);
    if (v->has_tcp)
        check_tcp(v, pl, plen);
}

static void test_every_frame_every_field(void **state)
{
    for (size_t i = 0; i < LINUX_FRAMES_N; i++) {
        const struct wire_vec *v = &linux_frames[i];
        check_eth(v);
        if (v->eth_type == ETH_TYPE_ARP)
            check_arp(v);
        else
            check_ip(v);
    }
}

static void test_formatter_lines(void **state)
{
    for (size_t i = 0; i < LINUX_FRAMES_N; i++) {
        const struct wire_vec *v = &linux_frames[i];
        char line[512];
        size_t n = synack_format_frame(line, sizeof(line), SYNACK_IF_ETHERNET, v->bytes, v->len);
        if (strcmp(line, v->line) != 0)
            fail_msg("frame %s:\n  got  %s\n  want %s", v->name, line, v->line);
        assert_int_equal(n, strlen(line));
        if (v->eth_type == ETH_TYPE_IPV4) {
            /* A bare IP packet prints the same line without the "IP " link prefix. */
            synack_format_ip(line, sizeof(line), v->bytes + ETH_HDR_LEN, v->len - ETH_HDR_LEN);
            assert_string_equal(line, v->line + 3);
            synack_format_frame(line, sizeof(line), SYNACK_IF_RAWIP, v->bytes + ETH_HDR_LEN, v->len - ETH_HDR_LEN);
            assert_string_equal(line, v->line + 3);
        }
    }
}

/* The kinds of frame the brief asks for are all present (gen.sh changes must keep them). */
static void test_coverage_of_capture(void **state)
{
    assert_int_equal(VEC_ARP_REQUEST->arp_op, ARP_OP_REQUEST);
    assert_int_equal(VEC_ARP_REPLY->arp_op, ARP_OP_REPLY);
    assert_int_equal(VEC_ICMP_ECHO_REQUEST->icmp_type, ICMP_ECHO_REQUEST);
    assert_int_equal(VEC_ICMP_ECHO_REPLY->icmp_type, ICMP_ECHO_REPLY);
    assert_int_equal(VEC_ICMP_PORT_UNREACH->icmp_code, ICMP_UNREACH_PORT);
    assert_int_equal(VEC_FRAG_A2B_0->ip_frag & 0x3fff, IP4_FLAG_MF);
    assert_int_equal(VEC_FRAG_A2B_2960->ip_frag & 0x3fff, 2960 / 8);
    assert_int_equal(VEC_UDP_REQUEST->udp_len - UDP_HDR_LEN, 11);   /* odd payload */
    const struct wire_vec *syn = VEC_TCP_HTTP_C2S_SYN;
    assert_true(syn->tcp_mss > 0 && syn->tcp_wscale >= 0 && syn->tcp_sack_perm && syn->tcp_has_ts);
    assert_int_equal(VEC_TCP_HTTP_S2C_SYNACK->tcp_flags, TCP_SYN | TCP_ACK);
    assert_true(VEC_TCP_HTTP_C2S_DATA->tcp_data_len > 0);
    assert_true(VEC_TCP_HTTP_S2C_FIN->tcp_flags & TCP_FIN);
    assert_true(VEC_TCP_REFUSED_S2C_RST->tcp_flags & TCP_RST);
    assert_int_equal(VEC_TCP_PROBE_S2C_SACK->tcp_sack_count, 1);
    assert_int_equal(VEC_TCP_PROBE_S2C_SACK_2->tcp_sack_count, 2);
}

/* The ICMP error quotes the offending datagram (RFC 792: IP header + first 8 data octets; Linux
 * quotes all of it): the quoted header parses, and the quoted UDP header names the closed port. */
static void test_port_unreachable_quote(void **state)
{
    const struct wire_vec *v = VEC_ICMP_PORT_UNREACH;
    const uint8_t *p = v->bytes + ETH_HDR_LEN + v->ip_ihl;
    struct icmp_hdr ic;
    assert_int_equal(icmp_parse(p, v->ip_len - v->ip_ihl, &ic), 0);
    struct ip4_hdr inner;
    assert_int_equal(ip4_parse(ic.body, ic.body_len, &inner), WIRE_OK);
    assert_int_equal(inner.proto, IP4_PROTO_UDP);
    assert_int_equal(inner.src, v->ip_dst);
    const uint8_t *q = ic.body + inner.ihl;
    assert_int_equal((q[2] << 8) | q[3], VEC_UDP_CLOSED_PORT->udp_dport);
}

/* Reassembling the three fragments by hand gives one ICMP echo whose checksum verifies. */
static void test_fragments_reassemble(void **state)
{
    const struct wire_vec *fr[3] = { VEC_FRAG_A2B_0, VEC_FRAG_A2B_1480, VEC_FRAG_A2B_2960 };
    uint8_t whole[4096];
    size_t total = 0;
    for (int i = 0; i < 3; i++) {
        struct ip4_hdr h;
        const uint8_t *p = fr[i]->bytes + ETH_HDR_LEN;
        assert_int_equal(ip4_parse(p, fr[i]->len - ETH_HDR_LEN, &h), WIRE_OK);
        assert_int_equal(h.id, fr[0]->ip_id);
        assert_int_equal(ip4_more_frags(&h), i < 2);
        memcpy(whole + ip4_frag_offset(&h), p + h.ihl, h.total_len - h.ihl);
        total = ip4_frag_offset(&h) + h.total_len - h.ihl;
    }
    assert_int_equal(total, 3008);   /* ping -s 3000: 8-byte header + 3000 */
    struct icmp_hdr ic;
    assert_int_equal(icmp_parse(whole, total, &ic), 0);
    assert_int_equal(ic.type, ICMP_ECHO_REQUEST);
}

/* The public parsed views (synack_ip_fields, synack_tcp_fields in src/wire/fields.c) agree with
 * tshark too, and the public flag letters are the formatter's. */
static void test_public_field_views(void **state)
{
    for (size_t i = 0; i < LINUX_FRAMES_N; i++) {
        const struct wire_vec *v = &linux_frames[i];
        if (v->eth_type != ETH_TYPE_IPV4)
            continue;
        const uint8_t *p = v->bytes + ETH_HDR_LEN;
        struct synack_ip_fields ip;
        CHECK(v, synack_ip_fields(p, v->len - ETH_HDR_LEN, &ip) == 0);
        CHECK(v, ip.src == v->ip_src && ip.dst == v->ip_dst && ip.proto == v->ip_proto && ip.ttl == v->ip_ttl);
        CHECK(v, ip.id == v->ip_id && ip.frag == v->ip_frag);
        CHECK(v, ip.hdr_len == v->ip_ihl && ip.total_len == v->ip_len);
        if (!v->has_tcp)
            continue;
        struct synack_tcp_fields t;
        CHECK(v, synack_tcp_fields(p + ip.hdr_len, ip.total_len - ip.hdr_len, &t) == 0);
        CHECK(v, t.sport == v->tcp_sport && t.dport == v->tcp_dport);
        CHECK(v, t.seq == v->tcp_seq && t.ack == v->tcp_ack && t.flags == v->tcp_flags);
        CHECK(v, t.win == v->tcp_win && t.urg == v->tcp_urg);
        CHECK(v, t.hdr_len == v->tcp_doff && t.data_len == v->tcp_data_len);
        CHECK(v, t.has_mss == (v->tcp_mss >= 0) && (!t.has_mss || t.mss == v->tcp_mss));
        CHECK(v, t.has_wscale == (v->tcp_wscale >= 0) && (!t.has_wscale || t.wscale == v->tcp_wscale));
        CHECK(v, t.sack_perm == v->tcp_sack_perm && t.has_ts == v->tcp_has_ts);
        CHECK(v, !t.has_ts || (t.ts_val == v->tcp_tsval && t.ts_ecr == v->tcp_tsecr));
        CHECK(v, t.sack_count == v->tcp_sack_count);
        for (int k = 0; k < t.sack_count; k++)
            CHECK(v, t.sack[k][0] == v->tcp_sack[k][0] && t.sack[k][1] == v->tcp_sack[k][1]);
        char a[10], b[10];
        CHECK(v, strcmp(synack_tcp_flags_str(t.flags, a), tcp_flags_str(t.flags, b)) == 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_frame_every_field),
        cmocka_unit_test(test_formatter_lines),
        cmocka_unit_test(test_coverage_of_capture),
        cmocka_unit_test(test_port_unreachable_quote),
        cmocka_unit_test(test_fragments_reassemble),
        cmocka_unit_test(test_public_field_views),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
