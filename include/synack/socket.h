/** @file
 * The socket API: BSD-shaped, non-blocking, over the stack's UDP and TCP.
 *
 * Sockets are small integers local to one stack. Every call returns >= 0 on success or a negative
 * errno with BSD's meaning (-EAGAIN, -ECONNREFUSED, ...); synack_strerror() names it. Calls that
 * may transmit take `now`. Readiness is reported two ways: synack_socket_events() returns the
 * current mask, and a handler registered with synack_socket_set_handler() is called when the mask
 * may have changed. Handlers run only after the stack has finished processing (never in the middle
 * of a segment), so they may call any API, including on other sockets. */
#ifndef SYNACK_SOCKET_H
#define SYNACK_SOCKET_H

#include "synack/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The kind of socket synack_socket() creates. */
enum synack_sock_type {
    SYNACK_SOCK_STREAM = 1,   /**< TCP. */
    SYNACK_SOCK_DGRAM = 2,    /**< UDP. */
};

/* Readiness bits, like poll(2). */
#define SYNACK_EV_IN   0x1u   /**< Readable: data, a pending connection, EOF or error. */
#define SYNACK_EV_PRI  0x2u   /**< TCP: urgent data is pending (poll's POLLPRI): the peer's urgent
                                   pointer is ahead of what the application has read. The handler is
                                   called when a pointer arrives with none pending and whenever it
                                   advances (RFC 9293 3.8.5); synack_tcp_urgent() says how far. */
#define SYNACK_EV_OUT  0x4u   /**< Writable (or connected, for a pending connect). */
#define SYNACK_EV_ERR  0x8u   /**< An error is pending (synack_socket_error). */
#define SYNACK_EV_HUP  0x10u  /**< Both directions closed (also: the socket is not open). */
#define SYNACK_EV_RDHUP 0x2000u /**< The peer closed its direction (FIN received). */

/** A socket handler (synack_socket_set_handler()): called when the socket's readiness may have
 * changed. It runs after the stack has finished its own work and may call any API; it should read
 * or write until -EAGAIN, as events are edge-like (a handler is not called again for data it left).
 * @param st     the stack
 * @param sock   the socket
 * @param events the socket's current readiness, SYNACK_EV_* bits (as synack_socket_events())
 * @param arg    the pointer given with the handler
 * @param now    the time of the entry point that raised the event (synack_if_input,
 *               synack_stack_poll, or the API call): a handler passes it to the calls it makes and
 *               never reads a clock of its own, so a simulated run stays a pure function of its inputs */
typedef void (*synack_socket_handler_fn)(synack_stack_t *st, int sock, unsigned events, void *arg,
                                         synack_time_t now);

/** Creates a socket.
 * @param st   the stack
 * @param type SYNACK_SOCK_STREAM (TCP) or SYNACK_SOCK_DGRAM (UDP)
 * @return the socket (>= 0), small and local to the stack; -EPROTONOSUPPORT for another type, -ENOMEM */
SYNACK_API int synack_socket(synack_stack_t *st, enum synack_sock_type type);
/** Gives a socket its local address. Optional: connect, listen and sendto bind an unbound socket to
 * any address and an ephemeral port.
 * @param st    the stack
 * @param sock  the socket
 * @param local the address: the unspecified address (0.0.0.0 or ::) for any local address; port 0
 *              picks a random ephemeral port (RFC 6056)
 * @return 0; -EBADF, -EINVAL (NULL, or already bound or connected),
 *         -EADDRNOTAVAIL (not an address of the stack), -EADDRINUSE (the port is taken, or no
 *         ephemeral port is free; for TCP, TIME-WAIT connections hold a port unless SO_REUSEADDR) */
SYNACK_API int synack_bind(synack_stack_t *st, int sock, const struct synack_sockaddr *local);
/** The socket's local address.
 * @param st   the stack
 * @param sock the socket
 * @param out  its address and port ([::]:0 if not bound yet)
 * @return 0 or -EBADF */
SYNACK_API int synack_getsockname(synack_stack_t *st, int sock, struct synack_sockaddr *out);
/** The address of the socket's peer.
 * @param st   the stack
 * @param sock the socket
 * @param out  the peer's address and port
 * @return 0; -EBADF, or -ENOTCONN if the socket is not connected */
