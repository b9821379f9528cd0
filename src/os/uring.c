/* The driver loop's io_uring back end: see uring.h for what it does and why. */
#include <errno.h>
#include <liburing.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "uring.h"

/* Linux 6.7's multishot read; liburing 2.3's header (Debian 12) predates it, the kernel decides
 * (probed in uring_new). */
#define URING_OP_READ_MULTISHOT 49

#define URING_ENTRIES 256
#define URING_PORTS 8
/* Buffers per port: frames one wake-up can read before the read must be armed again (it ends
 * with -ENOBUFS when the kernel finds none, and the frames wait in the device's queue). */
#define URING_BUFS 32
/* Write slots: a round's small frames wait in them for the next submission. */
#define URING_SLOTS 128
#define URING_SLOT_SIZE 2048   /* a 1514-byte frame and its virtio-net header, with room */

enum { TAG_READ = 1, TAG_WRITE, TAG_EPOLL };

static uint64_t tag(unsigned kind, unsigned v)
{
    return (uint64_t)kind << 32 | v;
}

struct uring_port {
    int fd;
    int armed;   /* its multishot read is in the kernel (or queued to go) */
    int dead;    /* its read failed: not armed again */
    size_t bufsize;
    uint8_t *bufs;
    struct io_uring_buf_ring *br;
};

struct uring {
    struct io_uring ring;
    int epfd;
    int epoll_armed;
    struct uring_port ports[URING_PORTS];
    unsigned n_ports;
    uint8_t *slots;   /* URING_SLOTS of URING_SLOT_SIZE, allocated at the first write */
    uint16_t free_slots[URING_SLOTS];
    unsigned n_free;
    unsigned wqueued;  /* writes in the submission queue not submitted yet */
    uint64_t write_errors;
};

struct uring *uring_new(int epfd)
{
    const char *env = getenv("SYNACK_IO_URING");
    if (env && strcmp(env, "0") == 0) {
        errno = ENOTSUP;
        return NULL;
    }
    struct uring *u = calloc(1, sizeof(*u));
    if (!u)
        return NULL;
    /* The work of a frame arriving is done when this thread next enters the kernel (our round's
     * wait), not by interrupting it (COOP_TASKRUN, 5.19). Not SINGLE_ISSUER: a shard's ring is run
     * by its thread and, once the threads are joined, drained by the main one. */
    struct io_uring_params p;
    memset(&p, 0, sizeof(p));
    p.flags = IORING_SETUP_COOP_TASKRUN;
    int r = io_uring_queue_init_params(URING_ENTRIES, &u->ring, &p);
    if (r == -EINVAL) {
        memset(&p, 0, sizeof(p));
        r = io_uring_queue_init_params(URING_ENTRIES, &u->ring, &p);
    }
    if (r < 0) {
        free(u);
        errno = -r;
        return NULL;
    }
    /* A wait with a timeout in one call (EXT_ARG, 5.11), and the multishot read. */
    struct io_uring_probe *pr = io_uring_get_probe_ring(&u->ring);
    int ok = (p.features & IORING_FEAT_EXT_ARG) && pr && io_uring_opcode_supported(pr, URING_OP_READ_MULTISHOT);
    if (pr)
        io_uring_free_probe(pr);
    if (!ok) {
        io_uring_queue_exit(&u->ring);
        free(u);
        errno = ENOTSUP;
        return NULL;
    }
    u->epfd = epfd;
    for (unsigned i = 0; i < URING_SLOTS; i++)
        u->free_slots[i] = (uint16_t)(URING_SLOTS - 1 - i);
    u->n_free = URING_SLOTS;
    uring_rearm_epoll(u);
    return u;
}

