/** @file
 * The stack object: everything synack knows lives in one synack_stack_t, so two stacks can run in
 * one process without seeing each other.
 *
 * Life of a stack: fill a config (synack_config_init, then a seed), create the stack, add one or
 * more interfaces (each with a link: a transmit callback that the embedding program or one of the
 * built-in links supplies), then feed it received frames with synack_if_input() and call
 * synack_stack_poll() at or after the deadline it last reported. Both take `now`.
 *
 * Every call that takes `now` runs the stack's work and then delivers socket events and due
 * application timers to their handlers before it returns; a handler may call any API. */
#ifndef SYNACK_STACK_H
#define SYNACK_STACK_H

#include "synack/types.h"
#include "synack/trace.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The configuration of a stack. Fill it with synack_config_init(), set a seed, change what you
 * need, then pass it to synack_stack_new(), which copies it. */
struct synack_config {
    uint8_t seed[32];              /**< Seeds the stack's CSPRNG (ISNs, ports, IP IDs, cookie keys): from the OS
                                        (synack_os_seed()) for real runs, synack_config_seed_u64() for reproducible ones. */
    synack_time_t arp_timeout;     /**< How long a resolved neighbour stays valid [60 s]. */
    synack_time_t arp_retry;       /**< Between ARP requests for an unresolved neighbour [1 s]. */
    unsigned arp_max_tries;        /**< Requests before resolution gives up and the waiting packets are dropped [3]. */
    unsigned arp_queue_len;        /**< Packets held per unresolved neighbour [16]. */
    unsigned arp_cache_size;       /**< ARP entries per stack [64]. */
    synack_time_t reasm_timeout;   /**< How long fragments wait for the rest: RFC 791 suggests 15 s; we use 30 s like Linux [30 s]. */
    size_t reasm_mem_limit;        /**< Bytes of fragments held per stack [4 MiB]. */
    unsigned icmp_err_rate;        /**< ICMP error messages per second (token bucket) [100]. */
    unsigned icmp_err_burst;       /**< ICMP error messages the bucket holds at most [50]. */
    uint16_t eph_port_min;         /**< First ephemeral port, RFC 6056 [49152]; 0 or above eph_port_max: the default range. */
    uint16_t eph_port_max;         /**< Last ephemeral port [65535]. */
    uint8_t default_ttl;           /**< TTL of the datagrams the stack sends; 0 means 64 [64]. */
    unsigned udp_rcvq_len;         /**< Datagrams queued per UDP socket [256]. */
    /* TCP. Zero means the default given in brackets. */
    synack_time_t tcp_msl;         /**< Maximum segment lifetime; TIME-WAIT lasts 2*MSL [30 s]. */
    synack_time_t tcp_rto_initial; /**< Initial retransmission timeout, RFC 6298 2.1 [1 s]. */
    synack_time_t tcp_rto_min;     /**< Lowest RTO: RFC 6298 2.4 says 1 s; Linux uses 200 ms [200 ms]. */
    synack_time_t tcp_rto_max;     /**< Highest RTO, after backoff [60 s]. */
    unsigned tcp_syn_retries;      /**< SYN retransmissions before connect() fails [7: 183 s, MUST-23]. */
    unsigned tcp_synack_retries;   /**< SYN-ACK retransmissions before a half-open entry is dropped [5]. */
    unsigned tcp_retries;          /**< Data retransmissions before ETIMEDOUT [15]. */
    synack_time_t tcp_fin_timeout; /**< Orphaned FIN-WAIT-2 lifetime [60 s]. */
    synack_time_t tcp_delack;      /**< Delayed-ACK timeout, RFC 1122 4.2.3.2 "< 0.5 s" [40 ms]. */
    unsigned tcp_sndbuf;           /**< Default send buffer of a TCP socket, bytes [256 KiB]. */
    unsigned tcp_rcvbuf;           /**< Default receive buffer of a TCP socket, bytes [256 KiB]. */
    unsigned tcp_challenge_ack_limit;  /**< Challenge ACKs per second per stack, RFC 5961 7 [1000]. */
    int tcp_syncookies;            /**< SYN cookies: 0 when the SYN queue is full [default]; 1 always; -1 never. */
    unsigned tcp_ofo_max;          /**< Out-of-order segments kept per connection [256]. */
    unsigned tcp_max_orphans;      /**< Connections closed by the application but still alive [4096]. */
    unsigned tcp_max_tw;           /**< TIME-WAIT entries held at once; beyond, closed at once [65536]. */
    int tcp_timestamps;            /**< RFC 7323 timestamps offered and accepted: 0 yes [default]; -1 no. */
    int tcp_sack;                  /**< RFC 2018 SACK offered and accepted: 0 yes [default]; -1 no. */
    /** RACK-TLP (RFC 8985) on connections that agreed to SACK: losses judged by time (a segment
     * sent before one since delivered, and overdue), lost retransmissions found without a
     * timeout, and a tail loss probe instead of most timeouts: 0 yes [default]; -1 no (RFC 6675's
     * DupThresh rules alone, as Linux with net.ipv4.tcp_recovery=0). */
    int tcp_rack;
    /** The most a connection's receive buffer grows to by autotuning, unless the socket set
     * SO_RCVBUF; the window scale is chosen so the window can reach it [6 MiB]. */
    unsigned tcp_rmem_max;
    /** The most a connection's send buffer grows to by autotuning, unless the socket set
     * SO_SNDBUF [4 MiB]. */
    unsigned tcp_wmem_max;
    /** The most memory all TCP buffers of the stack (send and receive rings, out-of-order data)
     * may take together, bytes. From three quarters of it on no buffer grows by autotuning; at it,
     * out-of-order data is dropped and writes wait, rather than allocation failing [256 MiB]. */
    size_t tcp_mem_max;
    /** Congestion control of new sockets, by name: "cubic" (RFC 9438 with HyStart++) or "reno"
     * (NewReno). NULL or "": "cubic". An unknown name makes synack_stack_new fail. */
    const char *tcp_congestion;
    /** Packet buffers kept for reuse when freed, so a busy stack allocates none per frame: up to
     * this many of one frame's size and a sixteenth as many (at least one) of 64 KiB [64]. */
    unsigned buf_pool_max;
    /** IPv6 duplicate address detection (RFC 4862 5.4): neighbor solicitations sent for an address
     * before it is used, one second apart; -1: none, the address is usable at once [1]. */
    int ip6_dad_transmits;
    /** Where the stack gets its memory (the stack object, packet buffers, socket and connection
     * state, TCP queues, tables). Zero: the C library's (see struct synack_allocator). */
    struct synack_allocator alloc;
};

