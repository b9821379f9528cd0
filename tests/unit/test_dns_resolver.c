/* Unit tests of the stub resolver (apps/dns/resolver.c, reply.c, hosts.c) on two stacks in a
 * simulated network: the resolver on 10.0.0.1, a scripted server on 10.0.0.2:53 that answers the
 * way each test needs (right, late, wrong ID, wrong question, malformed, SERVFAIL, TC, NXDOMAIN,
 * NODATA, an unfinished CNAME chain, an endless one, from the wrong port). Checked: the errors of
 * resolver.h, RFC 5452's matching (ID, question, source), retries over servers on the stack's
 * timers, random IDs and ports per attempt, the hosts file first, literals, the callback never
 * inside dns_resolve, and freeing with lookups pending. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../apps/dns/hosts.h"
#include "../apps/dns/msg.h"
#include "../apps/dns/resolver.h"
#include "lib/simpair.h"

#define US 0x0a000001u
#define SRV 0x0a000002u
#define NOBODY 0x0a000009u   /* on the link's network, but nobody answers ARP */

enum mode {
    M_ANSWER, M_SILENT, M_WRONG_ID_FIRST, M_WRONG_QUESTION, M_MALFORMED, M_SERVFAIL, M_TC, M_NXDOMAIN,
    M_NODATA, M_CNAME_ONLY, M_CNAME_FOREVER, M_WRONG_PORT, M_NXDOMAIN_NOSOA, M_NO_EDNS, M_REFUSED,
    M_FORMERR, M_NOTIMP, M_REFERRAL,
};

struct fake {
    struct simpair *p;
    int sock, sock5353;
    int tcp_listener, tcp_conn;     /* the TCP side (answers in full, its length prefix cut in two) */
    int tcp_queries;
    uint8_t tcp_in[600];
    size_t tcp_len;
    int edns_seen;                  /* queries that carried an OPT offering 1232 bytes */
    enum mode mode;
    int drop_first;         /* queries ignored before answering (M_ANSWER) */
    int queries;
    uint16_t ids[64];
    uint16_t ports[64];
};

static struct dns_name N(const char *t)
{
    struct dns_name n;
    assert_int_equal(dns_name_from_text(t, NULL, &n), 0);
    return n;
}

