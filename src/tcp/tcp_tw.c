/* Segments for a connection in TIME-WAIT held by a small tcp_tw (the application has closed).
 * RFC 9293 3.10.7.4 for TIME-WAIT: re-ACK a retransmitted FIN and restart 2*MSL; RFC 1337: ignore
 * resets; RFC 1122 4.2.2.13 / RFC 6191: a new SYN whose sequence number lies beyond the old
 * connection's may reopen the 4-tuple at once (clients such as Linux reuse ports quickly). */
#include "core/ctx.h"
#include "tcp/tcp_int.h"

void tcp_tw_input(struct tcp_tw *w, struct tcp_seg *s, synack_time_t now)
{
    synack_stack_t *st = w->st;
    if (s->flags & TCP_RST)
        return;
    if ((s->flags & TCP_SYN) && !(s->flags & TCP_ACK)) {
        if (seq_gt(s->seq, w->rcv_nxt)) {
            struct tcp_conn *l = tcp_listener_lookup(st, &s->local);
            stack_count(st, SYNACK_C_TcpTimeWaitRecycled);
            if (st->trace_fn) {
                struct synack_trace_event ev = { .kind = SYNACK_TR_TCP_STATE, .ifindex = -1, .local = tcp_end_sockaddr(&w->local),
                                                 .remote = tcp_end_sockaddr(&w->remote), .conn_id = w->id,
                                                 .from_state = SYNACK_TCP_TIME_WAIT, .to_state = SYNACK_TCP_CLOSED,
                                                 .cause = "new SYN reuses the 4-tuple" };
                stack_trace(st, &ev);
            }
            tcp_tw_destroy(w);
            if (l)
                tcp_listen_input(l, s, now);
            else
                tcp_send_rst_for(st, s, now);
            return;
        }
        /* An old or duplicate SYN: answer with an ACK of the old connection (RFC 5961 4.2). */
        tcp_send_raw(st, &w->local, &w->remote, w->snd_nxt, w->rcv_nxt,
                     TCP_ACK, w->rcv_wnd, NULL, NULL, 0, now);
        return;
    }
    if (s->flags & TCP_FIN) {
        tcp_send_raw(st, &w->local, &w->remote, w->snd_nxt, w->rcv_nxt,
                     TCP_ACK, w->rcv_wnd, NULL, NULL, 0, now);
        tcp_tw_restart(w, now);
        return;
    }
    /* Data or an ACK that is not acceptable (anything with text is: the window is closed):
     * <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>. A bare ACK at RCV.NXT needs nothing. */
    if (s->dlen || s->seq != w->rcv_nxt)
        tcp_send_raw(st, &w->local, &w->remote, w->snd_nxt, w->rcv_nxt,
                     TCP_ACK, w->rcv_wnd, NULL, NULL, 0, now);
}
