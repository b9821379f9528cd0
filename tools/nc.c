/* `synack nc [-l] [HOST] PORT`: netcat over the synack stack on a TAP/TUN device. Standard input
 * goes to the connection and the connection to standard output, as OpenBSD nc does; standard input
 * is not read before the connection is established. At end of input our direction is closed
 * (shutdown SHUT_WR, a FIN) and what the peer sends is still printed; the command ends when the
 * peer has closed its direction too and our FIN is acknowledged (or, with --linger, after
 * TIME-WAIT is over). Standard input is only read while the connection can take more, so a slow
 * peer slows the reader instead of filling memory.
 *
 * A connection that fails (refused, timed out, unreachable) or is reset ends the command with
 * status 1 and one line on stderr. -w SECS bounds the time to connect and the time the connection
 * may stay idle; -v reports each step of connecting: resolving, ARP, each SYN, the outcome.
 *
 * A name may give several addresses (A and AAAA; -4 or -6 asks for one family, as nc's options do):
 * they are tried in the resolver's order (IPv6 first when the stack has a global IPv6 address), the
 * next one when a connect fails or -w runs out for it. Sequentially, one at a time: a simple form of
 * "happy eyeballs" (RFC 8305 races them; we do not). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "../apps/dns/resolver.h"
#include "devopts.h"
#include "dnserr.h"
#include "numarg.h"
#include "opterr.h"

static volatile int nc_stop;
static void nc_signal(int sig) { nc_stop = 1; }

struct nc {
    struct devrun run;
    synack_stack_t *st;
    int lsock, sock;
    int listen_mode;
    int keep;                 /* -k: after a connection, accept the next (one at a time) */
    int zero;                 /* -z: connect, say so, close: no data */
    int stdin_watched, stdin_eof, shut_sent, peer_eof, closed;
    int failed;
    uint8_t buf[65536];
    size_t pending, off;
    uint64_t bytes_in, bytes_out;
    int verbose;
    int connected;            /* the connection is established: standard input may be read */
    synack_time_t wait;       /* -w: connect and idle limit (0: none) */
    synack_time_t last_activity;
    char peer_text[80];       /* "192.0.2.1 port 5000", for messages */
    struct synack_ip addrs[DNS_MAX_ADDRS];   /* HOST's addresses, in the order to try them */
    int naddrs, cur;          /* how many, and the one being tried */
    uint16_t port;
    uint16_t src_port;        /* -p: the local port to connect from (0: an ephemeral one) */
    unsigned arp_requests, syns;
};

static void nc_pump(struct nc *n, synack_time_t now);

static void on_stdin(void *arg, int fd, synack_time_t now)
{
    struct nc *n = arg;
    nc_pump(n, now);
}

static void set_stdin_watch(struct nc *n, int on)
{
    if (on && !n->stdin_watched && !n->stdin_eof) {
        if (synack_driver_watch_fd(n->run.driver, 0, on_stdin, n) == 0)
            n->stdin_watched = 1;
    } else if (!on && n->stdin_watched) {
        synack_driver_unwatch_fd(n->run.driver, 0);
        n->stdin_watched = 0;
    }
}

