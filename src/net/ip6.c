/* IPv6's part of the stack object and the public calls that configure it: turning IPv6 on for an
 * interface, static addresses, the static default router, and the address listing. */
#include "net/ip6.h"

#include "base/errno.h"
#include "base/mem.h"
#include "core/alloc.h"

#include "core/ctx.h"
#include "net/iface.h"
#include "net/net.h"

void ip6_if_timer(void *owner, struct timer *t, synack_time_t now);   /* ip6_addr.c */
int ip6_addr_add(synack_stack_t *st, int ifindex, const uint8_t *a, uint8_t plen, int autoconf,
                 synack_time_t valid_until, synack_time_t preferred_until, synack_time_t now);

int ip6_new(synack_stack_t *st)
{
    struct ip6_state *s = &st->net->ip6;
    for (int i = 0; i < IF_MAX; i++) {
        s->ifs[i].st = st;
        s->ifs[i].ifindex = i;
        timer_init(&s->ifs[i].timer, ip6_if_timer, &s->ifs[i]);
    }
    s->icmp_tokens = st->cfg.icmp_err_burst;
    s->reachable_time = SYNACK_SEC(30);   /* RFC 4861 10: REACHABLE_TIME */
    s->retrans_time = SYNACK_SEC(1);      /* RETRANS_TIMER */
    return 0;   /* the neighbour cache and reassembly come with the first interface to turn IPv6 on */
}

void ip6_free(synack_stack_t *st)
{
    struct ip6_state *s = &st->net->ip6;
    if (!s->ifs[0].st)
        return;   /* ip6_new never ran (an earlier part of the stack failed) */
    for (int i = 0; i < IF_MAX; i++)
        timer_cancel(&st->timers, &s->ifs[i].timer);
    reasm6_free(st);
    nd_free(st);
}

struct ip6_if *ip6_if(synack_stack_t *st, int ifindex)
{
    return &st->net->ip6.ifs[ifindex];
}

/* Turns IPv6 on: the link MTU, and on Ethernet the link-local address (RFC 4862 5.3). */
static int ip6_if_on(synack_stack_t *st, int ifindex, synack_time_t now)
{
    struct ip6_if *x = ip6_if(st, ifindex);
    if (x->on)
        return 0;
    struct iface *ifc = &st->net->ifs[ifindex];
    if (ifc->mtu < IP6_MIN_MTU)
        return -EINVAL;   /* RFC 8200 5: IPv6 needs links of at least 1280 bytes */
    struct ip6_state *s = &st->net->ip6;
    if ((!s->nd && nd_init(st) != 0) || (!s->reasm && reasm6_init(st) != 0))
        return -ENOMEM;   /* an IPv4-only stack never pays for them */
    x->on = 1;
    x->mtu = ifc->mtu;
    if (ifc->kind != SYNACK_IF_ETHERNET)
        return 0;
    uint8_t ll[16] = { 0xfe, 0x80 };
    ip6_eui64(ifc->mac, ll + 8);
    int r = ip6_addr_add(st, ifindex, ll, 64, 1, SYNACK_TIME_NEVER, SYNACK_TIME_NEVER, now);
    return r == -EEXIST ? 0 : r;
}

int synack_if_enable_ipv6(synack_stack_t *st, int ifindex, unsigned flags, synack_time_t now)
{
    if (ifindex < 0 || ifindex >= st->net->nifs || (flags & ~SYNACK_IF6_SLAAC))
        return -EINVAL;
    stack_enter(st, now);
    int r = ip6_if_on(st, ifindex, now);
    struct ip6_if *x = ip6_if(st, ifindex);
    if (r == 0 && (flags & SYNACK_IF6_SLAAC) && !x->slaac && st->net->ifs[ifindex].kind == SYNACK_IF_ETHERNET) {
        /* RFC 4861 6.3.7: up to MAX_RTR_SOLICITATIONS (3), once the link-local address is usable
         * (the interface timer sends them). */
        x->slaac = 1;
        x->rs_left = 3;
        timer_arm(&st->timers, &x->timer, now);
    }
    stack_leave(st);
    return r;
}

