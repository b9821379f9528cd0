/* IPv6 header and extension headers (RFC 8200): parse with every length checked, build.
 *
 * The fixed header is 40 bytes; extension headers follow as a chain, each naming the next. The
 * parsers here check one header each and say where the next starts; which headers a host
 * processes, in which order, and what an unknown option means is the network layer's (net/ip6_in.c). */
#ifndef WIRE_IP6_H
#define WIRE_IP6_H

#include <stddef.h>
#include <stdint.h>

#include "wire/err.h"

#define IP6_HDR_LEN 40
#define IP6_MIN_MTU 1280        /* RFC 8200 5: every link carries 1280-byte packets */
#define IP6_FRAG_HDR_LEN 8

/* Next Header values (IANA "Assigned Internet Protocol Numbers"). */
#define IP6_NH_HOPOPTS 0
#define IP6_NH_TCP 6
#define IP6_NH_UDP 17
#define IP6_NH_ROUTING 43
#define IP6_NH_FRAGMENT 44
#define IP6_NH_ICMP6 58
#define IP6_NH_NONE 59
#define IP6_NH_DSTOPTS 60

struct ip6_hdr {
    uint8_t tclass;       /* traffic class */
    uint32_t flow;        /* flow label, 20 bits */
    uint16_t plen;        /* payload length: everything after the 40 bytes */
    uint8_t next;         /* next header */
    uint8_t hlim;         /* hop limit */
    uint8_t src[16], dst[16];
};

/* Parses the fixed header at p[0..len): SHORT (under 40 bytes), VERSION (not 6), TRUNC (payload
 * length beyond the span). A span longer than 40 + plen has link padding after the packet. A
 * payload length of 0 (a jumbogram, RFC 2675) is taken as an empty payload. */
enum wire_err ip6_parse(const uint8_t *p, size_t len, struct ip6_hdr *out);
/* Writes the 40-byte fixed header at p. */
void ip6_build(uint8_t *p, const struct ip6_hdr *h);

/* A hop-by-hop or destination options header (RFC 8200 4.3, 4.6) at p[0..len): its length
 * (8 + 8 * Hdr Ext Len) must fit; options must tile it exactly (Pad1 is one byte, every other
 * option a type, a length and that many bytes). On WIRE_OK *hdr_len is the header's length and, if
 * an option's type is unknown (not Pad1/PadN), *unknown_off is the offset of the first one within
 * the header and *unknown_type its type (else *unknown_off is 0); either may be NULL when the
 * caller walks the options itself. SHORT, TRUNC or OPTS otherwise. */
enum wire_err ip6_opts_parse(const uint8_t *p, size_t len, size_t *hdr_len, size_t *unknown_off,
                             uint8_t *unknown_type);

/* A routing header (RFC 8200 4.4) at p[0..len): its length, type and Segments Left. */
struct ip6_rthdr {
    uint8_t next;
    size_t hdr_len;
    uint8_t type;
    uint8_t segs_left;
};
enum wire_err ip6_rthdr_parse(const uint8_t *p, size_t len, struct ip6_rthdr *out);

/* The fragment header (RFC 8200 4.5). */
struct ip6_frag {
    uint8_t next;
    uint16_t offset;      /* in bytes (the 13-bit field times 8) */
    int more;             /* the M flag */
    uint32_t id;
};
enum wire_err ip6_frag_parse(const uint8_t *p, size_t len, struct ip6_frag *out);
void ip6_frag_build(uint8_t *p, const struct ip6_frag *f);

/* Generic extension header length (8 + 8 * Hdr Ext Len) at p, for headers this layer skips; SHORT
 * or TRUNC when it does not fit in len. */
enum wire_err ip6_ext_len(const uint8_t *p, size_t len, size_t *hdr_len);

/* Address classes (RFC 4291 2.4). */
static inline int ip6_is_multicast(const uint8_t *a) { return a[0] == 0xff; }
static inline int ip6_is_linklocal(const uint8_t *a) { return a[0] == 0xfe && (a[1] & 0xc0) == 0x80; }
int ip6_is_unspecified(const uint8_t *a);
int ip6_is_loopback(const uint8_t *a);
/* Whether the first plen bits of a and b agree. */
int ip6_prefix_match(const uint8_t *a, const uint8_t *b, unsigned plen);
/* How many leading bits a and b share (RFC 6724 CommonPrefixLen). */
unsigned ip6_common_prefix(const uint8_t *a, const uint8_t *b);
/* The solicited-node multicast address of a (RFC 4291 2.7.1: ff02::1:ffXX:XXXX). */
void ip6_solicited_node(const uint8_t *a, uint8_t out[16]);
/* The Ethernet address a multicast IPv6 address maps to (RFC 2464 7: 33:33 and the low 32 bits). */
void ip6_mcast_mac(const uint8_t *a, uint8_t mac[6]);
/* The modified EUI-64 interface identifier from a 48-bit MAC (RFC 4291 Appendix A, RFC 2464 4). */
void ip6_eui64(const uint8_t mac[6], uint8_t iid[8]);

/* The TCP/UDP/ICMPv6 pseudo-header (RFC 8200 8.1) as a partial sum: addresses, upper-layer
 * length and next header. */
uint64_t wire_csum_pseudo6(const uint8_t *src, const uint8_t *dst, uint8_t next, uint32_t len);

#endif