/** Fills a configuration with the defaults (given in brackets beside each field) and a zero seed.
 * @param cfg the configuration to fill */
SYNACK_API void synack_config_init(struct synack_config *cfg);
/** Sets a deterministic seed from a 64-bit number, for tests and simulations: the same number
 * gives the same ISNs, ports and IP IDs, so the same run.
 * @param cfg  the configuration
 * @param seed any number (0 included) */
SYNACK_API void synack_config_seed_u64(struct synack_config *cfg, uint64_t seed);

/** Creates a stack, with no interface yet.
 * @param cfg its configuration (copied; cfg->alloc is used for every allocation, this one included)
 * @return the stack, or NULL if memory runs out or tcp_congestion names no known module */
SYNACK_API synack_stack_t *synack_stack_new(const struct synack_config *cfg);
/** Destroys a stack and everything it owns (sockets, connections, buffers, protocol timers), at
 * once: no segment is sent. Free the application timers (synack_timer_free()) first.
 * @param st the stack; NULL does nothing */
SYNACK_API void synack_stack_free(synack_stack_t *st);

/** Runs every timer due at `now` (retransmissions, delayed ACKs, ARP, reassembly, application
 * timers), delivers queued socket events, and returns the next deadline. Call it again no later
 * than that deadline, and after anything that may have armed a timer (an API call, a frame in);
 * calling it early is harmless.
 * @param st  the stack
 * @param now the current time; never less than the `now` of an earlier call
 * @return the next deadline, absolute, or SYNACK_TIME_NEVER if nothing is pending */
SYNACK_API synack_time_t synack_stack_poll(synack_stack_t *st, synack_time_t now);
/** Begins a batch, for a driver that reads several frames at a time: between begin and end,
 * received frames are processed as they come, but the ACKs TCP would send at once for every second
 * full-sized segment are coalesced into one per connection, and socket events are delivered once,
 * at end (RFC 1122 4.2.3.2 allows the receiver to ACK a train once). Out-of-order data is still
 * ACKed at once, so duplicate ACKs keep their meaning. Batches do not nest; end must follow begin.
 * @param st  the stack
 * @param now the time the frames were read */
SYNACK_API void synack_stack_batch_begin(synack_stack_t *st, synack_time_t now);
/** Ends a batch: delivers the socket events it held back, then sends the ACKs still owed (so data a
 * handler sends in answer to data of the batch carries their ACK, and no pure ACK goes before it).
 * @param st  the stack
 * @param now the current time */
SYNACK_API void synack_stack_batch_end(synack_stack_t *st, synack_time_t now);

