/* The Internet checksum (RFC 1071) and its incremental update (RFC 1624).
 *
 * wire_csum_partial() adds bytes to a running sum (64-bit words, several accumulators, any alignment);
 * wire_csum_copy() does the same while copying them, so data copied anyway is read once;
 * wire_csum_finish() folds and complements. A partial sum over an odd-length span must be
 * the last one added, or the byte order of what follows shifts: callers sum headers (even lengths)
 * first and payload last. */
#ifndef WIRE_CSUM_H
#define WIRE_CSUM_H

#include <stddef.h>
#include <stdint.h>

/* Adds `len` bytes at `data` to `sum` (as if in network order 16-bit words). */
uint64_t wire_csum_partial(const void *data, size_t len, uint64_t sum);
/* Copies `len` bytes from src to dst (which must not overlap) and adds them to `sum`, in one pass:
 * the result equals wire_csum_partial(src, len, sum) after memcpy(dst, src, len). */
uint64_t wire_csum_copy(void *dst, const void *src, size_t len, uint64_t sum);
/* Folds a partial sum to 16 bits and returns its one's complement, ready to store. */
uint16_t wire_csum_finish(uint64_t sum);
/* Checksum of a span (partial + finish). A span that includes a correct checksum gives 0. */
uint16_t wire_csum(const void *data, size_t len);
/* The TCP/UDP pseudo-header (RFC 9293 3.1, RFC 768) as a partial sum. */
uint64_t wire_csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len);
/* RFC 1624 eqn. 3: new checksum after a 16-bit field changes from old_word to new_word. Eqn. 3
 * (not eqn. 2) so a result whose full recomputation is 0x0000 comes out 0x0000 (RFC 1624 3).
 * For UDP the caller keeps RFC 768's rules: a field of 0 ("no checksum") is not updated, and a
 * result of 0 is sent as 0xffff. */
uint16_t wire_csum_update16(uint16_t csum, uint16_t old_word, uint16_t new_word);
/* The same for a 32-bit field (two words). */
uint16_t wire_csum_update32(uint16_t csum, uint32_t old_val, uint32_t new_val);

#endif
