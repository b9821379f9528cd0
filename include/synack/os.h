/** @file
 * The OS library (libsynack_os, on top of the core library libsynack): what needs an operating
 * system. TAP and TUN devices, pcap files, the real clock, OS randomness and the driver loop (io_uring, or epoll)
 * that runs a stack on them. Linux only. Nothing in the core library calls these: a program that
 * embeds the core supplies its own links, clock and seed. Link with `pkg-config --libs synack-os`.
 *
 * These functions report failures of the system calls under them as the negated errno. */
#ifndef SYNACK_OS_H
#define SYNACK_OS_H

#include "synack/types.h"
#include "synack/stack.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------- TAP and TUN ---------------- */

/** Opens (creating if needed) a TAP (Ethernet, IFF_TAP|IFF_NO_PI) or TUN (raw IPv4,
 * IFF_TUN|IFF_NO_PI) device, non-blocking and close-on-exec. Needs CAP_NET_ADMIN (root) unless the
 * device exists and belongs to the user.
 * @param name     the device's name, or NULL for a name the kernel chooses
 * @param tun      nonzero for TUN (an interface of kind SYNACK_IF_RAWIP), 0 for TAP (SYNACK_IF_ETHERNET)
 * @param name_out where the actual name goes: IFNAMSIZ (16) bytes
 * @return the file descriptor, or a negative errno (-EINVAL for a name of 16 bytes or more,
 *         -EPERM without the privilege, ...) */
SYNACK_API int synack_tap_open(const char *name, int tun, char *name_out);
/** Transmit callback (synack_link_tx_fn) for a TAP/TUN fd: one write() per frame.
 * @param ctx   the fd, as (void *)(intptr_t)fd
 * @param frame the frame
 * @param len   its length
 * @param now   unused
 * @return 0; -EAGAIN if the device's queue is full (the frame is lost, as on a busy wire), -EIO for
 *         a short write, or the write's errno */
SYNACK_API int synack_fd_tx(void *ctx, const uint8_t *frame, size_t len, synack_time_t now);
/** Opens the same device with a virtio-net header on every frame (IFF_VNET_HDR): the kernel
 * segments the large TCP frames synack hands it (TSO), one write for up to 64 KB. Frames read from
 * such a fd start with the header too: add the port with synack_driver_add_port_vnet(), and give
 * the interface tx_meta = synack_fd_tx_vnet and tso_max = SYNACK_TSO_MAX.
 * @param name     the device's name, or NULL
 * @param tun      nonzero for TUN, 0 for TAP
 * @param name_out where the actual name goes: IFNAMSIZ bytes
 * @return the file descriptor, or a negative errno */
SYNACK_API int synack_tap_open_vnet(const char *name, int tun, char *name_out);
/** Transmit callback (synack_link_tx_meta_fn) for a fd from synack_tap_open_vnet(): writes the
 * virtio-net header built from @p meta, then the frame.
 * @param ctx   the fd, as (void *)(intptr_t)fd
 * @param frame the frame, up to SYNACK_TSO_MAX bytes
 * @param len   its length
 * @param meta  how the kernel is to segment and checksum it
 * @param now   unused
 * @return 0, -EAGAIN if the device's queue is full, or the write's errno */
SYNACK_API int synack_fd_tx_vnet(void *ctx, const uint8_t *frame, size_t len, const struct synack_tx_meta *meta,
                                 synack_time_t now);
/** Opens a multi-queue TAP or TUN device (IFF_MULTI_QUEUE): @p n file descriptors, each one queue
 * of the same device, non-blocking and close-on-exec, queue i in fds[i]. The kernel spreads the
 * frames it sends over the queues by flow (for a flow synack has written on a queue lately, that
 * queue), or as a steering program says (synack_tap_set_steering()); each queue is meant for one
 * shard (synack_shards_new()). With @p vnet every queue carries virtio-net headers,
 * as synack_tap_open_vnet().
 * @param name     the device's name, or NULL for a name the kernel chooses
 * @param tun      nonzero for TUN, 0 for TAP
 * @param vnet     nonzero for virtio-net headers (offloads)
 * @param n        the number of queues, 1 to SYNACK_SHARDS_MAX
 * @param fds      where the @p n file descriptors go
 * @param name_out where the actual name goes: IFNAMSIZ bytes
 * @return 0, or a negative errno (-EINVAL also for a device of that name that is single-queue);
 *         on error no fd is left open */
