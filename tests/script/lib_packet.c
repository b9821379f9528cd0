/* `<` and `>` lines: parsing a segment description, building the peer's segment with the wire
 * layer, and matching what the stack sent against an expectation field by field.
 *
 *   FLAGS [START:END(LEN)] [ack N|*] [win N|*] [urg N] [<OPTIONS>|<*>] [port P] [lport L] [csum bad]
 *         [tos N]   (the IPv4 TOS byte: checked on `>` lines only when given, sent on `<` lines; so is
 *                    `urg N`, the urgent pointer field, relative to the segment as on the wire)
 *
 * FLAGS are tcpdump's letters (S F R P . U E W; "." is ACK). START is the relative sequence number;
 * END - START must equal LEN (the payload, SYN and FIN not counted). OPTIONS: mss N, wscale N,
 * sackOK, TS val N ecr N, sack L:R [L:R ...], nop, eol, comma-separated; in a `<` line also
 * `raw B B ...`, option bytes sent as they are after the others (for malformed options). In a `>`
 * line a missing field is not checked, except the options: no <...> means the segment must carry
 * none; `TS val *` leaves the TSval unchecked. In a `<` line `ecr *` echoes the stack's latest TSval
 * on the connection as it was (a SYN cookie's, whose low bits carry options); `ecr *+N` that plus N.
 *
 * Relative numbers in options: SACK edges like sequence numbers (a `<` block names the stack's
 * data, relative to its ISN; a `>` block the peer's, relative to the peer's ISN); the stack's TSvals
 * (`>` val, `<` ecr) relative to the first `>` TS val written for the connection (sr_flow.ts_off);
 * the peer's TSvals as written. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "script/lib_runner_int.h"
#include "synack/counters.h"
#include "synack/format.h"
#include "wire/bytes.h"
#include "wire/csum.h"
#include "wire/icmp.h"
#include "wire/icmp6.h"
#include "wire/ip4.h"
#include "wire/ip6.h"
#include "wire/tcp.h"

struct sr_seg {
    uint8_t flags;
    int has_seq;
    uint32_t seq, len;
    int has_ack, ack_any;
    uint32_t ack;
    int has_win, win_any;
    uint32_t win;
    int has_opts, opts_any;
    int ts_val_any;      /* `TS val *` */
    int ts_ecr_echo;     /* `<` ... `ecr *`: echo the stack's latest TSval */
    struct tcp_opts opts;
    uint8_t raw[40];     /* `raw B B ...` bytes put after the other options, '<' lines only */
    size_t nraw;
    int has_port;
    uint16_t port;
    uint16_t lport;      /* the stack's port, `lport N` (0: the connection's) */
    int bad_csum;
    int has_urg;         /* `urg N`: sent on `<` lines; on `>` lines checked only when given */
    uint16_t urg;
    int has_tos;
    uint8_t tos;         /* `tos N`: the IPv4 TOS byte */
};

static int parse_flags(struct sr *r, const char **pp, uint8_t *out)
{
    const char *p = *pp;
    uint8_t f = 0;
    if (!strncmp(p, "none", 4)) {
        *pp = p + 4;
        *out = 0;
        return 0;
    }
    for (; *p && *p != ' ' && *p != '\t'; p++) {
        switch (*p) {
        case 'F': f |= TCP_FIN; break;
        case 'S': f |= TCP_SYN; break;
        case 'R': f |= TCP_RST; break;
        case 'P': f |= TCP_PSH; break;
        case '.': f |= TCP_ACK; break;
        case 'U': f |= TCP_URG; break;
        case 'E': f |= TCP_ECE; break;
        case 'W': f |= TCP_CWR; break;
        default: return sr_fail(r, "bad flag '%c'", *p);
        }
    }
    if (p == *pp)
        return sr_fail(r, "missing flags");
    *out = f;
    *pp = p;
    return 0;
}

