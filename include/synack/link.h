/** @file
 * Built-in links of the core library: the simulated link (virtual time, seeded impairments) and
 * the simulated network that runs stacks and links under one clock. Links to real devices (TAP,
 * TUN), pcap files, the real clock and the driver loop are in the OS library (synack/os.h). An
 * embedding program can instead supply its own transmit callback (synack_if_config.tx) and call
 * synack_if_input() itself.
 *
 * The simulated link and network belong to no stack and take their memory from the C library. */
#ifndef SYNACK_LINK_H
#define SYNACK_LINK_H

#include "synack/types.h"
#include "synack/stack.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------- simulated link ---------------- */

/** The configuration of a simulated link: a point-to-point wire between two interfaces in one
 * process. Each direction has its own queue: a frame sent at t is serialised at `bandwidth_bps`
 * behind earlier frames (a queue holding more than `queue_limit` frames drops it), then arrives at
 * t + serialisation + latency + jitter. Loss, duplication, reordering (an extra `reorder_delay`)
 * and corruption (one bit flipped) are drawn per frame from a PRNG seeded by `seed`: same seed,
 * same run. Fill it with synack_simlink_config_init() first. */
struct synack_simlink_config {
    synack_time_t latency;      /**< One-way delay, microseconds. */
    synack_time_t jitter;       /**< Uniform extra delay in [0, jitter] (can reorder frames). */
    uint64_t bandwidth_bps;     /**< Bits per second each way; 0 = infinite (no serialisation delay). */
    unsigned queue_limit;       /**< Frames waiting per direction; 0 = unbounded. */
    double loss;                /**< Probability that a frame is lost, 0..1. */
    double duplicate;           /**< Probability that a frame arrives twice. */
    double reorder;             /**< Probability a frame is held back by reorder_delay. */
    synack_time_t reorder_delay;   /**< The extra delay of a reordered frame. */
    double corrupt;             /**< Probability one random bit of the frame is flipped. */
    /** Segmentation and checksum offload, as between two network namespaces over a veth pair (or
     * over loopback): the link takes frames of up to 65000 bytes (an interface with tx_meta =
     * synack_simlink_tx_meta and tso_max) and delivers each whole, as the receiver's GRO would have
     * merged it, vouching for its TCP/UDP checksum (synack_if_input_flags() with SYNACK_RX_CSUM_OK),
     * so neither side sums the payload. A corrupted frame is delivered without that vouching, and
     * the receiver's check drops it. 0: every frame is an ordinary one, checked by its receiver. */
    int offload;
    uint64_t seed;              /**< Seeds the link's PRNG: the same seed gives the same decisions. */
    /** Memory of the link and its frames in flight (a link belongs to no stack). Zero: the C
     * library's. Frames' blocks are reused, so a link in steady state allocates nothing per frame. */
    struct synack_allocator alloc;
};

/** What one direction of a simulated link did (synack_simlink_stats()). */
struct synack_simlink_stats {
    uint64_t sent;          /**< Frames the end transmitted. */
    uint64_t delivered;     /**< Copies that arrived at the other end. */
    uint64_t lost;          /**< Frames lost (the loss probability). */
    uint64_t duplicated;    /**< Frames sent twice. */
    uint64_t reordered;     /**< Frames held back by reorder_delay. */
    uint64_t corrupted;     /**< Frames with a bit flipped. */
    uint64_t queue_drops;   /**< Frames dropped because the queue held queue_limit frames. */
};

/** A simulated link: opaque; created by synack_simlink_new(). */
typedef struct synack_simlink synack_simlink_t;

/** Fills a configuration with the defaults: 1 ms latency, infinite bandwidth, no impairments,
 * seed 1.
 * @param cfg the configuration to fill */
SYNACK_API void synack_simlink_config_init(struct synack_simlink_config *cfg);
/** Creates a simulated link.
 * @param cfg its configuration (copied)
 * @return the link, or NULL if out of memory */
SYNACK_API synack_simlink_t *synack_simlink_new(const struct synack_simlink_config *cfg);
/** Frees a link and the frames in flight. A link added to a simulated network is freed by
 * synack_simnet_free() instead.
 * @param l the link; NULL does nothing */
SYNACK_API void synack_simlink_free(synack_simlink_t *l);
/** One end of the link, to give an interface as its transmit context: add the interface with
 * tx = synack_simlink_tx and tx_ctx = synack_simlink_end(l, side), then synack_simlink_attach() it.
 * @param l    the link
 * @param side 0 or 1
 * @return the end, or NULL for a bad @p side */
SYNACK_API void *synack_simlink_end(synack_simlink_t *l, int side);
/** The transmit callback (synack_link_tx_fn) of a simulated link: queues a copy of the frame
 * toward the other end, with the link's delays and impairments.
 * @param end   an end from synack_simlink_end()
 * @param frame the frame, copied
 * @param len   its length
 * @param now   when it is sent
 * @return 0 (also for a frame the link loses or its queue drops, as a real wire would), -EINVAL
 *         for a NULL end, or -ENOMEM */
SYNACK_API int synack_simlink_tx(void *end, const uint8_t *frame, size_t len, synack_time_t now);
/** The transmit callback of a segmentation-offload interface (synack_link_tx_meta_fn) on a link
 * with `offload` set: as synack_simlink_tx(), for frames of up to 65000 bytes; an offload frame
 * (meta->gso_size set, its checksum field holding only the pseudo-header sum) arrives whole.
 * @param end   an end from synack_simlink_end()
 * @param frame the frame, copied
 * @param len   its length
 * @param meta  how a device would cut it; the link does not need to
 * @param now   when it is sent
 * @return as synack_simlink_tx(); -EINVAL also for an offload frame on a link without `offload` */
