/* Interfaces: an Ethernet (TAP, simulated) or raw-IP (TUN) attachment with one IPv4 address and an
 * MTU. Frames come in through synack_if_input (iface.c) and go out through if_output_ip. */
#ifndef NET_IFACE_H
#define NET_IFACE_H

#include <stdint.h>

#include "core/buf.h"
#include "synack/stack.h"

#define IF_MAX 8

struct iface {
    char name[16];
    enum synack_if_kind kind;
    uint8_t mac[6];
    uint32_t addr;
    uint8_t prefix_len;
    uint32_t mask;
    uint16_t mtu;
    synack_link_tx_fn tx;
    void *tx_ctx;
    synack_link_tx_meta_fn tx_meta;   /* set when the link offloads TCP segmentation */
    uint32_t tso_max;
};

/* Sends an IPv4 packet (b->data is the IP header) to next_hop on ifc: raw-IP links get it as is,
 * Ethernet links resolve next_hop through ARP first. Takes ownership of b. */
void if_output_ip(synack_stack_t *st, struct iface *ifc, uint32_t next_hop, struct buf *b, synack_time_t now);
/* Hands a finished frame to the link, tracing and counting it. Borrows frame. gso_size: the frame
 * is a large TCP frame for the link to cut (only on a link with tso_max), else 0. */
void if_transmit(synack_stack_t *st, struct iface *ifc, const uint8_t *frame, size_t len, uint16_t gso_size,
                 synack_time_t now);
/* Prepends an Ethernet header to b and transmits; b stays the caller's. */
void if_output_eth(synack_stack_t *st, struct iface *ifc, const uint8_t *dst_mac, uint16_t type,
                   struct buf *b, synack_time_t now);
/* The interface whose connected network contains addr, or NULL. */
struct iface *if_for_network(synack_stack_t *st, uint32_t addr);
/* The interface that owns addr as its address, or NULL. */
struct iface *if_for_local(synack_stack_t *st, uint32_t addr);
int if_index(const synack_stack_t *st, const struct iface *ifc);

#endif
