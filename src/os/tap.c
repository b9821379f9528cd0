/* TAP and TUN devices: the links to the Linux kernel. synack_tap_open() attaches a non-blocking fd
 * to a TAP (Ethernet frames) or TUN (bare IPv4 packets) device; synack_fd_tx() is the transmit
 * callback that writes one frame to such an fd; synack_tap_configure_host() gives the kernel's
 * side of the device an address and brings it up, then waits until the kernel passes traffic.
 * These are drivers at the edge of the library: they do I/O and read the real clock, nothing in
 * the core calls them. All return 0 (or an fd) or a negative errno; wording errors for a person is
 * the caller's job. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "synack/os.h"
#include "tap_int.h"

/* Frames written before the kernel side is operational are dropped silently (measured: up to
 * about 1 s after attaching), so configure_host waits at most this long for it. */
#define TAP_OPERSTATE_WAIT_US 1500000u
#define TAP_OPERSTATE_POLL_US 1000u

static int tap_open_flags(const char *name, int tun, int vnet, int mq, char *name_out);

int synack_tap_open(const char *name, int tun, char *name_out) { return tap_open_flags(name, tun, 0, 0, name_out); }

int synack_tap_open_vnet(const char *name, int tun, char *name_out) { return tap_open_flags(name, tun, 1, 0, name_out); }

/* Each TUNSETIFF with IFF_MULTI_QUEUE on a new fd attaches one more queue to the device of that
 * name; the first creates it (when needed), the others name it as the first was given. */
int synack_tap_open_mq(const char *name, int tun, int vnet, unsigned n, int *fds, char *name_out)
{
    if (n < 1 || n > SYNACK_SHARDS_MAX || !fds)
        return -EINVAL;
    char actual[IFNAMSIZ];
    for (unsigned i = 0; i < n; i++) {
        int fd = tap_open_flags(i == 0 ? name : actual, tun, vnet, 1, i == 0 ? actual : NULL);
        if (fd < 0) {
            while (i > 0)
                close(fds[--i]);
            return fd;
        }
        fds[i] = fd;
    }
    if (name_out)
        memcpy(name_out, actual, IFNAMSIZ);
    return 0;
}

static int tap_open_flags(const char *name, int tun, int vnet, int mq, char *name_out)
{
    if (name && strlen(name) >= IFNAMSIZ)
        return -EINVAL;
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return -errno;

    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    ifr.ifr_flags = (short)((tun ? IFF_TUN : IFF_TAP) | IFF_NO_PI | (vnet ? IFF_VNET_HDR : 0) |
                            (mq ? IFF_MULTI_QUEUE : 0));
    if (name)
        memcpy(ifr.ifr_name, name, strlen(name));
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        int err = errno;
        close(fd);
        return -err;
    }
    /* A persistent device keeps the offloads a previous owner enabled; with any of them on the
     * kernel could hand us frames with partial checksums or larger than the MTU. */
    if (ioctl(fd, TUNSETOFFLOAD, 0UL) < 0) {
        int err = errno;
        close(fd);
        return -err;
    }
    int hdr = (int)sizeof(struct virtio_net_hdr);
    if (vnet && ioctl(fd, TUNSETVNETHDRSZ, &hdr) < 0) {
        int err = errno;
        close(fd);
        return -err;
    }
    /* With the header we can take the kernel's large TCP frames (its GSO/GRO, up to 64 KB) and its
     * partial checksums, which the driver completes before the stack sees a frame. */
    if (vnet && ioctl(fd, TUNSETOFFLOAD, (unsigned long)(TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6)) < 0) {
        int err = errno;
        close(fd);
        return -err;
    }
    if (name_out) {
        memcpy(name_out, ifr.ifr_name, IFNAMSIZ);
        name_out[IFNAMSIZ - 1] = '\0';
    }
    return fd;
}

/* The tun driver takes a reference on the program: the caller may close prog_fd afterwards. */
int synack_tap_set_steering(int fd, int prog_fd)
{
    if (fd < 0 || prog_fd < -1)
        return -EINVAL;
    int v = prog_fd;
    return ioctl(fd, TUNSETSTEERINGEBPF, &v) < 0 ? -errno : 0;
}

/* Borrows `frame`. A full device queue is -EAGAIN (the stack counts it; TCP retransmits). A short
 * write cannot happen on a TAP/TUN fd, which takes whole frames. */
int synack_fd_tx(void *ctx, const uint8_t *frame, size_t len, synack_time_t now)
{
    int fd = (int)(intptr_t)ctx;
    for (;;) {
        ssize_t n = write(fd, frame, len);
        if (n >= 0)
            return (size_t)n == len ? 0 : -EIO;
        if (errno == EINTR)
            continue;
        if (errno == EWOULDBLOCK)
            return -EAGAIN;
        return -errno;
    }
}

static int ifreq_for(struct ifreq *ifr, const char *name)
{
    if (!name || strlen(name) >= IFNAMSIZ)
        return -EINVAL;
    memset(ifr, 0, sizeof(*ifr));
    memcpy(ifr->ifr_name, name, strlen(name));
    return 0;
}

static int ioctl_err(int sock, unsigned long req, struct ifreq *ifr)
{
    return ioctl(sock, req, ifr) < 0 ? -errno : 0;
}

static void set_sin(struct sockaddr *sa, uint32_t addr)
{
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(addr);
    memcpy(sa, &sin, sizeof(sin));
}

