/* Shards: N stacks, one per thread, each on one queue of a multi-queue TAP/TUN device (see
 * synack/os.h, synack_shards_t, and docs/ARCHITECTURE.md, "Shards").
 *
 * A flow belongs to the shard a keyed hash of its 4-tuple names. The kernel chooses the queue of
 * a frame it sends by its own flow table (the queue synack last wrote the flow on, for a few
 * seconds) or, for a flow it has not seen written, by its own hash, which we cannot compute: so
 * the first frames of a flow the kernel opens (its SYN) may land on another shard. That shard
 * hands a copy to the owner through a ring of its own (one single-producer single-consumer ring
 * per pair of shards: no lock, no shared write position) and, once per burst read, wakes the
 * owner with its eventfd. Once the owner has answered on its queue, the kernel's flow table sends
 * the rest of the flow there. With a steering program attached (synack_shards_steer_in_kernel,
 * steer_bpf.c) the kernel computes the owner itself, with the same hash (steer_hash.h), and the
 * hand-over is left with what the program cannot place (fragments, ARP, neighbour discovery).
 *
 * Each stack is entered only by its own thread: frames handed over are fed to the owner's stack
 * from the owner's loop (the eventfd is a watched fd of its driver), and another thread that must
 * read a stack (the control socket's listing) asks the shard to run a function for it
 * (synack_shards_call), between two rounds of its loop. */
#include <errno.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "driver_int.h"
#include "steer_bpf.h"
#include "steer_hash.h"
#include "synack/os.h"

#define SHARD_RING 1024   /* frames in flight from one shard to another; more are dropped, counted */
#define SHARD_CALL_WAIT_S 2

struct shard_frame {
    size_t len;
    uint8_t data[];
};

/* One direction between two shards. Head and tail on lines of their own: the producer writes
 * only tail, the consumer only head. */
struct shard_ring {
    _Alignas(64) _Atomic size_t tail;
    _Alignas(64) _Atomic size_t head;
    struct shard_frame *slot[SHARD_RING];
};

struct shard_call {
    void (*fn)(void *arg);
    void *arg;
    sem_t done;
};

struct shard_counters {
    _Atomic uint64_t frames_read, handed_out, handed_in, copied_to_all, ring_drops, wakeups;
};

struct shard {
    synack_shards_t *g;
    unsigned idx;
    int attached;
    synack_driver_t *d;
    synack_stack_t *st;
    int ifindex;
    int efd;                                /* written by others to wake this shard */
    uint64_t wake;                          /* shards this one handed frames to in this burst */
    _Atomic(struct shard_call *) call;
    struct shard_counters c;
};

struct synack_shards {
    unsigned n;
    int link_kind;
    uint64_t key[2];
    int kernel_steering;   /* set before the shards' threads start, read by any */
    struct shard *sh;
    struct shard_ring *rings;   /* rings[from * n + to] */
};

static struct shard_ring *ring_of(synack_shards_t *g, unsigned from, unsigned to) { return &g->rings[from * g->n + to]; }

static void count(_Atomic uint64_t *c, uint64_t n) { atomic_fetch_add_explicit(c, n, memory_order_relaxed); }

/* ---------------- the owner of a flow ---------------- */

/* Keyed, so that a peer cannot aim all its flows at one shard without knowing the key; the same
 * function as the kernel's steering program (steer_hash.h). */
static unsigned owner_of(const synack_shards_t *g, const uint8_t laddr[16], uint16_t lport, const uint8_t raddr[16],
                         uint16_t rport)
{
    return steer_shard(steer_hash(g->key, laddr, lport, raddr, rport), g->n);
}

unsigned synack_shards_owner(const synack_shards_t *g, const struct synack_sockaddr *local,
                             const struct synack_sockaddr *remote)
{
    if (!g || !local || !remote)
        return 0;
    return owner_of(g, local->addr.b, local->port, remote->addr.b, remote->port);
}

