/* The family-neutral address (include/synack/types.h, src/core/addr.c): building and taking apart
 * IPv4-mapped addresses, the unspecified addresses, IP text in both directions (RFC 4291 2.2 in,
 * RFC 5952 out, with section 4's examples), socket address text ("192.0.2.1:80",
 * "[2001:db8::1]:80"), bad input of every kind and the output bound. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "synack/synack.h"

static struct synack_ip ip6(const uint16_t g[8])
{
    struct synack_ip ip;
    for (int i = 0; i < 8; i++) {
        ip.b[2 * i] = (uint8_t)(g[i] >> 8);
        ip.b[2 * i + 1] = (uint8_t)g[i];
    }
    return ip;
}

static void parse_ok(const char *text, const struct synack_ip *want)
{
    struct synack_ip got;
    memset(&got, 0xa5, sizeof(got));
    if (synack_ip_parse(text, &got) != 0)
        fail_msg("'%s' did not parse", text);
    if (!synack_ip_equal(&got, want))
        fail_msg("'%s' parsed to the wrong address", text);
}

static void format_is(const struct synack_ip *ip, const char *want)
{
    char buf[SYNACK_IP_STRLEN];
    int n = synack_ip_format(ip, buf, sizeof(buf));
    assert_string_equal(buf, want);
    assert_int_equal(n, (int)strlen(want));
}

static void v4_mapped(void **state)
{
    struct synack_ip a = synack_ip_from_v4(0xC0000201u);
    static const uint8_t want[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1 };
    assert_memory_equal(a.b, want, 16);   /* RFC 4291 2.5.5.2 */
    assert_true(synack_ip_is_v4(&a));
    assert_int_equal(synack_ip_to_v4(&a), 0xC0000201u);
    struct synack_ip b = synack_ip_from_v4(0xC0000202u);
    assert_false(synack_ip_equal(&a, &b));
    b = synack_ip_from_v4(0xC0000201u);
    assert_true(synack_ip_equal(&a, &b));
    /* Not mapped: ::1, an IPv4-compatible ::192.0.2.1, a near miss in byte 10. */
    static const uint16_t lo[8] = { 0, 0, 0, 0, 0, 0, 0, 1 }, compat[8] = { 0, 0, 0, 0, 0, 0, 0xc000, 0x0201 },
                          near[8] = { 0, 0, 0, 0, 0, 0xfeff, 0xc000, 0x0201 };
    struct synack_ip x = ip6(lo), y = ip6(compat), z = ip6(near);
    assert_false(synack_ip_is_v4(&x));
    assert_false(synack_ip_is_v4(&y));
    assert_false(synack_ip_is_v4(&z));
    struct synack_sockaddr sa = synack_sockaddr_from_v4(0x0a000001u, 53);
    assert_int_equal(sa.port, 53);
    assert_int_equal(synack_ip_to_v4(&sa.addr), 0x0a000001u);
    assert_true(synack_ip_is_v4(&sa.addr));
}

static void unspecified(void **state)
{
    struct synack_ip any4 = synack_ip_any4(), any6 = synack_ip_any6(), zero;
    memset(&zero, 0, sizeof(zero));
    assert_true(synack_ip_equal(&any6, &zero));             /* :: */
    assert_true(synack_ip_is_v4(&any4));                    /* ::ffff:0.0.0.0 */
    assert_int_equal(synack_ip_to_v4(&any4), 0);
    assert_true(synack_ip_is_unspecified(&any4));
    assert_true(synack_ip_is_unspecified(&any6));
    assert_false(synack_ip_equal(&any4, &any6));
    struct synack_ip a = synack_ip_from_v4(1), lo;
    assert_false(synack_ip_is_unspecified(&a));
    assert_int_equal(synack_ip_parse("::1", &lo), 0);
    assert_false(synack_ip_is_unspecified(&lo));
    assert_int_equal(synack_ip_parse("::ffff:0:0", &a), 0);
    assert_true(synack_ip_is_unspecified(&a));
    assert_int_equal(synack_ip_parse("0.0.0.0", &a), 0);
    assert_true(synack_ip_equal(&a, &any4));
    assert_int_equal(synack_ip_parse("::", &a), 0);
    assert_true(synack_ip_equal(&a, &any6));
    /* ::ffff:0.0.0.1 and 0:0:0:0:0:fffe:: are not unspecified. */
    a = synack_ip_from_v4(1);
    assert_false(synack_ip_is_unspecified(&a));
    assert_int_equal(synack_ip_parse("::fffe:0:0", &a), 0);
    assert_false(synack_ip_is_unspecified(&a));
    /* A zeroed socket address is [::]:0. */
    struct synack_sockaddr sa;
    memset(&sa, 0, sizeof(sa));
    assert_true(synack_ip_is_unspecified(&sa.addr));
}

