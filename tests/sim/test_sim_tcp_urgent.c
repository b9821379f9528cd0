/* Sim tier: urgent data between two stacks (RFC 9293 3.8.5). A sends 100 ordinary octets, then 6000
 * with SYNACK_MSG_OOB; every segment A sends before the urgent pointer carries URG and a pointer
 * naming the octet after the urgent data (MUST-62), each no larger than one MSS even on a link with
 * segmentation offload (whose pieces would all repeat the frame's one pointer). B's handler sees
 * SYNACK_EV_PRI, and synack_tcp_urgent counts down to the mark as B reads the inline data; what A
 * sends after the pointer carries no URG. The calls' errors too. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "sim/lib_tcpsim.h"
#include "wire/bytes.h"
#include "wire/tcp.h"

#define PORT 9000
#define PLAIN 100
#define URGENT 6000

struct urg_lab {
    synack_stack_t *b;
    int b_sock;
    /* A's segments, from its trace */
    uint32_t iss;
    unsigned urg_segs, urg_bad_ptr, urg_too_big, urg_after;
    uint32_t mss;
    int after_mode;          /* set once A's urgent data is all acknowledged */
    /* B's handler */
    unsigned pri_calls;
    int first_urgent;        /* synack_tcp_urgent at the first call with SYNACK_EV_PRI */
};

static void a_trace(void *ctx, const struct synack_trace_event *ev)
{
    struct urg_lab *u = ctx;
    if (ev->kind != SYNACK_TR_TCP_SEG_OUT || ev->len < 20)
        return;
    const uint8_t *h = ev->data;
    uint8_t flags = h[13];
    uint32_t seq = wire_get32(h + 4);
    size_t payload = ev->len - (size_t)(h[12] >> 4) * 4u;
    uint16_t urg = wire_get16(h + 18);
    if (flags & TCP_SYN)
        u->iss = seq;
    if (!(flags & TCP_URG))
        return;
    u->urg_segs++;
    if (u->after_mode)
        u->urg_after++;
    if (seq + urg != u->iss + 1 + PLAIN + URGENT)
        u->urg_bad_ptr++;
    if (payload > u->mss)
        u->urg_too_big++;
}

static void b_conn(synack_stack_t *st, int sock, unsigned events, void *arg, synack_time_t now)
{
    (void)now;
    struct urg_lab *u = arg;
    if (!(events & SYNACK_EV_PRI))
        return;
    if (!u->pri_calls++)
        u->first_urgent = synack_tcp_urgent(st, sock);
}

static void b_listener(synack_stack_t *st, int sock, unsigned events, void *arg, synack_time_t now)
{
    struct urg_lab *u = arg;
    if (!(events & SYNACK_EV_IN) || u->b_sock >= 0)
        return;
    u->b_sock = synack_accept(st, sock, NULL, now);
    if (u->b_sock >= 0)
        synack_socket_set_handler(st, u->b_sock, b_conn, u);
}

