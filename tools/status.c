/* The status page (see status.h). Ladders come from the same trace stream as pcap and the demo:
 * each segment in or out of a TCP connection is recorded against its 4-tuple (up to a row limit per
 * connection), with each side's state after it; the last `keep` connections are drawn as SVG.
 *
 * The recorder sees every segment the stack sends or receives, so what it does for one it does not
 * record is kept to a hash lookup of the 4-tuple and a look at the flags: a segment is parsed only
 * when it is drawn. */
#include "status.h"

#include <stdlib.h>
#include <string.h>

#include "ladder.h"
#include "ssaddr.h"

#define STATUS_MAX_ROWS 80

struct status_seg {
    synack_time_t t;
    int dir;                      /* 0: local -> remote (our segment), 1: remote -> local */
    struct synack_tcp_fields f;
    int state;                    /* our state after it, -1 unknown */
};

struct status_conn {
    int used;
    int hnext;                    /* the next record in this one's hash chain, -1: none */
    uint64_t serial;              /* order of creation: the newest are drawn first */
    struct synack_sockaddr local, remote;
    int state;                    /* our latest state */
    unsigned nseg, dropped;
    struct status_seg seg[STATUS_MAX_ROWS];
};

struct status {
    synack_stack_t *st;
    unsigned keep;
    struct status_conn *conns;
    int *bucket;                  /* hash of the 4-tuple -> the newest record of it, chained */
    unsigned nbuckets;
    uint64_t serial;
    status_extra_fn extra;
    void *extra_arg;
};

struct status *status_new(synack_stack_t *st, unsigned keep)
{
    struct status *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->st = st;
    s->keep = keep ? keep : 6;
    s->nbuckets = 16;
    while (s->nbuckets < 2 * s->keep)
        s->nbuckets *= 2;
    s->conns = calloc(s->keep, sizeof(*s->conns));
    s->bucket = malloc(s->nbuckets * sizeof(*s->bucket));
    if (!s->conns || !s->bucket) {
        free(s->conns);
        free(s->bucket);
        free(s);
        return NULL;
    }
    for (unsigned i = 0; i < s->nbuckets; i++)
        s->bucket[i] = -1;
    return s;
}

void status_free(struct status *s)
{
    if (!s)
        return;
    free(s->conns);
    free(s->bucket);
    free(s);
}

void status_set_extra(struct status *s, status_extra_fn fn, void *arg)
{
    s->extra = fn;
    s->extra_arg = arg;
}

static int same(const struct synack_sockaddr *a, const struct synack_sockaddr *b)
{
    return synack_ip_equal(&a->addr, &b->addr) && a->port == b->port;
}

static uint32_t word(const struct synack_ip *a, int i)
{
    uint32_t w;
    memcpy(&w, a->b + 4 * i, 4);
    return w;
}

static unsigned bucket_of(const struct status *s, const struct synack_sockaddr *l, const struct synack_sockaddr *r)
{
    uint64_t h = ((uint64_t)l->port << 16 | r->port) ^ (uint64_t)word(&r->addr, 3) << 32;
    h ^= word(&r->addr, 2) ^ (uint64_t)word(&r->addr, 1) << 32 ^ word(&r->addr, 0) ^ word(&l->addr, 3);
    h *= 0x9e3779b97f4a7c15ull;   /* Fibonacci hashing: the top bits mix every input bit */
    return (unsigned)(h >> 40) & (s->nbuckets - 1);
}

/* The newest record of a 4-tuple: the first in its chain, as a new record goes to the front. */
static struct status_conn *find(struct status *s, const struct synack_sockaddr *l, const struct synack_sockaddr *r)
{
    for (int i = s->bucket[bucket_of(s, l, r)]; i >= 0; i = s->conns[i].hnext) {
        struct status_conn *c = &s->conns[i];
        if (same(&c->remote, r) && same(&c->local, l))
            return c;
    }
    return NULL;
}

static void unchain(struct status *s, struct status_conn *c)
{
    int me = (int)(c - s->conns);
    for (int *pp = &s->bucket[bucket_of(s, &c->local, &c->remote)]; *pp >= 0; pp = &s->conns[*pp].hnext) {
        if (*pp == me) {
            *pp = c->hnext;
            return;
        }
    }
}

