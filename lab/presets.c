/* The lab's presets: each a small script of what the two hosts' programs do and when, and where
 * the scenario needs it a rule for which segment the link loses. The explanations a learner reads
 * beside the ladder are in lab/presets.js, under the same names. A is 192.0.2.1 (the client), B is
 * 192.0.2.2 (the server; its program listens on port 9, the discard service, and reads what
 * arrives; in http-keepalive it is a web server on port 80). */
#include "lab_int.h"

#define T0 LAB_T0
#define MS(x) SYNACK_MS(x)
#define SEC(x) SYNACK_SEC(x)

enum { A = 0, B = 1 };

#define F_SYN 0x02
#define F_ACK 0x10
#define F_FIN 0x01

static int pure_ack(const struct synack_tcp_fields *f)
{
    return f->flags == F_ACK && f->data_len == 0;
}

static void listen_b(struct lab *L) { lab_at(L, T0 - MS(100), B, LAB_LISTEN, 9); }

static void connect_a(struct lab *L)
{
    listen_b(L);
    lab_at(L, T0, A, LAB_CONNECT, 9);
}

/* handshake: SYN, SYN-ACK, ACK. */
static void handshake(struct lab *L) { connect_a(L); }

/* data-on-third: A writes its request as soon as connect() returns; the handshake's third
 * segment, a bare ACK, is lost, so the first data segment (which carries the same ACK) completes
 * the handshake at B. */
static void data_on_third(struct lab *L)
{
    connect_a(L);
    lab_at(L, T0, A, LAB_SEND, 300);
}
static enum lab_fate lose_third(struct lab *L, int host, const struct synack_tcp_fields *f, int state, unsigned k)
{
    return host == A && k == 2 && pure_ack(f) ? LAB_DROP : LAB_PASS;
}

/* close: data, then A closes; B's program closes when it reads the end; A waits in TIME-WAIT. */
static void close_(struct lab *L)
{
    connect_a(L);
    lab_at(L, T0 + MS(100), A, LAB_SEND, 2000);
    lab_at(L, T0 + MS(300), A, LAB_CLOSE, 0);
}

/* simultaneous-open: each side connects to the other's fixed port at the same moment. */
static void simultaneous_open(struct lab *L)
{
    lab_host_bind_port(L, A, 5000);
    lab_host_bind_port(L, B, 6000);
    lab_at(L, T0, A, LAB_CONNECT, 6000);
    lab_at(L, T0, B, LAB_CONNECT, 5000);
}

/* simultaneous-close: both programs close at the same moment: FINs cross, both pass CLOSING. */
static void simultaneous_close(struct lab *L)
{
    connect_a(L);
    lab_at(L, T0 + MS(200), A, LAB_CLOSE, 0);
    lab_at(L, T0 + MS(200), B, LAB_CLOSE, 0);
}

/* lost-final-ack: as close, but A's last ACK is lost: B (LAST-ACK) sends its FIN again, A
 * (TIME-WAIT) acknowledges it again. */
static void lost_final_ack(struct lab *L) { close_(L); }
static enum lab_fate lose_final_ack(struct lab *L, int host, const struct synack_tcp_fields *f, int state, unsigned k)
{
    unsigned *n = lab_scratch(L);
    if (host == A && state == SYNACK_TCP_TIME_WAIT && pure_ack(f) && n[0]++ == 0)
        return LAB_DROP;
    return LAB_PASS;
}

/* syn-flood: SYNs from addresses that never answer fill B's queue of half-open connections;
 * then A's real SYN is answered with a SYN cookie and the connection still opens. */
static void syn_flood_cfg(int host, struct synack_config *cfg)
{
    cfg->tcp_synack_retries = 2;
}
static void syn_flood(struct lab *L)
{
    listen_b(L);
    lab_at(L, T0 - MS(99), B, LAB_BACKLOG, 4);
    for (unsigned i = 1; i <= 8; i++)
        lab_at(L, T0 + MS(5) * i, A, LAB_SPOOF_SYN, i);
    lab_at(L, T0 + MS(100), A, LAB_CONNECT, 9);
    lab_at(L, T0 + MS(300), A, LAB_SEND, 100);
}

/* synack-backoff: B's first SYN-ACKs are lost, and so are A's repeated SYNs (which would make B
 * answer at once), so B's own timer is at work: it sends again after 1 s, 2 s, 4 s, 8 s. */
static enum lab_fate lose_synacks(struct lab *L, int host, const struct synack_tcp_fields *f, int state, unsigned k)
{
    unsigned *n = lab_scratch(L);
    if (host == B && (f->flags & (F_SYN | F_ACK)) == (F_SYN | F_ACK) && n[0]++ < 4)
        return LAB_DROP;
    if (host == A && f->flags == F_SYN && k > 1)
        return LAB_DROP;
    return LAB_PASS;
}

/* rto: A's data is lost four times: a tail loss probe first, then each retransmission timeout is
 * twice as long as the one before. */
static void rto(struct lab *L)
{
    connect_a(L);
    lab_at(L, T0 + MS(500), A, LAB_SEND, 1000);
}
static enum lab_fate lose_data_4x(struct lab *L, int host, const struct synack_tcp_fields *f, int state, unsigned k)
{
    unsigned *n = lab_scratch(L);
    if (host == A && f->data_len && n[0]++ < 4)
        return LAB_DROP;
    return LAB_PASS;
}

