/* TCP's user calls (RFC 9293 3.10) as the socket layer makes them: open, bind, listen, accept,
 * connect, send, receive, shutdown, close, options and the tcp_info snapshot, with BSD's errors.
 * They act on a struct tcp_conn; the socket that owns it is an opaque `owner` TCP reaches only
 * through the upcalls the socket layer registered (tcp_set_upcalls). */
#include "base/errno.h"
#include "base/fmt.h"
#include "base/mem.h"
#include "core/alloc.h"

#include "net/net.h"
#include "net/ports.h"
#include "core/ctx.h"
#include "tcp/tcp.h"
#include "tcp/tcp_cc.h"
#include "tcp/tcp_int.h"
#include "tcp/tcp_state.h"

uint8_t tcp_choose_wscale(size_t bufsize)
{
    uint8_t ws = 0;
    while (ws < TCP_WSCALE_MAX && (bufsize >> ws) > TCP_WIN_MAX)
        ws++;
    return ws;
}

uint8_t tcp_conn_wscale(const struct tcp_conn *c)
{
    size_t most = c->rcvq_limit;
    if (!c->rcvbuf_locked && c->st->tcp->rmem_max > most)
        most = c->st->tcp->rmem_max;
    return tcp_choose_wscale(most);
}

struct tcp_conn *tcp_user_open(synack_stack_t *st, void *owner)
{
    struct tcp_conn *c = tcp_conn_new(st);
    if (c)
        c->owner = owner;
    return c;
}

void tcp_user_names(const struct tcp_conn *c, struct synack_sockaddr *local, struct synack_sockaddr *remote)
{
    *local = tcp_end_sockaddr(&c->local);
    *remote = tcp_end_sockaddr(&c->remote);
}

static int bind_port_used(synack_stack_t *st, uint16_t port, const void *ctx)
{
    return tcp_port_in_use(st, ctx, port, 0);
}

int tcp_user_bind(synack_stack_t *st, struct tcp_conn *c, const struct synack_sockaddr *local)
{
    if (c->bound || c->state != SYNACK_TCP_CLOSED)
        return -EINVAL;
    struct synack_ip lip = local->addr;
    if (!synack_ip_is_unspecified(&lip) && !net_family_for(&lip)->is_local(st, &lip))
        return -EADDRNOTAVAIL;
    uint16_t port = local->port;
    if (port == 0) {
        port = port_pick_ephemeral(st, bind_port_used, &lip);
        if (!port)
            return -EADDRINUSE;
    } else if (tcp_port_in_use(st, &lip, port, c->reuseaddr)) {
        return -EADDRINUSE;
    }
    c->local.ip = local->addr;
    c->local.port = port;
    c->bound = 1;
    tcp_port_link(c);
    return 0;
}

int tcp_user_connected(const struct tcp_conn *c) { return tcp_state_synchronized(c->state); }

int tcp_user_connect(synack_stack_t *st, struct tcp_conn *c, const struct synack_sockaddr *peer, synack_time_t now)
{
    if (c->state == SYNACK_TCP_SYN_SENT || c->state == SYNACK_TCP_SYN_RECEIVED)
        return -EALREADY;
    if (c->state == SYNACK_TCP_LISTEN)
        return -EINVAL;
    if (c->state != SYNACK_TCP_CLOSED || c->iss != 0 || c->snd_max != 0)
        return -EISCONN;
    /* RFC 9293 3.9.1.1 (MUST-46): an OPEN to a broadcast or multicast address is an error. */
    if (!peer || peer->port == 0)
        return -EINVAL;
    struct synack_ip rip = peer->addr, lip;
    const struct net_family *nf = net_family_for(&rip);
    if (!nf->is_unicast(st, &rip))
        return -EINVAL;
    if (nf->source_for(st, &rip, &lip) != 0)
        return -ENETUNREACH;
    struct tcp_end remote = tcp_end_from_sockaddr(peer);
    struct tcp_end local = { synack_ip_is_unspecified(&c->local.ip) ? lip : c->local.ip, c->local.port };
    if (!c->bound) {
        local.port = tcp_pick_port(st, &local.ip, &remote);
        if (!local.port)
            return -EADDRNOTAVAIL;
    } else if (tcp_lookup(st, &local, &remote) || tcp_tw_lookup(st, &local, &remote)) {
        return -EADDRINUSE;
    }
    c->local = local;
    c->remote = remote;
    c->bound = 1;
    tcp_port_link(c);
    c->mss_adv = tcp_mss_for(st, &remote.ip, c->mss_user);
    c->mss_snd = c->mss_adv;
    c->ws_offered = 1;
    c->rcv_wscale = tcp_conn_wscale(c);
    c->ts_off = tcp_ts_offset(st, &local, &remote);
    c->iss = tcp_isn(st, &local, &remote, now);
    c->snd_una = c->iss;
    c->snd_nxt = c->iss;
    c->snd_max = c->iss;
    c->recover = c->iss;
    stack_enter(st, now);
    tcp_conn_hash(c);
    stack_count(st, SYNACK_C_TcpActiveOpens);
    tcp_set_state(c, SYNACK_TCP_SYN_SENT, "connect()");
    tcp_send_syn(c, now);   /* <SEQ=ISS><CTL=SYN> */
    stack_leave(st);
    return -EINPROGRESS;
}

