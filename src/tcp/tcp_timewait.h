/* TIME-WAIT, every rule of it in one module (tcp_timewait.c).
 *
 * A connection in TIME-WAIT is held by one of two blocks: its full struct tcp_conn while the
 * application still holds the socket (it may read what is left, and must see the end), or, once the
 * application has let go, a small struct tcp_tw with only what RFC 9293 3.10.7.4 still needs. The
 * rules are written once and apply to both: entering TIME-WAIT and which block holds it, the 2*MSL
 * timer and its restart, the ACK of a retransmitted FIN, ignoring resets (RFC 1337), reopening the
 * 4-tuple for a new SYN (RFC 6191), the bound on small entries (tcp_max_tw) and the port a
 * TIME-WAIT connection keeps. */
#ifndef TCP_TIMEWAIT_H
#define TCP_TIMEWAIT_H

#include <stdint.h>

#include "core/timer.h"
#include "synack/socket.h"
#include "tcp/tcp_conn.h"

struct tcp_seg;
struct tcp_table;

/* TIME-WAIT after the application has closed: what RFC 9293 3.10.7.4 still needs, nothing else,
 * in 60 bytes whatever the address family. Entries live in chunks of the table (below) and name
 * each other by 32-bit index (0: none); they hold no pointer to the stack. The local address is an
 * index into the table's few interned local addresses; our TSval offset is not kept but computed
 * again from the 4-tuple (tcp_ts_offset) for the rare ACK sent from TIME-WAIT. */
struct tcp_tw {
    struct synack_ip raddr;
    uint32_t snd_nxt, rcv_nxt;
    uint32_t ts_recent;              /* RFC 7323 TS.Recent */
    uint32_t id;                     /* the connection's id, kept for traces */
    uint32_t deadline;               /* 2*MSL: the low 32 bits of the time in microseconds */
    uint32_t hnext;                  /* the hash chain; the free list */
    uint32_t prev, next;             /* the expiry list, earliest deadline first */
    uint16_t lport, rport;
    uint16_t laddr;                  /* index into tcp_tw_table.la */
    uint16_t rcv_wnd;                /* the window field our last ACK carried */
    uint8_t tos;                     /* the connection's IP_TOS, for the ACKs it still sends */
    uint8_t ts_ok;                   /* timestamps were agreed: ACKs carry TSopt, PAWS applies */
};

/* The table of small entries, part of struct tcp_table (tcp_twtab.c). Entries are carved from
 * chunks of TCP_TW_CHUNK (no allocator header per entry), hashed by 4-tuple (SipHash, chains of
 * indices), and kept in one list ordered by deadline behind a single timer of the stack: entries
 * all live 2*MSL, so a new or restarted one goes at the tail. */
#define TCP_TW_CHUNK_SHIFT 8u
#define TCP_TW_CHUNK (1u << TCP_TW_CHUNK_SHIFT)
struct tcp_tw_laddr {
    struct synack_ip ip;
    uint32_t refs;                   /* entries naming it; 0: the slot is free */
};
struct tcp_tw_table {
    struct tcp_tw **chunk;
    uint32_t nchunk, chunk_cap;
    uint32_t hiwat;                  /* indices 1..hiwat have been handed out from the chunks */
    uint32_t free;                   /* freed entries, through hnext */
    uint32_t n;                      /* live entries */
    uint32_t *bucket;
    uint32_t nbucket;
    uint32_t head, tail;             /* the expiry list */
    struct timer timer;              /* at the head's deadline */
    struct tcp_tw_laddr *la;
    uint32_t nla;
};

static inline struct tcp_tw *tcp_tw_at(const struct tcp_tw_table *tab, uint32_t i)
{
    i--;
    return &tab->chunk[i >> TCP_TW_CHUNK_SHIFT][i & (TCP_TW_CHUNK - 1u)];
}

/* The table (tcp_twtab.c). */
int tcp_timewait_table_new(synack_stack_t *st, struct tcp_table *t);
void tcp_timewait_table_free(synack_stack_t *st);
/* A new entry for (local, remote), expiring at `deadline` (full time), inserted in the hash and the
 * expiry list with everything else zero; 0 if there is no memory or no room for its address. */
uint32_t tcp_twtab_add(synack_stack_t *st, const struct tcp_end *local, const struct tcp_end *remote,
                       synack_time_t deadline);
void tcp_twtab_del(synack_stack_t *st, uint32_t i);
uint32_t tcp_twtab_lookup(synack_stack_t *st, const struct tcp_end *local, const struct tcp_end *remote);
/* Moves entry i's deadline (restarts its 2*MSL). */
void tcp_twtab_rearm(synack_stack_t *st, uint32_t i, synack_time_t deadline);
/* The full deadline of an entry, and its two ends. */
synack_time_t tcp_twtab_deadline(synack_stack_t *st, const struct tcp_tw *w);
void tcp_twtab_ends(synack_stack_t *st, const struct tcp_tw *w, struct tcp_end *local, struct tcp_end *remote);
/* Whether 2*MSL fits the entries' 32-bit deadlines (else full blocks hold TIME-WAIT). */
int tcp_twtab_usable(synack_stack_t *st);
/* Called by the table's timer for each entry whose 2*MSL is over (it must delete it). */
void tcp_tw_expire(synack_stack_t *st, uint32_t i);

/* Moves c to TIME-WAIT (RFC 9293 3.10.7.4: "start the time-wait timer, turn off the other
 * timers"), sending the ACK of the peer's FIN first if send_ack. If the application has closed, c
 * is freed (a small entry stands in, or none if the table is full): the caller must not use it. */
void tcp_enter_time_wait(struct tcp_conn *c, const char *cause, int send_ack, synack_time_t now);
/* The application closes the socket of c, in TIME-WAIT: a small entry takes over (c is freed) and
 * the 2*MSL timeout runs on as it was. */
void tcp_timewait_orphaned(struct tcp_conn *c, synack_time_t now);
/* A segment for a connection in TIME-WAIT, in either block (RFC 9293 3.10.7.4, RFC 1337,
 * RFC 6191). c or w may be gone afterwards. */
void tcp_timewait_conn_input(struct tcp_conn *c, struct tcp_seg *s, synack_time_t now);
void tcp_tw_input(synack_stack_t *st, uint32_t w, struct tcp_seg *s, synack_time_t now);
/* The 2*MSL timeout of a full block in TIME-WAIT expired. */
void tcp_timewait_expired(struct tcp_conn *c);

/* The small entry for a 4-tuple (an index into the table), 0 if none. */
static inline uint32_t tcp_tw_lookup(synack_stack_t *st, const struct tcp_end *local, const struct tcp_end *remote)
{
    return tcp_twtab_lookup(st, local, remote);
}
/* Does a connection in TIME-WAIT without a socket keep `port` on addr (unspecified: any) from a new
 * bind? Yes unless SO_REUSEADDR (reuse). */
int tcp_timewait_port_used(synack_stack_t *st, const struct synack_ip *addr, uint16_t port, int reuse);
/* synack_tcp_foreach's part: one record per small entry. */
void tcp_timewait_foreach(synack_stack_t *st, synack_tcp_iter_fn fn, void *arg);

#endif
