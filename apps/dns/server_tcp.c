/* The authoritative server over TCP (RFC 7766; see server.h). Per connection: the bytes of an
 * incomplete message (the two-byte length first, RFC 1035 4.2.2) and the answers TCP has not yet
 * taken, each buffer allocated while it holds something and freed when it is empty, so an idle
 * connection costs its small struct. While answers wait to be sent no more queries are read, so a
 * client that does not read cannot make the server hold more than one window of answers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "server_int.h"

#define MSG_MAX (2 + 65535)

struct dns_tcp_conn {
    struct dns_server *s;
    int sock;
    synack_timer_t *timer;
    synack_time_t last;         /* the last query or answer */
    uint8_t *in;                /* a message being received (prefix included), or NULL */
    size_t in_len, in_cap;
    uint8_t *out;               /* answers not yet taken by TCP, or NULL */
    size_t out_off, out_len;
    int eof;
    struct dns_tcp_conn *prev, *next;
};

static void conn_free(struct dns_tcp_conn *c, int abort_conn, synack_time_t now)
{
    struct dns_server *s = c->s;
    if (c->prev)
        c->prev->next = c->next;
    else
        s->tcp_conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    s->ntcp--;
    if (abort_conn)
        synack_setsockopt(s->st, c->sock, SYNACK_SO_LINGER, 0, now);
    synack_close(s->st, c->sock, now);
    synack_timer_free(c->timer);
    free(c->in);
    free(c->out);
    free(c);
}

/* Appends one answer with its length prefix. Returns 0 or -1 (out of memory). */
static int queue_answer(struct dns_tcp_conn *c, const uint8_t *msg, size_t len)
{
    size_t pending = c->out_len - c->out_off;
    uint8_t *n = malloc(pending + 2 + len);
    if (!n)
        return -1;
    if (pending)
        memcpy(n, c->out + c->out_off, pending);
    n[pending] = (uint8_t)(len >> 8);
    n[pending + 1] = (uint8_t)len;
    memcpy(n + pending + 2, msg, len);
    free(c->out);
    c->out = n;
    c->out_off = 0;
    c->out_len = pending + 2 + len;
    return 0;
}

/* Answers one whole message. Returns 0, or -1 if the connection must end. */
static int answer(struct dns_tcp_conn *c, const uint8_t *q, size_t len)
{
    struct dns_server *s = c->s;
    s->stats.queries++;
    s->stats.tcp_queries++;
    struct dns_respond_info info;
    int n = dns_respond_ex(s->zone, q, len, s->out, sizeof(s->out), 1, &info);
    if (n < 0) {
        struct dns_header h;
        if (dns_header_read(q, len, &h) == 0 && (h.flags & DNS_F_QR))
            s->stats.responses++;
        else
            s->stats.malformed++;
        return 0;
    }
    int ok = queue_answer(c, s->out, (size_t)n) == 0;
    dns_server_count_answer(s, &info, s->out[6] << 8 | s->out[7], ok);
    return ok ? 0 : -1;
}

/* Sends what TCP takes. Returns 1 when all is sent, 0 when blocked, -1 on error. */
static int flush(struct dns_tcp_conn *c, synack_time_t now)
{
    while (c->out_off < c->out_len) {
        int n = synack_send(c->s->st, c->sock, c->out + c->out_off, c->out_len - c->out_off, now);
        if (n == -EAGAIN)
            return 0;
        if (n < 0)
            return -1;
        c->out_off += (size_t)n;
        c->last = now;
    }
    free(c->out);
    c->out = NULL;
    c->out_off = c->out_len = 0;
    return 1;
}

