/* Buffer autotuning: the receive buffer grows to what the application drains in a round trip, the
 * send buffer to what the congestion window can keep in flight, each up to the stack's ceiling
 * (config tcp_rmem_max, tcp_wmem_max) and never for a socket whose buffer the application sized
 * (SO_RCVBUF, SO_SNDBUF lock it, as in Linux). The window scale was chosen from the ceiling at the
 * handshake (tcp_conn_wscale), so a grown buffer is a larger advertised window at once.
 *
 * The receive side follows the idea of dynamic right-sizing (Fisk and Feng, "Dynamic right-sizing
 * in TCP", 2001; Linux's tcp_rcv_space_adjust): once per RTT, measure the bytes the application
 * read; if it read more than in the previous RTT the sender is limited by our window, so the buffer
 * becomes twice that (the window must cover a round trip while the sender grows, RFC 7323 1.1's
 * bandwidth-delay product) plus room for the growth just seen. */
#include <stddef.h>

#include "base/errno.h"
#include "core/alloc.h"
#include "core/ctx.h"
#include "core/timer.h"
#include "tcp/tcp_int.h"
#include "tcp/tcp_recovery.h"
#include "tcp/tcp_state.h"

/* Memory: every connection's rings and out-of-order entries are counted in t->mem_used (tcp_buf.c,
 * tcp_rcv.c) against tcp_mem_max, as Linux counts tcp_mem. From three quarters of it on, buffers
 * stop growing (the windows advertised and the send buffers stay where they are); at the ceiling, out-of-order data is dropped (TcpMemoryDrops: the sender will send
 * it again) and an application's write fills only the storage its send ring already has (or
 * TCP_MEM_RING_FLOOR), so a write waits instead of failing. In-order data inside a window already
 * advertised is always taken: the window was promised. */
/* An idle connection keeps no buffer storage: once nothing is in flight, queued to send, unread
 * or out of order, and nothing has arrived for TCP_IDLE_RELEASE, the rings' storage, the SACK
 * scoreboard and the RACK log go back to the allocator (not at once, so a connection that pauses
 * between requests or bursts does not allocate them again each time). The rings keep their
 * limits; storage comes back on the next write or segment. The timer is RACK's, which has nothing
 * to time meanwhile. */
static int quiescent(const struct tcp_conn *c)
{
    return c->snd_una == c->snd_max && !tcp_sndq_len(c) && !tcp_rcvq_len(c) && !(c->x && c->x->ofo);
}

int tcp_x_ensure(struct tcp_conn *c)
{
    if (c->x)
        return 0;
    c->x = mem_calloc(&c->st->cfg.alloc, 1, sizeof(*c->x));
    if (!c->x)
        return -ENOMEM;
    tcp_timers_init(c);
    return 0;
}

/* Whether an idle connection's working state holds nothing live, so it may go: a new one is all
 * zero. First the fields that are dead now are zeroed; each is written again before it is read:
 * SACK and RACK entries past their counts, a D-SACK not pending, the timing of no segment, the
 * first retransmission's time with no timeout running, the probe's end with no probe, RACK's loss
 * edge when off, limited transmit's base with no duplicate ACK, PRR's counters out of recovery,
 * and everything of an undo that is no longer possible. A connection whose last reduction may
 * still be undone (undo_on) keeps its state. */
static int x_idle_clean(struct tcp_conn *c)
{
    struct tcp_xstate *x = c->x;
    for (unsigned i = x->sack_rcv_n; i < TCP_MAX_SACK_BLOCKS; i++)
        x->sack_rcv[i][0] = x->sack_rcv[i][1] = 0;
    for (unsigned i = x->rack_rerxt_n; i < 4; i++)
        x->rack_rerxt[i][0] = x->rack_rerxt[i][1] = 0;
    if (!x->dsack_on)
        x->dsack[0] = x->dsack[1] = 0;
    if (!c->rtt_timing) {
        x->rtt_seq = 0;
        x->rtt_start = 0;
    }
    if (!c->backoff)
        x->rtx_first = 0;
    if (!c->tlp_on)
        x->tlp_high = 0;
    if (!x->rack_edge_on)
        x->rack_edge = 0;
    if (!x->dupacks)
        x->lt_base = 0;
    if (!c->in_recovery)
        x->prr_delivered = x->prr_out = x->recover_fs = 0;
    if (!x->undo_on) {
        x->undo_ts = 0;
        x->undo_marker = x->undo_tsval = x->prior_cwnd = x->prior_ssthresh = 0;
        x->undo_retrans = 0;
    }
    /* No deadline may be left (the timer goes with the block); the timer's own fields are set
     * again when the block is taken again (tcp_timers_init), so they are not compared. */
    for (int k = 0; k < TCP_T_COUNT; k++)
        if (x->tdl[k] != SYNACK_TIME_NEVER)
            return 0;
    if (timer_armed(&x->timer) || c->in_ack_list)
        return 0;
    _Static_assert(offsetof(struct tcp_xstate, timer) == 0 &&
                       offsetof(struct tcp_xstate, tdl) == sizeof(struct timer),
                   "the timer and its deadlines open the block");
    const uint8_t *b = (const uint8_t *)x;
    for (size_t i = offsetof(struct tcp_xstate, tdl) + sizeof(x->tdl); i < sizeof(*x); i++)
        if (b[i])
            return 0;
    return 1;
}

