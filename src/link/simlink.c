/* The simulated point-to-point link: two interfaces in one process joined by a wire with two
 * directions. A frame handed to synack_simlink_tx() is copied, serialised at the configured
 * bandwidth behind earlier frames of its direction (a full transmit queue drops it), and then
 * arrives at the far end after latency, jitter and the impairments drawn for it (loss,
 * duplication, reordering, one flipped bit). Frames in flight of both directions sit in one
 * min-heap ordered by (arrival time, sequence number), so equal arrival times are delivered in
 * the order they were scheduled and a seed always reproduces the same run.
 *
 * All randomness comes from a xoshiro256** generator that lives in the link object and is seeded
 * (through splitmix64) from cfg.seed; every frame consumes the same number of draws whatever the
 * configured probabilities, so changing one impairment does not reshuffle the others.
 *
 * Frames are not allocated one by one: a delivered or lost frame's block goes on a free list and
 * carries the next frame (last in, first out), so a link in steady state allocates nothing. The
 * list keeps at most as many blocks as the most frames ever held at once, so it never holds
 * more memory than the link already needed at its peak. Its memory comes from cfg.alloc. */
#include "base/errno.h"
#include "core/alloc.h"
#include "core/asan.h"
#include "base/mem.h"

#include "synack/link.h"

/* One frame in flight towards end `dst`. */
struct sim_frame {
    struct sim_frame *next;   /* on the free list */
    size_t cap;               /* bytes of data the block has room for */
    synack_time_t arrival;
    uint64_t seq;          /* tie-break: order in which frames were scheduled */
    int dst;               /* receiving end */
    unsigned rx_flags;     /* for synack_if_input_flags: SYNACK_RX_CSUM_OK on an offload link */
    size_t len;
    uint8_t data[];
};

/* Completion times of frames still being serialised, oldest first (a FIFO, since a transmitter
 * finishes frames in the order it started them). */
struct sim_txq {
    synack_time_t *done;
    size_t cap, head, count;
};

/* One end of the wire: what synack_simlink_end() hands out as the tx callback's context. */
struct sim_end {
    struct synack_simlink *link;
    int side;
    synack_stack_t *stack;      /* receiver of frames arriving at this end (NULL: none yet) */
    int ifindex;
    synack_simlink_rx_fn rx;    /* test hook: replaces synack_if_input when set */
    void *rx_ctx;
    /* Transmitter of the direction side -> 1 - side. The time it becomes idle is kept exactly as
     * busy_us + busy_rem / bandwidth_bps microseconds so that many small frames do not
     * accumulate rounding error. */
    synack_time_t busy_us;
    uint64_t busy_rem;
    struct sim_txq txq;
    struct synack_simlink_stats stats;   /* of frames sent by this end */
};

/* A heap entry keeps the frame's ordering key beside the pointer: comparing keys then reads only the
 * heap's own array, not the first line of every frame's block, which the frames' copies (up to
 * 64 KB each with offload) keep pushing out of the cache. */
struct sim_slot {
    synack_time_t arrival;
    uint64_t seq;
    struct sim_frame *f;
};

struct synack_simlink {
    struct synack_simlink_config cfg;
    uint64_t rng[4];
    uint64_t next_seq;
    struct sim_end end[2];
    struct sim_slot *heap;
    size_t heap_len, heap_cap;
    struct sim_frame *free_frames;
    size_t nfree;
    /* Blocks holding a frame (in flight, or being delivered) and the most there ever were: the free
     * list's bound, so the blocks never outnumber the most that were needed at once. */
    size_t frames_used, frames_peak;
    size_t frame_max;             /* the largest frame sent so far */
};

/* Blocks hold at least a full Ethernet frame, so frames of mixed sizes up to that share them. */
#define SIM_FRAME_MIN_CAP 1536