static void fake_reply(struct fake *f, const struct dns_msg *q, const struct synack_sockaddr *from)
{
    uint8_t out[512];
    struct dns_builder b;
    uint16_t id = q->h.id;
    int rcode = DNS_R_NOERROR;
    uint16_t flags = DNS_F_QR | DNS_F_RD | DNS_F_RA;
    if (f->mode == M_WRONG_ID_FIRST) {   /* a forgery first, the real answer after it */
        struct dns_header h = { .id = (uint16_t)(id + 1), .flags = flags };
        dns_build_init(&b, out, sizeof(out), &h);
        dns_build_question(&b, &q->q.name, q->q.type, q->q.cls);
        struct dns_name n = q->q.name;
        dns_build_a(&b, DNS_S_ANSWER, &n, 60, 0x01020304);
        size_t l = dns_build_finish(&b);
        synack_sendto(f->p->st[1], f->sock, out, l, from, sp_now(f->p));
    }
    if (f->mode == M_SERVFAIL)
        rcode = DNS_R_SERVFAIL;
    if (f->mode == M_REFUSED)
        rcode = DNS_R_REFUSED;
    if (f->mode == M_FORMERR)
        rcode = DNS_R_FORMERR;   /* with EDNS and without */
    if (f->mode == M_NOTIMP)
        rcode = 4;
    if (f->mode == M_NO_EDNS && q->has_opt)
        rcode = DNS_R_FORMERR;   /* a server that knows no EDNS */
    if (f->mode == M_NXDOMAIN || f->mode == M_NXDOMAIN_NOSOA)
        rcode = DNS_R_NXDOMAIN;
    if (f->mode == M_TC && from)
        flags |= DNS_F_TC;
    struct dns_header h = { .id = id, .flags = (uint16_t)(flags | rcode) };
    dns_build_init(&b, out, sizeof(out), &h);
    struct dns_name qn = f->mode == M_WRONG_QUESTION ? N("other.example.test") : q->q.name;
    dns_build_question(&b, &qn, q->q.type, q->q.cls);
    struct dns_name www = N("www.example.test"), web = N("web.example.test"), zone = N("example.test");
    struct dns_soa soa = { N("ns.example.test"), N("hm.example.test"), 1, 2, 3, 4, 5 };
    switch (f->mode) {
    case M_NXDOMAIN:
    case M_NODATA:
        dns_build_soa(&b, DNS_S_AUTHORITY, &zone, 60, &soa);
        break;
    case M_NXDOMAIN_NOSOA:
    case M_SERVFAIL:
    case M_REFUSED:
    case M_FORMERR:
    case M_NOTIMP:
        break;
    case M_REFERRAL:   /* NOERROR, no answer, only NS records in authority */
        dns_build_name_rr(&b, DNS_S_AUTHORITY, &zone, DNS_T_NS, 60, &www);
        break;
    case M_CNAME_ONLY:
        if (dns_name_equal(&q->q.name, &www)) {
            dns_build_name_rr(&b, DNS_S_ANSWER, &www, DNS_T_CNAME, 60, &web);
        } else {
            dns_build_a(&b, DNS_S_ANSWER, &q->q.name, 60, 0xC000024D);
        }
        break;
    case M_CNAME_FOREVER: {   /* xN -> xN+1, three links per answer */
        struct dns_name cur = q->q.name;
        for (int i = 0; i < 3; i++) {
            char t[64];
            snprintf(t, sizeof(t), "x%d.example.test", f->queries * 3 + i);
            struct dns_name nx = N(t);
            dns_build_name_rr(&b, DNS_S_ANSWER, &cur, DNS_T_CNAME, 60, &nx);
            cur = nx;
        }
        break;
    }
    default:
        /* two addresses, plus an address for a name off the chain, which must be ignored */
        dns_build_a(&b, DNS_S_ANSWER, &qn, 60, 0xC000024D);
        dns_build_a(&b, DNS_S_ANSWER, &qn, 60, 0xC000024E);
        dns_build_a(&b, DNS_S_ANSWER, &zone, 60, 0x0a0a0a0a);
        break;
    }
    size_t l = dns_build_finish(&b);
    if (f->mode == M_MALFORMED)
        l--;   /* cut the last byte: the counts no longer fit */
    if (!from) {
        /* over TCP: the length's first byte alone, then the rest in two more sends, so the reader
         * must put the prefix and the message together from several segments */
        uint8_t pre[2] = { (uint8_t)(l >> 8), (uint8_t)l };
        synack_stack_t *st = f->p->st[1];
        assert_int_equal(synack_send(st, f->tcp_conn, pre, 1, sp_now(f->p)), 1);
        synack_simnet_run_until(f->p->net, sp_now(f->p) + SYNACK_MS(5));
        assert_int_equal(synack_send(st, f->tcp_conn, pre + 1, 1, sp_now(f->p)), 1);
        synack_simnet_run_until(f->p->net, sp_now(f->p) + SYNACK_MS(5));
        assert_int_equal(synack_send(st, f->tcp_conn, out, l, sp_now(f->p)), (int)l);
        return;
    }
    int s = f->mode == M_WRONG_PORT ? f->sock5353 : f->sock;
    synack_sendto(f->p->st[1], s, out, l, from, sp_now(f->p));
}

static void fake_tcp_conn(synack_stack_t *st, int sock, unsigned ev, void *arg, synack_time_t now)
{
    struct fake *f = arg;
    int n;
    while ((n = synack_recv(st, sock, f->tcp_in + f->tcp_len, sizeof(f->tcp_in) - f->tcp_len, now)) > 0)
        f->tcp_len += (size_t)n;
    if (f->tcp_len < 2 || f->tcp_len < 2 + (size_t)(f->tcp_in[0] << 8 | f->tcp_in[1]))
        return;
    struct dns_msg q;
    assert_int_equal(dns_msg_parse(f->tcp_in + 2, f->tcp_len - 2, &q), 0);
    f->tcp_queries++;
    f->tcp_len = 0;
    fake_reply(f, &q, NULL);
}

static void fake_tcp_listen(synack_stack_t *st, int sock, unsigned ev, void *arg, synack_time_t now)
{
    struct fake *f = arg;
    int ns = synack_accept(st, sock, NULL, now);
    if (ns < 0)
        return;
    f->tcp_conn = ns;
    synack_socket_set_handler(st, ns, fake_tcp_conn, f);
}

static void fake_handler(synack_stack_t *st, int sock, unsigned ev, void *arg, synack_time_t now)
{
    struct fake *f = arg;
    uint8_t buf[1024];
    struct synack_sockaddr from;
    int n;
    while ((n = synack_recvfrom(st, sock, buf, sizeof(buf), &from, now)) >= 0) {
        struct dns_msg q;
        assert_int_equal(dns_msg_parse(buf, (size_t)n, &q), 0);
        assert_true(q.h.flags & DNS_F_RD);   /* a stub asks for recursion */
        assert_int_equal(q.q.type, DNS_T_A);
        f->edns_seen += q.has_opt && q.opt_udp_size == 1232 && q.opt_version == 0;
        if (f->queries < 64) {
            f->ids[f->queries] = q.h.id;
            f->ports[f->queries] = from.port;
        }
        int k = f->queries++;
        if (f->mode == M_SILENT || k < f->drop_first)
            continue;
        fake_reply(f, &q, &from);
    }
}

