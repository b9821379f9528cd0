/* The stub resolver: names to addresses (A and AAAA records, RFC 3596), the way a host does it — the hosts file first, then
 * its cache, then DNS over the stack's own UDP (RFC 1034 5.3, RFC 1035). Queries carry an EDNS(0)
 * OPT record offering DNS_EDNS_UDP bytes (RFC 6891 6.2.5); a truncated answer (TC) is asked again
 * over TCP (RFC 7766 5, RFC 1035 4.2.2: a two-byte length before the message). Answers and negative
 * answers are cached (cache.h: for their TTL, RFC 2308 3 and 5 for the negative ones), so a lookup
 * of the same name within the TTL sends nothing. Asynchronous and driven by the stack:
 * queries go out through a synack UDP socket, timeouts use synack timers, and the answer comes back
 * through a callback that runs like a socket handler (after the stack's processing).
 *
 * Both families by default, as getaddrinfo() with AF_UNSPEC: an A and an AAAA query go out side by
 * side (each with its own retries, CNAME chain, TCP fallback and cache entry per (name, type)), and
 * the lookup ends when both have; their addresses are merged, IPv6 first when the stack has an IPv6
 * address of more than link-local scope, IPv4 first otherwise (order.h). A name with addresses of
 * one family only is an answer, not a failure. config.family asks for one family only. */
#ifndef APPS_DNS_RESOLVER_H
#define APPS_DNS_RESOLVER_H

#include <stdint.h>

#include "synack/synack.h"

#define DNS_MAX_SERVERS 4
#define DNS_MAX_ADDRS 16
#define DNS_CNAME_CHAIN_MAX 8   /* CNAME links followed per lookup, across restarts */

struct dns_resolver_config {
    struct synack_ip servers[DNS_MAX_SERVERS];   /* tried in turn (either family) */
    int nservers;
    const char *hosts_path;              /* NULL: no hosts file; e.g. "/etc/hosts" */
    synack_time_t timeout;               /* per attempt (0: 2 s) */
    int attempts;                        /* rounds over the servers (0: 2) */
    int cache_size;                      /* (name, type) outcomes cached (0: DNS_CACHE_DEFAULT; negative: none) */
    int family;                          /* 0: both (A and AAAA), 4: A only, 6: AAAA only */
};

#define DNS_EDNS_UDP 1232                /* our UDP payload size (the DNS flag day 2020 figure) */

/* Why a lookup failed: each outcome its own code, in a range of its own below every errno value
 * (so a code is never mistaken for one, and a caller that passes an errno through still can).
 * A server's RCODE (RFC 1035 4.1.1, RFC 6895 2.3) is DNS_E_RCODE(rc): FORMERR, SERVFAIL, NOTIMP,
 * REFUSED and the rest; NXDOMAIN is the name's answer, not a failure of the server, but is reported
 * the same way. dns_errname() and dns_strerror() name them; dns_err_rcode() gives the RCODE back. */
#define DNS_E_BASE 4096
#define DNS_E_RCODE(rc) (-(DNS_E_BASE + (rc)))
enum dns_error {
    DNS_E_FORMERR = DNS_E_RCODE(1),      /* the server could not read our query */
    DNS_E_SERVFAIL = DNS_E_RCODE(2),     /* the server failed to get an answer */
    DNS_E_NXDOMAIN = DNS_E_RCODE(3),     /* the name does not exist */
    DNS_E_NOTIMP = DNS_E_RCODE(4),       /* the server does not do this kind of query */
    DNS_E_REFUSED = DNS_E_RCODE(5),      /* the server will not answer us */
    /* DNS_E_RCODE(6..15): the other RCODEs */
    DNS_E_NODATA = -(DNS_E_BASE + 16),   /* the name exists but has no record of the types asked
                                          * (A, AAAA or both; RFC 2308 2.2) */
    DNS_E_TIMEOUT = -(DNS_E_BASE + 17),  /* no server answered in time */
    DNS_E_UNREACH = -(DNS_E_BASE + 18),  /* every server's answer was an ICMP error (port unreachable:
                                          * nothing listens on 53; host unreachable: ARP gave up) */
    DNS_E_TRUNCATED = -(DNS_E_BASE + 19),  /* truncated (TC) over UDP, and the query over TCP failed */
    DNS_E_MALFORMED = -(DNS_E_BASE + 20),  /* only malformed answers */
    DNS_E_REFERRAL = -(DNS_E_BASE + 21),   /* a referral (NS records only): the server does not recurse */
    DNS_E_LOOP = -(DNS_E_BASE + 22),       /* a CNAME chain longer than DNS_CNAME_CHAIN_MAX */
    DNS_E_NOSERVER = -(DNS_E_BASE + 23),   /* no servers configured and the name not in the hosts file */
    DNS_E_LAST = DNS_E_NOSERVER       /* the lowest */
};

/* One server's failure in a lookup: its address, its dns_error, and for DNS_E_UNREACH the errno the
 * ICMP error gave the socket (-ECONNREFUSED for port unreachable, -EHOSTUNREACH, ...). */
