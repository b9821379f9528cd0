/* Functions TCP's modules call on each other. Not used outside src/tcp and src/socket. */
#ifndef TCP_INT_H
#define TCP_INT_H

#include <stdint.h>

#include "tcp/tcp_const.h"
#include "tcp/tcp_conn.h"
#include "tcp/tcp_timewait.h"

/* One received segment, parsed (RFC 9293 3.4 names in comments). */
struct tcp_seg {
    struct tcp_hdr h;
    struct tcp_end local, remote;    /* destination and source address and port */
    uint32_t seq;                    /* SEG.SEQ */
    uint32_t ack;                    /* SEG.ACK */
    uint32_t len;                    /* SEG.LEN: data plus one for SYN and one for FIN */
    uint32_t wnd;                    /* SEG.WND as on the wire (unscaled) */
    uint8_t flags;
    const uint8_t *data;
    uint32_t dlen;
    int ifindex;
    int probe;                       /* text trimmed because our window is closed */
    const uint8_t *pkt;              /* the IP packet, for drop traces */
    size_t pkt_len;
    /* The payload, copied into the receive ring's free space while its checksum was checked
     * (tcp_input.c): the ring as it was then (.data NULL: nothing staged), and the payload's
     * SEG.SEQ and length. Step seven commits those bytes instead of copying them, if the ring and
     * the text it takes are still exactly these (tcp_rcv.c). */
    struct tcp_ring staged;
    uint32_t staged_seq, staged_len;
};

/* Per-stack TCP state. */
struct tcp_table {
    struct tcp_conn **buckets;
    size_t nbuckets, nconns;
    struct tcp_tw_table tw;          /* TIME-WAIT's small entries (tcp_timewait.h) */
    struct tcp_conn *listeners;
    /* Bound connections by local port (any address): chains through pnext/pprev, the bucket the
     * port's low bits (ports are ours to choose, not a peer's), growing with the connections. */
    struct tcp_conn **ports;
    uint32_t nports, nbound;
    const struct tcp_upcalls *up;    /* the socket layer's (tcp_set_upcalls) */
    struct tcp_conn *last_lookup;    /* one-entry cache in front of the hash (hashed conns only) */
    struct tcp_conn *ack_list;       /* connections owing a coalesced ACK at the end of a batch */
    uint32_t next_id;
    unsigned orphans;
    uint8_t isn_key[16];             /* RFC 6528 secret */
    uint8_t cookie_key[16];          /* RFC 4987 SYN cookie secret */
    /* RFC 5961 7: challenge ACK rate limit */
    synack_time_t chack_window_start;
    unsigned chack_count;
    /* resolved configuration */
    synack_time_t msl, rto_initial, rto_min, rto_max, fin_timeout, delack;
    unsigned syn_retries, synack_retries, retries, sndbuf, rcvbuf, chack_limit, ofo_max, max_orphans, max_tw;
    int syncookies;
    unsigned timestamps : 1, sack : 1;   /* offered and accepted (config tcp_timestamps, tcp_sack) */
    unsigned rack : 1;                   /* RACK-TLP on SACK connections (config tcp_rack) */
    unsigned rmem_max, wmem_max;     /* autotuning's ceilings; the window scale is chosen from rmem_max */
    /* Memory of every connection's buffers (rings' storage, out-of-order entries) against the
     * stack's ceiling (config tcp_mem_max); tcp_autotune.c. */
    uint64_t mem_used, mem_max;
    unsigned mem_pressure : 1;
    uint8_t ts_key[16];              /* the per-4-tuple TSval offset (tcp_ts_offset) */
    const struct tcp_cc_ops *cc_default;   /* config tcp_congestion */
    synack_time_t last_cookie;       /* when we last answered with a cookie */
    int cookies_sent;
    uint64_t rcv_folded;             /* in-order segments whose payload was summed as it was copied
                                        into the ring, and committed (tcp_rcv.c; tests read it) */
};