void uring_free(struct uring *u)
{
    if (!u)
        return;
    /* The armed reads hold their devices' files, and a ring's teardown cancels them only later,
     * in a kernel worker: the caller's close() of a TAP's fd would then not delete the device (nor
     * let a bridge whose last port it was go). So every request is cancelled here and waited for
     * (Linux 6.0), and what they complete is reaped, before the ring and the buffers go. */
    struct io_uring_sync_cancel_reg reg;
    memset(&reg, 0, sizeof(reg));
    reg.flags = IORING_ASYNC_CANCEL_ANY;
    reg.fd = -1;
    reg.timeout.tv_sec = 1;   /* a bound, not a wait: cancelling a poll-armed read is immediate */
    for (int i = 0; i < 64 && io_uring_register_sync_cancel(&u->ring, &reg) == 0; i++)
        ;
    struct io_uring_cqe *cqe;
    struct __kernel_timespec zero = { 0, 0 };
    while (io_uring_wait_cqe_timeout(&u->ring, &cqe, &zero) == 0)
        io_uring_cqe_seen(&u->ring, cqe);
    io_uring_queue_exit(&u->ring);
    for (unsigned i = 0; i < u->n_ports; i++) {
        munmap(u->ports[i].br, URING_BUFS * sizeof(struct io_uring_buf));
        free(u->ports[i].bufs);
    }
    free(u->slots);
    free(u);
}

/* An entry of the submission queue; when it is full, what it holds is submitted first. */
static struct io_uring_sqe *sqe_get(struct uring *u)
{
    struct io_uring_sqe *s = io_uring_get_sqe(&u->ring);
    if (!s) {
        io_uring_submit(&u->ring);
        u->wqueued = 0;
        s = io_uring_get_sqe(&u->ring);
    }
    return s;
}

static void arm_read(struct uring *u, unsigned idx)
{
    struct uring_port *p = &u->ports[idx];
    struct io_uring_sqe *s = sqe_get(u);
    if (!s)
        return;   /* tried again at the end of the next round */
    io_uring_prep_rw(URING_OP_READ_MULTISHOT, s, p->fd, NULL, 0, 0);
    s->flags |= IOSQE_BUFFER_SELECT;
    s->buf_group = (uint16_t)idx;
    io_uring_sqe_set_data64(s, tag(TAG_READ, idx));
    p->armed = 1;
}

