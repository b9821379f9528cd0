/* IPv4 header parse/build, RFC 791 section 3.1. */
#include "wire/ip4.h"

#include "wire/bytes.h"
#include "wire/csum.h"

/* RFC 791 3.1 "Options": type-only options are EOL (0) and NOP (1); others carry a length octet
 * that counts the type and length octets, so it is at least 2 and must stay inside the header. */
static enum wire_err ip4_check_options(const uint8_t *o, size_t len)
{
    size_t i = 0;
    while (i < len) {
        uint8_t t = o[i];
        if (t == 0)
            return WIRE_OK;
        if (t == 1) {
            i++;
            continue;
        }
        if (i + 1 >= len || o[i + 1] < 2 || i + o[i + 1] > len)
            return WIRE_ERR_OPTS;
        i += o[i + 1];
    }
    return WIRE_OK;
}

enum wire_err ip4_parse(const uint8_t *p, size_t len, struct ip4_hdr *out)
{
    if (len < IP4_HDR_MIN)
        return WIRE_ERR_SHORT;
    if ((p[0] >> 4) != 4)
        return WIRE_ERR_VERSION;
    unsigned ihl = (p[0] & 0x0fu) * 4u;
    if (ihl < IP4_HDR_MIN)
        return WIRE_ERR_HDRLEN;
    if (ihl > len)
        return WIRE_ERR_SHORT;
    uint16_t total = wire_get16(p + 2);
    if (total < ihl)
        return WIRE_ERR_LEN;
    if (total > len)
        return WIRE_ERR_TRUNC;
    if (wire_csum(p, ihl) != 0)
        return WIRE_ERR_CSUM;
    enum wire_err r = ip4_check_options(p + IP4_HDR_MIN, ihl - IP4_HDR_MIN);
    if (r)
        return r;
    out->ihl = (uint8_t)ihl;
    out->tos = p[1];
    out->total_len = total;
    out->id = wire_get16(p + 4);
    out->frag = wire_get16(p + 6);
    out->ttl = p[8];
    out->proto = p[9];
    out->csum = wire_get16(p + 10);
    out->src = wire_get32(p + 12);
    out->dst = wire_get32(p + 16);
    return WIRE_OK;
}

void ip4_build(uint8_t *p, const struct ip4_hdr *h)
{
    p[0] = 0x45;
    p[1] = h->tos;
    wire_put16(p + 2, h->total_len);
    wire_put16(p + 4, h->id);
    wire_put16(p + 6, h->frag);
    p[8] = h->ttl;
    p[9] = h->proto;
    wire_put16(p + 10, 0);
    wire_put32(p + 12, h->src);
    wire_put32(p + 16, h->dst);
    wire_put16(p + 10, wire_csum(p, IP4_HDR_MIN));
}
