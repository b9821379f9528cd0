/* TCP timers, all deadlines on the stack's heap:
 *  - retransmission (RFC 6298: SRTT/RTTVAR, Karn, exponential back-off), also for SYN and FIN;
 *  - persist (RFC 9293 3.8.6.1 zero-window probes, backing off, never giving up while answered);
 *  - delayed ACK (RFC 1122 4.2.3.2);
 *  - keep-alive (RFC 1122 4.2.3.6);
 *  - the wait timer: TIME-WAIT's 2*MSL (tcp_timewait.c arms it) and the orphaned FIN-WAIT-2
 *    limit;
 *  - the cork timer: how long TCP_CORK holds a partial segment. */
#include "base/errno.h"

#include "core/ctx.h"
#include "tcp/tcp_recovery.h"
#include "tcp/tcp_int.h"
#include "tcp/tcp_state.h"

/* Each handler returns 1 if the connection may be gone (closed and freed): then nothing more of it
 * is touched. */
static int rtx_fire(struct tcp_conn *c, synack_time_t now);
static int dack_fire(struct tcp_conn *c, synack_time_t now);
static int keep_fire(struct tcp_conn *c, synack_time_t now);
static int wait_fire(struct tcp_conn *c, synack_time_t now);
static int cork_fire(struct tcp_conn *c, synack_time_t now);
static int rack_fire(struct tcp_conn *c, synack_time_t now);
static void conn_fire(void *owner, struct timer *t, synack_time_t now);

/* One timer on the heap per connection, at the earliest of its deadlines, instead of one per
 * purpose: an idle connection is smaller (issue 10's memory per connection), and the heap holds
 * one entry per connection however many of its timers run. */
void tcp_timers_init(struct tcp_conn *c)
{
    timer_init(&c->x->timer, conn_fire, c);
    for (int k = 0; k < TCP_T_COUNT; k++)
        c->x->tdl[k] = SYNACK_TIME_NEVER;
}

void tcp_timers_cancel(struct tcp_conn *c)
{
    if (!c->x)
        return;   /* given back idle: nothing was armed */
    timer_cancel(&c->st->timers, &c->x->timer);
    for (int k = 0; k < TCP_T_COUNT; k++)
        c->x->tdl[k] = SYNACK_TIME_NEVER;
    c->rtx_mode = RTX_NONE;
}

void tcp_tmr_arm(struct tcp_conn *c, enum tcp_tmr k, synack_time_t at)
{
    /* A connection given back idle takes its working state again; without the memory for it the
     * deadline is not kept (the connection then waits for its peer or its application). */
    if (tcp_x_ensure(c) != 0)
        return;
    c->x->tdl[k] = at;
    if (!timer_armed(&c->x->timer) || at < c->x->timer.deadline)
        timer_arm(&c->st->timers, &c->x->timer, at);
}

void tcp_tmr_cancel(struct tcp_conn *c, enum tcp_tmr k)
{
    /* The heap's timer may stay at this deadline: firing early finds nothing due and re-arms. */
    if (c->x)
        c->x->tdl[k] = SYNACK_TIME_NEVER;
}

static void conn_fire(void *owner, struct timer *t, synack_time_t now)
{
    (void)t;
    struct tcp_conn *c = owner;   /* its working state is there: the timer lives in it */
    static int (*const fire[TCP_T_COUNT])(struct tcp_conn *, synack_time_t) = {
        [TCP_T_RTX] = rtx_fire, [TCP_T_DACK] = dack_fire, [TCP_T_KEEP] = keep_fire,
        [TCP_T_WAIT] = wait_fire, [TCP_T_CORK] = cork_fire, [TCP_T_RACK] = rack_fire,
    };
    /* The due deadlines, earliest first (equal ones in the enum's order), each at most once: one
     * that a handler sets again at or before now waits for the next run, as a timer armed in a
     * callback does. */
    unsigned done = 0;
    for (;;) {
        int k = -1;
        for (int i = 0; i < TCP_T_COUNT; i++)
            if (!(done & (1u << i)) && c->x->tdl[i] <= now && (k < 0 || c->x->tdl[i] < c->x->tdl[k]))
                k = i;
        if (k < 0)
            break;
        done |= 1u << k;
        c->x->tdl[k] = SYNACK_TIME_NEVER;
        if (fire[k](c, now))
            return;
    }
    synack_time_t next = SYNACK_TIME_NEVER;
    for (int i = 0; i < TCP_T_COUNT; i++)
        if (c->x->tdl[i] < next)
            next = c->x->tdl[i];
    if (next != SYNACK_TIME_NEVER)
        timer_arm(&c->st->timers, &c->x->timer, next);
}

