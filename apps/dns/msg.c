/* DNS message parser and builder (see msg.h). */
#include "msg.h"

#include <errno.h>
#include <string.h>

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}

int dns_header_read(const uint8_t *p, size_t len, struct dns_header *h)
{
    if (len < DNS_HDR_LEN)
        return -EBADMSG;
    h->id = get16(p);
    h->flags = get16(p + 2);
    h->qdcount = get16(p + 4);
    h->ancount = get16(p + 6);
    h->nscount = get16(p + 8);
    h->arcount = get16(p + 10);
    return 0;
}

/* Checks the RDATA of the types we interpret: it must be exactly what the type says, names
 * included (RFC 1035 3.3, 3.4.1; RFC 6891 6.1.2 for OPT). Other types are opaque bytes. */
static int check_rdata(const uint8_t *p, size_t len, const struct dns_rr *rr)
{
    size_t off = rr->rdoff, end = (size_t)rr->rdoff + rr->rdlen, next;
    struct dns_name n;
    switch (rr->type) {
    case DNS_T_A:
        return rr->cls != DNS_C_IN || rr->rdlen == 4 ? 0 : -EBADMSG;
    case DNS_T_AAAA:
        return rr->cls != DNS_C_IN || rr->rdlen == 16 ? 0 : -EBADMSG;   /* RFC 3596 2.2 */
    case DNS_T_NS:
    case DNS_T_CNAME:
        /* The name must lie inside the RDATA (a pointer may reach back before it). */
        if (dns_name_read(p, end, off, &n, &next) != 0 || next != end)
            return -EBADMSG;
        return 0;
    case DNS_T_SOA:
        if (dns_name_read(p, end, off, &n, &next) != 0)
            return -EBADMSG;
        if (dns_name_read(p, end, next, &n, &next) != 0 || end - next != 20)
            return -EBADMSG;
        return 0;
    case DNS_T_OPT:
        /* RFC 6891 6.1.1: the owner is the root, only in the additional section. */
        if (rr->name.len != 1 || rr->section != DNS_S_ADDITIONAL)
            return -EBADMSG;
        /* RFC 6891 6.1.2: RDATA is a run of {OPTION-CODE, OPTION-LENGTH, OPTION-DATA}; an option
         * whose length runs past the RDATA (or a stray byte or three at its end) is malformed. */
        while (off < end) {
            if (end - off < 4)
                return -EBADMSG;
            size_t olen = (size_t)p[off + 2] << 8 | p[off + 3];
            if (olen > end - off - 4)
                return -EBADMSG;
            off += 4 + olen;
        }
        return 0;
    default:
        return 0;
    }
}

int dns_msg_parse(const uint8_t *p, size_t len, struct dns_msg *m)
{
    memset(&m->h, 0, sizeof(m->h));
    m->has_question = 0;
    m->nrr = m->total_rr = 0;
    m->has_opt = 0;
    m->opt_udp_size = 0;
    m->opt_version = 0;
    m->opt_flags = 0;
    m->raw = p;
    m->len = len;
    if (len > 65535 || dns_header_read(p, len, &m->h) != 0)
        return -EBADMSG;
    if (m->h.qdcount > 1)   /* RFC 1035 allows more; no implementation sends them (RFC 9619) */
        return -EBADMSG;
    /* Absurd counts: a question takes at least 5 bytes and a record at least 11 (root owner,
     * type, class, TTL, RDLENGTH); counts the message cannot hold are rejected before any loop. */
    size_t nrr = (size_t)m->h.ancount + m->h.nscount + m->h.arcount;
    if ((size_t)m->h.qdcount * 5 + nrr * 11 > len - DNS_HDR_LEN)
        return -EBADMSG;
    size_t off = DNS_HDR_LEN;
    if (m->h.qdcount) {
        if (dns_name_read(p, len, off, &m->q.name, &off) != 0 || len - off < 4)
            return -EBADMSG;
        m->q.type = get16(p + off);
        m->q.cls = get16(p + off + 2);
        off += 4;
        m->has_question = 1;
    }
    for (size_t i = 0; i < nrr; i++) {
        struct dns_rr rr;
        rr.section = i < m->h.ancount ? DNS_S_ANSWER
                     : i < (size_t)m->h.ancount + m->h.nscount ? DNS_S_AUTHORITY : DNS_S_ADDITIONAL;
        if (dns_name_read(p, len, off, &rr.name, &off) != 0 || len - off < 10)
            return -EBADMSG;
        rr.type = get16(p + off);
        rr.cls = get16(p + off + 2);
        rr.ttl = get32(p + off + 4);
        rr.rdlen = get16(p + off + 8);
        off += 10;
        if (rr.rdlen > len - off)
            return -EBADMSG;
        rr.rdoff = (uint16_t)off;
        /* An OPT is noted before its RDATA is checked, so a FORMERR for it can carry ours. */
        if (rr.type == DNS_T_OPT && rr.name.len == 1 && rr.section == DNS_S_ADDITIONAL) {
            if (m->has_opt)   /* RFC 6891 6.1.1: more than one OPT is a FORMERR */
                return -EBADMSG;
            m->has_opt = 1;
            m->opt_udp_size = rr.cls;
            m->opt_version = (uint8_t)(rr.ttl >> 16);
            m->opt_flags = (uint16_t)rr.ttl;
        }
        if (check_rdata(p, len, &rr) != 0)
            return -EBADMSG;
        off += rr.rdlen;
        if (m->nrr < DNS_MSG_MAX_RR)
            m->rr[m->nrr++] = rr;
        m->total_rr++;
    }
    /* Trailing bytes after the last record: RFC 1035 does not allow them; reject so that what we
     * accept is exactly what the counts describe. */
    if (off != len)
        return -EBADMSG;
    return 0;
}

