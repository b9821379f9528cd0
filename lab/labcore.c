/* The lab's run: two stacks on a simulated link, a preset's script and the learner's interventions
 * applied in virtual time, everything that happens recorded (segments with their fields and why
 * they were sent, state changes, drops, each side's cwnd) for the page, the transcript and the
 * pcap. Public API only; see labcore.h. */
#include "lab_int.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tools/ladder.h"

/* A growing text or byte buffer. */
struct sbuf {
    char *p;
    size_t n, cap;
};

static void sb_add(struct sbuf *b, const void *data, size_t len)
{
    if (b->n + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + len + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p)
            return;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, data, len);
    b->n += len;
    b->p[b->n] = 0;
}

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    sb_add(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* A JSON string: quotes and backslashes escaped, control characters dropped. */
static void sb_json_str(struct sbuf *b, const char *s)
{
    sb_add(b, "\"", 1);
    for (; s && *s; s++) {
        if (*s == '"' || *s == '\\')
            sb_add(b, "\\", 1);
        if ((unsigned char)*s >= 0x20)
            sb_add(b, s, 1);
    }
    sb_add(b, "\"", 1);
}

/* An application socket and what the host's program does with it. */
struct lab_sock {
    int id;
    int host;
    int listener;
    struct sbuf out;          /* bytes the program still has to send() */
    int close_after, shut_after;
    int closed, eof;
    int http_server;          /* answers each request; closes after an HTTP/1.0 one */
    char req[256];            /* the request being read */
    size_t req_len;
};

struct lab_host {
    struct lab *L;
    int side;
    synack_stack_t *st;
    struct lab_sock socks[LAB_MAX_SOCKS];
    int nsocks;
    int cur;                  /* index of the current connection's socket, -1 none */
    int listen_idx;           /* index of the listener, -1 none */
    uint16_t bind_port;       /* connect() from this port (0: ephemeral) */
    int reading;              /* the program reads what arrives */
    unsigned rcvbuf;          /* SO_RCVBUF for new sockets, 0: default */
    unsigned keepidle;        /* keep-alive for new sockets, 0: off */
    int http_server;
    struct sbuf pending;      /* bytes the program sends once it has a connection */
    int state;                /* the connection's state, as the ladder shows it */
    long rx_row;              /* the ladder row of the segment being received */
    unsigned segs_sent;       /* TCP segments this host sent */
    uint64_t cnt[8];          /* counters at the last segment, for "why" */
};

enum lab_ctx { CTX_NONE, CTX_APP, CTX_RX, CTX_TIMER, CTX_DELAYED };

struct lab_delayed {
    synack_time_t t;
    int side;
    uint8_t *frame;
    size_t len;
};

struct lab_seg {
    uint32_t frame;
    synack_time_t t, arr;
    int dir;
    struct synack_tcp_fields f;
    uint16_t csum;
    uint32_t src, dst;        /* IPv4 addresses */
    uint32_t rseq, rack;
    int fate;
    uint32_t fate_arg;
    char why[96];
    long row;
};

/* The ladder numbers and marks one connection at a time: each connection's part of it (ISNs, the
 * highest sequence sent, the last ACK, ...) is kept here and swapped in for its segments. */
struct lab_track {
    uint32_t a_ip;
    uint16_t a_port, b_port;
    unsigned used;
    unsigned char part[sizeof(struct ladder) - offsetof(struct ladder, isn)];
};
#define LAB_TRACKS 32

struct lab {
    const struct lab_preset *p;
    uint64_t seed;
    synack_simnet_t *net;
    synack_simlink_t *link;
    struct lab_host h[2];
    struct ladder lad;
    int recording;
    uint32_t frames;          /* frames sent so far */
    struct lab_track tracks[LAB_TRACKS];
    unsigned track_clock;
    struct lab_action actions[LAB_MAX_ACTIONS];
    size_t nactions, next_action;
    struct { uint32_t frame; int fate; uint32_t arg; } ops[LAB_MAX_FRAME_OPS];
    size_t nops;
    struct lab_delayed delayed[64];
    size_t ndelayed;
    enum lab_ctx ctx;
    int ctx_host;
    const char *ctx_op;       /* the application call in progress */
    int done;
    unsigned scratch[4];      /* a preset's rule may count here */
    /* what was recorded */
    struct lab_seg *segs;
    size_t nsegs, segcap;
    struct sbuf events;       /* JSON objects, comma-separated, in order */
    size_t nevents;
    struct sbuf cwnd;
    uint32_t last_cwnd[2], last_ssthresh[2];
    struct sbuf pcap;
    struct sbuf json, text;
};

static const char *host_name(int side) { return side ? "B" : "A"; }

int lab_state(const struct lab *L, int host) { return L->h[host].state; }
unsigned *lab_scratch(struct lab *L) { return L->scratch; }

void lab_at(struct lab *L, synack_time_t t, int host, int op, uint32_t arg)
{
    if (L->nactions == LAB_MAX_ACTIONS)
        return;
    /* Kept sorted by time; equal times in the order given. */
    size_t i = L->nactions++;
    while (i > 0 && L->actions[i - 1].t > t) {
        L->actions[i] = L->actions[i - 1];
        i--;
    }
    L->actions[i] = (struct lab_action){ t, host, op, arg };
}

void lab_host_bind_port(struct lab *L, int host, uint16_t port) { L->h[host].bind_port = port; }
void lab_host_set_http_server(struct lab *L, int host) { L->h[host].http_server = 1; }

/* ---------------- what is recorded ---------------- */

static void ev_begin(struct lab *L, const char *kind, synack_time_t t)
{
    if (L->nevents++)
        sb_add(&L->events, ",\n", 2);
    sb_printf(&L->events, "{\"k\":\"%s\",\"t\":%llu", kind, (unsigned long long)t);
}

static void pcap_add(struct lab *L, synack_time_t t, const uint8_t *frame, size_t len)
{
    uint32_t rec[4] = { (uint32_t)(t / 1000000), (uint32_t)(t % 1000000), (uint32_t)len, (uint32_t)len };
    sb_add(&L->pcap, rec, sizeof(rec));   /* pcap records are in the writer's byte order, as the magic */
    sb_add(&L->pcap, frame, len);
}

/* The counters that say why a segment went out, in the order of why_names. */
static const int why_counters[8] = { SYNACK_C_TcpSyncookiesSent, SYNACK_C_TcpChallengeAcks, SYNACK_C_TcpFastRetrans,
                                     SYNACK_C_TcpLossProbes, SYNACK_C_TcpTimeouts, SYNACK_C_TcpPersistProbes,
                                     SYNACK_C_TcpKeepAliveProbes, SYNACK_C_TcpDelayedAcks };
static const char *const why_names[8] = { "SYN cookie: the SYN queue is full, so the connection's state is kept in the ISN",
                                          "challenge ACK (RFC 5961): the segment was in the window but not exact",
                                          "fast retransmit: three duplicate ACKs said this segment was lost",
                                          "tail loss probe (RACK-TLP): no ACK came for the last segments",
                                          "retransmission timeout: no ACK came in time (RTO)",
                                          "window probe: the peer's window is zero (persist timer)",
                                          "keep-alive probe: the connection was idle",
                                          "delayed ACK: the timer fired with an ACK owed" };

static void seg_why(struct lab *L, struct lab_host *h, const struct synack_tcp_fields *f, const char *mark, char *out,
                    size_t cap)
{
    int fired = -1;
    for (int i = 0; i < 8; i++) {
        uint64_t v = synack_counter_get(h->st, why_counters[i]);
        if (v != h->cnt[i] && fired < 0)
            fired = i;
        h->cnt[i] = v;
    }
    int syn = f->flags & 0x02, ack = f->flags & 0x10, fin = f->flags & 0x01, rst = f->flags & 0x04;
    const char *why = NULL;
    char tmp[96];
    if (fired == 7 && (syn || fin || f->data_len))
        fired = -1;   /* the delayed ACK rode on something else */
    if (fired >= 0)
        why = why_names[fired];
    else if (L->ctx == CTX_DELAYED)
        why = "held back by you (delay), sent now";
    else if (rst && L->ctx == CTX_APP)
        why = "abort: close() with SO_LINGER 0 (or with unread data) sends RST";
    else if (rst && L->ctx == CTX_TIMER)
        why = "reset: the connection gave up (no answer to its retransmissions or keep-alive probes)";
    else if (rst)
        why = "reset: no connection here for what arrived (RFC 9293 3.10.7.1)";
    else if (syn && !ack)
        why = L->ctx == CTX_TIMER ? "SYN retransmitted: no SYN-ACK in time" : "connect(): the first step of the handshake";
    else if (syn)
        why = L->ctx == CTX_TIMER ? "SYN-ACK retransmitted: no ACK in time" : "answer to a SYN: the second step of the handshake";
    else if (mark && !strcmp(mark, "retransmission"))
        why = L->ctx == CTX_TIMER ? "retransmission timeout (RTO)" : "retransmission: the ACKs showed a hole";
    else if (fin && L->ctx == CTX_APP)
        why = "close() or shutdown(): no more data from this side";
    else if (fin)
        why = L->ctx == CTX_TIMER ? "FIN retransmitted" : "the application closed after the peer's FIN";
    else if (f->data_len && L->ctx == CTX_APP) {
        snprintf(tmp, sizeof(tmp), "%s: data the application wrote", L->ctx_op ? L->ctx_op : "send()");
        why = tmp;
    } else if (f->data_len)
        why = L->ctx == CTX_RX ? "more data: an ACK or a window opened room" : "data sent by a timer";
    else if (L->ctx == CTX_RX)
        why = "ACK of what arrived";
    else if (L->ctx == CTX_APP)
        why = "window update: the application read data";
    else
        why = "ACK sent by a timer";
    snprintf(out, cap, "%s", why);
}

static int frame_fate(struct lab *L, uint32_t n, uint32_t *arg)
{
    for (size_t i = 0; i < L->nops; i++)
        if (L->ops[i].frame == n) {
            *arg = L->ops[i].arg;
            return L->ops[i].fate;
        }
    return LAB_PASS;
}

static const char *fate_name(int fate)
{
    switch (fate) {
    case LAB_DROP: return "dropped";
    case LAB_DELAY: return "delayed";
    case LAB_DUP: return "duplicated";
    case LAB_CORRUPT: return "corrupted";
    default: return "";
    }
}

/* Puts the connection's part of the ladder in place (save = 0) or back (save = 1). */
static struct lab_track *track(struct lab *L, const struct synack_ip_fields *ip, const struct synack_tcp_fields *f, int dir)
{
    uint32_t a_ip = dir ? ip->dst : ip->src;
    uint16_t a_port = dir ? f->dport : f->sport, b_port = dir ? f->sport : f->dport;
    struct lab_track *t = NULL, *old = &L->tracks[0];
    for (int i = 0; i < LAB_TRACKS && !t; i++) {
        struct lab_track *c = &L->tracks[i];
        if (c->used && c->a_ip == a_ip && c->a_port == a_port && c->b_port == b_port)
            t = c;
        else if (c->used < old->used)
            old = c;
    }
    if (!t) {
        t = old;
        memset(t, 0, sizeof(*t));
        t->a_ip = a_ip;
        t->a_port = a_port;
        t->b_port = b_port;
    }
    t->used = ++L->track_clock;
    return t;
}

/* Every frame a host sends comes here first: number it, decide its fate, record it, then put it
 * on the link (or not, or later, or twice, or with a bit flipped). */
static int lab_tx(void *ctx, const uint8_t *frame, size_t len, synack_time_t now)
{
    struct lab_host *h = ctx;
    struct lab *L = h->L;
    void *end = synack_simlink_end(L->link, h->side);
    if (!L->recording)
        return synack_simlink_tx(end, frame, len, now);
    uint32_t n = ++L->frames;
    uint32_t arg = 0;
    int fate = frame_fate(L, n, &arg);
    pcap_add(L, now, frame, len);

    struct synack_ip_fields ip;
    struct synack_tcp_fields f;
    const uint8_t *tcp = NULL;
    size_t tcp_len = 0;
    if (len > 14 && frame[12] == 0x08 && frame[13] == 0x00 && synack_ip_fields(frame + 14, len - 14, &ip) == 0 &&
        ip.proto == 6) {
        tcp = frame + 14 + ip.hdr_len;
        tcp_len = ip.total_len - ip.hdr_len;
        if (synack_tcp_fields(tcp, tcp_len, &f) != 0)
            tcp = NULL;
    }
    if (tcp) {
        h->segs_sent++;
        if (fate == LAB_PASS && L->p->fate)
            fate = L->p->fate(L, h->side, &f, h->state, h->segs_sent);
    }
    struct synack_simlink_stats before, after;
    synack_simlink_stats(L->link, h->side, &before);
    int r = 0;
    uint8_t *copy = NULL;
    switch (fate) {
    case LAB_DROP: break;
    case LAB_DELAY:
        if (L->ndelayed < sizeof(L->delayed) / sizeof(L->delayed[0]) && (copy = malloc(len))) {
            memcpy(copy, frame, len);
            L->delayed[L->ndelayed++] = (struct lab_delayed){ now + (synack_time_t)arg * 1000, h->side, copy, len };
        }
        break;
    case LAB_CORRUPT:
        if ((copy = malloc(len))) {
            memcpy(copy, frame, len);
            copy[len - 1 - (len - 14) / 3] ^= 0x10;   /* one bit inside the IP packet */
            r = synack_simlink_tx(end, copy, len, now);
            free(copy);
        }
        break;
    case LAB_DUP:
        r = synack_simlink_tx(end, frame, len, now);
        if (r == 0)
            r = synack_simlink_tx(end, frame, len, now);
        break;
    default: r = synack_simlink_tx(end, frame, len, now);
    }
    synack_simlink_stats(L->link, h->side, &after);
    int lost = fate == LAB_DROP || after.lost > before.lost || after.queue_drops > before.queue_drops;

    if (!tcp) {
        char what[160];
        synack_format_frame(what, sizeof(what), SYNACK_IF_ETHERNET, frame, len);
        ev_begin(L, "frame", now);
        sb_printf(&L->events, ",\"i\":%u,\"d\":%d,\"what\":", n, h->side);
        sb_json_str(&L->events, what);
        sb_printf(&L->events, ",\"fate\":\"%s\"}", lost && fate != LAB_DROP ? "lost" : fate_name(fate));
        return r;
    }
    int st[2] = { -1, -1 };
    st[h->side] = h->state;
    struct lab_track *tr = track(L, &ip, &f, h->side);
    unsigned char *part = (unsigned char *)&L->lad + offsetof(struct ladder, isn);
    memcpy(part, tr->part, sizeof(tr->part));
    ladder_add(&L->lad, now, h->side, tcp, tcp_len, lost, st[0], st[1]);
    memcpy(tr->part, part, sizeof(tr->part));
    if (L->nsegs == L->segcap) {
        size_t cap = L->segcap ? L->segcap * 2 : 256;
        struct lab_seg *s = realloc(L->segs, cap * sizeof(*s));
        if (!s)
            return r;
        L->segs = s;
        L->segcap = cap;
    }
    struct lab_seg *s = &L->segs[L->nsegs++];
    memset(s, 0, sizeof(*s));
    s->frame = n;
    s->t = now;
    s->arr = SYNACK_TIME_NEVER;
    s->dir = h->side;
    s->f = f;
    s->csum = (uint16_t)(tcp[16] << 8 | tcp[17]);
    s->src = ip.src;
    s->dst = ip.dst;
    s->fate = lost && fate == LAB_PASS ? LAB_DROP : fate;
    s->fate_arg = arg;
    s->row = (long)L->lad.n - 1;
    /* Rows keep relative numbers, each connection's own; the transcript prints them with ISNs 0. */
    s->rseq = f.seq - L->lad.isn[h->side];
    s->rack = f.ack - L->lad.isn[1 - h->side];
    L->lad.rows[s->row].seq = s->rseq;
    L->lad.rows[s->row].ack = s->rack;
    seg_why(L, h, &f, L->lad.n ? L->lad.rows[L->lad.n - 1].mark : NULL, s->why, sizeof(s->why));
    ev_begin(L, "seg", now);
    sb_printf(&L->events, ",\"s\":%zu}", L->nsegs - 1);
    return r;
}

static void lab_trace(void *ctx, const struct synack_trace_event *ev)
{
    struct lab_host *h = ctx;
    struct lab *L = h->L;
    int me = h->side;
    if (!L->recording)
        return;
    if (ev->kind == SYNACK_TR_TCP_SEG_IN) {
        /* The row of this segment: the latest not-lost row sent toward us with the same fields. */
        struct synack_tcp_fields f;
        h->rx_row = -1;
        if (synack_tcp_fields(ev->data, ev->len, &f) != 0)
            return;
        for (long i = (long)L->nsegs - 1; i >= 0; i--) {
            struct lab_seg *s = &L->segs[i];
            if (s->dir == 1 - me && s->fate != LAB_DROP && s->f.seq == f.seq && s->f.ack == f.ack &&
                s->f.flags == f.flags && s->f.data_len == f.data_len && s->f.sport == f.sport &&
                (s->arr == SYNACK_TIME_NEVER || s->fate == LAB_DUP)) {
                if (s->arr == SYNACK_TIME_NEVER)
                    s->arr = ev->now;
                h->rx_row = s->row;
                break;
            }
        }
    } else if (ev->kind == SYNACK_TR_TCP_STATE && ev->remote.port != 0) {
        h->state = ev->to_state;
        long row = h->rx_row, note_row = -1;
        int by_segment = ev->cause && !strncmp(ev->cause, "rcv", 3);
        if (by_segment && row >= 0 && (size_t)row < L->lad.n && L->lad.rows[row].dir == 1 - me) {
            L->lad.rows[row].state[me] = ev->to_state;   /* the state this segment moved us to */
        } else if (ev->cause && strstr(ev->cause, "timeout")) {
            /* A timer moved us: a row of its own, as `synack demo` draws it. */
            char note[96];
            snprintf(note, sizeof(note), "%s: %s -> %s (%s)", host_name(me), synack_tcp_state_name(ev->from_state),
                     synack_tcp_state_name(ev->to_state), ev->cause);
            int st[2] = { -1, -1 };
            st[me] = ev->to_state;
            ladder_note(&L->lad, ev->now, note, st[0], st[1]);
            note_row = (long)L->lad.n - 1;
        }
        ev_begin(L, "st", ev->now);
        sb_printf(&L->events, ",\"h\":%d,\"row\":%ld,\"conn\":%u,\"port\":%u,\"from\":\"%s\",\"to\":\"%s\",\"why\":",
                  me, note_row, (unsigned)ev->conn_id, (unsigned)ev->local.port, synack_tcp_state_name(ev->from_state),
                  synack_tcp_state_name(ev->to_state));
        sb_json_str(&L->events, ev->cause);
        sb_add(&L->events, "}", 1);
    } else if (ev->kind == SYNACK_TR_DROP) {
        ev_begin(L, "drop", ev->now);
        sb_printf(&L->events, ",\"h\":%d,\"why\":\"%s\"}", me, synack_counter_name(ev->counter));
    }
}

/* ---------------- the hosts' program ---------------- */

static void sock_handler(synack_stack_t *st, int sock, unsigned ev, void *arg, synack_time_t now);

static struct lab_sock *sock_add(struct lab_host *h, int id)
{
    if (id < 0 || h->nsocks == LAB_MAX_SOCKS)
        return NULL;
    struct lab_sock *s = &h->socks[h->nsocks++];
    memset(s, 0, sizeof(*s));
    s->id = id;
    s->host = h->side;
    s->http_server = h->http_server;
    synack_socket_set_handler(h->st, id, sock_handler, h);
    return s;
}

/* A new connection takes what the program wrote while it had none. */
static void sock_take_pending(struct lab_host *h, struct lab_sock *s)
{
    if (h->pending.n) {
        sb_add(&s->out, h->pending.p, h->pending.n);
        h->pending.n = 0;
    }
}

static struct lab_sock *sock_find(struct lab_host *h, int id)
{
    for (int i = 0; i < h->nsocks; i++)
        if (h->socks[i].id == id && !h->socks[i].closed)
            return &h->socks[i];
    return NULL;
}

static void sock_opts(struct lab_host *h, int id, synack_time_t now)
{
    if (h->rcvbuf)
        synack_setsockopt(h->st, id, SYNACK_SO_RCVBUF, (int)h->rcvbuf, now);
    if (h->keepidle) {
        synack_setsockopt(h->st, id, SYNACK_SO_KEEPALIVE, 1, now);
        synack_setsockopt(h->st, id, SYNACK_TCP_KEEPIDLE, (int)h->keepidle, now);
        synack_setsockopt(h->st, id, SYNACK_TCP_KEEPINTVL, (int)(h->keepidle / 2 ? h->keepidle / 2 : 1), now);
        synack_setsockopt(h->st, id, SYNACK_TCP_KEEPCNT, 3, now);
    }
}

static void http_reply(struct lab_sock *s)
{
    int v10 = strstr(s->req, "HTTP/1.0") != NULL;
    char body[600];
    memset(body, 'x', sizeof(body));
    char head[160];
    int n = snprintf(head, sizeof(head), "HTTP/1.%d 200 OK\r\nContent-Length: %zu\r\n%s\r\n", v10 ? 0 : 1, sizeof(body),
                     v10 ? "Connection: close\r\n" : "");
    sb_add(&s->out, head, (size_t)n);
    sb_add(&s->out, body, sizeof(body));
    if (v10)
        s->close_after = 1;
}

/* Does what the program wants with one socket: send what is owed, read what arrived, close. */
static void sock_pump(struct lab_host *h, struct lab_sock *s, synack_time_t now)
{
    synack_stack_t *st = h->st;
    if (s->closed)
        return;
    if (s->listener) {
        int id;
        while ((id = synack_accept(st, s->id, NULL, now)) >= 0) {
            struct lab_sock *c = sock_add(h, id);
            if (c) {
                h->cur = (int)(c - h->socks);
                sock_opts(h, id, now);
                sock_take_pending(h, c);
                sock_pump(h, c, now);
            }
        }
        return;
    }
    for (int guard = 0; guard < 1000; guard++) {
        int progress = 0;
        while (s->out.n) {
            int n = synack_send(st, s->id, s->out.p, s->out.n, now);
            if (n <= 0)
                break;
            memmove(s->out.p, s->out.p + n, s->out.n - (size_t)n);
            s->out.n -= (size_t)n;
            progress = 1;
        }
        if (h->reading && !s->eof) {
            char buf[4096];
            int n = synack_recv(st, s->id, buf, sizeof(buf), now);
            if (n > 0) {
                progress = 1;
                for (int i = 0; s->http_server && i < n; i++) {
                    if (s->req_len < sizeof(s->req) - 1)
                        s->req[s->req_len++] = buf[i];
                    s->req[s->req_len] = 0;
                    if (s->req_len >= 4 && !memcmp(s->req + s->req_len - 4, "\r\n\r\n", 4)) {
                        http_reply(s);
                        s->req_len = 0;
                    }
                }
            } else if (n == 0) {
                s->eof = 1;
                s->close_after = 1;   /* the program closes once the peer has and its data is out */
                progress = 1;
            }
        }
        if (!s->out.n && s->shut_after) {
            s->shut_after = 0;
            synack_shutdown(st, s->id, 1, now);
        }
        if (!s->out.n && s->close_after) {
            s->closed = 1;
            synack_close(st, s->id, now);
            return;
        }
        if (!progress)
            return;
    }
}

static void sock_handler(synack_stack_t *st, int sock, unsigned ev, void *arg, synack_time_t now)
{
    struct lab_host *h = arg;
    struct lab_sock *s = sock_find(h, sock);
    if (s)
        sock_pump(h, s, now);
}

static void filler(struct sbuf *b, size_t n)
{
    char buf[1024];
    while (n) {
        size_t k = n < sizeof(buf) ? n : sizeof(buf);
        for (size_t i = 0; i < k; i++)
            buf[i] = (char)('a' + (b->n + i) % 26);
        sb_add(b, buf, k);
        n -= k;
    }
}

/* A SYN from an address nobody answers for (198.51.100.n): B's SYN-ACK goes to its gateway, A,
 * which drops it, so the half-open entry stays until B gives up on it. */
static void spoof_syn(struct lab *L, uint32_t n, synack_time_t now)
{
    uint8_t fr[14 + 20 + 24];
    memset(fr, 0, sizeof(fr));
    const uint8_t mac_a[6] = { 2, 0, 0, 0, 0, 1 }, mac_b[6] = { 2, 0, 0, 0, 0, 2 };
    memcpy(fr, mac_b, 6);
    memcpy(fr + 6, mac_a, 6);
    fr[12] = 0x08;
    uint8_t *ip = fr + 14, *tcp = ip + 20;
    uint32_t src = 0xC6336400u + (n & 0xff), dst = LAB_B_ADDR;
    ip[0] = 0x45;
    ip[3] = sizeof(fr) - 14;
    ip[4] = (uint8_t)(n >> 8);
    ip[5] = (uint8_t)n;
    ip[6] = 0x40;
    ip[8] = 64;
    ip[9] = 6;
    for (int i = 0; i < 4; i++) {
        ip[12 + i] = (uint8_t)(src >> (24 - 8 * i));
        ip[16 + i] = (uint8_t)(dst >> (24 - 8 * i));
    }
    uint32_t sum = 0;
    for (int i = 0; i < 20; i += 2)
        sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    ip[10] = (uint8_t)(~sum >> 8);
    ip[11] = (uint8_t)~sum;
    uint16_t sport = (uint16_t)(40000 + n);
    uint32_t seq = 0x10000000u * (n % 16) + n * 7919u;
    tcp[0] = (uint8_t)(sport >> 8);
    tcp[1] = (uint8_t)sport;
    tcp[3] = 9;   /* B's discard service */
    for (int i = 0; i < 4; i++)
        tcp[4 + i] = (uint8_t)(seq >> (24 - 8 * i));
    tcp[12] = 6 << 4;   /* 24 bytes: the header and an MSS option */
    tcp[13] = 0x02;
    tcp[14] = 0xff;
    tcp[15] = 0xff;
    tcp[20] = 2;
    tcp[21] = 4;
    tcp[22] = 1460 >> 8;
    tcp[23] = 1460 & 0xff;
    sum = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + 6 + 24;
    for (int i = 0; i < 24; i += 2)
        sum += (uint32_t)(tcp[i] << 8 | tcp[i + 1]);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    tcp[16] = (uint8_t)(~sum >> 8);
    tcp[17] = (uint8_t)~sum;
    lab_tx(&L->h[0], fr, sizeof(fr), now);
}

static const char *op_call(int op)
{
    switch (op) {
    case LAB_CONNECT: return "connect()";
    case LAB_SEND: return "send()";
    case LAB_CLOSE: return "close()";
    case LAB_SHUTDOWN: return "shutdown()";
    case LAB_ABORT: return "abort";
    case LAB_HTTP: return "send() of an HTTP request";
    default: return NULL;
    }
}

static void do_action(struct lab *L, const struct lab_action *a)
{
    struct lab_host *h = &L->h[a->host];
    synack_stack_t *st = h->st;
    synack_time_t now = a->t;
    struct lab_sock *cur = h->cur >= 0 && !h->socks[h->cur].closed ? &h->socks[h->cur] : NULL;
    L->ctx = CTX_APP;
    L->ctx_host = a->host;
    L->ctx_op = op_call(a->op);
    ev_begin(L, "app", now);
    sb_printf(&L->events, ",\"h\":%d,\"op\":%d,\"arg\":%u}", a->host, a->op, (unsigned)a->arg);
    switch (a->op) {
    case LAB_LISTEN: {
        int id = synack_socket(st, SYNACK_SOCK_STREAM);
        struct synack_sockaddr la = { synack_ip_any6(), (uint16_t)a->arg };
        synack_setsockopt(st, id, SYNACK_SO_REUSEADDR, 1, now);
        if (h->rcvbuf)
            synack_setsockopt(st, id, SYNACK_SO_RCVBUF, (int)h->rcvbuf, now);
        synack_bind(st, id, &la);
        synack_listen(st, id, 4);
        struct lab_sock *s = sock_add(h, id);
        if (s) {
            s->listener = 1;
            h->listen_idx = (int)(s - h->socks);
        }
        break;
    }
    case LAB_BACKLOG:
        if (h->listen_idx >= 0)
            synack_listen(st, h->socks[h->listen_idx].id, (int)a->arg);
        break;
    case LAB_CONNECT:
    case LAB_HTTP: {
        if (a->op == LAB_HTTP && cur) {
            const char *req = a->arg == 10 ? "GET / HTTP/1.0\r\nHost: b.lab\r\n\r\n" : "GET / HTTP/1.1\r\nHost: b.lab\r\n\r\n";
            sb_add(&cur->out, req, strlen(req));
            sock_pump(h, cur, now);
            break;
        }
        int id = synack_socket(st, SYNACK_SOCK_STREAM);
        struct lab_sock *s = sock_add(h, id);
        if (!s)
            break;
        h->cur = (int)(s - h->socks);
        sock_opts(h, id, now);
        sock_take_pending(h, s);
        if (h->bind_port) {
            struct synack_sockaddr la = { synack_ip_any6(), h->bind_port };
            synack_setsockopt(st, id, SYNACK_SO_REUSEADDR, 1, now);
            synack_bind(st, id, &la);
        }
        uint16_t port = a->op == LAB_HTTP ? 80 : (uint16_t)(a->arg ? a->arg : 9);
        struct synack_sockaddr peer = synack_sockaddr_from_v4(a->host ? LAB_A_ADDR : LAB_B_ADDR, port);
        if (a->op == LAB_HTTP) {
            const char *req = a->arg == 10 ? "GET / HTTP/1.0\r\nHost: b.lab\r\n\r\n" : "GET / HTTP/1.1\r\nHost: b.lab\r\n\r\n";
            sb_add(&s->out, req, strlen(req));
        }
        synack_connect(st, id, &peer, now);
        break;
    }
    case LAB_SEND:
        if (cur) {
            filler(&cur->out, a->arg);
            sock_pump(h, cur, now);
        } else {
            filler(&h->pending, a->arg);
        }
        break;
    case LAB_CLOSE:
        if (cur) {
            cur->close_after = 1;
            sock_pump(h, cur, now);
        }
        break;
    case LAB_SHUTDOWN:
        if (cur) {
            cur->shut_after = 1;
            sock_pump(h, cur, now);
        }
        break;
    case LAB_ABORT:
        if (cur) {
            synack_setsockopt(st, cur->id, SYNACK_SO_LINGER, 0, now);
            cur->closed = 1;
            synack_close(st, cur->id, now);
        }
        break;
    case LAB_RCVBUF:
        h->rcvbuf = a->arg;
        if (cur)
            synack_setsockopt(st, cur->id, SYNACK_SO_RCVBUF, (int)a->arg, now);
        break;
    case LAB_READ:
        h->reading = a->arg != 0;
        if (cur)
            sock_pump(h, cur, now);
        break;
    case LAB_SPOOF_SYN: spoof_syn(L, a->arg, now); break;
    case LAB_KEEPALIVE: h->keepidle = a->arg; break;
    default: break;
    }
    L->ctx_op = NULL;
}

/* ---------------- the run ---------------- */

static int parse_uint(const char **s, uint64_t *out)
{
    const char *p = *s;
    uint64_t v = 0;
    if (*p < '0' || *p > '9')
        return -1;
    while (*p >= '0' && *p <= '9') {
        if (v > UINT64_MAX / 10 - 10)
            return -1;
        v = v * 10 + (uint64_t)(*p++ - '0');
    }
    *s = p;
    *out = v;
    return 0;
}

static int word_is(const char **s, const char *w)
{
    size_t n = strlen(w);
    if (strncmp(*s, w, n) || ((*s)[n] && (*s)[n] != ':' && (*s)[n] != ','))
        return 0;
    *s += n;
    return 1;
}

static int parse_spec(struct lab *L, const char *spec, char *err, size_t errcap)
{
    static const struct { const char *name; int op; int has_arg; } ops[] = {
        { "send", LAB_SEND, 1 }, { "close", LAB_CLOSE, 0 }, { "shutdown", LAB_SHUTDOWN, 0 }, { "abort", LAB_ABORT, 0 },
        { "rcvbuf", LAB_RCVBUF, 1 }, { "read", LAB_READ, 1 }, { "backlog", LAB_BACKLOG, 1 },
        { "connect", LAB_CONNECT, 0 },
    };
    const char *s = spec;
    while (s && *s) {
        const char *item = s;
        uint64_t n = 0, arg = 0;
        if (*s == 'f') {
            s++;
            int fate = 0;
            if (parse_uint(&s, &n) || *s++ != ':')
                goto bad;
            if (word_is(&s, "drop"))
                fate = LAB_DROP;
            else if (word_is(&s, "dup"))
                fate = LAB_DUP;
            else if (word_is(&s, "corrupt"))
                fate = LAB_CORRUPT;
            else if (word_is(&s, "delay")) {
                fate = LAB_DELAY;
                if (*s++ != ':' || parse_uint(&s, &arg) || arg > 600000)
                    goto bad;
            } else
                goto bad;
            if (L->nops == LAB_MAX_FRAME_OPS || n == 0 || n > UINT32_MAX)
                goto bad;
            L->ops[L->nops].frame = (uint32_t)n;
            L->ops[L->nops].fate = fate;
            L->ops[L->nops].arg = (uint32_t)arg;
            L->nops++;
        } else if (*s == 'a') {
            s++;
            if (parse_uint(&s, &n) || *s++ != ':' || (*s != 'A' && *s != 'B') || s[1] != ':')
                goto bad;
            int host = *s == 'B';
            s += 2;
            size_t k;
            for (k = 0; k < sizeof(ops) / sizeof(ops[0]); k++)
                if (word_is(&s, ops[k].name))
                    break;
            if (k == sizeof(ops) / sizeof(ops[0]))
                goto bad;
            if (ops[k].has_arg && (*s++ != ':' || parse_uint(&s, &arg) || arg > (64u << 20)))
                goto bad;
            if (n > L->p->end)
                goto bad;
            lab_at(L, (synack_time_t)n, host, ops[k].op, (uint32_t)arg);
        } else
            goto bad;
        if (*s == ',')
            s++;
        else if (*s)
            goto bad;
        continue;
    bad:
        snprintf(err, errcap, "bad intervention at '%.40s'", item);
        return -1;
    }
    return 0;
}

struct lab *lab_new(const char *preset, uint64_t seed, const char *spec, char *err, size_t errcap)
{
    const struct lab_preset *p = NULL;
    for (size_t i = 0; i < lab_npresets; i++)
        if (preset && !strcmp(lab_presets[i].name, preset))
            p = &lab_presets[i];
    if (!p) {
        snprintf(err, errcap, "no preset '%s'", preset ? preset : "");
        return NULL;
    }
    struct lab *L = calloc(1, sizeof(*L));
    if (!L) {
        snprintf(err, errcap, "out of memory");
        return NULL;
    }
    L->p = p;
    L->seed = seed;
    struct synack_simlink_config lc;
    synack_simlink_config_init(&lc);
    lc.latency = (synack_time_t)(p->latency_ms * 1000);
    lc.bandwidth_bps = p->bandwidth_bps;
    lc.queue_limit = p->queue_limit;
    lc.seed = seed;
    L->link = synack_simlink_new(&lc);
    L->net = synack_simnet_new(0);
    ladder_init(&L->lad, "A 192.0.2.1 (client)", "B 192.0.2.2 (server)");
    for (int i = 0; i < 2; i++) {
        struct lab_host *h = &L->h[i];
        h->L = L;
        h->side = i;
        h->cur = h->listen_idx = -1;
        h->reading = 1;
        h->rx_row = -1;
        h->state = SYNACK_TCP_CLOSED;
        struct synack_config cfg;
        synack_config_init(&cfg);
        synack_config_seed_u64(&cfg, seed * 2 + (unsigned)i);
        if (p->config)
            p->config(i, &cfg);
        h->st = synack_stack_new(&cfg);
        if (!h->st || !L->link || !L->net) {
            snprintf(err, errcap, "out of memory");
            lab_free(L);
            return NULL;
        }
        struct synack_if_config ic = { .name = "sim0", .kind = SYNACK_IF_ETHERNET,
                                       .mac = { 0x02, 0, 0, 0, 0, (uint8_t)(i + 1) }, .addr = LAB_A_ADDR + (unsigned)i,
                                       .prefix_len = 24, .mtu = 1500, .tx = lab_tx, .tx_ctx = h };
        int ifx = synack_if_add(h->st, &ic);
        synack_simlink_attach(L->link, i, h->st, ifx);
        synack_simnet_add_stack(L->net, h->st);
        synack_stack_set_trace(h->st, lab_trace, h);
    }
    synack_simnet_add_link(L->net, L->link);
    /* B sends to other networks through A, which drops what is not its own: replies to spoofed
     * sources go nowhere. */
    synack_route_set_gateway(L->h[1].st, LAB_A_ADDR);
    if (p->setup)
        p->setup(L);
    if (spec && parse_spec(L, spec, err, errcap) != 0) {
        lab_free(L);
        return NULL;
    }
    /* The stacks start with empty ARP caches: let them learn each other first, so the run begins
     * with TCP (as `synack demo` does). */
    struct synack_ip dst = synack_ip_from_v4(LAB_B_ADDR);
    synack_ping(L->h[0].st, &dst, 1, 1, "arp", 3, 0);
    synack_simnet_run_until(L->net, SYNACK_MS(500));
    L->recording = 1;
    return L;
}

void lab_free(struct lab *L)
{
    if (!L)
        return;
    for (int i = 0; i < 2; i++) {
        for (int k = 0; k < L->h[i].nsocks; k++)
            free(L->h[i].socks[k].out.p);
        free(L->h[i].pending.p);
        synack_stack_free(L->h[i].st);
    }
    if (L->net)
        synack_simnet_free(L->net);
    else
        synack_simlink_free(L->link);
    for (size_t i = 0; i < L->ndelayed; i++)
        free(L->delayed[i].frame);
    ladder_free(&L->lad);
    free(L->segs);
    free(L->events.p);
    free(L->cwnd.p);
    free(L->pcap.p);
    free(L->json.p);
    free(L->text.p);
    free(L);
}

/* Each side's congestion window, when it changes (the slow-start plot). */
static void sample_cwnd(struct lab *L, synack_time_t now)
{
    for (int i = 0; i < 2; i++) {
        struct lab_host *h = &L->h[i];
        struct synack_tcp_info ti;
        if (h->cur < 0 || synack_tcp_info(h->st, h->socks[h->cur].id, &ti) != 0 || ti.state != SYNACK_TCP_ESTABLISHED)
            continue;
        if (ti.cwnd == L->last_cwnd[i] && ti.ssthresh == L->last_ssthresh[i])
            continue;
        L->last_cwnd[i] = ti.cwnd;
        L->last_ssthresh[i] = ti.ssthresh;
        if (L->cwnd.n)
            sb_add(&L->cwnd, ",", 1);
        sb_printf(&L->cwnd, "[%llu,%d,%u,%u]", (unsigned long long)now, i, (unsigned)ti.cwnd, (unsigned)ti.ssthresh);
    }
}

int lab_step(struct lab *L)
{
    if (L->done)
        return 0;
    synack_time_t tl = synack_simlink_next(L->link);
    synack_time_t t0 = synack_stack_next_deadline(L->h[0].st), t1 = synack_stack_next_deadline(L->h[1].st);
    synack_time_t tn = tl < t0 ? tl : t0;
    tn = tn < t1 ? tn : t1;
    synack_time_t ta = L->next_action < L->nactions ? L->actions[L->next_action].t : SYNACK_TIME_NEVER;
    size_t di = 0;
    for (size_t i = 1; i < L->ndelayed; i++)
        if (L->delayed[i].t < L->delayed[di].t)
            di = i;
    synack_time_t td = L->ndelayed ? L->delayed[di].t : SYNACK_TIME_NEVER;
    synack_time_t tx = ta < td ? ta : td;
    synack_time_t now = synack_simnet_now(L->net);
    if (tx != SYNACK_TIME_NEVER && tx <= tn && tx <= L->p->end) {
        if (tx > now)
            synack_simnet_run_until(L->net, tx);
        if (ta <= td) {
            struct lab_action a = L->actions[L->next_action++];
            if (a.t < now)
                a.t = now;   /* an action given for a time before the run's start happens at once */
            do_action(L, &a);
        } else {
            struct lab_delayed d = L->delayed[di];
            L->delayed[di] = L->delayed[--L->ndelayed];
            L->ctx = CTX_DELAYED;
            synack_simlink_tx(synack_simlink_end(L->link, d.side), d.frame, d.len, d.t > now ? d.t : now);
            free(d.frame);
        }
    } else if (tn != SYNACK_TIME_NEVER && tn <= L->p->end) {
        L->ctx = tl <= tn ? CTX_RX : CTX_TIMER;
        synack_simnet_step(L->net, L->p->end);
    } else {
        L->done = 1;
        return 0;
    }
    L->ctx = CTX_NONE;
    sample_cwnd(L, synack_simnet_now(L->net));
    return 1;
}

void lab_run(struct lab *L)
{
    while (lab_step(L))
        ;
}

static const char *fates[] = { "", "dropped", "delayed", "duplicated", "corrupted" };

const char *lab_json(struct lab *L)
{
    struct sbuf *b = &L->json;
    b->n = 0;
    sb_printf(b, "{\"preset\":\"%s\",\"seed\":%llu,\"t0\":%llu,\"end\":%llu,\"done\":%d,\"msl2\":%llu,\n\"segs\":[\n",
              L->p->name, (unsigned long long)L->seed, (unsigned long long)LAB_T0, (unsigned long long)L->p->end, L->done,
              (unsigned long long)SYNACK_SEC(60));
    for (size_t i = 0; i < L->nsegs; i++) {
        const struct lab_seg *s = &L->segs[i];
        const struct ladder_row *r = &L->lad.rows[s->row];
        char fl[16];
        synack_tcp_flags_str(s->f.flags, fl);
        uint32_t rseq = s->rseq, rack = s->rack;
        sb_printf(b,
                  "%s{\"i\":%u,\"t\":%llu,\"arr\":%lld,\"d\":%d,\"fl\":\"%s\",\"flags\":%u,\"seq\":%u,\"ack\":%u,"
                  "\"rseq\":%u,\"rack\":%u,\"win\":%u,\"swin\":%u,\"len\":%zu,\"sp\":%u,\"dp\":%u,\"ck\":%u,\"hl\":%zu,"
                  "\"row\":%ld,\"fate\":\"%s\",\"farg\":%u,\"opt\":",
                  i ? ",\n" : "", (unsigned)s->frame, (unsigned long long)s->t,
                  s->arr == SYNACK_TIME_NEVER ? -1LL : (long long)s->arr, s->dir, fl, (unsigned)s->f.flags,
                  (unsigned)s->f.seq, (unsigned)s->f.ack, (unsigned)rseq, (unsigned)rack, (unsigned)s->f.win,
                  (unsigned)r->win, s->f.data_len, (unsigned)s->f.sport, (unsigned)s->f.dport, (unsigned)s->csum,
                  s->f.hdr_len, s->row, fates[s->fate], (unsigned)s->fate_arg);
        sb_json_str(b, r->opts);
        char sa[16], da[16];
        synack_addr_format(s->src, sa, sizeof(sa));
        synack_addr_format(s->dst, da, sizeof(da));
        sb_printf(b, ",\"sa\":\"%s\",\"da\":\"%s\"", sa, da);
        sb_add(b, ",\"mark\":", 8);
        sb_json_str(b, r->mark);
        sb_add(b, ",\"why\":", 7);
        sb_json_str(b, s->why);
        sb_printf(b, ",\"st\":[%d,%d]}", r->state[0], r->state[1]);
    }
    sb_add(b, "],\n\"events\":[\n", 14);
    if (L->events.n)
        sb_add(b, L->events.p, L->events.n);
    sb_add(b, "],\n\"cwnd\":[", 11);
    if (L->cwnd.n)
        sb_add(b, L->cwnd.p, L->cwnd.n);
    sb_add(b, "],\n\"rows\":[", 11);
    for (size_t i = 0; i < L->lad.n; i++) {
        const struct ladder_row *r = &L->lad.rows[i];
        sb_printf(b, "%s[%llu,%d,%d,%d,", i ? "," : "", (unsigned long long)r->t, r->dir, r->state[0], r->state[1]);
        sb_json_str(b, r->note);
        sb_add(b, "]", 1);
    }
    sb_add(b, "]}\n", 3);
    return b->p;
}

const char *lab_transcript(struct lab *L)
{
    struct sbuf *b = &L->text;
    b->n = 0;
    char *mem = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&mem, &len);
    if (!f)
        return "";
    fprintf(f, "synack lab: preset %s, seed %llu\n", L->p->name, (unsigned long long)L->seed);
    uint32_t isn[2] = { L->lad.isn[0], L->lad.isn[1] };
    L->lad.isn[0] = L->lad.isn[1] = 0;
    ladder_print_text(&L->lad, f, 0, 0);
    L->lad.isn[0] = isn[0];
    L->lad.isn[1] = isn[1];
    fclose(f);
    sb_add(b, mem, len);
    free(mem);
    return b->p ? b->p : "";
}

const uint8_t *lab_pcap(struct lab *L, size_t *len)
{
    struct sbuf *b = &L->json;
    b->n = 0;
    uint32_t hdr[6] = { 0xa1b2c3d4u, 2 | 4u << 16, 0, 0, 65535, 1 };
    sb_add(b, hdr, sizeof(hdr));
    if (L->pcap.n)
        sb_add(b, L->pcap.p, L->pcap.n);
    *len = b->n;
    return (const uint8_t *)b->p;
}

size_t lab_presets_json(char *buf, size_t cap)
{
    size_t n = 0;
    if (!cap)
        return 0;
    buf[0] = 0;
    n += (size_t)snprintf(buf + n, cap - n, "[");
    for (size_t i = 0; i < lab_npresets && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%s{\"name\":\"%s\",\"title\":\"%s\",\"end\":%llu}", i ? "," : "",
                              lab_presets[i].name, lab_presets[i].title, (unsigned long long)lab_presets[i].end);
    if (n < cap)
        n += (size_t)snprintf(buf + n, cap - n, "]");
    return n < cap ? n : cap - 1;
}
