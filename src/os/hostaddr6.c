/* The kernel side of a TAP/TUN device gets an IPv6 address (the IPv4 one is synack_tap_configure_host's,
 * tap.c). SIOCSIFADDR on an AF_INET6 socket takes a struct in6_ifreq; the kernel then runs its own
 * duplicate address detection on the address, so synack_tap_host_addr6 waits until the address is
 * no longer tentative (up to ~3 s: a DAD probe and RetransTimer, after the link is up), reading its
 * flags from /proc/net/if_inet6. */
#include <errno.h>
#include <linux/ipv6.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "synack/os.h"

#define HOST6_WAIT_US 3000000u
#define HOST6_POLL_US 20000u
#define IFA_F_TENTATIVE_BIT 0x40   /* include/uapi/linux/if_addr.h: IFA_F_TENTATIVE */

/* 1 while the address is tentative on the device, 0 once usable, -1 if it is not there. */
static int tentative(const char *ifname, const struct synack_ip *addr)
{
    FILE *f = fopen("/proc/net/if_inet6", "r");
    if (!f)
        return -1;
    char hex[33], name[IFNAMSIZ + 1];
    unsigned idx, plen, scope, flags;
    int r = -1;
    char want[33];
    for (int i = 0; i < 16; i++)
        snprintf(want + 2 * i, 3, "%02x", addr->b[i]);
    while (fscanf(f, "%32s %x %x %x %x %16s", hex, &idx, &plen, &scope, &flags, name) == 6)
        if (strcmp(name, ifname) == 0 && strcmp(hex, want) == 0)
            r = (flags & IFA_F_TENTATIVE_BIT) ? 1 : 0;
    fclose(f);
    return r;
}

int synack_tap_host_addr6(const char *name, const struct synack_ip *addr, uint8_t prefix_len)
{
    if (!name || !addr || strlen(name) >= IFNAMSIZ || prefix_len > 128 || synack_ip_is_v4(addr))
        return -EINVAL;
    unsigned ifindex = if_nametoindex(name);
    if (!ifindex)
        return -errno;
    int sock = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0)
        return -errno;
    struct in6_ifreq r;
    memset(&r, 0, sizeof(r));
    memcpy(&r.ifr6_addr, addr->b, 16);
    r.ifr6_prefixlen = prefix_len;
    r.ifr6_ifindex = (int)ifindex;
    int err = ioctl(sock, SIOCSIFADDR, &r) < 0 && errno != EEXIST ? -errno : 0;
    close(sock);
    if (err)
        return err;
    struct timespec pause = { 0, HOST6_POLL_US * 1000 };
    for (unsigned waited = 0; waited < HOST6_WAIT_US; waited += HOST6_POLL_US) {
        int t = tentative(name, addr);
        if (t == 0)
            return 0;
        if (t < 0 && waited > 200000)
            return -EADDRNOTAVAIL;   /* gone: the kernel found it duplicate (DAD failed) */
        nanosleep(&pause, NULL);
    }
    return -ETIMEDOUT;
}
