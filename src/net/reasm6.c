/* IPv6 reassembly (RFC 8200 4.5): fragments of one packet (source, destination, Identification)
 * collected into one buffer with a sorted list of the ranges held. Any overlap discards the whole
 * packet and the fragments still to come (RFC 5722 3); exact duplicates are ignored. Memory is
 * counted against reasm_mem_limit with IPv4's; an unfinished packet is abandoned after 60 s (RFC
 * 8200 4.5, as Linux's IPv6 reassembly; reasm_timeout is IPv4's, RFC 791), with Time Exceeded
 * code 1 to the source when the first fragment came (RFC 8200 4.5). */
#include "net/ip6.h"

#include "base/errno.h"
#include "base/mem.h"
#include "core/alloc.h"

#include "core/ctx.h"
#include "net/net.h"
#include "net/reasm.h"
#include "wire/icmp6.h"

#define REASM6_DGRAMS 32
#define REASM6_RANGES 64
#define REASM6_TIMEOUT SYNACK_SEC(60)   /* RFC 8200 4.5: "within 60 seconds of the reception of the first-arriving fragment" */

struct reasm6_dgram {
    int used;
    int dead;                   /* overlapped: discard what else comes until the timer ends it */
    uint8_t src[16], dst[16];
    uint32_t id;
    uint8_t next;               /* from the first fragment's fragment header */
    int have_first;
    uint8_t first_hdr[IP6_HDR_LEN];   /* the first fragment's IPv6 header, for Time Exceeded */
    uint8_t *data;
    size_t cap;
    size_t total;               /* known once the last fragment came, else 0 */
    unsigned nranges;
    uint32_t ranges[REASM6_RANGES][2];
    struct timer timer;
    synack_stack_t *st;
    int ifindex;
};

struct reasm6 {
    struct reasm6_dgram d[REASM6_DGRAMS];
};

static void release(synack_stack_t *st, struct reasm6_dgram *d)
{
    timer_cancel(&st->timers, &d->timer);
    reasm_buf_free(st, &d->data, &d->cap);
    d->used = 0;
}

static void timeout(void *owner, struct timer *t, synack_time_t now)
{
    (void)t;
    struct reasm6_dgram *d = owner;
    synack_stack_t *st = d->st;
    if (!d->dead) {
        stack_count(st, SYNACK_C_Ip6ReasmTimeout);
        stack_count(st, SYNACK_C_Ip6ReasmFails);
        if (d->have_first) {
            /* RFC 8200 4.5: Time Exceeded, code 1, quoting the first fragment (its header is all
             * we kept with enough of its data to be useful: the header and up to 1184 bytes). */
            size_t q = d->nranges && d->ranges[0][0] == 0 ? d->ranges[0][1] : 0;   /* bytes held from 0 */
            if (q > 1184)
                q = 1184;
            uint8_t quote[IP6_HDR_LEN + IP6_FRAG_HDR_LEN + 1184];
            memcpy(quote, d->first_hdr, IP6_HDR_LEN);
            struct ip6_frag fh = { .next = d->next, .offset = 0, .more = 1, .id = d->id };
            quote[6] = IP6_NH_FRAGMENT;
            ip6_frag_build(quote + IP6_HDR_LEN, &fh);
            memcpy(quote + IP6_HDR_LEN + IP6_FRAG_HDR_LEN, d->data, q);
            icmp6_send_error(st, ICMP6_TIME_EXCEEDED, 1, 0, quote, IP6_HDR_LEN + IP6_FRAG_HDR_LEN + q, 0, now);
        }
    }
    release(st, d);
}

int reasm6_init(synack_stack_t *st)
{
    struct reasm6 *r = mem_calloc(&st->cfg.alloc, 1, sizeof(*r));
    if (!r)
        return -ENOMEM;
    for (int i = 0; i < REASM6_DGRAMS; i++) {
        r->d[i].st = st;
        timer_init(&r->d[i].timer, timeout, &r->d[i]);
    }
    st->net->ip6.reasm = r;
    return 0;
}

void reasm6_free(synack_stack_t *st)
{
    struct reasm6 *r = st->net->ip6.reasm;
    if (!r)
        return;
    for (int i = 0; i < REASM6_DGRAMS; i++)
        if (r->d[i].used)
            release(st, &r->d[i]);
    mem_free(&st->cfg.alloc, r);
    st->net->ip6.reasm = NULL;
}

/* Discards the packet for an overlap (RFC 5722 3) and keeps the entry to swallow the rest. */
static void kill(synack_stack_t *st, struct reasm6_dgram *d)
{
    stack_count(st, SYNACK_C_Ip6ReasmOverlaps);
    stack_count(st, SYNACK_C_Ip6ReasmFails);
    reasm_buf_free(st, &d->data, &d->cap);
    d->dead = 1;
}

