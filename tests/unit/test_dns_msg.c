/* Unit tests of the DNS name and message code (apps/dns/name.c, msg.c; RFC 1035 3.1, 4.1, 4.1.4):
 * names from text and back, compression pointers followed and every hostile form refused (loops,
 * forward and self pointers, pointers past the end, label types 0x40/0x80, labels over 63 bytes,
 * names over 255), whole messages parsed with absurd counts, trailing bytes and bad RDATA
 * refused, a query as dig sends it (with EDNS) read, and the builder's compression and its
 * all-or-nothing records. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../apps/dns/msg.h"
#include "../apps/dns/name.h"

static struct dns_name N(const char *text)
{
    struct dns_name n;
    assert_int_equal(dns_name_from_text(text, NULL, &n), 0);
    return n;
}

static void test_name_text(void **state)
{
    struct dns_name n, o;
    char buf[DNS_MAX_TEXT];
    assert_int_equal(dns_name_from_text("www.Example.com", NULL, &n), 0);
    assert_int_equal(n.len, 17);
    assert_memory_equal(n.wire, "\3www\7Example\3com\0", 17);
    assert_int_equal(dns_name_to_text(&n, buf, sizeof(buf)), 15);
    assert_string_equal(buf, "www.Example.com");
    /* trailing dot: absolute, origin ignored; no dot: origin appended */
    o = N("example.com");
    assert_int_equal(dns_name_from_text("www.", &o, &n), 0);
    assert_int_equal(n.len, 5);
    assert_int_equal(dns_name_from_text("www", &o, &n), 0);
    assert_true(dns_name_equal(&n, &(struct dns_name){ 0 }) == 0);
    assert_true(dns_name_equal(&n, &(struct dns_name){ .len = 17, .wire = "\3WWW\7example\3COM" }));
    assert_int_equal(dns_name_from_text(".", NULL, &n), 0);
    assert_int_equal(n.len, 1);
    assert_int_equal(dns_name_to_text(&n, buf, sizeof(buf)), 1);
    assert_string_equal(buf, ".");
    /* escapes (RFC 1035 5.1) both ways */
    assert_int_equal(dns_name_from_text("a\\.b.c\\032d", NULL, &n), 0);
    assert_memory_equal(n.wire, "\3a.b\3c d\0", 9);
    assert_int_equal(dns_name_to_text(&n, buf, sizeof(buf)), 11);
    assert_string_equal(buf, "a\\.b.c\\032d");
    assert_int_equal(dns_name_from_text("a\\2", NULL, &n), -EINVAL);
    assert_int_equal(dns_name_from_text("a\\", NULL, &n), -EINVAL);
    assert_int_equal(dns_name_from_text("a\\256", NULL, &n), -EINVAL);
    /* empty labels */
    assert_int_equal(dns_name_from_text("", NULL, &n), -EINVAL);
    assert_int_equal(dns_name_from_text("a..b", NULL, &n), -EINVAL);
    assert_int_equal(dns_name_from_text(".a", NULL, &n), -EINVAL);
    assert_int_equal(dns_name_from_text("a..", NULL, &n), -EINVAL);
    /* to_text reports a buffer too small */
    n = N("www.example.com");
    assert_int_equal(dns_name_to_text(&n, buf, 15), -ENOSPC);
    assert_int_equal(dns_name_to_text(&n, buf, 16), 15);
}

static void test_name_limits(void **state)
{
    char t[400];
    struct dns_name n;
    memset(t, 'a', 63);
    t[63] = 0;
    assert_int_equal(dns_name_from_text(t, NULL, &n), 0);   /* 63: the largest label */
    memset(t, 'a', 64);
    t[64] = 0;
    assert_int_equal(dns_name_from_text(t, NULL, &n), -ENAMETOOLONG);
    /* 255 bytes of wire form: 3 labels of 63, one of 61 -> 64*3 + 62 + 1 = 255 */
    size_t o = 0;
    for (int i = 0; i < 4; i++) {
        int l = i < 3 ? 63 : 61;
        memset(t + o, 'b', (size_t)l);
        o += (size_t)l;
        t[o++] = '.';
    }
    t[o - 1] = 0;
    assert_int_equal(dns_name_from_text(t, NULL, &n), 0);
    assert_int_equal(n.len, 255);
    t[o - 1] = 'b';   /* one byte more: 256 */
    t[o] = 0;
    assert_int_equal(dns_name_from_text(t, NULL, &n), -ENAMETOOLONG);
    /* relative name + origin over 255 */
    struct dns_name origin = N("cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc.example");
    t[o - 1] = 0;
    assert_int_equal(dns_name_from_text(t, &origin, &n), -ENAMETOOLONG);
}

