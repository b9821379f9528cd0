/* Binary min-heap of timers ordered by (deadline, seq). */
#include "core/timer.h"

#include "base/errno.h"
#include "core/alloc.h"
#include "base/mem.h"

static int before(const struct timer *a, const struct timer *b)
{
    return a->deadline < b->deadline || (a->deadline == b->deadline && a->seq < b->seq);
}

static void place(struct timer_heap *h, size_t i, struct timer *t)
{
    h->v[i] = t;
    t->idx = i;
}

static void sift_up(struct timer_heap *h, size_t i)
{
    struct timer *t = h->v[i];
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!before(t, h->v[parent]))
            break;
        place(h, i, h->v[parent]);
        i = parent;
    }
    place(h, i, t);
}

static void sift_down(struct timer_heap *h, size_t i)
{
    struct timer *t = h->v[i];
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        const struct timer *best = t;
        if (l < h->n && before(h->v[l], best)) {
            m = l;
            best = h->v[l];
        }
        if (r < h->n && before(h->v[r], best))
            m = r;
        if (m == i)
            break;
        place(h, i, h->v[m]);
        i = m;
    }
    place(h, i, t);
}

void timer_heap_init(struct timer_heap *h, const struct synack_allocator *a)
{
    h->alloc = a;
    h->v = NULL;
    h->n = h->cap = 0;
    h->next_seq = 0;
}

void timer_heap_free(struct timer_heap *h)
{
    for (size_t i = 0; i < h->n; i++)
        h->v[i]->idx = TIMER_IDLE;
    mem_free(h->alloc, h->v);
    timer_heap_init(h, h->alloc);
}

void timer_init(struct timer *t, timer_fn fn, void *owner)
{
    t->deadline = 0;
    t->seq = 0;
    t->idx = TIMER_IDLE;
    t->fn = fn;
    t->owner = owner;
}

void timer_cancel(struct timer_heap *h, struct timer *t)
{
    if (t->idx == TIMER_IDLE)
        return;
    size_t i = t->idx;
    t->idx = TIMER_IDLE;
    h->n--;
    if (i == h->n)
        return;
    struct timer *last = h->v[h->n];
    place(h, i, last);
    if (i > 0 && before(last, h->v[(i - 1) / 2]))
        sift_up(h, i);
    else
        sift_down(h, i);
}

int timer_arm(struct timer_heap *h, struct timer *t, synack_time_t deadline)
{
    timer_cancel(h, t);
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 64;
        struct timer **v = mem_realloc(h->alloc, h->v, cap * sizeof(*v));
        if (!v)
            return -ENOMEM;
        h->v = v;
        h->cap = cap;
    }
    t->deadline = deadline;
    t->seq = h->next_seq++;
    place(h, h->n, t);
    h->n++;
    sift_up(h, h->n - 1);
    return 0;
}

synack_time_t timer_next(const struct timer_heap *h)
{
    return h->n ? h->v[0]->deadline : SYNACK_TIME_NEVER;
}

size_t timer_run(struct timer_heap *h, synack_time_t now)
{
    /* Only timers armed before this run may fire in it. A callback that re-arms a timer for a
     * deadline that is already due (its own, or another's) would otherwise make it fire again
     * inside this loop, and a protocol bug that always does so would hang the stack inside one
     * poll; this way it fires at the next poll, which the caller makes at once because the next
     * deadline it gets back is <= now (and the simulator bounds events per instant). */
    uint64_t armed_before = h->next_seq;
    size_t fired = 0;
    while (h->n && h->v[0]->deadline <= now && h->v[0]->seq < armed_before) {
        struct timer *t = h->v[0];
        timer_cancel(h, t);
        fired++;
        t->fn(t->owner, t, now);
    }
    return fired;
}
