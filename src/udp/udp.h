/* UDP (RFC 768, RFC 1122 4.1): endpoints ("PCBs") with their receive queues, demultiplexing by
 * local port (the most specific endpoint wins), port unreachable for closed ports, sending with the
 * pseudo-header checksum of the destination's family.
 *
 * UDP owns its endpoints; the socket layer above holds a pointer to one per datagram socket and
 * hears of new datagrams and errors through the upcalls it registers (udp_set_upcalls). */
#ifndef UDP_UDP_H
#define UDP_UDP_H

#include <stdint.h>

#include "core/buf.h"
#include "net/net.h"
#include "synack/socket.h"

/* One UDP endpoint. */
struct udp_pcb {
    struct udp_pcb *next;
    void *owner;                     /* the socket above (udp_upcalls) */
    struct synack_ip laddr, raddr;   /* laddr unspecified: any local address */
    uint16_t lport, rport;
    unsigned bound : 1;
    unsigned connected : 1;          /* raddr/rport are the default destination and the filter */
    unsigned v6only : 1;             /* IPV6_V6ONLY: bound to :: but not taking IPv4 */
    uint8_t tos;                     /* IP_TOS: the TOS byte of every datagram sent */
    struct buf_queue rxq;            /* each buf: 16-byte source address, 2-byte port, pad, payload */
};

/* What UDP tells the owner of an endpoint. */
struct udp_upcalls {
    void (*event)(synack_stack_t *st, void *owner);           /* a datagram was queued */
    void (*error)(synack_stack_t *st, void *owner, int err);  /* an ICMP error (connected only) */
};

/* UDP's part of the stack object. */
struct udp_table {
    struct udp_pcb *head;
    const struct udp_upcalls *up;
};

int udp_table_new(synack_stack_t *st);
void udp_table_free(synack_stack_t *st);
void udp_set_upcalls(synack_stack_t *st, const struct udp_upcalls *up);

/* The handlers UDP registers with IP (struct net_proto). */
void udp_input(synack_stack_t *st, const struct net_rx *rx, const uint8_t *p, size_t len, synack_time_t now);
int udp_net_error(synack_stack_t *st, const struct net_err *err, synack_time_t now);

/* A new, unbound endpoint owned by `owner`; NULL if memory runs out. */
struct udp_pcb *udp_open(synack_stack_t *st, void *owner);
/* Frees the endpoint and what it has queued. */
void udp_close(synack_stack_t *st, struct udp_pcb *pcb);
/* Binds to local (port 0: an ephemeral port, RFC 6056). -EINVAL if bound, -EADDRNOTAVAIL,
 * -EADDRINUSE. */
int udp_bind(synack_stack_t *st, struct udp_pcb *pcb, const struct synack_sockaddr *local);
/* Sets the default destination and the receive filter (BSD connect on a datagram socket),
 * binding an ephemeral port first if needed. */
int udp_connect(synack_stack_t *st, struct udp_pcb *pcb, const struct synack_sockaddr *peer);
/* Sends one datagram (dst NULL: the connected peer). Returns len or a negative errno. */
int udp_sendto(synack_stack_t *st, struct udp_pcb *pcb, const void *data, size_t len,
               const struct synack_sockaddr *dst, synack_time_t now);
/* Socket options of a UDP endpoint (enum synack_sockopt): IP_TOS only; -ENOPROTOOPT for others. */
int udp_setopt(struct udp_pcb *pcb, int opt, int v);
int udp_getopt(const struct udp_pcb *pcb, int opt, int *v);
/* Takes the next datagram: its length (truncated to cap) or -EAGAIN. */
int udp_recvfrom(synack_stack_t *st, struct udp_pcb *pcb, void *buf, size_t cap, struct synack_sockaddr *src);
static inline int udp_readable(const struct udp_pcb *pcb) { return pcb->rxq.count > 0; }

#endif
