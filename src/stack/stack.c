/* The stack object's life: configuration, creation of each layer's part and the wiring between
 * them (transports registered with IP, socket events with the entry bracket), and the public entry
 * points that are not one layer's own (poll, batches, ping). The only module that sees every layer. */
#include "base/errno.h"
#include "core/alloc.h"
#include "base/mem.h"

#include "core/ctx.h"
#include "net/icmp.h"
#include "net/net.h"
#include "socket/sock.h"
#include "tcp/tcp.h"
#include "udp/udp.h"
#include "wire/tcp.h"
#include "wire/udp.h"

static const struct net_proto tcp_proto = { .input = tcp_input, .error = tcp_net_error };
static const struct net_proto udp_proto = { .input = udp_input, .error = udp_net_error };

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
    cfg->ip6_dad_transmits = 1;
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
    synack_stack_t *st = mem_calloc(&cfg->alloc, 1, sizeof(*st));
    if (!st)
        return NULL;
    st->cfg = *cfg;
    buf_pool_init(&st->bufpool, &cfg->alloc, cfg->buf_pool_max, st->counters, &st->cfg.alloc);
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
    timer_heap_init(&st->timers, &st->cfg.alloc);
    if (net_new(st) != 0 || udp_table_new(st) != 0 || tcp_table_new(st) != 0 || sock_table_new(st) != 0)
        goto fail;
    if (net_proto_register(st, TCP_IPPROTO, &tcp_proto) != 0 || net_proto_register(st, UDP_IPPROTO, &udp_proto) != 0)
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
    if (st->net)
        st->net->nifs = 0;   /* nothing is transmitted while tearing down (no route for resets) */
    sock_table_free(st);
    tcp_table_free(st);
    udp_table_free(st);
    net_free(st);
    timer_heap_free(&st->timers);
    buf_pool_destroy(&st->bufpool);   /* after every layer has freed its buffers */
    struct synack_allocator a = st->bufpool.user;   /* st's own memory goes back to the embedder's */
    mem_free(&a, st);
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
    /* The handlers run before the ACKs the batch owes go out: an answer they send (a response to a
     * request that came in the batch) carries the ACK, instead of a pure ACK just before it. The
     * batch's `now` is theirs too, so nothing is later for it. */
    if (st->depth == 1)
        stack_deliver(st);
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

void synack_stack_set_port_filter(synack_stack_t *st, synack_port_filter_fn fn, void *ctx)
{
    st->port_filter = fn;
    st->port_filter_ctx = ctx;
}

int synack_ping(synack_stack_t *st, const struct synack_ip *dst, uint16_t id, uint16_t seq, const void *payload,
                size_t len, synack_time_t now)
{
    if (!dst)
        return -EINVAL;
    stack_enter(st, now);
    int r = synack_ip_is_v4(dst) ? icmp_send_echo(st, synack_ip_to_v4(dst), id, seq, payload, len, now)
                                 : icmp6_send_echo(st, dst->b, id, seq, payload, len, now);
    stack_leave(st);
    return r;
}
