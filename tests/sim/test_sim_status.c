/* The status page's data: a connection between two stacks over the simulated link, recorded by the
 * status trace consumer on the server's stack, then rendered as JSON and HTML. Checks that the
 * sockets, counters and the recent connection's ladder are there and true to what happened. Over
 * IPv6 the page writes ends as Linux's ss does (tools/ssaddr.c, test_sim_ss checks ss's listing):
 * "[2001:db8::2]:80", a dual-stack listener "*:80", one with IPV6_V6ONLY "[::]:81", an IPv4
 * listener "0.0.0.0:82", each listener's peer in its own family ("*:*", "[::]:*", "0.0.0.0:*"). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/ladder.c"
#include "../../tools/status.c"
#include "../../tools/ssaddr.c"
#include "sim/lib_tcpsim.h"

static void on_trace(void *ctx, const struct synack_trace_event *ev) { status_on_trace(ctx, ev); }

static void server_reads(synack_stack_t *st, int sock, unsigned ev, void *arg, synack_time_t now)
{
    char buf[4096];
    int *done = arg;
    int n;
    while ((n = synack_recv(st, sock, buf, sizeof(buf), 0)) > 0)
        ;
    if (n == 0 && !*done) {
        synack_close(st, sock, 0);
        *done = 1;
    }
}

static void accept_one(synack_stack_t *st, int sock, unsigned ev, void *arg, synack_time_t now)
{
    int s = synack_accept(st, sock, NULL, 0);
    if (s >= 0)
        synack_socket_set_handler(st, s, server_reads, arg);
}

static void extra(void *arg, FILE *f, int json) { fputs(json ? "{\"demo\":1}" : "<p id=\"extra\">extra</p>", f); }

static void status_records_and_renders(void **state)
{
    struct tcpsim t;
    tcpsim_init(&t, NULL, 3);
    struct status *s = status_new(t.st[1], 4);
    status_set_extra(s, extra, NULL);
    synack_stack_set_trace(t.st[1], on_trace, s);
    int done = 0;
    int l = synack_socket(t.st[1], SYNACK_SOCK_STREAM);
    struct synack_sockaddr la = { synack_ip_any6(), 80 };
    synack_bind(t.st[1], l, &la);
    synack_listen(t.st[1], l, 4);
    synack_socket_set_handler(t.st[1], l, accept_one, &done);
    int c = synack_socket(t.st[0], SYNACK_SOCK_STREAM);
    struct synack_sockaddr peer = synack_sockaddr_from_v4(SIM_B, 80);
    synack_time_t now = tcpsim_now(&t);
    synack_connect(t.st[0], c, &peer, now);
    synack_simnet_run_until(t.net, now + SYNACK_MS(50));
    char data[5000];
    memset(data, 'x', sizeof(data));
    assert_int_equal(synack_send(t.st[0], c, data, sizeof(data), tcpsim_now(&t)), (int)sizeof(data));
    synack_shutdown(t.st[0], c, SYNACK_SHUT_WR, tcpsim_now(&t));
    synack_simnet_run_until(t.net, tcpsim_now(&t) + SYNACK_SEC(1));
    assert_true(done);

    size_t len;
    const char *ctype;
    char *j = status_render(s, "/status.json", &len, &ctype, tcpsim_now(&t));
    assert_non_null(j);
    assert_string_equal(ctype, "application/json");
    assert_int_equal(strlen(j), len);
    /* The listener, the finished connection (the server closed second: LAST-ACK -> CLOSED), the
     * counters and the app's section. */
    assert_non_null(strstr(j, "\"state\":\"LISTEN\",\"local\":\"*:80\""));
    assert_non_null(strstr(j, "\"remote\":\"192.0.2.1:"));
    assert_non_null(strstr(j, "\"state\":\"CLOSED\""));
    assert_non_null(strstr(j, "\"TcpPassiveOpens\":1"));
    assert_non_null(strstr(j, "\"app\":{\"demo\":1}"));
    /* handshake 3 + data 4 segments (MSS 1460) + their ACKs + FIN/ACK both ways: well over 10 */
    const char *segs = strstr(j, "\"segments\":");
    assert_non_null(segs);
    assert_true(atoi(segs + 11) >= 10);
    free(j);

    char *h = status_render(s, "/status", &len, &ctype, tcpsim_now(&t));
    assert_non_null(h);
    assert_non_null(strstr(ctype, "text/html"));
    assert_non_null(strstr(h, "http-equiv=\"refresh\""));
    assert_non_null(strstr(h, "<svg"));
    assert_non_null(strstr(h, "SYN-RECEIVED"));   /* the ladder shows the server's states */
    assert_non_null(strstr(h, "<span id=\"synrecv\">0</span>"));
    assert_non_null(strstr(h, "id=\"extra\""));
    free(h);
    assert_null(status_render(s, "/other", &len, &ctype, 0));

    synack_stack_set_trace(t.st[1], NULL, NULL);
    status_free(s);
    tcpsim_free(&t);
}

