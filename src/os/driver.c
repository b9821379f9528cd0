/* The real-time driver: the loop that runs one stack over TAP/TUN fds. Each round waits until a
 * port is readable, a watched fd is ready, or the stack's next deadline passes; then it feeds the
 * frames read to synack_if_input() in one batch, runs the watched fds' callbacks and polls the
 * stack, with synack_clock_now() (clock.c) as every entry's `now`.
 *
 * Two back ends (docs/ARCHITECTURE.md, "The driver loop"). With io_uring (uring.c) the ports are
 * read by multishot reads, the frames the stack sends through synack_driver_tx() are queued and
 * go out with the next wait, and the epoll set of the watched fds is polled through the ring: one
 * system call per round. Without it (an older kernel, a sandbox that forbids it,
 * SYNACK_IO_URING=0), an epoll loop reads each port to its end, one read per frame.
 *
 * A port may have an impaired path (impair.c, synack_driver_impair_port): frames read are pushed
 * into it instead of the stack, and each round also wakes for, and releases, the frames it holds
 * that are due (both directions), so a delay is met to the microsecond like a stack deadline.
 *
 * Readiness is level-triggered: a port with frames left over after its per-round budget is simply
 * reported again, which keeps one busy device from starving timers and the other fds. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <linux/virtio_net.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "driver_int.h"
#include "synack/os.h"
#include "tap_int.h"
#include "uring.h"
#include "wire/csum.h"

#define DRIVER_MAX_FDS 64
#define DRIVER_FRAMES_PER_ROUND 256
#define DRIVER_EVENTS 64
/* Larger than any frame a TAP without IFF_VNET_HDR hands us (MTU up to 64 KB plus Ethernet). */
#define DRIVER_FRAME_BUF 65600
/* synack_driver_run() waits at most this long per round even with no deadline: a signal landing
 * between the check of *stop and epoll_wait would otherwise go unnoticed until the next frame. */
#define DRIVER_MAX_WAIT_US 100000u

/* A port whose frames pass an impaired path (impair.c) on their way in and out. */
struct driver_impair {
    synack_driver_t *d;
    int fd, ifindex;
    synack_impair_t *im;
};

struct driver_fd {
    int fd;
    int ifindex;                /* >= 0: a port; -1: a watched fd */
    int vnet;                   /* a port whose frames start with a virtio-net header */
    struct driver_impair *imp;  /* NULL: frames go straight to the stack */
    driver_steer_fn steer;      /* a shard's port: frames of other shards' flows are handed over */
    driver_flush_fn flush;
    void *steer_arg;
    unsigned burst;             /* frames the last burst found before EAGAIN; 0: read to EAGAIN */
    int got;                    /* frames read this round (io_uring) */
    synack_driver_fd_fn fn;
    void *arg;
};

/* A port's transmit context (synack_driver_tx_ctx): where synack_driver_tx() writes. Kept in a
 * table of its own, so the address stays while the fd table moves. */
struct driver_tx {
    synack_driver_t *d;
    int fd;
};

struct synack_driver {
    synack_stack_t *st;
    int epfd;
    struct uring *u;            /* NULL: the epoll back end */
    int in_round;               /* inside synack_driver_run_once: writes are queued */
    int defer_tx;               /* queued writes wait for the next round's wait */
    int batch_open;             /* io_uring: a batch began with this round's first frame */
    synack_time_t round_now;
    uint64_t tx_lost;           /* queued writes the device refused, counted in the stack so far */
    struct driver_tx txs[DRIVER_MAX_FDS];
    size_t n_txs;
    struct driver_fd fds[DRIVER_MAX_FDS];
    size_t n_fds;
    uint8_t *buf;
    struct driver_impair imps[DRIVER_MAX_FDS];
    size_t n_imps;
};

synack_driver_t *synack_driver_new(synack_stack_t *st)
{
    if (!st)
        return NULL;
    struct synack_driver *d = calloc(1, sizeof(*d));
    if (!d)
        return NULL;
    d->st = st;
    d->buf = malloc(DRIVER_FRAME_BUF);
    d->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (!d->buf || d->epfd < 0) {
        if (d->epfd >= 0)
            close(d->epfd);
        free(d->buf);
        free(d);
        return NULL;
    }
    d->u = uring_new(d->epfd);   /* NULL: epoll alone */
    return d;
}

/* Closes the epoll instance and the ring only: the ports' and watched fds belong to the caller.
 * Frames still queued go out first. */