static int parse_opts(struct sr *r, const char **pp, struct sr_seg *s)
{
    const char *p = *pp + 1;   /* after '<' */
    s->has_opts = 1;
    p = sr_skip(p);
    if (*p == '*') {
        s->opts_any = 1;
        p = sr_skip(p + 1);
        if (*p != '>')
            return sr_fail(r, "options: expected '>'");
        *pp = p + 1;
        return 0;
    }
    struct tcp_opts *o = &s->opts;
    while (*p && *p != '>') {
        p = sr_skip(p);
        int64_t v, v2;
        if (!strncmp(p, "mss", 3)) {
            p += 3;
            if (sr_parse_num(&p, &v) < 0)
                return sr_fail(r, "options: mss needs a value");
            o->has_mss = 1;
            o->mss = (uint16_t)v;
        } else if (!strncmp(p, "wscale", 6)) {
            p += 6;
            if (sr_parse_num(&p, &v) < 0)
                return sr_fail(r, "options: wscale needs a value");
            o->has_wscale = 1;
            o->wscale = (uint8_t)v;
        } else if (!strncmp(p, "sackOK", 6)) {
            p += 6;
            o->sack_perm = 1;
        } else if (!strncmp(p, "TS", 2)) {
            p = sr_skip(p + 2);
            if (strncmp(p, "val", 3))
                return sr_fail(r, "options: TS val N ecr N");
            p = sr_skip(p + 3);
            if (*p == '*') {
                s->ts_val_any = 1;
                v = 0;
                p++;
            } else if (sr_parse_num(&p, &v) < 0) {
                return sr_fail(r, "options: TS val N ecr N");
            }
            p = sr_skip(p);
            if (strncmp(p, "ecr", 3))
                return sr_fail(r, "options: TS val N ecr N");
            p = sr_skip(p + 3);
            if (*p == '*') {
                /* `ecr *` or `ecr *+N` / `ecr *-N`: the stack's latest TSval, moved by N. */
                s->ts_ecr_echo = 1;
                v2 = 0;
                p++;
                if ((*p == '+' || *p == '-') && sr_parse_num(&p, &v2) < 0)
                    return sr_fail(r, "options: ecr *+N");
            } else if (sr_parse_num(&p, &v2) < 0) {
                return sr_fail(r, "options: TS val N ecr N");
            }
            o->has_ts = 1;
            o->ts_val = (uint32_t)v;
            o->ts_ecr = (uint32_t)v2;
        } else if (!strncmp(p, "sack", 4) && strncmp(p, "sackOK", 6)) {
            /* `sack L:R L:R`: blocks, relative (see the head of the file). */
            p += 4;
            for (;;) {
                const char *q = sr_skip(p);
                if (!isdigit((unsigned char)*q) && *q != '-')
                    break;
                if (sr_parse_num(&q, &v) < 0 || *q != ':')
                    return sr_fail(r, "options: sack L:R ...");
                q++;
                if (sr_parse_num(&q, &v2) < 0)
                    return sr_fail(r, "options: sack L:R ...");
                if (o->sack_count >= TCP_MAX_SACK_BLOCKS)
                    return sr_fail(r, "options: at most %d SACK blocks", TCP_MAX_SACK_BLOCKS);
                o->sack[o->sack_count][0] = (uint32_t)v;
                o->sack[o->sack_count][1] = (uint32_t)v2;
                o->sack_count++;
                p = q;
            }
            if (!o->sack_count)
                return sr_fail(r, "options: sack needs blocks L:R");
        } else if (!strncmp(p, "raw", 3)) {
            /* Option bytes as they are, for malformed options: `raw 2 3 5` (kind, length, value). */
            p += 3;
            while (sr_parse_num(&p, &v) == 0) {
                if (v < 0 || v > 255 || s->nraw >= sizeof(s->raw))
                    return sr_fail(r, "options: raw takes up to 40 bytes of 0..255");
                s->raw[s->nraw++] = (uint8_t)v;
            }
            if (!s->nraw)
                return sr_fail(r, "options: raw needs bytes");
        } else if (!strncmp(p, "nop", 3)) {
            p += 3;
        } else if (!strncmp(p, "eol", 3)) {
            p += 3;
        } else {
            return sr_fail(r, "options: unknown option at '%s'", p);
        }
        p = sr_skip(p);
        if (*p == ',')
            p++;
        else if (*p != '>')
            return sr_fail(r, "options: expected ',' or '>' at '%s'", p);
    }
    if (*p != '>')
        return sr_fail(r, "options: missing '>'");
    *pp = p + 1;
    return 0;
}

