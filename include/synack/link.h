/* Built-in links of the core library: the simulated link (virtual time, seeded impairments) and
 * the simulated network that runs stacks and links under one clock. Links to real devices (TAP,
 * TUN), pcap files, the real clock and the driver loop are in the OS library (synack/os.h). An
 * embedding program can instead supply its own transmit callback (synack_if_config.tx) and call
 * synack_if_input() itself. */
#ifndef SYNACK_LINK_H
#define SYNACK_LINK_H

#include "synack/types.h"
#include "synack/stack.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------- simulated link ----------------
 * A point-to-point wire between two interfaces in one process. Each direction has its own queue:
 * a frame sent at t is serialised at `bandwidth_bps` behind earlier frames (a queue holding more
 * than `queue_limit` frames drops it), then arrives at t + serialisation + latency + jitter.
 * Loss, duplication, reordering (an extra `reorder_delay`) and corruption (one bit flipped) are
 * drawn per frame from a PRNG seeded by `seed`: same seed, same run. */
struct synack_simlink_config {
    synack_time_t latency;      /* one-way, microseconds */
    synack_time_t jitter;       /* uniform extra delay in [0, jitter] (can reorder frames) */
    uint64_t bandwidth_bps;     /* 0 = infinite */
    unsigned queue_limit;       /* frames waiting per direction; 0 = unbounded */
    double loss;                /* probability per frame, 0..1 */
    double duplicate;
    double reorder;             /* probability a frame is held back by reorder_delay */
    synack_time_t reorder_delay;
    double corrupt;             /* probability one random bit of the frame is flipped */
    uint64_t seed;
};

struct synack_simlink_stats {
    uint64_t sent, delivered, lost, duplicated, reordered, corrupted, queue_drops;
};

typedef struct synack_simlink synack_simlink_t;

/* Defaults: 1 ms latency, infinite bandwidth, no impairments, seed 1. */
SYNACK_API void synack_simlink_config_init(struct synack_simlink_config *cfg);
SYNACK_API synack_simlink_t *synack_simlink_new(const struct synack_simlink_config *cfg);
SYNACK_API void synack_simlink_free(synack_simlink_t *l);
/* Connects end `side` (0 or 1) to an interface. Add the interface with
 * tx = synack_simlink_tx and tx_ctx = synack_simlink_end(l, side) first, then attach it. */
SYNACK_API void *synack_simlink_end(synack_simlink_t *l, int side);
SYNACK_API int synack_simlink_tx(void *end, const uint8_t *frame, size_t len, synack_time_t now);
SYNACK_API void synack_simlink_attach(synack_simlink_t *l, int side, synack_stack_t *st, int ifindex);
/* Next time a frame arrives at either end, or SYNACK_TIME_NEVER. */
SYNACK_API synack_time_t synack_simlink_next(const synack_simlink_t *l);
/* Delivers every frame due at or before `now`, in arrival order (ties: order of sending), each
 * with its own arrival time as the receiver's `now`. Call it at synack_simlink_next(), as the
 * simulated network does, so that a stack never sees time step back. */
SYNACK_API void synack_simlink_deliver(synack_simlink_t *l, synack_time_t now);
/* Counters for the direction that end `side` transmits on (sent, lost, ... by that end;
 * delivered = arrived at the other end). */
SYNACK_API void synack_simlink_stats(const synack_simlink_t *l, int side, struct synack_simlink_stats *out);
/* Optional receive hook for end `side` (tests of the link alone): when set, frames arriving at
 * that end go to fn instead of synack_if_input(). `side` in the call is the receiving end, `now`
 * the frame's arrival time; `frame` is borrowed for the call. fn may transmit on the link.
 * NULL removes the hook. */
typedef void (*synack_simlink_rx_fn)(void *ctx, int side, const uint8_t *frame, size_t len,
                                     synack_time_t now);
SYNACK_API void synack_simlink_set_rx(synack_simlink_t *l, int side, synack_simlink_rx_fn fn, void *ctx);
/* Changes impairments mid-run (e.g. loss on for a while). cfg->seed is ignored: the PRNG keeps
 * its state. */
SYNACK_API void synack_simlink_set_config(synack_simlink_t *l, const struct synack_simlink_config *cfg);

/* ---------------- simulated network ----------------
 * Runs stacks and simulated links together under one virtual clock. */
typedef struct synack_simnet synack_simnet_t;
SYNACK_API synack_simnet_t *synack_simnet_new(synack_time_t start);
SYNACK_API void synack_simnet_free(synack_simnet_t *n);   /* frees the links, not the stacks */
/* Registers a stack or a link (on success the net owns the link). Events due at the same time run
 * links first, then stacks, each in the order added. Return 0, -EINVAL (NULL or added twice) or
 * -ENOSPC (SYNACK_SIMNET_MAX of that kind already). */
#define SYNACK_SIMNET_MAX 64
SYNACK_API int synack_simnet_add_stack(synack_simnet_t *n, synack_stack_t *st);
SYNACK_API int synack_simnet_add_link(synack_simnet_t *n, synack_simlink_t *l);
SYNACK_API synack_time_t synack_simnet_now(const synack_simnet_t *n);
/* Advances virtual time event by event (frame arrivals, stack deadlines) up to `until`.
 * Returns the number of events processed. */
SYNACK_API uint64_t synack_simnet_run_until(synack_simnet_t *n, synack_time_t until);
/* Processes the single earliest event if it is due at or before `until`. Returns 1 if one ran. */
SYNACK_API int synack_simnet_step(synack_simnet_t *n, synack_time_t until);

#ifdef __cplusplus
}
#endif

#endif
