/* Named sets of TCP states (RFC 9293 3.3.2). Every rule that holds for several states asks one of
 * these predicates, never the order of enum synack_tcp_state, so reordering the enum cannot change
 * behaviour. tests/unit/test_tcp_state.c checks each one against the RFC's own lists. */
#ifndef TCP_STATE_H
#define TCP_STATE_H

#include "synack/socket.h"

/* RFC 9293 3.5.2 item 3: the synchronized states, ESTABLISHED, FIN-WAIT-1, FIN-WAIT-2, CLOSE-WAIT,
 * CLOSING, LAST-ACK, TIME-WAIT (the handshake is complete: both sides' ISNs are known and ACKed). */
static inline int tcp_state_synchronized(int s)
{
    switch (s) {
    case SYNACK_TCP_ESTABLISHED:
    case SYNACK_TCP_FIN_WAIT_1:
    case SYNACK_TCP_FIN_WAIT_2:
    case SYNACK_TCP_CLOSE_WAIT:
    case SYNACK_TCP_CLOSING:
    case SYNACK_TCP_LAST_ACK:
    case SYNACK_TCP_TIME_WAIT: return 1;
    default: return 0;
    }
}

/* RFC 9293 3.10.7.4 sixth and seventh steps: CLOSE-WAIT, CLOSING, LAST-ACK and TIME-WAIT, where
 * "a FIN has been received from the remote side" (so its URG and text are ignored). */
static inline int tcp_state_fin_seen(int s)
{
    switch (s) {
    case SYNACK_TCP_CLOSE_WAIT:
    case SYNACK_TCP_CLOSING:
    case SYNACK_TCP_LAST_ACK:
    case SYNACK_TCP_TIME_WAIT: return 1;
    default: return 0;
    }
}

/* RFC 9293 3.10.7.4 sixth and seventh steps: ESTABLISHED, FIN-WAIT-1 and FIN-WAIT-2 take the
 * peer's URG and segment text. */
static inline int tcp_state_rcv_text(int s)
{
    switch (s) {
    case SYNACK_TCP_ESTABLISHED:
    case SYNACK_TCP_FIN_WAIT_1:
    case SYNACK_TCP_FIN_WAIT_2: return 1;
    default: return 0;
    }
}

/* RFC 9293 3.10.2 SEND: only ESTABLISHED and CLOSE-WAIT take new data from the user (from FIN-WAIT-1
 * on the answer is "connection closing"; SYN-SENT and SYN-RECEIVED would queue it, we ask the
 * caller to wait). */
static inline int tcp_state_may_send(int s)
{
    return s == SYNACK_TCP_ESTABLISHED || s == SYNACK_TCP_CLOSE_WAIT;
}

/* States in which queued data and our FIN still go out: those of tcp_state_may_send, and FIN-WAIT-1,
 * CLOSING and LAST-ACK, where a CLOSE was queued "until all preceding SENDs have been segmentized"
 * (RFC 9293 3.10.4) and our FIN is not yet acknowledged. */
static inline int tcp_state_may_transmit(int s)
{
    return tcp_state_may_send(s) || s == SYNACK_TCP_FIN_WAIT_1 || s == SYNACK_TCP_CLOSING ||
           s == SYNACK_TCP_LAST_ACK;
}

#endif
