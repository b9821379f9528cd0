/* The resolver's random numbers: query IDs that an off-path attacker cannot guess (RFC 5452 4.3,
 * 9.2). The public API does not expose the stack's CSPRNG, so the resolver keeps its own: SipHash-2-4
 * (a keyed PRF) over a counter, keyed from the OS for real runs or from a fixed seed in tests, so
 * that a simulation stays reproducible. */
#ifndef APPS_DNS_RAND_H
#define APPS_DNS_RAND_H

#include <stdint.h>

struct dns_rand {
    uint8_t key[16];
    uint64_t ctr;
};

void dns_rand_seed(struct dns_rand *r, const uint8_t seed[32]);
uint64_t dns_rand_u64(struct dns_rand *r);

#endif
