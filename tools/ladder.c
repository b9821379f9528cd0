/* Ladder diagrams (see ladder.h): the text and SVG renderers and the marks. */
#include "ladder.h"

#include <stdlib.h>
#include <string.h>

#define F_FIN 0x01
#define F_SYN 0x02
#define F_RST 0x04
#define F_ACK 0x10

void ladder_init(struct ladder *l, const char *left, const char *right)
{
    memset(l, 0, sizeof(*l));
    snprintf(l->name[0], sizeof(l->name[0]), "%s", left);
    snprintf(l->name[1], sizeof(l->name[1]), "%s", right);
}

void ladder_free(struct ladder *l)
{
    free(l->rows);
    l->rows = NULL;
    l->n = l->cap = 0;
}

static struct ladder_row *new_row(struct ladder *l)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        struct ladder_row *r = realloc(l->rows, cap * sizeof(*r));
        if (!r)
            return NULL;
        l->rows = r;
        l->cap = cap;
    }
    struct ladder_row *r = &l->rows[l->n++];
    memset(r, 0, sizeof(*r));
    return r;
}

static int seq_before(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }

void ladder_add(struct ladder *l, synack_time_t t, int dir, const uint8_t *tcp, size_t len, int lost, int sl, int sr)
{
    struct synack_tcp_fields f;
    if (synack_tcp_fields(tcp, len, &f) != 0)
        return;
    ladder_add_fields(l, t, dir, &f, lost, sl, sr);
}

void ladder_add_fields(struct ladder *l, synack_time_t t, int dir, const struct synack_tcp_fields *f, int lost,
                       int sl, int sr)
{
    struct ladder_row *r = new_row(l);
    if (!r)
        return;
    r->t = t;
    r->dir = dir;
    r->flags = f->flags;
    r->seq = f->seq;
    r->ack = f->ack;
    r->len = (uint32_t)f->data_len;
    r->lost = lost;
    r->state[0] = sl;
    r->state[1] = sr;
    synack_format_tcp_options(r->opts, sizeof(r->opts), f);
    /* RFC 7323 2.3: the window field of a SYN is never scaled; the others are once both SYNs
     * carried the option (a capture that missed the SYNs shows the field as it is). */
    r->win = f->win;
    if (f->flags & F_SYN) {
        l->saw_syn[dir] = 1;
        l->has_wscale[dir] = f->has_wscale;
        l->wscale[dir] = f->wscale > 14 ? 14 : f->wscale;   /* RFC 7323 2.3: larger is taken as 14 */
    } else if (l->saw_syn[0] && l->saw_syn[1] && l->has_wscale[0] && l->has_wscale[1]) {
        r->win = (uint32_t)f->win << l->wscale[dir];
    }
    if ((f->flags & F_SYN) && !l->have_isn[dir]) {
        l->isn[dir] = f->seq;
        l->have_isn[dir] = 1;
    } else if (!l->have_isn[dir]) {
        l->isn[dir] = f->seq - 1;   /* a capture that starts mid-connection */
        l->have_isn[dir] = 1;
    }
    if ((f->flags & F_ACK) && !(f->flags & F_SYN) && !l->have_isn[1 - dir]) {
        l->isn[1 - dir] = f->ack - 1;   /* we have not seen the other side send yet */
        l->have_isn[1 - dir] = 1;
    }
    uint32_t span = r->len + !!(f->flags & F_SYN) + !!(f->flags & F_FIN);
    uint32_t end = f->seq + span;
    int same_ack = (f->flags & F_ACK) && l->have_ack[dir] && f->ack == l->last_ack[dir];
    if (f->flags & F_RST) {
        snprintf(r->mark, sizeof(r->mark), "reset");
    } else if (!(f->flags & (F_SYN | F_FIN)) && r->len <= 1 && l->have_high[dir] && f->seq == l->high[dir] - 1) {
        /* One byte below what was sent (Linux probes with 0 bytes, others resend 1): a probe the
         * peer must answer. Into a zero window it is a window probe (RFC 9293 3.8.6.1). */
        int zero = l->have_ack[1 - dir] && l->last_win[1 - dir] == 0;
        snprintf(r->mark, sizeof(r->mark), "%s", zero ? "window probe" : "keep-alive");
        l->probe[dir] = 1;
    } else if (span && l->have_high[dir] && !seq_before(l->high[dir], end)) {
        snprintf(r->mark, sizeof(r->mark), "retransmission");
    } else if (r->win == 0 && (f->flags & F_ACK)) {
        snprintf(r->mark, sizeof(r->mark), "zero window");
    } else if (same_ack && span == 0) {
        if (l->probe[1 - dir] && r->win == l->last_win[dir])
            snprintf(r->mark, sizeof(r->mark), "probe answer");
        else if (r->win == l->last_win[dir])
            snprintf(r->mark, sizeof(r->mark), "dup ack #%d", ++l->dupacks[dir]);
        else
            snprintf(r->mark, sizeof(r->mark), "window update");
    }
    if (!(f->flags & F_RST) && r->mark[0] != 'k' && r->mark[0] != 'w')
        l->probe[1 - dir] = 0;
    if ((f->flags & F_ACK) && strncmp(r->mark, "dup ack", 7) != 0)
        l->dupacks[dir] = 0;   /* RFC 5681 2: a changed window or data ends a run of duplicates */
    if (span && (!l->have_high[dir] || seq_before(l->high[dir], end))) {
        l->high[dir] = end;
        l->have_high[dir] = 1;
    }
    if (f->flags & F_ACK) {
        l->last_ack[dir] = f->ack;
        l->last_win[dir] = r->win;
        l->have_ack[dir] = 1;
    }
}

