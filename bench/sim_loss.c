/* Loss recovery in the simulator: how long transfers take over a lossy path, and how they recover
 * (fast recoveries, timeouts, tail loss probes), with RACK-TLP (RFC 8985) on and off in the same
 * run (config tcp_rack), everything else equal. Virtual time: the figures are exact functions of
 * the seeds, not of the machine.
 *
 *   sim_loss [--loss P] [--seeds N] [--bytes N] [--back N] [--cc NAME] [--rtt-ms MS] [--mbit M]
 *
 * Each seed runs one connection that sends --bytes one way while --back bytes come the other way
 * (default 4 MB and 1 MB, every byte checked by hash) over a link of --mbit (100) with --rtt-ms
 * (40) and --loss (0.01) of frames lost each way; then the same with RACK-TLP off. Printed: the
 * total time over all seeds, retransmitted segments, timeouts, fast recoveries, tail loss probes,
 * and the ratio of the totals (RACK-TLP on / off). The two-stack lab is the sim tests' (public API
 * only). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/lib_tcpsim.h"

struct totals {
    double seconds;
    unsigned long long retrans, timeouts, recoveries, probes, failed;
};

static unsigned long long both(struct tcpsim *t, enum synack_counter c)
{
    return (unsigned long long)(synack_counter_get(t->st[0], c) + synack_counter_get(t->st[1], c));
}

static void run(int rack, double loss, int seeds, uint64_t bytes, uint64_t back, const char *cc, unsigned rtt_ms,
                unsigned mbit, struct totals *o)
{
    memset(o, 0, sizeof(*o));
    for (int seed = 1; seed <= seeds; seed++) {
        struct synack_simlink_config lc;
        synack_simlink_config_init(&lc);
        lc.latency = SYNACK_MS(rtt_ms) / 2;
        lc.bandwidth_bps = (uint64_t)mbit * 1000000ull;
        lc.loss = loss;
        struct synack_config sc;
        synack_config_init(&sc);
        sc.tcp_congestion = cc;
        sc.tcp_rack = rack ? 0 : -1;
        struct tcpsim t;
        tcpsim_init_config(&t, &lc, (uint64_t)seed, &sc);
        struct bulk_result r;
        tcpsim_bulk(&t, bytes, back, SYNACK_SEC(3600), &r);
        o->seconds += (double)r.elapsed / 1e6;
        o->failed += !r.ok;
        o->retrans += both(&t, SYNACK_C_TcpRetransSegs);
        o->timeouts += both(&t, SYNACK_C_TcpTimeouts);
        o->recoveries += both(&t, SYNACK_C_TcpSackRecovery) + both(&t, SYNACK_C_TcpRenoRecovery);
        o->probes += both(&t, SYNACK_C_TcpLossProbes);
        tcpsim_free(&t);
    }
}

static void print(const char *name, const struct totals *o)
{
    printf("%-12s %10.2f s %9llu %9llu %11llu %7llu\n", name, o->seconds, o->retrans, o->timeouts, o->recoveries,
           o->probes);
}

static int number(const char *s, double lo, double hi, double *v)
{
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    return !(errno || end == s || *end || *v < lo || *v > hi);
}

int main(int argc, char **argv)
{
    double loss = 0.01, v;
    int seeds = 12;
    uint64_t bytes = 4000000, back = 1000000;
    unsigned rtt_ms = 40, mbit = 100;
    const char *cc = "cubic";
    static const struct option opts[] = {
        { "loss", required_argument, 0, 'l' }, { "seeds", required_argument, 0, 's' },
        { "bytes", required_argument, 0, 'b' }, { "back", required_argument, 0, 'k' },
        { "cc", required_argument, 0, 'c' },    { "rtt-ms", required_argument, 0, 'r' },
        { "mbit", required_argument, 0, 'm' },  { 0, 0, 0, 0 },
    };
    int ch;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'l': if (!number(optarg, 0, 0.5, &loss)) goto bad; break;
        case 's': if (!number(optarg, 1, 1000, &v)) goto bad; seeds = (int)v; break;
        case 'b': if (!number(optarg, 1, 1e10, &v)) goto bad; bytes = (uint64_t)v; break;
        case 'k': if (!number(optarg, 0, 1e10, &v)) goto bad; back = (uint64_t)v; break;
        case 'c': cc = optarg; break;
        case 'r': if (!number(optarg, 1, 10000, &v)) goto bad; rtt_ms = (unsigned)v; break;
        case 'm': if (!number(optarg, 1, 100000, &v)) goto bad; mbit = (unsigned)v; break;
        default: goto bad;
        }
    }
    if (optind != argc)
        goto bad;
    struct totals on, off;
    run(1, loss, seeds, bytes, back, cc, rtt_ms, mbit, &on);
    run(0, loss, seeds, bytes, back, cc, rtt_ms, mbit, &off);
    printf("%d seeds, %llu + %llu bytes, %u Mbit/s, %u ms RTT, %.1f %% loss, %s\n", seeds,
           (unsigned long long)bytes, (unsigned long long)back, mbit, rtt_ms, loss * 100, cc);
    printf("%-12s %12s %9s %9s %11s %7s\n", "", "total time", "retrans", "timeouts", "recoveries", "probes");
    print("RACK-TLP on", &on);
    print("RACK-TLP off", &off);
    printf("time ratio on/off: %.3f\n", off.seconds > 0 ? on.seconds / off.seconds : 0);
    printf("RESULT sim_loss loss=%g seeds=%d on_s=%.3f off_s=%.3f ratio=%.3f on_timeouts=%llu off_timeouts=%llu\n",
           loss, seeds, on.seconds, off.seconds, off.seconds > 0 ? on.seconds / off.seconds : 0, on.timeouts,
           off.timeouts);
    if (on.failed || off.failed) {
        fprintf(stderr, "sim_loss: %llu transfers did not complete intact\n", on.failed + off.failed);
        return 1;
    }
    return 0;
bad:
    fprintf(stderr, "usage: sim_loss [--loss P] [--seeds N] [--bytes N] [--back N] [--cc NAME] [--rtt-ms MS] [--mbit M]\n");
    return 2;
}
