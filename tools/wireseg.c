/* Segmentation offload undone for captures (see wireseg.h). */
#include "wireseg.h"

#include <string.h>

#define WIRESEG_MAX_HDR 256

static uint16_t rd16(const uint8_t *p);

/* Where the TCP header starts in the IP packet at ip[0 .. len): the IPv4 header's length, or 40
 * for IPv6 whose next header is TCP (an offload frame carries no extension header: a frame with
 * one is passed on unchanged). 0 if the packet is not TCP (or is a fragment). *v6 says the family. */
static size_t tcp_offset(const uint8_t *ip, size_t len, int *v6)
{
    *v6 = len >= 1 && (ip[0] >> 4) == 6;
    if (*v6)
        return len >= 60 && ip[6] == 6 ? 40 : 0;
    if (len < 20 || (ip[0] >> 4) != 4 || ip[9] != 6 || (rd16(ip + 6) & 0x3fff))
        return 0;
    size_t ihl = (size_t)(ip[0] & 0x0f) * 4;
    return ihl >= 20 && len >= ihl + 20 ? ihl : 0;
}

/* Whether the link header (Ethernet: its EtherType) names the family the IP header has. */
static int l2_matches(const uint8_t *frame, size_t l2_len, int v6)
{
    return !l2_len || (v6 ? frame[12] == 0x86 && frame[13] == 0xdd : frame[12] == 0x08 && frame[13] == 0x00);
}

int wireseg_cut_in(const uint8_t *frame, size_t len, unsigned mtu, size_t l2_len, wireseg_emit_fn emit, void *ctx)
{
    const uint8_t *ip = frame + l2_len;
    int v6;
    size_t ihl = len > l2_len ? tcp_offset(ip, len - l2_len, &v6) : 0;
    if (!ihl || !l2_matches(frame, l2_len, v6)) {   /* not TCP over IPv4 or IPv6, or a fragment */
        emit(ctx, frame, len);
        return 1;
    }
    size_t doff = len >= l2_len + ihl + 13 ? (size_t)(ip[ihl + 12] >> 4) * 4 : 0;
    if (ihl < 20 || doff < 20 || mtu <= ihl + doff) {
        emit(ctx, frame, len);
        return 1;
    }
    struct synack_tx_meta m = { 0, 0, 0, 0 };
    m.gso_size = (uint16_t)(mtu - ihl - doff);
    return wireseg_cut(frame, len, &m, l2_len, emit, ctx);
}

uint32_t wireseg_sum(const uint8_t *buf, size_t len, uint32_t sum)
{
    uint64_t s = sum;
    size_t i = 0;
    for (; i + 1 < len; i += 2)
        s += (uint32_t)buf[i] << 8 | buf[i + 1];
    if (i < len)
        s += (uint32_t)buf[i] << 8;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint32_t)s;
}

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
static void wr16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

int wireseg_cut(const uint8_t *frame, size_t len, const struct synack_tx_meta *meta, size_t l2_len,
                wireseg_emit_fn emit, void *ctx)
{
    if (!meta || !meta->gso_size) {
        emit(ctx, frame, len);
        return 1;
    }
    if (len < l2_len + 20)
        goto bad;
    const uint8_t *ip = frame + l2_len;
    int v6;
    size_t ihl = tcp_offset(ip, len - l2_len, &v6);
    if (!ihl || !l2_matches(frame, l2_len, v6))
        goto bad;
    const uint8_t *th = ip + ihl;
    size_t doff = (size_t)(th[12] >> 4) * 4;
    size_t hdr = l2_len + ihl + doff;
    if (doff < 20 || hdr > len || hdr > WIRESEG_MAX_HDR)
        goto bad;
    size_t payload = len - hdr, mss = meta->gso_size;
    uint16_t id = v6 ? 0 : rd16(ip + 4);
    uint32_t seq = rd32(th + 4);
    uint8_t flags = th[13];
    static const uint8_t FIN = 0x01, PSH = 0x08, CWR = 0x80;
    uint8_t seg[WIRESEG_MAX_HDR + 65536];
    int n = 0;
    size_t off = 0;
    do {
        size_t chunk = payload - off < mss ? payload - off : mss;
        int last = off + chunk >= payload;
        memcpy(seg, frame, hdr);
        memcpy(seg + hdr, frame + hdr + off, chunk);
        uint8_t *sip = seg + l2_len, *st = sip + ihl;
        uint8_t ph[40];
        size_t phlen;
        if (v6) {
            /* IPv6 (RFC 8200 8.1): the payload length changes; there is no ID and no header
             * checksum. Pseudo-header: source, destination, upper-layer length, zero, next header. */
            wr16(sip + 4, (uint16_t)(doff + chunk));
            memcpy(ph, sip + 8, 32);
            wr32(ph + 32, (uint32_t)(doff + chunk));
            ph[36] = ph[37] = ph[38] = 0;
            ph[39] = 6;
            phlen = 40;
        } else {
            wr16(sip + 2, (uint16_t)(ihl + doff + chunk));
            wr16(sip + 4, (uint16_t)(id + n));
            wr16(sip + 10, 0);
            wr16(sip + 10, (uint16_t)~wireseg_sum(sip, ihl, 0));
            /* Pseudo-header (RFC 9293 3.1): source, destination, zero, protocol, TCP length. */
            memcpy(ph, sip + 12, 8);
            ph[8] = 0;
            ph[9] = 6;
            wr16(ph + 10, (uint16_t)(doff + chunk));
            phlen = 12;
        }
        wr32(st + 4, seq + (uint32_t)off);
        st[13] = (uint8_t)(flags & ~((last ? 0 : (FIN | PSH)) | (n ? CWR : 0)));
        wr16(st + 16, 0);
        uint32_t sum = wireseg_sum(ph, phlen, 0);
        sum = wireseg_sum(st, doff + chunk, sum);
        wr16(st + 16, (uint16_t)~sum);
        emit(ctx, seg, hdr + chunk);
        n++;
        off += chunk;
    } while (off < payload);
    return n;
bad:
    emit(ctx, frame, len);
    return -1;
}
