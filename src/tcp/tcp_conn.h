/* The transmission control block (RFC 9293 3.3.1) and everything TCP's modules share about it.
 *
 * One struct tcp_conn per connection in any state but TIME-WAIT after the application let go
 * (then a small struct tcp_tw stands in, tcp_timewait.h). Listeners are tcp_conns in LISTEN
 * holding their SYN queue (children in SYN-RECEIVED) and accept queue (children established but
 * not yet accepted). */
#ifndef TCP_CONN_H
#define TCP_CONN_H

#include <stdint.h>

#include "core/timer.h"
#include "synack/socket.h"
#include "tcp/tcp_buf.h"
#include "tcp/tcp_cc.h"
#include "tcp/tcp_rack.h"
#include "tcp/tcp_sack.h"
#include "tcp/tcp_seq.h"
#include "wire/tcp.h"

/* One end of a connection: an address of either family and a port (host order). TCP works on
 * these pairs; the socket layer converts from and to struct synack_sockaddr at its boundary. */
struct tcp_end {
    struct synack_ip ip;
    uint16_t port;
};

static inline int tcp_end_equal(const struct tcp_end *a, const struct tcp_end *b)
{
    return a->port == b->port && synack_ip_equal(&a->ip, &b->ip);
}

/* The two conversions at the boundary with the public API (socket calls, traces, tcp_info). */
static inline struct synack_sockaddr tcp_end_sockaddr(const struct tcp_end *e)
{
    struct synack_sockaddr sa = { e->ip, e->port };
    return sa;
}
static inline struct tcp_end tcp_end_from_sockaddr(const struct synack_sockaddr *sa)
{
    struct tcp_end e = { sa->addr, sa->port };
    return e;
}

/* Why the retransmission timer is armed. */
enum tcp_rtx_mode { RTX_NONE = 0, RTX_RETRANSMIT, RTX_PERSIST, RTX_TLP };

/* A connection's timers (tcp_timer.c): one deadline each, behind one timer on the stack's heap. */
enum tcp_tmr {
    TCP_T_RTX,    /* SYN, data and FIN retransmission, tail loss probe, or persist (rtx_mode) */
    TCP_T_DACK,   /* delayed ACK */
    TCP_T_KEEP,   /* keep-alive */
    TCP_T_WAIT,   /* TIME-WAIT 2*MSL, orphan FIN-WAIT-2 */
    TCP_T_CORK,   /* TCP_CORK: how long a partial segment may be held */
    TCP_T_RACK,   /* RACK's reordering timer, or the idle release of buffers */
    TCP_T_COUNT
};

/* What only a listener has: its queues of children (linked through pnext/pprev). */
struct tcp_listenq {
    struct tcp_conn *synq_head;
    struct tcp_conn *accq_head, *accq_tail;
    unsigned synq_len, accq_len, backlog;
};

/* What a connection needs only while it moves data or recovers from a loss (allocated with the
 * connection, given back when it goes idle if nothing in it is live, and taken again on the next
 * segment, send or timer: tcp_x_ensure, tcp_autotune.c). */
