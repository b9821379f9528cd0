/* `synack demo`: the life of one TCP connection between two stacks on a simulated Ethernet link,
 * drawn as a ladder. Client A (192.0.2.1) connects to B's echo service (192.0.2.2:7), sends a
 * message of a few segments, reads the echo, and closes; B closes when it sees A's FIN. The link
 * drops A's second data segment once (and, with --loss, random frames), so the retransmission shows.
 * Everything runs in this process under virtual time: no root, no device, same seed, same run.
 * With --ipv6 the same over IPv6 (2001:db8::1 and ::2): first each side's addresses pass duplicate
 * address detection (the frames are listed), then the SYN waits for Neighbor Discovery, whose
 * frames show as notes in the ladder. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "ladder.h"
#include "numarg.h"
#include "opterr.h"
#include "synack/synack.h"

#define A_ADDR 0xC0000201u
#define B_ADDR 0xC0000202u
#define A_ADDR6 "2001:db8::1"
#define B_ADDR6 "2001:db8::2"

struct demo_end {
    struct demo *d;
    int side;
};

struct demo {
    synack_simnet_t *net;
    synack_simlink_t *link;
    synack_stack_t *st[2];
    struct demo_end ends[2];
    struct ladder lad;
    int state[2];               /* each side's connection state, from the trace */
    long rx_row[2];             /* the ladder row of the segment being processed by side i */
    int data_segments_from_a;
    int drop_nth;               /* drop A's n-th data segment once (0: none) */
    int a_sock, b_listen, b_sock;
    size_t msg_len, a_sent, a_rcvd, b_echoed;
    char b_buf[65536];
    size_t b_pending;
    int a_closed, b_closed;
    int ipv6;
    int ifx[2];
    int listing;                /* --ipv6, before the connection: frames are printed as they go */
};

/* The TCP segment in an Ethernet frame of either family, or NULL. */
static const uint8_t *frame_tcp(const uint8_t *frame, size_t len, size_t *tcp_len)
{
    if (len <= 14)
        return NULL;
    if (frame[12] == 0x08 && frame[13] == 0x00) {
        struct synack_ip_fields ip;
        if (synack_ip_fields(frame + 14, len - 14, &ip) != 0 || ip.proto != 6)
            return NULL;
        *tcp_len = ip.total_len - ip.hdr_len;
        return frame + 14 + ip.hdr_len;
    }
    if (frame[12] == 0x86 && frame[13] == 0xdd) {
        struct synack_ip6_fields ip;
        if (synack_ip6_fields(frame + 14, len - 14, &ip) != 0 || ip.proto != 6 || ip.fragment)
            return NULL;
        *tcp_len = ip.total_len - ip.hdr_len;
        return frame + 14 + ip.hdr_len;
    }
    return NULL;
}

/* The link's transmit, wrapped: decide the demo's own drop, note what the link did, and draw the row. */
static int demo_tx(void *ctx, const uint8_t *frame, size_t len, synack_time_t now)
{
    struct demo_end *e = ctx;
    struct demo *d = e->d;
    struct synack_simlink_stats before, after;
    synack_simlink_stats(d->link, e->side, &before);
    int forced_drop = 0;
    size_t tcp_len = 0;
    const uint8_t *tcp = frame_tcp(frame, len, &tcp_len);
    if (tcp) {
        struct synack_tcp_fields f;
        if (e->side == 0 && synack_tcp_fields(tcp, tcp_len, &f) == 0 && f.data_len > 0 &&
            ++d->data_segments_from_a == d->drop_nth)
            forced_drop = 1;
    }
    int r = 0;
    if (!forced_drop)
        r = synack_simlink_tx(synack_simlink_end(d->link, e->side), frame, len, now);
    synack_simlink_stats(d->link, e->side, &after);
    int lost = forced_drop || after.lost > before.lost || after.queue_drops > before.queue_drops;
    if (tcp) {
        int st[2] = { -1, -1 };
        st[e->side] = d->state[e->side];
        ladder_add(&d->lad, now, e->side, tcp, tcp_len, lost, st[0], st[1]);
    } else if (d->ipv6) {
        /* Neighbor Discovery and the rest of IPv6's own traffic: listed before the connection,
         * a note in the ladder during it. */
        char line[200];
        synack_format_frame(line, sizeof(line), SYNACK_IF_ETHERNET, frame, len);
        if (d->listing) {
            printf("%9.6f  %s  %s%s\n", (double)now / 1e6, e->side ? "B" : "A", line, lost ? "  (lost)" : "");
        } else {
            char note[96];   /* a ladder row's note; the line cut to fit */
            const char *what = strstr(line, ": ");
            snprintf(note, sizeof(note), "%s: %.80s%s", e->side ? "B" : "A", what ? what + 2 : line, lost ? " (lost)" : "");
            ladder_note(&d->lad, now, note, -1, -1);
        }
    }
    return r;
}

