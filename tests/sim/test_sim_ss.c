/* `synack ss`'s listing (tools/control.c) over IPv6, from two stacks on the simulated link: ends
 * written as Linux's ss writes them (tools/ssaddr.c): "[2001:db8::2]:80", a dual-stack listener
 * "*:80" with peer "*:*", one with IPV6_V6ONLY "[::]:81" with "[::]:*", an IPv4 listener
 * "0.0.0.0:82" with "0.0.0.0:*"; and an IPv4 connection beside them as before. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/ssaddr.c"
#include "../../tools/control.c"
#include "sim/lib_tcpsim.h"

static void accept_one(synack_stack_t *st, int sock, unsigned ev, void *arg, synack_time_t now)
{
    int s = synack_accept(st, sock, NULL, now);
    (void)s;
}

static void ss_lists_both_families(void **state)
{
    struct tcpsim t;
    tcpsim_init(&t, NULL, 5);
    assert_int_equal(tcpsim_ip6(&t), 0);
    assert_true(tcpsim_listeners_connect6(&t, accept_one, NULL) >= 0);

    int c4 = synack_socket(t.st[0], SYNACK_SOCK_STREAM);
    struct synack_sockaddr peer4 = synack_sockaddr_from_v4(SIM_B, 82);
    synack_connect(t.st[0], c4, &peer4, tcpsim_now(&t));
    synack_simnet_run_until(t.net, tcpsim_now(&t) + SYNACK_MS(100));

    /* synack ss, from both stacks. */
    char *out = NULL;
    size_t olen = 0;
    FILE *f = open_memstream(&out, &olen);
    control_write_ss(t.st[1], f, tcpsim_now(&t));
    control_write_ss(t.st[0], f, tcpsim_now(&t));
    fclose(f);
    const char *ss_want[] = { "LISTEN            0      4 *:80                  *:*",
                              "LISTEN            0      4 [::]:81               [::]:*",
                              "LISTEN            0      4 0.0.0.0:82            0.0.0.0:*",
                              "ESTABLISHED       0      0 [2001:db8::2]:80      [2001:db8::1]:",
                              "ESTABLISHED       0      0 [2001:db8::1]:",
                              "ESTABLISHED       0      0 192.0.2.2:82          192.0.2.1:" };
    for (size_t i = 0; i < sizeof(ss_want) / sizeof(ss_want[0]); i++)
        if (!strstr(out, ss_want[i]))
            fail_msg("no '%s' in:\n%s", ss_want[i], out);
    free(out);

    tcpsim_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = { cmocka_unit_test(ss_lists_both_families) };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
