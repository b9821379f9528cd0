/* Sim tier: our resolver (stack A, 192.0.2.1) against our authoritative server (stack B,
 * 192.0.2.2:53) over a simulated link with loss, duplication, reordering, jitter and corruption,
 * under virtual time, for several seeds. Lookups run in waves, many in flight at once.
 *
 * Checked for every seed:
 *  - no lookup ever gets a wrong answer: each ends with exactly the zone's data (addresses,
 *    canonical name after CNAMEs, NXDOMAIN, NODATA) or, when loss ate every attempt, DNS_E_TIMEOUT;
 *  - loss made the resolver retry (retransmits > 0) and most lookups still succeeded;
 *  - corrupted frames never reached either side as DNS (dropped by UDP's checksum), so the
 *    server counted no malformed query and the resolver no malformed answer;
 *  - every callback ran exactly once, and the same seed gives the same run (results, counters,
 *    finishing times);
 *  - on a clean link every lookup succeeds on the first attempt. */
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

#include "../apps/dns/msg.h"
#include "../apps/dns/respond.h"
#include "../apps/dns/resolver.h"
#include "../apps/dns/server.h"
#include "sim/lib_tcpsim.h"

#define LOOKUPS 240
#define WAVE 24

static const char zone[] =
    "$ORIGIN example.test.\n"
    "$TTL 300\n"
    "@      SOA ns hostmaster 1 3600 600 86400 60\n"
    "       NS  ns\n"
    "ns     A   192.0.2.2\n"
    "www    A   192.0.2.77\n"
    "       A   192.0.2.78\n"
    "alias  CNAME web\n"
    "web    CNAME www\n"
    "txtonly NS ns   ; exists, no A\n";

struct expect {
    const char *name;
    int err;
    int naddrs;
    const char *canonical;
};

static const struct expect names[] = {
    { "www.example.test", 0, 2, "www.example.test" },
    { "ALIAS.example.test", 0, 2, "www.example.test" },
    { "ns.example.test", 0, 1, "ns.example.test" },
    { "missing.example.test", DNS_E_NXDOMAIN, 0, "missing.example.test" },
    { "example.test", DNS_E_NODATA, 0, "example.test" },
};
#define NNAMES (sizeof(names) / sizeof(names[0]))

struct slot {
    int called;
    int which;
    synack_time_t done_at;
    struct dns_result r;
    struct tcpsim *t;
};

static void on_result(void *arg, const struct dns_result *r, synack_time_t now)
{
    struct slot *s = arg;
    s->called++;
    s->r = *r;
    s->done_at = now;
}

struct outcome {
    int ok, timeouts;
    uint64_t hash;
    struct dns_resolver_stats rs;
    struct dns_server_stats ss;
};

