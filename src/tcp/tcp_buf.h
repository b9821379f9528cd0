/* Byte buffers for TCP: a ring for the send side (bytes from snd_una on, so retransmission reads at
 * an offset) and a ring plus a bounded out-of-order list for the receive side. Storage is allocated
 * on first use and grows up to the socket's limit, so a half-open connection costs no buffer. */
#ifndef TCP_BUF_H
#define TCP_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "synack/types.h"

struct tcp_ring {
    const struct synack_allocator *alloc;   /* the stack's */
    uint64_t *acct;  /* the stack's count of TCP buffer bytes (tcp_mem_used), or NULL */
    uint8_t *data;
    size_t cap;      /* allocated */
    size_t limit;    /* the most it may hold (SO_SNDBUF / SO_RCVBUF) */
    size_t head;     /* index of the first byte */
    size_t len;      /* bytes held */
};

void ring_init(struct tcp_ring *r, size_t limit, const struct synack_allocator *a, uint64_t *acct);
void ring_free(struct tcp_ring *r);
static inline size_t ring_space(const struct tcp_ring *r) { return r->limit > r->len ? r->limit - r->len : 0; }
/* Appends up to len bytes (bounded by space); returns bytes appended (0 if allocation fails). */
size_t ring_write(struct tcp_ring *r, const void *src, size_t len);
/* The same, but the storage grows to at most max(cap_max, what it has): for a writer held back by
 * the stack's memory ceiling. */
size_t ring_write_capped(struct tcp_ring *r, const void *src, size_t len, size_t cap_max);
/* Copies len bytes starting `off` bytes after the head into dst (off + len <= r->len). */
void ring_peek(const struct tcp_ring *r, size_t off, void *dst, size_t len);
/* Drops n bytes from the head. */
void ring_consume(struct tcp_ring *r, size_t n);
/* Changes the limit (never below what is held). */
void ring_set_limit(struct tcp_ring *r, size_t limit);

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
