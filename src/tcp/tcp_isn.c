/* Initial sequence numbers (RFC 6528) and SYN cookies (RFC 4987 3.6).
 *
 * ISN = M + F(localip, localport, remoteip, remoteport, secretkey), M a 4-microsecond clock and F
 * SipHash-2-4 keyed with a per-stack secret: unpredictable to an off-path attacker, yet increasing
 * for one 4-tuple across incarnations (what RFC 6191-style TIME-WAIT reuse relies on).
 *
 * A SYN cookie is the ISN of a SYN-ACK sent without keeping state: 5 bits of a 64-second counter,
 * 3 bits indexing the MSS, 24 bits of a keyed hash over the 4-tuple, the peer's ISN and the counter.
 * The returning ACK (ack = cookie + 1) is checked by recomputing the hash for the encoded counter,
 * which must be at most two periods old.
 *
 * A cookie cannot keep the SYN's window-scale shift and SACK-permitted; when the SYN offered
 * timestamps they ride in the low bits of the SYN-ACK's TSval (tcp_cookie_tsval) and come back in
 * the ACK's TSecr, as deployed stacks do. Without timestamps the connection gets the MSS alone: no
 * window scaling and no SACK. */
#include "core/siphash.h"
#include "core/ctx.h"
#include "tcp/tcp_int.h"

/* The hash input for a 4-tuple: both addresses (16 bytes each, either family) and both ports. */
static void tuple_bytes(uint8_t k[36], const struct tcp_end *local, const struct tcp_end *remote)
{
    for (int i = 0; i < 16; i++) {
        k[i] = local->ip.b[i];
        k[16 + i] = remote->ip.b[i];
    }
    k[32] = (uint8_t)(local->port >> 8);
    k[33] = (uint8_t)local->port;
    k[34] = (uint8_t)(remote->port >> 8);
    k[35] = (uint8_t)remote->port;
}

uint32_t tcp_isn(synack_stack_t *st, const struct tcp_end *local, const struct tcp_end *remote, synack_time_t now)
{
    uint8_t k[36];
    tuple_bytes(k, local, remote);
    uint32_t f = (uint32_t)siphash24(st->tcp->isn_key, k, sizeof(k));
    return f + (uint32_t)(now / 4);
}

uint32_t tcp_ts_offset(synack_stack_t *st, const struct tcp_end *local, const struct tcp_end *remote)
{
    uint8_t k[36];
    tuple_bytes(k, local, remote);
    return (uint32_t)siphash24(st->tcp->ts_key, k, sizeof(k));
}

uint32_t tcp_cookie_tsval(uint32_t ts_now, const struct tcp_opts *syn)
{
    uint32_t mask = (1u << TCP_COOKIE_TS_BITS) - 1;
    uint32_t bits = syn->has_wscale ? syn->wscale : TCP_COOKIE_TS_WS_NONE;
    if (syn->sack_perm)
        bits |= TCP_COOKIE_TS_SACK;
    uint32_t ts = (ts_now & ~mask) | bits;
    /* Never ahead of the clock: a later segment's TSval must not go backwards (RFC 7323 5.4). */
    if ((int32_t)(ts - ts_now) > 0)
        ts -= 1u << TCP_COOKIE_TS_BITS;
    return ts;
}

static const uint16_t cookie_mss[8] = { TCP_DEFAULT_MSS, 1200, 1300, 1400, 1440, 1460, 4312, 8960 };

static uint32_t cookie_hash(synack_stack_t *st, const struct tcp_seg *s, uint32_t peer_isn, uint32_t t)
{
    uint8_t k[44];
    tuple_bytes(k, &s->local, &s->remote);
    for (int i = 0; i < 4; i++) {
        k[36 + i] = (uint8_t)(peer_isn >> (24 - 8 * i));
        k[40 + i] = (uint8_t)(t >> (24 - 8 * i));
    }
    return (uint32_t)siphash24(st->tcp->cookie_key, k, sizeof(k)) & 0xffffffu;
}

uint32_t tcp_cookie_make(synack_stack_t *st, const struct tcp_seg *s, uint16_t *mss, synack_time_t now)
{
    uint16_t want = tcp_peer_mss(s);   /* RFC 9293 3.7.1: the family's default without the option */
    unsigned idx = 0;
    for (unsigned i = 0; i < 8; i++)
        if (cookie_mss[i] <= want && cookie_mss[i] <= *mss)
            idx = i;
    *mss = cookie_mss[idx];
    uint32_t t = (uint32_t)(now / TCP_COOKIE_PERIOD) & 0x1f;
    return (t << 27) | ((uint32_t)idx << 24) | cookie_hash(st, s, s->seq, t);
}

uint16_t tcp_cookie_check(synack_stack_t *st, const struct tcp_seg *s, synack_time_t now)
{
    uint32_t cookie = s->ack - 1;
    uint32_t t = cookie >> 27;
    uint32_t now_t = (uint32_t)(now / TCP_COOKIE_PERIOD) & 0x1f;
    if (((now_t - t) & 0x1f) > 2)
        return 0;
    if (cookie_hash(st, s, s->seq - 1, t) != (cookie & 0xffffffu))
        return 0;
    return cookie_mss[(cookie >> 24) & 7];
}
