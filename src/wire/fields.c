/* Public parsed views of IPv4, IPv6 and TCP headers (include/synack/format.h) for programs that read
 * captures. They reuse the wire parsers; checksums are not checked, since a capture taken on the
 * sending host may hold packets whose checksum the NIC fills in later. */
#include "base/errno.h"
#include "base/fmt.h"
#include "base/mem.h"

#include "synack/format.h"
#include "wire/bytes.h"
#include "wire/ip4.h"
#include "wire/ip6.h"
#include "wire/tcp.h"

int synack_ip_fields(const uint8_t *p, size_t len, struct synack_ip_fields *out)
{
    if (len < IP4_HDR_MIN || (p[0] >> 4) != 4)
        return -EINVAL;
    size_t ihl = (p[0] & 0x0fu) * 4u;
    size_t total = wire_get16(p + 2);
    if (ihl < IP4_HDR_MIN || ihl > len || total < ihl)
        return -EINVAL;
    if (total > len)
        total = len;   /* a capture may be cut short by its snap length */
    out->src = wire_get32(p + 12);
    out->dst = wire_get32(p + 16);
    out->proto = p[9];
    out->ttl = p[8];
    out->id = wire_get16(p + 4);
    out->frag = wire_get16(p + 6);
    out->hdr_len = ihl;
    out->total_len = total;
    return 0;
}

/* RFC 8200 4: the extension headers a capture reader walks past to reach the upper layer. All but
 * the fragment header (fixed 8 bytes) and AH (RFC 4302 2.2: length in 4-octet units, minus 2) give
 * their length as 8 + 8 * Hdr Ext Len. */
int synack_ip6_fields(const uint8_t *p, size_t len, struct synack_ip6_fields *out)
{
    if (len < IP6_HDR_LEN || (p[0] >> 4) != 6)
        return -EINVAL;
    memset(out, 0, sizeof(*out));
    uint32_t w = wire_get32(p);
    out->traffic_class = (uint8_t)(w >> 20);
    out->flow_label = w & 0xfffffu;
    size_t plen = wire_get16(p + 4);
    out->hop_limit = p[7];
    memcpy(out->src.b, p + 8, 16);
    memcpy(out->dst.b, p + 24, 16);
    out->wire_len = plen ? IP6_HDR_LEN + plen : 0;
    size_t total = plen ? IP6_HDR_LEN + plen : len;
    if (total > len)
        total = len;   /* cut short by the capture's snap length */
    out->total_len = total;
    uint8_t next = p[6];
    size_t off = IP6_HDR_LEN;
    for (;;) {
        size_t n;
        if (next == IP6_NH_FRAGMENT) {
            if (off + IP6_FRAG_HDR_LEN > total)
                return -EINVAL;
            uint16_t fo = wire_get16(p + off + 2);
            out->fragment = 1;
            out->frag_offset = (uint16_t)(fo & 0xfff8u);
            out->frag_more = fo & 1u;
            out->frag_id = wire_get32(p + off + 4);
            next = p[off];
            off += IP6_FRAG_HDR_LEN;
            if (out->frag_offset)
                break;   /* the middle of a datagram: no header follows */
            continue;
        }
        if (next == IP6_NH_HOPOPTS || next == IP6_NH_ROUTING || next == IP6_NH_DSTOPTS || next == 135 ||
            next == 139 || next == 140)   /* (135 mobility, 139 HIP, 140 shim6: the same layout) */
            n = off + 2 <= total ? 8u + 8u * p[off + 1] : 0;
        else if (next == 51)   /* AH */
            n = off + 2 <= total ? 4u * ((size_t)p[off + 1] + 2u) : 0;
        else
            break;
        if (!n || off + n > total)
            return -EINVAL;
        next = p[off];
        off += n;
    }
    out->proto = next;
    out->hdr_len = off;
    return 0;
}

int synack_tcp_fields(const uint8_t *seg, size_t len, struct synack_tcp_fields *out)
{
    struct tcp_hdr h;
    if (tcp_parse(seg, len, 0, 0, 0, &h) != WIRE_OK)
        return -EINVAL;
    memset(out, 0, sizeof(*out));
    out->sport = h.sport;
    out->dport = h.dport;
    out->seq = h.seq;
    out->ack = h.ack;
    out->flags = h.flags;
    out->win = h.win;
    out->urg = h.urg;
    out->hdr_len = h.doff;
    out->data_len = h.data_len;
    out->has_mss = h.opts.has_mss;
    out->mss = h.opts.mss;
    out->has_wscale = h.opts.has_wscale;
    out->wscale = h.opts.wscale;
    out->sack_perm = h.opts.sack_perm;
    out->has_ts = h.opts.has_ts;
    out->ts_val = h.opts.ts_val;
    out->ts_ecr = h.opts.ts_ecr;
    out->sack_count = h.opts.sack_count;
    memcpy(out->sack, h.opts.sack, sizeof(out->sack));
    return 0;
}

/* Appends formatted text at *n, never past cap (the result stays NUL-terminated). */
static void add(char *buf, size_t cap, size_t *n, const char *fmt, unsigned a, unsigned b)
{
    if (*n + 1 >= cap)
        return;
    int r = fmt_snprintf(buf + *n, cap - *n, fmt, *n ? "," : "", a, b);
    if (r > 0)
        *n += (size_t)r < cap - *n ? (size_t)r : cap - *n - 1;
}

size_t synack_format_tcp_options(char *buf, size_t cap, const struct synack_tcp_fields *f)
{
    size_t n = 0;
    if (cap == 0)
        return 0;
    buf[0] = 0;
    if (f->has_mss)
        add(buf, cap, &n, "%smss %u", f->mss, 0);
    if (f->sack_perm)
        add(buf, cap, &n, "%ssackOK", 0, 0);
    if (f->has_ts)
        add(buf, cap, &n, "%sTS val %u ecr %u", f->ts_val, f->ts_ecr);
    if (f->has_wscale)
        add(buf, cap, &n, "%swscale %u", f->wscale, 0);
    for (int i = 0; i < f->sack_count; i++)
        add(buf, cap, &n, "%ssack %u:%u", f->sack[i][0], f->sack[i][1]);
    return n;
}

const char *synack_tcp_flags_str(uint8_t flags, char *buf) { return tcp_flags_str(flags, buf); }
