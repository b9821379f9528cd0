/* A small authoritative DNS server on the stack's UDP and TCP (RFC 1034 4.3.2, RFC 1035, RFC 7766):
 * it serves one
 * zone file (SOA, NS, A, CNAME; NXDOMAIN for names not in the zone, NODATA for other types, REFUSED
 * for names outside the zone), so a client in a test namespace can resolve a name to the stack
 * itself.
 *
 * Over TCP (RFC 7766): each message has a two-byte length before it (RFC 1035 4.2.2), however the
 * segments cut it; a connection carries any number of queries, each answered as soon as it is
 * whole (so the client matches answers by ID, RFC 7766 6.2.1.1); a connection idle for
 * DNS_TCP_IDLE is closed (RFC 7766 6.2.3), and at most DNS_TCP_MAX_CONNS are open at once. */
#ifndef APPS_DNS_SERVER_H
#define APPS_DNS_SERVER_H

#include <stdint.h>

#include "synack/synack.h"

struct dns_server;
#define DNS_TCP_IDLE SYNACK_SEC(10)
#define DNS_TCP_MAX_CONNS 64

/* Loads `zone_path` (RFC 1035 5 master-file syntax: $ORIGIN, $TTL, @, relative and absolute names,
 * IN class, SOA/NS/A/CNAME records) and listens on UDP and TCP `port` (53 normally). On failure returns NULL
 * and writes a one-line reason into err (errcap bytes). */
struct dns_server *dns_server_start(synack_stack_t *st, const char *zone_path, uint16_t port, char *err,
                                    size_t errcap);
void dns_server_stop(struct dns_server *s);
/* Queries answered, and malformed queries dropped (for listings and tests). */
uint64_t dns_server_answered(const struct dns_server *s);
uint64_t dns_server_dropped(const struct dns_server *s);

/* All the counters. "dropped" is malformed + responses + send failures; each query is counted
 * once under answered or dropped (a query the parser rejects is answered: FORMERR). Queries over
 * TCP count as those over UDP do, and under tcp_queries too. */
struct dns_server_stats {
    uint64_t queries;       /* messages received (UDP datagrams and TCP messages) */
    uint64_t answered;      /* responses sent */
    uint64_t malformed;     /* dropped: shorter than a DNS header */
    uint64_t responses;     /* dropped: QR set (never answered, so two servers cannot loop) */
    uint64_t send_errors;   /* dropped: the answer could not be sent */
    uint64_t nxdomain, nodata, refused, formerr, notimp, badvers, referrals, truncated;
    uint64_t tcp_conns;     /* TCP connections accepted */
    uint64_t tcp_queries;   /* of the queries, those over TCP */
    uint64_t tcp_idle_closes;   /* TCP connections closed after tcp_idle without a query */
    uint64_t tcp_refused;   /* TCP connections closed at once: too many open */
};
void dns_server_stats(const struct dns_server *s, struct dns_server_stats *out);
/* The zone's apex as text ("example.test"), for start-up messages. */
const char *dns_server_origin(const struct dns_server *s);
/* The UDP socket the server listens on (e.g. to find its port when started with port 0). */
int dns_server_socket(const struct dns_server *s);

#endif
