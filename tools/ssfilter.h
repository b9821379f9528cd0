/* `synack ss`'s filter, in ss(8)'s words: `state NAME` (repeatable, or'd; the names and groups of
 * ss: established, syn-sent, syn-recv, fin-wait-1, fin-wait-2, time-wait, closed, close-wait,
 * last-ack, listening, closing; all, connected, synchronized, bucket, big), `exclude NAME`, and
 * terms joined by `and`: `sport OP :PORT`, `dport OP :PORT` (OP one of = == eq != ne < > <= >= lt gt
 * le ge, or none for =), `src ADDR[:PORT]`, `dst ADDR[:PORT]` (an IPv6 address in brackets with a
 * port, `*` for any). It matches the rows `synack ss` prints (control.c's listing). */
#ifndef SYNACK_TOOLS_SSFILTER_H
#define SYNACK_TOOLS_SSFILTER_H

#include <stddef.h>

#define SSFILTER_TERMS 8

struct ssfilter_term {
    char which;     /* 's' (local end) or 'd' (peer end) */
    char kind;      /* 'p' port comparison, 'a' address (and maybe port) */
    char op;        /* '=', '!', '<', '>', 'l' (<=), 'g' (>=) */
    long port;      /* -1: any port (an address term without one) */
    char addr[64];  /* as the listing writes it, without brackets; "*" any */
};

struct ssfilter {
    unsigned states;    /* a bit per enum synack_tcp_state; every state when nothing was asked */
    unsigned nterms;
    struct ssfilter_term terms[SSFILTER_TERMS];
};

/* Sets f to what argv[0..argc-1] (the words after the options) ask, on top of `states` (from -l,
 * or every state). Returns 0, or -1 with a message in err. */
int ssfilter_parse(struct ssfilter *f, unsigned states, int argc, char **argv, char *err, size_t errlen);
/* Whether a row of the listing ("STATE RECVQ SENDQ LOCAL PEER ...") passes. -1 if it is no row. */
int ssfilter_match(const struct ssfilter *f, const char *row);
/* The state of a row (enum synack_tcp_state), or -1. */
int ssfilter_row_state(const char *row);

#endif