struct lookup {
    int called;
    struct dns_result r;
};

static void on_result(void *arg, const struct dns_result *r, synack_time_t now)
{
    struct lookup *l = arg;
    l->called++;
    l->r = *r;
}

struct lab {
    struct simpair p;
    struct fake f;
    struct dns_resolver *r;
};

static void lab_init_cache(struct lab *L, enum mode mode, const uint32_t *servers, int nservers, const char *hosts,
                           int cache_size);

/* Without a cache: the tests that count queries ask the same name again and again. */
static void lab_init(struct lab *L, enum mode mode, const uint32_t *servers, int nservers, const char *hosts)
{
    lab_init_cache(L, mode, servers, nservers, hosts, -1);
}

static void lab_init_full(struct lab *L, enum mode mode, const uint32_t *servers, int nservers, const char *hosts,
                          int cache_size, int family);

/* These tests ask for A records only (family 4): they count queries; test_dns_aaaa asks for both. */
static void lab_init_cache(struct lab *L, enum mode mode, const uint32_t *servers, int nservers, const char *hosts,
                           int cache_size)
{
    lab_init_full(L, mode, servers, nservers, hosts, cache_size, 4);
}

static void lab_init_full(struct lab *L, enum mode mode, const uint32_t *servers, int nservers, const char *hosts,
                          int cache_size, int family)
{
    memset(L, 0, sizeof(*L));
    assert_int_equal(sp_init(&L->p, NULL, NULL, 77, 0), 0);
    L->f.p = &L->p;
    L->f.mode = mode;
    L->f.sock = synack_socket(L->p.st[1], SYNACK_SOCK_DGRAM);
    struct synack_sockaddr a = { synack_ip_any6(), 53 };
    assert_int_equal(synack_bind(L->p.st[1], L->f.sock, &a), 0);
    synack_socket_set_handler(L->p.st[1], L->f.sock, fake_handler, &L->f);
    L->f.sock5353 = synack_socket(L->p.st[1], SYNACK_SOCK_DGRAM);
    struct synack_sockaddr a2 = { synack_ip_any6(), 5353 };
    assert_int_equal(synack_bind(L->p.st[1], L->f.sock5353, &a2), 0);
    L->f.tcp_listener = synack_socket(L->p.st[1], SYNACK_SOCK_STREAM);
    assert_int_equal(synack_bind(L->p.st[1], L->f.tcp_listener, &a), 0);
    assert_int_equal(synack_listen(L->p.st[1], L->f.tcp_listener, 4), 0);
    synack_socket_set_handler(L->p.st[1], L->f.tcp_listener, fake_tcp_listen, &L->f);
    struct dns_resolver_config cfg = { .nservers = nservers, .hosts_path = hosts, .timeout = SYNACK_SEC(1),
                                       .attempts = 2, .cache_size = cache_size, .family = family };
    for (int i = 0; i < nservers; i++)
        cfg.servers[i] = synack_ip_from_v4(servers[i]);
    L->r = dns_resolver_new(L->p.st[0], &cfg);
    assert_non_null(L->r);
}

static void lab_free(struct lab *L)
{
    dns_resolver_free(L->r);
    sp_free(&L->p);
}

/* Resolves `name` and runs the network until the callback (at most 30 s of virtual time). */
static void lookup(struct lab *L, const char *name, struct lookup *l)
{
    memset(l, 0, sizeof(*l));
    assert_int_equal(dns_resolve(L->r, name, on_result, l, sp_now(&L->p)), 0);
    assert_int_equal(l->called, 0);   /* never from inside dns_resolve */
    for (int i = 0; i < 3000 && !l->called; i++)
        sp_run(&L->p, SYNACK_MS(10));
    assert_int_equal(l->called, 1);
}

static const uint32_t one_server[] = { SRV };