void synack_driver_free(synack_driver_t *d)
{
    if (!d)
        return;
    if (d->u) {
        uring_flush(d->u);
        uring_free(d->u);
    }
    close(d->epfd);
    free(d->buf);
    free(d);
}

static struct driver_fd *find_fd(synack_driver_t *d, int fd)
{
    for (size_t i = 0; i < d->n_fds; i++)
        if (d->fds[i].fd == fd)
            return &d->fds[i];
    return NULL;
}

/* IN sink of an impaired port: a released frame enters the stack. */
static int impair_to_stack(void *ctx, const uint8_t *frame, size_t len, const struct synack_tx_meta *meta,
                           synack_time_t now)
{
    (void)meta;
    struct driver_impair *p = ctx;
    synack_if_input(p->d->st, p->ifindex, frame, len, now);
    return 0;
}

int synack_driver_impair_port(synack_driver_t *d, int fd, synack_impair_t *im)
{
    if (!d || !im)
        return -EINVAL;
    struct driver_fd *e = find_fd(d, fd);
    if (!e || e->ifindex < 0 || e->imp)
        return -EINVAL;
    if (d->n_imps == DRIVER_MAX_FDS)
        return -ENOSPC;
    struct driver_impair *p = &d->imps[d->n_imps++];
    *p = (struct driver_impair){ .d = d, .fd = fd, .ifindex = e->ifindex, .im = im };
    e->imp = p;
    synack_impair_set_sink(im, SYNACK_IMPAIR_IN, impair_to_stack, p);
    return 0;
}

/* Releases what the impaired paths hold and is due: out to the devices, in to the stack (one
 * batch, as for frames read). */
static void release_impaired(synack_driver_t *d)
{
    for (size_t i = 0; i < d->n_imps; i++)
        synack_impair_release(d->imps[i].im, SYNACK_IMPAIR_OUT, synack_clock_now());
    for (size_t i = 0; i < d->n_imps; i++) {
        synack_time_t now = synack_clock_now();
        if (synack_impair_next(d->imps[i].im) > now)
            continue;
        synack_stack_batch_begin(d->st, now);
        synack_impair_release(d->imps[i].im, SYNACK_IMPAIR_IN, now);
        synack_stack_batch_end(d->st, synack_clock_now());
    }
}

static int add_fd(synack_driver_t *d, int fd, int ifindex, synack_driver_fd_fn fn, void *arg)
{
    if (fd < 0 || find_fd(d, fd))
        return -EINVAL;
    if (d->n_fds == DRIVER_MAX_FDS)
        return -ENOSPC;
    /* A port goes to the ring if it takes it; a watched fd always to the epoll set. */
    if (ifindex >= 0 && d->u && uring_add_port(d->u, fd, DRIVER_FRAME_BUF) == 0) {
        d->fds[d->n_fds++] = (struct driver_fd){ .fd = fd, .ifindex = ifindex };
        return 0;
    }
    struct epoll_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
        return -errno;
    d->fds[d->n_fds++] = (struct driver_fd){ .fd = fd, .ifindex = ifindex, .fn = fn, .arg = arg };
    return 0;
}

int synack_driver_add_port(synack_driver_t *d, int fd, int ifindex)
{
    if (!d || ifindex < 0)
        return -EINVAL;
    return add_fd(d, fd, ifindex, NULL, NULL);
}

int synack_driver_add_port_vnet(synack_driver_t *d, int fd, int ifindex)
{
    int r = synack_driver_add_port(d, fd, ifindex);
    if (r == 0)
        find_fd(d, fd)->vnet = 1;
    return r;
}

int driver_port_steer(synack_driver_t *d, int fd, driver_steer_fn steer, driver_flush_fn flush, void *arg)
{
    struct driver_fd *e = d ? find_fd(d, fd) : NULL;
    if (!e || e->ifindex < 0 || !steer)
        return -EINVAL;
    e->steer = steer;
    e->flush = flush;
    e->steer_arg = arg;
    return 0;
}

int synack_driver_watch_fd(synack_driver_t *d, int fd, synack_driver_fd_fn fn, void *arg)
{
    if (!d || !fn)
        return -EINVAL;
    return add_fd(d, fd, -1, fn, arg);
}

/* Safe to call from a watched fd's callback: events of the current round are looked up by fd
 * before use, so a removed fd's pending event is skipped. */