SYNACK_API int synack_tap_open_mq(const char *name, int tun, int vnet, unsigned n, int *fds, char *name_out);
/** Sets the device's steering program (TUNSETSTEERINGEBPF): from then on the kernel sends each
 * frame to the queue the program returns (modulo the queues) instead of choosing by its flow
 * table. The device keeps its own reference, and keeps the program while it exists (a persistent
 * device: after the process exits too). synack_shards_steer_in_kernel() builds and sets the
 * shards' program.
 * @param fd      any queue of the device
 * @param prog_fd a BPF_PROG_TYPE_SOCKET_FILTER program, or -1 to remove the program
 * @return 0, or a negative errno (-EINVAL: the kernel has no such ioctl, before Linux 4.16) */
SYNACK_API int synack_tap_set_steering(int fd, int prog_fd);
/** The largest frame to hand a TAP with segmentation offload (synack_if_config.tso_max). */
#define SYNACK_TSO_MAX 65000
/** Brings the kernel side of the device up with `addr/prefix` (0 = only up) and waits until its
 * operstate allows traffic (up to ~1 s): frames written before that can be dropped.
 * @param name       the device
 * @param addr       the kernel side's IPv4 address, host order; 0 to set none
 * @param prefix_len its prefix length (0 to 32)
 * @param mtu        the device's MTU; 0 leaves it
 * @return 0 or a negative errno (-EINVAL for a bad name or prefix) */
SYNACK_API int synack_tap_configure_host(const char *name, uint32_t addr, uint8_t prefix_len,
                                         unsigned mtu);
/** Gives the kernel side of the device an IPv6 address and waits (up to ~3 s) until the kernel's
 * duplicate address detection lets it be used. The device should be up (synack_tap_configure_host).
 * @param name       the device
 * @param addr       the address (not IPv4)
 * @param prefix_len its prefix length (0 to 128)
 * @return 0, or a negative errno: -EINVAL (bad name, address or prefix), -EADDRNOTAVAIL (the kernel
 *         found the address duplicate), -ETIMEDOUT (still tentative), or the ioctl's */
SYNACK_API int synack_tap_host_addr6(const char *name, const struct synack_ip *addr, uint8_t prefix_len);
/** Reads the MAC address of a kernel interface (of the kernel's side, for a TAP device: give the
 * stack another one).
 * @param name the interface
 * @param mac  where the 6 bytes go
 * @return 0, -EAFNOSUPPORT for an interface without one (TUN), or a negative errno */
SYNACK_API int synack_netdev_mac(const char *name, uint8_t mac[6]);

/* ---------------- pcap writer ---------------- */

#define SYNACK_PCAP_LINKTYPE_ETHERNET 1   /**< pcap link type of Ethernet frames (a TAP, the simulated link). */
#define SYNACK_PCAP_LINKTYPE_RAW 101      /**< pcap link type of bare IP packets (a TUN). */
/** A pcap file being written: opaque. */
typedef struct synack_pcap synack_pcap_t;
/** Creates (or truncates) a classic pcap file (microsecond timestamps) that Wireshark and tshark
 * read, and writes its header.
 * @param path     the file
 * @param linktype SYNACK_PCAP_LINKTYPE_ETHERNET or SYNACK_PCAP_LINKTYPE_RAW
 * @return the writer, or NULL with errno set */
SYNACK_API synack_pcap_t *synack_pcap_open(const char *path, int linktype);
/** Appends one packet (buffered: see synack_pcap_flush()).
 * @param p    the writer
 * @param ts   its timestamp, microseconds (the stack's `now`, e.g. a trace event's)
 * @param data the frame
 * @param len  its length (bytes beyond the snap length are not stored, but counted)
 * @return 0, -EINVAL, or the write's errno */
SYNACK_API int synack_pcap_write(synack_pcap_t *p, synack_time_t ts, const uint8_t *data, size_t len);
/** Writes buffered packets to the file, so a reader sees them while the program runs.
 * @param p the writer
 * @return 0, -EINVAL, or the write's errno */
SYNACK_API int synack_pcap_flush(synack_pcap_t *p);
/** Flushes and closes the file, and frees the writer.
 * @param p the writer; NULL does nothing */
SYNACK_API void synack_pcap_close(synack_pcap_t *p);

/* ---------------- impaired path ---------------- */

