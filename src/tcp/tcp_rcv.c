/* Receiving data and FIN: RFC 9293 3.10.7.4 steps six to eight (URG, text, FIN), the out-of-order
 * queue, and the ACK policy (RFC 1122 4.2.3.2 delayed ACKs, RFC 5681 4.2 immediate ACKs for
 * out-of-order data and for data that fills a gap, quick-ack mode as Linux does it).
 *
 * The ACK policy, for in-order data:
 * - Quick-ack mode (Linux, net/ipv4/tcp_input.c tcp_event_data_recv and tcp_incr_quickack): when
 *   the first data arrives, and when data arrives after more than an RTO without any, the receiver
 *   grants itself quick ACKs: window / (2 * rcv_mss), at least 2, at most TCP_MAX_QUICKACKS (16),
 *   never fewer than it still has. While it has some, every data segment is ACKed at once, and each
 *   ACK of new data (bare or carried by our data) uses one (tcp_dec_quickack_mode). A sender in slow
 *   start gets its ACK clock at once instead of waiting out delayed ACKs.
 * - Interactive ("ping-pong", Linux tcp_event_data_sent): when we send data within the delayed-ACK
 *   time of receiving some, the ACK rides on our answers; quick ACKs pause until a delayed ACK has to
 *   go out on its own (the timer leaves the mode), or TCP_QUICKACK = 1. TCP_QUICKACK = 0 enters it.
 * - Otherwise delayed ACKs (RFC 1122 4.2.3.2, RFC 5681 4.2): at once when more than one full
 *   segment is un-ACKed (Linux's "more than one rcv_mss", __tcp_ack_snd_check; rcv_mss is the largest
 *   segment seen, tcp_measure_rcv_mss), else after tcp_delack (40 ms).
 * - SACK (RFC 2018 4, when agreed): every ACK sent while out-of-order data is held carries up to
 *   four blocks (three beside the timestamp), the run holding the segment that arrived last first,
 *   then the others most recently changed first; a duplicate segment is reported once as a D-SACK
 *   block in front of them (RFC 2883 4), and its ACK goes at once.
 * - Batches: an ACK due at once may wait for the batch's end (tcp_ack_owed: one ACK, or our data,
 *   then answers for the last of a batch), but never past the next in-order segment: it goes out
 *   before that segment moves RCV.NXT, so no ACK covers more than two full segments (RFC 5681 4.2). */
#include "base/errno.h"
#include "core/alloc.h"
#include "base/mem.h"

#include "core/ctx.h"
#include "tcp/tcp_int.h"
#include "tcp/tcp_state.h"
#include "tcp/tcp_rcv.h"

/* The FIN is in sequence: RFC 9293 3.10.7.4 "eighth, check the FIN bit": advance RCV.NXT over it,
 * acknowledge it, and move on in the state diagram (the new state is entered before the ACK goes
 * out, so the ACK's trace shows it). Returns 1 if c is gone. */
static int fin_in_order(struct tcp_conn *c, synack_time_t now)
{
    c->rcv_nxt++;
    c->fin_rcvd = 1;
    switch (c->state) {
    case SYNACK_TCP_SYN_RECEIVED:
    case SYNACK_TCP_ESTABLISHED:
        tcp_set_state(c, SYNACK_TCP_CLOSE_WAIT, "rcv FIN");
        break;
    case SYNACK_TCP_FIN_WAIT_1:
        /* If our FIN has been ACKed (step five ran first), TIME-WAIT; else CLOSING. */
        if (c->fin_sent && seq_gt(c->snd_una, c->fin_seq)) {
            int orphan = !c->owner;
            tcp_enter_time_wait(c, "rcv FIN", 1, now);
            return orphan;
        }
        tcp_set_state(c, SYNACK_TCP_CLOSING, "rcv FIN (simultaneous close)");
        break;
    case SYNACK_TCP_FIN_WAIT_2: {
        int orphan = !c->owner;
        tcp_enter_time_wait(c, "rcv FIN", 1, now);
        return orphan;
    }
    default:
        break;
    }
    tcp_send_ack(c, now);
    tcp_notify(c);
    return 0;
}

/* ---------- SACK blocks we report ---------- */