SYNACK_API int synack_getpeername(synack_stack_t *st, int sock, struct synack_sockaddr *out);
/** Closes a socket; its handle becomes invalid at once (-EBADF from then on). A TCP connection
 * goes on without it: data still queued is sent, then a FIN (RFC 9293 3.10.4), and the stack
 * finishes the close on its own (an orphan). With SO_LINGER 0, with received data unread (RFC 1122
 * 4.2.2.13), or when tcp_max_orphans are already closing, it is reset instead.
 * @param st   the stack
 * @param sock the socket
 * @param now  the current time
 * @return 0 or -EBADF */
SYNACK_API int synack_close(synack_stack_t *st, int sock, synack_time_t now);

/** Sends a UDP datagram.
 * @param st   the stack
 * @param sock a datagram socket (bound to an ephemeral port on first use if not bound)
 * @param data the payload
 * @param len  its length (up to 65507 bytes; larger than the MTU is fragmented)
 * @param dst  the destination, or NULL for a connected socket's peer
 * @param now  the current time
 * @return @p len; -EBADF, -EOPNOTSUPP (a stream socket), -EDESTADDRREQ (no destination),
 *         -EAFNOSUPPORT (@p dst of the other family than the address the socket is bound to: IPv4
 *         and 0.0.0.0 take IPv4 only, an IPv6 address IPv6 only, :: both), -EMSGSIZE, -ENETUNREACH
 *         (no route), -ENOBUFS, or an error an earlier
 *         datagram raised (ICMP port unreachable: -ECONNREFUSED, on a connected socket) */
SYNACK_API int synack_sendto(synack_stack_t *st, int sock, const void *data, size_t len,
                             const struct synack_sockaddr *dst, synack_time_t now);
/** Receives one UDP datagram.
 * @param st   the stack
 * @param sock a datagram socket
 * @param buf  where the payload goes
 * @param cap  the size of @p buf: a longer datagram is truncated, the rest lost (as recvfrom
 *             without MSG_TRUNC)
 * @param src  where the sender's address goes, or NULL
 * @param now  the current time
 * @return the bytes stored in @p buf; -EAGAIN if no datagram is queued; -EBADF, -EOPNOTSUPP; or
 *         the socket's pending error (e.g. -ECONNREFUSED), which is then cleared */
SYNACK_API int synack_recvfrom(synack_stack_t *st, int sock, void *buf, size_t cap,
                               struct synack_sockaddr *src, synack_time_t now);

/** Connects a UDP socket (sets the default destination, filters the source) or starts a TCP
 * connection: returns -EINPROGRESS at once; the socket becomes writable (EV_OUT) when connected, or
 * reports the failure through synack_socket_error (ECONNREFUSED, ETIMEDOUT, ...).
 * @param st   the stack
 * @param sock the socket
 * @param peer the peer's address and port
 * @param now  the current time
 * @return UDP: 0; TCP: -EINPROGRESS once the SYN is on its way; either: -EBADF, -EINVAL,
 *         -EAFNOSUPPORT (as synack_sendto()), -ENETUNREACH (no route), -EADDRNOTAVAIL,
 *         -EADDRINUSE (no free port or
 *         4-tuple); TCP also -EISCONN (connected), -EALREADY (connecting) */
SYNACK_API int synack_connect(synack_stack_t *st, int sock, const struct synack_sockaddr *peer, synack_time_t now);

/* ---- TCP ---- */

/** Starts listening for TCP connections (binding any address and an ephemeral port first if the
 * socket is not bound). Calling it again on a listener changes the backlog.
 * @param st      the stack
 * @param sock    a stream socket, not connected
 * @param backlog bounds both the SYN queue (half-open) and the accept queue; clamped to 1..65535
 * @return 0; -EBADF, -EOPNOTSUPP (a datagram socket), -EINVAL (connecting or connected), or an
 *         error of the implicit bind */
SYNACK_API int synack_listen(synack_stack_t *st, int sock, int backlog);
/** Takes an established connection from a listener's accept queue.
 * @param st   the stack
 * @param sock the listening socket
 * @param peer where the peer's address goes, or NULL
 * @param now  the current time
 * @return a new socket for the connection (its handler is not set: set it before returning to the
 *         stack); -EAGAIN if none is ready (the listener is readable when one is); -EBADF,
 *         -EOPNOTSUPP, -EINVAL (not listening), -ENOMEM */
