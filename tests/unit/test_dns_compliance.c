/* The authoritative server (apps/dns/respond.c) against the checks of an EDNS compliance report
 * (the queries ISC's EDNS compliance tester sends, RFC 6891) and of DNS server test suites, each
 * query built byte by byte and its answer read back with the message parser: a plain query, EDNS(0),
 * EDNS version 1 (BADVERS with our OPT at version 0), an unknown option (ignored, not echoed), an
 * unknown EDNS flag (answered, not echoed), the header's Z bit (answered, clear), DO (echoed), an
 * unknown option with version 1, a 512-byte payload honoured with TC, EDNS over TCP, one OPT in every
 * answer; then no question, records in a query's answer or authority section, QTYPEs that name no
 * data, ANY, the question's case kept byte for byte, a response never answered, classes other than
 * IN, an unknown type (NODATA with the SOA), a CNAME chain, names with escapes in the zone file.
 * And the stub resolver's side (apps/dns/reply.c, cache.c): a TTL with its top bit set counts as 0
 * (RFC 2181 8), and what is cached is capped. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../apps/dns/cache.h"
#include "../apps/dns/msg.h"
#include "../apps/dns/reply.h"
#include "../apps/dns/respond.h"
#include "../apps/dns/zone.h"

static const char zone_text[] =
    "$ORIGIN example.test.\n"
    "$TTL 3600\n"
    "@   IN SOA ns hostmaster 1 3600 600 604800 300\n"
    "    IN NS  ns\n"
    "ns      A  192.0.2.2\n"
    "www     A  192.0.2.77\n"
    "a       CNAME b\n"
    "b       CNAME c\n"
    "c       A  192.0.2.3\n"
    "dot\\.ted A 192.0.2.4       ; one label \"dot.ted\"\n"
    "\\065bc  A 192.0.2.5       ; \"Abc\"\n"
    "sp\\032ace A 192.0.2.6     ; \"sp ace\"\n"
    "semi\\;colon A 192.0.2.7\n";

static struct dns_zone *zone;

static int setup(void **state)
{
    char err[256];
    if (dns_zone_parse(zone_text, strlen(zone_text), &zone, err, sizeof(err)) != 0) {
        fprintf(stderr, "zone: %s\n", err);
        return -1;
    }
    /* a name with more A records than 512 bytes hold */
    char big[8192], *o = big;
    o += sprintf(o, "%s", zone_text);
    for (int i = 0; i < 60; i++)
        o += sprintf(o, "big A 198.51.100.%d\n", i + 1);
    dns_zone_free(zone);
    return dns_zone_parse(big, strlen(big), &zone, err, sizeof(err)) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    dns_zone_free(zone);
    return 0;
}

static struct dns_name N(const char *t)
{
    struct dns_name n;
    assert_int_equal(dns_name_from_text(t, NULL, &n), 0);
    return n;
}

/* A query; with edns, an OPT offering udp_size with version, flags and the option bytes given. */
struct q {
    const char *name;
    uint16_t type, cls, flags;
    int edns;
    uint16_t udp_size;
    uint8_t version;
    uint16_t eflags;
    const uint8_t *opts;
    size_t optlen;
};

static size_t build(const struct q *q, uint8_t *buf, size_t cap)
{
    struct dns_builder b;
    struct dns_header h = { .id = 0x1234, .flags = q->flags };
    assert_int_equal(dns_build_init(&b, buf, cap, &h), 0);
    struct dns_name n = N(q->name);
    assert_int_equal(dns_build_question(&b, &n, q->type, q->cls ? q->cls : DNS_C_IN), 0);
    if (q->edns)
        assert_int_equal(dns_build_opt_flags(&b, q->udp_size, 0, q->eflags), 0);
    size_t len = dns_build_finish(&b);
    if (q->edns) {
        buf[len - 5] = q->version;
        if (q->optlen)
            memcpy(buf + len, q->opts, q->optlen);
        buf[len - 2] = (uint8_t)(q->optlen >> 8);
        buf[len - 1] = (uint8_t)q->optlen;
        len += q->optlen;
    }
    return len;
}

struct ans {
    int len;
    struct dns_respond_info info;
    struct dns_msg m;
    uint8_t buf[4096];
    int nopt;
    uint16_t opt_rdlen;
    uint8_t ext_rcode;
};

/* Asks, parses the answer and checks what every answer must be: our ID, QR, and at most one OPT,
 * there exactly when the query had one. */
