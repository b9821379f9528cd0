/* Loss recovery: NewReno (RFC 6582) fast retransmit and fast recovery around the connection's
 * congestion-control module. See tcp_recovery.h. */
#include "base/mem.h"

#include "core/ctx.h"
#include "tcp/tcp_cc.h"
#include "tcp/tcp_int.h"
#include "tcp/tcp_recovery.h"

void tcp_recovery_start(struct tcp_conn *c, synack_time_t now)
{
    /* RFC 6928 2: IW = min(10*MSS, max(2*MSS, 14600)) */
    uint32_t mss = c->mss_snd;
    uint32_t iw = 2 * mss > 14600 ? 2 * mss : 14600;
    if (iw > 10 * mss)
        iw = 10 * mss;
    c->cwnd = iw;
    /* RFC 5681 3.1: "SHOULD be set arbitrarily high (e.g., to the size of the largest possible
     * advertised window)". */
    c->ssthresh = 0x7fffffff;
    c->recover = c->iss;
    c->dupacks = 0;
    c->in_recovery = 0;
    c->cc_sent_n = 0;
    memset(c->cc_priv, 0, sizeof(c->cc_priv));
    struct tcp_cc_view v;
    tcp_cc_view(c, &v, now);
    c->cc->init(&v, c->cc_priv);
    tcp_cc_commit(c, &v);
}

static void enter_recovery(struct tcp_conn *c, synack_time_t now)
{
    /* RFC 6582 3.2 step 1/2: only when the ACK covers more than `recover` (no repeated entry into
     * recovery for losses of the same window). */
    if (!seq_gt(c->snd_una, c->recover) && c->recover != c->iss)
        return;
    stack_count(c->st, SYNACK_C_TcpFastRetrans);
    c->prior_cwnd = c->cwnd;
    c->prior_ssthresh = c->ssthresh;
    struct tcp_cc_view v;
    tcp_cc_view(c, &v, now);
    c->ssthresh = c->cc->ssthresh(&v, c->cc_priv);
    c->recover = c->snd_max;
    c->in_recovery = 1;
    tcp_retransmit_head(c, now);
    c->cwnd = c->ssthresh + 3u * c->mss_snd;   /* RFC 5681 3.2 step 4 */
}

static void duplicate_ack(struct tcp_conn *c, synack_time_t now)
{
    c->dupacks++;
    if (c->dupacks == 3 && !c->in_recovery)
        enter_recovery(c, now);
    else if (c->in_recovery)
        c->cwnd += c->mss_snd;   /* RFC 5681 3.2 step 5: inflate */
}

void tcp_recovery_ack(struct tcp_conn *c, const struct tcp_ack *a, synack_time_t now)
{
    if (!a->acked) {
        duplicate_ack(c, now);
        return;
    }
    struct tcp_cc_view v;
    tcp_cc_view(c, &v, now);
    v.acked = a->acked;
    v.flight = a->flight;
    v.rtt_us = tcp_cc_ack_rtt(c, c->snd_una, now);
    /* Was the window the limit? Only then may an ACK grow cwnd (RFC 5681 3.1 grows it "when
     * cwnd is fully utilized"; RFC 7661): an application-limited sender would otherwise inflate
     * cwnd without bound and later burst it all at once. Slow start counts half a window as full,
     * as Linux does, since the flight doubles each round. */
    v.cwnd_limited = c->cwnd < c->ssthresh ? 2 * a->flight >= c->cwnd : a->flight + c->mss_snd >= c->cwnd;
    if (c->in_recovery) {
        if (seq_geq(c->snd_una, c->recover)) {
            /* RFC 6582 3.2 step 3 (full ACK), option 1: cwnd = min(ssthresh, max(FlightSize, SMSS)
             * + SMSS). */
            c->in_recovery = 0;
            uint32_t f = tcp_flight(c);
            uint32_t w = (f > c->mss_snd ? f : c->mss_snd) + c->mss_snd;
            c->cwnd = w < c->ssthresh ? w : c->ssthresh;
            if (c->cc->on_exit_recovery) {
                tcp_cc_view(c, &v, now);
                c->cc->on_exit_recovery(&v, c->cc_priv);
                tcp_cc_commit(c, &v);
            }
        } else {
            /* partial ACK (step 5): retransmit the next hole, deflate by what was ACKed, add one MSS
             * back if at least one MSS was ACKed. */
            tcp_retransmit_head(c, now);
            c->cwnd = c->cwnd > a->acked ? c->cwnd - a->acked : c->mss_snd;
            if (a->acked >= c->mss_snd)
                c->cwnd += c->mss_snd;
            tcp_rto_arm(c, now);   /* RFC 6582 3.2 step 5: reset the timer on the first partial ACK */
        }
    } else {
        if (v.rtt_us && c->cc->on_rtt)
            c->cc->on_rtt(&v, c->cc_priv);
        c->cc->on_ack(&v, c->cc_priv);
        tcp_cc_commit(c, &v);
    }
    c->dupacks = 0;
}

void tcp_recovery_rto(struct tcp_conn *c, synack_time_t now)
{
    /* RFC 5681 3.1: cwnd to the loss window, ssthresh down (the module's rule); RFC 6582 4: recover
     * is SND.MAX, so duplicate ACKs of what was sent before the timeout start no fast retransmit. */
    c->prior_cwnd = c->cwnd;
    c->prior_ssthresh = c->ssthresh;
    struct tcp_cc_view v;
    tcp_cc_view(c, &v, now);
    c->cc->on_rto(&v, c->cc_priv);
    tcp_cc_commit(c, &v);
    c->in_recovery = 0;
    c->dupacks = 0;
    c->recover = c->snd_max;
    tcp_cc_rexmit(c);
}

void tcp_recovery_undo(struct tcp_conn *c, synack_time_t now)
{
    if (!c->prior_cwnd)
        return;
    struct tcp_cc_view v;
    tcp_cc_view(c, &v, now);
    if (c->cc->undo)
        c->cc->undo(&v, c->cc_priv);
    v.cwnd = v.cwnd > c->prior_cwnd ? v.cwnd : c->prior_cwnd;
    v.ssthresh = v.ssthresh > c->prior_ssthresh ? v.ssthresh : c->prior_ssthresh;
    tcp_cc_commit(c, &v);
    c->in_recovery = 0;
    c->prior_cwnd = 0;
}
