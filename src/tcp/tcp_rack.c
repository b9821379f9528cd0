/* RACK-TLP, RFC 8985; see tcp_rack.h. */
#include "base/mem.h"

#include "core/alloc.h"
#include "core/ctx.h"
#include "tcp/tcp_int.h"
#include "tcp/tcp_rack.h"
#include "tcp/tcp_sack.h"
#include "tcp/tcp_state.h"

/* RFC 8985 7.2: WCDelAckT, the worst-case delayed-ACK time a probe timeout allows for when only one
 * segment is in flight (the receiver may hold its ACK). */
#define TLP_WC_DELACK SYNACK_MS(200)
/* A probe timeout never below this (a 1 ms floor keeps the timer from firing on its own ACKs). */
#define TLP_MIN SYNACK_MS(10)

void tcp_rack_sent(struct tcp_conn *c, uint32_t start, uint32_t end, int rexmit, synack_time_t now)
{
    if (!c->sack_ok || !c->st->tcp->rack || !seq_lt(start, end))
        return;
    if (!c->x->rack) {
        c->x->rack = mem_calloc(&c->st->cfg.alloc, 1, sizeof(*c->x->rack));
        if (!c->x->rack) {
            stack_count(c->st, SYNACK_C_BufAllocFails);
            return;   /* RFC 6675's rules go on without RACK */
        }
    }
    struct tcp_rack *k = c->x->rack;
    if (k->n) {
        struct tcp_rack_rec *last = &k->r[k->n - 1];
        if (last->ts == now && last->end == start && last->rexmit == (uint8_t)rexmit) {
            last->end = end;   /* sent back to back at one time: one record */
            return;
        }
    }
    if (k->n == TCP_RACK_RECS) {
        /* Full: join the oldest two adjacent first transmissions (the record then says it was
         * sent between the first's time and the second's, and tcp_rack_detect reads it
         * cautiously both ways), else forget the oldest record (its bytes are left to RFC
         * 6675's rules). */
        uint32_t i = 0;
        while (i + 1 < k->n && !(k->r[i].end == k->r[i + 1].start && !k->r[i].rexmit && !k->r[i + 1].rexmit))
            i++;
        if (i + 1 < k->n) {
            k->r[i].end = k->r[i + 1].end;
            k->r[i].ts = k->r[i + 1].ts;   /* ts0 stays the first one's */
            k->r[i].serial = k->r[i + 1].serial;
            memmove(&k->r[i + 1], &k->r[i + 2], (k->n - i - 2) * sizeof(k->r[0]));
        } else {
            memmove(&k->r[0], &k->r[1], (k->n - 1) * sizeof(k->r[0]));
        }
        k->n--;
    }
    if (rexmit && (!k->rexmit_on || seq_gt(end, k->rexmit_hi))) {
        k->rexmit_hi = end;
        k->rexmit_on = 1;
    }
    k->r[k->n].start = start;
    k->r[k->n].end = end;
    k->r[k->n].ts = now;
    k->r[k->n].ts0 = now;
    k->r[k->n].serial = k->next_serial++;
    k->r[k->n].rexmit = (uint8_t)rexmit;
    k->n++;
}

void tcp_rack_free(struct tcp_conn *c)
{
    if (!c->x)
        return;
    mem_free(&c->st->cfg.alloc, c->x->rack);
    c->x->rack = NULL;
}

uint32_t tcp_lost_edge(const struct tcp_conn *c)
{
    uint32_t e = c->x->sb ? tcp_sack_lost_edge(c->x->sb, c->snd_una, c->mss_snd) : c->snd_una;
    if (c->x->rack_edge_on && seq_gt(c->x->rack_edge, e)) {
        e = c->x->rack_edge;
        if (seq_gt(e, c->snd_max))
            e = c->snd_max;
    }
    return e;
}

