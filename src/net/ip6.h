/* IPv6 in the network layer (RFC 8200, RFC 4861, RFC 4862, RFC 4443): its part of the stack object
 * and the calls between its modules.
 *
 * IPv6 is off on an interface until an address is added to it or it is enabled
 * (synack_if_add_addr6, synack_if_enable_ipv6): an IPv4-only stack sends and answers nothing of
 * IPv6. Once on, an Ethernet interface has a link-local address from its MAC (EUI-64), joins the
 * all-nodes and solicited-node groups (reported by MLDv2), resolves neighbours by ND and may learn
 * a default router, prefixes and addresses (SLAAC) from router advertisements.
 *
 * Modules: addresses, DAD, SLAAC, source selection and MLD (ip6_addr.c), the neighbour cache and
 * the ND messages (nd.c), input and extension headers (ip6_in.c), routing, path MTU and
 * fragmentation (ip6_out.c), reassembly (reasm6.c), ICMPv6 (icmp6.c), the transports' view
 * (ip6_family.c). Scope: link-local addresses carry no zone, so a link-local destination is reached
 * on the first IPv6 interface (or the one a neighbour was learned on). */
#ifndef NET_IP6_H
#define NET_IP6_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/timer.h"
#include "net/iface.h"
#include "synack/types.h"
#include "wire/ip6.h"

#define IP6_IF_ADDRS 6          /* addresses per interface, the link-local one included */
#define IP6_ROUTERS 4
#define IP6_PREFIXES 8
#define IP6_DESTS 16            /* path MTU cache */
#define ND_CACHE 64

enum ip6_addr_state { IP6A_FREE = 0, IP6A_TENTATIVE, IP6A_PREFERRED, IP6A_DEPRECATED, IP6A_DUPLICATE };

struct ip6_addr {
    uint8_t a[16];
    uint8_t plen;
    uint8_t state;              /* enum ip6_addr_state */
    uint8_t dad_left;           /* DAD solicitations still to send */
    uint8_t autoconf;           /* formed by the stack (link-local, SLAAC), not configured */
    uint8_t nonce[6];           /* our DAD solicitations' Nonce option (RFC 7527) */
    synack_time_t dad_at;       /* the next DAD step while tentative */
    synack_time_t valid_until, preferred_until;   /* SYNACK_TIME_NEVER: forever */
};

/* The IPv6 part of one interface. */
struct ip6_if {
    int on;
    int disabled;               /* the MAC-derived link-local address is duplicate (RFC 4862 5.4.5) */
    int slaac;                  /* accept router advertisements and autoconfigure */
    unsigned mtu;               /* link MTU for IPv6 (an RA's MTU option may lower it) */
    uint8_t cur_hlim;           /* an RA's Cur Hop Limit (RFC 4861 6.3.4); 0: the stack's default */
    struct ip6_addr addrs[IP6_IF_ADDRS];
    unsigned rs_left;           /* router solicitations still to send */
    synack_time_t rs_at;        /* when the next goes (0: not yet scheduled) */
    struct timer timer;         /* DAD steps, router solicitations, lifetimes */
    synack_stack_t *st;
    int ifindex;
};

struct ip6_router {
    int used;
    int ifindex;
    uint8_t a[16];
    synack_time_t until;        /* router lifetime end; SYNACK_TIME_NEVER for a static one */
};

struct ip6_prefix {
    int used;
    int ifindex;
    uint8_t p[16];
    uint8_t plen;
    synack_time_t until;
};

struct ip6_dest {               /* path MTU learned from Packet Too Big (RFC 8201) */
    uint8_t a[16];
    unsigned mtu;               /* 0: unused */
    synack_time_t until;
};

enum nd_state { ND_FREE = 0, ND_INCOMPLETE, ND_REACHABLE, ND_STALE, ND_DELAY, ND_PROBE };

