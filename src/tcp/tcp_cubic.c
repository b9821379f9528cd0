/* CUBIC congestion control (RFC 9438) with HyStart++ (RFC 9406) ending slow start.
 *
 * Windows are bytes, as everywhere in TCP here; RFC 9438 writes them in segments, so C*(t-K)^3 is
 * scaled by SMSS. The arithmetic is integer: the core builds freestanding and has no libm (no
 * cbrt, no pow), and integer results are the same on every target, which keeps simulated runs
 * reproducible. Time differences are taken in milliseconds (1 ms is far below any RTT CUBIC's
 * curve is shaped for), so (t-K)^3 fits 64 bits for |t-K| up to 2^20 ms (about 17 minutes). */
#include "base/mem.h"

#include "tcp/tcp_cc.h"
#include "tcp/tcp_cubic.h"
#include "tcp/tcp_seq.h"

/* RFC 9438 4.1: C = 0.4, beta_cubic = 0.7; as fractions. */
#define BETA_NUM 7u
#define BETA_DEN 10u
/* 4.3: alpha_cubic = 3 * (1 - beta) / (1 + beta) = 0.9 / 1.7 = 9/17. */
#define ALPHA_NUM 9u
#define ALPHA_DEN 17u

uint32_t tcp_icbrt(uint64_t x)
{
    /* Digit by digit in base 8: y grows one bit per step, and (y+1)^3 - y^3 = 3y(y+1) + 1 is what
     * the next bit costs. 22 steps cover 64 bits. */
    uint64_t y = 0;
    for (int s = 63; s >= 0; s -= 3) {
        y <<= 1;
        uint64_t b = 3 * y * (y + 1) + 1;
        if ((x >> s) >= b) {
            x -= b << s;
            y++;
        }
    }
    return (uint32_t)y;
}

uint32_t tcp_cubic_k_ms(uint32_t w_max, uint32_t cwnd_epoch, uint32_t mss)
{
    if (cwnd_epoch >= w_max || !mss)
        return 0;
    /* K^3 = (W_max - cwnd_epoch) / (C * SMSS) s^3 = diff * 2.5e9 / SMSS ms^3; diff < 2^32 keeps
     * the product below 2^64. */
    uint64_t diff = w_max - cwnd_epoch;
    return tcp_icbrt(diff * 2500000000ull / mss);
}

uint32_t tcp_cubic_w(uint32_t w_max, uint32_t k_ms, uint64_t t_ms, uint32_t mss)
{
    int neg = t_ms < k_ms;
    uint64_t d = neg ? k_ms - t_ms : t_ms - k_ms;
    if (d > (1u << 20))
        d = 1u << 20;
    /* C * SMSS * (d / 1000)^3 = SMSS * (d^3 / 1e6) * 2 / 5000 bytes. */
    uint64_t term = (d * d * d / 1000000u) * mss * 2u / 5000u;
    uint64_t w = w_max;
    if (neg)
        w = term >= w ? 0 : w - term;
    else
        w += term;
    return w > 0x7fffffffu ? 0x7fffffffu : (uint32_t)w;
}

/* ---------- HyStart++, RFC 9406 4.2 ---------- */

void tcp_hystart_init(struct tcp_hystart *h, uint32_t snd_max)
{
    h->window_end = snd_max;
    h->last_round_min = UINT32_MAX;
    h->cur_round_min = UINT32_MAX;
    h->css_baseline = UINT32_MAX;
    h->samples = 0;
    h->css_rounds = 0;
    h->done = 0;
    h->end_pending = 0;
}

int tcp_hystart_ack(struct tcp_hystart *h, uint32_t ack, uint32_t snd_max)
{
    if (h->done)
        return 0;
    /* RFC 9406 4.2: windowEnd = SND.NXT at the start of a round. The ACK that ends a round also
     * sends the first segments of the next; they belong to it, so windowEnd is taken at the next
     * ACK, once they have left (otherwise every round would begin with the previous flight's last
     * ACKs and their RTTs). */
    if (h->end_pending) {
        h->window_end = snd_max;
        h->end_pending = 0;
    }
    if (seq_lt(ack, h->window_end))
        return 0;
    /* A round ends when the ACK covers what was sent when it began. */
    h->window_end = snd_max;
    h->end_pending = 1;
    h->last_round_min = h->cur_round_min;
    h->cur_round_min = UINT32_MAX;
    h->samples = 0;
    if (tcp_hystart_in_css(h) && ++h->css_rounds >= HYSTART_CSS_ROUNDS) {
        h->done = 1;   /* CSS_ROUNDS rounds of CSS: leave slow start, ssthresh = cwnd */
        return 1;
    }
    return 0;
}

