/* The stub resolver (see resolver.h): a state machine per lookup, driven by synack timers and UDP
 * socket events.
 *
 * Each attempt (one query to one server) gets its own socket, bound to a random ephemeral port by
 * the stack (RFC 6056) and connected to the server, and its own random ID: RFC 5452 4 and 9.2 ask
 * for both, so a forger has to guess 32 bits. Connecting also makes the stack drop datagrams from
 * any other address or port and report an ICMP port unreachable as ECONNREFUSED. An attempt that
 * times out keeps its socket until the lookup ends, so a late answer still counts.
 *
 * A truncated answer ends the UDP attempts: the same question goes to the same server over one TCP
 * connection (a new ID, a two-byte length before each message, the answer read however the
 * segments cut it), bounded by the attempt timeout.
 *
 * A lookup (struct dns_lookup) runs one query per family asked, side by side (RFC 3596 asks
 * for AAAA beside A; getaddrinfo() with AF_UNSPEC sends both at once): each query is the state
 * machine above for its own type, with its own cache entry. When every query of the lookup has
 * ended, their outcomes are merged (order.h) and the caller's callback runs.
 *
 * Socket handlers and timers work on the `now` the stack gives them and read no clock, so
 * simulations stay exact. */
#include "resolver.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "hosts.h"
#include "msg.h"
#include "order.h"
#include "reply.h"

#define DNS_MAX_TRIES 16        /* attempts per name: rounds x servers, capped */
#define DNS_DEFAULT_TIMEOUT SYNACK_SEC(2)
#define DNS_DEFAULT_ATTEMPTS 2

struct attempt {
    int sock;                   /* -1 once closed */
    uint16_t id;
    int server;
};

struct dns_query {
    struct dns_resolver *r;
    struct dns_query *next;
    struct lookup_part *part;   /* the lookup it belongs to */
    uint16_t qtype;             /* DNS_T_A or DNS_T_AAAA (0: a literal or the hosts file) */
    struct dns_name name;       /* the name being asked for (moves along a CNAME chain) */
    int links;                  /* CNAME links followed so far */
    struct attempt att[DNS_MAX_TRIES];
    int natt;                   /* attempts started for the current name */
    int fail;                   /* the most telling failure of an attempt so far (0: none) */
    synack_timer_t *timer;      /* the current attempt's timeout, or the final delivery */
    int finished;               /* result is final; the timer delivers it */
    struct dns_result result;
    struct dns_name asked;      /* the name as asked: the cache's key */
    uint32_t ttl;               /* the smallest TTL of every response used so far */
    int no_edns;                /* a server said FORMERR to our OPT: ask without it (RFC 6891 7) */
    /* the query over TCP after a truncated answer */
    int tcp_sock;               /* -1: none */
    uint16_t tcp_id;
    int tcp_server;
    size_t tcp_qlen, tcp_qoff;  /* the query (prefix included) and how much of it is sent */
    uint8_t tcp_q[2 + DNS_UDP_MAX];
    uint8_t *tcp_in;            /* the answer being read (prefix included) */
    size_t tcp_len, tcp_cap;
};

/* One query of a lookup, as the query's callback sees it. */
struct lookup_part {
    struct dns_lookup *lk;
    int slot;                   /* 0: A, 1: AAAA */
};

struct dns_lookup {
    struct dns_resolver *r;
    struct dns_lookup *next;
    dns_result_fn cb;
    void *arg;
    struct lookup_part part[2];
    struct dns_result res[2];
    int asked[2];               /* which slots were asked */
    int pending;                /* queries not yet ended */
    unsigned types;             /* DNS_ASKED_* */
    int sort;                   /* the addresses came from the hosts file: order them */
};

struct dns_resolver {
    synack_stack_t *st;
    struct dns_resolver_config cfg;
    struct dns_query *queries;
    struct dns_lookup *lookups;
    struct dns_resolver_stats stats;
    synack_time_t now;          /* the latest time we were given, for closing sockets on free */
    struct dns_cache cache;
    uint8_t buf[65536];         /* one datagram at a time */
};

static void query_start_attempt(struct dns_query *q, synack_time_t now);
struct lookup_part;
static void lookup_part_done(struct lookup_part *part, const struct dns_result *res, synack_time_t now);

