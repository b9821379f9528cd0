/* ARP (RFC 826) on Ethernet interfaces: a bounded neighbour cache with timeouts and retries, and a
 * bounded queue per unresolved neighbour of packets waiting for its address. */
#ifndef NET_ARP_H
#define NET_ARP_H

#include <stdint.h>

#include "core/buf.h"
#include "core/timer.h"
#include "synack/types.h"

struct iface;

enum arp_state { ARP_FREE = 0, ARP_INCOMPLETE, ARP_REACHABLE };

struct arp_entry {
    enum arp_state state;
    int ifindex;
    uint32_t ip;
    uint8_t mac[6];
    unsigned tries;
    synack_time_t last_used;
    struct timer timer;      /* retry while INCOMPLETE, expiry while REACHABLE */
    struct buf_queue pending;
    synack_stack_t *st;
};

struct arp_cache {
    struct arp_entry *v;
    unsigned n;
};

int arp_cache_init(synack_stack_t *st, struct arp_cache *c, unsigned n);
void arp_cache_free(synack_stack_t *st, struct arp_cache *c);
/* Handles an ARP packet (after the Ethernet header) received on ifc. */
void arp_input(synack_stack_t *st, struct iface *ifc, const uint8_t *p, size_t len, synack_time_t now);
/* Sends IP packet b to next_hop on ifc, resolving first if needed. Takes b. */
void arp_output(synack_stack_t *st, struct iface *ifc, uint32_t next_hop, struct buf *b, synack_time_t now);
/* Looks up a resolved entry (tests, listings). Returns 0 and fills mac, or -ENOENT. */
int arp_lookup(synack_stack_t *st, int ifindex, uint32_t ip, uint8_t mac[6]);

#endif
