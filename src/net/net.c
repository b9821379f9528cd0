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
    return 0;
}

void net_free(synack_stack_t *st)
{
    struct net *n = st->net;
    if (!n)
        return;
    n->nifs = 0;   /* nothing is transmitted while tearing down */
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
