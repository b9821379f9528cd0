/* The network layer as transports see it, and its own part of the stack object.
 *
 * Upward, IP delivers to transports through a registration: a transport registers, for its IP
 * protocol number, an input handler and an error handler (ICMP errors about datagrams it sent),
 * and IP calls them with a family-neutral description of the datagram (struct net_rx, struct
 * net_err). Downward, a transport reaches the network layer of an address's family through struct
 * net_family: output, source address and MTU toward a destination, segmentation offload, the
 * pseudo-header sum, and "unreachable" replies. IPv4 implements it (net/ip4_family.c), IPv6 the
 * same (net/ip6_family.c); the transports do not know which. */
#ifndef NET_NET_H
#define NET_NET_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "net/arp.h"
#include "net/iface.h"
#include "net/ip6.h"
#include "net/reasm.h"
#include "synack/types.h"

#define NET_AF_INET 4
#define NET_AF_INET6 6

/* A datagram delivered to a transport. Everything is borrowed for the call. */
struct net_rx {
    uint8_t family;              /* NET_AF_INET or NET_AF_INET6 */
    struct synack_ip src, dst;
    int ifindex;
    int dst_unicast;             /* dst is one of our own unicast addresses (not a broadcast) */
    const uint8_t *pkt;          /* the whole network-layer packet, for drop traces */
    size_t pkt_len;
    const void *l3;              /* the family's parsed header, for its unreachable() reply */
    uint8_t csum_ok;             /* the link vouched for the transport checksum (SYNACK_RX_CSUM_OK) */
};

/* Why a datagram we sent could not be delivered: ICMP(v4/v6) messages in family-neutral terms. */
enum net_err_kind {
    NET_ERR_PORT_UNREACH = 1,    /* hard: nobody listens on the port */
    NET_ERR_PROTO_UNREACH,       /* hard: the host does not speak the protocol */
    NET_ERR_UNREACH,             /* soft: network, host, administratively prohibited ... */
    NET_ERR_PKT_TOO_BIG,         /* path MTU discovery: mtu holds the next-hop MTU */
    NET_ERR_TIME_EXCEEDED,       /* soft */
};

struct net_err {
    enum net_err_kind kind;
    uint8_t family;
    unsigned mtu;                /* NET_ERR_PKT_TOO_BIG only */
    struct synack_ip src, dst;   /* of the quoted datagram: our address, the peer's */
    const uint8_t *hdr;          /* the quoted transport header (at least 8 bytes) */
    size_t len;
    int local;                   /* NET_ERR_UNREACH raised here: the next hop never answered ARP */
};

/* A datagram to send (the transport header and payload are in the buffer). */
struct net_tx {
    struct synack_ip src, dst;   /* src unspecified: the outgoing interface's address */
    uint8_t proto;
    uint8_t ttl;                 /* 0: the stack's default */
    uint8_t tos;
    int df;                      /* don't fragment (TCP, for path MTU discovery) */
    uint16_t gso_size;           /* a frame larger than the MTU for an offloading link to cut */
};

enum net_unreach {
    NET_UNREACH_PORT = 1,
    NET_UNREACH_PROTO,
};

/* A network layer's interface to transports (one per address family). */
struct net_family {
    uint8_t family;
    unsigned hdr_len;            /* header bytes without options (MSS = MTU - hdr_len - TCP header) */
    unsigned min_mtu;            /* the smallest MTU a path may have (68 for IPv4, 1280 for IPv6) */
    /* Sends b as one datagram (fragmenting if the family does). Takes b. 0 or a negative errno. */
    int (*output)(synack_stack_t *st, const struct net_tx *tx, struct buf *b, synack_time_t now);
    /* The source address for a datagram to dst; -ENETUNREACH if there is no route. */
    int (*source_for)(synack_stack_t *st, const struct synack_ip *dst, struct synack_ip *src);
    /* The MTU toward dst, or 0 if unroutable; the largest frame its link segments itself, or 0. */
    unsigned (*mtu_for)(synack_stack_t *st, const struct synack_ip *dst);
    unsigned (*tso_max_for)(synack_stack_t *st, const struct synack_ip *dst);
    /* Nonzero if addr is one of this stack's unicast addresses. */
    int (*is_local)(synack_stack_t *st, const struct synack_ip *addr);
    /* Nonzero if addr can name a single remote host: not unspecified, broadcast (limited, or
     * directed to a connected network) or multicast. */
    int (*is_unicast)(synack_stack_t *st, const struct synack_ip *addr);
    /* The transport checksum's pseudo-header sum without the length field (addresses and protocol,
     * not folded): the length adds in the same way for both families (RFC 768, RFC 8200 8.1). */
    uint64_t (*pseudo_sum)(const struct synack_ip *src, const struct synack_ip *dst, uint8_t proto);
    /* Answers a received datagram with an "unreachable" error (rate-limited, never about a
     * broadcast or an error). */
    void (*unreachable)(synack_stack_t *st, const struct net_rx *rx, enum net_unreach why, synack_time_t now);
};

/* A transport's handlers, registered for its IP protocol number. */
struct net_proto {
    void (*input)(synack_stack_t *st, const struct net_rx *rx, const uint8_t *p, size_t len, synack_time_t now);
    /* Returns 1 if the quoted datagram is one the transport sent and still cares about (TCP: a
     * sequence number in flight), which is what lets a Packet Too Big lower the path MTU (RFC
     * 8201 4, RFC 5927 4.1); 0 otherwise. */
    int (*error)(synack_stack_t *st, const struct net_err *err, synack_time_t now);
};

#define NET_MAX_PROTOS 8

/* The network layer's part of the stack object. */
struct net {
    struct iface ifs[IF_MAX];
    int nifs;
    uint32_t gateway;
    struct arp_cache arp;
    struct reasm_table reasm;
    struct ip6_state ip6;
    uint16_t ip_id;                   /* next IP ID, randomly started */
    uint8_t rx_csum_ok;               /* the frame being input: SYNACK_RX_CSUM_OK (not of a reassembly) */
    /* ICMP error rate limit: a token bucket (RFC 1122 3.2.2: "SHOULD ... limit the rate") */
    uint32_t icmp_tokens;
    synack_time_t icmp_refill_at;
    struct {
        uint8_t proto;
        const struct net_proto *ops;
    } protos[NET_MAX_PROTOS];
    int nprotos;
};

int net_new(synack_stack_t *st);
void net_free(synack_stack_t *st);
/* Registers a transport for an IP protocol number. 0, or -ENOSPC / -EEXIST. */
int net_proto_register(synack_stack_t *st, uint8_t proto, const struct net_proto *ops);
/* The ICMP error rate limit (RFC 1122 3.2.2, RFC 4443 2.4 (f)): a token bucket per family. 1 if
 * an error may go now (a token is taken). */
int net_icmp_rate_ok(synack_stack_t *st, uint32_t *tokens, synack_time_t *refill_at, synack_time_t now);
/* The registered transport for proto, or NULL. */
const struct net_proto *net_proto_find(synack_stack_t *st, uint8_t proto);
/* The network layer for an address (IPv4 for IPv4-mapped addresses), or NULL if this stack does
 * not speak its family. Inline: transports ask per segment. */
extern const struct net_family ip4_family;
extern const struct net_family ip6_family;
static inline const struct net_family *net_family_for(const struct synack_ip *addr)
{
    return synack_ip_is_v4(addr) ? &ip4_family : &ip6_family;
}

#endif