static void run(const char *zone_path, uint64_t seed, double impair, struct outcome *out)
{
    struct synack_simlink_config lc;
    synack_simlink_config_init(&lc);
    lc.latency = SYNACK_MS(5);
    lc.jitter = SYNACK_MS(2);
    lc.loss = impair;
    lc.duplicate = impair / 2;
    lc.reorder = impair;
    lc.reorder_delay = SYNACK_MS(7);
    lc.corrupt = impair / 2;
    struct tcpsim t;
    struct synack_simlink_config clean = lc;
    clean.loss = clean.duplicate = clean.reorder = clean.corrupt = 0;
    tcpsim_init(&t, &clean, seed);
    /* ARP first, on a clean link: a wave of queries to an unresolved neighbour would overflow the
     * ARP queue (and a lost ARP request stalls it for a second), and the counts below would see
     * retries that are not the resolver's doing. The run stays under the ARP timeout (60 s). */
    struct synack_ip ping_dst = synack_ip_from_v4(SIM_B);
    synack_ping(t.st[0], &ping_dst, 1, 1, "x", 1, tcpsim_now(&t));
    synack_simnet_run_until(t.net, tcpsim_now(&t) + SYNACK_MS(100));
    synack_simlink_set_config(t.link, &lc);
    char err[256];
    struct dns_server *srv = dns_server_start(t.st[1], zone_path, 53, err, sizeof(err));
    if (!srv)
        fail_msg("%s", err);
    struct dns_resolver_config cfg = { .nservers = 1, .timeout = SYNACK_MS(300), .attempts = 5, .cache_size = -1,
                                         .family = 4 };
    cfg.servers[0] = synack_ip_from_v4(SIM_B);
    struct dns_resolver *r = dns_resolver_new(t.st[0], &cfg);

    static struct slot slots[LOOKUPS];
    memset(slots, 0, sizeof(slots));
    for (int w = 0; w < LOOKUPS / WAVE; w++) {
        for (int k = 0; k < WAVE; k++) {
            int i = w * WAVE + k;
            slots[i].which = i % (int)NNAMES;
            slots[i].t = &t;
            assert_int_equal(dns_resolve(r, names[slots[i].which].name, on_result, &slots[i], tcpsim_now(&t)), 0);
        }
        synack_simnet_run_until(t.net, tcpsim_now(&t) + SYNACK_SEC(3));
    }
    synack_simnet_run_until(t.net, tcpsim_now(&t) + SYNACK_SEC(10));

    memset(out, 0, sizeof(*out));
    out->hash = HASH_INIT;
    for (int i = 0; i < LOOKUPS; i++) {
        const struct slot *s = &slots[i];
        const struct expect *e = &names[s->which];
        assert_int_equal(s->called, 1);
        out->hash = hash_update(out->hash, (const uint8_t *)&s->r.err, sizeof(s->r.err));
        out->hash = hash_update(out->hash, (const uint8_t *)&s->done_at, sizeof(s->done_at));
        if (s->r.err == DNS_E_TIMEOUT) {
            out->timeouts++;
            continue;
        }
        if (s->r.err != e->err)
            fail_msg("seed %llu lookup %d (%s): err %d, expected %d", (unsigned long long)seed, i, e->name,
                     s->r.err, e->err);
        assert_int_equal(s->r.naddrs, e->naddrs);
        assert_string_equal(s->r.canonical, e->canonical);
        if (e->naddrs >= 1)
            assert_int_equal(synack_ip_to_v4(&s->r.addrs[0]), e->naddrs == 2 ? 0xC000024Du : SIM_B);
        if (e->naddrs == 2)
            assert_int_equal(synack_ip_to_v4(&s->r.addrs[1]), 0xC000024Eu);
        out->ok++;
    }
    dns_resolver_stats(r, &out->rs);
    dns_server_stats(srv, &out->ss);
    /* Corruption never gets past UDP's checksum into DNS. */
    assert_int_equal(out->rs.malformed, 0);
    assert_int_equal(out->ss.malformed, 0);
    assert_int_equal(dns_server_dropped(srv), 0);
    assert_int_equal(out->rs.lookups, LOOKUPS);
    assert_int_equal(out->rs.timeouts, (uint64_t)out->timeouts);
    dns_resolver_free(r);
    dns_server_stop(srv);
    tcpsim_free(&t);
}

static char zone_path[64];

static int setup(void **state)
{
    snprintf(zone_path, sizeof(zone_path), "/tmp/test_sim_dns.XXXXXX");
    int fd = mkstemp(zone_path);
    if (fd < 0 || write(fd, zone, strlen(zone)) != (ssize_t)strlen(zone))
        return -1;
    close(fd);
    return 0;
}

static int teardown(void **state)
{
    unlink(zone_path);
    return 0;
}

static void test_clean_link(void **state)
{
    struct outcome o;
    run(zone_path, 1, 0, &o);
    assert_int_equal(o.ok, LOOKUPS);
    assert_int_equal(o.rs.retransmits, 0);
    assert_int_equal(o.rs.queries_sent, LOOKUPS);
    assert_int_equal(o.ss.answered, LOOKUPS);
    assert_int_equal(o.ss.nxdomain, LOOKUPS / NNAMES);
    assert_int_equal(o.ss.nodata, LOOKUPS / NNAMES);
}

