/* Loss recovery in one place: the window bookkeeping around a congestion-control module. The input
 * path calls tcp_recovery_sack for the SACK option of each acceptable ACK and tcp_recovery_ack for
 * the ACK itself, the retransmission timer tcp_recovery_rto. With SACK: RFC 6675 loss recovery on
 * the scoreboard (tcp_sack.h), entered on three duplicate ACKs or when IsLost(SND.UNA), sending
 * what Proportional Rate Reduction allows (RFC 6937), limited transmit before it (RFC 3042, in
 * tcp_output); without SACK: fast retransmit and NewReno fast recovery (RFC 5681 3.2, RFC 6582).
 * Spurious reductions are undone when D-SACKs show every retransmission of the episode was
 * unneeded (RFC 2883, RFC 3708) or the timestamp an ACK echoes predates the retransmission (RFC
 * 3522). The cwnd-limited rule of RFC 7661 is here too; the module (tcp_cc.h) decides only how the
 * window grows and how far it falls. */
#ifndef TCP_RECOVERY_H
#define TCP_RECOVERY_H

#include <stdint.h>

#include "synack/types.h"

struct tcp_conn;

/* What an ACK did, as step five of RFC 9293 3.10.7.4 saw it. */
struct tcp_ack {
    uint32_t acked;    /* sequence space newly acknowledged (0: a duplicate ACK) */
    uint32_t flight;   /* bytes in flight before the ACK */
    uint32_t sacked;   /* bytes newly SACKed by this ACK */
    int has_ts;        /* the ACK carried TSopt: tsecr is its TSecr */
    uint32_t tsecr;
};

struct tcp_opts;

/* The SACK blocks of an acceptable ACK (SEG.ACK = ack), before SND.UNA moves: updates the
 * scoreboard and takes D-SACKs into account. Returns the bytes newly SACKed. */
uint32_t tcp_recovery_sack(struct tcp_conn *c, const struct tcp_opts *o, uint32_t ack, synack_time_t now);
/* RACK's reordering timer fired (tcp_rack.h): losses it now finds start or feed recovery. */
void tcp_recovery_rack_timer(struct tcp_conn *c, synack_time_t now);
/* The connection is freed: the scoreboard goes. */
void tcp_recovery_free(struct tcp_conn *c);

/* The handshake completed: the initial window (RFC 6928), ssthresh, the module's state. */
void tcp_recovery_start(struct tcp_conn *c, synack_time_t now);
/* An ACK that moved SND.UNA (after SND.UNA moved), or a duplicate ACK (RFC 5681 2). */
void tcp_recovery_ack(struct tcp_conn *c, const struct tcp_ack *a, synack_time_t now);
/* The retransmission timer fired on data (RFC 5681 3.1, RFC 6582 4). */
void tcp_recovery_rto(struct tcp_conn *c, synack_time_t now);
/* The last reduction was spurious: restore the window from before it (for D-SACK or timestamp
 * detection, RFC 3522 / RFC 2883). */
void tcp_recovery_undo(struct tcp_conn *c, synack_time_t now);

#endif
