/* `synack demo --ping`: two stacks, A (192.0.2.1) and B (192.0.2.2), on a simulated Ethernet link with
 * loss, under virtual time. A pings B and exchanges UDP datagrams with B's echo service; every
 * frame is printed as it is sent, with the link's verdict (lost, duplicated, corrupted). No root,
 * no device: everything runs in this process, and the same seed gives the same run. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "numarg.h"
#include "opterr.h"
#include "synack/synack.h"

struct demo_end {
    const char *name;       /* "A" or "B" */
    synack_simlink_t *link;
    int side;
};

struct demo {
    synack_simnet_t *net;
    synack_simlink_t *link;
    synack_stack_t *st[2];
    struct demo_end ends[2];
    int echo_sock;          /* B's UDP echo */
    int client_sock;        /* A's UDP client */
    unsigned pings_answered, udp_answered;
};

/* Wraps the simulated link's transmit so each frame is printed with what the link did to it. */
static int demo_tx(void *ctx, const uint8_t *frame, size_t len, synack_time_t now)
{
    struct demo_end *e = ctx;
    struct synack_simlink_stats before, after;
    synack_simlink_stats(e->link, e->side, &before);
    int r = synack_simlink_tx(synack_simlink_end(e->link, e->side), frame, len, now);
    synack_simlink_stats(e->link, e->side, &after);
    char line[256];
    synack_format_frame(line, sizeof(line), SYNACK_IF_ETHERNET, frame, len);
    const char *verdict = after.lost > before.lost             ? "  ✗ lost"
                          : after.queue_drops > before.queue_drops ? "  ✗ queue full"
                          : after.corrupted > before.corrupted ? "  ~ corrupted"
                          : after.duplicated > before.duplicated ? "  + duplicated"
                                                                 : "";
    printf("%9.6f  %s -> %s  %s%s\n", (double)now / 1e6, e->name, strcmp(e->name, "A") ? "A" : "B", line,
           verdict);
    return r;
}

static void demo_trace(void *ctx, const struct synack_trace_event *ev)
{
    struct demo *d = ctx;
    if (ev->kind == SYNACK_TR_ICMP_ECHO_REPLY) {
        d->pings_answered++;
        printf("%9.6f  A got echo reply seq %u\n", (double)ev->now / 1e6, ev->echo_seq);
    } else if (ev->kind == SYNACK_TR_DROP) {
        printf("%9.6f  dropped on arrival: %s\n", (double)ev->now / 1e6, synack_counter_desc(ev->counter));
    }
}

/* B's UDP echo service (RFC 862): send back what arrives. */
static void echo_handler(synack_stack_t *st, int sock, unsigned events, void *arg, synack_time_t now)
{
    uint8_t buf[2048];
    struct synack_sockaddr from;
    int n;
    while ((n = synack_recvfrom(st, sock, buf, sizeof(buf), &from, now)) >= 0)
        synack_sendto(st, sock, buf, (size_t)n, &from, now);
}

static void client_handler(synack_stack_t *st, int sock, unsigned events, void *arg, synack_time_t now)
{
    struct demo *d = arg;
    uint8_t buf[2048];
    int n;
    while ((n = synack_recvfrom(st, sock, buf, sizeof(buf) - 1, NULL, now)) >= 0) {
        buf[n] = 0;
        d->udp_answered++;
        printf("%9.6f  A got UDP echo \"%s\"\n", (double)now / 1e6, buf);
    }
}

static void demo_usage(FILE *f)
{
    fprintf(f, "usage: synack demo --ping [--loss P] [--seed N] [--latency MS]\n"
               "  Two stacks on a simulated link: ARP, ping and UDP echo, each frame printed.\n"
               "  --loss P      probability a frame is lost (default 0.1)\n"
               "  --seed N      seed for the link and the stacks (default 1)\n"
               "  --latency MS  one-way delay in milliseconds (default 5)\n");
}

