/* Loss recovery: SACK-based (RFC 6675 with RFC 6937 PRR) when both ends agreed to SACK, else
 * NewReno (RFC 6582), around the connection's congestion-control module; undo of spurious
 * reductions. See tcp_recovery.h. */
#include "base/mem.h"

#include "core/alloc.h"
#include "core/ctx.h"
#include "tcp/tcp_cc.h"
#include "tcp/tcp_int.h"
#include "tcp/tcp_recovery.h"
#include "tcp/tcp_rack.h"
#include "tcp/tcp_sack.h"

/* RFC 6675 2: DupThresh. */
#define TCP_DUPTHRESH 3u

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
    c->x->dupacks = 0;
    c->in_recovery = 0;
    tcp_cc_rexmit(c);   /* no send times from before the handshake */
    memset(c->cc_priv, 0, sizeof(c->cc_priv));
    struct tcp_cc_view v;
    tcp_cc_view(c, &v, now);
    tcp_cc_of(c)->init(&v, c->cc_priv);
    tcp_cc_commit(c, &v);
}

/* The module's new ssthresh on a loss found by duplicate ACKs: FlightSize without the segments
 * limited transmit sent (RFC 5681 3.2 step 2: they "MUST NOT be included in this calculation"). */
static uint32_t reduced_ssthresh(struct tcp_conn *c, synack_time_t now)
{
    struct tcp_cc_view v;
    tcp_cc_view(c, &v, now);
    uint32_t lt = c->x->dupacks && seq_gt(c->snd_max, c->x->lt_base) ? c->snd_max - c->x->lt_base : 0;
    v.flight = v.flight > lt ? v.flight - lt : 0;
    return tcp_cc_of(c)->ssthresh(&v, c->cc_priv);
}

/* ---------- undo (RFC 2883 / RFC 3708 D-SACK, RFC 3522 timestamps) ---------- */

/* A reduction starts an episode that may later prove spurious. */
static void undo_begin(struct tcp_conn *c, synack_time_t now)
{
    c->x->prior_cwnd = c->cwnd;
    c->x->prior_ssthresh = c->ssthresh;
    c->x->undo_marker = c->snd_una;
    c->x->undo_retrans = 0;
    c->x->undo_on = 1;
    c->x->undo_ts = c->ts_ok;
    c->x->undo_tsval = tcp_tsval(c, now);   /* what the episode's first retransmission carries */
}

static void undo_now(struct tcp_conn *c, enum synack_counter why, synack_time_t now)
{
    stack_count(c->st, why);
    c->x->undo_on = 0;
    c->x->undo_ts = 0;
    tcp_recovery_undo(c, now);
}

/* RFC 3522 3.2: the first ACK of data retransmitted in the episode echoes a TSval from before the
 * retransmission: the original arrived, the retransmission was not needed. */
static void undo_check_ts(struct tcp_conn *c, const struct tcp_ack *a, synack_time_t now)
{
    if (!c->x->undo_on || !c->x->undo_ts || !a->acked || !a->has_ts || !seq_gt(c->snd_una, c->x->undo_marker))
        return;
    c->x->undo_ts = 0;   /* only the first such ACK tells */
    if ((int32_t)(a->tsecr - c->x->undo_tsval) < 0 && a->tsecr != 0)
        undo_now(c, SYNACK_C_TcpTSUndo, now);
}

