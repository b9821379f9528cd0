/* Sim tier: DNS over IPv6 and AAAA beside A. Our resolver (stack A) asks our authoritative server
 * (stack B, bound to :: so it answers both families) for names with both records, A only, AAAA
 * only, neither, a CNAME to both, and a missing name:
 *  - over an IPv6 path (the server at 2001:db8::2): each name's outcome, IPv6 addresses first
 *    since stack A has a global IPv6 address (RFC 6724 6, simplified: apps/dns/order.h); a name
 *    of one family is an answer; asked again, every answer and NODATA comes from the cache per
 *    (name, type) and the server sees no new query;
 *  - dual stack, the server at its IPv4 address and stack A without IPv6: IPv4 first;
 *  - -4 / -6 (config.family): one query, one family;
 *  - IPv6 only: the server at 2001:db8::2 with stack A's IPv6 address, and the queries seen over
 *    IPv6 (the server's socket reports IPv6 peers). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../apps/dns/resolver.h"
#include "../apps/dns/server.h"
#include "lib/simpair.h"

static const char zone[] =
    "$ORIGIN example.test.\n"
    "$TTL 300\n"
    "@      SOA ns hostmaster 1 3600 600 86400 60\n"
    "       NS  ns\n"
    "ns     A   192.0.2.2\n"
    "both   A   192.0.2.77\n"
    "       AAAA 2001:db8::77\n"
    "v4     A   192.0.2.44\n"
    "v6     AAAA 2001:db8::66\n"
    "alias  CNAME both\n";

static struct synack_ip ip(const char *s)
{
    struct synack_ip a;
    if (synack_ip_parse(s, &a) != 0)
        abort();
    return a;
}

struct lk {
    int called;
    struct dns_result r;
};

static void on_result(void *arg, const struct dns_result *r, synack_time_t now)
{
    struct lk *l = arg;
    l->called++;
    l->r = *r;
}

struct env {
    struct simpair p;
    struct dns_server *srv;
    char path[64];
};

/* v6_a: stack A gets 2001:db8::1; stack B always has 2001:db8::2 (and both their IPv4 addresses). */
static void env_init(struct env *e, int v6_a)
{
    assert_int_equal(sp_init(&e->p, NULL, NULL, 606, 0), 0);
    struct synack_ip a = ip("2001:db8::1"), b = ip("2001:db8::2");
    if (v6_a)
        assert_int_equal(synack_if_add_addr6(e->p.st[0], e->p.ifi[0], &a, 64, sp_now(&e->p)), 0);
    assert_int_equal(synack_if_add_addr6(e->p.st[1], e->p.ifi[1], &b, 64, sp_now(&e->p)), 0);
    sp_run(&e->p, SYNACK_MS(1500));   /* DAD */
    snprintf(e->path, sizeof(e->path), "/tmp/test_sim_dns6.XXXXXX");
    int fd = mkstemp(e->path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, zone, strlen(zone)), (ssize_t)strlen(zone));
    close(fd);
    char err[256];
    e->srv = dns_server_start(e->p.st[1], e->path, 53, err, sizeof(err));
    if (!e->srv)
        fail_msg("%s", err);
}

static void env_free(struct env *e)
{
    dns_server_stop(e->srv);
    sp_free(&e->p);
    unlink(e->path);
}

static void ask(struct env *e, struct dns_resolver *r, const char *name, struct lk *l)
{
    memset(l, 0, sizeof(*l));
    assert_int_equal(dns_resolve(r, name, on_result, l, sp_now(&e->p)), 0);
    for (int i = 0; i < 1000 && !l->called; i++)
        sp_run(&e->p, SYNACK_MS(10));
    assert_int_equal(l->called, 1);
}

static void addr_is(const struct dns_result *r, int i, const char *text)
{
    assert_true(i < r->naddrs);
    char got[SYNACK_IP_STRLEN];
    synack_ip_format(&r->addrs[i], got, sizeof(got));
    assert_string_equal(got, text);
}

static uint64_t server_queries(struct env *e)
{
    struct dns_server_stats s;
    dns_server_stats(e->srv, &s);
    return s.queries;
}