void ladder_note(struct ladder *l, synack_time_t t, const char *text, int sl, int sr)
{
    struct ladder_row *r = new_row(l);
    if (!r)
        return;
    r->t = t;
    r->dir = -1;
    r->state[0] = sl;
    r->state[1] = sr;
    snprintf(r->note, sizeof(r->note), "%s", text);
}

void ladder_elide(struct ladder *l, size_t head, size_t tail, const char *hint)
{
    if (l->n <= head + tail + 1)
        return;
    size_t gone = l->n - head - tail;
    struct ladder_row *note = &l->rows[head];
    synack_time_t t = note->t;
    memmove(&l->rows[head + 1], &l->rows[l->n - tail], tail * sizeof(*l->rows));
    memset(note, 0, sizeof(*note));
    note->t = t;
    note->dir = -1;
    note->state[0] = note->state[1] = -1;
    snprintf(note->note, sizeof(note->note), "... %zu segments not shown%s%s ...", gone, hint && *hint ? "; " : "",
             hint ? hint : "");
    l->n = head + 1 + tail;
}

/* The arrow's label: flags, seq[:end], ack, window, length, and the options if with_opts. */
static void label(const struct ladder *l, const struct ladder_row *r, int absolute, char *buf, size_t cap,
                  int with_opts)
{
    char fl[12];
    synack_tcp_flags_str(r->flags, fl);
    uint32_t seq = absolute ? r->seq : r->seq - l->isn[r->dir];
    uint32_t ack = absolute ? r->ack : r->ack - l->isn[1 - r->dir];
    size_t n = (size_t)snprintf(buf, cap, "%s seq %u", fl, seq);
    if (r->len && n < cap)
        n += (size_t)snprintf(buf + n, cap - n, ":%u", seq + r->len);
    if ((r->flags & F_ACK) && n < cap)
        n += (size_t)snprintf(buf + n, cap - n, " ack %u", ack);
    if (n < cap)
        n += (size_t)snprintf(buf + n, cap - n, " win %u", r->win);
    if (r->len && n < cap)
        n += (size_t)snprintf(buf + n, cap - n, " len %u", r->len);
    if (with_opts && r->opts[0] && n < cap)
        snprintf(buf + n, cap - n, " <%s>", r->opts);
}

static const char *state_str(int s) { return s < 0 ? "" : synack_tcp_state_name(s); }

/* Writes `count` copies of a (possibly multi-byte) string. */
static void rep(FILE *f, const char *s, int count)
{
    for (int i = 0; i < count; i++)
        fputs(s, f);
}

#define ARROW_W 58
#define LABEL_MAX (ARROW_W - 6)

