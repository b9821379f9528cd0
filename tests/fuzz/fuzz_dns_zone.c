/* Fuzz target: the zone-file parser (RFC 1035 5) and the hosts-file reader. The input is the text
 * of a file. A zone the parser accepts has one SOA, every owner at or under its apex, no CNAME
 * beside other data, and answers a query for each of its names with a message that parses; a
 * refusal always comes with a message. The same text read as a hosts file never crashes. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../apps/dns/hosts.c"
#include "../../apps/dns/msg.c"
#include "../../apps/dns/name.c"
#include "../../apps/dns/respond.c"
#include "../../apps/dns/zone.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    struct dns_name lh;
    dns_name_from_text("localhost", NULL, &lh);
    struct dns_hosts_match hm;
    int k = dns_hosts_lookup_text(text, size, &lh, &hm);
    if (k < 0 || k > 16 || (k > 0 && hm.canonical.len == 0))
        abort();

    struct dns_zone *z = NULL;
    char err[256] = "";
    int r = dns_zone_parse(text, size, &z, err, sizeof(err));
    if (r != 0) {
        if (z || !err[0] || (r != -EINVAL && r != -ENOMEM))
            abort();
        return 0;
    }
    if (!z || !z->soa || z->soa->type != DNS_T_SOA || !dns_name_equal(&z->soa->owner, &z->origin))
        abort();
    for (size_t i = 0; i < z->n && i < 64; i++) {
        const struct dns_zrr *rr = &z->rr[i];
        if (!dns_name_under(&rr->owner, &z->origin))
            abort();
        for (size_t j = 0; j < z->n; j++)
            if (j != i && rr->type == DNS_T_CNAME && dns_name_equal(&z->rr[j].owner, &rr->owner))
                abort();
        /* Ask for the name, A and ANY. */
        for (int t = 0; t < 2; t++) {
            uint8_t q[512], out[DNS_EDNS_SIZE];
            struct dns_builder b;
            struct dns_header h = { .id = (uint16_t)i, .flags = DNS_F_RD };
            dns_build_init(&b, q, sizeof(q), &h);
            if (dns_build_question(&b, &rr->owner, t ? DNS_T_ANY : DNS_T_A, DNS_C_IN) != 0)
                abort();
            size_t ql = dns_build_finish(&b);
            struct dns_respond_info info;
            int n = dns_respond(z, q, ql, out, sizeof(out), &info);
            static struct dns_msg m;
            if (n <= 0 || n > DNS_UDP_MAX || dns_msg_parse(out, (size_t)n, &m) != 0 || m.h.id != (uint16_t)i)
                abort();
            if (info.rcode != DNS_R_NOERROR && info.rcode != DNS_R_NXDOMAIN)
                abort();
        }
    }
    dns_zone_free(z);
    return 0;
}