static void dsack_set(struct tcp_conn *c, uint32_t left, uint32_t right, enum synack_counter why)
{
    if (!c->sack_ok || !seq_lt(left, right) || c->x->dsack_on)
        return;   /* one D-SACK per ACK: the first duplicate of the ones it answers */
    c->x->dsack_on = 1;
    c->x->dsack[0] = left;
    c->x->dsack[1] = right;
    stack_count(c->st, why);
}

void tcp_dsack_dup(struct tcp_conn *c, const struct tcp_seg *s)
{
    if (!s->dlen || !seq_lt(s->seq, c->rcv_nxt))
        return;
    uint32_t end = s->seq + s->dlen;
    dsack_set(c, s->seq, seq_gt(end, c->rcv_nxt) ? c->rcv_nxt : end, SYNACK_C_TcpDSackOldSent);
}

/* The out-of-order run (adjacent entries joined) that holds seq: 1 and its edges, or 0. */
static int ofo_run(const struct tcp_conn *c, uint32_t seq, uint32_t *left, uint32_t *right)
{
    const struct tcp_ofo *o = c->x->ofo;
    while (o) {
        uint32_t l = o->seq, r = o->seq + o->len;
        while (o->next && o->next->seq == r) {
            o = o->next;
            r += o->len;
        }
        if (seq_leq(l, seq) && seq_lt(seq, r)) {
            *left = l;
            *right = r;
            return 1;
        }
        o = o->next;
    }
    return 0;
}

/* Data at seq went into the out-of-order list: its run becomes the first block, and blocks it
 * now covers go (RFC 2018 4: "the first SACK block MUST specify the contiguous block of data
 * containing the segment which triggered this ACK"; the rest are the most recent ones). */
static void sack_note(struct tcp_conn *c, uint32_t seq)
{
    uint32_t l, r;
    if (!c->sack_ok || !ofo_run(c, seq, &l, &r))
        return;
    uint32_t keep[TCP_MAX_SACK_BLOCKS][2];
    unsigned n = 0;
    keep[n][0] = l;
    keep[n][1] = r;
    n++;
    for (unsigned i = 0; i < c->x->sack_rcv_n && n < TCP_MAX_SACK_BLOCKS; i++) {
        if (seq_leq(l, c->x->sack_rcv[i][0]) && seq_leq(c->x->sack_rcv[i][1], r))
            continue;   /* inside the new run */
        keep[n][0] = c->x->sack_rcv[i][0];
        keep[n][1] = c->x->sack_rcv[i][1];
        n++;
    }
    memcpy(c->x->sack_rcv, keep, sizeof(keep[0]) * n);
    c->x->sack_rcv_n = (uint8_t)n;
}

/* RCV.NXT moved: blocks now below it are acknowledged and no longer reported. */
static void sack_trim(struct tcp_conn *c)
{
    unsigned n = 0;
    for (unsigned i = 0; i < c->x->sack_rcv_n; i++) {
        if (!c->x->ofo || seq_leq(c->x->sack_rcv[i][1], c->rcv_nxt))
            continue;
        c->x->sack_rcv[n][0] = seq_lt(c->x->sack_rcv[i][0], c->rcv_nxt) ? c->rcv_nxt : c->x->sack_rcv[i][0];
        c->x->sack_rcv[n][1] = c->x->sack_rcv[i][1];
        n++;
    }
    c->x->sack_rcv_n = (uint8_t)n;
}

