/* Sim tier: a simulated run is a pure function of its seed (docs/ARCHITECTURE.md, "Time").
 *
 * One scenario: two stacks over a simulated Ethernet link with loss, duplication, jitter and
 * reordering; stack 0 pings stack 1, sends datagrams to a UDP echo service on it, and opens a TCP
 * connection over which both sides send a generated stream, shut down, read to the end and close
 * (TIME-WAIT runs out too). The application is driven by polling at each millisecond of virtual
 * time. EVERY trace event of both stacks is recorded with all its fields and the bytes it points
 * to, serialized.
 *
 * Checked:
 *  - the scenario did its work (data arrived whole both ways, both ends reached CLOSED, echo and
 *    UDP replies came back, the link lost and reordered frames), so the recording is not trivial;
 *  - the same seed run twice gives identical recordings, event by event (a failure prints the
 *    index and both events);
 *  - another seed gives a different recording (so the comparison can fail);
 *  - two scenarios alive at once and stepped in turn record exactly what each records alone (no
 *    state shared between stacks, links or networks). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/simpair.h"
#include "synack/format.h"

#define SEED_A 11
#define SEED_B 12
#define TCP_PORT 80
#define UDP_PORT 7
#define A_TO_B 120000u       /* bytes stack 0 sends over TCP */
#define B_TO_A 70000u
#define PINGS 5
#define DATAGRAMS 12
#define LIMIT SYNACK_SEC(120)   /* virtual time after which the scenario is given up */
#define TICK SYNACK_MS(1)

/* ---------------- the recording ---------------- */

struct recording {
    uint8_t *buf;            /* the serialized events, back to back */
    size_t n, cap;
    size_t *off;             /* where event i starts */
    size_t nev, capev;
    size_t kinds[8];         /* events per kind */
    size_t closed;           /* TCP_STATE events into CLOSED */
};

static void rec_put(struct recording *r, const void *p, size_t len)
{
    if (r->n + len > r->cap) {
        size_t cap = r->cap ? r->cap : 1u << 16;
        while (cap < r->n + len)
            cap *= 2;
        r->buf = realloc(r->buf, cap);
        if (!r->buf)
            abort();
        r->cap = cap;
    }
    memcpy(r->buf + r->n, p, len);
    r->n += len;
}

#define REC_VAL(r, v)                                                                                              \
    do {                                                                                                           \
        __typeof__(v) tmp_ = (v);                                                                                  \
        rec_put((r), &tmp_, sizeof(tmp_));                                                                         \
    } while (0)

/* Fixed part of a serialized event, in this order; then `len` data bytes (if has_data) and
 * cause_len cause bytes. Fields are copied one by one, so no padding byte enters the recording.
 * Addresses are copied as their bytes, whatever their type. */
static void rec_event(void *ctx, const struct synack_trace_event *e)
{
    struct recording *r = ctx;
    if (r->nev == r->capev) {
        r->capev = r->capev ? r->capev * 2 : 1024;
        r->off = realloc(r->off, r->capev * sizeof(*r->off));
        if (!r->off)
            abort();
    }
    r->off[r->nev++] = r->n;
    if ((unsigned)e->kind < 8)
        r->kinds[e->kind]++;
    if (e->kind == SYNACK_TR_TCP_STATE && e->to_state == SYNACK_TCP_CLOSED)
        r->closed++;
    REC_VAL(r, (int32_t)e->kind);
    REC_VAL(r, (uint64_t)e->now);
    REC_VAL(r, (int32_t)e->ifindex);
    REC_VAL(r, (int32_t)e->link_kind);
    REC_VAL(r, (uint64_t)e->len);
    REC_VAL(r, (uint8_t)(e->data != NULL));
    REC_VAL(r, (int32_t)e->counter);
    rec_put(r, &e->local.addr, sizeof(e->local.addr));
    REC_VAL(r, (uint16_t)e->local.port);
    rec_put(r, &e->remote.addr, sizeof(e->remote.addr));
    REC_VAL(r, (uint16_t)e->remote.port);
    REC_VAL(r, (uint32_t)e->conn_id);
    REC_VAL(r, (int32_t)e->from_state);
    REC_VAL(r, (int32_t)e->to_state);
    REC_VAL(r, (uint16_t)e->echo_id);
    REC_VAL(r, (uint16_t)e->echo_seq);
    uint32_t cause_len = e->cause ? (uint32_t)strlen(e->cause) : UINT32_MAX;
    REC_VAL(r, cause_len);
    if (e->data)
        rec_put(r, e->data, e->len);
    if (e->cause)
        rec_put(r, e->cause, cause_len);
}

