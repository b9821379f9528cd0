/* Ethernet II header (IEEE 802.3 frame with an EtherType): parse and build. */
#ifndef WIRE_ETH_H
#define WIRE_ETH_H

#include <stddef.h>
#include <stdint.h>

#define ETH_HDR_LEN 14
#define ETH_ADDR_LEN 6
#define ETH_TYPE_IPV4 0x0800
#define ETH_TYPE_ARP 0x0806

struct eth_hdr {
    uint8_t dst[ETH_ADDR_LEN];
    uint8_t src[ETH_ADDR_LEN];
    uint16_t type;
};

extern const uint8_t eth_broadcast[ETH_ADDR_LEN];

/* Parses the header at frame[0..len). Returns the header length (14) or -EINVAL if too short. */
int eth_parse(const uint8_t *frame, size_t len, struct eth_hdr *out);
/* Writes 14 header bytes at p. */
void eth_build(uint8_t *p, const struct eth_hdr *h);
int eth_is_broadcast(const uint8_t *mac);
int eth_is_multicast(const uint8_t *mac);

#endif