static int parse_seg(struct sr *r, const char *p, struct sr_seg *s)
{
    memset(s, 0, sizeof(*s));
    s->win = 65535;
    if (parse_flags(r, &p, &s->flags) < 0)
        return -1;
    for (;;) {
        p = sr_skip(p);
        if (!*p)
            return 0;
        int64_t a, b, c;
        if (isdigit((unsigned char)*p) || *p == '-') {
            if (sr_parse_num(&p, &a) < 0 || *p != ':')
                return sr_fail(r, "expected START:END(LEN) at '%s'", p);
            p++;
            if (sr_parse_num(&p, &b) < 0 || *p != '(')
                return sr_fail(r, "expected START:END(LEN)");
            p++;
            if (sr_parse_num(&p, &c) < 0 || *p != ')')
                return sr_fail(r, "expected START:END(LEN)");
            p++;
            if ((uint32_t)(b - a) != (uint32_t)c || c < 0)
                return sr_fail(r, "END - START must equal LEN in %lld:%lld(%lld)", (long long)a, (long long)b,
                               (long long)c);
            s->has_seq = 1;
            s->seq = (uint32_t)a;
            s->len = (uint32_t)c;
        } else if (!strncmp(p, "ack", 3)) {
            p = sr_skip(p + 3);
            s->has_ack = 1;
            if (*p == '*') {
                s->ack_any = 1;
                p++;
            } else if (sr_parse_num(&p, &a) < 0) {
                return sr_fail(r, "ack needs a number or *");
            } else {
                s->ack = (uint32_t)a;
            }
        } else if (!strncmp(p, "win", 3)) {
            p = sr_skip(p + 3);
            s->has_win = 1;
            if (*p == '*') {
                s->win_any = 1;
                p++;
            } else if (sr_parse_num(&p, &a) < 0 || a < 0 || a > 65535) {
                return sr_fail(r, "win needs a number (0..65535) or *");
            } else {
                s->win = (uint32_t)a;
            }
        } else if (!strncmp(p, "urg", 3)) {
            p += 3;
            if (sr_parse_num(&p, &a) < 0)
                return sr_fail(r, "urg needs a number");
            s->has_urg = 1;
            s->urg = (uint16_t)a;
        } else if (!strncmp(p, "lport", 5)) {
            p += 5;
            if (sr_parse_num(&p, &a) < 0 || a <= 0 || a > 65535)
                return sr_fail(r, "lport needs a number");
            s->lport = (uint16_t)a;
        } else if (!strncmp(p, "port", 4)) {
            p += 4;
            if (sr_parse_num(&p, &a) < 0 || a <= 0 || a > 65535)
                return sr_fail(r, "port needs a number");
            s->has_port = 1;
            s->port = (uint16_t)a;
        } else if (!strncmp(p, "tos", 3)) {
            p += 3;
            if (sr_parse_num(&p, &a) < 0 || a < 0 || a > 255)
                return sr_fail(r, "tos needs a number 0..255");
            s->has_tos = 1;
            s->tos = (uint8_t)a;
        } else if (!strncmp(p, "csum", 4)) {
            p = sr_skip(p + 4);
            if (strncmp(p, "bad", 3))
                return sr_fail(r, "only 'csum bad' is known");
            p += 3;
            s->bad_csum = 1;
        } else if (*p == '<') {
            if (parse_opts(r, &p, s) < 0)
                return -1;
        } else {
            return sr_fail(r, "cannot parse '%s'", p);
        }
    }
}

/* ---------- `<` ---------- */

/* `< icmp KIND [mtu N] seq N [port P]`: an ICMP (over IPv6, ICMPv6) error about a segment the
 * stack sent on the connection, quoting its IP header and first 8 octets with SEG.SEQ = N
 * (relative to the stack's ISN). KIND: net-unreach, host-unreach, proto-unreach, port-unreach,
 * frag-needed (with `mtu N`, over IPv6 a Packet Too Big of N + 20), time-exceeded, source-quench
 * (IPv4 only). */
