/* Ethernet II parse/build. */
#include "wire/eth.h"

#include "base/mem.h"

#include "wire/bytes.h"

const uint8_t eth_broadcast[ETH_ADDR_LEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

enum wire_err eth_parse(const uint8_t *frame, size_t len, struct eth_hdr *out)
{
    if (len < ETH_HDR_LEN)
        return WIRE_ERR_SHORT;
    memcpy(out->dst, frame, ETH_ADDR_LEN);
    memcpy(out->src, frame + 6, ETH_ADDR_LEN);
    out->type = wire_get16(frame + 12);
    return WIRE_OK;
}

void eth_build(uint8_t *p, const struct eth_hdr *h)
{
    memcpy(p, h->dst, ETH_ADDR_LEN);
    memcpy(p + 6, h->src, ETH_ADDR_LEN);
    wire_put16(p + 12, h->type);
}

int eth_is_broadcast(const uint8_t *mac) { return memcmp(mac, eth_broadcast, ETH_ADDR_LEN) == 0; }
int eth_is_multicast(const uint8_t *mac) { return mac[0] & 1; }
