/* The stack's pool of packet buffers: freed buffers are kept, by size class, and handed out again
 * last-in first-out (the most recently used one is the likeliest to be in cache), so a stack in
 * steady state allocates no memory per frame. Bounded: at most `max` buffers of the MTU class and
 * max / 16 (at least one) of the 64 KiB class are kept; anything beyond goes back to the
 * allocator. Counted: BufPoolHits, BufPoolMisses, BufPoolHighWater (include/synack/counters.h).
 *
 * How a buffer finds the pool: every core allocation names the stack's allocator,
 * &st->cfg.alloc (buf_alloc's callers included, unchanged). The stack makes that allocator the
 * pool's front: a function that passes every call on to the embedder's allocator, kept in the
 * pool, and by which buf_alloc and buf_free recognise a pool (buf_pool_of). Any other allocator
 * (NULL, an embedder's own) gets plain allocations, as before. */
#ifndef CORE_BUFPOOL_H
#define CORE_BUFPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "synack/types.h"

/* Capacities (headroom + content) of the two classes: one Ethernet frame with every header, and
 * the largest IP datagram (an offload frame, a reassembled or queued UDP datagram). A request
 * larger than both is allocated and freed plainly. */
#define BUF_POOL_MTU_CAP 2048
#define BUF_POOL_BIG_CAP (BUF_HEADROOM + 65536)
#define BUF_POOL_CLASSES 2
#define BUF_POOL_DEFAULT_MAX 64

struct buf_pool {
    struct synack_allocator user;   /* the embedder's: where the blocks come from */
    struct buf *free[BUF_POOL_CLASSES];   /* LIFO through buf->next */
    unsigned nfree[BUF_POOL_CLASSES], max[BUF_POOL_CLASSES];
    uint64_t outstanding;           /* buffers handed out and not yet freed */
    uint64_t *counters;             /* the stack's, indexed by enum synack_counter */
};

/* Sets up an empty pool over the embedder's allocator `user`, keeping up to `max` MTU-sized
 * buffers (0: BUF_POOL_DEFAULT_MAX), and fills *front with the allocator that reaches it. */
void buf_pool_init(struct buf_pool *p, const struct synack_allocator *user, unsigned max, uint64_t *counters,
                   struct synack_allocator *front);
/* Frees every buffer the pool holds. Buffers still handed out must have been freed before. */
void buf_pool_destroy(struct buf_pool *p);
/* The pool behind an allocator, or NULL if it is not a pool's front. */
struct buf_pool *buf_pool_of(const struct synack_allocator *a);
/* A block of at least `cap` bytes of storage (its buf->cap set to what it has), from the free
 * list of its class or the allocator; NULL when out of memory. */
struct buf *buf_pool_get(struct buf_pool *p, size_t cap);
/* Takes a buffer back: kept on its class's free list while there is room, else freed. */
void buf_pool_put(struct buf_pool *p, struct buf *b);

#endif
