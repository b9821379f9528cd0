/* CUBIC (RFC 9438) and HyStart++ (RFC 9406): the integer arithmetic of src/tcp/tcp_cubic.c held
 * against the RFC's formulas computed here in double precision, and the module driven through its
 * ops as a connection would drive it (window over time after a loss, the Reno-friendly region,
 * fast convergence), and HyStart++'s state machine on synthetic RTT rounds. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "tcp/tcp_cc.h"
#include "tcp/tcp_cubic.h"

#define MSS 1460u
#define C 0.4
#define BETA 0.7

static void test_icbrt(void **state)
{
    (void)state;
    /* floor(cbrt(x)) exactly: y^3 <= x < (y+1)^3, over small numbers, cubes and their
     * neighbours, and a spread of large ones up to 2^64 - 1. */
    for (uint64_t x = 0; x < 5000; x++) {
        unsigned __int128 y = tcp_icbrt(x);
        assert_true(y * y * y <= x && (y + 1) * (y + 1) * (y + 1) > x);
    }
    for (uint64_t r = 2; r < 2642245; r = r * 3 / 2 + 1) {
        uint64_t cube = r * r * r;
        assert_int_equal(tcp_icbrt(cube), r);
        assert_int_equal(tcp_icbrt(cube - 1), r - 1);
        assert_int_equal(tcp_icbrt(cube + 1), r);
    }
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < 10000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        unsigned __int128 y = tcp_icbrt(x);
        assert_true(y * y * y <= x && (y + 1) * (y + 1) * (y + 1) > x);
    }
    assert_int_equal(tcp_icbrt(UINT64_MAX), 2642245);
}

/* The test's own double-precision helpers (the tests link no libm): Newton's iteration for the
 * cube root, to full double precision. */
static double fabs_(double x) { return x < 0 ? -x : x; }
static double cbrt_(double x)
{
    if (x <= 0)
        return 0;
    double y = x > 1 ? x / 3 : 1;
    for (int i = 0; i < 200; i++)
        y = y - (y * y * y - x) / (3 * y * y);
    return y;
}
static double cube(double x) { return x * x * x; }
static double k_ref(double w_max_seg, double cwnd_seg) { return cbrt_((w_max_seg - cwnd_seg) / C); }
static double w_ref(double w_max_seg, double k, double t) { return C * cube(t - k) + w_max_seg; }
/* When the window comes within half a segment of W_max after a reduction to `start` segments:
 * the first t where the cubic curve or the Reno-friendly estimate (alpha_cubic segments per RTT,
 * RFC 9438 4.3) reaches it. Seconds. */
static double reach_ref(double w_max_seg, double start_seg, double rtt_s)
{
    double k = k_ref(w_max_seg, start_seg);
    for (double t = 0;; t += 0.001) {
        double est = start_seg + 3 * (1 - BETA) / (1 + BETA) * t / rtt_s;
        if (w_ref(w_max_seg, k, t) >= w_max_seg - 0.5 || est >= w_max_seg - 0.5)
            return t;
    }
}

static void test_k_and_w(void **state)
{
    (void)state;
    const uint32_t wmaxes[] = { 10, 20, 64, 100, 333, 1000, 10000 };
    for (size_t i = 0; i < sizeof(wmaxes) / sizeof(wmaxes[0]); i++) {
        uint32_t w_max = wmaxes[i] * MSS, cwnd = (uint32_t)(w_max * BETA);
        double k = k_ref(wmaxes[i], (double)cwnd / MSS);
        uint32_t k_ms = tcp_cubic_k_ms(w_max, cwnd, MSS);
        assert_true(fabs_(k * 1000 - k_ms) <= 1.0);
        /* W_cubic(t) from 0 to 3K: within a hundredth of a segment plus the 1 ms step of t. */
        for (uint32_t t_ms = 0; t_ms <= 3 * k_ms + 100; t_ms += 37) {
            double want = w_ref(wmaxes[i], k, t_ms / 1000.0) * MSS;
            if (want < 0)
                want = 0;
            double slope = 3 * C * (t_ms / 1000.0 - k) * (t_ms / 1000.0 - k) * MSS / 1000.0;   /* bytes per ms */
            double got = tcp_cubic_w(w_max, k_ms, t_ms, MSS);
            assert_true(fabs_(got - want) <= 0.01 * MSS + slope * 1.0 + 2);
        }
        /* W_cubic(K) = W_max, and the curve is concave before K and convex after. */
        assert_int_equal(tcp_cubic_w(w_max, k_ms, k_ms, MSS), w_max);
        assert_true(tcp_cubic_w(w_max, k_ms, k_ms / 2, MSS) < w_max);
        assert_true(tcp_cubic_w(w_max, k_ms, k_ms * 2, MSS) > w_max);
    }
    assert_int_equal(tcp_cubic_k_ms(100 * MSS, 100 * MSS, MSS), 0);
    assert_int_equal(tcp_cubic_k_ms(100 * MSS, 120 * MSS, MSS), 0);
}