static void test_impaired(void **state)
{
    for (uint64_t seed = 1; seed <= 6; seed++) {
        struct outcome o, again;
        run(zone_path, seed, 0.2, &o);
        /* P(one attempt lost) ~ 1 - 0.8^2 = 0.36; all five ~ 0.6 % */
        printf("seed %llu: %d ok, %d timed out, %llu queries, %llu retransmits, %llu answers sent\n",
               (unsigned long long)seed, o.ok, o.timeouts, (unsigned long long)o.rs.queries_sent,
               (unsigned long long)o.rs.retransmits, (unsigned long long)o.ss.answered);
        assert_true(o.rs.retransmits > 20);
        assert_true(o.ok >= LOOKUPS * 95 / 100);
        run(zone_path, seed, 0.2, &again);
        assert_int_equal(again.hash, o.hash);
        assert_int_equal(again.rs.queries_sent, o.rs.queries_sent);
        assert_int_equal(again.ss.answered, o.ss.answered);
    }
}

/* ---- the server over TCP (RFC 7766), the resolver's TCP fallback and cache ---- */

struct tclient {
    int sock, eof;
    synack_time_t eof_at;
    uint8_t buf[65536];
    size_t len;
};

static void tclient_handler(synack_stack_t *st, int sock, unsigned ev, void *arg, synack_time_t now)
{
    struct tclient *c = arg;
    for (;;) {
        int n = synack_recv(st, sock, c->buf + c->len, sizeof(c->buf) - c->len, now);
        if (n > 0) {
            c->len += (size_t)n;
            continue;
        }
        if (n == 0 && !c->eof) {
            c->eof = 1;
            c->eof_at = now;
        }
        return;
    }
}

static size_t tquery(uint8_t *buf, uint16_t id, const char *name)
{
    struct dns_builder b;
    struct dns_header h = { .id = id };
    dns_build_init(&b, buf + 2, 512, &h);
    struct dns_name n;
    assert_int_equal(dns_name_from_text(name, NULL, &n), 0);
    assert_int_equal(dns_build_question(&b, &n, DNS_T_A, DNS_C_IN), 0);
    size_t l = dns_build_finish(&b);
    buf[0] = (uint8_t)(l >> 8);
    buf[1] = (uint8_t)l;
    return l + 2;
}

