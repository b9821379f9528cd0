/* ARP packet parse/build (RFC 826). */
#include "wire/arp.h"

#include "base/mem.h"

#include "wire/bytes.h"

enum wire_err arp_parse(const uint8_t *p, size_t len, struct arp_pkt *out)
{
    if (len < ARP_LEN)
        return WIRE_ERR_SHORT;
    if (wire_get16(p) != 1 || wire_get16(p + 2) != 0x0800 || p[4] != 6 || p[5] != 4)
        return WIRE_ERR_UNSUPPORTED;
    out->op = wire_get16(p + 6);
    memcpy(out->sha, p + 8, 6);
    out->spa = wire_get32(p + 14);
    memcpy(out->tha, p + 18, 6);
    out->tpa = wire_get32(p + 24);
    return WIRE_OK;
}

void arp_build(uint8_t *p, const struct arp_pkt *a)
{
    wire_put16(p, 1);
    wire_put16(p + 2, 0x0800);
    p[4] = 6;
    p[5] = 4;
    wire_put16(p + 6, a->op);
    memcpy(p + 8, a->sha, 6);
    wire_put32(p + 14, a->spa);
    memcpy(p + 18, a->tha, 6);
    wire_put32(p + 24, a->tpa);
}
