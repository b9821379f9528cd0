/* TCP output: building segments from the send buffer and deciding when to send them.
 *
 * What may go out is bounded by the peer's window and cwnd (RFC 5681 3.1, RFC 9293 3.8.6); small
 * segments are held back by Nagle (RFC 896, RFC 1122 4.2.3.4) and sender-side silly window
 * avoidance (RFC 9293 3.8.6.2.1), and by TCP_CORK. Every segment but the first SYN carries an ACK
 * and the current window (RFC 9293 3.8.6.2.2 receiver SWS avoidance decides how far the right edge
 * moves). */
#include "base/mem.h"

#include "net/net.h"
#include "wire/bytes.h"
#include "wire/csum.h"
#include "core/ctx.h"
#include "tcp/tcp.h"
#include "tcp/tcp_int.h"
#include "tcp/tcp_sack.h"
#include "tcp/tcp_state.h"

uint16_t tcp_mss_for(synack_stack_t *st, const struct synack_ip *raddr, uint16_t user)
{
    const struct net_family *nf = net_family_for(raddr);
    unsigned hdrs = nf->hdr_len + TCP_HDR_MIN;   /* network and TCP headers without options */
    unsigned mtu = nf->mtu_for(st, raddr);
    unsigned mss = mtu > hdrs ? mtu - hdrs : TCP_DEFAULT_MSS;
    if (user && user < mss)
        mss = user;
    if (mss < TCP_MIN_MSS)
        mss = TCP_MIN_MSS;
    return (uint16_t)(mss > UINT16_MAX ? UINT16_MAX : mss);   /* the MSS option is 16 bits */
}

static void trace_seg(synack_stack_t *st, struct tcp_conn *c, const struct tcp_end *l, const struct tcp_end *r,
                      const uint8_t *seg, size_t len)
{
    if (!st->trace_fn)
        return;
    struct synack_trace_event ev = { .kind = SYNACK_TR_TCP_SEG_OUT, .ifindex = -1, .data = seg, .len = len };
    ev.local = tcp_end_sockaddr(l);
    ev.remote = tcp_end_sockaddr(r);
    if (c) {
        ev.conn_id = c->id;
        ev.from_state = ev.to_state = c->state;
    }
    stack_trace(st, &ev);
}

/* RFC 9293 3.8.5: in urgent mode (SND.UP ahead of SND.UNA) every segment of the connection that
 * starts before SND.UP carries URG and the pointer as an offset from its own sequence number: data,
 * retransmissions, probes and bare ACKs alike (a window too small for the urgent data still lets
 * the pointer through). SND.UP is the octet following the urgent data (MUST-62, RFC 6093 3), so
 * the pointer may lie beyond the segment's end. The field has 16 bits: a pointer 64 KB or more
 * ahead is sent as 0xFFFF, which still points beyond the segment, and only while that capped point
 * is beyond everything sent so far (a far-behind retransmission would name a point the peer
 * already has a later pointer for; it goes without URG): Linux's tcp_transmit_skb, so a Linux peer
 * sees the same pointers. SND.MAX stands for Linux's SND.NXT, which does not move back. */
static void urg_field(const struct tcp_conn *c, uint32_t seq, struct tcp_hdr *h)
{
    if (!c->snd_urg || !seq_lt(seq, c->snd_up) || (h->flags & TCP_SYN))
        return;
    if (c->snd_up - seq <= 0xFFFFu) {
        h->urg = (uint16_t)(c->snd_up - seq);
        h->flags |= TCP_URG;
    } else if (seq_gt(seq + 0xFFFFu, c->snd_max)) {
        h->urg = 0xFFFF;
        h->flags |= TCP_URG;
    }
}

/* Builds and sends one segment. Data, if any, is copied from c's send buffer at offset `off`
 * (c may be NULL for raw segments, then `raw` supplies the bytes). `tos` is the IPv4 TOS byte. */