int reasm6_add(synack_stack_t *st, struct iface *ifc, const uint8_t *pkt, size_t pkt_len, size_t frag_off,
               const struct ip6_frag *fh, uint8_t **out, size_t *out_len, synack_time_t now)
{
    struct reasm6 *r = st->net->ip6.reasm;
    const uint8_t *src = pkt + 8, *dst = pkt + 24;
    const uint8_t *data = pkt + frag_off + IP6_FRAG_HDR_LEN;
    size_t n = pkt_len - frag_off - IP6_FRAG_HDR_LEN;
    uint32_t start = fh->offset, end = (uint32_t)(fh->offset + n);
    struct reasm6_dgram *d = NULL, *free_d = NULL;
    for (int i = 0; i < REASM6_DGRAMS; i++) {
        struct reasm6_dgram *x = &r->d[i];
        if (x->used && x->id == fh->id && memcmp(x->src, src, 16) == 0 && memcmp(x->dst, dst, 16) == 0)
            d = x;
        else if (!x->used && !free_d)
            free_d = x;
    }
    if (!d) {
        if (!free_d) {
            stack_count(st, SYNACK_C_Ip6ReasmFails);
            return 0;
        }
        d = free_d;
        memset(d->ranges, 0, sizeof(d->ranges));
        d->used = 1;
        d->dead = 0;
        memcpy(d->src, src, 16);
        memcpy(d->dst, dst, 16);
        d->id = fh->id;
        d->have_first = 0;
        d->total = 0;
        d->nranges = 0;
        d->data = NULL;
        d->cap = 0;
        d->ifindex = if_index(st, ifc);
        timer_arm(&st->timers, &d->timer, now + REASM6_TIMEOUT);
    }
    if (d->dead)
        return 0;
    /* The end is fixed by the last fragment; data beyond it, or a second different end, is an
     * inconsistency treated as an overlap. */
    uint32_t held_end = d->nranges ? d->ranges[d->nranges - 1][1] : 0;
    if ((!fh->more && d->total && d->total != end) || (d->total && end > d->total) ||
        (!fh->more && end < held_end)) {
        kill(st, d);
        return 0;
    }
    for (unsigned i = 0; i < d->nranges; i++) {
        if (d->ranges[i][0] == start && d->ranges[i][1] == end)
            return 0;   /* an exact duplicate (a retransmitted fragment): nothing new */
        if (start < d->ranges[i][1] && d->ranges[i][0] < end) {
            kill(st, d);
            return 0;
        }
    }
    if (d->nranges == REASM6_RANGES) {
        kill(st, d);
        return 0;
    }
    int err = reasm_buf_grow(st, &d->data, &d->cap, end);
    if (err) {
        stack_count(st, err == -ENOBUFS ? SYNACK_C_Ip6ReasmFails : SYNACK_C_BufAllocFails);
        release(st, d);
        return 0;
    }
    memcpy(d->data + start, data, n);
    unsigned at = 0;
    while (at < d->nranges && d->ranges[at][0] < start)
        at++;
    memmove(&d->ranges[at + 1], &d->ranges[at], (d->nranges - at) * sizeof(d->ranges[0]));
    d->ranges[at][0] = start;
    d->ranges[at][1] = end;
    d->nranges++;
    if (start == 0) {
        d->have_first = 1;
        d->next = fh->next;
        memcpy(d->first_hdr, pkt, IP6_HDR_LEN);
    }
    if (!fh->more)
        d->total = end;
    if (!d->total || !d->have_first)
        return 0;
    uint32_t reach = 0;
    for (unsigned i = 0; i < d->nranges; i++) {
        if (d->ranges[i][0] != reach)
            return 0;
        reach = d->ranges[i][1];
    }
    if (reach != d->total)
        return 0;
    uint8_t *whole = mem_alloc(&st->cfg.alloc, IP6_HDR_LEN + d->total);
    if (!whole) {
        stack_count(st, SYNACK_C_BufAllocFails);
        release(st, d);
        return 0;
    }
    /* The reassembled packet: the first fragment's header (the unfragmentable part's hop-by-hop
     * header, if any, was processed per fragment) naming what the fragment header named. */
    memcpy(whole, d->first_hdr, IP6_HDR_LEN);
    whole[4] = (uint8_t)(d->total >> 8);
    whole[5] = (uint8_t)d->total;
    whole[6] = d->next;
    memcpy(whole + IP6_HDR_LEN, d->data, d->total);
    *out = whole;
    *out_len = IP6_HDR_LEN + d->total;
    stack_count(st, SYNACK_C_Ip6ReasmOKs);
    release(st, d);
    return 1;
}
