/* Neighbor Discovery for IPv6 hosts (RFC 4861): the neighbour cache and its states (7.3.2:
 * INCOMPLETE, REACHABLE, STALE, DELAY, PROBE), address resolution (7.2), neighbor solicitations
 * and advertisements (7.1.1, 7.1.2, 7.2.3-7.2.5), router solicitations and the processing of router
 * advertisements (6.3.4: default routers, on-link prefixes, MTU, and prefixes for SLAAC).
 * Redirects are counted and ignored (a host may, and no peer we serve needs them). */
#include "net/ip6.h"

#include "base/errno.h"
#include "base/mem.h"
#include "core/alloc.h"

#include "core/ctx.h"
#include "net/iface.h"
#include "net/net.h"
#include "wire/bytes.h"
#include "wire/eth.h"
#include "wire/icmp6.h"

#define ND_MAX_MULTICAST_SOLICIT 3
#define ND_MAX_UNICAST_SOLICIT 3
#define ND_DELAY_FIRST_PROBE SYNACK_SEC(5)
#define ND_QUEUE_LEN 16

static const uint8_t all_nodes[16] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
static const uint8_t all_routers[16] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };

static void nd_timer_fire(void *owner, struct timer *t, synack_time_t now);

int nd_init(synack_stack_t *st)
{
    struct ip6_state *s = &st->net->ip6;
    s->nd = mem_calloc(&st->cfg.alloc, ND_CACHE, sizeof(*s->nd));
    if (!s->nd)
        return -ENOMEM;
    for (unsigned i = 0; i < ND_CACHE; i++) {
        timer_init(&s->nd[i].timer, nd_timer_fire, &s->nd[i]);
        buf_queue_init(&s->nd[i].pending);
        s->nd[i].st = st;
    }
    return 0;
}

static void nd_clear(synack_stack_t *st, struct nd_entry *e)
{
    timer_cancel(&st->timers, &e->timer);
    buf_queue_purge(&e->pending);
    e->state = ND_FREE;
}

void nd_free(synack_stack_t *st)
{
    struct ip6_state *s = &st->net->ip6;
    if (!s->nd)
        return;
    for (unsigned i = 0; i < ND_CACHE; i++)
        nd_clear(st, &s->nd[i]);
    mem_free(&st->cfg.alloc, s->nd);
    s->nd = NULL;
}

static struct nd_entry *nd_find(synack_stack_t *st, int ifindex, const uint8_t *ip)
{
    struct nd_entry *v = st->net->ip6.nd;
    for (unsigned i = 0; i < ND_CACHE; i++)
        if (v[i].state != ND_FREE && v[i].ifindex == ifindex && memcmp(v[i].ip, ip, 16) == 0)
            return &v[i];
    return NULL;
}

/* A free entry, else the least recently used one not resolving; NULL if every entry resolves. */
static struct nd_entry *nd_slot(synack_stack_t *st)
{
    struct nd_entry *v = st->net->ip6.nd, *lru = NULL;
    for (unsigned i = 0; i < ND_CACHE; i++) {
        if (v[i].state == ND_FREE)
            return &v[i];
        if (v[i].state != ND_INCOMPLETE && (!lru || v[i].last_used < lru->last_used))
            lru = &v[i];
    }
    if (lru)
        nd_clear(st, lru);
    return lru;
}

int nd_lookup(synack_stack_t *st, int ifindex, const uint8_t *ip, uint8_t mac[6])
{
    struct nd_entry *e = nd_find(st, ifindex, ip);
    if (!e || e->state == ND_INCOMPLETE)
        return -ENOENT;
    memcpy(mac, e->mac, 6);
    return 0;
}

/* RFC 4861 6.3.2: ReachableTime is the base randomized between 0.5 and 1.5 times. */
static synack_time_t nd_reachable(synack_stack_t *st)
{
    synack_time_t base = st->net->ip6.reachable_time;
    return base / 2 + rng_below(&st->rng, (uint32_t)(base / 1000u) + 1u) * 1000u;
}

/* ---- sending ---- */

