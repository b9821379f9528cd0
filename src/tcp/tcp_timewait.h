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

/* TIME-WAIT after the application has closed: what RFC 9293 3.10.7.4 still needs, nothing else. */
struct tcp_tw {
    struct tcp_tw *hnext;
    synack_stack_t *st;
    uint32_t id;                     /* the connection's id, kept for traces */
    struct tcp_end local, remote;
    uint32_t snd_nxt, rcv_nxt;
    uint16_t rcv_wnd;                /* the window field our last ACK carried */
    uint8_t tos;                     /* the connection's IP_TOS, for the ACKs it still sends */
    uint8_t ts_ok;                   /* timestamps were agreed: ACKs carry TSopt, PAWS applies */
    uint32_t ts_off, ts_recent;      /* RFC 7323: our TSval offset, TS.Recent */
    struct timer timer;              /* 2*MSL */
};

/* The table of small entries, part of struct tcp_table. */
int tcp_timewait_table_new(synack_stack_t *st, struct tcp_table *t);
void tcp_timewait_table_free(synack_stack_t *st);

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
void tcp_tw_input(struct tcp_tw *w, struct tcp_seg *s, synack_time_t now);
/* The 2*MSL timeout of a full block in TIME-WAIT expired. */
void tcp_timewait_expired(struct tcp_conn *c);

struct tcp_tw *tcp_tw_lookup(synack_stack_t *st, const struct tcp_end *local, const struct tcp_end *remote);
/* Does a connection in TIME-WAIT without a socket keep `port` on addr (unspecified: any) from a new
 * bind? Yes unless SO_REUSEADDR (reuse). */
int tcp_timewait_port_used(synack_stack_t *st, const struct synack_ip *addr, uint16_t port, int reuse);
/* synack_tcp_foreach's part: one record per small entry. */
void tcp_timewait_foreach(synack_stack_t *st, synack_tcp_iter_fn fn, void *arg);

#endif