uint32_t tcp_recovery_sack(struct tcp_conn *c, const struct tcp_opts *o, uint32_t ack, synack_time_t now)
{
    if (!c->sack_ok || !o->sack_count)
        return 0;
    if (!c->x->sb) {
        c->x->sb = mem_alloc(&c->st->cfg.alloc, sizeof(*c->x->sb));
        if (!c->x->sb) {
            stack_count(c->st, SYNACK_C_BufAllocFails);
            return 0;   /* recovery goes on without the blocks: NewReno's way, by duplicate ACKs */
        }
        tcp_sack_clear(c->x->sb);
    }
    uint32_t una = seq_gt(ack, c->snd_una) ? ack : c->snd_una;
    struct tcp_sack_news news;
    tcp_sack_update(c->x->sb, o, ack, una, c->snd_max, &news);
    if (news.invalid)
        stack_count_n(c->st, SYNACK_C_TcpSackDiscard, news.invalid);
    if (news.dsack) {
        stack_count(c->st, SYNACK_C_TcpDSackRecv);
        tcp_tlp_dsack(c, news.dsack_l, news.dsack_r);
        /* RFC 3708 3: a D-SACK of data retransmitted in this episode means one retransmission
         * was unneeded; all of them unneeded means the reduction was. */
        if (c->x->undo_on && c->x->undo_retrans > 0 && seq_geq(news.dsack_l, c->x->undo_marker) &&
            seq_leq(news.dsack_r, c->snd_max)) {
            uint32_t segs = (news.dsack_r - news.dsack_l + c->mss_snd - 1) / c->mss_snd;
            c->x->undo_retrans -= (int)(segs ? segs : 1);
            if (c->x->undo_retrans <= 0)
                undo_now(c, SYNACK_C_TcpDSackUndo, now);
        }
    }
    return news.newly;
}

void tcp_recovery_free(struct tcp_conn *c)
{
    if (!c->x)
        return;
    mem_free(&c->st->cfg.alloc, c->x->sb);
    c->x->sb = NULL;
}

/* ---------- SACK-based recovery, RFC 6675 with PRR (RFC 6937) ---------- */

/* The retransmissions RFC 6675 NextSeg rule 1 asks for: lost holes above HighRxt, one segment at a
 * time while the pipe leaves room in cwnd; `force` sends the first regardless (the fast retransmit
 * on entering recovery, RFC 6675 5 step 4.2). */
/* Sends [start, start+len) again as one segment (at most tcp_cur_mss); returns what went. The head
 * of the queue sent again restarts the timeout from now (as Linux does), not from the last
 * cumulative ACK, which may be an RTO ago while the hole was being found. */
static uint32_t resend(struct tcp_conn *c, uint32_t start, uint32_t len, synack_time_t now)
{
    uint32_t sent = tcp_retransmit_range(c, start, len, now);
    if (sent && start == c->snd_una)
        tcp_rto_arm(c, now);
    return sent;
}

/* Retransmissions RACK found lost (tcp_rack.c): sent again first, one segment at a time, their
 * SACKed parts skipped. Returns 1 if one went. */
static int rack_resend(struct tcp_conn *c, synack_time_t now)
{
    while (c->x->rack_rerxt_n) {
        uint32_t *e = c->x->rack_rerxt[0];
        uint32_t from = seq_gt(e[0], c->snd_una) ? e[0] : c->snd_una, start, len;
        if (seq_lt(from, e[1]) && tcp_sack_next_hole(c->x->sb, from, e[1], &start, &len)) {
            uint32_t sent = resend(c, start, len, now);
            e[0] = start + (sent ? sent : len);
            if (sent)
                return 1;
            continue;
        }
        memmove(&c->x->rack_rerxt[0], &c->x->rack_rerxt[1], (size_t)(c->x->rack_rerxt_n - 1) * sizeof(c->x->rack_rerxt[0]));
        c->x->rack_rerxt_n--;
    }
    return 0;
}

