/* Validators and byte ranges (RFC 9110 8.8.3, 13, 14): entity-tag lists as If-Match and
 * If-None-Match carry them, the If-Range value, and the Range field's byte-range sets. Pure
 * functions over field values; the server's decision of which condition wins is in http_reply.c. */
#ifndef APPS_HTTP_COND_H
#define APPS_HTTP_COND_H

#include <stddef.h>
#include <stdint.h>

#include "http_parse.h"

/* Whether an entity-tag list (RFC 9110 13.1.1: "*" or 1#entity-tag) holds `etag` (our strong tag,
 * quotes included). strong: the strong comparison (If-Match, 8.8.3.2), where a weak tag never
 * matches; else the weak one (If-None-Match), where W/ is ignored. "*" matches any current
 * representation. Returns 1 (match), 0 (no match), or -1 if the list is malformed. */
int http_etag_list_match(struct http_slice list, const char *etag, int strong);

/* The If-Range condition (RFC 9110 13.1.5): an entity-tag compared strongly with `etag`, or an
 * HTTP-date that must equal last_modified exactly, and only if that date is a strong validator
 * (lm_strong). Returns 1 if the condition holds (the Range applies), else 0. */
int http_if_range_holds(struct http_slice v, const char *etag, int64_t last_modified, int lm_strong);

#define HTTP_MAX_RANGES 16         /* parts of a multipart/byteranges answer, after coalescing */
#define HTTP_MAX_RANGE_SPECS 64    /* range-specs read from one Range field */

struct http_range {
    uint64_t first, len;   /* bytes [first, first + len) of the representation */
};

enum http_range_verdict {
    HTTP_RANGE_IGNORE,   /* no Range, another unit, a malformed set or too many range-specs: send it all */
    HTTP_RANGE_OK,       /* n satisfiable ranges (206) */
    HTTP_RANGE_UNSAT,    /* a valid set of which no range is satisfiable (416) */
};

/* Parses a Range value (RFC 9110 14.1.2: "bytes=" 1#(int-range / suffix-range)) against a
 * representation of `size` bytes into out (room for HTTP_MAX_RANGE_SPECS). Unsatisfiable ranges
 * (14.1.1) are left out; a suffix longer than the representation means all of it (14.1.3); a
 * last-pos past the end is the end. Ranges are kept in the order asked. *n is the count kept. */
enum http_range_verdict http_range_parse(struct http_slice v, uint64_t size, struct http_range *out, unsigned *n);

/* Coalesces ranges (RFC 9110 15.3.7.2: a server MAY coalesce ranges that overlap or are separated
 * by a gap smaller than the overhead of sending another part, whatever their order): any two that
 * overlap, touch, or lie fewer than `gap` bytes apart become one, in the place of the one asked
 * first; the others keep the order asked (15.3.7.2: parts SHOULD come in that order). Returns the
 * new count. So "0-99,50-199" is one range, and so are many small ranges asked out of order over
 * one stretch (14.2 lets a server refuse those; one part costs less than a refusal). */
unsigned http_range_coalesce(struct http_range *r, unsigned n, uint64_t gap);

/* Host field value (RFC 9112 3.2, RFC 3986 3.2.2): uri-host [ ":" port ], where uri-host is an
 * IP-literal in brackets, an IPv4 address or a reg-name. A comma (a list, as a proxy joining two
 * Host lines would make it) is refused as well. Returns 1 if valid. */
int http_host_valid(struct http_slice v);

#endif