/** The directions of an impaired path. */
enum { SYNACK_IMPAIR_IN = 0,      /**< Device -> stack. */
       SYNACK_IMPAIR_OUT = 1 };   /**< Stack -> device. */
/** The configuration of an impaired path: a seeded impairment stage between a device and a stack,
 * for a lossy, long path to the Linux kernel where the kernel has no netem. It reuses the simulated
 * link (synack/link.h): each direction is a simulated link of its own with its own seeded
 * generator, so a frame gets the same decisions (loss, duplication, jitter, reordering,
 * serialisation at `rate_bps`) it would get there; frames held are released by the driver loop
 * when due. Memory is bounded: a direction holds at most `limit` frames, and a frame beyond that is
 * dropped and counted. With segmentation offload a "frame" may be a 64 KB TCP frame of many
 * segments; the decisions are per frame. Fill it with synack_impair_config_init(). */
struct synack_impair_config {
    double loss;                  /**< Probability a frame is lost, 0..1. */
    double dup;                   /**< Probability a frame is duplicated, 0..1. */
    double reorder;               /**< Probability a frame is held back by reorder_gap, 0..1. */
    synack_time_t delay;          /**< One-way, microseconds, each direction. */
    synack_time_t jitter;         /**< Extra delay uniform in [0, jitter]: can reorder frames. */
    synack_time_t reorder_gap;    /**< Extra delay of a reordered frame. */
    uint64_t rate_bps;            /**< Each direction; 0 = unlimited. */
    unsigned limit;               /**< Frames held per direction (>= 1). */
    int offload;                  /**< Keep TSO/GRO frames (the caller opens the device accordingly). */
    uint64_t seed;                /**< IN draws from a stream seeded by 2*seed, OUT by 2*seed+1. */
};
/** What one direction of an impaired path did (synack_impair_stats()). */
struct synack_impair_stats {
    uint64_t frames;              /**< Handed to this direction. */
    uint64_t delivered;           /**< Copies released (duplicates included). */
    uint64_t lost;                /**< Frames lost. */
    uint64_t duplicated;          /**< Frames duplicated. */
    uint64_t reordered;           /**< Frames held back by reorder_gap. */
    uint64_t delayed;             /**< Copies released later than they came in. */
    uint64_t queue_drops;         /**< Over `limit` (or the rate's queue). */
    uint64_t sink_errors;         /**< Released copies the sink refused (e.g. a full device queue). */
};
/** An impaired path: opaque. */
typedef struct synack_impair synack_impair_t;
/** Where a direction's frames go when released (synack_impair_set_sink()).
 * @param ctx   the pointer given with the sink
 * @param frame the frame, borrowed for the call
 * @param len   its length
 * @param meta  NULL unless cfg.offload (OUT only; with offload, `rate` also counts the 8 bytes of
 *              metadata held with each frame out)
 * @param now   the release time
 * @return 0, or a negative value, counted as a sink error */
typedef int (*synack_impair_sink_fn)(void *ctx, const uint8_t *frame, size_t len,
                                     const struct synack_tx_meta *meta, synack_time_t now);
/** Fills a configuration with the defaults: nothing impaired, reorder_gap 1 ms, limit 1000, seed 1.
 * @param cfg the configuration to fill */
SYNACK_API void synack_impair_config_init(struct synack_impair_config *cfg);
/** Parses the `--impair` syntax, "loss=P,delay=MS,jitter=MS,rate=MBIT,reorder=P,dup=P,gap=MS,limit=N,offload",
 * into a configuration; keys not given keep cfg's values. P is a percentage 0..100 ("2", "0.5" or
 * "2%"); MS are milliseconds ("10" or "10ms", fractions allowed); MBIT is Mbit/s ("100" or "100mbit").
 * @param spec    the text
 * @param cfg     the configuration to change
 * @param why     where a short reason goes on error (NUL-terminated)
 * @param why_len the size of @p why
 * @return 0, or -EINVAL with the reason in @p why */
SYNACK_API int synack_impair_parse(const char *spec, struct synack_impair_config *cfg, char *why, size_t why_len);
/** Creates an impaired path.
 * @param cfg its configuration (copied)
 * @return the path, or NULL for a bad configuration or out of memory */
SYNACK_API synack_impair_t *synack_impair_new(const struct synack_impair_config *cfg);
/** Frees an impaired path and the frames it holds.
 * @param im the path; NULL does nothing */
