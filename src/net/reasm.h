/* IPv4 fragment reassembly (RFC 791 3.2, RFC 815). Each datagram in progress keeps its bytes in
 * one buffer and a sorted list of the ranges received. Exact duplicates are ignored, fragments that
 * overlap data already held are dropped (never merged: the teardrop/overlap attacks), memory is
 * bounded per stack, and an unfinished datagram is abandoned after the timeout. */
#ifndef NET_REASM_H
#define NET_REASM_H

#include <stddef.h>
#include <stdint.h>

#include "core/timer.h"
#include "wire/ip4.h"
#include "synack/types.h"

#define REASM_MAX_DGRAMS 64
#define REASM_MAX_FRAGS 64

struct reasm_dgram {
    int used;
    uint32_t src, dst;
    uint16_t id;
    uint8_t proto;
    uint8_t hdr[IP4_HDR_MAX];   /* the first fragment's header (offset 0) */
    uint8_t hdr_len;
    uint8_t *data;              /* payload bytes, grown as fragments arrive */
    size_t cap;
    size_t total;               /* payload length once the last fragment is seen, else 0 */
    unsigned nfrags;
    uint32_t ranges[REASM_MAX_FRAGS][2];   /* [start, end) sorted, non-overlapping */
    struct timer timer;
    synack_stack_t *st;
};

struct reasm_table {
    struct reasm_dgram d[REASM_MAX_DGRAMS];
    size_t mem;                  /* bytes held */
};

/* The buffer of a packet in reassembly, of either family (IPv6's, reasm6.c, too): both count
 * against one budget, st->cfg.reasm_mem_limit, held in the reasm_table's `mem`. Grows *data, of
 * *cap bytes, to hold at least `need` (doubling from 2 KiB, 65535 at most); 0, -ENOBUFS when the
 * budget would be exceeded, or -ENOMEM. */
int reasm_buf_grow(synack_stack_t *st, uint8_t **data, size_t *cap, size_t need);
/* Gives a buffer back, to the allocator and to the budget. */
void reasm_buf_free(synack_stack_t *st, uint8_t **data, size_t *cap);

void reasm_init(synack_stack_t *st, struct reasm_table *t);
void reasm_free(synack_stack_t *st, struct reasm_table *t);
/* Adds a fragment (pkt is the whole IP packet, already validated as h). When the datagram is
 * complete, returns 1 and sets *out and *out_len to a freshly allocated whole IP packet that the caller
 * must free(). Otherwise returns 0 (kept or dropped; counted). */
int reasm_add(synack_stack_t *st, const struct ip4_hdr *h, const uint8_t *pkt, uint8_t **out,
              size_t *out_len, synack_time_t now);

#endif
