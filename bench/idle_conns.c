/* Memory per idle TCP connection and per TIME-WAIT entry (issue 10, item 5).
 *
 * Stack B, the server (198.18.0.1; RFC 2544's benchmarking range), listens on one port (more with
 * --ports); K client stacks (--clients; 198.19.0.1 and up) open --conns connections to it, each
 * over its own simulated Ethernet link, the links joined in a star at B's one interface by a
 * router of this program's (see hub_tx). Each connection carries one 100-byte request and one
 * 100-byte response, then stays idle well past the stack's idle release (TCP_IDLE_RELEASE, 1 s of
 * virtual time), so its buffers go back. Connections open in batches, each given 1.2 s of virtual time to
 * go idle before the next opens, so at most one batch holds buffers at once (virtual time costs
 * nothing where nothing happens).
 *
 * Memory is what the stacks hold through their allocator (struct synack_allocator): every block
 * at its usable size (malloc_usable_size) plus malloc's 8-byte header, live bytes per stack:
 *   bytes per idle connection         (server's live bytes with N idle connections - before) / N
 *   client bytes per idle connection  the same over the client stacks
 *   bytes per TIME-WAIT entry         the clients close (the active closers, so they hold
 *                                     TIME-WAIT; the server closes on end of stream; the other
 *                                     way round with --server-closes), then (the closer's live
 *                                     bytes with N TIME-WAIT entries - once they expired at
 *                                     2*MSL) / N
 *   residual bytes per connection     (live bytes once everything is closed and expired -
 *                                     before) / N: tables that grew and never shrink (or a leak)
 * and the process's RSS (after malloc_trim), for information: it holds both sides, the links'
 * frame blocks and this program's per-connection state.
 *
 * Why many client stacks: each has an address of its own, so a million connections to one server
 * port have distinct 4-tuples (one address has 64 K ports), and 250 connections a stack keep each
 * ephemeral-port choice quick (RFC 6056's random probes rarely meet a used port; the check itself
 * is O(1), tcp_table.c's port index). The server, the side the figure is about, is
 * always one stack. The stacks and links are run here by a small event scheduler of the
 * program's own (a heap of each stack's deadline and each link's next arrival, the same rules as
 * the library's simulated network, whose 64-stack bound this exceeds).
 *
 * Only the public API is used. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "synack/synack.h"

#define ADDR_SERVER 0xC6120001u     /* 198.18.0.1/24 */
#define ADDR_GW 0xC61200FEu         /* 198.18.0.254, the router */
#define ADDR_CLIENT0 0xC6130001u    /* 198.19.0.1, then .2, ... (/15: the server is on-link) */
#define PORT0 5000
#define REQ_LEN 100
#define RESP_LEN 100
#define MAX_CLIENTS 4096
#define MAX_PORTS 64
#define EPH_MIN 1024
#define EPH_MAX 65535
#define CONNS_PER_CLIENT 250

/* Live bytes a stack holds through its allocator. */
struct counter {
    long long live, peak;
};

static long long block(void *p) { return p ? (long long)(malloc_usable_size(p) + sizeof(size_t)) : 0; }

static void *counting(void *ctx, void *p, size_t n)
{
    struct counter *c = ctx;
    if (!n) {
        c->live -= block(p);
        free(p);
        return NULL;
    }
    long long before = block(p);
    void *q = realloc(p, n);
    if (!q)
        return NULL;   /* p is untouched */
    c->live += block(q) - before;
    if (c->live > c->peak)
        c->peak = c->live;
    return q;
}

/* Per-connection application state: the program's, not the stacks'. */
struct cli {
    int sock;
    uint16_t stack;
    uint8_t sent, got, done;
};
struct srv {
    int sock;
    uint8_t got, sent;
};

struct bench;
struct cli_port {   /* a client interface's transmit context */
    struct bench *b;
    int k;
};

/* The event scheduler. Entities: links 0..K-1, the server K, clients K+1..2K (at equal times
 * links run first, then stacks in that order, as in synack_simnet). A min-heap orders them by
 * their next time; an entity whose time may have changed (it ran, a frame was sent on it, an API
 * call was made on it) is marked dirty and its key refreshed before the next step. */
