/* Fuzz target: UDP parse (RFC 768). The first 8 bytes are the source and destination addresses
 * for the pseudo-header, the rest the datagram. An accepted datagram rebuilds to one that parses
 * to the same fields, byte for byte when it carried a checksum. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire/bytes.h"
#include "wire/udp.h"

/* The library is built without coverage instrumentation (only this file gets -fsanitize=fuzzer),
 * which would leave libFuzzer blind inside the parser: compile the wire sources into the target
 * so their edges guide the search. The archive's copies are then never linked. */
#include "wire/csum.c"
#include "wire/udp.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 8)
        return 0;
    uint32_t src = wire_get32(data), dst = wire_get32(data + 4);
    const uint8_t *p = data + 8;
    size_t len = size - 8;
    struct udp_hdr u;
    int r = udp_parse(p, len, src, dst, &u);
    if (r != 0) {
        if (r != WIRE_ERR_SHORT && r != WIRE_ERR_LEN && r != WIRE_ERR_TRUNC && r != WIRE_ERR_CSUM)
            abort();
        return 0;
    }
    if (u.len < UDP_HDR_LEN || u.len > len || u.data != p + UDP_HDR_LEN || u.data_len != u.len - UDP_HDR_LEN)
        abort();
    uint8_t *out = malloc(u.len);
    memcpy(out + UDP_HDR_LEN, u.data, u.data_len);
    udp_build(out, u.sport, u.dport, u.data_len, src, dst);
    struct udp_hdr g;
    if (udp_parse(out, u.len, src, dst, &g) != 0 || g.sport != u.sport || g.dport != u.dport || g.len != u.len)
        abort();
    if (u.csum != 0 && memcmp(out, p, u.len) != 0)
        abort();
    free(out);
    return 0;
}