SYNACK_API int synack_accept(synack_stack_t *st, int sock, struct synack_sockaddr *peer, synack_time_t now);
/** Queues data for sending on a TCP socket (or sends one datagram on a UDP one, as synack_sendto()
 * to the connected peer).
 * @param st   the stack
 * @param sock the socket
 * @param data the bytes
 * @param len  their number
 * @param now  the current time
 * @return the bytes accepted (may be fewer than len; the socket is writable, EV_OUT, when there is
 *         room again); -EAGAIN when the send buffer is full or the connection not established yet;
 *         -EPIPE after shutdown(SHUT_WR), a close by reset or an error; -ENOTCONN if never
 *         connected; -EBADF; or the pending error (e.g. -ECONNRESET), then cleared */
SYNACK_API int synack_send(synack_stack_t *st, int sock, const void *data, size_t len, synack_time_t now);
/** Flag of synack_send_flags(): more data follows at once (TCP), so a partial segment is held as
 * under SYNACK_TCP_CORK until a send without the flag (or 200 ms) lets it go. */
#define SYNACK_MSG_MORE 0x8000u
/** Flag of synack_send_flags(): the data is urgent (TCP, RFC 9293 3.8.5; Linux's MSG_OOB). The
 * send pointer (SND.UP) moves to the octet following the last one this call queued, and every
 * segment that starts before it carries URG and the pointer (relative to the segment, at most
 * 0xFFFF), retransmissions too, until the peer has acknowledged everything up to it; urgent data is
 * never held back by Nagle or TCP_CORK. The data goes inline in the stream, as all data: the peer
 * learns where the urgent data ends, not which octets are "out of band" (RFC 6093 recommends the
 * urgent mechanism only this way, and new applications not at all: RFC 9293 SHLD-13). */
#define SYNACK_MSG_OOB 0x1u
/** synack_send() with flags.
 * @param st    the stack
 * @param sock  the socket
 * @param data  the bytes
 * @param len   their number
 * @param flags 0, or SYNACK_MSG_MORE and/or SYNACK_MSG_OOB
 * @param now   the current time
 * @return as synack_send(); -EINVAL for unknown flags, and for any flag on a UDP socket */
SYNACK_API int synack_send_flags(synack_stack_t *st, int sock, const void *data, size_t len, unsigned flags,
                                 synack_time_t now);
/** Reads received data (a datagram on a UDP socket, as synack_recvfrom()). Reading may open the
 * window enough that the stack sends a window update.
 * @param st   the stack
 * @param sock the socket
 * @param buf  where the bytes go
 * @param cap  the size of @p buf
 * @param now  the current time
 * @return bytes read; 0 at end of stream (the peer's FIN, after every byte before it); -EAGAIN when
 *         nothing is there yet; -ENOTCONN if not connected; -EBADF; or the connection's error
 *         (-ECONNRESET, -ETIMEDOUT, ...), reported once, after the data received before it */
SYNACK_API int synack_recv(synack_stack_t *st, int sock, void *buf, size_t cap, synack_time_t now);
#define SYNACK_SHUT_RD 0     /**< synack_shutdown(): no more receiving. */
#define SYNACK_SHUT_WR 1     /**< synack_shutdown(): no more sending; a FIN follows the data queued. */
#define SYNACK_SHUT_RDWR 2   /**< synack_shutdown(): both. */
/** Shuts down one or both directions of a TCP connection, keeping the socket (RFC 9293 3.10.4:
 * SHUT_WR is the half-close; the peer reads end of stream after the data sent before it).
 * @param st   the stack
 * @param sock a stream socket
 * @param how  SYNACK_SHUT_RD, SYNACK_SHUT_WR or SYNACK_SHUT_RDWR
 * @param now  the current time
 * @return 0; -EBADF, -EOPNOTSUPP (a datagram socket), -EINVAL (bad @p how), -ENOTCONN */
SYNACK_API int synack_shutdown(synack_stack_t *st, int sock, int how, synack_time_t now);

