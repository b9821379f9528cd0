/* Device options shared by the commands that run on a TAP/TUN device (serve, nc, get, resolve), and the
 * set-up they imply: open the device, configure the kernel side, create the stack and driver. */
#ifndef TOOLS_DEVOPTS_H
#define TOOLS_DEVOPTS_H

#include <stdint.h>
#include <stdio.h>

#include "synack/synack.h"
#include "synack/os.h"

#define DEVOPTS_ADDR6_MAX 4

struct devopts {
    const char *name;
    int tun;
    int have_dev;
    uint32_t addr;
    uint8_t prefix_len;
    uint32_t gateway;
    uint32_t host_addr;
    uint8_t host_prefix;
    unsigned mtu;
    const char *pcap;
    int pcap_wire;            /* --pcap-wire: offload frames recorded as the segments on the wire */
    const char *ctl;          /* control socket path (default @synack-DEV, abstract) */
    unsigned msl_ms;          /* TCP maximum segment lifetime (TIME-WAIT is twice it) */
    int no_tso;               /* do not hand the kernel large TCP frames to segment */
    int impair;               /* --impair given: frames pass a seeded impaired path */
    int impair_seed;          /* --impair-seed given */
    struct synack_impair_config impair_cfg;
    const char *cc;           /* TCP congestion control by name (NULL: the stack's default, cubic) */
    const char *bridge;       /* --bridge: the TAP joins this Linux bridge (bridge.h) */
    /* IPv6 (devopts6.c): --addr, --gateway and --host-addr given an IPv6 address, --slaac */
    struct synack_ip addr6[DEVOPTS_ADDR6_MAX];
    uint8_t plen6[DEVOPTS_ADDR6_MAX];
    int naddr6;
    struct synack_ip gateway6;
    int have_gateway6;
    struct synack_ip host_addr6;
    uint8_t host_prefix6;
    int have_host6;
    int slaac;                /* --slaac: router solicitations, SLAAC from advertisements */
    int pcap_wall;            /* the capture carries wall-clock time from the first frame (serve) */
    unsigned queues;          /* > 1: a multi-queue device, one queue per shard (serve --threads) */
    int queues_soft;          /* the queue count was a default: one queue if the device takes no more */
};

/* IPv6 options (devopts6.c), called by devopts_parse/devopts_check/devrun_open. */
struct devrun;
/* --addr/--host-addr/--gateway with an IPv6 argument (c is the option code). 0 or 2 as devopts_parse. */
int devopts6_parse(struct devopts *d, int c, const char *arg, const char *cmd);
int devopts6_check(const struct devopts *d, const char *cmd);
/* Turns IPv6 on for the interface as the options say, gives the kernel side its IPv6 address, and
 * runs the stack until its addresses passed duplicate address detection. 0 or -1 (printed). */
int devrun6_setup(struct devrun *r, const struct devopts *d, const char *cmd);

#define DEVOPTS_LONG \
    { "tap", required_argument, 0, 1001 }, { "tun", required_argument, 0, 1002 }, \
    { "addr", required_argument, 0, 1003 }, { "gateway", required_argument, 0, 1004 }, \
    { "host-addr", required_argument, 0, 1005 }, { "mtu", required_argument, 0, 1006 }, \
    { "pcap", required_argument, 0, 1007 }, { "ctl", required_argument, 0, 1008 }, \
    { "msl", required_argument, 0, 1009 }, { "no-tso", no_argument, 0, 1010 }, \
    { "impair", required_argument, 0, 1011 }, { "impair-seed", required_argument, 0, 1012 }, \
    { "cc", required_argument, 0, 1013 }, { "pcap-wire", no_argument, 0, 1014 }, \
    { "bridge", required_argument, 0, 1015 }, { "slaac", no_argument, 0, 1016 }

