/* ICMP for IPv4 (RFC 792): echo, destination unreachable, time exceeded. */
#ifndef WIRE_ICMP_H
#define WIRE_ICMP_H

#include <stddef.h>
#include <stdint.h>

#include "wire/err.h"

#define ICMP_HDR_LEN 8
#define ICMP_ECHO_REPLY 0
#define ICMP_DEST_UNREACH 3
#define ICMP_ECHO_REQUEST 8
#define ICMP_TIME_EXCEEDED 11
/* Destination unreachable codes (RFC 792, RFC 1191) */
#define ICMP_UNREACH_NET 0
#define ICMP_UNREACH_HOST 1
#define ICMP_UNREACH_PROTO 2
#define ICMP_UNREACH_PORT 3
#define ICMP_UNREACH_FRAG_NEEDED 4

struct icmp_hdr {
    uint8_t type, code;
    uint16_t csum;
    uint16_t id, seq;        /* echo */
    uint16_t next_mtu;       /* unreachable code 4 (RFC 1191) */
    const uint8_t *body;     /* after the 8-byte header: echo data, or the offending IP header */
    size_t body_len;
};

/* Parses an ICMP message, checking length and checksum. Returns WIRE_OK, WIRE_ERR_SHORT or
 * WIRE_ERR_CSUM. */
enum wire_err icmp_parse(const uint8_t *p, size_t len, struct icmp_hdr *out);
/* Writes the 8-byte header followed by body (moved unless it already lies at p+8; it may overlap
 * p[0..8)) with checksum.
 * Returns total length. */
size_t icmp_build(uint8_t *p, const struct icmp_hdr *h);
/* Writes the echo reply to `req`, an echo request icmp_parse accepted (so req->csum is right): the
 * request's header and body with type and code 0 (RFC 792), the body moved as icmp_build does. Only
 * the first word changes, so the checksum is the request's updated by RFC 1624 eqn. 3 and the body
 * is not summed again. Returns total length. */
size_t icmp_build_echo_reply(uint8_t *p, const struct icmp_hdr *req);

#endif