void ladder_print_text(const struct ladder *l, FILE *f, int color, int absolute)
{
    const char *reset = color ? "\033[0m" : "", *dim = color ? "\033[2m" : "";
    /* The right name starts where the right state column does. */
    int w = fprintf(f, "%-10s %s", "time (s)", l->name[0]);
    fprintf(f, "%*s%s\n", w < 10 + 1 + 13 + 1 + ARROW_W + 1 ? 10 + 1 + 13 + 1 + ARROW_W + 1 - w : 1, "", l->name[1]);
    int prev[2] = { -2, -2 };
    for (size_t i = 0; i < l->n; i++) {
        const struct ladder_row *r = &l->rows[i];
        const char *c = "";
        if (color) {
            if (r->lost || (r->flags & F_RST))
                c = "\033[31m";
            else if (r->mark[0] == 'r')
                c = "\033[35m";
            else if (r->flags & F_SYN)
                c = "\033[32m";
            else if (r->flags & F_FIN)
                c = "\033[33m";
            else if (r->mark[0])
                c = "\033[36m";
        }
        /* A side's state is shown on the rows where it changes (-1: no change known). */
        char sl[16], sr[16];
        snprintf(sl, sizeof(sl), "%s", r->state[0] == prev[0] ? "" : state_str(r->state[0]));
        snprintf(sr, sizeof(sr), "%s", r->state[1] == prev[1] ? "" : state_str(r->state[1]));
        if (r->state[0] >= 0)
            prev[0] = r->state[0];
        if (r->state[1] >= 0)
            prev[1] = r->state[1];
        fprintf(f, "%10.6f %-13s ", (double)r->t / 1e6, sl);
        if (r->dir < 0) {
            fprintf(f, "%s%-*s%s %s\n", dim, ARROW_W + 1, r->note, reset, sr);
            continue;
        }
        /* Options ride on the arrow when they fit, else at the end of the line. */
        char lab[200];
        label(l, r, absolute, lab, sizeof(lab), 1);
        int opts_after = 0;
        if (strlen(lab) > LABEL_MAX) {
            label(l, r, absolute, lab, sizeof(lab), 0);
            opts_after = r->opts[0] != 0;
        }
        int lw = (int)strlen(lab);
        if (lw > LABEL_MAX)
            lw = LABEL_MAX;
        int fill = ARROW_W - 4 - lw;
        fputs(c, f);
        if (r->dir == 0) {
            fputs("──", f);
            fprintf(f, "%.*s", lw, lab);
            rep(f, "─", fill);
            fputs(r->lost ? "─✗" : "─▶", f);
        } else {
            fputs(r->lost ? "✗─" : "◀─", f);
            rep(f, "─", fill);
            fprintf(f, "%.*s", lw, lab);
            fputs("──", f);
        }
        fputs(reset, f);
        fprintf(f, " %-13s", sr);
        if (r->lost || r->mark[0])
            fprintf(f, " %s%s%s%s%s", c, r->lost ? "LOST" : "", r->lost && r->mark[0] ? ", " : "", r->mark, reset);
        if (opts_after)
            fprintf(f, " %s<%s>%s", dim, r->opts, reset);
        fputc('\n', f);
    }
}

static void svg_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '<') fputs("&lt;", f);
        else if (*s == '>') fputs("&gt;", f);
        else if (*s == '&') fputs("&amp;", f);
        else if (*s == '"') fputs("&quot;", f);
        else if ((unsigned char)*s < 0x20) fputc(' ', f);   /* not allowed in XML 1.0 */
        else fputc(*s, f);
    }
}

/* Each row: the options (small) and the label above the arrow, which falls 20 px from left to right;
 * rows are far enough apart that neither touches the arrow of the row above. */
enum { SVG_LEFT = 170, SVG_RIGHT = 650, SVG_WIDTH = 820, SVG_STEP = 44 };

static int svg_names_y(const struct ladder *l) { return l->title[0] ? 50 : 26; }
static int svg_top(const struct ladder *l) { return svg_names_y(l) + 44; }
static int svg_height(const struct ladder *l) { return svg_top(l) + (int)l->n * SVG_STEP + 30; }

