/* RACK-TLP (RFC 8985): time-based loss detection and tail loss probes, for connections that agreed
 * to SACK. TCP keeps bytes, not segments, so RACK keeps its own short log of transmissions (range
 * and time, first sending or retransmission), bounded: old records merge or go when it is full, and
 * bytes without a record are left to RFC 6675's rules (tcp_sack.h).
 *
 * RACK (6.2): the most recently sent segment that has been delivered (cumulatively ACKed or SACKed)
 * sets RACK.xmit_ts and RACK.rtt; any unSACKed segment sent before it is lost once RACK.rtt plus a
 * reordering window (min_RTT / 4) has passed since it was sent, a retransmission included (so a
 * lost retransmission is sent again without waiting for the RTO). Segments not yet past that time
 * arm the reordering timer. Lost first transmissions move the loss edge (tcp_lost_edge); lost
 * retransmissions pull HighRxt back so NextSeg sends them again.
 *
 * TLP (7): in the open state, instead of an RTO a probe timeout of two SRTTs (plus the worst delayed
 * ACK when one segment is in flight) sends the last segment again, so that a lost tail is answered
 * by SACKs and recovered by RACK rather than by a timeout. If the probe repaired a loss (its ACK
 * covers it without a D-SACK of it), cwnd is reduced as for any loss (7.4). */
#ifndef TCP_RACK_H
#define TCP_RACK_H

#include <stdint.h>

#include "synack/types.h"

struct tcp_conn;

#define TCP_RACK_RECS 64

/* Segments [start, end) sent back to back: all at ts, or, once the log was full and two records
 * were joined, between ts0 and ts. */
struct tcp_rack_rec {
    uint32_t start, end;
    synack_time_t ts0, ts;
    uint32_t serial;                 /* order of sending, for records sent at one time */
    uint8_t rexmit;
};

struct tcp_rack {
    uint32_t n;
    synack_time_t xmit_ts;           /* RACK.xmit_ts (0: nothing delivered yet) */
    uint32_t end;                    /* RACK.end_seq */
    uint32_t xmit_serial;            /* RACK's segment's record (the send order at one time) */
    uint32_t next_serial;
    uint32_t rtt;                    /* RACK.rtt */
    uint32_t fack;                   /* RACK.fack: the highest end delivered (6.2 step 3) */
    uint32_t rexmit_hi;              /* the highest end ever retransmitted */
    unsigned fack_on : 1, rexmit_on : 1;
    struct tcp_rack_rec r[TCP_RACK_RECS];   /* in the order sent */
};

/* [start, end) left now (a retransmission if rexmit). */
void tcp_rack_sent(struct tcp_conn *c, uint32_t start, uint32_t end, int rexmit, synack_time_t now);
/* After an ACK updated the scoreboard and SND.UNA (or the reordering timer fired): RACK's
 * delivery and loss detection. Returns 1 if it found a segment lost. */
int tcp_rack_detect(struct tcp_conn *c, synack_time_t now);
void tcp_rack_free(struct tcp_conn *c);
/* The RFC 6675 loss edge, or RACK's if it lies further. */
uint32_t tcp_lost_edge(const struct tcp_conn *c);

/* RFC 6675's pipe during SACK recovery (c->sb set), with the losses RACK found taken out. */
uint32_t tcp_pipe(const struct tcp_conn *c);

/* TLP: the probe timeout to arm instead of the RTO, or 0 if the RTO it is (7.2). */
synack_time_t tcp_tlp_timeout(const struct tcp_conn *c);
/* The probe timer fired (7.3). */
void tcp_tlp_fire(struct tcp_conn *c, synack_time_t now);
/* A D-SACK block arrived: if it reports the probe, the probe repaired nothing. */
void tcp_tlp_dsack(struct tcp_conn *c, uint32_t dsack_l, uint32_t dsack_r);
/* An ACK moved SND.UNA: returns 1 if it ends a probe episode in which the probe repaired a loss
 * (7.4: its ACK covers the probe, which no D-SACK reported), for loss recovery to reduce cwnd. */
int tcp_tlp_ack(struct tcp_conn *c);

#endif