/* RFC 4291 2.2's three forms and every way of writing one address. */
static void parse_valid(void **state)
{
    static const uint16_t doc1[8] = { 0x2001, 0xdb8, 0, 0, 0, 0, 0, 1 };
    struct synack_ip want = ip6(doc1);
    parse_ok("2001:db8::1", &want);
    parse_ok("2001:DB8::1", &want);
    parse_ok("2001:0db8:0000:0000:0000:0000:0000:0001", &want);
    parse_ok("2001:db8:0:0:0:0:0:1", &want);
    parse_ok("2001:db8:0::1", &want);
    parse_ok("2001:db8::0:1", &want);
    static const uint16_t all[8] = { 0xfedc, 0xba98, 0x7654, 0x3210, 0xfedc, 0xba98, 0x7654, 0x3210 };
    want = ip6(all);
    parse_ok("FEDC:BA98:7654:3210:FEDC:BA98:7654:3210", &want);
    static const uint16_t ex2[8] = { 0x1080, 0, 0, 0, 8, 0x800, 0x200c, 0x417a };
    want = ip6(ex2);
    parse_ok("1080:0:0:0:8:800:200C:417A", &want);
    parse_ok("1080::8:800:200C:417A", &want);
    static const uint16_t mc[8] = { 0xff01, 0, 0, 0, 0, 0, 0, 0x101 };
    want = ip6(mc);
    parse_ok("FF01::101", &want);
    static const uint16_t lo[8] = { 0, 0, 0, 0, 0, 0, 0, 1 };
    want = ip6(lo);
    parse_ok("::1", &want);
    parse_ok("0:0:0:0:0:0:0:1", &want);
    static const uint16_t tail[8] = { 1, 0, 0, 0, 0, 0, 0, 0 };
    want = ip6(tail);
    parse_ok("1::", &want);
    static const uint16_t seven[8] = { 1, 2, 3, 4, 5, 6, 7, 0 };
    want = ip6(seven);
    parse_ok("1:2:3:4:5:6:7::", &want);   /* "::" may stand for a single group (RFC 4291) */
    static const uint16_t lead[8] = { 0, 2, 3, 4, 5, 6, 7, 8 };
    want = ip6(lead);
    parse_ok("::2:3:4:5:6:7:8", &want);
    /* Embedded IPv4 (x:x:x:x:x:x:d.d.d.d). */
    static const uint16_t compat[8] = { 0, 0, 0, 0, 0, 0, 0x0d01, 0x4403 };
    want = ip6(compat);
    parse_ok("::13.1.68.3", &want);
    parse_ok("0:0:0:0:0:0:13.1.68.3", &want);
    want = synack_ip_from_v4(0x81903426u);
    parse_ok("::FFFF:129.144.52.38", &want);
    parse_ok("0:0:0:0:0:FFFF:129.144.52.38", &want);
    parse_ok("129.144.52.38", &want);   /* a dotted quad is the same address */
    static const uint16_t six4[8] = { 1, 2, 3, 4, 5, 6, 0x0102, 0x0304 };
    want = ip6(six4);
    parse_ok("1:2:3:4:5:6:1.2.3.4", &want);
    static const uint16_t gap4[8] = { 1, 0, 0, 0, 0, 0, 0x0102, 0x0304 };
    want = ip6(gap4);
    parse_ok("1::1.2.3.4", &want);
}

