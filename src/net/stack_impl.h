/* The inside of struct synack_stack, shared by the modules of the core. Nothing here is public.
 *
 * Entry points (synack_if_input, synack_stack_poll, socket calls) bracket their work with
 * stack_enter/stack_leave: socket events raised meanwhile are queued, and the outermost leave
 * delivers them, so application handlers never run in the middle of protocol processing. */
#ifndef NET_STACK_IMPL_H
#define NET_STACK_IMPL_H

#include <stdint.h>

#include "core/rng.h"
#include "core/timer.h"
#include "net/arp.h"
#include "net/iface.h"
#include "net/reasm.h"
#include "synack/counters.h"
#include "synack/stack.h"
#include "synack/trace.h"

struct sock;
struct tcp_table;

struct synack_stack {
    struct synack_config cfg;
    struct rng rng;
    uint64_t counters[SYNACK_C_COUNT];
    synack_trace_fn trace_fn;
    void *trace_ctx;
    synack_time_t now;                /* time of the entry point in progress (for traces) */

    struct iface ifs[IF_MAX];
    int nifs;
    uint32_t gateway;

    struct timer_heap timers;
    struct arp_cache arp;
    struct reasm_table reasm;
    uint16_t ip_id;                   /* next IP ID, randomly started */
    /* ICMP error rate limit: a token bucket (RFC 1122 3.2.2: "SHOULD ... limit the rate") */
    uint32_t icmp_tokens;
    synack_time_t icmp_refill_at;

    /* sockets */
    struct sock **socks;
    int nsocks;                       /* slots in socks */
    int *notify;                      /* socket ids with events to deliver */
    int nnotify, notify_cap;
    int depth;                        /* entry-point nesting */
    int batching;                     /* inside synack_stack_batch_begin/end */
    struct tcp_table *tcp;
    struct synack_timer *due_head, *due_tail;   /* application timers expired, to deliver */

    uint8_t siphash_key[16];          /* for hashing tables */
};

static inline void stack_count(synack_stack_t *st, enum synack_counter c) { st->counters[c]++; }
static inline void stack_count_n(synack_stack_t *st, enum synack_counter c, uint64_t n) { st->counters[c] += n; }

void stack_enter(synack_stack_t *st, synack_time_t now);
/* Runs the callback of the first expired application timer; returns 0 if none was due. */
int apptimer_deliver_one(synack_stack_t *st);
void stack_leave(synack_stack_t *st);
/* Emits a trace event if a callback is registered (fills `now`). */
void stack_trace(synack_stack_t *st, struct synack_trace_event *ev);
/* Counts a drop of input `data` with reason `c` and traces it. */
void stack_drop(synack_stack_t *st, enum synack_counter c, int ifindex, int link_kind,
                const uint8_t *data, size_t len);

#endif
