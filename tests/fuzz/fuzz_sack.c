/* Fuzz target: the sender's SACK scoreboard against the bitmap model of tests/lib/sack_model.h
 * (the input is the model's program of operations: blocks a peer sends, SND.UNA advancing, data
 * sent). Any broken invariant or wrong answer aborts. */
#include <stdint.h>
#include <stdlib.h>

/* Compiled into the target so libFuzzer sees its edges (see fuzz_icmp.c). */
#include "tcp/tcp_sack.c"

#include "../lib/sack_model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (sack_model_run(data, size))
        abort();
    return 0;
}