/* ---------- the module, driven as a connection would ---------- */

struct conn {
    uint64_t priv[TCP_CC_PRIV_WORDS];
    struct tcp_cc_view v;
    uint32_t una, max;
};

static void conn_init(struct conn *c, uint32_t cwnd, uint32_t srtt)
{
    memset(c, 0, sizeof(*c));
    c->v.mss = MSS;
    c->v.cwnd = cwnd;
    c->v.ssthresh = 0x7fffffff;
    c->v.srtt_us = srtt;
    c->una = 1000;
    c->max = 1000 + cwnd;
    c->v.ack = c->una;
    c->v.snd_max = c->max;
    tcp_cc_cubic.init(&c->v, c->priv);
}

/* A loss while the flight is cwnd, then recovery ends with cwnd = ssthresh, as tcp_recovery.c
 * does. */
static void conn_loss(struct conn *c, synack_time_t now)
{
    c->v.now = now;
    c->v.flight = c->v.cwnd;
    c->v.ssthresh = tcp_cc_cubic.ssthresh(&c->v, c->priv);
    c->v.cwnd = c->v.ssthresh;
    tcp_cc_cubic.on_exit_recovery(&c->v, c->priv);
}

/* One RTT of ACKs, one per segment, evenly spread, the sender always cwnd-limited. */
static void conn_round(struct conn *c, synack_time_t start, uint32_t rtt, uint32_t rtt_sample)
{
    uint32_t n = c->v.cwnd / MSS;
    if (!n)
        n = 1;
    for (uint32_t i = 0; i < n; i++) {
        c->una += MSS;
        c->v.now = start + (synack_time_t)rtt * (i + 1) / n;
        c->v.acked = MSS;
        c->v.flight = c->v.cwnd;
        c->v.cwnd_limited = 1;
        c->v.ack = c->una;
        c->v.rtt_us = rtt_sample;
        if (rtt_sample)
            tcp_cc_cubic.on_rtt(&c->v, c->priv);
        tcp_cc_cubic.on_ack(&c->v, c->priv);
        if (c->una + c->v.cwnd > c->max)
            c->max = c->una + c->v.cwnd;
        c->v.snd_max = c->max;
    }
}

static void test_window_over_time(void **state)
{
    (void)state;
    /* RTT 100 ms, a loss at W_max segments: the window must follow W_cubic(t) (RFC 9438 4.2) from
     * beta*W_max through W_max at t = K and beyond, never behind the curve by more than the
     * per-ACK steps of one round and never ahead of it by more than the target's one RTT. */
    const uint32_t wmaxes[] = { 50, 100, 400 };
    const uint32_t rtt = 100000;
    for (size_t i = 0; i < 3; i++) {
        struct conn c;
        conn_init(&c, wmaxes[i] * MSS, rtt);
        c.v.ssthresh = c.v.cwnd;   /* in congestion avoidance */
        conn_loss(&c, 1000000);
        assert_int_equal(c.v.ssthresh, (uint32_t)(wmaxes[i] * MSS * BETA));
        double k = k_ref(wmaxes[i], wmaxes[i] * BETA);
        synack_time_t t0 = 1000000;
        int reached = 0;
        for (int r = 0; r < (int)(2 * k * 10) + 10; r++) {
            conn_round(&c, t0 + (synack_time_t)r * rtt, rtt, 0);
            double t = (r + 1) * rtt / 1e6;
            double lo = w_ref(wmaxes[i], k, t - 2 * rtt / 1e6) * MSS - 2.0 * MSS;
            double hi = w_ref(wmaxes[i], k, t + 2 * rtt / 1e6) * MSS + 2.0 * MSS;
            /* the Reno-friendly estimate may lead: W_est in segments after r+1 rounds */
            double est = wmaxes[i] * BETA;
            for (int j = 0; j <= r; j++)
                est += est >= wmaxes[i] ? 1.0 : 3 * (1 - BETA) / (1 + BETA);
            est *= MSS;
            if (hi < est + 2.0 * MSS)
                hi = est + 2.0 * MSS;
            assert_true(c.v.cwnd >= lo);
            assert_true(c.v.cwnd <= hi);
            if (!reached && c.v.cwnd + MSS / 2 >= wmaxes[i] * MSS) {
                reached = 1;   /* W_max is regained at about t = K (or W_est's time) */
                assert_true(fabs_(t - reach_ref(wmaxes[i], wmaxes[i] * BETA, rtt / 1e6)) <= 0.3);
            }
        }
        assert_true(reached);
    }
}