static void v4_mapped(uint8_t out[16], const uint8_t *a)
{
    memset(out, 0, 10);
    out[10] = out[11] = 0xff;
    memcpy(out + 12, a, 4);
}

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

/* The owner of a TCP/UDP header's flow. `quoted`: the packet is one synack sent, quoted by an ICMP
 * error, so its source is synack's side. */
static int steer_ports(const synack_shards_t *g, const uint8_t src[16], const uint8_t dst[16], const uint8_t *l4,
                       size_t len, int quoted)
{
    if (len < 4)
        return SYNACK_SHARD_ANY;
    uint16_t sport = be16(l4), dport = be16(l4 + 2);
    return quoted ? (int)owner_of(g, src, sport, dst, dport) : (int)owner_of(g, dst, dport, src, sport);
}

static int steer_ip(const synack_shards_t *g, const uint8_t *p, size_t len, int quoted);

static int steer_ip4(const synack_shards_t *g, const uint8_t *p, size_t len, int quoted)
{
    if (len < 20 || (p[0] >> 4) != 4)
        return SYNACK_SHARD_ANY;
    size_t ihl = (size_t)(p[0] & 15) * 4;
    if (ihl < 20 || ihl > len)
        return SYNACK_SHARD_ANY;
    if (!quoted && (be16(p + 6) & 0x3fff))
        return 0;   /* a fragment (MF or an offset): all of them where they are reassembled */
    uint8_t src[16], dst[16];
    v4_mapped(src, p + 12);
    v4_mapped(dst, p + 16);
    uint8_t proto = p[9];
    if (proto == 6 || proto == 17)
        return steer_ports(g, src, dst, p + ihl, len - ihl, quoted);
    /* RFC 792: unreachable, source quench, redirect, time exceeded, parameter problem quote our
     * datagram's header and its first 8 bytes after the IP header. */
    if (proto == 1 && !quoted && len >= ihl + 8) {
        uint8_t type = p[ihl];
        if (type == 3 || type == 4 || type == 5 || type == 11 || type == 12)
            return steer_ip(g, p + ihl + 8, len - ihl - 8, 1);
    }
    return SYNACK_SHARD_ANY;
}

static int steer_ip6(const synack_shards_t *g, const uint8_t *p, size_t len, int quoted)
{
    if (len < 40 || (p[0] >> 4) != 6)
        return SYNACK_SHARD_ANY;
    uint8_t nh = p[6];
    const uint8_t *src = p + 8, *dst = p + 24;
    if (nh == 6 || nh == 17)
        return steer_ports(g, src, dst, p + 40, len - 40, quoted);
    if (nh == 44 && !quoted)
        return 0;   /* RFC 8200 4.5: a fragment, reassembled in one place */
    if (nh == 58 && !quoted && len >= 48) {
        uint8_t type = p[40];
        if (type >= 1 && type <= 4)   /* RFC 4443 3: errors quote the packet that caused them */
            return steer_ip(g, p + 48, len - 48, 1);
        /* RFC 4861 4.4: a neighbour advertisement, for whoever asked; 4.2: a router advertisement
         * (prefixes, the default router), which every shard's interface needs. */
        if (type == 136 || type == 134)
            return SYNACK_SHARD_ALL;
    }
    return SYNACK_SHARD_ANY;   /* extension headers before the transport: left where read */
}

static int steer_ip(const synack_shards_t *g, const uint8_t *p, size_t len, int quoted)
{
    if (len < 1)
        return SYNACK_SHARD_ANY;
    return (p[0] >> 4) == 6 ? steer_ip6(g, p, len, quoted) : steer_ip4(g, p, len, quoted);
}

