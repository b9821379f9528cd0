/* ICMPv6 (RFC 4443) and the Neighbor Discovery messages it carries (RFC 4861 4), with MLDv2
 * reports (RFC 3810 5.2). Parsers check lengths and the checksum over the IPv6 pseudo-header;
 * builders write the checksum. */
#ifndef WIRE_ICMP6_H
#define WIRE_ICMP6_H

#include <stddef.h>
#include <stdint.h>

#include "wire/err.h"

#define ICMP6_HDR_LEN 8
#define ICMP6_DEST_UNREACH 1
#define ICMP6_PKT_TOO_BIG 2
#define ICMP6_TIME_EXCEEDED 3
#define ICMP6_PARAM_PROB 4
#define ICMP6_ECHO_REQUEST 128
#define ICMP6_ECHO_REPLY 129
#define ICMP6_MLD_QUERY 130
#define ICMP6_MLD_REPORT 131
#define ICMP6_ND_RS 133
#define ICMP6_ND_RA 134
#define ICMP6_ND_NS 135
#define ICMP6_ND_NA 136
#define ICMP6_ND_REDIRECT 137
#define ICMP6_MLD2_REPORT 143

/* Destination unreachable codes (RFC 4443 3.1) */
#define ICMP6_UNREACH_NOROUTE 0
#define ICMP6_UNREACH_ADMIN 1
#define ICMP6_UNREACH_ADDR 3
#define ICMP6_UNREACH_PORT 4
/* Parameter problem codes (RFC 4443 3.4) */
#define ICMP6_PARAM_HEADER 0      /* erroneous header field */
#define ICMP6_PARAM_NEXTHDR 1     /* unrecognized Next Header */
#define ICMP6_PARAM_OPTION 2      /* unrecognized IPv6 option */
#define ICMP6_PARAM_FIRST_FRAG 3  /* first fragment without the whole header chain (RFC 7112) */

/* The ND options (RFC 4861 4.6) */
#define ND_OPT_SLLA 1
#define ND_OPT_TLLA 2
#define ND_OPT_PREFIX 3
#define ND_OPT_MTU 5
#define ND_OPT_NONCE 14   /* RFC 3971 5.3.2 */

/* NA flags (RFC 4861 4.4) */
#define ND_NA_ROUTER 0x80000000u
#define ND_NA_SOLICITED 0x40000000u
#define ND_NA_OVERRIDE 0x20000000u

struct icmp6_hdr {
    uint8_t type, code;
    uint16_t csum;
    uint32_t word;           /* the second word: echo id and seq, MTU, pointer, ND flags */
    const uint8_t *body;     /* after the 8-byte header */
    size_t body_len;
};

/* Parses an ICMPv6 message whose checksum covers `pseudo`, the pseudo-header's partial sum
 * (wire_csum_pseudo6 with next header 58 and the message's length). WIRE_OK, SHORT or CSUM. */
enum wire_err icmp6_parse(const uint8_t *p, size_t len, uint64_t pseudo, struct icmp6_hdr *out);
/* Writes the header with `word` and then body (moved unless already at p+8), with the checksum over
 * `pseudo` (the pseudo-header for this length). Returns the total length. */
size_t icmp6_build(uint8_t *p, const struct icmp6_hdr *h, uint64_t pseudo);

/* The parsed options of an ND message. Pointers into the message; NULL when absent. */
struct nd_opts {
    const uint8_t *slla, *tlla;    /* 6-byte link-layer addresses (Ethernet) */
    const uint8_t *prefix[4];      /* up to four Prefix Information options (32 bytes each) */
    unsigned nprefix;
    uint32_t mtu;                  /* 0: none */
    const uint8_t *nonce;          /* a Nonce option's nonce (RFC 3971 5.3.2), nonce_len bytes */
    size_t nonce_len;
};
/* Parses the options at p[0..len) (RFC 4861 4.6: a length of 0 makes the whole message invalid,
 * 7.1.1 / 6.1.2). Unknown options are skipped. WIRE_OK or OPTS. */
enum wire_err nd_opts_parse(const uint8_t *p, size_t len, struct nd_opts *out);
/* A Prefix Information option's fields (RFC 4861 4.6.2). */
struct nd_prefix {
    uint8_t len;
    int onlink, autonomous;
    uint32_t valid, preferred;    /* seconds; 0xffffffff is infinity */
    uint8_t prefix[16];
};
void nd_prefix_read(const uint8_t *opt, struct nd_prefix *out);
/* Writes a 6-byte link-layer address option (8 bytes) of `type` at p; returns 8. */
size_t nd_opt_lla_build(uint8_t *p, uint8_t type, const uint8_t mac[6]);

#endif