static void test_reno_friendly(void **state)
{
    (void)state;
    /* A short RTT and a small W_max: Reno's AIMD with alpha_cubic outgrows the cubic curve, so
     * cwnd follows W_est (RFC 9438 4.3), which the test recomputes in double per ACK, alpha
     * becoming 1 once W_est passes cwnd_prior. */
    const uint32_t rtt = 10000;
    struct conn c;
    conn_init(&c, 10 * MSS, rtt);
    c.v.ssthresh = c.v.cwnd;
    conn_loss(&c, 1000000);
    double w_est = 7.0, prior = 10.0;
    synack_time_t t0 = 1000000;
    for (int r = 0; r < 100; r++) {
        uint32_t n = c.v.cwnd / MSS;
        double cw = c.v.cwnd / (double)MSS;
        for (uint32_t j = 0; j < n; j++)
            w_est += (w_est >= prior ? 1.0 : 3 * (1 - BETA) / (1 + BETA)) / cw;
        conn_round(&c, t0 + (synack_time_t)r * rtt, rtt, 0);
    }
    double t = 100 * rtt / 1e6;
    double cub = w_ref(10, k_ref(10, 7), t);
    assert_true(w_est > cub + 10);   /* the friendly region indeed */
    assert_true(fabs_(c.v.cwnd / (double)MSS - w_est) <= 0.05 * w_est + 1);
}

static void test_fast_convergence(void **state)
{
    (void)state;
    /* RFC 9438 4.7: a loss below the last W_max remembers W_max = cwnd * (1 + beta) / 2, so the
     * plateau comes earlier (a smaller K from the next cwnd). 4.6: ssthresh = flight * beta. */
    struct conn c;
    conn_init(&c, 100 * MSS, 100000);
    c.v.ssthresh = c.v.cwnd;
    conn_loss(&c, 1000000);                 /* W_max = 100 */
    c.v.cwnd = 80 * MSS;
    conn_loss(&c, 2000000);                 /* below W_max: W_max = 80 * 0.85 = 68 */
    assert_int_equal(c.v.ssthresh, 56 * MSS);
    /* Grow from 56 segments: the plateau is at 68, reached near K = cbrt((68 - 56) / 0.4). */
    synack_time_t t0 = 2000000;
    int r = 0;
    while (c.v.cwnd + MSS / 2 < 68 * MSS && r < 100)
        conn_round(&c, t0 + (synack_time_t)r++ * 100000, 100000, 0);
    assert_true(fabs_(r * 0.1 - reach_ref(68, 56, 0.1)) <= 0.3);
    /* Without fast convergence (a loss at or above W_max), W_max is cwnd itself. */
    struct conn d;
    conn_init(&d, 100 * MSS, 100000);
    d.v.ssthresh = d.v.cwnd;
    conn_loss(&d, 1000000);
    d.v.cwnd = 120 * MSS;
    conn_loss(&d, 2000000);
    assert_int_equal(d.v.ssthresh, 84 * MSS);
    r = 0;
    while (d.v.cwnd + MSS / 2 < 120 * MSS && r < 100)
        conn_round(&d, 2000000 + (synack_time_t)r++ * 100000, 100000, 0);
    assert_true(fabs_(r * 0.1 - reach_ref(120, 84, 0.1)) <= 0.3);
}

