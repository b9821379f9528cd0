/* `synack ss`: asks a running synack process (serve, nc) for its TCP connections through its
 * control socket and prints them like `ss -tan`, filtered as ss filters (ssfilter.h), with `-i`'s
 * internals or `-s`'s summary; `--counters` prints the stack's counters. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cmd.h"
#include "control.h"
#include "opterr.h"
#include "ssfilter.h"

static void ss_usage(FILE *f)
{
    fprintf(f, "usage: synack ss [--dev NAME | --ctl PATH] [options] [FILTER] | --counters | --shards\n"
               "  Lists the TCP connections of the synack process running on device NAME in this\n"
               "  network namespace (its control socket is @synack-NAME, abstract, private to the\n"
               "  namespace), or listening on control socket PATH (@NAME for an abstract one), or\n"
               "  without either of every synack process in this namespace (each @synack-NAME socket),\n"
               "  like `ss -tan`, every shard's (serve --threads). --counters prints the stack's counters\n"
               "  instead, summed over the shards; --shards one line per shard: its TCP sockets and the\n"
               "  frames it read, handed to the shard owning their flow, and was handed.\n"
               "  -t, -n, -a, -o  taken as ss takes them: TCP, numbers, every state, timers (always so)\n"
               "  -l, --listening listening sockets only\n"
               "  -i, --info      each connection's internals on a second line, as `ss -ti` words them\n"
               "                  (ts sack cubic wscale:S,R rto: rtt:SRTT/RTTVAR mss: advmss: cwnd: ...)\n"
               "  -s, --summary   how many connections in each state\n"
               "  -H, --no-header no header line\n"
               "  -4, -6          IPv4 or IPv6 sockets only\n"
               "  FILTER          as ss's: state NAME (repeatable; established, syn-sent, syn-recv,\n"
               "                  fin-wait-1, fin-wait-2, time-wait, closed, close-wait, last-ack,\n"
               "                  listening, closing, all, connected, synchronized, bucket, big),\n"
               "                  exclude NAME, and terms joined by `and`: sport OP :PORT, dport OP :PORT\n"
               "                  (OP = != < > <= >= or eq ne lt gt le ge), src ADDR[:PORT], dst ADDR[:PORT]\n");
}

/* Reads the whole answer of the control socket (a listing is a few kilobytes per hundred
 * connections). NULL on a read error. */
static char *read_all(int fd, size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap + 1);
    while (b) {
        if (n == cap) {
            char *nb = realloc(b, cap * 2 + 1);
            if (!nb)
                break;
            b = nb;
            cap *= 2;
        }
        ssize_t r = read(fd, b + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            break;
        if (r == 0) {
            b[n] = 0;
            *len = n;
            return b;
        }
        n += (size_t)r;
    }
    free(b);
    return NULL;
}

/* Whether a row's local end is of the family asked (4 or 6; 0 any). "*" (a socket on :: taking
 * both) counts as IPv6, as Linux's ss shows it. */
static int family_ok(const char *row, int family)
{
    char local[80];
    if (!family || sscanf(row, "%*s %*u %*u %79s", local) != 1)
        return 1;
    int v6 = local[0] == '[' || local[0] == '*';
    return family == 6 ? v6 : !v6;
}

