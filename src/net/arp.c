/* ARP, RFC 826 "Packet Reception" with a bounded cache.
 *
 * Entries are INCOMPLETE (a request is out; packets wait in a bounded queue; retried every
 * arp_retry up to arp_max_tries, then the queue is dropped) or REACHABLE (expires after
 * arp_timeout). When the cache is full, the least recently used REACHABLE entry is reused. */
#include "net/arp.h"

#include "base/errno.h"
#include "core/alloc.h"
#include "base/mem.h"

#include "net/iface.h"
#include "core/ctx.h"
#include "net/net.h"
#include "wire/arp.h"
#include "wire/bytes.h"
#include "wire/eth.h"

static void arp_timer_fire(void *owner, struct timer *t, synack_time_t now);

int arp_cache_init(synack_stack_t *st, struct arp_cache *c, unsigned n)
{
    c->v = mem_calloc(&st->cfg.alloc, n, sizeof(*c->v));
    if (!c->v)
        return -ENOMEM;
    c->n = n;
    for (unsigned i = 0; i < n; i++) {
        timer_init(&c->v[i].timer, arp_timer_fire, &c->v[i]);
        buf_queue_init(&c->v[i].pending);
        c->v[i].st = st;
    }
    return 0;
}

/* Tells the transport of each IPv4 datagram in q that its next hop is unreachable (a local
 * NET_ERR_UNREACH, through the same entry ICMP errors take), and frees them. */
static void arp_report_unreachable(synack_stack_t *st, struct buf_queue *q, synack_time_t now)
{
    struct buf *b;
    while ((b = buf_queue_pop(q))) {
        const uint8_t *p = b->data;
        size_t len = b->len;
        unsigned ihl = len ? (p[0] & 0x0fu) * 4u : 0;
        if (len >= 20 && (p[0] >> 4) == 4 && ihl >= 20 && len >= ihl + 8) {
            const struct net_proto *tp = net_proto_find(st, p[9]);
            if (tp && tp->error) {
                struct net_err er = { .kind = NET_ERR_UNREACH, .family = NET_AF_INET,
                                      .src = synack_ip_from_v4(wire_get32(p + 12)),
                                      .dst = synack_ip_from_v4(wire_get32(p + 16)),
                                      .hdr = p + ihl, .len = len - ihl, .local = 1 };
                tp->error(st, &er, now);
            }
        }
        buf_free(b);
    }
}

static void arp_entry_clear(synack_stack_t *st, struct arp_entry *e)
{
    timer_cancel(&st->timers, &e->timer);
    buf_queue_purge(&e->pending);
    e->state = ARP_FREE;
}

void arp_cache_free(synack_stack_t *st, struct arp_cache *c)
{
    if (!c->v)
        return;
    for (unsigned i = 0; i < c->n; i++)
        arp_entry_clear(st, &c->v[i]);
    mem_free(&st->cfg.alloc, c->v);
    c->v = NULL;
}

static struct arp_entry *arp_find(struct arp_cache *c, int ifindex, uint32_t ip)
{
    for (unsigned i = 0; i < c->n; i++)
        if (c->v[i].state != ARP_FREE && c->v[i].ifindex == ifindex && c->v[i].ip == ip)
            return &c->v[i];
    return NULL;
}

/* A free slot, else the least recently used resolved entry; NULL if all are resolving. */
static struct arp_entry *arp_slot(synack_stack_t *st, struct arp_cache *c)
{
    struct arp_entry *lru = NULL;
    for (unsigned i = 0; i < c->n; i++) {
        struct arp_entry *e = &c->v[i];
        if (e->state == ARP_FREE)
            return e;
        if (e->state == ARP_REACHABLE && (!lru || e->last_used < lru->last_used))
            lru = e;
    }
    if (lru)
        arp_entry_clear(st, lru);
    return lru;
}

