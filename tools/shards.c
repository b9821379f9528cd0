/* Shards of `synack serve --threads N` (see shards.h). */
#include "shards.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"

/* The kernel steers each flow to its owner's queue if it can load our program; if not, the shards
 * hand frames over as before, and we say why once. SYNACK_KERNEL_STEERING=0 leaves it off (to
 * compare, bench/shards.sh). */
static void steer_in_kernel(struct shardrun *s, struct devrun *r, const char *cmd)
{
    const char *env = getenv("SYNACK_KERNEL_STEERING");
    if (env && !strcmp(env, "0")) {
        (void)synack_tap_set_steering(r->fd, -1);   /* a program an earlier run left on the device */
        fprintf(stderr, "synack %s: steering in user space only (SYNACK_KERNEL_STEERING=0)\n", cmd);
        return;
    }
    char log[16384];   /* the verifier's log, if it refused the program */
    int e = synack_shards_steer_in_kernel(s->g, r->fd, log, sizeof(log));
    if (e == 0)
        return;
    const char *why = e == -EPERM ? " (loading an eBPF program needs CAP_BPF or CAP_SYS_ADMIN)"
                      : e == -EINVAL && !log[0] ? " (a kernel without TUNSETSTEERINGEBPF, before Linux 4.16?)"
                                                : "";
    fprintf(stderr, "synack %s: no steering in the kernel, the shards hand frames over instead: %s%s\n", cmd,
            synack_strerror(e), why);
    if (log[0])
        fprintf(stderr, "synack %s: the verifier's log:\n%s\n", cmd, log);
}

int shardrun_open(struct shardrun *s, struct devrun *r, const struct devopts *d, const char *cmd)
{
    memset(s, 0, sizeof(*s));
    s->n = r->nq;
    s->st[0] = r->st;
    s->drv[0] = r->driver;
    if (s->n <= 1)
        return 0;
    s->g = synack_shards_new(s->n, d->tun ? SYNACK_IF_RAWIP : SYNACK_IF_ETHERNET);
    if (!s->g) {
        fprintf(stderr, "synack %s: cannot create the shards: out of memory or file descriptors\n", cmd);
        return -1;
    }
    for (unsigned k = 1; k < s->n; k++) {
        const char *why;
        if (!(s->st[k] = devopts_stack_new(d, 0, &why))) {   /* shard 0 checked the shared addresses */
            fprintf(stderr, "synack %s: cannot create shard %u's stack: %s\n", cmd, k, why);
            return -1;
        }
        int fd = r->qfds[k];
        s->drv[k] = synack_driver_new(s->st[k]);
        void *txc = s->drv[k] ? synack_driver_tx_ctx(s->drv[k], fd) : NULL;
        if (!txc) {
            fprintf(stderr, "synack %s: cannot start shard %u's driver\n", cmd, k);
            return -1;
        }
        struct synack_if_config ic;
        devrun_if_config(r, d, txc, &ic);
        int ifindex = synack_if_add(s->st[k], &ic);
        if (ifindex != r->ifindex || (d->gateway && synack_route_set_gateway(s->st[k], d->gateway) != 0)) {
            fprintf(stderr, "synack %s: cannot add shard %u's interface\n", cmd, k);
            return -1;
        }
        if (d->naddr6) {
            /* The same IPv6 addresses (the interface is one, its MAC shared). */
            synack_time_t now = synack_clock_now();
            int e = synack_if_enable_ipv6(s->st[k], ifindex, 0, now);
            for (int i = 0; i < d->naddr6 && e == 0; i++)
                e = synack_if_add_addr6(s->st[k], ifindex, &d->addr6[i], d->plen6[i], now);
            if (e == 0 && d->have_gateway6)
                e = synack_route6_set_gateway(s->st[k], &d->gateway6);
            if (e < 0) {
                fprintf(stderr, "synack %s: cannot configure shard %u's IPv6: %s\n", cmd, k, synack_strerror(e));
                return -1;
            }
        }
        if ((r->vnet ? synack_driver_add_port_vnet(s->drv[k], fd, ifindex)
                                   : synack_driver_add_port(s->drv[k], fd, ifindex)) != 0) {
            fprintf(stderr, "synack %s: cannot start shard %u's driver\n", cmd, k);
            return -1;
        }
    }
    for (unsigned k = 0; k < s->n; k++) {
        int e = synack_shards_attach(s->g, k, s->drv[k], s->st[k], k ? r->qfds[k] : r->fd, r->ifindex);
        if (e < 0) {
            fprintf(stderr, "synack %s: cannot attach shard %u: %s\n", cmd, k, synack_strerror(e));
            return -1;
        }
    }
    steer_in_kernel(s, r, cmd);
    control_set_shards(r->ctl, s->g, s->st);
    return 0;
}

static void *shard_loop(void *arg)
{
    struct shardrun_thread *t = arg;
    struct shardrun *s = t->s;
    synack_driver_defer_tx(s->drv[t->k], 1);   /* rounds back to back: a round's frames go with the next wait */
    while (!*s->stop) {
        int e = synack_driver_run_once(s->drv[t->k], SYNACK_MS(100));
        if (e < 0 && e != -EINTR) {
            fprintf(stderr, "synack serve: shard %u's driver stopped: %s\n", t->k, synack_strerror(e));
            *s->stop = 1;
        }
    }
    synack_driver_flush(s->drv[t->k]);   /* on the thread that owns its ring */
    return NULL;
}

int shardrun_start(struct shardrun *s, volatile int *stop)
{
    s->stop = stop;
    /* The signals go to the main thread (shard 0), which sets *stop for all. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int err = 0;
    for (unsigned k = 1; k < s->n && !err; k++) {
        s->th[k] = (struct shardrun_thread){ s, k, 0 };
        err = pthread_create(&s->th[k].id, NULL, shard_loop, &s->th[k]);
        s->started[k] = !err;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (err)
        fprintf(stderr, "synack serve: cannot start a shard's thread: %s\n", strerror(err));
    return err ? -1 : 0;
}

void shardrun_join(struct shardrun *s)
{
    for (unsigned k = 1; k < s->n; k++)
        if (s->started[k]) {
            pthread_join(s->th[k].id, NULL);
            s->started[k] = 0;
        }
}

void shardrun_close(struct shardrun *s)
{
    shardrun_join(s);
    for (unsigned k = 1; k < s->n; k++) {
        synack_stack_free(s->st[k]);
        synack_driver_free(s->drv[k]);   /* after the stack, which transmits through it */
    }
    synack_shards_free(s->g);
    memset(s, 0, sizeof(*s));
}