uint32_t tcp_pipe(const struct tcp_conn *c)
{
    uint32_t pipe = tcp_sack_pipe(c->x->sb, c->snd_una, c->snd_max, c->high_rxt, tcp_lost_edge(c));
    /* Retransmissions RACK found lost are no longer in flight (RFC 8985 6.2: a lost
     * retransmission leaves the pipe as a lost first transmission does). */
    for (unsigned i = 0; i < c->x->rack_rerxt_n; i++) {
        uint32_t from = seq_gt(c->x->rack_rerxt[i][0], c->snd_una) ? c->x->rack_rerxt[i][0] : c->snd_una;
        uint32_t end = c->x->rack_rerxt[i][1], st, len;
        while (seq_lt(from, end) && tcp_sack_next_hole(c->x->sb, from, end, &st, &len)) {
            pipe = pipe > len ? pipe - len : 0;
            from = st + len;
        }
    }
    return pipe;
}

/* The end of the highest delivered byte of a record, or its start if none: a record covers
 * segments sent back to back at one time, and RFC 8985 orders segments sent at one time by their
 * sequence (RACK_sent_after), so a SACK of a record's later part marks its earlier part as sent
 * before the delivered segment. Fully ACKed records give their end. */
static uint32_t delivered_to(const struct tcp_conn *c, const struct tcp_rack_rec *r)
{
    if (seq_leq(r->end, c->snd_una))
        return r->end;
    uint32_t best = seq_gt(c->snd_una, r->start) ? c->snd_una : r->start;
    if (!c->x->sb)
        return best;
    for (uint32_t i = 0; i < c->x->sb->n; i++) {
        uint32_t l = c->x->sb->r[i][0], e = c->x->sb->r[i][1];
        if (seq_geq(l, r->end))
            break;
        if (seq_gt(e, best))
            best = seq_lt(e, r->end) ? e : r->end;
    }
    return best;
}

/* RACK_sent_after(t1, seq1, t2, seq2) of RFC 8985 6.2: was (ts1, serial1, seq1) sent after (ts2,
 * serial2, seq2)? At one clock reading the order of sending decides (a retransmission sent after
 * new data at the same microsecond is later, whatever its sequence), and inside one record the
 * sequence. */
static int sent_after(synack_time_t ts1, uint32_t serial1, uint32_t seq1, synack_time_t ts2, uint32_t serial2,
                      uint32_t seq2)
{
    if (ts1 != ts2)
        return ts1 > ts2;
    if (serial1 != serial2)
        return (int32_t)(serial1 - serial2) > 0;
    return seq_gt(seq1, seq2);
}

