/* Built-in links: the simulated link (virtual time, seeded impairments), TAP and TUN devices, and
 * a pcap writer. An embedding program can instead supply its own transmit callback
 * (synack_if_config.tx) and call synack_if_input() itself. */
#ifndef SYNACK_LINK_H
#define SYNACK_LINK_H

#include "synack/types.h"
#include "synack/stack.h"

/* ---------------- simulated link ----------------
 * A point-to-point wire between two interfaces in one process. Each direction has its own queue:
 * a frame sent at t is serialised at `bandwidth_bps` behind earlier frames (a queue holding more
 * than `queue_limit` frames drops it), then arrives at t + serialisation + latency + jitter.
 * Loss, duplication, reordering (an extra `reorder_delay`) and corruption (one bit flipped) are
 * drawn per frame from a PRNG seeded by `seed`: same seed, same run. */
struct synack_simlink_config {
    synack_time_t latency;      /* one-way, microseconds */
    synack_time_t jitter;       /* uniform extra delay in [0, jitter] (can reorder frames) */
    uint64_t bandwidth_bps;     /* 0 = infinite */
    unsigned queue_limit;       /* frames waiting per direction; 0 = unbounded */
    double loss;                /* probability per frame, 0..1 */
    double duplicate;
    double reorder;             /* probability a frame is held back by reorder_delay */
    synack_time_t reorder_delay;
    double corrupt;             /* probability one random bit of the frame is flipped */
    uint64_t seed;
};

struct synack_simlink_stats {
    uint64_t sent, delivered, lost, duplicated, reordered, corrupted, queue_drops;
};

typedef struct synack_simlink synack_simlink_t;

/* Defaults: 1 ms latency, infinite bandwidth, no impairments, seed 1. */
SYNACK_API void synack_simlink_config_init(struct synack_simlink_config *cfg);
SYNACK_API synack_simlink_t *synack_simlink_new(const struct synack_simlink_config *cfg);
SYNACK_API void synack_simlink_free(synack_simlink_t *l);
/* Connects end `side` (0 or 1) to an interface. Add the interface with
 * tx = synack_simlink_tx and tx_ctx = synack_simlink_end(l, side) first, then attach it. */
SYNACK_API void *synack_simlink_end(synack_simlink_t *l, int side);
SYNACK_API int synack_simlink_tx(void *end, const uint8_t *frame, size_t len, synack_time_t now);
SYNACK_API void synack_simlink_attach(synack_simlink_t *l, int side, synack_stack_t *st, int ifindex);
/* Next time a frame arrives at either end, or SYNACK_TIME_NEVER. */
SYNACK_API synack_time_t synack_simlink_next(const synack_simlink_t *l);
/* Delivers every frame due at or before `now`, in arrival order (ties: order of sending), each
 * with its own arrival time as the receiver's `now`. Call it at synack_simlink_next(), as the
 * simulated network does, so that a stack never sees time step back. */
SYNACK_API void synack_simlink_deliver(synack_simlink_t *l, synack_time_t now);
/* Counters for the direction that end `side` transmits on (sent, lost, ... by that end;
 * delivered = arrived at the other end). */
SYNACK_API void synack_simlink_stats(const synack_simlink_t *l, int side, struct synack_simlink_stats *out);
/* Optional receive hook for end `side` (tests of the link alone): when set, frames arriving at
 * that end go to fn instead of synack_if_input(). `side` in the call is the receiving end, `now`
 * the frame's arrival time; `frame` is borrowed for the call. fn may transmit on the link.
 * NULL removes the hook. */
typedef void (*synack_simlink_rx_fn)(void *ctx, int side, const uint8_t *frame, size_t len,
                                     synack_time_t now);
SYNACK_API void synack_simlink_set_rx(synack_simlink_t *l, int side, synack_simlink_rx_fn fn, void *ctx);
/* Changes impairments mid-run (e.g. loss on for a while). cfg->seed is ignored: the PRNG keeps
 * its state. */
SYNACK_API void synack_simlink_set_config(synack_simlink_t *l, const struct synack_simlink_config *cfg);

/* ---------------- simulated network ----------------
 * Runs stacks and simulated links together under one virtual clock. */
typedef struct synack_simnet synack_simnet_t;
SYNACK_API synack_simnet_t *synack_simnet_new(synack_time_t start);
SYNACK_API void synack_simnet_free(synack_simnet_t *n);   /* frees the links, not the stacks */
/* Registers a stack or a link (on success the net owns the link). Events due at the same time run
 * links first, then stacks, each in the order added. Return 0, -EINVAL (NULL or added twice) or
 * -ENOSPC (SYNACK_SIMNET_MAX of that kind already). */
