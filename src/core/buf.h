/* Packet buffers: one contiguous allocation with headroom, so each layer on the way down prepends
 * its header in place (buf_push) without copying the payload.
 * Ownership: whoever holds the pointer owns it; functions say when they take it. */
#ifndef CORE_BUF_H
#define CORE_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "synack/types.h"

/* Room for Ethernet (14) + IPv4 with options (60) + TCP with options (60), rounded up. */
#define BUF_HEADROOM 160

struct buf {
    struct buf *next;    /* for queues owned by one module at a time */
    const struct synack_allocator *alloc;   /* the stack's, kept so buf_free needs no stack */
    uint8_t *data;       /* first byte of the current content */
    size_t len;
    size_t cap;          /* bytes from storage to its end (a pooled buffer may have more than asked) */
    uint16_t gso_size;   /* a TCP frame for the link to cut into segments of this size; 0: none */
    uint8_t storage[];
};

/* Allocates a buffer with `headroom` bytes before an empty content area of at least `size` bytes.
 * With a stack's allocator (&st->cfg.alloc) the buffer comes from the stack's pool
 * (core/bufpool.h) and goes back to it on buf_free; with any other, from that allocator.
 * Returns NULL on failure. */
struct buf *buf_alloc(const struct synack_allocator *a, size_t headroom, size_t size);
/* Copies bytes into a new buffer with BUF_HEADROOM of headroom. */
struct buf *buf_from(const struct synack_allocator *a, const void *data, size_t len);
void buf_free(struct buf *b);
static inline size_t buf_headroom(const struct buf *b) { return (size_t)(b->data - b->storage); }
/* Prepends n bytes (n <= headroom, checked by assert); returns the new start. */
uint8_t *buf_push(struct buf *b, size_t n);
/* Removes n bytes from the front. */
void buf_pull(struct buf *b, size_t n);

/* A FIFO of buffers. */
struct buf_queue {
    struct buf *head, *tail;
    size_t count, bytes;
};
void buf_queue_init(struct buf_queue *q);
void buf_queue_push(struct buf_queue *q, struct buf *b);   /* takes b */
struct buf *buf_queue_pop(struct buf_queue *q);             /* returns ownership */
void buf_queue_purge(struct buf_queue *q);

#endif