void nd_send_ns(synack_stack_t *st, struct iface *ifc, const uint8_t *target, const uint8_t *dst,
                const uint8_t *src, synack_time_t now)
{
    int ifindex = if_index(st, ifc);
    uint8_t body[16 + 8];
    memcpy(body, target, 16);
    size_t n = 16;
    uint8_t from[16] = { 0 }, to[16];
    if (src) {
        memcpy(from, src, 16);
    } else if (ip6_source_select(st, ifindex, target, from) != 0 &&
               ip6_source_select(st, ifindex, all_nodes, from) != 0) {
        /* 7.2.2: the source is one of ours: with no address of the target's scope, the link-local
         * one; with none usable, nothing is sent (from :: it would be a DAD probe, RFC 4862 5.4.2,
         * and tell the target its own address is duplicate). */
        return;
    }
    if (dst)
        memcpy(to, dst, 16);
    else
        ip6_solicited_node(target, to);
    /* 4.3: the source link-layer option, except from the unspecified address (DAD, 7.2.2). */
    if (!ip6_is_unspecified(from))
        n += nd_opt_lla_build(body + n, ND_OPT_SLLA, ifc->mac);
    stack_count(st, SYNACK_C_Icmp6OutNeighborSolicits);
    icmp6_send(st, from, to, ICMP6_ND_NS, 0, 0, body, n, ifindex, 255, now);
}

static void nd_send_na(synack_stack_t *st, struct iface *ifc, const uint8_t *target, const uint8_t *dst,
                       int solicited, synack_time_t now)
{
    int ifindex = if_index(st, ifc);
    uint8_t body[16 + 8];
    memcpy(body, target, 16);
    size_t n = 16 + nd_opt_lla_build(body + 16, ND_OPT_TLLA, ifc->mac);
    /* 7.2.4: Override set (we answer for our own unicast address), Solicited when answering a
     * unicast-sourced solicitation; the source is the target itself. */
    uint32_t flags = ND_NA_OVERRIDE | (solicited ? ND_NA_SOLICITED : 0);
    stack_count(st, SYNACK_C_Icmp6OutNeighborAdvertisements);
    icmp6_send(st, target, dst, ICMP6_ND_NA, 0, flags, body, n, ifindex, 255, now);
}

void nd_send_dad(synack_stack_t *st, struct iface *ifc, const uint8_t *target, const uint8_t nonce[6], synack_time_t now)
{
    /* RFC 4862 5.4.2: from ::, to the target's solicited-node group, no source link-layer option;
     * RFC 7527 4.1: with a Nonce option (RFC 3971 5.3.2: type 14, length 1, six bytes) so a copy
     * of this probe looped back to us is told from another node's. */
    static const uint8_t any[16];
    uint8_t body[16 + 8], to[16];
    memcpy(body, target, 16);
    body[16] = ND_OPT_NONCE;
    body[17] = 1;
    memcpy(body + 18, nonce, 6);
    ip6_solicited_node(target, to);
    stack_count(st, SYNACK_C_Icmp6OutNeighborSolicits);
    icmp6_send(st, any, to, ICMP6_ND_NS, 0, 0, body, sizeof(body), if_index(st, ifc), 255, now);
}

void nd_send_rs(synack_stack_t *st, struct iface *ifc, synack_time_t now)
{
    int ifindex = if_index(st, ifc);
    uint8_t from[16] = { 0 };
    uint8_t body[8];
    size_t n = 0;
    if (ip6_source_select(st, ifindex, all_routers, from) == 0)
        n = nd_opt_lla_build(body, ND_OPT_SLLA, ifc->mac);   /* 4.1: not from :: */
    else
        memset(from, 0, 16);
    stack_count(st, SYNACK_C_Icmp6OutRouterSolicits);
    icmp6_send(st, from, all_routers, ICMP6_ND_RS, 0, 0, body, n, ifindex, 255, now);
}

/* ---- the cache ---- */

