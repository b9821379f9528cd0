/* TCP segment arrival, RFC 9293 3.10.7, one function per step so the code can be held against the
 * RFC: demultiplexing, SYN-SENT (3.10.7.3), then for the synchronized states (3.10.7.4): first the
 * sequence number, second RST, fourth SYN, fifth ACK; steps six to eight are in tcp_rcv.c. The
 * blind-attack defences of RFC 5961 are folded into the RST, SYN and ACK steps. */
#include "base/errno.h"
#include "base/mem.h"

#include "core/ctx.h"
#include "tcp/tcp.h"
#include "tcp/tcp_int.h"
#include "tcp/tcp_rcv.h"
#include "tcp/tcp_recovery.h"
#include "tcp/tcp_state.h"
#include "wire/bytes.h"
#include "wire/csum.h"

static void trace_seg_in(synack_stack_t *st, const struct tcp_seg *s, const uint8_t *p, size_t len, uint32_t id,
                         int state)
{
    if (!st->trace_fn)
        return;
    struct synack_trace_event ev = { .kind = SYNACK_TR_TCP_SEG_IN, .ifindex = s->ifindex, .data = p, .len = len,
                                     .conn_id = id, .from_state = state, .to_state = state };
    ev.local = tcp_end_sockaddr(&s->local);
    ev.remote = tcp_end_sockaddr(&s->remote);
    stack_trace(st, &ev);
}

static void drop(synack_stack_t *st, const struct tcp_seg *s, enum synack_counter why)
{
    stack_drop(st, why, s->ifindex, SYNACK_IF_RAWIP, s->pkt, s->pkt_len);
}

uint16_t tcp_peer_mss(const struct tcp_seg *syn)
{
    /* RFC 9293 3.7.1 (MUST-15): without the option, 536 for IPv4 and 1220 for IPv6. */
    uint16_t def = synack_ip_is_v4(&syn->remote.ip) ? TCP_DEFAULT_MSS : TCP_DEFAULT_MSS6;
    uint16_t mss = syn->h.opts.has_mss ? syn->h.opts.mss : def;
    return mss < TCP_MIN_MSS ? TCP_MIN_MSS : mss;
}

static void take_peer_options(struct tcp_conn *c, const struct tcp_seg *s)
{
    uint16_t peer_mss = tcp_peer_mss(s);
    c->mss_snd = peer_mss < c->mss_adv ? peer_mss : c->mss_adv;
    c->mss_snd = tcp_mss_for(c->st, &c->remote.ip, c->mss_snd);
    if (peer_mss < c->mss_snd)
        c->mss_snd = peer_mss;
}

void tcp_options_agreed(struct tcp_conn *c, const struct tcp_opts *peer, int ts_allowed, int sack_allowed,
                        synack_time_t now)
{
    /* RFC 7323 3.2: timestamps only if both SYNs carried TSopt; TS.Recent starts as the peer's
     * SYN's TSval (4.3). A full segment's payload is then 12 bytes below the MSS (RFC 6691 2). */
    c->ts_ok = ts_allowed && peer->has_ts;
    if (c->ts_ok) {
        c->ts_recent = peer->ts_val;
        c->ts_recent_stamp = now;
        c->ts_recent_ok = 1;
        if (c->mss_snd >= TCP_MIN_MSS + TCP_TS_OPT_LEN)
            c->mss_snd = (uint16_t)(c->mss_snd - TCP_TS_OPT_LEN);
    }
    /* RFC 2018 2: SACK only if both SYNs carried SACK-permitted. */
    c->sack_ok = sack_allowed && peer->sack_perm;
}

/* RFC 7323 5.3 R1 (PAWS): a segment whose TSval is older than TS.Recent is a duplicate from an
 * earlier wrap of the sequence space and is dropped, unless TS.Recent is over 24 days old (5.5:
 * then it is forgotten). A RST is not checked (RFC 7323 5.3: its TSval may be stale). Returns 1 if
 * the segment is to be rejected. */
static int paws_reject(struct tcp_conn *c, const struct tcp_seg *s, synack_time_t now)
{
    if (!c->ts_ok || !s->h.opts.has_ts || !c->ts_recent_ok || (s->flags & TCP_RST))
        return 0;
    if ((int32_t)(s->h.opts.ts_val - c->ts_recent) >= 0)
        return 0;
    if (now - c->ts_recent_stamp > TCP_PAWS_IDLE) {
        c->ts_recent_ok = 0;
        return 0;
    }
    return 1;
}

