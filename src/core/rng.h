/* The stack's random numbers: ChaCha20 (RFC 8439 block function) run as a keystream generator,
 * keyed by the 32-byte seed in the stack's config. A real run seeds it from the OS; a test seeds it
 * with a fixed value and gets the same numbers every time. Hand-written (about 60 lines) so the
 * core depends on libc only and can be embedded. */
#ifndef CORE_RNG_H
#define CORE_RNG_H

#include <stddef.h>
#include <stdint.h>

struct rng {
    uint32_t key[8];
    uint64_t counter;
    uint8_t block[64];
    unsigned used;     /* bytes of block already handed out */
};

void rng_init(struct rng *r, const uint8_t seed[32]);
void rng_bytes(struct rng *r, void *out, size_t len);
uint32_t rng_u32(struct rng *r);
uint64_t rng_u64(struct rng *r);
/* Uniform in [0, n) without modulo bias; n > 0. */
uint32_t rng_below(struct rng *r, uint32_t n);

#endif
