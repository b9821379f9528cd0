/* Joining a TAP to a Linux bridge (see bridge.h). */
#include "bridge.h"

#include <dirent.h>
#include <errno.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int set_up(int sock, const char *name, int up)
{
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
    if (ioctl(sock, SIOCGIFFLAGS, &ifr) < 0)
        return -errno;
    short want = (short)(up ? ifr.ifr_flags | IFF_UP : ifr.ifr_flags & ~IFF_UP);
    if (want == ifr.ifr_flags)
        return 0;
    ifr.ifr_flags = want;
    return ioctl(sock, SIOCSIFFLAGS, &ifr) < 0 ? -errno : 0;
}

int bridge_join(const char *br, const char *port, int *created)
{
    *created = 0;
    if (!br || !*br || strlen(br) >= IFNAMSIZ)
        return -EINVAL;
    int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0)
        return -errno;
    int err = 0;
    unsigned idx = if_nametoindex(br);
    if (!idx) {
        char name[IFNAMSIZ];
        snprintf(name, sizeof(name), "%s", br);
        if (ioctl(sock, SIOCBRADDBR, name) < 0 && errno != EEXIST)
            err = -errno;
        else
            *created = 1;
    } else {
        char path[64];
        snprintf(path, sizeof(path), "/sys/class/net/%s/bridge", br);
        if (access(path, F_OK) != 0)
            err = -ENOTDIR;   /* a device of that name exists and is not a bridge */
    }
    if (!err)
        err = set_up(sock, br, 1);
    if (!err) {
        struct ifreq ifr;
        memset(&ifr, 0, sizeof(ifr));
        snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", br);
        ifr.ifr_ifindex = (int)if_nametoindex(port);
        if (!ifr.ifr_ifindex)
            err = -ENODEV;
        else if (ioctl(sock, SIOCBRADDIF, &ifr) < 0)
            err = -errno;
    }
    close(sock);
    return err;
}

void bridge_release(const char *br)
{
    char path[64];
    snprintf(path, sizeof(path), "/sys/class/net/%s/brif", br);
    DIR *d = opendir(path);
    if (!d)
        return;
    int ports = 0;
    for (struct dirent *e; (e = readdir(d));)
        ports += e->d_name[0] != '.';
    closedir(d);
    if (ports)
        return;
    int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0)
        return;
    char name[IFNAMSIZ];
    snprintf(name, sizeof(name), "%s", br);
    if (set_up(sock, br, 0) == 0)   /* a bridge that is up cannot be deleted */
        ioctl(sock, SIOCBRDELBR, name);
    close(sock);
}