/* RFC 7323 4.3 (2): TS.Recent takes SEG.TSval when SEG.SEQ =< Last.ACK.sent (the segment starts
 * at or before the left edge we acknowledged, so delayed ACKs echo the oldest unacknowledged
 * segment's time) and the value does not go back. */
static void ts_recent_update(struct tcp_conn *c, const struct tcp_seg *s, synack_time_t now)
{
    if (!c->ts_ok || !s->h.opts.has_ts || !seq_leq(s->seq, c->last_ack_sent))
        return;
    if (c->ts_recent_ok && (int32_t)(s->h.opts.ts_val - c->ts_recent) < 0)
        return;
    c->ts_recent = s->h.opts.ts_val;
    c->ts_recent_stamp = now;
    c->ts_recent_ok = 1;
}

/* An RTT sample from TSecr (RFC 7323 4.1), for an ACK of new data that the sequence-based timing
 * could not measure (the segment was retransmitted, Karn). Milliseconds: at least 1 ms. */
static int rtt_from_ts(struct tcp_conn *c, const struct tcp_seg *s, synack_time_t now)
{
    if (!c->ts_ok || !s->h.opts.has_ts || s->h.opts.ts_ecr == 0)
        return 0;
    /* An echo of a TSval from before our latest retransmission is stale: the peer's TS.Recent did not
     * move because the segments since were duplicates or out of order to it (RFC 7323 4.3 keeps it
     * at the left edge), and the time since then is no round trip. */
    if (c->rexmit_ts_on && (int32_t)(s->h.opts.ts_ecr - c->rexmit_tsval) < 0)
        return 0;
    uint32_t ms = tcp_tsval(c, now) - s->h.opts.ts_ecr;
    if ((int32_t)ms < 0 || ms > 600000u)
        return 0;   /* an echo from the future or older than any RTO: not our value */
    tcp_rtt_sample(c, (synack_time_t)(ms ? ms : 1) * 1000u);
    return 1;
}

/* ---------- the end of the handshake ---------- */

/* What every way into ESTABLISHED does once SND.UNA covers our SYN: SYN-SENT's SYN-ACK (RFC 9293
 * 3.10.7.3) and SYN-RECEIVED's ACK (3.10.7.4, fifth step), a SYN cookie's ACK included. */
static void handshake_done(struct tcp_conn *c, const struct tcp_seg *s, const char *cause, synack_time_t now)
{
    (void)s;
    tcp_rto_stop(c);
    /* RFC 6298: time the handshake unless the SYN was retransmitted (Karn); 5.7: after a SYN
     * timeout the RTO for data starts at 3 s. A cookie's SYN-ACK was never timed (no state). */
    if (!c->syn_cookie) {
        /* After a retransmitted SYN no sample, not even from TSecr: the peer may echo the first
         * SYN from a SYN-ACK it sent again on its own timer, a "round trip" that includes it. */
        if (c->backoff == 0)
            tcp_rtt_sample(c, now - c->x->rtt_start);
        else if (!c->rtt_valid)
            c->rto = (uint32_t)TCP_RTO_AFTER_SYN_TIMEOUT;
    }
    c->backoff = 0;
    c->soft_err = 0;   /* an ICMP error about an earlier SYN is answered by the handshake */
    tcp_recovery_start(c, now);
    tcp_established(c, cause);
    tcp_keepalive_reset(c, now);
}

int tcp_synrcvd_complete(struct tcp_conn *c, const struct tcp_seg *s, const char *cause, synack_time_t now)
{
    /* A child moves from the SYN queue to the accept queue first; if that is full, the ACK is
     * dropped (and counted) and the child stays in SYN-RECEIVED: the peer will ACK again. */
    if (c->passive && tcp_child_established(c, now) != 0)
        return -1;
    /* "enter ESTABLISHED state and continue processing with variables below set to: SND.WND <-
     * SEG.WND, SND.WL1 <- SEG.SEQ, SND.WL2 <- SEG.ACK". This ACK's window is scaled (RFC 7323 2.2:
     * only SYNs carry unscaled windows); without scaling the shift is 0. */
    c->snd_una = s->ack;
    c->snd_wnd = s->wnd << c->snd_wscale;
    c->max_snd_wnd = c->snd_wnd;
    c->snd_wl1 = s->seq;
    c->snd_wl2 = s->ack;
    handshake_done(c, s, cause, now);
    return 0;
}