int dns_rr_rdata_name(const struct dns_msg *m, const struct dns_rr *rr, struct dns_name *out)
{
    if (rr->type != DNS_T_NS && rr->type != DNS_T_CNAME && rr->type != DNS_T_SOA)
        return -EINVAL;
    return dns_name_read(m->raw, (size_t)rr->rdoff + rr->rdlen, rr->rdoff, out, NULL) == 0 ? 0 : -EBADMSG;
}

uint32_t dns_rr_a(const struct dns_msg *m, const struct dns_rr *rr) { return get32(m->raw + rr->rdoff); }

void dns_rr_aaaa(const struct dns_msg *m, const struct dns_rr *rr, uint8_t out[16])
{
    memcpy(out, m->raw + rr->rdoff, 16);
}

/* ---- builder ---- */

int dns_build_init(struct dns_builder *b, uint8_t *buf, size_t cap, const struct dns_header *h)
{
    memset(b, 0, sizeof(*b));
    if (cap < DNS_HDR_LEN)
        return -EMSGSIZE;
    b->buf = buf;
    b->cap = cap > 65535 ? 65535 : cap;
    put16(buf, h->id);
    put16(buf + 2, h->flags);
    memset(buf + 4, 0, 8);
    b->len = DNS_HDR_LEN;
    return 0;
}

void dns_build_set_flags(struct dns_builder *b, uint16_t flags) { put16(b->buf + 2, flags); }

/* The offset of an earlier name equal to `n` (wire form), or 0 if none. Earlier names are read
 * back through dns_name_read, so the table holds only offsets. */
static size_t comp_find(const struct dns_builder *b, const uint8_t *wire, size_t wlen)
{
    struct dns_name want, have;
    want.len = (uint8_t)wlen;
    memcpy(want.wire, wire, wlen);
    for (unsigned i = 0; i < b->ncomp; i++)
        if (dns_name_read(b->buf, b->len, b->comp[i], &have, NULL) == 0 && dns_name_equal(&have, &want))
            return b->comp[i];
    return 0;
}

/* Writes a name, replacing its longest suffix already in the message by a pointer (RFC 1035
 * 4.1.4). New label positions below 0x4000 (a pointer's reach) become targets for later names. */
static int put_name(struct dns_builder *b, const struct dns_name *n)
{
    size_t i = 0;
    size_t start = b->len;
    unsigned ncomp0 = b->ncomp;
    while (i < n->len && n->wire[i]) {
        size_t at = comp_find(b, n->wire + i, n->len - i);
        if (at) {
            if (b->cap - b->len < 2)
                goto full;
            put16(b->buf + b->len, (uint16_t)(0xC000u | at));
            b->len += 2;
            return 0;
        }
        size_t l = (size_t)n->wire[i] + 1;
        if (b->cap - b->len < l)
            goto full;
        if (b->len < 0x4000 && b->ncomp < DNS_COMPRESS_MAX)
            b->comp[b->ncomp++] = (uint16_t)b->len;
        memcpy(b->buf + b->len, n->wire + i, l);
        b->len += l;
        i += l;
    }
    if (b->cap - b->len < 1)
        goto full;
    b->buf[b->len++] = 0;
    return 0;
full:
    b->len = start;
    b->ncomp = ncomp0;
    return -EMSGSIZE;
}

int dns_build_question(struct dns_builder *b, const struct dns_name *name, uint16_t type, uint16_t cls)
{
    size_t len0 = b->len;
    unsigned nc0 = b->ncomp;
    if (put_name(b, name) != 0 || b->cap - b->len < 4) {
        b->len = len0;
        b->ncomp = nc0;
        return -EMSGSIZE;
    }
    put16(b->buf + b->len, type);
    put16(b->buf + b->len + 2, cls);
    b->len += 4;
    b->count[0]++;
    return 0;
}

