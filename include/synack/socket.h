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

typedef void (*synack_socket_handler_fn)(synack_stack_t *st, int sock, unsigned events, void *arg);

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

SYNACK_API unsigned synack_socket_events(synack_stack_t *st, int sock);
SYNACK_API int synack_socket_set_handler(synack_stack_t *st, int sock,
                                         synack_socket_handler_fn fn, void *arg);
/* Returns and clears the pending error (0 if none), like SO_ERROR. */
SYNACK_API int synack_socket_error(synack_stack_t *st, int sock);

#endif
