/* The OS library (libsynack_os, on top of the core library libsynack): what needs an operating
 * system. TAP and TUN devices, pcap files, the real clock, OS randomness and the epoll driver loop
 * that runs a stack on them. Linux only. Nothing in the core library calls these: a program that
 * embeds the core supplies its own links, clock and seed. */
#ifndef SYNACK_OS_H
#define SYNACK_OS_H

#include "synack/types.h"
#include "synack/stack.h"

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