static void rec_free(struct recording *r)
{
    free(r->buf);
    free(r->off);
    memset(r, 0, sizeof(*r));
}

static size_t ev_len(const struct recording *r, size_t i) { return (i + 1 < r->nev ? r->off[i + 1] : r->n) - r->off[i]; }

/* Prints event i of r, decoded from its serialized bytes (the same order as rec_event). */
static void ev_print(const char *who, const struct recording *r, size_t i)
{
    const uint8_t *p = r->buf + r->off[i];
    int32_t kind, ifindex, link_kind, counter, from, to;
    uint64_t now, len;
    uint8_t has_data;
    uint32_t conn_id, cause_len;
    uint16_t lport, rport, echo_id, echo_seq;
#define ADDR_SIZE sizeof(((const struct synack_trace_event *)NULL)->local.addr)
#define GET(v)                                                                                                     \
    do {                                                                                                           \
        memcpy(&(v), p, sizeof(v));                                                                                \
        p += sizeof(v);                                                                                            \
    } while (0)
    GET(kind);
    GET(now);
    GET(ifindex);
    GET(link_kind);
    GET(len);
    GET(has_data);
    GET(counter);
    p += ADDR_SIZE;
    GET(lport);
    p += ADDR_SIZE;
    GET(rport);
    GET(conn_id);
    GET(from);
    GET(to);
    GET(echo_id);
    GET(echo_seq);
    GET(cause_len);
#undef GET
#undef ADDR_SIZE
    char line[256] = "";
    if (has_data && (kind == SYNACK_TR_FRAME_IN || kind == SYNACK_TR_FRAME_OUT || kind == SYNACK_TR_DROP))
        synack_format_frame(line, sizeof(line), link_kind, p, (size_t)len);
    fprintf(stderr,
            "  %s event %zu: kind %d t=%llu if %d link %d len %llu counter %d ports %u/%u conn %u states %d->%d "
            "echo %u/%u cause %.*s\n    %s\n",
            who, i, (int)kind, (unsigned long long)now, (int)ifindex, (int)link_kind, (unsigned long long)len,
            (int)counter, lport, rport, conn_id, (int)from, (int)to, echo_id, echo_seq,
            cause_len == UINT32_MAX ? 6 : (int)cause_len,
            cause_len == UINT32_MAX ? "(none)" : (const char *)p + (has_data ? len : 0), line);
}

/* Returns the index of the first event that differs, or -1 if the recordings are identical. */
static long rec_first_diff(const struct recording *a, const struct recording *b)
{
    size_t n = a->nev < b->nev ? a->nev : b->nev;
    for (size_t i = 0; i < n; i++) {
        size_t la = ev_len(a, i), lb = ev_len(b, i);
        if (la != lb || memcmp(a->buf + a->off[i], b->buf + b->off[i], la) != 0)
            return (long)i;
    }
    return a->nev == b->nev ? -1 : (long)n;
}

/* Fails the test with both events printed if the recordings differ. */
static void assert_same(const char *what, const struct recording *a, const struct recording *b)
{
    long i = rec_first_diff(a, b);
    if (i < 0)
        return;
    fprintf(stderr, "%s: recordings differ at event %ld (of %zu and %zu events)\n", what, i, a->nev, b->nev);
    if ((size_t)i < a->nev)
        ev_print("first ", a, (size_t)i);
    else
        fprintf(stderr, "  first : no event %ld\n", i);
    if ((size_t)i < b->nev)
        ev_print("second", b, (size_t)i);
    else
        fprintf(stderr, "  second: no event %ld\n", i);
    fail_msg("%s: recordings differ at event %ld", what, i);
}