static void nd_report_unreachable(synack_stack_t *st, struct buf_queue *q, synack_time_t now)
{
    struct buf *b;
    while ((b = buf_queue_pop(q))) {
        const uint8_t *p = b->data;
        /* Only packets with no extension header: ours carry none but a fragment header, and a
         * fragment's transport header is in the first one only. */
        if (b->len >= IP6_HDR_LEN + 8 && (p[6] == IP6_NH_TCP || p[6] == IP6_NH_UDP)) {
            const struct net_proto *tp = net_proto_find(st, p[6]);
            if (tp && tp->error) {
                struct net_err er = { .kind = NET_ERR_UNREACH, .family = NET_AF_INET6, .hdr = p + IP6_HDR_LEN,
                                      .len = b->len - IP6_HDR_LEN, .local = 1 };
                memcpy(er.src.b, p + 8, 16);
                memcpy(er.dst.b, p + 24, 16);
                tp->error(st, &er, now);
            }
        }
        buf_free(b);
    }
}

static void nd_flush(synack_stack_t *st, struct nd_entry *e, synack_time_t now)
{
    struct iface *ifc = &st->net->ifs[e->ifindex];
    struct buf *b;
    while ((b = buf_queue_pop(&e->pending))) {
        if_output_eth(st, ifc, e->mac, ETH_TYPE_IPV6, b, now);
        buf_free(b);
    }
}

static void nd_timer_fire(void *owner, struct timer *t, synack_time_t now)
{
    (void)t;
    struct nd_entry *e = owner;
    synack_stack_t *st = e->st;
    struct iface *ifc = &st->net->ifs[e->ifindex];
    switch (e->state) {
    case ND_INCOMPLETE:
        if (e->tries < ND_MAX_MULTICAST_SOLICIT) {
            e->tries++;
            nd_send_ns(st, ifc, e->ip, NULL, NULL, now);
            timer_arm(&st->timers, &e->timer, now + st->net->ip6.retrans_time);
            return;
        }
        {
            /* 7.2.2: resolution failed; the queued packets' senders hear "address unreachable"
             * (as ARP's give-up does for IPv4). */
            stack_count_n(st, SYNACK_C_NdResolveFailed, e->pending.count);
            struct buf_queue lost = e->pending;
            buf_queue_init(&e->pending);
            nd_clear(st, e);
            nd_report_unreachable(st, &lost, now);
        }
        return;
    case ND_DELAY:
        /* 7.3.3: no confirmation within DELAY_FIRST_PROBE_TIME: probe by unicast. */
        e->state = ND_PROBE;
        e->tries = 0;
        /* fall through */
    case ND_PROBE:
        if (e->tries < ND_MAX_UNICAST_SOLICIT) {
            e->tries++;
            nd_send_ns(st, ifc, e->ip, e->ip, NULL, now);
            timer_arm(&st->timers, &e->timer, now + st->net->ip6.retrans_time);
            return;
        }
        nd_clear(st, e);
        return;
    default:
        return;
    }
}

void nd_output(synack_stack_t *st, struct iface *ifc, const uint8_t *next_hop, struct buf *b, synack_time_t now)
{
    int ifindex = if_index(st, ifc);
    if (ip6_is_multicast(next_hop)) {
        uint8_t mac[6];
        ip6_mcast_mac(next_hop, mac);
        if_output_eth(st, ifc, mac, ETH_TYPE_IPV6, b, now);
        buf_free(b);
        return;
    }
    struct nd_entry *e = nd_find(st, ifindex, next_hop);
    if (e && e->state != ND_INCOMPLETE) {
        e->last_used = now;
        if (e->state == ND_REACHABLE && now >= e->reachable_until)
            e->state = ND_STALE;   /* 7.3.3: ReachableTime passed without confirmation */
        if (e->state == ND_STALE) {
            /* 7.3.3: the first packet to a STALE neighbour starts the DELAY state. */
            e->state = ND_DELAY;
            timer_arm(&st->timers, &e->timer, now + ND_DELAY_FIRST_PROBE);
        }
        if_output_eth(st, ifc, e->mac, ETH_TYPE_IPV6, b, now);
        buf_free(b);
        return;
    }
    if (!e) {
        e = nd_slot(st);
        if (!e) {
            stack_count(st, SYNACK_C_NdCacheFull);
            buf_free(b);
            return;
        }
        e->state = ND_INCOMPLETE;
        e->ifindex = ifindex;
        memcpy(e->ip, next_hop, 16);
        e->router = 0;
        e->tries = 1;
        e->last_used = now;
        nd_send_ns(st, ifc, next_hop, NULL, NULL, now);
        timer_arm(&st->timers, &e->timer, now + st->net->ip6.retrans_time);
    }
    if (e->pending.count >= ND_QUEUE_LEN) {
        /* 7.2.2: "SHOULD ... at least one": the oldest makes room, as ARP does. */
        stack_count(st, SYNACK_C_NdQueueDrops);
        buf_free(buf_queue_pop(&e->pending));
    }
    buf_queue_push(&e->pending, b);
}