static synack_time_t backed_off(const struct tcp_conn *c, synack_time_t base, unsigned shift)
{
    synack_time_t max = c->st->tcp->rto_max;
    synack_time_t v = base;
    for (unsigned i = 0; i < shift && v < max; i++)
        v *= 2;
    return v > max ? max : v;
}

/* What a connection that times out reports: ETIMEDOUT, or the soft ICMP error received meanwhile,
 * which says why (RFC 9293 3.9.2.2, SHLD-25; as Linux's sk_err_soft). */
static int timeout_err(const struct tcp_conn *c)
{
    return c->soft_err ? -(int)c->soft_err : -ETIMEDOUT;
}

/* A delay from now cut so it ends no later than `end` (at least 1: a timer is never due at once). */
static synack_time_t until_at_most(synack_time_t now, synack_time_t d, synack_time_t end)
{
    return now + d <= end ? d : end > now ? end - now : 1;
}

void tcp_rto_arm(struct tcp_conn *c, synack_time_t now)
{
    /* RFC 6298 5.1/5.3: (re)start the timer to expire after RTO (backed off, 5.5); RFC 8985 7.2: a
     * tail loss probe first when it would come sooner. */
    synack_time_t rto = backed_off(c, c->rto, c->backoff), pto = tcp_tlp_timeout(c);
    if (pto) {
        /* 7.2: never later than the RTO would fire; then the probe goes at that time. */
        if (pto > rto)
            pto = rto;
        c->rtx_mode = RTX_TLP;
        tcp_tmr_arm(c, TCP_T_RTX, now + pto);
        return;
    }
    /* RFC 9293 3.8.3 (MUST-21): a user timeout (TCP_USER_TIMEOUT) is R2 as a time; once
     * retransmitting, the timer fires no later than when it runs out, as Linux clamps it. */
    if (c->user_timeout_ms && c->backoff && c->x)
        rto = until_at_most(now, rto, c->x->rtx_first + SYNACK_MS(c->user_timeout_ms));
    c->rtx_mode = RTX_RETRANSMIT;
    tcp_tmr_arm(c, TCP_T_RTX, now + rto);
}

void tcp_rto_stop(struct tcp_conn *c)
{
    tcp_tmr_cancel(c, TCP_T_RTX);
    c->rtx_mode = RTX_NONE;
}

void tcp_persist_arm(struct tcp_conn *c, synack_time_t now)
{
    c->rtx_mode = RTX_PERSIST;
    synack_time_t d = backed_off(c, c->rto, c->persist_backoff);
    if (d < TCP_PERSIST_MIN)
        d = TCP_PERSIST_MIN;
    /* The user timeout (RFC 9293 3.8.3, MUST-21) ends unanswered probing when it runs out, not at
     * the next probe's turn (as Linux clamps its probe timer). */
    if (c->user_timeout_ms && c->snd_wnd == 0)
        d = until_at_most(now, d, c->last_rcv + SYNACK_MS(c->user_timeout_ms));
    tcp_tmr_arm(c, TCP_T_RTX, now + d);
}

