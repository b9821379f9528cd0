/* TIME-WAIT (see tcp_timewait.h): RFC 9293 3.10.7.4 (the eighth step's "start the time-wait timer"
 * and "restart the 2 MSL time-wait timeout", 3.10.8's "when the time-wait timeout expires ... delete
 * the TCB"), RFC 1337 (no assassination by RST), RFC 1122 4.2.2.13 with RFC 6191's sequence-number
 * test (a new SYN may reopen the 4-tuple), and the bound on entries.
 *
 * Each rule is written once against a struct tw_ref, which names the connection whichever block
 * holds it; the few lines that differ by block are the ref_* accessors below. */
#include "core/alloc.h"
#include "base/mem.h"

#include "core/ctx.h"
#include "tcp/tcp_int.h"
#include "tcp/tcp_timewait.h"

/* RFC 9293 3.3.2 (figure 5, "Timeout=2MSL") and 3.10.7.4: TIME-WAIT lasts 2*MSL from entering it
 * or from the last retransmitted FIN. The one place this deadline is computed. */
static synack_time_t tw_deadline(synack_stack_t *st, synack_time_t now) { return now + 2 * st->tcp->msl; }

/* ---------- the two blocks ---------- */

/* A connection in TIME-WAIT: exactly one of c (full block) and w (small entry) is set. */
struct tw_ref {
    synack_stack_t *st;
    struct tcp_conn *c;
    struct tcp_tw *w;
    uint32_t wi;                     /* w's index in the table */
};

static uint32_t ref_rcv_nxt(const struct tw_ref *r) { return r->c ? r->c->rcv_nxt : r->w->rcv_nxt; }
static int ref_ts_ok(const struct tw_ref *r) { return r->c ? r->c->ts_ok : r->w->ts_ok; }
static uint32_t ref_ts_recent(const struct tw_ref *r) { return r->c ? r->c->ts_recent : r->w->ts_recent; }
static void ref_set_ts_recent(const struct tw_ref *r, uint32_t v, synack_time_t now)
{
    if (r->c) {
        r->c->ts_recent = v;
        r->c->ts_recent_stamp = now;
    } else {
        r->w->ts_recent = v;
    }
}

/* <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> */
static void ref_send_ack(const struct tw_ref *r, synack_time_t now)
{
    if (r->c) {
        tcp_send_ack(r->c, now);
        return;
    }
    struct tcp_tw *w = r->w;
    struct tcp_end local, remote;
    tcp_twtab_ends(r->st, w, &local, &remote);
    struct tcp_opts o;
    memset(&o, 0, sizeof(o));
    if (w->ts_ok) {
        /* RFC 7323 3.2: TSopt on every segment of the connection, TIME-WAIT's ACKs included. The
         * offset is the 4-tuple's (tcp_ts_offset), as the connection had it. */
        o.has_ts = 1;
        o.ts_val = tcp_ts_clock(now) + tcp_ts_offset(r->st, &local, &remote);
        o.ts_ecr = w->ts_recent;
    }
    tcp_send_raw(r->st, &local, &remote, w->snd_nxt, w->rcv_nxt, TCP_ACK, w->rcv_wnd, &o, NULL, 0, w->tos, now);
}

static void ref_arm(const struct tw_ref *r, synack_time_t deadline)
{
    if (r->c)
        tcp_wait_arm(r->c, deadline);
    else
        tcp_twtab_rearm(r->st, r->wi, deadline);
}

/* TIME-WAIT -> CLOSED. The full block goes through tcp_conn_fail (a socket keeps a CLOSED block and
 * sees an orderly end); the small entry is traced and freed. */
static void ref_close(const struct tw_ref *r, const char *cause)
{
    if (r->c) {
        tcp_conn_fail(r->c, 0, cause);
        return;
    }
    struct tcp_tw *w = r->w;
    synack_stack_t *st = r->st;
    if (st->trace_fn) {
        struct tcp_end local, remote;
        tcp_twtab_ends(st, w, &local, &remote);
        struct synack_trace_event ev = { .kind = SYNACK_TR_TCP_STATE, .ifindex = -1,
                                         .local = tcp_end_sockaddr(&local), .remote = tcp_end_sockaddr(&remote),
                                         .conn_id = w->id, .from_state = SYNACK_TCP_TIME_WAIT,
                                         .to_state = SYNACK_TCP_CLOSED, .cause = cause };
        stack_trace(st, &ev);
    }
    tcp_twtab_del(st, r->wi);
}