static void test_answer(void **state)
{
    struct lab L;
    lab_init(&L, M_ANSWER, one_server, 1, NULL);
    struct lookup l;
    synack_time_t t0 = sp_now(&L.p);
    lookup(&L, "www.Example.test", &l);
    assert_int_equal(l.r.err, 0);
    assert_int_equal(l.r.naddrs, 2);   /* the off-chain record is not used */
    assert_int_equal(synack_ip_to_v4(&l.r.addrs[0]), 0xC000024Du);
    assert_int_equal(synack_ip_to_v4(&l.r.addrs[1]), 0xC000024Eu);
    assert_string_equal(l.r.canonical, "www.Example.test");
    assert_false(l.r.from_hosts);
    assert_true(sp_now(&L.p) - t0 < SYNACK_MS(100));
    struct dns_resolver_stats s;
    dns_resolver_stats(L.r, &s);
    assert_int_equal(s.queries_sent, 1);
    assert_int_equal(s.answers, 1);
    assert_int_equal(s.retransmits, 0);
    /* a name that is not a name */
    assert_int_equal(dns_resolve(L.r, "a..b", on_result, &l, sp_now(&L.p)), -EINVAL);
    lab_free(&L);
}

/* RFC 5452 9.2: a fresh ID and a fresh source port for every query. */
static void test_random_id_and_port(void **state)
{
    struct lab L;
    lab_init(&L, M_ANSWER, one_server, 1, NULL);
    struct lookup l;
    for (int i = 0; i < 20; i++) {
        lookup(&L, "www.example.test", &l);
        assert_int_equal(l.r.err, 0);
    }
    assert_int_equal(L.f.queries, 20);
    int same_id = 0, same_port = 0;
    for (int i = 0; i < 20; i++)
        for (int k = i + 1; k < 20; k++) {
            same_id += L.f.ids[i] == L.f.ids[k];
            same_port += L.f.ports[i] == L.f.ports[k];
        }
    assert_true(same_id <= 1);
    assert_true(same_port <= 1);
    for (int i = 0; i < 20; i++)
        assert_true(L.f.ports[i] >= 49152);
    lab_free(&L);
}

static void test_retry_after_loss(void **state)
{
    struct lab L;
    lab_init(&L, M_ANSWER, one_server, 1, NULL);
    L.f.drop_first = 1;
    struct lookup l;
    synack_time_t t0 = sp_now(&L.p);
    lookup(&L, "www.example.test", &l);
    assert_int_equal(l.r.err, 0);
    synack_time_t dt = sp_now(&L.p) - t0;
    assert_true(dt >= SYNACK_SEC(1) && dt < SYNACK_MS(1100));   /* one timeout, then the answer */
    assert_int_equal(L.f.queries, 2);
    assert_int_not_equal(L.f.ports[0], L.f.ports[1]);
    struct dns_resolver_stats s;
    dns_resolver_stats(L.r, &s);
    assert_int_equal(s.retransmits, 1);
    lab_free(&L);
}

static void test_timeout(void **state)
{
    struct lab L;
    lab_init(&L, M_SILENT, one_server, 1, NULL);
    struct lookup l;
    synack_time_t t0 = sp_now(&L.p);
    lookup(&L, "www.example.test", &l);
    assert_int_equal(l.r.err, DNS_E_TIMEOUT);
    assert_int_equal(l.r.nfails, 1);   /* the one server, as silent */
    assert_int_equal(l.r.fails[0].err, DNS_E_TIMEOUT);
    assert_int_equal(synack_ip_to_v4(&l.r.fails[0].server), SRV);
    synack_time_t dt = sp_now(&L.p) - t0;
    assert_true(dt >= SYNACK_SEC(2) && dt < SYNACK_MS(2100));   /* 2 attempts x 1 s */
    assert_int_equal(L.f.queries, 2);
    lab_free(&L);
}

/* The first server is unreachable (no ARP answer): the second is asked after one timeout. */
static void test_second_server(void **state)
{
    static const uint32_t two[] = { NOBODY, SRV };
    struct lab L;
    lab_init(&L, M_ANSWER, two, 2, NULL);
    struct lookup l;
    synack_time_t t0 = sp_now(&L.p);
    lookup(&L, "www.example.test", &l);
    assert_int_equal(l.r.err, 0);
    synack_time_t dt = sp_now(&L.p) - t0;
    assert_true(dt >= SYNACK_SEC(1) && dt < SYNACK_MS(1100));
    assert_int_equal(L.f.queries, 1);
    lab_free(&L);
}

/* Forgeries are ignored and counted: a wrong ID (the real answer follows), a wrong question,
 * an answer from another port (the stack drops it: nothing listens there). */