/* ---------------- the scenario ---------------- */

static struct synack_sockaddr mkaddr(uint32_t ip, uint16_t port)
{
    struct synack_sockaddr a;
    memset(&a, 0, sizeof(a));
    a.addr = synack_ip_from_v4(ip);
    a.port = port;
    return a;
}

#define IP_A 0x0a000001u
#define IP_B 0x0a000002u

/* Byte i of side s's TCP stream: a function of (seed, side, i). */
static uint8_t gen_byte(uint64_t seed, int side, uint64_t i)
{
    uint64_t x = (i >> 3) * 0x9e3779b97f4a7c15ull ^ (seed * 2 + (uint64_t)side + 1) * 0xbf58476d1ce4e5b9ull;
    x ^= x >> 31;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 29;
    return (uint8_t)(x >> (8 * (i & 7)));
}

struct tcp_end {
    int sock;
    uint64_t sent, total, rcvd, expect;
    int bad, eof, shut, closed, err;
};

struct scenario {
    uint64_t seed;
    struct simpair p;
    struct recording rec[2];
    synack_time_t t0, done_at;
    unsigned tick;
    int listener, udp_srv, udp_cli;
    unsigned pings_sent, datagrams_sent, udp_replies, connected;
    struct tcp_end end[2];
    int finished;
};

static void scen_init(struct scenario *s, uint64_t seed)
{
    memset(s, 0, sizeof(*s));
    s->seed = seed;
    struct synack_simlink_config lc;
    synack_simlink_config_init(&lc);
    lc.latency = SYNACK_MS(2);
    lc.jitter = SYNACK_US(300);
    lc.bandwidth_bps = 100000000ull;
    lc.loss = 0.03;
    lc.duplicate = 0.01;
    lc.reorder = 0.05;
    lc.reorder_delay = SYNACK_MS(3);
    lc.seed = seed;
    struct synack_config sc;
    synack_config_init(&sc);
    sc.tcp_msl = SYNACK_SEC(1);   /* TIME-WAIT ends within the run */
    assert_int_equal(sp_init(&s->p, &lc, &sc, seed * 2, 0), 0);
    for (int i = 0; i < 2; i++)
        synack_stack_set_trace(s->p.st[i], rec_event, &s->rec[i]);
    s->t0 = sp_now(&s->p);
    synack_stack_t *b = s->p.st[1];
    s->listener = synack_socket(b, SYNACK_SOCK_STREAM);
    struct synack_sockaddr any80 = mkaddr(0, TCP_PORT), any7 = mkaddr(0, UDP_PORT);
    assert_int_equal(synack_bind(b, s->listener, &any80), 0);
    assert_int_equal(synack_listen(b, s->listener, 4), 0);
    s->udp_srv = synack_socket(b, SYNACK_SOCK_DGRAM);
    assert_int_equal(synack_bind(b, s->udp_srv, &any7), 0);
    s->udp_cli = synack_socket(s->p.st[0], SYNACK_SOCK_DGRAM);
    assert_true(s->udp_cli >= 0);
    s->end[0].sock = s->end[1].sock = -1;
    s->end[0].total = A_TO_B;
    s->end[1].total = B_TO_A;
    s->end[0].expect = B_TO_A;
    s->end[1].expect = A_TO_B;
}

static void scen_free(struct scenario *s)
{
    for (int i = 0; i < 2; i++)
        rec_free(&s->rec[i]);
    sp_free(&s->p);
}

/* One end of the TCP connection: read what is there (checked against the generator), send what
 * fits, shut down when all is sent, close at the end of the peer's stream. */