struct dns_resolver *dns_resolver_new(synack_stack_t *st, const struct dns_resolver_config *cfg)
{
    if (!st || !cfg || cfg->nservers < 0 || cfg->nservers > DNS_MAX_SERVERS || cfg->attempts < 0 ||
        (cfg->family != 0 && cfg->family != 4 && cfg->family != 6))
        return NULL;
    struct dns_resolver *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    r->st = st;
    r->cfg = *cfg;
    if (!r->cfg.timeout)
        r->cfg.timeout = DNS_DEFAULT_TIMEOUT;
    if (!r->cfg.attempts)
        r->cfg.attempts = DNS_DEFAULT_ATTEMPTS;
    if (r->cfg.nservers && r->cfg.attempts * r->cfg.nservers > DNS_MAX_TRIES)
        r->cfg.attempts = DNS_MAX_TRIES / r->cfg.nservers;
    dns_cache_init(&r->cache, r->cfg.cache_size < 0 ? 0 : r->cfg.cache_size ? (unsigned)r->cfg.cache_size
                                                                            : DNS_CACHE_DEFAULT);
    return r;
}

void dns_resolver_stats(const struct dns_resolver *r, struct dns_resolver_stats *out) { *out = r->stats; }

static void close_tcp(struct dns_query *q, synack_time_t now)
{
    if (q->tcp_sock >= 0)
        synack_close(q->r->st, q->tcp_sock, now);
    q->tcp_sock = -1;
    free(q->tcp_in);
    q->tcp_in = NULL;
    q->tcp_len = q->tcp_cap = 0;
}

static void close_attempts(struct dns_query *q, synack_time_t now)
{
    for (int i = 0; i < q->natt; i++)
        if (q->att[i].sock >= 0) {
            synack_close(q->r->st, q->att[i].sock, now);
            q->att[i].sock = -1;
        }
    close_tcp(q, now);
}

static void query_free(struct dns_query *q, synack_time_t now)
{
    close_attempts(q, now);
    synack_timer_free(q->timer);
    free(q);
}

static void query_unlink(struct dns_query *q)
{
    struct dns_query **pp = &q->r->queries;
    while (*pp && *pp != q)
        pp = &(*pp)->next;
    if (*pp)
        *pp = q->next;
}

/* Ends the lookup and runs the callback last, so that it may call anything, even free the
 * resolver. */
static void query_deliver(struct dns_query *q, synack_time_t now)
{
    struct lookup_part *part = q->part;
    struct dns_result res = q->result;
    res.types = q->qtype == DNS_T_A ? DNS_ASKED_A : q->qtype == DNS_T_AAAA ? DNS_ASKED_AAAA : 0;
    query_unlink(q);
    query_free(q, now);
    lookup_part_done(part, &res, now);
}

/* Records the outcome; delivery goes through the timer at `now`, so the callback never runs
 * inside dns_resolve and always in a timer callback (like a socket handler). */
static void query_finish(struct dns_query *q, int err, synack_time_t now)
{
    q->result.err = err;
    q->finished = 1;
    close_attempts(q, now);
    synack_timer_arm(q->timer, now);
}

/* An answer from DNS: cached under the name asked, for the TTL of everything it rests on. */
static void query_cache(struct dns_query *q, uint32_t ttl, int neg, synack_time_t now)
{
    struct dns_resolver *r = q->r;
    uint64_t before = r->cache.stored;
    dns_cache_put(&r->cache, &q->asked, q->qtype, &q->result, ttl, neg, now);
    r->stats.cache_stored += r->cache.stored - before;
}

static void set_canonical(struct dns_query *q, const struct dns_name *n)
{
    if (dns_name_to_text(n, q->result.canonical, sizeof(q->result.canonical)) < 0)
        q->result.canonical[0] = 0;   /* escaped text too long to show; the addresses still count */
}

/* How much a failure tells: a server's own word (an RCODE, a referral) more than an ICMP error,
 * that more than a broken answer, that more than silence. */
static int fail_rank(int err)
{
    if (dns_err_rcode(err) >= 0 || err == DNS_E_REFERRAL)
        return 3;
    return err == DNS_E_UNREACH ? 2 : err == DNS_E_MALFORMED ? 1 : 0;
}