static void test_mismatches(void **state)
{
    struct lab L;
    struct lookup l;
    struct dns_resolver_stats s;
    lab_init(&L, M_WRONG_ID_FIRST, one_server, 1, NULL);
    lookup(&L, "www.example.test", &l);
    assert_int_equal(l.r.err, 0);
    assert_int_equal(synack_ip_to_v4(&l.r.addrs[0]), 0xC000024Du);   /* not the forged 1.2.3.4 */
    dns_resolver_stats(L.r, &s);
    assert_int_equal(s.mismatched, 1);
    lab_free(&L);

    lab_init(&L, M_WRONG_QUESTION, one_server, 1, NULL);
    lookup(&L, "www.example.test", &l);
    assert_int_equal(l.r.err, DNS_E_TIMEOUT);
    dns_resolver_stats(L.r, &s);
    assert_int_equal(s.mismatched, 2);
    lab_free(&L);

    lab_init(&L, M_WRONG_PORT, one_server, 1, NULL);
    lookup(&L, "www.example.test", &l);
    assert_int_equal(l.r.err, DNS_E_TIMEOUT);
    assert_true(CTR(L.p.st[0], UdpNoPorts) >= 2);
    lab_free(&L);
}

static void test_errors(void **state)
{
    static const struct {
        enum mode mode;
        int err;
    } cases[] = {
        { M_MALFORMED, DNS_E_MALFORMED }, { M_SERVFAIL, DNS_E_SERVFAIL }, { M_REFUSED, DNS_E_REFUSED },
        { M_FORMERR, DNS_E_FORMERR },     { M_NOTIMP, DNS_E_NOTIMP },     { M_REFERRAL, DNS_E_REFERRAL },
        { M_NXDOMAIN, DNS_E_NXDOMAIN },   { M_NODATA, DNS_E_NODATA },     { M_CNAME_FOREVER, DNS_E_LOOP },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct lab L;
        struct lookup l;
        lab_init(&L, cases[i].mode, one_server, 1, NULL);
        lookup(&L, "www.example.test", &l);
        if (l.r.err != cases[i].err)
            fail_msg("mode %d: got %d, expected %d", cases[i].mode, l.r.err, cases[i].err);
        struct dns_resolver_stats s;
        dns_resolver_stats(L.r, &s);
        if (cases[i].mode == M_MALFORMED)
            assert_int_equal(s.malformed, 2);
        if (cases[i].mode == M_SERVFAIL || cases[i].mode == M_REFUSED || cases[i].mode == M_NOTIMP ||
            cases[i].mode == M_REFERRAL) {   /* no waiting: each failure moves on at once */
            assert_int_equal(s.refused, 2);
            assert_int_equal(L.f.queries, 2);
        }
        if (cases[i].mode == M_FORMERR) {   /* the first FORMERR is taken for a server without EDNS */
            assert_int_equal(s.refused, 1);
            assert_int_equal(L.f.queries, 2);
        }
        if (cases[i].err != DNS_E_NXDOMAIN && cases[i].err != DNS_E_NODATA && cases[i].err != DNS_E_LOOP) {
            /* the server is named with what it said */
            assert_int_equal(l.r.nfails, 1);
            assert_int_equal(synack_ip_to_v4(&l.r.fails[0].server), SRV);
            assert_int_equal(l.r.fails[0].err, cases[i].err);
        }
        if (cases[i].mode == M_CNAME_FOREVER)   /* 3 links per answer: 9 > 8 after the third */
            assert_int_equal(L.f.queries, 3);
        if (cases[i].mode == M_NXDOMAIN)
            assert_string_equal(l.r.canonical, "www.example.test");
        lab_free(&L);
    }
}

/* An unfinished chain is asked again from its end (RFC 1034 5.3.3). */
static void test_cname_restart(void **state)
{
    struct lab L;
    struct lookup l;
    lab_init(&L, M_CNAME_ONLY, one_server, 1, NULL);
    lookup(&L, "www.example.test", &l);
    assert_int_equal(l.r.err, 0);
    assert_int_equal(l.r.naddrs, 1);
    assert_string_equal(l.r.canonical, "web.example.test");
    struct dns_resolver_stats s;
    dns_resolver_stats(L.r, &s);
    assert_int_equal(s.restarts, 1);
    assert_int_equal(L.f.queries, 2);
    lab_free(&L);
}

/* A closed port: ICMP port unreachable ends each attempt at once. */
static void test_port_unreachable(void **state)
{
    struct lab L;
    struct lookup l;
    lab_init(&L, M_ANSWER, one_server, 1, NULL);
    synack_close(L.p.st[1], L.f.sock, sp_now(&L.p));
    synack_time_t t0 = sp_now(&L.p);
    lookup(&L, "www.example.test", &l);
    assert_int_equal(l.r.err, DNS_E_UNREACH);
    assert_int_equal(l.r.nfails, 1);
    assert_int_equal(l.r.fails[0].sys_err, -ECONNREFUSED);
    assert_true(sp_now(&L.p) - t0 < SYNACK_MS(500));
    lab_free(&L);
}

/* Servers that fail differently: each is listed with its own failure, and the lookup's is the most
 * telling one (a server's RCODE before an ICMP error before silence). */