SYNACK_API void synack_impair_free(synack_impair_t *im);
/** Sets where a direction's released frames go.
 * @param im  the path
 * @param dir SYNACK_IMPAIR_IN or SYNACK_IMPAIR_OUT
 * @param fn  the sink
 * @param ctx passed to @p fn */
SYNACK_API void synack_impair_set_sink(synack_impair_t *im, int dir, synack_impair_sink_fn fn, void *ctx);
/** Hands a frame to a direction; frames already due and, with nothing to hold it, this frame are
 * released to the sink before return.
 * @param im    the path
 * @param dir   SYNACK_IMPAIR_IN or SYNACK_IMPAIR_OUT
 * @param frame the frame, borrowed (copied if held)
 * @param len   its length
 * @param meta  its offload metadata, or NULL
 * @param now   the current time
 * @return 0 (also for a frame lost or dropped, counted), -EINVAL, -EMSGSIZE (too big to hold) or
 *         -ENOMEM */
SYNACK_API int synack_impair_push(synack_impair_t *im, int dir, const uint8_t *frame, size_t len,
                                  const struct synack_tx_meta *meta, synack_time_t now);
/** Interface transmit callback (synack_link_tx_fn; tx_ctx = the impair object): pushes the frame
 * to SYNACK_IMPAIR_OUT.
 * @param im    the path
 * @param frame the frame
 * @param len   its length
 * @param now   the current time
 * @return as synack_impair_push() */
SYNACK_API int synack_impair_tx(void *im, const uint8_t *frame, size_t len, synack_time_t now);
/** Interface transmit callback with offload metadata (synack_link_tx_meta_fn): pushes the frame
 * to SYNACK_IMPAIR_OUT with its metadata.
 * @param im    the path
 * @param frame the frame
 * @param len   its length
 * @param meta  its offload metadata
 * @param now   the current time
 * @return as synack_impair_push() */
SYNACK_API int synack_impair_tx_meta(void *im, const uint8_t *frame, size_t len, const struct synack_tx_meta *meta,
                                     synack_time_t now);
/** When the next held frame is due.
 * @param im the path
 * @return the earliest release time of either direction, or SYNACK_TIME_NEVER */
SYNACK_API synack_time_t synack_impair_next(const synack_impair_t *im);
/** Releases a direction's frames due at or before `now`; the sink gets `now`.
 * @param im  the path
 * @param dir SYNACK_IMPAIR_IN or SYNACK_IMPAIR_OUT
 * @param now the current time */
SYNACK_API void synack_impair_release(synack_impair_t *im, int dir, synack_time_t now);
/** What a direction has done so far.
 * @param im  the path
 * @param dir SYNACK_IMPAIR_IN or SYNACK_IMPAIR_OUT
 * @param out the counters */
SYNACK_API void synack_impair_stats(const synack_impair_t *im, int dir, struct synack_impair_stats *out);

/* ---------------- real clock and driver loop ---------------- */

/** The real clock, as a driver passes it for `now`.
 * @return microseconds from CLOCK_MONOTONIC */
SYNACK_API synack_time_t synack_clock_now(void);
/** Fills a stack's seed from the OS (getrandom), for real runs.
 * @param seed synack_config.seed
 * @return 0 or a negative errno */
SYNACK_API int synack_os_seed(uint8_t seed[32]);

/** One device attached to one interface of a stack. */
struct synack_driver_port {
    int fd;        /**< The device's file descriptor. */
    int ifindex;   /**< The stack's interface it feeds. */
};
/** Called by the driver loop when a watched fd is readable (synack_driver_watch_fd()).
 * @param arg the pointer given with the fd
 * @param fd  the fd
 * @param now the real clock's time */
typedef void (*synack_driver_fd_fn)(void *arg, int fd, synack_time_t now);
/** The driver loop of one stack: opaque. */
typedef struct synack_driver synack_driver_t;
/** Creates a driver loop for a stack: an io_uring and an epoll set for the fds it watches.
 * @param st the stack it runs
 * @return the driver, or NULL if out of memory or file descriptors */
SYNACK_API synack_driver_t *synack_driver_new(synack_stack_t *st);
/** Frees the driver. The fds it watched stay open: they are the caller's.
 * @param d the driver; NULL does nothing */