int uring_add_port(struct uring *u, int fd, size_t bufsize)
{
    if (u->n_ports == URING_PORTS)
        return -ENOSPC;
    unsigned idx = u->n_ports;
    size_t br_len = URING_BUFS * sizeof(struct io_uring_buf);
    /* The ring of buffer descriptors must be page-aligned. */
    void *br = mmap(NULL, br_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (br == MAP_FAILED)
        return -errno;
    uint8_t *bufs = malloc(URING_BUFS * bufsize);
    struct io_uring_buf_reg reg;
    memset(&reg, 0, sizeof(reg));
    reg.ring_addr = (uintptr_t)br;
    reg.ring_entries = URING_BUFS;
    reg.bgid = (uint16_t)idx;
    int r = bufs ? io_uring_register_buf_ring(&u->ring, &reg, 0) : -ENOMEM;
    if (r < 0) {
        munmap(br, br_len);
        free(bufs);
        return r;
    }
    struct io_uring_buf_ring *ring = br;
    io_uring_buf_ring_init(ring);
    for (unsigned i = 0; i < URING_BUFS; i++)
        io_uring_buf_ring_add(ring, bufs + i * bufsize, (unsigned)bufsize, (unsigned short)i,
                              io_uring_buf_ring_mask(URING_BUFS), (int)i);
    io_uring_buf_ring_advance(ring, URING_BUFS);
    u->ports[idx] = (struct uring_port){ .fd = fd, .bufsize = bufsize, .bufs = bufs, .br = ring };
    u->n_ports++;
    arm_read(u, idx);
    return 0;
}

int uring_write(struct uring *u, int fd, const void *hdr, size_t hlen, const void *frame, size_t len)
{
    if (hlen + len > URING_SLOT_SIZE || u->n_free == 0)
        return -ENOBUFS;
    if (!u->slots && !(u->slots = malloc((size_t)URING_SLOTS * URING_SLOT_SIZE)))
        return -ENOBUFS;
    struct io_uring_sqe *s = sqe_get(u);
    if (!s)
        return -ENOBUFS;
    unsigned k = u->free_slots[--u->n_free];
    uint8_t *b = u->slots + (size_t)k * URING_SLOT_SIZE;
    if (hlen)
        memcpy(b, hdr, hlen);
    memcpy(b + hlen, frame, len);
    /* Offset -1: the device has no position (a stream). */
    io_uring_prep_write(s, fd, b, (unsigned)(hlen + len), (uint64_t)-1);
    u->wqueued++;
    io_uring_sqe_set_data64(s, tag(TAG_WRITE, k));
    return 0;
}

int uring_flush(struct uring *u)
{
    if (!u->wqueued)
        return 0;
    int r = io_uring_submit(&u->ring);
    u->wqueued = 0;
    return r < 0 ? r : 0;
}

void uring_rearm_epoll(struct uring *u)
{
    if (u->epoll_armed)
        return;
    struct io_uring_sqe *s = sqe_get(u);
    if (!s)
        return;
    io_uring_prep_poll_add(s, u->epfd, POLLIN);
    io_uring_sqe_set_data64(s, tag(TAG_EPOLL, 0));
    u->epoll_armed = 1;
}

uint64_t uring_write_errors(const struct uring *u)
{
    return u->write_errors;
}

/* A read's completion: the frame to fn, its buffer back to the kernel. */
static int read_done(struct uring *u, unsigned idx, const struct io_uring_cqe *cqe, uring_frame_fn fn, void *arg)
{
    struct uring_port *p = &u->ports[idx];
    if (!(cqe->flags & IORING_CQE_F_MORE))
        p->armed = 0;   /* ended (no buffer left, or an error): armed again below */
    if (cqe->flags & IORING_CQE_F_BUFFER) {
        unsigned bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
        if (bid < URING_BUFS) {
            uint8_t *b = p->bufs + bid * p->bufsize;
            if (cqe->res > 0)
                fn(arg, p->fd, b, (size_t)cqe->res);
            io_uring_buf_ring_add(p->br, b, (unsigned)p->bufsize, (unsigned short)bid,
                                  io_uring_buf_ring_mask(URING_BUFS), 0);
            io_uring_buf_ring_advance(p->br, 1);
        }
    }
    if (cqe->res < 0 && cqe->res != -ENOBUFS && cqe->res != -EAGAIN && cqe->res != -EINTR &&
        cqe->res != -ECANCELED) {
        p->dead = 1;
        return cqe->res;
    }
    return 0;
}

int uring_round(struct uring *u, const struct timespec *ts, uring_frame_fn fn, void *arg)
{
    struct io_uring_cqe *cqe;
    int r;
    if (ts) {
        struct __kernel_timespec kts = { .tv_sec = ts->tv_sec, .tv_nsec = ts->tv_nsec };
        r = io_uring_submit_and_wait_timeout(&u->ring, &cqe, 1, &kts, NULL);
    } else {
        r = io_uring_submit_and_wait(&u->ring, 1);
    }
    u->wqueued = 0;
    if (r < 0 && r != -ETIME && r != -EINTR && r != -EBUSY)
        return r;

    int ret = 0, epoll = 0;
    unsigned head, n = 0;
    io_uring_for_each_cqe(&u->ring, head, cqe) {
        n++;
        unsigned kind = (unsigned)(cqe->user_data >> 32), v = (unsigned)cqe->user_data;
        if (kind == TAG_READ && v < u->n_ports) {
            int e = read_done(u, v, cqe, fn, arg);
            if (e < 0 && ret == 0)
                ret = e;
        } else if (kind == TAG_WRITE && v < URING_SLOTS) {
            u->free_slots[u->n_free++] = (uint16_t)v;
            if (cqe->res < 0)
                u->write_errors++;
        } else if (kind == TAG_EPOLL) {
            u->epoll_armed = 0;
            epoll = 1;
        }
    }
    io_uring_cq_advance(&u->ring, n);
    for (unsigned i = 0; i < u->n_ports; i++)
        if (!u->ports[i].armed && !u->ports[i].dead)
            arm_read(u, i);
    if (!epoll)
        uring_rearm_epoll(u);   /* in case arming failed before */
    return ret < 0 ? ret : epoll ? URING_EPOLL : 0;
}
