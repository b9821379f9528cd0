/* Fuzz target: the IPv6 header and its extension headers (RFC 8200 3, 4). The fixed header is
 * parsed and rebuilt; then the chain is walked as the network layer walks it, each header's parser
 * checked to stay inside the span: options must tile their header, the first unknown option lie
 * inside it, and routing and fragment headers rebuild to their bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire/ip6.h"

/* The library is built without coverage instrumentation (only this file gets -fsanitize=fuzzer),
 * which would leave libFuzzer blind inside the parser: compile the wire sources into the target
 * so their edges guide the search. The archive's copies are then never linked. */
#include "wire/csum.c"
#include "wire/ip6.c"

static void check_opts(const uint8_t *p, size_t len)
{
    size_t n, uoff;
    uint8_t utype = 0;
    int r = ip6_opts_parse(p, len, &n, &uoff, &utype);
    if (r != WIRE_OK) {
        if (r != WIRE_ERR_SHORT && r != WIRE_ERR_TRUNC && r != WIRE_ERR_OPTS)
            abort();
        return;
    }
    if (n < 8 || n > len || n % 8 || n != 8u + 8u * p[1])
        abort();
    /* The options tile the header: walk them again and land exactly on its end. */
    size_t i = 2, first_unknown = 0;
    while (i < n) {
        if (p[i] == 0) {
            i++;
            continue;
        }
        if (i + 1 >= n)
            abort();
        if (p[i] != 1 && !first_unknown)
            first_unknown = i;
        i += 2u + p[i + 1];
    }
    if (i != n || uoff != first_unknown || (uoff && (uoff >= n || utype != p[uoff])))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ip6_hdr h;
    int r = ip6_parse(data, size, &h);
    if (r != WIRE_OK) {
        if (r != WIRE_ERR_SHORT && r != WIRE_ERR_VERSION && r != WIRE_ERR_TRUNC)
            abort();
        return 0;
    }
    if ((size_t)IP6_HDR_LEN + h.plen > size)
        abort();
    uint8_t out[IP6_HDR_LEN];
    ip6_build(out, &h);
    if (memcmp(out, data, IP6_HDR_LEN) != 0)
        abort();
    size_t len = IP6_HDR_LEN + h.plen, off = IP6_HDR_LEN;
    uint8_t nh = h.next;
    for (int hops = 0; hops < 64 && off <= len; hops++) {
        const uint8_t *p = data + off;
        size_t left = len - off, n;
        if (nh == IP6_NH_HOPOPTS || nh == IP6_NH_DSTOPTS) {
            check_opts(p, left);
            if (ip6_ext_len(p, left, &n) != WIRE_OK)
                break;
        } else if (nh == IP6_NH_ROUTING) {
            struct ip6_rthdr rt;
            if (ip6_rthdr_parse(p, left, &rt) != WIRE_OK)
                break;
            if (rt.hdr_len > left || rt.next != p[0] || rt.type != p[2] || rt.segs_left != p[3])
                abort();
            n = rt.hdr_len;
        } else if (nh == IP6_NH_FRAGMENT) {
            struct ip6_frag f;
            if (ip6_frag_parse(p, left, &f) != WIRE_OK)
                break;
            if (f.offset % 8)
                abort();
            uint8_t fb[8];
            ip6_frag_build(fb, &f);
            /* Only the reserved fields may differ. */
            if (fb[0] != p[0] || fb[2] != p[2] || fb[3] != (p[3] & 0xf9) ||
                memcmp(fb + 4, p + 4, 4) != 0)
                abort();
            n = IP6_FRAG_HDR_LEN;
        } else {
            break;
        }
        nh = p[0];
        off += n;
    }
    /* The address helpers on whatever addresses came. */
    uint8_t sn[16], mac[6];
    ip6_solicited_node(h.dst, sn);
    if (!ip6_is_multicast(sn) || !ip6_prefix_match(sn + 13, h.dst + 13, 24))
        abort();
    ip6_mcast_mac(h.dst, mac);
    unsigned c = ip6_common_prefix(h.src, h.dst);
    if (c > 128 || !ip6_prefix_match(h.src, h.dst, c) || (c < 128 && ip6_prefix_match(h.src, h.dst, c + 1)))
        abort();
    return 0;
}