/** The stack's time.
 * @param st the stack
 * @return the time of the entry point in progress, or of the last one (socket handlers and timer
 *         callbacks are given the same value as their `now`) */
SYNACK_API synack_time_t synack_stack_now(const synack_stack_t *st);
/** Random bytes from the stack's seeded CSPRNG (query IDs, nonces): deterministic for a given seed,
 * like everything else in a simulated run.
 * @param st  the stack
 * @param buf where the bytes go
 * @param len how many */
SYNACK_API void synack_random(synack_stack_t *st, void *buf, size_t len);

/** The next deadline without running anything (what the last synack_stack_poll() would return now).
 * @param st the stack
 * @return the earliest deadline of the stack's timers, or SYNACK_TIME_NEVER */
SYNACK_API synack_time_t synack_stack_next_deadline(const synack_stack_t *st);

/* ---- interfaces ---- */

/** What the frames of an interface carry. */
enum synack_if_kind {
    SYNACK_IF_ETHERNET = 1,   /**< Frames carry an Ethernet II header; ARP resolves neighbours (TAP, the simulated link). */
    SYNACK_IF_RAWIP = 2,      /**< Frames are bare IPv4 packets (TUN). */
};

/** Transmit callback: the link gets a frame to send.
 * @param ctx   the interface's tx_ctx
 * @param frame the frame, borrowed for the call only; copy it to keep it
 * @param len   its length (at most the MTU plus the link header)
 * @param now   the stack's time
 * @return 0, or a negative errno (counted as LinkOutErrors; TCP recovers as from a loss) */
typedef int (*synack_link_tx_fn)(void *ctx, const uint8_t *frame, size_t len, synack_time_t now);

/** What a segmentation-offload link needs besides the bytes (virtio-net's header carries the same):
 * for a TCP frame larger than the MTU, the link cuts it into gso_size-byte segments and computes
 * their checksums; the TCP checksum field then holds only the pseudo-header sum. */
struct synack_tx_meta {
    uint16_t gso_size;         /**< TCP payload bytes per segment to cut; 0: an ordinary frame, checksums complete. */
    uint16_t hdr_len;          /**< Link + IP + TCP header bytes. */
    uint16_t csum_start;       /**< Offset of the TCP header in the frame. */
    uint16_t csum_offset;      /**< Offset of the checksum field within it (16). */
};
/** Transmit callback of a segmentation-offload link (synack_if_config.tx_meta).
 * @param ctx   the interface's tx_ctx
 * @param frame the frame, borrowed for the call; up to tso_max bytes
 * @param len   its length
 * @param meta  how to cut it, or an ordinary frame (gso_size 0)
 * @param now   the stack's time
 * @return 0, or a negative errno (counted as LinkOutErrors) */
typedef int (*synack_link_tx_meta_fn)(void *ctx, const uint8_t *frame, size_t len, const struct synack_tx_meta *meta,
                                      synack_time_t now);

/** An interface to add with synack_if_add(): its link and its IPv4 address. */
struct synack_if_config {
    const char *name;          /**< For traces and listings; copied (NULL: "if"). */
    enum synack_if_kind kind;  /**< Ethernet or raw IP. */
    uint8_t mac[6];            /**< The interface's MAC address (Ethernet only). */
    uint32_t addr;             /**< IPv4 address, host order. */
    uint8_t prefix_len;        /**< Prefix length of the connected network, e.g. 24. */
    uint16_t mtu;              /**< IP MTU (1500 on Ethernet; at least 68). */
    synack_link_tx_fn tx;      /**< Transmit callback (unless tx_meta is set). */
    void *tx_ctx;              /**< First argument of tx or tx_meta. */
    /** Optional TCP segmentation offload: a link that can cut large TCP frames sets tx_meta (used
     * instead of tx, for every frame) and the largest frame it takes. TCP then hands it up to
     * tso_max bytes at once instead of one MSS. */
    synack_link_tx_meta_fn tx_meta;
    uint32_t tso_max;          /**< With tx_meta: the largest frame the link takes (at most 65000). */
};

/** Adds an interface.
 * @param st  the stack
 * @param cfg the interface (copied)
 * @return its index (>= 0), to pass to synack_if_input(); -EINVAL for a bad configuration (no tx
 *         nor tx_meta, prefix_len above 32, mtu below 68, an unknown kind), -ENOSPC when the stack
 *         has its 8 interfaces already */