int cmd_demo_ping(int argc, char **argv)
{
    double loss = 0.1;
    uint64_t seed = 1;
    double latency_ms = 5;
    static const struct option opts[] = {
        { "loss", required_argument, 0, 'l' }, { "seed", required_argument, 0, 's' },
        { "latency", required_argument, 0, 'd' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 } };
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'l': if (numarg_real("demo", "--loss", optarg, 0, 1, "(a fraction)", &loss)) return 2; break;
        case 's': if (numarg_uint("demo", "--seed", optarg, 0, UINT64_MAX, NULL, &seed)) return 2; break;
        case 'd': if (numarg_real("demo", "--latency", optarg, 0, 10000, "ms", &latency_ms)) return 2; break;
        case 'h': demo_usage(stdout); return 0;
        default: tool_bad_option("demo", c, argc, argv, opts); return 2;
        }
    }
    if (optind < argc) {
        tool_usage_error("demo", "unexpected argument '%s'", argv[optind]);
        return 2;
    }

    struct demo d = { 0 };
    struct synack_simlink_config lc;
    synack_simlink_config_init(&lc);
    lc.latency = (synack_time_t)(latency_ms * 1000);
    lc.bandwidth_bps = 100000000;
    lc.loss = loss;
    lc.seed = seed;
    d.link = synack_simlink_new(&lc);
    d.net = synack_simnet_new(0);
    if (!d.link || !d.net) {
        fprintf(stderr, "synack demo: out of memory\n");
        return 1;
    }
    static const char *const names[2] = { "A", "B" };
    for (int i = 0; i < 2; i++) {
        struct synack_config cfg;
        synack_config_init(&cfg);
        synack_config_seed_u64(&cfg, seed * 2 + (unsigned)i);
        d.st[i] = synack_stack_new(&cfg);
        d.ends[i] = (struct demo_end){ names[i], d.link, i };
        struct synack_if_config ic = { .name = "sim0", .kind = SYNACK_IF_ETHERNET,
                                       .mac = { 0x02, 0, 0, 0, 0, (uint8_t)(i + 1) },
                                       .addr = 0xC0000201u + (unsigned)i, .prefix_len = 24, .mtu = 1500,
                                       .tx = demo_tx, .tx_ctx = &d.ends[i] };
        int ifx = synack_if_add(d.st[i], &ic);
        synack_simlink_attach(d.link, i, d.st[i], ifx);
        synack_simnet_add_stack(d.net, d.st[i]);
    }
    synack_simnet_add_link(d.net, d.link);
    synack_stack_set_trace(d.st[0], demo_trace, &d);
    synack_stack_set_trace(d.st[1], demo_trace, &d);

    printf("synack demo: A 192.0.2.1 <-> B 192.0.2.2, simulated Ethernet, %.1f ms one way, loss %.0f%%, seed %llu\n\n",
           latency_ms, loss * 100, (unsigned long long)seed);
    d.echo_sock = synack_socket(d.st[1], SYNACK_SOCK_DGRAM);
    struct synack_sockaddr echo_addr = { synack_ip_any6(), 7 };
    synack_bind(d.st[1], d.echo_sock, &echo_addr);
    synack_socket_set_handler(d.st[1], d.echo_sock, echo_handler, &d);
    d.client_sock = synack_socket(d.st[0], SYNACK_SOCK_DGRAM);
    synack_socket_set_handler(d.st[0], d.client_sock, client_handler, &d);

    const unsigned npings = 5, nudp = 5;
    printf("-- ping: A sends %u echo requests to B, one every 200 ms\n", npings);
    for (unsigned i = 0; i < npings; i++) {
        synack_time_t t = synack_simnet_now(d.net);
        struct synack_ip ping_dst = synack_ip_from_v4(0xC0000202u);
        synack_ping(d.st[0], &ping_dst, 0x5a5a, (uint16_t)(i + 1), "synack-ping", 11, t);
        synack_simnet_run_until(d.net, t + SYNACK_MS(200));
    }
    synack_simnet_run_until(d.net, synack_simnet_now(d.net) + SYNACK_SEC(1));
    printf("\n-- UDP: A sends %u datagrams to B's echo service on port 7\n", nudp);
    struct synack_sockaddr to = synack_sockaddr_from_v4(0xC0000202u, 7);
    for (unsigned i = 0; i < nudp; i++) {
        char msg[32];
        int n = snprintf(msg, sizeof(msg), "hello %u", i + 1);
        synack_time_t t = synack_simnet_now(d.net);
        synack_sendto(d.st[0], d.client_sock, msg, (size_t)n, &to, t);
        synack_simnet_run_until(d.net, t + SYNACK_MS(100));
    }
    synack_simnet_run_until(d.net, synack_simnet_now(d.net) + SYNACK_SEC(1));

    struct synack_simlink_stats s0, s1;
    synack_simlink_stats(d.link, 0, &s0);
    synack_simlink_stats(d.link, 1, &s1);
    printf("\nsummary: ping %u/%u answered, UDP echo %u/%u answered; link: %llu frames sent, %llu lost\n",
           d.pings_answered, npings, d.udp_answered, nudp,
           (unsigned long long)(s0.sent + s1.sent), (unsigned long long)(s0.lost + s1.lost));
    printf("(lost frames are not retransmitted: ping and UDP have no reliability; that is TCP's job)\n");
    for (int i = 0; i < 2; i++)
        synack_stack_free(d.st[i]);
    synack_simnet_free(d.net);
    return 0;
}