static void test_rto(void **state)
{
    (void)state;
    /* RFC 9438 4.8: cwnd to one segment, ssthresh by beta; after slow start, the first stage
     * has K = 0 (growth is convex from the window at its start). */
    struct conn c;
    conn_init(&c, 100 * MSS, 100000);
    c.v.ssthresh = c.v.cwnd;
    c.v.flight = c.v.cwnd;
    tcp_cc_cubic.on_rto(&c.v, c.priv);
    assert_int_equal(c.v.cwnd, MSS);
    assert_int_equal(c.v.ssthresh, 70 * MSS);
    int r = 0;
    while (c.v.cwnd < c.v.ssthresh && r < 50)
        conn_round(&c, 1000000 + (synack_time_t)r++ * 100000, 100000, 0);
    assert_true(r <= 8);   /* slow start doubles */
    uint32_t start = c.v.cwnd;
    conn_round(&c, 1000000 + (synack_time_t)r++ * 100000, 100000, 0);
    conn_round(&c, 1000000 + (synack_time_t)r++ * 100000, 100000, 0);
    assert_true(c.v.cwnd > start);
    assert_true(c.v.cwnd <= start + start / 10);   /* convex from its start, no jump to the old W_max */
}

/* One ACK of `acked` bytes at `now`, the sender cwnd-limited. */
static void conn_ack(struct conn *c, synack_time_t now, uint32_t acked)
{
    c->una += acked;
    c->v.now = now;
    c->v.acked = acked;
    c->v.flight = c->v.cwnd;
    c->v.cwnd_limited = 1;
    c->v.ack = c->una;
    c->v.rtt_us = 0;
    tcp_cc_cubic.on_ack(&c->v, c->priv);
    if (c->una + c->v.cwnd > c->max)
        c->max = c->una + c->v.cwnd;
    c->v.snd_max = c->max;
}

static void test_slow_start_after_rto(void **state)
{
    (void)state;
    /* RFC 9406 4.3: HyStart++ only in the initial slow start; after an RTO, standard slow start
     * (RFC 5681 3.1 eq. 2: cwnd += min(N, SMSS) per ACK). So neither HyStart++'s L = 8 segments for
     * an ACK that covers much (after a timeout, data SACKed before it) nor CSS's quarter when the
     * timeout came during Conservative Slow Start. */
    struct conn c;
    conn_init(&c, 10 * MSS, 50000);
    synack_time_t t = 0;
    conn_round(&c, t, 50000, 50000);
    t += 50000;
    conn_round(&c, t, 50000, 50000);
    t += 50000;
    uint32_t before = c.v.cwnd;
    conn_round(&c, t, 50000, 60000);   /* the RTT rises: Conservative Slow Start */
    t += 60000;
    assert_true(c.v.cwnd - before < before / 2);   /* (CSS indeed: a quarter's growth) */
    assert_int_equal(c.v.ssthresh, 0x7fffffff);
    c.v.flight = c.v.cwnd;
    tcp_cc_cubic.on_rto(&c.v, c.priv);
    assert_int_equal(c.v.cwnd, MSS);
    uint32_t ss = c.v.ssthresh;
    conn_ack(&c, t + 1000, MSS);
    assert_int_equal(c.v.cwnd, 2 * MSS);       /* a whole segment, not a quarter */
    conn_ack(&c, t + 2000, 20 * MSS);          /* fills a hole below 19 SACKed segments */
    assert_int_equal(c.v.cwnd, 3 * MSS);
    conn_ack(&c, t + 3000, MSS / 2);
    assert_int_equal(c.v.cwnd, 3 * MSS + MSS / 2);
    assert_int_equal(c.v.ssthresh, ss);

    /* A timeout in congestion avoidance, no CSS ever: still one SMSS per ACK at most. */
    conn_init(&c, 40 * MSS, 50000);
    c.v.ssthresh = c.v.cwnd;
    conn_round(&c, 0, 50000, 50000);
    c.v.flight = c.v.cwnd;
    tcp_cc_cubic.on_rto(&c.v, c.priv);
    assert_int_equal(c.v.cwnd, MSS);
    conn_ack(&c, 100000, 30 * MSS);
    assert_int_equal(c.v.cwnd, 2 * MSS);
    conn_ack(&c, 101000, 2 * MSS);
    assert_int_equal(c.v.cwnd, 3 * MSS);
}