int synack_shards_steer(const synack_shards_t *g, const uint8_t *frame, size_t len)
{
    if (!g || !frame)
        return SYNACK_SHARD_ANY;
    if (g->link_kind == SYNACK_IF_RAWIP)
        return steer_ip(g, frame, len, 0);
    if (len < 14)
        return SYNACK_SHARD_ANY;
    uint16_t type = be16(frame + 12);
    if (type == 0x0806) {
        /* RFC 826: a reply goes to the shard that asked, which we do not know: to all. A request
         * is answered by whichever shard reads it; the others resolve for themselves. */
        if (len >= 14 + 8 && be16(frame + 14 + 6) == 2)
            return SYNACK_SHARD_ALL;
        return SYNACK_SHARD_ANY;
    }
    if (type == 0x0800)
        return steer_ip4(g, frame + 14, len - 14, 0);
    if (type == 0x86dd)
        return steer_ip6(g, frame + 14, len - 14, 0);
    return SYNACK_SHARD_ANY;
}

/* ---------------- hand-over ---------------- */

static int ring_push(struct shard_ring *r, const uint8_t *frame, size_t len)
{
    size_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);
    size_t h = atomic_load_explicit(&r->head, memory_order_acquire);
    if (t - h >= SHARD_RING)
        return -ENOBUFS;
    /* A copy per frame handed over: rare (the first frames of a flow), and frames run to 64 KB
     * with offloads, so fixed slots would cost megabytes per pair of shards. */
    struct shard_frame *f = malloc(sizeof(*f) + len);
    if (!f)
        return -ENOMEM;
    f->len = len;
    memcpy(f->data, frame, len);
    r->slot[t % SHARD_RING] = f;
    atomic_store_explicit(&r->tail, t + 1, memory_order_release);
    return 0;
}

static void hand_to(struct shard *sh, unsigned to, const uint8_t *frame, size_t len)
{
    if (ring_push(ring_of(sh->g, sh->idx, to), frame, len) != 0) {
        count(&sh->c.ring_drops, 1);
        return;
    }
    sh->wake |= 1ull << to;
}

/* The driver's steering hook for a shard's queue. */
static int shard_steer(void *arg, const uint8_t *frame, size_t len)
{
    struct shard *sh = arg;
    synack_shards_t *g = sh->g;
    count(&sh->c.frames_read, 1);
    int to = synack_shards_steer(g, frame, len);
    if (to == SYNACK_SHARD_ALL) {
        count(&sh->c.copied_to_all, 1);
        for (unsigned i = 0; i < g->n; i++)
            if (i != sh->idx)
                hand_to(sh, i, frame, len);
        return 0;
    }
    if (to == SYNACK_SHARD_ANY || (unsigned)to == sh->idx)
        return 0;
    count(&sh->c.handed_out, 1);
    hand_to(sh, (unsigned)to, frame, len);
    return 1;
}

/* After a burst: one wake-up per shard handed frames, not one per frame. */
static void shard_flush(void *arg)
{
    struct shard *sh = arg;
    for (unsigned i = 0; sh->wake; i++) {
        if (!(sh->wake & (1ull << i)))
            continue;
        sh->wake &= ~(1ull << i);
        uint64_t one = 1;
        if (write(sh->g->sh[i].efd, &one, sizeof(one)) == (ssize_t)sizeof(one))
            count(&sh->c.wakeups, 1);
    }
}

/* The shard's eventfd is readable: run a pending call, then feed what other shards handed over
 * into the stack, in one batch. The count is read first, so a frame pushed after the rings were
 * drained writes the eventfd again and is not left behind. */
