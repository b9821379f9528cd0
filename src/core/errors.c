/* One table of error names and messages for the negative errno values synack returns, plus the
 * address helpers every layer and tool shares. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

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
    return e ? e->msg : strerror(err < 0 ? -err : err);   /* libc's words for the rest */
}

const char *synack_errname(int err)
{
    const struct err_entry *e = err_find(err);
    return e ? e->name : "E?";
}

/* Strict dotted quad: four decimal numbers 0..255 of 1 to 3 digits, dots between, nothing else
 * (sscanf would also take signs, spaces and trailing text). */
int synack_addr_parse(const char *text, uint32_t *out)
{
    if (!text)
        return -EINVAL;
    uint32_t a = 0;
    const char *p = text;
    for (int part = 0; part < 4; part++) {
        unsigned v = 0, digits = 0;
        while (*p >= '0' && *p <= '9' && digits < 4) {
            v = v * 10 + (unsigned)(*p++ - '0');
            digits++;
        }
        if (digits == 0 || digits > 3 || v > 255)
            return -EINVAL;
        a = (a << 8) | v;
        if (part < 3 && *p++ != '.')
            return -EINVAL;
    }
    if (*p)
        return -EINVAL;
    *out = a;
    return 0;
}

int synack_prefix_parse(const char *text, uint32_t *addr, uint8_t *prefix_len)
{
    char buf[32];
    const char *slash = text ? strchr(text, '/') : NULL;
    if (!slash || (size_t)(slash - text) >= sizeof(buf))
        return -EINVAL;
    memcpy(buf, text, (size_t)(slash - text));
    buf[slash - text] = 0;
    const char *q = slash + 1;
    unsigned p = 0, digits = 0;
    while (*q >= '0' && *q <= '9' && digits < 3) {
        p = p * 10 + (unsigned)(*q++ - '0');
        digits++;
    }
    if (digits == 0 || *q || p > 32)
        return -EINVAL;
    if (synack_addr_parse(buf, addr) != 0)
        return -EINVAL;
    *prefix_len = (uint8_t)p;
    return 0;
}

char *synack_addr_format(uint32_t a, char *buf, size_t cap)
{
    snprintf(buf, cap, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
    return buf;
}
