/* TCP echo and discard services (see services.h). Each connection is a small object owned by its
 * socket's handler, holding no buffer while idle: input is read into the handler's stack frame,
 * and echo keeps only what TCP did not take (at most SVC_CHUNK bytes, in a block of that exact
 * size, freed once sent) and stops reading until EV_OUT, so a fast sender or a slow reader is
 * slowed by TCP's flow control, not by the server's memory. */
#include "services.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "synack/link.h"
#include "synack/os.h"

#define SVC_CHUNK 16384

struct svc_conn {
    int sock;
    int echo;              /* 1: echo, 0: discard */
    int eof;
    uint8_t *pending;      /* echo: bytes TCP has not taken yet, or NULL */
    size_t pending_len, off;
    struct svc *svc;
    struct svc_conn *next;
};

struct svc {
    synack_stack_t *st;
    int echo_l, discard_l;
    struct svc_conn *conns;
};

static void conn_free(struct svc *s, struct svc_conn *c, synack_time_t now)
{
    struct svc_conn **pp = &s->conns;
    while (*pp && *pp != c)
        pp = &(*pp)->next;
    if (*pp)
        *pp = c->next;
    synack_close(s->st, c->sock, now);
    free(c->pending);
    free(c);
}

/* Sends p[0..n); keeps what TCP does not take. Returns 1 if all went, 0 if some waits, -1 on error. */
static int echo_out(struct svc_conn *c, const uint8_t *p, size_t n, synack_time_t now)
{
    while (n) {
        int k = synack_send(c->svc->st, c->sock, p, n, now);
        if (k == -EAGAIN)
            break;
        if (k < 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    if (!n)
        return 1;
    uint8_t *keep = malloc(n);
    if (!keep)
        return -1;
    memcpy(keep, p, n);
    c->pending = keep;
    c->pending_len = n;
    c->off = 0;
    return 0;
}

static void conn_handler(synack_stack_t *st, int sock, unsigned ev, void *arg, synack_time_t now)
{
    struct svc_conn *c = arg;
    struct svc *s = c->svc;
    uint8_t buf[SVC_CHUNK];
    for (;;) {
        if (c->pending) {
            int n = synack_send(st, sock, c->pending + c->off, c->pending_len - c->off, now);
            if (n == -EAGAIN)
                return;   /* wait for EV_OUT */
            if (n < 0) {
                conn_free(s, c, now);
                return;
            }
            c->off += (size_t)n;
            if (c->off < c->pending_len)
                continue;
            free(c->pending);
            c->pending = NULL;
        }
        if (c->eof) {
            conn_free(s, c, now);   /* everything echoed: close (our FIN follows the data) */
            return;
        }
        int n = synack_recv(st, sock, buf, sizeof(buf), now);
        if (n > 0) {
            if (c->echo && echo_out(c, buf, (size_t)n, now) < 0) {
                conn_free(s, c, now);
                return;
            }
            continue;
        }
        if (n == 0) {
            c->eof = 1;
            continue;
        }
        if (n != -EAGAIN)
            conn_free(s, c, now);   /* reset or error */
        return;
    }
}

static void accept_handler(synack_stack_t *st, int sock, unsigned ev, void *arg, synack_time_t now)
{
    struct svc *s = arg;
    for (;;) {
        int ns = synack_accept(st, sock, NULL, now);
        if (ns < 0)
            return;
        struct svc_conn *c = calloc(1, sizeof(*c));
        if (!c) {
            synack_close(st, ns, now);
            continue;
        }
        c->sock = ns;
        c->svc = s;
        c->echo = sock == s->echo_l;
        c->next = s->conns;
        s->conns = c;
        synack_socket_set_handler(st, ns, conn_handler, c);
        conn_handler(st, ns, synack_socket_events(st, ns), c, now);
    }
}

static int listen_on(struct svc *s, synack_stack_t *st, uint16_t port)
{
    int l = synack_socket(st, SYNACK_SOCK_STREAM);
    if (l < 0)
        return l;
    struct synack_sockaddr a = { synack_ip_any6(), port };
    int r = synack_bind(st, l, &a);
    if (r == 0)
        r = synack_listen(st, l, 128);
    if (r < 0) {
        synack_close(st, l, 0);
        return r;
    }
    synack_socket_set_handler(st, l, accept_handler, s);
    return l;
}

struct svc *services_start_tcp(synack_stack_t *st, int *err)
{
    struct svc *s = calloc(1, sizeof(*s));
    if (!s) {
        *err = -ENOMEM;
        return NULL;
    }
    s->st = st;
    s->echo_l = listen_on(s, st, 7);
    s->discard_l = listen_on(s, st, 9);
    if (s->echo_l < 0 || s->discard_l < 0) {
        *err = s->echo_l < 0 ? s->echo_l : s->discard_l;
        services_stop_tcp(s);
        return NULL;
    }
    return s;
}

void services_stop_tcp(struct svc *s)
{
    if (!s)
        return;
    synack_time_t now = synack_clock_now();   /* called from the driver's loop, not a callback */
    while (s->conns)
        conn_free(s, s->conns, now);
    if (s->echo_l >= 0)
        synack_close(s->st, s->echo_l, now);
    if (s->discard_l >= 0)
        synack_close(s->st, s->discard_l, now);
    free(s);
}
