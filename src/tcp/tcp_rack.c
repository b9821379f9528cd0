/* RACK-TLP, RFC 8985; see tcp_rack.h. */
#include "base/mem.h"
extern char *getenv(const char *);
#include <stdio.h>
#define DBG(...) do { if (getenv("RDBG")) fprintf(stderr, __VA_ARGS__); } while (0)

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
    if (!c->sack_ok || !seq_lt(start, end))
        return;
    if (!c->rack) {
        c->rack = mem_calloc(&c->st->cfg.alloc, 1, sizeof(*c->rack));
        if (!c->rack) {
            stack_count(c->st, SYNACK_C_BufAllocFails);
            return;   /* RFC 6675's rules go on without RACK */
        }
    }
    struct tcp_rack *k = c->rack;
    if (k->n) {
        struct tcp_rack_rec *last = &k->r[k->n - 1];
        if (last->ts == now && last->end == start && last->rexmit == (uint8_t)rexmit) {
            last->end = end;   /* sent back to back at one time: one record */
            return;
        }
    }
    if (k->n == TCP_RACK_RECS) {
        /* Full: join the oldest two adjacent first transmissions (keeping the later time, so
         * nothing is judged lost sooner than it would be), else forget the oldest record. */
        uint32_t i = 0;
        while (i + 1 < k->n && !(k->r[i].end == k->r[i + 1].start && !k->r[i].rexmit && !k->r[i + 1].rexmit))
            i++;
        if (i + 1 < k->n) {
            k->r[i].end = k->r[i + 1].end;
            k->r[i].ts = k->r[i + 1].ts;
            memmove(&k->r[i + 1], &k->r[i + 2], (k->n - i - 2) * sizeof(k->r[0]));
        } else {
            memmove(&k->r[0], &k->r[1], (k->n - 1) * sizeof(k->r[0]));
        }
        k->n--;
    }
    if (rexmit) DBG("%p %.3f RXSENT [%u,%u) n %u\n", (void*)c, now/1e6, start - c->iss, end - c->iss, k->n);
    k->r[k->n].start = start;
    k->r[k->n].end = end;
    k->r[k->n].ts = now;
    k->r[k->n].rexmit = (uint8_t)rexmit;
    k->n++;
}

void tcp_rack_free(struct tcp_conn *c)
{
    mem_free(&c->st->cfg.alloc, c->rack);
    c->rack = NULL;
}

uint32_t tcp_lost_edge(const struct tcp_conn *c)
{
    uint32_t e = c->sb ? tcp_sack_lost_edge(c->sb, c->snd_una, c->mss_snd) : c->snd_una;
    if (c->rack_edge_on && seq_gt(c->rack_edge, e)) {
        e = c->rack_edge;
        if (seq_gt(e, c->snd_max))
            e = c->snd_max;
    }
    return e;
}

static int delivered(const struct tcp_conn *c, const struct tcp_rack_rec *r)
{
    if (seq_leq(r->end, c->snd_una))
        return 1;
    uint32_t end;
    uint32_t from = seq_gt(r->start, c->snd_una) ? r->start : c->snd_una;
    return c->sb && tcp_sack_holds(c->sb, from, &end) && seq_geq(end, r->end);
}