static void ask_raw(const uint8_t *qb, size_t ql, int tcp, int edns, struct ans *a)
{
    a->len = dns_respond_ex(zone, qb, ql, a->buf, tcp ? sizeof(a->buf) : DNS_EDNS_SIZE, tcp, &a->info);
    assert_true(a->len > 0);
    assert_int_equal(dns_msg_parse(a->buf, (size_t)a->len, &a->m), 0);
    assert_int_equal(a->m.h.id, 0x1234);
    assert_true(a->m.h.flags & DNS_F_QR);
    a->nopt = 0;
    for (unsigned i = 0; i < a->m.nrr; i++)
        if (a->m.rr[i].type == DNS_T_OPT) {
            a->nopt++;
            a->opt_rdlen = a->m.rr[i].rdlen;
            a->ext_rcode = (uint8_t)(a->m.rr[i].ttl >> 24);
        }
    assert_int_equal(a->nopt, edns ? 1 : 0);
    if (edns)
        assert_int_equal(a->m.opt_version, 0);   /* we speak version 0, whatever was asked */
}

static void ask(const struct q *q, struct ans *a)
{
    uint8_t qb[512];
    size_t ql = build(q, qb, sizeof(qb));
    ask_raw(qb, ql, 0, q->edns, a);
}

static int rcode(const struct ans *a) { return a->m.h.flags & DNS_F_RCODE_MASK; }

static void edns_compliance(void **state)
{
    struct ans *a = calloc(1, sizeof(*a));
    static const uint8_t opt100[] = { 0, 100, 0, 4, 1, 2, 3, 4 };   /* an option nobody defined */
    /* plain DNS: the SOA, authoritative, no OPT */
    ask(&(struct q){ .name = "example.test", .type = DNS_T_SOA }, a);
    assert_int_equal(rcode(a), DNS_R_NOERROR);
    assert_true(a->m.h.flags & DNS_F_AA);
    assert_int_equal(a->m.h.ancount, 1);
    /* EDNS(0): the same with our OPT, no options in it */
    ask(&(struct q){ .name = "example.test", .type = DNS_T_SOA, .edns = 1, .udp_size = 4096 }, a);
    assert_int_equal(rcode(a), DNS_R_NOERROR);
    assert_int_equal(a->m.h.ancount, 1);
    assert_int_equal(a->opt_rdlen, 0);
    assert_int_equal(a->ext_rcode, 0);
    /* EDNS version 1: BADVERS (extended RCODE 1 over a header RCODE 0), our OPT at version 0, no
     * answer (RFC 6891 6.1.3) */
    ask(&(struct q){ .name = "example.test", .type = DNS_T_SOA, .edns = 1, .udp_size = 4096, .version = 1 }, a);
    assert_int_equal(rcode(a), 0);
    assert_int_equal(a->ext_rcode, 1);
    assert_int_equal(a->info.rcode, DNS_R_BADVERS);
    assert_int_equal(a->m.h.ancount, 0);
    /* an unknown option: answered, not echoed (RFC 6891 6.1.2) */
    ask(&(struct q){ .name = "example.test", .type = DNS_T_SOA, .edns = 1, .udp_size = 4096, .opts = opt100, .optlen = 8 }, a);
    assert_int_equal(rcode(a), DNS_R_NOERROR);
    assert_int_equal(a->m.h.ancount, 1);
    assert_int_equal(a->opt_rdlen, 0);
    /* both: BADVERS, the option not echoed */
    ask(&(struct q){ .name = "example.test", .type = DNS_T_SOA, .edns = 1, .udp_size = 4096, .version = 1, .opts = opt100,
                     .optlen = 8 },
        a);
    assert_int_equal(a->ext_rcode, 1);
    assert_int_equal(a->opt_rdlen, 0);
    /* unknown EDNS flags (bit 14, and the one the tester sets, 0x0080): answered, not echoed
     * (RFC 6891 6.1.4); DO echoed (RFC 3225 3) */
    ask(&(struct q){ .name = "example.test", .type = DNS_T_SOA, .edns = 1, .udp_size = 4096, .eflags = 0x4080 }, a);
    assert_int_equal(rcode(a), DNS_R_NOERROR);
    assert_int_equal(a->m.h.ancount, 1);
    assert_int_equal(a->m.opt_flags, 0);
    ask(&(struct q){ .name = "example.test", .type = DNS_T_SOA, .edns = 1, .udp_size = 4096, .eflags = DNS_EDNS_DO | 0x0080 }, a);
    assert_int_equal(a->m.opt_flags, DNS_EDNS_DO);
    /* the header's Z bit: answered, Z clear in the answer (RFC 1035 4.1.1: zero in all messages) */
    ask(&(struct q){ .name = "example.test", .type = DNS_T_SOA, .flags = 0x0040 }, a);
    assert_int_equal(rcode(a), DNS_R_NOERROR);
    assert_int_equal(a->m.h.ancount, 1);
    assert_int_equal(a->m.h.flags & 0x0040, 0);
    /* a 512-byte payload size is honoured: TC and what fits, our OPT still there; a larger one takes
     * the answer whole up to our own size; over TCP all of it, with the OPT */
    ask(&(struct q){ .name = "big.example.test", .type = DNS_T_A, .edns = 1, .udp_size = 512 }, a);
    assert_true(a->len <= 512);
    assert_true(a->m.h.flags & DNS_F_TC);
    ask(&(struct q){ .name = "big.example.test", .type = DNS_T_A }, a);
    assert_true(a->len <= 512);
    assert_true(a->m.h.flags & DNS_F_TC);
    ask(&(struct q){ .name = "big.example.test", .type = DNS_T_A, .edns = 1, .udp_size = 4096 }, a);
    assert_false(a->m.h.flags & DNS_F_TC);
    assert_int_equal(a->m.h.ancount, 60);
    uint8_t qb[512];
    size_t ql = build(&(struct q){ .name = "big.example.test", .type = DNS_T_A, .edns = 1, .udp_size = 512 }, qb, sizeof(qb));
    ask_raw(qb, ql, 1, 1, a);
    assert_false(a->m.h.flags & DNS_F_TC);
    assert_int_equal(a->m.h.ancount, 60);
    free(a);
}