/* Server `server` failed with `err`: kept in the result's list (each server once, its latest
 * failure; a timeout only for a server with nothing else), and as the lookup's failure if it tells
 * at least as much as the one so far. */
static void note_fail(struct dns_query *q, int server, int err, int sys_err)
{
    struct dns_result *res = &q->result;
    const struct synack_ip *ip = &q->r->cfg.servers[server];
    int i = 0;
    while (i < res->nfails && !synack_ip_equal(&res->fails[i].server, ip))
        i++;
    if (i < res->nfails && err == DNS_E_TIMEOUT)
        return;
    if (i == res->nfails && res->nfails < DNS_MAX_SERVERS)
        res->fails[res->nfails++].server = *ip;
    if (i < res->nfails) {
        res->fails[i].err = err;
        res->fails[i].sys_err = sys_err;
    }
    if (err != DNS_E_TIMEOUT && fail_rank(err) >= fail_rank(q->fail))
        q->fail = err;
}

/* Every attempt for this name has failed or timed out: the servers that never answered are
 * listed as timed out, and the lookup ends with its most telling failure. */
static void query_give_up(struct dns_query *q, synack_time_t now)
{
    for (int i = 0; i < q->natt; i++)
        note_fail(q, q->att[i].server, DNS_E_TIMEOUT, 0);
    query_finish(q, q->fail ? q->fail : DNS_E_TIMEOUT, now);
}

/* Attempt ai failed (its server said no, or an ICMP error came back): its socket closes, and the
 * failure of the newest attempt starts the next one at once (an older one already timed out, and
 * its successor is under way). Returns 1 if it did. */
static int attempt_failed(struct dns_query *q, int ai, synack_time_t now)
{
    struct attempt *a = &q->att[ai];
    synack_close(q->r->st, a->sock, now);
    a->sock = -1;
    if (ai != q->natt - 1)
        return 0;
    query_start_attempt(q, now);
    return 1;
}

static void on_timer(synack_stack_t *st, void *arg, synack_time_t now)
{
    struct dns_query *q = arg;
    q->r->now = now;
    if (q->finished) {
        query_deliver(q, now);
        return;
    }
    if (q->tcp_sock >= 0) {
        /* the TCP query took longer than an attempt may */
        note_fail(q, q->tcp_server, DNS_E_TRUNCATED, -ETIMEDOUT);
        query_finish(q, DNS_E_TRUNCATED, now);
        return;
    }
    /* The current attempt timed out: the next one (its socket stays open for a late answer). */
    query_start_attempt(q, now);
}

/* One response on attempt `a`. Returns 1 if the lookup moved on (finished, restarted or went to
 * the next server), so the caller stops reading this query's sockets. */
static void start_tcp(struct dns_query *q, int server, synack_time_t now);

