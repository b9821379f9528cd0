/* Fuzz target: DNS messages (RFC 1035 4.1) through every reader we have. The input is one
 * message, as a datagram would bring it:
 *  - the parser accepts it or says -EBADMSG; what it accepts has every RDATA inside the message,
 *    every name within 255 bytes, and rebuilds (through the builder, with compression) into a
 *    message that parses to the same header, question and records;
 *  - the resolver's reading of it as the answer to its own question never crashes and gives a
 *    kind it knows;
 *  - the authoritative server answers it from a fixed zone with a message that parses, is a
 *    response with the query's ID, and fits 512 bytes (1232 with EDNS) — or not at all. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The library is built without coverage instrumentation (only this file gets -fsanitize=fuzzer):
 * compile the DNS sources into the target so their edges guide the search. */
#include "../../apps/dns/msg.c"
#include "../../apps/dns/name.c"
#include "../../apps/dns/reply.c"
#include "../../apps/dns/respond.c"
#include "../../apps/dns/zone.c"

static const char fuzz_zone_text[] =
    "$ORIGIN example.test.\n$TTL 300\n"
    "@ SOA ns hostmaster 1 3600 600 86400 60\n  NS ns\nns A 192.0.2.2\n"
    "www A 192.0.2.77\n  A 192.0.2.78\nalias CNAME www\nout CNAME www.other.\n"
    "loop1 CNAME loop2\nloop2 CNAME loop1\nsub NS ns.sub\nns.sub A 192.0.2.53\n";

static struct dns_zone *fuzz_zone;