static void test_tcp(void **state)
{
    /* a zone with a name whose A set does not fit 1232 bytes */
    char big_zone[8192];
    size_t o = (size_t)snprintf(big_zone, sizeof(big_zone), "%s", zone);
    for (int i = 0; i < 100; i++)
        o += (size_t)snprintf(big_zone + o, sizeof(big_zone) - o, "big A 10.1.%d.%d\n", i / 200, i % 200 + 1);
    char path[64];
    snprintf(path, sizeof(path), "/tmp/test_sim_dns_tcp.XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0 && write(fd, big_zone, o) == (ssize_t)o);
    close(fd);
    struct synack_simlink_config lc;
    synack_simlink_config_init(&lc);
    lc.latency = SYNACK_MS(5);
    struct tcpsim t;
    tcpsim_init(&t, &lc, 3);
    char err[256];
    struct dns_server *srv = dns_server_start(t.st[1], path, 53, err, sizeof(err));
    if (!srv)
        fail_msg("%s", err);

    /* three queries on one connection; the first one's length prefix split over two segments,
     * the other two in one segment */
    struct tclient *c = calloc(1, sizeof(*c));
    synack_stack_t *st = t.st[0];
    c->sock = synack_socket(st, SYNACK_SOCK_STREAM);
    synack_socket_set_handler(st, c->sock, tclient_handler, c);
    struct synack_sockaddr peer = synack_sockaddr_from_v4(SIM_B, 53);
    assert_int_equal(synack_connect(st, c->sock, &peer, tcpsim_now(&t)), -EINPROGRESS);
    synack_simnet_run_until(t.net, tcpsim_now(&t) + SYNACK_MS(50));
    uint8_t q[1200];
    size_t l1 = tquery(q, 0x101, "www.example.test");
    assert_int_equal(synack_send(st, c->sock, q, 1, tcpsim_now(&t)), 1);
    synack_simnet_run_until(t.net, tcpsim_now(&t) + SYNACK_MS(30));
    assert_int_equal(synack_send(st, c->sock, q + 1, l1 - 1, tcpsim_now(&t)), (int)(l1 - 1));
    size_t l2 = tquery(q, 0x202, "missing.example.test");
    size_t l3 = tquery(q + l2, 0x303, "big.example.test");
    assert_int_equal(synack_send(st, c->sock, q, l2 + l3, tcpsim_now(&t)), (int)(l2 + l3));
    synack_simnet_run_until(t.net, tcpsim_now(&t) + SYNACK_MS(200));
    size_t off = 0;
    int seen = 0;
    while (off + 2 <= c->len) {
        size_t ml = (size_t)c->buf[off] << 8 | c->buf[off + 1];
        assert_true(off + 2 + ml <= c->len);
        struct dns_msg m;
        assert_int_equal(dns_msg_parse(c->buf + off + 2, ml, &m), 0);
        int rcode = m.h.flags & DNS_F_RCODE_MASK;
        assert_false(m.h.flags & DNS_F_TC);   /* over TCP the whole answer goes */
        if (m.h.id == 0x101) {
            assert_int_equal(rcode, DNS_R_NOERROR);
            assert_int_equal(m.h.ancount, 2);
            seen |= 1;
        } else if (m.h.id == 0x202) {
            assert_int_equal(rcode, DNS_R_NXDOMAIN);
            seen |= 2;
        } else if (m.h.id == 0x303) {
            assert_int_equal(m.h.ancount, 100);
            assert_true(ml > DNS_EDNS_SIZE);
            seen |= 4;
        } else {
            fail_msg("answer with unknown ID %04x", m.h.id);
        }
        off += 2 + ml;
    }
    assert_int_equal(off, c->len);
    assert_int_equal(seen, 7);
    /* RFC 7766 6.2.3: an idle connection is closed by the server */
    synack_time_t idle_from = tcpsim_now(&t);
    synack_simnet_run_until(t.net, tcpsim_now(&t) + DNS_TCP_IDLE + SYNACK_SEC(1));
    assert_true(c->eof);
    assert_true(c->eof_at - idle_from >= DNS_TCP_IDLE - SYNACK_MS(300));
    struct dns_server_stats ss;
    dns_server_stats(srv, &ss);
    assert_int_equal(ss.tcp_conns, 1);
    assert_int_equal(ss.tcp_queries, 3);
    assert_int_equal(ss.tcp_idle_closes, 1);
    synack_close(st, c->sock, tcpsim_now(&t));
    free(c);

    /* the resolver: the big set truncated over UDP, asked again over TCP; then from the cache */
    struct dns_resolver_config cfg = { .nservers = 1, .timeout = SYNACK_MS(500), .attempts = 2, .family = 4 };
    cfg.servers[0] = synack_ip_from_v4(SIM_B);
    struct dns_resolver *r = dns_resolver_new(st, &cfg);
    struct slot sl = { 0 };
    assert_int_equal(dns_resolve(r, "big.example.test", on_result, &sl, tcpsim_now(&t)), 0);
    synack_simnet_run_until(t.net, tcpsim_now(&t) + SYNACK_SEC(2));
    assert_int_equal(sl.called, 1);
    assert_int_equal(sl.r.err, 0);
    assert_true(sl.r.over_tcp);
    assert_int_equal(sl.r.naddrs, DNS_MAX_ADDRS);
    memset(&sl, 0, sizeof(sl));
    assert_int_equal(dns_resolve(r, "big.example.test", on_result, &sl, tcpsim_now(&t)), 0);
    synack_simnet_run_until(t.net, tcpsim_now(&t) + SYNACK_MS(10));
    assert_int_equal(sl.called, 1);
    assert_true(sl.r.from_cache);
    struct dns_resolver_stats rs;
    dns_resolver_stats(r, &rs);
    assert_int_equal(rs.queries_sent, 1);
    assert_int_equal(rs.truncated, 1);
    assert_int_equal(rs.tcp_queries, 1);
    assert_int_equal(rs.cache_hits, 1);
    dns_resolver_free(r);
    dns_server_stop(srv);
    tcpsim_free(&t);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clean_link),
        cmocka_unit_test(test_impaired),
        cmocka_unit_test(test_tcp),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