static void test_app_limited(void **state)
{
    (void)state;
    /* RFC 9438 5.8: while the sender is application-limited cwnd does not grow, and the time spent
     * so does not count on the curve: after 10 s of ACKs that were not cwnd-limited, the first
     * limited round grows cwnd as at the start of a stage (no leap to W_cubic(10 s)). */
    struct conn c;
    conn_init(&c, 100 * MSS, 100000);
    c.v.ssthresh = c.v.cwnd;
    conn_loss(&c, 1000000);
    conn_round(&c, 1000000, 100000, 0);   /* the stage begins */
    uint32_t w = c.v.cwnd;
    for (int i = 0; i < 100; i++) {
        c.v.now = 1100000 + (synack_time_t)i * 100000;
        c.v.acked = MSS;
        c.v.cwnd_limited = 0;
        tcp_cc_cubic.on_ack(&c.v, c.priv);
    }
    assert_int_equal(c.v.cwnd, w);
    conn_round(&c, 11100000, 100000, 0);
    assert_true(c.v.cwnd > w);
    assert_true(c.v.cwnd < w + 10 * MSS);   /* W_cubic(10 s) would be ~1.5 * cwnd, the clamp */
}

static void test_idle_after_limited(void **state)
{
    (void)state;
    /* RFC 9438 5.8: idle periods do not count in t. A sender cwnd-limited to the end of its data:
     * the last ACK empties the flight (and is cwnd-limited), then nothing for 10 s, then it sends
     * again, cwnd-limited: the first round grows cwnd as the curve does from where the stage
     * stopped, not by W_cubic(10 s) (the 1.5 * cwnd clamp). When the ACK that empties the flight
     * releases the next one at once, no time is lost: script/cubic_window_over_time. */
    struct conn c;
    conn_init(&c, 100 * MSS, 100000);
    c.v.ssthresh = c.v.cwnd;
    conn_loss(&c, 1000000);
    conn_round(&c, 1000000, 100000, 0);   /* the stage begins */
    conn_round(&c, 1100000, 100000, 0);
    c.una += c.v.cwnd;   /* the ACK of the whole last flight */
    c.v.now = 1250000;
    c.v.acked = c.v.flight = c.v.cwnd;
    c.v.cwnd_limited = 1;
    c.v.ack = c.una;
    tcp_cc_cubic.on_ack(&c.v, c.priv);
    uint32_t w = c.v.cwnd;
    c.v.now = 11250000;
    tcp_cc_cubic.on_tx_start(&c.v, c.priv);   /* new data leaves */
    conn_round(&c, 11250000, 100000, 0);
    assert_true(c.v.cwnd > w);
    assert_true(c.v.cwnd < w + 10 * MSS);
    /* A loss while paused starts a new stage as usual, and the clock runs again. */
    conn_loss(&c, 11400000);
    uint32_t after = c.v.cwnd;
    conn_round(&c, 11400000, 100000, 0);
    assert_true(c.v.cwnd > after && c.v.cwnd < after + 10 * MSS);
}

/* ---------- the module against RFC 9438 over several epochs ---------- */

/* RFC 9438's congestion avoidance in double precision, in segments and seconds, written from the
 * RFC's text and independent of the module's integer arithmetic: one call per ACK. */
struct ref {
    double cwnd, ssthresh, w_max, cwnd_prior, w_est, k, t_epoch;
    int in_epoch;
};

/* 4.6 and 4.7, the flight being cwnd: cwnd_prior = cwnd; W_max with fast convergence;
 * ssthresh = flight * beta_cubic, at least 2 segments. */
static void ref_reduce(struct ref *r)
{
    r->cwnd_prior = r->cwnd;
    r->w_max = r->cwnd < r->w_max ? r->cwnd * (1 + BETA) / 2 : r->cwnd;
    r->ssthresh = r->cwnd * BETA > 2 ? r->cwnd * BETA : 2;
    r->in_epoch = 0;
}