void tcp_hystart_rtt(struct tcp_hystart *h, uint32_t rtt_us)
{
    if (h->done || !rtt_us)
        return;
    if (rtt_us < h->cur_round_min)
        h->cur_round_min = rtt_us;
    if (h->samples < 0xff)
        h->samples++;
    if (h->samples < HYSTART_N_RTT_SAMPLE || h->cur_round_min == UINT32_MAX)
        return;
    if (!tcp_hystart_in_css(h)) {
        if (h->last_round_min == UINT32_MAX)
            return;
        /* RttThresh = clamp(MIN_RTT_THRESH, lastRoundMinRTT / MIN_RTT_DIVISOR, MAX_RTT_THRESH) */
        uint32_t th = h->last_round_min / HYSTART_MIN_RTT_DIVISOR;
        if (th < HYSTART_MIN_RTT_THRESH)
            th = HYSTART_MIN_RTT_THRESH;
        if (th > HYSTART_MAX_RTT_THRESH)
            th = HYSTART_MAX_RTT_THRESH;
        if ((uint64_t)h->cur_round_min >= (uint64_t)h->last_round_min + th) {
            h->css_baseline = h->cur_round_min;   /* enter Conservative Slow Start */
            h->css_rounds = 0;
        }
    } else if (h->cur_round_min < h->css_baseline) {
        h->css_baseline = UINT32_MAX;   /* the RTT fell back: the rise was spurious, slow start again */
    }
}

uint32_t tcp_hystart_growth(const struct tcp_hystart *h, uint32_t acked, uint32_t mss)
{
    uint32_t n = acked < HYSTART_L * mss ? acked : HYSTART_L * mss;
    return tcp_hystart_in_css(h) ? n / HYSTART_CSS_GROWTH_DIVISOR : n;
}

/* ---------- the module ---------- */

/* 48 bytes in every connection, idle ones too (issue 10: an idle connection within 512 bytes).
 * HyStart++'s state is read only until the initial slow start is over (ss_done), and a
 * congestion-avoidance stage's only after that (the stage begins with ss_done set and t_epoch 0,
 * and its first ACK writes every field of it), so the two share their bytes. What a loss or an
 * undo needs (W_max, cwnd_prior, the W_max before) is kept beside them. */
struct cubic_stage {
    synack_time_t t_epoch;   /* start of this congestion-avoidance stage, 0 if none yet */
    uint64_t est_rem;        /* remainder of W_est's growth, in 1/(17*cwnd) bytes */
    uint32_t w_est;          /* the Reno-friendly estimate, 4.3 */
    uint32_t cwnd_epoch;
    uint32_t k_ms;
    uint32_t inc_rem;        /* remainder of the cubic growth, in 1/cwnd bytes */
};
struct cubic {
    uint32_t w_max;          /* bytes; 0 after an RTO (4.8: the window at the start of the stage) */
    uint32_t cwnd_prior;     /* cwnd at the last reduction (4.3: alpha becomes 1 past it) */
    uint32_t prior_w_max;    /* before the last reduction, for an undo */
    uint8_t ss_done;         /* the initial slow start is over (HyStart++'s exit, a loss, or chosen
                                past it): hs is dead, ca lives */
    uint8_t paused;          /* the flight emptied: ca.t_epoch holds the stage's elapsed time + 1 */
    union {
        struct tcp_hystart hs;   /* while !ss_done */
        struct cubic_stage ca;   /* once ss_done */
    } u;
};
_Static_assert(sizeof(struct cubic) <= TCP_CC_PRIV, "CUBIC's state fits the private area");

/* The initial slow start is over: HyStart++'s bytes become a stage not yet begun (t_epoch 0). */
static void ss_end(struct cubic *cu)
{
    if (cu->ss_done)
        return;
    cu->ss_done = 1;
    cu->paused = 0;
    memset(&cu->u.ca, 0, sizeof(cu->u.ca));
}

/* The next congestion-avoidance ACK begins a new stage. Before the initial slow start ends there
 * is none to end (ss_end begins with t_epoch 0). */
