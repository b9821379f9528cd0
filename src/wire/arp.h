/* ARP for IPv4 over Ethernet (RFC 826): the 28-byte packet. */
#ifndef WIRE_ARP_H
#define WIRE_ARP_H

#include <stddef.h>
#include <stdint.h>

#include "wire/err.h"

#define ARP_LEN 28
#define ARP_OP_REQUEST 1
#define ARP_OP_REPLY 2

struct arp_pkt {
    uint16_t op;
    uint8_t sha[6];
    uint32_t spa;   /* host order */
    uint8_t tha[6];
    uint32_t tpa;   /* host order */
};

/* Parses an ARP packet. Only hardware type 1 (Ethernet, hlen 6) with protocol 0x0800 (plen 4) is
 * accepted (RFC 826: "?Do I have the hardware type in ar$hrd?"). Returns WIRE_OK, WIRE_ERR_SHORT or
 * WIRE_ERR_UNSUPPORTED. */
enum wire_err arp_parse(const uint8_t *p, size_t len, struct arp_pkt *out);
/* Writes 28 bytes at p. */
void arp_build(uint8_t *p, const struct arp_pkt *a);

#endif