void tcp_idle_check(struct tcp_conn *c, synack_time_t now)
{
    if (!quiescent(c) || !c->x)   /* without it, no ring has storage either */
        return;
    if (!tcp_tmr_armed(c, TCP_T_RACK))
        tcp_tmr_arm(c, TCP_T_RACK, now + TCP_IDLE_RELEASE);
}

int tcp_idle_release(struct tcp_conn *c, synack_time_t now)
{
    if (!quiescent(c))
        return 0;
    if (now - c->last_rcv < TCP_IDLE_RELEASE) {
        /* Something arrived since the timer was armed: wait for a full quiet period. */
        tcp_tmr_arm(c, TCP_T_RACK, c->last_rcv + TCP_IDLE_RELEASE);
        return 1;
    }
    struct tcp_ring_mem m = tcp_ring_mem(c->st);
    ring_free(&c->x->sndq, &m);   /* the timer that called lives in x */
    ring_free(&c->x->rcvq, &m);
    tcp_rack_free(c);
    tcp_recovery_free(c);
    tcp_cc_free(c);
    if (c->x && x_idle_clean(c)) {
        mem_free(&c->st->cfg.alloc, c->x);
        c->x = NULL;
    }
    return 1;
}

int tcp_mem_pressure(synack_stack_t *st)
{
    struct tcp_table *t = st->tcp;
    int on = t->mem_used >= t->mem_max - t->mem_max / 4;
    if (on && !t->mem_pressure)
        stack_count(st, SYNACK_C_TcpMemoryPressures);
    t->mem_pressure = (unsigned)on;
    return on;
}

void tcp_rcvbuf_adjust(struct tcp_conn *c, size_t copied, synack_time_t now)
{
    struct tcp_table *t = c->st->tcp;
    c->rcv_copied += copied;
    if (c->rcvbuf_locked || !tcp_state_synchronized(c->state))
        return;
    if (tcp_mem_pressure(c->st)) {
        c->rcv_copied = 0;
        c->rcv_space_time = now;
        return;
    }
    if (!c->rcv_space) {
        /* The first measure starts from the initial window's worth (ten segments). */
        c->rcv_space = 10u * c->mss_adv;
        c->rcv_space_time = now;
        c->rcv_copied = 0;
        return;
    }
    synack_time_t rtt = c->rtt_valid && c->srtt ? c->srtt : SYNACK_MS(100);
    if (now - c->rcv_space_time < rtt)
        return;
    uint64_t got = c->rcv_copied;
    if (got > c->rcv_space) {
        uint64_t win = 2 * got + 16u * c->mss_adv;
        win += 2 * (win * (got - c->rcv_space) / c->rcv_space);   /* growth seen: more to come */
        if (win > t->rmem_max)
            win = t->rmem_max;
        if (win > c->rcvq_limit)
            c->rcvq_limit = ring_limit(tcp_rcvq_len(c), (size_t)win);
        c->rcv_space = (uint32_t)(got > UINT32_MAX ? UINT32_MAX : got);
    }
    c->rcv_copied = 0;
    c->rcv_space_time = now;
}

void tcp_sndbuf_adjust(struct tcp_conn *c)
{
    struct tcp_table *t = c->st->tcp;
    if (c->sndbuf_locked || tcp_mem_pressure(c->st))
        return;
    /* Twice the largest flight: one window in flight awaiting its ACKs, one being written. The
     * flight, not cwnd: during recovery cwnd falls while SACKed data still fills the buffer up to
     * SND.UNA, and a buffer sized from the fallen cwnd would leave no room for new data, the only
     * thing that lets RACK judge a lost retransmission (RFC 8985 6.2). */
    uint32_t w = c->cwnd > tcp_flight(c) ? c->cwnd : tcp_flight(c);
    uint64_t want = 2ull * w;
    if (want > t->wmem_max)
        want = t->wmem_max;
    if (want > c->sndq_limit)
        c->sndq_limit = ring_limit(tcp_sndq_len(c), (size_t)want);
}