struct nd_entry {
    uint8_t state;              /* enum nd_state */
    uint8_t router;
    uint8_t tries;
    int ifindex;
    uint8_t ip[16];
    uint8_t mac[6];
    synack_time_t last_used;
    synack_time_t reachable_until;
    struct timer timer;         /* retransmission while INCOMPLETE/PROBE, DELAY's wait */
    struct buf_queue pending;
    synack_stack_t *st;
};

struct reasm6;

struct ip6_state {
    struct ip6_if ifs[IF_MAX];
    struct ip6_router routers[IP6_ROUTERS];
    struct ip6_prefix prefixes[IP6_PREFIXES];
    struct ip6_dest dests[IP6_DESTS];
    struct nd_entry *nd;        /* ND_CACHE entries */
    struct reasm6 *reasm;
    uint32_t icmp_tokens;
    synack_time_t icmp_refill_at;
    synack_time_t reachable_time;   /* RFC 4861 6.3.2: base value, randomized per use */
    synack_time_t retrans_time;
};

int ip6_new(synack_stack_t *st);
void ip6_free(synack_stack_t *st);
struct ip6_if *ip6_if(synack_stack_t *st, int ifindex);
/* Whether IPv6 runs on the interface: on, and not disabled by a duplicate link-local address. */
static inline int ip6_if_up(const struct ip6_if *x)
{
    return x->on && !x->disabled;
}

/* ip6_in.c: a packet received on ifc (p borrowed). ll_mcast: sent to a link-layer multicast. */
void ip6_input(synack_stack_t *st, struct iface *ifc, const uint8_t *p, size_t len, int ll_mcast, synack_time_t now);

/* ip6_out.c */
struct ip6_out {
    const uint8_t *src;         /* NULL or unspecified: chosen for dst */
    const uint8_t *dst;
    uint8_t next;
    uint8_t hlim;               /* 0: the stack's default */
    uint8_t tclass;
    int df;                     /* never fragment (TCP: it sizes segments to the path MTU) */
    uint16_t gso_size;
    int ifindex;                /* >= 0: this interface (ND, MLD, link-local replies); -1: route */
    int ra;                     /* add a hop-by-hop Router Alert option (MLD, RFC 3810 5) */
};
/* Sends b (the upper-layer header and payload) as an IPv6 packet. Takes b. 0 or -ENETUNREACH,
 * -EADDRNOTAVAIL, -EMSGSIZE, -ENOBUFS. */
int ip6_output(synack_stack_t *st, const struct ip6_out *o, struct buf *b, synack_time_t now);
/* Interface and next hop toward dst; NULL if none. */
struct iface *ip6_route(synack_stack_t *st, const uint8_t *dst, uint8_t next_hop[16]);
unsigned ip6_mtu_for(synack_stack_t *st, const uint8_t *dst);
void ip6_pmtu_update(synack_stack_t *st, const uint8_t *dst, unsigned mtu, synack_time_t now);
/* Hands a finished IPv6 packet to ifc's link, resolving next_hop by ND on Ethernet. Takes b. */
void ip6_if_output(synack_stack_t *st, struct iface *ifc, const uint8_t *next_hop, struct buf *b, synack_time_t now);

/* ip6_addr.c */
/* Our address on some interface in a usable state (not tentative or duplicate), or NULL. */
struct ip6_addr *ip6_addr_find(synack_stack_t *st, const uint8_t *a, int *ifindex);
/* Any of our addresses on ifindex, tentative ones included, or NULL. */
struct ip6_addr *ip6_addr_on(synack_stack_t *st, int ifindex, const uint8_t *a);
/* Whether a packet to dst is for us on ifindex: one of our usable addresses, or a group joined. */
int ip6_is_for_us(synack_stack_t *st, int ifindex, const uint8_t *dst);
/* The source for dst out of ifindex (RFC 6724, simplified: same scope, longest matching prefix);
 * 0 or -EADDRNOTAVAIL. */