int synack_driver_unwatch_fd(synack_driver_t *d, int fd)
{
    if (!d)
        return -EINVAL;
    struct driver_fd *e = find_fd(d, fd);
    if (!e || e->ifindex >= 0)
        return -ENOENT;
    /* The fd may already be closed, which removed it from the epoll set by itself. */
    if (epoll_ctl(d->epfd, EPOLL_CTL_DEL, fd, NULL) < 0 && errno != EBADF && errno != ENOENT)
        return -errno;
    *e = d->fds[--d->n_fds];
    return 0;
}

/* A frame from the kernel marked NEEDS_CSUM carries only the pseudo-header sum in its transport
 * checksum field (CHECKSUM_PARTIAL). Fed straight to the stack it is vouched for instead
 * (vnet_rx_flags): it never left this host's memory, and Linux does not check such a packet either.
 * A frame that goes elsewhere first (to another shard's ring, or through the impaired path, which
 * may flip a bit) loses that, so its checksum is finished here over [csum_start, end) as a NIC would
 * and the stack checks an ordinary checksum. A large (GSO) frame needs nothing else: the stack takes
 * whole packets of up to 64 KB. Out-of-range offsets leave the frame as it is (the stack then
 * drops it). */
static void vnet_complete_csum(uint8_t *buf, size_t n)
{
    const struct virtio_net_hdr *h = (const struct virtio_net_hdr *)buf;
    if (!(h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
        return;
    uint8_t *frame = buf + sizeof(*h);
    size_t len = n - sizeof(*h), start = h->csum_start, field = start + h->csum_offset;
    if (start >= len || field + 2 > len)
        return;
    uint16_t c = wire_csum_finish(wire_csum_partial(frame + start, len - start, 0));
    frame[field] = (uint8_t)(c >> 8);
    frame[field + 1] = (uint8_t)c;
}

/* What the kernel's virtio-net header says of a frame's transport checksum: NEEDS_CSUM (partial,
 * from this host's own stack) or DATA_VALID (checked already) is vouched for. */
static unsigned vnet_rx_flags(const uint8_t *buf)
{
    const struct virtio_net_hdr *h = (const struct virtio_net_hdr *)buf;
    return h->flags & (VIRTIO_NET_HDR_F_NEEDS_CSUM | VIRTIO_NET_HDR_F_DATA_VALID) ? SYNACK_RX_CSUM_OK : 0;
}

/* One frame read from port e (buf: as read, with its virtio-net header on a vnet port): to the
 * shard that owns its flow, the impaired path, or the stack. */
static void port_frame(synack_driver_t *d, const struct driver_fd *e, uint8_t *buf, size_t n, synack_time_t now)
{
    int vnet = e->vnet;
    struct driver_impair *imp = e->imp;
    /* With IFF_VNET_HDR every frame starts with a virtio-net header. */
    size_t skip = vnet ? sizeof(struct virtio_net_hdr) : 0;
    if (n <= skip)
        return;
    if (vnet && (imp || e->steer))
        vnet_complete_csum(buf, n);
    if (e->steer && e->steer(e->steer_arg, buf + skip, n - skip))
        return;   /* another shard's flow: handed to it */
    if (imp)
        synack_impair_push(imp->im, SYNACK_IMPAIR_IN, buf + skip, n - skip, NULL, now);
    else
        synack_if_input_flags(d->st, e->ifindex, buf + skip, n - skip, vnet && !e->steer ? vnet_rx_flags(buf) : 0,
                              now);
}

/* Reads a burst of frames from a port; each gets the time it was read.
 *
 * A TAP/TUN fd cannot say how many frames wait (no FIONREAD, one frame per read), so reading until
 * EAGAIN costs one read per wake-up that returns nothing. Instead a burst stops after as many
 * frames as the last burst found before its EAGAIN: when traffic is steady (a request and its
 * answer, a train of the same length) that read is saved, and when more frames wait the
 * level-triggered epoll reports the fd again at once, one call in place of the EAGAIN read it
 * saved. After a burst stopped that way, the next one reads to EAGAIN to learn the length anew.
 * `*burst` is the port's hint, updated here. */
static int drain_port(synack_driver_t *d, const struct driver_fd *e, unsigned *burst)
{
    int fd = e->fd;
    unsigned budget = *burst ? *burst : DRIVER_FRAMES_PER_ROUND, got = 0;
    unsigned hint = *burst;
    *burst = 0;   /* stopped by the budget: read to EAGAIN next time */
    while (got < budget) {
        ssize_t n = read(fd, d->buf, DRIVER_FRAME_BUF);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                *burst = got ? got : hint;   /* a wake-up with nothing to read keeps the hint */
                return 0;
            }
            /* The tun driver answers EBADFD once the device has been deleted under us (`ip link
             * del`): say so in the errno the library's error table knows. */
            if (errno == EBADFD)
                return -ENODEV;
            return -errno;
        }
        if (n == 0)
            return 0;
        got++;
        port_frame(d, e, d->buf, (size_t)n, synack_clock_now());
    }
    return 0;
}