int tcp_user_listen(synack_stack_t *st, struct tcp_conn *c, int backlog)
{
    if (backlog < 1)
        backlog = 1;
    if (backlog > 65535)
        backlog = 65535;
    if (c->state == SYNACK_TCP_LISTEN) {
        c->x->lq->backlog = (unsigned)backlog;
        return 0;
    }
    if (c->state != SYNACK_TCP_CLOSED || c->iss != 0)
        return -EINVAL;
    if (tcp_x_ensure(c) != 0)
        return -ENOMEM;   /* a listener keeps its working state: its queues are there */
    if (!c->x->lq) {
        c->x->lq = mem_calloc(&st->cfg.alloc, 1, sizeof(*c->x->lq));
        if (!c->x->lq)
            return -ENOMEM;
    }
    if (!c->bound) {
        struct synack_sockaddr any = { synack_ip_any6(), 0 };
        int r = tcp_user_bind(st, c, &any);
        if (r)
            return r;
    }
    c->x->lq->backlog = (unsigned)backlog;
    tcp_listener_add(c);
    tcp_set_state(c, SYNACK_TCP_LISTEN, "listen()");
    return 0;
}

int tcp_user_accept_ready(const struct tcp_conn *l)
{
    if (l->state != SYNACK_TCP_LISTEN)
        return -EINVAL;
    return l->x->lq->accq_head ? 0 : -EAGAIN;
}

struct tcp_conn *tcp_user_accept(synack_stack_t *st, struct tcp_conn *l, void *owner)
{
    struct tcp_conn *c = l->x && l->x->lq ? l->x->lq->accq_head : NULL;
    if (l->state != SYNACK_TCP_LISTEN || !c)
        return NULL;
    tcp_child_unlink(c);
    c->owner = owner;
    if (tcp_rcvq_len(c) || c->fin_rcvd || c->state == SYNACK_TCP_CLOSED)
        tcp_notify(c);   /* readable already: data, the peer's FIN or a reset came before accept */
    return c;
}

int tcp_user_send(synack_stack_t *st, struct tcp_conn *c, const void *data, size_t len, unsigned flags,
                  synack_time_t now)
{
    switch (c->state) {
    case SYNACK_TCP_ESTABLISHED:
    case SYNACK_TCP_CLOSE_WAIT:
        break;
    case SYNACK_TCP_SYN_SENT:
    case SYNACK_TCP_SYN_RECEIVED:
        return -EAGAIN;   /* not connected yet: wait for EV_OUT */
    case SYNACK_TCP_CLOSED:
    case SYNACK_TCP_LISTEN:
        return c->iss || c->snd_max ? -EPIPE : -ENOTCONN;
    default:
        return -EPIPE;   /* our side is closed (FIN queued or sent) */
    }
    if (c->fin_queued)
        return -EPIPE;
    if (len == 0)
        return 0;
    if (tcp_x_ensure(c) != 0)
        return -ENOMEM;   /* nothing queued: the data would wait without a way out */
    /* At the stack's memory ceiling the send ring fills only the storage it has (tcp_autotune.c):
     * the write waits for ACKs to free it, as for a full buffer. */
    int full = !tcp_mem_room(st->tcp, 0);
    struct tcp_ring_mem m = tcp_ring_mem(st);
    size_t n = full ? ring_write_capped(&c->x->sndq, &m, c->sndq_limit, data, len, TCP_MEM_RING_FLOOR)
                    : ring_write(&c->x->sndq, &m, c->sndq_limit, data, len);
    if (n == 0 && full)
        return -EAGAIN;
    if (n == 0)
        return ring_space(c->x->sndq.len, c->sndq_limit) ? -ENOMEM : -EAGAIN;
    c->more = (flags & SYNACK_MSG_MORE) != 0;   /* each send says whether more follows; one without lets the tail go */
    if (flags & SYNACK_MSG_OOB) {
        /* RFC 9293 3.10.2 SEND with the URGENT flag: SND.UP <- the sequence number after the last
         * octet queued, the octet following the urgent data (3.8.5, MUST-62); as Linux (MSG_OOB),
         * after what this call took when it took less than len. Every segment that starts before
         * it carries URG until the peer has acknowledged it all (tcp_output.c, tcp_input.c). */
        c->snd_up = c->snd_una + c->x->sndq.len;
        c->snd_urg = 1;
    }
    stack_enter(st, now);
    tcp_output(c, now);
    stack_leave(st);
    return (int)(n > 0x7fffffff ? 0x7fffffff : n);
}

