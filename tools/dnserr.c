/* Name-resolution failures in words (see dnserr.h). */
#include "dnserr.h"

#include <errno.h>

#include "synack/synack.h"

const char *dns_err_text(int err)
{
    switch (err) {
    case -ENOENT: return "NXDOMAIN: no such name";
    case -ENODATA: return "no A record: the name has no IPv4 address";
    case -ETIMEDOUT: return "no answer: DNS server timed out";
    case -ECONNREFUSED: return "DNS server refused (REFUSED, SERVFAIL or port unreachable)";
    case -EBADMSG: return "malformed answers from the DNS server";
    case -EMSGSIZE: return "truncated answer from the DNS server";
    case -ELOOP: return "CNAME chain too long";
    case -EDESTADDRREQ: return "not in the hosts file, and no DNS server (--dns or /etc/resolv.conf)";
    default: return synack_strerror(err);
    }
}