static void parse_invalid(void **state)
{
    static const char *const bad[] = {
        "", ":", ":::", "::::", "1:::2", ":1::", "1::2:", ":1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:",
        "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1::2::3", "1:2:3:4:5:6:7::8", "::1:2:3:4:5:6:7:8",
        "12345::", "1:2:3:4:5:6:7:12345", "g::", "2001:db8::1%eth0", " ::1", "::1 ", "::1\n", "[::1]",
        "::ffff:1.2.3", "::ffff:1.2.3.4.5", "::ffff:256.1.1.1", "::1.2.3.4:5", "1.2.3.4::", "1:2:3:4:5:6:7:1.2.3.4",
        "::1:2:3:4:5:6:1.2.3.4", "::ffff:1.2.3.04444", "1.2.3", "1.2.3.4.5", "256.0.0.1", "1.2.3.-4", "+1.2.3.4",
        "1..2.3", "0x1.2.3.4", "::-1", "::+1", "1:-2::", "1 ::", "2001:db8:: 1", "::1/128",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct synack_ip ip;
        memset(&ip, 0x5a, sizeof(ip));
        if (synack_ip_parse(bad[i], &ip) != -EINVAL)
            fail_msg("'%s' was accepted", bad[i]);
        for (int k = 0; k < 16; k++)
            assert_int_equal(ip.b[k], 0x5a);   /* untouched on failure */
    }
    struct synack_ip ip;
    assert_int_equal(synack_ip_parse(NULL, &ip), -EINVAL);
    assert_int_equal(synack_ip_parse("::1", NULL), -EINVAL);
}

