/* Unit tests of the zone-file parser (apps/dns/zone.c, RFC 1035 5, RFC 2308 4) and of the
 * authoritative answers built from a zone (apps/dns/respond.c, RFC 1034 4.3.2, RFC 2308, RFC 6891):
 * $ORIGIN/$TTL/@/relative names/blank owners/parentheses/comments, each refusal with its line, and
 * answers for A, CNAME chains, NXDOMAIN and NODATA with the SOA, REFUSED outside the zone,
 * referrals with glue, NOTIMP/FORMERR/BADVERS, EDNS sizes, TC, and no answer at all to responses
 * and malformed queries. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../apps/dns/msg.h"
#include "../apps/dns/respond.h"
#include "../apps/dns/zone.h"

static const char zone_text[] =
    "; a test zone\n"
    "$ORIGIN example.test.\n"
    "$TTL 1h\n"
    "@   IN SOA ns hostmaster.example.test. (\n"
    "        2024010101 ; serial\n"
    "        3600 600 1w\n"
    "        300 )      ; minimum\n"
    "    IN NS  ns\n"
    "ns      A  192.0.2.2\n"
    "www 60  IN A 192.0.2.77\n"
    "        A  192.0.2.78   ; blank owner: www again\n"
    "web     CNAME www\n"
    "alias   IN 120 CNAME web.example.test.\n"
    "out     CNAME www.elsewhere.example.\n"
    "a.b.c   A  192.0.2.9     ; b.c.example.test exists as an empty non-terminal\n"
    "loop1   CNAME loop2\n"
    "loop2   CNAME loop1\n"
    "sub     NS ns.sub\n"
    "ns.sub  A  192.0.2.53\n"
    "Mixed.Case A 192.0.2.10\n"
    "dangling CNAME gone\n";

static struct dns_zone *load(const char *text, char *err, size_t errcap)
{
    struct dns_zone *z = NULL;
    int r = dns_zone_parse(text, strlen(text), &z, err, errcap);
    if (r != 0)
        assert_null(z);
    return z;
}

static struct dns_name N(const char *t)
{
    struct dns_name n;
    assert_int_equal(dns_name_from_text(t, NULL, &n), 0);
    return n;
}

static void test_zone_parse(void **state)
{
    char err[256] = "";
    struct dns_zone *z = load(zone_text, err, sizeof(err));
    if (!z)
        fail_msg("%s", err);
    struct dns_name apex = N("example.test");
    assert_true(dns_name_equal(&z->origin, &apex));
    assert_int_equal(z->n, 15);
    const struct dns_zrr *soa = z->soa;
    assert_non_null(soa);
    assert_int_equal(soa->ttl, 3600);
    assert_int_equal(soa->d.soa.serial, 2024010101u);
    assert_int_equal(soa->d.soa.expire, 604800);
    assert_int_equal(soa->d.soa.minimum, 300);
    struct dns_name ns = N("ns.example.test"), hm = N("hostmaster.example.test");
    assert_true(dns_name_equal(&soa->d.soa.mname, &ns));
    assert_true(dns_name_equal(&soa->d.soa.rname, &hm));
    /* NS has the blank owner: the SOA's */
    assert_int_equal(z->rr[1].type, DNS_T_NS);
    assert_true(dns_name_equal(&z->rr[1].owner, &apex));
    /* www: explicit TTL 60; the blank-owner line after it takes $TTL (RFC 2308 4) */
    struct dns_name www = N("www.example.test");
    assert_true(dns_name_equal(&z->rr[3].owner, &www));
    assert_int_equal(z->rr[3].ttl, 60);
    assert_int_equal(z->rr[3].d.a, 0xC000024Du);
    assert_true(dns_name_equal(&z->rr[4].owner, &www));
    assert_int_equal(z->rr[4].ttl, 3600);
    /* class and TTL in the other order */
    assert_int_equal(z->rr[6].ttl, 120);
    assert_int_equal(z->rr[6].type, DNS_T_CNAME);
    struct dns_name bc = N("b.c.example.test"), nope = N("d.example.test");
    assert_true(dns_zone_name_exists(z, &bc));
    assert_false(dns_zone_name_exists(z, &nope));
    dns_zone_free(z);
}

