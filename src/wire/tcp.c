/* TCP header and option parse/build, RFC 9293 3.1 with the options of RFC 7323 and RFC 2018. */
#include "wire/tcp.h"

#include "base/mem.h"

#include "wire/bytes.h"
#include "wire/csum.h"

enum wire_err tcp_parse_opts(const uint8_t *o, size_t len, struct tcp_opts *out)
{
    memset(out, 0, sizeof(*out));
    size_t i = 0;
    while (i < len) {
        uint8_t kind = o[i];
        if (kind == TCP_OPT_EOL)
            break;
        if (kind == TCP_OPT_NOP) {
            i++;
            continue;
        }
        /* RFC 9293 3.1: every other option has a length octet counting kind and length. One that
         * cannot be right (below 2, or past the header) leaves nothing after it to trust: the
         * segment is malformed. A known kind whose length is wrong for it is only that option's
         * fault: it is skipped by its length and the segment kept (MUST-7 allows either; deployed
         * stacks, Linux among them, ignore the option). */
        if (i + 1 >= len)
            return WIRE_ERR_OPTS;
        uint8_t olen = o[i + 1];
        if (olen < 2 || i + olen > len)
            return WIRE_ERR_OPTS;
        const uint8_t *v = o + i + 2;
        switch (kind) {
        case TCP_OPT_MSS:
            if (olen != 4)
                break;   /* a known kind with the wrong length: skipped */
            out->has_mss = 1;
            out->mss = wire_get16(v);
            break;
        case TCP_OPT_WSCALE:
            if (olen != 3)
                break;   /* a known kind with the wrong length: skipped */
            out->has_wscale = 1;
            /* RFC 7323 2.3: a shift above 14 is used as 14 (and may be logged). */
            out->wscale = v[0] > TCP_WSCALE_MAX ? TCP_WSCALE_MAX : v[0];
            break;
        case TCP_OPT_SACK_PERM:
            if (olen != 2)
                break;   /* a known kind with the wrong length: skipped */
            out->sack_perm = 1;
            break;
        case TCP_OPT_SACK: {
            /* RFC 2018 3: length 2 + 8n */
            if ((olen - 2) % 8 != 0 || olen < 10)
                break;   /* skipped, as any other option of the wrong length */
            unsigned n = (olen - 2u) / 8u;
            if (n > TCP_MAX_SACK_BLOCKS)
                n = TCP_MAX_SACK_BLOCKS;
            for (unsigned k = 0; k < n; k++) {
                out->sack[k][0] = wire_get32(v + 8 * k);
                out->sack[k][1] = wire_get32(v + 8 * k + 4);
            }
            out->sack_count = (uint8_t)n;
            break;
        }
        case TCP_OPT_TS:
            if (olen != 10)
                break;   /* a known kind with the wrong length: skipped */
            out->has_ts = 1;
            out->ts_val = wire_get32(v);
            out->ts_ecr = wire_get32(v + 4);
            break;
        default:
            break;   /* unknown: skipped by its length */
        }
        i += olen;
    }
    return WIRE_OK;
}

enum wire_err tcp_parse(const uint8_t *p, size_t len, uint32_t src, uint32_t dst, int verify_csum, struct tcp_hdr *out)
{
    return tcp_parse_ph(p, len, wire_csum_pseudo(src, dst, TCP_IPPROTO, 0), verify_csum, out);
}

enum wire_err tcp_parse_ph(const uint8_t *p, size_t len, uint64_t pseudo, int verify_csum, struct tcp_hdr *out)
{
    if (len < TCP_HDR_MIN)
        return WIRE_ERR_SHORT;
    unsigned doff = (p[12] >> 4) * 4u;
    if (doff < TCP_HDR_MIN)
        return WIRE_ERR_HDRLEN;
    if (doff > len)
        return WIRE_ERR_SHORT;
    if (verify_csum && len <= 0xffff) {
        if (wire_csum_finish(wire_csum_partial(p, len, pseudo + len)) != 0)
            return WIRE_ERR_CSUM;
    } else if (verify_csum) {
        return WIRE_ERR_SHORT;
    }
    if (tcp_parse_opts(p + TCP_HDR_MIN, doff - TCP_HDR_MIN, &out->opts) != WIRE_OK)
        return WIRE_ERR_OPTS;
    out->sport = wire_get16(p);
    out->dport = wire_get16(p + 2);
    out->seq = wire_get32(p + 4);
    out->ack = wire_get32(p + 8);
    out->doff = (uint8_t)doff;
    out->flags = p[13];
    out->win = wire_get16(p + 14);
    out->csum = wire_get16(p + 16);
    out->urg = wire_get16(p + 18);
    out->data = p + doff;
    out->data_len = len - doff;
    return WIRE_OK;
}