static void tcp_pump(struct scenario *s, int side, synack_time_t now)
{
    struct tcp_end *e = &s->end[side];
    synack_stack_t *st = s->p.st[side];
    if (e->sock < 0 || e->closed)
        return;
    uint8_t buf[8192];
    for (;;) {
        int n = synack_recv(st, e->sock, buf, sizeof(buf), now);
        if (n > 0) {
            for (int i = 0; i < n; i++)
                if (buf[i] != gen_byte(s->seed, !side, e->rcvd + (uint64_t)i))
                    e->bad = 1;
            e->rcvd += (uint64_t)n;
            continue;
        }
        if (n == 0)
            e->eof = 1;
        else if (n != -EAGAIN && n != -ENOTCONN && !e->err)
            e->err = n;
        break;
    }
    while (e->sent < e->total) {
        size_t chunk = e->total - e->sent < sizeof(buf) ? (size_t)(e->total - e->sent) : sizeof(buf);
        for (size_t i = 0; i < chunk; i++)
            buf[i] = gen_byte(s->seed, side, e->sent + i);
        int n = synack_send(st, e->sock, buf, chunk, now);
        if (n <= 0) {
            if (n != -EAGAIN && !e->err)
                e->err = n;
            break;
        }
        e->sent += (uint64_t)n;
    }
    if (e->sent == e->total && !e->shut && synack_shutdown(st, e->sock, SYNACK_SHUT_WR, now) == 0)
        e->shut = 1;
    if (e->eof && e->shut) {
        synack_close(st, e->sock, now);
        e->closed = 1;
    }
}

/* Advances the scenario by one tick of virtual time and runs the application; returns 1 once it
 * is over (everything done and quiet for a while, or the time limit). */
static int scen_step(struct scenario *s)
{
    if (s->finished)
        return 1;
    sp_run(&s->p, TICK);
    s->tick++;
    synack_time_t now = sp_now(&s->p);
    synack_stack_t *a = s->p.st[0], *b = s->p.st[1];
    uint8_t buf[512];

    if (s->tick % 100 == 0 && s->pings_sent < PINGS) {
        for (size_t i = 0; i < 56; i++)
            buf[i] = (uint8_t)(s->pings_sent * 17u + i);
        struct synack_ip ping_dst = synack_ip_from_v4(IP_B);
        synack_ping(a, &ping_dst, 0x4242, (uint16_t)s->pings_sent, buf, 56, now);
        s->pings_sent++;
    }
    if (s->tick >= 20 && s->tick % 15 == 0 && s->datagrams_sent < DATAGRAMS) {
        size_t len = 10 + (s->datagrams_sent * 29u) % 300u;
        memset(buf, (int)(s->datagrams_sent + 1), len);
        struct synack_sockaddr dst = mkaddr(IP_B, UDP_PORT);
        synack_sendto(a, s->udp_cli, buf, len, &dst, now);
        s->datagrams_sent++;
    }
    struct synack_sockaddr from;
    int n;
    while ((n = synack_recvfrom(b, s->udp_srv, buf, sizeof(buf), &from, now)) >= 0)
        synack_sendto(b, s->udp_srv, buf, (size_t)n, &from, now);
    while (synack_recvfrom(a, s->udp_cli, buf, sizeof(buf), &from, now) >= 0)
        s->udp_replies++;

    if (s->tick == 10) {
        s->end[0].sock = synack_socket(a, SYNACK_SOCK_STREAM);
        struct synack_sockaddr dst = mkaddr(IP_B, TCP_PORT);
        assert_int_equal(synack_connect(a, s->end[0].sock, &dst, now), -EINPROGRESS);
    }
    if (s->end[1].sock < 0) {
        int c = synack_accept(b, s->listener, NULL, now);
        if (c >= 0)
            s->end[1].sock = c;
    }
    tcp_pump(s, 0, now);
    tcp_pump(s, 1, now);

    int app_done = s->end[0].closed && s->end[1].closed && s->pings_sent == PINGS &&
                   s->datagrams_sent == DATAGRAMS;
    if (app_done && !s->done_at)
        s->done_at = now;
    /* After the application is done: 10 s for retransmissions and TIME-WAIT (2 * 1 s) to end. */
    if ((s->done_at && now >= s->done_at + SYNACK_SEC(10)) || now - s->t0 >= LIMIT)
        s->finished = 1;
    return s->finished;
}