int tcp_user_recv(synack_stack_t *st, struct tcp_conn *c, void *buf, size_t cap, synack_time_t now)
{
    if (tcp_rcvq_len(c) && cap) {
        size_t n = tcp_rcvq_len(c) < cap ? tcp_rcvq_len(c) : cap;
        ring_peek(&c->x->rcvq, 0, buf, n);   /* bytes held: the working state is there */
        ring_consume(&c->x->rcvq, n);
        if (c->urg_valid && !seq_gt(c->rcv_up, tcp_read_seq(c)))
            c->urg_valid = 0;   /* read past the urgent data: back to "normal mode" (RFC 9293 3.8.5) */
        stack_enter(st, now);
        tcp_rcvbuf_adjust(c, n, now);
        tcp_window_update(c, now);
        tcp_idle_check(c, now);
        stack_leave(st);
        return (int)(n > 0x7fffffff ? 0x7fffffff : n);
    }
    if (c->fin_rcvd || c->shut_rd)
        return 0;
    if (c->state == SYNACK_TCP_CLOSED)
        return c->iss || c->snd_max ? 0 : -ENOTCONN;
    if (c->state == SYNACK_TCP_LISTEN)
        return -ENOTCONN;
    return -EAGAIN;
}

/* Queues our FIN (RFC 9293 3.10.4 CLOSE): it goes out after the queued data. */
static void queue_fin(struct tcp_conn *c, synack_time_t now)
{
    if (c->fin_queued)
        return;
    c->fin_queued = 1;
    if (c->state == SYNACK_TCP_ESTABLISHED || c->state == SYNACK_TCP_SYN_RECEIVED)
        tcp_set_state(c, SYNACK_TCP_FIN_WAIT_1, c->owner ? "close()/shutdown()" : "close()");
    else if (c->state == SYNACK_TCP_CLOSE_WAIT)
        tcp_set_state(c, SYNACK_TCP_LAST_ACK, "close()/shutdown()");
    tcp_output(c, now);
}

int tcp_user_shutdown(synack_stack_t *st, struct tcp_conn *c, int how, synack_time_t now)
{
    if (how < SYNACK_SHUT_RD || how > SYNACK_SHUT_RDWR)
        return -EINVAL;
    if (c->state == SYNACK_TCP_CLOSED || c->state == SYNACK_TCP_LISTEN)
        return -ENOTCONN;
    stack_enter(st, now);
    if (how != SYNACK_SHUT_WR) {
        c->shut_rd = 1;
        if (c->x)
            ring_consume(&c->x->rcvq, c->x->rcvq.len);
    }
    if (how != SYNACK_SHUT_RD) {
        if (c->state == SYNACK_TCP_SYN_SENT) {
            tcp_conn_fail(c, 0, "shutdown() before connected");
        } else if (c->state == SYNACK_TCP_SYN_RECEIVED) {
            c->fin_queued = 1;   /* RFC 9293 3.10.4: FIN once established */
        } else {
            queue_fin(c, now);
        }
    }
    if (c->owner)
        st->tcp->up->event(st, c->owner);
    stack_leave(st);
    return 0;
}