static void test_name_under(void **state)
{
    struct dns_name a = N("www.Example.com"), z = N("example.COM"), root, other = N("ample.com");
    dns_name_root(&root);
    assert_true(dns_name_under(&a, &z));
    assert_true(dns_name_under(&z, &z));
    assert_true(dns_name_under(&a, &root));
    assert_false(dns_name_under(&z, &a));
    assert_false(dns_name_under(&a, &other));   /* "ample.com" is a suffix of the text, not a zone */
    assert_int_equal(dns_name_labels(&a), 3);
    assert_int_equal(dns_name_labels(&root), 0);
    struct dns_name s;
    dns_name_suffix(&a, 1, &s);
    assert_true(dns_name_equal(&s, &z));
    dns_name_suffix(&a, 9, &s);
    assert_int_equal(s.len, 1);
}

/* A message buffer: header of 12 zero bytes, then whatever a test appends. */
static const uint8_t hdr12[12] = { 0 };

static void test_name_read_pointers(void **state)
{
    struct dns_name n;
    size_t end;
    /* "example.com" at 12, then "www" + pointer to 12 at 25 */
    uint8_t m[64];
    memcpy(m, hdr12, 12);
    memcpy(m + 12, "\7example\3com\0", 13);
    memcpy(m + 25, "\3www\xC0\x0C", 6);
    assert_int_equal(dns_name_read(m, 31, 25, &n, &end), 0);
    assert_int_equal(end, 31);
    assert_true(dns_name_equal(&n, &(struct dns_name){ 0 }) == 0);
    struct dns_name want = N("www.example.com");
    assert_true(dns_name_equal(&n, &want));
    /* a pointer to a pointer, each going further back, is fine */
    memcpy(m + 31, "\xC0\x19", 2);   /* -> 25 */
    assert_int_equal(dns_name_read(m, 33, 31, &n, &end), 0);
    assert_int_equal(end, 33);
    assert_true(dns_name_equal(&n, &want));

    /* a pointer to itself */
    memcpy(m + 12, "\xC0\x0C", 2);
    assert_int_equal(dns_name_read(m, 14, 12, &n, &end), -EBADMSG);
    /* a forward pointer */
    memcpy(m + 12, "\xC0\x0E\0", 3);
    assert_int_equal(dns_name_read(m, 15, 12, &n, &end), -EBADMSG);
    /* two labels looping through a pointer back to their own start: 12: "a" ptr->12 */
    memcpy(m + 12, "\1a\xC0\x0C", 4);
    assert_int_equal(dns_name_read(m, 16, 12, &n, &end), -EBADMSG);
    /* mutual: 12 -> 16 is forward, rejected however it is reached */
    memcpy(m + 12, "\1a\xC0\x10\1b\xC0\x0C", 8);
    assert_int_equal(dns_name_read(m, 20, 16, &n, &end), -EBADMSG);
    /* a pointer past the end (backwards only, so: a name at 12 pointing to 13 is forward anyway);
     * a pointer cut off by the end */
    memcpy(m + 12, "\1a\xC0", 3);
    assert_int_equal(dns_name_read(m, 15, 12, &n, &end), -EBADMSG);
    /* label types 0x40 and 0x80, i.e. lengths 64..191 */
    m[12] = 0x40;
    assert_int_equal(dns_name_read(m, 64, 12, &n, &end), -EBADMSG);
    m[12] = 0x80;
    assert_int_equal(dns_name_read(m, 64, 12, &n, &end), -EBADMSG);
    /* a label running past the end; no root label at the end */
    memcpy(m + 12, "\5ab", 3);
    assert_int_equal(dns_name_read(m, 15, 12, &n, &end), -EBADMSG);
    memcpy(m + 12, "\2ab", 3);
    assert_int_equal(dns_name_read(m, 15, 12, &n, &end), -EBADMSG);
    assert_int_equal(dns_name_read(m, 12, 12, &n, &end), -EBADMSG);   /* offset at the end */
}

