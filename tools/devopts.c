/* Device options and set-up shared by serve, nc, get and resolve (see devopts.h). */
#include "devopts.h"

#include "bridge.h"
#include "control.h"
#include "numarg.h"
#include "opterr.h"
#include "wireseg.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void devopts_init(struct devopts *d)
{
    memset(d, 0, sizeof(*d));
    d->mtu = 1500;
    synack_impair_config_init(&d->impair_cfg);
}

static uint32_t prefix_mask(uint8_t prefix_len)
{
    return prefix_len ? ~(uint32_t)0 << (32 - prefix_len) : 0;
}

/* Why `addr` cannot be an interface's own unicast address on a /prefix_len network, or NULL if
 * it can. */
static const char *not_a_host_address(uint32_t addr, uint8_t prefix_len)
{
    uint32_t mask = prefix_mask(prefix_len);
    if ((addr >> 24) == 0)
        return "0.0.0.0/8 means \"this network\" (RFC 1122 3.2.1.3)";
    if ((addr >> 24) == 127)
        return "127.0.0.0/8 is loopback";
    if (addr >= 0xe0000000u)
        return "multicast, reserved or broadcast";
    /* RFC 3021: a /31 has no network or broadcast address; a /32 is a single host. */
    if (prefix_len <= 30 && (addr & ~mask) == 0)
        return "it is the network's own address (host part all zeros)";
    if (prefix_len <= 30 && (addr & ~mask) == ~mask)
        return "it is the network's broadcast address (host part all ones)";
    return NULL;
}

int devopts_parse(struct devopts *d, int c, const char *arg, const char *cmd)
{
    switch (c) {
    case 1001:
    case 1002:
        if (d->have_dev) {
            tool_usage_error(cmd, "give one of --tap or --tun, once");
            return 2;
        }
        if (strlen(arg) == 0 || strlen(arg) >= 16) {
            fprintf(stderr, "synack %s: bad device name '%s' (1 to 15 characters)\n", cmd, arg);
            return 2;
        }
        d->name = arg;
        d->tun = c == 1002;
        d->have_dev = 1;
        return 0;
    case 1003:
    case 1005: {
        const char *opt = c == 1003 ? "--addr" : "--host-addr";
        if (strchr(arg, ':'))
            return devopts6_parse(d, c, arg, cmd);
        uint32_t a;
        uint8_t len;
        if (synack_prefix_parse(arg, &a, &len) != 0 || len == 0) {
            fprintf(stderr, "synack %s: bad %s '%s' (expected A.B.C.D/N, N from 1 to 32)\n", cmd, opt, arg);
            return 2;
        }
        const char *why = not_a_host_address(a, len);
        if (why) {
            fprintf(stderr, "synack %s: bad %s '%s': %s\n", cmd, opt, arg, why);
            return 2;
        }
        if (c == 1003) {
            d->addr = a;
            d->prefix_len = len;
        } else {
            d->host_addr = a;
            d->host_prefix = len;
        }
        return 0;
    }
    case 1004:
        if (strchr(arg, ':'))
            return devopts6_parse(d, c, arg, cmd);
        if (synack_addr_parse(arg, &d->gateway) != 0) {
            fprintf(stderr, "synack %s: bad --gateway '%s' (expected A.B.C.D or an IPv6 address)\n", cmd, arg);
            return 2;
        }
        return 0;
    case 1006: {
        uint64_t m;
        if (numarg_uint(cmd, "--mtu", arg, 576, 65535, NULL, &m))
            return 2;
        d->mtu = (unsigned)m;
        return 0;
    }
    case 1007:
        d->pcap = arg;
        return 0;
    case 1008:
        d->ctl = arg;
        return 0;
    case 1010:
        d->no_tso = 1;
        return 0;
    case 1014:
        d->pcap_wire = 1;
        return 0;
    case 1016:
        d->slaac = 1;
        return 0;
    case 1015:
        if (strlen(arg) == 0 || strlen(arg) >= 16) {
            fprintf(stderr, "synack %s: bad bridge name '%s' (1 to 15 characters)\n", cmd, arg);
            return 2;
        }
        d->bridge = arg;
        return 0;
    case 1011: {
        char why[128];
        if (synack_impair_parse(arg, &d->impair_cfg, why, sizeof(why)) != 0) {
            fprintf(stderr, "synack %s: bad --impair '%s': %s\n", cmd, arg, why);
            return 2;
        }
        d->impair = 1;
        return 0;
    }
    case 1012: {
        uint64_t s;
        if (numarg_uint(cmd, "--impair-seed", arg, 0, UINT64_MAX, NULL, &s))
            return 2;
        d->impair_cfg.seed = s;
        d->impair_seed = 1;
        return 0;
    }
    case 1013: {
        /* A name the stack knows: one of the space-separated list it gives. */
        char names[128];
        synack_tcp_congestion_names(names, sizeof(names));
        size_t n = strlen(arg);
        for (const char *p = names; *p;) {
            const char *e = strchr(p, ' ');
            size_t len = e ? (size_t)(e - p) : strlen(p);
            if (len == n && !strncmp(p, arg, n)) {
                d->cc = arg;
                return 0;
            }
            p += len + (e ? 1 : 0);
        }
        fprintf(stderr, "synack %s: unknown congestion control '%s' (known: %s)\n", cmd, arg, names);
        return 2;
    }
    case 1009: {
        uint64_t m;
        if (numarg_uint(cmd, "--msl", arg, 1, 600000, "ms", &m))
            return 2;
        d->msl_ms = (unsigned)m;
        return 0;
    }
    default:
        return 1;
    }
}