/* A record is written in three steps: owner and fixed fields, RDATA, then RDLENGTH patched. Any
 * step that does not fit rolls the builder back to where the record began. */
struct rr_mark {
    size_t len0, rdlen_at;
    unsigned ncomp0;
};

static int rr_begin(struct dns_builder *b, struct rr_mark *mk, const struct dns_name *owner, uint16_t type,
                    uint16_t cls, uint32_t ttl)
{
    mk->len0 = b->len;
    mk->ncomp0 = b->ncomp;
    if (put_name(b, owner) != 0 || b->cap - b->len < 10)
        return -EMSGSIZE;
    put16(b->buf + b->len, type);
    put16(b->buf + b->len + 2, cls);
    put32(b->buf + b->len + 4, ttl);
    mk->rdlen_at = b->len + 8;
    b->len += 10;
    return 0;
}

static int rr_end(struct dns_builder *b, struct rr_mark *mk, enum dns_section s, int ok)
{
    if (!ok) {
        b->len = mk->len0;
        b->ncomp = mk->ncomp0;
        return -EMSGSIZE;
    }
    put16(b->buf + mk->rdlen_at, (uint16_t)(b->len - mk->rdlen_at - 2));
    b->count[1 + s]++;
    return 0;
}

int dns_build_a(struct dns_builder *b, enum dns_section s, const struct dns_name *owner, uint32_t ttl,
                uint32_t addr)
{
    struct rr_mark mk;
    int ok = rr_begin(b, &mk, owner, DNS_T_A, DNS_C_IN, ttl) == 0 && b->cap - b->len >= 4;
    if (ok) {
        put32(b->buf + b->len, addr);
        b->len += 4;
    }
    return rr_end(b, &mk, s, ok);
}

int dns_build_aaaa(struct dns_builder *b, enum dns_section s, const struct dns_name *owner, uint32_t ttl,
                   const uint8_t addr[16])
{
    struct rr_mark mk;
    int ok = rr_begin(b, &mk, owner, DNS_T_AAAA, DNS_C_IN, ttl) == 0 && b->cap - b->len >= 16;
    if (ok) {
        memcpy(b->buf + b->len, addr, 16);
        b->len += 16;
    }
    return rr_end(b, &mk, s, ok);
}

int dns_build_name_rr(struct dns_builder *b, enum dns_section s, const struct dns_name *owner, uint16_t type,
                      uint32_t ttl, const struct dns_name *target)
{
    struct rr_mark mk;
    int ok = rr_begin(b, &mk, owner, type, DNS_C_IN, ttl) == 0 && put_name(b, target) == 0;
    return rr_end(b, &mk, s, ok);
}

int dns_build_soa(struct dns_builder *b, enum dns_section s, const struct dns_name *owner, uint32_t ttl,
                  const struct dns_soa *soa)
{
    struct rr_mark mk;
    int ok = rr_begin(b, &mk, owner, DNS_T_SOA, DNS_C_IN, ttl) == 0 && put_name(b, &soa->mname) == 0 &&
             put_name(b, &soa->rname) == 0 && b->cap - b->len >= 20;
    if (ok) {
        put32(b->buf + b->len, soa->serial);
        put32(b->buf + b->len + 4, soa->refresh);
        put32(b->buf + b->len + 8, soa->retry);
        put32(b->buf + b->len + 12, soa->expire);
        put32(b->buf + b->len + 16, soa->minimum);
        b->len += 20;
    }
    return rr_end(b, &mk, s, ok);
}

int dns_build_opt_flags(struct dns_builder *b, uint16_t udp_size, uint8_t ext_rcode, uint16_t flags)
{
    struct dns_name root;
    dns_name_root(&root);
    struct rr_mark mk;
    /* RFC 6891 6.1.3: TTL = extended RCODE (8 bits), version 0, then the flags: DO and Z. */
    int ok = rr_begin(b, &mk, &root, DNS_T_OPT, udp_size, (uint32_t)ext_rcode << 24 | flags) == 0;
    return rr_end(b, &mk, DNS_S_ADDITIONAL, ok);
}

int dns_build_opt(struct dns_builder *b, uint16_t udp_size, uint8_t ext_rcode)
{
    return dns_build_opt_flags(b, udp_size, ext_rcode, 0);
}

size_t dns_build_finish(struct dns_builder *b)
{
    for (int i = 0; i < 4; i++)
        put16(b->buf + 4 + 2 * i, b->count[i]);
    return b->len;
}