static void xmit_tos(synack_stack_t *st, struct tcp_conn *c, const struct tcp_end *l, const struct tcp_end *r,
                     uint32_t seq, uint32_t ack, uint8_t flags, uint16_t win, const struct tcp_opts *opts,
                     size_t off, size_t dlen, const uint8_t *raw, uint8_t tos, synack_time_t now)
{
    struct tcp_hdr h;
    memset(&h, 0, sizeof(h));
    h.sport = l->port;
    h.dport = r->port;
    h.seq = seq;
    h.ack = ack;
    h.flags = flags;
    h.win = win;
    if (c)
        urg_field(c, seq, &h);
    if (opts)
        h.opts = *opts;
    else if (c)
        tcp_conn_opts(c, &h.opts, (flags & TCP_ACK) != 0, now);
    size_t hlen = tcp_hdr_len(&h.opts);
    struct buf *b = buf_alloc(&st->cfg.alloc, BUF_HEADROOM, hlen + dlen);
    if (!b) {
        stack_count(st, SYNACK_C_BufAllocFails);
        return;
    }
    /* A segment larger than the MSS goes to a link that cuts it (TSO): the checksum field then
     * holds only the pseudo-header sum, for the link to complete per segment (as virtio-net and
     * Linux's CHECKSUM_PARTIAL expect), so its payload is copied without being summed. Any other
     * payload is summed as it is copied in (issue 10: touched once), and the header alone after. */
    uint32_t seg = c ? c->mss_snd - (uint32_t)(hlen - TCP_HDR_MIN - (c->ts_ok ? TCP_TS_OPT_LEN : 0)) : 0;
    uint16_t gso = c && dlen > seg ? (uint16_t)seg : 0;
    uint64_t dsum = 0;
    if (gso)
        ring_peek(&c->x->sndq, off, b->data + hlen, dlen);
    else if (dlen)
        dsum = c ? ring_peek_csum(&c->x->sndq, off, b->data + hlen, dlen) : wire_csum_copy(b->data + hlen, raw, dlen, 0);
    const struct net_family *nf = net_family_for(&r->ip);
    uint64_t pseudo = nf->pseudo_sum(&l->ip, &r->ip, TCP_IPPROTO);
    b->len = tcp_build_ph_sum(b->data, &h, dlen, pseudo, dsum);
    b->len += dlen;
    struct net_tx tx = { .src = l->ip, .dst = r->ip, .proto = TCP_IPPROTO, .tos = tos, .df = 1, .gso_size = gso };
    if (gso)
        wire_put16(b->data + 16, (uint16_t)~wire_csum_finish(pseudo + b->len));
    stack_count(st, SYNACK_C_TcpOutSegs);
    if (flags & TCP_RST)
        stack_count(st, SYNACK_C_TcpOutRsts);
    trace_seg(st, c, l, r, b->data, b->len);
    nf->output(st, &tx, b, now);
}

/* A segment of a connection carries its IP_TOS; one with no connection (a reset) carries 0. */
static void xmit(synack_stack_t *st, struct tcp_conn *c, const struct tcp_end *l, const struct tcp_end *r,
                 uint32_t seq, uint32_t ack, uint8_t flags, uint16_t win, const struct tcp_opts *opts,
                 size_t off, size_t dlen, const uint8_t *raw, synack_time_t now)
{
    xmit_tos(st, c, l, r, seq, ack, flags, win, opts, off, dlen, raw, c ? c->tos : 0, now);
}

void tcp_send_raw(synack_stack_t *st, const struct tcp_end *l, const struct tcp_end *r, uint32_t seq,
                  uint32_t ack, uint8_t flags, uint16_t win, const struct tcp_opts *opts, const uint8_t *data,
                  size_t dlen, uint8_t tos, synack_time_t now)
{
    xmit_tos(st, NULL, l, r, seq, ack, flags, win, opts, 0, dlen, data, tos, now);
}

/* ---------- options of an established connection ---------- */