static int on_response(struct dns_query *q, int ai, const uint8_t *p, size_t len, synack_time_t now)
{
    struct dns_resolver *r = q->r;
    struct attempt *a = ai >= 0 ? &q->att[ai] : NULL;
    struct dns_reply rep;
    dns_reply_read(p, len, a ? a->id : q->tcp_id, &q->name, q->qtype, DNS_CNAME_CHAIN_MAX - q->links, &rep);
    if (rep.kind != DNS_REPLY_IGNORE && rep.kind != DNS_REPLY_MALFORMED && rep.ttl < q->ttl)
        q->ttl = rep.ttl;
    switch (rep.kind) {
    case DNS_REPLY_IGNORE:
        r->stats.mismatched++;
        return 0;
    case DNS_REPLY_MALFORMED:
        r->stats.malformed++;
        note_fail(q, a ? a->server : q->tcp_server, DNS_E_MALFORMED, 0);
        if (!a) {   /* one message per TCP query: a broken one ends it */
            query_finish(q, DNS_E_MALFORMED, now);
            return 1;
        }
        return 0;
    case DNS_REPLY_TRUNCATED:
        r->stats.truncated++;
        set_canonical(q, &rep.canonical);
        if (!a) {   /* truncated over TCP too: nothing more to try */
            note_fail(q, q->tcp_server, DNS_E_TRUNCATED, -EMSGSIZE);
            query_finish(q, DNS_E_TRUNCATED, now);
            return 1;
        }
        start_tcp(q, a->server, now);
        return 1;
    case DNS_REPLY_SERVER_FAIL: {
        if (rep.rcode == DNS_R_FORMERR && !q->no_edns && a) {
            /* RFC 6891 7: a server that does not know EDNS may answer FORMERR to the OPT; ask it
             * again without (the attempt after this one) */
            q->no_edns = 1;
            return attempt_failed(q, ai, now);
        }
        /* an error RCODE, or NOERROR with a referral: this server cannot answer for us */
        int err = rep.rcode ? DNS_E_RCODE(rep.rcode) : DNS_E_REFERRAL;
        r->stats.refused++;
        note_fail(q, a ? a->server : q->tcp_server, err, 0);
        if (!a) {
            query_finish(q, err, now);
            return 1;
        }
        return attempt_failed(q, ai, now);
    }
    case DNS_REPLY_LOOP:
        set_canonical(q, &rep.canonical);
        query_finish(q, DNS_E_LOOP, now);
        return 1;
    case DNS_REPLY_CNAME:
        /* RFC 1034 5.3.3: restart the query at the chain's end, with fresh IDs and ports. */
        q->links += rep.links;
        close_attempts(q, now);
        q->name = rep.canonical;
        q->natt = 0;
        q->fail = 0;
        q->result.nfails = 0;
        r->stats.restarts++;
        query_start_attempt(q, now);
        return 1;
    case DNS_REPLY_ADDRS:
        set_canonical(q, &rep.canonical);
        for (int i = 0; i < rep.naddrs && i < DNS_MAX_ADDRS; i++)
            q->result.addrs[q->result.naddrs++] = rep.addrs[i];
        q->result.over_tcp = !a;
        query_finish(q, 0, now);
        query_cache(q, q->ttl, 0, now);
        return 1;
    case DNS_REPLY_NXDOMAIN:
    case DNS_REPLY_NODATA:
        set_canonical(q, &rep.canonical);
        q->result.over_tcp = !a;
        query_finish(q, rep.kind == DNS_REPLY_NXDOMAIN ? DNS_E_NXDOMAIN : DNS_E_NODATA, now);
        /* RFC 2308 5: without an SOA a negative answer is not cached (neg_ttl stays at its max) */
        if (rep.neg_ttl != UINT32_MAX)
            query_cache(q, rep.neg_ttl < q->ttl ? rep.neg_ttl : q->ttl, 1, now);
        return 1;
    }
    return 0;
}

/* A socket has news: reads every waiting datagram of the lookup's sockets. */
static void on_socket(synack_stack_t *st, int sock, unsigned events, void *arg, synack_time_t now)
{
    struct dns_query *q = arg;
    struct dns_resolver *r = q->r;
    r->now = now;
    for (int i = 0; i < q->natt && !q->finished; i++) {
        struct attempt *a = &q->att[i];
        while (a->sock >= 0) {
            struct synack_sockaddr from;
            int n = synack_recvfrom(st, a->sock, r->buf, sizeof(r->buf), &from, now);
            if (n == -EAGAIN)
                break;
            if (n < 0) {
                /* ECONNREFUSED (ICMP port unreachable) or another ICMP error: this server is out. */
                r->stats.refused++;
                note_fail(q, a->server, DNS_E_UNREACH, n);
                if (attempt_failed(q, i, now))
                    return;
                break;
            }
            /* RFC 5452 9.1: the source must be the server we asked, on port 53 (the connected
             * socket already filters; checked again so a stack change cannot open a hole). */
            if (!synack_ip_equal(&from.addr, &r->cfg.servers[a->server]) || from.port != DNS_PORT) {
                r->stats.mismatched++;
                continue;
            }
            if (on_response(q, i, r->buf, (size_t)n, now))
                return;
        }
    }
}

/* The query for the current name: recursion desired (RFC 1034 5.3.1: a stub asks for it) and an
 * OPT record offering DNS_EDNS_UDP bytes (RFC 6891 6.2.5). Returns its length, 0 on failure. */