/* 7.2.3 / 6.3.4 / 7.2.5: what a solicitation, RA or advertisement teaches about a neighbour's
 * link-layer address. `adv`: from an NA with its flags; else from an NS/RS/RA's source option. */
static void nd_learn(synack_stack_t *st, int ifindex, const uint8_t *ip, const uint8_t *mac, int is_router,
                     synack_time_t now)
{
    struct nd_entry *e = nd_find(st, ifindex, ip);
    if (!e) {
        e = nd_slot(st);
        if (!e) {
            stack_count(st, SYNACK_C_NdCacheFull);
            return;
        }
        e->ifindex = ifindex;
        memcpy(e->ip, ip, 16);
        e->tries = 0;
        e->last_used = now;
        e->router = (uint8_t)is_router;
        memcpy(e->mac, mac, 6);
        e->state = ND_STALE;   /* 7.2.3: a new entry learned unsolicited is STALE */
        return;
    }
    if (is_router)
        e->router = 1;
    if (e->state == ND_INCOMPLETE) {
        memcpy(e->mac, mac, 6);
        e->state = ND_STALE;
        timer_cancel(&st->timers, &e->timer);
        nd_flush(st, e, now);
    } else if (memcmp(e->mac, mac, 6) != 0) {
        memcpy(e->mac, mac, 6);
        e->state = ND_STALE;
        timer_cancel(&st->timers, &e->timer);
    }
}

/* 7.2.5: an advertisement for target with its flags and option. */
static void nd_advert(synack_stack_t *st, int ifindex, const uint8_t *target, const uint8_t *tlla, uint32_t flags,
                      synack_time_t now)
{
    struct nd_entry *e = nd_find(st, ifindex, target);
    if (!e)
        return;   /* "there is no need to create an entry" */
    int solicited = (flags & ND_NA_SOLICITED) != 0, override = (flags & ND_NA_OVERRIDE) != 0;
    if (e->state == ND_INCOMPLETE) {
        if (!tlla)
            return;
        memcpy(e->mac, tlla, 6);
        e->state = solicited ? ND_REACHABLE : ND_STALE;
        e->reachable_until = now + nd_reachable(st);
        e->router = (flags & ND_NA_ROUTER) != 0;
        timer_cancel(&st->timers, &e->timer);
        nd_flush(st, e, now);
        return;
    }
    int differs = tlla && memcmp(tlla, e->mac, 6) != 0;
    if (!override && differs) {
        if (e->state == ND_REACHABLE)
            e->state = ND_STALE;
        return;
    }
    if (tlla)
        memcpy(e->mac, tlla, 6);
    if (solicited) {
        e->state = ND_REACHABLE;
        e->reachable_until = now + nd_reachable(st);
        timer_cancel(&st->timers, &e->timer);
    } else if (differs) {
        e->state = ND_STALE;
        timer_cancel(&st->timers, &e->timer);
    }
    if (e->router && !(flags & ND_NA_ROUTER)) {
        /* No longer a router: drop it from the default router list (7.2.5). */
        for (int i = 1; i < IP6_ROUTERS; i++)
            if (st->net->ip6.routers[i].used && memcmp(st->net->ip6.routers[i].a, target, 16) == 0)
                st->net->ip6.routers[i].used = 0;
    }
    e->router = (flags & ND_NA_ROUTER) != 0;
}