int arp_lookup(synack_stack_t *st, int ifindex, uint32_t ip, uint8_t mac[6])
{
    struct arp_entry *e = arp_find(&st->net->arp, ifindex, ip);
    if (!e || e->state != ARP_REACHABLE)
        return -ENOENT;
    memcpy(mac, e->mac, 6);
    return 0;
}

static void arp_send(synack_stack_t *st, struct iface *ifc, uint16_t op, const uint8_t *dst_mac,
                     const uint8_t *tha, uint32_t tpa, synack_time_t now)
{
    uint8_t frame[ETH_HDR_LEN + ARP_LEN];
    struct eth_hdr eh;
    memcpy(eh.dst, dst_mac, 6);
    memcpy(eh.src, ifc->mac, 6);
    eh.type = ETH_TYPE_ARP;
    eth_build(frame, &eh);
    struct arp_pkt a = { .op = op, .spa = ifc->addr, .tpa = tpa };
    memcpy(a.sha, ifc->mac, 6);
    memcpy(a.tha, tha, 6);
    arp_build(frame + ETH_HDR_LEN, &a);
    stack_count(st, op == ARP_OP_REQUEST ? SYNACK_C_ArpOutRequests : SYNACK_C_ArpOutReplies);
    if_transmit(st, ifc, frame, sizeof(frame), 0, now);
}

static void arp_request(synack_stack_t *st, struct arp_entry *e, synack_time_t now)
{
    static const uint8_t zero[6];
    e->tries++;
    arp_send(st, &st->net->ifs[e->ifindex], ARP_OP_REQUEST, eth_broadcast, zero, e->ip, now);
    timer_arm(&st->timers, &e->timer, now + st->cfg.arp_retry);
}

static void arp_timer_fire(void *owner, struct timer *t, synack_time_t now)
{
    struct arp_entry *e = owner;
    synack_stack_t *st = e->st;
    if (e->state == ARP_REACHABLE) {
        /* The entry has aged out. If it is in use, keep using it while we ask again with a
         * unicast poll to the known address (RFC 1122 2.3.2.1), so traffic does not stall or queue
         * behind a re-resolution; only when the polls go unanswered is it dropped. An entry nobody
         * used during its lifetime simply goes. */
        if (now - e->last_used < st->cfg.arp_timeout && e->tries < st->cfg.arp_max_tries) {
            e->tries++;
            arp_send(st, &st->net->ifs[e->ifindex], ARP_OP_REQUEST, e->mac, e->mac, e->ip, now);
            timer_arm(&st->timers, &e->timer, now + st->cfg.arp_retry);
            return;
        }
        arp_entry_clear(st, e);
        return;
    }
    if (e->state == ARP_INCOMPLETE && e->tries < st->cfg.arp_max_tries) {
        arp_request(st, e, now);
        return;
    }
    if (e->state == ARP_INCOMPLETE) {
        /* RFC 1122 2.3.2.2: give up; the queued packets are lost, and counted, and each
         * transport whose packet waited hears that the host is unreachable (as Linux reports
         * EHOSTUNREACH to a connect() once ARP gives up, instead of retrying SYNs for minutes). The
         * queue is taken first: a transport may send again (an RST) while it hears of it. */
        stack_count_n(st, SYNACK_C_ArpResolveFailed, e->pending.count);
        struct buf_queue lost = e->pending;
        buf_queue_init(&e->pending);
        arp_entry_clear(st, e);
        arp_report_unreachable(st, &lost, now);
        return;
    }
    arp_entry_clear(st, e);
}

static void arp_flush_pending(synack_stack_t *st, struct arp_entry *e, synack_time_t now)
{
    struct iface *ifc = &st->net->ifs[e->ifindex];
    struct buf *b;
    while ((b = buf_queue_pop(&e->pending))) {
        if_output_eth(st, ifc, e->mac, ETH_TYPE_IPV4, b, now);
        buf_free(b);
    }
}