static size_t build_query(struct dns_query *q, uint16_t id, uint8_t *msg, size_t cap)
{
    struct dns_builder b;
    struct dns_header h = { .id = id, .flags = DNS_F_RD };
    if (dns_build_init(&b, msg, cap, &h) != 0 || dns_build_question(&b, &q->name, q->qtype, DNS_C_IN) != 0 ||
        (!q->no_edns && dns_build_opt(&b, DNS_EDNS_UDP, 0) != 0))
        return 0;
    return dns_build_finish(&b);
}

/* The TCP connection of a query after a truncated answer: sends the query once connected, reads
 * the two-byte length and then the answer, whatever the segments' sizes. */
static void on_tcp(synack_stack_t *st, int sock, unsigned events, void *arg, synack_time_t now)
{
    struct dns_query *q = arg;
    struct dns_resolver *r = q->r;
    r->now = now;
    if (q->finished || q->tcp_sock != sock)
        return;
    while (q->tcp_qoff < q->tcp_qlen) {
        int n = synack_send(st, sock, q->tcp_q + q->tcp_qoff, q->tcp_qlen - q->tcp_qoff, now);
        if (n == -EAGAIN || n == -ENOTCONN)
            return;   /* not connected yet, or no room: the next event */
        if (n < 0)
            goto failed;
        q->tcp_qoff += (size_t)n;
    }
    for (;;) {
        size_t want = q->tcp_len < 2 ? 2 : 2 + ((size_t)q->tcp_in[0] << 8 | q->tcp_in[1]);
        if (q->tcp_len == want && want > 2) {
            on_response(q, -1, q->tcp_in + 2, want - 2, now);
            if (!q->finished && q->tcp_sock == sock) {
                q->tcp_len = 0;   /* not ours (IGNORE): the next message */
                continue;
            }
            return;
        }
        if (q->tcp_cap < want) {
            uint8_t *nb = realloc(q->tcp_in, want);
            if (!nb)
                goto failed;
            q->tcp_in = nb;
            q->tcp_cap = want;
        }
        int n = synack_recv(st, sock, q->tcp_in + q->tcp_len, want - q->tcp_len, now);
        if (n == -EAGAIN)
            return;
        if (n <= 0)
            goto failed;
        q->tcp_len += (size_t)n;
    }
failed:
    /* refused, reset, or closed before a whole answer: the truncated answer is all there is */
    note_fail(q, q->tcp_server, DNS_E_TRUNCATED, -ECONNRESET);
    query_finish(q, DNS_E_TRUNCATED, now);
}

static void start_tcp(struct dns_query *q, int server, synack_time_t now)
{
    struct dns_resolver *r = q->r;
    close_attempts(q, now);
    synack_random(r->st, &q->tcp_id, sizeof(q->tcp_id));
    q->tcp_server = server;
    size_t len = build_query(q, q->tcp_id, q->tcp_q + 2, sizeof(q->tcp_q) - 2);
    q->tcp_q[0] = (uint8_t)(len >> 8);
    q->tcp_q[1] = (uint8_t)len;
    q->tcp_qlen = len + 2;
    q->tcp_qoff = 0;
    q->tcp_len = 0;
    q->tcp_sock = synack_socket(r->st, SYNACK_SOCK_STREAM);
    struct synack_sockaddr srv = { r->cfg.servers[server], DNS_PORT };
    int e = q->tcp_sock < 0 ? q->tcp_sock : 0;
    if (e == 0)
        e = synack_socket_set_handler(r->st, q->tcp_sock, on_tcp, q);
    if (e == 0) {
        e = synack_connect(r->st, q->tcp_sock, &srv, now);
        if (e == -EINPROGRESS)
            e = 0;
    }
    if (!len || e < 0) {
        note_fail(q, server, DNS_E_TRUNCATED, e < 0 ? e : -EMSGSIZE);
        query_finish(q, DNS_E_TRUNCATED, now);
        return;
    }
    r->stats.tcp_queries++;
    synack_timer_arm(q->timer, now + r->cfg.timeout);
}

