/* `synack serve --threads N`: the shards of a multi-queue device (synack_shards_t), one stack,
 * driver loop and thread each. Shard 0 is the devrun's own stack and driver (it runs on the
 * calling thread, with the control socket); shards 1..N-1 are built here with the same interface
 * (address, MAC, MTU, offloads, gateway) on queues 1..N-1, each with a seed of its own. */
#ifndef TOOLS_SHARDS_H
#define TOOLS_SHARDS_H

#include <pthread.h>

#include "devopts.h"

struct shardrun;
struct shardrun_thread {
    struct shardrun *s;
    unsigned k;
    pthread_t id;
};

struct shardrun {
    unsigned n;
    synack_shards_t *g;
    synack_stack_t *st[SYNACK_SHARDS_MAX];       /* st[0] is the devrun's */
    synack_driver_t *drv[SYNACK_SHARDS_MAX];     /* drv[0] is the devrun's */
    struct shardrun_thread th[SYNACK_SHARDS_MAX];
    int started[SYNACK_SHARDS_MAX];
    volatile int *stop;
};

/* Builds shards 1..r->nq-1 beside the devrun's stack and attaches all r->nq. With one queue it
 * does nothing (n = 1, g = NULL). Prints a message and returns -1 on failure. */
int shardrun_open(struct shardrun *s, struct devrun *r, const struct devopts *d, const char *cmd);
/* Starts a thread for each shard but 0, each running its driver loop until *stop. */
int shardrun_start(struct shardrun *s, volatile int *stop);
/* Waits for the threads (after *stop was set). */
void shardrun_join(struct shardrun *s);
/* Frees shards 1..n-1 (drivers, then stacks); call devrun_close before, it frees shard 0's driver
 * that the set's hooks live in, and the set last. */
void shardrun_close(struct shardrun *s);

#endif