static void test_mixed_failures(void **state)
{
    static const uint32_t two[] = { SRV, NOBODY };
    struct lab L;
    struct lookup l;
    lab_init(&L, M_REFUSED, two, 2, NULL);
    lookup(&L, "www.example.test", &l);
    assert_int_equal(l.r.err, DNS_E_REFUSED);
    assert_int_equal(l.r.nfails, 2);
    assert_int_equal(synack_ip_to_v4(&l.r.fails[0].server), SRV);
    assert_int_equal(l.r.fails[0].err, DNS_E_REFUSED);
    assert_int_equal(synack_ip_to_v4(&l.r.fails[1].server), NOBODY);
    assert_int_equal(l.r.fails[1].err, DNS_E_TIMEOUT);
    lab_free(&L);

    lab_init(&L, M_ANSWER, two, 2, NULL);   /* port unreachable at SRV, silence at NOBODY */
    synack_close(L.p.st[1], L.f.sock, sp_now(&L.p));
    lookup(&L, "www.example.test", &l);
    assert_int_equal(l.r.err, DNS_E_UNREACH);
    assert_int_equal(l.r.nfails, 2);
    assert_int_equal(l.r.fails[0].err, DNS_E_UNREACH);
    assert_int_equal(l.r.fails[1].err, DNS_E_TIMEOUT);
    lab_free(&L);
}

/* Truncated over UDP, and nobody listens on TCP port 53: the lookup says so. */
static void test_tcp_fallback_fails(void **state)
{
    struct lab L;
    struct lookup l;
    lab_init(&L, M_TC, one_server, 1, NULL);
    synack_close(L.p.st[1], L.f.tcp_listener, sp_now(&L.p));
    lookup(&L, "www.example.test", &l);
    assert_int_equal(l.r.err, DNS_E_TRUNCATED);
    assert_int_equal(l.r.nfails, 1);
    assert_int_equal(l.r.fails[0].err, DNS_E_TRUNCATED);
    assert_int_equal(L.f.tcp_queries, 0);
    lab_free(&L);
}

/* Each code has its own name, the RCODE it stands for, and codes stay apart from errno values. */
static void test_error_names(void **state)
{
    static const struct {
        int err;
        const char *name;
        int rcode;
    } names[] = {
        { DNS_E_FORMERR, "FORMERR", 1 },   { DNS_E_SERVFAIL, "SERVFAIL", 2 }, { DNS_E_NXDOMAIN, "NXDOMAIN", 3 },
        { DNS_E_NOTIMP, "NOTIMP", 4 },     { DNS_E_REFUSED, "REFUSED", 5 },   { DNS_E_RCODE(9), "NOTAUTH", 9 },
        { DNS_E_NODATA, "NODATA", -1 },    { DNS_E_TIMEOUT, "TIMEOUT", -1 },  { DNS_E_UNREACH, "UNREACH", -1 },
        { DNS_E_TRUNCATED, "TRUNCATED", -1 }, { DNS_E_MALFORMED, "MALFORMED", -1 },
        { DNS_E_REFERRAL, "REFERRAL", -1 }, { DNS_E_LOOP, "LOOP", -1 },      { DNS_E_NOSERVER, "NOSERVER", -1 },
        { 0, "OK", -1 },                   { -ENOMEM, "ENOMEM", -1 },
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        assert_string_equal(dns_errname(names[i].err), names[i].name);
        assert_int_equal(dns_err_rcode(names[i].err), names[i].rcode);
        assert_non_null(dns_strerror(names[i].err));
        if (names[i].err <= -DNS_E_BASE)
            assert_true(names[i].err < -4095);   /* below every errno value (MAX_ERRNO) */
    }
    for (int e = DNS_E_RCODE(0); e >= DNS_E_LAST; e--)
        for (int f = e - 1; f >= DNS_E_LAST; f--)
            if (dns_err_rcode(e) < 0 && dns_err_rcode(f) < 0)
                assert_string_not_equal(dns_errname(e), dns_errname(f));
}