/* ---------- SYN-SENT, RFC 9293 3.10.7.3 ---------- */

static void syn_sent_input(struct tcp_conn *c, struct tcp_seg *s, synack_time_t now)
{
    synack_stack_t *st = c->st;
    int ack_ok = 0;
    /* first, check the ACK bit */
    if (s->flags & TCP_ACK) {
        if (seq_leq(s->ack, c->iss) || seq_gt(s->ack, c->snd_nxt)) {
            if (!(s->flags & TCP_RST))
                tcp_send_rst_for(st, s, now);   /* <SEQ=SEG.ACK><CTL=RST> */
            drop(st, s, SYNACK_C_TcpOutOfWindow);
            return;
        }
        ack_ok = seq_lt(c->snd_una, s->ack) && seq_leq(s->ack, c->snd_nxt);
    }
    /* second, check the RST bit (RFC 5961 3.2: only with an acceptable ACK) */
    if (s->flags & TCP_RST) {
        if (ack_ok) {
            stack_count(st, SYNACK_C_TcpAttemptFails);
            tcp_conn_fail(c, -ECONNREFUSED, "rcv RST (connection refused)");
        }
        return;
    }
    /* fourth, check the SYN bit */
    if (!(s->flags & TCP_SYN))
        return;   /* fifth: neither SYN nor RST: drop */
    c->irs = s->seq;
    c->rcv_nxt = s->seq + 1;
    /* The window our SYN offered (unscaled, RFC 7323 2.2) starts at RCV.NXT: text on the SYN-ACK
     * inside it is accepted at step six. */
    c->rcv_adv = c->rcv_nxt + tcp_win16(c->rcvq_limit);
    take_peer_options(c, s);
    tcp_options_agreed(c, &s->h.opts, st->tcp->timestamps, st->tcp->sack, now);
    /* RFC 7323 2.2: scaling is on only if both SYNs carried the option. */
    if (c->ws_offered && s->h.opts.has_wscale) {
        c->ws_ok = 1;
        c->snd_wscale = s->h.opts.wscale;
    } else {
        c->ws_ok = 0;
        c->snd_wscale = 0;
        c->rcv_wscale = 0;
    }
    c->snd_wnd = s->wnd;   /* a SYN's window is never scaled */
    c->max_snd_wnd = c->snd_wnd;
    c->snd_wl1 = s->seq;
    c->snd_wl2 = s->ack;
    if (ack_ok) {
        c->snd_una = s->ack;
        handshake_done(c, s, "rcv SYN,ACK", now);
        /* Data or FIN on the SYN-ACK: continue at step six with the SYN removed. */
        struct tcp_seg rest = *s;
        rest.seq = s->seq + 1;
        rest.flags &= (uint8_t)~TCP_SYN;
        rest.len = s->len - 1;
        if (rest.dlen || (rest.flags & TCP_FIN)) {
            /* "form an ACK segment ... and send it", then the text from step six on. */
            if (tcp_rcv_data(c, &rest, now) == 0) {
                tcp_output(c, now);
                if (c->ack_due)
                    tcp_send_ack(c, now);
            }
            return;
        }
        /* <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>: data queued before the connection was up rides on
         * this third segment; a bare ACK only if there is none. */
        c->ack_due = 1;
        tcp_output(c, now);
        if (c->ack_due)
            tcp_send_ack(c, now);
        return;
    }
    /* Simultaneous open: SYN-RECEIVED, answer <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>. Text on the SYN
     * is not kept; the peer will send it again. */
    tcp_set_state(c, SYNACK_TCP_SYN_RECEIVED, "rcv SYN (simultaneous open)");
    tcp_send_syn(c, now);
}

/* ---------- synchronized states, RFC 9293 3.10.7.4 ---------- */

