/* Name-resolution failures in words (see dnserr.h). */
#include "dnserr.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* The records a NODATA lacks, by what was asked: host(1) says "no A record" for an A query. */
static const char *nodata_types(const struct dns_result *r)
{
    switch (r->types) {
    case DNS_ASKED_AAAA: return "AAAA";
    case DNS_ASKED_A | DNS_ASKED_AAAA: return "A or AAAA";
    default: return "A";
    }
}

/* Appends to buf (size cap, *n used so far), never past its end. */
static void put(char *buf, size_t cap, size_t *n, const char *fmt, ...)
{
    if (*n >= cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(buf + *n, cap - *n, fmt, ap);
    va_end(ap);
    *n = k < 0 ? cap : *n + (size_t)k;
}

/* An RCODE as host(1) shows it: "3(NXDOMAIN)". */
static void put_rcode(char *buf, size_t cap, size_t *n, int err)
{
    put(buf, cap, n, "%d(%s)", dns_err_rcode(err), dns_errname(err));
}

/* What an ICMP error did to the query's socket, as host(1) says it after "communications error". */
static const char *sys_text(int sys_err)
{
    switch (sys_err) {
    case -ECONNREFUSED: return "connection refused";
    case -EHOSTUNREACH: return "host unreachable";
    case -ENETUNREACH: return "network unreachable";
    default: return synack_strerror(sys_err);
    }
}

/* One server's failure: "5(REFUSED) from 192.0.2.1#53", "no answer from 192.0.2.3#53", ... */
static void put_server(char *buf, size_t cap, size_t *n, const struct dns_server_error *f)
{
    char a[SYNACK_IP_STRLEN];
    synack_ip_format(&f->server, a, sizeof(a));
    if (dns_err_rcode(f->err) >= 0) {
        put_rcode(buf, cap, n, f->err);
        put(buf, cap, n, " from %s#53", a);
        return;
    }
    switch (f->err) {
    case DNS_E_UNREACH: put(buf, cap, n, "communications error to %s#53: %s", a, sys_text(f->sys_err)); break;
    case DNS_E_TIMEOUT: put(buf, cap, n, "no answer from %s#53", a); break;
    case DNS_E_MALFORMED: put(buf, cap, n, "malformed answer from %s#53", a); break;
    case DNS_E_REFERRAL: put(buf, cap, n, "a referral from %s#53 (it does not recurse)", a); break;
    case DNS_E_TRUNCATED: put(buf, cap, n, "truncated answer from %s#53, and the query over TCP failed", a); break;
    default: put(buf, cap, n, "%s from %s#53", dns_strerror(f->err), a); break;
    }
}

/* Every server's failure, "; " between them. */
static void put_servers(char *buf, size_t cap, size_t *n, const struct dns_result *r)
{
    for (int i = 0; i < r->nfails; i++) {
        if (i)
            put(buf, cap, n, "; ");
        put_server(buf, cap, n, &r->fails[i]);
    }
}

const char *dns_err_reason(const struct dns_result *r, char *buf, size_t cap)
{
    size_t n = 0;
    if (!cap)
        return buf;
    buf[0] = 0;
    switch (r->err) {
    case DNS_E_NXDOMAIN:
        put_rcode(buf, cap, &n, r->err);
        break;
    case DNS_E_NODATA:
        put(buf, cap, &n, "no %s record", nodata_types(r));
        break;
    case DNS_E_TIMEOUT:
        put(buf, cap, &n, "connection timed out; no servers could be reached");
        break;
    case DNS_E_LOOP:
        put(buf, cap, &n, "CNAME chain too long");
        break;
    case DNS_E_NOSERVER:
        put(buf, cap, &n, "not in the hosts file, and no DNS server configured (--dns A.B.C.D)");
        break;
    default:
        if (r->nfails > 0 && r->err <= -DNS_E_BASE) {
            put_servers(buf, cap, &n, r);
            if (r->err == DNS_E_UNREACH)
                put(buf, cap, &n, "; no servers could be reached");
        } else if (dns_err_rcode(r->err) >= 0) {
            put_rcode(buf, cap, &n, r->err);
        } else {
            put(buf, cap, &n, "%s", dns_strerror(r->err));
        }
        break;
    }
    return buf;
}

const char *dns_err_host_line(const char *name, const struct dns_result *r, char *buf, size_t cap)
{
    size_t n = 0;
    if (!cap)
        return buf;
    buf[0] = 0;
    if (dns_err_rcode(r->err) >= 0 || r->err == DNS_E_REFERRAL) {
        /* host(1): "Host NAME not found: 5(REFUSED)"; with several servers failing, each named */
        put(buf, cap, &n, "Host %s not found: ", name);
        if (r->err == DNS_E_NXDOMAIN || (r->nfails <= 1 && r->err != DNS_E_REFERRAL))
            put_rcode(buf, cap, &n, r->err);
        else
            put_servers(buf, cap, &n, r);
    } else if (r->err == DNS_E_NODATA) {
        put(buf, cap, &n, "%s has no %s record", name, nodata_types(r));
    } else {
        char why[512];
        put(buf, cap, &n, "%s: %s", name, dns_err_reason(r, why, sizeof(why)));
    }
    if (r->from_cache)
        put(buf, cap, &n, " (cached)");
    return buf;
}