/* The listing filtered, or its summary (ss -s's TCP line, with listeners counted too). */
static void print_rows(char *text, const struct ssfilter *flt, int family, int header, int summary)
{
    unsigned by_state[SYNACK_TCP_TIME_WAIT + 1] = { 0 }, total = 0;
    int keep = 0, first = 1;
    for (char *line = text, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = 0;
        if (first) {   /* the header */
            first = 0;
            if (header && !summary)
                printf("%s\n", line);
            continue;
        }
        if (line[0] == '\t') {   /* a row's -i line goes with its row */
            if (keep && !summary)
                printf("%s\n", line);
            continue;
        }
        int m = ssfilter_match(flt, line);
        keep = m > 0 && family_ok(line, family);
        if (m < 0) {   /* not a row: a note of the process ("# shard 1 did not answer") */
            fprintf(stderr, "%s\n", line);
            continue;
        }
        if (!keep)
            continue;
        if (summary) {
            by_state[ssfilter_row_state(line)]++;
            total++;
        } else {
            printf("%s\n", line);
        }
    }
    if (summary)
        printf("TCP:   %u (estab %u, closed %u, timewait %u, listen %u, synrecv %u, synsent %u, "
               "finwait %u, closewait %u, closing %u, lastack %u)\n",
               total, by_state[SYNACK_TCP_ESTABLISHED], by_state[SYNACK_TCP_CLOSED], by_state[SYNACK_TCP_TIME_WAIT],
               by_state[SYNACK_TCP_LISTEN], by_state[SYNACK_TCP_SYN_RECEIVED], by_state[SYNACK_TCP_SYN_SENT],
               by_state[SYNACK_TCP_FIN_WAIT_1] + by_state[SYNACK_TCP_FIN_WAIT_2], by_state[SYNACK_TCP_CLOSE_WAIT],
               by_state[SYNACK_TCP_CLOSING], by_state[SYNACK_TCP_LAST_ACK]);
}

#define SS_MAX_PROCS 32

/* The control sockets of the synack processes in this network namespace: the abstract
 * @synack-DEV sockets listening in /proc/net/unix (every command's default, control.c), which
 * lists the sockets of the reader's namespace only. */
static int find_controls(char paths[][108], int max)
{
    FILE *f = fopen("/proc/net/unix", "r");
    if (!f)
        return 0;
    char line[512];
    int n = 0;
    while (n < max && fgets(line, sizeof(line), f)) {
        unsigned flags, type, st;
        char path[108];
        /* Num RefCount Protocol Flags Type St Inode Path */
        if (sscanf(line, "%*s %*s %*s %x %x %x %*s %107s", &flags, &type, &st, path) != 4)
            continue;
        if (!(flags & 0x10000) || type != SOCK_STREAM || strncmp(path, "@synack-", 8) != 0)
            continue;   /* listening (__SO_ACCEPTCON), stream, ours */
        int dup = 0;
        for (int k = 0; k < n; k++)
            dup |= !strcmp(paths[k], path);
        if (!dup)
            snprintf(paths[n++], 108, "%s", path);
    }
    fclose(f);
    return n;
}