/** Socket options, with integer values (synack_setsockopt(), synack_getsockopt()). UDP sockets
 * have only SYNACK_IP_TOS; the others are TCP's. */
enum synack_sockopt {
    SYNACK_SO_RCVBUF = 1,       /**< Receive buffer bytes (TCP: bounds the advertised window; cannot shrink an open window). */
    SYNACK_SO_SNDBUF,           /**< Send buffer bytes. */
    SYNACK_SO_LINGER,           /**< -1: off (default); 0: close() aborts with RST; N>0 is treated as off. */
    SYNACK_SO_KEEPALIVE,        /**< 0/1 (RFC 1122 4.2.3.6; off by default). */
    SYNACK_SO_REUSEADDR,        /**< 0/1: bind even if TIME-WAIT connections hold the port. */
    SYNACK_TCP_NODELAY,         /**< 0/1: disable Nagle (RFC 896). */
    SYNACK_TCP_KEEPIDLE,        /**< Seconds idle before the first probe (default 7200). */
    SYNACK_TCP_KEEPINTVL,       /**< Seconds between probes (default 75). */
    SYNACK_TCP_KEEPCNT,         /**< Unanswered probes before the connection is dropped (default 9). */
    SYNACK_TCP_MAXSEG,          /**< MSS to announce (before connect/listen). */
    SYNACK_TCP_USER_TIMEOUT,    /**< ms of unacknowledged data before giving up (0: retry limit). */
    SYNACK_TCP_DELACK,          /**< 0/1: delayed ACKs (default 1). */
    SYNACK_TCP_RTO_MIN,         /**< ms, minimum RTO (default 200). */
    SYNACK_TCP_CONGESTION,      /**< The module's index in synack_tcp_congestion_names' list (0 cubic,
                                   1 reno); by name: synack_tcp_set_congestion. */
    SYNACK_IP_TOS,              /**< 0..255: the IPv4 TOS byte (DSCP and ECN, RFC 2474, RFC 3168) of every
                                   datagram the socket sends; TCP keeps the two ECN bits its own (0, it
                                   does not do ECN) and a listener's children inherit it. UDP too. */
    SYNACK_TCP_CORK,            /**< 0/1: while set only full-sized segments are sent; clearing it sends
                                   what was held; held data still goes after 200 ms (as Linux). */
    SYNACK_TCP_QUICKACK,        /**< 1: leave interactive mode, so quick ACKs (if any are left) resume
                                   and an ACK owed goes now; 0: enter it, ACKs are delayed until one
                                   has to go alone (Linux's TCP_QUICKACK, equally not sticky). */
    SYNACK_IPV6_V6ONLY,         /**< 0/1: a socket bound to the IPv6 unspecified address (::) takes IPv6
                                   only; by default (0) it takes IPv4 too, its peers then shown as IPv4
                                   (IPv4-mapped) addresses. One bound to 0.0.0.0 takes only IPv4. Set
                                   before bind/listen (RFC 3493 5.3). TCP and UDP. */
};
/** Sets a socket option. Takes `now` because setting an option may transmit (TCP_NODELAY sends
 * what Nagle held back) or re-arm a timer (the keepalive options).
 * @param st    the stack
 * @param sock  the socket
 * @param opt   the option
 * @param value its new value (see enum synack_sockopt)
 * @param now   the current time
 * @return 0; -EBADF, -ENOPROTOOPT (not an option of the socket's protocol), -EINVAL (a value out
 *         of range), -ENOENT (TCP_CONGESTION: no such module) */
SYNACK_API int synack_setsockopt(synack_stack_t *st, int sock, enum synack_sockopt opt, int value, synack_time_t now);
/** Reads a socket option.
 * @param st    the stack
 * @param sock  the socket
 * @param opt   the option
 * @param value where its value goes
 * @return 0; -EBADF, -ENOPROTOOPT */
SYNACK_API int synack_getsockopt(synack_stack_t *st, int sock, enum synack_sockopt opt, int *value);

/** Chooses a TCP socket's congestion control by name, like Linux's TCP_CONGESTION: "cubic"
 * (RFC 9438 with HyStart++, the default) or "reno" (NewReno, RFC 5681 and RFC 6582). A listener's
 * choice passes to its accepted connections; on an established connection the new module starts
 * from the current window.
 * @param st   the stack
 * @param sock a stream socket
 * @param name the module's name
 * @param now  the current time
 * @return 0; -ENOENT for an unknown name; -EBADF, -ENOPROTOOPT (a datagram socket), -EINVAL (NULL) */