/* ---------------- PRNG: splitmix64 to seed xoshiro256** (Blackman & Vigna) ---------------- */

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(struct synack_simlink *l)
{
    uint64_t *s = l->rng;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

static void rng_seed(struct synack_simlink *l, uint64_t seed)
{
    /* splitmix64 never yields four zero words in a row, which xoshiro cannot leave. */
    for (int i = 0; i < 4; i++)
        l->rng[i] = splitmix64(&seed);
}

/* True with probability p: a uniform double in [0, 1) from the top 53 bits. */
static int rng_chance(struct synack_simlink *l, double p)
{
    double u = (double)(rng_next(l) >> 11) * 0x1.0p-53;
    return u < p;
}

/* Uniform in [0, n) by multiply-shift (Lemire); the bias is below n / 2^64. */
static uint64_t rng_below(struct synack_simlink *l, uint64_t n)
{
    return (uint64_t)(((unsigned __int128)rng_next(l) * n) >> 64);
}

/* ---------------- in-flight heap ---------------- */

static int slot_before(const struct sim_slot *a, const struct sim_slot *b)
{
    if (a->arrival != b->arrival)
        return a->arrival < b->arrival;
    return a->seq < b->seq;
}

static int heap_push(struct synack_simlink *l, struct sim_frame *f)
{
    if (l->heap_len == l->heap_cap) {
        size_t cap = l->heap_cap ? l->heap_cap * 2 : 64;
        struct sim_slot *h = mem_realloc(&l->cfg.alloc, l->heap, cap * sizeof(*h));
        if (!h)
            return -ENOMEM;
        l->heap = h;
        l->heap_cap = cap;
    }
    struct sim_slot e = { f->arrival, f->seq, f };
    size_t i = l->heap_len++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!slot_before(&e, &l->heap[parent]))
            break;
        l->heap[i] = l->heap[parent];
        i = parent;
    }
    l->heap[i] = e;
    return 0;
}

static struct sim_frame *heap_pop(struct synack_simlink *l)
{
    struct sim_frame *top = l->heap[0].f;
    struct sim_slot last = l->heap[--l->heap_len];
    size_t n = l->heap_len, i = 0;
    while (n > 0) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && slot_before(&l->heap[c + 1], &l->heap[c]))
            c++;
        if (!slot_before(&l->heap[c], &last))
            break;
        l->heap[i] = l->heap[c];
        i = c;
    }
    if (n > 0)
        l->heap[i] = last;
    return top;
}

/* ---------------- transmit queue ---------------- */

static void txq_expire(struct sim_txq *q, synack_time_t now)
{
    while (q->count > 0 && q->done[q->head] <= now) {
        q->head = (q->head + 1) % q->cap;
        q->count--;
    }
}

static int txq_push(const struct synack_allocator *a, struct sim_txq *q, synack_time_t done)
{
    if (q->count == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 16;
        synack_time_t *d = mem_alloc(a, cap * sizeof(*d));
        if (!d)
            return -ENOMEM;
        for (size_t i = 0; i < q->count; i++)
            d[i] = q->done[(q->head + i) % q->cap];
        mem_free(a, q->done);
        q->done = d;
        q->cap = cap;
        q->head = 0;
    }
    q->done[(q->head + q->count) % q->cap] = done;
    q->count++;
    return 0;
}

/* ---------------- frame blocks ---------------- */

/* A block for a frame of `len` bytes: the last one freed, grown if it is too small, or a new one. A
 * new or grown block gets room for the largest frame seen yet, so with frames of mixed sizes each
 * block grows at most once per new largest size, not back and forth. */
static struct sim_frame *frame_get(struct synack_simlink *l, size_t len)
{
    if (len > l->frame_max)
        l->frame_max = len;
    size_t cap = l->frame_max > SIM_FRAME_MIN_CAP ? l->frame_max : SIM_FRAME_MIN_CAP;
    if (++l->frames_used > l->frames_peak)
        l->frames_peak = l->frames_used;
    struct sim_frame *f = l->free_frames;
    if (f) {
        l->free_frames = f->next;
        l->nfree--;
        ASAN_UNPOISON(f->data, f->cap);
        if (f->cap >= len)
            return f;
        struct sim_frame *g = mem_realloc(&l->cfg.alloc, f, sizeof(*f) + cap);
        if (!g) {
            mem_free(&l->cfg.alloc, f);
            l->frames_used--;
            return NULL;
        }
        g->cap = cap;
        return g;
    }
    f = mem_alloc(&l->cfg.alloc, sizeof(*f) + cap);
    if (f)
        f->cap = cap;
    else
        l->frames_used--;
    return f;
}

static void frame_put(struct synack_simlink *l, struct sim_frame *f)
{
    l->frames_used--;
    if (l->nfree >= l->frames_peak) {
        mem_free(&l->cfg.alloc, f);
        return;
    }
    ASAN_POISON(f->data, f->cap);
    f->next = l->free_frames;
    l->free_frames = f;
    l->nfree++;
}

/* ---------------- public API ---------------- */