static void ref_ack(struct ref *r, double now, double segs, double srtt)
{
    if (r->cwnd < r->ssthresh) {
        r->cwnd += segs < 1 ? segs : 1;   /* standard slow start after an RTO, RFC 5681 eq. 2 */
        return;
    }
    if (!r->in_epoch) {
        /* 4.2: a new stage; K from cwnd_epoch, or K = 0 and W_max = cwnd_epoch when the stage
         * starts at or above W_max (4.8 after an RTO, where W_max is 0) */
        r->in_epoch = 1;
        r->t_epoch = now;
        r->w_est = r->cwnd;   /* 4.3: W_est = cwnd_epoch */
        if (r->cwnd < r->w_max) {
            r->k = k_ref(r->w_max, r->cwnd);
        } else {
            r->k = 0;
            r->w_max = r->cwnd;
        }
    }
    double t = now - r->t_epoch;
    /* 4.3 Figure 4, alpha_cubic becoming 1 once W_est >= cwnd_prior */
    r->w_est += (r->w_est >= r->cwnd_prior ? 1.0 : 3 * (1 - BETA) / (1 + BETA)) * segs / r->cwnd;
    if (w_ref(r->w_max, r->k, t) < r->w_est) {
        if (r->w_est > r->cwnd)
            r->cwnd = r->w_est;   /* the Reno-friendly region */
        return;
    }
    /* 4.2's target, clamped to [cwnd, 1.5 cwnd]; 4.4/4.5: (target - cwnd) / cwnd per segment */
    double target = w_ref(r->w_max, r->k, t + srtt);
    if (target < r->cwnd)
        target = r->cwnd;
    if (target > 1.5 * r->cwnd)
        target = 1.5 * r->cwnd;
    r->cwnd += (target - r->cwnd) * segs / r->cwnd;
}

/* `rounds` RTTs of one ACK per segment, module and reference side by side; after every ACK the
 * module's cwnd must be the reference's within 0.1 % and a tenth of a segment. Returns the time
 * at the end. */
static synack_time_t both_rounds(struct conn *c, struct ref *r, synack_time_t t, uint32_t rtt, int rounds)
{
    for (int k = 0; k < rounds; k++) {
        uint32_t n = c->v.cwnd / MSS ? c->v.cwnd / MSS : 1;
        for (uint32_t i = 0; i < n; i++) {
            synack_time_t now = t + (synack_time_t)rtt * (i + 1) / n;
            conn_ack(c, now, MSS);
            ref_ack(r, now / 1e6, 1.0, c->v.srtt_us / 1e6);
            double got = c->v.cwnd / (double)MSS;
            if (fabs_(got - r->cwnd) > 0.001 * r->cwnd + 0.1)
                fail_msg("%.0f s: cwnd %.3f segments, RFC 9438 %.3f (W_max %.2f, K %.3f s, W_est %.3f)",
                         now / 1e6, got, r->cwnd, r->w_max, r->k, r->w_est);
        }
        t += rtt;
    }
    return t;
}

static void both_loss(struct conn *c, struct ref *r, synack_time_t now)
{
    conn_loss(c, now);
    ref_reduce(r);
    r->cwnd = r->ssthresh;
    assert_true(fabs_(c->v.ssthresh / (double)MSS - r->ssthresh) < 0.01);
}

