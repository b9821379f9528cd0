/* SipHash-2-4 (Aumasson and Bernstein), the keyed hash behind ISNs (RFC 6528), SYN cookies
 * (RFC 4987) and the connection table. Hand-written (short, well specified) to keep the core on
 * libc only. */
#ifndef CORE_SIPHASH_H
#define CORE_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t siphash24(const uint8_t key[16], const void *data, size_t len);

#endif
