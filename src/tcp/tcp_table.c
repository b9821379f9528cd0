/* TCP's per-stack table: connections hashed by 4-tuple (SipHash with a per-stack key, so a peer
 * cannot aim collisions), TIME-WAIT entries in a table of their own, listeners by port, ephemeral
 * ports (RFC 6056), state changes with their trace events, and tearing connections down. */
#include "base/errno.h"
#include "core/alloc.h"
#include "base/mem.h"

#include "core/siphash.h"
#include "net/ports.h"
#include "core/ctx.h"
#include "tcp/tcp.h"
#include "tcp/tcp_cc.h"
#include "tcp/tcp_int.h"
#include "tcp/tcp_recovery.h"

struct tcp_table *tcp_tab(synack_stack_t *st) { return st->tcp; }

#define DEF(v, d) ((v) ? (v) : (d))

int tcp_table_new(synack_stack_t *st)
{
    const char *cc_name = st->cfg.tcp_congestion;
    const struct tcp_cc_ops *cc = tcp_cc_find(cc_name && cc_name[0] ? cc_name : "cubic");
    if (!cc)
        return -ENOENT;
    struct tcp_table *t = mem_calloc(&st->cfg.alloc, 1, sizeof(*t));
    if (!t)
        return -ENOMEM;
    t->nbuckets = 256;
    t->buckets = mem_calloc(&st->cfg.alloc, t->nbuckets, sizeof(*t->buckets));
    t->nports = 256;
    t->ports = mem_calloc(&st->cfg.alloc, t->nports, sizeof(*t->ports));
    if (!t->buckets || !t->ports || tcp_timewait_table_new(st, t) != 0) {
        mem_free(&st->cfg.alloc, t->buckets);
        mem_free(&st->cfg.alloc, t->ports);
        mem_free(&st->cfg.alloc, t->tw.bucket);
        mem_free(&st->cfg.alloc, t);
        return -ENOMEM;
    }
    rng_bytes(&st->rng, t->isn_key, sizeof(t->isn_key));
    rng_bytes(&st->rng, t->cookie_key, sizeof(t->cookie_key));
    rng_bytes(&st->rng, t->ts_key, sizeof(t->ts_key));
    const struct synack_config *c = &st->cfg;
    t->msl = DEF(c->tcp_msl, SYNACK_SEC(30));
    t->rto_initial = DEF(c->tcp_rto_initial, SYNACK_SEC(1));
    t->rto_min = DEF(c->tcp_rto_min, SYNACK_MS(200));
    t->rto_max = DEF(c->tcp_rto_max, SYNACK_SEC(60));
    t->fin_timeout = DEF(c->tcp_fin_timeout, SYNACK_SEC(60));
    /* 40 ms like Linux's minimum ATO: well under RFC 1122's 500 ms, and far enough below the
     * 200 ms minimum RTO that a lone segment is ACKed before its sender times out. */
    t->delack = DEF(c->tcp_delack, SYNACK_MS(40));
    /* RFC 9293 3.8.6.3 (MUST-40): "the delay MUST be less than 0.5 seconds", whatever the
     * configuration asks; 200 ms is the most Linux waits (TCP_DELACK_MAX). */
    if (t->delack > SYNACK_MS(200))
        t->delack = SYNACK_MS(200);
    /* RFC 9293 3.8.3 (MUST-23): a SYN is retransmitted for at least 3 minutes. Seven
     * retransmissions with the RTO doubling from 1 s (capped at 60 s) give up after 183 s. */
    t->syn_retries = DEF(c->tcp_syn_retries, 7);
    t->synack_retries = DEF(c->tcp_synack_retries, 5);
    t->retries = DEF(c->tcp_retries, 15);
    t->sndbuf = DEF(c->tcp_sndbuf, 256u * 1024);
    t->rcvbuf = DEF(c->tcp_rcvbuf, 256u * 1024);
    t->chack_limit = DEF(c->tcp_challenge_ack_limit, 1000);
    t->ofo_max = DEF(c->tcp_ofo_max, 256);
    t->max_orphans = DEF(c->tcp_max_orphans, 4096);
    t->max_tw = DEF(c->tcp_max_tw, 65536);
    t->syncookies = c->tcp_syncookies;
    t->timestamps = c->tcp_timestamps >= 0;
    t->sack = c->tcp_sack >= 0;
    t->rack = c->tcp_rack >= 0;
    t->mem_max = DEF(c->tcp_mem_max, TCP_MEM_MAX_DEFAULT);
    t->rmem_max = DEF(c->tcp_rmem_max, TCP_RMEM_MAX_DEFAULT);
    t->wmem_max = DEF(c->tcp_wmem_max, TCP_WMEM_MAX_DEFAULT);
    if (t->rmem_max < t->rcvbuf)
        t->rmem_max = t->rcvbuf;
    if (t->wmem_max < t->sndbuf)
        t->wmem_max = t->sndbuf;
    t->cc_default = cc;
    st->tcp = t;
    return 0;
}