/* A new record, reusing the oldest slot. */
static struct status_conn *fresh(struct status *s, const struct synack_sockaddr *l, const struct synack_sockaddr *r)
{
    struct status_conn *slot = &s->conns[0];
    for (unsigned i = 0; i < s->keep; i++) {
        if (!s->conns[i].used) {
            slot = &s->conns[i];
            break;
        }
        if (s->conns[i].serial < slot->serial)
            slot = &s->conns[i];
    }
    if (slot->used)
        unchain(s, slot);
    /* Every field but the rows (4 KB, read only up to nseg): a record is made per connection. */
    memset(slot, 0, offsetof(struct status_conn, seg));
    slot->used = 1;
    slot->serial = ++s->serial;
    slot->local = *l;
    slot->remote = *r;
    slot->state = -1;
    unsigned b = bucket_of(s, l, r);
    slot->hnext = s->bucket[b];
    s->bucket[b] = (int)(slot - s->conns);
    return slot;
}

void status_on_trace(struct status *s, const struct synack_trace_event *ev)
{
    if (ev->kind == SYNACK_TR_TCP_SEG_IN || ev->kind == SYNACK_TR_TCP_SEG_OUT) {
        if (ev->len < 20 || (ev->data[12] >> 4) < 5 || (size_t)(ev->data[12] >> 4) * 4 > ev->len)
            return;   /* no TCP header (RFC 9293 3.1: data offset): synack_tcp_fields refuses it */
        unsigned flags = ev->data[13];   /* RFC 9293 3.1: the control bits */
        int syn = flags & 0x02;
        struct status_conn *c = find(s, &ev->local, &ev->remote);
        if (!c && !syn)
            return;   /* segments of connections that began before we looked: not drawn */
        if (c && !syn && c->nseg == STATUS_MAX_ROWS) {
            c->dropped++;   /* drawn up to the row limit, counted beyond it */
            return;
        }
        struct synack_tcp_fields f;
        if (synack_tcp_fields(ev->data, ev->len, &f) != 0)
            return;
        /* A SYN that starts a connection (not a retransmission of the one we hold) opens a record. */
        int syn_opens = syn && !(f.flags & 0x10);
        if (syn_opens && c && c->nseg && !((c->seg[0].f.flags & 0x02) && c->seg[0].f.seq == f.seq))
            c = NULL;
        if (!c)
            c = fresh(s, &ev->local, &ev->remote);
        if (c->nseg == STATUS_MAX_ROWS) {
            c->dropped++;
            return;
        }
        struct status_seg *g = &c->seg[c->nseg++];
        g->t = ev->now;
        g->dir = ev->kind == SYNACK_TR_TCP_SEG_OUT ? 0 : 1;
        g->f = f;
        g->state = -1;
    } else if (ev->kind == SYNACK_TR_TCP_STATE && ev->remote.port) {
        struct status_conn *c = find(s, &ev->local, &ev->remote);
        if (!c)
            return;
        c->state = ev->to_state;
        if (c->nseg)
            c->seg[c->nseg - 1].state = ev->to_state;   /* the segment that moved us, or the last one */
    }
}

/* A connection's end as ss writes it: "192.0.2.1:80", "[2001:db8::2]:80". */
static void addr_port(char *buf, size_t cap, const struct synack_sockaddr *a) { ssaddr_format(buf, cap, a, 0); }

struct sock_list {
    FILE *f;
    int json, n, syn_recv;
    synack_time_t now;
    struct synack_tcp_info *rows;   /* collected by the walk, written after it (see write_socks) */
    size_t nrows, cap;
};

static void collect_sock(void *arg, const struct synack_tcp_info *i)
{
    struct sock_list *x = arg;
    if (x->nrows == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 64;
        struct synack_tcp_info *r = realloc(x->rows, cap * sizeof(*r));
        if (!r)
            return;   /* the table shows what fitted */
        x->rows = r;
        x->cap = cap;
    }
    x->rows[x->nrows++] = *i;
}