/* Sends the next attempt of the current name, or gives up. */
static void query_start_attempt(struct dns_query *q, synack_time_t now)
{
    struct dns_resolver *r = q->r;
    int total = r->cfg.attempts * r->cfg.nservers;
    while (q->natt < total && q->natt < DNS_MAX_TRIES) {
        struct attempt *a = &q->att[q->natt++];
        a->server = (q->natt - 1) % r->cfg.nservers;
        /* RFC 5452 9.2: an unpredictable ID, from the stack's CSPRNG (seeded from the OS on a
         * device, from the config in a simulation, which therefore stays reproducible). */
        synack_random(r->st, &a->id, sizeof(a->id));
        a->sock = synack_socket(r->st, SYNACK_SOCK_DGRAM);
        if (a->sock < 0)
            continue;
        struct synack_sockaddr srv = { r->cfg.servers[a->server], DNS_PORT };
        uint8_t msg[DNS_UDP_MAX];
        size_t len = build_query(q, a->id, msg, sizeof(msg));
        /* bind(port 0) draws a random ephemeral port for every attempt (RFC 5452 9.2). */
        struct synack_sockaddr any = { synack_ip_any6(), 0 };
        int e = len == 0 ? -EMSGSIZE : synack_bind(r->st, a->sock, &any);
        if (e >= 0)
            e = synack_connect(r->st, a->sock, &srv, now);
        if (e >= 0)
            e = synack_socket_set_handler(r->st, a->sock, on_socket, q);
        if (e >= 0)
            e = synack_sendto(r->st, a->sock, msg, len, NULL, now);
        if (e < 0) {
            synack_close(r->st, a->sock, now);
            a->sock = -1;
            if (e == -ENETUNREACH || e == -EHOSTUNREACH)
                note_fail(q, a->server, DNS_E_UNREACH, e);   /* no route to this server: on to the next */
            continue;
        }
        r->stats.queries_sent++;
        if (q->natt > 1)
            r->stats.retransmits++;
        synack_timer_arm(q->timer, now + r->cfg.timeout);
        return;
    }
    query_give_up(q, now);
}

static struct dns_query *query_new(struct dns_resolver *r, struct lookup_part *part)
{
    struct dns_query *q = calloc(1, sizeof(*q));
    if (!q)
        return NULL;
    q->r = r;
    q->part = part;
    q->tcp_sock = -1;
    q->ttl = UINT32_MAX;
    q->timer = synack_timer_new(r->st, on_timer, q);
    if (!q->timer) {
        free(q);
        return NULL;
    }
    q->next = r->queries;
    r->queries = q;
    return q;
}

/* A query for `n` of type qtype: from the cache if it holds (n, qtype), else over DNS. */
static void query_begin(struct dns_query *q, const struct dns_name *n, uint16_t qtype, synack_time_t now)
{
    struct dns_resolver *r = q->r;
    q->qtype = qtype;
    q->name = *n;
    q->asked = *n;
    set_canonical(q, n);
    const struct dns_cache_entry *ce = dns_cache_get(&r->cache, n, qtype, now);
    if (ce) {
        q->result = ce->result;
        q->result.from_cache = 1;
        r->stats.cache_hits++;
        query_finish(q, ce->result.err, now);
        return;
    }
    if (r->cfg.nservers == 0) {
        query_finish(q, DNS_E_NOSERVER, now);
        return;
    }
    query_start_attempt(q, now);
}

static void lookup_unlink(struct dns_lookup *lk)
{
    struct dns_lookup **pp = &lk->r->lookups;
    while (*pp && *pp != lk)
        pp = &(*pp)->next;
    if (*pp)
        *pp = lk->next;
}

/* A query of the lookup ended (in its timer callback); after the last one the outcomes merge and
 * the caller's callback runs, last, so that it may do anything, even free the resolver. */
static void lookup_part_done(struct lookup_part *part, const struct dns_result *res, synack_time_t now)
{
    struct dns_lookup *lk = part->lk;
    lk->res[part->slot] = *res;
    if (--lk->pending > 0)
        return;
    struct dns_resolver *r = lk->r;
    int v6_first = dns_order_v6_first(r->st);
    struct dns_result out;
    dns_merge(lk->asked[0] ? &lk->res[0] : NULL, lk->asked[1] ? &lk->res[1] : NULL, v6_first, &out);
    out.types = lk->types;
    if (lk->sort)
        dns_order_addrs(out.addrs, out.naddrs, v6_first);
    if (out.err == 0)
        r->stats.answers++;
    else if (out.err == DNS_E_TIMEOUT)
        r->stats.timeouts++;
    dns_result_fn cb = lk->cb;
    void *arg = lk->arg;
    lookup_unlink(lk);
    free(lk);
    cb(arg, &out, now);
}

