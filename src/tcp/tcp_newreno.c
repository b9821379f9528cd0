/* NewReno congestion control: slow start and congestion avoidance (RFC 5681 3.1) with an initial
 * window of RFC 6928, the ssthresh of RFC 5681 eq. 4, and the exit from fast recovery of RFC 6582. */
#include "tcp/tcp_cc.h"
#include "tcp/tcp_conn.h"

static void newreno_init(struct tcp_conn *c)
{
    /* RFC 6928 2: IW = min(10*MSS, max(2*MSS, 14600)) */
    uint32_t mss = c->mss_snd;
    uint32_t iw = 2 * mss > 14600 ? 2 * mss : 14600;
    if (iw > 10 * mss)
        iw = 10 * mss;
    c->cwnd = iw;
    /* RFC 5681 3.1: "SHOULD be set arbitrarily high (e.g., to the size of the largest possible
     * advertised window)". */
    c->ssthresh = 0x7fffffff;
    c->bytes_acked_ca = 0;
}

static void newreno_on_ack(struct tcp_conn *c, uint32_t acked, synack_time_t now)
{
    uint32_t mss = c->mss_snd;
    if (c->cwnd < c->ssthresh) {
        /* RFC 5681 3.1 eq. 2 with RFC 3465's limit L = 2*SMSS per ACK. */
        c->cwnd += acked < 2 * mss ? acked : 2 * mss;
        return;
    }
    /* Congestion avoidance with appropriate byte counting (RFC 5681 3.1, RFC 3465): one SMSS per
     * cwnd's worth of acknowledged bytes. */
    c->bytes_acked_ca += acked;
    if (c->bytes_acked_ca >= c->cwnd) {
        c->bytes_acked_ca -= c->cwnd;
        c->cwnd += mss;
    }
}

static uint32_t newreno_ssthresh(struct tcp_conn *c)
{
    /* RFC 5681 eq. 4: ssthresh = max(FlightSize / 2, 2*SMSS) */
    uint32_t half = tcp_flight(c) / 2;
    return half > 2u * c->mss_snd ? half : 2u * c->mss_snd;
}

static void newreno_on_rto(struct tcp_conn *c)
{
    c->ssthresh = newreno_ssthresh(c);
    c->cwnd = c->mss_snd;   /* RFC 5681 3.1: LW = 1 full-sized segment */
    c->bytes_acked_ca = 0;
}

static void newreno_recovery_exit(struct tcp_conn *c)
{
    /* RFC 6582 3.2 step 3 (full ACK), option 1: cwnd = min(ssthresh, max(FlightSize, SMSS) + SMSS). */
    uint32_t f = tcp_flight(c);
    uint32_t v = (f > c->mss_snd ? f : c->mss_snd) + c->mss_snd;
    c->cwnd = v < c->ssthresh ? v : c->ssthresh;
    c->bytes_acked_ca = 0;
}

const struct tcp_cc_ops tcp_cc_newreno = {
    .name = "newreno",
    .init = newreno_init,
    .on_ack = newreno_on_ack,
    .ssthresh = newreno_ssthresh,
    .on_rto = newreno_on_rto,
    .on_recovery_exit = newreno_recovery_exit,
};