/* SACK blocks an ACK would carry now: a pending D-SACK, then the reported runs (RFC 2018 4, RFC
 * 2883 4), as many as fit beside the timestamp (three with it, four without). */
static unsigned sack_blocks_now(const struct tcp_conn *c)
{
    if (!c->sack_ok || !c->x)
        return 0;   /* an idle connection reports no blocks */
    unsigned n = c->x->sack_rcv_n + (c->x->dsack_on ? 1u : 0u);
    unsigned max = c->ts_ok ? 3u : 4u;
    return n > max ? max : n;
}

uint32_t tcp_cur_mss(const struct tcp_conn *c)
{
    unsigned n = sack_blocks_now(c);
    uint32_t opt = n ? 4u + 8u * n : 0u;   /* NOP NOP SACK length, and the blocks */
    return c->mss_snd > opt + TCP_MIN_MSS ? c->mss_snd - opt : TCP_MIN_MSS;
}

size_t tcp_conn_opts(struct tcp_conn *c, struct tcp_opts *o, int ack, synack_time_t now)
{
    memset(o, 0, sizeof(*o));
    /* RFC 7323 3.2: once agreed, TSopt on every segment; TSecr is TS.Recent (4.3). */
    if (c->ts_ok) {
        o->has_ts = 1;
        o->ts_val = tcp_tsval(c, now);
        o->ts_ecr = c->ts_recent;
    }
    if (ack) {
        c->last_ack_sent = c->rcv_nxt;   /* RFC 7323 4.3 Last.ACK.sent */
        unsigned n = sack_blocks_now(c), k = 0;
        if (n && c->x->dsack_on) {
            /* RFC 2883 4: the duplicate range first, on this ACK only. */
            o->sack[k][0] = c->x->dsack[0];
            o->sack[k][1] = c->x->dsack[1];
            k++;
            c->x->dsack_on = 0;
        }
        for (unsigned i = 0; k < n && i < c->x->sack_rcv_n; i++, k++) {
            o->sack[k][0] = c->x->sack_rcv[i][0];
            o->sack[k][1] = c->x->sack_rcv[i][1];
        }
        o->sack_count = (uint8_t)k;
    }
    return tcp_hdr_len(o) - TCP_HDR_MIN;
}

uint32_t tcp_rcv_window(struct tcp_conn *c)
{
    size_t used = tcp_rcvq_len(c) + (c->x ? c->x->ofo_bytes : 0);
    uint32_t space = c->rcvq_limit > used ? (uint32_t)(c->rcvq_limit - used) : 0;
    uint32_t maxw = (uint32_t)TCP_WIN_MAX << c->rcv_wscale;
    if (space > maxw)
        space = maxw;
    space = (space >> c->rcv_wscale) << c->rcv_wscale;   /* what the scaled field can say */
    uint32_t cur = seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
    /* RFC 9293 3.8.6.2.2: move the right edge only by at least min(RCV.BUFF/2, Eff.snd.MSS). */
    uint32_t step = (uint32_t)(c->rcvq_limit / 2);
    if (step > c->mss_adv)
        step = c->mss_adv;
    if (space >= cur + step || (space > cur && space == c->rcvq_limit))
        c->rcv_adv = c->rcv_nxt + space;
    else if (seq_lt(c->rcv_adv, c->rcv_nxt))
        c->rcv_adv = c->rcv_nxt;
    return c->rcv_adv - c->rcv_nxt;
}

static uint16_t wnd_field(struct tcp_conn *c)
{
    uint32_t w = tcp_rcv_window(c) >> c->rcv_wscale;
    return tcp_win16(w);
}

static void acked_now(struct tcp_conn *c)
{
    if (c->ack_due && c->quick)
        c->quick--;   /* an ACK of new data uses a quick ACK (tcp_rcv.c) */
    if (c->x)
        c->x->rcv_unacked = 0;   /* else it is 0: the block goes only then */
    c->ack_due = 0;
    c->ack_owed = 0;
    tcp_tmr_cancel(c, TCP_T_DACK);
}

