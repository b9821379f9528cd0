/* IPv4 reassembly (see reasm.h). */
#include "net/reasm.h"

#include "base/errno.h"
#include "base/mem.h"
#include "core/alloc.h"

#include "core/ctx.h"
#include "net/net.h"
#include "wire/csum.h"

int reasm_buf_grow(synack_stack_t *st, uint8_t **data, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : 2048;
    while (n < need)
        n *= 2;
    if (n > 65535)
        n = 65535;
    if (st->net->reasm.mem - *cap + n > st->cfg.reasm_mem_limit)
        return -ENOBUFS;
    uint8_t *p = mem_realloc(&st->cfg.alloc, *data, n);
    if (!p)
        return -ENOMEM;
    st->net->reasm.mem = st->net->reasm.mem - *cap + n;
    *data = p;
    *cap = n;
    return 0;
}

void reasm_buf_free(synack_stack_t *st, uint8_t **data, size_t *cap)
{
    st->net->reasm.mem -= *cap;
    mem_free(&st->cfg.alloc, *data);
    *data = NULL;
    *cap = 0;
}

static void reasm_release(synack_stack_t *st, struct reasm_dgram *d)
{
    timer_cancel(&st->timers, &d->timer);
    reasm_buf_free(st, &d->data, &d->cap);
    d->used = 0;
}

static void reasm_timeout(void *owner, struct timer *t, synack_time_t now)
{
    struct reasm_dgram *d = owner;
    synack_stack_t *st = d->st;
    stack_count(st, SYNACK_C_ReasmTimeout);
    stack_count(st, SYNACK_C_ReasmFails);
    /* RFC 792 / RFC 1122 3.2.2.4 would allow "fragment reassembly time exceeded" when we hold the
     * first fragment; we stay silent like many hosts, the counter records it. */
    reasm_release(st, d);
}

void reasm_init(synack_stack_t *st, struct reasm_table *t)
{
    memset(t, 0, sizeof(*t));
    for (int i = 0; i < REASM_MAX_DGRAMS; i++) {
        t->d[i].st = st;
        timer_init(&t->d[i].timer, reasm_timeout, &t->d[i]);
    }
}

void reasm_free(synack_stack_t *st, struct reasm_table *t)
{
    for (int i = 0; i < REASM_MAX_DGRAMS; i++)
        if (t->d[i].used)
            reasm_release(st, &t->d[i]);
}

static struct reasm_dgram *reasm_find(struct reasm_table *t, const struct ip4_hdr *h)
{
    for (int i = 0; i < REASM_MAX_DGRAMS; i++) {
        struct reasm_dgram *d = &t->d[i];
        if (d->used && d->src == h->src && d->dst == h->dst && d->id == h->id && d->proto == h->proto)
            return d;
    }
    return NULL;
}

static struct reasm_dgram *reasm_new(synack_stack_t *st, const struct ip4_hdr *h, synack_time_t now)
{
    for (int i = 0; i < REASM_MAX_DGRAMS; i++) {
        struct reasm_dgram *d = &st->net->reasm.d[i];
        if (d->used)
            continue;
        d->used = 1;
        d->src = h->src;
        d->dst = h->dst;
        d->id = h->id;
        d->proto = h->proto;
        d->hdr_len = 0;
        d->total = 0;
        d->nfrags = 0;
        d->data = NULL;
        d->cap = 0;
        /* RFC 791 3.2: the timer starts with the first fragment and is not extended by later ones
         * (extending it would let a trickle of fragments hold memory for ever). */
        timer_arm(&st->timers, &d->timer, now + st->cfg.reasm_timeout);
        return d;
    }
    return NULL;
}

/* How a fragment [s, e) relates to the data held: new, an exact duplicate of bytes held (a
 * retransmission), or an overlap (some of its bytes fall on held data and differ, or it straddles a
 * boundary). Overlaps are never merged in: the teardrop and overlapping-fragment attacks. */
enum { REASM_NEW, REASM_DUP, REASM_OVERLAP };

static int reasm_classify(const struct reasm_dgram *d, uint32_t s, uint32_t e, const uint8_t *bytes)
{
    for (unsigned i = 0; i < d->nfrags; i++) {
        if (d->ranges[i][1] <= s || d->ranges[i][0] >= e)
            continue;
        if (d->ranges[i][0] <= s && e <= d->ranges[i][1])
            return memcmp(d->data + s, bytes, e - s) == 0 ? REASM_DUP : REASM_OVERLAP;
        return REASM_OVERLAP;
    }
    return REASM_NEW;
}

/* Does [s, e) need a range slot of its own, or does it touch a held range it will merge with? */
static int reasm_needs_slot(const struct reasm_dgram *d, uint32_t s, uint32_t e)
{
    for (unsigned i = 0; i < d->nfrags; i++)
        if (d->ranges[i][1] == s || d->ranges[i][0] == e)
            return 0;
    return 1;
}

/* Inserts the new range [s, e) into the sorted list, merging it with the ranges it touches so that
 * a datagram in many fragments (65535 bytes at MTU 576 is 119) needs few slots. */
static void reasm_insert_merge(struct reasm_dgram *d, uint32_t s, uint32_t e)
{
    unsigned i = 0;
    while (i < d->nfrags && d->ranges[i][1] <= s)
        i++;
    int left = i > 0 && d->ranges[i - 1][1] == s;
    int right = i < d->nfrags && d->ranges[i][0] == e;
    if (left && right) {
        d->ranges[i - 1][1] = d->ranges[i][1];
        memmove(&d->ranges[i], &d->ranges[i + 1], (d->nfrags - i - 1) * sizeof(d->ranges[0]));
        d->nfrags--;
    } else if (left) {
        d->ranges[i - 1][1] = e;
    } else if (right) {
        d->ranges[i][0] = s;
    } else {
        memmove(&d->ranges[i + 1], &d->ranges[i], (d->nfrags - i) * sizeof(d->ranges[0]));
        d->ranges[i][0] = s;
        d->ranges[i][1] = e;
        d->nfrags++;
    }
}

