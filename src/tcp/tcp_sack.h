/* The sender's SACK scoreboard (RFC 2018, RFC 6675 3): which bytes above SND.UNA the peer has
 * reported holding, as a sorted list of disjoint ranges, and the questions loss recovery asks of it
 * (IsLost, the holes, the pipe). Pure functions on the scoreboard, no connection: unit-tested and
 * fuzzed on their own (tests/unit/test_tcp_sack.c, tests/fuzz/fuzz_sack.c).
 *
 * Bounded against a hostile peer (the lesson of 2019's "SACK Panic" and "SACK Slowness"): an ACK
 * brings at most four blocks; each is checked (ordered edges, inside [SND.UNA, SND.MAX), not longer
 * than that) and merged into at most TCP_SACK_MAX_RANGES ranges, so one ACK costs O(blocks x ranges)
 * and the scoreboard a fixed size, whatever the blocks say. When the list is full a new range that
 * cannot merge is ignored, and so is the highest one when a lower range arrives: the sender then
 * knows less, never something false (an unreported byte is only retransmitted sooner or later). */
#ifndef TCP_SACK_H
#define TCP_SACK_H

#include <stdint.h>

#include "wire/tcp.h"

#define TCP_SACK_MAX_RANGES 32

struct tcp_sack_sb {
    uint32_t n;                              /* ranges held */
    uint32_t sacked;                         /* bytes they cover */
    uint32_t r[TCP_SACK_MAX_RANGES][2];      /* [left, right), ascending, disjoint, not adjacent */
};

/* What one ACK's SACK option told the scoreboard. */
struct tcp_sack_news {
    uint32_t newly;       /* bytes SACKed for the first time */
    int dsack;            /* the first block reported a duplicate (RFC 2883 4) */
    uint32_t dsack_l, dsack_r;
    unsigned invalid;     /* blocks ignored as impossible */
};

void tcp_sack_clear(struct tcp_sack_sb *sb);
/* Takes the blocks of an ACK whose cumulative ACK is `ack` (already checked acceptable), for data
 * in [una, snd_max) (una: SND.UNA after this ACK). */
void tcp_sack_update(struct tcp_sack_sb *sb, const struct tcp_opts *o, uint32_t ack, uint32_t una,
                     uint32_t snd_max, struct tcp_sack_news *news);
/* SND.UNA moved to una: ranges below it go. */
void tcp_sack_advance(struct tcp_sack_sb *sb, uint32_t una);
/* Is seq SACKed? If so *end is the end of its range. */
int tcp_sack_holds(const struct tcp_sack_sb *sb, uint32_t seq, uint32_t *end);
/* RFC 6675 IsLost for every unSACKed byte at once: the sequence number below which an unSACKed byte
 * counts as lost (DupThresh = 3 discontiguous SACKed ranges above it, or more than 2 * mss bytes
 * SACKed above it). `una` if nothing is lost. */
uint32_t tcp_sack_lost_edge(const struct tcp_sack_sb *sb, uint32_t una, uint32_t mss);
/* The first unSACKed byte at or after `from` and below `limit`, and how many unSACKed bytes follow
 * it contiguously (up to limit). Returns 0 if there is none. sb may be NULL (a connection whose
 * scoreboard is not allocated, or was given back while idle): nothing is SACKed. */
int tcp_sack_next_hole(const struct tcp_sack_sb *sb, uint32_t from, uint32_t limit, uint32_t *start, uint32_t *len);
/* RFC 6675 SetPipe: the octets in flight between una and snd_max: unSACKed ones not lost (at or
 * above `edge`, from tcp_sack_lost_edge or a later one RACK found), plus unSACKed ones
 * retransmitted (below high_rxt). sb may be NULL, as for tcp_sack_next_hole. */
uint32_t tcp_sack_pipe(const struct tcp_sack_sb *sb, uint32_t una, uint32_t snd_max, uint32_t high_rxt,
                       uint32_t edge);

#endif