void synack_simlink_config_init(struct synack_simlink_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->latency = SYNACK_MS(1);
    cfg->seed = 1;
}

synack_simlink_t *synack_simlink_new(const struct synack_simlink_config *cfg)
{
    /* A link belongs to no stack, so it has no stack's allocator: it and its frames use the one in
     * its own config (zero: the default, core/alloc.h). */
    struct synack_simlink *l = mem_calloc(&cfg->alloc, 1, sizeof(*l));
    if (!l)
        return NULL;
    l->cfg = *cfg;
    rng_seed(l, cfg->seed);
    for (int s = 0; s < 2; s++) {
        l->end[s].link = l;
        l->end[s].side = s;
        l->end[s].ifindex = -1;
    }
    return l;
}

void synack_simlink_free(synack_simlink_t *l)
{
    if (!l)
        return;
    const struct synack_allocator a = l->cfg.alloc;
    for (size_t i = 0; i < l->heap_len; i++)
        mem_free(&a, l->heap[i].f);
    mem_free(&a, l->heap);
    while (l->free_frames) {
        struct sim_frame *f = l->free_frames;
        l->free_frames = f->next;
        ASAN_UNPOISON(f->data, f->cap);
        mem_free(&a, f);
    }
    for (int s = 0; s < 2; s++)
        mem_free(&a, l->end[s].txq.done);
    mem_free(&a, l);
}

void *synack_simlink_end(synack_simlink_t *l, int side)
{
    if (!l || (side != 0 && side != 1))
        return NULL;
    return &l->end[side];
}

void synack_simlink_attach(synack_simlink_t *l, int side, synack_stack_t *st, int ifindex)
{
    if (!l || (side != 0 && side != 1))
        return;
    l->end[side].stack = st;
    l->end[side].ifindex = ifindex;
}

void synack_simlink_set_rx(synack_simlink_t *l, int side, synack_simlink_rx_fn fn, void *ctx)
{
    if (!l || (side != 0 && side != 1))
        return;
    l->end[side].rx = fn;
    l->end[side].rx_ctx = ctx;
}

void synack_simlink_set_config(synack_simlink_t *l, const struct synack_simlink_config *cfg)
{
    /* The PRNG keeps running rather than being re-seeded: re-seeding mid-run would replay the
     * draws already used and correlate the two halves of the run. */
    uint64_t seed = l->cfg.seed;
    struct synack_allocator alloc = l->cfg.alloc;   /* the link's memory keeps its allocator */
    if (cfg->bandwidth_bps != l->cfg.bandwidth_bps) {
        /* The sub-microsecond remainder is counted in units of the old rate: round it up to
         * the next whole microsecond rather than misread it under the new one. */
        for (int s = 0; s < 2; s++) {
            l->end[s].busy_us += l->end[s].busy_rem ? 1 : 0;
            l->end[s].busy_rem = 0;
        }
    }
    l->cfg = *cfg;
    l->cfg.seed = seed;
    l->cfg.alloc = alloc;
}

/* When the transmitter of end `e` finishes serialising `len` bytes handed to it at `now`;
 * advances its busy time. */
static synack_time_t serialise(struct sim_end *e, uint64_t bps, size_t len, synack_time_t now)
{
    if (bps == 0)
        return now;
    /* An idle transmitter starts at `now`; a busy one at the exact end of the previous frame. */
    if (e->busy_us < now || (e->busy_us == now && e->busy_rem == 0)) {
        e->busy_us = now;
        e->busy_rem = 0;
    }
    /* len * 8 bits at bps bits/s is len * 8e6 / bps microseconds; carry the remainder. */
    uint64_t num = e->busy_rem + (uint64_t)len * 8u * 1000000u;
    e->busy_us += num / bps;
    e->busy_rem = num % bps;
    /* The last bit is on the wire at the exact time; the frame exists at the next whole µs. */
    return e->busy_us + (e->busy_rem ? 1 : 0);
}

/* Schedules one copy of a frame for the far end, drawing its jitter, reordering and
 * corruption. The draws happen whether or not the impairment is on (see the file comment). */
