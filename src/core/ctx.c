/* The shared part of the stack object: the entry bracket, traces, drops and counter names. */
#include "core/ctx.h"

void stack_enter(synack_stack_t *st, synack_time_t now)
{
    if (st->depth++ == 0 || now > st->now)
        st->now = now;
}

void stack_deliver(synack_stack_t *st)
{
    /* Queued socket events, then expired application timers one at a time. A handler may call the
     * API (depth goes to 2 and back to 1) and raise new events, which this loop also delivers. */
    for (;;) {
        if (st->deliver)
            st->deliver(st);
        if (!apptimer_deliver_one(st))
            break;
    }
}

void stack_leave(synack_stack_t *st)
{
    if (st->depth > 1) {
        st->depth--;
        return;
    }
    stack_deliver(st);   /* outermost */
    st->depth = 0;
}

void stack_trace(synack_stack_t *st, struct synack_trace_event *ev)
{
    if (!st->trace_fn)
        return;
    ev->now = st->now;
    st->trace_fn(st->trace_ctx, ev);
}

void stack_drop(synack_stack_t *st, enum synack_counter c, int ifindex, int link_kind,
                const uint8_t *data, size_t len)
{
    stack_count(st, c);
    if (!st->trace_fn)
        return;
    struct synack_trace_event ev = { .kind = SYNACK_TR_DROP, .ifindex = ifindex, .link_kind = link_kind,
                                     .data = data, .len = len, .counter = (int)c };
    stack_trace(st, &ev);
}

uint64_t synack_counter_get(const synack_stack_t *st, enum synack_counter c)
{
    return (unsigned)c < SYNACK_C_COUNT ? st->counters[c] : 0;
}

static const char *const counter_names[] = {
#define SYNACK_X_NAME(name, desc) #name,
    SYNACK_COUNTER_LIST(SYNACK_X_NAME)
#undef SYNACK_X_NAME
};
static const char *const counter_descs[] = {
#define SYNACK_X_DESC(name, desc) desc,
    SYNACK_COUNTER_LIST(SYNACK_X_DESC)
#undef SYNACK_X_DESC
};

const char *synack_counter_name(enum synack_counter c)
{
    return (unsigned)c < SYNACK_C_COUNT ? counter_names[c] : "?";
}

const char *synack_counter_desc(enum synack_counter c)
{
    return (unsigned)c < SYNACK_C_COUNT ? counter_descs[c] : "?";
}