struct dns_server_error {
    struct synack_ip server;
    int err;
    int sys_err;
};

/* The outcome of one lookup. err is 0 or a dns_error (above); a negative errno only where the
 * resolver could not run the lookup at all (-ENOMEM).
 *
 * When servers fail differently the lookup's err is the most telling of their failures: a server's
 * RCODE before an ICMP error, before a malformed answer, before silence (DNS_E_TIMEOUT); among
 * equals, the latest. fails lists each server that failed, once, with its latest failure, in the
 * order they first failed (servers that never answered as DNS_E_TIMEOUT).
 *
 * canonical is the end of the CNAME chain for answers, NXDOMAIN and NODATA alike (RFC 6604), in
 * RFC 1035 5.1 text form without the final dot.
 *
 * With both families asked, the lookup's outcome merges the two queries': addresses if either has
 * some; NXDOMAIN if both say so, NODATA if both are negative otherwise; else the most telling
 * failure of a query that failed (a negative answer from one and a timeout from the other is the
 * timeout: the other family's answer is unknown). fails lists each server once. */
struct dns_result {
    int err;
    struct synack_ip addrs[DNS_MAX_ADDRS];
    int naddrs;
    char canonical[256];                 /* the end of the CNAME chain (or the name itself) */
    int from_hosts;                      /* answered from the hosts file */
    int from_cache;                      /* answered from the cache */
    int over_tcp;                        /* the answer came over TCP (after a truncated one) */
    unsigned types;                      /* what was asked: DNS_ASKED_A | DNS_ASKED_AAAA */
    struct dns_server_error fails[DNS_MAX_SERVERS];
    int nfails;
};

#define DNS_ASKED_A 1u
#define DNS_ASKED_AAAA 2u

/* The name of a dns_error: "NXDOMAIN", "SERVFAIL", "REFUSED", "FORMERR", "NOTIMP", "RCODE6",
 * "NODATA", "TIMEOUT", "UNREACH", "TRUNCATED", "MALFORMED", "REFERRAL", "LOOP", "NOSERVER"; for
 * 0 "OK", for an errno value synack_errname's. */
const char *dns_errname(int err);
/* A sentence for a dns_error ("no such name", ...); for an errno value synack_strerror's. */
const char *dns_strerror(int err);
/* The RCODE a dns_error stands for (NXDOMAIN: 3, REFUSED: 5, ...), or -1 if it is no RCODE. */
int dns_err_rcode(int err);

/* `now`: the stack's time when the lookup ended (the callback runs in a synack timer callback). */
typedef void (*dns_result_fn)(void *arg, const struct dns_result *r, synack_time_t now);

struct dns_resolver;
struct dns_resolver *dns_resolver_new(synack_stack_t *st, const struct dns_resolver_config *cfg);
void dns_resolver_free(struct dns_resolver *r);   /* pending callbacks are not called */
/* Starts a lookup of `name` (a dotted name, or an address of either family, which answers at once). The callback
 * runs exactly once, never from inside this call. Returns 0 or a negative errno. */
int dns_resolve(struct dns_resolver *r, const char *name, dns_result_fn cb, void *arg, synack_time_t now);

/* Counters, for listings and tests. Dropped responses are counted here, never silently lost. */
struct dns_resolver_stats {
    uint64_t lookups;       /* dns_resolve calls accepted */
    uint64_t hosts_hits;    /* answered from the hosts file */
    uint64_t queries_sent;  /* datagrams sent, retries included */
    uint64_t retransmits;   /* of those, attempts after the first for a name */
    uint64_t restarts;      /* queries restarted at the end of an unfinished CNAME chain */
    uint64_t answers;       /* lookups that ended with addresses */
    uint64_t malformed;     /* responses dropped: the parser rejected them */
    uint64_t mismatched;    /* responses dropped: wrong ID, question, source, or not a response */
    uint64_t refused;       /* server failures: an error RCODE, a referral, an ICMP error */
    uint64_t truncated;     /* TC answers (each followed by a query over TCP) */
    uint64_t tcp_queries;   /* queries sent over TCP */
    uint64_t cache_hits;    /* lookups answered from the cache */
    uint64_t cache_stored;  /* answers and negative answers put in the cache */
    uint64_t timeouts;      /* lookups that ended with DNS_E_TIMEOUT */
};
void dns_resolver_stats(const struct dns_resolver *r, struct dns_resolver_stats *out);

/* Calls fn for every live cache entry: the name asked, the type (DNS_T_A, DNS_T_AAAA), its outcome
 * (err 0 with addresses, DNS_E_NXDOMAIN, DNS_E_NODATA) and the seconds it has left. */
void dns_resolver_cache_foreach(struct dns_resolver *r, synack_time_t now,
                                void (*fn)(void *arg, const char *name, uint16_t type, const struct dns_result *res,
                                           uint32_t ttl_left),
                                void *arg);

/* Reads "nameserver ADDRESS" lines (either family) of a resolv.conf into cfg->servers. Returns the count. */
int dns_read_resolv_conf(const char *path, struct dns_resolver_config *cfg);

#endif
