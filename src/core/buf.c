/* Packet buffers and buffer queues (see buf.h). */
#include "core/buf.h"

#include "core/bufpool.h"

#include "base/assert.h"
#include "core/alloc.h"
#include "base/mem.h"

struct buf *buf_alloc(const struct synack_allocator *a, size_t headroom, size_t size)
{
    /* The stack's allocator leads to its pool (core/bufpool.h); any other allocates plainly. */
    struct buf_pool *p = buf_pool_of(a);
    struct buf *b;
    if (p) {
        b = buf_pool_get(p, headroom + size);
        if (!b)
            return NULL;
    } else {
        b = mem_alloc(a, sizeof(*b) + headroom + size);
        if (!b)
            return NULL;
        b->cap = headroom + size;
    }
    b->next = NULL;
    b->alloc = a;
    b->gso_size = 0;
    b->data = b->storage + headroom;
    b->len = 0;
    return b;
}

struct buf *buf_from(const struct synack_allocator *a, const void *data, size_t len)
{
    struct buf *b = buf_alloc(a, BUF_HEADROOM, len);
    if (!b)
        return NULL;
    if (len)   /* data may be NULL when len is 0; memcpy(NULL) is undefined even for 0 bytes */
        memcpy(b->data, data, len);
    b->len = len;
    return b;
}

void buf_free(struct buf *b)
{
    if (!b)
        return;
    struct buf_pool *p = buf_pool_of(b->alloc);
    if (p)
        buf_pool_put(p, b);
    else
        mem_free(b->alloc, b);
}

uint8_t *buf_push(struct buf *b, size_t n)
{
    base_assert(buf_headroom(b) >= n);
    b->data -= n;
    b->len += n;
    return b->data;
}

void buf_pull(struct buf *b, size_t n)
{
    base_assert(n <= b->len);
    b->data += n;
    b->len -= n;
}

void buf_queue_init(struct buf_queue *q) { memset(q, 0, sizeof(*q)); }

void buf_queue_push(struct buf_queue *q, struct buf *b)
{
    b->next = NULL;
    if (q->tail)
        q->tail->next = b;
    else
        q->head = b;
    q->tail = b;
    q->count++;
    q->bytes += b->len;
}

struct buf *buf_queue_pop(struct buf_queue *q)
{
    struct buf *b = q->head;
    if (!b)
        return NULL;
    q->head = b->next;
    if (!q->head)
        q->tail = NULL;
    b->next = NULL;
    q->count--;
    q->bytes -= b->len;
    return b;
}

void buf_queue_purge(struct buf_queue *q)
{
    struct buf *b;
    while ((b = buf_queue_pop(q)))
        buf_free(b);
}