static int reasm_complete(const struct reasm_dgram *d)
{
    if (!d->total || !d->hdr_len || d->ranges[0][0] != 0)
        return 0;
    uint32_t end = 0;
    for (unsigned i = 0; i < d->nfrags; i++) {
        if (d->ranges[i][0] != end)
            return 0;
        end = d->ranges[i][1];
    }
    return end == d->total;
}

int reasm_add(synack_stack_t *st, const struct ip4_hdr *h, const uint8_t *pkt, uint8_t **out,
              size_t *out_len, synack_time_t now)
{
    int ifindex = -1;
    stack_count(st, SYNACK_C_ReasmReqds);
    uint32_t off = ip4_frag_offset(h);
    uint32_t n = h->total_len - h->ihl;
    uint32_t end = off + n;
    /* RFC 791: non-final fragments carry a multiple of 8 bytes; the whole must fit in 65535. */
    if ((ip4_more_frags(h) && (n == 0 || n % 8)) || end + h->ihl > 65535) {
        stack_drop(st, SYNACK_C_ReasmFails, ifindex, SYNACK_IF_RAWIP, pkt, h->total_len);
        return 0;
    }
    struct reasm_dgram *d = reasm_find(&st->net->reasm, h);
    if (!d && !(d = reasm_new(st, h, now))) {
        stack_drop(st, SYNACK_C_ReasmMemDrops, ifindex, SYNACK_IF_RAWIP, pkt, h->total_len);
        return 0;
    }
    if (!ip4_more_frags(h)) {
        if ((d->total && d->total != end) || (d->nfrags && d->ranges[d->nfrags - 1][1] > end)) {
            /* A second, different "last fragment": the datagram is inconsistent; abandon it. */
            stack_drop(st, SYNACK_C_ReasmFails, ifindex, SYNACK_IF_RAWIP, pkt, h->total_len);
            reasm_release(st, d);
            return 0;
        }
    } else if (d->total && end > d->total) {
        stack_drop(st, SYNACK_C_ReasmFails, ifindex, SYNACK_IF_RAWIP, pkt, h->total_len);
        reasm_release(st, d);
        return 0;
    }
    int r = reasm_classify(d, off, end, pkt + h->ihl);
    if (r == REASM_DUP) {
        stack_drop(st, SYNACK_C_ReasmDuplicates, ifindex, SYNACK_IF_RAWIP, pkt, h->total_len);
        return 0;
    }
    if (r == REASM_OVERLAP) {
        stack_drop(st, SYNACK_C_ReasmOverlaps, ifindex, SYNACK_IF_RAWIP, pkt, h->total_len);
        return 0;
    }
    if ((d->nfrags == REASM_MAX_FRAGS && reasm_needs_slot(d, off, end)) || reasm_buf_grow(st, &d->data, &d->cap, end) != 0) {
        stack_drop(st, SYNACK_C_ReasmMemDrops, ifindex, SYNACK_IF_RAWIP, pkt, h->total_len);
        /* A datagram whose first fragment was refused holds nothing: free its slot now rather
         * than let a flood of refused fragments pin every slot until the timeout. */
        if (d->nfrags == 0)
            reasm_release(st, d);
        return 0;
    }
    reasm_insert_merge(d, off, end);
    memcpy(d->data + off, pkt + h->ihl, n);
    /* The length and the first header are taken only from a fragment that was kept: a dropped
     * overlapping "last fragment" must not fix the datagram's length (the genuine one, arriving
     * later, would then look inconsistent and kill the datagram). */
    if (!ip4_more_frags(h))
        d->total = end;
    if (off == 0) {
        memcpy(d->hdr, pkt, h->ihl);
        d->hdr_len = h->ihl;
    }
    if (d->hdr_len && d->total && d->hdr_len + d->total > 65535) {
        /* RFC 791: the total length field is 16 bits; the first fragment's header (with options)
         * plus the payload must fit in it, or the rebuilt header would carry a wrapped length. */
        stack_drop(st, SYNACK_C_ReasmFails, ifindex, SYNACK_IF_RAWIP, pkt, h->total_len);
        reasm_release(st, d);
        return 0;
    }
    if (!reasm_complete(d))
        return 0;
    size_t total = d->hdr_len + d->total;
    uint8_t *whole = mem_alloc(&st->cfg.alloc, total);
    if (!whole) {
        stack_count(st, SYNACK_C_ReasmFails);
        reasm_release(st, d);
        return 0;
    }
    memcpy(whole, d->hdr, d->hdr_len);
    memcpy(whole + d->hdr_len, d->data, d->total);
    /* Rewrite length, clear MF/offset, and recompute the header checksum. */
    whole[2] = (uint8_t)(total >> 8);
    whole[3] = (uint8_t)total;
    whole[6] &= 0x40;   /* keep DF only */
    whole[7] = 0;
    whole[10] = whole[11] = 0;
    uint16_t c = wire_csum(whole, d->hdr_len);
    whole[10] = (uint8_t)(c >> 8);
    whole[11] = (uint8_t)c;
    reasm_release(st, d);
    stack_count(st, SYNACK_C_ReasmOKs);
    *out = whole;
    *out_len = total;
    return 1;
}
