/* ChaCha20 keystream as a CSPRNG (see rng.h). */
#include "core/rng.h"

#include "base/mem.h"

#define ROTL(v, n) (((v) << (n)) | ((v) >> (32 - (n))))
#define QR(a, b, c, d) \
    a += b; d ^= a; d = ROTL(d, 16); \
    c += d; b ^= c; b = ROTL(b, 12); \
    a += b; d ^= a; d = ROTL(d, 8);  \
    c += d; b ^= c; b = ROTL(b, 7)

static uint32_t load32le(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static void refill(struct rng *r)
{
    uint32_t in[16] = { 0x61707865, 0x3320646e, 0x79622d32, 0x6b206574 };   /* "expand 32-byte k" */
    memcpy(in + 4, r->key, sizeof(r->key));
    in[12] = (uint32_t)r->counter;
    in[13] = (uint32_t)(r->counter >> 32);
    in[14] = in[15] = 0;
    uint32_t x[16];
    memcpy(x, in, sizeof(x));
    for (int i = 0; i < 10; i++) {
        QR(x[0], x[4], x[8], x[12]); QR(x[1], x[5], x[9], x[13]);
        QR(x[2], x[6], x[10], x[14]); QR(x[3], x[7], x[11], x[15]);
        QR(x[0], x[5], x[10], x[15]); QR(x[1], x[6], x[11], x[12]);
        QR(x[2], x[7], x[8], x[13]); QR(x[3], x[4], x[9], x[14]);
    }
    for (int i = 0; i < 16; i++) {
        uint32_t v = x[i] + in[i];
        r->block[4 * i] = (uint8_t)v;
        r->block[4 * i + 1] = (uint8_t)(v >> 8);
        r->block[4 * i + 2] = (uint8_t)(v >> 16);
        r->block[4 * i + 3] = (uint8_t)(v >> 24);
    }
    r->counter++;
    r->used = 0;
}

void rng_init(struct rng *r, const uint8_t seed[32])
{
    for (int i = 0; i < 8; i++)
        r->key[i] = load32le(seed + 4 * i);
    r->counter = 0;
    r->used = 64;
}

void rng_bytes(struct rng *r, void *out, size_t len)
{
    uint8_t *o = out;
    while (len) {
        if (r->used == 64)
            refill(r);
        size_t n = 64 - r->used;
        if (n > len)
            n = len;
        memcpy(o, r->block + r->used, n);
        r->used += (unsigned)n;
        o += n;
        len -= n;
    }
}

uint32_t rng_u32(struct rng *r)
{
    uint8_t b[4];
    rng_bytes(r, b, 4);
    return load32le(b);
}

uint64_t rng_u64(struct rng *r)
{
    /* Two statements: the operands of | are unsequenced, so a compiler may call the second
     * rng_u32 first, and the same seed would give different numbers under different compilers. */
    uint64_t hi = rng_u32(r);
    uint64_t lo = rng_u32(r);
    return (hi << 32) | lo;
}

uint32_t rng_below(struct rng *r, uint32_t n)
{
    /* Rejection sampling: discard the top partial range so every value is equally likely. */
    uint32_t limit = (uint32_t)(-n) % n;
    for (;;) {
        uint32_t v = rng_u32(r);
        if (v >= limit)
            return v % n;
    }
}