void tcp_table_free(synack_stack_t *st)
{
    struct tcp_table *t = st->tcp;
    if (!t)
        return;
    for (size_t i = 0; i < t->nbuckets; i++)
        while (t->buckets[i])
            tcp_conn_destroy(t->buckets[i]);
    while (t->listeners)
        tcp_conn_destroy(t->listeners);
    tcp_timewait_table_free(st);
    mem_free(&st->cfg.alloc, t->buckets);
    mem_free(&st->cfg.alloc, t->ports);
    mem_free(&st->cfg.alloc, t);
    st->tcp = NULL;
}

static size_t tuple_hash(synack_stack_t *st, const struct tcp_end *l, const struct tcp_end *r)
{
    struct {
        struct synack_ip la, ra;
        uint16_t lp, rp;
    } k;
    memset(&k, 0, sizeof(k));   /* no padding bytes of unknown value in the key */
    k.la = l->ip;
    k.ra = r->ip;
    k.lp = l->port;
    k.rp = r->port;
    return (size_t)siphash24(st->siphash_key, &k, sizeof(k));
}

size_t tcp_tuple_hash(synack_stack_t *st, const struct tcp_end *l, const struct tcp_end *r)
{
    return tuple_hash(st, l, r);
}

static void conn_free_memory(struct tcp_conn *c)
{
    struct tcp_table *t = c->st->tcp;
    tcp_port_unlink(c);
    struct tcp_ring_mem m = tcp_ring_mem(c->st);
    if (c->x) {
        ring_free(&c->x->sndq, &m);
        ring_free(&c->x->rcvq, &m);
    }
    tcp_recovery_free(c);
    tcp_rack_free(c);
    tcp_cc_free(c);
    if (c->x) {
        mem_free(&c->st->cfg.alloc, c->x->lq);
        while (c->x->ofo) {
            struct tcp_ofo *o = c->x->ofo;
            c->x->ofo = o->next;
            t->mem_used -= sizeof(*o) + o->cap;
            mem_free(&c->st->cfg.alloc, o);
        }
        mem_free(&c->st->cfg.alloc, c->x);
    }
    mem_free(&c->st->cfg.alloc, c);
}

struct tcp_conn *tcp_conn_new(synack_stack_t *st)
{
    struct tcp_table *t = st->tcp;
    struct tcp_conn *c = mem_calloc(&st->cfg.alloc, 1, sizeof(*c));
    if (!c)
        return NULL;
    c->x = mem_calloc(&st->cfg.alloc, 1, sizeof(*c->x));
    if (!c->x) {
        mem_free(&st->cfg.alloc, c);
        return NULL;
    }
    c->st = st;
    c->id = ++t->next_id;
    c->state = SYNACK_TCP_CLOSED;
    c->sndq_limit = t->sndbuf;
    c->rcvq_limit = t->rcvbuf;
    c->rto = (uint32_t)t->rto_initial;
    c->rto_min_us = (uint32_t)t->rto_min;
    c->delack_on = 1;
    c->keep_idle_s = TCP_KEEPIDLE_DEFAULT_S;
    c->keep_intvl_s = TCP_KEEPINTVL_DEFAULT_S;
    c->keep_cnt = TCP_KEEPCNT_DEFAULT;
    c->cc_id = (uint8_t)tcp_cc_index(t->cc_default);
    c->mss_snd = TCP_DEFAULT_MSS;
    tcp_timers_init(c);
    return c;
}

