/* The errno values synack's calls return (negated), as SYNACK_E* names for programs built without
 * <errno.h> (an embedded target). They are Linux's numbers; on Linux they equal <errno.h>'s E*
 * (the OS library checks it at compile time), so a program there may use either. */
#ifndef SYNACK_ERRNO_H
#define SYNACK_ERRNO_H

#define SYNACK_EPERM 1
#define SYNACK_ENOENT 2
#define SYNACK_EINTR 4
#define SYNACK_EIO 5
#define SYNACK_EBADF 9
#define SYNACK_EAGAIN 11
#define SYNACK_ENOMEM 12
#define SYNACK_EACCES 13
#define SYNACK_EBUSY 16
#define SYNACK_EEXIST 17
#define SYNACK_ENODEV 19
#define SYNACK_EINVAL 22
#define SYNACK_ENOSPC 28
#define SYNACK_EPIPE 32
#define SYNACK_EPROTO 71
#define SYNACK_EBADMSG 74
#define SYNACK_EDESTADDRREQ 89
#define SYNACK_EMSGSIZE 90
#define SYNACK_ENOPROTOOPT 92
#define SYNACK_EPROTONOSUPPORT 93
#define SYNACK_EOPNOTSUPP 95
#define SYNACK_EAFNOSUPPORT 97
#define SYNACK_EADDRINUSE 98
#define SYNACK_EADDRNOTAVAIL 99
#define SYNACK_ENETDOWN 100
#define SYNACK_ENETUNREACH 101
#define SYNACK_ECONNABORTED 103
#define SYNACK_ECONNRESET 104
#define SYNACK_ENOBUFS 105
#define SYNACK_EISCONN 106
#define SYNACK_ENOTCONN 107
#define SYNACK_ESHUTDOWN 108
#define SYNACK_ETIMEDOUT 110
#define SYNACK_ECONNREFUSED 111
#define SYNACK_EHOSTUNREACH 113
#define SYNACK_EALREADY 114
#define SYNACK_EINPROGRESS 115
#define SYNACK_ENOTSUP SYNACK_EOPNOTSUPP
#define SYNACK_EWOULDBLOCK SYNACK_EAGAIN

#endif
