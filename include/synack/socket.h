/* The socket API: BSD-shaped, non-blocking, over the stack's UDP and TCP.
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

enum synack_sock_type {
    SYNACK_SOCK_STREAM = 1,   /* TCP */
    SYNACK_SOCK_DGRAM = 2,    /* UDP */
};

/* Readiness bits, like poll(2). */
#define SYNACK_EV_IN   0x1u   /* readable: data, a pending connection, EOF or error */
#define SYNACK_EV_OUT  0x4u   /* writable (or connected, for a pending connect) */
#define SYNACK_EV_ERR  0x8u   /* an error is pending (synack_socket_error) */
#define SYNACK_EV_HUP  0x10u  /* both directions closed */
#define SYNACK_EV_RDHUP 0x2000u /* the peer closed its direction (FIN received) */

/* `now` is the time of the entry point that raised the event (synack_if_input, synack_stack_poll, or
 * the API call): a handler passes it to the calls it makes and never reads a clock of its own, so a
 * simulated run stays a pure function of its inputs. */
typedef void (*synack_socket_handler_fn)(synack_stack_t *st, int sock, unsigned events, void *arg,
                                         synack_time_t now);

SYNACK_API int synack_socket(synack_stack_t *st, enum synack_sock_type type);
/* Port 0 picks a random ephemeral port (RFC 6056). addr 0 means any local address. */
SYNACK_API int synack_bind(synack_stack_t *st, int sock, const struct synack_sockaddr *local);
SYNACK_API int synack_getsockname(synack_stack_t *st, int sock, struct synack_sockaddr *out);
SYNACK_API int synack_getpeername(synack_stack_t *st, int sock, struct synack_sockaddr *out);
SYNACK_API int synack_close(synack_stack_t *st, int sock, synack_time_t now);

/* UDP. sendto returns bytes sent; recvfrom returns the datagram's length (truncated to cap, like
 * recvfrom without MSG_TRUNC) or -EAGAIN. */
SYNACK_API int synack_sendto(synack_stack_t *st, int sock, const void *data, size_t len,
                             const struct synack_sockaddr *dst, synack_time_t now);
SYNACK_API int synack_recvfrom(synack_stack_t *st, int sock, void *buf, size_t cap,
                               struct synack_sockaddr *src, synack_time_t now);

/* Connects a UDP socket (sets the default destination, filters the source) or starts a TCP
 * connection: returns -EINPROGRESS at once; the socket becomes writable (EV_OUT) when connected, or
 * reports the failure through synack_socket_error (ECONNREFUSED, ETIMEDOUT, ...). */
SYNACK_API int synack_connect(synack_stack_t *st, int sock, const struct synack_sockaddr *peer, synack_time_t now);

/* ---- TCP ---- */

/* Starts listening. backlog bounds both the SYN queue (half-open) and the accept queue. */
SYNACK_API int synack_listen(synack_stack_t *st, int sock, int backlog);
/* Returns a new socket for an established connection, or -EAGAIN. */
SYNACK_API int synack_accept(synack_stack_t *st, int sock, struct synack_sockaddr *peer, synack_time_t now);
/* Queues data for sending; returns the bytes accepted (may be fewer than len), -EAGAIN when the
 * send buffer is full, -EPIPE after shutdown(SHUT_WR) or a reset. */
SYNACK_API int synack_send(synack_stack_t *st, int sock, const void *data, size_t len, synack_time_t now);
/* synack_send with flags. SYNACK_MSG_MORE (TCP): more data follows at once, so a partial segment
 * is held as under SYNACK_TCP_CORK until a send without the flag (or 200 ms) lets it go. Unknown
 * flags, and any flag on a UDP socket, are -EINVAL. */
#define SYNACK_MSG_MORE 0x8000u
SYNACK_API int synack_send_flags(synack_stack_t *st, int sock, const void *data, size_t len, unsigned flags,
                                 synack_time_t now);
/* Reads received data; returns bytes read, 0 at end of stream (the peer's FIN), -EAGAIN when
 * nothing is there yet, or the connection's error (-ECONNRESET ...). */
SYNACK_API int synack_recv(synack_stack_t *st, int sock, void *buf, size_t cap, synack_time_t now);
#define SYNACK_SHUT_RD 0
#define SYNACK_SHUT_WR 1
#define SYNACK_SHUT_RDWR 2
SYNACK_API int synack_shutdown(synack_stack_t *st, int sock, int how, synack_time_t now);

