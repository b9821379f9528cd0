/* IPv4 header (RFC 791): parse with every length checked, build with checksum. Options are
 * length-checked and skipped (we never act on them). */
#ifndef WIRE_IP4_H
#define WIRE_IP4_H

#include <stddef.h>
#include <stdint.h>

#include "wire/err.h"

#define IP4_HDR_MIN 20
#define IP4_HDR_MAX 60
#define IP4_MIN_MTU 68          /* RFC 791: every host must take a 68-byte datagram unfragmented */
#define IP4_PROTO_ICMP 1
#define IP4_PROTO_TCP 6
#define IP4_PROTO_UDP 17
#define IP4_FLAG_DF 0x4000
#define IP4_FLAG_MF 0x2000
#define IP4_FRAG_MASK 0x1fff

struct ip4_hdr {
    uint8_t ihl;          /* header length in bytes */
    uint8_t tos;
    uint16_t total_len;
    uint16_t id;
    uint16_t frag;        /* flags and offset as on the wire */
    uint8_t ttl;
    uint8_t proto;
    uint16_t csum;
    uint32_t src, dst;    /* host order */
};

/* Parses and validates the header at p[0..len): version, IHL, total length against the span,
 * header checksum, option lengths. The payload is p[ihl .. total_len). Returns WIRE_OK or the
 * reason: SHORT (under 20 bytes or under IHL), VERSION, HDRLEN (IHL < 5), LEN (total length <
 * IHL), TRUNC (total length > span), CSUM, OPTS (an option's length overruns the header). */
enum wire_err ip4_parse(const uint8_t *p, size_t len, struct ip4_hdr *out);
/* Writes a 20-byte header (no options) with its checksum at p. */
void ip4_build(uint8_t *p, const struct ip4_hdr *h);
static inline unsigned ip4_frag_offset(const struct ip4_hdr *h) { return (h->frag & IP4_FRAG_MASK) * 8u; }
static inline int ip4_more_frags(const struct ip4_hdr *h) { return (h->frag & IP4_FLAG_MF) != 0; }
static inline int ip4_is_fragment(const struct ip4_hdr *h) { return (h->frag & (IP4_FLAG_MF | IP4_FRAG_MASK)) != 0; }

#endif
