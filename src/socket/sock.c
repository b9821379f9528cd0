/* The socket table and event delivery (see sock.h). */
#include "socket/sock.h"

#include <stdlib.h>
#include <string.h>

#include "net/stack_impl.h"
#include "tcp/tcp.h"
#include "tcp/tcp_int.h"

struct sock *sock_get(synack_stack_t *st, int id)
{
    if (id < 0 || id >= st->nsocks)
        return NULL;
    return st->socks[id];
}

struct sock *sock_alloc(synack_stack_t *st, enum synack_sock_type type)
{
    int id = -1;
    for (int i = 0; i < st->nsocks; i++)
        if (!st->socks[i]) {
            id = i;
            break;
        }
    if (id < 0) {
        int n = st->nsocks ? st->nsocks * 2 : 16;
        struct sock **v = realloc(st->socks, (size_t)n * sizeof(*v));
        if (!v)
            return NULL;
        memset(v + st->nsocks, 0, (size_t)(n - st->nsocks) * sizeof(*v));
        id = st->nsocks;
        st->socks = v;
        st->nsocks = n;
    }
    struct sock *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->id = id;
    s->type = type;
    buf_queue_init(&s->rxq);
    st->socks[id] = s;
    return s;
}

void sock_release(synack_stack_t *st, struct sock *s)
{
    buf_queue_purge(&s->rxq);
    st->socks[s->id] = NULL;
    free(s);
}

void sock_notify(synack_stack_t *st, struct sock *s)
{
    if (s->notify_queued || !s->handler)
        return;
    if (st->nnotify == st->notify_cap) {
        int cap = st->notify_cap ? st->notify_cap * 2 : 32;
        int *v = realloc(st->notify, (size_t)cap * sizeof(*v));
        if (!v)
            return;   /* the event is lost but the state is not: events() still reports it */
        st->notify = v;
        st->notify_cap = cap;
    }
    s->notify_queued = 1;
    st->notify[st->nnotify++] = s->id;
}

void sock_deliver_events(synack_stack_t *st, int id)
{
    struct sock *s = sock_get(st, id);
    if (!s || !s->notify_queued)
        return;
    s->notify_queued = 0;
    if (!s->handler)
        return;
    unsigned ev = synack_socket_events(st, id);
    s->handler(st, id, ev, s->handler_arg);
}

struct sock *sock_next(synack_stack_t *st, int after)
{
    for (int i = after + 1; i < st->nsocks; i++)
        if (st->socks[i])
            return st->socks[i];
    return NULL;
}

void sock_table_free(synack_stack_t *st)
{
    for (int i = 0; i < st->nsocks; i++)
        if (st->socks[i]) {
            buf_queue_purge(&st->socks[i]->rxq);
            if (st->socks[i]->conn)
                tcp_conn_destroy(st->socks[i]->conn);
            free(st->socks[i]);
        }
    free(st->socks);
    st->socks = NULL;
    st->nsocks = 0;
}