int tcp_rack_detect(struct tcp_conn *c, synack_time_t now)
{
    struct tcp_rack *k = c->x->rack;
    if (!k)
        return 0;
    if (c->x->rack_edge_on && seq_leq(c->x->rack_edge, c->snd_una))
        c->x->rack_edge_on = 0;
    /* 6.2 step 2: the most recently sent of the segments now delivered. A retransmission delivered
     * sooner than the minimum RTT after it left must be the original's ACK: it says nothing. */
    uint32_t n = 0;
    for (uint32_t i = 0; i < k->n; i++) {
        struct tcp_rack_rec *r = &k->r[i];
        uint32_t to = delivered_to(c, r), hs, hl;
        uint32_t from = seq_gt(c->snd_una, r->start) ? c->snd_una : r->start;
        int whole = seq_leq(r->end, c->snd_una) ||
                    (to == r->end && c->x->sb && !tcp_sack_next_hole(c->x->sb, from, r->end, &hs, &hl));
        if (!whole)
            k->r[n++] = *r;
        if (to == r->start)
            continue;
        /* 6.2 step 3: a first transmission delivered below RACK.fack arrived out of order (one that
         * may have been sent again does not count: its delivery may be the retransmission's). */
        if (whole && !r->rexmit && k->fack_on && seq_lt(r->end, k->fack) &&
            !(k->rexmit_on && seq_lt(r->start, k->rexmit_hi)))
            c->rack_reord = 1;
        if (!k->fack_on || seq_gt(to, k->fack)) {
            k->fack = to;
            k->fack_on = 1;
        }
        if (r->rexmit && c->min_rtt && now - r->ts < c->min_rtt)
            continue;
        /* Part of a joined record: sent at some time between ts0 and ts, so take the earliest,
         * which is the cautious choice both for what counts as sent before it and for RACK.rtt. */
        synack_time_t ts = whole ? r->ts : r->ts0;
        if (sent_after(ts, r->serial, to, k->xmit_ts, k->xmit_serial, k->end)) {
            k->xmit_ts = ts;
            k->xmit_serial = r->serial;
            k->end = to;
            k->rtt = (uint32_t)(now - ts);
        }
    }
    k->n = n;
    if (!n && c->snd_una == c->snd_max)
        return 0;   /* nothing in flight: no reordering timer (the log goes when idle, tcp_autotune.c) */
    if (!k->xmit_ts)
        return 0;
    /* 6.2 step 4: the reordering window, a quarter of the minimum RTT (times a multiplier that
     * D-SACKs raise), never above SRTT. */
    synack_time_t reo = (c->min_rtt ? c->min_rtt : c->srtt) / 4 * (c->rack_reo_mult ? c->rack_reo_mult : 1);
    if (c->srtt && reo > c->srtt)
        reo = c->srtt;
    /* Without reordering seen, none is waited for once recovery is under way or DupThresh segments
     * are SACKed: RFC 6675's rule has already judged them (6.2 step 4, as Linux's tcp_rack_reo_wnd). */
    if (!c->rack_reord && (c->in_recovery || (c->x->sb && c->x->sb->sacked >= 3u * c->mss_snd)))
        reo = 0;
    /* 6.2 step 5: what was sent before RACK's segment and has waited RACK.rtt + reo_wnd is lost. */
    int lost = 0;
    uint32_t known = tcp_lost_edge(c);   /* lost already, by RFC 6675 or an earlier pass */
    synack_time_t next = SYNACK_TIME_NEVER;
    n = 0;
    for (uint32_t i = 0; i < k->n; i++) {
        struct tcp_rack_rec r = k->r[i];
        synack_time_t due = r.ts + k->rtt + reo;
        if (!sent_after(k->xmit_ts, k->xmit_serial, k->end, r.ts, r.serial, r.start)) {
            k->r[n++] = r;
            continue;
        }
        if (due > now) {
            if (due < next)
                next = due;
            k->r[n++] = r;
            continue;
        }
        /* Lost: what of the record lies before RACK's segment (all of it if sent earlier). The part
         * after stays a record of its own. What is sent again gets a new record. */
        uint32_t end = r.end;
        if (r.ts == k->xmit_ts && r.serial == k->xmit_serial && r.ts0 == r.ts && seq_lt(k->end, r.end)) {
            end = k->end;
            k->r[n] = r;
            k->r[n++].start = end;
        }
        /* Only bytes neither ACKed nor SACKed are lost: the part of the record before RACK's
         * segment may have been delivered by the very ACK that made it RACK's. */
        uint32_t from = seq_gt(r.start, c->snd_una) ? r.start : c->snd_una, hs, hl;
        if (!seq_lt(from, end) || (c->x->sb && !tcp_sack_next_hole(c->x->sb, from, end, &hs, &hl)))
            continue;
        uint32_t beyond = seq_gt(known, from) ? known : from;
        if (r.rexmit || (seq_lt(beyond, end) && (!c->x->sb || tcp_sack_next_hole(c->x->sb, beyond, end, &hs, &hl))))
            lost = 1;   /* something not known lost before */
        if (!c->x->rack_edge_on || seq_gt(end, c->x->rack_edge)) {
            c->x->rack_edge = end;
            c->x->rack_edge_on = 1;
        }
        /* A lost retransmission: queued to be sent again (tcp_recovery.c), without moving HighRxt,
         * which would send every later retransmission again too. If the short queue is full, the
         * RTO will. */
        if (r.rexmit && c->x->rack_rerxt_n < 4) {
            stack_count(c->st, SYNACK_C_TcpLostRetransmit);
            c->x->rack_rerxt[c->x->rack_rerxt_n][0] = from;
            c->x->rack_rerxt[c->x->rack_rerxt_n][1] = end;
            c->x->rack_rerxt_n++;
        }
    }
    k->n = n;
    if (next != SYNACK_TIME_NEVER)
        tcp_tmr_arm(c, TCP_T_RACK, next);
    else
        tcp_tmr_cancel(c, TCP_T_RACK);
    return lost;
}

