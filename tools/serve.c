/* `synack serve`: runs a stack on a TAP or TUN device. It answers ARP and ping, and runs UDP echo
 * (RFC 862, port 7) and UDP discard (RFC 863, port 9). With --host-addr it also configures the
 * kernel's side of the device, so the user needs no `ip` commands. With --http-root it serves files
 * over HTTP (apps/http). SIGINT/SIGTERM stop it cleanly, flushing the pcap; SIGUSR1 prints the HTTP
 * server's counters on stderr (they are printed at the stop too) and the heap in use. */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../apps/dns/server.h"
#include "../apps/http/http_server.h"
#include "cmd.h"
#include "devopts.h"
#include "numarg.h"
#include "opterr.h"
#include "services.h"
#include "shards.h"
#include "status.h"
#include "synack/synack.h"
#include "synack/os.h"

static volatile int serve_stop;
static volatile sig_atomic_t serve_dump_stats;

static void on_signal(int sig)
{
    if (sig == SIGUSR1)
        serve_dump_stats = 1;
    else
        serve_stop = 1;
}

struct serve {
    synack_stack_t *st;
    int echo_sock, discard_sock;
    int verbose;
    /* Added to the stack's monotonic `now` for pcap timestamps, so the capture carries wall-clock
     * time and lines up with a tcpdump of the same device. */
    synack_time_t pcap_wall_offset;
    struct status *status;        /* the /status page's recorder (with --http-root) */
    struct http_server *http;
    struct dns_server *dns;
    struct svc *tcp_services;
};

/* Wall-clock minus monotonic time, in µs, read once: a capture keeps monotonic spacing even if
 * the wall clock is stepped during the run. */
static void serve_trace(void *ctx, const struct synack_trace_event *ev)
{
    struct serve *s = ctx;
    if (s->status)
        status_on_trace(s->status, ev);
    if (s->verbose && (ev->kind == SYNACK_TR_FRAME_IN || ev->kind == SYNACK_TR_FRAME_OUT)) {
        char line[256];
        synack_format_frame(line, sizeof(line), ev->link_kind, ev->data, ev->len);
        fprintf(stderr, "%s %s\n", ev->kind == SYNACK_TR_FRAME_IN ? "<" : ">", line);
    }
}

/* The application section of the status page: the HTTP and DNS servers' counters. */
static void status_app(void *arg, FILE *f, int json)
{
    struct serve *s = arg;
    struct http_server_stats hs;
    memset(&hs, 0, sizeof(hs));
    if (s->http)
        http_server_get_stats(s->http, &hs);
    if (json) {
        fprintf(f, "{\"http\":{\"conns_open\":%llu", (unsigned long long)hs.conns_open);
#define STATUS_X_JSON(name, desc) fprintf(f, ",\"" #name "\":%llu", (unsigned long long)hs.name);
        HTTP_SERVER_COUNTERS(STATUS_X_JSON)
#undef STATUS_X_JSON
        fprintf(f, "}");
        if (s->dns)
            fprintf(f, ",\"dns\":{\"answered\":%llu,\"dropped\":%llu}", (unsigned long long)dns_server_answered(s->dns),
                    (unsigned long long)dns_server_dropped(s->dns));
        fprintf(f, "}");
        return;
    }
    fprintf(f, "<table id=\"http\"><tr><th colspan=\"2\">HTTP server</th></tr>\n<tr><td>conns_open</td><td>%llu</td></tr>\n",
            (unsigned long long)hs.conns_open);
#define STATUS_X_HTML(name, desc) \
    if (hs.name) \
        fprintf(f, "<tr><td>%s</td><td>%llu</td></tr>\n", desc, (unsigned long long)hs.name);
    HTTP_SERVER_COUNTERS(STATUS_X_HTML)
#undef STATUS_X_HTML
    fprintf(f, "</table>\n");
    if (s->dns)
        fprintf(f, "<p>DNS: %llu queries answered, %llu dropped</p>\n", (unsigned long long)dns_server_answered(s->dns),
                (unsigned long long)dns_server_dropped(s->dns));
}