static int tcp_grow(synack_stack_t *st)
{
    struct tcp_table *t = st->tcp;
    size_t n = t->nbuckets * 2;
    struct tcp_conn **b = mem_calloc(&st->cfg.alloc, n, sizeof(*b));
    if (!b)
        return -ENOMEM;
    for (size_t i = 0; i < t->nbuckets; i++) {
        struct tcp_conn *c = t->buckets[i];
        while (c) {
            struct tcp_conn *next = c->hnext;
            size_t h = tuple_hash(st, &c->local, &c->remote) & (n - 1);
            c->hnext = b[h];
            b[h] = c;
            c = next;
        }
    }
    mem_free(&st->cfg.alloc, t->buckets);
    t->buckets = b;
    t->nbuckets = n;
    return 0;
}

int tcp_conn_hash(struct tcp_conn *c)
{
    synack_stack_t *st = c->st;
    struct tcp_table *t = st->tcp;
    if (c->hashed)
        return 0;
    /* Two connections a bucket on average before the table doubles: one to two pointers a
     * connection, chains short enough beside the one-entry cache of tcp_lookup. */
    if (t->nconns >= 2 * t->nbuckets)
        tcp_grow(st);   /* on failure the chains just get longer */
    size_t h = tuple_hash(st, &c->local, &c->remote) & (t->nbuckets - 1);
    c->hnext = t->buckets[h];
    t->buckets[h] = c;
    c->hashed = 1;
    t->nconns++;
    return 0;
}

void tcp_conn_unhash(struct tcp_conn *c)
{
    struct tcp_table *t = c->st->tcp;
    if (t->last_lookup == c)
        t->last_lookup = NULL;
    if (!c->hashed)
        return;
    struct tcp_conn **pp;
    if (c->listener) {
        pp = &t->listeners;
    } else {
        size_t h = tuple_hash(c->st, &c->local, &c->remote) & (t->nbuckets - 1);
        pp = &t->buckets[h];
        t->nconns--;
    }
    while (*pp && *pp != c)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = c->hnext;
    c->hnext = NULL;
    c->hashed = 0;
    c->listener = 0;
}

struct tcp_conn *tcp_lookup(synack_stack_t *st, const struct tcp_end *l, const struct tcp_end *r)
{
    struct tcp_table *t = st->tcp;
    /* Segments come in trains for one connection: try the last one found before hashing. */
    struct tcp_conn *last = t->last_lookup;
    if (last && tcp_end_equal(&last->remote, r) && tcp_end_equal(&last->local, l))
        return last;
    size_t h = tuple_hash(st, l, r) & (t->nbuckets - 1);
    for (struct tcp_conn *c = t->buckets[h]; c; c = c->hnext)
        if (tcp_end_equal(&c->remote, r) && tcp_end_equal(&c->local, l)) {
            t->last_lookup = c;
            return c;
        }
    return NULL;
}

struct tcp_conn *tcp_listener_lookup(synack_stack_t *st, const struct tcp_end *l)
{
    struct tcp_conn *wild = NULL;
    for (struct tcp_conn *c = st->tcp->listeners; c; c = c->hnext) {
        if (c->local.port != l->port)
            continue;
        if (synack_ip_equal(&c->local.ip, &l->ip))
            return c;
        /* A wildcard takes its own family; :: takes IPv4 too unless IPV6_V6ONLY (RFC 3493 5.3). */
        if (synack_ip_is_unspecified(&c->local.ip) &&
            (synack_ip_is_v4(&c->local.ip) ? synack_ip_is_v4(&l->ip) : !(c->v6only && synack_ip_is_v4(&l->ip))))
            wild = c;
    }
    return wild;
}

void tcp_listener_add(struct tcp_conn *c)
{
    struct tcp_table *t = c->st->tcp;
    c->hnext = t->listeners;
    t->listeners = c;
    c->hashed = 1;
    c->listener = 1;
}

static uint32_t port_bucket(const struct tcp_table *t, uint16_t port) { return port & (t->nports - 1u); }