int tcp_rack_detect(struct tcp_conn *c, synack_time_t now)
{
    struct tcp_rack *k = c->rack;
    if (!k)
        return 0;
    if (c->rack_edge_on && seq_leq(c->rack_edge, c->snd_una))
        c->rack_edge_on = 0;
    /* 6.2 step 2: the most recently sent of the segments now delivered. A retransmission delivered
     * sooner than the minimum RTT after it left must be the original's ACK: it says nothing. */
    uint32_t n = 0;
    for (uint32_t i = 0; i < k->n; i++) {
        struct tcp_rack_rec *r = &k->r[i];
        if (!delivered(c, r)) {
            k->r[n++] = *r;
            continue;
        }
        if (r->rexmit && c->min_rtt && now - r->ts < c->min_rtt)
            continue;
        if (r->ts > k->xmit_ts || (r->ts == k->xmit_ts && seq_gt(r->end, k->end))) {
            k->xmit_ts = r->ts;
            k->end = r->end;
            k->rtt = (uint32_t)(now - r->ts);
        }
    }
    k->n = n;
    if (!k->xmit_ts || getenv("NO_RACK"))
        return 0;
    /* 6.2 step 4: the reordering window, a quarter of the minimum RTT, never above SRTT. */
    synack_time_t reo = (c->min_rtt ? c->min_rtt : c->srtt) / 4 * (c->rack_reo_mult ? c->rack_reo_mult : 1);
    if (c->srtt && reo > c->srtt)
        reo = c->srtt;
    /* 6.2 step 5: what was sent before RACK's segment and has waited RACK.rtt + reo_wnd is lost. */
    int lost = 0;
    synack_time_t next = SYNACK_TIME_NEVER;
    n = 0;
    for (uint32_t i = 0; i < k->n; i++) {
        struct tcp_rack_rec *r = &k->r[i];
        synack_time_t due = r->ts + k->rtt + reo;
        if (!(r->ts < k->xmit_ts || (r->ts == k->xmit_ts && seq_lt(r->end, k->end))) || due > now) {
            if ((r->ts < k->xmit_ts || (r->ts == k->xmit_ts && seq_lt(r->end, k->end))) && due < next)
                next = due;
            k->r[n++] = *r;
            continue;
        }
        /* Lost: marked once, and the record goes (what is sent again gets a record of its own). */
        lost = 1;
        DBG("%p %.3f LOST [%u,%u) rx %d sent %.3f rtt %u reo %llu n %u\n", (void*)c, now/1e6, r->start - c->iss, r->end - c->iss, r->rexmit, r->ts/1e6, k->rtt, (unsigned long long)reo, k->n);
        if (!c->rack_edge_on || seq_gt(r->end, c->rack_edge)) {
            c->rack_edge = r->end;
            c->rack_edge_on = 1;
        }
        /* A lost retransmission: queued to be sent again (tcp_recovery.c), without moving HighRxt,
         * which would send every later retransmission again too. If the short queue is full, the
         * RTO will. */
        uint32_t from = seq_gt(r->start, c->snd_una) ? r->start : c->snd_una;
        if (r->rexmit && seq_lt(from, r->end) && c->rack_rerxt_n < 4) {
            c->rack_rerxt[c->rack_rerxt_n][0] = from;
            c->rack_rerxt[c->rack_rerxt_n][1] = r->end;
            c->rack_rerxt_n++;
        }
    }
    k->n = n;
    if (next != SYNACK_TIME_NEVER)
        timer_arm(&c->st->timers, &c->rack_timer, next);
    else
        timer_cancel(&c->st->timers, &c->rack_timer);
    return lost;
}

synack_time_t tcp_tlp_timeout(const struct tcp_conn *c)
{
    /* 7.2: only with SACK, an RTT measured, in the open state, and one probe per episode. */
    if (getenv("NO_TLP") ||!c->sack_ok || !c->rtt_valid || c->in_recovery || c->tlp_on || c->backoff ||
        !tcp_state_synchronized(c->state) || c->snd_max == c->snd_una)
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
    /* 7.3: send the last segment again (the new-data variant would need room in the peer's
     * window; the last segment always fits). */
    uint32_t flight = tcp_flight(c);
    uint32_t len = flight < c->mss_snd ? flight : c->mss_snd;
    uint32_t seq = c->snd_max - len;
    if (c->fin_sent && seq_gt(c->snd_max, c->fin_seq) && len > 1)
        seq++;   /* the FIN is the last octet: resend the data before it with it */
    stack_count(c->st, SYNACK_C_TcpLossProbes);
    c->tlp_on = 1;
    c->tlp_dsacked = 0;
    c->tlp_high = c->snd_max;
    tcp_retransmit_range(c, seq, c->snd_max - seq, now);
    tcp_rto_arm(c, now);   /* the RTO backs the probe up */
}

void tcp_tlp_dsack(struct tcp_conn *c, uint32_t dsack_l, uint32_t dsack_r)
{
    /* RFC 8985 6.2 step 4: a D-SACK says a retransmission was spurious: widen the reordering
     * window (by a quarter of min_RTT each time, at most SRTT). */
    if (c->rack_reo_mult < 4)
        c->rack_reo_mult = (uint8_t)(c->rack_reo_mult ? c->rack_reo_mult + 1 : 2);
    if (c->tlp_on && seq_leq(dsack_r, c->tlp_high) && seq_gt(dsack_r, c->tlp_high - c->mss_snd - 1) &&
        seq_lt(dsack_l, dsack_r))
        c->tlp_dsacked = 1;   /* 7.4.1: the probe was a duplicate, so nothing was lost */
}

int tcp_tlp_ack(struct tcp_conn *c)
{
    if (!c->tlp_on || seq_lt(c->snd_una, c->tlp_high))
        return 0;
    c->tlp_on = 0;
    if (c->tlp_dsacked)
        return 0;
    stack_count(c->st, SYNACK_C_TcpLossProbeRecovery);
    return 1;
}