static void test_hosts_and_literals(void **state)
{
    char path[] = "/tmp/test_dns_hosts.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *text = "# hosts\n127.0.0.1 localhost\n::1 localhost ip6-localhost\n"
                       "192.0.2.5  Gateway.example.test gw   # the router\n192.0.2.6 gw\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    struct lab L;
    struct lookup l;
    lab_init(&L, M_SILENT, one_server, 1, path);
    synack_time_t t0 = sp_now(&L.p);
    lookup(&L, "GW", &l);
    assert_int_equal(l.r.err, 0);
    assert_true(l.r.from_hosts);
    assert_int_equal(l.r.naddrs, 2);
    assert_int_equal(synack_ip_to_v4(&l.r.addrs[0]), 0xC0000205u);
    assert_int_equal(synack_ip_to_v4(&l.r.addrs[1]), 0xC0000206u);
    assert_string_equal(l.r.canonical, "Gateway.example.test");
    assert_true(sp_now(&L.p) - t0 < SYNACK_MS(20));
    lookup(&L, "localhost", &l);
    assert_int_equal(l.r.naddrs, 1);   /* A only: the IPv6 line is left out */
    assert_int_equal(synack_ip_to_v4(&l.r.addrs[0]), 0x7f000001u);
    lookup(&L, "192.0.2.99", &l);
    assert_int_equal(l.r.err, 0);
    assert_int_equal(synack_ip_to_v4(&l.r.addrs[0]), 0xC0000263u);
    assert_false(l.r.from_hosts);
    assert_int_equal(L.f.queries, 0);   /* no DNS for any of these */
    lab_free(&L);
    unlink(path);

    struct dns_hosts_match m;
    struct dns_name n = N("gw");
    assert_int_equal(dns_hosts_lookup_text("192.0.2.1 gw", 12, &n, &m), 1);      /* no final newline */
    assert_int_equal(dns_hosts_lookup_text("192.0.2.1 #gw\n", 14, &n, &m), 0);   /* commented out */
    assert_int_equal(dns_hosts_lookup_text("192.0.2 gw\n", 11, &n, &m), 0);      /* not an address */
    assert_int_equal(dns_hosts_lookup("/nonexistent/hosts", &n, &m), -ENOENT);
}

/* With no servers, a name not in the hosts file fails at once (through the timer). */
static void test_no_servers(void **state)
{
    struct lab L;
    struct lookup l;
    lab_init(&L, M_ANSWER, NULL, 0, NULL);
    lookup(&L, "www.example.test", &l);
    assert_int_equal(l.r.err, DNS_E_NOSERVER);
    lab_free(&L);
}

/* Freeing the resolver with lookups in flight: no callback, nothing leaks (ASan). */
static void test_free_pending(void **state)
{
    struct lab L;
    lab_init(&L, M_SILENT, one_server, 1, NULL);
    struct lookup l1 = { 0 }, l2 = { 0 };
    assert_int_equal(dns_resolve(L.r, "www.example.test", on_result, &l1, sp_now(&L.p)), 0);
    assert_int_equal(dns_resolve(L.r, "10.0.0.7", on_result, &l2, sp_now(&L.p)), 0);
    sp_run(&L.p, SYNACK_MS(100));
    assert_int_equal(l2.called, 1);
    dns_resolver_free(L.r);
    L.r = NULL;
    sp_run(&L.p, SYNACK_SEC(10));
    assert_int_equal(l1.called, 0);
    lab_free(&L);
}

/* RFC 6891: every query offers 1232 bytes in an OPT record. */
static void test_edns(void **state)
{
    struct lab L;
    struct lookup l;
    lab_init(&L, M_ANSWER, one_server, 1, NULL);
    lookup(&L, "www.example.test", &l);
    assert_int_equal(l.r.err, 0);
    assert_int_equal(L.f.queries, 1);
    assert_int_equal(L.f.edns_seen, 1);
    lab_free(&L);
}

/* RFC 6891 7: FORMERR to a query with OPT: asked again without it, at once. */
static void test_edns_fallback(void **state)
{
    struct lab L;
    struct lookup l;
    lab_init(&L, M_NO_EDNS, one_server, 1, NULL);
    synack_time_t t0 = sp_now(&L.p);
    lookup(&L, "www.example.test", &l);
    assert_int_equal(l.r.err, 0);
    assert_int_equal(l.r.naddrs, 2);
    assert_int_equal(L.f.queries, 2);
    assert_int_equal(L.f.edns_seen, 1);
    assert_true(sp_now(&L.p) - t0 < SYNACK_MS(500));   /* no timeout waited */
    lab_free(&L);
}

/* RFC 7766 5: a truncated answer is asked again over TCP, whose answer arrives with its length
 * prefix cut over segments. */
static void test_tcp_fallback(void **state)
{
    struct lab L;
    struct lookup l;
    lab_init(&L, M_TC, one_server, 1, NULL);
    lookup(&L, "www.example.test", &l);
    assert_int_equal(l.r.err, 0);
    assert_int_equal(l.r.naddrs, 2);
    assert_true(l.r.over_tcp);
    assert_int_equal(L.f.queries, 1);       /* one UDP query, no retry */
    assert_int_equal(L.f.tcp_queries, 1);
    struct dns_resolver_stats s;
    dns_resolver_stats(L.r, &s);
    assert_int_equal(s.truncated, 1);
    assert_int_equal(s.tcp_queries, 1);
    lab_free(&L);
}