#define SYNACK_SIMNET_MAX 64
SYNACK_API int synack_simnet_add_stack(synack_simnet_t *n, synack_stack_t *st);
SYNACK_API int synack_simnet_add_link(synack_simnet_t *n, synack_simlink_t *l);
SYNACK_API synack_time_t synack_simnet_now(const synack_simnet_t *n);
/* Advances virtual time event by event (frame arrivals, stack deadlines) up to `until`.
 * Returns the number of events processed. */
SYNACK_API uint64_t synack_simnet_run_until(synack_simnet_t *n, synack_time_t until);
/* Processes the single earliest event if it is due at or before `until`. Returns 1 if one ran. */
SYNACK_API int synack_simnet_step(synack_simnet_t *n, synack_time_t until);

/* ---------------- TAP and TUN ----------------
 * Opens (creating if needed) a TAP (Ethernet, IFF_TAP|IFF_NO_PI) or TUN (raw IPv4, IFF_TUN|IFF_NO_PI)
 * device, non-blocking. `name` may be NULL for a kernel-chosen name; the actual name is written
 * to name_out (IFNAMSIZ bytes). Returns the fd or a negative errno. */
SYNACK_API int synack_tap_open(const char *name, int tun, char *name_out);
/* Transmit callback for a TAP/TUN fd: ctx is (void *)(intptr_t)fd. */
SYNACK_API int synack_fd_tx(void *ctx, const uint8_t *frame, size_t len, synack_time_t now);
/* The same device with a virtio-net header on every frame (IFF_VNET_HDR): the kernel segments the
 * large TCP frames synack hands it (TSO), one write for up to 64 KB. Frames read from such a fd
 * start with the header too: add the port with synack_driver_add_port_vnet. */
SYNACK_API int synack_tap_open_vnet(const char *name, int tun, char *name_out);
SYNACK_API int synack_fd_tx_vnet(void *ctx, const uint8_t *frame, size_t len, const struct synack_tx_meta *meta,
                                 synack_time_t now);
#define SYNACK_TSO_MAX 65000
/* Brings the kernel side of the device up with `addr/prefix` (0 = only up) and waits until its
 * operstate allows traffic (up to ~1 s). Returns 0 or a negative errno. */
SYNACK_API int synack_tap_configure_host(const char *name, uint32_t addr, uint8_t prefix_len,
                                         unsigned mtu);
/* Reads the kernel side's MAC address of an interface. */
SYNACK_API int synack_netdev_mac(const char *name, uint8_t mac[6]);

/* ---------------- pcap writer ----------------
 * Writes a classic pcap file (microsecond timestamps) that Wireshark and tshark read. */
#define SYNACK_PCAP_LINKTYPE_ETHERNET 1
#define SYNACK_PCAP_LINKTYPE_RAW 101
typedef struct synack_pcap synack_pcap_t;
SYNACK_API synack_pcap_t *synack_pcap_open(const char *path, int linktype);
SYNACK_API int synack_pcap_write(synack_pcap_t *p, synack_time_t ts, const uint8_t *data, size_t len);
SYNACK_API int synack_pcap_flush(synack_pcap_t *p);
SYNACK_API void synack_pcap_close(synack_pcap_t *p);

/* ---------------- real clock and driver loop ---------------- */
/* Microseconds from CLOCK_MONOTONIC: what a driver passes as `now`. */
SYNACK_API synack_time_t synack_clock_now(void);
/* Fills `seed` from the OS (getrandom) for real runs. */
SYNACK_API int synack_os_seed(uint8_t seed[32]);

/* One device attached to one interface of a stack. */
struct synack_driver_port {
    int fd;
    int ifindex;
};
/* Extra file descriptors the program wants to watch (e.g. stdin, a control socket). */
typedef void (*synack_driver_fd_fn)(void *arg, int fd, synack_time_t now);
typedef struct synack_driver synack_driver_t;
SYNACK_API synack_driver_t *synack_driver_new(synack_stack_t *st);
SYNACK_API void synack_driver_free(synack_driver_t *d);
SYNACK_API int synack_driver_add_port(synack_driver_t *d, int fd, int ifindex);
/* A port opened with synack_tap_open_vnet: the virtio-net header is stripped from frames read. */
SYNACK_API int synack_driver_add_port_vnet(synack_driver_t *d, int fd, int ifindex);
SYNACK_API int synack_driver_watch_fd(synack_driver_t *d, int fd, synack_driver_fd_fn fn, void *arg);
SYNACK_API int synack_driver_unwatch_fd(synack_driver_t *d, int fd);
/* Runs until *stop becomes non-zero (set it from a signal handler) or an error. Reads frames from
 * the ports, waits on epoll with the stack's next deadline as the timeout. */
SYNACK_API int synack_driver_run(synack_driver_t *d, volatile int *stop);
/* Runs one round: wait at most timeout_us (capped by the stack's deadline), process. */
SYNACK_API int synack_driver_run_once(synack_driver_t *d, synack_time_t timeout_us);

#endif
