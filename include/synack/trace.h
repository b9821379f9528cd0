/* Trace events: the one stream that tests, the ladder diagram, listings and pcap capture consume.
 * Every frame in and out, every drop (with its counter as the reason), every TCP segment and state
 * change is an event. Events are delivered synchronously to one callback per stack; the callback
 * must not call into the stack. Pointers in an event are valid only during the call. */
#ifndef SYNACK_TRACE_H
#define SYNACK_TRACE_H

#include "synack/types.h"

#ifdef __cplusplus
extern "C" {
#endif

enum synack_trace_kind {
    SYNACK_TR_FRAME_IN = 1,   /* a frame handed to synack_if_input (before any check) */
    SYNACK_TR_FRAME_OUT,      /* a frame given to the link */
    SYNACK_TR_DROP,           /* input dropped; `counter` says why */
    SYNACK_TR_TCP_SEG_IN,     /* a TCP segment that passed the checksum: `data` is the TCP header
                                 and payload, local/remote the addresses, conn_id 0 if no connection */
    SYNACK_TR_TCP_SEG_OUT,    /* a TCP segment sent: as SEG_IN; from_state is the sender's state */
    SYNACK_TR_TCP_STATE,      /* a connection changed state */
    SYNACK_TR_ICMP_ECHO_REPLY,/* an echo reply for us arrived (ping) */
};

struct synack_trace_event {
    enum synack_trace_kind kind;
    synack_time_t now;
    int ifindex;               /* -1 when not tied to an interface */
    int link_kind;             /* enum synack_if_kind of `data` for FRAME_IN/OUT and DROP */
    const uint8_t *data;       /* frame or packet bytes, see kind */
    size_t len;
    int counter;               /* DROP: enum synack_counter naming the reason */
    /* TCP_STATE and TCP_SEG_*: the connection */
    struct synack_sockaddr local, remote;
    uint32_t conn_id;          /* stable per connection within a stack */
    int from_state, to_state;  /* enum synack_tcp_state */
    const char *cause;         /* TCP_STATE: why, e.g. "rcv SYN,ACK" or "close()" */
    /* ICMP_ECHO_REPLY */
    uint16_t echo_id, echo_seq;
};

typedef void (*synack_trace_fn)(void *ctx, const struct synack_trace_event *ev);

#ifdef __cplusplus
}
#endif

#endif
