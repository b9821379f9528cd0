/* `synack resolve NAME...`: looks names up in turn with the stub resolver (apps/dns) over the
 * synack stack on a TAP/TUN device — the hosts file first (with --hosts), then the resolver's cache,
 * then DNS over the stack's UDP (TCP after a truncated answer) to the servers given with --dns (or
 * those of /etc/resolv.conf), A and AAAA side by side (-4: A only, -6: AAAA only). Prints each
 * address (IPv6 first when the stack has a global IPv6 address) on a line of its own (after the name when
 * several are given) and exits 0, or prints one line saying why not and exits 1 (2 for usage
 * errors). A name given twice is answered the second time from the cache, within its TTL; -v shows
 * where each answer came from and, at the end, the cache. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../apps/dns/msg.h"
#include "../apps/dns/resolver.h"
#include "cmd.h"
#include "devopts.h"
#include "dnserr.h"
#include "numarg.h"
#include "opterr.h"

static volatile int resolve_stop;
static void resolve_signal(int sig) { resolve_stop = 1; }

struct resolve_state {
    int done;
    struct dns_result r;
};

static void on_result(void *arg, const struct dns_result *r, synack_time_t now)
{
    struct resolve_state *s = arg;
    s->r = *r;
    s->done = 1;
}

static void resolve_usage(FILE *f)
{
    fprintf(f, "usage: synack resolve NAME... (--tap NAME | --tun NAME) --addr A.B.C.D/N [options]\n"
               "  Resolves each NAME in turn to addresses over the synack stack: the hosts file first\n"
               "  (--hosts), then the cache, then DNS over UDP (TCP if truncated), A and AAAA at once.\n"
               "  Prints one address per line, IPv6 first if the stack has a global IPv6 address.\n"
               "  -4                  IPv4 only: ask for A records\n"
               "  -6                  IPv6 only: ask for AAAA records\n"
               "  --dns ADDRESS       DNS server, IPv4 or IPv6 (repeatable, up to 4; default: /etc/resolv.conf)\n"
               "  --hosts FILE        hosts file to consult first (default: none)\n"
               "  --timeout MS        per attempt (default 2000)\n"
               "  --attempts N        rounds over the servers (default 2)\n"
               "  --gap MS            wait MS between names (to see a cached answer expire)\n"
               "  -v, --verbose       say where each answer came from and the canonical name, and list\n"
               "                      the cache at the end, on stderr\n"
               DEVOPTS_HELP);
}

static void print_cache_entry(void *arg, const char *name, uint16_t type, const struct dns_result *r, uint32_t ttl_left)
{
    fprintf(stderr, "synack resolve: cache: %s %s ", name, type == DNS_T_AAAA ? "AAAA" : "A");
    if (r->err)
        fprintf(stderr, "%s", dns_errname(r->err));
    for (int i = 0; i < r->naddrs; i++) {
        char a[SYNACK_IP_STRLEN];
        synack_ip_format(&r->addrs[i], a, sizeof(a));
        fprintf(stderr, "%s%s", i ? "," : "", a);
    }
    fprintf(stderr, " ttl %us\n", ttl_left);
}

/* Looks one name up, running the driver until the answer. Returns 0 if it has addresses. */
static int resolve_one(struct dns_resolver *res, struct devrun *run, const char *name, int show_name, int verbose)
{
    struct resolve_state s = { 0 };
    int r = dns_resolve(res, name, on_result, &s, synack_clock_now());
    if (r < 0) {
        fprintf(stderr, "synack resolve: %s: not a valid name (%s)\n", name, synack_strerror(r));
        return -1;
    }
    while (!s.done && !resolve_stop) {
        int e = devrun_run_once(run, SYNACK_MS(100));   /* flushes --pcap: a live capture */
        if (e < 0 && e != -EINTR) {
            fprintf(stderr, "synack resolve: driver stopped: %s\n", synack_strerror(e));
            return -1;
        }
    }
    if (!s.done) {
        fprintf(stderr, "synack resolve: %s: interrupted\n", name);
        return -1;
    }
    if (s.r.err) {
        char line[768];
        fprintf(stderr, "synack resolve: %s\n", dns_err_host_line(name, &s.r, line, sizeof(line)));
        return -1;
    }
    for (int i = 0; i < s.r.naddrs; i++) {
        char a[SYNACK_IP_STRLEN];
        synack_ip_format(&s.r.addrs[i], a, sizeof(a));
        if (show_name)
            printf("%s %s\n", name, a);
        else
            printf("%s\n", a);
    }
    fflush(stdout);
    if (verbose)
        fprintf(stderr, "synack resolve: %s is %s (from %s)\n", name, s.r.canonical[0] ? s.r.canonical : name,
                s.r.from_hosts ? "the hosts file" : s.r.from_cache ? "the cache" : s.r.over_tcp ? "DNS over TCP" : "DNS");
    return 0;
}