/* tcp_table.c */
struct tcp_table *tcp_tab(synack_stack_t *st);
/* The 4-tuple's hash (SipHash with the stack's key), for the connection and TIME-WAIT tables. */
size_t tcp_tuple_hash(synack_stack_t *st, const struct tcp_end *local, const struct tcp_end *remote);
/* Two bound addresses clash if they are equal or either is unspecified (BSD bind rules). */
static inline int tcp_addr_clash(const struct synack_ip *a, const struct synack_ip *b)
{
    return synack_ip_is_unspecified(a) || synack_ip_is_unspecified(b) || synack_ip_equal(a, b);
}
struct tcp_conn *tcp_conn_new(synack_stack_t *st);
int tcp_conn_hash(struct tcp_conn *c);
void tcp_conn_unhash(struct tcp_conn *c);
struct tcp_conn *tcp_lookup(synack_stack_t *st, const struct tcp_end *local, const struct tcp_end *remote);
/* The listener for local: one bound to its address, else one bound to the unspecified address. */
struct tcp_conn *tcp_listener_lookup(synack_stack_t *st, const struct tcp_end *local);
void tcp_listener_add(struct tcp_conn *c);
/* The port index: c joins its port's chain once bound (not while a listener's queue holds it). */
void tcp_port_link(struct tcp_conn *c);
void tcp_port_unlink(struct tcp_conn *c);
/* Is (addr, port) taken for binding? TIME-WAIT connections count unless reuse is set. */
int tcp_port_in_use(synack_stack_t *st, const struct synack_ip *addr, uint16_t port, int reuse);
int tcp_port_tw_block(synack_stack_t *st, const struct synack_ip *addr, uint16_t port);
/* An ephemeral port for a connection from laddr to remote, RFC 6056; 0 if none is free. */
uint16_t tcp_pick_port(synack_stack_t *st, const struct synack_ip *laddr, const struct tcp_end *remote);
void tcp_set_state(struct tcp_conn *c, int state, const char *cause);
/* Enters ESTABLISHED, and FIN-WAIT-1 at once if a close was queued meanwhile. */
void tcp_established(struct tcp_conn *c, const char *cause);
/* Frees the connection: off every table and queue, timers cancelled, detached from its socket. */
void tcp_conn_destroy(struct tcp_conn *c);
/* Ends the connection in CLOSED: an orphan is freed; a socket keeps the CLOSED block and sees err
 * (a negative errno; 0 for an orderly end: LAST-ACK done, 2*MSL over). */
void tcp_conn_fail(struct tcp_conn *c, int err, const char *cause);
/* Called when an orphan may be freed or a state reached where the socket needs an event. */
void tcp_notify(struct tcp_conn *c);

/* tcp_isn.c */
/* RFC 7323 5.4 and 7.1: a random TSval offset for this 4-tuple (keyed hash), so TSvals reveal
 * neither the stack's clock nor a relation between connections. */
uint32_t tcp_ts_offset(synack_stack_t *st, const struct tcp_end *local, const struct tcp_end *remote);
uint32_t tcp_isn(synack_stack_t *st, const struct tcp_end *local, const struct tcp_end *remote, synack_time_t now);
uint32_t tcp_cookie_make(synack_stack_t *st, const struct tcp_seg *s, uint16_t *mss, synack_time_t now);
/* Checks the cookie in an ACK (ack - 1); returns the MSS it encodes, or 0 if invalid. */
uint16_t tcp_cookie_check(synack_stack_t *st, const struct tcp_seg *s, synack_time_t now);
/* The TSval of a cookie SYN-ACK: our clock with the low TCP_COOKIE_TS_BITS replaced by the SYN's
 * window-scale shift and SACK-permitted, never ahead of the clock. */
uint32_t tcp_cookie_tsval(uint32_t ts_now, const struct tcp_opts *syn);

/* TCP's timestamp clock (RFC 7323 5.4): milliseconds; a connection's TSval adds its offset. */
static inline uint32_t tcp_ts_clock(synack_time_t now) { return (uint32_t)(now / 1000u); }
static inline uint32_t tcp_tsval(const struct tcp_conn *c, synack_time_t now) { return tcp_ts_clock(now) + c->ts_off; }

