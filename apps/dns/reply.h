/* The stub resolver's reading of one response, as a pure function (tests and the fuzzer call it
 * directly): is it the answer to our query, and what does it say?
 *
 * RFC 5452 9.1: a response is ours only if it is a response (QR), carries our ID, and repeats our
 * question (name ignoring case, type, class IN); anything else is ignored and counted, never
 * believed. The resolver also checks the source address and port before calling this. Then:
 * TC set -> truncated (the resolver asks again over TCP; also when the records after our question
 * were cut without their counts being fixed); SERVFAIL, REFUSED, NOTIMP, FORMERR or a referral (a server that cannot
 * recurse for us) -> try another server; otherwise the CNAME chain in the answer section is
 * followed from the question's name (at most max_links links; records off the chain are ignored,
 * RFC 5452 6) to records of the type asked (A, or AAAA: RFC 3596), NXDOMAIN (whose RCODE speaks for the end of the chain, RFC 6604),
 * NODATA (RFC 2308 2.2), or a chain the server did not finish, which the resolver restarts from
 * its last name (RFC 1034 5.3.3). */
#ifndef APPS_DNS_REPLY_H
#define APPS_DNS_REPLY_H

#include <stddef.h>
#include <stdint.h>

#include "msg.h"
#include "synack/types.h"

enum dns_reply_kind {
    DNS_REPLY_IGNORE = 0,     /* not the answer to this query (wrong ID, question, or a query) */
    DNS_REPLY_MALFORMED,      /* the parser rejected it */
    DNS_REPLY_ADDRS,          /* records of the type asked found at the end of the chain */
    DNS_REPLY_NXDOMAIN,
    DNS_REPLY_NODATA,
    DNS_REPLY_CNAME,          /* the chain stops at `canonical` with nothing more: ask again for it */
    DNS_REPLY_TRUNCATED,
    DNS_REPLY_SERVER_FAIL,    /* SERVFAIL, REFUSED, NOTIMP, FORMERR, other RCODEs, referrals */
    DNS_REPLY_LOOP,           /* more than max_links CNAME links */
};

#define DNS_REPLY_MAX_ADDRS 16

struct dns_reply {
    enum dns_reply_kind kind;
    int rcode;
    struct synack_ip addrs[DNS_REPLY_MAX_ADDRS];   /* A (IPv4-mapped) or AAAA records: answer order, no
                                                  * duplicates; none for other types */
    int naddrs;
    uint32_t ttl;                          /* the smallest TTL of the records used (one with the top
                                            * bit set counts as 0, RFC 2181 8) */
    uint32_t neg_ttl;                      /* NXDOMAIN, NODATA: min(SOA TTL, SOA MINIMUM) of the SOA
                                            * in authority (RFC 2308 3, 5); UINT32_MAX if none */
    struct dns_name canonical;             /* the last name of the chain followed */
    int links;                             /* CNAME links followed in this response */
};

/* Reads the response p[0..len) to a query with `id` for (qname, qtype, IN). */
void dns_reply_read(const uint8_t *p, size_t len, uint16_t id, const struct dns_name *qname, uint16_t qtype,
                    int max_links, struct dns_reply *out);

#endif