static void status_and_ss_ipv6(void **state)
{
    struct tcpsim t;
    tcpsim_init(&t, NULL, 5);
    assert_int_equal(tcpsim_ip6(&t), 0);
    struct status *s = status_new(t.st[1], 4);
    synack_stack_set_trace(t.st[1], on_trace, s);
    int done = 0;
    assert_true(tcpsim_listeners_connect6(&t, accept_one, &done) >= 0);

    size_t len;
    const char *ctype;
    char *j = status_render(s, "/status.json", &len, &ctype, tcpsim_now(&t));
    assert_non_null(j);
    const char *want[] = {
        "\"state\":\"LISTEN\",\"local\":\"*:80\",\"remote\":\"*:*\"",
        "\"state\":\"LISTEN\",\"local\":\"[::]:81\",\"remote\":\"[::]:*\"",
        "\"state\":\"LISTEN\",\"local\":\"0.0.0.0:82\",\"remote\":\"0.0.0.0:*\"",
        "\"state\":\"ESTABLISHED\",\"local\":\"[2001:db8::2]:80\",\"remote\":\"[2001:db8::1]:",
        "\"recent\":[{\"local\":\"[2001:db8::2]:80\",\"remote\":\"[2001:db8::1]:",
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        if (!strstr(j, want[i]))
            fail_msg("no %s in %s", want[i], j);
    free(j);
    char *h = status_render(s, "/status", &len, &ctype, tcpsim_now(&t));
    assert_non_null(strstr(h, "<td>[2001:db8::2]:80</td>"));
    assert_non_null(strstr(h, "[2001:db8::1]:"));   /* the ladder's left end */
    free(h);

    synack_stack_set_trace(t.st[1], NULL, NULL);
    status_free(s);
    tcpsim_free(&t);
}

/* ---- the recorder's lookup against the linear search it replaced ----
 * The reference: the newest record of a 4-tuple found by looking at every slot, every segment
 * parsed before anything is decided. Fed the same random stream of events (more 4-tuples than
 * records, SYNs reusing a 4-tuple, rows past the limit, state changes, headers with a bad data
 * offset), both must end with the same records, slot for slot. */
struct ref_status {
    struct status_conn conns[4];
    uint64_t serial;
};

static struct status_conn *ref_find(struct ref_status *s, const struct synack_sockaddr *l,
                                    const struct synack_sockaddr *r)
{
    struct status_conn *best = NULL;
    for (unsigned i = 0; i < 4; i++) {
        struct status_conn *c = &s->conns[i];
        if (c->used && same(&c->local, l) && same(&c->remote, r) && (!best || c->serial > best->serial))
            best = c;
    }
    return best;
}

static void ref_on_trace(struct ref_status *s, const struct synack_trace_event *ev)
{
    if (ev->kind == SYNACK_TR_TCP_SEG_IN || ev->kind == SYNACK_TR_TCP_SEG_OUT) {
        struct synack_tcp_fields f;
        if (synack_tcp_fields(ev->data, ev->len, &f) != 0)
            return;
        struct status_conn *c = ref_find(s, &ev->local, &ev->remote);
        int syn_opens = (f.flags & 0x02) && !(f.flags & 0x10);
        if (syn_opens && c && c->nseg && !((c->seg[0].f.flags & 0x02) && c->seg[0].f.seq == f.seq))
            c = NULL;
        if (!c) {
            if (!syn_opens && !(f.flags & 0x02))
                return;
            struct status_conn *slot = &s->conns[0];
            for (unsigned i = 0; i < 4; i++) {
                if (!s->conns[i].used) {
                    slot = &s->conns[i];
                    break;
                }
                if (s->conns[i].serial < slot->serial)
                    slot = &s->conns[i];
            }
            memset(slot, 0, sizeof(*slot));
            slot->used = 1;
            slot->serial = ++s->serial;
            slot->local = ev->local;
            slot->remote = ev->remote;
            slot->state = -1;
            c = slot;
        }
        if (c->nseg == STATUS_MAX_ROWS) {
            c->dropped++;
            return;
        }
        struct status_seg *g = &c->seg[c->nseg++];
        g->t = ev->now;
        g->dir = ev->kind == SYNACK_TR_TCP_SEG_OUT ? 0 : 1;
        g->f = f;
        g->state = -1;
    } else if (ev->kind == SYNACK_TR_TCP_STATE && ev->remote.port) {
        struct status_conn *c = ref_find(s, &ev->local, &ev->remote);
        if (!c)
            return;
        c->state = ev->to_state;
        if (c->nseg)
            c->seg[c->nseg - 1].state = ev->to_state;
    }
}

static void recorder_matches_linear_search(void **state)
{
    struct status *s = status_new(NULL, 4);
    assert_non_null(s);
    static struct ref_status ref;
    memset(&ref, 0, sizeof(ref));
    struct synack_ip v6;
    assert_int_equal(synack_ip_parse("2001:db8::7", &v6), 0);
    /* ten 4-tuples, some differing only in the local end */
    struct synack_sockaddr loc[10], rem[10];
    for (int i = 0; i < 10; i++) {
        loc[i] = synack_sockaddr_from_v4(i == 9 ? SIM_A : SIM_B, (uint16_t)(i == 8 ? 81 : 80));
        rem[i] = synack_sockaddr_from_v4(SIM_A, (uint16_t)(40000 + i % 7));
        if (i == 6) {
            loc[i].addr = v6;
            rem[i].addr = v6;
        }
    }
    static const uint8_t flags[] = { 0x10, 0x18, 0x11, 0x04, 0x10, 0x10 };
    uint64_t x = 12345;
    uint32_t segs = 0, recorded_total = 0, full = 0;
    for (int n = 0; n < 200000; n++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        unsigned r = (unsigned)(x >> 33);
        int k = (int)(r % 10);
        uint8_t hdr[40];
        memset(hdr, 0, sizeof(hdr));
        hdr[12] = (uint8_t)((r >> 8) % 97 == 0 ? 0x30 : (r >> 8) % 89 == 0 ? 0xf0 : 0x50);
        /* SYNs rare enough that records fill up to the row limit */
        unsigned pick = (r >> 4) % 80;
        hdr[13] = pick == 0 ? 0x02 : pick == 1 ? 0x12 : flags[pick % sizeof(flags)];
        uint32_t seq = (r >> 12) % 3;   /* a SYN again with the same ISN is a retransmission */
        hdr[4] = (uint8_t)seq;
        struct synack_trace_event ev;
        memset(&ev, 0, sizeof(ev));
        ev.now = (synack_time_t)n;
        ev.local = loc[k];
        ev.remote = rem[k];
        ev.data = hdr;
        ev.len = (r >> 20) % 50 == 0 ? 12 : 20 + ((r >> 16) & 1) * 20;
        unsigned kind = (r >> 24) % 5;
        ev.kind = kind < 2 ? SYNACK_TR_TCP_SEG_IN : kind < 4 ? SYNACK_TR_TCP_SEG_OUT : SYNACK_TR_TCP_STATE;
        ev.to_state = (int)((r >> 6) % 11);
        status_on_trace(s, &ev);
        ref_on_trace(&ref, &ev);
        segs += ev.kind != SYNACK_TR_TCP_STATE;
        for (int i = 0; i < 4; i++)
            full += ref.conns[i].nseg == STATUS_MAX_ROWS && ref.conns[i].dropped == 1;
    }
    for (int i = 0; i < 4; i++) {
        const struct status_conn *a = &s->conns[i], *b = &ref.conns[i];
        assert_int_equal(a->used, b->used);
        assert_int_equal(a->serial, b->serial);
        assert_true(same(&a->local, &b->local) && same(&a->remote, &b->remote));
        assert_int_equal(a->state, b->state);
        assert_int_equal(a->nseg, b->nseg);
        assert_int_equal(a->dropped, b->dropped);
        for (unsigned k = 0; k < a->nseg; k++) {
            assert_int_equal(a->seg[k].t, b->seg[k].t);
            assert_int_equal(a->seg[k].dir, b->seg[k].dir);
            assert_int_equal(a->seg[k].state, b->seg[k].state);
            assert_int_equal(a->seg[k].f.flags, b->seg[k].f.flags);
            assert_int_equal(a->seg[k].f.seq, b->seg[k].f.seq);
        }
        recorded_total += a->nseg + a->dropped;
    }
    /* the stream did reuse every slot many times, and fill some to the limit */
    assert_true(s->serial > 1000);
    assert_true(recorded_total > 0 && recorded_total < segs);
    assert_true(full > 100);
    status_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = { cmocka_unit_test(status_records_and_renders),
                                        cmocka_unit_test(status_and_ss_ipv6),
                                        cmocka_unit_test(recorder_matches_linear_search) };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