void tcp_user_close(synack_stack_t *st, struct tcp_conn *c, synack_time_t now)
{
    struct tcp_table *t = st->tcp;
    switch (c->state) {
    case SYNACK_TCP_CLOSED:
    case SYNACK_TCP_SYN_SENT:
    case SYNACK_TCP_LISTEN:
        /* RFC 9293 3.10.4: nothing to tell the peer; delete the TCB. */
        if (c->state != SYNACK_TCP_CLOSED)
            tcp_set_state(c, SYNACK_TCP_CLOSED, "close()");
        tcp_conn_destroy(c);
        return;
    case SYNACK_TCP_TIME_WAIT:
        /* Keep TIME-WAIT going as a small entry. */
        c->owner = NULL;
        tcp_timewait_orphaned(c, now);
        return;
    default:
        break;
    }
    /* Abortive close (SO_LINGER 0), unread data (RFC 1122 4.2.2.13 "SHOULD send a RST"), or too
     * many orphans: reset instead of the orderly close. */
    if (c->linger0 || tcp_rcvq_len(c) || t->orphans >= t->max_orphans) {
        tcp_send_rst(c, now);
        if (c->state == SYNACK_TCP_ESTABLISHED || c->state == SYNACK_TCP_CLOSE_WAIT)
            stack_count(st, SYNACK_C_TcpEstabResets);
        tcp_set_state(c, SYNACK_TCP_CLOSED, c->linger0 ? "close() with linger 0 (abort)" : "close() with unread data");
        tcp_conn_destroy(c);
        return;
    }
    c->owner = NULL;
    c->orphan = 1;
    t->orphans++;
    if (c->state == SYNACK_TCP_SYN_RECEIVED)
        c->fin_queued = 1;
    else
        queue_fin(c, now);
    if (c->state == SYNACK_TCP_FIN_WAIT_2)
        tcp_wait_arm(c, now + t->fin_timeout);
}

uint32_t tcp_user_urgent(const struct tcp_conn *c)
{
    uint32_t read = tcp_read_seq(c);
    return c->urg_valid && seq_gt(c->rcv_up, read) ? c->rcv_up - read : 0;
}

unsigned tcp_user_events(const struct tcp_conn *c)
{
    unsigned ev = 0;
    if (c->state == SYNACK_TCP_LISTEN)
        return ev | (c->x->lq->accq_len ? SYNACK_EV_IN : 0);
    if (tcp_rcvq_len(c) || c->fin_rcvd || c->shut_rd)
        ev |= SYNACK_EV_IN;
    if (c->fin_rcvd)
        ev |= SYNACK_EV_RDHUP;
    if (tcp_user_urgent(c))
        ev |= SYNACK_EV_PRI;   /* urgent data not read yet (RFC 9293 3.8.5 "urgent mode") */
    if (tcp_state_may_send(c->state) && !c->fin_queued &&
        ring_space(tcp_sndq_len(c), c->sndq_limit) > 0)
        ev |= SYNACK_EV_OUT;
    if (c->state == SYNACK_TCP_CLOSED && (c->iss || c->snd_max))
        ev |= SYNACK_EV_HUP | SYNACK_EV_IN | SYNACK_EV_OUT;
    if (c->fin_rcvd && c->fin_queued)
        ev |= SYNACK_EV_HUP;
    return ev;
}

