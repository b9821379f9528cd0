/* Congestion control as modules behind one narrow interface, chosen per connection by name.
 *
 * A module never sees a struct tcp_conn: it gets a small view (struct tcp_cc_view) with what the
 * window arithmetic needs, and a private area of fixed size inside the connection (TCP_CC_PRIV
 * bytes, checked by a _Static_assert in each module) for its own state, so modules allocate
 * nothing. The recovery machinery (duplicate ACKs, fast retransmit, NewReno's partial ACKs, the
 * RFC 7661 cwnd-limited rule, RTO) lives in tcp_recovery.c and calls the module; the module only
 * decides how the window grows and how far it falls. The modules are a static table (tcp_cc.c),
 * looked up by name ("reno", "cubic"). */
#ifndef TCP_CC_H
#define TCP_CC_H

#include <stddef.h>
#include <stdint.h>

#include "synack/types.h"

struct tcp_conn;

/* What a module sees of the connection on each event. cwnd and ssthresh are in/out: a module
 * changes them in the view and the caller writes them back. Bytes and microseconds. */
struct tcp_cc_view {
    uint32_t mss;            /* SMSS */
    uint32_t cwnd, ssthresh;
    uint32_t acked;          /* bytes newly acknowledged by this ACK (0 for others) */
    uint32_t flight;         /* bytes in flight before this ACK */
    uint32_t ack;            /* SEG.ACK (HyStart++ counts rounds with it) */
    uint32_t snd_max;        /* highest sequence number sent + 1 */
    uint32_t rtt_us;         /* RTT sample this ACK brought, 0 if none */
    uint32_t srtt_us;        /* smoothed RTT, 0 before the first sample */
    synack_time_t now;
    int cwnd_limited;        /* RFC 7661: only then may cwnd grow */
};

#define TCP_CC_PRIV_WORDS 6
#define TCP_CC_PRIV (TCP_CC_PRIV_WORDS * sizeof(uint64_t))

struct tcp_cc_ops {
    const char *name;
    /* The connection is established (cwnd is the initial window, ssthresh "arbitrarily high"):
     * set up the private state, which is all zero before. */
    void (*init)(struct tcp_cc_view *v, void *priv);
    /* An RTT sample arrived (v->rtt_us), before on_ack of the same ACK. May be NULL. */
    void (*on_rtt)(struct tcp_cc_view *v, void *priv);
    /* New data acknowledged outside recovery: slow start / congestion avoidance. The module must
     * not grow cwnd unless v->cwnd_limited. */
    void (*on_ack)(struct tcp_cc_view *v, void *priv);
    /* A loss found by duplicate ACKs: return the new ssthresh (the recovery module sets cwnd). */
    uint32_t (*ssthresh)(struct tcp_cc_view *v, void *priv);
    /* Recovery ended with a full ACK; cwnd already deflated by the recovery module. May be NULL. */
    void (*on_exit_recovery)(struct tcp_cc_view *v, void *priv);
    /* Retransmission timeout: set ssthresh and cwnd (the loss window). */
    void (*on_rto)(struct tcp_cc_view *v, void *priv);
    /* The last reduction was spurious: restore the module's state from before it. May be NULL. */
    void (*undo)(struct tcp_cc_view *v, void *priv);
    /* New data leaves with nothing in flight (the first after an idle period, or right after the
     * ACK that emptied the flight). May be NULL. */
    void (*on_tx_start)(struct tcp_cc_view *v, void *priv);
};

extern const struct tcp_cc_ops tcp_cc_reno;
extern const struct tcp_cc_ops tcp_cc_cubic;

/* The registry (tcp_cc.c): every module; a connection names its own by index (cc_id, a byte). */
extern const struct tcp_cc_ops *const tcp_cc_modules[];
/* The registry: a module by name (NULL if unknown), by index, and the index of one. */
const struct tcp_cc_ops *tcp_cc_find(const char *name);
const struct tcp_cc_ops *tcp_cc_at(unsigned i);
int tcp_cc_index(const struct tcp_cc_ops *ops);
/* Writes the known names, separated by spaces, into buf (for error messages); returns buf. */
const char *tcp_cc_names(char *buf, size_t cap);

/* Chooses a module for a connection; a connection past the handshake starts the new module from
 * its current window. */
void tcp_cc_set(struct tcp_conn *c, const struct tcp_cc_ops *ops);
/* The view of c, with the fields of this ACK (0 if none). */
void tcp_cc_view(const struct tcp_conn *c, struct tcp_cc_view *v, synack_time_t now);
/* Writes the view's cwnd and ssthresh back. */
void tcp_cc_commit(struct tcp_conn *c, const struct tcp_cc_view *v);

/* Per-ACK RTT samples for modules (HyStart++ wants several per round; Karn's timing of RFC 6298
 * gives one). tcp_output records when new data left, one entry per distinct send time; an ACK
 * takes the sample of the newest entry it covers. Any retransmission clears them (Karn). */
/* The send times of the last bursts, for an RTT sample on every ACK (HyStart++ needs one per ACK;
 * RFC 6298's timing gives one per RTT). Allocated at the first send, freed with the connection's
 * other buffers when it goes idle (tcp_cc_free). */
#define TCP_CC_SENT 8
struct tcp_cc_sent {
    unsigned n;
    struct { uint32_t end; synack_time_t t; } e[TCP_CC_SENT];
};
void tcp_cc_free(struct tcp_conn *c);
/* Calls the module's on_tx_start: new data is about to leave with nothing in flight. */
void tcp_cc_tx_start(struct tcp_conn *c, synack_time_t now);
void tcp_cc_sent(struct tcp_conn *c, uint32_t end, synack_time_t now);
void tcp_cc_rexmit(struct tcp_conn *c);
uint32_t tcp_cc_ack_rtt(struct tcp_conn *c, uint32_t ack, synack_time_t now);

#endif
