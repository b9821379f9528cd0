/* Reno congestion control as NewReno uses it: slow start and congestion avoidance (RFC 5681 3.1)
 * with appropriate byte counting (RFC 3465), and the ssthresh of RFC 5681 eq. 4. The fast-recovery
 * bookkeeping of RFC 6582 is tcp_recovery.c's. */
#include "base/mem.h"

#include "tcp/tcp_cc.h"

struct reno {
    uint32_t bytes_acked_ca;   /* appropriate byte counting in congestion avoidance */
    uint8_t after_rto;         /* in the slow start that follows a timeout */
};
_Static_assert(sizeof(struct reno) <= TCP_CC_PRIV, "reno state fits the private area");

static void reno_init(struct tcp_cc_view *v, void *priv)
{
    (void)v;
    memset(priv, 0, sizeof(struct reno));
}

static void reno_on_ack(struct tcp_cc_view *v, void *priv)
{
    struct reno *r = priv;
    if (!v->cwnd_limited)
        return;
    if (v->cwnd < v->ssthresh) {
        /* RFC 5681 3.1 eq. 2 with RFC 3465's limit L = 2*SMSS per ACK, and L = 1*SMSS in the slow
         * start after a timeout (RFC 3465 2.3: one ACK may then cover much that was SACKed or
         * received before the timeout). */
        uint32_t l = r->after_rto ? v->mss : 2 * v->mss;
        v->cwnd += v->acked < l ? v->acked : l;
        return;
    }
    r->after_rto = 0;
    /* Congestion avoidance with appropriate byte counting (RFC 5681 3.1, RFC 3465): one SMSS per
     * cwnd's worth of acknowledged bytes. */
    r->bytes_acked_ca += v->acked;
    if (r->bytes_acked_ca >= v->cwnd) {
        r->bytes_acked_ca -= v->cwnd;
        v->cwnd += v->mss;
    }
}

static uint32_t reno_ssthresh(struct tcp_cc_view *v, void *priv)
{
    (void)priv;
    /* RFC 5681 eq. 4: ssthresh = max(FlightSize / 2, 2*SMSS) */
    uint32_t half = v->flight / 2;
    return half > 2u * v->mss ? half : 2u * v->mss;
}

static void reno_exit_recovery(struct tcp_cc_view *v, void *priv)
{
    (void)v;
    ((struct reno *)priv)->bytes_acked_ca = 0;
}

static void reno_on_rto(struct tcp_cc_view *v, void *priv)
{
    v->ssthresh = reno_ssthresh(v, priv);
    v->cwnd = v->mss;   /* RFC 5681 3.1: LW = 1 full-sized segment */
    ((struct reno *)priv)->bytes_acked_ca = 0;
    ((struct reno *)priv)->after_rto = 1;
}

const struct tcp_cc_ops tcp_cc_reno = {
    .name = "reno",
    .init = reno_init,
    .on_ack = reno_on_ack,
    .ssthresh = reno_ssthresh,
    .on_exit_recovery = reno_exit_recovery,
    .on_rto = reno_on_rto,
};