/* first, check the sequence number. Returns 1 if the segment is acceptable. */
static int step1_acceptable(struct tcp_conn *c, struct tcp_seg *s)
{
    uint32_t wnd = seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
    if (s->len == 0) {
        if (wnd == 0)
            return s->seq == c->rcv_nxt;
        /* A segment without text exactly at the right edge is taken too, as Linux and FreeBSD
         * take it (RFC 9293 says "<"): a peer whose data fills our window sends its bare ACKs with
         * SEG.SEQ = SND.NXT = our right edge, and dropping them would stall both directions. */
        return seq_in(s->seq, c->rcv_nxt, c->rcv_nxt + wnd) || s->seq == c->rcv_nxt + wnd;
    }
    if (wnd == 0) {
        /* "special allowance should be made to accept valid ACKs, URGs, and RSTs": a segment at
         * RCV.NXT into a closed window still has its ACK processed; its text is trimmed away. */
        if (s->seq == c->rcv_nxt) {
            s->dlen = 0;
            s->flags &= (uint8_t)~TCP_FIN;
            s->len = 0;
            s->probe = 1;   /* a zero-window probe: answered with an ACK after processing */
            return 1;
        }
        return 0;
    }
    return seq_in(s->seq, c->rcv_nxt, c->rcv_nxt + wnd) ||
           seq_in(s->seq + s->len - 1, c->rcv_nxt, c->rcv_nxt + wnd);
}

/* second, check the RST bit. Returns 1 if the segment was consumed. */
static int step2_rst(struct tcp_conn *c, struct tcp_seg *s, synack_time_t now)
{
    synack_stack_t *st = c->st;
    if (!(s->flags & TCP_RST))
        return 0;
    /* RFC 5961 3.2: only an exact RCV.NXT match resets; in the window it earns a challenge ACK. */
    if (s->seq != c->rcv_nxt) {
        tcp_send_challenge_ack(c, now);
        return 1;
    }
    switch (c->state) {
    case SYNACK_TCP_SYN_RECEIVED:
        stack_count(st, SYNACK_C_TcpAttemptFails);
        if (c->passive) {
            /* Passive open: "return this connection to the LISTEN state" = forget the child. */
            tcp_set_state(c, SYNACK_TCP_CLOSED, "rcv RST");
            tcp_conn_destroy(c);
        } else {
            tcp_conn_fail(c, -ECONNREFUSED, "rcv RST (connection refused)");
        }
        return 1;
    case SYNACK_TCP_ESTABLISHED:
    case SYNACK_TCP_CLOSE_WAIT:
        stack_count(st, SYNACK_C_TcpEstabResets);
        tcp_conn_fail(c, -ECONNRESET, "rcv RST");
        return 1;
    case SYNACK_TCP_FIN_WAIT_1:
    case SYNACK_TCP_FIN_WAIT_2:
        tcp_conn_fail(c, -ECONNRESET, "rcv RST");
        return 1;
    case SYNACK_TCP_CLOSING:
    case SYNACK_TCP_LAST_ACK:
        /* "enter the CLOSED state, delete the TCB, and return"; a socket still open (the
         * application shut its side down but did not close) is told "connection reset" (3.10.5),
         * as Linux's SO_ERROR says. */
        tcp_conn_fail(c, -ECONNRESET, "rcv RST");
        return 1;
    default:
        return 1;
    }
}

/* fourth, check the SYN bit. Returns 1 if the segment was consumed. */
static int step4_syn(struct tcp_conn *c, struct tcp_seg *s, synack_time_t now)
{
    if (!(s->flags & TCP_SYN))
        return 0;
    /* RFC 9293 3.10.7.4 fourth: "SYN-RECEIVED STATE: If the connection was initiated with a passive
     * OPEN, then return this connection to the LISTEN state and return" -- a new SYN in the window
     * ends the half-open child (the listener is still there); the peer's next SYN starts afresh.
     * (Its retransmitted first SYN, at IRS, was answered before step one.) */
    if (c->state == SYNACK_TCP_SYN_RECEIVED && c->passive) {
        stack_count(c->st, SYNACK_C_TcpAttemptFails);
        tcp_set_state(c, SYNACK_TCP_CLOSED, "rcv SYN");
        tcp_conn_destroy(c);
        return 1;
    }
    /* RFC 5961 4.2 (and RFC 9293 3.10.7.4): in a synchronized state a SYN gets a challenge ACK,
     * whatever its sequence number, and is dropped. */
    tcp_send_challenge_ack(c, now);
    return 1;
}

