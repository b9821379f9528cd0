/* Passive open: RFC 9293 3.10.7.2 (LISTEN), the SYN queue of half-open children in SYN-RECEIVED,
 * the accept queue, and SYN cookies when the SYN queue is full (RFC 4987 3.6). */
#include "base/mem.h"

#include "core/ctx.h"
#include "tcp/tcp_cc.h"
#include "tcp/tcp_int.h"

/* Copies the listener's socket options into a child. */
static void inherit(struct tcp_conn *c, const struct tcp_conn *l)
{
    c->nodelay = l->nodelay;
    c->keepalive = l->keepalive;
    c->keep_idle_s = l->keep_idle_s;
    c->keep_intvl_s = l->keep_intvl_s;
    c->keep_cnt = l->keep_cnt;
    c->delack_on = l->delack_on;
    c->mss_user = l->mss_user;
    c->rto_min_us = l->rto_min_us;
    c->user_timeout_ms = l->user_timeout_ms;
    c->cc_id = l->cc_id;
    c->tos = l->tos;
    c->cork = l->cork;
    c->rcvbuf_locked = l->rcvbuf_locked;
    c->sndbuf_locked = l->sndbuf_locked;
    c->sndq_limit = l->sndq_limit;   /* a new child's rings are empty */
    c->rcvq_limit = l->rcvq_limit;
}

/* A listener's queues are doubly linked through pnext/pprev (a child is on no port chain while
 * queued), so a child leaves either in O(1). */
static void queue_push_syn(struct tcp_conn *l, struct tcp_conn *c)
{
    struct tcp_listenq *q = l->x->lq;
    tcp_port_unlink(c);
    c->pprev = NULL;
    c->pnext = q->synq_head;
    if (q->synq_head)
        q->synq_head->pprev = c;
    q->synq_head = c;
    q->synq_len++;
    c->queued = 1;
    c->x->parent = l;
}

void tcp_child_unlink(struct tcp_conn *c)
{
    struct tcp_conn *l = tcp_parent(c);
    if (!l)
        return;
    struct tcp_listenq *q = l->x->lq;
    if (c->queued == 1) {
        if (c->pprev)
            c->pprev->pnext = c->pnext;
        else
            q->synq_head = c->pnext;
        if (c->pnext)
            c->pnext->pprev = c->pprev;
        q->synq_len--;
    } else if (c->queued == 2) {
        if (c->pprev)
            c->pprev->pnext = c->pnext;
        else
            q->accq_head = c->pnext;
        if (c->pnext)
            c->pnext->pprev = c->pprev;
        else
            q->accq_tail = c->pprev;
        q->accq_len--;
    }
    c->pnext = c->pprev = NULL;
    c->queued = 0;
    c->x->parent = NULL;
    tcp_port_link(c);   /* its own port's chain from now on */
}

static int accept_queue_full(const struct tcp_conn *l) { return l->x->lq->accq_len >= l->x->lq->backlog; }

static void accept_queue_push(struct tcp_conn *l, struct tcp_conn *c)
{
    struct tcp_listenq *q = l->x->lq;
    tcp_port_unlink(c);
    c->pnext = NULL;
    c->pprev = q->accq_tail;
    if (q->accq_tail)
        q->accq_tail->pnext = c;
    else
        q->accq_head = c;
    q->accq_tail = c;
    q->accq_len++;
    c->queued = 2;
    c->x->parent = l;
    tcp_notify(l);   /* the listening socket becomes readable */
}

int tcp_child_established(struct tcp_conn *c, synack_time_t now)
{
    struct tcp_conn *l = tcp_parent(c);
    if (!l)
        return 0;
    if (accept_queue_full(l)) {
        /* Linux's default (tcp_abort_on_overflow = 0): drop the final ACK, keep the child; the
         * SYN-ACK retransmission makes the client ACK again, maybe when there is room. */
        stack_count(c->st, SYNACK_C_TcpListenOverflows);
        stack_count(c->st, SYNACK_C_TcpListenDrops);
        return -1;
    }
    tcp_child_unlink(c);
    accept_queue_push(l, c);
    return 0;
}

static struct tcp_conn *child_new(struct tcp_conn *l, const struct tcp_seg *s, synack_time_t now)
{
    synack_stack_t *st = l->st;
    struct tcp_conn *c = tcp_conn_new(st);
    if (!c) {
        stack_count(st, SYNACK_C_BufAllocFails);
        return NULL;
    }
    inherit(c, l);
    c->local = s->local;
    c->remote = s->remote;
    c->bound = 1;
    tcp_port_link(c);
    c->passive = 1;
    c->mss_adv = tcp_mss_for(st, &s->remote.ip, c->mss_user);
    uint16_t peer_mss = tcp_peer_mss(s);
    c->mss_snd = peer_mss < c->mss_adv ? peer_mss : c->mss_adv;
    c->irs = s->seq;
    c->rcv_nxt = s->seq + 1;
    c->rcv_adv = c->rcv_nxt;
    c->snd_wnd = s->wnd;   /* unscaled in a SYN */
    c->max_snd_wnd = c->snd_wnd;
    c->snd_wl1 = s->seq;
    c->ts_off = tcp_ts_offset(st, &c->local, &c->remote);
    c->state = SYNACK_TCP_LISTEN;   /* the child starts as its listener did (RFC 9293 figure 5) */
    return c;
}