static void stage_end(struct cubic *cu)
{
    if (cu->ss_done) {
        cu->u.ca.t_epoch = 0;
        cu->paused = 0;
    }
}

/* RFC 9438 5.8: t must not include idle periods, or W_cubic(t) leaps when sending resumes. When
 * an ACK empties the flight the stage's clock stops: t_epoch keeps the time elapsed in it (+1,
 * since 0 means no stage); it runs again from there when new data leaves (on_tx_start: at once
 * if the ACK itself releases the next flight), or at the next congestion-avoidance ACK. (Linux
 * moves its epoch forward by the time since its last send when sending resumes: nearly the
 * same.) An ACK that is not cwnd-limited ends the stage instead. */
static void stage_pause(struct cubic *cu, synack_time_t now)
{
    struct cubic_stage *ca = &cu->u.ca;
    if (!ca->t_epoch || cu->paused)
        return;
    ca->t_epoch = now - ca->t_epoch + 1;
    cu->paused = 1;
}

static void stage_resume(struct cubic *cu, synack_time_t now)
{
    if (!cu->paused)
        return;
    synack_time_t elapsed = cu->u.ca.t_epoch - 1;
    cu->u.ca.t_epoch = now > elapsed ? now - elapsed : 1;
    cu->paused = 0;
}

static void cubic_init(struct tcp_cc_view *v, void *priv)
{
    struct cubic *cu = priv;
    memset(cu, 0, sizeof(*cu));
    tcp_hystart_init(&cu->u.hs, v->snd_max);
    if (v->cwnd >= v->ssthresh)
        ss_end(cu);   /* chosen mid-connection, past slow start */
}

static void cubic_on_rtt(struct tcp_cc_view *v, void *priv)
{
    /* HyStart++ counts the sample in the current round; on_ack, which follows for the same ACK,
     * then sees whether the ACK ends the round. */
    struct cubic *cu = priv;
    if (!cu->ss_done && v->cwnd < v->ssthresh)
        tcp_hystart_rtt(&cu->u.hs, v->rtt_us);
}

static void congestion_avoidance(struct cubic *cu, struct tcp_cc_view *v)
{
    struct cubic_stage *ca = &cu->u.ca;
    uint32_t mss = v->mss, cwnd = v->cwnd;
    if (!ca->t_epoch) {
        /* A new stage (4.2): K from how far below W_max it starts; after an RTO (W_max 0) or
         * above W_max, K = 0 and W_max is the window now (4.8). */
        ca->t_epoch = v->now ? v->now : 1;
        ca->cwnd_epoch = cwnd;
        ca->w_est = cwnd;
        ca->est_rem = 0;
        ca->inc_rem = 0;
        if (cwnd < cu->w_max) {
            ca->k_ms = tcp_cubic_k_ms(cu->w_max, cwnd, mss);
        } else {
            ca->k_ms = 0;
            cu->w_max = cwnd;
        }
    }
    uint64_t t_ms = (v->now - ca->t_epoch) / 1000u;
    /* 4.3: W_est += alpha_cubic * segments_acked / cwnd (segments), alpha 1 once W_est reaches
     * cwnd_prior. In bytes: acked * SMSS * alpha / cwnd. */
    uint64_t a = ca->w_est >= cu->cwnd_prior ? ALPHA_DEN : ALPHA_NUM;
    uint64_t den = (uint64_t)ALPHA_DEN * cwnd;
    ca->est_rem += (uint64_t)v->acked * mss * a;
    uint64_t grow = ca->est_rem / den;
    ca->est_rem %= den;
    ca->w_est = ca->w_est + grow > 0x7fffffffu ? 0x7fffffffu : (uint32_t)(ca->w_est + grow);
    if (tcp_cubic_w(cu->w_max, ca->k_ms, t_ms, mss) < ca->w_est) {
        /* The Reno-friendly region: cwnd follows W_est. */
        if (ca->w_est > cwnd)
            v->cwnd = ca->w_est;
        return;
    }
    /* Concave and convex regions (4.4, 4.5): aim at W_cubic(t + RTT), clamped to [cwnd, 1.5 cwnd]
     * (4.2), and close (target - cwnd) / cwnd of the gap per acknowledged segment. */
    uint32_t target = tcp_cubic_w(cu->w_max, ca->k_ms, t_ms + v->srtt_us / 1000u, mss);
    if (target < cwnd)
        target = cwnd;
    if (target > cwnd + cwnd / 2)
        target = cwnd + cwnd / 2;
    uint64_t num = (uint64_t)(target - cwnd) * v->acked + ca->inc_rem;
    uint64_t inc = num / cwnd;
    ca->inc_rem = (uint32_t)(num % cwnd);
    v->cwnd = cwnd + inc > 0x7fffffffu ? 0x7fffffffu : (uint32_t)(cwnd + inc);
}

