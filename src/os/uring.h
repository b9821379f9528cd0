/* The driver loop's io_uring back end (driver.c; docs/ARCHITECTURE.md, "The driver loop").
 *
 * A system call costs about 1 µs on these machines (page-table isolation), more than synack spends
 * on a small frame, and a TAP/TUN fd moves one frame per read() or write(). Through one io_uring a
 * round of the loop is one io_uring_enter however many frames it moves:
 * - each port is read by one multishot read (IORING_OP_READ_MULTISHOT, Linux 6.7) that takes a
 *   buffer from the port's ring of provided buffers for every frame, until the queue is empty, and
 *   stays armed;
 * - frames written are copied into slots and queued, and go out (in order, each issued inline by
 *   the tun driver) with the next round's wait; a frame too large for a slot, or with every slot
 *   busy, is the caller's to write directly after uring_flush();
 * - the driver's epoll set (watched fds, and a port this back end could not take) is polled through
 *   the ring too, one shot at a time, so its readiness stays level-triggered.
 * liburing (Debian's liburing-dev) sets the ring up; the protocol work stays in driver.c. */
#ifndef OS_URING_H
#define OS_URING_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct uring;

/* A ring for a driver whose epoll set is epfd, or NULL with errno set when this kernel (or a
 * sandbox, or SYNACK_IO_URING=0 in the environment) offers no io_uring with multishot reads: the
 * driver then runs on epoll alone. */
struct uring *uring_new(int epfd);
void uring_free(struct uring *u);

/* Reads port fd with a multishot read into `bufs` buffers of `bufsize` bytes (the largest frame).
 * Returns 0, or a negative errno (the port then stays with epoll). */
int uring_add_port(struct uring *u, int fd, size_t bufsize);

/* Queues `hdr` then `frame` as one write to fd. Returns 0, or -ENOBUFS when it does not fit a slot
 * or every slot is in flight: then uring_flush() and write it directly, so frames keep their
 * order. */
int uring_write(struct uring *u, int fd, const void *hdr, size_t hlen, const void *frame, size_t len);
/* Submits what is queued now if a write is (one system call). Returns 0 or a negative errno. */
int uring_flush(struct uring *u);

/* Called for each frame read, in the order the kernel read them; the buffer is reused as soon as
 * it returns. */
typedef void (*uring_frame_fn)(void *arg, int fd, uint8_t *frame, size_t len);

/* Submits everything queued and waits until something completes or `ts` passes (NULL: no limit),
 * then hands each frame read to fn. Returns URING_EPOLL if the epoll set became ready (call
 * uring_rearm_epoll() after epoll_wait has been asked), 0, or a negative errno: a port's read
 * failed (that port is no longer read) or the ring did. */
#define URING_EPOLL 1
int uring_round(struct uring *u, const struct timespec *ts, uring_frame_fn fn, void *arg);
/* Polls the epoll set again (one shot: ready fds left unread are reported by the next round). */
void uring_rearm_epoll(struct uring *u);

/* Writes that failed after being queued (a full device queue: lost, as on a busy wire). */
uint64_t uring_write_errors(const struct uring *u);

#endif