SYNACK_API int synack_simlink_tx_meta(void *end, const uint8_t *frame, size_t len, const struct synack_tx_meta *meta,
                                      synack_time_t now);
/** Connects end `side` to an interface: frames arriving there go to synack_if_input(st, ifindex).
 * @param l       the link
 * @param side    0 or 1 (anything else is ignored)
 * @param st      the stack
 * @param ifindex the interface, as synack_if_add() returned it */
SYNACK_API void synack_simlink_attach(synack_simlink_t *l, int side, synack_stack_t *st, int ifindex);
/** When the next frame arrives at either end.
 * @param l the link
 * @return its arrival time, or SYNACK_TIME_NEVER if nothing is in flight */
SYNACK_API synack_time_t synack_simlink_next(const synack_simlink_t *l);
/** Delivers every frame due at or before `now`, in arrival order (ties: order of sending), each
 * with its own arrival time as the receiver's `now`. Call it at synack_simlink_next(), as the
 * simulated network does, so that a stack never sees time step back.
 * @param l   the link
 * @param now the time up to which to deliver */
SYNACK_API void synack_simlink_deliver(synack_simlink_t *l, synack_time_t now);
/** Counters for the direction that end `side` transmits on (sent, lost, ... by that end;
 * delivered = arrived at the other end).
 * @param l    the link
 * @param side 0 or 1; another value gives zeros
 * @param out  the counters */
SYNACK_API void synack_simlink_stats(const synack_simlink_t *l, int side, struct synack_simlink_stats *out);
/** A receive hook (synack_simlink_set_rx()).
 * @param ctx   the pointer given with the hook
 * @param side  the receiving end
 * @param frame the frame, borrowed for the call
 * @param len   its length
 * @param now   the frame's arrival time; fn may transmit on the link at this time */
typedef void (*synack_simlink_rx_fn)(void *ctx, int side, const uint8_t *frame, size_t len,
                                     synack_time_t now);
/** Sets an optional receive hook for end `side` (tests of the link alone): when set, frames
 * arriving at that end go to fn instead of synack_if_input().
 * @param l    the link
 * @param side 0 or 1
 * @param fn   the hook; NULL removes it
 * @param ctx  passed to @p fn */
SYNACK_API void synack_simlink_set_rx(synack_simlink_t *l, int side, synack_simlink_rx_fn fn, void *ctx);
/** Changes impairments mid-run (e.g. loss on for a while). Frames already in flight keep their
 * arrival times.
 * @param l   the link
 * @param cfg the new configuration; cfg->seed and cfg->alloc are ignored: the PRNG keeps its
 *            state, the link its allocator */
SYNACK_API void synack_simlink_set_config(synack_simlink_t *l, const struct synack_simlink_config *cfg);

/* ---------------- simulated network ---------------- */

/** A simulated network: runs stacks and simulated links together under one virtual clock,
 * event by event (frame arrivals, stack deadlines), so a whole scenario is a function of its seeds. */
typedef struct synack_simnet synack_simnet_t;
/** Creates a simulated network.
 * @param start the virtual time it starts at
 * @return the network, or NULL if out of memory */
SYNACK_API synack_simnet_t *synack_simnet_new(synack_time_t start);
/** Frees the network and the links added to it; not the stacks, which the caller frees (first,
 * since their interfaces transmit on the links).
 * @param n the network; NULL does nothing */
SYNACK_API void synack_simnet_free(synack_simnet_t *n);
/** The most stacks, and the most links, one network holds. */
#define SYNACK_SIMNET_MAX 64
/** Registers a stack: the network runs it at its deadlines. Events due at the same time run links
 * first, then stacks, each in the order added.
 * @param n  the network
 * @param st the stack (still the caller's)
 * @return 0, -EINVAL (NULL or added twice) or -ENOSPC (SYNACK_SIMNET_MAX stacks already) */
SYNACK_API int synack_simnet_add_stack(synack_simnet_t *n, synack_stack_t *st);
/** Registers a link: the network delivers its frames when they arrive. On success the network owns
 * the link.
 * @param n the network
 * @param l the link
 * @return 0, -EINVAL (NULL or added twice) or -ENOSPC (SYNACK_SIMNET_MAX links already) */
SYNACK_API int synack_simnet_add_link(synack_simnet_t *n, synack_simlink_t *l);
/** The network's virtual time: what to pass as `now` to calls made between runs.
 * @param n the network
 * @return the current virtual time */
SYNACK_API synack_time_t synack_simnet_now(const synack_simnet_t *n);
/** Advances virtual time event by event (frame arrivals, stack deadlines) up to `until`; the clock
 * then stands at `until`, so the caller can act at exactly that time.
 * @param n     the network
 * @param until the virtual time to stop at (SYNACK_TIME_NEVER: until nothing is left to do)
 * @return the number of events processed */
SYNACK_API uint64_t synack_simnet_run_until(synack_simnet_t *n, synack_time_t until);
/** Processes the single earliest event if it is due at or before `until`, moving the clock to it.
 * @param n     the network
 * @param until the latest time an event may have
 * @return 1 if an event ran, 0 if none was due */
SYNACK_API int synack_simnet_step(synack_simnet_t *n, synack_time_t until);

#ifdef __cplusplus
}
#endif

#endif