synack_time_t tcp_tlp_timeout(const struct tcp_conn *c)
{
    /* 7.2: only with SACK and an RTT measured, in the open state, not while segments are SACKed
     * (RACK's reordering timer and limited transmit have that case), one probe at a time (7.3
     * condition 1), and not again before an RTT sample since the last probe (condition 2). */
    if (!c->st->tcp->rack || !c->sack_ok || !c->rtt_valid || c->in_recovery || c->tlp_on || c->backoff || !c->tlp_rtt_ok ||
        (c->x->sb && c->x->sb->sacked) || !tcp_state_synchronized(c->state) || c->snd_max == c->snd_una)
        return 0;
    synack_time_t pto = 2 * (synack_time_t)c->srtt;
    if (tcp_flight(c) <= c->mss_snd)
        pto += TLP_WC_DELACK;
    if (pto < TLP_MIN)
        pto = TLP_MIN;
    return pto;
}

void tcp_tlp_fire(struct tcp_conn *c, synack_time_t now)
{
    stack_count(c->st, SYNACK_C_TcpLossProbes);
    c->tlp_on = 1;
    c->tlp_dsacked = 0;
    c->tlp_rtt_ok = 0;
    /* 7.3: a segment of new data if there is one the peer's window takes (cwnd may be exceeded by
     * this one segment), else the last segment sent, again. */
    uint32_t before = c->snd_max;
    c->tlp_probe = 1;
    tcp_output(c, now);
    c->tlp_probe = 0;
    if (c->snd_max == before) {
        uint32_t flight = tcp_flight(c);
        uint32_t mss = tcp_cur_mss(c);
        uint32_t len = flight < mss ? flight : mss;
        uint32_t seq = c->snd_max - len;
        if (c->fin_sent && seq_gt(c->snd_max, c->fin_seq) && len > 1)
            seq++;   /* the FIN is the last octet: the data before it goes with it */
        tcp_retransmit_range(c, seq, c->snd_max - seq, now);
    }
    c->x->tlp_high = c->snd_max;
    tcp_rto_arm(c, now);   /* 7.3: the RTO, not another probe, backs the probe up */
}

void tcp_tlp_dsack(struct tcp_conn *c, uint32_t dsack_l, uint32_t dsack_r)
{
    /* RFC 8985 6.2 step 4: a D-SACK says a retransmission was spurious: widen the reordering
     * window (by a quarter of min_RTT each time, at most SRTT). */
    if (c->rack_reo_mult < 4)
        c->rack_reo_mult = (uint8_t)(c->rack_reo_mult ? c->rack_reo_mult + 1 : 2);
    if (c->tlp_on && seq_leq(dsack_r, c->x->tlp_high) && seq_gt(dsack_r, c->x->tlp_high - c->mss_snd - 1) &&
        seq_lt(dsack_l, dsack_r))
        c->tlp_dsacked = 1;   /* 7.4.1: the probe was a duplicate, so nothing was lost */
}

int tcp_tlp_ack(struct tcp_conn *c)
{
    if (!c->tlp_on || seq_lt(c->snd_una, c->x->tlp_high))
        return 0;
    c->tlp_on = 0;
    if (c->tlp_dsacked)
        return 0;
    stack_count(c->st, SYNACK_C_TcpLossProbeRecovery);
    return 1;
}
