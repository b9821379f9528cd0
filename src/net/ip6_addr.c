/* IPv6 addresses of the interfaces: duplicate address detection (RFC 4862 5.4), stateless
 * autoconfiguration from router advertisements (RFC 4862 5.5), lifetimes, the groups an interface
 * listens to and their MLDv2 reports (RFC 3810), and source address selection (RFC 6724). */
#include "net/ip6.h"

#include "base/errno.h"
#include "base/mem.h"

#include "core/ctx.h"
#include "core/rng.h"
#include "net/iface.h"
#include "net/net.h"
#include "wire/bytes.h"
#include "wire/icmp6.h"

void ip6_if_timer(void *owner, struct timer *t, synack_time_t now);
int ip6_addr_add(synack_stack_t *st, int ifindex, const uint8_t *a, uint8_t plen, int autoconf,
                 synack_time_t valid_until, synack_time_t preferred_until, synack_time_t now);

static const uint8_t all_nodes[16] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
static const uint8_t mld_routers[16] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x16 };

static int usable(const struct ip6_addr *ad)
{
    return ad->state == IP6A_PREFERRED || ad->state == IP6A_DEPRECATED;
}

struct ip6_addr *ip6_addr_on(synack_stack_t *st, int ifindex, const uint8_t *a)
{
    struct ip6_if *x = ip6_if(st, ifindex);
    for (int k = 0; k < IP6_IF_ADDRS; k++)
        if (x->addrs[k].state != IP6A_FREE && memcmp(x->addrs[k].a, a, 16) == 0)
            return &x->addrs[k];
    return NULL;
}

struct ip6_addr *ip6_addr_find(synack_stack_t *st, const uint8_t *a, int *ifindex)
{
    for (int i = 0; i < st->net->nifs; i++) {
        struct ip6_addr *ad = ip6_addr_on(st, i, a);
        if (ad && usable(ad) && ip6_if_up(ip6_if(st, i))) {
            if (ifindex)
                *ifindex = i;
            return ad;
        }
    }
    return NULL;
}

int ip6_is_for_us(synack_stack_t *st, int ifindex, const uint8_t *dst)
{
    struct ip6_if *x = ip6_if(st, ifindex);
    if (!ip6_if_up(x))
        return 0;
    if (ip6_is_multicast(dst)) {
        if (memcmp(dst, all_nodes, 16) == 0)
            return 1;
        for (int k = 0; k < IP6_IF_ADDRS; k++) {
            uint8_t sn[16];
            if (x->addrs[k].state == IP6A_FREE)
                continue;
            ip6_solicited_node(x->addrs[k].a, sn);
            if (memcmp(sn, dst, 16) == 0)
                return 1;
        }
        return 0;
    }
    /* RFC 4862 5.4: a packet for a tentative address is not ours yet (ND for it aside, which
     * icmp6/nd look at before this); the weak host model for the rest, as for IPv4. */
    return ip6_addr_find(st, dst, NULL) != NULL;
}

int ip6_source_select(synack_stack_t *st, int ifindex, const uint8_t *dst, uint8_t out[16])
{
    /* RFC 6724 5, the rules that matter to a host with few addresses: rule 2 (appropriate scope:
     * link-local for link-local and link-scope multicast destinations, else a wider one), rule 3
     * (avoid deprecated addresses), rule 5 (the outgoing interface's) and rule 8 (longest
     * matching prefix). */
    int want_ll = ip6_is_linklocal(dst) || (ip6_is_multicast(dst) && (dst[1] & 0x0f) <= 2);
    const struct ip6_addr *best = NULL;
    for (int pass = 0; pass < 2 && !best; pass++) {
        for (int i = 0; i < st->net->nifs; i++) {
            if (pass == 0 ? i != ifindex : i == ifindex)
                continue;
            struct ip6_if *x = ip6_if(st, i);
            for (int k = 0; k < IP6_IF_ADDRS && ip6_if_up(x); k++) {
                const struct ip6_addr *ad = &x->addrs[k];
                if (!usable(ad) || ip6_is_linklocal(ad->a) != want_ll)
                    continue;
                if (want_ll && i != ifindex)
                    continue;   /* a link-local address is only good on its own link */
                if (best) {
                    int dep_a = ad->state == IP6A_DEPRECATED, dep_b = best->state == IP6A_DEPRECATED;
                    if (dep_a != dep_b) {
                        if (dep_a)
                            continue;
                    } else if (ip6_common_prefix(ad->a, dst) <= ip6_common_prefix(best->a, dst)) {
                        continue;
                    }
                }
                best = ad;
            }
        }
    }
    if (!best)
        return -EADDRNOTAVAIL;
    memcpy(out, best->a, 16);
    return 0;
}

/* The MLDv2 report of every group ifindex listens to but all-nodes (RFC 3810 5.2, 6: "never
 * sent for the link-scope all-nodes address"), each as CHANGE_TO_EXCLUDE_MODE with no source
 * (a join). Sent to ff02::16 with hop limit 1 and a Router Alert (RFC 3810 5). */
