/* The authoritative answer to one query (see respond.h). */
#include "respond.h"

#include <errno.h>
#include <string.h>

#define DNS_T_TKEY 249
#define DNS_T_TSIG 250
#define DNS_T_IXFR 251
#define DNS_T_AXFR 252
#define DNS_T_MAILB 253
#define DNS_T_MAILA 254
#define OPT_RR_LEN 11   /* root owner, type, class, TTL, RDLENGTH 0 */

struct resp {
    const struct dns_zone *z;
    struct dns_builder *b;
    struct dns_respond_info *info;
    int aa;
};

/* Adds a zone record. A record of the answer that does not fit sets TC and stops the answer
 * (RFC 2181 9); authority and additional records that do not fit are left out silently. */
static void add(struct resp *r, enum dns_section s, const struct dns_zrr *rr, uint32_t ttl)
{
    if (r->info->truncated)
        return;
    int e;
    switch (rr->type) {
    case DNS_T_A:
        e = dns_build_a(r->b, s, &rr->owner, ttl, rr->d.a);
        break;
    case DNS_T_AAAA:
        e = dns_build_aaaa(r->b, s, &rr->owner, ttl, rr->d.aaaa);
        break;
    case DNS_T_SOA:
        e = dns_build_soa(r->b, s, &rr->owner, ttl, &rr->d.soa);
        break;
    default:
        e = dns_build_name_rr(r->b, s, &rr->owner, rr->type, ttl, &rr->d.target);
        break;
    }
    if (e && s == DNS_S_ANSWER)
        r->info->truncated = 1;
}

/* RFC 2308 3: the SOA of a negative answer carries min(its TTL, MINIMUM), the negative TTL. */
static void add_negative_soa(struct resp *r)
{
    const struct dns_zrr *soa = r->z->soa;
    uint32_t ttl = soa->ttl < soa->d.soa.minimum ? soa->ttl : soa->d.soa.minimum;
    add(r, DNS_S_AUTHORITY, soa, ttl);
}

/* The topmost zone cut at or above `name` (an NS set owned by a name below the apex), or NULL:
 * RFC 1034 4.3.2 step 3b, "a match would take us out of the authoritative data". */
static const struct dns_name *find_cut(const struct dns_zone *z, const struct dns_name *name)
{
    const struct dns_name *best = NULL;
    for (size_t i = 0; i < z->n; i++) {
        const struct dns_zrr *rr = &z->rr[i];
        if (rr->type != DNS_T_NS || dns_name_equal(&rr->owner, &z->origin) || !dns_name_under(name, &rr->owner))
            continue;
        if (!best || dns_name_labels(&rr->owner) < dns_name_labels(best))
            best = &rr->owner;
    }
    return best;
}

/* The addresses the zone holds for the targets of the NS set at `owner`, in the additional section
 * (RFC 1034 4.3.2 step 6; RFC 1035 3.3.11: NS causes additional section processing). */
static void ns_addresses(struct resp *r, const struct dns_name *owner)
{
    const struct dns_zone *z = r->z;
    for (size_t i = 0; i < z->n; i++) {
        if (z->rr[i].type != DNS_T_NS || !dns_name_equal(&z->rr[i].owner, owner))
            continue;
        for (size_t k = 0; k < z->n; k++)
            if ((z->rr[k].type == DNS_T_A || z->rr[k].type == DNS_T_AAAA) &&
                dns_name_equal(&z->rr[k].owner, &z->rr[i].d.target))
                add(r, DNS_S_ADDITIONAL, &z->rr[k], z->rr[k].ttl);
    }
}

/* A referral: the cut's NS set in authority, their addresses from the zone as glue. */
static void referral(struct resp *r, const struct dns_name *cut)
{
    const struct dns_zone *z = r->z;
    r->info->referral = 1;
    for (size_t i = 0; i < z->n; i++)
        if (z->rr[i].type == DNS_T_NS && dns_name_equal(&z->rr[i].owner, cut))
            add(r, DNS_S_AUTHORITY, &z->rr[i], z->rr[i].ttl);
    ns_addresses(r, cut);
}

/* A zone record, or with `owner` (not NULL) as its owner: a wildcard's record is given the name
 * asked (RFC 4592 2.1.1, 3.3.1: the synthesised record's owner is the QNAME). */
static void add_as(struct resp *r, enum dns_section s, const struct dns_zrr *rr, const struct dns_name *owner)
{
    if (!owner) {
        add(r, s, rr, rr->ttl);
        return;
    }
    struct dns_zrr copy = *rr;
    copy.owner = *owner;
    add(r, s, &copy, rr->ttl);
}

/* The source of synthesis for `name`, which does not exist (RFC 4592 3.3.1): "*" under its
 * closest encloser, the nearest ancestor that exists (names under a zone cut never get here).
 * Returns 1 and sets *src if the zone has records there. */