/* io_uring: a frame read from port fd (uring_round's callback). The round's frames form one batch,
 * begun with the first, all at the round's time: they were read together. */
static void uring_frame(void *arg, int fd, uint8_t *buf, size_t n)
{
    synack_driver_t *d = arg;
    struct driver_fd *e = find_fd(d, fd);
    if (!e)
        return;
    if (!d->batch_open) {
        d->round_now = synack_clock_now();
        synack_stack_batch_begin(d->st, d->round_now);
        d->batch_open = 1;
    }
    e->got = 1;
    struct driver_fd port = *e;
    port_frame(d, &port, buf, n, d->round_now);
}

/* io_uring: waits and feeds the frames read (one batch), then asks the epoll set what is ready if
 * the ring said it is. Returns the number of epoll events in evs, or a negative errno. */
static int uring_wait(synack_driver_t *d, const struct timespec *tsp, struct epoll_event *evs, int *err)
{
    int r = uring_round(d->u, tsp, uring_frame, d);
    if (d->batch_open) {
        d->batch_open = 0;
        synack_stack_batch_end(d->st, synack_clock_now());
        for (size_t i = 0; i < d->n_fds; i++) {
            if (!d->fds[i].got)
                continue;
            d->fds[i].got = 0;
            if (d->fds[i].flush)
                d->fds[i].flush(d->fds[i].steer_arg);
        }
    }
    /* Writes queued earlier that the device refused (its queue full): lost, and counted. */
    uint64_t lost = uring_write_errors(d->u);
    if (lost != d->tx_lost) {
        synack_if_tx_lost(d->st, (unsigned)(lost - d->tx_lost));
        d->tx_lost = lost;
    }
    if (r < 0) {
        /* A port's read failed (EBADFD: the device was deleted under us), or the ring did. */
        *err = r == -EBADFD ? -ENODEV : r;
        return 0;
    }
    int n = 0;
    if (r == URING_EPOLL) {
        n = epoll_wait(d->epfd, evs, DRIVER_EVENTS, 0);
        if (n < 0)
            n = 0;
        uring_rearm_epoll(d->u);
    }
    return n;
}

static int run_round(synack_driver_t *d, synack_time_t timeout_us)
{
    synack_time_t now = synack_clock_now();
    synack_time_t deadline = synack_stack_next_deadline(d->st);
    synack_time_t wait = timeout_us;
    for (size_t i = 0; i < d->n_imps; i++) {
        synack_time_t t = synack_impair_next(d->imps[i].im);
        deadline = t < deadline ? t : deadline;
    }
    if (deadline != SYNACK_TIME_NEVER)
        wait = deadline <= now ? 0 : (deadline - now < wait ? deadline - now : wait);

    /* A timespec, so a deadline is met to the microsecond rather than rounded to milliseconds. */
    struct timespec ts, *tsp = NULL;
    if (wait != SYNACK_TIME_NEVER) {
        ts.tv_sec = (time_t)(wait / 1000000u);
        ts.tv_nsec = (long)(wait % 1000000u) * 1000;
        tsp = &ts;
    }
    struct epoll_event evs[DRIVER_EVENTS];
    int err = 0, n;
    if (d->u) {
        n = uring_wait(d, tsp, evs, &err);
    } else {
        n = epoll_pwait2(d->epfd, evs, DRIVER_EVENTS, tsp, NULL);
        if (n < 0 && errno == ENOSYS) {
            /* Kernels before 5.11: milliseconds, rounded up so a deadline is never run early. */
            int ms = -1;
            if (tsp)
                ms = wait / 1000u >= INT_MAX ? INT_MAX : (int)((wait + 999u) / 1000u);
            n = epoll_wait(d->epfd, evs, DRIVER_EVENTS, ms);
        }
        if (n < 0) {
            if (errno != EINTR)
                return -errno;
            n = 0;   /* a signal: let the caller look at its stop flag, but keep timers on time */
        }
    }

    for (int i = 0; i < n; i++) {
        int fd = evs[i].data.fd;
        struct driver_fd *e = find_fd(d, fd);
        if (!e)
            continue;   /* unwatched by an earlier callback in this round */
        if (e->ifindex >= 0) {
            /* One batch per read burst: ACKs coalesced, socket events delivered once. */
            struct driver_fd port = *e;   /* the stack's handlers may change the table */
            unsigned burst = e->burst;
            synack_stack_batch_begin(d->st, synack_clock_now());
            int r = drain_port(d, &port, &burst);
            synack_stack_batch_end(d->st, synack_clock_now());
            if ((e = find_fd(d, fd)) != NULL)
                e->burst = burst;
            if (port.flush)
                port.flush(port.steer_arg);
            if (r < 0 && err == 0)
                err = r;
        } else {
            e->fn(e->arg, fd, synack_clock_now());
        }
    }
    release_impaired(d);
    synack_stack_poll(d->st, synack_clock_now());
    return err;
}