void ip6_mld_report(synack_stack_t *st, int ifindex, synack_time_t now)
{
    struct ip6_if *x = ip6_if(st, ifindex);
    if (x->disabled)
        return;
    uint8_t body[IP6_IF_ADDRS * 20];
    size_t n = 0;
    unsigned groups = 0;
    for (int k = 0; k < IP6_IF_ADDRS; k++) {
        if (x->addrs[k].state == IP6A_FREE || x->addrs[k].state == IP6A_DUPLICATE)
            continue;
        uint8_t sn[16];
        ip6_solicited_node(x->addrs[k].a, sn);
        int seen = 0;
        for (size_t o = 0; o < n; o += 20)
            if (memcmp(body + o + 4, sn, 16) == 0)
                seen = 1;
        if (seen)
            continue;
        body[n] = 4;   /* CHANGE_TO_EXCLUDE_MODE */
        body[n + 1] = 0;
        wire_put16(body + n + 2, 0);
        memcpy(body + n + 4, sn, 16);
        n += 20;
        groups++;
    }
    if (!groups)
        return;
    uint8_t src[16] = { 0 };
    ip6_source_select(st, ifindex, mld_routers, src);   /* :: while no link-local is usable (5.2.13) */
    stack_count(st, SYNACK_C_Icmp6OutMLDv2Reports);
    icmp6_send(st, src, mld_routers, ICMP6_MLD2_REPORT, 0, groups, body, n, ifindex, 1, now);
}

/* Arms the interface's timer for the next time it has work (a DAD step, a solicitation, a
 * lifetime), or cancels it when there is none. */
static void if_rearm(synack_stack_t *st, struct ip6_if *x)
{
    synack_time_t next = x->rs_left && x->rs_at ? x->rs_at : SYNACK_TIME_NEVER;
    for (int k = 0; k < IP6_IF_ADDRS; k++) {
        const struct ip6_addr *ad = &x->addrs[k];
        if (ad->state == IP6A_TENTATIVE && ad->dad_at < next)
            next = ad->dad_at;
        if (ad->state == IP6A_PREFERRED && ad->preferred_until < next)
            next = ad->preferred_until;
        if (usable(ad) && ad->valid_until < next)
            next = ad->valid_until;
    }
    if (next == SYNACK_TIME_NEVER)
        timer_cancel(&st->timers, &x->timer);
    else
        timer_arm(&st->timers, &x->timer, next);
}

int ip6_addr_add(synack_stack_t *st, int ifindex, const uint8_t *a, uint8_t plen, int autoconf,
                 synack_time_t valid_until, synack_time_t preferred_until, synack_time_t now)
{
    struct ip6_if *x = ip6_if(st, ifindex);
    if (ip6_addr_on(st, ifindex, a))
        return -EEXIST;
    struct ip6_addr *ad = NULL;
    for (int k = 0; k < IP6_IF_ADDRS && !ad; k++)
        if (x->addrs[k].state == IP6A_FREE)
            ad = &x->addrs[k];
    if (!ad)
        return -ENOSPC;
    memset(ad, 0, sizeof(*ad));
    memcpy(ad->a, a, 16);
    ad->plen = plen;
    ad->autoconf = (uint8_t)autoconf;
    ad->valid_until = valid_until;
    ad->preferred_until = preferred_until;
    struct iface *ifc = &st->net->ifs[ifindex];
    if (st->cfg.ip6_dad_transmits < 0 || ifc->kind != SYNACK_IF_ETHERNET) {
        /* No DAD configured, or a point-to-point link with no one else on it. */
        ad->state = IP6A_PREFERRED;
    } else {
        /* RFC 4862 5.4: tentative until DupAddrDetectTransmits solicitations went unanswered;
         * the group is joined first so a peer's own DAD for the address reaches us (5.4.2). */
        ad->state = IP6A_TENTATIVE;
        ad->dad_left = (uint8_t)(st->cfg.ip6_dad_transmits ? st->cfg.ip6_dad_transmits : 1);
        ad->dad_at = now;
        rng_bytes(&st->rng, ad->nonce, sizeof(ad->nonce));
    }
    if (ifc->kind == SYNACK_IF_ETHERNET)
        ip6_mld_report(st, ifindex, now);
    if_rearm(st, x);
    return 0;
}

