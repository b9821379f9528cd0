/* A reference model for the SACK scoreboard (src/tcp/tcp_sack.c), shared by its unit test and its
 * fuzz target: a byte-string program of operations (SACK blocks, SND.UNA advancing, more data sent)
 * runs against both the scoreboard and a bitmap of SACKed bytes, near the 2^32 wrap; after each
 * operation the scoreboard's invariants and every answer it gives are checked against the bitmap.
 * Returns NULL if all held, else what failed. */
#ifndef TESTS_LIB_SACK_MODEL_H
#define TESTS_LIB_SACK_MODEL_H

#include <stdint.h>
#include <string.h>

#include "tcp/tcp_sack.h"
#include "tcp/tcp_seq.h"

#define SM_SPAN 12000u
#define SM_BASE 0xFFFFE000u   /* offsets from here cross the wrap */

struct sack_model {
    uint8_t bit[SM_SPAN];     /* SACKed, by offset from SM_BASE */
    uint32_t una, max;        /* offsets */
    int lossy;                /* the scoreboard was full once: it may know less than the model */
};

static inline uint32_t sm_seq(uint32_t off) { return SM_BASE + off; }

/* The rules of tcp_sack_update, written plainly over the bitmap. */
static inline uint32_t sm_update(struct sack_model *m, const struct tcp_opts *o, uint32_t ack_off, int *dsack)
{
    uint32_t newly = 0;
    *dsack = 0;
    for (unsigned k = 0; k < o->sack_count; k++) {
        uint32_t l = o->sack[k][0], r = o->sack[k][1];
        uint32_t una = sm_seq(m->una), max = sm_seq(m->max);
        if (!seq_lt(l, r) || r - l > max - una + (seq_lt(l, una) ? una - l : 0))
            continue;
        if (k == 0 && (seq_leq(r, sm_seq(ack_off)) ||
                       (o->sack_count > 1 && seq_geq(l, o->sack[1][0]) && seq_leq(r, o->sack[1][1]) &&
                        seq_lt(o->sack[1][0], o->sack[1][1])))) {
            *dsack = 1;
            continue;
        }
        if (seq_gt(r, max))
            continue;
        if (seq_lt(l, una))
            l = una;
        for (uint32_t s = l; seq_lt(s, r); s++) {
            uint32_t off = s - SM_BASE;
            if (!m->bit[off]) {
                m->bit[off] = 1;
                newly++;
            }
        }
    }
    return newly;
}

static inline const char *sm_check(const struct sack_model *m, const struct tcp_sack_sb *sb, uint32_t mss)
{
    uint32_t sum = 0;
    if (sb->n > TCP_SACK_MAX_RANGES)
        return "too many ranges";
    for (uint32_t k = 0; k < sb->n; k++) {
        uint32_t l = sb->r[k][0], r = sb->r[k][1];
        if (!seq_lt(l, r))
            return "empty or reversed range";
        if (seq_lt(l, sm_seq(m->una)) || seq_gt(r, sm_seq(m->max)))
            return "range outside [una, snd_max)";
        if (k && !seq_lt(sb->r[k - 1][1], l))
            return "ranges unsorted, overlapping or adjacent";
        for (uint32_t s = l; seq_lt(s, r); s++)
            if (!m->bit[s - SM_BASE])
                return "a byte the peer never SACKed is marked SACKed";
        sum += r - l;
    }
    if (sum != sb->sacked)
        return "sacked total wrong";
    if (m->lossy)
        return NULL;
    /* Exact while nothing was forgotten: same bytes, same holes, same loss edge, same pipe. */
    uint32_t msum = 0;
    for (uint32_t off = m->una; off < m->max; off++) {
        msum += m->bit[off];
        /* holds() is asked at each byte on either side of an edge of the bitmap (where a wrong
         * answer shows first); asking at every byte made the check cost O(span * ranges). */
        int edge = off == m->una || off + 1 == m->max || m->bit[off] != m->bit[off - 1] ||
                   m->bit[off] != m->bit[off + 1];
        if (edge && m->bit[off] != tcp_sack_holds(sb, sm_seq(off), NULL))
            return "holds() disagrees with the model";
    }
    if (msum != sb->sacked)
        return "the model holds other bytes";
    /* Loss edge: the lowest offset from which on fewer than 3 runs and at most 2*mss bytes lie above. */
    uint32_t edge = m->una, runs = 0, bytes = 0;
    for (uint32_t off = m->max; off-- > m->una;) {
        if (m->bit[off]) {
            bytes++;
            if (off + 1 == m->max || !m->bit[off + 1])
                runs++;
            if (!(off > m->una && m->bit[off - 1]) && (runs >= 3 || bytes > 2 * mss)) {
                edge = off;
                break;
            }
        }
    }
    if (tcp_sack_lost_edge(sb, sm_seq(m->una), mss) != sm_seq(edge))
        return "loss edge disagrees with the model";
    uint32_t hr = m->una + (m->max - m->una) / 3, pipe = 0;
    for (uint32_t off = m->una; off < m->max; off++)
        if (!m->bit[off])
            pipe += (off >= edge) + (off < hr);
    if (tcp_sack_pipe(sb, sm_seq(m->una), sm_seq(m->max), sm_seq(hr), sm_seq(edge)) != pipe)
        return "pipe disagrees with the model";
    uint32_t st, len;
    int got = tcp_sack_next_hole(sb, sm_seq(m->una), sm_seq(m->max), &st, &len);
    uint32_t off = m->una;
    while (off < m->max && m->bit[off])
        off++;
    if (got != (off < m->max))
        return "next_hole existence disagrees";
    if (got) {
        uint32_t e = off;
        while (e < m->max && !m->bit[e])
            e++;
        if (st != sm_seq(off) || len != e - off)
            return "next_hole disagrees";
    }
    return NULL;
}