static void demo_trace(void *ctx, const struct synack_trace_event *ev)
{
    struct demo_end *e = ctx;
    struct demo *d = e->d;
    int me = e->side;
    if (ev->kind == SYNACK_TR_TCP_SEG_IN) {
        /* Find the row of this segment: the latest not-lost row sent toward us with the same seq/ack. */
        struct synack_tcp_fields f;
        d->rx_row[me] = -1;
        if (synack_tcp_fields(ev->data, ev->len, &f) != 0)
            return;
        for (long i = (long)d->lad.n - 1; i >= 0; i--) {
            const struct ladder_row *r = &d->lad.rows[i];
            if (r->dir == 1 - me && !r->lost && r->seq == f.seq && r->ack == f.ack && r->flags == f.flags &&
                r->len == f.data_len) {
                d->rx_row[me] = i;
                break;
            }
        }
    } else if (ev->kind == SYNACK_TR_TCP_STATE && ev->remote.port != 0) {
        d->state[me] = ev->to_state;
        long row = d->rx_row[me];
        int by_segment = ev->cause && !strncmp(ev->cause, "rcv", 3);
        if (by_segment && row >= 0 && (size_t)row < d->lad.n && d->lad.rows[row].dir == 1 - me) {
            d->lad.rows[row].state[me] = ev->to_state;   /* the state this segment moved us to */
        } else if (ev->cause && strstr(ev->cause, "timeout")) {
            /* A timer moved us: a row of its own. (A call by the application shows on the next
             * segment this side sends, which carries its state.) */
            char note[96];
            snprintf(note, sizeof(note), "%s: %s -> %s (%s)", me ? "B" : "A", synack_tcp_state_name(ev->from_state),
                     synack_tcp_state_name(ev->to_state), ev->cause);
            int st[2] = { -1, -1 };
            st[me] = ev->to_state;
            ladder_note(&d->lad, ev->now, note, st[0], st[1]);
        }
    }
}

/* B: echo what arrives; close after the client's FIN once everything is echoed. */
static void b_pump(struct demo *d, synack_time_t now)
{
    synack_stack_t *st = d->st[1];
    for (;;) {
        if (d->b_pending) {
            int n = synack_send(st, d->b_sock, d->b_buf, d->b_pending, now);
            if (n <= 0)
                return;
            memmove(d->b_buf, d->b_buf + n, d->b_pending - (size_t)n);
            d->b_pending -= (size_t)n;
            d->b_echoed += (size_t)n;
            continue;
        }
        int n = synack_recv(st, d->b_sock, d->b_buf, sizeof(d->b_buf), now);
        if (n > 0) {
            d->b_pending = (size_t)n;
            continue;
        }
        if (n == 0 && !d->b_closed) {
            synack_close(st, d->b_sock, now);
            d->b_closed = 1;
        }
        return;
    }
}

static void b_handler(synack_stack_t *st, int sock, unsigned ev, void *arg, synack_time_t now)
{
    struct demo *d = arg;
    if (!d->b_closed && sock == d->b_sock)
        b_pump(d, now);
}

static void b_accept(synack_stack_t *st, int sock, unsigned ev, void *arg, synack_time_t now)
{
    struct demo *d = arg;
    int s = synack_accept(st, sock, NULL, now);
    if (s < 0)
        return;
    d->b_sock = s;
    synack_socket_set_handler(st, s, b_handler, d);
    b_pump(d, now);
}

static void a_handler(synack_stack_t *st, int sock, unsigned ev, void *arg, synack_time_t now)
{
    struct demo *d = arg;
    if (d->a_closed)
        return;
    char buf[8192];
    while (d->a_sent < d->msg_len) {
        size_t n = d->msg_len - d->a_sent < sizeof(buf) ? d->msg_len - d->a_sent : sizeof(buf);
        for (size_t i = 0; i < n; i++)
            buf[i] = (char)('a' + (d->a_sent + i) % 26);
        int r = synack_send(st, sock, buf, n, now);
        if (r <= 0)
            break;
        d->a_sent += (size_t)r;
    }
    int r;
    while ((r = synack_recv(st, sock, buf, sizeof(buf), now)) > 0)
        d->a_rcvd += (size_t)r;
    if (d->a_rcvd == d->msg_len) {
        synack_close(st, sock, now);
        d->a_closed = 1;
    }
}