/* fast-retransmit: one segment of a burst is lost; the ones behind it make B repeat its ACK (with
 * SACK blocks saying what did arrive), and A resends the hole without waiting for the timer. */
static void fast_retransmit(struct lab *L)
{
    connect_a(L);
    lab_at(L, T0 + MS(500), A, LAB_SEND, 14480);
}
static enum lab_fate lose_third_data(struct lab *L, int host, const struct synack_tcp_fields *f, int state, unsigned k)
{
    unsigned *n = lab_scratch(L);
    if (host == A && f->data_len && ++n[0] == 3)
        return LAB_DROP;
    return LAB_PASS;
}

/* zero-window: B's program stops reading; its small buffer fills, its window closes, A probes;
 * when B reads again the window opens and the data flows. */
static void zero_window_cfg(int host, struct synack_config *cfg)
{
    if (host == B)
        cfg->tcp_rcvbuf = 4096;
}
static void zero_window(struct lab *L)
{
    lab_at(L, T0 - MS(200), B, LAB_READ, 0);
    connect_a(L);
    lab_at(L, T0 + MS(500), A, LAB_SEND, 12000);
    lab_at(L, T0 + SEC(8), B, LAB_READ, 1);
}

/* slow-start: a bulk transfer over a 10 Mbit/s path with a short queue: cwnd doubles each round
 * trip, the queue overflows, and congestion avoidance takes over. */
static void slow_start(struct lab *L)
{
    connect_a(L);
    lab_at(L, T0 + MS(500), A, LAB_SEND, 400000);
}

/* keepalive: an idle connection with keep-alive on: A probes every 10 s of silence and B
 * answers; then B's answers stop (B is gone), three probes go unanswered and A gives up. */
static void keepalive(struct lab *L)
{
    lab_at(L, T0 - MS(1), A, LAB_KEEPALIVE, 10);
    connect_a(L);
    lab_at(L, T0 + MS(200), A, LAB_SEND, 100);
}
static enum lab_fate b_vanishes(struct lab *L, int host, const struct synack_tcp_fields *f, int state, unsigned k)
{
    unsigned *n = lab_scratch(L);
    if (host == B && pure_ack(f) && ++n[0] > 3)
        return LAB_DROP;
    return LAB_PASS;
}

/* rst-closed: A connects to a port where nothing listens: B answers with RST. */
static void rst_closed(struct lab *L)
{
    listen_b(L);
    lab_at(L, T0, A, LAB_CONNECT, 81);
}

/* http-keepalive: two requests as HTTP/1.0 (a connection each, closed by the server), then two as
 * HTTP/1.1 on one kept-alive connection. */
static void http_keepalive(struct lab *L)
{
    lab_host_set_http_server(L, B);
    lab_at(L, T0 - MS(100), B, LAB_LISTEN, 80);
    lab_at(L, T0, A, LAB_HTTP, 10);
    lab_at(L, T0 + MS(200), A, LAB_HTTP, 10);
    lab_at(L, T0 + MS(500), A, LAB_HTTP, 11);
    lab_at(L, T0 + MS(700), A, LAB_HTTP, 11);
    lab_at(L, T0 + MS(900), A, LAB_CLOSE, 0);
}

#define FAST 10, 10000000, 0   /* 10 ms one way, 10 Mbit/s, no queue limit */

const struct lab_preset lab_presets[] = {
    { "handshake", "Three-way handshake", T0 + SEC(2), FAST, NULL, handshake, NULL },
    { "data-on-third", "Data on the third segment", T0 + SEC(2), FAST, NULL, data_on_third, lose_third },
    { "close", "Four-way close and TIME-WAIT", T0 + SEC(65), FAST, NULL, close_, NULL },
    { "simultaneous-open", "Simultaneous open", T0 + SEC(2), FAST, NULL, simultaneous_open, NULL },
    { "simultaneous-close", "Simultaneous close (CLOSING)", T0 + SEC(65), FAST, NULL, simultaneous_close, NULL },
    { "lost-final-ack", "The close's final ACK is lost", T0 + SEC(65), FAST, NULL, lost_final_ack, lose_final_ack },
    { "syn-flood", "SYN flood, then SYN cookies", T0 + SEC(10), FAST, syn_flood_cfg, syn_flood, NULL },
    { "synack-backoff", "SYN-ACK retransmission and backoff", T0 + SEC(20), FAST, NULL, handshake, lose_synacks },
    { "rto", "Timeout retransmission, RTO doubling", T0 + SEC(12), FAST, NULL, rto, lose_data_4x },
    { "fast-retransmit", "Fast retransmit after duplicate ACKs", T0 + SEC(3), FAST, NULL, fast_retransmit, lose_third_data },
    { "zero-window", "Zero window and persist probes", T0 + SEC(12), FAST, zero_window_cfg, zero_window, NULL },
    { "slow-start", "Slow start and congestion avoidance", T0 + SEC(4), 20, 10000000, 24, NULL, slow_start, NULL },
    { "keepalive", "Keep-alive on an idle connection", T0 + SEC(70), FAST, NULL, keepalive, b_vanishes },
    { "rst-closed", "RST from a closed port", T0 + SEC(2), FAST, NULL, rst_closed, NULL },
    { "http-keepalive", "HTTP/1.0 vs HTTP/1.1 keep-alive", T0 + SEC(3), FAST, NULL, http_keepalive, NULL },
};
const size_t lab_npresets = sizeof(lab_presets) / sizeof(lab_presets[0]);