struct ip6_router *nd_default_router(synack_stack_t *st, synack_time_t now)
{
    struct ip6_router *best = NULL;
    for (int i = 0; i < IP6_ROUTERS; i++) {
        struct ip6_router *r = &st->net->ip6.routers[i];
        if (!r->used)
            continue;
        if (r->until <= now) {
            r->used = 0;
            continue;
        }
        struct nd_entry *e = nd_find(st, r->ifindex, r->a);
        int reachable = e && e->state != ND_INCOMPLETE;
        if (!best || reachable)
            best = r;
        if (reachable)
            break;
    }
    return best;
}

static void nd_router_advert(synack_stack_t *st, struct iface *ifc, const struct ip6_hdr *h, uint32_t word,
                             const uint8_t *body, size_t len, const struct nd_opts *o, synack_time_t now)
{
    int ifindex = if_index(st, ifc);
    struct ip6_state *s = &st->net->ip6;
    struct ip6_if *x = ip6_if(st, ifindex);
    stack_count(st, SYNACK_C_Icmp6InRouterAdvertisements);
    if (!x->slaac)
        return;   /* a statically configured interface takes nothing from routers */
    x->rs_left = 0;   /* 6.3.7: an advertisement ends the solicitations */
    (void)len;
    uint16_t lifetime = (uint16_t)word;
    if (word >> 24)
        x->cur_hlim = (uint8_t)(word >> 24);   /* 6.3.4: Cur Hop Limit, when nonzero */
    uint32_t reach = wire_get32(body), retrans = wire_get32(body + 4);
    if (reach && reach <= 3600000u)
        s->reachable_time = SYNACK_MS(reach);   /* 6.3.4: when nonzero */
    if (retrans)
        s->retrans_time = SYNACK_MS(retrans);
    if (o->slla)
        nd_learn(st, ifindex, h->src, o->slla, 1, now);
    /* The default router list (6.3.4): slot 0 is the static router. */
    struct ip6_router *r = NULL, *free_r = NULL;
    for (int i = 1; i < IP6_ROUTERS; i++) {
        if (s->routers[i].used && s->routers[i].ifindex == ifindex && memcmp(s->routers[i].a, h->src, 16) == 0)
            r = &s->routers[i];
        else if (!s->routers[i].used && !free_r)
            free_r = &s->routers[i];
    }
    if (lifetime == 0) {
        if (r)
            r->used = 0;
    } else {
        if (!r && free_r) {
            r = free_r;
            r->used = 1;
            r->ifindex = ifindex;
            memcpy(r->a, h->src, 16);
        }
        if (r)
            r->until = now + SYNACK_SEC(lifetime);
    }
    if (o->mtu && o->mtu >= IP6_MIN_MTU && o->mtu <= ifc->mtu)
        x->mtu = o->mtu;   /* 6.3.4: only within the link's own limit */
    for (unsigned i = 0; i < o->nprefix; i++) {
        struct nd_prefix p;
        nd_prefix_read(o->prefix[i], &p);
        if (p.onlink && !ip6_is_linklocal(p.prefix) && p.len <= 128) {
            /* 6.3.4: the prefix list; a valid lifetime of 0 times the prefix out at once. */
            struct ip6_prefix *slot = NULL, *free_p = NULL;
            for (int k = 0; k < IP6_PREFIXES; k++) {
                struct ip6_prefix *q = &s->prefixes[k];
                if (q->used && q->ifindex == ifindex && q->plen == p.len && ip6_prefix_match(q->p, p.prefix, p.len))
                    slot = q;
                else if (!q->used && !free_p)
                    free_p = q;
            }
            if (p.valid == 0) {
                if (slot)
                    slot->used = 0;
            } else {
                if (!slot && free_p) {
                    slot = free_p;
                    slot->used = 1;
                    slot->ifindex = ifindex;
                    slot->plen = p.len;
                    memcpy(slot->p, p.prefix, 16);
                }
                if (slot)
                    slot->until = p.valid == 0xffffffffu ? SYNACK_TIME_NEVER : now + SYNACK_SEC(p.valid);
            }
        }
        ip6_addr_prefix_info(st, ifindex, o->prefix[i], now);
    }
}