/* /status and /status.json on the HTTP server. */
static int status_page(void *ctx, const char *path, char **body, size_t *len, const char **ctype, synack_time_t now)
{
    struct serve *s = ctx;
    if (!s->status)
        return 0;
    *body = status_render(s->status, path, len, ctype, now);
    return *body != NULL;
}

static void udp_echo(synack_stack_t *st, int sock, unsigned events, void *arg, synack_time_t now)
{
    uint8_t buf[65536];
    struct synack_sockaddr from;
    int n;
    while ((n = synack_recvfrom(st, sock, buf, sizeof(buf), &from, now)) >= 0)
        synack_sendto(st, sock, buf, (size_t)n, &from, now);
}

static void udp_discard(synack_stack_t *st, int sock, unsigned events, void *arg, synack_time_t now)
{
    uint8_t buf[65536];
    while (synack_recvfrom(st, sock, buf, sizeof(buf), NULL, now) >= 0)
        ;
}

static int open_udp_service(synack_stack_t *st, uint16_t port, synack_socket_handler_fn fn, void *arg)
{
    int s = synack_socket(st, SYNACK_SOCK_DGRAM);
    struct synack_sockaddr a = { synack_ip_any6(), port };
    if (s < 0 || synack_bind(st, s, &a) < 0)
        return -1;
    synack_socket_set_handler(st, s, fn, arg);
    return s;
}

static void serve_usage(FILE *f)
{
    fprintf(f, "usage: synack serve (--tap NAME | --tun NAME) --addr A.B.C.D/N [options]\n"
               "  Runs the stack on a TAP (Ethernet) or TUN (IP) device, with everything below:\n"
               "    ARP (TAP) and ICMP: answers ping\n"
               "    UDP echo on port 7 (RFC 862) and UDP discard on port 9 (RFC 863)\n"
               "    TCP echo on port 7 and TCP discard on port 9\n"
               "    with --http-root DIR: an HTTP/1.1 server on port 80 (--http-port) serving DIR, and the\n"
               "      live status page /status (sockets, counters, ladders) and /status.json\n"
               "    with --dns-zone FILE: an authoritative DNS server on UDP and TCP port 53 for the zone\n"
               "    a control socket for `synack ss` (@synack-DEV, or --ctl PATH)\n"
               "    with --pcap FILE: a capture of every frame in and out, readable while it runs\n"
               "  Stop with Ctrl-C or SIGTERM; SIGUSR1 prints the HTTP server's counters\n"
               "  and the heap in use.\n"
               DEVOPTS_HELP
               "  --http-root DIR     serve the files under DIR over HTTP/1.1 (GET, HEAD)\n"
               "  --http-port N       HTTP port (default 80)\n"
               "  --http-log FILE     access log, common log format (default: stderr; - for stderr; off: none)\n"
               "  --http-keepalive-timeout S   close idle persistent connections after S seconds (default 5)\n"
               "  --http-keepalive-max N       responses per connection; the N-th closes it (default 100)\n"
               "  --http-header-timeout S      a request head must be complete S seconds after its first byte (default 10)\n"
               "  --http-max-conns N  concurrent HTTP connections (per shard with --threads); more get 503 (default 256)\n"
               "  --dns-zone FILE     answer DNS queries on UDP and TCP 53 from zone FILE (authoritative; RFC 1035\n"
               "                      master file: $ORIGIN, $TTL, SOA, NS, A, CNAME; docs/zone-files.md)\n"
               "  --threads N         run N shards, one thread and one stack each, on N queues of a multi-queue\n"
               "                      device; a flow stays on one shard, every shard listens (default: one per\n"
               "                      core, 1 with --pcap or --impair, which need --threads 1)\n"
               "  -v, --verbose       print every frame\n");
}


