/* Bulk TCP throughput between two synack stacks in one process, on one core.
 *
 * Stack A (192.0.2.1) sends `--bytes` of payload to stack B (192.0.2.2) over one connection on a
 * simulated Ethernet link (MTU 1500, so MSS 1460) with no bandwidth limit and a small one-way
 * latency. Virtual time runs as fast as the CPU can process events, so the figure that matters is
 * payload bits per second of CPU time: both stacks, the simulated wire (a copy per frame into a
 * reused block) and the two applications' send/recv copies all run on this one thread.
 *
 * The peer figure (Linux -> Linux over a veth pair, payload per CPU-second, measured in the same
 * run by bench/tap_throughput.sh) may be given with --peer-gbps; we then print the ratio.
 * Only the public API is used. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "synack/synack.h"

#define ADDR_A 0xC0000201u   /* 192.0.2.1, TEST-NET-1 */
#define ADDR_B 0xC0000202u   /* 192.0.2.2 */
#define PORT 5001

struct bench {
    synack_simnet_t *net;
    synack_simlink_t *link;
    synack_stack_t *st[2];
    int lsock, tx, rx;
    uint64_t total, sent, rcvd, txbase;
    int shut, eof, err, verify_failed, verify;
    uint8_t *txbuf;
    size_t chunk;
    uint8_t rxbuf[65536];
};

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static synack_time_t vnow(struct bench *b) { return synack_simnet_now(b->net); }

/* The payload: byte i is (i * 7 ^ i >> 12) & 0xff, position-addressable so the receiver can check
 * it with --verify without keeping a copy. Without --verify the sender sends from one buffer. */
static uint8_t pattern(uint64_t i) { return (uint8_t)(i * 7 ^ i >> 12); }

static void tx_pump(struct bench *b, synack_time_t now)
{
    while (b->sent < b->total) {
        /* txbuf holds stream bytes [txbase, txbase + chunk); with --verify it is refilled only once
         * it has all been sent, so filling costs one pass over the payload. */
        if (b->sent >= b->txbase + b->chunk) {
            b->txbase = b->sent;
            if (b->verify)
                for (size_t i = 0; i < b->chunk; i++)
                    b->txbuf[i] = pattern(b->txbase + i);
        }
        size_t off = (size_t)(b->sent - b->txbase), n = b->chunk - off;
        if (n > b->total - b->sent)
            n = (size_t)(b->total - b->sent);
        int r = synack_send(b->st[0], b->tx, b->txbuf + off, n, now);
        if (r == -EAGAIN)
            return;
        if (r < 0) {
            if (!b->err)
                b->err = r;
            return;
        }
        b->sent += (uint64_t)r;
    }
    if (!b->shut && synack_shutdown(b->st[0], b->tx, SYNACK_SHUT_WR, now) == 0)
        b->shut = 1;
}

static void rx_pump(struct bench *b, synack_time_t now)
{
    for (;;) {
        int r = synack_recv(b->st[1], b->rx, b->rxbuf, sizeof(b->rxbuf), now);
        if (r > 0) {
            if (b->verify)
                for (int i = 0; i < r; i++)
                    if (b->rxbuf[i] != pattern(b->rcvd + (uint64_t)i))
                        b->verify_failed = 1;
            b->rcvd += (uint64_t)r;
            continue;
        }
        if (r == 0)
            b->eof = 1;
        else if (r != -EAGAIN && !b->err)
            b->err = r;
        return;
    }
}

static void tx_handler(synack_stack_t *st, int sock, unsigned ev, void *arg, synack_time_t now)
{
    struct bench *b = arg;
    if (ev & SYNACK_EV_ERR) {
        int e = synack_socket_error(st, sock);
        if (e && !b->err)
            b->err = e;
    }
    tx_pump(b, now);
}

static void rx_handler(synack_stack_t *st, int sock, unsigned ev, void *arg, synack_time_t now) { rx_pump(arg, now); }