/* Socket options (integer values). */
enum synack_sockopt {
    SYNACK_SO_RCVBUF = 1,       /* receive buffer bytes (TCP: bounds the advertised window) */
    SYNACK_SO_SNDBUF,           /* send buffer bytes */
    SYNACK_SO_LINGER,           /* -1: off (default); 0: close() aborts with RST; N>0 is treated as off */
    SYNACK_SO_KEEPALIVE,        /* 0/1 (RFC 1122 4.2.3.6; off by default) */
    SYNACK_SO_REUSEADDR,        /* 0/1: bind even if TIME-WAIT connections hold the port */
    SYNACK_TCP_NODELAY,         /* 0/1: disable Nagle (RFC 896) */
    SYNACK_TCP_KEEPIDLE,        /* seconds idle before the first probe (default 7200) */
    SYNACK_TCP_KEEPINTVL,       /* seconds between probes (default 75) */
    SYNACK_TCP_KEEPCNT,         /* unanswered probes before the connection is dropped (default 9) */
    SYNACK_TCP_MAXSEG,          /* MSS to announce (before connect/listen) */
    SYNACK_TCP_USER_TIMEOUT,    /* ms of unacknowledged data before giving up (0: retry limit) */
    SYNACK_TCP_DELACK,          /* 0/1: delayed ACKs (default 1) */
    SYNACK_TCP_RTO_MIN,         /* ms, minimum RTO (default 200) */
    SYNACK_TCP_CONGESTION,      /* the module's index in synack_tcp_congestion_names' list (0 cubic,
                                   1 reno); by name: synack_tcp_set_congestion */
    SYNACK_IP_TOS,              /* 0..255: the IPv4 TOS byte (DSCP and ECN, RFC 2474, RFC 3168) of every
                                   datagram the socket sends; TCP keeps the two ECN bits its own (0, it
                                   does not do ECN) and a listener's children inherit it. UDP too */
    SYNACK_TCP_CORK,            /* 0/1: while set only full-sized segments are sent; clearing it sends
                                   what was held; held data still goes after 200 ms (as Linux) */
    SYNACK_TCP_QUICKACK,        /* 1: leave interactive mode, so quick ACKs (if any are left) resume
                                   and an ACK owed goes now; 0: enter it, ACKs are delayed until one
                                   has to go alone (Linux's TCP_QUICKACK, equally not sticky) */
};
/* Takes `now` because setting an option may transmit (TCP_NODELAY sends what Nagle held back) or
 * re-arm a timer (the keepalive options). */
SYNACK_API int synack_setsockopt(synack_stack_t *st, int sock, enum synack_sockopt opt, int value, synack_time_t now);
SYNACK_API int synack_getsockopt(synack_stack_t *st, int sock, enum synack_sockopt opt, int *value);

/* Congestion control by name, like Linux's TCP_CONGESTION: "cubic" (RFC 9438 with HyStart++, the
 * default) or "reno" (NewReno, RFC 5681 and RFC 6582). -ENOENT for an unknown name. A listener's
 * choice passes to its accepted connections; on an established connection the new module starts
 * from the current window. synack_tcp_congestion_names lists the known names, space-separated. */
SYNACK_API int synack_tcp_set_congestion(synack_stack_t *st, int sock, const char *name, synack_time_t now);
SYNACK_API int synack_tcp_get_congestion(synack_stack_t *st, int sock, char *buf, size_t cap);
SYNACK_API const char *synack_tcp_congestion_names(char *buf, size_t cap);

/* RFC 9293 3.3.2 states. */
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
/* "ESTABLISHED", "SYN-SENT", ... as RFC 9293 spells them. */
SYNACK_API const char *synack_tcp_state_name(int state);

/* A snapshot of one TCP connection, like Linux's tcp_info. Times in microseconds. */
struct synack_tcp_info {
    int state;                       /* enum synack_tcp_state */
    struct synack_sockaddr local, remote;
    int sock;                        /* socket id, or -1 if the application has closed it */
    uint32_t conn_id;
    uint32_t rtt, rttvar, rto;       /* smoothed RTT, variance, current RTO */
    uint32_t snd_mss, rcv_mss;
    uint32_t cwnd, ssthresh;         /* bytes */
    uint32_t snd_wnd, rcv_wnd;       /* bytes */
    uint32_t retransmits;            /* consecutive timeouts now */
    uint64_t total_retrans;          /* segments retransmitted over the connection's life */
    uint64_t bytes_sent, bytes_acked, bytes_received;
    uint32_t send_q, recv_q;         /* bytes waiting in the send buffer (unacked + unsent) / receive buffer */
    uint32_t backlog, max_backlog;   /* LISTEN: accept queue length and limit */
    uint32_t syn_queue;              /* LISTEN: half-open connections */
    int timer;                       /* 0 none, 1 retransmit, 2 persist, 3 keepalive, 4 time-wait */
    synack_time_t timer_expires;     /* absolute, 0 if none */
    char congestion[16];             /* the congestion-control module's name */
    unsigned ca_state;               /* 0 open, 1 recovery (NewReno fast recovery) */
};
SYNACK_API int synack_tcp_info(synack_stack_t *st, int sock, struct synack_tcp_info *out);
/* Calls fn for every TCP connection of the stack: listeners, half-open, established, orphaned and
 * TIME-WAIT ones (the `ss -tan` view). */
typedef void (*synack_tcp_iter_fn)(void *arg, const struct synack_tcp_info *info);
SYNACK_API void synack_tcp_foreach(synack_stack_t *st, synack_tcp_iter_fn fn, void *arg);

SYNACK_API unsigned synack_socket_events(synack_stack_t *st, int sock);
SYNACK_API int synack_socket_set_handler(synack_stack_t *st, int sock,
                                         synack_socket_handler_fn fn, void *arg);
/* Returns and clears the pending error (0 if none), like SO_ERROR. */
SYNACK_API int synack_socket_error(synack_stack_t *st, int sock);

#ifdef __cplusplus
}
#endif

#endif
