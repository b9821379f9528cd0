/* The TAP device's own ceiling for sending TCP (issue 10: synack sending over TAP is measured against
 * it): the least a user-space TCP sender must do to move a byte stream into the Linux kernel through
 * a TAP with offloads, and nothing more.
 *
 * It attaches to an existing TAP (IFF_VNET_HDR, TSO and checksum offload on), opens one TCP
 * connection to a listener of the kernel (SYN with MSS 1460 and window scale only: no timestamps,
 * no SACK), then writes the payload (zeros) as offload frames of up to 65000 bytes, one writev per
 * frame with a virtio-net header asking the kernel to cut it into MSS-sized segments and to complete
 * the checksum (the frame's TCP checksum field holds the pseudo-header sum), exactly as synack does
 * on such a device. It keeps to the kernel's advertised window, reading the kernel's ACKs between
 * writes; there is no loss on a TAP, so there is no retransmission, no congestion control, no timer,
 * no buffer: everything a real stack adds is what synack's figure pays beside this one. It ends with
 * a FIN once every byte is acknowledged and exits 0 when the kernel acknowledges the FIN.
 *
 * Hand-written on purpose: it is the reference a stack is measured against, so it must be the
 * smallest thing that moves the bytes. Linux only; run it in a network namespace whose TAP the
 * caller made (addresses, neighbour entry for --src, link up).
 *
 * Usage: vnet_writer --tap NAME --src A.B.C.D --dst A.B.C.D --port N --bytes N */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define MSS 1460u
#define HDRS 54u                 /* Ethernet 14 + IPv4 20 + TCP 20 */
#define FRAME_MAX 65000u         /* as synack's tso_max */
#define WSCALE 7u

static const uint8_t my_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x42 };

struct conn {
    int fd;
    uint8_t peer_mac[6];
    uint32_t src, dst;           /* network order */
    uint16_t sport, dport;       /* host order */
    uint32_t iss, nxt, una, irs, rcv_nxt;
    uint64_t wnd;                /* the kernel's window in bytes */
    unsigned peer_wscale;
    uint16_t ip_id;
    int fin_acked, synack;
};

static uint32_t sum16(const void *p, size_t n, uint32_t s)
{
    const uint8_t *b = p;
    for (; n > 1; n -= 2, b += 2)
        s += (uint32_t)(b[0] << 8 | b[1]);
    if (n)
        s += (uint32_t)(b[0] << 8);
    return s;
}
static uint16_t fold(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)s;
}
static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)(v >> 16)); put16(p + 2, (uint16_t)v); }
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)get16(p) << 16 | get16(p + 2); }

/* Builds the vnet header, Ethernet, IPv4 and TCP headers of a segment carrying `len` bytes (zeros,
 * not summed: the zeros add nothing to a checksum) at seq, into h. Returns the header bytes. */
static size_t build(struct conn *c, uint8_t *h, uint32_t seq, uint8_t flags, size_t len, const uint8_t *opts,
                    size_t optlen)
{
    struct virtio_net_hdr *v = (struct virtio_net_hdr *)h;
    memset(v, 0, sizeof(*v));
    uint8_t *e = h + sizeof(*v), *ip = e + 14, *t = ip + 20;
    size_t thl = 20 + optlen;
    memcpy(e, c->peer_mac, 6);
    memcpy(e + 6, my_mac, 6);
    put16(e + 12, 0x0800);
    memset(ip, 0, 20);
    ip[0] = 0x45;
    put16(ip + 2, (uint16_t)(20 + thl + len));
    put16(ip + 4, c->ip_id++);
    put16(ip + 6, 0x4000);   /* DF */
    ip[8] = 64;
    ip[9] = 6;
    memcpy(ip + 12, &c->src, 4);
    memcpy(ip + 16, &c->dst, 4);
    put16(ip + 10, (uint16_t)~fold(sum16(ip, 20, 0)));
    memset(t, 0, thl);
    put16(t, c->sport);
    put16(t + 2, c->dport);
    put32(t + 4, seq);
    put32(t + 8, c->rcv_nxt);
    t[12] = (uint8_t)((thl / 4) << 4);
    t[13] = flags;
    put16(t + 14, 0xffff);   /* we receive nothing: any window will do */
    if (optlen)
        memcpy(t + 20, opts, optlen);
    /* The pseudo-header sum only (CHECKSUM_PARTIAL): the kernel completes it over the segment. */
    uint32_t ps = sum16(ip + 12, 8, 0) + 6u + (uint32_t)(thl + len);
    put16(t + 16, fold(ps));
    v->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
    v->csum_start = 34;
    v->csum_offset = 16;
    if (len > MSS) {
        v->gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
        v->gso_size = MSS;
        v->hdr_len = (uint16_t)(14 + 20 + thl);
    }
    return sizeof(*v) + 14 + 20 + thl;
}