SYNACK_API void synack_driver_free(synack_driver_t *d);
/** Adds a device: frames read from @p fd go to synack_if_input(st, ifindex, ...), in batches.
 * @param d       the driver
 * @param fd      the device, from synack_tap_open()
 * @param ifindex the interface, from synack_if_add()
 * @return 0; -EINVAL (bad arguments, or the fd is there already), -ENOSPC (64 fds already), or
 *         epoll's errno */
SYNACK_API int synack_driver_add_port(synack_driver_t *d, int fd, int ifindex);
/** Adds a device opened with synack_tap_open_vnet(): the virtio-net header is stripped from frames
 * read.
 * @param d       the driver
 * @param fd      the device
 * @param ifindex the interface
 * @return as synack_driver_add_port() */
SYNACK_API int synack_driver_add_port_vnet(synack_driver_t *d, int fd, int ifindex);
/** Watches another fd the program wants to read (e.g. stdin, a control socket).
 * @param d   the driver
 * @param fd  the fd
 * @param fn  called when it is readable
 * @param arg passed to @p fn
 * @return 0; -EINVAL, -ENOSPC, or epoll's errno */
SYNACK_API int synack_driver_watch_fd(synack_driver_t *d, int fd, synack_driver_fd_fn fn, void *arg);
/** Stops watching an fd added with synack_driver_watch_fd() (also from its own callback).
 * @param d  the driver
 * @param fd the fd
 * @return 0; -EINVAL, -ENOENT (not watched, or a port), or epoll's errno */
SYNACK_API int synack_driver_unwatch_fd(synack_driver_t *d, int fd);
/** Puts an impair object between port `fd` and the stack: frames read go through its IN direction
 * (released into synack_if_input), and the loop wakes for both directions' releases. The OUT
 * direction is fed by the interface (tx = synack_impair_tx) and its sink writes to the device.
 * The caller keeps ownership of im and frees it after the driver.
 * @param d  the driver
 * @param fd a port already added
 * @param im the impaired path
 * @return 0; -EINVAL (not a port, or impaired already), -ENOSPC */
SYNACK_API int synack_driver_impair_port(synack_driver_t *d, int fd, synack_impair_t *im);
/** Runs until *stop becomes non-zero (set it from a signal handler) or an error: rounds of
 * synack_driver_run_once(), each waiting at most 100 ms so that @p stop is seen.
 * @param d    the driver
 * @param stop the flag to watch
 * @return 0 once stopped, or the first error of a round (a negative errno) */
SYNACK_API int synack_driver_run(synack_driver_t *d, volatile int *stop);
/** Runs one round: waits at most timeout_us, capped by the stack's next deadline, for
 * readable fds; reads up to a budget of frames from each readable port into the stack in one
 * batch, calls the callbacks of the other fds, releases impaired frames due, and polls the stack.
 * @param d          the driver
 * @param timeout_us the longest wait, microseconds (SYNACK_TIME_NEVER: until something happens)
 * @return 0, or a negative errno (from epoll, or reading a device) */
SYNACK_API int synack_driver_run_once(synack_driver_t *d, synack_time_t timeout_us);
/** The transmit context of a port of this driver, for synack_driver_tx() and
 * synack_driver_tx_vnet(): give it as the interface's tx_ctx (synack_if_config), before or after
 * the port is added.
 * @param d  the driver
 * @param fd the device's fd
 * @return the context (valid as long as the driver), or NULL (bad arguments, 64 fds already) */
SYNACK_API void *synack_driver_tx_ctx(synack_driver_t *d, int fd);
/** Transmit callback (synack_link_tx_fn) through a driver: with the io_uring back end, a frame sent
 * while a round runs is copied and queued, and the round's frames go out together, in order, when
 * it ends (or with the next round's wait, see synack_driver_defer_tx()); otherwise, or for a frame
 * larger than 2 KB, as synack_fd_tx(), after whatever is queued.
 * @param ctx   from synack_driver_tx_ctx()
 * @param frame the frame (borrowed)
 * @param len   its length
 * @param now   unused
 * @return 0 (a queued frame that the device then refuses is lost, as on a busy wire), or as
 *         synack_fd_tx() */
SYNACK_API int synack_driver_tx(void *ctx, const uint8_t *frame, size_t len, synack_time_t now);
/** Transmit callback (synack_link_tx_meta_fn) through a driver for a device from
 * synack_tap_open_vnet(): as synack_driver_tx(), each frame behind its virtio-net header.
 * @param ctx   from synack_driver_tx_ctx()
 * @param frame the frame, up to SYNACK_TSO_MAX bytes
 * @param len   its length
 * @param meta  how the kernel is to segment and checksum it
 * @param now   unused
 * @return as synack_driver_tx() */