static int wildcard_source(const struct dns_zone *z, const struct dns_name *name, struct dns_name *src)
{
    int labels = dns_name_labels(name), apex = dns_name_labels(&z->origin);
    for (int skip = 1; labels - skip >= apex; skip++) {
        struct dns_name enc;
        dns_name_suffix(name, skip, &enc);
        if (!dns_zone_name_exists(z, &enc))
            continue;
        if (enc.len + 2 > DNS_MAX_NAME)
            return 0;
        src->wire[0] = 1;
        src->wire[1] = '*';
        memcpy(src->wire + 2, enc.wire, enc.len);
        src->len = (uint8_t)(enc.len + 2);
        for (size_t i = 0; i < z->n; i++)
            if (dns_name_equal(&z->rr[i].owner, src))
                return 1;
        return 0;   /* the closest encloser has no wildcard: the name does not exist */
    }
    return 0;
}

/* RFC 1034 4.3.2 step 3, for a question inside the zone. Returns the RCODE. */
static int lookup(struct resp *r, const struct dns_question *q)
{
    const struct dns_zone *z = r->z;
    struct dns_name cur = q->name;
    for (int links = 0;; links++) {
        const struct dns_name *cut = find_cut(z, &cur);
        if (cut) {
            if (links == 0)
                referral(r, cut);
            /* After a CNAME the chain has left our authoritative data: the resolver goes on. */
            return DNS_R_NOERROR;
        }
        if (links == 0)
            r->aa = 1;   /* RFC 1034 4.3.2: AA speaks for the question's name */
        /* The records are those owned by the name, or for a name that does not exist those of
         * the wildcard at its closest encloser, given the name asked (step 3c). */
        struct dns_name src = cur;
        int wild = !dns_zone_name_exists(z, &cur) && wildcard_source(z, &cur, &src);
        int found = 0;
        const struct dns_zrr *cname = NULL;
        for (size_t i = 0; i < z->n; i++) {
            const struct dns_zrr *rr = &z->rr[i];
            if (!dns_name_equal(&rr->owner, &src))
                continue;
            if (rr->type == q->type || q->type == DNS_T_ANY) {
                add_as(r, DNS_S_ANSWER, rr, wild ? &cur : NULL);
                found = 1;
            } else if (rr->type == DNS_T_CNAME) {
                cname = rr;
            }
        }
        if (found) {
            if (q->type == DNS_T_NS)
                ns_addresses(r, &src);
            return DNS_R_NOERROR;
        }
        if (cname) {
            add_as(r, DNS_S_ANSWER, cname, wild ? &cur : NULL);
            cur = cname->d.target;
            /* Out of the zone, or a long (or looping) chain: what we have goes back, and the
             * resolver restarts from the last name (RFC 1034 5.3.3). */
            if (links + 1 >= DNS_CNAME_MAX || !dns_name_under(&cur, &z->origin) || r->info->truncated)
                return DNS_R_NOERROR;
            continue;
        }
        add_negative_soa(r);
        /* a wildcard without the type asked: the name exists by it, NODATA (RFC 4592 2.2.1) */
        return wild || dns_zone_name_exists(z, &cur) ? DNS_R_NOERROR : DNS_R_NXDOMAIN;
    }
}

/* The answer to a question whose QTYPE names no data (RFC 6895 3.1): OPT and TSIG exist only as
 * records of a message (RFC 6891 6.1.1, RFC 8945 4), so asking for them is a malformed question
 * (FORMERR); TKEY's exchange (RFC 2930) and the obsolete mail QTYPEs MAILA and MAILB (RFC 1035
 * 3.2.3) are kinds of query this server does not implement (NOTIMP). Any other type, known to us or
 * not, is looked up: a name without it is NODATA. Returns DNS_R_NOERROR for those. */
static int meta_qtype(uint16_t t)
{
    switch (t) {
    case DNS_T_OPT:
    case DNS_T_TSIG:
        return DNS_R_FORMERR;
    case DNS_T_TKEY:
    case DNS_T_MAILA:
    case DNS_T_MAILB:
        return DNS_R_NOTIMP;
    default:
        return DNS_R_NOERROR;
    }
}

/* The flags a response copies from its query (RFC 1035 4.1.1: the opcode and RD; RFC 4035 3.1.6:
 * CD). AD, Z and RA are never copied. */
#define COPIED_FLAGS (DNS_F_OPCODE_MASK | DNS_F_RD | DNS_F_CD)

/* The answer to a query that did not parse: NOTIMP, the header alone, for an opcode we do not
 * implement, whatever its body holds (an UPDATE's sections need not parse as a query's would, RFC
 * 2136 2.5); else FORMERR, with the question if it was read whole, and our OPT if the query had
 * one (RFC 6891 6.1.1: a responder MUST include an OPT when the request had one; 7: two OPTs, or an
 * OPT's options past its RDATA, are a FORMERR). */
