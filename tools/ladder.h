/* The ladder diagram: a TCP connection's life drawn like a textbook figure, one row per segment
 * (flags, relative seq/ack, length, window, options) with each side's state after it, and marks for
 * retransmissions, duplicate ACKs, zero windows, window updates, keep-alives and resets. Used by
 * `synack demo` (states from the stack's trace) and `synack ladder` (states inferred from a capture,
 * see ladder_conns.h). */
#ifndef TOOLS_LADDER_H
#define TOOLS_LADDER_H

#include <stdint.h>
#include <stdio.h>

#include "synack/synack.h"

/* A state value meaning "not known" (a capture that starts mid-connection): drawn as "?". The
 * value -1 in a row means "no change known" and draws nothing. */
#define LADDER_STATE_UNKNOWN 99

struct ladder_row {
    synack_time_t t;
    int dir;                 /* 0: left to right, 1: right to left, -1: a note only */
    uint8_t flags;
    uint32_t seq, ack, len;
    uint32_t win;            /* scaled (RFC 7323) once both SYNs announced a window scale */
    char opts[80];
    int lost;                /* the link dropped it */
    int state[2];            /* each side's state after this row, -1 unknown */
    char mark[48];           /* "retransmission", "dup ack #2", "zero window", ... */
    char note[96];           /* for dir == -1 */
};

struct ladder {
    struct ladder_row *rows;
    size_t n, cap;
    char name[2][64];
    char title[160];         /* optional: drawn above the SVG ladder */
    uint32_t isn[2];
    int have_isn[2];
    /* window scaling, from the SYNs */
    int saw_syn[2], has_wscale[2];
    uint8_t wscale[2];
    /* for marks */
    uint32_t high[2];        /* highest seq+len sent per direction */
    int have_high[2];
    uint32_t last_ack[2], last_win[2];
    int have_ack[2], dupacks[2];
    int probe[2];            /* a keep-alive or window probe from this side awaits its answer */
};

void ladder_init(struct ladder *l, const char *left, const char *right);
void ladder_free(struct ladder *l);
/* Adds a segment: `tcp` is the TCP header and payload as on the wire. */
void ladder_add(struct ladder *l, synack_time_t t, int dir, const uint8_t *tcp, size_t len, int lost,
                int state_left, int state_right);
/* Adds a segment already parsed (f->data_len is the segment's real length, which may exceed what a
 * capture kept of it). */
void ladder_add_fields(struct ladder *l, synack_time_t t, int dir, const struct synack_tcp_fields *f, int lost,
                       int state_left, int state_right);
void ladder_note(struct ladder *l, synack_time_t t, const char *text, int state_left, int state_right);
/* Keeps the first `head` and the last `tail` rows, with a note row in between saying how many were
 * left out (no-op when there are no more than head + tail + 1 rows). */
void ladder_elide(struct ladder *l, size_t head, size_t tail, const char *hint);
/* Draws as text. color: ANSI colours; absolute: raw sequence numbers instead of relative. */
void ladder_print_text(const struct ladder *l, FILE *f, int color, int absolute);
/* Draws as SVG. */
void ladder_print_svg(const struct ladder *l, FILE *f, int absolute);
/* Draws several ladders one below the other in one SVG document. */
void ladder_print_svg_many(const struct ladder *const *ls, size_t n, FILE *f, int absolute);

#endif
