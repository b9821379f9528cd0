/* A counting allocator for synack_config.alloc and synack_simlink_config.alloc (realloc-style):
 * it counts what is held, in blocks or, with `bytes` set, in bytes (each block at its usable size
 * plus malloc's header, as bench/idle_conns counts), and the calls; it can fail one call on
 * purpose. One per stack or link: `live` is then what that one holds.
 *
 * Header-only, every function static inline (see harness.h). A test that wraps malloc and friends
 * (-Wl,--wrap) defines COUNTING_REALLOC and COUNTING_FREE as the real functions before including
 * it, so that what the allocator takes is not counted twice. */
#ifndef TESTS_LIB_COUNTING_ALLOC_H
#define TESTS_LIB_COUNTING_ALLOC_H

#include <malloc.h>
#include <stddef.h>
#include <stdlib.h>

#include "synack/types.h"

#ifndef COUNTING_REALLOC
#define COUNTING_REALLOC realloc
#endif
#ifndef COUNTING_FREE
#define COUNTING_FREE free
#endif

struct counting {
    long live;      /* held and not yet given back: blocks, or bytes when `bytes` is set */
    long calls;     /* allocations and resizes */
    long fail_at;   /* the call (1-based) that returns NULL; 0: none */
    int bytes;      /* count bytes instead of blocks */
};

/* What malloc holds for block p: its usable size plus the size word in front of it. */
static inline long counting_block_bytes(void *p) { return p ? (long)(malloc_usable_size(p) + sizeof(size_t)) : 0; }

static inline long counting_weight(const struct counting *c, void *p)
{
    if (!p)
        return 0;
    return c->bytes ? counting_block_bytes(p) : 1;
}

static inline void *counting_realloc(void *ctx, void *p, size_t n)
{
    struct counting *c = ctx;
    long before = counting_weight(c, p);
    if (n == 0) {
        c->live -= before;
        COUNTING_FREE(p);
        return NULL;
    }
    c->calls++;
    if (c->fail_at && c->calls == c->fail_at)
        return NULL;
    void *q = COUNTING_REALLOC(p, n);
    if (!q)
        return NULL;
    c->live += counting_weight(c, q) - before;
    return q;
}

/* The allocator to put in a configuration: counting_realloc on c, counting bytes if `bytes`. */
static inline struct synack_allocator counting_allocator(struct counting *c, int bytes)
{
    c->bytes = bytes;
    return (struct synack_allocator){ .fn = counting_realloc, .ctx = c };
}

#endif
