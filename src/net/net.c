/* The network layer's part of the stack object and the registration of transports (net.h). */
#include "net/net.h"

#include "base/errno.h"
#include "core/alloc.h"
#include "base/mem.h"

#include "core/ctx.h"
#include "net/ip4.h"

int net_new(synack_stack_t *st)
{
    struct net *n = mem_calloc(&st->cfg.alloc, 1, sizeof(*n));
    if (!n)
        return -ENOMEM;
    st->net = n;
    n->ip_id = (uint16_t)rng_u32(&st->rng);
    n->icmp_tokens = st->cfg.icmp_err_burst;
    if (arp_cache_init(st, &n->arp, st->cfg.arp_cache_size ? st->cfg.arp_cache_size : 64) != 0)
        return -ENOMEM;
    reasm_init(st, &n->reasm);
    return ip6_new(st);
}

void net_free(synack_stack_t *st)
{
    struct net *n = st->net;
    if (!n)
        return;
    n->nifs = 0;   /* nothing is transmitted while tearing down */
    ip6_free(st);
    reasm_free(st, &n->reasm);
    arp_cache_free(st, &n->arp);
    mem_free(&st->cfg.alloc, n);
    st->net = NULL;
}

int net_proto_register(synack_stack_t *st, uint8_t proto, const struct net_proto *ops)
{
    struct net *n = st->net;
    if (net_proto_find(st, proto))
        return -EEXIST;
    if (n->nprotos == NET_MAX_PROTOS)
        return -ENOSPC;
    n->protos[n->nprotos].proto = proto;
    n->protos[n->nprotos].ops = ops;
    n->nprotos++;
    return 0;
}

const struct net_proto *net_proto_find(synack_stack_t *st, uint8_t proto)
{
    struct net *n = st->net;
    for (int i = 0; i < n->nprotos; i++)
        if (n->protos[i].proto == proto)
            return n->protos[i].ops;
    return NULL;
}

/* Token bucket: icmp_err_rate tokens per second, at most icmp_err_burst held. The bucket starts
 * full (stack creation); *refill_at is the time up to which refills have been credited. */
int net_icmp_rate_ok(synack_stack_t *st, uint32_t *tokens, synack_time_t *refill_at, synack_time_t now)
{
    unsigned rate = st->cfg.icmp_err_rate;
    if (rate == 0)
        return 1;
    synack_time_t step = SYNACK_SEC(1) / rate;
    if (step == 0)
        step = 1;
    if (*tokens >= st->cfg.icmp_err_burst) {
        /* Full: time spent full earns nothing. */
        *refill_at = now;
    } else if (now > *refill_at) {
        synack_time_t n = (now - *refill_at) / step;
        synack_time_t room = st->cfg.icmp_err_burst - *tokens;
        if (n >= room) {
            *tokens = st->cfg.icmp_err_burst;
            *refill_at = now;
        } else {
            *tokens += (uint32_t)n;
            *refill_at += n * step;
        }
    }
    if (*tokens == 0)
        return 0;
    (*tokens)--;
    return 1;
}
