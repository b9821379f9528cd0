/* The socket table and event delivery (see sock.h).
 *
 * A handle is (generation << SOCK_SLOT_BITS) | slot. Each slot counts how many sockets it has held;
 * a handle whose generation is not the slot's current one belongs to a socket already closed, so
 * every call given it fails with -EBADF instead of reaching whichever socket took the slot next.
 * The slot is reused at once (the table stays small); only the generation moves. */
#include "socket/sock.h"

#include "base/errno.h"
#include "core/alloc.h"
#include "base/mem.h"

#include "core/ctx.h"
#include "tcp/tcp.h"
#include "udp/udp.h"

static int slot_of(int handle) { return handle & (int)SOCK_SLOT_MASK; }

struct sock *sock_get(synack_stack_t *st, int id)
{
    if (id < 0)
        return NULL;
    int slot = slot_of(id);
    if (slot >= st->sock->nsocks)
        return NULL;
    struct sock *s = st->sock->socks[slot];
    return s && s->id == id ? s : NULL;
}

struct sock *sock_alloc(synack_stack_t *st, enum synack_sock_type type)
{
    /* The lowest free slot, as before, but searched from the hint: a million sockets opened one
     * after another cost a million steps, not half a million million. */
    int id = -1;
    for (int i = st->sock->free_hint; i < st->sock->nsocks; i++)
        if (!st->sock->socks[i]) {
            id = i;
            break;
        }
    if (id < 0) {
        int old = st->sock->nsocks;
        int n = old ? old * 2 : 16;
        if (n > (int)SOCK_SLOT_MASK + 1)
            n = (int)SOCK_SLOT_MASK + 1;
        if (n <= old)
            return NULL;   /* every slot a handle can name is in use */
        struct sock **v = mem_realloc(&st->cfg.alloc, st->sock->socks, (size_t)n * sizeof(*v));
        if (!v)
            return NULL;
        st->sock->socks = v;
        uint16_t *g = mem_realloc(&st->cfg.alloc, st->sock->gen, (size_t)n * sizeof(*g));
        if (!g)
            return NULL;   /* the larger socks array is kept; nsocks still bounds it */
        st->sock->gen = g;
        memset(v + old, 0, (size_t)(n - old) * sizeof(*v));
        memset(g + old, 0, (size_t)(n - old) * sizeof(*g));
        id = old;
        st->sock->nsocks = n;
    }
    struct sock *s = mem_calloc(&st->cfg.alloc, 1, sizeof(*s));
    if (!s)
        return NULL;
    s->id = (int)((unsigned)st->sock->gen[id] << SOCK_SLOT_BITS) | id;
    s->type = type;
    st->sock->socks[id] = s;
    st->sock->free_hint = id + 1;
    return s;
}

void sock_release(synack_stack_t *st, struct sock *s)
{
    int slot = slot_of(s->id);
    if (s->udp)
        udp_close(st, s->udp);
    st->sock->socks[slot] = NULL;
    if (slot < st->sock->free_hint)
        st->sock->free_hint = slot;
    /* The next socket in this slot gets a new handle; the generation wraps after SOCK_GEN_MAX. */
    st->sock->gen[slot] = (uint16_t)((st->sock->gen[slot] + 1u) & SOCK_GEN_MAX);
    mem_free(&st->cfg.alloc, s);
}

void sock_notify(synack_stack_t *st, struct sock *s)
{
    if (s->notify_queued || !s->handler)
        return;
    if (st->sock->nnotify == st->sock->notify_cap) {
        int cap = st->sock->notify_cap ? st->sock->notify_cap * 2 : 32;
        int *v = mem_realloc(&st->cfg.alloc, st->sock->notify, (size_t)cap * sizeof(*v));
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
static int tcp_up_handle(void *owner) { return ((struct sock *)owner)->id; }
static const struct tcp_upcalls tcp_up = { .event = tcp_up_event, .error = tcp_up_error, .detach = tcp_up_detach,
                                           .handle = tcp_up_handle };

/* UDP's upcalls (udp_set_upcalls). */
static void udp_up_error(synack_stack_t *st, void *owner, int err)
{
    ((struct sock *)owner)->error = err;
    sock_notify(st, owner);
}
static const struct udp_upcalls udp_up = { .event = tcp_up_event, .error = udp_up_error };

int sock_table_new(synack_stack_t *st)
{
    st->sock = mem_calloc(&st->cfg.alloc, 1, sizeof(*st->sock));
    if (!st->sock)
        return -ENOMEM;
    st->deliver = sock_deliver_all;
    tcp_set_upcalls(st, &tcp_up);
    udp_set_upcalls(st, &udp_up);
    return 0;
}

struct sock *sock_next(synack_stack_t *st, int after)
{
    for (int i = after < 0 ? 0 : slot_of(after) + 1; i < st->sock->nsocks; i++)
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
            if (t->socks[i]->udp)
                udp_close(st, t->socks[i]->udp);
            if (t->socks[i]->conn)
                tcp_conn_release(t->socks[i]->conn);
            mem_free(&st->cfg.alloc, t->socks[i]);
        }
    mem_free(&st->cfg.alloc, t->socks);
    mem_free(&st->cfg.alloc, t->gen);
    mem_free(&st->cfg.alloc, t->notify);
    mem_free(&st->cfg.alloc, t);
    st->sock = NULL;
}