static void odd_queries(void **state)
{
    struct ans *a = calloc(1, sizeof(*a));
    uint8_t qb[512];
    size_t ql;
    /* QDCOUNT 0: FORMERR, with our OPT when the query had one */
    ql = build(&(struct q){ .name = "example.test", .type = DNS_T_SOA, .edns = 1, .udp_size = 1232 }, qb, sizeof(qb));
    size_t qend = DNS_HDR_LEN + 14 + 4;   /* "example.test" is 14 bytes of wire form */
    memmove(qb + DNS_HDR_LEN, qb + qend, ql - qend);
    ql -= qend - DNS_HDR_LEN;
    qb[5] = 0;
    ask_raw(qb, ql, 0, 1, a);
    assert_int_equal(rcode(a), DNS_R_FORMERR);
    assert_false(a->m.has_question);
    /* a record in the answer or the authority section of a query: FORMERR (a standard query is its
     * question, RFC 1034 3.7.1), the question repeated */
    for (int sec = 0; sec < 2; sec++) {
        struct dns_builder b;
        struct dns_header h = { .id = 0x1234 };
        dns_build_init(&b, qb, sizeof(qb), &h);
        struct dns_name n = N("www.example.test");
        dns_build_question(&b, &n, DNS_T_A, DNS_C_IN);
        dns_build_a(&b, sec ? DNS_S_AUTHORITY : DNS_S_ANSWER, &n, 60, 0x01020304);
        ql = dns_build_finish(&b);
        ask_raw(qb, ql, 0, 0, a);
        assert_int_equal(rcode(a), DNS_R_FORMERR);
        assert_true(a->m.has_question);
        assert_int_equal(a->m.h.ancount + a->m.h.nscount, 0);
    }
    /* QTYPEs that name no data (RFC 6895 3.1): OPT and TSIG are no question (FORMERR); TKEY, MAILA,
     * MAILB are queries not implemented (NOTIMP) */
    static const struct {
        uint16_t type;
        int rcode;
    } meta[] = { { 41, DNS_R_FORMERR }, { 250, DNS_R_FORMERR }, { 249, DNS_R_NOTIMP }, { 253, DNS_R_NOTIMP },
                 { 254, DNS_R_NOTIMP } };
    for (size_t i = 0; i < sizeof(meta) / sizeof(meta[0]); i++) {
        ask(&(struct q){ .name = "www.example.test", .type = meta[i].type }, a);
        if (rcode(a) != meta[i].rcode)
            fail_msg("QTYPE %u: RCODE %d", meta[i].type, rcode(a));
        assert_int_equal(a->m.h.ancount, 0);
    }
    /* ANY: what the name has */
    ask(&(struct q){ .name = "example.test", .type = DNS_T_ANY }, a);
    assert_int_equal(rcode(a), DNS_R_NOERROR);
    assert_true(a->m.h.ancount >= 2);
    /* the question comes back byte for byte, its case too (0x20 mixing by resolvers) */
    ql = build(&(struct q){ .name = "wWw.ExAmPlE.tEsT", .type = DNS_T_A }, qb, sizeof(qb));
    ask_raw(qb, ql, 0, 0, a);
    assert_int_equal(a->m.h.ancount, 1);
    assert_memory_equal(a->buf + DNS_HDR_LEN, qb + DNS_HDR_LEN, ql - DNS_HDR_LEN);
    /* a response (QR=1) is never answered */
    ql = build(&(struct q){ .name = "www.example.test", .type = DNS_T_A, .flags = DNS_F_QR }, qb, sizeof(qb));
    assert_int_equal(dns_respond(zone, qb, ql, a->buf, sizeof(a->buf), &a->info), -EBADMSG);
    /* classes other than IN: CH, HS, NONE and ANY alike REFUSED, not authoritative */
    static const uint16_t classes[] = { 3, 4, 254, 255 };
    for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
        ask(&(struct q){ .name = "www.example.test", .type = DNS_T_A, .cls = classes[i] }, a);
        if (rcode(a) != DNS_R_REFUSED)
            fail_msg("class %u: RCODE %d", classes[i], rcode(a));
        assert_false(a->m.h.flags & DNS_F_AA);
        assert_int_equal(a->m.h.ancount, 0);
    }
    /* a type the zone never holds (65280, and TXT): NODATA with the SOA, its negative TTL */
    static const uint16_t types[] = { 65280, 16, 99 };
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        ask(&(struct q){ .name = "www.example.test", .type = types[i] }, a);
        assert_int_equal(rcode(a), DNS_R_NOERROR);
        assert_true(a->m.h.flags & DNS_F_AA);
        assert_int_equal(a->m.h.ancount, 0);
        assert_int_equal(a->m.h.nscount, 1);
        assert_int_equal(a->m.rr[0].type, DNS_T_SOA);
        assert_int_equal(a->m.rr[0].ttl, 300);
    }
    /* a CNAME chain inside the zone: every link, then the address */
    ask(&(struct q){ .name = "a.example.test", .type = DNS_T_A }, a);
    assert_int_equal(rcode(a), DNS_R_NOERROR);
    assert_int_equal(a->m.h.ancount, 3);
    assert_int_equal(a->m.rr[0].type, DNS_T_CNAME);
    assert_int_equal(a->m.rr[1].type, DNS_T_CNAME);
    assert_int_equal(a->m.rr[2].type, DNS_T_A);
    assert_int_equal(dns_rr_a(&a->m, &a->m.rr[2]), 0xC0000203u);
    free(a);
}