/* One ladder, its top at y0. */
static void svg_ladder(const struct ladder *l, FILE *f, int absolute, int y0)
{
    const int left = SVG_LEFT, right = SVG_RIGHT, top = y0 + svg_top(l), step = SVG_STEP;
    int bottom = y0 + svg_height(l) - 10;
    int names_y = y0 + svg_names_y(l);
    if (l->title[0]) {
        fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-weight=\"bold\" font-size=\"13\">",
                (left + right) / 2, y0 + 24);
        svg_text(f, l->title);
        fprintf(f, "</text>\n");
    }
    fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-weight=\"bold\">", left, names_y);
    svg_text(f, l->name[0]);
    fprintf(f, "</text>\n<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-weight=\"bold\">", right, names_y);
    svg_text(f, l->name[1]);
    fprintf(f, "</text>\n");
    fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#444\"/>\n", left, names_y + 10, left, bottom);
    fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#444\"/>\n", right, names_y + 10, right,
            bottom);
    int prev[2] = { -2, -2 };
    for (size_t i = 0; i < l->n; i++) {
        const struct ladder_row *r = &l->rows[i];
        int y = top + (int)i * step;
        fprintf(f, "<text x=\"4\" y=\"%d\" fill=\"#888\">%.6f</text>\n", y + 4, (double)r->t / 1e6);
        for (int s = 0; s < 2; s++)
            if (r->state[s] >= 0 && r->state[s] != prev[s]) {
                fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"%s\" fill=\"#036\">%s</text>\n",
                        s == 0 ? left - 8 : right + 8, y + 4, s == 0 ? "end" : "start", state_str(r->state[s]));
                prev[s] = r->state[s];
            }
        if (r->dir < 0) {
            fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#666\">", (left + right) / 2, y + 4);
            svg_text(f, r->note);
            fprintf(f, "</text>\n");
            continue;
        }
        const char *colr = r->lost || (r->flags & F_RST) ? "#c00"
                           : r->mark[0] == 'r'             ? "#a0a"
                           : (r->flags & F_SYN)            ? "#080"
                           : (r->flags & F_FIN)            ? "#a60"
                           : r->mark[0]                    ? "#07a"
                                                           : "#000";
        int x1 = r->dir == 0 ? left : right, x2 = r->dir == 0 ? right : left;
        if (r->lost)
            x2 = (x1 + x2) / 2;
        fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"1.5\" %s/>\n", x1,
                y - 6, x2, y + 14, colr, r->lost ? "stroke-dasharray=\"4,3\"" : "marker-end=\"url(#arr)\"");
        char lab[240];
        label(l, r, absolute, lab, sizeof(lab), 0);
        if (r->lost || r->mark[0]) {
            size_t n = strlen(lab);
            snprintf(lab + n, sizeof(lab) - n, "  [%s%s%s]", r->lost ? "lost" : "", r->lost && r->mark[0] ? ", " : "",
                     r->mark);
        }
        fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"%s\">", (left + right) / 2, y - 9, colr);
        svg_text(f, lab);
        fprintf(f, "</text>\n");
        if (r->opts[0]) {
            fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#777\" font-size=\"10\">&lt;",
                    (left + right) / 2, y - 22);
            svg_text(f, r->opts);
            fprintf(f, "&gt;</text>\n");
        }
    }
}

void ladder_print_svg_many(const struct ladder *const *ls, size_t n, FILE *f, int absolute)
{
    int height = 0;
    for (size_t i = 0; i < n; i++)
        height += svg_height(ls[i]);
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"monospace\" "
               "font-size=\"12\">\n", SVG_WIDTH, height);
    fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
    fprintf(f, "<defs><marker id=\"arr\" markerWidth=\"10\" markerHeight=\"10\" refX=\"9\" refY=\"3\" "
               "orient=\"auto\"><path d=\"M0,0 L9,3 L0,6 z\" fill=\"context-stroke\"/></marker></defs>\n");
    int y = 0;
    for (size_t i = 0; i < n; i++) {
        if (i)
            fprintf(f, "<line x1=\"0\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#ccc\"/>\n", y, SVG_WIDTH, y);
        svg_ladder(ls[i], f, absolute, y);
        y += svg_height(ls[i]);
    }
    fprintf(f, "</svg>\n");
}

void ladder_print_svg(const struct ladder *l, FILE *f, int absolute) { ladder_print_svg_many(&l, 1, f, absolute); }