static struct dns_resolver *resolver(struct env *e, const char *server, int family)
{
    struct dns_resolver_config cfg = { .nservers = 1, .timeout = SYNACK_MS(500), .attempts = 2, .family = family };
    cfg.servers[0] = ip(server);
    struct dns_resolver *r = dns_resolver_new(e->p.st[0], &cfg);
    assert_non_null(r);
    return r;
}

/* Every name over the IPv6 path, IPv6 first; then the same from the cache. */
static void over_ipv6(void **state)
{
    struct env e;
    env_init(&e, 1);
    struct dns_resolver *r = resolver(&e, "2001:db8::2", 0);
    struct lk l;
    for (int round = 0; round < 2; round++) {
        uint64_t q0 = server_queries(&e);
        ask(&e, r, "both.example.test", &l);
        assert_int_equal(l.r.err, 0);
        assert_int_equal(l.r.naddrs, 2);
        addr_is(&l.r, 0, "2001:db8::77");
        addr_is(&l.r, 1, "192.0.2.77");
        assert_int_equal(l.r.from_cache, round);
        ask(&e, r, "ALIAS.example.test", &l);
        assert_int_equal(l.r.err, 0);
        assert_int_equal(l.r.naddrs, 2);
        addr_is(&l.r, 0, "2001:db8::77");
        assert_string_equal(l.r.canonical, "both.example.test");
        ask(&e, r, "v4.example.test", &l);   /* A only: an answer, not a failure */
        assert_int_equal(l.r.err, 0);
        assert_int_equal(l.r.naddrs, 1);
        addr_is(&l.r, 0, "192.0.2.44");
        ask(&e, r, "v6.example.test", &l);
        assert_int_equal(l.r.err, 0);
        assert_int_equal(l.r.naddrs, 1);
        addr_is(&l.r, 0, "2001:db8::66");
        ask(&e, r, "example.test", &l);   /* the apex: SOA and NS, no address */
        assert_int_equal(l.r.err, DNS_E_NODATA);
        assert_int_equal(l.r.types, DNS_ASKED_A | DNS_ASKED_AAAA);
        ask(&e, r, "missing.example.test", &l);
        assert_int_equal(l.r.err, DNS_E_NXDOMAIN);
        /* the first round: two queries per name (A and AAAA); the second: none but for the
         * negative answers, cached for the SOA's 60 s too */
        assert_int_equal(server_queries(&e) - q0, round ? 0 : 12);
    }
    struct dns_resolver_stats s;
    dns_resolver_stats(r, &s);
    assert_int_equal(s.malformed + s.mismatched, 0);
    dns_resolver_free(r);
    env_free(&e);
}

/* Stack A without IPv6, the server at its IPv4 address: IPv4 first; -4 and -6 ask one type. */
static void dual_stack_order_and_family(void **state)
{
    struct env e;
    env_init(&e, 0);
    struct dns_resolver *r = resolver(&e, "10.0.0.2", 0);
    struct lk l;
    ask(&e, r, "both.example.test", &l);
    assert_int_equal(l.r.err, 0);
    assert_int_equal(l.r.naddrs, 2);
    addr_is(&l.r, 0, "192.0.2.77");
    addr_is(&l.r, 1, "2001:db8::77");
    dns_resolver_free(r);
    static const int fams[] = { 4, 6 };
    for (int i = 0; i < 2; i++) {
        r = resolver(&e, "10.0.0.2", fams[i]);
        uint64_t q0 = server_queries(&e);
        ask(&e, r, "both.example.test", &l);
        assert_int_equal(l.r.err, 0);
        assert_int_equal(l.r.naddrs, 1);
        addr_is(&l.r, 0, fams[i] == 4 ? "192.0.2.77" : "2001:db8::77");
        assert_int_equal(server_queries(&e) - q0, 1);
        ask(&e, r, fams[i] == 4 ? "v6.example.test" : "v4.example.test", &l);
        assert_int_equal(l.r.err, DNS_E_NODATA);
        assert_int_equal(l.r.types, fams[i] == 4 ? DNS_ASKED_A : DNS_ASKED_AAAA);
        dns_resolver_free(r);
    }
    env_free(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(over_ipv6),
        cmocka_unit_test(dual_stack_order_and_family),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