/* The hosts file's addresses of the families asked, into q's result. Returns how many. */
static int hosts_take(struct dns_query *q, const struct dns_hosts_match *hm, int n, unsigned types)
{
    for (int i = 0; i < n && q->result.naddrs < DNS_MAX_ADDRS; i++) {
        int v4 = synack_ip_is_v4(&hm->addrs[i]);
        if ((v4 && (types & DNS_ASKED_A)) || (!v4 && (types & DNS_ASKED_AAAA)))
            q->result.addrs[q->result.naddrs++] = hm->addrs[i];
    }
    return q->result.naddrs;
}

int dns_resolve(struct dns_resolver *r, const char *name, dns_result_fn cb, void *arg, synack_time_t now)
{
    if (!r || !name || !cb)
        return -EINVAL;
    r->now = now;
    struct dns_name n;
    struct synack_ip literal;
    int is_literal = synack_ip_parse(name, &literal) == 0;   /* either family's text */
    if (!is_literal) {
        int e = dns_name_from_text(name, NULL, &n);
        if (e)
            return e;
    }
    struct dns_lookup *lk = calloc(1, sizeof(*lk));
    if (!lk)
        return -ENOMEM;
    lk->r = r;
    lk->cb = cb;
    lk->arg = arg;
    lk->types = r->cfg.family == 4 ? DNS_ASKED_A : r->cfg.family == 6 ? DNS_ASKED_AAAA
                                                                     : DNS_ASKED_A | DNS_ASKED_AAAA;
    for (int i = 0; i < 2; i++)
        lk->part[i] = (struct lookup_part){ lk, i };
    /* The literal or the hosts file answer in one part; DNS asks one query per family. */
    struct dns_query *q0 = query_new(r, &lk->part[0]);
    if (!q0) {
        free(lk);
        return -ENOMEM;
    }
    lk->next = r->lookups;
    r->lookups = lk;
    lk->asked[0] = 1;
    lk->pending = 1;
    r->stats.lookups++;
    if (is_literal) {   /* an address answers itself (RFC 1123 2.1 dotted-decimal form, or IPv6 text) */
        q0->result.addrs[0] = literal;
        q0->result.naddrs = 1;
        snprintf(q0->result.canonical, sizeof(q0->result.canonical), "%s", name);
        query_finish(q0, 0, now);
        return 0;
    }
    set_canonical(q0, &n);
    if (r->cfg.hosts_path) {
        /* As "hosts: files dns": a name the file has answers from it, with the families asked that
         * it holds; a name it has only for another family goes on to DNS. */
        struct dns_hosts_match hm;
        int k = dns_hosts_lookup(r->cfg.hosts_path, &n, &hm);
        if (k > 0 && hosts_take(q0, &hm, k, lk->types) > 0) {
            set_canonical(q0, &hm.canonical);
            q0->result.from_hosts = 1;
            lk->sort = 1;
            r->stats.hosts_hits++;
            query_finish(q0, 0, now);
            return 0;
        }
        q0->result.naddrs = 0;
    }
    if (lk->types & DNS_ASKED_AAAA) {
        struct dns_query *q1 = q0;
        if (lk->types & DNS_ASKED_A) {
            q1 = query_new(r, &lk->part[1]);
            if (!q1) {
                /* no memory for the second query: the first answers alone for now */
                query_finish(q0, -ENOMEM, now);
                return 0;
            }
            lk->pending = 2;
        } else {
            lk->asked[0] = 0;
            q0->part = &lk->part[1];
        }
        lk->asked[1] = 1;
        /* the AAAA query first: its datagram leaves first, as glibc's does */
        query_begin(q1, &n, DNS_T_AAAA, now);
        if (q1 == q0)
            return 0;
    }
    query_begin(q0, &n, DNS_T_A, now);
    return 0;
}