/* Sends a data and/or FIN segment from sequence `seq` (offset into sndq = seq - snd_una). */
/* probe: a zero-window probe, which the persist timer (not the retransmission timer) covers.
 * last: the last segment of a burst of tcp_output. */
static void send_data(struct tcp_conn *c, uint32_t seq, uint32_t dlen, int fin, int probe, int last,
                      synack_time_t now)
{
    uint32_t off = seq - c->snd_una;
    uint8_t flags = TCP_ACK;
    if (fin)
        flags |= TCP_FIN;
    /* PSH (RFC 9293 3.9.1.2 leaves where to the sender) as Linux puts it on the wire: on the segment
     * that empties the send buffer (the last of a write), on the last segment of each burst, a write
     * larger than the window included (Linux's selftests: a 20000-byte write with cwnd 10 leaves as
     * "P. 1:10001(10000)"), and on every offload frame of several segments (each of Linux's GSO
     * frames carries it; the device puts it on the frame's last segment). */
    if (dlen && (off + dlen == tcp_sndq_len(c) || last || dlen > tcp_cur_mss(c)))
        flags |= TCP_PSH;
    int rexmit = seq_lt(seq, c->snd_max);
    if (rexmit) {
        stack_count(c->st, SYNACK_C_TcpRetransSegs);
        c->total_retrans++;
        /* Karn (RFC 6298 3): never time a retransmitted segment. */
        if (c->rtt_timing && seq_leq(seq, c->x->rtt_seq))
            c->rtt_timing = 0;
        tcp_cc_rexmit(c);
        if (c->ts_ok) {
            c->rexmit_tsval = tcp_tsval(c, now);   /* timestamps' answer to Karn (tcp_input.c) */
            c->rexmit_ts_on = 1;
        }
    } else if (!c->rtt_timing && dlen) {
        c->rtt_timing = 1;
        c->x->rtt_seq = seq;
        c->x->rtt_start = now;
    }
    /* New data soon after data arrived: an exchange, where our data carries the ACKs (tcp_rcv.c). */
    if (!rexmit && dlen && c->rcv_mss && now - c->last_data < c->st->tcp->delack)
        c->pingpong = 1;
    if (!rexmit && dlen && c->snd_una == c->snd_max)
        tcp_cc_tx_start(c, now);   /* nothing in flight: a module's clock may have stopped */
    xmit(c->st, c, &c->local, &c->remote, seq, c->rcv_nxt, flags,
         wnd_field(c), NULL, off, dlen, NULL, now);
    if (c->in_recovery && c->x->sb)
        c->x->prr_out += dlen + (fin ? 1u : 0u);   /* RFC 6937: everything sent during recovery */
    tcp_rack_sent(c, seq, seq + dlen + (fin ? 1u : 0u), rexmit, now);
    acked_now(c);
    if (!rexmit && dlen) {
        c->bytes_sent += dlen;
        tcp_cc_sent(c, seq + dlen, now);   /* send times for per-ACK RTT samples (tcp_cc.h) */
    }
    uint32_t end = seq + dlen + (fin ? 1 : 0);
    if (dlen && dlen < tcp_cur_mss(c))
        c->snd_sml = seq + dlen;   /* Nagle's mark (tcp_output) */
    if (fin) {
        c->fin_sent = 1;
        c->fin_seq = seq + dlen;
    }
    if (seq_gt(end, c->snd_nxt))
        c->snd_nxt = end;
    if (seq_gt(end, c->snd_max))
        c->snd_max = end;
    if (!probe && c->rtx_mode != RTX_RETRANSMIT)
        tcp_rto_arm(c, now);
}

static int can_send_data(const struct tcp_conn *c) { return tcp_state_may_transmit(c->state); }