/* Moves data both ways as far as it can go without blocking. */
static void nc_pump(struct nc *n, synack_time_t now)
{
    if (n->sock < 0 || n->closed || !n->connected || n->zero)
        return;
    /* connection -> stdout */
    for (;;) {
        uint8_t b[65536];
        int r = synack_recv(n->st, n->sock, b, sizeof(b), now);
        if (r > 0) {
            size_t w = 0;
            while (w < (size_t)r) {
                ssize_t k = write(1, b + w, (size_t)r - w);
                if (k < 0 && errno == EINTR)
                    continue;
                if (k <= 0) {
                    n->failed = 1;
                    nc_stop = 1;
                    return;
                }
                w += (size_t)k;
            }
            n->bytes_in += (uint64_t)r;
            n->last_activity = now;
            continue;
        }
        if (r == 0) {
            if (!n->peer_eof && n->verbose)
                fprintf(stderr, "synack nc: the peer closed its direction (FIN)\n");
            n->peer_eof = 1;
        } else if (r != -EAGAIN) {
            fprintf(stderr, "synack nc: connection with %s: %s\n", n->peer_text, synack_strerror(r));
            n->failed = 1;
            nc_stop = 1;
            return;
        }
        break;
    }
    /* stdin -> connection */
    for (;;) {
        if (n->pending) {
            int r = synack_send(n->st, n->sock, n->buf + n->off, n->pending, now);
            if (r == -EAGAIN) {
                set_stdin_watch(n, 0);   /* resume on EV_OUT */
                return;
            }
            if (r < 0) {
                fprintf(stderr, "synack nc: %s\n", synack_strerror(r));
                n->failed = 1;
                nc_stop = 1;
                return;
            }
            n->off += (size_t)r;
            n->pending -= (size_t)r;
            n->bytes_out += (uint64_t)r;
            n->last_activity = now;
            continue;
        }
        n->off = 0;
        if (n->stdin_eof)
            break;
        ssize_t k = read(0, n->buf, sizeof(n->buf));
        if (k > 0) {
            n->pending = (size_t)k;
            continue;
        }
        if (k == 0) {
            n->stdin_eof = 1;
            set_stdin_watch(n, 0);
            break;
        }
        if (errno == EAGAIN || errno == EINTR) {
            set_stdin_watch(n, 1);
            return;
        }
        n->stdin_eof = 1;
        set_stdin_watch(n, 0);
        break;
    }
    if (n->stdin_eof && !n->pending && !n->shut_sent) {
        synack_shutdown(n->st, n->sock, SYNACK_SHUT_WR, now);   /* half-close: our FIN */
        n->shut_sent = 1;
        if (n->verbose)
            fprintf(stderr, "synack nc: end of standard input: our direction closed (FIN), still reading\n");
    }
}

static int nc_connect_next(struct nc *n, synack_time_t now);

static void sock_handler(synack_stack_t *st, int sock, unsigned ev, void *arg, synack_time_t now)
{
    struct nc *n = arg;
    if (ev & SYNACK_EV_ERR) {
        int e = synack_socket_error(st, sock);
        if (e) {
            /* OpenBSD nc's words for a failed connect. */
            if (!n->connected)
                fprintf(stderr, "synack nc: connect to %s (tcp) failed: %s\n", n->peer_text, synack_strerror(e));
            else
                fprintf(stderr, "synack nc: connection with %s: %s\n", n->peer_text, synack_strerror(e));
            if (!n->connected && n->cur + 1 < n->naddrs) {   /* the next address */
                synack_close(st, sock, now);
                n->sock = -1;
                n->cur++;
                if (nc_connect_next(n, now) == 0)
                    return;
            }
            n->failed = 1;
            nc_stop = 1;
            return;
        }
    }
    if (!n->connected) {
        /* Writable means connected, for a pending connect (synack/socket.h). */
        if (!(ev & SYNACK_EV_OUT))
            return;
        n->connected = 1;
        n->last_activity = now;
        if (n->zero) {
            /* -z: the port answers; OpenBSD nc -zv's words, then a close (our FIN) */
            if (n->verbose) {
                char a[SYNACK_IP_STRLEN];
                synack_ip_format(&n->addrs[n->cur], a, sizeof(a));
                fprintf(stderr, "Connection to %s %u port [tcp/*] succeeded!\n", a, n->port);
            }
            synack_close(st, sock, now);
            n->sock = -1;
            n->closed = 1;
            return;
        }
        if (n->verbose) {
            struct synack_sockaddr l;
            char a[SYNACK_SOCKADDR_STRLEN] = "?";
            if (synack_getsockname(st, sock, &l) == 0)
                synack_sockaddr_format(&l, a, sizeof(a));
            fprintf(stderr, "synack nc: connected to %s (tcp) from %s\n", n->peer_text, a);
        }
    }
    nc_pump(n, now);
}