void tcp_rtt_sample(struct tcp_conn *c, synack_time_t r)
{
    uint32_t rtt = r > 0xffffffffu ? 0xffffffffu : (uint32_t)r;
    if (rtt == 0)
        rtt = 1;
    c->tlp_rtt_ok = 1;
    if (!c->min_rtt || rtt < c->min_rtt)
        c->min_rtt = rtt;   /* RACK's reordering window (tcp_rack.c) */
    if (!c->rtt_valid) {
        /* RFC 6298 2.2 */
        c->srtt = rtt;
        c->rttvar = rtt / 2;
        c->rtt_valid = 1;
    } else {
        /* RFC 6298 2.3, alpha = 1/8, beta = 1/4 */
        uint32_t d = c->srtt > rtt ? c->srtt - rtt : rtt - c->srtt;
        c->rttvar = (3 * c->rttvar + d) / 4;
        c->srtt = (7 * c->srtt + rtt) / 8;
    }
    /* RTO = SRTT + max(G, K*RTTVAR), K = 4; G is our 1 us clock. */
    uint64_t rto = (uint64_t)c->srtt + (4u * (uint64_t)c->rttvar > 1 ? 4u * (uint64_t)c->rttvar : 1);
    if (rto < c->rto_min_us)
        rto = c->rto_min_us;   /* RFC 6298 2.4 (our minimum is configurable) */
    if (rto > c->st->tcp->rto_max)
        rto = c->st->tcp->rto_max;
    c->rto = (uint32_t)rto;
}

static int rtx_fire(struct tcp_conn *c, synack_time_t now)
{
    struct tcp_table *tab = c->st->tcp;
    if (c->rtx_mode == RTX_PERSIST) {
        c->rtx_mode = RTX_NONE;
        uint32_t off = c->snd_nxt - c->snd_una;
        uint32_t avail = tcp_sndq_len(c) > off ? tcp_sndq_len(c) - off : 0;
        if (avail == 0 && !(c->fin_queued && !c->fin_sent))
            return 0;
        if (c->snd_wnd == 0) {
            /* A zero-window probe (RFC 9293 3.8.6.1, RFC 1122 4.2.2.17). The persist timer, not the
             * retransmission timer, covers it: an answered probe is no loss, and we never give up
             * while the peer answers (MUST-37). Probes nobody answers are another matter: "as long
             * as the receiving TCP continues to send acknowledgments" no longer holds, and after
             * tcp_retries of them (keep_probes counts them; any segment received resets it) or
             * the user timeout since the peer last said anything, the connection is closed as at
             * R2 (3.8.3), as Linux does. */
            if (c->keep_probes >= tab->retries ||
                (c->user_timeout_ms && now - c->last_rcv >= SYNACK_MS(c->user_timeout_ms))) {
                tcp_send_rst(c, now);
                tcp_conn_fail(c, timeout_err(c), "zero-window probes unanswered");
                return 1;
            }
            if (tcp_send_probe(c, now)) {
                stack_count(c->st, SYNACK_C_TcpPersistProbes);
                if (c->persist_backoff < 16)
                    c->persist_backoff++;
                if (c->keep_probes < UINT16_MAX)
                    c->keep_probes++;
            }
            tcp_persist_arm(c, now);
        } else {
            /* SWS override timeout: send what the window allows now. */
            int nodelay = c->nodelay;
            uint32_t mw = c->max_snd_wnd;
            c->nodelay = 1;
            c->max_snd_wnd = 0;
            tcp_output(c, now);
            c->nodelay = nodelay;
            c->max_snd_wnd = mw;
        }
        return 0;
    }
    if (c->rtx_mode == RTX_TLP) {
        c->rtx_mode = RTX_NONE;
        tcp_tlp_fire(c, now);
        return 0;
    }
    if (c->rtx_mode != RTX_RETRANSMIT)
        return 0;
    c->rtx_mode = RTX_NONE;
    stack_count(c->st, SYNACK_C_TcpTimeouts);
    /* The time of the first transmission of what times out: when this timer was armed. */
    if (c->backoff == 0)
        c->x->rtx_first = now > c->rto ? now - c->rto : 0;
    c->backoff++;
    unsigned limit = c->state == SYNACK_TCP_SYN_SENT       ? tab->syn_retries
                     : c->state == SYNACK_TCP_SYN_RECEIVED ? tab->synack_retries
                                                           : tab->retries;
    int give_up = c->backoff > limit;
    /* RFC 9293 3.8.6: the peer shrank its window to zero under data in flight (MUST-34: be robust
     * against it). The data is not lost but refused, so this is no congestion signal; the
     * retransmission of the first unacknowledged segment is the zero-window probe 3.8.6.1 requires
     * (MUST-36; MAY-7 allows old data beyond SND.UNA + SND.WND), backing off, and the connection is
     * not timed out for data past the right edge (SHLD-17) while the peer answers: only when it has
     * said nothing for twice rto_max (as Linux), or the user timeout ran out. An orphan times out as
     * usual: nobody is left to wait for. The window's reopening sends the rest (tcp_input.c). */
    if (c->snd_wnd == 0 && c->owner && tcp_state_synchronized(c->state) && tcp_flight(c)) {
        give_up = now - c->last_rcv > 2 * tab->rto_max;
        if (c->user_timeout_ms && now - c->x->rtx_first >= SYNACK_MS(c->user_timeout_ms))
            give_up = 1;
        if (!give_up) {
            c->rtt_timing = 0;   /* Karn */
            tcp_retransmit_head(c, now);
            tcp_rto_arm(c, now);
            return 0;
        }
    }
    /* RFC 9293 3.8.3: "An application MUST be able to set the value for R2 for a particular
     * connection" (MUST-21), and the same mechanism holds for a SYN (MUST-22). The user timeout
     * (TCP_USER_TIMEOUT, in milliseconds since the first transmission of what is unacknowledged)
     * is that R2: on a synchronized connection it replaces tcp_retries (longer or shorter, as in
     * Linux); a SYN gives up at whichever comes first (syn_retries keep MUST-23's 3 minutes unless
     * the application asks for less). Not for a listener's child: the listener answers for it. */
    if (c->user_timeout_ms && !(c->state == SYNACK_TCP_SYN_RECEIVED && c->passive)) {
        int out = now - c->x->rtx_first >= SYNACK_MS(c->user_timeout_ms);
        give_up = tcp_state_synchronized(c->state) ? out : give_up || out;
    }
    if (give_up) {
        /* RFC 9293 3.8.3 (R2): close the connection; tell the peer with a reset unless we never
         * heard from it. */
        if (c->state != SYNACK_TCP_SYN_SENT && !(c->state == SYNACK_TCP_SYN_RECEIVED && c->passive))
            tcp_send_rst(c, now);   /* a half-open passive entry goes silently, as in Linux */
        if (c->state == SYNACK_TCP_SYN_SENT || c->state == SYNACK_TCP_SYN_RECEIVED)
            stack_count(c->st, SYNACK_C_TcpAttemptFails);
        tcp_conn_fail(c, timeout_err(c), "retransmission timeout");
        return 1;
    }
    /* RFC 6298 5.5: back off (the arm uses c->backoff); 5.6 keeps the larger RTO. */
    c->rtt_timing = 0;   /* Karn */
    if (c->state == SYNACK_TCP_SYN_SENT || c->state == SYNACK_TCP_SYN_RECEIVED) {
        /* RFC 6298 5.7: if the SYN times out, the RTO after the handshake is 3 s. */
        tcp_send_syn(c, now);
        tcp_rto_arm(c, now);
        return 0;
    }
    /* RFC 5681 3.1: the loss window and ssthresh (tcp_recovery.c); go back and resend from snd_una. */
    tcp_recovery_rto(c, now);
    c->snd_nxt = c->snd_una;
    tcp_output(c, now);
    if (c->rtx_mode == RTX_NONE)
        tcp_rto_arm(c, now);
    return 0;
}