static void sack_retransmit(struct tcp_conn *c, int force, synack_time_t now)
{
    for (unsigned guard = 0; guard < 64; guard++) {
        uint32_t pipe = tcp_pipe(c);
        if (!force && pipe >= c->cwnd)
            return;
        if ((force || pipe + c->mss_snd <= c->cwnd) && rack_resend(c, now)) {
            force = 0;
            continue;
        }
        uint32_t edge = tcp_lost_edge(c);
        if (force && edge == c->snd_una)
            edge = c->snd_una + c->mss_snd;   /* entered on DupThresh ACKs: SND.UNA is taken as lost */
        uint32_t from = seq_gt(c->high_rxt, c->snd_una) ? c->high_rxt : c->snd_una, start, len;
        if (!tcp_sack_next_hole(c->x->sb, from, edge, &start, &len))
            return;   /* nothing lost left to resend: new data next (rule 2, tcp_output) */
        uint32_t seg = tcp_cur_mss(c);
        if (len < seg)
            seg = len;
        if (!force && pipe + seg > c->cwnd)
            return;
        uint32_t sent = resend(c, start, seg, now);
        if (!sent)
            return;
        c->high_rxt = start + sent;
        c->x->undo_retrans++;
        force = 0;
    }
}

/* RFC 6937 3: how much may go out on this ACK, as cwnd = pipe + sndcnt. */
static void prr_cwnd(struct tcp_conn *c, uint32_t delivered)
{
    uint32_t pipe = tcp_pipe(c);
    c->x->prr_delivered += delivered;
    uint64_t sndcnt;
    if (pipe > c->ssthresh) {
        /* Proportional: the reduction spread over the round, ceil(delivered * ssthresh / RecoverFS). */
        uint64_t fs = c->x->recover_fs ? c->x->recover_fs : 1;
        uint64_t quota = ((uint64_t)c->x->prr_delivered * c->ssthresh + fs - 1) / fs;
        sndcnt = quota > c->x->prr_out ? quota - c->x->prr_out : 0;
    } else {
        /* Slow start back up to ssthresh (PRR-SSRB): at most one segment more than delivered. */
        uint64_t limit = c->x->prr_delivered > c->x->prr_out ? c->x->prr_delivered - c->x->prr_out : 0;
        if (limit < delivered)
            limit = delivered;
        limit += c->mss_snd;
        uint64_t gap = c->ssthresh - pipe;
        sndcnt = gap < limit ? gap : limit;
    }
    uint64_t w = pipe + sndcnt;
    c->cwnd = (uint32_t)(w > 0x7fffffff ? 0x7fffffff : w);
}

static int sack_lost_una(const struct tcp_conn *c)
{
    return c->x->sb && tcp_lost_edge(c) != c->snd_una;
}

static void sack_enter(struct tcp_conn *c, uint32_t delivered, synack_time_t now)
{
    stack_count(c->st, SYNACK_C_TcpFastRetrans);
    stack_count(c->st, SYNACK_C_TcpSackRecovery);
    undo_begin(c, now);
    c->ssthresh = reduced_ssthresh(c, now);
    c->recover = c->snd_max;   /* RFC 6675 5 step 4.1: RecoveryPoint = HighData */
    c->in_recovery = 1;
    c->high_rxt = c->snd_una;
    c->x->prr_delivered = 0;
    c->x->prr_out = 0;
    c->x->recover_fs = tcp_pipe(c);
    if (c->x->recover_fs < c->mss_snd)
        c->x->recover_fs = c->mss_snd;
    prr_cwnd(c, delivered);
    sack_retransmit(c, 1, now);
}

static void sack_exit(struct tcp_conn *c, synack_time_t now)
{
    /* RFC 6937 3: at the end of recovery cwnd is ssthresh. */
    c->in_recovery = 0;
    c->cwnd = c->ssthresh > c->mss_snd ? c->ssthresh : c->mss_snd;
    if (tcp_cc_of(c)->on_exit_recovery) {
        struct tcp_cc_view v;
        tcp_cc_view(c, &v, now);
        tcp_cc_of(c)->on_exit_recovery(&v, c->cc_priv);
        tcp_cc_commit(c, &v);
    }
}

void tcp_recovery_rack_timer(struct tcp_conn *c, synack_time_t now)
{
    if (!tcp_rack_detect(c, now))
        return;
    stack_count(c->st, SYNACK_C_TcpRackLoss);
    if (!c->in_recovery) {
        if (c->snd_una != c->snd_max && c->x->sb && (seq_gt(c->snd_una, c->recover) || c->recover == c->iss))
            sack_enter(c, 0, now);
    } else if (c->x->sb) {
        sack_retransmit(c, 0, now);
    }
    tcp_output(c, now);
}