/* -v: the steps of connecting as the frames show them: ARP for the next hop, each SYN. */
static void nc_trace(void *arg, const struct synack_trace_event *ev)
{
    struct nc *n = arg;
    if (!n->verbose || n->connected || n->listen_mode)
        return;
    const uint8_t *d = ev->data;
    if (ev->kind == SYNACK_TR_FRAME_OUT && ev->link_kind == SYNACK_IF_ETHERNET && ev->len >= 42 && d[12] == 0x08 &&
        d[13] == 0x06 && d[20] == 0 && d[21] == 1) {
        n->arp_requests++;
        fprintf(stderr, "synack nc: ARP: who has %u.%u.%u.%u? (request %u)\n", d[38], d[39], d[40], d[41],
                n->arp_requests);
    } else if (ev->kind == SYNACK_TR_FRAME_IN && ev->link_kind == SYNACK_IF_ETHERNET && ev->len >= 42 &&
               d[12] == 0x08 && d[13] == 0x06 && d[20] == 0 && d[21] == 2 && n->arp_requests) {
        fprintf(stderr, "synack nc: ARP: %u.%u.%u.%u is at %02x:%02x:%02x:%02x:%02x:%02x\n", d[28], d[29], d[30],
                d[31], d[22], d[23], d[24], d[25], d[26], d[27]);
    } else if (ev->kind == SYNACK_TR_TCP_SEG_OUT && ev->len >= 14 && (ev->data[13] & 0x12) == 0x02) {
        n->syns++;
        fprintf(stderr, "synack nc: SYN sent to %s%s\n", n->peer_text, n->syns > 1 ? " again (retransmission)" : "");
    } else if (ev->kind == SYNACK_TR_TCP_SEG_IN && ev->len >= 14 && (ev->data[13] & 0x04)) {
        fprintf(stderr, "synack nc: reset (RST) from %s\n", n->peer_text);
    } else if (ev->kind == SYNACK_TR_TCP_SEG_IN && ev->len >= 14 && (ev->data[13] & 0x12) == 0x12) {
        fprintf(stderr, "synack nc: SYN-ACK from %s\n", n->peer_text);
    }
}

static void accept_handler(synack_stack_t *st, int sock, unsigned ev, void *arg, synack_time_t now)
{
    struct nc *n = arg;
    if (n->sock >= 0)
        return;   /* one at a time: the next waits in the accept queue (nc_next_conn takes it) */
    struct synack_sockaddr peer;
    int s = synack_accept(st, sock, &peer, now);
    if (s < 0)
        return;
    n->sock = s;
    n->connected = 1;
    n->last_activity = now;
    if (n->verbose) {
        char a[SYNACK_SOCKADDR_STRLEN];
        synack_sockaddr_format(&peer, a, sizeof(a));
        fprintf(stderr, "synack nc: connection from %s\n", a);
    }
    /* One connection, like nc -l: stop listening; with -k the listener stays, and the next
     * connection is accepted when this one has ended (OpenBSD nc -lk: one at a time). */
    if (!n->keep) {
        synack_close(st, n->lsock, now);
        n->lsock = -1;
    }
    synack_socket_set_handler(st, s, sock_handler, n);
    nc_pump(n, now);
}

/* -k: the connection is over; the next is taken, now if one waits in the accept queue. Standard
 * input is watched again only once a connection can take it (a readable fd nobody reads would wake
 * every round). */
static void nc_next_conn(struct nc *n, synack_time_t now)
{
    set_stdin_watch(n, 0);
    n->sock = -1;
    n->closed = n->connected = n->shut_sent = n->peer_eof = 0;
    n->pending = n->off = 0;
    accept_handler(n->st, n->lsock, SYNACK_EV_IN, n, now);
}