/* RFC 5952 4: the one canonical text. */
static void format_rfc5952(void **state)
{
    struct synack_ip ip;
    static const struct {
        const char *in, *out;
    } cases[] = {
        /* 4.1: leading zeros dropped ("0000" is "0") */
        { "2001:0db8::0001", "2001:db8::1" },
        { "2001:db8:0:0:0:0:2:1", "2001:db8::2:1" },
        /* 4.2.1: shortened as much as possible */
        { "2001:db8:0:0:0:0:2:1", "2001:db8::2:1" },
        { "2001:db8::0:1", "2001:db8::1" },
        /* 4.2.2: never for one 16-bit 0 field */
        { "2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1" },
        { "2001:db8::1:1:1:1:1", "2001:db8:0:1:1:1:1:1" },
        /* 4.2.3: the longest run; the first of equal runs */
        { "2001:0:0:1:0:0:0:1", "2001:0:0:1::1" },
        { "2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1" },
        /* 4.3: lowercase */
        { "2001:DB8::AAAA:BBBB", "2001:db8::aaaa:bbbb" },
        /* 2.1's example, written three ways */
        { "2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1" },
        { "2001:0db8:0:0:1:0:0:1", "2001:db8::1:0:0:1" },
        { "2001:db8::1:0:0:1", "2001:db8::1:0:0:1" },
        { "2001:db8::0:1:0:0:1", "2001:db8::1:0:0:1" },
        { "2001:0db8::1:0:0:1", "2001:db8::1:0:0:1" },
        { "2001:db8:0:0:1::1", "2001:db8::1:0:0:1" },
        { "2001:DB8:0:0:1::1", "2001:db8::1:0:0:1" },
        /* the edges */
        { "::", "::" },
        { "::1", "::1" },
        { "1::", "1::" },
        { "1:0:0:0:0:0:0:0", "1::" },
        { "0:0:0:0:0:0:0:1", "::1" },
        { "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8" },
        { "0:2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8" },
        { "1:0:0:4:5:0:0:8", "1::4:5:0:0:8" },
        { "1:0:0:4:0:0:0:8", "1:0:0:4::8" },
        { "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" },
        { "fe80::1:2", "fe80::1:2" },
        { "::13.1.68.3", "::d01:4403" },   /* IPv4-compatible is deprecated: plain hex */
        /* IPv4-mapped: a dotted quad from synack_ip_format */
        { "::ffff:192.0.2.1", "192.0.2.1" },
        { "::FFFF:c000:0201", "192.0.2.1" },
        { "192.0.2.1", "192.0.2.1" },
        { "0.0.0.0", "0.0.0.0" },
        { "255.255.255.255", "255.255.255.255" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (synack_ip_parse(cases[i].in, &ip) != 0)
            fail_msg("'%s' did not parse", cases[i].in);
        format_is(&ip, cases[i].out);
        /* Round trip: the canonical text parses back to the same address and formats the same. */
        struct synack_ip back;
        assert_int_equal(synack_ip_parse(cases[i].out, &back), 0);
        assert_true(synack_ip_equal(&ip, &back));
    }
    /* RFC 5952 5: as IPv6 text, an IPv4-mapped address keeps its dotted quad. */
    char buf[SYNACK_IP_STRLEN];
    ip = synack_ip_from_v4(0xC0000201u);
    assert_int_equal(synack_ip6_format(&ip, buf, sizeof(buf)), 16);
    assert_string_equal(buf, "::ffff:192.0.2.1");
    ip = synack_ip_any4();
    synack_ip6_format(&ip, buf, sizeof(buf));
    assert_string_equal(buf, "::ffff:0.0.0.0");
    assert_int_equal(synack_ip_parse("2001:db8::1", &ip), 0);
    synack_ip6_format(&ip, buf, sizeof(buf));
    assert_string_equal(buf, "2001:db8::1");
}

/* Every address round-trips: formatted text parses back to the same bytes (a sweep over patterns
 * of zero and non-zero groups, which is where "::" placement goes wrong). */
static void round_trip_sweep(void **state)
{
    for (unsigned mask = 0; mask < 256; mask++) {
        for (unsigned v = 0; v < 3; v++) {
            uint16_t g[8];
            for (int i = 0; i < 8; i++)
                g[i] = (mask >> i) & 1 ? (uint16_t)(0x1000 * v + (unsigned)i + 1) : 0;
            struct synack_ip ip = ip6(g), back;
            char buf[SYNACK_IP_STRLEN], buf6[SYNACK_IP_STRLEN];
            int n = synack_ip_format(&ip, buf, sizeof(buf));
            assert_true(n > 0 && n < SYNACK_IP_STRLEN);
            assert_int_equal(synack_ip_parse(buf, &back), 0);
            assert_true(synack_ip_equal(&ip, &back));
            assert_true(synack_ip6_format(&ip, buf6, sizeof(buf6)) > 0);
            assert_int_equal(synack_ip_parse(buf6, &back), 0);
            assert_true(synack_ip_equal(&ip, &back));
            /* No ":::" and at most one "::"; lowercase only. */
            assert_null(strstr(buf, ":::"));
            const char *dc = strstr(buf, "::");
            if (dc)
                assert_null(strstr(dc + 1, "::"));
            for (const char *p = buf; *p; p++)
                assert_false(*p >= 'A' && *p <= 'F');
        }
    }
}

/* The output bound: exactly enough room works, one byte less is -ENOSPC with "" left behind. */
static void format_bounds(void **state)
{
    struct synack_ip ip;
    assert_int_equal(synack_ip_parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", &ip), 0);
    char buf[SYNACK_IP_STRLEN];
    assert_int_equal(synack_ip_format(&ip, buf, sizeof(buf)), 39);
    assert_int_equal(synack_ip_format(&ip, buf, 40), 39);
    memset(buf, 'x', sizeof(buf));
    assert_int_equal(synack_ip_format(&ip, buf, 39), -ENOSPC);
    assert_string_equal(buf, "");
    assert_int_equal(synack_ip_format(&ip, NULL, 0), -ENOSPC);
    assert_int_equal(synack_ip_format(&ip, NULL, 10), -EINVAL);
    assert_int_equal(synack_ip_format(NULL, buf, sizeof(buf)), -EINVAL);
    /* An address that is not mapped is always hex (at most 39 characters) ... */
    ip = synack_ip_from_v4(0xffffffffu);
    for (int i = 0; i < 10; i++)
        ip.b[i] = 0xff;
    assert_int_equal(synack_ip6_format(&ip, buf, sizeof(buf)), 39);
    assert_string_equal(buf, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
    /* ... and a mapped one at most "::ffff:255.255.255.255". */
    ip = synack_ip_from_v4(0xffffffffu);
    assert_int_equal(synack_ip6_format(&ip, buf, sizeof(buf)), 22);
    assert_int_equal(synack_ip6_format(&ip, buf, 22), -ENOSPC);
    assert_int_equal(synack_ip_format(&ip, buf, 16), 15);
    assert_int_equal(synack_ip_format(&ip, buf, 15), -ENOSPC);
    struct synack_sockaddr sa;
    assert_int_equal(synack_sockaddr_parse("[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535", &sa), 0);
    char sb[SYNACK_SOCKADDR_STRLEN];
    assert_int_equal(synack_sockaddr_format(&sa, sb, sizeof(sb)), 47);
    assert_int_equal(synack_sockaddr_format(&sa, sb, 47), -ENOSPC);
    assert_string_equal(sb, "");
    assert_int_equal(synack_sockaddr_format(NULL, sb, sizeof(sb)), -EINVAL);
    /* The old IPv4 formatter still truncates rather than fail (its callers print the result). */
    char small[8];
    synack_addr_format(0xC0000201u, small, sizeof(small));
    assert_string_equal(small, "192.0.2");
}

static void sockaddr_text(void **state)
{
    struct synack_sockaddr sa;
    char buf[SYNACK_SOCKADDR_STRLEN];
    assert_int_equal(synack_sockaddr_parse("192.0.2.1:80", &sa), 0);
    assert_true(synack_ip_is_v4(&sa.addr));
    assert_int_equal(synack_ip_to_v4(&sa.addr), 0xC0000201u);
    assert_int_equal(sa.port, 80);
    assert_int_equal(synack_sockaddr_format(&sa, buf, sizeof(buf)), 12);
    assert_string_equal(buf, "192.0.2.1:80");
    assert_int_equal(synack_sockaddr_parse("[2001:db8::1]:80", &sa), 0);
    assert_false(synack_ip_is_v4(&sa.addr));
    assert_int_equal(sa.port, 80);
    synack_sockaddr_format(&sa, buf, sizeof(buf));
    assert_string_equal(buf, "[2001:db8::1]:80");
    assert_int_equal(synack_sockaddr_parse("[2001:DB8:0:0:0:0:0:1]:65535", &sa), 0);
    synack_sockaddr_format(&sa, buf, sizeof(buf));
    assert_string_equal(buf, "[2001:db8::1]:65535");
    assert_int_equal(synack_sockaddr_parse("[::]:0", &sa), 0);
    assert_true(synack_ip_is_unspecified(&sa.addr));
    synack_sockaddr_format(&sa, buf, sizeof(buf));
    assert_string_equal(buf, "[::]:0");
    /* A mapped address in brackets is the IPv4 address; it is written without them. */
    assert_int_equal(synack_sockaddr_parse("[::ffff:192.0.2.9]:7", &sa), 0);
    assert_int_equal(synack_ip_to_v4(&sa.addr), 0xC0000209u);
    synack_sockaddr_format(&sa, buf, sizeof(buf));
    assert_string_equal(buf, "192.0.2.9:7");
    sa = synack_sockaddr_from_v4(0, 53);
    synack_sockaddr_format(&sa, buf, sizeof(buf));
    assert_string_equal(buf, "0.0.0.0:53");
    static const char *const bad[] = {
        "", "192.0.2.1", "192.0.2.1:", "192.0.2.1:65536", "192.0.2.1:-1", "192.0.2.1:+80", "192.0.2.1:80 ",
        " 192.0.2.1:80", "192.0.2.1:8o", "192.0.2.1:123456", "192.0.2:80", ":80", "2001:db8::1:80", "[2001:db8::1]",
        "[2001:db8::1]:", "[2001:db8::1]80", "[2001:db8::1:80", "2001:db8::1]:80", "[192.0.2.1]:80", "[]:80",
        "[::1]:80:80", "[::1]]:80", "[[::1]]:80", "[::1%lo]:80", "192.0.2.1:80:80",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct synack_sockaddr x = synack_sockaddr_from_v4(0x01020304u, 1234);
        if (synack_sockaddr_parse(bad[i], &x) != -EINVAL)
            fail_msg("'%s' was accepted", bad[i]);
        assert_int_equal(x.port, 1234);   /* untouched */
        assert_int_equal(synack_ip_to_v4(&x.addr), 0x01020304u);
    }
    assert_int_equal(synack_sockaddr_parse(NULL, &sa), -EINVAL);
    /* Round trips through text. */
    static const char *const rt[] = { "10.0.0.1:1", "[::1]:22", "[fe80::1:2:3:4]:8080", "[1:2:3:4:5:6:7:8]:9",
                                      "255.255.255.255:65535" };
    for (size_t i = 0; i < sizeof(rt) / sizeof(rt[0]); i++) {
        assert_int_equal(synack_sockaddr_parse(rt[i], &sa), 0);
        assert_int_equal(synack_sockaddr_format(&sa, buf, sizeof(buf)), (int)strlen(rt[i]));
        assert_string_equal(buf, rt[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(v4_mapped),     cmocka_unit_test(unspecified),      cmocka_unit_test(parse_valid),
        cmocka_unit_test(parse_invalid), cmocka_unit_test(format_rfc5952),   cmocka_unit_test(round_trip_sweep),
        cmocka_unit_test(format_bounds), cmocka_unit_test(sockaddr_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
