/* UDP (RFC 768, RFC 1122 4.1): demultiplexing to sockets by local port, port unreachable for
 * closed ports, sending with the pseudo-header checksum. */
#ifndef NET_UDP_H
#define NET_UDP_H

#include <stdint.h>

#include "net/net.h"
#include "synack/socket.h"

struct sock;

/* The handlers UDP registers with IP (struct net_proto). */
void udp_input(synack_stack_t *st, const struct net_rx *rx, const uint8_t *p, size_t len, synack_time_t now);
void udp_net_error(synack_stack_t *st, const struct net_err *err, synack_time_t now);
int udp_bind(synack_stack_t *st, struct sock *s, const struct synack_sockaddr *local);
int udp_sendto(synack_stack_t *st, struct sock *s, const void *data, size_t len,
               const struct synack_sockaddr *dst, synack_time_t now);
int udp_recvfrom(synack_stack_t *st, struct sock *s, void *buf, size_t cap, struct synack_sockaddr *src);

#endif