int cmd_resolve(int argc, char **argv)
{
    struct devopts dev;
    devopts_init(&dev);
    struct dns_resolver_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    int verbose = 0;
    synack_time_t gap = 0;
    static const struct option opts[] = { DEVOPTS_LONG,
                                          { "dns", required_argument, 0, 1201 },
                                          { "hosts", required_argument, 0, 1202 },
                                          { "timeout", required_argument, 0, 1203 },
                                          { "attempts", required_argument, 0, 1204 },
                                          { "gap", required_argument, 0, 1205 },
                                          { "verbose", no_argument, 0, 'v' },
                                          { "help", no_argument, 0, 'h' },
                                          { 0, 0, 0, 0 } };
    int c;
    opterr = 0;   /* our own one-line messages, as the other commands */
    while ((c = getopt_long(argc, argv, ":vh46", opts, NULL)) != -1) {
        uint64_t v;
        switch (c) {
        case 'h':
            resolve_usage(stdout);
            return 0;
        case 'v':
            verbose = 1;
            continue;
        case '4':
        case '6':
            cfg.family = c == '4' ? 4 : 6;
            continue;
        case 1201:
            if (cfg.nservers == DNS_MAX_SERVERS) {
                fprintf(stderr, "synack resolve: at most %d --dns servers\n", DNS_MAX_SERVERS);
                return 2;
            }
            if (synack_ip_parse(optarg, &cfg.servers[cfg.nservers]) != 0) {
                fprintf(stderr, "synack resolve: bad --dns '%s' (expected an IP address)\n", optarg);
                return 2;
            }
            cfg.nservers++;
            continue;
        case 1202:
            cfg.hosts_path = optarg;
            continue;
        case 1203:
            if (numarg_uint("resolve", "--timeout", optarg, 1, 600000, "ms", &v))
                return 2;
            cfg.timeout = SYNACK_MS(v);
            continue;
        case 1204:
            if (numarg_uint("resolve", "--attempts", optarg, 1, 16, NULL, &v))
                return 2;
            cfg.attempts = (int)v;
            continue;
        case 1205:
            if (numarg_uint("resolve", "--gap", optarg, 0, 600000, "ms", &v))
                return 2;
            gap = SYNACK_MS(v);
            continue;
        case '?':
        case ':':
            tool_bad_option("resolve", c, argc, argv, opts);
            return 2;
        default: {
            int r = devopts_parse(&dev, c, optarg, "resolve");
            if (r != 0) {
                if (r == 1)
                    resolve_usage(stderr);
                return 2;
            }
        }
        }
    }
    if (argc - optind < 1) {
        tool_usage_error("resolve", "expected a NAME");
        return 2;
    }
    if (devopts_check(&dev, "resolve") != 0)
        return 2;
    if (cfg.nservers == 0 && dns_read_resolv_conf("/etc/resolv.conf", &cfg) <= 0 && verbose)
        fprintf(stderr, "synack resolve: no nameserver in /etc/resolv.conf\n");

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = resolve_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    struct devrun run;
    if (devrun_open(&run, &dev, "resolve") != 0)
        return 1;
    int rc = 1;
    struct dns_resolver *res = dns_resolver_new(run.st, &cfg);
    if (!res) {
        fprintf(stderr, "synack resolve: cannot create the resolver\n");
        goto out;
    }
    rc = 0;
    for (int k = optind; k < argc && !resolve_stop; k++) {
        if (k > optind && gap) {
            /* the stack keeps running meanwhile (ARP, timers) */
            synack_time_t until = synack_clock_now() + gap;
            while (synack_clock_now() < until && !resolve_stop)
                devrun_run_once(&run, until - synack_clock_now());
        }
        if (resolve_one(res, &run, argv[k], argc - optind > 1, verbose) != 0)
            rc = 1;
    }
out:
    if (verbose && res) {
        struct dns_resolver_stats st;
        dns_resolver_stats(res, &st);
        fprintf(stderr, "synack resolve: %llu queries sent, %llu retries, %llu over TCP, %llu cache hits, "
                        "%llu malformed, %llu mismatched dropped\n",
                (unsigned long long)st.queries_sent, (unsigned long long)st.retransmits,
                (unsigned long long)st.tcp_queries, (unsigned long long)st.cache_hits,
                (unsigned long long)st.malformed, (unsigned long long)st.mismatched);
        dns_resolver_cache_foreach(res, synack_clock_now(), print_cache_entry, NULL);
    }
    dns_resolver_free(res);
    devrun_close(&run);
    return rc;
}