void tcp_output(struct tcp_conn *c, synack_time_t now)
{
    if (!can_send_data(c) || tcp_x_ensure(c) != 0)
        return;
    /* With segmentation offload on the way out, up to tso_max bytes leave in one frame. A full
     * segment's payload is the MSS less the options it carries (TSopt is already off mss_snd; SACK
     * blocks on the ACK we would send, tcp_cur_mss). */
    uint32_t mss = tcp_cur_mss(c);
    uint32_t seg_max = mss;
    unsigned tso = net_family_for(&c->remote.ip)->tso_max_for(c->st, &c->remote.ip);
    if (tso > TCP_TSO_HDR_ROOM + mss)
        seg_max = ((tso - TCP_TSO_HDR_ROOM) / mss) * mss;
    /* TCP_CORK (and a send with MSG_MORE): only full-sized segments, until the cork is pulled (a
     * send without MSG_MORE), the FIN is queued (close and shutdown send everything) or the partial
     * segment has waited 200 ms (tcp_cork_hold). Urgent data is not held: in urgent mode neither
     * the cork nor Nagle applies (as Linux's tcp_nagle_test), so it leaves at once. */
    int corked = (c->cork || c->more) && !c->cork_expired && !c->fin_queued && !c->snd_urg;
    /* Each segment is decided with `nxt` past the one before, but sent only once the next is
     * decided, so that the last of the burst is known (it carries PSH). */
    uint32_t nxt = c->snd_nxt;
    /* What counts against cwnd: the flight, or during SACK recovery the pipe (RFC 6675 5: "the
     * sender MUST NOT send ... if pipe >= cwnd"), the retransmissions included. Limited transmit
     * (RFC 3042 2): on the first two duplicate ACKs, up to two segments beyond cwnd, new data only. */
    uint32_t cwnd = c->cwnd;
    uint32_t in_flight0 = nxt - c->snd_una;
    if (c->in_recovery && c->x->sb)
        in_flight0 = tcp_pipe(c);
    else if (!c->in_recovery && c->x->dupacks && c->x->dupacks < 3 && nxt == c->snd_max)
        cwnd += c->x->dupacks * c->mss_snd;
    if (c->tlp_probe)
        cwnd = in_flight0 + mss;   /* RFC 8985 7.3: a loss probe of new data, one segment */
    uint32_t start = nxt;
    struct { uint32_t seq, len; int fin, on; } p = { 0, 0, 0, 0 };
    for (int guard = 0; guard < 4096; guard++) {
        /* Going back over sent data (after a timeout): what the peer SACKed is not sent again
         * (RFC 6675 5.1: the scoreboard survives the timeout). */
        uint32_t sacked_end;
        if (c->x->sb && seq_lt(nxt, c->snd_max) && tcp_sack_holds(c->x->sb, nxt, &sacked_end)) {
            if (p.on) {
                send_data(c, p.seq, p.len, p.fin, 0, 0, now);
                p.on = 0;
            }
            nxt = sacked_end;
            start = nxt;
            if (!(c->in_recovery && c->x->sb))
                in_flight0 = nxt - c->snd_una;
            continue;
        }
        uint32_t off = nxt - c->snd_una;
        if (p.fin || (c->fin_sent && seq_geq(nxt, c->fin_seq + 1)))
            break;   /* everything including our FIN is out */
        uint32_t avail = tcp_sndq_len(c) > off ? tcp_sndq_len(c) - off : 0;
        uint32_t outstanding = nxt - c->snd_una;
        uint32_t in_flight = in_flight0 + (nxt - start);
        uint32_t rwnd_room = c->snd_wnd > outstanding ? c->snd_wnd - outstanding : 0;
        uint32_t cwnd_room = cwnd > in_flight ? cwnd - in_flight : 0;
        uint32_t usable = rwnd_room < cwnd_room ? rwnd_room : cwnd_room;
        uint32_t len = avail;
        /* A segment carrying the urgent pointer goes alone, never in an offload frame, whose
         * pieces would all repeat the first one's pointer (the link copies the header): each
         * segment before SND.UP gets its own exact offset, as Linux's MSG_OOB sends are cut. */
        uint32_t cap = c->snd_urg && seq_lt(nxt, c->snd_up) ? mss : seg_max;
        if (len > cap)
            len = cap;
        if (len > usable)
            len = usable;
        uint32_t hole_start, hole_len;
        if (c->x->sb && seq_lt(nxt, c->snd_max) && tcp_sack_next_hole(c->x->sb, nxt, c->snd_max, &hole_start, &hole_len) &&
            hole_start == nxt && seq_lt(nxt + hole_len, c->snd_max) && len > hole_len)
            len = hole_len;   /* stop where SACKed data begins */
        if (len > mss && (len < avail || corked))
            len -= len % mss;   /* a large segment is cut in whole MSS pieces but the last */
        int fin = c->fin_queued && len == avail;
        if (len == 0 && !fin) {
            /* Zero window with data waiting and nothing unacknowledged: probe (RFC 9293 3.8.6.1).
             * Only the peer's window calls for probes; a full cwnd waits for ACKs or the timer. */
            if (avail && rwnd_room == 0 && c->snd_max == c->snd_una && c->rtx_mode == RTX_NONE)
                tcp_persist_arm(c, now);
            break;
        }
        if (len < mss && !fin && !seq_lt(nxt, c->snd_max)) {
            /* A partial segment of new data (what is sent again goes as it was cut, SACKed data
             * bounding it): held while corked, if it is all there is to send. */
            if (corked && len == avail) {
                tcp_cork_hold(c, now);
                break;
            }
            /* Nagle (RFC 896, RFC 1122 4.2.3.4) in Minshall's refinement, as Linux and the BSDs
             * send it: a partial segment waits while an earlier partial segment is unacknowledged
             * (SND.UNA < snd_sml), so the tail of a large write leaves with it while small writes
             * still coalesce behind one small segment in flight. */
            if (outstanding && !c->nodelay && !c->snd_urg && seq_gt(c->snd_sml, c->snd_una) &&
                seq_leq(c->snd_sml, c->snd_max))
                break;
            /* Sender SWS (RFC 9293 3.8.6.2.1): window-limited small segments wait unless they are
             * at least half the largest window the peer has offered. */
            if (len < avail && len < c->max_snd_wnd / 2) {
                if (len == rwnd_room && c->snd_max == c->snd_una && c->rtx_mode == RTX_NONE)
                    tcp_persist_arm(c, now);   /* the override timeout */
                break;
            }
        }
        if (len < mss || len == avail)
            tcp_cork_release(c);   /* nothing partial is held any more */
        if (p.on)
            send_data(c, p.seq, p.len, p.fin, 0, 0, now);
        p.seq = nxt;
        p.len = len;
        p.fin = fin;
        p.on = 1;
        nxt += len + (fin ? 1u : 0u);
    }
    /* While corked (or after MSG_MORE) the application has said more follows: no push yet. */
    if (p.on)
        send_data(c, p.seq, p.len, p.fin, 0, !corked, now);
}