/* Four times the buckets once there are four bound connections a bucket, up to one a port. */
static void ports_grow(synack_stack_t *st, struct tcp_table *t)
{
    uint32_t n = t->nports * 4;
    struct tcp_conn **v = mem_calloc(&st->cfg.alloc, n, sizeof(*v));
    if (!v)
        return;   /* longer chains, still right */
    struct tcp_conn **old = t->ports;
    uint32_t nold = t->nports;
    t->ports = v;
    t->nports = n;
    for (uint32_t i = 0; i < nold; i++)
        while (old[i]) {
            struct tcp_conn *c = old[i];
            old[i] = c->pnext;
            uint32_t h = port_bucket(t, c->local.port);
            c->pprev = NULL;
            c->pnext = v[h];
            if (v[h])
                v[h]->pprev = c;
            v[h] = c;
        }
    mem_free(&st->cfg.alloc, old);
}

void tcp_port_link(struct tcp_conn *c)
{
    struct tcp_table *t = c->st->tcp;
    if (!c->bound || tcp_parent(c) || c->on_port)
        return;
    if (t->nbound >= 4 * t->nports && t->nports < 65536)
        ports_grow(c->st, t);
    uint32_t h = port_bucket(t, c->local.port);
    c->pprev = NULL;
    c->pnext = t->ports[h];
    if (c->pnext)
        c->pnext->pprev = c;
    t->ports[h] = c;
    c->on_port = 1;
    t->nbound++;
}

void tcp_port_unlink(struct tcp_conn *c)
{
    struct tcp_table *t = c->st->tcp;
    if (!c->on_port)
        return;
    if (c->pprev)
        c->pprev->pnext = c->pnext;
    else
        t->ports[port_bucket(t, c->local.port)] = c->pnext;
    if (c->pnext)
        c->pnext->pprev = c->pprev;
    c->pnext = c->pprev = NULL;
    c->on_port = 0;
    t->nbound--;
}

int tcp_port_in_use(synack_stack_t *st, const struct synack_ip *addr, uint16_t port, int reuse)
{
    struct tcp_table *t = st->tcp;
    /* A child not yet accepted shares its listener's port and is not on the chain: the listener
     * answers for it. */
    for (struct tcp_conn *c = t->ports[port_bucket(t, port)]; c; c = c->pnext) {
        if (c->local.port != port || !tcp_addr_clash(&c->local.ip, addr))
            continue;
        if (c->owner ? c->bound : (c->hashed && c->state != SYNACK_TCP_TIME_WAIT))
            return 1;   /* a socket's, in any state; or an orphan still alive (TIME-WAIT: below) */
    }
    return tcp_timewait_port_used(st, addr, port, reuse);
}

/* Whether a full block in TIME-WAIT whose socket is closed keeps (addr, port). */
int tcp_port_tw_block(synack_stack_t *st, const struct synack_ip *addr, uint16_t port)
{
    struct tcp_table *t = st->tcp;
    for (struct tcp_conn *c = t->ports[port_bucket(t, port)]; c; c = c->pnext)
        if (c->state == SYNACK_TCP_TIME_WAIT && !c->owner && c->hashed && c->local.port == port &&
            tcp_addr_clash(&c->local.ip, addr))
            return 1;
    return 0;
}

struct pick_ctx {
    struct synack_ip laddr;
    const struct tcp_end *remote;
};

/* A port is free for a connection to (raddr, rport) if no connection or TIME-WAIT entry uses the
 * 4-tuple and no listener or merely bound socket holds it. */
static int connect_port_used(synack_stack_t *st, uint16_t p, const void *arg)
{
    const struct pick_ctx *x = arg;
    struct tcp_end l = { x->laddr, p };
    if (tcp_lookup(st, &l, x->remote) || tcp_tw_lookup(st, &l, x->remote) || tcp_listener_lookup(st, &l))
        return 1;
    if (st->port_filter) {   /* a shard: only ports whose replies come back to it */
        struct synack_sockaddr ls = { l.ip, p }, rs = { x->remote->ip, x->remote->port };
        if (!st->port_filter(st->port_filter_ctx, &ls, &rs))
            return 1;
    }
    struct tcp_table *t = st->tcp;
    for (struct tcp_conn *c = t->ports[port_bucket(t, p)]; c; c = c->pnext)
        if (c->owner && c->bound && c->local.port == p &&
            (c->state == SYNACK_TCP_LISTEN || c->state == SYNACK_TCP_CLOSED))
            return 1;   /* merely bound, or listening on another address */
    return 0;
}

