/* Byte buffers for TCP: a ring for the send side (bytes from snd_una on, so retransmission reads at
 * an offset) and a ring plus a bounded out-of-order list for the receive side. Storage is allocated
 * on first use and grows up to the socket's limit, so a half-open connection costs no buffer. */
#ifndef TCP_BUF_H
#define TCP_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "synack/types.h"

/* What is the same for all of a stack's rings (the allocator, the count of TCP buffer bytes) is
 * passed in (struct tcp_ring_mem), and so is the most a ring may hold (SO_SNDBUF / SO_RCVBUF),
 * which its owner keeps: an empty ring with no storage is all zero, so a connection keeps its rings
 * in its working state, which an idle connection gives back (tcp_conn.h). Sizes are 32 bits (the
 * limits are at most tcp_rmem_max / tcp_wmem_max, unsigned). */
struct tcp_ring {
    uint8_t *data;
    uint32_t cap;    /* allocated */
    uint32_t head;   /* index of the first byte */
    uint32_t len;    /* bytes held */
};

/* Where a ring's storage comes from and is counted: the stack's allocator and tcp_mem_used. */
struct tcp_ring_mem {
    const struct synack_allocator *alloc;
    uint64_t *acct;  /* or NULL */
};

void ring_free(struct tcp_ring *r, const struct tcp_ring_mem *m);
/* Room below `limit` for a ring holding `len` bytes. */
static inline size_t ring_space(uint32_t len, uint32_t limit) { return limit > len ? limit - len : 0; }
/* Appends up to len bytes (bounded by the space below limit); returns bytes appended (0 if
 * allocation fails). */
size_t ring_write(struct tcp_ring *r, const struct tcp_ring_mem *m, uint32_t limit, const void *src, size_t len);
/* The same, but the storage grows to at most max(cap_max, what it has): for a writer held back by
 * the stack's memory ceiling. */
size_t ring_write_capped(struct tcp_ring *r, const struct tcp_ring_mem *m, uint32_t limit, const void *src, size_t len,
                         size_t cap_max);
/* Copies len bytes starting `off` bytes after the head into dst (off + len <= r->len). */
void ring_peek(const struct tcp_ring *r, size_t off, void *dst, size_t len);
/* The same, returning the Internet checksum's partial sum of the bytes copied (wire_csum_copy),
 * so a segment's payload is read once: copied and summed together. */
uint64_t ring_peek_csum(const struct tcp_ring *r, size_t off, void *dst, size_t len);
/* Copies len bytes after the ring's last byte, into storage it already has (r->len + len <=
 * r->cap; wrapping at the end of the storage), without adding them to the ring, and returns their
 * checksum partial sum (wire_csum_copy) as if they started at an even offset of the message. The
 * bytes are free space until ring_commit() adds them: a bad checksum leaves the ring as it was,
 * and any other write overwrites them (tcp_input.c: the receive side's checksum and copy in one). */
uint64_t ring_stage_csum(const struct tcp_ring *r, const void *src, size_t len);
/* Adds to the ring the len bytes ring_stage_csum() put after its last byte (nothing written or
 * consumed since). */
static inline void ring_commit(struct tcp_ring *r, size_t len) { r->len += (uint32_t)len; }
/* Drops n bytes from the head. */
void ring_consume(struct tcp_ring *r, size_t n);
/* A new limit for a ring holding `len` bytes: never below what is held, at most UINT32_MAX. */
static inline uint32_t ring_limit(uint32_t len, size_t limit)
{
    if (limit > UINT32_MAX)
        limit = UINT32_MAX;
    return limit < len ? len : (uint32_t)limit;
}

/* Out-of-order segments: a sorted list of non-overlapping [seq, seq+len) runs. */
struct tcp_ofo {
    struct tcp_ofo *next;
    uint32_t seq;
    uint32_t len;
    uint32_t cap;        /* bytes of data[] allocated (appending grows it, tcp_rcv.c) */
    int fin;             /* a FIN follows the last byte */
    uint8_t data[];
};

#endif