static void accept_handler(synack_stack_t *st, int sock, unsigned ev, void *arg, synack_time_t now)
{
    struct bench *b = arg;
    if (b->rx >= 0)
        return;
    int s = synack_accept(st, sock, NULL, now);
    if (s < 0)
        return;
    b->rx = s;
    synack_socket_set_handler(st, s, rx_handler, b);
    rx_pump(b, now);
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: sim_throughput [options]\n"
            "  --bytes N          payload to send A -> B (default 1000000000; suffixes k M G, decimal)\n"
            "  --latency-us N     one-way latency of the simulated link (default 50)\n"
            "  --mtu N            IP MTU (default 1500, i.e. MSS 1460)\n"
            "  --offload          segmentation and checksum offload on the link, as a veth pair: TCP hands\n"
            "                     it frames of up to 64 KB, which arrive whole with their checksum vouched for\n"
            "  --sndbuf N         sender's SO_SNDBUF (default: the stack's default)\n"
            "  --rcvbuf N         receiver's SO_RCVBUF (default: the stack's default)\n"
            "  --chunk N          bytes per synack_send call (default 65536)\n"
            "  --verify           fill and check a position-dependent pattern (costs CPU; off by default)\n"
            "  --peer-gbps X      the peer's figure (Gbit/s per CPU-second) to print the ratio against\n"
            "  --peer-label TEXT  what the peer figure is (default \"Linux->Linux veth\")\n"
            "  --max-seconds N    give up after N seconds of CPU (default 120)\n");
}

static uint64_t parse_size(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || v < 0)
        return 0;
    switch (*end) {
    case 'k': case 'K': v *= 1e3; end++; break;
    case 'm': case 'M': v *= 1e6; end++; break;
    case 'g': case 'G': v *= 1e9; end++; break;
    default: break;
    }
    return *end ? 0 : (uint64_t)v;
}