struct tcp_xstate {
    /* timers: one on the heap, at the earliest of the deadlines (SYNACK_TIME_NEVER: not armed);
     * an idle connection with no deadline has none */
    struct timer timer;
    synack_time_t tdl[TCP_T_COUNT];
    struct tcp_sack_sb *sb;          /* the sender's scoreboard (at the first SACK block) */
    struct tcp_rack *rack;           /* RACK's transmission log (tcp_rack.h) */
    struct tcp_cc_sent *cc_sent;     /* send times for per-ACK RTT (tcp_cc.c; allocated when sending) */
    /* SACK blocks we report (RFC 2018 4): the most recent first, each an out-of-order run's
     * [left, right); a D-SACK block (RFC 2883) goes first on the next ACK only. */
    uint32_t sack_rcv[TCP_MAX_SACK_BLOCKS][2];
    uint32_t dsack[2];
    uint32_t rack_rerxt[4][2];       /* retransmissions RACK found lost: to be sent again */
    uint8_t sack_rcv_n;
    uint8_t dsack_on;
    uint8_t rack_rerxt_n;
    unsigned rack_edge_on : 1;
    unsigned undo_on : 1;            /* an undo is still possible for the last reduction */
    unsigned undo_ts : 1;            /* undo_tsval holds a value */
    uint32_t rtt_seq;                /* the segment being timed (rtt_timing) and when it left */
    synack_time_t rtt_start;
    synack_time_t rtx_first;         /* when the oldest unacked data was first retransmitted */
    unsigned dupacks;
    uint32_t prior_cwnd, prior_ssthresh;   /* before the last reduction, for an undo */
    uint32_t rack_edge;              /* below it RACK found first transmissions lost */
    uint32_t tlp_high;               /* the probe in flight */
    uint32_t lt_base;                /* SND.MAX at the first duplicate ACK: what limited transmit
                                        sent after it is left out of ssthresh (RFC 5681 3.2 step 2) */
    uint32_t prr_delivered, prr_out, recover_fs;
    /* Undoing a spurious reduction: the episode began at undo_marker; retransmissions not yet shown
     * spurious by a D-SACK (RFC 2883, RFC 3708); the TSval of the episode's first retransmission
     * (RFC 3522 Eifel detection: an ACK echoing an older TSval answers the original). */
    uint32_t undo_marker;
    int undo_retrans;
    uint32_t undo_tsval;
    /* What is NULL or 0 in an idle connection with nothing queued, so it need not be kept there
     * (issue 10: an idle connection within 512 bytes): the rings (tcp_idle_release freed their
     * storage), the out-of-order list, the bytes owed an ACK, the link of the list of coalesced
     * ACKs, a child's listener and a listener's queues (both keep the block: neither is 0). */
    struct tcp_ring sndq;            /* bytes from snd_una (after the SYN) on (limit: sndq_limit) */
    struct tcp_ring rcvq;            /* in-order bytes not yet read (limit: rcvq_limit) */
    struct tcp_ofo *ofo;
    unsigned ofo_count;
    uint32_t ofo_bytes;
    uint32_t rcv_unacked;            /* in-order bytes received since our last ACK */
    struct tcp_conn *ack_next;       /* on tcp_table.ack_list (in_ack_list) */
    struct tcp_conn *parent;         /* passive open: the listener, while this child is queued */
    struct tcp_listenq *lq;          /* a listener's queues (allocated by listen) */
};

struct tcp_conn {
    struct tcp_conn *hnext;          /* hash chain (connections), or the listeners' list */
    synack_stack_t *st;
    uint32_t id;
    uint8_t state;                   /* enum synack_tcp_state */
    uint8_t tos;                     /* IP_TOS: the TOS byte of every segment of the connection */
    uint8_t rtx_mode;                /* enum tcp_rtx_mode */
    uint8_t persist_backoff;         /* at most 16 */
    struct tcp_end local, remote;
    uint16_t rcv_mss;                /* the peer's segment size as seen: the largest so far, at most
                                        mss_adv (0 until the first data) */
    uint8_t quick;                   /* quick ACKs left (tcp_rcv.c: quick-ack mode) */
    uint8_t rack_reo_mult;           /* RFC 8985 6.2 step 4: the reordering window grows on D-SACKs */
    void *owner;                     /* the socket above (tcp_upcalls); NULL once closed (orphan) */
    /* A bound connection is on the chain of its local port (tcp_table.c's port index), a child of
     * a listener on that listener's SYN or accept queue instead: doubly linked, so leaving is O(1). */
    struct tcp_conn *pnext, *pprev;