uint32_t tcp_retransmit_range(struct tcp_conn *c, uint32_t seq, uint32_t max_len, synack_time_t now)
{
    uint32_t off = seq - c->snd_una;
    uint32_t avail = tcp_sndq_len(c) > off ? tcp_sndq_len(c) - off : 0;
    uint32_t len = avail < max_len ? avail : max_len;
    /* One segment at most, and one that fits beside the SACK blocks this segment carries (a
     * full-MSS retransmission with them would exceed the path MTU and be refused by IP). */
    uint32_t mss = tcp_cur_mss(c);
    if (len > mss)
        len = mss;
    int fin = c->fin_sent && len == avail && seq_gt(c->snd_max, seq + len);
    if (len == 0 && !fin)
        return 0;
    send_data(c, seq, len, fin, 0, 0, now);
    return len + (fin ? 1u : 0u);
}

void tcp_retransmit_head(struct tcp_conn *c, synack_time_t now)
{
    uint32_t avail = tcp_sndq_len(c);
    uint32_t mss = tcp_cur_mss(c);
    uint32_t len = avail < mss ? avail : mss;
    int fin = c->fin_sent && len == avail && seq_gt(c->snd_max, c->snd_una + len);
    if (len == 0 && !fin)
        return;
    send_data(c, c->snd_una, len, fin, 0, 0, now);
}

