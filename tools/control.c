/* Control socket (see control.h). Requests are tiny and answered at once with blocking writes on
 * the accepted socket: a listing is a few kilobytes, and a stuck client is cut off by a timeout. */
#include "control.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "ssaddr.h"

struct control {
    int fd;
    char path[108];
    synack_stack_t *st;
    synack_driver_t *drv;
    int is_file;
    dev_t dev;      /* of the file we bound, to remove only our own */
    ino_t ino;
    synack_shards_t *shards;            /* serve --threads: every shard's stack is listed */
    synack_stack_t *const *shard_st;    /* shard_st[0] == st, on the thread that runs us */
};

void control_set_shards(struct control *c, synack_shards_t *g, synack_stack_t *const *stacks)
{
    c->shards = g;
    c->shard_st = stacks;
}

void control_default_path(char *buf, size_t cap, const char *ifname)
{
    snprintf(buf, cap, "@synack-%s", ifname);
}

int control_sockaddr(const char *path, struct sockaddr_un *a)
{
    size_t len = strlen(path);
    memset(a, 0, sizeof(*a));
    a->sun_family = AF_UNIX;
    if (len == 0 || len >= sizeof(a->sun_path))
        return -1;
    memcpy(a->sun_path, path, len);
    if (path[0] != '@')
        return (int)sizeof(*a);
    a->sun_path[0] = 0;   /* abstract: the name is the bytes after the NUL, no terminator */
    return (int)(offsetof(struct sockaddr_un, sun_path) + len);
}

/* Whether a live process accepts connections on the socket file at path. */
static int file_socket_alive(const struct sockaddr_un *a, int alen)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return 0;
    int alive = connect(fd, (const struct sockaddr *)a, (socklen_t)alen) == 0 || errno == EAGAIN;
    close(fd);
    return alive;
}

static const char *timer_name(int t)
{
    static const char *const names[] = { "", "on", "persist", "keepalive", "timewait" };
    return t >= 0 && t <= 4 ? names[t] : "";
}

/* Rows are collected first and printed after the walk: whether a socket on :: has IPV6_V6ONLY
 * ("[::]:80" rather than "*:80") is asked of the stack, which a synack_tcp_foreach callback may
 * not call. */
struct ss_ctx {
    FILE *f;
    synack_time_t now;
    int info;   /* `ss -i`: each connection's internals on a line of its own */
    struct synack_tcp_info *rows;
    size_t n, cap;
    int nomem;
};

static void ss_collect(void *arg, const struct synack_tcp_info *i)
{
    struct ss_ctx *x = arg;
    if (x->n == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 64;
        struct synack_tcp_info *r = realloc(x->rows, cap * sizeof(*r));
        if (!r) {
            x->nomem = 1;
            return;
        }
        x->rows = r;
        x->cap = cap;
    }
    x->rows[x->n++] = *i;
}

/* `ss -ti`'s second line, in its words, order and units (times in ms, windows in segments where
 * Linux counts them so): what the handshake agreed, the congestion module, RTO and RTT, the MSS
 * each way, cwnd and ssthresh, the bytes each way, the timeouts in a row and the segments resent,
 * the windows; and synack's connection id, which its trace events and ladders carry. Listeners
 * and TIME-WAIT have no such line, as in Linux. */
static void ss_info(FILE *f, const struct synack_tcp_info *i)
{
    if (i->state == SYNACK_TCP_LISTEN || i->state == SYNACK_TCP_TIME_WAIT)
        return;
    uint32_t mss = i->snd_mss ? i->snd_mss : 1;
    fprintf(f, "\t");
    if (i->options & SYNACK_TCPI_OPT_TIMESTAMPS)
        fprintf(f, " ts");
    if (i->options & SYNACK_TCPI_OPT_SACK)
        fprintf(f, " sack");
    if (i->congestion[0])
        fprintf(f, " %s", i->congestion);
    if (i->options & SYNACK_TCPI_OPT_WSCALE)
        fprintf(f, " wscale:%u,%u", i->snd_wscale, i->rcv_wscale);
    fprintf(f, " rto:%g", (double)i->rto / 1000.0);
    if (i->retransmits)
        fprintf(f, " backoff:%u", i->retransmits);
    if (i->rtt)
        fprintf(f, " rtt:%g/%g", (double)i->rtt / 1000.0, (double)i->rttvar / 1000.0);
    fprintf(f, " mss:%u advmss:%u cwnd:%u", i->snd_mss, i->rcv_mss, (i->cwnd + mss - 1) / mss);
    if (i->ssthresh < 0x7fffffffu)   /* Linux leaves out the initial, infinite one */
        fprintf(f, " ssthresh:%u", (i->ssthresh + mss - 1) / mss);
    fprintf(f, " bytes_sent:%llu bytes_acked:%llu bytes_received:%llu", (unsigned long long)i->bytes_sent,
            (unsigned long long)i->bytes_acked, (unsigned long long)i->bytes_received);
    if (i->total_retrans)
        fprintf(f, " retrans:%llu", (unsigned long long)i->total_retrans);
    fprintf(f, " snd_wnd:%u rcv_wnd:%u id:%u\n", i->snd_wnd, i->rcv_wnd, i->conn_id);
}

