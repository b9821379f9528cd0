/* Name-resolution failures in words, the same for every command that resolves (nc, get, resolve):
 * apps/dns reports them as errno values (resolver.h), which strerror would misname ("No such file
 * or directory" for NXDOMAIN, "Connection refused" for a server's REFUSED).
 *
 * The resolver folds every server failure into one -ECONNREFUSED: a REFUSED or SERVFAIL answer
 * (or NOTIMP, FORMERR, a referral) and an ICMP error about the query alike. Which one it was is
 * in the frames the stack received, so a command lets a watch see them (devrun_watch_dns) and
 * the text names what the servers said. */
#ifndef TOOLS_DNSERR_H
#define TOOLS_DNSERR_H

#include <stddef.h>
#include <stdint.h>

#include "synack/synack.h"

/* A server's failure that the resolver counts as a refusal. */
enum dns_seen_kind {
    DNS_SEEN_REFUSED = 1,     /* RCODE 5 (RFC 1035 4.1.1) */
    DNS_SEEN_SERVFAIL,        /* RCODE 2 */
    DNS_SEEN_NOTIMP,          /* RCODE 4 */
    DNS_SEEN_FORMERR,         /* RCODE 1 */
    DNS_SEEN_RCODE,           /* another RCODE but NOERROR and NXDOMAIN (code holds it) */
    DNS_SEEN_PORT_UNREACH,    /* ICMP port unreachable about a query (RFC 1122 4.1.3.1) */
    DNS_SEEN_UNREACH,         /* another ICMP destination unreachable (code holds it) */
};

#define DNS_WATCH_MAX 8

/* What the servers said since the last reset: each server and failure once, in the order seen. */
struct dns_watch {
    struct dns_seen {
        uint32_t server;      /* IPv4, host order: the answer's source or the ICMP error's subject */
        uint8_t kind;         /* enum dns_seen_kind */
        uint8_t code;         /* the RCODE or the ICMP code, where the kind needs one */
    } seen[DNS_WATCH_MAX];
    int n;
};

/* Forgets what was seen: call when a lookup starts. */
void dns_watch_reset(struct dns_watch *w);
/* Looks at one trace event: a frame in (Ethernet or bare IPv4) that is a DNS response from port
 * 53 with an error RCODE, or an ICMP destination unreachable about a datagram to port 53. */
void dns_watch_event(struct dns_watch *w, const struct synack_trace_event *ev);

/* A short reason for a dns_result err: "NXDOMAIN: no such name", ... With w (may be NULL) a
 * refusal names each server and what it said ("DNS server 192.0.2.1 refused (REFUSED); no DNS
 * server at 192.0.2.5 (ICMP port unreachable)"), written to buf (cap bytes); else a constant. */
const char *dns_err_describe(int err, const struct dns_watch *w, char *buf, size_t cap);
/* The same without a watch. */
const char *dns_err_text(int err);

#endif