/* Reads and answers whole messages while nothing waits to be sent. Returns 0 or -1. */
static int pump(struct dns_tcp_conn *c, synack_time_t now)
{
    struct dns_server *s = c->s;
    for (;;) {
        int f = flush(c, now);
        if (f < 0)
            return -1;
        if (f == 0)
            return 0;   /* the client is not reading: neither are we */
        if (c->eof)
            return -1;  /* everything answered; the client has finished */
        /* Bytes wanted: the prefix, then the message it announces. */
        size_t want = 2;
        if (c->in_len >= 2)
            want = 2 + ((size_t)c->in[0] << 8 | c->in[1]);
        if (c->in_len == want && want > 2) {
            int r = answer(c, c->in + 2, want - 2);
            free(c->in);
            c->in = NULL;
            c->in_len = c->in_cap = 0;
            c->last = now;
            if (r < 0)
                return -1;
            continue;
        }
        if (c->in_cap < want) {
            /* The prefix alone first, then exactly the message: never more than one message read
             * ahead, so answers go out before the next query is taken. */
            uint8_t *n = realloc(c->in, want);
            if (!n)
                return -1;
            c->in = n;
            c->in_cap = want;
        }
        int n = synack_recv(s->st, c->sock, c->in + c->in_len, want - c->in_len, now);
        if (n == -EAGAIN) {
            if (!c->in_len) {
                free(c->in);
                c->in = NULL;
                c->in_cap = 0;
            }
            return 0;
        }
        if (n < 0)
            return -1;
        if (n == 0) {
            c->eof = 1;
            continue;
        }
        c->in_len += (size_t)n;
        if (c->in_len == 2 && want == 2 && c->in[0] == 0 && c->in[1] == 0)
            return -1;   /* a zero-length message: nothing a client would send */
    }
}

static void on_timer(synack_stack_t *st, void *arg, synack_time_t now)
{
    struct dns_tcp_conn *c = arg;
    if (now < c->last + DNS_TCP_IDLE) {
        synack_timer_arm(c->timer, c->last + DNS_TCP_IDLE);
        return;
    }
    /* RFC 7766 6.2.3: the server may close an idle connection; the client reconnects. */
    c->s->stats.tcp_idle_closes++;
    conn_free(c, 0, now);
}

static void on_conn(synack_stack_t *st, int sock, unsigned ev, void *arg, synack_time_t now)
{
    struct dns_tcp_conn *c = arg;
    c->s->now = now;
    if (pump(c, now) < 0) {
        conn_free(c, !c->eof, now);
        return;
    }
    synack_timer_arm(c->timer, c->last + DNS_TCP_IDLE);
}

static void on_listen(synack_stack_t *st, int sock, unsigned ev, void *arg, synack_time_t now)
{
    struct dns_server *s = arg;
    s->now = now;
    for (;;) {
        struct synack_sockaddr peer;
        int ns = synack_accept(st, sock, &peer, now);
        if (ns < 0)
            return;
        struct dns_tcp_conn *c = s->ntcp < DNS_TCP_MAX_CONNS ? calloc(1, sizeof(*c)) : NULL;
        if (c)
            c->timer = synack_timer_new(st, on_timer, c);
        if (!c || !c->timer) {
            free(c);
            s->stats.tcp_refused++;
            synack_setsockopt(st, ns, SYNACK_SO_LINGER, 0, now);
            synack_close(st, ns, now);
            continue;
        }
        s->stats.tcp_conns++;
        c->s = s;
        c->sock = ns;
        c->last = now;
        c->next = s->tcp_conns;
        if (s->tcp_conns)
            s->tcp_conns->prev = c;
        s->tcp_conns = c;
        s->ntcp++;
        synack_setsockopt(st, ns, SYNACK_TCP_NODELAY, 1, now);
        synack_socket_set_handler(st, ns, on_conn, c);
        on_conn(st, ns, 0, c, now);
    }
}

int dns_server_tcp_start(struct dns_server *s, uint16_t port)
{
    if (!port) {
        struct synack_sockaddr a;
        if (synack_getsockname(s->st, s->sock, &a) == 0)
            port = a.port;
    }
    s->tcp_listener = synack_socket(s->st, SYNACK_SOCK_STREAM);
    if (s->tcp_listener < 0)
        return s->tcp_listener;
    synack_setsockopt(s->st, s->tcp_listener, SYNACK_SO_REUSEADDR, 1, s->now);
    struct synack_sockaddr a = { synack_ip_any6(), port };
    int r = synack_bind(s->st, s->tcp_listener, &a);
    if (r == 0)
        r = synack_listen(s->st, s->tcp_listener, 32);
    if (r < 0)
        return r;
    synack_socket_set_handler(s->st, s->tcp_listener, on_listen, s);
    return 0;
}

void dns_server_tcp_stop(struct dns_server *s)
{
    while (s->tcp_conns)
        conn_free(s->tcp_conns, 1, s->now);
    if (s->tcp_listener >= 0)
        synack_close(s->st, s->tcp_listener, s->now);
    s->tcp_listener = -1;
}
