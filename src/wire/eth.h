/* Ethernet II header (IEEE 802.3 frame with an EtherType): parse and build. */
#ifndef WIRE_ETH_H
#define WIRE_ETH_H

#include <stddef.h>
#include <stdint.h>

#include "wire/err.h"

#define ETH_HDR_LEN 14
#define ETH_ADDR_LEN 6
#define ETH_TYPE_IPV4 0x0800
#define ETH_TYPE_ARP 0x0806
#define ETH_TYPE_IPV6 0x86DD

/* The link kinds the formatter tells apart: the values of the public enum synack_if_kind
 * (SYNACK_IF_ETHERNET, SYNACK_IF_RAWIP), repeated so the wire layer needs no stack header;
 * tests/unit/test_wire_format.c asserts they are equal. */
#define WIRE_LINK_ETHERNET 1
#define WIRE_LINK_RAWIP 2

struct eth_hdr {
    uint8_t dst[ETH_ADDR_LEN];
    uint8_t src[ETH_ADDR_LEN];
    uint16_t type;
};

extern const uint8_t eth_broadcast[ETH_ADDR_LEN];

/* Parses the header at frame[0..len) (ETH_HDR_LEN bytes). Returns WIRE_OK or WIRE_ERR_SHORT. */
enum wire_err eth_parse(const uint8_t *frame, size_t len, struct eth_hdr *out);
/* Writes 14 header bytes at p. */
void eth_build(uint8_t *p, const struct eth_hdr *h);
int eth_is_broadcast(const uint8_t *mac);
int eth_is_multicast(const uint8_t *mac);

#endif