SYNACK_API int synack_driver_tx_vnet(void *ctx, const uint8_t *frame, size_t len, const struct synack_tx_meta *meta,
                                     synack_time_t now);
/** Lets the frames a round queues wait for the next round's wait instead of a system call of
 * their own at its end: for a caller that runs synack_driver_run_once() back to back (as
 * synack_driver_run() does) and calls synack_driver_flush() when it stops (synack_driver_free()
 * does too).
 * @param d  the driver
 * @param on nonzero to defer */
SYNACK_API void synack_driver_defer_tx(synack_driver_t *d, int on);
/** Sends the frames queued now.
 * @param d the driver
 * @return 0 or a negative errno */
SYNACK_API int synack_driver_flush(synack_driver_t *d);
/** Which back end the driver runs on.
 * @param d the driver
 * @return "io_uring" (Linux 6.7 and later, unless SYNACK_IO_URING=0 is in the environment or the
 *         system forbids it) or "epoll" */
SYNACK_API const char *synack_driver_backend(const synack_driver_t *d);

/* ---------------- shards: one stack per core behind a multi-queue device ---------------- */

/** The most shards (queues) of one device. */
#define SYNACK_SHARDS_MAX 64
/** synack_shards_steer(): the frame may go to whichever shard read it (ARP requests, echo, ...). */
#define SYNACK_SHARD_ANY (-1)
/** synack_shards_steer(): every shard needs the frame (ARP replies, IPv6 neighbour and router
 * advertisements). */
#define SYNACK_SHARD_ALL (-2)
/** A set of shards: N stacks, one per thread, each on one queue of a multi-queue device, with the
 * same interface (address, MAC). A TCP or UDP flow belongs to one shard, chosen by a keyed hash of
 * its 4-tuple (synack_shards_owner()); a shard that reads a frame of a flow it does not own hands
 * a copy to the owner through a lock-free single-producer single-consumer ring and wakes it (an
 * eventfd). Nothing is locked on the data path and each stack is only ever entered by its own
 * thread. Opaque. */
typedef struct synack_shards synack_shards_t;
/** What one shard's steering did (synack_shards_stats()). */
struct synack_shard_stats {
    uint64_t frames_read;     /**< Frames read from its queue. */
    uint64_t handed_out;      /**< Of those, handed to the shard owning their flow. */
    uint64_t handed_in;       /**< Frames other shards handed to it. */
    uint64_t copied_to_all;   /**< Frames read that every shard needed (ARP replies). */
    uint64_t ring_drops;      /**< Frames not handed over: the owner's ring was full, or no memory. */
    uint64_t wakeups;         /**< Wake-ups written to other shards (one per burst, not per frame). */
};
/** Creates a set of shards.
 * @param n         the number of shards, 1 to SYNACK_SHARDS_MAX
 * @param link_kind SYNACK_IF_ETHERNET (TAP) or SYNACK_IF_RAWIP (TUN): how frames are parsed
 * @return the set, or NULL (bad arguments, out of memory or file descriptors) */
SYNACK_API synack_shards_t *synack_shards_new(unsigned n, int link_kind);
/** Frees the set and the frames its rings still hold. Stop the shards' threads and free their
 * drivers first (their loops use the set).
 * @param g the set; NULL does nothing */
SYNACK_API void synack_shards_free(synack_shards_t *g);
/** Attaches shard @p idx: its stack, its driver and the queue fd (already added to the driver as a
 * port feeding interface @p ifindex). From then on frames read from @p fd that belong to another
 * shard are handed to it, frames handed to this shard enter @p st from @p d's loop, and the
 * stack's TCP connects choose ephemeral ports whose replies steer back to this shard
 * (synack_stack_set_port_filter()). Call for every shard before any of their loops run.
 * @param g       the set
 * @param idx     the shard, 0 to n-1
 * @param d       its driver
 * @param st      its stack (the driver's)
 * @param fd      its queue
 * @param ifindex the interface the queue feeds
 * @return 0, or -EINVAL (bad index, attached already, fd not a port of @p d) or a driver error */