static void urgent_between_stacks(int offload)
{
    struct synack_simlink_config c;
    synack_simlink_config_init(&c);
    c.latency = SYNACK_MS(1);
    c.bandwidth_bps = 1000000000ull;
    c.offload = offload;
    struct tcpsim t;
    tcpsim_init(&t, &c, 11);
    struct urg_lab u;
    memset(&u, 0, sizeof(u));
    u.b = t.st[1];
    u.b_sock = -1;
    synack_stack_set_trace(t.st[0], a_trace, &u);

    int l = synack_socket(t.st[1], SYNACK_SOCK_STREAM);
    struct synack_sockaddr la = synack_sockaddr_from_v4(0, PORT);
    assert_int_equal(synack_bind(t.st[1], l, &la), 0);
    assert_int_equal(synack_listen(t.st[1], l, 4), 0);
    synack_socket_set_handler(t.st[1], l, b_listener, &u);
    int a = synack_socket(t.st[0], SYNACK_SOCK_STREAM);
    struct synack_sockaddr peer = synack_sockaddr_from_v4(SIM_B, PORT);
    assert_int_equal(synack_connect(t.st[0], a, &peer, tcpsim_now(&t)), -SYNACK_EINPROGRESS);
    synack_simnet_run_until(t.net, tcpsim_now(&t) + SYNACK_MS(50));
    assert_true(u.b_sock >= 0);
    struct synack_tcp_info ai;
    assert_int_equal(synack_tcp_info(t.st[0], a, &ai), 0);
    u.mss = ai.snd_mss;

    static uint8_t buf[PLAIN + URGENT];
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)(i * 7u + 1u);
    assert_int_equal(synack_send(t.st[0], a, buf, PLAIN, tcpsim_now(&t)), PLAIN);
    assert_int_equal(synack_send_flags(t.st[0], a, buf + PLAIN, URGENT, SYNACK_MSG_OOB, tcpsim_now(&t)), URGENT);
    synack_simnet_run_until(t.net, tcpsim_now(&t) + SYNACK_MS(200));

    /* A: every segment before the pointer carried URG, exact, one MSS at most */
    assert_true(u.urg_segs >= (URGENT + u.mss - 1) / u.mss);
    assert_int_equal(u.urg_bad_ptr, 0);
    assert_int_equal(u.urg_too_big, 0);
    /* B: told, and the mark where A put it, the data inline */
    assert_true(u.pri_calls >= 1);
    assert_int_equal(u.first_urgent, PLAIN + URGENT);
    assert_int_equal(synack_tcp_urgent(t.st[1], u.b_sock), PLAIN + URGENT);
    assert_true(synack_socket_events(t.st[1], u.b_sock) & SYNACK_EV_PRI);
    static uint8_t got[PLAIN + URGENT];
    size_t have = 0;
    while (have < PLAIN + URGENT - 1) {
        int n = synack_recv(t.st[1], u.b_sock, got + have, PLAIN + URGENT - 1 - have, tcpsim_now(&t));
        assert_true(n > 0);
        have += (size_t)n;
    }
    assert_int_equal(synack_tcp_urgent(t.st[1], u.b_sock), 1);
    assert_true(synack_socket_events(t.st[1], u.b_sock) & SYNACK_EV_PRI);
    assert_int_equal(synack_recv(t.st[1], u.b_sock, got + have, 1, tcpsim_now(&t)), 1);
    assert_memory_equal(got, buf, sizeof(buf));
    assert_int_equal(synack_tcp_urgent(t.st[1], u.b_sock), 0);
    assert_false(synack_socket_events(t.st[1], u.b_sock) & SYNACK_EV_PRI);

    /* what A sends after the pointer (urgent mode over, tests/script/urgent_send.pkt) has no URG */
    u.after_mode = 1;
    assert_int_equal(synack_send(t.st[0], a, buf, PLAIN, tcpsim_now(&t)), PLAIN);
    synack_simnet_run_until(t.net, tcpsim_now(&t) + SYNACK_MS(50));
    assert_int_equal(u.urg_after, 0);
    assert_int_equal(synack_recv(t.st[1], u.b_sock, got, sizeof(got), tcpsim_now(&t)), PLAIN);
    tcpsim_free(&t);
}

static void urgent_plain_link(void **state)
{
    (void)state;
    urgent_between_stacks(0);
}

static void urgent_offload_link(void **state)
{
    (void)state;
    urgent_between_stacks(1);
}

/* The calls' errors: the flag is TCP's (-EINVAL on UDP, as any flag there), an unknown flag is
 * refused, and only a stream socket has urgent data to count. */
static void urgent_api_errors(void **state)
{
    (void)state;
    struct tcpsim t;
    tcpsim_init(&t, NULL, 3);
    synack_stack_t *st = t.st[0];
    int u = synack_socket(st, SYNACK_SOCK_DGRAM);
    struct synack_sockaddr peer = synack_sockaddr_from_v4(SIM_B, PORT);
    assert_int_equal(synack_connect(st, u, &peer, tcpsim_now(&t)), 0);
    assert_int_equal(synack_send_flags(st, u, "x", 1, SYNACK_MSG_OOB, tcpsim_now(&t)), -SYNACK_EINVAL);
    assert_int_equal(synack_send_flags(st, u, "x", 1, 0, tcpsim_now(&t)), 1);
    assert_int_equal(synack_tcp_urgent(st, u), -SYNACK_EOPNOTSUPP);
    int s = synack_socket(st, SYNACK_SOCK_STREAM);
    assert_int_equal(synack_tcp_urgent(st, s), 0);
    assert_int_equal(synack_send_flags(st, s, "x", 1, 0x4u, tcpsim_now(&t)), -SYNACK_EINVAL);
    assert_int_equal(synack_send_flags(st, s, "x", 1, SYNACK_MSG_OOB, tcpsim_now(&t)), -SYNACK_ENOTCONN);
    assert_int_equal(synack_close(st, s, tcpsim_now(&t)), 0);
    assert_int_equal(synack_tcp_urgent(st, s), -SYNACK_EBADF);
    tcpsim_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(urgent_api_errors),
        cmocka_unit_test(urgent_plain_link),
        cmocka_unit_test(urgent_offload_link),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
