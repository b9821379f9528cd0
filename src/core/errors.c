/* One table of error names and messages for the negative errno values synack returns (the
 * address helpers are in addr.c). */
#include "base/errno.h"
#include "base/mem.h"

#include "synack/types.h"

struct err_entry {
    int code;
    const char *name, *msg;
};

static const struct err_entry err_table[] = {
    { 0, "OK", "Success" },
    { EPERM, "EPERM", "Operation not permitted" },
    { ENOENT, "ENOENT", "No such file or directory" },
    { EINTR, "EINTR", "Interrupted" },
    { EIO, "EIO", "Input/output error" },
    { EBADF, "EBADF", "Bad socket descriptor" },
    { EAGAIN, "EAGAIN", "Resource temporarily unavailable" },
    { ENOMEM, "ENOMEM", "Out of memory" },
    { EACCES, "EACCES", "Permission denied" },
    { EBUSY, "EBUSY", "Device or resource busy" },
    { EEXIST, "EEXIST", "Already exists" },
    { ENODEV, "ENODEV", "No such device" },
    { EINVAL, "EINVAL", "Invalid argument" },
    { ENOSPC, "ENOSPC", "No space left" },
    { EPIPE, "EPIPE", "Broken pipe" },
    { EMSGSIZE, "EMSGSIZE", "Message too long" },
    { ENOPROTOOPT, "ENOPROTOOPT", "Protocol not available" },
    { EPROTONOSUPPORT, "EPROTONOSUPPORT", "Protocol not supported" },
    { EOPNOTSUPP, "EOPNOTSUPP", "Operation not supported" },
    { EAFNOSUPPORT, "EAFNOSUPPORT", "Address family not supported" },
    { EADDRINUSE, "EADDRINUSE", "Address already in use" },
    { EADDRNOTAVAIL, "EADDRNOTAVAIL", "Cannot assign requested address" },
    { ENETDOWN, "ENETDOWN", "Network is down" },
    { ENETUNREACH, "ENETUNREACH", "Network is unreachable" },
    { ECONNABORTED, "ECONNABORTED", "Software caused connection abort" },
    { ECONNRESET, "ECONNRESET", "Connection reset by peer" },
    { ENOBUFS, "ENOBUFS", "No buffer space available" },
    { EISCONN, "EISCONN", "Transport endpoint is already connected" },
    { ENOTCONN, "ENOTCONN", "Transport endpoint is not connected" },
    { ESHUTDOWN, "ESHUTDOWN", "Cannot send after transport endpoint shutdown" },
    { ETIMEDOUT, "ETIMEDOUT", "Connection timed out" },
    { ECONNREFUSED, "ECONNREFUSED", "Connection refused" },
    { EHOSTUNREACH, "EHOSTUNREACH", "No route to host" },
    { EALREADY, "EALREADY", "Operation already in progress" },
    { EINPROGRESS, "EINPROGRESS", "Operation now in progress" },
    { EBADMSG, "EBADMSG", "Bad message" },
    { EPROTO, "EPROTO", "Protocol error" },
    { ENOTSUP == EOPNOTSUPP ? -1 : ENOTSUP, "ENOTSUP", "Not supported" },
    { EDESTADDRREQ, "EDESTADDRREQ", "Destination address required" },
};

static const struct err_entry *err_find(int err)
{
    int code = err < 0 ? -err : err;
    for (size_t i = 0; i < sizeof(err_table) / sizeof(err_table[0]); i++)
        if (err_table[i].code == code)
            return &err_table[i];
    return NULL;
}

const char *synack_strerror(int err)
{
    const struct err_entry *e = err_find(err);
    return e ? e->msg : "Unknown error";
}

const char *synack_errname(int err)
{
    const struct err_entry *e = err_find(err);
    return e ? e->name : "E?";
}
