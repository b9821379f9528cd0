/* The public SYNACK_E* (synack/errno.h), which the core's E* (src/base/errno.h) stand for, are
 * Linux's numbers written down without <errno.h>: check here, where <errno.h> is at hand, that they
 * equal the OS's, so a -errno from the core means what it says to a program using <errno.h>. */
#include <errno.h>

#include "synack/errno.h"

#define SAME(e) _Static_assert(SYNACK_##e == e, #e " differs from <errno.h>")
SAME(EPERM);
SAME(ENOENT);
SAME(EINTR);
SAME(EIO);
SAME(EBADF);
SAME(EAGAIN);
SAME(ENOMEM);
SAME(EACCES);
SAME(EBUSY);
SAME(EEXIST);
SAME(ENODEV);
SAME(EINVAL);
SAME(ENOSPC);
SAME(EPIPE);
SAME(EPROTO);
SAME(EBADMSG);
SAME(EDESTADDRREQ);
SAME(EMSGSIZE);
SAME(ENOPROTOOPT);
SAME(EPROTONOSUPPORT);
SAME(EOPNOTSUPP);
SAME(EAFNOSUPPORT);
SAME(EADDRINUSE);
SAME(EADDRNOTAVAIL);
SAME(ENETDOWN);
SAME(ENETUNREACH);
SAME(ECONNABORTED);
SAME(ECONNRESET);
SAME(ENOBUFS);
SAME(EISCONN);
SAME(ENOTCONN);
SAME(ESHUTDOWN);
SAME(ETIMEDOUT);
SAME(ECONNREFUSED);
SAME(EHOSTUNREACH);
SAME(EALREADY);
SAME(EINPROGRESS);
SAME(ENOTSUP);
SAME(EWOULDBLOCK);