static void arp_set_reachable(synack_stack_t *st, struct arp_entry *e, const uint8_t *mac, synack_time_t now)
{
    memcpy(e->mac, mac, 6);
    e->state = ARP_REACHABLE;
    e->tries = 0;
    e->last_used = now;
    timer_arm(&st->timers, &e->timer, now + st->cfg.arp_timeout);
    arp_flush_pending(st, e, now);
}

void arp_input(synack_stack_t *st, struct iface *ifc, const uint8_t *p, size_t len, synack_time_t now)
{
    int ifindex = if_index(st, ifc);
    struct arp_pkt a;
    stack_count(st, SYNACK_C_ArpInPackets);
    if (arp_parse(p, len, &a) != 0 || (a.op != ARP_OP_REQUEST && a.op != ARP_OP_REPLY) ||
        eth_is_multicast(a.sha) || a.spa == ifc->addr) {
        stack_drop(st, SYNACK_C_ArpInErrors, ifindex, SYNACK_IF_ETHERNET, p, len);
        return;
    }
    /* RFC 826 "Packet Reception": if the sender is in the table, update it (merge_flag). */
    struct arp_entry *e = arp_find(&st->net->arp, ifindex, a.spa);
    int for_us = a.tpa == ifc->addr;
    if (e) {
        arp_set_reachable(st, e, a.sha, now);
    } else if (for_us && a.spa != 0 && (a.spa & ifc->mask) == (ifc->addr & ifc->mask)) {
        /* "?Am I the target protocol address? If merge_flag is false, add the triplet." Only for
         * neighbours on our network: a request for us from elsewhere teaches us nothing we may use. */
        e = arp_slot(st, &st->net->arp);
        if (!e) {
            stack_count(st, SYNACK_C_ArpCacheFull);
        } else {
            e->ifindex = ifindex;
            e->ip = a.spa;
            arp_set_reachable(st, e, a.sha, now);
        }
    }
    if (!for_us) {
        if (a.op == ARP_OP_REQUEST)
            stack_count(st, SYNACK_C_ArpInNotForUs);
        return;
    }
    if (a.op == ARP_OP_REQUEST)
        arp_send(st, ifc, ARP_OP_REPLY, a.sha, a.sha, a.spa, now);
}

void arp_output(synack_stack_t *st, struct iface *ifc, uint32_t next_hop, struct buf *b, synack_time_t now)
{
    int ifindex = if_index(st, ifc);
    uint32_t bcast = ifc->addr | ~ifc->mask;
    if (next_hop == 0xffffffffu || (ifc->prefix_len < 31 && next_hop == bcast)) {
        if_output_eth(st, ifc, eth_broadcast, ETH_TYPE_IPV4, b, now);
        buf_free(b);
        return;
    }
    struct arp_entry *e = arp_find(&st->net->arp, ifindex, next_hop);
    if (e && e->state == ARP_REACHABLE) {
        e->last_used = now;
        if_output_eth(st, ifc, e->mac, ETH_TYPE_IPV4, b, now);
        buf_free(b);
        return;
    }
    if (!e) {
        e = arp_slot(st, &st->net->arp);
        if (!e) {
            stack_count(st, SYNACK_C_ArpCacheFull);
            buf_free(b);
            return;
        }
        e->state = ARP_INCOMPLETE;
        e->ifindex = ifindex;
        e->ip = next_hop;
        e->tries = 0;
        e->last_used = now;
        arp_request(st, e, now);
    }
    if (st->cfg.arp_queue_len == 0) {
        stack_count(st, SYNACK_C_ArpQueueDrops);
        buf_free(b);
        return;
    }
    if (e->pending.count >= st->cfg.arp_queue_len) {
        /* RFC 1122 2.3.2.2: "SHOULD save ... at least one (the latest) packet": when the queue is
         * full the oldest packet makes room (a later one is more likely to matter, e.g. a
         * retransmission that supersedes it). */
        stack_count(st, SYNACK_C_ArpQueueDrops);
        buf_free(buf_queue_pop(&e->pending));
    }
    buf_queue_push(&e->pending, b);
}
