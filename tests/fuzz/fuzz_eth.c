/* Fuzz target: Ethernet II header parse; a parsed header rebuilds to the same 14 bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire/eth.h"

/* The library is built without coverage instrumentation (only this file gets -fsanitize=fuzzer),
 * which would leave libFuzzer blind inside the parser: compile the wire sources into the target
 * so their edges guide the search. The archive's copies are then never linked. */
#include "wire/eth.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct eth_hdr e;
    int r = eth_parse(data, size, &e);
    if (r != WIRE_OK) {
        if (r != WIRE_ERR_SHORT || size >= ETH_HDR_LEN)
            abort();
        return 0;
    }
    if (size < ETH_HDR_LEN)
        abort();
    uint8_t out[ETH_HDR_LEN];
    eth_build(out, &e);
    if (memcmp(out, data, ETH_HDR_LEN) != 0)
        abort();
    if (eth_is_broadcast(e.dst) && !eth_is_multicast(e.dst))
        abort();   /* broadcast is a group address (IEEE 802) */
    return 0;
}