SYNACK_API int synack_tcp_set_congestion(synack_stack_t *st, int sock, const char *name, synack_time_t now);
/** The name of a TCP socket's congestion control.
 * @param st   the stack
 * @param sock a stream socket
 * @param buf  where the NUL-terminated name goes
 * @param cap  the size of @p buf (16 always suffices)
 * @return 0; -ENOSPC if @p cap is too small; -EBADF, -ENOPROTOOPT (a datagram socket) */
SYNACK_API int synack_tcp_get_congestion(synack_stack_t *st, int sock, char *buf, size_t cap);
/** Lists the known congestion-control modules, space-separated ("cubic reno"), in the order of
 * their SYNACK_TCP_CONGESTION index.
 * @param buf where the NUL-terminated list goes, truncated to fit
 * @param cap the size of @p buf
 * @return @p buf */
SYNACK_API const char *synack_tcp_congestion_names(char *buf, size_t cap);

/** TCP connection states, RFC 9293 3.3.2 (synack_tcp_info's state, trace events). */
enum synack_tcp_state {
    SYNACK_TCP_CLOSED = 0,
    SYNACK_TCP_LISTEN,
    SYNACK_TCP_SYN_SENT,
    SYNACK_TCP_SYN_RECEIVED,
    SYNACK_TCP_ESTABLISHED,
    SYNACK_TCP_FIN_WAIT_1,
    SYNACK_TCP_FIN_WAIT_2,
    SYNACK_TCP_CLOSE_WAIT,
    SYNACK_TCP_CLOSING,
    SYNACK_TCP_LAST_ACK,
    SYNACK_TCP_TIME_WAIT,
};
/** The name of a TCP state.
 * @param state an enum synack_tcp_state value
 * @return a static string: "ESTABLISHED", "SYN-SENT", ... as RFC 9293 spells them ("?" for
 *         another value) */
SYNACK_API const char *synack_tcp_state_name(int state);

/** A snapshot of one TCP connection, like Linux's tcp_info. Times in microseconds. */
struct synack_tcp_info {
    int state;                       /**< enum synack_tcp_state. */
    struct synack_sockaddr local;    /**< Local address and port. */
    struct synack_sockaddr remote;   /**< Peer's address and port ([::]:0 for a listener). */
    int sock;                        /**< Socket id, or -1 if the application has closed it. */
    uint32_t conn_id;                /**< Stable per connection within a stack (as in trace events). */
    uint32_t rtt;                    /**< Smoothed round-trip time (SRTT, RFC 6298). */
    uint32_t rttvar;                 /**< Round-trip time variation (RTTVAR). */
    uint32_t rto;                    /**< Current retransmission timeout. */
    uint32_t snd_mss;                /**< Largest segment payload we send. */
    uint32_t rcv_mss;                /**< Largest segment payload we expect (announced). */
    uint32_t cwnd;                   /**< Congestion window, bytes. */
    uint32_t ssthresh;               /**< Slow-start threshold, bytes. */
    uint32_t snd_wnd;                /**< Peer's receive window, bytes. */
    uint32_t rcv_wnd;                /**< Our receive window, bytes. */
    uint32_t retransmits;            /**< Consecutive timeouts now. */
    uint64_t total_retrans;          /**< Segments retransmitted over the connection's life. */
    uint64_t bytes_sent;             /**< Payload bytes sent, retransmissions not counted. */
    uint64_t bytes_acked;            /**< Payload bytes the peer acknowledged. */
    uint64_t bytes_received;         /**< Payload bytes received in order. */
    uint32_t send_q;                 /**< Bytes waiting in the send buffer (unacked + unsent). */
    uint32_t recv_q;                 /**< Bytes waiting in the receive buffer, unread. */
    uint32_t backlog;                /**< LISTEN: accept queue length. */
    uint32_t max_backlog;            /**< LISTEN: accept queue limit. */
    uint32_t syn_queue;              /**< LISTEN: half-open connections. */
    int timer;                       /**< 0 none, 1 retransmit, 2 persist, 3 keepalive, 4 time-wait. */
    synack_time_t timer_expires;     /**< Absolute, 0 if none. */
    char congestion[16];             /**< The congestion-control module's name. */
    unsigned ca_state;               /**< 0 open, 1 recovery (NewReno fast recovery). */
    unsigned options;                /**< SYNACK_TCPI_OPT_* bits: what the handshake agreed. */
    uint8_t snd_wscale;              /**< The peer's window-scale shift (RFC 7323), 0 without scaling. */
    uint8_t rcv_wscale;              /**< Our window-scale shift, 0 without scaling. */
};
/** synack_tcp_info.options: RFC 7323 timestamps are on (Linux's tcpi_options value). */
#define SYNACK_TCPI_OPT_TIMESTAMPS 1u
/** synack_tcp_info.options: RFC 2018 selective acknowledgments are on. */
#define SYNACK_TCPI_OPT_SACK 2u
/** synack_tcp_info.options: RFC 7323 window scaling is on. */
#define SYNACK_TCPI_OPT_WSCALE 4u
/** A snapshot of a TCP socket's connection.
 * @param st   the stack
 * @param sock a stream socket
 * @param out  the snapshot
 * @return 0; -EBADF, -EOPNOTSUPP (a datagram socket) */