void tcp_ack_owed(struct tcp_conn *c, synack_time_t now)
{
    struct tcp_table *t = c->st->tcp;
    if (!c->st->batching) {
        tcp_send_ack(c, now);
        return;
    }
    c->ack_owed = 1;
    if (!c->in_ack_list) {
        c->in_ack_list = 1;
        c->x->ack_next = t->ack_list;   /* owed on a segment received: the block is there */
        t->ack_list = c;
    }
}

void tcp_flush_acks(synack_stack_t *st, synack_time_t now)
{
    struct tcp_table *t = st->tcp;
    while (t->ack_list) {
        struct tcp_conn *c = t->ack_list;
        t->ack_list = c->x->ack_next;   /* kept while in_ack_list (x_idle_clean) */
        c->x->ack_next = NULL;
        c->in_ack_list = 0;
        if (c->ack_owed)   /* not already carried by a data segment since */
            tcp_send_ack(c, now);
    }
}

int tcp_send_probe(struct tcp_conn *c, synack_time_t now)
{
    if (!can_send_data(c))
        return 0;
    /* RFC 9293 3.8.6.1: one octet of new data, or the octet already sent if it is still
     * unacknowledged (the receiver dropped it for want of room); a FIN alone if that is all. */
    uint32_t seq = c->snd_una == c->snd_nxt ? c->snd_nxt : c->snd_una;
    uint32_t off = seq - c->snd_una;
    if (off < tcp_sndq_len(c)) {
        send_data(c, seq, 1, 0, 1, 0, now);
        return 1;
    }
    if (c->fin_queued) {
        send_data(c, seq, 0, 1, 1, 0, now);
        return 1;
    }
    return 0;
}

void tcp_send_ack(struct tcp_conn *c, synack_time_t now)
{
    /* A bare ACK carries the highest sequence number sent (as BSD does), not SND.NXT: after a
     * timeout SND.NXT is pulled back to resend, and an ACK numbered below what the peer has
     * already received would fail its acceptability test and be dropped, ACK and all. */
    xmit(c->st, c, &c->local, &c->remote, c->snd_max, c->rcv_nxt,
         TCP_ACK, wnd_field(c), NULL, 0, 0, NULL, now);
    acked_now(c);
}

void tcp_send_syn(struct tcp_conn *c, synack_time_t now)
{
    struct tcp_opts o;
    memset(&o, 0, sizeof(o));
    o.has_mss = 1;
    o.mss = c->mss_adv;
    int synack = c->state == SYNACK_TCP_SYN_RECEIVED;
    struct tcp_table *t = c->st->tcp;
    /* RFC 7323 2.2: offer scaling on a SYN; on a SYN-ACK only if the SYN offered it. The same for
     * SACK-permitted (RFC 2018 2) and timestamps (RFC 7323 3.2: a SYN-ACK carries TSopt only if
     * the SYN did, with TSecr = its TSval). Linux's layout: MSS, SACK-permitted, TS, NOP, wscale. */
    if (!synack ? c->ws_offered : c->ws_ok) {
        o.has_wscale = 1;
        o.wscale = c->rcv_wscale;
    }
    if (!synack ? t->sack : c->sack_ok)
        o.sack_perm = 1;
    if (!synack ? t->timestamps : c->ts_ok) {
        o.has_ts = 1;
        o.ts_val = tcp_tsval(c, now);
        o.ts_ecr = synack ? c->ts_recent : 0;
    }
    /* RFC 7323 2.2: the window in a SYN or SYN-ACK is never scaled. */
    size_t space = c->rcvq_limit;
    uint16_t win = tcp_win16(space);
    if (seq_lt(c->rcv_adv, c->rcv_nxt + win))
        c->rcv_adv = c->rcv_nxt + win;
    uint8_t flags = synack ? (TCP_SYN | TCP_ACK) : TCP_SYN;
    if (c->backoff == 0)
        c->x->rtt_start = now;   /* the handshake is timed unless retransmitted (Karn) */
    if (seq_lt(c->iss, c->snd_max) && c->snd_max != c->iss) {
        stack_count(c->st, SYNACK_C_TcpRetransSegs);
        c->total_retrans++;
    }
    xmit(c->st, c, &c->local, &c->remote, c->iss,
         synack ? c->rcv_nxt : 0, flags, win, &o, 0, 0, NULL, now);
    c->snd_nxt = c->iss + 1;
    c->snd_max = c->iss + 1;
    if (synack) {
        c->last_ack_sent = c->rcv_nxt;   /* RFC 7323 4.3: the SYN-ACK's ACK field */
        acked_now(c);
    }
    if (c->rtx_mode != RTX_RETRANSMIT)
        tcp_rto_arm(c, now);
}