int devopts_check(const struct devopts *d, const char *cmd)
{
    if (!d->have_dev) {
        tool_usage_error(cmd, "a device is needed: --tap NAME or --tun NAME");
        return -1;
    }
    if (!d->addr && !d->naddr6 && !d->slaac) {
        tool_usage_error(cmd, "--addr ADDR/N is needed (IPv4 A.B.C.D/N, IPv6, or both), or --slaac");
        return -1;
    }
    if (devopts6_check(d, cmd) != 0)
        return -1;
    if (d->bridge && d->tun) {
        fprintf(stderr, "synack %s: --bridge needs a TAP device (a TUN device carries no Ethernet)\n", cmd);
        return -1;
    }
    if (d->pcap_wire && !d->pcap) {
        fprintf(stderr, "synack %s: --pcap-wire needs --pcap FILE\n", cmd);
        return -1;
    }
    if (d->impair_seed && !d->impair) {
        fprintf(stderr, "synack %s: --impair-seed needs --impair SPEC\n", cmd);
        return -1;
    }
    if (d->host_addr && d->host_addr == d->addr) {
        fprintf(stderr, "synack %s: --host-addr must differ from --addr\n", cmd);
        return -1;
    }
    /* The stack reaches only its own network (or a gateway on it): a kernel side elsewhere could
     * send to us but never hear back. */
    if (d->host_addr && !d->gateway && ((d->host_addr ^ d->addr) & prefix_mask(d->prefix_len))) {
        char h[16], a[16];
        fprintf(stderr, "synack %s: --host-addr %s is not on --addr's network %s/%u: synack could not answer it\n",
                cmd, synack_addr_format(d->host_addr, h, sizeof(h)),
                synack_addr_format(d->addr & prefix_mask(d->prefix_len), a, sizeof(a)), d->prefix_len);
        return -1;
    }
    if (d->gateway && ((d->gateway ^ d->addr) & prefix_mask(d->prefix_len))) {
        char g[16], a[16];
        fprintf(stderr, "synack %s: --gateway %s is not on --addr's network %s/%u\n", cmd,
                synack_addr_format(d->gateway, g, sizeof(g)),
                synack_addr_format(d->addr & prefix_mask(d->prefix_len), a, sizeof(a)), d->prefix_len);
        return -1;
    }
    /* Linux caps a TAP's MTU at 65535 minus its 14-byte Ethernet header (tun.c: MAX_MTU -
     * hard_header_len); saying so beats an EINVAL from SIOCSIFMTU after the device is open. */
    if (!d->tun && d->mtu > 65521) {
        fprintf(stderr, "synack %s: bad --mtu %u: a TAP device's MTU is at most 65521\n", cmd, d->mtu);
        return -1;
    }
    return 0;
}