void tcp_dack_schedule(struct tcp_conn *c, synack_time_t now)
{
    if (!tcp_tmr_armed(c, TCP_T_DACK))
        tcp_tmr_arm(c, TCP_T_DACK, now + c->st->tcp->delack);
}

static int dack_fire(struct tcp_conn *c, synack_time_t now)
{
    if (c->ack_due) {
        /* The ACK had to go alone: the exchange is not carrying it, quick ACKs resume (Linux
         * tcp_delack_timer_handler leaves ping-pong mode). */
        c->pingpong = 0;
        stack_count(c->st, SYNACK_C_TcpDelayedAcks);
        tcp_send_ack(c, now);
    }
    return 0;
}

void tcp_keepalive_reset(struct tcp_conn *c, synack_time_t now)
{
    c->last_rcv = now;
    c->keep_probes = 0;
    if (c->keepalive && (c->state == SYNACK_TCP_ESTABLISHED || c->state == SYNACK_TCP_CLOSE_WAIT ||
                         c->state == SYNACK_TCP_FIN_WAIT_2)) {
        if (!tcp_tmr_armed(c, TCP_T_KEEP) || c->x->tdl[TCP_T_KEEP] > now + SYNACK_SEC(c->keep_idle_s))
            tcp_tmr_arm(c, TCP_T_KEEP, now + SYNACK_SEC(c->keep_idle_s));
    } else {
        tcp_tmr_cancel(c, TCP_T_KEEP);
    }
}

