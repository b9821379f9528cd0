/* The socket table and event delivery (see sock.h). */
#include "socket/sock.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "tcp/tcp.h"

struct sock *sock_get(synack_stack_t *st, int id)
{
    if (id < 0 || id >= st->sock->nsocks)
        return NULL;
    return st->sock->socks[id];
}

struct sock *sock_alloc(synack_stack_t *st, enum synack_sock_type type)
{
    int id = -1;
    for (int i = 0; i < st->sock->nsocks; i++)
        if (!st->sock->socks[i]) {
            id = i;
            break;
        }
    if (id < 0) {
        int n = st->sock->nsocks ? st->sock->nsocks * 2 : 16;
        struct sock **v = realloc(st->sock->socks, (size_t)n * sizeof(*v));
        if (!v)
            return NULL;
        memset(v + st->sock->nsocks, 0, (size_t)(n - st->sock->nsocks) * sizeof(*v));
        id = st->sock->nsocks;
        st->sock->socks = v;
        st->sock->nsocks = n;
    }
    struct sock *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->id = id;
    s->type = type;
    buf_queue_init(&s->rxq);
    st->sock->socks[id] = s;
    return s;
}

void sock_release(synack_stack_t *st, struct sock *s)
{
    buf_queue_purge(&s->rxq);
    st->sock->socks[s->id] = NULL;
    free(s);
}

void sock_notify(synack_stack_t *st, struct sock *s)
{
    if (s->notify_queued || !s->handler)
        return;
    if (st->sock->nnotify == st->sock->notify_cap) {
        int cap = st->sock->notify_cap ? st->sock->notify_cap * 2 : 32;
        int *v = realloc(st->sock->notify, (size_t)cap * sizeof(*v));
        if (!v)
            return;   /* the event is lost but the state is not: events() still reports it */
        st->sock->notify = v;
        st->sock->notify_cap = cap;
    }
    s->notify_queued = 1;
    st->sock->notify[st->sock->nnotify++] = s->id;
}

static void sock_deliver_events(synack_stack_t *st, int id)
{
    struct sock *s = sock_get(st, id);
    if (!s || !s->notify_queued)
        return;
    s->notify_queued = 0;
    if (!s->handler)
        return;
    unsigned ev = synack_socket_events(st, id);
    s->handler(st, id, ev, s->handler_arg, st->now);
}

/* The entry bracket's upcall (st->deliver): every queued event, including those raised by the
 * handlers it runs. */
static void sock_deliver_all(synack_stack_t *st)
{
    struct sock_table *t = st->sock;
    for (int i = 0; i < t->nnotify; i++)
        sock_deliver_events(st, t->notify[i]);
    t->nnotify = 0;
}

/* TCP's upcalls (tcp_set_upcalls): TCP reaches the socket that owns a connection only here. */
static void tcp_up_event(synack_stack_t *st, void *owner) { sock_notify(st, owner); }
static void tcp_up_error(synack_stack_t *st, void *owner, int err) { ((struct sock *)owner)->error = err; }
static void tcp_up_detach(synack_stack_t *st, void *owner) { ((struct sock *)owner)->conn = NULL; }
static const struct tcp_upcalls tcp_up = { .event = tcp_up_event, .error = tcp_up_error, .detach = tcp_up_detach };

int sock_table_new(synack_stack_t *st)
{
    st->sock = calloc(1, sizeof(*st->sock));
    if (!st->sock)
        return -ENOMEM;
    st->deliver = sock_deliver_all;
    tcp_set_upcalls(st, &tcp_up);
    return 0;
}

struct sock *sock_next(synack_stack_t *st, int after)
{
    for (int i = after + 1; i < st->sock->nsocks; i++)
        if (st->sock->socks[i])
            return st->sock->socks[i];
    return NULL;
}

void sock_table_free(synack_stack_t *st)
{
    struct sock_table *t = st->sock;
    if (!t)
        return;
    for (int i = 0; i < t->nsocks; i++)
        if (t->socks[i]) {
            buf_queue_purge(&t->socks[i]->rxq);
            if (t->socks[i]->conn)
                tcp_conn_release(t->socks[i]->conn);
            free(t->socks[i]);
        }
    free(t->socks);
    free(t->notify);
    free(t);
    st->sock = NULL;
}
