/* Ephemeral port choice (see ports.h). */
#include "net/ports.h"

#include "core/ctx.h"

uint16_t port_pick_ephemeral(synack_stack_t *st, port_used_fn used, const void *ctx)
{
    uint32_t lo = st->cfg.eph_port_min, n = st->cfg.eph_port_max - lo + 1u;
    uint32_t start = rng_below(&st->rng, n);
    for (uint32_t i = 0; i < n; i++) {
        uint16_t p = (uint16_t)(lo + (start + i) % n);
        if (!used(st, p, ctx))
            return p;
    }
    return 0;
}