static int inject_icmp(struct sr *r, const char *p, const char *text)
{
    static const struct { const char *name; uint8_t t4, c4, t6, c6; } kinds[] = {
        { "net-unreach", 3, 0, 1, 0 },   { "host-unreach", 3, 1, 1, 3 }, { "proto-unreach", 3, 2, 4, 1 },
        { "port-unreach", 3, 3, 1, 4 },  { "frag-needed", 3, 4, 2, 0 },  { "time-exceeded", 11, 0, 3, 0 },
        { "source-quench", 4, 0, 0, 0 },
    };
    int k = -1;
    for (int i = 0; i < (int)(sizeof(kinds) / sizeof(kinds[0])); i++) {
        size_t l = strlen(kinds[i].name);
        if (!strncmp(p, kinds[i].name, l) && (p[l] == ' ' || p[l] == '\0'))
            k = i;
    }
    if (k < 0)
        return sr_fail(r, "icmp: unknown kind");
    if (r->opt.ipv6 && !kinds[k].t6)
        return sr_fail(r, "icmp: %s has no ICMPv6 counterpart", kinds[k].name);
    p = sr_skip(p + strlen(kinds[k].name));
    int64_t mtu = 0, seq = 0, port = r->default_peer_port;
    int has_seq = 0;
    while (*p) {
        int64_t *v = !strncmp(p, "mtu ", 4) ? &mtu : !strncmp(p, "seq ", 4) ? &seq : !strncmp(p, "port ", 5) ? &port : NULL;
        if (!v)
            return sr_fail(r, "icmp: expected mtu, seq or port");
        has_seq |= v == &seq;
        p = sr_skip(p + (v == &port ? 5 : 4));
        if (sr_parse_num(&p, v) < 0)
            return sr_fail(r, "icmp: expected a number");
        p = sr_skip(p);
    }
    struct sr_flow *f = sr_flow_get(r, (uint16_t)port);
    if (!has_seq || !f || !f->stack_isn_known || !f->local_port)
        return sr_fail(r, "icmp: needs 'seq N' on a connection the stack has sent on");
    /* The quoted packet: the stack's IP header and the first 8 octets of its TCP header. */
    uint8_t quote[IP6_HDR_LEN + 8], pkt[IP6_HDR_LEN + 8 + sizeof(quote)];
    size_t ipl = r->opt.ipv6 ? IP6_HDR_LEN : 20;
    uint8_t *t = quote + ipl;
    wire_put16(t, f->local_port);
    wire_put16(t + 2, (uint16_t)port);
    wire_put32(t + 4, f->stack_isn + (uint32_t)seq);
    if (r->opt.ipv6) {
        struct ip6_hdr qh = { .plen = 1000, .next = IP6_NH_TCP, .hlim = 64 };
        memcpy(qh.src, SR_US6, 16);
        memcpy(qh.dst, SR_PEER6, 16);
        ip6_build(quote, &qh);
        struct icmp6_hdr ic = { .type = kinds[k].t6, .code = kinds[k].c6, .body = quote, .body_len = sizeof(quote) };
        if (ic.type == 2)
            ic.word = (uint32_t)mtu + 20;
        uint64_t ph = wire_csum_pseudo6(SR_PEER6, SR_US6, IP6_NH_ICMP6, (uint32_t)(ICMP6_HDR_LEN + sizeof(quote)));
        size_t n = icmp6_build(pkt + IP6_HDR_LEN, &ic, ph);
        struct ip6_hdr ih = { .plen = (uint16_t)n, .next = IP6_NH_ICMP6, .hlim = 64 };
        memcpy(ih.src, SR_PEER6, 16);
        memcpy(ih.dst, SR_US6, 16);
        ip6_build(pkt, &ih);
        sr_log(r, "inject  < icmp %s", text);
        synack_if_input(r->st, r->ifi, pkt, IP6_HDR_LEN + n, sr_stack_now(r));
        return 0;
    }
    struct ip4_hdr qh = { .ihl = 20, .total_len = 1000, .id = 1, .frag = IP4_FLAG_DF, .ttl = 64,
                          .proto = IP4_PROTO_TCP, .src = SR_US, .dst = SR_PEER };
    ip4_build(quote, &qh);
    struct icmp_hdr ic = { .type = kinds[k].t4, .code = kinds[k].c4, .next_mtu = (uint16_t)mtu, .body = quote,
                           .body_len = ipl + 8 };
    size_t n = icmp_build(pkt + 20, &ic);
    struct ip4_hdr ih = { .ihl = 20, .total_len = (uint16_t)(20 + n), .id = 1, .ttl = 64, .proto = IP4_PROTO_ICMP,
                          .src = SR_PEER, .dst = SR_US };
    ip4_build(pkt, &ih);
    sr_log(r, "inject  < icmp %s", text);
    synack_if_input(r->st, r->ifi, pkt, 20 + n, sr_stack_now(r));
    return 0;
}