static int keep_fire(struct tcp_conn *c, synack_time_t now)
{
    if (!c->keepalive)
        return 0;
    /* RFC 9293 3.8.4 (MUST-26): "Keep-alive packets MUST only be sent when no sent data is
     * outstanding": data in flight or waiting for the window is the retransmission or persist
     * timer's business; look again an idle time later (as Linux does). */
    if (tcp_flight(c) || tcp_sndq_len(c)) {
        tcp_tmr_arm(c, TCP_T_KEEP, now + SYNACK_SEC(c->keep_idle_s));
        return 0;
    }
    synack_time_t idle_at = c->last_rcv + SYNACK_SEC(c->keep_idle_s);
    if (c->keep_probes == 0 && now < idle_at) {
        tcp_tmr_arm(c, TCP_T_KEEP, idle_at);
        return 0;
    }
    if (c->keep_probes >= c->keep_cnt) {
        tcp_send_rst(c, now);
        tcp_conn_fail(c, timeout_err(c), "keep-alive timeout");
        return 1;
    }
    /* RFC 1122 4.2.3.6: a probe with SEG.SEQ = SND.NXT-1 and no data makes the peer ACK. */
    c->keep_probes++;
    stack_count(c->st, SYNACK_C_TcpKeepAliveProbes);
    struct tcp_opts o;
    tcp_conn_opts(c, &o, 1, now);   /* TSopt once agreed, as on every segment */
    tcp_send_raw(c->st, &c->local, &c->remote, c->snd_nxt - 1, c->rcv_nxt,
                 TCP_ACK, tcp_win16(tcp_rcv_window(c) >> c->rcv_wscale), &o, NULL, 0, c->tos, now);
    tcp_tmr_arm(c, TCP_T_KEEP, now + SYNACK_SEC(c->keep_intvl_s));
    return 0;
}

void tcp_wait_arm(struct tcp_conn *c, synack_time_t when)
{
    tcp_tmr_arm(c, TCP_T_WAIT, when);
}

static int wait_fire(struct tcp_conn *c, synack_time_t now)
{
    if (c->state == SYNACK_TCP_TIME_WAIT) {
        tcp_timewait_expired(c);
        return 1;
    }
    if (c->state == SYNACK_TCP_FIN_WAIT_2 && !c->owner) {
        /* An orphan in FIN-WAIT-2 would wait for ever on a peer that never closes. */
        tcp_conn_fail(c, 0, "FIN-WAIT-2 timeout");
        return 1;
    }
    return 0;
}

/* TCP_CORK holds a partial segment for at most TCP_CORK_MAX (Linux's ceiling of 200 ms, tcp(7)):
 * from the first time it is held, not re-armed while it waits. */
void tcp_cork_hold(struct tcp_conn *c, synack_time_t now)
{
    if (!tcp_tmr_armed(c, TCP_T_CORK) && !c->cork_expired)
        tcp_tmr_arm(c, TCP_T_CORK, now + TCP_CORK_MAX);
}

void tcp_cork_release(struct tcp_conn *c)
{
    c->cork_expired = 0;
    tcp_tmr_cancel(c, TCP_T_CORK);
}

static int rack_fire(struct tcp_conn *c, synack_time_t now)
{
    if (!tcp_idle_release(c, now))   /* quiet since the timer was armed for that, or RACK's */
        tcp_recovery_rack_timer(c, now);
    return !c->x;   /* the working state went back, and its timer with it: nothing was due */
}

static int cork_fire(struct tcp_conn *c, synack_time_t now)
{
    c->cork_expired = 1;   /* the held partial segment may go now, Nagle and the window permitting */
    tcp_output(c, now);
    return 0;
}
