/* The one-line, tcpdump-like decoder for frames and packets. It parses with the same wire
 * functions as the stack, so a malformed frame is described ("[bad ip: checksum]") rather than
 * trusted. */
#include "synack/format.h"

#include <stdarg.h>
#include "base/fmt.h"

#include "wire/arp.h"
#include "wire/bytes.h"
#include "wire/csum.h"
#include "wire/eth.h"
#include "wire/icmp.h"
#include "wire/icmp6.h"
#include "wire/ip4.h"
#include "wire/ip6.h"
#include "wire/tcp.h"
#include "wire/udp.h"

struct out {
    char *buf;
    size_t cap, n;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
    if (o->n >= o->cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    int r = fmt_vsnprintf(o->buf + o->n, o->cap - o->n, fmt, ap);
    va_end(ap);
    if (r > 0)
        o->n += (size_t)r < o->cap - o->n ? (size_t)r : o->cap - o->n - 1;
}

static void put_ip(struct out *o, uint32_t a)
{
    put(o, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

static void fmt_tcp_opts(struct out *o, const struct tcp_opts *t)
{
    int first = 1;
#define SEP() do { put(o, first ? ", options [" : ","); first = 0; } while (0)
    if (t->has_mss) { SEP(); put(o, "mss %u", t->mss); }
    if (t->sack_perm) { SEP(); put(o, "sackOK"); }
    if (t->has_ts) { SEP(); put(o, "TS val %u ecr %u", t->ts_val, t->ts_ecr); }
    if (t->has_wscale) { SEP(); put(o, "wscale %u", t->wscale); }
    if (t->sack_count) {
        SEP();
        put(o, "sack %u ", t->sack_count);   /* tcpdump: "sack 2 {a:b}{c:d}" */
        for (unsigned i = 0; i < t->sack_count; i++)
            put(o, "{%u:%u}", t->sack[i][0], t->sack[i][1]);
    }
    if (!first)
        put(o, "]");
#undef SEP
}

/* A segment's line after its destination address, as tcpdump writes it: ".PORT: Flags [...], seq
 * a:b, ack n, win w, urg u, options [...], length n". */
static void fmt_tcp_rest(struct out *o, const struct tcp_hdr *t)
{
    char fl[12];
    put(o, ".%u: Flags [%s], seq %u", t->dport, tcp_flags_str(t->flags, fl), t->seq);
    if (t->data_len)
        put(o, ":%u", (uint32_t)(t->seq + t->data_len));
    if (t->flags & TCP_ACK)
        put(o, ", ack %u", t->ack);
    put(o, ", win %u", t->win);
    if (t->flags & TCP_URG)
        put(o, ", urg %u", t->urg);
    fmt_tcp_opts(o, &t->opts);
    put(o, ", length %zu", t->data_len);
}

static void fmt_ip(struct out *o, const uint8_t *p, size_t len)
{
    static const char *const ip_err[] = {
        [WIRE_ERR_SHORT] = "short", [WIRE_ERR_VERSION] = "version", [WIRE_ERR_HDRLEN] = "ihl",
        [WIRE_ERR_LEN] = "length", [WIRE_ERR_TRUNC] = "truncated", [WIRE_ERR_CSUM] = "checksum",
        [WIRE_ERR_OPTS] = "options" };
    struct ip4_hdr ip;
    enum wire_err r = ip4_parse(p, len, &ip);
    if (r != WIRE_OK) {
        put(o, "IP [bad: %s] length %zu", ip_err[r], len);
        return;
    }
    const uint8_t *pl = p + ip.ihl;
    size_t plen = ip.total_len - ip.ihl;
    if (ip4_is_fragment(&ip) && ip4_frag_offset(&ip) != 0) {
        put_ip(o, ip.src);
        put(o, " > ");
        put_ip(o, ip.dst);
        put(o, ": ip-proto-%u frag id %u offset %u%s length %zu", ip.proto, ip.id, ip4_frag_offset(&ip),
            ip4_more_frags(&ip) ? "+" : "", plen);
        return;
    }
    int partial = ip4_more_frags(&ip);
    if (ip.proto == IP4_PROTO_TCP) {
        struct tcp_hdr t;
        int tr = tcp_parse(pl, plen, ip.src, ip.dst, !partial, &t);
        put_ip(o, ip.src);
        if (tr != WIRE_OK) {
            put(o, " > ");
            put_ip(o, ip.dst);
            put(o, ": TCP [bad: %s] length %zu",
                tr == WIRE_ERR_CSUM ? "checksum" : tr == WIRE_ERR_OPTS ? "options" : "header", plen);
            return;
        }
        put(o, ".%u > ", t.sport);
        put_ip(o, ip.dst);
        fmt_tcp_rest(o, &t);
    } else if (ip.proto == IP4_PROTO_UDP) {
        struct udp_hdr u;
        put_ip(o, ip.src);
        if (partial || udp_parse(pl, plen, ip.src, ip.dst, &u) != WIRE_OK) {
            put(o, " > ");
            put_ip(o, ip.dst);
            put(o, ": UDP %s length %zu", partial ? "(first fragment)" : "[bad]", plen);
            return;
        }
        put(o, ".%u > ", u.sport);
        put_ip(o, ip.dst);
        put(o, ".%u: UDP, length %zu", u.dport, u.data_len);
    } else if (ip.proto == IP4_PROTO_ICMP) {
        struct icmp_hdr ic;
        put_ip(o, ip.src);
        put(o, " > ");
        put_ip(o, ip.dst);
        if (partial) {
            put(o, ": ICMP (first fragment) length %zu", plen);
            return;
        }
        if (icmp_parse(pl, plen, &ic) != WIRE_OK) {
            put(o, ": ICMP [bad] length %zu", plen);
            return;
        }
        switch (ic.type) {
        case ICMP_ECHO_REQUEST: put(o, ": ICMP echo request, id %u, seq %u", ic.id, ic.seq); break;
        case ICMP_ECHO_REPLY: put(o, ": ICMP echo reply, id %u, seq %u", ic.id, ic.seq); break;
        case ICMP_DEST_UNREACH: put(o, ": ICMP unreachable code %u", ic.code); break;
        case ICMP_TIME_EXCEEDED: put(o, ": ICMP time exceeded code %u", ic.code); break;
        default: put(o, ": ICMP type %u code %u", ic.type, ic.code); break;
        }
        put(o, ", length %zu", plen);
    } else {
        put_ip(o, ip.src);
        put(o, " > ");
        put_ip(o, ip.dst);
        put(o, ": ip-proto-%u length %zu", ip.proto, plen);
    }
    if (partial)
        put(o, " (frag id %u +)", ip.id);
}

/* An IPv6 address as RFC 5952 4 writes it: lower case, no leading zeros, the longest run of two
 * or more zero groups (the first of equal ones) as "::". (The core's synack_ip_format is a layer
 * above this one.) */
static void put_ip6(struct out *o, const uint8_t *a)
{
    int best = -1, best_n = 1;
    for (int i = 0; i < 8;) {
        int n = 0;
        while (i + n < 8 && !a[2 * (i + n)] && !a[2 * (i + n) + 1])
            n++;
        if (n > best_n) {
            best = i;
            best_n = n;
        }
        i += n ? n : 1;
    }
    for (int i = 0; i < 8; i++) {
        if (i == best) {
            put(o, "::");
            i += best_n - 1;
            continue;
        }
        if (i && i != best + best_n)
            put(o, ":");
        put(o, "%x", (unsigned)wire_get16(a + 2 * i));
    }
}

static void fmt_icmp6(struct out *o, const uint8_t *p, size_t len, uint64_t ph)
{
    struct icmp6_hdr ic;
    if (icmp6_parse(p, len, ph, &ic) != WIRE_OK) {
        put(o, ": ICMP6 [bad] length %zu", len);
        return;
    }
    switch (ic.type) {
    case ICMP6_ECHO_REQUEST:
    case ICMP6_ECHO_REPLY:
        put(o, ": ICMP6, echo %s, id %u, seq %u", ic.type == ICMP6_ECHO_REQUEST ? "request" : "reply",
            (unsigned)(ic.word >> 16), (unsigned)(ic.word & 0xffff));
        break;
    case ICMP6_ND_NS:
    case ICMP6_ND_NA:
        if (ic.body_len >= 16) {
            put(o, ic.type == ICMP6_ND_NS ? ": ICMP6, neighbor solicitation, who has " : ": ICMP6, neighbor advertisement, tgt is ");
            put_ip6(o, ic.body);
        } else {
            put(o, ": ICMP6, neighbor %s [bad]", ic.type == ICMP6_ND_NS ? "solicitation" : "advertisement");
        }
        break;
    case ICMP6_ND_RS: put(o, ": ICMP6, router solicitation"); break;
    case ICMP6_ND_RA: put(o, ": ICMP6, router advertisement"); break;
    case ICMP6_MLD2_REPORT: put(o, ": ICMP6, multicast listener report v2, %u group record(s)", (unsigned)(ic.word & 0xffff)); break;
    case ICMP6_DEST_UNREACH: put(o, ": ICMP6, destination unreachable, code %u", ic.code); break;
    case ICMP6_PKT_TOO_BIG: put(o, ": ICMP6, packet too big, mtu %u", (unsigned)ic.word); break;
    case ICMP6_TIME_EXCEEDED: put(o, ": ICMP6, time exceeded, code %u", ic.code); break;
    case ICMP6_PARAM_PROB: put(o, ": ICMP6, parameter problem, code %u, pointer %u", ic.code, (unsigned)ic.word); break;
    default: put(o, ": ICMP6, type %u, code %u", ic.type, ic.code); break;
    }
    put(o, ", length %zu", len);
}

/* "IP6 src.port > dst.port: ..." as tcpdump prints it; extension headers are skipped, a
 * non-first fragment named. */
static void fmt_ip6(struct out *o, const uint8_t *p, size_t len)
{
    struct ip6_hdr h;
    enum wire_err r = ip6_parse(p, len, &h);
    if (r != WIRE_OK) {
        put(o, "[bad: %s] length %zu", r == WIRE_ERR_TRUNC ? "truncated" : r == WIRE_ERR_VERSION ? "version" : "short", len);
        return;
    }
    size_t end = IP6_HDR_LEN + h.plen, off = IP6_HDR_LEN;
    uint8_t nh = h.next;
    int frag = 0;
    while (nh == IP6_NH_HOPOPTS || nh == IP6_NH_DSTOPTS || nh == IP6_NH_ROUTING || nh == IP6_NH_FRAGMENT) {
        size_t n = IP6_FRAG_HDR_LEN;
        if (nh == IP6_NH_FRAGMENT) {
            struct ip6_frag f;
            if (ip6_frag_parse(p + off, end - off, &f) != WIRE_OK)
                break;
            if (f.offset || f.more) {
                if (f.offset) {
                    put_ip6(o, h.src);
                    put(o, " > ");
                    put_ip6(o, h.dst);
                    put(o, ": frag (%u|%zu) id %u%s", f.offset, end - off - n, f.id, f.more ? " +" : "");
                    return;
                }
                frag = 1;
            }
        } else if (ip6_ext_len(p + off, end - off, &n) != WIRE_OK) {
            break;
        }
        nh = p[off];
        off += n;
    }
    const uint8_t *pl = p + off;
    size_t plen = end - off;
    uint64_t ph = wire_csum_pseudo6(h.src, h.dst, nh, (uint32_t)plen);
    put_ip6(o, h.src);
    if (nh == IP6_NH_TCP && !frag) {
        struct tcp_hdr t;
        if (tcp_parse_ph(pl, plen, ph - plen, 1, &t) != WIRE_OK) {
            put(o, " > ");
            put_ip6(o, h.dst);
            put(o, ": TCP [bad] length %zu", plen);
            return;
        }
        put(o, ".%u > ", t.sport);
        put_ip6(o, h.dst);
        fmt_tcp_rest(o, &t);
    } else if (nh == IP6_NH_UDP && !frag) {
        struct udp_hdr u;
        if (udp_parse_ph(pl, plen, ph - plen, 1, &u) != WIRE_OK) {
            put(o, " > ");
            put_ip6(o, h.dst);
            put(o, ": UDP [bad] length %zu", plen);
            return;
        }
        put(o, ".%u > ", u.sport);
        put_ip6(o, h.dst);
        put(o, ".%u: UDP, length %zu", u.dport, u.data_len);
    } else {
        put(o, " > ");
        put_ip6(o, h.dst);
        if (nh == IP6_NH_ICMP6 && !frag)
            fmt_icmp6(o, pl, plen, ph);
        else
            put(o, ": %s%u length %zu", frag ? "first fragment, next header " : "next header ", nh, plen);
    }
}

static void fmt_l3(struct out *o, const uint8_t *p, size_t len)
{
    if (len && (p[0] >> 4) == 6) {
        put(o, "IP6 ");
        fmt_ip6(o, p, len);
    } else {
        fmt_ip(o, p, len);
    }
}

size_t synack_format_ip(char *buf, size_t cap, const uint8_t *pkt, size_t len)
{
    struct out o = { buf, cap, 0 };
    if (cap == 0)
        return 0;
    buf[0] = 0;
    fmt_l3(&o, pkt, len);
    return o.n;
}

size_t synack_format_frame(char *buf, size_t cap, int link_kind, const uint8_t *frame, size_t len)
{
    struct out o = { buf, cap, 0 };
    if (cap == 0)
        return 0;
    buf[0] = 0;
    if (link_kind == WIRE_LINK_RAWIP) {
        fmt_l3(&o, frame, len);
        return o.n;
    }
    struct eth_hdr e;
    if (eth_parse(frame, len, &e) != WIRE_OK) {
        put(&o, "[bad ethernet: %zu bytes]", len);
        return o.n;
    }
    if (e.type == ETH_TYPE_ARP) {
        struct arp_pkt a;
        if (arp_parse(frame + ETH_HDR_LEN, len - ETH_HDR_LEN, &a) != WIRE_OK) {
            put(&o, "ARP [bad] length %zu", len - ETH_HDR_LEN);
        } else if (a.op == ARP_OP_REQUEST) {
            put(&o, "ARP, Request who-has ");
            put_ip(&o, a.tpa);
            put(&o, " tell ");
            put_ip(&o, a.spa);
        } else if (a.op == ARP_OP_REPLY) {
            put(&o, "ARP, Reply ");
            put_ip(&o, a.spa);
            put(&o, " is-at %02x:%02x:%02x:%02x:%02x:%02x", a.sha[0], a.sha[1], a.sha[2], a.sha[3],
                a.sha[4], a.sha[5]);
        } else {
            put(&o, "ARP, op %u", a.op);
        }
    } else if (e.type == ETH_TYPE_IPV4) {
        put(&o, "IP ");
        fmt_ip(&o, frame + ETH_HDR_LEN, len - ETH_HDR_LEN);
    } else if (e.type == ETH_TYPE_IPV6) {
        put(&o, "IP6 ");
        fmt_ip6(&o, frame + ETH_HDR_LEN, len - ETH_HDR_LEN);
    } else {
        put(&o, "ethertype 0x%04x, length %zu", e.type, len);
    }
    return o.n;
}
