/* UDP header (RFC 768): parse with length and checksum checks, build with checksum. */
#ifndef WIRE_UDP_H
#define WIRE_UDP_H

#include <stddef.h>
#include <stdint.h>

#include "wire/err.h"

#define UDP_IPPROTO 17               /* IANA protocol number: IPv4 Protocol, IPv6 Next Header */
#define UDP_HDR_LEN 8

struct udp_hdr {
    uint16_t sport, dport;
    uint16_t len;          /* header + data */
    uint16_t csum;
    const uint8_t *data;
    size_t data_len;
};

/* Parses the UDP datagram in p[0..len) carried between src and dst (host order). The UDP length
 * must be >= 8 and <= len (bytes beyond it are IP padding and ignored). A zero checksum means "not
 * computed" (RFC 768). Returns WIRE_OK, WIRE_ERR_SHORT (under 8 bytes), WIRE_ERR_LEN (UDP length
 * < 8), WIRE_ERR_TRUNC (UDP length > len) or WIRE_ERR_CSUM. */
enum wire_err udp_parse(const uint8_t *p, size_t len, uint32_t src, uint32_t dst, struct udp_hdr *out);
/* The same for either IP family: `pseudo` is the pseudo-header sum without the length. With
 * verify_csum 0 the checksum is not checked (a link vouched for it). */
enum wire_err udp_parse_ph(const uint8_t *p, size_t len, uint64_t pseudo, int verify_csum, struct udp_hdr *out);
/* Writes the header at p; the payload must already be at p+8 (data_len bytes). Computes the
 * checksum over the pseudo-header; a computed 0 is sent as 0xffff (RFC 768). */
void udp_build(uint8_t *p, uint16_t sport, uint16_t dport, size_t data_len, uint32_t src, uint32_t dst);
void udp_build_ph(uint8_t *p, uint16_t sport, uint16_t dport, size_t data_len, uint64_t pseudo);

#endif
