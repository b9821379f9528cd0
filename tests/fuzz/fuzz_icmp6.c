/* Fuzz target: ICMPv6 (RFC 4443) and Neighbor Discovery options (RFC 4861 4.6). The input is a
 * source and a destination address (32 bytes) and then the message; an accepted message verifies
 * over the pseudo-header, rebuilds to the same bytes (the checksum only in its representation of
 * zero), and the ND options of an ND message parse to pointers inside it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire/icmp6.h"
#include "wire/ip6.h"

/* The library is built without coverage instrumentation (only this file gets -fsanitize=fuzzer),
 * which would leave libFuzzer blind inside the parser: compile the wire sources into the target
 * so their edges guide the search. The archive's copies are then never linked. */
#include "wire/csum.c"
#include "wire/icmp6.c"
#include "wire/ip6.c"

static int inside(const uint8_t *x, size_t n, const uint8_t *p, size_t len)
{
    return !x || (x >= p && x + n <= p + len);
}

static void check_nd(const uint8_t *p, size_t len)
{
    struct nd_opts o;
    int r = nd_opts_parse(p, len, &o);
    if (r != WIRE_OK) {
        if (r != WIRE_ERR_OPTS)
            abort();
        return;
    }
    if (!inside(o.slla, 6, p, len) || !inside(o.tlla, 6, p, len) || o.nprefix > 4)
        abort();
    for (unsigned i = 0; i < o.nprefix; i++) {
        if (!inside(o.prefix[i], 32, p, len) || o.prefix[i][0] != ND_OPT_PREFIX)
            abort();
        struct nd_prefix px;
        nd_prefix_read(o.prefix[i], &px);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 32 || size - 32 > 65535)
        return 0;
    const uint8_t *src = data, *dst = data + 16, *m = data + 32;
    size_t len = size - 32;
    uint64_t ph = wire_csum_pseudo6(src, dst, IP6_NH_ICMP6, (uint32_t)len);
    struct icmp6_hdr ic;
    int r = icmp6_parse(m, len, ph, &ic);
    /* ND options are parsed whether or not the checksum holds, to reach them more often. */
    if (len >= ICMP6_HDR_LEN + 16)
        check_nd(m + ICMP6_HDR_LEN + 16, len - ICMP6_HDR_LEN - 16);
    if (len >= ICMP6_HDR_LEN + 8)
        check_nd(m + ICMP6_HDR_LEN + 8, len - ICMP6_HDR_LEN - 8);
    if (r != WIRE_OK) {
        if (r != WIRE_ERR_SHORT && r != WIRE_ERR_CSUM)
            abort();
        return 0;
    }
    if (ic.body != m + ICMP6_HDR_LEN || ic.body_len != len - ICMP6_HDR_LEN)
        abort();
    uint8_t *out = malloc(len);
    if (!out || icmp6_build(out, &ic, ph) != len)
        abort();
    if (memcmp(out, m, 2) != 0 || memcmp(out + 4, m + 4, len - 4) != 0)
        abort();
    if (out[2] != m[2] || out[3] != m[3]) {
        /* Only 0x0000 and 0xffff are the same checksum. */
        if (!((out[2] | out[3]) == 0 || (out[2] & out[3]) == 0xff) || !((m[2] | m[3]) == 0 || (m[2] & m[3]) == 0xff))
            abort();
    }
    struct icmp6_hdr g;
    if (icmp6_parse(out, len, ph, &g) != WIRE_OK || g.type != ic.type || g.code != ic.code || g.word != ic.word)
        abort();
    /* In place: the body already at out + 8 stays where it is. */
    if (icmp6_build(out, &g, ph) != len || icmp6_parse(out, len, ph, &g) != WIRE_OK)
        abort();
    free(out);
    return 0;
}
