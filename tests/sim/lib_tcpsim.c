/* The two-stack TCP laboratory (see lib_tcpsim.h). */
#include "sim/lib_tcpsim.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tcpsim_init(struct tcpsim *t, const struct synack_simlink_config *cfg, uint64_t seed)
{
    tcpsim_init_cc(t, cfg, seed, NULL);
}

void tcpsim_init_cc(struct tcpsim *t, const struct synack_simlink_config *cfg, uint64_t seed, const char *congestion)
{
    struct synack_config sc;
    synack_config_init(&sc);
    sc.tcp_congestion = congestion;
    tcpsim_init_config(t, cfg, seed, &sc);
}

void tcpsim_init_config(struct tcpsim *t, const struct synack_simlink_config *cfg, uint64_t seed,
                        const struct synack_config *base)
{
    tcpsim_init_alloc(t, cfg, seed, base, NULL);
}

void tcpsim_init_alloc(struct tcpsim *t, const struct synack_simlink_config *cfg, uint64_t seed,
                       const struct synack_config *base, const struct synack_allocator alloc[2])
{
    memset(t, 0, sizeof(*t));
    struct synack_simlink_config lc;
    if (cfg) {
        lc = *cfg;
    } else {
        synack_simlink_config_init(&lc);
        lc.latency = SYNACK_MS(1);
        lc.bandwidth_bps = 1000000000ull;
    }
    lc.seed = seed;
    t->link = synack_simlink_new(&lc);
    t->net = synack_simnet_new(SYNACK_SEC(1));
    for (int i = 0; i < 2; i++) {
        struct synack_config sc = *base;
        synack_config_seed_u64(&sc, seed * 2 + (uint64_t)i);
        if (alloc)
            sc.alloc = alloc[i];
        t->st[i] = synack_stack_new(&sc);
        struct synack_if_config ic = { .name = "sim", .kind = SYNACK_IF_ETHERNET,
                                       .mac = { 2, 0, 0, 0, 0, (uint8_t)(i + 1) }, .addr = SIM_A + (uint32_t)i,
                                       .prefix_len = 24, .mtu = 1500, .tx = synack_simlink_tx,
                                       .tx_ctx = synack_simlink_end(t->link, i) };
        if (lc.offload) {   /* as a veth pair: TCP hands the link frames of up to 64 KB */
            ic.tx_meta = synack_simlink_tx_meta;
            ic.tso_max = 65000;
        }
        int ifx = synack_if_add(t->st[i], &ic);
        synack_simlink_attach(t->link, i, t->st[i], ifx);
        synack_simnet_add_stack(t->net, t->st[i]);
    }
    synack_simnet_add_link(t->net, t->link);
}

void tcpsim_free(struct tcpsim *t)
{
    for (int i = 0; i < 2; i++)
        synack_stack_free(t->st[i]);
    synack_simnet_free(t->net);
}

synack_time_t tcpsim_now(struct tcpsim *t) { return synack_simnet_now(t->net); }

int tcpsim_ip6(struct tcpsim *t)
{
    struct synack_ip a6, b6;
    int err;
    if ((err = synack_ip_parse("2001:db8::1", &a6)) < 0 || (err = synack_ip_parse("2001:db8::2", &b6)) < 0 ||
        (err = synack_if_add_addr6(t->st[0], 0, &a6, 64, tcpsim_now(t))) < 0 ||
        (err = synack_if_add_addr6(t->st[1], 0, &b6, 64, tcpsim_now(t))) < 0)
        return err;
    synack_simnet_run_until(t->net, tcpsim_now(t) + SYNACK_SEC(2));   /* past DAD */
    return 0;
}

static int listener(synack_stack_t *st, struct synack_ip addr, uint16_t port, int v6only,
                    synack_socket_handler_fn on_accept, void *arg)
{
    int l = synack_socket(st, SYNACK_SOCK_STREAM), err;
    struct synack_sockaddr la = { addr, port };
    if (l < 0)
        return l;
    if ((v6only && (err = synack_setsockopt(st, l, SYNACK_IPV6_V6ONLY, 1, 0)) < 0) ||
        (err = synack_bind(st, l, &la)) < 0 || (err = synack_listen(st, l, 4)) < 0 ||
        (err = synack_socket_set_handler(st, l, on_accept, arg)) < 0)
        return err;
    return l;
}