    /* RFC 9293 3.3.1 send sequence variables */
    uint32_t iss, snd_una, snd_nxt, snd_wnd, snd_wl1, snd_wl2;
    uint32_t snd_up;                 /* the octet after our urgent data (RFC 9293 3.8.5, MUST-62),
                                        meaningful while snd_urg */
    uint32_t snd_max;                /* highest sequence number sent + 1 */
    uint32_t max_snd_wnd;            /* largest window the peer offered (RFC 5961 5.2, SWS) */
    uint32_t snd_sml;                /* end of the last segment sent below full size (Nagle) */
    /* receive sequence variables */
    uint32_t irs, rcv_nxt, rcv_adv;  /* rcv_adv: right edge we advertised (never moves left) */
    uint32_t rcv_up;                 /* the octet after the peer's urgent data, while urg_valid */
    uint32_t fin_seq;                /* sequence number of our FIN */
    uint32_t rcv_space;
    struct tcp_xstate *x;            /* see struct tcp_xstate; NULL while idle */

    uint16_t mss_snd;                /* effective MSS for our segments */
    uint16_t mss_adv;                /* the MSS we announce */
    uint16_t mss_user;               /* TCP_MAXSEG, 0 if unset */
    uint8_t snd_wscale, rcv_wscale;  /* RFC 7323 shifts: peer's, ours (0 if not negotiated) */
    /* HighRxt of SACK-based recovery (RFC 6675, tcp_recovery.c; the scoreboard and PRR's counters
     * are in the working state) and RACK-TLP's minimum RTT (tcp_rack.h), here to fill the words */
    uint32_t high_rxt;
    uint32_t min_rtt;
    /* Receive-buffer autotuning (tcp_autotune.c): bytes read in the current measure, the previous
     * measure's figure, and when the current one began. */
    uint64_t rcv_copied;
    synack_time_t rcv_space_time;

    /* RFC 7323: our TSval is the stack's millisecond clock plus ts_off, an offset of this 4-tuple
     * (tcp_ts_offset: random to anyone without the stack's key, the same for a SYN cookie's
     * connection as for its SYN-ACK). TS.Recent and when it was set (PAWS's 24-day rule, 5.5). */
    uint32_t ts_off;
    uint32_t ts_recent;
    synack_time_t ts_recent_stamp;
    uint32_t last_ack_sent;          /* RFC 7323 4.3 Last.ACK.sent: the ACK field we last sent */
    uint32_t rexmit_tsval;           /* the TSval of our latest retransmission (rexmit_ts_on) */
    unsigned rexmit_ts_on : 1;


    unsigned fin_queued : 1;         /* the application is done sending (close/shutdown) */
    unsigned fin_sent : 1;
    unsigned fin_rcvd : 1;           /* the peer's FIN was received in order */
    unsigned shut_rd : 1;
    unsigned nodelay : 1;
    unsigned keepalive : 1;
    unsigned delack_on : 1;
    unsigned linger0 : 1;
    unsigned reuseaddr : 1;
    unsigned v6only : 1;             /* IPV6_V6ONLY: bound to :: but not taking IPv4 */
    unsigned passive : 1;            /* created from a listener */
    unsigned syn_cookie : 1;         /* created from a valid SYN cookie */
    unsigned rst_on_close : 1;
    unsigned connect_notified : 1;
    unsigned orphan : 1;
    unsigned listener : 1;           /* on the listeners' list */
    unsigned cork : 1;               /* TCP_CORK: only full-sized segments go out */
    unsigned more : 1;               /* the last send had MSG_MORE: corked until the next one */
    unsigned cork_expired : 1;       /* the held partial segment waited 200 ms: it may go */
    unsigned urg_valid : 1;          /* urgent data received and not yet read past (rcv_up) */
    unsigned snd_urg : 1;            /* urgent mode: SND.UP is ahead of SND.UNA (tcp_output.c) */
    unsigned rtt_valid : 1;
    unsigned rtt_timing : 1;         /* a segment is being timed (Karn: never a retransmitted one) */
    unsigned in_recovery : 1;
    unsigned in_ack_list : 1;        /* on tcp_table.ack_list */
    unsigned ack_due : 1;            /* something un-ACKed was received */
    unsigned ack_owed : 1;           /* an ACK is due at once but waits for the batch's end */
    unsigned hashed : 1;
    unsigned bound : 1;              /* the local address and port are set (bind, connect, child) */
    unsigned on_port : 1;            /* on its port's chain */
    unsigned queued : 2;             /* 0 none, 1 SYN queue, 2 accept queue */
    unsigned ws_ok : 1;              /* window scaling negotiated */
    unsigned ws_offered : 1;         /* we offered it on our SYN */
    unsigned ts_ok : 1;              /* RFC 7323 timestamps: both SYNs carried TSopt */
    unsigned sack_ok : 1;            /* RFC 2018: both SYNs carried SACK-permitted */
    unsigned rcvbuf_locked : 1;      /* SO_RCVBUF was set: no autotuning, wscale from it */
    unsigned sndbuf_locked : 1;      /* SO_SNDBUF was set: no autotuning */
    unsigned ts_recent_ok : 1;       /* TS.Recent holds a value (and is not 24 days old) */
    unsigned rack_reord : 1;         /* RFC 8985 6.2 step 3: reordering seen on this connection */
    unsigned tlp_on : 1;             /* RACK-TLP: a probe is in flight */
    unsigned tlp_dsacked : 1;
    unsigned tlp_rtt_ok : 1;         /* an RTT sample since the last probe (RFC 8985 7.3) */
    unsigned tlp_probe : 1;          /* tcp_output may exceed cwnd by one segment: a probe */
    unsigned pingpong : 1;           /* interactive: we answered data with data; quick ACKs paused */
    uint8_t cc_id;                   /* congestion control: the module's index (tcp_cc_modules) */
    uint8_t soft_err;                /* the last soft ICMP error (a positive errno; 0 none): what
                                        a timeout reports instead of ETIMEDOUT (tcp_icmp.c) */

