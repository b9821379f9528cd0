/* The simulated network: stacks and simulated links under one virtual clock. Each step finds the
 * earliest pending event — a frame arriving on a link (synack_simlink_next) or a stack deadline
 * (synack_stack_next_deadline) — moves the clock to it and runs it. Nothing here reads a real
 * clock, and ties are broken by a fixed order (links before stacks, each in the order added), so a
 * run is a pure function of its inputs and seeds. */
#include "base/errno.h"
#include "core/alloc.h"
#include "base/mem.h"

#include "synack/link.h"

/* Consecutive events allowed without the clock moving before run_until gives up. Only a stack
 * that keeps reporting a deadline in the past (a bug) or two ends replying to each other forever
 * over a zero-latency link can get here; stopping beats hanging the test that hit it. */
#define SIMNET_MAX_EVENTS_PER_INSTANT (1u << 20)

struct synack_simnet {
    synack_time_t now;
    synack_stack_t *stacks[SYNACK_SIMNET_MAX];
    synack_simlink_t *links[SYNACK_SIMNET_MAX];
    size_t n_stacks, n_links;
};

synack_simnet_t *synack_simnet_new(synack_time_t start)
{
    /* Like the simulated link, the network belongs to no stack: the default allocator. */
    struct synack_simnet *n = mem_calloc(NULL, 1, sizeof(*n));
    if (!n)
        return NULL;
    n->now = start;
    return n;
}

void synack_simnet_free(synack_simnet_t *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n_links; i++)
        synack_simlink_free(n->links[i]);
    mem_free(NULL, n);
}

int synack_simnet_add_stack(synack_simnet_t *n, synack_stack_t *st)
{
    if (!n || !st)
        return -EINVAL;
    for (size_t i = 0; i < n->n_stacks; i++)
        if (n->stacks[i] == st)
            return -EINVAL;
    if (n->n_stacks == SYNACK_SIMNET_MAX)
        return -ENOSPC;
    n->stacks[n->n_stacks++] = st;
    return 0;
}

int synack_simnet_add_link(synack_simnet_t *n, synack_simlink_t *l)
{
    if (!n || !l)
        return -EINVAL;
    /* Added twice would be freed twice. */
    for (size_t i = 0; i < n->n_links; i++)
        if (n->links[i] == l)
            return -EINVAL;
    if (n->n_links == SYNACK_SIMNET_MAX)
        return -ENOSPC;
    n->links[n->n_links++] = l;
    return 0;
}

synack_time_t synack_simnet_now(const synack_simnet_t *n)
{
    return n->now;
}

int synack_simnet_step(synack_simnet_t *n, synack_time_t until)
{
    synack_time_t best = SYNACK_TIME_NEVER;
    size_t best_i = 0;
    int best_is_link = 0;

    /* Strict '<' keeps the first candidate on ties: links in added order, then stacks. */
    for (size_t i = 0; i < n->n_links; i++) {
        synack_time_t t = synack_simlink_next(n->links[i]);
        if (t < best) {
            best = t;
            best_i = i;
            best_is_link = 1;
        }
    }
    for (size_t i = 0; i < n->n_stacks; i++) {
        synack_time_t t = synack_stack_next_deadline(n->stacks[i]);
        if (t < best) {
            best = t;
            best_i = i;
            best_is_link = 0;
        }
    }
    if (best == SYNACK_TIME_NEVER || best > until)
        return 0;
    /* A deadline already in the past (e.g. set by input at this instant) runs now: virtual time
     * never goes backwards. */
    if (best > n->now)
        n->now = best;
    if (best_is_link)
        synack_simlink_deliver(n->links[best_i], n->now);
    else
        synack_stack_poll(n->stacks[best_i], n->now);
    return 1;
}

uint64_t synack_simnet_run_until(synack_simnet_t *n, synack_time_t until)
{
    uint64_t events = 0;
    unsigned same_instant = 0;
    synack_time_t last = n->now;

    while (synack_simnet_step(n, until)) {
        events++;
        if (n->now != last) {
            last = n->now;
            same_instant = 0;
        } else if (++same_instant >= SIMNET_MAX_EVENTS_PER_INSTANT) {
            return events;
        }
    }
    /* Nothing left before `until`: the clock still reaches it, so the caller can continue from
     * there (e.g. an application acting at exactly `until`). */
    if (until != SYNACK_TIME_NEVER && until > n->now)
        n->now = until;
    return events;
}