static void ack_new_data(struct tcp_conn *c, struct tcp_seg *s, uint32_t sacked, synack_time_t now)
{
    struct tcp_ack a = { s->ack - c->snd_una, tcp_flight(c), sacked, s->h.opts.has_ts, s->h.opts.ts_ecr };
    uint32_t acked = a.acked;
    uint32_t data_acked = acked;
    /* The SYN and FIN occupy sequence space but no buffer. */
    if (c->snd_una == c->iss) {
        data_acked--;
    }
    if (c->fin_sent && seq_gt(s->ack, c->fin_seq))
        data_acked--;
    if (data_acked > tcp_sndq_len(c))
        data_acked = tcp_sndq_len(c);
    ring_consume(&c->x->sndq, data_acked);
    c->bytes_acked += data_acked;
    /* RFC 6298 3 (Karn) and 2: a sample only from a segment sent once; otherwise from the
     * timestamp the ACK echoes (RFC 7323 4.1), which names the segment it answers. */
    if (c->rtt_timing && seq_gt(s->ack, c->x->rtt_seq)) {
        c->rtt_timing = 0;
        tcp_rtt_sample(c, now - c->x->rtt_start);
    } else if (!c->rtt_timing) {
        rtt_from_ts(c, s, now);
    }
    c->snd_una = s->ack;
    c->soft_err = 0;   /* the path works: an ICMP error seen before no longer explains anything */
    if (seq_lt(c->snd_nxt, c->snd_una))
        c->snd_nxt = c->snd_una;
    if (c->snd_urg && seq_geq(c->snd_una, c->snd_up))
        c->snd_urg = 0;   /* the urgent data is acknowledged: urgent mode ends (RFC 9293 3.8.5) */
    c->backoff = 0;
    c->persist_backoff = 0;
    tcp_recovery_ack(c, &a, now);   /* congestion control and NewReno recovery */
    tcp_sndbuf_adjust(c);
    /* RFC 6298 5.2/5.3: stop the timer when everything is ACKed, else restart it. */
    if (c->snd_una == c->snd_max)
        tcp_rto_stop(c);
    else if (c->rtx_mode == RTX_RETRANSMIT || c->rtx_mode == RTX_TLP)
        tcp_rto_arm(c, now);
    tcp_idle_check(c, now);
    tcp_notify(c);   /* writable */
}

