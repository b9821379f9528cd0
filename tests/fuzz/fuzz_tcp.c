/* Fuzz target: TCP header and options (RFC 9293 3.1, RFC 7323, RFC 2018). Input: 8 bytes of
 * source and destination address, one control byte (bit 0: verify the checksum), the segment.
 * Checks tcp_parse_opts on the raw option area, then parse -> build -> parse gives the same
 * fields (the builder drops unknown options and SACK blocks it has no room for, tcp.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire/bytes.h"
#include "wire/tcp.h"

/* The library is built without coverage instrumentation (only this file gets -fsanitize=fuzzer),
 * which would leave libFuzzer blind inside the parser: compile the wire sources into the target
 * so their edges guide the search. The archive's copies are then never linked. */
#include "wire/csum.c"
#include "wire/tcp.c"

/* The SACK blocks tcp_build_opts fits beside the other options (40 option bytes in all). */
static unsigned sack_room(const struct tcp_opts *o)
{
    unsigned n = o->has_mss ? 4 : 0;
    n += o->has_ts ? 12 : o->sack_perm ? 4 : 0;
    n += o->has_wscale ? 4 : 0;
    unsigned room = (40 - n - 4) / 8, max = o->has_ts ? 3 : 4;
    room = room < max ? room : max;
    return o->sack_count < room ? o->sack_count : room;
}

static int same_opts(const struct tcp_opts *a, const struct tcp_opts *b)
{
    if (a->has_mss != b->has_mss || (a->has_mss && a->mss != b->mss))
        return 0;
    if (a->has_wscale != b->has_wscale || (a->has_wscale && a->wscale != b->wscale))
        return 0;
    if (a->sack_perm != b->sack_perm || a->has_ts != b->has_ts)
        return 0;
    if (a->has_ts && (a->ts_val != b->ts_val || a->ts_ecr != b->ts_ecr))
        return 0;
    unsigned n = sack_room(a);
    if (b->sack_count != n)
        return 0;
    for (unsigned i = 0; i < n; i++)
        if (a->sack[i][0] != b->sack[i][0] || a->sack[i][1] != b->sack[i][1])
            return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 9)
        return 0;
    uint32_t src = wire_get32(data), dst = wire_get32(data + 4);
    int verify = data[8] & 1;
    const uint8_t *p = data + 9;
    size_t len = size - 9;

    /* The whole rest as an option area, too (callers may parse options alone). */
    struct tcp_opts o;
    int ro = tcp_parse_opts(p, len < 40 ? len : 40, &o);
    if (ro != WIRE_OK && ro != WIRE_ERR_OPTS)
        abort();
    if (ro == WIRE_OK && (o.sack_count > TCP_MAX_SACK_BLOCKS || (o.has_wscale && o.wscale > 14)))
        abort();

    struct tcp_hdr t;
    int r = tcp_parse(p, len, src, dst, verify, &t);
    if (r != WIRE_OK) {
        if (r != WIRE_ERR_SHORT && r != WIRE_ERR_HDRLEN && r != WIRE_ERR_CSUM && r != WIRE_ERR_OPTS)
            abort();
        return 0;
    }
    if (t.doff < TCP_HDR_MIN || t.doff > TCP_HDR_MAX || t.doff % 4 || t.doff > len || t.data != p + t.doff ||
        t.data_len != len - t.doff || len > 0xffff)
        abort();

    size_t hl = tcp_hdr_len(&t.opts);
    if (hl < TCP_HDR_MIN || hl > TCP_HDR_MAX || hl % 4)
        abort();
    uint8_t *out = malloc(hl + t.data_len);
    memcpy(out + hl, t.data, t.data_len);
    if (tcp_build(out, &t, t.data_len, src, dst) != hl)
        abort();
    struct tcp_hdr g;
    if (tcp_parse(out, hl + t.data_len, src, dst, 1, &g) != WIRE_OK)
        abort();
    if (g.sport != t.sport || g.dport != t.dport || g.seq != t.seq || g.ack != t.ack || g.flags != t.flags ||
        g.win != t.win || g.urg != t.urg || g.doff != hl || g.data_len != t.data_len ||
        memcmp(g.data, t.data, t.data_len) != 0 || !same_opts(&t.opts, &g.opts))
        abort();
    free(out);
    return 0;
}
