/* ICMP (RFC 792, RFC 1122 3.2.2): echo reply, echo request for ping, rate-limited error messages,
 * and errors received handed to the transport they concern. */
#ifndef NET_ICMP_H
#define NET_ICMP_H

#include <stdint.h>

#include "synack/types.h"
#include "wire/icmp.h"
#include "wire/ip4.h"

struct iface;

void icmp_input(synack_stack_t *st, struct iface *ifc, const struct ip4_hdr *h, const uint8_t *pkt,
                const uint8_t *p, size_t len, synack_time_t now);
/* Sends an error about the datagram `pkt` (header h) unless RFC 1122 3.2.2 forbids it (it was an
 * ICMP error, a broadcast, a non-first fragment, from a bogus source) or the rate limit says no. */
void icmp_send_error(synack_stack_t *st, uint8_t type, uint8_t code, uint16_t mtu, const struct ip4_hdr *h,
                     const uint8_t *pkt, synack_time_t now);
int icmp_send_echo(synack_stack_t *st, uint32_t dst, uint16_t id, uint16_t seq, const void *payload,
                   size_t len, synack_time_t now);

#endif
