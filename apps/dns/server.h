/* A small authoritative DNS server on the stack's UDP (RFC 1034 4.3.2, RFC 1035): it serves one
 * zone file (SOA, NS, A, CNAME; NXDOMAIN for names not in the zone, NODATA for other types, REFUSED
 * for names outside the zone), so a client in a test namespace can resolve a name to the stack
 * itself. */
#ifndef APPS_DNS_SERVER_H
#define APPS_DNS_SERVER_H

#include <stdint.h>

#include "synack/synack.h"

struct dns_server;
/* Loads `zone_path` (RFC 1035 5 master-file syntax: $ORIGIN, $TTL, @, relative and absolute names,
 * IN class, SOA/NS/A/CNAME records) and listens on UDP `port` (53 normally). On failure returns NULL
 * and writes a one-line reason into err (errcap bytes). */
struct dns_server *dns_server_start(synack_stack_t *st, const char *zone_path, uint16_t port, char *err,
                                    size_t errcap);
void dns_server_stop(struct dns_server *s);
/* Queries answered, and malformed queries dropped (for listings and tests). */
uint64_t dns_server_answered(const struct dns_server *s);
uint64_t dns_server_dropped(const struct dns_server *s);

/* All the counters. "dropped" is malformed + responses + send failures; each query is counted
 * once under answered or dropped. */
struct dns_server_stats {
    uint64_t queries;       /* datagrams received */
    uint64_t answered;      /* responses sent */
    uint64_t malformed;     /* dropped: the parser rejected them (RFC 1035 4.1 framing, names, counts) */
    uint64_t responses;     /* dropped: QR set (never answered, so two servers cannot loop) */
    uint64_t send_errors;   /* dropped: the answer could not be sent */
    uint64_t nxdomain, nodata, refused, formerr, notimp, badvers, referrals, truncated;
};
void dns_server_stats(const struct dns_server *s, struct dns_server_stats *out);
/* The zone's apex as text ("example.test"), for start-up messages. */
const char *dns_server_origin(const struct dns_server *s);
/* The UDP socket the server listens on (e.g. to find its port when started with port 0). */
int dns_server_socket(const struct dns_server *s);

#endif