static void scen_run(struct scenario *s, uint64_t seed)
{
    scen_init(s, seed);
    while (!scen_step(s))
        ;
}

/* The scenario did what it should, so that its recording is worth comparing. */
static void assert_scenario_worked(const struct scenario *s)
{
    for (int side = 0; side < 2; side++) {
        const struct tcp_end *e = &s->end[side];
        assert_int_equal(e->bad, 0);
        assert_int_equal(e->err, 0);
        assert_true(e->rcvd == e->expect);
        assert_true(e->closed);
        assert_true(s->rec[side].closed > 0);
    }
    assert_true(s->udp_replies > 0);
    assert_true(s->rec[0].kinds[SYNACK_TR_ICMP_ECHO_REPLY] > 0);
    for (int side = 0; side < 2; side++) {
        const struct recording *r = &s->rec[side];
        assert_true(r->kinds[SYNACK_TR_FRAME_IN] > 0);
        assert_true(r->kinds[SYNACK_TR_FRAME_OUT] > 0);
        assert_true(r->kinds[SYNACK_TR_TCP_SEG_IN] > 0);
        assert_true(r->kinds[SYNACK_TR_TCP_SEG_OUT] > 0);
        assert_true(r->kinds[SYNACK_TR_TCP_STATE] > 0);
    }
    struct synack_simlink_stats st0, st1;
    synack_simlink_stats(s->p.link, 0, &st0);
    synack_simlink_stats(s->p.link, 1, &st1);
    assert_true(st0.lost + st1.lost > 0);
    assert_true(st0.reordered + st1.reordered > 0);
}

/* ---------------- tests ---------------- */

static void test_same_seed_same_recording(void **state)
{
    (void)state;
    struct scenario *x = calloc(2, sizeof(*x));
    assert_non_null(x);
    scen_run(&x[0], SEED_A);
    assert_scenario_worked(&x[0]);
    scen_run(&x[1], SEED_A);
    assert_scenario_worked(&x[1]);
    assert_same("stack 0, same seed", &x[0].rec[0], &x[1].rec[0]);
    assert_same("stack 1, same seed", &x[0].rec[1], &x[1].rec[1]);
    scen_free(&x[0]);
    scen_free(&x[1]);
    free(x);
}

static void test_other_seed_other_recording(void **state)
{
    (void)state;
    struct scenario *x = calloc(2, sizeof(*x));
    assert_non_null(x);
    scen_run(&x[0], SEED_A);
    scen_run(&x[1], SEED_B);
    assert_scenario_worked(&x[1]);
    assert_true(rec_first_diff(&x[0].rec[0], &x[1].rec[0]) >= 0);
    assert_true(rec_first_diff(&x[0].rec[1], &x[1].rec[1]) >= 0);
    scen_free(&x[0]);
    scen_free(&x[1]);
    free(x);
}

/* Two scenarios alive at once, stepped in turn, record what each records alone. */
static void test_interleaved_same_as_alone(void **state)
{
    (void)state;
    struct scenario *x = calloc(4, sizeof(*x));
    assert_non_null(x);
    scen_run(&x[0], SEED_A);
    scen_run(&x[1], SEED_B);
    scen_init(&x[2], SEED_A);
    scen_init(&x[3], SEED_B);
    int done2 = 0, done3 = 0;
    while (!done2 || !done3) {
        done3 = scen_step(&x[3]);
        done2 = scen_step(&x[2]);
    }
    assert_same("stack 0, seed A, interleaved", &x[0].rec[0], &x[2].rec[0]);
    assert_same("stack 1, seed A, interleaved", &x[0].rec[1], &x[2].rec[1]);
    assert_same("stack 0, seed B, interleaved", &x[1].rec[0], &x[3].rec[0]);
    assert_same("stack 1, seed B, interleaved", &x[1].rec[1], &x[3].rec[1]);
    for (int i = 0; i < 4; i++)
        scen_free(&x[i]);
    free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_seed_same_recording),
        cmocka_unit_test(test_other_seed_other_recording),
        cmocka_unit_test(test_interleaved_same_as_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