/* ---------- the rules ---------- */

/* A segment for a connection in TIME-WAIT. The connection has received the peer's FIN and had its
 * own acknowledged; nothing the peer sends can change that, except a new incarnation's SYN. */
static void tw_segment(const struct tw_ref *r, struct tcp_seg *s, synack_time_t now)
{
    synack_stack_t *st = r->st;
    uint32_t rcv_nxt = ref_rcv_nxt(r);
    /* RFC 1337: a RST must not cut TIME-WAIT short (TIME-WAIT assassination); RFC 9293 3.10.7.4
     * second step allows ignoring it. */
    if (s->flags & TCP_RST)
        return;
    /* RFC 7323 5.3 (PAWS, as in any synchronized state): a TSval older than TS.Recent marks an old
     * duplicate. TIME-WAIT lasts minutes, far below PAWS's 24-day limit. */
    int ts = ref_ts_ok(r) && s->h.opts.has_ts;
    int32_t ts_age = ts ? (int32_t)(s->h.opts.ts_val - ref_ts_recent(r)) : 0;
    if ((s->flags & TCP_SYN) && !(s->flags & TCP_ACK)) {
        /* RFC 1122 4.2.2.13 and RFC 6191 2: a SYN that cannot be an old duplicate may reopen the
         * 4-tuple at once (clients such as Linux reuse ports quickly): one whose timestamp is newer
         * than the last the old connection saw, or, without timestamps, one beyond the old
         * connection's sequence space (as Linux does, either test suffices unless PAWS rejects). */
        if (ts_age >= 0 && (seq_gt(s->seq, rcv_nxt) || ts_age > 0)) {
            struct tcp_conn *l = tcp_listener_lookup(st, &s->local);
            stack_count(st, SYNACK_C_TcpTimeWaitRecycled);
            ref_close(r, "new SYN reuses the 4-tuple");
            if (l)
                tcp_listen_input(l, s, now);
            else
                tcp_send_rst_for(st, s, now);
            return;
        }
        /* An old or duplicate SYN: answer with an ACK of the old connection (RFC 5961 4.2). */
        if (ts_age < 0)
            stack_drop(st, SYNACK_C_TcpPAWSEstab, s->ifindex, SYNACK_IF_RAWIP, s->pkt, s->pkt_len);
        ref_send_ack(r, now);
        return;
    }
    if (ts_age < 0) {
        stack_drop(st, SYNACK_C_TcpPAWSEstab, s->ifindex, SYNACK_IF_RAWIP, s->pkt, s->pkt_len);
        ref_send_ack(r, now);   /* RFC 7323 5.3 R1 */
        return;
    }
    /* RFC 9293 3.10.7.4: "The only thing that can arrive in this state is a retransmission of the
     * remote FIN. Acknowledge it, and restart the 2 MSL timeout." */
    if (s->flags & TCP_FIN) {
        if (ts && ts_age > 0 && s->seq == rcv_nxt - 1)
            ref_set_ts_recent(r, s->h.opts.ts_val, now);   /* RFC 7323 4.3: the FIN is at Last.ACK.sent */
        ref_send_ack(r, now);
        ref_arm(r, tw_deadline(st, now));
        return;
    }
    /* Text, or a segment not at RCV.NXT, is not acceptable (the window is closed behind the FIN):
     * <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> (3.10.7.4 first step). A bare ACK at RCV.NXT needs
     * nothing. */
    if (s->dlen || s->seq != rcv_nxt)
        ref_send_ack(r, now);
}

void tcp_timewait_conn_input(struct tcp_conn *c, struct tcp_seg *s, synack_time_t now)
{
    struct tw_ref r = { c->st, c, NULL, 0 };
    tw_segment(&r, s, now);
}

void tcp_tw_input(synack_stack_t *st, uint32_t w, struct tcp_seg *s, synack_time_t now)
{
    struct tw_ref r = { st, NULL, tcp_tw_at(&st->tcp->tw, w), w };
    tw_segment(&r, s, now);
}

void tcp_timewait_expired(struct tcp_conn *c)
{
    struct tw_ref r = { c->st, c, NULL, 0 };
    ref_close(&r, "2MSL timeout");   /* RFC 9293 3.10.8: delete the TCB, enter CLOSED */
}

void tcp_tw_expire(synack_stack_t *st, uint32_t w)
{
    struct tw_ref r = { st, NULL, tcp_tw_at(&st->tcp->tw, w), w };
    ref_close(&r, "2MSL timeout");
}