/* Connects to addrs[cur], or the first after it whose connect starts. Returns 0 if one is under
 * way, or the last error (each failure said on stderr). */
static int nc_connect_next(struct nc *n, synack_time_t now)
{
    int r = -EHOSTUNREACH;
    for (; n->cur < n->naddrs; n->cur++) {
        char a[SYNACK_IP_STRLEN];
        synack_ip_format(&n->addrs[n->cur], a, sizeof(a));
        snprintf(n->peer_text, sizeof(n->peer_text), "%s port %u", a, n->port);
        n->sock = synack_socket(n->st, SYNACK_SOCK_STREAM);
        if (n->sock < 0)
            return n->sock;
        synack_socket_set_handler(n->st, n->sock, sock_handler, n);
        if (n->src_port) {
            /* the wildcard of the peer's family: an IPv4 peer is refused to a socket on :: that
             * may not take IPv4 (IPV6_V6ONLY), never to one on 0.0.0.0 */
            struct synack_sockaddr la = { synack_ip_is_v4(&n->addrs[n->cur]) ? synack_ip_any4() : synack_ip_any6(),
                                          n->src_port };
            r = synack_bind(n->st, n->sock, &la);
            if (r < 0) {
                fprintf(stderr, "synack nc: cannot bind to port %u: %s\n", n->src_port, synack_strerror(r));
                synack_close(n->st, n->sock, now);
                n->sock = -1;
                return r;
            }
        }
        struct synack_sockaddr peer = { n->addrs[n->cur], n->port };
        if (n->verbose)
            fprintf(stderr, "synack nc: connecting to %s\n", n->peer_text);
        r = synack_connect(n->st, n->sock, &peer, now);
        if (r == -EINPROGRESS || r == 0)
            return 0;
        fprintf(stderr, "synack nc: connect to %s (tcp) failed: %s\n", n->peer_text, synack_strerror(r));
        synack_close(n->st, n->sock, now);
        n->sock = -1;
    }
    return r;
}

/* The outcome of resolving HOST. */
struct nc_lookup {
    int done, err;
    struct dns_result res;   /* the outcome: the addresses, or why not */
};

static void nc_resolved(void *arg, const struct dns_result *r, synack_time_t now)
{
    struct nc_lookup *lk = arg;
    lk->done = 1;
    lk->res = *r;
    lk->err = r->err ? r->err : (r->naddrs ? 0 : DNS_E_NODATA);
    lk->res.err = lk->err;
}

struct find_state {
    uint16_t lport, rport;
    int state;
};
static void find_conn(void *arg, const struct synack_tcp_info *i)
{
    struct find_state *f = arg;
    if (i->local.port == f->lport && i->remote.port == f->rport)
        f->state = i->state;
}

static void nc_usage(FILE *f)
{
    fprintf(f, "usage: synack nc [-l [-k]] [-v] [-z] [-n] [-4|-6] [-p PORT] [-w SECS] [--linger] (--tap NAME | --tun NAME) --addr A.B.C.D/N [options] [HOST] PORT\n"
               "  Netcat over the synack stack: stdin to the connection, the connection to stdout.\n"
               "  At end of stdin our direction is closed and what the peer sends is still printed;\n"
               "  the command ends when the peer closes. Exit status 1 if the connection fails.\n"
               "  -l            listen on PORT for one connection instead of connecting to HOST\n"
               "  -v            say what happens on stderr: resolving, ARP, SYNs, connected or why not\n"
               "  -4            IPv4 only: HOST's A records (an IPv6 HOST is refused)\n"
               "  -6            IPv6 only: HOST's AAAA records (an IPv4 HOST is refused)\n"
               "  -k            with -l: after a connection ends, accept the next (one at a time)\n"
               "  -z            only see whether the port answers: connect and close at once, no data\n"
               "                (with -v: \"Connection to HOST PORT port [tcp/*] succeeded!\"); exit 0 if it did\n"
               "  -p PORT       connect from local port PORT\n"
               "  -n            HOST is an address: no hosts file, no DNS\n"
               "  -N            taken as OpenBSD nc takes it (our direction is always closed at end of stdin)\n"
               "  -w SECS       give up connecting after SECS seconds, and end the connection after\n"
               "                SECS seconds with nothing sent or received (like OpenBSD nc -w); when HOST\n"
               "                has several addresses, each is tried in turn, the next on failure\n"
               "  --linger      after closing, keep running until TIME-WAIT is over (for `synack ss`)\n"
               "  --hosts FILE  hosts file for HOST (default /etc/hosts); then DNS\n"
               "  --dns ADDRESS DNS server for HOST, IPv4 or IPv6 (default: /etc/resolv.conf); repeatable\n"
               DEVOPTS_HELP);
}