int sr_inject(struct sr *r, const char *text)
{
    if (!strncmp(text, "icmp ", 5))
        return inject_icmp(r, sr_skip(text + 5), text + 5);
    struct sr_seg s;
    if (parse_seg(r, text, &s) < 0)
        return -1;
    if (!s.has_seq)
        return sr_fail(r, "a '<' line needs START:END(LEN)");
    if ((s.flags & TCP_ACK) && !s.has_ack)
        return sr_fail(r, "a '<' line with the ACK flag needs 'ack N'");
    if (s.opts_any)
        return sr_fail(r, "'<*>' is only for '>' lines");
    if (s.nraw && tcp_hdr_len(&s.opts) - TCP_HDR_MIN + s.nraw > 40)
        return sr_fail(r, "options: more than 40 bytes with raw ones");
    uint16_t pport = s.has_port ? s.port : r->default_peer_port;
    struct sr_flow *f = sr_flow_get(r, pport);
    if (!f)
        return sr_fail(r, "too many connections");
    uint16_t lport = s.lport ? s.lport : f->local_port ? f->local_port : r->default_local_port;
    if (!lport)
        return sr_fail(r, "the stack's port is not known yet (bind first)");
    if (!f->local_port && !s.lport)
        f->local_port = lport;
    uint8_t pkt[40 + 60 + 65536];
    size_t ipl = r->opt.ipv6 ? IP6_HDR_LEN : 20;   /* the IP header before the segment */
    struct tcp_hdr h;
    memset(&h, 0, sizeof(h));
    h.sport = pport;
    h.dport = lport;
    h.seq = f->peer_isn + s.seq;
    h.ack = (s.flags & TCP_ACK) ? (f->stack_isn_known ? f->stack_isn : 0) + s.ack : 0;
    h.flags = s.flags;
    h.win = (uint16_t)s.win;
    h.urg = s.urg;
    h.opts = s.opts;
    if (h.opts.has_ts && s.ts_ecr_echo)
        h.opts.ts_ecr = f->last_tsval + s.opts.ts_ecr;   /* `ecr *[+N]`: the stack's last, as sent */
    else if (h.opts.has_ts && f->ts_known)
        h.opts.ts_ecr += f->ts_off;   /* the stack's TSval, written relative */
    for (unsigned k = 0; k < h.opts.sack_count; k++) {
        uint32_t base = f->stack_isn_known ? f->stack_isn : 0;   /* blocks name the stack's data */
        h.opts.sack[k][0] += base;
        h.opts.sack[k][1] += base;
    }
    size_t hl = tcp_hdr_len(&h.opts);
    if (ipl + hl + s.len > sizeof(pkt))
        return sr_fail(r, "segment too long");
    /* Payload byte at relative sequence number q is sr_peer_byte(q - 1): the SYN takes number 0. */
    uint32_t first = s.seq + ((s.flags & TCP_SYN) ? 1 : 0);
    for (uint32_t i = 0; i < s.len; i++)
        pkt[ipl + hl + i] = sr_peer_byte((uint32_t)(first + i - 1));
    uint64_t ph = r->opt.ipv6 ? wire_csum_pseudo6(SR_PEER6, SR_US6, IP4_PROTO_TCP, 0)
                              : wire_csum_pseudo(SR_PEER, SR_US, IP4_PROTO_TCP, 0);
    size_t tl = tcp_build_ph(pkt + ipl, &h, s.len, ph) + s.len;
    if (s.nraw) {
        /* Raw option bytes go after the built ones, padded with EOL to a multiple of 4 (the data
         * offset grows), and the checksum is made again. */
        uint8_t *t = pkt + ipl;
        size_t add = (s.nraw + 3) & ~(size_t)3;
        memmove(t + hl + add, t + hl, s.len);
        memset(t + hl, TCP_OPT_EOL, add);
        memcpy(t + hl, s.raw, s.nraw);
        t[12] = (uint8_t)(((hl + add) / 4) << 4);
        tl += add;
        wire_put16(t + 16, 0);
        wire_put16(t + 16, wire_csum_finish(wire_csum_partial(t, tl, ph + tl)));
    }
    if (s.bad_csum)
        pkt[ipl + 16] ^= 0x5a;
    if (r->opt.ipv6) {
        struct ip6_hdr ih = { .tclass = s.tos, .plen = (uint16_t)tl, .next = IP6_NH_TCP, .hlim = 64 };
        memcpy(ih.src, SR_PEER6, 16);
        memcpy(ih.dst, SR_US6, 16);
        ip6_build(pkt, &ih);
    } else {
        struct ip4_hdr ih = { .ihl = 20, .tos = s.tos, .total_len = (uint16_t)(20 + tl), .id = 1, .frag = IP4_FLAG_DF,
                              .ttl = 64, .proto = IP4_PROTO_TCP, .src = SR_PEER, .dst = SR_US };
        ip4_build(pkt, &ih);
    }
    sr_log(r, "inject  < %s", text);
    synack_if_input(r->st, r->ifi, pkt, ipl + tl, sr_stack_now(r));
    return 0;
}