uint16_t tcp_pick_port(synack_stack_t *st, const struct synack_ip *laddr, const struct tcp_end *remote)
{
    struct pick_ctx x = { *laddr, remote };
    return port_pick_ephemeral(st, connect_port_used, &x);
}

const char *synack_tcp_state_name(int s)
{
    static const char *const names[] = { "CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED",
                                         "FIN-WAIT-1", "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK",
                                         "TIME-WAIT" };
    return s >= 0 && (size_t)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

void tcp_set_state(struct tcp_conn *c, int state, const char *cause)
{
    synack_stack_t *st = c->st;
    int from = c->state;
    if (from == state)
        return;
    c->state = state;
    if (st->trace_fn) {
        struct synack_trace_event ev = { .kind = SYNACK_TR_TCP_STATE, .ifindex = -1, .local = tcp_end_sockaddr(&c->local),
                                         .remote = tcp_end_sockaddr(&c->remote), .conn_id = c->id, .from_state = from,
                                         .to_state = state, .cause = cause };
        stack_trace(st, &ev);
    }
    tcp_notify(c);
}

void tcp_established(struct tcp_conn *c, const char *cause)
{
    c->snd_sml = c->snd_una;   /* no partial segment in flight yet (Nagle, tcp_output.c) */
    tcp_set_state(c, SYNACK_TCP_ESTABLISHED, cause);
    /* RFC 9293 3.10.4: a CLOSE in SYN-RECEIVED was "queued for processing after entering
     * ESTABLISHED state": the FIN goes after any data, from FIN-WAIT-1. */
    if (c->fin_queued)
        tcp_set_state(c, SYNACK_TCP_FIN_WAIT_1, c->owner ? "shutdown() queued in SYN-RECEIVED" : "close() queued in SYN-RECEIVED");
}

void tcp_set_upcalls(synack_stack_t *st, const struct tcp_upcalls *up) { st->tcp->up = up; }

void tcp_conn_release(struct tcp_conn *c) { tcp_conn_destroy(c); }

void tcp_notify(struct tcp_conn *c)
{
    const struct tcp_upcalls *up = c->st->tcp->up;
    if (c->owner)
        up->event(c->st, c->owner);
    else if (tcp_parent(c) && c->queued == 2 && tcp_parent(c)->owner)
        up->event(c->st, tcp_parent(c)->owner);
}

void tcp_conn_destroy(struct tcp_conn *c)
{
    synack_stack_t *st = c->st;
    if (c->in_ack_list) {
        struct tcp_conn **pp = &st->tcp->ack_list;
        while (*pp && *pp != c)
            pp = &(*pp)->x->ack_next;   /* on the list, each keeps its block */
        if (*pp)
            *pp = c->x->ack_next;
        c->in_ack_list = 0;
    }
    tcp_timers_cancel(c);
    if (c->listener)
        tcp_listen_close(c, st->now);
    if (tcp_parent(c))
        tcp_child_unlink(c);
    tcp_conn_unhash(c);
    if (c->owner) {
        st->tcp->up->detach(st, c->owner);
        c->owner = NULL;
    }
    if (c->orphan)
        st->tcp->orphans--;
    conn_free_memory(c);
}

void tcp_conn_fail(struct tcp_conn *c, int err, const char *cause)
{
    if (c->owner) {
        /* The socket keeps a CLOSED connection so the application sees the error. */
        if (err)
            c->st->tcp->up->error(c->st, c->owner, err);
        tcp_timers_cancel(c);
        if (tcp_parent(c))
            tcp_child_unlink(c);
        tcp_conn_unhash(c);
        tcp_set_state(c, SYNACK_TCP_CLOSED, cause);
        if (c->x)
            ring_consume(&c->x->sndq, c->x->sndq.len);
        return;
    }
    tcp_set_state(c, SYNACK_TCP_CLOSED, cause);
    tcp_conn_destroy(c);
}
