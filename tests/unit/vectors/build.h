/* Small builders the wire tests share: a whole IPv4 packet (20-byte header, no options) around a
 * TCP, UDP or ICMP message, made with synack's own builders. Static inline so each test file
 * takes only what it uses. */
#ifndef VECTORS_BUILD_H
#define VECTORS_BUILD_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "wire/bytes.h"
#include "wire/eth.h"
#include "wire/csum.h"
#include "wire/icmp.h"
#include "wire/ip4.h"
#include "wire/tcp.h"
#include "wire/udp.h"

/* xorshift64*: a fixed seed gives the same "random" cases on every run. */
static inline uint32_t vt_rand(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return (uint32_t)((*s * 0x2545F4914F6CDD1Dull) >> 32);
}

#define TADDR_A 0xC0000201u   /* 192.0.2.1 */
#define TADDR_B 0xC0000202u   /* 192.0.2.2 */

static inline size_t vt_ip(uint8_t *p, uint8_t proto, size_t payload_len)
{
    struct ip4_hdr h = { .tos = 0, .total_len = (uint16_t)(IP4_HDR_MIN + payload_len), .id = 0x1234,
                         .frag = IP4_FLAG_DF, .ttl = 64, .proto = proto, .src = TADDR_A, .dst = TADDR_B };
    ip4_build(p, &h);
    return IP4_HDR_MIN + payload_len;
}

/* IP + TCP with data; returns the packet length. */
static inline size_t vt_tcp(uint8_t *p, const struct tcp_hdr *t, const void *data, size_t len)
{
    uint8_t *seg = p + IP4_HDR_MIN;
    size_t hl = tcp_hdr_len(&t->opts);
    if (len)
        memcpy(seg + hl, data, len);
    tcp_build(seg, t, len, TADDR_A, TADDR_B);
    return vt_ip(p, IP4_PROTO_TCP, hl + len);
}

static inline size_t vt_udp(uint8_t *p, uint16_t sport, uint16_t dport, const void *data, size_t len)
{
    if (len)
        memcpy(p + IP4_HDR_MIN + UDP_HDR_LEN, data, len);
    udp_build(p + IP4_HDR_MIN, sport, dport, len, TADDR_A, TADDR_B);
    return vt_ip(p, IP4_PROTO_UDP, UDP_HDR_LEN + len);
}

static inline size_t vt_icmp(uint8_t *p, const struct icmp_hdr *ic)
{
    return vt_ip(p, IP4_PROTO_ICMP, icmp_build(p + IP4_HDR_MIN, ic));
}

/* Re-computes the checksum of a TCP segment after a test edited its bytes. */
static inline void vt_tcp_fix_csum(uint8_t *seg, size_t len, uint32_t src, uint32_t dst)
{
    wire_put16(seg + 16, 0);
    uint64_t s = wire_csum_pseudo(src, dst, IP4_PROTO_TCP, (uint16_t)len);
    wire_put16(seg + 16, wire_csum_finish(wire_csum_partial(seg, len, s)));
}

/* Re-computes an IPv4 header checksum after a test edited the header. */
static inline void vt_ip_fix_csum(uint8_t *p)
{
    size_t ihl = (p[0] & 15u) * 4u;
    wire_put16(p + 10, 0);
    wire_put16(p + 10, wire_csum(p, ihl));
}

#endif