/* Over 255 bytes reached through pointers: each piece is legal, the whole is not. */
static void test_name_read_too_long(void **state)
{
    uint8_t m[600];
    memcpy(m, hdr12, 12);
    size_t o = 12;
    /* piece 0: 63-byte label + root */
    m[o] = 63;
    memset(m + o + 1, 'x', 63);
    m[o + 64] = 0;
    size_t prev = o;
    o += 65;
    /* pieces 1..4: 63-byte label + pointer to the previous piece */
    for (int i = 0; i < 4; i++) {
        size_t here = o;
        m[o] = 63;
        memset(m + o + 1, 'y', 63);
        m[o + 64] = (uint8_t)(0xC0 | prev >> 8);
        m[o + 65] = (uint8_t)prev;
        o += 66;
        struct dns_name n;
        int r = dns_name_read(m, o, here, &n, NULL);
        /* 2 pieces: 64*2+1 = 129; 3: 193; 4: 257 > 255 */
        assert_int_equal(r, i + 2 <= 3 ? 0 : -EBADMSG);
        prev = here;
    }
}

static const uint8_t dig_query[] = {
    /* dig @192.0.2.2 www.example.test A: ID 0x1c4e, RD, AD, one question, one OPT (EDNS 1232,
     * with a cookie option) */
    0x1c, 0x4e, 0x01, 0x20, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x03, 'w', 'w', 'w', 0x07, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0x04, 't', 'e', 's', 't', 0x00,
    0x00, 0x01, 0x00, 0x01,
    0x00, 0x00, 0x29, 0x04, 0xd0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x0a, 0x00, 0x08,
    0x4c, 0x9e, 0x1f, 0x6a, 0x5b, 0x20, 0x00, 0x11,
};

static void test_parse_dig_query(void **state)
{
    struct dns_msg m;
    assert_int_equal(dns_msg_parse(dig_query, sizeof(dig_query), &m), 0);
    assert_int_equal(m.h.id, 0x1c4e);
    assert_int_equal(m.h.flags, 0x0120);
    assert_true(m.has_question);
    struct dns_name want = N("www.example.test");
    assert_true(dns_name_equal(&m.q.name, &want));
    assert_int_equal(m.q.type, DNS_T_A);
    assert_int_equal(m.q.cls, DNS_C_IN);
    assert_int_equal(m.total_rr, 1);
    assert_true(m.has_opt);
    assert_int_equal(m.opt_udp_size, 1232);
    assert_int_equal(m.opt_version, 0);
    /* every strict prefix is malformed */
    for (size_t l = 0; l < sizeof(dig_query); l++)
        assert_int_equal(dns_msg_parse(dig_query, l, &m), -EBADMSG);
    /* a trailing byte too */
    uint8_t longer[sizeof(dig_query) + 1];
    memcpy(longer, dig_query, sizeof(dig_query));
    longer[sizeof(dig_query)] = 0;
    assert_int_equal(dns_msg_parse(longer, sizeof(longer), &m), -EBADMSG);
}

/* Builds a response by hand: question www.example.test A, then records given as raw bytes. */
static size_t raw_response(uint8_t *m, uint16_t qd, uint16_t an, uint16_t ns, uint16_t ar, const void *body,
                           size_t blen)
{
    uint8_t h[12] = { 0x12, 0x34, 0x81, 0x80, (uint8_t)(qd >> 8), (uint8_t)qd, (uint8_t)(an >> 8), (uint8_t)an,
                      (uint8_t)(ns >> 8), (uint8_t)ns, (uint8_t)(ar >> 8), (uint8_t)ar };
    memcpy(m, h, 12);
    memcpy(m + 12, "\3www\7example\4test\0\0\1\0\1", 22);
    memcpy(m + 34, body, blen);
    return 34 + blen;
}