/* Each broken zone fails, and says where and why. */
static void test_zone_errors(void **state)
{
    static const struct {
        const char *text, *want;
    } cases[] = {
        { "$TTL 60\nwww A 192.0.2.1\n", "relative name 'www' with no $ORIGIN" },
        { "$ORIGIN t.\n$TTL 60\n@ SOA a b 1 2 3 4 5\nwww MX 10 mail\n", "line 4: unsupported type 'MX'" },
        { "$ORIGIN t.\n@ SOA a b 1 2 3 4 5\n", "line 2: no TTL" },
        { "$ORIGIN t.\n$TTL 60\n@ SOA a b 1 2 3 4 5\nwww A 192.0.2\n", "line 4: A takes one IPv4 address" },
        { "$ORIGIN t.\n$TTL 60\n@ SOA a b 1 2 3 4 5\nwww A 1.2.3.4 5.6.7.8\n", "line 4: A takes one" },
        { "$ORIGIN t.\n$TTL 60\nwww A 1.2.3.4\n", "no SOA record" },
        { "$ORIGIN t.\n$TTL 60\n@ SOA a b 1 2 3 4 5\n@ SOA a b 1 2 3 4 5\n", "line 4: a second SOA" },
        { "$ORIGIN t.\n$TTL 60\n@ SOA a b 1 2 3 4 5\nwww.u. A 1.2.3.4\n", "line 4: 'www.u' is outside the zone" },
        { "$ORIGIN t.\n$TTL 60\n@ SOA a b 1 2 3 4 5\nw CNAME x\nw A 1.2.3.4\n", "line 4: 'w.t' has a CNAME and other data" },
        { "$ORIGIN t.\n$TTL 60\n@ SOA a b ( 1 2 3 4 5\n", "'(' without ')'" },
        { "$ORIGIN t.\n$TTL 60\n@ SOA a b 1 2 3 4 5 )\n", "line 3: ')' without '('" },
        { "$ORIGIN t.\n$TTL 60\n@ SOA a b 1 2 3 4\n", "line 3: SOA takes" },
        { "$ORIGIN t.\n$TTL 99999999999\n", "line 2: $TTL takes" },
        { "$ORIGIN t.\n$INCLUDE other\n", "line 2: $INCLUDE is not supported" },
        { "$ORIGIN t.\n$TTL 60\n@ CH SOA a b 1 2 3 4 5\n", "line 3: class CH" },
        { " A 1.2.3.4\n", "line 1: a record with no owner" },
        { "$ORIGIN t.\n$TTL 60\n@ SOA a b 1 2 3 4 5\nwww TXT \"hi\"\n", "line 4: quoted strings" },
        { "$ORIGIN t.\n$TTL 60\n@ SOA a b 1 2 3 4 5\naaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa A 1.2.3.4\n",
          "line 4: name 'aaaa" },
        { "$ORIGIN t.\n$TTL 60\n@ SOA a b 1 2 3 4 5\nw..x A 1.2.3.4\n", "line 4: bad name 'w..x'" },
        { "$ORIGIN t.\n$TTL 60\n@ SOA a b 1 2 3 4 5\n@ NS\n", "line 4: NS takes one name" },
        { "$ORIGIN t.\n$BOGUS 1\n", "line 2: unknown directive '$BOGUS'" },
        { "@ SOA a. b. 1 2 3 4 5\n", "line 1: '@' used with no $ORIGIN" },
        { "$ORIGIN t.\n$TTL 60\n@ SOA a b 1 2 3 4 5\nx 1x A 1.2.3.4\n", "line 4: bad TTL '1x'" },
        { "$ORIGIN t.\n$TTL 60\n@ SOA a b 99999999999 2 3 4 5\n", "line 3: bad SOA serial" },
        { "", "no SOA record" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char err[256] = "";
        struct dns_zone *z = load(cases[i].text, err, sizeof(err));
        if (z || !strstr(err, cases[i].want))
            fail_msg("case %zu: expected an error with '%s', got '%s'", i, cases[i].want, z ? "(parsed)" : err);
    }
    /* a NUL inside the text */
    char err[256];
    struct dns_zone *z = NULL;
    assert_int_equal(dns_zone_parse("$ORIGIN t.\n\0", 12, &z, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "line 2: NUL byte"));
    /* the file loader names the file */
    assert_true(dns_zone_load("/nonexistent/zone", &z, err, sizeof(err)) < 0);
    assert_non_null(strstr(err, "/nonexistent/zone: "));
}

/* ---- answers ---- */

static size_t query(uint8_t *buf, uint16_t id, const char *name, uint16_t type, uint16_t flags, int edns,
                    uint16_t udp_size, uint8_t version)
{
    struct dns_builder b;
    struct dns_header h = { .id = id, .flags = flags };
    assert_int_equal(dns_build_init(&b, buf, 512, &h), 0);
    struct dns_name n = N(name);
    assert_int_equal(dns_build_question(&b, &n, type, DNS_C_IN), 0);
    if (edns) {
        assert_int_equal(dns_build_opt(&b, udp_size, 0), 0);
        /* the version is the TTL's second byte: patch it */
        if (version)
            buf[b.len - 5] = version;
    }
    return dns_build_finish(&b);
}

struct answer {
    int len;
    struct dns_respond_info info;
    struct dns_msg m;
    uint8_t buf[2048];
};

static void ask(const struct dns_zone *z, struct answer *a, const char *name, uint16_t type, int edns,
                uint16_t udp_size)
{
    uint8_t q[512];
    size_t ql = query(q, 0x4242, name, type, DNS_F_RD, edns, udp_size, 0);
    a->len = dns_respond(z, q, ql, a->buf, sizeof(a->buf), &a->info);
    assert_true(a->len > 0);
    assert_int_equal(dns_msg_parse(a->buf, (size_t)a->len, &a->m), 0);
    assert_int_equal(a->m.h.id, 0x4242);
    assert_true(a->m.h.flags & DNS_F_QR);
    assert_true(a->m.h.flags & DNS_F_RD);      /* RFC 1035 4.1.1: copied */
    assert_false(a->m.h.flags & DNS_F_RA);     /* not recursive */
    struct dns_name qn = N(name);
    assert_true(dns_name_equal(&a->m.q.name, &qn));
}

static int rcode(const struct answer *a) { return a->m.h.flags & DNS_F_RCODE_MASK; }

static void test_respond(void **state)
{
    char err[256];
    struct dns_zone *z = load(zone_text, err, sizeof(err));
    assert_non_null(z);
    struct answer *a = calloc(1, sizeof(*a));

    /* A, two records, authoritative */
    ask(z, a, "WWW.example.test", DNS_T_A, 0, 0);
    assert_int_equal(rcode(a), DNS_R_NOERROR);
    assert_true(a->m.h.flags & DNS_F_AA);
    assert_int_equal(a->m.h.ancount, 2);
    assert_int_equal(dns_rr_a(&a->m, &a->m.rr[0]), 0xC000024Du);
    assert_int_equal(a->m.rr[0].ttl, 60);
    assert_int_equal(dns_rr_a(&a->m, &a->m.rr[1]), 0xC000024Eu);
    assert_false(a->m.has_opt);

    /* CNAME chain in the zone: alias -> web -> www, then the A records */
    ask(z, a, "alias.example.test", DNS_T_A, 0, 0);
    assert_int_equal(rcode(a), DNS_R_NOERROR);
    assert_int_equal(a->m.h.ancount, 4);
    assert_int_equal(a->m.rr[0].type, DNS_T_CNAME);
    assert_int_equal(a->m.rr[1].type, DNS_T_CNAME);
    assert_int_equal(a->m.rr[2].type, DNS_T_A);
    /* asked for the CNAME itself: not followed */
    ask(z, a, "web.example.test", DNS_T_CNAME, 0, 0);
    assert_int_equal(a->m.h.ancount, 1);
    /* a CNAME out of the zone: the CNAME only, the resolver goes on */
    ask(z, a, "out.example.test", DNS_T_A, 0, 0);
    assert_int_equal(rcode(a), DNS_R_NOERROR);
    assert_int_equal(a->m.h.ancount, 1);
    assert_int_equal(a->m.h.nscount, 0);
    /* a CNAME loop stops at DNS_CNAME_MAX links */
    ask(z, a, "loop1.example.test", DNS_T_A, 0, 0);
    assert_int_equal(a->m.h.ancount, DNS_CNAME_MAX);

    /* NXDOMAIN with the SOA, TTL = min(SOA TTL 3600, MINIMUM 300) (RFC 2308 3) */
    ask(z, a, "nope.example.test", DNS_T_A, 0, 0);
    assert_int_equal(rcode(a), DNS_R_NXDOMAIN);
    assert_true(a->m.h.flags & DNS_F_AA);
    assert_int_equal(a->m.h.ancount, 0);
    assert_int_equal(a->m.h.nscount, 1);
    assert_int_equal(a->m.rr[0].type, DNS_T_SOA);
    assert_int_equal(a->m.rr[0].ttl, 300);
    assert_int_equal(a->info.rcode, DNS_R_NXDOMAIN);
    /* NODATA: the name exists (also as an empty non-terminal), the type does not */
    ask(z, a, "www.example.test", DNS_T_NS, 0, 0);
    assert_int_equal(rcode(a), DNS_R_NOERROR);
    assert_int_equal(a->m.h.ancount, 0);
    assert_int_equal(a->m.rr[0].type, DNS_T_SOA);
    ask(z, a, "b.c.example.test", DNS_T_A, 0, 0);
    assert_int_equal(rcode(a), DNS_R_NOERROR);
    assert_int_equal(a->m.h.ancount, 0);
    assert_int_equal(a->m.h.nscount, 1);
    /* a CNAME to a name that does not exist: NXDOMAIN speaks for the end (RFC 6604) */
    ask(z, a, "dangling.example.test", DNS_T_A, 0, 0);
    assert_int_equal(rcode(a), DNS_R_NXDOMAIN);
    assert_int_equal(a->m.h.ancount, 1);
    assert_int_equal(a->m.rr[0].type, DNS_T_CNAME);
    assert_int_equal(a->m.rr[1].type, DNS_T_SOA);
    /* ANY at the apex: SOA and NS */
    ask(z, a, "example.test", DNS_T_ANY, 0, 0);
    assert_int_equal(a->m.h.ancount, 2);
    /* case kept from the zone, matched without it */
    ask(z, a, "mixed.case.example.test", DNS_T_A, 0, 0);
    assert_int_equal(a->m.h.ancount, 1);

    /* outside the zone: REFUSED, not authoritative */
    ask(z, a, "www.example.com", DNS_T_A, 0, 0);
    assert_int_equal(rcode(a), DNS_R_REFUSED);
    assert_false(a->m.h.flags & DNS_F_AA);
    ask(z, a, "test", DNS_T_A, 0, 0);
    assert_int_equal(rcode(a), DNS_R_REFUSED);
    /* zone transfers need TCP */
    ask(z, a, "example.test", 252, 0, 0);
    assert_int_equal(rcode(a), DNS_R_REFUSED);

    /* below a delegation: a referral with glue, not authoritative */
    ask(z, a, "host.sub.example.test", DNS_T_A, 0, 0);
    assert_int_equal(rcode(a), DNS_R_NOERROR);
    assert_false(a->m.h.flags & DNS_F_AA);
    assert_int_equal(a->m.h.ancount, 0);
    assert_int_equal(a->m.h.nscount, 1);
    assert_int_equal(a->m.h.arcount, 1);
    assert_int_equal(dns_rr_a(&a->m, &a->m.rr[1]), 0xC0000235u);
    assert_true(a->info.referral);

    /* EDNS: our OPT comes back */
    ask(z, a, "www.example.test", DNS_T_A, 1, 4096);
    assert_true(a->m.has_opt);
    assert_int_equal(a->m.opt_udp_size, DNS_EDNS_SIZE);
    free(a);
    dns_zone_free(z);
}

static void test_respond_odd_queries(void **state)
{
    char err[256];
    struct dns_zone *z = load(zone_text, err, sizeof(err));
    assert_non_null(z);
    uint8_t q[512], out[2048];
    struct dns_respond_info info;
    struct dns_msg m;
    size_t ql;
    int n;

    /* a response is never answered; nor is less than a header */
    ql = query(q, 1, "www.example.test", DNS_T_A, DNS_F_QR, 0, 0, 0);
    assert_int_equal(dns_respond(z, q, ql, out, sizeof(out), &info), -EBADMSG);
    ql = query(q, 1, "www.example.test", DNS_T_A, 0, 0, 0, 0);
    assert_int_equal(dns_respond(z, q, 5, out, sizeof(out), &info), -EBADMSG);
    /* a malformed query: FORMERR, the header alone, same ID (RFC 1035 4.1.1) */
    n = dns_respond(z, q, ql - 1, out, sizeof(out), &info);
    assert_int_equal(n, DNS_HDR_LEN);
    assert_int_equal(dns_msg_parse(out, (size_t)n, &m), 0);
    assert_int_equal(m.h.id, 1);
    assert_true(m.h.flags & DNS_F_QR);
    assert_int_equal(m.h.flags & DNS_F_RCODE_MASK, DNS_R_FORMERR);
    assert_int_equal(info.rcode, DNS_R_FORMERR);

    /* opcode STATUS (2): NOTIMP, question echoed */
    ql = query(q, 2, "www.example.test", DNS_T_A, 2u << 11, 0, 0, 0);
    n = dns_respond(z, q, ql, out, sizeof(out), &info);
    assert_true(n > 0);
    assert_int_equal(dns_msg_parse(out, (size_t)n, &m), 0);
    assert_int_equal(m.h.flags & DNS_F_RCODE_MASK, DNS_R_NOTIMP);
    assert_int_equal(DNS_OPCODE(m.h.flags), 2);
    assert_true(m.has_question);

    /* no question: FORMERR */
    struct dns_builder b;
    struct dns_header h = { .id = 3 };
    dns_build_init(&b, q, sizeof(q), &h);
    ql = dns_build_finish(&b);
    n = dns_respond(z, q, ql, out, sizeof(out), &info);
    assert_true(n > 0);
    assert_int_equal(dns_msg_parse(out, (size_t)n, &m), 0);
    assert_int_equal(m.h.flags & DNS_F_RCODE_MASK, DNS_R_FORMERR);

    /* EDNS version 1: BADVERS = extended RCODE 1 in our OPT, header RCODE 0 (RFC 6891 6.1.3) */
    ql = query(q, 4, "www.example.test", DNS_T_A, 0, 1, 1232, 1);
    n = dns_respond(z, q, ql, out, sizeof(out), &info);
    assert_true(n > 0);
    assert_int_equal(dns_msg_parse(out, (size_t)n, &m), 0);
    assert_int_equal(m.h.flags & DNS_F_RCODE_MASK, 0);
    assert_true(m.has_opt);
    assert_int_equal(m.rr[m.nrr - 1].ttl >> 24, 1);
    assert_int_equal(info.rcode, DNS_R_BADVERS);
    assert_int_equal(m.h.ancount, 0);
    dns_zone_free(z);
}

static void test_respond_flags(void **state)
{
    char err[256];
    struct dns_zone *z = load(zone_text, err, sizeof(err));
    assert_non_null(z);
    uint8_t q[512], out[2048];
    struct dns_respond_info info;
    struct dns_msg m;
    size_t ql;
    int n;

    /* Flags: CD is copied (RFC 4035 3.1.6), AD and Z are not; the OPT's DO bit is (RFC 3225 3), its
     * Z bits are not (RFC 6891 6.1.4). */
    ql = query(q, 5, "www.example.test", DNS_T_A, DNS_F_CD | 0x0020u | 0x0040u, 1, 1232, 0);
    q[ql - 4] = 0xC0;   /* the OPT's flags: DO and the first Z bit */
    n = dns_respond(z, q, ql, out, sizeof(out), &info);
    assert_true(n > 0);
    assert_int_equal(dns_msg_parse(out, (size_t)n, &m), 0);
    assert_int_equal(m.h.flags & (DNS_F_CD | 0x0020u | 0x0040u), DNS_F_CD);
    assert_true(m.has_opt);
    assert_int_equal(m.opt_flags, DNS_EDNS_DO);
    assert_true(m.h.ancount > 0);
    ql = query(q, 6, "www.example.test", DNS_T_A, 0, 1, 1232, 0);
    n = dns_respond(z, q, ql, out, sizeof(out), &info);
    assert_int_equal(dns_msg_parse(out, (size_t)n, &m), 0);
    assert_int_equal(m.opt_flags, 0);
    assert_false(m.h.flags & DNS_F_CD);
    dns_zone_free(z);
}

static void test_respond_opt_options(void **state)
{
    char err[256];
    struct dns_zone *z = load(zone_text, err, sizeof(err));
    assert_non_null(z);
    uint8_t q[512], out[2048];
    struct dns_respond_info info;
    struct dns_msg m;
    size_t ql;
    int n;

    /* OPT options (RFC 6891 6.1.2): a whole one (a client cookie, RFC 7873 4.1) is ignored; one
     * that runs past the RDATA is a FORMERR */
    ql = query(q, 7, "www.example.test", DNS_T_A, 0, 1, 1232, 0);
    static const uint8_t cookie[12] = { 0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8 };
    memcpy(q + ql, cookie, sizeof(cookie));
    q[ql - 1] = sizeof(cookie);
    n = dns_respond(z, q, ql + sizeof(cookie), out, sizeof(out), &info);
    assert_true(n > 0);
    assert_int_equal(dns_msg_parse(out, (size_t)n, &m), 0);
    assert_int_equal(m.h.flags & DNS_F_RCODE_MASK, DNS_R_NOERROR);
    assert_true(m.has_opt && m.h.ancount > 0);
    q[ql - 1] = 4;   /* the option's header alone, announcing 8 bytes */
    n = dns_respond(z, q, ql + 4, out, sizeof(out), &info);
    assert_true(n > 0);
    assert_int_equal(dns_msg_parse(out, (size_t)n, &m), 0);
    assert_int_equal(m.h.id, 7);
    assert_int_equal(m.h.flags & DNS_F_RCODE_MASK, DNS_R_FORMERR);
    /* the FORMERR repeats the question it could read, and has our OPT (RFC 6891 6.1.1) */
    assert_true(m.has_question);
    struct dns_name www = N("www.example.test");
    assert_true(dns_name_equal(&m.q.name, &www));
    assert_true(m.has_opt);
    assert_int_equal(m.opt_version, 0);
    q[ql - 1] = 6;   /* two stray bytes after a whole option */
    memcpy(q + ql, "\0\12\0\0\1\2", 6);
    assert_true(dns_respond(z, q, ql + 6, out, sizeof(out), &info) > 0);
    assert_int_equal(info.rcode, DNS_R_FORMERR);
    /* two OPTs (RFC 6891 6.1.1): FORMERR, with one OPT of ours, DO copied from the first */
    ql = query(q, 9, "www.example.test", DNS_T_A, 0, 1, 1232, 0);
    q[ql - 4] = 0x80;   /* DO */
    memcpy(q + ql, q + ql - 11, 11);
    q[11] = 2;   /* ARCOUNT */
    n = dns_respond(z, q, ql + 11, out, sizeof(out), &info);
    assert_true(n > 0);
    assert_int_equal(dns_msg_parse(out, (size_t)n, &m), 0);
    assert_int_equal(m.h.flags & DNS_F_RCODE_MASK, DNS_R_FORMERR);
    assert_true(m.has_question && m.has_opt);
    assert_int_equal(m.h.arcount, 1);
    assert_int_equal(m.opt_flags, DNS_EDNS_DO);
    dns_zone_free(z);
}

/* The apex's NS set in answer brings its servers' addresses in the additional section (RFC 1034
 * 4.3.2 step 6, RFC 1035 3.3.11). */
static void test_respond_ns_additional(void **state)
{
    char err[256];
    struct dns_zone *z = load(zone_text, err, sizeof(err));
    assert_non_null(z);
    struct answer *a = calloc(1, sizeof(*a));
    ask(z, a, "example.test", DNS_T_NS, 0, 0);
    assert_int_equal(rcode(a), DNS_R_NOERROR);
    assert_true(a->m.h.flags & DNS_F_AA);
    assert_int_equal(a->m.h.ancount, 1);
    assert_int_equal(a->m.h.arcount, 1);
    const struct dns_rr *glue = &a->m.rr[1];
    struct dns_name ns = N("ns.example.test");
    assert_int_equal(glue->section, DNS_S_ADDITIONAL);
    assert_int_equal(glue->type, DNS_T_A);
    assert_true(dns_name_equal(&glue->name, &ns));
    assert_int_equal(dns_rr_a(&a->m, glue), 0xC0000202u);
    /* with EDNS our OPT comes after it */
    ask(z, a, "example.test", DNS_T_NS, 1, 1232);
    assert_int_equal(a->m.h.arcount, 2);
    assert_int_equal(a->m.rr[1].type, DNS_T_A);
    assert_int_equal(a->m.rr[2].type, DNS_T_OPT);
    /* the question and the answer's owner keep the query's case, byte for byte (resolvers that
     * randomise it compare it, draft-vixie-dnsext-dns0x20) */
    ask(z, a, "wWw.ExAmPlE.tEsT", DNS_T_A, 0, 0);
    struct dns_name asked = N("wWw.ExAmPlE.tEsT");
    assert_int_equal(a->m.q.name.len, asked.len);
    assert_memory_equal(a->m.q.name.wire, asked.wire, asked.len);
    assert_memory_equal(a->m.rr[0].name.wire, asked.wire, asked.len);
    free(a);
    dns_zone_free(z);
}

/* Wildcards (RFC 1034 4.3.3, RFC 4592): a name that does not exist is answered from "*" under its
 * closest encloser, the records given the name asked; the type missing there is NODATA; a name
 * whose closest encloser has no wildcard, or an empty non-terminal, is not covered. */
static void test_respond_wildcard(void **state)
{
    static const char text[] = "$ORIGIN example.\n$TTL 60\n@ SOA ns hostmaster 1 2 3 4 5\n@ NS ns\n"
                               "ns A 192.0.2.2\n* A 192.0.2.100\nhost1 A 192.0.2.1\n"
                               "a._tcp.host1 A 192.0.2.7\n*.c CNAME host1\n";
    char err[256];
    struct dns_zone *z = load(text, err, sizeof(err));
    if (!z)
        fail_msg("%s", err);
    struct answer *a = calloc(1, sizeof(*a));
    ask(z, a, "Host3.example", DNS_T_A, 0, 0);
    assert_int_equal(rcode(a), DNS_R_NOERROR);
    assert_true(a->m.h.flags & DNS_F_AA);
    assert_int_equal(a->m.h.ancount, 1);
    struct dns_name asked = N("Host3.example");
    assert_memory_equal(a->m.rr[0].name.wire, asked.wire, asked.len);   /* the QNAME, not "*" */
    assert_int_equal(dns_rr_a(&a->m, &a->m.rr[0]), 0xC0000264u);
    ask(z, a, "deep.er.example", DNS_T_A, 0, 0);
    assert_int_equal(rcode(a), DNS_R_NOERROR);
    assert_int_equal(a->m.h.ancount, 1);
    /* the wildcard has no AAAA: NODATA, the SOA in authority */
    ask(z, a, "host3.example", DNS_T_AAAA, 0, 0);
    assert_int_equal(rcode(a), DNS_R_NOERROR);
    assert_int_equal(a->m.h.ancount, 0);
    assert_int_equal(a->m.h.nscount, 1);
    /* a name that exists is answered from its own records only */
    ask(z, a, "host1.example", DNS_T_A, 0, 0);
    assert_int_equal(a->m.h.ancount, 1);
    assert_int_equal(dns_rr_a(&a->m, &a->m.rr[0]), 0xC0000201u);
    /* the closest encloser host1 has no wildcard of its own: NXDOMAIN */
    ask(z, a, "ghost.host1.example", DNS_T_A, 0, 0);
    assert_int_equal(rcode(a), DNS_R_NXDOMAIN);
    /* an empty non-terminal exists: NODATA, not the wildcard */
    ask(z, a, "_tcp.host1.example", DNS_T_A, 0, 0);
    assert_int_equal(rcode(a), DNS_R_NOERROR);
    assert_int_equal(a->m.h.ancount, 0);
    /* a wildcard CNAME, followed */
    ask(z, a, "x.c.example", DNS_T_A, 0, 0);
    assert_int_equal(rcode(a), DNS_R_NOERROR);
    assert_int_equal(a->m.h.ancount, 2);
    struct dns_name xc = N("x.c.example");
    assert_int_equal(a->m.rr[0].type, DNS_T_CNAME);
    assert_true(dns_name_equal(&a->m.rr[0].name, &xc));
    assert_int_equal(dns_rr_a(&a->m, &a->m.rr[1]), 0xC0000201u);
    /* the wildcard's own name is an ordinary name */
    ask(z, a, "*.example", DNS_T_A, 0, 0);
    assert_int_equal(a->m.h.ancount, 1);
    free(a);
    dns_zone_free(z);
}

static void test_respond_update(void **state)
{
    char err[256];
    struct dns_zone *z = load(zone_text, err, sizeof(err));
    assert_non_null(z);
    uint8_t q[512], out[2048];
    struct dns_respond_info info;
    size_t ql;
    int n;

    /* An UPDATE (opcode 5, RFC 2136 2.5) deleting an NS RRset: class ANY, no RDATA, which is no
     * query's record. The opcode is not implemented: NOTIMP, not FORMERR. */
    struct dns_header uh = { .id = 8, .flags = 5u << 11 };
    struct dns_builder b;
    dns_build_init(&b, q, sizeof(q), &uh);
    struct dns_name apex = N("example.test");
    assert_int_equal(dns_build_question(&b, &apex, DNS_T_SOA, DNS_C_IN), 0);
    ql = dns_build_finish(&b);
    static const uint8_t del_ns[] = { 0xC0, 12, 0, 2, 0, 255, 0, 0, 0, 0, 0, 0 };   /* NS, ANY, TTL 0, RDLENGTH 0 */
    memcpy(q + ql, del_ns, sizeof(del_ns));
    q[9] = 1;   /* NSCOUNT: the update section */
    n = dns_respond(z, q, ql + sizeof(del_ns), out, sizeof(out), &info);
    assert_true(n >= DNS_HDR_LEN);
    assert_int_equal(out[0] << 8 | out[1], 8);
    assert_int_equal(DNS_OPCODE(out[2] << 8 | out[3]), 5);
    assert_int_equal(out[3] & DNS_F_RCODE_MASK, DNS_R_NOTIMP);
    assert_int_equal(info.rcode, DNS_R_NOTIMP);
    dns_zone_free(z);
}

/* A name with more A records than 512 bytes hold: TC, and what fits; with EDNS all of them. */
static void test_respond_truncation(void **state)
{
    char *text = malloc(8192);
    size_t o = (size_t)sprintf(text, "$ORIGIN t.\n$TTL 60\n@ SOA a b 1 2 3 4 5\n");
    for (int i = 0; i < 60; i++)
        o += (size_t)sprintf(text + o, "many A 10.0.%d.%d\n", i / 250, i % 250 + 1);
    char err[256];
    struct dns_zone *z = load(text, err, sizeof(err));
    assert_non_null(z);
    struct answer *a = calloc(1, sizeof(*a));
    ask(z, a, "many.t", DNS_T_A, 0, 0);
    assert_true(a->len <= 512);
    assert_true(a->m.h.flags & DNS_F_TC);
    assert_true(a->info.truncated);
    /* 12 + question 12 + 16 per record (owner compressed) */
    assert_int_equal(a->m.h.ancount, (512 - 12 - 12) / 16);
    ask(z, a, "many.t", DNS_T_A, 1, 1232);
    assert_false(a->m.h.flags & DNS_F_TC);
    assert_int_equal(a->m.h.ancount, 60);
    assert_true(a->m.has_opt);
    /* an EDNS size below 512 counts as 512 (RFC 6891 6.2.3); with room kept for our OPT */
    ask(z, a, "many.t", DNS_T_A, 1, 100);
    assert_true(a->len <= 512);
    assert_true(a->m.h.flags & DNS_F_TC);
    assert_true(a->m.has_opt);
    free(a);
    free(text);
    dns_zone_free(z);
}

/* Malformed queries get FORMERR rather than silence: two questions (RFC 9619), a label of 64
 * octets (RFC 1035 2.3.4: at most 63), a name of more than 255 octets; the ID and RD are kept. */
static void expect_formerr(const struct dns_zone *z, const uint8_t *q, size_t ql, uint16_t id)
{
    uint8_t out[2048];
    struct dns_respond_info info;
    struct dns_msg m;
    int n = dns_respond(z, q, ql, out, sizeof(out), &info);
    assert_true(n >= DNS_HDR_LEN);
    assert_int_equal(dns_msg_parse(out, (size_t)n, &m), 0);
    assert_int_equal(m.h.id, id);
    assert_true(m.h.flags & DNS_F_QR);
    assert_true(m.h.flags & DNS_F_RD);
    assert_int_equal(m.h.flags & DNS_F_RCODE_MASK, DNS_R_FORMERR);
}

static void test_formerr(void **state)
{
    char err[256];
    struct dns_zone *z = load(zone_text, err, sizeof(err));
    assert_non_null(z);
    uint8_t q[1024];
    /* two questions */
    struct dns_builder b;
    struct dns_header h = { .id = 0x1111, .flags = DNS_F_RD };
    dns_build_init(&b, q, 512, &h);
    struct dns_name n1 = N("www.example.test"), n2 = N("ns.example.test");
    assert_int_equal(dns_build_question(&b, &n1, DNS_T_A, DNS_C_IN), 0);
    assert_int_equal(dns_build_question(&b, &n2, DNS_T_A, DNS_C_IN), 0);
    expect_formerr(z, q, dns_build_finish(&b), 0x1111);
    /* a label of 64 octets */
    size_t o = 0;
    const uint8_t hdr[12] = { 0x22, 0x22, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 };
    memcpy(q, hdr, 12);
    o = 12;
    q[o++] = 64;
    memset(q + o, 'a', 64);
    o += 64;
    q[o++] = 0;
    q[o++] = 0, q[o++] = 1, q[o++] = 0, q[o++] = 1;
    expect_formerr(z, q, o, 0x2222);
    /* labels of 63 within the limit, but 5 of them: 321 octets */
    q[1] = 0x33;
    q[0] = 0x33;
    o = 12;
    for (int i = 0; i < 5; i++) {
        q[o++] = 63;
        memset(q + o, 'b', 63);
        o += 63;
    }
    q[o++] = 0;
    q[o++] = 0, q[o++] = 1, q[o++] = 0, q[o++] = 1;
    expect_formerr(z, q, o, 0x3333);
    dns_zone_free(z);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zone_parse),
        cmocka_unit_test(test_zone_errors),
        cmocka_unit_test(test_respond),
        cmocka_unit_test(test_respond_odd_queries),
        cmocka_unit_test(test_respond_flags),
        cmocka_unit_test(test_respond_opt_options),
        cmocka_unit_test(test_respond_update),
        cmocka_unit_test(test_respond_wildcard),
        cmocka_unit_test(test_respond_ns_additional),
        cmocka_unit_test(test_formerr),
        cmocka_unit_test(test_respond_truncation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
