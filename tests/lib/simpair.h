/* Two stacks joined by a simulated Ethernet link inside a simulated network (virtual time), for
 * tests that need a real peer: stack 0 is 10.0.0.1 (MAC ..:01), stack 1 is 10.0.0.2 (MAC ..:02),
 * both /24, MTU 1500 unless changed. Each stack can record its trace: every event's kind, time,
 * length and a hash of its bytes, so two runs can be compared event by event, and echo replies
 * (with their bytes) are kept for ping tests.
 *
 * Header-only for the same reason as harness.h (see there). */
#ifndef TESTS_LIB_SIMPAIR_H
#define TESTS_LIB_SIMPAIR_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "synack/counters.h"
#include "synack/link.h"
#include "synack/socket.h"
#include "synack/stack.h"
#include "synack/trace.h"

#ifndef CTR
#define CTR(st, name) synack_counter_get((st), SYNACK_C_##name)
#endif

struct sp_event {
    int kind;
    synack_time_t t;
    size_t len;
    uint64_t hash;
    int counter;
};

struct sp_echo {
    uint32_t from;
    uint16_t id, seq;
    synack_time_t t;
    uint8_t *pkt;     /* the whole IP packet of the reply */
    size_t len;
};

struct sp_trace {
    struct sp_event *ev;
    size_t n, cap;
    struct sp_echo *echo;
    size_t necho, capecho;
};

struct simpair {
    synack_simnet_t *net;
    synack_simlink_t *link;
    synack_stack_t *st[2];
    int ifi[2];
    struct sp_trace tr[2];
};

static inline uint64_t sp_fnv(const uint8_t *p, size_t len)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

static inline void sp_trace_fn(void *ctx, const struct synack_trace_event *e)
{
    struct sp_trace *t = ctx;
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 256;
        t->ev = realloc(t->ev, t->cap * sizeof(*t->ev));
        if (!t->ev)
            abort();
    }
    struct sp_event *ev = &t->ev[t->n++];
    ev->kind = e->kind;
    ev->t = e->now;
    ev->len = e->len;
    ev->hash = e->data ? sp_fnv(e->data, e->len) : 0;
    ev->counter = e->kind == SYNACK_TR_DROP ? e->counter : -1;
    if (e->kind == SYNACK_TR_ICMP_ECHO_REPLY) {
        if (t->necho == t->capecho) {
            t->capecho = t->capecho ? t->capecho * 2 : 64;
            t->echo = realloc(t->echo, t->capecho * sizeof(*t->echo));
            if (!t->echo)
                abort();
        }
        struct sp_echo *r = &t->echo[t->necho++];
        r->from = synack_ip_to_v4(&e->remote.addr);
        r->id = e->echo_id;
        r->seq = e->echo_seq;
        r->t = e->now;
        r->len = e->len;
        r->pkt = malloc(e->len ? e->len : 1);
        if (!r->pkt)
            abort();
        memcpy(r->pkt, e->data, e->len);
    }
}

/* Builds the pair. lcfg and scfg may be NULL for defaults (the stacks are seeded with
 * stack_seed + side). mtu 0 means 1500. Returns 0 or -1. */
static inline int sp_init(struct simpair *p, const struct synack_simlink_config *lcfg,
                          const struct synack_config *scfg, uint64_t stack_seed, uint16_t mtu)
{
    memset(p, 0, sizeof(*p));
    struct synack_simlink_config lc;
    if (lcfg) {
        lc = *lcfg;
    } else {
        synack_simlink_config_init(&lc);
    }
    p->net = synack_simnet_new(0);
    p->link = synack_simlink_new(&lc);
    if (!p->net || !p->link)
        return -1;
    for (int side = 0; side < 2; side++) {
        struct synack_config c;
        if (scfg) {
            c = *scfg;
        } else {
            synack_config_init(&c);
        }
        synack_config_seed_u64(&c, stack_seed + (uint64_t)side);
        p->st[side] = synack_stack_new(&c);
        if (!p->st[side])
            return -1;
        struct synack_if_config ic = { .name = side ? "b0" : "a0", .kind = SYNACK_IF_ETHERNET,
                                       .mac = { 2, 0, 0, 0, 0, (uint8_t)(side + 1) },
                                       .addr = 0x0a000001u + (uint32_t)side, .prefix_len = 24,
                                       .mtu = mtu ? mtu : 1500, .tx = synack_simlink_tx,
                                       .tx_ctx = synack_simlink_end(p->link, side) };
        p->ifi[side] = synack_if_add(p->st[side], &ic);
        if (p->ifi[side] < 0)
            return -1;
        synack_simlink_attach(p->link, side, p->st[side], p->ifi[side]);
        synack_stack_set_trace(p->st[side], sp_trace_fn, &p->tr[side]);
        if (synack_simnet_add_stack(p->net, p->st[side]) != 0)
            return -1;
    }
    return synack_simnet_add_link(p->net, p->link);
}

static inline void sp_free(struct simpair *p)
{
    for (int side = 0; side < 2; side++) {
        synack_stack_free(p->st[side]);
        free(p->tr[side].ev);
        for (size_t i = 0; i < p->tr[side].necho; i++)
            free(p->tr[side].echo[i].pkt);
        free(p->tr[side].echo);
    }
    synack_simnet_free(p->net);   /* frees the link too */
    memset(p, 0, sizeof(*p));
}

static inline synack_time_t sp_now(const struct simpair *p) { return synack_simnet_now(p->net); }
static inline void sp_run(struct simpair *p, synack_time_t dt) { synack_simnet_run_until(p->net, sp_now(p) + dt); }

/* A hash of a whole trace: every event's kind, time, length, bytes and drop reason. */
static inline uint64_t sp_trace_hash(const struct sp_trace *t)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < t->n; i++) {
        const struct sp_event *e = &t->ev[i];
        uint64_t v[5] = { (uint64_t)e->kind, e->t, e->len, e->hash, (uint64_t)(int64_t)e->counter };
        h = (h ^ sp_fnv((const uint8_t *)v, sizeof(v))) * 1099511628211ull;
    }
    return h;
}

#endif
