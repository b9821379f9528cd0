/* Application timers (include/synack/timer.h). Each wraps a core timer; when it expires inside
 * timer_run it is only queued, and stack_leave delivers the queue after protocol processing, the
 * same rule as socket events (no application code in the middle of the stack's work). */
#include "core/alloc.h"
#include "base/mem.h"

#include "core/ctx.h"
#include "synack/timer.h"

struct synack_timer {
    struct timer t;
    synack_stack_t *st;
    synack_timer_fn fn;
    void *arg;
    int queued;
    struct synack_timer *next;   /* in the stack's due list */
};

static void due_unlink(synack_timer_t *t)
{
    synack_stack_t *st = t->st;
    if (!t->queued)
        return;
    synack_timer_t **pp = &st->due_head;
    while (*pp && *pp != t)
        pp = &(*pp)->next;
    if (*pp)
        *pp = t->next;
    if (st->due_tail == t) {
        st->due_tail = NULL;
        for (synack_timer_t *x = st->due_head; x; x = x->next)
            st->due_tail = x;
    }
    t->next = NULL;
    t->queued = 0;
}

static void apptimer_expired(void *owner, struct timer *tm, synack_time_t now)
{
    synack_timer_t *t = owner;
    synack_stack_t *st = t->st;
    if (t->queued)
        return;
    t->queued = 1;
    t->next = NULL;
    if (st->due_tail)
        st->due_tail->next = t;
    else
        st->due_head = t;
    st->due_tail = t;
}

synack_timer_t *synack_timer_new(synack_stack_t *st, synack_timer_fn fn, void *arg)
{
    synack_timer_t *t = mem_calloc(&st->cfg.alloc, 1, sizeof(*t));
    if (!t)
        return NULL;
    t->st = st;
    t->fn = fn;
    t->arg = arg;
    timer_init(&t->t, apptimer_expired, t);
    return t;
}

void synack_timer_arm(synack_timer_t *t, synack_time_t deadline)
{
    due_unlink(t);
    timer_arm(&t->st->timers, &t->t, deadline);
}

void synack_timer_cancel(synack_timer_t *t)
{
    due_unlink(t);
    timer_cancel(&t->st->timers, &t->t);
}

int synack_timer_armed(const synack_timer_t *t) { return timer_armed(&t->t) || t->queued; }

void synack_timer_free(synack_timer_t *t)
{
    if (!t)
        return;
    synack_timer_cancel(t);
    mem_free(&t->st->cfg.alloc, t);
}

int apptimer_deliver_one(synack_stack_t *st)
{
    synack_timer_t *t = st->due_head;
    if (!t)
        return 0;
    st->due_head = t->next;
    if (!st->due_head)
        st->due_tail = NULL;
    t->next = NULL;
    t->queued = 0;
    t->fn(st, t->arg, st->now);   /* may re-arm or free t */
    return 1;
}
