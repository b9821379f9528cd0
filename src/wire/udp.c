/* UDP parse/build, RFC 768. */
#include "wire/udp.h"


#include "wire/bytes.h"
#include "wire/csum.h"

enum wire_err udp_parse(const uint8_t *p, size_t len, uint32_t src, uint32_t dst, struct udp_hdr *out)
{
    return udp_parse_ph(p, len, wire_csum_pseudo(src, dst, UDP_IPPROTO, 0), 1, out);
}

enum wire_err udp_parse_ph(const uint8_t *p, size_t len, uint64_t pseudo, int verify_csum, struct udp_hdr *out)
{
    if (len < UDP_HDR_LEN)
        return WIRE_ERR_SHORT;
    uint16_t ulen = wire_get16(p + 4);
    if (ulen < UDP_HDR_LEN)
        return WIRE_ERR_LEN;
    if (ulen > len)
        return WIRE_ERR_TRUNC;
    uint16_t csum = wire_get16(p + 6);
    if (csum != 0 && verify_csum) {
        if (wire_csum_finish(wire_csum_partial(p, ulen, pseudo + ulen)) != 0)
            return WIRE_ERR_CSUM;
    }
    out->sport = wire_get16(p);
    out->dport = wire_get16(p + 2);
    out->len = ulen;
    out->csum = csum;
    out->data = p + UDP_HDR_LEN;
    out->data_len = ulen - UDP_HDR_LEN;
    return WIRE_OK;
}

void udp_build(uint8_t *p, uint16_t sport, uint16_t dport, size_t data_len, uint32_t src, uint32_t dst)
{
    udp_build_ph(p, sport, dport, data_len, wire_csum_pseudo(src, dst, UDP_IPPROTO, 0));
}

void udp_build_ph(uint8_t *p, uint16_t sport, uint16_t dport, size_t data_len, uint64_t pseudo)
{
    uint16_t ulen = (uint16_t)(UDP_HDR_LEN + data_len);
    wire_put16(p, sport);
    wire_put16(p + 2, dport);
    wire_put16(p + 4, ulen);
    wire_put16(p + 6, 0);
    uint16_t c = wire_csum_finish(wire_csum_partial(p, ulen, pseudo + ulen));
    wire_put16(p + 6, c == 0 ? 0xffff : c);
}
