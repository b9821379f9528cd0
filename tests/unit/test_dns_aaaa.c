/* Unit tests of AAAA beside A in the stub resolver's pure parts: a response's AAAA records read
 * through a CNAME chain (reply.c, RFC 3596), an AAAA answer to an A question ignored, hosts-file
 * IPv6 lines (hosts.c), the order of addresses and the merging of the A and AAAA outcomes
 * (order.c: IPv6 first only with a global IPv6 address; one family's addresses are an answer;
 * NXDOMAIN only when both say so; a failure beats a negative answer). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../apps/dns/hosts.h"
#include "../apps/dns/msg.h"
#include "../apps/dns/order.h"
#include "../apps/dns/reply.h"

static struct dns_name N(const char *t)
{
    struct dns_name n;
    assert_int_equal(dns_name_from_text(t, NULL, &n), 0);
    return n;
}

static struct synack_ip ip(const char *s)
{
    struct synack_ip a;
    assert_int_equal(synack_ip_parse(s, &a), 0);
    return a;
}

/* alias -> www; www has two AAAA and one A; an AAAA off the chain. */
static size_t build(uint8_t *out, size_t cap, uint16_t qtype)
{
    struct dns_builder b;
    struct dns_header h = { .id = 7, .flags = DNS_F_QR | DNS_F_RD | DNS_F_RA };
    struct dns_name alias = N("alias.example.test"), www = N("www.example.test"), other = N("x.example.test");
    struct synack_ip a1 = ip("2001:db8::1"), a2 = ip("2001:db8::2"), a3 = ip("2001:db8::3");
    assert_int_equal(dns_build_init(&b, out, cap, &h), 0);
    assert_int_equal(dns_build_question(&b, &alias, qtype, DNS_C_IN), 0);
    assert_int_equal(dns_build_name_rr(&b, DNS_S_ANSWER, &alias, DNS_T_CNAME, 100, &www), 0);
    assert_int_equal(dns_build_aaaa(&b, DNS_S_ANSWER, &www, 50, a1.b), 0);
    assert_int_equal(dns_build_aaaa(&b, DNS_S_ANSWER, &www, 80, a2.b), 0);
    assert_int_equal(dns_build_aaaa(&b, DNS_S_ANSWER, &www, 80, a2.b), 0);   /* a duplicate */
    assert_int_equal(dns_build_a(&b, DNS_S_ANSWER, &www, 10, 0xC0000201u), 0);
    assert_int_equal(dns_build_aaaa(&b, DNS_S_ANSWER, &other, 5, a3.b), 0);
    return dns_build_finish(&b);
}

static void reply_aaaa_through_cname(void **state)
{
    uint8_t msg[512];
    size_t len = build(msg, sizeof(msg), DNS_T_AAAA);
    struct dns_name q = N("Alias.Example.Test");
    struct dns_reply r;
    dns_reply_read(msg, len, 7, &q, DNS_T_AAAA, 8, &r);
    assert_int_equal(r.kind, DNS_REPLY_ADDRS);
    assert_int_equal(r.naddrs, 2);
    struct synack_ip a1 = ip("2001:db8::1"), a2 = ip("2001:db8::2");
    assert_true(synack_ip_equal(&r.addrs[0], &a1));
    assert_true(synack_ip_equal(&r.addrs[1], &a2));
    assert_int_equal(r.ttl, 50);   /* the smallest of the records used: not the A's 10, not the stray 5 */
    assert_int_equal(r.links, 1);
    struct dns_name www = N("www.example.test");
    assert_true(dns_name_equal(&r.canonical, &www));
    /* the same records asked as A: only the A record */
    len = build(msg, sizeof(msg), DNS_T_A);
    dns_reply_read(msg, len, 7, &q, DNS_T_A, 8, &r);
    assert_int_equal(r.kind, DNS_REPLY_ADDRS);
    assert_int_equal(r.naddrs, 1);
    assert_true(synack_ip_is_v4(&r.addrs[0]));
    assert_int_equal(synack_ip_to_v4(&r.addrs[0]), 0xC0000201u);
    /* an answer to another type's question is not ours */
    dns_reply_read(msg, len, 7, &q, DNS_T_AAAA, 8, &r);
    assert_int_equal(r.kind, DNS_REPLY_IGNORE);
}

/* A truncated answer cut inside a record, its counts as they were: TC and our question are enough
 * to ask again over TCP (RFC 1035 4.2.1, RFC 7766 5); without TC, or with another question, it is
 * malformed as before. */
static void reply_truncated_mid_record(void **state)
{
    uint8_t msg[512];
    size_t len = build(msg, sizeof(msg), DNS_T_AAAA);
    struct dns_name q = N("alias.example.test");
    struct dns_reply r;
    size_t cut = len - 20;   /* inside the last AAAA record */
    msg[2] |= DNS_F_TC >> 8;
    dns_reply_read(msg, cut, 7, &q, DNS_T_AAAA, 8, &r);
    assert_int_equal(r.kind, DNS_REPLY_TRUNCATED);
    dns_reply_read(msg, cut, 8, &q, DNS_T_AAAA, 8, &r);
    assert_int_equal(r.kind, DNS_REPLY_IGNORE);   /* another ID: not ours, whatever it holds */
    dns_reply_read(msg, cut, 7, &q, DNS_T_A, 8, &r);
    assert_int_equal(r.kind, DNS_REPLY_MALFORMED);   /* not our question */
    msg[2] &= (uint8_t)~(DNS_F_TC >> 8);
    dns_reply_read(msg, cut, 7, &q, DNS_T_AAAA, 8, &r);
    assert_int_equal(r.kind, DNS_REPLY_MALFORMED);   /* no TC */
}