    /* The most the rings (in the working state) may hold: SO_SNDBUF / SO_RCVBUF, or what
     * autotuning made of them. */
    uint32_t sndq_limit, rcvq_limit;

    /* RFC 6298 */
    uint32_t srtt, rttvar, rto;      /* microseconds */
    unsigned backoff;                /* consecutive timeouts */
    uint32_t rto_min_us;
    uint32_t user_timeout_ms;        /* TCP_USER_TIMEOUT, 0 if unset */

    /* congestion control (tcp_cc.h) and loss recovery (tcp_recovery.c, RFC 5681 / RFC 6582) */
    uint32_t cwnd, ssthresh;
    uint32_t recover;
    uint64_t cc_priv[TCP_CC_PRIV_WORDS];   /* the module's own state */

    /* delayed ACK, RFC 1122 4.2.3.2 */
    synack_time_t last_data;         /* when in-order data last arrived */

    uint16_t keep_idle_s, keep_intvl_s, keep_cnt, keep_probes;   /* at most 32767 */
    synack_time_t last_rcv;

    uint64_t bytes_sent, bytes_acked, bytes_received, total_retrans;
};

static inline const struct tcp_cc_ops *tcp_cc_of(const struct tcp_conn *c) { return tcp_cc_modules[c->cc_id]; }
/* A child's listener while it is queued (tcp_parent), else NULL; a connection without its working
 * state is no queued child. */
static inline struct tcp_conn *tcp_parent(const struct tcp_conn *c) { return c->x ? c->x->parent : NULL; }
/* Bytes queued to send (from snd_una) and bytes received not yet read: none without the working
 * state. */
static inline uint32_t tcp_sndq_len(const struct tcp_conn *c) { return c->x ? c->x->sndq.len : 0; }
static inline uint32_t tcp_rcvq_len(const struct tcp_conn *c) { return c->x ? c->x->rcvq.len : 0; }
static inline uint32_t tcp_flight(const struct tcp_conn *c) { return c->snd_max - c->snd_una; }
/* The sequence number of the next octet the application reads: the unread bytes end at RCV.NXT,
 * or just before the peer's FIN once RCV.NXT has moved over it. */
static inline uint32_t tcp_read_seq(const struct tcp_conn *c)
{
    return c->rcv_nxt - tcp_rcvq_len(c) - (c->fin_rcvd ? 1u : 0u);
}

#endif
