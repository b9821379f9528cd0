/* The errno names the core uses, without <errno.h> (the core includes no libc header): each E* is
 * the public SYNACK_E* (Linux's numbers; src/os/errno_check.c asserts they equal <errno.h>'s). A
 * name <errno.h> already defined is left alone. Include it from .c files only. */
#ifndef BASE_ERRNO_H
#define BASE_ERRNO_H

#include "synack/errno.h"

#ifndef EPERM
#define EPERM SYNACK_EPERM
#endif
#ifndef ENOENT
#define ENOENT SYNACK_ENOENT
#endif
#ifndef EINTR
#define EINTR SYNACK_EINTR
#endif
#ifndef EIO
#define EIO SYNACK_EIO
#endif
#ifndef EBADF
#define EBADF SYNACK_EBADF
#endif
#ifndef EAGAIN
#define EAGAIN SYNACK_EAGAIN
#endif
#ifndef ENOMEM
#define ENOMEM SYNACK_ENOMEM
#endif
#ifndef EACCES
#define EACCES SYNACK_EACCES
#endif
#ifndef EBUSY
#define EBUSY SYNACK_EBUSY
#endif
#ifndef EEXIST
#define EEXIST SYNACK_EEXIST
#endif
#ifndef ENODEV
#define ENODEV SYNACK_ENODEV
#endif
#ifndef EINVAL
#define EINVAL SYNACK_EINVAL
#endif
#ifndef ENOSPC
#define ENOSPC SYNACK_ENOSPC
#endif
#ifndef EPIPE
#define EPIPE SYNACK_EPIPE
#endif
#ifndef EPROTO
#define EPROTO SYNACK_EPROTO
#endif
#ifndef EBADMSG
#define EBADMSG SYNACK_EBADMSG
#endif
#ifndef EDESTADDRREQ
#define EDESTADDRREQ SYNACK_EDESTADDRREQ
#endif
#ifndef EMSGSIZE
#define EMSGSIZE SYNACK_EMSGSIZE
#endif
#ifndef ENOPROTOOPT
#define ENOPROTOOPT SYNACK_ENOPROTOOPT
#endif
#ifndef EPROTONOSUPPORT
#define EPROTONOSUPPORT SYNACK_EPROTONOSUPPORT
#endif
#ifndef EOPNOTSUPP
#define EOPNOTSUPP SYNACK_EOPNOTSUPP
#endif
#ifndef EAFNOSUPPORT
#define EAFNOSUPPORT SYNACK_EAFNOSUPPORT
#endif
#ifndef EADDRINUSE
#define EADDRINUSE SYNACK_EADDRINUSE
#endif
#ifndef EADDRNOTAVAIL
#define EADDRNOTAVAIL SYNACK_EADDRNOTAVAIL
#endif
#ifndef ENETDOWN
#define ENETDOWN SYNACK_ENETDOWN
#endif
#ifndef ENETUNREACH
#define ENETUNREACH SYNACK_ENETUNREACH
#endif
#ifndef ECONNABORTED
#define ECONNABORTED SYNACK_ECONNABORTED
#endif
#ifndef ECONNRESET
#define ECONNRESET SYNACK_ECONNRESET
#endif
#ifndef ENOBUFS
#define ENOBUFS SYNACK_ENOBUFS
#endif
#ifndef EISCONN
#define EISCONN SYNACK_EISCONN
#endif
#ifndef ENOTCONN
#define ENOTCONN SYNACK_ENOTCONN
#endif
#ifndef ESHUTDOWN
#define ESHUTDOWN SYNACK_ESHUTDOWN
#endif
#ifndef ETIMEDOUT
#define ETIMEDOUT SYNACK_ETIMEDOUT
#endif
#ifndef ECONNREFUSED
#define ECONNREFUSED SYNACK_ECONNREFUSED
#endif
#ifndef EHOSTUNREACH
#define EHOSTUNREACH SYNACK_EHOSTUNREACH
#endif
#ifndef EALREADY
#define EALREADY SYNACK_EALREADY
#endif
#ifndef EINPROGRESS
#define EINPROGRESS SYNACK_EINPROGRESS
#endif
#ifndef ENOTSUP
#define ENOTSUP SYNACK_ENOTSUP
#endif
#ifndef EWOULDBLOCK
#define EWOULDBLOCK SYNACK_EWOULDBLOCK
#endif

#endif