static void cubic_on_ack(struct tcp_cc_view *v, void *priv)
{
    struct cubic *cu = priv;
    if (v->cwnd < v->ssthresh) {
        if (!cu->ss_done && tcp_hystart_ack(&cu->u.hs, v->ack, v->snd_max)) {
            ss_end(cu);
            v->ssthresh = v->cwnd;   /* RFC 9406 4.2: CSS_ROUNDS done, slow start ends */
            return;
        }
        if (!v->cwnd_limited)
            return;
        if (!cu->ss_done)
            v->cwnd += tcp_hystart_growth(&cu->u.hs, v->acked, v->mss);
        else
            /* RFC 9406 4.3: HyStart++ (its L = 8 and CSS's quarter) is for the initial slow start
             * only; later ones (after an RTO) are standard slow start, RFC 5681 3.1 eq. 2:
             * cwnd += min(N, SMSS). An ACK after an RTO may cover much data SACKed before it,
             * which must not count as a flight's worth of growth. */
            v->cwnd += v->acked < v->mss ? v->acked : v->mss;
        return;
    }
    ss_end(cu);
    if (v->cwnd_limited) {
        stage_resume(cu, v->now);
        congestion_avoidance(cu, v);
        if (v->acked >= v->flight)
            stage_pause(cu, v->now);   /* nothing left in flight: perhaps idle from here */
    } else {
        stage_end(cu);   /* RFC 9438 5.8: time spent application-limited must not grow the window;
                            the next cwnd-limited ACK starts a stage from cwnd */
    }
}

/* 4.6 and 4.7: the reduction, with fast convergence. */
static uint32_t reduce(struct cubic *cu, struct tcp_cc_view *v)
{
    cu->prior_w_max = cu->w_max;
    if (v->cwnd < cu->w_max)
        cu->w_max = (uint32_t)((uint64_t)v->cwnd * (BETA_DEN + BETA_NUM) / (2 * BETA_DEN));   /* cwnd*(1+beta)/2 */
    else
        cu->w_max = v->cwnd;
    cu->cwnd_prior = v->cwnd;
    ss_end(cu);
    stage_end(cu);
    /* ssthresh = flight_size * beta_cubic, at least 2 SMSS. */
    uint32_t ss = (uint32_t)((uint64_t)v->flight * BETA_NUM / BETA_DEN);
    return ss > 2u * v->mss ? ss : 2u * v->mss;
}

static uint32_t cubic_ssthresh(struct tcp_cc_view *v, void *priv) { return reduce(priv, v); }

static void cubic_exit_recovery(struct tcp_cc_view *v, void *priv)
{
    (void)v;
    stage_end(priv);   /* congestion avoidance starts a new stage */
}

static void cubic_on_rto(struct tcp_cc_view *v, void *priv)
{
    struct cubic *cu = priv;
    v->ssthresh = reduce(cu, v);
    v->cwnd = v->mss;   /* 4.8: as Reno, the loss window */
    cu->w_max = 0;      /* 4.8: K = 0 and W_max the window at the start of the next stage */
}

/* Sending resumes: the stage's clock runs again from where the ACK that emptied the flight
 * stopped it, without the idle time between (RFC 9438 5.8). */
static void cubic_tx_start(struct tcp_cc_view *v, void *priv)
{
    stage_resume(priv, v->now);
}

static void cubic_undo(struct tcp_cc_view *v, void *priv)
{
    (void)v;
    struct cubic *cu = priv;
    cu->w_max = cu->prior_w_max;
    stage_end(cu);
}

const struct tcp_cc_ops tcp_cc_cubic = {
    .name = "cubic",
    .init = cubic_init,
    .on_rtt = cubic_on_rtt,
    .on_ack = cubic_on_ack,
    .ssthresh = cubic_ssthresh,
    .on_exit_recovery = cubic_exit_recovery,
    .on_rto = cubic_on_rto,
    .undo = cubic_undo,
    .on_tx_start = cubic_tx_start,
};
