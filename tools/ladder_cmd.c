/* `synack ladder FILE`: reads a capture (pcap or pcapng, e.g. tcpdump's of two Linux hosts),
 * finds the TCP connections in it and draws each as a ladder diagram, with each side's state
 * inferred from the segments (ladder_conns.h). Text on the terminal, SVG with --svg. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "numarg.h"
#include "opterr.h"
#include "ladder.h"
#include "ladder_conns.h"
#include "pcapread.h"

/* Without --conn: how many connections are drawn, and how long ones are cut (the first and the
 * last rows stay: the handshake and the close). */
#define DEFAULT_CONNS 4
#define HEAD_ROWS 30
#define TAIL_ROWS 20

static void ladder_usage(FILE *f)
{
    fprintf(f,
            "usage: synack ladder FILE [--conn N|all] [--svg OUT.svg] [--absolute] [--color|--no-color]\n"
            "  Draws the TCP connections in a capture (pcap or pcapng: tcpdump -w, tshark, dumpcap) as\n"
            "  ladder diagrams: one row per segment with flags, sequence and acknowledgment numbers,\n"
            "  length, window and options, and each side's state after it as inferred from the\n"
            "  segments (RFC 9293). Retransmissions, duplicate ACKs, zero windows, window updates,\n"
            "  keep-alives and resets are marked. Link types: Ethernet, raw IP, Linux cooked (SLL and\n"
            "  SLL2, from tcpdump -i any). IPv4 and IPv6 (extension headers skipped).\n"
            "  Without --conn it lists the connections and draws the first %d, cutting long ones to\n"
            "  their first %d and last %d segments.\n"
            "  --conn N      draw connection N (as listed) in full; 'all' draws every one in full\n"
            "  --svg FILE    also write the drawn connections as SVG\n"
            "  --absolute    raw sequence numbers (default: relative to each side's ISN)\n"
            "  --color       ANSI colours even when stdout is not a terminal (--no-color: never)\n",
            DEFAULT_CONNS, HEAD_ROWS, TAIL_ROWS);
}

static void on_frame(void *ctx, int linktype, synack_time_t ts, const uint8_t *frame, size_t caplen)
{
    lc_add_frame(ctx, linktype, ts, frame, caplen);
}

/* "192.0.2.1:80" or "[2001:db8::1]:80". */
static void endpoint(char *buf, size_t cap, const struct synack_ip *addr, uint16_t port)
{
    struct synack_sockaddr sa = { *addr, port };
    if (synack_sockaddr_format(&sa, buf, cap) < 0)
        snprintf(buf, cap, "?");
}

static const char *state_name(int s) { return s == LADDER_STATE_UNKNOWN ? "?" : synack_tcp_state_name(s); }

/* What the capture held besides TCP, as "note: 3 IP packets not TCP" and so on. */
static void print_skipped(FILE *f, const struct lc_table *t)
{
    const struct { uint64_t n; const char *what; } items[] = {
        { t->non_tcp, "IP packets not TCP (ICMP, ICMPv6, UDP, ...)" },
        { t->other, "frames neither IPv4 nor IPv6 (ARP, ...)" },
        { t->fragments, "IP fragments skipped" },
        { t->bad_tcp, "malformed or cut-off IP/TCP headers skipped" },
        { t->short_frames, "frames too short for their link header" },
        { t->twice, "segments captured twice (tcpdump -i any), shown once" },
    };
    for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++)
        if (items[i].n)
            fprintf(f, "  note: %llu %s\n", (unsigned long long)items[i].n, items[i].what);
}