/* The SYN queue is full: answer with a cookie instead of keeping state. */
static void send_cookie(struct tcp_conn *l, const struct tcp_seg *s, synack_time_t now)
{
    synack_stack_t *st = l->st;
    struct tcp_table *t = st->tcp;
    uint16_t mss = tcp_mss_for(st, &s->remote.ip, l->mss_user);
    uint32_t isn = tcp_cookie_make(st, s, &mss, now);
    struct tcp_opts o;
    memset(&o, 0, sizeof(o));
    o.has_mss = 1;
    o.mss = mss;   /* the MSS the cookie encodes */
    /* With timestamps the SYN's window scale and SACK-permitted ride in our TSval's low bits
     * (tcp_cookie_tsval) and come back as the ACK's TSecr: then we answer them as a SYN-ACK with
     * state would. Without, we could not remember them: MSS alone. */
    if (t->timestamps && s->h.opts.has_ts) {
        o.has_ts = 1;
        o.ts_val = tcp_cookie_tsval(tcp_ts_clock(now) + tcp_ts_offset(st, &s->local, &s->remote), &s->h.opts);
        o.ts_ecr = s->h.opts.ts_val;
        o.sack_perm = t->sack && s->h.opts.sack_perm;
        if (s->h.opts.has_wscale) {
            o.has_wscale = 1;
            o.wscale = tcp_conn_wscale(l);   /* what the child will have */
        }
    }
    uint16_t win = tcp_win16(l->rcvq_limit);
    stack_count(st, SYNACK_C_TcpSyncookiesSent);
    st->tcp->last_cookie = now;
    st->tcp->cookies_sent = 1;
    tcp_send_raw(st, &s->local, &s->remote, isn, s->seq + 1, TCP_SYN | TCP_ACK, win, &o, NULL, 0, l->tos, now);
}

/* An ACK that may carry a cookie. Returns 1 if it created a connection (and processed the
 * segment), 0 if the caller should answer with a reset. */
static int cookie_ack(struct tcp_conn *l, struct tcp_seg *s, synack_time_t now)
{
    synack_stack_t *st = l->st;
    struct tcp_table *t = st->tcp;
    if (t->syncookies < 0 || !t->cookies_sent || now - t->last_cookie > TCP_COOKIE_LIFETIME)
        return 0;
    uint16_t mss = tcp_cookie_check(st, s, now);
    if (!mss) {
        stack_count(st, SYNACK_C_TcpSyncookiesFailed);
        return 0;
    }
    stack_count(st, SYNACK_C_TcpSyncookiesRecv);
    if (accept_queue_full(l)) {
        stack_count(st, SYNACK_C_TcpListenOverflows);
        stack_count(st, SYNACK_C_TcpListenDrops);
        return 1;   /* dropped; a valid cookie ACK is not answered with a reset */
    }
    /* What the SYN offered beyond the MSS, when the cookie SYN-ACK could keep it: the TSecr of this
     * ACK echoes that SYN-ACK's TSval, whose low bits hold it; an echo from the future is forged. */
    struct tcp_opts syn_opts;
    memset(&syn_opts, 0, sizeof(syn_opts));
    syn_opts.has_mss = 1;
    syn_opts.mss = mss;
    if (t->timestamps && s->h.opts.has_ts) {
        uint32_t ecr = s->h.opts.ts_ecr;
        uint32_t ts_now = tcp_ts_clock(now) + tcp_ts_offset(st, &s->local, &s->remote);
        if ((int32_t)(ecr - ts_now) > 0) {
            stack_count(st, SYNACK_C_TcpSyncookiesFailed);
            return 0;
        }
        uint32_t ws = ecr & 0xf;
        if (ws != TCP_COOKIE_TS_WS_NONE) {
            syn_opts.has_wscale = 1;
            syn_opts.wscale = (uint8_t)(ws > TCP_WSCALE_MAX ? TCP_WSCALE_MAX : ws);
        }
        syn_opts.sack_perm = t->sack && (ecr & TCP_COOKIE_TS_SACK);
        syn_opts.has_ts = 1;
        syn_opts.ts_val = s->h.opts.ts_val;
    }
    struct tcp_seg syn = *s;
    syn.seq = s->seq - 1;
    syn.h.opts = syn_opts;
    struct tcp_conn *c = child_new(l, &syn, now);
    if (!c)
        return 1;
    c->syn_cookie = 1;
    if (syn_opts.has_wscale) {
        c->ws_ok = 1;
        c->snd_wscale = syn_opts.wscale;
        c->rcv_wscale = tcp_conn_wscale(c);
    }
    c->iss = s->ack - 1;
    c->snd_una = s->ack;
    c->snd_nxt = s->ack;
    c->snd_max = s->ack;
    c->mss_snd = mss < c->mss_adv ? mss : c->mss_adv;
    tcp_options_agreed(c, &syn_opts, t->timestamps, t->sack, now);
    uint16_t win = tcp_win16(c->rcvq_limit);
    c->rcv_adv = c->rcv_nxt + win;   /* what our cookie SYN-ACK offered */
    stack_count(st, SYNACK_C_TcpPassiveOpens);
    tcp_conn_hash(c);
    /* The child is what SYN-RECEIVED would have held, and this ACK completes its handshake as any
     * other (room was checked above). */
    queue_push_syn(l, c);
    tcp_set_state(c, SYNACK_TCP_SYN_RECEIVED, "rcv SYN (cookie)");
    tcp_synrcvd_complete(c, s, "rcv ACK with valid SYN cookie", now);
    /* The ACK may carry data (the third segment): process it as an established connection. */
    if (s->dlen || (s->flags & TCP_FIN))
        tcp_conn_input(c, s, now);
    return 1;
}

