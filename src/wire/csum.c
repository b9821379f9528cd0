/* Internet checksum, RFC 1071, computed 8 bytes at a time.
 *
 * The one's-complement sum is byte-order independent (RFC 1071 section 2(B)): we add the buffer as
 * native-endian 32-bit words into a 64-bit accumulator (no carry lost for spans below 2^32 words),
 * fold, and swap once at the end on little-endian hosts. Two accumulators let the CPU overlap adds. */
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

/* Sum in native byte order, returned folded to 16 bits (native order). */
static uint64_t sum_native(const uint8_t *p, size_t len)
{
    uint64_t a = 0, b = 0;
    while (len >= 16) {
        uint32_t w[4];
        memcpy(w, p, 16);
        a += (uint64_t)w[0] + w[1];
        b += (uint64_t)w[2] + w[3];
        p += 16;
        len -= 16;
    }
    a += b;
    while (len >= 4) {
        uint32_t w;
        memcpy(&w, p, 4);
        a += w;
        p += 4;
        len -= 4;
    }
    if (len >= 2) {
        uint16_t w;
        memcpy(&w, p, 2);
        a += w;
        p += 2;
        len -= 2;
    }
    if (len) {
        /* RFC 1071: a trailing odd byte is padded with zero on the right (network order). */
        uint8_t last[2] = { p[0], 0 };
        uint16_t w;
        memcpy(&w, last, 2);
        a += w;
    }
    return fold64(a);
}

uint64_t wire_csum_partial(const void *data, size_t len, uint64_t sum)
{
    uint16_t s = (uint16_t)sum_native(data, len);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    s = bswap16(s);
#endif
    return sum + s;   /* callers' running sums are kept in network (big-endian) word order */
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