SYNACK_API int synack_shards_attach(synack_shards_t *g, unsigned idx, synack_driver_t *d, synack_stack_t *st,
                                    int fd, int ifindex);
/** Steers in the kernel: loads an eBPF program that computes synack_shards_owner() for every frame
 * the kernel sends to the device and sets it on the device (synack_tap_set_steering()), so a
 * flow's frames, its first included, are read by the shard that owns it; frames the program cannot
 * place (fragments, extension headers, ARP, neighbour discovery) go to queue 0 and are handed over
 * as before. On failure the device is left without a program (one left by an earlier process is
 * removed) and the kernel chooses queues by its flow table. Call once, before the loops run, with
 * queue i of the device attached as shard i (synack_tap_open_mq() opens them in that order).
 * @param g     the set
 * @param fd    any queue of the device
 * @param log   where the verifier's log goes if it refused the program (else ""), or NULL
 * @param logcap its size
 * @return 0, or a negative errno: -EPERM without CAP_BPF or CAP_SYS_ADMIN, -ENOSYS without
 *         bpf(2), -EINVAL without the ioctl (before Linux 4.16) or if the verifier refused it */
SYNACK_API int synack_shards_steer_in_kernel(synack_shards_t *g, int fd, char *log, size_t logcap);
/** Loads the set's steering program (bpf(BPF_PROG_LOAD), a socket filter) without setting it on
 * a device: for a device opened otherwise, or to run it on frames (BPF_PROG_TEST_RUN). Given a
 * frame from its link-layer header (Ethernet on a TAP, IP on a TUN) it returns the shard
 * synack_shards_steer() names for a TCP or UDP flow or the flow an ICMP error quotes, and 0 for
 * anything else.
 * @param g      the set
 * @param log    where the verifier's log goes if it refused the program (else ""), or NULL
 * @param logcap its size
 * @return the program's file descriptor (the caller closes it), or a negative errno as
 *         synack_shards_steer_in_kernel() */
SYNACK_API int synack_shards_bpf_program(const synack_shards_t *g, char *log, size_t logcap);
/** Whether synack_shards_steer_in_kernel() succeeded for the set.
 * @param g the set
 * @return 1 or 0 */
SYNACK_API int synack_shards_kernel_steering(const synack_shards_t *g);
/** The shard that owns a flow: a keyed hash of its 4-tuple, seen from synack's side.
 * @param g      the set
 * @param local  synack's address and port
 * @param remote the peer's address and port
 * @return the shard, 0 to n-1 */
SYNACK_API unsigned synack_shards_owner(const synack_shards_t *g, const struct synack_sockaddr *local,
                                        const struct synack_sockaddr *remote);
/** Where a received frame belongs: the owner of its TCP or UDP flow (for an ICMP or ICMPv6 error,
 * the flow of the packet it quotes); every shard for ARP replies and IPv6 neighbour and router advertisements;
 * shard 0 for IP fragments (reassembly needs them in one place); any shard for the rest.
 * @param g     the set
 * @param frame the frame as the device gives it (Ethernet or bare IP, no virtio-net header)
 * @param len   its length
 * @return the shard, SYNACK_SHARD_ANY or SYNACK_SHARD_ALL */
SYNACK_API int synack_shards_steer(const synack_shards_t *g, const uint8_t *frame, size_t len);
/** Runs @p fn on shard @p idx's thread, between two rounds of its loop, and waits until it has run:
 * how another thread reads a shard's stack (a listing, counters). Never call it for the caller's
 * own shard (it would wait for itself).
 * @param g   the set
 * @param idx the shard
 * @param fn  the function
 * @param arg passed to @p fn
 * @return 0 once @p fn has run; -EINVAL; -ETIMEDOUT if the shard's loop did not take the call
 *         within 2 s (it is then withdrawn, and @p fn has not run) */
SYNACK_API int synack_shards_call(synack_shards_t *g, unsigned idx, void (*fn)(void *arg), void *arg);
/** The number of shards in the set.
 * @param g the set
 * @return n */
SYNACK_API unsigned synack_shards_count(const synack_shards_t *g);
/** What a shard's steering has done so far (any thread may ask).
 * @param g   the set
 * @param idx the shard
 * @param out the counters (zero for a bad index) */
SYNACK_API void synack_shards_stats(const synack_shards_t *g, unsigned idx, struct synack_shard_stats *out);

#ifdef __cplusplus
}
#endif

#endif