/* Sends cmd to the process at path and returns its whole answer (NULL after saying why). */
static char *ask(const char *path, const char *dev, const char *cmd, size_t *len)
{
    struct sockaddr_un a;
    int alen = control_sockaddr(path, &a);
    if (alen < 0) {
        fprintf(stderr, "synack ss: bad control socket path '%s'\n", path);
        return NULL;
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, (socklen_t)alen) != 0) {
        if (dev)
            fprintf(stderr, "synack ss: no synack process on device %s in this network namespace (%s: %s)\n", dev,
                    path, strerror(errno));
        else
            fprintf(stderr, "synack ss: no synack process at %s: %s\n", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    char *text = write(fd, cmd, strlen(cmd)) < 0 ? NULL : read_all(fd, len);
    int e = errno;
    close(fd);
    if (!text)
        fprintf(stderr, "synack ss: %s: %s\n", path, strerror(e ? e : ENOMEM));
    return text;
}

int cmd_ss(int argc, char **argv)
{
    const char *dev = NULL, *ctl = NULL;
    int counters = 0, shards = 0, listening = 0, info = 0, summary = 0, header = 1, family = 0;
    enum { OPT_COUNTERS = 256, OPT_SHARDS };
    static const struct option opts[] = { { "dev", required_argument, 0, 'd' }, { "ctl", required_argument, 0, 'c' },
                                          { "counters", no_argument, 0, OPT_COUNTERS },
                                          { "shards", no_argument, 0, OPT_SHARDS },
                                          { "tcp", no_argument, 0, 't' }, { "numeric", no_argument, 0, 'n' },
                                          { "all", no_argument, 0, 'a' }, { "options", no_argument, 0, 'o' },
                                          { "listening", no_argument, 0, 'l' }, { "info", no_argument, 0, 'i' },
                                          { "summary", no_argument, 0, 's' }, { "no-header", no_argument, 0, 'H' },
                                          { "ipv4", no_argument, 0, '4' }, { "ipv6", no_argument, 0, '6' },
                                          { "help", no_argument, 0, 'h' },
                                          { 0, 0, 0, 0 } };
    int c;
    opterr = 0;
    /* '+': the filter's words after the options are left as they are (ss's `state established`) */
    while ((c = getopt_long(argc, argv, "+:htnaoliHs46", opts, NULL)) != -1) {
        switch (c) {
        case 'd': dev = optarg; break;
        case 'c': ctl = optarg; break;
        case OPT_COUNTERS: counters = 1; break;
        case OPT_SHARDS: shards = 1; break;
        case 't': case 'n': case 'a': case 'o': break;   /* what synack ss always does */
        case 'l': listening = 1; break;
        case 'i': info = 1; break;
        case 's': summary = 1; break;
        case 'H': header = 0; break;
        case '4': family = 4; break;
        case '6': family = 6; break;
        case 'h': ss_usage(stdout); return 0;
        default: tool_bad_option("ss", c, argc, argv, opts); return 2;
        }
    }
    if (counters && shards) {
        tool_usage_error("ss", "give one of --counters or --shards");
        return 2;
    }
    if ((counters || shards) && (optind < argc || listening || info || summary || family)) {
        tool_usage_error("ss", "--counters and --shards take no filter");
        return 2;
    }
    struct ssfilter flt;
    char err[256];
    if (ssfilter_parse(&flt, listening ? 1u << SYNACK_TCP_LISTEN : ~0u, argc - optind, argv + optind, err,
                       sizeof(err)) != 0) {
        tool_usage_error("ss", "%s", err);
        return 2;
    }
    char paths[SS_MAX_PROCS][108];
    int np = 0;
    if (ctl)
        snprintf(paths[np++], sizeof(paths[0]), "%s", ctl);
    else if (dev)
        control_default_path(paths[np++], sizeof(paths[0]), dev);
    else if ((np = find_controls(paths, SS_MAX_PROCS)) == 0) {
        /* as ss on a host with no connection: an empty listing (and a word of why on stderr) */
        fprintf(stderr, "synack ss: no synack process in this network namespace (none listens on an "
                        "@synack-DEV control socket; give --ctl PATH for another)\n");
        if (counters || shards)
            return 0;
        if (header && !summary)
            control_ss_header(stdout);
        char empty[] = "";
        print_rows(empty, &flt, family, header, summary);
        return 0;
    }
    const char *cmd = counters ? "counters\n" : shards ? "shards\n" : info ? "ss info\n" : "ss\n";
    char *all = NULL;
    size_t all_len = 0;
    int rc = 0;
    for (int k = 0; k < np; k++) {
        size_t len = 0;
        char *text = ask(paths[k], dev && !ctl ? dev : NULL, cmd, &len);
        if (!text) {
            rc = 1;
            continue;
        }
        if (counters || shards || !strncmp(text, "error:", 6)) {
            if (np > 1)   /* several processes: each block under its socket's name */
                printf("# %s\n", paths[k]);
            fwrite(text, 1, len, stdout);
            free(text);
            continue;
        }
        /* rows: one listing of every process's, under the first one's header */
        const char *body = text;
        if (all) {
            const char *nl = strchr(text, '\n');
            body = nl ? nl + 1 : text + len;
        }
        size_t blen = len - (size_t)(body - text);
        char *grown = realloc(all, all_len + blen + 1);
        if (!grown) {
            free(text);
            fprintf(stderr, "synack ss: out of memory\n");
            rc = 1;
            break;
        }
        all = grown;
        memcpy(all + all_len, body, blen);
        all_len += blen;
        all[all_len] = 0;
        free(text);
    }
    if (all)
        print_rows(all, &flt, family, header, summary);
    free(all);
    return rc;
}