static void test_epochs_against_rfc(void **state)
{
    (void)state;
    struct conn c;
    struct ref r;
    /* 50 ms RTT, windows of tens of segments: the Reno-friendly region (4.3), alpha_cubic 1 once
     * W_est passes cwnd_prior, a loss above W_max (W_max = cwnd), one below it (fast
     * convergence, 4.7). */
    conn_init(&c, 60 * MSS, 50000);
    c.v.ssthresh = c.v.cwnd;
    memset(&r, 0, sizeof(r));
    r.cwnd = r.ssthresh = 60;
    synack_time_t t = 1000000;
    both_loss(&c, &r, t);
    t = both_rounds(&c, &r, t, 50000, 40);
    assert_true(r.w_est > r.cwnd_prior + 2);   /* alpha_cubic went to 1 on the way */
    both_loss(&c, &r, t);
    t = both_rounds(&c, &r, t, 50000, 10);
    double w = r.cwnd;
    both_loss(&c, &r, t);
    assert_true(fabs_(r.w_max - w * 0.85) < 1e-9);   /* fast convergence */
    t = both_rounds(&c, &r, t, 50000, 60);

    /* 200 ms RTT, W_max 400: the concave region up to K = 6.7 s and the convex one past it
     * (4.4, 4.5), then losses above and below W_max. */
    conn_init(&c, 400 * MSS, 200000);
    c.v.ssthresh = c.v.cwnd;
    memset(&r, 0, sizeof(r));
    r.cwnd = r.ssthresh = 400;
    t = 1000000;
    both_loss(&c, &r, t);
    t = both_rounds(&c, &r, t, 200000, 20);
    assert_true(r.cwnd < r.w_max && r.cwnd > r.w_est + 10);   /* concave, above Reno's estimate */
    t = both_rounds(&c, &r, t, 200000, 30);
    assert_true(r.cwnd > r.w_max + 5);                         /* convex */
    both_loss(&c, &r, t);
    t = both_rounds(&c, &r, t, 200000, 15);
    both_loss(&c, &r, t);
    t = both_rounds(&c, &r, t, 200000, 40);

    /* 1 s RTT, a timeout at 20 segments: slow start to ssthresh, then a stage with K = 0 and
     * W_max = cwnd_epoch (4.8) whose target W_cubic(t + RTT) soon exceeds 1.5 cwnd (the clamp of
     * 4.2). */
    conn_init(&c, 20 * MSS, 1000000);
    c.v.ssthresh = c.v.cwnd;
    memset(&r, 0, sizeof(r));
    r.cwnd = r.ssthresh = 20;
    t = both_rounds(&c, &r, 1000000, 1000000, 2);
    c.v.flight = c.v.cwnd;
    tcp_cc_cubic.on_rto(&c.v, c.priv);
    ref_reduce(&r);
    r.cwnd = 1;
    r.w_max = 0;
    assert_int_equal(c.v.cwnd, MSS);
    t = both_rounds(&c, &r, t, 1000000, 5);   /* slow start */
    assert_true(r.cwnd >= r.ssthresh);
    double start = r.cwnd;
    t = both_rounds(&c, &r, t, 1000000, 6);
    assert_true(r.cwnd > 4 * start);           /* convex from K = 0, 1.5x per RTT at most */
    assert_true(r.cwnd < start * 1.5 * 1.5 * 1.5 * 1.5 * 1.5 * 1.5);
}

/* ---------- HyStart++ ---------- */

/* A flight of `n` segments [*una, *max) acknowledged one ACK per segment, each ACK bringing an RTT
 * sample and releasing one new segment (snd_max as the ACK finds it, before its own sends). With
 * `last` 0 the flight's last ACK is held back (the round does not end): round_end sends it. */
static void acks(struct tcp_hystart *h, uint32_t *una, uint32_t *max, unsigned n, uint32_t rtt, int last)
{
    uint32_t base = *una, top = *max;
    for (unsigned i = 0; i < n - (last ? 0 : 1); i++) {
        tcp_hystart_rtt(h, rtt);
        tcp_hystart_ack(h, base + (i + 1) * MSS, top + i * MSS);
    }
    if (last) {
        *una = top;
        *max = top + n * MSS;
    }
}
static void round_end(struct tcp_hystart *h, uint32_t *una, uint32_t *max, unsigned n, uint32_t rtt)
{
    tcp_hystart_rtt(h, rtt);
    tcp_hystart_ack(h, *max, *max + (n - 1) * MSS);
    *una = *max;
    *max += n * MSS;
}
static void round_of(struct tcp_hystart *h, uint32_t *una, uint32_t *max, unsigned samples, uint32_t rtt)
{
    acks(h, una, max, samples, rtt, 1);
}