void tcp_send_rst(struct tcp_conn *c, synack_time_t now)
{
    /* RFC 9293 3.10.5 ABORT: <SEQ=SND.NXT><CTL=RST>; we add the ACK, as Linux does. */
    xmit(c->st, c, &c->local, &c->remote, c->snd_max, c->rcv_nxt,
         TCP_RST | TCP_ACK, 0, NULL, 0, 0, NULL, now);
}

void tcp_send_rst_for(synack_stack_t *st, const struct tcp_seg *s, synack_time_t now)
{
    if (s->flags & TCP_RST)
        return;   /* RFC 9293 3.10.7.1: never answer a reset with a reset */
    if (s->flags & TCP_ACK) {
        /* <SEQ=SEG.ACK><CTL=RST> */
        xmit(st, NULL, &s->local, &s->remote, s->ack, 0, TCP_RST, 0, NULL, 0, 0, NULL, now);
    } else {
        /* <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> */
        xmit(st, NULL, &s->local, &s->remote, 0, s->seq + s->len, TCP_RST | TCP_ACK, 0, NULL,
             0, 0, NULL, now);
    }
}

void tcp_send_challenge_ack(struct tcp_conn *c, synack_time_t now)
{
    /* RFC 5961 7: limit challenge ACKs per second across the stack. */
    struct tcp_table *t = c->st->tcp;
    if (now - t->chack_window_start >= TCP_CHALLENGE_ACK_INTERVAL) {
        t->chack_window_start = now;
        t->chack_count = 0;
    }
    if (t->chack_count >= t->chack_limit) {
        stack_count(c->st, SYNACK_C_TcpChallengeAckLimit);
        return;
    }
    t->chack_count++;
    stack_count(c->st, SYNACK_C_TcpChallengeAcks);
    tcp_send_ack(c, now);
}

void tcp_window_update(struct tcp_conn *c, synack_time_t now)
{
    /* Only while the peer may still send: synchronized, and no FIN from it yet. */
    if (!tcp_state_synchronized(c->state) || tcp_state_fin_seen(c->state) || c->fin_rcvd)
        return;
    uint32_t before = seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
    uint32_t old_adv = c->rcv_adv;
    uint32_t now_w = tcp_rcv_window(c);
    /* tcp_rcv_window moved the edge only as far as SWS avoidance allows. Tell the peer when the
     * window at least doubled (as Linux does): a closed or nearly closed window must be reopened
     * explicitly, while a small growth of an open one can wait for the next ACK. */
    if (c->rcv_adv != old_adv && now_w >= 2 * before && !c->ack_owed)
        tcp_send_ack(c, now);
    /* With an ACK owed (a batch's end is delivering its events), that ACK, or the answer the
     * application is about to send, carries the new window: no segment of its own for it. */
}
