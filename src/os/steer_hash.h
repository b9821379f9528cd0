/* The steering hash of the shards: which of N shards owns a TCP or UDP flow, from its 4-tuple seen
 * from synack's side. One definition for both places that compute it: synack_shards_owner in user
 * space (shard.c) and the eBPF program the tun driver runs for every frame it sends (steer_bpf.c),
 * which emits the same steps with these constants. So the function is chosen for what a
 * hand-written BPF program does cheaply: 64-bit XOR, multiply and shift, inputs read as the
 * big-endian 32-bit words a BPF_W packet load returns.
 *
 *   h = key[0]
 *   for x in (local[0..1], local[2..3], remote[0..1], remote[2..3], (lport << 16 | rport) ^ key[1]):
 *       h = (h ^ x) * STEER_MUL;  h ^= h >> STEER_FOLD          (the words of an address, paired)
 *   h *= STEER_FIN;  h ^= h >> STEER_FOLD2;  h *= STEER_MUL
 *   owner = ((h >> 32) * n) >> 32
 *
 * Every input bit reaches the top of h: a multiply carries each bit into all the bits above it,
 * the fold brings the top half down again before the next input, and the last two multiplies mix
 * the ports (the field that varies most between flows) and the high bits of the last input (which
 * one multiply carries only upwards) into the top 32 bits, which name the shard by a
 * multiply-shift (no division, and even for any N up to 2^32). unit/test_steer_hash checks that
 * each input bit flips the shard of two for about half of all tuples.
 *
 * Why not SipHash, and why that is acceptable here: this mix is not a pseudo-random function. An
 * attacker who could see many of its outputs could learn enough of the key to choose tuples that
 * all land on one shard (synack leaks a little: the ephemeral ports a shard's connects choose are
 * ones that hash to it). An attacker who learns nothing of the key chooses tuples whose shards it
 * cannot predict, so its flows spread as random ones do. Either way the worst outcome is load on
 * one shard instead of all: the throughput of `--threads 1` for those flows, which one heavy flow
 * gets anyway. No state depends on it: each shard's connection table keeps its own SipHash keys,
 * its ISN and SYN-cookie secrets their own, so no collision chain and no guessable sequence
 * number comes from this hash. */
#ifndef SYNACK_OS_STEER_HASH_H
#define SYNACK_OS_STEER_HASH_H

#include <stdint.h>

#define STEER_MUL 0x9e3779b97f4a7c15ull   /* odd: 2^64 / the golden ratio */
#define STEER_FIN 0xd6e8feb86659fd93ull   /* odd */
#define STEER_FOLD 32
#define STEER_FOLD2 29

/* The address of a flow's end as four big-endian 32-bit words (IPv4 mapped: 0, 0, 0xffff, a). */
static inline uint64_t steer_pair(const uint8_t *a)
{
    return (uint64_t)a[0] << 56 | (uint64_t)a[1] << 48 | (uint64_t)a[2] << 40 | (uint64_t)a[3] << 32 |
           (uint64_t)a[4] << 24 | (uint64_t)a[5] << 16 | (uint64_t)a[6] << 8 | (uint64_t)a[7];
}

static inline uint64_t steer_round(uint64_t h, uint64_t x)
{
    h = (h ^ x) * STEER_MUL;
    return h ^ (h >> STEER_FOLD);
}

/* The 64-bit hash, before the shard is taken from its top half (tests look at every bit). */
static inline uint64_t steer_hash(const uint64_t key[2], const uint8_t laddr[16], uint16_t lport,
                                  const uint8_t raddr[16], uint16_t rport)
{
    uint64_t h = key[0];
    h = steer_round(h, steer_pair(laddr));
    h = steer_round(h, steer_pair(laddr + 8));
    h = steer_round(h, steer_pair(raddr));
    h = steer_round(h, steer_pair(raddr + 8));
    h = steer_round(h, ((uint64_t)lport << 16 | rport) ^ key[1]);
    h *= STEER_FIN;
    return (h ^ (h >> STEER_FOLD2)) * STEER_MUL;
}

static inline unsigned steer_shard(uint64_t h, unsigned n) { return (unsigned)(((h >> 32) * n) >> 32); }

#endif
