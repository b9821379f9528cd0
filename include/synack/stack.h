/* The stack object: everything synack knows lives in one synack_stack_t, so two stacks can run in
 * one process without seeing each other.
 *
 * Life of a stack: fill a config (synack_config_init, then a seed), create the stack, add one or
 * more interfaces (each with a link: a transmit callback that the embedding program or one of the
 * built-in links supplies), then feed it received frames with synack_if_input() and call
 * synack_stack_poll() at or after the deadline it last reported. Both take `now`. */
#ifndef SYNACK_STACK_H
#define SYNACK_STACK_H

#include "synack/types.h"
#include "synack/trace.h"

#ifdef __cplusplus
extern "C" {
#endif

struct synack_config {
    uint8_t seed[32];              /* seeds the stack's CSPRNG (ISNs, ports, IP IDs, cookie keys) */
    synack_time_t arp_timeout;     /* how long a resolved neighbour stays valid */
    synack_time_t arp_retry;       /* between ARP requests for an unresolved neighbour */
    unsigned arp_max_tries;        /* requests before resolution gives up */
    unsigned arp_queue_len;        /* packets held per unresolved neighbour */
    unsigned arp_cache_size;       /* entries per stack */
    synack_time_t reasm_timeout;   /* RFC 791 suggests 15 s; we use 30 s like Linux */
    size_t reasm_mem_limit;        /* bytes of fragments held per stack */
    unsigned icmp_err_rate;        /* ICMP error messages per second (token bucket) */
    unsigned icmp_err_burst;
    uint16_t eph_port_min, eph_port_max;   /* RFC 6056 ephemeral range */
    uint8_t default_ttl;
    unsigned udp_rcvq_len;         /* datagrams queued per UDP socket */
    /* TCP. Zero means the default given in brackets. */
    synack_time_t tcp_msl;         /* maximum segment lifetime; TIME-WAIT lasts 2*MSL [30 s] */
    synack_time_t tcp_rto_initial; /* RFC 6298 2.1 [1 s] */
    synack_time_t tcp_rto_min;     /* RFC 6298 2.4 says 1 s; Linux uses 200 ms [200 ms] */
    synack_time_t tcp_rto_max;     /* [60 s] */
    unsigned tcp_syn_retries;      /* SYN retransmissions before connect() fails [7: 183 s, MUST-23] */
    unsigned tcp_synack_retries;   /* SYN-ACK retransmissions before a half-open entry is dropped [5] */
    unsigned tcp_retries;          /* data retransmissions before ETIMEDOUT [15] */
    synack_time_t tcp_fin_timeout; /* orphaned FIN-WAIT-2 lifetime [60 s] */
    synack_time_t tcp_delack;      /* delayed-ACK timeout, RFC 1122 4.2.3.2 "< 0.5 s" [40 ms] */
    unsigned tcp_sndbuf, tcp_rcvbuf;   /* default socket buffers in bytes [256 KiB, 256 KiB] */
    unsigned tcp_challenge_ack_limit;  /* challenge ACKs per second per stack, RFC 5961 7 [1000] */
    int tcp_syncookies;            /* 0: when the SYN queue is full [default]; 1: always; -1: never */
    unsigned tcp_ofo_max;          /* out-of-order segments kept per connection [256] */
    unsigned tcp_max_orphans;      /* connections closed by the application but still alive [4096] */
    unsigned tcp_max_tw;           /* TIME-WAIT entries held at once; beyond, closed at once [65536] */
    /* Congestion control of new sockets, by name: "cubic" (RFC 9438 with HyStart++) or "reno"
     * (NewReno). NULL or "": "cubic". An unknown name makes synack_stack_new fail. */
    const char *tcp_congestion;
    /* Where the stack gets its memory (the stack object, packet buffers, socket and connection
     * state, TCP queues, tables). Zero: the C library's (see struct synack_allocator). */
    struct synack_allocator alloc;
};

/* Fills *cfg with defaults and a zero seed. */
SYNACK_API void synack_config_init(struct synack_config *cfg);
/* Sets a deterministic seed from a 64-bit number (tests, simulations). */
SYNACK_API void synack_config_seed_u64(struct synack_config *cfg, uint64_t seed);

/* Creates a stack. Returns NULL if memory runs out. */
SYNACK_API synack_stack_t *synack_stack_new(const struct synack_config *cfg);
/* Destroys a stack and everything it owns (sockets, buffers, timers). */
SYNACK_API void synack_stack_free(synack_stack_t *st);

/* Runs every timer due at `now`, delivers queued socket events, and returns the next deadline
 * (SYNACK_TIME_NEVER if none). Call it again no later than that deadline. */
SYNACK_API synack_time_t synack_stack_poll(synack_stack_t *st, synack_time_t now);
/* Batching, for a driver that reads several frames at a time: between begin and end, received
 * frames are processed as they come, but the ACKs TCP would send at once for every second
 * full-sized segment are coalesced into one per connection, and socket events are delivered once,
 * at end (RFC 1122 4.2.3.2 allows the receiver to ACK a train once). Out-of-order data is still
 * ACKed at once, so duplicate ACKs keep their meaning. Batches do not nest; end must follow begin. */
SYNACK_API void synack_stack_batch_begin(synack_stack_t *st, synack_time_t now);
SYNACK_API void synack_stack_batch_end(synack_stack_t *st, synack_time_t now);

/* The time of the entry point in progress, or of the last one (socket handlers and timer callbacks
 * are given the same value as their `now`). */
SYNACK_API synack_time_t synack_stack_now(const synack_stack_t *st);
/* Random bytes from the stack's seeded CSPRNG (query IDs, nonces): deterministic for a given seed,
 * like everything else in a simulated run. */
SYNACK_API void synack_random(synack_stack_t *st, void *buf, size_t len);

/* The next deadline without running anything. */
SYNACK_API synack_time_t synack_stack_next_deadline(const synack_stack_t *st);

/* ---- interfaces ---- */

enum synack_if_kind {
    SYNACK_IF_ETHERNET = 1,   /* frames carry an Ethernet II header; ARP resolves neighbours */
    SYNACK_IF_RAWIP = 2,      /* frames are bare IPv4 packets (TUN) */
};

/* Transmit callback: the link gets a frame to send. `frame` is borrowed for the call only; copy it
 * to keep it. Returns 0, or a negative errno (counted as LinkOutErrors). */
typedef int (*synack_link_tx_fn)(void *ctx, const uint8_t *frame, size_t len, synack_time_t now);

/* What a segmentation-offload link needs besides the bytes (virtio-net's header carries the same):
 * for a TCP frame larger than the MTU, the link cuts it into gso_size-byte segments and computes
 * their checksums; the TCP checksum field then holds only the pseudo-header sum. */
struct synack_tx_meta {
    uint16_t gso_size;         /* 0: an ordinary frame */
    uint16_t hdr_len;          /* link + IP + TCP header bytes */
    uint16_t csum_start;       /* offset of the TCP header */
    uint16_t csum_offset;      /* of the checksum field within it (16) */
};
typedef int (*synack_link_tx_meta_fn)(void *ctx, const uint8_t *frame, size_t len, const struct synack_tx_meta *meta,
                                      synack_time_t now);

struct synack_if_config {
    const char *name;          /* for traces and listings; copied */
    enum synack_if_kind kind;
    uint8_t mac[6];            /* Ethernet only */
    uint32_t addr;             /* IPv4 address, host order */
    uint8_t prefix_len;        /* e.g. 24 */
    uint16_t mtu;              /* IP MTU (1500 on Ethernet) */
    synack_link_tx_fn tx;
    void *tx_ctx;
    /* Optional TCP segmentation offload: a link that can cut large TCP frames sets tx_meta (used
     * instead of tx, for every frame) and the largest frame it takes. TCP then hands it up to
     * tso_max bytes at once instead of one MSS. */
    synack_link_tx_meta_fn tx_meta;
    uint32_t tso_max;
};

/* Adds an interface. Returns its index (>= 0) or -EINVAL / -ENOMEM / -ENOSPC. */
SYNACK_API int synack_if_add(synack_stack_t *st, const struct synack_if_config *cfg);
/* Hands a received frame to the stack. `frame` is borrowed: the stack copies what it keeps.
 * Malformed input is dropped and counted; the return value is 0 unless ifindex is invalid. */
SYNACK_API int synack_if_input(synack_stack_t *st, int ifindex, const uint8_t *frame, size_t len,
                               synack_time_t now);
/* Sets the default gateway (host order; 0 removes it). It must be on a connected network. */
SYNACK_API int synack_route_set_gateway(synack_stack_t *st, uint32_t gateway);
/* The interface's kind, or 0 for a bad index. */
SYNACK_API enum synack_if_kind synack_if_kind(const synack_stack_t *st, int ifindex);

/* ---- observation ---- */

/* Registers the trace callback (NULL to remove). It runs synchronously while the stack works and
 * must not call back into the stack. */
SYNACK_API void synack_stack_set_trace(synack_stack_t *st, synack_trace_fn fn, void *ctx);

/* ---- ICMP echo (ping) from the stack ---- */

/* Sends one ICMP echo request. Replies are reported as SYNACK_TR_ICMP_ECHO_REPLY trace events.
 * An IPv6 destination gets -EAFNOSUPPORT until the stack has IPv6. */
SYNACK_API int synack_ping(synack_stack_t *st, const struct synack_ip *dst, uint16_t id, uint16_t seq,
                           const void *payload, size_t len, synack_time_t now);

#ifdef __cplusplus
}
#endif

#endif