/* Writes every frame in and out to the capture (frames out from the transmit wrapper instead with
 * --pcap-wire), then hands the event to the command's own trace. */
static void wire_emit(void *ctx, const uint8_t *frame, size_t len);
struct wire_emit {
    struct devrun *r;
    synack_time_t ts;
};

static void devrun_trace(void *ctx, const struct synack_trace_event *ev)
{
    struct devrun *r = ctx;
    if (r->pcap && r->pcap_wire && ev->kind == SYNACK_TR_FRAME_IN) {
        struct wire_emit w = { r, ev->now + r->pcap_offset };
        wireseg_cut_in(ev->data, ev->len, r->mtu, r->l2_len, wire_emit, &w);
    } else if (r->pcap && (ev->kind == SYNACK_TR_FRAME_IN || (ev->kind == SYNACK_TR_FRAME_OUT && !r->pcap_wire))) {
        synack_pcap_write(r->pcap, ev->now + r->pcap_offset, ev->data, ev->len);
        r->pcap_dirty = 1;
    }
    if (r->trace_fn)
        r->trace_fn(r->trace_ctx, ev);
}

void devrun_set_trace(struct devrun *r, synack_trace_fn fn, void *ctx)
{
    r->trace_fn = fn;
    r->trace_ctx = ctx;
    synack_stack_set_trace(r->st, r->pcap || fn ? devrun_trace : NULL, r);
}

int devrun_run_once(struct devrun *r, synack_time_t timeout)
{
    int e = synack_driver_run_once(r->driver, timeout);
    if (r->pcap_dirty) {
        synack_pcap_flush(r->pcap);
        r->pcap_dirty = 0;
    }
    return e;
}

static void wire_emit(void *ctx, const uint8_t *frame, size_t len)
{
    struct wire_emit *w = ctx;
    synack_pcap_write(w->r->pcap, w->ts, frame, len);
    w->r->pcap_dirty = 1;
}

/* --pcap-wire: the interface's transmit function records the frame as the wire will carry it,
 * then passes it on unchanged (to the device, or the impaired path). */
static int devrun_wire_tx(void *ctx, const uint8_t *frame, size_t len, const struct synack_tx_meta *meta,
                          synack_time_t now)
{
    struct devrun *r = ctx;
    struct wire_emit w = { r, now + r->pcap_offset };
    wireseg_cut(frame, len, meta, r->l2_len, wire_emit, &w);
    return r->wire_tx(r->wire_tx_ctx, frame, len, meta, now);
}

/* OUT sink of the impaired path on a device without a virtio-net header. */
static int devrun_fd_sink(void *ctx, const uint8_t *frame, size_t len, const struct synack_tx_meta *meta,
                          synack_time_t now)
{
    (void)meta;
    return synack_fd_tx(ctx, frame, len, now);
}

void devrun_impair_summary(const struct devrun *r, FILE *f)
{
    if (!r->impair)
        return;
    static const char *const names[2] = { "in (device to synack)", "out (synack to device)" };
    for (int dir = 0; dir < 2; dir++) {
        struct synack_impair_stats s;
        synack_impair_stats(r->impair, dir, &s);
        char errs[48] = "";
        if (s.sink_errors)
            snprintf(errs, sizeof(errs), " (%llu not taken by the %s)", (unsigned long long)s.sink_errors,
                     dir == SYNACK_IMPAIR_IN ? "stack" : "device");
        fprintf(f,
                "synack %s: impaired path %s: %llu frames, %llu lost, %llu duplicated, %llu reordered, "
                "%llu delayed, %llu over the limit, %llu delivered%s\n",
                r->cmd ? r->cmd : "", names[dir], (unsigned long long)s.frames, (unsigned long long)s.lost,
                (unsigned long long)s.duplicated, (unsigned long long)s.reordered, (unsigned long long)s.delayed,
                (unsigned long long)s.queue_drops, (unsigned long long)s.delivered, errs);
    }
}

