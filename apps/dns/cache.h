/* The stub resolver's cache: the outcome of a query, per (name, type) (A and AAAA apart, so a name
 * with A records and no AAAA keeps its addresses beside its NODATA), kept as long as its records allow.
 * Answers for the smallest TTL of the records used (the CNAME links included); negative answers
 * (NXDOMAIN, NODATA) for min(SOA TTL, SOA MINIMUM) (RFC 2308 3, 5), and not at all without an SOA;
 * a TTL of 0 is not kept (RFC 1035 3.2.1). TTLs are capped (RFC 2181 8: a TTL with the top bit set
 * counts as 0; RFC 2308 5: negative answers at most DNS_CACHE_NEG_MAX). Bounded: when full, an
 * expired entry goes first, else the one closest to expiring. Time is the stack's `now`. */
#ifndef APPS_DNS_CACHE_H
#define APPS_DNS_CACHE_H

#include "name.h"
#include "resolver.h"

#define DNS_CACHE_DEFAULT 256
#define DNS_CACHE_POS_MAX 86400u    /* seconds */
#define DNS_CACHE_NEG_MAX 10800u

struct dns_cache_entry {
    struct dns_name name;           /* as asked (compared ignoring case) */
    uint16_t type;                  /* DNS_T_A or DNS_T_AAAA */
    struct dns_result result;       /* err 0, DNS_E_NXDOMAIN or DNS_E_NODATA */
    synack_time_t expires;
};

struct dns_cache {
    struct dns_cache_entry **e;
    unsigned n, cap;
    uint64_t hits, misses, stored;
};

void dns_cache_init(struct dns_cache *c, unsigned cap);
void dns_cache_free(struct dns_cache *c);
/* The live entry for (`name`, `type`), or NULL (an expired one is removed). */
const struct dns_cache_entry *dns_cache_get(struct dns_cache *c, const struct dns_name *name, uint16_t type,
                                            synack_time_t now);
/* Keeps `r` for (`name`, `type`) for ttl seconds (negative: neg = 1). */
void dns_cache_put(struct dns_cache *c, const struct dns_name *name, uint16_t type, const struct dns_result *r,
                   uint32_t ttl, int neg, synack_time_t now);

#endif
