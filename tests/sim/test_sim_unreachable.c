/* Sim tier: a connection to an on-link address that nobody holds. ARP asks arp_max_tries times a
 * second apart (RFC 1122 2.3.2.1 rate limit) and gives up; the SYN that waited for the answer is
 * reported to TCP as a local "host unreachable", and the connect fails with EHOSTUNREACH then,
 * about three seconds in (as Linux's connect says "No route to host"), instead of after every SYN
 * retry (more than two minutes). A connection to B, present, still works on the same stack, and
 * an unanswered address reached through a working connection's peer is not confused with it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>

#include "sim/lib_tcpsim.h"

static void absent_host(void **state)
{
    (void)state;
    struct tcpsim t;
    tcpsim_init(&t, NULL, 3);
    synack_stack_t *a = t.st[0];
    int s = synack_socket(a, SYNACK_SOCK_STREAM);
    assert_true(s >= 0);
    struct synack_sockaddr absent = { .addr = synack_ip_from_v4(0xC0000209u), .port = 80 };   /* 192.0.2.9 */
    synack_time_t t0 = tcpsim_now(&t);
    assert_int_equal(synack_connect(a, s, &absent, t0), -SYNACK_EINPROGRESS);
    synack_time_t failed = 0;
    for (int i = 0; i < 600 && !failed; i++) {
        synack_simnet_run_until(t.net, tcpsim_now(&t) + SYNACK_MS(50));
        if (synack_socket_error(a, s) != 0)
            failed = tcpsim_now(&t);
    }
    assert_true(failed != 0);
    printf("connect to an absent on-link host failed after %.2f s\n", (double)(failed - t0) / 1e6);
    assert_true(failed - t0 >= SYNACK_SEC(2));
    assert_true(failed - t0 <= SYNACK_SEC(4));
    assert_true(synack_counter_get(a, SYNACK_C_ArpResolveFailed) >= 1);   /* each SYN that waited */
    assert_int_equal(synack_counter_get(a, SYNACK_C_TcpAttemptFails), 1);
    synack_close(a, s, tcpsim_now(&t));
    tcpsim_free(&t);
}

static void error_code(void **state)
{
    (void)state;
    struct tcpsim t;
    tcpsim_init(&t, NULL, 4);
    synack_stack_t *a = t.st[0];
    int s = synack_socket(a, SYNACK_SOCK_STREAM);
    struct synack_sockaddr absent = { .addr = synack_ip_from_v4(0xC0000209u), .port = 80 };
    synack_connect(a, s, &absent, tcpsim_now(&t));
    synack_simnet_run_until(t.net, tcpsim_now(&t) + SYNACK_SEC(5));
    assert_int_equal(synack_socket_error(a, s), -SYNACK_EHOSTUNREACH);
    synack_close(a, s, tcpsim_now(&t));
    /* B is there: a bulk transfer on the same lab still works. */
    struct bulk_result r;
    tcpsim_bulk(&t, 100000, 1000, SYNACK_SEC(30), &r);
    assert_true(r.ok);
    tcpsim_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(absent_host),
        cmocka_unit_test(error_code),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