int main(int argc, char **argv)
{
    uint64_t total = 1000000000ull;
    unsigned latency = 50, mtu = 1500;
    long sndbuf = 0, rcvbuf = 0;
    size_t chunk = 65536;
    int verify = 0, offload = 0;
    double peer = 0, max_s = 120;
    const char *peer_label = "Linux->Linux veth";
    static const struct option opts[] = {
        { "bytes", required_argument, 0, 'b' },     { "latency-us", required_argument, 0, 'l' },
        { "mtu", required_argument, 0, 'm' },       { "sndbuf", required_argument, 0, 's' },
        { "rcvbuf", required_argument, 0, 'r' },    { "chunk", required_argument, 0, 'c' },
        { "verify", no_argument, 0, 'v' },          { "peer-gbps", required_argument, 0, 'p' },
        { "peer-label", required_argument, 0, 'L' }, { "max-seconds", required_argument, 0, 'x' },
        { "offload", no_argument, 0, 'o' },         { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 }
    };
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'b': total = parse_size(optarg); break;
        case 'l': latency = (unsigned)strtoul(optarg, NULL, 10); break;
        case 'm': mtu = (unsigned)strtoul(optarg, NULL, 10); break;
        case 's': sndbuf = (long)parse_size(optarg); break;
        case 'r': rcvbuf = (long)parse_size(optarg); break;
        case 'c': chunk = (size_t)parse_size(optarg); break;
        case 'v': verify = 1; break;
        case 'o': offload = 1; break;
        case 'p': peer = strtod(optarg, NULL); break;
        case 'L': peer_label = optarg; break;
        case 'x': max_s = strtod(optarg, NULL); break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (total == 0 || chunk == 0 || mtu < 576 || mtu > 65535 || max_s <= 0) {
        usage(stderr);
        return 2;
    }

    struct bench *b = calloc(1, sizeof(*b));
    if (!b)
        return 1;
    b->total = total;
    b->chunk = chunk;
    b->verify = verify;
    b->rx = b->lsock = b->tx = -1;
    b->txbuf = malloc(chunk);
    if (!b->txbuf)
        return 1;
    for (size_t i = 0; i < chunk; i++)
        b->txbuf[i] = pattern(i);

    struct synack_simlink_config lc;
    synack_simlink_config_init(&lc);
    lc.latency = SYNACK_US(latency);
    lc.bandwidth_bps = 0;   /* infinite: the CPU is the bottleneck */
    lc.seed = 1;
    lc.offload = offload;
    b->link = synack_simlink_new(&lc);
    b->net = synack_simnet_new(SYNACK_SEC(1));
    for (int i = 0; i < 2; i++) {
        struct synack_config sc;
        synack_config_init(&sc);
        synack_config_seed_u64(&sc, 100 + (uint64_t)i);
        b->st[i] = synack_stack_new(&sc);
        struct synack_if_config ic = { .name = "sim", .kind = SYNACK_IF_ETHERNET,
                                       .mac = { 2, 0, 0, 0, 0, (uint8_t)(i + 1) },
                                       .addr = ADDR_A + (uint32_t)i, .prefix_len = 24, .mtu = (uint16_t)mtu,
                                       .tx = synack_simlink_tx, .tx_ctx = synack_simlink_end(b->link, i) };
        if (offload) {
            ic.tx_meta = synack_simlink_tx_meta;
            ic.tso_max = 65000;
        }
        int ifx = synack_if_add(b->st[i], &ic);
        if (!b->st[i] || ifx < 0) {
            fprintf(stderr, "sim_throughput: cannot create stack %d\n", i);
            return 1;
        }
        synack_simlink_attach(b->link, i, b->st[i], ifx);
        synack_simnet_add_stack(b->net, b->st[i]);
    }
    synack_simnet_add_link(b->net, b->link);

    b->lsock = synack_socket(b->st[1], SYNACK_SOCK_STREAM);
    struct synack_sockaddr la = { synack_ip_any6(), PORT };
    if (rcvbuf)
        synack_setsockopt(b->st[1], b->lsock, SYNACK_SO_RCVBUF, (int)rcvbuf, vnow(b));
    if (synack_bind(b->st[1], b->lsock, &la) < 0 || synack_listen(b->st[1], b->lsock, 4) < 0) {
        fprintf(stderr, "sim_throughput: cannot listen\n");
        return 1;
    }
    synack_socket_set_handler(b->st[1], b->lsock, accept_handler, b);
    b->tx = synack_socket(b->st[0], SYNACK_SOCK_STREAM);
    if (sndbuf)
        synack_setsockopt(b->st[0], b->tx, SYNACK_SO_SNDBUF, (int)sndbuf, vnow(b));
    synack_socket_set_handler(b->st[0], b->tx, tx_handler, b);

    double w0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    synack_time_t v0 = vnow(b);
    struct synack_sockaddr peer_addr = synack_sockaddr_from_v4(ADDR_B, PORT);
    int r = synack_connect(b->st[0], b->tx, &peer_addr, v0);
    if (r != -EINPROGRESS && r != 0) {
        fprintf(stderr, "sim_throughput: connect: %s\n", synack_strerror(r));
        return 1;
    }
    uint64_t events = 0;
    int timed_out = 0;
    while (!b->eof && !b->err) {
        /* Check the CPU budget every 64k events (clock_gettime is cheap but not free). */
        if ((++events & 0xffff) == 0 && clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0 > max_s) {
            timed_out = 1;
            break;
        }
        if (!synack_simnet_step(b->net, SYNACK_TIME_NEVER - 1))
            break;   /* nothing left to do: a stall */
    }
    double w1 = clock_s(CLOCK_MONOTONIC), c1 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    synack_time_t v1 = vnow(b);

    struct synack_tcp_info ti;
    memset(&ti, 0, sizeof(ti));
    int have_info = synack_tcp_info(b->st[0], b->tx, &ti) == 0;
    struct synack_tcp_info ri;
    memset(&ri, 0, sizeof(ri));
    if (b->rx >= 0)
        synack_tcp_info(b->st[1], b->rx, &ri);
    struct synack_simlink_stats sa, sb;
    synack_simlink_stats(b->link, 0, &sa);
    synack_simlink_stats(b->link, 1, &sb);

    double wall = w1 - w0, cpu = c1 - c0, virt = (double)(v1 - v0) / 1e6;
    double bits = (double)b->rcvd * 8;
    double gbps_cpu = cpu > 0 ? bits / cpu / 1e9 : 0;
    double gbps_wall = wall > 0 ? bits / wall / 1e9 : 0;
    double gbps_virt = virt > 0 ? bits / virt / 1e9 : 0;
    uint64_t acks = synack_counter_get(b->st[1], SYNACK_C_TcpOutSegs);
    uint64_t dsegs = synack_counter_get(b->st[0], SYNACK_C_TcpOutSegs);

    printf("sim_throughput: %llu bytes A->B, one connection, MTU %u, latency %u us, no bandwidth limit%s%s\n",
           (unsigned long long)total, mtu, latency, offload ? ", offload (64 KB frames, checksums vouched)" : "",
           verify ? ", verified" : "");
    printf("  received          %llu bytes%s\n", (unsigned long long)b->rcvd,
           b->rcvd == total && b->eof ? " (all, then EOF)" : " (INCOMPLETE)");
    printf("  wall              %.3f s\n", wall);
    printf("  CPU (one thread)  %.3f s\n", cpu);
    printf("  virtual time      %.3f s  (%.2f Gbit/s as the simulated network saw it)\n", virt, gbps_virt);
    printf("  throughput        %.2f Gbit/s of payload per CPU-second (%.2f per wall second)\n", gbps_cpu,
           gbps_wall);
    if (b->rcvd)
        printf("  per segment       %.0f ns of CPU per 1460-byte segment, both stacks and the wire\n",
               cpu * 1e9 / ((double)b->rcvd / 1460.0));
    printf("  frames            A->B %llu, B->A %llu (%.2f data segments per ACK segment)\n",
           (unsigned long long)sa.sent, (unsigned long long)sb.sent, acks ? (double)dsegs / (double)acks : 0);
    printf("  counters          A: TcpOutSegs %llu TcpRetransSegs %llu TcpFastRetrans %llu TcpTimeouts %llu;"
           " B: TcpOutSegs %llu TcpDelayedAcks %llu TcpOfoQueued %llu\n",
           (unsigned long long)dsegs,
           (unsigned long long)synack_counter_get(b->st[0], SYNACK_C_TcpRetransSegs),
           (unsigned long long)synack_counter_get(b->st[0], SYNACK_C_TcpFastRetrans),
           (unsigned long long)synack_counter_get(b->st[0], SYNACK_C_TcpTimeouts), (unsigned long long)acks,
           (unsigned long long)synack_counter_get(b->st[1], SYNACK_C_TcpDelayedAcks),
           (unsigned long long)synack_counter_get(b->st[1], SYNACK_C_TcpOfoQueued));
    if (have_info)
        printf("  sender at end     state %s, cwnd %u, ssthresh %u, snd_wnd %u, srtt %u us, mss %u; receiver rcv_wnd %u\n",
               synack_tcp_state_name(ti.state), ti.cwnd, ti.ssthresh, ti.snd_wnd, ti.rtt, ti.snd_mss, ri.rcv_wnd);
    if (peer > 0)
        printf("  vs %s: %.2f Gbit/s per CPU-second -> ratio synack/Linux %.2f\n", peer_label, peer,
               gbps_cpu / peer);
    /* One machine-readable line for bench/run.sh. */
    printf("RESULT sim bytes=%llu cpu_s=%.4f wall_s=%.4f gbps_cpu=%.3f gbps_wall=%.3f\n",
           (unsigned long long)b->rcvd, cpu, wall, gbps_cpu, gbps_wall);

    int rc = 0;
    if (timed_out) {
        fprintf(stderr, "sim_throughput: gave up after %.0f CPU-seconds\n", max_s);
        rc = 1;
    } else if (b->err) {
        fprintf(stderr, "sim_throughput: socket error: %s\n", synack_strerror(b->err));
        rc = 1;
    } else if (b->rcvd != total || !b->eof) {
        fprintf(stderr, "sim_throughput: transfer stalled at %llu of %llu bytes\n", (unsigned long long)b->rcvd,
                (unsigned long long)total);
        rc = 1;
    } else if (b->verify_failed) {
        fprintf(stderr, "sim_throughput: received data differs from what was sent\n");
        rc = 1;
    }
    synack_close(b->st[0], b->tx, vnow(b));
    if (b->rx >= 0)
        synack_close(b->st[1], b->rx, vnow(b));
    synack_close(b->st[1], b->lsock, vnow(b));
    for (int i = 0; i < 2; i++)
        synack_stack_free(b->st[i]);
    synack_simnet_free(b->net);
    free(b->txbuf);
    free(b);
    return rc;
}