/* Runs the program: 0x00-0x9f SACK blocks, 0xa0-0xcf SND.UNA advances, 0xd0-0xff more is sent. */
static inline const char *sack_model_run(const uint8_t *p, size_t n)
{
    static struct sack_model m;   /* 12 kB: not on a fuzzer's stack (test-only static) */
    memset(&m, 0, sizeof(m));
    m.max = 3000;
    struct tcp_sack_sb sb;
    tcp_sack_clear(&sb);
    const uint32_t mss = 100;
    size_t i = 0;
    while (i < n) {
        uint8_t op = p[i++];
        if (op < 0xa0) {
            struct tcp_opts o;
            memset(&o, 0, sizeof(o));
            o.sack_count = (uint8_t)(op % 5);
            for (unsigned k = 0; k < o.sack_count; k++) {
                if (i + 4 > n)
                    return NULL;
                uint32_t lo = (uint32_t)(p[i] | p[i + 1] << 8) % (SM_SPAN + 800);
                uint32_t ln = (uint32_t)(p[i + 2] | p[i + 3] << 8) % 2500;
                i += 4;
                /* Offsets may fall below 0 and past the span: impossible blocks must be refused. */
                o.sack[k][0] = SM_BASE + lo - 400;
                o.sack[k][1] = (op & 0x80) ? SM_BASE + lo - 400 - ln : SM_BASE + lo - 400 + ln;
            }
            uint32_t before = sb.n;
            struct tcp_sack_news news;
            tcp_sack_update(&sb, &o, sm_seq(m.una), sm_seq(m.una), sm_seq(m.max), &news);
            int dsack;
            uint32_t newly = sm_update(&m, &o, m.una, &dsack);
            if (before == TCP_SACK_MAX_RANGES || sb.n == TCP_SACK_MAX_RANGES)
                m.lossy = 1;
            if (!m.lossy && newly != news.newly)
                return "newly SACKed bytes disagree";
            if (dsack != news.dsack)
                return "D-SACK detection disagrees";
        } else if (op < 0xd0) {
            uint32_t adv = (uint32_t)(op - 0xa0) * 37;
            if (m.una + adv > m.max)
                adv = m.max - m.una;
            m.una += adv;
            tcp_sack_advance(&sb, sm_seq(m.una));
        } else {
            uint32_t more = (uint32_t)(op - 0xd0) * 61;
            if (m.max + more > SM_SPAN)
                more = SM_SPAN - m.max;
            m.max += more;
        }
        const char *why = sm_check(&m, &sb, mss);
        if (why)
            return why;
    }
    return NULL;
}

#endif
