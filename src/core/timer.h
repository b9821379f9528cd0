/* Timers: deadlines in a binary min-heap. A timer is embedded in its owner (a connection, an ARP
 * entry, a reassembly) and carries its callback. Equal deadlines fire in the order they were armed
 * (a sequence number breaks ties), so a simulated run is repeatable. No periodic ticks: the stack
 * reports the heap's minimum as its next deadline. */
#ifndef CORE_TIMER_H
#define CORE_TIMER_H

#include <stddef.h>
#include <stdint.h>

#include "synack/types.h"

struct timer;
typedef void (*timer_fn)(void *owner, struct timer *t, synack_time_t now);

struct timer {
    synack_time_t deadline;
    uint64_t seq;
    size_t idx;          /* position in the heap, or TIMER_IDLE */
    timer_fn fn;
    void *owner;
};
#define TIMER_IDLE ((size_t)-1)

struct timer_heap {
    const struct synack_allocator *alloc;   /* the stack's */
    struct timer **v;
    size_t n, cap;
    uint64_t next_seq;
};

void timer_heap_init(struct timer_heap *h, const struct synack_allocator *a);
void timer_heap_free(struct timer_heap *h);
void timer_init(struct timer *t, timer_fn fn, void *owner);
/* Arms (or re-arms) t for `deadline`. Returns 0 or -ENOMEM. */
int timer_arm(struct timer_heap *h, struct timer *t, synack_time_t deadline);
void timer_cancel(struct timer_heap *h, struct timer *t);
static inline int timer_armed(const struct timer *t) { return t->idx != TIMER_IDLE; }
synack_time_t timer_next(const struct timer_heap *h);
/* Fires every timer whose deadline is <= now, earliest first. A callback may arm or cancel any
 * timer, including its own; a timer armed during the run fires at a later run even if its deadline
 * is already due (timer_next() then returns <= now, so the caller polls again at once). Returns
 * the number fired. */
size_t timer_run(struct timer_heap *h, synack_time_t now);

#endif