static int unparsed(const struct dns_header *qh, const struct dns_msg *m, uint8_t *out, size_t cap,
                    struct dns_respond_info *info)
{
    int rcode = DNS_OPCODE(qh->flags) != 0 ? DNS_R_NOTIMP : DNS_R_FORMERR;
    struct dns_header h = { .id = qh->id, .flags = (uint16_t)(DNS_F_QR | (qh->flags & COPIED_FLAGS) | rcode) };
    struct dns_builder b;
    if (dns_build_init(&b, out, cap > DNS_UDP_MAX ? DNS_UDP_MAX : cap, &h) != 0)
        return -EMSGSIZE;
    info->rcode = rcode;
    if (rcode == DNS_R_FORMERR && m->has_question)
        dns_build_question(&b, &m->q.name, m->q.type, m->q.cls);
    if (rcode == DNS_R_FORMERR && m->has_opt)
        dns_build_opt_flags(&b, DNS_EDNS_SIZE, 0, m->opt_flags & DNS_EDNS_DO);
    return (int)dns_build_finish(&b);
}

int dns_respond(const struct dns_zone *z, const uint8_t *q, size_t qlen, uint8_t *out, size_t cap,
                struct dns_respond_info *info)
{
    return dns_respond_ex(z, q, qlen, out, cap, 0, info);
}

int dns_respond_ex(const struct dns_zone *z, const uint8_t *q, size_t qlen, uint8_t *out, size_t cap, int tcp,
                   struct dns_respond_info *info)
{
    memset(info, 0, sizeof(*info));
    struct dns_header qh;
    if (dns_header_read(q, qlen, &qh) != 0 || (qh.flags & DNS_F_QR))
        return -EBADMSG;   /* never answer a response: two servers could ping-pong forever */
    struct dns_msg m;
    if (dns_msg_parse(q, qlen, &m) != 0)
        return unparsed(&qh, &m, out, cap, info);
    size_t limit = DNS_UDP_MAX;
    if (tcp)
        limit = cap;   /* RFC 7766 8: over TCP the whole answer goes, up to 65535 bytes */
    else if (m.has_opt)   /* RFC 6891 6.2.3: values below 512 are treated as 512 */
        limit = m.opt_udp_size < DNS_UDP_MAX ? DNS_UDP_MAX
                : m.opt_udp_size > DNS_EDNS_SIZE ? DNS_EDNS_SIZE : m.opt_udp_size;
    if (limit > cap)
        limit = cap;
    /* RFC 1035 4.1.1: same ID and opcode, RD copied; we are not recursive (RA clear). */
    struct dns_header h = { .id = m.h.id, .flags = (uint16_t)(DNS_F_QR | (m.h.flags & COPIED_FLAGS)) };
    struct dns_builder b;
    /* Room for our OPT is kept aside so the answer can never crowd it out. */
    size_t reserve = m.has_opt ? OPT_RR_LEN : 0;
    if (limit < DNS_HDR_LEN + reserve || dns_build_init(&b, out, limit - reserve, &h) != 0)
        return -EMSGSIZE;
    if (m.has_question && dns_build_question(&b, &m.q.name, m.q.type, m.q.cls) != 0)
        return -EMSGSIZE;
    struct resp r = { z, &b, info, 0 };
    int rcode;
    if (DNS_OPCODE(m.h.flags) != 0)
        rcode = DNS_R_NOTIMP;
    else if (!m.has_question || m.h.ancount || m.h.nscount)
        rcode = DNS_R_FORMERR;   /* a standard query is its question (RFC 1034 3.7.1), with at most
                                  * an OPT in the additional section (RFC 6891 6.1.1) */
    else if (m.has_opt && m.opt_version != 0)
        rcode = DNS_R_BADVERS;   /* RFC 6891 6.1.3 */
    else if (meta_qtype(m.q.type) != DNS_R_NOERROR)
        rcode = meta_qtype(m.q.type);
    else if (m.q.cls != DNS_C_IN || m.q.type == DNS_T_AXFR || m.q.type == DNS_T_IXFR ||
             !dns_name_under(&m.q.name, &z->origin))
        rcode = DNS_R_REFUSED;   /* not ours, or transfers (TCP only, RFC 5936 4.2) */
    else
        rcode = lookup(&r, &m.q);
    info->rcode = rcode;
    uint16_t flags = (uint16_t)(h.flags | (r.aa ? DNS_F_AA : 0) | (info->truncated ? DNS_F_TC : 0) | (rcode & 0xF));
    dns_build_set_flags(&b, flags);
    if (m.has_opt) {
        b.cap += reserve;
        /* RFC 3225 3: the DO bit of the query is copied into the response; the Z bits are not
         * (RFC 6891 6.1.4: set to zero by senders, whatever the query held). */
        if (dns_build_opt_flags(&b, DNS_EDNS_SIZE, (uint8_t)(rcode >> 4), m.opt_flags & DNS_EDNS_DO) != 0)
            return -EMSGSIZE;
    }
    return (int)dns_build_finish(&b);
}