/* ---------- NewReno, RFC 6582, when the peer does not SACK ---------- */

static void enter_recovery(struct tcp_conn *c, synack_time_t now)
{
    /* RFC 6582 3.2 step 1/2: only when the ACK covers more than `recover` (no repeated entry into
     * recovery for losses of the same window). */
    if (!seq_gt(c->snd_una, c->recover) && c->recover != c->iss)
        return;
    stack_count(c->st, SYNACK_C_TcpFastRetrans);
    stack_count(c->st, SYNACK_C_TcpRenoRecovery);
    undo_begin(c, now);
    c->ssthresh = reduced_ssthresh(c, now);
    c->recover = c->snd_max;
    c->in_recovery = 1;
    c->x->undo_retrans++;
    tcp_retransmit_head(c, now);
    c->cwnd = c->ssthresh + 3u * c->mss_snd;   /* RFC 5681 3.2 step 4 */
}

static void duplicate_ack(struct tcp_conn *c, synack_time_t now)
{
    if (c->x->dupacks++ == 0)
        c->x->lt_base = c->snd_max;
    if (c->x->dupacks == 3 && !c->in_recovery)
        enter_recovery(c, now);
    else if (c->in_recovery)
        c->cwnd += c->mss_snd;   /* RFC 5681 3.2 step 5: inflate */
}

/* Outside recovery: the congestion-control module grows the window for an ACK of new data. */
static void cc_on_ack(struct tcp_conn *c, const struct tcp_ack *a, synack_time_t now)
{
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
    if (v.rtt_us && tcp_cc_of(c)->on_rtt)
        tcp_cc_of(c)->on_rtt(&v, c->cc_priv);
    tcp_cc_of(c)->on_ack(&v, c->cc_priv);
    tcp_cc_commit(c, &v);
}

/* RFC 8985 7.4: a tail loss probe repaired a loss: the reduction any loss brings. */
static void tlp_reduce(struct tcp_conn *c, synack_time_t now)
{
    undo_begin(c, now);
    c->ssthresh = reduced_ssthresh(c, now);
    c->cwnd = c->ssthresh;
}

static void sack_ack(struct tcp_conn *c, const struct tcp_ack *a, synack_time_t now)
{
    if (c->x->sb && a->acked)
        tcp_sack_advance(c->x->sb, c->snd_una);
    undo_check_ts(c, a, now);
    if (tcp_rack_detect(c, now))
        stack_count(c->st, SYNACK_C_TcpRackLoss);
    if (a->acked && tcp_tlp_ack(c) && !c->in_recovery)
        tlp_reduce(c, now);
    uint32_t delivered = a->acked + a->sacked;
    if (!c->in_recovery) {
        if (a->acked)
            c->x->dupacks = 0;
        else if (c->x->dupacks++ == 0)   /* RFC 6675 2: an ACK that SACKs new data, SND.UNA unmoved */
            c->x->lt_base = c->snd_max;
        /* RFC 6675 5: recovery on DupThresh duplicate ACKs or once IsLost(SND.UNA); not again for
         * losses of a window already recovered (RFC 6582 3.2 / RFC 6675 5 step 4.1's point). */
        if ((c->x->dupacks >= TCP_DUPTHRESH || sack_lost_una(c)) && c->snd_una != c->snd_max &&
            (seq_gt(c->snd_una, c->recover) || c->recover == c->iss)) {
            sack_enter(c, delivered, now);
            return;
        }
        if (a->acked)
            cc_on_ack(c, a, now);
        return;
    }
    if (seq_geq(c->snd_una, c->recover)) {
        c->x->dupacks = 0;
        sack_exit(c, now);
        return;
    }
    /* RFC 6675 5 step (C): each ACK during recovery: the pipe, PRR's allowance, NextSeg. */
    if (seq_lt(c->high_rxt, c->snd_una))
        c->high_rxt = c->snd_una;
    prr_cwnd(c, delivered);
    sack_retransmit(c, 0, now);
    if (a->acked)
        tcp_rto_arm(c, now);   /* RFC 6675 5 step (B)/(C): the timer follows the cumulative ACK */
}

