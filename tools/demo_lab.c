/* `synack demo --preset NAME`: a scenario of the TCP lab (lab/presets.c) run natively and printed
 * as the lab page's transcript, from the same C layer the page runs as WebAssembly (lab/labcore.c),
 * so the page's run can be checked against `synack demo` for the same preset, seed and changes. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "labcore.h"
#include "numarg.h"
#include "opterr.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: synack demo --preset NAME [--seed N] [--changes SPEC] [--pcap FILE]\n"
               "       synack demo --presets\n"
               "  A scenario of the TCP lab (handshake, data-on-third, close, simultaneous-open,\n"
               "  simultaneous-close, lost-final-ack, syn-flood, synack-backoff, rto, fast-retransmit,\n"
               "  zero-window, slow-start, keepalive, rst-closed, http-keepalive), printed as the lab\n"
               "  page's transcript: the same run the page shows for the same preset, seed and changes.\n"
               "  --seed N        seed of the stacks and the link (default 1)\n"
               "  --changes SPEC  the learner's interventions, as the page's URL holds them (x=...),\n"
               "                  e.g. f1:drop (lose frame 1), a2000000:A:send:1000\n"
               "  --pcap FILE     also write every frame as a pcap\n"
               "  --presets       list the presets (JSON, as the page reads them)\n");
}

int cmd_demo_preset(int argc, char **argv)
{
    const char *preset = NULL, *spec = "", *pcap = NULL;
    uint64_t seed = 1;
    int list = 0;
    static const struct option opts[] = { { "preset", required_argument, 0, 'p' }, { "seed", required_argument, 0, 's' },
                                          { "changes", required_argument, 0, 'x' }, { "pcap", required_argument, 0, 'w' },
                                          { "presets", no_argument, 0, 'L' }, { "help", no_argument, 0, 'h' },
                                          { 0, 0, 0, 0 } };
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'p': preset = optarg; break;
        case 's': if (numarg_uint("demo", "--seed", optarg, 0, UINT64_MAX, NULL, &seed)) return 2; break;
        case 'x': spec = optarg; break;
        case 'w': pcap = optarg; break;
        case 'L': list = 1; break;
        case 'h': usage(stdout); return 0;
        default: tool_bad_option("demo", c, argc, argv, opts); return 2;
        }
    }
    if (optind < argc) {
        tool_usage_error("demo", "unexpected argument '%s'", argv[optind]);
        return 2;
    }
    if (list) {
        char buf[4096];
        lab_presets_json(buf, sizeof(buf));
        printf("%s\n", buf);
        return 0;
    }
    char err[128];
    struct lab *L = lab_new(preset, seed, spec, err, sizeof(err));
    if (!L) {
        fprintf(stderr, "synack demo: %s\n", err);
        return 2;
    }
    lab_run(L);
    fputs(lab_transcript(L), stdout);
    int rc = 0;
    if (pcap) {
        size_t len;
        const uint8_t *p = lab_pcap(L, &len);
        FILE *f = fopen(pcap, "wb");
        if (!f || fwrite(p, 1, len, f) != len) {
            fprintf(stderr, "synack demo: cannot write '%s'\n", pcap);
            rc = 1;
        }
        if (f)
            fclose(f);
    }
    lab_free(L);
    return rc;
}
