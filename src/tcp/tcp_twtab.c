/* The table of TIME-WAIT's small entries (tcp_timewait.h): storage in chunks, the 4-tuple hash,
 * the expiry list behind one timer, and the interned local addresses. The rules of TIME-WAIT are
 * in tcp_timewait.c; this file only keeps entries.
 *
 * Why this shape: a server that closes first holds one entry per connection for 2*MSL, up to a
 * million of them; each costs what is written here, so every byte counts (issue 10: at most 64
 * bytes an entry, addresses of either family). Entries come from chunks of TCP_TW_CHUNK, not one
 * allocation each; links are 32-bit indices; the local address, one of the stack's few, is an
 * index into a small table; and instead of a timer each (40 bytes), entries sit in one list in
 * order of deadline, which is the order of insertion because every entry lives 2*MSL from its
 * last FIN, with one timer of the stack at the head's deadline. */
#include "core/alloc.h"
#include "base/mem.h"

#include "core/ctx.h"
#include "tcp/tcp_int.h"
#include "tcp/tcp_timewait.h"

#define TW_BUCKETS0 256u

/* Deadlines are kept as the low 32 bits of their time in microseconds and compared like sequence
 * numbers, which is exact while every deadline is within 2^31 us (35 minutes) of the present:
 * 2*MSL must stay below that (tcp_twtab_usable), and an entry is deleted at its deadline. */
static int32_t dl_diff(uint32_t a, uint32_t b) { return (int32_t)(a - b); }

static struct tcp_tw_table *tab_of(synack_stack_t *st) { return &st->tcp->tw; }

int tcp_twtab_usable(synack_stack_t *st) { return 2 * st->tcp->msl < (1ull << 31); }

synack_time_t tcp_twtab_deadline(synack_stack_t *st, const struct tcp_tw *w)
{
    return st->now + (synack_time_t)(int64_t)dl_diff(w->deadline, (uint32_t)st->now);
}

void tcp_twtab_ends(synack_stack_t *st, const struct tcp_tw *w, struct tcp_end *local, struct tcp_end *remote)
{
    local->ip = tab_of(st)->la[w->laddr].ip;
    local->port = w->lport;
    remote->ip = w->raddr;
    remote->port = w->rport;
}

static uint32_t tw_bucket(synack_stack_t *st, const struct tcp_end *l, const struct tcp_end *r)
{
    return (uint32_t)(tcp_tuple_hash(st, l, r) & (tab_of(st)->nbucket - 1u));
}

static void tw_timer_fn(void *owner, struct timer *tm, synack_time_t now);

int tcp_timewait_table_new(synack_stack_t *st, struct tcp_table *t)
{
    struct tcp_tw_table *tab = &t->tw;
    memset(tab, 0, sizeof(*tab));
    tab->nbucket = TW_BUCKETS0;
    tab->bucket = mem_calloc(&st->cfg.alloc, tab->nbucket, sizeof(*tab->bucket));
    timer_init(&tab->timer, tw_timer_fn, st);
    return tab->bucket ? 0 : -1;
}

/* The chunks go back once the table is empty (a burst of closes leaves nothing behind). */
static void tw_release_chunks(synack_stack_t *st, struct tcp_tw_table *tab)
{
    for (uint32_t i = 0; i < tab->nchunk; i++)
        mem_free(&st->cfg.alloc, tab->chunk[i]);
    mem_free(&st->cfg.alloc, tab->chunk);
    tab->chunk = NULL;
    tab->nchunk = tab->chunk_cap = tab->hiwat = tab->free = 0;
}

void tcp_timewait_table_free(synack_stack_t *st)
{
    struct tcp_tw_table *tab = tab_of(st);
    while (tab->head)
        tcp_twtab_del(st, tab->head);
    timer_cancel(&st->timers, &tab->timer);
    tw_release_chunks(st, tab);
    mem_free(&st->cfg.alloc, tab->bucket);
    mem_free(&st->cfg.alloc, tab->la);
    tab->bucket = NULL;
    tab->la = NULL;
}

/* ---------- the local addresses ---------- */