static int http_option(struct http_server_config *hc, const char **log, int c, const char *arg)
{
    uint64_t v;
    double t;
    switch (c) {
    case 1101:
        hc->root = arg;
        return 0;
    case 1102:
        if (numarg_uint("serve", "--http-port", arg, 1, 65535, NULL, &v))
            return -1;
        hc->port = (uint16_t)v;
        return 0;
    case 1103:
        *log = arg;
        return 0;
    case 1104:
        if (numarg_uint("serve", "--http-keepalive-timeout", arg, 1, 3600, "s", &v))
            return -1;
        hc->keepalive_timeout = SYNACK_SEC((unsigned)v);
        return 0;
    case 1105:
        if (numarg_uint("serve", "--http-keepalive-max", arg, 1, 1000000, NULL, &v))
            return -1;
        hc->keepalive_max = (unsigned)v;
        return 0;
    case 1106:
        if (numarg_real("serve", "--http-header-timeout", arg, 0.01, 3600, "s", &t))
            return -1;
        hc->header_timeout = (synack_time_t)(t * 1e6);
        return 0;
    case 1107:
        if (numarg_uint("serve", "--http-max-conns", arg, 1, 100000, NULL, &v))
            return -1;
        hc->max_conns = (unsigned)v;
        return 0;
    }
    return -1;
}

/* Opens one shard's services: UDP echo and discard, the TCP services, HTTP and DNS when asked.
 * Every shard listens on every port (like SO_REUSEPORT), since a flow may be steered to any. */
static int serve_apps_start(struct serve *s, struct http_server_config *hc, const char *dns_zone)
{
    s->echo_sock = open_udp_service(s->st, 7, udp_echo, s);
    s->discard_sock = open_udp_service(s->st, 9, udp_discard, s);
    if (s->echo_sock < 0 || s->discard_sock < 0) {
        fprintf(stderr, "synack serve: cannot open the UDP services\n");
        return -1;
    }
    int terr = 0;
    s->tcp_services = services_start_tcp(s->st, &terr);
    if (!s->tcp_services) {
        fprintf(stderr, "synack serve: cannot open the TCP services: %s\n", synack_strerror(terr));
        return -1;
    }
    if (hc->root) {
        char err[256];
        s->status = status_new(s->st, 6);
        status_set_extra(s->status, status_app, s);
        hc->dynamic = status_page;
        hc->dynamic_ctx = s;
        hc->dynamic_prefix = "/status";   /* status_render's paths */
        hc->wall_offset = (int64_t)s->pcap_wall_offset;
        s->http = http_server_start(s->st, hc, synack_clock_now(), err, sizeof(err));
        if (!s->http) {
            fprintf(stderr, "synack serve: cannot start the HTTP server: %s\n", err);
            return -1;
        }
    }
    if (dns_zone) {
        char err[256];
        s->dns = dns_server_start(s->st, dns_zone, 53, err, sizeof(err));
        if (!s->dns) {
            fprintf(stderr, "synack serve: cannot start the DNS server: %s\n", err);
            return -1;
        }
    }
    return 0;
}

/* Stops what serve_apps_start opened (also after it failed half-way); `shard` >= 0 names the
 * shard in the summaries when there are several. */
static void serve_apps_stop(struct serve *s, int shard)
{
    char who[32] = "";
    if (shard >= 0)
        snprintf(who, sizeof(who), " (shard %d)", shard);
    if (s->http) {
        fprintf(stderr, "synack serve: HTTP counters%s:\n", who);
        http_server_write_stats(s->http, stderr);
        http_server_stop(s->http, synack_clock_now());
    }
    if (s->dns) {
        fprintf(stderr, "synack serve: DNS%s: %llu queries answered, %llu dropped\n", who,
                (unsigned long long)dns_server_answered(s->dns), (unsigned long long)dns_server_dropped(s->dns));
        dns_server_stop(s->dns);
    }
    s->http = NULL;
    s->dns = NULL;
    status_free(s->status);
    s->status = NULL;
    if (s->tcp_services)
        services_stop_tcp(s->tcp_services);
    s->tcp_services = NULL;
}

static void serve_write_http_stats(void *arg)
{
    struct serve *s = arg;
    if (s->http)
        http_server_write_stats(s->http, stderr);
}

/* One per core by default: the shards scale with the machine, up to the device's queue limit. */
static unsigned default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > SYNACK_SHARDS_MAX ? SYNACK_SHARDS_MAX : (unsigned)n;
}

