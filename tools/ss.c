/* `synack ss`: asks a running synack process (serve, nc) for its TCP connections through its
 * control socket and prints them like `ss -tan`; `--counters` prints the stack's counters. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cmd.h"
#include "control.h"
#include "opterr.h"

static void ss_usage(FILE *f)
{
    fprintf(f, "usage: synack ss (--dev NAME | --ctl PATH) [--counters | --shards]\n"
               "  Lists the TCP connections of the synack process running on device NAME in this\n"
               "  network namespace (its control socket is @synack-NAME, abstract, private to the\n"
               "  namespace), or listening on control socket PATH (@NAME for an abstract one),\n"
               "  like `ss -tan`, every shard's (serve --threads). --counters prints the stack's counters\n"
               "  instead, summed over the shards; --shards one line per shard: its TCP sockets and the\n"
               "  frames it read, handed to the shard owning their flow, and was handed.\n");
}

int cmd_ss(int argc, char **argv)
{
    const char *dev = NULL, *ctl = NULL;
    int counters = 0, shards = 0;
    static const struct option opts[] = { { "dev", required_argument, 0, 'd' }, { "ctl", required_argument, 0, 'c' },
                                          { "counters", no_argument, 0, 'n' }, { "shards", no_argument, 0, 's' },
                                          { "help", no_argument, 0, 'h' },
                                          { 0, 0, 0, 0 } };
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': dev = optarg; break;
        case 'c': ctl = optarg; break;
        case 'n': counters = 1; break;
        case 's': shards = 1; break;
        case 'h': ss_usage(stdout); return 0;
        default: tool_bad_option("ss", c, argc, argv, opts); return 2;
        }
    }
    if (optind < argc || (!dev && !ctl)) {
        tool_usage_error("ss", "give --dev NAME or --ctl PATH");
        return 2;
    }
    char path[108];
    if (ctl)
        snprintf(path, sizeof(path), "%s", ctl);
    else
        control_default_path(path, sizeof(path), dev);
    struct sockaddr_un a;
    int alen = control_sockaddr(path, &a);
    if (alen < 0) {
        fprintf(stderr, "synack ss: bad control socket path '%s'\n", path);
        return 2;
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, (socklen_t)alen) != 0) {
        if (dev && !ctl)
            fprintf(stderr, "synack ss: no synack process on device %s in this network namespace (%s: %s)\n", dev,
                    path, strerror(errno));
        else
            fprintf(stderr, "synack ss: no synack process at %s: %s\n", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return 1;
    }
    if (counters && shards) {
        tool_usage_error("ss", "give one of --counters or --shards");
        return 2;
    }
    const char *cmd = counters ? "counters\n" : shards ? "shards\n" : "ss\n";
    if (write(fd, cmd, strlen(cmd)) < 0) {
        fprintf(stderr, "synack ss: %s\n", strerror(errno));
        close(fd);
        return 1;
    }
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof(buf))) > 0)
        fwrite(buf, 1, (size_t)n, stdout);
    close(fd);
    return 0;
}