/* A stack has few local addresses: a linear search of a small array is the index. */
static int la_ref(synack_stack_t *st, struct tcp_tw_table *tab, const struct synack_ip *ip)
{
    int free_slot = -1;
    for (uint32_t i = 0; i < tab->nla; i++) {
        if (tab->la[i].refs && synack_ip_equal(&tab->la[i].ip, ip)) {
            tab->la[i].refs++;
            return (int)i;
        }
        if (!tab->la[i].refs && free_slot < 0)
            free_slot = (int)i;
    }
    if (free_slot < 0) {
        if (tab->nla >= UINT16_MAX)
            return -1;
        uint32_t n = tab->nla ? tab->nla * 2 : 4;
        if (n > UINT16_MAX)
            n = UINT16_MAX;
        struct tcp_tw_laddr *v = mem_realloc(&st->cfg.alloc, tab->la, n * sizeof(*v));
        if (!v)
            return -1;
        memset(v + tab->nla, 0, (n - tab->nla) * sizeof(*v));
        free_slot = (int)tab->nla;
        tab->la = v;
        tab->nla = n;
    }
    tab->la[free_slot].ip = *ip;
    tab->la[free_slot].refs = 1;
    return free_slot;
}

/* ---------- the expiry list ---------- */

static void tw_rearm_timer(synack_stack_t *st, struct tcp_tw_table *tab)
{
    if (tab->head)
        timer_arm(&st->timers, &tab->timer, tcp_twtab_deadline(st, tcp_tw_at(tab, tab->head)));
    else
        timer_cancel(&st->timers, &tab->timer);
}

static void list_unlink(struct tcp_tw_table *tab, uint32_t i)
{
    struct tcp_tw *w = tcp_tw_at(tab, i);
    if (w->prev)
        tcp_tw_at(tab, w->prev)->next = w->next;
    else
        tab->head = w->next;
    if (w->next)
        tcp_tw_at(tab, w->next)->prev = w->prev;
    else
        tab->tail = w->prev;
    w->prev = w->next = 0;
}

/* In deadline order, searched from the tail: a new or restarted entry expires 2*MSL from now, no
 * sooner than any other, so this is O(1) but for an entry that takes over its connection's
 * running deadline (tcp_timewait_orphaned). Equal deadlines keep their order of insertion. */
static void list_insert(struct tcp_tw_table *tab, uint32_t i)
{
    struct tcp_tw *w = tcp_tw_at(tab, i);
    uint32_t p = tab->tail;
    while (p && dl_diff(tcp_tw_at(tab, p)->deadline, w->deadline) > 0)
        p = tcp_tw_at(tab, p)->prev;
    w->prev = p;
    w->next = p ? tcp_tw_at(tab, p)->next : tab->head;
    if (p)
        tcp_tw_at(tab, p)->next = i;
    else
        tab->head = i;
    if (w->next)
        tcp_tw_at(tab, w->next)->prev = i;
    else
        tab->tail = i;
}

static void tw_timer_fn(void *owner, struct timer *tm, synack_time_t now)
{
    (void)tm;
    synack_stack_t *st = owner;
    struct tcp_tw_table *tab = tab_of(st);
    while (tab->head && dl_diff(tcp_tw_at(tab, tab->head)->deadline, (uint32_t)now) <= 0)
        tcp_tw_expire(st, tab->head);
    tw_rearm_timer(st, tab);
}

void tcp_twtab_rearm(synack_stack_t *st, uint32_t i, synack_time_t deadline)
{
    struct tcp_tw_table *tab = tab_of(st);
    uint32_t old_head = tab->head;
    list_unlink(tab, i);
    tcp_tw_at(tab, i)->deadline = (uint32_t)deadline;
    list_insert(tab, i);
    if (tab->head != old_head || tab->head == i)
        tw_rearm_timer(st, tab);
}

/* ---------- entries ---------- */

/* Four times the buckets once there are four entries per bucket: chains stay short and the
 * buckets cost one to two bytes an entry. Without the memory the table stays as it is, slower. */
