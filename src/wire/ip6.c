/* IPv6 header and extension headers, RFC 8200 sections 3 and 4. */
#include "wire/ip6.h"

#include "base/mem.h"

#include "wire/bytes.h"
#include "wire/csum.h"

enum wire_err ip6_parse(const uint8_t *p, size_t len, struct ip6_hdr *out)
{
    if (len < IP6_HDR_LEN)
        return WIRE_ERR_SHORT;
    if ((p[0] >> 4) != 6)
        return WIRE_ERR_VERSION;
    uint32_t w = wire_get32(p);
    out->tclass = (uint8_t)(w >> 20);
    out->flow = w & 0xfffffu;
    out->plen = wire_get16(p + 4);
    out->next = p[6];
    out->hlim = p[7];
    memcpy(out->src, p + 8, 16);
    memcpy(out->dst, p + 24, 16);
    if ((size_t)out->plen + IP6_HDR_LEN > len)
        return WIRE_ERR_TRUNC;
    return WIRE_OK;
}

void ip6_build(uint8_t *p, const struct ip6_hdr *h)
{
    wire_put32(p, (6u << 28) | ((uint32_t)h->tclass << 20) | (h->flow & 0xfffffu));
    wire_put16(p + 4, h->plen);
    p[6] = h->next;
    p[7] = h->hlim;
    memcpy(p + 8, h->src, 16);
    memcpy(p + 24, h->dst, 16);
}

enum wire_err ip6_ext_len(const uint8_t *p, size_t len, size_t *hdr_len)
{
    if (len < 8)
        return WIRE_ERR_SHORT;
    size_t n = 8u + 8u * p[1];
    if (n > len)
        return WIRE_ERR_TRUNC;
    *hdr_len = n;
    return WIRE_OK;
}

enum wire_err ip6_opts_parse(const uint8_t *p, size_t len, size_t *hdr_len, size_t *unknown_off,
                             uint8_t *unknown_type)
{
    size_t n;
    enum wire_err r = ip6_ext_len(p, len, &n);
    if (r != WIRE_OK)
        return r;
    size_t first = 0;
    uint8_t first_type = 0;
    /* RFC 8200 4.2: options are type-length-value; Pad1 (0) alone has no length octet. */
    size_t i = 2;
    while (i < n) {
        uint8_t t = p[i];
        if (t == 0) {
            i++;
            continue;
        }
        if (i + 2 > n || i + 2u + p[i + 1] > n)
            return WIRE_ERR_OPTS;
        if (t != 1 && first == 0) {
            first = i;
            first_type = t;
        }
        i += 2u + p[i + 1];
    }
    *hdr_len = n;
    if (unknown_off)
        *unknown_off = first;
    if (unknown_type && first)
        *unknown_type = first_type;
    return WIRE_OK;
}

enum wire_err ip6_rthdr_parse(const uint8_t *p, size_t len, struct ip6_rthdr *out)
{
    enum wire_err r = ip6_ext_len(p, len, &out->hdr_len);
    if (r != WIRE_OK)
        return r;
    out->next = p[0];
    out->type = p[2];
    out->segs_left = p[3];
    return WIRE_OK;
}

enum wire_err ip6_frag_parse(const uint8_t *p, size_t len, struct ip6_frag *out)
{
    if (len < IP6_FRAG_HDR_LEN)
        return WIRE_ERR_SHORT;
    out->next = p[0];
    uint16_t om = wire_get16(p + 2);
    out->offset = (uint16_t)(om & 0xfff8u);
    out->more = om & 1u;
    out->id = wire_get32(p + 4);
    return WIRE_OK;
}

void ip6_frag_build(uint8_t *p, const struct ip6_frag *f)
{
    p[0] = f->next;
    p[1] = 0;
    wire_put16(p + 2, (uint16_t)((f->offset & 0xfff8u) | (f->more ? 1u : 0u)));
    wire_put32(p + 4, f->id);
}

int ip6_is_unspecified(const uint8_t *a)
{
    for (int i = 0; i < 16; i++)
        if (a[i])
            return 0;
    return 1;
}

int ip6_is_loopback(const uint8_t *a)
{
    for (int i = 0; i < 15; i++)
        if (a[i])
            return 0;
    return a[15] == 1;
}

int ip6_prefix_match(const uint8_t *a, const uint8_t *b, unsigned plen)
{
    if (plen > 128)
        plen = 128;
    unsigned full = plen / 8u, rest = plen % 8u;
    if (memcmp(a, b, full) != 0)
        return 0;
    if (!rest)
        return 1;
    uint8_t m = (uint8_t)(0xffu << (8u - rest));
    return (a[full] & m) == (b[full] & m);
}

unsigned ip6_common_prefix(const uint8_t *a, const uint8_t *b)
{
    unsigned n = 0;
    for (int i = 0; i < 16; i++) {
        uint8_t x = a[i] ^ b[i];
        if (!x) {
            n += 8;
            continue;
        }
        while (!(x & 0x80)) {
            n++;
            x = (uint8_t)(x << 1);
        }
        return n;
    }
    return n;
}

void ip6_solicited_node(const uint8_t *a, uint8_t out[16])
{
    static const uint8_t pre[13] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff };
    memcpy(out, pre, 13);
    memcpy(out + 13, a + 13, 3);
}

void ip6_mcast_mac(const uint8_t *a, uint8_t mac[6])
{
    mac[0] = 0x33;
    mac[1] = 0x33;
    memcpy(mac + 2, a + 12, 4);
}

void ip6_eui64(const uint8_t mac[6], uint8_t iid[8])
{
    iid[0] = mac[0] ^ 0x02;   /* the universal/local bit inverted */
    iid[1] = mac[1];
    iid[2] = mac[2];
    iid[3] = 0xff;
    iid[4] = 0xfe;
    iid[5] = mac[3];
    iid[6] = mac[4];
    iid[7] = mac[5];
}

uint64_t wire_csum_pseudo6(const uint8_t *src, const uint8_t *dst, uint8_t next, uint32_t len)
{
    uint64_t s = wire_csum_partial(src, 16, 0);
    s = wire_csum_partial(dst, 16, s);
    return s + (len >> 16) + (len & 0xffffu) + next;
}
