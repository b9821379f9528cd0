/* Fuzz target: the fast Internet checksum (64-bit words, four accumulators) and copy+checksum
 * against the reference loop of RFC 1071 (16-bit network-order words, one at a time). The first
 * byte picks the alignment of source and destination (0..7 each), the second where to split the
 * span into two partial sums (at an even offset, as callers do); the rest is the data. Also checks
 * the RFC 1624 update of a 16-bit word against recomputation. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Compiled into the target so libFuzzer sees its edges (see fuzz_icmp.c). */
#include "wire/csum.c"

static uint16_t ref_csum(const uint8_t *p, size_t n)
{
    uint64_t s = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        s += (uint32_t)p[n - 1] << 8;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t so = data[0] & 7, dof = (data[0] >> 3) & 7, split = data[1];
    data += 2;
    size -= 2;
    /* Copies at the chosen alignments, in buffers of exactly the needed size so ASan sees any
     * read or write past the span. */
    uint8_t *src = malloc(so + size + 1), *dst = malloc(dof + size + 1);
    memcpy(src + so, data, size);
    const uint8_t *p = src + so;
    uint16_t want = ref_csum(p, size);
    if (wire_csum(p, size) != want)
        abort();
    if (wire_csum_finish(wire_csum_copy(dst + dof, p, size, 0)) != want || memcmp(dst + dof, p, size) != 0)
        abort();
    split = split * 2 < size ? split * 2 : size & ~(size_t)1;
    if (wire_csum_finish(wire_csum_partial(p + split, size - split, wire_csum_partial(p, split, 0))) != want)
        abort();
    /* RFC 1624 eqn. 3: change the first word to the next two bytes' value, update, recompute. */
    if (size >= 4) {
        uint8_t *q = src + so;
        uint16_t old = (uint16_t)(q[0] << 8 | q[1]), nw = (uint16_t)(q[2] << 8 | q[3]);
        q[0] = q[2];
        q[1] = q[3];
        if (wire_csum_update16(want, old, nw) != ref_csum(q, size)) {
            /* Only the +0 / -0 ambiguity of an all-zero buffer is tolerated (RFC 1624 3). */
            int all_zero = 1;
            for (size_t i = 0; i < size; i++)
                all_zero &= q[i] == 0;
            if (!all_zero)
                abort();
        }
    }
    free(src);
    free(dst);
    return 0;
}
