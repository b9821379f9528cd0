/* Fuzz target: the one-line formatter. Byte 0: bit 0 picks Ethernet or raw IP, the other bits a
 * small buffer size; the rest is the frame. The line is NUL-terminated, its returned length is
 * its strlen, and a small buffer holds a prefix of the full line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "synack/format.h"
#include "synack/stack.h"

/* The library is built without coverage instrumentation (only this file gets -fsanitize=fuzzer),
 * which would leave libFuzzer blind inside the parser: compile the wire sources into the target
 * so their edges guide the search. The archive's copies are then never linked. */
#include "wire/csum.c"
#include "wire/eth.c"
#include "wire/arp.c"
#include "wire/ip4.c"
#include "wire/icmp.c"
#include "wire/udp.c"
#include "wire/tcp.c"
#include "wire/format.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int kind = (data[0] & 1) ? SYNACK_IF_RAWIP : SYNACK_IF_ETHERNET;
    size_t small_cap = data[0] >> 1;
    const uint8_t *f = data + 1;
    size_t len = size - 1;

    char full[1024];
    size_t n = synack_format_frame(full, sizeof(full), kind, f, len);
    if (n >= sizeof(full) || full[n] != 0 || strlen(full) != n)
        abort();

    char *small = malloc(small_cap ? small_cap : 1);   /* exact size: ASan sees an overrun */
    size_t m = synack_format_frame(small, small_cap, kind, f, len);
    if (small_cap == 0) {
        if (m != 0)
            abort();
    } else if (m != (n < small_cap - 1 ? n : small_cap - 1) || small[m] != 0 || memcmp(small, full, m) != 0) {
        abort();
    }
    free(small);

    n = synack_format_ip(full, sizeof(full), f, len);
    if (n >= sizeof(full) || strlen(full) != n)
        abort();
    return 0;
}