static void demo_usage(FILE *f)
{
    fprintf(f, "usage: synack demo [--ipv6] [--loss P] [--seed N] [--latency MS] [--bytes N] [--no-drop] [--svg FILE]\n"
               "       synack demo --ping [--loss P] [--seed N]\n"
               "       synack demo --preset NAME [--seed N] [--changes SPEC] [--pcap FILE] | --presets\n"
               "  One TCP connection on a simulated link, drawn as a ladder: handshake, data with a\n"
               "  retransmission, the four-way close and TIME-WAIT. No root and no device needed.\n"
               "  --loss P      probability the link loses a frame, besides the demo's own drop (default 0)\n"
               "  --seed N      seed for the link and the stacks (default 1)\n"
               "  --latency MS  one-way delay in milliseconds (default 10)\n"
               "  --bytes N     size of the message echoed (default 3000)\n"
               "  --no-drop     do not drop A's second data segment\n"
               "  --ipv6        over IPv6 (2001:db8::1 and 2001:db8::2): duplicate address detection\n"
               "                listed first, then Neighbor Discovery before the SYN and the same ladder\n"
               "  --svg FILE    also write the ladder as SVG\n"
               "  --ping        the link-layer demo instead: ARP, ping and UDP echo, frame by frame\n"
               "  --preset NAME one of the TCP lab's scenarios, as the lab page runs it (synack demo\n"
               "                --preset NAME --help for its options; --presets lists them)\n");
}

