/* Sockets: the per-stack table of small integers, each naming a UDP endpoint or a TCP connection or
 * listener, with its readiness handler and pending error. The transports raise events through the
 * upcalls this layer registers with them (tcp_set_upcalls, udp_set_upcalls); the events are queued
 * and delivered after processing, through the upcall registered with the entry bracket. */
#ifndef SOCKET_SOCK_H
#define SOCKET_SOCK_H

#include <stdint.h>

#include "core/buf.h"
#include "synack/socket.h"

struct tcp_conn;
struct udp_pcb;

/* 80 bytes (a slot per socket: a million idle connections hold a million of them), so the small
 * fields are bytes, in one word. Slots are carved from blocks of SOCK_CHUNK (struct sock_table), so
 * a slot costs its 80 bytes and no allocator's header or rounding. */
struct sock {
    int id;                          /* the handle: generation and slot */
    int error;                       /* pending SO_ERROR (negative errno) */
    synack_socket_handler_fn handler;
    void *handler_arg;
    struct udp_pcb *udp;             /* UDP's endpoint (udp.h) */
    struct tcp_conn *conn;           /* TCP's connection (tcp.h); NULL once TCP freed it */
    uint8_t type;                    /* enum synack_sock_type */
    uint8_t notify_queued;
    uint8_t bound;
    uint8_t connected;               /* UDP: default destination set */
    struct synack_sockaddr local;
    struct synack_sockaddr remote;
};

/* A socket handle: the slot in the low SOCK_SLOT_BITS, the slot's generation above (a handle stays
 * a non-negative int). */
#define SOCK_SLOT_BITS 20u
#define SOCK_SLOT_MASK ((1u << SOCK_SLOT_BITS) - 1u)
#define SOCK_GEN_MAX ((1u << (31u - SOCK_SLOT_BITS)) - 1u)

/* Slots per block: slot i is block i / SOCK_CHUNK's entry i % SOCK_CHUNK, in use if its bit in
 * that block's mask is set. A block is allocated when a slot of it is first taken and freed when
 * its last socket closes. */
#define SOCK_CHUNK 64u

/* The socket layer's part of the stack object. */
struct sock_table {
    struct sock **chunk;              /* per block: its SOCK_CHUNK slots, or NULL (none in use) */
    uint64_t *used;                   /* per block: the slots in use, a bit each */
    uint16_t *gen;                    /* per slot: generation of its current (or next) socket */
    int nsocks;                       /* slots (a multiple of SOCK_CHUNK) */
    int free_hint;                    /* no slot below this one is free (so opening is not O(n)) */
    int *notify;                      /* socket ids with events to deliver */
    int nnotify, notify_cap;
};

/* Creates the table and registers event delivery with the entry bracket (st->deliver). */
int sock_table_new(synack_stack_t *st);
/* The socket a handle names, or NULL if none (closed, or a stale handle to a reused slot). */
struct sock *sock_get(synack_stack_t *st, int id);
/* Allocates a socket slot. Returns NULL on failure. */
struct sock *sock_alloc(synack_stack_t *st, enum synack_sock_type type);
void sock_release(synack_stack_t *st, struct sock *s);
/* Queues a readiness notification for s (delivered after the stack returns). */
void sock_notify(synack_stack_t *st, struct sock *s);
void sock_table_free(synack_stack_t *st);
/* Iterates sockets in slot order: the next socket after the one whose handle is `after` (-1: the
 * first), or NULL. */
struct sock *sock_next(synack_stack_t *st, int after);

#endif
