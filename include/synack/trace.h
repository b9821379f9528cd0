/** @file
 * Trace events: the one stream that tests, the ladder diagram, listings and pcap capture consume.
 * Every frame in and out, every drop (with its counter as the reason), every TCP segment and state
 * change is an event. Events are delivered synchronously to one callback per stack; the callback
 * must not call into the stack. Pointers in an event are valid only during the call. */
#ifndef SYNACK_TRACE_H
#define SYNACK_TRACE_H

#include "synack/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What a trace event reports; which fields of struct synack_trace_event it fills. */
enum synack_trace_kind {
    SYNACK_TR_FRAME_IN = 1,   /**< A frame handed to synack_if_input (before any check): data/len, ifindex, link_kind. */
    SYNACK_TR_FRAME_OUT,      /**< A frame given to the link: data/len, ifindex, link_kind. */
    SYNACK_TR_DROP,           /**< Input dropped; `counter` says why; data/len what was dropped, at the layer that dropped it. */
    SYNACK_TR_TCP_SEG_IN,     /**< A TCP segment that passed the checksum: `data` is the TCP header
                                 and payload, local/remote the addresses, conn_id 0 if no connection. */
    SYNACK_TR_TCP_SEG_OUT,    /**< A TCP segment sent: as SEG_IN; from_state is the sender's state. */
    SYNACK_TR_TCP_STATE,      /**< A connection changed state: from_state, to_state, cause, the addresses, conn_id. */
    SYNACK_TR_ICMP_ECHO_REPLY,/**< An echo reply for us arrived (ping): echo_id, echo_seq, remote (its source); data the IP packet. */
};

/** One trace event. Which fields mean something depends on `kind`; the others are zero. Pointers
 * are valid only during the trace callback: copy what you keep. */
struct synack_trace_event {
    enum synack_trace_kind kind;   /**< What happened. */
    synack_time_t now;             /**< The stack's time when it happened (the `now` of the entry point). */
    int ifindex;               /**< The interface, or -1 when not tied to one. */
    int link_kind;             /**< enum synack_if_kind of `data` for FRAME_IN/OUT and DROP. */
    const uint8_t *data;       /**< Frame or packet bytes, see kind (synack_format_frame() describes them). */
    size_t len;                /**< Bytes at `data`. */
    int counter;               /**< DROP: enum synack_counter naming the reason. */
    /* TCP_STATE and TCP_SEG_*: the connection */
    struct synack_sockaddr local;    /**< TCP events: the connection's local address and port. */
    struct synack_sockaddr remote;   /**< TCP events: the peer's address and port; ICMP_ECHO_REPLY: who answered. */
    uint32_t conn_id;          /**< TCP events: stable per connection within a stack (as in synack_tcp_info). */
    int from_state;            /**< TCP_STATE: the old state; TCP_SEG_*: the connection's state (enum synack_tcp_state). */
    int to_state;              /**< TCP_STATE: the new state; TCP_SEG_*: the same as from_state. */
    const char *cause;         /**< TCP_STATE: why, e.g. "rcv SYN,ACK" or "close()". */
    /* ICMP_ECHO_REPLY */
    uint16_t echo_id;          /**< ICMP_ECHO_REPLY: the identifier given to synack_ping(). */
    uint16_t echo_seq;         /**< ICMP_ECHO_REPLY: the sequence number given to synack_ping(). */
};

/** The trace callback (synack_stack_set_trace()). It runs synchronously, in the middle of the
 * stack's work, and must not call into the stack.
 * @param ctx the pointer given with it to synack_stack_set_trace()
 * @param ev  the event, valid for the call only */
typedef void (*synack_trace_fn)(void *ctx, const struct synack_trace_event *ev);

#ifdef __cplusplus
}
#endif

#endif