static void write_sock(struct sock_list *x, const struct synack_tcp_info *i, int v6only)
{
    char l[SYNACK_SOCKADDR_STRLEN], r[SYNACK_SOCKADDR_STRLEN];
    ssaddr_ends(i, v6only, l, r, sizeof(l));
    if (i->state == SYNACK_TCP_SYN_RECEIVED)
        x->syn_recv++;
    const char *st = synack_tcp_state_name(i->state);
    if (x->json) {
        fprintf(x->f,
                "%s{\"state\":\"%s\",\"local\":\"%s\",\"remote\":\"%s\",\"recv_q\":%u,\"send_q\":%u,"
                "\"rtt_us\":%u,\"rttvar_us\":%u,\"rto_us\":%u,\"cwnd\":%u,\"ssthresh\":%u,\"snd_wnd\":%u,"
                "\"rcv_wnd\":%u,\"retrans\":%llu,\"bytes_sent\":%llu,\"bytes_received\":%llu,\"cc\":\"%s\"}",
                x->n ? "," : "", st, l, r, i->recv_q, i->send_q, i->rtt,
                i->rttvar, i->rto, i->cwnd, i->ssthresh, i->snd_wnd, i->rcv_wnd,
                (unsigned long long)i->total_retrans, (unsigned long long)i->bytes_sent,
                (unsigned long long)i->bytes_received, i->congestion);
    } else {
        fprintf(x->f,
                "<tr class=\"s-%s\"><td>%s</td><td>%u</td><td>%u</td><td>%s</td><td>%s</td><td>%.1f</td>"
                "<td>%u</td><td>%u</td><td>%llu</td></tr>\n",
                st, st, i->recv_q, i->send_q, l, r, i->rtt / 1000.0, i->cwnd,
                i->snd_wnd, (unsigned long long)i->total_retrans);
    }
    x->n++;
}

/* Every socket, as ss lists them: collected first, since whether one on :: has IPV6_V6ONLY is
 * asked of the stack, which a synack_tcp_foreach callback may not call. */
static void write_socks(synack_stack_t *st, struct sock_list *x)
{
    synack_tcp_foreach(st, collect_sock, x);
    for (size_t k = 0; k < x->nrows; k++)
        write_sock(x, &x->rows[k], ssaddr_v6only(st, &x->rows[k]));
    free(x->rows);
    x->rows = NULL;
    x->nrows = x->cap = 0;
}

/* Counters that are not zero, in table order. */
static void write_counters(struct status *s, FILE *f, int json)
{
    int n = 0;
    for (int c = 0; c < SYNACK_C_COUNT; c++) {
        uint64_t v = synack_counter_get(s->st, (enum synack_counter)c);
        if (!v)
            continue;
        if (json)
            fprintf(f, "%s\"%s\":%llu", n ? "," : "", synack_counter_name((enum synack_counter)c),
                    (unsigned long long)v);
        else
            fprintf(f, "<tr><td>%s</td><td>%llu</td><td>%s</td></tr>\n", synack_counter_name((enum synack_counter)c),
                    (unsigned long long)v, synack_counter_desc((enum synack_counter)c));
        n++;
    }
}

/* The recorded connections, newest first. */
static int by_serial_desc(const void *a, const void *b)
{
    const struct status_conn *x = *(const struct status_conn *const *)a, *y = *(const struct status_conn *const *)b;
    return x->serial < y->serial ? 1 : x->serial > y->serial ? -1 : 0;
}

static size_t recent(struct status *s, struct status_conn **out)
{
    size_t n = 0;
    for (unsigned i = 0; i < s->keep; i++)
        if (s->conns[i].used && s->conns[i].nseg)
            out[n++] = &s->conns[i];
    qsort(out, n, sizeof(*out), by_serial_desc);
    return n;
}

