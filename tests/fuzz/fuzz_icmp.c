/* Fuzz target: ICMP parse (RFC 792); an accepted message rebuilds to one that parses to the same
 * fields, and an echo rebuilds byte for byte. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire/icmp.h"

/* The library is built without coverage instrumentation (only this file gets -fsanitize=fuzzer),
 * which would leave libFuzzer blind inside the parser: compile the wire sources into the target
 * so their edges guide the search. The archive's copies are then never linked. */
#include "wire/csum.c"
#include "wire/icmp.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct icmp_hdr ic;
    int r = icmp_parse(data, size, &ic);
    if (r != 0) {
        if (r != WIRE_ERR_SHORT && r != WIRE_ERR_CSUM)
            abort();
        return 0;
    }
    if (ic.body != data + ICMP_HDR_LEN || ic.body_len != size - ICMP_HDR_LEN)
        abort();
    if (size > 65535)
        return 0;
    uint8_t *out = malloc(size);
    if (icmp_build(out, &ic) != size)
        abort();
    struct icmp_hdr g;
    if (icmp_parse(out, size, &g) != 0 || g.type != ic.type || g.code != ic.code || g.body_len != ic.body_len ||
        memcmp(g.body, ic.body, ic.body_len) != 0)
        abort();
    int echo = ic.type == ICMP_ECHO_REQUEST || ic.type == ICMP_ECHO_REPLY;
    if (echo && (g.id != ic.id || g.seq != ic.seq || (memcmp(out, data, size) != 0 && g.csum + ic.csum != 0xffff)))
        abort();
    if (ic.type == ICMP_DEST_UNREACH && ic.code == ICMP_UNREACH_FRAG_NEEDED && g.next_mtu != ic.next_mtu)
        abort();
    /* In place: the body already at out + 8 is left where it is. */
    g.body = out + ICMP_HDR_LEN;
    if (icmp_build(out, &g) != size || icmp_parse(out, size, &g) != 0)
        abort();
    free(out);
    return 0;
}