static void tw_grow(synack_stack_t *st, struct tcp_tw_table *tab)
{
    uint32_t n = tab->nbucket * 4;
    uint32_t *v = mem_calloc(&st->cfg.alloc, n, sizeof(*v));
    if (!v)
        return;
    mem_free(&st->cfg.alloc, tab->bucket);
    tab->bucket = v;
    tab->nbucket = n;
    for (uint32_t i = tab->head; i; i = tcp_tw_at(tab, i)->next) {
        struct tcp_tw *w = tcp_tw_at(tab, i);
        struct tcp_end l, r;
        tcp_twtab_ends(st, w, &l, &r);
        uint32_t h = tw_bucket(st, &l, &r);
        w->hnext = v[h];
        v[h] = i;
    }
}

static uint32_t slot_new(synack_stack_t *st, struct tcp_tw_table *tab)
{
    if (tab->free) {
        uint32_t i = tab->free;
        tab->free = tcp_tw_at(tab, i)->hnext;
        return i;
    }
    if (tab->hiwat == tab->nchunk * TCP_TW_CHUNK) {
        if (tab->nchunk == tab->chunk_cap) {
            uint32_t cap = tab->chunk_cap ? tab->chunk_cap * 2 : 4;
            struct tcp_tw **v = mem_realloc(&st->cfg.alloc, tab->chunk, cap * sizeof(*v));
            if (!v)
                return 0;
            tab->chunk = v;
            tab->chunk_cap = cap;
        }
        struct tcp_tw *c = mem_alloc(&st->cfg.alloc, TCP_TW_CHUNK * sizeof(*c));
        if (!c)
            return 0;
        tab->chunk[tab->nchunk++] = c;
    }
    return ++tab->hiwat;
}

uint32_t tcp_twtab_add(synack_stack_t *st, const struct tcp_end *local, const struct tcp_end *remote,
                       synack_time_t deadline)
{
    struct tcp_tw_table *tab = tab_of(st);
    int la = la_ref(st, tab, &local->ip);
    if (la < 0)
        return 0;
    uint32_t i = slot_new(st, tab);
    if (!i) {
        tab->la[la].refs--;
        return 0;
    }
    struct tcp_tw *w = tcp_tw_at(tab, i);
    memset(w, 0, sizeof(*w));
    w->raddr = remote->ip;
    w->rport = remote->port;
    w->lport = local->port;
    w->laddr = (uint16_t)la;
    w->deadline = (uint32_t)deadline;
    uint32_t h = tw_bucket(st, local, remote);
    w->hnext = tab->bucket[h];
    tab->bucket[h] = i;
    tab->n++;
    uint32_t old_head = tab->head;
    list_insert(tab, i);
    if (tab->head != old_head)
        tw_rearm_timer(st, tab);
    if (tab->n > 4 * tab->nbucket)
        tw_grow(st, tab);
    return i;
}

void tcp_twtab_del(synack_stack_t *st, uint32_t i)
{
    struct tcp_tw_table *tab = tab_of(st);
    struct tcp_tw *w = tcp_tw_at(tab, i);
    struct tcp_end l, r;
    tcp_twtab_ends(st, w, &l, &r);
    uint32_t *pp = &tab->bucket[tw_bucket(st, &l, &r)];
    while (*pp && *pp != i)
        pp = &tcp_tw_at(tab, *pp)->hnext;
    if (*pp)
        *pp = w->hnext;
    uint32_t old_head = tab->head;
    list_unlink(tab, i);
    tab->la[w->laddr].refs--;
    w->hnext = tab->free;
    tab->free = i;
    tab->n--;
    if (!tab->n) {
        tw_release_chunks(st, tab);
        tab->head = tab->tail = 0;
    }
    if (tab->head != old_head)
        tw_rearm_timer(st, tab);
}

uint32_t tcp_twtab_lookup(synack_stack_t *st, const struct tcp_end *l, const struct tcp_end *r)
{
    struct tcp_tw_table *tab = tab_of(st);
    if (!tab->n)
        return 0;
    for (uint32_t i = tab->bucket[tw_bucket(st, l, r)]; i;) {
        const struct tcp_tw *w = tcp_tw_at(tab, i);
        if (w->rport == r->port && w->lport == l->port && synack_ip_equal(&w->raddr, &r->ip) &&
            synack_ip_equal(&tab->la[w->laddr].ip, &l->ip))
            return i;
        i = w->hnext;
    }
    return 0;
}
