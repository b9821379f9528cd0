/* Fuzz target: IPv4 header parse (RFC 791). What it accepts must hold together: lengths inside
 * the span, a checksum that verifies, and (without options) a rebuild to the same 20 bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire/csum.h"
#include "wire/ip4.h"

/* The library is built without coverage instrumentation (only this file gets -fsanitize=fuzzer),
 * which would leave libFuzzer blind inside the parser: compile the wire sources into the target
 * so their edges guide the search. The archive's copies are then never linked. */
#include "wire/csum.c"
#include "wire/ip4.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ip4_hdr h;
    int r = ip4_parse(data, size, &h);
    if (r != WIRE_OK) {
        if (r < WIRE_ERR_SHORT || r > WIRE_ERR_OPTS)
            abort();
        return 0;
    }
    if (h.ihl < IP4_HDR_MIN || h.ihl > IP4_HDR_MAX || h.ihl % 4 || h.total_len < h.ihl || h.total_len > size)
        abort();
    if (wire_csum(data, h.ihl) != 0)
        abort();
    /* Read the whole payload so ASan checks it lies in the span. */
    volatile uint8_t x = 0;
    for (size_t i = h.ihl; i < h.total_len; i++)
        x ^= data[i];
    (void)x;
    if (ip4_frag_offset(&h) > 0xffff || ip4_frag_offset(&h) % 8)
        abort();
    if (h.ihl == IP4_HDR_MIN) {
        uint8_t out[IP4_HDR_MIN];
        ip4_build(out, &h);
        if (memcmp(out, data, 10) != 0 || memcmp(out + 12, data + 12, 8) != 0)
            abort();
        /* The checksum may differ only in its representation of zero (0x0000 vs 0xffff). */
        if (wire_csum(out, IP4_HDR_MIN) != 0)
            abort();
    }
    return 0;
}