size_t tcp_build_opts(uint8_t *o, const struct tcp_opts *opts)
{
    size_t n = 0;
    if (opts->has_mss) {
        o[n++] = TCP_OPT_MSS;
        o[n++] = 4;
        wire_put16(o + n, opts->mss);
        n += 2;
    }
    if (opts->sack_perm && opts->has_ts) {
        o[n++] = TCP_OPT_SACK_PERM;
        o[n++] = 2;
    } else if (opts->sack_perm) {
        o[n++] = TCP_OPT_NOP;
        o[n++] = TCP_OPT_NOP;
        o[n++] = TCP_OPT_SACK_PERM;
        o[n++] = 2;
    } else if (opts->has_ts) {
        o[n++] = TCP_OPT_NOP;
        o[n++] = TCP_OPT_NOP;
    }
    if (opts->has_ts) {
        o[n++] = TCP_OPT_TS;
        o[n++] = 10;
        wire_put32(o + n, opts->ts_val);
        wire_put32(o + n + 4, opts->ts_ecr);
        n += 8;
    }
    if (opts->has_wscale) {
        o[n++] = TCP_OPT_NOP;
        o[n++] = TCP_OPT_WSCALE;
        o[n++] = 3;
        o[n++] = opts->wscale;
    }
    if (opts->sack_count) {
        unsigned max = opts->has_ts ? 3 : 4;   /* 40 bytes of options in all */
        unsigned cnt = opts->sack_count > max ? max : opts->sack_count;
        if (n + 4 + 8 * cnt > 40)
            cnt = (unsigned)((40 - n - 4) / 8);
        if (cnt) {
            o[n++] = TCP_OPT_NOP;
            o[n++] = TCP_OPT_NOP;
            o[n++] = TCP_OPT_SACK;
            o[n++] = (uint8_t)(2 + 8 * cnt);
            for (unsigned k = 0; k < cnt; k++) {
                wire_put32(o + n, opts->sack[k][0]);
                wire_put32(o + n + 4, opts->sack[k][1]);
                n += 8;
            }
        }
    }
    while (n % 4)
        o[n++] = TCP_OPT_NOP;
    return n;
}

size_t tcp_hdr_len(const struct tcp_opts *opts)
{
    uint8_t tmp[40];
    return TCP_HDR_MIN + tcp_build_opts(tmp, opts);
}

size_t tcp_build(uint8_t *p, const struct tcp_hdr *h, size_t data_len, uint32_t src, uint32_t dst)
{
    return tcp_build_ph(p, h, data_len, wire_csum_pseudo(src, dst, TCP_IPPROTO, 0));
}

static size_t build_hdr(uint8_t *p, const struct tcp_hdr *h)
{
    size_t olen = tcp_build_opts(p + TCP_HDR_MIN, &h->opts);
    size_t hlen = TCP_HDR_MIN + olen;
    wire_put16(p, h->sport);
    wire_put16(p + 2, h->dport);
    wire_put32(p + 4, h->seq);
    wire_put32(p + 8, h->ack);
    p[12] = (uint8_t)((hlen / 4) << 4);
    p[13] = h->flags;
    wire_put16(p + 14, h->win);
    wire_put16(p + 16, 0);
    wire_put16(p + 18, h->urg);
    return hlen;
}

size_t tcp_build_ph(uint8_t *p, const struct tcp_hdr *h, size_t data_len, uint64_t pseudo)
{
    size_t hlen = build_hdr(p, h);
    size_t total = hlen + data_len;
    wire_put16(p + 16, wire_csum_finish(wire_csum_partial(p, total, pseudo + total)));
    return hlen;
}

size_t tcp_build_ph_sum(uint8_t *p, const struct tcp_hdr *h, size_t data_len, uint64_t pseudo, uint64_t data_sum)
{
    /* The header's length is a multiple of 4, so the data's words line up with the message's. */
    size_t hlen = build_hdr(p, h);
    size_t total = hlen + data_len;
    wire_put16(p + 16, wire_csum_finish(wire_csum_partial(p, hlen, pseudo + total + data_sum)));
    return hlen;
}

const char *tcp_flags_str(uint8_t flags, char *buf)
{
    /* tcpdump's order (print-tcp.c tcp_flag_values), so lines compare with its output. */
    static const struct { uint8_t bit; char c; } order[] = {
        { TCP_FIN, 'F' }, { TCP_SYN, 'S' }, { TCP_RST, 'R' }, { TCP_PSH, 'P' },
        { TCP_ACK, '.' }, { TCP_URG, 'U' }, { TCP_ECE, 'E' }, { TCP_CWR, 'W' },
    };
    size_t n = 0;
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
        if (flags & order[i].bit)
            buf[n++] = order[i].c;
    if (n == 0)
        return memcpy(buf, "none", 5);
    buf[n] = 0;
    return buf;
}