int tcp_user_setopt(synack_stack_t *st, struct tcp_conn *c, int opt, int v)
{
    switch (opt) {
    case SYNACK_SO_RCVBUF:
        if (v < TCP_SOCKBUF_MIN || v > TCP_SOCKBUF_MAX)
            return -EINVAL;
        if (c->state != SYNACK_TCP_CLOSED && c->state != SYNACK_TCP_LISTEN && (size_t)v < c->rcvq_limit)
            return -EINVAL;   /* shrinking an open window would renege on what we offered */
        c->rcvq_limit = ring_limit(tcp_rcvq_len(c), (size_t)v);
        c->rcvbuf_locked = 1;   /* as Linux: a buffer the application sized is not autotuned */
        return 0;
    case SYNACK_SO_SNDBUF:
        if (v < TCP_SOCKBUF_MIN || v > TCP_SOCKBUF_MAX)
            return -EINVAL;
        c->sndq_limit = ring_limit(tcp_sndq_len(c), (size_t)v);
        c->sndbuf_locked = 1;
        return 0;
    case SYNACK_SO_LINGER: c->linger0 = v == 0; return 0;
    case SYNACK_SO_KEEPALIVE:
        c->keepalive = v != 0;
        tcp_keepalive_reset(c, st->now);
        return 0;
    case SYNACK_SO_REUSEADDR: c->reuseaddr = v != 0; return 0;
    case SYNACK_IPV6_V6ONLY:
        if (c->bound)
            return -EINVAL;   /* as Linux: only before the socket has its name */
        c->v6only = v != 0;
        return 0;
    case SYNACK_TCP_NODELAY:
        c->nodelay = v != 0;
        if (c->nodelay)
            tcp_output(c, st->now);
        return 0;
    case SYNACK_TCP_KEEPIDLE:
    case SYNACK_TCP_KEEPINTVL:
    case SYNACK_TCP_KEEPCNT:
        if (v < 1 || v > 32767)
            return -EINVAL;
        if (opt == SYNACK_TCP_KEEPIDLE)
            c->keep_idle_s = (unsigned)v;
        else if (opt == SYNACK_TCP_KEEPINTVL)
            c->keep_intvl_s = (unsigned)v;
        else
            c->keep_cnt = (unsigned)v;
        tcp_keepalive_reset(c, st->now);
        return 0;
    case SYNACK_TCP_MAXSEG:
        if (v < TCP_MIN_MSS || v > TCP_MAX_MSS_USER)
            return -EINVAL;
        c->mss_user = (uint16_t)v;
        return 0;
    case SYNACK_TCP_USER_TIMEOUT:
        if (v < 0)
            return -EINVAL;
        c->user_timeout_ms = (uint32_t)v;
        return 0;
    case SYNACK_TCP_DELACK: c->delack_on = v != 0; return 0;
    case SYNACK_TCP_QUICKACK:
        c->pingpong = v == 0;
        if (v && c->ack_due && tcp_state_synchronized(c->state))
            tcp_send_ack(c, st->now);
        return 0;
    case SYNACK_TCP_RTO_MIN:
        if (v < 1 || v > 60000)
            return -EINVAL;
        c->rto_min_us = (uint32_t)SYNACK_MS(v);
        return 0;
    case SYNACK_TCP_CONGESTION: {
        /* the integer form: an index into the registry (by name: tcp_user_set_congestion) */
        const struct tcp_cc_ops *ops = v >= 0 ? tcp_cc_at((unsigned)v) : NULL;
        if (!ops)
            return -ENOENT;
        if (ops != tcp_cc_of(c))
            tcp_cc_set(c, ops);
        return 0;
    }
    case SYNACK_IP_TOS:
        if (v < 0 || v > 255)
            return -EINVAL;
        /* RFC 3168 5: the ECN field is the transport's to set; without ECN it stays Not-ECT (as
         * Linux keeps a TCP socket's ECN bits whatever IP_TOS says). */
        c->tos = (uint8_t)(v & ~0x3);
        return 0;
    case SYNACK_TCP_CORK:
        c->cork = v != 0;
        if (!c->cork) {
            tcp_cork_release(c);
            tcp_output(c, st->now);   /* what was held goes, as Nagle and the window allow */
        }
        return 0;
    default:
        return -ENOPROTOOPT;
    }
}

int tcp_user_getopt(const struct tcp_conn *c, int opt, int *v)
{
    switch (opt) {
    case SYNACK_SO_RCVBUF: *v = (int)c->rcvq_limit; return 0;
    case SYNACK_SO_SNDBUF: *v = (int)c->sndq_limit; return 0;
    case SYNACK_SO_LINGER: *v = c->linger0 ? 0 : -1; return 0;
    case SYNACK_SO_KEEPALIVE: *v = c->keepalive; return 0;
    case SYNACK_SO_REUSEADDR: *v = c->reuseaddr; return 0;
    case SYNACK_IPV6_V6ONLY: *v = c->v6only; return 0;
    case SYNACK_TCP_NODELAY: *v = c->nodelay; return 0;
    case SYNACK_TCP_KEEPIDLE: *v = (int)c->keep_idle_s; return 0;
    case SYNACK_TCP_KEEPINTVL: *v = (int)c->keep_intvl_s; return 0;
    case SYNACK_TCP_KEEPCNT: *v = (int)c->keep_cnt; return 0;
    case SYNACK_TCP_MAXSEG: *v = tcp_state_synchronized(c->state) ? c->mss_snd : (c->mss_user ? c->mss_user : TCP_DEFAULT_MSS); return 0;
    case SYNACK_TCP_USER_TIMEOUT: *v = (int)c->user_timeout_ms; return 0;
    case SYNACK_TCP_DELACK: *v = c->delack_on; return 0;
    case SYNACK_TCP_QUICKACK: *v = !c->pingpong; return 0;
    case SYNACK_TCP_RTO_MIN: *v = (int)(c->rto_min_us / 1000); return 0;
    case SYNACK_TCP_CONGESTION: *v = c->cc_id; return 0;
    case SYNACK_IP_TOS: *v = c->tos; return 0;
    case SYNACK_TCP_CORK: *v = c->cork; return 0;
    default: return -ENOPROTOOPT;
    }
}