static void ss_row(struct ss_ctx *x, const struct synack_tcp_info *i, int v6only)
{
    char l[SYNACK_SOCKADDR_STRLEN], r[SYNACK_SOCKADDR_STRLEN], tm[48] = "";
    ssaddr_ends(i, v6only, l, r, sizeof(l));
    if (i->timer && i->timer_expires > x->now)
        snprintf(tm, sizeof(tm), "timer:(%s,%.3fs)", timer_name(i->timer), (double)(i->timer_expires - x->now) / 1e6);
    /* Columns as wide as IPv4 ends; a longer (IPv6) end widens its own row, as ss's do. */
    fprintf(x->f, "%-12s %6u %6u %-21s %-21s %-6s %s\n", synack_tcp_state_name(i->state), i->recv_q, i->send_q, l, r,
            i->congestion[0] ? i->congestion : "-", tm);
    if (x->info)
        ss_info(x->f, i);
}

/* Walks the stack's connections and prints them (on the thread that owns the stack). */
static void ss_list(synack_stack_t *st, FILE *f, synack_time_t now, int info)
{
    struct ss_ctx x = { f, now, info, NULL, 0, 0, 0 };
    synack_tcp_foreach(st, ss_collect, &x);
    for (size_t k = 0; k < x.n; k++)
        ss_row(&x, &x.rows[k], ssaddr_v6only(st, &x.rows[k]));
    if (x.nomem)
        fprintf(f, "# out of memory: the list is incomplete\n");
    free(x.rows);
}

void control_ss_header(FILE *f)
{
    fprintf(f, "%-12s %6s %6s %-21s %-21s %-6s %s\n", "State", "Recv-Q", "Send-Q", "Local Address:Port",
            "Peer Address:Port", "CC", "Timer");
}

void control_write_ss(synack_stack_t *st, FILE *f, synack_time_t now)
{
    control_ss_header(f);
    ss_list(st, f, now, 0);
}

/* What a shard does for a request, on its own thread (synack_shards_call). */
struct shard_req {
    synack_stack_t *st;
    FILE *f;
    synack_time_t now;
    int info;
    uint64_t counters[SYNACK_C_COUNT];
};

static void shard_ss(void *arg)
{
    struct shard_req *q = arg;
    ss_list(q->st, q->f, q->now, q->info);
}

static void shard_counters(void *arg)
{
    struct shard_req *q = arg;
    for (int c = 0; c < SYNACK_C_COUNT; c++)
        q->counters[c] += synack_counter_get(q->st, (enum synack_counter)c);
}

/* Runs fn for every shard (once, on shard 0 = ours, without shards), each on its own thread. */
static void each_shard(struct control *c, void (*fn)(void *), struct shard_req *q)
{
    unsigned n = c->shards ? synack_shards_count(c->shards) : 1;
    for (unsigned k = 0; k < n; k++) {
        q->st = k ? c->shard_st[k] : c->st;
        if (k == 0)
            fn(q);
        else if (synack_shards_call(c->shards, k, fn, q) != 0)
            fprintf(q->f, "# shard %u did not answer\n", k);
    }
}

static void count_conn(void *arg, const struct synack_tcp_info *i)
{
    (void)i;
    ++*(unsigned *)arg;
}

static void shard_conns(void *arg)
{
    struct shard_req *q = arg;
    unsigned n = 0;
    synack_tcp_foreach(q->st, count_conn, &n);
    q->counters[0] = n;
}

/* The driver loop's back end and where flows are steered, then one line per shard: its TCP
 * sockets (listeners included) and what its steering did. */
static void write_shards(struct control *c, FILE *f)
{
    unsigned n = c->shards ? synack_shards_count(c->shards) : 1;
    fprintf(f, "driver: %s\n", synack_driver_backend(c->drv));
    if (c->shards)
        fprintf(f, "steering: %s\n", synack_shards_kernel_steering(c->shards)
                                          ? "kernel (eBPF program on the device), hand-over for the rest"
                                          : "user space (the kernel picks queues; frames handed over)");
    for (unsigned k = 0; k < n; k++) {
        struct shard_req q = { .f = f, .st = k ? c->shard_st[k] : c->st };
        if (k == 0)
            shard_conns(&q);
        else if (synack_shards_call(c->shards, k, shard_conns, &q) != 0)
            continue;
        struct synack_shard_stats x;
        synack_shards_stats(c->shards, k, &x);
        fprintf(f, "shard %u: tcp %llu frames_read %llu handed_out %llu handed_in %llu copied_to_all %llu "
                   "ring_drops %llu wakeups %llu\n", k, (unsigned long long)q.counters[0],
                (unsigned long long)x.frames_read, (unsigned long long)x.handed_out, (unsigned long long)x.handed_in,
                (unsigned long long)x.copied_to_all, (unsigned long long)x.ring_drops, (unsigned long long)x.wakeups);
    }
}