/* Names with escapes in the zone file (RFC 1035 5.1: \. a dot inside a label, \DDD a byte). */
static void escaped_names(void **state)
{
    struct ans *a = calloc(1, sizeof(*a));
    static const struct {
        const char *name;
        uint32_t addr;
    } cases[] = { { "dot\\.ted.example.test", 0xC0000204u }, { "abc.example.test", 0xC0000205u },
                  { "sp\\032ace.example.test", 0xC0000206u }, { "semi\\;colon.example.test", 0xC0000207u } };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ask(&(struct q){ .name = cases[i].name, .type = DNS_T_A }, a);
        if (rcode(a) != DNS_R_NOERROR || a->m.h.ancount != 1)
            fail_msg("%s: RCODE %d, %u answers", cases[i].name, rcode(a), a->m.h.ancount);
        assert_int_equal(dns_rr_a(&a->m, &a->m.rr[0]), cases[i].addr);
    }
    /* "dot.ted" is one label: the two-label name does not exist */
    ask(&(struct q){ .name = "dot.ted.example.test", .type = DNS_T_A }, a);
    assert_int_equal(rcode(a), DNS_R_NXDOMAIN);
    free(a);
}

/* An answer for www (A, TTLs as given) or a negative one (SOA TTL and MINIMUM as given). */
static size_t answer(uint8_t *buf, size_t cap, const uint32_t *ttls, int n, int neg, uint32_t soa_ttl,
                     uint32_t minimum)
{
    struct dns_builder b;
    struct dns_header h = { .id = 9, .flags = DNS_F_QR | DNS_F_AA | (neg ? DNS_R_NXDOMAIN : 0) };
    dns_build_init(&b, buf, cap, &h);
    struct dns_name www = N("www.example.test"), zone_name = N("example.test");
    dns_build_question(&b, &www, DNS_T_A, DNS_C_IN);
    for (int i = 0; i < n; i++)
        dns_build_a(&b, DNS_S_ANSWER, &www, ttls[i], 0xC0000201u + (uint32_t)i);
    if (neg) {
        struct dns_soa soa = { N("ns.example.test"), N("hm.example.test"), 1, 2, 3, 4, minimum };
        dns_build_soa(&b, DNS_S_AUTHORITY, &zone_name, soa_ttl, &soa);
    }
    return dns_build_finish(&b);
}