static void write_ladder_svg(const struct status_conn *c, FILE *f)
{
    char l[SYNACK_SOCKADDR_STRLEN], r[SYNACK_SOCKADDR_STRLEN];
    addr_port(l, sizeof(l), &c->local);
    addr_port(r, sizeof(r), &c->remote);
    struct ladder lad;
    ladder_init(&lad, l, r);
    snprintf(lad.title, sizeof(lad.title), "%s <-> %s, %u segments%s", l, r, c->nseg + c->dropped,
             c->dropped ? " (first ones drawn)" : "");
    for (unsigned k = 0; k < c->nseg; k++) {
        const struct status_seg *g = &c->seg[k];
        /* Times relative to the connection's first segment, like a textbook figure. */
        ladder_add_fields(&lad, g->t - c->seg[0].t, g->dir, &g->f, 0, g->state, -1);
    }
    ladder_print_svg(&lad, f, 0);
    ladder_free(&lad);
}

char *status_render(struct status *s, const char *path, size_t *len, const char **ctype, synack_time_t now)
{
    int json;
    if (!strcmp(path, "/status") || !strcmp(path, "/status/") || !strcmp(path, "/status.html"))
        json = 0;
    else if (!strcmp(path, "/status.json"))
        json = 1;
    else
        return NULL;
    char *body = NULL;
    size_t blen = 0;
    FILE *f = open_memstream(&body, &blen);
    if (!f)
        return NULL;
    struct status_conn *rec[64];
    size_t nrec = recent(s, rec);
    struct sock_list x = { f, json, 0, 0, now, NULL, 0, 0 };
    if (json) {
        fprintf(f, "{\"time_us\":%llu,\"sockets\":[", (unsigned long long)now);
        write_socks(s->st, &x);
        fprintf(f, "],\"syn_recv\":%d,\"counters\":{", x.syn_recv);
        write_counters(s, f, 1);
        fprintf(f, "},\"recent\":[");
        for (size_t i = 0; i < nrec; i++) {
            char l[SYNACK_SOCKADDR_STRLEN], r[SYNACK_SOCKADDR_STRLEN];
            addr_port(l, sizeof(l), &rec[i]->local);
            addr_port(r, sizeof(r), &rec[i]->remote);
            fprintf(f, "%s{\"local\":\"%s\",\"remote\":\"%s\",\"segments\":%u,\"state\":\"%s\"}", i ? "," : "", l, r,
                    rec[i]->nseg + rec[i]->dropped, rec[i]->state >= 0 ? synack_tcp_state_name(rec[i]->state) : "?");
        }
        fprintf(f, "]");
        if (s->extra) {
            fprintf(f, ",\"app\":");
            s->extra(s->extra_arg, f, 1);
        }
        fprintf(f, "}\n");
        *ctype = "application/json";
    } else {
        fprintf(f, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"2\">"
                   "<title>synack status</title><style>body{font-family:sans-serif;margin:1.5em}"
                   "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;font-family:monospace}"
                   "th{background:#eee}.s-ESTABLISHED td:first-child{color:#080}"
                   ".s-LISTEN td:first-child{color:#036}</style></head><body>\n"
                   "<h1>synack status</h1>\n<h2>Sockets</h2>\n<table id=\"sockets\"><tr><th>State</th><th>Recv-Q</th>"
                   "<th>Send-Q</th><th>Local</th><th>Peer</th><th>RTT ms</th><th>cwnd</th><th>snd_wnd</th>"
                   "<th>Retrans</th></tr>\n");
        write_socks(s->st, &x);
        fprintf(f, "</table>\n<p id=\"summary\">%d sockets, <span id=\"synrecv\">%d</span> in SYN-RECEIVED</p>\n",
                x.n, x.syn_recv);
        fprintf(f, "<h2>Counters</h2>\n<table id=\"counters\">\n");
        write_counters(s, f, 0);
        fprintf(f, "</table>\n");
        if (s->extra) {
            fprintf(f, "<h2>Application</h2>\n");
            s->extra(s->extra_arg, f, 0);
        }
        fprintf(f, "<h2>Recent connections</h2>\n");
        if (!nrec)
            fprintf(f, "<p>None yet.</p>\n");
        for (size_t i = 0; i < nrec; i++) {
            fprintf(f, "<div class=\"ladder\">\n");
            write_ladder_svg(rec[i], f);
            fprintf(f, "</div>\n");
        }
        fprintf(f, "</body></html>\n");
        *ctype = "text/html; charset=utf-8";
    }
    fclose(f);
    *len = blen;
    return body;
}