/* ---------- `>` ---------- */

struct sr_out {
    int is_tcp;
    struct ip4_hdr ip;         /* over IPv6: tos holds the traffic class, the rest is unused */
    struct tcp_hdr h;
    struct sr_flow *flow;
    uint32_t rseq, rack;   /* relative */
    struct tcp_opts ropts; /* the options with relative numbers (SACK edges; TSval once known) */
};

/* The options of a packet the stack sent, in the script's relative numbers. */
static void rel_opts(const struct sr_out *o, struct tcp_opts *ro)
{
    *ro = o->h.opts;
    uint32_t pisn = o->flow ? o->flow->peer_isn : 0;
    for (unsigned k = 0; k < ro->sack_count; k++) {
        ro->sack[k][0] -= pisn;
        ro->sack[k][1] -= pisn;
    }
    if (ro->has_ts && o->flow && o->flow->ts_known)
        ro->ts_val -= o->flow->ts_off;
}

/* Parses a packet the stack sent; learns the stack's ISN and port from a SYN. */
static const char *decode(struct sr *r, const struct sr_pkt *p, struct sr_out *o, int learn)
{
    memset(o, 0, sizeof(*o));
    int e;
    if (r->opt.ipv6) {
        struct ip6_hdr h6;
        if (ip6_parse(p->data, p->len, &h6) != WIRE_OK)
            return "not a valid IPv6 packet";
        if (h6.next != IP6_NH_TCP)
            return "not TCP";
        if (memcmp(h6.src, SR_US6, 16) || memcmp(h6.dst, SR_PEER6, 16))
            return "wrong IP addresses";
        o->ip.tos = h6.tclass;
        e = tcp_parse_ph(p->data + IP6_HDR_LEN, h6.plen, wire_csum_pseudo6(h6.src, h6.dst, IP6_NH_TCP, 0), 1, &o->h);
    } else {
        if (ip4_parse(p->data, p->len, &o->ip) != WIRE_OK)
            return "not a valid IPv4 packet";
        if (o->ip.proto != IP4_PROTO_TCP)
            return "not TCP";
        if (o->ip.src != SR_US || o->ip.dst != SR_PEER)
            return "wrong IP addresses";
        e = tcp_parse(p->data + o->ip.ihl, o->ip.total_len - o->ip.ihl, o->ip.src, o->ip.dst, 1, &o->h);
    }
    if (e != WIRE_OK)
        return e == WIRE_ERR_CSUM ? "bad TCP checksum" : "malformed TCP header";
    o->is_tcp = 1;
    for (int i = 0; i < r->nflows; i++)
        if (r->flows[i].peer_port == o->h.dport)
            o->flow = &r->flows[i];
    if (!o->flow && learn)
        o->flow = sr_flow_get(r, o->h.dport);
    if (o->flow && learn) {
        if (!o->flow->local_port)
            o->flow->local_port = o->h.sport;
        if (o->h.flags & TCP_SYN) {
            o->flow->stack_isn = o->h.seq;
            o->flow->stack_isn_known = 1;
        }
        if (o->h.opts.has_ts)
            o->flow->last_tsval = o->h.opts.ts_val;
    }
    uint32_t sisn = o->flow && o->flow->stack_isn_known ? o->flow->stack_isn : 0;
    uint32_t pisn = o->flow ? o->flow->peer_isn : r->peer_isn;
    o->rseq = o->h.seq - sisn;
    o->rack = o->h.ack - pisn;
    rel_opts(o, &o->ropts);
    return NULL;
}

