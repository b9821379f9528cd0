/* Name-resolution failures in words (see dnserr.h). */
#include "dnserr.h"

#include <errno.h>

#include "synack/synack.h"

const char *dns_err_text(int err)
{
    switch (err) {
    case -ENOENT: return "NXDOMAIN: no such name";
    case -ENODATA: return "no A record: the name has no IPv4 address";
    case -ETIMEDOUT: return "no answer: the DNS servers timed out";
    case -ECONNREFUSED: return "DNS server refused (REFUSED, SERVFAIL or port unreachable)";
    case -EBADMSG: return "the DNS servers sent only malformed answers";
    case -EMSGSIZE: return "the answer was truncated (TC) and the query over TCP failed";
    case -ELOOP: return "CNAME chain too long";
    case -EDESTADDRREQ: return "not in the hosts file, and no DNS server configured (--dns A.B.C.D)";
    default: return synack_strerror(err);
    }
}