/* Inserts [seq, seq+len) into the out-of-order list, storing only the parts not already held. */
static void ofo_insert(struct tcp_conn *c, uint32_t seq, const uint8_t *data, uint32_t len, int fin)
{
    struct tcp_table *t = c->st->tcp;
    uint32_t end = seq + len;
    struct tcp_ofo **pp = &c->x->ofo, **prev_link = NULL;   /* prev_link: the link to the entry before *pp */
    while (seq_lt(seq, end) || (fin && len == 0)) {
        /* Skip entries that end at or before seq. */
        while (*pp && seq_leq((*pp)->seq + (*pp)->len, seq) && !(len == 0 && (*pp)->seq + (*pp)->len == seq)) {
            prev_link = pp;
            pp = &(*pp)->next;
        }
        if (len == 0 && *pp && (*pp)->seq + (*pp)->len == seq) {
            (*pp)->fin = 1;   /* a FIN alone, right after data held: it follows that entry */
            return;
        }
        if (*pp && seq_leq((*pp)->seq, seq) && seq_lt(seq, (*pp)->seq + (*pp)->len)) {
            /* seq lies inside an existing entry: skip what it already holds (a duplicate, reported
             * as a D-SACK block: RFC 2883 4). */
            uint32_t skip = (*pp)->seq + (*pp)->len - seq;
            dsack_set(c, seq, skip >= end - seq ? end : seq + skip, SYNACK_C_TcpDSackOfoSent);
            if (skip >= end - seq) {
                if (fin && end == (*pp)->seq + (*pp)->len)
                    (*pp)->fin = 1;
                return;
            }
            data += skip;
            seq += skip;
            continue;
        }
        /* A gap from seq up to the next entry (or to end). */
        uint32_t gap_end = end;
        if (*pp && seq_lt((*pp)->seq, end))
            gap_end = (*pp)->seq;
        uint32_t n = gap_end - seq;
        /* Data that continues the entry before the gap is appended to it (its storage grows by
         * doubling, up to TCP_OFO_CHUNK), so a long run after one loss is a few entries, not one
         * per segment: the entry bound (tcp_ofo_max) then limits only what a peer scatters. */
        struct tcp_ofo *prev = prev_link ? *prev_link : NULL;
        if (n && prev && prev->seq + prev->len == seq && !prev->fin && prev->len + n <= TCP_OFO_CHUNK) {
            if (prev->len + n > prev->cap) {
                uint32_t cap = 2 * prev->cap;
                if (cap < prev->len + n)
                    cap = prev->len + n;
                if (cap > TCP_OFO_CHUNK)
                    cap = TCP_OFO_CHUNK;
                if (!tcp_mem_room(t, cap - prev->cap)) {
                    stack_count(c->st, SYNACK_C_TcpMemoryDrops);
                    return;
                }
                struct tcp_ofo *g = mem_realloc(&c->st->cfg.alloc, prev, sizeof(*g) + cap);
                if (!g) {
                    stack_count(c->st, SYNACK_C_BufAllocFails);
                    return;
                }
                t->mem_used += cap - g->cap;
                g->cap = cap;
                *prev_link = g;
                prev = g;
                pp = &g->next;
            }
            memcpy(prev->data + prev->len, data, n);
            prev->len += n;
            prev->fin = fin && gap_end == end;
            c->x->ofo_bytes += n;
            stack_count(c->st, SYNACK_C_TcpOfoQueued);
            data += n;
            seq += n;
            continue;
        }
        if (c->x->ofo_count >= t->ofo_max) {
            stack_count(c->st, SYNACK_C_TcpOfoDrops);
            return;
        }
        if (!tcp_mem_room(t, sizeof(struct tcp_ofo) + n)) {
            stack_count(c->st, SYNACK_C_TcpMemoryDrops);
            return;
        }
        struct tcp_ofo *o = mem_alloc(&c->st->cfg.alloc, sizeof(*o) + n);
        if (!o) {
            stack_count(c->st, SYNACK_C_BufAllocFails);
            return;
        }
        t->mem_used += sizeof(*o) + n;
        o->seq = seq;
        o->len = n;
        o->cap = n;
        o->fin = fin && gap_end == end;
        memcpy(o->data, data, n);
        o->next = *pp;
        *pp = o;
        c->x->ofo_count++;
        c->x->ofo_bytes += n;
        stack_count(c->st, SYNACK_C_TcpOfoQueued);
        prev_link = pp;
        pp = &o->next;
        data += n;
        seq += n;
        if (len == 0)
            return;
    }
}

/* Moves now-contiguous out-of-order data into the receive ring. Returns 1 if a FIN became in
 * order. */