struct sched {
    int n;
    int *heap, *pos, *dirty, ndirty;
    uint8_t *is_dirty;
    synack_time_t *key;
    synack_time_t now;
};

struct bench {
    struct sched s;
    synack_stack_t *server;
    synack_stack_t **client;
    synack_simlink_t **link;
    struct cli_port *port;
    struct counter cnt_server, *cnt_client;
    int nclients, nports;
    synack_time_t latency;
    int lsock[MAX_PORTS];
    struct cli *cli;
    struct srv *srv;
    long nsrv, nconns;
    long done, closed, errors;
    int first_err;
    int server_closes;   /* --server-closes: the server is the active closer and holds TIME-WAIT */
};

static synack_time_t vnow(struct bench *b) { return b->s.now; }

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void note_error(struct bench *b, int e)
{
    if (!b->errors++)
        b->first_err = e;
}

/* ---- the scheduler ---- */

static int ent_server(struct bench *b) { return b->nclients; }
static int ent_client(struct bench *b, int k) { return b->nclients + 1 + k; }

static synack_time_t ent_time(struct bench *b, int e)
{
    if (e < b->nclients)
        return synack_simlink_next(b->link[e]);
    if (e == b->nclients)
        return synack_stack_next_deadline(b->server);
    return synack_stack_next_deadline(b->client[e - b->nclients - 1]);
}

static int ent_before(const struct sched *s, int x, int y)
{
    return s->key[x] < s->key[y] || (s->key[x] == s->key[y] && x < y);
}

static void heap_place(struct sched *s, int i, int e)
{
    s->heap[i] = e;
    s->pos[e] = i;
}

