/* Public parsed views of IPv4 and TCP headers (include/synack/format.h) for programs that read
 * captures. They reuse the wire parsers; checksums are not checked, since a capture taken on the
 * sending host may hold packets whose checksum the NIC fills in later. */
#include "base/errno.h"
#include "base/fmt.h"
#include "base/mem.h"

#include "synack/format.h"
#include "wire/bytes.h"
#include "wire/ip4.h"
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