int cmd_demo(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strncmp(argv[i], "--preset", 8))   /* --preset NAME, --preset=NAME, --presets */
            return cmd_demo_preset(argc, argv);
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--ping")) {
            memmove(&argv[i], &argv[i + 1], (size_t)(argc - i) * sizeof(char *));
            return cmd_demo_ping(argc - 1, argv);
        }
    double loss = 0, latency_ms = 10;
    uint64_t seed = 1, bytes = 3000;
    int no_drop = 0, ipv6 = 0;
    const char *svg = NULL;
    static const struct option opts[] = { { "loss", required_argument, 0, 'l' }, { "seed", required_argument, 0, 's' },
                                          { "latency", required_argument, 0, 'd' }, { "bytes", required_argument, 0, 'b' },
                                          { "no-drop", no_argument, 0, 'n' }, { "svg", required_argument, 0, 'g' },
                                          { "ipv6", no_argument, 0, '6' }, { "help", no_argument, 0, 'h' },
                                          { 0, 0, 0, 0 } };
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case '6': ipv6 = 1; break;
        case 'l': if (numarg_real("demo", "--loss", optarg, 0, 0.99, "(a fraction)", &loss)) return 2; break;
        case 's': if (numarg_uint("demo", "--seed", optarg, 0, UINT64_MAX, NULL, &seed)) return 2; break;
        case 'd': if (numarg_real("demo", "--latency", optarg, 0, 10000, "ms", &latency_ms)) return 2; break;
        case 'b': if (numarg_uint("demo", "--bytes", optarg, 1, 64u << 20, NULL, &bytes)) return 2; break;
        case 'n': no_drop = 1; break;
        case 'g': svg = optarg; break;
        case 'h': demo_usage(stdout); return 0;
        default: tool_bad_option("demo", c, argc, argv, opts); return 2;
        }
    }
    if (optind < argc) {
        tool_usage_error("demo", "unexpected argument '%s'", argv[optind]);
        return 2;
    }

    struct demo *d = calloc(1, sizeof(*d));
    if (!d) {
        fprintf(stderr, "synack demo: out of memory\n");
        return 1;
    }
    d->msg_len = (size_t)bytes;
    d->ipv6 = ipv6;
    d->drop_nth = no_drop ? 0 : 2;
    d->state[0] = d->state[1] = SYNACK_TCP_CLOSED;
    d->rx_row[0] = d->rx_row[1] = -1;
    struct synack_simlink_config lc;
    synack_simlink_config_init(&lc);
    lc.latency = (synack_time_t)(latency_ms * 1000);
    lc.bandwidth_bps = 10000000;   /* 10 Mbit/s: serialisation is visible in the timestamps */
    lc.loss = loss;
    lc.seed = seed;
    d->link = synack_simlink_new(&lc);
    d->net = synack_simnet_new(0);
    if (ipv6)
        ladder_init(&d->lad, "A " A_ADDR6 " (client)", "B [" B_ADDR6 "]:7 (echo server)");
    else
        ladder_init(&d->lad, "A 192.0.2.1 (client)", "B 192.0.2.2:7 (echo server)");
    struct synack_ip a6, b6;
    synack_ip_parse(A_ADDR6, &a6);
    synack_ip_parse(B_ADDR6, &b6);
    for (int i = 0; i < 2; i++) {
        struct synack_config cfg;
        synack_config_init(&cfg);
        synack_config_seed_u64(&cfg, seed * 2 + (unsigned)i);
        d->st[i] = synack_stack_new(&cfg);
        d->ends[i] = (struct demo_end){ d, i };
        struct synack_if_config ic = { .name = "sim0", .kind = SYNACK_IF_ETHERNET,
                                       .mac = { 0x02, 0, 0, 0, 0, (uint8_t)(i + 1) }, .addr = A_ADDR + (unsigned)i,
                                       .prefix_len = 24, .mtu = 1500, .tx = demo_tx, .tx_ctx = &d->ends[i] };
        int ifx = synack_if_add(d->st[i], &ic);
        d->ifx[i] = ifx;
        synack_simlink_attach(d->link, i, d->st[i], ifx);
        synack_simnet_add_stack(d->net, d->st[i]);
        synack_stack_set_trace(d->st[i], demo_trace, &d->ends[i]);
    }
    synack_simnet_add_link(d->net, d->link);

    d->b_listen = synack_socket(d->st[1], SYNACK_SOCK_STREAM);
    struct synack_sockaddr la = { synack_ip_any6(), 7 };
    synack_bind(d->st[1], d->b_listen, &la);
    synack_listen(d->st[1], d->b_listen, 8);
    synack_socket_set_handler(d->st[1], d->b_listen, b_accept, d);
    d->b_sock = -1;
    struct synack_sockaddr peer = synack_sockaddr_from_v4(B_ADDR, 7);
    synack_time_t t0 = SYNACK_SEC(1);
    if (ipv6) {
        /* Static addresses, each with the link-local one IPv6 turns on: tentative until duplicate
         * address detection (RFC 4862 5.4) has heard no answer for a second. The SYN then waits
         * for Neighbor Discovery (RFC 4861 7.2), which the ladder shows. */
        printf("synack demo --ipv6: A %s and B %s on one simulated link; each address is checked by\n"
               "duplicate address detection (a neighbor solicitation from ::) before it is used:\n\n",
               A_ADDR6, B_ADDR6);
        d->listing = 1;
        synack_if_add_addr6(d->st[0], d->ifx[0], &a6, 64, 0);
        synack_if_add_addr6(d->st[1], d->ifx[1], &b6, 64, 0);
        t0 = SYNACK_SEC(3);
        synack_simnet_run_until(d->net, t0);
        d->listing = 0;
        peer.addr = b6;
        printf("\n");
    } else {
        /* The stacks start with empty ARP caches: let them learn each other first so the ladder
         * begins with the SYN (the demo --ping shows ARP). */
        struct synack_ip ping_dst = synack_ip_from_v4(B_ADDR);
        synack_ping(d->st[0], &ping_dst, 1, 1, "arp", 3, 0);
        synack_simnet_run_until(d->net, SYNACK_MS(500));
    }
    d->lad.n = 0;

    d->a_sock = synack_socket(d->st[0], SYNACK_SOCK_STREAM);
    synack_socket_set_handler(d->st[0], d->a_sock, a_handler, d);
    synack_simnet_run_until(d->net, t0);
    synack_connect(d->st[0], d->a_sock, &peer, t0);
    synack_simnet_run_until(d->net, t0 + SYNACK_SEC(120));

    printf("synack demo: one TCP connection, A %s -> B %s (echo), %llu bytes each way\n"
           "link: simulated Ethernet, %.1f ms one way, 10 Mbit/s, loss %.0f%%%s, seed %llu\n\n",
           ipv6 ? A_ADDR6 : "192.0.2.1", ipv6 ? "[" B_ADDR6 "]:7" : "192.0.2.2:7", (unsigned long long)bytes,
           latency_ms, loss * 100, no_drop ? "" : " (and A's 2nd data segment dropped once)", (unsigned long long)seed);
    ladder_print_text(&d->lad, stdout, isatty(1), 0);
    printf("\nA sent %zu bytes and read back %zu; B echoed %zu. Retransmitted segments: A %llu, B %llu.\n", d->a_sent,
           d->a_rcvd, d->b_echoed, (unsigned long long)synack_counter_get(d->st[0], SYNACK_C_TcpRetransSegs),
           (unsigned long long)synack_counter_get(d->st[1], SYNACK_C_TcpRetransSegs));
    printf("Sequence numbers are relative to each side's ISN; states are shown where they change.\n");
    int rc = d->a_rcvd == d->msg_len ? 0 : 1;
    if (svg) {
        FILE *f = fopen(svg, "w");
        if (!f) {
            fprintf(stderr, "synack demo: cannot write '%s'\n", svg);
            rc = 1;
        } else {
            ladder_print_svg(&d->lad, f, 0);
            fclose(f);
        }
    }
    ladder_free(&d->lad);
    for (int i = 0; i < 2; i++)
        synack_stack_free(d->st[i]);
    synack_simnet_free(d->net);
    free(d);
    return rc;
}