static int xmit(struct conn *c, uint32_t seq, uint8_t flags, size_t len, const uint8_t *opts, size_t optlen)
{
    static uint8_t zeros[FRAME_MAX];
    uint8_t h[128];
    size_t hl = build(c, h, seq, flags, len, opts, optlen);
    struct iovec iov[2] = { { h, hl }, { zeros, len } };
    for (;;) {
        ssize_t n = writev(c->fd, iov, len ? 2 : 1);
        if (n >= 0)
            return 0;
        if (errno != EINTR && errno != EAGAIN)
            return -errno;
    }
}

/* Reads every frame waiting; takes the kernel's SYN-ACK, ACKs and window. */
static int drain(struct conn *c)
{
    uint8_t buf[2048];
    for (;;) {
        ssize_t n = read(c->fd, buf, sizeof(buf));
        if (n < 0)
            return errno == EAGAIN || errno == EINTR ? 0 : -errno;
        const uint8_t *e = buf + sizeof(struct virtio_net_hdr);
        size_t len = (size_t)n - sizeof(struct virtio_net_hdr);
        if ((size_t)n < sizeof(struct virtio_net_hdr) + 54 || get16(e + 12) != 0x0800)
            continue;
        const uint8_t *ip = e + 14;
        size_t ihl = (ip[0] & 15u) * 4u;
        if (ip[9] != 6 || memcmp(ip + 12, &c->dst, 4) || 14 + ihl + 20 > len)
            continue;
        const uint8_t *t = ip + ihl;
        if (get16(t) != c->dport || get16(t + 2) != c->sport)
            continue;
        uint8_t flags = t[13];
        if (flags & 0x04) {
            fprintf(stderr, "vnet_writer: reset by the kernel\n");
            return -ECONNRESET;
        }
        uint32_t ack = get32(t + 8);
        uint64_t win = get16(t + 14);
        if ((flags & 0x12) == 0x12 && !c->synack) {
            memcpy(c->peer_mac, e + 6, 6);
            c->irs = get32(t + 4);
            c->rcv_nxt = c->irs + 1;
            /* The window scale the kernel offers: option 3 among the SYN-ACK's options. */
            size_t thl = (t[12] >> 4) * 4u;
            for (size_t i = 20; i + 1 < thl;) {
                uint8_t k = t[i];
                if (k == 0)
                    break;
                if (k == 1) {
                    i++;
                    continue;
                }
                if (t[i + 1] < 2)
                    break;
                if (k == 3 && t[i + 1] == 3 && i + 2 < thl)
                    c->peer_wscale = t[i + 2];
                i += t[i + 1];
            }
            c->synack = 1;
            c->una = ack;
            c->wnd = win;   /* a SYN-ACK's window is never scaled */
            continue;
        }
        if (!c->synack || !(flags & 0x10))
            continue;
        if ((int32_t)(ack - c->una) >= 0) {
            c->una = ack;
            c->wnd = win << c->peer_wscale;
        }
        if (flags & 0x01)
            c->rcv_nxt = get32(t + 4) + 1;   /* the kernel's FIN, after ours: ACKed below */
    }
}

static int wait_readable(int fd, int ms)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    int r = poll(&p, 1, ms);
    return r < 0 && errno != EINTR ? -errno : r;
}