int synack_if_add_addr6(synack_stack_t *st, int ifindex, const struct synack_ip *addr, uint8_t prefix_len,
                        synack_time_t now)
{
    if (ifindex < 0 || ifindex >= st->net->nifs || !addr || synack_ip_is_v4(addr) || prefix_len < 1 ||
        prefix_len > 128 || ip6_is_multicast(addr->b) || ip6_is_unspecified(addr->b) || ip6_is_loopback(addr->b))
        return -EINVAL;
    stack_enter(st, now);
    int r = ip6_if_on(st, ifindex, now);
    if (r == 0)
        r = ip6_addr_add(st, ifindex, addr->b, prefix_len, 0, SYNACK_TIME_NEVER, SYNACK_TIME_NEVER, now);
    stack_leave(st);
    return r;
}

int synack_route6_set_gateway(synack_stack_t *st, const struct synack_ip *gw)
{
    struct ip6_router *r = &st->net->ip6.routers[0];   /* slot 0 is the static one */
    if (!gw) {
        memset(r, 0, sizeof(*r));
        return 0;
    }
    if (synack_ip_is_v4(gw) || ip6_is_multicast(gw->b) || ip6_is_unspecified(gw->b))
        return -EINVAL;
    int ifindex = -1;
    for (int i = 0; i < st->net->nifs && ifindex < 0; i++) {
        struct ip6_if *x = ip6_if(st, i);
        if (!x->on)
            continue;
        if (ip6_is_linklocal(gw->b) && st->net->ifs[i].kind == SYNACK_IF_ETHERNET)
            ifindex = i;
        for (int k = 0; k < IP6_IF_ADDRS && ifindex < 0; k++) {
            const struct ip6_addr *ad = &x->addrs[k];
            if (ad->state != IP6A_FREE && ad->state != IP6A_DUPLICATE && ip6_prefix_match(ad->a, gw->b, ad->plen))
                ifindex = i;
        }
    }
    if (ifindex < 0)
        return -ENETUNREACH;
    r->used = 1;
    r->ifindex = ifindex;
    memcpy(r->a, gw->b, 16);
    r->until = SYNACK_TIME_NEVER;
    return 0;
}

int synack_if_addrs(const synack_stack_t *st, int ifindex, struct synack_if_addr *out, size_t cap)
{
    if (ifindex < 0 || ifindex >= st->net->nifs)
        return -EINVAL;
    size_t n = 0;
    const struct iface *ifc = &st->net->ifs[ifindex];
    if (ifc->addr) {
        if (n < cap) {
            memset(&out[n], 0, sizeof(out[n]));
            out[n].addr = synack_ip_from_v4(ifc->addr);
            out[n].prefix_len = ifc->prefix_len;
            out[n].state = SYNACK_ADDR_PREFERRED;
        }
        n++;
    }
    const struct ip6_if *x = &st->net->ip6.ifs[ifindex];
    for (int k = 0; k < IP6_IF_ADDRS; k++) {
        const struct ip6_addr *ad = &x->addrs[k];
        if (ad->state == IP6A_FREE)
            continue;
        if (n < cap) {
            memset(&out[n], 0, sizeof(out[n]));
            memcpy(out[n].addr.b, ad->a, 16);
            out[n].prefix_len = ad->plen;
            out[n].state = ad->state == IP6A_TENTATIVE  ? SYNACK_ADDR_TENTATIVE
                           : ad->state == IP6A_DEPRECATED ? SYNACK_ADDR_DEPRECATED
                           : ad->state == IP6A_DUPLICATE  ? SYNACK_ADDR_DUPLICATE
                                                          : SYNACK_ADDR_PREFERRED;
            out[n].autoconf = ad->autoconf;
        }
        n++;
    }
    return (int)n;
}
