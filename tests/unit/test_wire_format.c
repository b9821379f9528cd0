/* The one-line formatter on made-up and malformed input: tcpdump's flag letters and SACK layout,
 * descriptions of every kind of bad header, and output truncated at every buffer size without a
 * byte written past the end. (Lines for the Linux frames are in test_wire_vectors.c.) */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "synack/format.h"
#include "synack/stack.h"
#include "unit/vectors/build.h"
#include "unit/vectors/linux_frames.h"
#include "wire/arp.h"
#include "wire/eth.h"

_Static_assert(WIRE_LINK_ETHERNET == SYNACK_IF_ETHERNET && WIRE_LINK_RAWIP == SYNACK_IF_RAWIP,
               "the formatter's link kinds are the public ones");

static const char *fmt_ip(const uint8_t *p, size_t len)
{
    static char line[512];
    synack_format_ip(line, sizeof(line), p, len);
    return line;
}

/* tcpdump (print-tcp.c) prints flags in the order F S R P . U E W and "none" for no flag. */
static void test_tcp_flag_letters_like_tcpdump(void **state)
{
    static const struct { uint8_t f; const char *s; } cases[] = {
        { TCP_SYN, "S" }, { TCP_SYN | TCP_ACK, "S." }, { TCP_ACK, "." }, { TCP_PSH | TCP_ACK, "P." },
        { TCP_FIN | TCP_ACK, "F." }, { TCP_FIN | TCP_PSH | TCP_ACK, "FP." }, { TCP_RST, "R" },
        { TCP_RST | TCP_ACK, "R." }, { TCP_SYN | TCP_FIN, "FS" }, { TCP_URG | TCP_ACK, ".U" },
        { TCP_SYN | TCP_ACK | TCP_ECE, "S.E" }, { TCP_SYN | TCP_ECE | TCP_CWR, "SEW" },
        { 0xff, "FSRP.UEW" }, { 0, "none" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[10];
        assert_string_equal(tcp_flags_str(cases[i].f, buf), cases[i].s);
    }
}

static void test_tcp_line(void **state)
{
    uint8_t p[256];
    struct tcp_hdr t = { .sport = 40000, .dport = 80, .seq = 1000, .ack = 5, .flags = TCP_URG | TCP_ACK,
                         .win = 512, .urg = 3 };
    size_t n = vt_tcp(p, &t, "abc", 3);
    assert_string_equal(fmt_ip(p, n), "192.0.2.1.40000 > 192.0.2.2.80: Flags [.U], seq 1000:1003, ack 5, "
                                      "win 512, urg 3, length 3");
    /* tcpdump: "sack N " then the blocks back to back. */
    t = (struct tcp_hdr){ .sport = 1, .dport = 2, .seq = 0xffffffffu, .flags = TCP_SYN };
    t.opts.sack_count = 3;
    t.opts.sack[0][0] = 1; t.opts.sack[0][1] = 2;
    t.opts.sack[1][0] = 3; t.opts.sack[1][1] = 4;
    t.opts.sack[2][0] = 5; t.opts.sack[2][1] = 6;
    n = vt_tcp(p, &t, "xy", 2);
    /* The sequence range wraps (RFC 9293 3.4: arithmetic modulo 2^32). */
    assert_string_equal(fmt_ip(p, n), "192.0.2.1.1 > 192.0.2.2.2: Flags [S], seq 4294967295:1, win 0, "
                                      "options [sack 3 {1:2}{3:4}{5:6}], length 2");
}

static void test_udp_icmp_lines(void **state)
{
    uint8_t p[256];
    size_t n = vt_udp(p, 53, 40000, "", 0);
    assert_string_equal(fmt_ip(p, n), "192.0.2.1.53 > 192.0.2.2.40000: UDP, length 0");
    struct icmp_hdr ic = { .type = ICMP_TIME_EXCEEDED, .code = 1 };
    n = vt_icmp(p, &ic);
    assert_string_equal(fmt_ip(p, n), "192.0.2.1 > 192.0.2.2: ICMP time exceeded code 1, length 8");
    ic = (struct icmp_hdr){ .type = 13, .code = 0 };
    n = vt_icmp(p, &ic);
    assert_string_equal(fmt_ip(p, n), "192.0.2.1 > 192.0.2.2: ICMP type 13 code 0, length 8");
    n = vt_ip(p, 47, 4);
    assert_string_equal(fmt_ip(p, n), "192.0.2.1 > 192.0.2.2: ip-proto-47 length 4");
}

static void test_bad_headers_described(void **state)
{
    uint8_t p[256];
    struct tcp_hdr t = { .sport = 1, .dport = 2, .flags = TCP_ACK };
    size_t n = vt_tcp(p, &t, "hello", 5);

    assert_string_equal(fmt_ip(p, 19), "IP [bad: short] length 19");
    p[0] = 0x55;
    assert_string_equal(fmt_ip(p, n), "IP [bad: version] length 45");
    p[0] = 0x65;   /* version 6: read as IPv6, whose payload length (0x002d = 45) overruns 45 bytes */
    assert_string_equal(fmt_ip(p, n), "IP6 [bad: truncated] length 45");
    p[0] = 0x44;
    assert_string_equal(fmt_ip(p, n), "IP [bad: ihl] length 45");
    p[0] = 0x45;
    assert_string_equal(fmt_ip(p, n - 1), "IP [bad: truncated] length 44");
    p[10] ^= 1;
    assert_string_equal(fmt_ip(p, n), "IP [bad: checksum] length 45");
    p[10] ^= 1;
    p[IP4_HDR_MIN + 22] ^= 0x40;   /* payload bit */
    assert_string_equal(fmt_ip(p, n), "192.0.2.1 > 192.0.2.2: TCP [bad: checksum] length 25");
    p[IP4_HDR_MIN + 22] ^= 0x40;
    p[IP4_HDR_MIN + 12] = 0x40;    /* doff 4 */
    assert_string_equal(fmt_ip(p, n), "192.0.2.1 > 192.0.2.2: TCP [bad: header] length 25");

    n = vt_udp(p, 1, 2, "x", 1);
    p[n - 1] ^= 1;
    assert_string_equal(fmt_ip(p, n), "192.0.2.1 > 192.0.2.2: UDP [bad] length 9");
    struct icmp_hdr ic = { .type = ICMP_ECHO_REQUEST, .id = 1, .seq = 2 };
    n = vt_icmp(p, &ic);
    p[n - 1] ^= 1;
    assert_string_equal(fmt_ip(p, n), "192.0.2.1 > 192.0.2.2: ICMP [bad] length 8");

    uint8_t f[64] = { 0 };
    char line[128];
    synack_format_frame(line, sizeof(line), SYNACK_IF_ETHERNET, f, 13);
    assert_string_equal(line, "[bad ethernet: 13 bytes]");
    f[12] = 0x86;
    f[13] = 0xdd;
    synack_format_frame(line, sizeof(line), SYNACK_IF_ETHERNET, f, 60);
    assert_string_equal(line, "IP6 [bad: version] length 46");
    f[12] = 0x88;
    f[13] = 0xcc;
    synack_format_frame(line, sizeof(line), SYNACK_IF_ETHERNET, f, 60);
    assert_string_equal(line, "ethertype 0x88cc, length 60");
    f[12] = 0x08;
    f[13] = 0x06;
    synack_format_frame(line, sizeof(line), SYNACK_IF_ETHERNET, f, 14 + 27);
    assert_string_equal(line, "ARP [bad] length 27");
    struct arp_pkt a = { .op = 9 };
    arp_build(f + 14, &a);
    synack_format_frame(line, sizeof(line), SYNACK_IF_ETHERNET, f, 14 + 28);
    assert_string_equal(line, "ARP, op 9");
}

/* A first fragment of a UDP datagram cannot be checked (its checksum covers the rest). */
static void test_first_fragment_lines(void **state)
{
    uint8_t p[256];
    size_t n = vt_udp(p, 1, 2, "abcdefgh", 8);
    p[6] = 0x20;   /* MF */
    p[7] = 0;
    vt_ip_fix_csum(p);
    assert_string_equal(fmt_ip(p, n), "192.0.2.1 > 192.0.2.2: UDP (first fragment) length 16");
    struct tcp_hdr t = { .sport = 7, .dport = 8, .seq = 1, .flags = TCP_PSH | TCP_ACK };
    n = vt_tcp(p, &t, "abcd", 4);
    p[6] = 0x20;
    p[7] = 0;
    vt_ip_fix_csum(p);
    assert_string_equal(fmt_ip(p, n), "192.0.2.1.7 > 192.0.2.2.8: Flags [P.], seq 1:5, ack 0, win 0, "
                                      "length 4 (frag id 4660 +)");
}

/* Every buffer size from 0 up: the output is the full line's prefix, NUL-terminated, the returned
 * length is what was written, and not a byte past cap changes. */
static void test_truncation_every_cap(void **state)
{
    for (size_t i = 0; i < LINUX_FRAMES_N; i++) {
        const struct wire_vec *v = &linux_frames[i];
        size_t full = strlen(v->line);
        for (size_t cap = 0; cap <= full + 2; cap++) {
            char buf[600];
            memset(buf, 0x5a, sizeof(buf));
            size_t n = synack_format_frame(buf, cap, SYNACK_IF_ETHERNET, v->bytes, v->len);
            for (size_t k = cap; k < sizeof(buf); k++)
                assert_int_equal((unsigned char)buf[k], 0x5a);
            if (cap == 0) {
                assert_int_equal(n, 0);
                continue;
            }
            size_t want = full < cap - 1 ? full : cap - 1;
            assert_int_equal(n, want);
            assert_int_equal(buf[want], 0);
            assert_memory_equal(buf, v->line, want);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tcp_flag_letters_like_tcpdump),
        cmocka_unit_test(test_tcp_line),
        cmocka_unit_test(test_udp_icmp_lines),
        cmocka_unit_test(test_bad_headers_described),
        cmocka_unit_test(test_first_fragment_lines),
        cmocka_unit_test(test_truncation_every_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