/* Whether a TUN (tun) or TAP device of that name exists with IFF_MULTI_QUEUE, as sysfs tells
 * (tun_flags): only to word an error, since sysfs may describe another network namespace. */
static int same_kind_multi_queue(const char *name, int tun)
{
    char path[64];
    snprintf(path, sizeof(path), "/sys/class/net/%s/tun_flags", name);
    FILE *f = fopen(path, "r");
    unsigned flags = 0;
    int ok = f && fscanf(f, "%x", &flags) == 1;
    if (f)
        fclose(f);
    /* <linux/if_tun.h>: IFF_TUN 0x1, IFF_TAP 0x2, IFF_MULTI_QUEUE 0x100 */
    return ok && (flags & 0x100) && (flags & (tun ? 0x1 : 0x2));
}

synack_stack_t *devopts_stack_new(const struct devopts *d, int dad, const char **why)
{
    struct synack_config cfg;
    synack_config_init(&cfg);
    if (d->msl_ms)
        cfg.tcp_msl = SYNACK_MS(d->msl_ms);
    cfg.tcp_congestion = d->cc;
    if (!dad)
        cfg.ip6_dad_transmits = -1;
    if (synack_os_seed(cfg.seed) != 0) {
        *why = "cannot read random seed from the OS";
        return NULL;
    }
    synack_stack_t *st = synack_stack_new(&cfg);
    if (!st)
        *why = "out of memory";
    return st;
}

void devrun_if_config(const struct devrun *r, const struct devopts *d, void *txc, struct synack_if_config *ic)
{
    *ic = (struct synack_if_config){ .name = r->ifname, .kind = d->tun ? SYNACK_IF_RAWIP : SYNACK_IF_ETHERNET,
                                     .addr = d->addr, .prefix_len = d->prefix_len, .mtu = (uint16_t)d->mtu,
                                     .tx = synack_driver_tx, .tx_ctx = txc };
    if (r->vnet) {
        ic->tx_meta = synack_driver_tx_vnet;
        ic->tso_max = SYNACK_TSO_MAX;
    }
    memcpy(ic->mac, r->mac, 6);
}