static void shard_wake(void *arg, int fd, synack_time_t now)
{
    struct shard *sh = arg;
    synack_shards_t *g = sh->g;
    uint64_t v;
    if (read(fd, &v, sizeof(v)) < 0) {
        /* EAGAIN: woken already; nothing else can fail on an eventfd we own */
    }
    struct shard_call *c = atomic_exchange_explicit(&sh->call, NULL, memory_order_acq_rel);
    if (c) {
        c->fn(c->arg);
        sem_post(&c->done);
    }
    int batch = 0;
    for (unsigned from = 0; from < g->n; from++) {
        if (from == sh->idx)
            continue;
        struct shard_ring *r = ring_of(g, from, sh->idx);
        size_t h = atomic_load_explicit(&r->head, memory_order_relaxed);
        size_t t = atomic_load_explicit(&r->tail, memory_order_acquire);
        if (h == t)
            continue;
        if (!batch) {
            synack_stack_batch_begin(sh->st, now);
            batch = 1;
        }
        for (; h != t; h++) {
            struct shard_frame *f = r->slot[h % SHARD_RING];
            synack_if_input(sh->st, sh->ifindex, f->data, f->len, synack_clock_now());
            free(f);
            count(&sh->c.handed_in, 1);
        }
        atomic_store_explicit(&r->head, h, memory_order_release);
    }
    if (batch)
        synack_stack_batch_end(sh->st, synack_clock_now());
}

/* ---------------- the set ---------------- */

static int shard_port_ok(void *ctx, const struct synack_sockaddr *local, const struct synack_sockaddr *remote)
{
    const struct shard *sh = ctx;
    return synack_shards_owner(sh->g, local, remote) == sh->idx;
}

synack_shards_t *synack_shards_new(unsigned n, int link_kind)
{
    if (n < 1 || n > SYNACK_SHARDS_MAX || (link_kind != SYNACK_IF_ETHERNET && link_kind != SYNACK_IF_RAWIP))
        return NULL;
    synack_shards_t *g = calloc(1, sizeof(*g));
    if (!g)
        return NULL;
    g->n = n;
    g->link_kind = link_kind;
    g->sh = calloc(n, sizeof(*g->sh));
    g->rings = aligned_alloc(64, sizeof(struct shard_ring) * n * n);
    uint8_t seed[32];
    if (!g->sh || !g->rings || synack_os_seed(seed) != 0) {
        free(g->sh);
        free(g->rings);
        free(g);
        return NULL;
    }
    memcpy(g->key, seed, sizeof(g->key));
    memset(g->rings, 0, sizeof(struct shard_ring) * n * n);
    for (unsigned i = 0; i < n; i++) {
        g->sh[i].g = g;
        g->sh[i].idx = i;
        g->sh[i].efd = -1;
    }
    for (unsigned i = 0; i < n; i++) {
        g->sh[i].efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (g->sh[i].efd < 0) {
            synack_shards_free(g);
            return NULL;
        }
    }
    return g;
}

void synack_shards_free(synack_shards_t *g)
{
    if (!g)
        return;
    for (unsigned i = 0; i < g->n * g->n; i++) {
        struct shard_ring *r = &g->rings[i];
        for (size_t h = r->head; h != r->tail; h++)
            free(r->slot[h % SHARD_RING]);
    }
    for (unsigned i = 0; i < g->n; i++)
        if (g->sh[i].efd >= 0)
            close(g->sh[i].efd);
    free(g->rings);
    free(g->sh);
    free(g);
}

int synack_shards_attach(synack_shards_t *g, unsigned idx, synack_driver_t *d, synack_stack_t *st, int fd,
                         int ifindex)
{
    if (!g || idx >= g->n || !d || !st || g->sh[idx].attached)
        return -EINVAL;
    struct shard *sh = &g->sh[idx];
    int r = driver_port_steer(d, fd, shard_steer, shard_flush, sh);
    if (r < 0)
        return r;
    r = synack_driver_watch_fd(d, sh->efd, shard_wake, sh);
    if (r < 0)
        return r;
    sh->d = d;
    sh->st = st;
    sh->ifindex = ifindex;
    sh->attached = 1;
    if (g->n > 1)
        synack_stack_set_port_filter(st, shard_port_ok, sh);
    return 0;
}