void tcp_recovery_ack(struct tcp_conn *c, const struct tcp_ack *a, synack_time_t now)
{
    if (c->sack_ok) {
        sack_ack(c, a, now);
        return;
    }
    undo_check_ts(c, a, now);
    if (!a->acked) {
        duplicate_ack(c, now);
        return;
    }
    if (c->in_recovery) {
        struct tcp_cc_view v;
        if (seq_geq(c->snd_una, c->recover)) {
            /* RFC 6582 3.2 step 3 (full ACK), option 1: cwnd = min(ssthresh, max(FlightSize, SMSS)
             * + SMSS). */
            c->in_recovery = 0;
            uint32_t f = tcp_flight(c);
            uint32_t w = (f > c->mss_snd ? f : c->mss_snd) + c->mss_snd;
            c->cwnd = w < c->ssthresh ? w : c->ssthresh;
            if (tcp_cc_of(c)->on_exit_recovery) {
                tcp_cc_view(c, &v, now);
                tcp_cc_of(c)->on_exit_recovery(&v, c->cc_priv);
                tcp_cc_commit(c, &v);
            }
        } else {
            /* partial ACK (step 5): retransmit the next hole, deflate by what was ACKed, add one MSS
             * back if at least one MSS was ACKed. */
            tcp_retransmit_head(c, now);
            c->x->undo_retrans++;
            c->cwnd = c->cwnd > a->acked ? c->cwnd - a->acked : c->mss_snd;
            if (a->acked >= c->mss_snd)
                c->cwnd += c->mss_snd;
            tcp_rto_arm(c, now);   /* RFC 6582 3.2 step 5: reset the timer on the first partial ACK */
        }
    } else {
        cc_on_ack(c, a, now);
    }
    c->x->dupacks = 0;
}

void tcp_recovery_rto(struct tcp_conn *c, synack_time_t now)
{
    /* RFC 5681 3.1: cwnd to the loss window, ssthresh down (the module's rule); RFC 6582 4: recover
     * is SND.MAX, so duplicate ACKs of what was sent before the timeout start no fast retransmit. */
    /* A timeout during an episode keeps the episode's undo state (one spurious timeout after a
     * spurious fast retransmit undoes both); otherwise a new episode starts. */
    if (!c->in_recovery || !c->x->undo_on)
        undo_begin(c, now);
    c->x->undo_retrans++;
    struct tcp_cc_view v;
    tcp_cc_view(c, &v, now);
    tcp_cc_of(c)->on_rto(&v, c->cc_priv);
    tcp_cc_commit(c, &v);
    c->in_recovery = 0;
    c->x->dupacks = 0;
    c->recover = c->snd_max;
    c->high_rxt = c->snd_una;
    c->tlp_on = 0;
    c->x->rack_rerxt_n = 0;   /* everything unSACKed goes again after a timeout anyway */
    tcp_cc_rexmit(c);
}

void tcp_recovery_undo(struct tcp_conn *c, synack_time_t now)
{
    if (!c->x->prior_cwnd)
        return;
    struct tcp_cc_view v;
    tcp_cc_view(c, &v, now);
    if (tcp_cc_of(c)->undo)
        tcp_cc_of(c)->undo(&v, c->cc_priv);
    v.cwnd = v.cwnd > c->x->prior_cwnd ? v.cwnd : c->x->prior_cwnd;
    v.ssthresh = v.ssthresh > c->x->prior_ssthresh ? v.ssthresh : c->x->prior_ssthresh;
    tcp_cc_commit(c, &v);
    c->in_recovery = 0;
    c->x->prior_cwnd = 0;
}