SYNACK_API int synack_if_add(synack_stack_t *st, const struct synack_if_config *cfg);
/** Hands a received frame to the stack, which processes it at once (answers may be transmitted
 * before this returns) and then delivers socket events.
 * @param st      the stack
 * @param ifindex the interface it arrived on
 * @param frame   the frame, borrowed: the stack copies what it keeps
 * @param len     its length
 * @param now     when it arrived
 * @return 0 (a malformed frame is dropped and counted, not an error), or -EINVAL for a bad @p ifindex */
SYNACK_API int synack_if_input(synack_stack_t *st, int ifindex, const uint8_t *frame, size_t len,
                               synack_time_t now);
/** Flags of synack_if_input_flags(): what the link vouches for about a received frame. */
enum synack_rx_flags {
    /** The link vouches for the frame's TCP or UDP checksum, so the stack does not check it: a
     * frame from this host's own kernel through a TAP with offloads (virtio-net's NEEDS_CSUM, whose
     * checksum field then holds only the pseudo-header sum, or DATA_VALID), or from a simulated link
     * with offload on (a copy in memory, as Linux trusts a packet over veth or loopback). Never set
     * it for bytes that crossed a wire unchecked. The IPv4 header checksum is still checked; a
     * datagram reassembled from fragments is checked whole. */
    SYNACK_RX_CSUM_OK = 1
};
/** synack_if_input() with what the link knows of the frame.
 * @param st      the stack
 * @param ifindex the interface it arrived on
 * @param frame   the frame, borrowed: the stack copies what it keeps
 * @param len     its length (with SYNACK_RX_CSUM_OK, up to 64 KB: a frame a link merged)
 * @param flags   enum synack_rx_flags, or 0 (then it is synack_if_input())
 * @param now     when it arrived
 * @return 0, or -EINVAL for a bad @p ifindex */
SYNACK_API int synack_if_input_flags(synack_stack_t *st, int ifindex, const uint8_t *frame, size_t len,
                                     unsigned flags, synack_time_t now);
/** Sets the default gateway.
 * @param st      the stack
 * @param gateway its IPv4 address, host order; 0 removes the gateway
 * @return 0, or -ENETUNREACH if the gateway is on none of the interfaces' networks */
SYNACK_API int synack_route_set_gateway(synack_stack_t *st, uint32_t gateway);
/** The kind of an interface.
 * @param st      the stack
 * @param ifindex the interface
 * @return its kind, or 0 for a bad index */
SYNACK_API enum synack_if_kind synack_if_kind(const synack_stack_t *st, int ifindex);
/** Tells the stack that frames its transmit callback accepted (returned 0 for) were lost by the
 * device afterwards, as a link that queues writes learns later: counted as LinkOutErrors, like a
 * frame the callback refused.
 * @param st the stack
 * @param n  how many */
SYNACK_API void synack_if_tx_lost(synack_stack_t *st, unsigned n);

/* ---- IPv6 ---- */

/** synack_if_enable_ipv6() flag: send router solicitations and accept router advertisements: a
 * default router, on-link prefixes, the link MTU, and addresses formed from advertised /64
 * prefixes (SLAAC, RFC 4862 5.5). */
#define SYNACK_IF6_SLAAC 1u

/** Turns IPv6 on for an interface. Until then (or until synack_if_add_addr6()) the interface sends
 * and answers nothing of IPv6. On Ethernet the interface gets a link-local address from its MAC
 * (fe80::/64 and the modified EUI-64), checked by duplicate address detection, joins the all-nodes
 * and solicited-node groups (reported by MLDv2) and resolves neighbours by Neighbor Discovery (RFC
 * 4861). Calling it again only adds flags.
 * @param st      the stack
 * @param ifindex the interface
 * @param flags   0 or SYNACK_IF6_SLAAC
 * @param now     the current time (DAD and solicitations start now)
 * @return 0, or -EINVAL for a bad @p ifindex or an interface whose MTU is below IPv6's 1280 (RFC 8200
 *         5), -ENOSPC if the interface's address table is full */
SYNACK_API int synack_if_enable_ipv6(synack_stack_t *st, int ifindex, unsigned flags, synack_time_t now);
/** Adds a static IPv6 address and its on-link prefix to an interface (turning IPv6 on for it).
 * The address is tentative until duplicate address detection has passed
 * (synack_config.ip6_dad_transmits seconds), then used.
 * @param st         the stack
 * @param ifindex    the interface
 * @param addr       the address (not IPv4-mapped, multicast, unspecified or loopback)
 * @param prefix_len its prefix length, 1 to 128 (64 usually)
 * @param now        the current time
 * @return 0, or -EINVAL (bad interface, address or prefix length, an MTU below 1280), -EEXIST (already there),
 *         -ENOSPC (the interface holds 6 IPv6 addresses already) */