static void test_parse_records(void **state)
{
    uint8_t m[512];
    struct dns_msg msg;
    /* CNAME www -> web (compressed: "web" + pointer to "example.test" at 16), then A for web */
    static const uint8_t ok[] = {
        0xC0, 0x0C, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x06, 3, 'w', 'e', 'b', 0xC0, 0x10,
        0xC0, 0x2E, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x04, 192, 0, 2, 77,
    };
    size_t len = raw_response(m, 1, 2, 0, 0, ok, sizeof(ok));
    assert_int_equal(dns_msg_parse(m, len, &msg), 0);
    assert_int_equal(msg.nrr, 2);
    assert_int_equal(msg.rr[0].type, DNS_T_CNAME);
    struct dns_name t, want = N("web.example.test");
    assert_int_equal(dns_rr_rdata_name(&msg, &msg.rr[0], &t), 0);
    assert_true(dns_name_equal(&t, &want));
    assert_true(dns_name_equal(&msg.rr[1].name, &want));
    assert_int_equal(dns_rr_a(&msg, &msg.rr[1]), 0xC000024Du);
    assert_int_equal(msg.rr[1].ttl, 3600);

    /* absurd counts: 65535 answers in a few bytes */
    len = raw_response(m, 1, 0xffff, 0, 0, ok, sizeof(ok));
    assert_int_equal(dns_msg_parse(m, len, &msg), -EBADMSG);
    len = raw_response(m, 1, 0, 0xffff, 0xffff, ok, sizeof(ok));
    assert_int_equal(dns_msg_parse(m, len, &msg), -EBADMSG);
    /* two questions */
    len = raw_response(m, 2, 2, 0, 0, ok, sizeof(ok));
    assert_int_equal(dns_msg_parse(m, len, &msg), -EBADMSG);
    /* fewer records than the count says */
    len = raw_response(m, 1, 3, 0, 0, ok, sizeof(ok));
    assert_int_equal(dns_msg_parse(m, len, &msg), -EBADMSG);

    /* an A record with RDLENGTH 5 */
    uint8_t bad[sizeof(ok) + 1];
    memcpy(bad, ok, sizeof(ok));
    bad[29] = 5;
    bad[sizeof(ok)] = 1;
    len = raw_response(m, 1, 2, 0, 0, bad, sizeof(bad));
    assert_int_equal(dns_msg_parse(m, len, &msg), -EBADMSG);
    /* a CNAME whose name runs past its RDLENGTH */
    memcpy(bad, ok, sizeof(ok));
    bad[11] = 5;
    len = raw_response(m, 1, 2, 0, 0, bad, sizeof(ok));
    assert_int_equal(dns_msg_parse(m, len, &msg), -EBADMSG);
    /* RDLENGTH past the end of the message */
    memcpy(bad, ok, sizeof(ok));
    bad[29] = 200;
    len = raw_response(m, 1, 2, 0, 0, bad, sizeof(ok));
    assert_int_equal(dns_msg_parse(m, len, &msg), -EBADMSG);
    /* OPT in the answer section, and two OPTs in additional */
    static const uint8_t opt[] = { 0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 0 };
    len = raw_response(m, 1, 1, 0, 0, opt, sizeof(opt));
    assert_int_equal(dns_msg_parse(m, len, &msg), -EBADMSG);
    len = raw_response(m, 1, 0, 0, 1, opt, sizeof(opt));
    assert_int_equal(dns_msg_parse(m, len, &msg), 0);
    assert_true(msg.has_opt);
    uint8_t two[22];
    memcpy(two, opt, 11);
    memcpy(two + 11, opt, 11);
    len = raw_response(m, 1, 0, 0, 2, two, sizeof(two));
    assert_int_equal(dns_msg_parse(m, len, &msg), -EBADMSG);
    /* a compression pointer in the question that loops */
    len = raw_response(m, 1, 0, 0, 0, "", 0);
    m[12] = 0xC0;
    m[13] = 0x0C;
    assert_int_equal(dns_msg_parse(m, len, &msg), -EBADMSG);
}

