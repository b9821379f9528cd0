/* Ephemeral ports, RFC 6056: one chooser for UDP and TCP, each passing its own test of "in use". */
#ifndef NET_PORTS_H
#define NET_PORTS_H

#include <stdint.h>

#include "synack/types.h"

/* Returns nonzero if `port` may not be used. */
typedef int (*port_used_fn)(synack_stack_t *st, uint16_t port, const void *ctx);

/* RFC 6056 3.3.1 (Algorithm 1, simple port randomization): a random offset into the configured
 * range, then the next port upward that `used` accepts. Returns 0 if every port is taken. */
uint16_t port_pick_ephemeral(synack_stack_t *st, port_used_fn used, const void *ctx);

#endif