struct cache_row {
    int n;
    char names[8][64];
    int errs[8];
    uint32_t ttls[8];
};

static void cache_row(void *arg, const char *name, uint16_t type, const struct dns_result *res, uint32_t ttl_left)
{
    struct cache_row *c = arg;
    if (c->n < 8) {
        snprintf(c->names[c->n], sizeof(c->names[0]), "%s", name);
        c->errs[c->n] = res->err;
        c->ttls[c->n++] = ttl_left;
    }
}

/* Answers are kept for their TTL (60 s here): a second lookup within it sends nothing. */
static void test_cache_positive(void **state)
{
    struct lab L;
    struct lookup l;
    lab_init_cache(&L, M_ANSWER, one_server, 1, NULL, 0);
    lookup(&L, "www.example.test", &l);
    assert_false(l.r.from_cache);
    sp_run(&L.p, SYNACK_SEC(30));
    lookup(&L, "WWW.example.test", &l);   /* names compare ignoring case */
    assert_int_equal(l.r.err, 0);
    assert_true(l.r.from_cache);
    assert_int_equal(l.r.naddrs, 2);
    assert_int_equal(L.f.queries, 1);
    struct cache_row c = { 0 };
    dns_resolver_cache_foreach(L.r, sp_now(&L.p), cache_row, &c);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.names[0], "www.example.test");
    assert_true(c.ttls[0] <= 30 && c.ttls[0] >= 29);
    sp_run(&L.p, SYNACK_SEC(31));   /* past the TTL: asked again */
    lookup(&L, "www.example.test", &l);
    assert_false(l.r.from_cache);
    assert_int_equal(L.f.queries, 2);
    struct dns_resolver_stats s;
    dns_resolver_stats(L.r, &s);
    assert_int_equal(s.cache_hits, 1);
    lab_free(&L);
}

/* RFC 2308 3, 5: NXDOMAIN and NODATA are kept for min(SOA TTL 60, MINIMUM 5) = 5 s; without an
 * SOA, not at all. */
static void test_cache_negative(void **state)
{
    static const enum mode modes[] = { M_NXDOMAIN, M_NODATA };
    for (int i = 0; i < 2; i++) {
        struct lab L;
        struct lookup l;
        lab_init_cache(&L, modes[i], one_server, 1, NULL, 0);
        lookup(&L, "www.example.test", &l);
        int err = modes[i] == M_NXDOMAIN ? DNS_E_NXDOMAIN : DNS_E_NODATA;
        assert_int_equal(l.r.err, err);
        sp_run(&L.p, SYNACK_SEC(4));
        lookup(&L, "www.example.test", &l);
        assert_int_equal(l.r.err, err);
        assert_true(l.r.from_cache);
        assert_int_equal(L.f.queries, 1);
        struct cache_row c = { 0 };
        dns_resolver_cache_foreach(L.r, sp_now(&L.p), cache_row, &c);
        assert_int_equal(c.n, 1);
        assert_int_equal(c.errs[0], err);
        assert_true(c.ttls[0] <= 1);
        sp_run(&L.p, SYNACK_SEC(2));
        lookup(&L, "www.example.test", &l);
        assert_false(l.r.from_cache);
        assert_int_equal(L.f.queries, 2);
        lab_free(&L);
    }
    struct lab L;
    struct lookup l;
    lab_init_cache(&L, M_NXDOMAIN_NOSOA, one_server, 1, NULL, 0);
    lookup(&L, "www.example.test", &l);
    assert_int_equal(l.r.err, DNS_E_NXDOMAIN);
    lookup(&L, "www.example.test", &l);
    assert_false(l.r.from_cache);
    assert_int_equal(L.f.queries, 2);
    lab_free(&L);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_answer),
        cmocka_unit_test(test_random_id_and_port),
        cmocka_unit_test(test_retry_after_loss),
        cmocka_unit_test(test_timeout),
        cmocka_unit_test(test_second_server),
        cmocka_unit_test(test_mismatches),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_cname_restart),
        cmocka_unit_test(test_port_unreachable),
        cmocka_unit_test(test_mixed_failures),
        cmocka_unit_test(test_tcp_fallback_fails),
        cmocka_unit_test(test_error_names),
        cmocka_unit_test(test_hosts_and_literals),
        cmocka_unit_test(test_no_servers),
        cmocka_unit_test(test_free_pending),
        cmocka_unit_test(test_edns),
        cmocka_unit_test(test_edns_fallback),
        cmocka_unit_test(test_tcp_fallback),
        cmocka_unit_test(test_cache_positive),
        cmocka_unit_test(test_cache_negative),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
