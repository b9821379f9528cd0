/* Receiving data and FIN: RFC 9293 3.10.7.4 steps six to eight (URG, text, FIN), the out-of-order
 * queue, and the ACK policy (RFC 1122 4.2.3.2 delayed ACKs, RFC 5681 4.2 immediate ACKs for
 * out-of-order data and for data that fills a gap). */
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

/* Inserts [seq, seq+len) into the out-of-order list, storing only the parts not already held. */
static void ofo_insert(struct tcp_conn *c, uint32_t seq, const uint8_t *data, uint32_t len, int fin)
{
    struct tcp_table *t = c->st->tcp;
    uint32_t end = seq + len;
    struct tcp_ofo **pp = &c->ofo;
    while (seq_lt(seq, end) || (fin && len == 0)) {
        /* Skip entries that end at or before seq. */
        while (*pp && seq_leq((*pp)->seq + (*pp)->len, seq) && !(len == 0 && (*pp)->seq + (*pp)->len == seq))
            pp = &(*pp)->next;
        if (*pp && seq_leq((*pp)->seq, seq) && seq_lt(seq, (*pp)->seq + (*pp)->len)) {
            /* seq lies inside an existing entry: skip what it already holds. */
            uint32_t skip = (*pp)->seq + (*pp)->len - seq;
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
        if (c->ofo_count >= t->ofo_max) {
            stack_count(c->st, SYNACK_C_TcpOfoDrops);
            return;
        }
        struct tcp_ofo *o = mem_alloc(&c->st->cfg.alloc, sizeof(*o) + n);
        if (!o) {
            stack_count(c->st, SYNACK_C_BufAllocFails);
            return;
        }
        o->seq = seq;
        o->len = n;
        o->fin = fin && gap_end == end;
        memcpy(o->data, data, n);
        o->next = *pp;
        *pp = o;
        c->ofo_count++;
        c->ofo_bytes += n;
        stack_count(c->st, SYNACK_C_TcpOfoQueued);
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
    while (c->ofo && seq_leq(c->ofo->seq, c->rcv_nxt)) {
        struct tcp_ofo *o = c->ofo;
        uint32_t end = o->seq + o->len;
        if (seq_gt(end, c->rcv_nxt)) {
            uint32_t skip = c->rcv_nxt - o->seq;
            size_t n = ring_write(&c->rcvq, o->data + skip, o->len - skip);
            c->rcv_nxt += (uint32_t)n;
            c->bytes_received += n;
            if (n < o->len - skip)
                return 0;   /* no room (cannot happen within the window); keep the rest */
        }
        int fin = o->fin && end == c->rcv_nxt;
        c->ofo = o->next;
        c->ofo_count--;
        c->ofo_bytes -= o->len;
        mem_free(&c->st->cfg.alloc, o);
        if (fin)
            return 1;
    }
    return 0;
}

int tcp_rcv_data(struct tcp_conn *c, struct tcp_seg *s, synack_time_t now)
{
    uint32_t seq = s->seq;
    const uint8_t *data = s->data;
    uint32_t dlen = s->dlen;
    int fin = (s->flags & TCP_FIN) != 0;
    /* SYN-RECEIVED too, as the eighth step lists it (step five has normally moved it on first). */
    int text_ok = tcp_state_rcv_text(c->state) || c->state == SYNACK_TCP_SYN_RECEIVED;

    /* Sixth, the URG bit: remember the pointer; the data itself stays inline (RFC 9293 3.8.5). */
    if ((s->flags & TCP_URG) && text_ok) {
        uint32_t up = seq + s->h.urg;
        if (!c->urg_valid || seq_gt(up, c->rcv_up))
            c->rcv_up = up;
        c->urg_valid = 1;
    }
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
        /* RFC 5681 4.2: an out-of-order segment is ACKed at once (the duplicate ACK). */
        tcp_send_ack(c, now);
        return 0;
    }
    int had_ofo = c->ofo != NULL;
    if (dlen) {
        size_t n = ring_write(&c->rcvq, data, dlen);
        c->rcv_nxt += (uint32_t)n;
        c->bytes_received += n;
        if (n < dlen)
            fin = 0;   /* could not take it all: the FIN waits for a retransmission */
        if (s->dlen >= c->mss_adv || n >= c->mss_adv)
            c->ack_pending++;
        c->ack_due = 1;
        tcp_notify(c);
    }
    int ofo_fin = had_ofo ? ofo_pull(c) : 0;
    if (fin || ofo_fin)
        return fin_in_order(c, now);
    if (!dlen)
        return 0;
    /* RFC 1122 4.2.3.2: ACK at least every second full-sized segment, and within 500 ms (we use
     * tcp_delack). RFC 5681 4.2: at once when the segment fills a gap. */
    if (had_ofo)
        tcp_send_ack(c, now);
    else if (!c->delack_on || c->ack_pending >= 2)
        tcp_ack_owed(c, now);   /* at once, or once for a whole batch of frames */
    else
        tcp_dack_schedule(c, now);
    return 0;
}
