/* The receive half of segment processing (RFC 9293 3.10.7.4 steps six to eight). */
#ifndef TCP_RCV_H
#define TCP_RCV_H

#include "tcp/tcp_int.h"

/* Handles the URG pointer, the text and the FIN of an acceptable segment whose ACK has been
 * processed. Returns 1 if it destroyed c (reset after close, TIME-WAIT of an orphan), else 0. */
int tcp_rcv_data(struct tcp_conn *c, struct tcp_seg *s, synack_time_t now);
/* A segment that is not acceptable is about to be answered with an ACK: if it carries data we
 * already hold below RCV.NXT, that ACK reports it as a D-SACK block (RFC 2883 4). */
void tcp_dsack_dup(struct tcp_conn *c, const struct tcp_seg *s);

#endif
