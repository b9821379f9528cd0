/* Stack life cycle, configuration, counters, traces and the entry-point bracket. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "net/icmp.h"
#include "net/stack_impl.h"
#include "socket/sock.h"
#include "tcp/tcp.h"

void synack_config_init(struct synack_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->arp_timeout = SYNACK_SEC(60);
    cfg->arp_retry = SYNACK_SEC(1);
    cfg->arp_max_tries = 3;
    cfg->arp_queue_len = 16;
    cfg->arp_cache_size = 64;
    cfg->reasm_timeout = SYNACK_SEC(30);
    cfg->reasm_mem_limit = 4u << 20;
    cfg->icmp_err_rate = 100;
    cfg->icmp_err_burst = 50;
    /* RFC 6056 3.2: the IANA dynamic range is a good default; Linux uses 32768-60999. */
    cfg->eph_port_min = 49152;
    cfg->eph_port_max = 65535;
    cfg->default_ttl = 64;
    cfg->udp_rcvq_len = 256;
}

void synack_config_seed_u64(struct synack_config *cfg, uint64_t seed)
{
    memset(cfg->seed, 0, sizeof(cfg->seed));
    for (int i = 0; i < 8; i++)
        cfg->seed[i] = (uint8_t)(seed >> (8 * i));
    cfg->seed[31] = 0x5a;   /* so seed 0 is not an all-zero key */
}

synack_stack_t *synack_stack_new(const struct synack_config *cfg)
{
    synack_stack_t *st = calloc(1, sizeof(*st));
    if (!st)
        return NULL;
    st->cfg = *cfg;
    if (st->cfg.eph_port_min == 0 || st->cfg.eph_port_min > st->cfg.eph_port_max) {
        st->cfg.eph_port_min = 49152;
        st->cfg.eph_port_max = 65535;
    }
    /* RFC 1122 3.2.1.7: "A host MUST NOT send a datagram with a Time-to-Live (TTL) value of
     * zero"; a zeroed config field means "the default", 64 (RFC 1700 / Linux). */
    if (st->cfg.default_ttl == 0)
        st->cfg.default_ttl = 64;
    rng_init(&st->rng, cfg->seed);
    rng_bytes(&st->rng, st->siphash_key, sizeof(st->siphash_key));
    st->ip_id = (uint16_t)rng_u32(&st->rng);
    timer_heap_init(&st->timers);
    st->icmp_tokens = cfg->icmp_err_burst;
    if (arp_cache_init(st, &st->arp, cfg->arp_cache_size ? cfg->arp_cache_size : 64) != 0)
        goto fail;
    reasm_init(st, &st->reasm);
    if (tcp_table_new(st) != 0)
        goto fail;
    return st;
fail:
    synack_stack_free(st);
    return NULL;
}

void synack_stack_free(synack_stack_t *st)
{
    if (!st)
        return;
    st->nifs = 0;   /* nothing is transmitted while tearing down (no route for resets) */
    sock_table_free(st);
    tcp_table_free(st);
    reasm_free(st, &st->reasm);
    arp_cache_free(st, &st->arp);
    timer_heap_free(&st->timers);
    free(st->notify);
    free(st);
}

void stack_enter(synack_stack_t *st, synack_time_t now)
{
    if (st->depth++ == 0 || now > st->now)
        st->now = now;
}

void stack_leave(synack_stack_t *st)
{
    if (st->depth > 1) {
        st->depth--;
        return;
    }
    /* Outermost: deliver queued socket events. A handler may call the API (depth goes to 2 and back
     * to 1), and may raise new events, which this loop also delivers. */
    for (;;) {
        for (int i = 0; i < st->nnotify; i++)
            sock_deliver_events(st, st->notify[i]);
        st->nnotify = 0;
        if (!apptimer_deliver_one(st))
            break;
    }
    st->depth = 0;
}

synack_time_t synack_stack_poll(synack_stack_t *st, synack_time_t now)
{
    stack_enter(st, now);
    timer_run(&st->timers, now);
    stack_leave(st);
    return timer_next(&st->timers);
}

void synack_stack_batch_begin(synack_stack_t *st, synack_time_t now)
{
    stack_enter(st, now);
    st->batching = 1;
}

void synack_stack_batch_end(synack_stack_t *st, synack_time_t now)
{
    if (!st->batching)
        return;
    st->batching = 0;
    tcp_flush_acks(st, now);
    stack_leave(st);
}

synack_time_t synack_stack_now(const synack_stack_t *st) { return st->now; }

void synack_random(synack_stack_t *st, void *buf, size_t len) { rng_bytes(&st->rng, buf, len); }

synack_time_t synack_stack_next_deadline(const synack_stack_t *st)
{
    return timer_next(&st->timers);
}

void synack_stack_set_trace(synack_stack_t *st, synack_trace_fn fn, void *ctx)
{
    st->trace_fn = fn;
    st->trace_ctx = ctx;
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

int synack_ping(synack_stack_t *st, uint32_t dst, uint16_t id, uint16_t seq, const void *payload,
                size_t len, synack_time_t now)
{
    stack_enter(st, now);
    int r = icmp_send_echo(st, dst, id, seq, payload, len, now);
    stack_leave(st);
    return r;
}
