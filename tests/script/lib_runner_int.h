/* What the script runner's three files share: the runner state, the connection ("flow") book that
 * turns relative sequence numbers into absolute ones, the packet queue, and helpers for failing a
 * line with a message. lib_runner.c runs lines and time, lib_packet.c handles `<` and `>` lines,
 * lib_calls.c socket calls and assertions. */
#ifndef TESTS_SCRIPT_LIB_RUNNER_INT_H
#define TESTS_SCRIPT_LIB_RUNNER_INT_H

#include <stdint.h>
#include <stdio.h>

#include "script/lib_runner.h"
#include "synack/stack.h"

#define SR_US 0xC0000201u      /* 192.0.2.1, the stack under test */
#define SR_PEER 0xC0000202u    /* 192.0.2.2, the script */
/* Over IPv6 (sr_options.ipv6): the same roles at 2001:db8::1 and 2001:db8::2. */
static const uint8_t SR_US6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
static const uint8_t SR_PEER6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };
/* The peer's address in the family the script runs in. */
static inline struct synack_ip sr_peer_ip(int ipv6)
{
    struct synack_ip a = synack_ip_from_v4(SR_PEER);
    if (ipv6)
        for (int i = 0; i < 16; i++)
            a.b[i] = SR_PEER6[i];
    return a;
}
#define SR_MAX_FLOWS 64
#define SR_MAX_FDS 256
#define SR_FD_OFFSET 3         /* script fd = socket slot + 3, as packetdrill's first fd is 3 */

/* One connection as the script sees it, keyed by the peer's port. */
struct sr_flow {
    uint16_t peer_port;
    uint16_t local_port;        /* 0 until known (bind or the stack's first segment) */
    uint32_t peer_isn;          /* the script's ISN: `<` seq and `>` ack are relative to it */
    uint32_t stack_isn;         /* learned from the stack's SYN: `>` seq and `<` ack relative to it */
    int stack_isn_known;
    /* The stack's TSvals are relative too: the first `>` TS val the script names on the flow fixes
     * the offset (actual - written); later `>` vals are checked through it and `<` ecr values
     * translated by it, so scripts write the stack's clock in milliseconds from a base they choose. */
    uint32_t ts_off;
    int ts_known;
    uint32_t last_tsval;        /* the stack's latest TSval on the flow (`<` ... ecr *) */
};

struct sr_pkt {
    uint8_t *data;
    size_t len;
    uint64_t t;                 /* script time it was sent */
};

struct sr_str {
    char *s;
    size_t len, cap;
};

struct sr {
    const char *path;
    int line;                   /* line being run */
    struct sr_options opt;
    int mutate;                 /* this line's check is to be perturbed */
    int mutated;                /* a perturbation was applied */
    struct synack_config cfg;
    char congestion[16];        /* cfg.tcp_congestion: "reno" unless `config tcp_congestion=NAME` */
    int mtu;                    /* of the stack's interface */
    uint64_t seed;
    synack_stack_t *st;
    int ifi;
    uint64_t base;              /* stack time of script time 0 (us) */
    uint64_t now;               /* script time (us) */
    uint64_t line_time;         /* time of the previous line, base of "+x" */
    struct sr_pkt *q;           /* packets the stack sent, not yet matched */
    size_t qhead, qlen, qcap;
    struct sr_flow flows[SR_MAX_FLOWS];
    int nflows;
    uint16_t default_peer_port;
    uint16_t default_local_port;
    uint32_t peer_isn;          /* for new flows */
    uint64_t wr_off[SR_MAX_FDS], rd_off[SR_MAX_FDS];
    int fd_handle[SR_MAX_FDS];  /* the stack's handle for a script fd, plus 1 (0: never opened) */
    unsigned notified[SR_MAX_FDS];   /* the socket's handler calls since `notified(fd)` last asked */
    struct sr_str err;          /* why the script failed */
    struct sr_str log;          /* everything that happened, for the failure report */
};

/* Appends printf-style text. */
void sr_str_printf(struct sr_str *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Records a failure of the current line and returns -1. */
int sr_fail(struct sr *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends a line to the run log, prefixed with the current time. */
void sr_log(struct sr *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "1.234567" for a script time. */
const char *sr_time_str(uint64_t t, char *buf, size_t cap);
/* Stack time for the current script time. */
static inline uint64_t sr_stack_now(const struct sr *r) { return r->base + r->now; }

/* Runs the stack's timers deadline by deadline up to script time `until`; with stop set, returns as
 * soon as the stack has sent a packet (r->now is then the time it was sent). Returns 0 or -1. */
int sr_advance(struct sr *r, uint64_t until, int stop);

struct sr_flow *sr_flow_get(struct sr *r, uint16_t peer_port);

/* Generated payload: byte k of the stack's stream (written by write()) and of the peer's. */
static inline uint8_t sr_stack_byte(uint64_t k) { return (uint8_t)(k * 31u + 7u + (k >> 8)); }
static inline uint8_t sr_peer_byte(uint64_t k) { return (uint8_t)(k * 17u + 3u + (k >> 8)); }

/* Tokenising helpers: skip spaces; read a word of [A-Za-z0-9_-.]. */
const char *sr_skip(const char *p);
int sr_parse_num(const char **pp, int64_t *out);

/* lib_packet.c */
int sr_inject(struct sr *r, const char *text);
/* A `>` line: the next packet must be sent in [lo, hi] and match text. */
int sr_expect(struct sr *r, uint64_t lo, uint64_t hi, const char *text);
/* Describes a packet the stack sent, in script syntax (relative numbers) when it is TCP. */
void sr_describe(struct sr *r, const struct sr_pkt *p, char *buf, size_t cap);

/* lib_calls.c: socket calls and assertions. Returns 0, -1 (failed), or 1 (not a call line). */
int sr_call(struct sr *r, const char *text);
/* Whether the line's text holds a check (for sr_check_lines). */
int sr_line_has_check(const char *text);

#endif