int ip6_source_select(synack_stack_t *st, int ifindex, const uint8_t *dst, uint8_t out[16]);
/* DAD heard another node on a (RFC 4862 5.4.3, 5.4.4). */
void ip6_addr_dad_failed(synack_stack_t *st, int ifindex, struct ip6_addr *ad, synack_time_t now);
/* A router advertisement's prefix information (RFC 4862 5.5.3) on ifindex. */
void ip6_addr_prefix_info(synack_stack_t *st, int ifindex, const uint8_t *opt, synack_time_t now);
/* Answers an MLD query received on ifindex with reports of our groups (RFC 3810 6). */
void ip6_mld_report(synack_stack_t *st, int ifindex, synack_time_t now);

/* nd.c */
int nd_init(synack_stack_t *st);
void nd_free(synack_stack_t *st);
void nd_input(synack_stack_t *st, struct iface *ifc, const struct ip6_hdr *h, uint8_t type, uint8_t code,
              uint32_t word, const uint8_t *body, size_t body_len, synack_time_t now);
/* Sends b to next_hop on ifc once resolved. Takes b. */
void nd_output(synack_stack_t *st, struct iface *ifc, const uint8_t *next_hop, struct buf *b, synack_time_t now);
/* Sends a neighbor solicitation for target: to its solicited-node group (dst NULL) or unicast
 * (dst), from src (NULL: chosen; unspecified for DAD). */
void nd_send_ns(synack_stack_t *st, struct iface *ifc, const uint8_t *target, const uint8_t *dst,
                const uint8_t *src, synack_time_t now);
/* A DAD solicitation for our tentative address target, from :: with its Nonce option (RFC 4862
 * 5.4.2, RFC 7527 4.1). */
void nd_send_dad(synack_stack_t *st, struct iface *ifc, const uint8_t *target, const uint8_t nonce[6], synack_time_t now);
void nd_send_rs(synack_stack_t *st, struct iface *ifc, synack_time_t now);
int nd_lookup(synack_stack_t *st, int ifindex, const uint8_t *ip, uint8_t mac[6]);
/* The default router to use (RFC 4861 6.3.6: reachable ones first), or NULL. */
struct ip6_router *nd_default_router(synack_stack_t *st, synack_time_t now);

/* icmp6.c */
void icmp6_input(synack_stack_t *st, struct iface *ifc, const struct ip6_hdr *h, const uint8_t *pkt,
                 size_t pkt_len, const uint8_t *p, size_t len, int to_mcast, synack_time_t now);
/* Sends an error about the packet pkt (RFC 4443 2.4 (e) and (f): rate-limited; never about an error,
 * nor, except where the RFC allows, about a multicast or link-layer multicast packet). */
void icmp6_send_error(synack_stack_t *st, uint8_t type, uint8_t code, uint32_t word, const uint8_t *pkt,
                      size_t pkt_len, int ll_mcast, synack_time_t now);
/* Sends an ICMPv6 message (header built here) with body; ifindex/hlim as in struct ip6_out. */
int icmp6_send(synack_stack_t *st, const uint8_t *src, const uint8_t *dst, uint8_t type, uint8_t code,
               uint32_t word, const void *body, size_t body_len, int ifindex, uint8_t hlim, synack_time_t now);
int icmp6_send_echo(synack_stack_t *st, const uint8_t *dst, uint16_t id, uint16_t seq, const void *payload,
                    size_t len, synack_time_t now);

/* reasm6.c (RFC 8200 4.5, RFC 5722): adds the fragment (frag header fh at offset frag_off of
 * pkt). When a datagram completes returns 1 with *out a new packet (40-byte header whose next
 * header is the fragmented part's first, then that part), freed by the caller. */
int reasm6_add(synack_stack_t *st, struct iface *ifc, const uint8_t *pkt, size_t pkt_len, size_t frag_off,
               const struct ip6_frag *fh, uint8_t **out, size_t *out_len, synack_time_t now);
int reasm6_init(synack_stack_t *st);
void reasm6_free(synack_stack_t *st);

struct net_family;
extern const struct net_family ip6_family;

#endif
