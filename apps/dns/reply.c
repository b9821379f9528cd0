/* The resolver's reading of a response (see reply.h). */
#include "reply.h"

#include <stdlib.h>
#include <string.h>

/* RFC 2181 8: a TTL with its most significant bit set is taken as zero (so a record that says
 * so makes its answer uncacheable, rather than losing to the smallest of the others). */
static uint32_t ttl_of(uint32_t ttl) { return ttl & 0x80000000u ? 0 : ttl; }

/* Whether the message's one question is (qname, qtype, IN), read from the header and the question
 * alone, whatever follows them. */
static int question_is(const uint8_t *p, size_t len, const struct dns_name *qname, uint16_t qtype)
{
    struct dns_name n;
    size_t off;
    if ((p[4] << 8 | p[5]) != 1 || dns_name_read(p, len, DNS_HDR_LEN, &n, &off) != 0 || len - off < 4)
        return 0;
    return dns_name_equal(&n, qname) && (p[off] << 8 | p[off + 1]) == qtype && (p[off + 2] << 8 | p[off + 3]) == DNS_C_IN;
}

void dns_reply_read(const uint8_t *p, size_t len, uint16_t id, const struct dns_name *qname, uint16_t qtype,
                    int max_links, struct dns_reply *out)
{
    memset(out, 0, sizeof(*out));
    out->canonical = *qname;
    out->ttl = UINT32_MAX;
    out->neg_ttl = UINT32_MAX;
    struct dns_header h;
    if (dns_header_read(p, len, &h) != 0) {
        out->kind = DNS_REPLY_MALFORMED;
        return;
    }
    /* Cheap checks first: a datagram that is not a response to this ID is someone else's (or an
     * attacker's guess), whatever its body holds. */
    if (!(h.flags & DNS_F_QR) || h.id != id) {
        out->kind = DNS_REPLY_IGNORE;
        return;
    }
    struct dns_msg *m = malloc(sizeof(*m));
    if (!m) {
        out->kind = DNS_REPLY_IGNORE;
        return;
    }
    if (dns_msg_parse(p, len, m) != 0) {
        /* A truncated answer cut in the middle of a record, its counts left as they were (RFC 2181
         * 9 asks servers not to, not all comply): TC and our question are all a resolver needs to
         * ask again over TCP (RFC 1035 4.2.1, RFC 7766 5). */
        if ((h.flags & DNS_F_TC) && DNS_OPCODE(h.flags) == 0 && question_is(p, len, qname, qtype)) {
            out->rcode = h.flags & DNS_F_RCODE_MASK;
            out->kind = DNS_REPLY_TRUNCATED;
        } else {
            out->kind = DNS_REPLY_MALFORMED;
        }
        goto done;
    }
    if (!m->has_question || !dns_name_equal(&m->q.name, qname) || m->q.type != qtype || m->q.cls != DNS_C_IN ||
        DNS_OPCODE(h.flags) != 0) {
        out->kind = DNS_REPLY_IGNORE;
        goto done;
    }
    out->rcode = h.flags & DNS_F_RCODE_MASK;
    if (h.flags & DNS_F_TC) {   /* RFC 1035 4.2.1, RFC 7766 5: the resolver asks again over TCP */
        out->kind = DNS_REPLY_TRUNCATED;
        goto done;
    }
    if (out->rcode != DNS_R_NOERROR && out->rcode != DNS_R_NXDOMAIN) {
        out->kind = DNS_REPLY_SERVER_FAIL;
        goto done;
    }
    /* Follow the chain: at each name, the records of the type asked for end it; a CNAME moves it. */
    struct dns_name cur = *qname;
    for (;;) {
        int found = 0;
        const struct dns_rr *cname = NULL;
        for (unsigned i = 0; i < m->nrr; i++) {
            const struct dns_rr *rr = &m->rr[i];
            if (rr->section != DNS_S_ANSWER || rr->cls != DNS_C_IN || !dns_name_equal(&rr->name, &cur))
                continue;
            if (rr->type == qtype) {
                found = 1;
                if (ttl_of(rr->ttl) < out->ttl)
                    out->ttl = ttl_of(rr->ttl);
                struct synack_ip a;
                if (qtype == DNS_T_A)
                    a = synack_ip_from_v4(dns_rr_a(m, rr));
                else if (qtype == DNS_T_AAAA)
                    dns_rr_aaaa(m, rr, a.b);   /* RDLENGTH 16, checked by the parser (RFC 3596 2.2) */
                else
                    continue;
                int dup = 0;
                for (int k = 0; k < out->naddrs; k++)
                    dup |= synack_ip_equal(&out->addrs[k], &a);
                if (!dup && out->naddrs < DNS_REPLY_MAX_ADDRS)
                    out->addrs[out->naddrs++] = a;
            } else if (rr->type == DNS_T_CNAME && !cname) {
                cname = rr;
            }
        }
        out->canonical = cur;
        if (found) {
            out->kind = DNS_REPLY_ADDRS;
            goto done;
        }
        if (!cname || qtype == DNS_T_CNAME)
            break;
        if (out->links == max_links) {
            out->kind = DNS_REPLY_LOOP;
            goto done;
        }
        struct dns_name next;
        if (dns_rr_rdata_name(m, cname, &next) != 0) {   /* checked by the parser already */
            out->kind = DNS_REPLY_MALFORMED;
            goto done;
        }
        if (ttl_of(cname->ttl) < out->ttl)
            out->ttl = ttl_of(cname->ttl);
        cur = next;
        out->links++;
    }
    /* RFC 2308 5: a negative answer is cached for the SOA's TTL, which a server sets to
     * min(TTL, MINIMUM) (3); both are taken, in case it did not. MINIMUM is RDATA's last field. */
    for (unsigned i = 0; i < m->nrr; i++) {
        const struct dns_rr *rr = &m->rr[i];
        if (rr->section != DNS_S_AUTHORITY || rr->type != DNS_T_SOA || rr->rdlen < 22)
            continue;
        const uint8_t *mp = p + rr->rdoff + rr->rdlen - 4;
        uint32_t minimum = ttl_of((uint32_t)mp[0] << 24 | (uint32_t)mp[1] << 16 | (uint32_t)mp[2] << 8 | mp[3]);
        out->neg_ttl = ttl_of(rr->ttl) < minimum ? ttl_of(rr->ttl) : minimum;
        break;
    }
    if (out->rcode == DNS_R_NXDOMAIN) {
        out->kind = DNS_REPLY_NXDOMAIN;
        goto done;
    }
    /* NOERROR without the data. An SOA in authority makes it a negative answer (RFC 2308 2.2);
     * without one, after CNAMEs, the server simply stopped (an authoritative server at the edge of
     * its zone) and we ask for the chain's end; NS records alone are a referral, which a stub
     * cannot follow. */
    int soa = 0, ns = 0;
    for (unsigned i = 0; i < m->nrr; i++) {
        if (m->rr[i].section != DNS_S_AUTHORITY)
            continue;
        soa |= m->rr[i].type == DNS_T_SOA;
        ns |= m->rr[i].type == DNS_T_NS;
    }
    if (soa)
        out->kind = DNS_REPLY_NODATA;
    else if (out->links)
        out->kind = DNS_REPLY_CNAME;
    else if (ns)
        out->kind = DNS_REPLY_SERVER_FAIL;
    else
        out->kind = DNS_REPLY_NODATA;
done:
    free(m);
}