static void test_builder(void **state)
{
    uint8_t buf[512];
    struct dns_builder b;
    struct dns_header h = { .id = 0xbeef, .flags = DNS_F_QR | DNS_F_AA };
    assert_int_equal(dns_build_init(&b, buf, sizeof(buf), &h), 0);
    struct dns_name www = N("www.example.test"), web = N("web.Example.test"), zone = N("example.test");
    assert_int_equal(dns_build_question(&b, &www, DNS_T_A, DNS_C_IN), 0);
    assert_int_equal(dns_build_name_rr(&b, DNS_S_ANSWER, &www, DNS_T_CNAME, 60, &web), 0);
    assert_int_equal(dns_build_a(&b, DNS_S_ANSWER, &web, 60, 0xC000024D), 0);
    struct dns_soa soa = { N("ns.example.test"), N("hostmaster.example.test"), 7, 3600, 600, 86400, 300 };
    assert_int_equal(dns_build_soa(&b, DNS_S_AUTHORITY, &zone, 300, &soa), 0);
    assert_int_equal(dns_build_opt(&b, 1232, 0), 0);
    size_t len = dns_build_finish(&b);
    /* compression: the CNAME's owner is one pointer, its target "web" + pointer, the A owner a
     * pointer to that target, the SOA owner a pointer */
    assert_memory_equal(buf + 34, "\xC0\x0C\x00\x05", 4);
    assert_memory_equal(buf + 46, "\3web\xC0\x10", 6);
    assert_memory_equal(buf + 52, "\xC0\x2E\x00\x01", 4);
    struct dns_msg m;
    assert_int_equal(dns_msg_parse(buf, len, &m), 0);
    assert_int_equal(m.h.id, 0xbeef);
    assert_int_equal(m.h.ancount, 2);
    assert_int_equal(m.h.nscount, 1);
    assert_int_equal(m.h.arcount, 1);
    assert_true(m.has_opt);
    struct dns_name t;
    assert_int_equal(dns_rr_rdata_name(&m, &m.rr[0], &t), 0);
    assert_true(dns_name_equal(&t, &web));
    assert_int_equal(dns_rr_rdata_name(&m, &m.rr[2], &t), 0);
    assert_true(dns_name_equal(&t, &soa.mname));
    assert_int_equal(m.rr[2].rdlen, 3 + 2 + 11 + 2 + 20);   /* "ns"+ptr, "hostmaster"+ptr, 5 numbers */

    /* all or nothing: a record that does not fit leaves the message as it was */
    assert_int_equal(dns_build_init(&b, buf, 60, &h), 0);
    assert_int_equal(dns_build_question(&b, &www, DNS_T_A, DNS_C_IN), 0);
    assert_int_equal(dns_build_a(&b, DNS_S_ANSWER, &www, 60, 1), 0);        /* 34 + 16 = 50 */
    assert_int_equal(dns_build_soa(&b, DNS_S_ANSWER, &zone, 60, &soa), -EMSGSIZE);
    assert_int_equal(b.len, 50);
    assert_int_equal(dns_build_name_rr(&b, DNS_S_ANSWER, &web, DNS_T_CNAME, 60, &www), -EMSGSIZE);
    assert_int_equal(b.len, 50);
    len = dns_build_finish(&b);
    assert_int_equal(dns_msg_parse(buf, len, &m), 0);
    assert_int_equal(m.h.ancount, 1);
    /* a header alone needs 12 bytes */
    assert_int_equal(dns_build_init(&b, buf, 11, &h), -EMSGSIZE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_name_text),
        cmocka_unit_test(test_name_limits),
        cmocka_unit_test(test_name_under),
        cmocka_unit_test(test_name_read_pointers),
        cmocka_unit_test(test_name_read_too_long),
        cmocka_unit_test(test_parse_dig_query),
        cmocka_unit_test(test_parse_records),
        cmocka_unit_test(test_builder),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