void nd_input(synack_stack_t *st, struct iface *ifc, const struct ip6_hdr *h, uint8_t type, uint8_t code,
              uint32_t word, const uint8_t *body, size_t len, synack_time_t now)
{
    int ifindex = if_index(st, ifc);
    /* 7.1.1, 7.1.2, 6.1.2: hop limit 255 (not forwarded: from this link), code 0. */
    if (h->hlim != 255 || code != 0) {
        stack_count(st, SYNACK_C_NdInInvalid);
        return;
    }
    if (type == ICMP6_ND_REDIRECT) {
        stack_count(st, SYNACK_C_Icmp6InRedirects);
        return;
    }
    if (type == ICMP6_ND_RS)
        return;   /* for routers */
    size_t fixed = type == ICMP6_ND_RA ? 8u : 16u;
    struct nd_opts o;
    if (len < fixed || nd_opts_parse(body + fixed, len - fixed, &o) != WIRE_OK) {
        stack_count(st, SYNACK_C_NdInInvalid);
        return;
    }
    if (type == ICMP6_ND_RA) {
        /* 6.1.2: from a link-local address. */
        if (!ip6_is_linklocal(h->src)) {
            stack_count(st, SYNACK_C_NdInInvalid);
            return;
        }
        nd_router_advert(st, ifc, h, word, body, len, &o, now);
        return;
    }
    const uint8_t *target = body;
    if (ip6_is_multicast(target)) {
        stack_count(st, SYNACK_C_NdInInvalid);
        return;
    }
    int from_any = ip6_is_unspecified(h->src);
    if (type == ICMP6_ND_NS) {
        stack_count(st, SYNACK_C_Icmp6InNeighborSolicits);
        /* 7.1.1: from :: only to a solicited-node group (ff02::1:ff00:0/104, RFC 4291 2.7.1) and
         * without a source option. */
        static const uint8_t sn_prefix[13] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff };
        if (from_any && (memcmp(h->dst, sn_prefix, sizeof(sn_prefix)) != 0 || o.slla)) {
            stack_count(st, SYNACK_C_NdInInvalid);
            return;
        }
        struct ip6_addr *ad = ip6_addr_on(st, ifindex, target);
        if (!ad || ad->state == IP6A_DUPLICATE)
            return;   /* 7.2.3: not a target of ours */
        if (ad->state == IP6A_TENTATIVE) {
            /* RFC 4862 5.4.3: another node's DAD for our tentative address means it is
             * duplicate; a solicitation for it from a unicast source is not answered. RFC 7527
             * 4.2: one carrying our own nonce is our probe looped back, not another node's. */
            if (from_any && o.nonce && o.nonce_len == sizeof(ad->nonce) &&
                memcmp(o.nonce, ad->nonce, sizeof(ad->nonce)) == 0) {
                stack_count(st, SYNACK_C_Ip6DadLoopedBack);
                return;
            }
            if (from_any)
                ip6_addr_dad_failed(st, ifindex, ad, now);
            return;
        }
        if (from_any) {
            /* 7.2.4: DAD by another node for our address: defend it to all-nodes, not solicited. */
            nd_send_na(st, ifc, target, all_nodes, 0, now);
            return;
        }
        if (o.slla)
            nd_learn(st, ifindex, h->src, o.slla, 0, now);
        nd_send_na(st, ifc, target, h->src, 1, now);
        return;
    }
    if (type == ICMP6_ND_NA) {
        stack_count(st, SYNACK_C_Icmp6InNeighborAdvertisements);
        /* 7.1.2: a solicited advertisement is never multicast. */
        if ((word & ND_NA_SOLICITED) && ip6_is_multicast(h->dst)) {
            stack_count(st, SYNACK_C_NdInInvalid);
            return;
        }
        struct ip6_addr *ad = ip6_addr_on(st, ifindex, target);
        if (ad) {
            /* RFC 4862 5.4.4: someone has our address. */
            if (ad->state == IP6A_TENTATIVE)
                ip6_addr_dad_failed(st, ifindex, ad, now);
            else
                stack_count(st, SYNACK_C_Ip6DadDuplicates);
            return;
        }
        nd_advert(st, ifindex, target, o.tlla, word, now);
    }
}
