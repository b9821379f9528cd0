/* TCP byte rings (see tcp_buf.h). */
#include "tcp/tcp_buf.h"

#include "core/alloc.h"
#include "wire/csum.h"
#include "base/mem.h"

void ring_free(struct tcp_ring *r, const struct tcp_ring_mem *m)
{
    mem_free(m->alloc, r->data);
    if (m->acct)
        *m->acct -= r->cap;
    r->data = NULL;
    r->cap = r->head = r->len = 0;
}

/* Grows storage to hold at least `need` bytes, unwrapping the content to index 0. */
static int ring_grow(struct tcp_ring *r, const struct tcp_ring_mem *m, uint32_t limit, size_t need)
{
    if (need <= r->cap)
        return 0;
    /* First storage sized to what is written (powers of two from 512 bytes), not a fixed 4 KiB:
     * a request or a small answer is what most connections ever hold, and a burst of thousands of
     * them would otherwise hold 8 KiB each until they go idle (issue 11: sized to what is in
     * flight). A bulk flow doubles its way up in a few steps. */
    size_t cap = r->cap ? r->cap : 512;
    while (cap < need)
        cap *= 2;
    /* Not beyond the limit, unless the limit is close above what we have: autotuning raises the
     * limit a little at a time, and storage sized to each new limit would be moved (copied whole)
     * at every raise. Growing by at least half each time keeps the copying linear in the bytes. */
    if (cap > limit && limit >= need) {
        size_t step = (size_t)r->cap + r->cap / 2;
        cap = limit > step ? limit : step;
    }
    if (cap > UINT32_MAX)
        return -1;
    uint8_t *d = mem_alloc(m->alloc, cap);
    if (!d)
        return -1;
    if (r->len)
        ring_peek(r, 0, d, r->len);
    mem_free(m->alloc, r->data);
    if (m->acct)
        *m->acct += cap - r->cap;
    r->data = d;
    r->cap = (uint32_t)cap;
    r->head = 0;
    return 0;
}

size_t ring_write(struct tcp_ring *r, const struct tcp_ring_mem *m, uint32_t limit, const void *src, size_t len)
{
    size_t space = ring_space(r->len, limit);
    if (len > space)
        len = space;
    if (len == 0 || ring_grow(r, m, limit, (size_t)r->len + len) != 0)
        return 0;
    size_t tail = ((size_t)r->head + r->len) % r->cap;
    size_t first = r->cap - tail < len ? r->cap - tail : len;
    memcpy(r->data + tail, src, first);
    memcpy(r->data, (const uint8_t *)src + first, len - first);
    r->len += (uint32_t)len;
    return len;
}

size_t ring_write_capped(struct tcp_ring *r, const struct tcp_ring_mem *m, uint32_t limit, const void *src, size_t len,
                         size_t cap_max)
{
    size_t room = (r->cap > cap_max ? r->cap : cap_max);
    room = room > r->len ? room - r->len : 0;
    return ring_write(r, m, limit, src, len < room ? len : room);
}

void ring_peek(const struct tcp_ring *r, size_t off, void *dst, size_t len)
{
    if (len == 0)
        return;
    size_t start = ((size_t)r->head + off) % r->cap;
    size_t first = r->cap - start < len ? r->cap - start : len;
    memcpy(dst, r->data + start, first);
    memcpy((uint8_t *)dst + first, r->data, len - first);
}

/* The partial sum of a piece that starts `off` bytes into the message: at an odd offset its 16-bit
 * words straddle the message's, and a one's-complement sum of byte-swapped words is the
 * byte-swapped sum (RFC 1071 2 (B)), so it is folded and its bytes swapped. */
static uint64_t sum_at(uint64_t piece, size_t off)
{
    if (!(off & 1))
        return piece;
    uint16_t f = (uint16_t)~wire_csum_finish(piece);
    return (uint16_t)((f << 8) | (f >> 8));
}

uint64_t ring_peek_csum(const struct tcp_ring *r, size_t off, void *dst, size_t len)
{
    if (len == 0)
        return 0;
    size_t start = ((size_t)r->head + off) % r->cap;
    size_t first = r->cap - start < len ? r->cap - start : len;
    uint64_t sum = wire_csum_copy(dst, r->data + start, first, 0);
    if (first < len)
        sum += sum_at(wire_csum_copy((uint8_t *)dst + first, r->data, len - first, 0), first);
    return sum;
}

uint64_t ring_stage_csum(const struct tcp_ring *r, const void *src, size_t len)
{
    if (len == 0)
        return 0;
    size_t tail = ((size_t)r->head + r->len) % r->cap;
    size_t first = r->cap - tail < len ? r->cap - tail : len;
    uint64_t sum = wire_csum_copy(r->data + tail, src, first, 0);
    if (first < len)
        sum += sum_at(wire_csum_copy(r->data, (const uint8_t *)src + first, len - first, 0), first);
    return sum;
}

void ring_consume(struct tcp_ring *r, size_t n)
{
    if (n > r->len)
        n = r->len;
    r->len -= (uint32_t)n;
    r->head = r->len ? (uint32_t)(((size_t)r->head + n) % r->cap) : 0;
}