/* fifth, check the ACK field. Returns 1 if the segment was consumed (dropped or connection gone). */
static int step5_ack(struct tcp_conn *c, struct tcp_seg *s, synack_time_t now)
{
    synack_stack_t *st = c->st;
    if (!(s->flags & TCP_ACK))
        return 1;   /* "if the ACK bit is off, drop the segment and return" */
    if (c->state == SYNACK_TCP_SYN_RECEIVED) {
        if (!(seq_lt(c->snd_una, s->ack) && seq_leq(s->ack, c->snd_nxt))) {
            tcp_send_rst_for(st, s, now);   /* <SEQ=SEG.ACK><CTL=RST> */
            return 1;
        }
        if (tcp_synrcvd_complete(c, s, "rcv ACK", now) != 0)
            return 1;   /* accept queue full: the ACK is dropped; the peer retries */
    }
    /* RFC 5961 5.2: acceptable ACKs lie in [SND.UNA - MAX.SND.WND, SND.NXT]; we use SND.MAX for
     * SND.NXT since after a timeout SND.NXT is pulled back while later data may still be ACKed. */
    if (seq_gt(s->ack, c->snd_max)) {
        tcp_send_challenge_ack(c, now);   /* "send an ACK, drop the segment, and return" */
        return 1;
    }
    if (seq_lt(s->ack, c->snd_una - c->max_snd_wnd)) {
        tcp_send_challenge_ack(c, now);
        return 1;
    }
    uint32_t seg_wnd = s->wnd << c->snd_wscale;
    int window_changed = seg_wnd != c->snd_wnd;
    /* The SACK blocks first: the scoreboard must know them before recovery looks (RFC 6675 5). */
    uint32_t sacked = tcp_recovery_sack(c, &s->h.opts, s->ack, now);
    if (seq_gt(s->ack, c->snd_una)) {
        ack_new_data(c, s, sacked, now);
    } else if (s->ack == c->snd_una && c->snd_max != c->snd_una && c->rtx_mode != RTX_PERSIST &&
               (c->sack_ok && s->h.opts.sack_count
                    ? sacked != 0
                    : s->dlen == 0 && !(s->flags & (TCP_SYN | TCP_FIN)) && !window_changed && seg_wnd != 0)) {
        /* RFC 5681 2: a duplicate ACK; an ACK with SACK blocks is one only if they SACK new data
         * (RFC 6675 2), so blocks that say nothing new (or nothing true) start no recovery. Not
         * while the window is closed: the answers to our zero-window probes repeat themselves
         * without saying anything was lost. */
        struct tcp_ack dup = { 0, tcp_flight(c), sacked, s->h.opts.has_ts, s->h.opts.ts_ecr };
        tcp_recovery_ack(c, &dup, now);
    }
    /* Window update: RFC 9293 3.10.7.4, SND.WL1/SND.WL2 guard against old segments. */
    if (seq_leq(c->snd_una, s->ack) &&
        (seq_lt(c->snd_wl1, s->seq) || (c->snd_wl1 == s->seq && seq_leq(c->snd_wl2, s->ack)))) {
        uint32_t old = c->snd_wnd;
        c->snd_wnd = seg_wnd;
        c->snd_wl1 = s->seq;
        c->snd_wl2 = s->ack;
        if (seg_wnd > c->max_snd_wnd)
            c->max_snd_wnd = seg_wnd;
        if (old == 0 && seg_wnd > 0 && (c->rtx_mode == RTX_PERSIST || c->snd_nxt != c->snd_una)) {
            /* The window reopened: leave persist, and resend from SND.UNA so a probe octet the
             * receiver dropped goes again with what follows (under the retransmission timer). The
             * same after a window shrunk to zero under data in flight (RFC 9293 3.8.6, MUST-34):
             * what was sent past the old right edge was refused and goes again. */
            tcp_rto_stop(c);
            c->persist_backoff = 0;
            c->snd_nxt = c->snd_una;
        }
    }
    /* State-specific parts of step five. */
    int our_fin_acked = c->fin_sent && seq_gt(c->snd_una, c->fin_seq);
    switch (c->state) {
    case SYNACK_TCP_FIN_WAIT_1:
        if (our_fin_acked) {
            tcp_set_state(c, SYNACK_TCP_FIN_WAIT_2, "rcv ACK of FIN");
            if (!c->owner)
                tcp_wait_arm(c, now + st->tcp->fin_timeout);
        }
        break;
    case SYNACK_TCP_CLOSING:
        if (our_fin_acked) {
            tcp_enter_time_wait(c, "rcv ACK of FIN", 0, now);
            return 1;
        }
        break;   /* "otherwise, ignore the segment" (its ACK has still moved SND.UNA: send more) */
    case SYNACK_TCP_LAST_ACK:
        if (our_fin_acked) {
            tcp_conn_fail(c, 0, "rcv ACK of FIN");   /* CLOSED, no error */
            return 1;
        }
        break;   /* data queued before our FIN may still be going out */
    default:
        break;
    }
    return 0;
}

