/* The authoritative server's answer to one query, as a pure function of the zone and the query's
 * bytes (RFC 1034 4.3.2's algorithm, wildcards included): the server's socket code only moves
 * datagrams, and tests and the fuzzer call this directly.
 *
 *  - a response (QR=1), or anything shorter than a header: no answer at all (the caller counts it);
 *  - a query the parser rejects (more than one question, a label over 63 octets, a name over 255,
 *    records running past the end, two OPTs...): FORMERR (RFC 1035 4.1.1: the server was unable to
 *    interpret the query; RFC 9619: QDCOUNT above 1), with the question if it could be read and
 *    our OPT if the query had one (RFC 6891 6.1.1);
 *  - an opcode other than QUERY: NOTIMP (the header alone if its body does not parse as a
 *    query's); not exactly one question, or records in the answer or authority section: FORMERR;
 *  - a QTYPE that names no data: OPT or TSIG FORMERR, TKEY, MAILA or MAILB NOTIMP (RFC 6895 3.1);
 *  - ID, opcode, RD and CD copied (RFC 1035 4.1.1, RFC 4035 3.1.6), and an OPT's DO bit (RFC 3225 3);
 *    an OPT whose options run past its RDATA is malformed (FORMERR, RFC 6891 6.1.2);
 *  - EDNS (RFC 6891): an OPT of version 0 is answered with ours (payload 1232 bytes, the DNS flag
 *    day 2020 figure), a higher version with BADVERS; without OPT the answer fits 512 bytes;
 *  - a class other than IN (CH, HS, NONE and ANY alike: the zone holds class IN alone), a zone
 *    transfer, or a name outside the zone: REFUSED;
 *  - a name under a delegation (an NS set below the apex): a referral, NS in authority, glue;
 *  - data of the type (or ANY): the records, AA set; a CNAME (when not asked for) is followed
 *    inside the zone up to DNS_CNAME_MAX links, each link in the answer;
 *  - a name that does not exist, under a closest encloser with a wildcard ("*.encloser"): the
 *    wildcard's records given the name asked (RFC 4592 3.3.1; an empty non-terminal blocks it);
 *  - a name that exists without that type: NOERROR, no answer, the SOA in authority (NODATA,
 *    RFC 2308 2.2); a name that does not: NXDOMAIN with the SOA (RFC 2308 2.1), whose TTL is the
 *    smaller of the SOA's TTL and MINIMUM (RFC 2308 3).
 *  If the answer does not fit, TC is set and the records that fit are sent (RFC 2181 9). */
#ifndef APPS_DNS_RESPOND_H
#define APPS_DNS_RESPOND_H

#include <stddef.h>
#include <stdint.h>

#include "zone.h"

#define DNS_CNAME_MAX 8
#define DNS_EDNS_SIZE 1232

struct dns_respond_info {
    int rcode;          /* the (extended) RCODE sent */
    int truncated;      /* TC was set */
    int referral;
};

/* Writes the response to the query q[0..qlen) (received over UDP) into out (cap bytes; 512 is
 * always enough without EDNS, DNS_EDNS_SIZE with). Returns its length, or -EBADMSG when the query
 * gets no answer. */
int dns_respond(const struct dns_zone *z, const uint8_t *q, size_t qlen, uint8_t *out, size_t cap,
                struct dns_respond_info *info);
/* The same for a query received over TCP (tcp = 1): the answer may use all of cap (up to 65535,
 * RFC 7766 8), whatever the query's EDNS size says. */
int dns_respond_ex(const struct dns_zone *z, const uint8_t *q, size_t qlen, uint8_t *out, size_t cap, int tcp,
                   struct dns_respond_info *info);

#endif
