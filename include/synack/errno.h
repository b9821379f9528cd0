/** @file
 * The errno values synack's calls return (negated), as SYNACK_E* names for programs built without
 * <errno.h> (an embedded target). They are Linux's numbers; on Linux they equal <errno.h>'s E*
 * (the OS library checks it at compile time), so a program there may use either. Every call that
 * can fail returns 0 or a non-negative result on success and one of these, negated, on failure,
 * with the meaning BSD sockets give it; synack_strerror() and synack_errname() name them. */
#ifndef SYNACK_ERRNO_H
#define SYNACK_ERRNO_H

#define SYNACK_EPERM 1 /**< Operation not permitted. */
#define SYNACK_ENOENT 2 /**< No such file or directory (or: no such name, e.g. an unknown congestion-control module). */
#define SYNACK_EINTR 4 /**< Interrupted system call. */
#define SYNACK_EIO 5 /**< Input/output error. */
#define SYNACK_EBADF 9 /**< Bad file descriptor: not an open socket of this stack (a closed socket's handle stays invalid even after its slot is reused). */
#define SYNACK_EAGAIN 11 /**< Resource temporarily unavailable: nothing to read, no room to send, no connection to accept yet; try again after the socket's next event. */
#define SYNACK_ENOMEM 12 /**< Cannot allocate memory: the stack's allocator returned NULL. */
#define SYNACK_EACCES 13 /**< Permission denied. */
#define SYNACK_EBUSY 16 /**< Device or resource busy. */
#define SYNACK_EEXIST 17 /**< File exists. */
#define SYNACK_ENODEV 19 /**< No such device. */
#define SYNACK_EINVAL 22 /**< Invalid argument. */
#define SYNACK_ENOSPC 28 /**< No space left: a table or a caller's buffer is full. */
#define SYNACK_EPIPE 32 /**< Broken pipe: sending after shutdown(SHUT_WR) or a reset. */
#define SYNACK_EPROTO 71 /**< Protocol error. */
#define SYNACK_EBADMSG 74 /**< Bad message. */
#define SYNACK_EDESTADDRREQ 89 /**< Destination address required: a send on an unconnected datagram socket without an address. */
#define SYNACK_EMSGSIZE 90 /**< Message too long. */
#define SYNACK_ENOPROTOOPT 92 /**< Protocol not available: an option the socket's protocol does not have. */
#define SYNACK_EPROTONOSUPPORT 93 /**< Protocol not supported. */
#define SYNACK_EOPNOTSUPP 95 /**< Operation not supported on the socket (e.g. listen on a datagram socket). */
#define SYNACK_EAFNOSUPPORT 97 /**< Address family not supported (IPv6 where the stack has only IPv4). */
#define SYNACK_EADDRINUSE 98 /**< Address already in use. */
#define SYNACK_EADDRNOTAVAIL 99 /**< Cannot assign requested address: not one of the stack's addresses, or no ephemeral port free. */
#define SYNACK_ENETDOWN 100 /**< Network is down. */
#define SYNACK_ENETUNREACH 101 /**< Network is unreachable: no route. */
#define SYNACK_ECONNABORTED 103 /**< Software caused connection abort. */
#define SYNACK_ECONNRESET 104 /**< Connection reset by peer. */
#define SYNACK_ENOBUFS 105 /**< No buffer space available. */
#define SYNACK_EISCONN 106 /**< Transport endpoint is already connected. */
#define SYNACK_ENOTCONN 107 /**< Transport endpoint is not connected. */
#define SYNACK_ESHUTDOWN 108 /**< Cannot send after transport endpoint shutdown. */
#define SYNACK_ETIMEDOUT 110 /**< Connection timed out: retransmissions (or keep-alive probes, or TCP_USER_TIMEOUT) ran out. */
#define SYNACK_ECONNREFUSED 111 /**< Connection refused: the peer answered the SYN with a reset, or an ICMP port unreachable. */
#define SYNACK_EHOSTUNREACH 113 /**< No route to host: ARP resolution gave up, or an ICMP host unreachable. */
#define SYNACK_EALREADY 114 /**< Operation already in progress: a connect on a socket already connecting. */
#define SYNACK_EINPROGRESS 115 /**< Operation now in progress: what synack_connect() returns on a TCP socket; the result comes as an event. */
#define SYNACK_ENOTSUP SYNACK_EOPNOTSUPP /**< The same value as SYNACK_EOPNOTSUPP, as on Linux. */
#define SYNACK_EWOULDBLOCK SYNACK_EAGAIN /**< The same value as SYNACK_EAGAIN, as on Linux. */

#endif
