/* TCP byte rings (see tcp_buf.h). */
#include "tcp/tcp_buf.h"

#include "core/alloc.h"
#include "base/mem.h"

void ring_init(struct tcp_ring *r, size_t limit, const struct synack_allocator *a, uint64_t *acct)
{
    memset(r, 0, sizeof(*r));
    r->alloc = a;
    r->acct = acct;
    r->limit = limit;
}

void ring_free(struct tcp_ring *r)
{
    mem_free(r->alloc, r->data);
    if (r->acct)
        *r->acct -= r->cap;
    r->data = NULL;
    r->cap = r->head = r->len = 0;
}

/* Grows storage to hold at least `need` bytes, unwrapping the content to index 0. */
static int ring_grow(struct tcp_ring *r, size_t need)
{
    if (need <= r->cap)
        return 0;
    size_t cap = r->cap ? r->cap : 4096;
    while (cap < need)
        cap *= 2;
    /* Not beyond the limit, unless the limit is close above what we have: autotuning raises the
     * limit a little at a time, and storage sized to each new limit would be moved (copied whole)
     * at every raise. Growing by at least half each time keeps the copying linear in the bytes. */
    if (cap > r->limit && r->limit >= need) {
        size_t step = r->cap + r->cap / 2;
        cap = r->limit > step ? r->limit : step;
    }
    uint8_t *d = mem_alloc(r->alloc, cap);
    if (!d)
        return -1;
    if (r->len)
        ring_peek(r, 0, d, r->len);
    mem_free(r->alloc, r->data);
    if (r->acct)
        *r->acct += cap - r->cap;
    r->data = d;
    r->cap = cap;
    r->head = 0;
    return 0;
}

size_t ring_write(struct tcp_ring *r, const void *src, size_t len)
{
    size_t space = ring_space(r);
    if (len > space)
        len = space;
    if (len == 0 || ring_grow(r, r->len + len) != 0)
        return 0;
    size_t tail = (r->head + r->len) % r->cap;
    size_t first = r->cap - tail < len ? r->cap - tail : len;
    memcpy(r->data + tail, src, first);
    memcpy(r->data, (const uint8_t *)src + first, len - first);
    r->len += len;
    return len;
}

size_t ring_write_capped(struct tcp_ring *r, const void *src, size_t len, size_t cap_max)
{
    size_t room = (r->cap > cap_max ? r->cap : cap_max);
    room = room > r->len ? room - r->len : 0;
    return ring_write(r, src, len < room ? len : room);
}

void ring_peek(const struct tcp_ring *r, size_t off, void *dst, size_t len)
{
    if (len == 0)
        return;
    size_t start = (r->head + off) % r->cap;
    size_t first = r->cap - start < len ? r->cap - start : len;
    memcpy(dst, r->data + start, first);
    memcpy((uint8_t *)dst + first, r->data, len - first);
}

void ring_consume(struct tcp_ring *r, size_t n)
{
    if (n > r->len)
        n = r->len;
    r->len -= n;
    r->head = r->len ? (r->head + n) % r->cap : 0;
}

void ring_set_limit(struct tcp_ring *r, size_t limit)
{
    r->limit = limit < r->len ? r->len : limit;
}
