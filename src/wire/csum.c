/* Internet checksum, RFC 1071, computed 8 bytes at a time.
 *
 * The one's-complement sum is byte-order independent (RFC 1071 2(B)) and may be computed in any
 * word size, carries folded back in (2(C)): we add the buffer as native-endian 64-bit words with
 * end-around carry (s += w; s += carry), into several accumulators so the adds of consecutive words
 * do not wait on each other, fold the result to 16 bits and swap it once at the end on little-endian
 * hosts. Loads go through memcpy, so any alignment is defined behaviour (and one instruction on
 * machines that allow unaligned loads). The compilers turn `s += w; s += s < w` into add/adc. */
#include "wire/csum.h"

#include "base/mem.h"

static inline uint64_t fold64(uint64_t s)
{
    s = (s & 0xffffffffu) + (s >> 32);
    s = (s & 0xffffffffu) + (s >> 32);
    s = (s & 0xffffu) + (s >> 16);
    s = (s & 0xffffu) + (s >> 16);
    s = (s & 0xffffu) + (s >> 16);
    return s;
}

static inline uint16_t bswap16(uint16_t v) { return (uint16_t)((v << 8) | (v >> 8)); }

/* One's-complement 64-bit add: the carry out of bit 63 comes back in at bit 0 (RFC 1071 2(C)). */
static inline uint64_t add_c(uint64_t s, uint64_t w)
{
    s += w;
    return s + (s < w);
}