SYNACK_API int synack_if_add_addr6(synack_stack_t *st, int ifindex, const struct synack_ip *addr,
                                   uint8_t prefix_len, synack_time_t now);
/** Sets a static IPv6 default router (besides those router advertisements teach).
 * @param st      the stack
 * @param gateway its address (link-local or on an interface's prefix); NULL removes it
 * @return 0, or -EINVAL for an IPv4 or multicast address, -ENETUNREACH if it is on no IPv6 interface */
SYNACK_API int synack_route6_set_gateway(synack_stack_t *st, const struct synack_ip *gateway);

/** The state of an interface address (synack_if_addrs()). */
enum synack_addr_state {
    SYNACK_ADDR_TENTATIVE = 1,   /**< IPv6: duplicate address detection in progress; not used yet. */
    SYNACK_ADDR_PREFERRED = 2,   /**< In use (every IPv4 address). */
    SYNACK_ADDR_DEPRECATED = 3,  /**< IPv6: its preferred lifetime is over; kept for existing use. */
    SYNACK_ADDR_DUPLICATE = 4,   /**< IPv6: another node has it (DAD failed); never used. */
};
/** One address of an interface. */
struct synack_if_addr {
    struct synack_ip addr;       /**< The address (IPv4-mapped for IPv4). */
    uint8_t prefix_len;          /**< Its prefix length (of the IPv6 form: 24 for an IPv4 /24). */
    enum synack_addr_state state;/**< Its state. */
    int autoconf;                /**< Nonzero if formed by the stack (link-local, SLAAC). */
};
/** Lists an interface's addresses: its IPv4 address first (if not 0.0.0.0), then its IPv6 ones.
 * @param st      the stack
 * @param ifindex the interface
 * @param out     where to write them
 * @param cap     entries @p out holds
 * @return the number of addresses the interface has (which may exceed @p cap: only @p cap are
 *         written), or -EINVAL for a bad @p ifindex */
SYNACK_API int synack_if_addrs(const synack_stack_t *st, int ifindex, struct synack_if_addr *out, size_t cap);

/* ---- observation ---- */

/** Registers the trace callback, which sees every frame, drop, TCP segment and state change (see
 * synack/trace.h). It runs synchronously while the stack works and must not call back into the
 * stack.
 * @param st  the stack
 * @param fn  the callback; NULL removes it
 * @param ctx passed to @p fn */
SYNACK_API void synack_stack_set_trace(synack_stack_t *st, synack_trace_fn fn, void *ctx);

/** Decides whether an ephemeral port may be used for a connection (synack_stack_set_port_filter()).
 * @param ctx    the pointer given with the filter
 * @param local  the connection's local address and the candidate port
 * @param remote the peer's address and port
 * @return nonzero if the port may be used */
typedef int (*synack_port_filter_fn)(void *ctx, const struct synack_sockaddr *local,
                                     const struct synack_sockaddr *remote);
/** Narrows the ephemeral ports a TCP connect may choose (RFC 6056's chooser skips ports the filter
 * refuses). For a stack that is one shard of several behind a multi-queue device: it takes only
 * ports whose 4-tuple steers the peer's replies back to this shard (synack_shards_owner()).
 * A bind to port 0 without a peer is not filtered.
 * @param st  the stack
 * @param fn  the filter; NULL removes it
 * @param ctx passed to @p fn */
SYNACK_API void synack_stack_set_port_filter(synack_stack_t *st, synack_port_filter_fn fn, void *ctx);

/* ---- ICMP echo (ping) from the stack ---- */

/** Sends one ICMP echo request. Replies are reported as SYNACK_TR_ICMP_ECHO_REPLY trace events.
 * @param st      the stack
 * @param dst     the destination (IPv4 or IPv6: an ICMPv6 echo request)
 * @param id      the echo identifier, returned in the reply
 * @param seq     the echo sequence number, returned in the reply
 * @param payload the echo data (may be NULL if @p len is 0)
 * @param len     its length
 * @param now     the current time
 * @return 0 once the request is handed to IP (which may still drop it, counted, e.g. while ARP
 *         or ND gives up), -EINVAL for a NULL @p dst, -EMSGSIZE for a payload beyond a datagram,
 *         -ENETUNREACH without a route, -EADDRNOTAVAIL for IPv6 without a usable source address
 *         (e.g. while duplicate address detection runs) */
SYNACK_API int synack_ping(synack_stack_t *st, const struct synack_ip *dst, uint16_t id, uint16_t seq,
                           const void *payload, size_t len, synack_time_t now);

#ifdef __cplusplus
}
#endif

#endif
