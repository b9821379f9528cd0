/* Fuzz target: ARP parse (RFC 826); an accepted packet rebuilds to the same 28 bytes. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire/arp.h"

/* The library is built without coverage instrumentation (only this file gets -fsanitize=fuzzer),
 * which would leave libFuzzer blind inside the parser: compile the wire sources into the target
 * so their edges guide the search. The archive's copies are then never linked. */
#include "wire/arp.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arp_pkt a;
    int r = arp_parse(data, size, &a);
    if (r != 0) {
        if (r != WIRE_ERR_SHORT && r != WIRE_ERR_UNSUPPORTED)
            abort();
        return 0;
    }
    if (size < ARP_LEN)
        abort();
    uint8_t out[ARP_LEN];
    arp_build(out, &a);
    if (memcmp(out, data, ARP_LEN) != 0)
        abort();
    return 0;
}