static int schedule_copy(struct synack_simlink *l, struct sim_end *e, const uint8_t *frame,
                         size_t len, synack_time_t on_wire)
{
    const struct synack_simlink_config *c = &l->cfg;
    uint64_t jitter = rng_below(l, c->jitter + 1);
    int reorder = rng_chance(l, c->reorder);
    int corrupt = rng_chance(l, c->corrupt);
    uint64_t bit = rng_below(l, (uint64_t)len * 8u);

    struct sim_frame *f = frame_get(l, len);
    if (!f)
        return -ENOMEM;
    f->arrival = on_wire + c->latency + jitter;
    if (reorder && c->reorder_delay > 0) {
        f->arrival += c->reorder_delay;
        e->stats.reordered++;
    }
    f->seq = l->next_seq++;
    f->dst = 1 - e->side;
    f->len = len;
    if (len > 0)
        memcpy(f->data, frame, len);
    /* An offload link is a copy in memory, so it vouches for the checksum (as veth does), except
     * for a frame it corrupted on purpose: that one the receiver checks, and drops. */
    f->rx_flags = c->offload ? SYNACK_RX_CSUM_OK : 0;
    if (corrupt && len > 0) {
        f->data[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        f->rx_flags = 0;
        e->stats.corrupted++;
    }
    if (heap_push(l, f) < 0) {
        frame_put(l, f);
        return -ENOMEM;
    }
    return 0;
}

/* Borrows `frame` (copied before return). A frame the simulated network loses is still a
 * successful transmit, as on a real wire; only running out of memory is an error. */
int synack_simlink_tx(void *end, const uint8_t *frame, size_t len, synack_time_t now)
{
    struct sim_end *e = end;
    if (!e || (!frame && len > 0))
        return -EINVAL;
    struct synack_simlink *l = e->link;
    const struct synack_simlink_config *c = &l->cfg;

    e->stats.sent++;
    txq_expire(&e->txq, now);
    if (c->bandwidth_bps > 0 && c->queue_limit > 0 && e->txq.count >= c->queue_limit) {
        e->stats.queue_drops++;
        return 0;
    }
    synack_time_t on_wire = serialise(e, c->bandwidth_bps, len, now);
    if (c->bandwidth_bps > 0 && on_wire > now && txq_push(&l->cfg.alloc, &e->txq, on_wire) < 0)
        return -ENOMEM;

    int lost = rng_chance(l, c->loss);
    int dup = rng_chance(l, c->duplicate);
    if (lost) {
        /* Lost on the wire: it used its share of the bandwidth all the same. */
        e->stats.lost++;
        return 0;
    }
    int err = schedule_copy(l, e, frame, len, on_wire);
    if (err == 0 && dup) {
        e->stats.duplicated++;
        err = schedule_copy(l, e, frame, len, on_wire);
    }
    return err;
}

int synack_simlink_tx_meta(void *end, const uint8_t *frame, size_t len, const struct synack_tx_meta *meta,
                           synack_time_t now)
{
    struct sim_end *e = end;
    if (!e || !meta || (meta->gso_size && !e->link->cfg.offload) || len > 65000)
        return -EINVAL;
    return synack_simlink_tx(end, frame, len, now);
}

synack_time_t synack_simlink_next(const synack_simlink_t *l)
{
    return l->heap_len ? l->heap[0].arrival : SYNACK_TIME_NEVER;
}

/* Each frame is handed over with its own arrival time as `now`, which equals the caller's `now`
 * when the caller steps to synack_simlink_next() (as the simulated network does). The frame is
 * taken off the heap before the receiver runs, because a receiver may reply at once and so
 * schedule new frames on this same link. */
void synack_simlink_deliver(synack_simlink_t *l, synack_time_t now)
{
    while (l->heap_len > 0 && l->heap[0].arrival <= now) {
        struct sim_frame *f = heap_pop(l);
        struct sim_end *dst = &l->end[f->dst];
        struct sim_end *src = &l->end[1 - f->dst];
        if (dst->rx) {
            src->stats.delivered++;
            dst->rx(dst->rx_ctx, f->dst, f->data, f->len, f->arrival);
        } else if (dst->stack) {
            src->stats.delivered++;
            synack_if_input_flags(dst->stack, dst->ifindex, f->data, f->len, f->rx_flags, f->arrival);
        } else {
            /* Nothing attached to this end yet: the frame falls off the wire. */
            src->stats.lost++;
        }
        frame_put(l, f);
    }
}

void synack_simlink_stats(const synack_simlink_t *l, int side, struct synack_simlink_stats *out)
{
    if (!l || (side != 0 && side != 1)) {
        memset(out, 0, sizeof(*out));
        return;
    }
    *out = l->end[side].stats;
}
