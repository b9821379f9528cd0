/* ICMP parse/build, RFC 792. */
#include "wire/icmp.h"

#include "base/mem.h"

#include "wire/bytes.h"
#include "wire/csum.h"

enum wire_err icmp_parse(const uint8_t *p, size_t len, struct icmp_hdr *out)
{
    if (len < ICMP_HDR_LEN)
        return WIRE_ERR_SHORT;
    if (wire_csum(p, len) != 0)
        return WIRE_ERR_CSUM;
    out->type = p[0];
    out->code = p[1];
    out->csum = wire_get16(p + 2);
    out->id = wire_get16(p + 4);
    out->seq = wire_get16(p + 6);
    out->next_mtu = wire_get16(p + 6);
    out->body = p + ICMP_HDR_LEN;
    out->body_len = len - ICMP_HDR_LEN;
    return WIRE_OK;
}

size_t icmp_build(uint8_t *p, const struct icmp_hdr *h)
{
    /* Move the body first: a body that overlaps the 8 header bytes (an in-place build) would
     * otherwise be overwritten by the header before it is copied. */
    if (h->body_len && h->body != p + ICMP_HDR_LEN)
        memmove(p + ICMP_HDR_LEN, h->body, h->body_len);
    p[0] = h->type;
    p[1] = h->code;
    wire_put16(p + 2, 0);
    if (h->type == ICMP_ECHO_REQUEST || h->type == ICMP_ECHO_REPLY) {
        wire_put16(p + 4, h->id);
        wire_put16(p + 6, h->seq);
    } else if (h->type == ICMP_DEST_UNREACH && h->code == ICMP_UNREACH_FRAG_NEEDED) {
        wire_put16(p + 4, 0);
        wire_put16(p + 6, h->next_mtu);
    } else {
        wire_put32(p + 4, 0);
    }
    size_t total = ICMP_HDR_LEN + h->body_len;
    wire_put16(p + 2, wire_csum(p, total));
    return total;
}

size_t icmp_build_echo_reply(uint8_t *p, const struct icmp_hdr *req)
{
    if (req->body_len && req->body != p + ICMP_HDR_LEN)
        memmove(p + ICMP_HDR_LEN, req->body, req->body_len);
    p[0] = ICMP_ECHO_REPLY;
    p[1] = 0;
    wire_put16(p + 4, req->id);
    wire_put16(p + 6, req->seq);
    uint16_t c = wire_csum_update16(req->csum, (uint16_t)(req->type << 8 | req->code), ICMP_ECHO_REPLY << 8);
    size_t total = ICMP_HDR_LEN + req->body_len;
    /* Eqn. 3 gives 0x0000 where the data sum to -0 (0xffff), right unless every byte is zero, +0,
     * which wants 0xffff (RFC 1624 3). A reply of type 0 is all zero only if id, seq and body are:
     * recompute in that one case. */
    if (c == 0 && req->id == 0 && req->seq == 0) {
        wire_put16(p + 2, 0);
        c = wire_csum(p, total);
    }
    wire_put16(p + 2, c);
    return total;
}
