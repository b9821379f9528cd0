/* The socket table and event delivery (see sock.h).
 *
 * A handle is (generation << SOCK_SLOT_BITS) | slot. Each slot counts how many sockets it has held;
 * a handle whose generation is not the slot's current one belongs to a socket already closed, so
 * every call given it fails with -EBADF instead of reaching whichever socket took the slot next.
 * The slot is reused at once (the table stays small); only the generation moves.
 *
 * Slots come in blocks of SOCK_CHUNK (sock.h): a million sockets are 16,384 allocations of 5 KB,
 * not a million of 80 bytes, each with the allocator's header and rounding (16 bytes in glibc)
 * and a pointer in the table. A free slot is poisoned under AddressSanitizer (core/asan.h), so a
 * use of a closed socket's struct is still reported while its block lives on. */
#include "socket/sock.h"

#include "base/errno.h"
#include "core/alloc.h"
#include "core/asan.h"
#include "base/mem.h"

#include "core/ctx.h"
#include "tcp/tcp.h"
#include "udp/udp.h"

static int slot_of(int handle) { return handle & (int)SOCK_SLOT_MASK; }

static int slot_used(const struct sock_table *t, int slot)
{
    return (int)((t->used[(unsigned)slot / SOCK_CHUNK] >> ((unsigned)slot % SOCK_CHUNK)) & 1u);
}

/* The slot's struct (its block exists: the slot is in use, or being taken). */
static struct sock *slot_sock(const struct sock_table *t, int slot)
{
    return &t->chunk[(unsigned)slot / SOCK_CHUNK][(unsigned)slot % SOCK_CHUNK];
}

struct sock *sock_get(synack_stack_t *st, int id)
{
    if (id < 0)
        return NULL;
    int slot = slot_of(id);
    if (slot >= st->sock->nsocks || !slot_used(st->sock, slot))
        return NULL;
    struct sock *s = slot_sock(st->sock, slot);
    return s->id == id ? s : NULL;
}

/* Doubles the number of slots (the table of blocks, their masks, the generations); 0 or -1. */
static int table_grow(synack_stack_t *st, struct sock_table *t)
{
    int old = t->nsocks;
    int n = old ? old * 2 : (int)SOCK_CHUNK;
    if (n > (int)SOCK_SLOT_MASK + 1)
        n = (int)SOCK_SLOT_MASK + 1;
    if (n <= old)
        return -1;   /* every slot a handle can name is in use */
    size_t ob = (size_t)old / SOCK_CHUNK, nb = (size_t)n / SOCK_CHUNK;
    struct sock **v = mem_realloc(&st->cfg.alloc, t->chunk, nb * sizeof(*v));
    if (!v)
        return -1;
    memset(v + ob, 0, (nb - ob) * sizeof(*v));
    t->chunk = v;
    uint64_t *u = mem_realloc(&st->cfg.alloc, t->used, nb * sizeof(*u));
    if (!u)
        return -1;   /* the larger arrays are kept; nsocks still bounds them */
    memset(u + ob, 0, (nb - ob) * sizeof(*u));
    t->used = u;
    uint16_t *g = mem_realloc(&st->cfg.alloc, t->gen, (size_t)n * sizeof(*g));
    if (!g)
        return -1;
    memset(g + old, 0, (size_t)(n - old) * sizeof(*g));
    t->gen = g;
    t->nsocks = n;
    return 0;
}

struct sock *sock_alloc(synack_stack_t *st, enum synack_sock_type type)
{
    /* The lowest free slot, as before, but searched from the hint (and past full blocks): a
     * million sockets opened one after another cost a million steps, not half a million million. */
    struct sock_table *t = st->sock;
    int id = -1;
    for (int i = t->free_hint; i < t->nsocks; i++) {
        if (i % (int)SOCK_CHUNK == 0 && t->used[(unsigned)i / SOCK_CHUNK] == ~(uint64_t)0) {
            i += (int)SOCK_CHUNK - 1;
            continue;
        }
        if (!slot_used(t, i)) {
            id = i;
            break;
        }
    }
    if (id < 0) {
        id = t->nsocks;
        if (table_grow(st, t) != 0)
            return NULL;
    }
    unsigned b = (unsigned)id / SOCK_CHUNK;
    if (!t->chunk[b]) {
        t->chunk[b] = mem_alloc(&st->cfg.alloc, SOCK_CHUNK * sizeof(struct sock));
        if (!t->chunk[b])
            return NULL;
        ASAN_POISON(t->chunk[b], SOCK_CHUNK * sizeof(struct sock));
    }
    struct sock *s = slot_sock(t, id);
    ASAN_UNPOISON(s, sizeof(*s));
    memset(s, 0, sizeof(*s));
    s->id = (int)((unsigned)t->gen[id] << SOCK_SLOT_BITS) | id;
    s->type = type;
    t->used[b] |= (uint64_t)1 << ((unsigned)id % SOCK_CHUNK);
    t->free_hint = id + 1;
    return s;
}

/* Gives the slot back: poisoned, and its block freed once no slot of it is in use. */
static void slot_free(synack_stack_t *st, struct sock_table *t, int slot)
{
    unsigned b = (unsigned)slot / SOCK_CHUNK;
    t->used[b] &= ~((uint64_t)1 << ((unsigned)slot % SOCK_CHUNK));
    ASAN_POISON(slot_sock(t, slot), sizeof(struct sock));
    if (!t->used[b]) {
        ASAN_UNPOISON(t->chunk[b], SOCK_CHUNK * sizeof(struct sock));
        mem_free(&st->cfg.alloc, t->chunk[b]);
        t->chunk[b] = NULL;
    }
}

void sock_release(synack_stack_t *st, struct sock *s)
{
    struct sock_table *t = st->sock;
    int slot = slot_of(s->id);
    if (s->udp)
        udp_close(st, s->udp);
    if (slot < t->free_hint)
        t->free_hint = slot;
    /* The next socket in this slot gets a new handle; the generation wraps after SOCK_GEN_MAX. */
    t->gen[slot] = (uint16_t)((t->gen[slot] + 1u) & SOCK_GEN_MAX);
    slot_free(st, t, slot);
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
        if (slot_used(st->sock, i))
            return slot_sock(st->sock, i);
    return NULL;
}

void sock_table_free(synack_stack_t *st)
{
    struct sock_table *t = st->sock;
    if (!t)
        return;
    for (int i = 0; i < t->nsocks; i++)
        if (slot_used(t, i)) {
            struct sock *s = slot_sock(t, i);
            if (s->udp)
                udp_close(st, s->udp);
            if (s->conn)
                tcp_conn_release(s->conn);
            slot_free(st, t, i);
        }
    mem_free(&st->cfg.alloc, t->chunk);
    mem_free(&st->cfg.alloc, t->used);
    mem_free(&st->cfg.alloc, t->gen);
    mem_free(&st->cfg.alloc, t->notify);
    mem_free(&st->cfg.alloc, t);
    st->sock = NULL;
}
