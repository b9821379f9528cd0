/* The congestion-control registry and the glue between a connection and its module: the view a
 * module sees, writing its result back, choosing a module, and per-ACK RTT samples. */
#include "base/errno.h"
#include "base/mem.h"

#include "core/alloc.h"
#include "core/ctx.h"
#include "tcp/tcp.h"
#include "tcp/tcp_cc.h"
#include "tcp/tcp_int.h"
#include "tcp/tcp_state.h"

/* Every module, by name. A static const table: adding a module is one line here. */
const struct tcp_cc_ops *const tcp_cc_modules[] = { &tcp_cc_cubic, &tcp_cc_reno };
#define NMODULES (sizeof(tcp_cc_modules) / sizeof(tcp_cc_modules[0]))
_Static_assert(NMODULES <= 256, "a connection names its module in a byte (cc_id)");

static int name_eq(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

const struct tcp_cc_ops *tcp_cc_find(const char *name)
{
    if (!name)
        return NULL;
    for (unsigned i = 0; i < NMODULES; i++)
        if (name_eq(tcp_cc_modules[i]->name, name))
            return tcp_cc_modules[i];
    return NULL;
}

const struct tcp_cc_ops *tcp_cc_at(unsigned i) { return i < NMODULES ? tcp_cc_modules[i] : NULL; }

int tcp_cc_index(const struct tcp_cc_ops *ops)
{
    for (unsigned i = 0; i < NMODULES; i++)
        if (tcp_cc_modules[i] == ops)
            return (int)i;
    return -1;
}

const char *tcp_cc_names(char *buf, size_t cap)
{
    size_t n = 0;
    if (!cap)
        return buf;
    for (unsigned i = 0; i < NMODULES; i++) {
        if (i && n + 1 < cap)
            buf[n++] = ' ';
        for (const char *p = tcp_cc_modules[i]->name; *p && n + 1 < cap; p++)
            buf[n++] = *p;
    }
    buf[n] = 0;
    return buf;
}

void tcp_cc_view(const struct tcp_conn *c, struct tcp_cc_view *v, synack_time_t now)
{
    memset(v, 0, sizeof(*v));
    v->mss = c->mss_snd;
    v->cwnd = c->cwnd;
    v->ssthresh = c->ssthresh;
    v->flight = tcp_flight(c);
    v->ack = c->snd_una;
    v->snd_max = c->snd_max;
    v->srtt_us = c->rtt_valid ? c->srtt : 0;
    v->now = now;
}

void tcp_cc_commit(struct tcp_conn *c, const struct tcp_cc_view *v)
{
    c->cwnd = v->cwnd;
    c->ssthresh = v->ssthresh;
}

void tcp_cc_set(struct tcp_conn *c, const struct tcp_cc_ops *ops)
{
    c->cc_id = (uint8_t)tcp_cc_index(ops);
    memset(c->cc_priv, 0, sizeof(c->cc_priv));
    if (tcp_state_synchronized(c->state) && c->cwnd) {
        struct tcp_cc_view v;
        tcp_cc_view(c, &v, c->st->now);
        ops->init(&v, c->cc_priv);
        tcp_cc_commit(c, &v);
    }
}

void tcp_cc_tx_start(struct tcp_conn *c, synack_time_t now)
{
    const struct tcp_cc_ops *ops = tcp_cc_of(c);
    if (!ops->on_tx_start)
        return;
    struct tcp_cc_view v;
    tcp_cc_view(c, &v, now);
    ops->on_tx_start(&v, c->cc_priv);
    tcp_cc_commit(c, &v);
}

void tcp_cc_free(struct tcp_conn *c)
{
    if (!c->x)
        return;
    mem_free(&c->st->cfg.alloc, c->x->cc_sent);
    c->x->cc_sent = NULL;
}

void tcp_cc_sent(struct tcp_conn *c, uint32_t end, synack_time_t now)
{
    if (!c->x->cc_sent) {
        c->x->cc_sent = mem_calloc(&c->st->cfg.alloc, 1, sizeof(*c->x->cc_sent));
        if (!c->x->cc_sent)
            return;   /* no per-ACK samples: HyStart++ waits for them, RFC 6298's go on */
    }
    struct tcp_cc_sent *s = c->x->cc_sent;
    unsigned n = s->n;
    if (n && s->e[n - 1].t == now) {
        s->e[n - 1].end = end;   /* the same burst: one entry */
        return;
    }
    if (n == TCP_CC_SENT) {
        memmove(&s->e[0], &s->e[1], (n - 1) * sizeof(s->e[0]));
        n--;
    }
    s->e[n].end = end;
    s->e[n].t = now;
    s->n = n + 1;
}

void tcp_cc_rexmit(struct tcp_conn *c)
{
    if (c->x && c->x->cc_sent)
        c->x->cc_sent->n = 0;
}

uint32_t tcp_cc_ack_rtt(struct tcp_conn *c, uint32_t ack, synack_time_t now)
{
    struct tcp_cc_sent *s = c->x->cc_sent;
    if (!s)
        return 0;
    /* The segment ending at or after `ack` (its last octet is ack - 1) left at that entry's time;
     * entries wholly covered by the ACK are done. */
    unsigned i = 0, n = s->n;
    while (i < n && seq_lt(s->e[i].end, ack))
        i++;
    uint32_t rtt = 0;
    if (i < n) {
        synack_time_t d = now - s->e[i].t;
        rtt = d > 0xffffffffu ? 0xffffffffu : (uint32_t)d;
        if (s->e[i].end == ack)
            i++;
    } else if (i > 0) {
        synack_time_t d = now - s->e[i - 1].t;
        rtt = d > 0xffffffffu ? 0xffffffffu : (uint32_t)d;
    }
    if (i) {
        memmove(&s->e[0], &s->e[i], (n - i) * sizeof(s->e[0]));
        s->n = n - i;
    }
    return rtt ? rtt : (i ? 1 : 0);
}

/* ---------- the user calls (the TCP_CONGESTION equivalent) ---------- */

int tcp_user_set_congestion(struct tcp_conn *c, const char *name)
{
    const struct tcp_cc_ops *ops = tcp_cc_find(name);
    if (!ops)
        return -ENOENT;
    if (ops != tcp_cc_of(c))
        tcp_cc_set(c, ops);
    return 0;
}

const char *tcp_user_congestion(const struct tcp_conn *c) { return tcp_cc_of(c)->name; }

const char *tcp_congestion_names(char *buf, size_t cap) { return tcp_cc_names(buf, cap); }