static void test_hystart_states(void **state)
{
    (void)state;
    struct tcp_hystart h;
    uint32_t una = 0, max = 8 * MSS;
    tcp_hystart_init(&h, max);
    round_of(&h, &una, &max, 8, 100000);
    round_of(&h, &una, &max, 8, 100000);
    assert_false(tcp_hystart_in_css(&h));
    /* RttThresh = clamp(100 ms / 8) = 12.5 ms: 112 ms is below, 113 ms above, after N_RTT_SAMPLE. */
    round_of(&h, &una, &max, 8, 112000);
    assert_false(tcp_hystart_in_css(&h));
    acks(&h, &una, &max, 8, 126000, 0);   /* last round's minimum was 112 ms: threshold 14 ms */
    assert_false(tcp_hystart_in_css(&h));  /* only 7 samples */
    round_end(&h, &una, &max, 8, 130000);
    assert_true(tcp_hystart_in_css(&h));
    assert_int_equal(tcp_hystart_growth(&h, 4 * MSS, MSS), MSS);
    /* CSS_ROUNDS rounds in CSS end slow start; the round CSS began in counts (RFC 9406 4.2: "that
     * partial round counts towards the limit"), so four more. */
    for (int i = 1; i < 4; i++) {
        round_of(&h, &una, &max, 8, 130000);
        assert_true(tcp_hystart_in_css(&h));
        assert_false(h.done);
    }
    acks(&h, &una, &max, 8, 130000, 0);
    assert_false(h.done);
    tcp_hystart_rtt(&h, 130000);
    assert_int_equal(tcp_hystart_ack(&h, max, max + 7 * MSS), 1);
    assert_true(h.done);

    /* Back to slow start when the RTT falls below the CSS baseline. */
    una = max;
    max += 8 * MSS;
    tcp_hystart_init(&h, max);
    round_of(&h, &una, &max, 8, 20000);
    round_of(&h, &una, &max, 8, 24500);   /* threshold clamps to MIN_RTT_THRESH 4 ms: 24.5 >= 24 */
    assert_true(tcp_hystart_in_css(&h));
    round_of(&h, &una, &max, 8, 24000);   /* below the 24.5 ms baseline */
    assert_false(tcp_hystart_in_css(&h));
    assert_int_equal(tcp_hystart_growth(&h, 4 * MSS, MSS), 4 * MSS);

    /* MAX_RTT_THRESH: 200 ms / 8 = 25 ms clamps to 16 ms. */
    una = max;
    max += 8 * MSS;
    tcp_hystart_init(&h, max);
    round_of(&h, &una, &max, 8, 200000);
    round_of(&h, &una, &max, 8, 215999);
    assert_false(tcp_hystart_in_css(&h));
    una = max;
    max += 8 * MSS;
    tcp_hystart_init(&h, max);
    round_of(&h, &una, &max, 8, 200000);
    round_of(&h, &una, &max, 8, 216000);
    assert_true(tcp_hystart_in_css(&h));
}

static void test_hystart_in_module(void **state)
{
    (void)state;
    /* Slow start through the module: growth by one segment per ACK while the RTT is flat, a
     * quarter of that once it rose, and ssthresh = cwnd after CSS_ROUNDS rounds. */
    struct conn c;
    conn_init(&c, 10 * MSS, 50000);
    synack_time_t t = 0;
    conn_round(&c, t, 50000, 50000);
    t += 50000;
    conn_round(&c, t, 50000, 50000);
    t += 50000;
    uint32_t before = c.v.cwnd;
    assert_int_equal(before, 40 * MSS);
    /* The RTT rises by 10 ms (threshold: clamp(50 ms / 8) = 6.25 ms): the first seven ACKs of the
     * round still grow cwnd by a segment each; the eighth sample starts CSS, and every later ACK
     * grows it by a quarter (CSS_GROWTH_DIVISOR). */
    conn_round(&c, t, 50000, 60000);
    t += 60000;
    uint32_t grew = c.v.cwnd - before;
    uint32_t acks = before / MSS;
    assert_int_equal(grew, 7 * MSS + (acks - 7) * (MSS / 4));
    assert_int_equal(c.v.ssthresh, 0x7fffffff);
    for (int i = 0; i < 5 && c.v.ssthresh == 0x7fffffff; i++) {
        conn_round(&c, t, 60000, 60000);
        t += 60000;
    }
    assert_true(c.v.ssthresh != 0x7fffffff);
    /* ssthresh = cwnd at the exit; the rest of that round's ACKs grow it in congestion avoidance */
    assert_true(c.v.ssthresh <= c.v.cwnd && c.v.ssthresh >= c.v.cwnd - c.v.cwnd / 20);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_icbrt),
        cmocka_unit_test(test_k_and_w),
        cmocka_unit_test(test_window_over_time),
        cmocka_unit_test(test_reno_friendly),
        cmocka_unit_test(test_fast_convergence),
        cmocka_unit_test(test_rto),
        cmocka_unit_test(test_app_limited),
        cmocka_unit_test(test_idle_after_limited),
        cmocka_unit_test(test_slow_start_after_rto),
        cmocka_unit_test(test_epochs_against_rfc),
        cmocka_unit_test(test_hystart_states),
        cmocka_unit_test(test_hystart_in_module),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