int main(int argc, char **argv)
{
    const char *tap = NULL, *src = NULL, *dst = NULL;
    unsigned long long bytes = 0;
    unsigned port = 0;
    static const struct option opts[] = { { "tap", required_argument, 0, 't' }, { "src", required_argument, 0, 's' },
                                          { "dst", required_argument, 0, 'd' }, { "port", required_argument, 0, 'p' },
                                          { "bytes", required_argument, 0, 'b' }, { 0, 0, 0, 0 } };
    int o;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (o) {
        case 't': tap = optarg; break;
        case 's': src = optarg; break;
        case 'd': dst = optarg; break;
        case 'p': port = (unsigned)strtoul(optarg, NULL, 10); break;
        case 'b': bytes = strtoull(optarg, NULL, 10); break;
        default: return 2;
        }
    }
    struct conn c;
    memset(&c, 0, sizeof(c));
    if (!tap || !src || !dst || !port || port > 65535 || !bytes || inet_pton(AF_INET, src, &c.src) != 1 ||
        inet_pton(AF_INET, dst, &c.dst) != 1) {
        fprintf(stderr, "usage: vnet_writer --tap NAME --src A.B.C.D --dst A.B.C.D --port N --bytes N\n");
        return 2;
    }
    c.fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", tap);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
    int hsz = sizeof(struct virtio_net_hdr);
    if (c.fd < 0 || ioctl(c.fd, TUNSETIFF, &ifr) < 0 || ioctl(c.fd, TUNSETVNETHDRSZ, &hsz) < 0 ||
        ioctl(c.fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6) < 0) {
        fprintf(stderr, "vnet_writer: cannot attach to TAP %s: %s\n", tap, strerror(errno));
        return 1;
    }
    /* The kernel's carrier comes up when we attach; frames written before that may be dropped. */
    struct timespec ms10 = { 0, 10000000 };
    for (int i = 0; i < 200; i++) {
        char path[128], st[16] = "";
        snprintf(path, sizeof(path), "/sys/class/net/%s/operstate", tap);
        FILE *f = fopen(path, "r");
        if (f) {
            if (!fgets(st, sizeof(st), f))
                st[0] = 0;
            fclose(f);
        }
        if (!strncmp(st, "up", 2))
            break;
        nanosleep(&ms10, NULL);
    }
    /* The kernel's MAC, for our frames' destination. */
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct ifreq hw;
    memset(&hw, 0, sizeof(hw));
    snprintf(hw.ifr_name, sizeof(hw.ifr_name), "%s", tap);
    if (s < 0 || ioctl(s, SIOCGIFHWADDR, &hw) < 0) {
        fprintf(stderr, "vnet_writer: cannot read %s's MAC: %s\n", tap, strerror(errno));
        return 1;
    }
    close(s);
    memcpy(c.peer_mac, hw.ifr_hwaddr.sa_data, 6);
    c.sport = (uint16_t)(40000 + getpid() % 20000);
    c.dport = (uint16_t)port;
    c.iss = 0x10000000u;

    /* The handshake: SYN with MSS and window scale, retried each second for 5 s. */
    const uint8_t synopts[8] = { 2, 4, MSS >> 8, MSS & 0xff, 1, 3, 3, WSCALE };
    for (int tries = 0; !c.synack; tries++) {
        if (tries == 5 || xmit(&c, c.iss, 0x02, 0, synopts, sizeof(synopts)) < 0) {
            fprintf(stderr, "vnet_writer: no SYN-ACK from %s:%u\n", dst, port);
            return 1;
        }
        for (int w = 0; w < 10 && !c.synack; w++) {
            if (wait_readable(c.fd, 100) < 0 || drain(&c) < 0)
                return 1;
        }
    }
    c.nxt = c.iss + 1;
    if (xmit(&c, c.nxt, 0x10, 0, NULL, 0) < 0)
        return 1;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);

    /* The data: offload frames as large as the window allows, up to FRAME_MAX. */
    const size_t per_frame = (FRAME_MAX - HDRS) / MSS * MSS;
    uint32_t end = c.iss + 1 + (uint32_t)bytes;   /* mod 2^32, as sequence numbers are */
    uint64_t left = bytes;
    unsigned long long frames = 0, waits = 0;
    while (left > 0) {
        if (drain(&c) < 0)
            return 1;
        uint64_t inflight = (uint32_t)(c.nxt - c.una);
        uint64_t room = c.wnd > inflight ? c.wnd - inflight : 0;
        size_t len = left < per_frame ? (size_t)left : per_frame;
        if (room < len && room < MSS * 8u) {
            /* Too little window for a worthwhile frame: wait for the kernel's ACKs. */
            waits++;
            if (wait_readable(c.fd, 2000) <= 0) {
                fprintf(stderr, "vnet_writer: stalled: window %llu, %llu in flight\n", (unsigned long long)c.wnd,
                        (unsigned long long)inflight);
                return 1;
            }
            continue;
        }
        if (len > room)
            len = (size_t)(room / MSS * MSS);
        if (xmit(&c, c.nxt, len == left ? 0x18 : 0x10, len, NULL, 0) < 0) {
            fprintf(stderr, "vnet_writer: write: %s\n", strerror(errno));
            return 1;
        }
        c.nxt += (uint32_t)len;
        left -= len;
        frames++;
    }
    /* Every byte acknowledged, then the FIN, then its ACK. */
    for (int w = 0; c.una != end; w++) {
        if (w == 50 || wait_readable(c.fd, 100) < 0 || drain(&c) < 0) {
            fprintf(stderr, "vnet_writer: the kernel did not acknowledge every byte\n");
            return 1;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (xmit(&c, end, 0x11, 0, NULL, 0) < 0)
        return 1;
    for (int w = 0; c.una != end + 1; w++) {
        if (w == 50 || wait_readable(c.fd, 100) < 0 || drain(&c) < 0) {
            fprintf(stderr, "vnet_writer: the kernel did not acknowledge our FIN\n");
            return 1;
        }
    }
    xmit(&c, end + 1, 0x10, 0, NULL, 0);   /* the ACK of the kernel's FIN, if it came */
    /* From the handshake's end to the ACK of the last byte: every byte is in the kernel's socket. */
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    fprintf(stderr, "vnet_writer: %llu bytes out in %llu frames (%llu waits for the window), %.4f s established to last ACK\n",
            bytes, frames, waits, secs);
    return 0;
}
