/* IPv4 input (validation, local delivery, reassembly) and output (routing, IDs, fragmentation),
 * RFC 791 and RFC 1122 3.2.1. */
#ifndef NET_IP4_H
#define NET_IP4_H

#include <stdint.h>

#include "core/buf.h"
#include "synack/types.h"
#include "wire/ip4.h"

struct iface;

/* Handles an IPv4 packet received on ifc. p is borrowed. */
void ip4_input(synack_stack_t *st, struct iface *ifc, const uint8_t *p, size_t len, synack_time_t now);
/* The same, saying whether the frame was sent to the link-layer broadcast address: RFC 1122 3.3.6
 * wants such a datagram dropped unless its IP destination is a broadcast or multicast one. */
void ip4_input_ll(synack_stack_t *st, struct iface *ifc, const uint8_t *p, size_t len, int ll_bcast,
                  synack_time_t now);
/* True if addr is a broadcast address for ifc's network: limited broadcast, the directed
 * broadcast {net, -1}, or the old BSD form {net, 0} (RFC 1122 3.3.6), not on /31 and /32. */
int ip4_is_bcast_for(const struct iface *ifc, uint32_t addr);
/* True if addr cannot be the source of a datagram from a single host (RFC 1122 3.2.1.3 and
 * 3.2.2): zero network, loopback, multicast, class E or limited broadcast. */
int ip4_src_is_martian(uint32_t addr);

struct ip4_out {
    uint32_t src;        /* 0: the outgoing interface's address */
    uint32_t dst;
    uint8_t proto;
    uint8_t ttl;         /* 0: the stack's default */
    uint8_t tos;
    int df;              /* set Don't Fragment (TCP uses it for PMTU discovery) */
    uint16_t gso_size;   /* TCP: a frame larger than the MTU for an offloading link to cut */
};

/* Sends b (transport header + payload at b->data) as an IPv4 datagram, fragmenting if it exceeds
 * the MTU. Takes b. Returns 0 or -ENETUNREACH / -EMSGSIZE / -ENOBUFS. */
int ip4_output(synack_stack_t *st, const struct ip4_out *o, struct buf *b, synack_time_t now);
/* Chooses the source address for dst (the outgoing interface's), or 0 if unroutable. */
uint32_t ip4_source_for(synack_stack_t *st, uint32_t dst);
/* The IP MTU toward dst (for TCP's MSS), or 0 if unroutable. */
unsigned ip4_mtu_for(synack_stack_t *st, uint32_t dst);
/* The largest TCP frame the link toward dst cuts itself (segmentation offload), or 0. */
unsigned ip4_tso_max_for(synack_stack_t *st, uint32_t dst);

/* IPv4 as transports see it (net/net.h). */
struct net_family;
extern const struct net_family ip4_family;

#endif