static void hosts_ipv6_lines(void **state)
{
    const char *text = "127.0.0.1 localhost\n::1 localhost ip6-localhost\n"
                       "2001:db8::2 www.example.test www\n192.0.2.2 www\nfe80::1%eth0 www\n2001:db8::2 www\n";
    struct dns_hosts_match m;
    struct dns_name www = N("WWW"), lo = N("ip6-localhost"), localhost = N("localhost");
    assert_int_equal(dns_hosts_lookup_text(text, strlen(text), &www, &m), 2);   /* zone skipped, duplicate once */
    struct synack_ip a = ip("2001:db8::2");
    assert_true(synack_ip_equal(&m.addrs[0], &a));
    assert_int_equal(synack_ip_to_v4(&m.addrs[1]), 0xC0000202u);
    struct dns_name canon = N("www.example.test");
    assert_true(dns_name_equal(&m.canonical, &canon));
    assert_int_equal(dns_hosts_lookup_text(text, strlen(text), &lo, &m), 1);
    struct synack_ip one = ip("::1");
    assert_true(synack_ip_equal(&m.addrs[0], &one));
    assert_int_equal(dns_hosts_lookup_text(text, strlen(text), &localhost, &m), 2);
}

static void order_addrs(void **state)
{
    struct synack_ip v[4] = { ip("192.0.2.1"), ip("2001:db8::1"), ip("192.0.2.2"), ip("2001:db8::2") };
    struct synack_ip w[4];
    memcpy(w, v, sizeof(v));
    dns_order_addrs(w, 4, 1);
    assert_true(synack_ip_equal(&w[0], &v[1]) && synack_ip_equal(&w[1], &v[3]));
    assert_true(synack_ip_equal(&w[2], &v[0]) && synack_ip_equal(&w[3], &v[2]));
    memcpy(w, v, sizeof(v));
    dns_order_addrs(w, 4, 0);
    assert_true(synack_ip_equal(&w[0], &v[0]) && synack_ip_equal(&w[1], &v[2]));
    assert_true(synack_ip_equal(&w[2], &v[1]) && synack_ip_equal(&w[3], &v[3]));
}

static struct dns_result res(int err, const char *addr)
{
    struct dns_result r;
    memset(&r, 0, sizeof(r));
    r.err = err;
    if (addr) {
        r.addrs[0] = ip(addr);
        r.naddrs = 1;
    }
    return r;
}

static void merge_rules(void **state)
{
    struct dns_result out;
    struct dns_result a = res(0, "192.0.2.1"), aaaa = res(0, "2001:db8::1");
    dns_merge(&a, &aaaa, 1, &out);
    assert_int_equal(out.err, 0);
    assert_int_equal(out.naddrs, 2);
    assert_false(synack_ip_is_v4(&out.addrs[0]));
    assert_int_equal(out.types, DNS_ASKED_A | DNS_ASKED_AAAA);
    dns_merge(&a, &aaaa, 0, &out);
    assert_true(synack_ip_is_v4(&out.addrs[0]));
    /* one family only: an answer */
    struct dns_result nodata = res(DNS_E_NODATA, NULL), nx = res(DNS_E_NXDOMAIN, NULL), to = res(DNS_E_TIMEOUT, NULL);
    dns_merge(&a, &nodata, 1, &out);
    assert_int_equal(out.err, 0);
    assert_int_equal(out.naddrs, 1);
    dns_merge(&nodata, &aaaa, 0, &out);
    assert_int_equal(out.err, 0);
    assert_false(synack_ip_is_v4(&out.addrs[0]));
    /* negative answers */
    dns_merge(&nx, &nx, 0, &out);
    assert_int_equal(out.err, DNS_E_NXDOMAIN);
    dns_merge(&nodata, &nx, 0, &out);
    assert_int_equal(out.err, DNS_E_NODATA);
    dns_merge(&nodata, &nodata, 1, &out);
    assert_int_equal(out.err, DNS_E_NODATA);
    assert_int_equal(out.naddrs, 0);
    /* a failure is not hidden by the other family's negative answer */
    dns_merge(&nodata, &to, 0, &out);
    assert_int_equal(out.err, DNS_E_TIMEOUT);
    struct dns_result refused = res(DNS_E_REFUSED, NULL);
    dns_merge(&to, &refused, 0, &out);
    assert_int_equal(out.err, DNS_E_REFUSED);
    /* one family asked */
    dns_merge(NULL, &aaaa, 0, &out);
    assert_int_equal(out.naddrs, 1);
    assert_int_equal(out.types, DNS_ASKED_AAAA);
    /* failures listed per server once */
    struct dns_result f1 = res(DNS_E_TIMEOUT, NULL), f2 = res(DNS_E_TIMEOUT, NULL);
    f1.nfails = f2.nfails = 1;
    f1.fails[0] = (struct dns_server_error){ ip("2001:db8::53"), DNS_E_TIMEOUT, 0 };
    f2.fails[0] = (struct dns_server_error){ ip("2001:db8::53"), DNS_E_REFUSED, 0 };
    dns_merge(&f1, &f2, 0, &out);
    assert_int_equal(out.nfails, 1);
    assert_int_equal(out.fails[0].err, DNS_E_REFUSED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reply_aaaa_through_cname),
        cmocka_unit_test(reply_truncated_mid_record),
        cmocka_unit_test(hosts_ipv6_lines),
        cmocka_unit_test(order_addrs),
        cmocka_unit_test(merge_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