static inline uint64_t load64(const uint8_t *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

/* The last 0..7 bytes, which start at an even offset, as a sum of native 4-, 2- and 1-byte loads.
 * Each piece sits in its 64-bit word at a multiple of 16 bits, and 2^16 = 1 modulo 0xffff, so it
 * adds the same as in place. An odd last byte is padded with zero on the right (RFC 1071 1). */
static inline uint64_t load_tail(const uint8_t *p, size_t n)
{
    uint64_t t = 0;
    if (n & 4) {
        uint32_t w;
        memcpy(&w, p, 4);
        t += w;
        p += 4;
    }
    if (n & 2) {
        uint16_t w;
        memcpy(&w, p, 2);
        t += w;
        p += 2;
    }
    if (n & 1) {
        const uint8_t last[2] = { p[0], 0 };
        uint16_t w;
        memcpy(&w, last, 2);
        t += w;
    }
    return t;
}

/* Sum in native byte order, folded to 16 bits (native order). Eight accumulators over 64-byte
 * blocks: fewer loop instructions per byte than four over 32 (about 0.37 instructions per byte for
 * a 1460-byte segment with gcc -O2 on x86-64, against 0.84 for 32-bit words in two). */
static uint64_t sum_native(const uint8_t *p, size_t len)
{
    uint64_t a = 0, b = 0, c = 0, d = 0, e = 0, f = 0, g = 0, h = 0;
    while (len >= 64) {
        a = add_c(a, load64(p));
        b = add_c(b, load64(p + 8));
        c = add_c(c, load64(p + 16));
        d = add_c(d, load64(p + 24));
        e = add_c(e, load64(p + 32));
        f = add_c(f, load64(p + 40));
        g = add_c(g, load64(p + 48));
        h = add_c(h, load64(p + 56));
        p += 64;
        len -= 64;
    }
    a = add_c(a, e);
    b = add_c(b, f);
    c = add_c(c, g);
    d = add_c(d, h);
    if (len >= 32) {
        a = add_c(a, load64(p));
        b = add_c(b, load64(p + 8));
        c = add_c(c, load64(p + 16));
        d = add_c(d, load64(p + 24));
        p += 32;
        len -= 32;
    }
    a = add_c(a, b);
    c = add_c(c, d);
    a = add_c(a, c);
    while (len >= 8) {
        a = add_c(a, load64(p));
        p += 8;
        len -= 8;
    }
    if (len)
        a = add_c(a, load_tail(p, len));
    return fold64(a);
}

#if defined(__x86_64__) && defined(__SSE2__)
typedef short csum_v8hi __attribute__((vector_size(16)));
typedef int csum_v4si __attribute__((vector_size(16)));

/* Copies and sums `blocks` 64-byte blocks with SSE2 (every x86-64 has it), 16 bytes per load and
 * store: the scalar loop below must move the data in the compiler's baseline 16-byte moves besides
 * its eight 8-byte adds with carry per block, and costs 28 instructions per block against 20 here.
 * PMADDWD multiplies 16-bit words by 1 and adds pairs into 32-bit lanes, but takes the words as
 * signed: each word is biased by -0x8000 first (XOR of its top bit), and the bias is given back
 * at the end, exactly: a 16-byte vector's eight words lose 4 * 0x10000. Returns the exact sum of the
 * native-order 16-bit words. A lane moves by less than 0x10000 per block: blocks < 32768. */
static uint64_t copy_sum_sse2(uint8_t *dst, const uint8_t *p, size_t blocks)
{
    const csum_v8hi bias = { -0x8000, -0x8000, -0x8000, -0x8000, -0x8000, -0x8000, -0x8000, -0x8000 };
    const csum_v8hi ones = { 1, 1, 1, 1, 1, 1, 1, 1 };
    csum_v4si a = { 0, 0, 0, 0 }, b = a, c = a, d = a;
    for (size_t i = 0; i < blocks; i++) {
        csum_v8hi x0, x1, x2, x3;
        memcpy(&x0, p, 16);
        memcpy(&x1, p + 16, 16);
        memcpy(&x2, p + 32, 16);
        memcpy(&x3, p + 48, 16);
        /* Stores after the loads: a load that follows a store to an address equal modulo 4 KiB
         * waits for it (4K aliasing), which a destination at such an offset would hit. Stored
         * before they are biased, so no register is copied (SSE2's operations overwrite one). */
        memcpy(dst, &x0, 16);
        memcpy(dst + 16, &x1, 16);
        memcpy(dst + 32, &x2, 16);
        memcpy(dst + 48, &x3, 16);
        a += __builtin_ia32_pmaddwd128(x0 ^ bias, ones);
        b += __builtin_ia32_pmaddwd128(x1 ^ bias, ones);
        c += __builtin_ia32_pmaddwd128(x2 ^ bias, ones);
        d += __builtin_ia32_pmaddwd128(x3 ^ bias, ones);
        p += 64;
        dst += 64;
    }
    int64_t s = (int64_t)blocks * 0x100000;   /* 4 vectors of 4 * 0x10000 per block */
    for (int i = 0; i < 4; i++)
        s += (int64_t)a[i] + b[i] + c[i] + d[i];
    return (uint64_t)s;
}
#endif

/* The same while copying, while the data is in L1: each 64-byte block is summed and copied (SSE2
 * above on x86-64; elsewhere a fixed-size memcpy, which compilers turn into the widest moves the
 * target has, beside the 64-bit adds). On data that comes from memory (an application's buffer)
 * this reads it once instead of twice. */
static uint64_t copy_sum_native(uint8_t *dst, const uint8_t *p, size_t len)
{
#if defined(__x86_64__) && defined(__SSE2__)
    uint64_t a = 0;
    while (len >= 64) {
        size_t blocks = len / 64 < 16384 ? len / 64 : 16384;
        a = add_c(a, copy_sum_sse2(dst, p, blocks));
        p += blocks * 64;
        dst += blocks * 64;
        len -= blocks * 64;
    }
#else
    uint64_t a = 0, b = 0, c = 0, d = 0, e = 0, f = 0, g = 0, h = 0;
    while (len >= 64) {
        a = add_c(a, load64(p));
        b = add_c(b, load64(p + 8));
        c = add_c(c, load64(p + 16));
        d = add_c(d, load64(p + 24));
        e = add_c(e, load64(p + 32));
        f = add_c(f, load64(p + 40));
        g = add_c(g, load64(p + 48));
        h = add_c(h, load64(p + 56));
        /* Stores after the loads: a load that follows a store to an address equal modulo 4 KiB
         * waits for it (4K aliasing), which a destination at such an offset would hit. */
        memcpy(dst, p, 64);
        p += 64;
        dst += 64;
        len -= 64;
    }
    a = add_c(add_c(a, e), add_c(b, f));
    c = add_c(add_c(c, g), add_c(d, h));
    a = add_c(a, c);
#endif
    while (len >= 8) {
        uint64_t w = load64(p);
        memcpy(dst, &w, 8);
        a = add_c(a, w);
        p += 8;
        dst += 8;
        len -= 8;
    }
    if (len) {
        for (size_t i = 0; i < len; i++)
            dst[i] = p[i];
        a = add_c(a, load_tail(p, len));
    }
    return fold64(a);
}

/* Callers' running sums are kept in network (big-endian) word order. */
static inline uint64_t to_network(uint64_t native16)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return bswap16((uint16_t)native16);
#else
    return native16;
#endif
}

uint64_t wire_csum_partial(const void *data, size_t len, uint64_t sum)
{
    return sum + to_network(sum_native(data, len));
}

uint64_t wire_csum_copy(void *dst, const void *src, size_t len, uint64_t sum)
{
    return sum + to_network(copy_sum_native(dst, src, len));
}

uint16_t wire_csum_finish(uint64_t sum)
{
    return (uint16_t)~fold64(sum);
}

uint16_t wire_csum(const void *data, size_t len)
{
    return wire_csum_finish(wire_csum_partial(data, len, 0));
}

uint64_t wire_csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len)
{
    return (uint64_t)(src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + proto + len;
}

uint16_t wire_csum_update16(uint16_t csum, uint16_t old_word, uint16_t new_word)
{
    /* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m') */
    uint32_t s = (uint16_t)~csum;
    s += (uint16_t)~old_word;
    s += new_word;
    s = (s & 0xffff) + (s >> 16);
    s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

uint16_t wire_csum_update32(uint16_t csum, uint32_t old_val, uint32_t new_val)
{
    csum = wire_csum_update16(csum, (uint16_t)(old_val >> 16), (uint16_t)(new_val >> 16));
    return wire_csum_update16(csum, (uint16_t)old_val, (uint16_t)new_val);
}
