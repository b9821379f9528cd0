/* Loss recovery in one place: the window bookkeeping around a congestion-control module. The input
 * path calls tcp_recovery_ack for each acceptable ACK, the retransmission timer tcp_recovery_rto;
 * fast retransmit and NewReno fast recovery (RFC 5681 3.2, RFC 6582), window inflation and
 * deflation, and the cwnd-limited rule of RFC 7661 are here, and the module (tcp_cc.h) decides
 * only how the window grows and how far it falls. */
#ifndef TCP_RECOVERY_H
#define TCP_RECOVERY_H

#include <stdint.h>

#include "synack/types.h"

struct tcp_conn;

/* What an ACK did, as step five of RFC 9293 3.10.7.4 saw it. */
struct tcp_ack {
    uint32_t acked;    /* sequence space newly acknowledged (0: a duplicate ACK) */
    uint32_t flight;   /* bytes in flight before the ACK */
};

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