/* Waits until the kernel passes traffic on the device: operstate "up" or "unknown" (a TAP with an
 * fd attached reports "unknown" for good on current kernels, and passes frames from then on).
 * The kernel reports exactly that condition as IFF_RUNNING (dev_get_flags: netif_oper_up), which
 * we read through ioctl rather than /sys/class/net/NAME/operstate because sysfs shows the
 * namespace it was mounted in: inside `unshare -n` it would miss our device or, worse, describe
 * a host device of the same name. */
static int wait_running(int sock, const char *name)
{
    synack_time_t start = synack_clock_now();
    struct ifreq ifr;
    for (;;) {
        ifreq_for(&ifr, name);
        int err = ioctl_err(sock, SIOCGIFFLAGS, &ifr);
        if (err < 0)
            return err;
        if (ifr.ifr_flags & IFF_RUNNING)
            return 0;
        if (synack_clock_now() - start >= TAP_OPERSTATE_WAIT_US)
            return -ETIMEDOUT;
        struct timespec ts = {0, (long)TAP_OPERSTATE_POLL_US * 1000};
        nanosleep(&ts, NULL);
    }
}

int synack_tap_configure_host(const char *name, uint32_t addr, uint8_t prefix_len, unsigned mtu)
{
    struct ifreq ifr;
    int err = ifreq_for(&ifr, name);
    if (err < 0)
        return err;
    if (prefix_len > 32)
        return -EINVAL;
    int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0)
        return -errno;

    if (mtu > 0) {
        ifreq_for(&ifr, name);
        ifr.ifr_mtu = (int)mtu;
        err = ioctl_err(sock, SIOCSIFMTU, &ifr);
    }
    if (err == 0 && addr != 0) {
        ifreq_for(&ifr, name);
        set_sin(&ifr.ifr_addr, addr);
        err = ioctl_err(sock, SIOCSIFADDR, &ifr);
        if (err == 0) {
            /* After the address: setting it resets the mask to the address's class default. */
            uint32_t mask = prefix_len ? ~(uint32_t)0 << (32 - prefix_len) : 0;
            ifreq_for(&ifr, name);
            set_sin(&ifr.ifr_netmask, mask);
            err = ioctl_err(sock, SIOCSIFNETMASK, &ifr);
        }
    }
    if (err == 0) {
        ifreq_for(&ifr, name);
        err = ioctl_err(sock, SIOCGIFFLAGS, &ifr);
        if (err == 0 && !(ifr.ifr_flags & IFF_UP)) {
            ifr.ifr_flags = (short)(ifr.ifr_flags | IFF_UP);
            err = ioctl_err(sock, SIOCSIFFLAGS, &ifr);
        }
    }
    if (err == 0)
        err = wait_running(sock, name);
    close(sock);
    return err;
}

int synack_netdev_mac(const char *name, uint8_t mac[6])
{
    struct ifreq ifr;
    int err = ifreq_for(&ifr, name);
    if (err < 0)
        return err;
    int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0)
        return -errno;
    err = ioctl_err(sock, SIOCGIFHWADDR, &ifr);
    close(sock);
    if (err < 0)
        return err;
    if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER)
        return -EAFNOSUPPORT;   /* e.g. a TUN device has no MAC */
    memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
    return 0;
}

/* The virtio-net header of a frame going out (in the host's byte order, as the tun driver takes it
 * for a virtio 1.0 little-endian header on x86). A large TCP frame is marked for segmentation
 * (GSO_TCPV4 or GSO_TCPV6) and partial checksumming; everything else goes with an empty header. */
void tap_vnet_hdr(struct virtio_net_hdr *h, const uint8_t *frame, size_t len, const struct synack_tx_meta *meta)
{
    memset(h, 0, sizeof(*h));
    if (meta && meta->gso_size) {
        h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
        /* IPv6 by where the TCP header starts and the version (our TCP carries no IPv4 options
         * nor IPv6 extension headers): 40 on TUN, 14 + 40 on TAP with EtherType 0x86DD. */
        int v6 = (meta->csum_start == 40 && len > 0 && (frame[0] >> 4) == 6) ||
                 (meta->csum_start == 54 && len > 14 && frame[12] == 0x86 && frame[13] == 0xdd);
        h->gso_type = v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4;
        h->hdr_len = meta->hdr_len;
        h->gso_size = meta->gso_size;
        h->csum_start = meta->csum_start;
        h->csum_offset = meta->csum_offset;
    }
}

/* The frame goes out behind its virtio-net header (tap_vnet_hdr), in one writev. */
int synack_fd_tx_vnet(void *ctx, const uint8_t *frame, size_t len, const struct synack_tx_meta *meta,
                      synack_time_t now)
{
    struct virtio_net_hdr h;
    tap_vnet_hdr(&h, frame, len, meta);
    return tap_write_vnet((int)(intptr_t)ctx, &h, frame, len);
}

int tap_write_vnet(int fd, const struct virtio_net_hdr *h, const uint8_t *frame, size_t len)
{
    struct iovec iov[2] = { { (void *)h, sizeof(*h) }, { (void *)frame, len } };
    for (;;) {
        ssize_t n = writev(fd, iov, 2);
        if (n >= 0)
            return (size_t)n == len + sizeof(*h) ? 0 : -EIO;
        if (errno == EINTR)
            continue;
        if (errno == EWOULDBLOCK)
            return -EAGAIN;
        return -errno;
    }
}
