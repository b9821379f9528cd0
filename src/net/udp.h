/* UDP (RFC 768, RFC 1122 4.1): demultiplexing to sockets by local port, port unreachable for
 * closed ports, sending with the pseudo-header checksum. */
#ifndef NET_UDP_H
#define NET_UDP_H

#include <stdint.h>

#include "synack/socket.h"
#include "wire/ip4.h"

struct iface;
struct sock;

void udp_input(synack_stack_t *st, struct iface *ifc, const struct ip4_hdr *h, const uint8_t *pkt,
               const uint8_t *p, size_t len, synack_time_t now);
void udp_icmp_error(synack_stack_t *st, uint8_t type, uint8_t code, const struct ip4_hdr *inner,
                    const uint8_t *hdr8, size_t len, synack_time_t now);
int udp_bind(synack_stack_t *st, struct sock *s, const struct synack_sockaddr *local);
int udp_sendto(synack_stack_t *st, struct sock *s, const void *data, size_t len,
               const struct synack_sockaddr *dst, synack_time_t now);
int udp_recvfrom(synack_stack_t *st, struct sock *s, void *buf, size_t cap, struct synack_sockaddr *src);

#endif