void ip6_addr_dad_failed(synack_stack_t *st, int ifindex, struct ip6_addr *ad, synack_time_t now)
{
    /* RFC 4862 5.4.5: the address is not used. When it is the link-local address formed from
     * the interface's MAC, the MAC itself is likely duplicate: IP operation on the interface
     * SHOULD be disabled, so the interface neither sends nor accepts IPv6 any more (its
     * addresses stay listed; the link-local one as DUPLICATE). */
    stack_count(st, SYNACK_C_Ip6DadDuplicates);
    ad->state = IP6A_DUPLICATE;
    struct ip6_if *x = ip6_if(st, ifindex);
    struct iface *ifc = &st->net->ifs[ifindex];
    uint8_t ll[16] = { 0xfe, 0x80 };
    ip6_eui64(ifc->mac, ll + 8);
    if (ifc->kind == SYNACK_IF_ETHERNET && memcmp(ad->a, ll, 16) == 0 && !x->disabled) {
        stack_count(st, SYNACK_C_Ip6IfDisabledByDad);
        x->disabled = 1;
        x->rs_left = 0;
        x->rs_at = 0;
        timer_cancel(&st->timers, &x->timer);
        return;
    }
    if_rearm(st, x);
}

void ip6_if_timer(void *owner, struct timer *t, synack_time_t now)
{
    (void)t;
    struct ip6_if *x = owner;
    synack_stack_t *st = x->st;
    struct iface *ifc = &st->net->ifs[x->ifindex];
    if (x->disabled)
        return;
    for (int k = 0; k < IP6_IF_ADDRS; k++) {
        struct ip6_addr *ad = &x->addrs[k];
        if (ad->state == IP6A_FREE)
            continue;
        if (usable(ad) && ad->valid_until <= now) {
            ad->state = IP6A_FREE;   /* RFC 4862 5.5.4: invalid, removed */
            continue;
        }
        if (ad->state == IP6A_PREFERRED && ad->preferred_until <= now)
            ad->state = IP6A_DEPRECATED;
        if (ad->state != IP6A_TENTATIVE || ad->dad_at > now)
            continue;
        if (ad->dad_left) {
            ad->dad_left--;
            nd_send_dad(st, ifc, ad->a, ad->nonce, now);
            ad->dad_at = now + st->net->ip6.retrans_time;
        } else {
            ad->state = IP6A_PREFERRED;
            if (ip6_is_linklocal(ad->a)) {
                /* The link-local address is usable: report from it, and solicit routers. */
                ip6_mld_report(st, x->ifindex, now);
                if (x->rs_left && !x->rs_at)
                    x->rs_at = now;
            }
        }
    }
    if (x->rs_left && x->rs_at && x->rs_at <= now) {
        /* RFC 4861 6.3.7: from the link-local address (nd_send_rs picks it). */
        x->rs_left--;
        nd_send_rs(st, ifc, now);
        x->rs_at = x->rs_left ? now + SYNACK_SEC(4) : 0;   /* RTR_SOLICITATION_INTERVAL */
        if (!x->rs_left)
            x->rs_at = 0;
    }
    if (x->rs_left && !x->rs_at) {
        /* Waiting for the link-local address's DAD (or there is none, on a raw-IP link). */
        int waiting = 0;
        for (int k = 0; k < IP6_IF_ADDRS; k++)
            if (x->addrs[k].state == IP6A_TENTATIVE && ip6_is_linklocal(x->addrs[k].a))
                waiting = 1;
        if (!waiting)
            x->rs_at = now;
    }
    if_rearm(st, x);
}

void ip6_addr_prefix_info(synack_stack_t *st, int ifindex, const uint8_t *opt, synack_time_t now)
{
    struct nd_prefix p;
    nd_prefix_read(opt, &p);
    /* RFC 4862 5.5.3 (a)-(c): autonomous, not link-local, preferred <= valid. */
    if (!p.autonomous || ip6_is_linklocal(p.prefix) || p.preferred > p.valid)
        return;
    if (p.len != 64)
        return;   /* (d): an interface identifier of 64 bits needs a /64 (RFC 4291 2.5.1) */
    struct iface *ifc = &st->net->ifs[ifindex];
    uint8_t a[16];
    memcpy(a, p.prefix, 8);
    ip6_eui64(ifc->mac, a + 8);
    synack_time_t valid = p.valid == 0xffffffffu ? SYNACK_TIME_NEVER : now + SYNACK_SEC(p.valid);
    synack_time_t pref = p.preferred == 0xffffffffu ? SYNACK_TIME_NEVER : now + SYNACK_SEC(p.preferred);
    struct ip6_addr *ad = ip6_addr_on(st, ifindex, a);
    if (!ad) {
        if (p.valid)
            ip6_addr_add(st, ifindex, a, 64, 1, valid, pref, now);
        return;
    }
    if (!ad->autoconf)
        return;
    /* (e): the two-hour rule keeps an unauthenticated RA from cutting a lifetime short. */
    synack_time_t two_h = now + SYNACK_SEC(7200);
    if (valid > two_h || valid > ad->valid_until)
        ad->valid_until = valid;
    else if (ad->valid_until > two_h)
        ad->valid_until = two_h;
    ad->preferred_until = pref;
    if (ad->state == IP6A_DEPRECATED && pref > now)
        ad->state = IP6A_PREFERRED;
    struct ip6_if *x = ip6_if(st, ifindex);
    if_rearm(st, x);
}