static int ofo_pull(struct tcp_conn *c)
{
    while (c->x->ofo && seq_leq(c->x->ofo->seq, c->rcv_nxt)) {
        struct tcp_ofo *o = c->x->ofo;
        uint32_t end = o->seq + o->len;
        if (seq_gt(end, c->rcv_nxt)) {
            uint32_t skip = c->rcv_nxt - o->seq;
            struct tcp_ring_mem m = tcp_ring_mem(c->st);
            size_t n = ring_write(&c->x->rcvq, &m, c->rcvq_limit, o->data + skip, o->len - skip);
            c->rcv_nxt += (uint32_t)n;
            c->bytes_received += n;
            if (n < o->len - skip)
                return 0;   /* no room (cannot happen within the window); keep the rest */
        }
        int fin = o->fin && end == c->rcv_nxt;
        c->x->ofo = o->next;
        c->x->ofo_count--;
        c->x->ofo_bytes -= o->len;
        c->st->tcp->mem_used -= sizeof(*o) + o->cap;
        mem_free(&c->st->cfg.alloc, o);
        if (fin)
            return 1;
    }
    return 0;
}

/* Quick-ack mode's grant (Linux tcp_incr_quickack): a window's worth of ACK-every-segment, counted
 * in pairs of segments of the size the peer sends. */
static void quickack_grant(struct tcp_conn *c)
{
    uint32_t wnd = seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
    uint32_t q = wnd / (2u * c->rcv_mss);
    if (q == 0)
        q = 2;
    if (q > TCP_MAX_QUICKACKS)
        q = TCP_MAX_QUICKACKS;
    if (q > c->quick)
        c->quick = (uint8_t)q;
}

/* In-order data of dlen bytes is about to be taken: first, an ACK a batch still owes goes out (it
 * must not stretch over this segment, RFC 5681 4.2); then the peer's segment size is measured and
 * quick ACKs granted as the policy above says. */
static void data_arrives(struct tcp_conn *c, uint32_t dlen, synack_time_t now)
{
    if (c->ack_owed)
        tcp_send_ack(c, now);
    int first = c->rcv_mss == 0;
    if (first) {
        /* Linux tcp_initialize_rcv_mss: the smaller of our MSS, the peer's and the default 536. */
        uint16_t m = c->mss_adv < c->mss_snd ? c->mss_adv : c->mss_snd;
        c->rcv_mss = m < TCP_DEFAULT_MSS ? m : TCP_DEFAULT_MSS;
        if (c->rcv_mss < TCP_MIN_MSS)
            c->rcv_mss = TCP_MIN_MSS;
    }
    if (dlen >= c->rcv_mss)
        c->rcv_mss = (uint16_t)(dlen < c->mss_adv ? dlen : c->mss_adv);
    if (first || now - c->last_data > c->rto)
        quickack_grant(c);
    c->last_data = now;
}

/* RFC 9293 3.10.7.4 sixth step, "RCV.UP <- max(RCV.UP, SEG.UP)", and 3.8.5: the pointer names the
 * octet after the urgent data (MUST-62; RFC 6093 3, where Linux by default reads one octet less);
 * the data itself stays inline, as RFC 6093 5 recommends. The application is told (tcp_notify: the
 * socket's SYNACK_EV_PRI, tcp_user_events) when a pointer arrives with no urgent data pending, or
 * moves beyond the one it had (MUST-32); a pointer not beyond the octets already read (an old
 * retransmission) or not beyond the current one changes nothing, so it is not signalled twice. */
static void urg_note(struct tcp_conn *c, uint32_t up)
{
    if (!seq_gt(up, tcp_read_seq(c)))
        return;   /* every urgent octet it names has been read */
    if (c->urg_valid && !seq_gt(up, c->rcv_up))
        return;   /* RFC 9293 3.8.5: the pointer never recedes; the same one is no news */
    c->rcv_up = up;
    c->urg_valid = 1;
    tcp_notify(c);
}

/* Step seven's copy of in-order text [seq, seq + dlen) into the receive ring: when tcp_input.c
 * staged exactly this text after the ring's last byte as its checksum was checked, and the ring
 * is as it was then, the bytes are there: they are committed, not copied again. Returns the
 * bytes taken. */