static void fill_info(const struct tcp_conn *c, struct synack_tcp_info *i)
{
    memset(i, 0, sizeof(*i));
    i->state = c->state;
    i->local = tcp_end_sockaddr(&c->local);
    i->remote = tcp_end_sockaddr(&c->remote);
    i->sock = c->owner ? c->st->tcp->up->handle(c->owner) : -1;
    i->conn_id = c->id;
    i->rtt = c->srtt;
    i->rttvar = c->rttvar;
    i->rto = c->rto;
    i->snd_mss = c->mss_snd;
    i->options = (c->ts_ok ? SYNACK_TCPI_OPT_TIMESTAMPS : 0u) | (c->sack_ok ? SYNACK_TCPI_OPT_SACK : 0u) |
                 (c->ws_ok ? SYNACK_TCPI_OPT_WSCALE : 0u);
    i->snd_wscale = c->ws_ok ? c->snd_wscale : 0;
    i->rcv_wscale = c->ws_ok ? c->rcv_wscale : 0;
    i->rcv_mss = c->mss_adv;
    i->cwnd = c->cwnd;
    i->ssthresh = c->ssthresh;
    fmt_snprintf(i->congestion, sizeof(i->congestion), "%s", tcp_cc_of(c)->name);
    i->ca_state = c->in_recovery ? 1 : 0;
    i->snd_wnd = c->snd_wnd;
    i->rcv_wnd = seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
    i->retransmits = c->backoff;
    i->total_retrans = c->total_retrans;
    i->bytes_sent = c->bytes_sent;
    i->bytes_acked = c->bytes_acked;
    i->bytes_received = c->bytes_received;
    i->send_q = tcp_sndq_len(c);
    i->recv_q = tcp_rcvq_len(c);
    if (c->state == SYNACK_TCP_LISTEN) {
        i->backlog = c->x->lq->accq_len;
        i->max_backlog = c->x->lq->backlog;
        i->syn_queue = c->x->lq->synq_len;
        i->recv_q = c->x->lq->accq_len;
        i->send_q = c->x->lq->backlog;
    }
    if (tcp_tmr_armed(c, TCP_T_RTX)) {
        i->timer = c->rtx_mode == RTX_PERSIST ? 2 : 1;
        i->timer_expires = c->x->tdl[TCP_T_RTX];
    } else if (tcp_tmr_armed(c, TCP_T_WAIT)) {
        i->timer = 4;
        i->timer_expires = c->x->tdl[TCP_T_WAIT];
    } else if (tcp_tmr_armed(c, TCP_T_KEEP)) {
        i->timer = 3;
        i->timer_expires = c->x->tdl[TCP_T_KEEP];
    }
}

void tcp_user_info(const struct tcp_conn *c, struct synack_tcp_info *out) { fill_info(c, out); }

void synack_tcp_foreach(synack_stack_t *st, synack_tcp_iter_fn fn, void *arg)
{
    struct tcp_table *t = st->tcp;
    struct synack_tcp_info info;
    for (struct tcp_conn *c = t->listeners; c; c = c->hnext) {
        fill_info(c, &info);
        fn(arg, &info);
    }
    for (size_t b = 0; b < t->nbuckets; b++)
        for (struct tcp_conn *c = t->buckets[b]; c; c = c->hnext) {
            fill_info(c, &info);
            fn(arg, &info);
        }
    tcp_timewait_foreach(st, fn, arg);
}