void dns_resolver_free(struct dns_resolver *r)
{
    if (!r)
        return;
    while (r->queries) {
        struct dns_query *q = r->queries;
        r->queries = q->next;
        query_free(q, r->now);
    }
    while (r->lookups) {
        struct dns_lookup *lk = r->lookups;
        r->lookups = lk->next;
        free(lk);
    }
    dns_cache_free(&r->cache);
    free(r);
}

void dns_resolver_cache_foreach(struct dns_resolver *r, synack_time_t now,
                                void (*fn)(void *arg, const char *name, uint16_t type, const struct dns_result *res,
                                           uint32_t ttl_left),
                                void *arg)
{
    for (unsigned i = 0; i < r->cache.n; i++) {
        const struct dns_cache_entry *e = r->cache.e[i];
        if (now >= e->expires)
            continue;
        char name[DNS_MAX_TEXT];
        if (dns_name_to_text(&e->name, name, sizeof(name)) < 0)
            continue;
        fn(arg, name, e->type, &e->result, (uint32_t)((e->expires - now + 999999) / 1000000));
    }
}

int dns_read_resolv_conf(const char *path, struct dns_resolver_config *cfg)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -errno;
    char line[512];
    int n = 0;
    cfg->nservers = 0;
    while (fgets(line, sizeof(line), f)) {
        char kw[32], addr[64];
        struct synack_ip a;
        /* resolv.conf(5): "nameserver ADDRESS", either family (one with a zone, "fe80::1%eth0",
         * is skipped: synack's addresses carry none). */
        if (sscanf(line, " %31s %63s", kw, addr) == 2 && !strcmp(kw, "nameserver") &&
            synack_ip_parse(addr, &a) == 0 && n < DNS_MAX_SERVERS)
            cfg->servers[n++] = a;
    }
    fclose(f);
    cfg->nservers = n;
    return n;
}

/* The names of the RCODEs of RFC 1035 4.1.1 and RFC 6895 2.3 that fit the four bits of the header. */
static const char *const rcode_names[16] = {
    "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN", "YXRRSET",
    "NXRRSET", "NOTAUTH", "NOTZONE", "DSOTYPENI", "RCODE12", "RCODE13", "RCODE14", "RCODE15",
};

int dns_err_rcode(int err)
{
    return err <= DNS_E_RCODE(0) && err >= DNS_E_RCODE(15) ? -(err + DNS_E_BASE) : -1;
}

const char *dns_errname(int err)
{
    if (err == 0)
        return "OK";
    int rc = dns_err_rcode(err);
    if (rc >= 0)
        return rcode_names[rc];
    switch (err) {
    case DNS_E_NODATA: return "NODATA";
    case DNS_E_TIMEOUT: return "TIMEOUT";
    case DNS_E_UNREACH: return "UNREACH";
    case DNS_E_TRUNCATED: return "TRUNCATED";
    case DNS_E_MALFORMED: return "MALFORMED";
    case DNS_E_REFERRAL: return "REFERRAL";
    case DNS_E_LOOP: return "LOOP";
    case DNS_E_NOSERVER: return "NOSERVER";
    default: return synack_errname(err);
    }
}

const char *dns_strerror(int err)
{
    switch (err) {
    case 0: return "success";
    case DNS_E_FORMERR: return "the server could not read the query";
    case DNS_E_SERVFAIL: return "the server failed to answer";
    case DNS_E_NXDOMAIN: return "no such name";
    case DNS_E_NOTIMP: return "the server does not implement the query";
    case DNS_E_REFUSED: return "the server refused the query";
    case DNS_E_NODATA: return "the name has no address record (A or AAAA) of the family asked";
    case DNS_E_TIMEOUT: return "no server answered";
    case DNS_E_UNREACH: return "the servers could not be reached";
    case DNS_E_TRUNCATED: return "the answer was truncated and the query over TCP failed";
    case DNS_E_MALFORMED: return "the servers sent only malformed answers";
    case DNS_E_REFERRAL: return "the server sent a referral: it does not recurse";
    case DNS_E_LOOP: return "CNAME chain too long";
    case DNS_E_NOSERVER: return "no DNS server configured";
    default: return dns_err_rcode(err) >= 0 ? "the server failed (another RCODE)" : synack_strerror(err);
    }
}