void tcp_conn_input(struct tcp_conn *c, struct tcp_seg *s, synack_time_t now)
{
    synack_stack_t *st = c->st;
    if (tcp_x_ensure(c) != 0) {
        stack_drop(st, SYNACK_C_BufAllocFails, s->ifindex, SYNACK_IF_RAWIP, s->pkt, s->pkt_len);
        return;
    }
    if (c->state == SYNACK_TCP_TIME_WAIT) {
        tcp_timewait_conn_input(c, s, now);   /* the same rules as a small TIME-WAIT entry */
        return;
    }
    if (c->state == SYNACK_TCP_SYN_SENT) {
        syn_sent_input(c, s, now);
        return;
    }
    /* A retransmitted SYN while we are in SYN-RECEIVED: our SYN-ACK was lost; send it again
     * (rather than the bare ACK of step one, which a SYN-SENT peer would drop). */
    if (c->state == SYNACK_TCP_SYN_RECEIVED && (s->flags & TCP_SYN) && !(s->flags & (TCP_ACK | TCP_RST)) &&
        s->seq == c->irs) {
        ts_recent_update(c, s, now);   /* the SYN-ACK echoes this copy (RFC 7323 4.3) */
        tcp_send_syn(c, now);
        return;
    }
    /* Simultaneous open, RFC 9293 figure 8: in SYN-RECEIVED the peer's SYN-ACK repeats its SYN
     * (SEG.SEQ = IRS) while its ACK covers ours. Its ACK completes our handshake; the SYN octet,
     * already counted, is trimmed (as Linux does for a "simultaneous connect SYN-ACK"). */
    int ack_dup_syn = 0;
    if (c->state == SYNACK_TCP_SYN_RECEIVED && !c->passive && (s->flags & TCP_SYN) && (s->flags & TCP_ACK) &&
        !(s->flags & TCP_RST) && s->seq == c->irs && seq_lt(c->snd_una, s->ack) && seq_leq(s->ack, c->snd_nxt)) {
        s->seq++;
        s->len--;
        s->flags &= (uint8_t)~TCP_SYN;
        ack_dup_syn = 1;   /* the repeated SYN is acknowledged, as any duplicate is */
    }
    if (paws_reject(c, s, now)) {
        /* RFC 7323 5.3 R1: "send an acknowledgment in reply ... and drop the segment". */
        stack_drop(st, SYNACK_C_TcpPAWSEstab, s->ifindex, SYNACK_IF_RAWIP, s->pkt, s->pkt_len);
        tcp_dsack_dup(c, s);
        tcp_send_ack(c, now);
        return;
    }
    if (!step1_acceptable(c, s)) {
        stack_drop(st, SYNACK_C_TcpOutOfWindow, s->ifindex, SYNACK_IF_RAWIP, s->pkt, s->pkt_len);
        if (!(s->flags & TCP_RST)) {
            tcp_dsack_dup(c, s);   /* data we already have: reported as a duplicate (RFC 2883) */
            tcp_send_ack(c, now);   /* <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> */
        }
        return;
    }
    ts_recent_update(c, s, now);
    c->last_rcv = now;
    c->keep_probes = 0;
    if (step2_rst(c, s, now))
        return;
    if (step4_syn(c, s, now))
        return;
    if (step5_ack(c, s, now))
        return;
    if (s->dlen || (s->flags & (TCP_FIN | TCP_URG))) {
        if (tcp_rcv_data(c, s, now))
            return;   /* c is gone */
    }
    /* The ACK may have opened the window or cwnd: send what now fits. A trimmed zero-window
     * probe and a repeated SYN are acknowledged (RFC 9293 3.8.6.1: probes must be answered). */
    if (ack_dup_syn || s->probe)
        ack_dup_syn = c->ack_due = 1;
    tcp_output(c, now);
    if (ack_dup_syn && c->ack_due)
        tcp_send_ack(c, now);
}

/* ---------- the checksum, folded into the receive ring's copy ---------- */

/* RFC 9293 3.1, 3.10.7: a segment with a wrong checksum is dropped (and counted) before anything
 * else is done with it. For the segment a receiver gets most, the next in-order text of a
 * connection that takes text (SEG.SEQ = RCV.NXT), inside the window offered and the storage its
 * receive ring has, the payload is copied into the ring's free space while it is summed, so it is
 * read once; the ring itself is not changed. Step seven (tcp_rcv.c) commits the copy instead of
 * copying, if the segment gets there with the same text and the ring as it was; a bad checksum, or
 * a segment that is dropped, trimmed or queued instead, leaves the bytes as free space, which the
 * next write overwrites. Nothing writes or consumes the ring in between: only step seven writes it
 * while a segment is processed, and the application reads only once the entry bracket delivers
 * its events. *cp is the connection of the 4-tuple (or NULL) when *looked is set.
 * Returns WIRE_OK or WIRE_ERR_CSUM if it checked the checksum, -1 if tcp_parse_ph is to. */
static int csum_fold(synack_stack_t *st, const struct net_rx *rx, const uint8_t *p, size_t len, uint64_t pseudo,
                     struct tcp_seg *s, struct tcp_conn **cp, int *looked)
{
    if (len < TCP_HDR_MIN || len > 0xffff)
        return -1;
    size_t doff = (p[12] >> 4) * 4u;   /* a multiple of 4: the payload starts at an even offset */
    if (doff < TCP_HDR_MIN || doff >= len || (p[13] & (TCP_SYN | TCP_RST)))
        return -1;
    struct tcp_end local = { rx->dst, wire_get16(p + 2) }, remote = { rx->src, wire_get16(p) };
    struct tcp_conn *c = tcp_lookup(st, &local, &remote);
    *cp = c;
    *looked = 1;
    uint32_t seq = wire_get32(p + 4), dlen = (uint32_t)(len - doff);
    if (!c || !c->x || !tcp_state_rcv_text(c->state) || seq != c->rcv_nxt)
        return -1;
    struct tcp_ring *r = &c->x->rcvq;
    uint32_t wnd = seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
    if (dlen > wnd || !r->data || (size_t)r->len + dlen > r->cap || ring_space(r->len, c->rcvq_limit) < dlen)
        return -1;
    uint64_t sum = wire_csum_partial(p, doff, pseudo + len);
    sum += ring_stage_csum(r, p + doff, dlen);
    if (wire_csum_finish(sum) != 0)
        return WIRE_ERR_CSUM;
    s->staged = *r;
    s->staged_seq = seq;
    s->staged_len = dlen;
    return WIRE_OK;
}