static void rebuild_and_compare(const struct dns_msg *m)
{
    static uint8_t out[65535 + 64];
    struct dns_builder b;
    if (dns_build_init(&b, out, sizeof(out), &m->h) != 0)
        abort();
    if (m->has_question && dns_build_question(&b, &m->q.name, m->q.type, m->q.cls) != 0)
        abort();
    /* Only the records we can rebuild exactly: A, NS, CNAME, SOA of class IN, all kept. */
    if (m->nrr != m->total_rr)
        return;
    for (unsigned i = 0; i < m->nrr; i++) {
        const struct dns_rr *rr = &m->rr[i];
        if (rr->cls != DNS_C_IN || (rr->type != DNS_T_A && rr->type != DNS_T_NS && rr->type != DNS_T_CNAME &&
                                    rr->type != DNS_T_SOA))
            return;
    }
    for (unsigned i = 0; i < m->nrr; i++) {
        const struct dns_rr *rr = &m->rr[i];
        enum dns_section s = (enum dns_section)rr->section;
        int r;
        if (rr->type == DNS_T_A) {
            r = dns_build_a(&b, s, &rr->name, rr->ttl, dns_rr_a(m, rr));
        } else if (rr->type == DNS_T_SOA) {
            struct dns_soa soa;
            size_t end = (size_t)rr->rdoff + rr->rdlen, next;
            if (dns_name_read(m->raw, end, rr->rdoff, &soa.mname, &next) ||
                dns_name_read(m->raw, end, next, &soa.rname, &next) || end - next != 20)
                abort();
            const uint8_t *t = m->raw + next;
            uint32_t v[5];
            for (int k = 0; k < 5; k++)
                v[k] = get32(t + 4 * k);
            soa.serial = v[0], soa.refresh = v[1], soa.retry = v[2], soa.expire = v[3], soa.minimum = v[4];
            r = dns_build_soa(&b, s, &rr->name, rr->ttl, &soa);
        } else {
            struct dns_name target;
            if (dns_rr_rdata_name(m, rr, &target) != 0)
                abort();
            r = dns_build_name_rr(&b, s, &rr->name, rr->type, rr->ttl, &target);
        }
        if (r != 0)
            abort();   /* compression never makes a message longer than the original plus slack */
    }
    size_t len = dns_build_finish(&b);
    static struct dns_msg again;
    if (dns_msg_parse(out, len, &again) != 0)
        abort();
    if (again.h.id != m->h.id || again.h.flags != m->h.flags || again.h.qdcount != m->h.qdcount ||
        again.h.ancount != m->h.ancount || again.h.nscount != m->h.nscount || again.h.arcount != m->h.arcount ||
        again.nrr != m->nrr)
        abort();
    if (m->has_question && (!dns_name_equal(&again.q.name, &m->q.name) || again.q.type != m->q.type))
        abort();
    for (unsigned i = 0; i < m->nrr; i++) {
        const struct dns_rr *a = &m->rr[i], *g = &again.rr[i];
        if (!dns_name_equal(&a->name, &g->name) || a->type != g->type || a->ttl != g->ttl ||
            a->section != g->section)
            abort();
        if (a->type == DNS_T_A && dns_rr_a(m, a) != dns_rr_a(&again, g))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!fuzz_zone) {
        char err[256];
        if (dns_zone_parse(fuzz_zone_text, sizeof(fuzz_zone_text) - 1, &fuzz_zone, err, sizeof(err)) != 0)
            abort();
    }
    static struct dns_msg m;
    int r = dns_msg_parse(data, size, &m);
    if (r != 0 && r != -EBADMSG)
        abort();
    if (r == 0) {
        if (m.nrr > DNS_MSG_MAX_RR || m.total_rr != (unsigned)m.h.ancount + m.h.nscount + m.h.arcount)
            abort();
        for (unsigned i = 0; i < m.nrr; i++)
            if ((size_t)m.rr[i].rdoff + m.rr[i].rdlen > size || m.rr[i].name.len == 0 ||
                m.rr[i].name.len > DNS_MAX_NAME)
                abort();
        char text[DNS_MAX_TEXT];
        if (m.has_question) {
            int l = dns_name_to_text(&m.q.name, text, sizeof(text));
            if (l < 0)
                abort();   /* DNS_MAX_TEXT holds any name */
            /* Text back to a name: the same name (escapes round-trip). */
            struct dns_name back;
            if (dns_name_from_text(text, NULL, &back) != 0 || !dns_name_equal(&back, &m.q.name))
                abort();
        }
        rebuild_and_compare(&m);
    }

    /* The resolver's view: our question is the message's own (or a fixed one). */
    struct dns_name qn;
    if (r == 0 && m.has_question)
        qn = m.q.name;
    else
        dns_name_from_text("www.example.test", NULL, &qn);
    uint16_t id = size >= 2 ? (uint16_t)(data[0] << 8 | data[1]) : 0;
    struct dns_reply rep;
    dns_reply_read(data, size, id, &qn, DNS_T_A, 8, &rep);
    if (rep.kind > DNS_REPLY_LOOP || rep.naddrs > DNS_REPLY_MAX_ADDRS || rep.links > 8)
        abort();
    for (int i = 0; i < rep.naddrs; i++)
        if (!synack_ip_is_v4(&rep.addrs[i]))
            abort();   /* an A record is an IPv4 address */
    dns_reply_read(data, size, id, &qn, DNS_T_AAAA, 8, &rep);   /* RFC 3596: the same walk for AAAA */
    if (rep.kind > DNS_REPLY_LOOP || rep.naddrs > DNS_REPLY_MAX_ADDRS || rep.links > 8)
        abort();

    /* The server's view. */
    static uint8_t out[DNS_EDNS_SIZE];
    struct dns_respond_info info;
    int n = dns_respond(fuzz_zone, data, size, out, sizeof(out), &info);
    if (n > 0) {
        static struct dns_msg ans;
        if (dns_msg_parse(out, (size_t)n, &ans) != 0 || !(ans.h.flags & DNS_F_QR) || ans.h.id != m.h.id)
            abort();
        if ((size_t)n > (m.has_opt ? DNS_EDNS_SIZE : DNS_UDP_MAX))
            abort();
    } else if (n != -EBADMSG) {
        abort();
    }
    return 0;
}
