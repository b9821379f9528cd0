/* Name-resolution failures in words (see dnserr.h). */
#include "dnserr.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static unsigned be16(const uint8_t *p) { return (unsigned)p[0] << 8 | p[1]; }
static uint32_t be32(const uint8_t *p) { return (uint32_t)be16(p) << 16 | be16(p + 2); }

void dns_watch_reset(struct dns_watch *w)
{
    memset(w, 0, sizeof(*w));
}

/* The IPv4 header at p (len bytes): its header length if it is whole and the first fragment (the
 * one with the transport header), else 0. */
static size_t ip4_header(const uint8_t *p, size_t len)
{
    if (len < 20 || p[0] >> 4 != 4)
        return 0;
    size_t hl = (size_t)(p[0] & 0x0f) * 4;
    if (hl < 20 || hl > len || (be16(p + 6) & 0x1fff) != 0)
        return 0;
    return hl;
}

static void seen(struct dns_watch *w, uint32_t server, enum dns_seen_kind kind, unsigned code)
{
    for (int i = 0; i < w->n; i++)
        if (w->seen[i].server == server && w->seen[i].kind == kind && w->seen[i].code == code)
            return;
    if (w->n < DNS_WATCH_MAX)
        w->seen[w->n++] = (struct dns_seen){ server, (uint8_t)kind, (uint8_t)code };
}

void dns_watch_event(struct dns_watch *w, const struct synack_trace_event *ev)
{
    if (ev->kind != SYNACK_TR_FRAME_IN)
        return;
    const uint8_t *p = ev->data;
    size_t len = ev->len;
    if (ev->link_kind == SYNACK_IF_ETHERNET) {
        if (len < 14 || be16(p + 12) != 0x0800)
            return;
        p += 14;
        len -= 14;
    } else if (ev->link_kind != SYNACK_IF_RAWIP) {
        return;
    }
    size_t hl = ip4_header(p, len);
    if (!hl)
        return;
    size_t total = be16(p + 2);
    if (total >= hl && total < len)
        len = total;   /* Ethernet padding is not payload */
    const uint8_t *t = p + hl;
    size_t tlen = len - hl;
    if (p[9] == 17) {
        /* UDP from port 53 carrying a response (QR set): its RCODE (RFC 1035 4.1.1) */
        if (tlen < 8 + 12 || be16(t) != 53 || !(t[8 + 2] & 0x80))
            return;
        unsigned rcode = t[8 + 3] & 0x0f;
        switch (rcode) {
        case 0: case 3: break;   /* NOERROR and NXDOMAIN are answers */
        case 1: seen(w, be32(p + 12), DNS_SEEN_FORMERR, 0); break;
        case 2: seen(w, be32(p + 12), DNS_SEEN_SERVFAIL, 0); break;
        case 4: seen(w, be32(p + 12), DNS_SEEN_NOTIMP, 0); break;
        case 5: seen(w, be32(p + 12), DNS_SEEN_REFUSED, 0); break;
        default: seen(w, be32(p + 12), DNS_SEEN_RCODE, rcode); break;
        }
    } else if (p[9] == 1) {
        /* ICMP destination unreachable (type 3) quoting a UDP datagram to port 53 (RFC 792): the
         * server is the quoted datagram's destination */
        if (tlen < 8 || t[0] != 3)
            return;
        const uint8_t *q = t + 8;
        size_t qhl = ip4_header(q, tlen - 8);
        if (!qhl || q[9] != 17 || tlen - 8 < qhl + 4 || be16(q + qhl + 2) != 53)
            return;
        if (t[1] == 3)
            seen(w, be32(q + 16), DNS_SEEN_PORT_UNREACH, 0);
        else
            seen(w, be32(q + 16), DNS_SEEN_UNREACH, t[1]);
    }
}

const char *dns_err_describe(int err, const struct dns_watch *w, char *buf, size_t cap)
{
    if (err != -ECONNREFUSED || !w || !buf || !cap)
        return dns_err_text(err);
    size_t n = 0;
    buf[0] = 0;
    for (int i = 0; i < w->n && n < cap; i++) {
        const struct dns_seen *e = &w->seen[i];
        char a[16];
        synack_addr_format(e->server, a, sizeof(a));
        const char *sep = i ? "; " : "";
        int k = 0;
        switch ((enum dns_seen_kind)e->kind) {
        case DNS_SEEN_REFUSED:
            k = snprintf(buf + n, cap - n, "%sDNS server %s refused (REFUSED)", sep, a);
            break;
        case DNS_SEEN_SERVFAIL:
            k = snprintf(buf + n, cap - n, "%sDNS server %s failed (SERVFAIL)", sep, a);
            break;
        case DNS_SEEN_NOTIMP:
            k = snprintf(buf + n, cap - n, "%sDNS server %s does not implement the query (NOTIMP)", sep, a);
            break;
        case DNS_SEEN_FORMERR:
            k = snprintf(buf + n, cap - n, "%sDNS server %s could not read the query (FORMERR)", sep, a);
            break;
        case DNS_SEEN_RCODE:
            k = snprintf(buf + n, cap - n, "%sDNS server %s failed (RCODE %u)", sep, a, e->code);
            break;
        case DNS_SEEN_PORT_UNREACH:
            k = snprintf(buf + n, cap - n, "%sno DNS server at %s (ICMP port unreachable)", sep, a);
            break;
        case DNS_SEEN_UNREACH:
            k = snprintf(buf + n, cap - n, "%sDNS server %s unreachable (ICMP destination unreachable, code %u)",
                         sep, a, e->code);
            break;
        }
        n = k < 0 ? cap : n + (size_t)k;
    }
    if (!buf[0])   /* a referral (NOERROR with only NS records), or a failure over TCP */
        snprintf(buf, cap, "DNS server gave no usable answer (a referral, or a failure over TCP)");
    return buf;
}

const char *dns_err_text(int err)
{
    switch (err) {
    case -ENOENT: return "NXDOMAIN: no such name";
    case -ENODATA: return "no A record: the name has no IPv4 address";
    case -ETIMEDOUT: return "no answer: the DNS servers timed out";
    case -ECONNREFUSED: return "DNS server refused or failed (REFUSED, SERVFAIL or port unreachable)";
    case -EBADMSG: return "the DNS servers sent only malformed answers";
    case -EMSGSIZE: return "the answer was truncated (TC) and the query over TCP failed";
    case -ELOOP: return "CNAME chain too long";
    case -EDESTADDRREQ: return "not in the hosts file, and no DNS server configured (--dns A.B.C.D)";
    default: return synack_strerror(err);
    }
}
