/* Congestion control behind one ops struct, chosen per connection. The loss-recovery machinery
 * (duplicate ACK counting, fast retransmit, NewReno's partial ACKs, RTO) lives in the core; a module
 * decides only how the window grows and how far it falls. NewReno (RFC 5681, RFC 6582) is first;
 * CUBIC can be added as one more file. */
#ifndef TCP_CC_H
#define TCP_CC_H

#include <stdint.h>

#include "synack/types.h"

struct tcp_conn;

struct tcp_cc_ops {
    const char *name;
    /* Sets the initial window (RFC 6928 IW) and ssthresh once the MSS is known. */
    void (*init)(struct tcp_conn *c);
    /* New data acknowledged outside recovery: grow cwnd (slow start / congestion avoidance). */
    void (*on_ack)(struct tcp_conn *c, uint32_t acked, synack_time_t now);
    /* Loss detected by duplicate ACKs: returns the new ssthresh (RFC 5681 eq. 4). */
    uint32_t (*ssthresh)(struct tcp_conn *c);
    /* Retransmission timeout: RFC 5681 3.1, cwnd to the loss window. */
    void (*on_rto)(struct tcp_conn *c);
    /* Recovery ended with a full ACK (RFC 6582 3.2 step 3). */
    void (*on_recovery_exit)(struct tcp_conn *c);
};

extern const struct tcp_cc_ops tcp_cc_newreno;

#endif
