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

int main(void)
{
    const struct CMUnitTest tests[] = { cmocka_unit_test(status_records_and_renders),
                                        cmocka_unit_test(status_and_ss_ipv6) };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