static void opts_str(const struct tcp_opts *o, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = 0;
    if (!o->has_mss && !o->has_wscale && !o->sack_perm && !o->has_ts && !o->sack_count)
        return;
    n += (size_t)snprintf(buf + n, cap - n, " <");
    const char *sep = "";
    if (o->has_mss && n < cap) {
        n += (size_t)snprintf(buf + n, cap - n, "%smss %u", sep, o->mss);
        sep = ",";
    }
    if (o->sack_perm && n < cap) {
        n += (size_t)snprintf(buf + n, cap - n, "%ssackOK", sep);
        sep = ",";
    }
    if (o->has_ts && n < cap) {
        n += (size_t)snprintf(buf + n, cap - n, "%sTS val %u ecr %u", sep, o->ts_val, o->ts_ecr);
        sep = ",";
    }
    if (o->has_wscale && n < cap) {
        n += (size_t)snprintf(buf + n, cap - n, "%swscale %u", sep, o->wscale);
        sep = ",";
    }
    if (o->sack_count && n < cap) {
        n += (size_t)snprintf(buf + n, cap - n, "%ssack", sep);
        for (unsigned k = 0; k < o->sack_count && n < cap; k++)
            n += (size_t)snprintf(buf + n, cap - n, " %u:%u", o->sack[k][0], o->sack[k][1]);
        sep = ",";
    }
    if (n < cap)
        snprintf(buf + n, cap - n, ">");
}

static void out_str(struct sr *r, const struct sr_out *o, char *buf, size_t cap)
{
    char fl[16], os[160], port[24] = "";
    tcp_flags_str(o->h.flags, fl);
    if (!strcmp(fl, "none"))
        strcpy(fl, "none");
    opts_str(&o->ropts, os, sizeof(os));
    if (o->h.dport != r->default_peer_port)
        snprintf(port, sizeof(port), " port %u", o->h.dport);
    char ack[24] = "";
    if (o->h.flags & TCP_ACK)
        snprintf(ack, sizeof(ack), " ack %u", o->rack);
    char tos[16] = "", urg[16] = "";
    if (o->ip.tos)
        snprintf(tos, sizeof(tos), " tos %u", o->ip.tos);
    if (o->h.flags & TCP_URG)
        snprintf(urg, sizeof(urg), " urg %u", o->h.urg);
    snprintf(buf, cap, "%s %u:%u(%zu)%s win %u%s%s%s%s", fl, o->rseq, (uint32_t)(o->rseq + o->h.data_len),
             o->h.data_len, ack, o->h.win, urg, os, port, tos);
}

void sr_describe(struct sr *r, const struct sr_pkt *p, char *buf, size_t cap)
{
    struct sr_out o;
    /* Learning here keeps the log's numbers relative from the first SYN on. */
    const char *why = decode(r, p, &o, 1);
    if (why) {
        char f[300];
        synack_format_ip(f, sizeof(f), p->data, p->len);
        snprintf(buf, cap, "(%s) %s", why, f);
        return;
    }
    out_str(r, &o, buf, cap);
}

static int opts_equal(const struct tcp_opts *a, const struct tcp_opts *b, int ts_val_any, const char **what)
{
    if (a->has_mss != b->has_mss || (a->has_mss && a->mss != b->mss))
        return *what = "mss option", 0;
    if (a->has_wscale != b->has_wscale || (a->has_wscale && a->wscale != b->wscale))
        return *what = "wscale option", 0;
    if (a->sack_perm != b->sack_perm)
        return *what = "sackOK option", 0;
    if (a->has_ts != b->has_ts || (a->has_ts && ((!ts_val_any && a->ts_val != b->ts_val) || a->ts_ecr != b->ts_ecr)))
        return *what = "timestamp option", 0;
    if (a->sack_count != b->sack_count)
        return *what = "SACK blocks", 0;
    for (unsigned k = 0; k < a->sack_count; k++)
        if (a->sack[k][0] != b->sack[k][0] || a->sack[k][1] != b->sack[k][1])
            return *what = "SACK blocks", 0;
    return 1;
}

static void mutate(struct sr *r, struct sr_seg *s)
{
    r->mutated = 1;
    if (s->has_seq)
        s->seq++;
    else if (s->has_ack && !s->ack_any)
        s->ack++;
    else
        s->flags ^= TCP_PSH;
}

