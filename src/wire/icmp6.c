/* ICMPv6 parse/build (RFC 4443 2.1, 2.3) and Neighbor Discovery options (RFC 4861 4.6). */
#include "wire/icmp6.h"

#include "base/mem.h"

#include "wire/bytes.h"
#include "wire/csum.h"

enum wire_err icmp6_parse(const uint8_t *p, size_t len, uint64_t pseudo, struct icmp6_hdr *out)
{
    if (len < ICMP6_HDR_LEN)
        return WIRE_ERR_SHORT;
    /* RFC 4443 2.3: the checksum covers the pseudo-header and the whole message. */
    if (wire_csum_finish(wire_csum_partial(p, len, pseudo)) != 0)
        return WIRE_ERR_CSUM;
    out->type = p[0];
    out->code = p[1];
    out->csum = wire_get16(p + 2);
    out->word = wire_get32(p + 4);
    out->body = p + ICMP6_HDR_LEN;
    out->body_len = len - ICMP6_HDR_LEN;
    return WIRE_OK;
}

size_t icmp6_build(uint8_t *p, const struct icmp6_hdr *h, uint64_t pseudo)
{
    if (h->body_len && h->body != p + ICMP6_HDR_LEN)
        memmove(p + ICMP6_HDR_LEN, h->body, h->body_len);
    p[0] = h->type;
    p[1] = h->code;
    wire_put16(p + 2, 0);
    wire_put32(p + 4, h->word);
    size_t total = ICMP6_HDR_LEN + h->body_len;
    wire_put16(p + 2, wire_csum_finish(wire_csum_partial(p, total, pseudo)));
    return total;
}

enum wire_err nd_opts_parse(const uint8_t *p, size_t len, struct nd_opts *out)
{
    memset(out, 0, sizeof(*out));
    size_t i = 0;
    while (i < len) {
        if (len - i < 2)
            return WIRE_ERR_OPTS;
        size_t n = 8u * p[i + 1];
        if (n == 0 || n > len - i)
            return WIRE_ERR_OPTS;
        const uint8_t *o = p + i;
        switch (o[0]) {
        case ND_OPT_SLLA:
        case ND_OPT_TLLA:
            /* On Ethernet the option is 8 bytes (RFC 2464 6); a longer one is another link's. */
            if (n == 8) {
                if (o[0] == ND_OPT_SLLA)
                    out->slla = o + 2;
                else
                    out->tlla = o + 2;
            }
            break;
        case ND_OPT_PREFIX:
            if (n != 32)
                return WIRE_ERR_OPTS;   /* RFC 4861 4.6.2: Length is 4 */
            if (out->nprefix < 4)
                out->prefix[out->nprefix++] = o;
            break;
        case ND_OPT_NONCE:
            /* RFC 3971 5.3.2: type, length, then the nonce (at least 6 bytes). */
            out->nonce = o + 2;
            out->nonce_len = n - 2;
            break;
        case ND_OPT_MTU:
            if (n != 8)
                return WIRE_ERR_OPTS;
            out->mtu = wire_get32(o + 4);
            break;
        default:
            break;   /* RFC 4861 4.6: unrecognized options are ignored */
        }
        i += n;
    }
    return WIRE_OK;
}

void nd_prefix_read(const uint8_t *o, struct nd_prefix *out)
{
    out->len = o[2];
    out->onlink = (o[3] & 0x80) != 0;
    out->autonomous = (o[3] & 0x40) != 0;
    out->valid = wire_get32(o + 4);
    out->preferred = wire_get32(o + 8);
    memcpy(out->prefix, o + 16, 16);
}

size_t nd_opt_lla_build(uint8_t *p, uint8_t type, const uint8_t mac[6])
{
    p[0] = type;
    p[1] = 1;
    memcpy(p + 2, mac, 6);
    return 8;
}