/* tcp_output.c */
/* An ACK is owed for in-order data: sent now, or at the end of the current batch. */
void tcp_ack_owed(struct tcp_conn *c, synack_time_t now);
void tcp_output(struct tcp_conn *c, synack_time_t now);
void tcp_send_ack(struct tcp_conn *c, synack_time_t now);
/* Sends one zero-window probe; returns 1 if something went out. */
int tcp_send_probe(struct tcp_conn *c, synack_time_t now);
void tcp_send_syn(struct tcp_conn *c, synack_time_t now);
void tcp_send_rst(struct tcp_conn *c, synack_time_t now);
void tcp_send_rst_for(synack_stack_t *st, const struct tcp_seg *s, synack_time_t now);
void tcp_send_challenge_ack(struct tcp_conn *c, synack_time_t now);
/* Sends a bare segment with explicit numbers (TIME-WAIT ACKs, keep-alive probes, cookies' SYN-ACK). */
void tcp_send_raw(synack_stack_t *st, const struct tcp_end *local, const struct tcp_end *remote, uint32_t seq,
                  uint32_t ack, uint8_t flags, uint16_t win, const struct tcp_opts *opts, const uint8_t *data,
                  size_t dlen, uint8_t tos, synack_time_t now);
/* Retransmits from seq one segment of at most max_len bytes and at most tcp_cur_mss (and the FIN
 * if it follows them); returns the sequence space sent (0 if nothing). */
uint32_t tcp_retransmit_range(struct tcp_conn *c, uint32_t seq, uint32_t max_len, synack_time_t now);
/* Retransmits the first unacknowledged segment (fast retransmit, partial ACK). */
void tcp_retransmit_head(struct tcp_conn *c, synack_time_t now);
/* The window to advertise now (unscaled bytes), updating rcv_adv; RFC 9293 3.8.6.2.2. */
uint32_t tcp_rcv_window(struct tcp_conn *c);
/* After the application read: send a window update if the window opened enough. */
void tcp_window_update(struct tcp_conn *c, synack_time_t now);
uint16_t tcp_mss_for(synack_stack_t *st, const struct synack_ip *raddr, uint16_t user);
/* The window-scale shift that lets a 16-bit window cover `bufsize` (RFC 7323 2.3). */
uint8_t tcp_choose_wscale(size_t bufsize);
/* The shift a connection offers: from the largest its receive buffer may grow to (SO_RCVBUF if
 * the socket set it, else the autotuning ceiling). */
uint8_t tcp_conn_wscale(const struct tcp_conn *c);
/* The options every segment of an established connection carries (TSopt once agreed; SACK
 * blocks, a pending D-SACK first, on segments that carry an ACK) into o; returns their length. */
size_t tcp_conn_opts(struct tcp_conn *c, struct tcp_opts *o, int ack, synack_time_t now);
/* The payload of a full segment now: the MSS less the SACK blocks an ACK would carry. */
uint32_t tcp_cur_mss(const struct tcp_conn *c);
/* After the handshake: which options were agreed and what follows from it (MSS less TSopt). */
void tcp_options_agreed(struct tcp_conn *c, const struct tcp_opts *peer_syn, int ts_allowed, int sack_allowed,
                        synack_time_t now);

/* tcp_input.c */
void tcp_conn_input(struct tcp_conn *c, struct tcp_seg *s, synack_time_t now);
/* The MSS the peer's SYN announces (RFC 9293 3.7.1: TCP_DEFAULT_MSS, or TCP_DEFAULT_MSS6 over
 * IPv6, without the option), never below TCP_MIN_MSS. */
uint16_t tcp_peer_mss(const struct tcp_seg *syn);
/* SYN-RECEIVED to ESTABLISHED on an acceptable ACK (RFC 9293 3.10.7.4 fifth step), for a child on
 * its listener's SYN queue, a simultaneous open, or a SYN cookie's child: accept-queue move, send
 * window from the ACK, RTT sample, congestion state, the state change and its events. Returns -1
 * (and changes nothing) if the listener's accept queue is full. */