int tcpsim_listeners_connect6(struct tcpsim *t, synack_socket_handler_fn on_accept, void *arg)
{
    int err;
    if ((err = listener(t->st[1], synack_ip_any6(), 80, 0, on_accept, arg)) < 0 ||
        (err = listener(t->st[1], synack_ip_any6(), 81, 1, on_accept, arg)) < 0 ||
        (err = listener(t->st[1], synack_ip_any4(), 82, 0, on_accept, arg)) < 0)
        return err;
    int c = synack_socket(t->st[0], SYNACK_SOCK_STREAM);
    struct synack_sockaddr peer = { .port = 80 };
    if (c < 0)
        return c;
    if ((err = synack_ip_parse("2001:db8::2", &peer.addr)) < 0)
        return err;
    synack_connect(t->st[0], c, &peer, tcpsim_now(t));
    synack_simnet_run_until(t->net, tcpsim_now(t) + SYNACK_MS(100));
    return c;
}

uint64_t hash_update(uint64_t h, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

void stream_init(struct stream *s, uint64_t total, uint64_t seed)
{
    s->total = total;
    s->done = 0;
    s->gen_state = seed;
    s->hash = HASH_INIT;
}

/* Byte i of the stream is a function of (seed, i): cheap and position-addressable. */
static uint8_t stream_byte(uint64_t seed, uint64_t i)
{
    uint64_t x = (i >> 3) * 0x9e3779b97f4a7c15ull ^ seed;
    x ^= x >> 31;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 29;
    return (uint8_t)(x >> (8 * (i & 7)));
}

void stream_peek(const struct stream *s, uint8_t *buf, size_t n)
{
    for (size_t i = 0; i < n; i++)
        buf[i] = stream_byte(s->gen_state, s->done + i);
}

void stream_advance(struct stream *s, size_t n) { s->done += n; }

struct bulk_side {
    struct tcpsim *t;
    synack_stack_t *st;
    int sock;
    struct stream out;       /* what this side sends */
    struct stream expect;    /* what it should receive */
    uint64_t rcvd;
    uint64_t rhash;
    int eof, shut, closed, err, mismatch;
};

static void side_pump(struct bulk_side *s, synack_time_t now)
{
    uint8_t buf[16384];
    for (;;) {
        int n = synack_recv(s->st, s->sock, buf, sizeof(buf), now);
        if (n > 0) {
            uint8_t want[16384];
            s->expect.done = s->rcvd;
            stream_peek(&s->expect, want, (size_t)n);
            if (memcmp(want, buf, (size_t)n) != 0)
                s->mismatch = 1;
            s->rcvd += (uint64_t)n;
            continue;
        }
        if (n == 0)
            s->eof = 1;
        else if (n != -EAGAIN && !s->err)
            s->err = n;
        break;
    }
    while (s->out.done < s->out.total) {
        size_t chunk = s->out.total - s->out.done < sizeof(buf) ? (size_t)(s->out.total - s->out.done) : sizeof(buf);
        stream_peek(&s->out, buf, chunk);
        int n = synack_send(s->st, s->sock, buf, chunk, now);
        if (n <= 0) {
            if (n != -EAGAIN && !s->err)
                s->err = n;
            break;
        }
        stream_advance(&s->out, (size_t)n);
    }
    if (s->out.done == s->out.total && !s->shut) {
        if (synack_shutdown(s->st, s->sock, SYNACK_SHUT_WR, now) == 0)
            s->shut = 1;
    }
    if (s->eof && s->shut && !s->closed) {
        synack_close(s->st, s->sock, now);
        s->closed = 1;
    }
}

static void side_handler(synack_stack_t *st, int sock, unsigned ev, void *arg, synack_time_t now)
{
    struct bulk_side *s = arg;
    if (!s->closed && sock == s->sock)
        side_pump(s, now);
}

struct accept_ctx {
    struct bulk_side *side;
    int lsock;
};

static void accept_handler(synack_stack_t *st, int sock, unsigned ev, void *arg, synack_time_t now)
{
    struct accept_ctx *a = arg;
    if (a->side->sock >= 0)
        return;
    int ns = synack_accept(st, sock, NULL, now);
    if (ns < 0)
        return;
    a->side->sock = ns;
    synack_socket_set_handler(st, ns, side_handler, a->side);
    side_pump(a->side, now);
}

struct state_watch {
    int last[2];
};
static void watch_trace(void *ctx, const struct synack_trace_event *ev)
{
    int *last = ctx;
    if (getenv("TCPSIM_TRACE")) {
        char line[300];
        if (ev->kind == SYNACK_TR_FRAME_OUT || ev->kind == SYNACK_TR_FRAME_IN) {
            synack_format_frame(line, sizeof(line), ev->link_kind, ev->data, ev->len);
            printf("%10.6f %c %s %s\n", (double)ev->now / 1e6, ev->kind == SYNACK_TR_FRAME_IN ? '<' : '>',
                   ev->ifindex == 0 && synack_ip_to_v4(&ev->local.addr) == 0 ? (last == ctx ? "" : "") : "", line);
        } else if (ev->kind == SYNACK_TR_TCP_STATE) {
            printf("%10.6f   state %s -> %s (%s)\n", (double)ev->now / 1e6, synack_tcp_state_name(ev->from_state),
                   synack_tcp_state_name(ev->to_state), ev->cause);
        } else if (ev->kind == SYNACK_TR_DROP) {
            printf("%10.6f   drop %s\n", (double)ev->now / 1e6, synack_counter_name(ev->counter));
        }
    }
    if (ev->kind == SYNACK_TR_TCP_STATE && ev->remote.port != 0 && ev->local.port != 0)
        *last = ev->to_state;
}

void tcpsim_bulk(struct tcpsim *t, uint64_t a_to_b, uint64_t b_to_a, synack_time_t limit, struct bulk_result *r)
{
    memset(r, 0, sizeof(*r));
    struct bulk_side a = { .t = t, .st = t->st[0], .sock = -1 }, b = { .t = t, .st = t->st[1], .sock = -1 };
    stream_init(&a.out, a_to_b, 0x1111);
    stream_init(&b.expect, a_to_b, 0x1111);
    stream_init(&b.out, b_to_a, 0x2222);
    stream_init(&a.expect, b_to_a, 0x2222);
    int last_a = -1, last_b = -1;
    synack_stack_set_trace(t->st[0], watch_trace, &last_a);
    synack_stack_set_trace(t->st[1], watch_trace, &last_b);
    synack_time_t start = tcpsim_now(t);
    int l = synack_socket(t->st[1], SYNACK_SOCK_STREAM);
    struct synack_sockaddr la = { synack_ip_any6(), 5001 };
    synack_bind(t->st[1], l, &la);
    synack_listen(t->st[1], l, 16);
    struct accept_ctx actx = { &b, l };
    synack_socket_set_handler(t->st[1], l, accept_handler, &actx);
    a.sock = synack_socket(t->st[0], SYNACK_SOCK_STREAM);
    synack_socket_set_handler(t->st[0], a.sock, side_handler, &a);
    struct synack_sockaddr peer = synack_sockaddr_from_v4(SIM_B, 5001);
    synack_connect(t->st[0], a.sock, &peer, start);
    while (tcpsim_now(t) < start + limit && !(a.closed && b.closed)) {
        if (!synack_simnet_step(t->net, start + limit))
            break;
    }
    r->elapsed = tcpsim_now(t) - start;
    /* Let TIME-WAIT and retransmissions of the last FIN/ACK play out. */
    synack_simnet_run_until(t->net, tcpsim_now(t) + SYNACK_SEC(5));
    synack_close(t->st[1], l, tcpsim_now(t));
    r->a_rcvd = a.rcvd;
    r->b_rcvd = b.rcvd;
    r->a_err = a.err;
    r->b_err = b.err;
    r->a_state_end = last_a;
    r->b_state_end = last_b;
    r->ok = a.closed && b.closed && !a.mismatch && !b.mismatch && a.rcvd == b_to_a && b.rcvd == a_to_b;
    synack_stack_set_trace(t->st[0], NULL, NULL);
    synack_stack_set_trace(t->st[1], NULL, NULL);
}