int devrun_open(struct devrun *r, const struct devopts *d, const char *cmd)
{
    memset(r, 0, sizeof(*r));
    r->fd = -1;
    /* By default the device carries a virtio-net header, so large TCP frames go out in one write
     * and the kernel cuts them (TSO): over TAP the cost is the system call per frame. */
    r->vnet = !d->no_tso && !(d->impair && !d->impair_cfg.offload);
    r->cmd = cmd;
    r->nq = 1;
    /* serve --threads: one queue per shard (shards.h). By default only on a device we create: the
     * kernel lets any process attach queues to an existing multi-queue device, so a second synack
     * on it would get a share of the flows instead of EBUSY. */
    unsigned queues = d->queues;
    if (d->queues_soft && d->name && if_nametoindex(d->name) != 0)
        queues = 1;
    if (queues > 1) {
        int e = synack_tap_open_mq(d->name, d->tun, r->vnet, queues, r->qfds, r->ifname);
        if (e == 0) {
            r->nq = queues;
            r->fd = r->qfds[0];
        } else if (!(d->queues_soft && e == -EINVAL)) {
            r->fd = e;
        }
    }
    if (r->nq == 1 && r->fd == -1)
        r->fd = r->vnet ? synack_tap_open_vnet(d->name, d->tun, r->ifname) : synack_tap_open(d->name, d->tun, r->ifname);
    if (r->fd < 0) {
        int e = r->fd;
        /* TUNSETIFF says EINVAL both for a bad name and for an existing device of another kind
         * (a TUN when we asked for a TAP, or not a tun/tap device at all): tell them apart. */
        const char *why = e == -EPERM || e == -EACCES     ? " (needs root or CAP_NET_ADMIN)"
                          : e == -EBUSY                   ? " (the device is in use by another process)"
                          : e == -ENOENT || e == -ENODEV  ? " (is /dev/net/tun present? modprobe tun)"
                          : e == -EINVAL && queues == 1 && same_kind_multi_queue(d->name, d->tun)
                              ? " (a multi-queue device of that name exists: in use by another process "
                                "(serve --threads), or give --threads N to attach to it)"
                          : e == -EINVAL && if_nametoindex(d->name) != 0
                              ? (d->tun ? " (a device of that name exists but is not a single-queue TUN device)"
                                        : " (a device of that name exists but is not a single-queue TAP device)")
                          : e == -EINVAL ? " (not a usable device name)"
                                         : "";
        fprintf(stderr, "synack %s: cannot open %s device '%s': %s%s\n", cmd, d->tun ? "TUN" : "TAP", d->name,
                synack_strerror(e), why);
        return -1;
    }
    if (d->bridge) {
        int created;
        int e = bridge_join(d->bridge, r->ifname, &created);
        if (e < 0) {
            fprintf(stderr, "synack %s: cannot join %s to bridge %s: %s%s\n", cmd, r->ifname, d->bridge,
                    synack_strerror(e), e == -ENOTDIR ? " (a device of that name exists and is not a bridge)" : "");
            devrun_close(r);
            return -1;
        }
        snprintf(r->bridge, sizeof(r->bridge), "%s", d->bridge);
        /* The TAP up, with no address of its own; the kernel's address on the bridge. */
        e = synack_tap_configure_host(r->ifname, 0, 0, d->mtu);
        if (e == 0)
            e = synack_tap_configure_host(d->bridge, d->host_addr, d->host_prefix, 0);
        if (e < 0) {
            fprintf(stderr, "synack %s: cannot configure bridge %s: %s\n", cmd, d->bridge, synack_strerror(e));
            devrun_close(r);
            return -1;
        }
    } else {   /* always bring the link up; the address only with --host-addr */
        int e = synack_tap_configure_host(r->ifname, d->host_addr, d->host_prefix, d->mtu);
        if (e < 0) {
            fprintf(stderr, "synack %s: cannot configure the kernel side of %s: %s\n", cmd, r->ifname,
                    synack_strerror(e));
            devrun_close(r);
            return -1;
        }
    }
    const char *why;
    r->st = devopts_stack_new(d, 1, &why);
    if (!r->st) {
        fprintf(stderr, "synack %s: %s\n", cmd, why);
        devrun_close(r);
        return -1;
    }
    if (d->impair && !(r->impair = synack_impair_new(&d->impair_cfg))) {
        fprintf(stderr, "synack %s: out of memory\n", cmd);
        devrun_close(r);
        return -1;
    }
    /* The driver first: frames go out through it (queued in its io_uring, written together). */
    r->driver = synack_driver_new(r->st);
    void *txc = r->driver ? synack_driver_tx_ctx(r->driver, r->fd) : NULL;
    if (!txc) {
        fprintf(stderr, "synack %s: cannot start the driver\n", cmd);
        devrun_close(r);
        return -1;
    }
    /* Every command runs rounds back to back (devrun_run_once) until devrun_close, which frees
     * the driver: a round's frames may wait for the next round's wait. */
    synack_driver_defer_tx(r->driver, 1);
    /* A locally administered unicast MAC (02:...), random so two stacks never collide. */
    uint8_t rnd[32];
    synack_os_seed(rnd);
    r->mac[0] = 0x02;
    memcpy(r->mac + 1, rnd, 5);
    struct synack_if_config ic;
    devrun_if_config(r, d, txc, &ic);
    if (r->impair) {
        /* Frames out pass the impaired path, whose sink writes them to the device. */
        synack_impair_set_sink(r->impair, SYNACK_IMPAIR_OUT, r->vnet ? synack_fd_tx_vnet : devrun_fd_sink,
                               (void *)(intptr_t)r->fd);
        ic.tx = synack_impair_tx;
        ic.tx_meta = r->vnet ? synack_impair_tx_meta : NULL;
        ic.tx_ctx = r->impair;
    }
    r->l2_len = d->tun ? 0 : 14;
    r->mtu = d->mtu;
    if (d->pcap && d->pcap_wire && ic.tx_meta) {
        /* Without offload every frame is already a wire segment; with it, record them cut. */
        r->pcap_wire = 1;
        r->wire_tx = ic.tx_meta;
        r->wire_tx_ctx = ic.tx_ctx;
        ic.tx_meta = devrun_wire_tx;
        ic.tx = NULL;   /* tx_meta carries every frame */
        ic.tx_ctx = r;
    }
    r->ifindex = synack_if_add(r->st, &ic);
    if (r->ifindex < 0) {
        fprintf(stderr, "synack %s: cannot add the interface: %s\n", cmd, synack_strerror(r->ifindex));
        devrun_close(r);
        return -1;
    }
    if (d->gateway && synack_route_set_gateway(r->st, d->gateway) != 0) {
        fprintf(stderr, "synack %s: the gateway is not on the interface's network\n", cmd);
        devrun_close(r);
        return -1;
    }
    if (d->pcap) {
        r->pcap = synack_pcap_open(d->pcap, d->tun ? SYNACK_PCAP_LINKTYPE_RAW : SYNACK_PCAP_LINKTYPE_ETHERNET);
        if (!r->pcap) {
            fprintf(stderr, "synack %s: cannot write pcap file '%s': %s\n", cmd, d->pcap, strerror(errno));
            devrun_close(r);
            return -1;
        }
    }
    if (r->pcap)
        devrun_set_trace(r, NULL, NULL);   /* a command adds its own with devrun_set_trace */
    if ((r->vnet ? synack_driver_add_port_vnet(r->driver, r->fd, r->ifindex)
                               : synack_driver_add_port(r->driver, r->fd, r->ifindex)) != 0) {
        fprintf(stderr, "synack %s: cannot start the driver\n", cmd);
        devrun_close(r);
        return -1;
    }
    if (r->impair && synack_driver_impair_port(r->driver, r->fd, r->impair) != 0) {
        fprintf(stderr, "synack %s: cannot start the driver\n", cmd);
        devrun_close(r);
        return -1;
    }
    char path[108];
    if (d->ctl)
        snprintf(path, sizeof(path), "%s", d->ctl);
    else
        control_default_path(path, sizeof(path), r->ifname);
    if (d->pcap_wall) {
        /* Set before any frame moves (IPv6's DAD runs frames below), so the whole capture is on
         * one clock. */
        struct timespec ts;
        if (clock_gettime(CLOCK_REALTIME, &ts) == 0) {
            synack_time_t wall = (synack_time_t)ts.tv_sec * 1000000u + (synack_time_t)ts.tv_nsec / 1000u;
            synack_time_t mono = synack_clock_now();
            r->pcap_offset = wall > mono ? wall - mono : 0;
        }
    }
    r->ctl = control_open(path, r->st, r->driver);
    if (!r->ctl || devrun6_setup(r, d, cmd) != 0) {
        devrun_close(r);
        return -1;
    }
    return 0;
}

void devrun_close(struct devrun *r)
{
    if (r->ctl)   /* opened all the way: a run took place */
        devrun_impair_summary(r, stderr);
    if (r->ctl)
        control_close(r->ctl);
    if (r->pcap)
        synack_pcap_close(r->pcap);
    if (r->st)
        synack_stack_free(r->st);
    if (r->driver)   /* after the stack, whose interface transmits through it; sends what is queued */
        synack_driver_free(r->driver);
    synack_impair_free(r->impair);   /* after the stack, whose interface transmits into it */
    if (r->fd >= 0)
        close(r->fd);
    for (unsigned i = 1; i < r->nq; i++)
        close(r->qfds[i]);
    if (r->bridge[0])
        bridge_release(r->bridge);   /* our TAP is gone with its fd */
    memset(r, 0, sizeof(*r));
    r->fd = -1;
}