static void build_ladder(struct ladder *l, const struct lc_conn *c, size_t idx, int full)
{
    char left[SYNACK_SOCKADDR_STRLEN], right[SYNACK_SOCKADDR_STRLEN];
    endpoint(left, sizeof(left), &c->addr[0], c->port[0]);
    endpoint(right, sizeof(right), &c->addr[1], c->port[1]);
    ladder_init(l, left, right);
    snprintf(l->title, sizeof(l->title), "connection %zu: %s > %s, %zu segments", idx + 1, left, right, c->n);
    for (size_t i = 0; i < c->n; i++) {
        const struct lc_seg *s = &c->segs[i];
        ladder_add_fields(l, s->t, s->dir, &s->f, 0, s->state[0], s->state[1]);
    }
    if (!full) {
        char hint[40];
        snprintf(hint, sizeof(hint), "--conn %zu shows all", idx + 1);
        ladder_elide(l, HEAD_ROWS, TAIL_ROWS, hint);
    }
}

int cmd_ladder(int argc, char **argv)
{
    const char *svg = NULL;
    int absolute = 0, color = -1;
    long want = 0;   /* --conn: 0 the default selection, -1 all, else a 1-based index */
    static const struct option opts[] = { { "svg", required_argument, 0, 'g' }, { "conn", required_argument, 0, 'c' },
                                          { "absolute", no_argument, 0, 'a' }, { "color", no_argument, 0, 'C' },
                                          { "no-color", no_argument, 0, 'N' }, { "help", no_argument, 0, 'h' },
                                          { 0, 0, 0, 0 } };
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'g': svg = optarg; break;
        case 'c': {
            uint64_t v;
            if (!strcmp(optarg, "all")) {
                want = -1;
            } else if (numarg_parse_uint(optarg, 1, 1000000000, &v) != NUMARG_OK) {
                fprintf(stderr, "synack ladder: bad --conn '%s': a connection number from the list (1, 2, ...) or 'all'\n",
                        optarg);
                return 2;
            } else {
                want = (long)v;
            }
            break;
        }
        case 'a': absolute = 1; break;
        case 'C': color = 1; break;
        case 'N': color = 0; break;
        case 'h': ladder_usage(stdout); return 0;
        default: tool_bad_option("ladder", c, argc, argv, opts); return 2;
        }
    }
    if (optind != argc - 1) {
        tool_usage_error("ladder", optind >= argc ? "give one capture file" : "give one capture file, not several");
        return 2;
    }
    const char *path = argv[optind];
    if (color < 0)
        color = isatty(1) && !getenv("NO_COLOR");

    struct lc_table *t = malloc(sizeof(*t));
    if (!t) {
        fprintf(stderr, "synack ladder: out of memory\n");
        return 1;
    }
    lc_init(t);
    struct pcapread_info info;
    char err[256];
    int rc = 1;
    if (pcapread_file(path, on_frame, t, &info, err, sizeof(err)) != 0) {
        fprintf(stderr, "synack ladder: %s: %s\n", path, err);
        goto out;
    }
    if (t->nomem) {
        fprintf(stderr, "synack ladder: %s: out of memory\n", path);
        goto out;
    }
    if (info.packets == 0) {
        fprintf(stderr, "synack ladder: %s: the capture holds no packets\n", path);
        goto out;
    }
    if (t->n == 0) {
        fprintf(stderr, "synack ladder: %s: no TCP in its %llu packets (%llu IPv4, %llu IPv6, %llu other)\n",
                path, (unsigned long long)info.packets, (unsigned long long)t->ipv4, (unsigned long long)t->ipv6,
                (unsigned long long)(t->other + t->short_frames));
        goto out;
    }
    if (want > 0 && (size_t)want > t->n) {
        fprintf(stderr, "synack ladder: %s: no connection %ld (the capture holds %zu)\n", path, want, t->n);
        rc = 2;
        goto out;
    }
    for (size_t i = 0; i < t->n; i++)
        lc_infer(&t->conns[i]);

    time_t secs = (time_t)(info.first_ts / 1000000u);
    struct tm tm;
    char when[40] = "?";
    if (gmtime_r(&secs, &tm))
        strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
    printf("%s: %llu packets, link type %s; capture starts %s.%06u UTC (times below count from there)\n", path,
           (unsigned long long)info.packets, lc_link_name(info.linktype), when,
           (unsigned)(info.first_ts % 1000000u));
    print_skipped(stdout, t);
    printf("\n%zu TCP connection%s:\n", t->n, t->n == 1 ? "" : "s");
    /* The endpoints column as wide as its widest entry (IPv6 ones are long), at least 45. */
    int width = 45;
    for (size_t i = 0; i < t->n; i++) {
        const struct lc_conn *cn = &t->conns[i];
        char a[SYNACK_SOCKADDR_STRLEN], b[SYNACK_SOCKADDR_STRLEN];
        endpoint(a, sizeof(a), &cn->addr[0], cn->port[0]);
        endpoint(b, sizeof(b), &cn->addr[1], cn->port[1]);
        int w = (int)(strlen(a) + 3 + strlen(b));
        if (w > width)
            width = w;
    }
    printf("%5s  %-*s %6s %11s %11s  %s\n", "conn", width, "client > server", "segs", "start (s)", "end (s)",
           "states at the end (client / server)");
    for (size_t i = 0; i < t->n; i++) {
        const struct lc_conn *cn = &t->conns[i];
        char a[SYNACK_SOCKADDR_STRLEN], b[SYNACK_SOCKADDR_STRLEN], ends[2 * SYNACK_SOCKADDR_STRLEN + 4];
        endpoint(a, sizeof(a), &cn->addr[0], cn->port[0]);
        endpoint(b, sizeof(b), &cn->addr[1], cn->port[1]);
        snprintf(ends, sizeof(ends), "%s > %s", a, b);
        const struct lc_seg *last = &cn->segs[cn->n - 1];
        printf("%5zu  %-*s %6zu %11.6f %11.6f  %s / %s\n", i + 1, width, ends, cn->n, (double)cn->segs[0].t / 1e6,
               (double)last->t / 1e6, state_name(last->state[0]), state_name(last->state[1]));
    }

    size_t first = 0, count = t->n;
    int full = want != 0;
    if (want > 0) {
        first = (size_t)want - 1;
        count = 1;
    } else if (want == 0 && t->n > DEFAULT_CONNS) {
        count = DEFAULT_CONNS;
        printf("\nDrawing the first %d of %zu connections (--conn N draws another, --conn all every one).\n",
               DEFAULT_CONNS, t->n);
    }
    struct ladder *lads = calloc(count, sizeof(*lads));
    const struct ladder **ptrs = calloc(count, sizeof(*ptrs));
    if (!lads || !ptrs) {
        fprintf(stderr, "synack ladder: out of memory\n");
        free(lads);
        free(ptrs);
        goto out;
    }
    rc = 0;
    for (size_t k = 0; k < count; k++) {
        build_ladder(&lads[k], &t->conns[first + k], first + k, full);
        ptrs[k] = &lads[k];
        printf("\n── %s ──\n", lads[k].title);
        ladder_print_text(&lads[k], stdout, color, absolute);
    }
    printf("\n%s; states are inferred from the segments (RFC 9293) and shown where they change\n"
           "(? = not known: the capture began mid-connection); windows are scaled when both SYNs show it.\n",
           absolute ? "Sequence numbers as on the wire" : "Sequence numbers relative to each side's ISN");
    if (svg) {
        FILE *f = fopen(svg, "w");
        if (!f) {
            fprintf(stderr, "synack ladder: cannot write '%s'\n", svg);
            rc = 1;
        } else {
            ladder_print_svg_many(ptrs, count, f, absolute);
            if (fclose(f) != 0) {
                fprintf(stderr, "synack ladder: error writing '%s'\n", svg);
                rc = 1;
            } else {
                printf("SVG written to %s (%zu connection%s).\n", svg, count, count == 1 ? "" : "s");
            }
        }
    }
    for (size_t k = 0; k < count; k++)
        ladder_free(&lads[k]);
    free(lads);
    free(ptrs);
out:
    lc_free(t);
    free(t);
    return rc;
}