static void heap_fix(struct sched *s, int i)
{
    int e = s->heap[i];
    while (i > 0 && ent_before(s, e, s->heap[(i - 1) / 2])) {
        heap_place(s, i, s->heap[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    for (;;) {
        int l = 2 * i + 1, r = l + 1, m = -1;
        if (l < s->n && ent_before(s, s->heap[l], e))
            m = l;
        if (r < s->n && ent_before(s, s->heap[r], m < 0 ? e : s->heap[l]))
            m = r;
        if (m < 0)
            break;
        heap_place(s, i, s->heap[m]);
        i = m;
    }
    heap_place(s, i, e);
}

static void mark(struct bench *b, int e)
{
    struct sched *s = &b->s;
    if (!s->is_dirty[e]) {
        s->is_dirty[e] = 1;
        s->dirty[s->ndirty++] = e;
    }
}

static void flush(struct bench *b)
{
    struct sched *s = &b->s;
    for (int i = 0; i < s->ndirty; i++) {
        int e = s->dirty[i];
        s->is_dirty[e] = 0;
        s->key[e] = ent_time(b, e);
        heap_fix(s, s->pos[e]);
    }
    s->ndirty = 0;
}

static int sched_init(struct bench *b)
{
    struct sched *s = &b->s;
    s->n = 2 * b->nclients + 1;
    s->heap = calloc((size_t)s->n, sizeof(int));
    s->pos = calloc((size_t)s->n, sizeof(int));
    s->dirty = calloc((size_t)s->n, sizeof(int));
    s->is_dirty = calloc((size_t)s->n, 1);
    s->key = calloc((size_t)s->n, sizeof(synack_time_t));
    if (!s->heap || !s->pos || !s->dirty || !s->is_dirty || !s->key)
        return -1;
    for (int e = 0; e < s->n; e++) {
        s->key[e] = SYNACK_TIME_NEVER;
        heap_place(s, e, e);
        mark(b, e);
    }
    s->now = SYNACK_SEC(1);
    return 0;
}

/* Runs the earliest event due at or before `until`; 0 if none is. */
static int sched_step(struct bench *b, synack_time_t until)
{
    struct sched *s = &b->s;
    flush(b);
    int e = s->heap[0];
    synack_time_t t = s->key[e];
    if (t == SYNACK_TIME_NEVER || t > until)
        return 0;
    if (t > s->now)
        s->now = t;   /* a deadline already past (set at this instant) runs now */
    if (e < b->nclients) {
        synack_simlink_deliver(b->link[e], s->now);
        mark(b, ent_server(b));
        mark(b, ent_client(b, e));
    } else {
        synack_stack_poll(e == b->nclients ? b->server : b->client[e - b->nclients - 1], s->now);
    }
    mark(b, e);
    return 1;
}

/* Advances virtual time event by event up to `until`, where the clock then stands. */
static int run_until(struct bench *b, synack_time_t until)
{
    synack_time_t last = b->s.now;
    unsigned same = 0;
    while (sched_step(b, until)) {
        if (b->s.now != last) {
            last = b->s.now;
            same = 0;
        } else if (++same >= (1u << 24)) {
            fprintf(stderr, "idle_conns: 2^24 events at one instant: a stack is spinning\n");
            return -1;
        }
    }
    if (until > b->s.now)
        b->s.now = until;
    return 0;
}

/* The router between the server and the clients. The server (198.18.0.1/24) reaches the clients
 * (198.19.0.0/16) through its gateway 198.18.0.254, so it has one neighbour, whatever the number
 * of clients, as a server reached over the Internet does; the clients (on a /15 that holds the
 * server) resolve the server itself. The router is these two transmit callbacks: it answers the
 * server's ARP requests for the gateway, and forwards IPv4 by destination address and ARP replies
 * by target address to the client's link. Every client has the gateway's MAC: each is alone on
 * its link, so the server's frames, addressed to the gateway, are the client's. */
static const uint8_t MAC_SERVER[6] = { 2, 0, 0, 0, 0, 1 };
static const uint8_t MAC_GW[6] = { 2, 0, 0, 0, 0, 0xfe };

static uint32_t get32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static int client_tx(void *ctx, const uint8_t *frame, size_t len, synack_time_t now)
{
    struct cli_port *p = ctx;
    mark(p->b, p->k);
    return synack_simlink_tx(synack_simlink_end(p->b->link[p->k], 0), frame, len, now);
}

static int hub_tx(void *ctx, const uint8_t *frame, size_t len, synack_time_t now)
{
    struct bench *b = ctx;
    if (len >= 34 && frame[12] == 0x08 && frame[13] == 0x00) {   /* IPv4: by destination */
        uint32_t k = get32(frame + 30) - ADDR_CLIENT0;
        if (k >= (uint32_t)b->nclients)
            return 0;   /* nobody's: lost, as on a real wire */
        mark(b, (int)k);
        return synack_simlink_tx(synack_simlink_end(b->link[k], 1), frame, len, now);
    }
    if (len < 42 || frame[12] != 0x08 || frame[13] != 0x06)
        return 0;
    if (frame[21] == 2) {   /* an ARP reply, to the client that asked */
        uint32_t k = get32(frame + 38) - ADDR_CLIENT0;
        if (k >= (uint32_t)b->nclients)
            return 0;
        mark(b, (int)k);
        return synack_simlink_tx(synack_simlink_end(b->link[k], 1), frame, len, now);
    }
    if (frame[21] != 1 || get32(frame + 38) != ADDR_GW)
        return 0;
    /* RFC 826: the gateway answers a request for its address (broadcast, or a unicast poll). */
    uint8_t r[42];
    memcpy(r, MAC_SERVER, 6);
    memcpy(r + 6, MAC_GW, 6);
    r[12] = 0x08;
    r[13] = 0x06;
    memcpy(r + 14, frame + 14, 6);   /* hardware Ethernet, protocol IPv4, their lengths */
    r[20] = 0;
    r[21] = 2;
    memcpy(r + 22, MAC_GW, 6);
    put32(r + 28, ADDR_GW);
    memcpy(r + 32, frame + 22, 10);  /* the asker's MAC and address */
    mark(b, 0);
    return synack_simlink_tx(synack_simlink_end(b->link[0], 0), r, sizeof(r), now);   /* toward the server */
}

/* ---- the server: answers each 100-byte request with 100 bytes, closes on end of stream ---- */

static void srv_pump(struct bench *b, synack_stack_t *st, struct srv *s, synack_time_t now)
{
    static const char resp[RESP_LEN];
    char buf[512];
    for (;;) {
        int r = synack_recv(st, s->sock, buf, sizeof(buf), now);
        if (r > 0) {
            s->got = (uint8_t)(s->got + r > 255 ? 255 : s->got + r);
            if (s->got >= REQ_LEN && !s->sent) {
                int w = synack_send(st, s->sock, resp, sizeof(resp), now);
                if (w != (int)sizeof(resp))
                    note_error(b, w < 0 ? w : -EIO);
                s->sent = 1;
            }
            continue;
        }
        if (r == 0) {
            synack_close(st, s->sock, now);
            s->sock = -1;
            b->closed++;
        } else if (r != -EAGAIN) {
            note_error(b, r);
        }
        return;
    }
}

static struct bench *g_bench;   /* for the handlers, whose arg is the connection's state */

static void srv_handler(synack_stack_t *st, int sock, unsigned ev, void *arg, synack_time_t now)
{
    (void)sock;
    (void)ev;
    struct srv *s = arg;
    if (s->sock >= 0)
        srv_pump(g_bench, st, s, now);
}

static void accept_handler(synack_stack_t *st, int sock, unsigned ev, void *arg, synack_time_t now)
{
    (void)ev;
    struct bench *b = arg;
    for (;;) {
        int s = synack_accept(st, sock, NULL, now);
        if (s < 0) {
            if (s != -EAGAIN)
                note_error(b, s);
            return;
        }
        if (b->nsrv >= b->nconns) {
            note_error(b, -EEXIST);   /* more connections than were opened */
            synack_close(st, s, now);
            continue;
        }
        struct srv *v = &b->srv[b->nsrv++];
        v->sock = s;
        synack_socket_set_handler(st, s, srv_handler, v);
        srv_pump(b, st, v, now);   /* the request may be there already */
    }
}

/* ---- the clients: one request, read the response, then idle ---- */

static void cli_handler(synack_stack_t *st, int sock, unsigned ev, void *arg, synack_time_t now)
{
    static const char req[REQ_LEN];
    struct cli *c = arg;
    struct bench *b = g_bench;
    if (c->sock < 0)
        return;
    if (ev & SYNACK_EV_ERR) {
        int e = synack_socket_error(st, sock);
        if (e)
            note_error(b, e);
    }
    if (!c->sent && (ev & SYNACK_EV_OUT)) {
        int w = synack_send(st, sock, req, sizeof(req), now);
        if (w == -EAGAIN)
            return;
        if (w != (int)sizeof(req))
            note_error(b, w < 0 ? w : -EIO);
        c->sent = 1;
    }
    char buf[512];
    for (;;) {
        int r = synack_recv(st, sock, buf, sizeof(buf), now);
        if (r > 0) {
            c->got = (uint8_t)(c->got + r > 255 ? 255 : c->got + r);
            if (c->got >= RESP_LEN && !c->done) {
                c->done = 1;
                b->done++;
            }
            continue;
        }
        if (r == 0 && b->server_closes && c->done) {
            synack_close(st, sock, now);   /* the server closed first: answer its FIN with ours */
            c->sock = -1;
            b->closed++;
        } else if (r != -EAGAIN && r != -ENOTCONN) {
            note_error(b, r ? r : -EPIPE);   /* 0: the server closed first, unasked */
        }
        return;
    }
}

/* ---- observation ---- */

struct census {
    long state[16];
    long queued;   /* connections with bytes waiting to be sent or read */
};

static void census_fn(void *arg, const struct synack_tcp_info *info)
{
    struct census *c = arg;
    if (info->state >= 0 && info->state < 16)
        c->state[info->state]++;
    if (info->state != SYNACK_TCP_LISTEN && (info->send_q || info->recv_q))
        c->queued++;
}

static void census_of(synack_stack_t *st, struct census *c, int add)
{
    if (!add)
        memset(c, 0, sizeof(*c));
    synack_tcp_foreach(st, census_fn, c);
}

static void census_clients(struct bench *b, struct census *c)
{
    memset(c, 0, sizeof(*c));
    for (int k = 0; k < b->nclients; k++)
        census_of(b->client[k], c, 1);
}

static long long clients_live(struct bench *b)
{
    long long s = 0;
    for (int k = 0; k < b->nclients; k++)
        s += b->cnt_client[k].live;
    return s;
}

/* Resident set size and its peak, in MB, from /proc/self/status. */
static void rss_mb(double *rss, double *hwm)
{
    *rss = *hwm = 0;
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return;
    char line[256];
    long kb;
    while (fgets(line, sizeof(line), f)) {
        if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
            *rss = (double)kb / 1024;
        else if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
            *hwm = (double)kb / 1024;
    }
    fclose(f);
}

/* Runs the network in 1 ms steps until *count reaches target, at most `limit` of virtual time. */
static int run_until_count(struct bench *b, const long *count, long target, synack_time_t limit)
{
    synack_time_t end = vnow(b) + limit;
    while (*count < target && !b->errors) {
        if (vnow(b) >= end || run_until(b, vnow(b) + SYNACK_MS(1)) != 0)
            return -1;
    }
    return b->errors ? -1 : 0;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: idle_conns [options]\n"
            "  --conns N       idle connections to open (default 10000; at most 1048000)\n"
            "  --clients K     client stacks (default: one per %d connections, at most %d)\n"
            "  --ports P       listening ports on the server (default: enough that each client\n"
            "                  address uses at most half its %d ephemeral ports per server port; 1)\n"
            "  --batch N       connections opened at once (default 4096)\n"
            "  --latency-us N  one-way latency of each link (default 50)\n"
            "  --server-closes the server closes first and holds TIME-WAIT (default: the clients)\n"
            "  --quiet         no progress lines on stderr\n",
            CONNS_PER_CLIENT, MAX_CLIENTS, EPH_MAX - EPH_MIN + 1);
}

static int fail(struct bench *b, const char *what)
{
    for (int side = 0; side < 2; side++) {
        struct census c;
        if (side)
            census_clients(b, &c);
        else
            census_of(b->server, &c, 0);
        fprintf(stderr, "idle_conns: %s:", side ? "clients" : "server");
        for (int i = 0; i < 16; i++)
            if (c.state[i])
                fprintf(stderr, " %s %ld", synack_tcp_state_name(i), c.state[i]);
        fprintf(stderr, ", %ld with bytes queued\n", c.queued);
    }
    fprintf(stderr, "idle_conns: %s (errors %ld, first: %s; done %ld, accepted %ld, closed %ld)\n", what,
            b->errors, b->errors ? synack_strerror(b->first_err) : "none", b->done, b->nsrv, b->closed);
    return 1;
}

/* Creates the stacks, links, listeners; resolves every client's neighbour before counting. */
static int setup(struct bench *b)
{
    b->client = calloc((size_t)b->nclients, sizeof(*b->client));
    b->link = calloc((size_t)b->nclients, sizeof(*b->link));
    b->port = calloc((size_t)b->nclients, sizeof(*b->port));
    b->cnt_client = calloc((size_t)b->nclients, sizeof(*b->cnt_client));
    if (!b->client || !b->link || !b->port || !b->cnt_client)
        return -1;
    /* Limits raised so that nothing but memory bounds the run: orphans (each side closes while
     * the other's FIN is on its way) and TIME-WAIT entries (every client connection ends in one). */
    unsigned lim = (unsigned)b->nconns + 1024;
    struct synack_config sc;
    synack_config_init(&sc);
    sc.tcp_max_orphans = lim;
    sc.tcp_max_tw = lim;
    sc.eph_port_min = EPH_MIN;
    sc.eph_port_max = EPH_MAX;
    sc.alloc.fn = counting;

    synack_config_seed_u64(&sc, 1000);
    sc.alloc.ctx = &b->cnt_server;
    b->server = synack_stack_new(&sc);
    struct synack_if_config ic = { .name = "srv", .kind = SYNACK_IF_ETHERNET, .addr = ADDR_SERVER, .prefix_len = 24,
                                   .mtu = 1500, .tx = hub_tx, .tx_ctx = b };
    memcpy(ic.mac, MAC_SERVER, 6);
    int sifx = b->server ? synack_if_add(b->server, &ic) : -1;
    if (sifx < 0 || synack_route_set_gateway(b->server, ADDR_GW) != 0)
        return -1;
    for (int k = 0; k < b->nclients; k++) {
        struct synack_simlink_config lc;
        synack_simlink_config_init(&lc);
        lc.latency = b->latency;
        lc.bandwidth_bps = 0;
        lc.seed = 1 + (uint64_t)k;
        b->link[k] = synack_simlink_new(&lc);
        synack_config_seed_u64(&sc, 2000 + (uint64_t)k);
        sc.alloc.ctx = &b->cnt_client[k];
        b->client[k] = synack_stack_new(&sc);
        b->port[k].b = b;
        b->port[k].k = k;
        struct synack_if_config cc = { .name = "cli", .kind = SYNACK_IF_ETHERNET, .addr = ADDR_CLIENT0 + (uint32_t)k,
                                       .prefix_len = 15, .mtu = 1500, .tx = client_tx, .tx_ctx = &b->port[k] };
        memcpy(cc.mac, MAC_GW, 6);
        int cifx = b->client[k] ? synack_if_add(b->client[k], &cc) : -1;
        if (!b->link[k] || cifx < 0)
            return -1;
        synack_simlink_attach(b->link[k], 0, b->client[k], cifx);
        synack_simlink_attach(b->link[k], 1, b->server, sifx);
    }
    if (sched_init(b) != 0)
        return -1;
    for (int p = 0; p < b->nports; p++) {
        int s = synack_socket(b->server, SYNACK_SOCK_STREAM);
        struct synack_sockaddr la = synack_sockaddr_from_v4(ADDR_SERVER, (uint16_t)(PORT0 + p));
        if (s < 0 || synack_bind(b->server, s, &la) != 0 || synack_listen(b->server, s, 65535) != 0)
            return -1;
        synack_socket_set_handler(b->server, s, accept_handler, b);
        b->lsock[p] = s;
    }
    struct synack_ip dst = synack_ip_from_v4(ADDR_SERVER);
    for (int k = 0; k < b->nclients; k++) {
        synack_ping(b->client[k], &dst, 1, 1, NULL, 0, vnow(b));
        mark(b, ent_client(b, k));
    }
    return run_until(b, vnow(b) + SYNACK_MS(100));
}

int main(int argc, char **argv)
{
    long conns = 10000, batch = 4096;
    int nclients = 0, nports = 0, quiet = 0, server_closes = 0;
    unsigned latency = 50;
    static const struct option opts[] = {
        { "conns", required_argument, 0, 'n' }, { "clients", required_argument, 0, 'k' },
        { "ports", required_argument, 0, 'p' }, { "batch", required_argument, 0, 'b' },
        { "latency-us", required_argument, 0, 'l' }, { "quiet", no_argument, 0, 'q' },
        { "server-closes", no_argument, 0, 's' },
        { "help", no_argument, 0, 'h' },        { 0, 0, 0, 0 }
    };
    int o;
    while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (o) {
        case 'n': conns = strtol(optarg, NULL, 10); break;
        case 'k': nclients = atoi(optarg); break;
        case 'p': nports = atoi(optarg); break;
        case 'b': batch = strtol(optarg, NULL, 10); break;
        case 'l': latency = (unsigned)strtoul(optarg, NULL, 10); break;
        case 'q': quiet = 1; break;
        case 's': server_closes = 1; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    /* The socket layer names at most 2^20 sockets per stack (a handle's slot bits), and the server
     * holds its listeners besides the connections. A batch is at most the listen backlog. */
    if (conns < 1 || conns > 1048000 || batch < 1 || batch > 65535 || nclients < 0 || nclients > MAX_CLIENTS ||
        nports < 0 || nports > MAX_PORTS || latency < 1) {
        usage(stderr);
        return 2;
    }
    const long per_pair = (EPH_MAX - EPH_MIN + 1) / 2;   /* per client address and server port */
    if (!nclients)
        nclients = (int)((conns + CONNS_PER_CLIENT - 1) / CONNS_PER_CLIENT);
    if (nclients > MAX_CLIENTS)
        nclients = MAX_CLIENTS;
    if (!nports)
        nports = (int)((conns + per_pair * nclients - 1) / (per_pair * nclients));
    if (nports > MAX_PORTS || (long long)nports * nclients * (EPH_MAX - EPH_MIN + 1) < conns) {
        fprintf(stderr, "idle_conns: %d ports x %d clients cannot carry %ld connections\n", nports, nclients, conns);
        return 2;
    }

    struct bench *b = calloc(1, sizeof(*b));
    if (!b)
        return 1;
    g_bench = b;
    b->nclients = nclients;
    b->nports = nports;
    b->nconns = conns;
    b->server_closes = server_closes;
    b->cli = calloc((size_t)conns, sizeof(*b->cli));
    b->srv = calloc((size_t)conns, sizeof(*b->srv));
    b->latency = SYNACK_US(latency);
    if (!b->cli || !b->srv || setup(b) != 0) {
        fprintf(stderr, "idle_conns: cannot create the stacks, links and listeners\n");
        return 1;
    }

    long long srv0 = b->cnt_server.live, cli0 = clients_live(b);
    double t0 = wall();
    printf("idle_conns: %ld connections, %d client stack(s), %d listening port(s), batches of %ld, "
           "link latency %u us\n", conns, nclients, nports, batch, latency);
    fflush(stdout);

    /* 1. Open, exchange, go idle: batch by batch. */
    for (long lo = 0; lo < conns; lo += batch) {
        long hi = lo + batch < conns ? lo + batch : conns;
        synack_time_t start = vnow(b);
        for (long i = lo; i < hi; i++) {
            int k = (int)(i % nclients);
            int p = (int)(i / nclients % nports);
            struct cli *c = &b->cli[i];
            c->stack = (uint16_t)k;
            c->sock = synack_socket(b->client[k], SYNACK_SOCK_STREAM);
            if (c->sock < 0) {
                note_error(b, c->sock);
                return fail(b, "socket");
            }
            synack_socket_set_handler(b->client[k], c->sock, cli_handler, c);
            struct synack_sockaddr peer = synack_sockaddr_from_v4(ADDR_SERVER, (uint16_t)(PORT0 + p));
            int r = synack_connect(b->client[k], c->sock, &peer, vnow(b));
            mark(b, ent_client(b, k));
            if (r != -EINPROGRESS) {
                note_error(b, r);
                return fail(b, "connect");
            }
        }
        if (run_until_count(b, &b->done, hi, SYNACK_SEC(30)) != 0)
            return fail(b, "exchange did not complete");
        if (run_until(b, start + SYNACK_MS(1200)) != 0)   /* let the batch go idle */
            return fail(b, "scheduler");
        if (!quiet && (hi / batch) % 16 == 0)
            fprintf(stderr, "  %ld open (%.1f s)\n", hi, wall() - t0);
    }
    if (run_until(b, vnow(b) + SYNACK_SEC(3)) != 0)   /* past TCP_IDLE_RELEASE for all */
        return fail(b, "scheduler");
    double t_open = wall() - t0;

    long long srv_idle = b->cnt_server.live, cli_idle = clients_live(b);
    struct census cs, cc;
    census_of(b->server, &cs, 0);
    census_clients(b, &cc);
    if (cs.state[SYNACK_TCP_ESTABLISHED] != conns || cc.state[SYNACK_TCP_ESTABLISHED] != conns || cs.queued || cc.queued)
        return fail(b, "not every connection is established and idle");
    malloc_trim(0);
    double rss_idle, hwm;
    rss_mb(&rss_idle, &hwm);
    double srv_per = (double)(srv_idle - srv0) / (double)conns, cli_per = (double)(cli_idle - cli0) / (double)conns;

    /* 2. The clients close (the active closers: they hold TIME-WAIT) and the server closes on end
     * of stream; with --server-closes the other way round. */
    double t1 = wall();
    for (long lo = 0; lo < conns; lo += batch) {
        long hi = lo + batch < conns ? lo + batch : conns;
        for (long i = lo; i < hi; i++) {
            if (b->server_closes) {
                synack_close(b->server, b->srv[i].sock, vnow(b));
                b->srv[i].sock = -1;
                mark(b, ent_server(b));
            } else {
                synack_close(b->client[b->cli[i].stack], b->cli[i].sock, vnow(b));
                mark(b, ent_client(b, b->cli[i].stack));
            }
        }
        if (run_until_count(b, &b->closed, hi, SYNACK_SEC(30)) != 0)
            return fail(b, "close did not complete");
    }
    if (run_until(b, vnow(b) + SYNACK_SEC(1)) != 0)   /* the last FINs and ACKs */
        return fail(b, "scheduler");
    double t_close = wall() - t1;
    long long cli_tw = clients_live(b), srv_tw = b->cnt_server.live;
    census_of(b->server, &cs, 0);
    census_clients(b, &cc);
    struct census *closer = b->server_closes ? &cs : &cc, *other = b->server_closes ? &cc : &cs;
    uint64_t overflow = synack_counter_get(b->server, SYNACK_C_TcpTimeWaitOverflow);
    for (int k = 0; k < nclients; k++)
        overflow += synack_counter_get(b->client[k], SYNACK_C_TcpTimeWaitOverflow);
    long others = 0;
    for (int i = 0; i < 16; i++)
        others += i == SYNACK_TCP_LISTEN ? 0 : other->state[i];
    if (closer->state[SYNACK_TCP_TIME_WAIT] != conns || overflow || others ||
        cs.state[SYNACK_TCP_LISTEN] != nports)
        return fail(b, "not every connection is in TIME-WAIT at the closer and gone at the other side");
    malloc_trim(0);
    double rss_tw, hwm2;
    rss_mb(&rss_tw, &hwm2);

    /* 3. TIME-WAIT expires (2*MSL, 60 s by default): what is left is what never shrinks. */
    double t2 = wall();
    if (run_until(b, vnow(b) + SYNACK_SEC(61)) != 0)
        return fail(b, "scheduler");
    double t_expire = wall() - t2;
    census_of(b->server, &cs, 0);
    census_clients(b, &cc);
    if (cc.state[SYNACK_TCP_TIME_WAIT] || cs.state[SYNACK_TCP_TIME_WAIT])
        return fail(b, "TIME-WAIT entries outlived 2*MSL");
    long long cli_end = clients_live(b), srv_end = b->cnt_server.live;
    double tw_per = (double)(b->server_closes ? srv_tw - srv_end : cli_tw - cli_end) / (double)conns;
    double wall_s = wall() - t0;

    printf("live bytes before and with the idle connections: server %lld, %lld (peak %lld); clients %lld, %lld\n",
           srv0, srv_idle, b->cnt_server.peak, cli0, cli_idle);
    printf("bytes per idle connection: %.0f\n", srv_per);
    printf("client bytes per idle connection: %.0f\n", cli_per);
    printf("bytes per TIME-WAIT entry: %.0f\n", tw_per);
    printf("TIME-WAIT held by the %s\n", b->server_closes ? "server (--server-closes)" : "clients (the active closers)");
    printf("residual bytes per connection after TIME-WAIT: server %.0f, clients %.0f\n",
           (double)(srv_end - srv0) / (double)conns, (double)(cli_end - cli0) / (double)conns);
    printf("rss: %.1f MB idle, %.1f MB in TIME-WAIT, peak %.1f MB (both sides, the links, this program)\n", rss_idle,
           rss_tw, hwm2);
    printf("wall: %.1f s opening, %.1f s closing, %.1f s expiring (virtual %.0f s)\n", t_open, t_close, t_expire,
           (double)(vnow(b) - SYNACK_SEC(1)) / 1e6);
    printf("RESULT idle_conns conns=%ld server_bytes_per_conn=%.0f client_bytes_per_conn=%.0f tw_bytes=%.0f "
           "rss_mb=%.0f peak_rss_mb=%.0f clients=%d ports=%d tw_side=%s wall_s=%.1f open_s=%.1f close_s=%.1f "
           "expire_s=%.1f\n",
           conns, srv_per, cli_per, tw_per, rss_idle, hwm2, nclients, nports, b->server_closes ? "server" : "client",
           wall_s, t_open, t_close, t_expire);

    synack_stack_free(b->server);
    for (int k = 0; k < nclients; k++) {
        synack_stack_free(b->client[k]);
        synack_simlink_free(b->link[k]);
    }
    return 0;
}