int synack_driver_run_once(synack_driver_t *d, synack_time_t timeout_us)
{
    if (!d)
        return -EINVAL;
    d->in_round = 1;
    int err = run_round(d, timeout_us);
    d->in_round = 0;
    /* Unless the caller runs the rounds back to back (synack_driver_defer_tx), what this round
     * queued goes out now, not at the next wait. */
    if (d->u && !d->defer_tx) {
        int r = uring_flush(d->u);
        if (r < 0 && err == 0)
            err = r;
    }
    return err;
}

int synack_driver_run(synack_driver_t *d, volatile int *stop)
{
    if (!d || !stop)
        return -EINVAL;
    int defer = d->defer_tx, err = 0;
    d->defer_tx = 1;   /* the next round follows at once */
    while (!*stop && err == 0)
        err = synack_driver_run_once(d, DRIVER_MAX_WAIT_US);
    d->defer_tx = defer;
    if (d->u)
        uring_flush(d->u);
    return err < 0 ? err : 0;
}

void synack_driver_defer_tx(synack_driver_t *d, int on)
{
    if (d)
        d->defer_tx = on != 0;
}

const char *synack_driver_backend(const synack_driver_t *d)
{
    return d && d->u ? "io_uring" : "epoll";
}

void *synack_driver_tx_ctx(synack_driver_t *d, int fd)
{
    if (!d || fd < 0)
        return NULL;
    for (size_t i = 0; i < d->n_txs; i++)
        if (d->txs[i].fd == fd)
            return &d->txs[i];
    if (d->n_txs == DRIVER_MAX_FDS)
        return NULL;
    d->txs[d->n_txs] = (struct driver_tx){ .d = d, .fd = fd };
    return &d->txs[d->n_txs++];
}

/* Queued in the ring while a round runs, or whenever the caller runs rounds back to back; a frame
 * too large for a write slot, or any frame otherwise, is written at once after what is queued. */
static int driver_tx_frame(struct driver_tx *t, const struct virtio_net_hdr *hdr, const uint8_t *frame, size_t len,
                           synack_time_t now)
{
    size_t hlen = hdr ? sizeof(*hdr) : 0;
    synack_driver_t *d = t->d;
    if (d->u) {
        if ((d->in_round || d->defer_tx) && uring_write(d->u, t->fd, hdr, hlen, frame, len) == 0)
            return 0;
        uring_flush(d->u);   /* the frames queued before this one go first */
    }
    if (hdr)
        return tap_write_vnet(t->fd, hdr, frame, len);   /* the header built once */
    return synack_fd_tx((void *)(intptr_t)t->fd, frame, len, now);
}

int synack_driver_tx(void *ctx, const uint8_t *frame, size_t len, synack_time_t now)
{
    return driver_tx_frame(ctx, NULL, frame, len, now);
}

int synack_driver_tx_vnet(void *ctx, const uint8_t *frame, size_t len, const struct synack_tx_meta *meta,
                          synack_time_t now)
{
    struct virtio_net_hdr h;
    tap_vnet_hdr(&h, frame, len, meta);
    return driver_tx_frame(ctx, &h, frame, len, now);
}

int synack_driver_flush(synack_driver_t *d)
{
    if (!d)
        return -EINVAL;
    return d->u ? uring_flush(d->u) : 0;
}
