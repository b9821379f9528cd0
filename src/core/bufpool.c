/* The stack's packet-buffer pool (see bufpool.h). */
#include "core/bufpool.h"

#include "base/mem.h"
#include "core/alloc.h"
#include "core/asan.h"
#include "synack/counters.h"

/* A free buffer's storage is poisoned while it waits in the pool (core/asan.h). */
#define POISON(b) ASAN_POISON((b)->storage, (b)->cap)
#define UNPOISON(b) ASAN_UNPOISON((b)->storage, (b)->cap)

static const size_t class_cap[BUF_POOL_CLASSES] = { BUF_POOL_MTU_CAP, BUF_POOL_BIG_CAP };

/* The front: every allocation of the stack goes through here to the embedder's allocator. */
static void *pool_front(void *ctx, void *ptr, size_t n)
{
    struct buf_pool *p = ctx;
    if (n == 0) {
        mem_free(&p->user, ptr);
        return NULL;
    }
    return mem_realloc(&p->user, ptr, n);
}

void buf_pool_init(struct buf_pool *p, const struct synack_allocator *user, unsigned max, uint64_t *counters,
                   struct synack_allocator *front)
{
    memset(p, 0, sizeof(*p));
    p->user = *user;
    p->counters = counters;
    p->max[0] = max ? max : BUF_POOL_DEFAULT_MAX;
    p->max[1] = p->max[0] / 16 ? p->max[0] / 16 : 1;
    front->fn = pool_front;
    front->ctx = p;
}

void buf_pool_destroy(struct buf_pool *p)
{
    for (int c = 0; c < BUF_POOL_CLASSES; c++) {
        while (p->free[c]) {
            struct buf *b = p->free[c];
            p->free[c] = b->next;
            UNPOISON(b);
            mem_free(&p->user, b);
        }
        p->nfree[c] = 0;
    }
}

struct buf_pool *buf_pool_of(const struct synack_allocator *a)
{
    return a && a->fn == pool_front ? a->ctx : NULL;
}

static int class_of(size_t cap)
{
    for (int c = 0; c < BUF_POOL_CLASSES; c++)
        if (cap <= class_cap[c])
            return c;
    return -1;
}

struct buf *buf_pool_get(struct buf_pool *p, size_t cap)
{
    int c = class_of(cap);
    struct buf *b;
    if (c >= 0 && p->free[c]) {
        b = p->free[c];
        p->free[c] = b->next;
        p->nfree[c]--;
        UNPOISON(b);
        p->counters[SYNACK_C_BufPoolHits]++;
    } else {
        /* A miss: a new block, of the whole class's size so it can be kept afterwards. */
        size_t n = c >= 0 ? class_cap[c] : cap;
        b = mem_alloc(&p->user, sizeof(*b) + n);
        if (!b)
            return NULL;
        b->cap = n;
        p->counters[SYNACK_C_BufPoolMisses]++;
    }
    if (++p->outstanding > p->counters[SYNACK_C_BufPoolHighWater])
        p->counters[SYNACK_C_BufPoolHighWater] = p->outstanding;
    return b;
}

void buf_pool_put(struct buf_pool *p, struct buf *b)
{
    p->outstanding--;
    int c = class_of(b->cap);
    if (c >= 0 && b->cap == class_cap[c] && p->nfree[c] < p->max[c]) {
        b->next = p->free[c];
        p->free[c] = b;
        p->nfree[c]++;
        POISON(b);
        return;
    }
    mem_free(&p->user, b);
}