/* RFC 2181 8: a TTL with its top bit set is taken as 0, so it makes the answer uncacheable instead
 * of losing to a smaller TTL beside it; the same for a negative answer's SOA TTL and MINIMUM. */
static void resolver_ttls(void **state)
{
    uint8_t buf[512];
    struct dns_name www = N("www.example.test");
    struct dns_reply r;
    size_t n = answer(buf, sizeof(buf), (uint32_t[]){ 300, 0x80000000u }, 2, 0, 0, 0);
    dns_reply_read(buf, n, 9, &www, DNS_T_A, 8, &r);
    assert_int_equal(r.kind, DNS_REPLY_ADDRS);
    assert_int_equal(r.naddrs, 2);
    assert_int_equal(r.ttl, 0);
    n = answer(buf, sizeof(buf), (uint32_t[]){ 300, 200 }, 2, 0, 0, 0);
    dns_reply_read(buf, n, 9, &www, DNS_T_A, 8, &r);
    assert_int_equal(r.ttl, 200);
    n = answer(buf, sizeof(buf), NULL, 0, 1, 0x80000001u, 600);
    dns_reply_read(buf, n, 9, &www, DNS_T_A, 8, &r);
    assert_int_equal(r.kind, DNS_REPLY_NXDOMAIN);
    assert_int_equal(r.neg_ttl, 0);
    n = answer(buf, sizeof(buf), NULL, 0, 1, 900, 0x90000000u);
    dns_reply_read(buf, n, 9, &www, DNS_T_A, 8, &r);
    assert_int_equal(r.neg_ttl, 0);
    n = answer(buf, sizeof(buf), NULL, 0, 1, 900, 600);
    dns_reply_read(buf, n, 9, &www, DNS_T_A, 8, &r);
    assert_int_equal(r.neg_ttl, 600);
    /* and a query (QR clear) or another ID is never taken for the answer */
    n = answer(buf, sizeof(buf), (uint32_t[]){ 300 }, 1, 0, 0, 0);
    dns_reply_read(buf, n, 10, &www, DNS_T_A, 8, &r);
    assert_int_equal(r.kind, DNS_REPLY_IGNORE);
    buf[2] &= 0x7f;
    dns_reply_read(buf, n, 9, &www, DNS_T_A, 8, &r);
    assert_int_equal(r.kind, DNS_REPLY_IGNORE);
}

/* The cache keeps an answer at most a day and a negative answer at most three hours (RFC 2308 5),
 * and nothing whose TTL is 0. */
static void cache_caps(void **state)
{
    struct dns_cache c;
    dns_cache_init(&c, 8);
    struct dns_name n = N("www.example.test");
    struct dns_result res;
    memset(&res, 0, sizeof(res));
    synack_time_t now = SYNACK_SEC(1000);
    dns_cache_put(&c, &n, DNS_T_A, &res, 7 * 86400, 0, now);
    const struct dns_cache_entry *e = dns_cache_get(&c, &n, DNS_T_A, now);
    assert_non_null(e);
    assert_int_equal(e->expires, now + SYNACK_SEC(DNS_CACHE_POS_MAX));
    res.err = DNS_E_NXDOMAIN;
    dns_cache_put(&c, &n, DNS_T_AAAA, &res, 7 * 86400, 1, now);
    e = dns_cache_get(&c, &n, DNS_T_AAAA, now);
    assert_non_null(e);
    assert_int_equal(e->expires, now + SYNACK_SEC(DNS_CACHE_NEG_MAX));
    struct dns_name m = N("zero.example.test");
    dns_cache_put(&c, &m, DNS_T_A, &res, 0, 0, now);
    assert_null(dns_cache_get(&c, &m, DNS_T_A, now));
    dns_cache_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(edns_compliance), cmocka_unit_test(odd_queries), cmocka_unit_test(escaped_names),
        cmocka_unit_test(resolver_ttls),   cmocka_unit_test(cache_caps),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
