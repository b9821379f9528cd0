/* The stack object as every layer sees it: what all layers share (configuration, the seeded
 * random generator, counters, the trace callback, the time of the entry point in progress, the
 * timer heap, the entry bracket) and one opaque pointer per layer. Each layer defines its own part
 * in its own header (struct net in net/net.h, struct tcp_table in tcp/tcp_int.h, struct sock_table
 * in socket/sock.h); a layer dereferences only its own pointer, so no layer sees another's state.
 * The stack module (src/stack) creates the parts and wires them together.
 *
 * Entry points (synack_if_input, synack_stack_poll, socket calls) bracket their work with
 * stack_enter/stack_leave: socket events raised meanwhile are queued, and the outermost leave
 * delivers them through the upcall the socket layer registered, so application handlers never run
 * in the middle of protocol processing. */
#ifndef CORE_CTX_H
#define CORE_CTX_H

#include <stdint.h>

#include "core/bufpool.h"
#include "core/rng.h"
#include "core/timer.h"
#include "synack/counters.h"
#include "synack/stack.h"
#include "synack/trace.h"

struct net;
struct udp_table;
struct tcp_table;
struct sock_table;
struct synack_timer;

struct synack_stack {
    /* The embedder's configuration, except cfg.alloc: the front of the buffer pool, which passes
     * every allocation on to the embedder's allocator (kept in bufpool.user). */
    struct synack_config cfg;
    struct buf_pool bufpool;
    struct rng rng;
    uint64_t counters[SYNACK_C_COUNT];
    synack_trace_fn trace_fn;
    void *trace_ctx;
    synack_port_filter_fn port_filter;   /* ephemeral ports a connect may take (shards), or NULL */
    void *port_filter_ctx;
    synack_time_t now;                /* time of the entry point in progress (for traces) */
    struct timer_heap timers;
    uint8_t siphash_key[16];          /* for hashing tables */

    int depth;                        /* entry-point nesting */
    int batching;                     /* inside synack_stack_batch_begin/end */
    /* Upcall of the outermost stack_leave: delivers the socket events queued meanwhile, including
     * those its handlers raise. Registered by the socket layer. */
    void (*deliver)(synack_stack_t *st);
    struct synack_timer *due_head, *due_tail;   /* application timers expired, to deliver */

    /* Each layer's own state, opaque here. */
    struct net *net;
    struct udp_table *udp;
    struct tcp_table *tcp;
    struct sock_table *sock;
};

static inline void stack_count(synack_stack_t *st, enum synack_counter c) { st->counters[c]++; }
static inline void stack_count_n(synack_stack_t *st, enum synack_counter c, uint64_t n) { st->counters[c] += n; }

void stack_enter(synack_stack_t *st, synack_time_t now);
void stack_leave(synack_stack_t *st);
/* Runs what the outermost stack_leave runs (socket events queued, expired application timers)
 * without leaving: for the end of a batch, whose handlers' answers may carry the ACKs it owes. Call
 * it only at depth 1. */
void stack_deliver(synack_stack_t *st);
/* Runs the callback of the first expired application timer; returns 0 if none was due. */
int apptimer_deliver_one(synack_stack_t *st);
/* Emits a trace event if a callback is registered (fills `now`). */
void stack_trace(synack_stack_t *st, struct synack_trace_event *ev);
/* Counts a drop of input `data` with reason `c` and traces it. */
void stack_drop(synack_stack_t *st, enum synack_counter c, int ifindex, int link_kind,
                const uint8_t *data, size_t len);

#endif