/* Chooses the block that holds c in TIME-WAIT until `deadline`. */
static void hold(struct tcp_conn *c, synack_time_t deadline)
{
    synack_stack_t *st = c->st;
    struct tcp_table *t = st->tcp;
    if (c->owner) {
        /* The application still holds the socket: keep the full block until it closes. */
        tcp_timers_cancel(c);
        tcp_wait_arm(c, deadline);
        return;
    }
    if (t->tw.n >= t->max_tw) {
        /* Like Linux's tcp_max_tw_buckets: past the bound, a closing connection skips TIME-WAIT
         * (memory stays bounded whatever the peers do; the risk is an old duplicate). */
        stack_count(st, SYNACK_C_TcpTimeWaitOverflow);
        tcp_set_state(c, SYNACK_TCP_CLOSED, "TIME-WAIT table full");
        tcp_conn_destroy(c);
        return;
    }
    uint32_t wi = tcp_twtab_usable(st) ? tcp_twtab_add(st, &c->local, &c->remote, deadline) : 0;
    if (!wi) {
        /* No memory for a small entry (or 2*MSL too long for one): keep the full block. */
        tcp_timers_cancel(c);
        tcp_wait_arm(c, deadline);
        return;
    }
    struct tcp_tw *w = tcp_tw_at(&t->tw, wi);
    w->id = c->id;
    w->snd_nxt = c->snd_nxt;
    w->rcv_nxt = c->rcv_nxt;
    w->tos = c->tos;
    w->ts_ok = c->ts_ok;
    w->ts_recent = c->ts_recent;
    uint32_t wnd = c->rcv_adv - c->rcv_nxt;
    w->rcv_wnd = tcp_win16(wnd >> c->rcv_wscale);
    /* The full block goes; the connection lives on in the small entry (same id). */
    tcp_conn_destroy(c);
}

void tcp_enter_time_wait(struct tcp_conn *c, const char *cause, int send_ack, synack_time_t now)
{
    tcp_set_state(c, SYNACK_TCP_TIME_WAIT, cause);
    if (send_ack)
        tcp_send_ack(c, now);
    hold(c, tw_deadline(c->st, now));
}

void tcp_timewait_orphaned(struct tcp_conn *c, synack_time_t now)
{
    /* Closing the socket is no reason to wait longer: the deadline stays. */
    synack_time_t deadline = tcp_tmr_armed(c, TCP_T_WAIT) ? c->x->tdl[TCP_T_WAIT] : tw_deadline(c->st, now);
    hold(c, deadline);
}

int tcp_timewait_port_used(synack_stack_t *st, const struct synack_ip *addr, uint16_t port, int reuse)
{
    struct tcp_table *t = st->tcp;
    /* SO_REUSEADDR: a new socket may bind a port that only TIME-WAIT connections keep (the 4-tuple
     * itself stays taken: connect checks it). */
    if (reuse)
        return 0;
    /* A full block whose socket is closed (there was no memory for a small entry) */
    if (tcp_port_tw_block(st, addr, port))
        return 1;
    /* The small entries, in the order of the expiry list (an index by port would cost more per
     * entry than the 64 bytes an entry may take; binding a fixed port is rare). */
    for (uint32_t i = t->tw.head; i; i = tcp_tw_at(&t->tw, i)->next) {
        const struct tcp_tw *w = tcp_tw_at(&t->tw, i);
        if (w->lport == port && tcp_addr_clash(&t->tw.la[w->laddr].ip, addr))
            return 1;
    }
    return 0;
}

void tcp_timewait_foreach(synack_stack_t *st, synack_tcp_iter_fn fn, void *arg)
{
    struct tcp_tw_table *tab = &st->tcp->tw;
    struct synack_tcp_info info;
    for (uint32_t i = tab->head; i; i = tcp_tw_at(tab, i)->next) {
        const struct tcp_tw *w = tcp_tw_at(tab, i);
        struct tcp_end local, remote;
        tcp_twtab_ends(st, w, &local, &remote);
        memset(&info, 0, sizeof(info));
        info.state = SYNACK_TCP_TIME_WAIT;
        info.local = tcp_end_sockaddr(&local);
        info.remote = tcp_end_sockaddr(&remote);
        info.sock = -1;
        info.conn_id = w->id;
        info.timer = 4;
        info.timer_expires = tcp_twtab_deadline(st, w);
        fn(arg, &info);
    }
}
