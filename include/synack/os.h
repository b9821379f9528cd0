/* The OS library (libsynack_os, on top of the core library libsynack): what needs an operating
 * system. TAP and TUN devices, pcap files, the real clock, OS randomness and the epoll driver loop
 * that runs a stack on them. Linux only. Nothing in the core library calls these: a program that
 * embeds the core supplies its own links, clock and seed. */
#ifndef SYNACK_OS_H
#define SYNACK_OS_H

#include "synack/types.h"
#include "synack/stack.h"

#ifdef __cplusplus
extern "C" {
#endif

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

/* ---------------- impaired path ----------------
 * A seeded impairment stage between a device and a stack, for a lossy, long path to the Linux
 * kernel where the kernel has no netem. It reuses the simulated link (synack/link.h): each
 * direction is a simulated link of its own with its own seeded generator, so a frame gets the
 * same decisions (loss, duplication, jitter, reordering, serialisation at `rate_bps`) it would
 * get there; frames held are released by the driver loop when due. Memory is bounded: a direction
 * holds at most `limit` frames, and a frame beyond that is dropped and counted. With segmentation
 * offload a "frame" may be a 64 KB TCP frame of many segments; the decisions are per frame. */
enum { SYNACK_IMPAIR_IN = 0,      /* device -> stack */
       SYNACK_IMPAIR_OUT = 1 };   /* stack -> device */
struct synack_impair_config {
    double loss, dup, reorder;    /* probability per frame, 0..1 */
    synack_time_t delay;          /* one-way, microseconds, each direction */
    synack_time_t jitter;         /* extra delay uniform in [0, jitter]: can reorder frames */
    synack_time_t reorder_gap;    /* extra delay of a reordered frame */
    uint64_t rate_bps;            /* each direction; 0 = unlimited */
    unsigned limit;               /* frames held per direction (>= 1) */
    int offload;                  /* keep TSO/GRO frames (the caller opens the device accordingly) */
    uint64_t seed;                /* IN draws from a stream seeded by 2*seed, OUT by 2*seed+1 */
};
struct synack_impair_stats {
    uint64_t frames;              /* handed to this direction */
    uint64_t delivered;           /* copies released (duplicates included) */
    uint64_t lost, duplicated, reordered;
    uint64_t delayed;             /* copies released later than they came in */
    uint64_t queue_drops;         /* over `limit` (or the rate's queue) */
    uint64_t sink_errors;         /* released copies the sink refused (e.g. a full device queue) */
};
typedef struct synack_impair synack_impair_t;
/* Where a direction's frames go when released; meta is NULL unless cfg.offload (OUT only; with
 * offload, `rate` also counts the 8 bytes of metadata held with each frame out). A negative return
 * is counted as a sink error. */
typedef int (*synack_impair_sink_fn)(void *ctx, const uint8_t *frame, size_t len,
                                     const struct synack_tx_meta *meta, synack_time_t now);
/* Nothing impaired, reorder_gap 1 ms, limit 1000, seed 1. */
SYNACK_API void synack_impair_config_init(struct synack_impair_config *cfg);
/* Parses "loss=P,delay=MS,jitter=MS,rate=MBIT,reorder=P,dup=P,gap=MS,limit=N,offload" into cfg
 * (keys not given keep cfg's values). P is a percentage 0..100 ("2", "0.5" or "2%"); MS are
 * milliseconds ("10" or "10ms", fractions allowed); MBIT is Mbit/s ("100" or "100mbit").
 * Returns 0, or -EINVAL with a short reason written to why. */
SYNACK_API int synack_impair_parse(const char *spec, struct synack_impair_config *cfg, char *why, size_t why_len);
SYNACK_API synack_impair_t *synack_impair_new(const struct synack_impair_config *cfg);
SYNACK_API void synack_impair_free(synack_impair_t *im);
SYNACK_API void synack_impair_set_sink(synack_impair_t *im, int dir, synack_impair_sink_fn fn, void *ctx);
/* Hands a frame (borrowed) to direction dir at `now`; frames already due and, with nothing to
 * hold it, this frame are released to the sink before return. Returns 0 or -ENOMEM. */
SYNACK_API int synack_impair_push(synack_impair_t *im, int dir, const uint8_t *frame, size_t len,
                                  const struct synack_tx_meta *meta, synack_time_t now);
/* Interface transmit callbacks (tx_ctx = the impair object): push to SYNACK_IMPAIR_OUT. */
SYNACK_API int synack_impair_tx(void *im, const uint8_t *frame, size_t len, synack_time_t now);
SYNACK_API int synack_impair_tx_meta(void *im, const uint8_t *frame, size_t len, const struct synack_tx_meta *meta,
                                     synack_time_t now);
/* Earliest release time of either direction, or SYNACK_TIME_NEVER. */
SYNACK_API synack_time_t synack_impair_next(const synack_impair_t *im);
/* Releases direction dir's frames due at or before `now`; the sink gets `now`. */
SYNACK_API void synack_impair_release(synack_impair_t *im, int dir, synack_time_t now);
SYNACK_API void synack_impair_stats(const synack_impair_t *im, int dir, struct synack_impair_stats *out);

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
/* Puts an impair object between port `fd` and the stack: frames read go through its IN direction
 * (released into synack_if_input), and the loop wakes for both directions' releases. The OUT
 * direction is fed by the interface (tx = synack_impair_tx) and its sink writes to the device.
 * The caller keeps ownership of im and frees it after the driver. */
SYNACK_API int synack_driver_impair_port(synack_driver_t *d, int fd, synack_impair_t *im);
/* Runs until *stop becomes non-zero (set it from a signal handler) or an error. Reads frames from
 * the ports, waits on epoll with the stack's next deadline as the timeout. */
SYNACK_API int synack_driver_run(synack_driver_t *d, volatile int *stop);
/* Runs one round: wait at most timeout_us (capped by the stack's deadline), process. */
SYNACK_API int synack_driver_run_once(synack_driver_t *d, synack_time_t timeout_us);

#ifdef __cplusplus
}
#endif

#endif