/* Counters summed over the shards (BufPoolHighWater too: the sum of each stack's peak). */
static void write_counters(struct control *c, FILE *f)
{
    struct shard_req q = { .f = f };
    each_shard(c, shard_counters, &q);
    for (int k = 0; k < SYNACK_C_COUNT; k++)
        fprintf(f, "%-22s %llu\n", synack_counter_name((enum synack_counter)k), (unsigned long long)q.counters[k]);
}

static void on_request(void *arg, int fd, synack_time_t now)
{
    struct control *c = arg;
    int cfd = accept(fd, NULL, NULL);
    if (cfd < 0)
        return;
    struct timeval tv = { 1, 0 };
    setsockopt(cfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(cfd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    char cmd[64] = "";
    ssize_t n = read(cfd, cmd, sizeof(cmd) - 1);
    if (n <= 0) {   /* a probe (another process checking we are alive) or a client gone */
        close(cfd);
        return;
    }
    cmd[n] = 0;
    cmd[strcspn(cmd, "\r\n")] = 0;
    FILE *f = fdopen(cfd, "w");
    if (!f) {
        close(cfd);
        return;
    }
    if (!strcmp(cmd, "ss") || !strcmp(cmd, "ss info")) {
        struct shard_req q = { .f = f, .now = now, .info = cmd[2] != 0 };
        control_ss_header(f);
        each_shard(c, shard_ss, &q);
    } else if (!strcmp(cmd, "counters")) {
        write_counters(c, f);
    } else if (!strcmp(cmd, "shards")) {
        write_shards(c, f);
    }
    else
        fprintf(f, "error: unknown command '%s' (ss, ss info, counters, shards)\n", cmd);
    fclose(f);
}

struct control *control_open(const char *path, synack_stack_t *st, synack_driver_t *drv)
{
    struct control *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    if (strlen(path) >= sizeof(c->path)) {
        fprintf(stderr, "synack: control socket path too long: %s\n", path);
        free(c);
        return NULL;
    }
    snprintf(c->path, sizeof(c->path), "%s", path);
    c->st = st;
    c->drv = drv;
    struct sockaddr_un a;
    int alen = control_sockaddr(c->path, &a);
    c->is_file = path[0] != '@';
    if (alen < 0) {
        fprintf(stderr, "synack: bad control socket path: '%s'\n", path);
        free(c);
        return NULL;
    }
    if (c->is_file) {
        struct stat sb;
        if (file_socket_alive(&a, alen)) {
            fprintf(stderr, "synack: control socket %s is in use by another running synack process "
                            "(give another with --ctl PATH)\n", c->path);
            free(c);
            return NULL;
        }
        if (lstat(c->path, &sb) == 0 && S_ISSOCK(sb.st_mode))
            unlink(c->path);   /* stale: its process died without removing it */
    }
    c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (c->fd < 0 || bind(c->fd, (struct sockaddr *)&a, (socklen_t)alen) != 0 || listen(c->fd, 8) != 0) {
        int e = errno;
        fprintf(stderr, "synack: cannot open control socket %s: %s%s\n", c->path, strerror(e),
                e == EADDRINUSE ? " (another synack process on this device in this network namespace? "
                                  "give another with --ctl PATH)" : "");
        if (c->fd >= 0)
            close(c->fd);
        free(c);
        return NULL;
    }
    struct stat sb;
    if (c->is_file && stat(c->path, &sb) == 0) {
        c->dev = sb.st_dev;
        c->ino = sb.st_ino;
    }
    /* A client that goes away before reading its answer must not kill the process. */
    signal(SIGPIPE, SIG_IGN);
    synack_driver_watch_fd(drv, c->fd, on_request, c);
    return c;
}

void control_close(struct control *c)
{
    if (!c)
        return;
    synack_driver_unwatch_fd(c->drv, c->fd);
    close(c->fd);
    /* Only our own file: another process may have replaced it (after deciding ours was stale). */
    struct stat sb;
    if (c->is_file && stat(c->path, &sb) == 0 && sb.st_dev == c->dev && sb.st_ino == c->ino)
        unlink(c->path);
    free(c);
}