int tcp_synrcvd_complete(struct tcp_conn *c, const struct tcp_seg *s, const char *cause, synack_time_t now);
/* tcp_listen.c */
void tcp_listen_input(struct tcp_conn *l, struct tcp_seg *s, synack_time_t now);
void tcp_listen_close(struct tcp_conn *l, synack_time_t now);
/* A child reached ESTABLISHED: move it from the SYN queue to the accept queue (or drop it). */
int tcp_child_established(struct tcp_conn *c, synack_time_t now);
void tcp_child_unlink(struct tcp_conn *c);
/* tcp_autotune.c */
/* The application read `copied` bytes: once per RTT the receive buffer may grow (dynamic
 * right-sizing). */
void tcp_rcvbuf_adjust(struct tcp_conn *c, size_t copied, synack_time_t now);
/* After an ACK: the send buffer grows to twice the congestion window, up to the ceiling. */
void tcp_sndbuf_adjust(struct tcp_conn *c);
/* After an ACK or a read: if the connection has gone quiet, its buffers' storage is released
 * TCP_IDLE_RELEASE later. */
void tcp_idle_check(struct tcp_conn *c, synack_time_t now);
/* The idle timer fired: if the connection is still quiet, releases the storage (or waits until
 * TCP_IDLE_RELEASE after the last segment received) and returns 1; else 0 (RACK's timer it is). */
int tcp_idle_release(struct tcp_conn *c, synack_time_t now);
/* The connection's working state (struct tcp_xstate): allocated if it was given back; 0 or
 * -ENOMEM. Every way into a connection (segment, send, timer) takes it first. */
int tcp_x_ensure(struct tcp_conn *c);
/* Whether the stack's TCP buffers use three quarters of tcp_mem_max or more: then no buffer grows
 * by autotuning (counted once per episode: TcpMemoryPressures). */
int tcp_mem_pressure(synack_stack_t *st);
/* Whether n more bytes of TCP buffers fit under tcp_mem_max. */
static inline int tcp_mem_room(const struct tcp_table *t, size_t n) { return t->mem_used + n <= t->mem_max; }
/* The stack's allocator and count of TCP buffer bytes, for a ring's storage. */
static inline struct tcp_ring_mem tcp_ring_mem(synack_stack_t *st)
{
    struct tcp_ring_mem m = { &st->cfg.alloc, &st->tcp->mem_used };
    return m;
}
/* The storage a ring may still grow to when the stack is at its ceiling. */
#define TCP_MEM_RING_FLOOR 4096u
/* tcp_timer.c */
void tcp_timers_init(struct tcp_conn *c);
void tcp_timers_cancel(struct tcp_conn *c);
/* One of the connection's timers: arm for `at`, cancel, and ask. */
void tcp_tmr_arm(struct tcp_conn *c, enum tcp_tmr k, synack_time_t at);
void tcp_tmr_cancel(struct tcp_conn *c, enum tcp_tmr k);
static inline int tcp_tmr_armed(const struct tcp_conn *c, enum tcp_tmr k) { return c->x && c->x->tdl[k] != SYNACK_TIME_NEVER; }
void tcp_rto_arm(struct tcp_conn *c, synack_time_t now);
void tcp_rto_stop(struct tcp_conn *c);
void tcp_persist_arm(struct tcp_conn *c, synack_time_t now);
void tcp_rtt_sample(struct tcp_conn *c, synack_time_t rtt);
void tcp_dack_schedule(struct tcp_conn *c, synack_time_t now);
/* TCP_CORK: a partial segment is being held (starts the 200 ms limit if it is not running); the
 * held segment went out or the cork was pulled (stops it). */
void tcp_cork_hold(struct tcp_conn *c, synack_time_t now);
void tcp_cork_release(struct tcp_conn *c);
void tcp_keepalive_reset(struct tcp_conn *c, synack_time_t now);
void tcp_wait_arm(struct tcp_conn *c, synack_time_t when);

#endif
