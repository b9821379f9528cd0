/* A zone in memory, read from a master file (RFC 1035 5): the records the authoritative server
 * answers from. The parser takes the subset a small test zone needs — $ORIGIN, $TTL, '@', relative
 * and absolute names, a blank owner meaning "the previous one", parentheses across lines, ';'
 * comments, optional TTL (with s/m/h/d/w units, as BIND writes them) and class IN in either order,
 * and the types SOA, NS, A, AAAA (RFC 3596) and CNAME — and refuses anything else with the line number and the
 * reason, so a typo in a test's zone file is found at start-up, not as a wrong answer later.
 *
 * The zone's apex is the owner of its one SOA record; every record must lie at or under it, and a
 * name with a CNAME has no other data (RFC 1034 3.6.2, RFC 2181 10.1). Lookups are linear scans:
 * zones here hold tens of records, not millions. */
#ifndef APPS_DNS_ZONE_H
#define APPS_DNS_ZONE_H

#include <stddef.h>
#include <stdint.h>

#include "msg.h"
#include "name.h"

#define DNS_ZONE_MAX_RR 10000
#define DNS_ZONE_MAX_BYTES (16u << 20)

struct dns_zrr {
    struct dns_name owner;
    uint16_t type;                /* DNS_T_A, _AAAA, _NS, _CNAME or _SOA */
    uint32_t ttl;
    int line;                     /* where it was in the file, for messages */
    union {
        uint32_t a;               /* A: host order */
        uint8_t aaaa[16];         /* AAAA */
        struct dns_name target;   /* NS, CNAME */
        struct dns_soa soa;       /* SOA */
    } d;
};

struct dns_zone {
    struct dns_name origin;       /* the apex: the SOA's owner */
    const struct dns_zrr *soa;
    struct dns_zrr *rr;
    size_t n, cap;
};

/* Parses master-file text (text[0..len), need not be NUL-terminated). On success *out is a new
 * zone (free it with dns_zone_free) and 0 is returned; on failure a negative errno and one line
 * "line N: why" in err. */
int dns_zone_parse(const char *text, size_t len, struct dns_zone **out, char *err, size_t errcap);
/* Reads and parses a file; err then reads "PATH:N: why" or "PATH: why". */
int dns_zone_load(const char *path, struct dns_zone **out, char *err, size_t errcap);
void dns_zone_free(struct dns_zone *z);

/* 1 if the zone holds records owned by `name` or by a name under it (so the name exists, even as an
 * empty non-terminal: RFC 8020). */
int dns_zone_name_exists(const struct dns_zone *z, const struct dns_name *name);

#endif