#define DEVOPTS_HELP \
    "  --tap NAME          use (or create) TAP device NAME (Ethernet)\n" \
    "  --tun NAME          use (or create) TUN device NAME (raw IPv4 and IPv6)\n" \
    "  --addr ADDR/N       the stack's address and prefix: IPv4 (192.0.2.2/24) and/or IPv6\n" \
    "                      (2001:db8::2/64); repeat it for both, up to 4 IPv6 addresses\n" \
    "  --gateway ADDR      default gateway (IPv4, or IPv6: a router's link-local or on-link address);\n" \
    "                      repeat it for both\n" \
    "  --host-addr ADDR/N  also bring the kernel side up with this address (IPv4 and/or IPv6)\n" \
    "  --slaac             IPv6 from router advertisements: solicit routers, form addresses from\n" \
    "                      advertised /64 prefixes (SLAAC), take their default router and MTU\n" \
    "  --bridge NAME       join the TAP to Linux bridge NAME (created if absent, removed when its\n" \
    "                      last port leaves), so several synack processes and the kernel share\n" \
    "                      one Ethernet; --host-addr then goes on the bridge\n" \
    "  --mtu N             MTU (default 1500)\n" \
    "  --pcap FILE         write every frame in and out to FILE (pcap), readable while running\n" \
    "                      (flushed within 100 ms: synack ladder or Wireshark can open it live)\n" \
    "  --pcap-wire         with --pcap: record each offload (TSO) frame as the MSS-sized segments\n" \
    "                      the kernel sends, with their own IP IDs and full checksums\n" \
    "  --ctl PATH          control socket for `synack ss` (default @synack-DEV: abstract, one per\n" \
    "                      network namespace; a file PATH is refused while another process uses it)\n" \
    "  --msl MS            TCP maximum segment lifetime in ms; TIME-WAIT lasts twice it (default 30000)\n" \
    "  --no-tso            send only MTU-sized frames (by default the kernel segments large TCP frames)\n" \
    "  --impair SPEC       impair the path both ways, e.g. loss=2,delay=10 (no netem needed); keys:\n" \
    "                      loss=P dup=P reorder=P (percent 0-100, e.g. 2, 0.5 or 2%%), delay=MS jitter=MS\n" \
    "                      (one way; jitter adds 0..MS and can reorder), gap=MS (extra delay of a reordered\n" \
    "                      frame, default 1), rate=MBIT (Mbit/s), limit=N (frames held per direction,\n" \
    "                      default 1000; more are dropped). Implies --no-tso, so a frame is a segment;\n" \
    "                      add `offload` to keep TSO/GRO, where one frame may be many segments.\n" \
    "                      Counts of what was done each way are printed on exit\n" \
    "  --impair-seed N     seed of the impaired path's decisions (default 1)\n" \
    "  --cc NAME           TCP congestion control: cubic (default, with HyStart++) or reno\n"

struct devrun {
    int fd;
    char ifname[16];
    synack_stack_t *st;
    synack_driver_t *driver;
    synack_pcap_t *pcap;
    struct control *ctl;
    int ifindex;
    int vnet;                 /* the device was opened with a virtio-net header (TSO) */
    char bridge[16];          /* --bridge: released (removed if empty) at close */
    synack_impair_t *impair;  /* --impair: between the device and the stack */
    const char *cmd;          /* for the impaired path's summary */
    int pcap_wire;            /* frames out are recorded by the transmit wrapper, cut (wireseg.h) */
    int pcap_dirty;           /* written since the last flush */
    size_t l2_len;            /* 14 (TAP) or 0 (TUN) */
    unsigned mtu;
    synack_time_t pcap_offset;   /* added to `now` for pcap timestamps (e.g. wall-clock time) */
    synack_trace_fn trace_fn;    /* the command's own trace, after the capture's */
    void *trace_ctx;
    synack_link_tx_meta_fn wire_tx;   /* --pcap-wire: the transmit function the wrapper calls */
    void *wire_tx_ctx;
    unsigned nq;                 /* queues opened: fd is the first, qfds[1..nq-1] the others (shards.h) */
    int qfds[SYNACK_SHARDS_MAX];
    uint8_t mac[6];              /* the interface's MAC, which every shard shares */
};

void devopts_init(struct devopts *d);
/* Handles option code c. Returns 0 if consumed, 1 if not a device option (usage error), 2 for a
 * bad value (message printed). */
int devopts_parse(struct devopts *d, int c, const char *arg, const char *cmd);
/* Checks that the required options are present. Prints a message and returns -1 if not. */
int devopts_check(const struct devopts *d, const char *cmd);
/* Opens and configures everything. Prints a clear message and returns -1 on failure. */
int devrun_open(struct devrun *r, const struct devopts *d, const char *cmd);
/* Installs the command's trace callback; the capture (--pcap) keeps being written before it. */
void devrun_set_trace(struct devrun *r, synack_trace_fn fn, void *ctx);
/* One round of the driver loop (synack_driver_run_once), then the capture is flushed if anything
 * was written, so a capture is at most one round (<= timeout) behind while the command runs. */
int devrun_run_once(struct devrun *r, synack_time_t timeout);
/* A stack as the options configure it (MSL, congestion control), seeded from the OS; without dad
 * it sends no duplicate address detection (a shard's addresses are shard 0's, checked there).
 * NULL with *why set ("cannot read random seed from the OS", "out of memory") on failure. */
synack_stack_t *devopts_stack_new(const struct devopts *d, int dad, const char **why);
/* The interface every stack of the device adds: the options' kind, address and MTU, the device's
 * MAC, frames out through a driver (txc from synack_driver_tx_ctx), with offload when the device
 * has a virtio-net header. */
void devrun_if_config(const struct devrun *r, const struct devopts *d, void *txc, struct synack_if_config *ic);
/* Prints what the impaired path did each way (nothing without --impair); devrun_close does it. */
void devrun_impair_summary(const struct devrun *r, FILE *f);
void devrun_close(struct devrun *r);

#endif