static size_t rcv_take(struct tcp_conn *c, const struct tcp_seg *s, uint32_t seq, const uint8_t *data, uint32_t dlen)
{
    struct tcp_ring *r = &c->x->rcvq;
    const struct tcp_ring *was = &s->staged;
    if (was->data && was->data == r->data && was->cap == r->cap && was->head == r->head && was->len == r->len &&
        s->staged_seq == seq && s->staged_len == dlen && data == s->h.data &&
        ring_space(r->len, c->rcvq_limit) >= dlen) {
        ring_commit(r, dlen);
        c->st->tcp->rcv_folded++;
        return dlen;
    }
    struct tcp_ring_mem m = tcp_ring_mem(c->st);
    return ring_write(r, &m, c->rcvq_limit, data, dlen);
}

int tcp_rcv_data(struct tcp_conn *c, struct tcp_seg *s, synack_time_t now)
{
    uint32_t seq = s->seq;
    const uint8_t *data = s->data;
    uint32_t dlen = s->dlen;
    int fin = (s->flags & TCP_FIN) != 0;
    /* SYN-RECEIVED too, as the eighth step lists it (step five has normally moved it on first). */
    int text_ok = tcp_state_rcv_text(c->state) || c->state == SYNACK_TCP_SYN_RECEIVED;

    /* Sixth, the URG bit (only in ESTABLISHED, FIN-WAIT-1 and FIN-WAIT-2; ignored from CLOSE-WAIT
     * on, where a FIN has come). */
    if ((s->flags & TCP_URG) && tcp_state_rcv_text(c->state))
        urg_note(c, seq + s->h.urg);
    if (!text_ok) {
        /* CLOSE-WAIT, CLOSING, LAST-ACK: a FIN has been received; ignore the text. (TIME-WAIT's
         * segments never come here: tcp_timewait.c takes them.) */
        return 0;
    }
    /* Trim what we already have (the acceptability test let it in because part is new). */
    if (seq_lt(seq, c->rcv_nxt)) {
        uint32_t skip = c->rcv_nxt - seq;
        if (skip > dlen) {
            skip = dlen;
        }
        dsack_set(c, seq, seq + skip, SYNACK_C_TcpDSackOldSent);   /* RFC 2883 4 */
        data += skip;
        dlen -= skip;
        seq += skip;
    }
    /* Trim what lies beyond the window we offered; a FIN beyond it is not accepted either. */
    uint32_t right = c->rcv_adv;
    if (seq_gt(seq + dlen, right)) {
        dlen = seq_gt(right, seq) ? right - seq : 0;
        fin = 0;
    }
    if (dlen && c->orphan) {
        /* RFC 1122 4.2.2.13: data arriving after the application closed: reset. (A child still in
         * the accept queue has no socket yet either, but it is not closed: its data is kept.) */
        tcp_send_rst(c, now);
        tcp_conn_fail(c, -ECONNRESET, "data after close");
        return 1;
    }
    if (seq != c->rcv_nxt) {
        if (dlen || fin)
            ofo_insert(c, seq, data, dlen, fin);
        if (dlen)
            sack_note(c, seq);
        /* RFC 5681 4.2: an out-of-order segment is ACKed at once (the duplicate ACK). */
        tcp_send_ack(c, now);
        return 0;
    }
    int had_ofo = c->x->ofo != NULL;
    if (dlen) {
        data_arrives(c, s->dlen, now);
        size_t n = rcv_take(c, s, seq, data, dlen);
        c->rcv_nxt += (uint32_t)n;
        c->bytes_received += n;
        if (n < dlen)
            fin = 0;   /* could not take it all: the FIN waits for a retransmission */
        c->x->rcv_unacked += (uint32_t)n;
        c->ack_due = 1;
        tcp_notify(c);
    }
    int ofo_fin = had_ofo ? ofo_pull(c) : 0;
    if (had_ofo)
        sack_trim(c);
    if (fin || ofo_fin)
        return fin_in_order(c, now);
    if (!dlen)
        return 0;
    /* RFC 5681 4.2: at once when the segment fills a gap. Then quick-ack mode; then RFC 1122
     * 4.2.3.2: at least every second full-sized segment, and within 500 ms (we use tcp_delack). */
    if (had_ofo || c->x->dsack_on)
        tcp_send_ack(c, now);
    else if (!c->delack_on || (c->quick && !c->pingpong) || c->x->rcv_unacked > c->rcv_mss)
        tcp_ack_owed(c, now);   /* at once, or at the batch's end (see above) */
    else
        tcp_dack_schedule(c, now);
    return 0;
}