int synack_shards_call(synack_shards_t *g, unsigned idx, void (*fn)(void *arg), void *arg)
{
    if (!g || idx >= g->n || !fn || !g->sh[idx].attached)
        return -EINVAL;
    struct shard *sh = &g->sh[idx];
    struct shard_call c = { .fn = fn, .arg = arg };
    if (sem_init(&c.done, 0, 0) != 0)
        return -errno;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += SHARD_CALL_WAIT_S;
    /* One call at a time per shard: wait for the slot. */
    struct shard_call *none = NULL;
    while (!atomic_compare_exchange_weak_explicit(&sh->call, &none, &c, memory_order_acq_rel, memory_order_relaxed)) {
        none = NULL;
        struct timespec ts = { 0, 1000000 }, t;
        nanosleep(&ts, NULL);
        clock_gettime(CLOCK_REALTIME, &t);
        if (t.tv_sec > until.tv_sec || (t.tv_sec == until.tv_sec && t.tv_nsec >= until.tv_nsec)) {
            sem_destroy(&c.done);
            return -ETIMEDOUT;
        }
    }
    uint64_t one = 1;
    if (write(sh->efd, &one, sizeof(one)) < 0) {
        /* the counter is saturated only after 2^64 - 2 wake-ups: the shard is woken anyway */
    }
    int r = 0;
    while (sem_timedwait(&c.done, &until) != 0) {
        if (errno == EINTR)
            continue;
        /* Withdraw the call, unless the shard took it meanwhile: then it runs, and we wait. */
        struct shard_call *mine = &c;
        if (atomic_compare_exchange_strong_explicit(&sh->call, &mine, NULL, memory_order_acq_rel,
                                                    memory_order_relaxed)) {
            r = -ETIMEDOUT;
            break;
        }
        while (sem_wait(&c.done) != 0 && errno == EINTR)
            ;
        break;
    }
    sem_destroy(&c.done);
    return r;
}

int synack_shards_bpf_program(const synack_shards_t *g, char *log, size_t logcap)
{
    if (log && logcap)
        log[0] = '\0';
    if (!g)
        return -EINVAL;
    return steer_bpf_load(g->key, g->n, g->link_kind == SYNACK_IF_ETHERNET, log, logcap);
}

int synack_shards_steer_in_kernel(synack_shards_t *g, int fd, char *log, size_t logcap)
{
    if (log && logcap)
        log[0] = '\0';
    if (!g || fd < 0)
        return -EINVAL;
    g->kernel_steering = 0;
    int prog = synack_shards_bpf_program(g, log, logcap);
    int r = prog < 0 ? prog : synack_tap_set_steering(fd, prog);
    if (prog >= 0)
        close(prog);   /* the device holds it now, or it is not wanted */
    if (r < 0) {
        /* A persistent device keeps an earlier process's program, with another key: remove it. */
        (void)synack_tap_set_steering(fd, -1);
        return r;
    }
    g->kernel_steering = 1;
    return 0;
}

int synack_shards_kernel_steering(const synack_shards_t *g) { return g ? g->kernel_steering : 0; }

unsigned synack_shards_count(const synack_shards_t *g) { return g ? g->n : 0; }

void synack_shards_stats(const synack_shards_t *g, unsigned idx, struct synack_shard_stats *out)
{
    memset(out, 0, sizeof(*out));
    if (!g || idx >= g->n)
        return;
    const struct shard_counters *c = &g->sh[idx].c;
    out->frames_read = atomic_load_explicit(&c->frames_read, memory_order_relaxed);
    out->handed_out = atomic_load_explicit(&c->handed_out, memory_order_relaxed);
    out->handed_in = atomic_load_explicit(&c->handed_in, memory_order_relaxed);
    out->copied_to_all = atomic_load_explicit(&c->copied_to_all, memory_order_relaxed);
    out->ring_drops = atomic_load_explicit(&c->ring_drops, memory_order_relaxed);
    out->wakeups = atomic_load_explicit(&c->wakeups, memory_order_relaxed);
}