int cmd_nc(int argc, char **argv)
{
    struct devopts dev;
    devopts_init(&dev);
    struct nc *n = calloc(1, sizeof(*n));
    if (!n)
        return 1;
    n->sock = n->lsock = -1;
    int linger = 0;
    static const struct option opts[] = { DEVOPTS_LONG, { "listen", no_argument, 0, 'l' },
                                          { "verbose", no_argument, 0, 'v' }, { "linger", no_argument, 0, 'L' },
                                          { "wait", required_argument, 0, 'w' },
                                          { "dns", required_argument, 0, 'D' }, { "hosts", required_argument, 0, 'H' },
                                          { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 } };
    struct dns_resolver_config rcfg;
    memset(&rcfg, 0, sizeof(rcfg));
    const char *hosts = "/etc/hosts";
    int c, rc = 2;
    opterr = 0;
    int family = 0;
    int numeric = 0;
    while ((c = getopt_long(argc, argv, ":lvhw:46kzp:nN", opts, NULL)) != -1) {
        if (c == '?' || c == ':') {
            tool_bad_option("nc", c, argc, argv, opts);
            goto out;
        }
        if (c == 'h') {
            nc_usage(stdout);
            rc = 0;
            goto out;
        }
        if (c == 'l') { n->listen_mode = 1; continue; }
        if (c == 'v') { n->verbose = 1; continue; }
        if (c == 'k') { n->keep = 1; continue; }
        if (c == 'z') { n->zero = 1; continue; }
        if (c == 'n') { numeric = 1; continue; }
        if (c == 'N') continue;
        if (c == 'p') {
            uint64_t p;
            if (numarg_uint("nc", "-p", optarg, 1, 65535, NULL, &p))
                goto out;
            n->src_port = (uint16_t)p;
            continue;
        }
        if (c == '4' || c == '6') { family = c == '4' ? 4 : 6; continue; }
        if (c == 'L') { linger = 1; continue; }
        if (c == 'w') {
            double w;
            if (numarg_real("nc", "-w", optarg, 0.001, 86400, "s", &w))
                goto out;
            n->wait = (synack_time_t)(w * 1e6);
            continue;
        }
        if (c == 'H') { hosts = optarg; continue; }
        if (c == 'D') {
            if (rcfg.nservers >= DNS_MAX_SERVERS || synack_ip_parse(optarg, &rcfg.servers[rcfg.nservers]) != 0) {
                fprintf(stderr, "synack nc: bad --dns '%s' (an IP address; at most %d)\n", optarg, DNS_MAX_SERVERS);
                goto out;
            }
            rcfg.nservers++;
            continue;
        }
        if (devopts_parse(&dev, c, optarg, "nc") != 0)
            goto out;
    }
    int nargs = argc - optind;
    if ((n->listen_mode && nargs != 1) || (!n->listen_mode && nargs != 2)) {
        tool_usage_error("nc", "expected %s", n->listen_mode ? "-l PORT" : "HOST PORT");
        goto out;
    }
    if (n->keep && !n->listen_mode) {
        tool_usage_error("nc", "-k goes with -l");
        goto out;
    }
    if (n->zero && n->listen_mode) {
        tool_usage_error("nc", "-z connects: not with -l");
        goto out;
    }
    if (n->src_port && n->listen_mode) {
        tool_usage_error("nc", "-p is the port to connect from: with -l, give the port to listen on alone");
        goto out;
    }
    struct synack_ip host = synack_ip_any6();
    const char *host_name = n->listen_mode ? NULL : argv[optind];
    int literal = host_name && synack_ip_parse(host_name, &host) == 0;
    if (host_name && !literal && (!*host_name || strlen(host_name) > 253 || strchr(host_name, ':'))) {
        fprintf(stderr, "synack nc: bad host '%s'\n", host_name);
        goto out;
    }
    if (host_name && !literal && numeric) {
        fprintf(stderr, "synack nc: %s: not an address, and -n looks up no names\n", host_name);
        goto out;
    }
    if (literal && family && synack_ip_is_v4(&host) != (family == 4)) {
        fprintf(stderr, "synack nc: %s is not an IPv%d address (-%d)\n", host_name, family, family);
        goto out;
    }
    rcfg.family = family;
    uint64_t port;
    if (numarg_uint("nc", "port", argv[argc - 1], 1, 65535, NULL, &port))
        goto out;
    n->port = (uint16_t)port;
    if (devopts_check(&dev, "nc") != 0)
        goto out;
    rc = 1;
    if (devrun_open(&n->run, &dev, "nc") != 0)
        goto out;
    n->st = n->run.st;
    devrun_set_trace(&n->run, nc_trace, n);
    int fl = fcntl(0, F_GETFL);
    fcntl(0, F_SETFL, fl | O_NONBLOCK);
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = nc_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    synack_time_t now = synack_clock_now();
    if (n->listen_mode) {
        n->lsock = synack_socket(n->st, SYNACK_SOCK_STREAM);
        struct synack_sockaddr la = { synack_ip_any6(), (uint16_t)port };
        int r = synack_bind(n->st, n->lsock, &la);
        if (r == 0)
            r = synack_listen(n->st, n->lsock, 1);
        if (r < 0) {
            fprintf(stderr, "synack nc: cannot listen on port %llu: %s\n", (unsigned long long)port,
                    synack_strerror(r));
            goto done;
        }
        synack_socket_set_handler(n->st, n->lsock, accept_handler, n);
    } else {
        if (!literal) {
            /* A name: the hosts file first, then DNS over the stack's own UDP (apps/dns). */
            if (!rcfg.nservers)
                dns_read_resolv_conf("/etc/resolv.conf", &rcfg);
            rcfg.hosts_path = hosts;
            struct nc_lookup lk = { 0 };
            if (n->verbose) {
                char srv[SYNACK_IP_STRLEN] = "none";
                if (rcfg.nservers)
                    synack_ip_format(&rcfg.servers[0], srv, sizeof(srv));
                fprintf(stderr, "synack nc: resolving %s (hosts file %s, then DNS server %s)\n", host_name, hosts, srv);
            }
            struct dns_resolver *res = dns_resolver_new(n->st, &rcfg);
            if (!res || dns_resolve(res, host_name, nc_resolved, &lk, now) != 0) {
                fprintf(stderr, "synack nc: could not resolve host: %s\n", host_name);
                dns_resolver_free(res);
                goto done;
            }
            while (!lk.done && !nc_stop && !(n->wait && synack_clock_now() - now >= n->wait))
                devrun_run_once(&n->run, SYNACK_MS(100));
            dns_resolver_free(res);
            if (!lk.done || lk.err) {
                char why[384];
                fprintf(stderr, "synack nc: could not resolve host: %s (%s)\n", host_name,
                        lk.done ? dns_err_reason(&lk.res, why, sizeof(why))
                        : nc_stop ? "interrupted" : "timed out (-w)");
                goto done;
            }
            for (int i = 0; i < lk.res.naddrs; i++)
                n->addrs[n->naddrs++] = lk.res.addrs[i];
            if (n->verbose)
                for (int i = 0; i < n->naddrs; i++) {
                    char a[SYNACK_IP_STRLEN];
                    synack_ip_format(&n->addrs[i], a, sizeof(a));
                    fprintf(stderr, "synack nc: %s is %s\n", host_name, a);
                }
            now = synack_clock_now();
        } else {
            n->addrs[n->naddrs++] = host;
        }
        if (n->verbose && dev.gateway && synack_ip_is_v4(&n->addrs[0]) &&
            ((synack_ip_to_v4(&n->addrs[0]) ^ dev.addr) >> (32 - dev.prefix_len)))
            fprintf(stderr, "synack nc: %s is beyond the gateway\n", host_name);
        if (nc_connect_next(n, now) != 0)
            goto done;
    }
    synack_time_t started = synack_clock_now();
    /* Run until both directions are closed, then until our FIN is acknowledged. */
    struct synack_sockaddr local = { synack_ip_any6(), 0 }, remote = { synack_ip_any6(), 0 };
    while (!nc_stop) {
        devrun_run_once(&n->run, SYNACK_MS(100));
        if (n->wait && !n->closed) {
            synack_time_t t = synack_clock_now();
            if (!n->connected && !n->listen_mode && t - started >= n->wait) {
                fprintf(stderr, "synack nc: connect to %s (tcp) failed: timed out after %.3g s (-w)\n", n->peer_text,
                        (double)n->wait / 1e6);
                if (n->cur + 1 < n->naddrs) {   /* -w for each address: the next one */
                    synack_close(n->st, n->sock, t);
                    n->sock = -1;
                    n->cur++;
                    started = t;
                    if (nc_connect_next(n, t) == 0)
                        continue;
                }
                n->failed = 1;
                break;
            }
            if (n->connected && t - n->last_activity >= n->wait) {
                if (n->verbose)
                    fprintf(stderr, "synack nc: idle for %.3g s (-w): closing\n", (double)n->wait / 1e6);
                synack_close(n->st, n->sock, t);
                n->closed = 1;
                if (n->keep) {
                    nc_next_conn(n, t);
                    continue;
                }
                break;
            }
        }
        if (n->sock >= 0 && n->shut_sent && n->peer_eof && !n->closed) {
            synack_getsockname(n->st, n->sock, &local);
            synack_getpeername(n->st, n->sock, &remote);
            struct synack_tcp_info ti;
            if (synack_tcp_info(n->st, n->sock, &ti) == 0 &&
                (ti.state == SYNACK_TCP_TIME_WAIT || ti.state == SYNACK_TCP_CLOSED)) {
                synack_close(n->st, n->sock, synack_clock_now());
                n->closed = 1;
                if (n->keep) {
                    nc_next_conn(n, synack_clock_now());
                    continue;
                }
                if (!linger)
                    break;
            }
        }
        if (n->closed) {
            struct find_state f = { local.port, remote.port, -1 };
            synack_tcp_foreach(n->st, find_conn, &f);
            if (f.state < 0)
                break;   /* TIME-WAIT is over */
        }
    }
    if (!n->failed && !n->connected && !n->listen_mode) {
        fprintf(stderr, "synack nc: connect to %s (tcp): interrupted\n", n->peer_text);
        n->failed = 1;
    }
    rc = n->failed ? 1 : 0;
    if (n->verbose)
        fprintf(stderr, "synack nc: %llu bytes out, %llu bytes in\n", (unsigned long long)n->bytes_out,
                (unsigned long long)n->bytes_in);
done:
    fcntl(0, F_SETFL, fl);
    synack_driver_run_once(n->run.driver, 0);
    devrun_close(&n->run);
out:
    free(n);
    return rc;
}
