/* CUBIC's arithmetic (RFC 9438) and HyStart++ (RFC 9406), exposed for the unit tests; the module
 * itself is tcp_cc_cubic (tcp_cc.h). Windows in bytes, times in milliseconds or microseconds as
 * named. */
#ifndef TCP_CUBIC_H
#define TCP_CUBIC_H

#include <stdint.h>

#include "synack/types.h"

/* floor(cbrt(x)) */
uint32_t tcp_icbrt(uint64_t x);
/* RFC 9438 4.2 eq. 2: K = cbrt((W_max - cwnd_epoch) / C) in ms (0 if cwnd_epoch >= W_max). */
uint32_t tcp_cubic_k_ms(uint32_t w_max, uint32_t cwnd_epoch, uint32_t mss);
/* RFC 9438 4.2 eq. 1: W_cubic(t) = C * (t - K)^3 + W_max, in bytes, t and K in ms; clamped to
 * [0, 2^31). */
uint32_t tcp_cubic_w(uint32_t w_max, uint32_t k_ms, uint64_t t_ms, uint32_t mss);

/* HyStart++ (RFC 9406) per-connection state. */
struct tcp_hystart {
    uint32_t window_end;        /* the round ends when this is ACKed */
    uint32_t last_round_min;    /* us, UINT32_MAX: none */
    uint32_t cur_round_min;
    uint32_t css_baseline;      /* us, UINT32_MAX: not in CSS */
    uint8_t samples;            /* RTT samples this round (counted up to 255) */
    uint8_t css_rounds;
    uint8_t done;               /* slow start is over (exit or loss) */
    uint8_t end_pending;        /* a round began: window_end is SND.NXT once this ACK's sends left */
};
#define HYSTART_MIN_RTT_THRESH 4000u    /* us, RFC 9406 4.3 */
#define HYSTART_MAX_RTT_THRESH 16000u
#define HYSTART_MIN_RTT_DIVISOR 8u
#define HYSTART_N_RTT_SAMPLE 8u
#define HYSTART_CSS_GROWTH_DIVISOR 4u
#define HYSTART_CSS_ROUNDS 5u
#define HYSTART_L 8u                    /* non-paced: at most L*SMSS per ACK in slow start */

void tcp_hystart_init(struct tcp_hystart *h, uint32_t snd_max);
/* Round accounting for an ACK, after its RTT sample; returns 1 if slow start must end now
 * (CSS_ROUNDS done). */
int tcp_hystart_ack(struct tcp_hystart *h, uint32_t ack, uint32_t snd_max);
/* An RTT sample in slow start or CSS (RFC 9406 4.2). */
void tcp_hystart_rtt(struct tcp_hystart *h, uint32_t rtt_us);
/* The slow-start growth for `acked` bytes: the full (L-limited) increase, or a quarter of it in
 * Conservative Slow Start. */
uint32_t tcp_hystart_growth(const struct tcp_hystart *h, uint32_t acked, uint32_t mss);
static inline int tcp_hystart_in_css(const struct tcp_hystart *h) { return h->css_baseline != UINT32_MAX; }

#endif