void tcp_listen_input(struct tcp_conn *l, struct tcp_seg *s, synack_time_t now)
{
    synack_stack_t *st = l->st;
    struct tcp_table *t = st->tcp;
    /* first, check for a RST: ignore it */
    if (s->flags & TCP_RST)
        return;
    /* second, check for an ACK: <SEQ=SEG.ACK><CTL=RST>, unless it returns one of our cookies */
    if (s->flags & TCP_ACK) {
        if (!(s->flags & TCP_SYN) && cookie_ack(l, s, now))
            return;
        tcp_send_rst_for(st, s, now);
        return;
    }
    /* third, check for a SYN */
    if (!(s->flags & TCP_SYN))
        return;   /* fourth: anything else is dropped */
    if (accept_queue_full(l)) {
        stack_count(st, SYNACK_C_TcpListenOverflows);
        stack_count(st, SYNACK_C_TcpListenDrops);
        return;
    }
    if (t->syncookies > 0 || l->x->lq->synq_len >= l->x->lq->backlog) {
        if (t->syncookies < 0) {
            stack_count(st, SYNACK_C_TcpListenDrops);
            return;
        }
        send_cookie(l, s, now);
        return;
    }
    struct tcp_conn *c = child_new(l, s, now);
    if (!c) {
        stack_count(st, SYNACK_C_TcpListenDrops);
        return;
    }
    /* RFC 7323 2.2: scale only if the SYN offered it; then we offer ours in the SYN-ACK. */
    if (s->h.opts.has_wscale) {
        c->ws_ok = 1;
        c->snd_wscale = s->h.opts.wscale;
        c->rcv_wscale = tcp_conn_wscale(c);
    }
    tcp_options_agreed(c, &s->h.opts, t->timestamps, t->sack, now);
    c->iss = tcp_isn(st, &c->local, &c->remote, now);
    c->snd_una = c->iss;
    c->snd_nxt = c->iss;
    c->snd_max = c->iss;
    c->snd_wl2 = c->iss;
    c->recover = c->iss;
    tcp_conn_hash(c);
    queue_push_syn(l, c);
    stack_count(st, SYNACK_C_TcpPassiveOpens);
    tcp_set_state(c, SYNACK_TCP_SYN_RECEIVED, "rcv SYN");
    /* Text or a FIN on the SYN is not ACKed or kept (RFC 9293 3.10.7.2 would queue it for after
     * ESTABLISHED; it is never delivered before): the peer sends it again after the handshake. */
    tcp_send_syn(c, now);
}

void tcp_listen_close(struct tcp_conn *l, synack_time_t now)
{
    if (!l->x || !l->x->lq)
        return;
    while (l->x->lq->synq_head) {
        struct tcp_conn *c = l->x->lq->synq_head;
        tcp_child_unlink(c);
        tcp_set_state(c, SYNACK_TCP_CLOSED, "listener closed");
        tcp_conn_destroy(c);
    }
    while (l->x->lq->accq_head) {
        struct tcp_conn *c = l->x->lq->accq_head;
        tcp_child_unlink(c);
        tcp_send_rst(c, now);
        tcp_set_state(c, SYNACK_TCP_CLOSED, "listener closed before accept");
        tcp_conn_destroy(c);
    }
}