int cmd_serve(int argc, char **argv)
{
    struct devopts dev;
    devopts_init(&dev);
    dev.pcap_wall = 1;   /* wall-clock time in the capture and on the status page */
    int verbose = 0;
    unsigned threads = 0;   /* 0: not given */
    struct http_server_config hc;
    http_server_config_init(&hc);
    const char *http_log = NULL;
    const char *dns_zone = NULL;
    static const struct option opts[] = { DEVOPTS_LONG, { "verbose", no_argument, 0, 'v' },
                                          { "http-root", required_argument, 0, 1101 },
                                          { "http-port", required_argument, 0, 1102 },
                                          { "http-log", required_argument, 0, 1103 },
                                          { "http-keepalive-timeout", required_argument, 0, 1104 },
                                          { "http-keepalive-max", required_argument, 0, 1105 },
                                          { "http-header-timeout", required_argument, 0, 1106 },
                                          { "http-max-conns", required_argument, 0, 1107 },
                                          { "dns-zone", required_argument, 0, 1150 },
                                          { "threads", required_argument, 0, 1160 },
                                          { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 } };
    int c;
    opterr = 0;   /* our own one-line messages, naming the command */
    while ((c = getopt_long(argc, argv, ":vh", opts, NULL)) != -1) {
        if (c == '?' || c == ':') {
            tool_bad_option("serve", c, argc, argv, opts);
            return 2;
        }
        if (c == 'h') {
            serve_usage(stdout);
            return 0;
        }
        if (c == 'v') {
            verbose = 1;
            continue;
        }
        if (c == 1150) {
            dns_zone = optarg;
            continue;
        }
        if (c == 1160) {
            uint64_t v;
            if (numarg_uint("serve", "--threads", optarg, 1, SYNACK_SHARDS_MAX, NULL, &v))
                return 2;
            threads = (unsigned)v;
            continue;
        }
        if (c >= 1101 && c <= 1199) {
            if (http_option(&hc, &http_log, c, optarg) != 0)
                return 2;
            continue;
        }
        int r = devopts_parse(&dev, c, optarg, "serve");
        if (r != 0) {
            if (r == 1)
                serve_usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        tool_usage_error("serve", "unexpected argument '%s'", argv[optind]);
        return 2;
    }
    if (devopts_check(&dev, "serve") != 0)
        return 2;
    if (!hc.root && (http_log || hc.port != 80)) {
        fprintf(stderr, "synack serve: --http-port and --http-log need --http-root DIR\n");
        return 2;
    }
    /* A capture and the impaired path belong to one stack's thread. */
    /* SLAAC's addresses are formed by one stack from the advertisements it reads. */
    if (threads > 1 && (dev.pcap || dev.impair || dev.slaac)) {
        fprintf(stderr, "synack serve: --threads %u does not go with %s (give --threads 1)\n", threads,
                dev.pcap ? "--pcap" : dev.impair ? "--impair" : "--slaac");
        return 2;
    }
    if (threads == 0) {
        threads = dev.pcap || dev.impair || dev.slaac ? 1 : default_threads();
        dev.queues_soft = 1;   /* a single-queue device of that name: one shard */
    }
    dev.queues = threads;
    FILE *access_log = NULL;
    if (hc.root) {
        int e = http_access_log_open(http_log, &access_log);
        if (e < 0) {
            fprintf(stderr, "synack serve: cannot open --http-log '%s': %s\n", http_log, strerror(-e));
            return 1;
        }
        hc.access_log = access_log;
    }

    /* Before the device is opened: a SIGINT/SIGTERM during the set-up (which can wait up to
     * ~1.5 s for the device) then stops the run cleanly, with the pcap written, instead of killing
     * the process half-way. No SA_RESTART: the driver's epoll wait returns EINTR at once. */
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);

    struct devrun run;
    struct shardrun sr;
    memset(&sr, 0, sizeof(sr));
    struct serve *s = NULL;
    int r = 1;
    if (devrun_open(&run, &dev, "serve") != 0) {
        http_access_log_close(access_log);
        return 1;
    }
    if (shardrun_open(&sr, &run, &dev, "serve") != 0 || !(s = calloc(sr.n, sizeof(*s))))
        goto out;
    synack_time_t wall = run.pcap_offset;   /* the capture carries wall-clock time (dev.pcap_wall) */
    for (unsigned k = 0; k < sr.n; k++) {
        s[k] = (struct serve){ .st = sr.st[k], .verbose = verbose, .echo_sock = -1, .discard_sock = -1,
                               .pcap_wall_offset = wall };
        if (k == 0)
            devrun_set_trace(&run, serve_trace, &s[0]);
        else
            synack_stack_set_trace(sr.st[k], serve_trace, &s[k]);
        if (serve_apps_start(&s[k], &hc, dns_zone) != 0)
            goto out;
    }

    char a[16], httpnote[64] = "";
    if (s[0].http)
        snprintf(httpnote, sizeof(httpnote), "; HTTP on %u", hc.port);
    if (s[0].dns)
        snprintf(httpnote + strlen(httpnote), sizeof(httpnote) - strlen(httpnote), "; DNS on 53");
    /* Every address the interface has (IPv4 first, then IPv6 with the link-local one). */
    char addrs[512] = "";
    struct synack_if_addr ia[8];
    int nia = synack_if_addrs(run.st, run.ifindex, ia, 8);
    for (int i = 0; i < nia && i < 8; i++) {
        char t[SYNACK_IP_STRLEN];
        synack_ip_format(&ia[i].addr, t, sizeof(t));
        snprintf(addrs + strlen(addrs), sizeof(addrs) - strlen(addrs), "%s%s/%u", i ? " " : "", t,
                 ia[i].prefix_len);
    }
    (void)a;
    fprintf(stderr, "synack serve: %s %s up, address %s, mtu %u; UDP and TCP echo on 7, discard on 9%s\n",
            dev.tun ? "tun" : "tap", run.ifname, nia > 0 ? addrs : "none", dev.mtu, httpnote);
    if (sr.n > 1)
        fprintf(stderr, "synack serve: %u threads, one stack each on a queue of %s\n", sr.n, run.ifname);
    if (shardrun_start(&sr, &serve_stop) != 0) {
        serve_stop = 1;
        goto out;
    }
    r = 0;
    while (!serve_stop) {
        r = devrun_run_once(&run, SYNACK_MS(100));
        if (serve_dump_stats) {
            serve_dump_stats = 0;
            for (unsigned k = 0; k < sr.n; k++)
                if (k == 0)
                    serve_write_http_stats(&s[0]);
                else
                    synack_shards_call(sr.g, k, serve_write_http_stats, &s[k]);
            /* what the C library's allocator has handed out and not had back (the stack's and the
             * applications' memory alike): bench/http_bench.sh reads it for bytes per connection */
            struct mallinfo2 mi = mallinfo2();
            fprintf(stderr, "synack serve: heap in use %zu bytes\n", mi.uordblks + mi.hblkhd);
        }
        if (r < 0 && r != -EINTR)
            break;
        r = 0;
    }
    serve_stop = 1;
    if (r < 0 && r != -EINTR)
        fprintf(stderr, "synack serve: driver stopped: %s%s\n", synack_strerror(r),
                r == -ENODEV ? " (was the device deleted?)" : "");
    r = r < 0 && r != -EINTR ? 1 : 0;
    fprintf(stderr, "synack serve: stopping\n");
out:
    serve_stop = 1;
    shardrun_join(&sr);   /* from here on this thread alone touches every stack */
    for (unsigned k = 0; s && k < sr.n; k++) {
        serve_apps_stop(&s[k], sr.n > 1 ? (int)k : -1);
        /* Let the resets or FINs of the closing connections leave before the device goes. */
        synack_driver_run_once(sr.drv[k], 0);
    }
    free(s);
    http_access_log_close(access_log);
    shardrun_close(&sr);   /* the other shards' drivers let go of their queues first, so that */
    devrun_close(&run);    /* closing the device deletes it and a --bridge it was the last port of */
    return r;
}
