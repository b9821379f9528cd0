/* The sender's SACK scoreboard; see tcp_sack.h. */
#include "base/mem.h"

#include "tcp/tcp_sack.h"
#include "tcp/tcp_seq.h"

void tcp_sack_clear(struct tcp_sack_sb *sb)
{
    sb->n = 0;
    sb->sacked = 0;
}

static uint32_t overlap(uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
    uint32_t l = seq_gt(a, c) ? a : c;
    uint32_t r = seq_lt(b, d) ? b : d;
    return seq_lt(l, r) ? r - l : 0;
}

/* Merges [l, r) in; returns the bytes it added. */
static uint32_t insert(struct tcp_sack_sb *sb, uint32_t l, uint32_t r)
{
    uint32_t i = 0;
    while (i < sb->n && seq_lt(sb->r[i][1], l))
        i++;   /* ranges wholly below (and not adjacent) */
    uint32_t j = i, covered = 0, nl = l, nr = r;
    while (j < sb->n && seq_leq(sb->r[j][0], r)) {
        covered += overlap(sb->r[j][0], sb->r[j][1], l, r);
        if (seq_lt(sb->r[j][0], nl))
            nl = sb->r[j][0];
        if (seq_gt(sb->r[j][1], nr))
            nr = sb->r[j][1];
        j++;
    }
    if (j > i) {
        /* Ranges i..j-1 touch [l, r): one range replaces them. */
        uint32_t before = 0;
        for (uint32_t k = i; k < j; k++)
            before += sb->r[k][1] - sb->r[k][0];
        sb->r[i][0] = nl;
        sb->r[i][1] = nr;
        uint32_t gone = j - i - 1;
        if (gone)
            memmove(&sb->r[i + 1], &sb->r[j], (sb->n - j) * sizeof(sb->r[0]));
        sb->n -= gone;
        sb->sacked += (nr - nl) - before;
        return (r - l) - covered;
    }
    if (sb->n == TCP_SACK_MAX_RANGES) {
        if (i == sb->n)
            return 0;   /* full, and this would be the highest: ignored (tcp_sack.h) */
        sb->n--;        /* full: the highest range is forgotten to make room below */
        sb->sacked -= sb->r[sb->n][1] - sb->r[sb->n][0];
    }
    memmove(&sb->r[i + 1], &sb->r[i], (sb->n - i) * sizeof(sb->r[0]));
    sb->r[i][0] = l;
    sb->r[i][1] = r;
    sb->n++;
    sb->sacked += r - l;
    return r - l;
}

void tcp_sack_update(struct tcp_sack_sb *sb, const struct tcp_opts *o, uint32_t ack, uint32_t una,
                     uint32_t snd_max, struct tcp_sack_news *news)
{
    memset(news, 0, sizeof(*news));
    unsigned cnt = o->sack_count > TCP_MAX_SACK_BLOCKS ? TCP_MAX_SACK_BLOCKS : o->sack_count;
    for (unsigned k = 0; k < cnt; k++) {
        uint32_t l = o->sack[k][0], r = o->sack[k][1];
        if (!seq_lt(l, r) || r - l > snd_max - una + (seq_lt(l, una) ? una - l : 0)) {
            news->invalid++;   /* empty, reversed, or longer than anything outstanding */
            continue;
        }
        /* RFC 2883 4: a first block below the cumulative ACK, or inside the second block, reports
         * a duplicate (D-SACK), not data held above SND.UNA. */
        if (k == 0 && (seq_leq(r, ack) ||
                       (cnt > 1 && seq_geq(l, o->sack[1][0]) && seq_leq(r, o->sack[1][1]) &&
                        seq_lt(o->sack[1][0], o->sack[1][1])))) {
            news->dsack = 1;
            news->dsack_l = l;
            news->dsack_r = r;
            continue;
        }
        if (seq_gt(r, snd_max)) {
            news->invalid++;   /* data we never sent */
            continue;
        }
        if (seq_lt(l, una))
            l = una;           /* the part below SND.UNA is acknowledged already */
        if (!seq_lt(l, r))
            continue;
        news->newly += insert(sb, l, r);
    }
}

void tcp_sack_advance(struct tcp_sack_sb *sb, uint32_t una)
{
    uint32_t k = 0;
    while (k < sb->n && seq_leq(sb->r[k][1], una)) {
        sb->sacked -= sb->r[k][1] - sb->r[k][0];
        k++;
    }
    if (k) {
        memmove(&sb->r[0], &sb->r[k], (sb->n - k) * sizeof(sb->r[0]));
        sb->n -= k;
    }
    if (sb->n && seq_lt(sb->r[0][0], una)) {
        sb->sacked -= una - sb->r[0][0];
        sb->r[0][0] = una;
    }
}

int tcp_sack_holds(const struct tcp_sack_sb *sb, uint32_t seq, uint32_t *end)
{
    for (uint32_t k = 0; k < sb->n; k++) {
        if (seq_lt(seq, sb->r[k][0]))
            return 0;
        if (seq_lt(seq, sb->r[k][1])) {
            if (end)
                *end = sb->r[k][1];
            return 1;
        }
    }
    return 0;
}

uint32_t tcp_sack_lost_edge(const struct tcp_sack_sb *sb, uint32_t una, uint32_t mss)
{
    uint32_t bytes = 0, count = 0;
    for (uint32_t k = sb->n; k-- > 0;) {
        count++;
        bytes += sb->r[k][1] - sb->r[k][0];
        if (count >= 3 || bytes > 2 * mss)
            return seq_gt(sb->r[k][0], una) ? sb->r[k][0] : una;
    }
    return una;
}

int tcp_sack_next_hole(const struct tcp_sack_sb *sb, uint32_t from, uint32_t limit, uint32_t *start, uint32_t *len)
{
    uint32_t s = from, end = limit;
    /* No scoreboard (none allocated yet, or given back while idle) is an empty one: nothing is
     * SACKed, so [from, limit) is one hole. */
    uint32_t n = sb ? sb->n : 0;
    for (uint32_t k = 0; k < n; k++) {
        if (seq_leq(sb->r[k][1], s))
            continue;
        if (seq_leq(sb->r[k][0], s)) {
            s = sb->r[k][1];
            continue;
        }
        end = sb->r[k][0];
        break;
    }
    if (seq_gt(end, limit))
        end = limit;
    if (!seq_lt(s, end))
        return 0;
    *start = s;
    *len = end - s;
    return 1;
}

uint32_t tcp_sack_pipe(const struct tcp_sack_sb *sb, uint32_t una, uint32_t snd_max, uint32_t high_rxt,
                       uint32_t edge)
{
    uint32_t pipe = 0, from = una, start, len;
    /* Each hole: its bytes above the loss edge are in flight as first sent; its bytes below
     * HighRxt are in flight as retransmitted (RFC 6675 4, SetPipe). */
    for (uint32_t guard = 0; guard <= TCP_SACK_MAX_RANGES && tcp_sack_next_hole(sb, from, snd_max, &start, &len);
         guard++) {
        uint32_t end = start + len;
        pipe += overlap(start, end, seq_gt(edge, start) ? edge : start, end);
        pipe += overlap(start, end, una, high_rxt);
        from = end;
    }
    return pipe;
}
