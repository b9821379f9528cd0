/* Address order and the merging of A and AAAA outcomes (see order.h). */
#include "order.h"

#include <string.h>

/* fe80::/10 (RFC 4291 2.5.6). */
static int is_link_local6(const struct synack_ip *ip) { return ip->b[0] == 0xfe && (ip->b[1] & 0xc0) == 0x80; }

static int is_loopback6(const struct synack_ip *ip)
{
    static const uint8_t lo[16] = { [15] = 1 };
    return memcmp(ip->b, lo, 16) == 0;
}

int dns_order_v6_first(const synack_stack_t *st)
{
    /* Interfaces are numbered from 0; synack_if_addrs says -EINVAL past the last. */
    for (int ifx = 0; ifx < 64; ifx++) {
        struct synack_if_addr a[16];
        int n = synack_if_addrs(st, ifx, a, sizeof(a) / sizeof(a[0]));
        if (n < 0)
            break;
        if (n > (int)(sizeof(a) / sizeof(a[0])))
            n = (int)(sizeof(a) / sizeof(a[0]));
        for (int i = 0; i < n; i++)
            if (!synack_ip_is_v4(&a[i].addr) && !is_link_local6(&a[i].addr) && !is_loopback6(&a[i].addr) &&
                (a[i].state == SYNACK_ADDR_PREFERRED || a[i].state == SYNACK_ADDR_DEPRECATED))
                return 1;
    }
    return 0;
}

void dns_order_addrs(struct synack_ip *a, int n, int v6_first)
{
    struct synack_ip tmp[DNS_MAX_ADDRS];
    int k = 0;
    if (n > DNS_MAX_ADDRS)
        n = DNS_MAX_ADDRS;
    for (int pass = 0; pass < 2; pass++) {
        int want_v4 = pass == 0 ? !v6_first : v6_first;
        for (int i = 0; i < n; i++)
            if (synack_ip_is_v4(&a[i]) == want_v4)
                tmp[k++] = a[i];
    }
    memcpy(a, tmp, (size_t)n * sizeof(*a));
}

/* A negative answer (the name's own word) as opposed to a failure to get one. */
static int is_negative(int err) { return err == DNS_E_NXDOMAIN || err == DNS_E_NODATA; }

/* How much a failure tells, for choosing between the two queries' (resolver.c ranks servers'
 * failures the same way): a server's RCODE or referral, then an ICMP error, then a malformed answer,
 * then the rest (truncation, a CNAME loop), then silence. */
static int rank(int err)
{
    if (dns_err_rcode(err) >= 0 || err == DNS_E_REFERRAL)
        return 4;
    if (err == DNS_E_UNREACH)
        return 3;
    if (err == DNS_E_MALFORMED)
        return 2;
    return err == DNS_E_TIMEOUT ? 0 : 1;
}

static void merge_fails(struct dns_result *out, const struct dns_result *r)
{
    for (int i = 0; i < r->nfails; i++) {
        int k = 0;
        while (k < out->nfails && !synack_ip_equal(&out->fails[k].server, &r->fails[i].server))
            k++;
        if (k == out->nfails && out->nfails < DNS_MAX_SERVERS)
            out->fails[out->nfails++] = r->fails[i];
        else if (k < out->nfails && out->fails[k].err == DNS_E_TIMEOUT && r->fails[i].err != DNS_E_TIMEOUT)
            out->fails[k] = r->fails[i];   /* a server's word rather than its silence */
    }
}

void dns_merge(const struct dns_result *r4, const struct dns_result *r6, int v6_first, struct dns_result *out)
{
    const struct dns_result *first = v6_first ? r6 : r4, *second = v6_first ? r4 : r6;
    if (!first) {
        first = second;
        second = NULL;
    }
    memset(out, 0, sizeof(*out));
    if (!first) {
        out->err = DNS_E_NODATA;
        return;
    }
    *out = *first;
    out->types = (r4 ? DNS_ASKED_A : 0) | (r6 ? DNS_ASKED_AAAA : 0);
    if (!second)
        return;
    merge_fails(out, second);
    int ok1 = first->err == 0 && first->naddrs > 0, ok2 = second->err == 0 && second->naddrs > 0;
    out->from_hosts = first->from_hosts && second->from_hosts;
    out->from_cache = first->from_cache && second->from_cache;
    out->over_tcp = first->over_tcp || second->over_tcp;
    if (ok1 || ok2) {
        /* The addresses of both, the preferred family's first; the canonical name of the first that
         * has addresses (both chains end at the same name when the zone is consistent). */
        out->err = 0;
        out->naddrs = 0;
        if (!ok1)
            memcpy(out->canonical, second->canonical, sizeof(out->canonical));
        const struct dns_result *parts[2] = { first, second };
        for (int p = 0; p < 2; p++)
            if (parts[p]->err == 0)
                for (int i = 0; i < parts[p]->naddrs && out->naddrs < DNS_MAX_ADDRS; i++)
                    out->addrs[out->naddrs++] = parts[p]->addrs[i];
        return;
    }
    out->naddrs = 0;
    if (is_negative(first->err) && is_negative(second->err)) {
        /* NXDOMAIN only if both say the name does not exist; otherwise it exists without addresses */
        out->err = first->err == DNS_E_NXDOMAIN && second->err == DNS_E_NXDOMAIN ? DNS_E_NXDOMAIN : DNS_E_NODATA;
        return;
    }
    /* A failure: the one that tells most (the A query's among equals); a negative answer counts
     * for nothing here, since the other family's answer is unknown. */
    const struct dns_result *a = r4, *b = r6;
    int ea = is_negative(a->err) ? 0 : a->err, eb = is_negative(b->err) ? 0 : b->err;
    const struct dns_result *w = !eb ? a : !ea ? b : rank(eb) > rank(ea) ? b : a;
    out->err = w->err;
    memcpy(out->canonical, w->canonical, sizeof(out->canonical));
}