/* ---------- demultiplexing ---------- */

void tcp_input(synack_stack_t *st, const struct net_rx *rx, const uint8_t *p, size_t len, synack_time_t now)
{
    int ifindex = rx->ifindex;
    const struct net_family *nf = net_family_for(&rx->src);
    struct tcp_seg s;
    memset(&s, 0, sizeof(s));
    uint64_t pseudo = nf->pseudo_sum(&rx->src, &rx->dst, TCP_IPPROTO);
    struct tcp_conn *c = NULL;
    int looked = 0, verify = !rx->csum_ok;   /* a link may have vouched for the checksum */
    int r = verify ? csum_fold(st, rx, p, len, pseudo, &s, &c, &looked) : -1;
    if (r == WIRE_OK)
        verify = 0;   /* checked, and the payload staged */
    if (r != WIRE_ERR_CSUM)
        r = tcp_parse_ph(p, len, pseudo, verify, &s.h);
    if (r != WIRE_OK) {
        if (r == WIRE_ERR_CSUM)
            stack_count(st, SYNACK_C_TcpInCsumErrors);
        stack_drop(st, SYNACK_C_TcpInErrs, ifindex, SYNACK_IF_RAWIP, rx->pkt, rx->pkt_len);
        return;
    }
    stack_count(st, SYNACK_C_TcpInSegs);
    s.local.ip = rx->dst;
    s.local.port = s.h.dport;
    s.remote.ip = rx->src;
    s.remote.port = s.h.sport;
    s.seq = s.h.seq;
    s.ack = s.h.ack;
    s.flags = s.h.flags;
    s.wnd = s.h.win;
    s.data = s.h.data;
    s.dlen = (uint32_t)s.h.data_len;
    s.len = s.dlen + !!(s.flags & TCP_SYN) + !!(s.flags & TCP_FIN);
    s.ifindex = ifindex;
    s.pkt = rx->pkt;
    s.pkt_len = rx->pkt_len;
    /* Only unicast to our own address can reach a connection (RFC 1122 4.2.3.10); port 0 is not a
     * port; SYN with RST is no segment any TCP sends (dropped, as Linux does). SYN with FIN goes on:
     * RFC 9293 3.10.7 gives it a meaning in every state (a reset from a closed port, a SYN-ACK from
     * a listener, the SYN rules of TIME-WAIT, a challenge ACK once synchronized). */
    if (!rx->dst_unicast || s.h.sport == 0 || s.h.dport == 0) {
        stack_drop(st, SYNACK_C_TcpInErrs, ifindex, SYNACK_IF_RAWIP, rx->pkt, rx->pkt_len);
        return;
    }
    if ((s.flags & TCP_SYN) && (s.flags & TCP_RST)) {
        stack_drop(st, SYNACK_C_TcpBadFlags, ifindex, SYNACK_IF_RAWIP, rx->pkt, rx->pkt_len);
        return;
    }
    if (!looked)
        c = tcp_lookup(st, &s.local, &s.remote);
    if (c) {
        trace_seg_in(st, &s, p, len, c->id, c->state);
        tcp_conn_input(c, &s, now);
        return;
    }
    uint32_t tw = tcp_tw_lookup(st, &s.local, &s.remote);
    if (tw) {
        trace_seg_in(st, &s, p, len, tcp_tw_at(&st->tcp->tw, tw)->id, SYNACK_TCP_TIME_WAIT);
        tcp_tw_input(st, tw, &s, now);
        return;
    }
    struct tcp_conn *l = tcp_listener_lookup(st, &s.local);
    trace_seg_in(st, &s, p, len, l ? l->id : 0, l ? SYNACK_TCP_LISTEN : SYNACK_TCP_CLOSED);
    if (l) {
        tcp_listen_input(l, &s, now);
        return;
    }
    /* RFC 9293 3.10.7.1: no connection; answer with a reset. */
    stack_drop(st, SYNACK_C_TcpNoSocket, ifindex, SYNACK_IF_RAWIP, rx->pkt, rx->pkt_len);
    tcp_send_rst_for(st, &s, now);
}