SYNACK_API int synack_tcp_info(synack_stack_t *st, int sock, struct synack_tcp_info *out);
/** What synack_tcp_foreach() calls for each connection.
 * @param arg  the pointer given to synack_tcp_foreach()
 * @param info the connection's snapshot, valid for the call only */
typedef void (*synack_tcp_iter_fn)(void *arg, const struct synack_tcp_info *info);
/** Calls fn for every TCP connection of the stack: listeners, half-open, established, orphaned and
 * TIME-WAIT ones (the `ss -tan` view). fn must not call into the stack.
 * @param st  the stack
 * @param fn  called once per connection
 * @param arg passed to @p fn */
SYNACK_API void synack_tcp_foreach(synack_stack_t *st, synack_tcp_iter_fn fn, void *arg);

/** How much of the peer's urgent data remains to be read (RFC 9293 3.8.5, MUST-33; as SIOCATMARK
 * tells whether the read position is at the mark). Urgent data stays inline, in the stream
 * synack_recv() reads (as SO_OOBINLINE; RFC 6093 5): the peer's urgent pointer marks where it ends,
 * the octet following the urgent data (RFC 9293 MUST-62). While some is pending the socket's events
 * include SYNACK_EV_PRI.
 * @param st   the stack
 * @param sock a stream socket
 * @return the octets from the read position up to the end of the urgent data (reading that many
 *         reaches the mark; the last of them is the octet Linux's SIOCATMARK reports as the mark),
 *         received or still to come; 0 when no urgent data is pending (none arrived, or all of it
 *         was read); -EBADF, -EOPNOTSUPP (a datagram socket) */
SYNACK_API int synack_tcp_urgent(synack_stack_t *st, int sock);

/** A socket's current readiness.
 * @param st   the stack
 * @param sock the socket
 * @return SYNACK_EV_* bits; SYNACK_EV_ERR for a handle that is not an open socket */
SYNACK_API unsigned synack_socket_events(synack_stack_t *st, int sock);
/** Registers the function called when the socket's readiness may have changed (see
 * synack_socket_handler_fn). One handler per socket; an accepted socket starts with none.
 * @param st   the stack
 * @param sock the socket
 * @param fn   the handler; NULL removes it
 * @param arg  passed to @p fn
 * @return 0 or -EBADF */
SYNACK_API int synack_socket_set_handler(synack_stack_t *st, int sock,
                                         synack_socket_handler_fn fn, void *arg);
/** Returns and clears the pending error, like getsockopt(SO_ERROR): how a connect failed
 * (-ECONNREFUSED, -ETIMEDOUT, -EHOSTUNREACH), a reset (-ECONNRESET), an ICMP error on a connected
 * UDP socket.
 * @param st   the stack
 * @param sock the socket
 * @return the pending error (negative), 0 if none, or -EBADF */
SYNACK_API int synack_socket_error(synack_stack_t *st, int sock);

#ifdef __cplusplus
}
#endif

#endif