/* Compares; returns NULL if it matches, else what differs. */
static const char *match(struct sr *r, const struct sr_seg *s, struct sr_out *o, uint16_t pport)
{
    if (o->h.dport != pport)
        return "peer port";
    if (s->lport ? o->h.sport != s->lport : (o->flow && o->flow->local_port && o->h.sport != o->flow->local_port))
        return "stack's port";
    if (o->h.flags != s->flags)
        return "flags";
    if (s->has_seq && o->rseq != s->seq)
        return "sequence number";
    if (s->has_seq && o->h.data_len != s->len)
        return "payload length";
    if (s->has_ack && !s->ack_any && o->rack != s->ack)
        return "acknowledgement number";
    if (s->has_win && !s->win_any && o->h.win != s->win)
        return "window";
    if (s->has_tos && o->ip.tos != s->tos)
        return "IP TOS byte";
    if (s->has_urg && o->h.urg != s->urg)
        return "urgent pointer";
    const char *what = NULL;
    if (!s->opts_any && s->opts.has_ts && !s->ts_val_any && o->h.opts.has_ts && o->flow && !o->flow->ts_known) {
        /* The first TSval the script names for this connection fixes its base. */
        o->flow->ts_off = o->h.opts.ts_val - s->opts.ts_val;
        o->flow->ts_known = 1;
        rel_opts(o, &o->ropts);
    }
    if (!s->opts_any && !opts_equal(&s->opts, &o->ropts, s->ts_val_any, &what))
        return what;
    /* The payload must be the bytes the application wrote: byte at relative q is sr_stack_byte(q-1). */
    uint32_t first = o->rseq + ((o->h.flags & TCP_SYN) ? 1 : 0);
    for (size_t i = 0; i < o->h.data_len; i++)
        if (o->h.data[i] != sr_stack_byte((uint32_t)(first + i - 1))) {
            (void)r;
            return "payload content (not the bytes written at that offset)";
        }
    return NULL;
}

/* After a failed expectation: what did the stack send next (within a minute)? */
static void next_hint(struct sr *r, char *buf, size_t cap)
{
    buf[0] = 0;
    if (!r->qlen) {
        struct sr_str saved = r->err;
        uint64_t now = r->now;
        r->err = (struct sr_str){ 0 };
        sr_advance(r, r->now + 60000000u, 1);
        free(r->err.s);
        r->err = saved;
        r->now = now;
    }
    if (r->qlen) {
        char d[512], tb[32];
        sr_describe(r, &r->q[r->qhead], d, sizeof(d));
        snprintf(buf, cap, "\n    next packet sent at t=%s: > %s", sr_time_str(r->q[r->qhead].t, tb, sizeof(tb)), d);
    } else {
        snprintf(buf, cap, "\n    (nothing sent within 60 s after that)");
    }
}

int sr_expect(struct sr *r, uint64_t lo, uint64_t hi, const char *text)
{
    struct sr_seg s;
    if (parse_seg(r, text, &s) < 0)
        return -1;
    char tlo[32], thi[32], hint[700];
    int none = !strncmp(text, "none", 4);
    if (r->mutate && !none)
        mutate(r, &s);
    if (sr_advance(r, hi, 1) < 0)
        return -1;
    if (none) {
        if (r->qlen) {
            char d[512];
            sr_describe(r, &r->q[r->qhead], d, sizeof(d));
            return sr_fail(r, "expected nothing sent up to t=%s, but at t=%s: > %s", sr_time_str(hi, thi, sizeof(thi)),
                           sr_time_str(r->q[r->qhead].t, tlo, sizeof(tlo)), d);
        }
        return 0;
    }
    if (!r->qlen) {
        next_hint(r, hint, sizeof(hint));
        return sr_fail(r, "expected at t=%s: > %s\n    but nothing was sent by then%s", sr_time_str(hi, thi, sizeof(thi)),
                       text, hint);
    }
    struct sr_pkt *p = &r->q[r->qhead];
    struct sr_out o;
    const char *why = decode(r, p, &o, 1);
    char got[512];
    sr_describe(r, p, got, sizeof(got));
    if (p->t < lo) {
        if (lo == hi)
            return sr_fail(r, "expected at t=%s: > %s\n    but earlier, at t=%s, the stack sent: > %s",
                           sr_time_str(lo, tlo, sizeof(tlo)), text, sr_time_str(p->t, thi, sizeof(thi)), got);
        return sr_fail(r, "expected in [%s, %s]: > %s\n    but earlier, at t=%.6f, the stack sent: > %s",
                       sr_time_str(lo, tlo, sizeof(tlo)), sr_time_str(hi, thi, sizeof(thi)), text, p->t / 1e6, got);
    }
    if (!why)
        why = match(r, &s, &o, s.has_port ? s.port : r->default_peer_port);
    if (why)
        return sr_fail(r, "%s differs\n    expected: > %s\n    got:      > %s (at t=%s)", why, text, got,
                       sr_time_str(p->t, thi, sizeof(thi)));
    free(p->data);
    r->qhead++;
    r->qlen--;
    if (!r->qlen)
        r->qhead = 0;
    return 0;
}
